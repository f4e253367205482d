#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs inside the test VM: the live TUI in tmux under a continuous injected
# load; keys are sent with send-keys and the screen read with capture-pane.
# Prints TAP.
set -u
n=0 failed=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; screen | sed 's/^/# /' | head -25; fi; }
screen() { tmux capture-pane -p -t tui; }
# wait up to S seconds for the screen to match REGEX
waitfor() { local i; for i in $(seq $(( $2 * 5 ))); do screen | grep -qE "$1" && return 0; sleep 0.2; done; return 1; }
keys() { tmux send-keys -t tui "$@"; }

echo "1..10"
insmod "$OUTPUT/kmod/tdx_inject.ko" || exit 1
cat >/tmp/tui.wl <<'WL'
seed 5
count 2000
exit 50 77 12 12 2000 4000000 300 900 0x2
exit 30 1 1 0 500 60000 300 900 0x2
exit 5 77 77 0x10001 5000 400000 300 900 0xe
exit 2 0x8000020000000092 0xffffffff 0 200 5000 300 900 0x2
gsbase 3 100 400
WL
cat /tmp/tui.wl >/sys/kernel/debug/tdx_inject/workload
"$OUTPUT/tests/e2e/inject" run 2 2 vm 600 >/dev/null &
load=$!

tmux new-session -d -s tui -x 150 -y 40 "$OUTPUT/tdxtop 1; echo EXIT=\$? >/tmp/tui.exit; sleep 30"
ok "the TUI starts and shows TD exits" "waitfor 'TDCALL:HLT' 120"
ok "header: per-reason view sorted by count, self cost shown" \
	"screen | grep -q 'view: reason  sort: count' && screen | grep -q 'ns/event'"
ok "VM names come from QEMU's -name guest=" "screen | grep -qE '^vm[01] '"
keys s
ok "s: sort by guest time" "waitfor 'sort: guest' 10"
keys /
sleep 0.5
keys MapGPA Enter
ok "/MapGPA: only MapGPA rows" "waitfor 'filter: MapGPA' 10 && sleep 2 && [ \"\$(screen | grep -cE '^vm[01] ')\" -ge 1 ] && ! screen | grep -E '^vm[01] ' | grep -qv MapGPA"
keys / Enter
keys 2
ok "2: per-vCPU view" "waitfor 'view: vcpu' 10 && sleep 2 && screen | grep -qE '^vm[01] +[0-9]+ +[01] '"
keys 3 c Home Enter
ok "Enter: drill-down shows percentiles and a histogram" \
	"waitfor 'p99' 15 && screen | grep -qE '[0-9.]+[unm]?s-[0-9.]+[unm]?s +[0-9]+ \\|#'"
keys Escape
ok "Esc: back to the table" "waitfor 'GUEST/p99' 10"
keys '?'
ok "?: help" "waitfor 'histograms, percentiles and outliers' 10"
keys '?' q
for i in $(seq 50); do [ -f /tmp/tui.exit ] && break; sleep 0.2; done
ok "q: quits with status 0" "grep -q 'EXIT=0' /tmp/tui.exit 2>/dev/null"
kill $load 2>/dev/null
pkill -f "inject vmm" 2>/dev/null
wait $load 2>/dev/null
tmux kill-server 2>/dev/null
exit $failed
