#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# PID 1 of the test VM (tests/e2e/vm.sh): mount what a Debian user space and
# the tracers need, run the script named on the command line, power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs run /run
# /tmp becomes a tmpfs; the repository or OUTPUT may live under the host's
# /tmp, so their top folders there are bound back over it
mkdir -p /run/hosttmp
mount --bind /tmp /run/hosttmp
mount -t tmpfs tmp /tmp
for w in $(cat /proc/cmdline); do
	case $w in
	tdxtop.top=/tmp/*|tdxtop.output=/tmp/*)
		d=${w#*=/tmp/}; d=${d%%/*}
		[ -d "/tmp/$d" ] && continue
		mkdir -p "/tmp/$d"
		mount --bind "/run/hosttmp/$d" "/tmp/$d" ;;
	esac
done
mount -t tmpfs shm /dev/shm
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t tmpfs mnt /mnt
mkdir -p /mnt/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /mnt/out
# tools write to $HOME; Debian's root home is read-only here
export HOME=/tmp TERM=${TERM:-linux}
ulimit -l unlimited

script= top= args= output= cpus=
for w in $(cat /proc/cmdline); do
	case $w in
	tdxtop.cpus=*) cpus=${w#*=} ;;
	tdxtop.script=*) script=${w#*=} ;;
	tdxtop.top=*) top=${w#*=} ;;
	tdxtop.args=*) args=${w#*=} ;;
	tdxtop.output=*) output=${w#*=} ;;
	esac
done
argv=()
for a in ${args//,/ }; do argv+=("$(echo "$a" | base64 -d)"); done
export TDXTOP_TOP=$top OUTPUT=$output TDXTOP_IN_VM=1
online=$(cat /sys/devices/system/cpu/online)
echo "tdxtop-vm: ready $(cut -d' ' -f1 /proc/uptime), CPUs online $online ($(nproc) of $cpus)"
# every test runs on the CPUs it asked for, or not at all (tests/e2e/vm.sh)
if [ -n "$cpus" ] && [ "$(nproc)" != "$cpus" ]; then
	echo "$cpus CPUs asked for, $(nproc) online ($online)" >/mnt/out/.cpus-short
else
	cd "$top" && bash "$script" "${argv[@]}"
	echo $? >/mnt/out/.exit-status
fi
sync
umount /mnt/out 2>/dev/null
# reboot(2) LINUX_REBOOT_CMD_RESTART (no ACPI power-off in this kernel; QEMU's
# -no-reboot turns the reset into an exit); should it fail, PID 1 exiting panics
# the kernel, and panic=-1 with QEMU's -no-reboot ends the VM all the same
perl -e 'syscall(169, 0xfee1dead, 672274793, 0x01234567, 0)'
exit 0
