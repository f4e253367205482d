// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Views: the rows of a snapshot grouped per VM, per vCPU or per reason */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tdxtop.h"

bool tdxtop_group_has_hist(enum tdxtop_group_by by)
{
	return by == TDXTOP_BY_VM || by == TDXTOP_BY_REASON;
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

static enum tdxtop_sort_by g_sort;

static __u64 sort_value(const struct tdxtop_group *g)
{
	switch (g_sort) {
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

static int by_key(const void *a, const void *b)
{
	return memcmp(&((const struct tdxtop_group *)a)->key,
		      &((const struct tdxtop_group *)b)->key, sizeof(struct tdxtop_key));
}

static int by_value(const void *a, const void *b)
{
	__u64 va = sort_value(a), vb = sort_value(b);

	if (va != vb)
		return va < vb ? 1 : -1;
	return by_key(a, b);	/* stable, deterministic order */
}

static struct tdxtop_group *find(struct tdxtop_view *v, const struct tdxtop_key *k)
{
	struct tdxtop_group key = { .key = *k };

	return bsearch(&key, v->g, v->nr, sizeof(*v->g), by_key);
}

int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort)
{
	size_t i, w;

	tdxtop_view_free(v);
	if (s->nr_rows) {
		v->g = calloc(s->nr_rows, sizeof(*v->g));
		if (!v->g)
			return -ENOMEM;
		v->cap = s->nr_rows;
	}
	for (i = 0; i < s->nr_rows; i++) {
		v->g[i].key = s->rows[i].key;
		mask_key(&v->g[i].key, by);
		v->g[i].st = s->rows[i].st;
		v->events += s->rows[i].st.count;
	}
	v->nr = s->nr_rows;
	qsort(v->g, v->nr, sizeof(*v->g), by_key);
	/* fold equal keys */
	for (i = 0, w = 0; i < v->nr; i++) {
		if (w && !by_key(&v->g[w - 1], &v->g[i]))
			tdxtop_stats_merge(&v->g[w - 1].st, &v->g[i].st);
		else
			v->g[w++] = v->g[i];
	}
	v->nr = w;

	if (tdxtop_group_has_hist(by)) {
		for (i = 0; i < s->nr_hrows; i++) {
			struct tdxtop_group *g;
			struct tdxtop_key k;

			mask_hkey(&k, &s->hrows[i].key, by);
			g = find(v, &k);
			if (!g)
				continue;
			if (!g->h) {
				g->h = calloc(1, sizeof(*g->h));
				if (!g->h)
					return -ENOMEM;
			}
			tdxtop_hist_merge(g->h, &s->hrows[i].h);
		}
	}
	g_sort = sort;
	qsort(v->g, v->nr, sizeof(*v->g), by_value);
	return 0;
}

void tdxtop_view_free(struct tdxtop_view *v)
{
	size_t i;

	for (i = 0; i < v->nr; i++)
		free(v->g[i].h);
	free(v->g);
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
