// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the running kernel offers a source: tracefs and its events, and the
 * BTF of vmlinux and kvm_intel (struct vcpu_tdx).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "collect/collect.h"

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

const char *tdxtop_tracefs(void)
{
	char path[128];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_roots[i]);
		if (!stat(path, &st))
			return tracefs_roots[i];
	}
	return NULL;
}

int tdxtop_event_present(const char *event)
{
	const char *root = tdxtop_tracefs();
	char path[192];
	struct stat st;

	if (!root)
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s", root, event);
	return !stat(path, &st);
}


void tdxtop_check_btf(struct tdxtop_btf_facts *b)
{
	struct btf *vmlinux, *mod = NULL;

	memset(b, 0, sizeof(*b));
	vmlinux = btf__load_vmlinux_btf();
	b->vmlinux = vmlinux != NULL;
	if (vmlinux) {
		mod = btf__load_module_btf("kvm_intel", vmlinux);
		b->kvm_intel = mod != NULL;
		if (btf__find_by_name_kind(vmlinux, "vcpu_tdx", BTF_KIND_STRUCT) > 0)
			b->vcpu_tdx = "vmlinux";
		else if (mod && btf__find_by_name_kind(mod, "vcpu_tdx", BTF_KIND_STRUCT) > 0)
			b->vcpu_tdx = "kvm_intel";
	}
	btf__free(mod);
	btf__free(vmlinux);
}
