// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop serve's totals (prom.c, prom_pb.c) through their API: native
 * bucket indices at their bounds, the series arithmetic of the default cut
 * and of --per-vm-histograms against the lines written, --max-series and
 * its overflow series with exact totals, --expire-after, and a protobuf
 * scrape unpacked again by libprotobuf-c.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "output/prom.h"
#include "metrics.pb-c.h"
#include "../tap.h"

#define SEC	1000000000ULL

/* An interval of vms VMs (pids 100...) with reasons exit reasons each */
static void interval(struct tdxtop_snap *s, __u64 end, int vms, int reasons, __u32 count)
{
	struct tdxtop_hist *h = calloc(1, sizeof(*h));
	char name[16];
	int v, r;

	tdxtop_snap_reset(s);
	s->start_ns = end - SEC;
	s->end_ns = end;
	s->source = "tdx";
	s->nr_progs = 1;
	snprintf(s->progs[0].name, sizeof(s->progs[0].name), "tdx_vp_enter");
	for (v = 0; v < vms; v++) {
		snprintf(name, sizeof(name), "td%d", v);
		tdxtop_snap_add_vm(s, 100 + v, name);
		for (r = 0; r < reasons && count; r++) {
			struct tdxtop_key k = { .tgid = 100 + v, .reason = r,
						.kind = TDXTOP_KIND_EXIT };
			struct tdxtop_hkey hk = { .tgid = 100 + v, .reason = r,
						  .kind = TDXTOP_KIND_EXIT };
			struct tdxtop_stats st = { .count = count };

			st.n[TDXTOP_M_GUEST] = count;
			st.sum[TDXTOP_M_GUEST] = count * 1000ULL;
			memset(h, 0, sizeof(*h));
			h->bucket[TDXTOP_M_GUEST][tdxtop_bucket(1000)] = count;
			tdxtop_snap_add_row(s, &k, &st);
			tdxtop_snap_add_hist(s, &hk, h, NULL);
		}
	}
	free(h);
}

static struct tdxtop_buf buf;

/* The sample lines of a text scrape, and the sum of the samples of name */
static size_t lines(const struct tdxtop_prom *p, const char *name, __u64 *sum)
{
	size_t n = 0, len = strlen(name);
	char *l, *save = NULL;

	*sum = 0;
	if (tdxtop_prom_write(p, &buf, TDXTOP_PROM_TEXT) || tdxtop_buf_room(&buf, 1))
		return 0;
	buf.p[buf.len] = '\0';
	for (l = strtok_r(buf.p, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (*l == '#')
			continue;
		n++;
		if (!strncmp(l, name, len) && (l[len] == '{' || l[len] == ' '))
			*sum += strtoull(strrchr(l, ' ') + 1, NULL, 10);
	}
	return n;
}

static void test_native_index(void)
{
	bool in = true, monotonic = true;
	__s32 prev = INT32_MIN;
	__u32 b;

	is_u64(tdxtop_prom_native_index(SEC), 0, "native bucket of 1 s: 0 ((2^-1/16, 1])");
	is_u64(tdxtop_prom_native_index(2 * SEC), 16, "native bucket of 2 s: 16");
	is_u64(tdxtop_prom_native_index(2 * SEC + 1), 17, "2 s + 1 ns: the next bucket, 17");
	is_u64((__u64)-tdxtop_prom_native_index(1), 478, "1 ns: bucket -478");
	/* every bucket of tdxtop's: its least value in the native bucket given */
	for (b = 1; b < TDXTOP_HIST_BUCKETS; b++) {
		__u64 v = tdxtop_bucket_lo(b);
		__s32 i = tdxtop_prom_native_index(v);
		double x = v / 1e9;

		in &= x > exp2((i - 1) / 16.0) && x <= exp2(i / 16.0);
		monotonic &= i >= prev;
		prev = i;
	}
	ok(in, "each of tdxtop's %d buckets' least value lies in its native bucket",
	   TDXTOP_HIST_BUCKETS - 1);
	ok(monotonic, "tdxtop's buckets map to native ones in order");
}

static void test_native_add(void)
{
	struct prom_native a = {}, b = {};

	tdxtop_prom_native_add(&a, 5, 1);
	tdxtop_prom_native_add(&a, -3, 2);
	tdxtop_prom_native_add(&a, 5, 4);
	tdxtop_prom_native_add(&a, INT32_MIN, 7);
	tdxtop_prom_native_add(&b, 0, 1);
	tdxtop_prom_native_add(&b, 5, 1);
	tdxtop_prom_native_merge(&a, &b);
	ok(a.nr == 3 && a.b[0].i == -3 && a.b[0].n == 2 && a.b[1].i == 0 && a.b[1].n == 1 &&
	   a.b[2].i == 5 && a.b[2].n == 6 && a.zero == 7,
	   "native buckets: sorted, summed by index, zero bucket apart, merged");
	tdxtop_prom_native_free(&a);
	tdxtop_prom_native_free(&b);
}

static void test_cut(void)
{
	struct tdxtop_prom_opts o = { .source = "tdx" };
	struct tdxtop_snap s = {};
	struct tdxtop_prom *p;
	__u64 sum, vsum;
	size_t n;

	is_u64(tdxtop_prom_new(&p, &o), 0, "an uncapped exposition");
	/* tdxtop's own 11 (one program, untimed), host and restore time 66, registers 4 */
	interval(&s, 10 * SEC, 4, 10, 3);
	tdxtop_prom_add(p, &s);
	n = lines(p, "tdxtop_exits_total", &sum);
	is_u64(n, 11 + 66 + 4 + 10 * 34 + 4 * 3,
	       "default cut, 4 VMs x 10 reasons: 10 x 34 by exit, 3 per VM, 81 more (433)");
	is_u64(tdxtop_prom_series(p), n, "tdxtop_prom_series() counts the lines written");
	lines(p, "tdxtop_vm_exits_total", &vsum);
	ok(sum == 120 && vsum == 120, "exits by reason and by VM both sum to 120");
	tdxtop_prom_free(p);

	o.per_vm_hist = true;
	tdxtop_prom_new(&p, &o);
	tdxtop_prom_add(p, &s);
	n = lines(p, "tdxtop_exits_total", &sum);
	is_u64(n, 11 + 4 * (10 * 100 + 7),
	       "--per-vm-histograms: 100 per VM and exit, 7 per VM (4,039)");
	is_u64(tdxtop_prom_series(p), n, "tdxtop_prom_series() counts them too");
	tdxtop_prom_free(p);
	tdxtop_snap_free(&s);
}

static void test_cap(void)
{
	struct tdxtop_prom_opts o = { .source = "tdx", .per_vm_hist = true };
	struct tdxtop_snap s = {};
	struct tdxtop_prom *p;
	size_t min, n;
	__u64 sum, vsum, g, dropped;

	tdxtop_prom_new(&p, &o);
	min = tdxtop_prom_min_series(p);
	/* 8 programs timed: 26; overflows: VM 7, exit 100, deferred 1, GS, uret 34 */
	is_u64(min, 26 + 7 + 100 + 1 + 34 + 34, "the least --max-series: 202");
	tdxtop_prom_free(p);
	o.max_series = min - 1;
	is_u64(tdxtop_prom_new(&p, &o), (__u64)-ERANGE, "a cap below it: -ERANGE");

	o.max_series = 1000;
	tdxtop_prom_new(&p, &o);
	interval(&s, 10 * SEC, 6, 20, 2);	/* 6 x (20 x 100 + 7) uncapped */
	tdxtop_prom_add(p, &s);
	dropped = tdxtop_prom_dropped(p);
	interval(&s, 11 * SEC, 6, 20, 1);	/* the same label sets again */
	tdxtop_prom_add(p, &s);
	n = lines(p, "tdxtop_exits_total", &sum);
	lines(p, "tdxtop_vm_exits_total", &vsum);
	lines(p, "tdxtop_guest_seconds_count", &g);
	ok(n <= 1000 && n > 1000 - 202, "capped at 1000: %zu series", n);
	is_u64(tdxtop_prom_series(p), n, "tdxtop_prom_series() is what is written");
	ok(sum == 360 && vsum == 360 && g == 360,
	   "totals exact under the cap: exits, VM exits, guest counts 360");
	/* what was not made: the label sets past the cap, once each */
	lines(p, "tdxtop_series_dropped_total", &sum);
	is_u64(sum, tdxtop_prom_dropped(p), "tdxtop_series_dropped_total is the count dropped");
	ok(sum > 0 && sum == dropped && n - (11 + 7 + 100) + sum == 6 * 2007,
	   "%llu series dropped, each once: with those made, the 12,042 uncapped",
	   (unsigned long long)sum);
	tdxtop_prom_free(p);
	tdxtop_snap_free(&s);
}

static void test_expire(void)
{
	struct tdxtop_prom_opts o = { .source = "tdx", .expire_ns = 5 * SEC };
	struct tdxtop_snap s = {};
	struct tdxtop_prom *p;
	size_t n0, n1, n2;
	__u64 sum;

	tdxtop_prom_new(&p, &o);
	interval(&s, 10 * SEC, 2, 3, 4);
	tdxtop_prom_add(p, &s);
	n0 = lines(p, "tdxtop_exits_total", &sum);
	interval(&s, 14 * SEC, 1, 3, 1);	/* td0 only */
	tdxtop_prom_add(p, &s);
	n1 = lines(p, "tdxtop_exits_total", &sum);
	interval(&s, 16 * SEC, 0, 0, 0);	/* td1 idle for 6 s, td0 for 2 */
	tdxtop_prom_add(p, &s);
	n2 = lines(p, "tdxtop_exits_total", &sum);
	ok(n0 == n1 && n2 == n0 - 3, "--expire-after 5: td1's 3 series go after 6 s idle, td0's stay");
	is_u64(sum, 27, "the host-wide exits stay: 24 + 3");
	tdxtop_prom_free(p);
	tdxtop_snap_free(&s);
}

/* The btf source: TDs' and other VMs' exits apart, nothing of restores */
static void test_btf(void)
{
	struct tdxtop_prom_opts o = { .source = "btf" };
	struct tdxtop_stats st = { .count = 2, .n = { 2, 2 }, .sum = { 2000, 4000 } };
	struct tdxtop_key td = { .tgid = 100, .reason = 77, .leaf = 0x10001,
				 .kind = TDXTOP_KIND_TD_EXIT };
	struct tdxtop_key vm = { .tgid = 101, .reason = 30, .kind = TDXTOP_KIND_KVM_EXIT };
	struct tdxtop_snap s = { .start_ns = SEC, .end_ns = 2 * SEC, .source = "btf" };
	struct tdxtop_prom *p;
	__u64 sum;
	size_t n;

	tdxtop_snap_add_vm(&s, 100, "td0");
	tdxtop_snap_add_vm(&s, 101, "vm0");
	tdxtop_snap_add_row(&s, &td, &st);
	tdxtop_snap_add_row(&s, &vm, &st);
	tdxtop_prom_new(&p, &o);
	tdxtop_prom_add(p, &s);
	n = lines(p, "tdxtop_exits_total", &sum);
	/* own 10 (no program), 2 x 34 by exit, host time per type 66, 2 x 3 per VM */
	is_u64(n, 10 + 68 + 66 + 6, "btf: 150 series, no restore, register or GS base series");
	tdxtop_prom_write(p, &buf, TDXTOP_PROM_TEXT);
	buf.p[buf.len - 1] = '\0';
	ok(strstr(buf.p, "tdxtop_exits_total{type=\"td\",reason=\"TDCALL\",leaf=\"MapGPA\","
			 "status=\"SUCCESS\"} 2\n") &&
	   strstr(buf.p, "tdxtop_exits_total{type=\"vm\",reason=\"IO_INSTRUCTION\"} 2\n") &&
	   strstr(buf.p, "tdxtop_host_seconds_count{type=\"td\"} 2\n") &&
	   strstr(buf.p, "tdxtop_host_seconds_count{type=\"vm\"} 2\n") &&
	   !strstr(buf.p, "restore"), "btf: type td/vm on exits and on host time per type");
	tdxtop_prom_free(p);
	tdxtop_snap_free(&s);
}

static void test_protobuf(void)
{
	struct tdxtop_prom_opts o = { .source = "tdx" };
	Io__Prometheus__Client__MetricFamily *f;
	struct tdxtop_snap s = {};
	struct tdxtop_prom *p;
	size_t off = 0, fams = 0, metrics = 0;
	__u64 hist_count = 0, zero = 0, deltas = 0;
	bool ok_all = true;

	tdxtop_prom_new(&p, &o);
	interval(&s, 10 * SEC, 2, 3, 5);
	tdxtop_prom_add(p, &s);
	is_u64(tdxtop_prom_write(p, &buf, TDXTOP_PROM_PROTOBUF), 0, "a protobuf scrape");
	while (off < buf.len && ok_all) {
		__u64 len = 0;
		int shift = 0;
		__u8 c;
		size_t i, j;

		do {	/* the varint before each message */
			c = buf.p[off++];
			len |= (__u64)(c & 0x7f) << shift;
			shift += 7;
		} while (c & 0x80 && off < buf.len);
		f = io__prometheus__client__metric_family__unpack(NULL, len,
								   (__u8 *)buf.p + off);
		if (!f) {
			ok_all = false;
			break;
		}
		off += len;
		fams++;
		metrics += f->n_metric;
		if (!strcmp(f->name, "tdxtop_guest_seconds"))
			for (i = 0; i < f->n_metric; i++) {
				Io__Prometheus__Client__Histogram *h = f->metric[i]->histogram;
				__s64 run = 0;

				ok_all &= h && h->schema == TDXTOP_PROM_SCHEMA &&
					  h->zero_threshold > 0;
				hist_count += h ? h->sample_count : 0;
				zero += h ? h->zero_count : 0;
				for (j = 0; h && j < h->n_positive_delta; j++) {
					run += h->positive_delta[j];
					deltas += run;
				}
			}
		io__prometheus__client__metric_family__free_unpacked(f, NULL);
	}
	ok(ok_all && off == buf.len, "%zu families unpack back, delimited end to end", fams);
	ok(hist_count == 30 && zero == 0 && deltas == 30,
	   "guest time: 3 native histograms, 30 samples, all in the 1000 ns bucket's");
	/* the same series as text, a histogram being one */
	is_u64(metrics, tdxtop_prom_series(p) - 3 * 32 - 2 * 32, "one series per histogram");
	tdxtop_prom_free(p);
	tdxtop_snap_free(&s);
}

int main(void)
{
	tap_plan(28);
	test_native_index();
	test_native_add();
	test_cut();
	test_cap();
	test_expire();
	test_btf();
	test_protobuf();
	free(buf.p);
	return tap_done();
}
