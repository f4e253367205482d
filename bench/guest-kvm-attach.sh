#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (bench/kvm-attach.sh): one real guest
# (tests/kvm/kvm_guests, ~5 exits an iteration) runs throughout, its vCPU
# printing a tick every TICK iterations; windows of SECS seconds follow each
# other with nothing on kvm_entry/kvm_exit, each pair of empty programs
# (classic, raw, BTF-typed tracepoint) and tdxtop --source kvm, in an order
# that rotates per round.  One guest for all: QEMU translates its code once.
# Prints "window VARIANT START_NS END_NS" and the ticks.
set -u
rounds=${1:-5} secs=${2:-4}
A=$OUTPUT/bench/kvm_attach
. "$TDXTOP_TOP/tests/guest-lib.sh"
variants=(none tp raw btf tdxtop)
now() { date +%s%N; }

KVM_GUESTS_TICK=1000 "$OUTPUT/tests/kvm/kvm_guests" 1 1 2000000000 >/tmp/ticks &
g=$!
sleep 3	# past the first touches

window() {	# VARIANT: attached, then SECS seconds of ticks
	local p t0
	case $1 in
	none) t0=$(now); sleep "$secs"; echo "window none $t0 $(now)" ;;
	tdxtop)
		"$OUTPUT/tdxtop" --source kvm -j 3600 >/dev/null 2>&1 &
		p=$!
		for i in $(seq 100); do
			bpftool prog show 2>/dev/null | grep -q 'name kvm_exit' && break
			sleep 0.2
		done
		sleep 0.5
		t0=$(now); sleep "$secs"; echo "window tdxtop $t0 $(now)"
		stop_wait INT 60 $p ;;
	*)	# kvm_attach holds the pair while its command runs
		"$A" "$1" /bin/bash -c "sleep 0.5; t0=\$(date +%s%N); sleep $secs; \
			echo window $1 \$t0 \$(date +%s%N)" | grep '^window' ;;
	esac
}

for r in $(seq "$rounds"); do
	for k in $(seq 0 $((${#variants[@]} - 1))); do
		window "${variants[(k + r) % ${#variants[@]}]}"
	done
done
kill $g
cat /tmp/ticks
exit 0
