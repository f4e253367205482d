#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Inside the demo VM: 2 VMs x 4 vCPUs firing a realistic TD exit mix for
# SECONDS, watched by tdxtop (the TUI on the console, or batch text).
# Usage: guest-demo.sh tui|batch SECONDS [ROWS COLS]
mode=$1 secs=$2 rows=${3:-40} cols=${4:-120}
insmod "$OUTPUT/kmod/tdx_inject.ko" || exit 1
# the realistic mix, fired in rounds of 2000 exits per vCPU
sed 's/^count .*/count 2000/' "$TDXTOP_TOP/tests/e2e/workloads/mix.wl" \
	>/sys/kernel/debug/tdx_inject/workload || exit 1
"$OUTPUT/tests/e2e/inject" run 2 4 td "$secs" >/dev/null &
load=$!
if [ "$mode" = tui ]; then
	stty rows "$rows" cols "$cols" 2>/dev/null
	export TERM=xterm-256color
	timeout -s INT "$secs" "$OUTPUT/tdxtop" 1
else
	"$OUTPUT/tdxtop" -b -n 12 5 $(( secs / 5 ))
fi
wait $load
exit 0
