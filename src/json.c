/*
 * json.c: the JSON Lines form of a target's outcome (RFC 8259).
 *
 * A server's bytes are made safe by output_escape first, so a JSON value
 * reads exactly as the text output does: valid UTF-8 as it came, every
 * other byte as the four characters \xHH, a server's backslash as two.
 * Only '"', '\' and TAB are left to escape here, so the result is valid
 * JSON whatever bytes the server sent.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "json.h"
#include "output.h"
#include "util.h"

void
json_string(struct buf *b, const char *s, size_t len)
{
	const char *end = s + len, *run;

	buf_append(b, "\"", 1);
	while (s < end) {
		for (run = s; s < end && *s != '"' && *s != '\\' && *s != '\t';
		     s++)
			;
		buf_append(b, run, s - run);
		if (s == end)
			break;
		if (*s == '\t')
			buf_append(b, "\\t", 2);
		else {
			buf_append(b, "\\", 1);
			buf_append(b, s, 1);
		}
		s++;
	}
	buf_append(b, "\"", 1);
}

static void
json_cstring(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_append(b, "null", 4);
	else
		json_string(b, s, strlen(s));
}

/* Append ",\"name\":" (the comma only when something came before). */
static void
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

/* Append raw bytes as a JSON string of their text form (output_escape). */
static void
json_raw(struct buf *b, struct buf *tmp, const char *s, size_t len)
{
	if (len == 0) { /* s may be NULL: an empty buffer's data */
		json_string(b, "", 0);
		return;
	}
	tmp->len = 0;
	buf_reserve(tmp, OUTPUT_ESCAPED_MAX(len));
	tmp->len = output_escape(tmp->data, s, len);
	json_string(b, tmp->data, tmp->len);
}

/* Append ["name","value"] (with a comma before it unless first). */
static void
json_pair(struct buf *b, struct buf *tmp, const char *name, size_t nlen,
    const struct buf *v, int first)
{
	buf_append(b, first ? "[" : ",[", first ? 1 : 2);
	json_raw(b, tmp, name, nlen);
	buf_append(b, ",", 1);
	json_raw(b, tmp, v->data, v->len);
	buf_append(b, "]", 1);
}

/*
 * One block of the head, from *off: the status line's fields, then
 * "headers": [[name, value], ...] in order, repeats kept, up to the blank
 * line that ends it. An obs-fold line continues the value before it,
 * joined by one space (RFC 9112 section 5.2); a line with no name has
 * the name "".
 */
static void
json_block(struct buf *b, struct buf *tmp, const char *head, size_t len,
    size_t *off)
{
	const char *p, *name = NULL;
	struct buf value = {0};
	struct http_status st;
	size_t n, nlen = 0, voff, vlen;
	int count = 0;

	if ((p = http_head_line(head, len, off, &n)) != NULL &&
	    http_parse_status(p, n, &st) == 0) {
		json_key(b, "status");
		json_number(b, st.code);
		json_key(b, "version");
		json_raw(b, tmp, p, 8);
		json_key(b, "reason");
		json_raw(b, tmp, st.reason, st.reason_len);
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
			json_pair(b, tmp, name, nlen, &value, count++ == 0);
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
		json_pair(b, tmp, name, nlen, &value, count == 0);
	buf_append(b, "]", 1);
	buf_free(&value);
}

/* The blocks of a complete head: all but the last under "interim". */
static void
json_response(struct buf *b, const char *head, size_t len)
{
	struct buf tmp = {0};
	size_t off = 0, n, blocks = 0, i;
	const char *line;

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
		json_block(b, &tmp, head, len, &off);
		if (i + 1 < blocks)
			buf_append(b, "}", 1);
	}
	buf_free(&tmp);
}

void
json_target(struct buf *b, const struct json_target *t)
{
	buf_append(b, "{", 1);
	json_key(b, "target");
	json_cstring(b, t->target);
	json_key(b, "url");
	json_cstring(b, t->url);
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
	if (t->error == NULL)
		json_response(b, t->head, t->len);
	json_key(b, "time_ms");
	json_number(b, t->time_ms);
	if (t->retries > 0) {
		json_key(b, "retries");
		json_number(b, t->retries);
	}
	if (t->error != NULL) {
		json_key(b, "error");
		json_cstring(b, t->error);
		json_key(b, "error_class");
		json_cstring(b, t->error_class);
		if (t->phase != NULL) {
			json_key(b, "phase");
			json_cstring(b, t->phase);
		}
	}
	buf_append(b, "}\n", 2);
}
