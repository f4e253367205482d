// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live top-like view.  Keys:
 *   1 2 3 4   rows per VM, vCPU, reason, all
 *   s / S     next / previous sort key      c g o r m  sort by count, guest,
 *   /         filter (VM name, PID or reason substring), empty clears
 *   Up Down   select      Enter  drill into the selected row's histograms
 *   Esc       back        ? h    help        q  quit
 * In the drill-down, Tab / Left / Right choose the metric whose histogram
 * is drawn; the row's outliers (--outliers) are listed under it.
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output/output.h"

/* Outliers kept for the drill-down, across intervals: the newest */
#define TUI_OUTLIERS	512

struct tui_outlier {
	struct tdxtop_outlier_ev e;
	char vm[TDXTOP_VM_NAME_LEN];	/* raw, as the snapshot had it */
};

struct tui {
	struct tdxtop_out_opts *o;
	const struct tdxtop_snap *s;
	struct tdxtop_view view;
	size_t *idx;		/* rows passing the filter */
	size_t nr_idx;
	size_t sel, top;
	char filter[64];
	bool drill, help, have;
	struct tdxtop_key drill_key;
	int drill_metric;
	char msg[128];
	struct tui_outlier outliers[TUI_OUTLIERS];	/* a ring */
	size_t nr_outliers, next_outlier;
	__u64 kept_start_ns, kept_end_ns;	/* the interval last kept */
};

/* Keeps the interval's outliers, dropping the oldest beyond TUI_OUTLIERS */
static void keep_outliers(struct tui *t)
{
	size_t i;

	/* a source may hand the same interval again (a replay at its end) */
	if (t->s->start_ns == t->kept_start_ns && t->s->end_ns == t->kept_end_ns)
		return;
	t->kept_start_ns = t->s->start_ns;
	t->kept_end_ns = t->s->end_ns;
	for (i = 0; i < t->s->nr_outliers; i++) {
		struct tui_outlier *o = &t->outliers[t->next_outlier];

		o->e = t->s->outliers[i];
		snprintf(o->vm, sizeof(o->vm), "%s", tdxtop_snap_vm_name(t->s, o->e.o.tgid));
		t->next_outlier = (t->next_outlier + 1) % TUI_OUTLIERS;
		if (t->nr_outliers < TUI_OUTLIERS)
			t->nr_outliers++;
	}
}

/* Whether outlier o is an exit of the row with key k in view by */
static bool outlier_of(const struct tdxtop_outlier *o, const struct tdxtop_key *k,
		       enum tdxtop_group_by by)
{
	if (o->tgid != k->tgid || !tdxtop_kind_is_td_exit(k->kind))
		return false;
	if ((by == TDXTOP_BY_VCPU || by == TDXTOP_BY_ALL) && o->vcpu != k->vcpu)
		return false;
	if (by == TDXTOP_BY_REASON || by == TDXTOP_BY_ALL)
		return o->reason == k->reason && o->leaf == k->leaf &&
		       tdxtop_status_class(o->status) == k->status;
	return true;
}

/* the filter matches what the row shows: VM name, PID, reason, status */
static bool matches(const struct tui *t, const struct tdxtop_group *g)
{
	char vm[TDXTOP_CELL_SIZE(TDXTOP_VM_NAME_LEN)], pid[16], label[64];
	const char *st = tdxtop_kind_is_td_exit(g->key.kind) ?
			 tdxtop_status_name(g->key.status) : NULL;

	if (!t->filter[0])
		return true;
	tdxtop_format_vm(vm, t->s, g->key.tgid, TDXTOP_VM_NAME_LEN);
	snprintf(pid, sizeof(pid), "%u", g->key.tgid);
	tdxtop_row_label(&g->key, label, sizeof(label));
	return strcasestr(vm, t->filter) || !strcmp(pid, t->filter) ||
	       strcasestr(label, t->filter) || (st && strcasestr(st, t->filter));
}

static int rebuild(struct tui *t)
{
	size_t i;
	int err;

	if (!t->have)
		return 0;
	err = tdxtop_view_build(&t->view, t->s, t->o->by, t->o->sort);
	if (err)
		return err;
	free(t->idx);
	t->idx = calloc(t->view.nr + 1, sizeof(*t->idx));
	if (!t->idx)
		return -ENOMEM;
	t->nr_idx = 0;
	for (i = 0; i < t->view.nr; i++)
		if (matches(t, &t->view.g[i]))
			t->idx[t->nr_idx++] = i;
	if (t->sel >= t->nr_idx)
		t->sel = t->nr_idx ? t->nr_idx - 1 : 0;
	return 0;
}

static void draw_header(struct tui *t)
{
	const struct tdxtop_snap *s = t->s;
	double secs;
	__u64 drops;
	int d;

	attron(A_BOLD);
	mvprintw(0, 0, "tdxtop - TDX enter/exit");
	attroff(A_BOLD);
	if (!t->have) {
		printw("   waiting for the first interval...");
		return;
	}
	secs = tdxtop_snap_seconds(s);
	drops = tdxtop_snap_losses(s);
	printw("   events %llu/s   drops %llu",
	       (unsigned long long)(secs > 0 ? t->view.events / secs : 0),
	       (unsigned long long)drops);
	for (d = 0; d < TDXTOP_NR_LOSSES; d++)
		if (s->losses[d])
			printw(" %s=%llu", tdxtop_loss_name(d),
			       (unsigned long long)s->losses[d]);
	if (s->outlier_spec)
		printw("   outliers %zu capped %llu lost %llu", s->nr_outliers,
		       (unsigned long long)s->outlier_counts[TDXTOP_OUTLIER_CAPPED],
		       (unsigned long long)s->outlier_counts[TDXTOP_OUTLIER_LOST]);
	if (s->timed) {
		struct tdxtop_selfcost c;
		char self[96];

		tdxtop_selfcost(s, -1, &c);
		mvprintw(1, 0, "self: %s   tsc %s",
			 tdxtop_format_self(self, sizeof(self), &c, s->timed),
			 s->tsc.source);
	}
	mvprintw(2, 0, "view: %s  sort: %s  filter: %s", tdxtop_group_name(t->o->by),
		 tdxtop_sort_name(t->o->sort), t->filter[0] ? t->filter : "(none)");
	if (t->msg[0])
		printw("   %s", t->msg);
	if (tdxtop_source_note(s->source))
		mvprintw(3, 0, "%.*s", COLS > 0 ? COLS : 80, tdxtop_source_note(s->source));
}

static void draw_table(struct tui *t)
{
	char line[TDXTOP_LINE_SIZE];
	int rows = LINES - 5, r;
	size_t i;

	attron(A_REVERSE);
	mvprintw(4, 0, "%s", tdxtop_cols_header(t->have ? t->s->source : NULL));
	clrtoeol();
	attroff(A_REVERSE);
	if (t->sel < t->top)
		t->top = t->sel;
	if (rows > 0 && t->sel >= t->top + rows)
		t->top = t->sel - rows + 1;
	for (r = 0, i = t->top; r < rows && i < t->nr_idx; r++, i++) {
		tdxtop_format_line(line, t->s, &t->view.g[t->idx[i]], t->o->by);
		if (i == t->sel)
			attron(A_REVERSE);
		mvaddnstr(5 + r, 0, line, -1);
		clrtoeol();
		if (i == t->sel)
			attroff(A_REVERSE);
	}
	if (!t->nr_idx)
		mvprintw(5, 0, t->filter[0] ? "no rows match the filter" :
			 "no TD exits in this interval");
}

static const struct tdxtop_group *find_drill(struct tui *t)
{
	size_t i;

	for (i = 0; i < t->view.nr; i++)
		if (!memcmp(&t->view.g[i].key, &t->drill_key, sizeof(t->drill_key)))
			return &t->view.g[i];
	return NULL;
}

/*
 * The histogram of metric m as bars on a log axis: one row per power of
 * two of ns from the smallest sample to the largest (tdxtop's buckets
 * merged exactly), bars scaled to the widest row, within 80 columns
 */
static int draw_log_hist(const struct tdxtop_group *g, int m, int y, int last)
{
	__u64 pow2[64] = {}, peak = 0;
	const __u32 *bk = g->h->bucket[m];
	int b, lo = 64, hi = -1, k, x, width = COLS - 36;
	char a[16], z[16];

	for (b = 0; b < TDXTOP_HIST_BUCKETS; b++) {
		__u64 v = tdxtop_bucket_lo(b);

		k = v ? tdxtop_msb(v) : 0;
		pow2[k] += bk[b];
		if (bk[b] && k < lo)
			lo = k;
		if (bk[b] && k > hi)
			hi = k;
	}
	for (k = lo; k <= hi; k++)
		if (pow2[k] > peak)
			peak = pow2[k];
	if (width > 60)
		width = 60;
	for (k = lo; k <= hi && y < last; k++) {
		tdxtop_fmt_ns(a, sizeof(a), k ? 1ULL << k : 0);
		tdxtop_fmt_ns(z, sizeof(z), 1ULL << (k + 1));
		mvprintw(y++, 0, "  %7s-%-7s %10llu |", a, z, (unsigned long long)pow2[k]);
		for (x = 0; width > 0 && peak && x < (int)(pow2[k] * width / peak); x++)
			addch('#');
		if (pow2[k] && width > 0 && pow2[k] * width < peak)
			addch('.');	/* some, less than one column */
	}
	return y;
}

/* The row's outliers, newest first, from line y to the screen's end */
static void draw_drill_outliers(struct tui *t, int y)
{
	char line[TDXTOP_LINE_SIZE];
	struct tdxtop_snap one = {};
	size_t i, shown = 0, seen = 0;
	struct tdxtop_vm vm;

	if (!t->s->outlier_spec || y >= LINES - 1)
		return;
	attron(A_BOLD);
	mvprintw(y++, 0, "outliers (%s), newest first", t->s->outlier_spec);
	attroff(A_BOLD);
	attron(A_REVERSE);
	mvaddnstr(y++, 0, tdxtop_outliers_header(), COLS);
	clrtoeol();
	attroff(A_REVERSE);
	/* each line names its VM from the snapshot it came with */
	one.vms = &vm;
	one.nr_vms = 1;
	for (i = 0; i < t->nr_outliers; i++) {
		size_t pos = (t->next_outlier + TUI_OUTLIERS - 1 - i) % TUI_OUTLIERS;
		const struct tui_outlier *o = &t->outliers[pos];

		if (!outlier_of(&o->e.o, &t->drill_key, t->o->by))
			continue;
		seen++;
		if (y >= LINES - 1)
			continue;
		vm.tgid = o->e.o.tgid;
		memcpy(vm.name, o->vm, sizeof(vm.name));
		tdxtop_format_outlier(line, &one, &o->e);
		mvaddnstr(y++, 0, line, COLS);
		shown++;
	}
	if (!seen)
		mvprintw(y, 0, "  none yet");
	else if (seen > shown)
		mvprintw(LINES - 1, 0, "(%zu more)", seen - shown);
}

static void draw_drill(struct tui *t)
{
	static const double qs[] = { 0.5, 0.99, 0.999 };
	const struct tdxtop_group *g = find_drill(t);
	char label[64], v[16], vm[TDXTOP_CELL_SIZE(32)];
	int m, y = 4, q, hist_end;

	/* rows of the VM and vCPU views are of a kind, not of a reason */
	if (t->o->by == TDXTOP_BY_REASON || t->o->by == TDXTOP_BY_ALL)
		tdxtop_row_label(&t->drill_key, label, sizeof(label));
	else
		snprintf(label, sizeof(label), "%s", tdxtop_kind_name(t->drill_key.kind));
	if (t->o->by == TDXTOP_BY_VCPU || t->o->by == TDXTOP_BY_ALL)
		snprintf(label + strlen(label), sizeof(label) - strlen(label), " vCPU %u",
			 t->drill_key.vcpu);
	tdxtop_format_vm(vm, t->s, t->drill_key.tgid, 32);
	for (q = strlen(vm); q > 0 && vm[q - 1] == ' '; q--)
		vm[q - 1] = '\0';
	attron(A_BOLD);
	mvprintw(y++, 0, "%s  pid %u (%s)   Tab: metric  Esc: back", label,
		 t->drill_key.tgid, vm);
	attroff(A_BOLD);
	if (!g || !g->h) {
		mvprintw(y + 1, 0, g ? "no histogram in this view (press 3 or 1)" :
			 "no samples in this interval");
		draw_drill_outliers(t, y + 3);
		return;
	}
	/* one line per metric, then the chosen metric's histogram */
	for (m = 0; m < TDXTOP_NR_METRICS; m++) {
		__u64 n = g->st.n[m];

		if (m == t->drill_metric)
			attron(A_BOLD);
		mvprintw(y++, 0, "%c %-7s n %-9llu", m == t->drill_metric ? '>' : ' ',
			 tdxtop_metric_name(m), (unsigned long long)n);
		for (q = 0; n && q < 3; q++) {
			tdxtop_fmt_ns(v, sizeof(v), tdxtop_hist_quantile(g->h->bucket[m], n,
									 qs[q], g->st.min[m],
									 g->st.max[m]));
			printw(" p%-4g %-7s", qs[q] * 100, v);
		}
		if (n) {
			tdxtop_fmt_ns(v, sizeof(v), g->st.max[m]);
			printw(" max %s", v);
		}
		if (m == t->drill_metric)
			attroff(A_BOLD);
	}
	y++;
	/* the histogram takes what the outliers leave: at most half the screen */
	hist_end = t->s->outlier_spec ? y + (LINES - y) / 2 : LINES - 1;
	if (g->st.n[t->drill_metric])
		y = draw_log_hist(g, t->drill_metric, y, hist_end);
	else
		mvprintw(y++, 0, "  no %s samples", tdxtop_metric_name(t->drill_metric));
	draw_drill_outliers(t, y + 1);
}

static void draw_help(const struct tui *t)
{
	static const char *const lines[] = {
		"1 2 3 4   rows per VM, per vCPU, per reason, all",
		"s S       next / previous sort key",
		"c g o r m sort by count, guest, host (o), restore, max guest",
		"/         filter rows (VM name, PID, reason, status); empty clears",
		"Up Down   select a row (PgUp PgDn Home End)",
		"Enter     histograms, percentiles and outliers of the selected row",
		"Tab       (in it) the next metric's histogram",
		"Esc       back",
		"? h       this help",
		"q         quit",
	};
	size_t i;
	int q;

	attron(A_BOLD);
	mvprintw(4, 0, "Keys");
	attroff(A_BOLD);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		mvprintw(6 + i, 2, "%s", lines[i]);
	if (!t->have)
		return;
	attron(A_BOLD);
	mvprintw(7 + i, 0, "BPF programs, this interval");
	attroff(A_BOLD);
	for (q = 0; q < t->s->nr_progs; q++) {
		struct tdxtop_selfcost c;

		tdxtop_selfcost(t->s, q, &c);
		mvprintw(9 + i + q, 2, "%-24s %12.0f events/s", t->s->progs[q].name,
			 c.events_per_s);
		if (t->s->timed && c.bpf_timed)
			printw("  %8.1f ns/event  %.3f%% CPU", c.ns_per_event, c.bpf_cpu_pct);
		else
			printw("         ? ns/event");
	}
}

static void draw(struct tui *t)
{
	erase();
	draw_header(t);
	if (t->help)
		draw_help(t);
	else if (t->drill)
		draw_drill(t);
	else if (t->have)
		draw_table(t);
	refresh();
}

static void read_filter(struct tui *t)
{
	char buf[sizeof(t->filter)] = "";

	mvprintw(LINES - 1, 0, "filter: ");
	clrtoeol();
	echo();
	curs_set(1);
	timeout(-1);
	getnstr(buf, sizeof(buf) - 1);
	noecho();
	curs_set(0);
	snprintf(t->filter, sizeof(t->filter), "%s", buf);
	t->sel = 0;
	t->top = 0;
}

static __u64 mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* The keys that choose what is shown: group, sort, filter; true when ch is one */
static bool key_view(struct tui *t, int ch)
{
	struct tdxtop_out_opts *o = t->o;

	switch (ch) {
	case '1': case '2': case '3': case '4':
		o->by = ch - '1';
		t->drill = false;
		t->sel = t->top = 0;
		break;
	case 's':
		o->sort = (o->sort + 1) % TDXTOP_NR_SORT_BY;
		break;
	case 'S':
		o->sort = (o->sort + TDXTOP_NR_SORT_BY - 1) % TDXTOP_NR_SORT_BY;
		break;
	case 'c':
		o->sort = TDXTOP_SORT_COUNT;
		break;
	case 'g':
		o->sort = TDXTOP_SORT_GUEST;
		break;
	case 'o':
		o->sort = TDXTOP_SORT_HOST;
		break;
	case 'r':
		o->sort = TDXTOP_SORT_RESTORE;
		break;
	case 'm':
		o->sort = TDXTOP_SORT_MAX;
		break;
	case '/':
		read_filter(t);
		break;
	default:
		return false;
	}
	return true;
}

/* The keys that move the selection, rows lines a page; true when ch is one */
static bool key_move(struct tui *t, int ch, size_t rows)
{
	switch (ch) {
	case KEY_UP:
		if (t->sel)
			t->sel--;
		break;
	case KEY_DOWN:
		if (t->sel + 1 < t->nr_idx)
			t->sel++;
		break;
	case KEY_PPAGE:
		t->sel = t->sel > rows ? t->sel - rows : 0;
		break;
	case KEY_NPAGE:
		t->sel = t->nr_idx && t->sel + rows < t->nr_idx ? t->sel + rows :
			 t->nr_idx ? t->nr_idx - 1 : 0;
		break;
	case KEY_HOME:
		t->sel = 0;
		break;
	case KEY_END:
		t->sel = t->nr_idx ? t->nr_idx - 1 : 0;
		break;
	default:
		return false;
	}
	return true;
}

/* The drill-down and help: Enter, Esc, the metric shown; true when ch is one */
static bool key_drill(struct tui *t, int ch)
{
	switch (ch) {
	case '?':
	case 'h':
		t->help = !t->help;
		break;
	case '\n':
	case KEY_ENTER:
		if (t->nr_idx && !t->help) {
			t->drill_key = t->view.g[t->idx[t->sel]].key;
			t->drill = true;
		}
		break;
	case 27:	/* Esc */
	case KEY_BACKSPACE:
		t->drill = false;
		t->help = false;
		break;
	case '\t':
	case KEY_RIGHT:
		t->drill_metric = (t->drill_metric + 1) % TDXTOP_NR_METRICS;
		break;
	case KEY_LEFT:
		t->drill_metric = (t->drill_metric + TDXTOP_NR_METRICS - 1) % TDXTOP_NR_METRICS;
		break;
	default:
		return false;
	}
	return true;
}

/* A key: 1 to quit, else 0 (an unknown one said on the status line) */
static int key(struct tui *t, int ch)
{
	size_t rows = LINES - 5 > 1 ? LINES - 5 : 1;

	t->msg[0] = '\0';
	if (ch == 'q' || ch == 'Q')
		return 1;
	if (ch == ERR || ch == KEY_RESIZE || key_view(t, ch) || key_move(t, ch, rows) ||
	    key_drill(t, ch))
		return 0;
	snprintf(t->msg, sizeof(t->msg), "unknown key (? for help)");
	return 0;
}

/* The interval's end: the next snapshot, and when the one after is due */
static int tick(struct tui *t, struct tdxtop_source *src, __u64 *next, int interval_ms)
{
	int err = src->poll(src->ctx, &t->s);

	if (err)
		return err;
	t->have = true;
	keep_outliers(t);
	*next += interval_ms;
	if (*next < mono_ms())
		*next = mono_ms() + interval_ms;
	return rebuild(t);
}

int tdxtop_tui_run(struct tdxtop_source *src, int interval_ms,
		   struct tdxtop_out_opts *o, volatile int *stop)
{
	struct tui t = { .o = o };
	__u64 next = mono_ms() + interval_ms;
	int err = 0, ch;

	/* character classes only: numbers keep the C locale's format */
	setlocale(LC_CTYPE, "");
	if (!initscr())
		return -EIO;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	draw(&t);
	while (!*stop) {
		__u64 now = mono_ms();

		timeout(now >= next ? 0 : (int)(next - now) > 100 ? 100 : (int)(next - now));
		ch = getch();
		if (mono_ms() >= next && (err = tick(&t, src, &next, interval_ms)))
			break;
		if (key(&t, ch)) {
			*stop = 1;
			break;
		}
		if (ch != ERR && (err = rebuild(&t)))
			break;
		draw(&t);
	}
	endwin();
	tdxtop_view_free(&t.view);
	free(t.idx);
	return err;
}
