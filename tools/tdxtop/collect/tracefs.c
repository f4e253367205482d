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


/* The member "name" of the struct or union type id, or NULL */
static const struct btf_member *member(const struct btf *btf, __s32 id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	int i;

	while (t && btf_is_mod(t))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_composite(t))
		return NULL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return m;
	return NULL;
}

/*
 * The fields of struct vcpu_tdx that bpf/kvm_btf.bpf.c reads (a path of
 * members each), and what the source lacks without each
 */
static const struct {
	const char *path[3], *what;
} td_fields[] = {
	{ { "vp_enter_ret" }, "status" },
	{ { "vt", "exit_reason" }, "reason" },
	{ { "vt", "exit_qualification" }, "exit_qual" },
	{ { "vp_enter_args", "r11" }, "leaf" },
	{ { "vcpu" }, "vcpu" },
};

static void check_td_fields(const struct btf *btf, __s32 id, struct tdxtop_btf_facts *b)
{
	size_t i, o = 0;
	int j;

	for (i = 0; i < sizeof(td_fields) / sizeof(td_fields[0]); i++) {
		__s32 t = id;
		const struct btf_member *m = NULL;

		for (j = 0; j < 3 && td_fields[i].path[j]; j++) {
			m = member(btf, t, td_fields[i].path[j]);
			if (!m)
				break;
			t = m->type;
		}
		if (m)
			continue;
		o += snprintf(b->missing + o, sizeof(b->missing) - o, "%s%s", o ? ", " : "",
			      td_fields[i].what);
		if (o >= sizeof(b->missing))
			break;
	}
}

void tdxtop_check_btf(struct tdxtop_btf_facts *b)
{
	struct btf *vmlinux, *mod = NULL;
	const struct btf *in = NULL;
	__s32 id;

	memset(b, 0, sizeof(*b));
	vmlinux = btf__load_vmlinux_btf();
	b->vmlinux = vmlinux != NULL;
	if (vmlinux) {
		mod = btf__load_module_btf("kvm_intel", vmlinux);
		b->kvm_intel = mod != NULL;
		if (btf__find_by_name_kind(vmlinux, "vcpu_tdx", BTF_KIND_STRUCT) > 0) {
			b->vcpu_tdx = "vmlinux";
			in = vmlinux;
		} else if (mod && btf__find_by_name_kind(mod, "vcpu_tdx", BTF_KIND_STRUCT) > 0) {
			b->vcpu_tdx = "kvm_intel";
			in = mod;
		}
	}
	if (in) {
		id = btf__find_by_name_kind(in, "vcpu_tdx", BTF_KIND_STRUCT);
		check_td_fields(in, id, b);
		b->tdx_vcpu_run = btf__find_by_name_kind(in, "tdx_vcpu_run", BTF_KIND_FUNC) > 0;
	}
	btf__free(mod);
	btf__free(vmlinux);
}
