/*
 * check_state.c: the checkpoint file (state.c): made and read back the
 * same, its positions, and every way a file may be damaged or foreign,
 * each refused with its reason; the fingerprints compared, with the first
 * difference said. state_save's file is read back through state_load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_common.h"
#include "state.h"

static void
sample(struct state *s, unsigned long long *pending, size_t n)
{
	memset(s, 0, sizeof(*s));
	buf_append(&s->fingerprint, "input in 12 sha256:ab\n", 22);
	buf_append(&s->fingerprint, "option --json\n", 14);
	s->output_len = 81234;
	s->errors_len = 7;
	s->next = 1500;
	s->pending = pending;
	s->npending = n;
}

/* Parse the text t; the error, or "" on success. */
static const char *
parse(struct state *s, const char *t, size_t n)
{
	static char err[256];

	err[0] = '\0';
	if (state_parse(s, t, n, err, sizeof(err)) == 0)
		ck_assert_str_eq(err, "");
	return err;
}

START_TEST(test_round_trip)
{
	unsigned long long p[] = {1407, 1452, 1499};
	struct state s, r;
	struct buf b = {0};

	sample(&s, p, 3);
	state_format(&s, &b);
	ck_assert_ptr_nonnull(strstr(b.data,
	    "\ndone-below 1407\nnext 1500\n"
	    "pending 1407 1452 1499\nsha256 "
	    "sha256:"));
	ck_assert_str_eq(parse(&r, b.data, b.len), "");
	ck_assert_uint_eq(r.fingerprint.len, s.fingerprint.len);
	ck_assert(memcmp(r.fingerprint.data, s.fingerprint.data,
	              s.fingerprint.len) == 0);
	ck_assert_uint_eq(r.output_len, 81234);
	ck_assert_uint_eq(r.errors_len, 7);
	ck_assert_uint_eq(r.next, 1500);
	ck_assert_uint_eq(r.npending, 3);
	ck_assert_uint_eq(r.pending[2], 1499);
	/* Done: below next, not pending. */
	ck_assert(state_done(&r, 0));
	ck_assert(state_done(&r, 1406));
	ck_assert(!state_done(&r, 1407));
	ck_assert(state_done(&r, 1408));
	ck_assert(!state_done(&r, 1452));
	ck_assert(!state_done(&r, 1499));
	ck_assert(!state_done(&r, 1500));
	ck_assert(!state_done(&r, 1000000));
	state_free(&r);
	/* None pending: done below next. */
	s.npending = 0;
	b.len = 0;
	state_format(&s, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "done-below 1500\n"));
	ck_assert_str_eq(parse(&r, b.data, b.len), "");
	ck_assert(state_done(&r, 1499));
	ck_assert(!state_done(&r, 1500));
	state_free(&r);
	buf_free(&s.fingerprint);
	buf_free(&b);
}
END_TEST

START_TEST(test_damaged)
{
	unsigned long long p[] = {3, 9};
	struct state s, r;
	struct buf b = {0}, t = {0};
	size_t i;
	char *at;

	sample(&s, p, 2);
	s.next = 10;
	state_format(&s, &b);
	ck_assert_str_eq(parse(&r, "", 0), "not an awget state file");
	ck_assert_str_eq(parse(&r, "awget-state 2\n", 14),
	    "not an awget state file");
	ck_assert_str_eq(parse(&r, "GET / HTTP/1.1\r\n\r\n", 18),
	    "not an awget state file");
	/* Cut short anywhere, or one byte changed anywhere: refused. */
	for (i = 14; i < b.len; i++)
		ck_assert_str_ne(parse(&r, b.data, i), "");
	for (i = 0; i < b.len; i++) {
		b.data[i] ^= 0x01;
		ck_assert_str_ne(parse(&r, b.data, b.len), "");
		b.data[i] ^= 0x01;
	}
	at = strstr(b.data, "next 10");
	at[6] = '2';
	ck_assert_str_eq(parse(&r, b.data, b.len),
	    "damaged: its checksum does not match");
	at[6] = '0';
	ck_assert_str_eq(parse(&r, b.data, b.len), "");
	state_free(&r);
	/* Lines in a wrong order or out of range, checksum made right. */
	{
		static const char *const bodies[] = {
		    "input x\noutput-length 1\nerrors-length 0\ndone-below 9\n"
		    "next 5\npending 9\n", /* pending at or above next */
		    "input x\noutput-length 1\nerrors-length 0\ndone-below 3\n"
		    "next 10\npending 5 3\n", /* not ascending */
		    "input x\noutput-length 1\nerrors-length 0\ndone-below 4\n"
		    "next 10\npending 3\n", /* done-below is not the lowest */
		    "output-length 1\nerrors-length 0\ndone-below 10\n"
		    "next 10\npending\n", /* no fingerprint */
		    "input x\nerrors-length 0\noutput-length 1\ndone-below 10\n"
		    "next 10\npending\n", /* lengths swapped */
		    "input x\noutput-length -1\nerrors-length 0\n"
		    "done-below 10\nnext 10\npending\n",
		    "input x\noutput-length 99999999999999999999999\n"
		    "errors-length 0\ndone-below 10\nnext 10\npending\n",
		    "input x\noutput-length 1\nerrors-length 0\ndone-below 10\n"
		    "next 10\npending\nmore 1\n",
		    "input x\noutput-length 1\nerrors-length 0\ndone-below 10\n"
		    "next 10\npending  \n",
		};

		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			t.len = 0;
			buf_append(&t, "awget-state 1\n", 14);
			buf_append(&t, bodies[i], strlen(bodies[i]));
			buf_append(&t, "sha256 ", 7);
			state_sha256(&t, t.data, t.len - 7);
			buf_append(&t, "\n", 1);
			ck_assert_msg(strcmp(parse(&r, t.data, t.len),
			                  "damaged: not the lines a "
			                  "checkpoint has") == 0,
			    "body %zu", i);
		}
	}
	buf_free(&s.fingerprint);
	buf_free(&b);
	buf_free(&t);
}
END_TEST

START_TEST(test_compare)
{
	struct buf a = {0}, b = {0};
	char err[256];

	buf_append(&a, "input in 12 sha256:ab\noption --json\n", 36);
	buf_append(&b, "input in 12 sha256:ab\noption --json\n", 36);
	ck_assert_int_eq(state_compare(&a, &b, err, sizeof(err)), 0);
	buf_append(&b, "option --http2\n", 15);
	ck_assert_int_eq(state_compare(&a, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "this run has 'option --http2', the checkpoint has not");
	ck_assert_int_eq(state_compare(&b, &a, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "the checkpoint has 'option --http2', this run has not");
	b.len = 0;
	buf_append(&b, "input in 13 sha256:cd\noption --json\n", 36);
	ck_assert_int_eq(state_compare(&a, &b, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "the checkpoint has 'input in 12 sha256:ab', "
	    "this run has 'input in 13 sha256:cd'");
	buf_free(&a);
	buf_free(&b);
}
END_TEST

START_TEST(test_save_load)
{
	unsigned long long p[] = {5};
	char dir[] = "/tmp/awget-check-state.XXXXXX", path[64], err[256];
	struct state s, r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/st", dir);
	sample(&s, p, 1);
	s.next = 6;
	ck_assert_int_eq(state_save(path, &s), 0);
	ck_assert_int_eq(state_load(path, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.next, 6);
	ck_assert_uint_eq(r.npending, 1);
	state_free(&r);
	/* The temporary file is gone; a second save replaces the first. */
	snprintf(path, sizeof(path), "%s/st.tmp", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/st", dir);
	s.next = 7;
	ck_assert_int_eq(state_save(path, &s), 0);
	ck_assert_int_eq(state_load(path, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.next, 7);
	state_free(&r);
	ck_assert_int_eq(state_load(dir, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "not a regular file");
	unlink(path);
	ck_assert_int_eq(state_load(path, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "No such file or directory");
	rmdir(dir);
	buf_free(&s.fingerprint);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase(s, "state");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_damaged);
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_save_load);
	return s;
}

int
main(void)
{
	return check_run(state_suite());
}
