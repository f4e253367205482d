// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Host-kernel test of bpf/tdx_enter.bpf.c: the real object is loaded into the
 * running kernel and its raw_tp programs are driven with BPF_PROG_TEST_RUN
 * from a generated workload (VMM processes x vCPU threads, each thread pinned
 * to a CPU and run with BPF_F_TEST_RUN_ON_CPU).  The maps are read back with
 * tdxtop's own read-out code and compared with a model of the same workload:
 * counts, sums, minima, maxima and histogram buckets exactly.
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
#include "tdxtop.h"
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

/* the i-th event of a vCPU; the same on the driving and the checking side */
static void gen_event(int vm, int vcpu, int i, __u64 *seed, struct event *e)
{
	int total = 0, pick, m;

	if (i == 0)
		*seed = 0x1234567ULL * (vm + 1) + 0x9e3779b97f4a7c15ULL * (vcpu + 1);
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
	/* small guest times keep host time derivable between test runs */
	e->args[TDX_VP_ENTER_GUEST_CYCLES] = (rnd(seed) % 400) * 2;
	e->args[TDX_VP_ENTER_RESTORE_CYCLES] = (rnd(seed) % 100) * 2;
	e->args[TDX_VP_ENTER_RESTORED] = rnd(seed) & 0xf;
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
	__u64 seed = 0, args[3];

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		a->err = -errno;
		return NULL;
	}
	fd = bpf_program__fd(skel->progs.tdx_vp_enter);
	for (i = 0; i < EVENTS; i++) {
		gen_event(a->vm, a->vcpu, i, &seed, &e);
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
	__u64 seed = 0;
	int vm, v, i, b;

	for (vm = 0; vm < NR_VMS; vm++)
		for (v = 0; v < NR_VCPUS; v++) {
			for (i = 0; i < EVENTS; i++) {
				gen_event(vm, v, i, &seed, &e);
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

static int load(struct tdx_enter_bpf **s, __u32 stats_max, __u32 vcpu, __u64 min_ns)
{
	*s = tdx_enter_bpf__open();
	if (!*s)
		return -errno;
	(*s)->rodata->tsc_mult = MULT;
	(*s)->rodata->tsc_shift = SHIFT;
	(*s)->rodata->targ_vcpu = vcpu;
	(*s)->rodata->min_guest_ns = min_ns;
	if (stats_max)
		bpf_map__set_max_entries((*s)->maps.stats, stats_max);
	return tdx_enter_bpf__load(*s);
}

static void maps_of(struct tdx_enter_bpf *s, struct tdxtop_maps *m)
{
	struct bpf_program *p;

	memset(m, 0, sizeof(*m));
	bpf_object__for_each_program(p, s->obj)
		m->prog_fds[m->nr_progs++] = bpf_program__fd(p);
	m->stats_fd = bpf_map__fd(s->maps.stats);
	m->hists_fd = bpf_map__fd(s->maps.hists);
	m->drops_fd = bpf_map__fd(s->maps.drops);
}

static void test_workload(void)
{
	pid_t pids[NR_VMS];
	struct tdxtop_maps m;
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
	maps_of(skel, &m);
	ok(!tdxtop_snap_read(&snap, &m), "maps read through tdxtop's read-out");
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
			if (mm == TDXTOP_M_HOST)
				continue;
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
	is_u64(mismatched, 0, "counts, sums, minima, maxima and restore counts equal the model exactly");
	/* host time: every exit but each vCPU's first, unless the clock order forbade it */
	is_u64(host_n + snap.drops[TDXTOP_DROP_HOST_SKEW], events - NR_VMS * NR_VCPUS,
	       "host-time samples + skew drops = exits - first exit of each vCPU");
	is_u64(snap.drops[TDXTOP_DROP_STATS_FULL] + snap.drops[TDXTOP_DROP_HIST_FULL] +
	       snap.drops[TDXTOP_DROP_VCPU_FULL] + snap.drops[TDXTOP_DROP_MISSED], 0,
	       "no drops with maps large enough, no program run missed");

	/* histograms: per (VM, reason, leaf, status): buckets hold every sample */
	for (i = 0; i < snap.nr_hrows; i++) {
		const struct tdxtop_hrow *h = &snap.hrows[i];
		__u64 n_guest = 0, n_restore = 0;
		size_t j;

		hist_total += tdxtop_hist_total(h->h.bucket[TDXTOP_M_GUEST]);
		for (j = 0; j < nr_model; j++) {
			const struct tdxtop_key *k = &model[j].key;

			if (k->tgid == h->key.tgid && k->reason == h->key.reason &&
			    k->status == h->key.status && k->leaf == h->key.leaf &&
			    k->kind == h->key.kind) {
				n_guest += model[j].st.n[TDXTOP_M_GUEST];
				n_restore += model[j].st.n[TDXTOP_M_RESTORE];
			}
		}
		if (tdxtop_hist_total(h->h.bucket[TDXTOP_M_GUEST]) != n_guest ||
		    tdxtop_hist_total(h->h.bucket[TDXTOP_M_RESTORE]) != n_restore)
			bucket_bad++;
	}
	is_u64(bucket_bad, 0, "each histogram holds exactly its rows' samples");
	is_u64(hist_total, (__u64)NR_VMS * NR_VCPUS * EVENTS, "guest histograms count every exit");

	/* percentiles of one hot row against the exact samples */
	{
		struct tdxtop_snap one = {};
		struct tdxtop_view v = {};
		__u64 seed = 0, *vals = NULL, nv = 0, exact, est;
		struct event e;
		int vcpu, k, bad = 0;
		static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };

		for (vcpu = 0; vcpu < NR_VCPUS; vcpu++)
			for (k = 0; k < EVENTS; k++) {
				gen_event(0, vcpu, k, &seed, &e);
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

/* a full stats map is counted, never silent */
static void test_full_map(void)
{
	struct tdx_enter_bpf *s;
	struct tdxtop_snap snap = {};
	struct tdxtop_maps m;
	struct event e = {};
	int i, fd, err;

	err = load(&s, 8, TDXTOP_VCPU_NONE, 0);
	if (!ok(!err, "load with an 8-entry stats map")) {
		tdx_enter_bpf__destroy(s);
		return;
	}
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	for (i = 0; i < 12; i++) {
		e.args[TDX_VP_ENTER_EXIT_REASON] = i;	/* 12 distinct keys */
		e.args[TDX_VP_ENTER_STATUS] = i;
		run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
		run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
	}
	maps_of(s, &m);
	tdxtop_snap_read(&snap, &m);
	is_u64(snap.nr_rows, 8, "8 rows fill the map");
	is_u64(snap.drops[TDXTOP_DROP_STATS_FULL], 8, "the other 4 keys x 2 events are counted as drops");
	tdxtop_snap_free(&snap);
	tdx_enter_bpf__destroy(s);
}

/* rodata filters: vCPU and minimum guest latency */
static void test_filters(void)
{
	struct tdx_enter_bpf *s;
	struct tdxtop_snap snap = {};
	struct tdxtop_maps m;
	struct event e = {};
	__u64 counted = 0;
	size_t i;
	int v, fd;

	if (!ok(!load(&s, 0, 2, 1500), "load with --vcpu 2 --min-latency 1500")) {
		tdx_enter_bpf__destroy(s);
		return;
	}
	fd = bpf_program__fd(s->progs.tdx_vp_enter);
	for (v = 0; v < 4; v++) {
		e.args[TDX_VP_ENTER_VCPU_ID] = v;
		e.args[TDX_VP_ENTER_GUEST_CYCLES] = 1000;	/* 1500 ns: kept */
		run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
		e.args[TDX_VP_ENTER_GUEST_CYCLES] = 998;	/* 1497 ns: filtered */
		run(fd, e.args, TDX_VP_ENTER_NR_ARGS, -1);
	}
	maps_of(s, &m);
	tdxtop_snap_read(&snap, &m);
	for (i = 0; i < snap.nr_rows; i++)
		counted += snap.rows[i].st.count;
	ok(counted == 1 && snap.nr_rows == 1 && snap.rows[0].key.vcpu == 2,
	   "only vCPU 2's exit at the threshold is counted");
	is_u64(snap.drops[TDXTOP_FILTERED], 1, "the exit below the threshold is counted as filtered");
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

int main(void)
{
	int err;

	tap_plan(19);
	if (geteuid()) {
		skip(19, "needs root to load BPF programs");
		return 0;
	}
	ncpus = libbpf_num_possible_cpus();
	err = load(&skel, 0, TDXTOP_VCPU_NONE, 0);
	if (!ok(!err, "bpf/tdx_enter.bpf.c loads into the running kernel (%d CPUs)", ncpus)) {
		diag("load failed: %s", strerror(-err));
		return 1;
	}
	test_workload();
	test_full_map();
	test_filters();
	test_errors();
	tdx_enter_bpf__destroy(skel);
	return tap_done();
}
