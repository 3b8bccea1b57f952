/* tls.h: the run's one SSL_CTX, and an SSL per target. */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct buf;
struct options;

/*
 * The context for every HTTPS target: the system trust store, or cafile;
 * peer verification unless -k; --tls-max. NULL on failure, with why in
 * err (errlen bytes).
 */
SSL_CTX *tls_ctx_new(const char *, const struct options *, char *, size_t);
void tls_ctx_free(SSL_CTX *);
/* An SSL for host: SNI unless an IP literal, and the name or address the
 * certificate must carry; sni (--sni) in their place, or "" for no SNI.
 * NULL if OpenSSL fails. */
SSL *tls_ssl_new(SSL_CTX *, const char *, int, const char *);
/*
 * Why a handshake failed, from the verify result and OpenSSL's error code
 * (ERR_peek_last_error), into msg: "certificate has expired",
 * "hostname mismatch", ... Returns msg.
 */
const char *tls_error(SSL *, unsigned long, char *, size_t);
/* Append the JSON "tls" object for an established session. */
void tls_json(struct buf *, SSL *);

#endif /* TLS_H */
