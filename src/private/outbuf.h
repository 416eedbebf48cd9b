/* SPDX-License-Identifier: MIT */
/*
 * outbuf.h: text into a caller's buffer, snprintf's contract without libc:
 * the output is cut to fit with a NUL always written (when the buffer has
 * room for one), and the length the whole text needs is counted, so that a
 * caller can size a buffer with one call of size 0. The kernel-format views
 * of the core (stats.c) and of the slab layer use it.
 */
#ifndef BUDDY_PRIVATE_OUTBUF_H
#define BUDDY_PRIVATE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

struct outbuf {
    char *buf;
    size_t size; /* capacity including the NUL */
    size_t len;  /* what the full text needs, excluding the NUL */
};

static inline void out_char(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static inline void out_str(struct outbuf *o, const char *s, unsigned width)
{
    unsigned n = 0;

    while (s[n] != '\0')
        n++;
    for (; width > n; width--)
        out_char(o, ' ');
    while (*s != '\0')
        out_char(o, *s++);
}

static inline void out_u64(struct outbuf *o, uint64_t v, unsigned width)
{
    char digits[21];
    unsigned n = 0;

    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    for (; width > n; width--)
        out_char(o, ' ');
    while (n > 0)
        out_char(o, digits[--n]);
}

static inline void out_finish(struct outbuf *o)
{
    if (o->size == 0)
        return;
    o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

/* Left-aligned in width: the kernel's "%-17s". */
static inline void out_str_left(struct outbuf *o, const char *s, unsigned width)
{
    unsigned n = 0;

    while (*s != '\0') {
        out_char(o, *s++);
        n++;
    }
    for (; width > n; width--)
        out_char(o, ' ');
}

#endif /* BUDDY_PRIVATE_OUTBUF_H */
