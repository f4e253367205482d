// SPDX-License-Identifier: GPL-2.0
/*
 * A scripted TD enter/exit path in a stock kernel (no tdxtop series), for
 * tdxtop's test build only.  tests/kernel/stock/tdx-stock.patch includes
 * this file at the end of arch/x86/kvm/vmx/tdx.c and replaces TDH.VP.ENTER
 * with tdx_stock_vp_enter(), which plays back one exit of a script: it
 * spins for the exit's guest time and returns the status and exit
 * registers the TDX module would.  Everything else - tdx_vcpu_run(), its
 * kvm_entry and kvm_exit tracepoints, the restore of host state and the
 * early returns of EPT misconfig and TDX_SW_ERROR - is the stock code as
 * compiled, run on a real CPU (QEMU TCG).
 *
 * /sys/kernel/debug/tdx_stock/script (write): one directive per line; the
 * whole text is checked before it replaces the current one.
 *
 *   count N                rounds per fire
 *   tds N                  VM indexes below N are TDs, the others
 *                          ordinary VMs
 *   exit N STATUS R10 R11 RCX R8 GLO GHI
 *                          per round, N exits of a TD: TDH.VP.ENTER
 *                          returns STATUS and these registers after
 *                          GLO..GHI TSC cycles
 *   vmexit N REASON GLO GHI
 *                          per round, N exits of an ordinary VM:
 *                          kvm_entry, GLO..GHI cycles, kvm_exit with
 *                          REASON (only where no vendor module runs)
 *
 * /sys/kernel/debug/tdx_stock/fire (write "VM VCPU"): the rounds of one
 * fire, in the caller's context, for a vCPU of its own (VM < 8, VCPU < 8).
 * A round takes the lines in order, the exit of a line N times in a row.
 *
 * /sys/kernel/debug/tdx_stock/stats (read): "tsc_khz K", then per VM,
 * vCPU and line with runs: "VM VCPU LINE RUNS CYCLES", CYCLES the TSC
 * cycles the stand-in spent (a TD's) or the spin between the two
 * tracepoints (an ordinary VM's).
 *
 * The tracepoints ask KVM's vendor code for the exit's details
 * (get_exit_info, get_entry_info).  No VMX here, so this file puts in
 * what a TDX host's vendor code gives for a TD, and leaves every other
 * vCPU to the vendor module that runs, if any.
 */
#include <linux/debugfs.h>
#include <linux/static_call.h>

#define TDX_STOCK_LINES		16
#define TDX_STOCK_VMS		8
#define TDX_STOCK_VCPUS		8
#define TDX_STOCK_TEXT_MAX	4096

struct tdx_stock_line {
	bool td;
	u32 n;
	u64 status, r10, r11, rcx, r8, reason;
	u64 glo, ghi;
};

struct tdx_stock_script {
	u32 count, tds, nr;
	struct tdx_stock_line l[TDX_STOCK_LINES];
};

/* A vCPU of the driver: the stand-in finds its exit through the vCPU. */
struct tdx_stock_vcpu {
	struct vcpu_tdx tdx;
	const struct tdx_stock_line *cur;
	u64 spin;
	u64 spent;
};

static DEFINE_MUTEX(tdx_stock_lock);
static struct tdx_stock_script tdx_stock_script;
static u64 tdx_stock_runs[TDX_STOCK_VMS][TDX_STOCK_VCPUS][TDX_STOCK_LINES];
static u64 tdx_stock_cycles[TDX_STOCK_VMS][TDX_STOCK_VCPUS][TDX_STOCK_LINES];
static struct dentry *tdx_stock_dir;
static bool tdx_stock_hooked;

static void (*tdx_stock_vendor_exit_info)(struct kvm_vcpu *vcpu, u32 *reason,
					  u64 *info1, u64 *info2,
					  u32 *intr_info, u32 *error_code);
static void (*tdx_stock_vendor_entry_info)(struct kvm_vcpu *vcpu,
					   u32 *intr_info, u32 *error_code);

static noinstr u64 tdx_stock_vp_enter(struct tdx_vp *vp,
				      struct tdx_module_args *args)
{
	struct vcpu_tdx *tdx = container_of(vp, struct vcpu_tdx, vp);
	struct tdx_stock_vcpu *v = container_of(tdx, struct tdx_stock_vcpu, tdx);
	const struct tdx_stock_line *l = v->cur;
	u64 start = rdtsc();

	while (rdtsc() - start < v->spin)
		cpu_relax();
	args->rcx = l->rcx;
	args->rdx = 0;
	args->r8 = l->r8;
	args->r9 = 0;
	args->r10 = l->r10;
	args->r11 = l->r11;
	v->spent = rdtsc() - start;
	return l->status;
}

static void tdx_stock_get_exit_info(struct kvm_vcpu *vcpu, u32 *reason,
				    u64 *info1, u64 *info2, u32 *intr_info,
				    u32 *error_code)
{
	if (is_td_vcpu(vcpu)) {
		tdx_get_exit_info(vcpu, reason, info1, info2, intr_info,
				  error_code);
	} else if (tdx_stock_vendor_exit_info) {
		tdx_stock_vendor_exit_info(vcpu, reason, info1, info2,
					   intr_info, error_code);
	} else {
		/* an ordinary VM of this driver */
		*reason = to_vt(vcpu)->exit_reason.full;
		*info1 = 0;
		*info2 = 0;
		*intr_info = 0;
		*error_code = 0;
	}
}

static void tdx_stock_get_entry_info(struct kvm_vcpu *vcpu, u32 *intr_info,
				     u32 *error_code)
{
	if (!is_td_vcpu(vcpu) && tdx_stock_vendor_entry_info) {
		tdx_stock_vendor_entry_info(vcpu, intr_info, error_code);
		return;
	}
	*intr_info = 0;
	*error_code = 0;
}

/* Once, after the vendor module (if any) set KVM's calls up at boot. */
static void tdx_stock_hook(void)
{
	if (tdx_stock_hooked)
		return;
	tdx_stock_vendor_exit_info = kvm_x86_ops.get_exit_info;
	tdx_stock_vendor_entry_info = kvm_x86_ops.get_entry_info;
	static_call_update(kvm_x86_get_exit_info, tdx_stock_get_exit_info);
	static_call_update(kvm_x86_get_entry_info, tdx_stock_get_entry_info);
	tdx_stock_hooked = true;
}

static int tdx_stock_parse_line(char *line, struct tdx_stock_script *s)
{
	char *argv[10], *p = skip_spaces(line), *tok;
	struct tdx_stock_line *l;
	int argc = 0, i;
	u64 v[9];

	if (!*p || *p == '#')
		return 0;
	while ((tok = strsep(&p, " \t")) && argc < 10) {
		if (*tok)
			argv[argc++] = tok;
	}
	if (tok)
		return -EINVAL;
	if (!argc)
		return 0;
	for (i = 1; i < argc; i++)
		if (kstrtou64(argv[i], 0, &v[i - 1]))
			return -EINVAL;

	if (!strcmp(argv[0], "count") && argc == 2 && v[0] <= 10000000) {
		s->count = v[0];
		return 0;
	}
	if (!strcmp(argv[0], "tds") && argc == 2 && v[0] <= TDX_STOCK_VMS) {
		s->tds = v[0];
		return 0;
	}
	if (s->nr == TDX_STOCK_LINES)
		return -EINVAL;
	l = &s->l[s->nr];
	if (!strcmp(argv[0], "exit") && argc == 9) {
		*l = (struct tdx_stock_line) {
			.td = true, .n = v[0], .status = v[1], .r10 = v[2],
			.r11 = v[3], .rcx = v[4], .r8 = v[5], .glo = v[6],
			.ghi = v[7],
		};
	} else if (!strcmp(argv[0], "vmexit") && argc == 5 && v[1] <= U32_MAX) {
		*l = (struct tdx_stock_line) {
			.n = v[0], .reason = v[1], .glo = v[2], .ghi = v[3],
		};
	} else {
		return -EINVAL;
	}
	if (!l->n || l->n > 1000000 || l->glo > l->ghi)
		return -EINVAL;
	s->nr++;
	return 0;
}

static ssize_t tdx_stock_script_write(struct file *f, const char __user *ubuf,
				      size_t len, loff_t *ppos)
{
	struct tdx_stock_script *s;
	char *text, *p, *line;
	int err = 0, nr = 0;

	if (len > TDX_STOCK_TEXT_MAX)
		return -EINVAL;
	text = memdup_user_nul(ubuf, len);
	if (IS_ERR(text))
		return PTR_ERR(text);
	s = kzalloc_obj(*s);
	if (!s) {
		kfree(text);
		return -ENOMEM;
	}
	p = text;
	while (!err && (line = strsep(&p, "\n"))) {
		nr++;
		err = tdx_stock_parse_line(line, s);
	}
	kfree(text);
	if (err) {
		pr_info("tdx_stock: script line %d: not understood\n", nr);
		kfree(s);
		return err;
	}
	mutex_lock(&tdx_stock_lock);
	tdx_stock_hook();
	tdx_stock_script = *s;
	memset(tdx_stock_runs, 0, sizeof(tdx_stock_runs));
	memset(tdx_stock_cycles, 0, sizeof(tdx_stock_cycles));
	mutex_unlock(&tdx_stock_lock);
	kfree(s);
	return len;
}

/* One exit of an ordinary VM, as vcpu_enter_guest() brackets a run. */
static u64 tdx_stock_vm_run(struct tdx_stock_vcpu *v)
{
	struct kvm_vcpu *vcpu = &v->tdx.vcpu;
	u64 start;

	trace_kvm_entry(vcpu, false);
	start = rdtsc_ordered();
	while (rdtsc() - start < v->spin)
		cpu_relax();
	v->spent = rdtsc_ordered() - start;
	v->tdx.vt.exit_reason.full = v->cur->reason;
	trace_kvm_exit(vcpu, KVM_ISA_VMX);
	return v->spent;
}

static int tdx_stock_fire(u32 vm, u32 vcpu_id)
{
	const struct tdx_stock_script *s = &tdx_stock_script;
	struct tdx_stock_vcpu *v;
	struct kvm_tdx *kvm_tdx;
	struct kvm_vcpu *vcpu;
	u32 r, i, j;
	u64 seq = 0;
	bool td;

	if (vm >= TDX_STOCK_VMS || vcpu_id >= TDX_STOCK_VCPUS)
		return -EINVAL;
	td = vm < s->tds;
	if (!td && tdx_stock_vendor_exit_info)
		return -EOPNOTSUPP;
	kvm_tdx = kvzalloc_obj(*kvm_tdx);
	v = kzalloc_obj(*v);
	if (!kvm_tdx || !v) {
		kvfree(kvm_tdx);
		kfree(v);
		return -ENOMEM;
	}
	vcpu = &v->tdx.vcpu;
	vcpu->kvm = &kvm_tdx->kvm;
	vcpu->vcpu_id = vcpu_id;
	vcpu->arch.guest_state_protected = true;
	kvm_tdx->kvm.arch.vm_type = td ? KVM_X86_TDX_VM : KVM_X86_DEFAULT_VM;
	/* a TD whose XCR0 and XSS are the host's: no restore of them */
	kvm_tdx->xfam = kvm_host.xcr0 | kvm_host.xss;

	for (r = 0; r < s->count; r++) {
		for (i = 0; i < s->nr; i++) {
			const struct tdx_stock_line *l = &s->l[i];

			if (l->td != td)
				continue;
			for (j = 0; j < l->n; j++) {
				v->cur = l;
				v->spin = l->glo + (seq++ * 2654435761ULL) %
						   (l->ghi - l->glo + 1);
				v->spent = 0;
				local_irq_disable();
				if (td)
					tdx_vcpu_run(vcpu, 0);
				else
					tdx_stock_vm_run(v);
				local_irq_enable();
				tdx_stock_runs[vm][vcpu_id][i]++;
				tdx_stock_cycles[vm][vcpu_id][i] += v->spent;
				cond_resched();
			}
		}
	}
	kfree(v);
	kvfree(kvm_tdx);
	return 0;
}

static ssize_t tdx_stock_fire_write(struct file *f, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	char buf[32];
	u32 vm, vcpu;
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &vm, &vcpu) != 2)
		return -EINVAL;
	if (!tdx_stock_hooked)
		return -ENODATA;
	err = tdx_stock_fire(vm, vcpu);
	return err ? err : len;
}

static int tdx_stock_stats_show(struct seq_file *m, void *unused)
{
	u32 vm, vcpu, i;

	seq_printf(m, "tsc_khz %u\n", tsc_khz);
	for (vm = 0; vm < TDX_STOCK_VMS; vm++)
		for (vcpu = 0; vcpu < TDX_STOCK_VCPUS; vcpu++)
			for (i = 0; i < TDX_STOCK_LINES; i++)
				if (tdx_stock_runs[vm][vcpu][i])
					seq_printf(m, "%u %u %u %llu %llu\n",
						   vm, vcpu, i,
						   tdx_stock_runs[vm][vcpu][i],
						   tdx_stock_cycles[vm][vcpu][i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tdx_stock_stats);

static const struct file_operations tdx_stock_script_fops = {
	.owner = THIS_MODULE,
	.write = tdx_stock_script_write,
};

static const struct file_operations tdx_stock_fire_fops = {
	.owner = THIS_MODULE,
	.write = tdx_stock_fire_write,
};

static int __init tdx_stock_init(void)
{
	tdx_stock_dir = debugfs_create_dir("tdx_stock", NULL);
	debugfs_create_file("script", 0200, tdx_stock_dir, NULL,
			    &tdx_stock_script_fops);
	debugfs_create_file("fire", 0200, tdx_stock_dir, NULL,
			    &tdx_stock_fire_fops);
	debugfs_create_file("stats", 0400, tdx_stock_dir, NULL,
			    &tdx_stock_stats_fops);
	return 0;
}
late_initcall(tdx_stock_init);
