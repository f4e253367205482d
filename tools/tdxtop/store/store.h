/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Recordings: snapshots into an SQLite file, one transaction per interval,
 * and back (schema in docs/record.md).
 */
#ifndef __TDXTOP_STORE_H
#define __TDXTOP_STORE_H

#include "model/model.h"

/* ---- recordings (record.c, schema in docs/record.md) ---- */

#define TDXTOP_RECORD_SCHEMA	3

/* What a recording says about the run, beside its intervals */
struct tdxtop_run_info {
	const char *version, *kernel, *host, *source, *options;
	const char *outliers;		/* the capture's spec; NULL: off */
	struct tdxtop_tsc tsc;
};

struct tdxtop_recorder;
/*
 * Creates the database at path (which must not hold one: the caller moves
 * an old file away).  Errors: negative errno, and a line naming the file in
 * err.
 */
int tdxtop_recorder_open(struct tdxtop_recorder **r, const char *path,
			 const struct tdxtop_run_info *info, char *err, size_t errlen);
/* One interval, one transaction; on error nothing of it is kept */
int tdxtop_recorder_add(struct tdxtop_recorder *r, const struct tdxtop_snap *s);
/* The last error, a line naming the file */
const char *tdxtop_recorder_error(const struct tdxtop_recorder *r);
void tdxtop_recorder_stats(const struct tdxtop_recorder *r, __u64 *intervals,
			   __u64 *events);
int tdxtop_recorder_close(struct tdxtop_recorder *r);

struct tdxtop_recording;
/*
 * Opens a recording read-only: -EINVAL when the file is not a tdxtop
 * recording (or is damaged), -EPROTO when it is of a newer schema or
 * another histogram layout, other negative errno otherwise; err names the
 * file.
 */
int tdxtop_recording_open(struct tdxtop_recording **r, const char *path,
			  char *err, size_t errlen);
/*
 * The next interval after id *after (0: the first) that overlaps
 * [from_ns, to_ns) of the recording's monotonic clock, into s: 1, or 0
 * at the end, or negative errno (see tdxtop_recording_error()).
 */
int tdxtop_recording_next(struct tdxtop_recording *r, __s64 *after, __u64 from_ns,
			  __u64 to_ns, struct tdxtop_snap *s);
__u64 tdxtop_recording_intervals(const struct tdxtop_recording *r);
/* The cycles-to-ns conversion the recording's times were made with */
const struct tdxtop_tsc *tdxtop_recording_tsc(const struct tdxtop_recording *r);
/* Monotonic and wall-clock start of the first interval */
void tdxtop_recording_times(const struct tdxtop_recording *r, __u64 *first_start_ns,
			    __u64 *first_real_ns);
const char *tdxtop_recording_error(const struct tdxtop_recording *r);
void tdxtop_recording_close(struct tdxtop_recording *r);

#endif /* __TDXTOP_STORE_H */
