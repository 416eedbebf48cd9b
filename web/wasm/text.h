/* SPDX-License-Identifier: MIT */
/*
 * text.h: a tiny text writer for the playground's C side, which has no libc.
 *
 * Writes into a fixed buffer and keeps it NUL-terminated; text past the end
 * is dropped (and `truncated` set) rather than overrun. Enough for the
 * results the page shows: words, decimal numbers and the kernel's "%d.%03d"
 * thousandths.
 */
#ifndef BUDDY_WEB_TEXT_H
#define BUDDY_WEB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_text {
    char *buf;      /* the buffer, always NUL-terminated */
    size_t cap;     /* its size, including the NUL (> 0) */
    size_t len;     /* characters written, excluding the NUL */
    bool truncated; /* something did not fit */
};

void pg_text_init(struct pg_text *t, char *buf, size_t cap);
void pg_text_char(struct pg_text *t, char c);
void pg_text_str(struct pg_text *t, const char *s);
/* Decimal, right-aligned in `width` columns (0: no padding). */
void pg_text_u64(struct pg_text *t, uint64_t v, unsigned width);
void pg_text_i64(struct pg_text *t, int64_t v);
/* Thousandths as "%d.%03d" (mm/vmstat.c), right-aligned in `width`. */
void pg_text_milli(struct pg_text *t, int v, unsigned width);
/* Pad with spaces up to column `col` of the current line. */
void pg_text_pad_to(struct pg_text *t, size_t line_start, size_t col);

#endif /* BUDDY_WEB_TEXT_H */
