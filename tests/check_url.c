/*
 * check_url.c: unit tests for url.c, resolving a redirect's Location, and
 * redirect.c, the other rules of -L.
 */
#include <check.h>
#include <string.h>

#include "redirect.h"
#include "targets.h"
#include "url.h"
#include "util.h"
#include "check_common.h"

/* The base of RFC 3986 section 5.4's examples. */
static const char rfc_base[] = "http://a/b/c/d;p?q";

static void
check_resolve(const char *base, const char *ref, const char *want)
{
	struct buf out = {0};
	const char *err = url_resolve(base, ref, strlen(ref), &out);

	ck_assert_msg(err == NULL, "%s: %s", ref, err);
	ck_assert_msg(strcmp(out.data, want) == 0, "%s: got %s, want %s", ref,
	    out.data, want);
	ck_assert_uint_eq(out.len, strlen(want));
	buf_free(&out);
}

static void
check_refused(const char *ref, const char *why)
{
	struct buf out = {0};
	const char *err = url_resolve(rfc_base, ref, strlen(ref), &out);

	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, why);
	buf_free(&out);
}

/* Section 5.4.1, but "g:h" (not http) and "" (refused below); "//g" gets
 * the path "/" every target has. */
START_TEST(test_url_rfc3986_normal)
{
	static const char *const cases[][2] = {
	    {"g", "http://a/b/c/g"},
	    {"./g", "http://a/b/c/g"},
	    {"g/", "http://a/b/c/g/"},
	    {"/g", "http://a/g"},
	    {"//g", "http://g/"},
	    {"?y", "http://a/b/c/d;p?y"},
	    {"g?y", "http://a/b/c/g?y"},
	    {"#s", "http://a/b/c/d;p?q"},
	    {"g#s", "http://a/b/c/g"},
	    {"g?y#s", "http://a/b/c/g?y"},
	    {";x", "http://a/b/c/;x"},
	    {"g;x", "http://a/b/c/g;x"},
	    {"g;x?y#s", "http://a/b/c/g;x?y"},
	    {".", "http://a/b/c/"},
	    {"./", "http://a/b/c/"},
	    {"..", "http://a/b/"},
	    {"../", "http://a/b/"},
	    {"../g", "http://a/b/g"},
	    {"../..", "http://a/"},
	    {"../../", "http://a/"},
	    {"../../g", "http://a/g"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_resolve(rfc_base, cases[i][0], cases[i][1]);
}
END_TEST

/* Section 5.4.2. */
START_TEST(test_url_rfc3986_abnormal)
{
	static const char *const cases[][2] = {
	    {"../../../g", "http://a/g"},
	    {"../../../../g", "http://a/g"},
	    {"/./g", "http://a/g"},
	    {"/../g", "http://a/g"},
	    {"g.", "http://a/b/c/g."},
	    {".g", "http://a/b/c/.g"},
	    {"g..", "http://a/b/c/g.."},
	    {"..g", "http://a/b/c/..g"},
	    {"./../g", "http://a/b/g"},
	    {"./g/.", "http://a/b/c/g/"},
	    {"g/./h", "http://a/b/c/g/h"},
	    {"g/../h", "http://a/b/c/h"},
	    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
	    {"g;x=1/../y", "http://a/b/c/y"},
	    {"g?y/./x", "http://a/b/c/g?y/./x"},
	    {"g?y/../x", "http://a/b/c/g?y/../x"},
	    {"g#s/./x", "http://a/b/c/g"},
	    {"g#s/../x", "http://a/b/c/g"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_resolve(rfc_base, cases[i][0], cases[i][1]);
}
END_TEST

START_TEST(test_url_absolute_and_schemes)
{
	check_resolve(rfc_base, "https://127.0.0.1:8443/x?y#z",
	    "https://127.0.0.1:8443/x?y");
	check_resolve(rfc_base, "HTTPS://h", "https://h/");
	check_resolve("https://h:1/a/b", "http://g/../c", "http://g/c");
	check_resolve("https://h:1/a/b", "//g:2/p", "https://g:2/p");
	check_resolve("http://[::1]:8080/a/b", "c", "http://[::1]:8080/a/c");
	check_resolve("http://h/", "/a b", "http://h/a%20b");
	check_resolve("http://h/", "  /p\t", "http://h/p");
	check_resolve("http://h", "p", "http://h/p");
}
END_TEST

START_TEST(test_url_refused)
{
	check_refused("ftp://h/", "Location is not an http or https URL");
	check_refused("mailto:a@b", "Location is not an http or https URL");
	check_refused("javascript:x", "Location is not an http or https URL");
	check_refused("", "empty Location");
	check_refused("  ", "empty Location");
	check_refused("/a\x01", "control character in Location");
	check_refused("/a\x7f", "control character in Location");
}
END_TEST

START_TEST(test_redirect_status)
{
	static const int yes[] = {301, 302, 303, 307, 308};
	static const int no[] = {200, 300, 304, 305, 306, 309, 399, 100};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert(redirect_status(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert(!redirect_status(no[i]));
}
END_TEST

/* The final block's first Location, whatever its case; not an interim
 * block's, nor a continuation's. */
START_TEST(test_redirect_location)
{
	static const char head[] =
	    "HTTP/1.1 103 Early\r\nLocation: /early\r\n\r\n"
	    "HTTP/1.1 302 Found\r\nX: y\r\n"
	    "location:   /one  \r\nLocation: /two\r\n\r\n";
	static const char none[] = "HTTP/1.1 301 M\r\nX-Location: /x\r\n\r\n";
	const char *p;
	size_t n = 0;

	p = redirect_location(head, sizeof(head) - 1, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(p, "/one", 4);
	ck_assert_ptr_null(redirect_location(none, sizeof(none) - 1, &n));
}
END_TEST

START_TEST(test_redirect_method)
{
	ck_assert_str_eq(redirect_method("POST", 303), "GET");
	ck_assert_str_eq(redirect_method("PUT", 303), "GET");
	ck_assert_str_eq(redirect_method("HEAD", 303), "HEAD");
	ck_assert_str_eq(redirect_method("POST", 301), "GET");
	ck_assert_str_eq(redirect_method("POST", 302), "GET");
	ck_assert_str_eq(redirect_method("PUT", 302), "PUT");
	ck_assert_str_eq(redirect_method("POST", 307), "POST");
	ck_assert_str_eq(redirect_method("POST", 308), "POST");
	ck_assert_str_eq(redirect_method("GET", 301), "GET");
}
END_TEST

/* Another origin: another scheme, host (any case) or port. */
START_TEST(test_redirect_foreign)
{
	static const char *const cases[][3] = {
	    {"http://h/a", "http://h/b", "0"},
	    {"http://h/a", "http://H:80/b", "0"},
	    {"http://h/a", "https://h/b", "1"},
	    {"http://h/a", "http://h:81/b", "1"},
	    {"http://h/a", "http://g/a", "1"},
	};
	struct target *a, *b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = target_parse(cases[i][0], strlen(cases[i][0]));
		b = target_parse(cases[i][1], strlen(cases[i][1]));
		ck_assert_int_eq(redirect_foreign(a, b), cases[i][2][0] - '0');
		target_free(a);
		target_free(b);
	}
}
END_TEST

static Suite *
url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc;

	tc = tcase(s, "url_resolve");
	tcase_add_test(tc, test_url_rfc3986_normal);
	tcase_add_test(tc, test_url_rfc3986_abnormal);
	tcase_add_test(tc, test_url_absolute_and_schemes);
	tcase_add_test(tc, test_url_refused);
	tc = tcase(s, "redirect");
	tcase_add_test(tc, test_redirect_status);
	tcase_add_test(tc, test_redirect_location);
	tcase_add_test(tc, test_redirect_method);
	tcase_add_test(tc, test_redirect_foreign);
	return s;
}

int
main(void)
{
	return check_run(url_suite());
}
