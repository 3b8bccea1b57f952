/*
 * escape.h: every byte a server (or a proxy, or an input line) sends is
 * made safe for a terminal before awget writes it anywhere.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>

/* Bytes escape_bytes may write for n input bytes, at most. */
#define ESCAPE_MAX(n) ((n)*4)

/*
 * Copy len bytes to dst, writing as \xHH every byte that could act on a
 * terminal: C0 controls but TAB, DEL, C1 controls, and every byte not part
 * of well-formed UTF-8 (RFC 3629). A backslash becomes "\\". dst must hold
 * ESCAPE_MAX(len) bytes; returns the bytes written (no NUL).
 */
size_t escape_bytes(char *, const void *, size_t);

#endif /* ESCAPE_H */
