/*
 * check_targets.c: every form target_parse accepts or rejects, and the
 * readers over argv and over a stream.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awget.h"
#include "expand.h"
#include "targets.h"
#include "check_common.h"

static struct target *
parse(const char *s)
{
	return target_parse(s, strlen(s));
}

/* s must parse to host, port and path, with no literal address. */
static void
check_ok(const char *s, const char *host, unsigned short port, const char *path)
{
	struct target *t = parse(s);

	ck_assert_msg(t->error == NULL, "\"%s\": %s", s, t->error);
	ck_assert_str_eq(t->host, host);
	ck_assert_uint_eq(t->port, port);
	ck_assert_str_eq(t->path, path);
	target_free(t);
}

/* The first n bytes of s must be the valid target "h/". */
static void
check_ok_n(const char *s, size_t n)
{
	struct target *t = target_parse(s, n);

	ck_assert_msg(t->error == NULL, "%s", t->error);
	ck_assert_str_eq(t->text, "h/");
	ck_assert_str_eq(t->host, "h");
	ck_assert_str_eq(t->path, "/");
	target_free(t);
}

/* n bytes of s must be rejected with error want; text must be shown. */
static void
check_err_n(const char *s, size_t n, const char *want, const char *shown)
{
	struct target *t = target_parse(s, n);

	ck_assert_msg(t->error != NULL, "\"%s\" accepted: host \"%s\"", shown,
	    t->host);
	ck_assert_str_eq(t->error, want);
	ck_assert_str_eq(t->text, shown);
	target_free(t);
}

static void
check_err(const char *s, const char *want)
{
	check_err_n(s, strlen(s), want, s);
}

/* A string of n copies of c, NUL-terminated; the caller frees it. */
static char *
repeat(int c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_targets_parse_host)
{
	struct target *t = parse("example.com");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->text, "example.com");
	ck_assert_str_eq(t->host, "example.com");
	ck_assert_str_eq(t->path, "/");
	ck_assert_uint_eq(t->port, 80);
	ck_assert_int_eq(t->family, 0);
	target_free(t);
	check_ok("localhost", "localhost", 80, "/");
	check_ok("a", "a", 80, "/");
	check_ok("my-host_1.example", "my-host_1.example", 80, "/");
	check_ok("Example.COM", "Example.COM", 80, "/");
	check_ok("1a.example", "1a.example", 80, "/");
}
END_TEST

START_TEST(test_targets_parse_host_port)
{
	check_ok("example.com:8080", "example.com", 8080, "/");
	check_ok("h:1", "h", 1, "/");
	check_ok("h:65535", "h", 65535, "/");
	check_ok("h:080", "h", 80, "/");
	check_ok("h:443", "h", 443, "/");
}
END_TEST

START_TEST(test_targets_parse_ipv4)
{
	static const unsigned char addr[4] = {192, 0, 2, 1};
	struct target *t = parse("192.0.2.1");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->host, "192.0.2.1");
	ck_assert_int_eq(t->family, AF_INET);
	ck_assert_mem_eq(t->addr, addr, 4);
	ck_assert_uint_eq(t->port, 80);
	ck_assert_str_eq(t->path, "/");
	target_free(t);

	t = parse("192.0.2.1:8080");
	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->host, "192.0.2.1");
	ck_assert_int_eq(t->family, AF_INET);
	ck_assert_mem_eq(t->addr, addr, 4);
	ck_assert_uint_eq(t->port, 8080);
	target_free(t);
}
END_TEST

START_TEST(test_targets_parse_ipv6_brackets)
{
	static const unsigned char addr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct target *t = parse("[2001:db8::1]");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->text, "[2001:db8::1]");
	ck_assert_str_eq(t->host, "2001:db8::1");
	ck_assert_int_eq(t->family, AF_INET6);
	ck_assert_mem_eq(t->addr, addr, 16);
	ck_assert_uint_eq(t->port, 80);
	ck_assert_str_eq(t->path, "/");
	target_free(t);
}
END_TEST

START_TEST(test_targets_parse_ipv6_brackets_port)
{
	static const unsigned char lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 1};
	struct target *t = parse("[::1]:8080");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->host, "::1");
	ck_assert_int_eq(t->family, AF_INET6);
	ck_assert_mem_eq(t->addr, lo, 16);
	ck_assert_uint_eq(t->port, 8080);
	ck_assert_str_eq(t->path, "/");
	target_free(t);
	check_ok("[::ffff:192.0.2.1]:1", "::ffff:192.0.2.1", 1, "/");
}
END_TEST

START_TEST(test_targets_parse_ipv6_bare)
{
	static const unsigned char lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 1};
	struct target *t = parse("::1");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->host, "::1");
	ck_assert_int_eq(t->family, AF_INET6);
	ck_assert_mem_eq(t->addr, lo, 16);
	ck_assert_uint_eq(t->port, 80);
	ck_assert_str_eq(t->path, "/");
	target_free(t);
	check_ok("2001:db8::1", "2001:db8::1", 80, "/");
	check_err("h:80:90", "invalid IPv6 address (use [ADDR]:PORT)");
}
END_TEST

START_TEST(test_targets_parse_http_url)
{
	check_ok("http://example.com", "example.com", 80, "/");
	check_ok("http://example.com/", "example.com", 80, "/");
	check_ok("http://example.com:8080", "example.com", 8080, "/");
	check_ok("http://example.com:8080/a/b", "example.com", 8080, "/a/b");
	check_ok("http://example.com/a/b/", "example.com", 80, "/a/b/");
	check_ok("http://192.0.2.1:81/x", "192.0.2.1", 81, "/x");
	check_ok("http://[::1]:8080/x", "::1", 8080, "/x");
	check_ok("example.com/a", "example.com", 80, "/a");
	check_ok("h:81/a", "h", 81, "/a");
}
END_TEST

START_TEST(test_targets_parse_scheme_case)
{
	struct target *t = parse("HTTP://Example.COM:81/P");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->text, "HTTP://Example.COM:81/P");
	ck_assert_str_eq(t->host, "Example.COM");
	ck_assert_uint_eq(t->port, 81);
	ck_assert_str_eq(t->path, "/P");
	target_free(t);
	check_ok("Http://h", "h", 80, "/");
}
END_TEST

START_TEST(test_targets_parse_query_fragment)
{
	check_ok("http://h/p?q=1&r=2#frag", "h", 80, "/p?q=1&r=2");
	check_ok("http://h/p#frag?notquery", "h", 80, "/p");
	check_ok("h/p#", "h", 80, "/p");
	check_ok("h#frag", "h", 80, "/");
	check_ok("h:81#frag", "h", 81, "/");
}
END_TEST

START_TEST(test_targets_parse_query_without_path)
{
	check_ok("host?x=1", "host", 80, "/?x=1");
	check_ok("http://host:81?x=1&y", "host", 81, "/?x=1&y");
}
END_TEST

START_TEST(test_targets_parse_path_percent_encoded)
{
	check_ok("h/caf\xc3\xa9", "h", 80, "/caf%C3%A9");
	check_ok("h/\xff\x80", "h", 80, "/%FF%80");
	check_ok("h/?q=\xe2\x82\xac", "h", 80, "/?q=%E2%82%AC");
	/* Already encoded text and ASCII punctuation pass unchanged. */
	check_ok("h/a%20b~!$&'()*+,;=:@", "h", 80, "/a%20b~!$&'()*+,;=:@");
}
END_TEST

START_TEST(test_targets_parse_text_trimmed)
{
	struct target *t = parse(" \t example.com:81 \r\n");

	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->text, "example.com:81");
	ck_assert_str_eq(t->host, "example.com");
	ck_assert_uint_eq(t->port, 81);
	target_free(t);

	t = parse("\v\fh\r");
	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->text, "h");
	target_free(t);
}
END_TEST

START_TEST(test_targets_parse_text_escaped)
{
	check_err_n("h/\x1b[2J", 6, "invalid character in target",
	    "h/\\x1b[2J");
	check_err_n("ho\x01st", 5, "invalid character in target", "ho\\x01st");
	check_err_n(" \x7fh ", 4, "invalid character in target", "\\x7fh");
	check_err_n("h\\x", 3, "invalid character in host name", "h\\\\x");
}
END_TEST

START_TEST(test_targets_parse_empty)
{
	check_err("", "empty target");
	check_err_n("   ", 3, "empty target", "");
	check_err_n(" \t\r\n\v\f", 6, "empty target", "");
	check_err("http://", "empty host");
	check_err(":80", "empty host");
	check_err("/path", "empty host");
}
END_TEST

START_TEST(test_targets_parse_bad_port)
{
	check_err("host:0", "port out of range (1-65535)");
	check_err("host:65536", "port out of range (1-65535)");
	check_err("host:99999999999999999999", "port out of range (1-65535)");
	check_err("host:", "empty port");
	check_err("host:abc", "invalid port");
	check_err("host:-1", "invalid port");
	check_err("host:+80", "invalid port");
	check_err("host:8o", "invalid port");
	check_err("[::1]:0", "port out of range (1-65535)");
	check_err("[::1]:", "empty port");
	check_err("http://h:0/", "port out of range (1-65535)");
}
END_TEST

/* https: TLS, port 443 unless given. */
START_TEST(test_targets_parse_https)
{
	struct target *t = target_parse("https://x/p", 11);

	ck_assert_ptr_null(t->error);
	ck_assert_int_eq(t->tls, 1);
	ck_assert_uint_eq(t->port, 443);
	ck_assert_str_eq(t->path, "/p");
	target_free(t);
	t = target_parse("HTTPS://[::1]:8443", 18);
	ck_assert_ptr_null(t->error);
	ck_assert_int_eq(t->tls, 1);
	ck_assert_uint_eq(t->port, 8443);
	target_free(t);
	t = target_parse("http://x", 8);
	ck_assert_int_eq(t->tls, 0);
	ck_assert_uint_eq(t->port, 80);
	target_free(t);
}
END_TEST

START_TEST(test_targets_parse_scheme_rejected)
{
	check_err("ftp://x", "unknown scheme");
	check_err("httpss://x", "unknown scheme");
	check_err("httpx://x", "unknown scheme");
	check_err("://x", "unknown scheme");
}
END_TEST

START_TEST(test_targets_parse_name_length)
{
	char name[300];
	struct target *t;

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 bytes. */
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	check_ok(name, name, 80, "/");

	name[253] = '.'; /* a rooted name: 253 + the dot */
	name[254] = '\0';
	t = parse(name);
	ck_assert_ptr_null(t->error);
	ck_assert_str_eq(t->host, name);
	target_free(t);

	name[253] = 'a';
	check_err(name, "host name longer than 253 bytes");
	name[254] = '.';
	name[255] = '\0';
	check_err(name, "host name longer than 253 bytes");
}
END_TEST

START_TEST(test_targets_parse_label_length)
{
	char *label = repeat('a', 64);
	char name[80];

	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.com", label);
	check_ok(name, name, 80, "/");
	snprintf(name, sizeof(name), "x.%s", label);
	check_ok(name, name, 80, "/");
	label[63] = 'a';
	snprintf(name, sizeof(name), "%s.com", label);
	check_err(name, "host name label longer than 63 bytes");
	check_err(label, "host name label longer than 63 bytes");
	free(label);
}
END_TEST

/* IDNA 2008 with UTS#46: the host in its ASCII form, the text as written. */
START_TEST(test_targets_parse_idn)
{
	struct target *t;

	check_ok("b\xc3\xbc"
	         "cher.test",
	    "xn--bcher-kva.test", 80, "/");
	check_ok("B\xc3\x9c"
	         "CHER.test",
	    "xn--bcher-kva.test", 80, "/");
	check_ok("https://b\xc3\xbc"
	         "cher.test:8443/p",
	    "xn--bcher-kva.test", 8443, "/p");
	/* Non-transitional: sharp s stays, it is not "ss". */
	check_ok("fa\xc3\x9f.test", "xn--fa-hia.test", 80, "/");
	/* Mixed scripts (a Cyrillic a among Latin letters) are IDNA's to
	 * allow: a registry's policy, not the protocol's. */
	check_ok("p\xd0\xb0ypal.test", "xn--pypal-4ve.test", 80, "/");
	check_ok("xn--bcher-kva.test", "xn--bcher-kva.test", 80, "/");
	t = target_parse("b\xc3\xbc"
	                 "cher.test",
	    12);
	ck_assert_str_eq(t->text,
	    "b\xc3\xbc"
	    "cher.test");
	ck_assert_str_eq(t->line,
	    "b\xc3\xbc"
	    "cher.test");
	target_free(t);
	/* A snowman: refused non-transitional, taken transitional (curl). */
	check_ok("\xe2\x98\x83.test", "xn--n3h.test", 80, "/");
	check_err("a\xe2\x92\x88.test",
	    "international name has a disallowed character");
	check_err("a\xee\x80\x80"
	          "b.test",
	    "international name has a disallowed character");
	/* UTS#46 maps a no-break space to a space, which no name holds. */
	check_err("a\xc2\xa0"
	          "b.test",
	    "invalid character in host name");
	check_err("a\xd7\x90.test",
	    "international name mixes right-to-left "
	    "and left-to-right in a way IDNA forbids");
	check_err("a\xe2\x80\x8d"
	          "b.test",
	    "international name has a joiner out of context");
	check_err("\xcc\x80"
	          "a.test",
	    "international name label starts with a combining mark");
	check_err_n("a\xff"
	            "b.test",
	    8, "international name is not valid UTF-8", "a\\xffb.test");
}
END_TEST

START_TEST(test_targets_parse_bad_name)
{
	check_err("a..b", "empty label in host name");
	check_err(".a", "empty label in host name");
	check_err("a..", "empty label in host name");
	check_err("..", "empty label in host name");
	check_err("ex*mple.com", "invalid character in host name");
	check_err("ex\xc3\xa4m ple.com", "invalid character in target");
	check_err("user@host", "user name in target not supported");
	check_err("http://u:p@h/", "user name in target not supported");
}
END_TEST

START_TEST(test_targets_parse_bad_ipv6)
{
	check_err("[::1", "missing ']' after IPv6 address");
	check_err("[zz]", "invalid IPv6 address");
	check_err("[192.0.2.1]", "invalid IPv6 address");
	check_err("[]", "empty host");
	check_err("[::1]x", "junk after ']'");
	check_err("[::1]]", "junk after ']'");
	check_err("::g", "invalid IPv6 address (use [ADDR]:PORT)");
}
END_TEST

START_TEST(test_targets_parse_bad_ipv4)
{
	check_err("256.1.1.1", "invalid IPv4 address");
	check_err("1.2.3", "invalid IPv4 address");
	check_err("1.2.3.4.5", "invalid IPv4 address");
	check_err("123", "invalid IPv4 address");
	check_err("256.1.1.1:80", "invalid IPv4 address");
}
END_TEST

START_TEST(test_targets_parse_bad_path)
{
	check_err("h/a b", "invalid character in target");
	check_err("http://h/a\tb", "invalid character in target");
	check_err_n("h/a\x7f", 4, "invalid character in target", "h/a\\x7f");
	check_err_n("h/a\x01", 4, "invalid character in target", "h/a\\x01");
	/* After the fragment nothing is looked at. */
	/* Not even in the fragment: TARGET must stay one field of the output.
	 */
	check_err("h/a#b c", "invalid character in target");
	check_err("127.0.0.1:80/#a b", "invalid character in target");
	/* "://" after "?" is no scheme. */
	check_ok("h:81?u=http://x", "h", 81, "/?u=http://x");
	check_err("://x", "unknown scheme");
}
END_TEST

START_TEST(test_targets_parse_control_in_host)
{
	check_err("ho st", "invalid character in target");
	check_err("h\tx", "invalid character in target");
	check_err_n("h\x1b:80", 5, "invalid character in target", "h\\x1b:80");
	check_err_n("http://\x01h", 9, "invalid character in target",
	    "http://\\x01h");
}
END_TEST

START_TEST(test_targets_parse_nul_byte)
{
	check_err_n("ab\0cd", 5, "invalid character in target", "ab\\x00cd");
	check_err_n("h/\0", 3, "invalid character in target", "h/\\x00");
	/* A NUL past len is not part of the target. */
	check_ok_n("h/\0junk", 2);
}
END_TEST

START_TEST(test_targets_parse_too_long)
{
	char *s = repeat('a', AWGET_MAX_TARGET + 1);
	char *shown = repeat('a', 40 + 3);
	struct target *t;

	memcpy(shown + 40, "...", 3);
	check_err_n(s, strlen(s), "target longer than 8192 bytes", shown);

	/* The shown part is escaped too. */
	s[0] = '\x1b';
	t = parse(s);
	ck_assert_str_eq(t->error, "target longer than 8192 bytes");
	ck_assert_int_eq(strncmp(t->text, "\\x1b", 4), 0);
	ck_assert_uint_eq(strlen(t->text), 4 + 39 + 3);
	ck_assert_str_eq(t->text + 4 + 39, "...");
	target_free(t);
	free(shown);
	free(s);
}
END_TEST

START_TEST(test_targets_parse_longest)
{
	/* "h/" and 8190 bytes of path: exactly AWGET_MAX_TARGET. */
	char *s = repeat('p', AWGET_MAX_TARGET + 2);
	struct target *t;

	s[0] = ' '; /* blanks do not count */
	s[1] = 'h';
	s[2] = '/';
	s[AWGET_MAX_TARGET + 1] = '\r';
	t = target_parse(s, AWGET_MAX_TARGET + 2);
	ck_assert_msg(t->error == NULL, "%s", t->error);
	ck_assert_uint_eq(strlen(t->path), AWGET_MAX_TARGET - 1);
	ck_assert_uint_eq(strlen(t->text), AWGET_MAX_TARGET);
	target_free(t);

	/* Every path byte percent-encoded: three times as long. */
	memset(s + 3, 0xff, AWGET_MAX_TARGET - 2);
	t = target_parse(s, AWGET_MAX_TARGET + 2);
	ck_assert_msg(t->error == NULL, "%s", t->error);
	ck_assert_uint_eq(strlen(t->path), 1 + 3 * (AWGET_MAX_TARGET - 2));
	ck_assert_str_eq(t->path + strlen(t->path) - 3, "%FF");
	target_free(t);

	s[AWGET_MAX_TARGET + 1] = 'p';
	t = target_parse(s, AWGET_MAX_TARGET + 2);
	ck_assert_str_eq(t->error, "target longer than 8192 bytes");
	target_free(t);
	free(s);
}
END_TEST

/* A descriptor of a regular file holding the n bytes of s, at its start. */
static int
stream_of(const void *s, size_t n)
{
	FILE *fp = tmpfile();
	int fd;

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(s, 1, n, fp), n);
	ck_assert_int_eq(fflush(fp), 0);
	fd = dup(fileno(fp));
	ck_assert_int_ne(fd, -1);
	fclose(fp);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* The next target must be valid and written as text, with host. */
static void
next_ok(struct targets *ts, const char *text, const char *host,
    unsigned short port)
{
	struct target *t = targets_next(ts);

	ck_assert_msg(t != NULL, "end of input before \"%s\"", text);
	ck_assert_msg(t->error == NULL, "\"%s\": %s", t->text, t->error);
	ck_assert_str_eq(t->text, text);
	ck_assert_str_eq(t->host, host);
	ck_assert_uint_eq(t->port, port);
	target_free(t);
}

static void
next_err(struct targets *ts, const char *text, const char *error)
{
	struct target *t = targets_next(ts);

	ck_assert_msg(t != NULL, "end of input before \"%s\"", text);
	ck_assert_str_eq(t->text, text);
	ck_assert_msg(t->error != NULL, "\"%s\" accepted", t->text);
	ck_assert_str_eq(t->error, error);
	target_free(t);
}

static void
next_end(struct targets *ts)
{
	struct target *t = targets_next(ts);

	ck_assert_msg(t == NULL, "\"%s\" after the end", t ? t->text : "");
	/* And it stays at the end. */
	ck_assert_ptr_null(targets_next(ts));
}

START_TEST(test_targets_from_args_in_order)
{
	char *argv[] = {"a", " b:81 ", "http://c/x", NULL};
	struct targets *ts = targets_from_args(argv, 3);

	next_ok(ts, "a", "a", 80);
	next_ok(ts, "b:81", "b", 81);
	next_ok(ts, "http://c/x", "c", 80);
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_args_invalid_kept)
{
	/* Arguments are targets as given: nothing is skipped. */
	char *argv[] = {"", "#x", "h:0", "ok", NULL};
	struct targets *ts = targets_from_args(argv, 4);

	next_err(ts, "", "empty target");
	next_err(ts, "#x", "empty host");
	next_err(ts, "h:0", "port out of range (1-65535)");
	next_ok(ts, "ok", "ok", 80);
	next_end(ts);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_args_none)
{
	char *argv[] = {NULL};
	struct targets *ts = targets_from_args(argv, 0);

	next_end(ts);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_stream_skips_blank_and_comments)
{
	static const char in[] = "a\n"
	                         "\n"
	                         "   \t \n"
	                         "# comment\n"
	                         "  # indented comment\n"
	                         "b:81 # not a comment\n"
	                         "\r\n"
	                         "c\n";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));

	next_ok(ts, "a", "a", 80);
	next_err(ts, "b:81 # not a comment", "invalid character in target");
	next_ok(ts, "c", "c", 80);
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_stream_crlf)
{
	static const char in[] = "a\r\nb:8080\r\n  c  \r\n";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));

	next_ok(ts, "a", "a", 80);
	next_ok(ts, "b:8080", "b", 8080);
	next_ok(ts, "c", "c", 80);
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_stream_last_line_unterminated)
{
	static const char in[] = "a\nlast:99";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));

	next_ok(ts, "a", "a", 80);
	next_ok(ts, "last:99", "last", 99);
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_stream_empty)
{
	struct targets *ts = targets_from_fd(stream_of("", 0));

	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);

	ts = targets_from_fd(stream_of("\n\n# only\n", 9));
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_from_stream_huge_line)
{
	size_t big = 1 << 20, n = big + sizeof("\nnext:81\n") - 1;
	char *in = malloc(n);
	char shown[44];
	struct targets *ts;

	ck_assert_ptr_nonnull(in);
	memset(in, 'x', big);
	memcpy(in + big, "\nnext:81\n", n - big);
	memset(shown, 'x', 40);
	memcpy(shown + 40, "...", 4);
	ts = targets_from_fd(stream_of(in, n));
	next_err(ts, shown, "target longer than 8192 bytes");
	next_ok(ts, "next:81", "next", 81);
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
	free(in);
}
END_TEST

START_TEST(test_targets_from_stream_line_limit)
{
	/* "h/" and path: AWGET_MAX_TARGET bytes, then one more. */
	size_t n = 2 * AWGET_MAX_TARGET + 3;
	char *in = malloc(n);
	struct targets *ts;
	struct target *t;

	ck_assert_ptr_nonnull(in);
	memset(in, 'p', n);
	memcpy(in, "h/", 2);
	in[AWGET_MAX_TARGET] = '\n';
	memcpy(in + AWGET_MAX_TARGET + 1, "h/", 2);
	in[n - 1] = '\n';
	ts = targets_from_fd(stream_of(in, n));
	t = targets_next(ts);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(t->error == NULL, "%s", t->error);
	ck_assert_uint_eq(strlen(t->path), AWGET_MAX_TARGET - 1);
	target_free(t);
	t = targets_next(ts);
	ck_assert_ptr_nonnull(t);
	ck_assert_pstr_eq(t->error, "target longer than 8192 bytes");
	target_free(t);
	next_end(ts);
	targets_free(ts);
	free(in);
}
END_TEST

START_TEST(test_targets_from_stream_nul_in_line)
{
	static const char in[] = "a\0b\nc\n";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));

	next_err(ts, "a\\x00b", "invalid character in target");
	next_ok(ts, "c", "c", 80);
	next_end(ts);
	targets_free(ts);
}
END_TEST

/*
 * Regress: the line was cut at AWGET_MAX_TARGET + 1 bytes before the blanks
 * were trimmed, so leading blanks silently shortened a long target.
 */
START_TEST(test_targets_from_stream_long_line_leading_blanks)
{
	size_t n = 10 + AWGET_MAX_TARGET + 1;
	char *in = malloc(n);
	struct targets *ts;
	struct target *t;

	ck_assert_ptr_nonnull(in);
	memset(in, ' ', 10);
	memcpy(in + 10, "h/", 2);
	memset(in + 12, 'p', AWGET_MAX_TARGET - 2);
	in[n - 1] = '\n';
	/* 10 blanks and exactly AWGET_MAX_TARGET bytes: valid, whole. */
	ts = targets_from_fd(stream_of(in, n));
	t = targets_next(ts);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(t->error == NULL, "%s", t->error);
	ck_assert_uint_eq(strlen(t->path), AWGET_MAX_TARGET - 1);
	target_free(t);
	targets_free(ts);
	free(in);
}
END_TEST

/* A pipe is read only once the loop says it is readable. */
START_TEST(test_targets_from_fd_pipe_waits)
{
	struct targets *ts;
	struct target *t;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ts = targets_from_fd(p[0]);
	ck_assert_int_eq(targets_poll_fd(ts), p[0]);
	ck_assert_ptr_null(targets_next(ts));
	ck_assert_int_eq(targets_done(ts), 0);
	ck_assert_int_eq(write(p[1], "a:81\nb", 6), 6);
	ck_assert_ptr_null(targets_next(ts)); /* not told readable yet */
	targets_readable(ts);
	t = targets_next(ts);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->text, "a:81");
	target_free(t);
	/* "b" may go on: not a line until '\n' or the end of the input. */
	ck_assert_ptr_null(targets_next(ts));
	ck_assert_int_eq(targets_done(ts), 0);
	close(p[1]);
	targets_readable(ts);
	next_ok(ts, "b", "b", 80);
	next_end(ts);
	ck_assert_int_eq(targets_done(ts), 1);
	targets_free(ts);
}
END_TEST

/* --shard k/n counts targets, not blank or comment lines. */
START_TEST(test_targets_shard)
{
	static const char in[] = "a\n# c\n\nb\nc\n  \nd\ne\n";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));
	char *argv[] = {"a", "b", "c", "d", "e"};

	targets_shard(ts, 2, 2);
	next_ok(ts, "b", "b", 80);
	next_ok(ts, "d", "d", 80);
	next_end(ts);
	targets_free(ts);
	ts = targets_from_args(argv, 5);
	targets_shard(ts, 1, 2);
	next_ok(ts, "a", "a", 80);
	next_ok(ts, "c", "c", 80);
	next_ok(ts, "e", "e", 80);
	next_end(ts);
	targets_free(ts);
}
END_TEST

/* Ranges expand in place, and --shard counts their positions. */
START_TEST(test_targets_ranges)
{
	static const char in[] = "127.0.0.0/31\n127.0.0.5-6\n127.0.0.0/33\n"
	                         "h\n";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));
	char *argv[] = {"127.0.0.0/30", "h", "127.0.0.9-7"};

	next_ok(ts, "127.0.0.0", "127.0.0.0", 80);
	next_ok(ts, "127.0.0.1", "127.0.0.1", 80);
	next_ok(ts, "127.0.0.5", "127.0.0.5", 80);
	next_ok(ts, "127.0.0.6", "127.0.0.6", 80);
	next_err(ts, "127.0.0.0/33", "prefix length above 32");
	next_ok(ts, "h", "h", 80);
	next_end(ts);
	targets_free(ts);
	ts = targets_from_args(argv, 3);
	targets_shard(ts, 2, 3);
	next_ok(ts, "127.0.0.1", "127.0.0.1", 80);
	next_ok(ts, "h", "h", 80);
	next_end(ts);
	targets_free(ts);
	ts = targets_from_args(argv, 3);
	targets_shard(ts, 3, 3);
	next_ok(ts, "127.0.0.2", "127.0.0.2", 80);
	next_err(ts, "127.0.0.9-7", "the start of the range is above its end");
	next_end(ts);
	targets_free(ts);
}
END_TEST

/* -p: each target without a port on each; a bad one once. */
START_TEST(test_targets_ports)
{
	char *argv[] = {"h", "h:81", "bad!", "127.0.0.1-2"};
	struct targets *ts = targets_from_args(argv, 4);
	struct ports p;

	ck_assert_ptr_null(ports_parse("82,https:443", &p));
	targets_ports(ts, &p);
	next_ok(ts, "h:82", "h", 82);
	next_ok(ts, "https://h:443", "h", 443);
	next_ok(ts, "h:81", "h", 81);
	next_err(ts, "bad!", "invalid character in host name");
	next_ok(ts, "127.0.0.1:82", "127.0.0.1", 82);
	next_ok(ts, "https://127.0.0.1:443", "127.0.0.1", 443);
	next_ok(ts, "127.0.0.2:82", "127.0.0.2", 82);
	next_ok(ts, "https://127.0.0.2:443", "127.0.0.2", 443);
	next_end(ts);
	targets_free(ts);
	ports_free(&p);
}
END_TEST

/* The progress total: ranges and ports counted, not made; --shard too. */
START_TEST(test_targets_count)
{
	static const char in[] = "127.0.0.0/8\nh\nh:81\nbad!\n# c\n"
	                         "127.0.0.0/33\n";
	char *argv[] = {"127.0.0.0/30", "h", "127.0.0.1-2"};
	struct targets *ts;
	struct ports p;

	ck_assert_ptr_null(ports_parse("80,https:443", &p));
	ts = targets_from_fd(stream_of(in, sizeof(in) - 1));
	targets_ports(ts, &p);
	/* 2^24 x 2, 2, 1, 1 (one error), 1 (one error). */
	ck_assert_uint_eq(targets_count(ts), (2ULL << 24) + 5);
	targets_free(ts);
	ts = targets_from_args(argv, 3);
	ck_assert_uint_eq(targets_count(ts), 7);
	targets_free(ts);
	ts = targets_from_args(argv, 3);
	targets_shard(ts, 2, 3); /* positions 1 and 4 of 0-6 */
	ck_assert_uint_eq(targets_count(ts), 2);
	targets_free(ts);
	ts = targets_from_args(argv, 3);
	targets_shard(ts, 1, 3); /* 0, 3 and 6 */
	ck_assert_uint_eq(targets_count(ts), 3);
	targets_free(ts);
	ports_free(&p);
}
END_TEST

/* A byte order mark split over reads is still skipped; one that comes
 * after a line is the next line's. */
START_TEST(test_targets_bom_split)
{
	struct targets *ts;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ts = targets_from_fd(p[0]);
	ck_assert_int_eq(write(p[1], "\xef\xbb", 2), 2);
	targets_readable(ts);
	ck_assert_ptr_null(targets_next(ts));
	ck_assert_int_eq(write(p[1],
	                     "\xbf"
	                     "a\n",
	                     3),
	    3);
	targets_readable(ts);
	next_ok(ts, "a", "a", 80);
	close(p[1]);
	targets_free(ts);
	ck_assert_int_eq(pipe(p), 0);
	ts = targets_from_fd(p[0]);
	ck_assert_int_eq(write(p[1], "a\n", 2), 2);
	targets_readable(ts);
	next_ok(ts, "a", "a", 80);
	ck_assert_int_eq(write(p[1],
	                     "\xef\xbb\xbf"
	                     "b\n",
	                     5),
	    5);
	targets_readable(ts);
	next_ok(ts,
	    "\xef\xbb\xbf"
	    "b",
	    "b", 80);
	close(p[1]);
	targets_free(ts);
}
END_TEST

/* A UTF-8 byte order mark opening the input is not part of a target. */
START_TEST(test_targets_bom)
{
	static const char in[] = "\xef\xbb\xbf"
	                         "a\n\xef\xbb\xbf"
	                         "b\n";
	struct targets *ts = targets_from_fd(stream_of(in, sizeof(in) - 1));

	next_ok(ts, "a", "a", 80);
	/* Elsewhere it is the line's, and UTS#46 maps it away in the name. */
	next_ok(ts,
	    "\xef\xbb\xbf"
	    "b",
	    "b", 80);
	next_end(ts);
	targets_free(ts);
	ts = targets_from_fd(stream_of("\xef\xbb\xbf", 3));
	next_end(ts);
	targets_free(ts);
}
END_TEST

/* A comment longer than the buffer is skipped whole, however long. */
START_TEST(test_targets_from_fd_huge_comment)
{
	size_t big = 1 << 20, n = big + sizeof("\nnext\n") - 1;
	char *in = malloc(n);
	struct targets *ts;

	ck_assert_ptr_nonnull(in);
	memset(in, 'c', big);
	in[0] = '#';
	memcpy(in + big, "\nnext\n", n - big);
	ts = targets_from_fd(stream_of(in, n));
	next_ok(ts, "next", "next", 80);
	next_end(ts);
	targets_free(ts);
	free(in);
}
END_TEST

START_TEST(test_targets_error_zero_at_eof)
{
	struct targets *ts = targets_from_fd(stream_of("a\nb", 3));

	ck_assert_int_eq(targets_error(ts), 0);
	next_ok(ts, "a", "a", 80);
	ck_assert_int_eq(targets_error(ts), 0);
	next_ok(ts, "b", "b", 80);
	next_end(ts);
	ck_assert_int_eq(targets_error(ts), 0);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_error_on_read_error)
{
	/* Reading a stream opened only for writing fails with EBADF. */
	int fd = open("/dev/null", O_WRONLY);
	struct targets *ts;

	ck_assert_int_ne(fd, -1);
	ts = targets_from_fd(fd);
	ck_assert_ptr_null(targets_next(ts));
	ck_assert_int_eq(targets_error(ts), EBADF);
	targets_free(ts);
}
END_TEST

START_TEST(test_targets_free_closes_stream)
{
	int fd = stream_of("a\n", 2);
	struct targets *ts = targets_from_fd(fd);

	targets_free(ts);
	errno = 0;
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	targets_free(NULL);
}
END_TEST

START_TEST(test_targets_free_keeps_stdin)
{
	int p[2];
	struct targets *ts;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(dup2(p[0], STDIN_FILENO), -1);
	close(p[0]);
	ts = targets_from_fd(STDIN_FILENO);
	targets_free(ts);
	ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);
	close(p[1]);
}
END_TEST

static Suite *
targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *tc;

	tc = tcase(s, "target_parse");
	tcase_add_test(tc, test_targets_parse_host);
	tcase_add_test(tc, test_targets_parse_host_port);
	tcase_add_test(tc, test_targets_parse_ipv4);
	tcase_add_test(tc, test_targets_parse_ipv6_brackets);
	tcase_add_test(tc, test_targets_parse_ipv6_brackets_port);
	tcase_add_test(tc, test_targets_parse_ipv6_bare);
	tcase_add_test(tc, test_targets_parse_http_url);
	tcase_add_test(tc, test_targets_parse_scheme_case);
	tcase_add_test(tc, test_targets_parse_query_fragment);
	tcase_add_test(tc, test_targets_parse_query_without_path);
	tcase_add_test(tc, test_targets_parse_path_percent_encoded);
	tcase_add_test(tc, test_targets_parse_text_trimmed);
	tcase_add_test(tc, test_targets_parse_text_escaped);
	tcase_add_test(tc, test_targets_parse_empty);
	tcase_add_test(tc, test_targets_parse_bad_port);
	tcase_add_test(tc, test_targets_parse_scheme_rejected);
	tcase_add_test(tc, test_targets_parse_https);
	tcase_add_test(tc, test_targets_parse_name_length);
	tcase_add_test(tc, test_targets_parse_label_length);
	tcase_add_test(tc, test_targets_parse_bad_name);
	tcase_add_test(tc, test_targets_parse_idn);
	tcase_add_test(tc, test_targets_parse_bad_ipv6);
	tcase_add_test(tc, test_targets_parse_bad_ipv4);
	tcase_add_test(tc, test_targets_parse_bad_path);
	tcase_add_test(tc, test_targets_parse_control_in_host);
	tcase_add_test(tc, test_targets_parse_nul_byte);
	tcase_add_test(tc, test_targets_parse_too_long);
	tcase_add_test(tc, test_targets_parse_longest);

	tc = tcase(s, "targets_from_args");
	tcase_add_test(tc, test_targets_from_args_in_order);
	tcase_add_test(tc, test_targets_from_args_invalid_kept);
	tcase_add_test(tc, test_targets_from_args_none);

	tc = tcase(s, "targets_from_stream");
	tcase_add_test(tc, test_targets_from_stream_skips_blank_and_comments);
	tcase_add_test(tc, test_targets_from_stream_crlf);
	tcase_add_test(tc, test_targets_from_stream_last_line_unterminated);
	tcase_add_test(tc, test_targets_from_stream_empty);
	tcase_add_test(tc, test_targets_from_stream_huge_line);
	tcase_add_test(tc, test_targets_from_stream_line_limit);
	tcase_add_test(tc, test_targets_from_stream_nul_in_line);
	tcase_add_test(tc, test_targets_from_fd_pipe_waits);
	tcase_add_test(tc, test_targets_from_fd_huge_comment);
	tcase_add_test(tc, test_targets_shard);
	tcase_add_test(tc, test_targets_ranges);
	tcase_add_test(tc, test_targets_ports);
	tcase_add_test(tc, test_targets_bom);
	tcase_add_test(tc, test_targets_bom_split);
	tcase_add_test(tc, test_targets_count);
	tcase_add_test(tc, test_targets_from_stream_long_line_leading_blanks);

	tc = tcase(s, "targets_error");
	tcase_add_test(tc, test_targets_error_zero_at_eof);
	tcase_add_test(tc, test_targets_error_on_read_error);

	tc = tcase(s, "targets_free");
	tcase_add_test(tc, test_targets_free_closes_stream);
	tcase_add_test(tc, test_targets_free_keeps_stdin);
	return s;
}

int
main(void)
{
	return check_run(targets_suite());
}
