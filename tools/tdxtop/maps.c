// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Sizes and handles of the maps of bpf/tdx_enter.bpf.c, in one place */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"
#include "tdx_enter.skel.h"

#define DEF_VCPUS	1024
#define DEF_STATS	16384
#define DEF_HISTS	1024
/* a block of rows per slot is 11 KiB: 48 Ki vCPUs take 720 MiB */
#define MAX_VCPUS	(3u << 14)

int tdxtop_maps_size(struct tdx_enter_bpf *skel, __u32 vcpus, __u32 stats,
		     __u32 hists, __u32 copies)
{
	__u32 slots = 1;

	if (!vcpus)
		vcpus = DEF_VCPUS;
	if (!stats)
		stats = DEF_STATS;
	if (!hists)
		hists = DEF_HISTS;
	if (!copies)
		copies = hists;
	if (vcpus > MAX_VCPUS)
		return -E2BIG;
	/*
	 * Slots are found by masking a hash and probing: a power of two, and
	 * at most 3/4 full so that every vCPU finds one within its probes.
	 */
	while (slots < vcpus + vcpus / 3)
		slots <<= 1;
	skel->rodata->slot_mask = slots - 1;
	skel->rodata->hist_max = hists;
	skel->rodata->copy_max = copies;
	if (bpf_map__set_max_entries(skel->maps.slots, slots) ||
	    bpf_map__set_max_entries(skel->maps.rows, slots) ||
	    bpf_map__set_max_entries(skel->maps.stats, stats) ||
	    bpf_map__set_max_entries(skel->maps.hists, hists) ||
	    bpf_map__set_max_entries(skel->maps.hist_ids, hists) ||
	    bpf_map__set_max_entries(skel->maps.hist_copy, hists) ||
	    bpf_map__set_max_entries(skel->maps.hist_copies, copies))
		return -EINVAL;
	return 0;
}

void tdxtop_maps_get(struct tdxtop_maps *m, struct tdx_enter_bpf *skel)
{
	struct bpf_program *p;

	memset(m, 0, sizeof(*m));
	m->slots_fd = bpf_map__fd(skel->maps.slots);
	m->rows_fd = bpf_map__fd(skel->maps.rows);
	m->stats_fd = bpf_map__fd(skel->maps.stats);
	m->hists_fd = bpf_map__fd(skel->maps.hists);
	m->hist_ids_fd = bpf_map__fd(skel->maps.hist_ids);
	m->hist_copy_fd = bpf_map__fd(skel->maps.hist_copy);
	m->hist_copies_fd = bpf_map__fd(skel->maps.hist_copies);
	m->drops_fd = bpf_map__fd(skel->maps.drops);
	m->nr_slots = bpf_map__max_entries(skel->maps.slots);
	m->nr_hists = bpf_map__max_entries(skel->maps.hists);
	bpf_object__for_each_program(p, skel->obj)
		if (m->nr_progs < (int)(sizeof(m->prog_fds) / sizeof(m->prog_fds[0])))
			m->prog_fds[m->nr_progs++] = bpf_program__fd(p);
}
