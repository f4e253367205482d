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
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"
#include "tdx_enter.skel.h"
#include "kvm_exit.skel.h"

#define DEF_CHECK_MS	5000	/* tdxtop check's window */

static struct env {
	int interval_ms;
	long count;
	bool record;		/* tdxtop record: no output */
	bool serve;		/* tdxtop serve: /metrics, no output */
	bool check;		/* tdxtop check: beside ftrace, a verdict */
	int check_ms;
	bool check_json;
	struct tdxtop_serve_opts srv;
	const char *write;	/* -w / record -o: the recording */
	__u32 pid, vcpu;
	__u64 min_ns, tsc_khz;
	__u32 stats_entries, hist_entries, vcpu_entries;
	struct tdxtop_outlier_opts outliers;
	bool outlier_rate_set;
	const char *source;	/* --source: "tdx", "kvm", NULL for auto */
	struct tdxtop_cli_out o;
} env = {
	.interval_ms = TDXTOP_DEF_INTERVAL_MS,
	.count = -1,
	.vcpu = TDXTOP_VCPU_NONE,
	.srv.listen = TDXTOP_DEF_LISTEN,
	.outliers.rate = TDXTOP_DEF_OUTLIER_RATE,
	.check_ms = DEF_CHECK_MS,
};

const char *argp_program_version = "tdxtop 0.1";
static const char live_doc[] =
"Show TDX vCPU enter/exit activity: exits by TD, vCPU, reason, TDVMCALL leaf\n"
"and TDX status; time in guest, host time between exits, and the cost of\n"
"restoring host state (DEBUGCTL, PKRU, XCR0, XSS, KERNEL_GS_BASE, user-return\n"
"MSRs) from the tdx tracepoints (kernel/patches); on any other kernel, exits,\n"
"guest and host time from KVM's kvm_entry/kvm_exit (--source kvm).\n"
"\n"
"USAGE: tdxtop [-b] [-j] [--pretty] [-p PID] [--vcpu N] [-g GROUP] [-s SORT]\n"
"              [-n ROWS] [-T] [-d SECS] [-w FILE] [interval] [count]\n"
"       tdxtop record [-o FILE] [-p PID] [--vcpu N] [interval] [count]\n"
"       tdxtop report [-g GROUP] [-j] [--merge] [--from T] [--to T] FILE\n"
"       tdxtop diff [--threshold PCT] BASE... -- NEW...\n"
"       tdxtop serve [--listen ADDR:PORT] [--per-vcpu] [--per-pid] [-p PID]\n"
"\n"
"EXAMPLES:\n"
"    tdxtop                 # live view, refreshed every second\n"
"    tdxtop -b 5 3          # plain text, three 5-second intervals\n"
"    tdxtop -j 1 10 | jq .  # JSON lines, one object per interval\n"
"    tdxtop -p 4242 -g vcpu # only QEMU process 4242, per vCPU\n"
"    tdxtop -s max -n 10    # ten rows with the longest guest time\n"
"    tdxtop --min-latency 100000  # only exits after >= 100us in the guest\n"
"    tdxtop --outliers guest=1ms  # and each exit with > 1 ms in the guest\n"
"    tdxtop --outliers auto -j    # each exit above its key's last p99.9\n"
"    tdxtop -j -w run.db 1 60     # JSON lines, and record them\n"
"    tdxtop record -o base.db 1 300   # record 5 minutes, print nothing\n"
"    tdxtop report --merge base.db    # the whole recording in one table\n"
"    tdxtop diff base.db -- new.db    # did exits get slower? (exit 1: yes)\n"
"    tdxtop serve                     # Prometheus metrics on 127.0.0.1:9479\n";

static const char record_doc[] =
"Record TD enter/exit activity into an SQLite database (docs/record.md), one\n"
"transaction per interval, printing nothing; 'tdxtop report' and 'tdxtop\n"
"diff' read it.  An existing FILE is moved to FILE.old.\n"
"\n"
"USAGE: tdxtop record [-o FILE] [-p PID] [--vcpu N] [-d SECS] [--outliers SPEC]\n"
"                     [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    tdxtop record                # into tdxtop.db until Ctrl-C\n"
"    tdxtop record -o a.db 1 600  # ten minutes, 1-second intervals\n";

static const char serve_doc[] =
"Serve TD enter/exit metrics over HTTP for Prometheus: GET /metrics, in the\n"
"text format, or OpenMetrics when the scraper asks for it.  Each scrape\n"
"reads the BPF maps; counters and histograms are totals since tdxtop serve\n"
"started, labelled by VM name (docs/prometheus.md).  Listens on loopback\n"
"unless told otherwise.\n"
"\n"
"USAGE: tdxtop serve [--listen ADDR:PORT] [--per-vcpu] [--per-pid] [-p PID]\n"
"                    [--vcpu N] [--min-latency NS]\n"
"\n"
"EXAMPLES:\n"
"    tdxtop serve                      # http://127.0.0.1:9479/metrics\n"
"    tdxtop serve --listen [::1]:9479  # IPv6 loopback\n"
"    tdxtop serve --listen 0.0.0.0:9479  # every interface: say so\n";

static const char check_doc[] =
"Check whether tdxtop's numbers can be trusted on this host: which source it\n"
"would use and why (tracepoints, BTF, capabilities, map sizes, run-time\n"
"accounting); then, where tracefs is mounted, it counts the same events for\n"
"SECONDS (5) beside ftrace hist triggers in a tracefs instance of its own\n"
"and compares per key: counts, and time sums where the event carries them.\n"
"Exit status 0: agrees; 1: disagrees (the keys are listed); 2: cannot check\n"
"(says why).  Nothing is left behind, even when tdxtop is killed.\n"
"\n"
"USAGE: tdxtop check [-j] [--source SRC] [map sizes] [--min-latency NS] [SECONDS]\n"
"\n"
"EXAMPLES:\n"
"    tdxtop check             # 5 seconds beside the hist triggers\n"
"    tdxtop check -j 30 | jq .verdict\n";

#define STR_(x) #x
#define STR(x) STR_(x)
#define DEF_RECORD_FILE	"tdxtop.db"

enum {
	OPT_VCPU = 0x100, OPT_MIN_LAT, OPT_TSC_KHZ, OPT_STATS_ENTRIES,
	OPT_HIST_ENTRIES, OPT_VCPU_ENTRIES, OPT_LISTEN, OPT_PER_VCPU, OPT_PER_PID,
	OPT_OUTLIERS, OPT_OUTLIER_RATE, OPT_SOURCE,
};

/* serve's own */
static const struct argp_option serve_opts[] = {
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "Address to serve on (" TDXTOP_DEF_LISTEN "; 0.0.0.0:PORT for all)", 0 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "Also counters per vCPU (vcpu label)", 0 },
	{ "per-pid", OPT_PER_PID, NULL, 0, "A pid label beside the VM name", 0 },
	{},
};

static error_t parse_serve(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_LISTEN: {
		char err[256];

		if (tdxtop_listen_check(arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		env.srv.listen = arg;
		break;
	}
	case OPT_PER_VCPU:
		env.srv.prom.per_vcpu = true;
		break;
	case OPT_PER_PID:
		env.srv.prom.per_pid = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp serve_argp = { .options = serve_opts, .parser = parse_serve };

static const struct argp_option check_opts[] = {
	{ "json", 'j', NULL, 0, "One JSON object (errors too)", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf's messages", 0 },
	{},
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		env.check_json = true;
		tdxtop_json_errors = true;
		break;
	case 'v':
		env.o.out.verbose = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp check_argp = { .options = check_opts, .parser = parse_check };

/* What the kernel side aggregates: the same for live and record */
static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Only this VMM process", 0 },
	{ "vcpu", OPT_VCPU, "N", 0, "Only this vCPU id", 0 },
	{ "delay", 'd', "SECS", 0, "Interval in seconds (same as [interval])", 0 },
	{ "write", 'w', "FILE", 0, "Also record every interval into FILE (see record)", 0 },
	{ "output", 'o', "FILE", OPTION_HIDDEN, "record: the file (" DEF_RECORD_FILE ")", 0 },
	{ "min-latency", OPT_MIN_LAT, "NS", 0, "Only exits with at least NS ns in the guest", 0 },
	{ "outliers", OPT_OUTLIERS, "SPEC", 0,
	  "Capture each exit above a threshold: guest=TIME,host=TIME,restore=TIME "
	  "(ns, us, ms, s), or auto (above its key's p99.9 of the last interval)", 0 },
	{ "outlier-rate", OPT_OUTLIER_RATE, "N", 0,
	  "At most N outliers a second, the rest counted as capped ("
	  STR(TDXTOP_DEF_OUTLIER_RATE) ")", 0 },
	{ "source", OPT_SOURCE, "SRC", 0,
	  "Events: tdx (the tdx tracepoints of kernel/patches), kvm (KVM's kvm_entry "
	  "and kvm_exit, any kernel: no TDX status, leaf or restore costs), auto "
	  "(tdx when present, else kvm; the default)", 0 },
	{ "tsc-khz", OPT_TSC_KHZ, "KHZ", 0, "TSC frequency, instead of probing it", 0 },
	{ "vcpu-entries", OPT_VCPU_ENTRIES, "N", 0,
	  "vCPUs with rows of their own (" STR(TDXTOP_DEF_VCPUS) ")", 0 },
	{ "stats-entries", OPT_STATS_ENTRIES, "N", 0,
	  "Rows of the shared hash: user-return rows and rows without a vCPU slot ("
	  STR(TDXTOP_DEF_SHARED_ROWS) ")", 0 },
	{ "hist-entries", OPT_HIST_ENTRIES, "N", 0,
	  "Histograms (" STR(TDXTOP_DEF_HISTS) ")", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static int pos;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		/* only the views have output options */
		if (!env.record && !env.serve && !env.check)
			state->child_inputs[0] = &env.o;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 'p':
		if (tdxtop_parse_u64(arg, 1, INT_MAX, &v))
			argp_error(state, "invalid PID: %s", arg);
		env.pid = v;
		break;
	case OPT_VCPU:
		if (tdxtop_parse_u64(arg, 0, TDXTOP_VCPU_NONE - 1, &v))
			argp_error(state, "invalid vCPU id: %s", arg);
		env.vcpu = v;
		break;
	case 'd':
		if (env.serve)
			argp_error(state, "serve has no interval: each scrape reads the maps");
		tdxtop_arg_secs(state, arg, &env.interval_ms, "delay");
		break;
	case 'w':
	case 'o':
		if (env.serve)
			argp_error(state, "serve does not record: run 'tdxtop record' beside it");
		if (!*arg)
			argp_error(state, "empty file name");
		if ((key == 'o') != env.record)
			argp_error(state, key == 'o' ? "-o is for 'tdxtop record'; "
				   "use -w FILE to record while watching" :
				   "record writes to -o FILE");
		env.write = arg;
		break;
	case OPT_MIN_LAT:
		if (tdxtop_parse_u64(arg, 0, ULLONG_MAX, &env.min_ns))
			argp_error(state, "invalid latency: %s", arg);
		break;
	case OPT_OUTLIERS: {
		char err[256];

		if (env.serve)
			argp_error(state, "serve does not capture outliers: run 'tdxtop record "
				   "--outliers' beside it");
		if (tdxtop_outlier_parse(arg, &env.outliers, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	}
	case OPT_OUTLIER_RATE:
		if (tdxtop_parse_u64(arg, 1, TDXTOP_MAX_OUTLIER_RATE, &v))
			argp_error(state, "invalid outlier rate: %s (1 to %d a second)", arg,
				   TDXTOP_MAX_OUTLIER_RATE);
		env.outliers.rate = v;
		env.outlier_rate_set = true;
		break;
	case OPT_SOURCE:
		if (!strcmp(arg, "tdx") || !strcmp(arg, "kvm"))
			env.source = !strcmp(arg, "tdx") ? "tdx" : "kvm";
		else if (strcmp(arg, "auto"))
			argp_error(state, "invalid source: %s (tdx, kvm or auto)", arg);
		else
			env.source = NULL;
		break;
	case ARGP_KEY_END:
		if (env.check && (env.pid || env.vcpu != TDXTOP_VCPU_NONE || env.write ||
				  env.outliers.on))
			argp_error(state, "check compares every event: -p, --vcpu, -w and "
				   "--outliers do not apply");
		if (env.outlier_rate_set && !env.outliers.on)
			argp_error(state, "--outlier-rate needs --outliers");
		if (env.outliers.on && env.source && !strcmp(env.source, "kvm"))
			argp_error(state, "--outliers needs the tdx source: kvm_exit has "
				   "no per-exit record to capture");
		break;
	case OPT_TSC_KHZ:
		if (tdxtop_parse_u64(arg, 1, 100000000, &env.tsc_khz))
			argp_error(state, "invalid TSC frequency: %s", arg);
		break;
	case OPT_STATS_ENTRIES:
	case OPT_HIST_ENTRIES:
	case OPT_VCPU_ENTRIES:
		if (tdxtop_parse_u64(arg, 1, 1 << 22, &v))
			argp_error(state, "invalid map size: %s", arg);
		if (key == OPT_STATS_ENTRIES)
			env.stats_entries = v;
		else if (key == OPT_HIST_ENTRIES)
			env.hist_entries = v;
		else
			env.vcpu_entries = v;
		break;
	case ARGP_KEY_ARG:
		if (env.check && !pos++) {
			tdxtop_arg_secs(state, arg, &env.check_ms, "seconds");
			break;
		}
		if (env.check)
			argp_error(state, "unexpected argument: %s", arg);
		if (env.serve)
			argp_error(state, "unexpected argument: %s (each scrape is an interval)",
				   arg);
		if (pos == 0) {
			tdxtop_arg_secs(state, arg, &env.interval_ms, "interval");
		} else if (pos == 1) {
			if (tdxtop_parse_u64(arg, 1, LONG_MAX, &v))
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

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt,
			   va_list args)
{
	if (!env.o.out.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

#define fail tdxtop_fail

/* The capabilities tdxtop needs; -1 when the kernel cannot tell */
static int caps(bool *admin, bool *bpf, bool *perfmon)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -1;
#define HAS(c) (!!(data[(c) / 32].effective & (1U << ((c) % 32))))
	*admin = HAS(CAP_SYS_ADMIN);
	*bpf = HAS(CAP_BPF);
	*perfmon = HAS(CAP_PERFMON);
#undef HAS
	return 0;
}

/* 0, or -1 with why in buf */
static int check_caps(char *why, size_t len)
{
	bool admin, bpf, perfmon;

	if (caps(&admin, &bpf, &perfmon) || admin || (bpf && perfmon))
		return 0;	/* or cannot tell: let the kernel decide */
	snprintf(why, len, "missing capability %s%s%s (or CAP_SYS_ADMIN): run as root",
		 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
		 perfmon ? "" : "CAP_PERFMON");
	return -1;
}

#define NO_TDX_EVENTS	"the running kernel has no tdx tracepoints (tdx:tdx_vp_enter): " \
			"boot a kernel with tdxtop's series (kernel/patches, 'make kernel') " \
			"and KVM_INTEL_TDX, or use --source kvm"
#define NO_KVM_EVENTS	"the running kernel has no kvm:kvm_exit tracepoint: load KVM " \
			"(modprobe kvm_intel or kvm_amd)"

static void no_tdx_events(void)
{
	fail(NO_TDX_EVENTS);
}

static void no_kvm_events(void)
{
	fail(NO_KVM_EVENTS);
}

/*
 * The event source: --source, or tdx when its events exist, else kvm, and
 * why in buf; NULL when the chosen source's events are missing (buf: why).
 */
static const char *pick_source(char *why, size_t len)
{
	int tdx = tdxtop_event_present("tdx/tdx_vp_enter");

	if (env.source && !strcmp(env.source, "tdx")) {
		snprintf(why, len, "%s", tdx ? "--source tdx" : NO_TDX_EVENTS);
		return tdx ? "tdx" : NULL;
	}
	if (!env.source && tdx) {	/* present, or cannot tell: try tdx */
		snprintf(why, len, "%s", tdx > 0 ? "auto: tdx:tdx_vp_enter is present" :
			 "auto: no tracefs to tell; trying tdx");
		return "tdx";
	}
	if (!tdxtop_event_present("kvm/kvm_exit")) {
		snprintf(why, len, "%s", env.source ? NO_KVM_EVENTS :
			 "the running kernel has neither the tdx tracepoints (kernel/patches) "
			 "nor kvm:kvm_exit: load KVM (modprobe kvm_intel or kvm_amd)");
		return NULL;
	}
	if (env.outliers.on) {
		snprintf(why, len, "--outliers needs the tdx tracepoints (kernel/patches); "
			 "this kernel has only kvm:kvm_exit (--source kvm)");
		return NULL;
	}
	snprintf(why, len, "%s", env.source ? "--source kvm" :
		 "auto: no tdx:tdx_vp_enter; kvm:kvm_exit is present");
	return "kvm";
}

struct live {
	const char *source;	/* "tdx" or "kvm" */
	struct tdx_enter_bpf *skel;	/* the maps; the tdx source's programs */
	struct kvm_exit_bpf *kvm;	/* the kvm source's programs, or NULL */
	struct tdxtop_reader reader;
	struct tdxtop_snap snap;
	struct tdxtop_tsc tsc;
	struct tdxtop_recorder *rec;	/* -w, record */
	int stats_fd;		/* BPF_STATS_RUN_TIME held on, or -1 */
};

/* What stopped the TUI, said once the terminal is back */
static char tui_err[512];

/* One interval: read, and record when asked */
static int live_next(struct live *l)
{
	int err;

	err = tdxtop_reader_read(&l->reader, &l->snap);
	if (err)
		snprintf(tui_err, sizeof(tui_err), "failed to read the BPF maps: %s",
			 strerror(-err));
	else if (l->rec && (err = tdxtop_recorder_add(l->rec, &l->snap)))
		snprintf(tui_err, sizeof(tui_err), "%s", tdxtop_recorder_error(l->rec));
	if (err && env.o.batch)
		fail("%s", tui_err);
	return err;
}

static int live_poll(void *ctx, const struct tdxtop_snap **s)
{
	struct live *l = ctx;

	*s = &l->snap;
	return live_next(l);
}

/* Opens, sizes, loads and attaches the programs; 0, or the exit status */
static int live_open(struct live *l)
{
	struct tdxtop_maps maps;
	int err = 0;

	bool kvm = !strcmp(l->source, "kvm");

	if (kvm)	/* its times are bpf_ktime_get_ns(): no TSC */
		l->tsc = (struct tdxtop_tsc){ .mult = 1, .shift = 0, .source = "ns" };
	else if (env.tsc_khz)
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
			       env.hist_entries, 0) ?:
	      tdxtop_outlier_setup(l->skel, &env.outliers, env.interval_ms);
	if (err) {
		fail("map sizes out of range: %s", strerror(-err));
		return 1;
	}
	err = kvm ? tdxtop_kvm_load(&l->kvm, l->skel) : tdx_enter_bpf__load(l->skel);
	if (err) {
		/* CO-RE finds kvm_exit's record in the kernel's BTF */
		fail("failed to load the BPF programs: %s%s", strerror(-err),
		     kvm ? " (the kvm source needs the kernel's BTF, "
			   "/sys/kernel/btf/vmlinux, and KVM's)" : "");
		return 1;
	}
	tdxtop_maps_get(&maps, l->skel, l->kvm);
	err = kvm ? kvm_exit_bpf__attach(l->kvm) : tdx_enter_bpf__attach(l->skel);
	if (err) {
		if (err == -ENOENT && kvm)
			no_kvm_events();
		else if (err == -ENOENT)
			no_tdx_events();
		else
			fail("failed to attach to the %s tracepoints: %s", l->source,
			     strerror(-err));
		return 1;
	}
	l->stats_fd = tdxtop_selfcost_enable();
	err = tdxtop_reader_init(&l->reader, &maps, &l->tsc) ?:
	      tdxtop_reader_outliers(&l->reader, &env.outliers);
	l->reader.timed = l->stats_fd >= 0;
	l->reader.source = l->source;
	if (!err)	/* from here on, each read is one interval */
		err = tdxtop_reader_read(&l->reader, &l->snap);
	if (err) {
		fail("failed to read the BPF maps: %s", strerror(-err));
		return 1;
	}
	return 0;
}

/* The command line, for the recording's metadata */
static void join_args(char *buf, size_t len, int argc, char **argv)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < argc && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? " " : "", argv[i]);
}

/* The recording of -w / record: an existing file is moved to FILE.old */
static int open_recording(struct live *l, int argc, char **argv)
{
	struct tdxtop_run_info info = { .version = argp_program_version, .source = l->source };
	char old[4096], args[1024], err[512], host[256] = "";
	struct utsname u;
	struct stat st;

	if (!stat(env.write, &st)) {
		snprintf(old, sizeof(old), "%s.old", env.write);
		if (rename(env.write, old)) {
			fail("%s: cannot move it to %s: %s", env.write, old, strerror(errno));
			return 1;
		}
	}
	uname(&u);
	gethostname(host, sizeof(host) - 1);
	join_args(args, sizeof(args), argc, argv);
	info.kernel = u.release;
	info.host = host;
	info.options = args;
	info.tsc = l->tsc;
	info.outliers = env.outliers.on ? env.outliers.spec : NULL;
	if (tdxtop_recorder_open(&l->rec, env.write, &info, err, sizeof(err))) {
		fail("%s", err);
		return 1;
	}
	return 0;
}

static int live_close(struct live *l)
{
	int err = 0;

	if (l->rec && tdxtop_recorder_close(l->rec)) {
		fail("%s: failed to close the recording", env.write);
		err = 1;
	}
	if (l->stats_fd >= 0)
		close(l->stats_fd);
	tdxtop_reader_free(&l->reader);
	tdxtop_snap_free(&l->snap);
	kvm_exit_bpf__destroy(l->kvm);
	tdx_enter_bpf__destroy(l->skel);
	return err;
}

/* Text, JSON or nothing (record), count intervals; a signal cuts the last short */
static int batch_loop(struct live *l)
{
	struct tdxtop_view v = {};
	int err = 0;
	long n;

	for (n = 0; env.count < 0 || n < env.count; n++) {
		if (tdxtop_exiting)
			break;
		tdxtop_sleep_ms(env.interval_ms);
		err = live_next(l);
		if (err)
			break;
		if (env.record)
			continue;
		err = tdxtop_print(&env.o, &l->snap, &v);
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

/* perf record's closing line, once the recording is closed */
static void record_summary(__u64 intervals, __u64 events)
{
	struct stat st;

	if (stat(env.write, &st))
		st.st_size = 0;
	fprintf(stderr, "[ tdxtop record: %llu intervals, %llu events, %.1f KiB written to %s ]\n",
		(unsigned long long)intervals, (unsigned long long)events,
		st.st_size / 1024.0, env.write);
}

enum mode { LIVE, RECORD, SERVE };

static int cmd_live(int argc, char **argv, enum mode mode)
{
	static const struct argp_child children[] = {
		{ &tdxtop_out_argp, 0, NULL, 0 }, {},
	};
	static const struct argp_child serve_children[] = {
		{ &serve_argp, 0, "Serving:", 0 }, {},
	};
	const bool record = mode == RECORD;
	const struct argp argp = {
		.options = opts, .parser = parse_arg,
		.children = mode == LIVE ? children : mode == SERVE ? serve_children : NULL,
		.doc = mode == LIVE ? live_doc : record ? record_doc : serve_doc,
	};
	struct live l = { .stats_fd = -1 };
	struct tdxtop_source src = { .ctx = &l, .poll = live_poll };
	__u64 intervals = 0, events = 0;
	int err, listen_fd = -1;
	char why[256];

	tdxtop_cli_out_init(&env.o);
	env.record = record;
	env.serve = mode == SERVE;
	if (record)
		env.write = DEF_RECORD_FILE;
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	if (env.o.json)
		env.o.batch = true;
	if (record || env.serve || (!env.o.batch && !isatty(STDOUT_FILENO)))
		env.o.batch = true;
	/* which characters a VM name may show in text; numbers stay C */
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);

	libbpf_set_print(libbpf_print_fn);
	if (check_caps(why, sizeof(why))) {
		fail("%s", why);
		return 1;
	}
	l.source = pick_source(why, sizeof(why));
	if (!l.source) {
		fail("%s", why);
		return 1;
	}
	/* taken before loading anything: a port in use fails fast */
	if (env.serve) {
		listen_fd = tdxtop_serve_listen(env.srv.listen);
		if (listen_fd < 0)
			return 1;
	}
	err = live_open(&l);
	if (!err && env.write)
		err = open_recording(&l, argc, argv);
	/* reading maps through our fds, /proc and our files needs no privilege */
	if (!err && tdxtop_drop_caps())
		err = 1;
	if (err)
		goto cleanup;
	tdxtop_catch_signals();
	if (env.serve) {
		struct utsname u;

		uname(&u);
		env.srv.prom.version = argp_program_version;
		env.srv.prom.kernel = u.release;
		env.srv.prom.source = l.snap.source ? l.snap.source : "tdx";
		err = tdxtop_serve(&env.srv, listen_fd, &src, &tdxtop_exiting);
		listen_fd = -1;		/* closed by tdxtop_serve() */
	} else if (env.o.batch) {
		err = batch_loop(&l);
	} else {
		err = tdxtop_tui_run(&src, env.interval_ms, &env.o.out,
				     (volatile int *)&tdxtop_exiting);
		if (err) {
			fail("%s", tui_err[0] ? tui_err : strerror(-err));
			err = 1;
		}
	}
	if (l.rec)
		tdxtop_recorder_stats(l.rec, &intervals, &events);
cleanup:
	if (listen_fd >= 0)
		close(listen_fd);
	if (live_close(&l))
		err = 1;
	if (record && !err)
		record_summary(intervals, events);
	return err;
}

/* A stats_fd of tdxtop check that nothing was loaded to try */
#define STATS_NOT_TRIED	(-100000)

/* What tdxtop check found before comparing, and what it needs to say it */
struct check_facts {
	struct utsname u;
	char host[256], why[256];
	const char *tracefs, *source;
	int tdx, kvm_entry, kvm_exit;		/* 1, 0, -1: cannot tell */
	struct tdxtop_btf_facts btf;
	bool cap_admin, cap_bpf, cap_perfmon, caps_known;
	__u32 slots, shared_rows, hists;
};

static void check_facts(struct check_facts *f)
{
	memset(f, 0, sizeof(*f));
	uname(&f->u);
	gethostname(f->host, sizeof(f->host) - 1);
	f->tracefs = tdxtop_tracefs();
	f->tdx = tdxtop_event_present("tdx/tdx_vp_enter");
	f->kvm_entry = tdxtop_event_present("kvm/kvm_entry");
	f->kvm_exit = tdxtop_event_present("kvm/kvm_exit");
	tdxtop_check_btf(&f->btf);
	f->caps_known = !caps(&f->cap_admin, &f->cap_bpf, &f->cap_perfmon);
	f->slots = tdxtop_nr_slots(env.vcpu_entries ?: TDXTOP_DEF_VCPUS);
	f->shared_rows = env.stats_entries ?: TDXTOP_DEF_SHARED_ROWS;
	f->hists = env.hist_entries ?: TDXTOP_DEF_HISTS;
	f->source = pick_source(f->why, sizeof(f->why));
}

static const char *yes_no(int v)
{
	return v > 0 ? "yes" : v ? "cannot tell" : "no";
}

static void check_facts_text(const struct check_facts *f, int stats_fd)
{
	printf("tdxtop check on %s, Linux %s\n", f->host, f->u.release);
	printf("  source        %s (%s)\n", f->source ?: "none", f->why);
	printf("  tracepoints   tdx:tdx_vp_enter %s, kvm:kvm_entry %s, kvm:kvm_exit %s\n",
	       yes_no(f->tdx), yes_no(f->kvm_entry), yes_no(f->kvm_exit));
	printf("  BTF           vmlinux %s, kvm_intel %s, struct vcpu_tdx %s\n",
	       yes_no(f->btf.vmlinux), yes_no(f->btf.kvm_intel),
	       f->btf.vcpu_tdx ? f->btf.vcpu_tdx : "absent");
	if (f->caps_known)
		printf("  capabilities  CAP_BPF %s, CAP_PERFMON %s, CAP_SYS_ADMIN %s\n",
		       yes_no(f->cap_bpf), yes_no(f->cap_perfmon), yes_no(f->cap_admin));
	printf("  maps          %u vCPU slots, %u shared rows, %u histograms\n", f->slots,
	       f->shared_rows, f->hists);
	printf("  bpf_stats     %s\n", stats_fd >= 0 ? "run-time accounting on" :
	       stats_fd == STATS_NOT_TRIED ? "not tried (nothing loaded)" :
	       "run-time accounting unavailable (self cost unknown)");
	printf("  tracefs       %s\n", f->tracefs ?: "not mounted");
}

static void check_facts_json(struct tdxtop_jw *w, const struct check_facts *f, int stats_fd)
{
	tdxtop_jw_key(w, "host");
	tdxtop_jw_str(w, f->host);
	tdxtop_jw_key(w, "kernel");
	tdxtop_jw_str(w, f->u.release);
	tdxtop_jw_key(w, "source");
	if (f->source)
		tdxtop_jw_str(w, f->source);
	else
		tdxtop_jw_null(w);
	tdxtop_jw_key(w, "source_why");
	tdxtop_jw_str(w, f->why);
	tdxtop_jw_key(w, "tracepoints");
	tdxtop_jw_obj(w);
	tdxtop_jw_key(w, "tdx:tdx_vp_enter");
	tdxtop_jw_str(w, yes_no(f->tdx));
	tdxtop_jw_key(w, "kvm:kvm_entry");
	tdxtop_jw_str(w, yes_no(f->kvm_entry));
	tdxtop_jw_key(w, "kvm:kvm_exit");
	tdxtop_jw_str(w, yes_no(f->kvm_exit));
	tdxtop_jw_end_obj(w);
	tdxtop_jw_key(w, "btf");
	tdxtop_jw_obj(w);
	tdxtop_jw_key(w, "vmlinux");
	tdxtop_jw_str(w, yes_no(f->btf.vmlinux));
	tdxtop_jw_key(w, "kvm_intel");
	tdxtop_jw_str(w, yes_no(f->btf.kvm_intel));
	tdxtop_jw_key(w, "vcpu_tdx");
	if (f->btf.vcpu_tdx)
		tdxtop_jw_str(w, f->btf.vcpu_tdx);
	else
		tdxtop_jw_null(w);
	tdxtop_jw_end_obj(w);
	tdxtop_jw_key(w, "maps");
	tdxtop_jw_obj(w);
	tdxtop_jw_kv_u64(w, "vcpu_slots", f->slots);
	tdxtop_jw_kv_u64(w, "shared_rows", f->shared_rows);
	tdxtop_jw_kv_u64(w, "histograms", f->hists);
	tdxtop_jw_end_obj(w);
	tdxtop_jw_key(w, "capabilities");
	tdxtop_jw_obj(w);
	tdxtop_jw_key(w, "CAP_BPF");
	tdxtop_jw_str(w, f->caps_known ? yes_no(f->cap_bpf) : "cannot tell");
	tdxtop_jw_key(w, "CAP_PERFMON");
	tdxtop_jw_str(w, f->caps_known ? yes_no(f->cap_perfmon) : "cannot tell");
	tdxtop_jw_key(w, "CAP_SYS_ADMIN");
	tdxtop_jw_str(w, f->caps_known ? yes_no(f->cap_admin) : "cannot tell");
	tdxtop_jw_end_obj(w);
	tdxtop_jw_key(w, "bpf_stats");
	tdxtop_jw_str(w, stats_fd >= 0 ? "yes" : stats_fd == STATS_NOT_TRIED ? "not tried" : "no");
	tdxtop_jw_key(w, "tracefs");
	if (f->tracefs)
		tdxtop_jw_str(w, f->tracefs);
	else
		tdxtop_jw_null(w);
}

/* The verdict, last: one line, or the JSON object's end */
static int check_verdict(struct tdxtop_jw *w, int status, const char *verdict)
{
	if (!w) {
		printf("verdict: %s\n", verdict);
		return status;
	}
	tdxtop_jw_key(w, "verdict");
	tdxtop_jw_str(w, status == 0 ? "agrees" : status == 1 ? "disagrees" : "cannot check");
	tdxtop_jw_key(w, "why");
	tdxtop_jw_str(w, verdict);
	tdxtop_jw_kv_u64(w, "exit", status);
	tdxtop_jw_end_obj(w);
	tdxtop_jw_done(w);
	return status;
}

/* tdxtop check [SECONDS]: 0 agrees, 1 disagrees, 2 cannot check */
static int cmd_check(int argc, char **argv)
{
	static const struct argp_child children[] = { { &check_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = {
		.options = opts, .parser = parse_arg, .children = children, .doc = check_doc,
	};
	static struct tdxtop_jw jw;
	struct tdxtop_jw *w = NULL;
	struct live l = { .stats_fd = STATS_NOT_TRIED };
	struct tdxtop_check *c = NULL;
	struct check_facts f;
	char err[512], verdict[640];
	const char *v;
	int status = 2, e;

	env.check = true;
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);
	/* from the start: a SIGINT while loading ends the check, not tdxtop */
	tdxtop_catch_signals();
	libbpf_set_print(libbpf_print_fn);
	check_facts(&f);
	if (env.check_json) {
		w = &jw;
		tdxtop_jw_init(w, stdout, false);
		tdxtop_jw_obj(w);
	}
	if (check_caps(err, sizeof(err))) {
		snprintf(verdict, sizeof(verdict), "cannot check: %s", err);
	} else if (!f.source) {
		snprintf(verdict, sizeof(verdict), "cannot check: %s", f.why);
	} else if (tdxtop_check_open(&c, f.source, err, sizeof(err))) {
		snprintf(verdict, sizeof(verdict), "cannot check: %s", err);
	} else {
		/* errors of loading are said on their own line; the verdict names them */
		l.source = f.source;
		tdxtop_json_errors = false;
		if (live_open(&l))
			snprintf(verdict, sizeof(verdict), "cannot check: the %s source does "
				 "not load here (above)", f.source);
		else
			status = -1;
		tdxtop_json_errors = env.check_json;
	}
	if (w)
		check_facts_json(w, &f, l.stats_fd);
	else
		check_facts_text(&f, l.stats_fd);
	if (status == -1) {
		if (!w)
			printf("  instance      %s, %.1f s\n", tdxtop_check_instance(c),
			       env.check_ms / 1000.0);
		fflush(stdout);		/* what was found, before the window */
		status = 2;
		e = tdxtop_check_run(c, &l.reader, &l.snap, env.check_ms);
		if (e) {
			snprintf(verdict, sizeof(verdict), "cannot check: %s",
				 e == -EINTR ? "interrupted" : strerror(-e));
		} else {
			status = tdxtop_check_report(c, &l.tsc, &l.snap, w, stdout, &v);
			snprintf(verdict, sizeof(verdict), "%s", v);
		}
	}
	tdxtop_check_close(c);
	if (l.skel)
		live_close(&l);
	return check_verdict(w, status, verdict);
}

int main(int argc, char **argv)
{
	static char rec[] = "tdxtop record", rep[] = "tdxtop report", dif[] = "tdxtop diff",
		srv[] = "tdxtop serve", chk[] = "tdxtop check";

	/* a subcommand parses the rest; its usage names it */
	if (argc > 1 && !strcmp(argv[1], "record")) {
		argv[1] = rec;
		return cmd_live(argc - 1, argv + 1, RECORD);
	}
	if (argc > 1 && !strcmp(argv[1], "report")) {
		argv[1] = rep;
		return tdxtop_cmd_report(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "diff")) {
		argv[1] = dif;
		return tdxtop_cmd_diff(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "check")) {
		argv[1] = chk;
		return cmd_check(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "serve")) {
		argv[1] = srv;
		return cmd_live(argc - 1, argv + 1, SERVE);
	}
	return cmd_live(argc, argv, LIVE);
}
