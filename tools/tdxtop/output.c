// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Batch output: plain text, and JSON lines (one object per interval, schema
 * in docs/json.md) written through json-c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "tdxtop.h"

static const double quantiles[] = { 0.50, 0.90, 0.99, 0.999 };
static const char *const quantile_names[] = { "p50", "p90", "p99", "p999" };
#define NR_Q (sizeof(quantiles) / sizeof(quantiles[0]))

static void wall_time(char *buf, size_t len, bool iso)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (iso)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	else
		strftime(buf, len, "%H:%M:%S", &tm);
}

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 10000)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 10e9)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.1fs", ns / 1e9);
}

static __u64 total_drops(const struct tdxtop_snap *s)
{
	__u64 n = 0;
	int d;

	for (d = 0; d < TDXTOP_NR_DROPS; d++)
		if (d != TDXTOP_FILTERED && d != TDXTOP_DROP_HOST_SKEW)
			n += s->drops[d];
	return n;
}

static void who(const struct tdxtop_key *k, enum tdxtop_group_by by,
		char *buf, size_t len)
{
	if (by == TDXTOP_BY_VCPU || by == TDXTOP_BY_ALL) {
		if (k->vcpu == TDXTOP_VCPU_NONE)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%u", k->vcpu);
	} else {
		snprintf(buf, len, "*");
	}
}

int tdxtop_print_text(FILE *f, const struct tdxtop_interval *iv,
		      const struct tdxtop_out_opts *o)
{
	struct tdxtop_view v = {};
	char ts[64], label[64], vc[16], a[16], b[16], c[16], d[16], e[16];
	size_t i, shown = 0;
	int err, dr;

	err = tdxtop_view_build(&v, iv->delta, o->by, o->sort);
	if (err)
		return err;
	wall_time(ts, sizeof(ts), false);
	fprintf(f, "%s%sevents %llu (%.0f/s)  drops %llu",
		o->timestamp ? ts : "", o->timestamp ? "  " : "",
		(unsigned long long)v.events,
		iv->interval_s > 0 ? v.events / iv->interval_s : 0.0,
		(unsigned long long)total_drops(iv->delta));
	for (dr = 0; dr < TDXTOP_NR_DROPS; dr++)
		if (iv->delta->drops[dr])
			fprintf(f, " %s=%llu", tdxtop_drop_name(dr),
				(unsigned long long)iv->delta->drops[dr]);
	if (iv->self)
		fprintf(f, "  bpf %.0f ns/event %.2f%% CPU  user %.2f%% CPU",
			iv->self->ns_per_event, iv->self->bpf_cpu_pct,
			iv->self->user_cpu_pct);
	fprintf(f, "\n%-16s %7s %4s %-28s %-12s %9s %9s %9s %9s %9s %9s\n",
		"VM", "PID", "VCPU", "REASON", "STATUS", "COUNT", "GUEST/avg",
		"GUEST/p99", "HOST/avg", "RESTORE", "MAX");
	for (i = 0; i < v.nr; i++) {
		const struct tdxtop_group *g = &v.g[i];
		const struct tdxtop_stats *s = &g->st;
		const char *st = tdxtop_status_name(g->key.status);
		__u64 p99 = 0;

		if (o->top && shown >= (size_t)o->top)
			break;
		if (g->h)
			p99 = tdxtop_hist_quantile(g->h->bucket[TDXTOP_M_GUEST],
						   s->n[TDXTOP_M_GUEST], 0.99,
						   s->min[TDXTOP_M_GUEST],
						   s->max[TDXTOP_M_GUEST]);
		if (o->by == TDXTOP_BY_VM || o->by == TDXTOP_BY_VCPU)
			snprintf(label, sizeof(label), "%s", tdxtop_kind_name(g->key.kind));
		else
			tdxtop_row_label(&g->key, label, sizeof(label));
		who(&g->key, o->by, vc, sizeof(vc));
		fmt_ns(a, sizeof(a), s->n[0] ? (double)s->sum[0] / s->n[0] : 0);
		if (g->h)
			fmt_ns(b, sizeof(b), p99);
		else
			snprintf(b, sizeof(b), "-");
		fmt_ns(c, sizeof(c), s->n[1] ? (double)s->sum[1] / s->n[1] : 0);
		fmt_ns(d, sizeof(d), s->n[2] ? (double)s->sum[2] / s->n[2] : 0);
		fmt_ns(e, sizeof(e), s->max[0]);
		fprintf(f, "%-16.16s %7u %4s %-28.28s %-12.12s %9llu %9s %9s %9s %9s %9s\n",
			tdxtop_vm_name(g->key.tgid), g->key.tgid, vc, label,
			o->by == TDXTOP_BY_VM || o->by == TDXTOP_BY_VCPU ? "*" :
			st ? st : "?", (unsigned long long)s->count, a, b, c, d, e);
		shown++;
	}
	if (v.nr > shown)
		fprintf(f, "(%zu more rows)\n", v.nr - shown);
	fprintf(f, "\n");
	fflush(f);
	tdxtop_view_free(&v);
	return 0;
}

static struct json_object *metric_json(const struct tdxtop_group *g, int m)
{
	const struct tdxtop_stats *s = &g->st;
	struct json_object *o = json_object_new_object();
	size_t q;

	json_object_object_add(o, "n", json_object_new_uint64(s->n[m]));
	json_object_object_add(o, "sum", json_object_new_uint64(s->sum[m]));
	json_object_object_add(o, "min", json_object_new_uint64(s->n[m] ? s->min[m] : 0));
	json_object_object_add(o, "max", json_object_new_uint64(s->max[m]));
	if (g->h) {
		for (q = 0; q < NR_Q; q++)
			json_object_object_add(o, quantile_names[q],
				json_object_new_uint64(
					tdxtop_hist_quantile(g->h->bucket[m], s->n[m],
							     quantiles[q], s->min[m],
							     s->max[m])));
	}
	return o;
}

static struct json_object *row_json(const struct tdxtop_group *g,
				    enum tdxtop_group_by by)
{
	struct json_object *r = json_object_new_object();
	char label[64];
	const char *name;
	int m, b;

	json_object_object_add(r, "pid", json_object_new_int64(g->key.tgid));
	json_object_object_add(r, "vm", json_object_new_string(tdxtop_vm_name(g->key.tgid)));
	json_object_object_add(r, "kind", json_object_new_string(tdxtop_kind_name(g->key.kind)));
	if (by == TDXTOP_BY_VCPU || by == TDXTOP_BY_ALL)
		json_object_object_add(r, "vcpu", g->key.vcpu == TDXTOP_VCPU_NONE ?
				       NULL : json_object_new_int64(g->key.vcpu));
	if (by == TDXTOP_BY_REASON || by == TDXTOP_BY_ALL) {
		json_object_object_add(r, "label",
			json_object_new_string(tdxtop_row_label(&g->key, label, sizeof(label))));
		if (g->key.kind == TDXTOP_KIND_EXIT) {
			name = tdxtop_exit_reason_name(g->key.reason);
			json_object_object_add(r, "reason", name ?
					       json_object_new_string(name) : NULL);
			json_object_object_add(r, "reason_code",
					       json_object_new_int64((__s32)g->key.reason));
			name = tdxtop_status_name(g->key.status);
			json_object_object_add(r, "status", name ?
					       json_object_new_string(name) : NULL);
			json_object_object_add(r, "status_code",
					       json_object_new_int64(g->key.status));
			name = g->key.leaf ? tdxtop_leaf_name(g->key.leaf) : NULL;
			json_object_object_add(r, "leaf", name ?
					       json_object_new_string(name) : NULL);
			json_object_object_add(r, "leaf_code", json_object_new_uint64(g->key.leaf));
		} else if (g->key.kind == TDXTOP_KIND_URET) {
			json_object_object_add(r, "msrs", json_object_new_uint64(g->key.leaf));
		}
	}
	json_object_object_add(r, "count", json_object_new_uint64(g->st.count));
	if (g->key.kind == TDXTOP_KIND_EXIT) {
		struct json_object *rs = json_object_new_object();

		for (m = 0; m < TDXTOP_NR_METRICS; m++) {
			char k[24];

			snprintf(k, sizeof(k), "%s_ns", tdxtop_metric_name(m));
			json_object_object_add(r, k, metric_json(g, m));
		}
		for (b = 0; b < TDXTOP_NR_RESTORED; b++)
			json_object_object_add(rs, tdxtop_restored_name(b),
					       json_object_new_uint64(g->st.restored[b]));
		json_object_object_add(r, "restored", rs);
	} else if (g->key.kind != TDXTOP_KIND_DEFERRED) {
		json_object_object_add(r, "cost_ns", metric_json(g, TDXTOP_M_RESTORE));
	}
	return r;
}

int tdxtop_print_json(FILE *f, const struct tdxtop_interval *iv,
		      const struct tdxtop_out_opts *o)
{
	struct json_object *root, *rows, *drops, *tsc, *self;
	struct tdxtop_view v = {};
	char ts[64];
	size_t i;
	int err, d;

	err = tdxtop_view_build(&v, iv->delta, o->by, o->sort);
	if (err)
		return err;
	root = json_object_new_object();
	wall_time(ts, sizeof(ts), true);
	json_object_object_add(root, "time", json_object_new_string(ts));
	json_object_object_add(root, "interval_s", json_object_new_double(iv->interval_s));
	json_object_object_add(root, "source", json_object_new_string(iv->source ? iv->source : "tdx"));
	json_object_object_add(root, "group_by", json_object_new_string(tdxtop_group_name(o->by)));
	json_object_object_add(root, "events", json_object_new_uint64(v.events));

	tsc = json_object_new_object();
	json_object_object_add(tsc, "mult", json_object_new_int64(iv->tsc->mult));
	json_object_object_add(tsc, "shift", json_object_new_int64(iv->tsc->shift));
	json_object_object_add(tsc, "source", json_object_new_string(iv->tsc->source));
	json_object_object_add(root, "tsc", tsc);

	/* losses; then what is not a loss: filtered out, host time not derivable */
	drops = json_object_new_object();
	for (d = 0; d < TDXTOP_NR_DROPS; d++)
		if (d != TDXTOP_FILTERED && d != TDXTOP_DROP_HOST_SKEW)
			json_object_object_add(drops, tdxtop_drop_name(d),
					       json_object_new_uint64(iv->delta->drops[d]));
	json_object_object_add(root, "drops", drops);
	json_object_object_add(root, "filtered",
			       json_object_new_uint64(iv->delta->drops[TDXTOP_FILTERED]));
	json_object_object_add(root, "host_skew",
			       json_object_new_uint64(iv->delta->drops[TDXTOP_DROP_HOST_SKEW]));

	if (iv->self) {
		self = json_object_new_object();
		json_object_object_add(self, "events_per_s",
				       json_object_new_double(iv->self->events_per_s));
		json_object_object_add(self, "bpf_ns_per_event",
				       json_object_new_double(iv->self->ns_per_event));
		json_object_object_add(self, "bpf_cpu_pct",
				       json_object_new_double(iv->self->bpf_cpu_pct));
		json_object_object_add(self, "user_cpu_pct",
				       json_object_new_double(iv->self->user_cpu_pct));
		json_object_object_add(root, "self", self);
	}

	rows = json_object_new_array();
	for (i = 0; i < v.nr; i++) {
		if (o->top && i >= (size_t)o->top)
			break;
		json_object_array_add(rows, row_json(&v.g[i], o->by));
	}
	json_object_object_add(root, "rows", rows);
	fprintf(f, "%s\n", json_object_to_json_string_ext(root,
		o->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE :
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f);
	json_object_put(root);
	tdxtop_view_free(&v);
	return 0;
}

void tdxtop_json_error(FILE *f, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f);
	json_object_put(o);
}
