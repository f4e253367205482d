// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: VM names, which other processes choose.  Each input is a
 * command line (NUL-separated, as /proc/PID/cmdline) and, after its first
 * 0xff byte, a comm; the name tdxtop reads from them goes through each
 * output's sanitiser, and each output's promise is checked: the text cell
 * has no control byte and exactly its width in columns (C locale); the
 * Prometheus label value is valid UTF-8 with no raw newline or unescaped
 * quote; JSON is valid UTF-8 with no raw control byte.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

static void valid_utf8(const char *s, size_t n)
{
	__u32 cp;
	size_t i = 0;
	int l;

	while (i < n) {
		l = tdxtop_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!l)
			abort();
		i += l;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[TDXTOP_VM_NAME_LEN], cell[TDXTOP_CELL_SIZE(24)], label[TDXTOP_LABEL_SIZE];
	char comm[64], *json = NULL;
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t n = sep ? (size_t)(sep - data) : size, i, jl = 0;
	struct tdxtop_jw *w;
	FILE *f;

	if (sep) {
		size_t cl = size - n - 1 < 63 ? size - n - 1 : 63;

		memcpy(comm, sep + 1, cl);
		comm[cl] = '\0';
	}
	tdxtop_vm_name_parse((const char *)data, n, sep ? comm : NULL, name, sizeof(name));
	if (strlen(name) >= sizeof(name))
		abort();

	i = tdxtop_text_cell(cell, name, 24);
	if (i != 24 || strlen(cell) != 24)	/* C locale: one byte a column */
		abort();
	for (i = 0; i < 24; i++)
		if ((unsigned char)cell[i] < 0x20 || (unsigned char)cell[i] >= 0x7f)
			abort();

	i = tdxtop_label_value(label, sizeof(label), name);
	valid_utf8(label, i);
	for (i = 0; label[i]; i++)
		if (label[i] == '\n' || (label[i] == '"' && (!i || label[i - 1] != '\\')))
			abort();

	f = open_memstream(&json, &jl);
	w = malloc(sizeof(*w));
	tdxtop_jw_init(w, f, false);
	tdxtop_jw_obj(w);
	tdxtop_jw_key(w, "vm");
	tdxtop_jw_str(w, name);
	tdxtop_jw_end_obj(w);
	tdxtop_jw_done(w);
	fclose(f);
	valid_utf8(json, jl);
	for (i = 0; i < jl - 1; i++)
		if ((unsigned char)json[i] < 0x20)
			abort();
	free(w);
	free(json);
	return 0;
}
