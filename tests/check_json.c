/* check_json.c: unit tests for json.c, the JSON Lines writer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "util.h"
#include "check_common.h"

/* json_string of s must be exactly want. */
static void
check_string(const char *s, size_t n, const char *want)
{
	struct buf b = {0};

	json_string(&b, s, n);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_mem_eq(b.data, want, b.len);
	buf_free(&b);
}

START_TEST(test_json_string_plain)
{
	check_string("abc", 3, "\"abc\"");
	check_string("", 0, "\"\"");
	check_string("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
}
END_TEST

START_TEST(test_json_string_escapes)
{
	check_string("a\"b", 3, "\"a\\\"b\"");
	check_string("a\\b", 3, "\"a\\\\b\"");
	check_string("a\tb", 3, "\"a\\tb\"");
}
END_TEST

/* What the text output escaped reads the same in JSON, via jq's eyes. */
START_TEST(test_json_string_from_escaped)
{
	char esc[64];
	size_t n = output_escape(esc, "\x1b[2J\\", 5);

	check_string(esc, n, "\"\\\\x1b[2J\\\\\\\\\"");
}
END_TEST

/* json_target of t must be exactly want. */
static void
check_target(const struct json_target *t, const char *want)
{
	struct buf b = {0};

	json_target(&b, t);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data, want);
	buf_free(&b);
}

START_TEST(test_json_target_response)
{
	static const char lines[] = "HTTP/1.1 100 Continue\r\n\r\n"
	                            "HTTP/1.1 200 OK\r\n"
	                            "Server: x\r\n"
	                            "X-F: a\r\n"
	                            "  b\n"
	                            "Set-Cookie: 1\r\n"
	                            "Set-Cookie: 2\r\n"
	                            "no colon\r\n\r\n";
	struct json_target t = {.target = "h:81",
	    .url = "http://h:81/",
	    .ip = "127.0.0.1",
	    .port = 81,
	    .time_ms = 5,
	    .head = lines,
	    .len = sizeof(lines) - 1};

	check_target(&t,
	    "{\"target\":\"h:81\",\"url\":\"http://h:81/"
	    "\",\"ip\":\"127.0.0.1\","
	    "\"port\":81,\"interim\":[{\"status\":100,\"version\":\"HTTP/1.1\","
	    "\"reason\":\"Continue\",\"headers\":[]}],\"status\":200,"
	    "\"version\":\"HTTP/1.1\",\"reason\":\"OK\",\"headers\":[["
	    "\"Server\",\"x\"],[\"X-F\",\"a b\"],[\"Set-Cookie\",\"1\"],["
	    "\"Set-Cookie\",\"2\"],[\"\",\"no colon\"]],\"time_ms\":5}\n");
}
END_TEST

START_TEST(test_json_target_two_interim)
{
	static const char lines[] = "HTTP/1.1 100 A\n\n"
	                            "HTTP/1.1 103 B\n"
	                            "Link: <x>\n\r\n"
	                            "HTTP/1.0 204 \r\n\r\n";
	struct json_target t = {.target = "t",
	    .url = "u",
	    .head = lines,
	    .len = sizeof(lines) - 1};

	check_target(&t,
	    "{\"target\":\"t\",\"url\":\"u\",\"interim\":[{\"status\":100,"
	    "\"version\":\"HTTP/1.1\",\"reason\":\"A\",\"headers\":[]},{"
	    "\"status\":103,\"version\":\"HTTP/1.1\",\"reason\":\"B\","
	    "\"headers\":[[\"Link\",\"<x>\"]]}],\"status\":204,\"version\":"
	    "\"HTTP/1.0\",\"reason\":\"\",\"headers\":[],\"time_ms\":0}\n");
}
END_TEST

START_TEST(test_json_target_raw_bytes)
{
	static const char lines[] = "HTTP/1.1 200 \x1b\r\n"
	                            "X-A: \"q\" \\ \t\x00\xff\r\n\r\n";
	struct json_target t = {.target = "t",
	    .url = "u",
	    .head = lines,
	    .len = sizeof(lines) - 1};

	/* Raw bytes in, the text output's form JSON-escaped out. */
	check_target(&t,
	    "{\"target\":\"t\",\"url\":\"u\",\"status\":200,\"version\":"
	    "\"HTTP/1.1\",\"reason\":\"\\\\x1b\",\"headers\":[[\"X-A\","
	    "\"\\\"q\\\" \\\\\\\\ \\t\\\\x00\\\\xff\"]],\"time_ms\":0}\n");
}
END_TEST

START_TEST(test_json_target_error)
{
	struct json_target t = {.target = "bad host",
	    .error = "invalid target: invalid character in target",
	    .error_class = "invalid_target"};

	check_target(&t,
	    "{\"target\":\"bad host\",\"url\":null,\"time_ms\":0,\"error\":"
	    "\"invalid target: invalid character in target\","
	    "\"error_class\":\"invalid_target\"}\n");
	t.phase = "connect";
	t.url = "http://x/";
	t.error = "connection refused";
	t.error_class = "refused";
	check_target(&t,
	    "{\"target\":\"bad host\",\"url\":\"http://x/\",\"time_ms\":0,"
	    "\"error\":\"connection refused\",\"error_class\":\"refused\","
	    "\"phase\":\"connect\"}\n");
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase(s, "json_string");
	tcase_add_test(tc, test_json_string_plain);
	tcase_add_test(tc, test_json_string_escapes);
	tcase_add_test(tc, test_json_string_from_escaped);
	tc = tcase(s, "json_target");
	tcase_add_test(tc, test_json_target_response);
	tcase_add_test(tc, test_json_target_two_interim);
	tcase_add_test(tc, test_json_target_raw_bytes);
	tcase_add_test(tc, test_json_target_error);
	return s;
}

int
main(void)
{
	return check_run(json_suite());
}
