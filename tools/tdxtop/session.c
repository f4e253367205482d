// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the commands that load BPF share (live, record, serve, check): the
 * options of what the kernel side aggregates, the source and its reasons,
 * and a loaded, attached tdxtop with its reader (struct tdxtop_session).
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
#include "session.h"
#include "tdx_enter.skel.h"
#include "kvm_exit.skel.h"
#include "kvm_btf.skel.h"

struct tdxtop_env tdxtop_env = {
	.interval_ms = TDXTOP_DEF_INTERVAL_MS,
	.count = -1,
	.vcpu = TDXTOP_VCPU_NONE,
	.srv.listen = TDXTOP_DEF_LISTEN,
	.srv.prom.max_series = TDXTOP_DEF_MAX_SERIES,
	.srv.prom.expire_ns = TDXTOP_DEF_EXPIRE_S * 1000000000ULL,
	.outliers.rate = TDXTOP_DEF_OUTLIER_RATE,
	.check_ms = DEF_CHECK_MS,
};

const struct argp_option tdxtop_kernel_opts[] = {
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
	  "Events: tdx (the tdx tracepoints of kernel/patches), btf (stock kernels whose "
	  "BTF has struct vcpu_tdx: TDX status, leaf, TDs and VMs apart; no restore "
	  "costs), kvm (KVM's kvm_entry and kvm_exit, any kernel: no TDX status, leaf "
	  "or restore costs), auto (the first of these the kernel has; the default)", 0 },
	{ "td-only", OPT_TD_ONLY, NULL, 0, "Only TDs' exits, no other VMs' (tdx, btf)", 0 },
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

error_t tdxtop_parse_kernel_arg(int key, char *arg, struct argp_state *state)
{
	static int pos;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		/* only the views have output options */
		if (!tdxtop_env.record && !tdxtop_env.serve && !tdxtop_env.check)
			state->child_inputs[0] = &tdxtop_env.print;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 'p':
		if (tdxtop_parse_u64(arg, 1, INT_MAX, &v))
			argp_error(state, "invalid PID: %s", arg);
		tdxtop_env.pid = v;
		break;
	case OPT_VCPU:
		if (tdxtop_parse_u64(arg, 0, TDXTOP_VCPU_NONE - 1, &v))
			argp_error(state, "invalid vCPU id: %s", arg);
		tdxtop_env.vcpu = v;
		break;
	case 'd':
		if (tdxtop_env.serve)
			argp_error(state, "serve has no interval: each scrape reads the maps");
		tdxtop_arg_secs(state, arg, &tdxtop_env.interval_ms, "delay");
		break;
	case 'w':
	case 'o':
		if (tdxtop_env.serve)
			argp_error(state, "serve does not record: run 'tdxtop record' beside it");
		if (!*arg)
			argp_error(state, "empty file name");
		if ((key == 'o') != tdxtop_env.record)
			argp_error(state, key == 'o' ? "-o is for 'tdxtop record'; "
				   "use -w FILE to record while watching" :
				   "record writes to -o FILE");
		tdxtop_env.write = arg;
		break;
	case OPT_MIN_LAT:
		if (tdxtop_parse_u64(arg, 0, ULLONG_MAX, &tdxtop_env.min_ns))
			argp_error(state, "invalid latency: %s", arg);
		break;
	case OPT_OUTLIERS: {
		char err[256];

		if (tdxtop_env.serve)
			argp_error(state, "serve does not capture outliers: run 'tdxtop record "
				   "--outliers' beside it");
		if (tdxtop_outlier_parse(arg, &tdxtop_env.outliers, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	}
	case OPT_OUTLIER_RATE:
		if (tdxtop_parse_u64(arg, 1, TDXTOP_MAX_OUTLIER_RATE, &v))
			argp_error(state, "invalid outlier rate: %s (1 to %d a second)", arg,
				   TDXTOP_MAX_OUTLIER_RATE);
		tdxtop_env.outliers.rate = v;
		tdxtop_env.outlier_rate_set = true;
		break;
	case OPT_SOURCE:
		if (!strcmp(arg, "tdx"))
			tdxtop_env.source = "tdx";
		else if (!strcmp(arg, "btf"))
			tdxtop_env.source = "btf";
		else if (!strcmp(arg, "kvm"))
			tdxtop_env.source = "kvm";
		else if (strcmp(arg, "auto"))
			argp_error(state, "invalid source: %s (tdx, btf, kvm or auto)", arg);
		else
			tdxtop_env.source = NULL;
		break;
	case OPT_TD_ONLY:
		tdxtop_env.td_only = true;
		break;
	case ARGP_KEY_END:
		if (tdxtop_env.check && (tdxtop_env.pid || tdxtop_env.vcpu != TDXTOP_VCPU_NONE || tdxtop_env.write ||
				  tdxtop_env.outliers.on))
			argp_error(state, "check compares every event: -p, --vcpu, -w and "
				   "--outliers do not apply");
		if (tdxtop_env.outlier_rate_set && !tdxtop_env.outliers.on)
			argp_error(state, "--outlier-rate needs --outliers");
		if (tdxtop_env.outliers.on && tdxtop_env.source && !strcmp(tdxtop_env.source, "kvm"))
			argp_error(state, "--outliers needs the tdx or btf source: kvm_exit "
				   "has no TDX status to capture");
		if (tdxtop_env.td_only && tdxtop_env.source && !strcmp(tdxtop_env.source, "kvm"))
			argp_error(state, "--td-only needs the tdx or btf source: kvm_exit "
				   "cannot tell a TD from another VM");
		break;
	case OPT_TSC_KHZ:
		if (tdxtop_parse_u64(arg, 1, 100000000, &tdxtop_env.tsc_khz))
			argp_error(state, "invalid TSC frequency: %s", arg);
		break;
	case OPT_STATS_ENTRIES:
	case OPT_HIST_ENTRIES:
	case OPT_VCPU_ENTRIES:
		if (tdxtop_parse_u64(arg, 1, 1 << 22, &v))
			argp_error(state, "invalid map size: %s", arg);
		if (key == OPT_STATS_ENTRIES)
			tdxtop_env.stats_entries = v;
		else if (key == OPT_HIST_ENTRIES)
			tdxtop_env.hist_entries = v;
		else
			tdxtop_env.vcpu_entries = v;
		break;
	case ARGP_KEY_ARG:
		if (tdxtop_env.check && !pos++) {
			tdxtop_arg_secs(state, arg, &tdxtop_env.check_ms, "seconds");
			break;
		}
		if (tdxtop_env.check)
			argp_error(state, "unexpected argument: %s", arg);
		if (tdxtop_env.serve)
			argp_error(state, "unexpected argument: %s (each scrape is an interval)",
				   arg);
		if (pos == 0) {
			tdxtop_arg_secs(state, arg, &tdxtop_env.interval_ms, "interval");
		} else if (pos == 1) {
			if (tdxtop_parse_u64(arg, 1, LONG_MAX, &v))
				argp_error(state, "invalid count: %s", arg);
			tdxtop_env.count = v;
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

int tdxtop_libbpf_print(enum libbpf_print_level level, const char *fmt,
			   va_list args)
{
	if (!tdxtop_env.print.opts.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

#define fail tdxtop_fail

/* The capabilities tdxtop needs; -1 when the kernel cannot tell */
int tdxtop_caps(bool *admin, bool *bpf, bool *perfmon)
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
int tdxtop_check_caps(char *why, size_t len)
{
	bool admin, bpf, perfmon;

	if (tdxtop_caps(&admin, &bpf, &perfmon) || admin || (bpf && perfmon))
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
 * Whether the btf source can run: "yes", or why not.  With -v, the fields
 * of struct vcpu_tdx it reads that the BTF lacks, and what reads as 0.
 */
static const char *btf_knows_tds(void)
{
	static struct tdxtop_btf_facts b;
	static bool told;

	if (!told) {
		tdxtop_check_btf(&b);
		told = true;
		if (tdxtop_env.print.opts.verbose && b.vcpu_tdx && b.missing[0])
			fprintf(stderr, "tdxtop: btf source: struct vcpu_tdx (%s BTF) lacks "
				"what gives %s: those read as 0\n", b.vcpu_tdx, b.missing);
	}
	if (!b.vmlinux)
		return "no kernel BTF (/sys/kernel/btf/vmlinux)";
	if (!b.vcpu_tdx)
		return b.kvm_intel ? "no struct vcpu_tdx in the BTF of vmlinux or kvm_intel" :
			"no struct vcpu_tdx in the kernel's BTF (kvm_intel not loaded, or "
			"built without KVM_INTEL_TDX)";
	if (!b.tdx_vcpu_run)
		return "no function tdx_vcpu_run in the kernel's BTF";
	if (strstr(b.missing, "vcpu"))
		return "struct vcpu_tdx has no member vcpu";
	return "yes";
}

/*
 * The event source: --source, or tdx when its events exist, else btf when
 * the kernel's BTF knows TDs, else kvm, and why in buf; NULL when the
 * chosen source's events are missing (buf: why).
 */
const char *tdxtop_pick_source(char *why, size_t len)
{
	int tdx = tdxtop_event_present("tdx/tdx_vp_enter");

	if (tdxtop_env.source && !strcmp(tdxtop_env.source, "tdx")) {
		snprintf(why, len, "%s", tdx ? "--source tdx" : NO_TDX_EVENTS);
		return tdx ? "tdx" : NULL;
	}
	if (!tdxtop_env.source && tdx) {	/* present, or cannot tell: try tdx */
		snprintf(why, len, "%s", tdx > 0 ? "auto: tdx:tdx_vp_enter is present" :
			 "auto: no tracefs to tell; trying tdx");
		return "tdx";
	}
	if (!tdxtop_env.source || !strcmp(tdxtop_env.source, "btf")) {
		const char *btf = btf_knows_tds();

		if (!strcmp(btf, "yes")) {
			snprintf(why, len, "%s", tdxtop_env.source ? "--source btf" :
				 "auto: no tdx:tdx_vp_enter; the kernel's BTF has struct "
				 "vcpu_tdx and tdx_vcpu_run");
			return "btf";
		}
		if (tdxtop_env.source) {
			snprintf(why, len, "--source btf: %s", btf);
			return NULL;
		}
	}
	if (!tdxtop_event_present("kvm/kvm_exit")) {
		snprintf(why, len, "%s", tdxtop_env.source ? NO_KVM_EVENTS :
			 "the running kernel has neither the tdx tracepoints (kernel/patches) "
			 "nor kvm:kvm_exit: load KVM (modprobe kvm_intel or kvm_amd)");
		return NULL;
	}
	if (tdxtop_env.outliers.on || tdxtop_env.td_only) {
		snprintf(why, len, "%s needs the tdx tracepoints (kernel/patches) or a BTF "
			 "with struct vcpu_tdx; this kernel has only kvm:kvm_exit (--source "
			 "kvm: %s)", tdxtop_env.outliers.on ? "--outliers" : "--td-only",
			 btf_knows_tds());
		return NULL;
	}
	if (tdxtop_env.source)
		snprintf(why, len, "--source kvm");
	else
		snprintf(why, len, "auto: no tdx:tdx_vp_enter, and %s; kvm:kvm_exit is present",
			 btf_knows_tds());
	return "kvm";
}

/* Opens, sizes, loads and attaches the programs; 0, or the exit status */
int tdxtop_session_open(struct tdxtop_session *sess)
{
	struct tdxtop_maps maps;
	int err = 0;

	bool kvm = !strcmp(sess->source, "kvm"), btf = !strcmp(sess->source, "btf");

	if (kvm || btf)	/* their times are bpf_ktime_get_ns(): no TSC */
		sess->tsc = (struct tdxtop_tsc){ .mult = 1, .shift = 0, .source = "ns" };
	else if (tdxtop_env.tsc_khz)
		err = tdxtop_tsc_from_khz(&sess->tsc, tdxtop_env.tsc_khz);
	else
		err = tdxtop_tsc_probe(&sess->tsc);
	if (err) {
		fail("cannot tell the TSC frequency (%s): use --tsc-khz", strerror(-err));
		return 1;
	}
	sess->skel = tdx_enter_bpf__open();
	if (!sess->skel) {
		fail("failed to open the BPF object: %s", strerror(errno));
		return 1;
	}
	sess->skel->rodata->targ_tgid = tdxtop_env.pid;
	sess->skel->rodata->targ_vcpu = tdxtop_env.vcpu;
	sess->skel->rodata->min_guest_ns = tdxtop_env.min_ns;
	sess->skel->rodata->tsc_mult = sess->tsc.mult;
	sess->skel->rodata->tsc_shift = sess->tsc.shift;
	err = tdxtop_maps_size(sess->skel, tdxtop_env.vcpu_entries, tdxtop_env.stats_entries,
			       tdxtop_env.hist_entries, 0) ?:
	      tdxtop_outlier_setup(sess->skel, &tdxtop_env.outliers, tdxtop_env.interval_ms);
	if (err) {
		fail("map sizes out of range: %s", strerror(-err));
		return 1;
	}
	if (btf) {
		bool cast;

		err = tdxtop_btf_load(&sess->btf, sess->skel, tdxtop_env.outliers.on,
				      tdxtop_env.td_only, &cast);
		if (!err && tdxtop_env.print.opts.verbose)
			fprintf(stderr, "tdxtop: btf source: struct vcpu_tdx read %s\n", cast ?
				"with plain loads through bpf_rdonly_cast()" :
				"with bpf_probe_read_kernel(), a higher cost per exit (this "
				"kernel's verifier refused bpf_rdonly_cast(), or "
				"TDXTOP_BTF_PROBE_READ=1)");
	} else {
		err = kvm ? tdxtop_kvm_load(&sess->kvm, sess->skel) :
			    tdx_enter_bpf__load(sess->skel);
	}
	if (err) {
		/* CO-RE finds kvm_exit's record and struct vcpu_tdx in the kernel's BTF */
		fail("failed to load the BPF programs: %s%s", strerror(-err),
		     kvm || btf ? " (the kvm and btf sources need the kernel's BTF, "
				  "/sys/kernel/btf/vmlinux, and KVM's)" : "");
		return 1;
	}
	tdxtop_maps_get(&maps, sess->skel,
			sess->kvm ? sess->kvm->obj : sess->btf ? sess->btf->obj : NULL);
	if (btf)
		err = kvm_btf_bpf__attach(sess->btf);
	else
		err = kvm ? kvm_exit_bpf__attach(sess->kvm) : tdx_enter_bpf__attach(sess->skel);
	if (err) {
		if (err == -ENOENT && (kvm || btf))
			no_kvm_events();
		else if (err == -ENOENT)
			no_tdx_events();
		else
			fail("failed to attach to the %s tracepoints: %s", sess->source,
			     strerror(-err));
		return 1;
	}
	sess->stats_fd = tdxtop_selfcost_enable();
	err = tdxtop_reader_init(&sess->reader, &maps, &sess->tsc) ?:
	      tdxtop_reader_outliers(&sess->reader, &tdxtop_env.outliers);
	sess->reader.timed = sess->stats_fd >= 0;
	sess->reader.source = sess->source;
	if (!err)	/* from here on, each read is one interval */
		err = tdxtop_reader_read(&sess->reader, &sess->snap);
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
int tdxtop_session_record(struct tdxtop_session *sess, int argc, char **argv)
{
	struct tdxtop_run_info info = { .version = argp_program_version, .source = sess->source };
	char old[4096], args[1024], err[512], host[256] = "";
	struct utsname u;
	struct stat st;

	if (!stat(tdxtop_env.write, &st)) {
		snprintf(old, sizeof(old), "%s.old", tdxtop_env.write);
		if (rename(tdxtop_env.write, old)) {
			fail("%s: cannot move it to %s: %s", tdxtop_env.write, old, strerror(errno));
			return 1;
		}
	}
	uname(&u);
	gethostname(host, sizeof(host) - 1);
	join_args(args, sizeof(args), argc, argv);
	info.kernel = u.release;
	info.host = host;
	info.options = args;
	info.tsc = sess->tsc;
	info.outliers = tdxtop_env.outliers.on ? tdxtop_env.outliers.spec : NULL;
	if (tdxtop_recorder_open(&sess->rec, tdxtop_env.write, &info, err, sizeof(err))) {
		fail("%s", err);
		return 1;
	}
	return 0;
}

int tdxtop_session_close(struct tdxtop_session *sess)
{
	int err = 0;

	if (sess->rec && tdxtop_recorder_close(sess->rec)) {
		fail("%s: failed to close the recording", tdxtop_env.write);
		err = 1;
	}
	if (sess->stats_fd >= 0)
		close(sess->stats_fd);
	tdxtop_reader_free(&sess->reader);
	tdxtop_snap_free(&sess->snap);
	kvm_btf_bpf__destroy(sess->btf);
	kvm_exit_bpf__destroy(sess->kvm);
	tdx_enter_bpf__destroy(sess->skel);
	return err;
}
