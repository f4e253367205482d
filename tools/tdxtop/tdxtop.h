/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __TDXTOP_H
#define __TDXTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "tdx_enter.h"

/* ---- snapshots of the maps (read.c) ---- */

struct tdxtop_row {
	struct tdxtop_key key;
	struct tdxtop_stats st;
};

struct tdxtop_hrow {
	struct tdxtop_hkey key;
	struct tdxtop_hist h;
};

struct tdxtop_snap {
	struct tdxtop_row *rows;	/* sorted by key, or in map order (reader) */
	size_t nr_rows, cap_rows;
	struct tdxtop_hrow *hrows;	/* sorted by key */
	size_t nr_hrows, cap_hrows;
	__u64 drops[TDXTOP_NR_DROPS];
	__u64 ts_ns;			/* CLOCK_MONOTONIC when read */
};

/* The maps of a loaded bpf/tdx_enter.bpf.c (maps.c) */
struct tdxtop_maps {
	int slots_fd, rows_fd, stats_fd, hists_fd, hist_ids_fd, drops_fd;
	int hist_copy_fd, hist_copies_fd;	/* per-CPU copies of histograms */
	__u32 nr_slots, nr_hists;
	int prog_fds[8];	/* for their recursion misses */
	int nr_progs;
};

struct tdx_enter_bpf;
/*
 * Before load: map sizes (0: the default), rounded as the layout needs.
 * copies: per-CPU histogram copies (0: as many as histograms).
 */
int tdxtop_maps_size(struct tdx_enter_bpf *skel, __u32 vcpus, __u32 stats,
		     __u32 hists, __u32 copies);
/* After load */
void tdxtop_maps_get(struct tdxtop_maps *m, struct tdx_enter_bpf *skel);

/*
 * Reads the maps once per interval.  It keeps what the last read saw, per
 * row position, so that a read costs a pass over the rows in use and no
 * sorting: the rows of the result come in map order, not sorted.
 */
struct tdxtop_cum;
struct tdxtop_reader {
	struct tdxtop_maps m;
	struct tdxtop_cum *prev;	/* per entry of "rows" */
	struct tdxtop_hist **prev_h;	/* per entry of "hists" */
	struct tdxtop_snap hash_prev, hash_cur;	/* rows of "stats", sorted */
	__u64 prev_drops[TDXTOP_NR_DROPS];
	struct tdxtop_slot *slots;
	struct tdxtop_block *buf;	/* batch lookups */
	__u32 *keys;
	struct tdxtop_hist *hbuf, *hcopy;
	__u64 *percpu;			/* a per-CPU value ("drops", "hist_copy") */
	int ncpus;
};

int tdxtop_reader_init(struct tdxtop_reader *r, const struct tdxtop_maps *m);
/* What happened since the last call (the first call: since load) */
int tdxtop_reader_read(struct tdxtop_reader *r, struct tdxtop_snap *delta);
void tdxtop_reader_free(struct tdxtop_reader *r);

/* out = cur - prev: counts, sums and buckets; min and max stay cumulative */
int tdxtop_snap_delta(struct tdxtop_snap *out, const struct tdxtop_snap *cur,
		      const struct tdxtop_snap *prev);
void tdxtop_snap_free(struct tdxtop_snap *s);
void tdxtop_snap_swap(struct tdxtop_snap *a, struct tdxtop_snap *b);
int tdxtop_snap_add_row(struct tdxtop_snap *s, const struct tdxtop_key *k,
			const struct tdxtop_stats *st);
int tdxtop_snap_add_hrow(struct tdxtop_snap *s, const struct tdxtop_hkey *k,
			 const struct tdxtop_hist *h);
void tdxtop_snap_sort(struct tdxtop_snap *s);
void tdxtop_stats_merge(struct tdxtop_stats *dst, const struct tdxtop_stats *src);
void tdxtop_hist_merge(struct tdxtop_hist *dst, const struct tdxtop_hist *src);

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
};

struct tdxtop_view {
	struct tdxtop_group *g;
	size_t nr, cap;
	__u64 events;		/* all events in the snapshot */
};

int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort);
void tdxtop_view_free(struct tdxtop_view *v);
bool tdxtop_group_has_hist(enum tdxtop_group_by by);

/* ---- percentiles (hist.c) ---- */

/*
 * Value at fraction q (0..1] of the samples: the middle of the bucket that
 * holds the sample of rank ceil(q * n), clamped to [min, max].  Off from the
 * exact value by at most half that bucket's width (3.125% of the value).
 */
__u64 tdxtop_hist_quantile(const __u32 *bucket, __u64 n, double q,
			   __u64 min, __u64 max);
__u64 tdxtop_hist_total(const __u32 *bucket);

/* ---- names (decode.c) ---- */

const char *tdxtop_exit_reason_name(__u32 reason);
const char *tdxtop_status_name(__u32 status_class);
const char *tdxtop_leaf_name(__u64 leaf);
const char *tdxtop_kind_name(__u32 kind);
const char *tdxtop_metric_name(int metric);
const char *tdxtop_restored_name(int bit);
const char *tdxtop_uret_msr_name(int bit);
const char *tdxtop_drop_name(int drop);
/* a lost event (not 'filtered', a choice, nor 'host_skew', a missing sample) */
bool tdxtop_drop_is_loss(int drop);
__u64 tdxtop_snap_losses(const struct tdxtop_snap *s);
/* "HLT", "TDCALL:MapGPA", "FAILED(OPERAND_BUSY)" ... into buf */
const char *tdxtop_row_label(const struct tdxtop_key *k, char *buf, size_t len);
/* tables, for the tests against the kernel headers */
struct tdxtop_name {
	__u64 code;
	const char *name;
};
extern const struct tdxtop_name tdxtop_exit_reasons[];
extern const size_t tdxtop_nr_exit_reasons;
extern const struct tdxtop_name tdxtop_statuses[];
extern const size_t tdxtop_nr_statuses;
extern const struct tdxtop_name tdxtop_leaves[];
extern const size_t tdxtop_nr_leaves;

/* ---- TSC to ns (tsc.c) ---- */

struct tdxtop_tsc {
	__u32 mult, shift;
	const char *source;	/* "perf", "calibrated", "--tsc-khz" */
};

int tdxtop_tsc_from_khz(struct tdxtop_tsc *t, __u64 khz);
int tdxtop_tsc_probe(struct tdxtop_tsc *t);

/* ---- VM names from /proc (vmname.c) ---- */

/* QEMU's -name guest=NAME, or comm; "?" when the process is gone */
const char *tdxtop_vm_name(__u32 pid);
void tdxtop_vm_names_flush(void);

/* ---- self cost (selfcost.c) ---- */

struct tdxtop_selfcost {
	__u64 run_cnt, run_time_ns;	/* all programs, cumulative */
	__u64 user_cpu_ns;		/* this process, cumulative */
	double events_per_s, ns_per_event, bpf_cpu_pct, user_cpu_pct;
	/*
	 * false when programs ran but no run time was accounted: the kernel
	 * times them with sched_clock(), which has jiffy resolution when the
	 * TSC is unusable (seen in QEMU TCG guests), so the figures are unknown
	 */
	bool bpf_timed;
};

struct tdxtop_prog_set {
	int fds[8];
	int nr;
};

int tdxtop_selfcost_enable(void);
void tdxtop_selfcost_update(struct tdxtop_selfcost *c,
			    const struct tdxtop_prog_set *p, double interval_s);

/* ---- output (output.c) ---- */

/* the columns of a row of the text output and the TUI */
struct tdxtop_cols {
	char vm[17], pid[12], vcpu[12], label[64], status[40], count[24];
	char guest_avg[16], guest_p99[16], host_avg[16], restore_avg[16], max[16];
};

const char *tdxtop_cols_header(void);
#define TDXTOP_COLS_FMT "%-16.16s %7s %4s %-28.28s %-12.12s %9s %9s %9s %9s %9s %9s"
void tdxtop_format_cols(const struct tdxtop_group *g, enum tdxtop_group_by by,
			struct tdxtop_cols *c);
void tdxtop_fmt_ns(char *buf, size_t len, double ns);
/* "bpf N ns/event X% CPU  user Y% CPU", or "bpf ? ..." when untimed */
const char *tdxtop_format_self(char *buf, size_t len,
			       const struct tdxtop_selfcost *c);

struct tdxtop_out_opts {
	enum tdxtop_group_by by;
	enum tdxtop_sort_by sort;
	int top;		/* rows to print, 0: all */
	bool timestamp;
	bool pretty;
};

struct tdxtop_interval {
	const struct tdxtop_snap *delta;	/* this interval */
	double interval_s;
	const struct tdxtop_tsc *tsc;
	const struct tdxtop_selfcost *self;	/* may be NULL */
	const char *source;			/* "tdx" */
};

int tdxtop_print_text(FILE *f, const struct tdxtop_interval *iv,
		      const struct tdxtop_out_opts *o);
int tdxtop_print_json(FILE *f, const struct tdxtop_interval *iv,
		      const struct tdxtop_out_opts *o);
void tdxtop_json_error(FILE *f, const char *msg);

/* ---- live TUI (tui.c) ---- */

struct tdxtop_source {
	void *ctx;
	/* fills delta; returns 0, or negative errno */
	int (*poll)(void *ctx, struct tdxtop_interval *iv);
};

int tdxtop_tui_run(struct tdxtop_source *src, int interval_ms,
		   struct tdxtop_out_opts *o, volatile int *stop);

/* names of the option values */
const char *tdxtop_group_name(enum tdxtop_group_by by);
const char *tdxtop_sort_name(enum tdxtop_sort_by s);
int tdxtop_parse_group(const char *s);
int tdxtop_parse_sort(const char *s);

#endif /* __TDXTOP_H */
