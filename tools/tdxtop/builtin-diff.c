// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop diff: did the TD enter/exit path get slower between two sets of
 * recordings?  Per key (all VMs or each VM by name; kind, reason, leaf,
 * status) and per metric (exit rate per vCPU-second; guest, host and
 * restore time at p50, p99 and mean), each interval (or run) is one
 * sample; base and new samples go through a Mann-Whitney U test, Holm's
 * correction across every comparison, and a Hodges-Lehmann shift with its
 * confidence interval.  A regression is a significant change whose whole
 * interval lies beyond --threshold.  docs/decisions.md says why.
 *
 * Exit status: 0 no regression, 1 at least one, 2 error or too few samples.
 * report --html calls the same analysis (tdxtop_diff_run()).  Longer than
 * 600 lines: sampling, comparison and its three printers are one gate.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "store/store.h"

static const char diff_doc[] =
"Compare recordings: BASE... against NEW... (tdxtop record), per exit reason\n"
"and metric, with a rank test across intervals.  Exit status 0: no\n"
"regression; 1: at least one (listed); 2: error or too few intervals.\n"
"\n"
"USAGE: tdxtop diff [-j] [--format text|json|markdown] [--threshold PCT]\n"
"                   [--alpha A] [--per-vm] [--per-run] BASE... -- NEW...\n"
"\n"
"EXAMPLES:\n"
"    tdxtop diff old.db -- new.db\n"
"    tdxtop diff a1.db a2.db a3.db -- b1.db b2.db b3.db   # interleaved runs\n"
"    tdxtop diff --format markdown --threshold 10 old.db -- new.db\n";

/* The histograms resolve values to 1/16 of their power of two */
#define HIST_RESOLUTION_PCT	6.25
/* More samples than this per side are merged into consecutive batches */
#define MAX_SAMPLES		200
/* --threshold and --alpha unless given */
#define DEF_THRESHOLD_PCT	5
#define DEF_ALPHA		0.05

enum { OPT_THRESHOLD = 0x400, OPT_ALPHA, OPT_PER_VM, OPT_PER_RUN, OPT_FORMAT };
enum diff_format { DF_TEXT, DF_JSON, DF_MARKDOWN };

static struct {
	const char *files[2][64];
	int nr[2];
	double threshold, alpha;
	bool per_vm, per_run;
	enum diff_format format;
	bool pretty;
} df;

static const struct argp_option diff_opts[] = {
	{ "threshold", OPT_THRESHOLD, "PCT", 0,
	  "Smallest change that counts as a regression (5; percentiles: at least 6.25)", 0 },
	{ "alpha", OPT_ALPHA, "A", 0, "Family-wise significance level (0.05)", 0 },
	{ "per-vm", OPT_PER_VM, NULL, 0, "Also compare each VM (by name)", 0 },
	{ "per-run", OPT_PER_RUN, NULL, 0, "One sample per recording, not per interval", 0 },
	{ "format", OPT_FORMAT, "FMT", 0, "text (default), json, markdown", 0 },
	{ "json", 'j', NULL, 0, "Same as --format json", 0 },
	{},
};

static error_t parse_diff(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case OPT_THRESHOLD:
		df.threshold = strtod(arg, &end);
		if (*end || end == arg || !(df.threshold >= 0 && df.threshold <= 1000))
			argp_error(state, "invalid threshold: %s (percent, 0-1000)", arg);
		break;
	case OPT_ALPHA:
		df.alpha = strtod(arg, &end);
		if (*end || end == arg || !(df.alpha > 0 && df.alpha < 0.5))
			argp_error(state, "invalid alpha: %s (0 < A < 0.5)", arg);
		break;
	case OPT_PER_VM:
		df.per_vm = true;
		break;
	case OPT_PER_RUN:
		df.per_run = true;
		break;
	case 'j':
		df.format = DF_JSON;
		tdxtop_json_errors = true;
		break;
	case OPT_FORMAT:
		if (!strcmp(arg, "text"))
			df.format = DF_TEXT;
		else if (!strcmp(arg, "json"))
			df.format = DF_JSON;
		else if (!strcmp(arg, "markdown"))
			df.format = DF_MARKDOWN;
		else
			argp_error(state, "invalid format: %s (text, json, markdown)", arg);
		tdxtop_json_errors = df.format == DF_JSON;
		break;
	case ARGP_KEY_ARG:
		if (df.nr[0] == 64)
			argp_error(state, "at most 64 recordings per side");
		df.files[0][df.nr[0]++] = arg;
		break;
	case ARGP_KEY_END:
		if (!df.nr[0] || !df.nr[1])
			argp_error(state, "usage: tdxtop diff [OPTIONS] BASE... -- NEW...");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* What is compared: a statistic of a metric */
enum stat {
	S_RATE,
	S_GUEST_P50, S_GUEST_P99, S_GUEST_MEAN,
	S_HOST_P50, S_HOST_P99, S_HOST_MEAN,
	S_RESTORE_P50, S_RESTORE_P99, S_RESTORE_MEAN,
	NR_STATS,
};

static const char *const stat_names[NR_STATS] = {
	"rate", "guest p50", "guest p99", "guest mean", "host p50", "host p99",
	"host mean", "restore p50", "restore p99", "restore mean",
};

static int stat_metric(int s)
{
	return s == S_RATE ? -1 : (s - 1) / 3;
}

static bool stat_is_pct(int s)
{
	return s != S_RATE && (s - 1) % 3 < 2;
}

/* A key: all VMs ("") or one by name; kind, reason, leaf, status */
struct dkey {
	char vm[TDXTOP_VM_NAME_LEN];
	__u32 kind, reason, status;
	__u64 leaf;
};

struct series {
	double *v;
	size_t n, cap;
};

/* A key's samples on each side, per statistic, and the sample being made */
struct key_samples {
	struct dkey key;
	struct series s[2][NR_STATS];
	/* this sample's accumulation; per metric its samples and buckets used */
	struct tdxtop_stats st;
	struct tdxtop_hist *h;
	__u64 hn[TDXTOP_NR_METRICS];
	int first[TDXTOP_NR_METRICS], last[TDXTOP_NR_METRICS];
};

/* Adds histogram row hr of s to d's, noting the buckets it touches */
static void add_hist(struct key_samples *d, const struct tdxtop_snap *s,
		     const struct tdxtop_hrow *hr)
{
	__u32 i;

	for (i = 0; i < hr->nr; i++) {
		const struct tdxtop_bucket_count *b = &s->buckets[hr->first + i];
		int m = b->metric;

		if (!d->hn[m] || b->bucket < d->first[m])
			d->first[m] = b->bucket;
		if (!d->hn[m] || b->bucket > d->last[m])
			d->last[m] = b->bucket;
		d->h->bucket[m][b->bucket] += b->count;
		d->hn[m] += b->count;
	}
}

/* Empties d's histogram: the buckets it used only */
static void clear_hist(struct key_samples *d)
{
	int m;

	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		if (d->hn[m])
			memset(&d->h->bucket[m][d->first[m]], 0,
			       (d->last[m] - d->first[m] + 1) * sizeof(d->h->bucket[m][0]));
		d->hn[m] = 0;
	}
}

struct scope {
	char vm[TDXTOP_VM_NAME_LEN];
	double vcpu_s, exits;
	struct series total[2];
};

struct dtable {
	struct key_samples *e;
	size_t nr, cap;
	size_t samples[2];
	__u64 intervals[2];
	struct tdxtop_tsc ref_tsc;	/* the first base recording's */
	double max_tsc_dev;		/* largest relative difference to it */
	int side;			/* the side being read */
	/*
	 * Per scope (all VMs "", then each VM name): the sample's
	 * vCPU-seconds and exits; per side, the samples in which the scope
	 * had exits and their total exit rates
	 */
	struct scope *vs;
	size_t nr_vs, cap_vs;
	struct tdxtop_index idx, vs_idx;	/* of e by key, of vs by name */
};

static int push(struct series *s, double v)
{
	if (TDXTOP_GROW(s->v, s->cap, s->n + 1))
		return -ENOMEM;
	s->v[s->n++] = v;
	return 0;
}

/*
 * The scope of vm, added when new: its index (a pointer would not outlive
 * the next scope added), or -ENOMEM
 */
static ssize_t scope_idx(struct dtable *t, const char *vm)
{
	char name[TDXTOP_VM_NAME_LEN] = {};	/* the key: zero-padded */
	__u32 *slot;

	snprintf(name, sizeof(name), "%s", vm);
	if (tdxtop_index_reserve(&t->vs_idx, t->vs, sizeof(*t->vs), t->nr_vs, sizeof(name)))
		return -ENOMEM;
	slot = tdxtop_index_find(&t->vs_idx, t->vs, sizeof(*t->vs), name, sizeof(name));
	if (*slot)
		return *slot - 1;
	if (TDXTOP_GROW(t->vs, t->cap_vs, t->nr_vs + 1))
		return -ENOMEM;
	memset(&t->vs[t->nr_vs], 0, sizeof(t->vs[0]));
	memcpy(t->vs[t->nr_vs].vm, name, sizeof(name));
	*slot = ++t->nr_vs;
	return t->nr_vs - 1;
}

/* The scope of vm, valid until the next scope is added; NULL: out of memory */
static struct scope *scope_get(struct dtable *t, const char *vm)
{
	ssize_t i = scope_idx(t, vm);

	return i < 0 ? NULL : &t->vs[i];
}

/*
 * A key seen for the first time: it had no exits in the samples already
 * closed in which its scope had some, on either side, so its rate was 0
 * there (a key new in the second run gets a rate from 0 on the first)
 */
static int backfill(struct dtable *t, struct key_samples *d)
{
	struct scope *sc = scope_get(t, d->key.vm);
	size_t i;
	int side;

	if (!sc)
		return -ENOMEM;
	for (side = 0; side <= t->side; side++)
		for (i = 0; i < sc->total[side].n; i++)
			if (push(&d->s[side][S_RATE], 0))
				return -ENOMEM;
	return 0;
}

/* The entry of key k (made zero-padded by make_key()), added when new: O(1) */
static struct key_samples *entry_get(struct dtable *t, const struct dkey *k)
{
	struct key_samples *d;
	__u32 *slot;

	if (tdxtop_index_reserve(&t->idx, t->e, sizeof(*t->e), t->nr, sizeof(*k)))
		return NULL;
	slot = tdxtop_index_find(&t->idx, t->e, sizeof(*t->e), k, sizeof(*k));
	if (*slot)
		return &t->e[*slot - 1];
	if (TDXTOP_GROW(t->e, t->cap, t->nr + 1))
		return NULL;
	d = &t->e[t->nr];
	memset(d, 0, sizeof(*d));
	d->key = *k;
	d->h = calloc(1, sizeof(*d->h));
	if (!d->h || backfill(t, d)) {
		free(d->h);
		free(d->s[0][S_RATE].v);
		free(d->s[1][S_RATE].v);
		return NULL;
	}
	*slot = ++t->nr;
	return d;
}

static void make_key(struct dkey *k, const char *vm, __u32 kind, __u32 reason,
		     __u32 status, __u64 leaf)
{
	memset(k, 0, sizeof(*k));
	/* a copy a row: no printf (it was a fifth of reading a large recording) */
	memcpy(k->vm, vm, strnlen(vm, sizeof(k->vm) - 1));
	k->kind = kind;
	k->reason = reason;
	k->status = status;
	k->leaf = leaf;
}

/*
 * vCPU-seconds of one interval, for the exit rate: the vCPUs that exited in
 * it times its length, for all VMs and per VM name
 */
static int add_vcpu_seconds(struct dtable *t, const struct tdxtop_snap *s)
{
	double secs = tdxtop_snap_seconds(s);
	struct tdxtop_view v = {};
	ssize_t all, one;
	size_t i;
	int e;

	e = tdxtop_view_build(&v, s, TDXTOP_BY_VCPU, TDXTOP_SORT_COUNT);
	for (i = 0; !e && i < v.nr; i++) {
		if (!tdxtop_kind_is_exit(v.g[i].key.kind) || !v.g[i].st.count)
			continue;
		/* indices: the second may move the scopes the first found */
		all = scope_idx(t, "");
		one = df.per_vm ? scope_idx(t, tdxtop_snap_vm_name(s, v.g[i].key.tgid)) : -1;
		if (all < 0 || (df.per_vm && one < 0)) {
			e = -ENOMEM;
			break;
		}
		t->vs[all].vcpu_s += secs;
		t->vs[all].exits += v.g[i].st.count;
		if (one >= 0) {
			t->vs[one].vcpu_s += secs;
			t->vs[one].exits += v.g[i].st.count;
		}
	}
	tdxtop_view_free(&v);
	return e;
}

/* The entry of a row's or a histogram's key: all VMs (pass 0) or its VM */
static struct key_samples *entry_of(struct dtable *t, const struct tdxtop_snap *s, int pass,
			       __u32 tgid, __u32 kind, __u32 reason, __u32 status,
			       __u64 leaf)
{
	struct dkey k;

	make_key(&k, pass ? tdxtop_snap_vm_name(s, tgid) : "", kind, reason, status, leaf);
	return entry_get(t, &k);
}

/* Adds the rows and histograms of sample s to the keys they belong to */
static int accumulate(struct dtable *t, const struct tdxtop_snap *s)
{
	struct key_samples *d;
	size_t i;
	int pass;

	for (pass = 0; pass < 1 + df.per_vm; pass++) {
		for (i = 0; i < s->nr_rows; i++) {
			const struct tdxtop_key *k = &s->rows[i].key;

			d = entry_of(t, s, pass, k->tgid, k->kind, k->reason, k->status, k->leaf);
			if (!d)
				return -ENOMEM;
			tdxtop_stats_merge(&d->st, &s->rows[i].st);
		}
		for (i = 0; i < s->nr_hrows; i++) {
			const struct tdxtop_hkey *k = &s->hrows[i].key;

			d = entry_of(t, s, pass, k->tgid, k->kind, k->reason, k->status, k->leaf);
			if (!d)
				return -ENOMEM;
			add_hist(d, s, &s->hrows[i]);
		}
	}
	return 0;
}

/* The statistics of the finished sample, one value per key and stat */
static int close_sample(struct dtable *t, int side, double scale)
{
	size_t i;
	int s, e = 0;

	for (i = 0; !e && i < t->nr; i++) {
		struct key_samples *d = &t->e[i];
		struct scope *sc = scope_get(t, d->key.vm);

		if (!sc)
			return -ENOMEM;
		/* a key absent from a sample: no exits, rate 0 */
		if (sc->vcpu_s > 0)
			e = push(&d->s[side][S_RATE], d->st.count / sc->vcpu_s);
		for (s = S_GUEST_P50; !e && s < NR_STATS; s++) {
			int m = stat_metric(s);
			__u64 n = d->st.n[m];
			double v;

			if (!n)
				continue;
			if (s % 3 == 0) {	/* mean */
				v = (double)d->st.sum[m] / n;
			} else {
				/*
				 * from the histogram's own samples: rows and
				 * histograms are read moments apart, so under
				 * load they differ by a few events; none at all
				 * means no histogram (hist_full)
				 */
				if (!d->hn[m])
					continue;
				/* the bucket's middle: min/max are not per sample */
				v = tdxtop_hist_quantile_in(d->h->bucket[m], d->first[m],
							    d->last[m], d->hn[m],
							    (s - 1) % 3 ? 0.99 : 0.50, 0, 0);
			}
			e = push(&d->s[side][s], v * scale);
		}
		memset(&d->st, 0, sizeof(d->st));
		clear_hist(d);
	}
	for (i = 0; !e && i < t->nr_vs; i++) {
		struct scope *sc = &t->vs[i];

		if (sc->vcpu_s > 0)
			e = push(&sc->total[side], sc->exits / sc->vcpu_s);
		sc->vcpu_s = sc->exits = 0;
	}
	t->samples[side]++;
	return e;
}

/*
 * Times of a recording in the reference conversion (the first base
 * recording's): its TSC was converted with its own mult/shift, which
 * differ between runs where the TSC is calibrated, not read from the
 * kernel; comparing those would compare the calibrations
 */
static double tsc_scale(const struct tdxtop_tsc *ref, const struct tdxtop_tsc *t)
{
	double r = ref->mult / (double)(1ULL << ref->shift);
	double x = t->mult / (double)(1ULL << t->shift);

	return x > 0 ? r / x : 1;
}

/* Why diff cannot judge: a line, said by the caller */
static char diff_err[512];

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(diff_err, sizeof(diff_err), fmt, ap);
	va_end(ap);
}

/*
 * vCPU-seconds of an interval of totals: its vCPUs that exited times its
 * length, added as add_vcpu_seconds() adds them (one vCPU at a time: the
 * same sum to the last bit), and the exits of all VMs
 */
static int add_totals_vcpus(struct dtable *t, const struct tdxtop_snap *s, __u32 vcpus)
{
	double secs = tdxtop_snap_seconds(s);
	ssize_t all = scope_idx(t, "");
	size_t i;

	if (all < 0)
		return -ENOMEM;
	for (i = 0; i < vcpus; i++)
		t->vs[all].vcpu_s += secs;
	for (i = 0; i < s->nr_rows; i++)
		if (tdxtop_kind_is_exit(s->rows[i].key.kind))
			t->vs[all].exits += s->rows[i].st.count;
	return 0;
}

/*
 * The next interval of r added to the keys: from the recording's totals of
 * all VMs when it keeps them and no VM is compared on its own (a hundred
 * times fewer rows at 100 VMs), else from every VM's rows.  1, 0 at the
 * end, or a negative errno.
 */
static int add_next(struct dtable *t, struct tdxtop_recording *r, __s64 *after,
		    struct tdxtop_snap *s)
{
	bool totals = !df.per_vm && tdxtop_recording_has_totals(r);
	__u32 vcpus;
	int e;

	e = totals ? tdxtop_recording_next_totals(r, after, s, &vcpus) :
		     tdxtop_recording_next(r, after, 0, ~0ULL, s);
	if (e <= 0)
		return e;
	e = totals ? add_totals_vcpus(t, s, vcpus) : add_vcpu_seconds(t, s);
	return e ?: accumulate(t, s) ?: 1;
}

/* Every interval of one side's recordings, in samples */
static int read_side(struct dtable *t, int side)
{
	struct tdxtop_recording *r[64] = {};
	struct tdxtop_snap s = {};
	__u64 total = 0, per, in_batch = 0;
	char err[512];
	int f, e = 0;

	t->side = side;
	for (f = 0; f < df.nr[side]; f++) {
		e = tdxtop_recording_open(&r[f], df.files[side][f], err, sizeof(err));
		if (e) {
			say("%s", err);
			e = 2;
			goto out;
		}
		total += tdxtop_recording_intervals(r[f]);
	}
	/* consecutive intervals merged so that a side has <= MAX_SAMPLES */
	per = total > MAX_SAMPLES ? (total + MAX_SAMPLES - 1) / MAX_SAMPLES : 1;
	for (f = 0; f < df.nr[side]; f++) {
		const struct tdxtop_tsc *tsc = tdxtop_recording_tsc(r[f]);
		__s64 after = 0;
		double scale;

		if (!side && !f)
			t->ref_tsc = *tsc;
		scale = tsc_scale(&t->ref_tsc, tsc);
		if (fabs(scale - 1) > t->max_tsc_dev)
			t->max_tsc_dev = fabs(scale - 1);

		while ((e = add_next(t, r[f], &after, &s)) > 0) {
			t->intervals[side]++;
			if (!df.per_run && ++in_batch == per) {
				e = close_sample(t, side, scale);
				in_batch = 0;
				if (e)
					break;
			}
		}
		if (e < 0) {
			say("%s", e == -ENOMEM ? "out of memory" :
				    tdxtop_recording_error(r[f]));
			e = 2;
			goto out;
		}
		/* a sample never spans two recordings */
		if ((df.per_run || in_batch) && (e = close_sample(t, side, scale))) {
			say("out of memory");
			e = 2;
			goto out;
		}
		in_batch = 0;
	}
out:
	for (f = 0; f < df.nr[side]; f++)
		tdxtop_recording_close(r[f]);
	tdxtop_snap_free(&s);
	return e;
}

struct cmp {
	struct key_samples *d;
	int stat;
	double base, new, change, lo, hi;	/* change and interval in % */
	double p, p_holm, u;
	bool pct;				/* a percentage could be computed */
	/*
	 * the key had no exit on one side (rate 0 in every sample): change
	 * and interval are in % of the base's rate of all exits of its scope
	 */
	bool of_all;
	bool one_side;				/* samples on one side only */
	const char *verdict;
};

static void fmt_value(char *buf, size_t len, int stat, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (stat == S_RATE)
		snprintf(buf, len, "%.4g/s", v);
	else
		tdxtop_fmt_ns(buf, len, v);
}

static void key_label(const struct dkey *k, char *buf, size_t len)
{
	struct tdxtop_key tk = {
		.kind = k->kind, .reason = k->reason, .status = k->status, .leaf = k->leaf,
	};

	tdxtop_row_label(&tk, buf, len);
}

static void print_text(FILE *f, const struct cmp *c, size_t nr, size_t min_n,
		       const struct dtable *t)
{
	char base[32], new[32], label[64], vm[TDXTOP_CELL_SIZE(16)], ci[48];
	size_t i, regs = 0, imps = 0, judged = 0, of_all = 0;

	for (i = 0; i < nr; i++) {
		judged += !isnan(c[i].p);
		of_all += c[i].of_all;
	}

	fprintf(f, "tdxtop diff: base %d recording%s, %llu intervals, %zu samples; "
	       "new %d recording%s, %llu intervals, %zu samples\n",
	       df.nr[0], df.nr[0] > 1 ? "s" : "", (unsigned long long)t->intervals[0],
	       t->samples[0], df.nr[1], df.nr[1] > 1 ? "s" : "",
	       (unsigned long long)t->intervals[1], t->samples[1]);
	fprintf(f, "Mann-Whitney U per comparison, Holm over %zu, alpha %g; "
	       "regression: significant and beyond +%g%% (percentiles +%g%%)\n",
	       judged, df.alpha, df.threshold, fmax(df.threshold, HIST_RESOLUTION_PCT));
	if (t->max_tsc_dev > 1e-6)
		fprintf(f, "TSC conversions differ between the recordings by up to %.2f%% "
		       "(calibrated?): times are compared in the first base recording's\n",
		       100 * t->max_tsc_dev);
	fprintf(f, "\n");
	fprintf(f, "%-16s %-28s %-12s %9s %9s %8s %-19s %8s  %s\n", "VM", "REASON", "METRIC",
	       "BASE", "NEW", "CHANGE", "95% CI", "P(HOLM)", "VERDICT");
	for (i = 0; i < nr; i++) {
		const struct cmp *x = &c[i];

		tdxtop_text_cell(vm, x->d->key.vm[0] ? x->d->key.vm : "*", 16);
		key_label(&x->d->key, label, sizeof(label));
		fmt_value(base, sizeof(base), x->stat, x->base);
		fmt_value(new, sizeof(new), x->stat, x->new);
		if (x->pct)
			snprintf(ci, sizeof(ci), "[%+.1f%%, %+.1f%%]", x->lo, x->hi);
		else
			snprintf(ci, sizeof(ci), "-");
		fprintf(f, "%s %-28.28s %-12s %9s %9s ", vm, label, stat_names[x->stat], base, new);
		if (x->pct)
			fprintf(f, "%+7.1f%%%c", x->change, x->of_all ? '^' : ' ');
		else
			fprintf(f, "%8s ", "-");
		if (isnan(x->p_holm))
			fprintf(f, "%-19s %8s  %s\n", ci, "-", x->verdict);
		else
			fprintf(f, "%-19s %8.2g  %s\n", ci, x->p_holm, x->verdict);
		regs += !strcmp(x->verdict, "REGRESSION");
		imps += !strcmp(x->verdict, "improvement");
	}
	fprintf(f, "\n%zu regression%s, %zu improvement%s", regs, regs == 1 ? "" : "s", imps,
	       imps == 1 ? "" : "s");
	if (min_n)
		fprintf(f, "; comparisons with fewer than %zu samples a side are not judged", min_n);
	fprintf(f, "\n");
	if (of_all)
		fprintf(f, "^ the key had no exit on one side: its change is in %% of the base's "
		       "rate of all exits (of its VM)\n");
	for (i = 0; i < nr; i++) {
		char *end;

		if (strcmp(c[i].verdict, "REGRESSION"))
			continue;
		key_label(&c[i].d->key, label, sizeof(label));
		end = vm + tdxtop_text_cell(vm, c[i].d->key.vm[0] ? c[i].d->key.vm : "*", 16);
		while (end > vm && end[-1] == ' ')
			*--end = '\0';
		fprintf(f, "REGRESSION: %s %s %s %+.1f%% [%+.1f%%, %+.1f%%]%s\n", vm, label,
		       stat_names[c[i].stat], c[i].change, c[i].lo, c[i].hi,
		       c[i].of_all ? " of all exits (a new key)" : "");
	}
}

static void print_markdown(FILE *f, const struct cmp *c, size_t nr)
{
	char base[32], new[32], label[64];
	size_t i;

	fprintf(f, "| VM | reason | metric | base | new | change | 95%% CI | p (Holm) | verdict |\n");
	fprintf(f, "|----|--------|--------|-----:|----:|-------:|--------|---------:|---------|\n");
	for (i = 0; i < nr; i++) {
		const struct cmp *x = &c[i];
		const char *p;

		key_label(&x->d->key, label, sizeof(label));
		fmt_value(base, sizeof(base), x->stat, x->base);
		fmt_value(new, sizeof(new), x->stat, x->new);
		/*
		 * all VMs: "*", escaped (an asterisk is emphasis); a name is
		 * anyone's text: no markup, no table breaks, so not "*" either
		 */
		fprintf(f, "| %s", x->d->key.vm[0] ? "" : "\\*");
		for (p = x->d->key.vm; *p; p++)
			fputc((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			      (*p >= 'A' && *p <= 'Z') || strchr("._-:", *p) ? *p : '_', f);
		fprintf(f, " | %s | %s | %s | %s | ", label, stat_names[x->stat], base, new);
		if (x->pct)
			fprintf(f, "%+.1f%%%s | [%+.1f%%, %+.1f%%] | ", x->change,
			       x->of_all ? " of all exits" : "", x->lo, x->hi);
		else
			fprintf(f, "- | - | ");
		if (isnan(x->p_holm))
			fprintf(f, "- | %s |\n", x->verdict);
		else
			fprintf(f, "%.2g | %s%s%s |\n", x->p_holm,
			       strcmp(x->verdict, "REGRESSION") ? "" : "**", x->verdict,
			       strcmp(x->verdict, "REGRESSION") ? "" : "**");
	}
}

static void jw_num(struct tdxtop_jw *w, const char *k, double v)
{
	tdxtop_jw_key(w, k);
	tdxtop_jw_double(w, v);
}

/* One comparison as a JSON object */
static void row_json(struct tdxtop_jw *w, const struct cmp *x)
{
	char label[64];

	tdxtop_jw_obj(w);
	tdxtop_jw_key(w, "vm");
	if (x->d->key.vm[0])
		tdxtop_jw_str(w, x->d->key.vm);
	else
		tdxtop_jw_null(w);
	tdxtop_jw_key(w, "kind");
	tdxtop_jw_str(w, tdxtop_kind_name(x->d->key.kind));
	key_label(&x->d->key, label, sizeof(label));
	tdxtop_jw_key(w, "label");
	tdxtop_jw_str(w, label);
	tdxtop_jw_key(w, "metric");
	tdxtop_jw_str(w, stat_names[x->stat]);
	jw_num(w, "base", x->base);
	jw_num(w, "new", x->new);
	jw_num(w, "change_pct", x->pct ? x->change : NAN);
	tdxtop_jw_key(w, "change_of");
	tdxtop_jw_str(w, x->of_all ? "all_exits" : "key");
	tdxtop_jw_key(w, "ci_pct");
	tdxtop_jw_arr(w);
	tdxtop_jw_double(w, x->pct ? x->lo : NAN);
	tdxtop_jw_double(w, x->pct ? x->hi : NAN);
	tdxtop_jw_end_arr(w);
	tdxtop_jw_key(w, "samples");
	tdxtop_jw_arr(w);
	tdxtop_jw_u64(w, x->d->s[0][x->stat].n);
	tdxtop_jw_u64(w, x->d->s[1][x->stat].n);
	tdxtop_jw_end_arr(w);
	jw_num(w, "p", x->p);
	jw_num(w, "p_holm", x->p_holm);
	tdxtop_jw_key(w, "verdict");
	tdxtop_jw_str(w, x->verdict);
	tdxtop_jw_end_obj(w);
}

static void print_json(FILE *f, const struct cmp *c, size_t nr, const struct dtable *t)
{
	static struct tdxtop_jw w;
	size_t i, judged;
	int side;

	tdxtop_jw_init(&w, f, false);
	tdxtop_jw_obj(&w);
	for (side = 0; side < 2; side++) {
		tdxtop_jw_key(&w, side ? "new" : "base");
		tdxtop_jw_obj(&w);
		tdxtop_jw_key(&w, "recordings");
		tdxtop_jw_u64(&w, df.nr[side]);
		tdxtop_jw_key(&w, "intervals");
		tdxtop_jw_u64(&w, t->intervals[side]);
		tdxtop_jw_key(&w, "samples");
		tdxtop_jw_u64(&w, t->samples[side]);
		tdxtop_jw_end_obj(&w);
	}
	jw_num(&w, "threshold_pct", df.threshold);
	jw_num(&w, "alpha", df.alpha);
	tdxtop_jw_key(&w, "comparisons");
	tdxtop_jw_u64(&w, nr);
	for (i = 0, judged = 0; i < nr; i++)
		judged += !isnan(c[i].p);
	tdxtop_jw_key(&w, "judged");
	tdxtop_jw_u64(&w, judged);
	tdxtop_jw_key(&w, "rows");
	tdxtop_jw_arr(&w);
	for (i = 0; i < nr; i++)
		row_json(&w, &c[i]);
	tdxtop_jw_end_arr(&w);
	tdxtop_jw_end_obj(&w);
	tdxtop_jw_done(&w);
}

static void free_table(struct dtable *t)
{
	size_t i;
	int side, s;

	for (i = 0; i < t->nr; i++) {
		for (side = 0; side < 2; side++)
			for (s = 0; s < NR_STATS; s++)
				free(t->e[i].s[side][s].v);
		free(t->e[i].h);
	}
	free(t->e);
	for (i = 0; i < t->nr_vs; i++)
		for (side = 0; side < 2; side++)
			free(t->vs[i].total[side].v);
	free(t->vs);
	tdxtop_index_free(&t->idx);
	tdxtop_index_free(&t->vs_idx);
}

static bool all_zero(const struct series *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] != 0)
			return false;
	return true;
}

/*
 * One comparison: medians, the test, the shift in % of the base median and
 * its interval.  The rate of a key with no exit on one side is a shift
 * from (or to) 0: it is put in % of the base's rate of all exits of the
 * key's scope, the share of the exits it adds or removes.  Returns 1 when
 * there are too few samples to judge it.
 */
static int compare(struct cmp *x, const struct dtable *t, size_t min_n, double *scratch)
{
	const struct series *b = &x->d->s[0][x->stat], *n = &x->d->s[1][x->stat];
	double shift, lo, hi, ref;

	x->base = tdxtop_median(b->v, b->n, scratch);
	x->new = tdxtop_median(n->v, n->n, scratch);
	x->p = x->p_holm = NAN;
	x->one_side = !b->n || !n->n;
	if (b->n < min_n || n->n < min_n)
		return 1;
	if (tdxtop_mann_whitney(b->v, b->n, n->v, n->n, &x->u, &x->p) ||
	    tdxtop_hodges_lehmann(b->v, b->n, n->v, n->n, 0.95, &shift, &lo, &hi))
		return -ENOMEM;
	ref = x->base;
	x->of_all = x->stat == S_RATE && all_zero(b) != all_zero(n);
	if (x->of_all) {
		__u32 slot = *tdxtop_index_find(&t->vs_idx, t->vs, sizeof(*t->vs), x->d->key.vm,
						sizeof(x->d->key.vm));
		const struct scope *sc = slot ? &t->vs[slot - 1] : NULL;

		ref = sc ? tdxtop_median(sc->total[0].v, sc->total[0].n, scratch) : NAN;
	}
	x->pct = ref > 0;
	if (x->pct) {
		x->change = 100 * shift / ref;
		x->lo = 100 * lo / ref;
		x->hi = 100 * hi / ref;
	}
	return 0;
}

/*
 * The verdict of a comparison whose p-value Holm adjusted.  A key new in
 * the new runs is a REGRESSION when the exits it adds are beyond the
 * threshold, else "new"; a key gone from them, an improvement or "gone".
 */
static const char *verdict(const struct cmp *x, double thr)
{
	bool is_new = x->of_all && x->change > 0, gone = x->of_all && x->change < 0;

	if (x->p_holm >= df.alpha)
		return "~";
	if (!x->pct)
		return "changed";
	if (x->lo > thr)
		return "REGRESSION";
	if (x->hi < -thr)
		return "improvement";
	return is_new ? "new" : gone ? "gone" : "within threshold";
}

/*
 * Every key and statistic with samples on a side, into *cp; those with
 * samples on both are compared (a key's rate has them on both sides
 * whenever its scope had exits there).  *both: how many; *max: the most
 * samples of a side.  Returns how many, or -ENOMEM.
 */
static ssize_t list_comparisons(const struct dtable *t, struct cmp **cp, size_t *both,
				size_t *max)
{
	struct cmp *c = calloc(t->nr * NR_STATS + 1, sizeof(*c));
	size_t i, nr = 0;
	int s, k;

	*cp = c;
	*both = *max = 0;
	if (!c)
		return -ENOMEM;
	for (i = 0; i < t->nr; i++)
		for (s = 0; s < NR_STATS; s++) {
			struct key_samples *d = &t->e[i];

			if (!d->s[0][s].n && !d->s[1][s].n)
				continue;
			c[nr].d = d;
			c[nr].stat = s;
			nr++;
			*both += d->s[0][s].n && d->s[1][s].n;
			for (k = 0; k < 2; k++)
				if (d->s[k][s].n > *max)
					*max = d->s[k][s].n;
		}
	return nr;
}

/*
 * Each comparison's test, Holm's correction over those judged, and the
 * verdicts.  Returns the number of regressions, or -ENOMEM.
 */
static int judge(struct cmp *c, size_t nr, const struct dtable *t, size_t min_n,
		 size_t max_samples)
{
	double *p = calloc(nr + 1, sizeof(*p)), *adj = calloc(nr + 1, sizeof(*adj));
	double *scratch = calloc(max_samples + 1, sizeof(*scratch));
	size_t i, k, judged = 0;
	int e = 0, regressions = 0;

	if (!p || !adj || !scratch)
		e = -ENOMEM;
	for (i = 0; !e && i < nr; i++) {
		e = compare(&c[i], t, min_n, scratch);
		if (!e)
			p[judged++] = c[i].p;
		else if (e > 0)
			e = 0;
	}
	if (!e)
		tdxtop_holm(p, judged, adj);
	for (i = 0, k = 0; !e && i < nr; i++) {
		struct cmp *x = &c[i];
		double thr = stat_is_pct(x->stat) ? fmax(df.threshold, HIST_RESOLUTION_PCT) :
			     df.threshold;

		if (isnan(x->p)) {
			/* no sample on one side: what it is, not judged */
			x->verdict = !x->one_side ? "few samples" :
				     x->d->s[0][x->stat].n ? "gone" : "new";
			continue;
		}
		x->p_holm = adj[k++];
		x->verdict = verdict(x, thr);
		regressions += !strcmp(x->verdict, "REGRESSION");
	}
	free(p);
	free(adj);
	free(scratch);
	return e ?: regressions;
}

/* BASE... -- NEW...: "--" separates the sides; argp would take it as its own */
static int parse_sides(int argc, char **argv)
{
	static const struct argp argp = {
		.options = diff_opts, .parser = parse_diff, .doc = diff_doc,
	};
	int i, k;

	df.threshold = DEF_THRESHOLD_PCT;
	df.alpha = DEF_ALPHA;
	argp_err_exit_status = 2;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		;
	for (k = i + 1; k < argc; k++) {
		if (df.nr[1] == 64) {
			tdxtop_fail("at most 64 recordings per side");
			return 2;
		}
		df.files[1][df.nr[1]++] = argv[k];
	}
	return argp_parse(&argp, i, argv, 0, NULL, NULL) ? 2 : 0;
}

/* The comparison of df's sides, printed to f in df.format: the exit status */
static int key_order(const void *a, const void *b)
{
	const struct dkey *x = &((const struct key_samples *)a)->key;
	const struct dkey *y = &((const struct key_samples *)b)->key;
	int c = strcmp(x->vm, y->vm);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->reason != y->reason)
		return x->reason < y->reason ? -1 : 1;
	if (x->leaf != y->leaf)
		return x->leaf < y->leaf ? -1 : 1;
	return x->status < y->status ? -1 : x->status > y->status;
}

static int run(FILE *f)
{
	struct dtable t = {};
	struct cmp *c = NULL;
	size_t both, min_n, max_samples;
	ssize_t nr;
	int e;

	diff_err[0] = '\0';
	e = read_side(&t, 0) ?: read_side(&t, 1);
	if (e)
		goto out;
	/*
	 * keys in one order whatever the order they were met in (rows of each
	 * VM, or the totals): all VMs first, then each VM by name; by kind,
	 * reason, leaf and status.  The index by key is not used after this.
	 */
	qsort(t.e, t.nr, sizeof(*t.e), key_order);
	nr = list_comparisons(&t, &c, &both, &max_samples);
	if (nr < 0)
		goto nomem;
	min_n = tdxtop_min_samples(both, df.alpha);
	if (t.samples[0] < min_n || t.samples[1] < min_n) {
		say("too few samples: base has %zu, new has %zu; %zu comparisons "
		    "at alpha %g need at least %zu %s per side",
		    t.samples[0], t.samples[1], both, df.alpha, min_n,
		    df.per_run ? "recordings" : "intervals");
		e = 2;
		goto out;
	}
	e = judge(c, nr, &t, min_n, max_samples);
	if (e < 0)
		goto nomem;
	if (df.format == DF_JSON)
		print_json(f, c, nr, &t);
	else if (df.format == DF_MARKDOWN)
		print_markdown(f, c, nr);
	else
		print_text(f, c, nr, min_n, &t);
	e = fflush(f) && errno != EPIPE ? 2 : e ? 1 : 0;
	goto out;
nomem:
	say("out of memory");
	e = 2;
out:
	free(c);
	free_table(&t);
	return e;
}

int tdxtop_diff_run(const char *base, const char *new, FILE *f, char *err, size_t len)
{
	int e;

	memset(&df, 0, sizeof(df));
	df.files[0][0] = base;
	df.files[1][0] = new;
	df.nr[0] = df.nr[1] = 1;
	df.threshold = DEF_THRESHOLD_PCT;
	df.alpha = DEF_ALPHA;
	df.format = DF_JSON;
	e = run(f);
	snprintf(err, len, "%s", e == 2 ? diff_err : "");
	return e;
}

int tdxtop_cmd_diff(int argc, char **argv)
{
	int e = parse_sides(argc, argv);

	if (e)
		return e;
	e = run(stdout);
	if (e == 2 && diff_err[0])
		tdxtop_fail("%s", diff_err);
	return e;
}
