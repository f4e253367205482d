#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Inside the test VM: the injector's cost per event with nothing attached and
# with each consumer aggregating the same events; rounds interleave the
# consumers; prints "CONSUMER ns_per_event" per run and medians.
# Usage: guest-overhead.sh ROUNDS EVENTS_PER_VCPU
rounds=${1:-3} per=${2:-100000}
ev=/sys/kernel/tracing/events/tdx
st=/sys/kernel/debug/tdx_inject/stats
insmod "$OUTPUT/kmod/tdx_inject.ko" || exit 1
cat >/tmp/flood.wl <<WL
seed 3
count $per
exit 30 77 12 12 2000 4000000 300 900 0x2
exit 20 1 1 0 500 60000 300 900 0x2
exit 5 77 77 0x10001 5000 400000 300 900 0xe
WL
cat /tmp/flood.wl >/sys/kernel/debug/tdx_inject/workload || exit 1
# a hist trigger takes at most 3 keys
HIST='hist:keys=common_pid,vcpu_id,exit_reason:vals=hitcount,guest_cycles,restore_cycles:size=8192'

start() {
	case $1 in
	none) pid= ;;
	tdxtop)
		"$OUTPUT/tdxtop" -j 3600 >/dev/null 2>&1 & pid=$!
		for i in $(seq 300); do bpftool link show | grep -q "tp 'tdx_vp_enter'" && break; sleep 0.2; done ;;
	bpftrace)
		bpftrace -e 'tracepoint:tdx:tdx_vp_enter {
			@c[pid, args->vcpu_id, args->exit_reason, args->leaf, args->status] = count();
			@g[pid, args->vcpu_id, args->exit_reason, args->leaf, args->status] = sum(args->guest_cycles);
			@h[pid, args->exit_reason, args->leaf, args->status] = hist(args->guest_cycles); }' \
			>/tmp/bt.out 2>&1 & pid=$!
		for i in $(seq 900); do grep -q Attaching /tmp/bt.out && break; sleep 0.2; done
		sleep 3 ;;
	perf)
		perf record -q -e tdx:tdx_vp_enter -a -o /tmp/perf.data >/dev/null 2>&1 & pid=$!
		sleep 5 ;;
	hist)
		echo "$HIST" >"$ev/tdx_vp_enter/trigger" || { echo "overhead: hist trigger refused"; exit 1; }
		pid= ;;
	esac
}

stop() {
	case $1 in
	hist) echo "!$HIST" >"$ev/tdx_vp_enter/trigger" ;;
	none) ;;
	*) kill -INT "$pid"; wait "$pid" 2>/dev/null ;;
	esac
	rm -f /tmp/perf.data
}

for r in $(seq "$rounds"); do
	for c in none tdxtop bpftrace perf hist; do
		start $c
		echo 0 >$st
		"$OUTPUT/tests/e2e/inject" run 1 2 >/dev/null
		read -r _ events <"$st"
		ns=$(sed -n 's/^ns //p' "$st")
		stop $c
		echo "overhead: $c $(( ns / events ))"
	done
done
