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
#include "tdxtop.h"

static const char report_doc[] =
"Show a recording (tdxtop record, tdxtop -w) through the live views: every\n"
"interval as it was printed live, or --merge'd into one.\n"
"\n"
"USAGE: tdxtop report [-b] [-j] [--pretty] [-g GROUP] [-s SORT] [-n ROWS] [-T]\n"
"                     [--from T] [--to T] [--merge] [--format text|json|hlog]\n"
"                     FILE\n"
"\n"
"T is seconds from the start of the recording (30, 1.5) or a UTC time\n"
"(2026-11-28T10:00:00Z).  --format hlog writes HdrHistogram interval logs\n"
"(a tag per VM, reason and metric; values in ns).\n"
"\n"
"EXAMPLES:\n"
"    tdxtop report run.db              # each interval, as tdxtop -b showed it\n"
"    tdxtop report -j run.db | jq .    # as tdxtop -j printed it, byte for byte\n"
"    tdxtop report --merge -g vm run.db   # whole-run percentiles per VM\n"
"    tdxtop report --from 60 --to 120 run.db\n"
"    tdxtop report --format hlog run.db > run.hlog\n";

enum { OPT_FROM = 0x300, OPT_TO, OPT_MERGE, OPT_FORMAT };

enum report_format { FMT_VIEW, FMT_HLOG };

static struct {
	struct tdxtop_cli_out o;
	const char *file;
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
	{},
};

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &rep.o;
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
			rep.o.batch = true;
		} else if (!strcmp(arg, "json")) {
			rep.o.json = true;
			tdxtop_json_errors = true;
		} else if (!strcmp(arg, "hlog")) {
			rep.format = FMT_HLOG;
		} else {
			argp_error(state, "invalid format: %s (text, json, hlog)", arg);
		}
		break;
	case ARGP_KEY_ARG:
		if (rep.file)
			argp_error(state, "one recording at a time: %s", arg);
		rep.file = arg;
		break;
	case ARGP_KEY_END:
		if (!rep.file)
			argp_error(state, "which recording? (tdxtop report FILE)");
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

static int report_views(struct tdxtop_recording *r, __u64 from, __u64 to)
{
	struct tdxtop_merge m = {};
	struct tdxtop_snap s = {};
	struct tdxtop_view v = {};
	__s64 after = 0;
	__u64 n = 0;
	int e, err = 0;

	if (!rep.o.batch && !rep.merge) {
		struct replay p = { .r = r, .from = from, .to = to };
		struct tdxtop_source src = { .ctx = &p, .poll = replay_poll };

		tdxtop_catch_signals();
		e = tdxtop_tui_run(&src, rep.interval_ms, &rep.o.out,
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
		e = tdxtop_print(&rep.o, &s, &v);
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
			e = tdxtop_print(&rep.o, &m.s, &v);
		if (e && e != -EPIPE) {
			tdxtop_fail("output failed: %s", strerror(-e));
			err = 1;
		}
	}
	if (!err && !n)
		fprintf(stderr, "tdxtop: %s: no interval%s\n", rep.file,
			rep.from || rep.to ? " in the selected span" : "");
	tdxtop_merge_free(&m);
	tdxtop_snap_free(&s);
	tdxtop_view_free(&v);
	return err;
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
	struct tdxtop_recording *r;
	__u64 from = 0, to = ~0ULL;
	char err[512];
	int e;

	tdxtop_cli_out_init(&rep.o);
	rep.interval_ms = TDXTOP_DEF_INTERVAL_MS;
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	if (rep.o.json || !isatty(STDOUT_FILENO))
		rep.o.batch = true;
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);

	e = tdxtop_recording_open(&r, rep.file, err, sizeof(err));
	if (e) {
		tdxtop_fail("%s", err);
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
	if (rep.format == FMT_HLOG)
		e = tdxtop_hlog_write(stdout, r, from, to, rep.o.out.by);
	else
		e = report_views(r, from, to);
	tdxtop_recording_close(r);
	return e;
}
