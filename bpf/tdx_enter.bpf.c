// SPDX-License-Identifier: GPL-2.0
/*
 * tdxtop's kernel side: raw tracepoint programs on the tdx events of the
 * patched KVM (include/trace/events/tdx.h), aggregating into the maps of
 * aggregate.bpf.h that user space reads once per interval.
 * Raw tracepoint arguments are the scalars of TP_PROTO, so no BTF is needed.
 * The kvm source's programs (kernels without the tdx events) are in an
 * object of their own, bpf/kvm_exit.bpf.c: a program of the other source in
 * this compilation unit would change the code the compiler emits for these.
 */
#include "aggregate.bpf.h"

SEC("raw_tp/tdx_vp_enter")
int tdx_vp_enter(__u64 *ctx)
{
	return on_vp_enter(ctx, false);
}

/* The same with outlier capture; user space loads one of the two */
SEC("raw_tp/tdx_vp_enter")
int tdx_vp_capture(__u64 *ctx)
{
	return on_vp_enter(ctx, true);
}

/* Counts and costs of the events that are not exits */
static __always_inline int count_other(__u32 kind, __u32 vcpu, __u64 leaf,
				       __u64 cycles, bool timed)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tdxtop_key k = {};
	struct tdxtop_map_row *e;

	k.tgid = id >> 32;
	if (filtered_out(k.tgid, vcpu))
		return 0;
	k.vcpu = vcpu;
	k.reason = -1u;
	k.leaf = leaf;
	k.kind = kind;
	if (kind == TDXTOP_KIND_URET) {
		e = hash_row(&k, true);
		if (!e)
			return 0;
		__sync_fetch_and_add(&e->st.count, 1);
		add_sample_shared(&e->st, row_hist(e, false), TDXTOP_M_RESTORE,
				  tdxtop_cyc2ns(cycles, tsc_mult, tsc_shift));
		return 0;
	}
	e = vcpu_row(&k, NULL);
	if (!e)
		return 0;
	e->st.count++;
	if (timed)
		add_sample(&e->st, kind, row_hist(e, true), TDXTOP_M_RESTORE,
			   tdxtop_cyc2ns(cycles, tsc_mult, tsc_shift));
	return 0;
}

SEC("raw_tp/tdx_vp_enter_deferred")
int tdx_vp_enter_deferred(__u64 *ctx)
{
	return count_other(TDXTOP_KIND_DEFERRED, ctx[0], 0, 0, false);
}

SEC("raw_tp/tdx_host_gsbase")
int tdx_host_gsbase(__u64 *ctx)
{
	return count_other(TDXTOP_KIND_GSBASE, ctx[0], 0, ctx[1], true);
}

SEC("raw_tp/tdx_uret_restore")
int tdx_uret_restore(__u64 *ctx)
{
	/* which vCPU returned to user space is not known here */
	if (targ_vcpu != TDXTOP_VCPU_NONE)
		return 0;
	return count_other(TDXTOP_KIND_URET, TDXTOP_VCPU_NONE, (__u32)ctx[0],
			   ctx[2], true);
}

char LICENSE[] SEC("license") = "GPL";
