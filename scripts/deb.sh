#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Builds the Debian package (debian/) from a copy of the working tree in
# OUT, with dpkg-buildpackage; the .deb lands in OUT.
# Usage: scripts/deb.sh OUT
set -eu
out=${1:?usage: deb.sh OUT}
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/tdxtop-$ver
rm -rf "$out"
mkdir -p "$src"
# the tree as it is, without build outputs or git
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
cd "$src"
# a make above us must not steer the package build (OUTPUT= would clean it)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES OUTPUT
if ! dpkg-buildpackage -b -us -uc >"$out/build.log" 2>&1; then
	echo "deb.sh: dpkg-buildpackage failed ($out/build.log):" >&2
	grep -E 'error|Error' "$out/build.log" | head -5 >&2
	exit 1
fi
ls "$out"/tdxtop_"$ver"_*.deb
