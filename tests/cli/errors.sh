#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop's answers to bad input and to a machine it cannot work on:
# one line, the right exit status, JSON errors in JSON mode.
. "$(dirname "$0")/../lib.sh"

bin=$OUTPUT/tdxtop
plan 30

out=$("$bin" -h 2>&1); rc=$?
is "$rc" 0 "-h exits 0"
case $out in *USAGE:*EXAMPLES:*) pass "-h shows USAGE and EXAMPLES" ;; *) fail "-h shows USAGE and EXAMPLES" ;; esac

for args in "--bogus" "-g sideways" "-s nothing" "-p -5" "1 2 3" "0" \
	    "record -j" "record -w x.db" "record 1 2 3" "report" "report -g x a.db" "diff a.db" \
	    "diff --threshold -1 a -- b" "--outliers guest" "--outliers guest=1ms,guest=2ms" \
	    "--outliers cpu=1ms" "--outliers guest=-1ms" "--outlier-rate 10" \
	    "--outliers auto --outlier-rate 0" "serve --outliers auto" "report a.db b.db" \
	    "--source xen" "--source kvm --outliers auto" "serve --max-series lots" \
	    "serve --expire-after -1"; do
	"$bin" $args >/dev/null 2>"$OUTPUT/err.txt"; rc=$?
	if [ "$rc" = 2 ] && grep -q "^tdxtop\( [a-z]*\)\?: \|unrecognized option\|invalid option" "$OUTPUT/err.txt"; then
		pass "'tdxtop $args' is a usage error, exit 2"
	else
		fail "'tdxtop $args' is a usage error, exit 2 (got $rc)"
		cat "$OUTPUT/err.txt" | sed 's/^/# /'
	fi
done

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$bin" -b 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 1 ] && [ "$(echo "$msg" | wc -l)" = 1 ] &&
	   echo "$msg" | grep -q "CAP_BPF.*CAP_PERFMON"; then
		pass "without privileges: one line naming CAP_BPF and CAP_PERFMON, exit 1"
	else
		fail "without privileges: one line naming CAP_BPF and CAP_PERFMON, exit 1 (got $rc: $msg)"
	fi
else
	skip "needs root and setpriv to drop privileges"
fi

if [ "$(id -u)" != 0 ]; then
	skip "needs root"; skip "needs root"
elif [ -d /sys/kernel/tracing/events/tdx ] || [ -d /sys/kernel/debug/tracing/events/tdx ]; then
	skip "this kernel has the tdx events"; skip "this kernel has the tdx events"
else
	msg=$("$bin" -b 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 1 ] && [ "$(echo "$msg" | wc -l)" = 1 ] &&
	   echo "$msg" | grep -q "no tdx tracepoints.*make kernel"; then
		pass "on a kernel without tdx events: one line saying how to get them, exit 1"
	else
		fail "on a kernel without tdx events: one line saying how to get them, exit 1 (got $rc: $msg)"
	fi
	json=$("$bin" -j 2>/dev/null); rc=$?
	if [ "$rc" = 1 ] && echo "$json" | jq -e '.error | test("no tdx tracepoints")' >/dev/null; then
		pass "in JSON mode the error is {\"error\": ...} on stdout"
	else
		fail "in JSON mode the error is {\"error\": ...} on stdout (got $rc: $json)"
	fi
fi
done_testing
