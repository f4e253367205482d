// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: the recording reader (report, diff) on any file.  Each input
 * is handed to SQLite as an in-memory database and copied into a shared
 * one (the memdb VFS) that tdxtop_recording_open() opens by name, every
 * interval read and merged, as `tdxtop report --merge` does.  SQLite checks
 * the file itself; what tdxtop reads from tables it did not write (hostile
 * but valid schemas, rows, blobs of any size) must never crash it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

#define NAME "file:/tdxtop-fuzz?vfs=memdb"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct tdxtop_recording *r;
	struct tdxtop_merge m = {};
	struct tdxtop_snap s = {};
	sqlite3 *db, *in;
	unsigned char *copy;
	char err[512];
	__s64 after = 0;
	int n = 0;

	if (!init) {	/* file names as URIs: the memdb database by its name */
		sqlite3_config(SQLITE_CONFIG_URI, 1);
		init = true;
	}
	/* the input as a private in-memory database, copied page by page
	 * into the shared one that tdxtop opens by name */
	if (sqlite3_open_v2(NAME, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
	    sqlite3_open_v2("file:in?vfs=memdb", &in, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
		abort();
	copy = sqlite3_malloc64(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (sqlite3_deserialize(in, "main", copy, size, size,
				SQLITE_DESERIALIZE_FREEONCLOSE |
				SQLITE_DESERIALIZE_RESIZEABLE) == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(db, "main", in, "main");

		if (b) {
			sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
		}
	}
	sqlite3_close(in);
	if (tdxtop_recording_open(&r, NAME, err, sizeof(err)) == 0) {
		while (n++ < 10000 && tdxtop_recording_next(r, &after, 0, ~0ULL, &s) > 0) {
			tdxtop_snap_sort(&s);
			if (tdxtop_merge_add(&m, &s))
				break;
			tdxtop_snap_reset(&s);
		}
		tdxtop_merge_finish(&m);
		tdxtop_recording_close(r);
	}
	sqlite3_close(db);
	tdxtop_merge_free(&m);
	tdxtop_snap_free(&s);
	return 0;
}
