/*
 * check_socks.c: the SOCKS handshake's messages, byte for byte as RFC 1928,
 * RFC 1929 and the SOCKS4 and 4a texts lay them out, and the judging of
 * every answer a proxy may give (socks.c). No socket: the answers are
 * written into the buffer as the stage would read them.
 */
#include <sys/socket.h>

#include <string.h>

#include "check_common.h"
#include "socks.h"

static const unsigned char lo[4] = {127, 0, 0, 1};
static const unsigned char v6[16] = {[15] = 1};

static struct proxy
proxy(enum proxy_kind kind, const char *user, const char *pass)
{
	struct proxy p = {.kind = kind, .shown = "socks://127.0.0.1:1080"};

	p.user = (char *)user;
	p.pass = (char *)pass;
	return p;
}

/* Whether the n bytes at p hold the text w anywhere. */
static int
holds(const unsigned char *p, size_t n, const char *w)
{
	size_t i, k = strlen(w);

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, w, k) == 0)
			return 1;
	return 0;
}

/* out holds exactly the n bytes of want. */
#define OUT_IS(s, want)                                                        \
	do {                                                                   \
		ck_assert_uint_eq((s)->outlen, sizeof(want) - 1);              \
		ck_assert_mem_eq((s)->out, want, sizeof(want) - 1);            \
	} while (0)

/* The proxy answers with the n bytes of a (what the stage would read). */
static enum socks_state
answer(struct socks *s, const void *a, size_t n)
{
	ck_assert_uint_eq(n, s->want - s->inlen);
	memcpy(s->in + s->inlen, a, n);
	s->inlen = s->want;
	return socks_answer(s);
}

START_TEST(test_socks5)
{
	struct proxy p = proxy(PROXY_SOCKS5H, NULL, NULL);
	struct socks s;

	ck_assert_int_eq(socks_start(&s, &p, "a.test", 0, NULL, 443),
	    SOCKS5_METHOD);
	OUT_IS(&s, "\x05\x01\x00");
	ck_assert_uint_eq(s.want, 2);
	ck_assert_int_eq(answer(&s, "\x05\x00", 2), SOCKS5_HEAD);
	OUT_IS(&s,
	    "\x05\x01\x00\x03\x06"
	    "a.test\x01\xbb");
	ck_assert_uint_eq(s.want, 5);
	/* A bound name of 3 bytes: 4 + 1 + 3 + 2 in all. */
	ck_assert_int_eq(answer(&s, "\x05\x00\x00\x03\x03", 5), SOCKS5_REST);
	ck_assert_uint_eq(s.want, 10);
	ck_assert_uint_eq(s.outlen, 0);
	ck_assert_int_eq(answer(&s, "abc\x00\x50", 5), SOCKS_UP);

	/* An address, and IPv4 and IPv6 bound addresses. */
	p.kind = PROXY_SOCKS5;
	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	answer(&s, "\x05\x00", 2);
	OUT_IS(&s, "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50");
	ck_assert_int_eq(answer(&s, "\x05\x00\x00\x01\x7f", 5), SOCKS5_REST);
	ck_assert_uint_eq(s.want, 10);
	ck_assert_int_eq(answer(&s, "\x00\x00\x01\x00\x50", 5), SOCKS_UP);
	socks_start(&s, &p, "::1", AF_INET6, v6, 80);
	answer(&s, "\x05\x00", 2);
	OUT_IS(&s,
	    "\x05\x01\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x01\x00\x50");
	ck_assert_int_eq(answer(&s, "\x05\x00\x00\x04\x00", 5), SOCKS5_REST);
	ck_assert_uint_eq(s.want, 22);
}
END_TEST

START_TEST(test_socks5_auth)
{
	struct proxy p = proxy(PROXY_SOCKS5, "alice", "s3cr");
	struct socks s;

	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	OUT_IS(&s, "\x05\x02\x00\x02");
	ck_assert_int_eq(answer(&s, "\x05\x02", 2), SOCKS5_AUTH);
	OUT_IS(&s,
	    "\x01\x05"
	    "alice\x04"
	    "s3cr");
	ck_assert_int_eq(answer(&s, "\x01\x00", 2), SOCKS5_HEAD);
	ck_assert_uint_eq(s.out[0], 5); /* CONNECT, the password gone */
	ck_assert(!holds(s.out, sizeof(s.out), "s3cr"));

	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	answer(&s, "\x05\x02", 2);
	ck_assert_int_eq(answer(&s, "\x01\x01", 2), SOCKS_FAILED);
	ck_assert_str_eq(s.err, "SOCKS5 proxy: authentication failed");
	ck_assert(!holds(s.out, sizeof(s.out), "s3cr"));

	/* The proxy may also choose none of them. */
	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	ck_assert_int_eq(answer(&s, "\x05\x00", 2), SOCKS5_HEAD);
}
END_TEST

START_TEST(test_socks5_refusals)
{
	static const char *const want[] = {NULL,
	    "SOCKS5 proxy: general SOCKS server failure (reply 1)",
	    "SOCKS5 proxy: connection not allowed by ruleset (reply 2)",
	    "SOCKS5 proxy: network unreachable (reply 3)",
	    "SOCKS5 proxy: host unreachable (reply 4)",
	    "SOCKS5 proxy: connection refused (reply 5)",
	    "SOCKS5 proxy: TTL expired (reply 6)",
	    "SOCKS5 proxy: command not supported (reply 7)",
	    "SOCKS5 proxy: address type not supported (reply 8)",
	    "SOCKS5 proxy: unknown error (reply 9)"};
	struct proxy p = proxy(PROXY_SOCKS5, NULL, NULL);
	struct socks s;
	unsigned char r[5] = {5, 0, 0, 1, 0};
	unsigned i;

	for (i = 1; i < 10; i++) {
		socks_start(&s, &p, "a.test", AF_INET, lo, 80);
		answer(&s, "\x05\x00", 2);
		r[1] = (unsigned char)i;
		ck_assert_int_eq(answer(&s, r, 5), SOCKS_FAILED);
		ck_assert_str_eq(s.err, want[i]);
	}
	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	ck_assert_int_eq(answer(&s, "\x05\xff", 2), SOCKS_FAILED);
	ck_assert_str_eq(s.err,
	    "SOCKS5 proxy: no acceptable authentication method (it may "
	    "want a user name and password: -U)");
	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	ck_assert_int_eq(answer(&s, "\x05\x02", 2), SOCKS_FAILED);
	ck_assert_str_eq(s.err,
	    "SOCKS5 proxy: chose authentication method 2, which was not "
	    "offered");
	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	ck_assert_int_eq(answer(&s, "HT", 2), SOCKS_FAILED);
	ck_assert_str_eq(s.err,
	    "SOCKS5 proxy socks://127.0.0.1:1080: not a SOCKS5 answer");
	socks_start(&s, &p, "a.test", AF_INET, lo, 80);
	answer(&s, "\x05\x00", 2);
	ck_assert_int_eq(answer(&s, "\x05\x00\x00\x09\x00", 5), SOCKS_FAILED);
	ck_assert_str_eq(s.err,
	    "SOCKS5 proxy socks://127.0.0.1:1080: address type 9 in its "
	    "reply");
}
END_TEST

START_TEST(test_socks4)
{
	struct proxy p = proxy(PROXY_SOCKS4, NULL, NULL);
	struct socks s;

	ck_assert_int_eq(socks_start(&s, &p, "a.test", AF_INET, lo, 80),
	    SOCKS4_REPLY);
	OUT_IS(&s, "\x04\x01\x00\x50\x7f\x00\x00\x01\x00");
	ck_assert_uint_eq(s.want, 8);
	ck_assert_int_eq(answer(&s, "\x00\x5a\x00\x00\x00\x00\x00\x00", 8),
	    SOCKS_UP);
	/* 4a: the address 0.0.0.1, the user id, then the name. */
	p = proxy(PROXY_SOCKS4A, "bob", NULL);
	socks_start(&s, &p, "a.test", 0, NULL, 8080);
	OUT_IS(&s,
	    "\x04\x01\x1f\x90\x00\x00\x00\x01"
	    "bob\x00"
	    "a.test\x00");
	ck_assert_int_eq(answer(&s, "\x00\x5b\x00\x00\x00\x00\x00\x00", 8),
	    SOCKS_FAILED);
	ck_assert_str_eq(s.err,
	    "SOCKS4 proxy: request rejected or failed (reply 91)");
	socks_start(&s, &p, "a.test", 0, NULL, 8080);
	ck_assert_int_eq(answer(&s, "\x04\x5a\x00\x00\x00\x00\x00\x00", 8),
	    SOCKS_FAILED);
	ck_assert_str_eq(s.err,
	    "SOCKS4 proxy socks://127.0.0.1:1080: not a SOCKS4 answer");
	socks_start(&s, &p, "a.test", 0, NULL, 8080);
	answer(&s, "\x00\x63\x00\x00\x00\x00\x00\x00", 8);
	ck_assert_str_eq(s.err, "SOCKS4 proxy: unknown error (reply 99)");
	/* No IPv6 in SOCKS4: failed before a byte is sent. */
	ck_assert_int_eq(socks_start(&s, &p, "::1", AF_INET6, v6, 80),
	    SOCKS_FAILED);
	ck_assert_uint_eq(s.outlen, 0);
	ck_assert_str_eq(s.err,
	    "SOCKS4 proxy socks://127.0.0.1:1080: cannot reach an IPv6 "
	    "address");
}
END_TEST

static Suite *
socks_suite(void)
{
	Suite *s = suite_create("socks");
	TCase *tc = tcase(s, "socks");

	tcase_add_test(tc, test_socks5);
	tcase_add_test(tc, test_socks5_auth);
	tcase_add_test(tc, test_socks5_refusals);
	tcase_add_test(tc, test_socks4);
	return s;
}

int
main(void)
{
	return check_run(socks_suite());
}
