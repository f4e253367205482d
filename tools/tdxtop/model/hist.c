// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Percentiles from the log-linear histograms of bpf/tdx_enter.h */
#include <math.h>
#include "model/model.h"

__u64 tdxtop_hist_total(const __u32 *bucket)
{
	__u64 n = 0;
	int b;

	for (b = 0; b < TDXTOP_HIST_BUCKETS; b++)
		n += bucket[b];
	return n;
}

__u64 tdxtop_hist_quantile(const __u32 *bucket, __u64 n, double q,
			   __u64 min, __u64 max)
{
	return tdxtop_hist_quantile_in(bucket, 0, TDXTOP_HIST_BUCKETS - 1, n, q, min, max);
}

__u64 tdxtop_hist_quantile_in(const __u32 *bucket, int first, int last, __u64 n,
			      double q, __u64 min, __u64 max)
{
	__u64 rank, seen = 0, lo, hi, mid;
	int b;

	if (!n)
		return 0;
	rank = (__u64)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	for (b = first; b <= last; b++) {
		seen += bucket[b];
		if (seen >= rank)
			break;
	}
	if (b > last && seen) {
		/* fewer samples than n: rank within the histogram's own count */
		rank = (__u64)ceil(q * (double)seen);
		if (rank < 1)
			rank = 1;
		for (b = first, seen = 0; b <= last; b++) {
			seen += bucket[b];
			if (seen >= rank)
				break;
		}
	}
	if (b > last)
		b = last;
	lo = tdxtop_bucket_lo(b);
	hi = tdxtop_bucket_hi(b);
	if (hi == ~0ULL)	/* open last bucket: the largest value seen */
		mid = max > lo ? max : lo;
	else
		mid = lo + (hi - 1 - lo) / 2;
	if (max && mid > max)
		mid = max;
	if (mid < min)
		mid = min;
	return mid;
}
