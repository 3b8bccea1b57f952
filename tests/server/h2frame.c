/*
 * h2frame.c: HTTP/2 frames for awget-testd (see h2frame.h).
 */
#include <stdlib.h>

#include "h2frame.h"

void
h2f_frame(struct evbuffer *out, uint8_t type, uint8_t flags, uint32_t stream,
    const void *payload, size_t len)
{
	unsigned char hd[9];

	hd[0] = (unsigned char)(len >> 16);
	hd[1] = (unsigned char)(len >> 8);
	hd[2] = (unsigned char)len;
	hd[3] = type;
	hd[4] = flags;
	hd[5] = (unsigned char)(stream >> 24 & 0x7f);
	hd[6] = (unsigned char)(stream >> 16);
	hd[7] = (unsigned char)(stream >> 8);
	hd[8] = (unsigned char)stream;
	evbuffer_add(out, hd, sizeof(hd));
	if (len > 0)
		evbuffer_add(out, payload, len);
}

void
h2f_settings(struct evbuffer *out)
{
	h2f_frame(out, NGHTTP2_SETTINGS, NGHTTP2_FLAG_NONE, 0, NULL, 0);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void
h2f_goaway(struct evbuffer *out, uint32_t last, uint32_t code)
{
	unsigned char p[8];

	put32(p, last);
	put32(p + 4, code);
	h2f_frame(out, NGHTTP2_GOAWAY, NGHTTP2_FLAG_NONE, 0, p, sizeof(p));
}

void
h2f_rst(struct evbuffer *out, uint32_t stream, uint32_t code)
{
	unsigned char p[4];

	put32(p, code);
	h2f_frame(out, NGHTTP2_RST_STREAM, NGHTTP2_FLAG_NONE, stream, p,
	    sizeof(p));
}

int
h2f_block(struct evbuffer *out, uint8_t type, uint8_t flags, uint32_t stream,
    const nghttp2_nv *nv, size_t n, int noindex)
{
	nghttp2_hd_deflater *d;
	nghttp2_nv *copy;
	uint8_t *block;
	size_t i, bound;
	ssize_t len;

	if ((copy = calloc(n, sizeof(*copy))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		copy[i] = nv[i];
		if (noindex)
			copy[i].flags |= NGHTTP2_NV_FLAG_NO_INDEX;
	}
	if (nghttp2_hd_deflate_new(&d, 4096) != 0) {
		free(copy);
		return -1;
	}
	bound = nghttp2_hd_deflate_bound(d, copy, n);
	if ((block = malloc(bound)) == NULL ||
	    (len = nghttp2_hd_deflate_hd(d, block, bound, copy, n)) < 0 ||
	    len > H2F_MAX_PAYLOAD) {
		free(block);
		nghttp2_hd_deflate_del(d);
		free(copy);
		return -1;
	}
	h2f_frame(out, type, flags, stream, block, (size_t)len);
	free(block);
	nghttp2_hd_deflate_del(d);
	free(copy);
	return 0;
}
