#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Boot the kernel of 'make kernel' under QEMU (TCG, no network) with the host's
# root file system shared read-only over 9p, run SCRIPT inside, power off.
# SCRIPT's output goes to the serial console, which this prints; OUTDIR is
# shared read-write and mounted at /mnt/out in the guest.
#
# Usage: vm.sh [-i] [-t SECONDS] [-m MiB] [-c CPUS] [-o OUTDIR] SCRIPT [ARG...]
# -i: the serial console is this terminal (for the demo's TUI).
# Exit status: SCRIPT's, 124 on timeout, 125 when the VM did not report one,
# 126 when fewer CPUs came online in the guest than asked for.
#
# CPUS are sockets of one core each: on q35 with SeaBIOS a plain -smp N
# lists one CPU in the MP table and the test kernel (no ACPI) brings up
# one; as sockets, all N come up.  The guest's init compares the CPUs
# online with CPUS before the script runs.  TCG is single-threaded: with
# one host thread per vCPU (MTTCG, QEMU 7.2) a vCPU ran stale translations
# of kernel text another CPU had patched and synchronised (static keys of
# the tracepoints: an int3 Oops in tdx_vcpu_run(), events lost;
# docs/testing.md).  VM_SMP: another -smp value (tests/kernel/boot.sh shows
# that the check catches a plain -smp N).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TDXTOP_CACHE:-/var/cache/tdxtop}
kernel=${TDXTOP_BZIMAGE:-$cache/build/arch/x86/boot/bzImage}
timeout=600 mem=1024 cpus=2 outdir= interactive=

while getopts it:m:c:o: opt; do
	case $opt in
	i) interactive=1 ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) echo "usage: vm.sh [-t SECONDS] [-m MiB] [-c CPUS] [-o OUTDIR] SCRIPT [ARG...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "vm.sh: no script" >&2; exit 2; }
script=$(realpath "$1"); shift
[ -f "$kernel" ] || { echo "vm.sh: no kernel at $kernel (make kernel)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "vm.sh: qemu-system-x86_64 missing" >&2; exit 1; }

own_out=
if [ -z "$outdir" ]; then
	outdir=$(mktemp -d /tmp/tdxtop-vm.XXXXXX)
	own_out=1
fi
mkdir -p "$outdir"
rm -f "$outdir/.exit-status" "$outdir/.cpus-short"
log=$outdir/console.log

# arguments reach the guest init through the kernel command line
args=""
for a in "$@"; do args="$args $(printf '%s' "$a" | base64 -w0)"; done

cmdline="console=ttyS0 root=hostroot rootfstype=9p ro panic=-1 quiet loglevel=4"
cmdline="$cmdline rootflags=trans=virtio,version=9p2000.L,msize=262144,multidevs=remap"
cmdline="$cmdline init=$top/tests/e2e/guest-init.sh tdxtop.script=$script"
cmdline="$cmdline tdxtop.top=$top tdxtop.args=$(echo $args | tr ' ' ,)"
cmdline="$cmdline tdxtop.output=${OUTPUT:-$top/build} tdxtop.cpus=$cpus"
# VM_APPEND: more kernel parameters (tests/kvm: the TSC's frequency)
[ -z "${VM_APPEND:-}" ] || cmdline="$cmdline $VM_APPEND"

qemu=(qemu-system-x86_64
	-machine q35 -accel tcg,thread=single -cpu max -smp "${VM_SMP:-$cpus,sockets=$cpus,cores=1}"
	-m "$mem"
	-kernel "$kernel" -append "$cmdline"
	-display none -monitor none -serial stdio -no-reboot -nic none
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	-fsdev local,id=out,path="$outdir",security_model=none
	-device virtio-9p-pci,fsdev=out,mount_tag=out)
set +e
if [ -n "$interactive" ]; then
	saved=$(stty -g)
	stty raw -echo
	timeout --foreground -k 10 "$timeout" "${qemu[@]}"
	rc=$?
	stty "$saved"
else
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null >"$log" 2>&1
	rc=$?
	tr -d '\r' <"$log"
fi
set -e
if [ $rc = 124 ]; then
	echo "vm.sh: timed out after ${timeout}s" >&2
	status=124
elif [ -f "$outdir/.cpus-short" ]; then
	echo "vm.sh: $(cat "$outdir/.cpus-short")" >&2
	status=126
elif [ -f "$outdir/.exit-status" ]; then
	status=$(cat "$outdir/.exit-status")
else
	echo "vm.sh: the VM did not report an exit status (QEMU exit $rc)" >&2
	status=125
fi
[ -n "$own_out" ] && rm -rf "$outdir"
exit "$status"
