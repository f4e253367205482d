#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/check/vm-check.sh): tdxtop check on the
# series kernel while the injector fires the demo mix (2 VMs x 4 vCPUs,
# again every 100 ms), on the kvm source beside real KVM guests, with maps
# too small and with a filter (it must disagree), with nothing running,
# without tracefs, and killed in three ways (nothing may be left behind).
# Outputs go to /mnt/out/<case>.{json,txt,rc} for the host side.
set -u
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
T=/sys/kernel/tracing
. "$top/tests/guest-lib.sh"
say() { echo "check: [$(cut -d' ' -f1 /proc/uptime)] $*"; }

load_workload "$top/tests/e2e/workloads/mix.wl" || exit 1

# run CASE ARGS...: tdxtop check ARGS while the injector fires for 12 s
run() {
	local name=$1 inj
	shift
	"$OUTPUT/tests/e2e/inject" run 2 4 td 12 >/dev/null &
	inj=$!
	sleep 1
	"$X" check "$@" >"$out/$name.out" 2>"$out/$name.err"
	echo $? >"$out/$name.rc"
	wait $inj
	ls "$T/instances" >"$out/$name.left"
	say "$name: exit $(cat "$out/$name.rc")"
}

run agree -j 3
run text 2
run small -j --vcpu-entries 1 --stats-entries 1 3
run filter -j --min-latency 50000 3
"$X" check -j 2 >"$out/idle.out" 2>"$out/idle.err"
echo $? >"$out/idle.rc"

# the kvm source beside real KVM guests (QEMU's SVM under TCG)
(
	rc=0
	for i in $(seq 8); do
		"$OUTPUT/tests/kvm/kvm_guests" 2 2 1000 >/dev/null 2>>"$out/kvm-guests.err" || rc=1
	done
	exit $rc
) &
g=$!
sleep 1
"$X" check -j --source kvm 3 >"$out/kvm.out" 2>"$out/kvm.err"
echo $? >"$out/kvm.rc"
wait $g
echo $? >"$out/kvm-guests.rc"
say "kvm: exit $(cat "$out/kvm.rc")"

# killed: SIGKILL (the reaper removes the instance), SIGINT (tdxtop does),
# SIGKILL to its whole session (the reaper has one of its own)
instance_up() {
	local i
	for i in $(seq 100); do
		ls "$T/instances" | grep -q "^tdxtop-check-$1\$" && return 0
		sleep 0.1
	done
	return 1
}
gone_within() {	# gone_within PID: its instance is removed within 5 s
	local i
	for i in $(seq 50); do
		ls "$T/instances" | grep -q "^tdxtop-check-$1\$" || return 0
		sleep 0.1
	done
	return 1
}
for how in KILL INT session; do
	if [ "$how" = session ]; then
		setsid "$X" check 60 >/dev/null 2>&1 &
		p=$!
	else
		"$X" check 60 >"$out/kill-$how.out" 2>&1 &
		p=$!
	fi
	if ! instance_up "$p" || ! wait_links 1; then
		echo "never up" >"$out/kill-$how.result"
		continue
	fi
	case $how in
	session) kill -KILL -- "-$p" ;;
	*) kill "-$how" "$p" ;;
	esac
	wait "$p" 2>/dev/null
	echo "rc $?" >"$out/kill-$how.rc"
	if gone_within "$p"; then echo removed; else echo left; fi >"$out/kill-$how.result"
	say "kill $how: $(cat "$out/kill-$how.result")"
done
# a stale instance of a process long gone (a SIGKILL with its reaper too)
mkdir "$T/instances/tdxtop-check-999999"
"$X" check 1 >/dev/null 2>&1
ls "$T/instances" >"$out/stale.left"

# without tracefs: cannot check, says why
umount /sys/kernel/debug
umount "$T"
"$X" check -j 1 >"$out/notracefs.out" 2>"$out/notracefs.err"
echo $? >"$out/notracefs.rc"
mount -t tracefs tracefs "$T"
mount -t debugfs debugfs /sys/kernel/debug
say "done"
exit 0
