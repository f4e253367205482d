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

/**
 * tdxtop_tsc_from_khz() - the TSC conversion of a given frequency (--tsc-khz)
 * @t: the conversion, set
 * @khz: the TSC frequency in kHz
 *
 * Return: 0, or -EINVAL when no mult/shift pair can hold it.
 */
int tdxtop_tsc_from_khz(struct tdxtop_tsc *t, __u64 khz);
/**
 * tdxtop_tsc_probe() - the TSC conversion of this host
 * @t: the conversion, set
 *
 * The kernel's own (perf's user page, when cap_user_time is set), else the
 * TSC calibrated against CLOCK_MONOTONIC_RAW.
 *
 * Return: 0, or a negative errno when neither perf nor calibration gives one.
 */
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

/**
 * tdxtop_maps_size() - size the maps before load
 * @skel: the tdx object, opened
 * @vcpus: vCPUs to hold (0: the default of bpf/tdx_enter.h)
 * @shared_rows: rows of the shared hash (0: the default)
 * @hists: histograms (0: the default)
 * @copies: per-CPU histogram copies (0: as many as histograms)
 *
 * Sizes are rounded as the layout needs (vCPU slots: a power of two).
 *
 * Return: 0; -E2BIG for more vCPUs than the layout holds; -EINVAL when libbpf refuses a
 *   size.
 */
int tdxtop_maps_size(struct tdx_enter_bpf *skel, __u32 vcpus, __u32 shared_rows,
		     __u32 hists, __u32 copies);
struct kvm_exit_bpf;
struct kvm_btf_bpf;
struct bpf_object;
/**
 * tdxtop_kvm_load() - load the kvm source on the tdx object's maps
 * @kp: the kvm object, set even on error (to attach and destroy)
 * @skel: the tdx object, opened and sized
 *
 * In place of tdx_enter_bpf__load(): loads @skel's maps without its programs,
 * then bpf/kvm_exit.bpf.c's programs onto those maps with @skel's filters.
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_kvm_load(struct kvm_exit_bpf **kp, struct tdx_enter_bpf *skel);
/**
 * tdxtop_btf_load() - load the btf source on the tdx object's maps
 * @bp: the btf object, set even on error
 * @skel: the tdx object, opened and sized
 * @capture: the TD exit handler that also captures outliers
 * @td_only: no program for other VMs' exits (--td-only)
 * @cast: set: the fields of struct vcpu_tdx are plain loads through
 *   bpf_rdonly_cast(); cleared: this kernel's verifier refused those and they
 *   are read with bpf_probe_read_kernel()
 *
 * As tdxtop_kvm_load(), with bpf/kvm_btf.bpf.c.
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_btf_load(struct kvm_btf_bpf **bp, struct tdx_enter_bpf *skel, bool capture,
		    bool td_only, bool *cast);
/**
 * tdxtop_maps_get() - what the reader needs of the loaded objects
 * @m: filled: the skeleton, sizes, the programs in name order
 * @skel: the tdx object, loaded
 * @second: the kvm or btf source's object, or NULL
 */
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

/**
 * tdxtop_outlier_parse() - parse --outliers
 * @arg: "auto" or "guest=1ms,host=200us,restore=20us" (units ns, us, ms, s)
 * @o: the options, set
 * @err: why, on error
 * @errlen: its size
 *
 * Return: 0, or -EINVAL with a line in @err.
 */
int tdxtop_outlier_parse(const char *arg, struct tdxtop_outlier_opts *o,
			 char *err, size_t errlen);
/**
 * tdxtop_outlier_setup() - set up outlier capture before load
 * @skel: the tdx object, opened
 * @o: the options (off: nothing to do)
 * @interval_ms: the interval, which the ring buffer must hold twice at the rate cap
 *
 * Chooses tdx_vp_enter or tdx_vp_capture and sets the thresholds and the cap.
 *
 * Return: 0, or a negative errno.
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

/**
 * tdxtop_reader_init() - a reader of loaded maps
 * @r: the reader, set up
 * @m: the maps (tdxtop_maps_get())
 * @tsc: the conversion the BPF side uses
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_reader_init(struct tdxtop_reader *r, const struct tdxtop_maps *m,
		       const struct tdxtop_tsc *tsc);
/**
 * tdxtop_reader_outliers() - read outliers too
 * @r: the reader, before its first read
 * @o: the options; nothing when off
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_reader_outliers(struct tdxtop_reader *r, const struct tdxtop_outlier_opts *o);
/**
 * tdxtop_reader_read() - one interval: what happened since the last call
 * @r: the reader
 * @delta: the interval (the first call: since load), rows in map order
 *
 * Return: 0 or a negative errno.
 */
int tdxtop_reader_read(struct tdxtop_reader *r, struct tdxtop_snap *delta);
/**
 * tdxtop_outlier_auto_ns() - auto mode's threshold of a metric
 * @s: the snapshot holding the histogram
 * @h: a sparse histogram of @s
 * @m: the metric
 * @ns: the threshold: the largest value of the bucket that holds p99.9
 *
 * Return: false when the histogram has no sample of @m.
 */
bool tdxtop_outlier_auto_ns(const struct tdxtop_snap *s, const struct tdxtop_hrow *h,
			    int m, __u64 *ns);
/**
 * tdxtop_reader_free() - free a reader
 * @r: the reader
 */
void tdxtop_reader_free(struct tdxtop_reader *r);

/**
 * tdxtop_selfcost_enable() - hold BPF_STATS_RUN_TIME on
 *
 * Return: an fd that keeps it on while open, or a negative errno.
 */
int tdxtop_selfcost_enable(void);

/* ---- VM names from /proc (vmname.c) ---- */

/**
 * tdxtop_vm_name_parse() - a VM's name from its process
 * @cmdline: the NUL-separated command line
 * @n: its bytes
 * @comm: the process's comm, or NULL when it is gone
 * @out: the name: QEMU's -name guest=NAME or -name NAME, else comm, else "?"
 * @len: the size of @out
 */
void tdxtop_vm_name_parse(const char *cmdline, size_t n, const char *comm, char *out,
			  size_t len);
/**
 * tdxtop_vm_name() - the name of a VM process, cached
 * @pid: the process
 *
 * Return: QEMU's -name guest=NAME, or comm; "?" when the process is gone.
 */
const char *tdxtop_vm_name(__u32 pid);

/* ---- tdxtop check: tdxtop beside ftrace hist triggers (tracefs.c) ---- */

/**
 * tdxtop_tracefs() - where tracefs is mounted
 *
 * Return: "/sys/kernel/tracing" or another mount point, NULL when none.
 */
const char *tdxtop_tracefs(void);
/**
 * tdxtop_event_present() - whether a trace event exists
 * @event: "SYSTEM/EVENT"
 *
 * Return: 1 present, 0 absent, -1 when there is no tracefs to tell.
 */
int tdxtop_event_present(const char *event);

/* What the kernel's BTF says, for the sources that need it */
struct tdxtop_btf_facts {
	bool vmlinux, kvm_intel;	/* /sys/kernel/btf/{vmlinux,kvm_intel} */
	const char *vcpu_tdx;		/* the BTF with struct vcpu_tdx, or NULL */
	bool tdx_vcpu_run;		/* that BTF has the function tdx_vcpu_run */
	/* what the btf source reads and the BTF lacks: "" or "a, b" */
	char missing[128];
};
/**
 * tdxtop_check_btf() - what the kernel's BTF says for the btf source
 * @b: filled: BTF files, the one with struct vcpu_tdx, tdx_vcpu_run, fields it lacks
 */
void tdxtop_check_btf(struct tdxtop_btf_facts *b);

#endif /* __TDXTOP_COLLECT_H */
