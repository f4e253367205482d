#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The kernel of 'make kernel' boots under QEMU (TCG, no KVM) and offers the
# tdx events with every field the header defines and docs/events.md documents.
. "$(dirname "$0")/../lib.sh"

events="tdx_vp_enter tdx_vp_enter_deferred tdx_host_gsbase tdx_uret_restore"
plan 11
if [ "$(id -u)" != 0 ]; then
	for i in $(seq 11); do skip "needs root"; done
	exit 0
fi
out=$OUTPUT/boot
rm -rf "$out"
start=$(date +%s.%N)
"$top/tests/e2e/vm.sh" -t 600 -o "$out" "$top/tests/kernel/guest-boot.sh" >"$OUTPUT/boot.log" 2>&1
rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
is "$rc" 0 "boots under QEMU TCG on $(vm_cpus "$OUTPUT/boot.log") and powers off (${wall%.*}s in all)"
[ "$rc" = 0 ] || tail -20 "$OUTPUT/boot.log" | sed 's/^/# /'
# the CPUs a VM test asks for are online, and the guest says when not
"$top/tests/e2e/vm.sh" -t 600 -c 4 "$top/tests/kernel/guest-boot.sh" >"$OUTPUT/boot4.log" 2>&1
rc=$?
is "$rc $(vm_cpus "$OUTPUT/boot4.log")" "0 4 CPUs online (0-3)" "-c 4: four CPUs online in the guest"
VM_SMP=2 "$top/tests/e2e/vm.sh" -t 600 -c 2 "$top/tests/kernel/guest-boot.sh" >"$OUTPUT/boot-plain.log" 2>&1
rc=$?
is "$rc $(grep '^vm.sh: ' "$OUTPUT/boot-plain.log")" "126 vm.sh: 2 CPUs asked for, 1 online (0)" \
	"a plain -smp 2 on q35 brings up one CPU: the test refuses to run (exit 126)"
ready=$(sed -n "s/^tdxtop-vm: ready \([^,]*\),.*/\1/p" "$OUTPUT/boot.log" | tr -d "\r")
diag "boot to ready: ${ready:-?}s of guest uptime; $(cat "$out/uname" 2>/dev/null)"
check "the guest runs Linux 7.2" grep -q '^7\.2\.' "$out/uname"
check "KVM's own events are there too (kvm_entry, kvm_exit)" \
	bash -c "grep -qx kvm_exit '$out/kvm-events' && grep -qx kvm_entry '$out/kvm-events'"

# fields of each event: TP_STRUCT__entry of the header vs the format file
header_fields() {
	awk -v ev="$1" '$0 ~ "^TRACE_EVENT(_FN)?\\(" ev "," { on = 1 }
		on && /__field\(/ { s = $0; sub(/.*__field\([^,]*, */, "", s); sub(/\).*/, "", s); print s }
		on && /^\);/ { exit }' "$top/include/trace/events/tdx.h"
}
for e in $events; do
	want=$(header_fields "$e" | sort | tr '\n' ' ')
	got=$(awk '/field:/ && !/common_/ { s = $0; sub(/.*field:[^;]* /, "", s); sub(/;.*/, "", s); print s }' \
		"$out/format-$e" 2>/dev/null | sort | tr '\n' ' ')
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		undocumented=$(for f in $want; do grep -q "\`$f\`" "$top/docs/events.md" || echo "$f"; done | tr '\n' ' ')
		is "$undocumented" "" "$e: format lists $want- each documented in docs/events.md"
	else
		fail "$e: format fields '$got' vs header '$want'"
	fi
done
check "tdx_vp_enter's print format decodes status, reason, leaf and restored" \
	bash -c "grep -q 'OPERAND_BUSY' '$out/format-tdx_vp_enter' && grep -q 'MapGPA' '$out/format-tdx_vp_enter' && grep -q 'XCR0' '$out/format-tdx_vp_enter' && grep -q 'EPT_VIOLATION' '$out/format-tdx_vp_enter'"
check "kvm_intel found no VMX here, as expected under TCG" grep -qi 'vmx\|kvm' "$out/dmesg-kvm"
done_testing
