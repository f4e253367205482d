// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Read-out of the BPF maps: one snapshot per interval, with batch lookups.  The same code serves the TUI, batch and JSON modes
 * and the tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"

/* entries per batch lookup: about 1 MiB of values, at most 1024 entries */
#define BATCH_BYTES	(1 << 20)

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tdxtop_key));
}

static int hkey_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tdxtop_hkey));
}

void tdxtop_stats_merge(struct tdxtop_stats *d, const struct tdxtop_stats *s)
{
	int m, i;

	d->count += s->count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (!s->n[m])
			continue;
		if (!d->n[m] || s->min[m] < d->min[m])
			d->min[m] = s->min[m];
		if (s->max[m] > d->max[m])
			d->max[m] = s->max[m];
		d->n[m] += s->n[m];
		d->sum[m] += s->sum[m];
	}
	for (i = 0; i < TDXTOP_NR_RESTORED; i++)
		d->restored[i] += s->restored[i];
}

void tdxtop_hist_merge(struct tdxtop_hist *d, const struct tdxtop_hist *s)
{
	int m, b;

	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		for (b = 0; b < TDXTOP_HIST_BUCKETS; b++)
			d->bucket[m][b] += s->bucket[m][b];
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int tdxtop_snap_add_row(struct tdxtop_snap *s, const struct tdxtop_key *k,
			const struct tdxtop_stats *st)
{
	if (grow((void **)&s->rows, &s->cap_rows, s->nr_rows + 1, sizeof(*s->rows)))
		return -ENOMEM;
	s->rows[s->nr_rows].key = *k;
	s->rows[s->nr_rows].st = *st;
	s->nr_rows++;
	return 0;
}

int tdxtop_snap_add_hrow(struct tdxtop_snap *s, const struct tdxtop_hkey *k,
			 const struct tdxtop_hist *h)
{
	if (grow((void **)&s->hrows, &s->cap_hrows, s->nr_hrows + 1, sizeof(*s->hrows)))
		return -ENOMEM;
	s->hrows[s->nr_hrows].key = *k;
	s->hrows[s->nr_hrows].h = *h;
	s->nr_hrows++;
	return 0;
}

void tdxtop_snap_sort(struct tdxtop_snap *s)
{
	qsort(s->rows, s->nr_rows, sizeof(*s->rows), key_cmp);
	qsort(s->hrows, s->nr_hrows, sizeof(*s->hrows), hkey_cmp);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Batch-read a hash map, calling add() with each key and value */
static int read_hash(int fd, size_t ksz, size_t vsz,
		     int (*add)(struct tdxtop_snap *, const void *, const void *),
		     struct tdxtop_snap *s)
{
	size_t batch_n = BATCH_BYTES / vsz;
	char *keys = NULL, *vals = NULL;
	__u32 count, i;
	__u64 batch = 0;
	bool first = true;
	int err = 0;

	if (batch_n > 1024)
		batch_n = 1024;
	if (batch_n < 8)
		batch_n = 8;
	keys = malloc(batch_n * ksz);
	vals = malloc(batch_n * vsz);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = batch_n;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   keys, vals, &count, NULL);
		first = false;
		if (err && errno != ENOENT) {
			err = -errno;
			goto out;
		}
		for (i = 0; i < count; i++) {
			int e = add(s, keys + i * ksz, vals + i * vsz);

			if (e) {
				err = e;
				goto out;
			}
		}
		if (err) {	/* ENOENT: done */
			err = 0;
			break;
		}
	}
out:
	free(keys);
	free(vals);
	return err;
}

static int add_stats(struct tdxtop_snap *s, const void *k, const void *v)
{
	return tdxtop_snap_add_row(s, k, v);
}

static int add_hist(struct tdxtop_snap *s, const void *k, const void *v)
{
	return tdxtop_snap_add_hrow(s, k, v);
}

int tdxtop_snap_read(struct tdxtop_snap *s, const struct tdxtop_maps *m)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *vals;
	__u32 i;
	int c, err;

	if (ncpus < 0)
		return ncpus;
	s->nr_rows = 0;
	s->nr_hrows = 0;
	memset(s->drops, 0, sizeof(s->drops));
	s->ts_ns = now_ns();

	err = read_hash(m->stats_fd, sizeof(struct tdxtop_key),
			sizeof(struct tdxtop_stats), add_stats, s);
	if (err)
		return err;
	err = read_hash(m->hists_fd, sizeof(struct tdxtop_hkey),
			sizeof(struct tdxtop_hist), add_hist, s);
	if (err)
		return err;

	vals = calloc(ncpus, sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < TDXTOP_NR_DROPS; i++) {
		if (bpf_map_lookup_elem(m->drops_fd, &i, vals)) {
			err = -errno;
			break;
		}
		for (c = 0; c < ncpus; c++)
			s->drops[i] += vals[c];
	}
	free(vals);
	for (c = 0; c < m->nr_progs && !err; c++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(m->prog_fds[c], &info, &len))
			err = -errno;
		s->drops[TDXTOP_DROP_MISSED] += info.recursion_misses;
	}
	tdxtop_snap_sort(s);
	return err;
}

static void stats_sub(struct tdxtop_stats *d, const struct tdxtop_stats *p)
{
	int m, i;

	d->count -= p->count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		d->n[m] -= p->n[m];
		d->sum[m] -= p->sum[m];
	}
	for (i = 0; i < TDXTOP_NR_RESTORED; i++)
		d->restored[i] -= p->restored[i];
}

int tdxtop_snap_delta(struct tdxtop_snap *out, const struct tdxtop_snap *cur,
		      const struct tdxtop_snap *prev)
{
	size_t i, j = 0;
	int m, b, d;

	out->nr_rows = 0;
	out->nr_hrows = 0;
	out->ts_ns = cur->ts_ns;
	for (d = 0; d < TDXTOP_NR_DROPS; d++)
		out->drops[d] = cur->drops[d] - (prev ? prev->drops[d] : 0);

	/* both sorted: merge walk; rows only in prev vanished (map cleared) */
	for (i = 0; i < cur->nr_rows; i++) {
		struct tdxtop_stats st = cur->rows[i].st;

		while (prev && j < prev->nr_rows &&
		       key_cmp(&prev->rows[j].key, &cur->rows[i].key) < 0)
			j++;
		if (prev && j < prev->nr_rows &&
		    !key_cmp(&prev->rows[j].key, &cur->rows[i].key))
			stats_sub(&st, &prev->rows[j].st);
		if (!st.count)
			continue;
		if (tdxtop_snap_add_row(out, &cur->rows[i].key, &st))
			return -ENOMEM;
	}

	j = 0;
	for (i = 0; i < cur->nr_hrows; i++) {
		const struct tdxtop_hrow *ph = NULL;
		struct tdxtop_hrow *oh;
		bool any = false;

		while (prev && j < prev->nr_hrows &&
		       hkey_cmp(&prev->hrows[j].key, &cur->hrows[i].key) < 0)
			j++;
		if (prev && j < prev->nr_hrows &&
		    !hkey_cmp(&prev->hrows[j].key, &cur->hrows[i].key))
			ph = &prev->hrows[j];
		if (tdxtop_snap_add_hrow(out, &cur->hrows[i].key, &cur->hrows[i].h))
			return -ENOMEM;
		oh = &out->hrows[out->nr_hrows - 1];
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			for (b = 0; b < TDXTOP_HIST_BUCKETS; b++) {
				if (ph)
					oh->h.bucket[m][b] -= ph->h.bucket[m][b];
				any |= oh->h.bucket[m][b] != 0;
			}
		if (!any)
			out->nr_hrows--;
	}
	return 0;
}

void tdxtop_snap_free(struct tdxtop_snap *s)
{
	free(s->rows);
	free(s->hrows);
	memset(s, 0, sizeof(*s));
}

void tdxtop_snap_swap(struct tdxtop_snap *a, struct tdxtop_snap *b)
{
	struct tdxtop_snap t = *a;

	*a = *b;
	*b = t;
}
