/* SPDX-License-Identifier: MIT */
/*
 * json.c: the JSON Lines writer (see json.h).
 */
#include "json.h"

/* Comma before a value when one was already written at this level. */
static void sep(struct json *j)
{
    if (j->need_comma[j->depth])
        fputc(',', j->out);
    j->need_comma[j->depth] = true;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one:
 * JSON text must be UTF-8, and a script may hold any bytes. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0u) != 0x80u)
            return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

static void put_string(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    fputc('"', out);
    while (*s != '\0') {
        unsigned char c = *s;
        size_t n;

        switch (c) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                fprintf(out, "\\u%04x", c);
                break;
            }
            n = utf8_len(s);
            if (n == 0) {
                fputs("\\ufffd", out); /* a byte that is not UTF-8 */
                break;
            }
            fwrite(s, 1, n, out);
            s += n;
            continue;
        }
        s++;
    }
    fputc('"', out);
}

void json_begin(struct json *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->need_comma[0] = false;
    fputc('{', out);
}

void json_end(struct json *j)
{
    fputs("}\n", j->out);
}

void json_key(struct json *j, const char *key)
{
    sep(j);
    put_string(j->out, key);
    fputc(':', j->out);
}

void json_str(struct json *j, const char *key, const char *value)
{
    json_key(j, key);
    put_string(j->out, value);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
    json_key(j, key);
    fprintf(j->out, "%llu", (unsigned long long)value);
}

void json_i64(struct json *j, const char *key, int64_t value)
{
    json_key(j, key);
    fprintf(j->out, "%lld", (long long)value);
}

void json_bool(struct json *j, const char *key, bool value)
{
    json_key(j, key);
    fputs(value ? "true" : "false", j->out);
}

void json_raw(struct json *j, const char *key, const char *number)
{
    json_key(j, key);
    fputs(number, j->out);
}

static void open_nested(struct json *j, const char *key, char c)
{
    if (key != NULL)
        json_key(j, key);
    else
        sep(j);
    fputc(c, j->out);
    if (j->depth + 1 < JSON_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
}

void json_open_array(struct json *j, const char *key)
{
    open_nested(j, key, '[');
}

void json_open_object(struct json *j, const char *key)
{
    open_nested(j, key, '{');
}

void json_close_array(struct json *j)
{
    fputc(']', j->out);
    if (j->depth > 0)
        j->depth--;
}

void json_close_object(struct json *j)
{
    fputc('}', j->out);
    if (j->depth > 0)
        j->depth--;
}

void json_elem_u64(struct json *j, uint64_t value)
{
    sep(j);
    fprintf(j->out, "%llu", (unsigned long long)value);
}

void json_elem_raw(struct json *j, const char *number)
{
    sep(j);
    fputs(number, j->out);
}
