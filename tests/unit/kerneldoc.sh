#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every function a layer of tools/tdxtop exports (model/, collect/, store/,
# output/) has a kernel-doc comment, and Linux 7.2's scripts/kernel-doc
# reads each header without a warning (-Wall: parameters, Return:,
# descriptions).  Which functions a header declares is gcc's word
# (-aux-info), not a pattern of ours.
. "$(dirname "$0")/../lib.sh"

headers="model/model.h collect/collect.h store/store.h output/output.h output/jsonw.h output/prom.h"
plan 14
if [ ! -f "$LINUX_TARBALL" ]; then
	for i in $(seq 14); do skip "linux-source-7.2 not installed (scripts/deps.sh kernel)"; done
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
extract_linux "$tmp" tools/docs/kernel-doc tools/lib/python
kdoc=$tmp/tools/docs/kernel-doc
top=$TDXTOP_TOP
src=$top/tools/tdxtop
for h in $headers; do
	out=$("$kdoc" -none -Wall "$src/$h" 2>&1)
	is "$out" "" "kernel-doc -Wall: $h without a warning"
	# declared: gcc's list of the functions whose prototype is in $h
	echo "#include \"$h\"" >"$tmp/h.c"
	gcc -fsyntax-only -aux-info "$tmp/aux" -I"$src" -I"$top/bpf" -I"$OUTPUT" -I"$OUTPUT/gen" \
		"$tmp/h.c"
	grep -F "/* $src/$h:" "$tmp/aux" | sed 's/^[^*]*\*\/ //; s/ (.*//; s/.*[ *]//' |
		sort -u >"$tmp/declared"
	"$kdoc" -rst "$src/$h" 2>/dev/null |
		sed -n 's/^\.\. c:function:: .*[ *]\([a-z_0-9]*\) (.*/\1/p' | sort -u >"$tmp/documented"
	undoc=$(comm -23 "$tmp/declared" "$tmp/documented" | tr '\n' ' ')
	n=$(wc -l <"$tmp/declared")
	if [ "$n" -gt 0 ] && [ -z "$undoc" ]; then
		pass "every one of the $n functions $h declares has kernel-doc"
	else
		fail "every function $h declares has kernel-doc ($n declared)"
		diag "without: $undoc"
	fi
done
# the check itself: a function without its comment is caught
sed '/^\/\*\*$/,/^ \*\/$/d' "$src/store/store.h" >"$tmp/store.h"
"$kdoc" -rst "$tmp/store.h" 2>/dev/null | grep -c 'c:function' >"$tmp/n" || true
is "$(cat "$tmp/n")" 0 "a copy of store.h without its comments documents no function"
# and kernel-doc -Wall does warn on an undocumented parameter
sed 's/^ \* @errlen: .*//' "$src/store/store.h" >"$tmp/store.h"
out=$("$kdoc" -none -Wall "$tmp/store.h" 2>&1)
case $out in
*errlen*) pass "a parameter left out is a warning naming it" ;;
*) fail "a parameter left out is a warning naming it"; diag "$out" ;;
esac
done_testing
