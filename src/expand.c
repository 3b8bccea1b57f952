/*
 * expand.c: network ranges and port lists.
 *
 * A recon list is written in address blocks (127.0.0.0/24, 127.0.0.1-9)
 * and hosts without ports, tried on a list of them (-p 80,443,8000-8010).
 * A line that stands for many targets is copied here once and handed out
 * a text at a time, in ascending order, each then parsed as if it had
 * been its own line: a /8 costs what one line costs, and --shard and the
 * progress line count positions, not lines.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expand.h"
#include "url.h"
#include "util.h"

/* Parse n decimal digits of s into *v, no more than max; -1 if not. */
static int
decimal(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	size_t i;

	*v = 0;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (*v <= max)
			*v = *v * 10 + (unsigned long)(s[i] - '0');
	}
	return *v <= max ? 0 : 1;
}

/* One item of -p: "PORT", "LOW-HIGH", with "http:" or "https:" before. */
static const char *
port_item(const char *s, size_t n, struct port_item *it)
{
	const char *colon = memchr(s, ':', n), *dash;
	unsigned long low, high;
	size_t k;

	it->tls = -1;
	if (colon != NULL) {
		k = colon - s;
		if (k == 4 && strncasecmp(s, "http", 4) == 0)
			it->tls = 0;
		else if (k == 5 && strncasecmp(s, "https", 5) == 0)
			it->tls = 1;
		else
			return "unknown scheme (http or https)";
		n -= k + 1;
		s = colon + 1;
	}
	if (n == 0)
		return "empty port";
	dash = memchr(s, '-', n);
	k = dash != NULL ? (size_t)(dash - s) : n;
	if (decimal(s, k, 65535, &low) == -1 ||
	    (dash != NULL && decimal(dash + 1, n - k - 1, 65535, &high) == -1))
		return "invalid port";
	if (dash == NULL)
		high = low;
	if (low == 0 || low > 65535 || high == 0 || high > 65535)
		return "port out of range (1-65535)";
	if (low > high)
		return "port range start above its end";
	it->low = (unsigned short)low;
	it->high = (unsigned short)high;
	return NULL;
}

const char *
ports_parse(const char *list, struct ports *p)
{
	const char *s = list, *comma, *why;
	size_t n = 1, i;

	for (i = 0; list[i] != '\0'; i++)
		n += list[i] == ',';
	p->item = xcalloc(n, sizeof(*p->item));
	p->n = 0;
	for (;;) {
		comma = strchr(s, ',');
		i = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (i == 0)
			why = "empty item";
		else
			why = port_item(s, i, &p->item[p->n]);
		if (why != NULL) {
			ports_free(p);
			return why;
		}
		p->n++;
		if (comma == NULL)
			return NULL;
		s = comma + 1;
	}
}

void
ports_free(struct ports *p)
{
	free(p->item);
	p->item = NULL;
	p->n = 0;
}

/* A.B.C.D/N, A.B.C.D-E or A.B.C.D-W.X.Y.Z; s[at] is the '/' or '-'. */
static int
range_v4(const char *s, size_t n, size_t at, unsigned char *addr,
    uint64_t *first, uint64_t *last, const char **why)
{
	char end[INET_ADDRSTRLEN];
	const char *r = s + at + 1;
	size_t rn = n - at - 1;
	uint32_t a, b, mask;
	unsigned long v;
	int rc;

	memcpy(&a, addr, 4);
	a = ntohl(a);
	if (s[at] == '/') {
		if ((rc = decimal(r, rn, 32, &v)) != 0) {
			*why = rn == 0 ? "empty prefix length"
			    : rc == 1  ? "prefix length above 32"
			               : "prefix length is not a number (a "
			                 "path on an address takes a port: "
			                 "ADDR:80/path)";
			return -1;
		}
		mask = v == 0 ? 0 : 0xffffffffU << (32 - v);
		*first = a & mask;
		*last = (a & mask) | ~mask;
		return 1;
	}
	if ((rc = decimal(r, rn, 255, &v)) == 0)
		b = (a & 0xffffff00U) | (uint32_t)v;
	else if (rc == 1) {
		*why = "last octet above 255";
		return -1;
	} else if (rn < sizeof(end) &&
	    (memcpy(end, r, rn), end[rn] = '\0',
	        inet_pton(AF_INET, end, &b) == 1))
		b = ntohl(b);
	else {
		*why = "the end of the range is not an address or an octet";
		return -1;
	}
	if (a > b) {
		*why = "the start of the range is above its end";
		return -1;
	}
	*first = a;
	*last = b;
	return 1;
}

/* [IPv6]/N: s[at] is the '/' after the ']'. */
static int
range_v6(const char *s, size_t n, size_t at, unsigned char *addr,
    uint64_t *first, uint64_t *last, const char **why)
{
	char text[INET6_ADDRSTRLEN];
	uint32_t low, mask;
	unsigned long v;
	int rc;

	if (at - 2 >= sizeof(text) || memchr(s + 1, '%', at - 2) != NULL) {
		*why = "invalid IPv6 address in range";
		return -1;
	}
	memcpy(text, s + 1, at - 2);
	text[at - 2] = '\0';
	if (inet_pton(AF_INET6, text, addr) != 1) {
		*why = "invalid IPv6 address in range";
		return -1;
	}
	if ((rc = decimal(s + at + 1, n - at - 1, 128, &v)) != 0) {
		*why = n - at - 1 == 0 ? "empty prefix length"
		    : rc == 1          ? "prefix length above 128"
		                       : "prefix length is not a number";
		return -1;
	}
	if (v < 96) {
		*why = "an IPv6 range must be /96 or longer";
		return -1;
	}
	memcpy(&low, addr + 12, 4);
	low = ntohl(low);
	mask = v == 96 ? 0 : 0xffffffffU << (128 - v);
	*first = low & mask;
	*last = (low & mask) | ~mask;
	return 1;
}

/* Whether s (n bytes) is an IPv6 address without brackets. */
static int
bare_v6(const char *s, size_t n)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char a[16];

	if (n >= sizeof(text) || memchr(s, ':', n) == NULL)
		return 0;
	memcpy(text, s, n);
	text[n] = '\0';
	return inet_pton(AF_INET6, text, a) == 1;
}

int
range_parse(const char *s, size_t n, int *family, unsigned char *addr,
    uint64_t *first, uint64_t *last, const char **why)
{
	char text[INET_ADDRSTRLEN];
	const char *close;
	size_t at;

	if (n > 0 && s[0] == '[') {
		if ((close = memchr(s, ']', n)) == NULL ||
		    (size_t)(close - s) + 1 >= n || close[1] != '/')
			return 0;
		*family = AF_INET6;
		return range_v6(s, n, close - s + 1, addr, first, last, why);
	}
	if ((close = memchr(s, '/', n)) != NULL && bare_v6(s, close - s)) {
		*why = "an IPv6 range is written in brackets: [ADDR]/N";
		return -1;
	}
	for (at = 0; at < n && ((s[at] >= '0' && s[at] <= '9') || s[at] == '.');
	     at++)
		;
	if (at == 0 || at == n || (s[at] != '/' && s[at] != '-') ||
	    at >= sizeof(text))
		return 0;
	memcpy(text, s, at);
	text[at] = '\0';
	if (inet_pton(AF_INET, text, addr) != 1)
		return 0;
	*family = AF_INET;
	return range_v4(s, n, at, addr, first, last, why);
}

/*
 * The parts of a target line that -p works with: the scheme's "x://"
 * (*pre bytes), then the host, up to *host_end; whether it has a port of
 * its own; whether it is an IPv6 address without brackets.
 */
static int
split(const char *s, size_t n, size_t *pre, size_t *host_end, int *bare6)
{
	size_t i = url_scheme_len(s, n), a, colons = 0;
	const char *close;

	*pre = i > 0 ? i + 3 : 0;
	for (a = *pre; a < n && s[a] != '/' && s[a] != '?' && s[a] != '#'; a++)
		;
	*bare6 = 0;
	if (a > *pre && s[*pre] == '[') {
		close = memchr(s + *pre, ']', a - *pre);
		*host_end = close != NULL ? (size_t)(close - s) + 1 : a;
		return *host_end < a;
	}
	for (i = *pre; i < a; i++)
		colons += s[i] == ':';
	*bare6 = colons > 1;
	*host_end = a;
	if (colons == 1)
		*host_end =
		    (size_t)((const char *)memchr(s + *pre, ':', a - *pre) - s);
	return colons == 1;
}

int
expand_start(struct expand *x, const char *line, size_t n)
{
	size_t pre, host_end;
	int bare6, r;

	x->error = NULL;
	x->family = 0;
	if (n > AWGET_MAX_TARGET)
		return 0; /* too long for either: one invalid target */
	r = range_parse(line, n, &x->family, x->addr, &x->next, &x->last,
	    &x->error);
	if (r == 0 &&
	    (x->ports == NULL || split(line, n, &pre, &host_end, &bare6)))
		return 0;
	if (r == 0 && n + EXPAND_PORT_MAX > AWGET_MAX_TARGET)
		x->error = "target too long to take a port of -p";
	memcpy(x->line, line, n);
	x->line[n] = '\0';
	x->len = n;
	x->active = 1;
	x->have_host = 0;
	x->item = 0;
	if (x->ports != NULL)
		x->port = x->ports->item[0].low;
	return 1;
}

/* The next address of the range as text, in x->host; 0 if none is left. */
static int
next_address(struct expand *x)
{
	unsigned char a[16];
	uint32_t v = htonl((uint32_t)x->next);
	size_t n;

	if (x->next > x->last)
		return 0;
	x->next++;
	memcpy(a, x->addr, 16);
	if (x->family == AF_INET) {
		memcpy(a, &v, 4);
		inet_ntop(AF_INET, a, x->host, sizeof(x->host));
		return 1;
	}
	memcpy(a + 12, &v, 4);
	x->host[0] = '[';
	inet_ntop(AF_INET6, a, x->host + 1, sizeof(x->host) - 2);
	n = strlen(x->host);
	x->host[n] = ']';
	x->host[n + 1] = '\0';
	return 1;
}

/* Write host (its line, or the range's address) on -p's next port. */
static size_t
with_port(struct expand *x, char *buf)
{
	const struct port_item *it = &x->ports->item[x->item];
	const char *h = x->family != 0 ? x->host : x->line;
	size_t pre = 0, host_end = strlen(h), n = 0;
	int bare6 = 0;

	if (x->family == 0)
		(void)split(x->line, x->len, &pre, &host_end, &bare6);
	if (it->tls == 1)
		n = (size_t)snprintf(buf, 9, "https://");
	else if (it->tls == 0)
		n = (size_t)snprintf(buf, 8, "http://");
	else
		memcpy(buf, h, n = pre);
	if (bare6)
		buf[n++] = '[';
	memcpy(buf + n, h + pre, host_end - pre);
	n += host_end - pre;
	n += (size_t)snprintf(buf + n, 9, "%s:%u", bare6 ? "]" : "", x->port);
	if (x->family == 0) {
		memcpy(buf + n, h + host_end, x->len - host_end);
		n += x->len - host_end;
	}
	buf[n] = '\0';
	if (x->port < it->high)
		x->port++;
	else if (++x->item < x->ports->n)
		x->port = x->ports->item[x->item].low;
	else {
		x->item = 0;
		x->port = x->ports->item[0].low;
		x->have_host = 0;
	}
	return n;
}

uint64_t
expand_size(const struct expand *x)
{
	uint64_t ports = 0;
	size_t i;

	if (x->error != NULL)
		return 1;
	for (i = 0; x->ports != NULL && i < x->ports->n; i++)
		ports += (uint64_t)x->ports->item[i].high -
		    x->ports->item[i].low + 1;
	if (x->family == 0)
		return ports;
	return (x->last - x->next + 1) * (ports > 0 ? ports : 1);
}

size_t
expand_next(struct expand *x, char *buf, const char **why)
{
	size_t n;

	*why = NULL;
	if (!x->active)
		return 0;
	if (x->error != NULL) { /* a malformed range: once, as written */
		*why = x->error;
		x->active = 0;
		memcpy(buf, x->line, x->len + 1);
		return x->len;
	}
	if (!x->have_host) {
		if (x->family != 0)
			x->have_host = next_address(x);
		else
			x->have_host = x->len > 0;
		if (!x->have_host) {
			x->active = 0;
			return 0;
		}
	}
	if (x->ports != NULL) {
		n = with_port(x, buf);
		if (x->family == 0 && !x->have_host)
			x->len = 0; /* the line's ports are done */
		return n;
	}
	x->have_host = 0;
	n = strlen(x->host);
	memcpy(buf, x->host, n + 1);
	return n;
}
