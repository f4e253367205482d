#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tdxtop report --html on the host: recordings from tests/record/gen (the
# real BPF object, hostile VM names, outliers), the page read back (its
# data must be report -j's, number for number) and rendered by headless
# Chromium: the DOM it builds (titles, axes, tables whose values equal
# report -j's, names as text only) and a screenshot that is not blank,
# kept in $OUTPUT/report-html for people to look at.
. "$(dirname "$0")/../lib.sh"
plan 24
G=$OUTPUT/tests/record/gen
T=$OUTPUT/tdxtop
C=$top/tests/report/html-check.py
out=$OUTPUT/report-html
if [ "$(id -u)" != 0 ]; then
	for i in $(seq 24); do skip "needs root (BPF)"; done
	exit 0
fi
d=$(mktemp -d /tmp/tdxtop-html.XXXXXX)
trap 'rm -rf "$d"' EXIT
rm -rf "$out"
mkdir -p "$out"
chrome() {	# chrome dom|shot PAGE OUT
	local mode=$1 page=$2 o=$3
	if [ "$mode" = dom ]; then
		timeout 120 chromium --headless=new --no-sandbox --disable-gpu --dump-dom \
			"file://$page" >"$o" 2>"$d/chromium.err"
	else
		timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
			--window-size=1280,2400 --screenshot="$o" "file://$page" >/dev/null 2>"$d/chromium.err"
	fi
}

# a VM name that is markup, closes a script element, quotes and escapes
# the terminal (15 bytes: a comm's limit)
name=$'</script><b>\'"\e'
GEN_VM_NAME=$name GEN_OUTLIERS=guest=395000,restore=895 "$G" "$d/base.db" 21 30 >/dev/null
GEN_VM_NAME=$name "$G" "$d/new.db" 22 30 2000 host:1:1.3 >/dev/null
"$T" report --html "$d/one.html" "$d/base.db" >"$d/one.out" 2>&1
is "$? $(wc -c <"$d/one.out")" "0 0" "report --html: exit 0, nothing printed"
cp "$d/one.html" "$out/one.html"
urls=$(grep -o 'https\?://[^"'"'"' ]*' "$d/one.html" | sort -u | tr '\n' ' ')
check "self-contained: no src or href, a CSP of default-src 'none', no URL but SVG's namespace" \
	test -z "$(grep -oiE '(src|href)=' "$d/one.html")" -a "$urls" = "http://www.w3.org/2000/svg " \
	-a -n "$(grep -F "content=\"default-src 'none';" "$d/one.html")"

"$C" data "$d/one.html" >"$d/one.json"
check "the page's data per interval is report -j --buckets's, value for value" \
	test "$(jq -S .runs[0].intervals "$d/one.json")" = "$("$T" report -j --buckets "$d/base.db" | jq -S -s .)"
check "... and its whole-run data is report -j --merge --buckets's" \
	test "$(jq -S .runs[0].merged "$d/one.json")" = "$("$T" report -j --merge --buckets "$d/base.db" | jq -S .)"

chrome dom "$d/one.html" "$d/one.dom"
"$C" dom "$d/one.dom" >"$d/one.facts"
is "$(grep -c '^rendered yes' "$d/one.facts")" 1 "Chromium runs the page's script to its end"
heads=0
for h in 'Exits by VM and reason (whole run)' 'Histograms of guest, host and restore time per key (log axis)' \
	 'Heatmap of host time between exits (interval x power of two)' 'Exit rates by reason' \
	 'Drops per interval' "tdxtop's own cost" 'guest time' 'host time' 'restore time' \
	 'axis: ns (log)' 'axis: seconds into the run' 'axis: host time (log)' 'axis: exits/s'; do
	grep -qxF "head $h" "$d/one.facts" && heads=$((heads + 1)) || diag "missing: $h"
done
is "$heads" 13 "the DOM has every title and axis label"
# the key table: pid, reason, count, guest p50 and p99 of each row, as report -j --merge
got=$(grep '^row keys ' "$d/one.facts" | cut -d' ' -f3- | jq -r '[.[2], .[3], .[4], .[5], .[6]] | join(" ")' | sort)
want=$("$T" report -j --merge "$d/base.db" | jq -r '.rows[] |
	[.pid, (.label // .kind), .count, (.guest_ns.p50 // (.cost_ns.p50 | not | not) | tostring |
	 sub("^(true|false)$"; "")), (.guest_ns.p99 // "" | tostring)] | map(tostring) | join(" ")' | sort)
check "the key table's counts and guest p50/p99 are report -j --merge's ($(wc -l <<<"$want") rows)" \
	test -n "$want" -a "$got" = "$want"
nout=$(jq '[.runs[0].intervals[].outliers[]] | length' "$d/one.json")
check "the outlier table: the first 500 of the $nout outliers, with their times" \
	test "$(grep '^row outliers-0 ' "$d/one.facts" | cut -d' ' -f3- | jq -r '.[0]')" = \
	"$(jq -r '[.runs[0].intervals[].outliers[]][:500][].time' "$d/one.json")"
check "the hostile name is text in its cells, its escape shown as U+FFFD: no element inside any cell" \
	test -z "$(grep '^in-td ' "$d/one.facts")" -a -z "$(grep '^td .*\\x1b' "$d/one.facts")" -a \
	-n "$(grep -Fx 'td </script><b>'"'"'"\ufffd' "$d/one.facts")" -a \
	"$(grep '^row keys ' "$d/one.facts" | cut -d' ' -f3- | jq --arg n "$name" 'select(.[1] == $n)' | grep -c .)" -gt 0

chrome shot "$d/one.html" "$out/one.png"
read -r colours ink < <("$C" shot "$out/one.png")
check "the screenshot is not blank ($colours colours, $ink% ink): $out/one.png" \
	test "${colours:-0}" -gt 50 -a "$(awk -v i="${ink:-0}" 'BEGIN { print (i > 5) }')" = 1

# two recordings: base and new overlaid, with tdxtop diff's verdicts
"$T" report --html "$d/two.html" "$d/base.db" "$d/new.db" 2>"$d/two.err"
is "$?" 0 "report --html BASE NEW: exit 0"
cp "$d/two.html" "$out/two.html"
chrome dom "$d/two.html" "$d/two.dom"
"$C" dom "$d/two.dom" >"$d/two.facts"
got=$(grep '^row verdicts ' "$d/two.facts" | cut -d' ' -f3- | jq -r 'select(.[8] != "~") | [.[1], .[2], .[8]] | join(" ")' | sort)
want=$("$T" diff -j "$d/base.db" -- "$d/new.db" | jq -r '.rows[] | select(.verdict != "~") | [.label, .metric, .verdict] | join(" ")' | sort)
check "the verdicts are tdxtop diff's, host time of EXTERNAL_INTERRUPT a regression" \
	test "$got" = "$want" -a -n "$(grep 'EXTERNAL_INTERRUPT host p50 REGRESSION' <<<"$got")"
"$C" data "$d/two.html" >"$d/two.json"
is "$(jq -S .diff "$d/two.json")" "$("$T" diff -j "$d/base.db" -- "$d/new.db" | jq -S .)" \
	"the page's diff is tdxtop diff -j's, value for value"
strace -f -qq -e trace=execve,fork,vfork,clone,clone3 -o "$d/strace.txt" \
	"$T" report --html "$d/two-again.html" "$d/base.db" "$d/new.db" 2>/dev/null
check "... called in the same process: one execve (tdxtop's own), no fork or clone ($(wc -l <"$d/strace.txt") calls)" \
	test "$(grep -c 'execve(' "$d/strace.txt")" = 1 -a -z "$(grep -E '(fork|clone3?)\(' "$d/strace.txt")" -a \
	"$(cmp -s "$d/two.html" "$d/two-again.html" && echo same)" = same
check "base and new histograms overlaid, each in its colour" \
	test "$(grep -c '^bars #1f77b4 \|^bars #ff7f0e ' "$d/two.facts")" = 2
chrome shot "$d/two.html" "$out/two.png"
read -r colours ink < <("$C" shot "$out/two.png")
check "the comparison's screenshot is not blank ($colours colours): $out/two.png" \
	test "${colours:-0}" -gt 50

# too few intervals for a verdict: the page still renders and says why
"$G" "$d/short.db" 23 3 >/dev/null
"$T" report --html "$d/short.html" "$d/base.db" "$d/short.db" 2>/dev/null
rc=$?
chrome dom "$d/short.html" "$d/short.dom"
check "too few intervals to judge: exit 0, the page says diff's reason" \
	test "$rc" = 0 -a -n "$(grep -o 'id="diff-error">no verdict: too few samples: base has 30, new has 3' "$d/short.dom")"

# a long hostile name (60 bytes; /proc gives at most 63) written into the recording
long=$'"\'\x7f\xe2\x80\xae<img src=x onerror=alert(1)><svg onload=alert(2)>-LONG'
cp "$d/base.db" "$d/long.db"
sqlite3 "$d/long.db" "update vms set name = cast('$(sed "s/'/''/g" <<<"$long")' as blob)"
"$T" report --html "$d/long.html" "$d/long.db" 2>/dev/null
chrome dom "$d/long.html" "$d/long.dom"
"$C" dom "$d/long.dom" >"$d/long.facts"
check "a 60-byte name of markup: no img, no element in a cell, the name intact in the data" \
	test "$(grep -c '^rendered yes' "$d/long.facts")" = 1 -a "$(grep '^tag img ' "$d/long.facts")" = "tag img 0" \
	-a -z "$(grep '^in-td ' "$d/long.facts")" -a \
	"$(grep '^row keys ' "$d/long.facts" | cut -d' ' -f3- | jq -r '.[1]' | sort -u)" = "$(printf '%s' "$long" | iconv -f utf-8 -t utf-8 -c 2>/dev/null || true)"
check "... cut at 40 characters in its cell (U+2026), DEL and the bidi override shown as U+FFFD" \
	test -n "$(grep -Fx 'td "'"'"'\ufffd\ufffd<img src=x onerror=alert(1)><svg on\u2026' "$d/long.facts")"

# a recording path that closes the data block and opens a script of its own
mark="document.body.setAttribute('data-pwned','yes')"
hp="$d/x</script><script>$mark</script><!--.db"
mkdir -p "$(dirname "$hp")"
cp "$d/base.db" "$hp"
"$T" report --html "$d/path.html" "$hp" "$d/new.db" 2>/dev/null
rc=$?
chrome dom "$d/path.html" "$d/path.dom"
# the body's attributes say which scripts ran: the page's own sets data-rendered
body() { grep -o '<body[^>]*>' "$1"; }
is "$rc $(body "$d/path.dom")" '0 <body data-rendered="yes">' \
	"a recording path of </script><script>...: exit 0, the page renders, no script of its own runs"
is "$("$C" data "$d/path.html" | jq -r '.runs[0].file')" "$hp" "... its data parses, the path whole"
# the CSP alone: a script put into the page by hand does not run
sed "s|</body>|<script>$mark</script></body>|" "$d/one.html" >"$d/inject.html"
chrome dom "$d/inject.html" "$d/inject.dom"
is "$(body "$d/inject.dom")" '<body data-rendered="yes">' \
	"an inline script added to a page is refused by its CSP, the page's own still runs"

# bad input
out1=$("$T" report --html "$d/x.html" "$d/one.html" 2>&1); rc=$?
is "$rc $(wc -l <<<"$out1")" "2 1" "a file that is not a recording: exit 2, one line"
out1=$("$T" report --html /proc/x.html "$d/base.db" 2>&1); rc=$?
is "$rc $out1" "1 tdxtop: /proc/x.html: No such file or directory" "an unwritable page: exit 1, one line naming it"
[ "$_failed" = 0 ] || sed 's/^/# /' "$d/chromium.err" | tail -5
done_testing
