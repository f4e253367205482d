// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Cost of bpf/tdx_enter.bpf.c per event: BPF_PROG_TEST_RUN of tdx_vp_enter
 * against an empty raw_tp program, in interleaved rounds.  Per round, two
 * differences: of the kernel's own accounting of each program's run time
 * (BPF_STATS_RUN_TIME, which times the program alone and is the figure), and
 * of the per-call wall times (which carry the syscall's noise, hundreds of
 * ns on this machine).  Prints medians over the rounds.
 *
 * Then the same A/B warm: the exit handler run LOOP_EVENTS times per program
 * run over the same stream (bench/loop.bpf.c, bpf_loop) against the loop with
 * an empty body, per event.  One test run per event enters the kernel per
 * event, which here (PTI, no PCID) flushes the TLB every time; KVM's run loop
 * fires exits without that.
 *
 * The warm figures also run, in the same rounds, the reference aggregation
 * of bench/loop.bpf.c (what a bpftrace script compiles to), and, given
 * BASE_LOOP_OBJ (make bench BASE=REV builds one from another revision), the
 * exit handler of that object: tdxtop's cost as a ratio to the reference,
 * and as a difference to the base, measured side by side.  And the exit
 * handler with outlier capture (tdx_vp_capture's body), fixed and auto
 * thresholds set above every time of the stream: capture's cost when no
 * exit is an outlier.  And the kvm source's two handlers (kvm_entry's and
 * kvm_exit's bodies) per exit of the same stream, in an object of their
 * own (bench/loop_kvm.bpf.c): the attach type's own cost is
 * bench/kvm-attach.sh's.
 *
 * Usage: bpf_cost [ROUNDS] [CALLS_PER_ROUND] [BURST] [mix|spread] [BASE_LOOP_OBJ]
 */
#include <errno.h>
#include <bpf/btf.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"
#include "tdx_enter.skel.h"
#include "empty.skel.h"
#include "loop.skel.h"
#include "loop_kvm.skel.h"

#define NR_ARGS TDX_VP_ENTER_NR_ARGS

static __u64 now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * A stream of 16 vCPUs and the exit mix of tests/e2e/workloads/mix.wl: per
 * kind its weight, statuses, and ranges of guest and restore cycles (a
 * uniform draw in each).  spread: every kind draws its guest cycles from
 * 1,000 - 5,000,000 instead, the worst case for the histograms' caches.
 * burst: exits in a row from one vCPU, as a CPU sees them while the vCPU's
 * thread runs on it (1: a different random vCPU every exit).  The rounds
 * replay the stream, so a vCPU's TSC steps back once per replay (skew).
 */
static void gen(__u64 (*ev)[NR_ARGS], int n, int burst, bool spread)
{
	static const struct {
		int weight;
		__u64 status, reason, leaf, glo, ghi, rlo, rhi, restored;
	} mix[] = {
		{ 30, 77, 12, 12, 2000, 4000000, 300, 900, 0x2 },
		{ 20, 1, 1, 0, 500, 60000, 300, 900, 0x2 },
		{ 10, 48, 48, 0, 1000, 50000, 300, 1200, 0x6 },
		{ 10, 77, 49, 48, 800, 30000, 300, 900, 0x2 },
		{ 6, 77, 30, 30, 600, 9000, 300, 900, 0x2 },
		{ 4, 77, 31, 31, 600, 9000, 300, 900, 0x2 },
		{ 3, 77, 32, 32, 600, 9000, 300, 900, 0x3 },
		{ 5, 77, 10, 10, 600, 9000, 300, 900, 0x2 },
		{ 4, 77, 77, 0x10001, 5000, 400000, 300, 900, 0xe },
		{ 1, 77, 77, 0x10002, 20000, 900000, 300, 900, 0x2 },
		{ 2, 0x8000020000000092ULL, -1u, 0, 500, 5000, 300, 900, 0x2 },
	};
	__u64 s = 88172645463325252ULL, tsc[16];
	int i, v = 0, total = 0, k;

	for (k = 0; k < (int)(sizeof(mix) / sizeof(mix[0])); k++)
		total += mix[k].weight;
	for (i = 0; i < 16; i++)
		tsc[i] = 1000000;
	for (i = 0; i < n; i++) {
		int pick;
		__u64 glo, ghi;

		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		pick = s % total;
		for (k = 0; pick >= mix[k].weight; k++)
			pick -= mix[k].weight;
		if (i % burst == 0)
			v = (s >> 8) % 16;
		glo = spread ? 1000 : mix[k].glo;
		ghi = spread ? 5000000 : mix[k].ghi;
		memset(ev[i], 0, sizeof(ev[i]));
		ev[i][TDX_VP_ENTER_VCPU_ID] = v;
		ev[i][TDX_VP_ENTER_STATUS] = mix[k].status;
		ev[i][TDX_VP_ENTER_EXIT_REASON] = mix[k].reason;
		ev[i][TDX_VP_ENTER_LEAF] = mix[k].leaf;
		ev[i][TDX_VP_ENTER_GUEST_CYCLES] = glo + (s >> 16) % (ghi - glo + 1);
		ev[i][TDX_VP_ENTER_RESTORE_CYCLES] = mix[k].rlo +
			(s >> 40) % (mix[k].rhi - mix[k].rlo + 1);
		ev[i][TDX_VP_ENTER_RESTORED] = mix[k].restored;
		/* each vCPU's own timeline, 400-1423 host cycles between exits */
		tsc[v] += 400 + (s >> 50) % 1024 +
			ev[i][TDX_VP_ENTER_GUEST_CYCLES] + ev[i][TDX_VP_ENTER_RESTORE_CYCLES];
		ev[i][TDX_VP_ENTER_TSC] = tsc[v];
	}
}

static void prog_stats(int fd, __u64 *cnt, __u64 *ns)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	bpf_obj_get_info_by_fd(fd, &info, &len);
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
}

/* wall ns per call; *run: the kernel's run_time_ns per run */
static double run_round(int fd, __u64 (*ev)[NR_ARGS], int n, double *run)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_size_in = NR_ARGS * sizeof(__u64));
	__u64 c0, r0, c1, r1, t0;
	int i;

	prog_stats(fd, &c0, &r0);
	t0 = now();
	for (i = 0; i < n; i++) {
		o.ctx_in = ev[i];
		bpf_prog_test_run_opts(fd, &o);
	}
	t0 = now() - t0;
	prog_stats(fd, &c1, &r1);
	*run = c1 > c0 ? (double)(r1 - r0) / (c1 - c0) : 0;
	return (double)t0 / n;
}

#define LOOP_RUNS	20	/* program runs per round and side */
#define LOOP_EVENTS	1024	/* bench/loop.bpf.c's stream */

/* kernel run time per event of one side: LOOP_RUNS runs of n events */
static double loop_round(int fd, __u32 n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	__u64 c0, r0, c1, r1;
	int i;

	prog_stats(fd, &c0, &r0);
	for (i = 0; i < LOOP_RUNS; i++)
		bpf_prog_test_run_opts(fd, &o);
	prog_stats(fd, &c1, &r1);
	return c1 > c0 ? (double)(r1 - r0) / ((c1 - c0) * (double)n) : 0;
}

/*
 * Sets global variable name of section sec (".rodata", ".bss") of an
 * opened, not yet loaded object, found through its BTF: works for this
 * tree's loop object and for one built from another revision (make bench
 * BASE=REV), whatever else their sections hold.
 */
static int set_var(struct bpf_object *obj, const char *sec, const char *name,
		   const void *val, size_t size)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *t;
	struct bpf_map *map;
	const void *init;
	size_t msize;
	char *data;
	int id, i, err;

	id = btf ? btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	bpf_object__for_each_map(map, obj) {
		const char *mn = bpf_map__name(map);
		size_t l = strlen(mn), sl = strlen(sec);

		if (l >= sl && !strcmp(mn + l - sl, sec))
			break;
	}
	if (!map)
		return -ENOENT;
	init = bpf_map__initial_value(map, &msize);
	vs = btf_var_secinfos(t);
	for (i = 0; i < btf_vlen(t); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), name))
			continue;
		if (!init || vs->offset + size > msize || size > vs->size)
			return -E2BIG;
		data = malloc(msize);
		if (!data)
			return -ENOMEM;
		memcpy(data, init, msize);
		memcpy(data + vs->offset, val, size);
		err = bpf_map__set_initial_value(map, data, msize);
		free(data);
		return err;
	}
	return -ENOENT;
}

/* A loop object: opened, its stream and TSC conversion set, loaded */
struct loop_obj {
	const char *what;
	struct bpf_object *obj;
	int fd_exits, fd_capture, fd_ref_full, fd_ref_guest, fd_empty;
};

/* Outlier thresholds above any time of the stream: capture on, no outlier */
#define NO_OUTLIER_NS	1000000000000ULL

/*
 * capture: 0 none set (a base object may not know outliers), 1 fixed
 * thresholds, 2 per-histogram thresholds (auto)
 */
static int loop_load(struct loop_obj *lo, __u64 (*ev)[NR_ARGS], int n, int capture)
{
	__u32 mult = 6990506, shift = 24, per = LOOP_EVENTS;
	__u64 thr[TDXTOP_NR_METRICS] = { NO_OUTLIER_NS, NO_OUTLIER_NS, NO_OUTLIER_NS };
	bool on = true;
	struct bpf_program *p;
	struct bpf_map *m;
	int err;

	err = set_var(lo->obj, ".rodata", "tsc_mult", &mult, sizeof(mult)) ?:
	      set_var(lo->obj, ".rodata", "tsc_shift", &shift, sizeof(shift)) ?:
	      set_var(lo->obj, ".bss", "loop_n", &per, sizeof(per)) ?:
	      set_var(lo->obj, ".bss", "loop_ev", ev,
		      (n < LOOP_EVENTS ? n : LOOP_EVENTS) * sizeof(*ev));
	if (!err && capture == 1)
		err = set_var(lo->obj, ".rodata", "outlier_ns", thr, sizeof(thr));
	if (!err && capture == 2)
		err = set_var(lo->obj, ".rodata", "outlier_auto", &on, sizeof(on));
	if (!err)
		err = bpf_object__load(lo->obj);
	m = capture == 2 ? bpf_object__find_map_by_name(lo->obj, "outlier_thresh") : NULL;
	if (!err && m) {
		struct tdxtop_thresh t = { { NO_OUTLIER_NS + 1, NO_OUTLIER_NS + 1, NO_OUTLIER_NS + 1 } };
		__u32 i;

		for (i = 0; !err && i < bpf_map__max_entries(m); i++)
			err = bpf_map_update_elem(bpf_map__fd(m), &i, &t, BPF_ANY);
	}
	if (err) {
		fprintf(stderr, "bpf_cost: cannot load the %s loop object: %s\n",
			lo->what, strerror(-err));
		return err;
	}
	p = bpf_object__find_program_by_name(lo->obj, "loop_exits");
	lo->fd_exits = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(lo->obj, "loop_capture");
	lo->fd_capture = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(lo->obj, "loop_ref_full");
	lo->fd_ref_full = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(lo->obj, "loop_ref_guest");
	lo->fd_ref_guest = p ? bpf_program__fd(p) : -1;
	p = bpf_object__find_program_by_name(lo->obj, "loop_empty");
	lo->fd_empty = p ? bpf_program__fd(p) : -1;
	return lo->fd_exits < 0 || lo->fd_empty < 0 ? -ENOENT : 0;
}

/*
 * The kvm source's handlers over the same stream (bench/loop_kvm.bpf.c):
 * its program fd, or -1; btf_fd[0]: the btf source's (struct vcpu_tdx read
 * through bpf_rdonly_cast()), btf_fd[1]: with bpf_probe_read_kernel(),
 * btf_fd[2]: the two clock reads of either source alone.  The
 * object has the loops only: the handlers come from bpf/kvm_exit.bpf.h, not
 * with the kvm source's programs.
 */
static int kvm_loop_load(struct loop_kvm_bpf *k, __u64 (*ev)[NR_ARGS], int n, int *btf_fd)
{
	__u32 per = LOOP_EVENTS;
	int err;

	err = set_var(k->obj, ".bss", "loop_n", &per, sizeof(per)) ?:
	      set_var(k->obj, ".bss", "loop_ev", ev,
		      (n < LOOP_EVENTS ? n : LOOP_EVENTS) * sizeof(*ev)) ?:
	      loop_kvm_bpf__load(k);
	if (err) {
		fprintf(stderr, "bpf_cost: cannot load the kvm loop object: %s\n", strerror(-err));
		return -1;
	}
	btf_fd[0] = bpf_program__fd(k->progs.loop_btf);
	btf_fd[1] = bpf_program__fd(k->progs.loop_btf_read);
	btf_fd[2] = bpf_program__fd(k->progs.loop_clock);
	return bpf_program__fd(k->progs.loop_kvm);
}

enum {
	W_TDX, W_CAPTURE, W_CAPTURE_AUTO, W_KVM, W_BTF, W_BTF_READ, W_CLOCK, W_REF, W_REF_GUEST,
	W_BASE, W_EMPTY, W_NR
};

/*
 * Warm: each side LOOP_RUNS program runs of LOOP_EVENTS events, rounds
 * interleaved in a rotating order; per round each side minus the empty
 * body, medians over the rounds.
 */
static int warm(int rounds, __u64 (*ev)[NR_ARGS], int n, const char *base)
{
	static const char *const names[W_NR] = {
		"tdx_vp_enter", "tdx_vp_capture, no outlier",
		"tdx_vp_capture (auto), no outlier", "kvm_entry + kvm_exit bodies",
		"btf: kvm_entry + kvm_exit + fexit",
		"btf, vcpu_tdx by probe read",
		"two bpf_ktime_get_ns()",
		"reference, same fields",
		"reference, guest time only", "base object", "empty",
	};
	struct loop_bpf *l = loop_bpf__open(), *la = loop_bpf__open();
	struct loop_kvm_bpf *lk = loop_kvm_bpf__open();
	struct loop_obj cur = { .what = "this tree's" }, old = { .what = "base" };
	struct loop_obj aut = { .what = "auto capture" };
	double *t[W_NR], *d[W_NR];
	int fd[W_NR], r, i, k;

	if (!l || !la || !lk)
		return 1;
	cur.obj = l->obj;
	aut.obj = la->obj;
	if (loop_load(&cur, ev, n, 1) || loop_load(&aut, ev, n, 2))
		return 1;
	fd[W_TDX] = cur.fd_exits;
	fd[W_CAPTURE] = cur.fd_capture;
	fd[W_CAPTURE_AUTO] = aut.fd_capture;
	fd[W_KVM] = kvm_loop_load(lk, ev, n, &fd[W_BTF]);
	if (fd[W_KVM] < 0)
		return 1;
	fd[W_REF] = cur.fd_ref_full;
	fd[W_REF_GUEST] = cur.fd_ref_guest;
	fd[W_EMPTY] = cur.fd_empty;
	fd[W_BASE] = -1;
	if (base) {
		old.obj = bpf_object__open_file(base, NULL);
		if (!old.obj || loop_load(&old, ev, n, 0))
			return 1;
		fd[W_BASE] = old.fd_exits;
	}
	for (i = 0; i < W_NR; i++) {
		t[i] = calloc(rounds, sizeof(double));
		d[i] = calloc(rounds, sizeof(double));
		if (fd[i] >= 0)
			loop_round(fd[i], LOOP_EVENTS);	/* warm up: create every key */
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < W_NR; k++) {
			i = (k + r) % W_NR;
			if (fd[i] >= 0)
				t[i][r] = loop_round(fd[i], LOOP_EVENTS);
		}
		for (i = 0; i < W_NR; i++)
			d[i][r] = t[i][r] - t[W_EMPTY][r];
	}
	printf("warm, %u events per program run (bpf_loop), %d rounds x %d runs:\n",
	       LOOP_EVENTS, rounds, LOOP_RUNS);
	for (i = 0; i < W_NR; i++)
		if (fd[i] >= 0 && i != W_EMPTY)
			printf("  %-32s %6.1f ns/event (kernel run time per event less the empty loop's, median)\n",
			       names[i], median(d[i], rounds));
	printf("tdx_vp_enter cost per event, warm (A - B, median of rounds): %.1f ns\n",
	       median(d[W_TDX], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_REF][r] > 0 ? d[W_TDX][r] / d[W_REF][r] : 0;
	printf("tdx_vp_enter / reference (same fields), warm: %.2f (median of per-round ratios)\n",
	       median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_REF_GUEST][r] > 0 ? d[W_TDX][r] / d[W_REF_GUEST][r] : 0;
	printf("tdx_vp_enter / reference (guest time only), warm: %.2f\n",
	       median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_CAPTURE][r] - d[W_TDX][r];
	printf("tdx_vp_capture - tdx_vp_enter, no outlier, warm: %+.1f ns/event (median of per-round differences)\n",
	       median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_CAPTURE_AUTO][r] - d[W_TDX][r];
	printf("tdx_vp_capture (auto) - tdx_vp_enter, no outlier, warm: %+.1f ns/event\n",
	       median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_TDX][r] > 0 ? d[W_KVM][r] / d[W_TDX][r] : 0;
	printf("kvm source (kvm_entry + kvm_exit handlers, clock reads included) / "
	       "tdx_vp_enter per exit, warm: %.2f "
	       "(median of per-round ratios; goal <= 2)\n", median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_TDX][r] > 0 ? d[W_BTF][r] / d[W_TDX][r] : 0;
	printf("btf source (kvm_entry + kvm_exit + fexit handlers, clock reads included) / "
	       "tdx_vp_enter per TD exit, warm: "
	       "%.2f (median of per-round ratios; goal <= 1.3)\n", median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_TDX][r] > 0 ? d[W_BTF_READ][r] / d[W_TDX][r] : 0;
	printf("btf source, struct vcpu_tdx by bpf_probe_read_kernel() (verifiers before 7.2) / "
	       "tdx_vp_enter, warm: %.2f\n", median(d[W_EMPTY], rounds));
	for (r = 0; r < rounds; r++)
		d[W_EMPTY][r] = d[W_TDX][r] > 0 ? (d[W_BTF][r] - d[W_CLOCK][r]) / d[W_TDX][r] : 0;
	printf("btf source less its two clock reads / tdx_vp_enter, warm: %.2f (the clock: "
	       "%.1f ns a read)\n", median(d[W_EMPTY], rounds), median(d[W_CLOCK], rounds) / 2);
	if (base) {
		for (r = 0; r < rounds; r++)
			d[W_EMPTY][r] = d[W_TDX][r] - d[W_BASE][r];
		printf("tdx_vp_enter - base object, warm: %+.1f ns/event (median of per-round differences)\n",
		       median(d[W_EMPTY], rounds));
		bpf_object__close(old.obj);
	}
	loop_bpf__destroy(l);
	loop_bpf__destroy(la);
	loop_kvm_bpf__destroy(lk);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21, n = argc > 2 ? atoi(argv[2]) : 50000;
	int burst = argc > 3 ? atoi(argv[3]) : 1;
	bool spread = argc > 4 && !strcmp(argv[4], "spread");
	double *d_tdx = calloc(rounds, sizeof(double)), *d_empty = calloc(rounds, sizeof(double));
	double *diff = calloc(rounds, sizeof(double)), *kdiff = calloc(rounds, sizeof(double));
	double *k_tdx = calloc(rounds, sizeof(double)), *k_empty = calloc(rounds, sizeof(double));
	__u64 (*ev)[NR_ARGS] = calloc(n, sizeof(*ev));
	struct tdx_enter_bpf *skel;
	struct empty_bpf *e;
	int fd_tdx, fd_empty, r, stats_fd;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* one CPU: steady caches */
	skel = tdx_enter_bpf__open();
	skel->rodata->tsc_mult = 6990506;	/* 2.4 GHz */
	skel->rodata->tsc_shift = 24;
	if (tdx_enter_bpf__load(skel)) {
		fprintf(stderr, "bpf_cost: cannot load tdx_enter (root?)\n");
		return 1;
	}
	e = empty_bpf__open_and_load();
	if (!e)
		return 1;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	fd_tdx = bpf_program__fd(skel->progs.tdx_vp_enter);
	fd_empty = bpf_program__fd(e->progs.empty);
	if (rounds < 1 || n < 1 || burst < 1 ||
	    (argc > 4 && !spread && strcmp(argv[4], "mix"))) {
		fprintf(stderr, "usage: bpf_cost [ROUNDS] [CALLS_PER_ROUND] [BURST] [mix|spread] [BASE_LOOP_OBJ]\n");
		return 2;
	}
	gen(ev, n, burst, spread);
	run_round(fd_tdx, ev, n, &k_tdx[0]);	/* warm up: create every key */
	for (r = 0; r < rounds; r++) {
		if (r % 2) {
			d_empty[r] = run_round(fd_empty, ev, n, &k_empty[r]);
			d_tdx[r] = run_round(fd_tdx, ev, n, &k_tdx[r]);
		} else {
			d_tdx[r] = run_round(fd_tdx, ev, n, &k_tdx[r]);
			d_empty[r] = run_round(fd_empty, ev, n, &k_empty[r]);
		}
		diff[r] = d_tdx[r] - d_empty[r];
		kdiff[r] = k_tdx[r] - k_empty[r];
	}
	printf("rounds %d x %d calls, interleaved; %d exit(s) in a row per vCPU; guest times: %s\n",
	       rounds, n, burst, spread ? "spread, 1000-5000000 cycles" : "per kind, as mix.wl");
	printf("kernel run_time_ns per run: tdx_vp_enter %.1f  empty %.1f  (medians)\n",
	       median(k_tdx, rounds), median(k_empty, rounds));
	printf("tdx_vp_enter cost per event (A - B of run_time_ns, median of rounds): %.1f ns\n",
	       median(kdiff, rounds));
	printf("test_run wall ns/call: tdx_vp_enter %.1f  empty %.1f  A - B %.1f  (medians)\n",
	       median(d_tdx, rounds), median(d_empty, rounds), median(diff, rounds));
	if (warm(rounds, ev, n, argc > 5 ? argv[5] : NULL))
		return 1;
	close(stats_fd);
	empty_bpf__destroy(e);
	tdx_enter_bpf__destroy(skel);
	return 0;
}
