// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer: tdxtop serve's HTTP request path, whole.  Each input is the
 * bytes a client sends on one connection; they go through a socket pair
 * into the real server (libmicrohttpd and tdxtop's handler, driven here
 * with MHD_run()), whose scrapes render a snapshot with hostile VM names.
 * The server must answer or close, and never crash or leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "cli.h"
#include "collect/collect.h"
#include "store/store.h"

static struct tdxtop_snap snap;
static struct tdxtop_server *srv;

static int poll_snap(void *ctx, const struct tdxtop_snap **s)
{
	*s = &snap;
	return 0;
}

static struct tdxtop_source src = { .poll = poll_snap };

static void init(void)
{
	struct tdxtop_serve_opts o = { .listen = "fuzz", .prom = {
		.version = "tdxtop 0.1", .kernel = "fuzz", .source = "tdx",
		.per_vcpu = true } };
	struct tdxtop_key k = { .tgid = 7, .vcpu = 1, .reason = 12, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_hkey hk = { .tgid = 7, .reason = 12, .kind = TDXTOP_KIND_EXIT };
	struct tdxtop_stats st = { .count = 3, .n = { 3, 2, 3 }, .sum = { 900, 40, 30 } };
	static struct tdxtop_hist h;

	h.bucket[TDXTOP_M_GUEST][tdxtop_bucket(300)] = 3;
	tdxtop_snap_add_row(&snap, &k, &st);
	tdxtop_snap_add_hist(&snap, &hk, &h, NULL);
	tdxtop_snap_add_vm(&snap, 7, "\x1b[2J\"q\\\n\xff");
	if (tdxtop_server_start(&srv, &o, -1, &src, false))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct MHD_Daemon *d;
	char buf[65536];
	int sv[2], i;
	size_t off = 0;

	if (!srv)
		init();
	d = tdxtop_server_daemon(srv);
	if (size > 60000)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		abort();
	if (MHD_add_connection(d, sv[0], (struct sockaddr *)&a, sizeof(a)) != MHD_YES) {
		close(sv[1]);
		return 0;
	}
	/* the client writes all it has, then waits for the answer */
	for (i = 0; i < 1000; i++) {
		ssize_t n;

		if (off < size) {
			n = write(sv[1], data + off, size - off);
			if (n > 0)
				off += n;
			if (off == size)
				shutdown(sv[1], SHUT_WR);
		} else if (!size && !i) {
			shutdown(sv[1], SHUT_WR);
		}
		MHD_run(d);
		n = read(sv[1], buf, sizeof(buf));
		if (n == 0)
			break;		/* the server closed it */
		if (n < 0 && errno != EAGAIN)
			break;
	}
	close(sv[1]);
	/* the server's side closes on its next run */
	for (i = 0; i < 4; i++)
		MHD_run(d);
	return 0;
}
