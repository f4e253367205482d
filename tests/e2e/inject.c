// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * User-space side of tests/kmod/tdx_inject.
 *
 *   inject run VMS VCPUS [NAME [SECONDS]]
 *	fork VMS processes standing for VMMs (their command line carries
 *	QEMU's "-name guest=NAME<i>"), each with VCPUS threads standing for
 *	vCPUs; each thread fires one workload through the module in its own
 *	context (with SECONDS, again every 100 ms for that long, as a
 *	long-lived VMM would).  Prints "vm <i> pid <pid>" per process.
 *	INJECT_FIRE: another file to write "VM VCPU" to (tests/stock's driver).
 *
 *   inject expect WORKLOAD VMS VCPUS MULT SHIFT
 *	recompute every sample the module fires for that run (same PRNG, same
 *	seeding) and print the exact aggregates, as JSON, per VM index and
 *	(kind, reason, leaf, status class): count, sums, exact percentiles.
 *
 *   inject expect-host WORKLOAD VMS VCPUS MULT SHIFT
 *	the same over every VM at once (all as VM index 0): what a host-wide
 *	series holds (tdxtop serve's default, docs/prometheus.md).
 *
 *   inject outliers WORKLOAD VMS VCPUS MULT SHIFT GUEST_NS
 *	the exits of that run with more than GUEST_NS ns in the guest, one
 *	line each, in each vCPU's firing order: VM index, vCPU, exit index
 *	(the exit qualification the module gives it), reason, leaf, raw
 *	status, guest, host (-1: none, a vCPU's first) and restore ns.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

#define FIRE "/sys/kernel/debug/tdx_inject/fire"
#define MAX_EXITS 32

struct inj_exit {
	__u32 weight, reason, restored;
	__u64 status, leaf, glo, ghi, rlo, rhi;
};

struct workload {
	__u64 seed;
	__u32 count, nr_exits, total_weight;
	struct inj_exit exits[MAX_EXITS];
	__u32 deferred, gsbase, uret, uret_msrs, uret_nr;
	__u64 gs_lo, gs_hi, uret_lo, uret_hi;
};

static __u64 rnd(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static __u64 uniform(__u64 *s, __u64 lo, __u64 hi)
{
	return lo + rnd(s) % (hi - lo + 1);
}

/* the module's grammar, without its checks: the module refused bad input */
static int parse(const char *path, struct workload *w)
{
	char line[512], *tok, *save;
	unsigned long long a[10];
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	memset(w, 0, sizeof(*w));
	while (fgets(line, sizeof(line), f)) {
		char *cmd = strtok_r(line, " \t\n", &save);

		if (!cmd || *cmd == '#')
			continue;
		for (n = 0; n < 10 && (tok = strtok_r(NULL, " \t\n", &save)); n++)
			a[n] = strtoull(tok, NULL, 0);
		if (!strcmp(cmd, "seed") && n == 1) {
			w->seed = a[0];
		} else if (!strcmp(cmd, "count") && n == 1) {
			w->count = a[0];
		} else if (!strcmp(cmd, "exit") && n == 9 && w->nr_exits < MAX_EXITS) {
			w->exits[w->nr_exits++] = (struct inj_exit){
				.weight = a[0], .status = a[1], .reason = a[2], .leaf = a[3],
				.glo = a[4], .ghi = a[5], .rlo = a[6], .rhi = a[7],
				.restored = a[8] };
			w->total_weight += a[0];
		} else if (!strcmp(cmd, "deferred") && n == 1) {
			w->deferred = a[0];
		} else if (!strcmp(cmd, "gsbase") && n == 3) {
			w->gsbase = a[0];
			w->gs_lo = a[1];
			w->gs_hi = a[2];
		} else if (!strcmp(cmd, "uret") && n == 5) {
			w->uret = a[0];
			w->uret_msrs = a[1];
			w->uret_nr = a[2];
			w->uret_lo = a[3];
			w->uret_hi = a[4];
		}
	}
	fclose(f);
	return 0;
}

/* ---- run ---- */

struct vcpu {
	int vm, vcpu, err;
	double secs;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *vcpu_thread(void *p)
{
	struct vcpu *v = p;
	double end = mono_s() + v->secs;
	char buf[32];
	int fd, n;

	fd = open(getenv("INJECT_FIRE") ?: FIRE, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		v->err = errno;
		return NULL;
	}
	n = snprintf(buf, sizeof(buf), "%d %d", v->vm, v->vcpu);
	do {
		if (write(fd, buf, n) != n) {
			v->err = errno;
			break;
		}
		if (v->secs > 0)
			usleep(100000);
	} while (mono_s() < end);
	close(fd);
	return NULL;
}

static int vmm(int vm, int vcpus, double secs)
{
	struct vcpu *v = calloc(vcpus, sizeof(*v));
	pthread_t *t = calloc(vcpus, sizeof(*t));
	int i, err = 0;

	for (i = 0; i < vcpus; i++) {
		v[i] = (struct vcpu){ .vm = vm, .vcpu = i, .secs = secs };
		pthread_create(&t[i], NULL, vcpu_thread, &v[i]);
	}
	for (i = 0; i < vcpus; i++) {
		pthread_join(t[i], NULL);
		if (v[i].err) {
			fprintf(stderr, "inject: vm %d vcpu %d: %s\n", vm, i, strerror(v[i].err));
			err = 1;
		}
	}
	return err;
}

static int run(int vms, int vcpus, const char *name, const char *secs,
	       const char *self)
{
	int i, status, err = 0;
	pid_t *pids = calloc(vms, sizeof(*pids));

	for (i = 0; i < vms; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char vm[16], nv[16], guest[96];

			snprintf(vm, sizeof(vm), "%d", i);
			snprintf(nv, sizeof(nv), "%d", vcpus);
			snprintf(guest, sizeof(guest), "guest=%s%d,debug-threads=on", name, i);
			/* a command line like QEMU's, for tdxtop's VM names */
			execl(self, "inject", "vmm", vm, nv, secs, "-name", guest,
			      (char *)NULL);
			_exit(127);
		}
		printf("vm %d pid %d\n", i, pids[i]);
	}
	fflush(stdout);
	for (i = 0; i < vms; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			err = 1;
	}
	return err;
}

/* parse(), saying why it failed */
static int load(const char *path, struct workload *w)
{
	int err = parse(path, w);

	if (err)
		fprintf(stderr, "inject: %s: %s\n", path, strerror(-err));
	return err;
}

/* ---- expect ---- */

struct exp_row {
	int vm;
	struct tdxtop_key key;	/* tgid = 0, vcpu = 0: per VM and reason */
	__u64 count, guest_sum, restore_sum, host_sum;
	__u64 *guest, *restore;	/* samples, ns */
	size_t n, cap;
};

static struct exp_row *rows;
static size_t nr_rows;
static bool host_wide;		/* expect-host: every VM's rows as VM 0's */

static struct exp_row *row(int vm, const struct tdxtop_key *k)
{
	size_t i;

	if (host_wide)
		vm = 0;
	for (i = 0; i < nr_rows; i++)
		if (rows[i].vm == vm && !memcmp(&rows[i].key, k, sizeof(*k)))
			return &rows[i];
	rows = realloc(rows, (nr_rows + 1) * sizeof(*rows));
	memset(&rows[nr_rows], 0, sizeof(*rows));
	rows[nr_rows].vm = vm;
	rows[nr_rows].key = *k;
	return &rows[nr_rows++];
}

static void add(struct exp_row *r, __u64 g, __u64 rs, bool has_g)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->guest = realloc(r->guest, r->cap * sizeof(__u64));
		r->restore = realloc(r->restore, r->cap * sizeof(__u64));
	}
	r->guest[r->n] = g;
	r->restore[r->n] = rs;
	r->n++;
	r->count++;
	if (has_g)
		r->guest_sum += g;
	r->restore_sum += rs;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static struct json_object *pcts(__u64 *v, size_t n)
{
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	static const char *const names[] = { "p50", "p90", "p99", "p999" };
	struct json_object *o = json_object_new_object();
	int q;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (q = 0; q < 4 && n; q++) {
		size_t rank = (size_t)ceil(qs[q] * n);

		json_object_object_add(o, names[q], json_object_new_uint64(v[rank - 1]));
	}
	if (n) {
		json_object_object_add(o, "min", json_object_new_uint64(v[0]));
		json_object_object_add(o, "max", json_object_new_uint64(v[n - 1]));
	}
	return o;
}

/* One exit as the module fires it: its index, kind, guest and restore cycles */
struct drawn {
	__u32 i;
	const struct inj_exit *e;
	__u64 g, rs;
};

/*
 * The exits the module fires for VM vm, vCPU vc (the same PRNG, the same
 * seeding), each handed to each(); returns the PRNG state after them, on
 * which the module draws the GS-base and user-return samples
 */
static __u64 draw_exits(const struct workload *w, int vm, int vc,
			void (*each)(const struct drawn *d, void *arg), void *arg)
{
	__u64 s = w->seed ^ (0x9e3779b97f4a7c15ULL * (vm + 1)) ^
		  (0xbf58476d1ce4e5b9ULL * (vc + 1));
	struct drawn d;
	__u32 j;

	if (!s)
		s = 1;
	for (d.i = 0; d.i < w->count; d.i++) {
		__u32 pick = rnd(&s) % w->total_weight;

		for (j = 0; pick >= w->exits[j].weight; j++)
			pick -= w->exits[j].weight;
		d.e = &w->exits[j];
		d.g = uniform(&s, d.e->glo, d.e->ghi);
		d.rs = uniform(&s, d.e->rlo, d.e->rhi);
		each(&d, arg);
	}
	return s;
}

struct expect_arg {
	int vm;
	__u32 mult, shift;
};

static void expect_exit(const struct drawn *d, void *arg)
{
	const struct expect_arg *a = arg;
	struct tdxtop_key k = {
		.kind = TDXTOP_KIND_EXIT, .reason = d->e->reason, .leaf = d->e->leaf,
		.status = tdxtop_status_class(d->e->status),
	};

	add(row(a->vm, &k), tdxtop_cyc2ns(d->g, a->mult, a->shift),
	    tdxtop_cyc2ns(d->rs, a->mult, a->shift), true);
	/* the module's timeline: HOST_GAP(i) after exit i - 1 */
	if (d->i)
		row(a->vm, &k)->host_sum += tdxtop_cyc2ns(1000 + (d->i % 8) * 250, a->mult,
							  a->shift);
}

static int expect(const char *path, int vms, int vcpus, __u32 mult, __u32 shift)
{
	struct workload w;
	struct json_object *out = json_object_new_array();
	int vm, vc;
	__u32 i;
	size_t r;

	if (load(path, &w))
		return 1;
	for (vm = 0; vm < vms; vm++)
		for (vc = 0; vc < vcpus; vc++) {
			struct expect_arg a = { .vm = vm, .mult = mult, .shift = shift };
			struct tdxtop_key k;
			__u64 s = draw_exits(&w, vm, vc, expect_exit, &a);

			memset(&k, 0, sizeof(k));
			k.reason = -1u;
			k.kind = TDXTOP_KIND_DEFERRED;
			for (i = 0; i < w.deferred; i++)
				add(row(vm, &k), 0, 0, false);
			k.kind = TDXTOP_KIND_GSBASE;
			for (i = 0; i < w.gsbase; i++)
				add(row(vm, &k), 0, tdxtop_cyc2ns(uniform(&s, w.gs_lo, w.gs_hi),
								  mult, shift), false);
			k.kind = TDXTOP_KIND_URET;
			k.leaf = w.uret_msrs;
			for (i = 0; i < w.uret; i++)
				add(row(vm, &k), 0, tdxtop_cyc2ns(uniform(&s, w.uret_lo, w.uret_hi),
								  mult, shift), false);
		}
	for (r = 0; r < nr_rows; r++) {
		struct exp_row *e = &rows[r];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "vm", json_object_new_int(e->vm));
		json_object_object_add(o, "kind", json_object_new_string(tdxtop_kind_name(e->key.kind)));
		json_object_object_add(o, "reason_code", json_object_new_int64((__s32)e->key.reason));
		json_object_object_add(o, "leaf_code", json_object_new_uint64(e->key.leaf));
		json_object_object_add(o, "status_code", json_object_new_int64(e->key.status));
		json_object_object_add(o, "count", json_object_new_uint64(e->count));
		json_object_object_add(o, "guest_sum", json_object_new_uint64(e->guest_sum));
		json_object_object_add(o, "restore_sum", json_object_new_uint64(e->restore_sum));
		json_object_object_add(o, "host_sum", json_object_new_uint64(e->host_sum));
		if (e->key.kind == TDXTOP_KIND_EXIT) {
			json_object_object_add(o, "guest", pcts(e->guest, e->n));
			json_object_object_add(o, "restore", pcts(e->restore, e->n));
		} else if (e->key.kind != TDXTOP_KIND_DEFERRED) {
			json_object_object_add(o, "cost", pcts(e->restore, e->n));
		}
		json_object_array_add(out, o);
	}
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return 0;
}

struct outlier_arg {
	int vm, vc;
	__u32 mult, shift;
	__u64 guest_ns;
};

static void outlier_exit(const struct drawn *d, void *arg)
{
	const struct outlier_arg *a = arg;
	__u64 g = tdxtop_cyc2ns(d->g, a->mult, a->shift);

	if (g <= a->guest_ns)
		return;
	printf("%d %d %u %d %llu %llu %llu %lld %llu\n", a->vm, a->vc, d->i,
	       (__s32)d->e->reason, (unsigned long long)d->e->leaf,
	       (unsigned long long)d->e->status, (unsigned long long)g,
	       d->i ? (long long)tdxtop_cyc2ns(1000 + (d->i % 8) * 250, a->mult, a->shift) :
		      -1LL,
	       (unsigned long long)tdxtop_cyc2ns(d->rs, a->mult, a->shift));
}

static int outliers(const char *path, int vms, int vcpus, __u32 mult, __u32 shift,
		    __u64 guest_ns)
{
	struct workload w;
	int vm, vc;

	if (load(path, &w))
		return 1;
	for (vm = 0; vm < vms; vm++)
		for (vc = 0; vc < vcpus; vc++) {
			struct outlier_arg a = {
				.vm = vm, .vc = vc, .mult = mult, .shift = shift,
				.guest_ns = guest_ns,
			};

			draw_exits(&w, vm, vc, outlier_exit, &a);
		}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: inject run VMS VCPUS [NAME [SECONDS]] | "
		"inject expect[-host] WORKLOAD VMS VCPUS MULT SHIFT | "
		"inject outliers WORKLOAD VMS VCPUS MULT SHIFT GUEST_NS\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "run"))
		return run(atoi(argv[2]), atoi(argv[3]), argc > 4 ? argv[4] : "td",
			   argc > 5 ? argv[5] : "0", "/proc/self/exe");
	if (argc >= 5 && !strcmp(argv[1], "vmm"))
		return vmm(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
	host_wide = argc == 7 && !strcmp(argv[1], "expect-host");
	if (argc == 7 && (!strcmp(argv[1], "expect") || host_wide))
		return expect(argv[2], atoi(argv[3]), atoi(argv[4]),
			      strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0));
	if (argc == 8 && !strcmp(argv[1], "outliers"))
		return outliers(argv[2], atoi(argv[3]), atoi(argv[4]),
				strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0),
				strtoull(argv[7], NULL, 0));
	return usage();
}
