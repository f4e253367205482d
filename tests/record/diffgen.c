// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A recording of a large host (tests/record/record.sh, bench/record.sh): VMS VMs (processes named
 * td-000...) of one vCPU each, REASONS exit reasons each, INTERVALS
 * one-second intervals, every row with a sparse histogram of its guest,
 * host and restore times; written through tdxtop's own recorder from
 * snapshots built in memory (no BPF), seeded so that two seeds are two
 * runs of one workload.
 *
 * Usage: diffgen OUT.db SEED VMS REASONS INTERVALS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "store/store.h"

static __u64 rnd(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One row and its histogram: count exits of reason r, times around base ns */
static int add_row(struct tdxtop_snap *s, struct tdxtop_hist *h, __u32 tgid, __u32 r,
		   __u64 count, __u64 *seed)
{
	struct tdxtop_key k = { .tgid = tgid, .vcpu = 0, .reason = r, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_hkey hk = { .tgid = tgid, .reason = r, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_stats st = { .count = count };
	int m, j;

	memset(h, 0, sizeof(*h));
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		__u64 base = 500 * (m + 1) * (r % 7 + 1);

		st.n[m] = count;
		st.min[m] = base;
		st.max[m] = base * 4;
		for (j = 0; j < (int)count; j++) {
			__u64 v = base + rnd(seed) % (base * 3);

			st.sum[m] += v;
			h->bucket[m][tdxtop_bucket(v)]++;
		}
	}
	return tdxtop_snap_add_row(s, &k, &st) ?: tdxtop_snap_add_hist(s, &hk, h, NULL);
}

int main(int argc, char **argv)
{
	struct tdxtop_run_info info = {
		.version = "bench/diffgen", .kernel = "-", .host = "-", .source = "tdx",
		.options = "bench/diffgen", .tsc = { 1, 0, "bench" },
	};
	struct tdxtop_recorder *rec;
	struct tdxtop_snap s = {};
	struct tdxtop_hist *h = calloc(1, sizeof(*h));
	__u64 seed, vms, reasons, intervals, i, v, r;
	char err[512], name[32];

	if (argc != 6 || !h || tdxtop_parse_u64(argv[2], 0, ~0ULL, &seed) ||
	    tdxtop_parse_u64(argv[3], 1, 10000, &vms) ||
	    tdxtop_parse_u64(argv[4], 1, 64, &reasons) ||
	    tdxtop_parse_u64(argv[5], 1, 1000000, &intervals)) {
		fprintf(stderr, "usage: diffgen OUT.db SEED VMS REASONS INTERVALS\n");
		return 2;
	}
	unlink(argv[1]);
	if (tdxtop_recorder_open(&rec, argv[1], &info, err, sizeof(err))) {
		fprintf(stderr, "diffgen: %s\n", err);
		return 1;
	}
	for (i = 0; i < intervals; i++) {
		tdxtop_snap_reset(&s);
		s.start_ns = i * 1000000000ULL;
		s.end_ns = s.start_ns + 1000000000ULL;
		s.end_real_ns = 1795000000000000000ULL + s.end_ns;
		s.source = "tdx";
		for (v = 0; v < vms; v++) {
			snprintf(name, sizeof(name), "td-%03llu", (unsigned long long)v);
			if (tdxtop_snap_add_vm(&s, 1000 + v, name))
				return 1;
			for (r = 0; r < reasons; r++)
				if (add_row(&s, h, 1000 + v, r + 1, 1 + rnd(&seed) % 8, &seed))
					return 1;
		}
		if (tdxtop_recorder_add(rec, &s)) {
			fprintf(stderr, "diffgen: %s\n", tdxtop_recorder_error(rec));
			return 1;
		}
	}
	free(h);
	tdxtop_snap_free(&s);
	return tdxtop_recorder_close(rec) ? 1 : 0;
}
