#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo: build what is needed, boot the patched kernel under QEMU, inject
# a realistic TD exit mix for 2 VMs x 4 vCPUs for about 30 seconds and show
# tdxtop live: the TUI when a terminal is attached, batch text otherwise.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
OUTPUT=${OUTPUT:-$top/build}
secs=${DEMO_SECONDS:-30}
start=$(date +%s)

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (QEMU, debugfs, BPF in the guest)" >&2
	exit 1
fi
echo "demo: building the kernel with the tdx series (the first time takes ~20 minutes)"
"$top/scripts/kernel.sh" build
make -s -C "$top" all tests kmod
echo "demo: ready after $(( $(date +%s) - start ))s; booting"
if [ -t 0 ] && [ -t 1 ]; then
	read -r rows cols < <(stty size)
	echo "demo: tdxtop's TUI for ${secs}s (q quits earlier)"
	"$top/tests/e2e/vm.sh" -i -t $((secs + 300)) "$top/tests/e2e/guest-demo.sh" tui "$secs" "$rows" "$cols"
else
	"$top/tests/e2e/vm.sh" -t $((secs + 300)) "$top/tests/e2e/guest-demo.sh" batch "$secs" |
		grep -v -e '^tdxtop-vm:' -e 'reboot: Power down'
fi
echo "demo: done in $(( $(date +%s) - start ))s"
