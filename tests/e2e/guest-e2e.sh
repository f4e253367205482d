#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/e2e/vm.sh).  For each workload given: the
# injector fires it through the real tdx tracepoints while three consumers
# watch the same run: tdxtop (twice: rows per vCPU and per reason), the
# kernel's own ftrace hist triggers, and a bpftrace script.  Their outputs go
# to /mnt/out/<workload>/ for tests/e2e/e2e.sh to compare on the host.
#
# Usage: guest-e2e.sh WORKLOAD.wl...
set -u
# the injection itself, as bpftrace -c runs it (below): VMS VCPUS PIDS_FILE
if [ "${1:-}" = --inject ]; then
	exec "$OUTPUT/tests/e2e/inject" run "$2" "$3" >"$4"
fi
top=$TDXTOP_TOP
out_root=/mnt/out
T=/sys/kernel/tracing
ev=$T/events/tdx

. "$top/tests/guest-lib.sh"
say() { echo "e2e: $*"; }

insmod "$OUTPUT/kmod/tdx_inject.ko" || { say "insmod failed"; exit 1; }

hist_on() {
	echo 'hist:keys=exit_reason,leaf,status:vals=hitcount,guest_cycles,restore_cycles:size=4096' \
		>"$ev/tdx_vp_enter/trigger" &&
	echo 'hist:keys=vcpu_id:vals=hitcount:size=1024' >"$ev/tdx_vp_enter_deferred/trigger" &&
	echo 'hist:keys=vcpu_id:vals=hitcount,cycles:size=1024' >"$ev/tdx_host_gsbase/trigger" &&
	echo 'hist:keys=msrs:vals=hitcount,cycles:size=128' >"$ev/tdx_uret_restore/trigger"
}

hist_off() {
	echo '!hist:keys=exit_reason,leaf,status:vals=hitcount,guest_cycles,restore_cycles:size=4096' \
		>"$ev/tdx_vp_enter/trigger"
	echo '!hist:keys=vcpu_id:vals=hitcount:size=1024' >"$ev/tdx_vp_enter_deferred/trigger"
	echo '!hist:keys=vcpu_id:vals=hitcount,cycles:size=1024' >"$ev/tdx_host_gsbase/trigger"
	echo '!hist:keys=msrs:vals=hitcount,cycles:size=128' >"$ev/tdx_uret_restore/trigger"
}

# the kernel times BPF programs with sched_clock(): jiffies when the TSC is unusable
cat /sys/devices/system/clocksource/clocksource0/current_clocksource >"$out_root/clocksource"

for wl in "$@"; do
	name=$(basename "$wl" .wl)
	out=$out_root/$name
	mkdir -p "$out"
	read -r vms vcpus < <(sed -n 's/^# vms \([0-9]*\) vcpus \([0-9]*\).*/\1 \2/p' "$wl")
	say "$name: $vms VMs x $vcpus vCPUs"
	cp "$wl" "$out/workload.wl"
	echo "$vms $vcpus" >"$out/shape"
	if ! cat "$wl" >/sys/kernel/debug/tdx_inject/workload; then
		say "$name: workload refused"
		continue
	fi

	hist_on || say "$name: a hist trigger was refused"
	"$OUTPUT/tdxtop" -j -g all 3600 >"$out/tdxtop-all.json" 2>"$out/tdxtop-all.err" &
	t1=$!
	"$OUTPUT/tdxtop" -j -g reason 3600 >"$out/tdxtop-reason.json" 2>"$out/tdxtop-reason.err" &
	t2=$!
	wait_links 2 || say "$name: tdxtop did not attach"

	# bpftrace attaches, runs the injection (-c) and exits when it ends: it
	# is not stopped by a signal, which bpftrace 0.17 was seen to ignore
	start=$(date +%s%N)
	bpftrace -e '
tracepoint:tdx:tdx_vp_enter {
	@count[pid, args->exit_reason, args->leaf, args->status] = count();
	@guest[pid, args->exit_reason, args->leaf, args->status] = sum(args->guest_cycles);
}
tracepoint:tdx:tdx_vp_enter_deferred { @deferred[pid] = count(); }
tracepoint:tdx:tdx_host_gsbase { @gsbase[pid] = count(); }
tracepoint:tdx:tdx_uret_restore { @uret[pid] = count(); }' \
		-c "/bin/bash $top/tests/e2e/guest-e2e.sh --inject $vms $vcpus $out/pids.txt" \
		>"$out/bpftrace.txt" 2>"$out/bpftrace.err" ||
		say "$name: bpftrace or the injection failed"
	say "$name: injected in $(( ($(date +%s%N) - start) / 1000000 )) ms (with bpftrace's start)"

	# what the kernel accounted to tdxtop's exit handler (the self-cost oracle)
	bpftool -j prog show name tdx_vp_enter >"$out/prog.json" 2>/dev/null
	stop_wait INT 120 $t1 $t2 || say "$name: a tdxtop had to be killed"
	for e in tdx_vp_enter tdx_vp_enter_deferred tdx_host_gsbase tdx_uret_restore; do
		cat "$ev/$e/hist" >"$out/hist-$e.txt"
	done
	hist_off
	say "$name: done"
done
exit 0
