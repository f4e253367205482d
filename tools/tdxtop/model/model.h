/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The model: one interval of TD enter/exit activity as a snapshot, and
 * what is computed from snapshots alone (grouping into views, histograms
 * and percentiles, diff's statistics, names of reasons, leaves and
 * statuses, self cost).  No BPF, no files, no output: every other layer
 * builds on this one.
 */
#ifndef __TDXTOP_MODEL_H
#define __TDXTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "tdx_enter.h"

/* ---- TSC to ns: the conversion a snapshot's times were made with ---- */

struct tdxtop_tsc {
	__u32 mult, shift;
	const char *source;	/* "perf", "calibrated", "--tsc-khz" */
};

/* ---- snapshots: one interval, all a consumer needs (snap.c) ---- */

struct tdxtop_row {
	struct tdxtop_key key;
	struct tdxtop_stats st;
};

/* One non-empty bucket of a sparse histogram */
struct tdxtop_bucket_count {
	__u16 metric;		/* enum tdxtop_metric */
	__u16 bucket;		/* tdxtop_bucket() */
	__u32 count;
};

/* A histogram of the interval: its buckets are snap->buckets[first, +nr) */
struct tdxtop_hrow {
	struct tdxtop_hkey key;
	__u32 first, nr;
};

#define TDXTOP_VM_NAME_LEN	64

/* A VMM process's name, raw: any bytes the process chose (see sanitize.c) */
struct tdxtop_vm {
	__u32 tgid;
	char name[TDXTOP_VM_NAME_LEN];
};

#define TDXTOP_MAX_PROGS	8
#define TDXTOP_PROG_NAME_LEN	16	/* BPF_OBJ_NAME_LEN */

/* What the kernel accounted to one BPF program in the interval */
struct tdxtop_prog_cost {
	char name[TDXTOP_PROG_NAME_LEN];
	__u64 run_cnt, run_time_ns;
};

/* An outlier as user space keeps it: the record, and its wall-clock time */
struct tdxtop_outlier_ev {
	struct tdxtop_outlier o;
	__u64 real_ns;		/* CLOCK_REALTIME of o.tsc */
};

/*
 * One interval: what happened between two reads of the maps, and what it
 * takes to print, record or compare it without the maps: rows (counts,
 * sums, min/max), sparse histograms, losses and notes, names of the VMs,
 * per-program cost, tdxtop's own CPU time, the TSC conversion and the
 * interval's bounds.  Rows and histograms come in map order; sort with
 * tdxtop_snap_sort() where an order matters.  min and max are since load.
 */
struct tdxtop_snap {
	__u64 start_ns, end_ns;		/* CLOCK_MONOTONIC */
	__u64 end_real_ns;		/* CLOCK_REALTIME at end_ns */
	const char *source;		/* event source: "tdx" */
	struct tdxtop_tsc tsc;
	struct tdxtop_row *rows;
	size_t nr_rows, cap_rows;
	struct tdxtop_hrow *hrows;
	size_t nr_hrows, cap_hrows;
	struct tdxtop_bucket_count *buckets;
	size_t nr_buckets, cap_buckets;
	struct tdxtop_vm *vms;		/* sorted by tgid */
	size_t nr_vms, cap_vms;
	__u64 losses[TDXTOP_NR_LOSSES];
	__u64 notes[TDXTOP_NR_NOTES];
	struct tdxtop_prog_cost progs[TDXTOP_MAX_PROGS];
	int nr_progs;
	bool timed;			/* BPF run-time accounting was on */
	__u64 user_cpu_ns;		/* tdxtop's own CPU time */
	/* outlier capture: NULL spec when off; outliers in TSC order */
	const char *outlier_spec;	/* "auto", "guest>1000000ns ..." */
	struct tdxtop_outlier_ev *outliers;
	size_t nr_outliers, cap_outliers;
	__u64 outlier_counts[TDXTOP_NR_OUTLIER_COUNTS];
};

/**
 * tdxtop_hash_key() - hash of a key
 * @key: the key
 * @size: its bytes, a multiple of 8 (tdxtop_key, tdxtop_hkey)
 *
 * Return: the hash.
 */
size_t tdxtop_hash_key(const void *key, size_t size);
/*
 * An open-addressing index of an array of entries of elem bytes, each with
 * its key of ksz bytes (a multiple of 8) at offset 0: slots hold entry
 * index + 1, 0 when free.
 */
struct tdxtop_index {
	__u32 *slot;
	size_t mask;
};

/**
 * tdxtop_index_find() - the slot of a key in an index
 * @x: the index
 * @base: the array of entries
 * @elem: bytes of an entry
 * @k: the key
 * @ksz: its bytes (at offset 0 of an entry)
 *
 * Return: the slot: the entry's index + 1, or the free slot (0) where it would go.
 */
__u32 *tdxtop_index_find(const struct tdxtop_index *x, const void *base, size_t elem,
			 const void *k, size_t ksz);
/**
 * tdxtop_index_reserve() - room to add an entry to an index
 * @x: the index
 * @base: the array of entries
 * @elem: bytes of an entry
 * @nr: entries in the array now, before the one to add
 * @ksz: bytes of a key
 *
 * Keeps the index at most half full, rebuilding it from @base[0, @nr) when it grows.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_index_reserve(struct tdxtop_index *x, const void *base, size_t elem,
			 size_t nr, size_t ksz);
/**
 * tdxtop_index_clear() - empty an index, sized for a number of entries
 * @x: the index
 * @n: entries it is to hold
 *
 * Its memory is kept when the size stays the same.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_index_clear(struct tdxtop_index *x, size_t n);
/**
 * tdxtop_index_free() - free an index
 * @x: the index, empty after
 */
void tdxtop_index_free(struct tdxtop_index *x);
/**
 * tdxtop_grow() - room for a number of elements in a growable array
 * @p: the array
 * @cap: its capacity, doubled as needed
 * @need: the elements it must hold
 * @elem: bytes of an element
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_grow(void **p, size_t *cap, size_t need, size_t elem);

/*
 * The one growable byte buffer: text (Prometheus), encoded blobs
 * (recordings), compressed histograms (hlog).  len bytes used of cap.
 */
struct tdxtop_buf {
	char *p;
	size_t len, cap;
};

/**
 * tdxtop_buf_room() - room for more bytes in a buffer
 * @b: the buffer
 * @n: bytes to add after b->len
 *
 * Return: 0 or -ENOMEM.
 */
static inline int tdxtop_buf_room(struct tdxtop_buf *b, size_t n)
{
	return b->len + n <= b->cap ? 0 : tdxtop_grow((void **)&b->p, &b->cap, b->len + n, 1);
}
#define TDXTOP_GROW(arr, cap, need) \
	tdxtop_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* The cumulative part of a row: what an interval subtracts */
struct tdxtop_cum {
	__u64 count;
	__u64 n[TDXTOP_NR_METRICS];
	__u64 sum[TDXTOP_NR_METRICS];
	__u64 restored[TDXTOP_NR_RESTORED];
};

/**
 * tdxtop_stats_delta() - the interval arithmetic of a row, the only one
 * @out: cur - prev for counts, sample counts, sums and restores; min and max stay
 *   cumulative
 * @cur: the row as the maps hold it now
 * @prev: what the last read saw; set to @cur
 *
 * Counters subtract modulo 2^64, so a wrapped one still gives its delta.
 *
 * Return: whether the row had events in the interval.
 */
bool tdxtop_stats_delta(struct tdxtop_stats *out, const struct tdxtop_stats *cur,
			struct tdxtop_cum *prev);
/**
 * tdxtop_snap_add_hist() - append a histogram's interval as a sparse histogram
 * @s: the snapshot
 * @k: its key
 * @cur: the histogram now
 * @prev: what the last read saw (NULL: add @cur whole); set to @cur
 *
 * Nothing is added when no bucket moved.  Buckets subtract modulo 2^32.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_add_hist(struct tdxtop_snap *s, const struct tdxtop_hkey *k,
			 const struct tdxtop_hist *cur, struct tdxtop_hist *prev);
/**
 * tdxtop_snap_add_bucket() - append one bucket of a histogram being built
 * @s: the snapshot
 * @metric: enum tdxtop_metric
 * @bucket: tdxtop_bucket()
 * @count: the count
 *
 * Buckets come in ascending (metric, bucket) order; tdxtop_snap_end_hist()
 * makes them a histogram.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_add_bucket(struct tdxtop_snap *s, int metric, int bucket, __u32 count);
/**
 * tdxtop_snap_end_hist() - make the buckets appended since first a histogram
 * @s: the snapshot
 * @k: its key
 * @first: s->nr_buckets before the first bucket
 *
 * None is made when no bucket was appended.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_end_hist(struct tdxtop_snap *s, const struct tdxtop_hkey *k, size_t first);
/**
 * tdxtop_snap_add_row() - append a row
 * @s: the snapshot
 * @k: its key
 * @st: its figures
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_add_row(struct tdxtop_snap *s, const struct tdxtop_key *k,
			const struct tdxtop_stats *st);
/**
 * tdxtop_snap_reserve_rows() - room for more rows
 * @s: the snapshot
 * @n: rows to add
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_reserve_rows(struct tdxtop_snap *s, size_t n);
/**
 * tdxtop_snap_add_vm() - name a VM process
 * @s: the snapshot
 * @tgid: the process
 * @name: its raw name, cut to TDXTOP_VM_NAME_LEN - 1 bytes
 *
 * The VMs stay sorted by tgid; a VM named again takes the new name.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_add_vm(struct tdxtop_snap *s, __u32 tgid, const char *name);
/**
 * tdxtop_snap_vm_index() - where a process is, or would go, among the VMs
 * @s: the snapshot
 * @tgid: the process
 *
 * Return: its index in s->vms (sorted by tgid).
 */
size_t tdxtop_snap_vm_index(const struct tdxtop_snap *s, __u32 tgid);
/**
 * tdxtop_snap_vm_name() - the raw name of a VM process
 * @s: the snapshot
 * @tgid: the process
 *
 * Return: its name, "?" when the snapshot has none.
 */
const char *tdxtop_snap_vm_name(const struct tdxtop_snap *s, __u32 tgid);
/**
 * tdxtop_snap_reset() - empty a snapshot, keeping its memory
 * @s: the snapshot
 */
void tdxtop_snap_reset(struct tdxtop_snap *s);
/**
 * tdxtop_snap_sort() - sort rows and histograms by key
 * @s: the snapshot
 *
 * Where an order matters: snapshots come in map order.
 */
void tdxtop_snap_sort(struct tdxtop_snap *s);
/**
 * tdxtop_snap_free() - free what a snapshot holds
 * @s: the snapshot
 */
void tdxtop_snap_free(struct tdxtop_snap *s);
/**
 * tdxtop_snap_seconds() - the length of the interval
 * @s: the snapshot
 *
 * Return: seconds, 0 when the end is not after the start.
 */
double tdxtop_snap_seconds(const struct tdxtop_snap *s);
/**
 * tdxtop_snap_losses() - events lost in the interval
 * @s: the snapshot
 *
 * Return: the losses of every kind, summed.
 */
__u64 tdxtop_snap_losses(const struct tdxtop_snap *s);
/**
 * tdxtop_stats_merge() - add one row's figures to another's
 * @dst: the sum: counts and sums added, the least min and largest max kept
 * @src: what is added
 */
void tdxtop_stats_merge(struct tdxtop_stats *dst, const struct tdxtop_stats *src);
/**
 * tdxtop_snap_add_outlier() - append an outlier
 * @s: the snapshot
 * @o: the record as BPF sent it
 * @real_ns: its wall-clock time
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_snap_add_outlier(struct tdxtop_snap *s, const struct tdxtop_outlier *o,
			    __u64 real_ns);
/**
 * tdxtop_snap_sort_outliers() - sort the outliers by TSC, then process and vCPU
 * @s: the snapshot
 *
 * Records of several CPUs come interleaved.
 */
void tdxtop_snap_sort_outliers(struct tdxtop_snap *s);
/**
 * tdxtop_snap_add_counters() - add the interval-wide counters of a snapshot
 * @d: the sum
 * @s: what is added: losses, notes, outlier counts, program costs by name, CPU time
 */
void tdxtop_snap_add_counters(struct tdxtop_snap *d, const struct tdxtop_snap *s);
/**
 * tdxtop_hist_add_sparse() - add a sparse histogram to a dense one
 * @dst: the dense histogram
 * @s: the snapshot holding the buckets
 * @h: the sparse histogram of @s
 */
void tdxtop_hist_add_sparse(struct tdxtop_hist *dst, const struct tdxtop_snap *s,
			    const struct tdxtop_hrow *h);

/*
 * Intervals merged into one: counts and sums added, min/max kept,
 * histograms added; the span from the first start to the last end.
 */
struct merge_hist;
struct tdxtop_merge {
	struct tdxtop_snap s;		/* the result, after tdxtop_merge_finish() */
	__u64 n;			/* intervals merged */
	struct tdxtop_index rows, hist_idx;	/* indices by key */
	struct merge_hist *hists;	/* dense while merging */
	size_t nr_hists, cap_hists;
};

/**
 * tdxtop_merge_add() - merge an interval
 * @m: the intervals merged so far
 * @s: the interval
 *
 * Counts and sums are added, min and max kept, histograms added; the span
 * runs from the first start to the last end.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_merge_add(struct tdxtop_merge *m, const struct tdxtop_snap *s);
/**
 * tdxtop_merge_finish() - put the merged histograms into the result
 * @m: the merge; more intervals may be added after
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_merge_finish(struct tdxtop_merge *m);
/**
 * tdxtop_merge_free() - free a merge and its result
 * @m: the merge
 */
void tdxtop_merge_free(struct tdxtop_merge *m);

/* ---- grouping into views (group.c) ---- */

enum tdxtop_group_by {
	TDXTOP_BY_VM,		/* process, kind */
	TDXTOP_BY_VCPU,		/* process, vCPU, kind */
	TDXTOP_BY_REASON,	/* process, kind, reason, leaf, status */
	TDXTOP_BY_ALL,		/* process, vCPU, kind, reason, leaf, status */
	TDXTOP_NR_GROUP_BY,
	/* not a -g view: all VMs together, kind, reason, leaf, status (diff's) */
	TDXTOP_BY_HOST_REASON = TDXTOP_NR_GROUP_BY,
};

enum tdxtop_sort_by {
	TDXTOP_SORT_COUNT,
	TDXTOP_SORT_GUEST,	/* total guest time */
	TDXTOP_SORT_HOST,
	TDXTOP_SORT_RESTORE,
	TDXTOP_SORT_MAX,	/* largest guest time */
	TDXTOP_NR_SORT_BY,
};

struct tdxtop_group {
	struct tdxtop_key key;	/* fields not grouped on are zero */
	struct tdxtop_stats st;
	struct tdxtop_hist *h;	/* NULL when grouped by vCPU */
	__u64 order;		/* the value sorted on */
};

struct tdxtop_view {
	struct tdxtop_group *g;
	size_t nr, cap;
	__u64 events;		/* all events in the snapshot */
	struct tdxtop_hist *hists;	/* the groups' histograms */
	size_t nr_hists, cap_hists;
	struct tdxtop_index idx;	/* of groups by key */
};

/**
 * tdxtop_view_build() - group a snapshot into a view
 * @v: the view; its memory is kept from one interval to the next
 * @s: the snapshot
 * @by: the grouping (-g)
 * @sort: the order (-s), descending; ties by key
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort);
/**
 * tdxtop_view_free() - free a view
 * @v: the view
 */
void tdxtop_view_free(struct tdxtop_view *v);
/**
 * tdxtop_group_has_hist() - whether a grouping has histograms
 * @by: the grouping
 *
 * Return: true per VM, per reason and all VMs per reason: histograms are kept
 *   per VM and reason.
 */
bool tdxtop_group_has_hist(enum tdxtop_group_by by);

/**
 * tdxtop_group_name() - the -g name of a grouping
 * @by: the grouping
 *
 * Return: its name, "?" when out of range.
 */
const char *tdxtop_group_name(enum tdxtop_group_by by);
/**
 * tdxtop_sort_name() - the -s name of a sort key
 * @s: the key
 *
 * Return: its name, "?" when out of range.
 */
const char *tdxtop_sort_name(enum tdxtop_sort_by s);
/**
 * tdxtop_parse_group() - a grouping by its -g name
 * @s: the name
 *
 * Return: the grouping, -1 when unknown.
 */
int tdxtop_parse_group(const char *s);
/**
 * tdxtop_parse_sort() - a sort key by its -s name
 * @s: the name
 *
 * Return: the key, -1 when unknown.
 */
int tdxtop_parse_sort(const char *s);

/* ---- percentiles (hist.c) ---- */

/**
 * tdxtop_hist_quantile() - a percentile of a histogram
 * @bucket: the counts of one metric (TDXTOP_HIST_BUCKETS)
 * @n: samples of the row
 * @q: the fraction, in (0, 1]
 * @min: the row's least value
 * @max: its largest
 *
 * When the histogram holds fewer than @n samples (a row and its histogram are
 * read a moment apart), the rank is of the histogram's own count.
 *
 * Return: the middle of the bucket holding the sample of rank ceil(@q * @n), clamped to
 *   [@min, @max]: off from the exact value by at most half that bucket (3.125%).
 */
__u64 tdxtop_hist_quantile(const __u32 *bucket, __u64 n, double q,
			   __u64 min, __u64 max);
/**
 * tdxtop_hist_quantile_in() - a percentile when every sample lies in known buckets
 * @bucket: the counts of one metric
 * @first: the first bucket with a count
 * @last: the last
 * @n: samples of the row
 * @q: the fraction, in (0, 1]
 * @min: the row's least value
 * @max: its largest
 *
 * Return: as tdxtop_hist_quantile(), scanning [@first, @last] only.
 */
__u64 tdxtop_hist_quantile_in(const __u32 *bucket, int first, int last, __u64 n,
			      double q, __u64 min, __u64 max);
/**
 * tdxtop_hist_total() - the samples of a histogram
 * @bucket: the counts of one metric
 *
 * Return: their sum.
 */
__u64 tdxtop_hist_total(const __u32 *bucket);

/* ---- names (decode.c) ---- */

/**
 * tdxtop_exit_reason_name() - the name of a VMX exit reason
 * @reason: the basic exit reason
 *
 * Return: its name as vmx.h spells it, "NONE" for -1, NULL when unknown.
 */
const char *tdxtop_exit_reason_name(__u32 reason);	/* VMX */
/**
 * tdxtop_svm_exit_reason_name() - the name of an SVM exit code
 * @code: the exit code
 *
 * Return: its name as svm.h's SVM_EXIT_REASONS prints it, NULL when unknown.
 */
const char *tdxtop_svm_exit_reason_name(__u32 code);
/**
 * tdxtop_key_reason_name() - the reason of a row, by its source's and ISA's table
 * @k: the row's key
 *
 * Return: the name, NULL when unknown.
 */
const char *tdxtop_key_reason_name(const struct tdxtop_key *k);
/**
 * tdxtop_source_note() - what a source cannot show, and how to get it
 * @source: "tdx", "btf" or "kvm"
 *
 * Return: the line every view shows; NULL for the tdx source.
 */
const char *tdxtop_source_note(const char *source);
/**
 * tdxtop_source_unavailable() - the fields a source cannot know
 * @source: "tdx", "btf" or "kvm"
 *
 * Return: JSON's "unavailable", NULL-terminated; empty for tdx.
 */
const char *const *tdxtop_source_unavailable(const char *source);
/**
 * tdxtop_row_type() - whether a row is of a TD or another VM
 * @kind: the row's kind
 * @source: the source that saw it
 *
 * Return: "td" or "vm"; NULL when the source cannot tell.
 */
const char *tdxtop_row_type(__u32 kind, const char *source);
/**
 * tdxtop_isa_name() - the name of an ISA kvm_exit reports
 * @isa: TDXTOP_ISA_*
 *
 * Return: "vmx", "svm", or NULL.
 */
const char *tdxtop_isa_name(__u32 isa);
/**
 * tdxtop_status_name() - the name of a TDH.VP.ENTER status class
 * @status_class: bits 63:32 of the status
 *
 * Return: its name; "SW_ERROR", "NON_RECOVERABLE" or "ERROR" for other classes of those
 *   kinds; NULL for an unknown non-error class.
 */
const char *tdxtop_status_name(__u32 status_class);
/**
 * tdxtop_leaf_name() - the name of a TDVMCALL leaf
 * @leaf: the leaf
 *
 * Return: the GHCI name, or an instruction leaf's VMX reason; NULL when unknown.
 */
const char *tdxtop_leaf_name(__u64 leaf);
/**
 * tdxtop_kind_name() - the name of a row kind
 * @kind: enum tdxtop_kind
 *
 * Return: "exit" for every source's exits, "deferred", "gsbase", "uret"; "?" when out of
 *   range.
 */
const char *tdxtop_kind_name(__u32 kind);
/**
 * tdxtop_metric_name() - the name of a metric
 * @metric: enum tdxtop_metric
 *
 * Return: "guest", "host", "restore"; "?" when out of range.
 */
const char *tdxtop_metric_name(int metric);
/**
 * tdxtop_restored_name() - the name of a restored register
 * @bit: its bit in the restored mask
 *
 * Return: DEBUGCTL, PKRU, XCR0 or XSS; "?" when out of range.
 */
const char *tdxtop_restored_name(int bit);
/**
 * tdxtop_uret_msr_name() - the name of a user-return MSR
 * @bit: its bit in the URET row's mask
 *
 * Return: its name; "?" when out of range.
 */
const char *tdxtop_uret_msr_name(int bit);
/**
 * tdxtop_loss_name() - the name of a loss, as JSON's "drops" has it
 * @loss: enum tdxtop_loss
 *
 * Return: its name; "?" when out of range.
 */
const char *tdxtop_loss_name(int loss);
/**
 * tdxtop_note_name() - the name of a note
 * @note: enum tdxtop_note
 *
 * Return: its name; "?" when out of range.
 */
const char *tdxtop_note_name(int note);
/**
 * tdxtop_hex() - a number in hex
 * @buf: the text, 21 bytes
 * @v: the number
 * @digits: at least this many digits
 *
 * Return: @buf, "0x..." of @v.
 */
char *tdxtop_hex(char *buf, __u64 v, int digits);
/**
 * tdxtop_row_label() - the label of a row
 * @k: the row's key
 * @buf: the label
 * @len: its size; the label is cut to it
 *
 * Return: @buf: "HLT", "TDCALL:MapGPA", "FAILED(OPERAND_BUSY)", "RESTORE:URET(STAR)" ...
 */
const char *tdxtop_row_label(const struct tdxtop_key *k, char *buf, size_t len);
/* tables, for the tests against the kernel headers */
struct tdxtop_name {
	__u64 code;
	const char *name;
};
extern const struct tdxtop_name tdxtop_exit_reasons[];
extern const size_t tdxtop_nr_exit_reasons;
extern const struct tdxtop_name tdxtop_svm_exit_reasons[];
extern const size_t tdxtop_nr_svm_exit_reasons;
extern const struct tdxtop_name tdxtop_statuses[];
extern const size_t tdxtop_nr_statuses;
extern const struct tdxtop_name tdxtop_leaves[];
extern const size_t tdxtop_nr_leaves;

/* ---- self cost (selfcost.c) ---- */

/* Figures of one interval, from a snapshot */
struct tdxtop_selfcost {
	double events_per_s, ns_per_event, bpf_cpu_pct, user_cpu_pct;
	/*
	 * false when programs ran but no run time was accounted: the kernel
	 * times them with sched_clock(), which has jiffy resolution when the
	 * TSC is unusable (seen in QEMU TCG guests), so the figures are unknown
	 */
	bool bpf_timed;
};

/**
 * tdxtop_selfcost() - the cost of tdxtop's programs and of tdxtop in an interval
 * @s: the snapshot
 * @prog: a program of @s, or all of them (< 0)
 * @c: the figures
 */
void tdxtop_selfcost(const struct tdxtop_snap *s, int prog,
		     struct tdxtop_selfcost *c);

/* ---- statistics of diff (stats.c) ---- */

/**
 * tdxtop_median() - the median of values
 * @v: the values
 * @n: how many
 * @scratch: room for @n values, sorted
 *
 * Return: the median, NaN when @n is 0.
 */
double tdxtop_median(const double *v, size_t n, double *scratch);
/**
 * tdxtop_norm_quantile() - the standard normal quantile
 * @p: the probability
 *
 * Return: z with P(Z <= z) = @p; -inf and inf at 0 and 1.
 */
double tdxtop_norm_quantile(double p);
/**
 * tdxtop_mann_whitney() - two-sided Mann-Whitney U test
 * @x: the base's samples
 * @m: how many
 * @y: the new samples
 * @n: how many
 * @u: U of @x
 * @p: the two-sided p: exact for small samples without ties, else the tie-corrected
 *   normal approximation
 *
 * Return: 0; -EINVAL when a side is empty; -ENOMEM.
 */
int tdxtop_mann_whitney(const double *x, size_t m, const double *y, size_t n,
			double *u, double *p);
/**
 * tdxtop_hodges_lehmann() - the Hodges-Lehmann shift and its confidence interval
 * @x: the base's samples
 * @m: how many
 * @y: the new samples
 * @n: how many
 * @conf: the interval's confidence
 * @shift: the median of the differences y - x
 * @lo: the interval's low end (Moses)
 * @hi: its high end
 *
 * Return: 0; -EINVAL when a side is empty; -ENOMEM.
 */
int tdxtop_hodges_lehmann(const double *x, size_t m, const double *y, size_t n,
			  double conf, double *shift, double *lo, double *hi);
/**
 * tdxtop_holm() - Holm's step-down adjusted p-values
 * @p: the p-values
 * @k: how many
 * @adj: the adjusted ones, in the same order
 */
void tdxtop_holm(const double *p, size_t k, double *adj);
/**
 * tdxtop_min_samples() - samples per side the rank test needs
 * @comparisons: comparisons judged together
 * @alpha: the family-wise level
 *
 * Return: the least n whose smallest exact p reaches @alpha / @comparisons.
 */
int tdxtop_min_samples(size_t comparisons, double alpha);

#endif /* __TDXTOP_MODEL_H */
