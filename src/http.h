/*
 * http.h: the HTTP/1.x pieces that need no I/O: build the request, parse a
 * status line, split a header line.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

struct buf;
struct target;

/* What every target is sent, prepared once per run. */
struct http_request {
	char *method;
	const char *version; /* "HTTP/1.1" or "HTTP/1.0" */
	char *host;          /* -H "Host: x" replaces the target's, or NULL */
	int no_host;         /* -H "Host:" removes it */
	char *fields;        /* the other header lines, CRLF each, then CRLF */
	size_t fields_len;
};

/* A parsed status line; reason points into the line. */
struct http_status {
	int major, minor;
	int code;
	const char *reason;
	size_t reason_len;
};

/*
 * Check one -H argument: "Name: value" adds or replaces, "Name:" removes a
 * default header, "Name;" sends it empty (as curl does). NULL if usable,
 * else why not.
 */
const char *http_check_header(const char *);

/* Prepare the request; headers are -H arguments already checked. */
struct http_request *http_request_new(const char *, int, const char *,
    char *const *, size_t);
void http_request_free(struct http_request *);
/* Append the whole request for t to b. */
void http_request_build(const struct http_request *, const struct target *,
    struct buf *);

/* Parse "HTTP/d.d ddd[ reason]"; -1 if the line is not a status line. */
int http_parse_status(const char *, size_t, struct http_status *);

/*
 * Split "Name: value": the name's length, and the value's offset and length
 * with surrounding blanks removed. -1 for a line with no name (an obs-fold
 * continuation or no colon).
 */
int http_split_header(const char *, size_t, size_t *, size_t *, size_t *);

#endif /* HTTP_H */
