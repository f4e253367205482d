// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model/snap.c through its API: the interval arithmetic the reader applies
 * to each row and histogram, sparse histograms, VM names, the hash index,
 * outliers in TSC order, counters and intervals merged (report --merge)
 */
#include <string.h>
#include "model/model.h"
#include "../tap.h"
#include "fixture.h"

static void test_delta(void)
{
	struct tdxtop_cum prev = {};
	struct tdxtop_stats cur = fx_row(10, 1000, 500), d;
	struct tdxtop_snap s = {};
	struct tdxtop_hist h = {}, hprev = {};
	struct tdxtop_hkey hk = { .tgid = 100, .reason = 12, .kind = TDXTOP_KIND_EXIT };

	ok(tdxtop_stats_delta(&d, &cur, &prev) && d.count == 10 &&
	   d.sum[TDXTOP_M_GUEST] == 1000 && d.restored[2] == 5,
	   "first read: the whole cumulative row");
	cur = fx_row(25, 4000, 900);
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

	/* bucket by bucket, as the recording's reader builds them */
	tdxtop_snap_reset(&s);
	tdxtop_snap_end_hist(&s, &hk, s.nr_buckets);
	is_u64(s.nr_hrows, 0, "a histogram with no bucket is none");
	tdxtop_snap_add_bucket(&s, TDXTOP_M_GUEST, 3, 4);
	tdxtop_snap_add_bucket(&s, TDXTOP_M_RESTORE, 9, 6);
	tdxtop_snap_end_hist(&s, &hk, 0);
	ok(s.nr_hrows == 1 && s.hrows[0].first == 0 && s.hrows[0].nr == 2 &&
	   s.buckets[1].metric == TDXTOP_M_RESTORE && s.buckets[1].bucket == 9,
	   "two buckets appended make one histogram of two buckets");
	tdxtop_snap_free(&s);
}

static void test_vms(void)
{
	struct tdxtop_snap s = {};
	char long_name[100];

	tdxtop_snap_add_vm(&s, 300, "c");
	tdxtop_snap_add_vm(&s, 100, "a");
	tdxtop_snap_add_vm(&s, 200, "b");
	tdxtop_snap_add_vm(&s, 100, "a2");
	ok(s.nr_vms == 3 && s.vms[0].tgid == 100 && s.vms[1].tgid == 200 &&
	   s.vms[2].tgid == 300, "VMs kept sorted by tgid, one entry each");
	ok(!strcmp(tdxtop_snap_vm_name(&s, 100), "a2") &&
	   !strcmp(tdxtop_snap_vm_name(&s, 300), "c"), "a VM named again takes the new name");
	ok(!strcmp(tdxtop_snap_vm_name(&s, 250), "?"), "a VM not recorded is \"?\"");
	is_u64(tdxtop_snap_vm_index(&s, 250), 2, "where tgid 250 would go: between 200 and 300");
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	tdxtop_snap_add_vm(&s, 400, long_name);
	is_u64(strlen(tdxtop_snap_vm_name(&s, 400)), TDXTOP_VM_NAME_LEN - 1,
	       "a 99-byte name is cut to the buffer, terminated");
	tdxtop_snap_free(&s);
}

struct ent {
	struct tdxtop_key key;
	int v;
};

static void test_index(void)
{
	struct tdxtop_index x = {};
	struct ent *e = calloc(1000, sizeof(*e));
	__u32 *slot, *before;
	size_t i, found = 0;

	for (i = 0; i < 1000; i++) {
		e[i].key = fx_key(i % 10, i / 10, 12, 0);
		tdxtop_index_reserve(&x, e, sizeof(*e), i, sizeof(e[i].key));
		slot = tdxtop_index_find(&x, e, sizeof(*e), &e[i].key, sizeof(e[i].key));
		if (!*slot)
			*slot = i + 1;
	}
	for (i = 0; i < 1000; i++) {
		struct tdxtop_key k = fx_key(i % 10, i / 10, 12, 0);

		slot = tdxtop_index_find(&x, e, sizeof(*e), &k, sizeof(k));
		found += *slot == i + 1;
	}
	is_u64(found, 1000, "1,000 keys added, each found at its own entry");
	ok(x.mask + 1 >= 2000, "at most half full (%zu slots)", x.mask + 1);
	{
		struct tdxtop_key k = fx_key(5, 1000, 12, 0);

		slot = tdxtop_index_find(&x, e, sizeof(*e), &k, sizeof(k));
		ok(!*slot, "a key not added: a free slot");
	}
	before = x.slot;
	tdxtop_index_clear(&x, 1000);
	for (i = 0, found = 0; i <= x.mask; i++)
		found += x.slot[i] != 0;
	ok(x.slot == before && !found, "cleared for as many: the same memory, every slot free");
	tdxtop_index_free(&x);
	free(e);
	is_u64(tdxtop_nr_slots(TDXTOP_DEF_VCPUS), TDXTOP_DEF_SLOTS,
	       "the BPF object's default vCPU slot count fits the default vCPUs");
}

static void test_outliers_counters(void)
{
	struct tdxtop_snap s = {}, d = {};
	struct tdxtop_outlier o = { .tgid = 100 };
	static const __u64 tsc[] = { 30, 10, 20, 10 };
	size_t i;

	for (i = 0; i < 4; i++) {
		o.tsc = tsc[i];
		o.vcpu = 3 - i;
		tdxtop_snap_add_outlier(&s, &o, 1000 + i);
	}
	tdxtop_snap_sort_outliers(&s);
	ok(s.outliers[0].o.tsc == 10 && s.outliers[0].o.vcpu == 0 &&
	   s.outliers[1].o.tsc == 10 && s.outliers[1].o.vcpu == 2 &&
	   s.outliers[2].o.tsc == 20 && s.outliers[3].o.tsc == 30 &&
	   s.outliers[3].real_ns == 1000,
	   "outliers of several CPUs in TSC order, then by vCPU; wall clock kept");

	s.losses[0] = 2;
	s.losses[TDXTOP_NR_LOSSES - 1] = 3;
	s.user_cpu_ns = 5;
	s.nr_progs = 2;
	strcpy(s.progs[0].name, "a");
	s.progs[0].run_cnt = 10;
	strcpy(s.progs[1].name, "b");
	s.progs[1].run_cnt = 20;
	is_u64(tdxtop_snap_losses(&s), 5, "losses of every kind summed");
	tdxtop_snap_add_counters(&d, &s);
	strcpy(s.progs[0].name, "b");	/* the other order in the next interval */
	strcpy(s.progs[1].name, "a");
	tdxtop_snap_add_counters(&d, &s);
	ok(d.nr_progs == 2 && !strcmp(d.progs[0].name, "a") && d.progs[0].run_cnt == 30 &&
	   d.progs[1].run_cnt == 30 && d.user_cpu_ns == 10 && tdxtop_snap_losses(&d) == 10,
	   "counters added by program name, not position: a 10 + 20, b 20 + 10");
	tdxtop_snap_free(&s);
	tdxtop_snap_free(&d);
}

static void test_merge(void)
{
	struct tdxtop_merge m = {};
	struct tdxtop_snap a = {}, b = {};
	struct tdxtop_key k = fx_key(100, 0, 12, 0);
	struct tdxtop_stats st = fx_row(4, 40, 30);
	struct tdxtop_hist h = {};
	size_t i;

	fx_snap(&a);
	fx_snap(&b);
	b.start_ns = 2000000000;
	b.end_ns = 3000000000;
	st.min[TDXTOP_M_GUEST] = 0;
	tdxtop_snap_add_row(&b, &k, &st);	/* a second row of the same key */
	for (i = 0; i < 3; i++) {
		tdxtop_merge_add(&m, &a);
		tdxtop_merge_add(&m, &b);
	}
	tdxtop_merge_finish(&m);
	tdxtop_snap_sort(&m.s);
	ok(m.n == 6 && m.s.start_ns == 1000000000 && m.s.end_ns == 3000000000 &&
	   tdxtop_snap_seconds(&m.s) == 2.0, "6 intervals: the span from first start to last end");
	is_u64(m.s.nr_rows, 3, "one row per key");
	ok(m.s.rows[0].key.tgid == 100 && m.s.rows[0].key.vcpu == 0 &&
	   m.s.rows[0].st.count == 3 * (15 + 15 + 4) &&
	   m.s.rows[0].st.sum[TDXTOP_M_GUEST] == 3 * (3000 + 3000 + 40) &&
	   m.s.rows[0].st.min[TDXTOP_M_GUEST] == 0 && m.s.rows[0].st.max[TDXTOP_M_GUEST] == 900,
	   "VM 100 vCPU 0: counts and sums added, least min and largest max kept");
	ok(m.s.nr_hrows == 1 && m.s.hrows[0].nr == 2, "one histogram, two buckets");
	tdxtop_hist_add_sparse(&h, &m.s, &m.s.hrows[0]);
	ok(h.bucket[TDXTOP_M_GUEST][20] == 6 * 7 && h.bucket[TDXTOP_M_GUEST][40] == 6 * 13,
	   "its buckets added over the 6 intervals: 42 and 78");
	ok(m.s.nr_vms == 2 && !strcmp(tdxtop_snap_vm_name(&m.s, 200), "td-b"), "VM names kept");
	tdxtop_merge_free(&m);
	tdxtop_snap_free(&a);
	tdxtop_snap_free(&b);
}

int main(void)
{
	tap_plan(28);
	test_delta();
	test_vms();
	test_index();
	test_outliers_counters();
	test_merge();
	return tap_done();
}
