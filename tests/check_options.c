/*
 * check_options.c: options_parse's defaults, every option in its short and
 * long form, every rejected value and message, and the usage text.
 */
#include <sys/socket.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awget.h"
#include "options.h"
#include "check_common.h"

#define MAX_ARGS 80

/*
 * The argv of the last parse. options_parse points into it and getopt
 * permutes it, so it lives as long as the options do.
 */
static char *args[MAX_ARGS + 2];
static struct options opts;
static char err[256];

/* Parse "awget" and the NULL-terminated arguments that follow. */
static enum options_result
parse(char *first, ...)
{
	va_list ap;
	char *a;
	int argc = 0;

	memset(err, 0, sizeof(err));
	args[argc++] = "awget";
	va_start(ap, first);
	for (a = first; a != NULL; a = va_arg(ap, char *)) {
		ck_assert_int_lt(argc, MAX_ARGS);
		args[argc++] = a;
	}
	va_end(ap);
	args[argc] = NULL;
	return options_parse(&opts, argc, args, err, sizeof(err));
}

#define PARSE(...) parse(__VA_ARGS__, (char *)NULL)

static void
teardown(void)
{
	options_free(&opts);
}

static void
check_ok(enum options_result r)
{
	ck_assert_msg(r == OPTIONS_OK, "result %d: %s", (int)r, err);
}

static void
check_err(enum options_result r, const char *want)
{
	ck_assert_msg(r == OPTIONS_ERROR, "result %d, want an error", (int)r);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(test_options_parse_defaults)
{
	ck_assert_int_eq(parse(NULL), OPTIONS_OK);
	ck_assert_str_eq(opts.method, "GET");
	ck_assert_int_eq(opts.http10, 0);
	ck_assert_str_eq(opts.user_agent, "awget/" AWGET_VERSION);
	ck_assert_ptr_null(opts.headers);
	ck_assert_uint_eq(opts.nheaders, 0);
	ck_assert_int_eq(opts.concurrency, 100);
	ck_assert_int_eq(opts.timeout.tv_sec, 10);
	ck_assert_int_eq(opts.timeout.tv_usec, 0);
	ck_assert_pstr_eq(opts.input, "-");
	ck_assert_ptr_null(opts.resolver);
	ck_assert_int_eq(opts.ntargets, 0);
	ck_assert_int_eq(opts.verbose, 0);
}
END_TEST

START_TEST(test_options_parse_targets)
{
	check_ok(PARSE("a", "b:81"));
	ck_assert_ptr_null(opts.input);
	ck_assert_int_eq(opts.ntargets, 2);
	ck_assert_str_eq(opts.targets[0], "a");
	ck_assert_str_eq(opts.targets[1], "b:81");
}
END_TEST

START_TEST(test_options_parse_http10)
{
	check_ok(PARSE("-0", "h"));
	ck_assert_int_eq(opts.http10, 1);
	options_free(&opts);
	check_ok(PARSE("--http1.0", "h"));
	ck_assert_int_eq(opts.http10, 1);
}
END_TEST

START_TEST(test_options_parse_user_agent)
{
	check_ok(PARSE("-A", "Mozilla/5.0 (X11)", "h"));
	ck_assert_str_eq(opts.user_agent, "Mozilla/5.0 (X11)");
	options_free(&opts);
	check_ok(PARSE("--user-agent", "x/1", "h"));
	ck_assert_str_eq(opts.user_agent, "x/1");
	options_free(&opts);
	check_ok(PARSE("--user-agent=y/2", "h"));
	ck_assert_str_eq(opts.user_agent, "y/2");
	options_free(&opts);
	check_ok(PARSE("-Az", "h"));
	ck_assert_str_eq(opts.user_agent, "z");
	options_free(&opts);
	check_ok(PARSE("-A", "", "h"));
	ck_assert_str_eq(opts.user_agent, "");
}
END_TEST

START_TEST(test_options_parse_user_agent_control)
{
	check_err(PARSE("-A", "bad\x01", "h"),
	    "user agent has a control character");
	options_free(&opts);
	check_err(PARSE("--user-agent", "a\r\nX-Injected: 1", "h"),
	    "user agent has a control character");
	options_free(&opts);
	check_err(PARSE("-A", "del\x7f", "h"),
	    "user agent has a control character");
}
END_TEST

START_TEST(test_options_parse_concurrency)
{
	check_ok(PARSE("-c", "5", "h"));
	ck_assert_int_eq(opts.concurrency, 5);
	options_free(&opts);
	check_ok(PARSE("--concurrency", "1", "h"));
	ck_assert_int_eq(opts.concurrency, 1);
	options_free(&opts);
	check_ok(PARSE("--concurrency=1000000", "h"));
	ck_assert_int_eq(opts.concurrency, 1000000);
	options_free(&opts);
	check_ok(PARSE("-c7", "h"));
	ck_assert_int_eq(opts.concurrency, 7);
}
END_TEST

START_TEST(test_options_parse_concurrency_errors)
{
	check_err(PARSE("-c", "0", "h"),
	    "concurrency is too small: 0 (1-1000000)");
	options_free(&opts);
	check_err(PARSE("-c", "1000001", "h"),
	    "concurrency is too large: 1000001 (1-1000000)");
	options_free(&opts);
	check_err(PARSE("-c", "abc", "h"),
	    "concurrency is invalid: abc (1-1000000)");
	options_free(&opts);
	check_err(PARSE("--concurrency", " 5", "h"),
	    "concurrency is invalid:  5 (1-1000000)");
	options_free(&opts);
	check_err(PARSE("-c", "-1", "h"),
	    "concurrency is too small: -1 (1-1000000)");
}
END_TEST

START_TEST(test_options_parse_location)
{
	check_ok(PARSE("h"));
	ck_assert_int_eq(opts.location, 0);
	ck_assert_int_eq(opts.max_redirs, 10);
	options_free(&opts);
	check_ok(PARSE("-L", "h"));
	ck_assert_int_eq(opts.location, 1);
	options_free(&opts);
	check_ok(PARSE("--location", "--max-redirs", "0", "h"));
	ck_assert_int_eq(opts.location, 1);
	ck_assert_int_eq(opts.max_redirs, 0);
	options_free(&opts);
	check_ok(PARSE("--max-redirs=1000", "h"));
	ck_assert_int_eq(opts.max_redirs, 1000);
	options_free(&opts);
	check_err(PARSE("--max-redirs", "-1", "h"),
	    "max-redirs is too small: -1 (0-1000)");
	options_free(&opts);
	check_err(PARSE("--max-redirs", "1001", "h"),
	    "max-redirs is too large: 1001 (0-1000)");
	options_free(&opts);
	check_err(PARSE("--max-redirs", "x", "h"),
	    "max-redirs is invalid: x (0-1000)");
}
END_TEST

START_TEST(test_options_parse_ports)
{
	check_ok(PARSE("-p", "80,https:443", "h"));
	ck_assert_uint_eq(opts.ports.n, 2);
	ck_assert_int_eq(opts.ports.item[1].tls, 1);
	options_free(&opts);
	ck_assert_uint_eq(opts.ports.n, 0);
	check_ok(PARSE("--ports=8000-8010", "-p", "81", "h"));
	ck_assert_uint_eq(opts.ports.n, 1); /* the last -p wins */
	ck_assert_int_eq(opts.ports.item[0].low, 81);
	options_free(&opts);
	check_err(PARSE("-p", "0", "h"),
	    "ports: port out of range (1-65535): 0");
	options_free(&opts);
	check_err(PARSE("-p", "ftp:21", "h"),
	    "ports: unknown scheme (http or https): ftp:21");
}
END_TEST

START_TEST(test_options_parse_connect_to)
{
	const struct connect_to *ct;

	check_ok(PARSE("--connect-to", "a.test:443:127.0.0.1:8443",
	    "--connect-to", "::[::1]:", "--connect-to", "b.test:80::81", "h"));
	ck_assert_uint_eq(opts.nconnect_to, 3);
	ct = options_connect_to(&opts, "A.TEST", 443);
	ck_assert_ptr_eq(ct, &opts.connect_to[0]);
	ck_assert_str_eq(ct->host2, "127.0.0.1");
	ck_assert_int_eq(ct->family, AF_INET);
	ck_assert_int_eq(ct->port2, 8443);
	/* Another port of a.test: the second, which takes any. */
	ct = options_connect_to(&opts, "a.test", 80);
	ck_assert_ptr_eq(ct, &opts.connect_to[1]);
	ck_assert_str_eq(ct->host2, "::1");
	ck_assert_int_eq(ct->family, AF_INET6);
	ck_assert_int_eq(ct->port2, 0);
	ck_assert_uint_eq(opts.connect_to[2].host1_len, 6);
	ck_assert_ptr_null(opts.connect_to[2].host2);
	ck_assert_int_eq(opts.connect_to[2].port2, 81);
	options_free(&opts);
	check_ok(PARSE("--connect-to", "[::1]:80:localhost:81", "h"));
	ck_assert_ptr_nonnull(options_connect_to(&opts, "::1", 80));
	ck_assert_ptr_null(options_connect_to(&opts, "::1", 81));
	ck_assert_int_eq(opts.connect_to[0].family, 0); /* a name */
	options_free(&opts);
	check_err(PARSE("--connect-to", "a:1:b", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: a:1:b");
	options_free(&opts);
	check_err(PARSE("--connect-to", "a:1:b:2:3", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: a:1:b:2:3");
	options_free(&opts);
	check_err(PARSE("--connect-to", "a:0:b:2", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: a:0:b:2");
	options_free(&opts);
	check_err(PARSE("--connect-to", "a:1:b:65536", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: a:1:b:65536");
	options_free(&opts);
	check_err(PARSE("--connect-to", "a:[1]:b:2", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: a:[1]:b:2");
	options_free(&opts);
	check_err(PARSE("--connect-to", "a:1::[12]", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: a:1::[12]");
	options_free(&opts);
	check_err(PARSE("--connect-to", "[::1:1:b:2", "h"),
	    "connect-to is not HOST1:PORT1:HOST2:PORT2: [::1:1:b:2");
}
END_TEST

START_TEST(test_options_parse_header)
{
	check_ok(PARSE("-H", "X-A: 1", "--header", "X-B: 2",
	    "--header=Accept:", "-HX-C;", "h"));
	ck_assert_uint_eq(opts.nheaders, 4);
	ck_assert_str_eq(opts.headers[0], "X-A: 1");
	ck_assert_str_eq(opts.headers[1], "X-B: 2");
	ck_assert_str_eq(opts.headers[2], "Accept:");
	ck_assert_str_eq(opts.headers[3], "X-C;");
}
END_TEST

START_TEST(test_options_parse_header_invalid)
{
	check_err(PARSE("-H", "bad", "h"),
	    "header bad: header must be \"Name: value\"");
	options_free(&opts);
	check_err(PARSE("-H", "X-A: 1", "-H", ": v", "h"),
	    "header : v: header name is empty or not a token");
	options_free(&opts);
	check_err(PARSE("--header", "X; v", "h"),
	    "header X; v: \"Name;\" takes no value");
}
END_TEST

START_TEST(test_options_parse_header_limit)
{
	char *argv[2 * (AWGET_MAX_HEADERS_OPT + 1) + 2];
	char names[AWGET_MAX_HEADERS_OPT + 1][16];
	int i, argc = 0;
	enum options_result r;

	argv[argc++] = "awget";
	for (i = 0; i < AWGET_MAX_HEADERS_OPT + 1; i++) {
		snprintf(names[i], sizeof(names[i]), "X-%d: %d", i, i);
		argv[argc++] = "-H";
		argv[argc++] = names[i];
	}
	argv[argc] = NULL;
	/* The first 64 are kept... */
	r = options_parse(&opts, argc - 2, argv, err, sizeof(err));
	check_ok(r);
	ck_assert_uint_eq(opts.nheaders, AWGET_MAX_HEADERS_OPT);
	ck_assert_str_eq(opts.headers[63], "X-63: 63");
	options_free(&opts);
	/* ...and one more is refused. */
	r = options_parse(&opts, argc, argv, err, sizeof(err));
	check_err(r, "more than 64 -H options");
}
END_TEST

START_TEST(test_options_parse_help)
{
	ck_assert_int_eq(PARSE("-h"), OPTIONS_HELP);
	options_free(&opts);
	ck_assert_int_eq(PARSE("--help"), OPTIONS_HELP);
	options_free(&opts);
	ck_assert_int_eq(PARSE("h", "-c", "5", "-h"), OPTIONS_HELP);
}
END_TEST

START_TEST(test_options_parse_version)
{
	ck_assert_int_eq(PARSE("-V"), OPTIONS_VERSION);
	options_free(&opts);
	ck_assert_int_eq(PARSE("--version"), OPTIONS_VERSION);
}
END_TEST

START_TEST(test_options_parse_head)
{
	check_ok(PARSE("-I", "h"));
	ck_assert_str_eq(opts.method, "HEAD");
	options_free(&opts);
	check_ok(PARSE("--head", "h"));
	ck_assert_str_eq(opts.method, "HEAD");
}
END_TEST

START_TEST(test_options_parse_request)
{
	check_ok(PARSE("-X", "PUT", "h"));
	ck_assert_str_eq(opts.method, "PUT");
	options_free(&opts);
	check_ok(PARSE("--request", "OPTIONS", "h"));
	ck_assert_str_eq(opts.method, "OPTIONS");
	options_free(&opts);
	check_ok(PARSE("--request=get", "h"));
	ck_assert_str_eq(opts.method, "get");
	options_free(&opts);
	check_err(PARSE("-X", "BAD METHOD", "h"),
	    "method is not a token: BAD METHOD");
	options_free(&opts);
	check_err(PARSE("-X", "", "h"), "method is not a token: ");
	options_free(&opts);
	check_err(PARSE("-X", "G(T", "h"), "method is not a token: G(T");
}
END_TEST

START_TEST(test_options_parse_head_with_request)
{
	check_err(PARSE("-I", "-X", "GET", "h"), "cannot use -I with -X GET");
	options_free(&opts);
	check_err(PARSE("-X", "POST", "-I", "h"), "cannot use -I with -X POST");
	options_free(&opts);
	check_ok(PARSE("-I", "-X", "HEAD", "h"));
	ck_assert_str_eq(opts.method, "HEAD");
	options_free(&opts);
	check_ok(PARSE("-X", "HEAD", "--head", "h"));
	ck_assert_str_eq(opts.method, "HEAD");
}
END_TEST

START_TEST(test_options_parse_input)
{
	check_ok(PARSE("-i", "list.txt"));
	ck_assert_pstr_eq(opts.input, "list.txt");
	ck_assert_int_eq(opts.ntargets, 0);
	options_free(&opts);
	check_ok(PARSE("--input", "-"));
	ck_assert_pstr_eq(opts.input, "-");
	options_free(&opts);
	check_ok(PARSE("--input=l"));
	ck_assert_pstr_eq(opts.input, "l");
}
END_TEST

START_TEST(test_options_parse_input_with_targets)
{
	check_err(PARSE("-i", "list.txt", "h"),
	    "cannot use -i with target arguments");
	options_free(&opts);
	check_err(PARSE("a", "--input", "list.txt", "b"),
	    "cannot use -i with target arguments");
}
END_TEST

START_TEST(test_options_parse_dash_is_stdin)
{
	check_ok(PARSE("-"));
	ck_assert_pstr_eq(opts.input, "-");
	ck_assert_int_eq(opts.ntargets, 0);
	options_free(&opts);
	check_ok(PARSE("-c", "3", "-"));
	ck_assert_pstr_eq(opts.input, "-");
	ck_assert_int_eq(opts.ntargets, 0);
	ck_assert_int_eq(opts.concurrency, 3);
}
END_TEST

START_TEST(test_options_parse_resolver)
{
	check_ok(PARSE("-r", "192.0.2.53", "h"));
	ck_assert_pstr_eq(opts.resolver, "192.0.2.53");
	options_free(&opts);
	check_ok(PARSE("--resolver", "127.0.0.1:5353", "h"));
	ck_assert_pstr_eq(opts.resolver, "127.0.0.1:5353");
	options_free(&opts);
	check_ok(PARSE("--resolver=[::1]:53", "h"));
	ck_assert_pstr_eq(opts.resolver, "[::1]:53");
	options_free(&opts);
	check_err(PARSE("-r", "dns.example", "h"),
	    "resolver is not ADDR[:PORT]: dns.example");
	options_free(&opts);
	check_err(PARSE("-r", "", "h"), "resolver is not ADDR[:PORT]: ");
}
END_TEST

START_TEST(test_options_parse_timeout)
{
	check_ok(PARSE("-t", "0.5", "h"));
	ck_assert_int_eq(opts.timeout.tv_sec, 0);
	ck_assert_int_eq(opts.timeout.tv_usec, 500000);
	options_free(&opts);
	check_ok(PARSE("--timeout", "2", "h"));
	ck_assert_int_eq(opts.timeout.tv_sec, 2);
	ck_assert_int_eq(opts.timeout.tv_usec, 0);
	options_free(&opts);
	check_ok(PARSE("--timeout=86400", "h"));
	ck_assert_int_eq(opts.timeout.tv_sec, 86400);
	ck_assert_int_eq(opts.timeout.tv_usec, 0);
	options_free(&opts);
	check_ok(PARSE("-t.001", "h"));
	ck_assert_int_eq(opts.timeout.tv_sec, 0);
	ck_assert_int_eq(opts.timeout.tv_usec, 1000);
}
END_TEST

START_TEST(test_options_parse_timeout_errors)
{
	check_err(PARSE("-t", "0", "h"),
	    "timeout is too small: 0 (0.001-86400)");
	options_free(&opts);
	check_err(PARSE("-t", "0.0001", "h"),
	    "timeout is too small: 0.0001 (0.001-86400)");
	options_free(&opts);
	check_err(PARSE("-t", "86400.001", "h"),
	    "timeout is too large: 86400.001 (0.001-86400)");
	options_free(&opts);
	check_err(PARSE("--timeout", "10s", "h"),
	    "timeout is invalid: 10s (0.001-86400)");
}
END_TEST

START_TEST(test_options_parse_verbose)
{
	check_ok(PARSE("-v", "h"));
	ck_assert_int_eq(opts.verbose, 1);
	options_free(&opts);
	check_ok(PARSE("--verbose", "h"));
	ck_assert_int_eq(opts.verbose, 1);
}
END_TEST

START_TEST(test_options_parse_grouped)
{
	check_ok(PARSE("-0Ivc", "9", "h"));
	ck_assert_int_eq(opts.http10, 1);
	ck_assert_str_eq(opts.method, "HEAD");
	ck_assert_int_eq(opts.verbose, 1);
	ck_assert_int_eq(opts.concurrency, 9);
}
END_TEST

START_TEST(test_options_parse_unknown)
{
	check_err(PARSE("-z", "h"), "unknown option -z");
	options_free(&opts);
	check_err(PARSE("-Iq", "h"), "unknown option -q");
	options_free(&opts);
	check_err(PARSE("--bogus", "h"), "unknown option --bogus");
	options_free(&opts);
	check_err(PARSE("h", "--bogus=1"), "unknown option --bogus=1");
	options_free(&opts);
	/* Regress: an unknown letter after a long option was blamed on it. */
	check_err(PARSE("--verbose", "-qv", "h"), "unknown option -q");
}
END_TEST

/* Regress: C1 controls in a value reached the terminal unescaped. */
START_TEST(test_options_parse_error_escaped)
{
	check_err(PARSE("-c",
	              "\xc2\x9b"
	              "2J",
	              "h"),
	    "concurrency is invalid: \\xc2\\x9b2J (1-1000000)");
	options_free(&opts);
	check_err(PARSE("-c", "\x1b]0;t\x07", "h"),
	    "concurrency is invalid: \\x1b]0;t\\x07 (1-1000000)");
}
END_TEST

START_TEST(test_options_parse_tls)
{
	ck_assert_int_eq(PARSE("h"), OPTIONS_OK);
	ck_assert_int_eq(opts.insecure, 0);
	ck_assert_ptr_null(opts.cacert);
	options_free(&opts);
	ck_assert_int_eq(PARSE("-k", "--cacert", "ca.pem", "h"), OPTIONS_OK);
	ck_assert_int_eq(opts.insecure, 1);
	ck_assert_str_eq(opts.cacert, "ca.pem");
	options_free(&opts);
	ck_assert_int_eq(PARSE("--insecure", "--json", "h"), OPTIONS_OK);
	ck_assert_int_eq(opts.insecure, 1);
	ck_assert_int_eq(opts.json, 1);
}
END_TEST

START_TEST(test_options_parse_resolve)
{
	const struct resolve_pin *pin;

	ck_assert_int_eq(PARSE("--resolve", "a.test:81:127.0.0.2", "--resolve",
	                     "B.test:443:[::1]", "-6", "h"),
	    OPTIONS_OK);
	ck_assert_int_eq(opts.family, AF_INET6);
	ck_assert_uint_eq(opts.npins, 2);
	pin = options_pin(&opts, "A.TEST", 81);
	ck_assert_ptr_nonnull(pin);
	ck_assert_int_eq(pin->family, AF_INET);
	ck_assert_mem_eq(pin->addr, "\x7f\x00\x00\x02", 4);
	pin = options_pin(&opts, "b.test", 443);
	ck_assert_ptr_nonnull(pin);
	ck_assert_int_eq(pin->family, AF_INET6);
	ck_assert_ptr_null(options_pin(&opts, "a.test", 82));
	ck_assert_ptr_null(options_pin(&opts, "a.tes", 81));
	options_free(&opts);
	check_err(PARSE("--resolve", "a.test:81", "h"),
	    "resolve is not HOST:PORT:ADDR: a.test:81");
	options_free(&opts);
	check_err(PARSE("--resolve", "a.test:0:127.0.0.1", "h"),
	    "resolve is not HOST:PORT:ADDR: a.test:0:127.0.0.1");
	options_free(&opts);
	check_err(PARSE("--resolve", ":81:127.0.0.1", "h"),
	    "resolve is not HOST:PORT:ADDR: :81:127.0.0.1");
	options_free(&opts);
	check_err(PARSE("--resolve", "a:81:nope", "h"),
	    "resolve is not HOST:PORT:ADDR: a:81:nope");
	options_free(&opts);
	ck_assert_int_eq(PARSE("-4", "h"), OPTIONS_OK);
	ck_assert_int_eq(opts.family, AF_INET);
}
END_TEST

START_TEST(test_options_parse_shard)
{
	ck_assert_int_eq(PARSE("--shard", "2/3", "h"), OPTIONS_OK);
	ck_assert_uint_eq(opts.shard_k, 2);
	ck_assert_uint_eq(opts.shard_n, 3);
	options_free(&opts);
	ck_assert_int_eq(PARSE("--shard", "1/1", "h"), OPTIONS_OK);
	options_free(&opts);
	check_err(PARSE("--shard", "0/3", "h"),
	    "shard is not K/N with 1 <= K <= N: 0/3");
	options_free(&opts);
	check_err(PARSE("--shard", "4/3", "h"),
	    "shard is not K/N with 1 <= K <= N: 4/3");
	options_free(&opts);
	check_err(PARSE("--shard", "3", "h"),
	    "shard is not K/N with 1 <= K <= N: 3");
	options_free(&opts);
	check_err(PARSE("--shard", "/3", "h"),
	    "shard is not K/N with 1 <= K <= N: /3");
	options_free(&opts);
	check_err(PARSE("--shard", "1/0", "h"),
	    "shard is not K/N with 1 <= K <= N: 1/0");
}
END_TEST

START_TEST(test_options_parse_long_runs)
{
	ck_assert_int_eq(PARSE("h"), OPTIONS_OK);
	ck_assert_int_eq(opts.progress, -1);
	ck_assert_int_eq(opts.stats, 0);
	ck_assert_int_eq(opts.rate, 0);
	ck_assert_int_eq(opts.retry, 0);
	ck_assert(!timerisset(&opts.connect_timeout));
	options_free(&opts);
	ck_assert_int_eq(PARSE("--progress", "--stats", "--rate", "250",
	                     "--retry", "3", "--connect-timeout", "0.25", "h"),
	    OPTIONS_OK);
	ck_assert_int_eq(opts.progress, 1);
	ck_assert_int_eq(opts.stats, 1);
	ck_assert_int_eq(opts.rate, 250);
	ck_assert_int_eq(opts.retry, 3);
	ck_assert_int_eq(opts.connect_timeout.tv_sec, 0);
	ck_assert_int_eq(opts.connect_timeout.tv_usec, 250000);
	options_free(&opts);
	/* The last of --progress and --no-progress wins. */
	ck_assert_int_eq(PARSE("--progress", "--no-progress", "h"), OPTIONS_OK);
	ck_assert_int_eq(opts.progress, 0);
	options_free(&opts);
	ck_assert_int_eq(PARSE("--retry", "0", "--rate", "1000000", "h"),
	    OPTIONS_OK);
	options_free(&opts);
	check_err(PARSE("--rate", "0", "h"),
	    "rate is too small: 0 (1-1000000)");
	options_free(&opts);
	check_err(PARSE("--rate", "1000001", "h"),
	    "rate is too large: 1000001 (1-1000000)");
	options_free(&opts);
	check_err(PARSE("--retry", "101", "h"),
	    "retry is too large: 101 (0-100)");
	options_free(&opts);
	check_err(PARSE("--retry", "x", "h"), "retry is invalid: x (0-100)");
	options_free(&opts);
	check_err(PARSE("--connect-timeout", "0", "h"),
	    "connect timeout is too small: 0 (0.001-86400)");
	options_free(&opts);
	check_err(PARSE("--progress=1", "h"),
	    "option --progress takes no value");
	options_free(&opts);
	/* Regress: a long-only option without its value was named "-\x03". */
	check_err(PARSE("h", "--rate"), "option --rate needs a value");
	options_free(&opts);
	check_err(PARSE("h", "--shard"), "option --shard needs a value");
}
END_TEST

/* Regress: "-i FILE -" dropped the "-" without a word. */
START_TEST(test_options_parse_input_and_dash)
{
	check_err(PARSE("-i", "list", "-"),
	    "cannot use -i with target arguments");
}
END_TEST

START_TEST(test_options_parse_missing_value)
{
	check_err(PARSE("-c"), "option -c/--concurrency needs a value");
	options_free(&opts);
	check_err(PARSE("h", "--timeout"), "option -t/--timeout needs a value");
	options_free(&opts);
	check_err(PARSE("-H"), "option -H/--header needs a value");
	options_free(&opts);
	check_err(PARSE("-i"), "option -i/--input needs a value");
}
END_TEST

START_TEST(test_options_parse_permutes)
{
	check_ok(PARSE("host", "-c", "5", "other", "--verbose"));
	ck_assert_int_eq(opts.concurrency, 5);
	ck_assert_int_eq(opts.verbose, 1);
	ck_assert_int_eq(opts.ntargets, 2);
	ck_assert_str_eq(opts.targets[0], "host");
	ck_assert_str_eq(opts.targets[1], "other");
}
END_TEST

START_TEST(test_options_parse_double_dash)
{
	check_ok(PARSE("-v", "--", "-c", "h"));
	ck_assert_int_eq(opts.verbose, 1);
	ck_assert_int_eq(opts.concurrency, 100);
	ck_assert_int_eq(opts.ntargets, 2);
	ck_assert_str_eq(opts.targets[0], "-c");
	ck_assert_str_eq(opts.targets[1], "h");
}
END_TEST

START_TEST(test_options_parse_again)
{
	/* Each parse starts afresh, even after one that stopped midway. */
	check_ok(PARSE("-c", "5", "-I", "-H", "X: 1", "h"));
	options_free(&opts);
	check_err(PARSE("-vz0", "h"), "unknown option -z");
	options_free(&opts);
	check_ok(PARSE("-c", "7", "h2"));
	ck_assert_int_eq(opts.concurrency, 7);
	ck_assert_str_eq(opts.method, "GET");
	ck_assert_int_eq(opts.verbose, 0);
	ck_assert_int_eq(opts.http10, 0);
	ck_assert_uint_eq(opts.nheaders, 0);
	ck_assert_int_eq(opts.ntargets, 1);
	ck_assert_str_eq(opts.targets[0], "h2");
}
END_TEST

/*
 * Regress (options.c fail callers): a rejected value is copied raw into
 * err, so a value holding CR or LF makes the "one-line message" several
 * lines on stderr.
 */
START_TEST(test_options_parse_error_one_line)
{
	enum options_result r = PARSE("-X", "GET\r\nX: 1", "h");

	ck_assert_int_eq(r, OPTIONS_ERROR);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(strchr(err, '\r'));
	options_free(&opts);
	r = PARSE("-H", "X: a\nb", "h");
	ck_assert_int_eq(r, OPTIONS_ERROR);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

/*
 * Regress (options.c, default case): "--head=1" is reported as
 * "unknown option -I", since glibc sets optopt to the option's value when
 * a no_argument long option is given a value.
 */
START_TEST(test_options_parse_flag_with_value)
{
	ck_assert_int_eq(PARSE("--head=1", "h"), OPTIONS_ERROR);
	ck_assert_msg(strstr(err, "--head") != NULL, "message \"%s\"", err);
}
END_TEST

START_TEST(test_options_free_resets)
{
	check_ok(PARSE("-H", "X: 1", "h"));
	ck_assert_ptr_nonnull(opts.headers);
	options_free(&opts);
	ck_assert_ptr_null(opts.headers);
	ck_assert_uint_eq(opts.nheaders, 0);
	options_free(&opts); /* twice is harmless */
}
END_TEST

START_TEST(test_options_usage_long_options)
{
	static const char *const names[] = {"--http1.0", "--user-agent",
	    "--concurrency", "--header", "--help", "--head", "--input",
	    "--resolver", "--timeout", "--version", "--verbose", "--request"};
	static const char shorts[] = "0AcHhIirtVvX";
	const char *u = options_usage();
	char s[8];
	size_t i;

	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(strncmp(u, "usage: awget ", 13), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(s, sizeof(s), "-%c, ", shorts[i]);
		ck_assert_msg(strstr(u, names[i]) != NULL, "no %s", names[i]);
		ck_assert_msg(strstr(u, s) != NULL, "no %s", s);
	}
}
END_TEST

START_TEST(test_options_usage_fits_80_columns)
{
	const char *u = options_usage(), *nl;
	int lines = 0;

	ck_assert_int_eq(u[strlen(u) - 1], '\n');
	for (; *u != '\0'; u = nl + 1, lines++) {
		nl = strchr(u, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - u < 80, "line %d is %d columns", lines + 1,
		    (int)(nl - u));
	}
	ck_assert_int_ge(lines, 14);
}
END_TEST

/* A test case whose tests each end with teardown, freeing what they parsed. */
static TCase *
tcase_parse(Suite *s, const char *name)
{
	TCase *tc = tcase(s, name);

	tcase_add_checked_fixture(tc, NULL, teardown);
	return tc;
}

static Suite *
options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc;

	tc = tcase_parse(s, "options_parse");
	tcase_add_test(tc, test_options_parse_defaults);
	tcase_add_test(tc, test_options_parse_targets);
	tcase_add_test(tc, test_options_parse_http10);
	tcase_add_test(tc, test_options_parse_user_agent);
	tcase_add_test(tc, test_options_parse_user_agent_control);
	tcase_add_test(tc, test_options_parse_concurrency);
	tcase_add_test(tc, test_options_parse_concurrency_errors);
	tcase_add_test(tc, test_options_parse_location);
	tcase_add_test(tc, test_options_parse_ports);
	tcase_add_test(tc, test_options_parse_connect_to);
	tcase_add_test(tc, test_options_parse_header);
	tcase_add_test(tc, test_options_parse_header_invalid);
	tcase_add_test(tc, test_options_parse_header_limit);
	tcase_add_test(tc, test_options_parse_help);
	tcase_add_test(tc, test_options_parse_version);
	tcase_add_test(tc, test_options_parse_head);
	tcase_add_test(tc, test_options_parse_request);
	tcase_add_test(tc, test_options_parse_head_with_request);
	tcase_add_test(tc, test_options_parse_input);
	tcase_add_test(tc, test_options_parse_input_with_targets);
	tcase_add_test(tc, test_options_parse_dash_is_stdin);
	tcase_add_test(tc, test_options_parse_resolver);
	tcase_add_test(tc, test_options_parse_timeout);
	tcase_add_test(tc, test_options_parse_timeout_errors);
	tcase_add_test(tc, test_options_parse_verbose);
	tcase_add_test(tc, test_options_parse_grouped);
	tcase_add_test(tc, test_options_parse_unknown);
	tcase_add_test(tc, test_options_parse_error_escaped);
	tcase_add_test(tc, test_options_parse_input_and_dash);
	tcase_add_test(tc, test_options_parse_tls);
	tcase_add_test(tc, test_options_parse_resolve);
	tcase_add_test(tc, test_options_parse_shard);
	tcase_add_test(tc, test_options_parse_long_runs);
	tcase_add_test(tc, test_options_parse_missing_value);
	tcase_add_test(tc, test_options_parse_permutes);
	tcase_add_test(tc, test_options_parse_double_dash);
	tcase_add_test(tc, test_options_parse_again);
	tcase_add_test(tc, test_options_parse_error_one_line);
	tcase_add_test(tc, test_options_parse_flag_with_value);

	tc = tcase_parse(s, "options_free");
	tcase_add_test(tc, test_options_free_resets);

	tc = tcase_parse(s, "options_usage");
	tcase_add_test(tc, test_options_usage_long_options);
	tcase_add_test(tc, test_options_usage_fits_80_columns);
	return s;
}

int
main(void)
{
	return check_run(options_suite());
}
