/*
 * h2.h: one HTTP/2 request on a connection, and its answer's header
 * blocks, on nghttp2 (its framing and HPACK; nothing hand-written). The
 * blocks come out as HTTP/1-style text, "HTTP/2 200", then "name: value"
 * lines as received, then a blank line, into the same http_response (and
 * its limits) an HTTP/1 answer goes through; curl -D shows them so.
 */
#ifndef H2_H
#define H2_H

#include <stddef.h>

#include "awget.h"

struct buf;
struct h2;
struct http_response;

/* A client session answering into resp (not owned); NULL on failure. */
struct h2 *h2_new(struct http_response *);
void h2_free(struct h2 *);
/*
 * Queue our SETTINGS and the request: req, the HTTP/1 text of
 * http_request_build, becomes HEADERS with END_STREAM (its request line
 * :method and :path, Host :authority, the other fields in lower case but
 * HTTP/1's connection-specific ones), scheme https if tls. 0, or -1.
 */
int h2_request(struct h2 *, const char *, size_t, int);
/*
 * Append to b the bytes nghttp2 has to send (the preface, frames); fetch.c
 * asks only when the socket has taken all it had, so that nghttp2's own
 * bound on unanswered frames (a PING flood's ACKs) holds. 0, or -1 once
 * the session has failed (h2_error says how).
 */
int h2_pending(struct h2 *, struct buf *);
/*
 * Take n bytes from the server: 0, with any header block now whole added
 * to the response; or -1, the session failed (h2_error says how; what
 * nghttp2 has left to say, its GOAWAY, h2_pending still gives).
 */
int h2_recv(struct h2 *, const void *, size_t);
/* How the session failed: the first failure, its words kept in the h2. */
void h2_error(const struct h2 *, enum outcome *, const char **);
/* The headers are in: RST_STREAM (CANCEL) unless the server has ended
 * the stream, and GOAWAY (NO_ERROR), appended to out. */
void h2_bye(struct h2 *, struct buf *);
#endif /* H2_H */
