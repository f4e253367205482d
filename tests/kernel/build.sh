#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# 'make kernel': Linux 7.2 with the series, the project's config, objtool's
# noinstr validation on; no compiler or objtool diagnostics in the build.
. "$(dirname "$0")/../lib.sh"

out=$TDXTOP_CACHE/build
plan 6
start=$(date +%s)
if "$top/scripts/kernel.sh" build >"$OUTPUT/kernel-build.log" 2>&1; then
	pass "make kernel builds Linux 7.2 with the series ($(( $(date +%s) - start ))s)"
else
	fail "make kernel builds Linux 7.2 with the series"
	tail -30 "$OUTPUT/kernel-build.log" | sed 's/^/# /'
	for i in 2 3 4 5 6; do fail "no kernel"; done
	exit 1
fi

missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$top/kernel/tdxtop.config" | while read -r l; do
	grep -qx "$l" "$out/.config" || echo "${l%%=*}"; done | tr '\n' ' ')
is "$missing" "" "every option of kernel/tdxtop.config is in the built .config"

check "KVM_INTEL=y, KVM_INTEL_TDX=y and NOINSTR_VALIDATION=y (objtool checks noinstr)" \
	bash -c "grep -qx CONFIG_KVM_INTEL=y '$out/.config' && grep -qx CONFIG_KVM_INTEL_TDX=y '$out/.config' && grep -qx CONFIG_NOINSTR_VALIDATION=y '$out/.config'"

diags=$(grep -E 'warning:|error:|objtool' "$out/.tdxtop-diag.log" 2>/dev/null | head -5)
is "$diags" "" "no compiler or objtool diagnostics since the series or config last changed"

n=$(nm "$out/vmlinux" | grep -cE ' __ksymtab___tracepoint_tdx_(vp_enter|vp_enter_deferred|host_gsbase|uret_restore)$')
is "$n" 4 "the four tdx tracepoints are exported like kvm_exit"

start=$(date +%s)
"$top/scripts/kernel.sh" build >"$OUTPUT/kernel-build2.log" 2>&1
rc=$?
is "$rc" 0 "a second make kernel with nothing changed succeeds ($(( $(date +%s) - start ))s)"
done_testing
