# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Helpers for the scripts that run inside the test VM (tests/e2e/vm.sh).

# links [PATTERN]: how many BPF links match PATTERN in bpftool's list
# (raw_tracepoint links to tdx_vp_enter)
links() { bpftool link show 2>/dev/null | grep -c "${1:-tp 'tdx_vp_enter'}"; }

# wait_links N [PATTERN]: until N such links exist (at most 120 s)
wait_links() {
	local i
	for i in $(seq 600); do
		[ "$(links "${2:-tp 'tdx_vp_enter'}")" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# _gone PID: the child has exited (a zombie not yet waited for counts)
_gone() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}

# stop_wait SIGNAL SECONDS PID...: send SIGNAL to the children and reap each.
# One still running SECONDS later is described on the console (state, signal
# masks, each thread's wait channel and kernel stack), so that a hang in a
# test VM says where it is instead of running into the VM's timeout, and is
# then killed.  Returns 1 if any had to be killed.
stop_wait() {
	local sig=$1 secs=$2 p i t rc=0
	shift 2
	kill -"$sig" "$@" 2>/dev/null
	for p in "$@"; do
		for i in $(seq $((secs * 5))); do
			_gone "$p" && break
			sleep 0.2
		done
		if ! _gone "$p"; then
			echo "guest: pid $p ($(cat "/proc/$p/comm")) still runs ${secs}s after SIG$sig"
			grep -E '^(State|Threads|SigQ|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt):' "/proc/$p/status"
			for t in /proc/"$p"/task/*; do
				echo "guest: task ${t##*/} ($(cat "$t/comm")) in $(cat "$t/wchan")"
				sed 's/^/guest:   /' "$t/stack"
			done
			kill -KILL "$p"
			rc=1
		fi
		wait "$p" 2>/dev/null
	done
	return $rc
}

# load_workload WL: the injector module loaded and given workload WL
# (tests/e2e/workloads); says why not with the caller's say()
load_workload() {
	insmod "$OUTPUT/kmod/tdx_inject.ko" || { say "insmod failed"; return 1; }
	cat "$1" >/sys/kernel/debug/tdx_inject/workload || { say "workload refused"; return 1; }
}
