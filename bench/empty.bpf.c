// SPDX-License-Identifier: GPL-2.0
/* The baseline of bench/bpf_cost: a raw_tp program that does nothing */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/tdx_vp_enter")
int empty(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
