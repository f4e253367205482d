#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# With the tdx events disabled, the series adds nothing but jump-label NOPs
# to tdx_vcpu_run(): every path from the entry through the noinstr
# tdx_vcpu_enter_exit() to a return has, patched and unpatched (same config),
# the same instructions other than NOPs, the same memory accesses, and no
# RDTSC.  The check must be able to fail: deliberately bad variants
# (tests/kernel/hotpath-bad/*.diff) are built and must be rejected.
. "$(dirname "$0")/../lib.sh"

paths=$top/tests/kernel/hotpath-path.sh
bad=("$top"/tests/kernel/hotpath-bad/*.diff)
plan $((5 + ${#bad[@]}))
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

# "core N mem N rdtsc N nops N" per path
"$paths" "$base_o" tdx_vcpu_run tdx_vcpu_enter_exit | sort >"$out/base.paths"
"$paths" "$new_o" tdx_vcpu_run tdx_vcpu_enter_exit | sort >"$out/patched-o.paths"
"$paths" -v "$vmlinux" tdx_vcpu_run tdx_vcpu_enter_exit >"$out/vmlinux.txt"
grep -v '^#' "$out/vmlinux.txt" | sort >"$out/vmlinux.paths"
grep '^#' "$out/vmlinux.txt" >"$out/vmlinux-longest-path.txt"

n=$(wc -l <"$out/base.paths")
is "$(cmp -s "$out/patched-o.paths" "$out/vmlinux.paths" && echo same)" same \
	"vmlinux's tdx_vcpu_run has the same $(wc -l <"$out/vmlinux.paths") disabled paths as the patched tdx.o"
is "$(awk '{ s += $6 } END { print s + 0 }' "$out/vmlinux.paths")" 0 \
	"no RDTSC on any disabled path of the patched tdx_vcpu_run"
core() { awk '{ print $1, $2, $3, $4, $5, $6 }' "$1" | sort; }
if [ "$n" -gt 0 ] && [ "$(core "$out/base.paths")" = "$(core "$out/vmlinux.paths")" ]; then
	pass "all $n disabled paths: same instructions but NOPs and same memory accesses as unpatched"
else
	fail "disabled paths: same instructions but NOPs and same memory accesses as unpatched"
	diff <(core "$out/base.paths") <(core "$out/vmlinux.paths") | head -6 | sed 's/^/# /'
fi
longest() { sort -k2,2n "$1" | tail -1; }
diag "longest path, unpatched: $(longest "$out/base.paths")"
diag "longest path, patched:   $(longest "$out/vmlinux.paths")"
added=$(( $(longest "$out/vmlinux.paths" | awk '{ print $8 }') - $(longest "$out/base.paths" | awk '{ print $8 }') ))
is "$added" 3 "the series adds exactly 3 jump-label NOPs (timestamps and helper) to the longest path"
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
	"$paths" "$TDXTOP_CACHE/variants/$name.o" tdx_vcpu_run tdx_vcpu_enter_exit | sort >"$out/$name.paths"
	if [ "$(core "$out/base.paths")" != "$(core "$out/$name.paths")" ]; then
		pass "the check rejects the bad variant '$name': $(longest "$out/$name.paths")"
	else
		fail "the check rejects the bad variant '$name'"
	fi
done
done_testing
