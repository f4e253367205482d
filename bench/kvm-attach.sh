#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# What each way of attaching to kvm_entry/kvm_exit costs a real guest's
# exits, for the kvm source (docs/decisions.md): in the test VM under QEMU
# TCG, one guest of ~5 exits per iteration (tests/kvm/kvm_guests) runs
# through windows with nothing, an empty classic, raw or BTF-typed
# tracepoint pair, and tdxtop --source kvm attached.  Per exit: the time of
# an iteration in the window less the nothing window's of the same round,
# / 5; medians over rounds.  TCG runs the host kernel and its BPF programs
# tens of times slower than a CPU: the ratios between variants are the
# figures, not the ns.
#
# Usage: bench/kvm-attach.sh [ROUNDS] [SECS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
rounds=${1:-7} secs=${2:-4}
out=$(mktemp -d /tmp/tdxtop-kvm-attach.XXXXXX)
trap 'rm -rf "$out"' EXIT
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
VM_APPEND="tsc_early_khz=${khz:-2000000}" OUTPUT=$OUTPUT \
	"$top/tests/e2e/vm.sh" -t 1200 -c 1 -m 2048 -o "$out" \
	"$top/bench/guest-kvm-attach.sh" "$rounds" "$secs" >"$out/vm.log" 2>&1 || {
	tail -20 "$out/vm.log" >&2
	exit 1
}
# per window: ns per iteration from the ticks inside it (1,000 iterations apart)
tr -d '\r' <"$out/vm.log" | awk '
/^tick / { tk[++nt] = $2 }
/^window / { w[++nw] = $2; ws[nw] = $3; we[nw] = $4 }
function med(s,   a, n, i, j, x) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
		x = a[j]; a[j] = a[j - 1]; a[j - 1] = x
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	for (i = 1; i <= nw; i++) {
		first = last = 0
		for (k = 1; k <= nt; k++)
			if (tk[k] >= ws[i] && tk[k] <= we[i]) { if (!first) first = k; last = k }
		if (last <= first) continue
		per = (tk[last] - tk[first]) / (last - first) / 1000	# ns an iteration
		if (w[i] == "none") base = per
		round_of[i] = per
		if (w[i] == "none") nb = nb " " per
		v[w[i]] = v[w[i]] " " per
	}
	# differences to the nothing window nearest in time, per window
	for (i = 1; i <= nw; i++) {
		if (w[i] == "none" || !(i in round_of)) continue
		best = -1
		for (j = 1; j <= nw; j++)
			if (w[j] == "none" && (j in round_of) && (best < 0 || (i - j) ^ 2 < (i - best) ^ 2))
				best = j
		d[w[i]] = d[w[i]] " " (round_of[i] - round_of[best]) / 5
	}
	printf "guest alone: %.1f us per exit (median over windows, under TCG)\n", med(nb) / 5000
	split("tp raw btf tdxtop", vv, " ")
	for (i = 1; i <= 4; i++) {
		x[vv[i]] = med(d[vv[i]])
		printf "  %-8s %+8.0f ns per exit over none (median over rounds)\n", vv[i], x[vv[i]]
	}
	if (x["tp"] > 0)
		printf "raw / classic: %.2f; btf / classic: %.2f; tdxtop kvm source / empty classic pair: %.2f\n",
			x["raw"] / x["tp"], x["btf"] / x["tp"], x["tdxtop"] / x["tp"]
}'
