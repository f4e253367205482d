// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The JSON writer's out-of-line half (jsonw.h has the rest).  Strings may
 * hold any bytes (VM names are chosen by other processes): quotes,
 * backslashes, and the characters that change how text is shown (C0 and
 * C1 controls, bidi overrides: tdxtop_cp_unsafe()) are escaped, and what is
 * not valid UTF-8 becomes U+FFFD, so every line parses and no consumer
 * that prints a value shows a hidden control.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "output/output.h"

const char tdxtop_jw_digits[200] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void tdxtop_jw_init(struct tdxtop_jw *w, FILE *f, bool pretty)
{
	w->f = f;
	w->pretty = pretty;
	w->comma = false;
	w->after_key = false;
	w->depth = 0;
	w->err = 0;
	w->len = 0;
}

void tdxtop_jw_flush(struct tdxtop_jw *w)
{
	if (w->len && fwrite_unlocked(w->buf, 1, w->len, w->f) != w->len && !w->err)
		w->err = errno ? -errno : -EIO;
	w->len = 0;
}

/* n bytes of s, through the buffer */
static void out_n(struct tdxtop_jw *w, const char *s, size_t n)
{
	while (n) {
		size_t room = TDXTOP_JW_BUF - w->len, k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == TDXTOP_JW_BUF)
			tdxtop_jw_flush(w);
	}
}

void tdxtop_jw_newline(struct tdxtop_jw *w)
{
	int i;

	out_n(w, "\n", 1);
	for (i = 0; i < w->depth; i++)
		out_n(w, "  ", 2);
}

static void open_c(struct tdxtop_jw *w, char c)
{
	tdxtop_jw_sep(w);
	w->buf[w->len++] = c;
	w->depth++;
	w->comma = false;
}

static void close_c(struct tdxtop_jw *w, char c)
{
	w->depth--;
	if (w->pretty && w->comma)
		tdxtop_jw_newline(w);
	out_n(w, &c, 1);
	w->comma = true;
}

void tdxtop_jw_obj(struct tdxtop_jw *w)
{
	open_c(w, '{');
}

void tdxtop_jw_arr(struct tdxtop_jw *w)
{
	open_c(w, '[');
}

void tdxtop_jw_end_obj(struct tdxtop_jw *w)
{
	close_c(w, '}');
}

void tdxtop_jw_end_arr(struct tdxtop_jw *w)
{
	close_c(w, ']');
}

/* 1: a byte that goes into a JSON string as it is (printable ASCII) */
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,	/* not " \\ */
};

void tdxtop_jw_str(struct tdxtop_jw *w, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	char *p;

	tdxtop_jw_sep(w);
	/* the common case: short printable ASCII, straight into the buffer */
	p = w->buf + w->len;
	*p++ = '"';
	for (n = 0; n < TDXTOP_JW_TOKEN - 2 && plain[s[n]]; n++)
		*p++ = s[n];
	if (!s[n]) {
		*p++ = '"';
		w->len = p - w->buf;
		w->comma = true;
		return;
	}
	w->len++;	/* the quote; the rest, escaped */
	n = strlen(str);
	while (n) {
		size_t run = 0;
		__u32 cp;
		int len;

		/* the common case: a run of printable ASCII, copied at once */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f &&
		       s[run] != '"' && s[run] != '\\')
			run++;
		if (run) {
			out_n(w, (const char *)s, run);
			s += run;
			n -= run;
			continue;
		}
		len = tdxtop_utf8_decode(s, n, &cp);
		if (!len) {			/* not UTF-8: U+FFFD */
			out_n(w, "\\ufffd", 6);
			len = 1;
		} else if (cp == '"' || cp == '\\') {
			char e[2] = { '\\', (char)cp };

			out_n(w, e, 2);
		} else if (cp == '\n') {
			out_n(w, "\\n", 2);
		} else if (cp == '\t') {
			out_n(w, "\\t", 2);
		} else if (tdxtop_cp_unsafe(cp)) {
			char e[6] = { '\\', 'u', hex[cp >> 12], hex[(cp >> 8) & 15],
				      hex[(cp >> 4) & 15], hex[cp & 15] };

			out_n(w, e, sizeof(e));
		} else {
			out_n(w, (const char *)s, len);
		}
		s += len;
		n -= len;
	}
	out_n(w, "\"", 1);
	w->comma = true;
}

void tdxtop_jw_double(struct tdxtop_jw *w, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		tdxtop_jw_null(w);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	tdxtop_jw_sep(w);
	out_n(w, buf, strlen(buf));
	w->comma = true;
}

void tdxtop_jw_null(struct tdxtop_jw *w)
{
	tdxtop_jw_sep(w);
	out_n(w, "null", 4);
	w->comma = true;
}

int tdxtop_jw_done(struct tdxtop_jw *w)
{
	out_n(w, "\n", 1);
	tdxtop_jw_flush(w);
	w->comma = false;
	return w->err;
}
