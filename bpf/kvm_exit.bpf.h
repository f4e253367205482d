/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kvm and btf sources' handlers of kvm_entry, kvm_exit and a TD's
 * return from tdx_vcpu_run(), and their own maps, aggregating into
 * aggregate.bpf.h's maps: for bpf/kvm_exit.bpf.c's and bpf/kvm_btf.bpf.c's
 * programs and bench/loop_kvm.bpf.c.
 */
#ifndef __TDXTOP_KVM_EXIT_BPF_H
#define __TDXTOP_KVM_EXIT_BPF_H

#include "aggregate.bpf.h"

/*
 * The fields read of the two trace records.  CO-RE finds each in the
 * running kernel's BTF (vmlinux, or the kvm module's), so the layout of
 * any kernel version works; the tdx programs need no BTF.
 */
struct trace_event_raw_kvm_entry {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_exit {
	unsigned int exit_reason;
	__u32 isa;
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

/*
 * Per entry of "vcpu_slots": when the vCPU's last kvm_entry fired
 * (bpf_ktime_get_ns), 0 once its exit came.  The slot's last_tsc holds
 * the ns of its last kvm_exit.  Only the vCPU's thread writes both.
 */
struct kvm_entry {
	__u64 ns;
	__u64 td;	/* the btf source: the vCPU's VM is a TD */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TDXTOP_DEF_SLOTS);
	__type(key, __u32);
	__type(value, struct kvm_entry);
} kvm_entry_ns SEC(".maps");

/*
 * What a classic tracepoint program returns is whether perf gets the
 * event: with 0, every perf user of kvm_entry/kvm_exit on the host (perf
 * kvm stat, perf record) would silently see none while tdxtop runs
 */
#define PASS_ON	1

/* TDXTOP_NOTE_UNPAIRED: entries with no kvm_exit before the next entry */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kvm_unpaired SEC(".maps");

/*
 * A vCPU entering its guest at "now", 0: read the clock last, as close to
 * the entry as the program gets (bench/loop.bpf.c passes its own times).
 * td: the btf source's word on the vCPU's VM (the kvm source: 0).
 */
static __always_inline void on_kvm_entry(__u32 tgid, __u32 vcpu, bool td, __u64 now)
{
	struct kvm_entry *t;
	struct tdxtop_slot *s;
	__u32 idx, zero = 0;
	__u64 *c;

	if (filtered_out(tgid, vcpu))
		return;
	s = slot_get(tgid, vcpu, &idx);
	if (!s)		/* counted as vcpu_full at its exit */
		return;
	t = bpf_map_lookup_elem(&kvm_entry_ns, &idx);
	if (!t)
		return;
	if (t->ns) {
		/* the last guest run ended without kvm_exit: no host time now */
		c = bpf_map_lookup_elem(&kvm_unpaired, &zero);
		if (c)
			(*c)++;
		s->last_tsc = 0;
	}
	t->td = td;
	t->ns = now ? now : bpf_ktime_get_ns();
}

/*
 * The row of an exit with key k: in the vCPU's block of slot idx, else (no
 * slot: counted as vcpu_full; a full block) in the shared hash
 */
static __always_inline struct tdxtop_map_row *exit_row(const struct tdxtop_slot *s,
						     __u32 idx,
						     const struct tdxtop_key *k)
{
	struct tdxtop_map_row *e = NULL;

	if (s)
		e = slot_row(idx, k);
	else
		count_loss(TDXTOP_LOSS_VCPU_FULL);
	return e ? e : hash_row(k, false);
}

/*
 * An exit at "now": guest time from the vCPU's kvm_entry, host time from
 * its previous kvm_exit to that entry, both from bpf_ktime_get_ns().  The
 * first exit of a vCPU after tdxtop starts has no entry: counted, no times.
 */
static __always_inline void on_kvm_exit(__u32 tgid, __u32 vcpu, __u32 reason, __u32 isa,
					__u64 now)
{
	struct tdxtop_map_row *e = NULL;
	struct tdxtop_key k = {};
	struct kvm_entry *t = NULL;
	struct tdxtop_slot *s;
	__u64 entry = 0;
	struct hist_ref h;
	__u32 idx;

	if (filtered_out(tgid, vcpu))
		return;
	s = slot_get(tgid, vcpu, &idx);
	if (s)
		t = bpf_map_lookup_elem(&kvm_entry_ns, &idx);
	if (t) {
		entry = t->ns;
		t->ns = 0;
	}
	if (min_guest_ns && (!entry || now - entry < min_guest_ns)) {
		count_note(TDXTOP_NOTE_FILTERED);
		if (s)
			s->last_tsc = now;
		return;
	}

	k.tgid = tgid;
	k.vcpu = vcpu;
	k.reason = reason;
	k.status = isa;
	k.kind = TDXTOP_KIND_KVM_EXIT;
	e = exit_row(s, idx, &k);
	if (!e)
		return;
	h = row_hist(e, true);
	e->st.count++;
	if (entry)
		add_sample(&e->st, TDXTOP_KIND_KVM_EXIT, h, TDXTOP_M_GUEST, now - entry);
	if (!s)
		return;
	if (entry && s->last_tsc) {
		if (entry >= s->last_tsc)
			add_sample(&e->st, TDXTOP_KIND_KVM_EXIT, h, TDXTOP_M_HOST,
				   entry - s->last_tsc);
		else
			count_note(TDXTOP_NOTE_HOST_SKEW);
	}
	s->last_tsc = now;
}

/* Whether the vCPU's last kvm_entry was a TD's (the btf source) */
static __always_inline bool btf_td_vcpu(__u32 tgid, __u32 vcpu)
{
	struct kvm_entry *t;
	__u32 idx;

	if (!slot_get(tgid, vcpu, &idx))
		return false;
	t = bpf_map_lookup_elem(&kvm_entry_ns, &idx);
	return t && t->td;
}

/*
 * A TD's exit (the btf source), at the return of tdx_vcpu_run() at "now":
 * the raw TDH.VP.ENTER status, the exit reason KVM derived from it, the
 * TDVMCALL leaf and the exit qualification, read by the caller.  Guest
 * time from the vCPU's kvm_entry, which tdx_vcpu_run() fires just before
 * TDH.VP.ENTER; host time from its previous exit to that entry.  A run
 * without kvm_entry did not enter (tdx_vcpu_run() returned early), or
 * entered before tdxtop attached: not an exit seen, not counted.
 */
static __always_inline void on_td_exit(__u32 tgid, __u32 vcpu, __u32 reason,
				       __u64 status, __u64 leaf, __u64 qual,
				       __u64 now, bool capture)
{
	__u64 entry = 0, host = TDXTOP_NO_NS, guest = TDXTOP_NO_NS;
	struct tdxtop_map_row *e = NULL;
	struct kvm_entry *t = NULL;
	struct tdxtop_key k = {};
	struct tdxtop_slot *s;
	struct hist_ref h;
	__u32 idx;

	if (filtered_out(tgid, vcpu))
		return;
	s = slot_get(tgid, vcpu, &idx);
	if (s) {
		t = bpf_map_lookup_elem(&kvm_entry_ns, &idx);
		if (!t || !t->ns)
			return;
		entry = t->ns;
		t->ns = 0;
		guest = now - entry;
		if (guest < min_guest_ns) {
			count_note(TDXTOP_NOTE_FILTERED);
			s->last_tsc = now;
			return;
		}
	}

	k.tgid = tgid;
	k.vcpu = vcpu;
	k.reason = reason;
	k.status = tdxtop_status_class(status);
	k.leaf = leaf;
	k.kind = TDXTOP_KIND_TD_EXIT;
	e = exit_row(s, idx, &k);	/* without a slot: counted, no times */
	if (!e)
		return;
	h = row_hist(e, true);
	e->st.count++;
	if (!s)
		goto out;
	add_sample(&e->st, TDXTOP_KIND_TD_EXIT, h, TDXTOP_M_GUEST, guest);
	if (s->last_tsc) {
		if (entry >= s->last_tsc) {
			host = entry - s->last_tsc;
			add_sample(&e->st, TDXTOP_KIND_TD_EXIT, h, TDXTOP_M_HOST, host);
		} else {
			count_note(TDXTOP_NOTE_HOST_SKEW);
		}
	}
	s->last_tsc = now;
out:
	if (capture && guest != TDXTOP_NO_NS)
		check_outlier(e, now, status, leaf, qual, guest, host, TDXTOP_NO_NS);
}

#endif /* __TDXTOP_KVM_EXIT_BPF_H */
