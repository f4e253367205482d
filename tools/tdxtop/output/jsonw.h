/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A streaming JSON writer, bpftool's json_writer in spirit: each value goes
 * out as it comes, so an interval of 40,960 rows costs no tree of objects.
 * It writes into its own buffer, one stdio call per 16 KiB; the calls made
 * per value are inline, since -g all writes ~35 values per row.
 */
#ifndef __TDXTOP_JSONW_H
#define __TDXTOP_JSONW_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#define TDXTOP_JW_BUF	16384
/* the most one token but a string may need: a key, a number, indent */
#define TDXTOP_JW_TOKEN	256

struct tdxtop_jw {
	FILE *f;
	bool pretty;
	bool comma;		/* a value precedes in the current container */
	bool after_key;
	int depth;
	int err;		/* the first write error, as -errno */
	size_t len;
	char buf[TDXTOP_JW_BUF];
};

/**
 * tdxtop_jw_init() - start a writer on a stream
 * @w: the writer to set up
 * @f: the stream it writes to
 * @pretty: indent two spaces a level, one value a line (-p)
 */
void tdxtop_jw_init(struct tdxtop_jw *w, FILE *f, bool pretty);
/**
 * tdxtop_jw_flush() - write out what the buffer holds
 * @w: the writer
 *
 * A failed write is kept in @w->err (the first one only).
 */
void tdxtop_jw_flush(struct tdxtop_jw *w);
/**
 * tdxtop_jw_newline() - a line break and the indent of the current depth
 * @w: the writer
 */
void tdxtop_jw_newline(struct tdxtop_jw *w);
/**
 * tdxtop_jw_obj() - open an object
 * @w: the writer
 */
void tdxtop_jw_obj(struct tdxtop_jw *w);
/**
 * tdxtop_jw_arr() - open an array
 * @w: the writer
 */
void tdxtop_jw_arr(struct tdxtop_jw *w);
/**
 * tdxtop_jw_end_obj() - close the innermost object
 * @w: the writer
 */
void tdxtop_jw_end_obj(struct tdxtop_jw *w);
/**
 * tdxtop_jw_end_arr() - close the innermost array
 * @w: the writer
 */
void tdxtop_jw_end_arr(struct tdxtop_jw *w);
/**
 * tdxtop_jw_str() - a string of any bytes
 * @w: the writer
 * @s: NUL-terminated bytes, from anyone (VM names)
 *
 * Quote, backslash and every control, bidi and separator character that
 * could move a terminal are escaped; invalid UTF-8 becomes U+FFFD.
 */
void tdxtop_jw_str(struct tdxtop_jw *w, const char *s);
/**
 * tdxtop_jw_double() - the shortest text that reads back as a double
 * @w: the writer
 * @v: the value; NaN and infinities are written as null
 */
void tdxtop_jw_double(struct tdxtop_jw *w, double v);
/**
 * tdxtop_jw_null() - null
 * @w: the writer
 */
void tdxtop_jw_null(struct tdxtop_jw *w);
/**
 * tdxtop_jw_done() - end the outermost value: a newline, and out to the stream
 * @w: the writer
 *
 * Return: 0, or the first write error as a negative errno.
 */
int tdxtop_jw_done(struct tdxtop_jw *w);

/**
 * tdxtop_jw_sep() - room for a token, then the separator before a key or value
 * @w: the writer
 */
static inline void tdxtop_jw_sep(struct tdxtop_jw *w)
{
	if (w->len + TDXTOP_JW_TOKEN > TDXTOP_JW_BUF)
		tdxtop_jw_flush(w);
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->comma)
		w->buf[w->len++] = ',';
	if (w->pretty && w->depth)
		tdxtop_jw_newline(w);
}

/*
 * key: this program's own ASCII name (under 200 bytes), written as it is;
 * n its length (a constant for a literal: the copy is then inline)
 */
#define tdxtop_jw_key(w, key)	tdxtop_jw_key_n(w, key, __builtin_strlen(key))

/**
 * tdxtop_jw_key_n() - an object key of this program's own
 * @w: the writer
 * @key: ASCII, under 200 bytes, written as it is
 * @n: its length
 */
static inline void tdxtop_jw_key_n(struct tdxtop_jw *w, const char *key, size_t n)
{
	char *p;

	tdxtop_jw_sep(w);
	p = w->buf + w->len;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	if (w->pretty)
		*p++ = ' ';
	w->len = p - w->buf;
	w->after_key = true;
	w->comma = true;
}

extern const char tdxtop_jw_digits[200];	/* "00" "01" ... "99" */

/**
 * tdxtop_jw_format_u64() - the decimal digits of a number, written backwards
 * @end: where the digits end
 * @v: the number
 *
 * Return: where the digits start.
 */
static inline char *tdxtop_jw_format_u64(char *end, __u64 v)
{
	while (v >= 100) {	/* two digits a division */
		end -= 2;
		memcpy(end, &tdxtop_jw_digits[(v % 100) * 2], 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, &tdxtop_jw_digits[v * 2], 2);
	} else {
		*--end = '0' + v;
	}
	return end;
}

/**
 * tdxtop_jw_u64() - an unsigned number
 * @w: the writer
 * @v: the number
 */
static inline void tdxtop_jw_u64(struct tdxtop_jw *w, __u64 v)
{
	char tmp[40], *t;	/* digits end at tmp + 20 */

	tdxtop_jw_sep(w);
	t = tdxtop_jw_format_u64(tmp + 20, v);
	/* a constant 20 bytes (the token's room): an inline copy, not a call */
	memcpy(w->buf + w->len, t, 20);
	w->len += tmp + 20 - t;
	w->comma = true;
}

/*
 * "key": v in one go: most of a row's tokens are such pairs, and one
 * separator and one room check per pair instead of two is measurable
 */
#define tdxtop_jw_kv_u64(w, key, v) \
	tdxtop_jw_kv_u64_n(w, key, __builtin_strlen(key), v)

/**
 * tdxtop_jw_kv_u64_n() - a key and an unsigned number in one go
 * @w: the writer
 * @key: ASCII, under 200 bytes
 * @n: its length
 * @v: the number
 *
 * Most of a row's tokens are such pairs: one separator and one room check
 * per pair instead of two.
 */
static inline void tdxtop_jw_kv_u64_n(struct tdxtop_jw *w, const char *key, size_t n,
				      __u64 v)
{
	char tmp[40], *t, *p;

	tdxtop_jw_sep(w);
	p = w->buf + w->len;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	if (w->pretty)
		*p++ = ' ';
	t = tdxtop_jw_format_u64(tmp + 20, v);
	memcpy(p, t, 20);
	p += tmp + 20 - t;
	w->len = p - w->buf;
	w->comma = true;
}

/**
 * tdxtop_jw_s64() - a signed number
 * @w: the writer
 * @v: the number
 */
static inline void tdxtop_jw_s64(struct tdxtop_jw *w, __s64 v)
{
	if (v >= 0) {
		tdxtop_jw_u64(w, v);
		return;
	}
	tdxtop_jw_sep(w);
	w->buf[w->len++] = '-';
	w->after_key = true;	/* the digits follow without a separator */
	tdxtop_jw_u64(w, -(__u64)v);
}

#endif /* __TDXTOP_JSONW_H */
