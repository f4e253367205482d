// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop report --html: one self-contained page (no network, no external
 * script, style or font).  The page is report.html with report.css and
 * report.js put in (real files, embedded at build time by report_assets.S);
 * the data is report -j's own output (per interval and merged, with
 * histogram buckets), plus diff -j's with two recordings, as one JSON
 * block the script reads.  The Content-Security-Policy lets only that
 * script run (its SHA-256, computed at build time), so nothing in the data
 * can become code; names reach the page only as text nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/output.h"
#include "report_sha256.h"

/* report_assets.S: each file's bytes from NAME to NAME_end */
extern const char tdxtop_report_html[], tdxtop_report_html_end[];
extern const char tdxtop_report_js[], tdxtop_report_js_end[];
extern const char tdxtop_report_css[], tdxtop_report_css_end[];

/*
 * JSON text inside a script element: "</script" would end the element and
 * "<!--" change how it is parsed.  "<" occurs in JSON only inside strings,
 * where "\u003c" is the same text: every one is written so, whatever
 * follows it.
 */
static int put_json(FILE *f, const char *s, size_t n)
{
	size_t i, run;

	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n && s[i + run] != '<'; run++)
			;
		if (run && fwrite(s + i, 1, run, f) != run)
			return -EIO;
		if (i + run < n) {
			if (fputs("\\u003c", f) < 0)
				return -EIO;
			run++;
		}
	}
	return 0;
}

static void jw_str_value(FILE *f, const char *s)
{
	static struct tdxtop_jw w;

	tdxtop_jw_init(&w, f, false);
	if (s)
		tdxtop_jw_str(&w, s);
	else
		tdxtop_jw_null(&w);
	tdxtop_jw_flush(&w);
}

/* The page's data, one JSON object: written whole, then escaped whole */
static int data_json(char **buf, size_t *len, const struct tdxtop_html_run *runs, int nr,
		     const char *version, const char *diff_json, const char *diff_error)
{
	FILE *f = open_memstream(buf, len);
	int i;

	if (!f)
		return -ENOMEM;
	fputs("{\"version\":", f);
	jw_str_value(f, version);
	fputs(",\"runs\":[", f);
	for (i = 0; i < nr; i++) {
		fprintf(f, "%s{\"file\":", i ? "," : "");
		jw_str_value(f, runs[i].file);
		fputs(",\"merged\":", f);
		fwrite(runs[i].merged, 1, runs[i].merged_len, f);
		fputs(",\"intervals\":[", f);
		fwrite(runs[i].intervals, 1, runs[i].intervals_len, f);
		fputs("]}", f);
	}
	fputs("],\"diff\":", f);
	fputs(diff_json ? diff_json : "null", f);
	fputs(",\"diff_error\":", f);
	jw_str_value(f, diff_error);
	fputs("}", f);
	return fclose(f) ? -ENOMEM : 0;
}

int tdxtop_html_write(FILE *f, const struct tdxtop_html_run *runs, int nr,
		      const char *version, const char *diff_json, const char *diff_error)
{
	const char *p = tdxtop_report_html, *end = tdxtop_report_html_end, *at;
	char *data = NULL;
	size_t len = 0;
	int e;

	e = data_json(&data, &len, runs, nr, version, diff_json, diff_error);
	/* the template, its @NAME@ places filled in */
	while (!e && p < end) {
		at = memchr(p, '@', end - p);
		if (!at)
			at = end;
		fwrite(p, 1, at - p, f);
		p = at;
		if (p == end)
			break;
		if (!strncmp(p, "@STYLE@", 7)) {
			fwrite(tdxtop_report_css, 1, tdxtop_report_css_end - tdxtop_report_css, f);
			p += 7;
		} else if (!strncmp(p, "@SCRIPT@", 8)) {
			fwrite(tdxtop_report_js, 1, tdxtop_report_js_end - tdxtop_report_js, f);
			p += 8;
		} else if (!strncmp(p, "@SCRIPT_SHA256@", 15)) {
			fputs(TDXTOP_REPORT_JS_SHA256, f);
			p += 15;
		} else if (!strncmp(p, "@DATA@", 6)) {
			e = put_json(f, data, len);
			p += 6;
		} else {
			fputc(*p++, f);
		}
	}
	free(data);
	if (e || ferror(f))
		return e == -ENOMEM ? e : -EIO;
	return 0;
}
