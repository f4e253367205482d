// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Names of VMX and SVM exit reasons, TDX SEAMCALL status classes and
 * TDVMCALL leaves.  The values are those of Linux 7.2's
 * arch/x86/include/uapi/asm/vmx.h, uapi/asm/svm.h,
 * arch/x86/include/asm/shared/tdx_errno.h and asm/shared/tdx.h;
 * tests/unit/decode.sh checks these tables against those headers.
 */
#include <stdio.h>
#include <string.h>
#include "model/model.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

const struct tdxtop_name tdxtop_exit_reasons[] = {
	{ 0, "EXCEPTION_NMI" },		{ 1, "EXTERNAL_INTERRUPT" },
	{ 2, "TRIPLE_FAULT" },		{ 3, "INIT_SIGNAL" },
	{ 4, "SIPI_SIGNAL" },		{ 6, "OTHER_SMI" },
	{ 7, "INTERRUPT_WINDOW" },	{ 8, "NMI_WINDOW" },
	{ 9, "TASK_SWITCH" },		{ 10, "CPUID" },
	{ 12, "HLT" },			{ 13, "INVD" },
	{ 14, "INVLPG" },		{ 15, "RDPMC" },
	{ 16, "RDTSC" },		{ 18, "VMCALL" },
	{ 19, "VMCLEAR" },		{ 20, "VMLAUNCH" },
	{ 21, "VMPTRLD" },		{ 22, "VMPTRST" },
	{ 23, "VMREAD" },		{ 24, "VMRESUME" },
	{ 25, "VMWRITE" },		{ 26, "VMOFF" },
	{ 27, "VMON" },			{ 28, "CR_ACCESS" },
	{ 29, "DR_ACCESS" },		{ 30, "IO_INSTRUCTION" },
	{ 31, "MSR_READ" },		{ 32, "MSR_WRITE" },
	{ 33, "INVALID_STATE" },	{ 34, "MSR_LOAD_FAIL" },
	{ 36, "MWAIT_INSTRUCTION" },	{ 37, "MONITOR_TRAP_FLAG" },
	{ 39, "MONITOR_INSTRUCTION" },	{ 40, "PAUSE_INSTRUCTION" },
	{ 41, "MCE_DURING_VMENTRY" },	{ 43, "TPR_BELOW_THRESHOLD" },
	{ 44, "APIC_ACCESS" },		{ 45, "EOI_INDUCED" },
	{ 46, "GDTR_IDTR" },		{ 47, "LDTR_TR" },
	{ 48, "EPT_VIOLATION" },	{ 49, "EPT_MISCONFIG" },
	{ 50, "INVEPT" },		{ 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" },	{ 53, "INVVPID" },
	{ 54, "WBINVD" },		{ 55, "XSETBV" },
	{ 56, "APIC_WRITE" },		{ 57, "RDRAND" },
	{ 58, "INVPCID" },		{ 59, "VMFUNC" },
	{ 60, "ENCLS" },		{ 61, "RDSEED" },
	{ 62, "PML_FULL" },		{ 63, "XSAVES" },
	{ 64, "XRSTORS" },		{ 67, "UMWAIT" },
	{ 68, "TPAUSE" },		{ 74, "BUS_LOCK" },
	{ 75, "NOTIFY" },		{ 76, "SEAMCALL" },
	{ 77, "TDCALL" },		{ 84, "MSR_READ_IMM" },
	{ 85, "MSR_WRITE_IMM" },
};
const size_t tdxtop_nr_exit_reasons = N(tdxtop_exit_reasons);

/*
 * SVM exit codes as kvm_exit reports them (its exit_reason is 32 bits, so
 * SVM_EXIT_ERR, -1, is 0xffffffff), named as SVM_EXIT_REASONS names them:
 * what kvm_exit's own output and perf kvm stat show
 */
const struct tdxtop_name tdxtop_svm_exit_reasons[] = {
	{ 0x0, "read_cr0" },
	{ 0x2, "read_cr2" },
	{ 0x3, "read_cr3" },
	{ 0x4, "read_cr4" },
	{ 0x8, "read_cr8" },
	{ 0x10, "write_cr0" },
	{ 0x12, "write_cr2" },
	{ 0x13, "write_cr3" },
	{ 0x14, "write_cr4" },
	{ 0x18, "write_cr8" },
	{ 0x20, "read_dr0" },
	{ 0x21, "read_dr1" },
	{ 0x22, "read_dr2" },
	{ 0x23, "read_dr3" },
	{ 0x24, "read_dr4" },
	{ 0x25, "read_dr5" },
	{ 0x26, "read_dr6" },
	{ 0x27, "read_dr7" },
	{ 0x30, "write_dr0" },
	{ 0x31, "write_dr1" },
	{ 0x32, "write_dr2" },
	{ 0x33, "write_dr3" },
	{ 0x34, "write_dr4" },
	{ 0x35, "write_dr5" },
	{ 0x36, "write_dr6" },
	{ 0x37, "write_dr7" },
	{ 0x40, "DE excp" },
	{ 0x41, "DB excp" },
	{ 0x43, "BP excp" },
	{ 0x44, "OF excp" },
	{ 0x45, "BR excp" },
	{ 0x46, "UD excp" },
	{ 0x47, "NM excp" },
	{ 0x48, "DF excp" },
	{ 0x4a, "TS excp" },
	{ 0x4b, "NP excp" },
	{ 0x4c, "SS excp" },
	{ 0x4d, "GP excp" },
	{ 0x4e, "PF excp" },
	{ 0x50, "MF excp" },
	{ 0x51, "AC excp" },
	{ 0x52, "MC excp" },
	{ 0x53, "XF excp" },
	{ 0x60, "interrupt" },
	{ 0x61, "nmi" },
	{ 0x62, "smi" },
	{ 0x63, "init" },
	{ 0x64, "vintr" },
	{ 0x65, "cr0_sel_write" },
	{ 0x66, "read_idtr" },
	{ 0x67, "read_gdtr" },
	{ 0x68, "read_ldtr" },
	{ 0x69, "read_rt" },
	{ 0x6a, "write_idtr" },
	{ 0x6b, "write_gdtr" },
	{ 0x6c, "write_ldtr" },
	{ 0x6d, "write_rt" },
	{ 0x6e, "rdtsc" },
	{ 0x6f, "rdpmc" },
	{ 0x70, "pushf" },
	{ 0x71, "popf" },
	{ 0x72, "cpuid" },
	{ 0x73, "rsm" },
	{ 0x74, "iret" },
	{ 0x75, "swint" },
	{ 0x76, "invd" },
	{ 0x77, "pause" },
	{ 0x78, "hlt" },
	{ 0x79, "invlpg" },
	{ 0x7a, "invlpga" },
	{ 0x7b, "io" },
	{ 0x7c, "msr" },
	{ 0x7d, "task_switch" },
	{ 0x7e, "ferr_freeze" },
	{ 0x7f, "shutdown" },
	{ 0x80, "vmrun" },
	{ 0x81, "hypercall" },
	{ 0x82, "vmload" },
	{ 0x83, "vmsave" },
	{ 0x84, "stgi" },
	{ 0x85, "clgi" },
	{ 0x86, "skinit" },
	{ 0x87, "rdtscp" },
	{ 0x88, "icebp" },
	{ 0x89, "wbinvd" },
	{ 0x8a, "monitor" },
	{ 0x8b, "mwait" },
	{ 0x8d, "xsetbv" },
	{ 0x8f, "write_efer_trap" },
	{ 0x90, "write_cr0_trap" },
	{ 0x94, "write_cr4_trap" },
	{ 0x98, "write_cr8_trap" },
	{ 0xa2, "invpcid" },
	{ 0xa5, "buslock" },
	{ 0xa6, "idle-halt" },
	{ 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" },
	{ 0x402, "avic_unaccelerated_access" },
	{ 0x403, "vmgexit" },
	{ 0x80000001, "vmgexit_mmio_read" },
	{ 0x80000002, "vmgexit_mmio_write" },
	{ 0x80000003, "vmgexit_nmi_complete" },
	{ 0x80000004, "vmgexit_ap_hlt_loop" },
	{ 0x80000005, "vmgexit_ap_jump_table" },
	{ 0x80000010, "vmgexit_page_state_change" },
	{ 0x80000011, "vmgexit_guest_request" },
	{ 0x80000012, "vmgexit_ext_guest_request" },
	{ 0x80000013, "vmgexit_ap_creation" },
	{ 0x8000fffd, "vmgexit_hypervisor_feature" },
	{ 0xffffffff, "invalid_guest_state" },
};
const size_t tdxtop_nr_svm_exit_reasons = N(tdxtop_svm_exit_reasons);

/* status classes: bits 63:32 of the TDH.VP.ENTER return */
const struct tdxtop_name tdxtop_statuses[] = {
	{ 0x00000000, "SUCCESS" },
	{ 0x40000001, "NON_RECOVERABLE_VCPU" },
	{ 0x40000002, "NON_RECOVERABLE_TD" },
	{ 0x60000005, "NON_RECOVERABLE_TD_NON_ACCESSIBLE" },
	{ 0x60000007, "NON_RECOVERABLE_TD_WRONG_APIC_MODE" },
	{ 0x80000003, "INTERRUPTED_RESUMABLE" },
	{ 0x80000202, "SYS_BUSY" },
	{ 0xC0000100, "OPERAND_INVALID" },
	{ 0x80000200, "OPERAND_BUSY" },
	{ 0x80000201, "PREVIOUS_TLB_EPOCH_BUSY" },
	{ 0xC0000300, "PAGE_METADATA_INCORRECT" },
	{ 0x80000702, "VCPU_NOT_ASSOCIATED" },
	{ 0x80000800, "KEY_GENERATION_FAILED" },
	{ 0xC0000811, "KEY_STATE_INCORRECT" },
	{ 0x00000815, "KEY_CONFIGURED" },
	{ 0x00000821, "NO_HKID_READY_TO_WBCACHE" },
	{ 0x80000824, "FLUSHVP_NOT_DONE" },
	{ 0xC0000B00, "EPT_WALK_FAILED" },
	{ 0xC0000B0D, "EPT_ENTRY_STATE_INCORRECT" },
	{ 0xC0000C02, "METADATA_FIELD_NOT_READABLE" },
	{ 0x8000FF00, "SW_ERROR" },	/* TDX_SW_ERROR: VMFAILINVALID, #GP, #UD */
};
const size_t tdxtop_nr_statuses = N(tdxtop_statuses);

/* GHCI leaves; instruction leaves are VMX exit reasons */
const struct tdxtop_name tdxtop_leaves[] = {
	{ 0x10000, "GetTdVmCallInfo" },
	{ 0x10001, "MapGPA" },
	{ 0x10002, "GetQuote" },
	{ 0x10003, "ReportFatalError" },
	{ 0x10004, "SetupEventNotifyInterrupt" },
};
const size_t tdxtop_nr_leaves = N(tdxtop_leaves);

static const char *find(const struct tdxtop_name *t, size_t n, __u64 code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

const char *tdxtop_exit_reason_name(__u32 reason)
{
	/* named per row of every view: index the table once */
	static const char *by_code[128];
	static bool indexed;
	const char *s;
	size_t i;

	if (!indexed) {
		for (i = 0; i < N(tdxtop_exit_reasons); i++)
			if (tdxtop_exit_reasons[i].code < N(by_code))
				by_code[tdxtop_exit_reasons[i].code] = tdxtop_exit_reasons[i].name;
		indexed = true;
	}
	if (reason < N(by_code))
		return by_code[reason];
	s = find(tdxtop_exit_reasons, N(tdxtop_exit_reasons), reason);

	if (s)
		return s;
	if (reason == ~0U)
		return "NONE";
	return NULL;
}

const char *tdxtop_svm_exit_reason_name(__u32 code)
{
	/* named per row of every view: index the low codes once */
	static const char *by_code[0x500];
	static bool indexed;
	size_t i;

	if (!indexed) {
		for (i = 0; i < N(tdxtop_svm_exit_reasons); i++)
			if (tdxtop_svm_exit_reasons[i].code < N(by_code))
				by_code[tdxtop_svm_exit_reasons[i].code] =
					tdxtop_svm_exit_reasons[i].name;
		indexed = true;
	}
	if (code < N(by_code))
		return by_code[code];
	return find(tdxtop_svm_exit_reasons, N(tdxtop_svm_exit_reasons), code);
}

const char *tdxtop_key_reason_name(const struct tdxtop_key *k)
{
	if (k->kind == TDXTOP_KIND_KVM_EXIT && k->status == TDXTOP_ISA_SVM)
		return tdxtop_svm_exit_reason_name(k->reason);
	/* kvm_exit on VMX: the full exit reason, flags in bits 31:16 */
	if (k->kind == TDXTOP_KIND_KVM_EXIT && k->reason != ~0U)
		return tdxtop_exit_reason_name(k->reason & 0xffff);
	return tdxtop_exit_reason_name(k->reason);
}

const char *tdxtop_row_type(__u32 kind, const char *source)
{
	if (kind != TDXTOP_KIND_KVM_EXIT)
		return "td";
	/* only the btf source tells a TD's exits from another VM's */
	return source && !strcmp(source, "btf") ? "vm" : NULL;
}

const char *const *tdxtop_source_unavailable(const char *source)
{
	static const char *const none[] = { NULL };
	static const char *const kvm[] = {
		"status", "leaf", "restore", "exits_without_kvm_exit", NULL,
	};
	/* the btf source: a TD's restore of host state is not timed */
	static const char *const btf[] = { "restore", NULL };

	if (source && !strcmp(source, "kvm"))
		return kvm;
	return source && !strcmp(source, "btf") ? btf : none;
}

const char *tdxtop_source_note(const char *source)
{
	if (!*tdxtop_source_unavailable(source))
		return NULL;
	if (!strcmp(source, "btf"))
		return "source btf (stock KVM read through BTF): no restore costs, GS base, "
		       "user-return or deferred-entry events; guest time is kvm_entry to "
		       "tdx_vcpu_run()'s return; for the rest boot tdxtop's tdx tracepoints "
		       "(kernel/patches)";
	return "source kvm (kvm_entry/kvm_exit): no TDX status, TDVMCALL leaf, restore "
	       "costs or exits without kvm_exit; for them boot tdxtop's tdx tracepoints "
	       "(kernel/patches)";
}

const char *tdxtop_isa_name(__u32 isa)
{
	return isa == TDXTOP_ISA_VMX ? "vmx" : isa == TDXTOP_ISA_SVM ? "svm" : NULL;
}

const char *tdxtop_status_name(__u32 status_class)
{
	const char *s = find(tdxtop_statuses, N(tdxtop_statuses), status_class);

	if (s)
		return s;
	/* any other SW error: bit 63 and bits 47:40 set */
	if ((status_class & 0x8000FF00) == 0x8000FF00)
		return "SW_ERROR";
	if (status_class & 0x40000000)
		return "NON_RECOVERABLE";
	if (status_class & 0x80000000)
		return "ERROR";
	return NULL;
}

const char *tdxtop_leaf_name(__u64 leaf)
{
	const char *s = find(tdxtop_leaves, N(tdxtop_leaves), leaf);

	if (s)
		return s;
	if (leaf < 0x10000)
		return tdxtop_exit_reason_name(leaf);
	return NULL;
}

const char *tdxtop_kind_name(__u32 kind)
{
	/* an exit is an exit, whichever source saw it (JSON "source" says) */
	static const char *const names[TDXTOP_NR_KINDS] = {
		"exit", "deferred", "gsbase", "uret", "exit", "exit",
	};

	return kind < TDXTOP_NR_KINDS ? names[kind] : "?";
}

const char *tdxtop_metric_name(int m)
{
	static const char *const names[TDXTOP_NR_METRICS] = {
		"guest", "host", "restore",
	};

	return m >= 0 && m < TDXTOP_NR_METRICS ? names[m] : "?";
}

const char *tdxtop_restored_name(int bit)
{
	static const char *const names[TDXTOP_NR_RESTORED] = {
		"DEBUGCTL", "PKRU", "XCR0", "XSS",
	};

	return bit >= 0 && bit < TDXTOP_NR_RESTORED ? names[bit] : "?";
}

const char *tdxtop_uret_msr_name(int bit)
{
	static const char *const names[] = {
		"STAR", "LSTAR", "SYSCALL_MASK", "TSC_AUX", "TSX_CTRL", "OTHER",
	};

	return bit >= 0 && bit < (int)N(names) ? names[bit] : "?";
}

/* the names in the JSON "drops" object (docs/json.md) */
const char *tdxtop_loss_name(int loss)
{
	static const char *const names[TDXTOP_NR_LOSSES] = {
		[TDXTOP_LOSS_STATS_FULL] = "stats_full",
		[TDXTOP_LOSS_HIST_FULL] = "hist_full",
		[TDXTOP_LOSS_VCPU_FULL] = "vcpu_full",
		[TDXTOP_LOSS_MISSED] = "missed",
	};

	return loss >= 0 && loss < TDXTOP_NR_LOSSES ? names[loss] : "?";
}

const char *tdxtop_note_name(int note)
{
	static const char *const names[TDXTOP_NR_NOTES] = {
		[TDXTOP_NOTE_FILTERED] = "filtered",
		[TDXTOP_NOTE_HOST_SKEW] = "host_skew",
		[TDXTOP_NOTE_UNPAIRED] = "unpaired",
	};

	return note >= 0 && note < TDXTOP_NR_NOTES ? names[note] : "?";
}

char *tdxtop_hex(char *buf, __u64 v, int digits)
{
	char tmp[20], *t = tmp + sizeof(tmp);
	int n = 0;

	do {
		*--t = "0123456789abcdef"[v & 15];
		v >>= 4;
		n++;
	} while (v || n < digits);
	buf[0] = '0';
	buf[1] = 'x';
	memcpy(buf + 2, t, n);
	buf[2 + n] = '\0';
	return buf;
}

/* a b c into buf, cut to len (labels are built per row: no printf) */
static const char *cat3(char *buf, size_t len, const char *a, const char *b,
			const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t o = 0, n;
	int i;

	for (i = 0; i < 3 && len; i++) {
		n = strlen(parts[i]);
		if (o + n >= len)
			n = len - 1 - o;
		memcpy(buf + o, parts[i], n);
		o += n;
	}
	if (len)
		buf[o] = '\0';
	return buf;
}

const char *tdxtop_row_label(const struct tdxtop_key *k, char *buf, size_t len)
{
	const char *r, *l, *s;
	char rb[16], lb[24], sb[16];

	switch (k->kind) {
	case TDXTOP_KIND_DEFERRED:
		snprintf(buf, len, "DEFERRED(sept_zap)");
		return buf;
	case TDXTOP_KIND_GSBASE:
		snprintf(buf, len, "RESTORE:KERNEL_GS_BASE");
		return buf;
	case TDXTOP_KIND_URET: {
		size_t o = snprintf(buf, len, "RESTORE:URET");
		int b;

		for (b = 0; b < 6 && o < len; b++)
			if (k->leaf & (1u << b))
				o += snprintf(buf + o, len - o, "%s%s",
					      o == 12 ? "(" : ",", tdxtop_uret_msr_name(b));
		if (o > 12 && o < len)
			snprintf(buf + o, len - o, ")");
		return buf;
	}
	default:
		break;
	}

	r = tdxtop_key_reason_name(k);
	if (!r) {
		tdxtop_hex(rb, k->reason, 1);
		r = rb;
	}
	if (k->kind == TDXTOP_KIND_KVM_EXIT) {
		/* VMX's "VM-entry failure" flag, bit 31, as kvm_exit prints it */
		if (k->status == TDXTOP_ISA_VMX && k->reason != ~0U &&
		    (k->reason & 0x80000000))
			return cat3(buf, len, "FAILED_VMENTRY(", r, ")");
		return cat3(buf, len, r, "", "");
	}
	if (k->status && k->status != 0x40000001 && k->status != 0x40000002 &&
	    (k->status & 0x80000000)) {
		s = tdxtop_status_name(k->status);
		if (!s) {
			tdxtop_hex(sb, k->status, 8);
			s = sb;
		}
		return cat3(buf, len, "FAILED(", s, ")");
	}
	if (k->leaf) {
		l = tdxtop_leaf_name(k->leaf);
		if (!l) {
			tdxtop_hex(lb, k->leaf, 1);
			l = lb;
		}
		return cat3(buf, len, "TDCALL:", l, "");
	}
	return cat3(buf, len, r, "", "");
}
