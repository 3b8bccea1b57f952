/* util.h: allocation that cannot fail, a growable buffer, number parsing. */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <sys/time.h>

/* A byte buffer that grows; data is not NUL-terminated. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
/* The n bytes at s as a new string. */
char *xstrndup(const char *, size_t);

/* Print "awget: MESSAGE" (and errno's text for fatal) and exit 1. */
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Microseconds on a clock that never jumps (CLOCK_MONOTONIC). */
long long monotonic_us(void);

/* Make room for n more bytes. */
void buf_reserve(struct buf *, size_t);
void buf_append(struct buf *, const void *, size_t);
void buf_free(struct buf *);

/*
 * strtonum(3)'s contract: the value of str if it is a whole decimal number
 * within [min, max]; otherwise 0 with *errstr set to "invalid", "too small"
 * or "too large".
 */
long long parse_number(const char *, long long, long long, const char **);

/*
 * A duration in seconds with an optional fraction ("10", "0.5", ".25") of at
 * most millisecond precision, within (0, max_ms] milliseconds.
 */
int parse_seconds(const char *, long long, struct timeval *, const char **);

/*
 * The length of the well-formed UTF-8 sequence at p, of at most n bytes
 * (RFC 3629 table 3.7: no overlong form, no surrogate, nothing above
 * U+10FFFF), or 0 if there is none there. ASCII is not a sequence here.
 */
size_t utf8_len(const unsigned char *, size_t);

#endif /* UTIL_H */
