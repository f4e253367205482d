// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Outlier capture (--outliers): which exits the BPF side copies to user
 * space whole, and how the program, thresholds and ring buffer are set up
 * before load.  The BPF side is tdx_vp_capture in bpf/tdx_enter.bpf.c;
 * read.c reads the records each interval.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "collect/collect.h"
#include "tdx_enter.skel.h"

/* The ring buffer holds at most this much: beyond, records are lost (counted) */
#define RING_MAX	(64u << 20)
/* BPF_RINGBUF_HDR_SZ: the header of each record */
#define RING_HDR	8

/* A duration: a number with a unit (ns, us, ms, s; none: ns) into ns */
static int parse_ns(const char *s, __u64 *ns)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = { { "", 1 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
	char *end;
	double v;
	size_t i;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].mult;
		if (v < 0 || v > 1e15)	/* 11 days */
			return -ERANGE;
		*ns = (__u64)v;
		return 0;
	}
	return -EINVAL;
}

int tdxtop_outlier_parse(const char *arg, struct tdxtop_outlier_opts *o,
			 char *err, size_t errlen)
{
	char buf[256], *save = NULL, *item;
	size_t len = 0;
	int m;

	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		o->ns[m] = TDXTOP_NO_THRESH;
	o->on = true;
	o->automatic = false;
	if (!strcmp(arg, "auto")) {
		o->automatic = true;
		snprintf(o->spec, sizeof(o->spec), "auto");
		return 0;
	}
	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "outliers: too long: %.32s...", arg);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		__u64 ns;

		if (!eq) {
			snprintf(err, errlen, "outliers: '%s' is not METRIC=TIME "
				 "(guest=1ms,host=200us,restore=20us) or auto", item);
			return -EINVAL;
		}
		*eq = '\0';
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			if (!strcmp(item, tdxtop_metric_name(m)))
				break;
		if (m == TDXTOP_NR_METRICS) {
			snprintf(err, errlen, "outliers: unknown metric '%s' (guest, host, restore)",
				 item);
			return -EINVAL;
		}
		if (o->ns[m] != TDXTOP_NO_THRESH) {
			snprintf(err, errlen, "outliers: %s given twice", item);
			return -EINVAL;
		}
		if (parse_ns(eq + 1, &ns) || ns == TDXTOP_NO_THRESH) {
			snprintf(err, errlen, "outliers: invalid time '%s' (ns, or with a unit: "
				 "us, ms, s)", eq + 1);
			return -EINVAL;
		}
		o->ns[m] = ns;
	}
	o->spec[0] = '\0';
	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		if (o->ns[m] != TDXTOP_NO_THRESH)
			len += snprintf(o->spec + len, sizeof(o->spec) - len, "%s%s>%lluns",
					len ? " " : "", tdxtop_metric_name(m),
					(unsigned long long)o->ns[m]);
	if (!len) {
		snprintf(err, errlen, "outliers: no threshold given");
		return -EINVAL;
	}
	return 0;
}

int tdxtop_outlier_setup(struct tdx_enter_bpf *skel, const struct tdxtop_outlier_opts *o,
			 int interval_ms)
{
	__u64 page = sysconf(_SC_PAGESIZE), want, size = page;
	int m;

	if (bpf_program__set_autoload(skel->progs.tdx_vp_capture, o->on) ||
	    bpf_program__set_autoload(skel->progs.tdx_vp_enter, !o->on))
		return -EINVAL;
	if (!o->on)
		return bpf_map__set_max_entries(skel->maps.outlier_ring, page);
	skel->rodata->outlier_auto = o->automatic;
	skel->rodata->outlier_cap = o->rate;
	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		skel->rodata->outlier_ns[m] = o->automatic ? TDXTOP_NO_THRESH : o->ns[m];
	/* read once per interval: room for two intervals at the cap */
	want = 2ULL * o->rate * ((interval_ms + 999) / 1000) *
	       (sizeof(struct tdxtop_outlier) + RING_HDR);
	while (size < want && size < RING_MAX)
		size <<= 1;
	return bpf_map__set_max_entries(skel->maps.outlier_ring, size);
}

bool tdxtop_outlier_auto_ns(const struct tdxtop_snap *s, const struct tdxtop_hrow *h,
			    int m, __u64 *ns)
{
	__u64 n = 0, rank, seen = 0, hi;
	__u32 i;

	for (i = 0; i < h->nr; i++)
		if (s->buckets[h->first + i].metric == m)
			n += s->buckets[h->first + i].count;
	if (!n)
		return false;
	/* rank of p99.9: ceil(0.999 n), in integers */
	rank = n - n / 1000;
	for (i = 0; i < h->nr; i++) {
		const struct tdxtop_bucket_count *b = &s->buckets[h->first + i];

		if (b->metric != m)
			continue;
		seen += b->count;
		if (seen < rank)
			continue;
		/* above p99.9: above every value of its bucket */
		hi = tdxtop_bucket_hi(b->bucket);
		*ns = hi == ~0ULL ? TDXTOP_NO_THRESH : hi - 1;
		return true;
	}
	return false;
}
