// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bpf_cost's warm measurement of the kvm source: its kvm_entry and
 * kvm_exit handlers, compiled as bpf/kvm_exit.bpf.c compiles them, run for
 * each exit of bench/loop.bpf.c's stream inside one program run (bpf_loop).
 * Its own object, as the kvm source's is: bench/loop.bpf.c keeps the tdx
 * handler's code as tdx_enter.bpf.o has it.
 */
#include "../bpf/kvm_exit.bpf.h"

#define LOOP_EVENTS	1024	/* bench/loop.bpf.c's */

/* filled by user space; loop_n events per run, cycling through the stream */
__u64 loop_ev[LOOP_EVENTS][TDX_VP_ENTER_NR_ARGS];
__u32 loop_n;
__u32 loop_pos;

/*
 * The kvm source's two handlers for the same exit: its kvm_entry at the
 * exit's TSC less its guest cycles, its kvm_exit at the TSC (as ns)
 */
static long kvm_body(__u32 i, void *unused)
{
	const __u64 *ev = loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)];
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	on_kvm_entry(tgid, ev[TDX_VP_ENTER_VCPU_ID],
		     ev[TDX_VP_ENTER_TSC] - ev[TDX_VP_ENTER_GUEST_CYCLES]);
	on_kvm_exit(tgid, ev[TDX_VP_ENTER_VCPU_ID], ev[TDX_VP_ENTER_EXIT_REASON],
		    TDXTOP_ISA_VMX, ev[TDX_VP_ENTER_TSC]);
	return 0;
}

SEC("raw_tp")
int loop_kvm(void *ctx)
{
	bpf_loop(loop_n, kvm_body, NULL, 0);
	loop_pos += loop_n;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
