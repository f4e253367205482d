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
	__u64 rank, seen = 0, lo, hi, mid;
	int b;

	if (!n)
		return 0;
	rank = (__u64)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	for (b = 0; b < TDXTOP_HIST_BUCKETS; b++) {
		seen += bucket[b];
		if (seen >= rank)
			break;
	}
	if (b == TDXTOP_HIST_BUCKETS && seen) {
		/* fewer samples than n: rank within the histogram's own count */
		rank = (__u64)ceil(q * (double)seen);
		if (rank < 1)
			rank = 1;
		for (b = 0, seen = 0; b < TDXTOP_HIST_BUCKETS; b++) {
			seen += bucket[b];
			if (seen >= rank)
				break;
		}
	}
	if (b == TDXTOP_HIST_BUCKETS)
		b--;
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
