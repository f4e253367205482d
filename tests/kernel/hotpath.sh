#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# With the tdx events disabled, the series adds nothing but jump-label NOPs
# to tdx_vcpu_run(): scripts/hotpath-diff finds, path for path, the same
# instructions other than NOPs and the same memory accesses as the unpatched
# build (same config), and no RDTSC.  The check must be able to fail:
# deliberately bad variants (tests/kernel/hotpath-bad/*.diff) are built and
# hotpath-diff must say they grew.
. "$(dirname "$0")/../lib.sh"

paths=$top/scripts/hotpath-paths
hdiff=$top/scripts/hotpath-diff
bad=("$top"/tests/kernel/hotpath-bad/*.diff)
plan $((6 + ${#bad[@]}))
out=$OUTPUT/hotpath
mkdir -p "$out"

if ! "$top/scripts/kernel.sh" base >"$out/base.log" 2>&1; then
	fail "unpatched tdx.o of the same config builds"
	tail -20 "$out/base.log" | sed 's/^/# /'
	exit 1
fi
base_o=$TDXTOP_CACHE/build-base/arch/x86/kvm/vmx/tdx.o
new_o=$TDXTOP_CACHE/build/arch/x86/kvm/vmx/tdx.o
vmlinux=$TDXTOP_CACHE/build/vmlinux

"$paths" "$new_o" tdx_vcpu_run tdx_vcpu_enter_exit | sort >"$out/patched-o.paths"
"$paths" -v "$vmlinux" tdx_vcpu_run tdx_vcpu_enter_exit >"$out/vmlinux.txt"
grep -v '^#' "$out/vmlinux.txt" | sort >"$out/vmlinux.paths"
grep '^#' "$out/vmlinux.txt" >"$out/vmlinux-longest-path.txt"
is "$(cmp -s "$out/patched-o.paths" "$out/vmlinux.paths" && echo same)" same \
	"vmlinux's tdx_vcpu_run has the same $(wc -l <"$out/vmlinux.paths") disabled paths as the patched tdx.o"

"$hdiff" "$base_o" "$vmlinux" >"$out/diff.txt" 2>&1
rc=$?
sed 's/^/# /' "$out/diff.txt"
n=$(awk '/^base +[0-9]/ { print $2 }' "$out/diff.txt")
is "$rc $(grep -c '^result: same$' "$out/diff.txt")" "0 1" \
	"hotpath-diff, unpatched vs patched: all ${n:-?} disabled paths have the same instructions but NOPs and memory accesses"
is "$(awk '/^new +[0-9]/ { print $5 }' "$out/diff.txt")" 0 "no RDTSC on the longest disabled path of the patched tdx_vcpu_run"
is "$(sed -n 's/.*NOPs: \([+-][0-9]*\) on the longest path.*/\1/p' "$out/diff.txt")" +3 \
	"the series adds exactly 3 jump-label NOPs (timestamps and helper) to the longest path"
# the cover letter states these figures: they must be what hotpath-diff printed
read -r _ paths core mem rdtsc nops < <(grep '^new ' "$out/diff.txt")
cover=$(tr '\n' ' ' <"$top/kernel/cover-letter.txt" | tr -s ' ')
claim="walks all $paths paths from tdx_vcpu_run() to tdx_vcpu_enter_exit() in the patched vmlinux and in the unpatched tdx.o of the same config: every path has the same instructions but NOPs ($core on the longest), the same memory accesses ($mem on the longest) and no RDTSC; the longest path gains $((nops - $(awk '/^base / { print $6 }' "$out/diff.txt"))) jump-label NOPs"
check "the cover letter's disabled-path figures are hotpath-diff's ($paths paths, $core instructions, $mem memory accesses, $rdtsc RDTSC)" \
	test "$rdtsc" = 0 -a -n "$(grep -F "$claim" <<<"$cover")"
grep -E 'rdtsc|trace_tsc|tdx_trace_vp_enter' "$out/vmlinux-longest-path.txt" | sed 's/^/# on the path: /'
check "the enabled code (RDTSC, tdx_trace_vp_enter) exists, out of the disabled path" \
	bash -c "objdump -d '$vmlinux' --disassemble=tdx_vcpu_run | grep -q rdtsc && objdump -d '$vmlinux' --disassemble=tdx_vcpu_run | grep -q '<tdx_trace_vp_enter>'"

for d in "${bad[@]}"; do
	name=$(basename "$d" .diff)
	if ! "$top/scripts/kernel.sh" variant "$name" "$d" >"$out/$name.log" 2>&1; then
		fail "bad variant $name builds"
		tail -10 "$out/$name.log" | sed 's/^/# /'
		continue
	fi
	"$hdiff" "$base_o" "$TDXTOP_CACHE/variants/$name.o" >"$out/$name.diff.txt" 2>&1
	rc=$?
	is "$rc" 1 "hotpath-diff rejects the bad variant '$name': $(grep '^result' "$out/$name.diff.txt")"
done
done_testing
