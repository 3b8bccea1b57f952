/*
 * conn_proxy.c: an HTTP proxy's tunnel as a connection stage, between the
 * socket and TLS (or the plain request with --proxytunnel), as curl's
 * h1-proxy filter sits: "CONNECT host:port" is written through the stage
 * below, and the proxy's answer read as any server's head is, raw and
 * bounded by the same limits (http.c). A 2xx opens the tunnel; any other
 * answer is the target's outcome, class proxy, in the proxy's words. The
 * credentials go in Proxy-Authorization and nowhere else.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_stage.h"
#include "escape.h"
#include "http.h"
#include "options.h"
#include "targets.h"
#include "util.h"

struct tunnel_stage {
	struct conn_stage st; /* first: a stage pointer is a tunnel_stage's */
	struct buf req;       /* the CONNECT request */
	size_t sent;
	struct http_response resp;
	int up;
};

/* "host:port" of the target, [v6] in brackets, into buf. */
static const char *
hostport(const struct target *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s:%u", t->family == AF_INET6 ? "[" : "",
	    t->host, t->family == AF_INET6 ? "]" : "", t->port);
	return buf;
}

static void
tunnel_request(struct tunnel_stage *ps)
{
	struct conn *c = ps->st.conn;
	const struct options *o = conn_ctx(c)->opts;
	const struct proxy *p = conn_via(c)->proxy;
	char hp[AWGET_MAX_HOSTNAME + 16];

	hostport(conn_target(c), hp, sizeof(hp));
	buf_append(&ps->req, "CONNECT ", 8);
	buf_append(&ps->req, hp, strlen(hp));
	buf_append(&ps->req, " HTTP/1.1\r\nHost: ", 17);
	buf_append(&ps->req, hp, strlen(hp));
	if (p->basic != NULL) {
		buf_append(&ps->req, "\r\nProxy-Authorization: Basic ", 29);
		buf_append(&ps->req, p->basic, strlen(p->basic));
	}
	buf_append(&ps->req, "\r\nUser-Agent: ", 14);
	buf_append(&ps->req, o->user_agent, strlen(o->user_agent));
	buf_append(&ps->req, "\r\n\r\n", 4);
}

/* Each line of the proxy's answer, cut to what a trace line holds. */
static void
tunnel_trace(struct tunnel_stage *ps)
{
	const struct http_response *r = &ps->resp;
	char esc[ESCAPE_MAX(160) + 1];
	size_t off = 0, len, n;
	const char *line;

	while ((line = http_head_line(r->head.data, r->head.len, &off, &len)) !=
	    NULL) {
		if (len == 0)
			continue; /* the blank line that ends it */
		n = escape_bytes(esc, line, len < 160 ? len : 160);
		esc[n] = '\0';
		conn_trace(ps->st.conn, "proxy < %s%s", esc,
		    len > 160 ? "..." : "");
	}
}

/* The proxy's final answer: the tunnel is open on a 2xx. */
static int
tunnel_answer(struct tunnel_stage *ps)
{
	struct conn *c = ps->st.conn;
	const struct http_response *r = &ps->resp;
	struct http_status s;
	char hp[AWGET_MAX_HOSTNAME + 16], reason[ESCAPE_MAX(64) + 1];
	size_t off = 0, len, n = 0;
	const char *line;

	/* -v shows what the proxy said, escaped as any server's lines. */
	if (conn_ctx(c)->opts->verbose)
		tunnel_trace(ps);
	/* The status line of the final block: after any 1xx blocks. */
	while ((line = http_head_line(r->head.data, r->head.len, &off, &len)) !=
	    NULL)
		if (http_parse_status(line, len, &s) == 0 && s.code >= 200)
			break;
	if (line == NULL || http_parse_status(line, len, &s) != 0)
		return conn_fail(c, OUTCOME_PROXY, "proxy %s: no status line",
		    conn_via(c)->proxy->shown);
	if (s.code >= 200 && s.code < 300) {
		ps->up =
		    1; /* its head is kept: curl -D shows it, and so do we */
		return 0;
	}
	if (s.reason_len > 0)
		n = escape_bytes(reason, s.reason,
		    s.reason_len < 64 ? s.reason_len : 64);
	reason[n] = '\0';
	return conn_fail(c, OUTCOME_PROXY,
	    "proxy answered %d%s%s to CONNECT %s", s.code, n > 0 ? " " : "",
	    reason, hostport(conn_target(c), hp, sizeof(hp)));
}

static int
tunnel_setup(struct conn_stage *st)
{
	struct tunnel_stage *ps = (struct tunnel_stage *)st;
	struct conn *c = st->conn;
	const char *shown = conn_via(c)->proxy->shown;
	char buf[4096];
	ssize_t r;

	if (ps->up)
		return 0;
	if (ps->req.data == NULL)
		tunnel_request(ps);
	while (ps->sent < ps->req.len) {
		r = st->below->ops->send(st->below, ps->req.data + ps->sent,
		    ps->req.len - ps->sent);
		if (r < 0)
			return (int)r;
		ps->sent += (size_t)r;
	}
	for (;;) {
		if ((r = st->below->ops->recv(st->below, buf, sizeof(buf))) < 0)
			return (int)r;
		if (r == 0)
			return conn_fail(c, OUTCOME_PROXY,
			    "proxy %s closed the connection before answering "
			    "CONNECT",
			    shown);
		http_response_add(&ps->resp, buf, (size_t)r);
		for (;;) {
			switch (http_response_next(&ps->resp)) {
			case HTTP_LINE_PARTIAL:
				break;
			case HTTP_LINE_STATUS:
			case HTTP_LINE_HEADER:
			case HTTP_LINE_INTERIM:
				continue;
			case HTTP_LINE_END:
				return tunnel_answer(ps);
			case HTTP_LINE_NOT_HTTP:
				return conn_fail(c, OUTCOME_PROXY,
				    "proxy %s: not an HTTP answer to CONNECT",
				    shown);
			default:
				return conn_fail(c, OUTCOME_PROXY,
				    "proxy %s: its answer to CONNECT is over "
				    "the limits",
				    shown);
			}
			break;
		}
	}
}

static ssize_t
tunnel_recv(struct conn_stage *st, void *p, size_t n)
{
	return st->below->ops->recv(st->below, p, n);
}

static ssize_t
tunnel_send(struct conn_stage *st, const void *p, size_t n)
{
	return st->below->ops->send(st->below, p, n);
}

static void
tunnel_free(struct conn_stage *st)
{
	struct tunnel_stage *ps = (struct tunnel_stage *)st;

	buf_free(&ps->req);
	http_response_free(&ps->resp);
	free(ps);
}

static const char *
tunnel_head(const struct conn_stage *st, size_t *len)
{
	const struct tunnel_stage *ps = (const struct tunnel_stage *)st;

	if (!ps->up)
		return NULL;
	*len = ps->resp.head.len;
	return ps->resp.head.data;
}

static const struct conn_stage_ops tunnel_ops = {
    .name = "proxy",
    .phase = "proxy",
    .setup = tunnel_setup,
    .recv = tunnel_recv,
    .send = tunnel_send,
    .free = tunnel_free,
    .head = tunnel_head,
};

struct conn_stage *
conn_proxy_new(struct conn *c, struct conn_stage *below)
{
	struct tunnel_stage *ps = xcalloc(1, sizeof(*ps));

	ps->st.ops = &tunnel_ops;
	ps->st.conn = c;
	ps->st.below = below;
	return &ps->st;
}
