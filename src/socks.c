/*
 * socks.c: the SOCKS handshake's messages, and the judging of each answer.
 *
 *   SOCKS5 (RFC 1928): the methods we offer, the one chosen; RFC 1929's
 *   user name and password if that was it; then CONNECT to an address,
 *   or to the name for socks5h, and the reply with its bound address.
 *   SOCKS4, and 4a (the name after the user id): one request, one reply.
 *
 * The proxy's bytes are hostile input: an answer is read to its exact
 * size, known before it is read (from the state, or from the bound
 * address's type and length byte), and an error names the reply code the
 * proxy sent, never its other bytes.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "socks.h"

/* RFC 1928's replies, 0 to 8. */
static const char *const socks5_replies[] = {
    "succeeded",
    "general SOCKS server failure",
    "connection not allowed by ruleset",
    "network unreachable",
    "host unreachable",
    "connection refused",
    "TTL expired",
    "command not supported",
    "address type not supported",
};

/* SOCKS4's replies, 90 to 93. */
static const char *const socks4_replies[] = {
    "request granted",
    "request rejected or failed",
    "cannot reach the client's identd",
    "the client's identd gave another user id",
};

static int
is5(const struct socks *s)
{
	return s->proxy->kind == PROXY_SOCKS5 ||
	    s->proxy->kind == PROXY_SOCKS5H;
}

const char *
socks_version(const struct socks *s)
{
	return is5(s) ? "SOCKS5" : "SOCKS4";
}

static enum socks_state socks_fail(struct socks *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static enum socks_state
socks_fail(struct socks *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->outlen = s->want = 0;
	return s->state = SOCKS_FAILED;
}

static void
put(struct socks *s, const void *p, size_t n)
{
	memcpy(s->out + s->outlen, p, n);
	s->outlen += n;
}

static void
put_port(struct socks *s)
{
	unsigned char b[2] = {(unsigned char)(s->port >> 8),
	    (unsigned char)s->port};

	put(s, b, 2);
}

/* The next message is in out; read want bytes of answer in state next. */
static enum socks_state
expect(struct socks *s, enum socks_state next, size_t want)
{
	if (next != SOCKS5_REST)
		s->inlen = 0; /* a new answer; the rest of one goes on */
	s->want = want;
	return s->state = next;
}

/* SOCKS4: VN CD DSTPORT DSTIP USERID NUL, and for 4a the name NUL. */
static enum socks_state
socks4_request(struct socks *s)
{
	const unsigned char invalid[4] = {0, 0, 0,
	    1}; /* 4a: "a name follows" */
	const char *user = s->proxy->user != NULL ? s->proxy->user : "";
	size_t ulen = strlen(user), hlen = strlen(s->host);

	if (s->family == AF_INET6)
		return socks_fail(s,
		    "SOCKS4 proxy %s: cannot reach an IPv6 address",
		    s->proxy->shown);
	if (ulen > 255 || hlen > 253)
		return socks_fail(s, "SOCKS4 proxy %s: a name too long",
		    s->proxy
		        ->shown); /* proxy_parse and target_parse refuse them */
	put(s, "\x04\x01", 2);
	put_port(s);
	put(s, s->family == AF_INET ? s->addr : invalid, 4);
	put(s, user, ulen + 1);
	if (s->family == 0)
		put(s, s->host, hlen + 1);
	return expect(s, SOCKS4_REPLY, 8);
}

/* RFC 1929: VER ULEN UNAME PLEN PASSWD. */
static enum socks_state
socks5_auth(struct socks *s)
{
	const char *user = s->proxy->user;
	const char *pass = s->proxy->pass != NULL ? s->proxy->pass : "";
	unsigned char n;

	put(s, "\x01", 1);
	n = (unsigned char)strlen(user); /* proxy_parse: 1 to 255 bytes */
	put(s, &n, 1);
	put(s, user, n);
	n = (unsigned char)strlen(pass);
	put(s, &n, 1);
	put(s, pass, n);
	return expect(s, SOCKS5_AUTH, 2);
}

/* CONNECT: VER CMD RSV ATYP DST.ADDR DST.PORT. */
static enum socks_state
socks5_connect(struct socks *s)
{
	unsigned char n;

	put(s, "\x05\x01\x00", 3);
	if (s->family == AF_INET) {
		put(s, "\x01", 1);
		put(s, s->addr, 4);
	} else if (s->family == AF_INET6) {
		put(s, "\x04", 1);
		put(s, s->addr, 16);
	} else {
		if (strlen(s->host) > 255)
			return socks_fail(s, "SOCKS5 proxy %s: a name too long",
			    s->proxy->shown);
		n = (unsigned char)strlen(s->host);
		put(s, "\x03", 1);
		put(s, &n, 1);
		put(s, s->host, n);
	}
	put_port(s);
	return expect(s, SOCKS5_HEAD, 5);
}

enum socks_state
socks_start(struct socks *s, const struct proxy *p, const char *host,
    int family, const unsigned char *addr, unsigned short port)
{
	memset(s, 0, sizeof(*s));
	s->proxy = p;
	s->host = host;
	s->family = family;
	s->addr = addr;
	s->port = port;
	if (!is5(s))
		return socks4_request(s);
	if (p->user != NULL)
		put(s, "\x05\x02\x00\x02", 4); /* none, or user and password */
	else
		put(s, "\x05\x01\x00", 3);
	return expect(s, SOCKS5_METHOD, 2);
}

static enum socks_state
socks5_method(struct socks *s)
{
	if (s->in[1] == 0x00)
		return socks5_connect(s);
	if (s->in[1] == 0x02 && s->proxy->user != NULL)
		return socks5_auth(s);
	if (s->in[1] == 0xff)
		return socks_fail(s,
		    "SOCKS5 proxy: no acceptable authentication method%s",
		    s->proxy->user == NULL
		        ? " (it may want a user name and password: -U)"
		        : "");
	return socks_fail(s,
	    "SOCKS5 proxy: chose authentication method %u, which was not "
	    "offered",
	    s->in[1]);
}

/* The reply's first five bytes: its code, and the bound address's size. */
static enum socks_state
socks5_head(struct socks *s)
{
	const unsigned char *in = s->in;

	if (in[1] != 0)
		return socks_fail(s, "SOCKS5 proxy: %s (reply %u)",
		    in[1] < 9 ? socks5_replies[in[1]] : "unknown error", in[1]);
	if (in[3] != 1 && in[3] != 3 && in[3] != 4)
		return socks_fail(s,
		    "SOCKS5 proxy %s: address type %u in its reply",
		    s->proxy->shown, in[3]);
	return expect(s, SOCKS5_REST,
	    4 +
	        (in[3] == 1          ? 4
	                : in[3] == 4 ? 16
	                             : 1u + in[4]) +
	        2);
}

enum socks_state
socks_answer(struct socks *s)
{
	const unsigned char *in = s->in;
	unsigned char version = s->state == SOCKS4_REPLY ? 0
	    : s->state == SOCKS5_AUTH                    ? 1
	                                                 : 5;

	s->outlen = 0;
	if (s->want < 2 || in[0] != version)
		return socks_fail(s, "%s proxy %s: not a %s answer",
		    socks_version(s), s->proxy->shown, socks_version(s));
	switch (s->state) {
	case SOCKS5_METHOD:
		return socks5_method(s);
	case SOCKS5_AUTH:
		OPENSSL_cleanse(s->out, sizeof(s->out)); /* the password */
		if (in[1] != 0)
			return socks_fail(s,
			    "SOCKS5 proxy: authentication failed");
		return socks5_connect(s);
	case SOCKS5_HEAD:
		return socks5_head(s);
	case SOCKS4_REPLY:
		if (in[1] != 90)
			return socks_fail(s, "SOCKS4 proxy: %s (reply %u)",
			    in[1] >= 90 && in[1] <= 93
			        ? socks4_replies[in[1] - 90]
			        : "unknown error",
			    in[1]);
		break;
	case SOCKS5_REST:
		break;
	default:
		return socks_fail(s, "%s proxy %s: an answer out of turn",
		    socks_version(s), s->proxy->shown);
	}
	s->want = 0;
	return s->state = SOCKS_UP;
}

void
socks_wipe(struct socks *s)
{
	OPENSSL_cleanse(s->out, sizeof(s->out));
}
