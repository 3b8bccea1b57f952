/* dns.h: the evdns resolver every target shares. */
#ifndef DNS_H
#define DNS_H

struct event_base;
struct evdns_base;

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

#endif /* DNS_H */
