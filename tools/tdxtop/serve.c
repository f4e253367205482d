// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop serve: /metrics over HTTP (libmicrohttpd), read-only.  Each
 * scrape reads the maps (one interval since the last scrape, folded into
 * the totals) and writes the totals: no cache to go stale, and no work
 * between scrapes.  One internal polling thread serves every connection,
 * so scrapes never run concurrently and a slow client holds no thread.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <zlib.h>
#include "cli.h"

/* Limits against clients that misbehave; a scraper needs far less */
#define CONN_TIMEOUT_S		10
#define CONN_LIMIT		64
#define CONN_PER_IP		16
#define CONN_MEMORY		(32 * 1024)	/* request line and headers */
#define GZIP_MIN		1024		/* smaller bodies go as they are */

#define CT_TEXT		"text/plain; version=0.0.4; charset=utf-8"
#define CT_OM		"application/openmetrics-text; version=1.0.0; charset=utf-8"
#define CT_PB		"application/vnd.google.protobuf; " \
			"proto=io.prometheus.client.MetricFamily; encoding=delimited"

struct serve {
	struct tdxtop_source *src;
	struct tdxtop_prom *prom;
	struct tdxtop_buf buf;
	const char *version;
	size_t max_series;
	bool cap_said;		/* the line saying the cap was reached */
};

/*
 * Does the comma-separated header value list token with every parameter of
 * params (NULL-terminated; NULL: none needed) and a weight above 0?  The
 * weight is the item's own: "gzip;q=0" refuses gzip.
 */
static bool header_has(const char *v, const char *token, const char *const *params)
{
	size_t n = strlen(token), len, i;
	const char *end, *p;
	bool ok;

	for (; v && *v; v = end ? end + 1 : NULL) {
		v += strspn(v, " \t");
		end = strchr(v, ',');
		len = end ? (size_t)(end - v) : strlen(v);
		if (len < n || strncasecmp(v, token, n) ||
		    (len > n && !strchr("; \t", v[n])))
			continue;
		for (ok = true, i = 0; ok && params && params[i]; i++)
			ok = memmem(v + n, len - n, params[i], strlen(params[i]));
		/* each ";" parameter, blanks trimmed: q= is the weight */
		for (p = memchr(v + n, ';', len - n); ok && p; p = memchr(p, ';', v + len - p)) {
			p += 1 + strspn(p + 1, " \t");
			if (p + 2 <= v + len && !strncasecmp(p, "q=", 2))
				ok = strtod(p + 2, NULL) > 0;
		}
		if (ok)
			return true;
	}
	return false;
}

/*
 * The protobuf exposition's parameters (Prometheus asks for it with native
 * histograms on): delimited MetricFamily messages
 */
static const char *const pb_params[] = {
	"proto=io.prometheus.client.MetricFamily", "encoding=delimited", NULL
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code,
			     const char *type, void *body, size_t len, bool must_free,
			     const char *encoding)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, must_free ? MHD_RESPMEM_MUST_FREE
							       : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (encoding)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int code,
				  const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	return reply(c, code, "text/plain; charset=utf-8", msg, n, true, NULL);
}

/* gzip of in[0, len) into a new buffer, or NULL */
static void *gzip(const char *in, size_t len, size_t *out_len)
{
	z_stream z = {};
	void *out;
	size_t cap;

	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, len);
	out = malloc(cap);
	z.next_in = (Bytef *)in;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	if (!out || deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static enum MHD_Result scrape(struct serve *sv, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);
	const char *enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_ACCEPT_ENCODING);
	enum tdxtop_prom_format f =
		header_has(accept, "application/vnd.google.protobuf", pb_params) ?
		TDXTOP_PROM_PROTOBUF :
		header_has(accept, "application/openmetrics-text", NULL) ?
		TDXTOP_PROM_OPENMETRICS : TDXTOP_PROM_TEXT;
	const char *type = f == TDXTOP_PROM_PROTOBUF ? CT_PB :
			   f == TDXTOP_PROM_OPENMETRICS ? CT_OM : CT_TEXT;
	const struct tdxtop_snap *s;
	size_t zlen;
	void *body;
	int err;

	err = sv->src->poll(sv->src->ctx, &s);
	if (!err)
		err = tdxtop_prom_add(sv->prom, s);
	if (!err)
		err = tdxtop_prom_write(sv->prom, &sv->buf, f);
	if (err)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "tdxtop: cannot read the BPF maps: %s\n", strerror(-err));
	if (!sv->cap_said && tdxtop_prom_dropped(sv->prom)) {
		sv->cap_said = true;
		fprintf(stderr, "tdxtop serve: --max-series %zu reached: new label sets go to "
			"the series labelled overflow=\"true\"; tdxtop_series_dropped_total "
			"counts the series not made\n", sv->max_series);
	}
	if (sv->buf.len >= GZIP_MIN && header_has(enc, "gzip", NULL)) {
		body = gzip(sv->buf.p, sv->buf.len, &zlen);
		if (body)
			return reply(c, MHD_HTTP_OK, type, body, zlen, true, "gzip");
	}
	/* the buffer goes with the response; the next scrape starts a new one */
	body = sv->buf.p;
	zlen = sv->buf.len;
	sv->buf.p = NULL;
	sv->buf.len = sv->buf.cap = 0;
	return reply(c, MHD_HTTP_OK, type, body, zlen, true, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **con_cls)
{
	static int seen;
	struct serve *sv = cls;

	if (!*con_cls) {	/* headers are in; a body, if any, follows */
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_size) {	/* nothing here takes a body: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "405 method not allowed: %.32s (GET /metrics)\n", method);
	if (!strcmp(url, "/metrics"))
		return scrape(sv, c);
	if (!strcmp(url, "/"))
		return reply_text(c, MHD_HTTP_OK,
				  "%s: TD enter/exit metrics at /metrics\n", sv->version);
	return reply_text(c, MHD_HTTP_NOT_FOUND, "404 not found: the metrics are at /metrics\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	fprintf(stderr, "tdxtop serve: %s\n", msg);
}

/*
 * ADDR:PORT, an IPv6 address in brackets, numeric only; an address is
 * required: all interfaces only when asked for (0.0.0.0, [::]).  0 and
 * *ai, or -1 and a line in err.
 */
static int parse_listen(const char *spec, struct addrinfo **ai, char *err, size_t len)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
	};
	const char *port = strrchr(spec, ':'), *h = spec;
	char host[128];
	size_t hl;
	__u64 pn;
	int e;

	if (!port || port == spec) {
		snprintf(err, len, "--listen %s: give ADDR:PORT (" TDXTOP_DEF_LISTEN
			 "; 0.0.0.0:PORT or [::]:PORT for all interfaces)", spec);
		return -1;
	}
	hl = port - spec;
	if (h[0] == '[' && hl > 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= sizeof(host) || strspn(port + 1, "0123456789") != strlen(port + 1) ||
	    tdxtop_parse_u64(port + 1, 1, 65535, &pn)) {
		snprintf(err, len, "--listen %s: invalid address or port", spec);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	e = getaddrinfo(host, port + 1, &hints, ai);
	if (e) {
		snprintf(err, len, "--listen %s: invalid address '%s': %s", spec, host,
			 gai_strerror(e));
		return -1;
	}
	return 0;
}

int tdxtop_listen_check(const char *spec, char *err, size_t len)
{
	struct addrinfo *ai;

	if (parse_listen(spec, &ai, err, len))
		return -1;
	freeaddrinfo(ai);
	return 0;
}

int tdxtop_serve_listen(const char *spec)
{
	struct addrinfo *ai;
	char err[256];
	int fd, one = 1;

	if (parse_listen(spec, &ai, err, sizeof(err))) {
		tdxtop_fail("%s", err);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		tdxtop_fail("cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

struct tdxtop_server {
	struct serve sv;
	struct MHD_Daemon *d;
};

int tdxtop_server_start(struct tdxtop_server **out, const struct tdxtop_serve_opts *o,
			int fd, struct tdxtop_source *src, bool thread)
{
	struct tdxtop_server *s = calloc(1, sizeof(*s));
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT, NULL },
		{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, CONN_PER_IP, NULL },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, NULL },
		/* last: none when the caller adds the connections */
		{ fd < 0 ? MHD_OPTION_END : MHD_OPTION_LISTEN_SOCKET, fd, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	err = tdxtop_prom_new(&s->sv.prom, &o->prom);
	if (err) {
		free(s);
		return err;
	}
	s->sv.src = src;
	s->sv.max_series = o->prom.max_series;
	s->sv.version = o->prom.version;
	s->d = MHD_start_daemon((thread ? MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL : 0) |
				(fd < 0 ? MHD_USE_NO_LISTEN_SOCKET : 0) | MHD_USE_ERROR_LOG,
				0, NULL, NULL, on_request, &s->sv,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->d) {
		tdxtop_prom_free(s->sv.prom);
		free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

void *tdxtop_server_daemon(struct tdxtop_server *s)
{
	return s->d;
}

void tdxtop_server_stop(struct tdxtop_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);	/* closes the listening socket */
	tdxtop_prom_free(s->sv.prom);
	free(s->sv.buf.p);
	free(s);
}

/* The least --max-series the options can take */
static size_t min_series(const struct tdxtop_prom_opts *o)
{
	struct tdxtop_prom_opts uncapped = *o;
	struct tdxtop_prom *p;
	size_t n = 0;

	uncapped.max_series = 0;
	if (!tdxtop_prom_new(&p, &uncapped))
		n = tdxtop_prom_min_series(p);
	tdxtop_prom_free(p);
	return n;
}

int tdxtop_serve(const struct tdxtop_serve_opts *o, int fd, struct tdxtop_source *src,
		 volatile sig_atomic_t *stop)
{
	struct tdxtop_server *s;
	sigset_t block, old;
	int err;

	/* the server's thread leaves the stop signals to this one */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = tdxtop_server_start(&s, o, fd, src, true);
	if (err) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (err == -ERANGE)
			tdxtop_fail("--max-series %zu: below the %zu series tdxtop serve always "
				    "writes or keeps for overflows (source %s)", o->prom.max_series,
				    min_series(&o->prom), o->prom.source);
		else
			tdxtop_fail("cannot start the HTTP server on %s", o->listen);
		close(fd);
		return 1;
	}
	fprintf(stderr, "tdxtop serve: metrics at http://%s/metrics\n", o->listen);
	while (!*stop)
		sigsuspend(&old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	tdxtop_server_stop(s);
	return 0;
}
