/*
 * redirect.c: the rules of -L apart from the I/O (see fetch.c for the
 * chain itself, url.c for resolving the Location).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "redirect.h"
#include "targets.h"

int
redirect_status(int code)
{
	return code == 301 || code == 302 || code == 303 || code == 307 ||
	    code == 308;
}

const char *
redirect_location(const char *head, size_t len, size_t *n)
{
	const char *line, *found = NULL;
	size_t off = 0, ln, nlen, voff, vlen, block = 0;

	/* The final block starts after the last blank line but the end. */
	while ((line = http_head_line(head, len, &off, &ln)) != NULL)
		if (ln == 0 && off < len)
			block = off;
	off = block;
	while ((line = http_head_line(head, len, &off, &ln)) != NULL && ln > 0)
		if (found == NULL &&
		    http_split_header(line, ln, &nlen, &voff, &vlen) == 0 &&
		    nlen == 8 && strncasecmp(line, "Location", 8) == 0) {
			found = line + voff;
			*n = vlen;
		}
	return found;
}

const char *
redirect_method(const char *method, int code)
{
	if (code == 303 && strcmp(method, "HEAD") != 0)
		return "GET";
	if ((code == 301 || code == 302) && strcmp(method, "POST") == 0)
		return "GET";
	return method;
}

int
redirect_foreign(const struct target *t, const struct target *hop)
{
	return t->tls != hop->tls || t->port != hop->port ||
	    strcasecmp(t->host, hop->host) != 0;
}

void
hop_free(struct hop *h)
{
	free(h->url);
	free(h->ip);
	free(h->head);
}
