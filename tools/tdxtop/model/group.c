// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Views: the rows of a snapshot grouped per VM, per vCPU or per reason */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"

bool tdxtop_group_has_hist(enum tdxtop_group_by by)
{
	return by == TDXTOP_BY_VM || by == TDXTOP_BY_REASON || by == TDXTOP_BY_HOST_REASON;
}

static void mask_key(struct tdxtop_key *k, enum tdxtop_group_by by)
{
	switch (by) {
	case TDXTOP_BY_VM:
		k->vcpu = 0;
		k->reason = 0;
		k->status = 0;
		k->leaf = 0;
		break;
	case TDXTOP_BY_VCPU:
		k->reason = 0;
		k->status = 0;
		k->leaf = 0;
		break;
	case TDXTOP_BY_REASON:
		k->vcpu = 0;
		break;
	case TDXTOP_BY_HOST_REASON:
		k->tgid = 0;
		k->vcpu = 0;
		break;
	default:
		break;
	}
	k->pad = 0;
}

static void mask_hkey(struct tdxtop_key *k, const struct tdxtop_hkey *h,
		      enum tdxtop_group_by by)
{
	memset(k, 0, sizeof(*k));
	k->tgid = h->tgid;
	k->reason = h->reason;
	k->status = h->status;
	k->leaf = h->leaf;
	k->kind = h->kind;
	mask_key(k, by);
}

static __u64 sort_value(const struct tdxtop_group *g, enum tdxtop_sort_by sort)
{
	switch (sort) {
	case TDXTOP_SORT_GUEST:
		return g->st.sum[TDXTOP_M_GUEST];
	case TDXTOP_SORT_HOST:
		return g->st.sum[TDXTOP_M_HOST];
	case TDXTOP_SORT_RESTORE:
		return g->st.sum[TDXTOP_M_RESTORE];
	case TDXTOP_SORT_MAX:
		return g->st.max[TDXTOP_M_GUEST];
	default:
		return g->st.count;
	}
}

/* A total order on keys, word by word (a key is 5 aligned 64-bit words) */
static int by_key(const void *a, const void *b)
{
	const __u64 *x = (const __u64 *)&((const struct tdxtop_group *)a)->key;
	const __u64 *y = (const __u64 *)&((const struct tdxtop_group *)b)->key;
	size_t i;

	for (i = 0; i < sizeof(struct tdxtop_key) / sizeof(__u64); i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static int by_value(const void *a, const void *b)
{
	__u64 va = ((const struct tdxtop_group *)a)->order;
	__u64 vb = ((const struct tdxtop_group *)b)->order;

	if (va != vb)
		return va < vb ? 1 : -1;
	return by_key(a, b);	/* stable, deterministic order */
}

/*
 * Groups are found through the snapshot's index (tdxtop_index: open
 * addressing of group indices), so a view of N rows costs O(N) whatever
 * the order of the rows; only the groups themselves are sorted.  The view
 * keeps its arrays and its index from one interval to the next.
 */
static __u32 *index_find(const struct tdxtop_view *v, const struct tdxtop_key *k)
{
	return tdxtop_index_find(&v->idx, v->g, sizeof(*v->g), k, sizeof(*k));
}

/* Adds a row's stats to the group of key k, created from them when new */
static int group_add(struct tdxtop_view *v, const struct tdxtop_key *k,
		     const struct tdxtop_stats *st)
{
	struct tdxtop_group *g;
	__u32 *slot;

	if (tdxtop_index_reserve(&v->idx, v->g, sizeof(*v->g), v->nr, sizeof(*k)))
		return -ENOMEM;
	slot = index_find(v, k);
	if (*slot) {
		tdxtop_stats_merge(&v->g[*slot - 1].st, st);
		return 0;
	}
	if (TDXTOP_GROW(v->g, v->cap, v->nr + 1))
		return -ENOMEM;
	g = &v->g[v->nr];
	g->key = *k;
	g->st = *st;
	g->h = NULL;
	*slot = ++v->nr;
	return 0;
}

/* Histograms of the groups: indices while building, pointers at the end */
static int group_hists(struct tdxtop_view *v, const struct tdxtop_snap *s,
		       enum tdxtop_group_by by)
{
	size_t i;

	for (i = 0; i < s->nr_hrows; i++) {
		struct tdxtop_key k;
		__u32 *slot, hi;

		mask_hkey(&k, &s->hrows[i].key, by);
		slot = index_find(v, &k);
		/*
		 * a histogram read a moment after its rows can hold a key's
		 * first exits: the totals of all VMs keep it, in a group of
		 * its own without events
		 */
		if (!*slot && by == TDXTOP_BY_HOST_REASON) {
			static const struct tdxtop_stats none;

			if (group_add(v, &k, &none))
				return -ENOMEM;
			slot = index_find(v, &k);
		}
		if (!*slot)
			continue;
		hi = (__u32)(uintptr_t)v->g[*slot - 1].h;
		if (!hi) {
			if (TDXTOP_GROW(v->hists, v->cap_hists, v->nr_hists + 1))
				return -ENOMEM;
			memset(&v->hists[v->nr_hists], 0, sizeof(*v->hists));
			hi = ++v->nr_hists;
			v->g[*slot - 1].h = (struct tdxtop_hist *)(uintptr_t)hi;
		}
		tdxtop_hist_add_sparse(&v->hists[hi - 1], s, &s->hrows[i]);
	}
	for (i = 0; i < v->nr; i++)
		if (v->g[i].h)
			v->g[i].h = &v->hists[(uintptr_t)v->g[i].h - 1];
	return 0;
}

int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort)
{
	size_t i;
	int err;

	/*
	 * Every row of a snapshot has a key of its own (a vCPU's rows are
	 * found by key in its block, or else in the shared hash, and a key
	 * that went to the hash never finds room in the block later; merged
	 * and recorded snapshots keep that), so a view of all fields is the
	 * rows themselves: no index to build.
	 */
	if (by == TDXTOP_BY_ALL) {
		if (TDXTOP_GROW(v->g, v->cap, s->nr_rows))
			return -ENOMEM;
		v->nr_hists = 0;
		v->events = 0;
		for (i = 0; i < s->nr_rows; i++) {
			v->g[i].key = s->rows[i].key;
			v->g[i].key.pad = 0;
			v->g[i].st = s->rows[i].st;
			v->g[i].h = NULL;
			v->events += s->rows[i].st.count;
		}
		v->nr = s->nr_rows;
		goto sort;
	}
	/* sized for as many groups as last time: views repeat */
	err = tdxtop_index_clear(&v->idx, v->nr);
	v->nr = 0;
	v->nr_hists = 0;
	v->events = 0;
	if (err)
		return err;
	for (i = 0; i < s->nr_rows; i++) {
		struct tdxtop_key k = s->rows[i].key;

		mask_key(&k, by);
		if (group_add(v, &k, &s->rows[i].st))
			return -ENOMEM;
		v->events += s->rows[i].st.count;
	}
	if (tdxtop_group_has_hist(by)) {
		err = group_hists(v, s, by);
		if (err)
			return err;
	}
sort:
	for (i = 0; i < v->nr; i++)
		v->g[i].order = sort_value(&v->g[i], sort);
	qsort(v->g, v->nr, sizeof(*v->g), by_value);
	return 0;
}

void tdxtop_view_free(struct tdxtop_view *v)
{
	free(v->g);
	free(v->hists);
	tdxtop_index_free(&v->idx);
	memset(v, 0, sizeof(*v));
}

static const char *const group_names[TDXTOP_NR_GROUP_BY] = {
	[TDXTOP_BY_VM] = "vm",
	[TDXTOP_BY_VCPU] = "vcpu",
	[TDXTOP_BY_REASON] = "reason",
	[TDXTOP_BY_ALL] = "all",
};

static const char *const sort_names[TDXTOP_NR_SORT_BY] = {
	[TDXTOP_SORT_COUNT] = "count",
	[TDXTOP_SORT_GUEST] = "guest",
	[TDXTOP_SORT_HOST] = "host",
	[TDXTOP_SORT_RESTORE] = "restore",
	[TDXTOP_SORT_MAX] = "max",
};

const char *tdxtop_group_name(enum tdxtop_group_by by)
{
	return by < TDXTOP_NR_GROUP_BY ? group_names[by] : "?";
}

const char *tdxtop_sort_name(enum tdxtop_sort_by s)
{
	return s < TDXTOP_NR_SORT_BY ? sort_names[s] : "?";
}

static int lookup_name(const char *const *names, int nr, const char *s)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

int tdxtop_parse_group(const char *s)
{
	return lookup_name(group_names, TDXTOP_NR_GROUP_BY, s);
}

int tdxtop_parse_sort(const char *s)
{
	return lookup_name(sort_names, TDXTOP_NR_SORT_BY, s);
}
