/* SPDX-License-Identifier: MIT */
/*
 * quote.h: showing what came from the input (script words and lines,
 * command-line arguments) inside a tool's own messages: bounded in length,
 * and with nothing in it that a terminal would act on. Freestanding, for
 * the script interpreter and the page as much as for the command.
 *
 * DECISION: valid UTF-8 is shown as it is, so "été" stays readable; what a
 * terminal could act on, or what hides or reorders text, is escaped:
 *   - C0 controls, DEL, and bytes that are not part of valid UTF-8: \xHH;
 *   - C1 controls (U+0080..U+009F, which some terminals obey even encoded as
 *     UTF-8), the line and paragraph separators, zero-width characters,
 *     bidirectional controls and the byte-order mark: \uHHHH;
 *   - the backslash itself: \\, so an escape is never ambiguous.
 * At most BUDDY_QUOTE_MAX_CHARS characters of the input are shown (a valid
 * UTF-8 sequence, or a byte that is not one, is one character); "..."
 * follows when there was more.
 */
#ifndef BUDDY_SCRIPT_QUOTE_H
#define BUDDY_SCRIPT_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_QUOTE_MAX_CHARS 80u
/* The longest escape ("\u202e") is 6 bytes; then "..." and the NUL. */
#define BUDDY_QUOTE_SIZE (BUDDY_QUOTE_MAX_CHARS * 6u + sizeof("..."))

/*
 * The valid UTF-8 sequence at s[0..len): its length (1..4) with its code
 * point in *cp, or 0 if the bytes there are not one (a stray continuation
 * byte, an overlong form, a surrogate, past U+10FFFF, cut short).
 */
size_t buddy_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* True for a code point that is never shown raw (the list above, less the
 * backslash): a JSON writer escapes them too. */
bool buddy_quote_is_unsafe(uint32_t cp);

/* s[0..len) for a text message, escaped and bounded, into buf
 * (BUDDY_QUOTE_SIZE bytes); returns buf. Reads at most the bytes of
 * BUDDY_QUOTE_MAX_CHARS characters and one more. */
const char *buddy_quote_text(char *buf, const char *s, size_t len);

/* The raw bytes of the first BUDDY_QUOTE_MAX_CHARS characters of s[0..len),
 * cut at a character boundary, then "..." if there was more: for JSON,
 * whose writer escapes by itself. Into buf (BUDDY_QUOTE_SIZE bytes);
 * returns buf. */
const char *buddy_quote_prefix(char *buf, const char *s, size_t len);

#endif /* BUDDY_SCRIPT_QUOTE_H */
