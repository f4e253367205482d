/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Recordings: snapshots into an SQLite file, one transaction per interval,
 * and back (schema in docs/record.md).
 */
#ifndef __TDXTOP_STORE_H
#define __TDXTOP_STORE_H

#include "model/model.h"

/* ---- recordings (record.c, schema in docs/record.md) ---- */

#define TDXTOP_RECORD_SCHEMA	4

/* What a recording says about the run, beside its intervals */
struct tdxtop_run_info {
	const char *version, *kernel, *host, *source, *options;
	const char *outliers;		/* the capture's spec; NULL: off */
	struct tdxtop_tsc tsc;
};

struct tdxtop_recorder;
/**
 * tdxtop_recorder_open() - create a recording
 * @r: the recorder, set on success
 * @path: the file, which must not hold a database (the caller moves an old one away)
 * @info: what the recording says about the run
 * @err: a line naming the file, on error
 * @errlen: its size
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_recorder_open(struct tdxtop_recorder **r, const char *path,
			 const struct tdxtop_run_info *info, char *err, size_t errlen);
/**
 * tdxtop_recorder_add() - record one interval
 * @r: the recorder
 * @s: the interval
 *
 * One transaction: on error nothing of the interval is kept.
 *
 * Return: 0 or a negative errno (tdxtop_recorder_error() says why).
 */
int tdxtop_recorder_add(struct tdxtop_recorder *r, const struct tdxtop_snap *s);
/**
 * tdxtop_recorder_error() - the last error
 * @r: the recorder
 *
 * Return: a line naming the file.
 */
const char *tdxtop_recorder_error(const struct tdxtop_recorder *r);
/**
 * tdxtop_recorder_stats() - what has been recorded
 * @r: the recorder
 * @intervals: intervals written
 * @events: events in them
 */
void tdxtop_recorder_stats(const struct tdxtop_recorder *r, __u64 *intervals,
			   __u64 *events);
/**
 * tdxtop_recorder_close() - finish and close the recording, and free the recorder
 * @r: the recorder
 *
 * Return: 0, or -EIO when SQLite could not close the file.
 */
int tdxtop_recorder_close(struct tdxtop_recorder *r);

struct tdxtop_recording;
/**
 * tdxtop_recording_open() - open a recording read-only
 * @r: the recording, set on success
 * @path: the file
 * @err: a line naming the file, on error
 * @errlen: its size
 *
 * Return: 0; -EINVAL when the file is not a tdxtop recording or is damaged; -EPROTO when
 *   it is of a newer schema or another histogram layout; another negative errno
 *   otherwise.
 */
int tdxtop_recording_open(struct tdxtop_recording **r, const char *path,
			  char *err, size_t errlen);
/**
 * tdxtop_recording_next() - the next interval in a span
 * @r: the recording
 * @after: the id of the last interval read (0: before the first); moved on
 * @from_ns: start of the span, on the recording's monotonic clock
 * @to_ns: its end (exclusive)
 * @s: the interval, replacing what it held
 *
 * Return: 1 with an interval, 0 at the end, or a negative errno
 *   (tdxtop_recording_error() says why).
 */
int tdxtop_recording_next(struct tdxtop_recording *r, __s64 *after, __u64 from_ns,
			  __u64 to_ns, struct tdxtop_snap *s);
/**
 * tdxtop_recording_has_totals() - whether the recording keeps all VMs' totals
 * @r: the recording
 *
 * Return: true from schema 4: each interval's rows and histograms of all VMs
 *   together, by kind, reason, status and leaf.
 */
bool tdxtop_recording_has_totals(const struct tdxtop_recording *r);
/**
 * tdxtop_recording_next_totals() - the next interval, all VMs together
 * @r: the recording
 * @after: the id of the last interval read (0: before the first); moved on
 * @s: the interval: its own figures, and rows and histograms of process 0
 *   per kind, reason, status and leaf (no VM names, programs or outliers)
 * @vcpus: the vCPUs that had exits in it
 *
 * What diff compares without reading every VM's rows: the same sums as
 * grouping tdxtop_recording_next()'s interval with TDXTOP_BY_HOST_REASON.
 *
 * Return: 1 with an interval, 0 at the end, -ENOENT without totals (schema 3
 * and before), or another negative errno (tdxtop_recording_error() says why).
 */
int tdxtop_recording_next_totals(struct tdxtop_recording *r, __s64 *after,
				 struct tdxtop_snap *s, __u32 *vcpus);
/**
 * tdxtop_recording_intervals() - the number of intervals
 * @r: the recording
 *
 * Return: the intervals the recording holds.
 */
__u64 tdxtop_recording_intervals(const struct tdxtop_recording *r);
/**
 * tdxtop_recording_tsc() - the cycles-to-ns conversion the times were made with
 * @r: the recording
 *
 * Return: the conversion.
 */
const struct tdxtop_tsc *tdxtop_recording_tsc(const struct tdxtop_recording *r);
/**
 * tdxtop_recording_times() - the start of the first interval
 * @r: the recording
 * @first_start_ns: its monotonic time
 * @first_real_ns: its wall-clock time
 */
void tdxtop_recording_times(const struct tdxtop_recording *r, __u64 *first_start_ns,
			    __u64 *first_real_ns);
/**
 * tdxtop_recording_error() - the last error
 * @r: the recording
 *
 * Return: a line naming the file.
 */
const char *tdxtop_recording_error(const struct tdxtop_recording *r);
/**
 * tdxtop_recording_close() - close the recording and free it
 * @r: the recording
 */
void tdxtop_recording_close(struct tdxtop_recording *r);

#endif /* __TDXTOP_STORE_H */
