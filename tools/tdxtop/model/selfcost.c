// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop's own cost, bpftop-style: with BPF_STATS_RUN_TIME held on, the
 * kernel accounts run time and run count per program; the reader takes
 * each program's deltas once per interval into the snapshot, and this
 * turns them into events/s, ns per event and CPU %.  User-space CPU % from
 * the snapshot's user_cpu_ns (getrusage).  Runs without any run time mean
 * the kernel's clock for it did not advance (sched_clock() at jiffy
 * resolution): shown as unknown, not as 0.
 */
#include <errno.h>
#include <string.h>
#include "model/model.h"


void tdxtop_selfcost(const struct tdxtop_snap *s, int prog,
		     struct tdxtop_selfcost *c)
{
	double secs = tdxtop_snap_seconds(s);
	__u64 cnt = 0, ns = 0;
	int i;

	for (i = 0; i < s->nr_progs; i++) {
		if (prog >= 0 && i != prog)
			continue;
		cnt += s->progs[i].run_cnt;
		ns += s->progs[i].run_time_ns;
	}
	memset(c, 0, sizeof(*c));
	c->bpf_timed = !cnt || ns;
	if (secs <= 0)
		return;
	c->events_per_s = cnt / secs;
	c->ns_per_event = cnt ? (double)ns / cnt : 0;
	c->bpf_cpu_pct = ns / (secs * 1e7);
	c->user_cpu_pct = s->user_cpu_ns / (secs * 1e7);
}
