// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Prints tdxtop's output of a synthetic interval through the production
 * output code, for tests/unit/json.sh and tests/unit/names.sh.
 * Usage: json_sample [GROUP] [json|text|prom] [VM NAME]
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

int main(int argc, char **argv)
{
	struct tdxtop_out_opts o = { .by = argc > 1 ? tdxtop_parse_group(argv[1]) : TDXTOP_BY_REASON };
	bool text = argc > 2 && !strcmp(argv[2], "text");
	bool prom = argc > 2 && !strcmp(argv[2], "prom");
	struct tdxtop_snap s = {
		.start_ns = 1000000000, .end_ns = 2000000000,
		.end_real_ns = 1795000000123456789ULL, .source = "tdx",
		.tsc = { 6990506, 24, "perf" }, .timed = true, .nr_progs = 1,
		.progs = { { "tdx_vp_enter", 1000, 42000 } },
	};
	struct tdxtop_hist *h = calloc(1, sizeof(*h));
	struct tdxtop_key k = { .tgid = 1, .vcpu = 3, .reason = 77, .leaf = 0x10001,
				.kind = TDXTOP_KIND_EXIT };
	struct tdxtop_hkey hk = { .tgid = 1, .reason = 77, .leaf = 0x10001,
				  .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_stats st = { .count = 100 };
	struct tdxtop_view v = {};
	int i, err;

	if ((int)o.by < 0)
		return 2;
	setlocale(LC_CTYPE, "");	/* as tdxtop's main() */
	for (i = 0; i < 100; i++)
		h->bucket[TDXTOP_M_GUEST][tdxtop_bucket(1000 + i * 10)]++;
	st.n[TDXTOP_M_GUEST] = 100;
	st.sum[TDXTOP_M_GUEST] = 100 * 1000 + 10 * 4950;
	st.min[TDXTOP_M_GUEST] = 1000;
	st.max[TDXTOP_M_GUEST] = 1990;
	st.restored[1] = 100;
	tdxtop_snap_add_row(&s, &k, &st);
	tdxtop_snap_add_hist(&s, &hk, h, NULL);
	k = (struct tdxtop_key){ .tgid = 1, .vcpu = 0x7fffffff, .reason = -1u,
				 .status = 0x80000200, .kind = TDXTOP_KIND_EXIT };
	st = (struct tdxtop_stats){ .count = 7 };
	tdxtop_snap_add_row(&s, &k, &st);
	k = (struct tdxtop_key){ .tgid = 1, .vcpu = TDXTOP_VCPU_NONE, .reason = -1u,
				 .leaf = 0xf, .kind = TDXTOP_KIND_URET };
	st = (struct tdxtop_stats){ .count = 2, .n = { 0, 0, 2 }, .sum = { 0, 0, 900 },
				    .min = { 0, 0, 400 }, .max = { 0, 0, 500 } };
	tdxtop_snap_add_row(&s, &k, &st);
	tdxtop_snap_add_vm(&s, 1, argc > 3 ? argv[3] : "td-sample");
	s.losses[TDXTOP_LOSS_STATS_FULL] = 3;
	if (prom) {
		struct tdxtop_prom_opts po = { .version = "tdxtop 0.1", .kernel = "sample",
					       .source = "tdx", .per_vcpu = true };
		struct tdxtop_buf b = {};
		struct tdxtop_prom *p;

		err = tdxtop_prom_new(&p, &po) || tdxtop_prom_add(p, &s) ||
		      tdxtop_prom_write(p, &b, false);
		if (!err)
			fwrite(b.p, 1, b.len, stdout);
		tdxtop_prom_free(p);
		free(b.p);
	} else if (text)
		err = tdxtop_print_text(stdout, &s, &o, &v);
	else
		err = tdxtop_print_json(stdout, &s, &o, &v);
	tdxtop_view_free(&v);
	tdxtop_snap_free(&s);
	free(h);
	return err ? 1 : 0;
}
