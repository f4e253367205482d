#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop serve's cost per scrape: stand-in VMs (tests/serve/serve_host)
# put one event in every row each second; curl scrapes N times, one per
# second; the serving process' CPU time (utime + stime: the BPF programs
# run in the stand-ins' context) over N is the cost of a scrape, whole:
# reading the maps, folding, writing, HTTP.  Figures, not assertions.
# Usage: bench/serve.sh [SCRAPES] [VMS VCPUS REASONS]...  (triples)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
. "$top/tests/serve/prom-lib.sh"
n=${1:-30}
shift || true
[ $# -ge 3 ] || set -- 1 1024 40 16 64 40
hz=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/tdxtop-bench-serve.XXXXXX)
trap 'rm -rf "$work"' EXIT
cpu() { awk -v hz="$hz" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# resident KiB of the mapped BPF arrays: the kernel's map memory, in RSS
mapkb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { m = /bpf-map/ } m && $1 == "Rss:" { k += $2 }
	     END { print k + 0 }' "/proc/$1/smaps"
}
while [ $# -ge 3 ]; do
	vms=$1 vcpus=$2 reasons=$3
	shift 3
	port=$(free_port)
	"$OUTPUT/tests/serve/serve_host" "127.0.0.1:$port" /dev/null "$vms" "$vcpus" "$reasons" \
		>"$work/out" 2>"$work/err" &
	pid=$!
	for i in $(seq 600); do grep -q ready "$work/out" 2>/dev/null && break; sleep 0.1; done
	curl -sf "http://127.0.0.1:$port/metrics" >/dev/null	# the first: every row new
	sleep 1
	c0=$(cpu $pid)
	bytes=0 gz=0
	for i in $(seq "$n"); do
		b=$(curl -sf -w '%{size_download}' -o "$work/m" "http://127.0.0.1:$port/metrics")
		bytes=$b
		sleep 1
	done
	c1=$(cpu $pid)
	gz=$(curl -sf -H 'Accept-Encoding: gzip' -w '%{size_download}' -o /dev/null \
		"http://127.0.0.1:$port/metrics")
	series=$(grep -vc '^#' "$work/m")
	per_vm=$(( $(grep -c '^tdxtop_.*{vm="td-00"' "$work/m") ))
	echo "$vms VMs x $vcpus vCPUs x $reasons reasons ($((vms * vcpus * reasons)) rows):" \
		"$series series ($per_vm per VM), $bytes bytes ($gz gzip)"
	awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN {
		printf "  CPU per scrape: %.1f ms (mean of %d, 1 Hz, rows changing); at a 15 s scrape interval %.3f%% of a core\n",
			(b - a) / n * 1000, n, (b - a) / n / 15 * 100 }'
	rss=$(kb $pid VmRSS) maps=$(mapkb $pid)
	echo "  RSS $rss KiB (peak $(kb $pid VmHWM) KiB), of which the mapped BPF arrays" \
		"$maps KiB: tdxtop's own $((rss - maps)) KiB"
	kill $pid
	wait $pid 2>/dev/null || true
done
