#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The layers of tools/tdxtop (docs/architecture.md) depend downwards only:
# model/ on nothing of tdxtop's but bpf/tdx_enter.h; collect/, output/ and
# store/ on model/ and themselves; the commands at the top on any.  Read
# from every #include "..." of every file; a check that an upward include
# is caught runs on a copy.
. "$(dirname "$0")/../lib.sh"
plan 6
src=$top/tools/tdxtop

# allowed LAYER: the quoted includes a file of LAYER may have (a regex)
allowed() {
	case $1 in
	model)	 echo '^(model/[a-z_]+\.h|tdx_enter\.h)$' ;;
	collect) echo '^(model/[a-z_]+\.h|collect/[a-z_]+\.h|tdx_enter\.h|[a-z_]+\.skel\.h)$' ;;
	output)	 echo '^(model/[a-z_]+\.h|output/[a-z_]+\.h|tdx_enter\.h|report_sha256\.h|metrics\.pb-c\.h)$' ;;
	store)	 echo '^(model/[a-z_]+\.h|store/[a-z_]+\.h|tdx_enter\.h)$' ;;
	esac
}

# upward DIR LAYER: "file: include" for each include of DIR's files LAYER may not have
upward() {
	local f inc re
	re=$(allowed "$2")
	for f in "$1"/*.[chS]; do
		[ -f "$f" ] || continue
		sed -n 's/^#include "\(.*\)".*/\1/p' "$f" | while read -r inc; do
			[[ $inc =~ $re ]] || echo "${f#"$1"/}: $inc"
		done
	done
}

for layer in model collect output store; do
	is "$(upward "$src/$layer" "$layer" | tr '\n' ' ')" "" \
		"$layer/: $(ls "$src/$layer" | grep -c '\.[ch]$') files, no include of a layer above or beside it"
done
check "every .c of tools/tdxtop is in a layer's folder or a command at the top (main.c, builtin-*.c, session.c, serve.c, cli.c)" \
	test -z "$(cd "$src" && ls ./*.c | grep -vE '^\./(main|builtin-[a-z]+|session|serve|cli)\.c$')"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cp "$src/model/"*.[ch] "$d/"
sed -i '0,/#include "model\/model.h"/s//#include "model\/model.h"\n#include "cli.h"/' "$d/snap.c"
is "$(upward "$d" model)" "snap.c: cli.h" "a model file including cli.h is caught"
done_testing
