// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the TD enter/exit path, for tdxtop's test build only.
 *
 * tests/kernel/kunit/tdx-kunit.patch includes this file at the end of
 * arch/x86/kvm/vmx/tdx.c and replaces TDH.VP.ENTER with
 * tdx_kunit_vp_enter(), which plays back a script: the status and exit
 * registers the TDX module would return, how long the guest "ran", and the
 * host state the module leaves clobbered (PKRU, XCR0, DEBUGCTL).  All
 * the rest - tdx_vcpu_run(), the restore of host state, the tracepoints,
 * vcpu_put's GS base restore and the user-return notifier - is the series'
 * code as compiled, run on a real CPU (QEMU TCG).  Every field of every
 * event is checked by probes registered on the tracepoints.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/user-return-notifier.h>

/* What the stand-in returns and leaves behind, and what it saw. */
struct tdx_kunit_script {
	u64 ret;
	u64 rcx, rdx, r8, r9, r10, r11;
	u64 spin;		/* TSC cycles "in the guest" */
	bool set_pkru, set_xcr0, set_debugctl;
	u32 pkru;
	u64 xcr0, debugctl;
	/* written by the stand-in */
	unsigned int calls;
	u64 tsc_in, tsc_out;
	u64 tsc_enter_seen;	/* the vCPU's trace_tsc_enter at the call */
};

static struct tdx_kunit_script tdx_kunit_script;

static noinstr u64 tdx_kunit_vp_enter(struct tdx_vp *vp,
				      struct tdx_module_args *args)
{
	struct tdx_kunit_script *s = &tdx_kunit_script;
	struct vcpu_tdx *tdx = container_of(vp, struct vcpu_tdx, vp);
	u64 start = rdtsc();

	s->tsc_in = start;
	s->calls++;
	s->tsc_enter_seen = tdx->trace_tsc_enter;
	while (rdtsc() - start < s->spin)
		cpu_relax();

	/* the TD's values, which the TDX module does not restore */
	if (s->set_pkru)
		asm volatile("wrpkru" : : "a" (s->pkru), "c" (0), "d" (0));
	if (s->set_xcr0)
		asm volatile("xsetbv" : : "a" ((u32)s->xcr0),
			     "d" ((u32)(s->xcr0 >> 32)),
			     "c" (XCR_XFEATURE_ENABLED_MASK));
	if (s->set_debugctl)
		asm volatile("wrmsr" : : "c" (MSR_IA32_DEBUGCTLMSR),
			     "a" ((u32)s->debugctl),
			     "d" ((u32)(s->debugctl >> 32)));

	args->rcx = s->rcx;
	args->rdx = s->rdx;
	args->r8 = s->r8;
	args->r9 = s->r9;
	args->r10 = s->r10;
	args->r11 = s->r11;
	s->tsc_out = rdtsc();
	return s->ret;
}

/* What the probes saw. */
struct tdx_kunit_vp_enter_event {
	u32 vcpu_id;
	u64 status;
	u32 exit_reason;
	u64 leaf;
	u64 exit_qual;
	u64 guest_cycles;
	u64 restore_cycles;
	u32 restored;
	u64 tsc;
};

static struct tdx_kunit_events {
	unsigned int vp_enter, deferred, gsbase, uret;
	struct tdx_kunit_vp_enter_event last;
	u32 deferred_vcpu, gsbase_vcpu, uret_msrs, uret_nr;
	u64 gsbase_cycles, uret_cycles;
} tdx_kunit_ev;

static void tdx_kunit_on_vp_enter(void *data, u32 vcpu_id, u64 status,
				  u32 exit_reason, u64 leaf, u64 exit_qual,
				  u64 guest_cycles, u64 restore_cycles,
				  u32 restored, u64 tsc)
{
	tdx_kunit_ev.last = (struct tdx_kunit_vp_enter_event) {
		vcpu_id, status, exit_reason, leaf, exit_qual, guest_cycles,
		restore_cycles, restored, tsc,
	};
	WRITE_ONCE(tdx_kunit_ev.vp_enter, tdx_kunit_ev.vp_enter + 1);
}

static void tdx_kunit_on_deferred(void *data, u32 vcpu_id)
{
	tdx_kunit_ev.deferred_vcpu = vcpu_id;
	tdx_kunit_ev.deferred++;
}

static void tdx_kunit_on_gsbase(void *data, u32 vcpu_id, u64 cycles)
{
	tdx_kunit_ev.gsbase_vcpu = vcpu_id;
	tdx_kunit_ev.gsbase_cycles = cycles;
	tdx_kunit_ev.gsbase++;
}

static void tdx_kunit_on_uret(void *data, u32 msrs, u32 nr, u64 cycles)
{
	tdx_kunit_ev.uret_msrs = msrs;
	tdx_kunit_ev.uret_nr = nr;
	tdx_kunit_ev.uret_cycles = cycles;
	tdx_kunit_ev.uret++;
}

#define TDX_KUNIT_VCPU_ID	3
#define TDX_KUNIT_SPIN		20000

struct tdx_kunit_ctx {
	struct kvm_tdx *kvm_tdx;
	struct vcpu_tdx *tdx;
	struct kvm_vcpu *vcpu;
	bool vp_enter_probe;
	/* host values this suite overrides */
	u64 xcr0, xss, supported_xcr0, supported_xss;
};

static void tdx_kunit_probe_vp_enter(struct kunit *test, bool on)
{
	struct tdx_kunit_ctx *c = test->priv;

	if (on == c->vp_enter_probe)
		return;
	if (on)
		KUNIT_ASSERT_EQ(test, 0, register_trace_tdx_vp_enter(tdx_kunit_on_vp_enter, NULL));
	else
		unregister_trace_tdx_vp_enter(tdx_kunit_on_vp_enter, NULL);
	tracepoint_synchronize_unregister();
	c->vp_enter_probe = on;
}

static int tdx_kunit_init(struct kunit *test)
{
	struct tdx_kunit_ctx *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->kvm_tdx = kunit_kzalloc(test, sizeof(*c->kvm_tdx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->kvm_tdx);
	c->tdx = kunit_kzalloc(test, sizeof(*c->tdx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->tdx);
	test->priv = c;

	c->vcpu = &c->tdx->vcpu;
	c->vcpu->kvm = &c->kvm_tdx->kvm;
	c->kvm_tdx->kvm.arch.vm_type = KVM_X86_TDX_VM;
	c->vcpu->vcpu_id = TDX_KUNIT_VCPU_ID;

	c->xcr0 = kvm_host.xcr0;
	c->xss = kvm_host.xss;
	c->supported_xcr0 = kvm_caps.supported_xcr0;
	c->supported_xss = kvm_caps.supported_xss;
	/* the host's values as they are, and a TD whose are the same */
	kvm_host.xcr0 = boot_cpu_has(X86_FEATURE_OSXSAVE) ?
			xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	kvm_host.xss = 0;
	if (boot_cpu_has(X86_FEATURE_XSAVES))
		rdmsrq(MSR_IA32_XSS, kvm_host.xss);
	kvm_caps.supported_xcr0 = kvm_host.xcr0;
	kvm_caps.supported_xss = kvm_host.xss;
	c->kvm_tdx->xfam = kvm_host.xcr0 | kvm_host.xss;

	memset(&tdx_kunit_script, 0, sizeof(tdx_kunit_script));
	memset(&tdx_kunit_ev, 0, sizeof(tdx_kunit_ev));
	tdx_kunit_script.spin = TDX_KUNIT_SPIN;

	tdx_kunit_probe_vp_enter(test, true);
	KUNIT_ASSERT_EQ(test, 0, register_trace_tdx_vp_enter_deferred(tdx_kunit_on_deferred, NULL));
	KUNIT_ASSERT_EQ(test, 0, register_trace_tdx_host_gsbase(tdx_kunit_on_gsbase, NULL));
	KUNIT_ASSERT_EQ(test, 0, register_trace_tdx_uret_restore(tdx_kunit_on_uret, NULL));
	return 0;
}

static void tdx_kunit_exit(struct kunit *test)
{
	struct tdx_kunit_ctx *c = test->priv;

	if (!c)
		return;
	tdx_kunit_probe_vp_enter(test, false);
	unregister_trace_tdx_vp_enter_deferred(tdx_kunit_on_deferred, NULL);
	unregister_trace_tdx_host_gsbase(tdx_kunit_on_gsbase, NULL);
	unregister_trace_tdx_uret_restore(tdx_kunit_on_uret, NULL);
	tracepoint_synchronize_unregister();
	kvm_host.xcr0 = c->xcr0;
	kvm_host.xss = c->xss;
	kvm_caps.supported_xcr0 = c->supported_xcr0;
	kvm_caps.supported_xss = c->supported_xss;
}

/* One run as vcpu_enter_guest() makes it: interrupts off around it. */
static fastpath_t tdx_kunit_run(struct tdx_kunit_ctx *c, u64 *t0, u64 *t1)
{
	fastpath_t ret;

	local_irq_disable();
	*t0 = rdtsc_ordered();
	ret = tdx_vcpu_run(c->vcpu, 0);
	*t1 = rdtsc_ordered();
	local_irq_enable();
	return ret;
}

/* Every field of the one tdx_vp_enter event of a run from t0 to t1. */
static void tdx_kunit_expect_vp_enter(struct kunit *test, u64 status,
				      u32 exit_reason, u64 leaf, u64 exit_qual,
				      u32 restored, u64 t0, u64 t1)
{
	struct tdx_kunit_vp_enter_event *e = &tdx_kunit_ev.last;
	struct tdx_kunit_script *s = &tdx_kunit_script;
	u64 exit_tsc, enter_tsc;

	KUNIT_ASSERT_EQ(test, tdx_kunit_ev.vp_enter, 1);
	KUNIT_EXPECT_EQ(test, e->vcpu_id, TDX_KUNIT_VCPU_ID);
	KUNIT_EXPECT_EQ(test, e->status, status);
	KUNIT_EXPECT_EQ(test, e->exit_reason, exit_reason);
	KUNIT_EXPECT_EQ(test, e->leaf, leaf);
	KUNIT_EXPECT_EQ(test, e->exit_qual, exit_qual);
	KUNIT_EXPECT_EQ(test, e->restored, restored);

	/* tsc: the end of the restore, after TDH.VP.ENTER returned */
	KUNIT_EXPECT_GT(test, e->tsc, s->tsc_out);
	KUNIT_EXPECT_LE(test, e->tsc, t1);
	/* the exit was read after TDH.VP.ENTER returned */
	KUNIT_ASSERT_LE(test, e->restore_cycles, e->tsc - t0);
	exit_tsc = e->tsc - e->restore_cycles;
	KUNIT_EXPECT_GE(test, exit_tsc, s->tsc_out);
	/* the entry was read inside the run, before TDH.VP.ENTER began */
	KUNIT_ASSERT_LE(test, e->guest_cycles, exit_tsc - t0);
	enter_tsc = exit_tsc - e->guest_cycles;
	KUNIT_EXPECT_GE(test, enter_tsc, t0);
	KUNIT_EXPECT_LE(test, enter_tsc, s->tsc_in);
	/* so the guest time holds all of TDH.VP.ENTER */
	KUNIT_EXPECT_GE(test, e->guest_cycles, s->tsc_out - s->tsc_in);
	KUNIT_EXPECT_GE(test, e->guest_cycles, (u64)TDX_KUNIT_SPIN);
}

/* The outcomes of TDH.VP.ENTER and what the event must say of each. */
struct tdx_kunit_exit_case {
	const char *name;
	u64 ret, r10, r11, qual;
	u32 reason;
	u64 leaf;
	fastpath_t fastpath;
};

#define TDX_KUNIT_GARBAGE	0xdeadbeefcafef00dULL

static const struct tdx_kunit_exit_case tdx_kunit_exits[] = {
	{ "external interrupt, R11 garbage: no leaf",
	  EXIT_REASON_EXTERNAL_INTERRUPT, 0, TDX_KUNIT_GARBAGE, 0,
	  EXIT_REASON_EXTERNAL_INTERRUPT, 0, EXIT_FASTPATH_NONE },
	{ "EPT violation, R11 garbage: no leaf, exit qualification",
	  EXIT_REASON_EPT_VIOLATION, TDX_KUNIT_GARBAGE, TDX_KUNIT_GARBAGE, 0x184,
	  EXIT_REASON_EPT_VIOLATION, 0, EXIT_FASTPATH_NONE },
	{ "TDCALL HLT",
	  EXIT_REASON_TDCALL, 0, EXIT_REASON_HLT, 0,
	  EXIT_REASON_HLT, EXIT_REASON_HLT, EXIT_FASTPATH_NONE },
	{ "TDCALL IO",
	  EXIT_REASON_TDCALL, 0, EXIT_REASON_IO_INSTRUCTION, 0,
	  EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_IO_INSTRUCTION, EXIT_FASTPATH_NONE },
	{ "TDCALL CPUID",
	  EXIT_REASON_TDCALL, 0, EXIT_REASON_CPUID, 0,
	  EXIT_REASON_CPUID, EXIT_REASON_CPUID, EXIT_FASTPATH_NONE },
	{ "TDCALL MSR write",
	  EXIT_REASON_TDCALL, 0, EXIT_REASON_MSR_WRITE, 0,
	  EXIT_REASON_MSR_WRITE, EXIT_REASON_MSR_WRITE, EXIT_FASTPATH_NONE },
	{ "TDCALL EPT violation (MMIO): reason EPT_MISCONFIG",
	  EXIT_REASON_TDCALL, 0, EXIT_REASON_EPT_VIOLATION, 0,
	  EXIT_REASON_EPT_MISCONFIG, EXIT_REASON_EPT_VIOLATION, EXIT_FASTPATH_NONE },
	{ "TDCALL MapGPA: reason TDCALL",
	  EXIT_REASON_TDCALL, 0, TDVMCALL_MAP_GPA, 0,
	  EXIT_REASON_TDCALL, TDVMCALL_MAP_GPA, EXIT_FASTPATH_NONE },
	{ "TDCALL vendor-specific (R10 != 0): reason VMCALL",
	  EXIT_REASON_TDCALL, 1, 0x4b564d, 0,
	  EXIT_REASON_VMCALL, 0x4b564d, EXIT_FASTPATH_NONE },
	{ "EPT misconfig",
	  EXIT_REASON_EPT_MISCONFIG, 0, TDX_KUNIT_GARBAGE, 0,
	  (u32)-1, 0, EXIT_FASTPATH_NONE },
	{ "TDX_SW_ERROR: SEAMCALL #UD",
	  TDX_SEAMCALL_UD, 0, TDX_KUNIT_GARBAGE, 0,
	  (u32)-1, 0, EXIT_FASTPATH_NONE },
	{ "TDX_SW_ERROR: VMFailInvalid",
	  TDX_SEAMCALL_VMFAILINVALID, 0, TDX_KUNIT_GARBAGE, 0,
	  (u32)-1, 0, EXIT_FASTPATH_NONE },
	{ "OPERAND_BUSY on the SEPT",
	  TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT, 0, TDX_KUNIT_GARBAGE, 0,
	  (u32)-1, 0, EXIT_FASTPATH_EXIT_HANDLED },
	{ "non-recoverable vCPU, triple fault",
	  TDX_NON_RECOVERABLE_VCPU | EXIT_REASON_TRIPLE_FAULT, 0, TDX_KUNIT_GARBAGE, 0,
	  EXIT_REASON_TRIPLE_FAULT, 0, EXIT_FASTPATH_NONE },
	{ "non-recoverable TD on a TDCALL: no leaf",
	  TDX_NON_RECOVERABLE_TD | EXIT_REASON_TDCALL, 0, EXIT_REASON_HLT, 0,
	  EXIT_REASON_HLT, 0, EXIT_FASTPATH_NONE },
	{ "failed VM entry",
	  VMX_EXIT_REASONS_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE, 0,
	  TDX_KUNIT_GARBAGE, 0,
	  VMX_EXIT_REASONS_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE, 0,
	  EXIT_FASTPATH_NONE },
};

static void tdx_kunit_exit_desc(const struct tdx_kunit_exit_case *x, char *desc)
{
	strscpy(desc, x->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tdx_kunit_exits, tdx_kunit_exits, tdx_kunit_exit_desc);

static void tdx_kunit_exit_kinds(struct kunit *test)
{
	const struct tdx_kunit_exit_case *x = test->param_value;
	struct tdx_kunit_ctx *c = test->priv;
	struct tdx_kunit_script *s = &tdx_kunit_script;
	fastpath_t ret;
	u64 t0, t1;

	s->ret = x->ret;
	s->r10 = x->r10;
	s->r11 = x->r11;
	s->rcx = x->qual;
	s->rdx = 0x5a5a;
	ret = tdx_kunit_run(c, &t0, &t1);

	KUNIT_EXPECT_EQ(test, s->calls, 1);
	KUNIT_EXPECT_EQ(test, ret, x->fastpath);
	KUNIT_EXPECT_EQ(test, c->tdx->vp_enter_ret, x->ret);
	KUNIT_EXPECT_EQ(test, c->tdx->vt.exit_reason.full, x->reason);
	KUNIT_EXPECT_EQ(test, c->tdx->vt.exit_qualification, x->qual);
	tdx_kunit_expect_vp_enter(test, x->ret, x->reason, x->leaf, x->qual, 0,
				  t0, t1);
	/* the start time is consumed: the next exit needs a new entry */
	KUNIT_EXPECT_EQ(test, c->tdx->trace_tsc_enter, 0);
}

/* Disabled: TDH.VP.ENTER runs, nothing is timed or reported. */
static void tdx_kunit_disabled(struct kunit *test)
{
	struct tdx_kunit_ctx *c = test->priv;
	fastpath_t ret;
	u64 t0, t1;

	tdx_kunit_probe_vp_enter(test, false);
	tdx_kunit_script.ret = EXIT_REASON_TDCALL;
	tdx_kunit_script.r11 = EXIT_REASON_HLT;
	ret = tdx_kunit_run(c, &t0, &t1);
	KUNIT_EXPECT_EQ(test, ret, EXIT_FASTPATH_NONE);
	KUNIT_EXPECT_EQ(test, tdx_kunit_script.calls, 1);
	KUNIT_EXPECT_EQ(test, c->tdx->vt.exit_reason.full, EXIT_REASON_HLT);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.vp_enter, 0);
	KUNIT_EXPECT_EQ(test, c->tdx->trace_tsc_enter, 0);
	KUNIT_EXPECT_EQ(test, c->tdx->trace_tsc_exit, 0);
}

/* A SEPT zap being retried: no entry at all, the deferral reported. */
static void tdx_kunit_deferred(struct kunit *test)
{
	struct tdx_kunit_ctx *c = test->priv;
	fastpath_t ret;
	u64 t0, t1;

	WRITE_ONCE(c->kvm_tdx->wait_for_sept_zap, true);
	ret = tdx_kunit_run(c, &t0, &t1);
	KUNIT_EXPECT_EQ(test, ret, EXIT_FASTPATH_EXIT_HANDLED);
	KUNIT_EXPECT_EQ(test, tdx_kunit_script.calls, 0);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.deferred, 1);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.deferred_vcpu, TDX_KUNIT_VCPU_ID);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.vp_enter, 0);
	KUNIT_EXPECT_EQ(test, c->tdx->trace_tsc_enter, 0);

	WRITE_ONCE(c->kvm_tdx->wait_for_sept_zap, false);
	tdx_kunit_script.ret = EXIT_REASON_EXTERNAL_INTERRUPT;
	tdx_kunit_run(c, &t0, &t1);
	KUNIT_EXPECT_EQ(test, tdx_kunit_script.calls, 1);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.deferred, 1);
	tdx_kunit_expect_vp_enter(test, EXIT_REASON_EXTERNAL_INTERRUPT,
				  EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, t0, t1);
}

/*
 * The restored mask, for each combination of the four conditions, with the
 * stand-in leaving the TD's values where the TDX module would, and the
 * registers read back after the run.
 */
static const unsigned int tdx_kunit_masks[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};

static void tdx_kunit_mask_desc(const unsigned int *m, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "restored:%s%s%s%s%s",
		 *m & TDX_RESTORED_DEBUGCTL ? " DEBUGCTL" : "",
		 *m & TDX_RESTORED_PKRU ? " PKRU" : "",
		 *m & TDX_RESTORED_XCR0 ? " XCR0" : "",
		 *m & TDX_RESTORED_XSS ? " XSS" : "",
		 *m ? "" : " none");
}

KUNIT_ARRAY_PARAM(tdx_kunit_masks, tdx_kunit_masks, tdx_kunit_mask_desc);

static void tdx_kunit_restored(struct kunit *test)
{
	unsigned int m = *(const unsigned int *)test->param_value;
	struct tdx_kunit_ctx *c = test->priv;
	struct tdx_kunit_script *s = &tdx_kunit_script;
	struct kvm_vcpu *vcpu = c->vcpu;
	u64 host_debugctl = 0, v, t0, t1;
	u32 host_pkru = 0;

	if (m & TDX_RESTORED_PKRU) {
		if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
			kunit_skip(test, "PKRU: the CPU has no protection keys enabled");
		host_pkru = rdpkru() ?: 0x55555554;
		wrpkru(host_pkru);
		vcpu->arch.host_pkru = host_pkru;
		s->set_pkru = true;	/* the TD's PKRU: 0 */
	}
	if (m & TDX_RESTORED_DEBUGCTL) {
		if (rdmsrq_safe(MSR_IA32_DEBUGCTLMSR, &host_debugctl) ||
		    wrmsrq_safe(MSR_IA32_DEBUGCTLMSR, host_debugctl | DEBUGCTLMSR_LBR))
			kunit_skip(test, "DEBUGCTL: the CPU refuses the MSR");
		host_debugctl |= DEBUGCTLMSR_LBR;
		rdmsrq(MSR_IA32_DEBUGCTLMSR, v);
		/* the TD's: cleared but for the preserved bits */
		s->set_debugctl = v == host_debugctl;
		s->debugctl = host_debugctl & TDX_DEBUGCTL_PRESERVED;
		if (!s->set_debugctl)
			kunit_info(test, "this CPU does not keep DEBUGCTL.LBR: the restore is not read back\n");
	} else {
		/* a preserved bit alone needs no restore */
		host_debugctl = DEBUGCTLMSR_BTF;
	}
	vcpu->arch.host_debugctl = host_debugctl;
	if (m & TDX_RESTORED_XCR0) {
		if (!(kvm_host.xcr0 & XFEATURE_MASK_SSE))
			kunit_skip(test, "XCR0: the host has no XSAVE state past x87");
		/* a TD with x87 state only */
		c->kvm_tdx->xfam &= ~kvm_host.xcr0;
		c->kvm_tdx->xfam |= XFEATURE_MASK_FP;
		s->set_xcr0 = true;
		s->xcr0 = XFEATURE_MASK_FP;
	}
	if (m & TDX_RESTORED_XSS) {
		/*
		 * A TD whose supervisor states differ from the host's in one
		 * (PT's bit).  The stand-in leaves XSS alone: that value need
		 * not be one this CPU takes.
		 */
		kvm_caps.supported_xss = kvm_host.xss | BIT_ULL(8);
		c->kvm_tdx->xfam &= ~kvm_host.xss;
		c->kvm_tdx->xfam |= kvm_host.xss ^ BIT_ULL(8);
		if (!boot_cpu_has(X86_FEATURE_XSAVES))
			kunit_info(test, "no XSAVES: the restore's WRMSR to IA32_XSS faults and is fixed up\n");
	}

	s->ret = EXIT_REASON_TDCALL;
	s->r11 = EXIT_REASON_CPUID;
	tdx_kunit_run(c, &t0, &t1);
	tdx_kunit_expect_vp_enter(test, EXIT_REASON_TDCALL, EXIT_REASON_CPUID,
				  EXIT_REASON_CPUID, 0, m, t0, t1);

	/* what was clobbered is the host's again */
	if (m & TDX_RESTORED_PKRU)
		KUNIT_EXPECT_EQ(test, rdpkru(), host_pkru);
	if (m & TDX_RESTORED_XCR0)
		KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), kvm_host.xcr0);
	if ((m & TDX_RESTORED_XSS) && boot_cpu_has(X86_FEATURE_XSAVES)) {
		rdmsrq(MSR_IA32_XSS, v);
		KUNIT_EXPECT_EQ(test, v, kvm_host.xss);
	}
	if (s->set_debugctl) {
		rdmsrq(MSR_IA32_DEBUGCTLMSR, v);
		KUNIT_EXPECT_EQ(test, v, host_debugctl);
	}
	if (m & TDX_RESTORED_DEBUGCTL)
		wrmsrq(MSR_IA32_DEBUGCTLMSR, host_debugctl & ~DEBUGCTLMSR_LBR);
}

/*
 * The event switched on and off while a vCPU runs.  A worker on another CPU
 * runs back to back, each TDH.VP.ENTER long enough for the switch (made
 * with register/unregister, as perf and BPF do) to fall inside some runs;
 * text patching goes on while the worker's interrupts are off.  Each of the
 * three static branches of a run (entry timestamp, exit timestamp, the call
 * of tdx_trace_vp_enter()) may see the event on or off; what each saw is
 * known afterwards (a fresh trace_tsc_enter, trace_tsc_exit written,
 * trace_tsc_enter consumed).  A run is reported only if all three saw it
 * on, with a guest time inside the run; in particular an exit whose entry
 * was timed in an earlier enabled spell (the start time left behind by an
 * exit the disabled event missed) is never reported.  A run all three saw
 * on goes unreported only when the tracepoint's own check, inside the
 * helper, saw it off: the event was being disabled, so the next entry finds
 * it off.
 */
struct tdx_kunit_race {
	struct tdx_kunit_ctx *c;
	bool stop;
	struct completion done;
	unsigned int runs, reported, enabled_between, disabled_between, stale;
	unsigned int unreported_on, wrong, wrong_span, wrong_missed;
	bool wrong_entry, wrong_exit, wrong_called;
	u64 wrong_enter, wrong_t0, wrong_guest;
	u64 m_seen, m_since, m_exit, m_t0, m_t1;
};

static int tdx_kunit_race_fn(void *arg)
{
	struct tdx_kunit_race *r = arg;
	struct vcpu_tdx *tdx = r->c->tdx;
	bool entry_on, exit_on, called, reported, all_on, missed = false;
	unsigned int before;
	u64 t0, t1, seen;

	while (!READ_ONCE(r->stop)) {
		before = READ_ONCE(tdx_kunit_ev.vp_enter);
		tdx->trace_tsc_exit = 0;
		tdx_kunit_run(r->c, &t0, &t1);
		seen = tdx_kunit_script.tsc_enter_seen;
		entry_on = seen >= t0;
		exit_on = tdx->trace_tsc_exit != 0;
		called = seen && !tdx->trace_tsc_enter;
		reported = READ_ONCE(tdx_kunit_ev.vp_enter) != before;
		r->runs++;
		r->reported += reported;
		r->enabled_between += !entry_on && exit_on;
		r->disabled_between += entry_on && !exit_on;
		r->stale += seen && !entry_on && exit_on && called;
		all_on = entry_on && exit_on && called;
		if (missed && entry_on)
			r->wrong_missed++;
		if (all_on && !reported && !r->unreported_on) {
			r->m_seen = seen;
			r->m_since = READ_ONCE(tdx_vp_enter_enabled_tsc);
			r->m_exit = tdx->trace_tsc_exit;
			r->m_t0 = t0;
			r->m_t1 = t1;
		}
		missed = all_on && !reported;
		r->unreported_on += missed;
		if (reported && !all_on && !r->wrong++) {
			r->wrong_entry = entry_on;
			r->wrong_exit = exit_on;
			r->wrong_called = called;
			r->wrong_enter = seen;
			r->wrong_t0 = t0;
			r->wrong_guest = tdx_kunit_ev.last.guest_cycles;
		}
		if (reported && tdx_kunit_ev.last.guest_cycles > t1 - t0)
			r->wrong_span++;
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

static void tdx_kunit_toggled(struct kunit *test)
{
	struct tdx_kunit_ctx *c = test->priv;
	struct tdx_kunit_race r = { .c = c };
	struct task_struct *worker;
	int cpu, i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	tdx_kunit_probe_vp_enter(test, false);
	tdx_kunit_script.ret = EXIT_REASON_EXTERNAL_INTERRUPT;
	tdx_kunit_script.spin = 2000000;
	init_completion(&r.done);

	/* this thread and the worker on different CPUs */
	cpu = cpumask_next(cpumask_first(cpu_online_mask), cpu_online_mask);
	KUNIT_ASSERT_EQ(test, 0,
			set_cpus_allowed_ptr(current, cpumask_of(cpumask_first(cpu_online_mask))));
	worker = kthread_create(tdx_kunit_race_fn, &r, "tdx_kunit_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(worker));
	kthread_bind(worker, cpu);
	wake_up_process(worker);

	for (i = 0; i < 40; i++) {
		usleep_range(1000, 3000);
		tdx_kunit_probe_vp_enter(test, true);
		usleep_range(1000, 3000);
		tdx_kunit_probe_vp_enter(test, false);
	}
	WRITE_ONCE(r.stop, true);
	wait_for_completion(&r.done);
	set_cpus_allowed_ptr(current, cpu_possible_mask);

	kunit_info(test, "%u runs, %u reported; enabled between entry and exit in %u (%u with a start time left from before), disabled in %u, disabled inside the helper in %u\n",
		   r.runs, r.reported, r.enabled_between, r.stale,
		   r.disabled_between, r.unreported_on);
	KUNIT_EXPECT_EQ_MSG(test, r.wrong, 0,
			    "first wrong run: entry/exit/call saw the event %s/%s/%s, trace_tsc_enter %llu, run began %llu, last guest time %llu",
			    r.wrong_entry ? "on" : "off", r.wrong_exit ? "on" : "off",
			    r.wrong_called ? "on" : "off", r.wrong_enter,
			    r.wrong_t0, r.wrong_guest);
	KUNIT_EXPECT_EQ(test, r.wrong_span, 0);
	KUNIT_EXPECT_EQ_MSG(test, r.wrong_missed, 0,
			    "first unreported run: trace_tsc_enter %llu, enabled since %llu, exit %llu, run %llu..%llu",
			    r.m_seen, r.m_since, r.m_exit, r.m_t0, r.m_t1);
	KUNIT_EXPECT_GT(test, r.reported, 0);
	KUNIT_EXPECT_GT(test, r.stale, 0);
	KUNIT_EXPECT_GT(test, r.disabled_between, 0);
}

/*
 * vcpu_put's GS base restore and the user-return MSRs: the series' code from
 * tdx_prepare_switch_to_guest() to the notifier, on this CPU.
 */
static const u32 tdx_kunit_uret_flags[] = {
	[0] = TDX_URET_SYSCALL_MASK, [1] = TDX_URET_STAR, [2] = TDX_URET_LSTAR,
	[3] = TDX_URET_TSC_AUX,
};

static void tdx_kunit_host_msrs(struct kunit *test)
{
	struct tdx_kunit_ctx *c = test->priv;
	struct kvm_vcpu *vcpu = c->vcpu;
	u64 host[ARRAY_SIZE(tdx_uret_msrs)], v, gsbase, t0, t1;
	u32 want = 0, nr = 0;
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(tdx_kunit_uret_flags) != ARRAY_SIZE(tdx_uret_msrs));
	preempt_disable();
	for (i = 0; i < ARRAY_SIZE(tdx_uret_msrs); i++) {
		rdmsrq(tdx_uret_msrs[i].msr, host[i]);
		if (host[i] != tdx_uret_msrs[i].defval) {
			want |= tdx_kunit_uret_flags[i];
			nr++;
		}
	}
	tdx_prepare_switch_to_guest(vcpu);
	for (i = 0; i < ARRAY_SIZE(tdx_uret_msrs); i++) {
		rdmsrq(tdx_uret_msrs[i].msr, v);
		KUNIT_EXPECT_EQ(test, v, tdx_uret_msrs[i].defval);
	}
	gsbase = to_vt(vcpu)->msr_host_kernel_gs_base;
	wrmsrq(MSR_KERNEL_GS_BASE, gsbase ^ 0x1000);	/* the TD's */

	t0 = rdtsc_ordered();
	tdx_vcpu_put(vcpu);
	t1 = rdtsc_ordered();
	rdmsrq(MSR_KERNEL_GS_BASE, v);
	KUNIT_EXPECT_EQ(test, v, gsbase);
	KUNIT_EXPECT_FALSE(test, to_vt(vcpu)->guest_state_loaded);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.gsbase, 1);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.gsbase_vcpu, TDX_KUNIT_VCPU_ID);
	KUNIT_EXPECT_GT(test, tdx_kunit_ev.gsbase_cycles, 0);
	KUNIT_EXPECT_LE(test, tdx_kunit_ev.gsbase_cycles, t1 - t0);
	/* a second put has nothing to restore */
	tdx_vcpu_put(vcpu);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.gsbase, 1);

	/* the return to user space: what the TD clobbered, written back */
	t0 = rdtsc_ordered();
	fire_user_return_notifiers();
	t1 = rdtsc_ordered();
	for (i = 0; i < ARRAY_SIZE(tdx_uret_msrs); i++) {
		rdmsrq(tdx_uret_msrs[i].msr, v);
		KUNIT_EXPECT_EQ(test, v, host[i]);
	}
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.uret, 1);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.uret_msrs, want);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.uret_nr, nr);
	KUNIT_EXPECT_GT(test, tdx_kunit_ev.uret_cycles, 0);
	KUNIT_EXPECT_LE(test, tdx_kunit_ev.uret_cycles, t1 - t0);

	/* without a TD on the CPU the restore happens, unreported */
	kvm_set_user_return_msr(tdx_uret_msrs[1].slot, host[1] ^ 0x10000, -1ull);
	fire_user_return_notifiers();
	rdmsrq(tdx_uret_msrs[1].msr, v);
	KUNIT_EXPECT_EQ(test, v, host[1]);
	KUNIT_EXPECT_EQ(test, tdx_kunit_ev.uret, 1);
	preempt_enable();
}

/* in x86.c of the test build; not in x86.h, so no other file compiles anew */
void kvm_user_return_msrs_kunit_online(void);

static void tdx_kunit_uret_online(void *unused)
{
	kvm_user_return_msrs_kunit_online();
}

/* The user-return slots tdx_bringup() would have taken, on every CPU. */
static int tdx_kunit_suite_init(struct kunit_suite *suite)
{
	int i, slot;

	for (i = 0; i < ARRAY_SIZE(tdx_uret_msrs); i++) {
		slot = kvm_find_user_return_msr(tdx_uret_msrs[i].msr);
		if (slot < 0)
			slot = kvm_add_user_return_msr(tdx_uret_msrs[i].msr);
		if (slot < 0)
			return -ENODEV;
		tdx_uret_msrs[i].slot = slot;
	}
	on_each_cpu(tdx_kunit_uret_online, NULL, 1);
	return 0;
}

static struct kunit_case tdx_kunit_cases[] = {
	KUNIT_CASE(tdx_kunit_disabled),
	KUNIT_CASE_PARAM(tdx_kunit_exit_kinds, tdx_kunit_exits_gen_params),
	KUNIT_CASE_PARAM(tdx_kunit_restored, tdx_kunit_masks_gen_params),
	KUNIT_CASE(tdx_kunit_deferred),
	KUNIT_CASE(tdx_kunit_toggled),
	KUNIT_CASE(tdx_kunit_host_msrs),
	{}
};

static struct kunit_suite tdx_kunit_suite = {
	.name = "tdx_enter_exit",
	.suite_init = tdx_kunit_suite_init,
	.init = tdx_kunit_init,
	.exit = tdx_kunit_exit,
	.test_cases = tdx_kunit_cases,
};

kunit_test_suite(tdx_kunit_suite);
