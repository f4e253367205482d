#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The straight-line path of FUNC in OBJECT (vmlinux or a .o), as the CPU runs
# it with every static branch disabled: every path from the entry, through
# the call to THROUGH, to a return.  Jump-label sites are NOPs and fall
# through; jumps are followed, both ways at a conditional jump; paths into
# ud2/int3 (WARN, BUG) are left out.
#
# Prints one line per path, "core N mem N rdtsc N nops N" (core: the
# instructions that are not NOPs) and, with -v, the longest path.  In a .o,
# a call to the section .noinstr.text stands for THROUGH (a static noinstr
# function is named by its section there).
# mem counts instructions that touch memory: a memory operand (not lea, not
# a NOP) or the stack (push, pop, call, ret).
#
# Usage: hotpath-path.sh [-v] OBJECT FUNC THROUGH
set -eu
verbose=0
[ "${1:-}" = -v ] && { verbose=1; shift; }
obj=$1 func=$2 through=$3

# static-branch sites: in a .o still "jmp"s, named by __jump_table's
# relocations (entries of 16 bytes: code, target, key); in vmlinux, NOPs
sites=$(objdump -r -j __jump_table "$obj" 2>/dev/null |
	awk '$2 ~ /PC32/ && $3 ~ /^\.text\+0x/ && $1 ~ /0$/ {
		v = $3; sub(/^\.text\+0x/, "", v); print v }' | tr '\n' ' ')

objdump -dr --no-show-raw-insn "$obj" --disassemble="$func" |
awk -v func_="$func" -v through="$through" -v verbose=$verbose -v sites="$sites" '
# low 24 bits only: awk numbers are doubles and mawk subscripts above 2^31
# become "%.6g" strings; a function is far smaller than 16 MiB
function hex(s,   i, c, v) {
	v = 0
	s = tolower(s)
	if (length(s) > 6)
		s = substr(s, length(s) - 5)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		v = v * 16 + c
	}
	return v
}
BEGIN { ns = split(sites, sa, " "); for (k = 1; k <= ns; k++) site[hex(sa[k])] = 1 }
$0 ~ ("^[0-9a-f]+ <" func_ ">:$") { infn = 1; next }
# relocations, attached below to the instruction holding their offset
/^\t+[0-9a-f]+: R_X86_64_/ {
	r = $0; sub(/.*R_X86_64_[A-Z0-9_]+[ \t]+/, "", r); sub(/[-+]0x[0-9a-f]+$/, "", r)
	o = $1; sub(/:$/, "", o)
	nr++; roff[nr] = hex(o); rsym[nr] = r
	next
}
infn && /^[0-9a-f]+ </ { infn = 0 }
infn && /^ *[0-9a-f]+:\t/ {
	split($0, p, "\t")
	a = p[1]; gsub(/[ :]/, "", a)
	ins = p[2]
	sub(/ +#.*/, "", ins)
	n++
	addr[n] = hex(a)
	idx[hex(a)] = n
	text[n] = ins
}
function mnem(i,   m) { m = text[i]; sub(/ .*/, "", m); return m }
function target(i,   t) {
	t = text[i]
	if (t !~ /^[a-z]+ +[0-9a-f]+ </)
		return -1
	sub(/^[a-z]+ +/, "", t); sub(/ .*/, "", t)
	return (hex(t) in idx) ? idx[hex(t)] : -2
}
function is_ret(i,   m, t) {
	m = mnem(i)
	if (m ~ /^ret/) return 1
	t = text[i]
	return m == "jmp" && t ~ /<__x86_return_thunk>/
}
function is_nop(i) {
	return mnem(i) ~ /^nop/ || text[i] ~ /^xchg +%ax,%ax$/ || (addr[i] in site)
}
function touches_mem(i,   m) {
	m = mnem(i)
	return m ~ /^(push|pop|call|ret)/ || (m != "lea" && text[i] ~ /\(/)
}
# every path with every static branch disabled: from i, through THROUGH, to
# a return; prints "core N mem N rdtsc N nops N" per path (core: non-NOPs)
function walk(i, seen, core, mem, rd, nops,   m, t) {
	if (i < 1 || i > n || (i in onpath) || npaths > 100000)
		return
	m = mnem(i)
	if (m == "ud2" || m == "int3")
		return
	onpath[i] = 1
	if (is_nop(i)) {
		walk(i + 1, seen, core, mem, rd, nops + 1)
	} else {
		core++
		if (touches_mem(i)) mem++
		if (m ~ /^rdtsc/) rd++
		if (is_ret(i)) {
			if (seen) {
				npaths++
				printf "core %d mem %d rdtsc %d nops %d\n", core, mem, rd, nops
				if (core > best) { best = core; for (k in onpath) bestp[k] = 1 }
			}
		} else if (m == "jmp") {
			t = target(i)
			if (t > 0) walk(t, seen, core, mem, rd, nops)
		} else if (m ~ /^j/) {
			walk(i + 1, seen, core, mem, rd, nops)
			t = target(i)
			if (t > 0) walk(t, seen, core, mem, rd, nops)
		} else {
			# in a .o a static noinstr callee is named by its section
			if (m ~ /^call/ && (index(text[i], "<" through ">") ||
					    index(text[i], "<.noinstr.text>")))
				seen = 1
			walk(i + 1, seen, core, mem, rd, nops)
		}
	}
	delete onpath[i]
}
END {
	if (!n) { print "no function " func_ > "/dev/stderr"; exit 2 }
	for (k = 1; k <= nr; k++)
		for (a = roff[k]; a > roff[k] - 16; a--)
			if (a in idx) { text[idx[a]] = text[idx[a]] " <" rsym[k] ">"; break }
	walk(1, 0, 0, 0, 0, 0)
	if (!npaths) { print "no path through " through > "/dev/stderr"; exit 3 }
	if (verbose)
		for (i = 1; i <= n; i++)
			if (i in bestp)
				printf "# %x\t%s%s\n", addr[i], text[i], is_nop(i) ? "\t(NOP)" : ""
}
'
