// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Text that other processes control (VM names come from their command
 * lines and comm) on its way to a terminal: a fixed-width cell with only
 * printable characters.  JSON has its own escaping (jsonw.c).
 */
#include <langinfo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "output/output.h"

/*
 * Length of the UTF-8 sequence at s (at most n bytes) and its code point,
 * or 0 when it is not valid UTF-8 (overlong, surrogate, > U+10FFFF, cut).
 */
int tdxtop_utf8_decode(const unsigned char *s, size_t n, __u32 *cp)
{
	int len, i;
	__u32 c;

	if (!n)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool tdxtop_cp_unsafe(__u32 c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	       c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 ||
	       c == 0xfeff;
}

static int utf8_locale = -1;

static bool locale_is_utf8(void)
{
	if (utf8_locale < 0) {
		const char *cs = nl_langinfo(CODESET);

		utf8_locale = cs && !strcmp(cs, "UTF-8");
	}
	return utf8_locale;
}

size_t tdxtop_text_cell(char *dst, const char *src, int width)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), o = 0;
	int cols = 0;

	while (n && cols < width) {
		__u32 cp;
		int len = tdxtop_utf8_decode(s, n, &cp), w = 1;

		if (!len) {
			len = 1;
			cp = '?';
		} else if (tdxtop_cp_unsafe(cp) || (cp >= 0x80 && !locale_is_utf8())) {
			cp = '?';
		} else if (cp >= 0x80) {
			w = wcwidth((wchar_t)cp);
			/* zero-width and unknown characters: visible, bounded */
			if (w <= 0) {
				cp = '?';
				w = 1;
			}
		}
		if (cols + w > width)
			break;
		if (cp == '?' || cp < 0x80)
			dst[o++] = cp;
		else {
			memcpy(dst + o, s, len);
			o += len;
		}
		cols += w;
		s += len;
		n -= len;
	}
	while (cols++ < width)
		dst[o++] = ' ';
	dst[o] = '\0';
	return o;
}

/*
 * A Prometheus / OpenMetrics label value: backslash, double quote and
 * newline escaped as the exposition formats say; other characters that
 * move a terminal (control, bidirectional) and invalid UTF-8 become U+FFFD,
 * so that what a scraper stores and a dashboard shows is valid UTF-8 that
 * draws as itself.
 */
size_t tdxtop_label_value(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), o = 0;

	while (n) {
		__u32 cp;
		int len = tdxtop_utf8_decode(s, n, &cp);
		const char *rep = NULL;
		size_t rn;

		if (len == 1 && (cp == '\\' || cp == '"'))
			rep = cp == '\\' ? "\\\\" : "\\\"";
		else if (len == 1 && cp == '\n')
			rep = "\\n";
		else if (!len || tdxtop_cp_unsafe(cp))
			rep = "\xef\xbf\xbd";
		if (!len)
			len = 1;
		rn = rep ? strlen(rep) : (size_t)len;
		if (o + rn >= cap)
			break;
		memcpy(dst + o, rep ? rep : (const char *)s, rn);
		o += rn;
		s += len;
		n -= len;
	}
	if (cap)
		dst[o] = '\0';
	return o;
}
