#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/kvm/vm-kvm.sh): real guests through
# /dev/kvm (KVM_AMD on QEMU's emulated SVM) under the kvm source, with the
# oracles watching the same run:
#   tdxtop --source kvm -j -g all, recording     (all)
#   tdxtop --source kvm --vcpu 1 -j -g reason    (a filter)
#   tdxtop serve --source kvm, scraped after the run
#   the kernel's hist trigger on kvm_exit, by vCPU and exit reason
#   perf kvm stat record, around the workload
# and then tdxtop alone beside bpftrace summing the same entry-to-exit spans.
# Outputs go to /mnt/out for the host side.
set -u
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
T=/sys/kernel/tracing
. "$top/tests/guest-lib.sh"
say() { echo "kvm: [$(cut -d' ' -f1 /proc/uptime)] $*"; }
ITERS=1000	# per vCPU; tests/kvm/vm-kvm.sh expects this many
DELAY=20000000	# guest loops before each port I/O in the guest time run

# the second run, under bpftrace (below)
if [ "${1:-}" = time-run ]; then
	"$X" --source kvm -j -g all 1 >"$out/time.json" 2>"$out/time.err" &
	live=$!
	for i in $(seq 150); do [ -s "$out/time.json" ] && break; sleep 0.2; done
	"$OUTPUT/tests/kvm/kvm_guests" 2 2 100 "$DELAY"
	sleep 2.5
	stop_wait INT 60 $live
	echo "$?" >>"$out/stop.rc"
	exit 0
fi

grep -m1 -o -w -E 'svm|vmx' /proc/cpuinfo >"$out/isa"
ip link set lo up	# for serve
"$X" --source kvm -j -g all -w /tmp/kvm.db 1 >"$out/live.json" 2>"$out/live.err" &
live=$!
"$X" --source kvm --vcpu 1 -j -g reason 1 >"$out/vcpu1.json" 2>"$out/vcpu1.err" &
one=$!
"$X" serve --source kvm --listen 127.0.0.1:9479 2>"$out/serve.err" &
srv=$!
# each prints (or serves) once its programs are attached
for i in $(seq 150); do
	[ -s "$out/live.json" ] && [ -s "$out/vcpu1.json" ] &&
		curl -sf http://127.0.0.1:9479/metrics >/dev/null && break
	sleep 0.2
done
say "tdxtop attached"

hist='hist:keys=vcpu_id,exit_reason:vals=hitcount'
echo "$hist" >"$T/events/kvm/kvm_exit/trigger"
# perf around the workload: it sees all of its exits, and ends with it
perf kvm stat record -a -m 4096 -o /tmp/perf.data -- \
	"$OUTPUT/tests/kvm/kvm_guests" 2 2 "$ITERS" >"$out/guests.txt" 2>"$out/perf.err"
echo "$?" >"$out/workload.rc"
echo "$hist:pause" >>"$T/events/kvm/kvm_exit/trigger"
cat "$T/events/kvm/kvm_exit/hist" >"$out/hist.txt"
echo "!$hist" >>"$T/events/kvm/kvm_exit/trigger"
say "workload done"

sleep 2.5	# the intervals that hold the run are printed
curl -sf http://127.0.0.1:9479/metrics >"$out/metrics.txt"
stop_wait INT 60 $live $one $srv
echo "$?" >"$out/stop.rc"
# perf kvm stat prints its table on stderr
perf kvm -i /tmp/perf.data stat report --event=vmexit >"$out/perf.txt" 2>&1
"$X" report -j -g reason --merge /tmp/kvm.db >"$out/report.json" 2>"$out/report.err"
"$X" --source kvm -b -g reason 1 1 >"$out/text.txt" 2>&1

# Guest time: tdxtop alone beside bpftrace summing the same spans, the
# guests spinning DELAY loops before each port I/O (long spans).  bpftrace
# attaches first, so its programs run before tdxtop's on each event: each
# span of either then holds about the same program work (under TCG, tens
# of us an event).  bpftrace -c runs the rest: tdxtop, then the guests.
# (spans counted at the entry: its work and the exit's are then alike)
bpftrace -e '
tracepoint:kvm:kvm_entry { @entry[tid] = nsecs; @spans = count(); }
tracepoint:kvm:kvm_exit /@entry[tid]/ {
	@guest_ns = sum(nsecs - @entry[tid]);
	delete(@entry[tid]);
}' -c "/bin/bash $top/tests/kvm/guest-kvm.sh time-run" >"$out/bpftrace.txt" 2>&1
# this kernel has the tdx events too: auto takes them
"$X" -j 1 1 >"$out/auto.json" 2>&1
say "done"
exit 0
