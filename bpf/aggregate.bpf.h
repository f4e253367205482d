/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxtop's maps and the aggregation into them, for each BPF object that
 * fills them: bpf/tdx_enter.bpf.c (the tdx events), bpf/kvm_exit.bpf.c
 * (kvm_entry/kvm_exit) and the benchmarks' loops.  User space reads the maps
 * once per interval (tools/tdxtop/collect/read.c); their layout is in
 * tdx_enter.h.  Shared as a header, the libbpf-tools way (maps.bpf.h): an
 * object that included another's .c would get its programs too.
 */
#ifndef __TDXTOP_AGGREGATE_BPF_H
#define __TDXTOP_AGGREGATE_BPF_H

#define __TDXTOP_BPF__
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>
#include "tdx_enter.h"

/* Filters, the TSC conversion and map sizes, set by user space before load */
const volatile __u32 targ_tgid = 0;		/* 0: every VMM process */
const volatile __u32 targ_vcpu = TDXTOP_VCPU_NONE;	/* NONE: every vCPU */
const volatile __u64 min_guest_ns = 0;
const volatile __u32 tsc_mult = 1;
const volatile __u32 tsc_shift = 0;
const volatile __u32 slot_mask = TDXTOP_DEF_SLOTS - 1;	/* of vcpu_slots */
const volatile __u32 hist_max = TDXTOP_DEF_HISTS;	/* max_entries of hists */
const volatile __u32 copy_max = TDXTOP_DEF_HISTS;	/* of cpu_hists */

/* Outlier capture (tdx_vp_capture only): fixed thresholds, or per histogram */
const volatile __u64 outlier_ns[TDXTOP_NR_METRICS] = {
	TDXTOP_NO_THRESH, TDXTOP_NO_THRESH, TDXTOP_NO_THRESH,
};
const volatile bool outlier_auto = false;
const volatile __u32 outlier_cap = 100;		/* records a second */

/* Histograms handed out so far (some may be unused after a lost race) */
__u32 hist_next = 0;
/* Per-CPU copies handed out so far */
__u32 copy_next = 0;
/* The rate cap's window: second of CLOCK_MONOTONIC << 32 | records sent in it */
__u64 outlier_win = 0;

/*
 * The layout is explained in tdx_enter.h, above struct tdxtop_slot.  User
 * space maps both arrays and reads the blocks in use in place (no copy of
 * 12 MiB a second through the bpf syscall at 1,024 vCPUs).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TDXTOP_DEF_SLOTS);
	__type(key, __u32);
	__type(value, struct tdxtop_slot);
} vcpu_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TDXTOP_DEF_SLOTS);
	__type(key, __u32);
	__type(value, struct tdxtop_row_block);
} vcpu_rows SEC(".maps");

/*
 * Rows that found no place in "vcpu_slots"/"vcpu_rows", and the user-return
 * rows.
 * Preallocated, so creating one never allocates on this path (a
 * no-prealloc map fails with -ENOMEM when a burst of new keys empties the
 * BPF allocator's cache).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TDXTOP_DEF_SHARED_ROWS);
	__type(key, struct tdxtop_key);
	__type(value, struct tdxtop_map_row);
} shared_rows SEC(".maps");

/*
 * Histograms are large (7 KiB) and shared by the vCPUs of a process.  A CPU
 * that samples into histogram i takes a copy of its own from "cpu_hists"
 * (recorded in its entry i of "cpu_hist_idx") and bumps it with plain adds:
 * every tdx event fires with preemption disabled and these programs do not
 * nest, so a CPU's copy has one writer.  When the copies are used up, the
 * shared histogram i of "hists" takes the sample, atomically; and always for
 * user-return samples, whose notifier may also run from an IPI.  User space
 * adds a histogram's copies to it.  Memory is bounded by the map sizes, not
 * by the number of CPUs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TDXTOP_DEF_HISTS);
	__type(key, __u32);
	__type(value, struct tdxtop_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TDXTOP_DEF_HISTS);
	__type(key, __u32);
	__type(value, struct tdxtop_hist);
} cpu_hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDXTOP_DEF_HISTS);
	__type(key, __u32);
	__type(value, __u32);	/* index + 1 in cpu_hists, TDXTOP_NO_COPY, or 0 */
} cpu_hist_idx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TDXTOP_DEF_HISTS);
	__type(key, struct tdxtop_hkey);
	__type(value, __u32);
} hist_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDXTOP_NR_BPF_LOSSES);
	__type(key, __u32);
	__type(value, __u64);
} losses SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDXTOP_NR_BPF_NOTES);
	__type(key, __u32);
	__type(value, __u64);
} notes SEC(".maps");

/*
 * Outlier capture, used by tdx_vp_capture only: tdx_vp_enter, the program
 * loaded by default, is compiled without any of it.  The ring buffer is
 * read once per interval, so records are submitted without a wakeup.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);	/* sized by user space */
} outlier_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TDXTOP_DEF_HISTS);
	__type(key, __u32);
	__type(value, struct tdxtop_thresh);
} outlier_thresh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDXTOP_NR_OUTLIER_COUNTS);
	__type(key, __u32);
	__type(value, __u64);
} outlier_stats SEC(".maps");

static __always_inline void count_loss(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&losses, &what);

	if (c)
		(*c)++;
}

static __always_inline void count_note(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&notes, &what);

	if (c)
		(*c)++;
}

/* Index + 1 of the histogram of a row's key, 0 when none is left */
static __always_inline __u32 hist_id(const struct tdxtop_key *k)
{
	struct tdxtop_hkey hk = {
		.tgid = k->tgid, .reason = k->reason, .status = k->status,
		.kind = k->kind, .leaf = k->leaf,
	};
	__u32 *p = bpf_map_lookup_elem(&hist_ids, &hk);
	__u32 id;

	if (p)
		return *p + 1;
	id = __sync_fetch_and_add(&hist_next, 1);
	if (id >= hist_max)
		return 0;
	/* -EEXIST: another vCPU of the process won; id stays unused */
	if (bpf_map_update_elem(&hist_ids, &hk, &id, BPF_NOEXIST)) {
		p = bpf_map_lookup_elem(&hist_ids, &hk);
		return p ? *p + 1 : 0;
	}
	return id + 1;
}

static __always_inline bool same_row(const struct tdxtop_key *a,
				     const struct tdxtop_key *b)
{
	return a->reason == b->reason && a->status == b->status &&
	       a->leaf == b->leaf && a->kind == b->kind;
}

/* The slot of a vCPU, claimed on its first event; NULL when none is free */
static __always_inline struct tdxtop_slot *slot_get(__u32 tgid, __u32 vcpu,
						    __u32 *idx)
{
	__u64 id = TDXTOP_SLOT_USED | (__u64)tgid << 32 | vcpu;
	__u32 h = tdxtop_slot_hash(tgid, vcpu);
	int i;

	for (i = 0; i < TDXTOP_PROBES; i++) {
		__u32 k = (h + i) & slot_mask;
		struct tdxtop_slot *s = bpf_map_lookup_elem(&vcpu_slots, &k);
		__u64 old;

		if (!s)
			return NULL;
		old = s->id;
		if (!old)
			old = __sync_val_compare_and_swap(&s->id, 0, id);
		if (!old || old == id) {
			*idx = k;
			return s;
		}
	}
	return NULL;
}

/* A row of the vCPU in slot "slot"; only this vCPU's thread writes them */
static __always_inline struct tdxtop_map_row *slot_row(__u32 slot,
						     const struct tdxtop_key *k)
{
	struct tdxtop_row_block *b = bpf_map_lookup_elem(&vcpu_rows, &slot);
	__u32 h = tdxtop_row_hash(k);
	int i;

	if (!b)
		return NULL;
	for (i = 0; i < TDXTOP_PROBES; i++) {
		struct tdxtop_map_row *e = &b->row[(h + i) & (TDXTOP_SLOT_ROWS - 1)];

		if (e->live) {
			if (same_row(&e->key, k))
				return e;
			continue;
		}
		e->key = *k;
		e->hist = hist_id(k);
		/* user space reads a row only once "live" is set */
		asm volatile("" ::: "memory");
		e->live = 1;
		return e;
	}
	return NULL;
}

/* A row of the hash "shared_rows" */
static __always_inline struct tdxtop_map_row *hash_row(const struct tdxtop_key *k,
						     bool shared)
{
	struct tdxtop_map_row *e = bpf_map_lookup_elem(&shared_rows, k);
	struct tdxtop_map_row nv = {};
	int i;

	if (e)
		return e;
	nv.key = *k;
	nv.hist = hist_id(k);
	nv.live = 1;
	if (shared)	/* shared rows take min with a CAS */
		for (i = 0; i < TDXTOP_NR_METRICS; i++)
			nv.st.min[i] = ~0ULL;
	/* -EEXIST: another CPU created it meanwhile, which is fine */
	bpf_map_update_elem(&shared_rows, k, &nv, BPF_NOEXIST);
	e = bpf_map_lookup_elem(&shared_rows, k);
	if (!e)
		count_loss(TDXTOP_LOSS_STATS_FULL);
	return e;
}

/* Where a row's samples go: this CPU's copy (plain adds) or the shared one */
struct hist_ref {
	struct tdxtop_hist *h;
	bool plain;
};

static __always_inline struct hist_ref row_hist(struct tdxtop_map_row *e,
						bool cpu_copy)
{
	struct hist_ref r = {};
	__u32 id = e->hist - 1, cpu, *c;

	if (!e->hist) {
		count_loss(TDXTOP_LOSS_HIST_FULL);
		return r;
	}
	if (cpu_copy) {
		/* the row has one writer, which caches where its CPU's copy is */
		cpu = bpf_get_smp_processor_id() + 1;
		if (e->copy_cpu != cpu) {
			c = bpf_map_lookup_elem(&cpu_hist_idx, &id);
			if (c && !*c) {
				__u32 n = __sync_fetch_and_add(&copy_next, 1);

				*c = n < copy_max ? n + 1 : TDXTOP_NO_COPY;
			}
			e->copy_cpu = cpu;
			e->copy_idx = c ? *c : TDXTOP_NO_COPY;
		}
		if (e->copy_idx != TDXTOP_NO_COPY) {
			__u32 i = e->copy_idx - 1;

			r.h = bpf_map_lookup_elem(&cpu_hists, &i);
			r.plain = true;
			if (r.h)
				return r;
		}
	}
	r.h = bpf_map_lookup_elem(&hists, &id);
	r.plain = false;
	return r;
}

static __always_inline void hist_add(struct hist_ref r, __u32 m, __u64 ns)
{
	__u32 b;

	if (!r.h)
		return;
	b = tdxtop_bucket(ns);
	if (b >= TDXTOP_HIST_BUCKETS)
		return;
	if (r.plain)
		r.h->bucket[m][b]++;
	else
		__sync_fetch_and_add(&r.h->bucket[m][b], 1);
}

/*
 * A sample of a row with one writer, the vCPU's own thread, whose count
 * already includes this event; kind: the row's, for tdxtop_n_implied()
 */
static __always_inline void add_sample(struct tdxtop_stats *st, __u32 kind,
				       struct hist_ref h, __u32 m, __u64 ns)
{
	bool implied = tdxtop_n_implied(kind, m);
	__u64 before;

	if (m >= TDXTOP_NR_METRICS)
		return;
	before = implied ? st->count - 1 : st->n[m];
	if (!before || ns < st->min[m])
		st->min[m] = ns;
	if (ns > st->max[m])
		st->max[m] = ns;
	if (!implied)
		st->n[m] = before + 1;
	st->sum[m] += ns;
	hist_add(h, m, ns);
}

/* a row any CPU may write at the same time */
static __always_inline void add_sample_shared(struct tdxtop_stats *st,
					      struct hist_ref h, __u32 m,
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
	/* n[m] is implied by the count (tdxtop_n_implied) */
	__sync_fetch_and_add(&st->sum[m], ns);
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

/* The row of a vCPU's event: in its slot's block, else in shared_rows */
static __always_inline struct tdxtop_map_row *vcpu_row(const struct tdxtop_key *k,
						     struct tdxtop_slot **sp)
{
	struct tdxtop_map_row *e = NULL;
	struct tdxtop_slot *s;
	__u32 idx;

	s = slot_get(k->tgid, k->vcpu, &idx);
	if (sp)
		*sp = s;
	if (s)
		e = slot_row(idx, k);
	return e ? e : hash_row(k, false);
}

static __always_inline void count_outlier(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&outlier_stats, &what);

	if (c)
		(*c)++;
}

/*
 * Whether one more record fits in this second's budget: the window and its
 * count are one word, moved by compare-and-swap, so no second ever sends
 * more than outlier_cap (a CPU that keeps losing the race counts as capped)
 */
static __always_inline bool outlier_admit(void)
{
	__u64 sec = bpf_ktime_get_ns() / 1000000000;
	int i;

	for (i = 0; i < 4; i++) {
		__u64 old = outlier_win, nv;

		if (old >> 32 != (sec & 0xffffffff))
			nv = sec << 32 | 1;
		else if ((old & 0xffffffff) >= outlier_cap)
			return false;
		else
			nv = old + 1;
		if (__sync_val_compare_and_swap(&outlier_win, old, nv) == old)
			return true;
	}
	return false;
}

/*
 * An exit of row e with times above their thresholds goes to user space:
 * its time stamp, raw status, leaf and exit qualification, and its times
 * (host and restore: TDXTOP_NO_NS when there is none)
 */
static __always_inline void check_outlier(const struct tdxtop_map_row *e, __u64 tsc,
					  __u64 status, __u64 leaf, __u64 qual,
					  __u64 guest, __u64 host, __u64 restore)
{
	__u64 tg = outlier_ns[TDXTOP_M_GUEST], th = outlier_ns[TDXTOP_M_HOST];
	__u64 tr = outlier_ns[TDXTOP_M_RESTORE];
	struct tdxtop_outlier *o;
	__u32 over = 0;

	if (outlier_auto) {
		__u32 id = e->hist - 1;
		struct tdxtop_thresh *t;

		if (!e->hist)
			return;
		t = bpf_map_lookup_elem(&outlier_thresh, &id);
		if (!t)
			return;
		tg = t->ns_1[TDXTOP_M_GUEST] - 1;
		th = t->ns_1[TDXTOP_M_HOST] - 1;
		tr = t->ns_1[TDXTOP_M_RESTORE] - 1;
	}
	if (guest > tg)
		over |= 1 << TDXTOP_M_GUEST;
	if (host != TDXTOP_NO_NS && host > th)
		over |= 1 << TDXTOP_M_HOST;
	if (restore != TDXTOP_NO_NS && restore > tr)
		over |= 1 << TDXTOP_M_RESTORE;
	if (!over)
		return;
	if (!outlier_admit()) {
		count_outlier(TDXTOP_OUTLIER_CAPPED);
		return;
	}
	o = bpf_ringbuf_reserve(&outlier_ring, sizeof(*o), 0);
	if (!o) {
		count_outlier(TDXTOP_OUTLIER_LOST);
		return;
	}
	o->tsc = tsc;
	o->status = status;
	o->leaf = leaf;
	o->exit_qual = qual;
	o->ns[TDXTOP_M_GUEST] = guest;
	o->ns[TDXTOP_M_HOST] = host;
	o->ns[TDXTOP_M_RESTORE] = restore;
	o->tgid = e->key.tgid;
	o->vcpu = e->key.vcpu;
	o->reason = e->key.reason;
	o->over = over;
	bpf_ringbuf_submit(o, BPF_RB_NO_WAKEUP);
	count_outlier(TDXTOP_OUTLIER_SENT);
}

/*
 * One exit: ctx holds tdx_vp_enter's arguments (a benchmark may pass
 * others).  capture: a constant; false compiles outlier capture out.
 */
static __always_inline int on_vp_enter(const __u64 *ctx, bool capture)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	__u32 vcpu = ctx[TDX_VP_ENTER_VCPU_ID];
	__u32 restored = ctx[TDX_VP_ENTER_RESTORED];
	__u64 tsc = ctx[TDX_VP_ENTER_TSC];
	/* read once: each read of a volatile is a load */
	__u32 mult = tsc_mult, shift = tsc_shift;
	struct tdxtop_key k = {};
	struct tdxtop_map_row *e;
	struct tdxtop_slot *s;
	struct hist_ref h;
	__u64 guest, restore, host = TDXTOP_NO_NS;
	int i;

	if (filtered_out(tgid, vcpu))
		return 0;
	guest = tdxtop_cyc2ns(ctx[TDX_VP_ENTER_GUEST_CYCLES], mult, shift);
	restore = tdxtop_cyc2ns(ctx[TDX_VP_ENTER_RESTORE_CYCLES], mult, shift);
	if (guest < min_guest_ns) {
		count_note(TDXTOP_NOTE_FILTERED);
		return 0;
	}

	k.tgid = tgid;
	k.vcpu = vcpu;
	k.reason = ctx[TDX_VP_ENTER_EXIT_REASON];
	k.status = tdxtop_status_class(ctx[TDX_VP_ENTER_STATUS]);
	k.leaf = ctx[TDX_VP_ENTER_LEAF];
	k.kind = TDXTOP_KIND_EXIT;
	e = vcpu_row(&k, &s);
	if (!e)
		return 0;
	h = row_hist(e, true);

	e->st.count++;
	add_sample(&e->st, TDXTOP_KIND_EXIT, h, TDXTOP_M_GUEST, guest);
	add_sample(&e->st, TDXTOP_KIND_EXIT, h, TDXTOP_M_RESTORE, restore);
	for (i = 0; i < TDXTOP_NR_RESTORED; i++)
		if (restored & (1u << i))
			e->st.restored[i]++;

	/*
	 * Host time: from the last exit's tsc to this entry, which is this
	 * event's tsc less the restore and guest cycles (TSCs are synchronised
	 * across CPUs on TDX hosts; a step back is counted, not sampled).
	 */
	if (!s) {
		count_loss(TDXTOP_LOSS_VCPU_FULL);
		if (capture)
			check_outlier(e, tsc, ctx[TDX_VP_ENTER_STATUS],
				      ctx[TDX_VP_ENTER_LEAF], ctx[TDX_VP_ENTER_EXIT_QUAL],
				      guest, host, restore);
		return 0;
	}
	if (s->last_tsc) {
		__u64 spent = ctx[TDX_VP_ENTER_GUEST_CYCLES] +
			      ctx[TDX_VP_ENTER_RESTORE_CYCLES];

		if (tsc >= spent && tsc - spent >= s->last_tsc) {
			host = tdxtop_cyc2ns(tsc - spent - s->last_tsc, mult, shift);
			add_sample(&e->st, TDXTOP_KIND_EXIT, h, TDXTOP_M_HOST, host);
		} else {
			count_note(TDXTOP_NOTE_HOST_SKEW);
		}
	}
	s->last_tsc = tsc;
	if (capture)
		check_outlier(e, tsc, ctx[TDX_VP_ENTER_STATUS], ctx[TDX_VP_ENTER_LEAF],
			      ctx[TDX_VP_ENTER_EXIT_QUAL], guest, host, restore);
	return 0;
}

#endif /* __TDXTOP_AGGREGATE_BPF_H */
