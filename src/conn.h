/*
 * conn.h: one connection of a target, from its first address to the
 * protocol's bytes. A connection tries the target's addresses in turn
 * (with --retry and --connect-timeout), sets up its stages on the socket
 * (TCP, then TLS for https://), and then carries the protocol's reads and
 * writes through them.
 */
#ifndef CONN_H
#define CONN_H

#include <sys/types.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "awget.h"

struct conn;
struct target;
struct conn_stage;
struct evutil_addrinfo;
struct proxy;

/*
 * What a connection tells its owner. Each is called from the connection's
 * own events, never from inside a conn_ call, and is the last thing the
 * connection does: the owner may free it there.
 */
struct conn_events {
	/* Every stage is up: start the protocol (again, after a move). */
	void (*up)(void *);
	/* Up, and the socket has become readable or writable. */
	void (*io)(void *);
	/* No address and no retry left: the target's outcome. */
	void (*failed)(void *, enum outcome, const char *);
};

/*
 * A connection through a proxy's tunnel: the proxy, and for socks4:// and
 * socks5:// the target's address, found here (family 0: the proxy is
 * given the name, as socks4a, socks5h and HTTP proxies are). The owner's,
 * outliving the connection.
 */
struct conn_via {
	const struct proxy *proxy;
	int family;
	unsigned char addr[16];
};

/* Makes a connection stage over the one below it (conn_stage.h). */
typedef struct conn_stage *conn_stage_new_fn(struct conn *,
    struct conn_stage *);

/*
 * What a connection is to be above its socket, as its owner chose: the
 * stages bottom up (a proxy's tunnel, then TLS), NULL after the last, and
 * the tunnel's target, or NULL. conn_new copies it; via is the owner's,
 * outliving the connection. The engine knows no stage by name.
 */
struct conn_plan {
	const struct conn_via *via;
	conn_stage_new_fn *stages[3];
};

/* What conn_read and conn_write return besides a byte count. */
#define CONN_AGAIN (-1) /* nothing now: wait for io */
#define CONN_ERROR (-2) /* failed: conn_outcome and conn_message say how */
#define CONN_MOVED (-3) /* reset before any answer: wait for up again */

/*
 * Connect for t (not owned; it outlives the connection), whose deadline
 * is at end_us (monotonic_us()), to the addresses ai (owned), or if ai is
 * NULL to sa alone (a proxy's), with plan's stages over each socket,
 * telling ev's functions with arg.
 */
struct conn *conn_new(struct awget *, const struct target *, long long,
    struct evutil_addrinfo *, const struct sockaddr *, socklen_t,
    const struct conn_plan *, const struct conn_events *, void *);
void conn_free(struct conn *);

/*
 * Read up to n bytes of the answer: a count, 0 at its end, or CONN_AGAIN,
 * CONN_ERROR, CONN_MOVED. After a write failed, this reads what had
 * arrived before it, and then fails with the write's error; a connection
 * that fails before any answer byte moves to the next address or a retry.
 */
ssize_t conn_read(struct conn *, void *, size_t);
/*
 * Write up to n bytes: a count, CONN_AGAIN, or CONN_ERROR. After an
 * error, read on: an answer may have come before it.
 */
ssize_t conn_write(struct conn *, const void *, size_t);

/* Why the last call failed with CONN_ERROR. */
enum outcome conn_outcome(const struct conn *);
const char *conn_message(const struct conn *);
/* The stage setting up ("connect", "tls"), or NULL once all are up. */
const char *conn_phase(const struct conn *);
/* The address connected to, as text in buf, or NULL before TCP is up. */
const char *conn_peer(const struct conn *, char *, size_t);
/* The port of the address being tried (--connect-to may change it). */
unsigned short conn_port(const struct conn *);
/* --retry attempts made. */
int conn_retries(const struct conn *);
/* The proxy's answer to CONNECT once the tunnel is open, raw; or NULL. */
const char *conn_tunnel_head(const struct conn *, size_t *);
/* The TLS session once its handshake is done (even if the certificate
 * then failed the check), or NULL. */
SSL *conn_ssl(const struct conn *);
/* When (monotonic_us()) TCP and TLS came up on the last socket, or 0. */
void conn_times(const struct conn *, long long *, long long *);

#endif /* CONN_H */
