// SPDX-License-Identifier: GPL-2.0
/*
 * tdx_inject: a test-only module, never part of the kernel series.  It fires
 * the real tdx tracepoints (include/trace/events/tdx.h) with a workload given
 * as input, in the context of the thread that asks for it, so that user-space
 * processes and threads stand for VMM processes and vCPU threads.
 *
 * /sys/kernel/debug/tdx_inject/workload (write): the workload, one directive
 * per line; the whole text is checked before it replaces the current one.
 *
 *   seed N                     PRNG seed
 *   count N                    exits per fire
 *   exit W STATUS REASON LEAF GLO GHI RLO RHI RESTORED
 *                              an exit kind of weight W: raw TDH.VP.ENTER
 *                              status, exit reason, TDVMCALL leaf, guest and
 *                              restore cycles uniform in [GLO,GHI], [RLO,RHI],
 *                              restored mask
 *   deferred N                 tdx_vp_enter_deferred per fire
 *   gsbase N LO HI             tdx_host_gsbase per fire, cycles in [LO,HI]
 *   uret N MSRS NR LO HI       tdx_uret_restore per fire
 *
 * /sys/kernel/debug/tdx_inject/fire (write "VM VCPU"): fire one workload in
 * the caller's context; the PRNG state is derived from seed, VM and VCPU so
 * that a run is reproducible and its samples can be recomputed.  The exits
 * of one fire follow one TSC timeline: exit i (from 0) enters HOST_GAP(i)
 * cycles after exit i - 1's tsc, so that is the host time between them.  A
 * timeline starts at the TSC of the fire, or where the last fire through the
 * same open file left off, if later.
 *
 * /sys/kernel/debug/tdx_inject/stats (read): events fired and ns spent.
 *
 * Malformed input: -EINVAL, one line in dmesg, nothing fired.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include <trace/events/tdx.h>

/* host cycles between the exits of one fire (tests/e2e/inject.c expects them) */
#define HOST_GAP(i)	(1000 + ((i) % 8) * 250)

#define MAX_EXITS	32
#define WORKLOAD_MAX	8192

struct inj_exit {
	u32 weight;
	u64 status;
	u32 reason;
	u64 leaf;
	u64 glo, ghi, rlo, rhi;
	u32 restored;
};

struct workload {
	u64 seed;
	u32 count;
	u32 nr_exits, total_weight;
	struct inj_exit exits[MAX_EXITS];
	u32 deferred;
	u32 gsbase;
	u64 gs_lo, gs_hi;
	u32 uret, uret_msrs, uret_nr;
	u64 uret_lo, uret_hi;
};

static DEFINE_MUTEX(wl_lock);
static struct workload wl;
static bool wl_set;
static atomic64_t fired, fired_ns;
static struct dentry *dir;

/* xorshift64*, the generator tests/e2e recomputes samples with */
static u64 rnd(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static u64 uniform(u64 *s, u64 lo, u64 hi)
{
	return lo + rnd(s) % (hi - lo + 1);
}

static int parse_line(char *line, struct workload *w)
{
	char *argv[12], *p = skip_spaces(line), *tok;
	u64 v[11];
	int argc = 0, i;

	if (!*p || *p == '#')
		return 0;
	while ((tok = strsep(&p, " \t")) && argc < 12) {
		if (*tok)
			argv[argc++] = tok;
	}
	if (tok)
		return -EINVAL;		/* too many fields */
	if (!argc)
		return 0;
	for (i = 1; i < argc; i++)
		if (kstrtou64(argv[i], 0, &v[i - 1]))
			return -EINVAL;

	if (!strcmp(argv[0], "seed") && argc == 2) {
		w->seed = v[0];
	} else if (!strcmp(argv[0], "count") && argc == 2 && v[0] <= 100000000) {
		w->count = v[0];
	} else if (!strcmp(argv[0], "exit") && argc == 10) {
		struct inj_exit *e;

		if (w->nr_exits == MAX_EXITS || !v[0] || v[0] > 1000000 ||
		    v[2] > U32_MAX || v[4] > v[5] || v[6] > v[7] || v[8] > 0xf)
			return -EINVAL;
		e = &w->exits[w->nr_exits++];
		*e = (struct inj_exit){
			.weight = v[0], .status = v[1], .reason = v[2], .leaf = v[3],
			.glo = v[4], .ghi = v[5], .rlo = v[6], .rhi = v[7],
			.restored = v[8],
		};
		w->total_weight += v[0];
	} else if (!strcmp(argv[0], "deferred") && argc == 2 && v[0] <= 1000000) {
		w->deferred = v[0];
	} else if (!strcmp(argv[0], "gsbase") && argc == 4 && v[0] <= 1000000 &&
		   v[1] <= v[2]) {
		w->gsbase = v[0];
		w->gs_lo = v[1];
		w->gs_hi = v[2];
	} else if (!strcmp(argv[0], "uret") && argc == 6 && v[0] <= 1000000 &&
		   v[1] <= 0x3f && v[2] <= 16 && v[3] <= v[4]) {
		w->uret = v[0];
		w->uret_msrs = v[1];
		w->uret_nr = v[2];
		w->uret_lo = v[3];
		w->uret_hi = v[4];
	} else {
		return -EINVAL;
	}
	return 0;
}

static ssize_t workload_write(struct file *f, const char __user *ubuf,
			      size_t len, loff_t *off)
{
	struct workload *w;
	char *buf, *p, *line;
	int lineno = 0, err = 0;

	if (len >= WORKLOAD_MAX)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		kfree(buf);
		return -ENOMEM;
	}
	p = buf;
	while ((line = strsep(&p, "\n"))) {
		lineno++;
		err = parse_line(line, w);
		if (err)
			break;
	}
	if (!err && !w->nr_exits && !w->deferred && !w->gsbase && !w->uret)
		err = -EINVAL;
	if (!err && w->nr_exits && !w->count)
		err = -EINVAL;
	if (err) {
		pr_warn("tdx_inject: malformed workload at line %d, nothing changed\n",
			lineno);
	} else {
		mutex_lock(&wl_lock);
		wl = *w;
		wl_set = true;
		mutex_unlock(&wl_lock);
	}
	kfree(w);
	kfree(buf);
	return err ? err : len;
}

static void fire(const struct workload *w, u32 vm, u32 vcpu, u64 *tsc_end)
{
	u64 s = w->seed ^ (0x9e3779b97f4a7c15ULL * (vm + 1)) ^
		(0xbf58476d1ce4e5b9ULL * (vcpu + 1));
	u64 tsc = max(rdtsc_ordered(), *tsc_end);
	u32 i, j;

	if (!s)
		s = 1;
	unsigned long flags;

	/*
	 * Each event fires with interrupts off, as the real ones do:
	 * tdx_vcpu_run() and the user-return notifier run with IRQs disabled,
	 * vcpu_put with preemption disabled.
	 */
	for (i = 0; i < w->count; i++) {
		u32 pick = rnd(&s) % w->total_weight;
		const struct inj_exit *e;
		u64 g, r;

		for (j = 0; pick >= w->exits[j].weight; j++)
			pick -= w->exits[j].weight;
		e = &w->exits[j];
		g = uniform(&s, e->glo, e->ghi);
		r = uniform(&s, e->rlo, e->rhi);
		tsc += HOST_GAP(i) + g + r;
		local_irq_save(flags);
		trace_tdx_vp_enter(vcpu, e->status, e->reason, e->leaf, i, g, r,
				   e->restored, tsc);
		local_irq_restore(flags);
	}
	*tsc_end = tsc;
	for (i = 0; i < w->deferred; i++) {
		local_irq_save(flags);
		trace_tdx_vp_enter_deferred(vcpu);
		local_irq_restore(flags);
	}
	for (i = 0; i < w->gsbase; i++) {
		u64 c = uniform(&s, w->gs_lo, w->gs_hi);

		local_irq_save(flags);
		trace_tdx_host_gsbase(vcpu, c);
		local_irq_restore(flags);
	}
	for (i = 0; i < w->uret; i++) {
		u64 c = uniform(&s, w->uret_lo, w->uret_hi);

		local_irq_save(flags);
		trace_tdx_uret_restore(w->uret_msrs, w->uret_nr, c);
		local_irq_restore(flags);
	}
}

static ssize_t fire_write(struct file *f, const char __user *ubuf, size_t len,
			  loff_t *off)
{
	struct workload *w;
	char buf[32];
	u64 t0, n, tsc_end = (unsigned long)f->private_data;
	u32 vm, vcpu;

	if (len >= sizeof(buf) || copy_from_user(buf, ubuf, len))
		return -EINVAL;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &vm, &vcpu) != 2) {
		pr_warn("tdx_inject: fire wants \"VM VCPU\"\n");
		return -EINVAL;
	}
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	mutex_lock(&wl_lock);
	*w = wl;
	mutex_unlock(&wl_lock);
	if (!wl_set) {
		kfree(w);
		pr_warn("tdx_inject: no workload written yet\n");
		return -EINVAL;
	}
	n = (u64)w->count + w->deferred + w->gsbase + w->uret;
	t0 = ktime_get_ns();
	fire(w, vm, vcpu, &tsc_end);
	f->private_data = (void *)(unsigned long)tsc_end;	/* 64-bit only */
	atomic64_add(ktime_get_ns() - t0, &fired_ns);
	atomic64_add(n, &fired);
	kfree(w);
	return len;
}

static int stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "events %lld\nns %lld\n", atomic64_read(&fired),
		   atomic64_read(&fired_ns));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static ssize_t stats_write(struct file *f, const char __user *ubuf, size_t len,
			   loff_t *off)
{
	atomic64_set(&fired, 0);
	atomic64_set(&fired_ns, 0);
	return len;
}

static const struct file_operations workload_fops = {
	.owner = THIS_MODULE,
	.write = workload_write,
};

static const struct file_operations fire_fops = {
	.owner = THIS_MODULE,
	.write = fire_write,
};

static const struct file_operations stats_rw_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = stats_write,
};

static int __init tdx_inject_init(void)
{
	dir = debugfs_create_dir("tdx_inject", NULL);
	debugfs_create_file("workload", 0200, dir, NULL, &workload_fops);
	debugfs_create_file("fire", 0200, dir, NULL, &fire_fops);
	debugfs_create_file("stats", 0600, dir, NULL, &stats_rw_fops);
	return 0;
}

static void __exit tdx_inject_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(tdx_inject_init);
module_exit(tdx_inject_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tdxtop test-only injector of tdx tracepoint events");
