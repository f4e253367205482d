/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Minimal TAP producer for the C tests */
#ifndef __TDXTOP_TAP_H
#define __TDXTOP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_plan(int n)
{
	printf("1..%d\n", n);
}

static int __attribute__((format(printf, 2, 3))) ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static void __attribute__((format(printf, 1, 2), unused)) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void __attribute__((format(printf, 2, 3), unused)) skip(int n, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	while (n-- > 0)
		printf("ok %d # SKIP %s\n", ++tap_n, why);
	fflush(stdout);
}

#define is_u64(got, want, ...) ({					\
	unsigned long long __g = (got), __w = (want);			\
	int __r = ok(__g == __w, __VA_ARGS__);				\
	if (!__r)							\
		diag("got %llu, want %llu", __g, __w);			\
	__r; })

#define is_str(got, want, ...) ({					\
	const char *__g = (got), *__w = (want);				\
	int __r = ok(__g && !strcmp(__g, __w), __VA_ARGS__);		\
	if (!__r)							\
		diag("got \"%s\", want \"%s\"", __g ? __g : "(null)", __w);	\
	__r; })

static int tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif
