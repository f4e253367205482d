// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/output.c through its API: the text and JSON of a snapshot in each
 * view, exact; -t cut and its count; a source's note and the self-cost
 * lines of -v; an outlier's line; a hostile VM name keeps the columns; ns
 * formatting at each unit's edges
 */
#include <locale.h>
#include "output/output.h"
#include "../tap.h"
#include "fixture.h"

#define HDR_NO_NL "VM                   PID VCPU REASON                       STATUS  " \
	"         COUNT GUEST/avg GUEST/p99  HOST/avg   RESTORE       MAX"
#define HDR HDR_NO_NL "\n"

/* What f writes for s in o's view, as one string (caller frees) */
static char *print(bool json, const struct tdxtop_snap *s, const struct tdxtop_out_opts *o)
{
	static struct tdxtop_view v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		tdxtop_print_json(f, s, o, &v);
	else
		tdxtop_print_text(f, s, o, &v);
	fclose(f);
	return buf;
}

static void test_text(void)
{
	struct tdxtop_snap s = {};
	struct tdxtop_out_opts o = { .by = TDXTOP_BY_ALL, .sort = TDXTOP_SORT_COUNT };
	char *t;

	fx_snap(&s);
	t = print(false, &s, &o);
	is_str(t, "events 27 (27/s)  drops 0\n" HDR
	       "td-a                 100    0 HLT                          SUCCESS       "
	       "      15     200ns         -         -         -     900ns\n"
	       "td-b                 200    0 TDCALL:MapGPA                SUCCESS       "
	       "       7      10ns         -         -         -      10ns\n"
	       "td-a                 100    1 HLT                          SUCCESS       "
	       "       5     140ns         -         -         -     300ns\n\n",
	       "-g all: a line per key by count, averages, no p99 without histograms");
	free(t);
	o.by = TDXTOP_BY_REASON;
	o.sort = TDXTOP_SORT_MAX;
	t = print(false, &s, &o);
	is_str(t, "events 27 (27/s)  drops 0\n" HDR
	       "td-a                 100    * HLT                          SUCCESS       "
	       "      20     185ns      48ns         -         -     900ns\n"
	       "td-b                 200    * TDCALL:MapGPA                SUCCESS       "
	       "       7      10ns         -         -         -      10ns\n\n",
	       "-g reason: vCPUs summed (*), p99 from the histogram");
	free(t);

	s.source = "kvm";
	s.rows[2].key.kind = TDXTOP_KIND_KVM_EXIT;
	s.rows[2].key.status = TDXTOP_ISA_SVM;
	s.rows[2].key.reason = 0x78;
	s.timed = true;
	s.nr_progs = 1;
	strcpy(s.progs[0].name, "kvm_exit");
	s.progs[0].run_cnt = 27;
	s.progs[0].run_time_ns = 2700;
	s.losses[TDXTOP_LOSS_STATS_FULL] = 3;
	s.notes[TDXTOP_NOTE_UNPAIRED] = 2;
	o.by = TDXTOP_BY_VM;
	o.top = 1;
	o.verbose = true;
	t = print(false, &s, &o);
	is_str(t, "events 27 (27/s)  drops 3 stats_full=3 unpaired=2  "
	       "bpf 100 ns/event 0.00% CPU  user 0.00% CPU\n"
	       "source kvm (kvm_entry/kvm_exit): no TDX status, TDVMCALL leaf, restore costs or "
	       "exits without kvm_exit; for them boot tdxtop's tdx tracepoints (kernel/patches)\n"
	       "  bpf kvm_exit                           27 events/s     100.0 ns/event  0.000% CPU\n"
	       HDR
	       "td-a                 100    * exit                         -             "
	       "      20     185ns      48ns         -         -     900ns\n"
	       "(1 more rows)\n\n",
	       "kvm, -g vm -t 1 -v: drops and notes, the source's note, each program, one row");
	free(t);

	/* the btf source: TDs and other VMs, told apart by TYPE */
	s.source = "btf";
	s.rows[0].key.kind = s.rows[1].key.kind = TDXTOP_KIND_TD_EXIT;
	s.rows[2].key.kind = TDXTOP_KIND_KVM_EXIT;
	o.by = TDXTOP_BY_ALL;
	o.top = 0;
	o.verbose = false;
	s.timed = false;
	memset(s.losses, 0, sizeof(s.losses));
	memset(s.notes, 0, sizeof(s.notes));
	t = print(false, &s, &o);
	ok(strstr(t, "\nVM                   PID VCPU TYPE REASON                       STATUS  ") &&
	   strstr(t, "\ntd-a                 100    0 td   HLT                          SUCCESS  ") &&
	   strstr(t, "\ntd-b                 200    0 vm   hlt                          -        ") &&
	   strstr(t, "\ntd-a                 100    1 td   HLT  "),
	   "btf: a TYPE column, td for the TD's exits, vm for the other VM's (SVM's hlt)");
	is_str(tdxtop_cols_header("tdx"), HDR_NO_NL, "tdx and kvm: no TYPE column");
	free(t);
	s.source = "kvm";
	s.rows[0].key.kind = s.rows[1].key.kind = TDXTOP_KIND_EXIT;
	o.by = TDXTOP_BY_VM;

	/* a name that would move the terminal or the columns */
	tdxtop_snap_add_vm(&s, 100, "\x1b[2J\xe2\x80\xae\twide\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"
			   "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5");
	o.top = 0;
	t = print(false, &s, &o);
	ok(strstr(t, "\n?[2J??wide\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5     100    * exit ") &&
	   !strchr(t, '\x1b') && !strchr(t, '\t'),
	   "a hostile VM name: no control character, its cell 16 columns");
	free(t);
	tdxtop_snap_free(&s);
}

static void test_json(void)
{
	struct tdxtop_snap s = {};
	struct tdxtop_out_opts o = { .by = TDXTOP_BY_VM, .buckets = true };
	char *t;

	fx_snap(&s);
	t = print(true, &s, &o);
	ok(!strncmp(t, "{\"time\":\"2026-01-01T00:00:00.000Z\",\"interval_s\":1,\"source\":\"tdx\","
		    "\"unavailable\":[],\"group_by\":\"vm\",\"events\":27,", 109),
	   "JSON: the interval's end (UTC), length, source, view, events");
	ok(strstr(t, "\"rows\":[{\"pid\":100,\"vm\":\"td-a\",\"kind\":\"exit\",\"type\":\"td\","
		  "\"count\":20,\"guest_ns\":{\"n\":20,\"sum\":3700,\"min\":1,\"max\":900,"
		  "\"p50\":48,\"p90\":48,\"p99\":48,\"p999\":48,\"buckets\":[[20,21,7],[48,50,13]]}") &&
	   strstr(t, "\"restored\":{\"DEBUGCTL\":0,\"PKRU\":0,\"XCR0\":9,\"XSS\":0}}"),
	   "VM 100: counts, guest time, percentiles and buckets [lo, hi, n], restores");
	ok(strstr(t, "{\"pid\":200,\"vm\":\"td-b\",\"kind\":\"exit\",\"type\":\"td\",\"count\":7,"
		  "\"guest_ns\":{\"n\":7,\"sum\":70,\"min\":1,\"max\":10},") != NULL,
	   "VM 200 without a histogram: no percentiles rather than zeroes");
	ok(t[strlen(t) - 1] == '\n' && !strchr(t, '\n') [1], "one line per interval");
	free(t);
	o.by = TDXTOP_BY_REASON;
	o.buckets = false;
	t = print(true, &s, &o);
	ok(strstr(t, "\"label\":\"TDCALL:MapGPA\",\"reason\":\"TDCALL\",\"reason_code\":77,"
		  "\"status\":\"SUCCESS\",\"status_code\":0,\"leaf\":\"MapGPA\","
		  "\"leaf_code\":65537,\"count\":7,") && !strstr(t, "buckets"),
	   "-g reason: label, reason, status and leaf by name and code; no buckets unasked");
	free(t);
	tdxtop_snap_free(&s);
}

static void test_lines(void)
{
	struct tdxtop_snap s = {};
	struct tdxtop_outlier_ev e = {
		.o = { .tsc = 5, .status = 0x8000020000000000ULL, .leaf = 0x10001,
		       .exit_qual = 0x1234, .ns = { 123456, TDXTOP_NO_NS, 77 },
		       .tgid = 200, .vcpu = 3, .reason = 77, .over = 1 },
		.real_ns = 1767225600123456789ULL,
	};
	struct tdxtop_selfcost c = {
		.events_per_s = 2000, .ns_per_event = 20, .bpf_cpu_pct = 0.004,
		.user_cpu_pct = 0.5, .bpf_timed = true,
	};
	char line[TDXTOP_LINE_SIZE];

	fx_snap(&s);
	tdxtop_format_outlier(line, &s, &e);
	is_str(line, "00:00:00.123456    3  123.5us*         -      77ns FAILED(OPERAND_BUSY) "
	       "0x8000020000000000 0x1234             td-b",
	       "an outlier: wall clock to us, the time over starred, unknown host time '-'");
	is_str(tdxtop_outliers_header(), "TIME            VCPU     GUEST      HOST   RESTORE "
	       "REASON               STATUS             EXIT_QUAL          VM", "its header");
	is_str(tdxtop_format_self(line, sizeof(line), &c, true),
	       "bpf 20 ns/event 0.00% CPU  user 0.50% CPU", "self cost");
	is_str(tdxtop_format_self(line, sizeof(line), &c, false),
	       "bpf ? ns/event (run time not accounted)  user 0.50% CPU",
	       "self cost, run time not accounted: '?'");
	tdxtop_snap_free(&s);
}

static void test_ns(void)
{
	static const struct {
		double ns;
		const char *s;
	} cases[] = {
		{ -5, "0ns" }, { 0.4, "0ns" }, { 9999.4, "9999ns" }, { 9999.5, "10.0us" },
		{ 12345, "12.3us" }, { 9999949, "9999.9us" }, { 9999950, "10.0ms" },
		{ 9999.95e6, "10.0s" }, { 1.25e9, "1250.0ms" },
		{ 1e10, "10.0s" }, { 1e18, "inf" },
	};
	char ns[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tdxtop_fmt_ns(ns, sizeof(ns), cases[i].ns);
		is_str(ns, cases[i].s, "fmt_ns(%g): %s", cases[i].ns, cases[i].s);
	}
	tdxtop_fmt_ns(ns, 4, 12345);
	is_str(ns, "12.", "cut to the buffer");
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	tap_plan(27);
	test_text();
	test_json();
	test_lines();
	test_ns();
	return tap_done();
}
