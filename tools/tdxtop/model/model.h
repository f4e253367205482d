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

/* Hash of a key of size bytes, a multiple of 8 (tdxtop_key, tdxtop_hkey) */
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

/* The slot of key k: the entry's, or the free one where it would go */
__u32 *tdxtop_index_find(const struct tdxtop_index *x, const void *base, size_t elem,
			 const void *k, size_t ksz);
/* Before entry nr is added: at most half full, rebuilt from base[0, nr) */
int tdxtop_index_reserve(struct tdxtop_index *x, const void *base, size_t elem,
			 size_t nr, size_t ksz);
/* Empties x, sized for n entries: its memory kept when the size is the same */
int tdxtop_index_clear(struct tdxtop_index *x, size_t n);
void tdxtop_index_free(struct tdxtop_index *x);
/* Room for need elements of elem bytes in *p (capacity *cap, doubled) */
int tdxtop_grow(void **p, size_t *cap, size_t need, size_t elem);

/*
 * The one growable byte buffer: text (Prometheus), encoded blobs
 * (recordings), compressed histograms (hlog).  len bytes used of cap.
 */
struct tdxtop_buf {
	char *p;
	size_t len, cap;
};

/* Room for n more bytes after len: 0 or -ENOMEM */
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

/*
 * The interval arithmetic, the only one: out = cur - prev for counts, sample
 * counts, sums and restores (min and max stay cumulative), then prev = cur.
 * Returns whether the row had events.
 */
bool tdxtop_stats_delta(struct tdxtop_stats *out, const struct tdxtop_stats *cur,
			struct tdxtop_cum *prev);
/*
 * Appends cur - prev (prev NULL: cur) as a sparse histogram when any bucket
 * moved, then prev = cur.
 */
int tdxtop_snap_add_hist(struct tdxtop_snap *s, const struct tdxtop_hkey *k,
			 const struct tdxtop_hist *cur, struct tdxtop_hist *prev);
/*
 * A sparse histogram built bucket by bucket, in ascending (metric, bucket)
 * order: each non-zero bucket appended, then tdxtop_snap_end_hist() makes
 * the buckets since first (s->nr_buckets before the first) the histogram
 * of k, or none when there were none
 */
int tdxtop_snap_add_bucket(struct tdxtop_snap *s, int metric, int bucket, __u32 count);
int tdxtop_snap_end_hist(struct tdxtop_snap *s, const struct tdxtop_hkey *k, size_t first);
int tdxtop_snap_add_row(struct tdxtop_snap *s, const struct tdxtop_key *k,
			const struct tdxtop_stats *st);
/* Reserves room for n more rows */
int tdxtop_snap_reserve_rows(struct tdxtop_snap *s, size_t n);
int tdxtop_snap_add_vm(struct tdxtop_snap *s, __u32 tgid, const char *name);
/* Where tgid is, or would go, in s->vms (sorted by tgid) */
size_t tdxtop_snap_vm_index(const struct tdxtop_snap *s, __u32 tgid);
/* The raw name of a VM process of the snapshot; "?" when not recorded */
const char *tdxtop_snap_vm_name(const struct tdxtop_snap *s, __u32 tgid);
/* Empties the snapshot, keeping its memory */
void tdxtop_snap_reset(struct tdxtop_snap *s);
void tdxtop_snap_sort(struct tdxtop_snap *s);
void tdxtop_snap_free(struct tdxtop_snap *s);
double tdxtop_snap_seconds(const struct tdxtop_snap *s);
__u64 tdxtop_snap_losses(const struct tdxtop_snap *s);
void tdxtop_stats_merge(struct tdxtop_stats *dst, const struct tdxtop_stats *src);
int tdxtop_snap_add_outlier(struct tdxtop_snap *s, const struct tdxtop_outlier *o,
			    __u64 real_ns);
/* Sorts the outliers by TSC (records of several CPUs come interleaved) */
void tdxtop_snap_sort_outliers(struct tdxtop_snap *s);
/* d += the interval-wide counters of s: losses, notes, program costs, CPU */
void tdxtop_snap_add_counters(struct tdxtop_snap *d, const struct tdxtop_snap *s);
/* dst += the buckets of hrow h of s */
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

int tdxtop_merge_add(struct tdxtop_merge *m, const struct tdxtop_snap *s);
/* Puts the histograms into m->s; more intervals may be added after */
int tdxtop_merge_finish(struct tdxtop_merge *m);
void tdxtop_merge_free(struct tdxtop_merge *m);

/* ---- grouping into views (group.c) ---- */

enum tdxtop_group_by {
	TDXTOP_BY_VM,		/* process, kind */
	TDXTOP_BY_VCPU,		/* process, vCPU, kind */
	TDXTOP_BY_REASON,	/* process, kind, reason, leaf, status */
	TDXTOP_BY_ALL,		/* process, vCPU, kind, reason, leaf, status */
	TDXTOP_NR_GROUP_BY,
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

/* Groups s; keeps v's memory from one interval to the next */
int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort);
void tdxtop_view_free(struct tdxtop_view *v);
bool tdxtop_group_has_hist(enum tdxtop_group_by by);

/* Names of -g and -s values, and their parsing: -1 when unknown */
const char *tdxtop_group_name(enum tdxtop_group_by by);
const char *tdxtop_sort_name(enum tdxtop_sort_by s);
int tdxtop_parse_group(const char *s);
int tdxtop_parse_sort(const char *s);

/* ---- percentiles (hist.c) ---- */

/*
 * Value at fraction q (0..1] of the samples: the middle of the bucket that
 * holds the sample of rank ceil(q * n), clamped to [min, max].  Off from the
 * exact value by at most half that bucket's width (3.125% of the value).
 * When the histogram holds fewer than n samples (an interval's row and its
 * histogram are read a moment apart), the rank is of the histogram's own
 * count, as --outliers auto ranks it.
 */
__u64 tdxtop_hist_quantile(const __u32 *bucket, __u64 n, double q,
			   __u64 min, __u64 max);
/*
 * The same when every sample lies in buckets [first, last]: a scan of those
 * only (diff, over thousands of keys a sample)
 */
__u64 tdxtop_hist_quantile_in(const __u32 *bucket, int first, int last, __u64 n,
			      double q, __u64 min, __u64 max);
__u64 tdxtop_hist_total(const __u32 *bucket);

/* ---- names (decode.c) ---- */

const char *tdxtop_exit_reason_name(__u32 reason);	/* VMX */
const char *tdxtop_svm_exit_reason_name(__u32 code);
/* The reason of a row, by the table of its source and ISA */
const char *tdxtop_key_reason_name(const struct tdxtop_key *k);
/*
 * The line every view shows for a source that cannot show everything: what
 * it lacks and how to get it; NULL for the tdx source
 */
const char *tdxtop_source_note(const char *source);
/* JSON's "unavailable" of a source: NULL-terminated, empty for tdx */
const char *const *tdxtop_source_unavailable(const char *source);
/* "td" or "vm" for a row of this kind seen by source; NULL: cannot tell */
const char *tdxtop_row_type(__u32 kind, const char *source);
/* "vmx", "svm" (TDXTOP_ISA_*), NULL */
const char *tdxtop_isa_name(__u32 isa);
const char *tdxtop_status_name(__u32 status_class);
const char *tdxtop_leaf_name(__u64 leaf);
const char *tdxtop_kind_name(__u32 kind);
const char *tdxtop_metric_name(int metric);
const char *tdxtop_restored_name(int bit);
const char *tdxtop_uret_msr_name(int bit);
const char *tdxtop_loss_name(int loss);
const char *tdxtop_note_name(int note);
/* "0x..." of v, at least digits hex digits, into buf (21 bytes); buf */
char *tdxtop_hex(char *buf, __u64 v, int digits);
/* "HLT", "TDCALL:MapGPA", "FAILED(OPERAND_BUSY)" ... into buf */
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

/* The cost of program prog of s, or of all of them (prog < 0) */
void tdxtop_selfcost(const struct tdxtop_snap *s, int prog,
		     struct tdxtop_selfcost *c);

/* ---- statistics of diff (stats.c) ---- */

/* Median of v[0, n) (NaN when empty), sorting a copy in scratch */
double tdxtop_median(const double *v, size_t n, double *scratch);
double tdxtop_norm_quantile(double p);
/* Two-sided Mann-Whitney U test of x against y: U of x, and p */
int tdxtop_mann_whitney(const double *x, size_t m, const double *y, size_t n,
			double *u, double *p);
/* Hodges-Lehmann shift of y against x, and its conf interval (Moses) */
int tdxtop_hodges_lehmann(const double *x, size_t m, const double *y, size_t n,
			  double conf, double *shift, double *lo, double *hi);
/* Holm's step-down adjusted p-values */
void tdxtop_holm(const double *p, size_t k, double *adj);
/* Samples per side for the rank test to reach alpha over k comparisons */
int tdxtop_min_samples(size_t comparisons, double alpha);

#endif /* __TDXTOP_MODEL_H */
