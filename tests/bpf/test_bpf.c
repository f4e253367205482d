// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Host-kernel test of bpf/tdx_enter.bpf.c: the real object is loaded into the
 * running kernel and its raw_tp programs are driven with BPF_PROG_TEST_RUN
 * from a generated workload (VMM processes x vCPU threads, each thread pinned
 * to a CPU and run with BPF_F_TEST_RUN_ON_CPU).  The maps are read back with
 * tdxtop's own read-out code and compared with a model of the same workload:
 * counts, sums, minima, maxima (guest, host and restore times) and histogram
 * buckets exactly.  Then each way a map can fill up, and what it costs.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"
#include "tdx_enter.skel.h"
#include "../tap.h"

#define NR_VMS		3
#define NR_VCPUS	4
#define EVENTS		3000	/* exits per vCPU */
#define MULT		3	/* ns = cycles * 3 / 2, exact for even cycles */
#define SHIFT		1

struct mix {
	__u64 status;
	__u32 reason;
	__u64 leaf;
	int weight;
};

/* a realistic TD exit mix, statuses included */
static const struct mix mix[] = {
	{ 77, 12, 12, 30 },				/* TDVMCALL HLT */
	{ 1, 1, 0, 20 },				/* external interrupt */
	{ 48, 48, 0, 8 },				/* EPT violation */
	{ 77, 49, 48, 10 },				/* TDVMCALL MMIO */
	{ 77, 30, 30, 6 },				/* TDVMCALL IO */
	{ 77, 31, 31, 4 },				/* TDVMCALL MSR read */
	{ 77, 32, 32, 4 },				/* TDVMCALL MSR write */
	{ 77, 10, 10, 3 },				/* TDVMCALL CPUID */
	{ 77, 77, 0x10001, 5 },				/* MapGPA */
	{ 77, 77, 0x10002, 1 },				/* GetQuote */
	{ 0x8000020000000092ULL, -1u, 0, 4 },		/* OPERAND_BUSY (SEPT) */
	{ 0x8000FF00FFFF0000ULL, -1u, 0, 1 },		/* SW_ERROR VMFAILINVALID */
	{ 49, -1u, 0, 1 },				/* EPT misconfig */
	{ 0x4000000200000000ULL | 2, 2, 0, 1 },		/* NON_RECOVERABLE_TD */
};
#define NR_MIX (sizeof(mix) / sizeof(mix[0]))

struct event {
	__u64 args[TDX_VP_ENTER_NR_ARGS];
};

static __u64 rnd(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/*
 * The i-th event of a vCPU; the same on the driving and the checking side.
 * *tsc is the vCPU's TSC: each exit enters an even number of cycles after
 * the last one's tsc, so host times are exact in ns too.
 */
static void gen_event(int vm, int vcpu, int i, __u64 *seed, __u64 *tsc,
		      struct event *e)
{
	int total = 0, pick, m;

	if (i == 0) {
		*seed = 0x1234567ULL * (vm + 1) + 0x9e3779b97f4a7c15ULL * (vcpu + 1);
		*tsc = 1000000 * (vcpu + 1);
	}
	for (m = 0; m < (int)NR_MIX; m++)
		total += mix[m].weight;
	pick = rnd(seed) % total;
	for (m = 0; pick >= mix[m].weight; m++)
		pick -= mix[m].weight;
	memset(e, 0, sizeof(*e));
	e->args[TDX_VP_ENTER_VCPU_ID] = vcpu;
	e->args[TDX_VP_ENTER_STATUS] = mix[m].status;
	e->args[TDX_VP_ENTER_EXIT_REASON] = mix[m].reason;
	e->args[TDX_VP_ENTER_LEAF] = mix[m].leaf;
	e->args[TDX_VP_ENTER_EXIT_QUAL] = rnd(seed);
	e->args[TDX_VP_ENTER_GUEST_CYCLES] = (rnd(seed) % 400) * 2;
	e->args[TDX_VP_ENTER_RESTORE_CYCLES] = (rnd(seed) % 100) * 2;
	e->args[TDX_VP_ENTER_RESTORED] = rnd(seed) & 0xf;
	*tsc += (rnd(seed) % 500) * 2 + e->args[TDX_VP_ENTER_GUEST_CYCLES] +
		e->args[TDX_VP_ENTER_RESTORE_CYCLES];
	e->args[TDX_VP_ENTER_TSC] = *tsc;
}

static int run(int fd, __u64 *args, size_t nr, int cpu)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args,
		    .ctx_size_in = nr * sizeof(__u64));

	if (cpu >= 0) {
		o.flags = BPF_F_TEST_RUN_ON_CPU;
		o.cpu = cpu;
	}
	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	return o.retval;
}

static struct tdx_enter_bpf *skel;
static int ncpus;

struct vcpu_arg {
	int vm, vcpu, err;
};

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *a = p;
	int cpu = a->vcpu % ncpus, i, fd;
	cpu_set_t set;
	struct event e;
	__u64 seed = 0, tsc, args[3];

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		a->err = -errno;
		return NULL;
	}
	fd = bpf_program__fd(skel->progs.tdx_vp_enter);
	for (i = 0; i < EVENTS; i++) {
		gen_event(a->vm, a->vcpu, i, &seed, &tsc, &e);
		if (run(fd, e.args, TDX_VP_ENTER_NR_ARGS, cpu)) {
			a->err = -EIO;
			return NULL;
		}
	}
	/* per vCPU: vm+1 deferred entries, one GS base restore of 2*(vcpu+10) cycles */
	args[0] = a->vcpu;
	for (i = 0; i <= a->vm; i++)
		run(bpf_program__fd(skel->progs.tdx_vp_enter_deferred), args, 1, cpu);
	args[1] = 2 * (a->vcpu + 10);
	run(bpf_program__fd(skel->progs.tdx_host_gsbase), args, 2, cpu);
	/* one user-return restore of STAR|LSTAR|SYSCALL_MASK|TSC_AUX */
	args[0] = 0xf;
	args[1] = 4;
	args[2] = 200;
	run(bpf_program__fd(skel->progs.tdx_uret_restore), args, 3, cpu);
	return NULL;
}

static int vmm_process(int vm)
{
	struct vcpu_arg a[NR_VCPUS];
	pthread_t t[NR_VCPUS];
	int v, err = 0;

	for (v = 0; v < NR_VCPUS; v++) {
		a[v] = (struct vcpu_arg){ .vm = vm, .vcpu = v };
		pthread_create(&t[v], NULL, vcpu_thread, &a[v]);
	}
	for (v = 0; v < NR_VCPUS; v++) {
		pthread_join(t[v], NULL);
		if (a[v].err)
			err = 1;
	}
	return err;
}

/* model: what the maps must hold, per VM process */
struct model_row {
	struct tdxtop_key key;
	struct tdxtop_stats st;
};

static struct model_row *model;
static size_t nr_model;

static struct tdxtop_stats *model_get(const struct tdxtop_key *k)
{
	size_t i;

	for (i = 0; i < nr_model; i++)
		if (!memcmp(&model[i].key, k, sizeof(*k)))
			return &model[i].st;
	model = realloc(model, (nr_model + 1) * sizeof(*model));
	memset(&model[nr_model], 0, sizeof(*model));
	model[nr_model].key = *k;
	return &model[nr_model++].st;
}

static void model_sample(struct tdxtop_stats *s, int m, __u64 ns)
{
	if (!s->n[m] || ns < s->min[m])
		s->min[m] = ns;
	if (ns > s->max[m])
		s->max[m] = ns;
	s->n[m]++;
	s->sum[m] += ns;
}

static void build_model(const pid_t *pids)
{
	struct tdxtop_key k;
	struct tdxtop_stats *s;
	struct event e;
	__u64 seed = 0, tsc, last = 0;
	int vm, v, i, b;

	for (vm = 0; vm < NR_VMS; vm++)
		for (v = 0; v < NR_VCPUS; v++) {
			for (i = 0; i < EVENTS; i++) {
				gen_event(vm, v, i, &seed, &tsc, &e);
				memset(&k, 0, sizeof(k));
				k.tgid = pids[vm];
				k.vcpu = v;
				k.reason = e.args[TDX_VP_ENTER_EXIT_REASON];
				k.status = e.args[TDX_VP_ENTER_STATUS] >> 32;
				k.leaf = e.args[TDX_VP_ENTER_LEAF];
				k.kind = TDXTOP_KIND_EXIT;
				s = model_get(&k);
				s->count++;
				/* independent of tdxtop_cyc2ns: cycles are even */
				model_sample(s, TDXTOP_M_GUEST,
					     e.args[TDX_VP_ENTER_GUEST_CYCLES] / 2 * 3);
				model_sample(s, TDXTOP_M_RESTORE,
					     e.args[TDX_VP_ENTER_RESTORE_CYCLES] / 2 * 3);
				for (b = 0; b < 4; b++)
					if (e.args[TDX_VP_ENTER_RESTORED] & (1 << b))
						s->restored[b]++;
				if (i)	/* entry = tsc - guest - restore */
					model_sample(s, TDXTOP_M_HOST,
						     (tsc - e.args[TDX_VP_ENTER_GUEST_CYCLES] -
						      e.args[TDX_VP_ENTER_RESTORE_CYCLES] - last) / 2 * 3);
				last = tsc;
			}
			memset(&k, 0, sizeof(k));
			k.tgid = pids[vm];
			k.vcpu = v;
			k.reason = -1u;
			k.kind = TDXTOP_KIND_DEFERRED;
			model_get(&k)->count += vm + 1;
			k.kind = TDXTOP_KIND_GSBASE;
			s = model_get(&k);
			s->count++;
			model_sample(s, TDXTOP_M_RESTORE, (v + 10) * 3);
			k.vcpu = TDXTOP_VCPU_NONE;
			k.kind = TDXTOP_KIND_URET;
			k.leaf = 0xf;
			s = model_get(&k);
			s->count++;
			model_sample(s, TDXTOP_M_RESTORE, 300);
		}
}

struct sizes {
	__u32 vcpus, stats, hists, copies;	/* 0: tdxtop's defaults */
};

static int load(struct tdx_enter_bpf **s, struct sizes z, __u32 vcpu, __u64 min_ns)
{
	int err;

	*s = tdx_enter_bpf__open();
	if (!*s)
		return -errno;
	(*s)->rodata->tsc_mult = MULT;
	(*s)->rodata->tsc_shift = SHIFT;
	(*s)->rodata->targ_vcpu = vcpu;
	(*s)->rodata->min_guest_ns = min_ns;
	err = tdxtop_maps_size(*s, z.vcpus, z.stats, z.hists, z.copies);
	return err ? err : tdx_enter_bpf__load(*s);
}

/* load as a test point named what; on failure nothing is left loaded */
static bool load_ok(struct tdx_enter_bpf **s, struct sizes z, __u32 vcpu,
		    __u64 min_ns, const char *what)
{
	if (ok(!load(s, z, vcpu, min_ns), "%s", what))
		return true;
	tdx_enter_bpf__destroy(*s);
	*s = NULL;
	return false;
}

static const struct tdxtop_tsc test_tsc = { 3, 1, "test" };

/* everything since load, through the reader tdxtop uses */
static int read_all(struct tdx_enter_bpf *s, struct tdxtop_snap *snap)
{
	struct tdxtop_reader r;
	struct tdxtop_maps m;
	int err;

	tdxtop_maps_get(&m, s, NULL);
	err = tdxtop_reader_init(&r, &m, &test_tsc);
	if (!err)
		err = tdxtop_reader_read(&r, snap);
	tdxtop_reader_free(&r);
	return err;
}

/* samples of metric m in the sparse histogram i of snap */
static __u64 hist_n(const struct tdxtop_snap *snap, size_t i, int m)
{
	const struct tdxtop_hrow *h = &snap->hrows[i];
	__u64 n = 0;
	__u32 b;

	for (b = 0; b < h->nr; b++)
		if (snap->buckets[h->first + b].metric == m)
			n += snap->buckets[h->first + b].count;
	return n;
}

static __u64 count_all(const struct tdxtop_snap *snap)
{
	__u64 n = 0;
	size_t i;

	for (i = 0; i < snap->nr_rows; i++)
		n += snap->rows[i].st.count;
	return n;
}

static void test_workload(void)
{
	pid_t pids[NR_VMS];
	struct tdxtop_snap snap = {};
	size_t i, mismatched = 0, missing = 0, bucket_bad = 0;
	__u64 host_n = 0, events = 0, hist_total = 0;
	int vm, status, child_fail = 0;

	for (vm = 0; vm < NR_VMS; vm++) {
		pids[vm] = fork();
		if (pids[vm] == 0)
			_exit(vmm_process(vm));
	}
	for (vm = 0; vm < NR_VMS; vm++) {
		waitpid(pids[vm], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			child_fail++;
	}
	ok(!child_fail, "%d VMM processes x %d vCPU threads ran %d exits each",
	   NR_VMS, NR_VCPUS, EVENTS);

	build_model(pids);
	ok(!read_all(skel, &snap), "maps read through tdxtop's read-out");
	is_u64(snap.nr_rows, nr_model, "one stats row per (VM, vCPU, reason, leaf, status, kind)");

	for (i = 0; i < nr_model; i++) {
		const struct tdxtop_stats *w = &model[i].st, *g = NULL;
		size_t j;
		int mm;

		for (j = 0; j < snap.nr_rows; j++)
			if (!memcmp(&snap.rows[j].key, &model[i].key, sizeof(model[i].key)))
				g = &snap.rows[j].st;
		if (!g) {
			missing++;
			continue;
		}
		if (g->count != w->count ||
		    memcmp(g->restored, w->restored, sizeof(w->restored)))
			mismatched++;
		for (mm = 0; mm < TDXTOP_NR_METRICS; mm++) {
			if (g->n[mm] != w->n[mm] || g->sum[mm] != w->sum[mm] ||
			    (w->n[mm] && (g->min[mm] != w->min[mm] || g->max[mm] != w->max[mm])))
				mismatched++;
		}
		if (model[i].key.kind == TDXTOP_KIND_EXIT) {
			host_n += g->n[TDXTOP_M_HOST];
			events += g->count;
		}
	}
	is_u64(missing, 0, "every modelled row is in the map");
	is_u64(mismatched, 0,
	       "counts, sums, minima, maxima (guest, host, restore) and restore counts equal the model exactly");
	/* host time: every exit but each vCPU's first */
	is_u64(host_n, events - NR_VMS * NR_VCPUS,
	       "a host-time sample for every exit but each vCPU's first");
	is_u64(snap.notes[TDXTOP_NOTE_HOST_SKEW], 0, "no TSC step back, no skew counted");
	is_u64(snap.losses[TDXTOP_LOSS_STATS_FULL] + snap.losses[TDXTOP_LOSS_HIST_FULL] +
	       snap.losses[TDXTOP_LOSS_VCPU_FULL] + snap.losses[TDXTOP_LOSS_MISSED], 0,
	       "no drops with maps large enough, no program run missed");

	/* histograms: per (VM, reason, leaf, status): buckets hold every sample */
	for (i = 0; i < snap.nr_hrows; i++) {
		const struct tdxtop_hrow *h = &snap.hrows[i];
		__u64 n_guest = 0, n_restore = 0;
		size_t j;

		hist_total += hist_n(&snap, i, TDXTOP_M_GUEST);
		for (j = 0; j < nr_model; j++) {
			const struct tdxtop_key *k = &model[j].key;

			if (k->tgid == h->key.tgid && k->reason == h->key.reason &&
			    k->status == h->key.status && k->leaf == h->key.leaf &&
			    k->kind == h->key.kind) {
				n_guest += model[j].st.n[TDXTOP_M_GUEST];
				n_restore += model[j].st.n[TDXTOP_M_RESTORE];
			}
		}
		if (hist_n(&snap, i, TDXTOP_M_GUEST) != n_guest ||
		    hist_n(&snap, i, TDXTOP_M_RESTORE) != n_restore)
			bucket_bad++;
	}
	is_u64(bucket_bad, 0, "each histogram holds exactly its rows' samples");
	is_u64(hist_total, (__u64)NR_VMS * NR_VCPUS * EVENTS, "guest histograms count every exit");

	/* percentiles of one hot row against the exact samples */
	{
		struct tdxtop_snap one = {};
		struct tdxtop_view v = {};
		__u64 seed = 0, tsc, *vals = NULL, nv = 0, exact, est;
		struct event e;
		int vcpu, k, bad = 0;
		static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };

		for (vcpu = 0; vcpu < NR_VCPUS; vcpu++)
			for (k = 0; k < EVENTS; k++) {
				gen_event(0, vcpu, k, &seed, &tsc, &e);
				if (e.args[TDX_VP_ENTER_LEAF] != 12)
					continue;
				vals = realloc(vals, (nv + 1) * sizeof(*vals));
				vals[nv++] = e.args[TDX_VP_ENTER_GUEST_CYCLES] / 2 * 3;
			}
		for (i = 0; i < nv; i++)	/* insertion sort: small n */
			for (k = i; k > 0 && vals[k - 1] > vals[k]; k--) {
				__u64 t = vals[k];

				vals[k] = vals[k - 1];
				vals[k - 1] = t;
			}
		one = snap;
		tdxtop_view_build(&v, &one, TDXTOP_BY_REASON, TDXTOP_SORT_COUNT);
		for (i = 0; i < v.nr; i++) {
			const struct tdxtop_group *g = &v.g[i];

			if (g->key.tgid != (__u32)pids[0] || g->key.leaf != 12 || !g->h)
				continue;
			for (k = 0; k < 4; k++) {
				__u64 rank = (__u64)(qs[k] * nv + 0.999999);
				__u32 b;

				exact = vals[rank - 1];
				est = tdxtop_hist_quantile(g->h->bucket[TDXTOP_M_GUEST],
							   g->st.n[TDXTOP_M_GUEST], qs[k],
							   g->st.min[TDXTOP_M_GUEST],
							   g->st.max[TDXTOP_M_GUEST]);
				b = tdxtop_bucket(exact);
				if ((est > exact ? est - exact : exact - est) * 2 >
				    tdxtop_bucket_hi(b) - tdxtop_bucket_lo(b))
					bad++;
			}
			ok(!bad && g->st.count == nv,
			   "TDVMCALL HLT of VM 0: %llu exits, p50/p90/p99/p99.9 within half a bucket",
			   (unsigned long long)nv);
		}
		tdxtop_view_free(&v);
		free(vals);
	}
	tdxtop_snap_free(&snap);
}

static void exit_on(int fd, __u32 vcpu, __u32 reason, __u64 tsc)
{
	struct event e = {};

	e.args[TDX_VP_ENTER_VCPU_ID] = vcpu;
	e.args[TDX_VP_ENTER_EXIT_REASON] = reason;
	e.args[TDX_VP_ENTER_STATUS] = reason;
	e.args[TDX_VP_ENTER_GUEST_CYCLES] = 100;
	e.args[TDX_VP_ENTER_TSC] = tsc;
	run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
}

/*
 * Full maps are counted, never silent.  A vCPU without a slot, or a key
 * without a free row in its vCPU's block, goes to the hash: still exact.
 */
static void test_full_maps(void)
{
	struct tdx_enter_bpf *s;
	struct tdxtop_snap snap = {};
	int i, fd;

	/* one slot: vCPU 0 takes it, vCPUs 1 and 2 go to an 8-row hash */
	if (!load_ok(&s, (struct sizes){ .vcpus = 1, .stats = 8 }, TDXTOP_VCPU_NONE, 0,
		     "load with 1 vCPU slot and an 8-row hash"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	for (i = 0; i < 12; i++) {
		exit_on(fd, 0, i, 1000000 + i * 1000);
		exit_on(fd, 1 + i % 2, i, 1000000 + i * 1000);
		exit_on(fd, 1 + i % 2, i, 1000500 + i * 1000);
	}
	read_all(s, &snap);
	is_u64(snap.nr_rows, 12 + 8, "12 rows in vCPU 0's block, 8 fill the hash");
	is_u64(count_all(&snap), 12 + 16, "12 exits of vCPU 0 and 8 x 2 of vCPUs 1-2 counted");
	is_u64(snap.losses[TDXTOP_LOSS_STATS_FULL], 8, "the other 4 keys x 2 exits are counted as stats_full");
	is_u64(snap.losses[TDXTOP_LOSS_VCPU_FULL], 16, "16 exits counted without host time as vcpu_full");
	is_u64(snap.notes[TDXTOP_NOTE_HOST_SKEW], 0, "and vCPU 0's 11 host times are not skew");
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);

	/* 100 keys on one vCPU: 64 rows at most in its block, the rest hashed */
	if (!load_ok(&s, (struct sizes){ .hists = 2 }, TDXTOP_VCPU_NONE, 0,
		     "load with 2 histograms"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	for (i = 0; i < 100; i++) {
		exit_on(fd, 3, i, 1000000 + i * 1000);
		exit_on(fd, 3, i, 1000500 + i * 1000);
	}
	exit_on(fd, 3, 5, 1000000);	/* the TSC steps back: skew */
	read_all(s, &snap);
	is_u64(snap.nr_rows, 100, "100 keys of one vCPU: 100 rows, block and hash together");
	is_u64(count_all(&snap), 201, "every exit counted");
	is_u64(snap.losses[TDXTOP_LOSS_HIST_FULL], 201 - 4,
	       "exits of the keys past the 2 histograms are counted as hist_full");
	is_u64(snap.notes[TDXTOP_NOTE_HOST_SKEW], 1, "a TSC step back is counted as skew");
	is_u64(snap.losses[TDXTOP_LOSS_STATS_FULL] + snap.losses[TDXTOP_LOSS_VCPU_FULL], 0,
	       "and nothing else");
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

/* one per-CPU histogram copy for three histograms: the others take the shared ones */
static void test_hist_copies(void)
{
	struct tdx_enter_bpf *s;
	struct tdxtop_snap snap = {};
	__u64 total = 0;
	size_t i;
	int fd, k, j;

	if (!load_ok(&s, (struct sizes){ .copies = 1 }, TDXTOP_VCPU_NONE, 0,
		     "load with one per-CPU histogram copy"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	for (k = 0; k < 3; k++)
		for (j = 0; j <= k; j++)
			exit_on(fd, k, 10 + k, 1000000 + j * 1000);
	read_all(s, &snap);
	for (i = 0; i < snap.nr_hrows; i++)
		total += hist_n(&snap, i, TDXTOP_M_GUEST);
	/* copy_next counts every CPU's first sample into each histogram */
	ok(snap.nr_hrows == 3 && total == 6 && !snap.losses[TDXTOP_LOSS_HIST_FULL] &&
	   s->bss->copy_next >= 3,
	   "3 histograms hold all 6 exits: one in the copy, the rest shared");
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

/* one reader, three reads: each gives what happened since the last */
static void test_deltas(void)
{
	struct tdx_enter_bpf *s;
	struct tdxtop_snap d = {};
	struct tdxtop_reader r;
	struct tdxtop_maps m;
	int fd, i;

	if (!load_ok(&s, (struct sizes){ 0 }, TDXTOP_VCPU_NONE, 0, "load for deltas"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	tdxtop_maps_get(&m, s, NULL);
	tdxtop_reader_init(&r, &m, &test_tsc);
	for (i = 0; i < 5; i++)
		exit_on(fd, 1, 12, 1000000 + i * 1000);
	tdxtop_reader_read(&r, &d);
	ok(d.nr_rows == 1 && count_all(&d) == 5 && d.nr_hrows == 1 &&
	   hist_n(&d, 0, TDXTOP_M_GUEST) == 5,
	   "first read: 5 exits, one row, one histogram of 5");
	for (i = 5; i < 8; i++)
		exit_on(fd, 1, 12, 1000000 + i * 1000);
	exit_on(fd, 2, 12, 1000000);
	tdxtop_reader_read(&r, &d);
	ok(d.nr_rows == 2 && count_all(&d) == 4 && d.nr_hrows == 1 &&
	   hist_n(&d, 0, TDXTOP_M_GUEST) == 4,
	   "second read: only the 4 new exits, in 2 rows and the histogram");
	tdxtop_reader_read(&r, &d);
	ok(d.nr_rows == 0 && d.nr_hrows == 0, "third read, nothing new: nothing");
	tdxtop_reader_free(&r);
	tdxtop_snap_free(&d);
	tdx_enter_bpf__destroy(s);
}

/* rodata filters: vCPU and minimum guest latency */
static void test_filters(void)
{
	struct tdx_enter_bpf *s;
	struct tdxtop_snap snap = {};
	struct event e = {};
	int v, fd;

	if (!load_ok(&s, (struct sizes){ 0 }, 2, 1500, "load with --vcpu 2 --min-latency 1500"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	for (v = 0; v < 4; v++) {
		e.args[TDX_VP_ENTER_VCPU_ID] = v;
		e.args[TDX_VP_ENTER_GUEST_CYCLES] = 1000;	/* 1500 ns: kept */
		run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
		e.args[TDX_VP_ENTER_GUEST_CYCLES] = 998;	/* 1497 ns: filtered */
		run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
	}
	read_all(s, &snap);
	ok(count_all(&snap) == 1 && snap.nr_rows == 1 && snap.rows[0].key.vcpu == 2,
	   "only vCPU 2's exit at the threshold is counted");
	is_u64(snap.notes[TDXTOP_NOTE_FILTERED], 1, "the exit below the threshold is counted as filtered");
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

static void test_errors(void)
{
	int fd = bpf_program__fd(skel->progs.tdx_vp_enter);
	__u64 args[TDX_VP_ENTER_NR_ARGS] = {};

	is_u64(-run(fd, args, TDX_VP_ENTER_NR_ARGS - 1, -1), EINVAL,
	       "a ctx one argument short is refused with EINVAL");
	is_u64(-run(fd, args, TDX_VP_ENTER_NR_ARGS, libbpf_num_possible_cpus() + 7), ENXIO,
	       "BPF_F_TEST_RUN_ON_CPU with a CPU that does not exist fails with ENXIO");
}

/* ---- outlier capture ---- */

/* load with capture as o asks; the ring of 'ring' bytes (0: as tdxtop sizes it) */
static int load_capture(struct tdx_enter_bpf **s, const struct tdxtop_outlier_opts *o,
			__u32 ring)
{
	int err;

	*s = tdx_enter_bpf__open();
	if (!*s)
		return -errno;
	(*s)->rodata->tsc_mult = MULT;
	(*s)->rodata->tsc_shift = SHIFT;
	err = tdxtop_maps_size(*s, 0, 0, 0, 0) ?: tdxtop_outlier_setup(*s, o, 1000);
	if (!err && ring)
		err = bpf_map__set_max_entries((*s)->maps.outlier_ring, ring);
	return err ?: tdx_enter_bpf__load(*s);
}

/* an exit of the capture test: every field its own, guest and restore given */
static void cap_exit(int fd, __u32 vcpu, __u32 i, __u64 guest_cyc, __u64 restore_cyc,
		     __u64 *tsc, struct event *e)
{
	memset(e, 0, sizeof(*e));
	e->args[TDX_VP_ENTER_VCPU_ID] = vcpu;
	e->args[TDX_VP_ENTER_STATUS] = i % 3 ? 77 : 0x8000020000000092ULL;
	e->args[TDX_VP_ENTER_EXIT_REASON] = i % 3 ? 77 : -1u;
	e->args[TDX_VP_ENTER_LEAF] = i % 3 ? 0x10001 + i % 2 : 0xdeadbeef;	/* garbage */
	e->args[TDX_VP_ENTER_EXIT_QUAL] = 0x1000 + i;
	e->args[TDX_VP_ENTER_GUEST_CYCLES] = guest_cyc;
	e->args[TDX_VP_ENTER_RESTORE_CYCLES] = restore_cyc;
	*tsc += 2000 + guest_cyc + restore_cyc;
	e->args[TDX_VP_ENTER_TSC] = *tsc;
	run(fd, e->args, TDX_VP_ENTER_NR_ARGS, -1);
}

static bool same_outlier(const struct tdxtop_outlier *o, const struct event *e, __u32 over,
			 __u64 host_ns)
{
	return o->tgid == (__u32)getpid() && o->vcpu == e->args[TDX_VP_ENTER_VCPU_ID] &&
	       o->reason == (__u32)e->args[TDX_VP_ENTER_EXIT_REASON] &&
	       o->status == e->args[TDX_VP_ENTER_STATUS] &&
	       o->leaf == e->args[TDX_VP_ENTER_LEAF] &&
	       o->exit_qual == e->args[TDX_VP_ENTER_EXIT_QUAL] &&
	       o->tsc == e->args[TDX_VP_ENTER_TSC] &&
	       o->ns[TDXTOP_M_GUEST] == e->args[TDX_VP_ENTER_GUEST_CYCLES] / 2 * 3 &&
	       o->ns[TDXTOP_M_RESTORE] == e->args[TDX_VP_ENTER_RESTORE_CYCLES] / 2 * 3 &&
	       o->ns[TDXTOP_M_HOST] == host_ns && o->over == over;
}

static int read_capture(struct tdx_enter_bpf *s, const struct tdxtop_outlier_opts *o,
			struct tdxtop_reader *r, struct tdxtop_snap *snap)
{
	struct tdxtop_maps m;

	tdxtop_maps_get(&m, s, NULL);
	return tdxtop_reader_init(r, &m, &test_tsc) ?: tdxtop_reader_outliers(r, o) ?:
	       tdxtop_reader_read(r, snap);
}

static __u64 mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Fixed thresholds: guest > 1500 ns, restore > 600 ns.  300 exits on two
 * vCPUs; every 37th is slow in the guest, every 50th in the restore: the
 * records are exactly those, in TSC order, every field as fired.
 */
static void test_outliers_fixed(void)
{
	struct tdxtop_outlier_opts o = { .rate = 100000 };
	static struct event want[300];
	__u32 want_over[300];
	__u64 want_host[300], tsc[2] = { 1000000, 5000000 }, last[2] = { 0, 0 };
	struct tdxtop_snap snap = {};
	struct tdx_enter_bpf *s;
	struct tdxtop_reader r;
	size_t nw = 0, i, bad = 0;
	char err[128];
	int fd;

	tdxtop_outlier_parse("guest=1500ns,restore=0.6us", &o, err, sizeof(err));
	if (!ok(!load_capture(&s, &o, 0), "load tdx_vp_capture with fixed thresholds (%s)",
		o.spec))
		return;
	ok(bpf_program__fd(s->progs.tdx_vp_enter) < 0,
	   "tdx_vp_enter is not loaded beside it");
	fd = bpf_program__fd(s->progs.tdx_vp_capture);
	for (i = 0; i < 300; i++) {
		__u32 v = i % 2, over = 0;
		__u64 g = i % 37 == 5 ? 1002 : 998, rs = i % 50 == 7 ? 402 : 400;
		struct event e;
		__u64 start;

		cap_exit(fd, v, i, g, rs, &tsc[v], &e);
		start = tsc[v] - g - rs;
		if (g / 2 * 3 > 1500)
			over |= 1 << TDXTOP_M_GUEST;
		if (rs / 2 * 3 > 600)
			over |= 1 << TDXTOP_M_RESTORE;
		if (over) {
			want[nw] = e;
			want_over[nw] = over;
			want_host[nw] = last[v] ? (start - last[v]) / 2 * 3 : TDXTOP_NO_NS;
			nw++;
		}
		last[v] = tsc[v];
	}
	if (!ok(!read_capture(s, &o, &r, &snap), "read the maps and the ring"))
		goto out;
	/* TSC order: vCPU 1's timeline starts later, so all of vCPU 0's come first */
	{
		static struct event sorted[300];
		__u32 so[300];
		__u64 sh[300];
		size_t k = 0, v2;

		for (v2 = 0; v2 < 2; v2++)
			for (i = 0; i < nw; i++)
				if (want[i].args[TDX_VP_ENTER_VCPU_ID] == v2) {
					sorted[k] = want[i];
					so[k] = want_over[i];
					sh[k++] = want_host[i];
				}
		for (i = 0; i < nw && i < snap.nr_outliers; i++)
			if (!same_outlier(&snap.outliers[i].o, &sorted[i], so[i], sh[i]))
				bad++;
	}
	is_u64(snap.nr_outliers, nw, "each exit above a threshold is captured (%zu of 300)", nw);
	ok(!bad, "in TSC order, with vCPU, reason, raw status, leaf, exit qualification, "
	   "TSC, the three times and which were over");
	is_u64(snap.outlier_counts[TDXTOP_OUTLIER_SENT], nw, "counted as sent");
	is_u64(snap.outlier_counts[TDXTOP_OUTLIER_CAPPED] +
	       snap.outlier_counts[TDXTOP_OUTLIER_LOST], 0, "none capped or lost");
	is_u64(count_all(&snap), 300, "and all 300 are aggregated as usual");
out:
	tdxtop_reader_free(&r);
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

/* The cap and a full ring: sent + capped + lost = outliers fired, always */
static void test_outliers_bounds(void)
{
	struct tdxtop_outlier_opts o = { .rate = 10 };
	struct tdxtop_snap snap = {};
	struct tdx_enter_bpf *s;
	struct tdxtop_reader r;
	__u64 tsc = 1000000, sec0, sec1, *c;
	struct event e;
	char err[128];
	int fd, i;

	tdxtop_outlier_parse("guest=0", &o, err, sizeof(err));
	if (!ok(!load_capture(&s, &o, 0), "load with a cap of 10 a second"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_capture);
	sec0 = mono_sec();
	for (i = 0; i < 50; i++)
		cap_exit(fd, 0, i, 100, 10, &tsc, &e);
	sec1 = mono_sec();
	read_capture(s, &o, &r, &snap);
	c = snap.outlier_counts;
	/* a burst that crosses a second may send 10 in each */
	ok(sec0 == sec1 ? snap.nr_outliers == 10 :
	   snap.nr_outliers >= 10 && snap.nr_outliers <= 20,
	   "50 outliers within %s, a cap of 10 a second: %zu records",
	   sec0 == sec1 ? "one second" : "two seconds", snap.nr_outliers);
	is_u64(c[TDXTOP_OUTLIER_SENT] + c[TDXTOP_OUTLIER_CAPPED], 50,
	       "sent + capped = the 50 fired");
	is_u64(c[TDXTOP_OUTLIER_SENT], snap.nr_outliers, "every record sent is read");
	tdxtop_reader_free(&r);
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);

	o.rate = 100000;
	if (!ok(!load_capture(&s, &o, 4096), "load with a one-page ring and no cap"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_capture);
	for (i = 0; i < 100; i++)
		cap_exit(fd, 0, i, 100, 10, &tsc, &e);
	read_capture(s, &o, &r, &snap);
	c = snap.outlier_counts;
	ok(c[TDXTOP_OUTLIER_LOST] > 0 && c[TDXTOP_OUTLIER_SENT] + c[TDXTOP_OUTLIER_LOST] == 100 &&
	   snap.nr_outliers == c[TDXTOP_OUTLIER_SENT],
	   "a full ring: %llu records, %llu lost, together the 100 fired",
	   (unsigned long long)c[TDXTOP_OUTLIER_SENT], (unsigned long long)c[TDXTOP_OUTLIER_LOST]);
	tdxtop_reader_free(&r);
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * auto: nothing is captured before a key has an interval; then each exit
 * above the bucket of the last interval's p99.9 of its key, and only those
 */
static void test_outliers_auto(void)
{
	struct tdxtop_outlier_opts o = { .rate = 100000 };
	static __u64 g[2000];
	struct tdxtop_snap snap = {};
	struct tdx_enter_bpf *s;
	struct tdxtop_reader r;
	__u64 tsc = 1000000, seed = 42, thr, sorted[2000];
	size_t i, want = 0, bad = 0;
	struct event e;
	char err[128];
	int fd;

	tdxtop_outlier_parse("auto", &o, err, sizeof(err));
	if (!ok(!load_capture(&s, &o, 0), "load tdx_vp_capture in auto mode"))
		return;
	fd = bpf_program__fd(s->progs.tdx_vp_capture);
	for (i = 0; i < 2000; i++) {
		g[i] = 2 * (500 + rnd(&seed) % 2000);
		cap_exit(fd, 0, 1, g[i], 10, &tsc, &e);	/* one key: MapGPA's */
	}
	if (!ok(!read_capture(s, &o, &r, &snap), "first interval read"))
		goto out;
	is_u64(snap.nr_outliers, 0, "first interval: no threshold yet, nothing captured");
	for (i = 0; i < 2000; i++)
		sorted[i] = g[i] / 2 * 3;
	qsort(sorted, 2000, sizeof(sorted[0]), cmp_u64);
	thr = tdxtop_bucket_hi(tdxtop_bucket(sorted[2000 - 2000 / 1000 - 1])) - 1;
	for (i = 0; i < 2000; i++) {
		g[i] = 2 * (1000 + rnd(&seed) % 2200);
		cap_exit(fd, 0, 1, g[i], 10, &tsc, &e);
		want += g[i] / 2 * 3 > thr;
	}
	tdxtop_reader_read(&r, &snap);
	for (i = 0; i < snap.nr_outliers; i++)
		bad += snap.outliers[i].o.ns[TDXTOP_M_GUEST] <= thr ||
		       snap.outliers[i].o.over != 1 << TDXTOP_M_GUEST;
	ok(want > 0 && snap.nr_outliers == want && !bad,
	   "second interval: the %zu exits above %llu ns (p99.9's bucket) are captured, "
	   "guest only", want, (unsigned long long)thr);
out:
	tdxtop_reader_free(&r);
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

int main(void)
{
	int err;

	tap_plan(53);
	if (geteuid()) {
		skip(53, "needs root to load BPF programs");
		return 0;
	}
	ncpus = libbpf_num_possible_cpus();
	err = load(&skel, (struct sizes){ 0 }, TDXTOP_VCPU_NONE, 0);
	if (!ok(!err, "bpf/tdx_enter.bpf.c loads into the running kernel (%d CPUs)", ncpus)) {
		diag("load failed: %s", strerror(-err));
		return 1;
	}
	test_workload();
	test_full_maps();
	test_hist_copies();
	test_deltas();
	test_filters();
	test_errors();
	test_outliers_fixed();
	test_outliers_bounds();
	test_outliers_auto();
	tdx_enter_bpf__destroy(skel);
	return tap_done();
}
