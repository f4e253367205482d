// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: the parsers of tdxtop's command line.  The input is split at
 * NUL bytes into arguments, each given to every parser an option value
 * meets: numbers with bounds, seconds, group and sort names, report's
 * times (seconds or UTC), serve's --listen.  Each must accept or refuse
 * without crashing, and what it accepts must lie within its bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char arg[256], err[256];
	size_t o = 0;

	while (o < size) {
		size_t n = strnlen((const char *)data + o, size - o);
		__u64 v, t;
		int ms;

		if (n >= sizeof(arg))
			n = sizeof(arg) - 1;
		memcpy(arg, data + o, n);
		arg[n] = '\0';
		o += strnlen((const char *)data + o, size - o) + 1;

		if (!tdxtop_parse_u64(arg, 1, 65535, &v) && (v < 1 || v > 65535))
			abort();
		if (!tdxtop_parse_secs(arg, &ms) && (ms < 10 || ms > 86400000))
			abort();
		if (tdxtop_parse_group(arg) >= TDXTOP_NR_GROUP_BY ||
		    tdxtop_parse_sort(arg) >= TDXTOP_NR_SORT_BY)
			abort();
		tdxtop_parse_time(arg, 1000, 1795000000000000000ULL, &t);
		tdxtop_listen_check(arg, err, sizeof(err));
	}
	return 0;
}
