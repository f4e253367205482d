/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Outputs of snapshots: text, JSON lines, the TUI, Prometheus/OpenMetrics
 * and its HTTP endpoint, the HTML report, HdrHistogram logs, and how
 * untrusted text (VM names) reaches each of them safely.
 */
#ifndef __TDXTOP_OUTPUT_H
#define __TDXTOP_OUTPUT_H

#include "model/model.h"
#include "output/jsonw.h"

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
 * HdrHistogram interval logs ("V2" compressed histograms, hlog.c): the
 * header with the run's wall-clock start, then a line per interval, group
 * and metric; h keeps its buffers across intervals (zeroed to start)
 */
struct tdxtop_hlog {
	struct tdxtop_buf raw, z;
	struct tdxtop_view v;
};

void tdxtop_hlog_header(FILE *f, __u64 real0, enum tdxtop_group_by by);
/* Returns 0, -ENOMEM or -EIO (compression failed) */
int tdxtop_hlog_interval(struct tdxtop_hlog *h, FILE *f, const struct tdxtop_snap *s,
			 enum tdxtop_group_by by, __u64 mono0);
void tdxtop_hlog_free(struct tdxtop_hlog *h);

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
	bool per_vm_hist;	/* exits and histograms per VM, not per host */
	size_t max_series;	/* at most this many series; 0: no cap */
	__u64 expire_ns;	/* a VM idle this long is forgotten; 0: never */
	const char *version, *kernel, *source;
};

enum tdxtop_prom_format {
	TDXTOP_PROM_TEXT,		/* text/plain; version=0.0.4 */
	TDXTOP_PROM_OPENMETRICS,	/* OpenMetrics 1.0.0 */
	TDXTOP_PROM_PROTOBUF,		/* delimited MetricFamily, native histograms */
};

struct tdxtop_prom;
/*
 * tdxtop_prom_new() - the totals of tdxtop serve, empty
 * Return: 0, -ENOMEM, or -ERANGE when o->max_series is below
 * tdxtop_prom_min_series() (the series always written and kept for overflows)
 */
int tdxtop_prom_new(struct tdxtop_prom **p, const struct tdxtop_prom_opts *o);
/*
 * tdxtop_prom_add() - folds an interval into the totals since the start
 * (counters only grow), and forgets VMs idle for o->expire_ns
 * Return: 0 or -ENOMEM
 */
int tdxtop_prom_add(struct tdxtop_prom *p, const struct tdxtop_snap *s);
/*
 * tdxtop_prom_write() - the totals in format f, into b (emptied first)
 * Return: 0 or -ENOMEM
 */
int tdxtop_prom_write(const struct tdxtop_prom *p, struct tdxtop_buf *b,
		      enum tdxtop_prom_format f);
/* tdxtop_prom_series() - Return: the series a scrape writes now */
size_t tdxtop_prom_series(const struct tdxtop_prom *p);
/* tdxtop_prom_min_series() - Return: the least --max-series p can take */
size_t tdxtop_prom_min_series(const struct tdxtop_prom *p);
/* tdxtop_prom_dropped() - Return: the series not made since the start (the cap) */
__u64 tdxtop_prom_dropped(const struct tdxtop_prom *p);
void tdxtop_prom_free(struct tdxtop_prom *p);

/* ---- live TUI (tui.c) ---- */

struct tdxtop_source {
	void *ctx;
	/* the next interval; returns 0, or negative errno */
	int (*poll)(void *ctx, const struct tdxtop_snap **s);
};

int tdxtop_tui_run(struct tdxtop_source *src, int interval_ms,
		   struct tdxtop_out_opts *o, volatile int *stop);

#endif /* __TDXTOP_OUTPUT_H */
