/*
 * proxy.h: the proxy a run goes through (-x URL, -U USER:PASSWORD), as
 * curl names them: parsed and checked once, then read-only.
 */
#ifndef PROXY_H
#define PROXY_H

enum proxy_kind {
	PROXY_HTTP,
	PROXY_SOCKS4,
	PROXY_SOCKS4A,
	PROXY_SOCKS5,
	PROXY_SOCKS5H,
};

struct proxy {
	enum proxy_kind kind;
	char *host; /* a name or an address, without brackets */
	unsigned short port;
	int family; /* host is an address: AF_INET or AF_INET6, else 0 */
	unsigned char addr[16];
	char *user; /* percent-decoded, or NULL */
	char *pass;
	char *shown; /* scheme://host:port: no credentials, ever */
	char *basic; /* HTTP: base64 of "user:pass", or NULL */
};

/*
 * Parse url ("[scheme://][user[:password]@]host[:port][/]", the scheme
 * http by default, the port 1080 by default as curl's) into p, with
 * userpass (-U's "USER:PASSWORD", or NULL) in place of the URL's
 * credentials. NULL, or why it is not a proxy; the message never holds
 * the credentials.
 */
const char *proxy_parse(const char *, const char *, struct proxy *);
/*
 * Whether host (a name, or an address without brackets) is in list, a
 * NO_PROXY or --noproxy value with curl's rules: comma-separated names,
 * each matching itself and its subdomains (a leading dot or not), IP
 * addresses and CIDR blocks, or "*" for every host.
 */
int proxy_skipped(const char *, const char *);
void proxy_free(struct proxy *);

#endif /* PROXY_H */
