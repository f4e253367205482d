// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Real guests through /dev/kvm, for the kvm source's tests (tests/kvm):
 * PROCS processes, each one VM with VCPUS vCPU threads, each vCPU running
 * a real-mode loop of ITERS iterations of
 *
 *	OUT 0x10	port I/O, handled here (KVM_EXIT_IO)
 *	CPUID		handled by KVM
 *	RDMSR 0x1b	APIC_BASE, handled by KVM
 *	MOV [0xf0000]	MMIO: no memory slot there, handled here (KVM_EXIT_MMIO)
 *	HLT		no in-kernel irqchip: handled here (KVM_EXIT_HLT)
 *
 * A vCPU stops at its ITERS-th OUT, so it exits ITERS times for port I/O and
 * ITERS - 1 times for each of the others, besides the exits KVM takes on its
 * own (nested page faults of the first touches, host interrupts).  Prints a
 * line per vCPU: "pid PID vcpu N io N mmio N hlt N".
 *
 * With DELAY, the loop is instead LOOP DELAY times (a long guest run), then
 * OUT 0x10: long spans in the guest, for comparing guest time.
 *
 * KVM_GUESTS_TICK=N: vCPU 0 of each VM prints "tick NS" (CLOCK_REALTIME, as
 * date +%s%N)
 * at every N-th port I/O, for rates measured while it runs
 * (bench/kvm-attach.sh).
 *
 * Usage: kvm_guests PROCS VCPUS ITERS [DELAY]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/wait.h>
#include <linux/kvm.h>

#define MEM_SIZE	0x10000
#define CODE_ADDR	0x1000
#define IO_PORT		0x10

static const unsigned char mix[] = {
	0xb8, 0x00, 0xf0,		/* mov ax, 0xf000 */
	0x8e, 0xc0,			/* mov es, ax */
	/* loop: */
	0xe6, IO_PORT,			/* out 0x10, al */
	0x66, 0x31, 0xc0,		/* xor eax, eax */
	0x0f, 0xa2,			/* cpuid */
	0x66, 0xb9, 0x1b, 0, 0, 0,	/* mov ecx, 0x1b */
	0x0f, 0x32,			/* rdmsr */
	0x26, 0xa2, 0x00, 0x00,		/* mov [es:0], al: gpa 0xf0000 */
	0xf4,				/* hlt */
	0xeb, 0xea,			/* jmp loop (-22) */
};

#define DELAY_AT	2	/* offset of the delay's imm32 in spin[] */

static unsigned char spin[] = {
	/* loop: */
	0x66, 0xb9, 0, 0, 0, 0,		/* mov ecx, DELAY (>= 1) */
	0x67, 0xe2, 0xfd,		/* loop $ (on ecx) */
	0xe6, IO_PORT,			/* out 0x10, al */
	0xeb, 0xf3,			/* jmp loop (-13) */
};

static const unsigned char *code = mix;
static size_t code_len = sizeof(mix);

static int kvm_fd, vm_fd, iters;
static long run_size, tick;

struct vcpu {
	pthread_t th;
	int id;
	long io, mmio, hlt;
	const char *err;
};

static void *vcpu_main(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_ADDR, .rflags = 2 };
	struct kvm_run *run;
	int fd;

	fd = ioctl(vm_fd, KVM_CREATE_VCPU, v->id);
	if (fd < 0) {
		v->err = "KVM_CREATE_VCPU";
		return NULL;
	}
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED || ioctl(fd, KVM_GET_SREGS, &sregs)) {
		v->err = "vCPU setup";
		return NULL;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) || ioctl(fd, KVM_SET_REGS, &regs)) {
		v->err = "KVM_SET_REGS";
		return NULL;
	}
	for (;;) {
		if (ioctl(fd, KVM_RUN, 0) && errno != EINTR) {
			v->err = "KVM_RUN";
			return NULL;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.port != IO_PORT) {
				v->err = "unexpected port";
				return NULL;
			}
			if (++v->io == iters)
				return NULL;
			if (tick && !v->id && !(v->io % tick)) {
				struct timespec ts;

				clock_gettime(CLOCK_REALTIME, &ts);
				printf("tick %lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec);
				fflush(stdout);
			}
			break;
		case KVM_EXIT_MMIO:
			v->mmio++;
			break;
		case KVM_EXIT_HLT:
			v->hlt++;
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "kvm_guests: vcpu %d: exit reason %u\n", v->id,
				run->exit_reason);
			v->err = "unexpected exit";
			return NULL;
		}
	}
}

static int one_vm(int nr_vcpus)
{
	struct kvm_userspace_memory_region mem = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};
	struct vcpu *v = calloc(nr_vcpus, sizeof(*v));
	void *ram;
	int i, rc = 0;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	ram = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (!v || vm_fd < 0 || ram == MAP_FAILED) {
		perror("kvm_guests: KVM_CREATE_VM");
		return 1;
	}
	memcpy((char *)ram + CODE_ADDR, code, code_len);
	mem.userspace_addr = (unsigned long)ram;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &mem)) {
		perror("kvm_guests: KVM_SET_USER_MEMORY_REGION");
		return 1;
	}
	for (i = 0; i < nr_vcpus; i++) {
		v[i].id = i;
		if (pthread_create(&v[i].th, NULL, vcpu_main, &v[i])) {
			fprintf(stderr, "kvm_guests: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < nr_vcpus; i++) {
		pthread_join(v[i].th, NULL);
		if (v[i].err) {
			fprintf(stderr, "kvm_guests: pid %d vcpu %d: %s: %s\n", getpid(), i,
				v[i].err, strerror(errno));
			rc = 1;
		}
		printf("pid %d vcpu %d io %ld mmio %ld hlt %ld\n", getpid(), i, v[i].io,
		       v[i].mmio, v[i].hlt);
	}
	fflush(stdout);
	return rc;
}

int main(int argc, char **argv)
{
	int procs, vcpus, i, st, rc = 0;
	unsigned int delay = 1;

	if ((argc != 4 && argc != 5) || (procs = atoi(argv[1])) < 1 ||
	    (vcpus = atoi(argv[2])) < 1 || (iters = atoi(argv[3])) < 1 ||
	    (argc == 5 && (delay = strtoul(argv[4], NULL, 0)) < 1)) {
		fprintf(stderr, "usage: kvm_guests PROCS VCPUS ITERS [DELAY]\n");
		return 2;
	}
	if (argc == 5) {
		memcpy(spin + DELAY_AT, &delay, sizeof(delay));
		code = spin;
		code_len = sizeof(spin);
	}
	if (getenv("KVM_GUESTS_TICK"))
		tick = atol(getenv("KVM_GUESTS_TICK"));
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		perror("kvm_guests: /dev/kvm");
		return 1;
	}
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0) {
		perror("kvm_guests: KVM_GET_VCPU_MMAP_SIZE");
		return 1;
	}
	fflush(stdout);
	for (i = 0; i < procs; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("kvm_guests: fork");
			return 1;
		}
		if (!p)
			_exit(one_vm(vcpus));
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	return rc;
}
