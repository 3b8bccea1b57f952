/*
 * output.h: the text output format and the buffered sinks for stdout and
 * stderr. Every byte a server sends goes through escape.h's escape_bytes.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>

struct buf;
struct output;

/* Append LINE, escaped, and "\n" to b. */
void output_line(struct buf *, const void *, size_t);

/* Sinks on two descriptors (1 and 2); a terminal is written at once. */
struct output *output_new(int, int);
void output_free(struct output *);
/*
 * Queue a finished target's lines on stdout, as "TARGET header > LINE\n",
 * each escaped: head holds len bytes of a response head as received (see
 * http_response), blank lines between blocks left out. The target prefix
 * is added here, never held per line, so a target's memory follows what
 * its server sent, not the length of its name times its number of lines.
 */
void output_headers(struct output *, const char *, size_t, const char *,
    size_t);
/* Queue len bytes on stdout as they are: JSON Lines. */
void output_raw(struct output *, const char *, size_t);
/* Queue "awget: TARGET: MESSAGE\n" on stderr. */
void output_error(struct output *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
/* Queue "TARGET: MESSAGE\n" on stderr: the -v trace. */
void output_trace(struct output *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
/* Write text to stdout at once: help and version. */
void output_text(struct output *, const char *);
/*
 * Show line (len bytes, terminal-safe, no line end) as the progress line
 * on stderr, in place of the last one, cut to the terminal's width. Lines
 * written to stderr, or to stdout on a terminal, go above it.
 */
void output_progress(struct output *, const char *, size_t);
/* Erase the progress line, for good. */
void output_progress_end(struct output *);
/* Queue text (whole lines) on stderr: the --stats summary. */
void output_stats(struct output *, const char *, size_t);
/* Write everything queued; returns -1 once stdout is closed (EPIPE). */
int output_flush(struct output *);
/* Whether stdout has been closed (by its reader, or by a write error). */
int output_closed(const struct output *);
/* Whether stderr (or --errors' file) has been closed, or failed. */
int output_err_closed(const struct output *);
/* errno of a write to stdout that failed other than with EPIPE, or 0. */
int output_error_number(const struct output *);

#endif /* OUTPUT_H */
