// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/hlog.c through its API: the interval log of a snapshot read back
 * here, format by format: the header, one line per group and metric with
 * its tag, start, length and max, and each histogram decoded (Base64, the
 * compressed cookie, zlib, the V2 header, ZigZag LEB128 counts with zero
 * runs) into exactly tdxtop's buckets.  tests/record/hlog.sh reads the same
 * logs with hdr-histogram-js.
 */
#include <locale.h>
#include <zlib.h>
#include "output/output.h"
#include "../tap.h"
#include "fixture.h"

static __u32 get32(const unsigned char *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static __u64 get64(const unsigned char *p)
{
	return (__u64)get32(p) << 32 | get32(p + 4);
}

static size_t unbase64(unsigned char *out, const char *in, size_t n)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	__u32 v = 0;
	int bits = 0;

	for (i = 0; i < n && in[i] != '='; i++) {
		v = v << 6 | (__u32)(strchr(a, in[i]) - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = v >> bits;
		}
	}
	return o;
}

struct decoded {
	__u32 payload, digits;
	__u64 lowest, highest;
	double ratio;
	__u32 counts[TDXTOP_HIST_BUCKETS + 1];
	int n;		/* entries of counts the encoding covers */
	bool bad;
};

/* One Interval_Compressed_Histogram, as an HdrHistogram reader takes it */
static void decode(const char *b64, size_t n, struct decoded *d)
{
	static unsigned char z[1 << 16], raw[1 << 16];
	size_t zn = unbase64(z, b64, n), p;
	uLongf rawn = sizeof(raw);
	__u64 bits;

	memset(d, 0, sizeof(*d));
	if (zn < 8 || get32(z) != 0x1c849314u || get32(z + 4) != zn - 8 ||
	    uncompress(raw, &rawn, z + 8, zn - 8) != Z_OK || rawn < 40 ||
	    get32(raw) != 0x1c849313u) {
		d->bad = true;
		return;
	}
	d->payload = get32(raw + 4);
	d->digits = get32(raw + 12);
	d->lowest = get64(raw + 16);
	d->highest = get64(raw + 24);
	bits = get64(raw + 32);
	memcpy(&d->ratio, &bits, sizeof(bits));
	for (p = 40; p < rawn && !d->bad;) {
		__u64 zz = 0;
		__s64 v;
		int shift;

		for (shift = 0; p < rawn; shift += 7) {
			unsigned char c = raw[p++];

			zz |= (__u64)(shift == 56 ? c : c & 0x7f) << shift;
			if (shift == 56 || !(c & 0x80))
				break;
		}
		v = (__s64)(zz >> 1) ^ -(__s64)(zz & 1);
		if (v < 0)
			d->n += -v;
		else if (d->n < TDXTOP_HIST_BUCKETS)
			d->counts[d->n++] = v;
		else
			d->bad = true;
	}
	d->bad |= d->payload != rawn - 40;
}

/* The log of s by `by`, as one string (caller frees) */
static char *hlog(const struct tdxtop_snap *s, enum tdxtop_group_by by)
{
	struct tdxtop_hlog h = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tdxtop_hlog_header(f, 1767225600000000000ULL, by);
	if (tdxtop_hlog_interval(&h, f, s, by, 500000000))
		fputs("ERROR\n", f);
	fclose(f);
	tdxtop_hlog_free(&h);
	return buf;
}

static const char header[] =
	"#[Histogram log format version 1.3]\n"
	"#[StartTime: 1767225600.000 (seconds since epoch)]\n"
	"#[BaseTime: 1767225600.000 (seconds since epoch)]\n"
	"# tdxtop: values in ns, Interval_Max in ms; tags VM:PID/REASON/METRIC\n"
	"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
	"\"Interval_Compressed_Histogram\"\n";

int main(void)
{
	struct tdxtop_snap s = {};
	struct tdxtop_hist big = {};
	struct tdxtop_hkey hk = { .tgid = 200, .reason = 77, .leaf = 0x10001,
				  .kind = TDXTOP_KIND_EXIT };
	struct decoded d;
	char *t, *line, *c;

	setlocale(LC_CTYPE, "C.UTF-8");
	tap_plan(13);
	fx_snap(&s);
	t = hlog(&s, TDXTOP_BY_REASON);
	ok(!strncmp(t, header, sizeof(header) - 1),
	   "the header: version 1.3, start and base time, the tags' form, the columns");
	line = t + sizeof(header) - 1;
	c = strchr(line, '\n');
	is_str(strchr(c + 1, '\n') ? "more" : "one", "one",
	       "one line: the one histogram (HLT of VM 100), one metric with samples");
	ok(!strncmp(line, "Tag=td-a:100/HLT/guest,0.500,1.000,0.000,", 41),
	   "tag VM:PID/REASON/METRIC, start 0.5 s after the base, 1 s long, max 49 ns in ms");
	decode(line + 41, c - line - 41, &d);
	ok(!d.bad, "Base64, the compressed cookie and length, zlib, the V2 cookie, the payload "
	   "length all read back");
	ok(d.digits == 1 && d.lowest == 1 && d.highest == (1ULL << 40) - 1 && d.ratio == 1.0,
	   "1 significant digit, lowest 1, highest 2^40 - 1, ratio 1.0");
	ok(d.n == 41 && d.counts[20] == 7 && d.counts[40] == 13,
	   "counts: 7 in bucket 20, 13 in bucket 40, none past it (%d entries)", d.n);
	{
		int i, others = 0;

		for (i = 0; i < d.n; i++)
			others += i != 20 && i != 40 && d.counts[i];
		is_u64(others, 0, "no other bucket has a count");
	}
	free(t);

	/* every bucket: runs of none, and the last bucket's max */
	{
		int i;

		for (i = 0; i < TDXTOP_HIST_BUCKETS; i += 3)
			big.bucket[TDXTOP_M_RESTORE][i] = i * 1000003u;
	}
	big.bucket[TDXTOP_M_RESTORE][TDXTOP_HIST_BUCKETS - 1] = 0xffffffffu;
	tdxtop_snap_add_hist(&s, &hk, &big, NULL);
	tdxtop_snap_add_vm(&s, 200, "td b,\xe6\x97\xa5\n");
	t = hlog(&s, TDXTOP_BY_REASON);
	line = strstr(t, "Tag=td_b_");
	ok(line && !strncmp(line, "Tag=td_b_____:200/TDCALL:MapGPA/restore,0.500,1.000,"
			    "1099511.628,", 64),
	   "a VM name's commas, spaces, line breaks and UTF-8 bytes as '_'; max: 2^40 - 1 ns");
	c = line ? strchr(line, '\n') : NULL;
	if (c) {
		int i, same = 0;

		decode(line + 64, c - line - 64, &d);
		for (i = 0; i < TDXTOP_HIST_BUCKETS; i++)
			same += d.counts[i] == big.bucket[TDXTOP_M_RESTORE][i];
		ok(!d.bad && d.n == TDXTOP_HIST_BUCKETS && same == TDXTOP_HIST_BUCKETS,
		   "all 592 buckets back, 2^32 - 1 in the last: 9-byte LEB128 and zero runs");
	} else {
		ok(0, "all 592 buckets back");
	}
	free(t);

	t = hlog(&s, TDXTOP_BY_VM);
	ok(strstr(t, "\nTag=td-a:100/exit/guest,0.500,1.000,0.000,") &&
	   strstr(t, "\nTag=td_b_____:200/exit/restore,") && strstr(t, "KIND/METRIC"),
	   "per VM: tags VM:PID/KIND/METRIC");
	free(t);
	t = hlog(&s, TDXTOP_BY_VCPU);
	ok(!strstr(t, "Tag="), "per vCPU: no histograms, no lines");
	free(t);
	{
		int lines = 0;

		t = hlog(&s, TDXTOP_BY_ALL);
		for (c = t; (c = strchr(c, '\n')); c++)
			lines++;
		is_u64(lines, 5, "-g all: the header alone");
		ok(!strstr(t, "ERROR"), "no error on any view");
		free(t);
	}
	tdxtop_snap_free(&s);
	return tap_done();
}
