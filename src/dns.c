/*
 * dns.c: evdns setup. Names are resolved asynchronously on the run's one
 * event base; /etc/hosts is honoured, and IP literals never get here.
 */
#include <stdio.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "dns.h"

struct evdns_base *
dns_new(struct event_base *base, int inflight, const char *resolver,
    const char **errstr)
{
	struct evdns_base *dns;
	char n[16];

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
	 * With an A answer in hand, wait at most half a second for the AAAA
	 * one (evdns waits 3 s), so a resolver that drops AAAA queries does
	 * not eat the target's deadline.
	 */
	if (evdns_base_set_option(dns, "max-inflight:", n) == -1 ||
	    evdns_base_set_option(dns, "getaddrinfo-allow-skew:", "0.5") ==
	        -1) {
		evdns_base_free(dns, 0);
		*errstr = "cannot set the resolver's options";
		return NULL;
	}
	*errstr = NULL;
	return dns;
}

const char *
dns_strerror(int code)
{
	switch (code) {
	case EVUTIL_EAI_NONAME:
		return "no such host";
	case EVUTIL_EAI_NODATA:
		return "no address for this name";
	case EVUTIL_EAI_FAIL:
	case EVUTIL_EAI_AGAIN:
		return "the name server failed or did not answer";
	default:
		return evutil_gai_strerror(code);
	}
}

void
dns_free(struct evdns_base *dns)
{
	if (dns != NULL)
		evdns_base_free(dns, 0);
}
