#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Install, with apt-get, exactly what tdxtop's build and tests need and is
# missing.  Silent when everything is present.  Debian's trixie-backports
# suite is added, from the mirror the machine's apt sources already use,
# with a priority-100 pin so that only linux-source-7.2 is taken from it.
#
# Usage: scripts/deps.sh [build|test|kernel|all]   (default: all)
set -eu

want=${1:-all}

pkgs_build="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libncurses-dev libsqlite3-dev libmicrohttpd-dev libcap-ng-dev libprotobuf-c-dev
	protobuf-c-compiler pkg-config"
pkgs_test="jq tmux protobuf-compiler libjson-c-dev libvterm-dev sqlite3 curl openssl strace valgrind prometheus bash-completion libclang-rt-14-dev
	debhelper dpkg-dev lintian chromium python3-pil"
pkgs_kernel="linux-source-7.2 flex bison bc libssl-dev dwarves ccache cpio kmod
	xz-utils python3 qemu-system-x86 bpftrace linux-perf"

case $want in
build)	pkgs=$pkgs_build ;;
test)	pkgs="$pkgs_build $pkgs_test" ;;
kernel)	pkgs=$pkgs_kernel ;;
all)	pkgs="$pkgs_build $pkgs_test $pkgs_kernel" ;;
*)	echo "deps.sh: unknown set '$want' (build|test|kernel|all)" >&2; exit 2 ;;
esac

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing="$missing $p"
done
# npm (tests/record/hlog.sh fetches an HdrHistogram decoder with it): the
# machine's own Node.js when there is one, else Debian's
case " $pkgs " in
*" jq "*) command -v npm >/dev/null || missing="$missing nodejs npm" ;;
esac
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi

log=$(mktemp /tmp/tdxtop-deps.XXXXXX)
trap 'rm -f "$log"' EXIT

# The Debian archive this machine already uses (its apt sources name it):
# backports come from the same mirror, and no host is named here.
archive_uri() {
	local codename f
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || return 0
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822 stanzas: the one for this release's main component
		awk -v c="$codename" 'BEGIN { RS = "" }
			{
				suites = uris = ""
				n = split($0, l, "\n")
				for (i = 1; i <= n; i++) {
					if (l[i] ~ /^Suites:/) suites = " " substr(l[i], 8) " "
					if (l[i] ~ /^URIs:/) { uris = substr(l[i], 6); gsub(/^[ \t]+/, "", uris) }
				}
				if (index(suites, " " c " ") && uris != "") { split(uris, u, /[ \t]+/); print u[1] }
			}' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v c="$codename" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
			if ($i ~ /^\[/ || $i ~ /\]$/) i++
			if ($(i + 1) == c) print $i }'
}

case " $missing " in
*" linux-source-7.2 "*)
	src=/etc/apt/sources.list.d/tdxtop-trixie-backports.sources
	pin=/etc/apt/preferences.d/tdxtop-trixie-backports
	if [ ! -f "$src" ]; then
		uri=$(archive_uri | grep -v -- '-security' | head -1)
		if [ -z "$uri" ]; then
			echo "deps.sh: no Debian archive for this release in the apt sources;" \
			     "add trixie-backports (main) to apt and run again" >&2
			exit 1
		fi
		cat >"$src" <<EOS
Types: deb
URIs: $uri
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	fi
	if [ ! -f "$pin" ]; then
		cat >"$pin" <<'EOS'
Package: *
Pin: release n=trixie-backports
Pin-Priority: 100
EOS
	fi
	;;
esac

export DEBIAN_FRONTEND=noninteractive
if ! apt-get update >"$log" 2>&1; then
	echo "deps.sh: apt-get update failed while installing:$missing" >&2
	exit 1
fi
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing >>"$log" 2>&1; then
	echo "deps.sh: apt-get install failed for:$missing ($(grep -m1 '^E:' "$log"))" >&2
	exit 1
fi
