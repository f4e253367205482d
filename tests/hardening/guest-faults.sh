#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/hardening/vm-faults.sh): faults around the
# real tdxtop on the real tracepoints.  Each case writes its outcome under
# /mnt/out for the host side to check.
#  caps/    CapEff of live, record and serve once attached, and their
#           counts against the hist trigger; bpftool link detach of a link
#  pipe/    tdxtop -j | head -1
#  signals/ SIGINT/SIGTERM/SIGHUP/SIGKILL in each mode: status, links left,
#           the recording
#  ro/      a recording on a read-only file system
set -u
T=/sys/kernel/tracing
ev=$T/events/tdx
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
. "$top/tests/guest-lib.sh"
say() { echo "faults: [$(cut -d' ' -f1 /proc/uptime)] $*"; }
inject() { "$OUTPUT/tests/e2e/inject" run 2 2 >/dev/null; }

ip link set lo up
insmod "$OUTPUT/kmod/tdx_inject.ko" || { say "insmod failed"; exit 1; }
cat "$top/tests/serve/serve.wl" >/sys/kernel/debug/tdx_inject/workload || exit 1

# 1. capabilities once attached, in each mode, and exact counts all the same
mkdir -p "$out/caps"
echo 'hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"
"$X" -j 0.5 >"$out/caps/live.json" 2>"$out/caps/live.err" &
a=$!
"$X" record -o /tmp/caps.db 0.5 2>"$out/caps/record.err" &
b=$!
"$X" serve --listen 127.0.0.1:9479 2>"$out/caps/serve.err" &
c=$!
wait_links 3 || say "not attached"
sleep 1
for p in "live $a" "record $b" "serve $c"; do
	set -- $p
	grep -E '^Cap(Eff|Prm|Bnd)' "/proc/$2/status" | tr -d '\t' | sed "s/^/$1 /"
done >"$out/caps/caps.txt"
# someone detaches one of tdxtop's links: the kernel refuses (raw tracepoint
# links have no detach), and every count stays exact
id=$(bpftool -j link show | jq '[.[] | select(.tp_name == "tdx_vp_enter")][0].id')
bpftool link detach id "$id" >"$out/caps/detach.txt" 2>&1
echo $? >"$out/caps/detach.rc"
links >"$out/caps/links-after-detach"
inject
sleep 1.5
awk '/^ *Hits:/ { print $2 }' "$ev/tdx_vp_enter/hist" >"$out/caps/hits"
curl -sf http://127.0.0.1:9479/metrics | awk '/^tdxtop_exits_total/ { s += $2 } END { print s }' \
	>"$out/caps/serve-exits"
kill -INT $a $b $c
wait $a; echo $? >"$out/caps/live.rc"
wait $b; echo $? >"$out/caps/record.rc"
wait $c; echo $? >"$out/caps/serve.rc"
echo '!hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"
"$X" report -j --merge -g vm /tmp/caps.db >"$out/caps/record.json" 2>&1
say "caps done"

# 2. a reader that goes away: quiet, status 0
mkdir -p "$out/pipe"
"$X" -j 0.2 2>"$out/pipe/err" | head -1 >"$out/pipe/line"
echo "${PIPESTATUS[0]}" >"$out/pipe/rc"
say "pipe done"

# 3. each stop signal in each mode
mkdir -p "$out/signals"
for mode in live record serve; do
	for sig in INT TERM HUP KILL; do
		f=$out/signals/$mode-$sig
		case $mode in
		live)	"$X" -b 0.2 >/dev/null 2>"$f.err" & ;;
		record)	"$X" record -o "/tmp/sig-$sig.db" 0.2 2>"$f.err" & ;;
		serve)	"$X" serve --listen 127.0.0.1:9480 2>"$f.err" & ;;
		esac
		p=$!
		wait_links 1 || say "$mode did not attach"
		sleep 0.5
		kill -"$sig" $p
		wait $p
		echo $? >"$f.rc"
		for i in $(seq 50); do [ "$(links)" = 0 ] && break; sleep 0.1; done
		links >"$f.links"
		if [ $mode = record ]; then
			"$X" report -j "/tmp/sig-$sig.db" >/dev/null 2>"$f.report-err"
			echo $? >"$f.report-rc"
		fi
	done
done
say "signals done"

# 4. a recording on a read-only file system (tmpfs cannot turn read-only
#    under a file open for writing, EBUSY, and this kernel has no block
#    device to fail; a write failing mid-recording is the full disk of
#    tests/record/vm-record.sh)
mkdir -p "$out/ro" /mnt/ro
mount -t tmpfs -o size=4m,ro tmpfs /mnt/ro
"$X" record -o /mnt/ro/r.db 0.2 >"$out/ro/stdout" 2>"$out/ro/stderr" &
r=$!
for i in $(seq 50); do kill -0 $r 2>/dev/null || break; sleep 0.2; done
kill -INT $r 2>/dev/null
wait $r
echo $? >"$out/ro/rc"
links >"$out/ro/links"
say "done"
