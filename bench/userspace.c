// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop's user-space cost at 1 Hz with VCPUS x REASONS rows populated: each
 * interval every row gets new events (through BPF_PROG_TEST_RUN, the load
 * generator), then tdxtop's per-interval work runs — the reader's pass over
 * the maps, view, output — and its thread CPU time is measured apart from
 * the load generator's.  Prints CPU % of one core at 1 Hz and the process RSS.
 *
 * With RECORDING, each interval is also recorded there (tdxtop -w), and the
 * recorder's CPU time and bytes per interval are shown apart.
 *
 * Usage: userspace [SECONDS] [VCPUS] [REASONS] [GROUP] [json|text] [RECORDING]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"
#include "tdx_enter.skel.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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

/* Resident KiB of the mapped BPF arrays (anon_inode:bpf-map in smaps) */
static long bpf_map_rss_kb(void)
{
	unsigned long lo, hi;
	char line[512], perms[8];
	bool in_map = false;
	long kb = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3)
			in_map = strstr(line, "bpf-map") != NULL;	/* a mapping */
		else if (in_map && !strncmp(line, "Rss:", 4))
			kb += atol(line + 4);
	}
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	int vcpus = argc > 2 ? atoi(argv[2]) : 1024;
	int reasons = argc > 3 ? atoi(argv[3]) : 40;
	int by = argc > 4 ? tdxtop_parse_group(argv[4]) : TDXTOP_BY_REASON;
	bool json = argc <= 5 || !strcmp(argv[5], "json");
	struct tdxtop_out_opts o = { .by = by < 0 ? TDXTOP_BY_REASON : by };
	struct tdxtop_snap delta = {};
	struct tdxtop_view view = {};
	struct tdxtop_reader rd;
	struct tdxtop_tsc tsc = { 1, 0, "bench" };
	struct tdx_enter_bpf *skel;
	struct tdxtop_maps m = {};
	double work = 0, worst = 0, *per = calloc(secs, sizeof(double));
	double *rd_t = calloc(secs, sizeof(double)), *rec_t = calloc(secs, sizeof(double));
	const char *rec_path = argc > 6 ? argv[6] : NULL;
	struct tdxtop_recorder *rec = NULL;
	struct tdxtop_run_info info = {
		.version = "bench", .kernel = "bench", .host = "bench", .source = "tdx",
		.options = "bench/userspace", .tsc = { 1, 0, "bench" },
	};
	struct stat st;
	char err[512];
	FILE *null = fopen("/dev/null", "w");
	__u64 args[TDX_VP_ENTER_NR_ARGS] = {};
	LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = args, .ctx_size_in = sizeof(args));
	int fd, i, v, r;

	skel = tdx_enter_bpf__open();
	if (tdxtop_maps_size(skel, vcpus, 0, 0, 0) || tdx_enter_bpf__load(skel)) {
		fprintf(stderr, "userspace: cannot load (root?)\n");
		return 1;
	}
	fd = bpf_program__fd(skel->progs.tdx_vp_enter);
	tdxtop_maps_get(&m, skel, NULL);
	if (tdxtop_reader_init(&rd, &m, &tsc) || tdxtop_reader_read(&rd, &delta)) {
		fprintf(stderr, "userspace: cannot read the maps\n");
		return 1;
	}
	if (rec_path) {
		unlink(rec_path);
		if (tdxtop_recorder_open(&rec, rec_path, &info, err, sizeof(err))) {
			fprintf(stderr, "userspace: %s\n", err);
			return 1;
		}
	}

	for (i = 0; i < secs; i++) {
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
				args[TDX_VP_ENTER_TSC] += 1000000;
				bpf_prog_test_run_opts(fd, &t);
			}
		c0 = cpu_s();		/* tdxtop's interval */
		tdxtop_reader_read(&rd, &delta);
		rd_t[i] = cpu_s() - c0;
		if (json)
			tdxtop_print_json(null, &delta, &o, &view);
		else
			tdxtop_print_text(null, &delta, &o, &view);
		if (rec) {
			double r0 = cpu_s();

			if (tdxtop_recorder_add(rec, &delta)) {
				fprintf(stderr, "userspace: %s\n", tdxtop_recorder_error(rec));
				return 1;
			}
			rec_t[i] = cpu_s() - r0;
		}
		c = cpu_s() - c0;
		work += c;
		per[i] = c;
		if (c > worst)
			worst = c;
		do {	/* 1 Hz */
			clock_gettime(CLOCK_MONOTONIC, &ts);
		} while (ts.tv_sec * 1000000000ULL + ts.tv_nsec < t_end && !usleep(10000));
	}
	printf("%d vCPUs x %d reasons = %zu rows, group %s, %s, %d intervals at 1 Hz\n",
	       vcpus, reasons, delta.nr_rows, tdxtop_group_name(o.by), json ? "json" : "text", secs);
	qsort(per, secs, sizeof(*per), cmp_d);
	printf("tdxtop work per interval: mean %.2f ms, median %.2f ms, worst %.2f ms (the first: every row new)\n",
	       work / secs * 1e3, per[secs / 2] * 1e3, worst * 1e3);
	printf("-> %.2f%% of one core (mean), %.2f%% (median)\n", work / secs * 100,
	       per[secs / 2] * 100);
	qsort(rd_t, secs, sizeof(*rd_t), cmp_d);
	printf("of which reading the maps: median %.2f ms\n", rd_t[secs / 2] * 1e3);
	if (rec) {
		double sum = 0;

		for (r = 0; r < secs; r++)
			sum += rec_t[r];
		qsort(rec_t, secs, sizeof(*rec_t), cmp_d);
		tdxtop_recorder_close(rec);
		if (stat(rec_path, &st))
			st.st_size = 0;
		printf("of which recording: mean %.2f ms, median %.2f ms per interval "
		       "(%.2f%% of one core, mean); %.0f bytes per interval\n",
		       sum / secs * 1e3, rec_t[secs / 2] * 1e3, sum / secs * 100,
		       (double)st.st_size / secs);
	}
	/*
	 * the mapped BPF arrays count in RSS (as file pages), but they are
	 * the kernel's map memory, there whoever reads them
	 */
	printf("RSS %ld KiB (peak %ld KiB), of which the mapped BPF arrays %ld KiB: "
	       "tdxtop's own %ld KiB\n", status_kb("VmRSS:"), status_kb("VmHWM:"),
	       bpf_map_rss_kb(), status_kb("VmRSS:") - bpf_map_rss_kb());
	printf("losses in the last interval:");
	for (i = 0; i < TDXTOP_NR_LOSSES; i++)
		printf(" %s %llu", tdxtop_loss_name(i), (unsigned long long)delta.losses[i]);
	printf("\n");
	tdxtop_view_free(&view);
	tdxtop_reader_free(&rd);
	tdxtop_snap_free(&delta);
	tdx_enter_bpf__destroy(skel);
	return 0;
}
