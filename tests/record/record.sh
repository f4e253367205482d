#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Recordings, report and diff on the host: tests/record/gen drives the real
# BPF object with seeded exit workloads, reads it with tdxtop's reader and
# writes recordings with its recorder; tdxtop report and diff read them.
# The regression gate is held to: A/A (20 pairs of seeds) reports no more
# than one regression; one key's host time +10% is a regression of that key
# alone, +2% a change within the threshold, -10% an improvement.
. "$(dirname "$0")/../lib.sh"
plan 49
G=$OUTPUT/tests/record/gen
T=$OUTPUT/tdxtop
if [ "$(id -u)" != 0 ]; then
	for i in $(seq 48); do skip "needs root (BPF)"; done
	exit 0
fi
d=$(mktemp -d /tmp/tdxtop-record.XXXXXX)
trap 'rm -rf "$d"' EXIT

# -- the recording holds every exit, per interval and reason
"$G" "$d/base.db" 100 30 >"$d/base.expect" || fail "gen ran"
got=$("$T" report -j -g reason "$d/base.db" |
      jq -r '[.rows[] | select(.kind == "exit") | [.reason_code, .leaf_code, .count]] | sort | .[] | @tsv' |
      awk '{ n[$1 " " $2] += $3 } END { for (k in n) print k, n[k] }' | sort)
want=$(awk '{ n[$3 " " $4] += $5 } END { for (k in n) print k, n[k] }' "$d/base.expect" | sort)
is "$got" "$want" "report: every recorded exit, per exit reason and leaf, equals what was fired"
is "$("$T" report -j "$d/base.db" | wc -l)" 30 "report -j: one JSON line per recorded interval"
got=$("$T" report -j -g reason "$d/base.db" | jq -s '[.[] | .rows[] | .count] | add')
is "$("$T" report -j --merge -g reason "$d/base.db" | jq '[.rows[] | .count] | add')" "$got" \
	"report --merge: one interval holding them all"
is "$("$T" report -j --merge "$d/base.db" | jq .interval_s)" 30 "report --merge spans the whole run"
is "$("$T" report -j --from 10 --to 20 "$d/base.db" | wc -l)" 10 \
	"report --from 10 --to 20: the 10 intervals in that span"
is "$("$T" report -j --from 2026-11-18T11:07:00Z "$d/base.db" 2>&1 | wc -l)" 10 \
	"report --from a UTC time: the intervals that end after it"
check "sqlite3 reads the recording: 30 intervals, 60000 events" \
	test "$(sqlite3 "$d/base.db" 'select count(*), sum(events) from intervals')" = "30|60000"
check "the per-reason table answers SQL: HLT exits and mean host time" \
	test "$(sqlite3 "$d/base.db" "select sum(count) > 0, sum(host_sum_ns) / sum(host_n) between 800 and 1000 from reasons where label = 'TDCALL:HLT'")" = "1|1"

# -- outliers: recorded whole, listed by report, each exactly as fired
GEN_OUTLIERS=guest=395000,restore=895 "$G" "$d/out.db" 7 5 >"$d/out.expect" ||
	fail "gen ran with outlier capture"
want=$(awk '$1 == "outlier" { print $2, $3, $4, $5, $6, $7, $8, $9, $10 }' "$d/out.expect" | sort -n -k1,2)
got=$("$T" report -j "$d/out.db" | jq -r --argjson m '{"guest":1,"host":2,"restore":4}' '
	input_line_number as $i | .outliers[] |
	[($i - 1), .tsc, .vcpu, .reason_code, .leaf_code, .guest_ns, (.host_ns // -1), .restore_ns,
	 ([.over[] | $m[.]] | add)] | map(tostring) | join(" ")' | sort -n -k1,2)
check "report -j: every exit above a threshold, with TSC, vCPU, reason, leaf, times and mask ($(wc -l <<<"$want") in 5 intervals)" \
	test -n "$want" -a "$got" = "$want"
is "$("$T" report -j "$d/out.db" | jq -r '.outlier_capture | "\(.spec) \(.capped + .lost)"' | sort -u)" \
	"guest>395000ns restore>895ns 0" "the capture's thresholds travel with the recording; nothing capped or lost"
is "$("$T" report -j --merge "$d/out.db" | jq '.outliers | length')" "$(wc -l <<<"$want")" \
	"report --merge: all of them in one list"
n=$("$T" report "$d/out.db" | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} +[0-9]+ .* td-regress$')
is "$n" "$(wc -l <<<"$want")" "report (text): a line per outlier under each interval"
is "$(sqlite3 "$d/out.db" 'select count(*), sum(host_ns is null) from outliers')" \
	"$(wc -l <<<"$want")|$(awk '$8 == -1' <<<"$want" | wc -l)" \
	"sqlite3: the outliers table, host time NULL where there is none"
# --buckets: each metric's buckets, [lo, hi) of tdxtop's layout, sum to its n
is "$("$T" report -j --buckets "$d/out.db" | jq -s '[.[].rows[] | (.guest_ns, .host_ns, .restore_ns, .cost_ns) |
	select(. != null and .buckets != null) |
	(([.buckets[][2]] | add // 0) == .n and all(.buckets[]; .[0] < (.[1] // infinite)) and
	 ([.buckets[][0]] | . == sort))] | [length > 0, all] | @tsv' -r)" "true	true" \
	"report -j --buckets: every metric's buckets are ordered, [lo, hi), and sum to its n"
# a recording of schema 1 (before outliers) still reads, as one without capture
v1=$top/tests/fuzz/corpus/fuzz_recording/small.db
is "$(sqlite3 "$v1" 'pragma user_version')/$("$T" report -j "$v1" | jq -s 'length > 0 and all(has("outliers") | not)')" \
	"1/true" "a schema 1 recording reads, without outliers"
# schema 2 (before the kvm source's unpaired note) reads it as 0
cp "$d/base.db" "$d/v2.db"
sqlite3 "$d/v2.db" 'alter table intervals drop column unpaired; pragma user_version = 2'
is "$("$T" report -j "$d/v2.db" | jq -s '[length > 0, all(.unpaired == 0)] | @tsv' -r)" \
	"true	true" "a schema 2 recording reads, its unpaired note 0"

# -- errors: one line, exit 2
printf 'not a database at all\n' >"$d/foreign.txt"
out=$("$T" report "$d/foreign.txt" 2>&1); rc=$?
is "$rc $(wc -l <<<"$out")" "2 1" "report of a file that is not SQLite: exit 2, one line"
sqlite3 "$d/other.db" 'create table t(x); insert into t values (1);'
out=$("$T" report "$d/other.db" 2>&1); rc=$?
is "$rc $out" "2 tdxtop: $d/other.db: not a tdxtop recording" "report of another SQLite database: exit 2, says so"
cp "$d/base.db" "$d/newer.db"
sqlite3 "$d/newer.db" 'pragma user_version = 5'
out=$("$T" report "$d/newer.db" 2>&1); rc=$?
check "a recording of a newer schema: exit 2, one line naming both schemas" \
	test "$rc" = 2 -a "$(wc -l <<<"$out")" = 1 -a -n "$(grep 'schema 5 by a newer tdxtop; this one reads schema 4' <<<"$out")"
head -c 40000 "$d/base.db" >"$d/cut.db"
out=$("$T" report "$d/cut.db" 2>&1 >/dev/null); rc=$?
is "$rc $out" "2 tdxtop: $d/cut.db: database disk image is malformed" \
	"a truncated recording: exit 2, the file and SQLite's reason"
# -- a recording without an interval: one rule for every form of report
cp "$d/base.db" "$d/empty.db"
sqlite3 "$d/empty.db" 'delete from intervals'
forms=""
for f in "" "-j" "--format hlog" "--html $d/empty.html"; do
	# shellcheck disable=SC2086
	out=$("$T" report $f "$d/empty.db" 2>&1); rc=$?
	want="tdxtop: $d/empty.db: no interval"
	[ "$f" = -j ] && want="{\"error\":\"$d/empty.db: no interval\"}"
	[ "$rc $out" = "2 $want" ] || forms="$forms [$f: $rc $out]"
done
is "$forms" "" "an empty recording: report, -j (an error object), hlog and --html all exit 2 with one line"
out=$("$T" report -j --from 100 "$d/base.db" 2>&1); rc=$?
is "$rc $out" "2 {\"error\":\"$d/base.db: no interval in the selected span\"}" \
	"an empty span: exit 2, an error object with -j"
cp "$d/base.db" "$d/bad.db"
sqlite3 "$d/bad.db" "update rows set data = x'ffffffff' where interval = 3"
out=$("$T" report "$d/bad.db" 2>&1 >/dev/null); rc=$?
is "$rc $out" "2 tdxtop: $d/bad.db: damaged rows in interval 3" "damaged rows: exit 2, names the interval"
cp "$d/base.db" "$d/nr.db"
sqlite3 "$d/nr.db" "update rows set nr = 1000000000000 where interval = 2"
out=$("$T" report "$d/nr.db" 2>&1 >/dev/null); rc=$?
is "$rc $out" "2 tdxtop: $d/nr.db: damaged rows in interval 2" \
	"a row count no blob can hold (10^12): exit 2 at once, no allocation of it"
out=$("$T" report "$d/missing.db" 2>&1); rc=$?
is "$rc $(wc -l <<<"$out")" "2 1" "a missing file: exit 2, one line"
out=$("$T" report -j "$d/other.db" 2>/dev/null); rc=$?
is "$rc $out" "2 {\"error\":\"$d/other.db: not a tdxtop recording\"}" \
	"report -j: the error as a JSON object on stdout"

# -- HdrHistogram export: one line per interval, VM/reason and metric
n=$("$T" report --format hlog "$d/base.db" | grep -c '^Tag=td-regress:[0-9]*/TDCALL:HLT/guest,')
is "$n" 30 "hlog: an interval line per interval for HLT's guest time"

# -- the regression gate
fp=0 runs=""
for i in $(seq 20); do
	"$G" "$d/a.db" $((1000 + 2 * i)) 30 >/dev/null
	"$G" "$d/b.db" $((1001 + 2 * i)) 30 >/dev/null
	"$T" diff "$d/a.db" -- "$d/b.db" >"$d/aa.txt"
	rc=$?
	runs="$runs$rc"
	[ "$rc" = 1 ] && fp=$((fp + 1)) && grep REGRESSION: "$d/aa.txt" | sed 's/^/# /'
done
check "A/A, 20 pairs of seeds: at most 1 reports a regression ($fp did; exit codes $runs)" test "$fp" -le 1

"$G" "$d/up10.db" 200 30 2000 host:48:1.10 >/dev/null
"$T" diff "$d/base.db" -- "$d/up10.db" >"$d/up10.txt"; rc=$?
is "$rc" 1 "A/B, EPT_VIOLATION host time +10%: exit 1"
is "$(grep '^REGRESSION:' "$d/up10.txt" | awk '{ print $3, $4 }' | sort -u | tr '\n' ' ')" \
	"EPT_VIOLATION host " "A/B +10%: regressions on EPT_VIOLATION's host time and nothing else"
check "A/B +10%: the mean's change and interval are near +10%" \
	awk '/^\* +EPT_VIOLATION +host mean/ { c = $7 + 0; ok = c > 8 && c < 12 } END { exit !ok }' "$d/up10.txt"

"$G" "$d/up2.db" 201 30 2000 host:48:1.02 >/dev/null
"$T" diff "$d/base.db" -- "$d/up2.db" >"$d/up2.txt"; rc=$?
check "A/B +2%: exit 0, shown as a change within the threshold" \
	test "$rc" = 0 -a "$(grep -c 'EPT_VIOLATION.*host.*within threshold' "$d/up2.txt")" -ge 1
"$G" "$d/down10.db" 202 30 2000 host:48:0.90 >/dev/null
"$T" diff "$d/base.db" -- "$d/down10.db" >"$d/down10.txt"; rc=$?
check "A/B -10%: exit 0, EPT_VIOLATION host mean reported as an improvement" \
	test "$rc" = 0 -a "$(grep -c 'EPT_VIOLATION.*host mean.*improvement' "$d/down10.txt")" = 1

"$T" diff -j "$d/base.db" -- "$d/up10.db" >"$d/up10.json"
jqe() { jq -e "$@" >/dev/null; }
check "diff -j: one JSON object, the regressions as rows with verdicts" \
	jqe '[.rows[] | select(.verdict == "REGRESSION") | .label] | unique == ["EPT_VIOLATION"]' "$d/up10.json"
"$T" diff --format markdown "$d/base.db" -- "$d/up10.db" >"$d/up10.md"
check "diff --format markdown: a table with a row per comparison" \
	test "$(grep -c '^| ' "$d/up10.md")" = $(( $(jq '.comparisons' "$d/up10.json") + 1 ))
is "$(grep -c '^| \\\* | ' "$d/up10.md")" "$(jq '[.rows[] | select(.vm == null)] | length' "$d/up10.json")" \
	"diff --format markdown: the all-VMs rows as an escaped *, unlike a name of underscores"

# a key only one side has: CR_ACCESS, 10 exits in 110, added to the mix
GEN_EXTRA=28:0:10 "$G" "$d/cr.db" 203 30 2200 >/dev/null
"$T" diff "$d/base.db" -- "$d/cr.db" >"$d/cr.txt"; rc=$?
is "$rc $(grep -c '^REGRESSION:' "$d/cr.txt")" "1 1" "a key new in the new run (~10% of exits): exit 1, one regression"
check "... its rate, from 0, +8..12% of all exits, said so" \
	awk '/^REGRESSION: \* CR_ACCESS rate .* of all exits \(a new key\)$/ { c = $5 + 0; ok = c > 8 && c < 12 } END { exit !ok }' "$d/cr.txt"
"$T" diff -j "$d/base.db" -- "$d/cr.db" >"$d/cr.json"
is "$(jq -r '[.rows[] | select(.label == "CR_ACCESS") | "\(.metric)/\(.base)/\(.change_of)/\(.verdict)"] | join(" ")' "$d/cr.json")" \
	"rate/0/all_exits/REGRESSION$(for m in guest host restore; do for s in p50 p99 mean; do printf ' %s %s/null/key/new' $m $s; done; done)" \
	"diff -j: its rate judged against all exits, its times shown as new, not judged"
is "$(jq '[.judged, ([.rows[] | select(.p_holm != null)] | length)] | @tsv' -r "$d/cr.json")" \
	"$(sed -n 's/.*Holm over \([0-9]*\),.*/\1/p' "$d/cr.txt")	$(sed -n 's/.*Holm over \([0-9]*\),.*/\1/p' "$d/cr.txt")" \
	"Holm's count is the comparisons judged"
"$T" diff "$d/cr.db" -- "$d/base.db" >"$d/gone.txt"; rc=$?
check "the reverse, a key gone: exit 0, an improvement of ~-9% of all exits, its times 'gone'" \
	test "$rc" = 0 -a "$(grep -cE '^\* +CR_ACCESS +rate .* -[0-9.]+%\^.* improvement$' "$d/gone.txt")" = 1 \
	-a "$(grep -cE '^\* +CR_ACCESS .* gone$' "$d/gone.txt")" = 9
GEN_EXTRA=28:0:1 "$G" "$d/cr1.db" 204 30 2020 >/dev/null
"$T" diff "$d/base.db" -- "$d/cr1.db" >"$d/cr1.txt"; rc=$?
check "a new key of ~1% of exits: exit 0, verdict new (significant, within the threshold)" \
	test "$rc" = 0 -a "$(grep -cE '^\* +CR_ACCESS +rate .* new$' "$d/cr1.txt")" = 1

# --per-vm over more VMs than a table starts with (64): the all-VMs rows do
# not change with it (they did: a pointer to the all-VMs scope outlived the
# scopes array it pointed into when a VM's scope was added)
"$OUTPUT/tests/record/diffgen" "$d/v1.db" 1 70 3 12 && "$OUTPUT/tests/record/diffgen" "$d/v2.db" 2 70 3 12
all_rows() { jq -c '[.rows[] | select(.vm == null) | [.label, .metric, .base, .new, .p]]'; }
is "$("$T" diff -j --per-vm "$d/v1.db" -- "$d/v2.db" | all_rows | md5sum)" \
	"$("$T" diff -j "$d/v1.db" -- "$d/v2.db" | all_rows | md5sum)" \
	"diff --per-vm, 70 VMs: the all-VMs comparisons are those of plain diff"
valgrind -q --error-exitcode=9 "$T" diff --per-vm "$d/v1.db" -- "$d/v2.db" >/dev/null 2>"$d/vg.txt"
is "$? $(head -c 300 "$d/vg.txt")" "0 " "... and valgrind finds no invalid access in it"
check "... and a comparison for each of the 70 VMs' 3 reasons and 10 metrics" \
	test "$("$T" diff -j --per-vm "$d/v1.db" -- "$d/v2.db" | jq '[.rows[] | select(.vm != null)] | length')" = 2100

# diff reads schema 4's totals of all VMs in place of every VM's rows: the
# same recordings made schema 3 (their totals dropped by sqlite3) give the
# same output, byte for byte, in JSON and text, at 70 VMs and on a regression
schema3() {
	cp "$1" "$2"
	sqlite3 "$2" 'DROP TABLE total_rows; DROP TABLE total_hists; PRAGMA user_version = 3'
}
same=
for pair in "v1 v2" "base up10"; do
	set -- $pair
	schema3 "$d/$1.db" "$d/${1}_s3.db"
	schema3 "$d/$2.db" "$d/${2}_s3.db"
	for fmt in -j ""; do
		# shellcheck disable=SC2086 # an empty $fmt is no argument
		"$T" diff $fmt "$d/$1.db" -- "$d/$2.db" >"$d/t4.out"
		# shellcheck disable=SC2086
		"$T" diff $fmt "$d/${1}_s3.db" -- "$d/${2}_s3.db" | sed 's/_s3\.db/.db/g' >"$d/t3.out"
		cmp -s "$d/t4.out" "$d/t3.out" && same="$same=" || same="$same!"
	done
done
is "$same $(sqlite3 "$d/v1.db" 'select count(*), sum(nr), sum(vcpus) from total_rows')" \
	"==== 12|36|840" \
	"diff from the totals equals diff from every VM's rows (70 VMs; +10%), JSON and text; 12 intervals of 3 keys, 70 vCPUs"

"$G" "$d/few.db" 5 3 >/dev/null
out=$("$T" diff "$d/base.db" -- "$d/few.db" 2>&1); rc=$?
check "too few intervals: exit 2, says how many are needed" \
	test "$rc" = 2 -a -n "$(grep 'need at least [0-9]* intervals per side' <<<"$out")"
out=$("$T" diff "$d/base.db" 2>&1); rc=$?
is "$rc" 2 "diff without '--': usage error, exit 2"

# interleaved runs, one sample per run: 8 runs a side
for i in $(seq 8); do
	"$G" "$d/ra$i.db" $((300 + i)) 5 >/dev/null
	"$G" "$d/rb$i.db" $((400 + i)) 5 2000 guest:48:1.25 >/dev/null
done
"$T" diff --per-run "$d"/ra?.db -- "$d"/rb?.db >"$d/runs.txt"; rc=$?
check "--per-run, 8 interleaved runs a side: guest +25% of EPT_VIOLATION found, exit 1" \
	test "$rc" = 1 -a "$(grep -c '^REGRESSION: \* EPT_VIOLATION guest mean' "$d/runs.txt")" = 1
done_testing
