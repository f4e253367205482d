// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Batch output of a snapshot: plain text, and JSON lines (one object per
 * interval, schema in docs/json.md).  Both are written row by row; numbers
 * are formatted here, without printf, since -g all prints 40,960 rows a
 * second on a large host.
 *
 * Past 600 lines: the text and the JSON of a snapshot share their row
 * formatting and are kept together so that the two say the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "output/output.h"

static const double quantiles[] = { 0.50, 0.90, 0.99, 0.999 };
static const char *const quantile_names[] = { "p50", "p90", "p99", "p999" };
#define NR_Q (sizeof(quantiles) / sizeof(quantiles[0]))

static void str_or_null(struct tdxtop_jw *w, const char *key, const char *s);

/* Decimal digits of v at p; returns the end */
static char *put_u64(char *p, __u64 v)
{
	char tmp[24], *t = tmp + sizeof(tmp);

	do {
		*--t = '0' + v % 10;
		v /= 10;
	} while (v);
	memcpy(p, t, tmp + sizeof(tmp) - t);
	return p + (tmp + sizeof(tmp) - t);
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* v with one decimal, rounded */
static char *put_tenths(char *p, double v)
{
	__u64 t = (__u64)(v * 10 + 0.5);

	p = put_u64(p, t / 10);
	*p++ = '.';
	*p++ = '0' + t % 10;
	return p;
}

void tdxtop_fmt_ns(char *buf, size_t len, double ns)
{
	char tmp[40], *p = tmp;

	if (ns < 0)
		ns = 0;
	/* each unit up to where its rounding would carry into a fifth digit */
	if (ns < 9999.5)
		p = put_str(put_u64(p, (__u64)(ns + 0.5)), "ns");
	else if (ns < 9999950)
		p = put_str(put_tenths(p, ns / 1e3), "us");
	else if (ns < 9999.95e6)
		p = put_str(put_tenths(p, ns / 1e6), "ms");
	else if (ns < 1e18)
		p = put_str(put_tenths(p, ns / 1e9), "s");
	else
		p = put_str(p, "inf");
	if (len) {		/* per cell of every row: no printf */
		size_t n = p - tmp < (long)len - 1 ? (size_t)(p - tmp) : len - 1;

		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
}

/* The UTC wall clock of the end of the interval: HH:MM:SS or ISO 8601 */
static void wall_time(char *buf, size_t len, __u64 real_ns, bool iso)
{
	time_t sec = real_ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&sec, &tm);
	if (iso)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(real_ns / 1000000 % 1000));
	else
		strftime(buf, len, "%H:%M:%S", &tm);
}

/* Columns: name, width, right-aligned */
enum {
	C_VM, C_PID, C_VCPU, C_TYPE, C_REASON, C_STATUS, C_COUNT, C_GUEST_AVG, C_GUEST_P99,
	C_HOST_AVG, C_RESTORE, C_MAX, NR_COLS,
};
static const struct {
	const char *name;
	int width;
	bool right;
} cols[NR_COLS] = {
	[C_VM] = { "VM", 16, false }, [C_PID] = { "PID", 7, true },
	[C_VCPU] = { "VCPU", 4, true }, [C_TYPE] = { "TYPE", 4, false },
	[C_REASON] = { "REASON", 28, false }, [C_STATUS] = { "STATUS", 12, false },
	[C_COUNT] = { "COUNT", 9, true }, [C_GUEST_AVG] = { "GUEST/avg", 9, true },
	[C_GUEST_P99] = { "GUEST/p99", 9, true }, [C_HOST_AVG] = { "HOST/avg", 9, true },
	[C_RESTORE] = { "RESTORE", 9, true }, [C_MAX] = { "MAX", 9, true },
};

/*
 * TYPE (td or vm) only where rows of both can be: the btf source sees TDs
 * and other VMs; every row of the tdx source is a TD's, and the kvm source
 * cannot tell
 */
static bool typed(const char *source)
{
	return source && !strcmp(source, "btf");
}

/*
 * Cell i holding s (our own ASCII text): left-aligned cells are cut to the
 * width, right-aligned ones are padded and never cut, as printf's %-W.Ws
 * and %Ws did
 */
static char *put_cell(char *p, size_t i, const char *s)
{
	int n = strlen(s), w = cols[i].width;

	if (i)
		*p++ = ' ';
	if (!cols[i].right && n > w)
		n = w;
	if (cols[i].right && n < w) {
		memset(p, ' ', w - n);
		p += w - n;
	}
	memcpy(p, s, n);
	p += n;
	if (!cols[i].right && n < w) {
		memset(p, ' ', w - n);
		p += w - n;
	}
	return p;
}

const char *tdxtop_cols_header(const char *source)
{
	static char h[2][TDXTOP_LINE_SIZE];
	bool t = typed(source);
	char *p = h[t];
	size_t i;

	if (!h[t][0]) {
		for (i = 0; i < NR_COLS; i++)
			if (i != C_TYPE || t)
				p = put_cell(p, i, cols[i].name);
		*p = '\0';
	}
	return h[t];
}

static void avg(char *buf, size_t len, const struct tdxtop_stats *s, int m)
{
	if (s->n[m])
		tdxtop_fmt_ns(buf, len, (double)s->sum[m] / s->n[m]);
	else
		strcpy(buf, "-");
}

void tdxtop_format_vm(char *buf, const struct tdxtop_snap *s, __u32 tgid, int width)
{
	tdxtop_text_cell(buf, tdxtop_snap_vm_name(s, tgid), width);
}

size_t tdxtop_format_line(char *buf, const struct tdxtop_snap *s,
			  const struct tdxtop_group *g, enum tdxtop_group_by by)
{
	const struct tdxtop_stats *st = &g->st;
	const char *status = tdxtop_status_name(g->key.status);
	bool per_vcpu = by == TDXTOP_BY_VCPU || by == TDXTOP_BY_ALL;
	bool per_reason = by == TDXTOP_BY_REASON || by == TDXTOP_BY_ALL;
	char v[64], *p = buf, *e;

	tdxtop_format_vm(p, s, g->key.tgid, cols[C_VM].width);
	p += strlen(p);
	e = put_u64(v, g->key.tgid);
	*e = '\0';
	p = put_cell(p, C_PID, v);
	if (!per_vcpu)
		p = put_cell(p, C_VCPU, "*");
	else if (g->key.vcpu == TDXTOP_VCPU_NONE)
		p = put_cell(p, C_VCPU, "-");
	else {
		*put_u64(v, g->key.vcpu) = '\0';
		p = put_cell(p, C_VCPU, v);
	}
	if (typed(s->source))
		p = put_cell(p, C_TYPE, tdxtop_row_type(g->key.kind, s->source) ?: "-");
	if (per_reason)
		p = put_cell(p, C_REASON, tdxtop_row_label(&g->key, v, sizeof(v)));
	else
		p = put_cell(p, C_REASON, tdxtop_kind_name(g->key.kind));
	if (!per_reason || !tdxtop_kind_is_td_exit(g->key.kind))
		p = put_cell(p, C_STATUS, "-");
	else if (status)
		p = put_cell(p, C_STATUS, status);
	else {
		tdxtop_hex(v, g->key.status, 8);
		p = put_cell(p, C_STATUS, v);
	}
	*put_u64(v, st->count) = '\0';
	p = put_cell(p, C_COUNT, v);
	avg(v, sizeof(v), st, TDXTOP_M_GUEST);
	p = put_cell(p, C_GUEST_AVG, v);
	if (g->h && st->n[TDXTOP_M_GUEST])
		tdxtop_fmt_ns(v, sizeof(v),
			      tdxtop_hist_quantile(g->h->bucket[TDXTOP_M_GUEST],
						   st->n[TDXTOP_M_GUEST], 0.99,
						   st->min[TDXTOP_M_GUEST],
						   st->max[TDXTOP_M_GUEST]));
	else
		strcpy(v, "-");
	p = put_cell(p, C_GUEST_P99, v);
	avg(v, sizeof(v), st, TDXTOP_M_HOST);
	p = put_cell(p, C_HOST_AVG, v);
	avg(v, sizeof(v), st, TDXTOP_M_RESTORE);
	p = put_cell(p, C_RESTORE, v);
	if (st->n[TDXTOP_M_GUEST])
		tdxtop_fmt_ns(v, sizeof(v), st->max[TDXTOP_M_GUEST]);
	else if (st->n[TDXTOP_M_RESTORE])
		tdxtop_fmt_ns(v, sizeof(v), st->max[TDXTOP_M_RESTORE]);
	else
		strcpy(v, "-");
	p = put_cell(p, C_MAX, v);
	*p = '\0';
	return p - buf;
}

/* ---- outliers ---- */

/* The row key of an outlier, for its label and names */
static struct tdxtop_key outlier_key(const struct tdxtop_outlier *o)
{
	struct tdxtop_key k = {
		.tgid = o->tgid, .vcpu = o->vcpu, .reason = o->reason,
		.status = tdxtop_status_class(o->status), .leaf = o->leaf,
		.kind = TDXTOP_KIND_EXIT,
	};

	return k;
}

/* HH:MM:SS.uuuuuu (UTC), or ISO 8601 with microseconds */
static void wall_time_us(char *buf, size_t len, __u64 real_ns, bool iso)
{
	time_t sec = real_ns / 1000000000ULL;
	int us = real_ns / 1000 % 1000000;
	struct tm tm;

	gmtime_r(&sec, &tm);
	if (iso)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, us);
	else
		snprintf(buf, len, "%02d:%02d:%02d.%06d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, us);
}

/* A time of an outlier: "1.2ms", with '*' when above its threshold */
static void outlier_time(char *buf, size_t len, const struct tdxtop_outlier *o, int m)
{
	size_t n;

	if (o->ns[m] == TDXTOP_NO_NS) {
		snprintf(buf, len, "-");
		return;
	}
	tdxtop_fmt_ns(buf, len - 1, o->ns[m]);
	n = strlen(buf);
	if (o->over & (1u << m)) {
		buf[n++] = '*';
		buf[n] = '\0';
	}
}

const char *tdxtop_outliers_header(void)
{
	static char h[TDXTOP_LINE_SIZE];

	if (!h[0])
		snprintf(h, sizeof(h), "%-15s %4s %9s %9s %9s %-20s %-18s %-18s %s",
			 "TIME", "VCPU", "GUEST", "HOST", "RESTORE", "REASON", "STATUS",
			 "EXIT_QUAL", "VM");
	return h;
}

size_t tdxtop_format_outlier(char *buf, const struct tdxtop_snap *s,
			     const struct tdxtop_outlier_ev *e)
{
	const struct tdxtop_outlier *o = &e->o;
	struct tdxtop_key k = outlier_key(o);
	char ts[32], vm[TDXTOP_CELL_SIZE(16)], label[64], st[24], q[24], vcpu[12];
	char t[TDXTOP_NR_METRICS][24];
	size_t n;
	int m;

	wall_time_us(ts, sizeof(ts), e->real_ns, false);
	tdxtop_format_vm(vm, s, o->tgid, 16);
	tdxtop_row_label(&k, label, sizeof(label));
	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		outlier_time(t[m], sizeof(t[m]), o, m);
	if (o->vcpu == TDXTOP_VCPU_NONE)
		snprintf(vcpu, sizeof(vcpu), "-");
	else
		snprintf(vcpu, sizeof(vcpu), "%u", o->vcpu);
	/* what matters first: at 80 columns time, vCPU, the times and the reason */
	n = snprintf(buf, TDXTOP_LINE_SIZE, "%-15s %4s %9s %9s %9s %-20.20s %-18s %-18s %s",
		     ts, vcpu, t[TDXTOP_M_GUEST], t[TDXTOP_M_HOST], t[TDXTOP_M_RESTORE],
		     label, tdxtop_hex(st, o->status, 16), tdxtop_hex(q, o->exit_qual, 1), vm);
	if (n >= TDXTOP_LINE_SIZE)
		n = TDXTOP_LINE_SIZE - 1;
	while (n && buf[n - 1] == ' ')	/* the VM cell's padding */
		buf[--n] = '\0';
	return n;
}

/* Text: the interval's outliers, oldest first, under their own header */
static void print_outliers(FILE *f, const struct tdxtop_snap *s)
{
	char line[TDXTOP_LINE_SIZE];
	size_t i;

	fprintf(f, "outliers (%s): %zu  capped %llu  lost %llu\n", s->outlier_spec,
		s->nr_outliers,
		(unsigned long long)s->outlier_counts[TDXTOP_OUTLIER_CAPPED],
		(unsigned long long)s->outlier_counts[TDXTOP_OUTLIER_LOST]);
	if (!s->nr_outliers)
		return;
	fprintf(f, "%s\n", tdxtop_outliers_header());
	for (i = 0; i < s->nr_outliers; i++) {
		tdxtop_format_outlier(line, s, &s->outliers[i]);
		fprintf(f, "%s\n", line);
	}
}

static void outliers_json(struct tdxtop_jw *w, const struct tdxtop_snap *s)
{
	static const char *const keys[TDXTOP_NR_METRICS] = {
		[TDXTOP_M_GUEST] = "guest_ns", [TDXTOP_M_HOST] = "host_ns",
		[TDXTOP_M_RESTORE] = "restore_ns",
	};
	char buf[64];
	size_t i;
	int m;

	tdxtop_jw_key(w, "outlier_capture");
	tdxtop_jw_obj(w);
	tdxtop_jw_key(w, "spec");
	tdxtop_jw_str(w, s->outlier_spec);
	tdxtop_jw_kv_u64(w, "sent", s->outlier_counts[TDXTOP_OUTLIER_SENT]);
	tdxtop_jw_kv_u64(w, "capped", s->outlier_counts[TDXTOP_OUTLIER_CAPPED]);
	tdxtop_jw_kv_u64(w, "lost", s->outlier_counts[TDXTOP_OUTLIER_LOST]);
	tdxtop_jw_end_obj(w);
	tdxtop_jw_key(w, "outliers");
	tdxtop_jw_arr(w);
	for (i = 0; i < s->nr_outliers; i++) {
		const struct tdxtop_outlier *o = &s->outliers[i].o;
		struct tdxtop_key k = outlier_key(o);

		tdxtop_jw_obj(w);
		wall_time_us(buf, sizeof(buf), s->outliers[i].real_ns, true);
		tdxtop_jw_key(w, "time");
		tdxtop_jw_str(w, buf);
		tdxtop_jw_kv_u64(w, "real_ns", s->outliers[i].real_ns);
		tdxtop_jw_kv_u64(w, "tsc", o->tsc);
		tdxtop_jw_kv_u64(w, "pid", o->tgid);
		tdxtop_jw_key(w, "vm");
		tdxtop_jw_str(w, tdxtop_snap_vm_name(s, o->tgid));
		tdxtop_jw_key(w, "vcpu");
		if (o->vcpu == TDXTOP_VCPU_NONE)
			tdxtop_jw_null(w);
		else
			tdxtop_jw_u64(w, o->vcpu);
		tdxtop_jw_key(w, "label");
		tdxtop_jw_str(w, tdxtop_row_label(&k, buf, sizeof(buf)));
		str_or_null(w, "reason", tdxtop_exit_reason_name(o->reason));
		tdxtop_jw_key(w, "reason_code");
		tdxtop_jw_s64(w, (__s32)o->reason);
		str_or_null(w, "status", tdxtop_status_name(k.status));
		tdxtop_jw_kv_u64(w, "status_raw", o->status);
		tdxtop_jw_kv_u64(w, "leaf_code", o->leaf);
		tdxtop_jw_kv_u64(w, "exit_qual", o->exit_qual);
		for (m = 0; m < TDXTOP_NR_METRICS; m++) {
			tdxtop_jw_key(w, keys[m]);
			if (o->ns[m] == TDXTOP_NO_NS)
				tdxtop_jw_null(w);
			else
				tdxtop_jw_u64(w, o->ns[m]);
		}
		tdxtop_jw_key(w, "over");
		tdxtop_jw_arr(w);
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			if (o->over & (1u << m))
				tdxtop_jw_str(w, tdxtop_metric_name(m));
		tdxtop_jw_end_arr(w);
		tdxtop_jw_end_obj(w);
	}
	tdxtop_jw_end_arr(w);
}

const char *tdxtop_format_self(char *buf, size_t len,
			       const struct tdxtop_selfcost *c, bool timed)
{
	if (timed && c->bpf_timed)
		snprintf(buf, len, "bpf %.0f ns/event %.2f%% CPU  user %.2f%% CPU",
			 c->ns_per_event, c->bpf_cpu_pct, c->user_cpu_pct);
	else if (timed)
		snprintf(buf, len, "bpf ? ns/event (kernel clock too coarse)  user %.2f%% CPU",
			 c->user_cpu_pct);
	else
		snprintf(buf, len, "bpf ? ns/event (run time not accounted)  user %.2f%% CPU",
			 c->user_cpu_pct);
	return buf;
}

/* Per program: events/s and ns per event, one line each */
static void print_progs(FILE *f, const struct tdxtop_snap *s)
{
	int i;

	for (i = 0; i < s->nr_progs; i++) {
		struct tdxtop_selfcost c;

		tdxtop_selfcost(s, i, &c);
		fprintf(f, "  bpf %-24s %12.0f events/s  ", s->progs[i].name,
			c.events_per_s);
		if (s->timed && c.bpf_timed)
			fprintf(f, "%8.1f ns/event  %.3f%% CPU\n", c.ns_per_event,
				c.bpf_cpu_pct);
		else
			fprintf(f, "       ? ns/event\n");
	}
}

int tdxtop_print_text(FILE *f, const struct tdxtop_snap *s,
		      const struct tdxtop_out_opts *o, struct tdxtop_view *v)
{
	char line[TDXTOP_LINE_SIZE], ts[64];
	double secs = tdxtop_snap_seconds(s);
	size_t i, shown = 0;
	int err, d;

	err = tdxtop_view_build(v, s, o->by, o->sort);
	if (err)
		return err;
	wall_time(ts, sizeof(ts), s->end_real_ns, false);
	fprintf(f, "%s%sevents %llu (%.0f/s)  drops %llu",
		o->timestamp ? ts : "", o->timestamp ? "  " : "",
		(unsigned long long)v->events, secs > 0 ? v->events / secs : 0.0,
		(unsigned long long)tdxtop_snap_losses(s));
	for (d = 0; d < TDXTOP_NR_LOSSES; d++)
		if (s->losses[d])
			fprintf(f, " %s=%llu", tdxtop_loss_name(d),
				(unsigned long long)s->losses[d]);
	for (d = 0; d < TDXTOP_NR_NOTES; d++)
		if (s->notes[d])
			fprintf(f, " %s=%llu", tdxtop_note_name(d),
				(unsigned long long)s->notes[d]);
	if (s->timed) {
		struct tdxtop_selfcost c;
		char self[96];

		tdxtop_selfcost(s, -1, &c);
		fprintf(f, "  %s", tdxtop_format_self(self, sizeof(self), &c, s->timed));
	}
	fputc('\n', f);
	if (tdxtop_source_note(s->source))
		fprintf(f, "%s\n", tdxtop_source_note(s->source));
	if (o->verbose)
		print_progs(f, s);
	fprintf(f, "%s\n", tdxtop_cols_header(s->source));
	for (i = 0; i < v->nr; i++) {
		size_t n;

		if (o->top && shown >= (size_t)o->top)
			break;
		n = tdxtop_format_line(line, s, &v->g[i], o->by);
		line[n] = '\n';
		fwrite(line, 1, n + 1, f);
		shown++;
	}
	if (v->nr > shown)
		fprintf(f, "(%zu more rows)\n", v->nr - shown);
	if (s->outlier_spec)
		print_outliers(f, s);
	fputc('\n', f);
	return fflush(f) ? -errno : 0;
}

static void metric_json(struct tdxtop_jw *w, const char *key, size_t keylen,
			const struct tdxtop_group *g, int m, bool buckets)
{
	const struct tdxtop_stats *s = &g->st;
	size_t q;
	int b;

	tdxtop_jw_key_n(w, key, keylen);
	tdxtop_jw_obj(w);
	tdxtop_jw_kv_u64(w, "n", s->n[m]);
	tdxtop_jw_kv_u64(w, "sum", s->sum[m]);
	tdxtop_jw_kv_u64(w, "min", s->n[m] ? s->min[m] : 0);
	tdxtop_jw_kv_u64(w, "max", s->max[m]);
	if (g->h)
		for (q = 0; q < NR_Q; q++) {
			tdxtop_jw_key_n(w, quantile_names[q], strlen(quantile_names[q]));
			tdxtop_jw_u64(w, tdxtop_hist_quantile(g->h->bucket[m], s->n[m],
							      quantiles[q], s->min[m],
							      s->max[m]));
		}
	if (g->h && buckets) {
		/* the non-empty buckets: [lo, hi) ns and the count; the last is open */
		tdxtop_jw_key(w, "buckets");
		tdxtop_jw_arr(w);
		for (b = 0; b < TDXTOP_HIST_BUCKETS; b++) {
			__u64 hi = tdxtop_bucket_hi(b);

			if (!g->h->bucket[m][b])
				continue;
			tdxtop_jw_arr(w);
			tdxtop_jw_u64(w, tdxtop_bucket_lo(b));
			if (hi == ~0ULL)
				tdxtop_jw_null(w);
			else
				tdxtop_jw_u64(w, hi);
			tdxtop_jw_u64(w, g->h->bucket[m][b]);
			tdxtop_jw_end_arr(w);
		}
		tdxtop_jw_end_arr(w);
	}
	tdxtop_jw_end_obj(w);
}

static void str_or_null(struct tdxtop_jw *w, const char *key, const char *s)
{
	tdxtop_jw_key(w, key);
	if (s)
		tdxtop_jw_str(w, s);
	else
		tdxtop_jw_null(w);
}

/* A row's key by reason: its label, and what its source can tell of it */
static void reason_json(struct tdxtop_jw *w, const struct tdxtop_key *k)
{
	char label[64];

	tdxtop_jw_key(w, "label");
	tdxtop_jw_str(w, tdxtop_row_label(k, label, sizeof(label)));
	if (tdxtop_kind_is_td_exit(k->kind)) {
		str_or_null(w, "reason", tdxtop_exit_reason_name(k->reason));
		tdxtop_jw_key(w, "reason_code");
		tdxtop_jw_s64(w, (__s32)k->reason);
		str_or_null(w, "status", tdxtop_status_name(k->status));
		tdxtop_jw_kv_u64(w, "status_code", k->status);
		str_or_null(w, "leaf", k->leaf ? tdxtop_leaf_name(k->leaf) : NULL);
		tdxtop_jw_kv_u64(w, "leaf_code", k->leaf);
	} else if (k->kind == TDXTOP_KIND_KVM_EXIT) {
		/* what kvm_exit cannot tell: null, never made up */
		str_or_null(w, "reason", tdxtop_key_reason_name(k));
		tdxtop_jw_key(w, "reason_code");
		tdxtop_jw_s64(w, (__s32)k->reason);
		str_or_null(w, "isa", tdxtop_isa_name(k->status));
		str_or_null(w, "status", NULL);
		str_or_null(w, "status_code", NULL);
		str_or_null(w, "leaf", NULL);
		str_or_null(w, "leaf_code", NULL);
	} else if (k->kind == TDXTOP_KIND_URET) {
		tdxtop_jw_kv_u64(w, "msrs", k->leaf);
	}
}

/* An exit row's times and restored state (null where its source has none) */
static void exit_metrics_json(struct tdxtop_jw *w, const struct tdxtop_group *g, bool buckets)
{
	static const char *const keys[TDXTOP_NR_METRICS] = {
		[TDXTOP_M_GUEST] = "guest_ns", [TDXTOP_M_HOST] = "host_ns",
		[TDXTOP_M_RESTORE] = "restore_ns",
	};
	bool unseen = !tdxtop_kind_restore_seen(g->key.kind);
	int m, b;

	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (m == TDXTOP_M_RESTORE && unseen)
			str_or_null(w, keys[m], NULL);
		else
			metric_json(w, keys[m], strlen(keys[m]), g, m, buckets);
	}
	if (unseen) {
		str_or_null(w, "restored", NULL);
		return;
	}
	tdxtop_jw_key(w, "restored");
	tdxtop_jw_obj(w);
	for (b = 0; b < TDXTOP_NR_RESTORED; b++)
		tdxtop_jw_kv_u64_n(w, tdxtop_restored_name(b), strlen(tdxtop_restored_name(b)),
				   g->st.restored[b]);
	tdxtop_jw_end_obj(w);
}

static void row_json(struct tdxtop_jw *w, const struct tdxtop_snap *s,
		     const struct tdxtop_group *g, enum tdxtop_group_by by, bool buckets)
{
	const struct tdxtop_key *k = &g->key;

	tdxtop_jw_obj(w);
	tdxtop_jw_kv_u64(w, "pid", k->tgid);
	tdxtop_jw_key(w, "vm");
	tdxtop_jw_str(w, tdxtop_snap_vm_name(s, k->tgid));
	tdxtop_jw_key(w, "kind");
	tdxtop_jw_str(w, tdxtop_kind_name(k->kind));
	str_or_null(w, "type", tdxtop_row_type(k->kind, s->source));
	if (by == TDXTOP_BY_VCPU || by == TDXTOP_BY_ALL) {
		tdxtop_jw_key(w, "vcpu");
		if (k->vcpu == TDXTOP_VCPU_NONE)
			tdxtop_jw_null(w);
		else
			tdxtop_jw_u64(w, k->vcpu);
	}
	if (by == TDXTOP_BY_REASON || by == TDXTOP_BY_ALL)
		reason_json(w, k);
	tdxtop_jw_kv_u64(w, "count", g->st.count);
	if (tdxtop_kind_is_exit(k->kind))
		exit_metrics_json(w, g, buckets);
	else if (k->kind != TDXTOP_KIND_DEFERRED)
		metric_json(w, "cost_ns", 7, g, TDXTOP_M_RESTORE, buckets);
	tdxtop_jw_end_obj(w);
}

static void header_json(struct tdxtop_jw *w, const struct tdxtop_snap *s,
			const struct tdxtop_out_opts *o, __u64 events)
{
	char ts[64];
	const char *const *na;
	int d;

	wall_time(ts, sizeof(ts), s->end_real_ns, true);
	tdxtop_jw_key(w, "time");
	tdxtop_jw_str(w, ts);
	tdxtop_jw_key(w, "interval_s");
	tdxtop_jw_double(w, tdxtop_snap_seconds(s));
	tdxtop_jw_key(w, "source");
	tdxtop_jw_str(w, s->source ? s->source : "tdx");
	/* what the source cannot show: null in every row */
	tdxtop_jw_key(w, "unavailable");
	tdxtop_jw_arr(w);
	for (na = tdxtop_source_unavailable(s->source); *na; na++)
		tdxtop_jw_str(w, *na);
	tdxtop_jw_end_arr(w);
	tdxtop_jw_key(w, "group_by");
	tdxtop_jw_str(w, tdxtop_group_name(o->by));
	tdxtop_jw_kv_u64(w, "events", events);

	tdxtop_jw_key(w, "tsc");
	tdxtop_jw_obj(w);
	tdxtop_jw_kv_u64(w, "mult", s->tsc.mult);
	tdxtop_jw_kv_u64(w, "shift", s->tsc.shift);
	str_or_null(w, "source", s->tsc.source);
	tdxtop_jw_end_obj(w);

	/* losses; then the notes, which are not losses */
	tdxtop_jw_key(w, "drops");
	tdxtop_jw_obj(w);
	for (d = 0; d < TDXTOP_NR_LOSSES; d++) {
		tdxtop_jw_key(w, tdxtop_loss_name(d));
		tdxtop_jw_u64(w, s->losses[d]);
	}
	tdxtop_jw_end_obj(w);
	for (d = 0; d < TDXTOP_NR_NOTES; d++) {
		tdxtop_jw_key(w, tdxtop_note_name(d));
		tdxtop_jw_u64(w, s->notes[d]);
	}

	if (s->timed) {
		struct tdxtop_selfcost c;

		tdxtop_selfcost(s, -1, &c);
		tdxtop_jw_key(w, "self");
		tdxtop_jw_obj(w);
		tdxtop_jw_key(w, "events_per_s");
		tdxtop_jw_double(w, c.events_per_s);
		/* null: the kernel did not time the runs (see tdxtop_selfcost) */
		tdxtop_jw_key(w, "bpf_ns_per_event");
		if (c.bpf_timed)
			tdxtop_jw_double(w, c.ns_per_event);
		else
			tdxtop_jw_null(w);
		tdxtop_jw_key(w, "bpf_cpu_pct");
		if (c.bpf_timed)
			tdxtop_jw_double(w, c.bpf_cpu_pct);
		else
			tdxtop_jw_null(w);
		tdxtop_jw_key(w, "user_cpu_pct");
		tdxtop_jw_double(w, c.user_cpu_pct);
		tdxtop_jw_end_obj(w);
	}
}

int tdxtop_print_json(FILE *f, const struct tdxtop_snap *s,
		      const struct tdxtop_out_opts *o, struct tdxtop_view *v)
{
	static struct tdxtop_jw w;	/* 16 KiB: not on the stack */
	size_t i;
	int err;

	err = tdxtop_view_build(v, s, o->by, o->sort);
	if (err)
		return err;
	tdxtop_jw_init(&w, f, o->pretty);
	tdxtop_jw_obj(&w);
	header_json(&w, s, o, v->events);
	tdxtop_jw_key(&w, "rows");
	tdxtop_jw_arr(&w);
	for (i = 0; i < v->nr; i++) {
		if (o->top && i >= (size_t)o->top)
			break;
		row_json(&w, s, &v->g[i], o->by, o->buckets);
	}
	tdxtop_jw_end_arr(&w);
	if (s->outlier_spec)
		outliers_json(&w, s);
	tdxtop_jw_end_obj(&w);
	err = tdxtop_jw_done(&w);
	if (!err && fflush(f))
		err = -errno;
	return err;
}

void tdxtop_json_error(FILE *f, const char *msg)
{
	static struct tdxtop_jw w;

	tdxtop_jw_init(&w, f, false);
	tdxtop_jw_obj(&w);
	tdxtop_jw_key(&w, "error");
	tdxtop_jw_str(&w, msg);
	tdxtop_jw_end_obj(&w);
	tdxtop_jw_done(&w);
	fflush(f);
}
