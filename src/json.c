/*
 * json.c: the JSON Lines form of a target's outcome (RFC 8259).
 *
 * A JSON string carries the exact text: a server's valid UTF-8 as it
 * came, with only what JSON requires escaped, and the controls that could
 * act on a terminal (C0, DEL, C1) and U+2028/U+2029 as \uXXXX, so that a
 * line of -j output is as safe on a terminal as the text format. Bytes
 * that are not valid UTF-8 cannot be a JSON string's: they read as
 * U+FFFD, and the exact bytes are given beside, in base64, under the same
 * name with "_b64" (the head as a whole: "head_b64").
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "http.h"
#include "json.h"
#include "redirect.h"
#include "util.h"

static const char hex[] = "0123456789abcdef";

static void
json_escape(struct buf *b, unsigned int cp)
{
	char u[6] = {'\\', 'u', '0', '0', 0, 0};

	switch (cp) {
	case '"':
		buf_append(b, "\\\"", 2);
		return;
	case '\\':
		buf_append(b, "\\\\", 2);
		return;
	case '\b':
		buf_append(b, "\\b", 2);
		return;
	case '\f':
		buf_append(b, "\\f", 2);
		return;
	case '\n':
		buf_append(b, "\\n", 2);
		return;
	case '\r':
		buf_append(b, "\\r", 2);
		return;
	case '\t':
		buf_append(b, "\\t", 2);
		return;
	}
	u[2] = hex[(cp >> 12) & 0xf];
	u[3] = hex[(cp >> 8) & 0xf];
	u[4] = hex[(cp >> 4) & 0xf];
	u[5] = hex[cp & 0xf];
	buf_append(b, u, 6);
}

/* The code point of a UTF-8 sequence (utf8_len said n) that is escaped
 * though valid: a C1 control, U+2028 or U+2029; else 0. */
static unsigned int
escaped_point(const unsigned char *s, size_t n)
{
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return s[1];
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9))
		return 0x2000 | (s[2] & 0x3f);
	return 0;
}

int
json_text(struct buf *b, const void *p, size_t len)
{
	/* p may be NULL when len is 0: no arithmetic on it then. */
	const unsigned char *s = p, *end = len > 0 ? s + len : s, *run;
	unsigned int cp;
	size_t n;
	int lossy = 0;

	buf_reserve(b, len + 2);
	buf_append(b, "\"", 1);
	while (s < end) {
		for (run = s; s < end && *s >= 0x20 && *s < 0x7f && *s != '"' &&
		     *s != '\\';
		     s++)
			;
		buf_append(b, run, s - run);
		if (s == end)
			break;
		if (*s < 0x80) {
			json_escape(b, *s++);
		} else if ((n = utf8_len(s, end - s)) == 0) {
			buf_append(b, "\\ufffd", 6);
			lossy = 1;
			s++;
		} else if ((cp = escaped_point(s, n)) != 0) {
			json_escape(b, cp);
			s += n;
		} else {
			buf_append(b, s, n);
			s += n;
		}
	}
	buf_append(b, "\"", 1);
	return lossy;
}

void
json_base64(struct buf *b, const void *p, size_t len)
{
	/* A multiple of 3: the chunks' encodings join into the whole's. */
	enum { CHUNK = 3 * 4096 };
	const unsigned char *s = p;
	size_t n;

	buf_append(b, "\"", 1);
	while (len > 0) {
		n = len < CHUNK ? len : CHUNK;
		buf_reserve(b, 4 * (n / 3 + 1) + 1);
		b->len += EVP_EncodeBlock((unsigned char *)b->data + b->len, s,
		    (int)n);
		s += n;
		len -= n;
	}
	buf_append(b, "\"", 1);
}

static void
json_cstring(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_append(b, "null", 4);
	else
		json_text(b, s, strlen(s));
}

void
json_key(struct buf *b, const char *name)
{
	if (b->len > 0 && b->data[b->len - 1] != '{' &&
	    b->data[b->len - 1] != '[')
		buf_append(b, ",", 1);
	buf_append(b, "\"", 1);
	buf_append(b, name, strlen(name));
	buf_append(b, "\":", 2);
}

static void
json_number(struct buf *b, long n)
{
	char num[24];

	buf_append(b, num, snprintf(num, sizeof(num), "%ld", n));
}

void
json_member(struct buf *b, const char *name, const void *p, size_t len)
{
	char key[64];

	json_key(b, name);
	if (json_text(b, p, len)) {
		snprintf(key, sizeof(key), "%s_b64", name);
		json_key(b, key);
		json_base64(b, p, len);
	}
}

/* Append ["name","value"] (with a comma before it unless first); returns
 * whether either was not exact. */
static int
json_pair(struct buf *b, const char *name, size_t nlen, const struct buf *v,
    int first)
{
	int lossy;

	buf_append(b, first ? "[" : ",[", first ? 1 : 2);
	lossy = json_text(b, name, nlen);
	buf_append(b, ",", 1);
	lossy |= json_text(b, v->data, v->len);
	buf_append(b, "]", 1);
	return lossy;
}

/*
 * One block of the head, from *off: the status line's fields, then
 * "headers": [[name, value], ...] in order, repeats kept, up to the blank
 * line that ends it. An obs-fold line continues the value before it,
 * joined by one space (RFC 9112 section 5.2); a line with no name has
 * the name "".
 */
static int
json_block(struct buf *b, const char *head, size_t len, size_t *off)
{
	const char *p, *name = NULL;
	struct buf value = {0};
	struct http_status st;
	size_t n, nlen = 0, voff, vlen;
	int count = 0, lossy = 0;

	if ((p = http_head_line(head, len, off, &n)) != NULL &&
	    http_parse_status(p, n, &st) == 0) {
		json_key(b, "status");
		json_number(b, st.code);
		json_key(b, "version");
		lossy |= json_text(b, p, st.version_len);
		json_key(b, "reason");
		lossy |= json_text(b, st.reason, st.reason_len);
	}
	json_key(b, "headers");
	buf_append(b, "[", 1);
	while ((p = http_head_line(head, len, off, &n)) != NULL && n > 0) {
		if ((*p == ' ' || *p == '\t') && name != NULL) {
			for (; n > 0 && (*p == ' ' || *p == '\t'); p++, n--)
				;
			buf_append(&value, " ", 1);
			buf_append(&value, p, n);
			continue;
		}
		if (name != NULL)
			lossy |= json_pair(b, name, nlen, &value, count++ == 0);
		value.len = 0;
		if (http_split_header(p, n, &nlen, &voff, &vlen) == 0) {
			name = p;
			buf_append(&value, p + voff, vlen);
		} else {
			name = "";
			nlen = 0;
			buf_append(&value, p, n);
		}
	}
	if (name != NULL)
		lossy |= json_pair(b, name, nlen, &value, count == 0);
	buf_append(b, "]", 1);
	buf_free(&value);
	return lossy;
}

/*
 * The blocks of a complete head: all but the last under "interim"; and
 * when a string of it could not be exact, the whole head in base64.
 */
static void
json_response(struct buf *b, const char *head, size_t len)
{
	size_t off = 0, n, blocks = 0, i;
	const char *line;
	int lossy = 0;

	/* A block ends with a blank line: count them. */
	while ((line = http_head_line(head, len, &off, &n)) != NULL)
		if (n == 0)
			blocks++;
	if (blocks > 1) {
		json_key(b, "interim");
		buf_append(b, "[", 1);
	}
	for (i = 0, off = 0; off < len; i++) {
		if (i + 1 < blocks)
			buf_append(b, i == 0 ? "{" : ",{", i == 0 ? 1 : 2);
		else if (blocks > 1)
			buf_append(b, "]", 1);
		lossy |= json_block(b, head, len, &off);
		if (i + 1 < blocks)
			buf_append(b, "}", 1);
	}
	if (lossy) {
		json_key(b, "head_b64");
		json_base64(b, head, len);
	}
}

/* "proxy_connect": the proxy's answer to CONNECT, as a response. */
static void
json_connect(struct buf *b, const char *head, size_t len)
{
	json_key(b, "proxy_connect");
	buf_append(b, "{", 1);
	json_response(b, head, len);
	buf_append(b, "}", 1);
}

/* "redirects": the hops -L followed, each with its URL, address and
 * answer. */
/* "timing": milliseconds with microseconds, of the phases reached. */
static void
json_timing(struct buf *b, const long long *us)
{
	static const char *const names[JSON_NTIMES] = {"namelookup", "connect",
	    "appconnect", "pretransfer", "starttransfer", "total"};
	char n[32];
	int i;

	json_key(b, "timing");
	buf_append(b, "{", 1);
	for (i = 0; i < JSON_NTIMES; i++) {
		if (us[i] < 0)
			continue;
		json_key(b, names[i]);
		snprintf(n, sizeof(n), "%lld.%03lld", us[i] / 1000,
		    us[i] % 1000);
		buf_append(b, n, strlen(n));
	}
	buf_append(b, "}", 1);
}

static void
json_hops(struct buf *b, const struct hop *h, size_t n)
{
	size_t i;

	json_key(b, "redirects");
	buf_append(b, "[", 1);
	for (i = 0; i < n; i++) {
		buf_append(b, i == 0 ? "{" : ",{", i == 0 ? 1 : 2);
		json_key(b, "url");
		json_cstring(b, h[i].url);
		if (h[i].ip != NULL) {
			json_key(b, "ip");
			json_cstring(b, h[i].ip);
		}
		if (h[i].proxy_len > 0)
			json_connect(b, h[i].head, h[i].proxy_len);
		json_response(b, h[i].head + h[i].proxy_len,
		    h[i].len - h[i].proxy_len);
		buf_append(b, "}", 1);
	}
	buf_append(b, "]", 1);
}

void
json_target(struct buf *b, const struct json_target *t)
{
	buf_append(b, "{", 1);
	json_member(b, "target", t->target, t->target_len);
	json_key(b, "url");
	json_cstring(b, t->url);
	if (t->final_url != NULL) {
		json_key(b, "final_url");
		json_cstring(b, t->final_url);
	}
	if (t->proxy != NULL) {
		json_key(b, "proxy");
		json_cstring(b, t->proxy);
	}
	if (t->ip != NULL) {
		json_key(b, "ip");
		json_cstring(b, t->ip);
		json_key(b, "port");
		json_number(b, t->port);
	}
	if (t->tls != NULL) {
		json_key(b, "tls");
		buf_append(b, t->tls, strlen(t->tls));
	}
	if (t->proxy_head != NULL)
		json_connect(b, t->proxy_head, t->proxy_len);
	if (t->error == NULL)
		json_response(b, t->head, t->len);
	if (t->redirect_error != NULL) {
		json_key(b, "redirect_error");
		json_cstring(b, t->redirect_error);
	}
	if (t->final_url != NULL)
		json_hops(b, t->hops, t->nhops);
	json_key(b, "time_ms");
	json_number(b, t->time_ms);
	if (t->timing != NULL)
		json_timing(b, t->timing);
	if (t->retries > 0) {
		json_key(b, "retries");
		json_number(b, t->retries);
	}
	if (t->error != NULL) {
		json_member(b, "error", t->error, strlen(t->error));
		json_key(b, "error_class");
		json_cstring(b, t->error_class);
		if (t->phase != NULL) {
			json_key(b, "phase");
			json_cstring(b, t->phase);
		}
	}
	buf_append(b, "}\n", 2);
}
