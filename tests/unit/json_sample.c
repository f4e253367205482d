// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Prints tdxtop's JSON for a synthetic interval, for tests/unit/json.sh */
#include <stdlib.h>
#include <string.h>
#include "tdxtop.h"

int main(int argc, char **argv)
{
	struct tdxtop_out_opts o = { .by = argc > 1 ? tdxtop_parse_group(argv[1]) : TDXTOP_BY_REASON };
	struct tdxtop_tsc tsc = { 6990506, 24, "perf" };
	struct tdxtop_selfcost self = { .events_per_s = 1000, .ns_per_event = 42 };
	struct tdxtop_snap s = {};
	struct tdxtop_interval iv = { .delta = &s, .interval_s = 1.0,
				      .tsc = &tsc, .self = &self, .source = "tdx" };
	struct tdxtop_hist *h = calloc(1, sizeof(*h));
	struct tdxtop_key k = { .tgid = 1, .vcpu = 3, .reason = 77, .leaf = 0x10001,
				.kind = TDXTOP_KIND_EXIT };
	struct tdxtop_hkey hk = { .tgid = 1, .reason = 77, .leaf = 0x10001,
				  .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_stats st = { .count = 100 };
	int i;

	for (i = 0; i < 100; i++)
		h->bucket[TDXTOP_M_GUEST][tdxtop_bucket(1000 + i * 10)]++;
	st.n[TDXTOP_M_GUEST] = 100;
	st.sum[TDXTOP_M_GUEST] = 100 * 1000 + 10 * 4950;
	st.min[TDXTOP_M_GUEST] = 1000;
	st.max[TDXTOP_M_GUEST] = 1990;
	st.restored[1] = 100;
	tdxtop_snap_add_row(&s, &k, &st);
	tdxtop_snap_add_hrow(&s, &hk, h);
	k = (struct tdxtop_key){ .tgid = 1, .vcpu = 0x7fffffff, .reason = -1u,
				 .status = 0x80000200, .kind = TDXTOP_KIND_EXIT };
	st = (struct tdxtop_stats){ .count = 7 };
	tdxtop_snap_add_row(&s, &k, &st);
	k = (struct tdxtop_key){ .tgid = 1, .vcpu = TDXTOP_VCPU_NONE, .reason = -1u,
				 .leaf = 0xf, .kind = TDXTOP_KIND_URET };
	st = (struct tdxtop_stats){ .count = 2, .n = { 0, 0, 2 }, .sum = { 0, 0, 900 },
				    .min = { 0, 0, 400 }, .max = { 0, 0, 500 } };
	tdxtop_snap_add_row(&s, &k, &st);
	s.drops[TDXTOP_DROP_STATS_FULL] = 3;
	tdxtop_snap_sort(&s);
	return tdxtop_print_json(stdout, &iv, &o) ? 1 : 0;
}
