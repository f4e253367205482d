#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The live TUI, driven in tmux inside the test VM (tests/tui/guest-tui.sh).
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..1"; skip "needs root"; exit 0
fi
if ! make -s -C "$top" kmod >"$OUTPUT/kmod.log" 2>&1; then
	echo "1..1"; fail "the injector module builds"; exit 1
fi
out=$OUTPUT/tui
rm -rf "$out"
"$top/tests/e2e/vm.sh" -t 900 -c "${VM_CPUS:-2}" -m 1024 -o "$out" "$top/tests/tui/guest-tui.sh" \
	>"$out.log" 2>&1
rc=$?
# the guest's TAP, as it printed it
grep -E '^(1\.\.[0-9]+|ok [0-9]+|not ok [0-9]+|#)' "$out.log"
[ "$rc" = 0 ] || { tail -20 "$out.log" | sed 's/^/# vm: /'; exit 1; }
