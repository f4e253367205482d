#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/serve/vm-serve.sh): the real `tdxtop serve`
# on the real tdx tracepoints, scraped by Debian's Prometheus while the
# injector fires tests/serve/serve.wl for a while, beside the kernel's
# ftrace hist trigger.  Results go to /mnt/out for the host side.
set -u
T=/sys/kernel/tracing
ev=$T/events/tdx
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
. "$top/tests/serve/prom-lib.sh"
. "$top/tests/guest-lib.sh"
say() { echo "serve: [$(cut -d" " -f1 /proc/uptime)] $*"; }

ip link set lo up || { say "no loopback"; exit 1; }
insmod "$OUTPUT/kmod/tdx_inject.ko" || { say "insmod failed"; exit 1; }
cat "$top/tests/serve/serve.wl" >/sys/kernel/debug/tdx_inject/workload ||
	{ say "workload refused"; exit 1; }

echo 'hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"
# one TSC rate for serve and the expectations: under TCG each process's
# calibration differs by up to ~10%, the native buckets' error is 4.4%
"$X" -j 0.1 1 >"$out/tsc0.json" 2>/dev/null
khz=$(jq '(1000000 * pow(2; .tsc.shift) / .tsc.mult) | floor' "$out/tsc0.json")
"$X" serve --tsc-khz "$khz" --listen 127.0.0.1:9479 2>"$out/serve.err" &
srv=$!
wait_links 1 || say "serve did not attach"
say "tdxtop serve attached"

rules=$top/contrib/prometheus/tdxtop.rules.yml
# two Prometheus servers scrape it: native histograms on (protobuf), and
# off (text, classic buckets)
prom_start /tmp/promn 9091 127.0.0.1:9479 "$rules" --enable-feature=native-histograms ||
	say "prometheus (native) failed"
PROMN_PID=$PROM_PID PROMN_URL=$PROM_URL
prom_start /tmp/prom 9090 127.0.0.1:9479 "$rules" || say "prometheus failed"
prom_wait 'up{job="tdxtop"}' 1 120 || say "no scrape"
PROM_URL=$PROMN_URL prom_wait 'up{job="tdxtop"}' 1 120 || say "no native scrape"
say "prometheus scrapes"
cp /tmp/prom/prometheus.log "$out/" 2>/dev/null

# the workload, again every 100 ms for 8 s: rates for the panels
"$OUTPUT/tests/e2e/inject" run 2 2 td 8 >"$out/inject.txt"
hits=$(awk '/^ *Hits:/ { print $2 }' "$ev/tdx_vp_enter/hist")
echo "$hits" >"$out/hits"
say "injected: $hits exits (hist trigger)"
prom_wait 'sum(tdxtop_exits_total)' "$hits" 60
PROM_URL=$PROMN_URL prom_wait 'sum(tdxtop_exits_total)' "$hits" 60
say "prometheus has them"
prom_value 'sum(tdxtop_exits_total)' >"$out/prom-exits"
PROM_URL=$PROMN_URL prom_value 'sum(tdxtop_exits_total)' >"$out/promn-exits"
# HLT's guest time over both TDs (host-wide, the default cut)
prom_value 'histogram_quantile(0.99, sum by (le) (tdxtop_guest_seconds_bucket{reason="HLT"}))' \
	>"$out/prom-p99"
PROM_URL=$PROMN_URL prom_value 'histogram_quantile(0.99, sum(tdxtop_guest_seconds{reason="HLT"}))' \
	>"$out/promn-p99"
# the series each holds, against the budget
prom_value 'count({__name__=~"tdxtop_.*"})' >"$out/prom-series"
PROM_URL=$PROMN_URL prom_value 'count({__name__=~"tdxtop_.*"})' >"$out/promn-series"
# the exact p99 of that row, and the TSC conversion it needs
"$X" -j --tsc-khz "$khz" 0.1 1 >"$out/tsc.json" 2>/dev/null
"$OUTPUT/tests/e2e/inject" expect-host "$top/tests/serve/serve.wl" 2 2 \
	"$(jq .tsc.mult "$out/tsc.json")" "$(jq .tsc.shift "$out/tsc.json")" >"$out/expect.json"
say "expectations computed"
curl -sf http://127.0.0.1:9479/metrics >"$out/scrape.txt"
curl -sf -H 'Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited' \
	http://127.0.0.1:9479/metrics >"$out/scrape.pb"
promtool check metrics <"$out/scrape.txt" >"$out/promtool.txt" 2>&1
echo $? >"$out/promtool.rc"
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:9479/nope >"$out/http-404"
curl -s -o /dev/null -w '%{http_code}\n' -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)" \
	http://127.0.0.1:9479/metrics >"$out/http-431"
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:9479/metrics >"$out/http-after"

say "promtool and bad requests done"
# the rules and the dashboard's queries against this Prometheus
sleep 3	# a rule evaluation after the last scrape
prom_query 'tdxtop:exits:rate1m' >"$out/rule-rate.json"
curl -sf "$PROM_URL/api/v1/rules" >"$out/rules.json"
curl -sf "$PROMN_URL/api/v1/rules" >"$out/rules-native.json"
# (jq is slow under TCG: one run here; the answers are read on the host)
jq -r '(.panels[] | select(.targets) | .title as $t | .targets[] | [$t, .expr]),
	(.templating.list[] | select(.type == "query") | ["variable " + .name, .query.query])
	| @tsv' "$top/contrib/grafana/tdxtop.json" >"$out/queries.tsv"
# each against both servers: query-N.json (classic), query-N.native.json
for url in "$PROM_URL" "$PROMN_URL"; do
	sfx=
	[ "$url" = "$PROMN_URL" ] && sfx=.native
	n=0
	while IFS=$'\t' read -r title expr; do
		n=$((n + 1))
		q=${expr//\$__rate_interval/1m}
		q=${q//\$vm/.*}
		q=${q//\$reason/.*}
		q=${q//\$instance/.*}
		case $title in
		variable*)	# label_values(SELECTOR, LABEL)
			sel=${q#label_values(}; sel=${sel%, *}; label=${q##*, }; label=${label%)}
			curl -sf -G "$url/api/v1/label/$label/values" \
				--data-urlencode "match[]=$sel" >"$out/query-$n$sfx.json" ;;
		*)	curl -sf -G "$url/api/v1/query" --data-urlencode "query=$q" \
				>"$out/query-$n$sfx.json" ;;
		esac
	done <"$out/queries.tsv"
done
say "dashboard queries done"

# least privilege: tdxtop serve as nobody with CAP_BPF and CAP_PERFMON only
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+bpf,+perfmon \
	--ambient-caps=-all,+bpf,+perfmon --bounding-set=-all,+bpf,+perfmon \
	"$X" serve --listen 127.0.0.1:9480 2>"$out/nobody.err" &
np=$!
for i in $(seq 300); do
	curl -sf http://127.0.0.1:9480/metrics >"$out/nobody.txt" 2>/dev/null && break
	kill -0 $np 2>/dev/null || break
	sleep 0.2
done
grep '^Cap\(Eff\|Bnd\)' /proc/$np/status >"$out/nobody.caps" 2>/dev/null
kill -TERM $np 2>/dev/null
wait $np
echo $? >"$out/nobody.rc"
prom_stop
PROM_PID=$PROMN_PID prom_stop
kill -TERM "$srv"
wait "$srv"
echo $? >"$out/serve.rc"
echo '!hist:keys=common_pid:vals=hitcount:size=256' >"$ev/tdx_vp_enter/trigger"
say "done"
