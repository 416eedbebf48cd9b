/* SPDX-License-Identifier: MIT */
/*
 * parse.h: the lexical layer of `buddy run` scripts: splitting a line into
 * words and reading numbers strictly (no sign, no spaces, no silent wrap).
 */
#ifndef BUDDY_TOOL_PARSE_H
#define BUDDY_TOOL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Split `line` in place into words separated by spaces and tabs. A word
 * starting with '#' starts a comment that runs to the end of the line.
 * Stores at most `max` word pointers in words[] but returns the total count,
 * so a caller can tell "too many" from "just enough".
 */
int parse_words(char *line, char **words, int max);

/*
 * Read `s` as an unsigned number, decimal or 0x-prefixed hex, and check it is
 * in [min, max]. False (and *out untouched) for anything else: empty, a sign,
 * other characters, or a value that does not fit 64 bits.
 */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif /* BUDDY_TOOL_PARSE_H */
