#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The kvm source against a real KVM (tests/kvm/guest-kvm.sh in the test VM):
# two processes of two vCPUs each run 1,000 iterations of a real-mode loop
# (OUT, CPUID, RDMSR, MMIO, HLT) through /dev/kvm on QEMU's emulated SVM.
# tdxtop's counts per vCPU and exit reason equal the kernel's hist trigger on
# kvm_exit, its counts per reason equal perf kvm stat's, its guest time sums
# to bpftrace's within 1%; the loop's own exits come out exactly; what the
# source cannot know is null, '-' and said in the header; the filter, the
# recording and the Prometheus export see the same exits.
#
# Two CPUs online, under single-threaded TCG (tests/e2e/vm.sh): with
# multi-threaded TCG the emulated SVM guests did not run at -smp 2.
# The VM's kernel is told the TSC's frequency (tsc_early_khz): without a
# timer to calibrate it against under TCG it has none, and KVM then retries
# its clock update forever instead of entering the guest.
. "$(dirname "$0")/../lib.sh"
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
VM_CPUS=${VM_CPUS:-2} VM_APPEND="tsc_early_khz=${khz:-2000000}" \
	vm_test 23 kvm-vm tests/kvm/guest-kvm.sh kvm "real KVM guests" || exit 0

is "$(cat "$out/isa" 2>/dev/null)" svm "the VM's CPU has SVM (QEMU TCG)"
is "$(cat "$out/workload.rc" 2>/dev/null)" 0 "the guests ran (kvm_guests 2 2 1000 under perf kvm stat record)"
# the loop's user-space exits, per vCPU thread
is "$(awk '$1 == "pid" { print $4, $6, $8, $10 }' "$out/guests.txt" | sort | uniq -c |
	awk '{ print $1, $2, $3, $4, $5 }' | tr '\n' ' ')" \
	"2 0 1000 999 999 2 1 1000 999 999 " \
	"each of the 4 vCPUs exited 1,000 times for port I/O, 999 for MMIO and HLT"

# "vcpu reason count" of the hist trigger and of tdxtop (all intervals, both VMs)
awk '/^\{ vcpu_id:/ { gsub(/[{},]/, ""); print $2, $4, $6 }' "$out/hist.txt" |
	sort -n -k1,1 -k2,2 >"$out/hist.tsv"
jq -r '.rows[] | [.vcpu, (if .reason_code < 0 then .reason_code + 4294967296
	else .reason_code end), .count] | @tsv' "$out/live.json" |
	awk '{ c[$1 " " $2] += $3 } END { for (k in c) print k, c[k] }' |
	sort -n -k1,1 -k2,2 >"$out/ours.tsv"
diag "hist trigger: $(awk '{ n += $3 } END { print n + 0 }' "$out/hist.tsv") exits in $(wc -l <"$out/hist.tsv") keys"
check "tdxtop's counts per vCPU and exit reason equal the hist trigger's on kvm_exit, exactly" \
	test -s "$out/hist.tsv" -a "$(cat "$out/ours.tsv")" = "$(cat "$out/hist.tsv")"
# SVM exit codes: io 0x7b, hlt 0x78, cpuid 0x72, msr 0x7c, npf 0x400
is "$(awk '$2 == 123 || $2 == 120 || $2 == 114 || $2 == 124 { print $1, $2, $3 }' \
	"$out/ours.tsv" | tr '\n' ' ')" \
	"0 114 1998 0 120 1998 0 123 2000 0 124 1998 1 114 1998 1 120 1998 1 123 2000 1 124 1998 " \
	"the loop's exits per vCPU id: 2,000 io, 1,998 each of cpuid, rdmsr, hlt"
check "an npf per MMIO write at least, per vCPU id" \
	test "$(awk '$2 == 1024 && $3 >= 1998' "$out/ours.tsv" | wc -l)" = 2

# perf kvm stat counts an exit when the next entry ends it: each vCPU's
# last exit (its 1,000th port I/O, after which the thread stops) is not
# in its table; every other count is the same
awk '/VM-EXIT/ { t = 1; next } t && NF >= 2 && $2 ~ /^[0-9]+$/ { print $1, $2 }' \
	"$out/perf.txt" | sort >"$out/perf.tsv"
jq -r '.rows[] | [.reason, .count] | @tsv' "$out/live.json" |
	awk '{ c[$1] += $2 } END { for (k in c) print k, c[k] - (k == "io" ? 4 : 0) }' |
	sort >"$out/ours-perf.tsv"
diag "perf kvm stat: $(tr '\n' ' ' <"$out/perf.tsv")"
check "tdxtop's counts per exit reason equal perf kvm stat's (less each vCPU's unended last exit)" \
	test -s "$out/perf.tsv" -a "$(cat "$out/ours-perf.tsv")" = "$(cat "$out/perf.tsv")"

read -r bt_sum bt_n < <(awk '/^@guest_ns:/ { s = $2 } /^@spans:/ { n = $2 } END { print s + 0, n + 0 }' \
	"$out/bpftrace.txt")
read -r our_sum our_n < <(jq -s '[([.[].rows[].guest_ns.sum] | add),
	([.[].rows[].guest_ns.n] | add)] | @tsv' -r "$out/time.json")
read -r host_n count < <(jq -s '[([.[].rows[].host_ns.n] | add), ([.[].rows[].count] | add)] |
	@tsv' -r "$out/live.json")
diag "guest time: tdxtop $our_sum ns in $our_n spans, bpftrace $bt_sum ns in $bt_n"
check "guest time sums to bpftrace's entry-to-exit spans within 1% (second run, long guest spans)" \
	awk -v a="$our_sum" -v b="$bt_sum" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b / 100) }'
is "$our_n" "$bt_n" "a guest time for every span bpftrace saw"
is "$host_n" "$((count - 4))" "a host time for every exit but each vCPU's first"

is "$(jq -s '[.[].source] | unique | join(",")' -r "$out/live.json")" kvm "JSON: source kvm"
is "$(jq -s '.[0].unavailable | join(",")' -r "$out/live.json")" \
	"status,leaf,restore,exits_without_kvm_exit" "JSON: unavailable lists what the source cannot show"
is "$(jq -s '[.[].rows[] | select(.status != null or .status_code != null or .leaf != null
	or .leaf_code != null or .restore_ns != null or .restored != null or .isa != "svm")] |
	length' "$out/live.json")" 0 "JSON: status, leaf, restore are null in every row; isa svm"
is "$(jq -s '[.[] | .drops[], .unpaired, .filtered, .host_skew] | add' "$out/live.json")" 0 \
	"no drops, no unpaired entries, nothing filtered or skewed"
check "text: one header line says what is missing and how to get it" \
	grep -q '^source kvm (kvm_entry/kvm_exit): no TDX status, TDVMCALL leaf, restore costs' \
	"$out/text.txt"

# --vcpu 1 sees exactly the hist trigger's vCPU 1
is "$(jq -r '.rows[] | [.reason_code, .count] | @tsv' "$out/vcpu1.json" |
	awk '{ c[$1] += $2 } END { for (k in c) print k, c[k] }' | sort -n | tr '\n' ' ')" \
	"$(awk '$1 == 1 { print $2, $3 }' "$out/hist.tsv" | sort -n | tr '\n' ' ')" \
	"--vcpu 1: the hist trigger's counts of vCPU 1"
# the recording, merged, holds the live run's counts per reason
per_reason() {	# FILE: "reason<TAB>count" summed over its rows
	jq -r '.rows[] | [.reason, .count] | @tsv' "$1" |
		awk -F'\t' '{ c[$1] += $2 } END { for (k in c) print k "\t" c[k] }' | sort | tr '\n' ' '
}
is "$(per_reason "$out/report.json")" "$(per_reason "$out/live.json")" \
	"report --merge of the recording: the same counts per reason"
is "$(jq -r .source "$out/report.json")" kvm "the recording says source kvm"
# Prometheus: the export's io exits and its build info
is "$(awk '/^tdxtop_exits_total\{.*reason="io"/ { n += $NF } END { print n + 0 }' "$out/metrics.txt")" \
	"$(awk '$2 == 123 { n += $3 } END { print n + 0 }' "$out/hist.tsv")" \
	"serve: tdxtop_exits_total of reason io equals the hist trigger's"
check "serve: the build info says source kvm" \
	grep -q '^tdxtop_build_info{.*source="kvm"' "$out/metrics.txt"
is "$(cat "$out/stop.rc" | tr '\n' ' ')$(cat "$out/live.err" "$out/vcpu1.err" "$out/time.err"; grep -v '^tdxtop serve: metrics at' "$out/serve.err")" \
	"0 0 " "each tdxtop stopped on SIGINT, no error on stderr"
is "$(jq -r .source "$out/auto.json" 2>/dev/null)" tdx "auto takes the tdx events where the kernel has them"
[ "$_failed" = 0 ] || tail -30 "$out/vm.log" | sed 's/^/# /'
done_testing
