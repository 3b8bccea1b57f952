/*
 * url.c: resolve a redirect's Location against the URL it came from
 * (RFC 3986 section 5.2), for -L.
 *
 * The reference is split as Appendix B does, then joined with the base
 * by the algorithm of section 5.2.2, dot segments removed (5.2.4). What
 * comes out is an absolute http(s) URL without a fragment, which
 * target_parse then checks as it checks a target the user wrote.
 */
#include <string.h>
#include <strings.h>

#include "url.h"
#include "util.h"

/* The five components of a URI reference (Appendix B); a NULL p is an
 * undefined component, which differs from an empty one. */
struct part {
	const char *p;
	size_t n;
};

struct uri {
	struct part scheme, authority, path, query;
};

static int
is_scheme_char(unsigned char c, int first)
{
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return 1;
	return !first &&
	    ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

size_t
url_scheme_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_scheme_char((unsigned char)s[i], i == 0); i++)
		;
	return i > 0 && n - i >= 3 && memcmp(s + i, "://", 3) == 0 ? i : 0;
}

/* Split s (n bytes) into its components; a fragment is dropped. */
static void
uri_split(const char *s, size_t n, struct uri *u)
{
	const char *end = s + n, *p;
	size_t i;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < n && is_scheme_char((unsigned char)s[i], i == 0); i++)
		;
	if (i > 0 && i < n && s[i] == ':') {
		u->scheme.p = s;
		u->scheme.n = i;
		s += i + 1;
	}
	if (end - s >= 2 && s[0] == '/' && s[1] == '/') {
		s += 2;
		for (p = s; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
			;
		u->authority.p = s;
		u->authority.n = p - s;
		s = p;
	}
	for (p = s; p < end && *p != '?' && *p != '#'; p++)
		;
	u->path.p = s;
	u->path.n = p - s;
	s = p;
	if (s < end && *s == '?') {
		for (p = ++s; p < end && *p != '#'; p++)
			;
		u->query.p = s;
		u->query.n = p - s;
	}
}

/*
 * Append path to out without its dot segments (section 5.2.4): each
 * segment is copied or, for "..", the last one copied is taken back.
 */
static void
remove_dots(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len, seg;
	const char *end = p + n;

	while (p < end) {
		if (end - p >= 3 && memcmp(p, "../", 3) == 0)
			p += 3;
		else if (end - p >= 2 && memcmp(p, "./", 2) == 0)
			p += 2;
		else if (end - p >= 3 && memcmp(p, "/./", 3) == 0)
			p += 2;
		else if (end - p == 2 && memcmp(p, "/.", 2) == 0) {
			p += 1;
			buf_append(out, "/", 1);
			break;
		} else if ((end - p >= 4 && memcmp(p, "/../", 4) == 0) ||
		    (end - p == 3 && memcmp(p, "/..", 3) == 0)) {
			/* Take back the last segment and its '/'. */
			while (
			    out->len > start && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			p += 3;
			if (p == end) {
				buf_append(out, "/", 1);
				break;
			}
		} else if ((end - p == 1 && *p == '.') ||
		    (end - p == 2 && memcmp(p, "..", 2) == 0))
			break;
		else {
			/* The first segment: an optional '/', then up to the
			 * next '/'. */
			seg = *p == '/' ? 1 : 0;
			while (p + seg < end && p[seg] != '/')
				seg++;
			buf_append(out, p, seg);
			p += seg;
		}
	}
}

/* Whether the Location's bytes can be a URL at all: no control byte.
 * A space, which servers do send, is sent on as %20 (see url_resolve). */
static int
is_clean(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void
append_part(struct buf *out, const struct part *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->p[i] == ' ')
			buf_append(out, "%20", 3);
		else
			buf_append(out, p->p + i, 1);
}

const char *
url_resolve(const char *base, const char *ref, size_t n, struct buf *out)
{
	struct uri b, r;
	struct buf joined = {0}, path = {0};
	const struct part *scheme, *auth, *query;
	size_t i;

	while (n > 0 && (*ref == ' ' || *ref == '\t')) {
		ref++;
		n--;
	}
	while (n > 0 && (ref[n - 1] == ' ' || ref[n - 1] == '\t'))
		n--;
	if (n == 0)
		return "empty Location";
	if (!is_clean(ref, n))
		return "control character in Location";
	uri_split(base, strlen(base), &b);
	uri_split(ref, n, &r);
	if (r.scheme.p != NULL &&
	    !(r.scheme.n == 4 && strncasecmp(r.scheme.p, "http", 4) == 0) &&
	    !(r.scheme.n == 5 && strncasecmp(r.scheme.p, "https", 5) == 0))
		return "Location is not an http or https URL";
	/* Section 5.2.2, the strict form. */
	scheme = r.scheme.p != NULL ? &r.scheme : &b.scheme;
	auth = r.scheme.p != NULL || r.authority.p != NULL ? &r.authority
	                                                   : &b.authority;
	query = &r.query;
	if (r.scheme.p != NULL || r.authority.p != NULL)
		remove_dots(&path, r.path.p, r.path.n);
	else if (r.path.n == 0) {
		buf_append(&path, b.path.p, b.path.n);
		if (r.query.p == NULL)
			query = &b.query;
	} else {
		if (r.path.p[0] == '/')
			buf_append(&joined, r.path.p, r.path.n);
		else {
			/* Merge (5.2.3): the base path to its last '/'. */
			for (i = b.path.n; i > 0 && b.path.p[i - 1] != '/'; i--)
				;
			if (i == 0 && b.authority.p != NULL)
				buf_append(&joined, "/", 1);
			buf_append(&joined, b.path.p, i);
			buf_append(&joined, r.path.p, r.path.n);
		}
		remove_dots(&path, joined.data, joined.len);
	}
	out->len = 0;
	for (i = 0; i < scheme->n; i++) {
		char c = scheme->p[i] | 0x20;

		buf_append(out, &c, 1);
	}
	buf_append(out, "://", 3);
	append_part(out, auth);
	if (path.len == 0 || path.data[0] != '/')
		buf_append(out, "/", 1);
	append_part(out, &(struct part){path.data, path.len});
	if (query->p != NULL) {
		buf_append(out, "?", 1);
		append_part(out, query);
	}
	buf_append(out, "", 1); /* a C string, the NUL not counted */
	out->len--;
	buf_free(&joined);
	buf_free(&path);
	return NULL;
}
