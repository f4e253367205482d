// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The statistics of tdxtop diff (docs/decisions.md says why these): the
 * Mann-Whitney U test (exact without ties for small samples, else the
 * normal approximation with tie and continuity corrections), the
 * Hodges-Lehmann shift with its distribution-free (Moses) confidence
 * interval, and Holm's step-down correction.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double tdxtop_median(const double *v, size_t n, double *scratch)
{
	if (!n)
		return NAN;
	memcpy(scratch, v, n * sizeof(*v));
	qsort(scratch, n, sizeof(*scratch), cmp_d);
	return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

/* Standard normal upper tail, P(Z > z) */
static double norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* Quantile of the standard normal (Acklam's rational approximation, ~1e-9) */
double tdxtop_norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r;

	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425)
		return -tdxtop_norm_quantile(1 - p);
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/*
 * Exact two-sided p of U = u for sizes m, n without ties: the number of
 * arrangements giving each U is a coefficient of the Gaussian binomial
 * [m + n, m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
 */
static double exact_p(double u, int m, int n)
{
	int deg = m * n, i, k;
	double *c = calloc(deg + 1, sizeof(*c)), total = 0, le = 0, ge = 0;

	if (!c)
		return NAN;
	c[0] = 1;
	for (i = 1; i <= m; i++) {
		for (k = deg; k >= n + i; k--)	/* * (1 - q^(n+i)) */
			c[k] -= c[k - n - i];
		for (k = i; k <= deg; k++)	/* / (1 - q^i) */
			c[k] += c[k - i];
	}
	for (k = 0; k <= deg; k++) {
		total += c[k];
		if (k <= u)
			le += c[k];
		if (k >= u)
			ge += c[k];
	}
	free(c);
	le = 2 * (le < ge ? le : ge) / total;
	return le > 1 ? 1 : le;
}

int tdxtop_mann_whitney(const double *x, size_t m, const double *y, size_t n,
			double *u_out, double *p_out)
{
	size_t N = m + n, i, j;
	struct obs { double v; int side; } *o = NULL;
	double r1 = 0, ties = 0, u, mu, sigma2, z;

	if (m && n)
		o = malloc(N * sizeof(*o));
	if (!o)
		return m && n ? -ENOMEM : -EINVAL;
	for (i = 0; i < m; i++)
		o[i] = (struct obs){ x[i], 0 };
	for (i = 0; i < n; i++)
		o[m + i] = (struct obs){ y[i], 1 };
	qsort(o, N, sizeof(*o), cmp_d);	/* v is the first member */
	for (i = 0; i < N; i = j) {
		double rank;

		for (j = i + 1; j < N && o[j].v == o[i].v; j++)
			;
		rank = (i + 1 + j) / 2.0;	/* midrank of ranks i+1 .. j */
		ties += (double)(j - i) * (j - i) * (j - i) - (j - i);
		for (size_t k = i; k < j; k++)
			if (!o[k].side)
				r1 += rank;
	}
	free(o);
	u = r1 - m * (m + 1) / 2.0;		/* U of x: pairs with x > y */
	*u_out = u;
	if (!ties && m <= 50 && n <= 50) {
		*p_out = exact_p(u, m, n);
		return isnan(*p_out) ? -ENOMEM : 0;
	}
	mu = m * (double)n / 2;
	sigma2 = m * (double)n / 12 * ((N + 1) - ties / ((double)N * (N - 1)));
	if (sigma2 <= 0) {		/* every value equal */
		*p_out = 1;
		return 0;
	}
	z = (fabs(u - mu) - 0.5) / sqrt(sigma2);
	*p_out = z <= 0 ? 1 : fmin(1, 2 * norm_sf(z));
	return 0;
}

/*
 * The k-th smallest of a[0..n) into a[k], smaller ones before it and
 * larger after (quickselect, median of three): O(n) on average, where a
 * sort of the m x n differences was O(mn log mn) for each of diff's
 * thousands of comparisons
 */
static double select_kth(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double p, t;

		/* median of three as the pivot */
		if (a[mid] < a[lo])
			t = a[mid], a[mid] = a[lo], a[lo] = t;
		if (a[hi] < a[lo])
			t = a[hi], a[hi] = a[lo], a[lo] = t;
		if (a[hi] < a[mid])
			t = a[hi], a[hi] = a[mid], a[mid] = t;
		p = a[mid];
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				t = a[i], a[i] = a[j], a[j] = t;
				i++;
				if (j-- == 0)
					break;
			}
		}
		if (k <= j && j != (size_t)-1)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

static double max_of(const double *a, size_t n)
{
	double v = a[0];
	size_t i;

	for (i = 1; i < n; i++)
		if (a[i] > v)
			v = a[i];
	return v;
}

static double min_of(const double *a, size_t n)
{
	double v = a[0];
	size_t i;

	for (i = 1; i < n; i++)
		if (a[i] < v)
			v = a[i];
	return v;
}

int tdxtop_hodges_lehmann(const double *x, size_t m, const double *y, size_t n,
			  double conf, double *shift, double *lo, double *hi)
{
	size_t mn = m * n, mid = mn / 2, i, j, k = 0;
	double *d, z, c, upper;
	long ci;

	if (!m || !n)
		return -EINVAL;
	d = malloc(mn * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			d[k++] = y[j] - x[i];
	/* order statistics by selection: d[mid] splits the rest */
	upper = select_kth(d, mn, mid);
	*shift = mn % 2 ? upper : (max_of(d, mid) + upper) / 2;
	/* Moses: the C-th smallest and largest differences bound the shift */
	z = tdxtop_norm_quantile(1 - (1 - conf) / 2);
	c = mn / 2.0 - z * sqrt(mn * (double)(m + n + 1) / 12);
	ci = (long)floor(c);
	if (ci < 1) {			/* too few samples for this confidence */
		*lo = mid ? min_of(d, mid) : d[0];
		*hi = max_of(d + mid, mn - mid);
	} else {
		/* ci - 1 < mid <= mn - ci: each in its half */
		*lo = select_kth(d, mid, ci - 1);
		*hi = select_kth(d + mid, mn - mid, mn - ci - mid);
	}
	free(d);
	return 0;
}

/* Holm's step-down adjustment of p[0..k) into adj */
struct p_at {
	double p;
	size_t i;
};

static int cmp_p(const void *a, const void *b)
{
	const struct p_at *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

void tdxtop_holm(const double *p, size_t k, double *adj)
{
	struct p_at *o = malloc(k * sizeof(*o));
	double run = 0;
	size_t i;

	if (!o) {			/* Bonferroni: never less conservative */
		for (i = 0; i < k; i++)
			adj[i] = fmin(1, p[i] * k);
		return;
	}
	/* by p (diff's --per-vm makes tens of thousands: a sort, not insertion) */
	for (i = 0; i < k; i++)
		o[i] = (struct p_at){ p[i], i };
	qsort(o, k, sizeof(*o), cmp_p);
	for (i = 0; i < k; i++) {
		double a = fmin(1, (k - i) * o[i].p);

		run = fmax(run, a);
		adj[o[i].i] = run;
	}
	free(o);
}

int tdxtop_min_samples(size_t comparisons, double alpha)
{
	int n;

	/* the smallest two-sided exact p with n per side is 2 / C(2n, n) */
	for (n = 2; n < 1000; n++) {
		double c = 1;
		int i;

		for (i = 1; i <= n; i++)
			c = c * (n + i) / i;
		if (2 / c <= alpha / (comparisons ? comparisons : 1))
			return n;
	}
	return n;
}
