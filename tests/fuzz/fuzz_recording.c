// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: the recording reader (report, diff) on any file.  Each input
 * is written as a file (on tmpfs) and opened, every interval read and
 * merged, as `tdxtop report --merge` does.  SQLite itself checks the file;
 * what tdxtop reads from tables it did not write (hostile but valid
 * schemas, rows, blobs of any size) must never crash it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tdxtop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct tdxtop_recording *r;
	struct tdxtop_merge m = {};
	struct tdxtop_snap s = {};
	char err[512];
	__s64 after = 0;
	int fd, n = 0;

	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/tdxtop-fuzz-rec.%d", getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (tdxtop_recording_open(&r, path, err, sizeof(err)) == 0) {
		while (n++ < 10000 && tdxtop_recording_next(r, &after, 0, ~0ULL, &s) > 0) {
			tdxtop_snap_sort(&s);
			if (tdxtop_merge_add(&m, &s))
				break;
			tdxtop_snap_reset(&s);
		}
		tdxtop_merge_finish(&m);
		tdxtop_recording_close(r);
	}
	tdxtop_merge_free(&m);
	tdxtop_snap_free(&s);
	unlink(path);
	return 0;
}
