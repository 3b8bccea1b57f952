/*
 * report.c: the one place a target's outcome becomes output, as text
 * (output.c's lines) or as a JSON object (json.c), with the URL, the
 * address, the TLS facts and the time.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "awget.h"
#include "json.h"
#include "options.h"
#include "output.h"
#include "redirect.h"
#include "report.h"
#include "stats.h"
#include "targets.h"
#include "tls.h"

static void
report_json(struct awget *ctx, const struct report *r)
{
	struct json_target j = {0};
	struct buf url = {0}, tls = {0};

	j.target = r->t->line;
	j.target_len = r->t->line_len;
	if (r->t->error == NULL) {
		target_url(r->t, &url);
		j.url = url.data;
	}
	if (r->ip != NULL) {
		j.ip = r->ip;
		j.port = r->port;
	}
	if (r->ssl != NULL) {
		tls_json(&tls, r->ssl);
		buf_append(&tls, "", 1);
		j.tls = tls.data;
	}
	j.final_url = r->final_url;
	j.proxy = r->proxy;
	j.proxy_head = r->proxy_head;
	j.proxy_len = r->proxy_len;
	j.hops = r->hops;
	j.nhops = r->nhops;
	j.redirect_error = r->redirect_error;
	j.retries = r->retries;
	j.time_ms = r->time_ms;
	j.timing = r->timing;
	if (r->outcome == OUTCOME_OK) {
		j.head = r->head;
		j.len = r->len;
	} else {
		j.error = r->msg;
		j.error_class = stats_class(r->outcome);
		j.phase = r->phase;
	}
	ctx->json.len = 0;
	json_target(&ctx->json, &j);
	output_raw(ctx->out, ctx->json.data, ctx->json.len);
	buf_free(&url);
	buf_free(&tls);
}

void
report_write(struct awget *ctx, const struct report *r)
{
	size_t tlen = strlen(r->t->text), i;

	if (r->outcome != OUTCOME_OK && r->msg == NULL)
		return;
	if (ctx->opts->json) {
		report_json(ctx, r);
		return;
	}
	/* One target's blocks, one after another, as curl -sIL shows them
	 * (a proxy's answer to CONNECT first, as curl -D does). */
	for (i = 0; i < r->nhops; i++)
		output_headers(ctx->out, r->t->text, tlen, r->hops[i].head,
		    r->hops[i].len);
	if (r->proxy_head != NULL)
		output_headers(ctx->out, r->t->text, tlen, r->proxy_head,
		    r->proxy_len);
	if (r->outcome == OUTCOME_OK)
		output_headers(ctx->out, r->t->text, tlen, r->head, r->len);
	else
		output_error(ctx->out, r->t->text, "%s", r->msg);
}
