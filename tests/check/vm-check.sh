#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tdxtop check (tests/check/guest-check.sh in the test VM, two CPUs): on
# the series kernel it agrees with the ftrace hist triggers while the
# injector runs (exit 0), and on the kvm source beside real KVM guests; it
# disagrees (exit 1, the keys named) with maps too small and with a
# filter; it cannot check (exit 2, why) with no event and without
# tracefs; killed by SIGKILL, SIGINT or with its session, it leaves no
# tracefs instance behind.
. "$(dirname "$0")/../lib.sh"
khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
VM_APPEND="tsc_early_khz=${khz:-2000000}" \
	vm_test 17 check-vm tests/check/guest-check.sh check "tdxtop check's cases" || exit 0
j() { jq -r "$1" "$out/$2.out" 2>/dev/null; }

is "$(cat "$out/agree.rc")/$(j .verdict agree)/$(j .source agree)" "0/agrees/tdx" \
	"beside the injector: exit 0, agrees, source tdx"
check "... every tdx event compared, tdx_vp_enter's counts and time: $(j '.events[0] | "\(.tdxtop) exits in \(.keys) keys"' agree)" \
	test "$(j '[.events[0].tdxtop > 1000, .events[0].keys >= 8, .events[0].time_compared,
		  ([.events[].keys_differ] | add), (.differs | length)] | map(tostring) | join(" ")' agree)" = \
	"true true yes 0 0"
is "$(j '[.tracepoints["tdx:tdx_vp_enter"], .btf.vmlinux, .tracefs, .bpf_stats] | join(" ")' agree)" \
	"yes yes /sys/kernel/tracing yes" "... and says what it found: tracepoints, BTF, tracefs, run-time accounting"
is "$(cat "$out/agree.left")" "" "... and leaves no tracefs instance"
check "text: a table of the five views of the four events and the verdict line, exit 0" \
	test "$(cat "$out/text.rc")" = 0 -a "$(grep -c '^tdx/tdx_' "$out/text.out")" = 5 -a \
	-n "$(grep '^verdict: agrees' "$out/text.out")"

is "$(cat "$out/small.rc")/$(j .verdict small)" "1/disagrees" "maps too small: exit 1, disagrees"
check "... the keys that differ named, and tdxtop's stats_full losses shown ($(j .losses.stats_full small))" \
	test "$(j '[(.differs | length) > 0, .losses.stats_full > 0, (.differs[0].key | test("^vcpu [0-9]+ "))] |
		  map(tostring) | join(" ")' small)" = "true true true"
is "$(cat "$out/filter.rc")/$(j .verdict filter)/$(j '.notes.filtered > 0' filter)" "1/disagrees/true" \
	"--min-latency drops exits: exit 1, the filtered note shown"
is "$(cat "$out/idle.rc")/$(j .why idle)" "2/cannot check: no event in the window (is a VM running?)" \
	"nothing running: exit 2, says so"

is "$(cat "$out/kvm-guests.rc")/$(cat "$out/kvm.rc")/$(j .verdict kvm)/$(j .source kvm)" "0/0/agrees/kvm" \
	"--source kvm beside real KVM guests: exit 0, agrees"
check "... on kvm_exit's counts: $(j '.events[0] | "\(.tdxtop) exits in \(.keys) keys"' kvm)" \
	test "$(j '[.events[0].event, .events[0].tdxtop > 100, .events[0].time_compared] | map(tostring) | join(" ")' kvm)" = \
	"kvm/kvm_exit true no"

is "$(cat "$out/kill-KILL.result")" removed "SIGKILL: the reaper removes the instance"
is "$(cat "$out/kill-INT.rc")/$(cat "$out/kill-INT.result")/$(grep -c '^verdict: cannot check: interrupted' "$out/kill-INT.out")" \
	"rc 2/removed/1" "SIGINT: exit 2, 'interrupted', the instance removed"
is "$(cat "$out/kill-session.result")" removed "SIGKILL to its whole session: the instance removed"
is "$(cat "$out/stale.left")" "" "an instance left by a process long gone is removed by the next check"

is "$(cat "$out/notracefs.rc")/$(j .why notracefs)" \
	"2/cannot check: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing): no ftrace hist trigger to compare with" \
	"without tracefs: exit 2, says why"
done_testing
