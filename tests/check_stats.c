/*
 * check_stats.c: counting outcomes, the progress line and the --stats
 * summary; and the --rate token bucket (rate.c), which the scheduler
 * drives with the same kind of caller-given clock.
 */
#include <check.h>
#include <string.h>

#include "awget.h"
#include "rate.h"
#include "stats.h"
#include "util.h"
#include "check_common.h"

/* A time in microseconds, as monotonic_us() gives. */
static long long
at(long sec, long usec)
{
	return sec * 1000000LL + usec;
}

static void
check_progress(const struct stats *st, unsigned long long inflight,
    long long now_us, const char *want)
{
	char line[256];
	size_t len = stats_progress(st, inflight, now_us, line, sizeof(line));

	ck_assert_str_eq(line, want);
	ck_assert_uint_eq(len, strlen(want));
}

START_TEST(test_stats_done_counts)
{
	struct stats st = {0};

	stats_done(&st, OUTCOME_OK, 200);
	stats_done(&st, OUTCOME_OK, 301);
	stats_done(&st, OUTCOME_OK, 999);
	stats_done(&st, OUTCOME_REFUSED, 0);
	stats_done(&st, OUTCOME_TIMEOUT, 200); /* a failure has no status */
	ck_assert_uint_eq(st.done, 5);
	ck_assert_uint_eq(st.failed, 2);
	ck_assert_uint_eq(st.outcomes[OUTCOME_OK], 3);
	ck_assert_uint_eq(st.outcomes[OUTCOME_REFUSED], 1);
	ck_assert_uint_eq(st.outcomes[OUTCOME_TIMEOUT], 1);
	ck_assert_uint_eq(st.status[2], 1);
	ck_assert_uint_eq(st.status[3], 1);
	ck_assert_uint_eq(st.status[9], 1);
}
END_TEST

START_TEST(test_stats_class_words)
{
	ck_assert_ptr_null(stats_class(OUTCOME_OK));
	ck_assert_str_eq(stats_class(OUTCOME_REFUSED), "refused");
	ck_assert_str_eq(stats_class(OUTCOME_INVALID_TARGET), "invalid_target");
	ck_assert_str_eq(stats_class(OUTCOME_TLS), "tls");
	ck_assert_str_eq(stats_class(OUTCOME_COUNT), "unknown");
}
END_TEST

START_TEST(test_stats_progress_with_total)
{
	struct stats st = {.total = 1000, .start_us = 100000000};
	int i;

	for (i = 0; i < 250; i++)
		stats_done(&st, i < 3 ? OUTCOME_RESET : OUTCOME_OK, 200);
	/* 250 in 5 s: 50/s, 750 left: 15 s. */
	check_progress(&st, 100, at(105, 0),
	    "awget: 250/1000 (25.0%) done, 50.0/s, 100 in flight, 3 failed, "
	    "0:05 elapsed, ETA 0:15");
}
END_TEST

START_TEST(test_stats_progress_unknown_total)
{
	struct stats st = {.start_us = 500000};
	int i;

	for (i = 0; i < 7200; i++)
		stats_done(&st, OUTCOME_OK, 200);
	check_progress(&st, 2, at(3600, 500000),
	    "awget: 7200 done, 2.0/s, 2 in flight, 0 failed, 1:00:00 elapsed");
}
END_TEST

START_TEST(test_stats_progress_at_start)
{
	struct stats st = {.total = 10, .start_us = 50000000};

	/* No rate yet, so no ETA; a clock that went back reads as 0. */
	check_progress(&st, 0, at(49, 0),
	    "awget: 0/10 (0.0%) done, 0.0/s, 0 in flight, 0 failed, "
	    "0:00 elapsed");
}
END_TEST

START_TEST(test_stats_progress_truncates)
{
	struct stats st = {.total = 10};
	char line[16];

	ck_assert_uint_eq(stats_progress(&st, 0, 0, line, sizeof(line)), 15);
	ck_assert_str_eq(line, "awget: 0/10 (0.");
}
END_TEST

START_TEST(test_stats_summary_lines)
{
	struct stats st = {.start_us = 10000000, .retries = 4};
	struct buf b = {0};

	stats_done(&st, OUTCOME_OK, 200);
	stats_done(&st, OUTCOME_OK, 204);
	stats_done(&st, OUTCOME_OK, 404);
	stats_done(&st, OUTCOME_TIMEOUT, 0);
	stats_done(&st, OUTCOME_REFUSED, 0);
	stats_done(&st, OUTCOME_REFUSED, 0);
	stats_summary(&st, 12500000, &b);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data,
	    "stats: targets 6, succeeded 3, failed 3, retries 4, 2.500 s, "
	    "2.4 targets/s\n"
	    "stats: failed by class: refused 2, timeout 1\n"
	    "stats: responses by status: 2xx 2, 4xx 1\n");
	buf_free(&b);
}
END_TEST

START_TEST(test_stats_summary_empty)
{
	struct stats st = {.start_us = 10000000};
	struct buf b = {0};

	stats_summary(&st, st.start_us, &b);
	buf_append(&b, "", 1);
	ck_assert_str_eq(b.data,
	    "stats: targets 0, succeeded 0, failed 0, retries 0, 0.000 s, "
	    "0.0 targets/s\n"
	    "stats: failed by class: none\n"
	    "stats: responses by status: none\n");
	buf_free(&b);
}
END_TEST

START_TEST(test_rate_one_a_time_below_50)
{
	struct rate r;

	/* Under 50/s the bucket holds one token: no burst. */
	rate_init(&r, 20, 0);
	ck_assert_int_eq(rate_take(&r, 0), 0);
	ck_assert_int_eq(rate_take(&r, 0), 50000);
	ck_assert_int_eq(rate_take(&r, 20000), 30000);
	ck_assert_int_eq(rate_take(&r, 50000), 0);
	ck_assert_int_eq(rate_take(&r, 50000), 50000);
}
END_TEST

START_TEST(test_rate_burst_is_a_fiftieth)
{
	struct rate r;
	int i;

	rate_init(&r, 1000, 0);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(rate_take(&r, 0), 0);
	ck_assert_int_eq(rate_take(&r, 0), 1000);
	/* A long pause refills only up to the burst. */
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(rate_take(&r, 60000000), 0);
	ck_assert_int_eq(rate_take(&r, 60000000), 1000);
}
END_TEST

START_TEST(test_rate_counts_over_a_second)
{
	struct rate r;
	long long t, taken = 0;

	/* Asked every 100 us for 1 s, 300/s gives the burst (6) + 300. */
	rate_init(&r, 300, 0);
	for (t = 0; t <= 1000000; t += 100)
		while (rate_take(&r, t) == 0)
			taken++;
	ck_assert_int_eq(taken, 306);
}
END_TEST

START_TEST(test_rate_charge_is_a_debt)
{
	struct rate r;

	rate_init(&r, 10, 0);
	rate_charge(&r, 0);
	rate_charge(&r, 0);
	/* One token owed: the next is due in 0.2 s, not 0.1 s. */
	ck_assert_int_eq(rate_take(&r, 0), 200000);
	ck_assert_int_eq(rate_take(&r, 200000), 0);
}
END_TEST

START_TEST(test_rate_long_pause_keeps_debt)
{
	struct rate r;
	int i;

	/* Five owed at 1/s: three seconds later, two are still owed. */
	rate_init(&r, 1, 0);
	for (i = 0; i < 6; i++)
		rate_charge(&r, 0);
	ck_assert_int_eq(rate_take(&r, 3000000), 3000000);
	ck_assert_int_eq(rate_take(&r, 6000000), 0);
}
END_TEST

START_TEST(test_rate_top_of_range)
{
	struct rate r;

	rate_init(&r, AWGET_MAX_RATE, 0);
	ck_assert_int_eq(rate_take(&r, 0), 0);
	/* Hours later: still a full bucket, no overflow. */
	ck_assert_int_eq(rate_take(&r, 36000000000LL), 0);
	ck_assert_int_eq(r.tokens, r.cap - 1000000);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc;

	tc = tcase(s, "stats_done");
	tcase_add_test(tc, test_stats_done_counts);
	tcase_add_test(tc, test_stats_class_words);

	tc = tcase(s, "stats_progress");
	tcase_add_test(tc, test_stats_progress_with_total);
	tcase_add_test(tc, test_stats_progress_unknown_total);
	tcase_add_test(tc, test_stats_progress_at_start);
	tcase_add_test(tc, test_stats_progress_truncates);

	tc = tcase(s, "stats_summary");
	tcase_add_test(tc, test_stats_summary_lines);
	tcase_add_test(tc, test_stats_summary_empty);

	tc = tcase(s, "rate");
	tcase_add_test(tc, test_rate_one_a_time_below_50);
	tcase_add_test(tc, test_rate_burst_is_a_fiftieth);
	tcase_add_test(tc, test_rate_counts_over_a_second);
	tcase_add_test(tc, test_rate_charge_is_a_debt);
	tcase_add_test(tc, test_rate_long_pause_keeps_debt);
	tcase_add_test(tc, test_rate_top_of_range);
	return s;
}

int
main(void)
{
	return check_run(stats_suite());
}
