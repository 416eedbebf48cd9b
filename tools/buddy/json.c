/* SPDX-License-Identifier: MIT */
/*
 * json.c: the JSON Lines writer (see json.h).
 */
#include "json.h"

#include <string.h>

#include "quote.h"

/* Comma before a value when one was already written at this level. */
static void sep(struct json *j)
{
    if (j->need_comma[j->depth])
        fputc(',', j->out);
    j->need_comma[j->depth] = true;
}

/* RFC 8259 asks for '"', '\\' and the C0 controls to be escaped, and for
 * UTF-8 text. Beyond that, DEL, C1 and the other characters quote.h never
 * shows raw are escaped as \uHHHH too, so that the JSON text itself, shown
 * in a terminal as it is, holds nothing the terminal would act on; a byte
 * that is not UTF-8 becomes U+FFFD. */
static void put_string(FILE *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t left = strlen(str);

    fputc('"', out);
    while (left > 0) {
        uint32_t cp;
        size_t n = buddy_utf8_decode(s, left, &cp);

        if (n == 0) {
            fputs("\\ufffd", out); /* a byte that is not UTF-8 */
            n = 1;
        } else if (cp == '"') {
            fputs("\\\"", out);
        } else if (cp == '\\') {
            fputs("\\\\", out);
        } else if (cp == '\n') {
            fputs("\\n", out);
        } else if (cp == '\r') {
            fputs("\\r", out);
        } else if (cp == '\t') {
            fputs("\\t", out);
        } else if (buddy_quote_is_unsafe(cp)) {
            fprintf(out, "\\u%04x", (unsigned)cp);
        } else {
            fwrite(s, 1, n, out);
        }
        s += n;
        left -= n;
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
