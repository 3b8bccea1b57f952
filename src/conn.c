/*
 * conn.c: one connection of a target, the engine under every protocol.
 *
 *   address -> socket + connect -> stages set up, bottom first -> up
 *      ^              |                     |
 *      +--------------+---------------------+  failed before any answer
 *        the next address; with none left, --retry's pause and the first
 *
 * Every connection is one non-blocking socket with one edge-triggered
 * registration for reading and writing, for its whole life: plain HTTP
 * and HTTPS share the path, TLS being one more stage (conn_tls.c). A
 * stage that fails before any answer byte arrived with a refusal, a
 * reset or a timeout is the next address's turn, then a retry's; any
 * other failure is the target's outcome.
 *
 * This file owns the addresses, the socket and its descriptor (admitted
 * by the scheduler when the table is full), --connect-timeout, --retry and
 * the stages. Its owner hears of it only through conn_events, from this
 * file's own events and as their last act: a call into conn_ never calls
 * back, so neither side has to ask whether the other is still there.
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

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

#include "awget.h"
#include "conn.h"
#include "conn_stage.h"
#include "options.h"
#include "output.h"
#include "sched.h"
#include "stats.h"
#include "targets.h"

/* The socket, and the plan's (a proxy's tunnel, TLS). */
#define CONN_MAX_STAGES 3

/* What the connection's timer is set for. */
enum conn_timer {
	CONN_TIMER_CONNECT, /* --connect-timeout */
	CONN_TIMER_PAUSE,   /* --retry's pause, then the first address */
	CONN_TIMER_NEXT,    /* now: the next address */
	CONN_TIMER_FAIL,    /* now: tell the owner it failed */
};

struct conn {
	struct awget *ctx;
	const struct target *t;
	const struct conn_events *ev;
	void *arg;
	struct evutil_addrinfo *ai;      /* resolved addresses, owned */
	struct evutil_addrinfo *ai_next; /* the next one to try */
	union {                          /* the one being tried */
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
	socklen_t addrlen;
	evutil_socket_t fd;  /* -1 between attempts */
	struct event io;     /* fd, edge-triggered, read and write */
	struct event *timer; /* made when first needed: a move, a pause */
	enum conn_timer timer_for;
	/* Flags, in bits: a conn per target in flight, -c of them. */
	unsigned int single_left : 1;  /* without ai: addr not tried yet */
	unsigned int readable : 1;     /* an edge said so, no read drained it */
	unsigned int peer_closed : 1;  /* an edge said the peer shut down */
	unsigned int write_failed : 1; /* a write failed: its error is kept */
	struct sched_wait *wait; /* for a descriptor, made when none is free */
	struct conn_plan plan;   /* the stages over the socket, the tunnel */
	struct conn_stage tcp;
	struct conn_stage *stages[CONN_MAX_STAGES]; /* bottom first */
	int nstages;
	int nup;          /* stages up, from the bottom */
	size_t answered;  /* bytes read by the protocol on this socket */
	int connects;     /* sockets opened, all addresses, all retries */
	int retries;      /* --retry attempts made */
	long long end_us; /* the target's deadline, on monotonic_us() */
	long long connect_us, appconnect_us; /* when TCP, TLS came up, or 0 */
	int err; /* errno of the failure, 0 if not a socket's */
	enum outcome outcome;
	char *msg; /* why it failed; made only then */
};

static void conn_try(struct conn *);

/* A stage's TLS session once its handshake is done, or NULL. */
static SSL *
conn_stage_ssl(const struct conn_stage *st)
{
	return st->ops->ssl != NULL ? st->ops->ssl(st) : NULL;
}
static void conn_on_fd(void *);
static void conn_on_io(evutil_socket_t, short, void *);
static void conn_on_timer(evutil_socket_t, short, void *);

void
conn_trace(struct conn *c, const char *fmt, ...)
{
	char line[768]; /* an escaped proxy line, 160 bytes, fits */
	;
	va_list ap;

	if (!c->ctx->opts->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	output_trace(c->ctx->out, c->t->text, "%s", line);
}

/* Set the timer for why: after tv, or at once (in this loop pass). */
static void
conn_timer(struct conn *c, enum conn_timer why, const struct timeval *tv)
{
	if (c->timer == NULL &&
	    (c->timer = evtimer_new(c->ctx->base, conn_on_timer, c)) == NULL)
		fatalx("cannot make a timer");
	evtimer_del(c->timer);
	c->timer_for = why;
	if (tv != NULL)
		evtimer_add(c->timer, tv);
	else
		event_active(c->timer, EV_TIMEOUT, 1);
}

/* The address in c->addr, as text. */
static const char *
conn_ip(const struct conn *c, char *ip, size_t len)
{
	const void *a = c->addr.sa.sa_family == AF_INET
	    ? (const void *)&((const struct sockaddr_in *)&c->addr)->sin_addr
	    : (const void *)&((const struct sockaddr_in6 *)&c->addr)->sin6_addr;

	if (inet_ntop(c->addr.sa.sa_family, a, ip, len) == NULL)
		return "?";
	return ip;
}

unsigned short
conn_port(const struct conn *c)
{
	return ntohs(c->addr.sa.sa_family == AF_INET ? c->addr.in.sin_port
	                                             : c->addr.in6.sin6_port);
}

/* Close the attempt's stages and socket, top first. */
static void
conn_close(struct conn *c)
{
	int i;

	for (i = c->nstages - 1; i >= 0; i--)
		c->stages[i]->ops->free(c->stages[i]);
	c->nstages = c->nup = 0;
	c->connect_us = c->appconnect_us = 0;
	if (c->fd != -1) {
		event_del(&c->io);
		close(c->fd);
		c->fd = -1;
		sched_fd_closed(c->ctx->sched);
	}
	c->answered = 0;
	c->write_failed = 0;
	c->readable = c->peer_closed = 0;
}

/* Stack the plan's stages on the socket, each over the one below. */
static void
conn_stack(struct conn *c)
{
	conn_stage_new_fn *const *make;

	c->tcp.ops = &conn_tcp_ops;
	c->tcp.conn = c;
	c->tcp.below = NULL;
	c->stages[c->nstages++] = &c->tcp;
	for (make = c->plan.stages; *make != NULL; make++, c->nstages++)
		c->stages[c->nstages] = (*make)(c, c->stages[c->nstages - 1]);
}

/* The entry on the scheduler's queue for a descriptor, made when first
 * needed: most connections never wait for one. */
static struct sched_wait *
conn_wait(struct conn *c)
{
	if (c->wait == NULL) {
		c->wait = xcalloc(1, sizeof(*c->wait));
		c->wait->cb = conn_on_fd;
		c->wait->arg = c;
	}
	return c->wait;
}

/*
 * Open a socket to c->addr and start connecting: 0 if on its way (or
 * waiting for a descriptor), -1 with c->err if it failed at once.
 */
static int
conn_open(struct conn *c)
{
	const struct sockaddr *sa = (const struct sockaddr *)&c->addr;
	char ip[INET6_ADDRSTRLEN];
	evutil_socket_t fd;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	/* Out of descriptors while others are open: one will be ours. */
	if (fd == -1 && (errno == EMFILE || errno == ENFILE) &&
	    sched_fd_wait(c->ctx->sched, conn_wait(c)))
		return 0;
	if (fd == -1) {
		c->err = errno;
		return -1;
	}
	conn_trace(c, "connect %s port %u", conn_ip(c, ip, sizeof(ip)),
	    conn_port(c));
	/* The scheduler paid for the first; --rate counts every one. */
	if (c->connects++ > 0)
		sched_charge(c->ctx->sched);
	/* Loopback refuses at once; elsewhere the first write tells. */
	if (connect(fd, sa, c->addrlen) == -1 && errno != EINPROGRESS) {
		c->err = errno;
		close(fd);
		return -1;
	}
	event_assign(&c->io, c->ctx->base, fd,
	    EV_READ | EV_WRITE | EV_CLOSED | EV_ET | EV_PERSIST, conn_on_io, c);
	if (event_add(&c->io, NULL) == -1) {
		c->err = errno;
		close(fd);
		return -1;
	}
	c->fd = fd;
	sched_fd_opened(c->ctx->sched);
	conn_stack(c);
	if (c->ctx->connect_timeout != NULL)
		conn_timer(c, CONN_TIMER_CONNECT, c->ctx->connect_timeout);
	return 0;
}

/* A descriptor may be free: try the same address again. */
static void
conn_on_fd(void *arg)
{
	struct conn *c = arg;

	if (conn_open(c) == -1)
		conn_try(c);
}

/* The next address into c->addr; 0 if none is left. */
static int
conn_next_address(struct conn *c)
{
	struct evutil_addrinfo *ai;

	if (c->ai == NULL) {
		if (!c->single_left)
			return 0;
		c->single_left = 0;
		return 1;
	}
	while ((ai = c->ai_next) != NULL) {
		c->ai_next = ai->ai_next;
		if ((size_t)ai->ai_addrlen > sizeof(c->addr))
			continue;
		memcpy(&c->addr, ai->ai_addr, ai->ai_addrlen);
		c->addrlen = ai->ai_addrlen;
		return 1;
	}
	return 0;
}

/* Whether a failure with errno err is worth the next address. */
static int
conn_movable(int err)
{
	return err != 0 && err != EMFILE && err != ENFILE && err != ENOBUFS &&
	    err != ENOMEM;
}

/* Whether --retry tries again after errno err. */
static int
conn_retryable(int err)
{
	return err == ECONNREFUSED || err == ECONNRESET || err == EPIPE ||
	    err == ETIMEDOUT;
}

/*
 * --retry: after a refused, reset or timed-out connection, try the
 * addresses again after a pause that doubles each time; 1 if a retry is
 * on its way. A pause must end a pause's length before the deadline, to
 * leave the retry some time: otherwise the last error is the outcome.
 */
static int
conn_retry(struct conn *c)
{
	const struct options *o = c->ctx->opts;
	struct timeval pause;
	long ms = AWGET_RETRY_PAUSE_MS;
	int i;

	if (c->retries >= o->retry || !conn_retryable(c->err))
		return 0;
	for (i = 0; i < c->retries && ms < AWGET_RETRY_PAUSE_MAX_MS; i++)
		ms *= 2;
	if (ms > AWGET_RETRY_PAUSE_MAX_MS)
		ms = AWGET_RETRY_PAUSE_MAX_MS;
	if (monotonic_us() + 2 * ms * 1000LL > c->end_us)
		return 0;
	pause.tv_sec = ms / 1000;
	pause.tv_usec = ms % 1000 * 1000;
	c->retries++;
	c->ctx->stats->retries++;
	conn_trace(c, "retry %d in %ld ms", c->retries, ms);
	conn_timer(c, CONN_TIMER_PAUSE, &pause);
	return 1;
}

/* Fail, at once in this loop pass, with why the last connect failed. */
static void
conn_give_up(struct conn *c)
{
	const char *why = strerror(c->err);

	switch (c->err) {
	case ETIMEDOUT: /* --connect-timeout, or the kernel gave up */
		conn_fail(c, OUTCOME_TIMEOUT, "timed out in phase connect");
		break;
	case ECONNREFUSED:
		conn_fail(c, OUTCOME_REFUSED, "connection refused");
		break;
	case ECONNRESET: /* reset before any answer, on every address */
	case EPIPE:
		conn_fail(c, OUTCOME_RESET, "connection reset by peer");
		break;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		conn_fail(c, OUTCOME_SYSTEM, "cannot connect: %s", why);
		break;
	default:
		conn_fail(c, OUTCOME_CONNECT, "cannot connect: %s", why);
		break;
	}
	conn_timer(c, CONN_TIMER_FAIL, NULL);
}

/* Try the remaining addresses in turn; then a retry, or the end. */
static void
conn_try(struct conn *c)
{
	while (conn_next_address(c))
		if (conn_open(c) == 0)
			return;
	if (!conn_retry(c))
		conn_give_up(c);
}

/*
 * The connection failed before any answer byte, with c->err: the next
 * address, a retry, or the end, from the loop's next pass.
 */
static void
conn_move(struct conn *c)
{
	conn_close(c);
	conn_timer(c, CONN_TIMER_NEXT, NULL);
}

/* Tell the owner the target failed, as the last thing done. */
static void
conn_report(struct conn *c)
{
	c->ev->failed(c->arg, c->outcome, conn_message(c));
}

/*
 * A stage could not set up: move on if the error allows it; else the
 * socket stays as it is until the owner frees it, for its report.
 */
static void
conn_setup_failed(struct conn *c)
{
	if (conn_movable(c->err))
		conn_move(c);
	else
		conn_report(c);
}

static void
conn_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct conn_stage *st;
	int r;

	(void)fd;
	if (what & (EV_READ | EV_CLOSED))
		c->readable = 1;
	if (what & EV_CLOSED)
		c->peer_closed = 1;
	while (c->nup < c->nstages) {
		st = c->stages[c->nup];
		if ((r = st->ops->setup(st)) == CONN_AGAIN)
			return;
		if (r == CONN_ERROR) {
			/* A handshake done, its certificate refused: timed. */
			if (conn_stage_ssl(st) != NULL)
				c->appconnect_us = monotonic_us();
			conn_setup_failed(c);
			return;
		}
		/* Connected: --connect-timeout is done with. */
		if (c->nup++ == 0) {
			c->connect_us = monotonic_us();
			if (c->timer != NULL &&
			    c->timer_for == CONN_TIMER_CONNECT)
				evtimer_del(c->timer);
		} else if (conn_stage_ssl(st) != NULL)
			c->appconnect_us = monotonic_us();
		if (c->nup > 1)
			conn_trace(c, "%s up", st->ops->name);
		if (c->nup == c->nstages) {
			c->ev->up(c->arg);
			return;
		}
	}
	c->ev->io(c->arg);
}

static void
conn_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	switch (c->timer_for) {
	case CONN_TIMER_CONNECT:
		conn_trace(c, "connect timed out");
		c->err = ETIMEDOUT;
		conn_close(c);
		conn_try(c);
		break;
	case CONN_TIMER_PAUSE:
		c->ai_next = c->ai;
		c->single_left = 1;
		conn_try(c);
		break;
	case CONN_TIMER_NEXT:
		conn_try(c);
		break;
	case CONN_TIMER_FAIL:
		conn_report(c);
		break;
	}
}

struct conn *
conn_new(struct awget *ctx, const struct target *t, long long end_us,
    struct evutil_addrinfo *ai, const struct sockaddr *sa, socklen_t salen,
    const struct conn_plan *plan, const struct conn_events *ev, void *arg)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->plan = *plan;
	c->ctx = ctx;
	c->end_us = end_us;
	c->t = t;
	c->ev = ev;
	c->arg = arg;
	c->fd = -1;
	c->ai = c->ai_next = ai;
	if (ai == NULL && salen <= sizeof(c->addr)) {
		memcpy(&c->addr, sa, salen);
		c->addrlen = salen;
		c->single_left = 1;
	}
	conn_try(c);
	return c;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->wait != NULL) {
		sched_fd_unwait(c->ctx->sched, c->wait);
		free(c->wait);
	}
	conn_close(c);
	if (c->timer != NULL)
		event_free(c->timer);
	free(c->msg);
	if (c->ai != NULL)
		evutil_freeaddrinfo(c->ai);
	free(c);
}

ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	struct conn_stage *top;
	ssize_t r;

	if (c->nup == 0 || c->nup < c->nstages)
		return CONN_AGAIN;
	top = c->stages[c->nstages - 1];
	if ((r = top->ops->recv(top, p, n)) > 0) {
		c->answered += r;
		return r;
	}
	if (!c->write_failed && r != CONN_ERROR)
		return r; /* the end, or nothing yet */
	/*
	 * Failed, or all that came before a failed write is read: before
	 * any answer, the next address's turn; after, the target's end.
	 */
	if (c->answered == 0 && conn_movable(c->err)) {
		conn_move(c);
		return CONN_MOVED;
	}
	return CONN_ERROR;
}

ssize_t
conn_write(struct conn *c, const void *p, size_t n)
{
	struct conn_stage *top;
	ssize_t r;

	if (c->write_failed)
		return CONN_ERROR;
	if (c->nup == 0 || c->nup < c->nstages)
		return CONN_AGAIN;
	top = c->stages[c->nstages - 1];
	if ((r = top->ops->send(top, p, n)) == CONN_ERROR) {
		c->write_failed = 1; /* kept while what came first is read */
		c->readable = 1;     /* and that is read without an edge */
	}
	return r;
}

struct awget *
conn_ctx(const struct conn *c)
{
	return c->ctx;
}

const struct target *
conn_target(const struct conn *c)
{
	return c->t;
}

int
conn_fd(const struct conn *c)
{
	return c->fd;
}

int
conn_readable(const struct conn *c)
{
	return c->readable;
}

void
conn_drained(struct conn *c)
{
	c->readable = 0;
}

int
conn_peer_closed(const struct conn *c)
{
	return c->peer_closed;
}

static void conn_message_vset(struct conn *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
static void conn_message_set(struct conn *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Keep why the connection failed (on the failure path only). */
static void
conn_message_vset(struct conn *c, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	free(c->msg);
	c->msg = xstrdup(msg);
}

static void
conn_message_set(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conn_message_vset(c, fmt, ap);
	va_end(ap);
}

/* After a failed write, its error stands: what follows only ends it. */
int
conn_fail_errno(struct conn *c, int err)
{
	if (c->write_failed)
		return CONN_ERROR;
	c->err = err;
	if (err == ECONNRESET || err == EPIPE) {
		c->outcome = OUTCOME_RESET;
		conn_message_set(c, "connection reset by peer");
	} else {
		c->outcome = OUTCOME_NETWORK;
		conn_message_set(c, "network error: %s", strerror(err));
	}
	return CONN_ERROR;
}

int
conn_fail(struct conn *c, enum outcome outcome, const char *fmt, ...)
{
	va_list ap;

	if (c->write_failed)
		return CONN_ERROR;
	c->err = 0;
	c->outcome = outcome;
	va_start(ap, fmt);
	conn_message_vset(c, fmt, ap);
	va_end(ap);
	return CONN_ERROR;
}

enum outcome
conn_outcome(const struct conn *c)
{
	return c->outcome;
}

const char *
conn_message(const struct conn *c)
{
	return c->msg != NULL ? c->msg : "";
}

const char *
conn_phase(const struct conn *c)
{
	if (c->nstages > 0 && c->nup == c->nstages)
		return NULL;
	if (c->nstages == 0 || c->nup == 0)
		return conn_tcp_ops.phase;
	return c->stages[c->nup]->ops->phase;
}

const char *
conn_peer(const struct conn *c, char *buf, size_t len)
{
	if (c->nup == 0)
		return NULL;
	return conn_ip(c, buf, len);
}

int
conn_retries(const struct conn *c)
{
	return c->retries;
}

const struct conn_via *
conn_via(const struct conn *c)
{
	return c->plan.via;
}

const char *
conn_tunnel_head(const struct conn *c, size_t *len)
{
	const char *h;
	int i;

	for (i = 0; i < c->nup; i++)
		if (c->stages[i]->ops->head != NULL &&
		    (h = c->stages[i]->ops->head(c->stages[i], len)) != NULL)
			return h;
	return NULL;
}

SSL *
conn_ssl(const struct conn *c)
{
	SSL *ssl;
	int i;

	/* Also a stage that failed after its handshake: a certificate
	 * that did not verify is reported with its facts. */
	for (i = 0; i < c->nstages; i++)
		if ((ssl = conn_stage_ssl(c->stages[i])) != NULL)
			return ssl;
	return NULL;
}

void
conn_times(const struct conn *c, long long *connect_us,
    long long *appconnect_us)
{
	*connect_us = c->connect_us;
	*appconnect_us = c->appconnect_us;
}
