/*
 * fuzz_response.c: a libFuzzer target over what a server's bytes go
 * through: http_response_add and http_response_next, the loop fetch.c
 * runs on every read, which cut the lines and judge them with
 * http_response_line and http_response_partial; then the head as it is
 * written out, as text (output_headers) and as JSON (json_target); and
 * what -L does with it: redirect_location finds the Location, url_resolve
 * resolves it against a base URL, target_parse reads the result. The
 * same bytes are also a SOCKS proxy's answers to socks.c's handshake, of
 * the kind the first byte picks, and an HTTP/2 server's frames to h2.c,
 * whose header blocks go through the same reader.
 * scripts/fuzz builds it with small limits, so that inputs of a few
 * kilobytes cross each of them. Whatever the bytes, and however they are
 * split into reads, the head held stays within the limits, no byte is
 * searched twice, and the output is well-formed UTF-8 with no control
 * byte but TAB and the line ends.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awget.h"
#include "h2.h"
#include "http.h"
#include "json.h"
#include "output.h"
#include "redirect.h"
#include "socks.h"
#include "targets.h"
#include "url.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless b is well-formed UTF-8 without controls but TAB and LF. */
static void
check_output(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t i = 0, n, k;
	unsigned long cp;

	while (i < b->len) {
		if (p[i] < 0x80) {
			if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') ||
			    p[i] == 0x7f)
				abort();
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2, cp = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3, cp = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4, cp = p[i] & 0x07;
		else
			abort();
		if (i + n > b->len)
			abort();
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Overlong, surrogate, above U+10FFFF, or a C1 control. */
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0x80 && cp <= 0x9f))
			abort();
		i += n;
	}
}

/* Take the lines added, as fetch.c does; 1 once the response has ended. */
static int
drain(struct http_response *r)
{
	enum http_line what;

	while ((what = http_response_next(r)) != HTTP_LINE_PARTIAL)
		if (what != HTTP_LINE_STATUS && what != HTTP_LINE_INTERIM)
			return what == HTTP_LINE_END ? 2 : 1;
	return 0;
}

/*
 * Write the head through a pipe as output.c does, and read it back into
 * b: the small limits keep it within the pipe's buffer.
 */
static void
text_output(const struct http_response *r, struct buf *b)
{
	struct output *o;
	char chunk[4096];
	ssize_t n;
	int fd[2];

	if (pipe(fd) == -1 || fcntl(fd[0], F_SETFL, O_NONBLOCK) == -1)
		abort();
	o = output_new(fd[1], fd[1]);
	output_headers(o, "t", 1, r->head.data, r->head.len);
	if (output_flush(o) != 0)
		abort();
	output_free(o);
	close(fd[1]);
	while ((n = read(fd[0], chunk, sizeof(chunk))) > 0)
		buf_append(b, chunk, n);
	close(fd[0]);
}

/*
 * Follow the head's Location as -L would: a URL resolved is an http(s)
 * URL with no byte a request line or the terminal must not see, and it
 * parses as a target.
 */
static void
follow(const struct http_response *r)
{
	static const char base[] = "https://h.test:8443/a/b/c?q";
	struct buf url = {0};
	struct target *t;
	const char *loc;
	size_t n, i;

	if ((loc = redirect_location(r->head.data, r->head.len, &n)) == NULL)
		return;
	if (url_resolve(base, loc, n, &url) == NULL) {
		if (strncmp(url.data, "http://", 7) != 0 &&
		    strncmp(url.data, "https://", 8) != 0)
			abort();
		for (i = 0; i < url.len; i++)
			if ((unsigned char)url.data[i] <= 0x20 ||
			    url.data[i] == 0x7f || url.data[i] == '#')
				abort();
		t = target_parse(url.data, url.len);
		if (t->error == NULL && t->path[0] != '/')
			abort();
		target_free(t);
	}
	buf_free(&url);
}

/*
 * The bytes after the first as a SOCKS proxy's answers, each read to the
 * size socks_answer asked for: the handshake ends up or failed, within a
 * few steps, never wanting more than its buffer, its message printable.
 */
static void
socks(const uint8_t *data, size_t size)
{
	static const enum proxy_kind kinds[] = {PROXY_SOCKS4, PROXY_SOCKS4A,
	    PROXY_SOCKS5, PROXY_SOCKS5H};
	const unsigned char lo[4] = {127, 0, 0, 1};
	struct proxy p = {.shown = "socks://127.0.0.1:1080"};
	struct socks s;
	size_t off = 1, n, steps = 0;
	const char *e;

	if (size == 0)
		return;
	p.kind = kinds[data[0] & 3];
	if (data[0] & 4) {
		p.user = "user";
		p.pass = "password";
	}
	socks_start(&s, &p, "host.test", data[0] & 8 ? AF_INET : 0,
	    data[0] & 8 ? lo : NULL, 80);
	while (s.state != SOCKS_UP && s.state != SOCKS_FAILED) {
		if (s.want > sizeof(s.in) || s.outlen > sizeof(s.out) ||
		    s.inlen >= s.want || ++steps > 4)
			abort();
		n = s.want - s.inlen;
		if (size - off < n)
			return;
		memcpy(s.in + s.inlen, data + off, n);
		off += n;
		s.inlen = s.want;
		socks_answer(&s);
	}
	for (e = s.err; *e != '\0'; e++)
		if ((unsigned char)*e < 0x20 || (unsigned char)*e >= 0x7f)
			abort();
	if (s.state == SOCKS_FAILED && s.err[0] == '\0')
		abort();
}

/* Abort unless the message is there, and as check_output wants it. */
static void
check_message(const char *m)
{
	struct buf b = {0};

	if (*m == '\0')
		abort();
	buf_append(&b, m, strlen(m));
	check_output(&b);
	buf_free(&b);
}

/*
 * The bytes after the first as an HTTP/2 server's frames, read as the
 * first byte sizes them, after an empty SETTINGS (the server's preface,
 * which the fuzzer need not find): h2.c turns the header blocks into text
 * for the same reader, within the same limit; the session ends with an
 * answer, or with a failure said in words fit for a terminal.
 */
static void
h2(const uint8_t *data, size_t size)
{
	static const uint8_t settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
	static const char req[] = "GET / HTTP/1.1\r\nHost: h.test\r\n"
	                          "User-Agent: awget\r\nAccept: */*\r\n\r\n";
	struct http_response r = {0};
	struct buf out = {0}, text = {0};
	enum outcome outcome;
	const char *msg;
	struct h2 *h;
	size_t off = 1, chunk, n;
	int end = 0, failed = 0;

	if (size == 0)
		return;
	chunk = (size_t)(data[0] >> 2) % 64 + 1;
	if ((h = h2_new(&r)) == NULL ||
	    h2_request(h, req, sizeof(req) - 1, data[0] & 0x20) != 0 ||
	    h2_pending(h, &out) != 0 || h2_recv(h, settings, 9) != 0)
		abort();
	while (off < size && end == 0 && !failed) {
		n = size - off < chunk ? size - off : chunk;
		out.len = 0;
		failed =
		    h2_recv(h, data + off, n) != 0 || h2_pending(h, &out) != 0;
		off += n;
		end = drain(&r);
	}
	if (r.head.len > AWGET_MAX_HEADER_BYTES ||
	    r.interim > AWGET_MAX_INTERIM + 1)
		abort();
	if (failed) {
		h2_error(h, &outcome, &msg);
		check_message(msg);
	} else if (end == 2) {
		text_output(&r, &text);
		check_output(&text);
		h2_bye(h, &out);
	}
	h2_free(h);
	buf_free(&out);
	buf_free(&text);
	http_response_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_response r = {0};
	struct json_target j = {.target = "t", .target_len = 1, .url = "u"};
	struct buf out = {0}, json = {0};
	size_t off = 0, chunk, added = 0;
	int end = 0;

	/* The first byte sets the size of each read, as a network would. */
	chunk = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
	while (off < size && end == 0) {
		size_t n = size - off < chunk ? size - off : chunk;

		http_response_add(&r, data + off, n);
		added += n;
		off += n;
		end = drain(&r);
	}
	if (r.interim > AWGET_MAX_INTERIM + 1)
		abort();
	/* Each byte searched once; no more held than the limits let in. */
	if (r.scanned > added ||
	    r.head.len > AWGET_MAX_HEADER_BYTES + (size_t)chunk)
		abort();
	if (end == 2) {
		if (r.head.len > AWGET_MAX_HEADER_BYTES)
			abort();
		text_output(&r, &out);
		check_output(&out);
		j.head = r.head.data;
		j.len = r.head.len;
		json_target(&json, &j);
		check_output(&json);
		follow(&r);
	}
	buf_free(&out);
	buf_free(&json);
	http_response_free(&r);
	socks(data, size);
	h2(data, size);
	return 0;
}
