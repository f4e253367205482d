#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Inside the test VM: what the booted kernel offers, into /mnt/out.
uname -r >/mnt/out/uname
for e in /sys/kernel/tracing/events/tdx/*/; do
	[ -f "$e/format" ] && cp "$e/format" "/mnt/out/format-$(basename "$e")"
done
ls /sys/kernel/tracing/events/kvm >/mnt/out/kvm-events 2>/dev/null
dmesg | grep -i -E 'kvm|vmx|tdx' >/mnt/out/dmesg-kvm
cut -d' ' -f1 /proc/uptime >/mnt/out/uptime
exit 0
