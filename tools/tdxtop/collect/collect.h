/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Collection: the BPF objects loaded and sized, their maps read once per
 * interval into snapshots (model/model.h), outlier capture, the TSC's
 * frequency, VM names from /proc, tracefs and BTF facts.  Everything
 * that touches the kernel is here.
 */
#ifndef __TDXTOP_COLLECT_H
#define __TDXTOP_COLLECT_H

#include "model/model.h"

/* ---- TSC to ns (tsc.c) ---- */

int tdxtop_tsc_from_khz(struct tdxtop_tsc *t, __u64 khz);
int tdxtop_tsc_probe(struct tdxtop_tsc *t);

/* ---- reading the maps (maps.c, read.c) ---- */

struct tdx_enter_bpf;
struct bpf_map;
struct bpf_program;
/*
 * The maps and programs of a loaded bpf/tdx_enter.bpf.c: its skeleton,
 * whose maps the reader reads (skel->maps.*), and what only the kvm and
 * btf sources' objects have
 */
struct tdxtop_maps {
	const struct tdx_enter_bpf *skel;
	const struct bpf_map *kvm_unpaired;	/* NULL on the tdx source */
	__u32 nr_slots, nr_hists;
	/* the programs loaded, in name order */
	const struct bpf_program *progs[TDXTOP_MAX_PROGS];
	int nr_progs;
};

/*
 * Before load: map sizes (0: the defaults of bpf/tdx_enter.h), rounded as
 * the layout needs.  copies: per-CPU histogram copies (0: as many as
 * histograms).
 */
int tdxtop_maps_size(struct tdx_enter_bpf *skel, __u32 vcpus, __u32 shared_rows,
		     __u32 hists, __u32 copies);
struct kvm_exit_bpf;
struct kvm_btf_bpf;
struct bpf_object;
/*
 * The kvm source, in place of tdx_enter_bpf__load(): loads skel's maps
 * without its programs, then bpf/kvm_exit.bpf.c's programs onto those
 * maps, with skel's filters (*kp: to attach and destroy, even on error)
 */
int tdxtop_kvm_load(struct kvm_exit_bpf **kp, struct tdx_enter_bpf *skel);
/*
 * The btf source, the same way with bpf/kvm_btf.bpf.c: the TD exit handler
 * with outlier capture or without; td_only: no program for other VMs' exits
 */
int tdxtop_btf_load(struct kvm_btf_bpf **bp, struct tdx_enter_bpf *skel, bool capture,
		    bool td_only);
/* After load; second: the kvm or btf source's object, or NULL */
void tdxtop_maps_get(struct tdxtop_maps *m, struct tdx_enter_bpf *skel,
		     struct bpf_object *second);

/* Outlier capture: what --outliers and --outlier-rate ask for */
struct tdxtop_outlier_opts {
	bool on, automatic;
	__u64 ns[TDXTOP_NR_METRICS];	/* fixed: TDXTOP_NO_THRESH unless given */
	__u32 rate;			/* records a second */
	char spec[96];			/* as shown: "auto", "guest>1000000ns ..." */
};
#define TDXTOP_DEF_OUTLIER_RATE	100
#define TDXTOP_MAX_OUTLIER_RATE	100000

/* "auto" or "guest=1ms,host=200us,restore=20us" (units ns, us, ms, s) */
int tdxtop_outlier_parse(const char *arg, struct tdxtop_outlier_opts *o,
			 char *err, size_t errlen);
/*
 * Before load: one of tdx_vp_enter and tdx_vp_capture, the thresholds,
 * the cap and a ring buffer that holds two intervals at the cap
 */
int tdxtop_outlier_setup(struct tdx_enter_bpf *skel, const struct tdxtop_outlier_opts *o,
			 int interval_ms);

/*
 * Reads the maps once per interval.  It keeps what the last read saw, per
 * row position, so that a read costs a pass over the rows in use and no
 * sorting: the rows of the result come in map order, not sorted.
 */
struct tdxtop_hash_prev;
struct tdxtop_reader {
	struct tdxtop_maps m;
	struct tdxtop_tsc tsc;
	const char *source;
	bool timed;			/* BPF_STATS_RUN_TIME is held on */
	struct tdxtop_cum *prev;	/* per row of "vcpu_rows" */
	struct tdxtop_hist **prev_h;	/* per entry of "hists" */
	struct tdxtop_hash_prev *hprev;	/* rows of "shared_rows", sorted */
	size_t nr_hprev;
	struct tdxtop_map_row *shared;	/* this read of "shared_rows" */
	size_t nr_shared, cap_shared;
	__u64 prev_losses[TDXTOP_NR_LOSSES], prev_notes[TDXTOP_NR_NOTES];
	struct tdxtop_prog_cost prev_progs[TDXTOP_MAX_PROGS];
	__u64 prev_user_ns, prev_end_ns;
	/* "vcpu_slots" and "vcpu_rows", mapped: BPF writes them meanwhile */
	const volatile struct tdxtop_slot *slots;
	const volatile struct tdxtop_row_block *blocks;
	size_t slots_len, blocks_len;
	struct tdxtop_map_row *hash_vals;	/* batch lookups of "shared_rows" */
	void *keys;			/* keys of any batch lookup */
	size_t keys_size;
	__u32 *ids;			/* values of "hist_ids" */
	struct tdxtop_hist *hbuf, *hcopy;
	__u64 *percpu;			/* one per-CPU value */
	int ncpus;
	/* outlier capture (tdxtop_reader_outliers()) */
	struct ring_buffer *ring;
	struct tdxtop_snap *ring_dst;	/* the snapshot being read */
	int ring_err;
	const char *outlier_spec;
	struct tdxtop_thresh *thresh;	/* "outlier_thresh", mapped (auto) */
	size_t thresh_len;
	__u64 prev_outlier[TDXTOP_NR_OUTLIER_COUNTS];
	__u64 anchor_tsc, anchor_real_ns;	/* TSC and wall clock read together */
};

int tdxtop_reader_init(struct tdxtop_reader *r, const struct tdxtop_maps *m,
		       const struct tdxtop_tsc *tsc);
/* Reads the outliers of o (on) too; before the first read */
int tdxtop_reader_outliers(struct tdxtop_reader *r, const struct tdxtop_outlier_opts *o);
/* What happened since the last call (the first call: since load) */
int tdxtop_reader_read(struct tdxtop_reader *r, struct tdxtop_snap *delta);
/*
 * Auto mode's threshold of metric m from a sparse histogram: the largest
 * value of the bucket that holds p99.9, so that an outlier is above every
 * value of that bucket.  false when the histogram has no sample of m.
 */
bool tdxtop_outlier_auto_ns(const struct tdxtop_snap *s, const struct tdxtop_hrow *h,
			    int m, __u64 *ns);
void tdxtop_reader_free(struct tdxtop_reader *r);

/* Holds BPF_STATS_RUN_TIME on: an fd, or negative errno (selfcost.c) */
int tdxtop_selfcost_enable(void);

/* ---- VM names from /proc (vmname.c) ---- */

/*
 * The name from a process's NUL-separated command line (n bytes: QEMU's
 * -name guest=NAME,... or -name NAME) or else its comm (NULL: gone, "?")
 */
void tdxtop_vm_name_parse(const char *cmdline, size_t n, const char *comm, char *out,
			  size_t len);
/* QEMU's -name guest=NAME, or comm; "?" when the process is gone */
const char *tdxtop_vm_name(__u32 pid);
void tdxtop_vm_names_flush(void);

/* ---- tdxtop check: tdxtop beside ftrace hist triggers (tracefs.c) ---- */

/* Where tracefs is mounted ("/sys/kernel/tracing", ...), NULL when not */
const char *tdxtop_tracefs(void);
/* "SYSTEM/EVENT" in tracefs: 1 present, 0 absent, -1 no tracefs to tell */
int tdxtop_event_present(const char *event);

/* What the kernel's BTF says, for the sources that need it */
struct tdxtop_btf_facts {
	bool vmlinux, kvm_intel;	/* /sys/kernel/btf/{vmlinux,kvm_intel} */
	const char *vcpu_tdx;		/* the BTF with struct vcpu_tdx, or NULL */
	bool tdx_vcpu_run;		/* that BTF has the function tdx_vcpu_run */
	/* what the btf source reads and the BTF lacks: "" or "a, b" */
	char missing[128];
};
void tdxtop_check_btf(struct tdxtop_btf_facts *b);

#endif /* __TDXTOP_COLLECT_H */
