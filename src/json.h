/* json.h: one JSON Lines object per target (-j). */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

struct buf;
struct hop;

/* What is known of a target when it ends; NULL or -1 where unknown. */
/* The phases of "timing", curl's -w names, in order. */
enum json_time {
	JSON_NAMELOOKUP,
	JSON_CONNECT,
	JSON_APPCONNECT,
	JSON_PRETRANSFER,
	JSON_STARTTRANSFER,
	JSON_TOTAL,
	JSON_NTIMES
};

struct json_target {
	const char *target; /* as the user wrote it, trimmed: raw bytes */
	size_t target_len;
	const char *url;
	const char *ip;
	int port;
	long time_ms;
	/* JSON_NTIMES microseconds from the start, -1 for a phase not
	 * reached (left out); or NULL for no "timing". */
	const long long *timing;
	int retries;     /* --retry attempts made, shown when not 0 */
	const char *tls; /* HTTPS: the "tls" object, rendered, or NULL */
	/* Success: the response head, raw, as http_response keeps it. */
	const char *head;
	size_t len;
	/* -L: the last hop's URL, the hops before it, and why a final
	 * redirect was not followed. */
	const char *final_url;
	const char *proxy; /* the proxy used, without credentials, or NULL */
	const char *proxy_head; /* its answer to CONNECT, raw, or NULL */
	size_t proxy_len;
	const struct hop *hops;
	size_t nhops;
	const char *redirect_error;
	/* Failure: why, as a stable class word, the phase, the message. */
	const char *error;
	const char *error_class;
	const char *phase;
};

/*
 * Append the JSON string whose value is the len bytes at p, exactly:
 * valid UTF-8 as it is, but for '"', '\\', C0 controls, DEL, C1 controls,
 * U+2028 and U+2029, which are escaped; a byte that is not part of valid
 * UTF-8 becomes U+FFFD. Returns 1 if there was such a byte (the string is
 * not exact), else 0.
 */
int json_text(struct buf *, const void *, size_t);
/* Append the base64 (RFC 4648) of len bytes as a JSON string. */
void json_base64(struct buf *, const void *, size_t);
/* Append ,"name": (no comma right after '{' or '['). */
void json_key(struct buf *, const char *);
/* Append "name":TEXT, and "name_b64":BASE64 too when TEXT is not exact. */
void json_member(struct buf *, const char *, const void *, size_t);
/* Append t as one JSON object and a newline. */
void json_target(struct buf *, const struct json_target *);

#endif /* JSON_H */
