/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tdx

#if !defined(_TRACE_TDX_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_TDX_H

#include <linux/tracepoint.h>
#include <asm/tdx.h>
#include <asm/vmx.h>

#ifndef _TRACE_TDX_DEFS
#define _TRACE_TDX_DEFS

/* Host state written back after TDH.VP.ENTER, tdx_vp_enter's "restored". */
#define TDX_RESTORED_DEBUGCTL	BIT(0)
#define TDX_RESTORED_PKRU	BIT(1)
#define TDX_RESTORED_XCR0	BIT(2)
#define TDX_RESTORED_XSS	BIT(3)

/* User-return MSRs written back, tdx_uret_restore's "msrs". */
#define TDX_URET_STAR		BIT(0)
#define TDX_URET_LSTAR		BIT(1)
#define TDX_URET_SYSCALL_MASK	BIT(2)
#define TDX_URET_TSC_AUX	BIT(3)
#define TDX_URET_TSX_CTRL	BIT(4)
#define TDX_URET_OTHER		BIT(5)

/*
 * TSC when tdx_vp_enter last went from no probe to one.  An entry timestamp
 * older than this was taken while the event was disabled.
 */
extern u64 tdx_vp_enter_enabled_tsc;
int tdx_vp_enter_reg(void);

#endif /* _TRACE_TDX_DEFS */

#define show_tdx_status(status)						\
	__print_symbolic_u64((status) & TDX_SEAMCALL_STATUS_MASK,	\
		{ TDX_SUCCESS,			"SUCCESS" },			\
		{ TDX_NON_RECOVERABLE_VCPU,	"NON_RECOVERABLE_VCPU" },	\
		{ TDX_NON_RECOVERABLE_TD,	"NON_RECOVERABLE_TD" },		\
		{ TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE,			\
			"NON_RECOVERABLE_TD_NON_ACCESSIBLE" },			\
		{ TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE,			\
			"NON_RECOVERABLE_TD_WRONG_APIC_MODE" },			\
		{ TDX_INTERRUPTED_RESUMABLE,	"INTERRUPTED_RESUMABLE" },	\
		{ TDX_SYS_BUSY,			"SYS_BUSY" },			\
		{ TDX_OPERAND_INVALID,		"OPERAND_INVALID" },		\
		{ TDX_OPERAND_BUSY,		"OPERAND_BUSY" },		\
		{ TDX_PREVIOUS_TLB_EPOCH_BUSY,	"PREVIOUS_TLB_EPOCH_BUSY" },	\
		{ TDX_VCPU_NOT_ASSOCIATED,	"VCPU_NOT_ASSOCIATED" },	\
		{ TDX_SW_ERROR & TDX_SEAMCALL_STATUS_MASK, "SW_ERROR" })

#define show_tdx_leaf(leaf)						\
	__print_symbolic_u64(leaf,					\
		{ TDVMCALL_GET_TD_VM_CALL_INFO,	"GetTdVmCallInfo" },		\
		{ TDVMCALL_MAP_GPA,		"MapGPA" },			\
		{ TDVMCALL_GET_QUOTE,		"GetQuote" },			\
		{ TDVMCALL_REPORT_FATAL_ERROR,	"ReportFatalError" },		\
		{ TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT,			\
			"SetupEventNotifyInterrupt" },				\
		VMX_EXIT_REASONS)

#define show_tdx_restored(restored)					\
	__print_flags(restored, "|",					\
		{ TDX_RESTORED_DEBUGCTL,	"DEBUGCTL" },			\
		{ TDX_RESTORED_PKRU,		"PKRU" },			\
		{ TDX_RESTORED_XCR0,		"XCR0" },			\
		{ TDX_RESTORED_XSS,		"XSS" })

#define show_tdx_uret(msrs)						\
	__print_flags(msrs, "|",					\
		{ TDX_URET_STAR,		"STAR" },			\
		{ TDX_URET_LSTAR,		"LSTAR" },			\
		{ TDX_URET_SYSCALL_MASK,	"SYSCALL_MASK" },		\
		{ TDX_URET_TSC_AUX,		"TSC_AUX" },			\
		{ TDX_URET_TSX_CTRL,		"TSX_CTRL" },			\
		{ TDX_URET_OTHER,		"OTHER" })

/*
 * Fires once per TDH.VP.ENTER, after the host state the TDX module does not
 * preserve has been restored, whatever the outcome (including the outcomes
 * for which kvm_exit is not fired).  Times are TSC cycles: guest_cycles spans
 * the SEAMCALL, the TDX module and the guest; restore_cycles spans the
 * DEBUGCTL, PKRU, XCR0 and XSS restore, of which "restored" says which were
 * written.  leaf is the TDVMCALL leaf (R11) when the TD exited on TDCALL.
 * tsc is the TSC at the end of the restore, when the event fires: the host
 * time between two exits of a vCPU is the later event's tsc - restore_cycles
 * - guest_cycles (its entry) minus the earlier event's tsc.
 */
TRACE_EVENT_FN(tdx_vp_enter,
	       TP_PROTO(u32 vcpu_id, u64 status, u32 exit_reason, u64 leaf,
			u64 exit_qual, u64 guest_cycles, u64 restore_cycles,
			u32 restored, u64 tsc),
	       TP_ARGS(vcpu_id, status, exit_reason, leaf, exit_qual,
		       guest_cycles, restore_cycles, restored, tsc),
	       TP_STRUCT__entry(__field(u32, vcpu_id)
				__field(u32, exit_reason)
				__field(u64, status)
				__field(u64, leaf)
				__field(u64, exit_qual)
				__field(u64, guest_cycles)
				__field(u64, restore_cycles)
				__field(u64, tsc)
				__field(u32, restored)),
	       TP_fast_assign(__entry->vcpu_id = vcpu_id;
			      __entry->exit_reason = exit_reason;
			      __entry->status = status;
			      __entry->leaf = leaf;
			      __entry->exit_qual = exit_qual;
			      __entry->guest_cycles = guest_cycles;
			      __entry->restore_cycles = restore_cycles;
			      __entry->restored = restored;
			      __entry->tsc = tsc;),
	       TP_printk("vcpu %u status 0x%016llx %s reason %s (0x%x) leaf %s (0x%llx) qual 0x%llx guest_cycles %llu restore_cycles %llu restored %s tsc %llu",
			 __entry->vcpu_id, __entry->status,
			 show_tdx_status(__entry->status),
			 __print_symbolic(__entry->exit_reason, VMX_EXIT_REASONS),
			 __entry->exit_reason, show_tdx_leaf(__entry->leaf),
			 __entry->leaf, __entry->exit_qual, __entry->guest_cycles,
			 __entry->restore_cycles,
			 show_tdx_restored(__entry->restored), __entry->tsc),
	       tdx_vp_enter_reg, NULL
);

/*
 * Fires when tdx_vcpu_run() returns without TDH.VP.ENTER because a SEPT zap
 * is being retried (wait_for_sept_zap).
 */
TRACE_EVENT(tdx_vp_enter_deferred,
	    TP_PROTO(u32 vcpu_id),
	    TP_ARGS(vcpu_id),
	    TP_STRUCT__entry(__field(u32, vcpu_id)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;),
	    TP_printk("vcpu %u", __entry->vcpu_id)
);

/*
 * Fires when vcpu_put writes the host's MSR_KERNEL_GS_BASE back after a TD
 * ran; cycles is the cost of that write.
 */
TRACE_EVENT(tdx_host_gsbase,
	    TP_PROTO(u32 vcpu_id, u64 cycles),
	    TP_ARGS(vcpu_id, cycles),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u64, cycles)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->cycles = cycles;),
	    TP_printk("vcpu %u cycles %llu", __entry->vcpu_id, __entry->cycles)
);

/*
 * Fires on return to user space when the user-return MSRs a TD clobbered are
 * written back; msrs says which, nr how many, cycles what it cost.
 */
TRACE_EVENT(tdx_uret_restore,
	    TP_PROTO(u32 msrs, u32 nr, u64 cycles),
	    TP_ARGS(msrs, nr, cycles),
	    TP_STRUCT__entry(__field(u32, msrs)
			     __field(u32, nr)
			     __field(u64, cycles)),
	    TP_fast_assign(__entry->msrs = msrs;
			   __entry->nr = nr;
			   __entry->cycles = cycles;),
	    TP_printk("msrs %s nr %u cycles %llu", show_tdx_uret(__entry->msrs),
		      __entry->nr, __entry->cycles)
);

#endif /* _TRACE_TDX_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
