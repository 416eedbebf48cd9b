/* SPDX-License-Identifier: MIT */
/*
 * quote.c: input shown in messages (see quote.h), and the one UTF-8 decoder
 * the project's tools have, which the command's JSON writer uses too.
 *
 * Both quoting functions make one pass over at most BUDDY_QUOTE_MAX_CHARS
 * characters of the input, whatever its length, and write into a buffer of
 * BUDDY_QUOTE_SIZE bytes that the worst case (every character escaped)
 * fills. No libc: escapes are spelled by hand.
 */
#include "quote.h"

size_t buddy_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n, i;
    uint32_t v;

    if (len == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        v = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        v = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        v = s[0] & 0x07u;
    } else {
        return 0; /* a continuation byte, or a lead byte UTF-8 never uses */
    }
    if (n > len)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0u) != 0x80u)
            return 0;
        v = v << 6 | (s[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
    if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
        (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
        return 0;
    *cp = v;
    return n;
}

bool buddy_quote_is_unsafe(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || /* C0, DEL, C1 */
           (cp >= 0x200b && cp <= 0x200f) || /* zero width, LRM, RLM */
           (cp >= 0x2028 && cp <= 0x202e) || /* separators, embeddings */
           (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
           cp == 0xfeff;                     /* byte-order mark */
}

/* "\x" or "\u" and `digits` lowercase hex digits of v at buf; the count. */
static size_t put_escape(char *buf, char kind, uint32_t v, unsigned digits)
{
    static const char hex[] = "0123456789abcdef";
    unsigned i;

    buf[0] = '\\';
    buf[1] = kind;
    for (i = 0; i < digits; i++)
        buf[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 0xfu];
    return 2 + digits;
}

const char *buddy_quote_text(char *buf, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t used = 0, pos = 0, i;
    unsigned chars = 0;

    while (pos < len && chars < BUDDY_QUOTE_MAX_CHARS) {
        uint32_t cp;
        size_t n = buddy_utf8_decode(s + pos, len - pos, &cp);

        if (n == 0 || (n == 1 && buddy_quote_is_unsafe(cp))) {
            used += put_escape(buf + used, 'x', s[pos], 2);
            n = 1;
        } else if (buddy_quote_is_unsafe(cp)) {
            used += put_escape(buf + used, 'u', cp, 4);
        } else if (cp == '\\') {
            buf[used++] = '\\';
            buf[used++] = '\\';
        } else {
            for (i = 0; i < n; i++)
                buf[used++] = (char)s[pos + i];
        }
        pos += n;
        chars++;
    }
    if (pos < len)
        for (i = 0; i < 3; i++)
            buf[used++] = '.';
    buf[used] = '\0';
    return buf;
}

const char *buddy_quote_prefix(char *buf, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t pos = 0, i;
    unsigned chars = 0;

    while (pos < len && chars < BUDDY_QUOTE_MAX_CHARS) {
        uint32_t cp;
        size_t n = buddy_utf8_decode(s + pos, len - pos, &cp);

        pos += n != 0 ? n : 1;
        chars++;
    }
    for (i = 0; i < pos; i++)
        buf[i] = str[i];
    if (pos < len)
        for (i = 0; i < 3; i++)
            buf[pos++] = '.';
    buf[pos] = '\0';
    return buf;
}
