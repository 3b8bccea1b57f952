/*
 * conn_stage.h: what a connection stage is, for conn.c and the stages'
 * own files. A connection is a stack of stages on one socket, after
 * curl's connection filters: each sets itself up over the one below it
 * (a TCP connect, a TLS handshake; a proxy's tunnel would sit between
 * them), then carries bytes for the one above: TLS reads and writes
 * through the stage below it, by a BIO of its own.
 *
 * A stage's calls return a byte count, 0 at the end of the stream, or
 * CONN_AGAIN (wait for the socket) or CONN_ERROR, having said why with
 * conn_fail_errno or conn_fail.
 */
#ifndef CONN_STAGE_H
#define CONN_STAGE_H

#include <sys/types.h>

#include "conn.h"

struct conn_stage;

struct conn_stage_ops {
	const char *name;  /* for -v */
	const char *phase; /* a timeout's phase while it sets up */
	/* Go on setting up: 0 once up, CONN_AGAIN or CONN_ERROR. */
	int (*setup)(struct conn_stage *);
	ssize_t (*recv)(struct conn_stage *, void *, size_t);
	ssize_t (*send)(struct conn_stage *, const void *, size_t);
	void (*free)(struct conn_stage *);
	/* Optional: the TLS session once its handshake is done, or NULL. */
	SSL *(*ssl)(const struct conn_stage *);
	/* Optional: a proxy's answer to CONNECT once the tunnel is open,
	 * raw; or NULL. */
	const char *(*head)(const struct conn_stage *, size_t *);
};

struct conn_stage {
	const struct conn_stage_ops *ops;
	struct conn *conn;
	struct conn_stage *below; /* NULL for the socket */
};

/* The socket: the stage every connection starts with, conn.c's own. */
extern const struct conn_stage_ops conn_tcp_ops;
/* The stages a plan may stack (conn.h's conn_plan), each its file's. */
/* An HTTP proxy's CONNECT tunnel over below (conn_proxy.c). */
conn_stage_new_fn conn_proxy_new;
/* A SOCKS4, 4a, 5 or 5h proxy's tunnel over below (conn_socks.c). */
conn_stage_new_fn conn_socks_new;
/* TLS over below (conn_tls.c), for an https:// target. */
conn_stage_new_fn conn_tls_new;
/* Free the TLS stage's BIO method, made once per run; before the base. */
void conn_tls_cleanup(struct awget *);

/* What a stage may ask of its connection. */
const struct conn_via *conn_via(const struct conn *);
struct awget *conn_ctx(const struct conn *);
const struct target *conn_target(const struct conn *);
int conn_fd(const struct conn *);
/*
 * Whether the socket may have bytes to read: an edge said so, and no read
 * since has found it drained. Reading then costs no system call for
 * nothing; the next edge says when to try again.
 */
int conn_readable(const struct conn *);
/* A read took all there was (EAGAIN, or a short read): wait for an edge. */
void conn_drained(struct conn *);
/* The peer has shut down its side: a short read is no sign of "drained". */
int conn_peer_closed(const struct conn *);
/* With -v, a line about the connection, on stderr. */
void conn_trace(struct conn *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Fail with a socket error (errno's value): CONN_ERROR. */
int conn_fail_errno(struct conn *, int);
/* Fail with an outcome and a message: CONN_ERROR. */
int conn_fail(struct conn *, enum outcome, const char *, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* CONN_STAGE_H */
