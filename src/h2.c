/*
 * h2.c: one HTTP/2 request and its answer's headers, on nghttp2, driven
 * by fetch.c from the event loop: nghttp2 reads the bytes we hand it
 * (nghttp2_session_mem_recv) and hands back the bytes to write
 * (nghttp2_session_mem_send); its callbacks give us each header field,
 * which goes on as HTTP/1-style text into the target's http_response, as
 * curl -D shows an HTTP/2 answer: "HTTP/2 200", then the fields in order,
 * lower case as received, the pseudo-headers left out.
 *
 * The server's bytes are hostile: HPACK can make a few bytes into many
 * (an index into its table is one byte), so the header bytes are counted
 * as they are decoded and the session stops at the same limit as HTTP/1's
 * head, long before any memory could pile up.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nghttp2/nghttp2.h>

#include "escape.h"
#include "h2.h"
#include "http.h"
#include "util.h"

/* Frames of the default largest size (16384) a head within the limit
 * may take, after its HEADERS frame. */
#define H2_MAX_CONTINUATIONS (AWGET_MAX_HEADER_BYTES / 16384 + 1)
/* Of nghttp2's words on a failure, which may quote the peer's bytes. */
#define H2_MAX_QUOTE 200

struct h2 {
	nghttp2_session *session;
	struct http_response *resp;
	int32_t stream;              /* our request's, or 0 before it */
	size_t bytes;                /* header text made, all blocks */
	unsigned int got_frame : 1;  /* the server has sent a frame */
	unsigned int final_done : 1; /* the final header block is whole */
	unsigned int interim : 1;    /* the block being read is a 1xx */
	enum outcome outcome;        /* a callback's failure */
	char msg[1024];
};

/* A callback's failure: the first is kept, and nghttp2 told to stop. */
static int h2_fail(struct h2 *, enum outcome, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
h2_fail(struct h2 *h, enum outcome outcome, const char *fmt, ...)
{
	va_list ap;

	/* Once the final head is whole it is the answer, whatever frames
	 * come after it in the same read. */
	if (h->final_done)
		return 0;
	if (h->msg[0] == '\0') { /* the first failure is the one said */
		h->outcome = outcome;
		va_start(ap, fmt);
		vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
		va_end(ap);
	}
	return NGHTTP2_ERR_CALLBACK_FAILURE;
}

/* Add text to the answer, within the head's limit. */
static int
h2_add(struct h2 *h, const void *p, size_t n)
{
	h->bytes += n;
	if (h->bytes + h->resp->held > AWGET_MAX_HEADER_BYTES)
		return h2_fail(h, OUTCOME_TOO_LARGE,
		    "headers larger than %d bytes", AWGET_MAX_HEADER_BYTES);
	http_response_add(h->resp, p, n);
	return 0;
}

static int
h2_on_header(nghttp2_session *s, const nghttp2_frame *frame,
    const uint8_t *name, size_t namelen, const uint8_t *value, size_t valuelen,
    uint8_t flags, void *arg)
{
	struct h2 *h = arg;

	(void)s;
	(void)flags;
	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->hd.stream_id != h->stream || h->final_done)
		return 0; /* trailers, or another stream's */
	if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
		h->interim = valuelen == 3 && value[0] == '1';
		if (h2_add(h, "HTTP/2 ", 7) != 0 ||
		    h2_add(h, value, valuelen) != 0)
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		return h2_add(h, "\r\n", 2);
	}
	if (namelen > 0 && name[0] == ':')
		return 0;
	if (h2_add(h, name, namelen) != 0 || h2_add(h, ": ", 2) != 0 ||
	    h2_add(h, value, valuelen) != 0)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	return h2_add(h, "\r\n", 2);
}

static int
h2_on_frame(nghttp2_session *s, const nghttp2_frame *frame, void *arg)
{
	struct h2 *h = arg;

	(void)s;
	h->got_frame = 1;
	/* A GOAWAY that covers our stream still lets its answer come
	 * (nginx sends one with it, to close after the answer). */
	if (frame->hd.type == NGHTTP2_GOAWAY && !h->final_done &&
	    frame->goaway.last_stream_id < h->stream)
		return h2_fail(h, OUTCOME_CLOSED,
		    "HTTP/2 GOAWAY before the headers: %s",
		    nghttp2_http2_strerror(frame->goaway.error_code));
	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->hd.stream_id != h->stream || h->final_done ||
	    !(frame->hd.flags & NGHTTP2_FLAG_END_HEADERS))
		return 0;
	/* A block is whole: the final one unless its status was 1xx. */
	if (h2_add(h, "\r\n", 2) != 0)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	if (!h->interim)
		h->final_done = 1;
	return 0;
}

static int
h2_on_close(nghttp2_session *s, int32_t stream, uint32_t code, void *arg)
{
	struct h2 *h = arg;

	(void)s;
	if (stream == h->stream && !h->final_done)
		return h2_fail(h, OUTCOME_CLOSED,
		    "HTTP/2 stream closed before the headers: %s",
		    nghttp2_http2_strerror(code));
	return 0;
}

/* A frame nghttp2 refused (on a stream 0 DATA, a bad SETTINGS, ...): the
 * peer broke HTTP/2, and the session ends. */
static int
h2_on_invalid(nghttp2_session *s, const nghttp2_frame *frame, int code,
    void *arg)
{
	static const char *const types[] = {"DATA", "HEADERS", "PRIORITY",
	    "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
	    "WINDOW_UPDATE", "CONTINUATION"};
	struct h2 *h = arg;

	(void)s;
	return h2_fail(h, OUTCOME_NOT_HTTP,
	    "HTTP/2 protocol error (invalid %s frame on stream %d: %s)",
	    frame->hd.type < sizeof(types) / sizeof(types[0])
	        ? types[frame->hd.type]
	        : "unknown",
	    (int)frame->hd.stream_id, nghttp2_strerror(code));
}

/*
 * The GOAWAY nghttp2 sends when it ends the session for a broken rule
 * carries its reason ("DATA: stream_id == 0"): the peer's failure, said
 * in nghttp2's words. Ours at the end (h2_bye) is NO_ERROR.
 */
static int
h2_on_send(nghttp2_session *s, const nghttp2_frame *frame, void *arg)
{
	struct h2 *h = arg;
	char esc[ESCAPE_MAX(H2_MAX_QUOTE) + 1];
	size_t n = frame->goaway.opaque_data_len;

	(void)s;
	if (frame->hd.type != NGHTTP2_GOAWAY ||
	    frame->goaway.error_code == NGHTTP2_NO_ERROR || h->final_done)
		return 0;
	esc[n > 0 ? escape_bytes(esc, frame->goaway.opaque_data,
	                n > H2_MAX_QUOTE ? H2_MAX_QUOTE : n)
	          : 0] = '\0';
	h2_fail(h, OUTCOME_NOT_HTTP, "HTTP/2 protocol error (%s%s%s)",
	    nghttp2_http2_strerror(frame->goaway.error_code), n > 0 ? ": " : "",
	    esc);
	return 0;
}

/*
 * nghttp2's words when it ends the session: the peer broke HTTP/2. They
 * may quote the peer's bytes (a bad field's name and value): escaped, as
 * every byte a server sends is.
 */
static int
h2_on_error(nghttp2_session *s, int code, const char *msg, size_t len,
    void *arg)
{
	struct h2 *h = arg;
	char esc[ESCAPE_MAX(H2_MAX_QUOTE) + 1];

	(void)s;
	(void)code;
	esc[len > 0 ? escape_bytes(esc, msg,
	                  len > H2_MAX_QUOTE ? H2_MAX_QUOTE : len)
	            : 0] = '\0';
	h2_fail(h, OUTCOME_NOT_HTTP, "%s (%s)",
	    h->got_frame ? "HTTP/2 protocol error" : "not an HTTP/2 answer",
	    esc);
	return 0;
}

struct h2 *
h2_new(struct http_response *resp)
{
	nghttp2_session_callbacks *cb;
	nghttp2_option *opt;
	struct h2 *h = xcalloc(1, sizeof(*h));
	int r;

	h->resp = resp;
	if (nghttp2_session_callbacks_new(&cb) != 0) {
		free(h);
		return NULL;
	}
	nghttp2_session_callbacks_set_on_header_callback(cb, h2_on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, h2_on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, h2_on_close);
	nghttp2_session_callbacks_set_error_callback2(cb, h2_on_error);
	nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cb,
	    h2_on_invalid);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, h2_on_send);
	if (nghttp2_option_new(&opt) != 0) {
		nghttp2_session_callbacks_del(cb);
		free(h);
		return NULL;
	}
	/* Enough CONTINUATION frames for a head within the limit, no more
	 * (nghttp2's check against floods of empty ones, CVE-2024-28182). */
	nghttp2_option_set_max_continuations(opt, H2_MAX_CONTINUATIONS);
	r = nghttp2_session_client_new2(&h->session, cb, h, opt);
	nghttp2_option_del(opt);
	nghttp2_session_callbacks_del(cb);
	if (r != 0) {
		free(h);
		return NULL;
	}
	return h;
}

void
h2_free(struct h2 *h)
{
	if (h == NULL)
		return;
	nghttp2_session_del(h->session);
	free(h);
}

/* HTTP/1's connection-specific fields, which HTTP/2 forbids. */
static int
h2_dropped(const char *name, size_t n)
{
	static const char *const names[] = {"host", "connection", "keep-alive",
	    "proxy-connection", "transfer-encoding", "upgrade", "te"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n &&
		    strncasecmp(name, names[i], n) == 0)
			return 1;
	return 0;
}

static void
h2_nv(nghttp2_nv *nv, const char *name, size_t nl, const char *value, size_t vl)
{
	nv->name = (uint8_t *)(uintptr_t)name;
	nv->namelen = nl;
	nv->value = (uint8_t *)(uintptr_t)value;
	nv->valuelen = vl;
	nv->flags = NGHTTP2_NV_FLAG_NONE;
}

int
h2_request(struct h2 *h, const char *req, size_t len, int tls)
{
	/* Our own settings: no push; a window of 0, since we read no body
	 * (so none is sent: RFC 9113 6.9.2 allows it); the head's limit. */
	const nghttp2_settings_entry iv[] = {
	    {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
	    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0},
	    {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, AWGET_MAX_HEADER_BYTES},
	};
	const char *line, *sp, *end;
	char *lower = xcalloc(1, len + 1);
	nghttp2_nv *nv = NULL;
	size_t off = 0, n, nvn = 4, i, nlen, voff, vlen;
	int r = -1;

	memcpy(lower, req, len); /* names are lowered in place */
	for (i = 0; i < len; i++)
		nvn += req[i] == '\n';
	nv = xcalloc(nvn, sizeof(*nv));
	if ((line = http_head_line(lower, len, &off, &n)) == NULL ||
	    (sp = memchr(line, ' ', n)) == NULL ||
	    (end = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line))) == NULL)
		goto out;
	h2_nv(&nv[0], ":method", 7, line, (size_t)(sp - line));
	h2_nv(&nv[1], ":scheme", 7, tls ? "https" : "http", tls ? 5 : 4);
	h2_nv(&nv[2], ":path", 5, sp + 1, (size_t)(end - sp - 1));
	nvn = 4;
	h2_nv(&nv[3], ":authority", 10, "", 0);
	while ((line = http_head_line(lower, len, &off, &n)) != NULL && n > 0) {
		if (http_split_header(line, n, &nlen, &voff, &vlen) != 0)
			continue;
		if (nlen == 4 && strncasecmp(line, "host", 4) == 0)
			h2_nv(&nv[3], ":authority", 10, line + voff, vlen);
		if (h2_dropped(line, nlen))
			continue;
		for (i = 0; i < nlen; i++)
			if (lower[line - lower + i] >= 'A' &&
			    lower[line - lower + i] <= 'Z')
				lower[line - lower + i] += 'a' - 'A';
		h2_nv(&nv[nvn++], line, nlen, line + voff, vlen);
	}
	if (nghttp2_submit_settings(h->session, NGHTTP2_FLAG_NONE, iv,
	        sizeof(iv) / sizeof(iv[0])) == 0 &&
	    (h->stream = nghttp2_submit_request(h->session, NULL, nv, nvn, NULL,
	         NULL)) > 0)
		r = 0; /* nghttp2 has copied the fields */
out:
	free(nv);
	free(lower);
	return r;
}

int
h2_pending(struct h2 *h, struct buf *b)
{
	const uint8_t *p;
	ssize_t n;

	while ((n = nghttp2_session_mem_send(h->session, &p)) > 0)
		buf_append(b, p, (size_t)n);
	if (n < 0 && h->msg[0] == '\0')
		h2_fail(h, OUTCOME_SYSTEM, "HTTP/2: %s",
		    nghttp2_strerror((int)n));
	/* nghttp2 ends a session for a broken rule by sending GOAWAY; once
	 * sent (h2_on_send has its reason), it reads no more. */
	if (h->msg[0] == '\0' && !h->final_done &&
	    !nghttp2_session_want_read(h->session))
		h2_fail(h, OUTCOME_NOT_HTTP,
		    "%s (session ended before the "
		    "headers)",
		    h->got_frame ? "HTTP/2 protocol error"
		                 : "not an HTTP/2 answer");
	return h->msg[0] == '\0' ? 0 : -1;
}

int
h2_recv(struct h2 *h, const void *p, size_t n)
{
	ssize_t r = nghttp2_session_mem_recv(h->session, p, n);

	if (h->final_done)
		return 0;
	if (r >= 0 || h->msg[0] != '\0') /* a callback's failure, said */
		return h->msg[0] == '\0' ? 0 : -1;
	if (r == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS)
		h2_fail(h, OUTCOME_TOO_LARGE,
		    "more than %d HTTP/2 CONTINUATION frames",
		    H2_MAX_CONTINUATIONS);
	else if (r == NGHTTP2_ERR_FLOODED)
		h2_fail(h, OUTCOME_TOO_LARGE,
		    "HTTP/2 flood: more frames to acknowledge than it reads");
	else /* a peer that speaks no HTTP/2 fails before its first frame */
		h2_fail(h, OUTCOME_NOT_HTTP, "%s (%s)",
		    h->got_frame ? "HTTP/2 protocol error"
		                 : "not an HTTP/2 answer",
		    nghttp2_strerror((int)r));
	return -1;
}

void
h2_error(const struct h2 *h, enum outcome *outcome, const char **msg)
{
	*outcome = h->outcome;
	*msg = h->msg;
}

void
h2_bye(struct h2 *h, struct buf *out)
{
	/* The server may have ended the stream with its headers. The
	 * RST_STREAM goes out first: nghttp2 sends GOAWAY before anything
	 * queued with it. */
	if (nghttp2_session_find_stream(h->session, h->stream) != NULL &&
	    nghttp2_submit_rst_stream(h->session, NGHTTP2_FLAG_NONE, h->stream,
	        NGHTTP2_CANCEL) == 0)
		h2_pending(h, out);
	if (nghttp2_submit_goaway(h->session, NGHTTP2_FLAG_NONE, 0,
	        NGHTTP2_NO_ERROR, NULL, 0) == 0)
		h2_pending(h, out);
}
