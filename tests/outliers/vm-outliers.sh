#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Outlier capture end to end (tests/outliers/guest-outliers.sh in the test
# VM): the exits tdxtop captures are exactly those of the workload above the
# threshold, recomputed apart ("inject outliers"), in each vCPU's order,
# with the exit qualification, status, leaf and times the module fired;
# above the rate cap, records + capped + lost = outliers fired; in auto
# mode each record lies above its key's p99.9 of an interval before.
. "$(dirname "$0")/../lib.sh"
vm_test 11 outliers-vm tests/outliers/guest-outliers.sh outliers "the outlier cases" || exit 0
wl=$top/tests/e2e/workloads/outliers.wl
I=$OUTPUT/tests/e2e/inject

# "vm vcpu index reason leaf status guest host restore" of what tdxtop captured,
# VM index from the pids the injector printed, in TSC order per vCPU
captured() {
	jq -r --slurpfile p <(awk '{ print "{\"" $4 "\": " $2 "}" }' "$2" | jq -s add) '
		.outliers[] | [$p[0][.pid | tostring], .vcpu, .exit_qual, .reason_code,
		 .leaf_code, .status_raw, .guest_ns, (.host_ns // -1), .restore_ns] |
		map(tostring) | join(" ")' "$1"
}
f=$out/fixed
mult=$(jq -s '.[0].tsc.mult' "$f/live.json" 2>/dev/null) shift=$(jq -s '.[0].tsc.shift' "$f/live.json" 2>/dev/null)
want=$("$I" outliers "$wl" 2 2 "$mult" "$shift" 50000 | sort -n -k1,1 -k2,2 -k3,3)
got=$(captured "$f/live.json" "$f/pids.txt" | sort -n -k1,1 -k2,2 -k3,3)
diag "fixed: $(wc -l <<<"$want") of 20000 exits above 50us in the guest"
check "--outliers guest=50us: exactly the exits above it, each with its exit qualification, reason, leaf, raw status and three times" \
	test -n "$want" -a "$got" = "$want"
# per vCPU, in TSC order, the exit indexes rise
order=$(jq -r '.outliers[] | "\(.pid)/\(.vcpu) \(.exit_qual)"' "$f/live.json" |
	awk '{ if ($1 in last && $2 <= last[$1]) bad++; last[$1] = $2 } END { print bad + 0 }')
is "$order" 0 "in the order the vCPUs fired them"
is "$(jq -s '[.[].outlier_capture | .capped + .lost] | add' "$f/live.json")" 0 "none capped or lost"
check "report -j of the -w recording holds the same outliers" \
	test "$(captured "$f/report.json" "$f/pids.txt" | sort -n -k1,1 -k2,2 -k3,3)" = "$want"
is "$(grep -c '^[0-9:.]\{15\} ' "$f/report.txt")" "$(wc -l <<<"$want")" "report (text) lists each of them"
is "$(cat "$f/rc") $(cat "$f/live.err")" "0 " "live: exit 0, nothing on stderr"

c=$out/cap
# each tdxtop calibrates the TSC itself: this run's conversion
mult=$(jq -s '.[0].tsc.mult' "$c/live.json" 2>/dev/null) shift=$(jq -s '.[0].tsc.shift' "$c/live.json" 2>/dev/null)
n=$("$I" outliers "$wl" 2 2 "$mult" "$shift" 4000 | wc -l)
read -r sent capped lost recs secs < <(jq -s '[([.[].outlier_capture.sent] | add),
	([.[].outlier_capture.capped] | add), ([.[].outlier_capture.lost] | add),
	([.[].outliers | length] | add), length] | @tsv' -r "$c/live.json")
diag "cap: $n outliers fired, $sent sent, $capped capped, $lost lost, over $secs intervals"
is "$((sent + capped + lost))" "$n" "--outlier-rate 50: sent + capped + lost = the $n outliers fired"
check "every record sent is read, and no more than 50 a second were ($sent in $secs intervals)" \
	test "$recs" = "$sent" -a "$sent" -le $((50 * (secs + 1))) -a "$capped" -gt 0

a=$out/auto
# each record above its key's p99.9 (the metric it is over) in one of the two intervals before
bad=$(jq -s '
	. as $all |
	([$all | to_entries[] | .key as $i | .value.rows[] | select(.kind == "exit") |
	  {("\($i) \(.pid) \(.reason_code) \(.leaf_code) \(.status_code)"):
	   {guest: .guest_ns.p999, host: .host_ns.p999, restore: .restore_ns.p999}}] | add // {}) as $p |
	[$all | to_entries[] | .key as $i | .value.outliers[] | . as $o | .over[] as $m |
	 [1, 2] | map($p["\($i - .) \($o.pid) \($o.reason_code) \($o.leaf_code) \($o.status_raw / 4294967296 | floor)"][$m]) |
	 map(select(. != null and $o[$m + "_ns"] > .)) | select(length == 0)] | length' "$a/live.json")
total=$(jq -s '[.[].outliers | length] | add' "$a/live.json")
diag "auto: $total records"
check "--outliers auto: records are captured, each above its key's p99.9 of an interval before" \
	test "$total" -gt 0 -a "$bad" = 0
is "$(jq -s '[.[0].outliers | length] | add' "$a/live.json")" 0 "auto: nothing in the first interval, before any p99.9"
[ "$_failed" = 0 ] || tail -20 "$out/vm.log" | sed 's/^/# /'
done_testing
