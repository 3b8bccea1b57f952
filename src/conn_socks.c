/*
 * conn_socks.c: a SOCKS proxy's tunnel as a connection stage, between the
 * socket and TLS (or the plain request), where conn_proxy.c's CONNECT
 * sits for an HTTP proxy. socks.c says what to write and how much of the
 * answer to read; this stage moves those bytes through the stage below,
 * each message whole and each answer to the byte, never past it: what
 * follows is the stage above's.
 */
#include <stdlib.h>

#include "conn_stage.h"
#include "socks.h"
#include "targets.h"
#include "util.h"

struct socks_stage {
	struct conn_stage st; /* first: a stage pointer is a socks_stage's */
	struct socks s;
	size_t sent; /* of s.out */
	int started;
};

/*
 * The address to send: the target's own when it is one, else the one
 * fetch.c found for socks4:// and socks5://; none (send the name) for
 * socks4a:// and socks5h://.
 */
static void
socks_begin(struct socks_stage *ss)
{
	const struct conn_via *via = conn_via(ss->st.conn);
	const struct target *t = conn_target(ss->st.conn);

	if (t->family != 0)
		socks_start(&ss->s, via->proxy, t->host, t->family, t->addr,
		    t->port);
	else
		socks_start(&ss->s, via->proxy, t->host, via->family,
		    via->family != 0 ? via->addr : NULL, t->port);
	ss->started = 1;
}

static int
socks_setup(struct conn_stage *st)
{
	struct socks_stage *ss = (struct socks_stage *)st;
	struct socks *s = &ss->s;
	ssize_t r;

	if (!ss->started)
		socks_begin(ss);
	while (s->state != SOCKS_UP) {
		if (s->state == SOCKS_FAILED)
			return conn_fail(st->conn, OUTCOME_PROXY, "%s", s->err);
		while (ss->sent < s->outlen) {
			r = st->below->ops->send(st->below, s->out + ss->sent,
			    s->outlen - ss->sent);
			if (r < 0)
				return (int)r;
			ss->sent += (size_t)r;
		}
		while (s->inlen < s->want) {
			r = st->below->ops->recv(st->below, s->in + s->inlen,
			    s->want - s->inlen);
			if (r < 0)
				return (int)r;
			if (r == 0)
				return conn_fail(st->conn, OUTCOME_PROXY,
				    "%s proxy %s closed the connection during "
				    "the handshake",
				    socks_version(s), s->proxy->shown);
			s->inlen += (size_t)r;
		}
		ss->sent = 0;
		socks_answer(s);
	}
	return 0;
}

static ssize_t
socks_recv(struct conn_stage *st, void *p, size_t n)
{
	return st->below->ops->recv(st->below, p, n);
}

static ssize_t
socks_send(struct conn_stage *st, const void *p, size_t n)
{
	return st->below->ops->send(st->below, p, n);
}

static void
socks_free(struct conn_stage *st)
{
	struct socks_stage *ss = (struct socks_stage *)st;

	socks_wipe(&ss->s);
	free(ss);
}

static const struct conn_stage_ops socks_ops = {
    .name = "socks",
    .phase = "proxy",
    .setup = socks_setup,
    .recv = socks_recv,
    .send = socks_send,
    .free = socks_free,
};

struct conn_stage *
conn_socks_new(struct conn *c, struct conn_stage *below)
{
	struct socks_stage *ss = xcalloc(1, sizeof(*ss));

	ss->st.ops = &socks_ops;
	ss->st.conn = c;
	ss->st.below = below;
	return &ss->st;
}
