#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop serve's cost per scrape: stand-in VMs (tests/serve/serve_host)
# put one event in every row each second; curl scrapes N times in the text
# format, then N times in protobuf, one per second; the serving process'
# CPU time (utime + stime: the BPF programs run in the stand-ins' context)
# over N is the cost of a scrape, whole: reading the maps, folding,
# writing, HTTP.  Series: the text scrape's sample lines, and the protobuf
# scrape's metrics (a native histogram is one).  Figures, not assertions.
# Usage: bench/serve.sh [SCRAPES] [VMS VCPUS REASONS]...  (triples)
#   SERVE_HOST_PER=vm: --per-vm-histograms; SERVE_HOST_MAX=N: --max-series
#   (serve_host has no cap unless given one)
#   SERVE_BENCH_OUTPUT=DIR: the serve_host of another build (before/after)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
. "$top/tests/serve/prom-lib.sh"
n=${1:-10}
shift || true
[ $# -ge 3 ] || set -- 1 4 40 16 4 40 100 4 40
hz=$(getconf CLK_TCK)
host=${SERVE_BENCH_OUTPUT:-$OUTPUT}/tests/serve/serve_host
work=$(mktemp -d /tmp/tdxtop-bench-serve.XXXXXX)
trap 'rm -rf "$work"' EXIT
pb='application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'
cpu() { awk -v hz="$hz" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# resident KiB of the mapped BPF arrays: the kernel's map memory, in RSS
mapkb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { m = /bpf-map/ } m && $1 == "Rss:" { k += $2 }
	     END { print k + 0 }' "/proc/$1/smaps"
}
# scrapes PID URL N [ACCEPT]: ms of CPU per scrape, the last body in $work/m
scrapes() {
	local c0 c1 i
	c0=$(cpu "$1")
	for i in $(seq "$3"); do
		curl -sf ${4:+-H "Accept: $4"} -o "$work/m" "$2"
		sleep 1
	done
	c1=$(cpu "$1")
	awk -v a="$c0" -v b="$c1" -v n="$3" 'BEGIN { printf "%.1f", (b - a) / n * 1000 }'
}
while [ $# -ge 3 ]; do
	vms=$1 vcpus=$2 reasons=$3
	shift 3
	port=$(free_port)
	url=http://127.0.0.1:$port/metrics
	"$host" "127.0.0.1:$port" /dev/null "$vms" "$vcpus" "$reasons" >"$work/out" 2>"$work/err" &
	pid=$!
	for i in $(seq 600); do grep -q ready "$work/out" 2>/dev/null && break; sleep 0.1; done
	curl -sf "$url" >/dev/null	# the first: every row new
	sleep 1
	text_ms=$(scrapes $pid "$url" "$n")
	bytes=$(stat -c %s "$work/m")
	series=$(grep -vc '^#' "$work/m")
	per_vm=$(grep -c '^tdxtop_.*{vm="td-00"' "$work/m" || true)
	gz=$(curl -sf -H 'Accept-Encoding: gzip' -w '%{size_download}' -o /dev/null "$url")
	pb_ms=$(scrapes $pid "$url" "$n" "$pb")
	pbytes=$(stat -c %s "$work/m")
	# a server that does not know protobuf answers in text: no figure then
	if head -c 5 "$work/m" | grep -q '^# HEL'; then
		pseries=- pbytes=- pb_ms=-
	else
		pseries=$(pb_decode "$work/m" | grep -c '^metric {')
	fi
	echo "$vms VMs x $vcpus vCPUs x $reasons reasons ($((vms * vcpus * reasons)) rows):" \
		"$series series ($per_vm per VM), $bytes bytes ($gz gzip);" \
		"protobuf: $pseries series, $pbytes bytes"
	echo "  CPU per scrape: text $text_ms ms, protobuf $pb_ms ms (mean of $n, 1 Hz, rows changing)"
	rss=$(kb $pid VmRSS) maps=$(mapkb $pid)
	echo "  RSS $rss KiB (peak $(kb $pid VmHWM) KiB), of which the mapped BPF arrays" \
		"$maps KiB: tdxtop's own $((rss - maps)) KiB"
	kill $pid
	wait $pid 2>/dev/null || true
done
