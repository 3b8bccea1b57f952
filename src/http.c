/*
 * http.c: request building and response-line parsing, free of I/O so that
 * every rule can be unit-tested (as libevent keeps evhttp_parse_firstline_
 * apart from reading). http_response_next cuts the lines out of the bytes
 * the caller added, the loop fetch.c and the fuzzer share: it keeps where
 * it stopped searching, so a line trickled a byte at a time costs what the
 * same line costs in one piece.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awget.h"
#include "http.h"
#include "proxy.h"
#include "targets.h"
#include "util.h"

/* RFC 9110 token characters. */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

const char *
http_check_header(const char *h)
{
	const char *p;

	for (p = h; is_tchar((unsigned char)*p); p++)
		;
	if (p == h)
		return "header name is empty or not a token";
	if (*p != ':' && *p != ';')
		return "header must be \"Name: value\"";
	if (*p == ';' && p[1] != '\0')
		return "\"Name;\" takes no value";
	for (p++; *p != '\0'; p++) {
		unsigned char c = *p;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return "control character in header value";
	}
	return NULL;
}

/* A default or user header: name and value, or removed. */
struct field {
	const char *name;
	size_t name_len;
	const char *value;
	int removed;
};

static size_t
skip_blanks(const char *s)
{
	size_t i = 0;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* Apply one checked -H argument to the list of n fields; returns the new n. */
static size_t
apply_header(struct field *f, size_t n, const char *h)
{
	size_t len = strcspn(h, ":;"), i;
	const char *value = "";
	int removed = 0;

	if (h[len] == ':') {
		value = h + len + 1;
		value += skip_blanks(value);
		removed = *value == '\0';
	}
	for (i = 0; i < n; i++) {
		if (f[i].name_len == len && strncasecmp(f[i].name, h, len) == 0)
			break;
	}
	f[i].name = h;
	f[i].name_len = len;
	f[i].value = value;
	f[i].removed = removed;
	return i == n ? n + 1 : n;
}

/*
 * Write the header lines of fields 1 to n (0 is Host), and the blank line
 * that ends them; foreign: for another origin than the target's, where
 * credentials are not sent (curl's rule: Authorization and Cookie).
 */
static void
fields(const struct field *f, size_t n, int foreign, struct buf *b)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (f[i].removed)
			continue;
		if (foreign &&
		    ((f[i].name_len == 13 &&
		         strncasecmp(f[i].name, "Authorization", 13) == 0) ||
		        (f[i].name_len == 6 &&
		            strncasecmp(f[i].name, "Cookie", 6) == 0)))
			continue;
		buf_append(b, f[i].name, f[i].name_len);
		buf_append(b, ": ", 2);
		buf_append(b, f[i].value, strlen(f[i].value));
		buf_append(b, "\r\n", 2);
	}
	buf_append(b, "\r\n", 2);
}

struct http_request *
http_request_new(const char *method, int http10, const char *user_agent,
    char *const *headers, size_t nheaders)
{
	struct http_request *r = xcalloc(1, sizeof(*r));
	struct field *f = xcalloc(nheaders + 4, sizeof(*f));
	struct buf b = {0};
	size_t n = 0, i;

	f[n++] = (struct field){"Host", 4, NULL, 0};
	f[n++] = (struct field){"User-Agent", 10, user_agent, 0};
	f[n++] = (struct field){"Accept", 6, "*/*", 0};
	f[n++] = (struct field){"Connection", 10, "close", 0};
	for (i = 0; i < nheaders; i++)
		n = apply_header(f, n, headers[i]);
	r->method = xstrdup(method);
	r->version = http10 ? "HTTP/1.0" : "HTTP/1.1";
	if (f[0].value != NULL && !f[0].removed)
		r->host = xstrdup(f[0].value);
	r->no_host = f[0].removed;
	fields(f, n, 0, &b);
	r->fields = b.data;
	r->fields_len = b.len;
	b = (struct buf){0};
	fields(f, n, 1, &b);
	r->foreign_fields = b.data;
	r->foreign_fields_len = b.len;
	free(f);
	return r;
}

void
http_request_free(struct http_request *r)
{
	if (r == NULL)
		return;
	free(r->method);
	free(r->host);
	free(r->fields);
	free(r->foreign_fields);
	free(r);
}

void
http_request_build(const struct http_request *r, const struct target *t,
    const char *method, int foreign, const struct proxy *proxy, struct buf *b)
{
	char port[8];
	size_t ml, pl = strlen(t->path);
	size_t hl = strlen(t->host);

	if (method == NULL)
		method = r->method;
	ml = strlen(method);
	buf_reserve(b,
	    ml + pl + hl + 48 + r->fields_len +
	        (r->host != NULL ? strlen(r->host) : 0));
	buf_append(b, method, ml);
	buf_append(b, " ", 1);
	if (proxy != NULL)
		target_url(t, b); /* absolute form; its path included */
	else
		buf_append(b, t->path, pl);
	buf_append(b, " ", 1);
	buf_append(b, r->version, 8);
	buf_append(b, "\r\n", 2);
	if (r->host != NULL && !foreign) {
		buf_append(b, "Host: ", 6);
		buf_append(b, r->host, strlen(r->host));
		buf_append(b, "\r\n", 2);
	} else if (!r->no_host || foreign) { /* Host follows the hop */
		buf_append(b, "Host: ", 6);
		if (t->family == AF_INET6)
			buf_append(b, "[", 1);
		buf_append(b, t->host, hl);
		if (t->family == AF_INET6)
			buf_append(b, "]", 1);
		if (t->port != (t->tls ? 443 : 80))
			buf_append(b, port,
			    snprintf(port, sizeof(port), ":%u", t->port));
		buf_append(b, "\r\n", 2);
	}
	if (proxy != NULL && proxy->basic != NULL) {
		buf_append(b, "Proxy-Authorization: Basic ", 27);
		buf_append(b, proxy->basic, strlen(proxy->basic));
		buf_append(b, "\r\n", 2);
	}
	if (foreign)
		buf_append(b, r->foreign_fields, r->foreign_fields_len);
	else
		buf_append(b, r->fields, r->fields_len);
}

int
http_parse_status(const char *s, size_t n, struct http_status *st)
{
	size_t i, v;

	/*
	 * "HTTP/d.d ddd", 12 bytes, or HTTP/2's as h2.c writes it and curl
	 * shows it, "HTTP/2 ddd"; the reason phrase may be empty.
	 */
	if (n >= 10 && memcmp(s, "HTTP/2 ", 7) == 0)
		v = 6;
	else if (n >= 12 && memcmp(s, "HTTP/", 5) == 0 && s[5] >= '0' &&
	    s[5] <= '9' && s[6] == '.' && s[7] >= '0' && s[7] <= '9' &&
	    s[8] == ' ')
		v = 8;
	else
		return -1;
	for (i = v + 1; i < v + 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (n > v + 4 && s[v + 4] != ' ')
		return -1;
	st->major = s[5] - '0';
	st->minor = v == 8 ? s[7] - '0' : 0;
	st->version_len = v;
	st->code =
	    (s[v + 1] - '0') * 100 + (s[v + 2] - '0') * 10 + (s[v + 3] - '0');
	if (st->code < 100)
		return -1;
	st->reason = n > v + 5 ? s + v + 5 : s + n;
	st->reason_len = n > v + 5 ? n - v - 5 : 0;
	return 0;
}

int
http_split_header(const char *s, size_t n, size_t *name_len, size_t *value_off,
    size_t *value_len)
{
	const char *colon;
	size_t i, end;

	if (n == 0 || s[0] == ' ' || s[0] == '\t')
		return -1;
	if ((colon = memchr(s, ':', n)) == NULL || colon == s)
		return -1;
	*name_len = colon - s;
	for (i = *name_len + 1; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (end = n; end > i && (s[end - 1] == ' ' || s[end - 1] == '\t');
	     end--)
		;
	*value_off = i;
	*value_len = end - i;
	return 0;
}

enum http_line
http_response_line(struct http_response *r, const char *line, size_t len)
{
	struct http_status st;

	if (len > AWGET_MAX_LINE)
		return HTTP_LINE_TOO_LONG;
	if (!r->in_headers) {
		if (http_parse_status(line, len, &st) == -1)
			return HTTP_LINE_NOT_HTTP;
		r->code = st.code;
		r->in_headers = 1;
		return HTTP_LINE_STATUS;
	}
	if (len > 0)
		return HTTP_LINE_HEADER;
	/* 101 switches protocols: it is the final response. */
	if (r->code >= 200 || r->code == 101)
		return HTTP_LINE_END;
	if (++r->interim > AWGET_MAX_INTERIM)
		return HTTP_LINE_TOO_MANY_INTERIM;
	r->in_headers = 0;
	return HTTP_LINE_INTERIM;
}

enum http_line
http_response_partial(const struct http_response *r, const char *p, size_t len)
{
	/* With a line end still to come, the line is at least len - 1. */
	if (len > AWGET_MAX_LINE + 1)
		return HTTP_LINE_TOO_LONG;
	/* Binary, an SSH banner, HTTP/0.9: no need to wait for a line end. */
	if (!r->in_headers && memcmp(p, "HTTP/", len < 5 ? len : 5) != 0)
		return HTTP_LINE_NOT_HTTP;
	return HTTP_LINE_PARTIAL;
}

void
http_response_add(struct http_response *r, const void *p, size_t n)
{
	if (!r->done)
		buf_append(&r->head, p, n);
}

enum http_line
http_response_next(struct http_response *r)
{
	struct buf *b = &r->head;
	enum http_line what;
	const char *nl;
	size_t end, len;

	while (!r->done) {
		nl = r->scan < b->len
		    ? memchr(b->data + r->scan, '\n', b->len - r->scan)
		    : NULL;
		if (nl == NULL) {
			r->scanned += b->len - r->scan;
			r->scan = b->len;
			break;
		}
		end = nl - b->data + 1;
		r->scanned += end - r->scan;
		len = end - 1 - r->line;
		if (len > 0 && b->data[r->line + len - 1] == '\r')
			len--;
		what = http_response_line(r, b->data + r->line, len);
		r->line = r->scan = end;
		if (what == HTTP_LINE_TOO_LONG || what == HTTP_LINE_NOT_HTTP)
			return what;
		/* Every byte held counts, line ends too: memory follows. */
		if (end > AWGET_MAX_HEADER_BYTES - r->held)
			return HTTP_LINE_TOO_LARGE;
		if (what == HTTP_LINE_END) {
			b->len = end; /* the body is never ours */
			r->done = 1;
		}
		if (what != HTTP_LINE_HEADER)
			return what;
	}
	if (r->done || (len = b->len - r->line) == 0)
		return HTTP_LINE_PARTIAL;
	/* No line end yet: a line may already be too long, or not HTTP. */
	if ((what = http_response_partial(r, b->data + r->line, len)) !=
	    HTTP_LINE_PARTIAL)
		return what;
	return b->len > AWGET_MAX_HEADER_BYTES - r->held ? HTTP_LINE_TOO_LARGE
	                                                 : HTTP_LINE_PARTIAL;
}

const char *
http_head_line(const char *head, size_t len, size_t *off, size_t *line_len)
{
	const char *p = head + *off, *nl;
	size_t n;

	if (*off >= len)
		return NULL;
	if ((nl = memchr(p, '\n', len - *off)) == NULL)
		nl = head + len;
	n = nl - p;
	*off += n + (nl < head + len);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*line_len = n;
	return p;
}

void
http_response_free(struct http_response *r)
{
	buf_free(&r->head);
}
