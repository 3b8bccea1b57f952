/*
 * util.c: helpers every module shares. Allocation failure ends the program
 * (as tmux's xmalloc does): there are no half-handled out-of-memory paths.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	fputs("awget: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	fputs("awget: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *
xmalloc(size_t size)
{
	void *p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("malloc %zu bytes", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		fatal("calloc %zu x %zu bytes", n, size);
	return p;
}

void *
xrealloc(void *old, size_t size)
{
	void *p;

	if ((p = realloc(old, size == 0 ? 1 : size)) == NULL)
		fatal("realloc %zu bytes", size);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;

	if (b->cap - b->len >= n)
		return;
	cap = b->cap == 0 ? 256 : b->cap;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			fatalx("buffer of %zu bytes too large", b->len);
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return; /* b->data may still be NULL: no memcpy(NULL, ...) */
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

long long
parse_number(const char *s, long long min, long long max, const char **errstr)
{
	long long v;
	char *end;

	*errstr = NULL;
	errno = 0;
	/* strtoll accepts leading blanks and a sign; we want digits only. */
	if (s[0] == '\0' || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
		goto invalid;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		goto invalid;
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
invalid:
	*errstr = "invalid";
	return 0;
}

int
parse_seconds(const char *s, long long max_ms, struct timeval *tv,
    const char **errstr)
{
	long long whole = 0, ms = 0;
	int digits = 0, frac = 0;
	const char *p = s;

	*errstr = "invalid";
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > max_ms / 1000) {
			*errstr = "too large";
			return -1;
		}
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac++) {
			if (frac < 3)
				ms = ms * 10 + (*p - '0');
		}
		if (frac == 0 && digits == 0)
			return -1;
		for (int i = frac; i < 3; i++)
			ms *= 10;
	}
	if (*p != '\0' || (digits == 0 && frac == 0))
		return -1;
	ms += whole * 1000;
	if (ms <= 0) {
		*errstr = "too small";
		return -1;
	}
	if (ms > max_ms) {
		*errstr = "too large";
		return -1;
	}
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	*errstr = NULL;
	return 0;
}

long long
monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}
