// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Read-out of the BPF maps, once per interval, with batch lookups: the same
 * code serves the TUI, batch and JSON modes, the benchmarks and the tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"

/* blocks of "rows" per batch lookup: 32 vCPUs, 352 KiB */
#define BLOCK_BATCH	32
/* entries of "stats" and "hist_ids" per batch lookup */
#define HASH_BATCH	256

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

/* Batch-read a hash map into buf/keys, calling add() with each pair */
static int read_hash(int fd, size_t ksz, size_t vsz, void *keys, void *vals,
		     int (*add)(struct tdxtop_snap *, const void *, const void *),
		     struct tdxtop_snap *s)
{
	__u32 count, i;
	__u64 batch = 0;
	bool first = true;
	int err;

	for (;;) {
		count = HASH_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   keys, vals, &count, NULL);
		first = false;
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++) {
			int e = add(s, (char *)keys + i * ksz, (char *)vals + i * vsz);

			if (e)
				return e;
		}
		if (err)	/* ENOENT: done */
			return 0;
	}
}

static int add_entry(struct tdxtop_snap *s, const void *k, const void *v)
{
	return tdxtop_snap_add_row(s, k, &((const struct tdxtop_entry *)v)->st);
}

/* What a delta subtracts: the cumulative part of a row */
struct tdxtop_cum {
	__u64 count;
	__u64 n[TDXTOP_NR_METRICS];
	__u64 sum[TDXTOP_NR_METRICS];
	__u64 restored[TDXTOP_NR_RESTORED];
};

int tdxtop_reader_init(struct tdxtop_reader *r, const struct tdxtop_maps *m)
{
	size_t kv = sizeof(struct tdxtop_key) > sizeof(struct tdxtop_hkey) ?
		    sizeof(struct tdxtop_key) : sizeof(struct tdxtop_hkey);
	size_t kbytes = HASH_BATCH * kv;

	/* the keys of a batch: of "stats", "hist_ids", or all of "slots" */
	if (kbytes < m->nr_slots * sizeof(__u32))
		kbytes = m->nr_slots * sizeof(__u32);

	memset(r, 0, sizeof(*r));
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus < 0)
		return r->ncpus;
	r->m = *m;
	/* zeroed pages: only the rows of slots in use are ever touched */
	r->prev = calloc((size_t)m->nr_slots * TDXTOP_SLOT_ROWS, sizeof(*r->prev));
	r->prev_h = calloc(m->nr_hists, sizeof(*r->prev_h));
	r->slots = calloc(m->nr_slots, sizeof(*r->slots));
	r->buf = calloc(BLOCK_BATCH, sizeof(*r->buf));
	r->keys = calloc(1, kbytes);
	r->hbuf = malloc(sizeof(*r->hbuf));
	r->hcopy = malloc(sizeof(*r->hcopy));
	/* per-CPU values come 8-byte aligned: one __u64 per CPU */
	r->percpu = calloc(r->ncpus, sizeof(*r->percpu));
	if (!r->prev || !r->prev_h || !r->slots || !r->buf || !r->keys || !r->hbuf ||
	    !r->hcopy || !r->percpu) {
		tdxtop_reader_free(r);
		return -ENOMEM;
	}
	return 0;
}

void tdxtop_reader_free(struct tdxtop_reader *r)
{
	__u32 i;

	for (i = 0; r->prev_h && i < r->m.nr_hists; i++)
		free(r->prev_h[i]);
	free(r->prev_h);
	free(r->prev);
	free(r->slots);
	free(r->buf);
	free(r->keys);
	free(r->hbuf);
	free(r->hcopy);
	free(r->percpu);
	tdxtop_snap_free(&r->hash_prev);
	tdxtop_snap_free(&r->hash_cur);
	memset(r, 0, sizeof(*r));
}

/* Read entries [from, from + n) of an array map; in_batch is the key before */
static int read_array(int fd, __u32 from, __u32 n, __u32 *keys, void *vals)
{
	__u32 prev = from - 1, out, count = n;
	int err;

	err = bpf_map_lookup_batch(fd, from ? &prev : NULL, &out, keys, vals,
				   &count, NULL);
	if (err && errno != ENOENT)
		return -errno;
	return count == n ? 0 : -EIO;
}

/* Add the rows of one entry that moved since the last read */
static int delta_entry(struct tdxtop_snap *d, struct tdxtop_cum *p,
		       const struct tdxtop_entry *e)
{
	struct tdxtop_stats st = e->st;
	int m, i;

	if (!e->live || e->st.count == p->count)
		return 0;
	st.count -= p->count;
	p->count = e->st.count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		st.n[m] -= p->n[m];
		st.sum[m] -= p->sum[m];
		p->n[m] = e->st.n[m];
		p->sum[m] = e->st.sum[m];
	}
	for (i = 0; i < TDXTOP_NR_RESTORED; i++) {
		st.restored[i] -= p->restored[i];
		p->restored[i] = e->st.restored[i];
	}
	return tdxtop_snap_add_row(d, &e->key, &st);
}

/* The rows of the slots in use, BLOCK_BATCH blocks per lookup at most */
static int read_rows(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	__u32 s0, s, n, i;
	int err;

	err = read_array(r->m.slots_fd, 0, r->m.nr_slots, r->keys, r->slots);
	if (err)
		return err;
	/* room for every row of the slots in use: no copying while growing */
	for (s = 0, n = 0; s < r->m.nr_slots; s++)
		n += !!r->slots[s].id;
	if (grow((void **)&d->rows, &d->cap_rows,
		 d->nr_rows + (size_t)n * TDXTOP_SLOT_ROWS, sizeof(*d->rows)))
		return -ENOMEM;
	for (s0 = 0; s0 < r->m.nr_slots; s0 += n) {
		if (!r->slots[s0].id) {
			n = 1;
			continue;
		}
		for (n = 1; n < BLOCK_BATCH && s0 + n < r->m.nr_slots &&
		     r->slots[s0 + n].id; n++)
			;
		err = read_array(r->m.rows_fd, s0, n, r->keys, r->buf);
		if (err)
			return err;
		for (s = 0; s < n; s++)
			for (i = 0; i < TDXTOP_SLOT_ROWS; i++) {
				size_t pos = (size_t)(s0 + s) * TDXTOP_SLOT_ROWS + i;

				err = delta_entry(d, &r->prev[pos], &r->buf[s].e[i]);
				if (err)
					return err;
			}
	}
	return 0;
}

/* Histogram id: the shared one plus each CPU's copy */
static int read_hist(struct tdxtop_reader *r, __u32 id, struct tdxtop_hist *h)
{
	int c;

	if (bpf_map_lookup_elem(r->m.hists_fd, &id, h) ||
	    bpf_map_lookup_elem(r->m.hist_copy_fd, &id, r->percpu))
		return -errno;
	for (c = 0; c < r->ncpus; c++) {
		__u32 i = (__u32)r->percpu[c];

		if (!i || i == TDXTOP_NO_COPY)
			continue;
		i--;
		if (bpf_map_lookup_elem(r->m.hist_copies_fd, &i, r->hcopy))
			return -errno;
		tdxtop_hist_merge(h, r->hcopy);
	}
	return 0;
}

/* Histograms that moved since the last read, sorted by key */
static int read_hists(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	struct tdxtop_hkey *hk = (struct tdxtop_hkey *)r->keys;
	__u32 *ids = (__u32 *)r->buf->e;
	struct tdxtop_hist *cur = r->hbuf;
	__u32 count, i, batch = 0;
	bool first = true;
	int err, m, b;

	for (;;) {
		count = HASH_BATCH;
		err = bpf_map_lookup_batch(r->m.hist_ids_fd, first ? NULL : &batch,
					   &batch, hk, ids, &count, NULL);
		first = false;
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++) {
			struct tdxtop_hist *p;
			struct tdxtop_hrow *o;
			bool any = false;
			int e;

			if (ids[i] >= r->m.nr_hists)
				continue;
			e = read_hist(r, ids[i], cur);
			if (e)
				return e;
			p = r->prev_h[ids[i]];
			if (!p) {
				p = calloc(1, sizeof(*p));
				if (!p)
					return -ENOMEM;
				r->prev_h[ids[i]] = p;
			}
			if (tdxtop_snap_add_hrow(d, &hk[i], cur))
				return -ENOMEM;
			o = &d->hrows[d->nr_hrows - 1];
			for (m = 0; m < TDXTOP_NR_METRICS; m++)
				for (b = 0; b < TDXTOP_HIST_BUCKETS; b++) {
					o->h.bucket[m][b] -= p->bucket[m][b];
					any |= o->h.bucket[m][b] != 0;
				}
			*p = *cur;
			if (!any)
				d->nr_hrows--;
		}
		if (err)	/* ENOENT: done */
			break;
	}
	qsort(d->hrows, d->nr_hrows, sizeof(*d->hrows), hkey_cmp);
	return 0;
}

static int delta_rows(struct tdxtop_snap *out, const struct tdxtop_snap *cur,
		      const struct tdxtop_snap *prev);

int tdxtop_reader_read(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	__u64 drops[TDXTOP_NR_DROPS] = {};
	size_t j;
	__u32 i;
	int c, err;

	d->nr_rows = 0;
	d->nr_hrows = 0;
	d->ts_ns = now_ns();

	err = read_rows(r, d);
	if (err)
		return err;
	/* the hash's rows: few, sorted, and subtracted by key */
	r->hash_cur.nr_rows = 0;
	err = read_hash(r->m.stats_fd, sizeof(struct tdxtop_key),
			sizeof(struct tdxtop_entry), r->keys, r->buf->e, add_entry,
			&r->hash_cur);
	if (err)
		return err;
	qsort(r->hash_cur.rows, r->hash_cur.nr_rows, sizeof(*r->hash_cur.rows), key_cmp);
	err = delta_rows(d, &r->hash_cur, &r->hash_prev);
	if (err)
		return err;
	tdxtop_snap_swap(&r->hash_cur, &r->hash_prev);
	/* the sample counts the BPF side leaves to the row count */
	for (j = 0; j < d->nr_rows; j++) {
		struct tdxtop_row *row = &d->rows[j];
		int m;

		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			if (tdxtop_n_implied(row->key.kind, m))
				row->st.n[m] = row->st.count;
	}
	err = read_hists(r, d);
	if (err)
		return err;

	for (i = 0; i < TDXTOP_NR_DROPS; i++) {
		if (bpf_map_lookup_elem(r->m.drops_fd, &i, r->percpu)) {
			err = -errno;
			break;
		}
		for (c = 0; c < r->ncpus; c++)
			drops[i] += r->percpu[c];
	}
	for (c = 0; c < r->m.nr_progs && !err; c++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(r->m.prog_fds[c], &info, &len))
			err = -errno;
		drops[TDXTOP_DROP_MISSED] += info.recursion_misses;
	}
	for (i = 0; i < TDXTOP_NR_DROPS; i++) {
		d->drops[i] = drops[i] - r->prev_drops[i];
		r->prev_drops[i] = drops[i];
	}
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

/* Append cur - prev of rows sorted by key; rows only in prev are gone */
static int delta_rows(struct tdxtop_snap *out, const struct tdxtop_snap *cur,
		      const struct tdxtop_snap *prev)
{
	size_t i, j = 0;

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
	return 0;
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
	if (delta_rows(out, cur, prev))
		return -ENOMEM;

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
