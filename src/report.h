/* report.h: a target's one outcome, written as text or as JSON. */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "awget.h"

struct hop;
struct target;

/* What is known of a target when it ends; NULL or 0 where unknown. */
struct report {
	const struct target *t;
	enum outcome outcome;
	const char *msg;   /* a failure: why */
	const char *phase; /* a failure: the phase it ended in, or NULL */
	const char *head;  /* success: the response head, raw */
	size_t len;
	const char *ip;      /* the address connected to */
	unsigned short port; /* and its port (the last hop's, with -L) */
	SSL *ssl;            /* the TLS session, its handshake done */
	int retries;
	long time_ms;
	const long long *timing; /* json.h's phases, or NULL */
	/* -L: the URL of the last hop, the earlier hops, and why the final
	 * answer, a redirect, was not followed (or NULL). */
	const char *final_url;
	const struct hop *hops;
	size_t nhops;
	const char *redirect_error;
	const char *proxy;      /* the proxy it went through, shown, or NULL */
	const char *proxy_head; /* its answer to CONNECT, raw, or NULL */
	size_t proxy_len;
};

/*
 * Write r: every hop's head and then the final one on stdout, or the
 * hops' and one error line on stderr; with -j, one JSON object on stdout.
 * Quiet if r->msg is NULL for a failure.
 */
void report_write(struct awget *, const struct report *);

#endif /* REPORT_H */
