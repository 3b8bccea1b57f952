/*
 * check_proxy.c: -x's URL and -U's credentials (proxy_parse), and the
 * NO_PROXY rules (proxy_skipped). Only parsing: no socket is opened.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "proxy.h"

static struct proxy p;

START_TEST(test_proxy_parse)
{
	ck_assert_ptr_null(proxy_parse("127.0.0.1", NULL, &p));
	ck_assert_int_eq(p.kind, PROXY_HTTP);
	ck_assert_str_eq(p.host, "127.0.0.1");
	ck_assert_int_eq(p.port, 1080);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_str_eq(p.shown, "http://127.0.0.1:1080");
	ck_assert_ptr_null(p.basic);
	proxy_free(&p);
	ck_assert_ptr_null(
	    proxy_parse("HTTP://u%3Ax:p%40ss@[::1]:3128/", NULL, &p));
	ck_assert_str_eq(p.host, "::1");
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.port, 3128);
	ck_assert_str_eq(p.user, "u:x");
	ck_assert_str_eq(p.pass, "p@ss");
	ck_assert_str_eq(p.shown, "http://[::1]:3128");
	ck_assert_str_eq(p.basic, "dTp4OnBAc3M="); /* base64("u:x:p@ss") */
	proxy_free(&p);
	/* SOCKS: the kind, the port 1080, credentials but no Basic. */
	ck_assert_ptr_null(proxy_parse("SOCKS5H://bob:pw@127.0.0.1", NULL, &p));
	ck_assert_int_eq(p.kind, PROXY_SOCKS5H);
	ck_assert_int_eq(p.port, 1080);
	ck_assert_str_eq(p.user, "bob");
	ck_assert_str_eq(p.pass, "pw");
	ck_assert_ptr_null(p.basic);
	ck_assert_str_eq(p.shown, "socks5h://127.0.0.1:1080");
	proxy_free(&p);
	ck_assert_ptr_null(proxy_parse("socks4a://[::1]:9050", NULL, &p));
	ck_assert_int_eq(p.kind, PROXY_SOCKS4A);
	ck_assert_str_eq(p.shown, "socks4a://[::1]:9050");
	proxy_free(&p);
	/* -U replaces the URL's, taken as written; a name stays a name. */
	ck_assert_ptr_null(
	    proxy_parse("a:b@proxy.test:8080", "alice:s%41", &p));
	ck_assert_str_eq(p.user, "alice");
	ck_assert_str_eq(p.pass, "s%41");
	ck_assert_int_eq(p.family, 0);
	proxy_free(&p);
	ck_assert_ptr_null(proxy_parse("socks5h://127.0.0.1:9050", NULL, &p));
	ck_assert_int_eq(p.kind, PROXY_SOCKS5H);
	ck_assert_str_eq(p.shown, "socks5h://127.0.0.1:9050");
	proxy_free(&p);
	ck_assert_ptr_null(proxy_parse("u@h", NULL, &p));
	ck_assert_str_eq(p.pass, "");
	proxy_free(&p);
}
END_TEST

START_TEST(test_proxy_parse_errors)
{
	static const struct {
		const char *url, *why;
	} bad[] = {
	    {"ftp://h",
	        "unknown proxy scheme (http, socks4, socks4a, socks5 "
	        "or socks5h)"},
	    {"h:0", "invalid proxy port"},
	    {"h:65536", "invalid proxy port"},
	    {"h:", "invalid proxy port"},
	    {"h:x", "invalid proxy port"},
	    {"http://", "the proxy has no host"},
	    {"u:p@", "the proxy has no host"},
	    {"[::1", "missing ']' after the proxy's IPv6 address"},
	    {"[::1]x", "junk after the proxy's ']'"},
	    {"h/x", "a proxy URL has no path"},
	    {"h x", "the proxy URL has a space or a control character"},
	    {"u:%zz@h", "proxy credentials are not percent-encoded text"},
	    {"u:%00@h", "proxy credentials are not percent-encoded text"},
	    {"u:%4@h", "proxy credentials are not percent-encoded text"},
	    {"socks5://:p@h", "a SOCKS5 user name cannot be empty"},
	    {"socks5h://"
	     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	     ":p@h",
	        "a SOCKS user name or password is longer than 255 bytes"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = proxy_parse(bad[i].url, NULL, &p);

		ck_assert_msg(why != NULL, "%s accepted", bad[i].url);
		ck_assert_str_eq(why, bad[i].why);
		/* No message holds the credentials. */
		ck_assert_ptr_null(strstr(why, "%zz"));
		proxy_free(&p);
	}
}
END_TEST

START_TEST(test_proxy_skipped)
{
	ck_assert(proxy_skipped("*", "anything.test"));
	ck_assert(proxy_skipped("example.com", "example.com"));
	ck_assert(proxy_skipped("example.com", "www.EXAMPLE.com"));
	ck_assert(proxy_skipped(".example.com", "www.example.com"));
	ck_assert(proxy_skipped(".example.com", "example.com"));
	ck_assert(proxy_skipped("example.com.", "www.example.com."));
	ck_assert(!proxy_skipped("example.com", "badexample.com"));
	ck_assert(!proxy_skipped("www.example.com", "example.com"));
	ck_assert(proxy_skipped("a.test, b.test ,c.test", "b.test"));
	ck_assert(!proxy_skipped("a.test,,", "b.test"));
	ck_assert(!proxy_skipped("", "b.test"));
	ck_assert(!proxy_skipped("*.test", "b.test")); /* "*" alone only */
	ck_assert(proxy_skipped("127.0.0.1", "127.0.0.1"));
	ck_assert(!proxy_skipped("127.0.0.1", "127.0.0.2"));
	ck_assert(proxy_skipped("127.0.0.0/8", "127.9.9.9"));
	ck_assert(proxy_skipped("127.0.0.0/31", "127.0.0.1"));
	ck_assert(!proxy_skipped("127.0.0.0/31", "127.0.0.2"));
	ck_assert(proxy_skipped("0.0.0.0/0", "127.0.0.2"));
	ck_assert(proxy_skipped("::1", "::1"));
	ck_assert(proxy_skipped("[::1]", "::1"));
	ck_assert(proxy_skipped("::/127", "::1"));
	ck_assert(!proxy_skipped("::1", "127.0.0.1"));
	ck_assert(!proxy_skipped("127.0.0.0/33", "127.0.0.1"));
	/* A name is not an address, and the other way round. */
	ck_assert(!proxy_skipped("127.0.0.1", "localhost"));
	ck_assert(!proxy_skipped("localhost", "127.0.0.1"));
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase(s, "proxy");

	tcase_add_test(tc, test_proxy_parse);
	tcase_add_test(tc, test_proxy_parse_errors);
	tcase_add_test(tc, test_proxy_skipped);
	return s;
}

int
main(void)
{
	return check_run(proxy_suite());
}
