/* dns.h: the evdns resolver every target shares. */
#ifndef DNS_H
#define DNS_H

struct event_base;
struct evdns_base;

/*
 * A resolver configured from /etc/resolv.conf and /etc/hosts, allowing
 * inflight queries at once. NULL with *errstr set on failure.
 */
struct evdns_base *dns_new(struct event_base *, int, const char **);
void dns_free(struct evdns_base *);

#endif /* DNS_H */
