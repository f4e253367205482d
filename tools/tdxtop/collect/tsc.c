// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * How TSC cycles become ns.  The kernel's own conversion is published in
 * perf's user page (time_mult, time_shift) when cap_user_time is set; that is
 * used first.  Otherwise the TSC is calibrated against CLOCK_MONOTONIC_RAW,
 * or given with --tsc-khz.  The result is a mult/shift pair applied in BPF
 * by tdxtop_cyc2ns() (bpf/tdx_enter.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <x86intrin.h>
#include "collect/collect.h"

#define CAL_SHIFT	24

int tdxtop_tsc_from_khz(struct tdxtop_tsc *t, __u64 khz)
{
	if (!khz || khz > 100000000ULL)	/* 100 GHz */
		return -EINVAL;
	t->shift = CAL_SHIFT;
	t->mult = (__u32)((1000000ULL << CAL_SHIFT) / khz);
	if (!t->mult)
		return -EINVAL;
	t->source = "--tsc-khz";
	return 0;
}

static int from_perf(struct tdxtop_tsc *t)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
		.size = sizeof(attr),
		.exclude_kernel = 1,
	};
	struct perf_event_mmap_page *pg;
	long psz = sysconf(_SC_PAGESIZE);
	int fd, err = -ENOTSUP;

	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	pg = mmap(NULL, psz, PROT_READ, MAP_SHARED, fd, 0);
	if (pg == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	if (pg->cap_user_time && pg->time_mult) {
		t->mult = pg->time_mult;
		t->shift = pg->time_shift;
		t->source = "perf";
		err = 0;
	}
	munmap(pg, psz);
out:
	close(fd);
	return err;
}

static __u64 mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int calibrate(struct tdxtop_tsc *t)
{
	struct timespec d = { 0, 50 * 1000 * 1000 };
	__u64 n0, n1, c0, c1;

	n0 = mono_raw_ns();
	c0 = __rdtsc();
	nanosleep(&d, NULL);
	n1 = mono_raw_ns();
	c1 = __rdtsc();
	if (c1 <= c0 || n1 <= n0)
		return -EIO;
	t->shift = CAL_SHIFT;
	t->mult = (__u32)(((n1 - n0) << CAL_SHIFT) / (c1 - c0));
	t->source = "calibrated";
	return t->mult ? 0 : -EIO;
}

int tdxtop_tsc_probe(struct tdxtop_tsc *t)
{
	if (!from_perf(t))
		return 0;
	return calibrate(t);
}
