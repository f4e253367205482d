#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make install into a temporary prefix: every file in place, the installed
# binary runs, and tdxtop.service passes systemd-analyze verify, with its
# systemd-analyze security exposure reported.
. "$(dirname "$0")/../lib.sh"
plan 5
p=$(mktemp -d /tmp/tdxtop-install.XXXXXX)
trap 'rm -rf "$p"' EXIT
make -s -C "$top" install PREFIX="$p" SYSCONFDIR="$p/etc" >"$p.log" 2>&1
is "$?" 0 "make install PREFIX=$p"
files=$(cd "$p" && find . -type f | sort | tr '\n' ' ')
is "$files" "./etc/default/tdxtop ./lib/systemd/system/tdxtop.service ./sbin/tdxtop ./share/bash-completion/completions/tdxtop ./share/man/man8/tdxtop.8 " \
	"binary, man page, completion, unit and its options file"
check "the installed tdxtop -h prints its usage" grep -q '^USAGE: tdxtop' <<<"$("$p/sbin/tdxtop" -h 2>&1)"
unit=$p/lib/systemd/system/tdxtop.service
v=$(MANPATH=$p/share/man systemd-analyze verify "$unit" 2>&1)
is "$?:$v" "0:" "systemd-analyze verify tdxtop.service is clean"
score=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
	sed -n 's/.*Overall exposure level for tdxtop.service: \([0-9.]*\) .*/\1/p')
check "systemd-analyze security: exposure ${score:-?} (of 10; at most 2.0)" \
	awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
rm -f "$p.log"
done_testing
