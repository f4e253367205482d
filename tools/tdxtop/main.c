// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop: which TDs exit, why, how long the guest ran, how long the host
 * took, and what restoring host state costs.  The subcommands, one file
 * each (builtin-*.c), as perf's: collect/ loads the BPF programs and reads
 * their maps into snapshots (model/), which output/ prints, exports and
 * serves and store/ records.
 */
#include <string.h>
#include "session.h"

const char *argp_program_version = "tdxtop 0.1";

static const struct {
	const char *name, *prog;	/* prog: argv[0] of its usage lines */
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "record", "tdxtop record", tdxtop_cmd_record },
	{ "report", "tdxtop report", tdxtop_cmd_report },
	{ "diff", "tdxtop diff", tdxtop_cmd_diff },
	{ "serve", "tdxtop serve", tdxtop_cmd_serve },
	{ "check", "tdxtop check", tdxtop_cmd_check },
};

int main(int argc, char **argv)
{
	size_t i;

	/* a subcommand parses the rest; its usage names it */
	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		argv[1] = (char *)commands[i].prog;
		return commands[i].run(argc - 1, argv + 1);
	}
	return tdxtop_cmd_live(argc, argv);
}
