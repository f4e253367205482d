// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop (live: TUI, text, JSON), tdxtop record and tdxtop serve: a loaded
 * tdxtop (session.c) read once per interval, or at each scrape.
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

#define fail tdxtop_fail

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
"       tdxtop serve [--listen ADDR:PORT] [--per-vm-histograms] [--max-series N]\n"
"                    [--per-vcpu] [--per-pid] [-p PID]\n"
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
"text format, OpenMetrics or protobuf with native histograms, as the\n"
"scraper asks.  Each scrape reads the BPF maps; counters and histograms are\n"
"totals since tdxtop serve started: exits and guest time by exit reason\n"
"per host, totals per VM name; at most --max-series series\n"
"(docs/prometheus.md).  Listens on loopback unless told otherwise.\n"
"\n"
"USAGE: tdxtop serve [--listen ADDR:PORT] [--per-vm-histograms] [--per-vcpu]\n"
"                    [--per-pid] [--max-series N] [--expire-after SECS]\n"
"                    [-p PID] [--vcpu N] [--min-latency NS]\n"
"\n"
"EXAMPLES:\n"
"    tdxtop serve                      # http://127.0.0.1:9479/metrics\n"
"    tdxtop serve --listen [::1]:9479  # IPv6 loopback\n"
"    tdxtop serve --listen 0.0.0.0:9479  # every interface: say so\n";

/* serve's own */
static const struct argp_option serve_opts[] = {
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "Address to serve on (" TDXTOP_DEF_LISTEN "; 0.0.0.0:PORT for all)", 0 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "Also counters per vCPU (vcpu label)", 0 },
	{ "per-pid", OPT_PER_PID, NULL, 0, "A pid label beside the VM name", 0 },
	{ "per-vm-histograms", OPT_PER_VM_HIST, NULL, 0,
	  "Exits and histograms per VM too, not per host only", 0 },
	{ "max-series", OPT_MAX_SERIES, "N", 0,
	  "At most N series (" STR(TDXTOP_DEF_MAX_SERIES) "; 0: no cap); past it, "
	  "new label sets go to an overflow series", 0 },
	{ "expire-after", OPT_EXPIRE, "SECS", 0,
	  "Forget the series of a VM without exits this long (" STR(TDXTOP_DEF_EXPIRE_S)
	  "; 0: never)", 0 },
	{},
};

static error_t parse_serve(int key, char *arg, struct argp_state *state)
{
	__u64 v;

	switch (key) {
	case OPT_LISTEN: {
		char err[256];

		if (tdxtop_listen_check(arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		tdxtop_env.srv.listen = arg;
		break;
	}
	case OPT_PER_VCPU:
		tdxtop_env.srv.prom.per_vcpu = true;
		break;
	case OPT_PER_PID:
		tdxtop_env.srv.prom.per_pid = true;
		break;
	case OPT_PER_VM_HIST:
		tdxtop_env.srv.prom.per_vm_hist = true;
		break;
	case OPT_MAX_SERIES:
		if (tdxtop_parse_u64(arg, 0, 100000000, &v))
			argp_error(state, "--max-series %s: give a number of series, 0 for no cap",
				   arg);
		tdxtop_env.srv.prom.max_series = v;
		break;
	case OPT_EXPIRE:
		if (tdxtop_parse_u64(arg, 0, 31536000, &v))
			argp_error(state, "--expire-after %s: give whole seconds, 0 to 31536000 "
				   "(0: never)", arg);
		tdxtop_env.srv.prom.expire_ns = v * 1000000000ULL;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp serve_argp = { .options = serve_opts, .parser = parse_serve };

/* What stopped the TUI, said once the terminal is back */
static char tui_err[512];

/* One interval: read, and record when asked */
static int live_next(struct tdxtop_session *sess)
{
	int err;

	err = tdxtop_reader_read(&sess->reader, &sess->snap);
	if (err)
		snprintf(tui_err, sizeof(tui_err), "failed to read the BPF maps: %s",
			 strerror(-err));
	else if (sess->rec && (err = tdxtop_recorder_add(sess->rec, &sess->snap)))
		snprintf(tui_err, sizeof(tui_err), "%s", tdxtop_recorder_error(sess->rec));
	if (err && tdxtop_env.print.batch)
		fail("%s", tui_err);
	return err;
}

static int live_poll(void *ctx, const struct tdxtop_snap **s)
{
	struct tdxtop_session *sess = ctx;

	*s = &sess->snap;
	return live_next(sess);
}

/* Text, JSON or nothing (record), count intervals; a signal cuts the last short */
static int batch_loop(struct tdxtop_session *sess)
{
	struct tdxtop_view v = {};
	int err = 0;
	long n;

	for (n = 0; tdxtop_env.count < 0 || n < tdxtop_env.count; n++) {
		if (tdxtop_exiting)
			break;
		tdxtop_sleep_ms(tdxtop_env.interval_ms);
		err = live_next(sess);
		if (err)
			break;
		if (tdxtop_env.record)
			continue;
		err = tdxtop_print(&tdxtop_env.print, &sess->snap, &v);
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

	if (stat(tdxtop_env.write, &st))
		st.st_size = 0;
	fprintf(stderr, "[ tdxtop record: %llu intervals, %llu events, %.1f KiB written to %s ]\n",
		(unsigned long long)intervals, (unsigned long long)events,
		st.st_size / 1024.0, tdxtop_env.write);
}

enum mode { LIVE, RECORD, SERVE };

/* The command line of mode: 0, or the exit status (2) */
static int parse(int argc, char **argv, enum mode mode)
{
	static const struct argp_child children[] = {
		{ &tdxtop_out_argp, 0, NULL, 0 }, {},
	};
	static const struct argp_child serve_children[] = {
		{ &serve_argp, 0, "Serving:", 0 }, {},
	};
	const struct argp argp = {
		.options = tdxtop_kernel_opts, .parser = tdxtop_parse_kernel_arg,
		.children = mode == LIVE ? children : mode == SERVE ? serve_children : NULL,
		.doc = mode == LIVE ? live_doc : mode == RECORD ? record_doc : serve_doc,
	};

	tdxtop_cli_out_init(&tdxtop_env.print);
	tdxtop_env.record = mode == RECORD;
	tdxtop_env.serve = mode == SERVE;
	if (mode == RECORD)
		tdxtop_env.write = DEF_RECORD_FILE;
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	/* only the live view is interactive, and only on a terminal */
	if (tdxtop_env.print.json || mode != LIVE || !isatty(STDOUT_FILENO))
		tdxtop_env.print.batch = true;
	return 0;
}

/* serve until a signal, on listen_fd (closed by it) */
static int serve(struct tdxtop_session *sess, int listen_fd)
{
	struct tdxtop_source src = { .ctx = sess, .poll = live_poll };
	struct utsname u;

	uname(&u);
	tdxtop_env.srv.prom.version = argp_program_version;
	tdxtop_env.srv.prom.kernel = u.release;
	tdxtop_env.srv.prom.source = sess->snap.source ? sess->snap.source : "tdx";
	return tdxtop_serve(&tdxtop_env.srv, listen_fd, &src, &tdxtop_exiting);
}

/* The live view on the terminal until q or a signal */
static int tui(struct tdxtop_session *sess)
{
	struct tdxtop_source src = { .ctx = sess, .poll = live_poll };
	int err;

	err = tdxtop_tui_run(&src, tdxtop_env.interval_ms, &tdxtop_env.print.opts,
			     (volatile int *)&tdxtop_exiting);
	if (err) {
		fail("%s", tui_err[0] ? tui_err : strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_live(int argc, char **argv, enum mode mode)
{
	struct tdxtop_session sess = { .stats_fd = -1 };
	__u64 intervals = 0, events = 0;
	int err, listen_fd = -1;
	char why[256];

	err = parse(argc, argv, mode);
	if (err)
		return err;
	/* which characters a VM name may show in text; numbers stay C */
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);
	libbpf_set_print(tdxtop_libbpf_print);
	if (tdxtop_check_caps(why, sizeof(why)) ||
	    !(sess.source = tdxtop_pick_source(why, sizeof(why)))) {
		fail("%s", why);
		return 1;
	}
	/* taken before loading anything: a port in use fails fast */
	if (mode == SERVE && (listen_fd = tdxtop_serve_listen(tdxtop_env.srv.listen)) < 0)
		return 1;
	err = tdxtop_session_open(&sess);
	if (!err && tdxtop_env.write)
		err = tdxtop_session_record(&sess, argc, argv);
	/* reading maps through our fds, /proc and our files needs no privilege */
	if (!err && tdxtop_drop_caps())
		err = 1;
	if (err)
		goto cleanup;
	tdxtop_catch_signals();
	if (mode == SERVE) {
		err = serve(&sess, listen_fd);
		listen_fd = -1;		/* closed by tdxtop_serve() */
	} else {
		err = tdxtop_env.print.batch ? batch_loop(&sess) : tui(&sess);
	}
	if (sess.rec)
		tdxtop_recorder_stats(sess.rec, &intervals, &events);
cleanup:
	if (listen_fd >= 0)
		close(listen_fd);
	if (tdxtop_session_close(&sess))
		err = 1;
	if (mode == RECORD && !err)
		record_summary(intervals, events);
	return err;
}

int tdxtop_cmd_live(int argc, char **argv)
{
	return cmd_live(argc, argv, LIVE);
}

int tdxtop_cmd_record(int argc, char **argv)
{
	return cmd_live(argc, argv, RECORD);
}

int tdxtop_cmd_serve(int argc, char **argv)
{
	return cmd_live(argc, argv, SERVE);
}
