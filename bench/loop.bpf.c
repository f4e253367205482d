// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bpf_cost's warm measurement: tdx_enter.bpf.c's exit handler run over
 * a stream of exits inside one program run (bpf_loop), against the same loop
 * with an empty body.  One BPF_PROG_TEST_RUN per event enters and leaves the
 * kernel per event, which on a machine without PCID flushes the TLB each
 * time; exits fired back to back by KVM's run loop do not.
 */
#include "../bpf/tdx_enter.bpf.c"

#define LOOP_EVENTS	1024	/* power of two */

/* filled by user space; loop_n events per run, cycling through the stream */
__u64 loop_ev[LOOP_EVENTS][TDX_VP_ENTER_NR_ARGS];
__u32 loop_n;
__u32 loop_pos;

static long exit_body(__u32 i, void *unused)
{
	on_vp_enter(loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)]);
	return 0;
}

static long empty_body(__u32 i, void *unused)
{
	/* the same read of the stream, without the handler */
	return loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)][0] == ~0ULL;
}

SEC("raw_tp")
int loop_exits(void *ctx)
{
	bpf_loop(loop_n, exit_body, NULL, 0);
	loop_pos += loop_n;
	return 0;
}

SEC("raw_tp")
int loop_empty(void *ctx)
{
	bpf_loop(loop_n, empty_body, NULL, 0);
	loop_pos += loop_n;
	return 0;
}
