#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop's JSON (docs/json.md), read back with jq.
. "$(dirname "$0")/../lib.sh"
s=$OUTPUT/tests/unit/json_sample
plan 9
jqe() { jq -e "$@" >/dev/null; }
j=$("$s" reason)
check "one JSON object per interval, parsed by jq" jqe 'type == "object"' <<<"$j"
check "the interval's header fields" \
	jqe '.interval_s == 1 and .source == "tdx" and .group_by == "reason" and .events == 109' <<<"$j"
check "tsc conversion in use" jqe '.tsc == {"mult": 6990506, "shift": 24, "source": "perf"}' <<<"$j"
check "drops are shown, never silent; filtered and host_skew apart" \
	jqe '.drops == {"stats_full": 3, "hist_full": 0, "vcpu_full": 0, "missed": 0} and .filtered == 0 and .host_skew == 0' <<<"$j"
check "a MapGPA row: decoded leaf, reason and status, numeric codes" \
	jqe '.rows[] | select(.leaf == "MapGPA") | .reason == "TDCALL" and .reason_code == 77 and .status == "SUCCESS" and .status_code == 0 and .leaf_code == 65537 and .label == "TDCALL:MapGPA"' <<<"$j"
check "guest_ns: n, sum, min, max and percentiles from the histogram" \
	jqe '.rows[] | select(.leaf == "MapGPA") | .guest_ns | .n == 100 and .sum == 149500 and .min == 1000 and .max == 1990 and (.p50 - 1490 | fabs) <= 1490 / 32 and .p999 <= 1990' <<<"$j"
check "a failed entry: OPERAND_BUSY with reason -1" \
	jqe '.rows[] | select(.status == "OPERAND_BUSY") | .reason_code == -1 and .label == "FAILED(OPERAND_BUSY)" and .count == 7' <<<"$j"
check "user-return restore row: MSR mask and cost" \
	jqe '.rows[] | select(.kind == "uret") | .msrs == 15 and .cost_ns.sum == 900 and (.label | test("STAR,LSTAR,SYSCALL_MASK,TSC_AUX"))' <<<"$j"
check "per-vCPU rows carry the vCPU and no percentiles" \
	jqe '[.rows[] | select(.kind == "exit")] | all(has("vcpu") and (.guest_ns | has("p50") | not))' <<<"$("$s" vcpu)"
done_testing
