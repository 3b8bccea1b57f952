/*
 * redirect.h: the rules of -L apart from the I/O: which answers are
 * followed, to where, with which method and which headers; and a hop,
 * an answer already followed, kept until the target's outcome.
 */
#ifndef REDIRECT_H
#define REDIRECT_H

#include <stddef.h>

struct target;

/* An earlier hop of a target's chain: its URL, address and raw head. */
struct hop {
	char *url;
	char *ip;   /* or NULL */
	char *head; /* the proxy's answer to CONNECT, then the server's */
	size_t len;
	size_t proxy_len; /* the proxy's part, or 0 */
};

/* Whether an answer with this status is followed: 301, 302, 303, 307 and
 * 308 (RFC 9110 section 15.4). */
int redirect_status(int);
/* The value of the first Location header of the head's final block (len
 * bytes, as http_response keeps it), in *n; or NULL. */
const char *redirect_location(const char *, size_t, size_t *);
/*
 * The next hop's method after an answer with status code to method: 303
 * makes GET of all but HEAD, 301 and 302 make GET of POST (as browsers
 * and curl do), 307 and 308 keep it.
 */
const char *redirect_method(const char *, int);
/* Whether hop is another origin (scheme, host or port) than t. */
int redirect_foreign(const struct target *, const struct target *);
void hop_free(struct hop *);

#endif /* REDIRECT_H */
