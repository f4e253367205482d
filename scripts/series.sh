#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Maintainer helper: export the kernel series from a development tree (a git
# tree whose tag "base" is pristine linux-source-7.2, with the series as the
# commits base..HEAD) into kernel/patches/, with kernel/cover-letter.txt as
# the cover letter.  include/trace/events/tdx.h in this repository is the
# source of the header: it is copied into the tree and must be what patch
# 0001 adds (tests/kernel/series.sh checks that).
#
# Usage: scripts/series.sh export DEVTREE
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = export ] && [ -n "${2:-}" ] || {
	echo "usage: series.sh export DEVTREE" >&2
	exit 2
}
dev=$2

if ! cmp -s "$top/include/trace/events/tdx.h" "$dev/include/trace/events/tdx.h"; then
	echo "series.sh: $dev/include/trace/events/tdx.h differs from the repository's; commit the repository's copy into the series first" >&2
	exit 1
fi
if [ -n "$(git -C "$dev" status --porcelain --untracked-files=no)" ]; then
	echo "series.sh: $dev has uncommitted changes" >&2
	exit 1
fi

rm -f "$top"/kernel/patches/*.patch
mkdir -p "$top/kernel/patches"
git -C "$dev" format-patch -q --cover-letter --no-signature --zero-commit \
	--subject-prefix=PATCH -o "$top/kernel/patches" base..HEAD

cover=$(ls "$top"/kernel/patches/0000-*.patch)
subject=$(head -1 "$top/kernel/cover-letter.txt")
python3 - "$cover" "$top/kernel/cover-letter.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().split('\n', 2)
subject, body = text[0], text[2]
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', subject)
s = s.replace('*** BLURB HERE ***\n', body)
open(cover, 'w').write(s)
PY
ls "$top/kernel/patches"
