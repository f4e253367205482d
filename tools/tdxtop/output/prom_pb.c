// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop serve's protobuf exposition: the families prom.c describes as
 * delimited io.prometheus.client.MetricFamily messages (metrics.proto,
 * encoded by libprotobuf-c), histograms as native ones (schema 4, one
 * series each).  A family's series are gathered into pools as offsets,
 * then the messages are built over the pools and packed when it ends.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "output/prom.h"
#include "metrics.pb-c.h"

typedef Io__Prometheus__Client__MetricFamily pb_family;
typedef Io__Prometheus__Client__Metric pb_metric;
typedef Io__Prometheus__Client__LabelPair pb_label;
typedef Io__Prometheus__Client__Counter pb_counter;
typedef Io__Prometheus__Client__Gauge pb_gauge;
typedef Io__Prometheus__Client__Histogram pb_hist;
typedef Io__Prometheus__Client__BucketSpan pb_span;

/* A series of the family being gathered: offsets into the pools */
struct series {
	size_t label, nr_labels;	/* in labels */
	size_t span, nr_spans;		/* in spans (histograms) */
	size_t delta, nr_deltas;	/* in deltas (histograms) */
	double v;			/* counter, gauge; the sum of a histogram */
	__u64 count, zero;		/* histograms */
};

struct prom_pb {
	struct prom_writer w;
	struct tdxtop_buf *b;
	/* the family being gathered */
	char name[80];
	const char *help;
	enum prom_type t;
	bool open;
	struct tdxtop_buf text;			/* label names and values, NUL ended */
	size_t (*labels)[2];			/* offsets of name and value in text */
	size_t nr_labels, cap_labels;
	struct series *series;
	size_t nr_series, cap_series;
	struct { __s32 offset; __u32 length; } *spans;
	size_t nr_spans, cap_spans;
	int64_t *deltas;
	size_t nr_deltas, cap_deltas;
	/* the messages built over them, kept between families */
	pb_metric *m;
	pb_metric **mp;
	size_t cap_m, cap_mp;
	pb_label *l;
	pb_label **lp;
	size_t cap_l, cap_lp;
	pb_counter *c;
	pb_gauge *g;
	pb_hist *h;
	size_t cap_c, cap_g, cap_h;
	pb_span *s;
	pb_span **sp;
	size_t cap_s, cap_sp;
};

/* Copies s[0, n) into the text pool, unescaped as the text format escapes */
static int text_add(struct prom_pb *pb, const char *s, size_t n, size_t *off)
{
	struct tdxtop_buf *t = &pb->text;
	size_t i;

	if (tdxtop_buf_room(t, n + 1))
		return -ENOMEM;
	*off = t->len;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c == 'n')
				c = '\n';
		}
		t->p[t->len++] = c;
	}
	t->p[t->len++] = '\0';
	return 0;
}

/* name="value",... (as prom.c writes them) into the label pool */
static int parse_labels(struct prom_pb *pb, const char *s)
{
	while (s && *s) {
		const char *eq = strchr(s, '='), *v, *e;
		size_t *l;

		if (!eq || eq[1] != '"')
			return -EINVAL;
		v = eq + 2;
		for (e = v; *e && *e != '"'; e++)
			if (*e == '\\' && e[1])
				e++;
		if (*e != '"')
			return -EINVAL;
		if (TDXTOP_GROW(pb->labels, pb->cap_labels, pb->nr_labels + 1))
			return -ENOMEM;
		l = pb->labels[pb->nr_labels++];
		if (text_add(pb, s, eq - s, &l[0]) || text_add(pb, v, e - v, &l[1]))
			return -ENOMEM;
		s = e + 1;
		if (*s == ',')
			s++;
	}
	return 0;
}

static struct series *series_new(struct prom_pb *pb, const char *labels, const char *extra)
{
	struct series *se;

	if (TDXTOP_GROW(pb->series, pb->cap_series, pb->nr_series + 1))
		return NULL;
	se = memset(&pb->series[pb->nr_series], 0, sizeof(*se));
	se->label = pb->nr_labels;
	if (parse_labels(pb, labels) || parse_labels(pb, extra))
		return NULL;
	se->nr_labels = pb->nr_labels - se->label;
	pb->nr_series++;
	return se;
}

/* Room for n messages of each kind the family needs */
static int messages_room(struct prom_pb *pb)
{
	size_t n = pb->nr_series;

	return TDXTOP_GROW(pb->m, pb->cap_m, n) || TDXTOP_GROW(pb->mp, pb->cap_mp, n) ||
	       TDXTOP_GROW(pb->l, pb->cap_l, pb->nr_labels + 1) ||
	       TDXTOP_GROW(pb->lp, pb->cap_lp, pb->nr_labels + 1) ||
	       TDXTOP_GROW(pb->c, pb->cap_c, n) || TDXTOP_GROW(pb->g, pb->cap_g, n) ||
	       TDXTOP_GROW(pb->h, pb->cap_h, n) ||
	       TDXTOP_GROW(pb->s, pb->cap_s, pb->nr_spans + 1) ||
	       TDXTOP_GROW(pb->sp, pb->cap_sp, pb->nr_spans + 1) ? -ENOMEM : 0;
}

/* The family gathered so far as one delimited message; the pools emptied */
static int flush(struct prom_pb *pb)
{
	pb_family f = IO__PROMETHEUS__CLIENT__METRIC_FAMILY__INIT;
	size_t i, j, size;
	__u8 *o;

	if (!pb->open || !pb->nr_series)	/* no series: no message */
		goto out;
	if (messages_room(pb))
		return -ENOMEM;
	for (i = 0; i < pb->nr_labels; i++) {
		io__prometheus__client__label_pair__init(&pb->l[i]);
		pb->l[i].name = pb->text.p + pb->labels[i][0];
		pb->l[i].value = pb->text.p + pb->labels[i][1];
		pb->lp[i] = &pb->l[i];
	}
	for (i = 0; i < pb->nr_spans; i++) {
		io__prometheus__client__bucket_span__init(&pb->s[i]);
		pb->s[i].has_offset = pb->s[i].has_length = 1;
		pb->s[i].offset = pb->spans[i].offset;
		pb->s[i].length = pb->spans[i].length;
		pb->sp[i] = &pb->s[i];
	}
	for (i = 0; i < pb->nr_series; i++) {
		const struct series *se = &pb->series[i];
		pb_metric *m = &pb->m[i];

		io__prometheus__client__metric__init(m);
		m->n_label = se->nr_labels;
		m->label = pb->lp + se->label;
		if (pb->t == PROM_COUNTER) {
			io__prometheus__client__counter__init(&pb->c[i]);
			pb->c[i].has_value = 1;
			pb->c[i].value = se->v;
			m->counter = &pb->c[i];
		} else if (pb->t == PROM_HISTOGRAM) {
			pb_hist *h = &pb->h[i];

			io__prometheus__client__histogram__init(h);
			h->has_sample_count = h->has_sample_sum = h->has_schema = 1;
			h->has_zero_threshold = h->has_zero_count = 1;
			h->sample_count = se->count;
			h->sample_sum = se->v;
			h->schema = TDXTOP_PROM_SCHEMA;
			/* above 0: what tells a native histogram from a classic one */
			h->zero_threshold = TDXTOP_PROM_ZERO_THRESHOLD;
			h->zero_count = se->zero;
			h->n_positive_span = se->nr_spans;
			h->positive_span = pb->sp + se->span;
			h->n_positive_delta = se->nr_deltas;
			h->positive_delta = pb->deltas + se->delta;
			m->histogram = h;
		} else {
			io__prometheus__client__gauge__init(&pb->g[i]);
			pb->g[i].has_value = 1;
			pb->g[i].value = se->v;
			m->gauge = &pb->g[i];
		}
		pb->mp[i] = m;
	}
	f.name = pb->name;
	f.help = (char *)pb->help;
	f.has_type = 1;
	f.type = pb->t == PROM_COUNTER ? IO__PROMETHEUS__CLIENT__METRIC_TYPE__COUNTER :
		 pb->t == PROM_HISTOGRAM ? IO__PROMETHEUS__CLIENT__METRIC_TYPE__HISTOGRAM :
		 IO__PROMETHEUS__CLIENT__METRIC_TYPE__GAUGE;
	f.n_metric = pb->nr_series;
	f.metric = pb->mp;
	size = io__prometheus__client__metric_family__get_packed_size(&f);
	if (tdxtop_buf_room(pb->b, size + 10))
		return -ENOMEM;
	/* the length first, a varint: "encoding=delimited" */
	o = (__u8 *)pb->b->p + pb->b->len;
	for (j = size; j >= 0x80; j >>= 7)
		*o++ = (j & 0x7f) | 0x80;
	*o++ = j;
	o += io__prometheus__client__metric_family__pack(&f, o);
	pb->b->len = (char *)o - pb->b->p;
out:
	pb->open = false;
	pb->text.len = pb->nr_labels = pb->nr_series = pb->nr_spans = pb->nr_deltas = 0;
	return 0;
}

static int pb_family_start(struct prom_writer *w, const char *name, enum prom_type t,
			   bool seconds, const char *help)
{
	struct prom_pb *pb = (struct prom_pb *)w;

	if (flush(pb))
		return -ENOMEM;
	/* the series' own name: the protobuf format adds no suffix */
	snprintf(pb->name, sizeof(pb->name), "%s%s", name,
		 t == PROM_COUNTER ? "_total" : t == PROM_INFO ? "_info" : "");
	pb->t = t == PROM_INFO ? PROM_GAUGE : t;
	pb->help = help;
	pb->open = true;
	return 0;
}

static int pb_value(struct prom_writer *w, const char *labels, const char *extra,
		    enum prom_val vk, __u64 v)
{
	struct prom_pb *pb = (struct prom_pb *)w;
	struct series *se = series_new(pb, labels, extra);

	if (!se)
		return -ENOMEM;
	se->v = vk == PROM_SECONDS ? v / 1e9 : (double)v;
	return 0;
}

static int pb_hist_add(struct prom_writer *w, const char *labels, const struct prom_hist *h)
{
	struct prom_pb *pb = (struct prom_pb *)w;
	const struct prom_native *n = h->native;
	struct series *se = series_new(pb, labels, NULL);
	__s64 prev_i = 0;
	__u64 prev = 0;
	size_t i;

	if (!se)
		return -ENOMEM;
	se->v = h->sum / 1e9;
	se->count = h->count;
	se->zero = n->zero;
	se->span = pb->nr_spans;
	se->delta = pb->nr_deltas;
	for (i = 0; i < n->nr; i++) {
		if (TDXTOP_GROW(pb->deltas, pb->cap_deltas, pb->nr_deltas + 1) ||
		    TDXTOP_GROW(pb->spans, pb->cap_spans, pb->nr_spans + 1))
			return -ENOMEM;
		/* a span per run of consecutive indices; offset: the gap before it */
		if (!i || n->b[i].i != prev_i + 1) {
			pb->spans[pb->nr_spans].offset = i ? n->b[i].i - prev_i - 1 : n->b[i].i;
			pb->spans[pb->nr_spans++].length = 0;
		}
		pb->spans[pb->nr_spans - 1].length++;
		pb->deltas[pb->nr_deltas++] = (int64_t)(n->b[i].n - prev);
		prev = n->b[i].n;
		prev_i = n->b[i].i;
	}
	se->nr_spans = pb->nr_spans - se->span;
	se->nr_deltas = pb->nr_deltas - se->delta;
	return 0;
}

static int pb_end(struct prom_writer *w)
{
	return flush((struct prom_pb *)w);
}

static void pb_free(struct prom_pb *pb)
{
	free(pb->text.p);
	free(pb->labels);
	free(pb->series);
	free(pb->spans);
	free(pb->deltas);
	free(pb->m);
	free(pb->mp);
	free(pb->l);
	free(pb->lp);
	free(pb->c);
	free(pb->g);
	free(pb->h);
	free(pb->s);
	free(pb->sp);
}

int tdxtop_prom_pb(const struct tdxtop_prom *p, struct tdxtop_buf *b)
{
	struct prom_pb pb = {
		.w = { pb_family_start, pb_value, pb_hist_add, pb_end },
		.b = b,
	};
	int err = tdxtop_prom_describe(p, &pb.w);

	pb_free(&pb);
	return err;
}
