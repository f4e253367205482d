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

/**
 * tdxtop_text_cell() - untrusted text as a cell of fixed columns
 * @dst: the cell, TDXTOP_CELL_SIZE(@width) bytes, NUL-terminated
 * @src: the text (VM names: any bytes)
 * @width: the columns
 *
 * Left-aligned, padded with spaces and cut at a character boundary: only
 * printable characters pass; controls, invalid UTF-8 and bidi overrides
 * become '?'; non-ASCII stays only in a UTF-8 locale (read once).
 *
 * Return: the bytes written.
 */
size_t tdxtop_text_cell(char *dst, const char *src, int width);
/**
 * tdxtop_utf8_decode() - decode one UTF-8 sequence
 * @s: the bytes
 * @n: how many there are
 * @cp: its code point
 *
 * Return: its length, 0 when it is not valid UTF-8 (overlong, surrogate, cut, past
 *   U+10FFFF).
 */
int tdxtop_utf8_decode(const unsigned char *s, size_t n, __u32 *cp);
/**
 * tdxtop_cp_unsafe() - whether a code point changes how what follows is shown
 * @c: the code point
 *
 * Return: true for C0 and C1 controls, DEL, bidi marks, overrides and isolates, line and
 *   paragraph separators, BOM: every output that writes untrusted text keeps them out.
 */
bool tdxtop_cp_unsafe(__u32 c);
#define TDXTOP_CELL_SIZE(width)	(4 * (width) + 1)

/**
 * tdxtop_label_value() - untrusted text as a Prometheus / OpenMetrics label value
 * @dst: the value, NUL-terminated
 * @cap: its size (TDXTOP_LABEL_SIZE for a VM name)
 * @src: the text
 *
 * Backslash, quote and newline escaped as the formats say; what moves a
 * terminal and invalid UTF-8 as U+FFFD; cut before an escape that does not fit.
 *
 * Return: the bytes written.
 */
size_t tdxtop_label_value(char *dst, size_t cap, const char *src);
#define TDXTOP_LABEL_SIZE	(3 * TDXTOP_VM_NAME_LEN)

/* ---- output (output.c, jsonw.c) ---- */

/* A row of the text output and the TUI: the formatted, padded columns */
#define TDXTOP_LINE_SIZE	512
/**
 * tdxtop_cols_header() - the column header of the text output and the TUI
 * @source: the snapshots' source: "btf" adds TYPE (td or vm), the only one
 *   that sees both; NULL or another source has no TYPE
 *
 * Return: the header, without a newline.
 */
const char *tdxtop_cols_header(const char *source);
/**
 * tdxtop_format_line() - the line of a group in the text output and the TUI
 * @buf: the line, TDXTOP_LINE_SIZE bytes, without a newline
 * @s: the snapshot
 * @g: the group
 * @by: the view it is of
 *
 * Return: the bytes written.
 */
size_t tdxtop_format_line(char *buf, const struct tdxtop_snap *s,
			  const struct tdxtop_group *g, enum tdxtop_group_by by);
/**
 * tdxtop_format_vm() - the VM name column of a process, as shown
 * @buf: the cell, TDXTOP_CELL_SIZE(@width) bytes
 * @s: the snapshot
 * @tgid: the process
 * @width: the columns
 *
 * For the TUI's filter, which matches what the user sees.
 */
void tdxtop_format_vm(char *buf, const struct tdxtop_snap *s, __u32 tgid, int width);
/**
 * tdxtop_format_outlier() - the line of an outlier
 * @buf: the line, TDXTOP_LINE_SIZE bytes, without a newline
 * @s: the snapshot naming its VM
 * @e: the outlier
 *
 * Return: the bytes written.
 */
size_t tdxtop_format_outlier(char *buf, const struct tdxtop_snap *s,
			     const struct tdxtop_outlier_ev *e);
/**
 * tdxtop_outliers_header() - the header of outlier lines
 *
 * Return: the header, without a newline.
 */
const char *tdxtop_outliers_header(void);
/**
 * tdxtop_fmt_ns() - a time for a cell
 * @buf: the text, cut to @len
 * @len: its size
 * @ns: the time in ns
 *
 * "1234ns", "12.3us", "1.5ms", "2.0s": each unit up to where its rounding
 * would carry into a fifth digit.
 */
void tdxtop_fmt_ns(char *buf, size_t len, double ns);
/**
 * tdxtop_format_self() - the self-cost line
 * @buf: the line
 * @len: its size
 * @c: the figures
 * @timed: whether BPF run time was accounted
 *
 * Return: @buf: "bpf N ns/event X% CPU  user Y% CPU", or "bpf ? ..." when untimed.
 */
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

/**
 * tdxtop_print_text() - an interval as text
 * @f: the stream
 * @s: the snapshot
 * @o: view, sort, -t, -T, -v
 * @v: scratch space kept across calls
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_print_text(FILE *f, const struct tdxtop_snap *s,
		      const struct tdxtop_out_opts *o, struct tdxtop_view *v);
/**
 * tdxtop_print_json() - an interval as one JSON line (docs/json.md)
 * @f: the stream
 * @s: the snapshot
 * @o: view, sort, -t, -p, --buckets
 * @v: scratch space kept across calls
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_print_json(FILE *f, const struct tdxtop_snap *s,
		      const struct tdxtop_out_opts *o, struct tdxtop_view *v);
/**
 * tdxtop_json_error() - an error as a JSON line
 * @f: the stream
 * @msg: the message
 *
 * {"error": @msg} and a newline.
 */
void tdxtop_json_error(FILE *f, const char *msg);


/* One recording of an HTML report: report -j's lines, comma-separated, and --merge's */
struct tdxtop_html_run {
	const char *file;
	char *intervals, *merged;
	size_t intervals_len, merged_len;
};

/**
 * tdxtop_html_write() - the self-contained page of report --html
 * @f: the stream
 * @runs: one recording, or base and new
 * @nr: 1 or 2
 * @version: tdxtop's version
 * @diff_json: diff -j's object for two recordings, or NULL
 * @diff_error: why there is no diff, or NULL
 *
 * Return: 0, -ENOMEM, or -EIO when the stream failed.
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

/**
 * tdxtop_hlog_header() - the header of an HdrHistogram interval log
 * @f: the stream
 * @real0: the run's wall-clock start, ns
 * @by: the view whose groups make the tags
 */
void tdxtop_hlog_header(FILE *f, __u64 real0, enum tdxtop_group_by by);
/**
 * tdxtop_hlog_interval() - an interval's histograms as interval log lines
 * @h: buffers kept across intervals (zeroed to start)
 * @f: the stream
 * @s: the snapshot
 * @by: the view: a line per group and metric with samples
 * @mono0: the monotonic time the log's timestamps count from
 *
 * Return: 0, -ENOMEM, or -EIO when compression failed.
 */
int tdxtop_hlog_interval(struct tdxtop_hlog *h, FILE *f, const struct tdxtop_snap *s,
			 enum tdxtop_group_by by, __u64 mono0);
/**
 * tdxtop_hlog_free() - free an interval log's buffers
 * @h: the buffers
 */
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

/**
 * tdxtop_prom_bucket() - the classic Prometheus bucket holding a tdxtop bucket
 * @idx: tdxtop's bucket
 *
 * Return: the index among TDXTOP_PROM_BUCKETS.
 */
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
/**
 * tdxtop_prom_new() - the totals of tdxtop serve, empty
 * @p: the totals, set on success
 * @o: labels, cut, cap and expiry
 *
 * Return: 0, -ENOMEM, or -ERANGE when @o->max_series is below tdxtop_prom_min_series()
 *   (the series always written and those kept for overflows).
 */
int tdxtop_prom_new(struct tdxtop_prom **p, const struct tdxtop_prom_opts *o);
/**
 * tdxtop_prom_add() - fold an interval into the totals
 * @p: the totals since the start (counters only grow)
 * @s: the interval
 *
 * VMs idle for o->expire_ns are forgotten.
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_add(struct tdxtop_prom *p, const struct tdxtop_snap *s);
/**
 * tdxtop_prom_write() - the totals in a format
 * @p: the totals
 * @b: the buffer, emptied first
 * @f: text, OpenMetrics or protobuf
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_write(const struct tdxtop_prom *p, struct tdxtop_buf *b,
		      enum tdxtop_prom_format f);
/**
 * tdxtop_prom_series() - the series a scrape writes now
 * @p: the totals
 *
 * Return: the number of series.
 */
size_t tdxtop_prom_series(const struct tdxtop_prom *p);
/**
 * tdxtop_prom_min_series() - the least --max-series the totals can take
 * @p: the totals
 *
 * Return: the series always written plus those kept for overflows.
 */
size_t tdxtop_prom_min_series(const struct tdxtop_prom *p);
/**
 * tdxtop_prom_dropped() - the series not made because of the cap
 * @p: the totals
 *
 * Return: the count since the start.
 */
__u64 tdxtop_prom_dropped(const struct tdxtop_prom *p);
/**
 * tdxtop_prom_free() - free the totals
 * @p: the totals
 */
void tdxtop_prom_free(struct tdxtop_prom *p);

/* ---- live TUI (tui.c) ---- */

struct tdxtop_source {
	void *ctx;
	/* the next interval; returns 0, or negative errno */
	int (*poll)(void *ctx, const struct tdxtop_snap **s);
};

/**
 * tdxtop_tui_run() - the live TUI
 * @src: where each interval comes from
 * @interval_ms: the interval
 * @o: the view and sort, changed by keys
 * @stop: set to stop it (signals); set by q
 *
 * Return: 0, a negative errno from @src, or -EIO when the terminal cannot be set up.
 */
int tdxtop_tui_run(struct tdxtop_source *src, int interval_ms,
		   struct tdxtop_out_opts *o, volatile int *stop);

#endif /* __TDXTOP_OUTPUT_H */
