/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Inside tdxtop serve's exposition: the totals (prom.c) are described once,
 * family by family, to a writer of a format: the text formats (prom_text.c)
 * or the protobuf one with native histograms (prom_pb.c).
 */
#ifndef TDXTOP_OUTPUT_PROM_H
#define TDXTOP_OUTPUT_PROM_H

#include "output/output.h"

/*
 * Native histogram buckets: schema 4, 16 per power of two, bucket i holding
 * (2^((i-1)/16), 2^(i/16)] seconds (docs/decisions.md says why 4).  Values
 * of 0 ns go to the zero bucket, whose bound is below 1 ns.
 */
#define TDXTOP_PROM_SCHEMA		4
#define TDXTOP_PROM_ZERO_THRESHOLD	(1.0 / (1 << 30))	/* 0.93 ns */

/* The counts of a native histogram by bucket index, sorted: sparse */
struct prom_nbucket {
	__s64 i;
	__u64 n;
};

struct prom_native {
	struct prom_nbucket *b;
	size_t nr, cap;
	__u64 zero;
};

/**
 * tdxtop_prom_native_add() - add to a bucket of a native histogram
 * @h: the histogram
 * @i: the bucket index; INT32_MIN for the zero bucket
 * @n: the count to add
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_native_add(struct prom_native *h, __s32 i, __u64 n);
/**
 * tdxtop_prom_native_merge() - add every bucket of one native histogram to another
 * @to: the sum
 * @from: what is added
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_native_merge(struct prom_native *to, const struct prom_native *from);
/**
 * tdxtop_prom_native_free() - free the buckets of a native histogram
 * @h: the histogram, empty after
 */
void tdxtop_prom_native_free(struct prom_native *h);
/**
 * tdxtop_prom_native_index() - the native bucket of a value
 * @v: the value in ns, above 0
 *
 * Return: the bucket index at schema 4.
 */
__s32 tdxtop_prom_native_index(__u64 v);

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM, PROM_INFO };
enum prom_val { PROM_COUNT, PROM_SECONDS };

/* One histogram as both formats need it */
struct prom_hist {
	const __u64 *bucket;		/* TDXTOP_PROM_BUCKETS, not cumulative */
	const struct prom_native *native;
	__u64 count;			/* _count: with samples the buckets missed */
	__u64 sum;			/* ns */
};

/*
 * A writer of one format.  family() starts a family (name as OpenMetrics
 * names it: counters without _total); value() and hist() add a series to
 * it, labels as text (`vm="td0",reason="HLT"`, escaped; NULL or "" for
 * none) and extra one more label or NULL; end() closes the last family.
 * Each returns 0 or -ENOMEM.
 */
struct prom_writer {
	int (*family)(struct prom_writer *w, const char *name, enum prom_type t,
		      bool seconds, const char *help);
	int (*value)(struct prom_writer *w, const char *labels, const char *extra,
		     enum prom_val vk, __u64 v);
	int (*hist)(struct prom_writer *w, const char *labels, const struct prom_hist *h);
	int (*end)(struct prom_writer *w);
};

/**
 * tdxtop_prom_describe() - describe the totals to a writer, family by family
 * @p: the totals
 * @w: the writer of a format
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_describe(const struct tdxtop_prom *p, struct prom_writer *w);

/**
 * tdxtop_prom_text() - the totals in a text format
 * @p: the totals
 * @b: the buffer, written after what it holds (tdxtop_prom_write() empties it)
 * @om: OpenMetrics 1.0.0 rather than text format 0.0.4
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_text(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om);
/**
 * tdxtop_prom_pb() - the totals as delimited protobuf MetricFamily messages
 * @p: the totals
 * @b: the buffer, written after what it holds (tdxtop_prom_write() empties it)
 *
 * Return: 0 or -ENOMEM.
 */
int tdxtop_prom_pb(const struct tdxtop_prom *p, struct tdxtop_buf *b);

#endif
