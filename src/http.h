/*
 * http.h: the HTTP/1.x pieces that need no I/O: build the request, parse a
 * status line, split a header line.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include "util.h"

struct target;
struct proxy;

/* What every target is sent, prepared once per run. */
struct http_request {
	char *method;
	const char *version; /* "HTTP/1.1" or "HTTP/1.0" */
	char *host;          /* -H "Host: x" replaces the target's, or NULL */
	int no_host;         /* -H "Host:" removes it */
	char *fields;        /* the other header lines, CRLF each, then CRLF */
	size_t fields_len;
	char *foreign_fields; /* the same without credentials (-L) */
	size_t foreign_fields_len;
};

/* A parsed status line; reason points into the line. */
struct http_status {
	int major, minor;
	size_t version_len; /* "HTTP/1.1": 8; "HTTP/2": 6 */
	int code;
	const char *reason;
	size_t reason_len;
};

/*
 * Where a response stands (RFC 9112 section 2). Its head is kept as it
 * came, raw: every status and header line with its line end, 1xx blocks
 * too, through the blank line that ends the final block; escaping is the
 * output's business. The limits count these held bytes.
 */
struct http_response {
	struct buf head; /* the lines so far, then the start of the next */
	size_t line;     /* where the line not yet whole starts */
	size_t scan;     /* how far it has been searched for a line end */
	size_t scanned;  /* bytes searched in all: never more than added */
	int in_headers;  /* the status line of this block has been read */
	int code;        /* its status code */
	int interim;     /* 1xx blocks read */
	int done;        /* the head is whole: head.len is its end */
	size_t held;     /* bytes held already for this target (-L's earlier
	                    hops), counted against the same limit */
};

/* What one line of a response is, or why the response is refused. */
enum http_line {
	HTTP_LINE_STATUS,    /* a status line */
	HTTP_LINE_HEADER,    /* a header line, or a continuation */
	HTTP_LINE_INTERIM,   /* the blank line after a 1xx block */
	HTTP_LINE_END,       /* the blank line after the final block */
	HTTP_LINE_PARTIAL,   /* not a whole line yet: wait for more */
	HTTP_LINE_NOT_HTTP,  /* the first line is not "HTTP/d.d ddd ..." */
	HTTP_LINE_TOO_LONG,  /* a line over AWGET_MAX_LINE */
	HTTP_LINE_TOO_LARGE, /* the head over AWGET_MAX_HEADER_BYTES */
	HTTP_LINE_TOO_MANY_INTERIM, /* over AWGET_MAX_INTERIM 1xx blocks */
};

/* Judge one line (without its line end) of a response. */
enum http_line http_response_line(struct http_response *, const char *, size_t);
/*
 * Judge len bytes that hold no line end yet, p being at least their first
 * 5: HTTP_LINE_PARTIAL if they may still become a good line.
 */
enum http_line http_response_partial(const struct http_response *, const char *,
    size_t);

/* Append n bytes received; once the head is whole, they are dropped. */
void http_response_add(struct http_response *, const void *, size_t);
/*
 * Read on through the whole lines added (a line ends with LF or CRLF),
 * and return at the first one that moves the response on: a status line,
 * the end of a block, a refusal; or HTTP_LINE_PARTIAL once no whole line
 * is left and the bytes waiting for their line end may still make a good
 * one. A byte is searched for a line end once, however it was split.
 */
enum http_line http_response_next(struct http_response *);
/*
 * The line at *off of a head (as http_response keeps it), without its
 * line end, in *len; *off moves past it. NULL at the end.
 */
const char *http_head_line(const char *, size_t, size_t *, size_t *);
void http_response_free(struct http_response *);

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
/*
 * Append the whole request for t to b: with method instead of the run's
 * unless NULL; foreign: t is a redirect's hop to another origin (scheme,
 * host or port) than the target's, which gets no -H Host, Authorization
 * or Cookie; proxy: through this HTTP proxy, without a tunnel, so in
 * absolute form (RFC 9112 section 3.2.2), with its credentials.
 */
void http_request_build(const struct http_request *, const struct target *,
    const char *, int, const struct proxy *, struct buf *);

/* Parse "HTTP/d.d ddd[ reason]"; -1 if the line is not a status line. */
int http_parse_status(const char *, size_t, struct http_status *);

/*
 * Split "Name: value": the name's length, and the value's offset and length
 * with surrounding blanks removed. -1 for a line with no name (an obs-fold
 * continuation or no colon).
 */
int http_split_header(const char *, size_t, size_t *, size_t *, size_t *);

#endif /* HTTP_H */
