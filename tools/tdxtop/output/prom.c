// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop's intervals as Prometheus metrics: each interval is folded into
 * totals since the start (so counters only grow, whatever processes come
 * and go), and the totals are written in the Prometheus text format 0.0.4
 * or OpenMetrics 1.0.0.  Series are labelled by VM name, not pid (a pid is
 * an unbounded label); histograms are tdxtop's, merged exactly into one
 * bucket per power of two of ns.  docs/prometheus.md lists the metrics.
 *
 * Past 600 lines: the totals and both exposition formats of one set of
 * metrics, which must stay in step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/output.h"

/* The identity of a label set: VM name (an index of names), and the row's */
struct prom_key {
	__u32 vm;		/* index in names */
	__u32 pid;		/* --per-pid, else 0 */
	__u32 reason, status;
	__u64 leaf;
	__u32 kind;
	__u32 vcpu;		/* per-vCPU counters, else 0 */
};

/* Totals of a label set with histograms: exits, GS base, user return */
struct prom_series {
	struct prom_key key;
	__u64 count;
	__u64 n[TDXTOP_NR_METRICS], sum[TDXTOP_NR_METRICS];
	__u64 hn[TDXTOP_NR_METRICS];	/* samples in the buckets */
	__u64 bucket[TDXTOP_NR_METRICS][TDXTOP_PROM_BUCKETS];
	char *labels;
};

/* Totals of a vCPU's exits of one kind (--per-vcpu): counters, no buckets */
struct prom_vcpu {
	struct prom_key key;
	__u64 count;
	__u64 sum[TDXTOP_NR_METRICS];
	char *labels;
};

/* Per VM: exits that wrote each register back */
struct prom_vm {
	struct prom_key key;	/* vm and pid only */
	__u64 restored[TDXTOP_NR_RESTORED];
	char *labels;
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
	bool timed;			/* every interval had BPF run times */
	char info[3 * TDXTOP_LABEL_SIZE + 64];
	char le[TDXTOP_PROM_BUCKETS][24];	/* le="..." of each bucket */
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

/* ns as seconds, exactly: "12", "0.000001023" */
static char *fmt_seconds(char *p, __u64 ns)
{
	char tmp[24], *t;
	__u64 frac = ns % 1000000000;
	int i, digits = 9;

	t = tdxtop_jw_format_u64(tmp + sizeof(tmp), ns / 1000000000);
	memcpy(p, t, tmp + sizeof(tmp) - t);
	p += tmp + sizeof(tmp) - t;
	if (!frac)
		return p;
	while (!(frac % 10)) {
		frac /= 10;
		digits--;
	}
	*p++ = '.';
	for (i = digits - 1; i >= 0; i--) {
		p[i] = '0' + frac % 10;
		frac /= 10;
	}
	return p + digits;
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

static void table_free(struct prom_table *t, size_t labels_off)
{
	size_t i;

	for (i = 0; labels_off && i < t->nr; i++)
		free(*(char **)((char *)t->e + i * t->elem + labels_off));
	free(t->e);
	tdxtop_index_free(&t->idx);
}

int tdxtop_prom_new(struct tdxtop_prom **pp, const struct tdxtop_prom_opts *o)
{
	char v[TDXTOP_LABEL_SIZE], k[TDXTOP_LABEL_SIZE], s[TDXTOP_LABEL_SIZE];
	struct tdxtop_prom *p = calloc(1, sizeof(*p));
	int j;

	if (!p)
		return -ENOMEM;
	p->o = *o;
	p->names.elem = sizeof(struct prom_name);
	p->series.elem = sizeof(struct prom_series);
	p->vcpus.elem = sizeof(struct prom_vcpu);
	p->vms.elem = sizeof(struct prom_vm);
	p->timed = true;
	tdxtop_label_value(v, sizeof(v), o->version ? o->version : "");
	tdxtop_label_value(k, sizeof(k), o->kernel ? o->kernel : "");
	tdxtop_label_value(s, sizeof(s), o->source ? o->source : "");
	snprintf(p->info, sizeof(p->info), "version=\"%s\",kernel=\"%s\",source=\"%s\"",
		 v, k, s);
	for (j = 0; j < TDXTOP_PROM_BUCKETS; j++) {
		char *e = p->le[j];

		memcpy(e, "le=\"", 4);
		e += 4;
		if (j == TDXTOP_PROM_BUCKETS - 1) {
			memcpy(e, "+Inf", 4);
			e += 4;
		} else {
			e = fmt_seconds(e, (1ULL << (TDXTOP_PROM_LO_SHIFT + j)) - 1);
		}
		*e++ = '"';
		*e = '\0';
	}
	*pp = p;
	return 0;
}

void tdxtop_prom_free(struct tdxtop_prom *p)
{
	if (!p)
		return;
	table_free(&p->names, 0);
	table_free(&p->series, offsetof(struct prom_series, labels));
	table_free(&p->vcpus, offsetof(struct prom_vcpu, labels));
	table_free(&p->vms, offsetof(struct prom_vm, labels));
	free(p->vm_of);
	free(p);
}

size_t tdxtop_prom_hist_series(const struct tdxtop_prom *p)
{
	return p->series.nr;
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

/* vm="NAME"[,pid="N"][,vcpu="N"] and what the kind adds */
static char *make_labels(const struct tdxtop_prom *p, const struct prom_key *k,
			 bool vcpu, bool vm_only)
{
	char buf[TDXTOP_LABEL_SIZE + 256], hb[24], hl[24], hs[24];
	const char *vm = TABLE_AT(&p->names, struct prom_name, k->vm)->v;
	size_t o;
	int b;

	o = snprintf(buf, sizeof(buf), "vm=\"%s\"", vm);
	if (p->o.per_pid)
		o += snprintf(buf + o, sizeof(buf) - o, ",pid=\"%u\"", k->pid);
	if (vcpu)
		o += snprintf(buf + o, sizeof(buf) - o, ",vcpu=\"%u\"", k->vcpu);
	if (vm_only)
		return strdup(buf);
	/* TDs and other VMs apart: only the btf source tells them */
	if (tdxtop_kind_is_exit(k->kind) && p->o.source && !strcmp(p->o.source, "btf"))
		o += snprintf(buf + o, sizeof(buf) - o, ",type=\"%s\"",
			      tdxtop_row_type(k->kind, p->o.source));
	if (tdxtop_kind_is_td_exit(k->kind)) {
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
	return strdup(buf);
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

static void key_of(const struct tdxtop_prom *p, const struct tdxtop_snap *s,
		   struct prom_key *pk, __u32 tgid, __u32 reason, __u32 status,
		   __u64 leaf, __u32 kind)
{
	size_t i = tdxtop_snap_vm_index(s, tgid);

	memset(pk, 0, sizeof(*pk));
	pk->vm = p->vm_of[i < s->nr_vms && s->vms[i].tgid == tgid ? i : s->nr_vms];
	pk->pid = p->o.per_pid ? tgid : 0;
	pk->reason = reason;
	pk->status = status;
	pk->leaf = leaf;
	pk->kind = kind;
}

/* The entry of k in t, its labels made when new */
static void *get_labelled(struct tdxtop_prom *p, struct prom_table *t,
			  const struct prom_key *k, size_t labels_off, bool vcpu,
			  bool vm_only)
{
	bool created;
	char **labels;
	void *e = table_get(t, k, sizeof(*k), &created);

	if (!e || !created)
		return e;
	labels = (char **)((char *)e + labels_off);
	*labels = make_labels(p, k, vcpu, vm_only);
	if (!*labels) {		/* forget it: the next interval tries again */
		t->nr--;
		*tdxtop_index_find(&t->idx, t->e, t->elem, k, sizeof(*k)) = 0;
		return NULL;
	}
	return e;
}

static int add_row(struct tdxtop_prom *p, const struct tdxtop_snap *s,
		   const struct tdxtop_row *r)
{
	const struct tdxtop_key *k = &r->key;
	struct prom_series *se;
	struct prom_key pk;
	int m;

	key_of(p, s, &pk, k->tgid, k->reason, k->status, k->leaf, k->kind);
	se = get_labelled(p, &p->series, &pk, offsetof(struct prom_series, labels),
			  false, false);
	if (!se)
		return -ENOMEM;
	se->count += r->st.count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		se->n[m] += r->st.n[m];
		se->sum[m] += r->st.sum[m];
	}
	if (!tdxtop_kind_is_exit(k->kind))
		return 0;
	if (p->o.per_vcpu) {
		struct prom_vcpu *vc;

		pk.vcpu = k->vcpu;
		vc = get_labelled(p, &p->vcpus, &pk, offsetof(struct prom_vcpu, labels),
				  true, false);
		if (!vc)
			return -ENOMEM;
		vc->count += r->st.count;
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			vc->sum[m] += r->st.sum[m];
	}
	{
		struct prom_key vk = { .vm = pk.vm, .pid = pk.pid };
		struct prom_vm *vm;

		if (!tdxtop_kind_restore_seen(k->kind))	/* restores are not seen */
			return 0;
		vm = get_labelled(p, &p->vms, &vk, offsetof(struct prom_vm, labels),
				  false, true);

		if (!vm)
			return -ENOMEM;
		for (m = 0; m < TDXTOP_NR_RESTORED; m++)
			vm->restored[m] += r->st.restored[m];
	}
	return 0;
}

static int add_hist(struct tdxtop_prom *p, const struct tdxtop_snap *s,
		    const struct tdxtop_hrow *h)
{
	const struct tdxtop_bucket_count *b = s->buckets + h->first;
	struct prom_series *se;
	struct prom_key pk;
	__u32 i;

	key_of(p, s, &pk, h->key.tgid, h->key.reason, h->key.status, h->key.leaf,
	       h->key.kind);
	se = get_labelled(p, &p->series, &pk, offsetof(struct prom_series, labels),
			  false, false);
	if (!se)
		return -ENOMEM;
	for (i = 0; i < h->nr; i++) {
		if (b[i].metric >= TDXTOP_NR_METRICS || b[i].bucket >= TDXTOP_HIST_BUCKETS)
			continue;
		se->bucket[b[i].metric][tdxtop_prom_bucket(b[i].bucket)] += b[i].count;
		se->hn[b[i].metric] += b[i].count;
	}
	return 0;
}

int tdxtop_prom_add(struct tdxtop_prom *p, const struct tdxtop_snap *s)
{
	size_t i;
	int err;

	err = map_vms(p, s);
	for (i = 0; !err && i < s->nr_rows; i++)
		err = add_row(p, s, &s->rows[i]);
	for (i = 0; !err && i < s->nr_hrows; i++)
		err = add_hist(p, s, &s->hrows[i]);
	if (err)
		return err;
	tdxtop_snap_add_counters(&p->totals, s);
	p->timed = p->timed && s->timed;
	return 0;
}

/* ---- writing ---- */

/* The longest line: a name, the labels of a series, le, a number */
#define LINE_MAX_LEN	(128 + TDXTOP_LABEL_SIZE + 512)

static char *put(char *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o, s, n);
	return o + n;
}

enum val_kind { V_COUNT, V_SECONDS };

/* name suffix{labels,extra} value\n; room for LINE_MAX_LEN is there */
static void sample(struct tdxtop_buf *b, const char *name, const char *suffix,
		   const char *labels, const char *extra, enum val_kind vk, __u64 v)
{
	char *o = b->p + b->len, tmp[24], *t;

	o = put(o, name);
	o = put(o, suffix);
	if ((labels && *labels) || extra) {
		*o++ = '{';
		if (labels && *labels)
			o = put(o, labels);
		if (extra) {
			if (labels && *labels)
				*o++ = ',';
			o = put(o, extra);
		}
		*o++ = '}';
	}
	*o++ = ' ';
	if (vk == V_SECONDS) {
		o = fmt_seconds(o, v);
	} else {
		t = tdxtop_jw_format_u64(tmp + sizeof(tmp), v);
		memcpy(o, t, tmp + sizeof(tmp) - t);
		o += tmp + sizeof(tmp) - t;
	}
	*o++ = '\n';
	b->len = o - b->p;
}

enum fam_type { F_COUNTER, F_GAUGE, F_HISTOGRAM, F_INFO };

/*
 * HELP and TYPE of a family.  name is the OpenMetrics family name; the text
 * format names a counter's family after its sample (name_total), and has
 * no info type (a gauge name_info of value 1).
 */
static int family(struct tdxtop_buf *b, bool om, const char *name, enum fam_type t,
		  bool seconds, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "info" };
	const char *suffix = "";
	int n;

	if (tdxtop_buf_room(b, 512 + strlen(help)))
		return -ENOMEM;
	if (!om && t == F_COUNTER)
		suffix = "_total";
	if (!om && t == F_INFO) {
		suffix = "_info";
		t = F_GAUGE;
	}
	n = snprintf(b->p + b->len, b->cap - b->len, "# HELP %s%s %s\n# TYPE %s%s %s\n",
		     name, suffix, help, name, suffix, types[t]);
	b->len += n;
	if (om && seconds)
		b->len += snprintf(b->p + b->len, b->cap - b->len, "# UNIT %s seconds\n",
				   name);
	return 0;
}

static int histogram(struct tdxtop_buf *b, const char *name, const struct prom_series *se,
		     int m, const struct tdxtop_prom *p)
{
	__u64 cum = 0, count = se->n[m] > se->hn[m] ? se->n[m] : se->hn[m];
	int j;

	if (tdxtop_buf_room(b, (TDXTOP_PROM_BUCKETS + 2) * LINE_MAX_LEN))
		return -ENOMEM;
	for (j = 0; j < TDXTOP_PROM_BUCKETS - 1; j++) {
		cum += se->bucket[m][j];
		sample(b, name, "_bucket", se->labels, p->le[j], V_COUNT, cum);
	}
	/* +Inf is _count: samples the buckets missed (hist_full) are in it */
	sample(b, name, "_bucket", se->labels, p->le[j], V_COUNT, count);
	sample(b, name, "_sum", se->labels, NULL, V_SECONDS, se->sum[m]);
	sample(b, name, "_count", se->labels, NULL, V_COUNT, count);
	return 0;
}

/* Whether series of kind go into the families of kind fam: exits of either source */
static bool same_family(__u32 kind, __u32 fam)
{
	return kind == fam || (fam == TDXTOP_KIND_EXIT && tdxtop_kind_is_exit(kind));
}

/* The families of the series of one kind: a counter and histograms */
static int kind_families(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om,
			 __u32 kind, const char *counter, const char *counter_help,
			 const char *const *hists, const char *const *hist_help)
{
	size_t i;
	int m;

	if (family(b, om, counter, F_COUNTER, false, counter_help))
		return -ENOMEM;
	for (i = 0; i < p->series.nr; i++) {
		const struct prom_series *se = TABLE_AT(&p->series, struct prom_series, i);

		if (!same_family(se->key.kind, kind))
			continue;
		if (tdxtop_buf_room(b, LINE_MAX_LEN))
			return -ENOMEM;
		sample(b, counter, "_total", se->labels, NULL, V_COUNT, se->count);
	}
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (!hists[m])
			continue;
		if (family(b, om, hists[m], F_HISTOGRAM, true, hist_help[m]))
			return -ENOMEM;
		for (i = 0; i < p->series.nr; i++) {
			const struct prom_series *se = TABLE_AT(&p->series,
								struct prom_series, i);

			/* the kvm and btf sources' exits have no restore time */
			if (!same_family(se->key.kind, kind) ||
			    (m == TDXTOP_M_RESTORE && !tdxtop_kind_restore_seen(se->key.kind)))
				continue;
			if (histogram(b, hists[m], se, m, p))
				return -ENOMEM;
		}
	}
	return 0;
}

static int simple(struct tdxtop_buf *b, bool om, const char *name, enum fam_type t,
		  bool seconds, const char *help, const char *label, const char *const *values,
		  const __u64 *v, int n)
{
	char extra[128];
	int i;

	if (family(b, om, name, t, seconds, help) || tdxtop_buf_room(b, n * LINE_MAX_LEN))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (label)
			snprintf(extra, sizeof(extra), "%s=\"%s\"", label, values[i]);
		sample(b, name, t == F_COUNTER ? "_total" : "", NULL, label ? extra : NULL,
		       seconds ? V_SECONDS : V_COUNT, v[i]);
	}
	return 0;
}

static int write_vcpus(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om)
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

	if (family(b, om, "tdxtop_vcpu_exits", F_COUNTER, false,
		   "TD exits per vCPU, exit reason, TDVMCALL leaf and TDX status class."))
		return -ENOMEM;
	for (i = 0; i < p->vcpus.nr; i++) {
		const struct prom_vcpu *vc = TABLE_AT(&p->vcpus, struct prom_vcpu, i);

		if (tdxtop_buf_room(b, LINE_MAX_LEN))
			return -ENOMEM;
		sample(b, "tdxtop_vcpu_exits", "_total", vc->labels, NULL, V_COUNT, vc->count);
	}
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (family(b, om, names[m], F_COUNTER, true, help[m]))
			return -ENOMEM;
		for (i = 0; i < p->vcpus.nr; i++) {
			const struct prom_vcpu *vc = TABLE_AT(&p->vcpus, struct prom_vcpu, i);

			if (tdxtop_buf_room(b, LINE_MAX_LEN))
				return -ENOMEM;
			sample(b, names[m], "_total", vc->labels, NULL, V_SECONDS, vc->sum[m]);
		}
	}
	return 0;
}

static int write_restored(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om)
{
	char extra[64];
	size_t i;
	int r;

	if (family(b, om, "tdxtop_restored_registers", F_COUNTER, false,
		   "TD exits after which KVM wrote each host register back."))
		return -ENOMEM;
	for (i = 0; i < p->vms.nr; i++) {
		const struct prom_vm *vm = TABLE_AT(&p->vms, struct prom_vm, i);

		if (tdxtop_buf_room(b, TDXTOP_NR_RESTORED * LINE_MAX_LEN))
			return -ENOMEM;
		for (r = 0; r < TDXTOP_NR_RESTORED; r++) {
			snprintf(extra, sizeof(extra), "register=\"%s\"",
				 tdxtop_restored_name(r));
			sample(b, "tdxtop_restored_registers", "_total", vm->labels, extra,
			       V_COUNT, vm->restored[r]);
		}
	}
	return 0;
}

/* The families of exits, the restored state, deferred entries and restores */
static int write_kinds(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om)
{
	static const char *const exit_hists[] = {
		"tdxtop_guest_seconds", "tdxtop_host_seconds", "tdxtop_restore_seconds",
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

	return kind_families(p, b, om, TDXTOP_KIND_EXIT, "tdxtop_exits",
			     "TD exits (TDH.VP.ENTER returns) by VM, exit reason, TDVMCALL "
			     "leaf and TDX status class.", exit_hists, exit_help) ||
	       write_restored(p, b, om) ||
	       kind_families(p, b, om, TDXTOP_KIND_DEFERRED, "tdxtop_deferred_entries",
			     "Entries not made while a SEPT zap was retried (wait_for_sept_zap).",
			     (const char *const[]){ NULL, NULL, NULL }, NULL) ||
	       kind_families(p, b, om, TDXTOP_KIND_GSBASE, "tdxtop_gsbase_restores",
			     "KERNEL_GS_BASE writes at vcpu_put after a TD ran.", gs_hists,
			     gs_help) ||
	       kind_families(p, b, om, TDXTOP_KIND_URET, "tdxtop_uret_restores",
			     "User-return MSR restores after a TD ran, by the MSRs written.",
			     uret_hists, uret_help) ? -ENOMEM : 0;
}

/* Losses and notes, tdxtop's own cost: per program and the process's CPU */
static int write_counters(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om)
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
	return simple(b, om, "tdxtop_drops", F_COUNTER, false,
		      "Events, or samples of them, that could not be aggregated "
		      "(stats_full: not counted; hist_full: counted, not in the buckets; "
		      "vcpu_full: no host time; missed: program runs the kernel skipped).",
		      "loss", loss_names, p->totals.losses, TDXTOP_NR_LOSSES) ||
	       simple(b, om, "tdxtop_notes", F_COUNTER, false,
		      "Events left out by choice (filtered: --min-latency) or without a "
		      "host time (host_skew: TSC behind the previous exit's; unpaired: kvm "
		      "source, a guest run that ended without kvm_exit).",
		      "note", note_names, p->totals.notes, TDXTOP_NR_NOTES) ||
	       simple(b, om, "tdxtop_bpf_runs", F_COUNTER, false,
		      "Runs of each of tdxtop's BPF programs.", "prog", prog_names, runs,
		      p->totals.nr_progs) ||
	       (p->timed &&
		simple(b, om, "tdxtop_bpf_run_seconds", F_COUNTER, true,
		       "CPU time the kernel accounted to each of tdxtop's BPF programs.",
		       "prog", prog_names, times, p->totals.nr_progs)) ||
	       simple(b, om, "tdxtop_cpu_seconds", F_COUNTER, true,
		      "CPU time of the tdxtop process (user and system).", NULL, NULL,
		      &p->totals.user_cpu_ns, 1) ? -ENOMEM : 0;
}

int tdxtop_prom_write(const struct tdxtop_prom *p, struct tdxtop_buf *b, bool om)
{
	char info[sizeof(p->info) + 8];
	__u64 one = 1;

	b->len = 0;
	if (tdxtop_buf_room(b, 4096))
		return -ENOMEM;
	snprintf(info, sizeof(info), "%s", p->info);
	if (family(b, om, "tdxtop_build", F_INFO, false,
		   "tdxtop's version, the running kernel and the event source."))
		return -ENOMEM;
	sample(b, "tdxtop_build", "_info", info, NULL, V_COUNT, one);
	if (write_kinds(p, b, om) || write_counters(p, b, om) ||
	    (p->o.per_vcpu && write_vcpus(p, b, om)))
		return -ENOMEM;
	if (om) {
		if (tdxtop_buf_room(b, 8))
			return -ENOMEM;
		b->len += snprintf(b->p + b->len, b->cap - b->len, "# EOF\n");
	}
	return 0;
}
