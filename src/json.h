/* json.h: one JSON Lines object per target (-j). */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

struct buf;

/* What is known of a target when it ends; NULL or -1 where unknown. */
struct json_target {
	const char *target; /* as shown in text output (already escaped) */
	const char *url;
	const char *ip;
	int port;
	long time_ms;
	int retries;     /* --retry attempts made, shown when not 0 */
	const char *tls; /* HTTPS: the "tls" object, rendered, or NULL */
	/* Success: the response head, raw, as http_response keeps it. */
	const char *head;
	size_t len;
	/* Failure: why, as a stable class word, the phase, the message. */
	const char *error;
	const char *error_class;
	const char *phase;
};

/*
 * Append s (len bytes, already escaped by output_escape) as a JSON string:
 * its value is exactly the text output's form of those bytes.
 */
void json_string(struct buf *, const char *, size_t);
/* Append t as one JSON object and a newline. */
void json_target(struct buf *, const struct json_target *);

#endif /* JSON_H */
