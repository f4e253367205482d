#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# End to end: the patched kernel boots under QEMU, the injector fires
# workloads through the real tdx tracepoints, and tdxtop's JSON is compared
# with three oracles of the same run: the kernel's ftrace hist triggers, a
# bpftrace script, and the exact samples recomputed from the workload
# (tests/e2e/inject expect).  Counts must be equal, time sums exact (and
# within 0.1% of the hist trigger's cycle sums), percentiles within half a
# histogram bucket.
. "$(dirname "$0")/../lib.sh"

workloads=${E2E_WORKLOADS:-"mix flood many errors"}
set -- $workloads
per=10
plan $((2 + per * $#))

out=$OUTPUT/e2e
if [ "$(id -u)" != 0 ]; then
	for i in $(seq $((2 + per * $#))); do skip "needs root"; done
	exit 0
fi
if ! make -s -C "$top" kmod >"$OUTPUT/kmod.log" 2>&1; then
	fail "the injector module builds against the kernel of 'make kernel'"
	sed 's/^/# /' "$OUTPUT/kmod.log" | tail -20
	for i in $(seq $((1 + per * $#))); do fail "no module"; done
	exit 1
fi
pass "the injector module builds against the kernel of 'make kernel'"

rm -rf "$out"
mkdir -p "$out"
files=()
for w in "$@"; do files+=("$top/tests/e2e/workloads/$w.wl"); done
start=$(date +%s)
"$top/tests/e2e/vm.sh" -t 1500 -c "${VM_CPUS:-2}" -m 2048 -o "$out" \
	"$top/tests/e2e/guest-e2e.sh" "${files[@]}" >"$out/vm.log" 2>&1
rc=$?
grep -E '^(e2e|guest):' "$out/vm.log" | sed 's/^/# /'
is "$rc" 0 "the VM ran all workloads and powered off ($(( $(date +%s) - start ))s)"
[ "$rc" = 0 ] || tail -30 "$out/vm.log" | sed 's/^/# /'

P32=4294967296
# rows are compared as sorted "pid reason leaf class<TAB>count ..." lines

for w in "$@"; do
	d=$out/$w
	all=$d/tdxtop-all.json reason=$d/tdxtop-reason.json
	if ! jq -e -s 'length == 1 and (.[0].rows | length) > 0' "$all" >/dev/null 2>&1 ||
	   ! jq -e -s 'length == 1' "$reason" >/dev/null 2>&1; then
		fail "$w: tdxtop wrote one JSON object per instance"
		cat "$d"/tdxtop-*.err 2>/dev/null | sed 's/^/# /' | head
		for i in $(seq $((per - 1))); do fail "$w: no tdxtop output"; done
		continue
	fi
	pass "$w: tdxtop wrote one JSON object per instance"
	mult=$(jq '.tsc.mult' "$all") shift=$(jq '.tsc.shift' "$all")
	diag "$w: tsc from $(jq -r .tsc.source "$all"): ns = cycles * $mult >> $shift"

	# self cost: a figure when the kernel timed the programs, else unknown
	# (null), never 0.  Whether it did is the kernel's word (bpftool: the run
	# time of tdxtop's exit handler), not the clocksource's: sched_clock(),
	# which times programs, can be the TSC while the clocksource is jiffies
	# (seen with 4 CPUs under TCG)
	timed=$(jq -s '[.. | objects | .run_time_ns? // empty] | add > 0' "$d/prog.json" 2>/dev/null)
	if [ "$timed" != true ]; then
		is "$(jq -c '.self | [.bpf_ns_per_event, .bpf_cpu_pct]' "$all")" "[null,null]" \
			"$w: self cost: the kernel timed no run of the handler (clocksource $(cat "$out/clocksource")), BPF time shown as unknown"
	else
		is "$(jq '.self.bpf_ns_per_event > 0 and .self.bpf_cpu_pct > 0' "$all")" true \
			"$w: self cost: the kernel timed the handler (clocksource $(cat "$out/clocksource")), BPF time measured"
	fi
	read -r vms vcpus <"$d/shape"
	is "$(jq '([.drops[]] | add) + .filtered' "$all" "$reason" | tr '\n' ' ')" "0 0 " \
		"$w: no drops, nothing filtered"
	# host time: each exit but a vCPU's first gives a sample, from the TSCs
	is "$(jq '[.rows[] | select(.kind == "exit") | .host_ns.n] | add' "$all") $(jq .host_skew "$all")" \
		"$(( $(jq '[.rows[] | select(.kind == "exit") | .count] | add' "$all") - vms * vcpus )) 0" \
		"$w: a host-time sample for each exit but a vCPU's first, no skew"

	# tdxtop per VM process and (reason, leaf, status class), summed over vCPUs
	jq -r '.rows[] | select(.kind == "exit") |
		[.pid, ((.reason_code + 4294967296) % 4294967296), .leaf_code, .status_code,
		 .count, .guest_ns.sum, .restore_ns.sum, .host_ns.sum] | @tsv' "$all" |
		awk -F'\t' '{ k = $1 " " $2 " " $3 " " $4; c[k] += $5; g[k] += $6; r[k] += $7; h[k] += $8 }
			END { for (k in c) printf "%s\t%.0f %.0f %.0f %.0f\n", k, c[k], g[k], r[k], h[k] }' |
		sort >"$d/t.rows"

	# bpftrace: @count[pid, exit_reason, leaf, status]: N
	awk -v P=$P32 '/^@count\[/ {
		gsub(/[@a-z\[\],:]/, " "); n = split($0, f, " ");
		st = f[4] + 0; if (st < 0) st += 2^64;
		printf "%.0f %.0f %.0f %.0f\t%.0f\n", f[1], (f[2] + P) % P, f[3], int(st / P), f[5] }' \
		"$d/bpftrace.txt" | awk -F'\t' '{ c[$1] += $2 } END { for (k in c) printf "%s\t%.0f\n", k, c[k] }' |
		sort >"$d/b.counts"
	awk -F'\t' '{ split($2, v, " "); printf "%s\t%.0f\n", $1, v[1] }' "$d/t.rows" >"$d/t.counts"
	if [ -s "$d/b.counts" ] && cmp -s "$d/t.counts" "$d/b.counts"; then
		pass "$w: counts per VM process, reason, leaf and status equal bpftrace's ($(wc -l <"$d/t.counts") keys)"
	else
		fail "$w: counts per VM process, reason, leaf and status equal bpftrace's"
		diff "$d/t.counts" "$d/b.counts" | head -10 | sed 's/^/# /'
	fi

	# ftrace hist trigger: { exit_reason: R, leaf: L, status: S } hitcount: N guest_cycles: G ...
	awk -v P=$P32 '/^\{ exit_reason:/ {
		gsub(/[{}:,]/, " "); n = split($0, f, " ");
		for (i = 1; i < n; i++) v[f[i]] = f[i + 1];
		printf "%.0f %.0f %.0f\t%.0f %s\n", v["exit_reason"], v["leaf"], int(v["status"] / P),
			v["hitcount"], v["guest_cycles"] }' "$d/hist-tdx_vp_enter.txt" |
		awk -F'\t' '{ split($2, a, " "); c[$1] += a[1]; g[$1] += a[2] }
			END { for (k in c) printf "%s\t%.0f %.0f\n", k, c[k], g[k] }' | sort >"$d/h.rows"
	awk -F'\t' '{ split($1, k, " "); split($2, v, " ");
		key = k[2] " " k[3] " " k[4]; c[key] += v[1]; g[key] += v[2] }
		END { for (x in c) printf "%s\t%.0f\n", x, c[x] }' "$d/t.rows" | sort >"$d/t.byreason"
	cut -d' ' -f1-3 "$d/h.rows" | awk -F'\t' '{ split($2, v, " "); print $1 "\t" v[1] }' \
		| sort >"$d/h.counts"
	if [ -s "$d/h.counts" ] && cmp -s "$d/t.byreason" "$d/h.counts"; then
		pass "$w: counts per reason, leaf and status equal the ftrace hist trigger's ($(wc -l <"$d/h.counts") keys)"
	else
		fail "$w: counts per reason, leaf and status equal the ftrace hist trigger's"
		diff "$d/t.byreason" "$d/h.counts" | head -10 | sed 's/^/# /'
	fi

	# guest time: tdxtop's ns sum against the hist trigger's cycle sum,
	# converted.  Each sample is converted and truncated on its own, so the
	# sum of n samples lies in (e - n, e] of the converted cycle sum e: a
	# bound in ns, not a ratio, since the loss per sample is up to 1 ns
	# whatever the sample's size (0.14% of 365 ns samples, seen in flood)
	tg=$(awk -F'\t' '{ split($2, v, " "); s += v[2] } END { printf "%.0f", s }' "$d/t.rows")
	hg=$(awk -F'\t' '{ split($2, v, " "); s += v[2] } END { printf "%.0f", s }' "$d/h.rows")
	hn=$(awk -F'\t' '{ split($2, v, " "); s += v[1] } END { printf "%.0f", s }' "$d/h.rows")
	gap=$(awk -v t="$tg" -v h="$hg" -v m="$mult" -v s="$shift" \
		'BEGIN { printf "%.1f", h * m / 2^s - t }')
	if awk -v g="$gap" -v n="$hn" 'BEGIN { exit !(n > 0 && g > -1 && g < n + 1) }'; then
		pass "$w: guest time sum: converted hist trigger cycles minus tdxtop's ns in [0, $hn samples) (is $gap)"
	else
		fail "$w: guest time sum: converted hist trigger cycles minus tdxtop's ns in [0, $hn samples) (is $gap)"
	fi

	# the exact samples of the workload, converted as each instance converts
	"$OUTPUT/tests/e2e/inject" expect "$d/workload.wl" "$vms" "$vcpus" "$mult" "$shift" \
		>"$d/expect.json"
	"$OUTPUT/tests/e2e/inject" expect "$d/workload.wl" "$vms" "$vcpus" \
		"$(jq .tsc.mult "$reason")" "$(jq .tsc.shift "$reason")" >"$d/expect-reason.json"
	jq -r --slurpfile p <(awk '{ print "{\"vm\":" $2 ",\"pid\":" $4 "}" }' "$d/pids.txt") \
		'.[] | select(.kind == "exit") | . as $e |
		 ($p[] | select(.vm == $e.vm) | .pid) as $pid |
		 "\($pid) \((.reason_code + 4294967296) % 4294967296) \(.leaf_code) \(.status_code)\t\(.count) \(.guest_sum) \(.restore_sum) \(.host_sum)"' \
		"$d/expect.json" | sort >"$d/e.rows"
	if [ -s "$d/e.rows" ] && cmp -s "$d/t.rows" "$d/e.rows"; then
		pass "$w: per VM and reason: counts, guest, restore and host ns sums equal the injected samples exactly"
	else
		fail "$w: per VM and reason: counts, guest, restore and host ns sums equal the injected samples exactly"
		diff "$d/t.rows" "$d/e.rows" | head -10 | sed 's/^/# /'
	fi

	# percentiles (rows per reason carry histograms) within half a bucket:
	# a bucket is at most 1/16 of its lower bound wide, so |est - exact| <= exact/32
	bad=$(jq -r --slurpfile e "$d/expect-reason.json" --slurpfile p \
		<(awk '{ print "{\"vm\":" $2 ",\"pid\":" $4 "}" }' "$d/pids.txt") '
		.rows[] | select(.kind == "exit") | . as $t |
		($p[] | select(.pid == $t.pid) | .vm) as $vm |
		($e[0][] | select(.vm == $vm and .kind == "exit" and .reason_code == $t.reason_code
			and .leaf_code == $t.leaf_code and .status_code == $t.status_code)) as $x |
		(["p50", "p90", "p99", "p999"][] as $q |
		 [["guest_ns", "guest"], ["restore_ns", "restore"]][] as $m |
		 ($t[$m[0]][$q]) as $est | ($x[$m[1]][$q]) as $ex |
		 select((($est - $ex) | fabs) > ($ex / 32 + 1)) |
		 "\($t.pid)/\($t.label)/\($m[0]).\($q): \($est) vs exact \($ex)")' "$reason" | head -5)
	nq=$(jq '[.rows[] | select(.kind == "exit")] | length * 8' "$reason")
	if [ -z "$bad" ] && [ "$nq" -gt 0 ]; then
		pass "$w: $nq percentiles (p50/p90/p99/p99.9 of guest and restore) within half a bucket of exact"
	else
		fail "$w: percentiles within half a bucket of exact"
		echo "$bad" | sed 's/^/# /'
	fi

	# the events that are not exits: tdxtop, hist triggers and bpftrace agree
	td=$(jq '[.rows[] | select(.kind == "deferred") | .count] | add // 0' "$all")
	tg=$(jq '[.rows[] | select(.kind == "gsbase") | .count] | add // 0' "$all")
	tu=$(jq '[.rows[] | select(.kind == "uret") | .count] | add // 0' "$all")
	hsum() { awk '/^ +Hits:/ { print $2; found = 1 } END { if (!found) print "none" }' "$1"; }
	bsum() { awk -v m="$1" 'index($0, "@" m "[") == 1 { s += $NF } END { print s + 0 }' "$d/bpftrace.txt"; }
	ed=$(jq '[.[] | select(.kind == "deferred") | .count] | add // 0' "$d/expect.json")
	eg=$(jq '[.[] | select(.kind == "gsbase") | .count] | add // 0' "$d/expect.json")
	eu=$(jq '[.[] | select(.kind == "uret") | .count] | add // 0' "$d/expect.json")
	is "$td $tg $tu|$(hsum "$d/hist-tdx_vp_enter_deferred.txt") $(hsum "$d/hist-tdx_host_gsbase.txt") $(hsum "$d/hist-tdx_uret_restore.txt")|$(bsum deferred) $(bsum gsbase) $(bsum uret)" \
		"$ed $eg $eu|$ed $eg $eu|$ed $eg $eu" \
		"$w: deferred entries, GS base and user-return restores: tdxtop = hist = bpftrace = injected ($ed $eg $eu)"
done
done_testing
