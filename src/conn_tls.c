/*
 * conn_tls.c: TLS as a connection stage. OpenSSL is driven directly on
 * the connection's non-blocking socket, as relayd's check_tls.c and nginx
 * do: SSL_ERROR_WANT_READ and WANT_WRITE both mean "wait for the socket's
 * next edge", which the connection's one edge-triggered event delivers,
 * reading or writing. Its bytes go through a BIO of ours to the stage
 * below (the socket, or a proxy's tunnel), which knows when a read would
 * find nothing and spares the system call. No bufferevent, so no second
 * engine: the socket is closed when the connection says so, and the SSL
 * freed with the stage.
 */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn_stage.h"
#include "options.h"
#include "targets.h"
#include "tls.h"
#include "util.h"

struct tls_stage {
	struct conn_stage st; /* first: a stage pointer is a tls_stage's */
	SSL *ssl;
	int up;           /* the handshake is done */
	int below_failed; /* the stage below failed, and said why */
};

/* The BIO's write: to the stage below; a retry when it would block. */
static int
tls_bio_write(BIO *bio, const char *p, int n)
{
	struct tls_stage *ts = BIO_get_data(bio);
	ssize_t r = ts->st.below->ops->send(ts->st.below, p, n);

	BIO_clear_retry_flags(bio);
	if (r >= 0)
		return (int)r;
	if (r == CONN_AGAIN)
		BIO_set_retry_write(bio);
	else
		ts->below_failed = 1;
	return -1;
}

/* The BIO's read: from the stage below; 0 at its end. */
static int
tls_bio_read(BIO *bio, char *p, int n)
{
	struct tls_stage *ts = BIO_get_data(bio);
	ssize_t r = ts->st.below->ops->recv(ts->st.below, p, n);

	BIO_clear_retry_flags(bio);
	if (r >= 0)
		return (int)r;
	if (r == CONN_AGAIN)
		BIO_set_retry_read(bio);
	else
		ts->below_failed = 1;
	return -1;
}

static long
tls_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	(void)bio;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH; /* nothing is buffered here */
}

static int
tls_bio_create(BIO *bio)
{
	BIO_set_init(bio, 1);
	return 1;
}

/* The run's one BIO method, made at the first HTTPS connection. */
static BIO_METHOD *
tls_bio_method(struct awget *ctx)
{
	BIO_METHOD *m = ctx->tls_bio;

	if (m != NULL)
		return m;
	if ((m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	         "awget stage")) == NULL ||
	    BIO_meth_set_write(m, tls_bio_write) != 1 ||
	    BIO_meth_set_read(m, tls_bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, tls_bio_ctrl) != 1 ||
	    BIO_meth_set_create(m, tls_bio_create) != 1)
		fatalx("cannot make the TLS stage's BIO");
	return ctx->tls_bio = m;
}

/*
 * Map an SSL call's failure onto a stage's return: what OpenSSL waits
 * for is CONN_AGAIN; an end is 0; a socket error is the connection's;
 * anything else is a TLS error, in OpenSSL's words.
 */
static int
tls_failure(struct tls_stage *ts, int r, int handshake)
{
	struct conn *c = ts->st.conn;
	unsigned long err;
	char msg[256];
	int code = SSL_get_error(ts->ssl, r);

	switch (code) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return CONN_AGAIN;
	case SSL_ERROR_ZERO_RETURN: /* close_notify, or a dirty close */
		if (!handshake)
			return 0;
		break;
	case SSL_ERROR_SYSCALL:
		if (ts->below_failed) { /* the stage below said why */
			ERR_clear_error();
			return CONN_ERROR;
		}
		if (ERR_peek_error() == 0 && !handshake)
			return 0;
		break;
	default:
		break;
	}
	err = ERR_peek_last_error();
	ERR_clear_error();
	if (handshake)
		return conn_fail(c, OUTCOME_TLS, "%s",
		    tls_error(ts->ssl, err, msg, sizeof(msg)));
	return conn_fail(c, OUTCOME_TLS, "TLS: %s",
	    ERR_reason_error_string(err) != NULL ? ERR_reason_error_string(err)
	                                         : "error");
}

static int
tls_setup(struct conn_stage *st)
{
	struct tls_stage *ts = (struct tls_stage *)st;
	struct awget *ctx = conn_ctx(st->conn);
	const struct target *t = conn_target(st->conn);
	long verify;
	int r;
	BIO *bio;

	if (ts->ssl == NULL) {
		if (ctx->tls == NULL) /* the trust store failed: see fetch.c */
			return conn_fail(st->conn, OUTCOME_TLS, "TLS: %s",
			    ctx->tls_error);
		if ((ts->ssl = tls_ssl_new(ctx->tls, t->host, t->family != 0,
		         ctx->opts->sni)) == NULL ||
		    (bio = BIO_new(tls_bio_method(ctx))) == NULL) {
			ERR_clear_error();
			return conn_fail(st->conn, OUTCOME_SYSTEM,
			    "TLS: cannot create a session");
		}
		BIO_set_data(bio, ts);
		SSL_set_bio(ts->ssl, bio, bio); /* one reference, the SSL's */
		SSL_set_connect_state(ts->ssl);
	}
	ts->below_failed = 0;
	if ((r = SSL_do_handshake(ts->ssl)) == 1) {
		/*
		 * The handshake goes on whatever the certificate (see
		 * tls_ctx_new), and its verdict is given here: a target whose
		 * certificate fails still has its facts reported (httpx's
		 * users ask for them most on failures), but no request.
		 */
		ts->up = 1;
		verify = SSL_get_verify_result(ts->ssl);
		if (verify != X509_V_OK && !ctx->opts->insecure)
			return conn_fail(st->conn, OUTCOME_TLS,
			    "TLS: certificate verification failed: %s",
			    X509_verify_cert_error_string(verify));
		return 0;
	}
	return tls_failure(ts, r, 1);
}

static ssize_t
tls_recv(struct conn_stage *st, void *p, size_t n)
{
	struct tls_stage *ts = (struct tls_stage *)st;
	int r;

	ts->below_failed = 0;
	if ((r = SSL_read(ts->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n)) > 0)
		return r;
	return tls_failure(ts, r, 0);
}

static ssize_t
tls_send(struct conn_stage *st, const void *p, size_t n)
{
	struct tls_stage *ts = (struct tls_stage *)st;
	int r;

	ts->below_failed = 0;
	if ((r = SSL_write(ts->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n)) > 0)
		return r;
	return tls_failure(ts, r, 0);
}

/*
 * No close_notify: the request said "Connection: close", and a shutdown
 * would cost a write for nothing. The socket below is closed after this.
 */
static void
tls_free(struct conn_stage *st)
{
	struct tls_stage *ts = (struct tls_stage *)st;

	SSL_free(ts->ssl);
	free(ts);
}

static SSL *
tls_stage_ssl(const struct conn_stage *st)
{
	const struct tls_stage *ts = (const struct tls_stage *)st;

	return ts->up ? ts->ssl : NULL;
}

static const struct conn_stage_ops tls_ops = {
    .name = "tls",
    .phase = "tls",
    .setup = tls_setup,
    .recv = tls_recv,
    .send = tls_send,
    .free = tls_free,
    .ssl = tls_stage_ssl,
};

struct conn_stage *
conn_tls_new(struct conn *c, struct conn_stage *below)
{
	struct tls_stage *ts = xcalloc(1, sizeof(*ts));

	ts->st.ops = &tls_ops;
	ts->st.conn = c;
	ts->st.below = below;
	return &ts->st;
}

void
conn_tls_cleanup(struct awget *ctx)
{
	BIO_meth_free(ctx->tls_bio);
	ctx->tls_bio = NULL;
}
