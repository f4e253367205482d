#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# VM names are chosen by other processes (QEMU's -name, comm): hostile ones
# through tdxtop's production text, JSON and Prometheus output
# (tests/unit/json_sample).
. "$(dirname "$0")/../lib.sh"
s=$OUTPUT/tests/unit/json_sample
names=(
	$'\e[2J\e[31mred'			# clear screen, recolour
	$'a\nb\rc\td'				# line breaks inside a cell
	'quo"te\back\slash'			# JSON's own characters
	$'bad\xff\xfe utf8 \xc3('		# invalid UTF-8
	$'\xe2\x80\xaeevil bidi'		# right-to-left override
	'<script>alert(1)</script>'		# markup
	"$(printf 'x%.0s' {1..4096})"		# 4 KiB (cut to the recorded 63 bytes)
	$'\x7f\x01\x1b]0;title\x07'		# DEL, C0, an OSC title sequence
)
plan $((${#names[@]} * 5 + 1))
# the COUNT column: 9 wide, right-aligned, ending where the header's word ends
count_end=$(( $("$s" reason text | sed -n 2p | grep -bo COUNT | cut -d: -f1) + 5 ))
for n in "${names[@]}"; do
	short=$(printf '%q' "${n:0:20}")
	j=$("$s" reason json "$n")
	want=$(printf '%s' "${n:0:63}" | iconv -f UTF-8 -t UTF-8 -c 2>/dev/null)
	got=$(jq -r '.rows[0].vm' <<<"$j" 2>/dev/null)
	# jq gives the parsed string; invalid bytes come back as U+FFFD
	if jq -e . <<<"$j" >/dev/null 2>&1 && [ -n "$got" ] &&
	   [ "$(printf '%s' "$got" | tr -d '\357\277\275')" = "$(printf '%s' "$want" | tr -d '\357\277\275')" ]; then
		pass "JSON: $short parses and reads back"
	else
		fail "JSON: $short parses and reads back"
		diag "got $(printf '%q' "$got")"
	fi
	t=$("$s" reason text "$n")
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' <<<"$t" ||
	   grep -q $'\xe2\x80\xae' <<<"$t"; then
		fail "text: $short passes no control character to the terminal"
	else
		pass "text: $short passes no control character to the terminal"
	fi
	# every row has the count column where the header has it
	bad=$(sed -n '3,$p' <<<"$t" | grep -v '^$' | grep -v 'more rows' |
	      LC_ALL=C awk -v e="$count_end" '{ if (substr($0, e - 8, 9) !~ /^ *[0-9]+$/) print }')
	is "$bad" "" "text: $short keeps the columns aligned"
	p=$("$s" reason prom "$n")
	if command -v promtool >/dev/null; then
		lint=$(promtool check metrics <<<"$p" 2>&1)
		is "$(grep -c 'parsing error\|invalid' <<<"$lint")" 0 \
			"Prometheus: $short parses (promtool)"
	else
		skip "Prometheus: $short parses (needs promtool)"
	fi
	# every line a comment or name{labels} value: no line broken, no control byte
	bad=$(LC_ALL=C grep -v -e '^#' -e '^[a-z_]*\({.*}\)\? [0-9.]*$' <<<"$p";
	      LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' <<<"$p" | grep -v '^0$')
	is "$bad" "" "Prometheus: $short keeps every sample on its line, no control byte"
done
t=$(LC_ALL=C.UTF-8 "$s" reason text $'t\xc3\xa9st-vm')
check "text, UTF-8 locale: a valid UTF-8 name is shown as it is" grep -q $'^t\xc3\xa9st-vm ' <<<"$t"
done_testing
