// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model/decode.c through its API: the label of a row of each kind and
 * source (what every view, JSON and Prometheus show), status classes
 * named and classed, leaves, VMX and SVM reasons, the hex of unknown
 * codes, a cut buffer, and what each source says it cannot know.
 * tests/unit/decode.sh holds the tables to Linux 7.2's headers.
 */
#include "model/model.h"
#include "../tap.h"
#include "fixture.h"

static const char *label(__u32 kind, __u32 reason, __u32 status, __u64 leaf)
{
	static char buf[64];
	struct tdxtop_key k = fx_key(1, 0, reason, leaf);

	k.kind = kind;
	k.status = status;
	return tdxtop_row_label(&k, buf, sizeof(buf));
}

static void test_labels(void)
{
	struct tdxtop_key k = fx_key(1, 0, 77, 0x10002);
	char small[10];

	is_str(label(TDXTOP_KIND_EXIT, 12, 0, 0), "HLT", "a TD's HLT");
	is_str(label(TDXTOP_KIND_EXIT, 77, 0, 0x10001), "TDCALL:MapGPA", "a GHCI leaf");
	is_str(label(TDXTOP_KIND_EXIT, 77, 0, 30), "TDCALL:IO_INSTRUCTION",
	       "an instruction leaf is the VMX reason of its number");
	is_str(label(TDXTOP_KIND_EXIT, 77, 0, 0x1234567), "TDCALL:0x1234567",
	       "an unknown leaf in hex");
	is_str(label(TDXTOP_KIND_EXIT, 77, 0x80000200, 0), "FAILED(OPERAND_BUSY)",
	       "a failed TDH.VP.ENTER by its status class");
	is_str(label(TDXTOP_KIND_EXIT, 0, 0x8000FF07, 0), "FAILED(SW_ERROR)",
	       "any TDX_SW_ERROR class is SW_ERROR");
	is_str(label(TDXTOP_KIND_EXIT, 0, 0xC0001234, 0), "FAILED(NON_RECOVERABLE)",
	       "an unknown class with bit 62: NON_RECOVERABLE");
	is_str(label(TDXTOP_KIND_EXIT, 0, 0x80001234, 0), "FAILED(ERROR)",
	       "an unknown error class: ERROR");
	is_str(label(TDXTOP_KIND_EXIT, 12, 0x40000001, 0), "HLT",
	       "NON_RECOVERABLE_VCPU is an exit, labelled by its reason");
	is_str(label(TDXTOP_KIND_EXIT, 49, 0, 0), "EPT_MISCONFIG", "EPT misconfig by its reason");
	is_str(label(TDXTOP_KIND_EXIT, 200, 0, 0), "0xc8", "an unknown reason in hex");
	is_str(label(TDXTOP_KIND_EXIT, ~0U, 0, 0), "NONE", "no reason: NONE");
	is_str(label(TDXTOP_KIND_KVM_EXIT, 0x80000021, TDXTOP_ISA_VMX, 0),
	       "FAILED_VMENTRY(INVALID_STATE)", "kvm_exit on VMX: a failed entry, as kvm_exit says");
	is_str(label(TDXTOP_KIND_KVM_EXIT, 0x78, TDXTOP_ISA_SVM, 0), "hlt",
	       "kvm_exit on SVM: SVM's name of 0x78");
	is_str(label(TDXTOP_KIND_KVM_EXIT, 0x78, TDXTOP_ISA_VMX, 0), "0x78",
	       "the same code on VMX: not a VMX reason");
	is_str(label(TDXTOP_KIND_TD_EXIT, 77, 0, 0x10003), "TDCALL:ReportFatalError",
	       "the btf source's TD exit: the tdx source's label");
	is_str(label(TDXTOP_KIND_DEFERRED, 0, 0, 0), "DEFERRED(sept_zap)", "deferred entry");
	is_str(label(TDXTOP_KIND_GSBASE, 0, 0, 0), "RESTORE:KERNEL_GS_BASE", "GS base");
	is_str(label(TDXTOP_KIND_URET, 0, 0, 0x0b), "RESTORE:URET(STAR,LSTAR,TSC_AUX)",
	       "user-return MSRs by bit");
	is_str(label(TDXTOP_KIND_URET, 0, 0, 0), "RESTORE:URET", "no bit: no list");
	tdxtop_row_label(&k, small, sizeof(small));
	is_str(small, "TDCALL:Ge", "cut to the buffer, terminated");
}

static void test_names(void)
{
	char hex[21];

	ok(!strcmp(tdxtop_status_name(0), "SUCCESS") && !tdxtop_status_name(0x00001234),
	   "SUCCESS named; an unknown non-error class: none");
	ok(!strcmp(tdxtop_kind_name(TDXTOP_KIND_KVM_EXIT), "exit") &&
	   !strcmp(tdxtop_kind_name(TDXTOP_KIND_TD_EXIT), "exit") &&
	   !strcmp(tdxtop_kind_name(TDXTOP_KIND_URET), "uret") &&
	   !strcmp(tdxtop_kind_name(99), "?"), "every source's exit is kind exit");
	ok(!strcmp(tdxtop_metric_name(TDXTOP_M_HOST), "host") &&
	   !strcmp(tdxtop_restored_name(1), "PKRU") && !strcmp(tdxtop_uret_msr_name(5), "OTHER") &&
	   !strcmp(tdxtop_loss_name(TDXTOP_LOSS_VCPU_FULL), "vcpu_full") &&
	   !strcmp(tdxtop_note_name(TDXTOP_NOTE_UNPAIRED), "unpaired") &&
	   !strcmp(tdxtop_metric_name(-1), "?"), "metric, register, MSR, loss and note names");
	is_str(tdxtop_hex(hex, 0x8000ff00, 8), "0x8000ff00", "hex");
	is_str(tdxtop_hex(hex, 5, 4), "0x0005", "hex, padded to 4 digits");
	is_str(tdxtop_hex(hex, ~0ULL, 1), "0xffffffffffffffff", "hex of 2^64 - 1");
	ok(!strcmp(tdxtop_isa_name(TDXTOP_ISA_SVM), "svm") && !tdxtop_isa_name(0), "ISA names");
}

static void test_sources(void)
{
	const char *const *u = tdxtop_source_unavailable("kvm");
	int n;

	ok(!tdxtop_source_note("tdx") && strstr(tdxtop_source_note("kvm"), "no TDX status") &&
	   strstr(tdxtop_source_note("btf"), "restore"),
	   "the tdx source needs no note; kvm and btf say what they lack");
	for (n = 0; u[n]; n++)
		;
	ok(n == 4 && !strcmp(u[0], "status") && !strcmp(u[3], "exits_without_kvm_exit"),
	   "kvm cannot know status, leaf, restore, exits without kvm_exit");
	u = tdxtop_source_unavailable("btf");
	ok(!strcmp(u[0], "restore") && !u[1], "btf cannot know restore alone");
	ok(!tdxtop_source_unavailable("tdx")[0], "tdx knows everything");
	ok(!strcmp(tdxtop_row_type(TDXTOP_KIND_TD_EXIT, "btf"), "td") &&
	   !strcmp(tdxtop_row_type(TDXTOP_KIND_KVM_EXIT, "btf"), "vm") &&
	   !strcmp(tdxtop_row_type(TDXTOP_KIND_EXIT, "tdx"), "td") &&
	   !tdxtop_row_type(TDXTOP_KIND_KVM_EXIT, "kvm"),
	   "row type: btf tells td from vm, tdx rows are TDs, kvm cannot tell");
}

int main(void)
{
	tap_plan(33);
	test_labels();
	test_names();
	test_sources();
	return tap_done();
}
