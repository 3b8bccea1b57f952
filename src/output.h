/*
 * output.h: the text output format, the escaping of every byte a server
 * sends, and the buffered sinks for stdout and stderr.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>

struct buf;
struct output;

/* Bytes output_escape may write for n input bytes, at most. */
#define OUTPUT_ESCAPED_MAX(n) ((n)*4)

/*
 * Copy len bytes to dst, writing as \xHH every byte that could act on a
 * terminal: C0 controls but TAB, DEL, C1 controls, and every byte not part
 * of well-formed UTF-8 (RFC 3629). A backslash becomes "\\". dst must hold
 * OUTPUT_ESCAPED_MAX(len) bytes; returns the bytes written (no NUL).
 */
size_t output_escape(char *, const void *, size_t);

/* Append "TARGET header > LINE\n" to b, escaping the line. */
void output_format_header(struct buf *, const char *, size_t, const void *,
    size_t);

/* Sinks on two descriptors (1 and 2); a terminal is written at once. */
struct output *output_new(int, int);
void output_free(struct output *);
/* Queue a finished target's lines on stdout. */
void output_block(struct output *, const char *, size_t);
/* Queue "awget: TARGET: MESSAGE\n" on stderr. */
void output_error(struct output *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
/* Queue "TARGET: MESSAGE\n" on stderr: the -v trace. */
void output_trace(struct output *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
/* Write text to stdout at once: help and version. */
void output_text(struct output *, const char *);
/* Write everything queued; returns -1 once stdout is closed (EPIPE). */
int output_flush(struct output *);
/* Whether stdout has been closed by its reader. */
int output_closed(const struct output *);

#endif /* OUTPUT_H */
