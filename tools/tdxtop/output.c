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

void tdxtop_fmt_ns(char *buf, size_t len, double ns)
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

const char *tdxtop_cols_header(void)
{
	static char h[160];

	if (!h[0])
		snprintf(h, sizeof(h), TDXTOP_COLS_FMT, "VM", "PID", "VCPU", "REASON",
			 "STATUS", "COUNT", "GUEST/avg", "GUEST/p99", "HOST/avg",
			 "RESTORE", "MAX");
	return h;
}

static void avg(char *buf, size_t len, const struct tdxtop_stats *s, int m)
{
	if (s->n[m])
		tdxtop_fmt_ns(buf, len, (double)s->sum[m] / s->n[m]);
	else
		snprintf(buf, len, "-");
}

void tdxtop_format_cols(const struct tdxtop_group *g, enum tdxtop_group_by by,
			struct tdxtop_cols *c)
{
	const struct tdxtop_stats *s = &g->st;
	const char *st = tdxtop_status_name(g->key.status);
	bool per_vcpu = by == TDXTOP_BY_VCPU || by == TDXTOP_BY_ALL;
	bool per_reason = by == TDXTOP_BY_REASON || by == TDXTOP_BY_ALL;

	snprintf(c->vm, sizeof(c->vm), "%s", tdxtop_vm_name(g->key.tgid));
	snprintf(c->pid, sizeof(c->pid), "%u", g->key.tgid);
	if (!per_vcpu)
		snprintf(c->vcpu, sizeof(c->vcpu), "*");
	else if (g->key.vcpu == TDXTOP_VCPU_NONE)
		snprintf(c->vcpu, sizeof(c->vcpu), "-");
	else
		snprintf(c->vcpu, sizeof(c->vcpu), "%u", g->key.vcpu);
	if (per_reason)
		tdxtop_row_label(&g->key, c->label, sizeof(c->label));
	else
		snprintf(c->label, sizeof(c->label), "%s", tdxtop_kind_name(g->key.kind));
	if (!per_reason || g->key.kind != TDXTOP_KIND_EXIT)
		snprintf(c->status, sizeof(c->status), "-");
	else if (st)
		snprintf(c->status, sizeof(c->status), "%s", st);
	else
		snprintf(c->status, sizeof(c->status), "0x%08x", g->key.status);
	snprintf(c->count, sizeof(c->count), "%llu", (unsigned long long)s->count);
	avg(c->guest_avg, sizeof(c->guest_avg), s, TDXTOP_M_GUEST);
	if (g->h && s->n[TDXTOP_M_GUEST])
		tdxtop_fmt_ns(c->guest_p99, sizeof(c->guest_p99),
			      tdxtop_hist_quantile(g->h->bucket[TDXTOP_M_GUEST],
						   s->n[TDXTOP_M_GUEST], 0.99,
						   s->min[TDXTOP_M_GUEST],
						   s->max[TDXTOP_M_GUEST]));
	else
		snprintf(c->guest_p99, sizeof(c->guest_p99), "-");
	avg(c->host_avg, sizeof(c->host_avg), s, TDXTOP_M_HOST);
	avg(c->restore_avg, sizeof(c->restore_avg), s, TDXTOP_M_RESTORE);
	if (s->n[TDXTOP_M_GUEST])
		tdxtop_fmt_ns(c->max, sizeof(c->max), s->max[TDXTOP_M_GUEST]);
	else if (s->n[TDXTOP_M_RESTORE])
		tdxtop_fmt_ns(c->max, sizeof(c->max), s->max[TDXTOP_M_RESTORE]);
	else
		snprintf(c->max, sizeof(c->max), "-");
}

const char *tdxtop_format_self(char *buf, size_t len,
			       const struct tdxtop_selfcost *c)
{
	if (c->bpf_timed)
		snprintf(buf, len, "bpf %.0f ns/event %.2f%% CPU  user %.2f%% CPU",
			 c->ns_per_event, c->bpf_cpu_pct, c->user_cpu_pct);
	else
		snprintf(buf, len, "bpf ? ns/event (kernel clock too coarse)  user %.2f%% CPU",
			 c->user_cpu_pct);
	return buf;
}

int tdxtop_print_text(FILE *f, const struct tdxtop_interval *iv,
		      const struct tdxtop_out_opts *o)
{
	struct tdxtop_view v = {};
	struct tdxtop_cols c;
	char ts[64];
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
		(unsigned long long)tdxtop_snap_losses(iv->delta));
	for (dr = 0; dr < TDXTOP_NR_DROPS; dr++)
		if (iv->delta->drops[dr])
			fprintf(f, " %s=%llu", tdxtop_drop_name(dr),
				(unsigned long long)iv->delta->drops[dr]);
	if (iv->self) {
		char self[96];

		fprintf(f, "  %s", tdxtop_format_self(self, sizeof(self), iv->self));
	}
	fprintf(f, "\n%s\n", tdxtop_cols_header());
	for (i = 0; i < v.nr; i++) {
		if (o->top && shown >= (size_t)o->top)
			break;
		tdxtop_format_cols(&v.g[i], o->by, &c);
		fprintf(f, TDXTOP_COLS_FMT "\n", c.vm, c.pid, c.vcpu, c.label, c.status,
			c.count, c.guest_avg, c.guest_p99, c.host_avg, c.restore_avg, c.max);
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
		if (tdxtop_drop_is_loss(d))
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
		/* null: the kernel did not time the runs (see tdxtop_selfcost) */
		json_object_object_add(self, "bpf_ns_per_event", iv->self->bpf_timed ?
				       json_object_new_double(iv->self->ns_per_event) : NULL);
		json_object_object_add(self, "bpf_cpu_pct", iv->self->bpf_timed ?
				       json_object_new_double(iv->self->bpf_cpu_pct) : NULL);
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
