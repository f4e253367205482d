/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The commands that load BPF (builtin-live.c: live, record, serve;
 * builtin-check.c): their shared options and a loaded tdxtop (session.c).
 */
#ifndef __TDXTOP_SESSION_H
#define __TDXTOP_SESSION_H

#include <argp.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define DEF_RECORD_FILE	"tdxtop.db"

enum {
	OPT_VCPU = 0x100, OPT_MIN_LAT, OPT_TSC_KHZ, OPT_STATS_ENTRIES,
	OPT_HIST_ENTRIES, OPT_VCPU_ENTRIES, OPT_LISTEN, OPT_PER_VCPU, OPT_PER_PID,
	OPT_OUTLIERS, OPT_OUTLIER_RATE, OPT_SOURCE, OPT_TD_ONLY, OPT_PER_VM_HIST,
	OPT_MAX_SERIES, OPT_EXPIRE,
};

#define DEF_CHECK_MS	5000	/* tdxtop check's window */

/* The options of the commands that load BPF, as parsed */
struct tdxtop_env {
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
	const char *source;	/* --source: "tdx", "btf", "kvm", NULL for auto */
	bool td_only;		/* --td-only: no rows of other VMs */
	struct tdxtop_cli_out print;	/* -b -j -g -s ... */
};
extern struct tdxtop_env tdxtop_env;

/* What the kernel side aggregates: the same for live, record, serve, check */
extern const struct argp_option tdxtop_kernel_opts[];
error_t tdxtop_parse_kernel_arg(int key, char *arg, struct argp_state *state);
/* libbpf's messages, with -v */
int tdxtop_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args);

/* The capabilities tdxtop needs, effective now; -1 when the kernel cannot tell */
int tdxtop_caps(bool *admin, bool *bpf, bool *perfmon);
/* 0 when they are there (or cannot be told), -1 with why in buf */
int tdxtop_check_caps(char *why, size_t len);
/*
 * The event source: --source, or tdx when its events exist, else btf when
 * the kernel's BTF knows TDs, else kvm, and why in buf; NULL when the
 * chosen source's events are missing (buf: why)
 */
const char *tdxtop_pick_source(char *why, size_t len);

/* A loaded and attached tdxtop, its reader, and its recording (-w) */
struct tdxtop_session {
	const char *source;	/* "tdx", "btf" or "kvm" */
	struct tdx_enter_bpf *skel;	/* the maps; the tdx source's programs */
	struct kvm_exit_bpf *kvm;	/* the kvm source's programs, or NULL */
	struct kvm_btf_bpf *btf;	/* the btf source's programs, or NULL */
	struct tdxtop_reader reader;
	struct tdxtop_snap snap;
	struct tdxtop_tsc tsc;
	struct tdxtop_recorder *rec;	/* -w, record */
	int stats_fd;		/* BPF_STATS_RUN_TIME held on, or -1 */
};

/*
 * Opens, sizes, loads and attaches sess->source's programs and reads once (the
 * start of the first interval).  Returns 0, or 1 having said why.
 */
int tdxtop_session_open(struct tdxtop_session *sess);
/* The recording of -w / record (an existing file moved to FILE.old): 0, or 1 */
int tdxtop_session_record(struct tdxtop_session *sess, int argc, char **argv);
/* Closes all of it; 1 when the recording could not be closed */
int tdxtop_session_close(struct tdxtop_session *sess);

int tdxtop_cmd_live(int argc, char **argv);
int tdxtop_cmd_record(int argc, char **argv);
int tdxtop_cmd_serve(int argc, char **argv);
int tdxtop_cmd_check(int argc, char **argv);

#endif /* __TDXTOP_SESSION_H */
