// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Cost of bpf/tdx_enter.bpf.c per event: BPF_PROG_TEST_RUN of tdx_vp_enter
 * against an empty raw_tp program, in interleaved rounds.  Per round, two
 * differences: of the kernel's own accounting of each program's run time
 * (BPF_STATS_RUN_TIME, which times the program alone and is the figure), and
 * of the per-call wall times (which carry the syscall's noise, hundreds of
 * ns on this machine).  Prints medians over the rounds.
 *
 * Usage: bpf_cost [ROUNDS] [CALLS_PER_ROUND] [BURST]
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"
#include "tdx_enter.skel.h"
#include "empty.skel.h"

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
 * A stream of 16 vCPUs, 10 exit kinds, spread guest times.  burst: exits in
 * a row from one vCPU, as a CPU sees them while the vCPU's thread runs on it
 * (1: a different random vCPU every exit, the worst case for caches).  The
 * rounds replay it, so a vCPU's TSC steps back once per round (skew, counted).
 */
static void gen(__u64 (*ev)[NR_ARGS], int n, int burst)
{
	static const __u64 st[][3] = {
		{ 77, 12, 12 }, { 1, 1, 0 }, { 48, 48, 0 }, { 77, 49, 48 }, { 77, 30, 30 },
		{ 77, 31, 31 }, { 77, 10, 10 }, { 77, 77, 0x10001 }, { 77, 77, 0x10002 },
		{ 0x8000020000000092ULL, -1u, 0 },
	};
	__u64 s = 88172645463325252ULL, tsc[16];
	int i, v = 0;

	for (i = 0; i < 16; i++)
		tsc[i] = 1000000;

	for (i = 0; i < n; i++) {
		int k;

		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		k = s % 10;
		if (i % burst == 0)
			v = (s >> 8) % 16;
		memset(ev[i], 0, sizeof(ev[i]));
		ev[i][TDX_VP_ENTER_VCPU_ID] = v;
		ev[i][TDX_VP_ENTER_STATUS] = st[k][0];
		ev[i][TDX_VP_ENTER_EXIT_REASON] = st[k][1];
		ev[i][TDX_VP_ENTER_LEAF] = st[k][2];
		ev[i][TDX_VP_ENTER_GUEST_CYCLES] = 1000 + (s >> 16) % 5000000;
		ev[i][TDX_VP_ENTER_RESTORE_CYCLES] = 300 + (s >> 40) % 900;
		ev[i][TDX_VP_ENTER_RESTORED] = 2;
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

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21, n = argc > 2 ? atoi(argv[2]) : 50000;
	int burst = argc > 3 ? atoi(argv[3]) : 1;
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
	if (rounds < 1 || n < 1 || burst < 1) {
		fprintf(stderr, "usage: bpf_cost [ROUNDS] [CALLS_PER_ROUND] [BURST]\n");
		return 2;
	}
	gen(ev, n, burst);
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
	printf("rounds %d x %d calls, interleaved; %d exit(s) in a row per vCPU\n",
	       rounds, n, burst);
	printf("kernel run_time_ns per run: tdx_vp_enter %.1f  empty %.1f  (medians)\n",
	       median(k_tdx, rounds), median(k_empty, rounds));
	printf("tdx_vp_enter cost per event (A - B of run_time_ns, median of rounds): %.1f ns\n",
	       median(kdiff, rounds));
	printf("test_run wall ns/call: tdx_vp_enter %.1f  empty %.1f  A - B %.1f  (medians)\n",
	       median(d_tdx, rounds), median(d_empty, rounds), median(diff, rounds));
	close(stats_fd);
	empty_bpf__destroy(e);
	tdx_enter_bpf__destroy(skel);
	return 0;
}
