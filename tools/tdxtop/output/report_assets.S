/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The HTML report's page, script and style (report.html, report.js,
 * report.css), embedded whole at build time: html.c writes them out, the
 * files themselves are what a JS or CSS tool checks.
 */
#define ASSET(name, file)			\
	.globl name;				\
	.type name, @object;			\
	.balign 16;				\
name:						\
	.incbin file;				\
	.globl name##_end;			\
name##_end:					\
	.byte 0

	.section .rodata
ASSET(tdxtop_report_html, "tools/tdxtop/output/report.html")
ASSET(tdxtop_report_js, "tools/tdxtop/output/report.js")
ASSET(tdxtop_report_css, "tools/tdxtop/output/report.css")

	.section .note.GNU-stack, "", @progbits
