#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Recording, report and diff: figures, not assertions (docs/performance.md).
#  - what recording adds at the demo's rate (8 vCPUs x 11 kinds of rows) and
#    at 1,024 vCPUs x 40 reasons, and the bytes per interval;
#  - report's reading speed in rows per second, on the large recording;
#  - diff of two one-hour recordings (3,600 intervals each).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
tmp=$(mktemp -d /tmp/tdxtop-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
B=$OUTPUT/bench/userspace T=$OUTPUT/tdxtop G=$OUTPUT/tests/record/gen

echo "== recording at the demo's rate: 8 vCPUs x 11 kinds, 1 Hz, 60 intervals"
"$B" 60 8 11 reason json "$tmp/demo.db" | grep -E 'work per|recording|RSS'
per=$(sqlite3 "$tmp/demo.db" 'select 1' >/dev/null && stat -c %s "$tmp/demo.db")
echo "one hour at 1 Hz: $(( per / 60 * 3600 / 1048576 )) MiB ($(( per / 60 )) bytes per interval)"

echo "== recording at 1,024 vCPUs x 40 reasons, -g reason, 1 Hz, 30 intervals"
"$B" 30 1024 40 reason json "$tmp/big.db" | grep -E 'work per|recording|RSS'

echo "== report: every row of the large recording, merged"
rows=$(sqlite3 "$tmp/big.db" 'select sum(nr) from rows')
for i in 1 2 3; do
	/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$T" report -j --merge -g reason "$tmp/big.db" >/dev/null
	read -r e u s <"$tmp/time"
	echo "$rows rows in ${e}s (user ${u}s, sys ${s}s): $(awk -v r="$rows" -v e="$e" 'BEGIN { printf "%.0f", r / e }') rows/s"
done

echo "== diff of two one-hour recordings (3,600 intervals of 200 exits, 6 reasons)"
"$G" "$tmp/h1.db" 1 3600 200 >/dev/null
"$G" "$tmp/h2.db" 2 3600 200 >/dev/null
for i in 1 2 3; do
	/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$T" diff "$tmp/h1.db" -- "$tmp/h2.db" >/dev/null || true
	echo "diff: $(cat "$tmp/time" | awk '{ print $1 "s (user " $2 "s, sys " $3 "s)" }')"
done

# diff at fleet scale (issue 26): 100 VMs x 40 reasons at 1 Hz, from
# tests/record/diffgen (snapshots built in memory, written by tdxtop's
# recorder); FLEET_INTERVALS=3600 is an hour a side, 2.7 GB each
n=${FLEET_INTERVALS:-3600}
echo "== diff of two recordings of 100 VMs x 40 reasons, $n intervals each"
D=$OUTPUT/tests/record/diffgen
/usr/bin/time -f '%e' -o "$tmp/time" "$D" "$tmp/f1.db" 1 100 40 "$n"
echo "diffgen: $(cat "$tmp/time")s, $(( $(stat -c %s "$tmp/f1.db") / 1048576 )) MiB"
"$D" "$tmp/f2.db" 2 100 40 "$n"
# shellcheck disable=SC2086 # an empty $opt is no argument
for opt in "" --per-vm; do
	/usr/bin/time -f '%e %U %M' -o "$tmp/time" "$T" diff $opt "$tmp/f1.db" -- "$tmp/f2.db" >/dev/null || true
	read -r e u m <"$tmp/time"
	echo "diff ${opt:-(all VMs)}: ${e}s (user ${u}s), max RSS $((m / 1024)) MiB"
done
# the same recordings without their totals of all VMs (schema 3): diff
# reads every VM's rows, as before schema 4
for f in f1 f2; do
	sqlite3 "$tmp/$f.db" 'DROP TABLE total_rows; DROP TABLE total_hists; PRAGMA user_version = 3'
done
/usr/bin/time -f '%e %U %M' -o "$tmp/time" "$T" diff "$tmp/f1.db" -- "$tmp/f2.db" >/dev/null || true
read -r e u m <"$tmp/time"
echo "diff (all VMs) from every VM's rows (schema 3): ${e}s (user ${u}s), max RSS $((m / 1024)) MiB"
