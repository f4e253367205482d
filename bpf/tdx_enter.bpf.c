// SPDX-License-Identifier: GPL-2.0
/*
 * tdxtop's kernel side: raw tracepoint programs on the tdx events of the
 * patched KVM (include/trace/events/tdx.h), aggregating into maps that
 * user space reads once per interval.
 * Raw tracepoint arguments are the scalars of TP_PROTO, so no BTF is needed.
 */
#define __TDXTOP_BPF__
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>
#include "tdx_enter.h"

/* Filters and the TSC conversion, set by user space before load */
const volatile __u32 targ_tgid = 0;		/* 0: every VMM process */
const volatile __u32 targ_vcpu = TDXTOP_VCPU_NONE;	/* NONE: every vCPU */
const volatile __u64 min_guest_ns = 0;
const volatile __u32 tsc_mult = 1;
const volatile __u32 tsc_shift = 0;

/*
 * Rows are preallocated, so creating one never allocates on this path (a
 * no-prealloc map fails with -ENOMEM when a burst of new keys empties the
 * BPF allocator's cache), and shared: a row carries its vCPU in the key and
 * KVM runs a vCPU on one thread at a time (vcpu->mutex), so exit, deferred
 * and GS base rows have one writer and plain updates are exact.  User-return
 * rows may be written from any task (the notifier follows a context switch),
 * so they are updated atomically.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tdxtop_key);
	__type(value, struct tdxtop_stats);
} stats SEC(".maps");

/*
 * Histograms are large (7 KiB): shared and preallocated, so that memory does
 * not grow with the number of CPUs and creating one never allocates on this
 * path; buckets are bumped atomically.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct tdxtop_hkey);
	__type(value, struct tdxtop_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tdxtop_vkey);
	__type(value, struct tdxtop_vstate);
} vcpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDXTOP_NR_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Values to create map entries from (too large for the stack) */
static const struct tdxtop_stats zero_stats;
static const struct tdxtop_stats shared_stats = {
	.min = { ~0ULL, ~0ULL, ~0ULL },	/* shared rows take min with a CAS */
};
static const struct tdxtop_hist zero_hist;

static __always_inline void count_drop(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&drops, &what);

	if (c)
		(*c)++;
}

static __always_inline void *lookup_or_init(void *map, const void *key,
					    const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	/* -EEXIST: another CPU created it meanwhile, which is fine */
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline void hist_add(struct tdxtop_hist *h, __u32 m, __u64 ns)
{
	if (h) {
		__u32 b = tdxtop_bucket(ns);

		if (b < TDXTOP_HIST_BUCKETS)
			__sync_fetch_and_add(&h->bucket[m][b], 1);
	}
}

/* a row with one writer: the vCPU's own thread */
static __always_inline void add_sample(struct tdxtop_stats *st,
				       struct tdxtop_hist *h, __u32 m, __u64 ns)
{
	if (m >= TDXTOP_NR_METRICS)
		return;
	if (!st->n[m] || ns < st->min[m])
		st->min[m] = ns;
	if (ns > st->max[m])
		st->max[m] = ns;
	st->n[m]++;
	st->sum[m] += ns;
	hist_add(h, m, ns);
}

/* a row any CPU may write at the same time */
static __always_inline void add_sample_shared(struct tdxtop_stats *st,
					      struct tdxtop_hist *h, __u32 m,
					      __u64 ns)
{
	__u64 old;
	int i;

	if (m >= TDXTOP_NR_METRICS)
		return;
	for (i = 0; i < 4; i++) {
		old = st->min[m];
		if (old <= ns || __sync_val_compare_and_swap(&st->min[m], old, ns) == old)
			break;
	}
	for (i = 0; i < 4; i++) {
		old = st->max[m];
		if (old >= ns || __sync_val_compare_and_swap(&st->max[m], old, ns) == old)
			break;
	}
	__sync_fetch_and_add(&st->sum[m], ns);
	__sync_fetch_and_add(&st->n[m], 1);
	hist_add(h, m, ns);
}

static __always_inline bool filtered_out(__u32 tgid, __u32 vcpu)
{
	if (targ_tgid && tgid != targ_tgid)
		return true;
	if (targ_vcpu != TDXTOP_VCPU_NONE && vcpu != targ_vcpu)
		return true;
	return false;
}

/*
 * Rows of one event: the per-vCPU stats row and the per-reason histogram.
 * Returns 0 when the event could not be counted at all.
 */
static __always_inline int get_rows(struct tdxtop_key *k,
				    struct tdxtop_stats **st,
				    struct tdxtop_hist **h)
{
	struct tdxtop_hkey hk = {
		.tgid = k->tgid, .reason = k->reason, .status = k->status,
		.kind = k->kind, .leaf = k->leaf,
	};

	*st = lookup_or_init(&stats, k, k->kind == TDXTOP_KIND_URET ?
			     &shared_stats : &zero_stats);
	if (!*st) {
		count_drop(TDXTOP_DROP_STATS_FULL);
		return 0;
	}
	*h = lookup_or_init(&hists, &hk, &zero_hist);
	if (!*h)
		count_drop(TDXTOP_DROP_HIST_FULL);
	return 1;
}

SEC("raw_tp/tdx_vp_enter")
int tdx_vp_enter(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	__u32 vcpu = ctx[TDX_VP_ENTER_VCPU_ID];
	__u64 status = ctx[TDX_VP_ENTER_STATUS];
	__u32 restored = ctx[TDX_VP_ENTER_RESTORED];
	struct tdxtop_key k = {};
	struct tdxtop_vkey vk = {};
	struct tdxtop_vstate *vs;
	struct tdxtop_stats *st;
	struct tdxtop_hist *h;
	__u64 guest, restore, now, host = 0;
	bool have_host = false;
	int i;

	if (filtered_out(tgid, vcpu))
		return 0;
	guest = tdxtop_cyc2ns(ctx[TDX_VP_ENTER_GUEST_CYCLES], tsc_mult, tsc_shift);
	restore = tdxtop_cyc2ns(ctx[TDX_VP_ENTER_RESTORE_CYCLES], tsc_mult, tsc_shift);
	if (guest < min_guest_ns) {
		count_drop(TDXTOP_FILTERED);
		return 0;
	}

	/* Host time: this entry (now - guest - restore) minus the last exit */
	now = bpf_ktime_get_ns();
	vk.tgid = tgid;
	vk.vcpu = vcpu;
	vs = bpf_map_lookup_elem(&vcpus, &vk);
	if (vs) {
		__u64 entry = now - guest - restore;

		if (vs->tid == tid && entry >= vs->last_exit_ns &&
		    now >= guest + restore) {
			host = entry - vs->last_exit_ns;
			have_host = true;
		} else if (vs->tid == tid) {
			count_drop(TDXTOP_DROP_HOST_SKEW);
		}
		vs->last_exit_ns = now;
		vs->tid = tid;
	} else {
		struct tdxtop_vstate nv = { .last_exit_ns = now, .tid = tid };

		if (bpf_map_update_elem(&vcpus, &vk, &nv, BPF_NOEXIST) == -E2BIG)
			count_drop(TDXTOP_DROP_VCPU_FULL);
	}

	k.tgid = tgid;
	k.vcpu = vcpu;
	k.reason = ctx[TDX_VP_ENTER_EXIT_REASON];
	k.status = tdxtop_status_class(status);
	k.leaf = ctx[TDX_VP_ENTER_LEAF];
	k.kind = TDXTOP_KIND_EXIT;
	if (!get_rows(&k, &st, &h))
		return 0;

	st->count++;
	add_sample(st, h, TDXTOP_M_GUEST, guest);
	add_sample(st, h, TDXTOP_M_RESTORE, restore);
	if (have_host)
		add_sample(st, h, TDXTOP_M_HOST, host);
	for (i = 0; i < TDXTOP_NR_RESTORED; i++)
		if (restored & (1u << i))
			st->restored[i]++;
	return 0;
}

/* Counts and costs of the events that are not exits */
static __always_inline int count_other(__u32 kind, __u32 vcpu, __u64 leaf,
				       __u64 cycles, bool timed)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tdxtop_key k = {};
	struct tdxtop_stats *st;
	struct tdxtop_hist *h;

	k.tgid = id >> 32;
	if (filtered_out(k.tgid, vcpu))
		return 0;
	k.vcpu = vcpu;
	k.reason = -1u;
	k.leaf = leaf;
	k.kind = kind;
	if (!get_rows(&k, &st, &h))
		return 0;
	if (kind == TDXTOP_KIND_URET) {
		__sync_fetch_and_add(&st->count, 1);
		add_sample_shared(st, h, TDXTOP_M_RESTORE,
				  tdxtop_cyc2ns(cycles, tsc_mult, tsc_shift));
		return 0;
	}
	st->count++;
	if (timed)
		add_sample(st, h, TDXTOP_M_RESTORE,
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
