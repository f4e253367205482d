// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/sanitize.c through its API: untrusted text (VM names) as a text
 * cell of fixed columns and as a Prometheus label value; the UTF-8 decoder
 * and the code points every output keeps out
 */
#include <locale.h>
#include "output/output.h"
#include "../tap.h"

static void test_cells(void)
{
	char cell[TDXTOP_CELL_SIZE(8)];

	/* the locale is read once, as tdxtop sets it once at its start */
	setlocale(LC_CTYPE, "C.UTF-8");
	tdxtop_text_cell(cell, "\x1b[2J\x1b[31mred", 8);
	is_str(cell, "?[2J?[31", "escape sequences: ESC shown as '?', 8 columns");
	tdxtop_text_cell(cell, "a\nb\tc\x7f\xff", 8);
	is_str(cell, "a?b?c?? ", "newline, tab, DEL, invalid byte: '?', padded");
	tdxtop_text_cell(cell, "t\xc3\xa9st\xe2\x80\xaeok", 8);
	is_str(cell, "t\xc3\xa9st?ok ",
	       "UTF-8 locale: e-acute kept as one column, a bidi override is '?'");
	tdxtop_text_cell(cell, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 8);
	is_str(cell, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5",
	       "wide characters: four of two columns fill 8, cut at a character");
	tdxtop_text_cell(cell, "abcdefg\xe6\x97\xa5", 8);
	is_str(cell, "abcdefg ", "a wide character that would pass column 8: left out, padded");
	is_u64(tdxtop_text_cell(cell, "a\xcc\x81", 8), 8,
	       "a combining mark (zero width) is '?': 8 bytes for 8 columns");
	tdxtop_text_cell(cell, "", 8);
	is_str(cell, "        ", "empty: 8 spaces");
}

static void test_labels(void)
{
	char v[TDXTOP_LABEL_SIZE];
	char small[8];

	tdxtop_label_value(v, sizeof(v), "a\"b\\c\nd");
	is_str(v, "a\\\"b\\\\c\\nd", "quote, backslash, newline escaped as the format says");
	tdxtop_label_value(v, sizeof(v), "x\x1b[0m\xe2\x80\xae\xff\xc3\xa9");
	is_str(v, "x\xef\xbf\xbd[0m\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9",
	       "ESC, bidi override, invalid byte: U+FFFD; e-acute kept");
	is_u64(tdxtop_label_value(small, sizeof(small), "abc\"\"\""), 7,
	       "8 bytes: cut before the escape that does not fit");
	is_str(small, "abc\\\"\\\"", "whole escapes only, terminated");
}

static void test_utf8(void)
{
	static const struct {
		const char *s;
		int len;
		__u32 cp;
	} cases[] = {
		{ "A", 1, 'A' }, { "\xc3\xa9", 2, 0xe9 }, { "\xe2\x82\xac", 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 }, { "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "\xc0\x80", 0, 0 }, { "\xe0\x80\x80", 0, 0 }, { "\xed\xa0\x80", 0, 0 },
		{ "\xf4\x90\x80\x80", 0, 0 }, { "\xe2\x82", 0, 0 }, { "\x80", 0, 0 },
	};
	size_t i, good = 0;
	__u32 cp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int len = tdxtop_utf8_decode((const unsigned char *)cases[i].s,
					     strlen(cases[i].s), &cp);

		good += len == cases[i].len && (!len || cp == cases[i].cp);
	}
	is_u64(good, 11, "UTF-8: 1 to 4 bytes to U+10FFFF decode; overlong, surrogate, "
	       "past U+10FFFF, cut and stray bytes do not");
	ok(tdxtop_cp_unsafe(0) && tdxtop_cp_unsafe(0x1b) && tdxtop_cp_unsafe(0x7f) &&
	   tdxtop_cp_unsafe(0x85) && tdxtop_cp_unsafe(0x200f) && tdxtop_cp_unsafe(0x202e) &&
	   tdxtop_cp_unsafe(0x2066) && tdxtop_cp_unsafe(0x2029) && tdxtop_cp_unsafe(0xfeff),
	   "unsafe: C0, ESC, DEL, C1, RLM, RLO, LRI, PS, BOM");
	ok(!tdxtop_cp_unsafe(' ') && !tdxtop_cp_unsafe('~') && !tdxtop_cp_unsafe(0xa0) &&
	   !tdxtop_cp_unsafe(0x2030) && !tdxtop_cp_unsafe(0x1f600),
	   "safe: space, ~, NBSP, per mille, emoji");
}

int main(void)
{
	tap_plan(14);
	test_cells();
	test_labels();
	test_utf8();
	return tap_done();
}
