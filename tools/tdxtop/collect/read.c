// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Read-out of the BPF maps, once per interval (the vCPU arrays mapped, the
 * hashes with batch lookups), into a snapshot (snap.c does the
 * arithmetic): the same code serves the TUI, batch and JSON modes,
 * recording, the benchmarks and the tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <x86intrin.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collect.h"
#include "tdx_enter.skel.h"

/* the fd of one of the tdx object's maps, from its skeleton */
#define map_fd(r, name)	bpf_map__fd((r)->m.skel->maps.name)

/* entries of "shared_rows" and "hist_ids" per batch lookup */
#define HASH_BATCH	256

/* What the last read saw of a row of "shared_rows" */
struct tdxtop_hash_prev {
	struct tdxtop_key key;
	struct tdxtop_cum cum;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tdxtop_key));
}

static int map_row_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct tdxtop_map_row *)a)->key,
		       &((const struct tdxtop_map_row *)b)->key);
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 user_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Bytes of a mapped array map: values 8-byte aligned, whole pages */
static size_t map_len(__u32 entries, size_t value)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return ((size_t)entries * ((value + 7) & ~7UL) + page - 1) / page * page;
}

int tdxtop_reader_init(struct tdxtop_reader *r, const struct tdxtop_maps *m,
		       const struct tdxtop_tsc *tsc)
{
	memset(r, 0, sizeof(*r));
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus < 0)
		return r->ncpus;
	r->m = *m;
	r->tsc = *tsc;
	r->source = "tdx";
	/* the keys of a batch: of "shared_rows" or "hist_ids" */
	r->keys_size = HASH_BATCH * max_sz(sizeof(struct tdxtop_key),
					   sizeof(struct tdxtop_hkey));
	/* zeroed pages: only the rows of slots in use are ever touched */
	r->prev = calloc((size_t)m->nr_slots * TDXTOP_SLOT_ROWS, sizeof(*r->prev));
	r->prev_h = calloc(m->nr_hists, sizeof(*r->prev_h));
	r->hash_vals = calloc(HASH_BATCH, sizeof(*r->hash_vals));
	r->keys = calloc(1, r->keys_size);
	r->ids = calloc(HASH_BATCH, sizeof(*r->ids));
	r->hbuf = malloc(sizeof(*r->hbuf));
	r->hcopy = malloc(sizeof(*r->hcopy));
	/* per-CPU values come 8-byte aligned: one __u64 per CPU */
	r->percpu = calloc(r->ncpus, sizeof(*r->percpu));
	if (!r->prev || !r->prev_h || !r->hash_vals || !r->keys || !r->ids ||
	    !r->hbuf || !r->hcopy || !r->percpu) {
		tdxtop_reader_free(r);
		return -ENOMEM;
	}
	/* the vCPUs' slots and rows, read in place */
	r->slots_len = map_len(m->nr_slots, sizeof(*r->slots));
	r->blocks_len = map_len(m->nr_slots, sizeof(*r->blocks));
	r->slots = mmap(NULL, r->slots_len, PROT_READ, MAP_SHARED, bpf_map__fd(m->skel->maps.vcpu_slots), 0);
	r->blocks = mmap(NULL, r->blocks_len, PROT_READ, MAP_SHARED, bpf_map__fd(m->skel->maps.vcpu_rows), 0);
	if (r->slots == MAP_FAILED || r->blocks == MAP_FAILED) {
		int err = -errno;

		tdxtop_reader_free(r);
		return err;
	}
	r->prev_end_ns = clock_ns(CLOCK_MONOTONIC);
	return 0;
}

void tdxtop_reader_free(struct tdxtop_reader *r)
{
	__u32 i;

	for (i = 0; r->prev_h && i < r->m.nr_hists; i++)
		free(r->prev_h[i]);
	free(r->prev_h);
	free(r->prev);
	free(r->hprev);
	free(r->shared);
	if (r->slots && r->slots != MAP_FAILED)
		munmap((void *)r->slots, r->slots_len);
	if (r->blocks && r->blocks != MAP_FAILED)
		munmap((void *)r->blocks, r->blocks_len);
	ring_buffer__free(r->ring);
	if (r->thresh && r->thresh != MAP_FAILED)
		munmap(r->thresh, r->thresh_len);
	free(r->hash_vals);
	free(r->keys);
	free(r->ids);
	free(r->hbuf);
	free(r->hcopy);
	free(r->percpu);
	memset(r, 0, sizeof(*r));
}

/*
 * Batch-read a hash map, HASH_BATCH entries at a time, into r->keys and
 * vals; each() takes every pair
 */
static int read_hash(struct tdxtop_reader *r, int fd, size_t ksz, void *vals,
		     size_t vsz, int (*each)(struct tdxtop_reader *, const void *,
					     const void *, struct tdxtop_snap *),
		     struct tdxtop_snap *d)
{
	__u32 count, i, batch = 0;
	bool first = true;
	int err;

	for (;;) {
		count = HASH_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   r->keys, vals, &count, NULL);
		first = false;
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++) {
			int e = each(r, (char *)r->keys + i * ksz,
				     (char *)vals + i * vsz, d);

			if (e)
				return e;
		}
		if (err)	/* ENOENT: done */
			return 0;
	}
}

static int add_moved(struct tdxtop_snap *d, const struct tdxtop_map_row *e,
		     struct tdxtop_cum *prev)
{
	struct tdxtop_stats st;

	if (!e->live || !tdxtop_stats_delta(&st, &e->st, prev))
		return 0;
	return tdxtop_snap_add_row(d, &e->key, &st);
}

/*
 * The rows of the slots in use, read in place.  A row is copied before it
 * is used: its vCPU may be writing it meanwhile, and one interval must
 * subtract the very values it keeps for the next.
 */
static int read_vcpu_rows(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	__u32 s, n, i;
	int err;

	/* room for every row of the slots in use: no copying while growing */
	for (s = 0, n = 0; s < r->m.nr_slots; s++)
		n += !!r->slots[s].id;
	if (tdxtop_snap_reserve_rows(d, (size_t)n * TDXTOP_SLOT_ROWS))
		return -ENOMEM;
	for (s = 0; s < r->m.nr_slots; s++) {
		const volatile struct tdxtop_row_block *b = &r->blocks[s];

		if (!r->slots[s].id)
			continue;
		for (i = 0; i < TDXTOP_SLOT_ROWS; i++) {
			size_t pos = (size_t)s * TDXTOP_SLOT_ROWS + i;
			struct tdxtop_map_row row;

			/* BPF sets live after the key: read it first */
			if (!b->row[i].live)
				continue;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			memcpy(&row, (const void *)&b->row[i], sizeof(row));
			err = add_moved(d, &row, &r->prev[pos]);
			if (err)
				return err;
		}
	}
	return 0;
}

static int collect_shared(struct tdxtop_reader *r, const void *k, const void *v,
			  struct tdxtop_snap *d)
{
	if (TDXTOP_GROW(r->shared, r->cap_shared, r->nr_shared + 1))
		return -ENOMEM;
	r->shared[r->nr_shared++] = *(const struct tdxtop_map_row *)v;
	return 0;
}

/*
 * The rows of "shared_rows": few.  Sorted by key and matched against the
 * last read's rows, sorted too; this read's rows become the next one's.
 */
static int read_shared_rows(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	struct tdxtop_hash_prev *cur;
	size_t i, j = 0;
	int err;

	r->nr_shared = 0;
	err = read_hash(r, map_fd(r, shared_rows), sizeof(struct tdxtop_key),
			r->hash_vals, sizeof(*r->hash_vals), collect_shared, d);
	if (err)
		return err;
	qsort(r->shared, r->nr_shared, sizeof(*r->shared), map_row_cmp);
	cur = calloc(r->nr_shared + 1, sizeof(*cur));
	if (!cur)
		return -ENOMEM;
	for (i = 0; i < r->nr_shared; i++) {
		cur[i].key = r->shared[i].key;
		while (j < r->nr_hprev && key_cmp(&r->hprev[j].key, &cur[i].key) < 0)
			j++;
		if (j < r->nr_hprev && !key_cmp(&r->hprev[j].key, &cur[i].key))
			cur[i].cum = r->hprev[j].cum;
		err = add_moved(d, &r->shared[i], &cur[i].cum);
		if (err)
			break;
	}
	free(r->hprev);
	r->hprev = cur;
	r->nr_hprev = r->nr_shared;
	return err;
}

/* Histogram id: the shared one plus each CPU's copy */
static int read_hist(struct tdxtop_reader *r, __u32 id, struct tdxtop_hist *h)
{
	int c, m, b;

	if (bpf_map_lookup_elem(map_fd(r, hists), &id, h) ||
	    bpf_map_lookup_elem(map_fd(r, cpu_hist_idx), &id, r->percpu))
		return -errno;
	for (c = 0; c < r->ncpus; c++) {
		__u32 i = (__u32)r->percpu[c];

		if (!i || i == TDXTOP_NO_COPY)
			continue;
		i--;
		if (bpf_map_lookup_elem(map_fd(r, cpu_hists), &i, r->hcopy))
			return -errno;
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			for (b = 0; b < TDXTOP_HIST_BUCKETS; b++)
				h->bucket[m][b] += r->hcopy->bucket[m][b];
	}
	return 0;
}

static int read_counters(struct tdxtop_reader *r, int fd, __u32 n, __u64 *out);

/* Auto mode: thresholds of histogram id from its interval, the last hrow of d */
static void set_thresh(struct tdxtop_reader *r, __u32 id, const struct tdxtop_snap *d)
{
	const struct tdxtop_hrow *h = &d->hrows[d->nr_hrows - 1];
	int m;

	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		__u64 ns;

		/* a metric without samples keeps the threshold it had */
		if (tdxtop_outlier_auto_ns(d, h, m, &ns))
			__atomic_store_n(&r->thresh[id].ns_1[m], ns + 1, __ATOMIC_RELAXED);
	}
}

static int add_hist(struct tdxtop_reader *r, const void *k, const void *v,
		    struct tdxtop_snap *d)
{
	__u32 id = *(const __u32 *)v;
	size_t had = d->nr_hrows;
	int err;

	if (id >= r->m.nr_hists)
		return 0;
	err = read_hist(r, id, r->hbuf);
	if (err)
		return err;
	if (!r->prev_h[id]) {
		r->prev_h[id] = calloc(1, sizeof(*r->prev_h[id]));
		if (!r->prev_h[id])
			return -ENOMEM;
	}
	err = tdxtop_snap_add_hist(d, k, r->hbuf, r->prev_h[id]);
	if (!err && r->thresh && d->nr_hrows > had &&
	    tdxtop_kind_is_td_exit(((const struct tdxtop_hkey *)k)->kind))
		set_thresh(r, id, d);
	return err;
}

/* The wall-clock time of a TSC, from a TSC and wall clock read together */
static __u64 tsc_real_ns(const struct tdxtop_reader *r, __u64 tsc)
{
	if (tsc >= r->anchor_tsc)
		return r->anchor_real_ns + tdxtop_cyc2ns(tsc - r->anchor_tsc, r->tsc.mult,
							  r->tsc.shift);
	return r->anchor_real_ns - tdxtop_cyc2ns(r->anchor_tsc - tsc, r->tsc.mult,
						 r->tsc.shift);
}

static int on_outlier(void *ctx, void *data, size_t size)
{
	struct tdxtop_reader *r = ctx;
	const struct tdxtop_outlier *o = data;

	if (size < sizeof(*o))
		return 0;
	r->ring_err = tdxtop_snap_add_outlier(r->ring_dst, o, tsc_real_ns(r, o->tsc));
	return r->ring_err;
}

int tdxtop_reader_outliers(struct tdxtop_reader *r, const struct tdxtop_outlier_opts *o)
{
	size_t n = r->m.nr_hists;

	if (!o->on)
		return 0;
	r->outlier_spec = o->spec;
	r->ring = ring_buffer__new(map_fd(r, outlier_ring), on_outlier, r, NULL);
	if (!r->ring)
		return -errno;
	if (!o->automatic)
		return 0;
	r->thresh_len = map_len(n, sizeof(*r->thresh));
	r->thresh = mmap(NULL, r->thresh_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 map_fd(r, outlier_thresh), 0);
	if (r->thresh == MAP_FAILED) {
		r->thresh = NULL;
		return -errno;
	}
	/* as loaded, zeroes: no threshold until a histogram has had an interval */
	return 0;
}

/* The records of the interval, and the counts of what became of outliers */
static int read_outliers(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	__u64 counts[TDXTOP_NR_OUTLIER_COUNTS];
	int err, i;

	d->outlier_spec = r->outlier_spec;
	if (!r->ring)
		return 0;
	err = read_counters(r, map_fd(r, outlier_stats), TDXTOP_NR_OUTLIER_COUNTS, counts);
	if (err)
		return err;
	r->anchor_tsc = __rdtsc();
	r->anchor_real_ns = clock_ns(CLOCK_REALTIME);
	r->ring_dst = d;
	r->ring_err = 0;
	err = ring_buffer__consume(r->ring);
	if (r->ring_err)
		return r->ring_err;
	if (err < 0)
		return err;
	tdxtop_snap_sort_outliers(d);
	for (i = 0; i < TDXTOP_NR_OUTLIER_COUNTS; i++) {
		d->outlier_counts[i] = counts[i] - r->prev_outlier[i];
		r->prev_outlier[i] = counts[i];
	}
	return 0;
}

/* Sum of a per-CPU array's entries [0, n) into out */
static int read_counters(struct tdxtop_reader *r, int fd, __u32 n, __u64 *out)
{
	__u32 i;
	int c;

	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &i, r->percpu))
			return -errno;
		out[i] = 0;
		for (c = 0; c < r->ncpus; c++)
			out[i] += r->percpu[c];
	}
	return 0;
}

/* Each program's run count, run time and recursion misses: one call each */
static int read_progs(struct tdxtop_reader *r, struct tdxtop_snap *d,
		      __u64 *missed)
{
	int p;

	*missed = 0;
	for (p = 0; p < r->m.nr_progs; p++) {
		struct tdxtop_prog_cost *prev = &r->prev_progs[p];
		struct tdxtop_prog_cost *c = &d->progs[p];
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(r->m.progs[p]), &info, &len))
			return -errno;
		snprintf(c->name, sizeof(c->name), "%s", bpf_program__name(r->m.progs[p]));
		c->run_cnt = info.run_cnt - prev->run_cnt;
		c->run_time_ns = info.run_time_ns - prev->run_time_ns;
		prev->run_cnt = info.run_cnt;
		prev->run_time_ns = info.run_time_ns;
		*missed += info.recursion_misses;
	}
	d->nr_progs = r->m.nr_progs;
	return 0;
}

/* The names of the VM processes of the interval's rows */
static int add_vms(struct tdxtop_snap *d)
{
	__u32 last = 0;
	size_t i;
	int err;

	for (i = 0; i < d->nr_rows; i++) {
		__u32 tgid = d->rows[i].key.tgid;

		if (tgid == last && i)
			continue;
		last = tgid;
		err = tdxtop_snap_add_vm(d, tgid, tdxtop_vm_name(tgid));
		if (err)
			return err;
	}
	/* an outlier's exit may have been counted in the interval before */
	for (i = 0; i < d->nr_outliers; i++) {
		__u32 tgid = d->outliers[i].o.tgid;

		if (tdxtop_snap_vm_name(d, tgid)[0] == '?' &&
		    (err = tdxtop_snap_add_vm(d, tgid, tdxtop_vm_name(tgid))))
			return err;
	}
	return 0;
}

int tdxtop_reader_read(struct tdxtop_reader *r, struct tdxtop_snap *d)
{
	__u64 losses[TDXTOP_NR_LOSSES] = {}, notes[TDXTOP_NR_NOTES] = {};
	__u64 user;
	size_t j;
	int err, i;

	tdxtop_snap_reset(d);
	d->start_ns = r->prev_end_ns;
	d->end_ns = clock_ns(CLOCK_MONOTONIC);
	d->end_real_ns = clock_ns(CLOCK_REALTIME);
	r->prev_end_ns = d->end_ns;
	d->source = r->source;
	d->tsc = r->tsc;
	d->timed = r->timed;

	err = read_vcpu_rows(r, d);
	if (!err)
		err = read_shared_rows(r, d);
	if (err)
		return err;
	/* the sample counts the BPF side leaves to the row count */
	for (j = 0; j < d->nr_rows; j++) {
		struct tdxtop_row *row = &d->rows[j];
		int m;

		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			if (tdxtop_n_implied(row->key.kind, m))
				row->st.n[m] = row->st.count;
	}
	err = read_hash(r, map_fd(r, hist_ids), sizeof(struct tdxtop_hkey), r->ids,
			sizeof(*r->ids), add_hist, d);
	if (!err)
		err = read_counters(r, map_fd(r, losses), TDXTOP_NR_BPF_LOSSES, losses);
	if (!err)
		err = read_counters(r, map_fd(r, notes), TDXTOP_NR_BPF_NOTES, notes);
	if (!err && r->m.kvm_unpaired)	/* the kvm source's own map */
		err = read_counters(r, bpf_map__fd(r->m.kvm_unpaired), 1,
				    &notes[TDXTOP_NOTE_UNPAIRED]);
	if (!err)
		err = read_progs(r, d, &losses[TDXTOP_LOSS_MISSED]);
	if (!err)
		err = read_outliers(r, d);
	if (!err)
		err = add_vms(d);
	if (err)
		return err;
	for (i = 0; i < TDXTOP_NR_LOSSES; i++) {
		d->losses[i] = losses[i] - r->prev_losses[i];
		r->prev_losses[i] = losses[i];
	}
	for (i = 0; i < TDXTOP_NR_NOTES; i++) {
		d->notes[i] = notes[i] - r->prev_notes[i];
		r->prev_notes[i] = notes[i];
	}
	user = user_cpu_ns();
	d->user_cpu_ns = r->prev_user_ns ? user - r->prev_user_ns : 0;
	r->prev_user_ns = user;
	return 0;
}
