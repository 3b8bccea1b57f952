/*
 * targets.c: turn what the user wrote into targets, one at a time.
 *
 * A target is host, host:port, an IPv4 literal, [IPv6], [IPv6]:port, or
 * http://host[:port][/path]. Targets are read lazily from argv or from a
 * stream, so a list of a million hosts is never held in memory: the
 * scheduler pulls the next one when a slot frees. A line longer than any
 * valid target is consumed in place and becomes an invalid target.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <idn2.h>

#include "awget.h"
#include "escape.h"
#include "expand.h"
#include "targets.h"
#include "url.h"
#include "util.h"

struct targets {
	char **argv; /* targets given as arguments, or NULL */
	int argc;
	int next;
	int fd;       /* or targets read from this descriptor */
	int pollable; /* a pipe, socket or terminal: read only when ready */
	int readable; /* the loop saw it readable: one read cannot block */
	int eof;
	int error;
	int skipping; /* inside a line too long to hold: drop to its end */
	unsigned long long index; /* of the next target, over the input */
	unsigned long long shard_k, shard_n; /* keep index % n == k - 1 */
	size_t pos; /* unread bytes are buf[pos..len) */
	size_t len;
	int started;  /* past where a byte order mark could be */
	int counting; /* targets_count: count positions, parse nothing */
	unsigned long long counted;
	struct expand x; /* the line standing for many targets, if any */
	char text[EXPAND_TEXT_MAX]; /* one of them */
	char buf[2 * AWGET_MAX_TARGET];
};

/* Shown in place of a line too long to be a target. */
#define TOOLONG_SHOWN 40

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* s without its blanks at either end: the start, and *n shortened. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && is_blank((unsigned char)s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_blank((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* Letters, digits, '-', '_' and '.': what a DNS name may hold here. */
static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A host name of n bytes: RFC 1035 lengths, no empty label. */
static const char *
check_name(const char *h, size_t n)
{
	size_t i, label = 0, digits = 0, dots = 0;

	if (n > 0 && h[n - 1] == '.')
		n--; /* a rooted name may end in a dot */
	if (n == 0)
		return "empty host";
	if (n > AWGET_MAX_HOSTNAME)
		return "host name longer than 253 bytes";
	for (i = 0; i < n; i++) {
		if (!is_name_char((unsigned char)h[i]))
			return "invalid character in host name";
		if (h[i] == '.') {
			if (label == 0)
				return "empty label in host name";
			label = 0;
			dots++;
			continue;
		}
		if (++label > 63)
			return "host name label longer than 63 bytes";
		if (h[i] >= '0' && h[i] <= '9')
			digits++;
	}
	if (label == 0)
		return "empty label in host name";
	/* No top-level domain is all digits: this was meant as IPv4. */
	if (digits + dots == n)
		return "invalid IPv4 address";
	return NULL;
}

/* Whether s (n bytes) has a byte outside ASCII. */
static int
has_high(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* Why IDNA refused a name, in the words of a target's error. */
static const char *
idna_error(int rc)
{
	switch (rc) {
	case IDN2_ENCODING_ERROR:
		return "international name is not valid UTF-8";
	case IDN2_TOO_BIG_DOMAIN:
	case IDN2_TOO_BIG_LABEL:
		return "international name too long";
	case IDN2_DISALLOWED:
		return "international name has a disallowed character";
	case IDN2_UNASSIGNED:
		return "international name has an unassigned character";
	case IDN2_BIDI:
		return "international name mixes right-to-left and "
		       "left-to-right in a way IDNA forbids";
	case IDN2_CONTEXTJ:
	case IDN2_CONTEXTO:
		return "international name has a joiner out of context";
	case IDN2_LEADING_COMBINING:
		return "international name label starts with a combining mark";
	default:
		return "international name rejected by IDNA";
	}
}

/*
 * A host name with letters outside ASCII, in hostbuf (room for a longest
 * name), becomes its ASCII form (IDNA 2008 with UTS#46 mapping, non-
 * transitional, then transitional if that refuses it: curl's order), which
 * is what DNS, Host, SNI and the certificate check see.
 */
static const char *
to_ascii(char *hostbuf)
{
	char *out = NULL;
	const char *err = NULL;
	int rc;

	rc = idn2_to_ascii_8z(hostbuf, &out,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc == IDN2_DISALLOWED)
		rc = idn2_to_ascii_8z(hostbuf, &out,
		    IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
	if (rc != IDN2_OK)
		err = idna_error(rc);
	else if (strlen(out) > AWGET_MAX_HOSTNAME)
		err = "host name longer than 253 bytes";
	else
		memcpy(hostbuf, out, strlen(out) + 1);
	idn2_free(out);
	return err;
}

/* Parse ":port" text of n bytes (without the colon). */
static const char *
parse_port(const char *p, size_t n, unsigned short *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0)
		return "empty port";
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return "invalid port";
		if (v <= 65535)
			v = v * 10 + (p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return "port out of range (1-65535)";
	*port = (unsigned short)v;
	return NULL;
}

/*
 * An IPv6 zone id, "%lo" or "%25lo" as RFC 6874 writes it (z is at the
 * '%', n bytes up to the ']'): an interface's name or number, kept as
 * t->scope_id. It is the link's, not the host's: Host never carries it.
 */
static const char *
parse_zone(struct target *t, const char *z, size_t n)
{
	char name[IF_NAMESIZE];
	size_t i;

	if (n >= 3 && memcmp(z, "%25", 3) == 0) {
		z += 3;
		n -= 3;
	} else {
		z++;
		n--;
	}
	if (n == 0 || n >= sizeof(name))
		return "invalid IPv6 zone id";
	memcpy(name, z, n);
	name[n] = '\0';
	for (i = 0; i < n && name[i] >= '0' && name[i] <= '9'; i++)
		;
	if (i == n && n <= 9)
		t->scope_id = (unsigned int)strtoul(name, NULL, 10);
	else
		t->scope_id = if_nametoindex(name);
	if (t->scope_id == 0)
		return "no such network interface for the IPv6 zone id";
	return NULL;
}

/*
 * Split the authority a (n bytes) into t->host, t->port, t->family and
 * t->addr. hostbuf receives the host, NUL-terminated.
 */
static const char *
parse_authority(struct target *t, const char *a, size_t n, char *hostbuf)
{
	const char *colon, *err, *end, *zone;
	size_t hlen;

	if (memchr(a, '@', n) != NULL)
		return "user name in target not supported";
	if (n > 0 && a[0] == '[') {
		if ((end = memchr(a, ']', n)) == NULL)
			return "missing ']' after IPv6 address";
		hlen = end - a - 1;
		if (end + 1 < a + n) {
			if (end[1] != ':')
				return "junk after ']'";
			err = parse_port(end + 2, a + n - end - 2, &t->port);
			if (err != NULL)
				return err;
		}
		if (hlen == 0)
			return "empty host";
		if ((zone = memchr(a + 1, '%', hlen)) != NULL) {
			if ((err = parse_zone(t, zone, end - zone)) != NULL)
				return err;
			hlen = zone - a - 1;
		}
		if (hlen >= INET6_ADDRSTRLEN)
			return "invalid IPv6 address";
		memcpy(hostbuf, a + 1, hlen);
		hostbuf[hlen] = '\0';
		if (inet_pton(AF_INET6, hostbuf, t->addr) != 1)
			return "invalid IPv6 address";
		t->family = AF_INET6;
		return NULL;
	}
	colon = memchr(a, ':', n);
	if (colon != NULL && memchr(colon + 1, ':', a + n - colon - 1)) {
		/* Two colons: only an IPv6 address without brackets. */
		if (n >= INET6_ADDRSTRLEN)
			return "invalid IPv6 address";
		memcpy(hostbuf, a, n);
		hostbuf[n] = '\0';
		if (inet_pton(AF_INET6, hostbuf, t->addr) != 1)
			return "invalid IPv6 address (use [ADDR]:PORT)";
		t->family = AF_INET6;
		return NULL;
	}
	hlen = colon != NULL ? (size_t)(colon - a) : n;
	if (colon != NULL &&
	    (err = parse_port(colon + 1, a + n - colon - 1, &t->port)) != NULL)
		return err;
	memcpy(hostbuf, a, hlen);
	hostbuf[hlen] = '\0';
	if (inet_pton(AF_INET, hostbuf, t->addr) == 1) {
		t->family = AF_INET;
		return NULL;
	}
	if (has_high(hostbuf, hlen)) {
		if ((err = to_ascii(hostbuf)) != NULL)
			return err;
		hlen = strlen(hostbuf);
	}
	return check_name(hostbuf, hlen);
}

/*
 * Copy the path p (n bytes) to dst as a request target: '/' first, the
 * fragment dropped, bytes above 0x7f percent-encoded. Returns NULL or why
 * the path is unusable.
 */
static const char *
encode_path(char *dst, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (n == 0 || p[0] != '/')
		*dst++ = '/';
	for (i = 0; i < n && p[i] != '#'; i++) {
		unsigned char c = p[i];

		if (c <= 0x20 || c == 0x7f)
			return "invalid character in path";
		if (c < 0x80) {
			*dst++ = (char)c;
			continue;
		}
		*dst++ = '%';
		*dst++ = hex[c >> 4];
		*dst++ = hex[c & 0xf];
	}
	*dst = '\0';
	return NULL;
}

/* Fill t from s (n bytes, trimmed, not empty) and return why it is invalid. */
static const char *
parse(struct target *t, const char *s, size_t n, char *host, char *path)
{
	const char *auth = s, *end = s + n, *p;
	const char *err;
	size_t slen;

	for (p = s; p < end; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "invalid character in target";
	if ((slen = url_scheme_len(s, n)) > 0) {
		if (slen == 5 && strncasecmp(s, "https", 5) == 0) {
			t->tls = 1;
			t->port = 443;
		} else if (slen != 4 || strncasecmp(s, "http", 4) != 0)
			return "unknown scheme";
		auth = s + slen + 3;
	}
	for (p = auth; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	if (slen == 0 && p > s && p < end - 1 && p[-1] == ':' && p[1] == '/')
		return "unknown scheme"; /* "://x", "1x://y" */
	if ((err = parse_authority(t, auth, p - auth, host)) != NULL)
		return err;
	return encode_path(path, p, end - p);
}

/* Give back the room target_parse kept for the worst case. */
static struct target *
target_fit(struct target *t)
{
	const char *base = (const char *)t;
	size_t text = t->text - base, host = t->host - base,
	       path = t->path - base, line = t->line - base;
	struct target *fit;

	if ((fit = realloc(t, path + strlen(t->path) + 1)) == NULL)
		return t;
	base = (const char *)fit;
	fit->text = base + text;
	fit->host = base + host;
	fit->path = base + path;
	fit->line = base + line;
	return fit;
}

struct target *
target_parse(const char *line, size_t len)
{
	struct target *t;
	char *text, *host, *path, *raw;
	size_t shown, room, hostroom, n;
	int toolong;

	line = trim(line, &len);
	toolong = len > AWGET_MAX_TARGET;
	shown = toolong ? TOOLONG_SHOWN : len;
	room = toolong ? 0 : len;
	/*
	 * One block: the struct, the line as given (with "..." and a NUL),
	 * the escaped text (the same), the host (at most the line) and the
	 * path (3 bytes per input byte when percent-encoded, a leading '/'
	 * and a NUL): room for the worst case, given back once the host and
	 * path are known (target_fit).
	 */
	/* A name outside ASCII may grow in its ASCII form, up to 253 bytes. */
	hostroom = room + (has_high(line, room) ? AWGET_MAX_HOSTNAME + 1 : 0);
	t = xcalloc(1,
	    sizeof(*t) + shown + 4 + ESCAPE_MAX(shown) + 4 + hostroom + 1 +
	        3 * room + 2);
	raw = t->storage;
	memcpy(raw, line, shown);
	if (toolong)
		memcpy(raw + shown, "...", 3);
	t->line = raw;
	t->line_len = shown + (toolong ? 3 : 0);
	text = raw + t->line_len + 1;
	n = escape_bytes(text, line, shown);
	if (toolong) {
		memcpy(text + n, "...", 3);
		n += 3;
	}
	text[n] = '\0';
	/* Most targets are plain ASCII: the text is the line, kept once. */
	if (n == t->line_len && memcmp(text, raw, n) == 0)
		text = raw;
	host = text + n + 1;
	path = host + hostroom + 1;
	t->text = text;
	t->host = host;
	t->path = path;
	t->port = 80;
	if (toolong)
		t->error = "target longer than 8192 bytes";
	else if (len == 0)
		t->error = "empty target";
	else if (memchr(line, '\0', len) != NULL)
		t->error = "invalid character in target";
	else
		t->error = parse(t, line, len, host, path);
	return target_fit(t);
}

void
target_url(const struct target *t, struct buf *b)
{
	char port[8];

	if (t->tls)
		buf_append(b, "https://", 8);
	else
		buf_append(b, "http://", 7);
	if (t->family == AF_INET6)
		buf_append(b, "[", 1);
	buf_append(b, t->host, strlen(t->host));
	if (t->family == AF_INET6)
		buf_append(b, "]", 1);
	if (t->port != (t->tls ? 443 : 80))
		buf_append(b, port,
		    snprintf(port, sizeof(port), ":%u", t->port));
	buf_append(b, t->path, strlen(t->path));
	buf_append(b, "", 1); /* a C string, the NUL not counted */
	b->len--;
}

void
target_free(struct target *t)
{
	free(t);
}

struct targets *
targets_from_args(char **argv, int argc)
{
	struct targets *ts = xcalloc(1, sizeof(*ts));

	ts->argv = argv;
	ts->argc = argc;
	return ts;
}

struct targets *
targets_from_fd(int fd)
{
	struct targets *ts = xcalloc(1, sizeof(*ts));
	struct stat st;

	ts->fd = fd;
	/* Regular files and /dev/null never block, and epoll refuses them. */
	ts->pollable = fstat(fd, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd));
	return ts;
}

int
targets_poll_fd(const struct targets *ts)
{
	return ts->argv == NULL && ts->pollable ? ts->fd : -1;
}

void
targets_readable(struct targets *ts)
{
	ts->readable = 1;
}

int
targets_done(const struct targets *ts)
{
	if (ts->argv != NULL)
		return ts->next >= ts->argc;
	return ts->eof && ts->pos == ts->len;
}

/* Positions below m that are this process's: i % n == k - 1. */
static unsigned long long
shard_below(const struct targets *ts, unsigned long long m)
{
	return m / ts->shard_n + (m % ts->shard_n > ts->shard_k - 1);
}

/* Count the next size positions; how many are this process's (--shard). */
static unsigned long long
shard_span(struct targets *ts, unsigned long long size)
{
	unsigned long long from = ts->index;

	ts->index += size;
	if (ts->shard_n == 0)
		return size;
	return shard_below(ts, ts->index) - shard_below(ts, from);
}

/* Count one target; whether it is this process's (--shard K/N). */
static int
in_shard(struct targets *ts)
{
	return shard_span(ts, 1) == 1;
}

void
targets_shard(struct targets *ts, unsigned long long k, unsigned long long n)
{
	ts->shard_k = k;
	ts->shard_n = n;
}

static int
skip_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_blank((unsigned char)s[i]); i++)
		;
	return i == n || s[i] == '#';
}

/*
 * Read once into buf. A pollable input is read only when the loop said it
 * is readable, so a slow producer never stalls the fetches in flight.
 * Returns 0 if it may have read something, -1 if it must wait.
 */
static int
fill(struct targets *ts)
{
	ssize_t n;

	if (ts->pollable && !ts->readable)
		return -1;
	ts->readable = 0;
	if (ts->pos > 0) {
		memmove(ts->buf, ts->buf + ts->pos, ts->len - ts->pos);
		ts->len -= ts->pos;
		ts->pos = 0;
	}
	do
		n = read(ts->fd, ts->buf + ts->len, sizeof(ts->buf) - ts->len);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		ts->len += n;
	else if (n == 0)
		ts->eof = 1;
	else if ((errno == EAGAIN || errno == EWOULDBLOCK) && ts->pollable)
		return -1;
	else {
		ts->error = errno;
		ts->eof = 1;
	}
	return 0;
}

/*
 * A UTF-8 byte order mark opening the input is no target's. Until three
 * bytes are in, those read may be its start (and hold no line end, so
 * nothing was taken from the buffer yet).
 */
static void
skip_bom(struct targets *ts)
{
	static const char bom[] = "\xef\xbb\xbf";
	size_t k = ts->len < 3 ? ts->len : 3;

	if (memcmp(ts->buf, bom, k) != 0 || ts->eof)
		ts->started = 1;
	else if (ts->len >= 3) {
		ts->pos = 3;
		ts->started = 1;
	}
}

/*
 * A line that fills the buffer may still be short once each run of blanks
 * in it is one blank: leading and trailing ones are trimmed anyway, and
 * one inside makes it invalid anyway. Returns the new length.
 */
static size_t
squeeze_blanks(char *s, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n; i++)
		if (!is_blank((unsigned char)s[i]) || j == 0 ||
		    !is_blank((unsigned char)s[j - 1]))
			s[j++] = s[i];
	return j;
}

/* The next target of the line being expanded that is in the shard. */
static struct target *
expanded(struct targets *ts)
{
	struct target *t;
	const char *why;
	size_t n;

	while ((n = expand_next(&ts->x, ts->text, &why)) > 0) {
		if (!in_shard(ts))
			continue;
		t = target_parse(ts->text, n);
		if (why != NULL)
			t->error = why;
		return t;
	}
	return NULL;
}

/* -p over a valid line: its ports; over an invalid one, one error. */
static int
ports_apply(const char *line, size_t n)
{
	struct target *t = target_parse(line, n);
	int ok = t->error == NULL;

	target_free(t);
	return ok;
}

/* targets_count's take: the positions of a line, added up, none made. */
static void
count_line(struct targets *ts, const char *line, size_t n)
{
	unsigned long long size = 1;

	if (expand_start(&ts->x, line, n)) {
		if (ts->x.family != 0 || ts->x.error != NULL ||
		    ports_apply(line, n))
			size = expand_size(&ts->x);
		ts->x.active = 0;
	}
	ts->counted += shard_span(ts, size);
}

/*
 * A line read (n bytes, not blank): the target it is, or the first of
 * those it stands for (a range, -p's ports); NULL if none is in the shard.
 */
static struct target *
take(struct targets *ts, const char *line, size_t n)
{
	line = trim(line, &n);
	if (ts->counting) {
		count_line(ts, line, n);
		return NULL;
	}
	if (expand_start(&ts->x, line, n)) {
		if (ts->x.family != 0 || ts->x.error != NULL)
			return expanded(ts);
		if (ports_apply(line, n))
			return expanded(ts);
		ts->x.active = 0;
	}
	return in_shard(ts) ? target_parse(line, n) : NULL;
}

/*
 * The next line that is not blank or a comment, as a target; NULL when
 * there is none yet. A line that fills the whole buffer is too long to
 * be a target: it is reported from what is held, and the rest of it is
 * dropped as it arrives, so it never costs more than the buffer.
 */
static struct target *
next_line(struct targets *ts)
{
	struct target *t;
	char *line, *nl;
	size_t n;

	for (;;) {
		line = ts->buf + ts->pos;
		nl = memchr(line, '\n', ts->len - ts->pos);
		if (nl == NULL && ts->eof && ts->pos < ts->len)
			nl = ts->buf + ts->len; /* the last line has no '\n' */
		if (nl != NULL) {
			n = nl - line;
			ts->pos = (size_t)(nl - ts->buf);
			if (ts->pos < ts->len)
				ts->pos++; /* past the '\n' */
			if (ts->skipping) {
				ts->skipping = 0;
				continue;
			}
			if (skip_line(line, n))
				continue;
			if ((t = take(ts, line, n)) != NULL)
				return t;
			continue;
		}
		if (ts->len - ts->pos == sizeof(ts->buf) && !ts->skipping &&
		    (ts->len = squeeze_blanks(ts->buf, ts->len)) <
		        sizeof(ts->buf))
			continue; /* room again: read on */
		if (ts->len - ts->pos == sizeof(ts->buf)) {
			ts->pos = ts->len = 0;
			if (ts->skipping ||
			    skip_line(ts->buf, sizeof(ts->buf))) {
				ts->skipping = 1;
				continue;
			}
			ts->skipping = 1;
			if (!in_shard(ts))
				continue;
			t = target_parse(ts->buf, sizeof(ts->buf));
			return t;
		}
		if (ts->eof || fill(ts) == -1)
			return NULL;
		if (!ts->started)
			skip_bom(ts);
	}
}

struct target *
targets_next(struct targets *ts)
{
	struct target *t;
	const char *a;

	if ((t = expanded(ts)) != NULL)
		return t;
	if (ts->argv == NULL)
		return next_line(ts);
	while (ts->next < ts->argc) {
		a = ts->argv[ts->next++];
		if ((t = take(ts, a, strlen(a))) != NULL)
			return t;
	}
	return NULL;
}

unsigned long long
targets_count(struct targets *ts)
{
	unsigned long long n = 0;
	struct target *t;

	ts->counting = 1;
	while ((t = targets_next(ts)) != NULL) { /* a line too long: one */
		target_free(t);
		n++;
	}
	return n + ts->counted;
}

void
targets_ports(struct targets *ts, const struct ports *p)
{
	ts->x.ports = p;
}

int
targets_error(const struct targets *ts)
{
	return ts->error;
}

void
targets_free(struct targets *ts)
{
	if (ts == NULL)
		return;
	if (ts->argv == NULL && ts->fd != 0)
		close(ts->fd);
	free(ts);
}
