// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop's own cost, bpftop-style: with BPF_STATS_RUN_TIME held on, the
 * kernel accounts run time and run count per program; deltas per interval
 * give events/s, ns per event and CPU %.  User-space CPU % from getrusage.
 * Runs without any run time mean the kernel's clock for it did not advance
 * (sched_clock() at jiffy resolution): shown as unknown, not as 0.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include "tdxtop.h"

int tdxtop_selfcost_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

static __u64 user_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

void tdxtop_selfcost_update(struct tdxtop_selfcost *c,
			    const struct tdxtop_prog_set *p, double interval_s)
{
	__u64 cnt = 0, ns = 0, dcnt, dns, ucpu;
	int i;

	for (i = 0; i < p->nr; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(p->fds[i], &info, &len))
			continue;
		cnt += info.run_cnt;
		ns += info.run_time_ns;
	}
	dcnt = cnt - c->run_cnt;
	dns = ns - c->run_time_ns;
	c->run_cnt = cnt;
	c->run_time_ns = ns;
	ucpu = user_cpu_ns();
	if (interval_s > 0) {
		c->events_per_s = dcnt / interval_s;
		c->ns_per_event = dcnt ? (double)dns / dcnt : 0;
		c->bpf_timed = !dcnt || dns;
		c->bpf_cpu_pct = dns / (interval_s * 1e7);
		c->user_cpu_pct = c->user_cpu_ns ?
				  (ucpu - c->user_cpu_ns) / (interval_s * 1e7) : 0;
	}
	c->user_cpu_ns = ucpu;
}
