/* url.h: resolving a redirect's Location (RFC 3986 section 5.2). */
#ifndef URL_H
#define URL_H

#include <stddef.h>

struct buf;

/*
 * Resolve ref, a Location value of n bytes (blanks around it ignored),
 * against base, an absolute http:// or https:// URL (a C string), into
 * out: an absolute http(s) URL, a C string, without a fragment, dot
 * segments removed, a space sent as %20. Returns NULL, or why ref cannot
 * be followed ("Location is not an http or https URL", ...).
 */
const char *url_resolve(const char *, const char *, size_t, struct buf *);
/* The length of s's scheme (RFC 3986 section 3.1) when "://" follows
 * it, else 0: whether a target is a URL or bare. */
size_t url_scheme_len(const char *, size_t);

#endif /* URL_H */
