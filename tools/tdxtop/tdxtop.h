/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __TDXTOP_H
#define __TDXTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "tdx_enter.h"

/* ---- TSC to ns (tsc.c) ---- */

struct tdxtop_tsc {
	__u32 mult, shift;
	const char *source;	/* "perf", "calibrated", "--tsc-khz" */
};

int tdxtop_tsc_from_khz(struct tdxtop_tsc *t, __u64 khz);
int tdxtop_tsc_probe(struct tdxtop_tsc *t);

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
void tdxtop_index_free(struct tdxtop_index *x);
/* Room for need elements of elem bytes in *p (capacity *cap, doubled) */
int tdxtop_grow(void **p, size_t *cap, size_t need, size_t elem);
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

/* ---- reading the maps (maps.c, read.c) ---- */

/* The maps and programs of a loaded bpf/tdx_enter.bpf.c */
struct tdxtop_maps {
	int vcpu_slots_fd, vcpu_rows_fd, shared_rows_fd;
	int hists_fd, hist_ids_fd, cpu_hist_idx_fd, cpu_hists_fd;
	int losses_fd, notes_fd;
	int outlier_ring_fd, outlier_thresh_fd, outlier_stats_fd;
	int kvm_unpaired_fd;
	__u32 nr_slots, nr_hists;
	int prog_fds[TDXTOP_MAX_PROGS];
	char prog_names[TDXTOP_MAX_PROGS][TDXTOP_PROG_NAME_LEN];
	int nr_progs;
};

struct tdx_enter_bpf;
/*
 * Before load: map sizes (0: the defaults of bpf/tdx_enter.h), rounded as
 * the layout needs.  copies: per-CPU histogram copies (0: as many as
 * histograms).
 */
int tdxtop_maps_size(struct tdx_enter_bpf *skel, __u32 vcpus, __u32 shared_rows,
		     __u32 hists, __u32 copies);
struct kvm_exit_bpf;
/*
 * The kvm source, in place of tdx_enter_bpf__load(): loads skel's maps
 * without its programs, then bpf/kvm_exit.bpf.c's programs onto those
 * maps, with skel's filters (*kp: to attach and destroy, even on error)
 */
int tdxtop_kvm_load(struct kvm_exit_bpf **kp, struct tdx_enter_bpf *skel);
/* After load; kvm: the kvm source's object, or NULL */
void tdxtop_maps_get(struct tdxtop_maps *m, struct tdx_enter_bpf *skel,
		     struct kvm_exit_bpf *kvm);

/* Outlier capture: what --outliers and --outlier-rate ask for */
struct tdxtop_outlier_opts {
	bool on, automatic;
	__u64 ns[TDXTOP_NR_METRICS];	/* fixed: TDXTOP_NO_THRESH unless given */
	__u32 rate;			/* records a second */
	char spec[96];			/* as shown: "auto", "guest>1000000ns ..." */
};
#define TDXTOP_DEF_OUTLIER_RATE	100
#define TDXTOP_MAX_OUTLIER_RATE	100000

/* "auto" or "guest=1ms,host=200us,restore=20us" (units ns, us, ms, s) */
int tdxtop_outlier_parse(const char *arg, struct tdxtop_outlier_opts *o,
			 char *err, size_t errlen);
/*
 * Before load: one of tdx_vp_enter and tdx_vp_capture, the thresholds,
 * the cap and a ring buffer that holds two intervals at the cap
 */
int tdxtop_outlier_setup(struct tdx_enter_bpf *skel, const struct tdxtop_outlier_opts *o,
			 int interval_ms);

/*
 * Reads the maps once per interval.  It keeps what the last read saw, per
 * row position, so that a read costs a pass over the rows in use and no
 * sorting: the rows of the result come in map order, not sorted.
 */
struct tdxtop_hash_prev;
struct tdxtop_reader {
	struct tdxtop_maps m;
	struct tdxtop_tsc tsc;
	const char *source;
	bool timed;			/* BPF_STATS_RUN_TIME is held on */
	struct tdxtop_cum *prev;	/* per row of "vcpu_rows" */
	struct tdxtop_hist **prev_h;	/* per entry of "hists" */
	struct tdxtop_hash_prev *hprev;	/* rows of "shared_rows", sorted */
	size_t nr_hprev;
	struct tdxtop_map_row *shared;	/* this read of "shared_rows" */
	size_t nr_shared, cap_shared;
	__u64 prev_losses[TDXTOP_NR_LOSSES], prev_notes[TDXTOP_NR_NOTES];
	struct tdxtop_prog_cost prev_progs[TDXTOP_MAX_PROGS];
	__u64 prev_user_ns, prev_end_ns;
	/* "vcpu_slots" and "vcpu_rows", mapped: BPF writes them meanwhile */
	const volatile struct tdxtop_slot *slots;
	const volatile struct tdxtop_row_block *blocks;
	size_t slots_len, blocks_len;
	struct tdxtop_map_row *hash_vals;	/* batch lookups of "shared_rows" */
	void *keys;			/* keys of any batch lookup */
	size_t keys_size;
	__u32 *ids;			/* values of "hist_ids" */
	struct tdxtop_hist *hbuf, *hcopy;
	__u64 *percpu;			/* one per-CPU value */
	int ncpus;
	/* outlier capture (tdxtop_reader_outliers()) */
	struct ring_buffer *ring;
	struct tdxtop_snap *ring_dst;	/* the snapshot being read */
	int ring_err;
	const char *outlier_spec;
	struct tdxtop_thresh *thresh;	/* "outlier_thresh", mapped (auto) */
	size_t thresh_len;
	__u64 prev_outlier[TDXTOP_NR_OUTLIER_COUNTS];
	__u64 anchor_tsc, anchor_real_ns;	/* TSC and wall clock read together */
};

int tdxtop_reader_init(struct tdxtop_reader *r, const struct tdxtop_maps *m,
		       const struct tdxtop_tsc *tsc);
/* Reads the outliers of o (on) too; before the first read */
int tdxtop_reader_outliers(struct tdxtop_reader *r, const struct tdxtop_outlier_opts *o);
/* What happened since the last call (the first call: since load) */
int tdxtop_reader_read(struct tdxtop_reader *r, struct tdxtop_snap *delta);
/*
 * Auto mode's threshold of metric m from a sparse histogram: the largest
 * value of the bucket that holds p99.9, so that an outlier is above every
 * value of that bucket.  false when the histogram has no sample of m.
 */
bool tdxtop_outlier_auto_ns(const struct tdxtop_snap *s, const struct tdxtop_hrow *h,
			    int m, __u64 *ns);
void tdxtop_reader_free(struct tdxtop_reader *r);

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
	__u32 *slot;		/* index of groups by key */
	size_t mask;
};

/* Groups s; keeps v's memory from one interval to the next */
int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort);
void tdxtop_view_free(struct tdxtop_view *v);
bool tdxtop_group_has_hist(enum tdxtop_group_by by);

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

/* ---- VM names from /proc (vmname.c) ---- */

/*
 * The name from a process's NUL-separated command line (n bytes: QEMU's
 * -name guest=NAME,... or -name NAME) or else its comm (NULL: gone, "?")
 */
void tdxtop_vm_name_parse(const char *cmdline, size_t n, const char *comm, char *out,
			  size_t len);
/* QEMU's -name guest=NAME, or comm; "?" when the process is gone */
const char *tdxtop_vm_name(__u32 pid);
void tdxtop_vm_names_flush(void);

/* ---- untrusted text to each output (sanitize.c) ---- */

/*
 * Writes src into dst as exactly `width` terminal columns (left-aligned,
 * padded with spaces, cut at a character boundary) and NUL-terminates it:
 * only printable characters pass; control characters, invalid UTF-8 and
 * bidirectional overrides become '?'; non-ASCII stays only in a UTF-8
 * locale.  dst needs 4 * width + 1 bytes.  Returns the bytes written.
 */
size_t tdxtop_text_cell(char *dst, const char *src, int width);
/*
 * Length of the UTF-8 sequence at s (at most n bytes) and its code point in
 * *cp; 0 when it is not valid UTF-8 (overlong, surrogate, cut, > U+10FFFF)
 */
int tdxtop_utf8_decode(const unsigned char *s, size_t n, __u32 *cp);
/*
 * Whether code point c changes how what follows is shown: C0 and C1
 * controls, DEL, bidi marks, overrides and isolates, line and paragraph
 * separators, BOM.  Every output that writes untrusted text uses it.
 */
bool tdxtop_cp_unsafe(__u32 c);
#define TDXTOP_CELL_SIZE(width)	(4 * (width) + 1)

/*
 * A Prometheus / OpenMetrics label value of src into dst (cap bytes,
 * TDXTOP_LABEL_SIZE for a VM name): escaped, valid UTF-8, nothing that
 * moves a terminal.  Returns the bytes written.
 */
size_t tdxtop_label_value(char *dst, size_t cap, const char *src);
#define TDXTOP_LABEL_SIZE	(3 * TDXTOP_VM_NAME_LEN)

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

/* Holds BPF_STATS_RUN_TIME on: an fd, or negative errno */
int tdxtop_selfcost_enable(void);
/* The cost of program prog of s, or of all of them (prog < 0) */
void tdxtop_selfcost(const struct tdxtop_snap *s, int prog,
		     struct tdxtop_selfcost *c);

/* ---- output (output.c, jsonw.c) ---- */

/* A row of the text output and the TUI: the formatted, padded columns */
#define TDXTOP_LINE_SIZE	512
const char *tdxtop_cols_header(void);
/* The line of group g (no newline) into buf of TDXTOP_LINE_SIZE bytes */
size_t tdxtop_format_line(char *buf, const struct tdxtop_snap *s,
			  const struct tdxtop_group *g, enum tdxtop_group_by by);
/* The VM name column of g, as shown (for the TUI's filter) */
void tdxtop_format_vm(char *buf, const struct tdxtop_snap *s, __u32 tgid, int width);
/* An outlier's line (no newline) into buf of TDXTOP_LINE_SIZE bytes, and the header */
size_t tdxtop_format_outlier(char *buf, const struct tdxtop_snap *s,
			     const struct tdxtop_outlier_ev *e);
const char *tdxtop_outliers_header(void);
/* "1234ns", "12.3us", "1.5ms", "2.0s" */
void tdxtop_fmt_ns(char *buf, size_t len, double ns);
/* "bpf N ns/event X% CPU  user Y% CPU", or "bpf ? ..." when untimed */
const char *tdxtop_format_self(char *buf, size_t len,
			       const struct tdxtop_selfcost *c, bool timed);

/* Interval of the live views, unless given */
#define TDXTOP_DEF_INTERVAL_MS	1000

struct tdxtop_out_opts {
	enum tdxtop_group_by by;
	enum tdxtop_sort_by sort;
	int top;		/* rows to print, 0: all */
	bool timestamp;
	bool pretty;
	bool verbose;		/* text: the cost of each BPF program */
	bool buckets;		/* JSON: each row's histogram buckets */
};

/* Output of one interval; the view is scratch space kept across calls */
int tdxtop_print_text(FILE *f, const struct tdxtop_snap *s,
		      const struct tdxtop_out_opts *o, struct tdxtop_view *v);
int tdxtop_print_json(FILE *f, const struct tdxtop_snap *s,
		      const struct tdxtop_out_opts *o, struct tdxtop_view *v);
void tdxtop_json_error(FILE *f, const char *msg);

#include "jsonw.h"

/* ---- recordings (record.c, schema in docs/record.md) ---- */

#define TDXTOP_RECORD_SCHEMA	3

/* What a recording says about the run, beside its intervals */
struct tdxtop_run_info {
	const char *version, *kernel, *host, *source, *options;
	const char *outliers;		/* the capture's spec; NULL: off */
	struct tdxtop_tsc tsc;
};

struct tdxtop_recorder;
/*
 * Creates the database at path (which must not hold one: the caller moves
 * an old file away).  Errors: negative errno, and a line naming the file in
 * err.
 */
int tdxtop_recorder_open(struct tdxtop_recorder **r, const char *path,
			 const struct tdxtop_run_info *info, char *err, size_t errlen);
/* One interval, one transaction; on error nothing of it is kept */
int tdxtop_recorder_add(struct tdxtop_recorder *r, const struct tdxtop_snap *s);
/* The last error, a line naming the file */
const char *tdxtop_recorder_error(const struct tdxtop_recorder *r);
void tdxtop_recorder_stats(const struct tdxtop_recorder *r, __u64 *intervals,
			   __u64 *events);
int tdxtop_recorder_close(struct tdxtop_recorder *r);

struct tdxtop_recording;
/*
 * Opens a recording read-only: -EINVAL when the file is not a tdxtop
 * recording (or is damaged), -EPROTO when it is of a newer schema or
 * another histogram layout, other negative errno otherwise; err names the
 * file.
 */
int tdxtop_recording_open(struct tdxtop_recording **r, const char *path,
			  char *err, size_t errlen);
/*
 * The next interval after id *after (0: the first) that overlaps
 * [from_ns, to_ns) of the recording's monotonic clock, into s: 1, or 0
 * at the end, or negative errno (see tdxtop_recording_error()).
 */
int tdxtop_recording_next(struct tdxtop_recording *r, __s64 *after, __u64 from_ns,
			  __u64 to_ns, struct tdxtop_snap *s);
__u64 tdxtop_recording_intervals(const struct tdxtop_recording *r);
/* The cycles-to-ns conversion the recording's times were made with */
const struct tdxtop_tsc *tdxtop_recording_tsc(const struct tdxtop_recording *r);
/* Monotonic and wall-clock start of the first interval */
void tdxtop_recording_times(const struct tdxtop_recording *r, __u64 *first_start_ns,
			    __u64 *first_real_ns);
const char *tdxtop_recording_error(const struct tdxtop_recording *r);
void tdxtop_recording_close(struct tdxtop_recording *r);

/* One recording of an HTML report: report -j's lines, comma-separated, and --merge's */
struct tdxtop_html_run {
	const char *file;
	char *intervals, *merged;
	size_t intervals_len, merged_len;
};

/*
 * The self-contained page of report --html (html.c): the runs (one, or
 * base and new), and diff -j's output for two (or why there is none)
 */
int tdxtop_html_write(FILE *f, const struct tdxtop_html_run *runs, int nr,
		      const char *version, const char *diff_json, const char *diff_error);

/*
 * HdrHistogram interval logs of a recording (hlog.c): an exit status, or
 * -ENODATA when [from, to) holds no interval (nothing said)
 */
int tdxtop_hlog_write(FILE *f, struct tdxtop_recording *r, __u64 from, __u64 to,
		      enum tdxtop_group_by by);

/* ---- tdxtop check: tdxtop beside ftrace hist triggers (check.c) ---- */

/* Where tracefs is mounted ("/sys/kernel/tracing", ...), NULL when not */
const char *tdxtop_tracefs(void);
/* "SYSTEM/EVENT" in tracefs: 1 present, 0 absent, -1 no tracefs to tell */
int tdxtop_event_present(const char *event);

/* What the kernel's BTF says, for the sources that need it */
struct tdxtop_btf_facts {
	bool vmlinux, kvm_intel;	/* /sys/kernel/btf/{vmlinux,kvm_intel} */
	const char *vcpu_tdx;		/* the BTF with struct vcpu_tdx, or NULL */
};
void tdxtop_check_btf(struct tdxtop_btf_facts *b);

struct tdxtop_check;
/*
 * A tracefs instance of this process with a hist trigger on each event of
 * source ("tdx" or "kvm"), and a reaper process that removes it should
 * tdxtop end without tdxtop_check_close().  Returns 0 or a negative errno,
 * with the reason in err.
 */
int tdxtop_check_open(struct tdxtop_check **c, const char *source, char *err, size_t len);
/* The instance's directory */
const char *tdxtop_check_instance(const struct tdxtop_check *c);
/*
 * The window: the triggers read around two reads of r, ms apart; s is
 * tdxtop's interval between them.  Returns 0 or a negative errno.
 */
int tdxtop_check_run(struct tdxtop_check *c, struct tdxtop_reader *r,
		     struct tdxtop_snap *s, int ms);
/*
 * Compares per key, writes the table (text to f, or JSON members to w)
 * and sets *verdict.  Returns the exit status: 0 agrees, 1 disagrees,
 * 2 nothing to compare (no event, a trigger's table full).
 */
int tdxtop_check_report(struct tdxtop_check *c, const struct tdxtop_tsc *tsc,
			const struct tdxtop_snap *s, struct tdxtop_jw *w, FILE *f,
			const char **verdict);
/* Removes the instance (its triggers with it) and ends the reaper */
void tdxtop_check_close(struct tdxtop_check *c);

/* ---- Prometheus exposition (prom.c) ---- */

/*
 * Histogram buckets of the exposition: tdxtop's buckets merged exactly into
 * one per power of two of ns, le = 2^k - 1 ns for k in [LO, HI] (values
 * are whole ns: "<= 2^k - 1" is "< 2^k", the bound of tdxtop's bucket),
 * and +Inf.  docs/decisions.md says why.
 */
#define TDXTOP_PROM_LO_SHIFT	5
#define TDXTOP_PROM_HI_SHIFT	34
#define TDXTOP_PROM_BUCKETS	(TDXTOP_PROM_HI_SHIFT - TDXTOP_PROM_LO_SHIFT + 2)

/* The Prometheus bucket that holds all of tdxtop's bucket idx */
int tdxtop_prom_bucket(__u32 idx);

struct tdxtop_prom_opts {
	bool per_vcpu;		/* also counters per vCPU */
	bool per_pid;		/* a pid label beside the VM name */
	const char *version, *kernel, *source;
};

/* A growable text buffer */
struct tdxtop_buf {
	char *p;
	size_t len, cap;
};

struct tdxtop_prom;
int tdxtop_prom_new(struct tdxtop_prom **p, const struct tdxtop_prom_opts *o);
/* Folds an interval into the totals since the start: counters only grow */
int tdxtop_prom_add(struct tdxtop_prom *p, const struct tdxtop_snap *s);
/* The totals in the text format 0.0.4, or OpenMetrics 1.0.0; 0 or -ENOMEM */
int tdxtop_prom_write(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool openmetrics);
/* Label sets with histograms (exits, GS base, user return) so far */
size_t tdxtop_prom_hist_series(const struct tdxtop_prom *p);
void tdxtop_prom_free(struct tdxtop_prom *p);

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

/* ---- live TUI (tui.c) ---- */

struct tdxtop_source {
	void *ctx;
	/* the next interval; returns 0, or negative errno */
	int (*poll)(void *ctx, const struct tdxtop_snap **s);
};

int tdxtop_tui_run(struct tdxtop_source *src, int interval_ms,
		   struct tdxtop_out_opts *o, volatile int *stop);

/* ---- tdxtop serve (serve.c) ---- */

#include <signal.h>

struct tdxtop_serve_opts {
	const char *listen;	/* ADDR:PORT */
	struct tdxtop_prom_opts prom;
};
#define TDXTOP_DEF_LISTEN	"127.0.0.1:9479"
/* Whether spec is a valid ADDR:PORT: 0, or -1 and a line in err */
int tdxtop_listen_check(const char *spec, char *err, size_t len);
/* A socket listening on spec, or -1 (said on stderr) */
int tdxtop_serve_listen(const char *spec);
/*
 * The HTTP server of serve on the listening socket fd (-1: none, for
 * connections added by the caller), with its own thread or driven by the
 * caller (MHD_run(), tests/fuzz).  The daemon: a struct MHD_Daemon.
 */
struct tdxtop_server;
int tdxtop_server_start(struct tdxtop_server **s, const struct tdxtop_serve_opts *o,
			int fd, struct tdxtop_source *src, bool thread);
void *tdxtop_server_daemon(struct tdxtop_server *s);
void tdxtop_server_stop(struct tdxtop_server *s);
/* Serves /metrics on the listening socket fd (closed at the end) until *stop */
int tdxtop_serve(const struct tdxtop_serve_opts *o, int fd, struct tdxtop_source *src,
		 volatile sig_atomic_t *stop);

/* ---- the command line (cli.c) ---- */

#include <argp.h>
#include <signal.h>

/* The output options of the live views and of report */
struct tdxtop_cli_out {
	struct tdxtop_out_opts out;
	bool batch, json;
};

extern const struct argp tdxtop_out_argp;	/* an argp child: -b -j -g -s ... */
extern volatile sig_atomic_t tdxtop_exiting;	/* SIGINT, SIGTERM, SIGHUP */
extern bool tdxtop_json_errors;			/* errors as {"error": ...} */

void tdxtop_cli_out_init(struct tdxtop_cli_out *o);
void tdxtop_catch_signals(void);
/* Sleeps ms, less when a signal asks to stop */
void tdxtop_sleep_ms(int ms);
/* One line: on stderr, or as {"error": ...} on stdout in JSON mode */
void tdxtop_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tdxtop_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out);
/* Seconds, 0.01 to 86400, into ms */
int tdxtop_parse_secs(const char *s, int *ms);
/* The same for an option or argument: argp's usage error when invalid */
void tdxtop_arg_secs(struct argp_state *state, const char *arg, int *ms,
		     const char *what);
/*
 * Once the programs are attached and files opened: every capability given
 * up (effective, permitted, inheritable, and the bounding set where
 * CAP_SETPCAP allows), no new privileges.  0, or -1 said on stderr.
 */
int tdxtop_drop_caps(void);
/*
 * A time of report's --from/--to into the recording's monotonic clock: s
 * seconds from its first interval's start (mono0), or a UTC date and time
 * (2026-11-28T10:00:00Z) against that start's wall clock (real0)
 */
int tdxtop_parse_time(const char *s, __u64 mono0, __u64 real0, __u64 *ns);
/* Text or JSON, as o says */
int tdxtop_print(const struct tdxtop_cli_out *o, const struct tdxtop_snap *s,
		 struct tdxtop_view *v);

/* subcommands */
int tdxtop_cmd_report(int argc, char **argv);
int tdxtop_cmd_diff(int argc, char **argv);

/* names of the option values */
const char *tdxtop_group_name(enum tdxtop_group_by by);
const char *tdxtop_sort_name(enum tdxtop_sort_by s);
int tdxtop_parse_group(const char *s);
int tdxtop_parse_sort(const char *s);

#endif /* __TDXTOP_H */
