/*
 * conn_tcp.c: the socket, the stage at the bottom of every connection.
 * conn.c opens it and starts the connect; this stage is up at the first
 * event on the socket, for the connect has then ended one way or the
 * other. No getsockopt(SO_ERROR) is spent to learn which: the first write
 * (the request, or TLS's first flight) fails with the connect's error.
 *
 * A read is made only when the socket may have something (an edge said
 * so), and a short read counts as having drained it, as nginx's
 * ngx_unix_recv judges: edge triggering reports each new arrival, and
 * the peer's end comes as an edge of its own (EV_CLOSED).
 */
#include <errno.h>
#include <unistd.h>

#include "conn_stage.h"

static int
tcp_setup(struct conn_stage *st)
{
	(void)st;
	return 0;
}

static ssize_t
tcp_recv(struct conn_stage *st, void *p, size_t n)
{
	struct conn *c = st->conn;
	ssize_t r;

	if (!conn_readable(c))
		return CONN_AGAIN;
	do
		r = read(conn_fd(c), p, n);
	while (r == -1 && errno == EINTR);
	if (r > 0 && (size_t)r < n && !conn_peer_closed(c))
		conn_drained(c);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		conn_drained(c);
		return CONN_AGAIN;
	}
	return conn_fail_errno(c, errno);
}

static ssize_t
tcp_send(struct conn_stage *st, const void *p, size_t n)
{
	ssize_t r;

	do
		r = write(conn_fd(st->conn), p, n);
	while (r == -1 && errno == EINTR);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return CONN_AGAIN;
	return conn_fail_errno(st->conn, errno);
}

/* The descriptor is conn.c's to close: it opened it. */
static void
tcp_free(struct conn_stage *st)
{
	(void)st;
}

const struct conn_stage_ops conn_tcp_ops = {
    .name = "tcp",
    .phase = "connect",
    .setup = tcp_setup,
    .recv = tcp_recv,
    .send = tcp_send,
    .free = tcp_free,
};
