#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop's decoding tables against Linux 7.2's own headers.
. "$(dirname "$0")/../lib.sh"

plan 7
if [ ! -f "$LINUX_TARBALL" ]; then
	for i in 1 2 3 4 5 6 7; do skip "linux-source-7.2 not installed (scripts/deps.sh kernel)"; done
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
extract_linux "$tmp" arch/x86/include/uapi/asm/vmx.h arch/x86/include/uapi/asm/svm.h \
	arch/x86/include/uapi/asm/kvm.h \
	arch/x86/include/asm/shared/tdx_errno.h arch/x86/include/asm/shared/tdx.h
"$OUTPUT/tests/unit/dump_tables" >"$tmp/ours"

# every EXIT_REASON_<NAME> <code> of vmx.h decodes to NAME
awk '$1 == "#define" && $2 ~ /^EXIT_REASON_/ && $3 ~ /^[0-9]+$/ {
	sub(/^EXIT_REASON_/, "", $2); print "reason", $3, $2 }' \
	"$tmp/arch/x86/include/uapi/asm/vmx.h" | sort >"$tmp/k_reasons"
grep '^reason ' "$tmp/ours" | sort >"$tmp/o_reasons"
n=$(wc -l <"$tmp/k_reasons")
missing=$(comm -23 "$tmp/k_reasons" "$tmp/o_reasons" | tr '\n' ' ')
is "$missing" "" "all $n EXIT_REASON_* of 7.2's vmx.h decode to their names"
extra=$(comm -13 "$tmp/k_reasons" "$tmp/o_reasons" | tr '\n' ' ')
is "$extra" "" "no exit reason that 7.2 does not define"

# VMX_EXIT_REASONS, the table kvm_exit prints with, names them the same
sed -n '/^#define VMX_EXIT_REASONS /,/^$/p' "$tmp/arch/x86/include/uapi/asm/vmx.h" |
	grep -o '{ EXIT_REASON_[A-Z_0-9]*, *"[A-Z_0-9]*"' |
	sed 's/{ EXIT_REASON_\([A-Z_0-9]*\), *"\([A-Z_0-9]*\)"/\1 \2/' >"$tmp/k_names"
bad=$(awk 'NR == FNR { code[$2] = $3; next } { print }' "$tmp/k_reasons" "$tmp/k_names" |
	while read -r sym name; do
		code=$(awk -v s="$sym" '$3 == s { print $2 }' "$tmp/k_reasons")
		grep -qx "reason $code $name" "$tmp/ours" || echo "$sym"
	done | tr '\n' ' ')
is "$bad" "" "VMX_EXIT_REASONS ($(wc -l <"$tmp/k_names") entries) names match"

# SVM_EXIT_REASONS, the table kvm_exit prints with on AMD, compiled from the
# header itself (its codes are sums of defines): every entry, code as
# kvm_exit's 32-bit exit_reason, name as the table has it, and no other
{
	echo '#include <stdio.h>'
	grep -E '^#define [A-Z]{2}_VECTOR ' "$tmp/arch/x86/include/uapi/asm/kvm.h"
	echo '#include "svm.h"'
	echo 'static const struct { unsigned long long c; const char *n; } t[] = { SVM_EXIT_REASONS };'
	echo 'int main(void) { for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)'
	echo '	printf("svm %llu %s\n", t[i].c & 0xffffffffULL, t[i].n); return 0; }'
} >"$tmp/svm.c"
if gcc -I"$tmp/arch/x86/include/uapi/asm" -o "$tmp/svm" "$tmp/svm.c" 2>"$tmp/svm.err"; then
	"$tmp/svm" | sort >"$tmp/k_svm"
	diff_svm=$(diff "$tmp/k_svm" <(grep '^svm ' "$tmp/ours" | sort) | grep '^[<>]' | tr '\n' ' ')
	is "$diff_svm" "" "SVM_EXIT_REASONS ($(wc -l <"$tmp/k_svm") entries) of 7.2's svm.h: the same codes and names"
else
	fail "SVM_EXIT_REASONS did not compile: $(head -1 "$tmp/svm.err")"
fi

# status codes of tdx_errno.h: bits 63:32 decode to the define's name
defines() {	# FILE PREFIX: "NAME VALUE" of the hex defines
	awk -v p="$2" '$1 == "#define" && index($2, p) == 1 && $3 ~ /^0x/ {
		v = $3; sub(/ULL$/, "", v); print substr($2, length(p) + 1), v }' "$1"
}
defines "$tmp/arch/x86/include/asm/shared/tdx_errno.h" TDX_ | grep -v -e MASK -e OPERAND_ID |
	while read -r sym v; do echo "status $(( (v >> 32) & 0xffffffff )) $sym"; done |
	sort >"$tmp/k_status"
n=$(wc -l <"$tmp/k_status")
missing=$(comm -23 "$tmp/k_status" <(grep '^status ' "$tmp/ours" | sort) | tr '\n' ' ')
if [ "$n" -ge 15 ]; then
	is "$missing" "" "all $n TDX status codes of 7.2's tdx_errno.h decode"
else
	fail "only $n status codes found in tdx_errno.h"
fi

# TDVMCALL leaves of asm/shared/tdx.h: GHCI CamelCase names of the defines
defines "$tmp/arch/x86/include/asm/shared/tdx.h" TDVMCALL_ | grep ' 0x1000' >"$tmp/k_leaves"
n=$(wc -l <"$tmp/k_leaves")
bad=$(while read -r sym v; do
	name=$(awk -v c="$((v))" '$1 == "leaf" && $2 == c { print $3 }' "$tmp/ours")
	snake=$(echo "$name" | sed -E 's/([a-z])([A-Z])/\1_\2/g' | tr a-z A-Z)
	[ "$snake" = "$sym" ] || echo "$sym($name)"
done <"$tmp/k_leaves" | tr '\n' ' ')
if [ "$n" -ge 5 ]; then
	is "$bad" "" "all $n GHCI TDVMCALL leaves of 7.2 have their GHCI names"
else
	fail "only $n TDVMCALL leaves found in asm/shared/tdx.h"
fi

is "$(grep '^decode-' "$tmp/ours" | tr '\n' ' ')" \
	"decode-status SW_ERROR OPERAND_BUSY decode-leaf MapGPA HLT decode-kvm io FAILED_VMENTRY(INVALID_STATE) " \
	"SW errors, OPERAND_BUSY, MapGPA, instruction leaves, kvm_exit rows of SVM and VMX decode"
done_testing
