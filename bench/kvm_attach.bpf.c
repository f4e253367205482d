// SPDX-License-Identifier: GPL-2.0
/*
 * bench/kvm-attach.sh: empty programs on kvm_entry and kvm_exit, one pair
 * per way tdxtop's kvm source could attach (docs/decisions.md): a classic
 * tracepoint (the record built, as perf and ftrace see it), a raw
 * tracepoint and a BTF-typed one (the TP_PROTO arguments only).  The
 * loader enables one pair at a time.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("?tp/kvm/kvm_entry")
int tp_entry(void *ctx)
{
	return 1;	/* perf keeps the event, as tdxtop's programs return */
}

SEC("?tp/kvm/kvm_exit")
int tp_exit(void *ctx)
{
	return 1;
}

SEC("?raw_tp/kvm_entry")
int raw_entry(void *ctx)
{
	return 0;
}

SEC("?raw_tp/kvm_exit")
int raw_exit(void *ctx)
{
	return 0;
}

SEC("?tp_btf/kvm_entry")
int btf_entry(void *ctx)
{
	return 0;
}

SEC("?tp_btf/kvm_exit")
int btf_exit(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
