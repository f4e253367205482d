// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The snapshot model, through the functions tdxtop runs: the interval
 * arithmetic the reader applies to each row and histogram (snap.c),
 * grouping into views, the self-cost arithmetic, the text cell of an
 * untrusted name and the ns formatting.
 */
#include <locale.h>
#include <string.h>
#include "output/output.h"
#include "../tap.h"

static struct tdxtop_key key(__u32 tgid, __u32 vcpu, __u32 reason, __u64 leaf)
{
	struct tdxtop_key k = {
		.tgid = tgid, .vcpu = vcpu, .reason = reason, .leaf = leaf,
		.kind = TDXTOP_KIND_EXIT,
	};
	return k;
}

/* cumulative values of a row as the maps hold them */
static struct tdxtop_stats cum(__u64 count, __u64 guest_sum, __u64 max)
{
	struct tdxtop_stats s = { .count = count };

	s.n[TDXTOP_M_GUEST] = count;
	s.sum[TDXTOP_M_GUEST] = guest_sum;
	s.min[TDXTOP_M_GUEST] = 1;
	s.max[TDXTOP_M_GUEST] = max;
	s.restored[2] = count / 2;
	return s;
}

static void test_delta(void)
{
	struct tdxtop_cum prev = {};
	struct tdxtop_stats cur = cum(10, 1000, 500), d;
	struct tdxtop_snap s = {};
	struct tdxtop_hist h = {}, hprev = {};
	struct tdxtop_hkey hk = { .tgid = 100, .reason = 12, .kind = TDXTOP_KIND_EXIT };

	ok(tdxtop_stats_delta(&d, &cur, &prev) && d.count == 10 &&
	   d.sum[TDXTOP_M_GUEST] == 1000 && d.restored[2] == 5,
	   "first read: the whole cumulative row");
	cur = cum(25, 4000, 900);
	ok(tdxtop_stats_delta(&d, &cur, &prev) && d.count == 15 &&
	   d.n[TDXTOP_M_GUEST] == 15 && d.sum[TDXTOP_M_GUEST] == 3000 &&
	   d.restored[2] == 12 - 5 && d.max[TDXTOP_M_GUEST] == 900,
	   "second read: current minus previous; max stays cumulative");
	ok(!tdxtop_stats_delta(&d, &cur, &prev), "third read, unchanged: no row");
	cur.count = 25 + 0x100000000ULL;
	cur.sum[TDXTOP_M_GUEST] = 3;	/* a sum that wrapped */
	ok(tdxtop_stats_delta(&d, &cur, &prev) && d.count == 0x100000000ULL &&
	   d.sum[TDXTOP_M_GUEST] == 3 - 4000ULL,
	   "64-bit counters subtract modulo 2^64");

	h.bucket[0][20] = 3;
	tdxtop_snap_add_hist(&s, &hk, &h, &hprev);
	h.bucket[0][20] = 10;
	h.bucket[2][40] = 20;
	tdxtop_snap_add_hist(&s, &hk, &h, &hprev);
	ok(s.nr_hrows == 2 && s.hrows[1].nr == 2 &&
	   s.buckets[s.hrows[1].first].count == 7 &&
	   s.buckets[s.hrows[1].first + 1].metric == 2 &&
	   s.buckets[s.hrows[1].first + 1].bucket == 40 &&
	   s.buckets[s.hrows[1].first + 1].count == 20,
	   "histogram delta: sparse, 10 - 3 in bucket 20, a new bucket whole");
	tdxtop_snap_add_hist(&s, &hk, &h, &hprev);
	is_u64(s.nr_hrows, 2, "an unchanged histogram adds nothing");
	h.bucket[0][20] = 2;	/* a u32 bucket that wrapped past 2^32 */
	hprev.bucket[0][20] = 0xfffffff0u;
	tdxtop_snap_add_hist(&s, &hk, &h, &hprev);
	ok(s.nr_hrows == 3 && s.buckets[s.hrows[2].first].count == 0x12,
	   "32-bit buckets subtract modulo 2^32");
	tdxtop_snap_free(&s);
}

static void test_view(void)
{
	struct tdxtop_snap s = {};
	struct tdxtop_view v = {};
	struct tdxtop_hist h = {};
	struct tdxtop_hkey hk = { .tgid = 100, .reason = 12, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_key k;
	struct tdxtop_stats st;

	k = key(100, 1, 12, 12);
	st = cum(5, 700, 300);
	tdxtop_snap_add_row(&s, &k, &st);
	k = key(100, 0, 12, 12);
	st = cum(15, 3000, 900);
	tdxtop_snap_add_row(&s, &k, &st);
	k = key(200, 0, 48, 0);
	st = cum(7, 70, 10);
	tdxtop_snap_add_row(&s, &k, &st);
	h.bucket[0][20] = 7;
	h.bucket[0][40] = 13;
	tdxtop_snap_add_hist(&s, &hk, &h, NULL);

	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_VM, TDXTOP_SORT_COUNT), "view per VM");
	is_u64(v.nr, 2, "two VMs");
	is_u64(v.g[0].st.count, 20, "VM 100 first by count, vCPUs 0 and 1 summed");
	is_u64(v.g[0].st.sum[0], 3000 + 700, "guest time summed across vCPUs");
	ok(v.g[0].h && v.g[0].h->bucket[0][20] == 7 && v.g[0].h->bucket[0][40] == 13 &&
	   !v.g[1].h, "per-VM histogram from the sparse buckets; none for VM 200");
	is_u64(v.events, 27, "the view counts every event");

	ok(!tdxtop_view_build(&v, &s, TDXTOP_BY_VCPU, TDXTOP_SORT_MAX) && v.nr == 3 &&
	   v.g[0].st.max[0] == 900 && !v.g[0].h,
	   "the same view rebuilt per vCPU: sorted by max, without histograms");
	tdxtop_view_free(&v);
	tdxtop_snap_free(&s);
}

static void test_selfcost(void)
{
	struct tdxtop_snap s = {
		.start_ns = 0, .end_ns = 2000000000, .timed = true, .nr_progs = 2,
		.progs = { { "a", 1000, 50000 }, { "b", 3000, 30000 } },
		.user_cpu_ns = 10000000,
	};
	struct tdxtop_selfcost c;

	tdxtop_selfcost(&s, -1, &c);
	ok(c.events_per_s == 2000 && c.ns_per_event == 20 && c.bpf_timed &&
	   c.bpf_cpu_pct == 0.004 && c.user_cpu_pct == 0.5,
	   "all programs: 4000 runs, 80 us over 2 s: 2000/s, 20 ns, 0.004%%, user 0.5%%");
	tdxtop_selfcost(&s, 0, &c);
	ok(c.events_per_s == 500 && c.ns_per_event == 50, "program a alone: 500/s, 50 ns");
	s.progs[1].run_time_ns = 0;
	s.progs[0].run_time_ns = 0;
	tdxtop_selfcost(&s, -1, &c);
	ok(!c.bpf_timed, "runs without run time: unknown, not 0");
}

static void test_text(void)
{
	char cell[TDXTOP_CELL_SIZE(8)], ns[32];

	tdxtop_text_cell(cell, "\x1b[2J\x1b[31mred", 8);
	ok(!strcmp(cell, "?[2J?[31"), "escape sequences: ESC shown as '?', 8 columns");
	tdxtop_text_cell(cell, "a\nb\tc\x7f\xff", 8);
	ok(!strcmp(cell, "a?b?c?? "), "newline, tab, DEL, invalid byte: '?', padded");
	setlocale(LC_CTYPE, "C.UTF-8");
	tdxtop_text_cell(cell, "t\xc3\xa9st\xe2\x80\xaeok", 8);
	ok(!strcmp(cell, "t\xc3\xa9st?ok "),
	   "UTF-8 locale: e-acute kept as one column, a bidi override is '?'");
	tdxtop_text_cell(cell, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 8);
	ok(!strcmp(cell, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"),
	   "wide characters: four of two columns fill 8, cut at a character");
	tdxtop_fmt_ns(ns, sizeof(ns), 9999.4);
	ok(!strcmp(ns, "9999ns"), "fmt_ns: %s", ns);
	tdxtop_fmt_ns(ns, sizeof(ns), 12345);
	ok(!strcmp(ns, "12.3us"), "fmt_ns: %s", ns);
	tdxtop_fmt_ns(ns, sizeof(ns), 1.25e9);
	ok(!strcmp(ns, "1250.0ms"), "fmt_ns: %s", ns);
	is_u64(tdxtop_nr_slots(TDXTOP_DEF_VCPUS), TDXTOP_DEF_SLOTS,
	       "the BPF object's default slot count fits the default vCPUs");
}

int main(void)
{
	tap_plan(25);
	test_delta();
	test_view();
	test_selfcost();
	test_text();
	return tap_done();
}
