#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# contrib/bash-completion/tdxtop through bash-completion itself: what a
# user gets on TAB for subcommands, options and -g/-s/--format values.
. "$(dirname "$0")/../lib.sh"
plan 9
bc=/usr/share/bash-completion/bash_completion
if ! [ -r "$bc" ]; then
	for i in $(seq 9); do skip "needs bash-completion"; done
	exit 0
fi
# comp LINE: the completions of LINE's last word, sorted, on one line
comp() {
	PATH="$OUTPUT:$PATH" bash -c '
		. "$1"; . "$2"
		COMP_LINE=$3; COMP_POINT=${#COMP_LINE}
		read -ra COMP_WORDS <<<"$COMP_LINE"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_tdxtop tdxtop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$bc" "$top/contrib/bash-completion/tdxtop" "$1" 2>/dev/null
}
is "$(comp 'tdxtop ')" "check diff record report serve " "subcommands"
is "$(comp 'tdxtop check --so')" "--source= " "check's options, from its --help"
is "$(comp 'tdxtop -g ')" "all reason vcpu vm " "-g values"
is "$(comp 'tdxtop report -s g')" "guest " "-s values after a subcommand"
is "$(comp 'tdxtop diff --format ')" "json markdown text " "diff --format values"
is "$(comp 'tdxtop serve --per')" "--per-pid --per-vcpu --per-vm-histograms " "serve's own options, from its --help"
is "$(comp 'tdxtop record --ts')" "--tsc-khz= " "record's options"
check "the live view's options include --json and --min-latency" \
	grep -q -- '--json .*--min-latency=' <<<"$(comp 'tdxtop -')"
work=$(mktemp -d)
touch "$work/a.db" "$work/b.txt"
is "$(cd "$work" && comp 'tdxtop report ')" "a.db " "report completes recordings (*.db)"
rm -rf "$work"
done_testing
