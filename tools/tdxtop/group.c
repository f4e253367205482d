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

/*
 * Groups are found through an open-addressing table of group indices, so a
 * view of N rows costs O(N) whatever the order of the rows; only the groups
 * themselves are sorted.
 */
struct index {
	__u32 *slot;		/* group index + 1; 0: free */
	size_t mask;
};

static size_t key_hash(const struct tdxtop_key *k)
{
	const __u64 *w = (const __u64 *)k;
	__u64 h = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < sizeof(*k) / sizeof(*w); i++) {
		h ^= w[i];
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	return h;
}

static __u32 *index_find(const struct index *ix, const struct tdxtop_view *v,
			 const struct tdxtop_key *k)
{
	size_t i = key_hash(k) & ix->mask;

	while (ix->slot[i] &&
	       memcmp(&v->g[ix->slot[i] - 1].key, k, sizeof(*k)))
		i = (i + 1) & ix->mask;
	return &ix->slot[i];
}

static int index_grow(struct index *ix, const struct tdxtop_view *v)
{
	size_t n = (ix->mask + 1) * 2, i;
	struct index nix = { calloc(n, sizeof(__u32)), n - 1 };

	if (!nix.slot)
		return -ENOMEM;
	for (i = 0; i < v->nr; i++)
		*index_find(&nix, v, &v->g[i].key) = i + 1;
	free(ix->slot);
	*ix = nix;
	return 0;
}

/* The group of key k, created empty when new */
static struct tdxtop_group *group_get(struct tdxtop_view *v, struct index *ix,
				      const struct tdxtop_key *k)
{
	__u32 *slot = index_find(ix, v, k);

	if (*slot)
		return &v->g[*slot - 1];
	if (v->nr == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 64;
		struct tdxtop_group *ng = realloc(v->g, ncap * sizeof(*ng));

		if (!ng)
			return NULL;
		v->g = ng;
		v->cap = ncap;
	}
	memset(&v->g[v->nr], 0, sizeof(v->g[v->nr]));
	v->g[v->nr].key = *k;
	*slot = ++v->nr;
	if (v->nr * 2 > ix->mask && index_grow(ix, v))
		return NULL;
	return &v->g[v->nr - 1];
}

int tdxtop_view_build(struct tdxtop_view *v, const struct tdxtop_snap *s,
		      enum tdxtop_group_by by, enum tdxtop_sort_by sort)
{
	struct index ix = { calloc(64, sizeof(__u32)), 63 };
	size_t i;
	int err = -ENOMEM;

	tdxtop_view_free(v);
	if (!ix.slot)
		return -ENOMEM;
	for (i = 0; i < s->nr_rows; i++) {
		struct tdxtop_key k = s->rows[i].key;
		struct tdxtop_group *g;

		mask_key(&k, by);
		g = group_get(v, &ix, &k);
		if (!g)
			goto out;
		tdxtop_stats_merge(&g->st, &s->rows[i].st);
		v->events += s->rows[i].st.count;
	}

	if (tdxtop_group_has_hist(by)) {
		for (i = 0; i < s->nr_hrows; i++) {
			struct tdxtop_group *g;
			struct tdxtop_key k;
			__u32 *slot;

			mask_hkey(&k, &s->hrows[i].key, by);
			slot = index_find(&ix, v, &k);
			if (!*slot)
				continue;
			g = &v->g[*slot - 1];
			if (!g->h) {
				g->h = calloc(1, sizeof(*g->h));
				if (!g->h)
					goto out;
			}
			tdxtop_hist_merge(g->h, &s->hrows[i].h);
		}
	}
	g_sort = sort;
	qsort(v->g, v->nr, sizeof(*v->g), by_value);
	err = 0;
out:
	free(ix.slot);
	return err;
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
