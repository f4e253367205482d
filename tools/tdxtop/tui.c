// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live top-like view.  Keys:
 *   1 2 3 4   rows per VM, vCPU, reason, all
 *   s / S     next / previous sort key      c g o r m  sort by count, guest,
 *   /         filter (VM name, PID or reason substring), empty clears
 *   Up Down   select      Enter  drill into the selected row's histograms
 *   Esc       back        ? h    help        q  quit
 */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <ncurses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tdxtop.h"

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
	char msg[128];
};

/* the filter matches what the row shows: VM name, PID, reason, status */
static bool matches(const struct tui *t, const struct tdxtop_group *g)
{
	char vm[TDXTOP_CELL_SIZE(TDXTOP_VM_NAME_LEN)], pid[16], label[64];
	const char *st = tdxtop_status_name(g->key.status);

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
}

static void draw_table(struct tui *t)
{
	char line[TDXTOP_LINE_SIZE];
	int rows = LINES - 5, r;
	size_t i;

	attron(A_REVERSE);
	mvprintw(4, 0, "%s", tdxtop_cols_header());
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

static void draw_drill(struct tui *t)
{
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	const struct tdxtop_group *g = find_drill(t);
	char label[64], v[16], vm[TDXTOP_CELL_SIZE(32)];
	int m, y = 4, q, b, x;

	tdxtop_row_label(&t->drill_key, label, sizeof(label));
	tdxtop_format_vm(vm, t->s, t->drill_key.tgid, 32);
	attron(A_BOLD);
	mvprintw(y++, 0, "%s  pid %u (%s)   Esc: back", label, t->drill_key.tgid, vm);
	attroff(A_BOLD);
	if (!g || !g->h) {
		mvprintw(y + 1, 0, g ? "no histogram in this view (press 3 or 1)" :
			 "no samples in this interval");
		return;
	}
	mvprintw(y++, 0, "count %llu", (unsigned long long)g->st.count);
	for (m = 0; m < TDXTOP_NR_METRICS && y < LINES - 1; m++) {
		const __u32 *bk = g->h->bucket[m];
		__u64 n = g->st.n[m], peak = 0;

		y++;
		attron(A_BOLD);
		mvprintw(y++, 0, "%-8s n %llu", tdxtop_metric_name(m), (unsigned long long)n);
		attroff(A_BOLD);
		if (!n)
			continue;
		for (q = 0; q < 4; q++) {
			tdxtop_fmt_ns(v, sizeof(v), tdxtop_hist_quantile(bk, n, qs[q], g->st.min[m],
								  g->st.max[m]));
			printw("   p%g %s", qs[q] * 100, v);
		}
		tdxtop_fmt_ns(v, sizeof(v), g->st.max[m]);
		printw("   max %s", v);
		for (b = 0; b < TDXTOP_HIST_BUCKETS; b++)
			if (bk[b] > peak)
				peak = bk[b];
		for (b = 0; b < TDXTOP_HIST_BUCKETS && y < LINES - 1; b++) {
			int width = COLS - 32;

			if (!bk[b])
				continue;
			tdxtop_fmt_ns(v, sizeof(v), tdxtop_bucket_lo(b));
			mvprintw(y++, 0, "  >= %9s %10u |", v, bk[b]);
			for (x = 0; width > 0 && x < (int)((__u64)bk[b] * width / peak); x++)
				addch('*');
		}
	}
}

static void draw_help(const struct tui *t)
{
	static const char *const lines[] = {
		"1 2 3 4   rows per VM, per vCPU, per reason, all",
		"s S       next / previous sort key",
		"c g o r m sort by count, guest, host (o), restore, max guest",
		"/         filter rows (VM name, PID, reason, status); empty clears",
		"Up Down   select a row (PgUp PgDn Home End)",
		"Enter     histograms and percentiles of the selected row",
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

int tdxtop_tui_run(struct tdxtop_source *src, int interval_ms,
		   struct tdxtop_out_opts *o, volatile int *stop)
{
	struct tui t = { .o = o };
	__u64 next = mono_ms() + interval_ms;
	int err = 0, ch, rows;

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
		if (mono_ms() >= next) {
			err = src->poll(src->ctx, &t.s);
			if (err)
				break;
			t.have = true;
			next += interval_ms;
			if (next < mono_ms())
				next = mono_ms() + interval_ms;
			err = rebuild(&t);
			if (err)
				break;
		}
		t.msg[0] = '\0';
		rows = LINES - 5 > 1 ? LINES - 5 : 1;
		switch (ch) {
		case ERR:
			break;
		case 'q':
		case 'Q':
			*stop = 1;
			break;
		case '1': case '2': case '3': case '4':
			o->by = ch - '1';
			t.drill = false;
			t.sel = t.top = 0;
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
			read_filter(&t);
			break;
		case '?':
		case 'h':
			t.help = !t.help;
			break;
		case KEY_UP:
			if (t.sel)
				t.sel--;
			break;
		case KEY_DOWN:
			if (t.sel + 1 < t.nr_idx)
				t.sel++;
			break;
		case KEY_PPAGE:
			t.sel = t.sel > (size_t)rows ? t.sel - rows : 0;
			break;
		case KEY_NPAGE:
			t.sel = t.nr_idx && t.sel + rows < t.nr_idx ? t.sel + rows :
				t.nr_idx ? t.nr_idx - 1 : 0;
			break;
		case KEY_HOME:
			t.sel = 0;
			break;
		case KEY_END:
			t.sel = t.nr_idx ? t.nr_idx - 1 : 0;
			break;
		case '\n':
		case KEY_ENTER:
			if (t.nr_idx && !t.help) {
				t.drill_key = t.view.g[t.idx[t.sel]].key;
				t.drill = true;
			}
			break;
		case 27:	/* Esc */
		case KEY_BACKSPACE:
			t.drill = false;
			t.help = false;
			break;
		case KEY_RESIZE:
			break;
		default:
			snprintf(t.msg, sizeof(t.msg), "unknown key (? for help)");
			break;
		}
		if (ch != ERR) {
			err = rebuild(&t);
			if (err)
				break;
		}
		draw(&t);
	}
	endwin();
	tdxtop_view_free(&t.view);
	free(t.idx);
	return err;
}
