// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Prints tdxtop's decoding tables for tests/unit/decode.sh */
#include <stdio.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

int main(void)
{
	size_t i;

	for (i = 0; i < tdxtop_nr_exit_reasons; i++)
		printf("reason %llu %s\n", (unsigned long long)tdxtop_exit_reasons[i].code,
		       tdxtop_exit_reasons[i].name);
	for (i = 0; i < tdxtop_nr_svm_exit_reasons; i++)
		printf("svm %llu %s\n", (unsigned long long)tdxtop_svm_exit_reasons[i].code,
		       tdxtop_svm_exit_reasons[i].name);
	for (i = 0; i < tdxtop_nr_statuses; i++)
		printf("status %llu %s\n", (unsigned long long)tdxtop_statuses[i].code,
		       tdxtop_statuses[i].name);
	for (i = 0; i < tdxtop_nr_leaves; i++)
		printf("leaf %llu %s\n", (unsigned long long)tdxtop_leaves[i].code,
		       tdxtop_leaves[i].name);
	/* decode through the public functions too */
	printf("decode-status %s %s\n", tdxtop_status_name(0x8000FF00),
	       tdxtop_status_name(0x80000200));
	printf("decode-leaf %s %s\n", tdxtop_leaf_name(0x10001), tdxtop_leaf_name(12));
	{
		/* kvm_exit rows: by their ISA; VMX's failed-entry flag */
		struct tdxtop_key svm = { .reason = 0x7b, .status = TDXTOP_ISA_SVM,
					  .kind = TDXTOP_KIND_KVM_EXIT };
		struct tdxtop_key vmx = { .reason = 0x80000021, .status = TDXTOP_ISA_VMX,
					  .kind = TDXTOP_KIND_KVM_EXIT };
		char a[64], b[64];

		printf("decode-kvm %s %s\n", tdxtop_row_label(&svm, a, sizeof(a)),
		       tdxtop_row_label(&vmx, b, sizeof(b)));
	}
	return 0;
}
