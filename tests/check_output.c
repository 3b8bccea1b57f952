/*
 * check_output.c: the escaping of server bytes, the header line format and
 * the sinks, written through pipes and files.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awget.h"
#include "escape.h"
#include "output.h"
#include "util.h"
#include "check_common.h"

/* Bytes past the room escape_bytes may use, to catch overruns. */
#define GUARD 16

/*
 * Escape n bytes of in into a fresh buffer of exactly the allowed room.
 * Loops test with if and ck_abort_msg: each ck_assert costs a message to
 * the parent process, too slow for thousands of bytes.
 */
static char *
escape(const void *in, size_t n, size_t *outlen)
{
	size_t room = ESCAPE_MAX(n);
	char *out = malloc(room + GUARD);
	size_t i;

	ck_assert_ptr_nonnull(out);
	memset(out, 0x5a, room + GUARD);
	*outlen = escape_bytes(out, in, n);
	if (*outlen > room)
		ck_abort_msg("%zu bytes escaped to %zu", n, *outlen);
	for (i = room; i < room + GUARD; i++)
		if (out[i] != 0x5a)
			ck_abort_msg("byte %zu past the room written",
			    i - room);
	return out;
}

static void
check_escape_n(const char *in, size_t n, const char *want)
{
	size_t len;
	char *out = escape(in, n, &len);

	ck_assert_msg(len == strlen(want) && memcmp(out, want, len) == 0,
	    "escaped to \"%.*s\", want \"%s\"", (int)len, out, want);
	free(out);
}

static void
check_escape(const char *in, const char *want)
{
	check_escape_n(in, strlen(in), want);
}

/* in must come out unchanged. */
static void
check_same(const char *in)
{
	check_escape(in, in);
}

START_TEST(test_escape_bytes_printable_unchanged)
{
	char in[96];
	size_t i, n = 0;

	for (i = 0x20; i < 0x7f; i++)
		if (i != '\\')
			in[n++] = (char)i;
	in[n] = '\0';
	check_same(in);
	check_same("Server: nginx/1.22.1");
	check_same("");
}
END_TEST

START_TEST(test_escape_bytes_tab_kept)
{
	check_same("\t");
	check_same("a\tb\t");
}
END_TEST

START_TEST(test_escape_bytess_esc)
{
	check_escape("\x1b", "\\x1b");
	check_escape("a\x1b[2Jb", "a\\x1b[2Jb");
	check_escape("\x1b]0;title\x07", "\\x1b]0;title\\x07");
}
END_TEST

START_TEST(test_escape_bytess_c0_and_del)
{
	check_escape_n("\0", 1, "\\x00");
	check_escape("\x7f", "\\x7f");
	check_escape("\v", "\\x0b");
	check_escape("\f", "\\x0c");
	check_escape("\r", "\\x0d");
	check_escape("\n", "\\x0a");
	check_escape("\b", "\\x08");
	check_escape("\x01", "\\x01");
	check_escape("\x1f", "\\x1f");
	check_escape_n("a\0b", 3, "a\\x00b");
}
END_TEST

START_TEST(test_escape_bytess_backslash)
{
	check_escape("\\", "\\\\");
	check_escape("a\\x1b", "a\\\\x1b");
}
END_TEST

START_TEST(test_escape_bytess_c1)
{
	check_escape("\x9b", "\\x9b");
	check_escape("\x80", "\\x80");
	check_escape("\xc2\x9b", "\\xc2\\x9b");
	check_escape("\xc2\x80", "\\xc2\\x80");
	check_escape("\xc2\x9f", "\\xc2\\x9f");
	check_same("\xc2\xa0"); /* U+00A0 is not a control */
}
END_TEST

START_TEST(test_escape_bytes_utf8_unchanged)
{
	check_same("caf\xc3\xa9");      /* é */
	check_same("\xe2\x82\xac");     /* € */
	check_same("\xf0\x9f\x98\x80"); /* 😀 */
	check_same("\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	check_same("\xdf\xbf");         /* U+07FF */
	check_same("\xe0\xa0\x80");     /* U+0800 */
	check_same("\xed\x9f\xbf");     /* U+D7FF */
	check_same("\xee\x80\x80");     /* U+E000 */
	check_same("\xef\xbf\xbf");     /* U+FFFF */
	check_same("\xf0\x90\x80\x80"); /* U+10000 */
	check_same("a\xc3\xa9"
	           "b\xe2\x82\xac"
	           "c"); /* mixed with ASCII */
}
END_TEST

START_TEST(test_escape_bytess_overlong)
{
	check_escape("\xc0\x80", "\\xc0\\x80");
	check_escape("\xc1\xbf", "\\xc1\\xbf");
	check_escape("\xe0\x80\x80", "\\xe0\\x80\\x80");
	check_escape("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf");
	check_escape("\xf0\x80\x80\x80", "\\xf0\\x80\\x80\\x80");
	check_escape("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf");
}
END_TEST

START_TEST(test_escape_bytess_surrogate)
{
	check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");
	check_escape("\xed\xbf\xbf", "\\xed\\xbf\\xbf");
}
END_TEST

START_TEST(test_escape_bytess_above_max)
{
	check_escape("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
}
END_TEST

START_TEST(test_escape_bytess_f5_to_ff)
{
	char in[5], want[17];
	int c;

	for (c = 0xf5; c <= 0xff; c++) {
		snprintf(in, sizeof(in), "%c\x80\x80\x80", c);
		snprintf(want, sizeof(want), "\\x%02x\\x80\\x80\\x80", c);
		check_escape(in, want);
	}
}
END_TEST

START_TEST(test_escape_bytess_truncated)
{
	check_escape("\xe2\x82", "\\xe2\\x82");
	check_escape("\xc3", "\\xc3");
	check_escape("\xf0\x9f\x98", "\\xf0\\x9f\\x98");
	check_escape("\xe2\x82"
	             "A",
	    "\\xe2\\x82A");
	check_escape("\xf0\x9f\x98"
	             "\xc3\xa9",
	    "\\xf0\\x9f\\x98\xc3\xa9");
	/* Only n bytes are input: a sequence cut by n is escaped. */
	check_escape_n("\xe2\x82\xac", 2, "\\xe2\\x82");
}
END_TEST

START_TEST(test_escape_bytess_lone_continuation)
{
	check_escape("\x80", "\\x80");
	check_escape("\xbf", "\\xbf");
	check_escape("a\x80\x80"
	             "b",
	    "a\\x80\\x80b");
}
END_TEST

/*
 * Decode one UTF-8 sequence at p by the bit patterns (not the table
 * output.c uses): the code point, or -1 if the bytes are not well-formed.
 */
static long
decode_utf8(const unsigned char *p, size_t n, size_t *len)
{
	static const long min[5] = {0, 0, 0x80, 0x800, 0x10000};
	long cp;
	size_t i;

	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		*len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		*len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		*len = 4;
		cp = p[0] & 0x07;
	} else
		return -1;
	if (*len > n)
		return -1;
	for (i = 1; i < *len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min[*len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return cp;
}

/* The value of a lowercase hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo escape_bytes; returns the length of the bytes rebuilt in dst. */
static size_t
unescape(unsigned char *dst, const char *s, size_t n)
{
	size_t i = 0, d = 0;
	int hi, lo;

	while (i < n) {
		if (s[i] != '\\') {
			dst[d++] = (unsigned char)s[i++];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			dst[d++] = '\\';
			i += 2;
			continue;
		}
		if (i + 4 > n || s[i + 1] != 'x' ||
		    (hi = hexval(s[i + 2])) == -1 ||
		    (lo = hexval(s[i + 3])) == -1)
			ck_abort_msg("bad escape at %zu: \"%.*s\"", i,
			    (int)(n - i < 4 ? n - i : 4), s + i);
		dst[d++] = (unsigned char)(hi << 4 | lo);
		i += 4;
	}
	return d;
}

/*
 * The properties every output must have: within the room, well-formed
 * UTF-8 without C0 (but TAB), DEL or C1 code points, and it unescapes to
 * exactly the input.
 */
static void
check_escape_properties(const unsigned char *in, size_t n)
{
	size_t len, i, seq;
	char *out = escape(in, n, &len);
	unsigned char *back = malloc(n + 1);
	long cp;

	ck_assert_ptr_nonnull(back);
	for (i = 0; i < len; i += seq) {
		cp = decode_utf8((const unsigned char *)out + i, len - i, &seq);
		if (cp == -1)
			ck_abort_msg("ill-formed UTF-8 at %zu", i);
		if (cp != '\t' && (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)))
			ck_abort_msg("control U+%04lX at %zu", cp, i);
	}
	if (unescape(back, out, len) != n || memcmp(back, in, n) != 0)
		ck_abort_msg("%zu bytes do not unescape to the input", n);
	free(back);
	free(out);
}

START_TEST(test_escape_bytes_all_bytes)
{
	unsigned char in[256];
	size_t i;

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	check_escape_properties(in, sizeof(in));
	for (i = 0; i < 256; i++) /* and backwards */
		in[i] = (unsigned char)(255 - i);
	check_escape_properties(in, sizeof(in));
}
END_TEST

START_TEST(test_escape_bytes_random_bytes)
{
	unsigned char in[512];
	uint32_t x = 2463534242u; /* xorshift32: the same bytes every run */
	size_t i, n;
	int round;

	for (round = 0; round < 2000; round++) {
		n = round % sizeof(in);
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Half the rounds mostly high bytes: more UTF-8. */
			in[i] = (unsigned char)(round % 2 ? x | 0x80 : x);
		}
		check_escape_properties(in, n);
	}
}
END_TEST

START_TEST(test_escape_bytes_worst_case)
{
	/* Every byte escaped: exactly ESCAPE_MAX(n). */
	size_t len;
	char *out = escape("\x1b\x1b\x1b\xff", 4, &len);

	ck_assert_uint_eq(len, ESCAPE_MAX(4));
	ck_assert_mem_eq(out, "\\x1b\\x1b\\x1b\\xff", len);
	free(out);
}
END_TEST

/* output_line's line must be exactly want. */
static void
check_line(const void *line, size_t n, const char *want)
{
	struct buf b = {0};

	output_line(&b, line, n);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_mem_eq(b.data, want, b.len);
	buf_free(&b);
}

START_TEST(test_output_line_plain)
{
	check_line("LINE", 4, "LINE\n");
	check_line("Server: nginx", 13, "Server: nginx\n");
	check_line("", 0, "\n");
}
END_TEST

START_TEST(test_output_line_escapes)
{
	check_line("X: a\x1b[2Jb\\", 10, "X: a\\x1b[2Jb\\\\\n");
	check_line("X: \r\0", 5, "X: \\x0d\\x00\n");
	check_line("X: caf\xc3\xa9", 8, "X: caf\xc3\xa9\n");
}
END_TEST

START_TEST(test_output_line_appends)
{
	struct buf b = {0};

	buf_append(&b, "earlier\n", 8);
	output_line(&b, "A: 1xx", 4);
	output_line(&b, "B: 2", 4);
	ck_assert_uint_eq(b.len, 8 + 2 * 5);
	ck_assert_mem_eq(b.data, "earlier\nA: 1\nB: 2\n", b.len);
	buf_free(&b);
}
END_TEST

START_TEST(test_output_line_exact_fit)
{
	/* 4 * 127 + 1 = 509 bytes, past the first 256 the buffer takes. */
	struct buf b = {0};
	char line[127];

	memset(line, 0x1b, sizeof(line));
	output_line(&b, line, sizeof(line));
	ck_assert_uint_eq(b.len, 509);
	ck_assert_mem_eq(b.data, "\\x1b", 4);
	ck_assert_mem_eq(b.data + 504, "\\x1b\n", 5);
	buf_free(&b);
}
END_TEST

/* Everything readable now from the non-blocking fd, NUL-terminated. */
static size_t
drain(int fd, char *dst, size_t room)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < room && (r = read(fd, dst + n, room - 1 - n)) > 0)
		n += r;
	dst[n] = '\0';
	return n;
}

struct pipes {
	int out[2];
	int err[2];
};

static struct output *
pipes_open(struct pipes *p)
{
	ck_assert_int_eq(pipe(p->out), 0);
	ck_assert_int_eq(pipe(p->err), 0);
	ck_assert_int_ne(fcntl(p->out[0], F_SETFL, O_NONBLOCK), -1);
	ck_assert_int_ne(fcntl(p->err[0], F_SETFL, O_NONBLOCK), -1);
	return output_new(p->out[1], p->err[1]);
}

static void
pipes_close(struct pipes *p)
{
	close(p->out[0]);
	close(p->out[1]);
	close(p->err[0]);
	close(p->err[1]);
}

START_TEST(test_output_new_block_flush)
{
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	ck_assert_int_eq(output_closed(o), 0);
	output_headers(o, "a", 1, "X: 1\n", 5);
	output_headers(o, "b", 1, "Y: 2\n", 5);
	/* Not a terminal: held until flushed. */
	ck_assert_uint_eq(drain(p.out[0], got, sizeof(got)), 0);
	ck_assert_int_eq(output_flush(o), 0);
	ck_assert_uint_eq(drain(p.out[0], got, sizeof(got)), 32);
	ck_assert_str_eq(got, "a header > X: 1\nb header > Y: 2\n");
	ck_assert_uint_eq(drain(p.err[0], got, sizeof(got)), 0);
	/* Nothing twice. */
	ck_assert_int_eq(output_flush(o), 0);
	ck_assert_uint_eq(drain(p.out[0], got, sizeof(got)), 0);
	output_headers(o, "c", 1, "A\nB\n", 4);
	ck_assert_int_eq(output_flush(o), 0);
	ck_assert_uint_eq(drain(p.out[0], got, sizeof(got)), 26);
	ck_assert_str_eq(got, "c header > A\nc header > B\n");
	output_free(o);
	pipes_close(&p);
}
END_TEST

START_TEST(test_output_headers_flushes_when_full)
{
	/* A file, not a pipe: 64 KiB must not wait on a reader. */
	FILE *fp = tmpfile();
	size_t prefix = strlen("t header > ");
	size_t len = AWGET_OUTPUT_FLUSH - prefix - 1;
	char *line = malloc(len);
	struct output *o;
	int fd;

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(line);
	fd = fileno(fp);
	memset(line, 'x', len - 1);
	line[len - 1] = '\n';
	o = output_new(fd, fd);
	/* One byte short of the flush size: held. */
	output_headers(o, "t", 1, line, len);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 0);
	/* Past it: written at once, in one block. */
	output_headers(o, "t", 1, "y\n", 2);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END),
	    AWGET_OUTPUT_FLUSH - 1 + prefix + 2);
	ck_assert_int_eq(output_flush(o), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END),
	    AWGET_OUTPUT_FLUSH - 1 + prefix + 2);
	output_free(o);
	fclose(fp);
	free(line);
}
END_TEST

/*
 * The prefix is added per line at output time, for every line of the raw
 * head, escaped then; the line ends go, and so do blank lines.
 */
START_TEST(test_output_headers_prefixes_each_line)
{
	struct pipes p;
	struct output *o = pipes_open(&p);
	static const char head[] =
	    "HTTP/1.1 100 Go\r\n\r\nHTTP/1.1 200 OK\r\nA: \x1b\rb\n\r\n";
	char got[256];

	output_headers(o, "host:81/p", 9, head, sizeof(head) - 1);
	ck_assert_int_eq(output_flush(o), 0);
	drain(p.out[0], got, sizeof(got));
	ck_assert_str_eq(got,
	    "host:81/p header > HTTP/1.1 100 Go\n"
	    "host:81/p header > HTTP/1.1 200 OK\n"
	    "host:81/p header > A: \\x1b\\x0db\n");
	output_free(o);
	pipes_close(&p);
}
END_TEST

START_TEST(test_output_error_line)
{
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	output_error(o, "example.com:81", "connection refused");
	output_error(o, "T", "%s %d", "msg", 5);
	ck_assert_uint_eq(drain(p.err[0], got, sizeof(got)), 0);
	ck_assert_int_eq(output_flush(o), 0);
	drain(p.err[0], got, sizeof(got));
	ck_assert_str_eq(got,
	    "awget: example.com:81: connection refused\n"
	    "awget: T: msg 5\n");
	ck_assert_uint_eq(drain(p.out[0], got, sizeof(got)), 0);
	output_free(o);
	pipes_close(&p);
}
END_TEST

START_TEST(test_output_error_long_message)
{
	/* The message is cut at 511 bytes; the line still ends in '\n'. */
	struct pipes p;
	struct output *o = pipes_open(&p);
	char msg[1001], got[2048], want[600];

	memset(msg, 'm', 1000);
	msg[1000] = '\0';
	memset(want, 'm', sizeof(want));
	memcpy(want, "awget: T: ", 10);
	memcpy(want + 10 + 511, "\n", 2);
	output_error(o, "T", "%s", msg);
	ck_assert_int_eq(output_flush(o), 0);
	ck_assert_uint_eq(drain(p.err[0], got, sizeof(got)), 10 + 511 + 1);
	ck_assert_str_eq(got, want);
	output_free(o);
	pipes_close(&p);
}
END_TEST

START_TEST(test_output_trace_after_error)
{
	/* Lines queue in order; the trace has no "awget: " prefix. */
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	output_error(o, "T", "timed out");
	output_trace(o, "T", "%s -> %s", "SENDING", "done");
	ck_assert_int_eq(output_flush(o), 0);
	drain(p.err[0], got, sizeof(got));
	ck_assert_str_eq(got, "awget: T: timed out\nT: SENDING -> done\n");
	output_free(o);
	pipes_close(&p);
}
END_TEST

/*
 * Regress (output.c err_line via util.c buf_append): the first trace on
 * a new output appends the "" prefix to an unallocated buffer, which is
 * memcpy(NULL, "", 0); UBSan: "null pointer passed as argument 1".
 */
START_TEST(test_output_trace_first_line)
{
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	output_trace(o, "T", "RESOLVING -> CONNECTING");
	ck_assert_int_eq(output_flush(o), 0);
	drain(p.err[0], got, sizeof(got));
	ck_assert_str_eq(got, "T: RESOLVING -> CONNECTING\n");
	output_free(o);
	pipes_close(&p);
}
END_TEST

START_TEST(test_output_text_at_once)
{
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	output_text(o, "usage: awget\n");
	ck_assert_uint_eq(drain(p.out[0], got, sizeof(got)), 13);
	ck_assert_str_eq(got, "usage: awget\n");
	output_free(o);
	pipes_close(&p);
}
END_TEST

START_TEST(test_output_flush_reader_gone)
{
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	signal(SIGPIPE, SIG_IGN);
	close(p.out[0]);
	output_headers(o, "t", 1, "lost\n", 5);
	ck_assert_int_eq(output_closed(o), 0);
	ck_assert_int_eq(output_flush(o), -1);
	ck_assert_int_eq(output_closed(o), 1);
	/* Closed for good: more output is dropped, stderr still works. */
	output_headers(o, "t", 1, "more\n", 5);
	output_error(o, "T", "still reported");
	ck_assert_int_eq(output_flush(o), -1);
	ck_assert_int_eq(output_closed(o), 1);
	drain(p.err[0], got, sizeof(got));
	ck_assert_str_eq(got, "awget: T: still reported\n");
	output_free(o);
	close(p.out[1]);
	close(p.err[0]);
	close(p.err[1]);
}
END_TEST

START_TEST(test_output_flush_stderr_gone)
{
	/* Only stdout's state is output_flush's result. */
	struct pipes p;
	struct output *o = pipes_open(&p);
	char got[256];

	signal(SIGPIPE, SIG_IGN);
	close(p.err[0]);
	output_error(o, "T", "nobody reads this");
	output_headers(o, "t", 1, "ok\n", 3);
	ck_assert_int_eq(output_flush(o), 0);
	ck_assert_int_eq(output_closed(o), 0);
	drain(p.out[0], got, sizeof(got));
	ck_assert_str_eq(got, "t header > ok\n");
	output_free(o);
	close(p.out[0]);
	close(p.out[1]);
	close(p.err[1]);
}
END_TEST

START_TEST(test_output_free_null)
{
	output_free(NULL);
}
END_TEST

static Suite *
output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc;

	tc = tcase(s, "escape_bytes");
	tcase_add_test(tc, test_escape_bytes_printable_unchanged);
	tcase_add_test(tc, test_escape_bytes_tab_kept);
	tcase_add_test(tc, test_escape_bytess_esc);
	tcase_add_test(tc, test_escape_bytess_c0_and_del);
	tcase_add_test(tc, test_escape_bytess_backslash);
	tcase_add_test(tc, test_escape_bytess_c1);
	tcase_add_test(tc, test_escape_bytes_utf8_unchanged);
	tcase_add_test(tc, test_escape_bytess_overlong);
	tcase_add_test(tc, test_escape_bytess_surrogate);
	tcase_add_test(tc, test_escape_bytess_above_max);
	tcase_add_test(tc, test_escape_bytess_f5_to_ff);
	tcase_add_test(tc, test_escape_bytess_truncated);
	tcase_add_test(tc, test_escape_bytess_lone_continuation);
	tcase_add_test(tc, test_escape_bytes_all_bytes);
	tcase_add_test(tc, test_escape_bytes_random_bytes);
	tcase_add_test(tc, test_escape_bytes_worst_case);

	tc = tcase(s, "output_line");
	tcase_add_test(tc, test_output_line_plain);
	tcase_add_test(tc, test_output_line_escapes);
	tcase_add_test(tc, test_output_line_appends);
	tcase_add_test(tc, test_output_line_exact_fit);

	tc = tcase(s, "output_new");
	tcase_add_test(tc, test_output_new_block_flush);

	tc = tcase(s, "output_headers");
	tcase_add_test(tc, test_output_headers_flushes_when_full);
	tcase_add_test(tc, test_output_headers_prefixes_each_line);

	tc = tcase(s, "output_error");
	tcase_add_test(tc, test_output_error_line);
	tcase_add_test(tc, test_output_error_long_message);

	tc = tcase(s, "output_trace");
	tcase_add_test(tc, test_output_trace_after_error);
	tcase_add_test(tc, test_output_trace_first_line);

	tc = tcase(s, "output_text");
	tcase_add_test(tc, test_output_text_at_once);

	tc = tcase(s, "output_flush");
	tcase_add_test(tc, test_output_flush_reader_gone);
	tcase_add_test(tc, test_output_flush_stderr_gone);

	tc = tcase(s, "output_free");
	tcase_add_test(tc, test_output_free_null);
	return s;
}

int
main(void)
{
	return check_run(output_suite());
}
