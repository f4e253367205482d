#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make soak [SOAK_SECS=1800]: tdxtop live, recording and serving at once for
# SOAK_SECS under the highest rate the test VM sustains
# (tests/soak/guest-soak.sh).  At the end each count equals the ftrace hist
# trigger's, nothing is dropped, and RSS, open fds and CPU per interval are
# flat after warm-up: the curve is printed per 5 minutes.  Not in make
# check (it takes SOAK_SECS).
. "$(dirname "$0")/../lib.sh"
secs=${SOAK_SECS:-1800}
plan 8
out=$OUTPUT/soak
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
# SECS of the guest's time: under TCG on a busy host its clock can run at
# half speed or less, hence the bound
"$top/tests/e2e/vm.sh" -t $((secs * 3 + 900)) -c "${VM_CPUS:-2}" -m 2048 -o "$out" \
	"$top/tests/soak/guest-soak.sh" "$secs" >"$out/vm.log" 2>&1
rc=$?
grep -E '^soak:' "$out/vm.log" | sed 's/^/# /'
is "$rc" 0 "the VM soaked for $secs s and powered off ($(( $(date +%s) - start ))s)"
hits=$(cat "$out/hits" 2>/dev/null)
check "the injector fired exits: ${hits:-none} ($(( ${hits:-0} / secs ))/s)" test "${hits:-0}" -gt 0
hits=${hits:-none}
is "$(cat "$out/live-exits" 2>/dev/null)" "$hits" "live: every exit counted"
is "$(jq '[.rows[] | select(.kind == "exit") | .count] | add' "$out/record.json" 2>/dev/null)" \
	"$hits" "record: every exit in the recording ($(awk '{ print $5 }' "$out/record-size") bytes)"
is "$(awk '/^tdxtop_exits_total/ { s += $2 } END { print s }' "$out/last-scrape.txt" 2>/dev/null)" \
	"$hits" "serve: every exit in the last scrape"
drops=$(awk '/^tdxtop_drops_total/ { s += $2 } END { print s + 0 }' "$out/last-scrape.txt" 2>/dev/null)
is "$(cat "$out/live-drops" 2>/dev/null):$drops:$(cat "$out/live.rc" "$out/record.rc" "$out/serve.rc" 2>/dev/null | tr -d '\n')" \
	"0:0:000" "nothing dropped; each stops with status 0"

# the curve: per mode, every 5 minutes, RSS, fds and CPU % over the last 5 minutes
awk 'NR > 1 { t = $1; m = $2; b = int(t / 300)
	rss[m, b] = $3; fd[m, b] = $4; cpu[m, b] = $5; last[m] = b; modes[m] = 1 }
	END {
		for (m in modes) {
			line = m ":"
			for (b = 0; b <= last[m]; b++)
				line = line sprintf(" %dmin %dKiB %dfd %.2f%%", (b + 1) * 5, rss[m, b],
					fd[m, b], b ? (cpu[m, b] - cpu[m, b - 1]) / 3 : cpu[m, b] / 3)
			print line
		}
	}' "$out/samples.txt" | sed 's/^/# /'
# flat after warm-up (the first 2 minutes): RSS within 2 MiB, fds unchanged
bad=$(awk 'NR > 1 && $1 >= 120 { m = $2
	if (!(m in r0)) { r0[m] = $3; f0[m] = $4 }
	if ($3 > r0[m] + 2048 || $4 != f0[m]) print m, $1 "s", $3 "KiB", $4 "fds" }' \
	"$out/samples.txt" | head -3)
is "$bad" "" "after warm-up RSS stays within 2 MiB and open fds do not change"
cpu=$(awk 'NR > 1 && $1 >= 120 { m = $2; if (!(m in c0)) { c0[m] = $5; t0[m] = $1 }
	c[m] = $5; t[m] = $1 }
	END { for (m in c) printf "%s %.2f%% ", m, (c[m] - c0[m]) / (t[m] - t0[m]) * 100 }' \
	"$out/samples.txt")
check "CPU of each after warm-up, in the VM (TCG): $cpu" test -n "$cpu"
done_testing
