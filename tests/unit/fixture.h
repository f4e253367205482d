/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Rows and snapshots the model and output unit tests build their cases
 * from: a key, a cumulative row as the maps hold it, an interval of a few
 * rows and a histogram
 */
#ifndef __TDXTOP_TEST_FIXTURE_H
#define __TDXTOP_TEST_FIXTURE_H

#include "model/model.h"

static inline struct tdxtop_key fx_key(__u32 tgid, __u32 vcpu, __u32 reason, __u64 leaf)
{
	struct tdxtop_key k = {
		.tgid = tgid, .vcpu = vcpu, .reason = reason, .leaf = leaf,
		.kind = TDXTOP_KIND_EXIT,
	};
	return k;
}

/* count exits of guest_sum ns in all (min 1, max max), half restoring bit 2 */
static inline struct tdxtop_stats fx_row(__u64 count, __u64 guest_sum, __u64 max)
{
	struct tdxtop_stats s = { .count = count };

	s.n[TDXTOP_M_GUEST] = count;
	s.sum[TDXTOP_M_GUEST] = guest_sum;
	s.min[TDXTOP_M_GUEST] = 1;
	s.max[TDXTOP_M_GUEST] = max;
	s.restored[2] = count / 2;
	return s;
}

/*
 * One second of two VMs: tgid 100 HLT (reason 12) on vCPUs 0 (15 exits,
 * 3000 ns) and 1 (5, 700 ns), tgid 200 TDCALL (reason 77) leaf MapGPA
 * (0x10001) on vCPU 0 (7, 70 ns); VM 100's HLT histogram: 7 in bucket 20,
 * 13 in bucket 40 of guest time
 */
static inline void fx_snap(struct tdxtop_snap *s)
{
	struct tdxtop_hkey hk = { .tgid = 100, .reason = 12, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_hist h = {};
	struct tdxtop_key k;
	struct tdxtop_stats st;

	s->start_ns = 1000000000;
	s->end_ns = 2000000000;
	s->end_real_ns = 1767225600000000000ULL;	/* 2026-01-01T00:00:00Z */
	s->source = "tdx";
	s->tsc = (struct tdxtop_tsc){ .mult = 1, .shift = 0, .source = "--tsc-khz" };
	k = fx_key(100, 1, 12, 0);
	st = fx_row(5, 700, 300);
	tdxtop_snap_add_row(s, &k, &st);
	k = fx_key(100, 0, 12, 0);
	st = fx_row(15, 3000, 900);
	tdxtop_snap_add_row(s, &k, &st);
	k = fx_key(200, 0, 77, 0x10001);
	st = fx_row(7, 70, 10);
	tdxtop_snap_add_row(s, &k, &st);
	h.bucket[TDXTOP_M_GUEST][20] = 7;
	h.bucket[TDXTOP_M_GUEST][40] = 13;
	tdxtop_snap_add_hist(s, &hk, &h, NULL);
	tdxtop_snap_add_vm(s, 200, "td-b");
	tdxtop_snap_add_vm(s, 100, "td-a");
}

#endif /* __TDXTOP_TEST_FIXTURE_H */
