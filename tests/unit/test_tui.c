// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/tui.c through its API: tdxtop_tui_run() on a pseudo-terminal of
 * 160x30, fed one snapshot per interval, its output run through a
 * terminal emulator (libvterm) and the screen read back: the header, each
 * row equal to tdxtop_format_line()'s line for its group, the views and
 * sort keys, the filter, the drill-down's histogram, help, an unknown key,
 * and quit (exit 0).  tests/tui/tui.sh drives the whole tdxtop in tmux.
 */
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>
#include "output/output.h"
#include "../tap.h"
#include "fixture.h"

#define ROWS	30
#define COLS_	160

static VTerm *vt;
static VTermScreen *screen;
static int master;

static int poll_snap(void *ctx, const struct tdxtop_snap **s)
{
	*s = ctx;
	return 0;
}

/* Line y of the screen, trailing blanks cut */
static const char *screen_line(int y)
{
	static char buf[COLS_ * 4 + 1];
	VTermRect r = { .start_row = y, .end_row = y + 1, .start_col = 0, .end_col = COLS_ };
	size_t n = vterm_screen_get_text(screen, buf, sizeof(buf) - 1, r);

	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

/* The line holding text, read until it shows or ms pass; -1 when never */
static int wait_ms(const char *text, long ms)
{
	struct timespec t0, t;
	char buf[4096];
	int y;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		for (y = 0; y < ROWS; y++)
			if (strstr(screen_line(y), text))
				return y;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return -1;
		if (poll(&p, 1, 100) > 0) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				return -1;
			vterm_input_write(vt, buf, n);
		}
	}
}

static int wait_for(const char *text)
{
	return wait_ms(text, 5000);
}

/* Reads what the TUI draws for 300 ms (three intervals) */
static void settle(void)
{
	wait_ms("\x01never", 300);	/* on no screen: reads until the time runs out */
}

static void keys(const char *k)
{
	if (write(master, k, strlen(k)) < 0)
		diag("write: %s", strerror(errno));
}

static int run_child(struct tdxtop_snap *s)
{
	struct tdxtop_out_opts o = { .by = TDXTOP_BY_REASON, .sort = TDXTOP_SORT_COUNT };
	struct tdxtop_source src = { .ctx = s, .poll = poll_snap };
	volatile int stop = 0;

	setenv("TERM", "xterm-256color", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	_exit(tdxtop_tui_run(&src, 100, &o, &stop) ? 1 : 0);
}

/* The line tdxtop_format_line() gives the group of VM tgid in view by */
static const char *line_of(const struct tdxtop_snap *s, enum tdxtop_group_by by, __u32 tgid,
			   __u32 vcpu)
{
	static char line[TDXTOP_LINE_SIZE];
	static struct tdxtop_view v;
	size_t i, n;

	tdxtop_view_build(&v, s, by, TDXTOP_SORT_COUNT);
	line[0] = '\0';
	for (i = 0; i < v.nr; i++)
		if (v.g[i].key.tgid == tgid && (by != TDXTOP_BY_ALL || v.g[i].key.vcpu == vcpu))
			tdxtop_format_line(line, s, &v.g[i], by);
	n = strlen(line);
	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	return line;
}

int main(void)
{
	struct winsize ws = { .ws_row = ROWS, .ws_col = COLS_ };
	struct tdxtop_snap s = {};
	int y, status = -1;
	pid_t pid;

	setlocale(LC_CTYPE, "C.UTF-8");
	tap_plan(14);
	fx_snap(&s);
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		skip(14, "no pseudo-terminal: %s", strerror(errno));
		return 0;
	}
	if (!pid)
		run_child(&s);
	vt = vterm_new(ROWS, COLS_);
	vterm_set_utf8(vt, 1);
	screen = vterm_obtain_screen(vt);
	vterm_screen_reset(screen, 1);

	y = wait_for("events ");
	ok(y == 0 && strstr(screen_line(0), "tdxtop - TDX enter/exit   events 27/s   drops 0"),
	   "the header: events a second and drops of the interval");
	ok(wait_for("view: reason  sort: count  filter: (none)") == 2, "the view line");
	ok(strstr(screen_line(4), "VM") && strstr(screen_line(4), "GUEST/p99"),
	   "the column header on line 5");
	/* each row read once it is drawn whole (its last cell, MAX, is there) */
	wait_for(line_of(&s, TDXTOP_BY_REASON, 200, 0));
	is_str(screen_line(5), line_of(&s, TDXTOP_BY_REASON, 100, 0),
	       "the first row is format_line()'s line of VM 100's HLT");
	is_str(screen_line(6), line_of(&s, TDXTOP_BY_REASON, 200, 0),
	       "the second, VM 200's TDCALL:MapGPA");

	keys("4");
	y = wait_for("view: all");
	settle();
	ok(y == 2 && !strcmp(screen_line(5), line_of(&s, TDXTOP_BY_ALL, 100, 0)) &&
	   !strcmp(screen_line(6), line_of(&s, TDXTOP_BY_ALL, 200, 0)) &&
	   !strcmp(screen_line(7), line_of(&s, TDXTOP_BY_ALL, 100, 1)),
	   "4: every key, by count: VM 100 vCPU 0, VM 200, VM 100 vCPU 1");
	keys("m");
	wait_for("sort: max");
	settle();
	ok(!strcmp(screen_line(5), line_of(&s, TDXTOP_BY_ALL, 100, 0)) &&
	   !strcmp(screen_line(6), line_of(&s, TDXTOP_BY_ALL, 100, 1)),
	   "m: by largest guest time: 900 ns, then 300 ns");

	keys("/td-b\n");
	y = wait_for("sort: max  filter: td-b");	/* not the prompt's line */
	settle();
	ok(y == 2 && strstr(screen_line(5), "td-b") && !*screen_line(6),
	   "/td-b: VM 200's row alone");
	keys("/\n1");
	wait_for("view: vm  sort: max  filter: (none)");
	settle();
	ok(strstr(screen_line(5), "td-a") && strstr(screen_line(6), "td-b"),
	   "an empty filter clears it; 1: a row per VM");

	keys("\n");
	y = wait_for("Tab: metric");
	ok(y >= 0 && strstr(screen_line(y), "pid 100 (td-a)"), "Enter: the drill-down of VM 100");
	y = wait_for("> guest");
	ok(y >= 0 && strstr(screen_line(y), "n 20"), "its guest time: 20 samples");
	keys("\x1b");
	wait_for("GUEST/p99");
	keys("?");
	ok(wait_for("Keys") == 4 && wait_for("q         quit") > 4, "?: the keys");
	keys("\x1b");
	settle();
	keys("z");
	ok(wait_for("unknown key (? for help)") == 2, "an unknown key: said on the view line");

	keys("q");
	settle();
	if (waitpid(pid, &status, WNOHANG) != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "q: the TUI returns 0");
	vterm_free(vt);
	tdxtop_snap_free(&s);
	return tap_done();
}
