/* SPDX-License-Identifier: MIT */
/*
 * script.h: the `buddy run` script language, the one interpreter that every
 * tool speaking it links: the `buddy` command (tools/buddy/run.c) and the
 * web playground (web/wasm/trace.c). The page therefore runs exactly what
 * `buddy run` runs.
 *
 * Freestanding like the core: no libc, no allocation, and only the core's
 * and the tenants' public headers (buddy/buddy.h, buddy/tenant.h) below
 * it. What differs between the tools is supplied by the caller:
 *   - a sink (struct buddy_script_sink) receives every result and failure,
 *     both as text and as typed fields, and keeps the form it wants (the
 *     command's text, its JSON Lines, the page's output buffer);
 *   - hooks (struct buddy_script_hooks) make zones with the caller's memory
 *     (malloc in the command, static slot buffers in the page) and draw
 *     `map`, so each tool keeps its own memory policy and its own limits.
 *
 * A line is words separated by spaces and tabs; a word starting with '#'
 * starts a comment that runs to the end of the line. A line runs through
 * three stages, and the first that fails decides its error:
 *   1. syntax (BUDDY_SCRIPT_ESYNTAX): at most BUDDY_SCRIPT_LINE_MAX bytes
 *      after one trailing CR is dropped, no NUL byte, a known command, the
 *      right number of words, every number in its range -- checked before
 *      anything else, so a malformed line is reported as malformed even
 *      before the first `zone`;
 *   2. a zone exists (BUDDY_SCRIPT_ENOZONE) for every command but `zone`;
 *   3. the allocator call (or a hook), whose error is reported as it comes.
 * A failed line changes nothing: the core guarantees it for its own calls,
 * and a `zone` line that fails keeps the old zone.
 *
 * Numbers are decimal or 0x hex, no sign, no blanks, no digit separators,
 * read into 64 bits with every step overflow-checked (the same on 32-bit
 * targets), then checked against the argument's range.
 */
#ifndef BUDDY_SCRIPT_H
#define BUDDY_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy/buddy.h"
#include "buddy/tenant.h"
#include "quote.h"

/* The longest line run, not counting its line end (and one CR before it):
 * what the page's input buffer holds, so a script runs the same in both. */
#define BUDDY_SCRIPT_LINE_MAX 4095u

/* What buddy_script_run_line returns besides 0 and the core's BUDDY_E*
 * codes: its own errors sit outside the core's range. */
#define BUDDY_SCRIPT_EMPTY 1        /* the line held no command */
#define BUDDY_SCRIPT_ESYNTAX (-1001) /* a malformed line */
#define BUDDY_SCRIPT_ENOZONE (-1002) /* a command before the first `zone` */

/* ---- what a sink receives ------------------------------------------------ */

/* The kinds of typed field a result is made of. */
enum buddy_script_kind {
    BUDDY_SCRIPT_U64,    /* v.u64 */
    BUDDY_SCRIPT_I64,    /* v.i64 */
    BUDDY_SCRIPT_STR,    /* v.str, NUL-terminated */
    BUDDY_SCRIPT_MILLI,  /* v.milli: thousandths, shown as "%d.%03d" */
    BUDDY_SCRIPT_ARRAY,  /* opens an array: elements follow, key NULL */
    BUDDY_SCRIPT_OBJECT, /* opens an object: its fields follow */
    BUDDY_SCRIPT_CLOSE   /* closes the innermost array or object */
};

struct buddy_script_field {
    enum buddy_script_kind kind;
    const char *key; /* the field's name; NULL in an array and for CLOSE */
    union {
        uint64_t u64;
        int64_t i64;
        const char *str;
        int milli;
    } v;
};

/* The line a result or a failure belongs to. */
struct buddy_script_line {
    unsigned long lineno; /* from 1, counting every line run */
    const char *cmd;      /* the command word: not NUL-terminated for an
                           * unknown word, which is cmd[0..cmd_len) of the
                           * line as written; "" before a word is known */
    size_t cmd_len;
};

struct buddy_script_failure {
    int code;            /* what buddy_script_run_line returns */
    const char *name;    /* "ESYNTAX", "ENOZONE", "EDOUBLEFREE", ... */
    const char *message; /* one line, script words quoted (quote.h) */
    bool from_core;      /* a BUDDY_E* code from an allocator call */
    const struct buddy_check_report *report; /* a failed `check`, or NULL */
};

/*
 * Where a line's output goes. For a line that succeeds: begin, then its
 * text and its fields in one order, then end; a sink keeps the form it
 * wants and leaves the other callback NULL. Text comes in pieces, lines
 * separated by '\n' and no '\n' after the last. For a line that fails: only
 * fail (text may have come before it from a hook that failed late; a sink
 * that buffers drops it). A line without a command reaches no callback.
 */
struct buddy_script_sink {
    void *ctx;
    void (*begin)(void *ctx, const struct buddy_script_line *line);
    void (*text)(void *ctx, const char *s, size_t len);
    void (*field)(void *ctx, const struct buddy_script_field *f);
    void (*end)(void *ctx, const struct buddy_script_line *line);
    void (*fail)(void *ctx, const struct buddy_script_line *line,
                 const struct buddy_script_failure *f);
};

/* ---- what the caller supplies ------------------------------------------- */

/* A `zone PAGES MAXORDER [empty] [start=PFN]` line, its numbers checked. */
struct buddy_script_zone_args {
    buddy_pfn_t start_pfn;
    uint64_t nr_pages;  /* 1 .. BUDDY_MAX_ZONE_PAGES */
    unsigned max_order; /* 0 .. BUDDY_MAX_ORDER_LIMIT */
    bool empty;         /* all holes instead of all free */
    unsigned pageblock_order; /* pageblock=N, 0: the default */
    unsigned flags;     /* BUDDY_ZONE_NO_GROUPING for `nogrouping` */
};

/* A hook's own error, outside the core's codes: its name and its text
 * (both must outlive the call: static, or in the hook's context). */
struct buddy_script_refusal {
    const char *name;
    const char *message;
};

struct buddy_script;

struct buddy_script_hooks {
    void *ctx;
    /*
     * Make the zone of a `zone` line with the caller's memory. *zone is the
     * current zone (NULL before the first): on success the hook returns 0
     * with *zone the new one and has released the old; on error *zone still
     * names the zone that is in use, and the hook returns a BUDDY_E* code
     * (why untouched) or another negative code with *why filled in.
     * Required.
     */
    int (*zone)(void *ctx, const struct buddy_script_zone_args *a,
                struct buddy_zone **zone, struct buddy_script_refusal *why);
    /*
     * Draw the zone for `map`, through buddy_script_put_text/_put_str or the
     * caller's own output; 0, or a negative code with *why filled in. NULL:
     * `map` is refused as a syntax error would be, with a message saying
     * this tool cannot draw.
     */
    int (*map)(void *ctx, struct buddy_script *s, const struct buddy_zone *z,
               struct buddy_script_refusal *why);
};

/* ---- the interpreter ---------------------------------------------------- */

/* The tenants a script can make (`tenant`), and the bytes their group and
 * a `memory` line's text take in the interpreter. */
#define BUDDY_SCRIPT_TENANTS 16u
#define BUDDY_SCRIPT_TENANTS_BYTES 8192u
#define BUDDY_SCRIPT_TENANT_TEXT 2048u

/* Room for a message: its fixed words plus one quoted script word. */
#define BUDDY_SCRIPT_MSG_SIZE (BUDDY_QUOTE_SIZE + 192u)

/*
 * The interpreter's state across lines. The caller places it (a local, a
 * static) and reads no field but through the functions below.
 */
struct buddy_script {
    struct buddy_zone *zone;              /* NULL until a `zone` succeeds */
    const struct buddy_script_sink *sink;
    const struct buddy_script_hooks *hooks;
    unsigned long lineno;                 /* lines run so far */
    unsigned long zone_failed_line;       /* the last `zone` that failed
                                           * while no zone existed, or 0 */
    struct buddy_script_line line;        /* the line being run */
    bool begun;                           /* sink->begin called for it */
    struct buddy_script_failure failure;  /* its failure, once it fails */
    struct buddy_check_report report;     /* a failed check's verdict */
    size_t msg_len;                       /* bytes in msg[] */
    char msg[BUDDY_SCRIPT_MSG_SIZE];      /* the failure's message */
    struct buddy_tenants *tenants;        /* made by the first `tenant`
                                           * in tenants_buf; a `zone` ends
                                           * it; NULL before */
    _Alignas(8) unsigned char tenants_buf[BUDDY_SCRIPT_TENANTS_BYTES];
    char tenants_text[BUDDY_SCRIPT_TENANT_TEXT]; /* a `memory` file */
};

/* Start an interpreter on `zone` (NULL: none yet; the page passes the
 * slot's). sink and hooks must outlive it. */
void buddy_script_init(struct buddy_script *s,
                       const struct buddy_script_sink *sink,
                       const struct buddy_script_hooks *hooks,
                       struct buddy_zone *zone);

/*
 * Run one line, line[0..len) without its '\n'. A line longer than
 * BUDDY_SCRIPT_LINE_MAX + 1 bytes may be cut by the caller: then only its
 * first BUDDY_SCRIPT_LINE_MAX + 1 bytes are read, and it is refused as too
 * long. Returns 0, BUDDY_SCRIPT_EMPTY for a line without a command, or the
 * line's error (a BUDDY_E* code, BUDDY_SCRIPT_ESYNTAX/_ENOZONE, or a
 * hook's code), after the sink has received it. O(len) plus the command.
 */
int buddy_script_run_line(struct buddy_script *s, const char *line,
                          size_t len);

/* The zone lines run against (NULL before the first `zone`). */
struct buddy_zone *buddy_script_zone(const struct buddy_script *s);

/* For a `map` hook: text of the current line's result, and a string field
 * of it (the picture, for a sink that keeps fields). */
void buddy_script_put_text(struct buddy_script *s, const char *str,
                           size_t len);
void buddy_script_put_str(struct buddy_script *s, const char *key,
                          const char *value);

/* ---- the command table, for help texts ---------------------------------- */

struct buddy_script_doc {
    const char *name;  /* "alloc" */
    const char *usage; /* "alloc ORDER" */
    const char *help;  /* what it does: lines separated by '\n', each short
                        * enough for a usage column of 21 */
};

/* The commands, in the order help lists them; NULL past the last. */
const struct buddy_script_doc *buddy_script_command_doc(size_t i);

#endif /* BUDDY_SCRIPT_H */
