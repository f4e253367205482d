#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Side-by-side overhead in one VM boot (TCG: absolute figures are distorted,
# ratios are what to read): injector ns per event with nothing attached, with
# tdxtop, bpftrace, perf record and an ftrace hist trigger.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
export OUTPUT=${OUTPUT:-$top/build}
rounds=${1:-3} per=${2:-100000}
make -s -C "$top" all tests kmod
"$top/tests/e2e/vm.sh" -t 3000 -c 2 -m 2048 "$top/bench/guest-overhead.sh" "$rounds" "$per" |
	sed -n 's/^overhead: //p' >"$OUTPUT/overhead.txt"
median() {
	grep "^$1 " "$OUTPUT/overhead.txt" | awk '{ print $2 }' | sort -n |
		awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
none=$(median none)
printf "%-9s %10s %10s\n" consumer ns/event added
for c in none tdxtop bpftrace perf hist; do
	m=$(median $c)
	eval "m_$c=$m"
	printf "%-9s %10d %10d\n" "$c" "$m" $((m - none))
done
awk -v t=$((m_tdxtop - none)) -v b=$((m_bpftrace - none)) -v p=$((m_perf - none)) -v h=$((m_hist - none)) \
	'BEGIN { printf "tdxtop added cost: %.2fx bpftrace'"'"'s, %.2fx perf record'"'"'s, %.2fx the hist trigger'"'"'s\n", t / b, t / p, t / h }'
