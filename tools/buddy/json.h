/* SPDX-License-Identifier: MIT */
/*
 * json.h: writing JSON Lines: one compact object per line, keys in the order
 * they are written, strings escaped as RFC 8259 asks.
 *
 * The writer tracks only whether a comma is due at each nesting level, so it
 * streams straight to a FILE and needs no allocation.
 */
#ifndef BUDDY_TOOL_JSON_H
#define BUDDY_TOOL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
    FILE *out;
    unsigned depth;
    bool need_comma[JSON_MAX_DEPTH]; /* per level: a value was written */
};

void json_begin(struct json *j, FILE *out); /* starts the line's object */
void json_end(struct json *j);              /* closes it and ends the line */

/* Members of the current object. */
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_i64(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
/* A number already formatted as valid JSON (e.g. "-1.000"). */
void json_raw(struct json *j, const char *key, const char *number);

/* Nested values: key is NULL for array elements. */
void json_open_array(struct json *j, const char *key);
void json_open_object(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_close_object(struct json *j);
void json_elem_u64(struct json *j, uint64_t value);
void json_elem_raw(struct json *j, const char *number);

#endif /* BUDDY_TOOL_JSON_H */
