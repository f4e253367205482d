#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/soak/soak.sh): the injector fires the mix
# back to back for SECS seconds while three tdxtop run at once (live JSON,
# record, serve scraped every 5 s); every 10 s each one's RSS, open fds and
# CPU time are sampled.  At the end: the hist trigger's count, and what
# each of them counted.
set -u
secs=${1:-1800}
T=/sys/kernel/tracing
ev=$T/events/tdx
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
. "$top/tests/guest-lib.sh"
say() { echo "soak: [$(cut -d' ' -f1 /proc/uptime)] $*"; }

ip link set lo up
insmod "$OUTPUT/kmod/tdx_inject.ko" || { say "insmod failed"; exit 1; }
cat "$top/tests/e2e/workloads/mix.wl" >/sys/kernel/debug/tdx_inject/workload || exit 1
echo 'hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"

"$X" -j 1 >/tmp/live.json 2>"$out/live.err" &
live=$!
"$X" record -o /tmp/soak.db 1 2>"$out/record.err" &
rec=$!
"$X" serve --listen 127.0.0.1:9479 2>"$out/serve.err" &
srv=$!
wait_links 3 || say "not attached"
say "attached; injecting for $secs s"
"$OUTPUT/tests/e2e/inject" run 2 2 soak "$secs" >/dev/null &
inj=$!
hz=$(getconf CLK_TCK)
t0=$(cut -d' ' -f1 /proc/uptime)
echo "t mode rss_kb fds cpu_s" >"$out/samples.txt"
n=0
while kill -0 $inj 2>/dev/null; do
	sleep 5
	curl -sf -o /dev/null http://127.0.0.1:9479/metrics
	n=$((n + 1))
	[ $((n % 2)) = 0 ] || continue
	t=$(awk -v a="$t0" '{ printf "%.0f", $1 - a }' /proc/uptime)
	for p in "live $live" "record $rec" "serve $srv"; do
		set -- $p
		echo "$t $1 $(awk '$1 == "VmRSS:" { print $2 }' /proc/$2/status)" \
		     "$(ls /proc/$2/fd | wc -l)" \
		     "$(awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$2/stat)"
	done >>"$out/samples.txt"
done
wait $inj
sleep 2.5	# the last events into an interval of each
awk '/^ *Hits:/ { print $2 }' "$ev/tdx_vp_enter/hist" >"$out/hits"
curl -sf http://127.0.0.1:9479/metrics >"$out/last-scrape.txt"
kill -INT $live $rec $srv
wait $live; echo $? >"$out/live.rc"
wait $rec; echo $? >"$out/record.rc"
wait $srv; echo $? >"$out/serve.rc"
say "stopped; counting"
jq -s '[.[].rows[] | select(.kind == "exit") | .count] | add' /tmp/live.json >"$out/live-exits"
jq -s '[.[].drops | to_entries[] | .value] | add' /tmp/live.json >"$out/live-drops"
"$X" report -j --merge -g vm /tmp/soak.db >"$out/record.json" 2>"$out/report.err"
ls -l /tmp/soak.db >"$out/record-size"
say "done"
