// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* VM names: QEMU's "-name guest=NAME,..." or "-name NAME", else comm */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tdxtop.h"

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

static void lookup(__u32 pid, char *out, size_t len)
{
	char path[64], buf[4096];
	int n, i;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = read_file(path, buf, sizeof(buf));
	for (i = 0; n > 0 && i < n; i += strlen(buf + i) + 1) {
		if (strcmp(buf + i, "-name") && strcmp(buf + i, "--name"))
			continue;
		i += strlen(buf + i) + 1;
		if (i < n && buf[i]) {
			qemu_name(buf + i, out, len);
			return;
		}
	}
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (read_file(path, buf, sizeof(buf)) <= 0) {
		snprintf(out, len, "?");
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, len, "%.63s", buf);
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

void tdxtop_vm_names_flush(void)
{
	memset(cache, 0, sizeof(cache));
}
