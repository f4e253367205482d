// SPDX-License-Identifier: GPL-2.0
/*
 * tdxtop's kvm source (tdxtop --source kvm): classic tracepoint programs on
 * KVM's own kvm_entry and kvm_exit, for kernels without the tdx events.
 * The maps and the aggregation are aggregate.bpf.h's; user space creates
 * the maps with tdx_enter.bpf.o and loads this object onto them
 * (bpf_map__reuse_fd), so that one reader serves both.  A separate object:
 * compiled into tdx_enter.bpf.o, these programs would change the
 * instructions the compiler emits for tdx_vp_enter.
 */
#include "kvm_exit.bpf.h"

/* The entry's time is read last, the exit's first: spans hold no tdxtop work */
SEC("tp/kvm/kvm_entry")
int kvm_entry(struct trace_event_raw_kvm_entry *ctx)
{
	on_kvm_entry(bpf_get_current_pid_tgid() >> 32, ctx->vcpu_id, false, 0);
	return PASS_ON;
}

SEC("tp/kvm/kvm_exit")
int kvm_exit(struct trace_event_raw_kvm_exit *ctx)
{
	__u64 now = bpf_ktime_get_ns();

	on_kvm_exit(bpf_get_current_pid_tgid() >> 32, ctx->vcpu_id, ctx->exit_reason,
		    ctx->isa, now);
	return PASS_ON;
}

char LICENSE[] SEC("license") = "GPL";
