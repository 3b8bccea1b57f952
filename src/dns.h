/* dns.h: the evdns resolver every target shares. */
#ifndef DNS_H
#define DNS_H

struct event_base;
struct evdns_base;
struct evutil_addrinfo;
struct dns_lookup;

/*
 * A lookup's answer: the addresses (the callee's to free with
 * evutil_freeaddrinfo), or NULL and why not, in words.
 */
typedef void dns_cb(struct evutil_addrinfo *, const char *, void *);

/*
 * A resolver that honours /etc/hosts and asks the nameservers of
 * /etc/resolv.conf, or only the given one (ADDR[:PORT]) when not NULL,
 * with up to inflight queries at once, retrying for longer than deadline
 * so that a silent server shows as the target's timeout. NULL with
 * *errstr set on failure.
 */
struct evdns_base *dns_new(struct event_base *, int, const char *,
    const struct timeval *, const char **);
/* A short message for an evdns_getaddrinfo error code, when asking for
 * addresses of family (AF_UNSPEC for both). */
const char *dns_strerror(int, int);
/* Why a name failed, from a plain query's DNS_ERR_ code and its count of
 * answers, when asking for family (AF_UNSPEC for both). */
const char *dns_diagnosis(int, int, int);
void dns_free(struct evdns_base *);

/*
 * Look host up for port, for addresses of family (AF_UNSPEC for both):
 * cb runs once, from the event loop, never before this returns, and the
 * lookup is gone after it. A failure that evdns folds into one code is
 * asked again for one family, to say which it was.
 */
struct dns_lookup *dns_lookup(struct event_base *, struct evdns_base *,
    const char *, unsigned short, int, dns_cb *, void *);
/* Drop a lookup whose callback has not run: it never will. */
void dns_cancel(struct dns_lookup *);

#endif /* DNS_H */
