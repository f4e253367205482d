// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bucket math, percentile error bounds and cycles-to-ns of bpf/tdx_enter.h */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "output/output.h"
#include "../tap.h"

static __u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static __u64 rnd(void)	/* xorshift64*, deterministic */
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* every value lies in its bucket; buckets are ordered and <= 1/16 wide */
static void test_buckets(void)
{
	__u64 v, bad_range = 0, bad_width = 0, bad_order = 0, n = 0;
	__u32 b, prev = 0;
	int i;

	for (v = 0; v < (1 << 20); v++, n++) {
		b = tdxtop_bucket(v);
		if (v < tdxtop_bucket_lo(b) || v >= tdxtop_bucket_hi(b))
			bad_range++;
		if (b < prev)
			bad_order++;
		prev = b;
	}
	for (i = 0; i < 200000; i++, n++) {
		v = rnd() >> (rnd() % 64);
		b = tdxtop_bucket(v);
		if (b >= TDXTOP_HIST_BUCKETS ||
		    v < tdxtop_bucket_lo(b) || v >= tdxtop_bucket_hi(b))
			bad_range++;
	}
	for (b = 2 * TDXTOP_HIST_SUB; b < TDXTOP_HIST_BUCKETS - 1; b++) {
		__u64 lo = tdxtop_bucket_lo(b), hi = tdxtop_bucket_hi(b);

		if ((hi - lo) * 16 > lo || tdxtop_bucket(lo) != b || tdxtop_bucket(hi - 1) != b)
			bad_width++;
	}
	ok(!bad_range, "%llu values each fall inside their bucket", n);
	ok(!bad_order, "bucket index grows with the value");
	ok(!bad_width, "every bucket above 32 ns is at most 6.25%% of its lower bound wide");
	is_u64(tdxtop_bucket(31), 31, "values below 32 ns have a bucket each");
	is_u64(tdxtop_bucket(1ULL << 40), TDXTOP_HIST_BUCKETS - 1, "2^40 ns goes to the last bucket");
	is_u64(tdxtop_bucket(~0ULL), TDXTOP_HIST_BUCKETS - 1, "UINT64_MAX goes to the last bucket");
	is_u64(tdxtop_bucket_lo(TDXTOP_HIST_BUCKETS - 1), 31ULL << 35,
	       "the last bucket starts at 31 * 2^35 ns and is open");
}

/* percentile from the histogram vs the exact nearest-rank value */
static void test_quantiles(const char *name, __u64 (*gen)(void), int n)
{
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999, 1.0 };
	static __u32 bk[TDXTOP_HIST_BUCKETS];
	__u64 *v = calloc(n, sizeof(*v)), min = ~0ULL, max = 0;
	int i, q, bad = 0;
	double worst = 0;

	memset(bk, 0, sizeof(bk));
	for (i = 0; i < n; i++) {
		v[i] = gen();
		bk[tdxtop_bucket(v[i])]++;
		if (v[i] < min)
			min = v[i];
		if (v[i] > max)
			max = v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (q = 0; q < 5; q++) {
		__u64 rank = (__u64)ceil(qs[q] * n);
		__u64 exact = v[rank - 1];
		__u64 est = tdxtop_hist_quantile(bk, n, qs[q], min, max);
		__u32 b = tdxtop_bucket(exact);
		double half = (tdxtop_bucket_hi(b) - tdxtop_bucket_lo(b)) / 2.0;
		double err = fabs((double)est - (double)exact);

		if (b == TDXTOP_HIST_BUCKETS - 1)
			half = 0;	/* open bucket: clamped to max */
		if (err > half + 0.5)
			bad++;
		if (exact && err / exact > worst)
			worst = err / exact;
	}
	ok(!bad && worst <= 0.03125, "%s: p50/p90/p99/p99.9/max within half a bucket "
	   "(worst %.3f%% <= 3.125%%)", name, worst * 100);
	free(v);
}

static __u64 gen_lognormal(void)	/* guest times around 2 us, long tail */
{
	double u1 = (rnd() >> 11) * (1.0 / 9007199254740992.0) + 1e-12;
	double u2 = (rnd() >> 11) * (1.0 / 9007199254740992.0);
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);

	return (__u64)exp(log(2000) + 1.2 * z);
}

static __u64 gen_bimodal(void)	/* HLT-like: short or very long */
{
	return rnd() % 4 ? 300 + rnd() % 200 : 1000000 + rnd() % 9000000;
}

static __u64 gen_small(void)
{
	return rnd() % 40;
}

static void test_cyc2ns(void)
{
	static const struct { __u32 mult, shift; } cv[] = {
		{ 1, 0 }, { 3, 1 }, { 6990506, 24 }, { 2796203, 22 }, { 420000000, 31 },
	};
	int i, j, bad = 0;

	for (i = 0; i < 5; i++)
		for (j = 0; j < 100000; j++) {
			__u64 c = rnd() >> (rnd() % 40 + 16);
			unsigned __int128 want = ((unsigned __int128)c * cv[i].mult) >> cv[i].shift;

			if (tdxtop_cyc2ns(c, cv[i].mult, cv[i].shift) != (__u64)want)
				bad++;
		}
	ok(!bad, "cycles to ns equals 128-bit (cyc * mult) >> shift for 500000 values");
	/* 3e9 * 6990506 / 2^24 = 1249999880.86 */
	is_u64(tdxtop_cyc2ns(3000000000ULL, 6990506, 24), 1249999880ULL,
	       "3e9 cycles at 2.4 GHz (mult 6990506, shift 24) is 1249999880 ns");
}

static void test_status(void)
{
	is_u64(tdxtop_status_class(0x8000020000000092ULL), 0x80000200, "OPERAND_BUSY(SEPT) class");
	ok(!strcmp(tdxtop_status_name(tdxtop_status_class(0x8000FF00FFFF0000ULL)), "SW_ERROR"),
	   "VMFAILINVALID is a SW_ERROR");
	ok(!strcmp(tdxtop_status_name(tdxtop_status_class(0x8000FF000000000DULL)), "SW_ERROR"),
	   "SEAMCALL #GP is a SW_ERROR");
	ok(!strcmp(tdxtop_status_name(0), "SUCCESS"), "0 is SUCCESS");
}

/*
 * Prometheus buckets (prom.c): each of tdxtop's buckets lies wholly in one,
 * whose le (2^k - 1 ns, values being whole ns) is at least the bucket's
 * largest value and below its smallest's previous le: no value moves
 */
static void test_prom_buckets(void)
{
	int bad = 0, last = 0, j;
	__u32 i;

	for (i = 0; i < TDXTOP_HIST_BUCKETS; i++) {
		__u64 lo = tdxtop_bucket_lo(i), hi = tdxtop_bucket_hi(i);
		__u64 le, prev;

		j = tdxtop_prom_bucket(i);
		if (j < last)
			bad++;
		last = j;
		if (j == TDXTOP_PROM_BUCKETS - 1) {	/* +Inf: all above the last le */
			if (lo <= (1ULL << TDXTOP_PROM_HI_SHIFT) - 1)
				bad++;
			continue;
		}
		le = (1ULL << (TDXTOP_PROM_LO_SHIFT + j)) - 1;
		prev = j ? (1ULL << (TDXTOP_PROM_LO_SHIFT + j - 1)) - 1 : 0;
		if (hi - 1 > le || (j && lo <= prev))
			bad++;
	}
	ok(!bad, "each of %d buckets lies in one Prometheus bucket, le exact",
	   TDXTOP_HIST_BUCKETS);
	ok(tdxtop_prom_bucket(tdxtop_bucket(31)) == 0 &&
	   tdxtop_prom_bucket(tdxtop_bucket(32)) == 1 &&
	   tdxtop_prom_bucket(tdxtop_bucket(1023)) == 5 &&
	   tdxtop_prom_bucket(tdxtop_bucket(1024)) == 6 &&
	   tdxtop_prom_bucket(tdxtop_bucket((1ULL << 34) - 1)) == TDXTOP_PROM_BUCKETS - 2 &&
	   tdxtop_prom_bucket(tdxtop_bucket(1ULL << 34)) == TDXTOP_PROM_BUCKETS - 1,
	   "31, 32, 1023, 1024, 2^34 - 1 and 2^34 ns go where le says");
}

/*
 * A histogram read a moment apart from its row holds fewer samples than the
 * row's count: the rank is then of the histogram's own count (as --outliers
 * auto ranks it), not past its last sample onto the row's maximum
 */
static void test_quantile_short(void)
{
	static __u32 bk[TDXTOP_HIST_BUCKETS];
	__u64 lo = tdxtop_bucket_lo(tdxtop_bucket(1000));
	__u64 v;

	bk[tdxtop_bucket(1000)] = 999;		/* 999 samples at 1 us */
	bk[tdxtop_bucket(5000000)] = 1;		/* one at 5 ms */
	/* the row counted 1,100; its max since load is 100 ms */
	v = tdxtop_hist_quantile(bk, 1100, 0.999, 900, 100000000);
	ok(v >= lo && v < tdxtop_bucket_hi(tdxtop_bucket(1000)),
	   "p99.9 of a histogram of 1,000 samples ranked against a count of 1,100: "
	   "in the 1 us bucket, not the maximum (%llu)", (unsigned long long)v);
}

int main(void)
{
	tap_plan(7 + 4 + 2 + 4 + 2 + 1);
	test_buckets();
	test_quantiles("lognormal 100k", gen_lognormal, 100000);
	test_quantiles("bimodal 50k", gen_bimodal, 50000);
	test_quantiles("below 40 ns", gen_small, 1000);
	test_quantiles("lognormal 7", gen_lognormal, 7);
	test_cyc2ns();
	test_status();
	test_prom_buckets();
	test_quantile_short();
	return tap_done();
}
