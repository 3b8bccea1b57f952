/*
 * output.c: the only place that writes to stdout and stderr during a run.
 *
 * A server's bytes reach the terminal only through escape_bytes, so a
 * hostile header cannot set a window title, clear the screen or move the
 * cursor. A target's head is kept raw until it completes, then escaped
 * here line by line, whole, so targets never interleave; the sinks
 * collect them and write in large blocks.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awget.h"
#include "escape.h"
#include "http.h"
#include "output.h"
#include "signals.h"
#include "util.h"

struct sink {
	int fd;
	int tty; /* a person is reading: write each block at once */
	int closed;
	int error; /* errno of a failed write other than EPIPE */
	int lost;  /* output dropped: the reader did not read in time */
	struct buf buf;
};

struct output {
	struct sink out;
	struct sink err;
	struct sink term;    /* the progress line's: stderr, even with
	                        --errors FILE, which gets no \r or ESC */
	struct buf progress; /* "\r", the progress line, "ESC[K"; or empty */
	int progress_shown;  /* it is on stderr now */
	long long drain_by;  /* stopping: give up writing then (0: never) */
};

void
output_line(struct buf *b, const void *line, size_t len)
{
	buf_reserve(b, ESCAPE_MAX(len) + 1);
	b->len += escape_bytes(b->data + b->len, line, len);
	b->data[b->len++] = '\n';
}

static void
sink_init(struct sink *s, int fd)
{
	s->fd = fd;
	s->tty = isatty(fd);
}

/*
 * Stopping, a write waits for the reader only until the drain deadline:
 * whether s can take a write now. Past the deadline it still may, if it
 * can at once: a reader that keeps up loses nothing.
 */
static int
sink_ready(struct output *o, struct sink *s)
{
	struct pollfd pfd;
	long long left;
	int n;

	pfd.fd = s->fd;
	pfd.events = POLLOUT;
	do {
		left = (o->drain_by - monotonic_us()) / 1000;
		n = poll(&pfd, 1, left > 0 ? (int)left : 0);
	} while (n == -1 && errno == EINTR);
	return n != 0; /* an error is for write to report */
}

/* The reader of s is not reading and we are stopping: drop what is left,
 * and say so once, on stderr if it can still take it. */
static void sink_write(struct output *, struct sink *, const char *, size_t);

static void
sink_lose(struct output *o, struct sink *s)
{
	static const char msg[] =
	    "awget: stdout: output cut short: the reader is not reading\n";

	s->closed = 1;
	s->lost = 1;
	if (s == &o->out)
		sink_write(o, &o->err, msg, sizeof(msg) - 1);
}

/*
 * Write len bytes to the sink's descriptor, past its buffer; a closed
 * reader ends the sink quietly. Once a signal has come, each
 * write is at most PIPE_BUF bytes, which a pipe that polls writable takes
 * without blocking, so the drain deadline holds however stdout is read.
 */
static void
sink_write(struct output *o, struct sink *s, const char *p, size_t len)
{
	ssize_t n;
	size_t chunk;

	while (len > 0 && !s->closed) {
		/* A signal interrupts a blocked write (see signals.c). */
		if (o->drain_by == 0 && signals_caught() != 0)
			o->drain_by = monotonic_us() + AWGET_DRAIN_US;
		chunk = len;
		if (o->drain_by != 0) {
			if (!sink_ready(o, s)) {
				sink_lose(o, s);
				break;
			}
			if (chunk > PIPE_BUF)
				chunk = PIPE_BUF;
		}
		if ((n = write(s->fd, p, chunk)) >= 0) {
			p += n;
			len -= n;
			continue;
		}
		if (errno == EINTR)
			continue;
		/* EPIPE: the reader left. Anything else is worth a word. */
		if (errno != EPIPE)
			s->error = errno;
		s->closed = 1;
	}
}

/* Write all of the sink's buffer. */
static int
sink_flush(struct output *o, struct sink *s)
{
	sink_write(o, s, s->buf.data, s->buf.len);
	s->buf.len = 0;
	return s->closed ? -1 : 0;
}

/* Draw the progress line over whatever its line held before. */
static void
progress_show(struct output *o)
{
	if (o->progress.len == 0)
		return;
	sink_write(o, &o->term, o->progress.data, o->progress.len);
	o->progress_shown = 1;
}

static void
progress_hide(struct output *o)
{
	if (!o->progress_shown)
		return;
	sink_write(o, &o->term, "\r\033[K", 4);
	o->progress_shown = 0;
}

/*
 * Write a sink's buffer. With the progress line showing, anything for
 * stderr, or for stdout on a terminal (likely the same one), goes on a
 * cleared line; the progress line comes back at its next redraw, so that
 * it is drawn at most once a tick however much else is written.
 */
static int
output_write(struct output *o, struct sink *s)
{
	if (s->buf.len > 0 && (s->fd == o->term.fd || s->tty))
		progress_hide(o);
	return sink_flush(o, s);
}

/*
 * Make room for need more bytes in s's buffer: once it has grown to a
 * block, write it out rather than grow it, so that it stays one block.
 */
static void
output_room(struct output *o, struct sink *s, size_t need)
{
	if (s->buf.len > 0 && s->buf.len + need > s->buf.cap &&
	    s->buf.cap >= AWGET_OUTPUT_FLUSH)
		output_write(o, s);
	buf_reserve(&s->buf, need);
}

/* Write now if a person is reading or enough has gathered. */
static void
output_push(struct output *o, struct sink *s)
{
	if (s->tty || s->buf.len >= AWGET_OUTPUT_FLUSH)
		output_write(o, s);
}

struct output *
output_new(int out_fd, int err_fd)
{
	struct output *o = xcalloc(1, sizeof(*o));

	sink_init(&o->out, out_fd);
	sink_init(&o->err, err_fd);
	sink_init(&o->term, 2);
	return o;
}

void
output_free(struct output *o)
{
	if (o == NULL)
		return;
	buf_free(&o->out.buf);
	buf_free(&o->err.buf);
	buf_free(&o->progress);
	free(o);
}

void
output_headers(struct output *o, const char *target, size_t tlen,
    const char *head, size_t len)
{
	static const char sep[] = " header > ";
	struct buf *b = &o->out.buf;
	const char *line;
	size_t off = 0, n;

	while (!o->out.closed &&
	    (line = http_head_line(head, len, &off, &n)) != NULL) {
		if (n == 0)
			continue; /* the blank line that ends a block */
		output_room(o, &o->out,
		    tlen + sizeof(sep) - 1 + ESCAPE_MAX(n) + 1);
		memcpy(b->data + b->len, target, tlen);
		memcpy(b->data + b->len + tlen, sep, sizeof(sep) - 1);
		b->len += tlen + sizeof(sep) - 1;
		b->len += escape_bytes(b->data + b->len, line, n);
		b->data[b->len++] = '\n';
		if (b->len >= AWGET_OUTPUT_FLUSH)
			output_write(o, &o->out);
	}
	if (o->out.tty)
		output_write(o, &o->out);
}

void
output_raw(struct output *o, const char *p, size_t len)
{
	if (o->out.closed)
		return;
	output_room(o, &o->out, len);
	buf_append(&o->out.buf, p, len);
	output_push(o, &o->out);
}

/* Queue "PREFIXTARGET: MESSAGE\n" on stderr, whole. */
static void err_line(struct output *, const char *, const char *, const char *,
    va_list) __attribute__((format(printf, 4, 0)));

static void
err_line(struct output *o, const char *prefix, const char *target,
    const char *fmt, va_list ap)
{
	char msg[512];
	int n;

	if (o->err.closed)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	buf_append(&o->err.buf, prefix, strlen(prefix));
	buf_append(&o->err.buf, target, strlen(target));
	buf_append(&o->err.buf, ": ", 2);
	buf_append(&o->err.buf, msg, n);
	buf_append(&o->err.buf, "\n", 1);
	output_push(o, &o->err);
}

void
output_error(struct output *o, const char *target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_line(o, "awget: ", target, fmt, ap);
	va_end(ap);
}

void
output_trace(struct output *o, const char *target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_line(o, "", target, fmt, ap);
	va_end(ap);
}

void
output_text(struct output *o, const char *text)
{
	buf_append(&o->out.buf, text, strlen(text));
	sink_flush(o, &o->out);
}

int
output_flush(struct output *o)
{
	output_write(o, &o->err);
	return output_write(o, &o->out);
}

void
output_progress(struct output *o, const char *line, size_t len)
{
	struct winsize ws;

	/* A line that wraps could not be erased whole: cut it to fit. */
	if (o->term.tty && ioctl(o->term.fd, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 1 && len >= ws.ws_col)
		len = ws.ws_col - 1;
	/* Back to the line's start, the line, and clear what is left. */
	o->progress.len = 0;
	buf_append(&o->progress, "\r", 1);
	buf_append(&o->progress, line, len);
	buf_append(&o->progress, "\033[K", 3);
	progress_show(o);
}

void
output_progress_end(struct output *o)
{
	progress_hide(o);
	o->progress.len = 0;
}

void
output_stats(struct output *o, const char *text, size_t len)
{
	buf_append(&o->err.buf, text, len);
	output_push(o, &o->err);
}

int
output_closed(const struct output *o)
{
	return o->out.closed;
}

int
output_err_closed(const struct output *o)
{
	return o->err.closed;
}

int
output_error_number(const struct output *o)
{
	return o->out.error;
}
