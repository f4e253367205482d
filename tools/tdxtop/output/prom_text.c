// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop serve's text formats: the families prom.c describes as the text
 * format 0.0.4 or OpenMetrics 1.0.0, histograms as classic buckets (one
 * per power of two of ns, le = 2^k - 1 ns, docs/prometheus.md), every
 * number written exactly from its integer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "output/prom.h"

/* ns as seconds, exactly: "12", "0.000001023" */
static char *fmt_seconds(char *p, __u64 ns)
{
	char tmp[24], *t;
	__u64 frac = ns % 1000000000;
	int i, digits = 9;

	t = tdxtop_jw_format_u64(tmp + sizeof(tmp), ns / 1000000000);
	memcpy(p, t, tmp + sizeof(tmp) - t);
	p += tmp + sizeof(tmp) - t;
	if (!frac)
		return p;
	while (!(frac % 10)) {
		frac /= 10;
		digits--;
	}
	*p++ = '.';
	for (i = digits - 1; i >= 0; i--) {
		p[i] = '0' + frac % 10;
		frac /= 10;
	}
	return p + digits;
}

/* The longest line: a name, the labels of a series, le, a number */
#define LINE_MAX_LEN	(128 + TDXTOP_LABEL_SIZE + 512)

struct text_writer {
	struct prom_writer w;
	struct tdxtop_buf *b;
	bool om;
	enum prom_type t;
	char name[64];
	char le[TDXTOP_PROM_BUCKETS][24];	/* le="..." of each bucket */
};

static char *put(char *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o, s, n);
	return o + n;
}

/* name suffix{labels,extra} value\n; room for LINE_MAX_LEN is there */
static void sample(struct tdxtop_buf *b, const char *name, const char *suffix,
		   const char *labels, const char *extra, enum prom_val vk, __u64 v)
{
	char *o = b->p + b->len, tmp[24], *t;

	o = put(o, name);
	o = put(o, suffix);
	if ((labels && *labels) || extra) {
		*o++ = '{';
		if (labels && *labels)
			o = put(o, labels);
		if (extra) {
			if (labels && *labels)
				*o++ = ',';
			o = put(o, extra);
		}
		*o++ = '}';
	}
	*o++ = ' ';
	if (vk == PROM_SECONDS) {
		o = fmt_seconds(o, v);
	} else {
		t = tdxtop_jw_format_u64(tmp + sizeof(tmp), v);
		memcpy(o, t, tmp + sizeof(tmp) - t);
		o += tmp + sizeof(tmp) - t;
	}
	*o++ = '\n';
	b->len = o - b->p;
}

/*
 * HELP and TYPE of a family.  name is the OpenMetrics family name; the text
 * format names a counter's family after its sample (name_total), and has
 * no info type (a gauge name_info of value 1).
 */
static int text_family(struct prom_writer *w, const char *name, enum prom_type t,
		       bool seconds, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "info" };
	struct text_writer *tw = (struct text_writer *)w;
	struct tdxtop_buf *b = tw->b;
	const char *suffix = "";
	int n;

	if (tdxtop_buf_room(b, 512 + strlen(help)))
		return -ENOMEM;
	snprintf(tw->name, sizeof(tw->name), "%s", name);
	tw->t = t;
	if (!tw->om && t == PROM_COUNTER)
		suffix = "_total";
	if (!tw->om && t == PROM_INFO) {
		suffix = "_info";
		t = PROM_GAUGE;
	}
	n = snprintf(b->p + b->len, b->cap - b->len, "# HELP %s%s %s\n# TYPE %s%s %s\n",
		     name, suffix, help, name, suffix, types[t]);
	b->len += n;
	if (tw->om && seconds)
		b->len += snprintf(b->p + b->len, b->cap - b->len, "# UNIT %s seconds\n",
				   name);
	return 0;
}

static int text_value(struct prom_writer *w, const char *labels, const char *extra,
		      enum prom_val vk, __u64 v)
{
	struct text_writer *tw = (struct text_writer *)w;
	const char *suffix = tw->t == PROM_COUNTER ? "_total" :
			     tw->t == PROM_INFO ? "_info" : "";

	if (tdxtop_buf_room(tw->b, LINE_MAX_LEN))
		return -ENOMEM;
	sample(tw->b, tw->name, suffix, labels, extra, vk, v);
	return 0;
}

static int text_hist(struct prom_writer *w, const char *labels, const struct prom_hist *h)
{
	struct text_writer *tw = (struct text_writer *)w;
	__u64 cum = 0;
	int j;

	if (tdxtop_buf_room(tw->b, (TDXTOP_PROM_BUCKETS + 2) * LINE_MAX_LEN))
		return -ENOMEM;
	for (j = 0; j < TDXTOP_PROM_BUCKETS - 1; j++) {
		cum += h->bucket[j];
		sample(tw->b, tw->name, "_bucket", labels, tw->le[j], PROM_COUNT, cum);
	}
	/* +Inf is _count: samples the buckets missed (hist_full) are in it */
	sample(tw->b, tw->name, "_bucket", labels, tw->le[j], PROM_COUNT, h->count);
	sample(tw->b, tw->name, "_sum", labels, NULL, PROM_SECONDS, h->sum);
	sample(tw->b, tw->name, "_count", labels, NULL, PROM_COUNT, h->count);
	return 0;
}

static int text_end(struct prom_writer *w)
{
	struct text_writer *tw = (struct text_writer *)w;

	if (!tw->om)
		return 0;
	if (tdxtop_buf_room(tw->b, 8))
		return -ENOMEM;
	tw->b->len += snprintf(tw->b->p + tw->b->len, tw->b->cap - tw->b->len, "# EOF\n");
	return 0;
}

int tdxtop_prom_text(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om)
{
	struct text_writer tw = {
		.w = { text_family, text_value, text_hist, text_end },
		.b = b, .om = om,
	};
	int j;

	for (j = 0; j < TDXTOP_PROM_BUCKETS; j++) {
		char *e = tw.le[j];

		memcpy(e, "le=\"", 4);
		e += 4;
		if (j == TDXTOP_PROM_BUCKETS - 1) {
			memcpy(e, "+Inf", 4);
			e += 4;
		} else {
			e = fmt_seconds(e, (1ULL << (TDXTOP_PROM_LO_SHIFT + j)) - 1);
		}
		*e++ = '"';
		*e = '\0';
	}
	return tdxtop_prom_describe(p, &tw.w);
}
