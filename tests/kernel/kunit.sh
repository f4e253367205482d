#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The series' TD enter/exit path, executed: the KUnit suite of
# tests/kernel/kunit (test build only, never in kernel/patches) in a kernel
# of its own (scripts/kernel.sh kunit), booted under QEMU (TCG, two CPUs).
# The suite runs at boot; its KTAP output is read from the console and each
# of its test cases (each parameter of a parameterised one) is one point
# here.  What the suite does not execute, and why: docs/testing.md.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	plan 1
	skip "needs root (the build mounts in a private namespace)"
	exit 0
fi
log=$OUTPUT/kunit-build.log
mkdir -p "$OUTPUT"
start=$(date +%s)
if ! "$top/scripts/kernel.sh" kunit >"$log" 2>&1; then
	plan 1
	fail "the KUnit test kernel builds"
	tail -20 "$log" | sed 's/^/# /'
	exit 1
fi
build_s=$(( $(date +%s) - start ))
diags=$(grep -c . "$TDXTOP_CACHE/kunit/build/.tdxtop-diag.log" 2>/dev/null)

console=$OUTPUT/kunit-console.log
start=$(date +%s)
timeout --foreground -k 10 900 qemu-system-x86_64 \
	-machine q35 -accel tcg,thread=single -cpu max -smp 2,sockets=2,cores=1 -m 512 \
	-kernel "$TDXTOP_CACHE/kunit/bzImage" \
	-append "console=ttyS0 kunit.filter_glob=tdx_enter_exit kunit_shutdown=reboot panic=-1" \
	-nographic -no-reboot </dev/null 2>&1 | tr -d '\r' >"$console"
rc=${PIPESTATUS[0]}
boot_s=$(( $(date +%s) - start ))

# KTAP -> one TAP point per case: "ok N name # SKIP why" at 4 spaces is a
# case, at 8 a parameter of the case whose "# Subtest:" came before (the
# case's own line then sums them up and is not counted again)
ktap=$OUTPUT/kunit.tap
awk '
	/^        # Subtest: / { sub(/^ +# Subtest: /, ""); param = $0; next }
	/^        (not )?ok [0-9]+ / {
		s = $0; sub(/^ +/, "", s)
		bad = s ~ /^not /; sub(/^(not )?ok [0-9]+ /, "", s)
		print (bad ? "not ok" : "ok"), param ": " s; kids = 1; next
	}
	/^    (not )?ok [0-9]+ / {
		s = $0; sub(/^ +/, "", s)
		bad = s ~ /^not /; sub(/^(not )?ok [0-9]+ /, "", s)
		if (!kids) print (bad ? "not ok" : "ok"), s
		kids = 0; param = ""; next
	}
	/^ +# .*(EXPECTATION|ASSERTION) FAILED|^ +# .*(runs|Expected|  )/ { print "#", $0 }
' "$console" >"$ktap"
total=$(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\) skip:\([0-9]*\) total:\([0-9]*\)$/\4/p' "$console")
cases=$(grep -cE '^(not )?ok ' "$ktap")

plan $((cases + 4))
is "${diags:-missing}" 0 "the KUnit test kernel builds, no warning, objtool clean (${build_s}s)"
[ "${diags:-0}" = 0 ] || sed 's/^/# /' "$TDXTOP_CACHE/kunit/build/.tdxtop-diag.log" | head -10
is "$rc $(grep -c '^KTAP version' "$console")" "0 1" \
	"the test kernel boots under QEMU TCG (2 CPUs), runs the suite and reboots (${boot_s}s)"
[ "$rc" = 0 ] || tail -20 "$console" | sed 's/^/# /'
is "$cases" "${total:-none}" "KTAP's totals count every case read here ($cases)"
letter=$(tr '\n' ' ' <"$top/kernel/cover-letter.txt" | grep -o 'Its [0-9]* cases' | grep -o '[0-9]*')
is "${letter:-none}" "$cases" "the cover letter states the suite's number of cases"
while IFS= read -r line; do
	case $line in
	"#"*)	echo "$line" ;;
	*" # SKIP"*)
		skip "tdx_enter_exit: ${line#ok }" ;;
	"not ok "*)
		fail "tdx_enter_exit: ${line#not ok }" ;;
	"ok "*)	pass "tdx_enter_exit: ${line#ok }" ;;
	esac
done <"$ktap"
done_testing
