#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Runs inside the test VM (tests/outliers/vm-outliers.sh): the real tdxtop
# with --outliers on the real tdx tracepoints while the injector fires
# tests/e2e/workloads/outliers.wl (rare slow exits among fast ones):
#   fixed  --outliers guest=50us, live JSON and a recording of the run
#   cap    --outliers guest=4us --outlier-rate 50: far more than the cap
#   auto   --outliers auto over VMMs firing the workload for 8 s
# Outputs go to /mnt/out for the host side.
set -u
out=/mnt/out
X=$OUTPUT/tdxtop
top=$TDXTOP_TOP
. "$top/tests/guest-lib.sh"
say() { echo "outliers: [$(cut -d' ' -f1 /proc/uptime)] $*"; }

load_workload "$top/tests/e2e/workloads/outliers.wl" || exit 1

# run NAME OPTIONS...: tdxtop -j with OPTIONS while "inject run 2 2" fires once
run() {
	local name=$1 p
	shift
	mkdir -p "$out/$name"
	"$X" -j -g reason "$@" 1 >"$out/$name/live.json" 2>"$out/$name/live.err" &
	p=$!
	wait_links 1 || say "$name: tdxtop did not attach"
	"$OUTPUT/tests/e2e/inject" run 2 2 >"$out/$name/pids.txt"
	sleep 2.5	# the intervals that hold the run are printed
	stop_wait INT 60 $p
	echo $? >"$out/$name/rc"
	say "$name: done"
}

run fixed --outliers guest=50us -w /tmp/fixed.db
"$X" report -j -g reason /tmp/fixed.db >"$out/fixed/report.json" 2>"$out/fixed/report.err"
"$X" report -g reason /tmp/fixed.db >"$out/fixed/report.txt" 2>&1
run cap --outliers guest=4us --outlier-rate 50

mkdir -p "$out/auto"
"$X" -j -g reason --outliers auto 1 >"$out/auto/live.json" 2>"$out/auto/live.err" &
p=$!
wait_links 1 || say "auto: tdxtop did not attach"
"$OUTPUT/tests/e2e/inject" run 1 2 auto 8 >"$out/auto/pids.txt"
sleep 2.5
stop_wait INT 60 $p
echo $? >"$out/auto/rc"
say "auto: done"
exit 0
