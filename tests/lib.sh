# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Helpers for the shell tests: TAP output and shared paths.

top=${TDXTOP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
OUTPUT=${OUTPUT:-$top/build}
TDXTOP_CACHE=${TDXTOP_CACHE:-/var/cache/tdxtop}
LINUX_TARBALL=/usr/src/linux-source-7.2.tar.xz
_n=0
_failed=0

plan() { echo "1..$1"; }
pass() { _n=$((_n + 1)); echo "ok $_n - $*"; }
fail() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
diag() { echo "# $*"; }
# check DESCRIPTION COMMAND...: pass when the command succeeds
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; diag "got '$1', want '$2'"; fi
}
done_testing() { [ "$_failed" = 0 ]; }

# extract_linux DIR FILE...: files of the pristine 7.2 source into DIR
extract_linux() {
	local dir=$1; shift
	local f args=()
	for f in "$@"; do args+=("linux-source-7.2/$f"); done
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xJf "$LINUX_TARBALL" "${args[@]}"
}
