// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The statistics of tdxtop diff against values computed by hand (and by R) */
#include <math.h>
#include "model/model.h"
#include "../tap.h"

#define near(a, b, eps) (fabs((a) - (b)) <= (eps))

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	double x3[] = { 1, 2, 3 }, y3[] = { 4, 5, 6 };
	double x4[] = { 4, 3, 2, 1 }, y4[] = { 8, 6, 7, 5 };
	double tx[] = { 1, 1, 2 }, ty[] = { 2, 3, 3 };
	double hy[] = { 11, 12, 13 }, same[] = { 5, 5, 5 };
	double p[] = { 0.01, 0.04, 0.03 }, adj[3], u, pv, sh, lo, hi;
	double big_x[40], big_y[40];
	int i;

	tap_plan(13);
	tdxtop_mann_whitney(x3, 3, y3, 3, &u, &pv);
	ok(u == 0 && near(pv, 0.1, 1e-12), "U test, 3 vs 3 apart, no ties: exact p = 2/20 (U %g, p %g)", u, pv);
	tdxtop_mann_whitney(x4, 4, y4, 4, &u, &pv);
	ok(u == 0 && near(pv, 2.0 / 70, 1e-12), "4 vs 4 apart, unsorted: exact p = 2/70 (p %g)", pv);
	tdxtop_mann_whitney(y4, 4, x4, 4, &u, &pv);
	ok(u == 16 && near(pv, 2.0 / 70, 1e-12), "the other way round: U = 16, same p");
	tdxtop_mann_whitney(tx, 3, ty, 3, &u, &pv);
	ok(u == 0.5 && near(pv, 0.1101, 5e-5),
	   "ties: midranks, normal approximation with tie and continuity corrections (R: W = 0.5, p = 0.1101; got %g)", pv);
	tdxtop_mann_whitney(same, 3, same, 3, &u, &pv);
	ok(pv == 1, "all values equal: p = 1");
	/* the exact p against all C(12, 6) = 924 ways to split 12 ranks */
	{
		int cnt[37] = {}, bad = 0, mask, uu, b, j, k, q;
		double ex[6], ey[6];

		for (mask = 0; mask < 4096; mask++) {
			int c = 0;

			if (__builtin_popcount(mask) != 6)
				continue;
			for (b = 0; b < 12; b++)	/* U of x: pairs x > y */
				if (mask & 1 << b)
					for (j = 0; j < b; j++)
						c += !(mask & 1 << j);
			cnt[c]++;
		}
		for (q = 0; q < 6; q++)
			ey[q] = q + 1;
		for (uu = 0; uu <= 36; uu++) {
			int le = 0, ge = 0, r = uu;

			for (k = 0; k <= 36; k++) {
				le += k <= uu ? cnt[k] : 0;
				ge += k >= uu ? cnt[k] : 0;
			}
			/* x_q above a_q of the y's, a_q adding up to uu */
			for (q = 0; q < 6; q++) {
				int a = r < 6 ? r : 6;

				r -= a;
				ex[q] = a + 0.5 + q * 0.01;	/* distinct: no ties */
			}
			tdxtop_mann_whitney(ex, 6, ey, 6, &u, &pv);
			if (u != uu || fabs(pv - fmin(1, 2.0 * (le < ge ? le : ge) / 924)) > 1e-12)
				bad++;
		}
		ok(!bad, "exact p for 6 vs 6, every U from 0 to 36, equals a brute-force count of all 924 splits");
	}

	for (i = 0; i < 40; i++) {
		big_x[i] = i;
		big_y[i] = i + 20;
	}
	tdxtop_hodges_lehmann(x3, 3, hy, 3, 0.95, &sh, &lo, &hi);
	ok(sh == 10 && lo == 8 && hi == 12,
	   "Hodges-Lehmann: median of pairwise differences 10; 3 vs 3 too few for 95%%: the whole range");
	tdxtop_hodges_lehmann(big_x, 40, big_y, 40, 0.95, &sh, &lo, &hi);
	ok(sh == 20 && lo < 20 && hi > 20 && lo > 14 && hi < 26,
	   "40 vs 40 shifted by 20: shift 20, interval [%g, %g] around it", lo, hi);

	/* against the definition: every pairwise difference, sorted */
	{
		double rx[60], ry[60], *d = malloc(3600 * sizeof(*d));
		unsigned int seed = 7;
		int t, bad = 0;

		for (t = 0; t < 300 && d; t++) {
			size_t m = 1 + rand_r(&seed) % 60, n = 1 + rand_r(&seed) % 60, q, r, k = 0;
			double z = tdxtop_norm_quantile(0.975), c, ws, wl, wh;
			long ci;

			/* few distinct values half the time: ties everywhere */
			for (q = 0; q < m; q++)
				rx[q] = t % 2 ? rand_r(&seed) % 5 : rand_r(&seed) / 1e6;
			for (q = 0; q < n; q++)
				ry[q] = t % 2 ? rand_r(&seed) % 5 : rand_r(&seed) / 1e6;
			for (q = 0; q < m; q++)
				for (r = 0; r < n; r++)
					d[k++] = ry[r] - rx[q];
			qsort(d, k, sizeof(*d), cmp_dbl);
			ws = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2;
			c = k / 2.0 - z * sqrt(k * (double)(m + n + 1) / 12);
			ci = (long)floor(c);
			wl = ci < 1 ? d[0] : d[ci - 1];
			wh = ci < 1 ? d[k - 1] : d[k - ci];
			tdxtop_hodges_lehmann(rx, m, ry, n, 0.95, &sh, &lo, &hi);
			bad += sh != ws || lo != wl || hi != wh;
		}
		free(d);
		ok(!bad, "Hodges-Lehmann by selection: shift and interval equal the sorted "
		   "differences' in 300 random cases of 1-60 a side, with and without ties");
	}

	tdxtop_holm(p, 3, adj);
	ok(near(adj[0], 0.03, 1e-12) && near(adj[1], 0.06, 1e-12) && near(adj[2], 0.06, 1e-12),
	   "Holm: 0.01 0.04 0.03 -> 0.03 0.06 0.06");
	is_u64(tdxtop_min_samples(60, 0.05), 7, "60 comparisons at 0.05 need 7 samples a side");
	is_u64(tdxtop_min_samples(1, 0.05), 4, "one comparison at 0.05 needs 4 (2/70 < 0.05, 2/20 is not)");
	ok(near(tdxtop_norm_quantile(0.975), 1.959964, 1e-6) &&
	   near(tdxtop_norm_quantile(0.001), -3.090232, 1e-6), "normal quantiles");
	return tap_done();
}
