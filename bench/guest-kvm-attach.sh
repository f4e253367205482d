#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (bench/kvm-attach.sh): ROUNDS rounds of the same
# real guest (tests/kvm/kvm_guests 1 1 ITERS) with nothing on kvm_entry and
# kvm_exit, with each pair of empty programs (classic, raw, BTF-typed
# tracepoint), and with tdxtop --source kvm; the order rotates per round.
# Prints "variant ns" lines.
set -u
rounds=${1:-5} iters=${2:-2000}
A=$OUTPUT/bench/kvm_attach
G="$OUTPUT/tests/kvm/kvm_guests 1 1 $iters"
. "$TDXTOP_TOP/tests/guest-lib.sh"
variants=(none tp raw btf tdxtop)

run() {
	local p
	if [ "$1" != tdxtop ]; then
		"$A" "$1" $G | sed 's/^/attach: /'
		return
	fi
	"$OUTPUT/tdxtop" --source kvm -j 3600 >/dev/null 2>&1 &
	p=$!
	for i in $(seq 100); do
		bpftool prog show 2>/dev/null | grep -q 'name kvm_exit' && break
		sleep 0.2
	done
	"$A" none $G | sed 's/^none/attach: tdxtop/'
	stop_wait INT 60 $p
}

"$A" none $G >/dev/null	# warm up: the first guest pays for first touches
for r in $(seq "$rounds"); do
	for k in $(seq 0 $((${#variants[@]} - 1))); do
		run "${variants[(k + r) % ${#variants[@]}]}"
	done
done
exit 0
