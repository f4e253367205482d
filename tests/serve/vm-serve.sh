#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The real `tdxtop serve` in the test VM, scraped by two real Prometheus
# servers, native histograms on (protobuf) and off (text), at once
# (tests/serve/guest-serve.sh): the total exits each holds equal the ftrace
# hist trigger's count; histogram_quantile(0.99) lies in the bucket of the
# exact p99 (tests/e2e/inject expect-host), classic and native; each holds
# exactly the scrape's series, within the budget; promtool is clean on a
# scrape; bad requests get their HTTP error and the endpoint keeps serving;
# the recording rules load and evaluate, and every query of the Grafana
# dashboard (panels and variables) returns data without error, on both.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/prom-lib.sh"
vm_test 17 serve-vm tests/serve/guest-serve.sh serve "tdxtop serve and Prometheus" || exit 0

hits=$(cat "$out/hits" 2>/dev/null)
check "the injector fired exits (hist trigger: ${hits:-none})" [ "${hits:-0}" -gt 0 ]
is "$(cat "$out/prom-exits" 2>/dev/null):$(cat "$out/promn-exits" 2>/dev/null)" "$hits:$hits" \
	"Prometheus, classic and native: sum(tdxtop_exits_total) equals the hist trigger's count"

# the exact p99 of both TDs' HLT exits, and the bounds of its Prometheus bucket
p99=$(jq '[.[] | select(.vm == 0 and .kind == "exit" and .reason_code == 12)][0].guest.p99' \
	"$out/expect.json" 2>/dev/null)
q=$(cat "$out/prom-p99" 2>/dev/null)
check "classic histogram_quantile(0.99) of HLT guest time ($q s) lies in the bucket of the exact p99 ($p99 ns)" \
	awk -v p="$p99" -v q="$q" 'BEGIN {
		if (p == "" || p == "null" || q == "") exit 1
		hi = 32; while (hi <= p) hi *= 2	# p < hi: le = hi - 1 ns
		lo = hi / 2 - 1; if (hi == 32) lo = 0
		exit !(q * 1e9 >= lo - 1e-3 && q * 1e9 <= hi - 1 + 1e-3) }'
# native: tdxtop's bucket of p99 ([lo, lo + lo/16) at most), widened by one
# native bucket (2^(1/16)) each way
q=$(cat "$out/promn-p99" 2>/dev/null)
check "native histogram_quantile(0.99) of HLT guest time ($q s) within tdxtop's and one native bucket of $p99 ns" \
	awk -v p="$p99" -v q="$q" 'BEGIN {
		if (p == "" || p == "null" || q == "") exit 1
		b = 2 ^ (1 / 16); w = 1; while (w * 32 <= p) w *= 2
		lo = int(p / w) * w; hi = lo + w
		exit !(q * 1e9 >= lo / b && q * 1e9 <= hi * b) }'

# the budget at this test's 2 TDs: what Prometheus holds is the scrape's
# series (text: lines; protobuf: one per metric), under 2,000
cs=$(grep -vc '^#' "$out/scrape.txt" 2>/dev/null)
ns=$(pb_decode "$out/scrape.pb" 2>/dev/null | grep -c '^metric {')
is "$(cat "$out/prom-series" 2>/dev/null)" "$cs" \
	"classic: count({__name__=~\"tdxtop_.*\"}) is the scrape's $cs series"
is "$(cat "$out/promn-series" 2>/dev/null)" "$ns" \
	"native: count({__name__=~\"tdxtop_.*\"}) is the protobuf scrape's $ns series"
check "both within the budget of 2,000 series per host ($cs classic, $ns native)" \
	[ "${cs:-9999}" -le 2000 ] && [ "${ns:-9999}" -le 2000 ] && [ "${ns:-0}" -gt 0 ]

is "$(cat "$out/promtool.rc" 2>/dev/null):$(cat "$out/promtool.txt" 2>/dev/null)" "0:" \
	"promtool check metrics is clean on a scrape of the live endpoint"
is "$(cat "$out/http-404" "$out/http-431" "$out/http-after" 2>/dev/null | tr '\n' ' ')" \
	"404 431 200 " "unknown path 404, huge headers 431, then still serving"

for f in rules rules-native; do
	rules=$(jq -r '[.data.groups[].rules[] | .health] | unique | join(",")' "$out/$f.json" 2>/dev/null)
	n=$(jq '[.data.groups[].rules[]] | length' "$out/$f.json" 2>/dev/null)
	is "$rules:$n" "ok:9" "contrib/prometheus/tdxtop.rules.yml: 9 rules load and evaluate healthy ($f)"
done
check "the recording rule tdxtop:exits:rate1m has data" \
	test "$(jq '.data.result | length' "$out/rule-rate.json" 2>/dev/null)" -gt 0
for sfx in "" .native; do
	n=0 bad=
	while IFS=$'\t' read -r title expr; do
		n=$((n + 1))
		r=$(jq -r '"\(.status) \(.data | if type == "array" then length else .result | length end)"' \
			"$out/query-$n$sfx.json" 2>/dev/null)
		case $r in "success 0" | "" | error*) bad="$bad[$title: ${r:-no answer}] " ;; esac
	done <"$out/queries.tsv"
	check "every query of contrib/grafana/tdxtop.json (panels and variables) returns data (${n} queries, ${sfx:-.classic} histograms)" \
		test "$n" -gt 10 -a -z "$bad"
	[ -n "$bad" ] && diag "$bad"
done
# started with CAP_BPF and CAP_PERFMON only (0xc000000000: bits 38, 39), as
# tdxtop.service does: the bounding set shows it (no CAP_SETPCAP to empty
# it), and once attached the effective set is empty
caps=$(tr -d '\t ' <"$out/nobody.caps" 2>/dev/null | tr '\n' ' ')
is "$(cat "$out/nobody.rc" 2>/dev/null):$(grep -c '^tdxtop_build_info' "$out/nobody.txt" 2>/dev/null):$caps" \
	"0:1:CapEff:0000000000000000 CapBnd:000000c000000000 " \
	"as nobody given CAP_BPF and CAP_PERFMON only (tdxtop.service's set): loads, serves, then holds none"
is "$(cat "$out/serve.rc" 2>/dev/null)" 0 "tdxtop serve: SIGTERM, exit 0"
[ "$_failed" = 0 ] || { cat "$out/serve.err" 2>/dev/null | sed 's/^/# /'; tail -20 "$out/vm.log" | sed 's/^/# /'; }
done_testing
