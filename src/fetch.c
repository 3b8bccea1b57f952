/*
 * fetch.c: one target's whole life, from its name to its one outcome.
 *
 *   RESOLVING -> CONNECTING -> SENDING -> READ_STATUS -> READ_HEADERS -> done
 *                    ^           |            ^               |
 *                    +-----------+            +---------------+ after a 1xx
 *                 reset before any answer                       block
 *
 * RESOLVING asks dns.c for a name's addresses (an IP literal or a
 * --resolve pin has its own). CONNECTING is the connection's (conn.c):
 * the addresses in turn, TCP, TLS for https://, retries; when it is up,
 * the HTTP/1 request is written and the head of the answer read line by
 * line (http.c), raw, to be escaped only when it is written out. A
 * connection reset before any answer byte comes back up on the next
 * address, and the request is sent again.
 *
 * One absolute deadline covers every state: a server that trickles a byte
 * a second is still cut off. Every target has the same -t, so the fetches
 * in start order (ctx->fetches) are in deadline order, and one timer for
 * the run, set for the oldest, serves them all: no event per target. Every path
 * ends in fetch_end, the one place that writes a target's outcome (its header
 * lines, or one error line), counts it, frees the fetch and frees its slot; a
 * callback returns at once after calling it.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

#include "awget.h"
#include "conn.h"
#include "conn_stage.h"
#include "dns.h"
#include "fetch.h"
#include "h2.h"
#include "http.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "redirect.h"
#include "report.h"
#include "sched.h"
#include "stats.h"
#include "targets.h"
#include "tls.h"
#include "url.h"

enum fetch_state {
	FETCH_RESOLVING,
	FETCH_CONNECTING,
	FETCH_SENDING,
	FETCH_READ_STATUS,
	FETCH_READ_HEADERS,
};

static const char *const fetch_state_names[] = {
    "RESOLVING",
    "CONNECTING",
    "SENDING",
    "READ_STATUS",
    "READ_HEADERS",
};

/* The phase a timeout or a failure names, per state (CONNECTING: conn's). */
static const char *const fetch_phase_names[] = {
    "resolve",
    "connect",
    "request",
    "headers",
    "headers",
};

struct fetch {
	struct awget *ctx;
	struct target *t;
	struct target *hop; /* the URL being fetched: t, or a redirect's */
	const char *method; /* the hop's method, or NULL: the run's */
	struct hop *hops;   /* -L: the answers followed so far, in order */
	size_t nhops;
	const char *redirect_error; /* why the final 3xx was not followed */
	enum fetch_state state;
	int retries;          /* --retry attempts of the hops before this one */
	struct conn_via via;  /* this hop's proxy (-x, environment), or NULL */
	unsigned char tunnel; /* through its tunnel: CONNECT, or SOCKS */
	long long start_us;   /* monotonic_us() at the start: time_ms */
	/* The last hop's phases, on monotonic_us(), or 0 before them: the
	 * name resolved, the request about to go, its answer's first byte. */
	long long lookup_us, pretransfer_us, starttransfer_us;
	struct dns_lookup *dns; /* pending lookup, or NULL */
	struct h2 *h2;          /* the hop speaks HTTP/2 (h2.c), or NULL */
	struct conn *conn;      /* from CONNECTING on */
	struct buf req;         /* the request's bytes the socket left */
	size_t sent;            /* request bytes written */
	struct http_response resp;
	TAILQ_ENTRY(fetch) entry; /* on ctx->fetches */
};

static void fetch_on_resolved(struct evutil_addrinfo *, const char *, void *);
static void fetch_on_dest(struct evutil_addrinfo *, const char *, void *);
static void fetch_on_up(void *);
static int fetch_wants_h2(const struct fetch *);
static int fetch_send_h2(struct fetch *);
static void fetch_on_io(void *);
static void fetch_on_failed(void *, enum outcome, const char *);
static void fetch_on_deadline(evutil_socket_t, short, void *);
static void fetch_arm(struct awget *);
static void fetch_fail(struct fetch *, enum outcome, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void fetch_end(struct fetch *, enum outcome, const char *);
static void fetch_redirect(struct fetch *);

static const struct conn_events fetch_conn_events = {
    .up = fetch_on_up,
    .io = fetch_on_io,
    .failed = fetch_on_failed,
};

static void
fetch_set_state(struct fetch *f, enum fetch_state state)
{
	if (f->ctx->opts->verbose)
		output_trace(f->ctx->out, f->t->text, "%s -> %s",
		    fetch_state_names[f->state], fetch_state_names[state]);
	if (state == FETCH_CONNECTING && f->lookup_us == 0)
		f->lookup_us = monotonic_us(); /* every name resolved */
	f->state = state;
}

static const char *
fetch_phase(const struct fetch *f)
{
	const char *p;

	if (f->state == FETCH_CONNECTING && f->conn != NULL &&
	    (p = conn_phase(f->conn)) != NULL)
		return p;
	return fetch_phase_names[f->state];
}

static long long
fetch_end_us(const struct fetch *f)
{
	const struct timeval *tv = &f->ctx->opts->timeout;

	return f->start_us + tv->tv_sec * 1000000LL + tv->tv_usec;
}

/* Put family's address (network order) and port in ss. */
static socklen_t
fetch_literal(const struct fetch *f, int family, const unsigned char *addr,
    unsigned short port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
	if (addr == f->hop->addr)
		sin6->sin6_scope_id = f->hop->scope_id;
	return sizeof(*sin6);
}

/* The stages over the hop's socket: the proxy's tunnel (CONNECT, or
 * SOCKS), then TLS for https://. */
static void
fetch_plan(const struct fetch *f, struct conn_plan *plan)
{
	int n = 0;

	plan->via = f->tunnel ? &f->via : NULL;
	if (f->tunnel)
		plan->stages[n++] = f->via.proxy->kind == PROXY_HTTP
		    ? conn_proxy_new
		    : conn_socks_new;
	if (f->hop->tls)
		plan->stages[n++] = conn_tls_new;
	plan->stages[n] = NULL;
}

/* Connect to an address the target names itself, or an option gives. */
static void
fetch_connect_literal(struct fetch *f, int family, const unsigned char *addr,
    unsigned short port)
{
	struct sockaddr_storage ss;
	socklen_t len = fetch_literal(f, family, addr, port, &ss);
	struct conn_plan plan;
	int want = f->ctx->opts->family;

	if (want != AF_UNSPEC && want != family) {
		fetch_fail(f, OUTCOME_RESOLVE,
		    "an IPv%c address, but -%c given",
		    family == AF_INET ? '4' : '6', want == AF_INET ? '4' : '6');
		return;
	}
	fetch_set_state(f, FETCH_CONNECTING);
	fetch_plan(f, &plan);
	f->conn = conn_new(f->ctx, f->hop, fetch_end_us(f), NULL,
	    (struct sockaddr *)&ss, len, &plan, &fetch_conn_events, f);
}

/*
 * Connect to host and port: to addr at once when host is an address
 * (family not 0), or one --resolve pins; else once DNS has answered.
 */
static void
fetch_connect(struct fetch *f, const char *host, unsigned short port,
    int family, const unsigned char *addr)
{
	const struct resolve_pin *pin;

	if (family != 0)
		fetch_connect_literal(f, family, addr, port);
	else if ((pin = options_pin(f->ctx->opts, host, port)) != NULL)
		fetch_connect_literal(f, pin->family, pin->addr, port);
	else {
		fetch_set_state(f, FETCH_RESOLVING);
		f->dns = dns_lookup(f->ctx->base, f->ctx->dns, host, port,
		    f->ctx->opts->family, fetch_on_resolved, f);
	}
}

/*
 * Through a proxy: to it, once the target's own name is an address where
 * socks4:// and socks5:// want one (found here, by a --resolve pin or
 * DNS; socks4 knows only IPv4). The others give the proxy the name.
 */
static void
fetch_via(struct fetch *f)
{
	const struct proxy *p = f->via.proxy;
	const struct target *t = f->hop;
	const struct resolve_pin *pin;
	int want = f->ctx->opts->family;

	f->via.family = 0;
	if (t->family == 0 &&
	    (p->kind == PROXY_SOCKS4 || p->kind == PROXY_SOCKS5)) {
		if (p->kind == PROXY_SOCKS4)
			want = AF_INET;
		if ((pin = options_pin(f->ctx->opts, t->host, t->port)) ==
		    NULL) {
			fetch_set_state(f, FETCH_RESOLVING);
			f->dns = dns_lookup(f->ctx->base, f->ctx->dns, t->host,
			    t->port, want, fetch_on_dest, f);
			return;
		}
		f->via.family = pin->family;
		memcpy(f->via.addr, pin->addr, sizeof(f->via.addr));
	}
	fetch_connect(f, p->host, p->port, p->family, p->addr);
}

/* The target's own address, for a socks4:// or socks5:// proxy. */
static void
fetch_on_dest(struct evutil_addrinfo *ai, const char *why, void *arg)
{
	struct fetch *f = arg;
	const struct proxy *p = f->via.proxy;

	f->dns = NULL;
	if (ai == NULL) {
		fetch_fail(f, OUTCOME_RESOLVE, "cannot resolve %s: %s",
		    f->hop->host, why);
		return;
	}
	f->via.family = ai->ai_family;
	if (ai->ai_family == AF_INET)
		memcpy(f->via.addr,
		    &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
	else
		memcpy(f->via.addr,
		    &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
	evutil_freeaddrinfo(ai);
	fetch_connect(f, p->host, p->port, p->family, p->addr);
}

/* Fetch f->hop: the target itself, or a redirect's Location. */
static void
fetch_go(struct fetch *f)
{
	struct awget *ctx = f->ctx;
	struct target *t = f->hop;
	const struct connect_to *ct;
	const struct proxy *p;

	/*
	 * The system trust store is read at the first https:// URL (see
	 * main), before its socket takes a descriptor: with the table full,
	 * reading it later would fail the run's every HTTPS target.
	 */
	if (t->tls && ctx->tls == NULL && ctx->tls_error[0] == '\0')
		ctx->tls = tls_ctx_new(NULL, ctx->opts, ctx->tls_error,
		    sizeof(ctx->tls_error));
	/*
	 * -x: the socket goes to the proxy, which is asked for the URL in
	 * absolute form, or for a tunnel (https://, --proxytunnel) that TLS
	 * then goes through; Host, SNI and the certificate check stay the
	 * URL's.
	 */
	if ((p = f->via.proxy = options_proxy(ctx->opts, t)) != NULL) {
		f->tunnel =
		    p->kind != PROXY_HTTP || t->tls || ctx->opts->proxytunnel;
		if (ctx->opts->verbose)
			output_trace(ctx->out, f->t->text, "through proxy %s%s",
			    p->shown,
			    p->kind == PROXY_HTTP && f->tunnel ? " (CONNECT)"
			                                       : "");
		fetch_via(f);
		return;
	}
	/* --connect-to: elsewhere for the socket; Host, SNI and the
	 * certificate check stay the URL's (they read t). */
	if ((ct = options_connect_to(ctx->opts, t->host, t->port)) == NULL) {
		fetch_connect(f, t->host, t->port, t->family, t->addr);
		return;
	}
	if (ctx->opts->verbose)
		output_trace(ctx->out, f->t->text,
		    "connect to %s port %u instead (--connect-to)",
		    ct->host2 != NULL ? ct->host2 : t->host,
		    ct->port2 != 0 ? ct->port2 : t->port);
	if (ct->host2 == NULL)
		fetch_connect(f, t->host, ct->port2 != 0 ? ct->port2 : t->port,
		    t->family, t->addr);
	else
		fetch_connect(f, ct->host2,
		    ct->port2 != 0 ? ct->port2 : t->port, ct->family, ct->addr);
}

void
fetch_start(struct awget *ctx, struct target *t)
{
	struct fetch *f = xcalloc(1, sizeof(*f));
	char msg[256];

	f->ctx = ctx;
	f->t = f->hop = t;
	f->start_us = monotonic_us();
	TAILQ_INSERT_TAIL(&ctx->fetches, f, entry);
	if (t->error != NULL) {
		snprintf(msg, sizeof(msg), "invalid target: %s", t->error);
		fetch_end(f, OUTCOME_INVALID_TARGET, msg);
		return;
	}
	if (!evtimer_pending(ctx->deadline, NULL))
		fetch_arm(ctx);
	if (ctx->opts->verbose)
		output_trace(ctx->out, t->text, "start");
	fetch_go(f);
}

static void
fetch_on_resolved(struct evutil_addrinfo *ai, const char *why, void *arg)
{
	struct fetch *f = arg;
	struct conn_plan plan;

	f->dns = NULL;
	if (ai == NULL && f->via.proxy != NULL) {
		fetch_fail(f, OUTCOME_PROXY, "proxy %s: cannot resolve %s: %s",
		    f->via.proxy->shown, f->via.proxy->host, why);
		return;
	}
	if (ai == NULL) {
		fetch_fail(f, OUTCOME_RESOLVE, "cannot resolve %s: %s",
		    f->hop->host, why);
		return;
	}
	fetch_set_state(f, FETCH_CONNECTING);
	fetch_plan(f, &plan);
	f->conn = conn_new(f->ctx, f->hop, fetch_end_us(f), ai, NULL, 0, &plan,
	    &fetch_conn_events, f);
}

/* A connection is up (again, after a reset before any answer). */
static void
fetch_on_up(void *arg)
{
	struct fetch *f = arg;

	f->sent = 0;
	buf_free(&f->req);
	f->pretransfer_us = monotonic_us();
	f->starttransfer_us = 0;
	h2_free(f->h2);
	f->h2 = NULL;
	if (fetch_wants_h2(f) && (f->h2 = h2_new(&f->resp)) == NULL) {
		fetch_fail(f, OUTCOME_SYSTEM, "HTTP/2: cannot make a session");
		return;
	}
	fetch_set_state(f, FETCH_SENDING);
	fetch_on_io(f);
}

/*
 * HTTP/2 for this connection: with --http2-prior-knowledge always; with
 * --http2 when the TLS server chose h2 by ALPN (over plain HTTP, no
 * Upgrade dance: HTTP/1.1, as curl does without the upgrade).
 */
static int
fetch_wants_h2(const struct fetch *f)
{
	const unsigned char *alpn;
	unsigned int n = 0;
	SSL *ssl;

	if (f->ctx->opts->http2 == HTTP2_PRIOR)
		return 1;
	if (f->ctx->opts->http2 != HTTP2_ALPN ||
	    (ssl = conn_ssl(f->conn)) == NULL)
		return 0;
	SSL_get0_alpn_selected(ssl, &alpn, &n);
	return n == 2 && memcmp(alpn, "h2", 2) == 0;
}

/* HTTP/2: write what f->req holds; 0 once all is out, -1 while the
 * socket will not take more (or has failed: the read says how). */
static int
fetch_flush_h2(struct fetch *f)
{
	ssize_t n;

	while (f->req.len > 0) {
		if ((n = conn_write(f->conn, f->req.data, f->req.len)) < 0)
			return -1;
		memmove(f->req.data, f->req.data + n, f->req.len - (size_t)n);
		f->req.len -= (size_t)n;
	}
	return 0;
}

/* HTTP/2 failed: nghttp2's last words (its GOAWAY) go out if the socket
 * takes them, and the target fails as h2.c says. -1: f is gone. */
static int
fetch_fail_h2(struct fetch *f)
{
	enum outcome outcome;
	const char *msg;

	h2_pending(f->h2, &f->req);
	fetch_flush_h2(f);
	h2_error(f->h2, &outcome, &msg);
	fetch_fail(f, outcome, "%s", msg);
	return -1;
}

/*
 * HTTP/2: the request once (the HTTP/1 text http_request_build makes,
 * turned into HEADERS by h2.c), then whatever nghttp2 has to send (its
 * preface and SETTINGS first, later their acknowledgements), kept in
 * f->req while the socket will not take it.
 */
static int
fetch_send_h2(struct fetch *f)
{
	struct buf *req = &f->ctx->request;

	if (f->state == FETCH_SENDING && f->sent == 0) {
		req->len = 0;
		http_request_build(f->ctx->req, f->hop, f->method,
		    f->hop != f->t && redirect_foreign(f->t, f->hop),
		    f->tunnel ? NULL : f->via.proxy, req);
		if (h2_request(f->h2, req->data, req->len, f->hop->tls) != 0) {
			fetch_fail(f, OUTCOME_SYSTEM,
			    "HTTP/2: cannot make the request");
			return -1; /* f is gone */
		}
		f->sent = 1; /* asked: from here on, only frames */
	}
	/* More from nghttp2 only once the socket took the last: what it
	 * holds back, it bounds. Again later, or read on, as for HTTP/1. */
	do {
		if (f->req.len == 0 && h2_pending(f->h2, &f->req) != 0)
			return fetch_fail_h2(f);
	} while (f->req.len > 0 && fetch_flush_h2(f) == 0);
	if (f->state == FETCH_SENDING)
		fetch_set_state(f, FETCH_READ_STATUS);
	return 0;
}

/*
 * Write the request, or what is left of it. It is built in the run's
 * request buffer; only what the socket would not take yet is kept, in
 * f->req. A write that fails is not the end: the answer may be in, and
 * fetch_receive reads it before the error counts.
 */
static void
fetch_send(struct fetch *f)
{
	struct buf *req = &f->req;
	ssize_t n;

	if (f->sent == 0 && req->len == 0) {
		req = &f->ctx->request;
		req->len = 0;
		http_request_build(f->ctx->req, f->hop, f->method,
		    f->hop != f->t && redirect_foreign(f->t, f->hop),
		    f->tunnel ? NULL : f->via.proxy, req);
	}
	if ((n = conn_write(f->conn, req->data, req->len)) < 0) {
		if (n == CONN_AGAIN && req != &f->req)
			buf_append(&f->req, req->data, req->len);
		return;
	}
	f->sent += n;
	if ((size_t)n < req->len) {
		if (req == &f->req) {
			memmove(req->data, req->data + n, req->len - n);
			req->len -= n;
		} else
			buf_append(&f->req, req->data + n, req->len - n);
		return;
	}
	buf_free(&f->req);
	fetch_set_state(f, FETCH_READ_STATUS);
}

/* Keep the answer just read as the chain's next hop. */
static void
fetch_keep_hop(struct fetch *f)
{
	struct hop *h;
	struct buf url = {0}, head = {0};
	char ip[INET6_ADDRSTRLEN];
	const char *ph;
	size_t plen;

	f->hops = xrealloc(f->hops, (f->nhops + 1) * sizeof(*f->hops));
	h = &f->hops[f->nhops++];
	target_url(f->hop, &url);
	h->url = url.data;
	h->ip = conn_peer(f->conn, ip, sizeof(ip)) != NULL ? xstrdup(ip) : NULL;
	h->proxy_len = 0;
	if ((ph = conn_tunnel_head(f->conn, &plen)) != NULL) {
		buf_append(&head, ph, plen);
		buf_append(&head, f->resp.head.data, f->resp.head.len);
		h->proxy_len = plen;
		http_response_free(&f->resp);
	} else
		head = f->resp.head;
	h->head = head.data;
	h->len = head.len;
	f->resp.head = (struct buf){0};
}

/*
 * The URL a redirect's answer points to, parsed as a target; or NULL, with
 * *why set, when its Location cannot be followed.
 */
static struct target *
fetch_location(struct fetch *f, const char **why)
{
	struct buf base = {0}, url = {0};
	struct target *next = NULL;
	const char *loc;
	size_t n;

	if ((loc = redirect_location(f->resp.head.data, f->resp.head.len,
	         &n)) == NULL) {
		*why = "no Location header";
		return NULL;
	}
	target_url(f->hop, &base);
	if ((*why = url_resolve(base.data, loc, n, &url)) == NULL) {
		next = target_parse(url.data, url.len);
		if ((*why = next->error) != NULL) {
			target_free(next);
			next = NULL;
		} else if (next->scope_id == 0 &&
		    strcmp(next->host, f->hop->host) == 0)
			next->scope_id =
			    f->hop->scope_id; /* a URL has no zone */
	}
	buf_free(&base);
	buf_free(&url);
	return next;
}

/*
 * -L, and the answer is a redirect: keep it as a hop and fetch its
 * Location on a new connection, inside the same deadline; or end with
 * this answer as the final one when its Location cannot be followed.
 */
static void
fetch_redirect(struct fetch *f)
{
	struct awget *ctx = f->ctx;
	struct target *next;
	const char *why;
	int code = f->resp.code;
	size_t i;

	if ((next = fetch_location(f, &why)) == NULL) {
		f->redirect_error = why;
		fetch_end(f, OUTCOME_OK, NULL);
		return;
	}
	fetch_keep_hop(f);
	if (f->nhops > (size_t)ctx->opts->max_redirs) {
		target_free(next);
		fetch_fail(f, OUTCOME_REDIRECT, "too many redirects (%d)",
		    ctx->opts->max_redirs);
		return;
	}
	if (ctx->opts->verbose)
		output_trace(ctx->out, f->t->text, "redirect %d -> %s", code,
		    next->text);
	f->method =
	    redirect_method(f->method ? f->method : ctx->opts->method, code);
	f->retries += conn_retries(f->conn);
	conn_free(f->conn);
	f->conn = NULL;
	h2_free(f->h2);
	f->h2 = NULL;
	http_response_free(&f->resp);
	memset(&f->resp, 0, sizeof(f->resp));
	/* The chain's heads share one target's limit: memory follows -c. */
	for (i = 0; i < f->nhops; i++)
		f->resp.held += f->hops[i].len;
	if (f->hop != f->t)
		target_free(f->hop);
	f->hop = next;
	f->lookup_us = f->pretransfer_us = f->starttransfer_us = 0;
	sched_charge(ctx->sched); /* --rate counts every connection */
	fetch_go(f);
}

/* Act on what a line was; 1 if the fetch has ended, or moved on to a
 * redirect's next hop. */
static int
fetch_on_line(struct fetch *f, enum http_line what)
{
	switch (what) {
	case HTTP_LINE_STATUS:
		fetch_set_state(f, FETCH_READ_HEADERS);
		return 0;
	case HTTP_LINE_HEADER: /* http_response_next keeps these */
	case HTTP_LINE_PARTIAL:
		return 0;
	case HTTP_LINE_INTERIM:
		fetch_set_state(f, FETCH_READ_STATUS);
		return 0;
	case HTTP_LINE_END:
		if (f->h2 != NULL) { /* HTTP/2 says goodbye; HTTP/1 closes */
			h2_bye(f->h2, &f->req);
			fetch_flush_h2(f);
		}
		if (f->ctx->opts->location && redirect_status(f->resp.code))
			fetch_redirect(f);
		else
			fetch_end(f, OUTCOME_OK, NULL);
		break;
	case HTTP_LINE_NOT_HTTP:
		fetch_fail(f, OUTCOME_NOT_HTTP, "not an HTTP response");
		break;
	case HTTP_LINE_TOO_LONG:
		fetch_fail(f, OUTCOME_TOO_LARGE,
		    "header line longer than %d bytes", AWGET_MAX_LINE);
		break;
	case HTTP_LINE_TOO_LARGE:
		fetch_fail(f, OUTCOME_TOO_LARGE,
		    "headers%s larger than %d bytes",
		    f->nhops > 0 ? " of the redirect chain" : "",
		    AWGET_MAX_HEADER_BYTES);
		break;
	case HTTP_LINE_TOO_MANY_INTERIM:
		fetch_fail(f, OUTCOME_TOO_LARGE,
		    "more than %d interim responses", AWGET_MAX_INTERIM);
		break;
	}
	return 1;
}

/* HTTP/2: n bytes read go to nghttp2, which adds the header blocks to
 * f->resp; what it has to say back (acknowledgements) is written. */
static int
fetch_recv_h2(struct fetch *f, size_t n)
{
	if (h2_recv(f->h2, f->ctx->rbuf, n) != 0)
		return fetch_fail_h2(f);
	return fetch_send_h2(f);
}

/*
 * Read what the socket has, up to "again" as edge triggering asks, and
 * take the lines it completes. The bytes go through the run's read buffer
 * into the target's head, which holds no more than the limits allow.
 */
static void
fetch_receive(struct fetch *f)
{
	enum http_line what;
	ssize_t n;

	for (;;) {
		n = conn_read(f->conn, f->ctx->rbuf, sizeof(f->ctx->rbuf));
		if (n == CONN_AGAIN)
			return;
		if (n == CONN_MOVED) { /* to the next address: back up */
			fetch_set_state(f, FETCH_CONNECTING);
			return;
		}
		if (n == CONN_ERROR) {
			fetch_end(f, conn_outcome(f->conn),
			    conn_message(f->conn));
			return;
		}
		if (n == 0) {
			fetch_fail(f, OUTCOME_CLOSED,
			    "connection closed before the end of the headers");
			return;
		}
		if (f->starttransfer_us == 0)
			f->starttransfer_us = monotonic_us();
		if (f->h2 == NULL)
			http_response_add(&f->resp, f->ctx->rbuf, n);
		else if (fetch_recv_h2(f, n) != 0)
			return;
		while (
		    (what = http_response_next(&f->resp)) != HTTP_LINE_PARTIAL)
			if (fetch_on_line(f, what))
				return;
	}
}

/* Readable or writable: write while there is a request to write, then
 * read; a server may answer before it has read it all. */
static void
fetch_on_io(void *arg)
{
	struct fetch *f = arg;

	if (f->h2 != NULL) {
		if (fetch_send_h2(f) != 0)
			return;
	} else if (f->state == FETCH_SENDING)
		fetch_send(f);
	fetch_receive(f);
}

/*
 * No address and no retry left. Through a proxy, a connection that never
 * got past TCP is the proxy's failure, and says so.
 */
static void
fetch_on_failed(void *arg, enum outcome outcome, const char *msg)
{
	struct fetch *f = arg;
	const char *phase = conn_phase(f->conn);
	char m[512];

	if (f->via.proxy != NULL && outcome != OUTCOME_PROXY && phase != NULL &&
	    strcmp(phase, "connect") == 0) {
		snprintf(m, sizeof(m), "proxy %s: %s", f->via.proxy->shown,
		    msg);
		fetch_end(f, OUTCOME_PROXY, m);
		return;
	}
	fetch_end(f, outcome, msg);
}

/* Set the run's timer for the oldest fetch's deadline. */
static void
fetch_arm(struct awget *ctx)
{
	struct fetch *f = TAILQ_FIRST(&ctx->fetches);
	long long us;
	struct timeval tv;

	if (f == NULL)
		return;
	us = fetch_end_us(f) - monotonic_us();
	if (us < 0)
		us = 0;
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	evtimer_add(ctx->deadline, &tv);
}

/*
 * The timer: end every fetch whose deadline has come, oldest first, then
 * set it for the next. Fetches that end before it are only taken off the
 * queue; the timer may then come early, and just moves on.
 */
static void
fetch_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct awget *ctx = arg;
	struct fetch *f;
	long long now = monotonic_us();

	(void)fd;
	(void)what;
	while (
	    (f = TAILQ_FIRST(&ctx->fetches)) != NULL && fetch_end_us(f) <= now)
		fetch_fail(f, OUTCOME_TIMEOUT, "timed out in phase %s",
		    fetch_phase(f));
	fetch_arm(ctx);
}

void
fetch_init(struct awget *ctx)
{
	if ((ctx->deadline = evtimer_new(ctx->base, fetch_on_deadline, ctx)) ==
	    NULL)
		fatalx("cannot make a timer");
}

void
fetch_fini(struct awget *ctx)
{
	event_free(ctx->deadline);
}

static void
fetch_fail(struct fetch *f, enum outcome outcome, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fetch_end(f, outcome, msg);
}

static void
fetch_free(struct fetch *f)
{
	TAILQ_REMOVE(&f->ctx->fetches, f, entry);
	if (TAILQ_EMPTY(&f->ctx->fetches))
		evtimer_del(f->ctx->deadline); /* nothing left to wait for */
	dns_cancel(f->dns);
	h2_free(f->h2);
	conn_free(f->conn);
	buf_free(&f->req);
	http_response_free(&f->resp);
	while (f->nhops > 0)
		hop_free(&f->hops[--f->nhops]);
	free(f->hops);
	if (f->hop != f->t)
		target_free(f->hop);
	target_free(f->t);
	free(f);
}

/*
 * The phases the target reached, in microseconds from its start, as
 * curl's -w names them (json.h), -1 for one it did not reach; TLS's is 0
 * for a plain target once connected, as curl's is.
 */
static void
fetch_timing(const struct fetch *f, long long *us)
{
	long long connect = 0, app = 0, at[JSON_NTIMES];
	int i;

	if (f->conn != NULL)
		conn_times(f->conn, &connect, &app);
	at[JSON_NAMELOOKUP] = f->lookup_us;
	at[JSON_CONNECT] = connect;
	at[JSON_APPCONNECT] = app;
	at[JSON_PRETRANSFER] = f->pretransfer_us;
	at[JSON_STARTTRANSFER] = f->starttransfer_us;
	at[JSON_TOTAL] = monotonic_us();
	if (connect == 0) /* the request went to a socket that failed */
		at[JSON_PRETRANSFER] = at[JSON_STARTTRANSFER] = 0;
	for (i = 0; i < JSON_NTIMES; i++)
		us[i] = at[i] != 0 ? at[i] - f->start_us : -1;
	if (!f->hop->tls && connect != 0)
		us[JSON_APPCONNECT] = 0;
}

/*
 * The one end of every target, finished, failed, invalid or aborted:
 * write its outcome (unless msg is NULL for a failure: nobody listens),
 * count it, free it, and free its slot. Stdout closed by its reader stops
 * the run here, whichever way the target ended.
 */
static void
fetch_end(struct fetch *f, enum outcome outcome, const char *msg)
{
	struct awget *ctx = f->ctx;
	struct report r = {0};
	struct buf final_url = {0};
	char ip[INET6_ADDRSTRLEN];
	long long timing[JSON_NTIMES];

	r.t = f->t;
	if (ctx->opts->location && f->t->error == NULL) {
		target_url(f->hop, &final_url);
		r.final_url = final_url.data;
		r.hops = f->hops;
		r.nhops = f->nhops;
		r.redirect_error = f->redirect_error;
	}
	if (f->via.proxy != NULL)
		r.proxy = f->via.proxy->shown;
	r.outcome = outcome;
	r.msg = msg;
	if (outcome != OUTCOME_INVALID_TARGET) {
		r.phase = fetch_phase(f);
		r.time_ms = (long)((monotonic_us() - f->start_us) / 1000);
		fetch_timing(f, timing);
		r.timing = timing;
	}
	r.retries = f->retries; /* the earlier hops' */
	if (f->conn != NULL) {
		r.ip = conn_peer(f->conn, ip, sizeof(ip));
		r.port = conn_port(f->conn); /* --connect-to's, if any */
		if (r.port == 0)
			r.port = f->hop->port;
		r.ssl = conn_ssl(f->conn);
		r.retries += conn_retries(f->conn);
		r.proxy_head = conn_tunnel_head(f->conn, &r.proxy_len);
	}
	if (outcome == OUTCOME_OK) {
		r.head = f->resp.head.data;
		r.len = f->resp.head.len;
	}
	report_write(ctx, &r);
	buf_free(&final_url);
	if (ctx->opts->verbose)
		output_trace(ctx->out, f->t->text, "%s -> done",
		    fetch_state_names[f->state]);
	stats_done(ctx->stats, outcome, f->resp.code);
	if (output_closed(ctx->out))
		sched_stop(ctx->sched);
	fetch_free(f);
	sched_release(ctx->sched);
}

size_t
fetch_positions(const struct awget *ctx, unsigned long long **pos, size_t room)
{
	const struct fetch *f;
	size_t n = 0;

	TAILQ_FOREACH (f, &ctx->fetches, entry)
		n++;
	*pos = xcalloc(n + 1 + room, sizeof(**pos));
	n = 0;
	TAILQ_FOREACH (f, &ctx->fetches, entry)
		(*pos)[n++] = f->t->pos;
	return n;
}

void
fetch_abort_all(struct awget *ctx, const char *why)
{
	struct fetch *f;

	sched_stop(ctx->sched);
	while ((f = TAILQ_FIRST(&ctx->fetches)) != NULL)
		fetch_end(f, OUTCOME_INTERRUPTED, why);
}
