// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the subcommands share on the command line: the output options of
 * the live views and of report (an argp child), number parsing, one-line
 * errors, and the stop signal.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/prctl.h>
#include <cap-ng.h>
#include "cli.h"

volatile sig_atomic_t tdxtop_exiting;
bool tdxtop_json_errors;

static void on_signal(int sig)
{
	tdxtop_exiting = 1;
}

void tdxtop_catch_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}

void tdxtop_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR && !tdxtop_exiting)
		;
}

void tdxtop_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tdxtop_json_errors)
		tdxtop_json_error(stdout, msg);
	else
		fprintf(stderr, "tdxtop: %s\n", msg);
}

int tdxtop_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int tdxtop_parse_secs(const char *s, int *ms)
{
	double d;
	char *end;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !(d >= 0.01 && d <= 86400))
		return -1;
	*ms = (int)(d * 1000 + 0.5);
	return 0;
}

void tdxtop_arg_secs(struct argp_state *state, const char *arg, int *ms,
		     const char *what)
{
	if (tdxtop_parse_secs(arg, ms))
		argp_error(state, "invalid %s: %s (seconds, 0.01 to 86400)", what, arg);
}

enum { OPT_PRETTY = 0x200, OPT_BUCKETS };

static const struct argp_option out_opts[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "batch", 'b', NULL, 0, "Batch mode: plain text, no TUI", 1 },
	{ "json", 'j', NULL, 0, "JSON lines, one object per interval (docs/json.md)", 1 },
	{ "pretty", OPT_PRETTY, NULL, 0, "Pretty-printed JSON (implies --json)", 1 },
	{ "group", 'g', "GROUP", 0, "Rows per vm, vcpu, reason (default) or all", 1 },
	{ "sort", 's', "KEY", 0, "Sort by count (default), guest, host, restore, max", 1 },
	{ "rows", 'n', "N", 0, "Print at most N rows per interval", 1 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp per interval", 1 },
	{ "buckets", OPT_BUCKETS, NULL, 0,
	  "JSON: each row's histogram buckets, [lo, hi, count] in ns (implies --json)", 1 },
	{ "verbose", 'v', NULL, 0, "Each BPF program's cost (text); libbpf debug output", 1 },
	{},
};

static error_t parse_out(int key, char *arg, struct argp_state *state)
{
	struct tdxtop_cli_out *o = state->input;
	__u64 v;
	int i;

	switch (key) {
	case 'b':
		o->batch = true;
		break;
	case 'j':
		o->json = true;
		tdxtop_json_errors = true;
		break;
	case OPT_PRETTY:
		o->json = true;
		o->opts.pretty = true;
		tdxtop_json_errors = true;
		break;
	case 'v':
		o->opts.verbose = true;
		break;
	case OPT_BUCKETS:
		o->json = true;
		o->opts.buckets = true;
		tdxtop_json_errors = true;
		break;
	case 'T':
		o->opts.timestamp = true;
		break;
	case 'g':
		i = tdxtop_parse_group(arg);
		if (i < 0)
			argp_error(state, "invalid group: %s (vm, vcpu, reason, all)", arg);
		o->opts.by = i;
		break;
	case 's':
		i = tdxtop_parse_sort(arg);
		if (i < 0)
			argp_error(state, "invalid sort key: %s (count, guest, host, restore, max)",
				   arg);
		o->opts.sort = i;
		break;
	case 'n':
		if (tdxtop_parse_u64(arg, 1, 1000000, &v))
			argp_error(state, "invalid row count: %s", arg);
		o->opts.top = v;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp tdxtop_out_argp = { .options = out_opts, .parser = parse_out };

void tdxtop_cli_out_init(struct tdxtop_cli_out *o)
{
	*o = (struct tdxtop_cli_out){
		.opts = { .by = TDXTOP_BY_REASON, .sort = TDXTOP_SORT_COUNT },
	};
}

int tdxtop_print(const struct tdxtop_cli_out *o, const struct tdxtop_snap *s,
		 struct tdxtop_view *v)
{
	return o->json ? tdxtop_print_json(stdout, s, &o->opts, v) :
			 tdxtop_print_text(stdout, s, &o->opts, v);
}

int tdxtop_drop_caps(void)
{
	/* no exec will give them back either */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	capng_clear(CAPNG_SELECT_BOTH);
	if (!capng_apply(CAPNG_SELECT_BOTH))
		return 0;
	/* without CAP_SETPCAP (a service given CAP_BPF and CAP_PERFMON only)
	 * the bounding set stays as it was given; the sets themselves empty */
	capng_clear(CAPNG_SELECT_CAPS);
	if (!capng_apply(CAPNG_SELECT_CAPS))
		return 0;
	tdxtop_fail("cannot drop capabilities after attaching");
	return -1;
}

int tdxtop_parse_time(const char *s, __u64 mono0, __u64 real0, __u64 *ns)
{
	struct tm tm = {};
	double secs, frac = 0;
	char *end;
	time_t t;

	errno = 0;
	secs = strtod(s, &end);
	if (end != s && !*end && !errno && secs >= 0 && secs < 1e9) {
		*ns = mono0 + (__u64)(secs * 1e9 + 0.5);
		return 0;
	}
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -EINVAL;
	if (*end == '.') {
		frac = strtod(end, &end);
		if (!(frac >= 0 && frac < 1))
			return -EINVAL;
	}
	if (*end == 'Z')
		end++;
	if (*end)
		return -EINVAL;
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	secs = t + frac - real0 / 1e9;
	/* after the start, within 500 years of it */
	if (secs > 1.5e10)
		return -ERANGE;
	*ns = secs <= 0 ? 0 : mono0 + (__u64)(secs * 1e9 + 0.5);
	return 0;
}
