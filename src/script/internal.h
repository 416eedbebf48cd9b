/* SPDX-License-Identifier: MIT */
/*
 * internal.h: what the files of src/script/ share: a word of a line, the
 * command table's shape, and the writers the commands answer through.
 *
 * A word is a slice of the caller's line, never copied and never
 * terminated: the interpreter does not write into the line, so the page can
 * hand over its input buffer as it is and the command a line it has cut.
 */
#ifndef BUDDY_SCRIPT_INTERNAL_H
#define BUDDY_SCRIPT_INTERNAL_H

#include "script.h"

#define BUDDY__SCRIPT_MAX_WORDS 9 /* more than any command takes, to name
                                   * the first extra one */
#define BUDDY__SCRIPT_MAX_ARGS 2  /* numbers of the longest command */

struct buddy__word {
    const char *p;
    size_t len;
};

struct buddy__arg_spec {
    const char *name; /* as in the usage: "ORDER" */
    uint64_t min, max;
};

/* A command's action: arg[] holds its nargs numbers, range checked, opt[]
 * its nopt option words (zone's and alloc's). 0, or the line's error after a
 * buddy__script_fail*(). */
typedef int (*buddy__command_fn)(struct buddy_script *s, const uint64_t *arg,
                                 int nargs, const struct buddy__word *opt,
                                 int nopt);

struct buddy__command {
    struct buddy_script_doc doc; /* name, usage, help */
    buddy__command_fn fn;
    int nreq;  /* numeric arguments required */
    int nnum;  /* numeric arguments accepted (nreq..nnum) */
    int nopt;  /* option words after the numbers (zone, alloc) */
    bool needs_zone; /* stage 2 applies */
    struct buddy__arg_spec args[BUDDY__SCRIPT_MAX_ARGS];
};

/* tenants.c: the tenant commands */
int buddy__cmd_tenant(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt);
int buddy__cmd_limit(struct buddy_script *s, const uint64_t *arg, int nargs,
                     const struct buddy__word *opt, int nopt);
int buddy__cmd_charge(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt);
int buddy__cmd_untenant(struct buddy_script *s, const uint64_t *arg,
                        int nargs, const struct buddy__word *opt, int nopt);
int buddy__cmd_tenants(struct buddy_script *s, const uint64_t *arg,
                       int nargs, const struct buddy__word *opt, int nopt);
int buddy__cmd_memory(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt);

/* commands.c: the table, in help order */
extern const struct buddy__command buddy__commands[];
extern const size_t buddy__nr_commands;

/* script.c: words and numbers */
bool buddy__word_is(struct buddy__word w, const char *s);
bool buddy__parse_u64(struct buddy__word w, uint64_t min, uint64_t max,
                      uint64_t *out);

/* script.c: the failure's message, built piece by piece into s->msg */
int buddy__script_fail(struct buddy_script *s, int code, const char *name);
void buddy__msg_str(struct buddy_script *s, const char *str);
void buddy__msg_u64(struct buddy_script *s, uint64_t v);
void buddy__msg_word(struct buddy_script *s, struct buddy__word w);
/* A core error: its name and text; from_core. */
int buddy__script_fail_core(struct buddy_script *s, int err);
/* A hook's error: its refusal if it gave one, else as a core error. */
int buddy__script_fail_hook(struct buddy_script *s, int err,
                            const struct buddy_script_refusal *why);

/* script.c: the result, as text (lines joined by '\n') and as fields */
void buddy__out_str(struct buddy_script *s, const char *str);
void buddy__out_u64(struct buddy_script *s, uint64_t v, unsigned width);
void buddy__out_milli(struct buddy_script *s, int v, unsigned width);
void buddy__out_padded(struct buddy_script *s, const char *str,
                       unsigned width);
void buddy__field_u64(struct buddy_script *s, const char *key, uint64_t v);
void buddy__field_i64(struct buddy_script *s, const char *key, int64_t v);
void buddy__field_milli(struct buddy_script *s, const char *key, int v);
void buddy__field_open(struct buddy_script *s, enum buddy_script_kind kind,
                       const char *key);
void buddy__field_close(struct buddy_script *s);

#endif /* BUDDY_SCRIPT_INTERNAL_H */
