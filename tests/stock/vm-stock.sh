#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tdxtop on a stock kernel that knows TDs (the btf source): Linux 7.2
# without tdxtop's series, whose TDH.VP.ENTER is a scripted stand-in
# (tests/kernel/stock), booted under QEMU with two CPUs online.  2 TDs x 3
# vCPUs run tests/stock/script.txt through the stock tdx_vcpu_run() while
# real KVM guests (QEMU's SVM under TCG) run beside them
# (tests/stock/guest-stock.sh).  tdxtop's auto source must be btf; per
# (TD, vCPU, reason, leaf, status) its counts equal the stand-in's runs,
# and those of the exits that fire kvm_exit equal an ftrace hist trigger
# on it; guest time per key is within a histogram bucket (1/16) above the
# stand-in's own; the real guests' rows are labelled vm, the TDs' td.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" = 0 ]; then
	start=$(date +%s)
	if ! "$top/scripts/kernel.sh" stock >"$OUTPUT/stock-build.log" 2>&1; then
		plan 1
		fail "the stock test kernel builds"
		tail -20 "$OUTPUT/stock-build.log" | sed 's/^/# /'
		exit 1
	fi
	build_s=$(( $(date +%s) - start ))
fi
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
# the TSC as clocksource: the btf source's times are bpf_ktime_get_ns()
# a BTF without struct vcpu_tdx for the guest (it sees $OUTPUT): this host's
cp /sys/kernel/btf/vmlinux "$OUTPUT/stock-host-btf" 2>/dev/null || : >"$OUTPUT/stock-host-btf"
TDXTOP_BZIMAGE=$TDXTOP_CACHE/stock/bzImage \
VM_APPEND="tsc_early_khz=${khz:-2000000} tsc=reliable clocksource=tsc" \
	vm_test 22 stock-vm tests/stock/guest-stock.sh stock "the stock kernel's cases" || exit 0
diags=$(grep -c . "$TDXTOP_CACHE/stock/build/.tdxtop-diag.log" 2>/dev/null)
is "${diags:-missing}" 0 "the stock test kernel builds, no warning, objtool clean (${build_s}s)"

j() { jq -r "$1" "$out/$2.json" 2>/dev/null; }
P32=4294967296

# the expected keys of a run: the stand-in's runs per VM, vCPU and line,
# each line's key from the script's "#=" comments, VM index -> PID
expect() {
	awk -v P=$P32 '
		function num(s,  i, v) {
			if (s !~ /^0x/)
				return s + 0
			s = tolower(substr(s, 3))
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		BEGIN { n = 0 }
		FNR == 1 { f++ }
		f == 1 && /^exit / { sub(/.*#= */, ""); split($0, e, " ")
			r = e[1] < 0 ? e[1] + P : e[1]
			key[n] = sprintf("%.0f %.0f %.0f", r, num(e[2]), num(e[3])); kx[n] = e[4]; n++ }
		f == 2 && /^vm / { pid[$2] = $4 }
		f == 3 && NF == 5 { printf "%s %s %s\t%s\t%s\t%s\n", pid[$1], $2, key[$3], $4, $5, kx[$3] }
	' "$top/tests/stock/script.txt" "$out/$1-pids.txt" "$out/$1-stats.txt"
}
# tdxtop's TD rows: PID vCPU reason leaf status-class, count, guest ns
td_rows() {
	jq -r --argjson P $P32 '.rows[] | select(.type == "td") |
		"\(.pid) \(.vcpu) \((.reason_code + $P) % $P) \(.leaf_code) \(.status_code)\t\(.count)\t\(.guest_ns.sum)"' \
		"$out/$1.json" | sort
}

is "$(j '[.source, (.unavailable | join(",")), (.drops | add), .filtered, .unpaired] | map(tostring) | join(" ")' auto)" \
	"btf restore 0 0 0" "auto picks btf on a kernel without the tdx events: no drops, nothing filtered, none unpaired"
check "... whose tdx events are absent and whose BTF has struct vcpu_tdx ($(j '.btf.vcpu_tdx' check))" \
	test "$(cat "$out/tdx-events" | grep -c 'No such file')/$(j .btf.vcpu_tdx check)/$(j .source check)" = "1/vmlinux/btf"
is "$(cat "$out/bad-script.rc")" 1 "the driver refuses a malformed script line"

expect auto | sort >"$out/auto.expect"
awk -F'\t' '{ print $1 "\t" $2 }' "$out/auto.expect" >"$out/auto.expect-counts"
td_rows auto | cut -f1,2 >"$out/auto.counts"
lines=$(grep -c '^exit ' "$top/tests/stock/script.txt")
check "the stand-in ran every line of the script on every vCPU of both TDs ($(wc -l <"$out/auto.expect") keys, $lines lines x 6 vCPUs)" \
	test "$(wc -l <"$out/auto.expect")" = $((lines * 6))
if cmp -s "$out/auto.counts" "$out/auto.expect-counts"; then
	pass "counts per TD, vCPU, reason, leaf and status equal the stand-in's runs exactly"
else
	fail "counts per TD, vCPU, reason, leaf and status equal the stand-in's runs exactly"
	diff "$out/auto.counts" "$out/auto.expect-counts" | head | sed 's/^/# /'
fi

# kvm_exit's hist trigger, VMX (the TDs) by reason, against tdxtop's TD
# rows of the lines that fire it
awk -v P=$P32 '/^\{ isa: *1,/ { gsub(/[{}:,]/, " "); printf "%.0f\t%s\n", $4 % P, $6 }' "$out/auto-hist.txt" |
	sort -n >"$out/auto.hist"
awk -F'\t' '$4 == 1 { split($1, k, " "); c[k[3]] += $2 } END { for (r in c) print r "\t" c[r] }' \
	"$out/auto.expect" | sort -n >"$out/auto.hist-expect"
if [ -s "$out/auto.hist" ] && cmp -s "$out/auto.hist" "$out/auto.hist-expect"; then
	pass "... and equal kvm_exit's hist trigger per reason for the exits that fire it ($(wc -l <"$out/auto.hist") reasons)"
else
	fail "... and equal kvm_exit's hist trigger per reason for the exits that fire it"
	diff "$out/auto.hist" "$out/auto.hist-expect" | head | sed 's/^/# /'
fi
check "EPT misconfig and TDX_SW_ERROR, which return without kvm_exit, are keys of their own" \
	test "$(jq '[.rows[] | select(.type == "td" and .reason_code == -1 and
		(.status_code == 0 or .status_code == 2147548928))] | length' "$out/auto.json")" = 12

# the real KVM guests beside them: ordinary VMs, their loop's exits exact
vm_rows=$(jq -r '.rows[] | select(.type == "vm" and .isa == "svm") |
	"\(.pid) \(.vcpu) \(.reason_code) \(.count)"' "$out/auto.json" | sort)
want=$(awk '{ print $2, $4, 123, $6; print $2, $4, 120, $10 }' "$out/auto-guests.txt" | sort)
got=$(echo "$vm_rows" | awk '$3 == 123 || $3 == 120' | sort)
check "real KVM guests beside the TDs: labelled vm, their port I/O and HLT exits exact ($(echo "$want" | wc -l) keys)" \
	test -n "$want" -a "$got" = "$want" -a "$(cat "$out/auto-guests.rc")" = 0
is "$(jq '[.rows[] | select(.type == null)] | length' "$out/auto.json")" 0 "every row says td or vm"

# tdxtop -b on a stock kernel: TDX status and leaves, and td or vm per row
hdr=$(grep -m1 '^VM ' "$out/text.txt")
t_td=$(awk '$0 !~ /^VM / { for (i = 1; i < NF; i++) if ($i == "td") print $(i + 1), $(i + 2) }' \
	"$out/text.txt" | sort -u | tr '\n' ',')
t_vm=$(awk '$0 !~ /^VM / { for (i = 1; i < NF; i++) if ($i == "vm") { print $(i + 2); break } }' \
	"$out/text.txt" | sort -u | tr '\n' ' ')
check "tdxtop -b -g reason (exit $(cat "$out/text.rc")): TYPE, td rows with TDCALL:MapGPA SUCCESS, FAILED(OPERAND_BUSY), FAILED(SW_ERROR); vm rows of the SVM guests (status $t_vm)" \
	test "$(cat "$out/text.rc")" = 0 -a -n "$(grep ' VCPU TYPE REASON ' <<<"$hdr")" \
	-a -n "$(grep -F 'TDCALL:MapGPA SUCCESS,' <<<"$t_td")" \
	-a -n "$(grep -F 'FAILED(OPERAND_BUSY) OPERAND_BUSY,' <<<"$t_td")" \
	-a -n "$(grep -F 'FAILED(SW_ERROR) SW_ERROR,' <<<"$t_td")" -a "$t_vm" = "- "

# --outliers on the btf source
is "$(j '[.source, .outlier_capture.spec] | join(" ")' outliers)" "btf guest>1200000ns" \
	"--outliers: the btf source captures"
check "... $(j '.outlier_capture | "\(.sent) sent, \(.capped) capped, \(.lost) lost"' outliers): each above 1.2 ms in the guest, no restore time" \
	test "$(jq '[(.outliers | length > 0), ((.outliers | length) == .outlier_capture.sent),
		all(.outliers[]; .guest_ns > 1200000 and .restore_ns == null)] | all' "$out/outliers.json")" = true
td_rows outliers | awk -F'\t' '{ split($1, k, " "); print k[3], k[4], k[5] }' | sort -u >"$out/outliers.keys"
check "... each of a key of the script (reason, leaf, status)" \
	test "$(jq -r --argjson P $P32 '.outliers[] | "\((.reason_code + $P) % $P) \(.leaf_code) \((.status_raw / $P) | floor)"' \
		"$out/outliers.json" | sort -u | comm -23 - "$out/outliers.keys" | wc -l)" = 0
expect outliers | sort | cut -f1,2 >"$out/outliers.expect"
check "... and the counts stay exact with capture on" cmp -s <(td_rows outliers | cut -f1,2) "$out/outliers.expect"

# --td-only, the TDs alone on one CPU
is "$(jq '[.rows[] | select(.type == "vm")] | length' "$out/tdonly.json")" 0 "--td-only: no row of other VMs"
expect tdonly | sort >"$out/tdonly.expect"
check "... the TDs' counts exact" cmp -s <(td_rows tdonly | cut -f1,2) <(cut -f1,2 "$out/tdonly.expect")

# the same with struct vcpu_tdx read by bpf_probe_read_kernel(), the path
# of verifiers that refuse bpf_rdonly_cast() loads, and -v says which
expect probe | sort >"$out/probe.expect"
check "struct vcpu_tdx by bpf_probe_read_kernel() (-v: $(grep -o 'read with [a-z_]*' "$out/probe.err" | head -1)): the TDs' counts exact; plain loads through bpf_rdonly_cast() otherwise" \
	test -n "$(grep 'read with bpf_probe_read_kernel()' "$out/probe.err")" \
	-a -n "$(grep 'read with plain loads through bpf_rdonly_cast()' "$out/auto.err")" \
	-a "$(td_rows probe | cut -f1,2)" = "$(cut -f1,2 "$out/probe.expect")"

# guest time: kvm_entry to tdx_vcpu_run()'s return holds the stand-in's spin
khz=$(awk '/^tsc_khz/ { print $2 }' "$out/tdonly-stats.txt")
td_rows tdonly | cut -f1,3 | join -t $'\t' - <(cut -f1,3 "$out/tdonly.expect") |
	awk -F'\t' -v khz="$khz" '{ s = $3 * 1e6 / khz; d = ($2 - s) / s
		if (d < 0 || d > 1 / 16) { bad++; print "# " $0 " off by " d }
		if (d > max) max = d; n++ }
		END { printf "%d %d %.4f\n", n, bad, max }' >"$out/tdonly.guest"
read -r gn gbad gmax < <(tail -1 "$out/tdonly.guest")
check "guest time per key within a bucket (1/16) above the stand-in's spin ($gn keys, at most +$gmax)" \
	test "$gn" = $((lines * 6)) -a "$gbad" = 0
grep '^#' "$out/tdonly.guest" | head -5

# tdxtop check on the btf source
is "$(cat "$out/check-agree.rc")/$(j '[.verdict, .source] | join("/")' check-agree)" "0/agrees/btf" \
	"tdxtop check beside TDs and real guests: exit 0, agrees, source btf"
check "... on kvm_exit's counts of both: $(j '.events[0] | "\(.tdxtop) exits in \(.keys) keys"' check-agree)" \
	test "$(j '[.events[0].event, .events[0].keys > 20, .events[0].keys_differ] | map(tostring) | join(" ")' check-agree)" = \
	"kvm/kvm_exit true 0"

# a BTF without struct vcpu_tdx: the kvm source, and why
if [ -s "$OUTPUT/stock-host-btf" ] && [ -s "$out/nobtf.json" ]; then
	is "$(j '[.source, .source_why] | join(": ")' nobtf)" \
		"kvm: auto: no tdx:tdx_vp_enter, and no struct vcpu_tdx in the kernel's BTF (kvm_intel not loaded, or built without KVM_INTEL_TDX); kvm:kvm_exit is present" \
		"a BTF without struct vcpu_tdx: auto picks the kvm source and says why"
	is "$(cat "$out/nobtf-btf.rc") $(cat "$out/nobtf-btf.err")" \
		"1 tdxtop: --source btf: no struct vcpu_tdx in the kernel's BTF (kvm_intel not loaded, or built without KVM_INTEL_TDX)" \
		"... and --source btf fails, saying why, exit 1"
else
	fail "a BTF without struct vcpu_tdx: auto picks the kvm source and says why (no such BTF)"
	fail "... and --source btf fails, saying why, exit 1"
fi
done_testing
