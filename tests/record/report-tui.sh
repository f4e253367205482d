#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop report on a terminal: the TUI replays a recording (tmux on the
# host; the recording comes from tests/record/gen, which needs BPF), in an
# 80x24 terminal, with the outliers the recording holds.
. "$(dirname "$0")/../lib.sh"
plan 9
if [ "$(id -u)" != 0 ]; then
	for i in $(seq 9); do skip "needs root (BPF)"; done
	exit 0
fi
d=$(mktemp -d /tmp/tdxtop-rtui.XXXXXX)
s=tdxtop-report-$$
trap 'tmux kill-session -t $s 2>/dev/null; rm -rf "$d"' EXIT
screen() { tmux capture-pane -p -t "$s"; }
waitfor() { local i; for i in $(seq $(( $2 * 5 ))); do screen | grep -qE "$1" && return 0; sleep 0.2; done; return 1; }
GEN_OUTLIERS=guest=395000,restore=895 "$OUTPUT/tests/record/gen" "$d/r.db" 9 5 >/dev/null
tmux new-session -d -s "$s" -x 80 -y 24 "$OUTPUT/tdxtop report -d 0.2 $d/r.db; echo EXIT=\$? >$d/exit; sleep 30"
check "the TUI shows the recorded intervals" waitfor 'TDCALL:HLT' 20
check "rows carry the recorded VM name" waitfor '^td-regress ' 5
tmux send-keys -t "$s" 1
check "1: rows per VM, the recording's whole mix in one row" waitfor 'view: vm' 5
tmux send-keys -t "$s" Enter
check "Enter: the drill-down's histogram of the replayed interval" waitfor 'guest +n [0-9]+' 5
check "... as bars on a log axis, a power of two a row, within 80 columns" \
	waitfor '^ +[0-9.]+[unm]?s-[0-9.]+[unm]?s +[0-9]+ \|#+' 5
# outlier lines: time, vCPU, guest, host, restore first
ol() { screen | grep -E '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} +[0-9]+ +[0-9.]+[unm]?s\*? '; }
check "... and the VM's outliers under it, newest first, the times over starred" \
	bash -c "$(declare -f screen ol); n=\$(ol | wc -l); t=\$(ol | cut -c1-15); \
		[ \$n -ge 2 ] && [ \"\$t\" = \"\$(sort -r <<<\"\$t\")\" ] && ol | grep -q '\\*'"
tmux send-keys -t "$s" Tab
check "Tab: host time's histogram" waitfor '^> host ' 5
sleep 1.5	# the replay has reached its end and repeats the last interval
n=$("$OUTPUT/tdxtop" report -j "$d/r.db" | jq -s '[.[].outliers[]] | length')
check "every recorded outlier listed once, though the replay repeats its last interval ($n)" \
	bash -c "$(declare -f screen ol); [ \$(( \$(ol | wc -l) + \$(screen | sed -n 's/^(\([0-9]*\) more)\$/\1/p') )) = $n ]"
tmux send-keys -t "$s" q
check "q quits, exit 0" bash -c "for i in \$(seq 25); do [ -s $d/exit ] && break; sleep 0.2; done; grep -q EXIT=0 $d/exit"
done_testing
