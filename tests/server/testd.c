/*
 * testd.c: awget-testd, the scripted HTTP server that awget's end-to-end
 * tests run against. Each scenario named on the command line gets its own
 * loopback listener on an ephemeral port. Every connection accepted there
 * plays that scenario's script on its own: a fixed reply, a generator that
 * writes more each time the socket drains, or a timer that trickles bytes.
 * The server prints "SCENARIO PORT" per listener and then "ready", and runs
 * until its lifetime ends or SIGTERM/SIGINT arrives. With -C and -K (a PEM
 * certificate and key) every listener speaks TLS first, and then the same
 * script: its closes never send close_notify, as many servers' do not.
 *
 * A connection goes REQUEST -> REPLY -> CLOSING -> LINGER, or ends in HOLD
 * (open until the client closes). Scripts that start on accept skip REQUEST.
 * Closing is shutdown(SHUT_WR) and then reading until the client closes, so
 * unread client bytes never turn our FIN into a RST that could destroy the
 * reply before the client reads it.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "h2frame.h"

/* Limits. */
#define TESTD_DEFAULT_LIFETIME 60     /* seconds */
#define TESTD_MAX_LIFETIME 3600       /* seconds */
#define TESTD_BACKLOG 1024            /* hundreds of clients connect at once */
#define TESTD_MAX_REQUEST (64 * 1024) /* request head, blank line too */
#define TESTD_CHUNK (64 * 1024)       /* a generator's bytes per drain */
#define TESTD_MAX_PATH_N (20 * 1024 * 1024) /* N in "GET /N" */
#define TESTD_MAX_INTERIM 1000              /* N for interim_n */
#define TESTD_HUGE_LINE (10 * 1024 * 1024)
#define TESTD_HUGE_REASON (1024 * 1024)
#define TESTD_MANY_HEADERS 100000
#define TESTD_TOTAL_LINE 1002  /* limit_total's usual line, CRLF too */
#define TESTD_TOTAL_MINLINE 18 /* longest "X-T-<i>: " and CRLF fit */
#define TESTD_BINARY_LEN 512
#define TESTD_BODY_BLOCK 4096     /* endless_body's bytes per tick */
#define TESTD_NUL_LINE 65002      /* nul_block's lines, CRLF too */
#define TESTD_TRICKLE_LINE 65536  /* trickle_line's line, its name too */
#define TESTD_TRICKLE_BLOCK 1024  /* ... written a block a tick */
#define TESTD_ACCEPT_PAUSE_MS 100 /* after accept fails, e.g. EMFILE */

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
#define TEXT(s) s, sizeof(s) - 1

#define STATUS_OK "HTTP/1.1 200 OK\r\n"
#define CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"
#define REPLY_NORMAL STATUS_OK "Server: testd\r\nContent-Length: 2\r\n\r\nok"

struct conn;

/* SC_SOCKS: the message a SOCKS proxy waits for next. */
enum socks_step {
	SOCKS_HELLO, /* SOCKS4's request, or SOCKS5's methods */
	SOCKS5_AUTH, /* RFC 1929's user name and password */
	SOCKS5_CONNECT,
	SOCKS_DONE /* the tunnel is open: HTTP from here */
};

/* What a script wants after it has written: its connection's next state. */
enum step {
	STEP_MORE,  /* more to write, on drain or on tick */
	STEP_CLOSE, /* close once the output has drained */
	STEP_HOLD,  /* stay open until the client closes */
	STEP_ABORT  /* drop the connection now */
};

struct scenario {
	const char *name;
	int flags;
#define SC_ON_ACCEPT 0x1    /* start without reading a request */
#define SC_HOLD 0x2         /* after the fixed text, wait for the client */
#define SC_DNS_SERVFAIL 0x4 /* not HTTP: a UDP name server that fails */
#define SC_RST_FIRST 0x8    /* reset the first connection, answer the rest */
#define SC_FULL 0x10        /* never accept: connects hang in SYN_SENT */
#define SC_RST_AFTER 0x20   /* reset, not close, once the reply is out */
#define SC_SOCKS 0x40       /* a SOCKS4/4a/5 proxy's handshake first */
	const char *text;   /* for sc_text */
	size_t textlen;
	enum step (*start)(struct conn *); /* accepted or request read */
	enum step (*more)(struct conn *);  /* the output has drained */
	enum step (*tick)(struct conn *);  /* every tick_ms */
	int tick_ms;
};

enum conn_state {
	CONN_REQUEST, /* reading the request head */
	CONN_REPLY,   /* the script is writing */
	CONN_CLOSING, /* waiting for the output to drain */
	CONN_HOLD,    /* reading and discarding until the client closes */
	CONN_LINGER   /* shut down for writing; the same, then free */
};

struct conn {
	struct testd *td;
	const struct scenario *sc;
	struct bufferevent *bev;
	struct event *tick;
	struct event *rst; /* SC_RST_AFTER over TLS: the reset, a bit later */
	enum conn_state state;
	int eof;         /* the client has shut down its side */
	const char *req; /* the request head, only while start runs */
	size_t reqlen;

	/* Generator state. */
	int fill;         /* filler byte */
	size_t line;      /* limit_total, nul_block: a line's bytes */
	size_t left;      /* filler bytes or header bytes still to write */
	size_t n;         /* next line number */
	const char *tail; /* written after the filler */
	size_t taillen;

	/* SC_SOCKS: where the handshake is, and what the client asked. */
	enum socks_step socks;
	char socks_info[640];

	TAILQ_ENTRY(conn) entry;
};
TAILQ_HEAD(conns, conn);

struct listener {
	struct testd *td;
	const struct scenario *sc;
	struct evconnlistener *lev;
	struct event *udp; /* SC_DNS_SERVFAIL: its socket, instead of lev */
	struct event *resume;
	int port;
	unsigned long accepted;
	int full_fd;   /* SC_FULL: the listening socket, instead of lev */
	int filler[2]; /* SC_FULL: our own connections that fill its queue */
};

/* The whole server; main() owns it. */
struct testd {
	struct event_base *base;
	struct event *sigterm;
	struct event *sigint;
	struct event *lifetime;
	struct listener *listeners;
	size_t nlisteners;
	SSL_CTX *tls;       /* -C and -K: every connection is TLS */
	struct conns conns; /* every open connection, to free at exit */
};

static void usage(void) __attribute__((noreturn));

static void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		err(1, "calloc");
	return (p);
}

/* strtonum(3)'s contract; glibc has no strtonum. */
static long long
parse_number(const char *s, long long min, long long max, const char **errstr)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0') {
		*errstr = "invalid";
		return (0);
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return (0);
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return (0);
	}
	*errstr = NULL;
	return (v);
}

static struct evbuffer *
out(struct conn *c)
{
	return (bufferevent_get_output(c->bev));
}

static void
buf_fill(struct evbuffer *b, int ch, size_t n)
{
	char block[4096];
	size_t k;

	memset(block, ch, sizeof block);
	while (n > 0) {
		k = n < sizeof block ? n : sizeof block;
		evbuffer_add(b, block, k);
		n -= k;
	}
}

/*
 * Take N from a request line "METHOD /N ...": digits only, at most max.
 * Returns -1 if the path is anything else.
 */
static int
path_number(const char *req, size_t reqlen, size_t max, size_t *np)
{
	const char *p, *end;
	size_t n = 0;

	if ((end = memchr(req, '\n', reqlen)) == NULL)
		return (-1);
	if ((p = memchr(req, ' ', end - req)) == NULL || end - p < 3 ||
	    p[1] != '/')
		return (-1);
	for (p += 2; p < end && *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > max)
			return (-1);
	}
	if (p[-1] == '/' || (p < end && *p != ' ' && *p != '?' && *p != '\r'))
		return (-1);
	*np = n;
	return (0);
}

static enum step
reply_bad_request(struct conn *c)
{
	evbuffer_add(out(c),
	    TEXT("HTTP/1.1 400 Bad Request\r\nServer: testd\r\n"
	         "Content-Length: 0\r\n\r\n"));
	return (STEP_CLOSE);
}

/* The fixed reply in the table: most scenarios are only this. */
static enum step
sc_text(struct conn *c)
{
	evbuffer_add(out(c), c->sc->text, c->sc->textlen);
	return ((c->sc->flags & SC_HOLD) ? STEP_HOLD : STEP_CLOSE);
}

static enum step
sc_rst(struct conn *c)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	/* A zero linger makes close() send RST instead of FIN. */
	if (setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_LINGER, &l,
	        sizeof l) == -1)
		warn("rst_on_accept: SO_LINGER");
	return (STEP_ABORT);
}

static enum step
sc_long_reason(struct conn *c)
{
	evbuffer_add(out(c), TEXT("HTTP/1.1 200 "));
	buf_fill(out(c), 'R', 1000);
	evbuffer_add(out(c), TEXT("\r\nX-Long: "));
	buf_fill(out(c), 'v', 4000);
	evbuffer_add(out(c), TEXT("\r\n\r\n"));
	return (STEP_CLOSE);
}

static enum step
sc_binary(struct conn *c)
{
	unsigned char buf[TESTD_BINARY_LEN];
	uint32_t x = 0x2545f491; /* fixed seed: every run sends the same */
	size_t i;

	for (i = 0; i < sizeof buf; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x & 0xff;
	}
	evbuffer_add(out(c), buf, sizeof buf);
	return (STEP_CLOSE);
}

static enum step
sc_echo_request(struct conn *c)
{
	const char *p = c->req, *end = c->req + c->reqlen, *nl;
	size_t len, i = 0;

	evbuffer_add(out(c), TEXT(STATUS_OK));
	while ((nl = memchr(p, '\n', end - p)) != NULL) {
		len = nl - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0)
			break;
		evbuffer_add_printf(out(c), "X-Req-%zu: ", i++);
		evbuffer_add(out(c), p, len);
		evbuffer_add(out(c), TEXT("\r\n"));
		p = nl + 1;
	}
	evbuffer_add(out(c), TEXT("\r\n"));
	return (STEP_CLOSE);
}

/* socks_echo, the tunnel open: what the handshake asked, as a header. */
static enum step
sc_socks_echo(struct conn *c)
{
	evbuffer_add(out(c), TEXT(STATUS_OK "Server: testd\r\n"));
	evbuffer_add_printf(out(c), "X-Socks: %s\r\n", c->socks_info);
	evbuffer_add(out(c), TEXT("Content-Length: 0\r\n\r\n"));
	return (STEP_CLOSE);
}

static enum step
sc_interim_n(struct conn *c)
{
	size_t n, i;

	if (path_number(c->req, c->reqlen, TESTD_MAX_INTERIM, &n) == -1)
		return (reply_bad_request(c));
	for (i = 0; i < n; i++)
		evbuffer_add(out(c), TEXT(CONTINUE));
	evbuffer_add(out(c), TEXT(REPLY_NORMAL));
	return (STEP_CLOSE);
}

/* Filler generator: c->left bytes of c->fill, then c->tail. */
static enum step
sc_fill_more(struct conn *c)
{
	size_t k;

	if (c->left > 0) {
		k = c->left < TESTD_CHUNK ? c->left : TESTD_CHUNK;
		buf_fill(out(c), c->fill, k);
		c->left -= k;
	}
	if (c->left > 0)
		return (STEP_MORE);
	evbuffer_add(out(c), c->tail, c->taillen);
	return (STEP_CLOSE);
}

static enum step
fill_start(struct conn *c, int ch, size_t n, const char *tail)
{
	c->fill = ch;
	c->left = n;
	c->tail = tail;
	c->taillen = strlen(tail);
	return (sc_fill_more(c));
}

static enum step
sc_huge_line(struct conn *c)
{
	evbuffer_add(out(c), TEXT(STATUS_OK "X-Huge: "));
	return (fill_start(c, 'h', TESTD_HUGE_LINE, "\r\n\r\n"));
}

static enum step
sc_huge_reason(struct conn *c)
{
	evbuffer_add(out(c), TEXT("HTTP/1.1 200 "));
	return (fill_start(c, 'r', TESTD_HUGE_REASON, "\r\n\r\n"));
}

static enum step
sc_limit_line(struct conn *c)
{
	size_t n;

	if (path_number(c->req, c->reqlen, TESTD_MAX_PATH_N, &n) == -1 ||
	    n < sizeof "X-L: " - 1)
		return (reply_bad_request(c));
	evbuffer_add(out(c), TEXT(STATUS_OK "X-L: "));
	return (fill_start(c, 'l', n - (sizeof "X-L: " - 1), "\r\n\r\n"));
}

static enum step
sc_many_headers_more(struct conn *c)
{
	while (c->n <= TESTD_MANY_HEADERS &&
	    evbuffer_get_length(out(c)) < TESTD_CHUNK) {
		evbuffer_add_printf(out(c), "X-N-%zu: %zu\r\n", c->n, c->n);
		c->n++;
	}
	if (c->n <= TESTD_MANY_HEADERS)
		return (STEP_MORE);
	evbuffer_add(out(c), TEXT("\r\n"));
	return (STEP_CLOSE);
}

static enum step
sc_many_headers(struct conn *c)
{
	evbuffer_add(out(c), TEXT(STATUS_OK));
	c->n = 1;
	return (sc_many_headers_more(c));
}

/*
 * limit_total's and nul_block's lines are c->line bytes, CRLF included;
 * the last two share what is left so that neither is shorter than
 * TESTD_TOTAL_MINLINE.
 */
static enum step
sc_limit_total_more(struct conn *c)
{
	char prefix[32];
	size_t len;
	int plen;

	while (c->left > 0 && evbuffer_get_length(out(c)) < TESTD_CHUNK) {
		if (c->left <= c->line)
			len = c->left;
		else if (c->left - c->line < TESTD_TOTAL_MINLINE)
			len = c->left - TESTD_TOTAL_MINLINE;
		else
			len = c->line;
		plen = snprintf(prefix, sizeof prefix, "X-T-%zu: ", c->n++);
		evbuffer_add(out(c), prefix, plen);
		buf_fill(out(c), c->fill, len - plen - 2);
		evbuffer_add(out(c), TEXT("\r\n"));
		c->left -= len;
	}
	if (c->left > 0)
		return (STEP_MORE);
	evbuffer_add(out(c), TEXT("\r\n"));
	return (STEP_CLOSE);
}

/* GET /N: a head of N bytes in all, every line end counted. */
static enum step
sc_limit_total(struct conn *c)
{
	const size_t fixed = sizeof STATUS_OK - 1 + 2; /* and the blank line */
	size_t n;

	if (path_number(c->req, c->reqlen, TESTD_MAX_PATH_N, &n) == -1 ||
	    n < fixed || (n > fixed && n - fixed < TESTD_TOTAL_MINLINE))
		return (reply_bad_request(c));
	evbuffer_add(out(c), TEXT(STATUS_OK));
	c->left = n - fixed;
	c->n = 1;
	if (c->fill == 0 && c->line == 0) {
		c->fill = 't';
		c->line = TESTD_TOTAL_LINE;
	}
	return (sc_limit_total_more(c));
}

/*
 * GET /N: as limit_total, but a 302 back to /N: -L follows it until the
 * heads of the chain pass the one limit of a target.
 */
static enum step
sc_redirect_total(struct conn *c)
{
	char status[64];
	size_t n;
	int len;

	if (path_number(c->req, c->reqlen, TESTD_MAX_PATH_N, &n) == -1)
		return (reply_bad_request(c));
	len = snprintf(status, sizeof status,
	    "HTTP/1.1 302 Found\r\nLocation: /%zu\r\n", n);
	if (n < (size_t)len + 2 + TESTD_TOTAL_MINLINE)
		return (reply_bad_request(c));
	evbuffer_add(out(c), status, len);
	c->left = n - len - 2;
	c->n = 1;
	c->fill = 't';
	c->line = TESTD_TOTAL_LINE;
	return (sc_limit_total_more(c));
}

/* GET /N: as limit_total, in lines of NUL bytes, the most they cost. */
static enum step
sc_nul_block(struct conn *c)
{
	c->fill = '\0';
	c->line = TESTD_NUL_LINE;
	return (sc_limit_total(c));
}

/* A longest header line, written a block at a time, a tick apart. */
static enum step
sc_trickle_line_tick(struct conn *c)
{
	size_t k =
	    c->left < TESTD_TRICKLE_BLOCK ? c->left : TESTD_TRICKLE_BLOCK;

	if (evbuffer_get_length(out(c)) > 0)
		return (STEP_MORE);
	buf_fill(out(c), 'v', k);
	if ((c->left -= k) > 0)
		return (STEP_MORE);
	evbuffer_add(out(c), TEXT("\r\n\r\n"));
	return (STEP_CLOSE);
}

static enum step
sc_trickle_line(struct conn *c)
{
	evbuffer_add(out(c), TEXT(STATUS_OK "X-Long: "));
	c->left = TESTD_TRICKLE_LINE - (sizeof "X-Long: " - 1);
	return (STEP_MORE);
}

static enum step
sc_endless_1xx_more(struct conn *c)
{
	size_t i;

	for (i = 0; i < TESTD_CHUNK / (sizeof CONTINUE - 1); i++)
		evbuffer_add(out(c), TEXT(CONTINUE));
	return (STEP_MORE);
}

static enum step
sc_endless_1xx(struct conn *c)
{
	return (sc_endless_1xx_more(c));
}

/* slow_redirect: a 302 back to itself, each a tick after the request. */
static enum step
sc_slow_redirect(struct conn *c)
{
	(void)c;
	return (STEP_MORE);
}

static enum step
sc_slow_redirect_tick(struct conn *c)
{
	evbuffer_add(out(c),
	    TEXT("HTTP/1.1 302 Found\r\nLocation: /again\r\n"
	         "Content-Length: 0\r\n\r\n"));
	return (STEP_CLOSE);
}

/* slow_headers writes one of these per second. */
static const char *const slow_lines[] = {
    STATUS_OK,
    "Server: testd\r\n",
    "Content-Length: 2\r\n",
    "\r\nok",
};

static enum step
sc_slow_headers_tick(struct conn *c)
{
	evbuffer_add(out(c), slow_lines[c->n], strlen(slow_lines[c->n]));
	if (++c->n < NITEMS(slow_lines))
		return (STEP_MORE);
	return (STEP_CLOSE);
}

static enum step
sc_slow_headers(struct conn *c)
{
	c->n = 0;
	return (sc_slow_headers_tick(c));
}

static enum step
sc_endless_body_tick(struct conn *c)
{
	/* Only into an empty buffer: a client that stops reading stalls us. */
	if (evbuffer_get_length(out(c)) == 0)
		buf_fill(out(c), 'b', TESTD_BODY_BLOCK);
	return (STEP_MORE);
}

static enum step
sc_endless_body(struct conn *c)
{
	evbuffer_add(out(c), TEXT(STATUS_OK "Server: testd\r\n\r\n"));
	return (STEP_MORE);
}

static enum step
sc_slowloris_tick(struct conn *c)
{
	if (evbuffer_get_length(out(c)) == 0)
		evbuffer_add(out(c), TEXT("a"));
	return (STEP_MORE);
}

static enum step
sc_slowloris(struct conn *c)
{
	evbuffer_add(out(c), TEXT(STATUS_OK "X-Slow: "));
	return (STEP_MORE);
}

/*
 * HTTP/2 (h2_*): the server's side of a cleartext HTTP/2 connection, for
 * awget --http2-prior-knowledge. Each starts on accept and discards what
 * the client sends (its preface, SETTINGS, the request on stream 1, and
 * its acknowledgements), which is all an answer on stream 1 needs.
 */
#define NV(n, v)                                                               \
	{                                                                      \
		(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1,  \
		    NGHTTP2_NV_FLAG_NONE                                       \
	}
#define TESTD_H2_BOMB_VALUE 2900 /* nghttp2 indexes a field this long */
#define TESTD_H2_BOMB_REFS 3000  /* ... referred to by index this often */
#define TESTD_H2_FLOOD_VALUE 1000

static enum step
sc_h2_normal(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "200"),
	    NV("server", "testd"), NV("x-h2", "yes")};

	h2f_settings(out(c));
	h2f_block(out(c), NGHTTP2_HEADERS,
	    NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, nv,
	    NITEMS(nv), 0);
	return (STEP_HOLD);
}

/* h2_bad_field: a field name HTTP/2 forbids, with terminal controls. */
static enum step
sc_h2_bad_field(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "200"),
	    NV("x-bad\x1b]0;pwned\x07", "\x1b[2Jv")};

	h2f_settings(out(c));
	h2f_block(out(c), NGHTTP2_HEADERS,
	    NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, nv,
	    NITEMS(nv), 0);
	return (STEP_HOLD);
}

/* h2_no_settings: an answer without the server's preface. */
static enum step
sc_h2_no_settings(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "200")};

	h2f_block(out(c), NGHTTP2_HEADERS,
	    NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, nv,
	    NITEMS(nv), 0);
	return (STEP_HOLD);
}

static enum step
sc_h2_settings_only(struct conn *c)
{
	h2f_settings(out(c));
	return (STEP_HOLD);
}

static enum step
sc_h2_goaway(struct conn *c)
{
	h2f_settings(out(c));
	h2f_goaway(out(c), 0, NGHTTP2_ENHANCE_YOUR_CALM);
	return (STEP_HOLD);
}

static enum step
sc_h2_rst(struct conn *c)
{
	h2f_settings(out(c));
	h2f_rst(out(c), 1, NGHTTP2_REFUSED_STREAM);
	return (STEP_HOLD);
}

/* h2_bad_frame: DATA on stream 0, which RFC 9113 6.1 forbids. */
static enum step
sc_h2_bad_frame(struct conn *c)
{
	h2f_settings(out(c));
	h2f_frame(out(c), NGHTTP2_DATA, NGHTTP2_FLAG_NONE, 0, "ok", 2);
	return (STEP_HOLD);
}

/* h2_then_bad: a whole answer, then in the same write a frame HTTP/2
 * forbids (SETTINGS_ENABLE_PUSH 2): the answer was whole before the
 * break, and counts. */
static enum step
sc_h2_then_bad(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "204"),
	    NV("server", "testd")};

	h2f_settings(out(c));
	h2f_block(out(c), NGHTTP2_HEADERS,
	    NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, nv,
	    NITEMS(nv), 0);
	h2f_frame(out(c), NGHTTP2_SETTINGS, NGHTTP2_FLAG_NONE, 0,
	    "\x00\x02\x00\x00\x00\x02", 6);
	return (STEP_HOLD);
}

/* h2_hpack_bomb: one 2900-byte field, then 3000 one-byte references to
 * it, in one HEADERS frame of a few kilobytes: 8.7 MB of header text. */
static enum step
sc_h2_hpack_bomb(struct conn *c)
{
	static char value[TESTD_H2_BOMB_VALUE];
	nghttp2_nv *nv = xcalloc(TESTD_H2_BOMB_REFS + 1, sizeof(*nv));
	size_t i;

	memset(value, 'b', sizeof(value));
	nv[0] = (nghttp2_nv)NV(":status", "200");
	for (i = 1; i <= TESTD_H2_BOMB_REFS; i++) {
		nv[i] = (nghttp2_nv)NV("x-bomb", "");
		nv[i].value = (uint8_t *)value;
		nv[i].valuelen = sizeof(value);
	}
	h2f_settings(out(c));
	if (h2f_block(out(c), NGHTTP2_HEADERS,
	        NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, nv,
	        TESTD_H2_BOMB_REFS + 1, 0) != 0)
		errx(1, "h2_hpack_bomb: the block does not fit in a frame");
	free(nv);
	return (STEP_HOLD);
}

/* h2_continuation_flood: HEADERS without END_HEADERS, then CONTINUATION
 * frames, each with one more field, for ever. */
static enum step
sc_h2_continuation_more(struct conn *c)
{
	static char value[TESTD_H2_FLOOD_VALUE];
	nghttp2_nv nv = NV("x-flood", "");
	size_t i;

	memset(value, 'f', sizeof(value));
	nv.value = (uint8_t *)value;
	nv.valuelen = sizeof(value);
	for (i = 0; i < TESTD_CHUNK / sizeof(value); i++)
		h2f_block(out(c), NGHTTP2_CONTINUATION, NGHTTP2_FLAG_NONE, 1,
		    &nv, 1, 1);
	return (STEP_MORE);
}

static enum step
sc_h2_continuation_flood(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "200")};

	h2f_settings(out(c));
	h2f_block(out(c), NGHTTP2_HEADERS, NGHTTP2_FLAG_NONE, 1, nv, NITEMS(nv),
	    0);
	return (sc_h2_continuation_more(c));
}

/* h2_big_headers: HEADERS and CONTINUATION frames of the largest
 * default size, 16 fields of 1000 bytes each, for ever: the head's limit
 * comes before nghttp2's bound on CONTINUATION frames. */
static enum step
sc_h2_big_headers_more(struct conn *c)
{
	static char value[TESTD_H2_FLOOD_VALUE];
	nghttp2_nv nv[16];
	size_t i;

	memset(value, 'h', sizeof(value));
	for (i = 0; i < NITEMS(nv); i++) {
		nv[i] = (nghttp2_nv)NV("x-big", "");
		nv[i].value = (uint8_t *)value;
		nv[i].valuelen = sizeof(value);
	}
	if (h2f_block(out(c), NGHTTP2_CONTINUATION, NGHTTP2_FLAG_NONE, 1, nv,
	        NITEMS(nv), 1) != 0)
		errx(1, "h2_big_headers: the block does not fit in a frame");
	return (STEP_MORE);
}

static enum step
sc_h2_big_headers(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "200")};

	h2f_settings(out(c));
	h2f_block(out(c), NGHTTP2_HEADERS, NGHTTP2_FLAG_NONE, 1, nv, NITEMS(nv),
	    0);
	return (sc_h2_big_headers_more(c));
}

/* h2_endless_1xx: 103 Early Hints blocks on stream 1, for ever. */
static enum step
sc_h2_endless_1xx_more(struct conn *c)
{
	static const nghttp2_nv nv[] = {NV(":status", "103"),
	    NV("link", "</style.css>; rel=preload")};
	size_t i;

	for (i = 0; i < 1000; i++)
		h2f_block(out(c), NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1,
		    nv, NITEMS(nv), 0);
	return (STEP_MORE);
}

static enum step
sc_h2_endless_1xx(struct conn *c)
{
	h2f_settings(out(c));
	return (sc_h2_endless_1xx_more(c));
}

/* h2_ping_flood: PING after PING, never an answer; each wants an ACK. */
static enum step
sc_h2_ping_flood_more(struct conn *c)
{
	size_t i;

	for (i = 0; i < 1000; i++)
		h2f_frame(out(c), NGHTTP2_PING, NGHTTP2_FLAG_NONE, 0,
		    "pingping", 8);
	return (STEP_MORE);
}

static enum step
sc_h2_ping_flood(struct conn *c)
{
	h2f_settings(out(c));
	return (sc_h2_ping_flood_more(c));
}

/* h2_ping_noread: the same, reading nothing: the ACKs pile up at the
 * client, which must not hold them all. */
static enum step
sc_h2_ping_noread(struct conn *c)
{
	bufferevent_disable(c->bev, EV_READ);
	return (sc_h2_ping_flood(c));
}

/*
 * The scenarios, in the order -L lists them. limit_line, limit_total and
 * interim_n take N from "GET /N"; a bad N gets a 400. X-N-<i> and X-T-<i>
 * count from 1, X-Req-<i> from 0 (the request line). Hex escapes are split
 * ("\x7f" "b") where the next byte is a hex digit, which the escape would
 * otherwise swallow.
 */
static const struct scenario scenarios[] = {
    {"normal", 0, TEXT(REPLY_NORMAL), sc_text, NULL, NULL, 0},
    {"bare_lf", 0,
        TEXT("HTTP/1.1 200 OK\nServer: testd\nContent-Length: 2\n\nok"),
        sc_text, NULL, NULL, 0},
    {"continue100", 0, TEXT(CONTINUE REPLY_NORMAL), sc_text, NULL, NULL, 0},
    {"early_hints", 0,
        TEXT("HTTP/1.1 103 Early Hints\r\n"
             "Link: </style.css>; rel=preload\r\n\r\n" REPLY_NORMAL),
        sc_text, NULL, NULL, 0},
    {"obs_fold", 0,
        TEXT(STATUS_OK "X-Folded: first\r\n  second part\r\n\tthird\r\n"
                       "Server: testd\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"dup_headers", 0,
        TEXT(STATUS_OK "Set-Cookie: a=1\r\nServer: testd\r\n"
                       "Set-Cookie: b=2\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"status999", 0, TEXT("HTTP/1.1 999 Very Unusual\r\nServer: testd\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"long_reason", 0, NULL, 0, sc_long_reason, NULL, NULL, 0},
    {"control_bytes", 0,
        TEXT(STATUS_OK "Server: testd\r\n"
                       "X-Title: \x1b]0;pwned\x07\r\n"
                       "X-Clear: \x1b[2J\r\n"
                       "X-Nul: a\0b\r\n"
                       "X-Del: a\x7f"
                       "b\r\n"
                       "X-Vt: a\x0b"
                       "b\r\n"
                       "X-Ff: a\x0c"
                       "b\r\n"
                       "X-Cr: a\rb\r\n"
                       "X-Bs: abc\x08\x08\x08\r\n"
                       "X-Csi: a\x9b"
                       "31mred\r\n"
                       "X-Backslash: a\\x41\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"bad_utf8", 0,
        TEXT(STATUS_OK "Server: testd\r\n"
                       "X-Overlong: \xc0\xaf\r\n"
                       "X-Overlong3: \xe0\x80\xaf\r\n"
                       "X-Surrogate: \xed\xa0\x80\r\n"
                       "X-Above: \xf4\x90\x80\x80\r\n"
                       "X-Truncated: \xe2\x82\r\n"
                       "X-Cont: \x80\xbf\r\n"
                       "X-Valid: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\r\n"
                       "X-Tab: a\tb\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    /* Every byte a JSON string must escape, and one it cannot hold;
     * tests/hostile.sh writes the same bytes to compare. */
    {"json_text", 0,
        TEXT("HTTP/1.1 200 O\"K\\\r\n"
             "X-Quote: say \"hi\"\r\n"
             "X-Backslash: C:\\Windows\\ a\\x41\r\n"
             "X-C0: a\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0d\x0e\x0f"
             "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
             "\x1e\x1f\x7f\x00\tb\r\n"
             "X-C1: a\xc2\x80\xc2\x9b\xc2\x9f"
             "b\r\n"
             "X-Sep: a\xe2\x80\xa8\xe2\x80\xa9"
             "b\r\n"
             "X-Utf8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\r\n"
             "X-Bad: a\xff\xc0\xaf"
             "b\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"slow_headers", 0, NULL, 0, sc_slow_headers, NULL, sc_slow_headers_tick,
        1000},
    {"endless_body", 0, NULL, 0, sc_endless_body, NULL, sc_endless_body_tick,
        10},
    {"early_answer", SC_ON_ACCEPT | SC_HOLD, TEXT(REPLY_NORMAL), sc_text, NULL,
        NULL, 0},
    {"silent", SC_ON_ACCEPT | SC_HOLD, TEXT(""), sc_text, NULL, NULL, 0},
    {"slowloris", 0, NULL, 0, sc_slowloris, NULL, sc_slowloris_tick, 1000},
    {"close_mid_line", 0, TEXT(STATUS_OK "Server: tes"), sc_text, NULL, NULL,
        0},
    {"no_blank_line", 0, TEXT(STATUS_OK "Server: testd\r\n"), sc_text, NULL,
        NULL, 0},
    {"ssh_banner", SC_ON_ACCEPT | SC_HOLD,
        TEXT("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), sc_text, NULL, NULL, 0},
    {"http09", 0, TEXT("<html>hello</html>\n"), sc_text, NULL, NULL, 0},
    {"binary", 0, NULL, 0, sc_binary, NULL, NULL, 0},
    {"huge_line", 0, NULL, 0, sc_huge_line, sc_fill_more, NULL, 0},
    {"many_headers", 0, NULL, 0, sc_many_headers, sc_many_headers_more, NULL,
        0},
    {"huge_reason", 0, NULL, 0, sc_huge_reason, sc_fill_more, NULL, 0},
    {"endless_1xx", 0, NULL, 0, sc_endless_1xx, sc_endless_1xx_more, NULL, 0},
    {"close_on_accept", SC_ON_ACCEPT, TEXT(""), sc_text, NULL, NULL, 0},
    {"rst_on_accept", SC_ON_ACCEPT, NULL, 0, sc_rst, NULL, NULL, 0},
    {"echo_request", 0, NULL, 0, sc_echo_request, NULL, NULL, 0},
    {"limit_line", 0, NULL, 0, sc_limit_line, sc_fill_more, NULL, 0},
    {"limit_total", 0, NULL, 0, sc_limit_total, sc_limit_total_more, NULL, 0},
    {"interim_n", 0, NULL, 0, sc_interim_n, NULL, NULL, 0},
    {"dns_servfail", SC_DNS_SERVFAIL, NULL, 0, NULL, NULL, NULL, 0},
    {"flaky_rst_first", SC_RST_FIRST, TEXT(REPLY_NORMAL), sc_text, NULL, NULL,
        0},
    {"flaky_full", SC_FULL, NULL, 0, NULL, NULL, NULL, 0},
    {"answer_rst", SC_ON_ACCEPT | SC_RST_AFTER,
        TEXT("HTTP/1.1 503 Service Unavailable\r\nServer: testd\r\n"
             "Content-Length: 0\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"nul_block", 0, NULL, 0, sc_nul_block, sc_limit_total_more, NULL, 0},
    /* As a proxy: what it may answer to CONNECT. */
    {"connect_403", 0,
        TEXT("HTTP/1.1 403 Forbidden\r\nServer: testd\r\n"
             "Content-Length: 0\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"connect_407", 0,
        TEXT("HTTP/1.1 407 Proxy Authentication Required\r\n"
             "Proxy-Authenticate: Basic realm=\"testd\"\r\n"
             "Content-Length: 0\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    /* As a SOCKS proxy: see conn_read_socks. */
    {"socks_echo", SC_SOCKS, NULL, 0, sc_socks_echo, NULL, NULL, 0},
    {"socks_reply", SC_SOCKS, NULL, 0, sc_socks_echo, NULL, NULL, 0},
    {"socks_close", SC_SOCKS, NULL, 0, sc_socks_echo, NULL, NULL, 0},
    {"redirect_total", 0, NULL, 0, sc_redirect_total, sc_limit_total_more, NULL,
        0},
    {"slow_redirect", 0, NULL, 0, sc_slow_redirect, NULL, sc_slow_redirect_tick,
        700},
    {"ctl_location", 0,
        TEXT("HTTP/1.1 302 Found\r\nLocation: /a\x01"
             "b\r\nContent-Length: 0\r\n\r\n"),
        sc_text, NULL, NULL, 0},
    {"trickle_line", 0, NULL, 0, sc_trickle_line, NULL, sc_trickle_line_tick,
        5},
    /* HTTP/2, cleartext, with prior knowledge: see sc_h2_normal. */
    {"h2_normal", SC_ON_ACCEPT, NULL, 0, sc_h2_normal, NULL, NULL, 0},
    {"h2_bad_field", SC_ON_ACCEPT, NULL, 0, sc_h2_bad_field, NULL, NULL, 0},
    {"h2_no_settings", SC_ON_ACCEPT, NULL, 0, sc_h2_no_settings, NULL, NULL, 0},
    {"h2_settings_only", SC_ON_ACCEPT, NULL, 0, sc_h2_settings_only, NULL, NULL,
        0},
    {"h2_goaway", SC_ON_ACCEPT, NULL, 0, sc_h2_goaway, NULL, NULL, 0},
    {"h2_rst", SC_ON_ACCEPT, NULL, 0, sc_h2_rst, NULL, NULL, 0},
    {"h2_bad_frame", SC_ON_ACCEPT, NULL, 0, sc_h2_bad_frame, NULL, NULL, 0},
    {"h2_then_bad", SC_ON_ACCEPT, NULL, 0, sc_h2_then_bad, NULL, NULL, 0},
    {"h2_hpack_bomb", SC_ON_ACCEPT, NULL, 0, sc_h2_hpack_bomb, NULL, NULL, 0},
    {"h2_big_headers", SC_ON_ACCEPT, NULL, 0, sc_h2_big_headers,
        sc_h2_big_headers_more, NULL, 0},
    {"h2_continuation_flood", SC_ON_ACCEPT, NULL, 0, sc_h2_continuation_flood,
        sc_h2_continuation_more, NULL, 0},
    {"h2_endless_1xx", SC_ON_ACCEPT, NULL, 0, sc_h2_endless_1xx,
        sc_h2_endless_1xx_more, NULL, 0},
    {"h2_ping_flood", SC_ON_ACCEPT, NULL, 0, sc_h2_ping_flood,
        sc_h2_ping_flood_more, NULL, 0},
    {"h2_ping_noread", SC_ON_ACCEPT, NULL, 0, sc_h2_ping_noread,
        sc_h2_ping_flood_more, NULL, 0},
};

static const struct scenario *
scenario_find(const char *name)
{
	size_t i;

	for (i = 0; i < NITEMS(scenarios); i++) {
		if (strcmp(scenarios[i].name, name) == 0)
			return (&scenarios[i]);
	}
	return (NULL);
}

static void
conn_free(struct conn *c)
{
	TAILQ_REMOVE(&c->td->conns, c, entry);
	if (c->tick != NULL)
		event_free(c->tick);
	if (c->rst != NULL)
		event_free(c->rst);
	bufferevent_free(c->bev);
	free(c);
}

/* SC_RST_AFTER: reset, whatever the client is still sending. */
static void
conn_reset(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	(void)fd;
	(void)what;
	if (setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_LINGER, &l,
	        sizeof l) == -1)
		warn("%s: SO_LINGER", c->sc->name);
	conn_free(c);
}

/*
 * Half-close, then discard what the client sends until it closes; or for
 * SC_RST_AFTER, reset: at once over TCP, and over TLS 20 ms later, for
 * there the output has drained when OpenSSL holds the last records still,
 * which a reset would drop.
 */
static void
conn_shutdown(struct conn *c)
{
	struct timeval tv = {0, 20000};

	if ((c->sc->flags & SC_RST_AFTER) && c->td->tls == NULL) {
		conn_reset(-1, 0, c);
		return;
	}
	if (c->sc->flags & SC_RST_AFTER) {
		if (c->rst == NULL &&
		    (c->rst = evtimer_new(c->td->base, conn_reset, c)) == NULL)
			errx(1, "event_new failed");
		evtimer_add(c->rst, &tv);
		return;
	}
	if (c->eof || shutdown(bufferevent_getfd(c->bev), SHUT_WR) == -1) {
		conn_free(c);
		return;
	}
	c->state = CONN_LINGER;
	bufferevent_enable(c->bev, EV_READ);
}

/* Act on what a script returned; c may be freed on return. */
static void
conn_step(struct conn *c, enum step step)
{
	struct timeval tv;

	if (step != STEP_MORE && c->tick != NULL)
		evtimer_del(c->tick);

	switch (step) {
	case STEP_MORE:
		c->state = CONN_REPLY;
		if (c->tick != NULL && !evtimer_pending(c->tick, NULL)) {
			tv.tv_sec = c->sc->tick_ms / 1000;
			tv.tv_usec = (c->sc->tick_ms % 1000) * 1000;
			evtimer_add(c->tick, &tv);
		}
		break;
	case STEP_CLOSE:
		c->state = CONN_CLOSING;
		if (evbuffer_get_length(out(c)) == 0)
			conn_shutdown(c);
		break;
	case STEP_HOLD:
		c->state = CONN_HOLD;
		if (c->eof)
			conn_free(c);
		break;
	case STEP_ABORT:
		conn_free(c);
		break;
	}
}

static void
conn_read_discard(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

/* Where the request head ends (after its blank line), or -1. */
static ev_ssize_t
conn_head_end(struct evbuffer *in)
{
	struct evbuffer_ptr lf, crlf;
	ev_ssize_t end = -1;

	lf = evbuffer_search(in, "\n\n", 2, NULL);
	crlf = evbuffer_search(in, "\n\r\n", 3, NULL);
	if (lf.pos != -1)
		end = lf.pos + 2;
	if (crlf.pos != -1 && (end == -1 || crlf.pos + 3 < end))
		end = crlf.pos + 3;
	return (end);
}

/* The output has drained to empty (the write low-watermark is 0). */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	switch (c->state) {
	case CONN_REPLY:
		if (c->sc->more != NULL)
			conn_step(c, c->sc->more(c));
		break;
	case CONN_CLOSING:
		conn_shutdown(c);
		break;
	default:
		break;
	}
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) /* TLS: the handshake is done */
		return;
	/*
	 * A client that only shut down its writing side may still read the
	 * reply; if it has really gone, the next write fails.
	 */
	if ((what & BEV_EVENT_EOF) &&
	    (c->state == CONN_REPLY || c->state == CONN_CLOSING)) {
		c->eof = 1;
		return;
	}
	conn_free(c);
}

static void
conn_read_request(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	ev_ssize_t end;
	enum step step;

	if ((end = conn_head_end(in)) == -1) {
		/* The read high-watermark stops input at the cap. */
		if (evbuffer_get_length(in) < TESTD_MAX_REQUEST)
			return;
		bufferevent_setcb(bev, conn_read_discard, conn_write,
		    conn_event, c);
		evbuffer_drain(in, evbuffer_get_length(in));
		evbuffer_add(out(c),
		    TEXT("HTTP/1.1 431 Request Header Fields Too Large\r\n"
		         "Server: testd\r\nContent-Length: 0\r\n\r\n"));
		conn_step(c, STEP_CLOSE);
		return;
	}

	/* Whatever follows the head is discarded from here on. */
	bufferevent_setcb(bev, conn_read_discard, conn_write, conn_event, c);
	c->req = (const char *)evbuffer_pullup(in, end);
	c->reqlen = end;
	step = c->sc->start(c);
	c->req = NULL;
	c->reqlen = 0;
	evbuffer_drain(in, evbuffer_get_length(in));
	conn_step(c, step);
}

/*
 * SC_SOCKS: one step of a SOCKS handshake from the len bytes at p. The
 * bytes it used, 0 to wait for more, or -1 to close (having written any
 * refusal). socks_echo grants every request (RFC 1929: any password but
 * "bad"), answers SOCKS5 with a bound name (type 3) and then serves HTTP;
 * socks_reply answers the destination port as its reply code (SOCKS5's
 * REP below 256, SOCKS4's CD), or port 1009 with a bound address of type
 * 9; socks_close closes instead of answering the CONNECT.
 */
static ev_ssize_t
socks4_hello(struct conn *c, const unsigned char *p, size_t len)
{
	const unsigned char *user, *host = NULL, *nul;
	unsigned port = (unsigned)p[2] << 8 | p[3];
	int is4a = p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0;
	unsigned char reply[8] = {0, 90, p[2], p[3], p[4], p[5], p[6], p[7]};
	size_t used;

	if (len < 9 || (nul = memchr(p + 8, 0, len - 8)) == NULL)
		return (0);
	user = p + 8;
	used = (size_t)(nul - p) + 1;
	if (is4a) {
		host = nul + 1;
		if (used >= len || (nul = memchr(host, 0, len - used)) == NULL)
			return (0);
		used = (size_t)(nul - p) + 1;
	}
	if (is4a)
		snprintf(c->socks_info, sizeof c->socks_info,
		    "v4a cmd=%u host=%s port=%u user=%s", p[1],
		    (const char *)host, port, (const char *)user);
	else
		snprintf(c->socks_info, sizeof c->socks_info,
		    "v4 cmd=%u ip=%u.%u.%u.%u port=%u user=%s", p[1], p[4],
		    p[5], p[6], p[7], port, (const char *)user);
	if (strcmp(c->sc->name, "socks_reply") == 0 && port < 256)
		reply[1] = (unsigned char)port;
	evbuffer_add(out(c), reply, sizeof reply);
	if (reply[1] != 90)
		return (-1);
	c->socks = SOCKS_DONE;
	return ((ev_ssize_t)used);
}

static ev_ssize_t
socks5_hello(struct conn *c, const unsigned char *p, size_t len)
{
	unsigned char reply[2] = {5, 0xff};

	if (len < 2 || len < 2u + p[1])
		return (0);
	if (memchr(p + 2, 2, p[1]) != NULL)
		reply[1] = 2;
	else if (memchr(p + 2, 0, p[1]) != NULL)
		reply[1] = 0;
	evbuffer_add(out(c), reply, sizeof reply);
	if (reply[1] == 0xff)
		return (-1);
	c->socks = reply[1] == 2 ? SOCKS5_AUTH : SOCKS5_CONNECT;
	return (2 + p[1]);
}

static ev_ssize_t
socks5_auth(struct conn *c, const unsigned char *p, size_t len)
{
	unsigned char reply[2] = {1, 0};
	size_t ulen, plen;

	if (len < 2 || len < 3u + p[1] || len < 3u + p[1] + p[2 + p[1]])
		return (0);
	ulen = p[1];
	plen = p[2 + ulen];
	snprintf(c->socks_info, sizeof c->socks_info, "user=%.*s ", (int)ulen,
	    (const char *)p + 2);
	if (plen == 3 && memcmp(p + 3 + ulen, "bad", 3) == 0)
		reply[1] = 1;
	evbuffer_add(out(c), reply, sizeof reply);
	if (reply[1] != 0)
		return (-1);
	c->socks = SOCKS5_CONNECT;
	return ((ev_ssize_t)(3 + ulen + plen));
}

static ev_ssize_t
socks5_connect(struct conn *c, const unsigned char *p, size_t len)
{
	static const unsigned char bound[] = {5, 0, 0, 3, 13, 't', 'e', 's',
	    't', 'd', '.', 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0x1f, 0x90};
	unsigned char reply[10] = {5, 0, 0, 1, 127, 0, 0, 1, 0, 0};
	char addr[INET6_ADDRSTRLEN];
	size_t alen, have = strlen(c->socks_info);
	unsigned port;

	if (len < 5)
		return (0);
	alen = p[3] == 1 ? 4 : p[3] == 4 ? 16 : p[3] == 3 ? 1u + p[4] : 0;
	if (alen == 0)
		return (-1);
	if (len < 4 + alen + 2)
		return (0);
	port = (unsigned)p[4 + alen] << 8 | p[5 + alen];
	if (p[3] == 3)
		snprintf(addr, sizeof addr, "%.*s", (int)p[4],
		    (const char *)p + 5);
	else
		inet_ntop(p[3] == 1 ? AF_INET : AF_INET6, p + 4, addr,
		    sizeof addr);
	snprintf(c->socks_info + have, sizeof c->socks_info - have,
	    "v5 cmd=%u atyp=%u addr=%s port=%u", p[1], p[3], addr, port);
	if (strcmp(c->sc->name, "socks_close") == 0)
		return (-1);
	if (strcmp(c->sc->name, "socks_reply") == 0) {
		if (port < 256)
			reply[1] = (unsigned char)port;
		else if (port == 1009)
			reply[3] = 9;
		evbuffer_add(out(c), reply, sizeof reply);
		return (-1);
	}
	evbuffer_add(out(c), bound, sizeof bound);
	c->socks = SOCKS_DONE;
	return ((ev_ssize_t)(4 + alen + 2));
}

static void
conn_read_socks(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	const unsigned char *p;
	size_t len;
	ev_ssize_t used;

	while (c->socks != SOCKS_DONE && (len = evbuffer_get_length(in)) > 0) {
		p = evbuffer_pullup(in, -1);
		if (c->socks == SOCKS5_AUTH)
			used = socks5_auth(c, p, len);
		else if (c->socks == SOCKS5_CONNECT)
			used = socks5_connect(c, p, len);
		else if (p[0] == 4)
			used = len < 8 ? 0 : socks4_hello(c, p, len);
		else if (p[0] == 5)
			used = socks5_hello(c, p, len);
		else
			used = -1;
		if (used == 0 && len >= TESTD_MAX_REQUEST)
			used = -1;
		if (used == 0)
			return;
		if (used < 0) {
			bufferevent_setcb(bev, conn_read_discard, conn_write,
			    conn_event, c);
			conn_step(c, STEP_CLOSE);
			return;
		}
		evbuffer_drain(in, (size_t)used);
	}
	if (c->socks != SOCKS_DONE)
		return;
	c->state = CONN_REQUEST;
	bufferevent_setcb(bev, conn_read_request, conn_write, conn_event, c);
	if (evbuffer_get_length(in) > 0)
		conn_read_request(bev, c);
}

static void
conn_tick(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == CONN_REPLY)
		conn_step(c, c->sc->tick(c));
}

static void
conn_new(struct listener *l, evutil_socket_t fd)
{
	struct testd *td = l->td;
	struct conn *c;

	c = xcalloc(1, sizeof *c);
	c->td = td;
	c->sc = l->sc;
	if (td->tls != NULL) {
		SSL *ssl = SSL_new(td->tls);

		c->bev = ssl == NULL
		    ? NULL
		    : bufferevent_openssl_socket_new(td->base, fd, ssl,
		          BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		c->bev =
		    bufferevent_socket_new(td->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		warnx("%s: bufferevent_socket_new failed", l->sc->name);
		evutil_closesocket(fd);
		free(c);
		return;
	}
	/* A persistent tick: conn_step arms it once and deletes it. */
	if (c->sc->tick != NULL) {
		c->tick = event_new(td->base, -1, EV_PERSIST, conn_tick, c);
		if (c->tick == NULL)
			errx(1, "event_new failed");
	}
	TAILQ_INSERT_TAIL(&td->conns, c, entry);

	bufferevent_setwatermark(c->bev, EV_READ, 0, TESTD_MAX_REQUEST);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);

	if (c->sc->flags & SC_ON_ACCEPT) {
		bufferevent_setcb(c->bev, conn_read_discard, conn_write,
		    conn_event, c);
		conn_step(c, c->sc->start(c));
		return;
	}
	c->state = CONN_REQUEST;
	bufferevent_setcb(c->bev,
	    (c->sc->flags & SC_SOCKS) ? conn_read_socks : conn_read_request,
	    conn_write, conn_event, c);
}

static void
listener_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	struct linger rst = {.l_onoff = 1, .l_linger = 0};

	(void)lev;
	(void)sa;
	(void)salen;
	if ((l->sc->flags & SC_RST_FIRST) && l->accepted++ == 0) {
		/* A zero linger makes close() send RST instead of FIN. */
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst) ==
		    -1)
			warn("%s: SO_LINGER", l->sc->name);
		evutil_closesocket(fd);
		return;
	}
	conn_new(l, fd);
}

static void
listener_resume(evutil_socket_t fd, short what, void *arg)
{
	struct listener *l = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(l->lev);
}

/*
 * accept() failed, for example with EMFILE. The pending connection stays
 * in the backlog, so pause instead of spinning on it.
 */
static void
listener_error(struct evconnlistener *lev, void *arg)
{
	struct listener *l = arg;
	struct timeval tv = {0, TESTD_ACCEPT_PAUSE_MS * 1000};

	warn("%s: accept", l->sc->name);
	evconnlistener_disable(lev);
	evtimer_add(l->resume, &tv);
}

/*
 * dns_servfail: answer every DNS query with RCODE 2 (SERVFAIL), the
 * question echoed and nothing else, so resolvers' failure paths can be
 * tested on loopback.
 */
static void
dns_servfail(evutil_socket_t fd, short what, void *arg)
{
	unsigned char msg[512];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;
	ssize_t n;
	size_t end = 12;

	(void)what;
	(void)arg;
	n = recvfrom(fd, msg, sizeof msg, 0, (struct sockaddr *)&from,
	    &fromlen);
	if (n < 12)
		return;
	/* The question: labels up to the root, then type and class. */
	while (end < (size_t)n && msg[end] != 0 && msg[end] < 64)
		end += msg[end] + 1;
	end += 5;
	if (end > (size_t)n || msg[4] != 0 || msg[5] != 1)
		return;
	msg[2] = (unsigned char)(msg[2] | 0x80); /* a response */
	msg[3] = 0x80 | 2;                       /* RA, SERVFAIL */
	memset(msg + 6, 0, 6);                   /* no records */
	(void)sendto(fd, msg, end, 0, (struct sockaddr *)&from, fromlen);
}

static void
dns_open(struct testd *td, struct listener *l,
    const struct sockaddr_storage *ss, socklen_t sslen, const char *addr)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof bound;
	evutil_socket_t fd;

	fd =
	    socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (const struct sockaddr *)ss, sslen) == -1)
		err(1, "%s: bind %s", l->sc->name, addr);
	if (getsockname(fd, (struct sockaddr *)&bound, &len) == -1)
		err(1, "%s: getsockname", l->sc->name);
	l->port = ntohs(bound.ss_family == AF_INET6
	        ? ((struct sockaddr_in6 *)&bound)->sin6_port
	        : ((struct sockaddr_in *)&bound)->sin_port);
	l->udp = event_new(td->base, fd, EV_READ | EV_PERSIST, dns_servfail, l);
	if (l->udp == NULL || event_add(l->udp, NULL) == -1)
		errx(1, "event_new failed");
}

/*
 * flaky_full: a listener with a backlog of 0 that never accepts, its one
 * queue place taken by a connection of our own, so that the kernel drops
 * every later SYN and a client's connect() waits, as with a host that has
 * gone dark: the --connect-timeout case, on loopback.
 */
static void
full_open(struct listener *l, const struct sockaddr_storage *ss,
    socklen_t sslen, const char *addr)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof bound;
	size_t i;

	l->full_fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->full_fd == -1 ||
	    bind(l->full_fd, (const struct sockaddr *)ss, sslen) == -1 ||
	    listen(l->full_fd, 0) == -1)
		err(1, "%s: listen on %s", l->sc->name, addr);
	if (getsockname(l->full_fd, (struct sockaddr *)&bound, &len) == -1)
		err(1, "%s: getsockname", l->sc->name);
	for (i = 0; i < NITEMS(l->filler); i++) {
		l->filler[i] = socket(bound.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (l->filler[i] == -1)
			err(1, "%s: socket", l->sc->name);
		if (connect(l->filler[i], (struct sockaddr *)&bound, len) ==
		        -1 &&
		    errno != EINPROGRESS)
			err(1, "%s: connect", l->sc->name);
	}
	if (bound.ss_family == AF_INET6)
		l->port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
	else
		l->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

static void
listener_open(struct testd *td, struct listener *l,
    const struct sockaddr_storage *ss, socklen_t sslen, const char *addr)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof bound;

	l->td = td;
	if (l->sc->flags & SC_DNS_SERVFAIL) {
		dns_open(td, l, ss, sslen, addr);
		return;
	}
	if (l->sc->flags & SC_FULL) {
		full_open(l, ss, sslen, addr);
		return;
	}
	l->lev = evconnlistener_new_bind(td->base, listener_accept, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, TESTD_BACKLOG,
	    (const struct sockaddr *)ss, sslen);
	if (l->lev == NULL)
		err(1, "%s: listen on %s", l->sc->name, addr);
	evconnlistener_set_error_cb(l->lev, listener_error);
	if ((l->resume = evtimer_new(td->base, listener_resume, l)) == NULL)
		errx(1, "evtimer_new failed");

	if (getsockname(evconnlistener_get_fd(l->lev),
	        (struct sockaddr *)&bound, &len) == -1)
		err(1, "%s: getsockname", l->sc->name);
	if (bound.ss_family == AF_INET6)
		l->port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
	else
		l->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

/* Parse a numeric loopback address: 127.0.0.0/8 or ::1, nothing else. */
static int
parse_loopback(const char *addr, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return (-1);
		sin->sin_family = AF_INET;
		*sslen = sizeof *sin;
		return (0);
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return (-1);
		sin6->sin6_family = AF_INET6;
		*sslen = sizeof *sin6;
		return (0);
	}
	return (-1);
}

static void
testd_stop(evutil_socket_t fd, short what, void *arg)
{
	struct testd *td = arg;

	(void)fd;
	(void)what;
	event_base_loopexit(td->base, NULL);
}

static void
testd_free(struct testd *td)
{
	struct conn *c;
	size_t i;

	while ((c = TAILQ_FIRST(&td->conns)) != NULL)
		conn_free(c);
	for (i = 0; i < td->nlisteners; i++) {
		if (td->listeners[i].udp != NULL) {
			close(event_get_fd(td->listeners[i].udp));
			event_free(td->listeners[i].udp);
			continue;
		}
		if (td->listeners[i].sc->flags & SC_FULL) {
			close(td->listeners[i].filler[0]);
			close(td->listeners[i].filler[1]);
			close(td->listeners[i].full_fd);
			continue;
		}
		evconnlistener_free(td->listeners[i].lev);
		event_free(td->listeners[i].resume);
	}
	free(td->listeners);
	event_free(td->sigterm);
	event_free(td->sigint);
	event_free(td->lifetime);
	/* Runs the finalizers bufferevent_free left pending. */
	event_base_free(td->base);
}

/* More descriptors, for hundreds of concurrent clients; best effort. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: awget-testd [-l lifetime_seconds] [-a address] "
	    "[-C cert.pem -K key.pem] scenario ...\n"
	    "       awget-testd -L\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct testd td;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct timeval tv = {TESTD_DEFAULT_LIFETIME, 0};
	const char *addr = "127.0.0.1", *errstr, *cert = NULL, *key = NULL;
	int ch, Lflag = 0;
	size_t i;

	while ((ch = getopt(argc, argv, "a:C:K:Ll:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'L':
			Lflag = 1;
			break;
		case 'l':
			tv.tv_sec = parse_number(optarg, 1, TESTD_MAX_LIFETIME,
			    &errstr);
			if (errstr != NULL)
				errx(2, "lifetime %s: %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (Lflag) {
		if (argc != 0)
			errx(2, "-L takes no scenarios");
		for (i = 0; i < NITEMS(scenarios); i++)
			printf("%s\n", scenarios[i].name);
		if (fflush(stdout) == EOF)
			err(1, "stdout");
		return (0);
	}
	if (argc == 0)
		usage();
	if (parse_loopback(addr, &ss, &sslen) == -1)
		errx(2,
		    "address %s: not a numeric loopback address "
		    "(127.0.0.0/8 or ::1)",
		    addr);
	for (i = 0; i < (size_t)argc; i++) {
		if (scenario_find(argv[i]) == NULL)
			errx(2, "unknown scenario: %s (-L lists them)",
			    argv[i]);
	}

	raise_nofile();
	/* Writes to a client that has gone must fail with EPIPE, not kill. */
	signal(SIGPIPE, SIG_IGN);

	memset(&td, 0, sizeof td);
	TAILQ_INIT(&td.conns);
	if ((cert == NULL) != (key == NULL))
		errx(2, "-C and -K go together");
	if (cert != NULL) {
		if ((td.tls = SSL_CTX_new(TLS_server_method())) == NULL ||
		    SSL_CTX_use_certificate_chain_file(td.tls, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(td.tls, key,
		        SSL_FILETYPE_PEM) != 1)
			errx(1, "%s, %s: cannot load the certificate and key",
			    cert, key);
	}
	if ((td.base = event_base_new()) == NULL)
		errx(1, "event_base_new failed");
	td.sigterm = evsignal_new(td.base, SIGTERM, testd_stop, &td);
	td.sigint = evsignal_new(td.base, SIGINT, testd_stop, &td);
	td.lifetime = evtimer_new(td.base, testd_stop, &td);
	if (td.sigterm == NULL || td.sigint == NULL || td.lifetime == NULL)
		errx(1, "event_new failed");
	evsignal_add(td.sigterm, NULL);
	evsignal_add(td.sigint, NULL);
	evtimer_add(td.lifetime, &tv);

	td.nlisteners = argc;
	td.listeners = xcalloc(td.nlisteners, sizeof *td.listeners);
	for (i = 0; i < td.nlisteners; i++) {
		td.listeners[i].sc = scenario_find(argv[i]);
		listener_open(&td, &td.listeners[i], &ss, sslen, addr);
	}
	for (i = 0; i < td.nlisteners; i++)
		printf("%s %d\n", td.listeners[i].sc->name,
		    td.listeners[i].port);
	printf("ready\n");
	if (fflush(stdout) == EOF)
		err(1, "stdout");

	if (event_base_dispatch(td.base) == -1)
		errx(1, "event_base_dispatch failed");
	testd_free(&td);
	SSL_CTX_free(td.tls);
	libevent_global_shutdown();
	return (0);
}
