// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop report: a recording shown through the live views (text, JSON, the
 * TUI), interval by interval or merged into one; or exported as
 * HdrHistogram interval logs.  Output is produced by the same code from the
 * same snapshots, so it is what live mode printed.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "store/store.h"

extern const char *argp_program_version;

static const char report_doc[] =
"Show a recording (tdxtop record, tdxtop -w) through the live views: every\n"
"interval as it was printed live, or --merge'd into one.\n"
"\n"
"USAGE: tdxtop report [-b] [-j] [--pretty] [-g GROUP] [-s SORT] [-n ROWS] [-T]\n"
"                     [--from T] [--to T] [--merge] [--format text|json|hlog]\n"
"                     FILE\n"
"       tdxtop report --html OUT.html [--from T] [--to T] FILE [NEW_FILE]\n"
"\n"
"T is seconds from the start of the recording (30, 1.5) or a UTC time\n"
"(2026-11-28T10:00:00Z).  --format hlog writes HdrHistogram interval logs\n"
"(a tag per VM, reason and metric; values in ns).  --html writes one\n"
"self-contained page: histograms per key on a log axis, a heatmap of host\n"
"time, exit rates, drops, tdxtop's cost and the outliers; given two\n"
"recordings, base and new overlaid with tdxtop diff's verdicts.\n"
"\n"
"EXAMPLES:\n"
"    tdxtop report run.db              # each interval, as tdxtop -b showed it\n"
"    tdxtop report -j run.db | jq .    # as tdxtop -j printed it, byte for byte\n"
"    tdxtop report --merge -g vm run.db   # whole-run percentiles per VM\n"
"    tdxtop report --from 60 --to 120 run.db\n"
"    tdxtop report --format hlog run.db > run.hlog\n"
"    tdxtop report --html run.html run.db\n"
"    tdxtop report --html cmp.html base.db new.db   # overlaid, with verdicts\n";

enum { OPT_FROM = 0x300, OPT_TO, OPT_MERGE, OPT_FORMAT, OPT_HTML };

enum report_format { FMT_VIEW, FMT_HLOG };

static struct {
	struct tdxtop_cli_out print;	/* -b -j -g -s ... */
	const char *file, *file2;	/* file2: --html's new side */
	const char *html;
	const char *from, *to;
	bool merge;
	enum report_format format;
	int interval_ms;
} rep;

static const struct argp_option report_opts[] = {
	{ "from", OPT_FROM, "T", 0, "Intervals that end after T", 0 },
	{ "to", OPT_TO, "T", 0, "Intervals that start before T", 0 },
	{ "merge", OPT_MERGE, NULL, 0, "All the selected intervals as one", 0 },
	{ "format", OPT_FORMAT, "FMT", 0, "text (default), json, or hlog", 0 },
	{ "delay", 'd', "SECS", 0, "TUI: seconds per recorded interval (1)", 0 },
	{ "html", OPT_HTML, "OUT", 0,
	  "One self-contained HTML page of FILE (and of NEW_FILE against it)", 0 },
	{},
};

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &rep.print;
		break;
	case OPT_FROM:
		rep.from = arg;
		break;
	case OPT_TO:
		rep.to = arg;
		break;
	case OPT_MERGE:
		rep.merge = true;
		break;
	case 'd':
		tdxtop_arg_secs(state, arg, &rep.interval_ms, "delay");
		break;
	case OPT_FORMAT:
		if (!strcmp(arg, "text")) {
			rep.print.batch = true;
		} else if (!strcmp(arg, "json")) {
			rep.print.json = true;
			tdxtop_json_errors = true;
		} else if (!strcmp(arg, "hlog")) {
			rep.format = FMT_HLOG;
		} else {
			argp_error(state, "invalid format: %s (text, json, hlog)", arg);
		}
		break;
	case OPT_HTML:
		if (!*arg)
			argp_error(state, "empty file name");
		rep.html = arg;
		break;
	case ARGP_KEY_ARG:
		if (rep.file2)
			argp_error(state, "at most two recordings (base and new): %s", arg);
		if (rep.file)
			rep.file2 = arg;
		else
			rep.file = arg;
		break;
	case ARGP_KEY_END:
		if (!rep.file)
			argp_error(state, "which recording? (tdxtop report FILE)");
		if (rep.file2 && !rep.html)
			argp_error(state, "one recording at a time: %s (two only with --html)",
				   rep.file2);
		if (rep.html && (rep.merge || rep.format == FMT_HLOG))
			argp_error(state, "--html takes every interval itself; no --merge or --format");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int parse_time(const struct tdxtop_recording *r, const char *s, __u64 *ns)
{
	__u64 mono0, real0;

	tdxtop_recording_times(r, &mono0, &real0);
	return tdxtop_parse_time(s, mono0, real0, ns);
}

/* The TUI's source: one recorded interval per tick, then the last again */
struct replay {
	struct tdxtop_recording *r;
	__u64 from, to;
	__s64 after;
	struct tdxtop_snap cur, next;
	bool have, done;
};

static int replay_poll(void *ctx, const struct tdxtop_snap **s)
{
	struct replay *p = ctx;
	int e;

	if (!p->done) {
		e = tdxtop_recording_next(p->r, &p->after, p->from, p->to, &p->next);
		if (e < 0)
			return e;
		if (e > 0) {
			struct tdxtop_snap t = p->cur;

			p->cur = p->next;
			p->next = t;
			p->have = true;
		} else {
			p->done = true;
		}
	}
	*s = &p->cur;
	return 0;
}

/*
 * A recording, or the span --from/--to selects, without an interval: the
 * same error for every form of report, as diff's for too few (exit 2)
 */
static int no_interval(const char *file, bool span)
{
	tdxtop_fail("%s: no interval%s", file, span ? " in the selected span" : "");
	return 2;
}

static int report_views(struct tdxtop_recording *r, __u64 from, __u64 to)
{
	struct tdxtop_merge m = {};
	struct tdxtop_snap s = {};
	struct tdxtop_view v = {};
	__s64 after = 0;
	__u64 n = 0;
	int e, err = 0;

	if (!rep.print.batch && !rep.merge) {
		struct replay p = { .r = r, .from = from, .to = to };
		struct tdxtop_source src = { .ctx = &p, .poll = replay_poll };

		tdxtop_catch_signals();
		e = tdxtop_tui_run(&src, rep.interval_ms, &rep.print.opts,
				   (volatile int *)&tdxtop_exiting);
		tdxtop_snap_free(&p.cur);
		tdxtop_snap_free(&p.next);
		if (e)
			tdxtop_fail("%s", e == -EINVAL || e == -EIO ?
				    tdxtop_recording_error(r) : strerror(-e));
		return e ? 1 : 0;
	}
	while ((e = tdxtop_recording_next(r, &after, from, to, &s)) > 0) {
		n++;
		if (rep.merge) {
			e = tdxtop_merge_add(&m, &s);
			if (e)
				break;
			continue;
		}
		e = tdxtop_print(&rep.print, &s, &v);
		if (e)
			break;
	}
	if (e < 0 && e != -EPIPE) {
		tdxtop_fail("%s", e == -ENOMEM ? "out of memory" : tdxtop_recording_error(r));
		err = 2;
	}
	if (!err && rep.merge && n) {
		e = tdxtop_merge_finish(&m);
		if (!e)
			e = tdxtop_print(&rep.print, &m.s, &v);
		if (e && e != -EPIPE) {
			tdxtop_fail("output failed: %s", strerror(-e));
			err = 1;
		}
	}
	if (!err && !n)
		err = no_interval(rep.file, true);
	tdxtop_merge_free(&m);
	tdxtop_snap_free(&s);
	tdxtop_view_free(&v);
	return err;
}

/* report --format hlog: HdrHistogram interval logs of [from, to) */
static int report_hlog(struct tdxtop_recording *r, __u64 from, __u64 to)
{
	enum tdxtop_group_by by = rep.print.opts.by;
	struct tdxtop_hlog h = {};
	struct tdxtop_snap s = {};
	__u64 mono0, real0, n = 0;
	__s64 after = 0;
	int e, err = 0;

	if (!tdxtop_group_has_hist(by)) {
		tdxtop_fail("--format hlog needs histograms: -g vm or -g reason");
		return 2;
	}
	tdxtop_recording_times(r, &mono0, &real0);
	tdxtop_hlog_header(stdout, real0, by);
	while ((e = tdxtop_recording_next(r, &after, from, to, &s)) > 0) {
		n++;
		e = tdxtop_hlog_interval(&h, stdout, &s, by, mono0);
		if (e)
			break;
	}
	if (e < 0) {
		tdxtop_fail("%s", e == -ENOMEM ? "out of memory" : e == -EIO ?
			    "compression failed" : tdxtop_recording_error(r));
		err = 2;
	} else if (fflush(stdout)) {
		if (errno != EPIPE)
			tdxtop_fail("output failed: %s", strerror(errno));
		err = errno == EPIPE ? 0 : 1;
	} else if (!n) {
		err = no_interval(rep.file, true);
	}
	tdxtop_hlog_free(&h);
	tdxtop_snap_free(&s);
	return err;
}

/*
 * The JSON of a recording for the page: each interval as report -j -g
 * reason --buckets prints it, comma-separated, and the --merge of them
 */
static int html_run(struct tdxtop_recording *r, __u64 from, __u64 to,
		    struct tdxtop_html_run *h)
{
	struct tdxtop_out_opts o = {
		.by = TDXTOP_BY_REASON, .sort = TDXTOP_SORT_COUNT, .buckets = true,
	};
	FILE *iv = open_memstream(&h->intervals, &h->intervals_len);
	FILE *mg = open_memstream(&h->merged, &h->merged_len);
	struct tdxtop_merge m = {};
	struct tdxtop_snap s = {};
	struct tdxtop_view v = {};
	__s64 after = 0;
	__u64 n = 0;
	int e;

	if (!iv || !mg) {
		if (iv)
			fclose(iv);
		if (mg)
			fclose(mg);
		return -ENOMEM;
	}
	while ((e = tdxtop_recording_next(r, &after, from, to, &s)) > 0) {
		if ((n++ && fputc(',', iv) == EOF) ||
		    (e = tdxtop_print_json(iv, &s, &o, &v)) || (e = tdxtop_merge_add(&m, &s)))
			break;
	}
	if (!e && !n)
		e = -ENODATA;
	if (!e)
		e = tdxtop_merge_finish(&m) ?: tdxtop_print_json(mg, &m.s, &o, &v);
	if ((fclose(iv) | fclose(mg)) && !e)
		e = -ENOMEM;
	/* one object, and intervals joined by commas: no newlines between */
	while (h->merged_len && h->merged[h->merged_len - 1] == '\n')
		h->merged[--h->merged_len] = '\0';
	for (size_t i = 0; i < h->intervals_len; i++)
		if (h->intervals[i] == '\n')
			h->intervals[i] = ' ';
	tdxtop_merge_free(&m);
	tdxtop_snap_free(&s);
	tdxtop_view_free(&v);
	return e;
}

/*
 * diff -j of base and new, called in this process: its JSON (verdicts), or
 * NULL and why in *err
 */
static char *run_diff(const char *base, const char *new, char **err)
{
	char why[512] = "", *json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&json, &len);
	int e;

	*err = NULL;
	if (!f) {
		*err = strdup("out of memory");
		return NULL;
	}
	e = tdxtop_diff_run(base, new, f, why, sizeof(why));
	if (fclose(f) || e == 2 || !json || *json != '{') {
		free(json);
		*err = strdup(why[0] ? why : "tdxtop diff did not run");
		return NULL;
	}
	/* one object, without the line's end */
	while (len && json[len - 1] == '\n')
		json[--len] = '\0';
	return json;
}

static int report_html(struct tdxtop_recording *r, struct tdxtop_recording *r2,
		       __u64 from, __u64 to)
{
	struct tdxtop_html_run runs[2] = { { .file = rep.file }, { .file = rep.file2 } };
	char *diff = NULL, *diff_err = NULL;
	int i, nr = r2 ? 2 : 1, e = 0, ret = 0;
	FILE *f;

	for (i = 0; i < nr && !e; i++) {
		/* --from and --to count from the start of each recording */
		if (i && ((rep.from && parse_time(r2, rep.from, &from)) ||
			  (rep.to && parse_time(r2, rep.to, &to)))) {
			tdxtop_fail("invalid time for %s", rep.file2);
			ret = 2;
			break;
		}
		e = html_run(i ? r2 : r, from, to, &runs[i]);
		if (e == -ENODATA) {
			ret = no_interval(i ? rep.file2 : rep.file, true);
		} else if (e) {
			tdxtop_fail("%s", e == -ENOMEM ? "out of memory" :
				    tdxtop_recording_error(i ? r2 : r));
			ret = 2;
		}
	}
	if (!ret && r2) {
		diff = run_diff(rep.file, rep.file2, &diff_err);
	}
	if (!ret) {
		f = fopen(rep.html, "w");
		if (!f || tdxtop_html_write(f, runs, nr, argp_program_version, diff,
					    diff_err) || fclose(f)) {
			tdxtop_fail("%s: %s", rep.html, strerror(errno ? errno : EIO));
			ret = 1;
		}
	}
	for (i = 0; i < 2; i++) {
		free(runs[i].intervals);
		free(runs[i].merged);
	}
	free(diff);
	free(diff_err);
	return ret;
}

int tdxtop_cmd_report(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &tdxtop_out_argp, 0, NULL, 0 }, {},
	};
	static const struct argp argp = {
		.options = report_opts, .parser = parse_report, .children = children,
		.doc = report_doc,
	};
	struct tdxtop_recording *r, *r2 = NULL;
	__u64 from = 0, to = ~0ULL;
	char err[512];
	int e;

	tdxtop_cli_out_init(&rep.print);
	rep.interval_ms = TDXTOP_DEF_INTERVAL_MS;
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	if (rep.print.json || !isatty(STDOUT_FILENO))
		rep.print.batch = true;
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);

	e = tdxtop_recording_open(&r, rep.file, err, sizeof(err));
	if (e) {
		tdxtop_fail("%s", err);
		return 2;
	}
	if (rep.file2 && tdxtop_recording_open(&r2, rep.file2, err, sizeof(err))) {
		tdxtop_fail("%s", err);
		tdxtop_recording_close(r);
		return 2;
	}
	if ((rep.from && parse_time(r, rep.from, &from)) ||
	    (rep.to && parse_time(r, rep.to, &to))) {
		tdxtop_fail("invalid time: %s (seconds from the start, or "
			    "YYYY-MM-DDTHH:MM:SSZ)", rep.from && parse_time(r, rep.from, &from) ?
			    rep.from : rep.to);
		tdxtop_recording_close(r);
		return 2;
	}
	if (!tdxtop_recording_intervals(r) || (r2 && !tdxtop_recording_intervals(r2)))
		e = no_interval(tdxtop_recording_intervals(r) ? rep.file2 : rep.file, false);
	else if (rep.html)
		e = report_html(r, r2, from, to);
	else if (rep.format == FMT_HLOG)
		e = report_hlog(r, from, to);
	else
		e = report_views(r, from, to);
	tdxtop_recording_close(r);
	tdxtop_recording_close(r2);
	return e;
}
