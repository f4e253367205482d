// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The JSON writer (jsonw.c, jsonw.h) through its API: the exact text of
 * strings holding every kind of byte a VM name may hold, numbers at their
 * limits, nesting and pretty printing, and a string longer than the buffer.
 */
#include <stdlib.h>
#include <string.h>
#include "output/output.h"
#include "../tap.h"

static struct tdxtop_jw w;

/* What write(arg) wrote through w into memory (the previous result freed) */
static char *capture(void (*write)(const void *arg, bool pretty), const void *arg, bool pretty)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	tdxtop_jw_init(&w, f, pretty);
	write(arg, pretty);
	fclose(f);
	return buf;
}

static void write_str(const void *s, bool pretty)
{
	tdxtop_jw_str(&w, s);
	tdxtop_jw_flush(&w);
}

/* What tdxtop_jw_str() writes for s */
static char *str_json(const char *s)
{
	return capture(write_str, s, false);
}

static void is_json_str(const char *in, const char *want, const char *what)
{
	const char *got = str_json(in);

	if (!ok(!strcmp(got, want), "%s", what))
		diag("got %s, want %s", got, want);
}

static void test_strings(void)
{
	char c0[40], want[400], *p = want;
	int i;

	is_json_str("td-alpha", "\"td-alpha\"", "printable ASCII as it is");
	is_json_str("q\"b\\s/", "\"q\\\"b\\\\s/\"", "quote and backslash escaped, slash not");
	is_json_str("a\nb\tc", "\"a\\nb\\tc\"", "newline and tab by their short escapes");
	for (i = 1; i < 0x20; i++)
		c0[i - 1] = i == '\n' || i == '\t' ? ' ' : i;
	c0[0x1f] = 0x7f;
	c0[0x20] = '\0';
	*p++ = '"';
	for (i = 1; i < 0x20; i++)
		p += i == '\n' || i == '\t' ? sprintf(p, " ") : sprintf(p, "\\u%04x", i);
	p += sprintf(p, "\\u007f\"");
	is_json_str(c0, want, "every other C0 control and DEL as \\u00XX");
	is_json_str("\xc2\x80\xc2\x9b[2J\xc2\x9f", "\"\\u0080\\u009b[2J\\u009f\"",
	       "C1 controls (U+0080, CSI U+009B, U+009F) as \\u00XX");
	is_json_str("x\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9y",
	       "\"x\\u202a\\u202e\\u2066\\u2069y\"",
	       "bidi embeddings, overrides and isolates as \\u20XX");
	is_json_str("\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf",
	       "\"\\u200e\\u200f\\u2028\\u2029\\ufeff\"",
	       "LRM/RLM, line and paragraph separators, BOM as \\uXXXX");
	is_json_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\"",
	       "other UTF-8 (2, 3 and 4 bytes) as it is");
	is_json_str("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82",
	       "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\"",
	       "invalid, overlong, surrogate and cut sequences: U+FFFD a byte");
}

static void test_long(void)
{
	size_t n = 3 * TDXTOP_JW_BUF + 17, i;
	char *s = malloc(n + 1);
	const char *got;
	bool same = true;

	for (i = 0; i < n; i++)
		s[i] = i % 97 == 0 ? '\x1b' : 'a' + i % 26;
	s[n] = '\0';
	got = str_json(s);
	same = *got++ == '"';
	for (i = 0; i < n && same; i++, got++) {
		if (s[i] == '\x1b') {
			same = !strncmp(got, "\\u001b", 6);
			got += 5;
		} else {
			same = *got == s[i];
		}
	}
	ok(same && !strcmp(got, "\""),
	   "a string of 3 buffers and more, escapes on buffer edges, written whole");
	free(s);
}

static void write_doc(const void *unused, bool pretty)
{
	tdxtop_jw_obj(&w);
	tdxtop_jw_kv_u64(&w, "max", ~0ULL);
	tdxtop_jw_key(&w, "neg");
	tdxtop_jw_s64(&w, -9223372036854775807LL - 1);
	tdxtop_jw_key(&w, "d");
	tdxtop_jw_arr(&w);
	tdxtop_jw_double(&w, 0.1);
	tdxtop_jw_double(&w, 1.0 / 3);
	tdxtop_jw_double(&w, 1.0 / 0.0);
	tdxtop_jw_null(&w);
	tdxtop_jw_end_arr(&w);
	tdxtop_jw_key(&w, "o");
	tdxtop_jw_obj(&w);
	tdxtop_jw_end_obj(&w);
	tdxtop_jw_end_obj(&w);
	ok(!tdxtop_jw_done(&w), "done without an error (%s)", pretty ? "pretty" : "compact");
}

static char *doc(bool pretty)
{
	return capture(write_doc, NULL, pretty);
}

static void test_doc(void)
{
	const char *compact = "{\"max\":18446744073709551615,\"neg\":-9223372036854775808,"
			      "\"d\":[0.1,0.33333333333333331,null,null],\"o\":{}}\n";
	const char *pretty = "{\n  \"max\": 18446744073709551615,\n"
			     "  \"neg\": -9223372036854775808,\n  \"d\": [\n    0.1,\n"
			     "    0.33333333333333331,\n    null,\n    null\n  ],\n"
			     "  \"o\": {}\n}\n";
	const char *got = doc(false);

	if (!ok(!strcmp(got, compact), "u64 and s64 limits, doubles that read back, "
		"infinity as null, empty object"))
		diag("got %s", got);
	got = doc(true);
	if (!ok(!strcmp(got, pretty), "-p: two spaces a level, one value a line"))
		diag("got %s", got);
}

int main(void)
{
	tap_plan(14);
	test_strings();
	test_long();
	test_doc();
	return tap_done();
}
