#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The real `tdxtop serve` in the test VM, scraped by a real Prometheus
# (tests/serve/guest-serve.sh): the total exits Prometheus holds equal the
# ftrace hist trigger's count; histogram_quantile(0.99) lies in the bucket
# of the exact p99 (tests/e2e/inject expect); promtool is clean on a scrape;
# bad requests get their HTTP error and the endpoint keeps serving; the
# recording rules load and evaluate, and every query of the Grafana
# dashboard (panels and variables) returns data without error.
. "$(dirname "$0")/../lib.sh"
vm_test 11 serve-vm tests/serve/guest-serve.sh serve "tdxtop serve and Prometheus" || exit 0

hits=$(cat "$out/hits" 2>/dev/null)
check "the injector fired exits (hist trigger: ${hits:-none})" [ "${hits:-0}" -gt 0 ]
is "$(cat "$out/prom-exits" 2>/dev/null)" "$hits" \
	"Prometheus: sum(tdxtop_exits_total) equals the hist trigger's count"

# the exact p99 of td0's HLT exits, and the bounds of its Prometheus bucket
p99=$(jq '[.[] | select(.vm == 0 and .kind == "exit" and .reason_code == 12)][0].guest.p99' \
	"$out/expect.json" 2>/dev/null)
q=$(cat "$out/prom-p99" 2>/dev/null)
check "histogram_quantile(0.99) of td0's HLT guest time ($q s) lies in the bucket of the exact p99 ($p99 ns)" \
	awk -v p="$p99" -v q="$q" 'BEGIN {
		if (p == "" || p == "null" || q == "") exit 1
		hi = 32; while (hi <= p) hi *= 2	# p < hi: le = hi - 1 ns
		lo = hi / 2 - 1; if (hi == 32) lo = 0
		exit !(q * 1e9 >= lo - 1e-3 && q * 1e9 <= hi - 1 + 1e-3) }'

is "$(cat "$out/promtool.rc" 2>/dev/null):$(cat "$out/promtool.txt" 2>/dev/null)" "0:" \
	"promtool check metrics is clean on a scrape of the live endpoint"
is "$(cat "$out/http-404" "$out/http-431" "$out/http-after" 2>/dev/null | tr '\n' ' ')" \
	"404 431 200 " "unknown path 404, huge headers 431, then still serving"

rules=$(jq -r '[.data.groups[].rules[] | .health] | unique | join(",")' "$out/rules.json" 2>/dev/null)
n=$(jq '[.data.groups[].rules[]] | length' "$out/rules.json" 2>/dev/null)
is "$rules:$n" "ok:8" "contrib/prometheus/tdxtop.rules.yml: 8 rules load and evaluate healthy"
check "the recording rule tdxtop:exits:rate1m has data" \
	test "$(jq '.data.result | length' "$out/rule-rate.json" 2>/dev/null)" -gt 0
n=0 bad=
while IFS=$'\t' read -r title expr; do
	n=$((n + 1))
	r=$(jq -r '"\(.status) \(.data | if type == "array" then length else .result | length end)"' \
		"$out/query-$n.json" 2>/dev/null)
	case $r in "success 0" | "" | error*) bad="$bad[$title: ${r:-no answer}] " ;; esac
done <"$out/queries.tsv"
check "every query of contrib/grafana/tdxtop.json (panels and variables) returns data (${n} queries)" \
	test "$n" -gt 10 -a -z "$bad"
[ -n "$bad" ] && diag "$bad"
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
