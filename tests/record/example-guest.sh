#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The worked example of docs/regression.md, inside the test VM: three runs
# of the demo mix ("base") interleaved with three runs of the same mix whose
# EPT violations restore 20% slower ("new"), each recorded for 10 seconds
# at 0.5-second intervals, then tdxtop diff.  Run it with
#   tests/e2e/vm.sh -t 900 -m 2048 -o /tmp/example tests/record/example-guest.sh
set -u
X=$OUTPUT/tdxtop
out=/mnt/out
wl=$TDXTOP_TOP/tests/e2e/workloads/mix.wl
insmod "$OUTPUT/kmod/tdx_inject.ko" || exit 1
# the new side: EPT_VIOLATION's restore cycles 300-1200 -> 360-1440
sed 's/^exit 10 48 48 0 1000 50000 300 1200 0x6$/exit 10 48 48 0 1000 50000 360 1440 0x6/' \
	"$wl" >/tmp/slower.wl
for run in 1 2 3; do
	for side in base new; do
		f=$wl
		[ $side = new ] && f=/tmp/slower.wl
		cat "$f" >/sys/kernel/debug/tdx_inject/workload || exit 1
		"$X" record -o "$out/$side$run.db" 0.5 20 2>>"$out/record.log" &
		r=$!
		sleep 2	# attached
		"$OUTPUT/tests/e2e/inject" run 2 4 td 9 >/dev/null
		wait $r
	done
done
cd "$out" || exit 1
"$X" diff base1.db base2.db base3.db -- new1.db new2.db new3.db >diff.txt
echo $? >diff.rc
"$X" diff --format markdown base1.db base2.db base3.db -- new1.db new2.db new3.db >diff.md
exit 0
