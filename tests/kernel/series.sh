#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# kernel/patches: applies to Debian's linux-source-7.2, checkpatch --strict
# clean patch by patch, carries include/trace/events/tdx.h as it is in this
# repository, and has commit messages that explain themselves.
. "$(dirname "$0")/../lib.sh"

patches=("$top"/kernel/patches/0[0-9][0-9][0-9]-*.patch)
series=("${patches[@]:1}")	# without the cover letter
plan $((5 + 2 * ${#series[@]}))

if [ ! -f "$LINUX_TARBALL" ]; then
	for i in $(seq $((4 + 2 * ${#series[@]}))); do skip "linux-source-7.2 not installed"; done
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check "cover letter and at least 4 patches" \
	test "${patches[0]##*/}" = 0000-cover-letter.patch -a ${#series[@]} -ge 4
check "the cover letter has a subject, a body, and answers the 2021 objection" \
	bash -c "! grep -q '\*\*\*' '${patches[0]}' && grep -q 'proposed in 2021' '${patches[0]}'"

# the cover letter mailed is kernel/cover-letter.txt (scripts/series.sh puts it there)
body=$(awk 'NR > 1 && /^Subject:/ { on = 1; getline; next } on && /^tdxtop developers \(/ { exit } on' \
	"${patches[0]}")
check "the cover letter's subject and body are kernel/cover-letter.txt's" \
	test "$(sed -n 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //p' "${patches[0]}")" = \
	"$(head -1 "$top/kernel/cover-letter.txt")" -a "$body" = "$(tail -n +3 "$top/kernel/cover-letter.txt")"

# the header the series adds is the repository's, byte for byte
awk '/^diff --git a\/include\/trace\/events\/tdx.h/ { on = 1; next }
     on && /^diff --git/ { on = 0 }
     on && /^\+\+\+ / { hunk = 1; next }
     on && hunk && /^\+/ { print substr($0, 2) }' "${series[@]}" >"$tmp/tdx.h"
check "the series adds include/trace/events/tdx.h exactly as in this repository" \
	cmp -s "$tmp/tdx.h" "$top/include/trace/events/tdx.h"

# apply to the pristine files it touches, in order
files=$(grep -h '^+++ b/' "${series[@]}" | sed 's|^+++ b/||' | sort -u |
	grep -v '^include/trace/events/tdx.h$')
extract_linux "$tmp/linux" scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch $files
applied=0
for p in "${series[@]}"; do
	if (cd "$tmp/linux" && patch -p1 -s --dry-run <"$p" >/dev/null && patch -p1 -s <"$p" >/dev/null); then
		applied=$((applied + 1))
	else
		diag "$(basename "$p") does not apply"
	fi
done
is "$applied" "${#series[@]}" "all ${#series[@]} patches apply to linux-source-7.2"

for p in "${series[@]}"; do
	name=$(basename "$p")
	out=$(cd "$tmp/linux" && perl scripts/checkpatch.pl --strict --no-tree --quiet \
		--show-types "$p" 2>&1)
	sum=$(cd "$tmp/linux" && perl scripts/checkpatch.pl --strict --no-tree "$p" 2>&1 |
		grep -E '^total:')
	if [ -z "$out" ] && echo "$sum" | grep -q "total: 0 errors, 0 warnings, 0 checks"; then
		pass "$name: checkpatch --strict: 0 errors, 0 warnings, 0 checks"
	else
		fail "$name: checkpatch --strict: $sum"
		echo "$out" | head -20 | sed 's/^/# /'
	fi
	body=$(awk '/^$/ { b = 1; next } /^---$/ { exit } b' "$p" | grep -vc '^Signed-off-by:')
	if grep -q '^Signed-off-by: ' "$p" && [ "$body" -ge 5 ]; then
		pass "$name: signed off, with a message of $body lines saying why"
	else
		fail "$name: signed off, with a message saying why ($body lines)"
	fi
done
done_testing
