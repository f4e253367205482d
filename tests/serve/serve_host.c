// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop serve's HTTP endpoint over the real BPF programs on a kernel
 * without the tdx events: the programs are loaded (not attached) and fed
 * through BPF_PROG_TEST_RUN by child processes that stand in for VMMs (each
 * exec'd with "-name NAME", so tdxtop names them as it names QEMU), then
 * tdxtop_serve() serves the maps as `tdxtop serve` does.
 *
 * Usage: serve_host ADDR:PORT EXPECT_FILE [VMS VCPUS REASONS]
 *   Without VMS: the test workload (tests/serve/serve.sh), whose exact
 *   exposition lines, computed here without prom.c, go to EXPECT_FILE.
 *   With VMS VCPUS REASONS: one event per row every second, for
 *   bench/serve.sh.
 * Prints "ready" on stdout once every event is in the maps, then the
 * stand-ins' pids; serves until SIGTERM.  SERVE_HOST_PER=vcpu,pid: as
 * --per-vcpu and --per-pid (more below: SERVE_HOST_*).  Also: serve_host
 * fire FD VCPUS REASONS SEED -name NAME (a child).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"
#include "tdx_enter.skel.h"

#define NR_VMS_MAX	128

static int fire(int fd, __u32 vcpu, __u64 status, __u32 reason, __u64 leaf,
		__u64 guest, __u64 restore, __u64 tsc)
{
	__u64 a[TDX_VP_ENTER_NR_ARGS] = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = a, .ctx_size_in = sizeof(a));

	a[TDX_VP_ENTER_VCPU_ID] = vcpu;
	a[TDX_VP_ENTER_STATUS] = status;
	a[TDX_VP_ENTER_EXIT_REASON] = reason;
	a[TDX_VP_ENTER_LEAF] = leaf;
	a[TDX_VP_ENTER_GUEST_CYCLES] = guest;
	a[TDX_VP_ENTER_RESTORE_CYCLES] = restore;
	a[TDX_VP_ENTER_RESTORED] = 0x5;	/* DEBUGCTL, XCR0 */
	a[TDX_VP_ENTER_TSC] = tsc;
	return bpf_prog_test_run_opts(fd, &o) ? -errno : 0;
}

/* The test workload's guest times: both sides of bucket bounds, +Inf */
static const __u64 guest_ns[] = {
	0, 31, 32, 1023, 1024, 1025, 4095, 4096, 65535, 100000,
	(1ULL << 34) - 1, 1ULL << 34, 1ULL << 40,
};
#define NR_GUEST	(sizeof(guest_ns) / sizeof(guest_ns[0]))

/* A child: fires its events, says so, and waits to be killed */
static int child(int fd, int vcpus, int reasons, int seed)
{
	__u64 tsc = 1ULL << 45;
	int v, r, i;

	if (reasons) {	/* bench: one event per row, every second */
		for (i = 0;; i++) {
			for (v = 0; v < vcpus; v++)
				for (r = 0; r < reasons; r++, tsc += 10000000)
					if (fire(fd, v, 0, r, 0, 1000 + v * 7 + r * 131 + i,
						 50, tsc))
						return 1;
			if (!i && write(1, "x", 1) != 1)
				return 1;
			if (getenv("SERVE_HOST_ONCE"))	/* one event per row, then none */
				pause();
			sleep(1);
		}
	}
	for (v = 0; v < vcpus; v++) {
		/* the test: HLT with every guest time, then TDCALL:MapGPA, a failure */
		for (i = 0; i < (int)NR_GUEST; i++, tsc += (1ULL << 41))
			if (fire(fd, v, 0, 12, 0, guest_ns[i], 100 + seed, tsc))
				return 1;
		tsc += 1ULL << 41;
		if (fire(fd, v, 0, 77, 0x10001, 2000, 100, tsc) ||
		    fire(fd, v, 0x8000020000000000ULL, -1u, 0, 3000, 0, tsc + 100000))
			return 1;
	}
	if (write(1, "x", 1) != 1)
		return 1;
	pause();
	return 0;
}

/* le of a value in the exposition, computed apart from prom.c */
static int le_index(__u64 v)
{
	int k;

	for (k = TDXTOP_PROM_LO_SHIFT; k <= TDXTOP_PROM_HI_SHIFT; k++)
		if (v < 1ULL << k)
			return k - TDXTOP_PROM_LO_SHIFT;
	return TDXTOP_PROM_BUCKETS - 1;
}

static void le_text(char *buf, size_t len, int j)
{
	char *p;

	if (j == TDXTOP_PROM_BUCKETS - 1) {
		snprintf(buf, len, "+Inf");
		return;
	}
	snprintf(buf, len, "%.9f", ((1ULL << (TDXTOP_PROM_LO_SHIFT + j)) - 1) / 1e9);
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
}

/* ns as seconds: %.9f without trailing zeros */
static const char *secs(char *buf, __u64 ns)
{
	char *p;

	snprintf(buf, 32, "%llu.%09llu", (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns % 1000000000));
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	return buf;
}

/* The host time of one vCPU's exits: the TSC step less each exit's guest and restore time */
static __u64 host_ns(int seed)
{
	__u64 t = 0;
	size_t i;

	for (i = 1; i < NR_GUEST; i++)
		t += (1ULL << 41) - guest_ns[i] - (100 + seed);
	/* TDCALL two steps after the last HLT, the failure 100000 cycles later */
	return t + (1ULL << 42) - 2000 - 100 + 100000 - 3000;
}

/*
 * The exact lines the test workload must give: for one VM (vm: its
 * escaped name) with --per-vm-histograms, else (vm NULL) the host's over
 * nvms VMs
 */
static void expect(FILE *f, const char *vm, int vcpus, int nvms, int seed)
{
	__u64 cum = 0, n[TDXTOP_PROM_BUCKETS] = {}, sum = 0, host_sum = 0, rsum = 0;
	char l[256], v[128], le[32], t[32];
	size_t i;
	int j, k, w = vm ? 1 : nvms;

	snprintf(v, sizeof(v), vm ? "vm=\"%s\"," : "%s", vm ? vm : "");
	snprintf(l, sizeof(l), "%sreason=\"HLT\",status=\"SUCCESS\"", v);
	for (i = 0; i < NR_GUEST; i++) {
		n[le_index(guest_ns[i])] += vcpus * w;
		sum += guest_ns[i] * vcpus * w;
	}
	fprintf(f, "tdxtop_exits_total{%s} %zu\n", l, NR_GUEST * vcpus * w);
	for (j = 0; j < TDXTOP_PROM_BUCKETS; j++) {
		cum += n[j];
		le_text(le, sizeof(le), j);
		fprintf(f, "tdxtop_guest_seconds_bucket{%s,le=\"%s\"} %llu\n", l, le,
			(unsigned long long)cum);
	}
	fprintf(f, "tdxtop_guest_seconds_count{%s} %zu\n", l, NR_GUEST * vcpus * w);
	fprintf(f, "tdxtop_guest_seconds_sum{%s} %s\n", l, secs(t, sum));
	fprintf(f, "tdxtop_exits_total{%sreason=\"TDCALL\",leaf=\"MapGPA\",status=\"SUCCESS\"} %d\n",
		v, vcpus * w);
	fprintf(f, "tdxtop_exits_total{%sreason=\"none\",status=\"OPERAND_BUSY\"} %d\n",
		v, vcpus * w);
	if (vm) {
		for (i = 1; i < NR_GUEST; i++)
			host_sum += (1ULL << 41) - guest_ns[i] - (100 + seed);
		fprintf(f, "tdxtop_host_seconds_count{%s} %zu\n", l, (NR_GUEST - 1) * vcpus);
		fprintf(f, "tdxtop_host_seconds_sum{%s} %s\n", l, secs(t, host_sum * vcpus));
		fprintf(f, "tdxtop_restore_seconds_sum{%s} %s\n", l,
			secs(t, NR_GUEST * vcpus * (100 + seed)));
		fprintf(f, "tdxtop_restored_registers_total{vm=\"%s\",register=\"DEBUGCTL\"} %zu\n",
			vm, (NR_GUEST + 2) * vcpus);
		fprintf(f, "tdxtop_restored_registers_total{vm=\"%s\",register=\"PKRU\"} 0\n", vm);
		return;
	}
	/* host and restore time host-wide: every exit of every VM */
	for (k = 0; k < nvms; k++) {
		host_sum += host_ns(k) * vcpus;
		rsum += (NR_GUEST * (100 + k) + 100) * vcpus;
	}
	fprintf(f, "tdxtop_host_seconds_count %zu\n", (NR_GUEST + 1) * vcpus * nvms);
	fprintf(f, "tdxtop_host_seconds_sum %s\n", secs(t, host_sum));
	fprintf(f, "tdxtop_restore_seconds_count %zu\n", (NR_GUEST + 2) * vcpus * nvms);
	fprintf(f, "tdxtop_restore_seconds_sum %s\n", secs(t, rsum));
	fprintf(f, "tdxtop_restored_registers_total{register=\"DEBUGCTL\"} %zu\n",
		(NR_GUEST + 2) * vcpus * nvms);
	fprintf(f, "tdxtop_restored_registers_total{register=\"PKRU\"} 0\n");
}

/* The lines of one VM's totals, whatever the cut */
static void expect_vm(FILE *f, const char *vm, int vcpus, int seed)
{
	__u64 sum = 2000 + 3000;
	char t[32];
	size_t i;

	for (i = 0; i < NR_GUEST; i++)
		sum += guest_ns[i];
	fprintf(f, "tdxtop_vm_exits_total{vm=\"%s\"} %zu\n", vm, (NR_GUEST + 2) * vcpus);
	fprintf(f, "tdxtop_vm_guest_seconds_total{vm=\"%s\"} %s\n", vm, secs(t, sum * vcpus));
	fprintf(f, "tdxtop_vm_host_seconds_total{vm=\"%s\"} %s\n", vm,
		secs(t, host_ns(seed) * vcpus));
}

struct src {
	struct tdxtop_reader r;
	struct tdxtop_snap s;
};

static int poll_maps(void *ctx, const struct tdxtop_snap **s)
{
	struct src *src = ctx;

	*s = &src->s;
	return tdxtop_reader_read(&src->r, &src->s);
}

static void on_term(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	/* the VMs of the test: names as the test expects them escaped */
	static const char *const names[][2] = {
		{ "td-alpha", "td-alpha" },
		{ "quo\"te\\back\nnl", "quo\\\"te\\\\back\\nnl" },
		{ "\x1b[2Jbad\xff", "\xef\xbf\xbd[2Jbad\xef\xbf\xbd" },
	};
	struct tdxtop_serve_opts so = { .prom = { .version = "tdxtop 0.1",
						  .kernel = "test", .source = "tdx" } };
	struct tdxtop_source source;
	struct tdx_enter_bpf *skel;
	struct tdxtop_tsc tsc = { 1, 0, "test" };
	struct tdxtop_maps m;
	struct src src = {};
	pid_t kids[NR_VMS_MAX];
	int nvms, vcpus, reasons, i, fd, pfd[2], lfd;
	char c, fdstr[16], arg[3][16], name[64];
	struct sigaction sa = { .sa_handler = on_term };
	const char *per = getenv("SERVE_HOST_PER");

	if (argc > 1 && !strcmp(argv[1], "fire") && argc >= 6)
		return child(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc != 3 && argc != 6) {
		fprintf(stderr, "usage: serve_host ADDR:PORT EXPECT_FILE [VMS VCPUS REASONS]\n");
		return 2;
	}
	nvms = argc == 6 ? atoi(argv[3]) : 3;
	vcpus = argc == 6 ? atoi(argv[4]) : 2;
	reasons = argc == 6 ? atoi(argv[5]) : 0;
	if (nvms < 1 || nvms > NR_VMS_MAX || vcpus < 1 || reasons < 0)
		return 2;
	skel = tdx_enter_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->tsc_mult = tsc.mult;
	skel->rodata->tsc_shift = tsc.shift;
	if (tdxtop_maps_size(skel, nvms * vcpus, 0, 0, 0) || tdx_enter_bpf__load(skel)) {
		fprintf(stderr, "serve_host: cannot load the BPF programs (root?)\n");
		return 1;
	}
	tdxtop_maps_get(&m, skel, NULL);
	if (tdxtop_reader_init(&src.r, &m, &tsc) || tdxtop_reader_read(&src.r, &src.s))
		return 1;
	/* the children get the program without O_CLOEXEC */
	fd = fcntl(bpf_program__fd(skel->progs.tdx_vp_enter), F_DUPFD, 100);
	if (fd < 0 || pipe(pfd))
		return 1;
	for (i = 0; i < nvms; i++) {
		if (argc == 6)
			snprintf(name, sizeof(name), "td-%02d", i);
		else
			snprintf(name, sizeof(name), "%s", names[i % 3][0]);
		snprintf(fdstr, sizeof(fdstr), "%d", fd);
		snprintf(arg[0], sizeof(arg[0]), "%d", vcpus);
		snprintf(arg[1], sizeof(arg[1]), "%d", reasons);
		snprintf(arg[2], sizeof(arg[2]), "%d", i);
		kids[i] = fork();
		if (!kids[i]) {
			dup2(pfd[1], 1);
			execl("/proc/self/exe", argv[0], "fire", fdstr, arg[0], arg[1], arg[2],
			      "-name", name, (char *)NULL);
			_exit(127);
		}
	}
	close(pfd[1]);
	for (i = 0; i < nvms; i++)
		if (read(pfd[0], &c, 1) != 1) {
			fprintf(stderr, "serve_host: a child failed\n");
			return 1;
		}
	if (argc == 3) {
		FILE *f = fopen(argv[2], "w");

		if (!f)
			return 1;
		for (i = 0; i < nvms; i++) {
			if (per && strstr(per, "vm"))
				expect(f, names[i][1], vcpus, nvms, i);
			expect_vm(f, names[i][1], vcpus, i);
		}
		if (!per || !strstr(per, "vm"))
			expect(f, NULL, vcpus, nvms, 0);
		fclose(f);
	}
	so.listen = argv[1];
	/*
	 * SERVE_HOST_PER=vcpu,pid,vm: --per-vcpu, --per-pid, --per-vm-histograms;
	 * SERVE_HOST_MAX=N: --max-series N (else none); SERVE_HOST_EXPIRE=S:
	 * --expire-after S (else never)
	 */
	if (per) {
		so.prom.per_vcpu = strstr(per, "vcpu") != NULL;
		so.prom.per_pid = strstr(per, "pid") != NULL;
		so.prom.per_vm_hist = strstr(per, "vm") != NULL;
	}
	if (getenv("SERVE_HOST_MAX"))
		so.prom.max_series = strtoull(getenv("SERVE_HOST_MAX"), NULL, 10);
	if (getenv("SERVE_HOST_EXPIRE"))
		so.prom.expire_ns = strtoull(getenv("SERVE_HOST_EXPIRE"), NULL, 10) * 1000000000ULL;
	lfd = tdxtop_serve_listen(so.listen);
	if (lfd < 0)
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	for (i = 0; i < nvms; i++)
		printf("vm %d pid %d\n", i, kids[i]);
	fflush(stdout);
	source.ctx = &src;
	source.poll = poll_maps;
	tdxtop_catch_signals();
	i = tdxtop_serve(&so, lfd, &source, &tdxtop_exiting);
	for (c = 0; c < nvms; c++)
		kill(kids[(int)c], SIGKILL);
	while (wait(NULL) > 0)
		;
	tdxtop_reader_free(&src.r);
	tdxtop_snap_free(&src.s);
	tdx_enter_bpf__destroy(skel);
	return i;
}
