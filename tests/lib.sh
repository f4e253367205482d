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

# vm_cpus LOG: "N CPUs online (LIST)" as the guest's init said it in LOG
vm_cpus() {
	sed -n 's/.*CPUs online \([^ ]*\) (\([0-9]*\) of .*/\2 CPUs online (\1)/p' "$1" | head -1
}

# vm_test N NAME GUEST_SCRIPT PREFIX WHAT: a test of N points in the test VM.
# Plans N (all skipped without root: then returns 1, and the caller exits),
# builds the injector module, runs GUEST_SCRIPT (a path from the top) in the
# VM (tests/e2e/vm.sh) with its files in $out = $OUTPUT/NAME, shows the
# guest's "PREFIX:" and "guest:" lines, and passes the first point when the
# VM ran WHAT and powered off.  VM_CPUS: the VM's CPUs (2); VM_APPEND: more
# kernel parameters (tests/e2e/vm.sh).
vm_test() {
	local n=$1 name=$2 script=$3 prefix=$4 what=$5 start rc i

	plan "$n"
	out=$OUTPUT/$name
	if [ "$(id -u)" != 0 ]; then
		for i in $(seq "$n"); do skip "needs root"; done
		return 1
	fi
	make -s -C "$top" kmod >"$OUTPUT/kmod.log" 2>&1 || { sed 's/^/# /' "$OUTPUT/kmod.log" | tail; }
	rm -rf "$out"
	mkdir -p "$out"
	start=$(date +%s)
	"$top/tests/e2e/vm.sh" -t 900 -c "${VM_CPUS:-2}" -m 2048 -o "$out" "$top/$script" \
		>"$out/vm.log" 2>&1
	rc=$?
	grep -E "^($prefix|guest):" "$out/vm.log" | sed 's/^/# /'
	is "$rc" 0 "the VM ran $what on $(vm_cpus "$out/vm.log") and powered off ($(( $(date +%s) - start ))s)"
	return 0
}
