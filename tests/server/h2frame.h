/*
 * h2frame.h: HTTP/2 frames as awget-testd's h2_* scenarios write them,
 * right or wrong on purpose. Header blocks are HPACK from nghttp2's own
 * deflater; only the 9-byte frame header is put together here, since a
 * hostile server must be free to send frames no library would.
 */
#ifndef H2FRAME_H
#define H2FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <nghttp2/nghttp2.h>

#define H2F_MAX_PAYLOAD 16384 /* SETTINGS_MAX_FRAME_SIZE's default */

/* A frame: its header, then len bytes of payload. */
void h2f_frame(struct evbuffer *, uint8_t, uint8_t, uint32_t, const void *,
    size_t);
/* An empty SETTINGS frame: a server's preface. */
void h2f_settings(struct evbuffer *);
/* GOAWAY with last stream id and error code. */
void h2f_goaway(struct evbuffer *, uint32_t, uint32_t);
/* RST_STREAM on a stream, with an error code. */
void h2f_rst(struct evbuffer *, uint32_t, uint32_t);
/*
 * A header block of n fields as one frame of type (HEADERS or
 * CONTINUATION) with flags on stream; the fields are encoded with a
 * fresh deflater, never indexed if noindex. 0, or -1 if the block does
 * not fit in one frame.
 */
int h2f_block(struct evbuffer *, uint8_t, uint8_t, uint32_t, const nghttp2_nv *,
    size_t, int);
#endif /* H2FRAME_H */
