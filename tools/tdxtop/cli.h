/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command line: what the subcommands share (options of the views,
 * errors, signals, parsing of numbers and times) and the subcommands
 * themselves, one file each (builtin-*.c), dispatched by main.c.
 */
#ifndef __TDXTOP_CLI_H
#define __TDXTOP_CLI_H

#include "output/output.h"

/* ---- the command line (cli.c) ---- */

#include <argp.h>
#include <signal.h>

/* The output options of the live views and of report */
struct tdxtop_cli_out {
	struct tdxtop_out_opts opts;	/* what is printed and how */
	bool batch, json;
};

extern const struct argp tdxtop_out_argp;	/* an argp child: -b -j -g -s ... */
extern volatile sig_atomic_t tdxtop_exiting;	/* SIGINT, SIGTERM, SIGHUP */
extern bool tdxtop_json_errors;			/* errors as {"error": ...} */

void tdxtop_cli_out_init(struct tdxtop_cli_out *o);
void tdxtop_catch_signals(void);
/* Sleeps ms, less when a signal asks to stop */
void tdxtop_sleep_ms(int ms);
/* One line: on stderr, or as {"error": ...} on stdout in JSON mode */
void tdxtop_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tdxtop_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out);
/* Seconds, 0.01 to 86400, into ms */
int tdxtop_parse_secs(const char *s, int *ms);
/* The same for an option or argument: argp's usage error when invalid */
void tdxtop_arg_secs(struct argp_state *state, const char *arg, int *ms,
		     const char *what);
/*
 * Once the programs are attached and files opened: every capability given
 * up (effective, permitted, inheritable, and the bounding set where
 * CAP_SETPCAP allows), no new privileges.  0, or -1 said on stderr.
 */
int tdxtop_drop_caps(void);
/*
 * A time of report's --from/--to into the recording's monotonic clock: s
 * seconds from its first interval's start (mono0), or a UTC date and time
 * (2026-11-28T10:00:00Z) against that start's wall clock (real0)
 */
int tdxtop_parse_time(const char *s, __u64 mono0, __u64 real0, __u64 *ns);
/* Text or JSON, as o says */
int tdxtop_print(const struct tdxtop_cli_out *o, const struct tdxtop_snap *s,
		 struct tdxtop_view *v);

/* subcommands */
int tdxtop_cmd_report(int argc, char **argv);
int tdxtop_cmd_diff(int argc, char **argv);
/*
 * diff -j of one base and one new recording, into f, in this process (for
 * report --html): the exit status of diff, and on 2 why in err
 */
int tdxtop_diff_run(const char *base, const char *new, FILE *f, char *err, size_t len);

/* ---- tdxtop serve (serve.c) ---- */

#include <signal.h>

struct tdxtop_serve_opts {
	const char *listen;	/* ADDR:PORT */
	struct tdxtop_prom_opts prom;
};
#define TDXTOP_DEF_LISTEN	"127.0.0.1:9479"
/* the series budget of a host (docs/prometheus.md), and when a VM is gone */
#define TDXTOP_DEF_MAX_SERIES	2000
#define TDXTOP_DEF_EXPIRE_S	600
/* Whether spec is a valid ADDR:PORT: 0, or -1 and a line in err */
int tdxtop_listen_check(const char *spec, char *err, size_t len);
/* A socket listening on spec, or -1 (said on stderr) */
int tdxtop_serve_listen(const char *spec);
/*
 * The HTTP server of serve on the listening socket fd (-1: none, for
 * connections added by the caller), with its own thread or driven by the
 * caller (MHD_run(), tests/fuzz).  The daemon: a struct MHD_Daemon.
 */
struct tdxtop_server;
int tdxtop_server_start(struct tdxtop_server **s, const struct tdxtop_serve_opts *o,
			int fd, struct tdxtop_source *src, bool thread);
void *tdxtop_server_daemon(struct tdxtop_server *s);
void tdxtop_server_stop(struct tdxtop_server *s);
/* Serves /metrics on the listening socket fd (closed at the end) until *stop */
int tdxtop_serve(const struct tdxtop_serve_opts *o, int fd, struct tdxtop_source *src,
		 volatile sig_atomic_t *stop);

#endif /* __TDXTOP_CLI_H */
