// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bpf_cost's warm measurement: the tdx exit handler (on_vp_enter() of
 * bpf/aggregate.bpf.h, as tdx_enter.bpf.o has it) run over a stream of exits
 * inside one program run (bpf_loop), against the same loop with an empty
 * body, and against reference aggregations (ref_exit).  One
 * BPF_PROG_TEST_RUN per event enters and leaves the kernel per event, which
 * on a machine without PCID flushes the TLB each time; exits fired back to
 * back by KVM's run loop do not.
 */
#include "../bpf/aggregate.bpf.h"

#define LOOP_EVENTS	1024	/* power of two */

/*
 * The references: the same exits aggregated the straightforward way a
 * bpftrace script compiles to, with a per-CPU hash keyed by the whole tuple
 * (@[pid, vcpu, reason, leaf, status]), looked up, and created when new,
 * on every event.
 * - ref_full: the fields tdxtop keeps: count, and sum and log2 histogram
 *   of guest, restore and host time; host time from the last exit's TSC
 *   of the vCPU, kept in a second hash (@last[pid, vcpu]).  No min/max.
 * - ref_guest: count, sum and log2 histogram of the guest time only.
 */
struct ref_key {
	__u32 tgid, vcpu, reason, status;
	__u64 leaf;
};

struct ref_val {
	__u64 count;
	__u64 sum[TDXTOP_NR_METRICS];
	__u64 log2[TDXTOP_NR_METRICS][64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ref_key);
	__type(value, struct ref_val);
} ref_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* tgid << 32 | vcpu */
	__type(value, __u64);		/* tsc of the last exit */
} ref_last SEC(".maps");

/* bpftrace's log2 bucket: 0 for 0, else 1 + the most significant bit */
static __always_inline void ref_hist(struct ref_val *v, int m, __u64 ns)
{
	__u32 b = ns ? 1 + tdxtop_msb(ns) : 0;

	v->sum[m] += ns;
	if (b < 64)
		v->log2[m][b]++;
}

static __always_inline void ref_exit(const __u64 *ctx, bool full)
{
	static const struct ref_val zero;
	struct ref_key k = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.vcpu = ctx[TDX_VP_ENTER_VCPU_ID],
		.reason = ctx[TDX_VP_ENTER_EXIT_REASON],
		.status = ctx[TDX_VP_ENTER_STATUS] >> 32,
		.leaf = ctx[TDX_VP_ENTER_LEAF],
	};
	__u64 guest = ctx[TDX_VP_ENTER_GUEST_CYCLES];
	__u64 restore = ctx[TDX_VP_ENTER_RESTORE_CYCLES];
	__u64 tsc = ctx[TDX_VP_ENTER_TSC];
	__u64 vk = (__u64)k.tgid << 32 | k.vcpu, *last;
	struct ref_val *v = bpf_map_lookup_elem(&ref_stats, &k);

	if (!v) {
		bpf_map_update_elem(&ref_stats, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&ref_stats, &k);
		if (!v)
			return;
	}
	v->count++;
	ref_hist(v, TDXTOP_M_GUEST, tdxtop_cyc2ns(guest, tsc_mult, tsc_shift));
	if (!full)
		return;
	ref_hist(v, TDXTOP_M_RESTORE, tdxtop_cyc2ns(restore, tsc_mult, tsc_shift));
	last = bpf_map_lookup_elem(&ref_last, &vk);
	if (last && *last && tsc - guest - restore >= *last)
		ref_hist(v, TDXTOP_M_HOST,
			 tdxtop_cyc2ns(tsc - guest - restore - *last, tsc_mult, tsc_shift));
	bpf_map_update_elem(&ref_last, &vk, &tsc, BPF_ANY);
}

/* filled by user space; loop_n events per run, cycling through the stream */
__u64 loop_ev[LOOP_EVENTS][TDX_VP_ENTER_NR_ARGS];
__u32 loop_n;
__u32 loop_pos;

static long exit_body(__u32 i, void *unused)
{
	on_vp_enter(loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)], false);
	return 0;
}

/* with outlier capture: thresholds set by user space (bench/bpf_cost.c) */
static long capture_body(__u32 i, void *unused)
{
	on_vp_enter(loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)], true);
	return 0;
}

static long ref_full_body(__u32 i, void *unused)
{
	ref_exit(loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)], true);
	return 0;
}

static long ref_guest_body(__u32 i, void *unused)
{
	ref_exit(loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)], false);
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
int loop_capture(void *ctx)
{
	bpf_loop(loop_n, capture_body, NULL, 0);
	loop_pos += loop_n;
	return 0;
}

SEC("raw_tp")
int loop_ref_full(void *ctx)
{
	bpf_loop(loop_n, ref_full_body, NULL, 0);
	loop_pos += loop_n;
	return 0;
}

SEC("raw_tp")
int loop_ref_guest(void *ctx)
{
	bpf_loop(loop_n, ref_guest_body, NULL, 0);
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

char LICENSE[] SEC("license") = "GPL";
