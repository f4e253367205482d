// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output/html.c through its API: the page of report --html for one and for
 * two recordings, read back here: its data block parses (json-c) to the
 * runs, files, intervals, merged rows and diff given, whatever the strings
 * hold; no '<' inside the block; the CSP names the build's script hash and
 * nothing else; the script and style are the embedded files byte for
 * byte; no placeholder is left; a failed write is an error.
 * tests/report/html.sh runs the page in Chromium.
 */
#include <errno.h>
#include <json-c/json.h>
#include "output/output.h"
#include "report_sha256.h"
#include "../tap.h"

extern const char tdxtop_report_js[], tdxtop_report_js_end[];
extern const char tdxtop_report_css[], tdxtop_report_css_end[];

#define OPEN	"<script type=\"application/json\" id=\"tdxtop-data\">\n"
#define HOSTILE	"x</script><script>alert(1)</script><!--\"\\\n.db"

static char *page(const struct tdxtop_html_run *runs, int nr, const char *diff,
		  const char *why, int *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*err = tdxtop_html_write(f, runs, nr, "1.2.3", diff, why);
	fclose(f);
	return buf;
}

/* The data block of a page, parsed; NULL when it is not there or not JSON */
static struct json_object *data_of(const char *t, bool *has_lt)
{
	const char *a = strstr(t, OPEN), *b;
	struct json_object *o;
	char *s;

	if (!a)
		return NULL;
	a += strlen(OPEN);
	b = strstr(a, "\n</script>");
	if (!b)
		return NULL;
	s = strndup(a, b - a);
	*has_lt = strchr(s, '<') != NULL;
	o = json_tokener_parse(s);
	free(s);
	return o;
}

static const char *str_at(struct json_object *o, const char *path)
{
	struct json_object *v = o;
	char *p = strdup(path), *tok, *save = NULL;

	for (tok = strtok_r(p, ".", &save); v && tok; tok = strtok_r(NULL, ".", &save)) {
		if (*tok >= '0' && *tok <= '9')
			v = json_object_array_get_idx(v, atoi(tok));
		else if (!json_object_object_get_ex(v, tok, &v))
			v = NULL;
	}
	free(p);
	return v ? json_object_get_string(v) : "(none)";
}

int main(void)
{
	char intervals[] = "{\"events\":1,\"vm\":\"a<b\"},{\"events\":2,\"vm\":\"</script>\"}";
	char merged[] = "{\"events\":3}";
	struct tdxtop_html_run runs[2] = {
		{ HOSTILE, intervals, merged, sizeof(intervals) - 1, sizeof(merged) - 1 },
		{ "new.db", merged, merged, sizeof(merged) - 1, sizeof(merged) - 1 },
	};
	struct json_object *o;
	char want[200], *t, *s;
	bool lt = true;
	int err;
	FILE *full;

	tap_plan(14);
	t = page(runs, 1, NULL, NULL, &err);
	is_u64(err, 0, "one recording: written");
	o = data_of(t, &lt);
	ok(o != NULL, "the data block parses as JSON");
	ok(!lt, "no '<' inside the data block: every one is \\u003c");
	is_str(str_at(o, "runs.0.file"), HOSTILE, "the file name whole, script tags and all");
	is_str(str_at(o, "runs.0.intervals.1.vm"), "</script>", "report -j's strings whole");
	ok(json_object_array_length(json_object_object_get(
		   json_object_array_get_idx(json_object_object_get(o, "runs"), 0),
		   "intervals")) == 2 &&
	   !strcmp(str_at(o, "runs.0.merged.events"), "3") &&
	   !strcmp(str_at(o, "version"), "1.2.3"),
	   "two intervals, the merged rows, the version");
	ok(!json_object_object_get(o, "diff") && !json_object_object_get(o, "diff_error") &&
	   json_object_object_get_ex(o, "diff", NULL),
	   "one recording: diff and diff_error null");
	json_object_put(o);
	snprintf(want, sizeof(want), "content=\"default-src 'none'; script-src 'sha256-%s'; "
		 "style-src 'unsafe-inline'; img-src data:\">", TDXTOP_REPORT_JS_SHA256);
	ok(strstr(t, want) != NULL, "the CSP: nothing by default, the script by its hash");
	s = strstr(t, "<script>");
	ok(s && !strncmp(s + 8, tdxtop_report_js, tdxtop_report_js_end - tdxtop_report_js) &&
	   !strncmp(s + 8 + (tdxtop_report_js_end - tdxtop_report_js), "</script>", 9),
	   "the script is report.js byte for byte");
	s = strstr(t, "<style>");
	ok(s && !strncmp(s + 7, tdxtop_report_css, tdxtop_report_css_end - tdxtop_report_css),
	   "the style is report.css byte for byte");
	ok(!strstr(t, "@DATA@") && !strstr(t, "@SCRIPT") && !strstr(t, "@STYLE@"),
	   "no placeholder left");
	free(t);

	t = page(runs, 2, "{\"verdict\":\"regression\",\"note\":\"</b>\"}", NULL, &err);
	o = data_of(t, &lt);
	ok(!err && o && !lt && !strcmp(str_at(o, "runs.1.file"), "new.db") &&
	   !strcmp(str_at(o, "diff.verdict"), "regression") &&
	   !strcmp(str_at(o, "diff.note"), "</b>"),
	   "two recordings: both runs and diff -j's object, escaped the same way");
	json_object_put(o);
	free(t);
	t = page(runs, 2, NULL, "too few intervals: 3 < 6", &err);
	o = data_of(t, &lt);
	ok(!err && o && !strcmp(str_at(o, "diff_error"), "too few intervals: 3 < 6") &&
	   !json_object_object_get(o, "diff"), "no diff: its reason instead");
	json_object_put(o);
	free(t);

	full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		is_u64(-tdxtop_html_write(full, runs, 1, "1", NULL, NULL), EIO,
		       "a device that is full: -EIO");
		fclose(full);
	} else {
		skip(1, "no /dev/full");
	}
	return tap_done();
}
