/*
 * escape.c: bytes made safe for a terminal, the one function every
 * writer of a server's bytes calls (output.c, json.c's messages, the
 * proxies' answers, the input's own lines in errors).
 */
#include <string.h>

#include "escape.h"
#include "util.h"

static const char hex[] = "0123456789abcdef";

static char *
escape_byte(char *d, unsigned char c)
{
	*d++ = '\\';
	*d++ = 'x';
	*d++ = hex[c >> 4];
	*d++ = hex[c & 0xf];
	return d;
}

size_t
escape_bytes(char *dst, const void *src, size_t len)
{
	const unsigned char *s = src, *end = s + len;
	char *d = dst;
	size_t n;

	while (s < end) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*d++ = (char)c;
			s++;
		} else if (c == '\t') {
			*d++ = '\t';
			s++;
		} else if (c == '\\') {
			*d++ = '\\';
			*d++ = '\\';
			s++;
		} else if (c < 0x80 || (n = utf8_len(s, end - s)) == 0) {
			d = escape_byte(d, c);
			s++;
		} else if (c == 0xc2 && s[1] < 0xa0) {
			/* U+0080-U+009F are C1 controls (0x9b is CSI). */
			d = escape_byte(d, s[0]);
			d = escape_byte(d, s[1]);
			s += 2;
		} else {
			memcpy(d, s, n);
			d += n;
			s += n;
		}
	}
	return d - dst;
}
