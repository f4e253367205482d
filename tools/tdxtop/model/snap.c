// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Snapshots: one interval's rows, sparse histograms, losses, notes, VM names
 * and costs (model.h), and the interval arithmetic that makes them from
 * two cumulative reads.  The reader, the tests and the benchmarks all go
 * through these functions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"

int tdxtop_grow(void **p, size_t *cap, size_t need, size_t elem)
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


bool tdxtop_stats_delta(struct tdxtop_stats *out, const struct tdxtop_stats *cur,
			struct tdxtop_cum *prev)
{
	int m, i;

	if (cur->count == prev->count)
		return false;
	*out = *cur;
	out->count -= prev->count;
	prev->count = cur->count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		out->n[m] -= prev->n[m];
		out->sum[m] -= prev->sum[m];
		prev->n[m] = cur->n[m];
		prev->sum[m] = cur->sum[m];
	}
	for (i = 0; i < TDXTOP_NR_RESTORED; i++) {
		out->restored[i] -= prev->restored[i];
		prev->restored[i] = cur->restored[i];
	}
	return true;
}

int tdxtop_snap_add_bucket(struct tdxtop_snap *s, int metric, int bucket, __u32 count)
{
	struct tdxtop_bucket_count *bc;

	if (TDXTOP_GROW(s->buckets, s->cap_buckets, s->nr_buckets + 1))
		return -ENOMEM;
	bc = &s->buckets[s->nr_buckets++];
	bc->metric = metric;
	bc->bucket = bucket;
	bc->count = count;
	return 0;
}

int tdxtop_snap_end_hist(struct tdxtop_snap *s, const struct tdxtop_hkey *k, size_t first)
{
	if (s->nr_buckets == first)
		return 0;
	if (TDXTOP_GROW(s->hrows, s->cap_hrows, s->nr_hrows + 1))
		return -ENOMEM;
	s->hrows[s->nr_hrows].key = *k;
	s->hrows[s->nr_hrows].first = first;
	s->hrows[s->nr_hrows].nr = s->nr_buckets - first;
	s->nr_hrows++;
	return 0;
}

int tdxtop_snap_add_hist(struct tdxtop_snap *s, const struct tdxtop_hkey *k,
			 const struct tdxtop_hist *cur, struct tdxtop_hist *prev)
{
	size_t first = s->nr_buckets;
	int m, b;

	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		for (b = 0; b < TDXTOP_HIST_BUCKETS; b++) {
			__u32 d = cur->bucket[m][b] - (prev ? prev->bucket[m][b] : 0);

			if (d && tdxtop_snap_add_bucket(s, m, b, d))
				return -ENOMEM;
		}
	if (prev)
		*prev = *cur;
	return tdxtop_snap_end_hist(s, k, first);
}

int tdxtop_snap_reserve_rows(struct tdxtop_snap *s, size_t n)
{
	return TDXTOP_GROW(s->rows, s->cap_rows, s->nr_rows + n);
}

int tdxtop_snap_add_row(struct tdxtop_snap *s, const struct tdxtop_key *k,
			const struct tdxtop_stats *st)
{
	if (TDXTOP_GROW(s->rows, s->cap_rows, s->nr_rows + 1))
		return -ENOMEM;
	s->rows[s->nr_rows].key = *k;
	s->rows[s->nr_rows].st = *st;
	s->nr_rows++;
	return 0;
}

size_t tdxtop_snap_vm_index(const struct tdxtop_snap *s, __u32 tgid)
{
	size_t lo = 0, hi = s->nr_vms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->vms[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct tdxtop_vm *vm_find(const struct tdxtop_snap *s, __u32 tgid,
				 size_t *pos)
{
	size_t lo = tdxtop_snap_vm_index(s, tgid);

	if (pos)
		*pos = lo;
	return lo < s->nr_vms && s->vms[lo].tgid == tgid ? &s->vms[lo] : NULL;
}

int tdxtop_snap_add_vm(struct tdxtop_snap *s, __u32 tgid, const char *name)
{
	struct tdxtop_vm *vm;
	size_t pos;

	vm = vm_find(s, tgid, &pos);
	if (!vm) {
		if (TDXTOP_GROW(s->vms, s->cap_vms, s->nr_vms + 1))
			return -ENOMEM;
		memmove(&s->vms[pos + 1], &s->vms[pos],
			(s->nr_vms - pos) * sizeof(*s->vms));
		s->nr_vms++;
		vm = &s->vms[pos];
		vm->tgid = tgid;
	}
	/* raw bytes, cut at the buffer; sanitize.c and jsonw.c deal with them */
	strncpy(vm->name, name, sizeof(vm->name) - 1);
	vm->name[sizeof(vm->name) - 1] = '\0';
	return 0;
}

const char *tdxtop_snap_vm_name(const struct tdxtop_snap *s, __u32 tgid)
{
	const struct tdxtop_vm *vm = vm_find(s, tgid, NULL);

	return vm ? vm->name : "?";
}

void tdxtop_snap_reset(struct tdxtop_snap *s)
{
	s->nr_rows = 0;
	s->nr_hrows = 0;
	s->nr_buckets = 0;
	s->nr_vms = 0;
	memset(s->losses, 0, sizeof(s->losses));
	memset(s->notes, 0, sizeof(s->notes));
	s->nr_progs = 0;
	s->user_cpu_ns = 0;
	s->nr_outliers = 0;
	memset(s->outlier_counts, 0, sizeof(s->outlier_counts));
}

int tdxtop_snap_add_outlier(struct tdxtop_snap *s, const struct tdxtop_outlier *o,
			    __u64 real_ns)
{
	if (TDXTOP_GROW(s->outliers, s->cap_outliers, s->nr_outliers + 1))
		return -ENOMEM;
	s->outliers[s->nr_outliers].o = *o;
	s->outliers[s->nr_outliers].real_ns = real_ns;
	s->nr_outliers++;
	return 0;
}

static int outlier_cmp(const void *a, const void *b)
{
	const struct tdxtop_outlier_ev *x = a, *y = b;

	if (x->o.tsc != y->o.tsc)
		return x->o.tsc < y->o.tsc ? -1 : 1;
	if (x->o.tgid != y->o.tgid)
		return x->o.tgid < y->o.tgid ? -1 : 1;
	return x->o.vcpu < y->o.vcpu ? -1 : x->o.vcpu > y->o.vcpu;
}

void tdxtop_snap_sort_outliers(struct tdxtop_snap *s)
{
	qsort(s->outliers, s->nr_outliers, sizeof(*s->outliers), outlier_cmp);
}

static int row_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct tdxtop_row *)a)->key,
		      &((const struct tdxtop_row *)b)->key, sizeof(struct tdxtop_key));
}

static int hrow_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct tdxtop_hrow *)a)->key,
		      &((const struct tdxtop_hrow *)b)->key, sizeof(struct tdxtop_hkey));
}

void tdxtop_snap_sort(struct tdxtop_snap *s)
{
	/* qsort() takes no NULL, even for nothing (an empty interval) */
	if (s->nr_rows)
		qsort(s->rows, s->nr_rows, sizeof(*s->rows), row_cmp);
	if (s->nr_hrows)
		qsort(s->hrows, s->nr_hrows, sizeof(*s->hrows), hrow_cmp);
}

void tdxtop_snap_free(struct tdxtop_snap *s)
{
	free(s->rows);
	free(s->hrows);
	free(s->buckets);
	free(s->vms);
	free(s->outliers);
	memset(s, 0, sizeof(*s));
}

double tdxtop_snap_seconds(const struct tdxtop_snap *s)
{
	return s->end_ns > s->start_ns ? (s->end_ns - s->start_ns) / 1e9 : 0;
}

__u64 tdxtop_snap_losses(const struct tdxtop_snap *s)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < TDXTOP_NR_LOSSES; i++)
		n += s->losses[i];
	return n;
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

void tdxtop_hist_add_sparse(struct tdxtop_hist *dst, const struct tdxtop_snap *s,
			    const struct tdxtop_hrow *h)
{
	const struct tdxtop_bucket_count *b = &s->buckets[h->first];
	__u32 i;

	for (i = 0; i < h->nr; i++)
		if (b[i].metric < TDXTOP_NR_METRICS && b[i].bucket < TDXTOP_HIST_BUCKETS)
			dst->bucket[b[i].metric][b[i].bucket] += b[i].count;
}

/* ---- merging intervals into one (report --merge, diff per run) ---- */

size_t tdxtop_hash_key(const void *key, size_t size)
{
	const __u64 *w = key;
	__u64 h = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++) {
		h ^= w[i];
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	return h;
}

__u32 *tdxtop_index_find(const struct tdxtop_index *x, const void *base, size_t elem,
			 const void *k, size_t ksz)
{
	size_t i = tdxtop_hash_key(k, ksz) & x->mask;

	while (x->slot[i] && memcmp((const char *)base + (x->slot[i] - 1) * elem, k, ksz))
		i = (i + 1) & x->mask;
	return &x->slot[i];
}

int tdxtop_index_reserve(struct tdxtop_index *x, const void *base, size_t elem,
			 size_t nr, size_t ksz)
{
	struct tdxtop_index n;
	size_t i;

	if (x->slot && (nr + 1) * 2 <= x->mask)
		return 0;
	n.mask = x->slot ? (x->mask + 1) * 2 - 1 : 63;
	n.slot = calloc(n.mask + 1, sizeof(*n.slot));
	if (!n.slot)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		*tdxtop_index_find(&n, base, elem, (const char *)base + i * elem, ksz) = i + 1;
	free(x->slot);
	*x = n;
	return 0;
}

int tdxtop_index_clear(struct tdxtop_index *x, size_t n)
{
	size_t want = 64;

	while (want < 2 * n)
		want *= 2;
	if (x->slot && want == x->mask + 1) {
		memset(x->slot, 0, want * sizeof(*x->slot));
		return 0;
	}
	free(x->slot);
	x->slot = calloc(want, sizeof(*x->slot));
	x->mask = x->slot ? want - 1 : 0;
	return x->slot ? 0 : -ENOMEM;
}

void tdxtop_index_free(struct tdxtop_index *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}

struct merge_hist {
	struct tdxtop_hkey key;
	struct tdxtop_hist h;
};

void tdxtop_snap_add_counters(struct tdxtop_snap *d, const struct tdxtop_snap *s)
{
	int j, k;

	d->user_cpu_ns += s->user_cpu_ns;
	for (j = 0; j < TDXTOP_NR_OUTLIER_COUNTS; j++)
		d->outlier_counts[j] += s->outlier_counts[j];
	if (s->outlier_spec)
		d->outlier_spec = s->outlier_spec;
	for (j = 0; j < TDXTOP_NR_LOSSES; j++)
		d->losses[j] += s->losses[j];
	for (j = 0; j < TDXTOP_NR_NOTES; j++)
		d->notes[j] += s->notes[j];
	for (j = 0; j < s->nr_progs; j++) {
		for (k = 0; k < d->nr_progs; k++)
			if (!strcmp(d->progs[k].name, s->progs[j].name))
				break;
		if (k == d->nr_progs) {
			if (k == TDXTOP_MAX_PROGS)
				continue;
			d->progs[d->nr_progs++] = (struct tdxtop_prog_cost){ 0 };
			memcpy(d->progs[k].name, s->progs[j].name, sizeof(d->progs[k].name));
		}
		d->progs[k].run_cnt += s->progs[j].run_cnt;
		d->progs[k].run_time_ns += s->progs[j].run_time_ns;
	}
}

int tdxtop_merge_add(struct tdxtop_merge *m, const struct tdxtop_snap *s)
{
	struct tdxtop_snap *d = &m->s;
	size_t i;
	int e;

	if (!m->n || s->start_ns < d->start_ns)
		d->start_ns = s->start_ns;
	if (s->end_ns > d->end_ns) {
		d->end_ns = s->end_ns;
		d->end_real_ns = s->end_real_ns;
	}
	d->source = s->source;
	d->tsc = s->tsc;
	d->timed = m->n ? d->timed && s->timed : s->timed;
	tdxtop_snap_add_counters(d, s);
	for (i = 0; i < s->nr_vms; i++) {
		e = tdxtop_snap_add_vm(d, s->vms[i].tgid, s->vms[i].name);
		if (e)
			return e;
	}
	for (i = 0; i < s->nr_outliers; i++) {
		e = tdxtop_snap_add_outlier(d, &s->outliers[i].o, s->outliers[i].real_ns);
		if (e)
			return e;
	}
	for (i = 0; i < s->nr_rows; i++) {
		__u32 *slot;

		e = tdxtop_index_reserve(&m->rows, d->rows, sizeof(*d->rows),
					 d->nr_rows, sizeof(struct tdxtop_key));
		if (e)
			return e;
		slot = tdxtop_index_find(&m->rows, d->rows, sizeof(*d->rows),
					 &s->rows[i].key, sizeof(struct tdxtop_key));
		if (*slot) {
			tdxtop_stats_merge(&d->rows[*slot - 1].st, &s->rows[i].st);
			continue;
		}
		e = tdxtop_snap_add_row(d, &s->rows[i].key, &s->rows[i].st);
		if (e)
			return e;
		*slot = d->nr_rows;
	}
	for (i = 0; i < s->nr_hrows; i++) {
		struct merge_hist *mh;
		__u32 *slot;

		e = tdxtop_index_reserve(&m->hist_idx, m->hists, sizeof(*m->hists),
					 m->nr_hists, sizeof(struct tdxtop_hkey));
		if (e)
			return e;
		slot = tdxtop_index_find(&m->hist_idx, m->hists, sizeof(*m->hists),
					 &s->hrows[i].key, sizeof(struct tdxtop_hkey));
		if (!*slot) {
			if (TDXTOP_GROW(m->hists, m->cap_hists, m->nr_hists + 1))
				return -ENOMEM;
			mh = &m->hists[m->nr_hists++];
			memset(mh, 0, sizeof(*mh));
			mh->key = s->hrows[i].key;
			*slot = m->nr_hists;
		}
		tdxtop_hist_add_sparse(&m->hists[*slot - 1].h, s, &s->hrows[i]);
	}
	m->n++;
	return 0;
}

int tdxtop_merge_finish(struct tdxtop_merge *m)
{
	size_t i;
	int e;

	m->s.nr_hrows = 0;
	m->s.nr_buckets = 0;
	for (i = 0; i < m->nr_hists; i++) {
		e = tdxtop_snap_add_hist(&m->s, &m->hists[i].key, &m->hists[i].h, NULL);
		if (e)
			return e;
	}
	return 0;
}

void tdxtop_merge_free(struct tdxtop_merge *m)
{
	tdxtop_snap_free(&m->s);
	tdxtop_index_free(&m->rows);
	tdxtop_index_free(&m->hist_idx);
	free(m->hists);
	memset(m, 0, sizeof(*m));
}
