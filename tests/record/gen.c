// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Makes a recording through the real pipeline on the host: the BPF object
 * in the running kernel, driven with BPF_PROG_TEST_RUN by a seeded exit
 * workload, read by tdxtop's reader and written by its recorder.  Each
 * interval is INTERVAL exits of 4 vCPUs; the snapshot's clock is set to one
 * second per interval so that rates are the workload's, not the machine's.
 *
 * Usage: gen OUT.db SEED INTERVALS [EXITS] [METRIC:REASON:FACTOR]
 *   METRIC guest|host|restore; the exits of exit reason REASON draw that
 *   time FACTOR times as long (host: the gap before their entry).
 *
 * Prints the exact samples as "expect" lines for the tests: per interval,
 * exits per exit reason.
 *
 * GEN_EXTRA=REASON:LEAF:WEIGHT: one more exit reason in the mix, of that
 * weight (the others' weights sum to 100).
 *
 * GEN_OUTLIERS=SPEC: load with outlier capture (tdxtop --outliers SPEC,
 * fixed thresholds only, no rate cap to speak of) and print an "outlier"
 * line per exit above a threshold: interval, TSC, vCPU, reason, leaf, the
 * three times (host -1: none) and the mask of metrics over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"
#include "tdx_enter.skel.h"

static struct {
	int weight;
	__u32 reason;
	__u64 leaf, glo, ghi;
} mix[] = {
	{ 30, 77, 12, 2000, 400000 },	/* TDCALL:HLT */
	{ 20, 1, 0, 500, 60000 },	/* EXTERNAL_INTERRUPT */
	{ 15, 48, 0, 1000, 50000 },	/* EPT_VIOLATION */
	{ 10, 77, 48, 800, 30000 },	/* TDCALL:EPT_VIOLATION */
	{ 10, 77, 0x10001, 5000, 400000 },	/* TDCALL:MapGPA */
	{ 15, 30, 0, 600, 9000 },	/* IO_INSTRUCTION */
	{ 0, 0, 0, 700, 20000 },	/* GEN_EXTRA: off */
};
#define NR_MIX (sizeof(mix) / sizeof(mix[0]))

/*
 * splitmix64: xorshift64 was tried first and gave each seed a lasting bias
 * (the interval medians of one uniform draw sat above the true median in
 * 14 of 30 intervals for one seed, 3 of 30 for another), which an A/A test
 * of the rank test then rightly called significant
 */
static __u64 rnd(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 draw(__u64 *s, __u64 lo, __u64 hi, double f)
{
	return (__u64)((lo + rnd(s) % (hi - lo + 1)) * f + 0.5);
}

int main(int argc, char **argv)
{
	__u64 seed, intervals, exits = 2000, tsc[4] = {}, args[TDX_VP_ENTER_NR_ARGS];
	double scale[3] = { 1, 1, 1 };
	__u32 scale_reason = -1u;
	struct tdxtop_run_info info = {
		.version = "tdxtop test", .kernel = "test", .host = "test",
		.source = "tdx", .options = "tests/record/gen",
		.tsc = { 1, 0, "test" },
	};
	LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = args, .ctx_size_in = sizeof(args));
	struct tdxtop_recorder *rec;
	struct tdxtop_reader rd;
	struct tdxtop_snap s = {};
	struct tdx_enter_bpf *skel;
	struct tdxtop_maps m;
	struct tdxtop_outlier_opts oo = { .rate = TDXTOP_MAX_OUTLIER_RATE };
	char err[512];
	int fd, total = 0, k;
	__u64 i, j;

	if (argc < 4 || tdxtop_parse_u64(argv[2], 1, ~0ULL, &seed) ||
	    tdxtop_parse_u64(argv[3], 1, 100000, &intervals) ||
	    (argc > 4 && tdxtop_parse_u64(argv[4], 1, 10000000, &exits))) {
		fprintf(stderr, "usage: gen OUT.db SEED INTERVALS [EXITS] [METRIC:REASON:FACTOR]\n");
		return 2;
	}
	if (argc > 5) {
		char metric[16];
		double f;
		int mi;

		if (sscanf(argv[5], "%15[a-z]:%u:%lf", metric, &scale_reason, &f) != 3)
			return 2;
		for (mi = 0; mi < 3 && strcmp(metric, tdxtop_metric_name(mi)); mi++)
			;
		if (mi == 3)
			return 2;
		scale[mi] = f;
	}
	if (getenv("GEN_EXTRA") &&
	    sscanf(getenv("GEN_EXTRA"), "%u:%llu:%d", &mix[NR_MIX - 1].reason,
		   (unsigned long long *)&mix[NR_MIX - 1].leaf, &mix[NR_MIX - 1].weight) != 3) {
		fprintf(stderr, "gen: GEN_EXTRA: REASON:LEAF:WEIGHT\n");
		return 2;
	}
	for (k = 0; k < (int)NR_MIX; k++)
		total += mix[k].weight;
	/* the VM name in the recording; GEN_VM_NAME: another (15 bytes at most) */
	prctl(PR_SET_NAME, getenv("GEN_VM_NAME") ? getenv("GEN_VM_NAME") : "td-regress");
	unlink(argv[1]);			/* the recorder makes a new file */
	skel = tdx_enter_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->tsc_mult = 1;
	skel->rodata->tsc_shift = 0;	/* 1 cycle = 1 ns */
	if (getenv("GEN_OUTLIERS") &&
	    (tdxtop_outlier_parse(getenv("GEN_OUTLIERS"), &oo, err, sizeof(err)) ||
	     oo.automatic)) {
		fprintf(stderr, "gen: GEN_OUTLIERS: %s\n", oo.automatic ? "not auto" : err);
		return 2;
	}
	info.outliers = oo.on ? oo.spec : NULL;
	if (tdxtop_maps_size(skel, 0, 0, 0, 0) || tdxtop_outlier_setup(skel, &oo, 1000) ||
	    tdx_enter_bpf__load(skel)) {
		fprintf(stderr, "gen: cannot load the BPF object (root?)\n");
		return 1;
	}
	fd = bpf_program__fd(oo.on ? skel->progs.tdx_vp_capture : skel->progs.tdx_vp_enter);
	tdxtop_maps_get(&m, skel, NULL);
	if (tdxtop_reader_init(&rd, &m, &info.tsc) || tdxtop_reader_outliers(&rd, &oo) ||
	    tdxtop_reader_read(&rd, &s) ||
	    tdxtop_recorder_open(&rec, argv[1], &info, err, sizeof(err))) {
		fprintf(stderr, "gen: %s\n", err);
		return 1;
	}
	for (i = 0; i < intervals; i++) {
		__u64 per_reason[NR_MIX] = {};

		for (j = 0; j < exits; j++) {
			int v = rnd(&seed) % 4, pick = rnd(&seed) % total;
			bool scaled;
			__u64 g, r, h;

			for (k = 0; pick >= mix[k].weight; k++)
				pick -= mix[k].weight;
			scaled = mix[k].reason == scale_reason;
			g = draw(&seed, mix[k].glo, mix[k].ghi, scaled ? scale[0] : 1);
			h = draw(&seed, 400, 1400, scaled ? scale[1] : 1);
			r = draw(&seed, 300, 900, scaled ? scale[2] : 1);
			if (oo.on) {
				__u64 t[3] = { g, tsc[v] ? h : TDXTOP_NO_NS, r };
				int over = 0, mi;

				for (mi = 0; mi < 3; mi++)
					if (t[mi] != TDXTOP_NO_NS && t[mi] > oo.ns[mi])
						over |= 1 << mi;
				if (over)
					printf("outlier %llu %llu %d %u %llu %llu %lld %llu %d\n",
					       (unsigned long long)i,
					       (unsigned long long)(tsc[v] + (tsc[v] ? h : 1000000) + g + r),
					       v, mix[k].reason, (unsigned long long)mix[k].leaf,
					       (unsigned long long)g, (long long)(tsc[v] ? (__s64)h : -1),
					       (unsigned long long)r, over);
			}
			memset(args, 0, sizeof(args));
			args[TDX_VP_ENTER_VCPU_ID] = v;
			/* a successful TDH.VP.ENTER: the exit reason, class 0 */
			args[TDX_VP_ENTER_STATUS] = mix[k].reason;
			args[TDX_VP_ENTER_EXIT_REASON] = mix[k].reason;
			args[TDX_VP_ENTER_LEAF] = mix[k].leaf;
			args[TDX_VP_ENTER_GUEST_CYCLES] = g;
			args[TDX_VP_ENTER_RESTORE_CYCLES] = r;
			tsc[v] += (tsc[v] ? h : 1000000) + g + r;
			args[TDX_VP_ENTER_TSC] = tsc[v];
			if (bpf_prog_test_run_opts(fd, &t)) {
				perror("gen: test run");
				return 1;
			}
			per_reason[k]++;
		}
		if (tdxtop_reader_read(&rd, &s))
			return 1;
		s.start_ns = i * 1000000000ULL;
		s.end_ns = s.start_ns + 1000000000ULL;
		s.end_real_ns = 1795000000000000000ULL + s.end_ns;
		if (tdxtop_recorder_add(rec, &s)) {
			fprintf(stderr, "gen: %s\n", tdxtop_recorder_error(rec));
			return 1;
		}
		for (k = 0; k < (int)NR_MIX && mix[k].weight; k++)
			printf("expect %llu %u %llu %llu\n", (unsigned long long)i,
			       mix[k].reason, (unsigned long long)mix[k].leaf,
			       (unsigned long long)per_reason[k]);
	}
	tdxtop_recorder_close(rec);
	tdxtop_reader_free(&rd);
	tdxtop_snap_free(&s);
	tdx_enter_bpf__destroy(skel);
	return 0;
}
