/*
 * fetch.c: one target's whole life, as a state machine on the event base.
 *
 *   RESOLVING -> CONNECTING -> [TLS_HANDSHAKE] -> SENDING -> READ_STATUS
 *       -> READ_HEADERS -> done
 *                  |    ^                     ^               |
 *                  +----+ next address        +---------------+ after a 1xx
 *                    on failure                                 block
 *
 * A connection that is refused, that times out (--connect-timeout), or
 * that is reset before any byte of the answer goes back to CONNECTING for
 * the next address (fetch_reconnect); with none left, --retry may pause
 * and start again from the first (fetch_retry).
 *
 * IP literals start in CONNECTING. Each state has one callback below, in
 * the order a target passes through them. One absolute deadline covers
 * every state: a server that trickles a byte a second is still cut off.
 * Every path ends in fetch_finish, the only place that writes the target's
 * outcome (its header lines, or one error line) and the only place that
 * frees a fetch; a callback returns at once after calling it.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

#include "awget.h"
#include "dns.h"
#include "fetch.h"
#include "http.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "sched.h"
#include "stats.h"
#include "targets.h"
#include "tls.h"

enum fetch_state {
	FETCH_RESOLVING,
	FETCH_CONNECTING,
	FETCH_TLS_HANDSHAKE,
	FETCH_SENDING,
	FETCH_READ_STATUS,
	FETCH_READ_HEADERS,
};

static const char *const fetch_state_names[] = {
    "RESOLVING",
    "CONNECTING",
    "TLS_HANDSHAKE",
    "SENDING",
    "READ_STATUS",
    "READ_HEADERS",
};

/* The phase a timeout names, per state. */
static const char *const fetch_phase_names[] = {
    "resolve",
    "connect",
    "tls",
    "request",
    "headers",
    "headers",
};

/*
 * A plain query made after evdns_getaddrinfo failed, which folds SERVFAIL,
 * REFUSED and NODATA into one code. It outlives its fetch when that ends
 * first: f is then NULL, and its callback only frees it.
 */
struct fetch_diag {
	struct fetch *f;
	struct evdns_request *req;
};

struct fetch {
	struct awget *ctx;
	struct target *t;
	enum fetch_state state;
	long long start_us; /* monotonic_us() at the start: time_ms */
	struct event deadline;
	struct evdns_getaddrinfo_request *dns; /* pending lookup, or NULL */
	struct fetch_diag *diag;               /* pending diagnosis, or NULL */
	struct evutil_addrinfo *ai;            /* resolved addresses, owned */
	struct evutil_addrinfo *ai_next;       /* the next one to try */
	struct sockaddr_storage addr;          /* the one being tried */
	socklen_t addrlen;
	int parked; /* on ctx->parked, waiting for a descriptor */
	TAILQ_ENTRY(fetch) wait;
	evutil_socket_t fd;      /* -1 when not connecting */
	struct event io;         /* fd, edge-triggered */
	struct bufferevent *bev; /* HTTPS: OpenSSL over fd, once connected */
	struct evbuffer *in;     /* received, not yet a line */
	struct buf req;          /* what the socket has not taken yet */
	size_t sent;             /* request bytes written */
	int last_error; /* errno of the connect that failed, or the reset */
	/* The connect's own limit, or the pause before a retry; NULL until
	 * --connect-timeout or --retry needs it. */
	struct event *timer;
	int pausing;  /* the timer is a retry's pause */
	int connects; /* sockets opened, all addresses, all retries */
	int retries;  /* --retry attempts made */
	struct http_response resp; /* the response, line by line */
	size_t text_len;           /* of t->text, which starts every line */
	struct buf out;            /* the target's formatted lines */
	LIST_ENTRY(fetch) entry;
};

static void fetch_resolve(struct fetch *);
static void fetch_on_resolved(int, struct evutil_addrinfo *, void *);
static int fetch_diagnose(struct fetch *);
static void fetch_on_diagnosed(int, char, int, int, void *, void *);
static void fetch_connect_next(struct fetch *);
static void fetch_literal(struct fetch *, int, const unsigned char *);
static const char *fetch_ip(const struct fetch *, char *, size_t);
static int fetch_connect(struct fetch *);
static int fetch_connect_addr(struct fetch *);
static void fetch_close(struct fetch *);
static void fetch_close_tls(struct awget *, struct bufferevent *,
    evutil_socket_t);
static void fetch_on_tls_closed(evutil_socket_t, short, void *);
static void fetch_reconnect(struct fetch *);
static int fetch_retry(struct fetch *);
static void fetch_arm_timer(struct fetch *, const struct timeval *);
static void fetch_on_timer(evutil_socket_t, short, void *);
static void fetch_on_io(evutil_socket_t, short, void *);
static int fetch_send(struct fetch *);
static void fetch_receive(struct fetch *);
static void fetch_start_tls(struct fetch *);
static void fetch_tls_event(struct bufferevent *, short, void *);
static void fetch_tls_sent(struct bufferevent *, void *);
static void fetch_tls_read(struct bufferevent *, void *);
static int fetch_take_lines(struct fetch *, struct evbuffer *);
static void fetch_fail_errno(struct fetch *, int);
static int fetch_on_line(struct fetch *, enum http_line);
static void fetch_on_deadline(evutil_socket_t, short, void *);
static void fetch_fail(struct fetch *, enum outcome, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void fetch_finish(struct fetch *, enum outcome, const char *);
static void fetch_free(struct fetch *);

static void
fetch_set_state(struct fetch *f, enum fetch_state state)
{
	/* Connected: --connect-timeout is done with. */
	if (f->state == FETCH_CONNECTING && state != FETCH_CONNECTING &&
	    f->timer != NULL)
		evtimer_del(f->timer);
	if (f->ctx->opts->verbose)
		output_trace(f->ctx->out, f->t->text, "%s -> %s",
		    fetch_state_names[f->state], fetch_state_names[state]);
	f->state = state;
}

void
fetch_start(struct awget *ctx, struct target *t)
{
	struct fetch *f = xcalloc(1, sizeof(*f));
	const struct resolve_pin *pin;

	f->ctx = ctx;
	f->t = t;
	f->text_len = strlen(t->text);
	f->fd = -1;
	f->start_us = monotonic_us();
	LIST_INSERT_HEAD(&ctx->fetches, f, entry);
	evtimer_assign(&f->deadline, ctx->base, fetch_on_deadline, f);
	evtimer_add(&f->deadline, ctx->deadline);
	if (ctx->opts->verbose)
		output_trace(ctx->out, t->text, "start");
	/*
	 * The system trust store is read at the first https:// target (see
	 * main), before its socket takes a descriptor: with the table full,
	 * reading it later would fail the run's every HTTPS target.
	 */
	if (t->tls && ctx->tls == NULL && ctx->tls_error == NULL)
		ctx->tls =
		    tls_ctx_new(NULL, ctx->opts->insecure, &ctx->tls_error);
	if (t->family != 0)
		fetch_literal(f, t->family, t->addr);
	else if ((pin = options_pin(ctx->opts, t->host, t->port)) != NULL)
		fetch_literal(f, pin->family, pin->addr);
	else {
		fetch_resolve(f);
		return;
	}
	f->state = FETCH_CONNECTING;
	if (ctx->opts->family != AF_UNSPEC &&
	    ctx->opts->family != f->addr.ss_family) {
		fetch_fail(f, OUTCOME_RESOLVE,
		    "an IPv%c address, but -%c given",
		    f->addr.ss_family == AF_INET ? '4' : '6',
		    ctx->opts->family == AF_INET ? '4' : '6');
		return;
	}
	fetch_connect_addr(f);
}

/* Put the address (of family, in network order) in f->addr. */
static void
fetch_literal(struct fetch *f, int family, const unsigned char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&f->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&f->addr;

	memset(&f->addr, 0, sizeof(f->addr));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(f->t->port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		f->addrlen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(f->t->port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		f->addrlen = sizeof(*sin6);
	}
}

static void
fetch_resolve(struct fetch *f)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	char port[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = f->ctx->opts->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	snprintf(port, sizeof(port), "%u", f->t->port);
	f->state = FETCH_RESOLVING;
	/*
	 * An answer from /etc/hosts comes back before this returns NULL, and
	 * may have ended the fetch: only a pending lookup may touch f.
	 */
	req = evdns_getaddrinfo(f->ctx->dns, f->t->host, port, &hints,
	    fetch_on_resolved, f);
	if (req != NULL)
		f->dns = req;
}

static void
fetch_on_resolved(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct fetch *f = arg;

	if (result == EVUTIL_EAI_CANCEL) {
		/* Cancelled by fetch_finish: f is already gone. */
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		return;
	}
	f->dns = NULL;
	if (result == EVUTIL_EAI_FAIL && fetch_diagnose(f) == 0)
		return;
	if (result != 0) {
		fetch_fail(f, OUTCOME_RESOLVE, "cannot resolve %s: %s",
		    f->t->host, dns_strerror(result, f->ctx->opts->family));
		return;
	}
	f->ai = f->ai_next = ai;
	fetch_set_state(f, FETCH_CONNECTING);
	fetch_connect_next(f);
}

/* Ask once more, for one family, to learn why the name failed. */
static int
fetch_diagnose(struct fetch *f)
{
	struct fetch_diag *d = xcalloc(1, sizeof(*d));

	d->f = f;
	if (f->ctx->opts->family == AF_INET6)
		d->req = evdns_base_resolve_ipv6(f->ctx->dns, f->t->host, 0,
		    fetch_on_diagnosed, d);
	else
		d->req = evdns_base_resolve_ipv4(f->ctx->dns, f->t->host, 0,
		    fetch_on_diagnosed, d);
	if (d->req == NULL) {
		free(d);
		return -1;
	}
	f->diag = d;
	return 0;
}

static void
fetch_on_diagnosed(int result, char type, int count, int ttl, void *addrs,
    void *arg)
{
	struct fetch_diag *d = arg;
	struct fetch *f = d->f;

	(void)type;
	(void)ttl;
	(void)addrs;
	free(d);
	if (f == NULL)
		return; /* the fetch ended first */
	f->diag = NULL;
	fetch_fail(f, OUTCOME_RESOLVE, "cannot resolve %s: %s", f->t->host,
	    dns_diagnosis(result, count, f->ctx->opts->family));
}

/* Try the remaining addresses in turn; fail with the last error if none. */
static void
fetch_connect_next(struct fetch *f)
{
	struct evutil_addrinfo *ai;

	while ((ai = f->ai_next) != NULL) {
		f->ai_next = ai->ai_next;
		if ((size_t)ai->ai_addrlen > sizeof(f->addr))
			continue;
		memcpy(&f->addr, ai->ai_addr, ai->ai_addrlen);
		f->addrlen = ai->ai_addrlen;
		if (fetch_connect(f) == 0)
			return;
	}
	if (fetch_retry(f))
		return;
	switch (f->last_error) {
	case ETIMEDOUT: /* --connect-timeout, or the kernel gave up */
		fetch_fail(f, OUTCOME_TIMEOUT, "timed out in phase connect");
		break;
	case ECONNREFUSED:
		fetch_fail(f, OUTCOME_REFUSED, "connection refused");
		break;
	case ECONNRESET: /* accepted, then reset before we saw it connect */
		fetch_fail(f, OUTCOME_RESET, "connection reset by peer");
		break;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		fetch_fail(f, OUTCOME_SYSTEM, "cannot connect: %s",
		    strerror(f->last_error));
		break;
	default:
		fetch_fail(f, OUTCOME_CONNECT, "cannot connect: %s",
		    strerror(f->last_error));
		break;
	}
}

/*
 * Open a socket, start connecting to f->addr and watch it; -1 with
 * f->last_error if it failed at once. One edge-triggered registration
 * serves the whole life of the socket: writable once connected, readable
 * as the answer comes. Out of descriptors while other sockets are open,
 * the fetch waits on ctx->parked for one of them to close: a full
 * descriptor table never loses a target.
 */
static int
fetch_connect(struct fetch *f)
{
	const struct sockaddr *sa = (const struct sockaddr *)&f->addr;
	char ip[INET6_ADDRSTRLEN];
	evutil_socket_t fd;

	if (f->ctx->opts->verbose)
		output_trace(f->ctx->out, f->t->text, "connect %s port %u",
		    fetch_ip(f, ip, sizeof(ip)), f->t->port);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 && (errno == EMFILE || errno == ENFILE) &&
	    f->ctx->nsockets > 0) {
		TAILQ_INSERT_TAIL(&f->ctx->parked, f, wait);
		f->parked = 1;
		return 0;
	}
	if (fd == -1) {
		f->last_error = errno;
		return -1;
	}
	/* The scheduler paid for the first; --rate counts every one. */
	if (f->connects++ > 0)
		sched_charge(f->ctx->sched);
	/* Loopback refuses at once; elsewhere we learn it when writable. */
	if (connect(fd, sa, f->addrlen) == -1 && errno != EINPROGRESS) {
		f->last_error = errno;
		close(fd);
		return -1;
	}
	event_assign(&f->io, f->ctx->base, fd,
	    EV_READ | EV_WRITE | EV_ET | EV_PERSIST, fetch_on_io, f);
	if (event_add(&f->io, NULL) == -1) {
		f->last_error = errno;
		close(fd);
		return -1;
	}
	f->fd = fd;
	f->ctx->nsockets++;
	if (f->ctx->connect_timeout != NULL)
		fetch_arm_timer(f, f->ctx->connect_timeout);
	return 0;
}

/*
 * Connect to f->addr, or if that fails at once go on with the next
 * address, a retry or the end: -1 then, and f may be gone.
 */
static int
fetch_connect_addr(struct fetch *f)
{
	if (fetch_connect(f) == 0)
		return 0;
	fetch_connect_next(f);
	return -1;
}

/*
 * The connection failed before any byte of an answer (f->last_error says
 * how): close it and go on with the next address, or a retry, or the end.
 */
static void
fetch_reconnect(struct fetch *f)
{
	fetch_close(f);
	f->sent = 0;
	buf_free(&f->req);
	if (f->state != FETCH_CONNECTING)
		fetch_set_state(f, FETCH_CONNECTING);
	fetch_connect_next(f);
}

/*
 * --retry: after a refused, reset or timed-out connection, try the
 * addresses again after a pause that doubles each time; 1 if a retry is
 * on its way. A pause must end a pause's length before the deadline, to
 * leave the retry some time: otherwise the last error is the outcome.
 */
static int
fetch_retry(struct fetch *f)
{
	const struct options *o = f->ctx->opts;
	long long end_us;
	struct timeval pause;
	long ms = AWGET_RETRY_PAUSE_MS;
	int i;

	if (f->retries >= o->retry ||
	    (f->last_error != ECONNREFUSED && f->last_error != ECONNRESET &&
	        f->last_error != ETIMEDOUT))
		return 0;
	for (i = 0; i < f->retries && ms < AWGET_RETRY_PAUSE_MAX_MS; i++)
		ms *= 2;
	if (ms > AWGET_RETRY_PAUSE_MAX_MS)
		ms = AWGET_RETRY_PAUSE_MAX_MS;
	end_us =
	    f->start_us + o->timeout.tv_sec * 1000000LL + o->timeout.tv_usec;
	if (monotonic_us() + 2 * ms * 1000LL > end_us)
		return 0;
	pause.tv_sec = ms / 1000;
	pause.tv_usec = ms % 1000 * 1000;
	f->retries++;
	f->ctx->stats->retries++;
	if (o->verbose)
		output_trace(f->ctx->out, f->t->text, "retry %d in %ld ms",
		    f->retries, ms);
	f->pausing = 1;
	fetch_arm_timer(f, &pause);
	/* Our descriptor is free while we pause: a waiting target may have it.
	 */
	fetch_unpark(f->ctx);
	return 1;
}

static void
fetch_arm_timer(struct fetch *f, const struct timeval *tv)
{
	if (f->timer == NULL &&
	    (f->timer = evtimer_new(f->ctx->base, fetch_on_timer, f)) == NULL)
		fatalx("cannot create a timer");
	evtimer_add(f->timer, tv);
}

/* The connect took too long, or the pause before a retry is over. */
static void
fetch_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	(void)what;
	if (!f->pausing) {
		if (f->ctx->opts->verbose)
			output_trace(f->ctx->out, f->t->text,
			    "connect timed out");
		f->last_error = ETIMEDOUT;
		fetch_reconnect(f);
		return;
	}
	f->pausing = 0;
	f->ai_next = f->ai;
	if (f->ai != NULL)
		fetch_connect_next(f);
	else
		fetch_connect_addr(f); /* a literal's, or a pin's */
}

void
fetch_unpark(struct awget *ctx)
{
	struct fetch *f;

	/* A fetch that fails at once ends in sched_done, which calls us. */
	if (ctx->unparking)
		return;
	ctx->unparking = 1;
	while ((f = TAILQ_FIRST(&ctx->parked)) != NULL) {
		TAILQ_REMOVE(&ctx->parked, f, wait);
		f->parked = 0;
		if (fetch_connect_addr(f) == 0 && f->parked)
			break; /* still none free */
	}
	ctx->unparking = 0;
}

/* Stop watching the socket and close it. */
static void
fetch_close(struct fetch *f)
{
	if (f->timer != NULL)
		evtimer_del(f->timer); /* a connect's limit ends with it */
	if (f->fd == -1)
		return;
	event_del(&f->io);
	if (f->bev != NULL) {
		fetch_close_tls(f->ctx, f->bev, f->fd);
		f->bev = NULL;
	} else {
		close(f->fd);
		f->ctx->nsockets--;
	}
	f->fd = -1;
}

/*
 * An HTTPS socket's end. Its OpenSSL bufferevent is made without
 * BEV_OPT_CLOSE_ON_FREE, for with it the socket would be closed only in
 * a finalizer, at a time we cannot see, while a target out of
 * descriptors waits for one. Freed from inside one of its callbacks, the
 * bufferevent may still use the SSL once that callback returns: the SSL
 * and the socket are freed from an event made active now, which runs
 * after the callback in progress has returned.
 */
struct fetch_closing {
	struct awget *ctx;
	SSL *ssl;
	evutil_socket_t fd;
	LIST_ENTRY(fetch_closing) entry; /* on ctx->closing */
};

static void
fetch_close_tls(struct awget *ctx, struct bufferevent *bev, evutil_socket_t fd)
{
	struct fetch_closing *c = xmalloc(sizeof(*c));

	c->ctx = ctx;
	c->ssl = bufferevent_openssl_get_ssl(bev);
	c->fd = fd;
	bufferevent_free(bev);
	LIST_INSERT_HEAD(&ctx->closing, c, entry);
	/* A NULL timeout: active at once, run after the current callback. */
	if (event_base_once(ctx->base, -1, EV_TIMEOUT, fetch_on_tls_closed, c,
	        NULL) == -1)
		fatalx("cannot schedule a close");
}

static void
fetch_on_tls_closed(evutil_socket_t unused, short what, void *arg)
{
	struct fetch_closing *c = arg;
	struct awget *ctx = c->ctx;

	(void)unused;
	(void)what;
	LIST_REMOVE(c, entry);
	SSL_free(c->ssl);
	close(c->fd);
	free(c);
	ctx->nsockets--;
	fetch_unpark(ctx);
}

void
fetch_cleanup(struct awget *ctx)
{
	struct fetch_closing *c;

	/* Only if the loop never ran again after the last close. */
	while ((c = LIST_FIRST(&ctx->closing)) != NULL) {
		LIST_REMOVE(c, entry);
		SSL_free(c->ssl);
		close(c->fd);
		free(c);
	}
}

static void
fetch_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	if ((what & EV_WRITE) && f->state == FETCH_CONNECTING && f->t->tls) {
		fetch_start_tls(f);
		return;
	}
	/* Readable too while connecting: a server may speak first. */
	if ((what & EV_WRITE) && f->state <= FETCH_SENDING) {
		if (fetch_send(f) == -1)
			return;
	}
	if (what & EV_READ)
		fetch_receive(f);
}

/*
 * Write the request, or what is left of it; -1 if the fetch has moved on
 * (to the next address, or to its end). The first write also tells how the
 * connect went: after a failed connect it fails with the socket's error.
 * The request is built in the run's scratch buffer; only what the socket
 * would not take yet is kept, in f->req.
 */
static int
fetch_send(struct fetch *f)
{
	struct buf *req = &f->req;
	int first = f->state == FETCH_CONNECTING;
	ssize_t n;

	if (first) {
		req = &f->ctx->scratch;
		req->len = 0;
		http_request_build(f->ctx->req, f->t, req);
	}
	do
		n = write(f->fd, req->data, req->len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		n = 0;
	else if (n == -1 && f->sent == 0) {
		f->last_error = errno;
		fetch_reconnect(f);
		return -1;
	} else if (n == -1) {
		fetch_fail_errno(f, errno);
		return -1;
	}
	/* The socket took the first write: it is connected. */
	if (first)
		fetch_set_state(f, FETCH_SENDING);
	f->sent += n;
	if ((size_t)n < req->len) {
		if (req == &f->req) {
			memmove(req->data, req->data + n, req->len - n);
			req->len -= n;
		} else
			buf_append(&f->req, req->data + n, req->len - n);
		return 0;
	}
	buf_free(&f->req);
	fetch_set_state(f, FETCH_READ_STATUS);
	return 0;
}

/*
 * Read what the socket has, up to EAGAIN as edge triggering asks, and take
 * the lines it completes. Bytes that are not yet a line stay in f->in,
 * never more than one line's limit.
 */
static void
fetch_receive(struct fetch *f)
{
	struct evbuffer_iovec v;
	ssize_t n;

	if (f->in == NULL && (f->in = evbuffer_new()) == NULL)
		fatalx("cannot allocate a buffer");
	for (;;) {
		if (evbuffer_reserve_space(f->in, AWGET_READ_SIZE, &v, 1) < 1)
			fatalx("cannot allocate a buffer");
		n = read(f->fd, v.iov_base, v.iov_len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1 && errno == ECONNRESET && f->resp.bytes == 0 &&
		    evbuffer_get_length(f->in) == 0) {
			/* Reset before any answer: as a connect that failed. */
			f->last_error = errno;
			fetch_reconnect(f);
			return;
		}
		if (n == -1) {
			fetch_fail_errno(f, errno);
			return;
		}
		if (n == 0) {
			fetch_fail(f, OUTCOME_CLOSED,
			    "connection closed before the end of the headers");
			return;
		}
		v.iov_len = n;
		evbuffer_commit_space(f->in, &v, 1);
		if (fetch_take_lines(f, f->in))
			return;
	}
}

/*
 * HTTPS: the TCP connection is up (or failed: SO_ERROR says which). Hand
 * the socket to an OpenSSL bufferevent for the handshake and the rest.
 */
static void
fetch_start_tls(struct fetch *f)
{
	struct awget *ctx = f->ctx;
	socklen_t len = sizeof(int);
	int err = 0;
	SSL *ssl;

	if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		f->last_error = err;
		fetch_reconnect(f);
		return;
	}
	event_del(&f->io);
	fetch_set_state(f, FETCH_TLS_HANDSHAKE);
	if (ctx->tls == NULL) { /* see fetch_start */
		fetch_fail(f, OUTCOME_TLS, "TLS: %s", ctx->tls_error);
		return;
	}
	if ((ssl = tls_ssl_new(ctx->tls, f->t->host, f->t->family != 0)) ==
	    NULL) {
		fetch_fail(f, OUTCOME_SYSTEM, "TLS: cannot create a session");
		return;
	}
	/* Not BEV_OPT_CLOSE_ON_FREE: the SSL and the socket stay ours, on
	 * failure too (see fetch_close_tls). */
	f->bev = bufferevent_openssl_socket_new(ctx->base, f->fd, ssl,
	    BUFFEREVENT_SSL_CONNECTING, 0);
	if (f->bev == NULL) {
		SSL_free(ssl);
		fetch_fail(f, OUTCOME_SYSTEM, "TLS: cannot create a buffer");
		return;
	}
	/* Many servers close without close_notify: that is an EOF to us. */
	bufferevent_openssl_set_allow_dirty_shutdown(f->bev, 1);
	bufferevent_setcb(f->bev, fetch_tls_read, fetch_tls_sent,
	    fetch_tls_event, f);
	/* Never buffer more than one line may take: a longer line fails. */
	bufferevent_setwatermark(f->bev, EV_READ, 0, AWGET_MAX_LINE + 2);
	bufferevent_enable(f->bev, EV_READ | EV_WRITE);
}

static void
fetch_tls_event(struct bufferevent *bev, short what, void *arg)
{
	struct fetch *f = arg;
	struct buf *req = &f->ctx->scratch;
	unsigned long err;
	char msg[256];

	if (what & BEV_EVENT_CONNECTED) {
		fetch_set_state(f, FETCH_SENDING);
		req->len = 0;
		http_request_build(f->ctx->req, f->t, req);
		bufferevent_write(bev, req->data, req->len);
		return;
	}
	err = bufferevent_get_openssl_error(bev);
	if (f->state == FETCH_TLS_HANDSHAKE)
		fetch_fail(f, OUTCOME_TLS, "%s",
		    tls_error(bufferevent_openssl_get_ssl(bev), err, msg,
		        sizeof(msg)));
	else if (what & BEV_EVENT_EOF)
		fetch_fail(f, OUTCOME_CLOSED,
		    "connection closed before the end of the headers");
	else if (err != 0)
		fetch_fail(f, OUTCOME_TLS, "TLS: %s",
		    ERR_reason_error_string(err) != NULL
		        ? ERR_reason_error_string(err)
		        : "error");
	else
		fetch_fail_errno(f, EVUTIL_SOCKET_ERROR());
}

static void
fetch_tls_sent(struct bufferevent *bev, void *arg)
{
	struct fetch *f = arg;

	(void)bev;
	if (f->state == FETCH_SENDING)
		fetch_set_state(f, FETCH_READ_STATUS);
}

static void
fetch_tls_read(struct bufferevent *bev, void *arg)
{
	fetch_take_lines(arg, bufferevent_get_input(bev));
}

/* Take every whole line of the bytes received; 1 if the fetch ended. */
static int
fetch_take_lines(struct fetch *f, struct evbuffer *in)
{
	char mark = f->ctx->opts->json ? JSON_STATUS_MARK : '\0';
	enum http_line what;

	while ((what = http_read_lines(&f->resp, in, &f->out, mark)) !=
	    HTTP_LINE_PARTIAL)
		if (fetch_on_line(f, what))
			return 1;
	return 0;
}

/* Fail with the socket error err, named by class. */
static void
fetch_fail_errno(struct fetch *f, int err)
{
	if (err == ECONNRESET)
		fetch_fail(f, OUTCOME_RESET, "connection reset by peer");
	else
		fetch_fail(f, OUTCOME_NETWORK, "network error: %s",
		    strerror(err));
}

/* Act on what a line was; returns 1 if the fetch has ended. */
static int
fetch_on_line(struct fetch *f, enum http_line what)
{
	switch (what) {
	case HTTP_LINE_STATUS:
		fetch_set_state(f, FETCH_READ_HEADERS);
		return 0;
	case HTTP_LINE_HEADER: /* http_read_lines keeps these */
	case HTTP_LINE_PARTIAL:
		return 0;
	case HTTP_LINE_INTERIM:
		fetch_set_state(f, FETCH_READ_STATUS);
		return 0;
	case HTTP_LINE_END:
		fetch_finish(f, OUTCOME_OK, NULL);
		break;
	case HTTP_LINE_NOT_HTTP:
		fetch_fail(f, OUTCOME_NOT_HTTP, "not an HTTP response");
		break;
	case HTTP_LINE_TOO_LONG:
		fetch_fail(f, OUTCOME_TOO_LARGE,
		    "header line longer than %d bytes", AWGET_MAX_LINE);
		break;
	case HTTP_LINE_TOO_LARGE:
		fetch_fail(f, OUTCOME_TOO_LARGE, "headers larger than %d bytes",
		    AWGET_MAX_HEADER_BYTES);
		break;
	case HTTP_LINE_TOO_MANY_INTERIM:
		fetch_fail(f, OUTCOME_TOO_LARGE,
		    "more than %d interim responses", AWGET_MAX_INTERIM);
		break;
	}
	return 1;
}

static void
fetch_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	(void)fd;
	(void)what;
	fetch_fail(f, OUTCOME_TIMEOUT, "timed out in phase %s",
	    fetch_phase_names[f->state]);
}

static void
fetch_fail(struct fetch *f, enum outcome outcome, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fetch_finish(f, outcome, msg);
}

/* The address in f->addr, as text. */
static const char *
fetch_ip(const struct fetch *f, char *ip, size_t len)
{
	const void *a = f->addr.ss_family == AF_INET
	    ? (const void *)&((const struct sockaddr_in *)&f->addr)->sin_addr
	    : (const void *)&((const struct sockaddr_in6 *)&f->addr)->sin6_addr;

	if (inet_ntop(f->addr.ss_family, a, ip, len) == NULL)
		return "?";
	return ip;
}

/* The target as a URL, for JSON. */
static void
fetch_url(const struct target *t, struct buf *b)
{
	char port[8];

	if (t->tls)
		buf_append(b, "https://", 8);
	else
		buf_append(b, "http://", 7);
	if (t->family == AF_INET6)
		buf_append(b, "[", 1);
	buf_append(b, t->host, strlen(t->host));
	if (t->family == AF_INET6)
		buf_append(b, "]", 1);
	if (t->port != (t->tls ? 443 : 80))
		buf_append(b, port,
		    snprintf(port, sizeof(port), ":%u", t->port));
	buf_append(b, t->path, strlen(t->path));
	buf_append(b, "", 1); /* NUL */
}

/* The outcome as one JSON object; f is NULL for an invalid target. */
static void
fetch_report_json(struct awget *ctx, const struct target *t,
    const struct fetch *f, enum outcome outcome, const char *msg)
{
	struct json_target j = {0};
	struct buf url = {0}, tls = {0};
	char ip[INET6_ADDRSTRLEN];

	j.target = t->text;
	if (t->error == NULL) {
		fetch_url(t, &url);
		j.url = url.data;
	}
	/* Connected: TCP is up from the TLS handshake on. */
	if (f != NULL && f->state >= FETCH_TLS_HANDSHAKE) {
		j.ip = fetch_ip(f, ip, sizeof(ip));
		j.port = t->port;
	}
	if (f != NULL && f->bev != NULL && f->state >= FETCH_SENDING) {
		tls_json(&tls, bufferevent_openssl_get_ssl(f->bev));
		buf_append(&tls, "", 1);
		j.tls = tls.data;
	}
	if (f != NULL) {
		j.retries = f->retries;
		j.time_ms = (long)((monotonic_us() - f->start_us) / 1000);
	}
	if (outcome == OUTCOME_OK) {
		j.lines = f->out.data;
		j.len = f->out.len;
	} else {
		j.error = msg;
		j.error_class = stats_class(outcome);
		if (f != NULL)
			j.phase = fetch_phase_names[f->state];
	}
	ctx->scratch.len = 0;
	json_target(&ctx->scratch, &j);
	output_raw(ctx->out, ctx->scratch.data, ctx->scratch.len);
	buf_free(&url);
	buf_free(&tls);
}

/* Write a target's one outcome, as text or as JSON. */
static void
fetch_report(struct awget *ctx, const struct target *t, const struct fetch *f,
    enum outcome outcome, const char *msg)
{
	if (ctx->opts->json)
		fetch_report_json(ctx, t, f, outcome, msg);
	else if (outcome == OUTCOME_OK)
		output_headers(ctx->out, t->text, f->text_len, f->out.data,
		    f->out.len);
	else
		output_error(ctx->out, t->text, "%s", msg);
}

void
fetch_reject(struct awget *ctx, struct target *t)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "invalid target: %s", t->error);
	fetch_report(ctx, t, NULL, OUTCOME_INVALID_TARGET, msg);
	target_free(t);
}

/* Write the target's one outcome, free it, and free its slot. */
static void
fetch_finish(struct fetch *f, enum outcome outcome, const char *msg)
{
	struct awget *ctx = f->ctx;
	int status;

	fetch_report(ctx, f->t, f, outcome, msg);
	if (ctx->opts->verbose)
		output_trace(ctx->out, f->t->text, "%s -> done",
		    fetch_state_names[f->state]);
	status = f->resp.code;
	fetch_free(f);
	sched_done(ctx->sched, outcome, status);
}

static void
fetch_free(struct fetch *f)
{
	struct evdns_getaddrinfo_request *req = f->dns;

	LIST_REMOVE(f, entry);
	if (f->parked)
		TAILQ_REMOVE(&f->ctx->parked, f, wait);
	event_del(&f->deadline);
	if (req != NULL) {
		/* Its callback runs later with EAI_CANCEL and leaves f alone.
		 */
		f->dns = NULL;
		evdns_getaddrinfo_cancel(req);
	}
	if (f->diag != NULL) {
		/* Its callback runs later, with the answer or DNS_ERR_CANCEL.
		 */
		f->diag->f = NULL;
		evdns_cancel_request(f->ctx->dns, f->diag->req);
		f->diag = NULL;
	}
	fetch_close(f);
	if (f->timer != NULL) /* after fetch_close, which stops it */
		event_free(f->timer);
	if (f->in != NULL)
		evbuffer_free(f->in);
	buf_free(&f->req);
	if (f->ai != NULL)
		evutil_freeaddrinfo(f->ai);
	buf_free(&f->out);
	target_free(f->t);
	free(f);
}

void
fetch_abort_all(struct awget *ctx, const char *why)
{
	struct fetch *f;

	while ((f = LIST_FIRST(&ctx->fetches)) != NULL) {
		if (why != NULL) {
			fetch_report(ctx, f->t, f, OUTCOME_INTERRUPTED, why);
			stats_done(ctx->stats, OUTCOME_INTERRUPTED, 0);
		}
		fetch_free(f);
	}
}
