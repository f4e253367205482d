#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Recordings by the real tdxtop in the test VM (tests/record/guest-record.sh):
# report prints, byte for byte, what live mode printed (JSON and text); a
# recording killed with SIGKILL opens, and its intervals hold exactly the
# exits the ftrace hist trigger counted; a full disk and an unwritable path
# are one line naming the file and exit 1, with what was written readable.
. "$(dirname "$0")/../lib.sh"
vm_test 10 record-vm tests/record/guest-record.sh record "the recording checks" || exit 0

l=$out/live
check "live -j: at least 2 intervals, exit 0" \
	test "$(wc -l <"$l/live.json" 2>/dev/null)" -ge 2 -a "$(cat "$l/rc-j" 2>/dev/null)" = 0
check "report -j of the -w recording is live -j byte for byte" cmp "$l/live.json" "$l/report.json"
check "report -b -T of the -w recording is live -b -T byte for byte" cmp "$l/live.txt" "$l/report.txt"

k=$out/kill9
hist=$(awk '/^ *Hits:/ { print $2 }' "$k/hist.txt" 2>/dev/null)
got=$(jq '[.rows[] | select(.kind == "exit") | .count] | add' "$k/merged.json" 2>/dev/null)
is "$(cat "$k/rc" 2>/dev/null)" 0 "kill -9 during record: the file opens and reports ($(cat "$k/intervals" 2>/dev/null) intervals)"
is "$got" "$hist" "kill -9: the completed intervals hold every exit the hist trigger counted"

f=$out/full
is "$(cat "$f/rc" 2>/dev/null) $(wc -l <"$f/stderr" 2>/dev/null)" "1 1" "a full disk: exit 1, one line"
check "the line names the file and says it is full" grep -q '^tdxtop: /mnt/small/full.db: database or disk is full$' "$f/stderr"
check "what was written before stays readable" \
	test "$(cat "$f/report-rc" 2>/dev/null)" = 0 -a "$(cat "$f/intervals" 2>/dev/null)" -ge 1
check "an unwritable path: exit 1, one line naming the file" \
	test "$(cat "$f/unwritable-rc" 2>/dev/null)" = 1 -a "$(grep -c '^tdxtop: /proc/tdxtop.db: ' "$f/unwritable.err")" = 1
[ "$_failed" = 0 ] || { cat "$f/stderr" "$k/report.err" 2>/dev/null | sed 's/^/# /'; tail -20 "$out/vm.log" | sed 's/^/# /'; }
done_testing
