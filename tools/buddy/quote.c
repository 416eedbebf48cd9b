/* SPDX-License-Identifier: MIT */
/*
 * quote.c: input shown in messages (see quote.h), and the one UTF-8 decoder
 * the tool has, which the JSON writer uses too.
 *
 * Both quoting functions make one pass over at most QUOTE_MAX_CHARS
 * characters of the input, whatever its length, and write into a buffer of
 * QUOTE_SIZE bytes that the worst case (every character escaped) fills.
 */
#include "quote.h"

#include <stdio.h>
#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
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

bool quote_is_unsafe(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || /* C0, DEL, C1 */
           (cp >= 0x200b && cp <= 0x200f) || /* zero width, LRM, RLM */
           (cp >= 0x2028 && cp <= 0x202e) || /* separators, embeddings */
           (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
           cp == 0xfeff;                     /* byte-order mark */
}

const char *quote_text(char *buf, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t used = 0, pos = 0;
    unsigned chars = 0;

    while (pos < len && chars < QUOTE_MAX_CHARS) {
        uint32_t cp;
        size_t n = utf8_decode(s + pos, len - pos, &cp);

        if (n == 0 || (n == 1 && quote_is_unsafe(cp))) {
            used += (size_t)snprintf(buf + used, QUOTE_SIZE - used, "\\x%02x",
                                     s[pos]);
            n = 1;
        } else if (quote_is_unsafe(cp)) {
            used += (size_t)snprintf(buf + used, QUOTE_SIZE - used, "\\u%04x",
                                     (unsigned)cp);
        } else if (cp == '\\') {
            buf[used++] = '\\';
            buf[used++] = '\\';
        } else {
            memcpy(buf + used, s + pos, n);
            used += n;
        }
        pos += n;
        chars++;
    }
    if (pos < len) {
        memcpy(buf + used, "...", 3);
        used += 3;
    }
    buf[used] = '\0';
    return buf;
}

const char *quote_prefix(char *buf, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t pos = 0;
    unsigned chars = 0;

    while (pos < len && chars < QUOTE_MAX_CHARS) {
        uint32_t cp;
        size_t n = utf8_decode(s + pos, len - pos, &cp);

        pos += n != 0 ? n : 1;
        chars++;
    }
    memcpy(buf, s, pos);
    if (pos < len) {
        memcpy(buf + pos, "...", 3);
        pos += 3;
    }
    buf[pos] = '\0';
    return buf;
}
