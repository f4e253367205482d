// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop's user-space cost at 1 Hz with VCPUS x REASONS rows populated: each
 * interval every row gets new events (through BPF_PROG_TEST_RUN, the load
 * generator), then tdxtop's per-interval work runs — batch read of the maps,
 * delta, view, output — and its thread CPU time is measured apart from the
 * load generator's.  Prints CPU % of one core at 1 Hz and the process RSS.
 *
 * Usage: userspace [SECONDS] [VCPUS] [REASONS] [GROUP] [json|text]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"
#include "tdx_enter.skel.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long status_kb(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = atol(line + strlen(field) + 1);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	int vcpus = argc > 2 ? atoi(argv[2]) : 1024;
	int reasons = argc > 3 ? atoi(argv[3]) : 40;
	int by = argc > 4 ? tdxtop_parse_group(argv[4]) : TDXTOP_BY_REASON;
	bool json = argc <= 5 || !strcmp(argv[5], "json");
	struct tdxtop_out_opts o = { .by = by < 0 ? TDXTOP_BY_REASON : by };
	struct tdxtop_snap cur = {}, prev = {}, delta = {};
	struct tdxtop_tsc tsc = { 1, 0, "bench" };
	struct tdx_enter_bpf *skel;
	struct tdxtop_maps m = {};
	double work = 0, worst = 0;
	FILE *null = fopen("/dev/null", "w");
	__u64 args[TDX_VP_ENTER_NR_ARGS] = {};
	LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = args, .ctx_size_in = sizeof(args));
	int fd, i, v, r;

	skel = tdx_enter_bpf__open();
	bpf_map__set_max_entries(skel->maps.stats, vcpus * reasons + 1024);
	if (tdx_enter_bpf__load(skel)) {
		fprintf(stderr, "userspace: cannot load (root?)\n");
		return 1;
	}
	fd = bpf_program__fd(skel->progs.tdx_vp_enter);
	m.stats_fd = bpf_map__fd(skel->maps.stats);
	m.hists_fd = bpf_map__fd(skel->maps.hists);
	m.drops_fd = bpf_map__fd(skel->maps.drops);
	tdxtop_snap_read(&prev, &m);

	for (i = 0; i < secs; i++) {
		struct tdxtop_interval iv = { .interval_s = 1, .tsc = &tsc, .source = "tdx" };
		double c0, c;
		__u64 t_end;
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t_end = ts.tv_sec * 1000000000ULL + ts.tv_nsec + 1000000000ULL;
		for (v = 0; v < vcpus; v++)	/* load: one event per row */
			for (r = 0; r < reasons; r++) {
				args[TDX_VP_ENTER_VCPU_ID] = v;
				args[TDX_VP_ENTER_EXIT_REASON] = r;
				args[TDX_VP_ENTER_STATUS] = r;
				args[TDX_VP_ENTER_GUEST_CYCLES] = 1000 + v * 7 + r * 131;
				bpf_prog_test_run_opts(fd, &t);
			}
		c0 = cpu_s();		/* tdxtop's interval */
		tdxtop_snap_read(&cur, &m);
		tdxtop_snap_delta(&delta, &cur, &prev);
		iv.delta = &delta;
		iv.total = &cur;
		if (json)
			tdxtop_print_json(null, &iv, &o);
		else
			tdxtop_print_text(null, &iv, &o);
		tdxtop_snap_swap(&cur, &prev);
		c = cpu_s() - c0;
		work += c;
		if (c > worst)
			worst = c;
		do {	/* 1 Hz */
			clock_gettime(CLOCK_MONOTONIC, &ts);
		} while (ts.tv_sec * 1000000000ULL + ts.tv_nsec < t_end && !usleep(10000));
	}
	printf("%d vCPUs x %d reasons = %zu rows, group %s, %s, %d intervals at 1 Hz\n",
	       vcpus, reasons, prev.nr_rows, tdxtop_group_name(o.by), json ? "json" : "text", secs);
	printf("tdxtop work per interval: mean %.2f ms, worst %.2f ms -> %.2f%% of one core\n",
	       work / secs * 1e3, worst * 1e3, work / secs * 100);
	printf("RSS %ld KiB (peak %ld KiB)\n", status_kb("VmRSS:"), status_kb("VmHWM:"));
	tdxtop_snap_free(&cur);
	tdxtop_snap_free(&prev);
	tdxtop_snap_free(&delta);
	tdx_enter_bpf__destroy(skel);
	return 0;
}
