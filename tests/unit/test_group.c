// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model/group.c through its API: a snapshot grouped into the views of -g
 * (per VM, vCPU, reason, all), sorted as -s asks, with the groups'
 * histograms, the view's memory reused; the names of -g and -s
 */
#include "model/model.h"
#include "../tap.h"
#include "fixture.h"

static void test_views(void)
{
	struct tdxtop_snap s = {};
	struct tdxtop_view v = {};
	struct tdxtop_group *g0;

	fx_snap(&s);
	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_VM, TDXTOP_SORT_COUNT), "view per VM");
	is_u64(v.nr, 2, "two VMs");
	is_u64(v.g[0].st.count, 20, "VM 100 first by count, vCPUs 0 and 1 summed");
	is_u64(v.g[0].st.sum[0], 3000 + 700, "guest time summed across vCPUs");
	ok(v.g[0].key.vcpu == 0 && v.g[0].key.reason == 0 && v.g[1].key.leaf == 0,
	   "fields not grouped on are zero");
	ok(v.g[0].h && v.g[0].h->bucket[0][20] == 7 && v.g[0].h->bucket[0][40] == 13 &&
	   !v.g[1].h, "per-VM histogram from the sparse buckets; none for VM 200");
	is_u64(v.events, 27, "the view counts every event");

	g0 = v.g;
	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_VCPU, TDXTOP_SORT_MAX) && v.nr == 3 &&
	   v.g[0].st.max[0] == 900 && v.g[1].st.max[0] == 300 && !v.g[0].h,
	   "the same view rebuilt per vCPU: sorted by max, without histograms");
	ok(v.g == g0, "rebuilt in the same memory");

	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_REASON, TDXTOP_SORT_GUEST) && v.nr == 2 &&
	   v.g[0].key.reason == 12 && v.g[0].order == 3700 &&
	   v.g[1].key.reason == 77 && v.g[1].key.leaf == 0x10001 && v.g[1].order == 70,
	   "per reason: HLT (3,700 ns) before TDCALL:MapGPA (70 ns) by guest time");
	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_ALL, TDXTOP_SORT_COUNT) && v.nr == 3 &&
	   v.g[0].st.count == 15 && v.g[1].st.count == 7 && v.g[2].st.count == 5,
	   "every key: 15, 7, 5");
	/* equal values: the key decides, so that the order never flickers */
	s.rows[2].st.count = 15;
	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_ALL, TDXTOP_SORT_COUNT) &&
	   v.g[0].key.tgid == 100 && v.g[1].key.tgid == 200,
	   "ties ordered by key: VM 100 before VM 200");
	tdxtop_view_free(&v);
	tdxtop_snap_free(&s);
}

static void test_names(void)
{
	int i, round = 0;

	for (i = 0; i < TDXTOP_NR_GROUP_BY; i++)
		round += tdxtop_parse_group(tdxtop_group_name(i)) == i;
	for (i = 0; i < TDXTOP_NR_SORT_BY; i++)
		round += tdxtop_parse_sort(tdxtop_sort_name(i)) == i;
	is_u64(round, TDXTOP_NR_GROUP_BY + TDXTOP_NR_SORT_BY,
	       "every -g and -s name parses back to itself");
	ok(!strcmp(tdxtop_group_name(TDXTOP_BY_VCPU), "vcpu") &&
	   !strcmp(tdxtop_sort_name(TDXTOP_SORT_RESTORE), "restore"), "vcpu, restore");
	ok(tdxtop_parse_group("VM") == -1 && tdxtop_parse_sort("") == -1 &&
	   !strcmp(tdxtop_group_name(TDXTOP_NR_GROUP_BY), "?"), "unknown: -1, and \"?\"");
	ok(tdxtop_group_has_hist(TDXTOP_BY_VM) && tdxtop_group_has_hist(TDXTOP_BY_REASON) &&
	   !tdxtop_group_has_hist(TDXTOP_BY_VCPU) && !tdxtop_group_has_hist(TDXTOP_BY_ALL),
	   "histograms per VM and per reason only (they are kept per VM and reason)");
}

int main(void)
{
	tap_plan(16);
	test_views();
	test_names();
	return tap_done();
}
