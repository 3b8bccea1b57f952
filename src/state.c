/*
 * state.c: the checkpoint file of --state and --resume (see state.h). The
 * text is made and parsed here, line by line, strictly: a state file is
 * input too, and a damaged or foreign one must be refused with a reason,
 * never half-read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * SHA-256 by OpenSSL's own functions, not through EVP: EVP's first digest
 * starts the provider machinery, 2.2 MiB of RSS, in a plain-HTTP run that
 * otherwise never needs it (scripts/bench's memory rows). SHA256_Init and
 * its kin are deprecated in OpenSSL 3, not removed.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "awget.h"
#include "escape.h"
#include "output.h"
#include "state.h"

#define STATE_MAGIC "awget-state 1\n"
#define STATE_MAX_BYTES (64 * 1024 * 1024) /* -c 1000000's pending fit */
/* In flight at most -c, one held for --rate, and a resumed run's own
 * -c more: beyond, not awget's. */
#define STATE_MAX_PENDING (2 * AWGET_MAX_CONCURRENCY + 1)

void
state_free(struct state *s)
{
	buf_free(&s->fingerprint);
	free(s->pending);
	memset(s, 0, sizeof(*s));
}

static void
put_digest(struct buf *b, const unsigned char *md, unsigned int n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;
	char out[2];

	buf_append(b, "sha256:", 7);
	for (i = 0; i < n; i++) {
		out[0] = hex[md[i] >> 4];
		out[1] = hex[md[i] & 0xf];
		buf_append(b, out, 2);
	}
}

void
state_sha256(struct buf *b, const void *p, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;

	if (SHA256_Init(&c) != 1 || SHA256_Update(&c, p, len) != 1 ||
	    SHA256_Final(md, &c) != 1)
		fatalx("SHA-256 failed");
	put_digest(b, md, sizeof(md));
}

int
state_sha256_fd(struct buf *b, int fd, off_t at, unsigned long long *len)
{
	unsigned char md[SHA256_DIGEST_LENGTH], chunk[64 * 1024];
	SHA256_CTX c;
	ssize_t r;

	*len = 0;
	if (SHA256_Init(&c) != 1)
		fatalx("SHA-256 failed");
	while ((r = pread(fd, chunk, sizeof(chunk), at + (off_t)*len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (SHA256_Update(&c, chunk, (size_t)r) != 1)
			fatalx("SHA-256 failed");
		*len += (unsigned long long)r;
	}
	if (SHA256_Final(md, &c) != 1)
		fatalx("SHA-256 failed");
	put_digest(b, md, sizeof(md));
	return 0;
}

static void
put_number(struct buf *b, const char *key, unsigned long long v)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s %llu\n", key, v);

	buf_append(b, line, (size_t)n);
}

/* The lowest position without its outcome: all below it are done. */
static unsigned long long
done_below(const struct state *s)
{
	return s->npending > 0 ? s->pending[0] : s->next;
}

void
state_format(const struct state *s, struct buf *b)
{
	struct buf sum = {0};
	char num[32];
	size_t i, start = b->len;
	int n;

	buf_append(b, STATE_MAGIC, sizeof(STATE_MAGIC) - 1);
	buf_append(b, s->fingerprint.data, s->fingerprint.len);
	put_number(b, "output-length", s->output_len);
	put_number(b, "errors-length", s->errors_len);
	put_number(b, "done-below", done_below(s));
	put_number(b, "next", s->next);
	buf_append(b, "pending", 7);
	for (i = 0; i < s->npending; i++) {
		n = snprintf(num, sizeof(num), " %llu", s->pending[i]);
		buf_append(b, num, (size_t)n);
	}
	buf_append(b, "\n", 1);
	/* "sha256 sha256:HEX": the key, then the value as everywhere. */
	state_sha256(&sum, b->data + start, b->len - start);
	buf_append(b, "sha256 ", 7);
	buf_append(b, sum.data, sum.len);
	buf_append(b, "\n", 1);
	buf_free(&sum);
}

static int state_error(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
state_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The line at *off (without its "\n"), or NULL at the end; *n its bytes. */
static const char *
next_line(const char *p, size_t len, size_t *off, size_t *n)
{
	const char *line = p + *off, *nl;

	if (*off >= len)
		return NULL;
	if ((nl = memchr(line, '\n', len - *off)) == NULL)
		return NULL; /* a last line without its end: cut short */
	*n = (size_t)(nl - line);
	*off += *n + 1;
	return line;
}

/* "KEY N" into *v: 0, or -1. */
static int
key_number(const char *line, size_t n, const char *key, unsigned long long *v)
{
	size_t k = strlen(key), i;
	unsigned long long x = 0;

	if (n <= k + 1 || memcmp(line, key, k) != 0 || line[k] != ' ')
		return -1;
	for (i = k + 1; i < n; i++) {
		if (line[i] < '0' || line[i] > '9' || x > (ULLONG_MAX - 9) / 10)
			return -1;
		x = x * 10 + (unsigned long long)(line[i] - '0');
	}
	*v = x;
	return 0;
}

/* "pending A B C", ascending and below next. */
static int
parse_pending(struct state *s, const char *line, size_t n)
{
	size_t i = 7, cap = 0;
	unsigned long long x;

	if (n < 7 || memcmp(line, "pending", 7) != 0)
		return -1;
	while (i < n) {
		if (line[i++] != ' ' || i >= n || line[i] < '0' ||
		    line[i] > '9')
			return -1;
		for (x = 0; i < n && line[i] >= '0' && line[i] <= '9'; i++) {
			if (x > (ULLONG_MAX - 9) / 10)
				return -1;
			x = x * 10 + (unsigned long long)(line[i] - '0');
		}
		if ((s->npending > 0 && x <= s->pending[s->npending - 1]) ||
		    s->npending == STATE_MAX_PENDING)
			return -1;
		if (s->npending == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			s->pending =
			    xrealloc(s->pending, cap * sizeof(*s->pending));
		}
		s->pending[s->npending++] = x;
	}
	return 0;
}

int
state_parse(struct state *s, const char *p, size_t len, char *err,
    size_t errlen)
{
	struct buf sum = {0};
	const char *line, *last;
	size_t off = sizeof(STATE_MAGIC) - 1, n, end;
	unsigned long long below;
	int ok;

	memset(s, 0, sizeof(*s));
	if (len < off || memcmp(p, STATE_MAGIC, off) != 0)
		return state_error(err, errlen, "not an awget state file");
	/* The checksum line is the last: find it, check it, then read. */
	if (len < 2 || p[len - 1] != '\n')
		return state_error(err, errlen, "damaged: cut short");
	for (end = len - 1; end > 0 && p[end - 1] != '\n'; end--)
		;
	last = p + end;
	state_sha256(&sum, p, end);
	ok = len - end == sum.len + 8 && memcmp(last, "sha256 ", 7) == 0 &&
	    memcmp(last + 7, sum.data, sum.len) == 0;
	buf_free(&sum);
	if (!ok)
		return state_error(err, errlen,
		    "damaged: its checksum does not match");
	len = end;
	while ((line = next_line(p, len, &off, &n)) != NULL &&
	    ((n > 6 && memcmp(line, "input ", 6) == 0) ||
	        (n > 7 && memcmp(line, "option ", 7) == 0))) {
		buf_append(&s->fingerprint, line, n);
		buf_append(&s->fingerprint, "\n", 1);
	}
	if (line == NULL ||
	    key_number(line, n, "output-length", &s->output_len) != 0 ||
	    (line = next_line(p, len, &off, &n)) == NULL ||
	    key_number(line, n, "errors-length", &s->errors_len) != 0 ||
	    (line = next_line(p, len, &off, &n)) == NULL ||
	    key_number(line, n, "done-below", &below) != 0 ||
	    (line = next_line(p, len, &off, &n)) == NULL ||
	    key_number(line, n, "next", &s->next) != 0 ||
	    (line = next_line(p, len, &off, &n)) == NULL ||
	    parse_pending(s, line, n) != 0 || off != len ||
	    (s->npending > 0 && s->pending[s->npending - 1] >= s->next) ||
	    below != done_below(s) || s->fingerprint.len == 0) {
		state_free(s);
		return state_error(err, errlen,
		    "damaged: not the lines a "
		    "checkpoint has");
	}
	return 0;
}

/* A line of a fingerprint, escaped and cut, for a message. */
static const char *
quoted(const char *line, size_t n, char *buf)
{
	buf[escape_bytes(buf, line, n > 160 ? 160 : n)] = '\0';
	return buf;
}

int
state_compare(const struct buf *saved, const struct buf *now, char *err,
    size_t errlen)
{
	char x[ESCAPE_MAX(160) + 1], y[ESCAPE_MAX(160) + 1];
	size_t ao = 0, bo = 0, an = 0, bn = 0;
	const char *a, *b;

	for (;;) {
		a = next_line(saved->data, saved->len, &ao, &an);
		b = next_line(now->data, now->len, &bo, &bn);
		if (a == NULL && b == NULL)
			return 0;
		if (a != NULL && b != NULL && an == bn && memcmp(a, b, an) == 0)
			continue;
		if (a == NULL)
			return state_error(err, errlen,
			    "this run has '%s', the checkpoint has not",
			    quoted(b, bn, y));
		if (b == NULL)
			return state_error(err, errlen,
			    "the checkpoint has '%s', this run has not",
			    quoted(a, an, x));
		return state_error(err, errlen,
		    "the checkpoint has '%s', this run has '%s'",
		    quoted(a, an, x), quoted(b, bn, y));
	}
}

int
state_done(const struct state *s, unsigned long long i)
{
	size_t lo = 0, hi = s->npending, mid;

	if (i >= s->next)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->pending[mid] == i)
			return 0;
		if (s->pending[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 1;
}

/* fsync the directory that holds path, so that a rename in it lasts. */
static int
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r;

	dir = slash == NULL ? xstrdup(".")
	    : slash == path ? xstrdup("/")
	                    : xstrndup(path, (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
state_save(const char *path, const struct state *s)
{
	struct buf text = {0}, tmp = {0};
	size_t off = 0;
	ssize_t n;
	int fd, saved;

	state_format(s, &text);
	buf_append(&tmp, path, strlen(path));
	buf_append(&tmp, ".tmp", 5); /* the NUL too */
	/* A new file of our own, never one a link points to: a left-over
	 * one (a kill mid-save) goes first. 0600, as it names the targets. */
	(void)unlink(tmp.data);
	fd = open(tmp.data,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	while (fd != -1 && off < text.len) {
		if ((n = write(fd, text.data + off, text.len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	/* close() frees the descriptor even when it fails: never twice. */
	if (fd == -1 || off < text.len || fsync(fd) == -1 ||
	    (saved = fd, fd = -1, close(saved) == -1) ||
	    rename(tmp.data, path) == -1 || sync_dir(path) == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlink(tmp.data);
		buf_free(&text);
		buf_free(&tmp);
		errno = saved;
		return -1;
	}
	buf_free(&text);
	buf_free(&tmp);
	return 0;
}

int
state_load(const char *path, struct state *s, char *err, size_t errlen)
{
	struct buf text = {0};
	struct stat st;
	ssize_t n;
	int fd, r;

	memset(s, 0, sizeof(*s));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return state_error(err, errlen, "%s", strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return state_error(err, errlen, "not a regular file");
	}
	if (st.st_size > STATE_MAX_BYTES) {
		close(fd);
		return state_error(err, errlen,
		    "not an awget state file "
		    "(too large)");
	}
	do {
		buf_reserve(&text, 64 * 1024);
		n = read(fd, text.data + text.len, text.cap - text.len);
		if (n > 0)
			text.len += (size_t)n;
	} while ((n > 0 || (n == -1 && errno == EINTR)) &&
	    text.len <= STATE_MAX_BYTES);
	close(fd);
	if (n == -1) {
		buf_free(&text);
		return state_error(err, errlen, "%s", strerror(errno));
	}
	r = state_parse(s, text.data, text.len, err, errlen);
	buf_free(&text);
	return r;
}
