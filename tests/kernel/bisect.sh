#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Bisectability: the kernel builds at every patch of the series, not only
# at its end, with no compiler warning and no objtool complaint at any step
# (the whole series is checked by tests/kernel/build.sh).  Each step
# (scripts/kernel.sh bisect N) builds in the series' own tree and build
# directory, compiling every file the series has changed so far (ccache
# serves the rest, and replays warnings); then the build is brought back
# to the whole series.  A step's result, its diagnostics, is kept with the
# series and config it was built from, and built again when either changes.
. "$(dirname "$0")/../lib.sh"

series=()
for p in "$top"/kernel/patches/0*.patch; do
	case ${p##*/} in 0000-*) ;; *) series+=("$p") ;; esac
done
steps=$((${#series[@]} - 1))
plan $((steps + 1))
o=$TDXTOP_CACHE/build
built=0
id=$( (find "$top/kernel/patches" -name '*.patch' ! -name '0000-*' | sort | xargs cat;
       cat "$top/kernel/tdxtop.config") | sha1sum | cut -c1-16)
for n in $(seq "$steps"); do
	name=$(basename "${series[$n - 1]}" .patch)
	start=$(date +%s)
	if [ "$(cat "$o/.tdxtop-bisect-$n.ok" 2>/dev/null)" != "$id" ]; then
		rm -f "$o/.tdxtop-bisect-$n.ok"
		built=1
		if ! "$top/scripts/kernel.sh" bisect "$n" >"$OUTPUT/bisect-$n.log" 2>&1; then
			fail "patches 1-$n ($name): the kernel builds"
			tail -15 "$OUTPUT/bisect-$n.log" | sed 's/^/# /'
			continue
		fi
		echo "$id" >"$o/.tdxtop-bisect-$n.ok"
	fi
	diags=$(grep -c . "$o/.tdxtop-bisect-$n.log" 2>/dev/null)
	is "${diags:-missing}" 0 "patches 1-$n ($name): builds, no warning, objtool clean ($(( $(date +%s) - start ))s)"
	[ "${diags:-0}" = 0 ] || sed 's/^/# /' "$o/.tdxtop-bisect-$n.log" | head -10
done
# the tree and build directory back at the whole series, for the tests after this one
rc=0
if [ "$built" = 1 ]; then
	"$top/scripts/kernel.sh" build >"$OUTPUT/bisect-back.log" 2>&1 || rc=$?
	[ "$rc" = 0 ] || tail -5 "$OUTPUT/bisect-back.log" | sed 's/^/# /'
fi
tree=$TDXTOP_CACHE/linux
is "$rc $(git -C "$tree" rev-parse HEAD)" "0 $(git -C "$tree" rev-parse tdxtop)" \
	"the tree is back at the whole series and its build brought back"
done_testing
