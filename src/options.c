/*
 * options.c: the getopt_long table and every check on option values, done
 * before any work starts (as nc does). Like curl's getparameter it returns
 * a code and a message and leaves printing to its caller.
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/util.h>

#include "awget.h"
#include "escape.h"
#include "http.h"
#include "options.h"
#include "state.h"
#include "targets.h"
#include "util.h"

/* One string for --help: longer than the 4095 bytes C99 promises every
 * compiler takes, which gcc and clang, the compilers awget builds with,
 * have no limit near. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
static const char usage_text[] =
    "usage: awget [-046hIjkLVv] [--no-progress] [--progress] [--stats]\n"
    "             [-A agent] [--cacert file] [-c concurrency]\n"
    "             [--connect-timeout seconds] [--connect-to h1:p1:h2:p2]\n"
    "             [-H header] [-i file] [--max-redirs n] [-p ports]\n"
    "             [--noproxy list] [--proxytunnel] [--rate n]\n"
    "             [-r resolver]\n"
    "             [-U user:password] [-x proxy]\n"
    "             [--resolve host:port:addr]\n"
    "             [--retry n] [--shard k/n] [-t seconds]\n"
    "             [--tls-max version] [--tlsv1.2] [--tlsv1.3]\n"
    "             [--cert file] [--key file] [--ciphers list]\n"
    "             [--tls13-ciphers list] [--sni name]\n"
    "             [--http1.1] [--http2] [--http2-prior-knowledge]\n"
    "             [-o file] [--errors file] [--state file] [--resume file]\n"
    "             [-X method] [target ...]\n"
    "  -0, --http1.0           send HTTP/1.0 instead of HTTP/1.1\n"
    "      --http1.1           HTTP/1.1 (the default)\n"
    "      --http2             HTTP/2 where TLS's ALPN chooses it, else 1.1\n"
    "      --http2-prior-knowledge\n"
    "                          HTTP/2 at once, over TLS or plain TCP\n"
    "  -4, --ipv4              connect over IPv4 only\n"
    "  -6, --ipv6              connect over IPv6 only\n"
    "      --cacert FILE       CA certificates to verify HTTPS servers with\n"
    "      --cert FILE         a PEM client certificate (its key too, or\n"
    "                          --key FILE)\n"
    "      --ciphers LIST      TLS 1.2 cipher list (OpenSSL's names)\n"
    "      --connect-timeout SECS\n"
    "                          limit on each connect, inside -t's deadline\n"
    "      --errors FILE       error lines to FILE instead of stderr\n"
    "      --connect-to H1:P1:H2:P2\n"
    "                          connect to H2:P2 for URLs on H1:P1, keeping\n"
    "                          Host, SNI and the certificate check on H1\n"
    "  -A, --user-agent AGENT  User-Agent to send (default awget/" AWGET_VERSION
    ")\n"
    "  -c, --concurrency N     targets in flight at once (default 100)\n"
    "  -H, --header 'N: V'     add or replace a header; 'N:' removes one\n"
    "  -h, --help              print this help and exit\n"
    "  -I, --head              send HEAD instead of GET\n"
    "  -i, --input FILE        read targets from FILE ('-': stdin)\n"
    "  -j, --json              one JSON object per target (JSON Lines)\n"
    "  -k, --insecure          do not verify HTTPS certificates\n"
    "      --key FILE          the key of --cert's certificate (PEM)\n"
    "  -L, --location          follow redirects, showing every hop\n"
    "      --max-redirs N      redirects -L follows at most (default 10)\n"
    "      --no-progress       no progress line, even on a terminal\n"
    "  -o, --output FILE       results to FILE instead of stdout\n"
    "  -p, --ports LIST        try each target without a port on each of\n"
    "                          LIST: 80,8000-8010,https:443\n"
    "      --noproxy LIST      no proxy for these hosts, domains, addresses\n"
    "                          and CIDR blocks ('*': none), over NO_PROXY\n"
    "      --proxytunnel       through an HTTP proxy, CONNECT for http://\n"
    "                          targets too (https:// always is)\n"
    "      --progress          a progress line on stderr, even if it is\n"
    "                          not a terminal\n"
    "      --rate N            at most N new connections a second\n"
    "      --resolve HOST:PORT:ADDR\n"
    "                          connect to ADDR for HOST:PORT, without DNS\n"
    "      --retry N           retry a connection refused, reset or timed\n"
    "                          out before any answer, N times at most\n"
    "      --resume FILE       go on from --state FILE's checkpoint: the\n"
    "                          same input and options, the same -o\n"
    "  -r, --resolver ADDR[:PORT]\n"
    "                          DNS server to ask instead of resolv.conf's\n"
    "      --sni NAME          send NAME as SNI (and check the certificate\n"
    "                          for it); --sni '' sends none\n"
    "      --shard K/N         only the targets at positions i with\n"
    "                          i % N = K - 1 (split a list over N runs)\n"
    "      --state FILE        a checkpoint in FILE every second and at the\n"
    "                          end, for --resume (needs -o)\n"
    "      --stats             a summary on stderr at the end\n"
    "  -t, --timeout SECS      deadline per target (default 10)\n"
    "      --tls-max VERSION   newest TLS to offer: 1.2 or 1.3 (default)\n"
    "      --tls13-ciphers LIST\n"
    "                          TLS 1.3 cipher suites (OpenSSL's names)\n"
    "      --tlsv1.2, --tlsv1.3\n"
    "                          oldest TLS to offer (default 1.2)\n"
    "  -U, --proxy-user USER:PASSWORD\n"
    "                          the proxy's credentials\n"
    "  -V, --version           print the version and exit\n"
    "  -v, --verbose           trace every target's state changes on stderr\n"
    "  -X, --request METHOD    send METHOD instead of GET\n"
    "  -x, --proxy URL         through this proxy: http://HOST:PORT (the\n"
    "                          default scheme; port 1080 by default),\n"
    "                          socks4://, socks4a://, socks5://, socks5h://\n";
#pragma GCC diagnostic pop

/* Long options without a letter. */
#define OPTION_CACERT 256
#define OPTION_RESOLVE 257
#define OPTION_SHARD 258
#define OPTION_CONNECT_TIMEOUT 259
#define OPTION_PROGRESS 260
#define OPTION_NO_PROGRESS 261
#define OPTION_RATE 262
#define OPTION_RETRY 263
#define OPTION_STATS 264
#define OPTION_TLS_MAX 265
#define OPTION_MAX_REDIRS 266
#define OPTION_CONNECT_TO 267
#define OPTION_PROXYTUNNEL 268
#define OPTION_NOPROXY 269
#define OPTION_CERT 270
#define OPTION_KEY 271
#define OPTION_TLSV12 272
#define OPTION_TLSV13 273
#define OPTION_CIPHERS 274
#define OPTION_TLS13_CIPHERS 275
#define OPTION_SNI 276
#define OPTION_HTTP2 277
#define OPTION_HTTP2_PRIOR 278
#define OPTION_HTTP11 279
#define OPTION_ERRORS 280
#define OPTION_STATE 281
#define OPTION_RESUME 282

static const struct option longopts[] = {
    {"http1.0", no_argument, NULL, '0'},
    {"http1.1", no_argument, NULL, OPTION_HTTP11},
    {"http2", no_argument, NULL, OPTION_HTTP2},
    {"http2-prior-knowledge", no_argument, NULL, OPTION_HTTP2_PRIOR},
    {"ipv4", no_argument, NULL, '4'},
    {"ipv6", no_argument, NULL, '6'},
    {"resolve", required_argument, NULL, OPTION_RESOLVE},
    {"connect-to", required_argument, NULL, OPTION_CONNECT_TO},
    {"ports", required_argument, NULL, 'p'},
    {"proxy", required_argument, NULL, 'x'},
    {"proxy-user", required_argument, NULL, 'U'},
    {"proxytunnel", no_argument, NULL, OPTION_PROXYTUNNEL},
    {"noproxy", required_argument, NULL, OPTION_NOPROXY},
    {"shard", required_argument, NULL, OPTION_SHARD},
    {"connect-timeout", required_argument, NULL, OPTION_CONNECT_TIMEOUT},
    {"progress", no_argument, NULL, OPTION_PROGRESS},
    {"no-progress", no_argument, NULL, OPTION_NO_PROGRESS},
    {"rate", required_argument, NULL, OPTION_RATE},
    {"retry", required_argument, NULL, OPTION_RETRY},
    {"stats", no_argument, NULL, OPTION_STATS},
    {"tls-max", required_argument, NULL, OPTION_TLS_MAX},
    {"tlsv1.2", no_argument, NULL, OPTION_TLSV12},
    {"tlsv1.3", no_argument, NULL, OPTION_TLSV13},
    {"cert", required_argument, NULL, OPTION_CERT},
    {"key", required_argument, NULL, OPTION_KEY},
    {"ciphers", required_argument, NULL, OPTION_CIPHERS},
    {"tls13-ciphers", required_argument, NULL, OPTION_TLS13_CIPHERS},
    {"sni", required_argument, NULL, OPTION_SNI},
    {"user-agent", required_argument, NULL, 'A'},
    {"concurrency", required_argument, NULL, 'c'},
    {"header", required_argument, NULL, 'H'},
    {"help", no_argument, NULL, 'h'},
    {"head", no_argument, NULL, 'I'},
    {"input", required_argument, NULL, 'i'},
    {"json", no_argument, NULL, 'j'},
    {"insecure", no_argument, NULL, 'k'},
    {"location", no_argument, NULL, 'L'},
    {"max-redirs", required_argument, NULL, OPTION_MAX_REDIRS},
    {"cacert", required_argument, NULL, OPTION_CACERT},
    {"resolver", required_argument, NULL, 'r'},
    {"timeout", required_argument, NULL, 't'},
    {"version", no_argument, NULL, 'V'},
    {"verbose", no_argument, NULL, 'v'},
    {"request", required_argument, NULL, 'X'},
    {"output", required_argument, NULL, 'o'},
    {"errors", required_argument, NULL, OPTION_ERRORS},
    {"state", required_argument, NULL, OPTION_STATE},
    {"resume", required_argument, NULL, OPTION_RESUME},
    {NULL, 0, NULL, 0},
};

static const char shortopts[] = ":046A:c:H:hIi:jkLo:p:r:t:U:VvX:x:";

const char *
options_usage(void)
{
	return usage_text;
}

static enum options_result fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Format the message, escaped like server bytes so it stays one line and
 * a value given on the command line cannot act on the terminal. */
static enum options_result
fail(char *err, size_t errlen, const char *fmt, ...)
{
	char msg[256], safe[ESCAPE_MAX(sizeof(msg)) + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	safe[escape_bytes(safe, msg, n)] = '\0';
	snprintf(err, errlen, "%s", safe);
	return OPTIONS_ERROR;
}

static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		        (*s >= '0' && *s <= '9') ||
		        strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	}
	return 1;
}

/* "HOST:PORT:ADDR", ADDR an IPv4 address or an IPv6 one, bracketed or not. */
static int
parse_pin(const char *arg, struct resolve_pin *pin)
{
	const char *c1 = strchr(arg, ':'), *c2, *errstr;
	char port[8], addr[INET6_ADDRSTRLEN + 2];
	size_t len;

	if (c1 == NULL || c1 == arg || c1 - arg > 253 ||
	    (c2 = strchr(c1 + 1, ':')) == NULL || c2 - c1 - 1 >= 7)
		return -1;
	memcpy(port, c1 + 1, c2 - c1 - 1);
	port[c2 - c1 - 1] = '\0';
	pin->port = (unsigned short)parse_number(port, 1, 65535, &errstr);
	if (errstr != NULL)
		return -1;
	c2++;
	len = strlen(c2);
	if (len >= 2 && c2[0] == '[' && c2[len - 1] == ']') {
		c2++;
		len -= 2;
	}
	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, c2, len);
	addr[len] = '\0';
	pin->host = arg;
	pin->host_len = c1 - arg;
	if (inet_pton(AF_INET, addr, pin->addr) == 1)
		pin->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, pin->addr) == 1)
		pin->family = AF_INET6;
	else
		return -1;
	return 0;
}

/*
 * One field of --connect-to at *s, up to the next ':' (or the end, for
 * the last): in a host field, a bracketed IPv6 address as one, brackets
 * taken off. Moves
 * *s past the field and its ':'; -1 if it is not followed as it must be.
 */
static int
connect_field(const char **s, int last, int host, const char **f, size_t *n)
{
	const char *p = *s, *end;

	if (*p == '[' && host) {
		if ((end = strchr(p, ']')) == NULL)
			return -1;
		*f = p + 1;
		*n = end - p - 1;
		end++;
	} else {
		end = last ? p + strlen(p) : strchr(p, ':');
		if (end == NULL)
			return -1;
		*f = p;
		*n = end - p;
	}
	if (last ? *end != '\0' : *end != ':')
		return -1;
	*s = last ? end : end + 1;
	return 0;
}

/* A --connect-to port field: empty (0), or 1-65535. */
static int
connect_port(const char *f, size_t n, unsigned short *port)
{
	char num[8];
	const char *errstr;

	*port = 0;
	if (n == 0)
		return 0;
	if (n >= sizeof(num))
		return -1;
	memcpy(num, f, n);
	num[n] = '\0';
	*port = (unsigned short)parse_number(num, 1, 65535, &errstr);
	return errstr != NULL ? -1 : 0;
}

/* "HOST1:PORT1:HOST2:PORT2", each field may be empty (curl's syntax). */
static int
parse_connect_to(const char *arg, struct connect_to *ct)
{
	const char *s = arg, *f;
	size_t n;

	memset(ct, 0, sizeof(*ct));
	if (connect_field(&s, 0, 1, &ct->host1, &ct->host1_len) == -1 ||
	    ct->host1_len > AWGET_MAX_HOSTNAME ||
	    connect_field(&s, 0, 0, &f, &n) == -1 ||
	    connect_port(f, n, &ct->port1) == -1 ||
	    connect_field(&s, 0, 1, &f, &n) == -1 || n > AWGET_MAX_HOSTNAME)
		return -1;
	if (n > 0) {
		ct->host2 = xcalloc(1, n + 1);
		memcpy(ct->host2, f, n);
		if (inet_pton(AF_INET, ct->host2, ct->addr) == 1)
			ct->family = AF_INET;
		else if (inet_pton(AF_INET6, ct->host2, ct->addr) == 1)
			ct->family = AF_INET6;
	}
	if (connect_field(&s, 1, 0, &f, &n) == -1 ||
	    connect_port(f, n, &ct->port2) == -1) {
		free(ct->host2);
		ct->host2 = NULL;
		return -1;
	}
	return 0;
}

/* "K/N" with 1 <= K <= N, as masscan's --shard. */
static int
parse_shard(const char *arg, unsigned long long *k, unsigned long long *n)
{
	const char *slash = strchr(arg, '/'), *errstr;
	char num[24];
	size_t len;

	if (slash == NULL || (len = slash - arg) == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, arg, len);
	num[len] = '\0';
	*n = (unsigned long long)parse_number(slash + 1, 1, 1LL << 40, &errstr);
	if (errstr != NULL)
		return -1;
	*k = (unsigned long long)parse_number(num, 1, (long long)*n, &errstr);
	return errstr != NULL ? -1 : 0;
}

/* An IP address with an optional port, as evdns takes a nameserver. */
static int
is_address(const char *s)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);

	return evutil_parse_sockaddr_port(s, (struct sockaddr *)&ss, &len) == 0;
}

/* The name getopt saw for the option in argv, for messages. */
static const char *
option_name(int c, char *buf, size_t len)
{
	const struct option *lo;

	for (lo = longopts; lo->name != NULL; lo++)
		if (lo->val == c) {
			if (c > 0xff) /* long only */
				snprintf(buf, len, "--%s", lo->name);
			else
				snprintf(buf, len, "-%c/--%s", c, lo->name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

/*
 * Whether getopt stopped on the long option arg: "--bogus" (optopt 0), or
 * "--head=1", for which glibc sets optopt to the flag's letter. An unknown
 * letter in a group after a long option ("--verbose -qv") is not.
 */
static int
is_long_option(const char *arg, int opt)
{
	const struct option *lo;
	size_t len;

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	if (opt == 0)
		return 1;
	len = strcspn(arg + 2, "=");
	for (lo = longopts; lo->name != NULL; lo++)
		if (lo->val == opt && strlen(lo->name) == len &&
		    strncmp(lo->name, arg + 2, len) == 0)
			return 1;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * One line of the run's fingerprint (state.h): "option NAME[ VALUE]",
 * the value escaped, or only its SHA-256 if it may hold a secret.
 */
static void
fingerprint_line(struct options *o, const char *name, const char *value,
    int secret)
{
	char esc[ESCAPE_MAX(512) + 1];
	struct buf *b = &o->fingerprint;
	size_t n;

	buf_append(b, "option ", 7);
	buf_append(b, name, strlen(name));
	if (value != NULL) {
		buf_append(b, " ", 1);
		n = strlen(value);
		if (secret)
			state_sha256(b, value, n);
		else if (n > 512) { /* long: its start, and all of it hashed */
			buf_append(b, esc, escape_bytes(esc, value, 64));
			buf_append(b, "... ", 4);
			state_sha256(b, value, n);
		} else
			buf_append(b, esc, escape_bytes(esc, value, n));
	}
	buf_append(b, "\n", 1);
}

/*
 * An option given, into the fingerprint as "--LONG-NAME" and its value,
 * unless it only changes how fast or how visibly the run goes. -x, -U and
 * -H, which may carry credentials, are kept as hashes.
 */
static void
fingerprint_option(struct options *o, int c, const char *arg)
{
	static const int pace[] = {'c', OPTION_RATE, OPTION_PROGRESS,
	    OPTION_NO_PROGRESS, OPTION_STATS, OPTION_STATE, OPTION_RESUME};
	const struct option *lo;
	char name[64];
	size_t i;
	int secret = c == 'x' || c == 'U';

	for (i = 0; i < sizeof(pace) / sizeof(pace[0]); i++)
		if (pace[i] == c)
			return;
	for (lo = longopts; lo->name != NULL && lo->val != c; lo++)
		;
	if (lo->name == NULL)
		return;
	/* Any header may carry a key (X-Api-Key, a token): all hashed. */
	if (c == 'H')
		secret = 1;
	snprintf(name, sizeof(name), "--%s", lo->name);
	fingerprint_line(o, name, arg, secret);
}

/*
 * "--re", a prefix of several names: say which, in order, as
 * "ambiguous option --re (--rate, --request, ...)".
 */
static enum options_result
ambiguous_error(const char *arg, size_t len, char *err, size_t errlen)
{
	const char *names[sizeof(longopts) / sizeof(longopts[0])];
	char list[512];
	size_t i, n = 0, off = 0;

	for (i = 0; longopts[i].name != NULL; i++)
		if (strncmp(longopts[i].name, arg + 2, len) == 0)
			names[n++] = longopts[i].name;
	qsort(names, n, sizeof(names[0]), by_name);
	list[0] = '\0';
	for (i = 0; i < n && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s--%s",
		    i > 0 ? ", " : "", names[i]);
	return fail(err, errlen, "ambiguous option %.*s (%s)", (int)len + 2,
	    arg, list);
}

/*
 * "--bogus", "--re" (a prefix of several), or "--head=1": glibc sets
 * optopt to the flag's letter then.
 */
static enum options_result
long_option_error(const char *arg, char *err, size_t errlen)
{
	const struct option *lo, *match = NULL;
	size_t len = strcspn(arg + 2, "="), prefixes = 0;

	for (lo = longopts; lo->name != NULL && len > 0; lo++) {
		if (strncmp(lo->name, arg + 2, len) != 0)
			continue;
		if (strlen(lo->name) == len) {
			match = lo;
			prefixes = 1;
			break;
		}
		match = lo;
		prefixes++;
	}
	if (prefixes > 1)
		return ambiguous_error(arg, len, err, errlen);
	if (match != NULL) /* the one it names was given a value */
		return fail(err, errlen, "option --%s takes no value",
		    match->name);
	return fail(err, errlen, "unknown option %s", arg);
}

/* The first of two environment variables set and not empty, or NULL. */
static const char *
first_env(const char *a, const char *b)
{
	const char *v;

	if (a != NULL && (v = getenv(a)) != NULL && v[0] != '\0')
		return v;
	if (b != NULL && (v = getenv(b)) != NULL && v[0] != '\0')
		return v;
	return NULL;
}

/* One proxy of the environment, from variable name's value url. */
static const char *
env_proxy(const char *name, const char *url, struct proxy *p, int *use,
    char *err, size_t errlen)
{
	const char *why;

	if (url == NULL)
		return NULL;
	why = proxy_parse(url, NULL, p);
	if (why != NULL) {
		fail(err, errlen, "proxy in %s: %s", name, why);
		return why;
	}
	*use = 1;
	return NULL;
}

/* The proxies of the environment, with curl's names and precedence. */
static const char *
env_proxies(struct options *o, char *err, size_t errlen)
{
	const char *all = first_env("all_proxy", "ALL_PROXY"), *v;

	v = first_env("http_proxy", NULL); /* not HTTP_PROXY: CGI's httpoxy */
	if (env_proxy(v != NULL ? "http_proxy" : "all_proxy", v ? v : all,
	        &o->env_http, &o->use_env_http, err, errlen) != NULL)
		return err;
	v = first_env("https_proxy", "HTTPS_PROXY");
	return env_proxy(v != NULL ? "https_proxy" : "all_proxy", v ? v : all,
	    &o->env_https, &o->use_env_https, err, errlen);
}

enum options_result
options_parse(struct options *o, int argc, char **argv, char *err,
    size_t errlen)
{
	const char *errstr, *method = NULL, *proxy_url = NULL;
	const char *proxy_user = NULL, *noproxy = NULL;
	char name[32];
	int c, i, head = 0;
	long long n;

	memset(o, 0, sizeof(*o));
	o->user_agent = "awget/" AWGET_VERSION;
	o->concurrency = AWGET_DEFAULT_CONCURRENCY;
	o->progress = -1;
	o->max_redirs = 10;
	o->timeout.tv_sec = AWGET_DEFAULT_TIMEOUT_MS / 1000;
	o->timeout.tv_usec = (AWGET_DEFAULT_TIMEOUT_MS % 1000) * 1000;
	optind = 0; /* glibc: start afresh, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case '0':
			o->http10 = 1;
			break;
		case '4':
		case '6':
			o->family = c == '4' ? AF_INET : AF_INET6;
			break;
		case OPTION_RESOLVE:
			if (o->npins == AWGET_MAX_PINS)
				return fail(err, errlen,
				    "more than %d --resolve options",
				    AWGET_MAX_PINS);
			o->pins = xrealloc(o->pins,
			    (o->npins + 1) * sizeof(*o->pins));
			if (parse_pin(optarg, &o->pins[o->npins]) == -1)
				return fail(err, errlen,
				    "resolve is not HOST:PORT:ADDR: %s",
				    optarg);
			o->npins++;
			break;
		case OPTION_CONNECT_TO:
			if (o->nconnect_to == AWGET_MAX_PINS)
				return fail(err, errlen,
				    "more than %d --connect-to options",
				    AWGET_MAX_PINS);
			o->connect_to = xrealloc(o->connect_to,
			    (o->nconnect_to + 1) * sizeof(*o->connect_to));
			if (parse_connect_to(optarg,
			        &o->connect_to[o->nconnect_to]) == -1)
				return fail(err, errlen,
				    "connect-to is not "
				    "HOST1:PORT1:HOST2:PORT2: %s",
				    optarg);
			o->nconnect_to++;
			break;
		case 'x':
			proxy_url = optarg;
			o->proxy_given = 1;
			break;
		case OPTION_NOPROXY:
			noproxy = optarg;
			break;
		case 'U':
			proxy_user = optarg;
			break;
		case OPTION_PROXYTUNNEL:
			o->proxytunnel = 1;
			break;
		case 'p':
			ports_free(&o->ports);
			if ((errstr = ports_parse(optarg, &o->ports)) != NULL)
				return fail(err, errlen, "ports: %s: %s",
				    errstr, optarg);
			break;
		case OPTION_SHARD:
			if (parse_shard(optarg, &o->shard_k, &o->shard_n) == -1)
				return fail(err, errlen,
				    "shard is not K/N with 1 <= K <= N: %s",
				    optarg);
			break;
		case OPTION_CONNECT_TIMEOUT:
			if (parse_seconds(optarg, 86400 * 1000LL,
			        &o->connect_timeout, &errstr) == -1)
				return fail(err, errlen,
				    "connect timeout is %s: %s (0.001-86400)",
				    errstr, optarg);
			break;
		case OPTION_PROGRESS:
		case OPTION_NO_PROGRESS:
			o->progress = c == OPTION_PROGRESS ? 1 : 0;
			break;
		case OPTION_RATE:
			n = parse_number(optarg, 1, AWGET_MAX_RATE, &errstr);
			if (errstr != NULL)
				return fail(err, errlen,
				    "rate is %s: %s (1-%d)", errstr, optarg,
				    AWGET_MAX_RATE);
			o->rate = n;
			break;
		case OPTION_RETRY:
			n = parse_number(optarg, 0, AWGET_MAX_RETRY, &errstr);
			if (errstr != NULL)
				return fail(err, errlen,
				    "retry is %s: %s (0-%d)", errstr, optarg,
				    AWGET_MAX_RETRY);
			o->retry = (int)n;
			break;
		case 'L':
			o->location = 1;
			break;
		case OPTION_MAX_REDIRS:
			n = parse_number(optarg, 0, AWGET_MAX_REDIRS, &errstr);
			if (errstr != NULL)
				return fail(err, errlen,
				    "max-redirs is %s: %s (0-%d)", errstr,
				    optarg, AWGET_MAX_REDIRS);
			o->max_redirs = (int)n;
			break;
		case OPTION_STATS:
			o->stats = 1;
			break;
		case 'o':
		case OPTION_ERRORS:
		case OPTION_STATE:
		case OPTION_RESUME:
			if (optarg[0] == '\0')
				return fail(err, errlen, "%s needs a file name",
				    option_name(c, name, sizeof(name)));
			*(c == 'o'                   ? &o->output
			        : c == OPTION_ERRORS ? &o->errors
			        : c == OPTION_STATE  ? &o->state
			                             : &o->resume) = optarg;
			break;
		case OPTION_HTTP11:
			o->http2 = HTTP2_NO;
			break;
		case OPTION_HTTP2:
			o->http2 = HTTP2_ALPN;
			break;
		case OPTION_HTTP2_PRIOR:
			o->http2 = HTTP2_PRIOR;
			break;
		case OPTION_TLSV12:
			o->tls_min = 2;
			break;
		case OPTION_TLSV13:
			o->tls_min = 3;
			break;
		case OPTION_CERT:
			o->cert = optarg;
			break;
		case OPTION_KEY:
			o->key = optarg;
			break;
		case OPTION_CIPHERS:
			o->ciphers = optarg;
			break;
		case OPTION_TLS13_CIPHERS:
			o->tls13_ciphers = optarg;
			break;
		case OPTION_SNI:
			if (strlen(optarg) > AWGET_MAX_HOSTNAME ||
			    strcspn(optarg, " \t\r\n/") != strlen(optarg))
				return fail(err, errlen,
				    "--sni is not a host name: %s", optarg);
			o->sni = optarg;
			break;
		case OPTION_TLS_MAX:
			if (strcmp(optarg, "1.2") == 0)
				o->tls_max = 2;
			else if (strcmp(optarg, "1.3") == 0)
				o->tls_max = 3;
			else
				return fail(err, errlen,
				    "TLS version is not 1.2 or 1.3: %s",
				    optarg);
			break;
		case 'A':
			if (has_control(optarg))
				return fail(err, errlen,
				    "user agent has a control character");
			o->user_agent = optarg;
			break;
		case 'c':
			n = parse_number(optarg, 1, AWGET_MAX_CONCURRENCY,
			    &errstr);
			if (errstr != NULL)
				return fail(err, errlen,
				    "concurrency is %s: %s (1-%d)", errstr,
				    optarg, AWGET_MAX_CONCURRENCY);
			o->concurrency = (int)n;
			break;
		case 'H':
			if ((errstr = http_check_header(optarg)) != NULL)
				return fail(err, errlen, "header %s: %s",
				    optarg, errstr);
			if (o->nheaders == AWGET_MAX_HEADERS_OPT)
				return fail(err, errlen,
				    "more than %d -H options",
				    AWGET_MAX_HEADERS_OPT);
			o->headers = xrealloc(o->headers,
			    (o->nheaders + 1) * sizeof(*o->headers));
			o->headers[o->nheaders++] = optarg;
			break;
		case 'h':
			return OPTIONS_HELP;
		case 'I':
			head = 1;
			break;
		case 'i':
			o->input = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'k':
			o->insecure = 1;
			break;
		case OPTION_CACERT:
			o->cacert = optarg;
			break;
		case 'r':
			if (!is_address(optarg))
				return fail(err, errlen,
				    "resolver is not ADDR[:PORT]: %s", optarg);
			o->resolver = optarg;
			break;
		case 't':
			if (parse_seconds(optarg, 86400 * 1000LL, &o->timeout,
			        &errstr) == -1)
				return fail(err, errlen,
				    "timeout is %s: %s (0.001-86400)", errstr,
				    optarg);
			break;
		case 'V':
			return OPTIONS_VERSION;
		case 'v':
			o->verbose = 1;
			break;
		case 'X':
			if (!is_token(optarg))
				return fail(err, errlen,
				    "method is not a token: %s", optarg);
			method = optarg;
			break;
		case ':':
			return fail(err, errlen, "option %s needs a value",
			    option_name(optopt, name, sizeof(name)));
		default:
			if (is_long_option(argv[optind - 1], optopt))
				return long_option_error(argv[optind - 1], err,
				    errlen);
			if (optopt != 0)
				return fail(err, errlen, "unknown option -%c",
				    optopt);
			return fail(err, errlen, "unknown option %s",
			    argv[optind - 1]);
		}
		fingerprint_option(o, c, optarg);
	}
	for (i = optind; i < argc; i++)
		fingerprint_line(o, "target", argv[i], 0);
	if (proxy_url != NULL && proxy_url[0] != '\0') {
		if ((errstr = proxy_parse(proxy_url, proxy_user, &o->proxy)) !=
		    NULL)
			return fail(err, errlen, "proxy: %s", errstr);
		o->use_proxy = 1;
	} else if (proxy_user != NULL)
		return fail(err, errlen, "-U needs a proxy (-x)");
	if (!o->proxy_given && (errstr = env_proxies(o, err, errlen)) != NULL)
		return OPTIONS_ERROR;
	o->noproxy =
	    noproxy != NULL ? noproxy : first_env("NO_PROXY", "no_proxy");
	/* The environment's proxies change what is fetched too. */
	if (o->use_env_http)
		fingerprint_line(o, "env http_proxy", o->env_http.shown, 0);
	if (o->use_env_https)
		fingerprint_line(o, "env https_proxy", o->env_https.shown, 0);
	if (noproxy == NULL && o->noproxy != NULL)
		fingerprint_line(o, "env no_proxy", o->noproxy, 0);
	if (o->key != NULL && o->cert == NULL)
		return fail(err, errlen, "--key needs --cert");
	if (o->http10 && o->http2 != HTTP2_NO)
		return fail(err, errlen, "cannot use -0 with --http2");
	if (o->tls_max != 0 && o->tls_min > o->tls_max)
		return fail(err, errlen, "--tlsv1.3 with --tls-max 1.2");
	if (head && method != NULL && strcmp(method, "HEAD") != 0)
		return fail(err, errlen, "cannot use -I with -X %s", method);
	o->method = head ? "HEAD" : method != NULL ? method : "GET";
	o->targets = argv + optind;
	o->ntargets = argc - optind;
	if (o->ntargets == 1 && strcmp(o->targets[0], "-") == 0 &&
	    o->input == NULL) {
		o->ntargets = 0;
		o->input = "-";
	}
	if (o->input != NULL && o->ntargets > 0)
		return fail(err, errlen, "cannot use -i with target arguments");
	if (o->input == NULL && o->ntargets == 0)
		o->input = "-";
	return OPTIONS_OK;
}

const struct resolve_pin *
options_pin(const struct options *o, const char *host, unsigned short port)
{
	size_t i, len = strlen(host);

	for (i = 0; i < o->npins; i++)
		if (o->pins[i].port == port && o->pins[i].host_len == len &&
		    strncasecmp(o->pins[i].host, host, len) == 0)
			return &o->pins[i];
	return NULL;
}

const struct proxy *
options_proxy(const struct options *o, const struct target *t)
{
	if (o->noproxy != NULL && proxy_skipped(o->noproxy, t->host))
		return NULL;
	if (o->proxy_given)
		return o->use_proxy ? &o->proxy : NULL;
	if (t->tls)
		return o->use_env_https ? &o->env_https : NULL;
	return o->use_env_http ? &o->env_http : NULL;
}

const struct connect_to *
options_connect_to(const struct options *o, const char *host,
    unsigned short port)
{
	size_t i, len = strlen(host);
	const struct connect_to *ct;

	for (i = 0; i < o->nconnect_to; i++) {
		ct = &o->connect_to[i];
		if ((ct->port1 == 0 || ct->port1 == port) &&
		    (ct->host1_len == 0 ||
		        (ct->host1_len == len &&
		            strncasecmp(ct->host1, host, len) == 0)))
			return ct;
	}
	return NULL;
}

void
options_free(struct options *o)
{
	size_t i;

	for (i = 0; i < o->nconnect_to; i++)
		free(o->connect_to[i].host2);
	free(o->connect_to);
	o->connect_to = NULL;
	o->nconnect_to = 0;
	ports_free(&o->ports);
	buf_free(&o->fingerprint);
	proxy_free(&o->proxy);
	proxy_free(&o->env_http);
	proxy_free(&o->env_https);
	o->use_proxy = o->use_env_http = o->use_env_https = 0;
	free(o->pins);
	o->pins = NULL;
	o->npins = 0;
	free(o->headers);
	o->headers = NULL;
	o->nheaders = 0;
}
