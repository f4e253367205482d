// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop check: can the numbers be trusted on this host?  Beside tdxtop's
 * own BPF programs, ftrace hist triggers count the same events in a
 * tracefs instance of tdxtop's own; both are read before and after a
 * window, and per key tdxtop's count (and time sum, where the event
 * carries the time) must lie within what the triggers saw between the
 * reads.  The instance is removed at the end, and by a reaper process when
 * tdxtop dies any other way (SIGKILL included).
 *
 * The bounds are exact, not a tolerance: the triggers are read before
 * (H0a) and after (H0b) tdxtop's first read, and again around its last
 * (H1a, H1b).  Counts only grow, so what tdxtop counted between its reads
 * lies in [H1a - H0b, H1b - H0a].  Times: the event's cycles, summed by the
 * trigger, converted once; tdxtop converts each event and sums, which is
 * up to 2 ns an event less.
 *
 * Past 600 lines: the tracefs instance and its reaper, the window, the
 * comparison, both printers and the command are one check.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "session.h"

/* What a key of a trigger is, on tdxtop's side */
enum { F_VCPU, F_REASON, F_LEAF, F_STATUS };

/*
 * A view a check compares: a hist trigger on an event (at most three keys,
 * TRACING_MAP_KEYS_MAX), and the fields of tdxtop's rows it is keyed by.
 * tdx_vp_enter has four (vCPU, reason, leaf, status): two views of it.
 */
struct check_view {
	const char *event;		/* SYSTEM/EVENT */
	const char *keys;		/* the trigger's keys, in key order */
	const char *val;		/* summed by the trigger; NULL: counts only */
	__u32 kind;			/* tdxtop's rows of it */
	int nkeys;
	int f[3];			/* F_* of each key */
	bool raw_status;		/* the status key is raw: its class */
	/* the rows of other kinds it counts too (their status key: VMX) */
	bool (*also)(const struct tdxtop_key *k);
};

static const struct check_view tdx_views[] = {
	{ "tdx/tdx_vp_enter", "vcpu_id,exit_reason,leaf", "guest_cycles",
	  TDXTOP_KIND_EXIT, 3, { F_VCPU, F_REASON, F_LEAF }, false },
	{ "tdx/tdx_vp_enter", "exit_reason,leaf,status", "guest_cycles",
	  TDXTOP_KIND_EXIT, 3, { F_REASON, F_LEAF, F_STATUS }, true },
	{ "tdx/tdx_vp_enter_deferred", "vcpu_id", NULL, TDXTOP_KIND_DEFERRED, 1, { F_VCPU } },
	{ "tdx/tdx_host_gsbase", "vcpu_id", "cycles", TDXTOP_KIND_GSBASE, 1, { F_VCPU } },
	{ "tdx/tdx_uret_restore", "msrs", "cycles", TDXTOP_KIND_URET, 1, { F_LEAF } },
};

#define MAX_VIEWS	8
_Static_assert(sizeof(tdx_views) / sizeof(tdx_views[0]) <= MAX_VIEWS, "views of a source");

static const struct check_view kvm_views[] = {
	{ "kvm/kvm_exit", "vcpu_id,exit_reason,isa", NULL, TDXTOP_KIND_KVM_EXIT, 3,
	  { F_VCPU, F_REASON, F_STATUS } },
};

/*
 * A TD's exit that fired kvm_exit: all but EPT misconfig (a success with
 * no reason) and TDX_SW_ERROR, which tdx_vcpu_run() returns before it
 */
static bool td_fired_kvm_exit(const struct tdxtop_key *k)
{
	if (k->kind != TDXTOP_KIND_TD_EXIT)
		return false;
	if (!k->status && k->reason == -1u)
		return false;
	return (k->status & 0x8000ff00) != 0x8000ff00;
}

/*
 * The btf source: kvm_exit for other VMs' exits and the TDs' that fire
 * it; the two that do not are counted by tdxtop alone
 */
static const struct check_view btf_views[] = {
	{ "kvm/kvm_exit", "vcpu_id,exit_reason,isa", NULL, TDXTOP_KIND_KVM_EXIT, 3,
	  { F_VCPU, F_REASON, F_STATUS }, false, td_fired_kvm_exit },
};

/* The reads: the triggers around tdxtop's first and last read, and tdxtop's */
enum { R_H0A, R_H0B, R_H1A, R_H1B, R_TDXTOP, NR_READS };

struct ckey {
	__u32 ev, pad;		/* the view */
	__u64 k[3];
};

struct cval {
	struct ckey key;
	int read;
	__u64 n, sum;		/* sum: cycles from a trigger, ns from tdxtop */
};

struct tdxtop_check;
static void check_close(struct tdxtop_check *c);

struct tdxtop_check {
	const struct check_view *ev;
	int nr_ev;
	char dir[256];			/* the instance */
	int reaper_fd;			/* its end of the reaper's pipe */
	pid_t reaper;
	struct cval *v;
	size_t nr_v, cap_v;
	__u64 dropped;
};

/* A trigger is added by appending: two views of one event, two triggers */
static int append_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC), e = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		e = -errno ?: -EIO;
	close(fd);
	return e;
}

/* Instances of a check whose process is gone: a SIGKILL with the reaper too */
static void remove_stale(const char *root)
{
	char path[320];
	struct dirent *d;
	DIR *dir;
	int pid;

	snprintf(path, sizeof(path), "%s/instances", root);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (sscanf(d->d_name, "tdxtop-check-%d", &pid) != 1 ||
		    !(kill(pid, 0) && errno == ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", root, d->d_name);
		rmdir(path);
	}
	closedir(dir);
}

/*
 * The reaper: its own session (a hangup of ours does not reach it), no
 * signals that end it, and it removes the instance when our end of the pipe
 * closes, which happens however tdxtop ends
 */
static int start_reaper(struct tdxtop_check *c)
{
	int p[2], fd;
	char b;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	c->reaper = fork();
	if (c->reaper < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (!c->reaper) {
		close(p[1]);
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		for (fd = 3; fd < 1024; fd++)
			if (fd != p[0])
				close(fd);
		while (read(p[0], &b, 1) < 0 && errno == EINTR)
			;
		rmdir(c->dir);
		_exit(0);
	}
	close(p[0]);
	c->reaper_fd = p[1];
	return 0;
}

static int check_open(struct tdxtop_check **cp, const char *source, char *err, size_t len)
{
	struct tdxtop_check *c = calloc(1, sizeof(*c));
	const char *root = tdxtop_tracefs();
	char path[512], spec[256];
	int i, e;

	*cp = NULL;
	err[0] = '\0';
	if (!c)
		return -ENOMEM;
	c->reaper_fd = -1;
	if (!root) {
		snprintf(err, len, "tracefs is not mounted (mount -t tracefs nodev "
			 "/sys/kernel/tracing): no ftrace hist trigger to compare with");
		free(c);
		return -ENOENT;
	}
	if (!strcmp(source, "kvm")) {
		c->ev = kvm_views;
		c->nr_ev = sizeof(kvm_views) / sizeof(kvm_views[0]);
	} else if (!strcmp(source, "btf")) {
		c->ev = btf_views;
		c->nr_ev = sizeof(btf_views) / sizeof(btf_views[0]);
	} else {
		c->ev = tdx_views;
		c->nr_ev = sizeof(tdx_views) / sizeof(tdx_views[0]);
	}
	remove_stale(root);
	snprintf(c->dir, sizeof(c->dir), "%s/instances/tdxtop-check-%d", root, (int)getpid());
	if (mkdir(c->dir, 0700)) {
		e = -errno;
		snprintf(err, len, "%s: %s (tracefs instances need CONFIG_TRACING and root)",
			 c->dir, strerror(-e));
		free(c);
		return e;
	}
	e = start_reaper(c);
	for (i = 0; !e && i < c->nr_ev; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/trigger", c->dir, c->ev[i].event);
		snprintf(spec, sizeof(spec), "hist:keys=%s:vals=hitcount%s%s:size=16384",
			 c->ev[i].keys, c->ev[i].val ? "," : "", c->ev[i].val ?: "");
		e = append_file(path, spec);
		if (e)
			snprintf(err, len, "%.300s: cannot set a hist trigger: %s%s", path,
				 strerror(-e), e == -EINVAL || e == -ENOENT ?
				 " (CONFIG_HIST_TRIGGERS?)" : "");
	}
	if (e && !err[0])
		snprintf(err, len, "cannot start the reaper: %s", strerror(-e));
	if (e) {
		check_close(c);
		return e;
	}
	*cp = c;
	return 0;
}

static void check_close(struct tdxtop_check *c)
{
	if (!c)
		return;
	rmdir(c->dir);
	if (c->reaper_fd >= 0) {
		close(c->reaper_fd);	/* the reaper finds it gone and exits */
		waitpid(c->reaper, NULL, 0);
	}
	free(c->v);
	free(c);
}

static int add(struct tdxtop_check *c, const struct ckey *k, int read, __u64 n, __u64 sum)
{
	struct cval *v;

	if (TDXTOP_GROW(c->v, c->cap_v, c->nr_v + 1))
		return -ENOMEM;
	v = &c->v[c->nr_v++];
	v->key = *k;
	v->read = read;
	v->n = n;
	v->sum = sum;
	return 0;
}

/* "name: value" of a hist line, after *p; its value */
static int field(const char **p, __u64 *v)
{
	char *end;
	const char *s = strchr(*p, ':');

	if (!s)
		return -1;
	*v = strtoull(s + 1, &end, 10);
	if (end == s + 1)
		return -1;
	*p = end;
	return 0;
}

/*
 * One read of every trigger's histogram.  An event's hist file holds each of
 * its triggers in turn, each after a "# trigger info: hist:keys=KEYS:" line.
 */
static int read_hists(struct tdxtop_check *c, int read)
{
	char path[512], line[1024], info[160];
	int i, j, e = 0;
	bool mine = false;
	FILE *f;

	for (i = 0; !e && i < c->nr_ev; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/hist", c->dir, c->ev[i].event);
		snprintf(info, sizeof(info), "# trigger info: hist:keys=%s:", c->ev[i].keys);
		f = fopen(path, "re");
		if (!f)
			return -errno;
		while (!e && fgets(line, sizeof(line), f)) {
			struct ckey k = { .ev = i };
			const char *p = line;
			__u64 n, sum = 0, d;

			if (!strncmp(line, "# trigger info:", 15))
				mine = !strncmp(line, info, strlen(info));
			if (!mine)
				continue;
			if (sscanf(line, " Dropped: %llu", (unsigned long long *)&d) == 1)
				c->dropped += d;
			if (line[0] != '{')
				continue;
			for (j = 0; j < c->ev[i].nkeys; j++)
				if (field(&p, &k.k[j]))
					e = -EPROTO;
			for (j = 0; j < c->ev[i].nkeys; j++)
				if (c->ev[i].f[j] == F_STATUS && c->ev[i].raw_status)
					k.k[j] = tdxtop_status_class(k.k[j]);
			p = strchr(p, '}');
			if (!e && (!p || field(&p, &n) || (c->ev[i].val && field(&p, &sum))))
				e = -EPROTO;
			if (!e)
				e = add(c, &k, read, n, sum);
		}
		fclose(f);
	}
	return e;
}

static __u64 row_field(const struct tdxtop_row *r, int f)
{
	switch (f) {
	case F_VCPU:
		return r->key.vcpu;
	case F_REASON:
		return r->key.reason;
	case F_LEAF:	/* user-return rows: the MSR mask, as the event's msrs */
		return r->key.kind == TDXTOP_KIND_URET ? (__u32)r->key.leaf : r->key.leaf;
	default:
		return r->key.status;
	}
}

/* tdxtop's rows, on each view's keys */
static int add_rows(struct tdxtop_check *c, const struct tdxtop_snap *s)
{
	size_t i;
	int ev, j, e = 0;

	for (i = 0; !e && i < s->nr_rows; i++) {
		const struct tdxtop_row *r = &s->rows[i];

		for (ev = 0; !e && ev < c->nr_ev; ev++) {
			struct ckey k = { .ev = ev };

			bool also = c->ev[ev].also && c->ev[ev].also(&r->key);

			if (c->ev[ev].kind != r->key.kind && !also)
				continue;
			for (j = 0; j < c->ev[ev].nkeys; j++)
				k.k[j] = also && c->ev[ev].f[j] == F_STATUS ? TDXTOP_ISA_VMX :
					 row_field(r, c->ev[ev].f[j]);
			e = add(c, &k, R_TDXTOP, r->st.count,
				tdxtop_kind_is_exit(r->key.kind) ?
				r->st.sum[TDXTOP_M_GUEST] : r->st.sum[TDXTOP_M_RESTORE]);
		}
	}
	return e;
}

static int cmp_cval(const void *a, const void *b)
{
	return memcmp(&((const struct cval *)a)->key, &((const struct cval *)b)->key,
		      sizeof(struct ckey));
}

static int check_run(struct tdxtop_check *c, struct tdxtop_reader *r,
		     struct tdxtop_snap *s, int ms)
{
	int e;

	if (tdxtop_exiting)
		return -EINTR;
	/* tdxtop's first read (the window's start) between two of the triggers' */
	e = read_hists(c, R_H0A) ?: tdxtop_reader_read(r, s) ?: read_hists(c, R_H0B);
	if (e)
		return e;
	tdxtop_sleep_ms(ms);
	e = read_hists(c, R_H1A) ?: tdxtop_reader_read(r, s) ?: read_hists(c, R_H1B);
	if (!e)
		e = add_rows(c, s);
	if (!e)
		qsort(c->v, c->nr_v, sizeof(*c->v), cmp_cval);
	return tdxtop_exiting ? -EINTR : e;
}

/* One key's reads, summed per read */
struct ckey_result {
	struct ckey key;
	__u64 n[NR_READS], sum[NR_READS];
};

static void key_text(const struct tdxtop_check *c, const struct ckey *k, char *buf,
		     size_t len)
{
	const struct check_view *ev = &c->ev[k->ev];
	struct tdxtop_key tk = { .kind = ev->kind, .reason = -1u };
	bool vcpu = false, reason = false;
	char label[64];
	int j;

	for (j = 0; j < ev->nkeys; j++) {
		switch (ev->f[j]) {
		case F_VCPU:
			tk.vcpu = k->k[j];
			vcpu = true;
			break;
		case F_REASON:
			tk.reason = k->k[j];
			reason = true;
			break;
		case F_LEAF:
			tk.leaf = k->k[j];
			break;
		default:
			tk.status = k->k[j];
		}
	}
	if (ev->kind == TDXTOP_KIND_URET) {
		snprintf(buf, len, "msrs %#llx", (unsigned long long)tk.leaf);
		return;
	}
	j = vcpu ? snprintf(buf, len, "vcpu %u", tk.vcpu) : 0;
	if (reason)
		snprintf(buf + j, len - j, "%s%s", vcpu ? " " : "",
			 tdxtop_row_label(&tk, label, sizeof(label)));
}

/* The result of one key: within its bounds or not */
struct cdiff {
	int ev;
	struct ckey key;
	__u64 lo, hi, got;
	bool count_ok;
};

/* Per event: keys, the triggers' events (lo..hi), tdxtop's, keys that differ */
struct ctotal {
	__u64 keys, lo, hi, got, bad;
};

#define MAX_SHOWN	20

/*
 * Walks the sorted reads key by key: per event the totals, the keys out of
 * their bounds (the first MAX_SHOWN of them in d[]); returns how many
 * differ, and in *events how many events the window held
 */
static size_t compare(const struct tdxtop_check *c, const struct tdxtop_tsc *tsc,
		      struct ctotal *t, struct cdiff *d, size_t *nd, __u64 *events)
{
	__u64 cpus = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
	size_t i = 0, j, bad = 0;

	*nd = 0;
	*events = 0;
	while (i < c->nr_v) {
		struct ckey_result k = { .key = c->v[i].key };
		__u64 lo, hi, ns_lo, ns_hi;
		bool ok_n, ok_t = true;
		int ev;

		for (j = i; j < c->nr_v && !cmp_cval(&c->v[i], &c->v[j]); j++) {
			k.n[c->v[j].read] += c->v[j].n;
			k.sum[c->v[j].read] += c->v[j].sum;
		}
		i = j;
		ev = k.key.ev;
		lo = k.n[R_H1A] - k.n[R_H0B];
		hi = k.n[R_H1B] - k.n[R_H0A];
		if (!hi && !k.n[R_TDXTOP])
			continue;	/* a key seen before the window only */
		/*
		 * One firing of an event runs ftrace's probe and tdxtop's program
		 * one after the other: a read can fall between them, on each CPU
		 * at once (seen: 1 of 5,568 kvm_exit under TCG)
		 */
		lo = lo > cpus ? lo - cpus : 0;
		hi += cpus;
		ok_n = k.n[R_TDXTOP] >= lo && k.n[R_TDXTOP] <= hi;
		if (c->ev[ev].val) {
			ns_lo = tdxtop_cyc2ns(k.sum[R_H1A] - k.sum[R_H0B], tsc->mult, tsc->shift);
			ns_hi = tdxtop_cyc2ns(k.sum[R_H1B] - k.sum[R_H0A], tsc->mult, tsc->shift);
			/* tdxtop rounds each event down: up to 2 ns an event less */
			ns_lo = ns_lo > 2 * hi ? ns_lo - 2 * hi : 0;
			ok_t = k.sum[R_TDXTOP] >= ns_lo && k.sum[R_TDXTOP] <= ns_hi;
		}
		t[ev].keys++;
		t[ev].lo += lo;
		t[ev].hi += hi;
		t[ev].got += k.n[R_TDXTOP];
		*events += hi + k.n[R_TDXTOP];
		if (ok_n && ok_t)
			continue;
		t[ev].bad++;
		if (bad++ < MAX_SHOWN)
			d[(*nd)++] = (struct cdiff){ .ev = ev, .key = k.key, .lo = lo, .hi = hi,
						     .got = k.n[R_TDXTOP], .count_ok = ok_n };
	}
	return bad;
}

static void report_text(FILE *f, const struct tdxtop_check *c, const struct ctotal *t,
			const struct cdiff *d, size_t nd, size_t bad,
			const struct tdxtop_snap *s)
{
	char what[96];
	size_t i;
	int ev, m;

	fprintf(f, "\n%-54s %6s %23s %12s %6s  %s\n", "EVENT (KEYS)", "KEYS", "FTRACE (MIN..MAX)",
		"TDXTOP", "DIFFER", "COMPARED");
	for (ev = 0; ev < c->nr_ev; ev++) {
		snprintf(what, sizeof(what), "%s (%s)", c->ev[ev].event, c->ev[ev].keys);
		fprintf(f, "%-54s %6llu %11llu..%-10llu %12llu %6llu  %s\n", what,
			(unsigned long long)t[ev].keys, (unsigned long long)t[ev].lo,
			(unsigned long long)t[ev].hi, (unsigned long long)t[ev].got,
			(unsigned long long)t[ev].bad, c->ev[ev].val ? "counts, time" : "counts");
	}
	for (i = 0; i < nd; i++) {
		key_text(c, &d[i].key, what, sizeof(what));
		fprintf(f, "differs: %s %s: ftrace %llu", c->ev[d[i].ev].event, what,
			(unsigned long long)d[i].lo);
		if (d[i].hi != d[i].lo)
			fprintf(f, "..%llu", (unsigned long long)d[i].hi);
		fprintf(f, ", tdxtop %llu%s\n", (unsigned long long)d[i].got,
			d[i].count_ok ? " (count within, time sum out of bounds)" : "");
	}
	if (bad > nd)
		fprintf(f, "differs: %zu more keys\n", bad - nd);
	fprintf(f, "tdxtop's losses:");
	for (m = 0; m < TDXTOP_NR_LOSSES; m++)
		fprintf(f, " %s %llu", tdxtop_loss_name(m), (unsigned long long)s->losses[m]);
	fprintf(f, "; notes:");
	for (m = 0; m < TDXTOP_NR_NOTES; m++)
		fprintf(f, " %s %llu", tdxtop_note_name(m), (unsigned long long)s->notes[m]);
	fprintf(f, "\n");
}

/* "key": {"name": v, ...} of n counters named by name() */
static void counts_json(struct tdxtop_jw *w, const char *key, const char *(*name)(int),
			const __u64 *v, int n)
{
	int i;

	tdxtop_jw_key_n(w, key, strlen(key));
	tdxtop_jw_obj(w);
	for (i = 0; i < n; i++)
		tdxtop_jw_kv_u64_n(w, name(i), strlen(name(i)), v[i]);
	tdxtop_jw_end_obj(w);
}

static void report_json(struct tdxtop_jw *w, const struct tdxtop_check *c,
			const struct ctotal *t, const struct cdiff *d, size_t nd,
			const struct tdxtop_snap *s)
{
	char what[96];
	size_t i;
	int ev;

	tdxtop_jw_key(w, "events");
	tdxtop_jw_arr(w);
	for (ev = 0; ev < c->nr_ev; ev++) {
		tdxtop_jw_obj(w);
		tdxtop_jw_key(w, "event");
		tdxtop_jw_str(w, c->ev[ev].event);
		tdxtop_jw_key(w, "by");
		tdxtop_jw_str(w, c->ev[ev].keys);
		tdxtop_jw_kv_u64(w, "keys", t[ev].keys);
		tdxtop_jw_kv_u64(w, "ftrace_min", t[ev].lo);
		tdxtop_jw_kv_u64(w, "ftrace_max", t[ev].hi);
		tdxtop_jw_kv_u64(w, "tdxtop", t[ev].got);
		tdxtop_jw_kv_u64(w, "keys_differ", t[ev].bad);
		tdxtop_jw_key(w, "time_compared");
		tdxtop_jw_str(w, c->ev[ev].val ? "yes" : "no");
		tdxtop_jw_end_obj(w);
	}
	tdxtop_jw_end_arr(w);
	tdxtop_jw_key(w, "differs");
	tdxtop_jw_arr(w);
	for (i = 0; i < nd; i++) {
		key_text(c, &d[i].key, what, sizeof(what));
		tdxtop_jw_obj(w);
		tdxtop_jw_key(w, "event");
		tdxtop_jw_str(w, c->ev[d[i].ev].event);
		tdxtop_jw_key(w, "key");
		tdxtop_jw_str(w, what);
		tdxtop_jw_kv_u64(w, "ftrace_min", d[i].lo);
		tdxtop_jw_kv_u64(w, "ftrace_max", d[i].hi);
		tdxtop_jw_kv_u64(w, "tdxtop", d[i].got);
		tdxtop_jw_key(w, "count_within");
		tdxtop_jw_str(w, d[i].count_ok ? "yes" : "no");
		tdxtop_jw_end_obj(w);
	}
	tdxtop_jw_end_arr(w);
	counts_json(w, "losses", tdxtop_loss_name, s->losses, TDXTOP_NR_LOSSES);
	counts_json(w, "notes", tdxtop_note_name, s->notes, TDXTOP_NR_NOTES);
}

static int check_report(struct tdxtop_check *c, const struct tdxtop_tsc *tsc,
			const struct tdxtop_snap *s, struct tdxtop_jw *w, FILE *f,
			const char **verdict)
{
	struct ctotal t[MAX_VIEWS] = {};
	struct cdiff d[MAX_SHOWN];
	size_t nd, bad;
	__u64 events;

	bad = compare(c, tsc, t, d, &nd, &events);
	if (w)
		report_json(w, c, t, d, nd, s);
	else
		report_text(f, c, t, d, nd, bad, s);
	if (c->dropped) {
		*verdict = "cannot check: an ftrace hist trigger's table filled "
			   "(Dropped in its hist file)";
		return 2;
	}
	if (!events) {
		*verdict = "cannot check: no event in the window (is a VM running?)";
		return 2;
	}
	*verdict = bad ? "disagrees: keys out of the bounds of the ftrace reads" :
		   "agrees: every key's count and time sum within the bounds of the ftrace reads";
	return bad ? 1 : 0;
}

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

static const struct argp_option check_opts[] = {
	{ "json", 'j', NULL, 0, "One JSON object (errors too)", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf's messages", 0 },
	{},
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		tdxtop_env.check_json = true;
		tdxtop_json_errors = true;
		break;
	case 'v':
		tdxtop_env.print.opts.verbose = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp check_argp = { .options = check_opts, .parser = parse_check };

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
	f->caps_known = !tdxtop_caps(&f->cap_admin, &f->cap_bpf, &f->cap_perfmon);
	f->slots = tdxtop_nr_slots(tdxtop_env.vcpu_entries ?: TDXTOP_DEF_VCPUS);
	f->shared_rows = tdxtop_env.stats_entries ?: TDXTOP_DEF_SHARED_ROWS;
	f->hists = tdxtop_env.hist_entries ?: TDXTOP_DEF_HISTS;
	f->source = tdxtop_pick_source(f->why, sizeof(f->why));
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
	tdxtop_jw_str(w, yes_no(f->caps_known ? f->cap_bpf : -1));
	tdxtop_jw_key(w, "CAP_PERFMON");
	tdxtop_jw_str(w, yes_no(f->caps_known ? f->cap_perfmon : -1));
	tdxtop_jw_key(w, "CAP_SYS_ADMIN");
	tdxtop_jw_str(w, yes_no(f->caps_known ? f->cap_admin : -1));
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

/* The window beside the triggers, and the comparison: the exit status */
static int window(struct tdxtop_check *c, struct tdxtop_session *sess, struct tdxtop_jw *w,
		  char *verdict, size_t len)
{
	const char *v;
	int e, status;

	if (!w)
		printf("  instance      %s, %.1f s\n", c->dir,
		       tdxtop_env.check_ms / 1000.0);
	fflush(stdout);		/* what was found, before the window */
	e = check_run(c, &sess->reader, &sess->snap, tdxtop_env.check_ms);
	if (e) {
		snprintf(verdict, len, "cannot check: %s",
			 e == -EINTR ? "interrupted" : strerror(-e));
		return 2;
	}
	status = check_report(c, &sess->tsc, &sess->snap, w, stdout, &v);
	snprintf(verdict, len, "%s", v);
	return status;
}

/* tdxtop check [SECONDS]: 0 agrees, 1 disagrees, 2 cannot check */
int tdxtop_cmd_check(int argc, char **argv)
{
	static const struct argp_child children[] = { { &check_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = {
		.options = tdxtop_kernel_opts, .parser = tdxtop_parse_kernel_arg,
		.children = children, .doc = check_doc,
	};
	static struct tdxtop_jw jw;
	struct tdxtop_jw *w = NULL;
	struct tdxtop_session sess = { .stats_fd = STATS_NOT_TRIED };
	struct tdxtop_check *c = NULL;
	struct check_facts f;
	char err[512], verdict[640];
	int status = 2;

	tdxtop_env.check = true;
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	setlocale(LC_CTYPE, "");
	signal(SIGPIPE, SIG_IGN);
	/* from the start: a SIGINT while loading ends the check, not tdxtop */
	tdxtop_catch_signals();
	libbpf_set_print(tdxtop_libbpf_print);
	check_facts(&f);
	if (tdxtop_env.check_json) {
		w = &jw;
		tdxtop_jw_init(w, stdout, false);
		tdxtop_jw_obj(w);
	}
	if (tdxtop_check_caps(err, sizeof(err))) {
		snprintf(verdict, sizeof(verdict), "cannot check: %s", err);
	} else if (!f.source) {
		snprintf(verdict, sizeof(verdict), "cannot check: %s", f.why);
	} else if (check_open(&c, f.source, err, sizeof(err))) {
		snprintf(verdict, sizeof(verdict), "cannot check: %s", err);
	} else {
		/* errors of loading are said on their own line; the verdict names them */
		sess.source = f.source;
		tdxtop_json_errors = false;
		if (tdxtop_session_open(&sess))
			snprintf(verdict, sizeof(verdict), "cannot check: the %s source does "
				 "not load here (above)", f.source);
		else
			status = -1;
		tdxtop_json_errors = tdxtop_env.check_json;
	}
	if (w)
		check_facts_json(w, &f, sess.stats_fd);
	else
		check_facts_text(&f, sess.stats_fd);
	if (status == -1)
		status = window(c, &sess, w, verdict, sizeof(verdict));
	check_close(c);
	if (sess.skel)
		tdxtop_session_close(&sess);
	return check_verdict(w, status, verdict);
}
