/*
 * check_util.c: parse_number (strtonum's contract), parse_seconds and the
 * growable buffer.
 */
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"
#include "util.h"
#include "check_common.h"

/* Parse with errstr set beforehand, to see that success clears it. */
static long long
number(const char *s, long long min, long long max, const char **errstr)
{
	*errstr = "not touched";
	return parse_number(s, min, max, errstr);
}

static void
check_number_ok(const char *s, long long min, long long max, long long want)
{
	const char *errstr;
	long long v = number(s, min, max, &errstr);

	ck_assert_msg(errstr == NULL, "\"%s\": %s", s, errstr);
	ck_assert_msg(v == want, "\"%s\": %lld, want %lld", s, v, want);
}

static void
check_number_err(const char *s, long long min, long long max, const char *want)
{
	const char *errstr;
	long long v = number(s, min, max, &errstr);

	ck_assert_msg(errstr != NULL, "\"%s\" accepted as %lld", s, v);
	ck_assert_msg(strcmp(errstr, want) == 0, "\"%s\": \"%s\", want \"%s\"",
	    s, errstr, want);
	ck_assert_msg(v == 0, "\"%s\": %lld on error, want 0", s, v);
}

START_TEST(test_util_parse_number_valid)
{
	check_number_ok("0", 0, 10, 0);
	check_number_ok("7", 0, 10, 7);
	check_number_ok("-5", -10, 10, -5);
	check_number_ok("007", 0, 10, 7);
	check_number_ok("1000000", 1, 1000000, 1000000);
}
END_TEST

START_TEST(test_util_parse_number_bounds_inclusive)
{
	check_number_ok("1", 1, 5, 1);
	check_number_ok("5", 1, 5, 5);
	check_number_ok("-3", -3, -1, -3);
	check_number_ok("-1", -3, -1, -1);
	check_number_ok("42", 42, 42, 42);
}
END_TEST

START_TEST(test_util_parse_number_too_small)
{
	check_number_err("0", 1, 5, "too small");
	check_number_err("-1", 0, 5, "too small");
	check_number_err("-4", -3, -1, "too small");
	check_number_err("41", 42, 42, "too small");
}
END_TEST

START_TEST(test_util_parse_number_too_large)
{
	check_number_err("6", 1, 5, "too large");
	check_number_err("1000001", 1, 1000000, "too large");
	check_number_err("0", -3, -1, "too large");
	check_number_err("43", 42, 42, "too large");
}
END_TEST

START_TEST(test_util_parse_number_invalid)
{
	check_number_err("", 0, 10, "invalid");
	check_number_err("abc", 0, 10, "invalid");
	check_number_err("1a", 0, 10, "invalid");
	check_number_err("1.5", 0, 10, "invalid");
	check_number_err("0x10", 0, 100, "invalid");
	check_number_err("-", -10, 10, "invalid");
	check_number_err("--1", -10, 10, "invalid");
	check_number_err("1 ", 0, 10, "invalid");
	check_number_err("1\n", 0, 10, "invalid");
}
END_TEST

START_TEST(test_util_parse_number_rejects_blank_and_plus)
{
	check_number_err(" 1", 0, 10, "invalid");
	check_number_err("\t1", 0, 10, "invalid");
	check_number_err("\n1", 0, 10, "invalid");
	check_number_err("+1", 0, 10, "invalid");
	check_number_err(" -1", -10, 10, "invalid");
}
END_TEST

START_TEST(test_util_parse_number_overflow)
{
	check_number_ok("9223372036854775807", 0, LLONG_MAX, LLONG_MAX);
	check_number_ok("-9223372036854775808", LLONG_MIN, 0, LLONG_MIN);
	check_number_err("9223372036854775808", 0, LLONG_MAX, "too large");
	check_number_err("99999999999999999999999", 0, 100, "too large");
	check_number_err("-9223372036854775809", LLONG_MIN, 0, "too small");
	check_number_err("-99999999999999999999999", -100, 0, "too small");
}
END_TEST

#define DAY_MS (86400 * 1000LL)

static void
check_seconds_ok(const char *s, long long max_ms, long sec, long usec)
{
	struct timeval tv = {-1, -1};
	const char *errstr = "not touched";
	int rc = parse_seconds(s, max_ms, &tv, &errstr);

	ck_assert_msg(rc == 0 && errstr == NULL, "\"%s\": rc %d, %s", s, rc,
	    errstr);
	ck_assert_msg(tv.tv_sec == sec && tv.tv_usec == usec,
	    "\"%s\": %ld.%06ld, want %ld.%06ld", s, (long)tv.tv_sec,
	    (long)tv.tv_usec, sec, usec);
}

static void
check_seconds_err(const char *s, long long max_ms, const char *want)
{
	struct timeval tv = {-1, -1};
	const char *errstr = NULL;
	int rc = parse_seconds(s, max_ms, &tv, &errstr);

	ck_assert_msg(rc == -1, "\"%s\" accepted as %ld.%06ld", s,
	    (long)tv.tv_sec, (long)tv.tv_usec);
	ck_assert_msg(errstr != NULL && strcmp(errstr, want) == 0,
	    "\"%s\": \"%s\", want \"%s\"", s, errstr ? errstr : "(null)", want);
}

START_TEST(test_util_parse_seconds_whole)
{
	check_seconds_ok("10", DAY_MS, 10, 0);
	check_seconds_ok("1", DAY_MS, 1, 0);
	check_seconds_ok("010", DAY_MS, 10, 0);
	check_seconds_ok("3600", DAY_MS, 3600, 0);
}
END_TEST

START_TEST(test_util_parse_seconds_fraction)
{
	check_seconds_ok("0.5", DAY_MS, 0, 500000);
	check_seconds_ok(".25", DAY_MS, 0, 250000);
	check_seconds_ok("1.", DAY_MS, 1, 0);
	check_seconds_ok("1.5", DAY_MS, 1, 500000);
	check_seconds_ok("2.125", DAY_MS, 2, 125000);
	check_seconds_ok("0.001", DAY_MS, 0, 1000);
	check_seconds_ok(".001", DAY_MS, 0, 1000);
	check_seconds_ok("1.000", DAY_MS, 1, 0);
}
END_TEST

START_TEST(test_util_parse_seconds_truncates_below_ms)
{
	check_seconds_ok("0.0015", DAY_MS, 0, 1000);
	check_seconds_ok("1.9999", DAY_MS, 1, 999000);
	check_seconds_ok("0.12345678901234567890", DAY_MS, 0, 123000);
}
END_TEST

START_TEST(test_util_parse_seconds_too_small)
{
	check_seconds_err("0", DAY_MS, "too small");
	check_seconds_err("0.0", DAY_MS, "too small");
	check_seconds_err("0.000", DAY_MS, "too small");
	check_seconds_err("0.0001", DAY_MS, "too small");
	check_seconds_err(".0009", DAY_MS, "too small");
	check_seconds_err("000", DAY_MS, "too small");
}
END_TEST

START_TEST(test_util_parse_seconds_too_large)
{
	check_seconds_err("86401", DAY_MS, "too large");
	check_seconds_err("86400.001", DAY_MS, "too large");
	check_seconds_err("100000", DAY_MS, "too large");
	check_seconds_err("99999999999999999999999999", DAY_MS, "too large");
	check_seconds_err("1.501", 1500, "too large");
	check_seconds_err("2", 1500, "too large");
}
END_TEST

START_TEST(test_util_parse_seconds_boundaries)
{
	check_seconds_ok("86400", DAY_MS, 86400, 0);
	check_seconds_ok("86400.0", DAY_MS, 86400, 0);
	check_seconds_ok("86400.0009", DAY_MS, 86400, 0);
	check_seconds_ok("1.5", 1500, 1, 500000);
	check_seconds_ok("0.001", 1, 0, 1000);
	check_seconds_err("0.002", 1, "too large");
}
END_TEST

START_TEST(test_util_parse_seconds_invalid)
{
	check_seconds_err("abc", DAY_MS, "invalid");
	check_seconds_err("", DAY_MS, "invalid");
	check_seconds_err(".", DAY_MS, "invalid");
	check_seconds_err("-1", DAY_MS, "invalid");
	check_seconds_err("+1", DAY_MS, "invalid");
	check_seconds_err(" 1", DAY_MS, "invalid");
	check_seconds_err("1 ", DAY_MS, "invalid");
	check_seconds_err("1s", DAY_MS, "invalid");
	check_seconds_err("1e3", DAY_MS, "invalid");
	check_seconds_err("1.2.3", DAY_MS, "invalid");
	check_seconds_err("1..", DAY_MS, "invalid");
	check_seconds_err("1,5", DAY_MS, "invalid");
}
END_TEST

START_TEST(test_util_buf_reserve_first_is_256)
{
	struct buf b = {0};

	buf_reserve(&b, 1);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 256);
	buf_free(&b);

	buf_reserve(&b, 256);
	ck_assert_uint_eq(b.cap, 256);
	buf_free(&b);

	buf_reserve(&b, 257);
	ck_assert_uint_eq(b.cap, 512);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_buf_reserve_doubles)
{
	struct buf b = {0};
	char block[200];

	memset(block, 'x', sizeof(block));
	buf_append(&b, block, sizeof(block));
	ck_assert_uint_eq(b.cap, 256);
	buf_reserve(&b, 56); /* fits exactly */
	ck_assert_uint_eq(b.cap, 256);
	buf_reserve(&b, 57);
	ck_assert_uint_eq(b.cap, 512);
	buf_reserve(&b, 5000); /* 200 + 5000 needs 8192 */
	ck_assert_uint_eq(b.cap, 8192);
	ck_assert_uint_eq(b.len, 200);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_buf_reserve_keeps_contents)
{
	struct buf b = {0};
	char *before;

	buf_append(&b, "hello", 5);
	before = b.data;
	buf_reserve(&b, 10);
	ck_assert_ptr_eq(b.data, before); /* room enough: no realloc */
	buf_reserve(&b, 100000);
	ck_assert_uint_ge(b.cap - b.len, 100000);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_mem_eq(b.data, "hello", 5);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_buf_append_bytes)
{
	struct buf b = {0};

	buf_append(&b, "abc", 3);
	buf_append(&b, "\0de", 3);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_mem_eq(b.data, "abc\0de", 6);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_buf_append_grows)
{
	struct buf b = {0};
	unsigned char chunk[7];
	size_t i, total = 1 << 20;

	while (b.len < total) {
		for (i = 0; i < sizeof(chunk); i++)
			chunk[i] = (unsigned char)((b.len + i) % 251);
		buf_append(&b, chunk, sizeof(chunk));
		if (b.cap < b.len)
			ck_abort_msg("cap %zu < len %zu", b.cap, b.len);
	}
	ck_assert_uint_eq(b.len, (total + 6) / 7 * 7);
	ck_assert_uint_eq(b.cap, 2 * total); /* 256 doubled past len */
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] != i % 251)
			ck_abort_msg("byte %zu is %u, want %zu", i,
			    (unsigned char)b.data[i], i % 251);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_buf_append_large_once)
{
	struct buf b = {0};
	char *big = calloc(1, 1 << 20);

	ck_assert_ptr_nonnull(big);
	big[0] = 'A';
	big[(1 << 20) - 1] = 'Z';
	buf_append(&b, "x", 1);
	buf_append(&b, big, 1 << 20);
	ck_assert_uint_eq(b.len, (1 << 20) + 1);
	ck_assert_uint_eq(b.cap, 1 << 21);
	ck_assert_int_eq(b.data[1], 'A');
	ck_assert_int_eq(b.data[1 << 20], 'Z');
	free(big);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_buf_free_resets)
{
	struct buf b = {0};

	buf_append(&b, "abc", 3);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	buf_free(&b); /* twice is harmless */
	buf_append(&b, "de", 2);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_mem_eq(b.data, "de", 2);
	buf_free(&b);
}
END_TEST

/*
 * Regress: buf_append(&b, p, 0) on a buffer never written calls
 * memcpy(NULL, p, 0); UBSan reports "null pointer passed as argument 1".
 */
START_TEST(test_util_buf_append_empty_to_new)
{
	struct buf b = {0};

	buf_append(&b, "", 0);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_util_xstrdup_copies)
{
	const char *s = "awget";
	char *d = xstrdup(s);

	ck_assert_ptr_ne(d, s);
	ck_assert_str_eq(d, "awget");
	free(d);
	d = xstrdup("");
	ck_assert_str_eq(d, "");
	free(d);
}
END_TEST

START_TEST(test_util_xcalloc_zeroes)
{
	unsigned char *p = xcalloc(100, 3);
	size_t i;

	for (i = 0; i < 300; i++)
		ck_assert_uint_eq(p[i], 0);
	free(p);
	p = xcalloc(0, 0); /* never NULL */
	ck_assert_ptr_nonnull(p);
	free(p);
}
END_TEST

/* Check runs each test in its own process: catching is per test. */
START_TEST(test_signals_caught_and_woken)
{
	int fd = signals_catch();
	char c;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(signals_caught(), 0);
	ck_assert_int_eq(read(fd, &c, 1), -1); /* nothing yet, no wait */
	ck_assert_int_eq(raise(SIGTERM), 0);
	ck_assert_int_eq(signals_caught(), SIGTERM);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	signals_drain(fd);
	ck_assert_int_eq(read(fd, &c, 1), -1);
	ck_assert_int_eq(raise(SIGINT), 0);
	ck_assert_int_eq(signals_caught(), SIGINT);
}
END_TEST

/* The reason for it all: a write blocked on a full pipe returns. */
START_TEST(test_signals_interrupt_blocked_write)
{
	static char block[65536];
	int p[2], flags;
	pid_t child;
	ssize_t n;

	ck_assert_int_ge(signals_catch(), 0);
	ck_assert_int_eq(pipe(p), 0);
	flags = fcntl(p[1], F_GETFL);
	ck_assert_int_eq(fcntl(p[1], F_SETFL, flags | O_NONBLOCK), 0);
	while (write(p[1], block, sizeof(block)) > 0)
		continue;
	ck_assert_int_eq(fcntl(p[1], F_SETFL, flags), 0);
	if ((child = fork()) == 0) {
		usleep(100 * 1000);
		kill(getppid(), SIGINT);
		_exit(0);
	}
	ck_assert_int_gt(child, 0);
	n = write(p[1], block, sizeof(block)); /* blocks until SIGINT */
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert_int_eq(signals_caught(), SIGINT);
	waitpid(child, NULL, 0);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase(s, "parse_number");
	tcase_add_test(tc, test_util_parse_number_valid);
	tcase_add_test(tc, test_util_parse_number_bounds_inclusive);
	tcase_add_test(tc, test_util_parse_number_too_small);
	tcase_add_test(tc, test_util_parse_number_too_large);
	tcase_add_test(tc, test_util_parse_number_invalid);
	tcase_add_test(tc, test_util_parse_number_rejects_blank_and_plus);
	tcase_add_test(tc, test_util_parse_number_overflow);

	tc = tcase(s, "parse_seconds");
	tcase_add_test(tc, test_util_parse_seconds_whole);
	tcase_add_test(tc, test_util_parse_seconds_fraction);
	tcase_add_test(tc, test_util_parse_seconds_truncates_below_ms);
	tcase_add_test(tc, test_util_parse_seconds_too_small);
	tcase_add_test(tc, test_util_parse_seconds_too_large);
	tcase_add_test(tc, test_util_parse_seconds_boundaries);
	tcase_add_test(tc, test_util_parse_seconds_invalid);

	tc = tcase(s, "buf_reserve");
	tcase_add_test(tc, test_util_buf_reserve_first_is_256);
	tcase_add_test(tc, test_util_buf_reserve_doubles);
	tcase_add_test(tc, test_util_buf_reserve_keeps_contents);

	tc = tcase(s, "buf_append");
	tcase_add_test(tc, test_util_buf_append_bytes);
	tcase_add_test(tc, test_util_buf_append_grows);
	tcase_add_test(tc, test_util_buf_append_large_once);
	tcase_add_test(tc, test_util_buf_append_empty_to_new);

	tc = tcase(s, "buf_free");
	tcase_add_test(tc, test_util_buf_free_resets);

	tc = tcase(s, "xstrdup");
	tcase_add_test(tc, test_util_xstrdup_copies);

	tc = tcase(s, "xcalloc");
	tcase_add_test(tc, test_util_xcalloc_zeroes);

	tc = tcase(s, "signals");
	tcase_add_test(tc, test_signals_caught_and_woken);
	tcase_add_test(tc, test_signals_interrupt_blocked_write);
	return s;
}

int
main(void)
{
	return check_run(util_suite());
}
