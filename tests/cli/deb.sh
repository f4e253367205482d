#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make deb: the Debian package builds with debhelper, lintian reports no
# error or warning, and the packaged tdxtop runs from an unpacked root.
. "$(dirname "$0")/../lib.sh"
plan 4
for c in dpkg-buildpackage dh lintian; do
	if ! command -v $c >/dev/null; then
		for i in $(seq 4); do skip "needs $c"; done
		exit 0
	fi
done
deb=$(make -s -C "$top" deb 2>&1 | tail -1)
check "make deb builds ${deb##*/}" test -f "$deb"
l=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges')
is "$(grep -cE '^[EW]: ' <<<"$l")" 0 "lintian: no errors, no warnings"
[ -n "$l" ] && diag "$l"
root=$(mktemp -d /tmp/tdxtop-deb.XXXXXX)
dpkg-deb -x "$deb" "$root"
check "the packaged tdxtop -h runs from the unpacked package" \
	grep -q '^USAGE: tdxtop' <<<"$("$root/usr/sbin/tdxtop" -h 2>&1)"
want="./etc/default/tdxtop ./lib/systemd/system/tdxtop.service ./usr/sbin/tdxtop
./usr/share/bash-completion/completions/tdxtop ./usr/share/man/man8/tdxtop.8.gz"
is "$(cd "$root" && ls -d $want 2>&1 | tr '\n' ' ')" "$(echo $want) " \
	"the package holds the binary, man page, completion, unit and its options"
rm -rf "$root"
done_testing
