#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Build Linux 7.2 (Debian's linux-source-7.2) with tdxtop's series applied,
# out of tree, in a cache directory outside the repository.
#
#   $TDXTOP_CACHE/linux        git tree: tag "base" is the pristine source,
#                              HEAD is base + kernel/patches/*.patch
#   $TDXTOP_CACHE/build        O= directory of the patched build
#   $TDXTOP_CACHE/linux-base   worktree of "base" (hot-path comparison)
#   $TDXTOP_CACHE/build-base   O= directory of the unpatched tdx.o
#   $TDXTOP_CACHE/ccache       compiler cache
#   $TDXTOP_CACHE/kunit/linux  worktree: the series + tests/kernel/kunit's patch
#   $TDXTOP_CACHE/kunit/build  O= directory of that KUnit test kernel
#   $TDXTOP_CACHE/stock/linux  worktree: "base" (no series) + tests/kernel/stock
#   $TDXTOP_CACHE/stock/build  O= directory of that stock test kernel
#
# Only what changed is touched: the series is re-applied with git (which
# rewrites only files whose contents differ), the config is regenerated only
# when the fragment changes, and ccache serves repeated compilations.
#
# Usage: scripts/kernel.sh [build|base|env|variant NAME DIFF|bisect N|kunit|stock]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${TDXTOP_CACHE:-/var/cache/tdxtop}
tree=$cache/linux
out=$cache/build
jobs=${JOBS:-$(nproc)}
tarball=/usr/src/linux-source-7.2.tar.xz
frag=$top/kernel/tdxtop.config

export CCACHE_DIR=$cache/ccache
export CCACHE_BASEDIR=$cache
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
export GIT_AUTHOR_NAME=tdxtop GIT_AUTHOR_EMAIL=tdxtop@localhost
export GIT_COMMITTER_NAME=tdxtop GIT_COMMITTER_EMAIL=tdxtop@localhost
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

quiet=1
[ "${V:-0}" = 1 ] && quiet=0
kmake() {
	if [ $quiet = 1 ]; then
		make -s "$@"
	else
		make V=1 "$@"
	fi
}

say() { printf '  %-8s %s\n' "$1" "$2"; }

unpack_base() {
	[ -d "$tree/.git" ] && git -C "$tree" rev-parse -q --verify base >/dev/null && return
	[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (scripts/deps.sh kernel)" >&2; exit 1; }
	say UNPACK "$tarball"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -C "$tree.tmp" --strip-components=1 -xf "$tarball"
	git -C "$tree.tmp" init -q
	git -C "$tree.tmp" config core.autocrlf false
	git -C "$tree.tmp" config gc.auto 0
	git -C "$tree.tmp" add -A -f
	git -C "$tree.tmp" commit -q -m "Linux $(make -s -C "$tree.tmp" kernelversion) (linux-source-7.2)"
	git -C "$tree.tmp" tag base
	mv "$tree.tmp" "$tree"
}

# the patches that change code: the cover letter does not count
series_id() {
	find "$top/kernel/patches" -name '*.patch' ! -name '0000-*' | sort | xargs cat 2>/dev/null |
		sha1sum | cut -c1-16
}

apply_series() {
	local want have
	want=$(series_id)
	have=$(cat "$tree/.git/tdxtop-series" 2>/dev/null || true)
	[ "$want" = "$have" ] && return
	say SERIES "applying kernel/patches to $tree"
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f base
	git -C "$tree" clean -q -f -d
	git -C "$tree" checkout -q -B tdxtop base
	local p
	for p in "$top"/kernel/patches/0*.patch; do
		case ${p##*/} in 0000-*) continue ;; esac
		[ -f "$p" ] || continue
		if ! git -C "$tree" am -q "$p" >/dev/null 2>&1; then
			git -C "$tree" am --abort >/dev/null 2>&1 || true
			echo "kernel.sh: $(basename "$p") does not apply to linux-source-7.2" >&2
			exit 1
		fi
	done
	echo "$want" >"$tree/.git/tdxtop-series"
	: >"$out/.tdxtop-diag.log" 2>/dev/null || true
}

# configure SRC OUT: tinyconfig + fragment, only when the fragment changed
configure() {
	local src=$1 o=$2 want
	want=$(cat "$frag" | sha1sum | cut -c1-16)
	if [ -f "$o/.config" ] && [ "$(cat "$o/.tdxtop-config" 2>/dev/null)" = "$want" ]; then
		return
	fi
	say CONFIG "$o/.config"
	mkdir -p "$o"
	kmake -C "$src" O="$o" tinyconfig >/dev/null
	KCONFIG_CONFIG=$o/.config "$src"/scripts/kconfig/merge_config.sh -m -O "$o" \
		"$o/.config" "$frag" >/dev/null
	kmake -C "$src" O="$o" olddefconfig >/dev/null
	# every option the fragment asks for must have survived olddefconfig
	local bad=
	while IFS= read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		grep -qx "$line" "$o/.config" || bad="$bad ${line%%=*}"
	done <"$frag"
	if [ -n "$bad" ]; then
		echo "kernel.sh: config options not satisfiable:$bad" >&2
		exit 1
	fi
	echo "$want" >"$o/.tdxtop-config"
	: >"$o/.tdxtop-diag.log"
}

build() {
	deps
	unpack_base
	apply_series
	configure "$tree" "$out"
	say MAKE "bzImage modules in $out (-j$jobs)"
	# compiler and objtool diagnostics of every run since the series or the
	# config last changed, for tests/kernel/build.sh
	mkdir -p "$out"
	kmake -C "$tree" O="$out" -j"$jobs" CC="ccache gcc" bzImage modules \
		2> >(tee -a "$out/.tdxtop-diag.log" >&2)
	wait
	ln -sf "$out/arch/x86/boot/bzImage" "$cache/bzImage"
}

# The unpatched tdx.o of the same config, for the hot-path comparison.
base() {
	deps
	unpack_base
	if [ ! -d "$cache/linux-base" ]; then
		say WORKTREE "$cache/linux-base"
		git -C "$tree" worktree add -q -f --detach "$cache/linux-base" base
	fi
	configure "$tree" "$out"
	mkdir -p "$cache/build-base"
	if ! cmp -s "$out/.config" "$cache/build-base/.config"; then
		cp "$out/.config" "$cache/build-base/.config"
		kmake -C "$cache/linux-base" O="$cache/build-base" olddefconfig >/dev/null
	fi
	say MAKE "unpatched arch/x86/kvm/vmx/tdx.o in $cache/build-base"
	kmake -C "$cache/linux-base" O="$cache/build-base" -j"$jobs" CC="ccache gcc" \
		arch/x86/kvm/vmx/tdx.o
}

# tdx.o of the series plus DIFF, for the hot-path check's bad variants
variant() {
	local name=$1 diff=$2 wt=$cache/linux-variant o=$cache/build-variant
	deps
	unpack_base
	apply_series
	if [ ! -d "$wt" ]; then
		say WORKTREE "$wt"
		git -C "$tree" worktree add -q -f --detach "$wt" tdxtop
	fi
	git -C "$wt" checkout -q -f --detach tdxtop
	git -C "$wt" apply "$diff"
	configure "$tree" "$out"
	mkdir -p "$o" "$cache/variants"
	if ! cmp -s "$out/.config" "$o/.config"; then
		cp "$out/.config" "$o/.config"
		kmake -C "$wt" O="$o" olddefconfig >/dev/null
	fi
	say MAKE "arch/x86/kvm/vmx/tdx.o with $(basename "$diff") in $o"
	kmake -C "$wt" O="$o" -j"$jobs" CC="ccache gcc" arch/x86/kvm/vmx/tdx.o
	cp "$o/arch/x86/kvm/vmx/tdx.o" "$cache/variants/$name.o"
	git -C "$wt" checkout -q -f --detach tdxtop
}

# The kernel with the first N patches of the series: one step of the
# bisectability check, in the tree and build directory of the whole series
# (so ccache, keyed on the paths, serves what earlier steps compiled), and
# the tree back at the whole series afterwards: run "build" again to bring
# the build directory back.  Every file the series has changed so far is
# compiled again at the step (ccache replays warnings on a hit).  The
# step's compiler and objtool output goes to $out/.tdxtop-bisect-N.log.
bisect() {
	local n=$1 total rev
	deps
	unpack_base
	apply_series
	total=$(git -C "$tree" rev-list --count base..tdxtop)
	[ "$n" -ge 1 ] && [ "$n" -le "$total" ] || {
		echo "kernel.sh: bisect N: 1 to $total" >&2
		exit 2
	}
	rev=$(git -C "$tree" rev-parse "tdxtop~$((total - n))")
	configure "$tree" "$out"
	trap 'git -C "$tree" checkout -q -f tdxtop' EXIT
	git -C "$tree" checkout -q -f --detach "$rev"
	git -C "$tree" diff --name-only base "$rev" | (cd "$tree" && xargs -r touch)
	say MAKE "vmlinux at patch $n of $total ($(git -C "$tree" log -1 --format=%s))"
	kmake -C "$tree" O="$out" -j"$jobs" CC="ccache gcc" vmlinux 2>"$out/.tdxtop-bisect-$n.log"
}

# build_over WT O WHAT LINK: the bzImage of worktree WT in O, both mounted
# over the series' tree and build directory in a private mount namespace,
# so that the compiler sees the series build's paths and ccache serves
# every file whose preprocessed text is the same; LINK points at it
build_over() {
	local wt=$1 o=$2
	configure "$wt" "$o"
	say MAKE "$3 in $o (-j$jobs)"
	unshare --mount --propagation private -- sh -c '
		mount --bind "$1" "$3" && mount --bind "$2" "$4" &&
		exec make -s -C "$3" O="$4" -j"$5" CC="ccache gcc" bzImage' \
		sh "$wt" "$o" "$tree" "$out" "$jobs" 2>"$o/.tdxtop-diag.log" || {
		cat "$o/.tdxtop-diag.log" >&2
		exit 1
	}
	ln -sf "$o/arch/x86/boot/bzImage" "$4"
}

# The KUnit test kernel (tests/kernel/kunit.sh): the series plus
# tests/kernel/kunit/tdx-kunit.patch (TDH.VP.ENTER replaced by the suite's
# scripted stand-in; test build only) and tdx_kunit.c, with the series'
# config (which has the KUnit framework, CONFIG_KUNIT).  Its worktree and
# build directory are mounted over the series' own, in a private mount
# namespace, for the build: the paths the compiler sees are the series
# build's, so ccache serves every file whose preprocessed text is the same.
kunit() {
	local wt=$cache/kunit/linux o=$cache/kunit/build kdir=$top/tests/kernel/kunit want
	deps
	unpack_base
	apply_series
	if [ ! -d "$wt" ]; then
		say WORKTREE "$wt"
		mkdir -p "$cache/kunit"
		git -C "$tree" worktree add -q -f --detach "$wt" tdxtop
	fi
	want=$( (series_id; cat "$kdir/tdx-kunit.patch" "$kdir/tdx_kunit.c") | sha1sum | cut -c1-16)
	if [ "$(cat "$cache/kunit/.tdxtop-tree" 2>/dev/null)" != "$want" ]; then
		say KUNIT "applying tests/kernel/kunit to $wt"
		git -C "$wt" checkout -q -f --detach tdxtop
		git -C "$wt" apply "$kdir/tdx-kunit.patch"
		cp "$kdir/tdx_kunit.c" "$wt/arch/x86/kvm/vmx/tdx_kunit.c"
		echo "$want" >"$cache/kunit/.tdxtop-tree"
	fi
	build_over "$wt" "$o" "KUnit test kernel" "$cache/kunit/bzImage"
}

# The stock test kernel (tests/stock): linux-source-7.2 without the series,
# plus tests/kernel/stock/tdx-stock.patch (TDH.VP.ENTER replaced by a
# scripted stand-in, and a debugfs driver that runs the stock
# tdx_vcpu_run(); test build only), with the series' config.  Mounted over
# the series' tree and build directory for the build, as the KUnit kernel
# is: every file the series does not touch is a ccache hit.
stock() {
	local wt=$cache/stock/linux o=$cache/stock/build sdir=$top/tests/kernel/stock want
	deps
	unpack_base
	apply_series
	if [ ! -d "$wt" ]; then
		say WORKTREE "$wt"
		mkdir -p "$cache/stock"
		git -C "$tree" worktree add -q -f --detach "$wt" base
	fi
	want=$(cat "$sdir/tdx-stock.patch" "$sdir/tdx_stock.c" | sha1sum | cut -c1-16)
	if [ "$(cat "$cache/stock/.tdxtop-tree" 2>/dev/null)" != "$want" ]; then
		say STOCK "applying tests/kernel/stock to $wt"
		git -C "$wt" checkout -q -f --detach base
		git -C "$wt" clean -q -f -d
		git -C "$wt" apply "$sdir/tdx-stock.patch"
		cp "$sdir/tdx_stock.c" "$wt/arch/x86/kvm/vmx/tdx_stock.c"
		echo "$want" >"$cache/stock/.tdxtop-tree"
	fi
	build_over "$wt" "$o" "stock test kernel" "$cache/stock/bzImage"
}

deps() {
	"$top/scripts/deps.sh" kernel
}

case ${1:-build} in
build)	build ;;
base)	base ;;
variant) variant "$2" "$(realpath "$3")" ;;
bisect)	bisect "$2" ;;
kunit)	kunit ;;
stock)	stock ;;
env)	echo "TDXTOP_CACHE=$cache TREE=$tree BUILD=$out" ;;
*)	echo "usage: kernel.sh [build|base|env|variant NAME DIFF|bisect N|kunit|stock]" >&2; exit 2 ;;
esac
