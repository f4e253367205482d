// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Export of a recording as HdrHistogram interval logs (the "V2" encoding:
 * ZigZag LEB128 counts with zero runs, zlib-compressed, Base64, one line
 * per interval and tag).
 *
 * tdxtop's buckets are HdrHistogram's at 1 significant digit with a
 * lowest discernible value of 1: HdrHistogram then has 2^ceil(log2(2 * 10))
 * = 32 sub-buckets, so values 0..31 each have a bucket of their own and
 * every power of two above is split in 16, and the index of a value in its
 * counts array, (msb - 3) * 16 + (v >> (msb - 4)) - 16 for v >= 32, is
 * tdxtop_bucket(v).  With a highest trackable value of 2^40 - 1 the counts
 * array has 592 entries, TDXTOP_HIST_BUCKETS.  So a tdxtop histogram is
 * exported count for count; only tdxtop's last bucket, which also holds
 * values of 2^40 ns (18 minutes) and more, stands for [31 * 2^35, 2^40).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "output/output.h"

#define V2_COOKIE		0x1c849313u
#define V2_COMPRESSED_COOKIE	0x1c849314u
#define HEADER_SIZE		40
#define HIGHEST_TRACKABLE	((1ULL << 40) - 1)

static void be32(char *c, __u32 v)
{
	unsigned char *p = (unsigned char *)c;

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void be64(char *p, __u64 v)
{
	be32(p, v >> 32);
	be32(p + 4, v);
}

/* ZigZag, then LEB128 (at most 9 bytes: the 9th carries 8 bits) */
static void put_zigzag(struct tdxtop_buf *b, __s64 v)
{
	__u64 z = ((__u64)v << 1) ^ (__u64)(v >> 63);
	int i;

	for (i = 0; i < 8 && z >= 0x80; i++) {
		b->p[b->len++] = (z & 0x7f) | 0x80;
		z >>= 7;
	}
	b->p[b->len++] = z;
}

/* The uncompressed V2 encoding of counts[0, n): header, then counts */
static int encode(struct tdxtop_buf *b, const __u32 *counts, int n)
{
	double ratio = 1.0;
	__u64 bits;
	int i, zeros = 0;

	b->len = 0;
	if (tdxtop_buf_room(b, HEADER_SIZE + (size_t)n * 9))
		return -ENOMEM;
	b->len = HEADER_SIZE;
	for (i = 0; i < n; i++) {
		if (!counts[i]) {
			zeros++;
			continue;
		}
		if (zeros)
			put_zigzag(b, -(__s64)zeros);
		zeros = 0;
		put_zigzag(b, counts[i]);
	}
	memcpy(&bits, &ratio, sizeof(bits));
	be32(b->p, V2_COOKIE);
	be32(b->p + 4, b->len - HEADER_SIZE);		/* payload length */
	be32(b->p + 8, 0);				/* normalizing index offset */
	be32(b->p + 12, 1);				/* significant digits */
	be64(b->p + 16, 1);				/* lowest discernible value */
	be64(b->p + 24, HIGHEST_TRACKABLE);
	be64(b->p + 32, bits);				/* integer to double ratio */
	return 0;
}

static void put_base64(FILE *f, const char *c, size_t n)
{
	const unsigned char *p = (const unsigned char *)c;
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		__u32 v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];

		fputc(a[v >> 18], f);
		fputc(a[(v >> 12) & 63], f);
		fputc(a[(v >> 6) & 63], f);
		fputc(a[v & 63], f);
	}
	if (i < n) {
		__u32 v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0);

		fputc(a[v >> 18], f);
		fputc(a[(v >> 12) & 63], f);
		fputc(i + 1 < n ? a[(v >> 6) & 63] : '=', f);
		fputc('=', f);
	}
}

/* The compressed form, Base64: what an interval log line carries */
static int put_histogram(FILE *f, const __u32 *counts, int n, struct tdxtop_buf *raw,
			 struct tdxtop_buf *z)
{
	uLongf zlen;
	int e;

	e = encode(raw, counts, n);
	if (e)
		return e;
	zlen = compressBound(raw->len);
	z->len = 0;
	if (tdxtop_buf_room(z, 8 + zlen))
		return -ENOMEM;
	if (compress2((Bytef *)z->p + 8, &zlen, (const Bytef *)raw->p, raw->len,
		      Z_DEFAULT_COMPRESSION) != Z_OK)
		return -EIO;
	be32(z->p, V2_COMPRESSED_COOKIE);
	be32(z->p + 4, zlen);
	put_base64(f, z->p, 8 + zlen);
	return 0;
}

/* A tag: no commas, spaces or line breaks; VM names are anyone's text */
static void put_tag(FILE *f, const struct tdxtop_snap *s, const struct tdxtop_group *g,
		    enum tdxtop_group_by by, int metric)
{
	const char *vm = tdxtop_snap_vm_name(s, g->key.tgid);
	char label[64];
	const char *p;

	fputs("Tag=", f);
	for (p = vm; *p; p++)
		fputc((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-+", *p) ? *p : '_', f);
	fprintf(f, ":%u/", g->key.tgid);
	if (by == TDXTOP_BY_REASON)
		tdxtop_row_label(&g->key, label, sizeof(label));
	else
		snprintf(label, sizeof(label), "%s", tdxtop_kind_name(g->key.kind));
	for (p = label; *p; p++)
		fputc(*p == ',' || *p == ' ' ? '_' : *p, f);
	fprintf(f, "/%s,", tdxtop_metric_name(metric));
}

void tdxtop_hlog_header(FILE *f, __u64 real0, enum tdxtop_group_by by)
{
	fprintf(f, "#[Histogram log format version 1.3]\n");
	fprintf(f, "#[StartTime: %.3f (seconds since epoch)]\n", real0 / 1e9);
	fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", real0 / 1e9);
	fprintf(f, "# tdxtop: values in ns, Interval_Max in ms; tags VM:PID/%s/METRIC\n",
		by == TDXTOP_BY_REASON ? "REASON" : "KIND");
	fprintf(f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
		"\"Interval_Compressed_Histogram\"\n");
}

int tdxtop_hlog_interval(struct tdxtop_hlog *h, FILE *f, const struct tdxtop_snap *s,
			 enum tdxtop_group_by by, __u64 mono0)
{
	size_t i;
	int e, m;

	e = tdxtop_view_build(&h->v, s, by, TDXTOP_SORT_COUNT);
	for (i = 0; !e && i < h->v.nr; i++) {
		const struct tdxtop_group *g = &h->v.g[i];

		for (m = 0; !e && g->h && m < TDXTOP_NR_METRICS; m++) {
			const __u32 *c = g->h->bucket[m];
			int n = TDXTOP_HIST_BUCKETS;

			while (n && !c[n - 1])
				n--;
			if (!n)
				continue;
			put_tag(f, s, g, by, m);
			fprintf(f, "%.3f,%.3f,%.3f,", (s->start_ns - mono0) / 1e9,
				tdxtop_snap_seconds(s),
				(n == TDXTOP_HIST_BUCKETS ? HIGHEST_TRACKABLE :
				 tdxtop_bucket_hi(n - 1) - 1) / 1e6);
			e = put_histogram(f, c, n, &h->raw, &h->z);
			fputc('\n', f);
		}
	}
	return e;
}

void tdxtop_hlog_free(struct tdxtop_hlog *h)
{
	free(h->raw.p);
	free(h->z.p);
	tdxtop_view_free(&h->v);
	memset(h, 0, sizeof(*h));
}
