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

plan 45
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
	for i in $(seq 44); do skip "needs root and $h"; done
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
		s = $1; sub(/,?le="[^"]*"/, "", s); sub(/_bucket/, "", s); sub(/\{\}/, "", s)
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

# the default cut (docs/prometheus.md): 3 exit kinds x (1 counter + 33 of
# guest time), host and restore time host-wide (2 x 33), 4 registers,
# 3 per VM x 3 VMs, and tdxtop's own 15 (5 programs, untimed)
is "$(grep -vc '^#' "$work/m1")" $((3 * 34 + 2 * 33 + 4 + 3 * 3 + 15)) \
	"the default exposition: exits and guest time per host by exit, totals per VM (196 series)"
is "$(grep -c '^tdxtop_\(exits_total\|guest_seconds\|host_seconds\|restore_seconds\).*vm=' "$work/m1")" 0 \
	"no per-VM label on the exit counters and histograms by default"
sums=$(awk '/^tdxtop_exits_total/ { e += $2 } /^tdxtop_vm_exits_total/ { v += $2 }
	/^tdxtop_guest_seconds_count/ { g += $2 } /^tdxtop_restore_seconds_count/ { r += $2 }
	END { print e, v, g, r }' "$work/m1")
is "$sums" "90 90 90 90" \
	"sums over the cut equal the detail: exits by reason, by VM, guest and restore counts (90 each)"

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

# protobuf with native histograms, as Prometheus asks with them on
pbaccept='application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3'
curl -sf -D "$work/pb.h" -H "Accept: $pbaccept" "$url/metrics" >"$work/pb"
check "protobuf when asked: its content type, delimited MetricFamily" \
	grep -qi '^content-type: application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited' "$work/pb.h"
if pb_decode "$work/pb" >"$work/pb.txt" 2>"$work/pb.err"; then
	pass "protoc --decode reads every message of the scrape back ($(grep -c '^--$' "$work/pb.txt") families)"
else
	fail "protoc --decode reads every message of the scrape back"
	diag "$(head -3 "$work/pb.err")"
fi
# the text scrape's families with series, and the protobuf one's
is "$(grep '^name: ' "$work/pb.txt" | sed 's/name: "\(.*\)"/\1/' | sort | tr '\n' ' ')" \
	"$(grep -v '^#' "$work/m2" | sed 's/[{ ].*//; s/_\(bucket\|sum\|count\)$//' | sort -u | tr '\n' ' ')" \
	"the same families in protobuf as in text"
# HLT's guest time: 78 samples, 6 of 0 ns in the zero bucket, 72 in the others
hlt=$(awk '/^name: "tdxtop_guest_seconds"/ { f = 1 } /^--$/ { f = 0 }
	f && /value: "HLT"/ { h = 1 } f && h && /sample_count/ { c = $2 }
	f && h && /zero_count/ { z = $2 } f && h && /schema/ { sc = $2 }
	f && h && /positive_delta/ { run += $2; n += run }
	f && h && /^}/ { h = 0 } END { print c, sc, z, n }' "$work/pb.txt")
is "$hlt" "78 4 6 72" "native histogram of HLT guest time: count 78, schema 4, zero bucket 6, buckets 72"
is "$(grep -c '^ *bucket {' "$work/pb.txt")" 0 "no classic buckets in the protobuf exposition"

# the weight of each item is its own: q=0 refuses gzip, another's q=0 does not
enc=
for ae in 'gzip;q=0, deflate' 'deflate;q=0, gzip' 'identity, gzip;q=0.5' 'x-gzip'; do
	curl -sf -D "$work/h" -o /dev/null -H "Accept-Encoding: $ae" "$url/metrics"
	enc="$enc$(grep -ci '^content-encoding: gzip' "$work/h")"
done
is "$enc" 0110 "Accept-Encoding weights: gzip;q=0 no, deflate;q=0 then gzip yes, gzip;q=0.5 yes, x-gzip no"

# the content types go through the same rule: a q=0 or a missing parameter
# of the protobuf type refuses it
ct=
for a in 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0,text/plain' \
	 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily' \
	 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; q=0.1' \
	 'application/openmetrics-text; q=0, text/plain' 'application/openmetrics-text ;version=1.0.0'; do
	curl -sf -D "$work/h" -o /dev/null -H "Accept: $a" "$url/metrics"
	ct="$ct$(sed -n 's/^content-type: \([a-z]*\/[a-z.-]*\).*/\1/Ip' "$work/h" | tr -d '\r') "
done
is "$ct" "text/plain text/plain application/vnd.google.protobuf text/plain application/openmetrics-text " \
	"Accept weights and parameters: protobuf q=0 no, without encoding no, q=0.1 yes; OpenMetrics q=0 no"

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

# Prometheus with native histograms: it asks for protobuf, one series each
pport=$(free_port)
prom_start "$work/promn" "$pport" "127.0.0.1:$port" "" --enable-feature=native-histograms ||
	diag "Prometheus with native histograms did not start"
check "native histograms: Prometheus scrapes it, sum(tdxtop_exits_total) == 90" \
	prom_wait 'sum(tdxtop_exits_total)' 90
# the pb scrape's metrics are Prometheus' series: one per native histogram
npb=$(grep -c '^metric {' "$work/pb.txt")
is "$(prom_value 'count({__name__=~"tdxtop_.*"})')" "$npb" \
	"native histograms: Prometheus holds exactly the scrape's $npb series (one per histogram)"
# p50 of HLT (4095 ns, in tdxtop's bucket [3968, 4096)): within that bucket
# widened by one native bucket (2^(1/16)) each way
q=$(prom_value 'histogram_quantile(0.5, sum(tdxtop_guest_seconds{reason="HLT"}))')
check "native histogram_quantile(0.5) = $q s: within tdxtop's and one native bucket of the exact 4095 ns" \
	awk -v q="$q" 'BEGIN { b = 2 ^ (1 / 16); exit !(q != "" && q * 1e9 >= 3968 / b && q * 1e9 <= 4096 * b) }'
is "$(prom_value 'histogram_count(sum(tdxtop_guest_seconds))')" 90 \
	"native histograms: histogram_count over every exit is 90"
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
SERVE_HOST_PER=vcpu,pid,vm "$h" "127.0.0.1:$port" "$work/expect2" >"$work/out2" 2>&1 &
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
is "$?:$lint" "0:" "promtool check metrics is clean with --per-vcpu --per-pid --per-vm-histograms"
# per VM: 3 kinds x (1 + 3 x 33) + 7 (totals, registers); 2 vCPUs x 3 x 4
is "$(grep -vc '^#' "$work/m3")" $((3 * (3 * 100 + 7) + 3 * 2 * 3 * 4 + 15)) \
	"--per-vm-histograms --per-vcpu: 307 series per VM, 24 per VM's vCPUs (1008)"
kill -TERM "$srv"
wait "$srv"

# --max-series: 6 VMs x 40 exit reasons per VM with --per-vm-histograms
# (24,057 series uncapped) under a cap of 1,000
serve_at() {	# PORT OUT [ENV...]: a one-shot workload's endpoint
	local port=$1 out=$2
	shift 2
	env SERVE_HOST_ONCE=1 SERVE_HOST_PER=vm "$@" "$h" "127.0.0.1:$port" /dev/null 6 1 40 \
		>"$out" 2>"$out.err" &
	pids+=("$!")
	for i in $(seq 100); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
}
pa=$(free_port)
serve_at "$pa" "$work/all"
pc=$(free_port)
serve_at "$pc" "$work/cap" SERVE_HOST_MAX=1000
curl -sf "http://127.0.0.1:$pa/metrics" >"$work/all.m"
curl -sf "http://127.0.0.1:$pc/metrics" >/dev/null
curl -sf "http://127.0.0.1:$pc/metrics" >"$work/cap.m"
all=$(grep -vc '^#' "$work/all.m")
cap=$(grep -vc '^#' "$work/cap.m")
ovf=$(grep -v '^#' "$work/cap.m" | grep -c 'overflow="true"')
dropped=$(awk '/^tdxtop_series_dropped_total/ { print $2 }' "$work/cap.m")
check "the cap holds: $cap series of at most 1000 (uncapped: $all), $ovf of them overflow series" \
	[ "$cap" -le 1000 ] && [ "$cap" -gt 800 ] && [ "$ovf" -gt 0 ] && [ "$all" = 24057 ]
is "$dropped" "$((all - (cap - ovf)))" \
	"tdxtop_series_dropped_total is what was cut: uncapped minus the capped ones not overflow"
tot() { awk '/^tdxtop_exits_total/ { e += $2 } /^tdxtop_vm_exits_total/ { v += $2 }
	/^tdxtop_guest_seconds_count/ { g += $2 } END { print e, v, g }' "$1"; }
is "$(tot "$work/cap.m")" "240 240 240" "under the cap totals stay exact: 240 exits by reason, by VM, guest counts"
is "$(grep -c 'max-series 1000 reached' "$work/cap.err")" 1 "the cap is said once on stderr, over two scrapes"
lint=$(promtool check metrics <"$work/cap.m" 2>&1)
is "$?:$lint" "0:" "promtool check metrics is clean with overflow series"

# --expire-after: the stand-ins fire once; 2 s later their VMs are gone
pe=$(free_port)
SERVE_HOST_EXPIRE=1 "$h" "127.0.0.1:$pe" /dev/null >"$work/exp" 2>&1 &
pids+=("$!")
for i in $(seq 50); do grep -q ready "$work/exp" 2>/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$pe/metrics" >"$work/exp1"
sleep 2.2
curl -sf "http://127.0.0.1:$pe/metrics" >"$work/exp2"
is "$(grep -c '^tdxtop_vm_exits_total' "$work/exp1") $(grep -c '^tdxtop_vm_' "$work/exp2") $(tot "$work/exp2" | cut -d' ' -f1)" \
	"3 0 90" "--expire-after 1: 3 VMs' totals, then none after 2 s idle; host-wide exits stay 90"
done_testing
