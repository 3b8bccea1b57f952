/*
 * dns.c: evdns setup, and the lookup of one name. Names are resolved
 * asynchronously on the run's one event base; /etc/hosts is honoured, and
 * IP literals never get here.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

#include "dns.h"
#include "util.h"

struct evdns_base *
dns_new(struct event_base *base, int inflight, const char *resolver,
    const struct timeval *deadline, const char **errstr)
{
	struct evdns_base *dns;
	char n[16], timeout[16], attempts[16], skew[16];
	double secs = deadline->tv_sec + deadline->tv_usec / 1e6, each;

	if (resolver == NULL) {
		/* resolv.conf and /etc/hosts; no nameserver means 127.0.0.1. */
		dns = evdns_base_new(base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		        EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (dns == NULL) {
			*errstr = "cannot read /etc/resolv.conf";
			return NULL;
		}
	} else {
		dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (dns == NULL) {
			*errstr = "cannot create the resolver";
			return NULL;
		}
		/* NULL would only add localhost; a missing file is fine. */
		evdns_base_load_hosts(dns, "/etc/hosts");
		if (evdns_base_nameserver_ip_add(dns, resolver) != 0) {
			evdns_base_free(dns, 0);
			*errstr = "cannot use the resolver";
			return NULL;
		}
	}
	/*
	 * evdns queues queries past 64 in flight; let as many run as there
	 * are targets in flight, so that names never hold up the slots.
	 */
	snprintf(n, sizeof(n), "%d", inflight < 65535 ? inflight : 65535);
	/*
	 * With one of the A and AAAA answers in hand, evdns waits this long
	 * for the other: when the first is an error (no AAAA record, say),
	 * giving up early loses an A record that is merely slow, so wait its
	 * usual 3 s, but never more than half the deadline.
	 */
	/*
	 * Retransmit at most every 2 s, and keep at it past the deadline: a
	 * server that never answers is the target's "timed out in phase
	 * resolve", and evdns's own failure always means a server's answer.
	 */
	each = secs / 3 < 2 ? secs / 3 : 2;
	if (each < 0.1)
		each = 0.1;
	snprintf(timeout, sizeof(timeout), "%.3f", each);
	snprintf(skew, sizeof(skew), "%.3f", secs / 2 < 3 ? secs / 2 : 3);
	snprintf(attempts, sizeof(attempts), "%d",
	    secs / each + 2 < 255 ? (int)(secs / each) + 2 : 255);
	if (evdns_base_set_option(dns, "max-inflight:", n) == -1 ||
	    evdns_base_set_option(dns, "getaddrinfo-allow-skew:", skew) == -1 ||
	    evdns_base_set_option(dns, "timeout:", timeout) == -1 ||
	    evdns_base_set_option(dns, "attempts:", attempts) == -1) {
		evdns_base_free(dns, 0);
		*errstr = "cannot set the resolver's options";
		return NULL;
	}
	*errstr = NULL;
	return dns;
}

const char *
dns_strerror(int code, int family)
{
	switch (code) {
	case EVUTIL_EAI_NONAME:
		return "no such host (NXDOMAIN)";
	case EVUTIL_EAI_NODATA:
		return family == AF_INET ? "no IPv4 address for this name"
		    : family == AF_INET6 ? "no IPv6 address for this name"
		                         : "no address for this name";
	case EVUTIL_EAI_FAIL:
	case EVUTIL_EAI_AGAIN:
		/* evdns folds these together: say what it can be. */
		return "no usable answer (SERVFAIL, REFUSED, or no record "
		       "of the wanted family)";
	default:
		return evutil_gai_strerror(code);
	}
}

const char *
dns_diagnosis(int result, int count, int family)
{
	switch (result) {
	case DNS_ERR_NODATA:
		return dns_strerror(EVUTIL_EAI_NODATA, family);
	case DNS_ERR_NOTEXIST:
		return "no such host (NXDOMAIN)";
	case DNS_ERR_SERVERFAILED:
		return "name server failure (SERVFAIL)";
	case DNS_ERR_TIMEOUT:
		/* evdns answers a SERVFAIL by marking the server down and
		 * asking again until its own retries run out. */
		return "name server failure (SERVFAIL, or no answer)";
	case DNS_ERR_REFUSED:
		return "the name server refused (REFUSED)";
	case DNS_ERR_NONE:
		/* This A query worked; the AAAA one failed with it. */
		return count > 0 ? "name server failure on the IPv6 query"
		                 : dns_strerror(EVUTIL_EAI_NODATA, family);
	default:
		return evdns_err_to_string(result);
	}
}

void
dns_free(struct evdns_base *dns)
{
	/*
	 * Fail rather than drop what is left, so that a request's callback,
	 * which owns its state, is not lost (main has run the loop's last
	 * pass: normally nothing is left).
	 */
	if (dns != NULL)
		evdns_base_free(dns, 1);
}

/*
 * One lookup. evdns may answer before evdns_getaddrinfo returns (a name
 * from /etc/hosts), and a cancelled request still calls back later: so
 * an answer is handed over only from the loop (the defer event), and the
 * lookup frees itself once evdns owes it no callback.
 */
struct dns_lookup {
	struct evdns_base *dns;
	dns_cb *cb; /* NULL once cancelled */
	void *arg;
	const char *host; /* the caller's, while not cancelled */
	int family;
	int pending; /* evdns callbacks still to come */
	int calling; /* inside evdns_getaddrinfo */
	struct evdns_getaddrinfo_request *gai;
	struct evdns_request *diag;
	struct event defer; /* hands over an answer made while calling */
	struct evutil_addrinfo *ai;
	const char *why;
};

static void
dns_release(struct dns_lookup *l)
{
	if (l->cb == NULL && l->pending == 0)
		free(l);
}

static void
dns_on_defer(evutil_socket_t fd, short what, void *arg)
{
	struct dns_lookup *l = arg;

	(void)fd;
	(void)what;
	l->cb(l->ai, l->why, l->arg);
	free(l);
}

/* The answer is known: give it to the caller, from the loop. */
static void
dns_answer(struct dns_lookup *l, struct evutil_addrinfo *ai, const char *why)
{
	if (l->calling) {
		l->ai = ai;
		l->why = why;
		event_active(&l->defer, EV_TIMEOUT, 1);
		return;
	}
	l->cb(ai, why, l->arg);
	free(l);
}

static void
dns_on_diagnosed(int result, char type, int count, int ttl, void *addrs,
    void *arg)
{
	struct dns_lookup *l = arg;

	(void)type;
	(void)ttl;
	(void)addrs;
	l->pending--;
	l->diag = NULL;
	if (l->cb == NULL) {
		dns_release(l);
		return;
	}
	dns_answer(l, NULL, dns_diagnosis(result, count, l->family));
}

/* Ask once more, for one family, to learn why the name failed. */
static int
dns_diagnose(struct dns_lookup *l)
{
	if (l->family == AF_INET6)
		l->diag = evdns_base_resolve_ipv6(l->dns, l->host, 0,
		    dns_on_diagnosed, l);
	else
		l->diag = evdns_base_resolve_ipv4(l->dns, l->host, 0,
		    dns_on_diagnosed, l);
	if (l->diag == NULL)
		return -1;
	l->pending++;
	return 0;
}

static void
dns_on_resolved(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct dns_lookup *l = arg;

	l->pending--;
	l->gai = NULL;
	if (l->cb == NULL) {
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		dns_release(l);
		return;
	}
	if (result == EVUTIL_EAI_FAIL && dns_diagnose(l) == 0)
		return;
	if (result != 0)
		dns_answer(l, NULL, dns_strerror(result, l->family));
	else
		dns_answer(l, ai, NULL);
}

struct dns_lookup *
dns_lookup(struct event_base *base, struct evdns_base *dns, const char *host,
    unsigned short port, int family, dns_cb *cb, void *arg)
{
	struct dns_lookup *l = xcalloc(1, sizeof(*l));
	struct evutil_addrinfo hints = {0};
	struct evdns_getaddrinfo_request *req;
	char serv[8];

	l->dns = dns;
	l->cb = cb;
	l->arg = arg;
	l->host = host;
	l->family = family;
	evtimer_assign(&l->defer, base, dns_on_defer, l);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	snprintf(serv, sizeof(serv), "%u", port);
	l->pending = 1;
	l->calling = 1;
	req = evdns_getaddrinfo(dns, host, serv, &hints, dns_on_resolved, l);
	l->calling = 0;
	if (l->pending > 0)
		l->gai = req;
	return l;
}

void
dns_cancel(struct dns_lookup *l)
{
	if (l == NULL)
		return;
	l->cb = NULL;
	if (l->pending == 0) { /* an answer waits in the defer event */
		event_del(&l->defer);
		if (l->ai != NULL)
			evutil_freeaddrinfo(l->ai);
		free(l);
		return;
	}
	/* Their callbacks still come, with a cancel code: they free l. */
	if (l->gai != NULL)
		evdns_getaddrinfo_cancel(l->gai);
	else if (l->diag != NULL)
		evdns_cancel_request(l->dns, l->diag);
}
