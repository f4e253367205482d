// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Recordings: snapshots in an SQLite database, one transaction per
 * interval, and read back into snapshots.  The schema is documented and
 * versioned in docs/record.md; a snapshot read back prints exactly what
 * live mode printed for it.
 *
 * One file past 600 lines on purpose: the writer, the blob encoding and
 * the reader of one versioned format change together.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store.h"

/* "TDXT": PRAGMA application_id of a tdxtop recording */
#define APP_ID		0x54445854

/* The tables; application_id and user_version are set from APP_ID and TDXTOP_RECORD_SCHEMA */
static const char *const schema_sql =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE intervals(id INTEGER PRIMARY KEY, start_ns INTEGER,"
	" end_ns INTEGER, end_real_ns INTEGER, events INTEGER,"
	" stats_full INTEGER, hist_full INTEGER, vcpu_full INTEGER,"
	" missed INTEGER, filtered INTEGER, host_skew INTEGER, unpaired INTEGER,"
	" user_cpu_ns INTEGER, bpf_timed INTEGER, outliers_sent INTEGER,"
	" outliers_capped INTEGER, outliers_lost INTEGER);"
	"CREATE TABLE programs(interval INTEGER, name TEXT, run_cnt INTEGER,"
	" run_time_ns INTEGER, PRIMARY KEY(interval, name)) WITHOUT ROWID;"
	"CREATE TABLE vms(interval INTEGER, pid INTEGER, name BLOB,"
	" PRIMARY KEY(interval, pid)) WITHOUT ROWID;"
	"CREATE TABLE rows(interval INTEGER, pid INTEGER, nr INTEGER, data BLOB,"
	" PRIMARY KEY(interval, pid));"
	"CREATE TABLE hists(interval INTEGER, pid INTEGER, kind INTEGER,"
	" reason INTEGER, status INTEGER, leaf INTEGER, data BLOB,"
	" PRIMARY KEY(interval, pid, kind, reason, status, leaf));"
	"CREATE TABLE reasons(interval INTEGER, pid INTEGER, kind TEXT,"
	" label TEXT, reason INTEGER, status INTEGER, leaf INTEGER,"
	" count INTEGER, guest_n INTEGER, guest_sum_ns INTEGER,"
	" host_n INTEGER, host_sum_ns INTEGER, restore_n INTEGER,"
	" restore_sum_ns INTEGER, type TEXT);"
	"CREATE INDEX reasons_interval ON reasons(interval);"
	"CREATE TABLE outliers(interval INTEGER, pid INTEGER, vcpu INTEGER,"
	" reason INTEGER, status INTEGER, leaf INTEGER, exit_qual INTEGER,"
	" tsc INTEGER, real_ns INTEGER, guest_ns INTEGER, host_ns INTEGER,"
	" restore_ns INTEGER, over INTEGER);"
	"CREATE INDEX outliers_interval ON outliers(interval);"
	"CREATE TABLE total_rows(interval INTEGER PRIMARY KEY, vcpus INTEGER, nr INTEGER,"
	" data BLOB);"
	"CREATE TABLE total_hists(interval INTEGER, kind INTEGER, reason INTEGER,"
	" status INTEGER, leaf INTEGER, data BLOB,"
	" PRIMARY KEY(interval, kind, reason, status, leaf));";

enum {
	ST_INTERVAL, ST_PROGRAM, ST_VM, ST_ROWS, ST_HIST, ST_REASON, ST_OUTLIER,
	ST_TOTAL_ROWS, ST_TOTAL_HIST, NR_ST,
};

/* The insert of each table: its columns (intervals: after the id) */
static const struct {
	const char *table;
	int cols;
} inserts[NR_ST] = {
	[ST_INTERVAL] = { "intervals(start_ns, end_ns, end_real_ns, events, stats_full, "
			  "hist_full, vcpu_full, missed, filtered, host_skew, unpaired, "
			  "user_cpu_ns, bpf_timed, outliers_sent, outliers_capped, "
			  "outliers_lost)", 16 },
	[ST_PROGRAM] = { "programs", 4 }, [ST_VM] = { "vms", 3 },
	[ST_ROWS] = { "rows", 4 }, [ST_HIST] = { "hists", 7 },
	[ST_REASON] = { "reasons", 15 }, [ST_OUTLIER] = { "outliers", 13 },
	[ST_TOTAL_ROWS] = { "total_rows", 4 }, [ST_TOTAL_HIST] = { "total_hists", 6 },
};


struct tdxtop_recorder {
	sqlite3 *db;
	sqlite3_stmt *st[NR_ST];
	char *path;
	struct tdxtop_buf blob;	/* an encoded blob */
	struct tdxtop_view view;	/* the reasons table, the totals */
	__u64 intervals, events;
	char err[256];
};

static void set_err(char *err, size_t len, const char *path, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, len, "%s: %s", path, msg);
}

/* ---- the blob encoding: unsigned LEB128 varints (docs/record.md) ---- */

static void put_varint(struct tdxtop_recorder *r, __u64 v)
{
	while (v >= 0x80) {
		r->blob.p[r->blob.len++] = (v & 0x7f) | 0x80;
		v >>= 7;
	}
	r->blob.p[r->blob.len++] = v;
}

/* A varint from [*p, end); -EINVAL when cut or longer than 64 bits */
static inline int get_varint(const unsigned char **p, const unsigned char *end, __u64 *v)
{
	const unsigned char *q = *p;
	__u64 x = 0;
	int shift;

	/* most fields are one byte; a whole varint ahead needs no bound checks */
	if (q < end && !(*q & 0x80)) {
		*v = *q;
		*p = q + 1;
		return 0;
	}
	if (end - q >= 10) {
		for (shift = 0; shift < 64; shift += 7, q++) {
			x |= (__u64)(*q & 0x7f) << shift;
			if (!(*q & 0x80)) {
				*v = x;
				*p = q + 1;
				return 0;
			}
		}
		return -EINVAL;
	}
	for (shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -EINVAL;
		x |= (__u64)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -EINVAL;
}

/* The fields of a row, in blob order */
#define ROW_FIELDS	(6 + 4 * TDXTOP_NR_METRICS + TDXTOP_NR_RESTORED)

static void row_fields(const struct tdxtop_row *row, __u64 *f)
{
	int m, i, n = 0;

	f[n++] = row->key.vcpu;
	f[n++] = row->key.kind;
	f[n++] = row->key.reason;
	f[n++] = row->key.status;
	f[n++] = row->key.leaf;
	f[n++] = row->st.count;
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		f[n++] = row->st.n[m];
		f[n++] = row->st.sum[m];
		f[n++] = row->st.min[m];
		f[n++] = row->st.max[m];
	}
	for (i = 0; i < TDXTOP_NR_RESTORED; i++)
		f[n++] = row->st.restored[i];
}

static void row_from_fields(struct tdxtop_row *row, __u32 tgid, const __u64 *f)
{
	int m, i, n = 0;

	memset(row, 0, sizeof(*row));
	row->key.tgid = tgid;
	row->key.vcpu = f[n++];
	row->key.kind = f[n++];
	row->key.reason = f[n++];
	row->key.status = f[n++];
	row->key.leaf = f[n++];
	row->st.count = f[n++];
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		row->st.n[m] = f[n++];
		row->st.sum[m] = f[n++];
		row->st.min[m] = f[n++];
		row->st.max[m] = f[n++];
	}
	for (i = 0; i < TDXTOP_NR_RESTORED; i++)
		row->st.restored[i] = f[n++];
}

/* ---- writing ---- */

static int db_err(struct tdxtop_recorder *r)
{
	int rc = sqlite3_errcode(r->db);

	set_err(r->err, sizeof(r->err), r->path, "%s", sqlite3_errmsg(r->db));
	return rc == SQLITE_FULL ? -ENOSPC : rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

static int exec(struct tdxtop_recorder *r, const char *sql)
{
	return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_err(r);
}

static int meta(struct tdxtop_recorder *r, const char *key, const char *text,
		__s64 num)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(r->db, "INSERT INTO meta VALUES(?,?)", -1, &st, NULL))
		return db_err(r);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 2, num);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(r);
}

const char *tdxtop_recorder_error(const struct tdxtop_recorder *r)
{
	return r->err;
}

static int prepare_insert(struct tdxtop_recorder *r, int which)
{
	char sql[512];
	int n, i;

	n = snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES(?", inserts[which].table);
	for (i = 1; i < inserts[which].cols; i++)
		n += snprintf(sql + n, sizeof(sql) - n, ",?");
	snprintf(sql + n, sizeof(sql) - n, ")");
	return sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				  &r->st[which], NULL) ? db_err(r) : 0;
}

/* A new database at r->path: the schema and the run's facts, committed */
static int create_db(struct tdxtop_recorder *r, const struct tdxtop_run_info *info,
		     bool exclusive)
{
	char stamp[96];
	int i, e;

	if (sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK)
		return db_err(r);
	/* WAL: a kill -9 loses at most the interval being written */
	snprintf(stamp, sizeof(stamp), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
		 APP_ID, TDXTOP_RECORD_SCHEMA);
	e = exec(r, exclusive ? "PRAGMA locking_mode = EXCLUSIVE" : "") ?:
	    exec(r, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; BEGIN;") ?:
	    exec(r, stamp) ?: exec(r, schema_sql);
	for (i = 0; !e && i < NR_ST; i++)
		e = prepare_insert(r, i);
	if (!e)
		e = meta(r, "schema_version", NULL, TDXTOP_RECORD_SCHEMA) ?:
		    meta(r, "tdxtop_version", info->version, 0) ?:
		    meta(r, "kernel_release", info->kernel, 0) ?:
		    meta(r, "hostname", info->host, 0) ?:
		    meta(r, "source", info->source, 0) ?:
		    meta(r, "options", info->options, 0) ?:
		    meta(r, "tsc_mult", NULL, info->tsc.mult) ?:
		    meta(r, "tsc_shift", NULL, info->tsc.shift) ?:
		    meta(r, "tsc_source", info->tsc.source, 0) ?:
		    meta(r, "hist_sub_bits", NULL, TDXTOP_HIST_SUB_BITS) ?:
		    meta(r, "hist_max_msb", NULL, TDXTOP_HIST_MAX_MSB) ?:
		    meta(r, "hist_buckets", NULL, TDXTOP_HIST_BUCKETS);
	if (!e && info->outliers)
		e = meta(r, "outliers", info->outliers, 0);
	return e ?: exec(r, "COMMIT");
}

static void close_db(struct tdxtop_recorder *r)
{
	int i;

	for (i = 0; i < NR_ST; i++) {
		sqlite3_finalize(r->st[i]);
		r->st[i] = NULL;
	}
	sqlite3_close(r->db);
	r->db = NULL;
}

int tdxtop_recorder_open(struct tdxtop_recorder **rp, const char *path,
			 const struct tdxtop_run_info *info, char *err, size_t errlen)
{
	struct tdxtop_recorder *r = calloc(1, sizeof(*r));
	char side[4096];
	int e;

	*rp = NULL;
	if (!r || !(r->path = strdup(path))) {
		free(r);
		set_err(err, errlen, path, "out of memory");
		return -ENOMEM;
	}
	e = create_db(r, info, false);
	/*
	 * WAL's index is shared memory, a mapping of FILE-shm, which network
	 * and 9p file systems may not provide (an I/O error): there the
	 * recorder keeps it in its own memory, with exclusive locking (others
	 * read the file once recording stops)
	 */
	if (e == -EIO && (sqlite3_extended_errcode(r->db) & 0xff) == SQLITE_IOERR) {
		close_db(r);
		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
		e = create_db(r, info, true);
	}
	if (e) {
		snprintf(err, errlen, "%s", r->err);
		tdxtop_recorder_close(r);
		return e;
	}
	*rp = r;
	return 0;
}

static int step(struct tdxtop_recorder *r, int which)
{
	sqlite3_stmt *st = r->st[which];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : db_err(r);
}

static void bind_u64s(sqlite3_stmt *st, int first, const __u64 *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sqlite3_bind_int64(st, first + i, (__s64)v[i]);
}

/* A row appended to the blob */
static int put_row(struct tdxtop_recorder *r, const struct tdxtop_row *row)
{
	__u64 f[ROW_FIELDS];
	int n;

	if (tdxtop_buf_room(&r->blob, ROW_FIELDS * 10))
		return -ENOMEM;
	row_fields(row, f);
	for (n = 0; n < ROW_FIELDS; n++)
		put_varint(r, f[n]);
	return 0;
}

/* All rows of the snapshot, a blob per VM process, each in map order */
static int write_rows(struct tdxtop_recorder *r, const struct tdxtop_snap *s, __s64 id)
{
	size_t *first, *next, *last, i, v, k = 0, cur = ~(size_t)0;
	__u32 cur_tgid = 0;
	int e = 0;

	/*
	 * rows chained per VM process in one pass (a block's rows share one);
	 * every row's process has an entry in s->vms (reader, merge)
	 */
	first = malloc((s->nr_vms + 1) * sizeof(*first));
	last = malloc((s->nr_vms + 1) * sizeof(*last));
	next = malloc((s->nr_rows + 1) * sizeof(*next));
	if (!first || !last || !next) {
		e = -ENOMEM;
		goto out;
	}
	for (v = 0; v <= s->nr_vms; v++)
		first[v] = last[v] = ~(size_t)0;
	for (i = 0; i < s->nr_rows; i++) {
		if (cur == ~(size_t)0 || s->rows[i].key.tgid != cur_tgid) {
			cur_tgid = s->rows[i].key.tgid;
			cur = tdxtop_snap_vm_index(s, cur_tgid);
		}
		next[i] = ~(size_t)0;
		if (first[cur] == ~(size_t)0)
			first[cur] = i;
		else
			next[last[cur]] = i;
		last[cur] = i;
	}
	for (v = 0; !e && v <= s->nr_vms; v++) {
		__s64 nr = 0;

		r->blob.len = 0;
		for (i = first[v]; i != ~(size_t)0; i = next[i]) {
			e = put_row(r, &s->rows[i]);
			if (e)
				goto out;
			nr++;
			k = i;
		}
		if (!nr)
			continue;
		sqlite3_bind_int64(r->st[ST_ROWS], 1, id);
		sqlite3_bind_int64(r->st[ST_ROWS], 2, s->rows[k].key.tgid);
		sqlite3_bind_int64(r->st[ST_ROWS], 3, nr);
		sqlite3_bind_blob(r->st[ST_ROWS], 4, r->blob.p, r->blob.len, SQLITE_STATIC);
		e = step(r, ST_ROWS);
	}
out:
	free(first);
	free(last);
	free(next);
	return e;
}

/* A bucket of a histogram's blob: its (metric * buckets + bucket) delta, count */
static void put_bucket(struct tdxtop_recorder *r, __u64 idx, __u64 count, __u64 *last)
{
	put_varint(r, idx - *last);
	put_varint(r, count);
	*last = idx;
}

/* A sparse histogram: (metric * buckets + bucket) deltas and counts */
static int write_hist(struct tdxtop_recorder *r, const struct tdxtop_snap *s,
		      const struct tdxtop_hrow *h, __s64 id)
{
	sqlite3_stmt *st = r->st[ST_HIST];
	__u64 last = 0;
	__u32 i;

	r->blob.len = 0;
	if (tdxtop_buf_room(&r->blob, (size_t)h->nr * 20))
		return -ENOMEM;
	for (i = 0; i < h->nr; i++) {
		const struct tdxtop_bucket_count *b = &s->buckets[h->first + i];

		put_bucket(r, (__u64)b->metric * TDXTOP_HIST_BUCKETS + b->bucket, b->count,
			   &last);
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, h->key.tgid);
	sqlite3_bind_int64(st, 3, h->key.kind);
	sqlite3_bind_int64(st, 4, h->key.reason);
	sqlite3_bind_int64(st, 5, h->key.status);
	sqlite3_bind_int64(st, 6, (__s64)h->key.leaf);
	sqlite3_bind_blob(st, 7, r->blob.p, r->blob.len, SQLITE_STATIC);
	return step(r, ST_HIST);
}

/* The interval's outliers, a row each */
static int write_outliers(struct tdxtop_recorder *r, const struct tdxtop_snap *s,
			  __s64 id)
{
	sqlite3_stmt *st = r->st[ST_OUTLIER];
	size_t i;
	int e = 0, m;

	for (i = 0; !e && i < s->nr_outliers; i++) {
		const struct tdxtop_outlier *o = &s->outliers[i].o;

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, o->tgid);
		if (o->vcpu != TDXTOP_VCPU_NONE)
			sqlite3_bind_int64(st, 3, o->vcpu);
		sqlite3_bind_int64(st, 4, (__s32)o->reason);
		sqlite3_bind_int64(st, 5, (__s64)o->status);
		sqlite3_bind_int64(st, 6, (__s64)o->leaf);
		sqlite3_bind_int64(st, 7, (__s64)o->exit_qual);
		sqlite3_bind_int64(st, 8, (__s64)o->tsc);
		sqlite3_bind_int64(st, 9, (__s64)s->outliers[i].real_ns);
		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			if (o->ns[m] != TDXTOP_NO_NS)
				sqlite3_bind_int64(st, 10 + m, (__s64)o->ns[m]);
		sqlite3_bind_int64(st, 13, o->over);
		e = step(r, ST_OUTLIER);
	}
	return e;
}

/* The per-reason view, as plain columns for SQL users */
static int write_reasons(struct tdxtop_recorder *r, const struct tdxtop_snap *s,
			 __s64 id)
{
	sqlite3_stmt *st = r->st[ST_REASON];
	const char *type;
	char label[64];
	size_t i;
	int e, m;

	e = tdxtop_view_build(&r->view, s, TDXTOP_BY_REASON, TDXTOP_SORT_COUNT);
	for (i = 0; !e && i < r->view.nr; i++) {
		const struct tdxtop_group *g = &r->view.g[i];

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, g->key.tgid);
		sqlite3_bind_text(st, 3, tdxtop_kind_name(g->key.kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, tdxtop_row_label(&g->key, label, sizeof(label)),
				  -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, (__s32)g->key.reason);
		sqlite3_bind_int64(st, 6, g->key.status);
		sqlite3_bind_int64(st, 7, (__s64)g->key.leaf);
		sqlite3_bind_int64(st, 8, g->st.count);
		for (m = 0; m < TDXTOP_NR_METRICS; m++) {
			sqlite3_bind_int64(st, 9 + 2 * m, g->st.n[m]);
			sqlite3_bind_int64(st, 10 + 2 * m, g->st.sum[m]);
		}
		/* td or vm; NULL where the source cannot tell (kvm) */
		type = tdxtop_row_type(g->key.kind, s->source);
		if (type)
			sqlite3_bind_text(st, 15, type, -1, SQLITE_STATIC);
		e = step(r, ST_REASON);
	}
	return e;
}

/* A group's dense histogram as a histogram blob */
static int put_group_hist(struct tdxtop_recorder *r, const struct tdxtop_hist *h)
{
	__u64 last = 0;
	int m, b;

	r->blob.len = 0;
	if (tdxtop_buf_room(&r->blob, (size_t)TDXTOP_NR_METRICS * TDXTOP_HIST_BUCKETS * 20))
		return -ENOMEM;
	for (m = 0; m < TDXTOP_NR_METRICS; m++)
		for (b = 0; b < TDXTOP_HIST_BUCKETS; b++)
			if (h->bucket[m][b])
				put_bucket(r, (__u64)m * TDXTOP_HIST_BUCKETS + b,
					   h->bucket[m][b], &last);
	return 0;
}

/*
 * All VMs together per (kind, reason, status, leaf), rows and histograms,
 * and the vCPUs with exits: what diff compares, read without every VM's
 * rows (docs/record.md)
 */
static int write_totals(struct tdxtop_recorder *r, const struct tdxtop_snap *s, __s64 id)
{
	struct tdxtop_view *v = &r->view;
	sqlite3_stmt *st;
	__u64 vcpus = 0;
	size_t i;
	int e;

	e = tdxtop_view_build(v, s, TDXTOP_BY_VCPU, TDXTOP_SORT_COUNT);
	for (i = 0; !e && i < v->nr; i++)
		vcpus += tdxtop_kind_is_exit(v->g[i].key.kind) && v->g[i].st.count;
	if (!e)
		e = tdxtop_view_build(v, s, TDXTOP_BY_HOST_REASON, TDXTOP_SORT_COUNT);
	r->blob.len = 0;
	for (i = 0; !e && i < v->nr; i++)
		e = put_row(r, &(struct tdxtop_row){ .key = v->g[i].key, .st = v->g[i].st });
	if (e)
		return e;
	st = r->st[ST_TOTAL_ROWS];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, vcpus);
	sqlite3_bind_int64(st, 3, v->nr);
	sqlite3_bind_blob(st, 4, r->blob.p, r->blob.len, SQLITE_STATIC);
	e = step(r, ST_TOTAL_ROWS);
	st = r->st[ST_TOTAL_HIST];
	for (i = 0; !e && i < v->nr; i++) {
		const struct tdxtop_group *g = &v->g[i];

		if (!g->h)
			continue;
		e = put_group_hist(r, g->h);
		if (e)
			break;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, g->key.kind);
		sqlite3_bind_int64(st, 3, g->key.reason);
		sqlite3_bind_int64(st, 4, g->key.status);
		sqlite3_bind_int64(st, 5, (__s64)g->key.leaf);
		sqlite3_bind_blob(st, 6, r->blob.p, r->blob.len, SQLITE_STATIC);
		e = step(r, ST_TOTAL_HIST);
	}
	return e;
}

/* The interval's row: bounds, events, losses, notes, self cost; its id in *id */
static int write_interval(struct tdxtop_recorder *r, const struct tdxtop_snap *s,
			  __u64 events, __s64 *id)
{
	sqlite3_stmt *st = r->st[ST_INTERVAL];
	__u64 v[16];
	size_t i;
	int e, n = 0;

	v[n++] = s->start_ns;
	v[n++] = s->end_ns;
	v[n++] = s->end_real_ns;
	v[n++] = events;
	for (i = 0; i < TDXTOP_NR_LOSSES; i++)
		v[n++] = s->losses[i];
	for (i = 0; i < TDXTOP_NR_NOTES; i++)
		v[n++] = s->notes[i];
	v[n++] = s->user_cpu_ns;
	v[n++] = s->timed;
	for (i = 0; i < TDXTOP_NR_OUTLIER_COUNTS; i++)
		v[n++] = s->outlier_counts[i];
	bind_u64s(st, 1, v, n);
	e = step(r, ST_INTERVAL);
	*id = sqlite3_last_insert_rowid(r->db);
	return e;
}

/* The interval's BPF programs and VM names */
static int write_progs_vms(struct tdxtop_recorder *r, const struct tdxtop_snap *s, __s64 id)
{
	sqlite3_stmt *st;
	size_t i;
	int e = 0;

	for (i = 0; !e && i < (size_t)s->nr_progs; i++) {
		st = r->st[ST_PROGRAM];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, s->progs[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, s->progs[i].run_cnt);
		sqlite3_bind_int64(st, 4, s->progs[i].run_time_ns);
		e = step(r, ST_PROGRAM);
	}
	for (i = 0; !e && i < s->nr_vms; i++) {
		st = r->st[ST_VM];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, s->vms[i].tgid);
		/* raw bytes: any name a process gave itself */
		sqlite3_bind_blob(st, 3, s->vms[i].name, strlen(s->vms[i].name),
				  SQLITE_STATIC);
		e = step(r, ST_VM);
	}
	return e;
}

int tdxtop_recorder_add(struct tdxtop_recorder *r, const struct tdxtop_snap *s)
{
	__u64 events = 0;
	size_t i;
	__s64 id;
	int e;

	for (i = 0; i < s->nr_rows; i++)
		events += s->rows[i].st.count;
	e = exec(r, "BEGIN");
	if (e)
		return e;
	e = write_interval(r, s, events, &id) ?: write_progs_vms(r, s, id);
	if (!e)
		e = write_rows(r, s, id);
	for (i = 0; !e && i < s->nr_hrows; i++)
		e = write_hist(r, s, &s->hrows[i], id);
	if (!e)
		e = write_reasons(r, s, id);
	if (!e)
		e = write_outliers(r, s, id);
	if (!e)
		e = write_totals(r, s, id);
	if (!e)
		e = exec(r, "COMMIT");
	if (e) {
		char keep[sizeof(r->err)];

		memcpy(keep, r->err, sizeof(keep));
		if (e == -ENOMEM)
			set_err(keep, sizeof(keep), r->path, "out of memory");
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		memcpy(r->err, keep, sizeof(keep));
		return e;
	}
	r->intervals++;
	r->events += events;
	return 0;
}

void tdxtop_recorder_stats(const struct tdxtop_recorder *r, __u64 *intervals,
			   __u64 *events)
{
	*intervals = r->intervals;
	*events = r->events;
}

int tdxtop_recorder_close(struct tdxtop_recorder *r)
{
	int i, e = 0;

	if (!r)
		return 0;
	for (i = 0; i < NR_ST; i++)
		sqlite3_finalize(r->st[i]);
	if (r->db) {
		/*
		 * one self-contained file: fold the WAL back in; when that
		 * fails (a full disk), the WAL stays beside it and still reads
		 */
		sqlite3_exec(r->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
		if (sqlite3_close(r->db) != SQLITE_OK)
			e = -EIO;
	}
	tdxtop_view_free(&r->view);
	free(r->blob.p);
	free(r->path);
	free(r);
	return e;
}

/* ---- reading ---- */

struct tdxtop_recording {
	sqlite3 *db;
	sqlite3_stmt *iv, *progs, *vms, *rows, *hists, *outliers;
	sqlite3_stmt *total_rows, *total_hists;	/* schema 4 */
	char *path;
	char tsc_source[32], source[16], outlier_spec[96];
	bool has_outliers;		/* schema 2 and capture was on */
	bool has_totals;		/* schema 4: all VMs per interval */
	struct tdxtop_tsc tsc;
	__u64 first_start_ns, first_real_ns;
	__s64 nr_intervals;
	char err[256];
};

static int rec_err(struct tdxtop_recording *r, int e, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s: %s", r->path, msg);
	return e;
}

const char *tdxtop_recording_error(const struct tdxtop_recording *r)
{
	return r->err;
}

static int one_int(sqlite3 *db, const char *sql, __s64 *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static bool has_column(sqlite3 *db, const char *table, const char *col)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int meta_text(struct tdxtop_recording *r, const char *key, char *out,
		     size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, len, "%s", sqlite3_column_text(st, 0) ?
			 (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Whether r is a tdxtop recording this tdxtop reads: its schema in *ver, or an error */
static int read_identity(struct tdxtop_recording *r, __s64 *ver)
{
	__s64 app = 0;

	/* SQLite's own word for a file it cannot read (truncated, damaged) */
	if (one_int(r->db, "PRAGMA application_id", &app))
		return rec_err(r, -EINVAL, "%s", sqlite3_errcode(r->db) == SQLITE_NOTADB ?
			       "not a tdxtop recording" : sqlite3_errmsg(r->db));
	if (app != APP_ID)
		return rec_err(r, -EINVAL, "not a tdxtop recording");
	if (one_int(r->db, "PRAGMA user_version", ver) || *ver < 1)
		return rec_err(r, -EINVAL, "not a tdxtop recording (no schema version)");
	/*
	 * The tdxtop that added schema 3 stamped user_version 2 on it: a
	 * schema 2 file with schema 3's column is schema 3
	 */
	if (*ver == 2 && has_column(r->db, "intervals", "unpaired"))
		*ver = 3;
	/*
	 * schema 1: no outliers; it reads as a recording without capture.
	 * schema 2: no unpaired note (no kvm source yet).
	 */
	if (*ver > TDXTOP_RECORD_SCHEMA)
		return rec_err(r, -EPROTO, "recorded with schema %lld by a newer tdxtop; "
			       "this one reads schema %d", (long long)*ver,
			       TDXTOP_RECORD_SCHEMA);
	return 0;
}

/* The run's facts: the TSC conversion, the source, the histogram layout, capture */
static int read_meta(struct tdxtop_recording *r, __s64 ver)
{
	__s64 mult, shift, sub, msb, nb;

	if (one_int(r->db, "SELECT value FROM meta WHERE key = 'tsc_mult'", &mult) ||
	    one_int(r->db, "SELECT value FROM meta WHERE key = 'tsc_shift'", &shift) ||
	    one_int(r->db, "SELECT value FROM meta WHERE key = 'hist_sub_bits'", &sub) ||
	    one_int(r->db, "SELECT value FROM meta WHERE key = 'hist_max_msb'", &msb) ||
	    one_int(r->db, "SELECT value FROM meta WHERE key = 'hist_buckets'", &nb) ||
	    meta_text(r, "tsc_source", r->tsc_source, sizeof(r->tsc_source)) ||
	    meta_text(r, "source", r->source, sizeof(r->source)))
		return rec_err(r, -EINVAL, "damaged recording: %s", sqlite3_errmsg(r->db));
	if (sub != TDXTOP_HIST_SUB_BITS || msb != TDXTOP_HIST_MAX_MSB ||
	    nb != TDXTOP_HIST_BUCKETS)
		return rec_err(r, -EPROTO, "histograms of another layout (%lld/%lld/%lld)",
			       (long long)sub, (long long)msb, (long long)nb);
	r->tsc.mult = mult;
	r->tsc.shift = shift;
	r->tsc.source = r->tsc_source;
	r->has_outliers = ver >= 2 &&
		!meta_text(r, "outliers", r->outlier_spec, sizeof(r->outlier_spec));
	return 0;
}

/* The queries of an interval, for schema ver: later columns read as 0 from earlier */
static int prepare_reads(struct tdxtop_recording *r, __s64 ver)
{
	char iv_sql[512];

	snprintf(iv_sql, sizeof(iv_sql),
		 "SELECT id, start_ns, end_ns, end_real_ns, stats_full, hist_full,"
		 " vcpu_full, missed, filtered, host_skew, %s, user_cpu_ns, bpf_timed, %s"
		 " FROM intervals WHERE id > ? AND end_ns > ? AND start_ns < ?"
		 " ORDER BY id LIMIT 1", ver >= 3 ? "unpaired" : "0",
		 ver >= 2 ? "outliers_sent, outliers_capped, outliers_lost" : "0, 0, 0");
	if (sqlite3_prepare_v2(r->db, iv_sql, -1, &r->iv, NULL) ||
	    (r->has_outliers &&
	     sqlite3_prepare_v2(r->db, "SELECT pid, vcpu, reason, status, leaf, exit_qual,"
				" tsc, real_ns, guest_ns, host_ns, restore_ns, over"
				" FROM outliers WHERE interval = ? ORDER BY rowid", -1,
				&r->outliers, NULL)) ||
	    sqlite3_prepare_v2(r->db, "SELECT name, run_cnt, run_time_ns FROM programs"
			       " WHERE interval = ?", -1, &r->progs, NULL) ||
	    sqlite3_prepare_v2(r->db, "SELECT pid, name FROM vms WHERE interval = ?",
			       -1, &r->vms, NULL) ||
	    sqlite3_prepare_v2(r->db, "SELECT pid, nr, data FROM rows WHERE interval = ?",
			       -1, &r->rows, NULL) ||
	    sqlite3_prepare_v2(r->db, "SELECT pid, kind, reason, status, leaf, data"
			       " FROM hists WHERE interval = ?", -1, &r->hists, NULL) ||
	    one_int(r->db, "SELECT count(*) FROM intervals", &r->nr_intervals))
		return rec_err(r, -EINVAL, "damaged recording: %s", sqlite3_errmsg(r->db));
	/* the totals read as rows and histograms of process 0; vcpus last */
	r->has_totals = ver >= 4;
	if (r->has_totals &&
	    (sqlite3_prepare_v2(r->db, "SELECT 0, nr, data, vcpus FROM total_rows"
				" WHERE interval = ?", -1, &r->total_rows, NULL) ||
	     sqlite3_prepare_v2(r->db, "SELECT 0, kind, reason, status, leaf, data"
				" FROM total_hists WHERE interval = ?", -1, &r->total_hists,
				NULL)))
		return rec_err(r, -EINVAL, "damaged recording: %s", sqlite3_errmsg(r->db));
	/* where --from and --to count from; nothing when there is no interval */
	one_int(r->db, "SELECT start_ns FROM intervals ORDER BY id LIMIT 1",
		(__s64 *)&r->first_start_ns);
	one_int(r->db, "SELECT end_real_ns - (end_ns - start_ns) FROM intervals"
		" ORDER BY id LIMIT 1", (__s64 *)&r->first_real_ns);
	return 0;
}

int tdxtop_recording_open(struct tdxtop_recording **rp, const char *path,
			  char *err, size_t errlen)
{
	struct tdxtop_recording *r = calloc(1, sizeof(*r));
	__s64 ver = -1;
	int e;

	*rp = NULL;
	if (!r || !(r->path = strdup(path))) {
		free(r);
		set_err(err, errlen, path, "out of memory");
		return -ENOMEM;
	}
	/* one thread per recording: SQLite's mutexes are not needed */
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		e = rec_err(r, -ENOENT, "%s", sqlite3_errmsg(r->db));
	else
		e = read_identity(r, &ver) ?: read_meta(r, ver) ?: prepare_reads(r, ver);
	if (e) {
		snprintf(err, errlen, "%s", r->err);
		tdxtop_recording_close(r);
		return e;
	}
	*rp = r;
	return 0;
}

const struct tdxtop_tsc *tdxtop_recording_tsc(const struct tdxtop_recording *r)
{
	return &r->tsc;
}

__u64 tdxtop_recording_intervals(const struct tdxtop_recording *r)
{
	return r->nr_intervals;
}

void tdxtop_recording_times(const struct tdxtop_recording *r, __u64 *first_start_ns,
			    __u64 *first_real_ns)
{
	*first_start_ns = r->first_start_ns;
	*first_real_ns = r->first_real_ns;
}

/* What a NULL or empty blob reads as */
static const unsigned char no_bytes[1];

/*
 * The rows of an interval from st: (pid, nr, data) of the rows table, or of
 * the totals (process 0), whose fourth column, the vCPUs, goes to *vcpus
 */
static int read_rows(struct tdxtop_recording *r, sqlite3_stmt *st, struct tdxtop_snap *s,
		     __s64 id, __u32 *vcpus)
{
	int rc;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		__u32 tgid = sqlite3_column_int64(st, 0);
		__s64 nr = sqlite3_column_int64(st, 1);
		/* NULL or an empty blob: no bytes (and no arithmetic on NULL) */
		const unsigned char *p = sqlite3_column_blob(st, 2) ?: no_bytes;
		const unsigned char *end = p + sqlite3_column_bytes(st, 2);
		__s64 k;

		/* a row is ROW_FIELDS varints of a byte or more: nr is no larger */
		if (nr < 0 || nr > (end - p) / ROW_FIELDS || tdxtop_snap_reserve_rows(s, nr))
			goto bad;
		for (k = 0; k < nr; k++) {
			__u64 f[ROW_FIELDS];
			int n;

			for (n = 0; n < ROW_FIELDS; n++)
				if (get_varint(&p, end, &f[n]))
					goto bad;
			if (f[1] >= TDXTOP_NR_KINDS || f[2] > 0xffffffffULL ||
			    f[3] > 0xffffffffULL || f[0] > 0xffffffffULL)
				goto bad;
			row_from_fields(&s->rows[s->nr_rows++], tgid, f);
		}
		if (p != end)
			goto bad;
		if (vcpus)
			*vcpus = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : rec_err(r, -EIO, "%s", sqlite3_errmsg(r->db));
bad:
	sqlite3_reset(st);
	return rec_err(r, -EINVAL, "damaged rows in interval %lld", (long long)id);
}

/* The interval's histograms, straight from their (delta, count) varints */
static int read_hists(struct tdxtop_recording *r, sqlite3_stmt *st, struct tdxtop_snap *s,
		      __s64 id)
{
	int rc, e = 0;

	sqlite3_bind_int64(st, 1, id);
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(st, 5) ?: no_bytes;
		const unsigned char *end = p + sqlite3_column_bytes(st, 5);
		struct tdxtop_hkey k = {
			.tgid = sqlite3_column_int64(st, 0),
			.kind = sqlite3_column_int64(st, 1),
			.reason = sqlite3_column_int64(st, 2),
			.status = sqlite3_column_int64(st, 3),
			.leaf = sqlite3_column_int64(st, 4),
		};
		size_t first = s->nr_buckets, nread;
		__u64 idx = 0, d, c;

		for (nread = 0; !e && p < end; nread++) {
			/* ascending: a delta of 0 is only the first bucket's */
			if (get_varint(&p, end, &d) || get_varint(&p, end, &c) ||
			    (!d && nread) ||
			    d > TDXTOP_NR_METRICS * TDXTOP_HIST_BUCKETS ||
			    (idx += d) >= TDXTOP_NR_METRICS * TDXTOP_HIST_BUCKETS ||
			    c > 0xffffffffULL) {
				e = rec_err(r, -EINVAL, "damaged histogram in interval %lld",
					    (long long)id);
				break;
			}
			if (c)
				e = tdxtop_snap_add_bucket(s, idx / TDXTOP_HIST_BUCKETS,
							   idx % TDXTOP_HIST_BUCKETS, c);
		}
		if (!e)
			e = tdxtop_snap_end_hist(s, &k, first);
	}
	if (!e && rc != SQLITE_DONE)
		e = rec_err(r, -EIO, "%s", sqlite3_errmsg(r->db));
	sqlite3_reset(st);
	return e;
}

static int read_outliers(struct tdxtop_recording *r, struct tdxtop_snap *s, __s64 id)
{
	sqlite3_stmt *st = r->outliers;
	int rc, e = 0, m;

	s->outlier_spec = r->outlier_spec;
	sqlite3_bind_int64(st, 1, id);
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tdxtop_outlier o = {
			.tgid = sqlite3_column_int64(st, 0),
			.vcpu = sqlite3_column_type(st, 1) == SQLITE_NULL ? TDXTOP_VCPU_NONE :
				sqlite3_column_int64(st, 1),
			.reason = sqlite3_column_int64(st, 2),
			.status = sqlite3_column_int64(st, 3),
			.leaf = sqlite3_column_int64(st, 4),
			.exit_qual = sqlite3_column_int64(st, 5),
			.tsc = sqlite3_column_int64(st, 6),
			.over = sqlite3_column_int64(st, 11),
		};

		for (m = 0; m < TDXTOP_NR_METRICS; m++)
			o.ns[m] = sqlite3_column_type(st, 8 + m) == SQLITE_NULL ? TDXTOP_NO_NS :
				  (__u64)sqlite3_column_int64(st, 8 + m);
		if (o.over >> TDXTOP_NR_METRICS) {
			sqlite3_reset(st);
			return rec_err(r, -EINVAL, "damaged outlier in interval %lld",
				       (long long)id);
		}
		e = tdxtop_snap_add_outlier(s, &o, sqlite3_column_int64(st, 7));
	}
	sqlite3_reset(st);
	if (e)
		return rec_err(r, e, "out of memory");
	return rc == SQLITE_DONE ? 0 : rec_err(r, -EIO, "%s", sqlite3_errmsg(r->db));
}

/* The next interval's own row into s, its id in *id: 1, 0 at the end, or an error */
static int read_interval(struct tdxtop_recording *r, __s64 *after, __u64 from_ns,
			 __u64 to_ns, struct tdxtop_snap *s, __s64 *id)
{
	int rc, i;

	tdxtop_snap_reset(s);
	sqlite3_bind_int64(r->iv, 1, *after);
	sqlite3_bind_int64(r->iv, 2, (__s64)from_ns);
	sqlite3_bind_int64(r->iv, 3, to_ns > (__u64)INT64_MAX ? INT64_MAX : (__s64)to_ns);
	rc = sqlite3_step(r->iv);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(r->iv);
		return rc == SQLITE_DONE ? 0 : rec_err(r, -EIO, "%s", sqlite3_errmsg(r->db));
	}
	*id = sqlite3_column_int64(r->iv, 0);
	s->start_ns = sqlite3_column_int64(r->iv, 1);
	s->end_ns = sqlite3_column_int64(r->iv, 2);
	s->end_real_ns = sqlite3_column_int64(r->iv, 3);
	for (i = 0; i < TDXTOP_NR_LOSSES; i++)
		s->losses[i] = sqlite3_column_int64(r->iv, 4 + i);
	for (i = 0; i < TDXTOP_NR_NOTES; i++)
		s->notes[i] = sqlite3_column_int64(r->iv, 4 + TDXTOP_NR_LOSSES + i);
	s->user_cpu_ns = sqlite3_column_int64(r->iv, 4 + TDXTOP_NR_LOSSES + TDXTOP_NR_NOTES);
	s->timed = sqlite3_column_int64(r->iv, 5 + TDXTOP_NR_LOSSES + TDXTOP_NR_NOTES);
	for (i = 0; i < TDXTOP_NR_OUTLIER_COUNTS; i++)
		s->outlier_counts[i] = sqlite3_column_int64(r->iv, 6 + TDXTOP_NR_LOSSES +
							    TDXTOP_NR_NOTES + i);
	sqlite3_reset(r->iv);
	*after = *id;
	s->source = r->source;
	s->tsc = r->tsc;
	return 1;
}

int tdxtop_recording_next(struct tdxtop_recording *r, __s64 *after, __u64 from_ns,
			  __u64 to_ns, struct tdxtop_snap *s)
{
	__s64 id;
	int rc, e;

	e = read_interval(r, after, from_ns, to_ns, s, &id);
	if (e <= 0)
		return e;
	e = 0;
	sqlite3_bind_int64(r->progs, 1, id);
	while ((rc = sqlite3_step(r->progs)) == SQLITE_ROW && s->nr_progs < TDXTOP_MAX_PROGS) {
		struct tdxtop_prog_cost *p = &s->progs[s->nr_progs++];
		const unsigned char *name = sqlite3_column_text(r->progs, 0);

		snprintf(p->name, sizeof(p->name), "%s", name ? (const char *)name : "?");
		p->run_cnt = sqlite3_column_int64(r->progs, 1);
		p->run_time_ns = sqlite3_column_int64(r->progs, 2);
	}
	sqlite3_reset(r->progs);
	sqlite3_bind_int64(r->vms, 1, id);
	while (!e && (rc = sqlite3_step(r->vms)) == SQLITE_ROW) {
		char name[TDXTOP_VM_NAME_LEN];
		int n = sqlite3_column_bytes(r->vms, 1);

		if (n >= (int)sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, sqlite3_column_blob(r->vms, 1) ?: "", n);
		name[n] = '\0';
		e = tdxtop_snap_add_vm(s, sqlite3_column_int64(r->vms, 0), name);
	}
	sqlite3_reset(r->vms);
	if (e)
		return rec_err(r, e, "out of memory");
	e = read_rows(r, r->rows, s, id, NULL);
	if (!e)
		e = read_hists(r, r->hists, s, id);
	if (!e && r->has_outliers)
		e = read_outliers(r, s, id);
	return e ? e : 1;
}

bool tdxtop_recording_has_totals(const struct tdxtop_recording *r)
{
	return r->has_totals;
}

int tdxtop_recording_next_totals(struct tdxtop_recording *r, __s64 *after,
				 struct tdxtop_snap *s, __u32 *vcpus)
{
	__s64 id;
	int e;

	*vcpus = 0;
	if (!r->has_totals)
		return rec_err(r, -ENOENT, "no totals: recorded with schema 3 or before");
	e = read_interval(r, after, 0, ~0ULL, s, &id);
	if (e <= 0)
		return e;
	e = read_rows(r, r->total_rows, s, id, vcpus) ?:
	    read_hists(r, r->total_hists, s, id);
	return e ? e : 1;
}

void tdxtop_recording_close(struct tdxtop_recording *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->iv);
	sqlite3_finalize(r->progs);
	sqlite3_finalize(r->vms);
	sqlite3_finalize(r->rows);
	sqlite3_finalize(r->hists);
	sqlite3_finalize(r->outliers);
	sqlite3_finalize(r->total_rows);
	sqlite3_finalize(r->total_hists);
	sqlite3_close(r->db);
	free(r->path);
	free(r);
}
