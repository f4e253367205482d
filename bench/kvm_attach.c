// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * For bench/kvm-attach.sh, in the test VM: attaches one pair of empty
 * programs of bench/kvm_attach.bpf.c (tp, raw or btf; none: nothing), runs
 * COMMAND, and prints the pair and COMMAND's wall time in ns.
 *
 * Usage: kvm_attach tp|raw|btf|none COMMAND [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include "kvm_attach.skel.h"

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct kvm_attach_bpf *skel;
	struct bpf_program *p;
	unsigned long long t0;
	size_t len;
	int st, err;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: kvm_attach tp|raw|btf|none COMMAND [ARG...]\n");
		return 2;
	}
	skel = kvm_attach_bpf__open();
	if (!skel)
		return 1;
	len = strlen(argv[1]);
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__name(p), argv[1], len) &&
					  bpf_program__name(p)[len] == '_');
	err = kvm_attach_bpf__load(skel) ?: kvm_attach_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "kvm_attach: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	t0 = now_ns();
	pid = fork();
	if (!pid) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	printf("%s %llu\n", argv[1], now_ns() - t0);
	kvm_attach_bpf__destroy(skel);
	return 0;
}
