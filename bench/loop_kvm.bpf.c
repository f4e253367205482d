// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bpf_cost's warm measurement of the kvm and btf sources: their
 * handlers, compiled as bpf/kvm_exit.bpf.c and bpf/kvm_btf.bpf.c compile
 * them, run for each exit of bench/loop.bpf.c's stream inside one program
 * run (bpf_loop).
 * Its own object, as the kvm source's is: bench/loop.bpf.c keeps the tdx
 * handler's code as tdx_enter.bpf.o has it.
 */
#include "../bpf/kvm_exit.bpf.h"

#define LOOP_EVENTS	1024	/* bench/loop.bpf.c's */

/* filled by user space; loop_n events per run, cycling through the stream */
__u64 loop_ev[LOOP_EVENTS][TDX_VP_ENTER_NR_ARGS];
__u32 loop_n;
__u32 loop_pos;
__u64 loop_sink;	/* what clock_body computes, kept */

/* One program run: loop_n events of the stream through body */
static __always_inline int run_loop(long (*body)(__u32 i, void *unused))
{
	bpf_loop(loop_n, body, NULL, 0);
	loop_pos += loop_n;
	return 0;
}

/*
 * The clock each program of the kvm and btf sources reads (the tdx
 * source's times come with its event): called as they call it, its value
 * left aside for the stream's, whose times make the histograms' buckets
 */
static __always_inline __u64 clock_read(__u64 ev_ns)
{
	return ev_ns + (bpf_ktime_get_ns() >> 63);
}

/*
 * The kvm source's two handlers for the same exit: its kvm_entry at the
 * exit's TSC less its guest cycles, its kvm_exit at the TSC (as ns)
 */
static long kvm_body(__u32 i, void *unused)
{
	const __u64 *ev = loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)];
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	on_kvm_entry(tgid, ev[TDX_VP_ENTER_VCPU_ID], false,
		     clock_read(ev[TDX_VP_ENTER_TSC] - ev[TDX_VP_ENTER_GUEST_CYCLES]));
	on_kvm_exit(tgid, ev[TDX_VP_ENTER_VCPU_ID], ev[TDX_VP_ENTER_EXIT_REASON],
		    TDXTOP_ISA_VMX, clock_read(ev[TDX_VP_ENTER_TSC]));
	return 0;
}

SEC("raw_tp")
int loop_kvm(void *ctx)
{
	return run_loop(kvm_body);
}

/*
 * What the btf source reads of a vCPU, in its place: kvm->arch.vm_type at
 * kvm_entry (two plain loads through the typed pointer tp_btf gives), and
 * at tdx_vcpu_run()'s return vp_enter_ret, vt.exit_reason,
 * vt.exit_qualification and vp_enter_args.r11, from a buffer standing for
 * struct vcpu_tdx (the host running the benchmark has none to relocate
 * against): plain loads, as through bpf_rdonly_cast() (loop_btf), or
 * vt.exit_reason to vp_enter_ret, 216 bytes in 7.2, in one
 * bpf_probe_read_kernel() (loop_btf_read: kernels whose verifier refuses
 * the cast)
 */
__u64 fake_kvm[2];	/* [0]: where vm_type is, as vcpu->kvm; [1]: it */
__u8 fake_tdx[216];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[256]);
} fake_span SEC(".maps");

/*
 * The btf source's three handlers for a TD's exit: kvm_entry (tp_btf),
 * kvm_exit (classic, skips the TD) and tdx_vcpu_run()'s return (fexit)
 */
static __always_inline long btf_body(__u32 i, bool read)
{
	const __u64 *ev = loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)];
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, vcpu = ev[TDX_VP_ENTER_VCPU_ID];
	__u32 zero = 0;
	__u8 *buf = fake_tdx;

	on_kvm_entry(tgid, vcpu, *(volatile __u64 *)&fake_kvm[fake_kvm[0] & 1] != 0xff,
		     clock_read(ev[TDX_VP_ENTER_TSC] - ev[TDX_VP_ENTER_GUEST_CYCLES]));
	if (!btf_td_vcpu(tgid, vcpu))	/* the kvm_exit program's test */
		return 0;
	if (read) {
		buf = bpf_map_lookup_elem(&fake_span, &zero);
		if (!buf || bpf_probe_read_kernel(buf, sizeof(fake_tdx), fake_tdx))
			return 0;
	}
	on_td_exit(tgid, vcpu, ev[TDX_VP_ENTER_EXIT_REASON],
		   ev[TDX_VP_ENTER_STATUS] + *(__u64 *)(buf + 208),
		   ev[TDX_VP_ENTER_LEAF] + *(__u64 *)(buf + 104),
		   ev[TDX_VP_ENTER_EXIT_QUAL] + *(__u64 *)(buf + 8),
		   clock_read(ev[TDX_VP_ENTER_TSC]), false);
	return 0;
}

static long btf_cast_body(__u32 i, void *unused)
{
	return btf_body(i, false);
}

static long btf_read_body(__u32 i, void *unused)
{
	return btf_body(i, true);
}

SEC("raw_tp")
int loop_btf(void *ctx)
{
	return run_loop(btf_cast_body);
}

/* The two clock reads of the kvm and btf sources alone */
static long clock_body(__u32 i, void *unused)
{
	const __u64 *ev = loop_ev[(loop_pos + i) & (LOOP_EVENTS - 1)];

	loop_sink += clock_read(ev[TDX_VP_ENTER_TSC]) + clock_read(ev[TDX_VP_ENTER_TSC]);
	return 0;
}

SEC("raw_tp")
int loop_clock(void *ctx)
{
	return run_loop(clock_body);
}

SEC("raw_tp")
int loop_btf_read(void *ctx)
{
	return run_loop(btf_read_body);
}

char LICENSE[] SEC("license") = "GPL";
