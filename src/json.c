/*
 * json.c: the JSON Lines form of a target's outcome (RFC 8259).
 *
 * Strings are made from text that output_escape has already made safe, so
 * a JSON value reads exactly as the text output does: valid UTF-8 as it
 * came, every other byte as the four characters \xHH, a server's backslash
 * as two. Only '"', '\' and TAB are left to escape here, so the result is
 * valid JSON whatever bytes the server sent.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "json.h"
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

/* Append ["name","value"] (with a comma before it unless first). */
static void
json_pair(struct buf *b, const char *name, size_t nlen, const struct buf *v,
    int first)
{
	buf_append(b, first ? "[" : ",[", first ? 1 : 2);
	json_string(b, name, nlen);
	buf_append(b, ",", 1);
	json_string(b, v->data, v->len);
	buf_append(b, "]", 1);
}

/*
 * One block: the status line's fields, then "headers": [[name, value],
 * ...] in order, repeats kept. An obs-fold line continues the value before
 * it, joined by one space (RFC 9112 section 5.2); a line with no name has
 * the name "".
 */
static void
json_block(struct buf *b, const char *status, size_t slen, const char *lines,
    size_t len)
{
	const char *p = lines, *end = lines + len, *nl, *name = NULL;
	struct buf value = {0};
	struct http_status st;
	size_t nlen = 0, off, vlen;
	int count = 0;

	if (http_parse_status(status, slen, &st) == 0) {
		json_key(b, "status");
		json_number(b, st.code);
		json_key(b, "version");
		json_string(b, status, 8);
		json_key(b, "reason");
		json_string(b, st.reason, st.reason_len);
	}
	json_key(b, "headers");
	buf_append(b, "[", 1);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if ((*p == ' ' || *p == '\t') && name != NULL) {
			while (p < nl && (*p == ' ' || *p == '\t'))
				p++;
			buf_append(&value, " ", 1);
			buf_append(&value, p, nl - p);
			continue;
		}
		if (name != NULL)
			json_pair(b, name, nlen, &value, count++ == 0);
		value.len = 0;
		if (http_split_header(p, nl - p, &nlen, &off, &vlen) == 0) {
			name = p;
			buf_append(&value, p + off, vlen);
		} else {
			name = "";
			nlen = 0;
			buf_append(&value, p, nl - p);
		}
	}
	if (name != NULL)
		json_pair(b, name, nlen, &value, count == 0);
	buf_append(b, "]", 1);
	buf_free(&value);
}

/*
 * The block that starts at p (on a status mark): its status line and its
 * header lines. Returns where the next block starts, or end.
 */
static const char *
json_next_block(const char *p, const char *end, const char **status,
    size_t *slen, const char **lines, size_t *len)
{
	const char *nl, *next;

	if ((nl = memchr(p, '\n', end - p)) == NULL)
		nl = end;
	*status = p + 1;
	*slen = nl - p - 1;
	*lines = nl < end ? nl + 1 : end;
	if ((next = memchr(*lines, JSON_STATUS_MARK, end - *lines)) == NULL)
		next = end;
	*len = next - *lines;
	return next;
}

/* The blocks of a complete response: all but the last under "interim". */
static void
json_response(struct buf *b, const char *p, size_t len)
{
	const char *end = p + len, *status, *lines;
	size_t slen, llen, blocks = 0, i;

	for (i = 0; i < len; i++)
		if (p[i] == JSON_STATUS_MARK)
			blocks++;
	if (blocks > 1) {
		json_key(b, "interim");
		buf_append(b, "[", 1);
	}
	for (i = 0; p < end; i++) {
		p = json_next_block(p, end, &status, &slen, &lines, &llen);
		if (i + 1 < blocks)
			buf_append(b, i == 0 ? "{" : ",{", i == 0 ? 1 : 2);
		else if (blocks > 1)
			buf_append(b, "]", 1);
		json_block(b, status, slen, lines, llen);
		if (i + 1 < blocks)
			buf_append(b, "}", 1);
	}
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
		json_response(b, t->lines, t->len);
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
