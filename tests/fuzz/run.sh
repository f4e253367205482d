#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs each libFuzzer harness (tests/fuzz/*.c, built by make fuzz-build)
# for FUZZ_SECS seconds from its seed corpus (tests/fuzz/corpus/NAME),
# printing TAP: ok when it ran its time without a crash, with the number
# of executions.  New inputs go to $OUTPUT/fuzz/corpus-NAME, crashes to
# $OUTPUT/fuzz/crash-NAME-*: a crash found is fixed and its input added to
# the seed corpus.  make check runs it with FUZZ_SECS=20 (tests/fuzz/check.sh).
# Usage: tests/fuzz/run.sh [NAME...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
secs=${FUZZ_SECS:-600}
names=${*:-$(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')}
n=0 failed=0
echo "1..$(wc -w <<<"$names")"
for f in $names; do
	n=$((n + 1))
	bin=$OUTPUT/fuzz/$f
	seeds=$top/tests/fuzz/corpus/$f
	work=$OUTPUT/fuzz/corpus-$f
	mkdir -p "$work"
	log=$OUTPUT/fuzz/$f.log
	# recordings need room (a seed of 512-byte pages is 10 KiB); the rest stays small
	max=4096
	[ "$f" = fuzz_recording ] && max=16384
	"$bin" -max_total_time="$secs" -max_len=$max -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUTPUT/fuzz/crash-$f-" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" = 0 ]; then
		echo "ok $n - $f: ${execs:-?} executions in ${secs}s (${rate:-?}/s), no crash"
	else
		failed=$((failed + 1))
		echo "not ok $n - $f: exit $rc after ${execs:-?} executions"
		grep -m3 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/# /'
		ls "$OUTPUT/fuzz/crash-$f-"* 2>/dev/null | sed 's/^/# input: /'
	fi
done
[ "$failed" = 0 ]
