#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Faults around the real tdxtop in the test VM (tests/hardening/guest-faults.sh):
# once attached, live, record and serve hold no capability and still count
# exactly what the hist trigger counted; a link detach is refused by the
# kernel and changes nothing; `tdxtop -j | head -1` is quiet, status 0; each
# stop signal in each mode leaves no link behind, with the status it should
# (128 + 9 for SIGKILL) and a recording that opens; a recording on a
# read-only file system is one line naming the file, status 1.
. "$(dirname "$0")/../lib.sh"
vm_test 18 faults-vm tests/hardening/guest-faults.sh faults "the fault cases" || exit 0

c=$out/caps
for m in live record serve; do
	is "$(grep "^$m Cap\(Eff\|Prm\)" "$c/caps.txt" 2>/dev/null | tr '\n' ' ')" \
		"$m CapPrm:0000000000000000 $m CapEff:0000000000000000 " \
		"$m, attached: no capability left (effective, permitted)"
done
hits=$(cat "$c/hits" 2>/dev/null)
is "$(grep -c 'Operation not supported' "$c/detach.txt" 2>/dev/null):$(cat "$c/detach.rc" 2>/dev/null | grep -vc '^0$'):$(cat "$c/links-after-detach" 2>/dev/null)" \
	"1:1:3" "bpftool link detach of a tdxtop link: refused (EOPNOTSUPP), the 3 links stay"
is "$(cat "$c/serve-exits" 2>/dev/null)" "$hits" "serve without capabilities: exits equal the hist trigger's ($hits)"
is "$(jq -s '[.[].rows[] | select(.kind == "exit") | .count] | add' "$c/live.json" 2>/dev/null)" \
	"$hits" "live -j without capabilities: exits equal the hist trigger's"
is "$(jq '[.rows[] | select(.kind == "exit") | .count] | add' "$c/record.json" 2>/dev/null)" \
	"$hits" "record without capabilities: exits equal the hist trigger's"
is "$(cat "$c/live.rc" "$c/record.rc" "$c/serve.rc" 2>/dev/null | tr '\n' ' ')" "0 0 0 " \
	"SIGINT: live, record and serve exit 0"

p=$out/pipe
is "$(cat "$p/rc" 2>/dev/null):$(wc -c <"$p/err" 2>/dev/null)" "0:0" \
	"tdxtop -j | head -1: status 0, nothing on stderr"
check "... and the line read is a JSON interval" jq -e .interval_s "$p/line"

s=$out/signals
for mode in live record serve; do
	got= want=
	for sig in INT TERM HUP KILL; do
		got="$got$sig:$(cat "$s/$mode-$sig.rc" 2>/dev/null)/$(cat "$s/$mode-$sig.links" 2>/dev/null) "
		want="$want$sig:$([ $sig = KILL ] && echo 137 || echo 0)/0 "
	done
	is "$got" "$want" "$mode: SIGINT/TERM/HUP exit 0, SIGKILL 137; no link left behind"
done
rep=
for sig in INT TERM HUP KILL; do rep="$rep$(cat "$s/record-$sig.report-rc" 2>/dev/null)"; done
is "$rep" "0000" "record stopped by each signal, SIGKILL too: the recording opens"
bad=$(cat "$s"/*.err 2>/dev/null | grep -v '^\[ tdxtop record: ' | grep -v '^tdxtop serve: metrics at ')
is "$bad" "" "no error printed on any stop"

r=$out/ro
is "$(cat "$r/rc" 2>/dev/null):$(wc -l <"$r/stderr" 2>/dev/null):$(cat "$r/links" 2>/dev/null)" "1:1:0" \
	"a recording on a read-only file system: status 1, one line, no link left"
check "the line names the file: $(cat "$r/stderr" 2>/dev/null)" grep -q '^tdxtop: /mnt/ro/r.db: ' "$r/stderr"
[ "$_failed" = 0 ] || tail -20 "$out/vm.log" | sed 's/^/# /'
done_testing
