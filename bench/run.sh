#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs the host benchmarks; figures, not assertions (docs/performance.md).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
# BASE_LOOP: bench/loop.bpf.o of another revision (make bench BASE=REV)
echo "== BPF cost per event (A/B against an empty raw_tp program, the reference${BASE_LOOP:+ and $BASE_LOOP})"
"$OUTPUT/bench/bpf_cost" 21 50000 1 mix ${BASE_LOOP:-}
"$OUTPUT/bench/bpf_cost" 21 50000 1 spread ${BASE_LOOP:-}
if [ "$(id -u)" = 0 ] &&
   [ -f "${TDXTOP_CACHE:-/var/cache/tdxtop}/build/arch/x86/boot/bzImage" ]; then
	echo "== kvm source: attaching to kvm_entry/kvm_exit, a real guest in the test VM"
	"$top/bench/kvm-attach.sh" 7 4
fi
echo "== tdxtop user space at 1 Hz, 1024 vCPUs x 40 reasons"
"$OUTPUT/bench/userspace" 60 1024 40 reason json
"$OUTPUT/bench/userspace" 10 1024 40 all json
"$OUTPUT/bench/userspace" 10 1024 40 all text
echo "== recording, report, diff"
"$top/bench/record.sh"
echo "== tdxtop serve: a scrape, 1, 16 and 100 VMs x 4 vCPUs x 40 reasons"
"$top/bench/serve.sh" 30
echo "== tdxtop serve --per-vm-histograms: 100 VMs x 4 vCPUs x 40 reasons"
SERVE_HOST_PER=vm "$top/bench/serve.sh" 30 100 4 40
