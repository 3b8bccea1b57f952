/*
 * proxy.c: -x's URL and -U's credentials, read once. The credentials are
 * kept apart from everything that is ever printed: shown is the URL
 * without them, for -v, JSON and error messages.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "awget.h"
#include "proxy.h"
#include "util.h"

static const struct {
	const char *name;
	enum proxy_kind kind;
} schemes[] = {
    {"http", PROXY_HTTP},
    {"socks4", PROXY_SOCKS4},
    {"socks4a", PROXY_SOCKS4A},
    {"socks5", PROXY_SOCKS5},
    {"socks5h", PROXY_SOCKS5H},
};

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode n bytes of s into a new string; NULL if malformed or if
 * it decodes to a NUL or a control byte. */
static char *
decode(const char *s, size_t n)
{
	char *d = xcalloc(1, n + 1);
	size_t i, j = 0;
	int h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n ||
			    (h = hex((unsigned char)s[i + 1])) < 0 ||
			    (l = hex((unsigned char)s[i + 2])) < 0)
				goto bad;
			d[j] = (char)(h << 4 | l);
			i += 2;
		} else
			d[j] = s[i];
		if ((unsigned char)d[j] < 0x20 || d[j] == 0x7f)
			goto bad;
		j++;
	}
	return d;
bad:
	free(d);
	return NULL;
}

/* "user:password" (n bytes, decoded or not) into p->user and p->pass. */
static const char *
credentials(struct proxy *p, const char *s, size_t n, int encoded)
{
	const char *colon = memchr(s, ':', n);
	size_t un = colon != NULL ? (size_t)(colon - s) : n;

	free(p->user);
	free(p->pass);
	p->user = encoded ? decode(s, un) : xstrndup(s, un);
	p->pass = colon == NULL ? xstrdup("")
	    : encoded           ? decode(colon + 1, n - un - 1)
	                        : xstrndup(colon + 1, n - un - 1);
	if (p->user == NULL || p->pass == NULL)
		return "proxy credentials are not percent-encoded text";
	return NULL;
}

/* The Proxy-Authorization value of an HTTP proxy: base64 of user:pass. */
static void
basic(struct proxy *p)
{
	size_t ul = strlen(p->user), pl = strlen(p->pass), n = ul + 1 + pl;
	unsigned char *plain = xcalloc(1, n + 1);

	memcpy(plain, p->user, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, p->pass, pl);
	p->basic = xcalloc(1, 4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)p->basic, plain, (int)n);
	OPENSSL_cleanse(plain, n);
	free(plain);
}

/* host[:port] of n bytes, [v6] in brackets, into p. */
static const char *
authority(struct proxy *p, const char *s, size_t n)
{
	const char *end = s + n, *colon = NULL, *close, *errstr;
	char port[8];
	size_t hl;
	long long v;

	if (n > 0 && s[0] == '[') {
		if ((close = memchr(s, ']', n)) == NULL)
			return "missing ']' after the proxy's IPv6 address";
		if (close + 1 < end && close[1] != ':')
			return "junk after the proxy's ']'";
		colon = close + 1 < end ? close + 1 : NULL;
		p->host = xstrndup(s + 1, close - s - 1);
	} else {
		colon = memchr(s, ':', n);
		hl = colon != NULL ? (size_t)(colon - s) : n;
		p->host = xstrndup(s, hl);
	}
	if (p->host[0] == '\0')
		return "the proxy has no host";
	if (strlen(p->host) > AWGET_MAX_HOSTNAME)
		return "the proxy's host name is too long";
	p->port = 1080;
	if (colon != NULL) {
		if ((size_t)(end - colon - 1) >= sizeof(port) ||
		    colon + 1 == end)
			return "invalid proxy port";
		memcpy(port, colon + 1, end - colon - 1);
		port[end - colon - 1] = '\0';
		v = parse_number(port, 1, 65535, &errstr);
		if (errstr != NULL)
			return "invalid proxy port";
		p->port = (unsigned short)v;
	}
	if (inet_pton(AF_INET, p->host, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, p->host, p->addr) == 1)
		p->family = AF_INET6;
	return NULL;
}

const char *
proxy_parse(const char *url, const char *userpass, struct proxy *p)
{
	const char *s = url, *sep, *at, *end, *why;
	size_t i, n;
	int found = 0;

	memset(p, 0, sizeof(*p));
	p->kind = PROXY_HTTP;
	for (i = 0; url[i] != '\0'; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return "the proxy URL has a space or a control "
			       "character";
	if ((sep = strstr(s, "://")) != NULL) {
		for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (strlen(schemes[i].name) == (size_t)(sep - s) &&
			    strncasecmp(s, schemes[i].name, sep - s) == 0) {
				p->kind = schemes[i].kind;
				found = 1;
			}
		if (!found)
			return "unknown proxy scheme (http, socks4, socks4a, "
			       "socks5 or socks5h)";
		s = sep + 3;
	}
	end = s + strcspn(s, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0)
		return "a proxy URL has no path";
	if ((at = memchr(s, '@', end - s)) != NULL) {
		if ((why = credentials(p, s, at - s, 1)) != NULL)
			return why;
		s = at + 1;
	}
	if ((why = authority(p, s, end - s)) != NULL)
		return why;
	if (userpass != NULL &&
	    (why = credentials(p, userpass, strlen(userpass), 0)) != NULL)
		return why;
	if (p->user != NULL && p->kind == PROXY_HTTP)
		basic(p);
	/* RFC 1929 and SOCKS4 give each a length byte. */
	if (p->user != NULL && p->kind != PROXY_HTTP &&
	    (strlen(p->user) > 255 || strlen(p->pass) > 255))
		return "a SOCKS user name or password is longer than 255 bytes";
	if (p->user != NULL && p->kind != PROXY_HTTP && p->user[0] == '\0' &&
	    (p->kind == PROXY_SOCKS5 || p->kind == PROXY_SOCKS5H))
		return "a SOCKS5 user name cannot be empty";
	n = strlen(p->host) + 24;
	p->shown = xcalloc(1, n);
	snprintf(p->shown, n, "%s://%s%s%s:%u",
	    p->kind == PROXY_HTTP          ? "http"
	        : p->kind == PROXY_SOCKS4  ? "socks4"
	        : p->kind == PROXY_SOCKS4A ? "socks4a"
	        : p->kind == PROXY_SOCKS5  ? "socks5"
	                                   : "socks5h",
	    p->family == AF_INET6 ? "[" : "", p->host,
	    p->family == AF_INET6 ? "]" : "", p->port);
	return NULL;
}

/* Whether address a (family, network order) is in entry, "ADDR[/N]". */
static int
in_block(int family, const unsigned char *a, const char *entry, size_t n)
{
	char text[INET6_ADDRSTRLEN + 8];
	unsigned char b[16];
	const char *slash, *errstr;
	long long bits;
	size_t i, len = family == AF_INET ? 4 : 16;

	if (n >= sizeof(text))
		return 0;
	memcpy(text, entry, n);
	text[n] = '\0';
	bits = (long long)len * 8;
	if ((slash = strchr(text, '/')) != NULL) {
		bits = parse_number(slash + 1, 0, (long long)len * 8, &errstr);
		if (errstr != NULL)
			return 0;
		text[slash - text] = '\0';
	}
	if (inet_pton(family, text, b) != 1)
		return 0;
	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char m =
		    bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));

		if ((a[i] & m) != (b[i] & m))
			return 0;
	}
	return 1;
}

int
proxy_skipped(const char *list, const char *host)
{
	unsigned char a[16];
	int family = 0;
	size_t hl = strlen(host), n;
	const char *s = list, *e;

	if (inet_pton(AF_INET, host, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, host, a) == 1)
		family = AF_INET6;
	while (hl > 0 && host[hl - 1] == '.')
		hl--; /* a rooted name */
	while (*s != '\0') {
		s += strspn(s, ", \t");
		n = strcspn(s, ", \t");
		e = s;
		s += n;
		if (n == 0)
			continue;
		if (n == 1 && e[0] == '*')
			return 1;
		if (e[0] == '[' && e[n - 1] == ']') {
			e++;
			n -= 2;
		}
		if (family != 0) {
			if (in_block(family, a, e, n))
				return 1;
			continue;
		}
		if (e[0] == '.') {
			e++;
			n--;
		}
		if (n > 0 && e[n - 1] == '.')
			n--;
		if (n == 0 || n > hl)
			continue;
		if (strncasecmp(host + hl - n, e, n) == 0 &&
		    (n == hl || host[hl - n - 1] == '.'))
			return 1;
	}
	return 0;
}

void
proxy_free(struct proxy *p)
{
	if (p->pass != NULL)
		OPENSSL_cleanse(p->pass, strlen(p->pass));
	if (p->basic != NULL)
		OPENSSL_cleanse(p->basic, strlen(p->basic));
	free(p->host);
	free(p->user);
	free(p->pass);
	free(p->shown);
	free(p->basic);
	memset(p, 0, sizeof(*p));
}
