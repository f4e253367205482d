#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs every test of tdxtop.  Each test prints TAP; this prints it, counts it
# and ends with exactly one line "N passed, N failed, N skipped".  A test whose
# precondition is missing prints "ok N # SKIP reason"; with TDXTOP_NO_SKIP=1
# (CI) every skip counts as a failure.  TESTS="a b" runs only those.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
export OUTPUT=${OUTPUT:-$top/build}
export TDXTOP_TOP=$top

all_tests="
	$OUTPUT/tests/unit/test_hist
	$OUTPUT/tests/unit/test_snap
	$OUTPUT/tests/unit/test_group
	$OUTPUT/tests/unit/test_selfcost
	$OUTPUT/tests/unit/test_decode
	$OUTPUT/tests/unit/test_sanitize
	$OUTPUT/tests/unit/test_output
	$OUTPUT/tests/unit/test_hlog
	$OUTPUT/tests/unit/test_html
	$OUTPUT/tests/unit/test_tui
	$OUTPUT/tests/unit/test_stats
	$OUTPUT/tests/unit/test_record
	$OUTPUT/tests/unit/test_jsonw
	$OUTPUT/tests/unit/test_prom
	tests/unit/json.sh
	tests/unit/names.sh
	tests/unit/decode.sh
	tests/unit/kerneldoc.sh
	tests/unit/layers.sh
	tests/cli/errors.sh
	tests/cli/completion.sh
	tests/cli/install.sh
	tests/cli/deb.sh
	$OUTPUT/tests/bpf/test_bpf
	tests/record/record.sh
	tests/record/hlog.sh
	tests/record/report-tui.sh
	tests/report/html.sh
	tests/report/lint.sh
	tests/serve/serve.sh
	tests/serve/rules.sh
	tests/fuzz/check.sh
	tests/hardening/tui.sh
	tests/kernel/series.sh
	tests/kernel/build.sh
	tests/kernel/bisect.sh
	tests/kernel/hotpath.sh
	tests/kernel/boot.sh
	tests/kernel/kunit.sh
	tests/e2e/e2e.sh
	tests/record/vm-record.sh
	tests/kvm/vm-kvm.sh
	tests/stock/vm-stock.sh
	tests/check/vm-check.sh
	tests/outliers/vm-outliers.sh
	tests/serve/vm-serve.sh
	tests/hardening/vm-faults.sh
	tests/tui/tui.sh
"
tests=${TESTS:-$all_tests}

pass=0 fail=0 skipped=0
cd "$top" || exit 1
for t in $tests; do
	name=${t#"$OUTPUT"/}
	echo "# --- $name"
	log=$(mktemp)
	start=$(date +%s)
	if [ -x "$t" ]; then
		"$t" >"$log" 2>&1 </dev/null
		rc=$?
	else
		echo "not ok 1 - $name is not executable" >"$log"
		rc=1
	fi
	cat "$log"
	p=$(grep -cE '^ok [0-9]+( |$)' "$log" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+ # SKIP' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
	p=$((p - s))
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$log" | cut -d. -f3)
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=$((f + 1))
	fi
	if [ -n "$plan" ] && [ $((p + s + f)) -lt "$plan" ]; then
		echo "not ok - $name planned $plan tests, ran $((p + s + f))"
		f=$((f + 1))
	fi
	if [ "${TDXTOP_NO_SKIP:-0}" = 1 ] && [ "$s" -gt 0 ]; then
		echo "# TDXTOP_NO_SKIP=1: $s skip(s) in $name count as failures"
		f=$((f + s))
		s=0
	fi
	echo "# $name: $p passed, $f failed, $s skipped ($(( $(date +%s) - start ))s)"
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
	rm -f "$log"
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
