/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The aggregation rules of tdxtop, compiled into both the BPF object
 * (bpf/tdx_enter.bpf.c) and user space (tools/tdxtop), so that what the
 * kernel aggregates and what user space reads, groups and reports follow
 * one definition: map keys and values, default map sizes, losses and notes,
 * histogram bucket math, the status class of a TDH.VP.ENTER return, and the
 * cycles-to-ns conversion.
 */
#ifndef __TDX_ENTER_H
#define __TDX_ENTER_H

#ifdef __TDXTOP_BPF__
#define TDXTOP_INLINE static __always_inline
#else
#include <linux/types.h>
#define TDXTOP_INLINE static inline
#endif

/* Raw tracepoint arguments, in TP_PROTO order (include/trace/events/tdx.h) */
enum tdx_vp_enter_args {
	TDX_VP_ENTER_VCPU_ID,
	TDX_VP_ENTER_STATUS,
	TDX_VP_ENTER_EXIT_REASON,
	TDX_VP_ENTER_LEAF,
	TDX_VP_ENTER_EXIT_QUAL,
	TDX_VP_ENTER_GUEST_CYCLES,
	TDX_VP_ENTER_RESTORE_CYCLES,
	TDX_VP_ENTER_RESTORED,
	TDX_VP_ENTER_TSC,
	TDX_VP_ENTER_NR_ARGS,
};
#define TDX_VP_ENTER_DEFERRED_NR_ARGS	1	/* vcpu_id */
#define TDX_HOST_GSBASE_NR_ARGS		2	/* vcpu_id, cycles */
#define TDX_URET_RESTORE_NR_ARGS	3	/* msrs, nr, cycles */

/* Bits of tdx_vp_enter's "restored" (TDX_RESTORED_* in the kernel) */
#define TDXTOP_NR_RESTORED	4	/* DEBUGCTL, PKRU, XCR0, XSS */

/* What a row counts */
enum tdxtop_kind {
	TDXTOP_KIND_EXIT,	/* tdx_vp_enter */
	TDXTOP_KIND_DEFERRED,	/* tdx_vp_enter_deferred */
	TDXTOP_KIND_GSBASE,	/* tdx_host_gsbase */
	TDXTOP_KIND_URET,	/* tdx_uret_restore */
	TDXTOP_KIND_KVM_EXIT,	/* kvm:kvm_exit (--source kvm; btf: not a TD) */
	TDXTOP_KIND_TD_EXIT,	/* a TD's tdx_vcpu_run() (--source btf) */
	TDXTOP_NR_KINDS,
};

/*
 * The kvm source (tdxtop --source kvm): KVM's own kvm_entry and kvm_exit,
 * for kernels without the tdx events.  Its exit rows are of kind
 * TDXTOP_KIND_KVM_EXIT and keep in "status" the ISA kvm_exit reports (the
 * table that decodes the reason), not a TDX status: the source knows none,
 * nor a TDVMCALL leaf (0) or a restore time (never sampled).
 */
#define TDXTOP_ISA_VMX		1	/* KVM_ISA_VMX */
#define TDXTOP_ISA_SVM		2	/* KVM_ISA_SVM */

/*
 * The btf source (tdxtop --source btf): stock kernels whose BTF has struct
 * vcpu_tdx.  A TD's exits are read around KVM's own tdx_vcpu_run() (from
 * its kvm_entry to its return): rows of kind TDXTOP_KIND_TD_EXIT with the
 * raw status, exit reason and TDVMCALL leaf as the tdx source has them,
 * times from bpf_ktime_get_ns(), and no restore time (never sampled).
 * Other VMs' exits are the kvm source's rows (TDXTOP_KIND_KVM_EXIT).
 */

/* Whether rows of this kind are exits, of any source */
TDXTOP_INLINE int tdxtop_kind_is_exit(__u32 kind)
{
	return kind == TDXTOP_KIND_EXIT || kind == TDXTOP_KIND_KVM_EXIT ||
	       kind == TDXTOP_KIND_TD_EXIT;
}

/* Whether rows of this kind are a TD's exits: status and leaf known */
TDXTOP_INLINE int tdxtop_kind_is_td_exit(__u32 kind)
{
	return kind == TDXTOP_KIND_EXIT || kind == TDXTOP_KIND_TD_EXIT;
}

/* Whether this kind of exit row has restore times (only the tdx events') */
TDXTOP_INLINE int tdxtop_kind_restore_seen(__u32 kind)
{
	return !tdxtop_kind_is_exit(kind) || kind == TDXTOP_KIND_EXIT;
}

/*
 * Times kept per row.  GUEST: SEAMCALL + TDX module + guest.  HOST: from the
 * end of one exit's restore to the next TDH.VP.ENTER of the same vCPU, from
 * the events' TSCs.
 * RESTORE: the per-exit restore for exits, the write itself for GSBASE and
 * URET rows.  Rows of the kvm source: GUEST from kvm_entry to kvm_exit,
 * HOST from a kvm_exit to the vCPU's next kvm_entry, in ns; no RESTORE.
 */
enum tdxtop_metric {
	TDXTOP_M_GUEST,
	TDXTOP_M_HOST,
	TDXTOP_M_RESTORE,
	TDXTOP_NR_METRICS,
};

/*
 * Losses: events, or samples of them, that could not be aggregated.  Never
 * silent: tdxtop shows each.  The BPF side counts the first three in the
 * per-CPU array "losses"; MISSED is the kernel's count of program runs it
 * skipped because the program was already running on that CPU
 * (bpf_prog_info.recursion_misses), which since raw tracepoint programs
 * became preemptible can happen to events fired from preemptible context.
 */
enum tdxtop_loss {
	TDXTOP_LOSS_STATS_FULL,	/* "shared_rows" full: event not counted */
	TDXTOP_LOSS_HIST_FULL,	/* no histogram left: counted, not sampled */
	TDXTOP_LOSS_VCPU_FULL,	/* no vCPU slot: counted, no host time */
	TDXTOP_LOSS_MISSED,	/* user space only: recursion_misses */
	TDXTOP_NR_LOSSES,
};
#define TDXTOP_NR_BPF_LOSSES	TDXTOP_LOSS_MISSED

/*
 * Notes: events that are not counted by choice, or whose host time cannot
 * be derived; not losses.  The per-CPU array "notes".
 */
enum tdxtop_note {
	TDXTOP_NOTE_FILTERED,	/* guest time below --min-latency */
	TDXTOP_NOTE_HOST_SKEW,	/* entry before the previous exit's TSC */
	/*
	 * kvm source: a kvm_entry with no kvm_exit since the vCPU's previous
	 * one (a TD exit KVM handles without kvm_exit, e.g. EPT misconfig):
	 * that guest run is in no row.  Counted in the per-CPU array
	 * "kvm_unpaired" of bpf/kvm_exit.bpf.c.
	 */
	TDXTOP_NOTE_UNPAIRED,
	TDXTOP_NR_NOTES,
};
#define TDXTOP_NR_BPF_NOTES	TDXTOP_NOTE_UNPAIRED	/* entries of "notes" */

/*
 * Default map sizes, the one source for the BPF object, tools/tdxtop/collect/maps.c
 * and the help text.  vcpu_slots holds TDXTOP_DEF_SLOTS entries: the smallest
 * power of two at most 3/4 full with TDXTOP_DEF_VCPUS vCPUs
 * (tdxtop_nr_slots()).
 */
#define TDXTOP_DEF_VCPUS	1024
#define TDXTOP_DEF_SLOTS	2048
#define TDXTOP_DEF_SHARED_ROWS	16384
#define TDXTOP_DEF_HISTS	1024

#define TDXTOP_VCPU_NONE	0xffffffffu

/*
 * Outlier capture (tdxtop --outliers): an exit with a time above its
 * threshold is copied to user space whole, through the ring buffer
 * "outlier_ring", at most "outlier_cap" a second.  Thresholds are fixed per
 * metric (rodata outlier_ns) or, in auto mode, per histogram (the array
 * "outlier_thresh", indexed like "hists", which user space rewrites each
 * interval).  A metric whose threshold is TDXTOP_NO_THRESH is not checked.
 * The per-CPU array "outlier_stats" counts what became of each outlier.
 */
#define TDXTOP_NO_THRESH	(~0ULL)
#define TDXTOP_NO_NS		(~0ULL)	/* an outlier's time its source has not */

enum tdxtop_outlier_count {
	TDXTOP_OUTLIER_SENT,	/* into the ring buffer */
	TDXTOP_OUTLIER_CAPPED,	/* over the rate cap: counted, not sent */
	TDXTOP_OUTLIER_LOST,	/* the ring buffer was full */
	TDXTOP_NR_OUTLIER_COUNTS,
};

/* A record of "outlier_ring" */
struct tdxtop_outlier {
	__u64 tsc;		/* the event's TSC */
	__u64 status;		/* raw TDH.VP.ENTER return */
	__u64 leaf;
	__u64 exit_qual;
	__u64 ns[TDXTOP_NR_METRICS];	/* TDXTOP_NO_NS when unknown */
	__u32 tgid;
	__u32 vcpu;
	__u32 reason;
	__u32 over;		/* bit m: metric m above its threshold */
};

/*
 * A value of "outlier_thresh": per metric the threshold + 1, so that the
 * zeroes the map is created with mean no threshold yet (0 - 1 wraps to
 * TDXTOP_NO_THRESH)
 */
struct tdxtop_thresh {
	__u64 ns_1[TDXTOP_NR_METRICS];
};

/* Identity of a row: VM process, vCPU, reason, leaf, status, kind */
struct tdxtop_key {
	__u32 tgid;		/* VMM process */
	__u32 vcpu;		/* vcpu_id, or TDXTOP_VCPU_NONE */
	__u32 reason;		/* exit reason KVM handles (-1u: none) */
	__u32 status;		/* TDH.VP.ENTER status, bits 63:32 */
	__u64 leaf;		/* TDVMCALL leaf; URET: MSR mask */
	__u32 kind;		/* enum tdxtop_kind */
	__u32 pad;
};

struct tdxtop_stats {
	__u64 count;
	__u64 n[TDXTOP_NR_METRICS];	/* samples per metric (see below) */
	__u64 sum[TDXTOP_NR_METRICS];	/* ns */
	__u64 min[TDXTOP_NR_METRICS];
	__u64 max[TDXTOP_NR_METRICS];
	__u64 restored[TDXTOP_NR_RESTORED];	/* exits that wrote each */
};

/*
 * Whether every event of a row of this kind samples metric m, so that its
 * number of samples is the row's count: the BPF side then does not count it
 * (n[m] stays 0 in the maps) and user space fills it in.  Exits sample guest
 * and restore time, GS base and user-return rows the restore time; host time
 * is counted (a vCPU's first exit has none).
 */
TDXTOP_INLINE int tdxtop_n_implied(__u32 kind, int m)
{
	if (m == TDXTOP_M_GUEST)
		return kind == TDXTOP_KIND_EXIT;
	if (m == TDXTOP_M_RESTORE)
		return kind == TDXTOP_KIND_EXIT || kind == TDXTOP_KIND_GSBASE ||
		       kind == TDXTOP_KIND_URET;
	return 0;
}

/*
 * The maps, and where rows live.  Each vCPU (VM process, vcpu_id) claims an
 * entry of the array "vcpu_slots" on its first event; the slot owns the
 * same entry of the array "vcpu_rows", a block of TDXTOP_SLOT_ROWS rows
 * found by open addressing on the rest of the key (and read by user space
 * in place: both arrays are mapped).  Only the vCPU's own thread writes them (KVM
 * runs a vCPU on one thread at a time), so an event costs two inlined array
 * lookups and plain updates.  A vCPU that finds no free slot, or a row key
 * that finds no free row within TDXTOP_PROBES probes, goes to the hash
 * "shared_rows" instead: slower, never lost.  User-return rows (written
 * from any task) always live there.
 *
 * Histograms are per VM process, reason, leaf, status and kind, shared by
 * the process's vCPUs: the hash "hist_ids" hands out an index into the
 * array "hists", once per row, when the row is created.  Each CPU bumps a
 * copy of its own: "cpu_hist_idx" (per-CPU array) maps a histogram index to
 * that CPU's copy in the array "cpu_hists" (bpf/tdx_enter.bpf.c explains
 * why).  "losses" and "notes" are per-CPU counters (enum tdxtop_loss,
 * enum tdxtop_note).
 */
#define TDXTOP_SLOT_ROWS	64	/* power of two */
#define TDXTOP_PROBES		16
#define TDXTOP_SLOT_USED	(1ULL << 63)

/* A value of "vcpu_slots" */
struct tdxtop_slot {
	__u64 id;		/* TDXTOP_SLOT_USED | tgid << 32 | vcpu; 0: free */
	__u64 last_tsc;		/* tsc of the vCPU's last exit, 0: none yet */
};

/* A row as the maps keep it: an entry of a block, a value of "shared_rows" */
struct tdxtop_map_row {
	struct tdxtop_key key;
	struct tdxtop_stats st;
	__u32 hist;		/* index in "hists" + 1; 0: none (map full) */
	__u32 live;		/* set once key and hist are written */
	/* the row's writer caches its CPU's copy of the histogram */
	__u32 copy_cpu;		/* CPU + 1 of copy_idx; 0: none cached */
	__u32 copy_idx;		/* a value of "cpu_hist_idx" */
};

/* A value of "vcpu_rows": the rows of one vCPU */
struct tdxtop_row_block {
	struct tdxtop_map_row row[TDXTOP_SLOT_ROWS];
};

/* Entries of "vcpu_slots" for a number of vCPUs: a power of two, <= 3/4 full */
TDXTOP_INLINE __u32 tdxtop_nr_slots(__u32 vcpus)
{
	__u32 slots = 1;

	while (slots < vcpus + vcpus / 3)
		slots <<= 1;
	return slots;
}

TDXTOP_INLINE __u32 tdxtop_slot_hash(__u32 tgid, __u32 vcpu)
{
	__u32 h = tgid * 0x9e3779b1u ^ vcpu * 0x85ebca77u;

	return h ^ h >> 15;
}

TDXTOP_INLINE __u32 tdxtop_row_hash(const struct tdxtop_key *k)
{
	__u32 h = k->reason * 0x9e3779b1u ^ k->status * 0x85ebca77u ^
		  (__u32)k->leaf * 0xc2b2ae3du ^ (__u32)(k->leaf >> 32) ^
		  k->kind * 0x27d4eb2fu;

	return h ^ h >> 16;
}

/*
 * Log-linear histograms: values below 32 ns have a bucket each; above, each
 * power of two is split into 16 buckets, so a bucket is at most 1/16 (6.25%)
 * of its lower bound wide.  Values of 2^40 ns (18 minutes) and more share
 * the last bucket.
 */
#define TDXTOP_HIST_SUB_BITS	4
#define TDXTOP_HIST_SUB		(1 << TDXTOP_HIST_SUB_BITS)
#define TDXTOP_HIST_MAX_MSB	39
#define TDXTOP_HIST_BUCKETS	\
	((TDXTOP_HIST_MAX_MSB - TDXTOP_HIST_SUB_BITS + 2) * TDXTOP_HIST_SUB)

/* The key of "hist_ids": a histogram's identity */
struct tdxtop_hkey {
	__u32 tgid;
	__u32 reason;
	__u32 status;
	__u32 kind;
	__u64 leaf;
};

struct tdxtop_hist {
	__u32 bucket[TDXTOP_NR_METRICS][TDXTOP_HIST_BUCKETS];
};

/* A value of "cpu_hist_idx": this CPU found no copy left; use the shared one */
#define TDXTOP_NO_COPY		0xffffffffu

/*
 * Index of the most significant set bit; v != 0.  A binary search: BPF has
 * no count-leading-zeros.  In bench/bpf_cost's warm loop the branches
 * predict well (latencies of one kind cluster): a branch-free version was
 * ~5 ns per exit slower, a table for the last byte ~3 ns.  Under QEMU TCG,
 * which ends a translated block at each branch, it costs ~300 ns per exit
 * more than either; real CPUs are what tdxtop runs on.
 */
TDXTOP_INLINE int tdxtop_msb(__u64 v)
{
	int r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

TDXTOP_INLINE __u32 tdxtop_bucket(__u64 v)
{
	int msb;

	if (v < 2 * TDXTOP_HIST_SUB)
		return v;
	msb = tdxtop_msb(v);
	if (msb > TDXTOP_HIST_MAX_MSB)
		return TDXTOP_HIST_BUCKETS - 1;
	return (msb - TDXTOP_HIST_SUB_BITS + 1) * TDXTOP_HIST_SUB +
	       ((v >> (msb - TDXTOP_HIST_SUB_BITS)) & (TDXTOP_HIST_SUB - 1));
}

/* Smallest value that falls into bucket idx */
TDXTOP_INLINE __u64 tdxtop_bucket_lo(__u32 idx)
{
	__u32 msb, sub;

	if (idx < 2 * TDXTOP_HIST_SUB)
		return idx;
	msb = idx / TDXTOP_HIST_SUB + TDXTOP_HIST_SUB_BITS - 1;
	sub = idx % TDXTOP_HIST_SUB;
	return (__u64)(TDXTOP_HIST_SUB + sub) << (msb - TDXTOP_HIST_SUB_BITS);
}

/* One past the largest value of bucket idx (the last bucket is open) */
TDXTOP_INLINE __u64 tdxtop_bucket_hi(__u32 idx)
{
	if (idx < 2 * TDXTOP_HIST_SUB)
		return idx + 1;
	if (idx >= TDXTOP_HIST_BUCKETS - 1)
		return ~0ULL;
	return tdxtop_bucket_lo(idx + 1);
}

/*
 * TSC cycles to ns: ns = cyc * mult / 2^shift, computed without overflowing
 * 64 bits the way perf's user page documents it (time_mult, time_shift).
 */
TDXTOP_INLINE __u64 tdxtop_cyc2ns(__u64 cyc, __u32 mult, __u32 shift)
{
	__u64 quot = cyc >> shift;
	__u64 rem = cyc & ((1ULL << shift) - 1);

	return quot * mult + ((rem * mult) >> shift);
}

/* Key status of a raw TDH.VP.ENTER return: its class, bits 63:32 */
TDXTOP_INLINE __u32 tdxtop_status_class(__u64 status)
{
	return status >> 32;
}

#endif /* __TDX_ENTER_H */
