/*
 * check_http.c: -H checking, the exact bytes of every request form, the
 * status line and the header line parsers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "awget.h"
#include "http.h"
#include "targets.h"
#include "util.h"
#include "check_common.h"

#define UA "awget/X"
/* The default header lines after Host, with and without the blank line. */
#define DEFAULTS_NO_END                                                        \
	"User-Agent: " UA "\r\n"                                               \
	"Accept: */*\r\n"                                                      \
	"Connection: close\r\n"
#define DEFAULTS DEFAULTS_NO_END "\r\n"

static void
check_header_ok(const char *h)
{
	const char *err = http_check_header(h);

	ck_assert_msg(err == NULL, "\"%s\": %s", h, err);
}

static void
check_header_err(const char *h, const char *want)
{
	const char *err = http_check_header(h);

	ck_assert_msg(err != NULL, "\"%s\" accepted", h);
	ck_assert_str_eq(err, want);
}

START_TEST(test_http_check_header_valid)
{
	check_header_ok("X-Test: value");
	check_header_ok("Accept: text/html, */*;q=0.1");
	check_header_ok("X:v");
	check_header_ok("x-a!#$%&'*+-.^_`|~0: 1");
	check_header_ok("Cookie: a=1; b=2");
	check_header_ok("X-Utf8: caf\xc3\xa9");
}
END_TEST

START_TEST(test_http_check_header_removal)
{
	check_header_ok("Name:");
	check_header_ok("Accept:");
	check_header_ok("Host:");
}
END_TEST

START_TEST(test_http_check_header_empty_value)
{
	check_header_ok("Name;");
	check_header_err("Name; x", "\"Name;\" takes no value");
	check_header_err("Name;x", "\"Name;\" takes no value");
	check_header_err("Name; ", "\"Name;\" takes no value");
}
END_TEST

START_TEST(test_http_check_header_no_colon)
{
	check_header_err("NameValue", "header must be \"Name: value\"");
	check_header_err("Name value: x", "header must be \"Name: value\"");
	check_header_err("Name(x): y", "header must be \"Name: value\"");
	check_header_err("Name\r\n: y", "header must be \"Name: value\"");
}
END_TEST

START_TEST(test_http_check_header_empty_name)
{
	check_header_err("", "header name is empty or not a token");
	check_header_err(": value", "header name is empty or not a token");
	check_header_err(";", "header name is empty or not a token");
	check_header_err(" X: y", "header name is empty or not a token");
	check_header_err("\xc3\xa9: y", "header name is empty or not a token");
}
END_TEST

START_TEST(test_http_check_header_control_in_value)
{
	static const char want[] = "control character in header value";

	check_header_err("X: a\rb", want);
	check_header_err("X: a\nb", want);
	check_header_err("X: a\r\nInjected: 1", want);
	check_header_err("X: \x01", want);
	check_header_err("X: \x1b[2J", want);
	check_header_err("X: a\x7f", want);
}
END_TEST

START_TEST(test_http_check_header_tab_allowed)
{
	check_header_ok("X:\tvalue");
	check_header_ok("X: a\tb\t");
}
END_TEST

/* The request r sends for target s, exactly. */
static void
check_request(const struct http_request *r, const char *s, const char *want)
{
	struct target *t = target_parse(s, strlen(s));
	struct buf b = {0};

	ck_assert_msg(t->error == NULL, "\"%s\": %s", s, t->error);
	http_request_build(r, t, NULL, 0, NULL, &b);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data, want);
	ck_assert_uint_eq(b.len, strlen(want) + 1);
	buf_free(&b);
	target_free(t);
}

/* A GET/1.1 request with the given -H arguments, NULL-terminated. */
static struct http_request *
request_with(char *h0, char *h1, char *h2)
{
	char *h[3] = {h0, h1, h2};
	size_t n = 0;

	while (n < 3 && h[n] != NULL)
		n++;
	return http_request_new("GET", 0, UA, h, n);
}

START_TEST(test_http_request_new_default_get)
{
	struct http_request *r = http_request_new("GET", 0, UA, NULL, 0);

	ck_assert_str_eq(r->method, "GET");
	ck_assert_str_eq(r->version, "HTTP/1.1");
	ck_assert_ptr_null(r->host);
	ck_assert_int_eq(r->no_host, 0);
	ck_assert_uint_eq(r->fields_len, strlen(DEFAULTS));
	ck_assert_mem_eq(r->fields, DEFAULTS, r->fields_len);
	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	check_request(r, "h:80",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_http10)
{
	struct http_request *r = http_request_new("GET", 1, UA, NULL, 0);

	ck_assert_str_eq(r->version, "HTTP/1.0");
	check_request(r, "h",
	    "GET / HTTP/1.0\r\n"
	    "Host: h\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_head)
{
	struct http_request *r = http_request_new("HEAD", 0, UA, NULL, 0);

	check_request(r, "h",
	    "HEAD / HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	http_request_free(r);
	r = http_request_new("PROPFIND", 1, UA, NULL, 0);
	check_request(r, "h/d/",
	    "PROPFIND /d/ HTTP/1.0\r\n"
	    "Host: h\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_user_agent)
{
	struct http_request *r =
	    http_request_new("GET", 0, "Mozilla/5.0 (X)", NULL, 0);

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "User-Agent: Mozilla/5.0 (X)\r\n"
	    "Accept: */*\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_replace_default)
{
	/* Matched without case; keeps its place, in the user's spelling. */
	struct http_request *r = request_with("user-agent: mine", NULL, NULL);

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "user-agent: mine\r\n"
	    "Accept: */*\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	http_request_free(r);
	r = request_with("CONNECTION:keep-alive", "Accept:   text/html", NULL);
	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "User-Agent: " UA "\r\n"
	    "Accept: text/html\r\n"
	    "CONNECTION: keep-alive\r\n"
	    "\r\n");
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_add_in_order)
{
	struct http_request *r = request_with("X-B: 2", "X-A: 1", "X-C: a b");

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS_NO_END "X-B: 2\r\n"
	    "X-A: 1\r\n"
	    "X-C: a b\r\n"
	    "\r\n");
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_replace_added)
{
	/* A later -H for the same name replaces the earlier one in place. */
	struct http_request *r = request_with("X-A: 1", "X-B: 2", "x-a: 3");

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS_NO_END "x-a: 3\r\n"
	    "X-B: 2\r\n"
	    "\r\n");
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_remove_default)
{
	struct http_request *r = request_with("Accept:", NULL, NULL);

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "User-Agent: " UA "\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	http_request_free(r);
	r = request_with("accept:", "User-Agent:  ", "connection:");
	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "\r\n");
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_remove_then_add)
{
	struct http_request *r = request_with("Accept:", "Accept: a/b", NULL);

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "User-Agent: " UA "\r\n"
	    "Accept: a/b\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_replace_host)
{
	struct http_request *r = request_with("Host: other", NULL, NULL);

	ck_assert_str_eq(r->host, "other");
	ck_assert_int_eq(r->no_host, 0);
	check_request(r, "h:8080",
	    "GET / HTTP/1.1\r\n"
	    "Host: other\r\n" DEFAULTS);
	check_request(r, "[::1]",
	    "GET / HTTP/1.1\r\n"
	    "Host: other\r\n" DEFAULTS);
	http_request_free(r);
	r = request_with("host:other:81", NULL, NULL);
	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: other:81\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

/*
 * Regress (http.c http_request_new): -H "Host:" sets no_host but also
 * r->host to "", and http_request_build tests r->host first, so the
 * request carries "Host: \r\n" instead of no Host line.
 */
START_TEST(test_http_request_new_remove_host)
{
	struct http_request *r = request_with("Host:", NULL, NULL);

	ck_assert_int_eq(r->no_host, 1);
	check_request(r, "h", "GET / HTTP/1.1\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_new_empty_header)
{
	struct http_request *r = request_with("X-Empty;", "Accept;", NULL);

	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n"
	    "User-Agent: " UA "\r\n"
	    "Accept: \r\n"
	    "Connection: close\r\n"
	    "X-Empty: \r\n"
	    "\r\n");
	http_request_free(r);
	r = request_with("Host;", NULL, NULL);
	check_request(r, "h",
	    "GET / HTTP/1.1\r\n"
	    "Host: \r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_free_null)
{
	http_request_free(NULL);
}
END_TEST

START_TEST(test_http_request_build_port)
{
	struct http_request *r = http_request_new("GET", 0, UA, NULL, 0);

	check_request(r, "h:8080",
	    "GET / HTTP/1.1\r\n"
	    "Host: h:8080\r\n" DEFAULTS);
	check_request(r, "h:1",
	    "GET / HTTP/1.1\r\n"
	    "Host: h:1\r\n" DEFAULTS);
	check_request(r, "h:65535",
	    "GET / HTTP/1.1\r\n"
	    "Host: h:65535\r\n" DEFAULTS);
	check_request(r, "192.0.2.1:81",
	    "GET / HTTP/1.1\r\n"
	    "Host: 192.0.2.1:81\r\n" DEFAULTS);
	/* The scheme's default port is left out: 443 for https, not 80. */
	check_request(r, "https://h",
	    "GET / HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	check_request(r, "https://h:80",
	    "GET / HTTP/1.1\r\n"
	    "Host: h:80\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_build_ipv6)
{
	struct http_request *r = http_request_new("GET", 0, UA, NULL, 0);

	check_request(r, "[::1]:8080",
	    "GET / HTTP/1.1\r\n"
	    "Host: [::1]:8080\r\n" DEFAULTS);
	check_request(r, "[2001:db8::1]",
	    "GET / HTTP/1.1\r\n"
	    "Host: [2001:db8::1]\r\n" DEFAULTS);
	check_request(r, "::1",
	    "GET / HTTP/1.1\r\n"
	    "Host: [::1]\r\n" DEFAULTS);
	check_request(r, "http://[::1]:81/x",
	    "GET /x HTTP/1.1\r\n"
	    "Host: [::1]:81\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_build_path)
{
	struct http_request *r = http_request_new("GET", 0, UA, NULL, 0);

	check_request(r, "http://h/a/b?q=1#frag",
	    "GET /a/b?q=1 HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	check_request(r, "h?x=1",
	    "GET /?x=1 HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	check_request(r, "h/caf\xc3\xa9",
	    "GET /caf%C3%A9 HTTP/1.1\r\n"
	    "Host: h\r\n" DEFAULTS);
	http_request_free(r);
}
END_TEST

/* A redirect's hop: another method; to another origin, no -H Host,
 * Authorization or Cookie (case-insensitive), the rest kept. */
START_TEST(test_http_request_build_hop)
{
	char *h[] = {"Host: x.test", "authorization: Basic eA==", "X-A: 1",
	    "COOKIE: c=1"};
	struct http_request *r = http_request_new("POST", 0, UA, h, 4);
	struct target *t = target_parse("g:81/p", 6);
	struct buf b = {0};

	http_request_build(r, t, "GET", 1, NULL, &b);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data,
	    "GET /p HTTP/1.1\r\nHost: g:81\r\nUser-Agent: " UA
	    "\r\nAccept: */*\r\nConnection: close\r\nX-A: 1\r\n\r\n");
	b.len = 0;
	http_request_build(r, t, NULL, 0, NULL, &b);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data,
	    "POST /p HTTP/1.1\r\nHost: x.test\r\nUser-Agent: " UA
	    "\r\nAccept: */*\r\nConnection: close\r\n"
	    "authorization: Basic eA==\r\nX-A: 1\r\nCOOKIE: c=1\r\n\r\n");
	buf_free(&b);
	target_free(t);
	http_request_free(r);
}
END_TEST

START_TEST(test_http_request_build_appends)
{
	struct http_request *r = http_request_new("GET", 0, UA, NULL, 0);
	struct target *t = target_parse("h", 1);
	struct buf b = {0};
	static const char one[] = "GET / HTTP/1.1\r\nHost: h\r\n" DEFAULTS;

	buf_append(&b, "XYZ", 3);
	http_request_build(r, t, NULL, 0, NULL, &b);
	http_request_build(r, t, NULL, 0, NULL, &b);
	ck_assert_uint_eq(b.len, 3 + 2 * (sizeof(one) - 1));
	ck_assert_mem_eq(b.data, "XYZ", 3);
	ck_assert_mem_eq(b.data + 3, one, sizeof(one) - 1);
	ck_assert_mem_eq(b.data + 3 + sizeof(one) - 1, one, sizeof(one) - 1);
	buf_free(&b);
	target_free(t);
	http_request_free(r);
}
END_TEST

/* Parse s as a status line that must be accepted. */
static void
check_status_ok(const char *s, int major, int minor, int code,
    const char *reason)
{
	struct http_status st;

	memset(&st, 0, sizeof(st));
	ck_assert_msg(http_parse_status(s, strlen(s), &st) == 0,
	    "\"%s\" rejected", s);
	ck_assert_int_eq(st.major, major);
	ck_assert_int_eq(st.minor, minor);
	ck_assert_int_eq(st.code, code);
	ck_assert_ptr_nonnull(st.reason);
	ck_assert_uint_eq(st.reason_len, strlen(reason));
	ck_assert_mem_eq(st.reason, reason, st.reason_len);
	ck_assert_msg(st.reason >= s && st.reason <= s + strlen(s),
	    "reason does not point into the line");
}

static void
check_status_err(const char *s, size_t n)
{
	struct http_status st;

	ck_assert_msg(http_parse_status(s, n, &st) == -1, "\"%.*s\" accepted",
	    (int)n, s);
}

START_TEST(test_http_parse_status_valid)
{
	check_status_ok("HTTP/1.1 200 OK", 1, 1, 200, "OK");
	check_status_ok("HTTP/1.0 404 Not Found", 1, 0, 404, "Not Found");
	check_status_ok("HTTP/2.0 301 Moved", 2, 0, 301, "Moved");
	check_status_ok("HTTP/1.1 100 Continue", 1, 1, 100, "Continue");
}
END_TEST

START_TEST(test_http_parse_status_no_reason)
{
	check_status_ok("HTTP/1.1 200", 1, 1, 200, "");
	check_status_ok("HTTP/1.1 204 ", 1, 1, 204, "");
}
END_TEST

START_TEST(test_http_parse_status_odd_code)
{
	check_status_ok("HTTP/1.1 999 Weird", 1, 1, 999, "Weird");
	check_status_ok("HTTP/1.1 100", 1, 1, 100, "");
}
END_TEST

START_TEST(test_http_parse_status_reason_spaces)
{
	check_status_ok("HTTP/1.1 500 Internal Server Error", 1, 1, 500,
	    "Internal Server Error");
	check_status_ok("HTTP/1.1 200  two  spaces ", 1, 1, 200,
	    " two  spaces ");
	check_status_ok("HTTP/1.1 200 tab\tin reason", 1, 1, 200,
	    "tab\tin reason");
}
END_TEST

START_TEST(test_http_parse_status_length_bound)
{
	/* Only n bytes are the line: the rest must not be read. */
	struct http_status st;

	ck_assert_int_eq(http_parse_status("HTTP/1.1 200 OK", 12, &st), 0);
	ck_assert_int_eq(st.code, 200);
	ck_assert_uint_eq(st.reason_len, 0);
	check_status_err("HTTP/1.1 200 OK", 11);
}
END_TEST

START_TEST(test_http_parse_status_rejected)
{
	static const char *const bad[] = {"HTTP/1.1 20", "HTTP/1.1 2000",
	    "HTTP/1.1 099 x", "HTTP/1.1 000", "HTTP/11 200 OK",
	    "HTTP/1.1  200 OK", "SSH-2.0-OpenSSH_9.2", "", "http/1.1 200 OK",
	    "HTTP/1.1 200\tOK", "HTTP/1.1 20x OK", "HTTP/1.1 -200 OK",
	    "HTTP/a.1 200 OK", "HTTP/1.x 200 OK", "HTTP/1,1 200 OK",
	    "HTTP/1.1\t200 OK", " HTTP/1.1 200 OK", "HTTP/1.1 200OK",
	    "ICY 200 OK"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_status_err(bad[i], strlen(bad[i]));
}
END_TEST

/* s must split into name and value. */
static void
check_split_ok(const char *s, const char *name, const char *value)
{
	size_t name_len = 99, off = 99, len = 99;

	ck_assert_msg(http_split_header(s, strlen(s), &name_len, &off, &len) ==
	        0,
	    "\"%s\" rejected", s);
	ck_assert_uint_eq(name_len, strlen(name));
	ck_assert_mem_eq(s, name, name_len);
	ck_assert_uint_eq(len, strlen(value));
	ck_assert_uint_le(off + len, strlen(s));
	ck_assert_mem_eq(s + off, value, len);
}

static void
check_split_err(const char *s)
{
	size_t name_len, off, len;

	ck_assert_msg(http_split_header(s, strlen(s), &name_len, &off, &len) ==
	        -1,
	    "\"%s\" accepted", s);
}

START_TEST(test_http_split_header_name_value)
{
	check_split_ok("Name: value", "Name", "value");
	check_split_ok("Content-Type: text/html; charset=utf-8", "Content-Type",
	    "text/html; charset=utf-8");
	check_split_ok("Location: http://h:81/x", "Location", "http://h:81/x");
}
END_TEST

START_TEST(test_http_split_header_no_space)
{
	check_split_ok("Name:value", "Name", "value");
}
END_TEST

START_TEST(test_http_split_header_trims_value)
{
	check_split_ok("Name:   spaced  ", "Name", "spaced");
	check_split_ok("Name:\t a b \t", "Name", "a b");
}
END_TEST

START_TEST(test_http_split_header_empty_value)
{
	size_t name_len, off, len;

	check_split_ok("Name:", "Name", "");
	check_split_ok("Name:   ", "Name", "");
	ck_assert_int_eq(http_split_header("Name:", 5, &name_len, &off, &len),
	    0);
	ck_assert_uint_eq(off, 5);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(test_http_split_header_rejected)
{
	check_split_err(" continued");
	check_split_err("\tcontinued: x");
	check_split_err("no colon here");
	check_split_err(":novalue");
	check_split_err("");
}
END_TEST

START_TEST(test_http_split_header_length_bound)
{
	size_t name_len, off, len;

	/* The colon lies past n: no header. */
	ck_assert_int_eq(http_split_header("Name: v", 4, &name_len, &off, &len),
	    -1);
	ck_assert_int_eq(http_split_header("Name: value", 8, &name_len, &off,
	                     &len),
	    0);
	ck_assert_uint_eq(name_len, 4);
	ck_assert_uint_eq(off, 6);
	ck_assert_uint_eq(len, 2);
}
END_TEST

/* Feed one line, as a C string. */
static enum http_line
feed(struct http_response *r, const char *line)
{
	return http_response_line(r, line, strlen(line));
}

START_TEST(test_http_response_line_final)
{
	struct http_response r = {0};

	ck_assert_int_eq(feed(&r, "HTTP/1.1 200 OK"), HTTP_LINE_STATUS);
	ck_assert_int_eq(r.code, 200);
	ck_assert_int_eq(feed(&r, "Server: x"), HTTP_LINE_HEADER);
	ck_assert_int_eq(feed(&r, " folded"), HTTP_LINE_HEADER);
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_END);
}
END_TEST

START_TEST(test_http_response_line_interim)
{
	struct http_response r = {0};

	ck_assert_int_eq(feed(&r, "HTTP/1.1 100 Continue"), HTTP_LINE_STATUS);
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_INTERIM);
	ck_assert_int_eq(feed(&r, "HTTP/1.1 103 Early Hints"),
	    HTTP_LINE_STATUS);
	ck_assert_int_eq(feed(&r, "Link: </a>"), HTTP_LINE_HEADER);
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_INTERIM);
	ck_assert_int_eq(r.interim, 2);
	ck_assert_int_eq(feed(&r, "HTTP/1.1 204 No Content"), HTTP_LINE_STATUS);
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_END);
}
END_TEST

START_TEST(test_http_response_line_101_is_final)
{
	struct http_response r = {0};

	ck_assert_int_eq(feed(&r, "HTTP/1.1 101 Switching Protocols"),
	    HTTP_LINE_STATUS);
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_END);
}
END_TEST

START_TEST(test_http_response_line_not_http)
{
	struct http_response r = {0};

	ck_assert_int_eq(feed(&r, "SSH-2.0-OpenSSH_9.2"), HTTP_LINE_NOT_HTTP);
	r = (struct http_response){0};
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_NOT_HTTP);
	/* After a 1xx block, the next line must be a status line again. */
	r = (struct http_response){0};
	feed(&r, "HTTP/1.1 100 Continue");
	feed(&r, "");
	ck_assert_int_eq(feed(&r, "Server: x"), HTTP_LINE_NOT_HTTP);
}
END_TEST

START_TEST(test_http_response_line_limits)
{
	struct http_response r = {0};
	char *big = malloc(AWGET_MAX_LINE + 1);
	int i;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', AWGET_MAX_LINE + 1);
	feed(&r, "HTTP/1.1 200 OK");
	ck_assert_int_eq(http_response_line(&r, big, AWGET_MAX_LINE),
	    HTTP_LINE_HEADER);
	ck_assert_int_eq(http_response_line(&r, big, AWGET_MAX_LINE + 1),
	    HTTP_LINE_TOO_LONG);
	/* AWGET_MAX_INTERIM 1xx blocks pass; one more does not. */
	r = (struct http_response){0};
	for (i = 0; i < AWGET_MAX_INTERIM; i++) {
		feed(&r, "HTTP/1.1 100 Continue");
		ck_assert_int_eq(feed(&r, ""), HTTP_LINE_INTERIM);
	}
	feed(&r, "HTTP/1.1 100 Continue");
	ck_assert_int_eq(feed(&r, ""), HTTP_LINE_TOO_MANY_INTERIM);
	free(big);
}
END_TEST

START_TEST(test_http_response_partial)
{
	struct http_response r = {0};

	ck_assert_int_eq(http_response_partial(&r, "HT", 2), HTTP_LINE_PARTIAL);
	ck_assert_int_eq(http_response_partial(&r, "HTTP/", 9),
	    HTTP_LINE_PARTIAL);
	ck_assert_int_eq(http_response_partial(&r, "SSH-2", 5),
	    HTTP_LINE_NOT_HTTP);
	ck_assert_int_eq(http_response_partial(&r, "\x16\x03", 2),
	    HTTP_LINE_NOT_HTTP);
	ck_assert_int_eq(http_response_partial(&r, "HTTP/", AWGET_MAX_LINE + 1),
	    HTTP_LINE_PARTIAL);
	ck_assert_int_eq(http_response_partial(&r, "HTTP/", AWGET_MAX_LINE + 2),
	    HTTP_LINE_TOO_LONG);
	/* Inside the headers, any start will do. */
	feed(&r, "HTTP/1.1 200 OK");
	ck_assert_int_eq(http_response_partial(&r, "X-A: ", 5),
	    HTTP_LINE_PARTIAL);
}
END_TEST

/* What http_response_next makes of bytes, added in pieces of step. */
struct read_result {
	enum http_line what[8];
	int n;
	struct http_response r;
};

static void
read_bytes(const char *text, size_t len, size_t step, struct read_result *rr)
{
	enum http_line what = HTTP_LINE_PARTIAL;
	size_t off = 0, n;

	memset(rr, 0, sizeof(*rr));
	do {
		n = len - off < step ? len - off : step;
		http_response_add(&rr->r, text + off, n);
		off += n;
		while (
		    (what = http_response_next(&rr->r)) == HTTP_LINE_STATUS ||
		    what == HTTP_LINE_INTERIM)
			if (rr->n < 7)
				rr->what[rr->n++] = what;
	} while (what == HTTP_LINE_PARTIAL && off < len);
	rr->what[rr->n++] = what;
}

static void
read_all(const char *text, struct read_result *rr)
{
	read_bytes(text, strlen(text), strlen(text) + 1, rr);
}

/* The head held is exactly want. */
static void
check_head(const struct read_result *rr, const char *want)
{
	ck_assert_uint_eq(rr->r.head.len, strlen(want));
	ck_assert_mem_eq(rr->r.head.data, want, strlen(want));
}

START_TEST(test_http_response_next_block)
{
	struct read_result rr;

	read_all("HTTP/1.1 200 OK\r\nA: b\nC: \x1b\r\n\r\nbody", &rr);
	ck_assert_int_eq(rr.n, 2);
	ck_assert_int_eq(rr.what[0], HTTP_LINE_STATUS);
	ck_assert_int_eq(rr.what[1], HTTP_LINE_END);
	/* Raw, line ends as they came; the body is not kept. */
	check_head(&rr, "HTTP/1.1 200 OK\r\nA: b\nC: \x1b\r\n\r\n");
	ck_assert_int_eq(rr.r.code, 200);
	http_response_free(&rr.r);
}
END_TEST

START_TEST(test_http_response_next_interim)
{
	static const char text[] =
	    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\n\r\n";
	struct read_result rr;

	read_all(text, &rr);
	ck_assert_int_eq(rr.n, 4);
	ck_assert_int_eq(rr.what[1], HTTP_LINE_INTERIM);
	ck_assert_int_eq(rr.what[2], HTTP_LINE_STATUS);
	ck_assert_int_eq(rr.what[3], HTTP_LINE_END);
	check_head(&rr, text);
	http_response_free(&rr.r);
}
END_TEST

START_TEST(test_http_response_next_byte_by_byte)
{
	static const char text[] = "HTTP/1.1 100 Continue\r\n\r\n"
	                           "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody";
	struct read_result rr;

	read_bytes(text, sizeof(text) - 1, 1, &rr);
	ck_assert_int_eq(rr.n, 4);
	ck_assert_int_eq(rr.what[3], HTTP_LINE_END);
	check_head(&rr,
	    "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n");
	http_response_free(&rr.r);
}
END_TEST

START_TEST(test_http_response_next_partial)
{
	struct read_result rr;

	/* A line still to end waits; so does the start of a status line. */
	read_all("HTTP/1.1 200 OK\r\nServer: ng", &rr);
	ck_assert_int_eq(rr.n, 2);
	ck_assert_int_eq(rr.what[1], HTTP_LINE_PARTIAL);
	http_response_free(&rr.r);
	read_all("HTT", &rr);
	ck_assert_int_eq(rr.what[0], HTTP_LINE_PARTIAL);
	http_response_free(&rr.r);
	read_all("", &rr);
	ck_assert_int_eq(rr.what[0], HTTP_LINE_PARTIAL);
	http_response_free(&rr.r);
}
END_TEST

START_TEST(test_http_response_next_refusals)
{
	struct read_result rr;
	char *text = xmalloc(AWGET_MAX_LINE + 64);

	read_all("SSH-2.0-OpenSSH", &rr);
	ck_assert_int_eq(rr.what[0], HTTP_LINE_NOT_HTTP);
	http_response_free(&rr.r);
	/* A header line over the limit, with no line end yet. */
	memcpy(text, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(text + 20, 'x', AWGET_MAX_LINE);
	text[20 + AWGET_MAX_LINE] = '\0';
	read_all(text, &rr);
	ck_assert_int_eq(rr.n, 2);
	ck_assert_int_eq(rr.what[1], HTTP_LINE_TOO_LONG);
	http_response_free(&rr.r);
	free(text);
}
END_TEST

/*
 * A head of exactly total bytes held (line ends too): the status line,
 * lines of 1000 bytes with CRLF, and the blank line.
 */
static char *
head_of(size_t total)
{
	char *p = xmalloc(total + 1), *q = p;
	size_t left = total - 17 - 2, n;

	memcpy(q, "HTTP/1.1 200 OK\r\n", 17);
	q += 17;
	while (left > 0) {
		n = left <= 1002 ? left : left - 1002 < 8 ? left - 8 : 1002;
		memset(q, 'x', n - 2);
		memcpy(q, "X:", 2);
		memcpy(q + n - 2, "\r\n", 2);
		q += n;
		left -= n;
	}
	memcpy(q, "\r\n", 3);
	return p;
}

START_TEST(test_http_response_next_total)
{
	struct read_result rr;
	char *text;

	/* The limit counts every byte held, line ends too. */
	text = head_of(AWGET_MAX_HEADER_BYTES);
	read_bytes(text, AWGET_MAX_HEADER_BYTES, 4096, &rr);
	ck_assert_int_eq(rr.what[rr.n - 1], HTTP_LINE_END);
	ck_assert_uint_eq(rr.r.head.len, AWGET_MAX_HEADER_BYTES);
	http_response_free(&rr.r);
	free(text);
	text = head_of(AWGET_MAX_HEADER_BYTES + 1);
	read_bytes(text, AWGET_MAX_HEADER_BYTES + 1, 4096, &rr);
	ck_assert_int_eq(rr.what[rr.n - 1], HTTP_LINE_TOO_LARGE);
	http_response_free(&rr.r);
	free(text);
	/* Over the limit inside a line: refused without waiting for its end. */
	text = head_of(AWGET_MAX_HEADER_BYTES + 500);
	ck_assert_ptr_null(
	    memchr(text + AWGET_MAX_HEADER_BYTES - 100, '\n', 101));
	read_bytes(text, AWGET_MAX_HEADER_BYTES + 1, 4096, &rr);
	ck_assert_int_eq(rr.what[rr.n - 1], HTTP_LINE_TOO_LARGE);
	http_response_free(&rr.r);
	free(text);
}
END_TEST

START_TEST(test_http_response_next_never_rescans)
{
	size_t len = 17 + AWGET_MAX_LINE + 2 + 2, i;
	char *text = xmalloc(len);
	struct read_result rr;

	/* A longest line trickled a byte at a time: each byte searched once. */
	memcpy(text, "HTTP/1.1 200 OK\r\n", 17);
	memset(text + 17, 'v', AWGET_MAX_LINE);
	memcpy(text + 17, "X-Long: ", 8);
	memcpy(text + 17 + AWGET_MAX_LINE, "\r\n\r\n", 4);
	read_bytes(text, len, 1, &rr);
	ck_assert_int_eq(rr.what[rr.n - 1], HTTP_LINE_END);
	ck_assert_uint_le(rr.r.scanned, len);
	http_response_free(&rr.r);
	for (i = 2; i < 100; i += 37) {
		read_bytes(text, len, i, &rr);
		ck_assert_uint_le(rr.r.scanned, len);
		http_response_free(&rr.r);
	}
	free(text);
}
END_TEST

START_TEST(test_http_response_add_after_end)
{
	struct read_result rr;

	read_all("HTTP/1.1 200 OK\r\n\r\n", &rr);
	http_response_add(&rr.r, "more", 4);
	ck_assert_uint_eq(rr.r.head.len, 19);
	ck_assert_int_eq(http_response_next(&rr.r), HTTP_LINE_PARTIAL);
	http_response_free(&rr.r);
}
END_TEST

START_TEST(test_http_head_line)
{
	static const char head[] = "A\r\nB\n\r\nC";
	size_t off = 0, len;
	const char *p;

	p = http_head_line(head, sizeof(head) - 1, &off, &len);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(p[0], 'A');
	p = http_head_line(head, sizeof(head) - 1, &off, &len);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(p[0], 'B');
	p = http_head_line(head, sizeof(head) - 1, &off, &len);
	ck_assert_uint_eq(len, 0);
	p = http_head_line(head, sizeof(head) - 1, &off, &len);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(p[0], 'C');
	ck_assert_ptr_null(http_head_line(head, sizeof(head) - 1, &off, &len));
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc;

	tc = tcase(s, "http_check_header");
	tcase_add_test(tc, test_http_check_header_valid);
	tcase_add_test(tc, test_http_check_header_removal);
	tcase_add_test(tc, test_http_check_header_empty_value);
	tcase_add_test(tc, test_http_check_header_no_colon);
	tcase_add_test(tc, test_http_check_header_empty_name);
	tcase_add_test(tc, test_http_check_header_control_in_value);
	tcase_add_test(tc, test_http_check_header_tab_allowed);

	tc = tcase(s, "http_request_new");
	tcase_add_test(tc, test_http_request_new_default_get);
	tcase_add_test(tc, test_http_request_new_http10);
	tcase_add_test(tc, test_http_request_new_head);
	tcase_add_test(tc, test_http_request_new_user_agent);
	tcase_add_test(tc, test_http_request_new_replace_default);
	tcase_add_test(tc, test_http_request_new_add_in_order);
	tcase_add_test(tc, test_http_request_new_replace_added);
	tcase_add_test(tc, test_http_request_new_remove_default);
	tcase_add_test(tc, test_http_request_new_remove_then_add);
	tcase_add_test(tc, test_http_request_new_replace_host);
	tcase_add_test(tc, test_http_request_new_remove_host);
	tcase_add_test(tc, test_http_request_new_empty_header);

	tc = tcase(s, "http_request_free");
	tcase_add_test(tc, test_http_request_free_null);

	tc = tcase(s, "http_request_build");
	tcase_add_test(tc, test_http_request_build_port);
	tcase_add_test(tc, test_http_request_build_ipv6);
	tcase_add_test(tc, test_http_request_build_path);
	tcase_add_test(tc, test_http_request_build_appends);
	tcase_add_test(tc, test_http_request_build_hop);

	tc = tcase(s, "http_parse_status");
	tcase_add_test(tc, test_http_parse_status_valid);
	tcase_add_test(tc, test_http_parse_status_no_reason);
	tcase_add_test(tc, test_http_parse_status_odd_code);
	tcase_add_test(tc, test_http_parse_status_reason_spaces);
	tcase_add_test(tc, test_http_parse_status_length_bound);
	tcase_add_test(tc, test_http_parse_status_rejected);

	tc = tcase(s, "http_split_header");
	tcase_add_test(tc, test_http_split_header_name_value);
	tcase_add_test(tc, test_http_split_header_no_space);
	tcase_add_test(tc, test_http_split_header_trims_value);
	tcase_add_test(tc, test_http_split_header_empty_value);
	tcase_add_test(tc, test_http_split_header_rejected);
	tcase_add_test(tc, test_http_split_header_length_bound);

	tc = tcase(s, "http_response_line");
	tcase_add_test(tc, test_http_response_line_final);
	tcase_add_test(tc, test_http_response_line_interim);
	tcase_add_test(tc, test_http_response_line_101_is_final);
	tcase_add_test(tc, test_http_response_line_not_http);
	tcase_add_test(tc, test_http_response_line_limits);

	tc = tcase(s, "http_response_partial");
	tcase_add_test(tc, test_http_response_partial);

	tc = tcase(s, "http_response_next");
	tcase_add_test(tc, test_http_response_next_block);
	tcase_add_test(tc, test_http_response_next_interim);
	tcase_add_test(tc, test_http_response_next_byte_by_byte);
	tcase_add_test(tc, test_http_response_next_partial);
	tcase_add_test(tc, test_http_response_next_refusals);
	tcase_add_test(tc, test_http_response_next_total);
	tcase_add_test(tc, test_http_response_next_never_rescans);

	tc = tcase(s, "http_response_add");
	tcase_add_test(tc, test_http_response_add_after_end);

	tc = tcase(s, "http_head_line");
	tcase_add_test(tc, test_http_head_line);
	return s;
}

int
main(void)
{
	return check_run(http_suite());
}
