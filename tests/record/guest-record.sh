#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/record/vm-record.sh): recordings made by
# the real tdxtop from the real tdx tracepoints.  Outputs go to /mnt/out
# for the host side to check.
#  live/    tdxtop -j -w and -b -w watching one injected mix
#  kill9/   tdxtop record killed with SIGKILL after the mix, and the ftrace
#           hist trigger's count of the same span
#  full/    tdxtop record into a 192 KiB tmpfs until it is full
set -u
T=/sys/kernel/tracing
ev=$T/events/tdx
out=/mnt/out
X=$OUTPUT/tdxtop
wl=$TDXTOP_TOP/tests/e2e/workloads/mix.wl
. "$TDXTOP_TOP/tests/guest-lib.sh"
say() { echo "record: $*"; }

insmod "$OUTPUT/kmod/tdx_inject.ko" || { say "insmod failed"; exit 1; }
cat "$wl" >/sys/kernel/debug/tdx_inject/workload || { say "workload refused"; exit 1; }

inject() { "$OUTPUT/tests/e2e/inject" run 2 4 >/dev/null; }

# 1. live output and its recording, side by side
mkdir -p "$out/live"
"$X" -j -w /tmp/live-j.db 1 3600 >"$out/live/live.json" 2>"$out/live/live-j.err" &
a=$!
"$X" -b -T -w /tmp/live-b.db 1 3600 >"$out/live/live.txt" 2>"$out/live/live-b.err" &
b=$!
wait_links 2 || say "tdxtop did not attach"
inject
sleep 1.5
kill -INT $a $b
wait $a; echo $? >"$out/live/rc-j"
wait $b; echo $? >"$out/live/rc-b"
"$X" report -j /tmp/live-j.db >"$out/live/report.json" 2>&1
"$X" report -b -T /tmp/live-b.db >"$out/live/report.txt" 2>&1
say "live: $(wc -l <"$out/live/live.json") JSON intervals"

# 2. kill -9: every interval committed before the kill reports, and they
#    hold every exit the hist trigger counted
mkdir -p "$out/kill9"
echo 'hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"
"$X" record -o /tmp/k9.db 0.5 2>"$out/kill9/record.err" &
r=$!
wait_links 1 || say "record did not attach"
inject
sleep 2		# the intervals holding the mix are committed
kill -KILL $r
wait $r 2>/dev/null
cat "$ev/tdx_vp_enter/hist" >"$out/kill9/hist.txt"
echo '!hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"
ls /tmp/k9.db* >"$out/kill9/files.txt"
"$X" report -j --merge -g vm /tmp/k9.db >"$out/kill9/merged.json" 2>"$out/kill9/report.err"
echo $? >"$out/kill9/rc"
"$X" report -j /tmp/k9.db 2>/dev/null | wc -l >"$out/kill9/intervals"
say "kill9: done"

# 3. a full disk: one line naming the file, exit 1, the rest readable
mkdir -p "$out/full" /mnt/small
mount -t tmpfs -o size=192k tmpfs /mnt/small
"$X" record -o /mnt/small/full.db 0.2 >"$out/full/stdout" 2>"$out/full/stderr" &
r=$!
wait_links 1 || say "record did not attach"
for i in 1 2 3 4 5 6; do
	kill -0 $r 2>/dev/null || break
	inject
done
for i in $(seq 50); do kill -0 $r 2>/dev/null || break; sleep 0.2; done
kill -INT $r 2>/dev/null
wait $r; echo $? >"$out/full/rc"
"$X" report -j /mnt/small/full.db 2>"$out/full/report.err" | wc -l >"$out/full/intervals"
echo "${PIPESTATUS[0]}" >"$out/full/report-rc"
"$X" record -o /proc/tdxtop.db 1 1 >/dev/null 2>"$out/full/unwritable.err"
echo $? >"$out/full/unwritable-rc"
umount /mnt/small
say "full: done"
exit 0
