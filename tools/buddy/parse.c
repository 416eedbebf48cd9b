/* SPDX-License-Identifier: MIT */
/*
 * parse.c: words and numbers for `buddy run` (see parse.h).
 *
 * Numbers are read by hand rather than with strtoull, which accepts leading
 * blanks, a '+' and even a '-' (wrapping "-1" to 2^64 - 1): a trace that says
 * "free -1" must be an error, not a free of the last pfn.
 */
#include "parse.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int parse_words(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        while (is_blank(*p))
            p++;
        if (*p == '\0' || *p == '#')
            return n;
        if (n < max)
            words[n] = p;
        n++;
        while (*p != '\0' && !is_blank(*p))
            p++;
        if (*p == '\0')
            return n;
        *p++ = '\0';
    }
}

static int digit_value(char c, unsigned base)
{
    int d;

    if (c >= '0' && c <= '9')
        d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
    else
        return -1;
    return d;
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        int d = digit_value(*s, base);

        if (d < 0)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return false; /* would not fit 64 bits */
        v = v * base + (uint64_t)d;
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}
