/*
 * fuzz_response.c: a libFuzzer target over what a server's bytes go
 * through: http_read_lines, the loop fetch.c runs on every read, which
 * cuts lines with evbuffer_readln, judges them with http_response_line
 * and http_response_partial and escapes them with output_line.
 * scripts/fuzz builds it with small limits, so that inputs of a few
 * kilobytes cross each of them. Whatever the bytes, and however they are split
 * into reads, the output must be well-formed UTF-8 with no control byte but
 * TAB and the line ends, and bounded by the limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "awget.h"
#include "http.h"
#include "output.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless b is well-formed UTF-8 without controls but TAB and LF. */
static void
check_output(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	size_t i = 0, n, k;
	unsigned long cp;

	while (i < b->len) {
		if (p[i] < 0x80) {
			if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') ||
			    p[i] == 0x7f)
				abort();
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2, cp = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3, cp = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4, cp = p[i] & 0x07;
		else
			abort();
		if (i + n > b->len)
			abort();
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Overlong, surrogate, above U+10FFFF, or a C1 control. */
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0x80 && cp <= 0x9f))
			abort();
		i += n;
	}
}

/* Feed what in holds, as fetch.c does; 1 once the response has ended. */
static int
drain(struct evbuffer *in, struct http_response *r, struct buf *out)
{
	enum http_line what;

	while ((what = http_read_lines(r, in, out, '\0')) != HTTP_LINE_PARTIAL)
		if (what != HTTP_LINE_STATUS && what != HTTP_LINE_INTERIM)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *in = evbuffer_new();
	struct http_response r = {0};
	struct buf out = {0};
	size_t off = 0, chunk, lines = 0, i, start;

	if (in == NULL)
		abort();
	/* The first byte sets the size of each read, as a network would. */
	chunk = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		evbuffer_add(in, data + off, n);
		off += n;
		if (drain(in, &r, &out))
			break;
	}
	check_output(&out);
	/* No printed line is longer than the line limit lets it be. */
	for (i = 0, start = 0; i < out.len; i++)
		if (out.data[i] == '\n') {
			if (i - start > OUTPUT_ESCAPED_MAX(AWGET_MAX_LINE))
				abort();
			start = i + 1;
			lines++;
		}
	if (r.interim > AWGET_MAX_INTERIM + 1)
		abort();
	/* Every printed byte came from a line within the limits. */
	if (r.bytes > AWGET_MAX_HEADER_BYTES + AWGET_MAX_LINE ||
	    out.len > lines + OUTPUT_ESCAPED_MAX(r.bytes))
		abort();
	buf_free(&out);
	evbuffer_free(in);
	return 0;
}
