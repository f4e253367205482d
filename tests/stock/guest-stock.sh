#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the stock test VM (tests/stock/vm-stock.sh): a kernel without
# tdxtop's series, whose TDH.VP.ENTER is a scripted stand-in
# (tests/kernel/stock).  tdxtop (auto source: btf) and an ftrace hist
# trigger on kvm_exit watch 2 TDs x 3 vCPUs run the script through the
# stock tdx_vcpu_run(), while real KVM guests (QEMU's SVM under TCG) run
# beside them; then with --outliers, and with --td-only and the TDs alone.
# Outputs go to /mnt/out for the host side.
set -u
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
T=/sys/kernel/tracing
D=/sys/kernel/debug/tdx_stock
. "$top/tests/guest-lib.sh"
say() { echo "stock: [$(cut -d' ' -f1 /proc/uptime)] $*"; }

cat /sys/devices/system/clocksource/clocksource0/current_clocksource >"$out/clocksource"
ls "$T/events/tdx" >"$out/tdx-events" 2>&1
"$X" check -j 1 >"$out/check.json" 2>"$out/check.err"
grep -v '^#' "$top/tests/stock/script.txt" | sed 's/ *#=.*//' >"$out/script"
cat "$out/script" >"$D/script" || { say "script refused"; exit 1; }
echo "exit 1 0x1 0 0 0 0 9 1" >"$D/script" 2>/dev/null
echo $? >"$out/bad-script.rc"

# run NAME GUESTS TDXTOP-ARGS...: tdxtop and the hist trigger around one
# firing of the script (its runs counted afresh), with real KVM guests
# beside (GUESTS=1), or else the TDs alone on CPU 0: single-threaded TCG
# runs one guest CPU at a time, up to 100 ms each, so a TD's run on one
# CPU would also time the other CPU's turns; alone, the other CPU idles
run() {
	local name=$1 guests=$2 t g pin=
	shift 2
	cat "$out/script" >"$D/script"
	echo 'hist:keys=isa,exit_reason:vals=hitcount:size=256' >"$T/events/kvm/kvm_exit/trigger"
	"$X" -j -g all "$@" 3600 >"$out/$name.json" 2>"$out/$name.err" &
	t=$!
	wait_links 1 trace_fexit || say "$name: tdxtop did not attach"
	if [ "$guests" = 1 ]; then
		"$OUTPUT/tests/kvm/kvm_guests" 1 2 300 >"$out/$name-guests.txt" \
			2>"$out/$name-guests.err" &
		g=$!
	else
		pin="taskset -c 0"
	fi
	INJECT_FIRE=$D/fire $pin "$OUTPUT/tests/e2e/inject" run 2 3 td >"$out/$name-pids.txt" \
		2>"$out/$name-inject.err"
	echo $? >"$out/$name-inject.rc"
	if [ "$guests" = 1 ]; then
		wait $g
		echo $? >"$out/$name-guests.rc"
	fi
	stop_wait INT 30 $t
	cat "$T/events/kvm/kvm_exit/hist" >"$out/$name-hist.txt"
	echo '!hist:keys=isa,exit_reason:vals=hitcount:size=256' >"$T/events/kvm/kvm_exit/trigger"
	cat "$D/stats" >"$out/$name-stats.txt"
	say "$name: done"
}

run auto 1 -v
run outliers 1 --outliers guest=1200us
run tdonly 0 --td-only
# struct vcpu_tdx read as verifiers before 7.2 allow (bpf_probe_read_kernel)
export TDXTOP_BTF_PROBE_READ=1
run probe 0 --td-only -v
unset TDXTOP_BTF_PROBE_READ

# tdxtop check beside TDs (firing again every 100 ms) and real guests, and
# what a new user types first: the text view, attached before they start
cat "$out/script" >"$D/script"
"$X" -b -g reason 1 3 >"$out/text.txt" 2>"$out/text.err" &
b=$!
wait_links 1 trace_fexit || say "text: tdxtop did not attach"
INJECT_FIRE=$D/fire "$OUTPUT/tests/e2e/inject" run 2 3 td 8 >/dev/null 2>"$out/check-inject.err" &
i=$!
"$OUTPUT/tests/kvm/kvm_guests" 1 2 3000 >/dev/null 2>"$out/check-guests.err" &
g=$!
sleep 1
"$X" check -j 3 >"$out/check-agree.json" 2>"$out/check-agree.err"
echo $? >"$out/check-agree.rc"
wait $b
echo $? >"$out/text.rc"
wait $i $g
say "check: exit $(cat "$out/check-agree.rc")"

# a BTF without struct vcpu_tdx (the test host's, copied by vm-stock.sh):
# auto falls back to the kvm source and says why
if [ -s "$OUTPUT/stock-host-btf" ] && mount --bind "$OUTPUT/stock-host-btf" /sys/kernel/btf/vmlinux; then
	"$X" check -j 1 >"$out/nobtf.json" 2>"$out/nobtf.err"
	"$X" --source btf -b 1 >/dev/null 2>"$out/nobtf-btf.err"
	echo $? >"$out/nobtf-btf.rc"
	umount /sys/kernel/btf/vmlinux
fi
say "done"
exit 0
