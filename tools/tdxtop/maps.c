// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Sizes and handles of the maps of bpf/tdx_enter.bpf.c, in one place */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tdxtop.h"
#include "tdx_enter.skel.h"

/* a block of rows per slot is 11 KiB: 48 Ki vCPUs take 720 MiB */
#define MAX_VCPUS	(3u << 14)

int tdxtop_maps_size(struct tdx_enter_bpf *skel, __u32 vcpus, __u32 shared_rows,
		     __u32 hists, __u32 copies)
{
	__u32 slots;

	if (!vcpus)
		vcpus = TDXTOP_DEF_VCPUS;
	if (!shared_rows)
		shared_rows = TDXTOP_DEF_SHARED_ROWS;
	if (!hists)
		hists = TDXTOP_DEF_HISTS;
	if (!copies)
		copies = hists;
	if (vcpus > MAX_VCPUS)
		return -E2BIG;
	/*
	 * Slots are found by masking a hash and probing: a power of two, and
	 * at most 3/4 full so that every vCPU finds one within its probes.
	 */
	slots = tdxtop_nr_slots(vcpus);
	skel->rodata->slot_mask = slots - 1;
	skel->rodata->hist_max = hists;
	skel->rodata->copy_max = copies;
	if (bpf_map__set_max_entries(skel->maps.vcpu_slots, slots) ||
	    bpf_map__set_max_entries(skel->maps.vcpu_rows, slots) ||
	    bpf_map__set_max_entries(skel->maps.shared_rows, shared_rows) ||
	    bpf_map__set_max_entries(skel->maps.hists, hists) ||
	    bpf_map__set_max_entries(skel->maps.hist_ids, hists) ||
	    bpf_map__set_max_entries(skel->maps.cpu_hist_idx, hists) ||
	    bpf_map__set_max_entries(skel->maps.cpu_hists, copies) ||
	    bpf_map__set_max_entries(skel->maps.outlier_thresh, hists) ||
	    bpf_map__set_max_entries(skel->maps.kvm_entry_ns, slots))
		return -EINVAL;
	return 0;
}

int tdxtop_source_setup(struct tdx_enter_bpf *skel, const char *source)
{
	bool kvm = !strcmp(source, "kvm");
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) {
		bool is_kvm = !strncmp(bpf_program__name(p), "kvm_", 4);

		/* tdx: tdxtop_outlier_setup() has chosen among its programs */
		if ((kvm || is_kvm) && bpf_program__set_autoload(p, kvm == is_kvm))
			return -EINVAL;
	}
	return 0;
}

void tdxtop_maps_get(struct tdxtop_maps *m, struct tdx_enter_bpf *skel)
{
	struct bpf_program *p;

	memset(m, 0, sizeof(*m));
	m->vcpu_slots_fd = bpf_map__fd(skel->maps.vcpu_slots);
	m->vcpu_rows_fd = bpf_map__fd(skel->maps.vcpu_rows);
	m->shared_rows_fd = bpf_map__fd(skel->maps.shared_rows);
	m->hists_fd = bpf_map__fd(skel->maps.hists);
	m->hist_ids_fd = bpf_map__fd(skel->maps.hist_ids);
	m->cpu_hist_idx_fd = bpf_map__fd(skel->maps.cpu_hist_idx);
	m->cpu_hists_fd = bpf_map__fd(skel->maps.cpu_hists);
	m->losses_fd = bpf_map__fd(skel->maps.losses);
	m->notes_fd = bpf_map__fd(skel->maps.notes);
	m->outlier_ring_fd = bpf_map__fd(skel->maps.outlier_ring);
	m->outlier_thresh_fd = bpf_map__fd(skel->maps.outlier_thresh);
	m->outlier_stats_fd = bpf_map__fd(skel->maps.outlier_stats);
	m->kvm_unpaired_fd = bpf_map__fd(skel->maps.kvm_unpaired);
	m->nr_slots = bpf_map__max_entries(skel->maps.vcpu_slots);
	m->nr_hists = bpf_map__max_entries(skel->maps.hists);
	bpf_object__for_each_program(p, skel->obj) {
		if (m->nr_progs == TDXTOP_MAX_PROGS)
			break;
		if (!bpf_program__autoload(p))	/* the exit handler not chosen */
			continue;
		m->prog_fds[m->nr_progs] = bpf_program__fd(p);
		snprintf(m->prog_names[m->nr_progs], TDXTOP_PROG_NAME_LEN, "%s",
			 bpf_program__name(p));
		m->nr_progs++;
	}
}
