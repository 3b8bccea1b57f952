/*
 * check_expand.c: network ranges and -p's port lists at every boundary,
 * and the texts one line expands to. Only parsing: nothing here opens a
 * socket, and the addresses are loopback ones all the same.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "expand.h"
#include "util.h"

static int family;
static unsigned char addr[16];
static uint64_t first, last;
static const char *why;

static int
range(const char *s)
{
	why = NULL;
	return range_parse(s, strlen(s), &family, addr, &first, &last, &why);
}

static void
check_range(const char *s, uint64_t f, uint64_t l)
{
	ck_assert_msg(range(s) == 1, "%s: not a range (%s)", s,
	    why ? why : "-");
	ck_assert_msg(first == f && last == l, "%s: %llx-%llx", s,
	    (unsigned long long)first, (unsigned long long)last);
}

static void
check_bad_range(const char *s, const char *want)
{
	ck_assert_msg(range(s) == -1, "%s: accepted", s);
	ck_assert_str_eq(why, want);
}

#define LO(a, b, c, d)                                                         \
	((uint64_t)(a) << 24 | (uint64_t)(b) << 16 | (uint64_t)(c) << 8 | (d))

#define NOT_A_NUMBER                                                           \
	"prefix length is not a number (a path on an address takes a port: "   \
	"ADDR:80/path)"

START_TEST(test_range_cidr)
{
	check_range("127.0.0.0/30", LO(127, 0, 0, 0), LO(127, 0, 0, 3));
	ck_assert_int_eq(family, AF_INET);
	check_range("127.0.0.5/30", LO(127, 0, 0, 4), LO(127, 0, 0, 7));
	check_range("127.0.0.1/32", LO(127, 0, 0, 1), LO(127, 0, 0, 1));
	check_range("127.0.0.1/31", LO(127, 0, 0, 0), LO(127, 0, 0, 1));
	check_range("127.1.2.3/8", LO(127, 0, 0, 0), LO(127, 255, 255, 255));
	check_range("127.1.2.3/0", 0, 0xffffffffULL);
	check_range("127.0.0.1/1", 0, 0x7fffffffULL);
	check_range("127.0.0.0/12", LO(127, 0, 0, 0), LO(127, 15, 255, 255));
	check_bad_range("127.0.0.0/33", "prefix length above 32");
	check_bad_range("127.0.0.0/99999999999999999999",
	    "prefix length above 32");
	check_bad_range("127.0.0.0/", "empty prefix length");
	check_bad_range("127.0.0.0/x", NOT_A_NUMBER);
	check_bad_range("127.0.0.1/index.html", NOT_A_NUMBER);
	check_bad_range("127.0.0.0/2x", NOT_A_NUMBER);
	check_bad_range("127.0.0.0/-1", NOT_A_NUMBER);
}
END_TEST

START_TEST(test_range_dash)
{
	check_range("127.0.0.1-9", LO(127, 0, 0, 1), LO(127, 0, 0, 9));
	check_range("127.0.0.0-255", LO(127, 0, 0, 0), LO(127, 0, 0, 255));
	check_range("127.0.0.7-7", LO(127, 0, 0, 7), LO(127, 0, 0, 7));
	check_range("127.0.0.250-127.0.1.5", LO(127, 0, 0, 250),
	    LO(127, 0, 1, 5));
	check_bad_range("127.0.0.1-256", "last octet above 255");
	check_bad_range("127.0.0.9-1",
	    "the start of the range is above its end");
	check_bad_range("127.0.1.0-127.0.0.255",
	    "the start of the range is above its end");
	check_bad_range("127.0.0.1-",
	    "the end of the range is not an "
	    "address or an octet");
	check_bad_range("127.0.0.1-x",
	    "the end of the range is not an "
	    "address or an octet");
	check_bad_range("127.0.0.1-127.0.0",
	    "the end of the range is not an "
	    "address or an octet");
}
END_TEST

START_TEST(test_range_v6)
{
	check_range("[::1]/128", 1, 1);
	ck_assert_int_eq(family, AF_INET6);
	check_range("[::1]/127", 0, 1);
	check_range("[::1]/96", 0, 0xffffffffULL);
	check_range("[::127.0.0.9]/120", LO(127, 0, 0, 0), LO(127, 0, 0, 255));
	check_bad_range("[::1]/95", "an IPv6 range must be /96 or longer");
	check_bad_range("[::1]/0", "an IPv6 range must be /96 or longer");
	check_bad_range("[::1]/129", "prefix length above 128");
	check_bad_range("[::1]/", "empty prefix length");
	check_bad_range("[::1]/y", "prefix length is not a number");
	check_bad_range("[::1::]/128", "invalid IPv6 address in range");
	check_bad_range("[::1%lo]/128", "invalid IPv6 address in range");
	check_bad_range("::1/128",
	    "an IPv6 range is written in brackets: "
	    "[ADDR]/N");
	check_bad_range("::1/x",
	    "an IPv6 range is written in brackets: "
	    "[ADDR]/N");
}
END_TEST

START_TEST(test_range_not)
{
	static const char *const not [] = {"127.0.0.1", "127.0.0.1:80",
	    "127.0.0.1:80/24", "http://127.0.0.1/24", "localhost/24",
	    "my-host.test", "127.0.0/24", "[::1]", "[::1]:80/96", "", "/24",
	    "1x.0.0.1-2"};
	size_t i;

	for (i = 0; i < sizeof(not ) / sizeof(not [0]); i++)
		ck_assert_msg(range(not [i]) == 0, "%s: a range", not [i]);
}
END_TEST

START_TEST(test_ports_parse)
{
	struct ports p;

	ck_assert_ptr_null(ports_parse("http:80,https:443,8080,8000-8002", &p));
	ck_assert_uint_eq(p.n, 4);
	ck_assert_int_eq(p.item[0].tls, 0);
	ck_assert_int_eq(p.item[0].low, 80);
	ck_assert_int_eq(p.item[1].tls, 1);
	ck_assert_int_eq(p.item[1].high, 443);
	ck_assert_int_eq(p.item[2].tls, -1);
	ck_assert_int_eq(p.item[3].low, 8000);
	ck_assert_int_eq(p.item[3].high, 8002);
	ports_free(&p);
	ck_assert_ptr_null(ports_parse("1,65535,HTTPS:1-65535", &p));
	ck_assert_int_eq(p.item[1].low, 65535);
	ck_assert_int_eq(p.item[2].tls, 1);
	ports_free(&p);
	ck_assert_str_eq(ports_parse("0", &p), "port out of range (1-65535)");
	ck_assert_str_eq(ports_parse("65536", &p),
	    "port out of range (1-65535)");
	ck_assert_str_eq(ports_parse("99999999999999999999", &p),
	    "port out of range (1-65535)");
	ck_assert_str_eq(ports_parse("", &p), "empty item");
	ck_assert_str_eq(ports_parse("80,,81", &p), "empty item");
	ck_assert_str_eq(ports_parse("80,", &p), "empty item");
	ck_assert_str_eq(ports_parse("ftp:21", &p),
	    "unknown scheme (http or https)");
	ck_assert_str_eq(ports_parse("https:", &p), "empty port");
	ck_assert_str_eq(ports_parse("9-8", &p),
	    "port range start above its end");
	ck_assert_str_eq(ports_parse("80-", &p), "invalid port");
	ck_assert_str_eq(ports_parse("-80", &p), "invalid port");
	ck_assert_str_eq(ports_parse("8o", &p), "invalid port");
	ck_assert_str_eq(ports_parse(" 80", &p), "invalid port");
}
END_TEST

/* Every text line expands to, space-separated, into out. */
static void
expand_all(const char *line, const char *list, char *out, size_t size,
    const char **err)
{
	static struct expand x;
	struct ports p = {0};
	char buf[EXPAND_TEXT_MAX];
	size_t n, used = 0;

	memset(&x, 0, sizeof(x));
	*err = NULL;
	if (list != NULL) {
		ck_assert_ptr_null(ports_parse(list, &p));
		x.ports = &p;
	}
	out[0] = '\0';
	if (!expand_start(&x, line, strlen(line))) {
		snprintf(out, size, "(itself)");
		ports_free(&p);
		return;
	}
	while ((n = expand_next(&x, buf, &why)) > 0) {
		if (why != NULL)
			*err = why;
		ck_assert_uint_eq(n, strlen(buf));
		used += snprintf(out + used, size - used, "%s%s",
		    used > 0 ? " " : "", buf);
		ck_assert_uint_lt(used, size);
	}
	ports_free(&p);
}

static void
check_expand(const char *line, const char *list, const char *want)
{
	char got[4096];
	const char *err;

	expand_all(line, list, got, sizeof(got), &err);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(got, want);
}

START_TEST(test_expand_ranges)
{
	char got[64];
	const char *err;

	check_expand("127.0.0.0/30", NULL,
	    "127.0.0.0 127.0.0.1 127.0.0.2 127.0.0.3");
	check_expand("127.0.0.254-127.0.1.1", NULL,
	    "127.0.0.254 127.0.0.255 127.0.1.0 127.0.1.1");
	check_expand("127.0.0.1/32", NULL, "127.0.0.1");
	check_expand("[::1]/128", NULL, "[::1]");
	check_expand("[::1]/127", NULL, "[::] [::1]");
	check_expand("127.0.0.1", NULL, "(itself)");
	check_expand("localhost", NULL, "(itself)");
	expand_all("127.0.0.0/33", NULL, got, sizeof(got), &err);
	ck_assert_str_eq(got, "127.0.0.0/33");
	ck_assert_str_eq(err, "prefix length above 32");
}
END_TEST

START_TEST(test_expand_ports)
{
	check_expand("127.0.0.1-2", "80,https:443",
	    "127.0.0.1:80 https://127.0.0.1:443 127.0.0.2:80 "
	    "https://127.0.0.2:443");
	check_expand("localhost", "http:80,8080-8081",
	    "http://localhost:80 localhost:8080 localhost:8081");
	check_expand("https://localhost/p?q", "8443,http:8080",
	    "https://localhost:8443/p?q http://localhost:8080/p?q");
	check_expand("localhost/p", "81", "localhost:81/p");
	check_expand("[::1]", "81", "[::1]:81");
	check_expand("::1", "81", "[::1]:81");
	check_expand("[::1]/128", "https:443", "https://[::1]:443");
	check_expand("localhost:81", "82", "(itself)");
	check_expand("[::1]:81", "82", "(itself)");
	check_expand("http://localhost:81/", "82", "(itself)");
}
END_TEST

/* A line so long that a port would push it over the limit: one error. */
START_TEST(test_expand_ports_too_long)
{
	char *line = xcalloc(1, AWGET_MAX_TARGET + 1),
	     got[AWGET_MAX_TARGET + 64];
	const char *err;
	size_t n = AWGET_MAX_TARGET - EXPAND_PORT_MAX;

	memset(line, 'a', n);
	expand_all(line, "1", got, sizeof(got), &err);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(strlen(got), n + 2); /* ":1" */
	line[n] = 'a';
	expand_all(line, "1", got, sizeof(got), &err);
	ck_assert_str_eq(err, "target too long to take a port of -p");
	ck_assert_str_eq(got, line);
	free(line);
}
END_TEST

START_TEST(test_expand_size)
{
	static struct expand x;
	struct ports p;

	memset(&x, 0, sizeof(x));
	ck_assert_ptr_null(ports_parse("80,8000-8009,https:443", &p));
	x.ports = &p;
	ck_assert_int_eq(expand_start(&x, "127.0.0.0/8", 11), 1);
	ck_assert_uint_eq(expand_size(&x), 12ULL << 24);
	ck_assert_int_eq(expand_start(&x, "localhost", 9), 1);
	ck_assert_uint_eq(expand_size(&x), 12);
	ck_assert_int_eq(expand_start(&x, "127.0.0.0/33", 12), 1);
	ck_assert_uint_eq(expand_size(&x), 1);
	x.ports = NULL;
	ck_assert_int_eq(expand_start(&x, "127.0.0.0/0", 11), 1);
	ck_assert_uint_eq(expand_size(&x), 1ULL << 32);
	ports_free(&p);
}
END_TEST

/* A /0 is 2^32 positions, held as two numbers: its ends come out. */
START_TEST(test_expand_whole_space)
{
	static struct expand x;
	char buf[EXPAND_TEXT_MAX];
	const char *err;

	memset(&x, 0, sizeof(x));
	ck_assert_int_eq(expand_start(&x, "127.0.0.0/0", 11), 1);
	ck_assert_uint_eq(x.last - x.next + 1, 1ULL << 32);
	ck_assert_uint_gt(expand_next(&x, buf, &err), 0);
	ck_assert_str_eq(buf, "0.0.0.0");
	x.next = x.last; /* skip to the end */
	ck_assert_uint_gt(expand_next(&x, buf, &err), 0);
	ck_assert_str_eq(buf, "255.255.255.255");
	ck_assert_uint_eq(expand_next(&x, buf, &err), 0);
}
END_TEST

static Suite *
expand_suite(void)
{
	Suite *s = suite_create("expand");
	TCase *tc;

	tc = tcase(s, "range_parse");
	tcase_add_test(tc, test_range_cidr);
	tcase_add_test(tc, test_range_dash);
	tcase_add_test(tc, test_range_v6);
	tcase_add_test(tc, test_range_not);
	tc = tcase(s, "ports_parse");
	tcase_add_test(tc, test_ports_parse);
	tc = tcase(s, "expand");
	tcase_add_test(tc, test_expand_ranges);
	tcase_add_test(tc, test_expand_ports);
	tcase_add_test(tc, test_expand_whole_space);
	tcase_add_test(tc, test_expand_ports_too_long);
	tcase_add_test(tc, test_expand_size);
	return s;
}

int
main(void)
{
	return check_run(expand_suite());
}
