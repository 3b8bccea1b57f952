/* check_json.c: unit tests for json.c, the JSON Lines writer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "redirect.h"
#include "util.h"
#include "check_common.h"

/* json_text of s must be exactly want, and say lossy or not. */
static void
check_text(const char *s, size_t n, const char *want, int lossy)
{
	struct buf b = {0};

	ck_assert_int_eq(json_text(&b, s, n), lossy);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_mem_eq(b.data, want, b.len);
	buf_free(&b);
}

START_TEST(test_json_text_plain)
{
	check_text("abc", 3, "\"abc\"", 0);
	check_text("", 0, "\"\"", 0);
	check_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", 0);
	/* Not \xHH text: a backslash is one backslash, escaped once. */
	check_text("\\x41", 4, "\"\\\\x41\"", 0);
}
END_TEST

START_TEST(test_json_text_short_escapes)
{
	check_text("a\"b", 3, "\"a\\\"b\"", 0);
	check_text("a\\b", 3, "\"a\\\\b\"", 0);
	check_text("\t\n\r\b\f", 5, "\"\\t\\n\\r\\b\\f\"", 0);
}
END_TEST

/* Every C0 control, and DEL, as \u00XX unless it has a short form. */
START_TEST(test_json_text_every_control)
{
	static const char shortform[] = "btnvfr";
	char in[1], want[16];
	int c;

	for (c = 0; c < 0x20; c++) {
		in[0] = (char)c;
		if (c >= 8 && c <= 13 && c != 11)
			snprintf(want, sizeof(want), "\"\\%c\"",
			    shortform[c - 8]);
		else
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		check_text(in, 1, want, 0);
	}
	check_text("\x7f", 1, "\"\\u007f\"", 0);
}
END_TEST

/* Valid, but acting on a terminal (C1: 0x9b is CSI) or ending a line in
 * JavaScript: escaped, still exact. */
START_TEST(test_json_text_c1_and_separators)
{
	check_text("\xc2\x80", 2, "\"\\u0080\"", 0);
	check_text("\xc2\x9b[2J", 5, "\"\\u009b[2J\"", 0);
	check_text("\xc2\x9f\xc2\xa0", 4, "\"\\u009f\xc2\xa0\"", 0);
	check_text("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"", 0);
}
END_TEST

START_TEST(test_json_text_invalid_utf8)
{
	check_text("\xff", 1, "\"\\ufffd\"", 1);
	check_text("a\x80z", 3, "\"a\\ufffdz\"", 1);
	check_text("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", 1); /* overlong */
	check_text("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"",
	    1); /* D800 */
	check_text("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	    1);                                             /* above U+10FFFF */
	check_text("\xe2\x82", 2, "\"\\ufffd\\ufffd\"", 1); /* cut short */
	check_text("\x00", 1, "\"\\u0000\"", 0);
}
END_TEST

START_TEST(test_json_base64)
{
	struct buf b = {0};
	static char big[3 * 4096 + 2];

	json_base64(&b, "", 0);
	json_base64(&b, "f", 1);
	json_base64(&b, "fo", 2);
	json_base64(&b, "foo", 3);
	json_base64(&b, "\xff\x00\x80", 3);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data, "\"\"\"Zg==\"\"Zm8=\"\"Zm9v\"\"/wCA\"");
	/* Past one chunk: the chunks join into one encoding. */
	b.len = 0;
	memset(big, 'a', sizeof(big));
	json_base64(&b, big, sizeof(big));
	ck_assert_uint_eq(b.len, 2 + 4 * ((sizeof(big) + 2) / 3));
	ck_assert_mem_eq(b.data + b.len - 5, "YWE=\"", 5);
	ck_assert_ptr_null(memchr(b.data + 1, '=', b.len - 6));
	buf_free(&b);
}
END_TEST

START_TEST(test_json_member)
{
	struct buf b = {0};

	buf_append(&b, "{", 1);
	json_member(&b, "a", "x", 1);
	json_member(&b, "b", "\xffy", 2);
	buf_append(&b, "}", 2);
	ck_assert_str_eq(b.data,
	    "{\"a\":\"x\",\"b\":\"\\ufffdy\",\"b_b64\":\"/3k=\"}");
	buf_free(&b);
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
	    .target_len = 4,
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
	    .target_len = 1,
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
	    .target_len = 1,
	    .url = "u",
	    .head = lines,
	    .len = sizeof(lines) - 1};

	/* Exact text where it can be, U+FFFD where not, and then the
	 * whole head's bytes. */
	check_target(&t,
	    "{\"target\":\"t\",\"url\":\"u\",\"status\":200,\"version\":"
	    "\"HTTP/1.1\",\"reason\":\"\\u001b\",\"headers\":[[\"X-A\","
	    "\"\\\"q\\\" \\\\ \\t\\u0000\\ufffd\"]],"
	    "\"head_b64\":\"SFRUUC8xLjEgMjAwIBsNClgtQTogInEiIFwgCQD/DQoNCg==\","
	    "\"time_ms\":0}\n");
}
END_TEST

/* -L: final_url, the hops, and why a final 3xx was not followed. */
START_TEST(test_json_target_redirects)
{
	static char h1[] = "HTTP/1.1 301 M\r\nLocation: /b\r\n\r\n";
	static char fin[] = "HTTP/1.1 302 F\r\nLocation: ftp://x/\r\n\r\n";
	struct hop hops[] = {
	    {"http://h/a", "127.0.0.1", h1, sizeof(h1) - 1, 0}};
	struct json_target t = {.target = "h/a",
	    .target_len = 3,
	    .url = "http://h/a",
	    .final_url = "http://h/b",
	    .hops = hops,
	    .nhops = 1,
	    .redirect_error = "Location is not an http or https URL",
	    .head = fin,
	    .len = sizeof(fin) - 1};

	check_target(&t,
	    "{\"target\":\"h/a\",\"url\":\"http://h/a\",\"final_url\":"
	    "\"http://h/b\",\"status\":302,\"version\":\"HTTP/1.1\","
	    "\"reason\":\"F\",\"headers\":[[\"Location\",\"ftp://x/\"]],"
	    "\"redirect_error\":\"Location is not an http or https URL\","
	    "\"redirects\":[{\"url\":\"http://h/a\",\"ip\":\"127.0.0.1\","
	    "\"status\":301,\"version\":\"HTTP/1.1\",\"reason\":\"M\","
	    "\"headers\":[[\"Location\",\"/b\"]]}],\"time_ms\":0}\n");
	/* A chain that ended in an error: the hops, no response. */
	t.head = NULL;
	t.len = 0;
	t.redirect_error = NULL;
	t.error = "too many redirects (0)";
	t.error_class = "redirect";
	check_target(&t,
	    "{\"target\":\"h/a\",\"url\":\"http://h/a\",\"final_url\":"
	    "\"http://h/b\",\"redirects\":[{\"url\":\"http://h/a\",\"ip\":"
	    "\"127.0.0.1\",\"status\":301,\"version\":\"HTTP/1.1\","
	    "\"reason\":\"M\",\"headers\":[[\"Location\",\"/b\"]]}],"
	    "\"time_ms\":0,\"error\":\"too many redirects (0)\","
	    "\"error_class\":\"redirect\"}\n");
}
END_TEST

START_TEST(test_json_target_error)
{
	struct json_target t = {.target = "bad host",
	    .target_len = 8,
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

START_TEST(test_json_target_timing)
{
	/* Microseconds out, milliseconds in: phases not reached left out. */
	const long long us[JSON_NTIMES] = {12, 1500, 0, -1, -1, 1234567};
	struct json_target t = {.target = "x",
	    .target_len = 1,
	    .url = "http://x/",
	    .time_ms = 1234,
	    .timing = us,
	    .error = "closed",
	    .error_class = "closed"};

	check_target(&t,
	    "{\"target\":\"x\",\"url\":\"http://x/\",\"time_ms\":1234,"
	    "\"timing\":{\"namelookup\":0.012,\"connect\":1.500,"
	    "\"appconnect\":0.000,\"total\":1234.567},"
	    "\"error\":\"closed\",\"error_class\":\"closed\"}\n");
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase(s, "json_text");
	tcase_add_test(tc, test_json_text_plain);
	tcase_add_test(tc, test_json_text_short_escapes);
	tcase_add_test(tc, test_json_text_every_control);
	tcase_add_test(tc, test_json_text_c1_and_separators);
	tcase_add_test(tc, test_json_text_invalid_utf8);
	tc = tcase(s, "json_base64");
	tcase_add_test(tc, test_json_base64);
	tcase_add_test(tc, test_json_member);
	tc = tcase(s, "json_target");
	tcase_add_test(tc, test_json_target_response);
	tcase_add_test(tc, test_json_target_two_interim);
	tcase_add_test(tc, test_json_target_raw_bytes);
	tcase_add_test(tc, test_json_target_error);
	tcase_add_test(tc, test_json_target_timing);
	tcase_add_test(tc, test_json_target_redirects);
	return s;
}

int
main(void)
{
	return check_run(json_suite());
}
