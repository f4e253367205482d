// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop: which TDs exit, why, how long the guest ran, how long the host
 * took, and what restoring host state costs.  Reads the tdx tracepoints of
 * the patched KVM (kernel/patches) through raw tracepoint BPF programs that
 * aggregate in the kernel; user space reads the maps once per interval.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"
#include "tdx_enter.skel.h"

static struct env {
	int interval_ms;
	long count;
	bool batch, json, verbose;
	__u32 pid, vcpu;
	__u64 min_ns, tsc_khz;
	__u32 stats_entries, hist_entries, vcpu_entries;
	struct tdxtop_out_opts out;
} env = {
	.interval_ms = TDXTOP_DEF_INTERVAL_MS,
	.count = -1,
	.vcpu = TDXTOP_VCPU_NONE,
	.out = { .by = TDXTOP_BY_REASON, .sort = TDXTOP_SORT_COUNT },
};

const char *argp_program_version = "tdxtop 0.1";
const char argp_program_doc[] =
"Show TDX vCPU enter/exit activity: exits by TD, vCPU, reason, TDVMCALL leaf\n"
"and TDX status; time in guest, host time between exits, and the cost of\n"
"restoring host state (DEBUGCTL, PKRU, XCR0, XSS, KERNEL_GS_BASE, user-return\n"
"MSRs).  Needs a kernel with the tdx tracepoints (kernel/patches).\n"
"\n"
"USAGE: tdxtop [-b] [-j] [--pretty] [-p PID] [--vcpu N] [-g GROUP] [-s SORT]\n"
"              [-n ROWS] [-T] [-d SECS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    tdxtop                 # live view, refreshed every second\n"
"    tdxtop -b 5 3          # plain text, three 5-second intervals\n"
"    tdxtop -j 1 10 | jq .  # JSON lines, one object per interval\n"
"    tdxtop -p 4242 -g vcpu # only QEMU process 4242, per vCPU\n"
"    tdxtop -s max -n 10    # ten rows with the longest guest time\n"
"    tdxtop --min-latency 100000  # only exits after >= 100us in the guest\n";

#define STR_(x) #x
#define STR(x) STR_(x)

enum {
	OPT_PRETTY = 0x100, OPT_VCPU, OPT_MIN_LAT, OPT_TSC_KHZ, OPT_STATS_ENTRIES,
	OPT_HIST_ENTRIES, OPT_VCPU_ENTRIES,
};

static const struct argp_option opts[] = {
	{ "batch", 'b', NULL, 0, "Batch mode: plain text, no TUI", 0 },
	{ "json", 'j', NULL, 0, "JSON lines, one object per interval (docs/json.md)", 0 },
	{ "pretty", OPT_PRETTY, NULL, 0, "Pretty-printed JSON (implies --json)", 0 },
	{ "pid", 'p', "PID", 0, "Only this VMM process", 0 },
	{ "vcpu", OPT_VCPU, "N", 0, "Only this vCPU id", 0 },
	{ "group", 'g', "GROUP", 0, "Rows per vm, vcpu, reason (default) or all", 0 },
	{ "sort", 's', "KEY", 0, "Sort by count (default), guest, host, restore, max", 0 },
	{ "rows", 'n', "N", 0, "Print at most N rows per interval", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp per interval", 0 },
	{ "delay", 'd', "SECS", 0, "Interval in seconds (same as [interval])", 0 },
	{ "min-latency", OPT_MIN_LAT, "NS", 0, "Only exits with at least NS ns in the guest", 0 },
	{ "tsc-khz", OPT_TSC_KHZ, "KHZ", 0, "TSC frequency, instead of probing it", 0 },
	{ "vcpu-entries", OPT_VCPU_ENTRIES, "N", 0,
	  "vCPUs with rows of their own (" STR(TDXTOP_DEF_VCPUS) ")", 0 },
	{ "stats-entries", OPT_STATS_ENTRIES, "N", 0,
	  "Rows of the shared hash: user-return rows and rows without a vCPU slot ("
	  STR(TDXTOP_DEF_SHARED_ROWS) ")", 0 },
	{ "hist-entries", OPT_HIST_ENTRIES, "N", 0,
	  "Histograms (" STR(TDXTOP_DEF_HISTS) ")", 0 },
	{ "verbose", 'v', NULL, 0, "Each BPF program's cost (text); libbpf debug output", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static int parse_u64(const char *s, __u64 min, __u64 max, __u64 *out)
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

static int parse_secs(const char *s, int *ms)
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

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static int pos;
	__u64 v;
	int i;

	switch (key) {
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 'b':
		env.batch = true;
		break;
	case 'j':
		env.json = true;
		break;
	case OPT_PRETTY:
		env.json = true;
		env.out.pretty = true;
		break;
	case 'v':
		env.verbose = true;
		env.out.verbose = true;
		break;
	case 'T':
		env.out.timestamp = true;
		break;
	case 'p':
		if (parse_u64(arg, 1, INT_MAX, &v))
			argp_error(state, "invalid PID: %s", arg);
		env.pid = v;
		break;
	case OPT_VCPU:
		if (parse_u64(arg, 0, TDXTOP_VCPU_NONE - 1, &v))
			argp_error(state, "invalid vCPU id: %s", arg);
		env.vcpu = v;
		break;
	case 'g':
		i = tdxtop_parse_group(arg);
		if (i < 0)
			argp_error(state, "invalid group: %s (vm, vcpu, reason, all)", arg);
		env.out.by = i;
		break;
	case 's':
		i = tdxtop_parse_sort(arg);
		if (i < 0)
			argp_error(state, "invalid sort key: %s (count, guest, host, restore, max)", arg);
		env.out.sort = i;
		break;
	case 'n':
		if (parse_u64(arg, 1, 1000000, &v))
			argp_error(state, "invalid row count: %s", arg);
		env.out.top = v;
		break;
	case 'd':
		if (parse_secs(arg, &env.interval_ms))
			argp_error(state, "invalid delay: %s", arg);
		break;
	case OPT_MIN_LAT:
		if (parse_u64(arg, 0, ULLONG_MAX, &env.min_ns))
			argp_error(state, "invalid latency: %s", arg);
		break;
	case OPT_TSC_KHZ:
		if (parse_u64(arg, 1, 100000000, &env.tsc_khz))
			argp_error(state, "invalid TSC frequency: %s", arg);
		break;
	case OPT_STATS_ENTRIES:
	case OPT_HIST_ENTRIES:
	case OPT_VCPU_ENTRIES:
		if (parse_u64(arg, 1, 1 << 22, &v))
			argp_error(state, "invalid map size: %s", arg);
		if (key == OPT_STATS_ENTRIES)
			env.stats_entries = v;
		else if (key == OPT_HIST_ENTRIES)
			env.hist_entries = v;
		else
			env.vcpu_entries = v;
		break;
	case ARGP_KEY_ARG:
		if (pos == 0) {
			if (parse_secs(arg, &env.interval_ms))
				argp_error(state, "invalid interval: %s", arg);
		} else if (pos == 1) {
			if (parse_u64(arg, 1, LONG_MAX, &v))
				argp_error(state, "invalid count: %s", arg);
			env.count = v;
		} else {
			argp_error(state, "unexpected argument: %s", arg);
		}
		pos++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt,
			   va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* One line, on stderr, or as {"error": ...} on stdout in JSON mode */
static void fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (env.json)
		tdxtop_json_error(stdout, msg);
	else
		fprintf(stderr, "tdxtop: %s\n", msg);
}

static int check_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	bool admin, bpf, perfmon;

	if (syscall(SYS_capget, &hdr, data))
		return 0;	/* cannot tell: let the kernel decide */
#define HAS(c) (!!(data[(c) / 32].effective & (1U << ((c) % 32))))
	admin = HAS(CAP_SYS_ADMIN);
	bpf = HAS(CAP_BPF);
	perfmon = HAS(CAP_PERFMON);
#undef HAS
	if (admin || (bpf && perfmon))
		return 0;
	fail("missing capability %s%s%s (or CAP_SYS_ADMIN): run as root",
	     bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
	     perfmon ? "" : "CAP_PERFMON");
	return -1;
}


/* 1: present, 0: absent, -1: tracefs not mounted, cannot tell */
static int tdx_events_present(void)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", roots[i]);
		if (stat(path, &st))
			continue;
		snprintf(path, sizeof(path), "%s/events/tdx/tdx_vp_enter", roots[i]);
		return !stat(path, &st);
	}
	return -1;
}

static void no_tdx_events(void)
{
	fail("the running kernel has no tdx tracepoints (tdx:tdx_vp_enter): boot a kernel "
	     "with tdxtop's series (kernel/patches, 'make kernel') and KVM_INTEL_TDX");
}

struct live {
	struct tdx_enter_bpf *skel;
	struct tdxtop_reader reader;
	struct tdxtop_snap snap;
	struct tdxtop_tsc tsc;
	int stats_fd;		/* BPF_STATS_RUN_TIME held on, or -1 */
};

static int live_poll(void *ctx, const struct tdxtop_snap **s)
{
	struct live *l = ctx;
	int err;

	err = tdxtop_reader_read(&l->reader, &l->snap);
	*s = &l->snap;
	return err;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR && !exiting)
		;
}

/* Opens, sizes, loads and attaches the programs; 0, or the exit status */
static int live_open(struct live *l)
{
	struct tdxtop_maps maps;
	int err;

	if (env.tsc_khz)
		err = tdxtop_tsc_from_khz(&l->tsc, env.tsc_khz);
	else
		err = tdxtop_tsc_probe(&l->tsc);
	if (err) {
		fail("cannot tell the TSC frequency (%s): use --tsc-khz", strerror(-err));
		return 1;
	}
	l->skel = tdx_enter_bpf__open();
	if (!l->skel) {
		fail("failed to open the BPF object: %s", strerror(errno));
		return 1;
	}
	l->skel->rodata->targ_tgid = env.pid;
	l->skel->rodata->targ_vcpu = env.vcpu;
	l->skel->rodata->min_guest_ns = env.min_ns;
	l->skel->rodata->tsc_mult = l->tsc.mult;
	l->skel->rodata->tsc_shift = l->tsc.shift;
	err = tdxtop_maps_size(l->skel, env.vcpu_entries, env.stats_entries,
			       env.hist_entries, 0);
	if (err) {
		fail("map sizes out of range: %s", strerror(-err));
		return 1;
	}
	err = tdx_enter_bpf__load(l->skel);
	if (err) {
		fail("failed to load the BPF programs: %s", strerror(-err));
		return 1;
	}
	tdxtop_maps_get(&maps, l->skel);
	err = tdx_enter_bpf__attach(l->skel);
	if (err) {
		if (err == -ENOENT)
			no_tdx_events();
		else
			fail("failed to attach to the tdx tracepoints: %s", strerror(-err));
		return 1;
	}
	l->stats_fd = tdxtop_selfcost_enable();
	err = tdxtop_reader_init(&l->reader, &maps, &l->tsc);
	l->reader.timed = l->stats_fd >= 0;
	if (!err)	/* from here on, each read is one interval */
		err = tdxtop_reader_read(&l->reader, &l->snap);
	if (err) {
		fail("failed to read the BPF maps: %s", strerror(-err));
		return 1;
	}
	return 0;
}

static void live_close(struct live *l)
{
	if (l->stats_fd >= 0)
		close(l->stats_fd);
	tdxtop_reader_free(&l->reader);
	tdxtop_snap_free(&l->snap);
	tdx_enter_bpf__destroy(l->skel);
}

/* Text or JSON, count intervals; a signal cuts the last one short */
static int batch_loop(struct live *l)
{
	struct tdxtop_view v = {};
	int err = 0;
	long n;

	for (n = 0; env.count < 0 || n < env.count; n++) {
		if (exiting)
			break;
		sleep_ms(env.interval_ms);
		err = tdxtop_reader_read(&l->reader, &l->snap);
		if (err) {
			fail("failed to read the BPF maps: %s", strerror(-err));
			break;
		}
		if (env.json)
			err = tdxtop_print_json(stdout, &l->snap, &env.out, &v);
		else
			err = tdxtop_print_text(stdout, &l->snap, &env.out, &v);
		if (err) {
			/* a reader that went away (tdxtop -j | head -1) is no error */
			if (err != -EPIPE)
				fail("output failed: %s", strerror(-err));
			else
				err = 0;
			break;
		}
	}
	tdxtop_view_free(&v);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts, .parser = parse_arg, .doc = argp_program_doc,
	};
	struct live l = { .stats_fd = -1 };
	struct tdxtop_source src = { .ctx = &l, .poll = live_poll };
	int err;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	if (env.json)
		env.batch = true;
	if (!env.batch && !isatty(STDOUT_FILENO))
		env.batch = true;
	/* which characters a VM name may show in text; numbers stay C */
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);

	libbpf_set_print(libbpf_print_fn);
	if (check_caps())
		return 1;
	if (tdx_events_present() == 0) {
		no_tdx_events();
		return 1;
	}
	err = live_open(&l);
	if (err)
		goto cleanup;

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	signal(SIGHUP, sig_handler);

	if (env.batch) {
		err = batch_loop(&l);
	} else {
		err = tdxtop_tui_run(&src, env.interval_ms, &env.out,
				     (volatile int *)&exiting);
		if (err) {
			fail("%s", strerror(-err));
			err = 1;
		}
	}

cleanup:
	live_close(&l);
	return err;
}
