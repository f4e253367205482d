#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop serve's endpoint on the host: the real BPF programs fed through
# BPF_PROG_TEST_RUN by stand-in VMM processes (tests/serve/serve_host.c),
# scraped with curl, checked line by line against values computed apart,
# linted by promtool, attacked with bad requests, and scraped by a real
# Prometheus whose API answers are checked.  The VM test
# (tests/serve/vm-serve.sh) does the same against the kernel's events.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/prom-lib.sh"

plan 25
h=$OUTPUT/tests/serve/serve_host
work=$(mktemp -d /tmp/tdxtop-serve.XXXXXX)
pids=()
cleanup() {
	prom_stop
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

if ! [ -x "$h" ] || [ "$(id -u)" != 0 ]; then
	for i in $(seq 25); do skip "needs root and $h"; done
	exit 0
fi

port=$(free_port)
url=http://127.0.0.1:$port
"$h" "127.0.0.1:$port" "$work/expect" >"$work/out" 2>"$work/err" &
srv=$!
pids+=("$srv")
for i in $(seq 50); do grep -q ready "$work/out" 2>/dev/null && break; sleep 0.1; done
check "the endpoint starts, with the stand-in VMs' events in the maps" grep -q ready "$work/out"

curl -sf "$url/metrics" >"$work/m1"
missing=$(grep -vxFf "$work/m1" "$work/expect")
is "$missing" "" "all $(wc -l <"$work/expect") expected lines are exact (counts, le bounds, sums, escaped names)"
[ -n "$missing" ] && diag "$(head -3 <<<"$missing")"

# every histogram: cumulative buckets, +Inf equals _count
bad=$(awk '
	/_bucket\{/ {
		s = $1; sub(/,?le="[^"]*"/, "", s); sub(/_bucket/, "", s)
		if (s in last && $2 + 0 < last[s]) print "not cumulative: " $0
		last[s] = $2 + 0
		if ($1 ~ /le="\+Inf"/) inf[s] = $2
	}
	/_count[{ ]/ { s = $1; sub(/_count/, "", s); cnt[s] = $2 }
	END { for (s in cnt) if (inf[s] != cnt[s]) print "+Inf != _count: " s
	      for (s in inf) if (!(s in cnt)) print "no _count: " s }' "$work/m1")
is "$bad" "" "histograms: buckets cumulative, +Inf equals _count"

lint=$(promtool check metrics <"$work/m1" 2>&1)
is "$?:$lint" "0:" "promtool check metrics is clean"

curl -sf "$url/metrics" >"$work/m2"
is "$(grep '^tdxtop_exits_total' "$work/m2")" "$(grep '^tdxtop_exits_total' "$work/m1")" \
	"a second scrape counts nothing twice"

curl -sf -D "$work/om.h" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
	"$url/metrics" >"$work/om"
check "OpenMetrics when asked: its content type" grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$work/om.h"
is "$(tail -1 "$work/om"):$(grep -c '^# TYPE tdxtop_exits counter$' "$work/om")" "# EOF:1" \
	"OpenMetrics: counter families without _total, ends with # EOF"

curl -sf -D "$work/gz.h" -H 'Accept-Encoding: gzip' "$url/metrics" >"$work/gz"
if grep -qi '^content-encoding: gzip' "$work/gz.h" &&
   diff <(gzip -dc "$work/gz" | grep -v '^tdxtop_cpu_seconds') \
	<(grep -v '^tdxtop_cpu_seconds' "$work/m2") >/dev/null; then
	pass "gzip when accepted, the same metrics inside"
else
	fail "gzip when accepted, the same metrics inside"
fi

# the weight of each item is its own: q=0 refuses gzip, another's q=0 does not
enc=
for ae in 'gzip;q=0, deflate' 'deflate;q=0, gzip' 'identity, gzip;q=0.5' 'x-gzip'; do
	curl -sf -D "$work/h" -o /dev/null -H "Accept-Encoding: $ae" "$url/metrics"
	enc="$enc$(grep -ci '^content-encoding: gzip' "$work/h")"
done
is "$enc" 0110 "Accept-Encoding weights: gzip;q=0 no, deflate;q=0 then gzip yes, gzip;q=0.5 yes, x-gzip no"

code() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }
is "$(code "$url/nope"):$(cat "$work/body")" \
	"404:404 not found: the metrics are at /metrics" "unknown path: 404 and a line saying where"
is "$(code -X POST -d x "$url/metrics")" 405 "POST: 405"
big=$(head -c 100000 /dev/zero | tr '\0' a)
is "$(code -H "X-Big: $big" "$url/metrics")" 431 "100 KB of headers: 431"
is "$(code "$url/")" 200 "/ answers one line"

# a client that sends half a request and waits: others are served meanwhile,
# and the server closes it after its 10 s timeout
(
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n' >&3
	start=$(date +%s)
	cat <&3 >/dev/null
	echo $(($(date +%s) - start)) >"$work/slow"
) &
slow=$!
sleep 0.5
t0=$(date +%s%N)
c=$(code "$url/metrics")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "a scrape beside a stalled client: 200 in ${ms} ms" [ "$c" = 200 ] && [ "$ms" -lt 2000 ]

# a real Prometheus scrapes it (OpenMetrics: it asks for it)
pport=$(free_port)
if prom_start "$work/prom" "$pport" "127.0.0.1:$port"; then
	pass "Prometheus 2.42 starts"
else
	fail "Prometheus 2.42 starts"
fi
check "Prometheus scrapes it: up == 1" prom_wait 'up{job="tdxtop"}' 1
check "Prometheus: sum(tdxtop_exits_total) == 90, the events fired" \
	prom_wait 'sum(tdxtop_exits_total)' 90
# HLT guest times: 13 values x 6 vCPUs; the p50 (rank 39) is 4095 ns
q=$(prom_value 'histogram_quantile(0.5, sum by (le) (tdxtop_guest_seconds_bucket{reason="HLT"}))')
check "histogram_quantile(0.5) = $q s: inside the bucket of the exact p50 (2047, 4095] ns" \
	awk -v q="$q" 'BEGIN { exit !(q > 0.000002047 && q <= 0.000004095) }'
names=$(curl -sf "$PROM_URL/api/v1/label/vm/values" | jq -c '.data | sort')
is "$names" "$(jq -nc '["td-alpha", "quo\"te\\back\nnl", "\ufffd[2Jbad\ufffd"] | sort')" \
	"hostile VM names arrive in Prometheus as escaped, valid UTF-8 label values"
prom_stop

wait "$slow"
check "the stalled client is closed by the server (after $(cat "$work/slow" 2>/dev/null) s)" \
	[ "$(cat "$work/slow" 2>/dev/null)" -le 15 ]
is "$(code "$url/metrics")" 200 "still serving after all of it"

kill -TERM "$srv"
wait "$srv"
is "$?" 0 "SIGTERM: exit 0"

# --per-vcpu and --per-pid: a pid label beside the name, counters per vCPU
port=$(free_port)
SERVE_HOST_PER=vcpu,pid "$h" "127.0.0.1:$port" "$work/expect2" >"$work/out2" 2>&1 &
srv=$!
pids+=("$srv")
for i in $(seq 50); do grep -q ready "$work/out2" 2>/dev/null && break; sleep 0.1; done
p0=$(awk '$1 == "vm" && $2 == 0 { print $4 }' "$work/out2")
curl -sf "http://127.0.0.1:$port/metrics" >"$work/m3"
is "$(grep -c "^tdxtop_exits_total{vm=\"td-alpha\",pid=\"$p0\",reason=\"HLT\",status=\"SUCCESS\"} 26$" "$work/m3")" 1 \
	"--per-pid: the pid label beside the VM name"
is "$(grep -E "^tdxtop_vcpu_exits_total\{vm=\"td-alpha\",pid=\"$p0\",vcpu=\"[01]\",reason=\"HLT\",status=\"SUCCESS\"\} 13$" "$work/m3" | wc -l)" 2 \
	"--per-vcpu: each vCPU's exits as a counter of its own"
lint=$(promtool check metrics <"$work/m3" 2>&1)
is "$?:$lint" "0:" "promtool check metrics is clean with --per-vcpu --per-pid"
done_testing
