#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The HTML report's script and page as real files: report.js parses
# (node --check) and passes ESLint 8.57.0 (npm, its recommended rules and
# tools/tdxtop/output/.eslintrc.json), which also rejects a copy with a fault; a
# page tdxtop writes holds report.js and report.css byte for byte, and its
# CSP names exactly that script's SHA-256.
. "$(dirname "$0")/../lib.sh"
plan 6
js=$top/tools/tdxtop/output/report.js
cfg=$top/tools/tdxtop/output/.eslintrc.json
node_dir=$TDXTOP_CACHE/node
eslint=$node_dir/node_modules/.bin/eslint
d=$(mktemp -d /tmp/tdxtop-lint.XXXXXX)
trap 'rm -rf "$d"' EXIT

check "node --check: report.js parses" node --check "$js"
if [ ! -x "$eslint" ] || [ "$("$eslint" --version)" != v8.57.0 ]; then
	mkdir -p "$node_dir"
	(cd "$node_dir" && npm install --no-audit --no-fund --silent eslint@8.57.0) \
		>"$OUTPUT/npm-eslint.log" 2>&1
fi
out=$("$eslint" --no-eslintrc -c "$cfg" "$js" 2>&1); rc=$?
is "$rc $out" "0 " "ESLint $("$eslint" --version 2>/dev/null): report.js has no finding"
sed 's/^const COL = /let unused = 1;\nconst COL = /' "$js" >"$d/bad.js"
"$eslint" --no-eslintrc -c "$cfg" "$d/bad.js" >"$d/bad.out" 2>&1
check "... and it finds the fault in a copy with an unused variable" \
	grep -q "'unused' is assigned a value but never used" "$d/bad.out"

# a page: the assets as they are, the CSP naming the script
if [ "$(id -u)" != 0 ]; then
	for i in 4 5 6; do skip "needs root (BPF)"; done
	exit 0
fi
"$OUTPUT/tests/record/gen" "$d/r.db" 5 3 >/dev/null
"$OUTPUT/tdxtop" report --html "$d/r.html" "$d/r.db"
python3 - "$d/r.html" "$d" <<'PY'
import sys
page = open(sys.argv[1], 'rb').read()
start = page.rindex(b'<script>') + len(b'<script>')
open(sys.argv[2] + '/script.js', 'wb').write(page[start:page.index(b'</script>', start)])
start = page.index(b'<style>') + len(b'<style>')
open(sys.argv[2] + '/style.css', 'wb').write(page[start:page.index(b'</style>', start)])
PY
check "the page's script element is report.js, byte for byte" cmp -s "$d/script.js" "$js"
check "the page's style element is report.css, byte for byte" \
	cmp -s "$d/style.css" "$top/tools/tdxtop/output/report.css"
hash=$(openssl dgst -sha256 -binary "$d/script.js" | base64)
is "$(grep -o "script-src [^;]*;" "$d/r.html")" "script-src 'sha256-$hash';" \
	"the CSP lets only that script run: its SHA-256 (openssl), no 'unsafe-inline'"
done_testing
