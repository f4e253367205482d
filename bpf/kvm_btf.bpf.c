// SPDX-License-Identifier: GPL-2.0
/*
 * tdxtop's btf source (tdxtop --source btf): stock kernels without the tdx
 * events whose BTF (vmlinux, or the kvm_intel module's) has struct
 * vcpu_tdx.  A TD's exit is read at the return of KVM's own
 * tdx_vcpu_run(): the raw TDH.VP.ENTER status (vp_enter_ret), the exit
 * reason KVM derived from it (vt.exit_reason), the TDVMCALL leaf
 * (vp_enter_args.r11, as tdvmcall_leaf() reads it) and the exit
 * qualification, so that the exits tdx_vcpu_run() returns without
 * kvm_exit (EPT misconfig, TDX_SW_ERROR) are seen too.  Other VMs' exits
 * are the kvm source's (kvm_exit's record).  Fields are found by CO-RE;
 * one the kernel's BTF lacks reads as 0 (user space says which, -v).
 * Same maps as the other sources (aggregate.bpf.h), loaded onto them.
 */
#include "kvm_exit.bpf.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define KVM_X86_TDX_VM		5	/* uapi asm/kvm.h */
#define EXIT_REASON_TDCALL	77
#define TDX_SEAMCALL_STATUS_MASK 0xffffffff00000000ULL

/* The kernel's types, as far as they are read */
struct kvm_arch {
	__u8 vm_type;
} __attribute__((preserve_access_index));

struct kvm {
	struct kvm_arch arch;
} __attribute__((preserve_access_index));

struct kvm_vcpu {
	struct kvm *kvm;
	int vcpu_id;
} __attribute__((preserve_access_index));

union vmx_exit_reason {
	__u32 full;
} __attribute__((preserve_access_index));

struct vcpu_vt {
	union vmx_exit_reason exit_reason;
	unsigned long exit_qualification;
} __attribute__((preserve_access_index));

struct tdx_module_args {
	__u64 r11;
} __attribute__((preserve_access_index));

struct vcpu_tdx {
	struct kvm_vcpu vcpu;
	struct vcpu_vt vt;
	struct tdx_module_args vp_enter_args;
	__u64 vp_enter_ret;
} __attribute__((preserve_access_index));

/*
 * tp_btf and fexit programs get typed pointers: vcpu->kvm->arch.vm_type
 * are plain loads (the verifier guards them), not bpf_probe_read_kernel()
 * calls
 */
SEC("tp_btf/kvm_entry")
int BPF_PROG(btf_kvm_entry, struct kvm_vcpu *vcpu)
{
	on_kvm_entry(bpf_get_current_pid_tgid() >> 32, vcpu->vcpu_id,
		     vcpu->kvm->arch.vm_type == KVM_X86_TDX_VM, 0);
	return 0;
}

/* An ordinary VM's exit: the reason is kvm_exit's record's */
SEC("tp/kvm/kvm_exit")
int btf_kvm_exit(struct trace_event_raw_kvm_exit *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (btf_td_vcpu(tgid, ctx->vcpu_id))	/* its tdx_vcpu_run() returns next */
		return PASS_ON;
	on_kvm_exit(tgid, ctx->vcpu_id, ctx->exit_reason, ctx->isa, now);
	return PASS_ON;
}

/*
 * How the fields of struct vcpu_tdx are read (docs/decisions.md): as
 * plain loads through bpf_rdonly_cast(vcpu, 0), which 7.2's verifier turns
 * into guarded loads of untrusted memory at any offset (td_cast, set by
 * user space; cleared to reload where that verifier refuses it), or else
 * the fields from vt to vp_enter_ret in one bpf_probe_read_kernel(): 216
 * bytes in 7.2.  A kernel that lays them out wider, or lacks one, is read
 * field by field.
 */
const volatile bool td_cast = true;

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define TD_SPAN_MAX	256

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[TD_SPAN_MAX]);
} td_span SEC(".maps");

/*
 * A field of the span read from lo: its offset in struct vcpu_tdx less lo
 * (CO-RE's offsets are constants to the verifier once relocated)
 */
#define SPAN_AT(type, buf, off, lo) (*(type *)((buf) + (off) - (lo)))

static __always_inline int td_run_exit(struct kvm_vcpu *vcpu, bool capture)
{
	__u64 now = bpf_ktime_get_ns();
	struct vcpu_tdx *tdx;
	__u64 status = 0, leaf = 0, qual = 0;
	__u32 reason = -1u, zero = 0;
	__u32 lo, hi, qoff, loff;
	__u8 *buf;

	tdx = (void *)vcpu - bpf_core_field_offset(struct vcpu_tdx, vcpu);
	lo = bpf_core_field_offset(tdx->vt.exit_reason.full);
	hi = bpf_core_field_offset(tdx->vp_enter_ret) + sizeof(__u64);
	qoff = bpf_core_field_offset(tdx->vt.exit_qualification);
	loff = bpf_core_field_offset(tdx->vp_enter_args.r11);
	if (td_cast && bpf_core_field_exists(tdx->vp_enter_ret) &&
	    bpf_core_field_exists(tdx->vt) && bpf_core_field_exists(tdx->vp_enter_args)) {
		const __u8 *p = bpf_rdonly_cast(tdx, 0);

		status = *(const __u64 *)(p + hi - sizeof(__u64));
		reason = *(const __u32 *)(p + lo);
		qual = *(const __u64 *)(p + qoff);
		if (!(status & TDX_SEAMCALL_STATUS_MASK) && (__u16)status == EXIT_REASON_TDCALL)
			leaf = *(const __u64 *)(p + loff);
		goto out;
	}
	if (bpf_core_field_exists(tdx->vp_enter_ret) && bpf_core_field_exists(tdx->vt) &&
	    bpf_core_field_exists(tdx->vp_enter_args) && hi > lo && hi - lo <= TD_SPAN_MAX &&
	    qoff > lo && qoff + sizeof(__u64) <= hi && loff > lo && loff + sizeof(__u64) <= hi) {
		buf = bpf_map_lookup_elem(&td_span, &zero);
		if (!buf || bpf_probe_read_kernel(buf, hi - lo, (void *)tdx + lo))
			return 0;
		status = SPAN_AT(__u64, buf, hi - sizeof(__u64), lo);
		reason = SPAN_AT(__u32, buf, lo, lo);
		qual = SPAN_AT(__u64, buf, qoff, lo);
		if (!(status & TDX_SEAMCALL_STATUS_MASK) && (__u16)status == EXIT_REASON_TDCALL)
			leaf = SPAN_AT(__u64, buf, loff, lo);
		goto out;
	}
	if (bpf_core_field_exists(tdx->vp_enter_ret))
		status = BPF_CORE_READ(tdx, vp_enter_ret);
	if (bpf_core_field_exists(tdx->vt)) {
		reason = BPF_CORE_READ(tdx, vt.exit_reason.full);
		qual = BPF_CORE_READ(tdx, vt.exit_qualification);
	}
	if (bpf_core_field_exists(tdx->vp_enter_args) &&
	    !(status & TDX_SEAMCALL_STATUS_MASK) && (__u16)status == EXIT_REASON_TDCALL)
		leaf = BPF_CORE_READ(tdx, vp_enter_args.r11);
out:
	on_td_exit(bpf_get_current_pid_tgid() >> 32, vcpu->vcpu_id, reason, status, leaf,
		   qual, now, capture);
	return 0;
}

SEC("fexit/tdx_vcpu_run")
int BPF_PROG(btf_td_exit, struct kvm_vcpu *vcpu)
{
	return td_run_exit(vcpu, false);
}

/* The same with outlier capture; user space loads one of the two */
SEC("fexit/tdx_vcpu_run")
int BPF_PROG(btf_td_capture, struct kvm_vcpu *vcpu)
{
	return td_run_exit(vcpu, true);
}

char LICENSE[] SEC("license") = "GPL";
