// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model/selfcost.c through its API: the cost of tdxtop's programs and of
 * tdxtop itself in an interval, per program and in total, and unknown
 * (not 0) when the kernel accounted runs but no run time
 */
#include "model/model.h"
#include "../tap.h"

int main(void)
{
	struct tdxtop_snap s = {
		.start_ns = 0, .end_ns = 2000000000, .timed = true, .nr_progs = 2,
		.progs = { { "a", 1000, 50000 }, { "b", 3000, 30000 } },
		.user_cpu_ns = 10000000,
	};
	struct tdxtop_selfcost c;

	tap_plan(6);
	tdxtop_selfcost(&s, -1, &c);
	ok(c.events_per_s == 2000 && c.ns_per_event == 20 && c.bpf_timed &&
	   c.bpf_cpu_pct == 0.004 && c.user_cpu_pct == 0.5,
	   "all programs: 4000 runs, 80 us over 2 s: 2000/s, 20 ns, 0.004%%, user 0.5%%");
	tdxtop_selfcost(&s, 0, &c);
	ok(c.events_per_s == 500 && c.ns_per_event == 50, "program a alone: 500/s, 50 ns");
	tdxtop_selfcost(&s, 1, &c);
	ok(c.events_per_s == 1500 && c.ns_per_event == 10 && c.bpf_cpu_pct == 0.0015,
	   "program b alone: 1500/s, 10 ns, 0.0015%%");
	s.end_ns = 0;
	tdxtop_selfcost(&s, -1, &c);
	ok(c.events_per_s == 0 && c.user_cpu_pct == 0, "an interval of no length: 0, not a division by 0");
	s.end_ns = 2000000000;
	s.progs[1].run_time_ns = 0;
	s.progs[0].run_time_ns = 0;
	tdxtop_selfcost(&s, -1, &c);
	ok(!c.bpf_timed, "runs without run time: unknown, not 0");
	s.progs[0].run_cnt = s.progs[1].run_cnt = 0;
	tdxtop_selfcost(&s, -1, &c);
	ok(c.events_per_s == 0 && c.ns_per_event == 0 && c.bpf_cpu_pct == 0,
	   "no runs: 0 events, 0 ns, not NaN");
	return tap_done();
}
