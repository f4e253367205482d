#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The TUI against what a terminal can do to it (tmux on the host; `tdxtop
# report` replays a recording through the live TUI code): a VM name that is
# an escape sequence moves nothing; the window resized 40 times, down to
# 2x1, and back: still running, still drawing; SIGINT, SIGTERM and SIGHUP:
# status 0, the terminal restored (main screen, cursor shown).
. "$(dirname "$0")/../lib.sh"
plan 7
if [ "$(id -u)" != 0 ] || ! command -v tmux >/dev/null; then
	for i in $(seq 7); do skip "needs root (BPF) and tmux"; done
	exit 0
fi
d=$(mktemp -d /tmp/tdxtop-tuifault.XXXXXX)
s=tdxtop-tuifault-$$
runs=0
trap 'for i in $(seq 0 $runs); do tmux -L "$s-$i" kill-server 2>/dev/null; done; rm -rf "$d"' EXIT
t() { tmux -L "$s-$runs" "$@"; }
screen() { t capture-pane -p -t "$s"; }
waitfor() { local i; for i in $(seq $(( $2 * 5 ))); do screen | grep -qE "$1" && return 0; sleep 0.2; done; return 1; }
# comm: 15 bytes at most; clear the screen and turn red
GEN_VM_NAME=$'\e[2J\e[31mred' "$OUTPUT/tests/record/gen" "$d/r.db" 9 5 >/dev/null
run() {	# a fresh tmux server running the TUI, its status to $d/exit
	rm -f "$d/exit"
	t kill-server 2>/dev/null
	runs=$((runs + 1))
	t new-session -d -s "$s" -x 150 -y 40 \
		"$OUTPUT/tdxtop report -d 0.2 $d/r.db; echo EXIT=\$? >$d/exit; sleep 60"
}

run
check "a name that is an escape sequence shows as text: ?[2J?[31mred" waitfor '^\?\[2J\?\[31mred +' 20
is "$(screen | head -1 | cut -c1-6)" tdxtop "... and the header stays on the first line"
# more hostile names (comm: 15 bytes): the TUI's row shows the name's cell
# exactly as report -b does, and nothing moves the header
names=(
	$'a\tb\rc'			# tab, carriage return
	'quo"te\back'		# quotes, backslash
	$'bad\xff\xfe\xc3('		# invalid UTF-8
	$'\xe2\x80\xaeevil'		# right-to-left override
	'<script>x'		# markup
	$'\x7f\x01\x1b]0;t\x07'	# DEL, C0, an OSC title
)
bad=
for n in "${names[@]}"; do
	GEN_VM_NAME=$n "$OUTPUT/tests/record/gen" "$d/n.db" 9 2 >/dev/null
	cell=$("$OUTPUT/tdxtop" report -b "$d/n.db" | sed -n 3p | cut -c1-20)
	t kill-server 2>/dev/null
	runs=$((runs + 1))
	t new-session -d -s "$s" -x 150 -y 40 "$OUTPUT/tdxtop report -d 0.2 $d/n.db; sleep 60"
	ok=0
	for i in $(seq 50); do
		[ ${#cell} -eq 20 ] && screen | grep -qF -- "$cell" &&
			[ "$(screen | head -1 | cut -c1-6)" = tdxtop ] &&
			{ ok=1; break; }
		sleep 0.2
	done
	[ $ok = 1 ] || bad="$bad $(printf '%q' "$n")"
done
is "$bad" "" "${#names[@]} more hostile names: the TUI shows each as report -b does, header in place"
run
waitfor '^\?\[2J\?\[31mred +' 20
for i in $(seq 20); do
	t resize-window -t "$s" -x $((2 + RANDOM % 200)) -y $((1 + RANDOM % 60))
	sleep 0.05
	t resize-window -t "$s" -x 2 -y 1
	sleep 0.05
done
t resize-window -t "$s" -x 150 -y 40
check "40 resizes down to 2x1 and back: running and drawing rows" waitfor '^\?\[2J\?\[31mred +' 10

for sig in INT TERM HUP; do
	run
	waitfor 'TDCALL' 20
	pid=$(pgrep -f "^$OUTPUT/tdxtop report -d 0.2 $d/r.db" | head -1)
	kill -"$sig" "$pid"
	for i in $(seq 50); do [ -s "$d/exit" ] && break; sleep 0.1; done
	is "$(cat "$d/exit" 2>/dev/null):$(t display -p -t "$s" '#{alternate_on}:#{cursor_flag}')" \
		"EXIT=0:0:1" "SIG$sig: status 0, main screen back, cursor shown"
done
done_testing
