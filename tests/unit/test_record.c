// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Recordings (record.c) through their API: what tdxtop_recorder_add()
 * wrote, tdxtop_recording_next() reads back field by field; the file is
 * stamped with TDXTOP_RECORD_SCHEMA (user_version and the meta row); a
 * recording stamped 2 by the writer that introduced schema 3 still reads
 * its schema 3 columns; a cut file says SQLite's own reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store.h"
#include "../tap.h"

#define NR_IV	3

static const struct tdxtop_run_info info = {
	.version = "test_record", .kernel = "7.2.12", .host = "h", .source = "kvm",
	.options = "-w x.db", .outliers = "guest>1000ns", .tsc = { 3, 1, "test" },
};

/* Interval i of the test: every field holds a value of its own */
static void fill(struct tdxtop_snap *s, int i)
{
	struct tdxtop_key k = { .tgid = 100, .vcpu = 2, .reason = 48, .leaf = 0,
				.kind = TDXTOP_KIND_KVM_EXIT };
	struct tdxtop_hkey hk = { .tgid = 100, .reason = 48, .kind = TDXTOP_KIND_KVM_EXIT };
	struct tdxtop_stats st = { .count = 10 + i };
	struct tdxtop_outlier o = {
		.tsc = 5000 + i, .status = 0x8000020000000000ULL, .leaf = 12,
		.exit_qual = 0x184, .ns = { 2000, TDXTOP_NO_NS, 7 }, .tgid = 100,
		.vcpu = TDXTOP_VCPU_NONE, .reason = 77, .over = 1,
	};
	struct tdxtop_hist *h = calloc(1, sizeof(*h));
	int m, j;

	tdxtop_snap_reset(s);
	s->start_ns = 1000000000ULL * (i + 1);
	s->end_ns = s->start_ns + 1000000000ULL;
	s->end_real_ns = 1790000000000000000ULL + s->end_ns;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		st.n[m] = 9 + i - m;
		st.sum[m] = 1000 * (m + 1) + i;
		st.min[m] = 3 + m;
		st.max[m] = 900 + m;
	}
	st.restored[1] = 4;
	tdxtop_snap_add_vm(s, 100, "td-\xe2\x80\xae\x01name");
	tdxtop_snap_add_vm(s, 200, "vm2");
	tdxtop_snap_add_row(s, &k, &st);
	k.vcpu = 3;
	k.status = 0x80000200;
	tdxtop_snap_add_row(s, &k, &st);
	k.tgid = 200;
	k.kind = TDXTOP_KIND_GSBASE;
	k.reason = -1u;
	tdxtop_snap_add_row(s, &k, &st);
	for (j = 0; j < 40; j += 3)
		h->bucket[j % TDXTOP_NR_METRICS][j * 7] = j + i + 1;
	tdxtop_snap_add_hist(s, &hk, h, NULL);
	/* a histogram whose key has no row yet (read a moment after them) */
	hk.tgid = 200;
	hk.reason = 12;
	memset(h, 0, sizeof(*h));
	h->bucket[0][100] = 5;
	tdxtop_snap_add_hist(s, &hk, h, NULL);
	free(h);
	for (j = 0; j < TDXTOP_NR_LOSSES; j++)
		s->losses[j] = 11 * (j + 1) + i;
	for (j = 0; j < TDXTOP_NR_NOTES; j++)
		s->notes[j] = 5 + j + i;	/* unpaired: 7 + i */
	for (j = 0; j < TDXTOP_NR_OUTLIER_COUNTS; j++)
		s->outlier_counts[j] = 20 + j;
	/* in name order, as tdxtop_maps_get() lists them */
	s->nr_progs = 2;
	snprintf(s->progs[0].name, sizeof(s->progs[0].name), "kvm_entry");
	s->progs[0].run_cnt = 30 + i;
	s->progs[0].run_time_ns = 4000;
	snprintf(s->progs[1].name, sizeof(s->progs[1].name), "kvm_exit");
	s->progs[1].run_cnt = 31;
	s->timed = true;
	s->user_cpu_ns = 123456 + i;
	s->outlier_spec = info.outliers;
	tdxtop_snap_add_outlier(s, &o, 1790000000000000001ULL);
}

static bool same_rows(const struct tdxtop_snap *a, const struct tdxtop_snap *b)
{
	size_t i;

	if (a->nr_rows != b->nr_rows)
		return false;
	for (i = 0; i < a->nr_rows; i++)
		if (memcmp(&a->rows[i], &b->rows[i], sizeof(a->rows[i])))
			return false;
	return true;
}

static bool same_hists(const struct tdxtop_snap *a, const struct tdxtop_snap *b)
{
	size_t i;

	if (a->nr_hrows != b->nr_hrows || a->nr_buckets != b->nr_buckets)
		return false;
	for (i = 0; i < a->nr_hrows; i++)
		if (memcmp(&a->hrows[i], &b->hrows[i], sizeof(a->hrows[i])))
			return false;
	for (i = 0; i < a->nr_buckets; i++)
		if (memcmp(&a->buckets[i], &b->buckets[i], sizeof(a->buckets[i])))
			return false;
	return true;
}

static bool why(bool eq, int i, const char *what)
{
	if (!eq)
		diag("interval %d: %s differ", i, what);
	return eq;
}

static __s64 one(const char *path, const char *sql)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	__s64 v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

static int exec_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void test_round_trip(const char *path)
{
	struct tdxtop_snap w = {}, r = {};
	struct tdxtop_recorder *rec;
	struct tdxtop_recording *rd;
	__u64 nint, nev;
	char err[512];
	__s64 after = 0;
	int i, e, same = 0;

	unlink(path);
	e = tdxtop_recorder_open(&rec, path, &info, err, sizeof(err));
	if (!ok(!e, "recorder opens %s", path)) {
		diag("%s", err);
		exit(1);
	}
	for (i = 0; i < NR_IV; i++) {
		fill(&w, i);
		e |= tdxtop_recorder_add(rec, &w);
	}
	tdxtop_recorder_stats(rec, &nint, &nev);
	ok(!e && nint == NR_IV && nev == 3 * (10 + 11 + 12),
	   "%d intervals written, their events counted", NR_IV);
	ok(!tdxtop_recorder_close(rec), "recorder closes");

	is_u64(one(path, "PRAGMA user_version"), TDXTOP_RECORD_SCHEMA,
	       "the file is stamped with TDXTOP_RECORD_SCHEMA (user_version)");
	is_u64(one(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
	       TDXTOP_RECORD_SCHEMA, "and the meta row says the same");

	e = tdxtop_recording_open(&rd, path, err, sizeof(err));
	if (!ok(!e, "reader opens it")) {
		diag("%s", err);
		exit(1);
	}
	is_u64(tdxtop_recording_intervals(rd), NR_IV, "it holds %d intervals", NR_IV);
	for (i = 0; i < NR_IV; i++) {
		bool eq;

		if (tdxtop_recording_next(rd, &after, 0, ~0ULL, &r) != 1)
			break;
		fill(&w, i);
		eq = why(r.start_ns == w.start_ns && r.end_ns == w.end_ns &&
			 r.end_real_ns == w.end_real_ns, i, "times") &&
		     why(!memcmp(r.losses, w.losses, sizeof(w.losses)) &&
			 !memcmp(r.notes, w.notes, sizeof(w.notes)) &&
			 !memcmp(r.outlier_counts, w.outlier_counts, sizeof(w.outlier_counts)),
			 i, "losses, notes, outlier counts") &&
		     why(r.user_cpu_ns == w.user_cpu_ns && r.timed == w.timed &&
			 !strcmp(r.source, "kvm") && r.tsc.mult == 3 && r.tsc.shift == 1,
			 i, "self cost, source, TSC") &&
		     why(r.nr_vms == 2 && !strcmp(r.vms[0].name, w.vms[0].name), i, "VMs") &&
		     why(r.nr_progs == 2 && !strcmp(r.progs[1].name, "kvm_exit") &&
			 r.progs[0].run_cnt == w.progs[0].run_cnt, i, "programs") &&
		     why(same_rows(&r, &w), i, "rows") &&
		     why(same_hists(&r, &w), i, "histograms") &&
		     why(r.outlier_spec && !strcmp(r.outlier_spec, info.outliers) &&
			 r.nr_outliers == 1 &&
			 !memcmp(&r.outliers[0], &w.outliers[0], sizeof(w.outliers[0])),
			 i, "outliers");
		same += eq;
	}
	is_u64(same, NR_IV, "every interval reads back as written: times, losses, notes "
	       "(unpaired), rows, histograms, VMs, programs, outliers");
	is_u64(tdxtop_recording_next(rd, &after, 0, ~0ULL, &r), 0, "then the end");
	tdxtop_recording_close(rd);
	tdxtop_snap_free(&w);
	tdxtop_snap_free(&r);
}

/* The row of all VMs of (kind, reason, status), NULL when there is none */
static const struct tdxtop_row *total(const struct tdxtop_snap *s, __u32 kind, __u32 reason,
				      __u32 status)
{
	size_t i;

	for (i = 0; i < s->nr_rows; i++)
		if (s->rows[i].key.kind == kind && s->rows[i].key.reason == reason &&
		    s->rows[i].key.status == status && !s->rows[i].key.tgid &&
		    !s->rows[i].key.vcpu)
			return &s->rows[i];
	return NULL;
}

/*
 * The totals of all VMs (schema 4), against what fill() wrote: exits of
 * kind 4 (reason 48) of VM 100 on two vCPUs in two status classes, a GS
 * base row of VM 200, and a histogram of VM 200's reason 12 without a row
 */
static void test_totals(const char *path)
{
	struct tdxtop_recording *rd;
	struct tdxtop_snap r = {}, w = {};
	static struct tdxtop_hist hr, hw;
	char err[512];
	__s64 after = 0;
	__u32 vcpus;
	int i, good = 0;

	if (tdxtop_recording_open(&rd, path, err, sizeof(err))) {
		ok(0, "reader opens it: %s", err);
		return;
	}
	ok(tdxtop_recording_has_totals(rd), "a schema 4 recording keeps totals");
	for (i = 0; i < NR_IV; i++) {
		const struct tdxtop_row *gs, *h12, *e0, *e1;
		size_t k;

		if (tdxtop_recording_next_totals(rd, &after, &r, &vcpus) != 1)
			break;
		fill(&w, i);
		hr = hw = (struct tdxtop_hist){};
		for (k = 0; k < r.nr_hrows; k++)
			tdxtop_hist_add_sparse(&hr, &r, &r.hrows[k]);
		for (k = 0; k < w.nr_hrows; k++)
			tdxtop_hist_add_sparse(&hw, &w, &w.hrows[k]);
		gs = total(&r, TDXTOP_KIND_GSBASE, -1u, 0x80000200);
		h12 = total(&r, TDXTOP_KIND_KVM_EXIT, 12, 0);
		e0 = total(&r, TDXTOP_KIND_KVM_EXIT, 48, 0);
		e1 = total(&r, TDXTOP_KIND_KVM_EXIT, 48, 0x80000200);
		good += why(r.nr_rows == 4 && vcpus == 2 && r.start_ns == w.start_ns, i,
			    "4 rows, 2 vCPUs") &&
			why(gs && gs->st.count == 10u + i, i, "GS base row") &&
			why(h12 && h12->st.count == 0, i, "the histogram's own row") &&
			why(e0 && e1 && e0->st.count == 10u + i && e1->st.count == 10u + i &&
			    e0->st.sum[1] == w.rows[0].st.sum[1] && e0->st.n[2] == w.rows[0].st.n[2],
			    i, "exit rows") &&
			why(r.nr_hrows == 2 && r.nr_vms == 0 && r.nr_outliers == 0 &&
			    !memcmp(&hr, &hw, sizeof(hr)), i, "histograms");
	}
	is_u64(good, NR_IV, "each interval's totals: 4 keys of all VMs (one with a histogram "
	       "only), 2 vCPUs with exits, sums and buckets as written, no VM or outlier");
	is_u64(tdxtop_recording_next_totals(rd, &after, &r, &vcpus), 0, "then the end");
	tdxtop_recording_close(rd);
	tdxtop_snap_free(&w);
	tdxtop_snap_free(&r);
}

/* The btf source's rows say td or vm in the reasons table (schema 4) */
static void test_types(const char *path)
{
	struct tdxtop_run_info btf = info;
	struct tdxtop_recorder *rec;
	struct tdxtop_snap s = {};
	struct tdxtop_key k = { .tgid = 100, .vcpu = 0, .reason = 12,
				.kind = TDXTOP_KIND_TD_EXIT };
	struct tdxtop_stats st = { .count = 3 };
	char err[512];

	unlink(path);
	btf.source = "btf";
	btf.outliers = NULL;
	if (tdxtop_recorder_open(&rec, path, &btf, err, sizeof(err))) {
		ok(0, "a btf recording: %s", err);
		return;
	}
	s.source = "btf";
	s.end_ns = 1000000000;
	tdxtop_snap_add_vm(&s, 100, "td");
	tdxtop_snap_add_vm(&s, 200, "vm");
	tdxtop_snap_add_row(&s, &k, &st);
	k.tgid = 200;
	k.kind = TDXTOP_KIND_KVM_EXIT;
	k.status = TDXTOP_ISA_VMX;
	tdxtop_snap_add_row(&s, &k, &st);
	tdxtop_recorder_add(rec, &s);
	tdxtop_recorder_close(rec);
	is_u64(one(path, "SELECT (SELECT count(*) FROM reasons WHERE pid = 100 AND type = 'td')"
		   " + 2 * (SELECT count(*) FROM reasons WHERE pid = 200 AND type = 'vm')"), 3,
	       "btf: the TD's row of type td, the other VM's vm, in the reasons table");
	tdxtop_snap_free(&s);
}

/* The writer that introduced schema 3 stamped user_version 2 */
static void test_misstamped(const char *path)
{
	struct tdxtop_recording *rd;
	struct tdxtop_snap r = {};
	char err[512];
	__s64 after = 0;

	ok(!exec_sql(path, "PRAGMA user_version = 2"), "restamp as schema 2");
	if (tdxtop_recording_open(&rd, path, err, sizeof(err))) {
		ok(0, "a schema 3 file stamped 2 opens: %s", err);
		return;
	}
	tdxtop_recording_next(rd, &after, 0, ~0ULL, &r);
	is_u64(r.notes[TDXTOP_NOTE_UNPAIRED], 7,
	       "a schema 3 file stamped 2 reads its unpaired note");
	tdxtop_recording_close(rd);

	ok(!exec_sql(path, "UPDATE meta SET value = 2 WHERE key = 'schema_version';"
		     "ALTER TABLE intervals DROP COLUMN unpaired"), "make it a true schema 2");
	if (tdxtop_recording_open(&rd, path, err, sizeof(err))) {
		ok(0, "a schema 2 file opens: %s", err);
		return;
	}
	after = 0;
	tdxtop_recording_next(rd, &after, 0, ~0ULL, &r);
	is_u64(r.notes[TDXTOP_NOTE_UNPAIRED], 0, "a true schema 2 file reads unpaired as 0");
	tdxtop_recording_close(rd);
	tdxtop_snap_free(&r);
}

/* A file cut short: SQLite's reason and the file name */
static void test_cut(const char *path, const char *cut)
{
	struct tdxtop_recording *rd;
	char err[512], want[512], cmd[1024];
	int e;

	snprintf(cmd, sizeof(cmd), "head -c 5000 '%s' > '%s'", path, cut);
	ok(!system(cmd), "cut the file at 5000 bytes");
	e = tdxtop_recording_open(&rd, cut, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: database disk image is malformed", cut);
	ok(e == -EINVAL && !strcmp(err, want), "a cut file: \"%s\"", want);
	if (!e)
		tdxtop_recording_close(rd);
	else if (strcmp(err, want))
		diag("got \"%s\"", err);
}

int main(void)
{
	char dir[] = "/tmp/tdxtop-test-record.XXXXXX", path[64], cut[64], cmd[96];

	tap_plan(19);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	snprintf(cut, sizeof(cut), "%s/cut.db", dir);
	test_round_trip(path);
	test_totals(path);
	test_cut(path, cut);
	test_misstamped(path);
	test_types(path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("could not remove %s", dir);
	return tap_done();
}
