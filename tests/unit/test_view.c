// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Snapshot deltas and grouping into views, on synthetic map contents */
#include <string.h>
#include "tdxtop.h"
#include "../tap.h"

static struct tdxtop_key key(__u32 tgid, __u32 vcpu, __u32 reason, __u64 leaf)
{
	struct tdxtop_key k = {
		.tgid = tgid, .vcpu = vcpu, .reason = reason, .leaf = leaf,
		.kind = TDXTOP_KIND_EXIT,
	};
	return k;
}

static struct tdxtop_stats stats(__u64 count, __u64 guest_sum, __u64 max)
{
	struct tdxtop_stats s = { .count = count };

	s.n[TDXTOP_M_GUEST] = count;
	s.sum[TDXTOP_M_GUEST] = guest_sum;
	s.min[TDXTOP_M_GUEST] = 1;
	s.max[TDXTOP_M_GUEST] = max;
	return s;
}

int main(void)
{
	struct tdxtop_snap a = {}, b = {}, d = {};
	struct tdxtop_view v = {};
	struct tdxtop_hist h = {};
	struct tdxtop_hkey hk = { .tgid = 100, .reason = 12, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_key k;
	__u64 sum = 0;
	size_t i;

	tap_plan(12);
	/* two VMs, three vCPUs, two reasons */
	k = key(100, 0, 12, 12);
	tdxtop_snap_add_row(&a, &k, &(struct tdxtop_stats){ 0 });
	a.rows[0].st = stats(10, 1000, 500);
	k = key(100, 1, 12, 12);
	tdxtop_snap_add_row(&b, &k, &(struct tdxtop_stats){ 0 });
	b.rows[0].st = stats(5, 700, 300);
	k = key(100, 0, 12, 12);
	tdxtop_snap_add_row(&b, &k, &(struct tdxtop_stats){ 0 });
	b.rows[1].st = stats(25, 4000, 900);
	k = key(200, 0, 48, 0);
	tdxtop_snap_add_row(&b, &k, &(struct tdxtop_stats){ 0 });
	b.rows[2].st = stats(7, 70, 10);
	h.bucket[0][20] = 3;
	tdxtop_snap_add_hrow(&a, &hk, &h);
	h.bucket[0][20] = 10;
	h.bucket[0][40] = 20;
	tdxtop_snap_add_hrow(&b, &hk, &h);
	tdxtop_snap_sort(&a);
	tdxtop_snap_sort(&b);

	ok(!tdxtop_snap_delta(&d, &b, &a), "delta computed");
	is_u64(d.nr_rows, 3, "three rows changed");
	for (i = 0; i < d.nr_rows; i++)
		sum += d.rows[i].st.count;
	is_u64(sum, 15 + 5 + 7, "interval count is current minus previous");
	is_u64(d.nr_hrows, 1, "one histogram changed");
	is_u64(d.hrows[0].h.bucket[0][20], 7, "bucket delta 10 - 3");
	is_u64(d.hrows[0].h.bucket[0][40], 20, "new bucket counts whole");

	ok(!tdxtop_view_build(&v, &d, TDXTOP_BY_VM, TDXTOP_SORT_COUNT), "view per VM");
	is_u64(v.nr, 2, "two VMs");
	is_u64(v.g[0].st.count, 20, "VM 100 first by count, vCPUs 0 and 1 summed");
	is_u64(v.g[0].st.sum[0], 3000 + 700, "guest time summed across vCPUs");
	ok(v.g[0].h && v.g[0].h->bucket[0][20] == 7, "per-VM histogram merged from reason rows");
	tdxtop_view_free(&v);

	tdxtop_view_build(&v, &d, TDXTOP_BY_VCPU, TDXTOP_SORT_MAX);
	ok(v.nr == 3 && v.g[0].st.max[0] == 900 && !v.g[0].h,
	   "per-vCPU view sorted by max, without histograms");
	tdxtop_view_free(&v);
	tdxtop_snap_free(&a);
	tdxtop_snap_free(&b);
	tdxtop_snap_free(&d);
	return tap_done();
}
