/* SPDX-License-Identifier: MIT */
/*
 * text.c: the playground's text writer (see text.h).
 */
#include "text.h"

void pg_text_init(struct pg_text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->truncated = false;
    buf[0] = '\0';
}

void pg_text_char(struct pg_text *t, char c)
{
    if (t->len + 1 >= t->cap) {
        t->truncated = true;
        return;
    }
    t->buf[t->len++] = c;
    t->buf[t->len] = '\0';
}

void pg_text_str(struct pg_text *t, const char *s)
{
    while (*s != '\0')
        pg_text_char(t, *s++);
}

void pg_text_u64(struct pg_text *t, uint64_t v, unsigned width)
{
    char digits[20];
    unsigned n = 0;

    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    for (; width > n; width--)
        pg_text_char(t, ' ');
    while (n > 0)
        pg_text_char(t, digits[--n]);
}

void pg_text_i64(struct pg_text *t, int64_t v)
{
    if (v < 0) {
        pg_text_char(t, '-');
        pg_text_u64(t, (uint64_t)0 - (uint64_t)v, 0);
    } else {
        pg_text_u64(t, (uint64_t)v, 0);
    }
}

void pg_text_milli(struct pg_text *t, int v, unsigned width)
{
    unsigned a = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    /* sign + integer digits + ".ddd" */
    unsigned need = (v < 0) + 4u + 1u;
    unsigned whole = a / 1000u;

    while (whole >= 10u) {
        need++;
        whole /= 10u;
    }
    for (; width > need; width--)
        pg_text_char(t, ' ');
    if (v < 0)
        pg_text_char(t, '-');
    pg_text_u64(t, a / 1000u, 0);
    pg_text_char(t, '.');
    pg_text_u64(t, a % 1000u / 100u, 0);
    pg_text_u64(t, a % 100u / 10u, 0);
    pg_text_u64(t, a % 10u, 0);
}

void pg_text_pad_to(struct pg_text *t, size_t line_start, size_t col)
{
    while (t->len - line_start < col && !t->truncated)
        pg_text_char(t, ' ');
}
