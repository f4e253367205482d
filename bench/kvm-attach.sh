#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# What each way of attaching to kvm_entry/kvm_exit costs a real guest's
# exits, for the kvm source (docs/decisions.md): in the test VM under QEMU
# TCG, a guest of ~5 exits per iteration (tests/kvm/kvm_guests) with
# nothing, an empty classic, raw or BTF-typed tracepoint pair, and tdxtop
# --source kvm.  Per exit: the median over rounds of (variant - none) /
# exits.  TCG runs the host kernel and its BPF programs tens of times
# slower than a CPU: the ratios between variants are the figures, not ns.
#
# Usage: bench/kvm-attach.sh [ROUNDS] [ITERS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
rounds=${1:-7} iters=${2:-2000}
out=$(mktemp -d /tmp/tdxtop-kvm-attach.XXXXXX)
trap 'rm -rf "$out"' EXIT
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
VM_APPEND="tsc_early_khz=${khz:-2000000}" OUTPUT=$OUTPUT \
	"$top/tests/e2e/vm.sh" -t 1200 -c 1 -m 2048 -o "$out" \
	"$top/bench/guest-kvm-attach.sh" "$rounds" "$iters" >"$out/vm.log" 2>&1 || {
	tail -20 "$out/vm.log" >&2
	exit 1
}
# ~5 exits an iteration: io, cpuid, msr, npf (MMIO), hlt
awk -v exits=$((5 * iters)) '
/^attach: / { t[$2] = t[$2] " " $3 }
function med(s,   a, n, i, j, x) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
		x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	base = med(t["none"])
	printf "guest alone: %.1f us per exit (median of rounds, under TCG)\n", base / exits / 1000
	split("tp raw btf tdxtop", v, " ")
	for (i = 1; i <= 4; i++) {
		d[v[i]] = (med(t[v[i]]) - base) / exits
		printf "  %-8s %+8.0f ns per exit over none\n", v[i], d[v[i]]
	}
	if (d["tp"] > 0)
		printf "tdxtop kvm source / empty classic pair: %.2f; raw / classic: %.2f; btf / classic: %.2f\n",
			d["tdxtop"] / d["tp"], d["raw"] / d["tp"], d["btf"] / d["tp"]
}' "$out/vm.log"
