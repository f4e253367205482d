// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Sizes and handles of the maps of bpf/tdx_enter.bpf.c, in one place, and
 * the other sources' objects (bpf/kvm_exit.bpf.c, bpf/kvm_btf.bpf.c)
 * loaded onto them
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collect.h"
#include "tdx_enter.skel.h"
#include "kvm_exit.skel.h"
#include "kvm_btf.skel.h"

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
	    bpf_map__set_max_entries(skel->maps.outlier_thresh, hists))
		return -EINVAL;
	return 0;
}

/*
 * The same filters, layout and outlier thresholds in a second object: one
 * source of rodata, the tdx object's
 */
#define COPY_RODATA(d, s) do {						\
	int m_;								\
									\
	(d)->targ_tgid = (s)->targ_tgid;				\
	(d)->targ_vcpu = (s)->targ_vcpu;				\
	(d)->min_guest_ns = (s)->min_guest_ns;				\
	(d)->slot_mask = (s)->slot_mask;				\
	(d)->hist_max = (s)->hist_max;					\
	(d)->copy_max = (s)->copy_max;					\
	(d)->outlier_auto = (s)->outlier_auto;				\
	(d)->outlier_cap = (s)->outlier_cap;				\
	for (m_ = 0; m_ < TDXTOP_NR_METRICS; m_++)			\
		(d)->outlier_ns[m_] = (s)->outlier_ns[m_];		\
} while (0)

/*
 * Creates the maps with the tdx object (none of its programs load) and
 * points obj's maps of the same names at them; obj's maps with one entry
 * per vCPU slot get as many entries as vcpu_slots
 */
static int share_maps(struct bpf_object *obj, struct tdx_enter_bpf *skel)
{
	static const char *const per_slot[] = { "kvm_entry_ns" };
	__u32 slots = bpf_map__max_entries(skel->maps.vcpu_slots);
	struct bpf_program *p;
	struct bpf_map *m;
	size_t i;
	int err;

	/* a second object on the same maps (a reload) finds them made */
	if (bpf_map__fd(skel->maps.vcpu_slots) < 0) {
		bpf_object__for_each_program(p, skel->obj)
			bpf_program__set_autoload(p, false);
		err = tdx_enter_bpf__load(skel);
		if (err)
			return err;
	}
	bpf_object__for_each_map(m, obj) {
		struct bpf_map *t;

		if (bpf_map__is_internal(m))
			continue;
		t = bpf_object__find_map_by_name(skel->obj, bpf_map__name(m));
		if (t && (err = bpf_map__reuse_fd(m, bpf_map__fd(t))))
			return err;
		for (i = 0; !t && i < sizeof(per_slot) / sizeof(per_slot[0]); i++)
			if (!strcmp(bpf_map__name(m), per_slot[i]) &&
			    bpf_map__set_max_entries(m, slots))
				return -EINVAL;
	}
	return 0;
}

int tdxtop_kvm_load(struct kvm_exit_bpf **kp, struct tdx_enter_bpf *skel)
{
	struct kvm_exit_bpf *k = kvm_exit_bpf__open();
	int err;

	*kp = k;
	if (!k)
		return -errno;
	err = share_maps(k->obj, skel);
	if (err)
		return err;
	COPY_RODATA(k->rodata, skel->rodata);
	return kvm_exit_bpf__load(k);
}

static int btf_open_load(struct kvm_btf_bpf **bp, struct tdx_enter_bpf *skel, bool capture,
			 bool td_only, bool cast)
{
	struct kvm_btf_bpf *b = kvm_btf_bpf__open();
	int err;

	*bp = b;
	if (!b)
		return -errno;
	err = share_maps(b->obj, skel);
	if (err)
		return err;
	COPY_RODATA(b->rodata, skel->rodata);
	b->rodata->td_cast = cast;
	if (bpf_program__set_autoload(b->progs.btf_td_capture, capture) ||
	    bpf_program__set_autoload(b->progs.btf_td_exit, !capture) ||
	    bpf_program__set_autoload(b->progs.btf_kvm_exit, !td_only))
		return -EINVAL;
	return kvm_btf_bpf__load(b);
}

int tdxtop_btf_load(struct kvm_btf_bpf **bp, struct tdx_enter_bpf *skel, bool capture,
		    bool td_only, bool *cast)
{
	/* TDXTOP_BTF_PROBE_READ=1: the older verifiers' path (the stock test) */
	const char *probe = getenv("TDXTOP_BTF_PROBE_READ");
	int err;

	*cast = !probe || strcmp(probe, "1");
	if (!*cast)
		return btf_open_load(bp, skel, capture, td_only, false);
	err = btf_open_load(bp, skel, capture, td_only, true);
	/*
	 * a verifier without loads of untrusted memory through
	 * bpf_rdonly_cast(p, 0) (before 7.2) refuses the program: again with
	 * bpf_probe_read_kernel()
	 */
	if (err == -EINVAL || err == -EACCES || err == -ENOENT || err == -ESRCH) {
		kvm_btf_bpf__destroy(*bp);
		*cast = false;
		err = btf_open_load(bp, skel, capture, td_only, false);
	}
	return err;
}

/*
 * The programs of obj that are loaded, for their run counts and times, in
 * name order: the order a recording gives them back (its programs table is
 * keyed by name)
 */
static void add_progs(struct tdxtop_maps *m, struct bpf_object *obj)
{
	struct bpf_program *p;
	int i;

	bpf_object__for_each_program(p, obj) {
		if (m->nr_progs == TDXTOP_MAX_PROGS)
			break;
		if (!bpf_program__autoload(p))	/* the exit handler not chosen */
			continue;
		for (i = m->nr_progs; i > 0 &&
		     strcmp(bpf_program__name(m->progs[i - 1]), bpf_program__name(p)) > 0; i--)
			m->progs[i] = m->progs[i - 1];
		m->progs[i] = p;
		m->nr_progs++;
	}
}

void tdxtop_maps_get(struct tdxtop_maps *m, struct tdx_enter_bpf *skel,
		     struct bpf_object *second)
{
	memset(m, 0, sizeof(*m));
	m->skel = skel;
	m->kvm_unpaired = second ? bpf_object__find_map_by_name(second, "kvm_unpaired") : NULL;
	m->nr_slots = bpf_map__max_entries(skel->maps.vcpu_slots);
	m->nr_hists = bpf_map__max_entries(skel->maps.hists);
	add_progs(m, skel->obj);
	if (second)
		add_progs(m, second);
}

int tdxtop_selfcost_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}
