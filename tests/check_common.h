/*
 * check_common.h: what every Check test program shares: a test case with
 * a time limit, so that a test that hangs fails alone, and a main that
 * runs one suite. Included once, by each tests/check_<module>.c.
 */
#ifndef CHECK_COMMON_H
#define CHECK_COMMON_H

#include <check.h>

/* A test case named name in s, each test bounded to 10 s. */
static TCase *
tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);
	return tc;
}

/* Run s; the exit status main returns: 1 if any test failed. */
static int
check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif /* CHECK_COMMON_H */
