// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop's intervals as Prometheus metrics: each interval is folded into
 * totals since the start (so counters only grow, whatever processes come
 * and go), and the totals are described family by family to a writer: the
 * text format 0.0.4 or OpenMetrics 1.0.0, or protobuf with native
 * histograms.  Series are labelled by VM name, not pid (a pid
 * is an unbounded label).  By default the detail is per host (exits and
 * guest time by exit reason, leaf and status) and per VM only in totals, so
 * a host stays within a few thousand series; --per-vm-histograms keeps the
 * detail per VM; --max-series caps the count, past which new label sets
 * go to one overflow series per family; VMs idle for --expire-after are
 * forgotten.  docs/prometheus.md lists the metrics and the arithmetic.
 *
 * The formats' writers: prom_text.c, prom_pb.c.  Past 600 lines: the
 * totals, their cap and expiry, and the one description of the families
 * every format writes, which must stay in step.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/prom.h"

#define PROM_HOST	0xffffffffu	/* key.vm of a host-wide series: no vm label */
#define PROM_OVERFLOW	0xfffffffeu	/* key.vm of a family's overflow series */
#define PROM_KINDS	8		/* > every TDXTOP_KIND_* */
#define HIST_SERIES	(TDXTOP_PROM_BUCKETS + 2)	/* buckets, _sum, _count */

/* The identity of a label set: VM name (an index of names), and the row's */
struct prom_key {
	__u32 vm;		/* index in names, PROM_HOST or PROM_OVERFLOW */
	__u32 pid;		/* --per-pid, else 0 */
	__u32 reason, status;
	__u64 leaf;
	__u32 kind;
	__u32 vcpu;		/* per-vCPU counters, else 0 */
};

/* What every entry of a table starts with */
struct prom_head {
	struct prom_key key;
	char *labels;
	__u64 last;		/* CLOCK_MONOTONIC ns of its VM's last event */
	__u32 cost;		/* the series it writes */
	__u8 cut;		/* past --max-series: its counts go to the overflow */
	__u8 gone;		/* its VM was idle for --expire-after */
};

/* Totals of a label set with histograms: exits, GS base, user return */
struct prom_series {
	struct prom_head h;
	__u64 count;
	__u64 n[TDXTOP_NR_METRICS], sum[TDXTOP_NR_METRICS];
	__u64 hn[TDXTOP_NR_METRICS];	/* samples in the buckets */
	__u64 bucket[TDXTOP_NR_METRICS][TDXTOP_PROM_BUCKETS];
	struct prom_native native[TDXTOP_NR_METRICS];
};

/* Totals of a vCPU's exits of one kind (--per-vcpu): counters, no buckets */
struct prom_vcpu {
	struct prom_head h;
	__u64 count;
	__u64 sum[TDXTOP_NR_METRICS];
};

/* Per VM: its exits and times, the exits that wrote each register back */
struct prom_vm {
	struct prom_head h;	/* key: vm and pid only */
	__u64 count;
	__u64 sum[TDXTOP_NR_METRICS];
	__u64 restored[TDXTOP_NR_RESTORED];
};

struct prom_name {
	char v[TDXTOP_LABEL_SIZE];	/* escaped, zero-padded: a key */
};

/* An array of entries with a key at offset 0, and its index */
struct prom_table {
	void *e;
	size_t nr, cap, elem;
	struct tdxtop_index idx;
};

struct tdxtop_prom {
	struct tdxtop_prom_opts o;
	struct prom_table names, series, vcpus, vms;
	__u32 *vm_of;			/* name index per VM of the snapshot */
	size_t cap_vm_of;
	struct tdxtop_snap totals;	/* losses, notes, program costs, CPU */
	__u64 restored[TDXTOP_NR_RESTORED];	/* the host's, by default */
	bool timed;			/* every interval had BPF run times */
	bool restores;			/* the source sees restores (tdx) */
	__u32 exit_kinds;		/* bit per exit kind of the source */
	size_t nr_series;		/* the entries' series */
	size_t reserve;			/* series kept for overflows not made yet */
	__u64 dropped;			/* series not made (--max-series) */
	__s32 native_of[TDXTOP_HIST_BUCKETS];	/* native bucket of each of tdxtop's */
	char info[3 * TDXTOP_LABEL_SIZE + 64];
};

/* ---- buckets ---- */

int tdxtop_prom_bucket(__u32 idx)
{
	__u64 hi = tdxtop_bucket_hi(idx);
	int j;

	for (j = 0; j < TDXTOP_PROM_BUCKETS - 1; j++)
		if (hi <= 1ULL << (TDXTOP_PROM_LO_SHIFT + j))
			return j;
	return TDXTOP_PROM_BUCKETS - 1;
}

__s32 tdxtop_prom_native_index(__u64 v)
{
	double x = v / 1e9, scale = 1 << TDXTOP_PROM_SCHEMA;
	__s32 i = (__s32)ceil(log2(x) * scale);

	/* bucket i is (2^((i-1)/scale), 2^(i/scale)]: mend log2's rounding */
	if (x > exp2(i / scale))
		i++;
	else if (x <= exp2((i - 1) / scale))
		i--;
	return i;
}

int tdxtop_prom_native_add(struct prom_native *h, __s32 i, __u64 n)
{
	size_t lo = 0, hi = h->nr, mid;

	if (i == INT32_MIN) {
		h->zero += n;
		return 0;
	}
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (h->b[mid].i < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nr && h->b[lo].i == i) {
		h->b[lo].n += n;
		return 0;
	}
	if (TDXTOP_GROW(h->b, h->cap, h->nr + 1))
		return -ENOMEM;
	memmove(h->b + lo + 1, h->b + lo, (h->nr - lo) * sizeof(*h->b));
	h->b[lo].i = i;
	h->b[lo].n = n;
	h->nr++;
	return 0;
}

int tdxtop_prom_native_merge(struct prom_native *to, const struct prom_native *from)
{
	size_t i;

	to->zero += from->zero;
	for (i = 0; i < from->nr; i++)
		if (tdxtop_prom_native_add(to, from->b[i].i, from->b[i].n))
			return -ENOMEM;
	return 0;
}

void tdxtop_prom_native_free(struct prom_native *h)
{
	free(h->b);
	memset(h, 0, sizeof(*h));
}

/* ---- tables ---- */

/* The entry of key k, created (zeroed, key set) when new; NULL: no memory */
static void *table_get(struct prom_table *t, const void *k, size_t ksz, bool *created)
{
	__u32 *slot;
	void *e;

	if (tdxtop_index_reserve(&t->idx, t->e, t->elem, t->nr, ksz))
		return NULL;
	slot = tdxtop_index_find(&t->idx, t->e, t->elem, k, ksz);
	*created = !*slot;
	if (*slot)
		return (char *)t->e + (*slot - 1) * t->elem;
	if (tdxtop_grow(&t->e, &t->cap, t->nr + 1, t->elem))
		return NULL;
	e = (char *)t->e + t->nr * t->elem;
	memset(e, 0, t->elem);
	memcpy(e, k, ksz);
	*slot = ++t->nr;
	return e;
}

#define TABLE_AT(t, type, i)	(&((type *)(t)->e)[i])
#define HEAD(t, i)		((struct prom_head *)((char *)(t)->e + (i) * (t)->elem))

static void entry_free(struct prom_table *t, size_t i)
{
	struct prom_head *h = HEAD(t, i);
	int m;

	free(h->labels);
	if (t->elem == sizeof(struct prom_series))
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			tdxtop_prom_native_free(&((struct prom_series *)h)->native[m]);
}

static void table_free(struct prom_table *t, bool entries)
{
	size_t i;

	for (i = 0; entries && i < t->nr; i++)
		entry_free(t, i);
	free(t->e);
	tdxtop_index_free(&t->idx);
}

/* Removes the entries marked gone, their series with them; 0 or -ENOMEM */
static int table_sweep(struct tdxtop_prom *p, struct prom_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++) {
		struct prom_head *h = HEAD(t, i);

		if (h->gone) {
			p->nr_series -= h->cost;
			entry_free(t, i);
			continue;
		}
		if (n != i)
			memcpy(HEAD(t, n), h, t->elem);
		n++;
	}
	if (n == t->nr)
		return 0;
	t->nr = n;
	if (tdxtop_index_clear(&t->idx, n))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		*tdxtop_index_find(&t->idx, t->e, t->elem, HEAD(t, i),
				   sizeof(struct prom_key)) = i + 1;
	return 0;
}

/* ---- the series' arithmetic (docs/prometheus.md) ---- */

/* The exit kinds a source's rows have */
static __u32 source_exit_kinds(const char *source)
{
	if (source && !strcmp(source, "kvm"))
		return 1u << TDXTOP_KIND_KVM_EXIT;
	if (source && !strcmp(source, "btf"))
		return 1u << TDXTOP_KIND_TD_EXIT | 1u << TDXTOP_KIND_KVM_EXIT;
	return 1u << TDXTOP_KIND_EXIT;
}

/* The series an entry of table t with key k writes */
static size_t entry_cost(const struct tdxtop_prom *p, const struct prom_table *t,
			 const struct prom_key *k)
{
	if (t == &p->vms)	/* exits, guest and host seconds; registers */
		return 3 + (p->o.per_vm_hist && p->restores ? TDXTOP_NR_RESTORED : 0);
	if (t == &p->vcpus)	/* exits and three sums */
		return 4;
	if (k->kind == TDXTOP_KIND_DEFERRED)
		return 1;
	if (!tdxtop_kind_is_exit(k->kind))	/* GS base, user return */
		return 1 + HIST_SERIES;
	if (!p->o.per_vm_hist)	/* the counter and guest time */
		return 1 + HIST_SERIES;
	return 1 + HIST_SERIES * (tdxtop_kind_restore_seen(k->kind) ? 3 : 2);
}

/* The series written whatever the rows: tdxtop's own, the host-wide ones */
static size_t fixed_series(const struct tdxtop_prom *p, int nr_progs, bool timed)
{
	size_t n = 1 + TDXTOP_NR_LOSSES + TDXTOP_NR_NOTES + nr_progs * (timed ? 2 : 1) + 1 + 1;
	int kind;

	if (p->o.per_vm_hist)
		return n;
	/* host and restore time by exit kind, the registers restored */
	for (kind = 0; kind < PROM_KINDS; kind++)
		if (p->exit_kinds & (1u << kind))
			n += HIST_SERIES * (tdxtop_kind_restore_seen(kind) ? 2 : 1);
	return n + (p->restores ? TDXTOP_NR_RESTORED : 0);
}

/* The overflow series that may be needed: one per family and kind */
static size_t overflow_series(const struct tdxtop_prom *p)
{
	struct prom_key k = {};
	size_t n = entry_cost(p, &p->vms, &k);
	int kind;

	for (kind = 0; kind < PROM_KINDS; kind++) {
		k.kind = kind;
		if (p->exit_kinds & (1u << kind)) {
			n += entry_cost(p, &p->series, &k);
			if (p->o.per_vcpu)
				n += entry_cost(p, &p->vcpus, &k);
		} else if (p->restores && !tdxtop_kind_is_exit(kind) &&
			   kind <= TDXTOP_KIND_URET) {
			n += entry_cost(p, &p->series, &k);
		}
	}
	return n;
}

size_t tdxtop_prom_min_series(const struct tdxtop_prom *p)
{
	return fixed_series(p, TDXTOP_MAX_PROGS, true) + overflow_series(p);
}

size_t tdxtop_prom_series(const struct tdxtop_prom *p)
{
	return fixed_series(p, p->totals.nr_progs, p->timed) + p->nr_series;
}

__u64 tdxtop_prom_dropped(const struct tdxtop_prom *p)
{
	return p->dropped;
}

int tdxtop_prom_new(struct tdxtop_prom **pp, const struct tdxtop_prom_opts *o)
{
	char v[TDXTOP_LABEL_SIZE], k[TDXTOP_LABEL_SIZE], s[TDXTOP_LABEL_SIZE];
	struct tdxtop_prom *p = calloc(1, sizeof(*p));
	__u32 i;

	*pp = NULL;
	if (!p)
		return -ENOMEM;
	p->o = *o;
	p->names.elem = sizeof(struct prom_name);
	p->series.elem = sizeof(struct prom_series);
	p->vcpus.elem = sizeof(struct prom_vcpu);
	p->vms.elem = sizeof(struct prom_vm);
	p->timed = true;
	p->exit_kinds = source_exit_kinds(o->source);
	p->restores = (p->exit_kinds >> TDXTOP_KIND_EXIT) & 1;
	p->reserve = overflow_series(p);
	if (o->max_series && o->max_series < tdxtop_prom_min_series(p)) {
		free(p);
		return -ERANGE;
	}
	tdxtop_label_value(v, sizeof(v), o->version ? o->version : "");
	tdxtop_label_value(k, sizeof(k), o->kernel ? o->kernel : "");
	tdxtop_label_value(s, sizeof(s), o->source ? o->source : "");
	snprintf(p->info, sizeof(p->info), "version=\"%s\",kernel=\"%s\",source=\"%s\"",
		 v, k, s);
	/* each of tdxtop's buckets goes whole to the native one of its least value */
	for (i = 0; i < TDXTOP_HIST_BUCKETS; i++)
		p->native_of[i] = i ? tdxtop_prom_native_index(tdxtop_bucket_lo(i)) : INT32_MIN;
	*pp = p;
	return 0;
}

void tdxtop_prom_free(struct tdxtop_prom *p)
{
	if (!p)
		return;
	table_free(&p->names, false);
	table_free(&p->series, true);
	table_free(&p->vcpus, true);
	table_free(&p->vms, true);
	free(p->vm_of);
	free(p);
}

/* ---- label sets ---- */

static const char *reason_label(const struct prom_key *k, char *buf)
{
	struct tdxtop_key tk = { .reason = k->reason, .status = k->status, .kind = k->kind };
	const char *r;

	if (k->reason == -1u)
		return "none";
	r = tdxtop_key_reason_name(&tk);
	return r ? r : tdxtop_hex(buf, k->reason, 1);
}

/*
 * vm="NAME"[,pid="N"][,vcpu="N"] (none host-wide, overflow="true" for the
 * overflow) and what the kind adds
 */
static char *make_labels(const struct tdxtop_prom *p, const struct prom_key *k,
			 bool vcpu, bool vm_only)
{
	char buf[TDXTOP_LABEL_SIZE + 256], hb[24], hl[24], hs[24];
	size_t o = 0;
	int b;

	buf[0] = '\0';
	if (k->vm == PROM_OVERFLOW) {
		o = snprintf(buf, sizeof(buf), ",overflow=\"true\"");
	} else if (k->vm != PROM_HOST) {
		o = snprintf(buf, sizeof(buf), ",vm=\"%s\"",
			     TABLE_AT(&p->names, struct prom_name, k->vm)->v);
		if (p->o.per_pid)
			o += snprintf(buf + o, sizeof(buf) - o, ",pid=\"%u\"", k->pid);
		if (vcpu)
			o += snprintf(buf + o, sizeof(buf) - o, ",vcpu=\"%u\"", k->vcpu);
	}
	if (vm_only)
		return strdup(buf + !!o);
	/* TDs and other VMs apart: only the btf source tells them */
	if (tdxtop_kind_is_exit(k->kind) && p->o.source && !strcmp(p->o.source, "btf"))
		o += snprintf(buf + o, sizeof(buf) - o, ",type=\"%s\"",
			      tdxtop_row_type(k->kind, p->o.source));
	if (k->vm == PROM_OVERFLOW) {
		/* the label sets past --max-series: their own labels are gone */
	} else if (tdxtop_kind_is_td_exit(k->kind)) {
		const char *l = k->leaf ? tdxtop_leaf_name(k->leaf) : NULL;
		const char *s = tdxtop_status_name(k->status);

		o += snprintf(buf + o, sizeof(buf) - o, ",reason=\"%s\"",
			      reason_label(k, hb));
		if (k->leaf)
			o += snprintf(buf + o, sizeof(buf) - o, ",leaf=\"%s\"",
				      l ? l : tdxtop_hex(hl, k->leaf, 1));
		snprintf(buf + o, sizeof(buf) - o, ",status=\"%s\"",
			 s ? s : tdxtop_hex(hs, k->status, 8));
	} else if (k->kind == TDXTOP_KIND_KVM_EXIT) {
		/* no leaf or status: the kvm source cannot tell them */
		snprintf(buf + o, sizeof(buf) - o, ",reason=\"%s\"", reason_label(k, hb));
	} else if (k->kind == TDXTOP_KIND_URET) {
		o += snprintf(buf + o, sizeof(buf) - o, ",msrs=\"");
		for (b = 0; b < 6; b++)
			if (k->leaf & (1u << b))
				o += snprintf(buf + o, sizeof(buf) - o, "%s%s",
					      buf[o - 1] == '"' ? "" : ",",
					      tdxtop_uret_msr_name(b));
		snprintf(buf + o, sizeof(buf) - o, "\"");
	}
	return strdup(buf + (buf[0] == ','));
}

/* The name index of each VM of the snapshot, in p->vm_of */
static int map_vms(struct tdxtop_prom *p, const struct tdxtop_snap *s)
{
	struct prom_name n, *e;
	bool created;
	size_t i;

	if (TDXTOP_GROW(p->vm_of, p->cap_vm_of, s->nr_vms + 1))
		return -ENOMEM;
	for (i = 0; i <= s->nr_vms; i++) {
		memset(&n, 0, sizeof(n));
		/* the last: rows of a process the snapshot has no name for */
		tdxtop_label_value(n.v, sizeof(n.v), i < s->nr_vms ? s->vms[i].name : "?");
		e = table_get(&p->names, &n, sizeof(n), &created);
		if (!e)
			return -ENOMEM;
		p->vm_of[i] = e - (struct prom_name *)p->names.e;
	}
	return 0;
}

/* The VM's key of a row: name and pid */
static void vm_key(const struct tdxtop_prom *p, const struct tdxtop_snap *s,
		   struct prom_key *pk, __u32 tgid)
{
	size_t i = tdxtop_snap_vm_index(s, tgid);

	memset(pk, 0, sizeof(*pk));
	pk->vm = p->vm_of[i < s->nr_vms && s->vms[i].tgid == tgid ? i : s->nr_vms];
	pk->pid = p->o.per_pid ? tgid : 0;
}

/* The key of a row's series: per VM with --per-vm-histograms, else the host's */
static void key_of(const struct tdxtop_prom *p, const struct tdxtop_snap *s,
		   struct prom_key *pk, const struct tdxtop_key *k)
{
	vm_key(p, s, pk, k->tgid);
	if (!p->o.per_vm_hist) {
		pk->vm = PROM_HOST;
		pk->pid = 0;
	}
	pk->reason = k->reason;
	pk->status = k->status;
	pk->leaf = k->leaf;
	pk->kind = k->kind;
}

/*
 * The entry of k in t, made with its labels when new, if the series it
 * writes fit under --max-series; else (cut) the family's overflow entry.
 * now: the interval's end.  NULL: no memory.
 */
static void *get_labelled(struct tdxtop_prom *p, struct prom_table *t,
			  const struct prom_key *k, bool vcpu, bool vm_only, __u64 now)
{
	struct prom_key ok = { .vm = PROM_OVERFLOW, .kind = k->kind };
	struct prom_head *h;
	bool created;
	size_t cost;

	h = table_get(t, k, sizeof(*k), &created);
	if (!h)
		return NULL;
	if (created) {
		h->last = now;
		cost = entry_cost(p, t, k);
		if (k->vm != PROM_OVERFLOW && p->o.max_series &&
		    tdxtop_prom_series(p) + p->reserve + cost > p->o.max_series) {
			h->cut = 1;
			p->dropped += cost;
		} else {
			h->labels = make_labels(p, k, vcpu, vm_only);
			if (!h->labels) {	/* forget it: the next interval tries again */
				t->nr--;
				*tdxtop_index_find(&t->idx, t->e, t->elem, k, sizeof(*k)) = 0;
				return NULL;
			}
			h->cost = cost;
			p->nr_series += cost;
			if (k->vm == PROM_OVERFLOW)	/* made: no longer kept aside */
				p->reserve -= cost < p->reserve ? cost : p->reserve;
		}
	}
	if (h->cut)
		return get_labelled(p, t, &ok, vcpu, vm_only, now);
	return h;
}

static int add_row(struct tdxtop_prom *p, const struct tdxtop_snap *s,
		   const struct tdxtop_row *r)
{
	const struct tdxtop_key *k = &r->key;
	bool active = r->st.count != 0;
	struct prom_series *se;
	struct prom_key pk, vk;
	struct prom_vm *vm;
	int m;

	/* the VM first: its last event is what --expire-after goes by */
	vm_key(p, s, &vk, k->tgid);
	vm = get_labelled(p, &p->vms, &vk, false, true, s->end_ns);
	if (!vm)
		return -ENOMEM;
	if (active && vm->h.key.vm != PROM_OVERFLOW)
		vm->h.last = s->end_ns;
	if (tdxtop_kind_is_exit(k->kind)) {
		vm->count += r->st.count;
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			vm->sum[m] += r->st.sum[m];
		for (m = 0; tdxtop_kind_restore_seen(k->kind) && m < TDXTOP_NR_RESTORED; m++) {
			vm->restored[m] += r->st.restored[m];
			p->restored[m] += r->st.restored[m];
		}
	}

	key_of(p, s, &pk, k);
	se = get_labelled(p, &p->series, &pk, false, false, s->end_ns);
	if (!se)
		return -ENOMEM;
	se->count += r->st.count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		se->n[m] += r->st.n[m];
		se->sum[m] += r->st.sum[m];
	}
	if (tdxtop_kind_is_exit(k->kind) && p->o.per_vcpu) {
		struct prom_vcpu *vc;

		vm_key(p, s, &pk, k->tgid);
		pk.reason = k->reason;
		pk.status = k->status;
		pk.leaf = k->leaf;
		pk.kind = k->kind;
		pk.vcpu = k->vcpu;
		vc = get_labelled(p, &p->vcpus, &pk, true, false, s->end_ns);
		if (!vc)
			return -ENOMEM;
		vc->count += r->st.count;
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			vc->sum[m] += r->st.sum[m];
	}
	return 0;
}

static int add_hist(struct tdxtop_prom *p, const struct tdxtop_snap *s,
		    const struct tdxtop_hrow *h)
{
	const struct tdxtop_bucket_count *b = s->buckets + h->first;
	struct tdxtop_key k = {
		.tgid = h->key.tgid, .reason = h->key.reason, .status = h->key.status,
		.leaf = h->key.leaf, .kind = h->key.kind,
	};
	struct prom_series *se;
	struct prom_key pk;
	__u32 i;

	key_of(p, s, &pk, &k);
	se = get_labelled(p, &p->series, &pk, false, false, s->end_ns);
	if (!se)
		return -ENOMEM;
	for (i = 0; i < h->nr; i++) {
		if (b[i].metric >= TDXTOP_NR_METRICS || b[i].bucket >= TDXTOP_HIST_BUCKETS)
			continue;
		se->bucket[b[i].metric][tdxtop_prom_bucket(b[i].bucket)] += b[i].count;
		se->hn[b[i].metric] += b[i].count;
		if (tdxtop_prom_native_add(&se->native[b[i].metric],
					   p->native_of[b[i].bucket], b[i].count))
			return -ENOMEM;
	}
	return 0;
}

/* The entries of VMs idle for --expire-after go, and their series */
static int expire(struct tdxtop_prom *p, __u64 now)
{
	struct prom_table *const tables[] = { &p->series, &p->vcpus };
	bool any = false;
	size_t i, j;

	for (i = 0; i < p->vms.nr; i++) {
		struct prom_head *h = HEAD(&p->vms, i);

		if (h->key.vm < PROM_OVERFLOW && now > h->last + p->o.expire_ns) {
			h->gone = 1;
			any = true;
		}
	}
	if (!any)
		return 0;
	for (j = 0; j < 2; j++) {
		struct prom_table *t = tables[j];

		for (i = 0; i < t->nr; i++) {
			struct prom_head *h = HEAD(t, i);
			struct prom_key vk = { .vm = h->key.vm, .pid = h->key.pid };
			__u32 slot;

			if (h->key.vm >= PROM_OVERFLOW)
				continue;
			slot = *tdxtop_index_find(&p->vms.idx, p->vms.e, p->vms.elem, &vk,
						  sizeof(vk));
			h->gone = slot && HEAD(&p->vms, slot - 1)->gone;
		}
		if (table_sweep(p, t))
			return -ENOMEM;
	}
	return table_sweep(p, &p->vms);
}

int tdxtop_prom_add(struct tdxtop_prom *p, const struct tdxtop_snap *s)
{
	size_t i;
	int err;

	err = map_vms(p, s);
	if (err)
		return err;
	/* first: the programs are in the fixed series the cap counts */
	tdxtop_snap_add_counters(&p->totals, s);
	p->timed = p->timed && s->timed;
	for (i = 0; !err && i < s->nr_rows; i++)
		err = add_row(p, s, &s->rows[i]);
	for (i = 0; !err && i < s->nr_hrows; i++)
		err = add_hist(p, s, &s->hrows[i]);
	if (!err && p->o.expire_ns)
		err = expire(p, s->end_ns);
	return err;
}

/* ---- the families, once for every format ---- */

static int hist_of(struct prom_writer *w, const struct prom_series *se, int m)
{
	struct prom_hist h = {
		.bucket = se->bucket[m], .native = &se->native[m], .sum = se->sum[m],
		/* samples the buckets missed (hist_full) are in the count */
		.count = se->n[m] > se->hn[m] ? se->n[m] : se->hn[m],
	};

	return w->hist(w, se->h.labels, &h);
}

/* Whether series of kind go into the families of kind fam: exits of either source */
static bool same_family(__u32 kind, __u32 fam)
{
	return kind == fam || (fam == TDXTOP_KIND_EXIT && tdxtop_kind_is_exit(kind));
}

#define SERIES_OF(p, i)	TABLE_AT(&(p)->series, struct prom_series, i)

/*
 * Host and restore time host-wide (the default): the sum of every exit
 * series of each exit kind, labelled by type on the btf source
 */
static int host_wide(const struct tdxtop_prom *p, struct prom_writer *w, int m)
{
	bool btf = p->o.source && !strcmp(p->o.source, "btf");
	struct prom_series agg;
	int kind, err = 0;
	size_t i;

	for (kind = 0; !err && kind < PROM_KINDS; kind++) {
		char *labels;

		if (!(p->exit_kinds & (1u << kind)) ||
		    (m == TDXTOP_M_RESTORE && !tdxtop_kind_restore_seen(kind)))
			continue;
		memset(&agg, 0, sizeof(agg));
		for (i = 0; !err && i < p->series.nr; i++) {
			const struct prom_series *se = SERIES_OF(p, i);
			int j;

			if (se->h.cut || se->h.key.kind != (__u32)kind)
				continue;
			agg.n[m] += se->n[m];
			agg.sum[m] += se->sum[m];
			agg.hn[m] += se->hn[m];
			for (j = 0; j < TDXTOP_PROM_BUCKETS; j++)
				agg.bucket[m][j] += se->bucket[m][j];
			err = tdxtop_prom_native_merge(&agg.native[m], &se->native[m]);
		}
		/* the type label alone, on the btf source */
		labels = NULL;
		if (!err && asprintf(&labels, btf ? "type=\"%s\"" : "%.0s",
				     tdxtop_row_type(kind, p->o.source)) < 0)
			labels = NULL;
		agg.h.labels = labels;
		if (!labels || hist_of(w, &agg, m))
			err = -ENOMEM;
		free(labels);
		tdxtop_prom_native_free(&agg.native[m]);
	}
	return err;
}

/* The families of the series of one kind: a counter and histograms */
static int kind_families(const struct tdxtop_prom *p, struct prom_writer *w, __u32 kind,
			 const char *counter, const char *counter_help,
			 const char *const *hists, const char *const *hist_help)
{
	size_t i;
	int m;

	if (w->family(w, counter, PROM_COUNTER, false, counter_help))
		return -ENOMEM;
	for (i = 0; i < p->series.nr; i++) {
		const struct prom_series *se = SERIES_OF(p, i);

		if (!se->h.cut && same_family(se->h.key.kind, kind) &&
		    w->value(w, se->h.labels, NULL, PROM_COUNT, se->count))
			return -ENOMEM;
	}
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (!hists[m])
			continue;
		if (w->family(w, hists[m], PROM_HISTOGRAM, true, hist_help[m]))
			return -ENOMEM;
		/* by default only guest time is by exit; host and restore per host */
		if (kind == TDXTOP_KIND_EXIT && m != TDXTOP_M_GUEST && !p->o.per_vm_hist) {
			if (host_wide(p, w, m))
				return -ENOMEM;
			continue;
		}
		for (i = 0; i < p->series.nr; i++) {
			const struct prom_series *se = SERIES_OF(p, i);

			/* the kvm and btf sources' exits have no restore time */
			if (se->h.cut || !same_family(se->h.key.kind, kind) ||
			    (m == TDXTOP_M_RESTORE && !tdxtop_kind_restore_seen(se->h.key.kind)))
				continue;
			if (hist_of(w, se, m))
				return -ENOMEM;
		}
	}
	return 0;
}

/* A family of one label's values, or of one unlabelled series */
static int simple(struct prom_writer *w, const char *name, enum prom_type t, bool seconds,
		  const char *help, const char *label, const char *const *values,
		  const __u64 *v, int n)
{
	char extra[128];
	int i;

	if (w->family(w, name, t, seconds, help))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (label)
			snprintf(extra, sizeof(extra), "%s=\"%s\"", label, values[i]);
		if (w->value(w, NULL, label ? extra : NULL, seconds ? PROM_SECONDS : PROM_COUNT,
			     v[i]))
			return -ENOMEM;
	}
	return 0;
}

static int write_vcpus(const struct tdxtop_prom *p, struct prom_writer *w)
{
	static const char *const names[] = {
		"tdxtop_vcpu_guest_seconds", "tdxtop_vcpu_host_seconds",
		"tdxtop_vcpu_restore_seconds",
	};
	static const char *const help[] = {
		"Time in guest (SEAMCALL, TDX module and guest) of the vCPU's exits.",
		"Host time between the vCPU's exits, ending at these exits.",
		"Host state restore time of the vCPU's exits.",
	};
	size_t i;
	int m;

	if (w->family(w, "tdxtop_vcpu_exits", PROM_COUNTER, false,
		      "TD exits per vCPU, exit reason, TDVMCALL leaf and TDX status class."))
		return -ENOMEM;
	for (i = 0; i < p->vcpus.nr; i++) {
		const struct prom_vcpu *vc = TABLE_AT(&p->vcpus, struct prom_vcpu, i);

		if (!vc->h.cut && w->value(w, vc->h.labels, NULL, PROM_COUNT, vc->count))
			return -ENOMEM;
	}
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (w->family(w, names[m], PROM_COUNTER, true, help[m]))
			return -ENOMEM;
		for (i = 0; i < p->vcpus.nr; i++) {
			const struct prom_vcpu *vc = TABLE_AT(&p->vcpus, struct prom_vcpu, i);

			if (!vc->h.cut &&
			    w->value(w, vc->h.labels, NULL, PROM_SECONDS, vc->sum[m]))
				return -ENOMEM;
		}
	}
	return 0;
}

/* Per VM: its exits and times; the registers written back, per VM or host */
static int write_vms(const struct tdxtop_prom *p, struct prom_writer *w)
{
	static const char *const names[] = {
		"tdxtop_vm_exits", "tdxtop_vm_guest_seconds", "tdxtop_vm_host_seconds",
	};
	static const char *const help[] = {
		"Exits of the VM, every reason.",
		"Time in guest of the VM's exits, every reason.",
		"Host time between the VM's exits, every reason.",
	};
	char extra[64];
	size_t i;
	int m, r;

	for (m = 0; m < 3; m++) {
		if (w->family(w, names[m], PROM_COUNTER, m > 0, help[m]))
			return -ENOMEM;
		for (i = 0; i < p->vms.nr; i++) {
			const struct prom_vm *vm = TABLE_AT(&p->vms, struct prom_vm, i);

			if (!vm->h.cut &&
			    w->value(w, vm->h.labels, NULL, m ? PROM_SECONDS : PROM_COUNT,
				     m ? vm->sum[m - 1] : vm->count))
				return -ENOMEM;
		}
	}
	if (!p->restores)	/* the kvm and btf sources do not see them */
		return 0;
	if (w->family(w, "tdxtop_restored_registers", PROM_COUNTER, false,
		      "TD exits after which KVM wrote each host register back."))
		return -ENOMEM;
	for (r = 0; r < TDXTOP_NR_RESTORED; r++) {
		snprintf(extra, sizeof(extra), "register=\"%s\"", tdxtop_restored_name(r));
		if (!p->o.per_vm_hist) {
			if (w->value(w, NULL, extra, PROM_COUNT, p->restored[r]))
				return -ENOMEM;
			continue;
		}
		for (i = 0; i < p->vms.nr; i++) {
			const struct prom_vm *vm = TABLE_AT(&p->vms, struct prom_vm, i);

			if (!vm->h.cut &&
			    w->value(w, vm->h.labels, extra, PROM_COUNT, vm->restored[r]))
				return -ENOMEM;
		}
	}
	return 0;
}

/* The families of exits, deferred entries and restores */
static int write_kinds(const struct tdxtop_prom *p, struct prom_writer *w)
{
	static const char *const exit_hists[] = {
		"tdxtop_guest_seconds", "tdxtop_host_seconds", "tdxtop_restore_seconds",
	};
	static const char *const kvm_hists[] = {
		"tdxtop_guest_seconds", "tdxtop_host_seconds", NULL,
	};
	static const char *const exit_help[] = {
		"Time in guest per exit: SEAMCALL, TDX module and guest, from before "
		"TDH.VP.ENTER to after it.",
		"Host time between a vCPU's exit and its next TDH.VP.ENTER, counted at "
		"the exit that follows.",
		"Time to restore the host state the TDX module does not preserve "
		"(DEBUGCTL, PKRU, XCR0, XSS), per exit.",
	};
	static const char *const gs_hists[] = { NULL, NULL, "tdxtop_gsbase_restore_seconds" };
	static const char *const gs_help[] = {
		NULL, NULL, "Time of the KERNEL_GS_BASE write at vcpu_put.",
	};
	static const char *const uret_hists[] = { NULL, NULL, "tdxtop_uret_restore_seconds" };
	static const char *const uret_help[] = {
		NULL, NULL, "Time of the user-return MSR writes after a TD ran.",
	};

	if (kind_families(p, w, TDXTOP_KIND_EXIT, "tdxtop_exits",
			  "TD exits (TDH.VP.ENTER returns) by exit reason, TDVMCALL leaf and "
			  "TDX status class.", p->restores ? exit_hists : kvm_hists, exit_help))
		return -ENOMEM;
	if (!p->restores)	/* the tdx events' only */
		return 0;
	return kind_families(p, w, TDXTOP_KIND_DEFERRED, "tdxtop_deferred_entries",
			     "Entries not made while a SEPT zap was retried (wait_for_sept_zap).",
			     (const char *const[]){ NULL, NULL, NULL }, NULL) ||
	       kind_families(p, w, TDXTOP_KIND_GSBASE, "tdxtop_gsbase_restores",
			     "KERNEL_GS_BASE writes at vcpu_put after a TD ran.", gs_hists,
			     gs_help) ||
	       kind_families(p, w, TDXTOP_KIND_URET, "tdxtop_uret_restores",
			     "User-return MSR restores after a TD ran, by the MSRs written.",
			     uret_hists, uret_help) ? -ENOMEM : 0;
}

/* Losses and notes, tdxtop's own cost: per program and the process's CPU */
static int write_counters(const struct tdxtop_prom *p, struct prom_writer *w)
{
	const char *prog_names[TDXTOP_MAX_PROGS];
	const char *loss_names[TDXTOP_NR_LOSSES], *note_names[TDXTOP_NR_NOTES];
	__u64 runs[TDXTOP_MAX_PROGS], times[TDXTOP_MAX_PROGS];
	int i;

	for (i = 0; i < TDXTOP_NR_LOSSES; i++)
		loss_names[i] = tdxtop_loss_name(i);
	for (i = 0; i < TDXTOP_NR_NOTES; i++)
		note_names[i] = tdxtop_note_name(i);
	for (i = 0; i < p->totals.nr_progs; i++) {
		prog_names[i] = p->totals.progs[i].name;
		runs[i] = p->totals.progs[i].run_cnt;
		times[i] = p->totals.progs[i].run_time_ns;
	}
	return simple(w, "tdxtop_drops", PROM_COUNTER, false,
		      "Events, or samples of them, that could not be aggregated "
		      "(stats_full: not counted; hist_full: counted, not in the buckets; "
		      "vcpu_full: no host time; missed: program runs the kernel skipped).",
		      "loss", loss_names, p->totals.losses, TDXTOP_NR_LOSSES) ||
	       simple(w, "tdxtop_notes", PROM_COUNTER, false,
		      "Events left out by choice (filtered: --min-latency) or without a "
		      "host time (host_skew: TSC behind the previous exit's; unpaired: kvm "
		      "source, a guest run that ended without kvm_exit).",
		      "note", note_names, p->totals.notes, TDXTOP_NR_NOTES) ||
	       simple(w, "tdxtop_bpf_runs", PROM_COUNTER, false,
		      "Runs of each of tdxtop's BPF programs.", "prog", prog_names, runs,
		      p->totals.nr_progs) ||
	       (p->timed &&
		simple(w, "tdxtop_bpf_run_seconds", PROM_COUNTER, true,
		       "CPU time the kernel accounted to each of tdxtop's BPF programs.",
		       "prog", prog_names, times, p->totals.nr_progs)) ||
	       simple(w, "tdxtop_cpu_seconds", PROM_COUNTER, true,
		      "CPU time of the tdxtop process (user and system).", NULL, NULL,
		      &p->totals.user_cpu_ns, 1) ||
	       simple(w, "tdxtop_series_dropped", PROM_COUNTER, false,
		      "Series not made because --max-series was reached: their counts are "
		      "in the family's series labelled overflow=\"true\".", NULL, NULL,
		      &p->dropped, 1) ? -ENOMEM : 0;
}

int tdxtop_prom_describe(const struct tdxtop_prom *p, struct prom_writer *w)
{
	__u64 one = 1;

	if (w->family(w, "tdxtop_build", PROM_INFO, false,
		      "tdxtop's version, the running kernel and the event source.") ||
	    w->value(w, p->info, NULL, PROM_COUNT, one) ||
	    write_kinds(p, w) || write_vms(p, w) || write_counters(p, w) ||
	    (p->o.per_vcpu && write_vcpus(p, w)))
		return -ENOMEM;
	return w->end(w);
}

int tdxtop_prom_write(const struct tdxtop_prom *p, struct tdxtop_buf *b,
		      enum tdxtop_prom_format f)
{
	b->len = 0;
	if (f == TDXTOP_PROM_PROTOBUF)
		return tdxtop_prom_pb(p, b);
	return tdxtop_prom_text(p, b, f == TDXTOP_PROM_OPENMETRICS);
}
