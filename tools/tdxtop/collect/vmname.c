// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* VM names: QEMU's "-name guest=NAME,..." or "-name NAME", else comm */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/collect.h"

#define CACHE	256

static struct {
	__u32 pid;
	char name[64];
} cache[CACHE];

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* value of -name: "guest=NAME,opt=..." or "NAME,opt=..." or "NAME" */
static void qemu_name(const char *arg, char *out, size_t len)
{
	const char *p = arg, *end;

	if (!strncmp(p, "guest=", 6))
		p += 6;
	end = strchr(p, ',');
	snprintf(out, len, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
}

void tdxtop_vm_name_parse(const char *cmdline, size_t n, const char *comm, char *out,
			  size_t len)
{
	size_t i, l;

	/* NUL-separated arguments; the last may lack its NUL */
	for (i = 0; i < n; i += l + 1) {
		l = strnlen(cmdline + i, n - i);
		if ((l != 5 || memcmp(cmdline + i, "-name", 5)) &&
		    (l != 6 || memcmp(cmdline + i, "--name", 6)))
			continue;
		i += l + 1;	/* the value */
		if (i >= n)
			break;
		l = strnlen(cmdline + i, n - i);
		if (l) {
			char arg[TDXTOP_VM_NAME_LEN * 4];

			if (l >= sizeof(arg))
				l = sizeof(arg) - 1;
			memcpy(arg, cmdline + i, l);
			arg[l] = '\0';
			qemu_name(arg, out, len);
			return;
		}
	}
	if (!comm) {
		snprintf(out, len, "?");
		return;
	}
	l = strcspn(comm, "\n");
	snprintf(out, len, "%.*s", (int)(l < 63 ? l : 63), comm);
}

static void lookup(__u32 pid, char *out, size_t len)
{
	char path[64], buf[4096], comm[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = read_file(path, buf, sizeof(buf));
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	tdxtop_vm_name_parse(buf, n > 0 ? n : 0, read_file(path, comm, sizeof(comm)) > 0 ?
			     comm : NULL, out, len);
}

const char *tdxtop_vm_name(__u32 pid)
{
	unsigned int slot = pid % CACHE;

	if (cache[slot].pid != pid || !cache[slot].name[0]) {
		cache[slot].pid = pid;
		lookup(pid, cache[slot].name, sizeof(cache[slot].name));
	}
	return cache[slot].name;
}
