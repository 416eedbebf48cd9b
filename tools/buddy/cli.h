/* SPDX-License-Identifier: MIT */
/*
 * cli.h: what the files of the `buddy` command share: the subcommand entry
 * points, the colour decision, and zones whose metadata comes from malloc.
 *
 * The tool is a client of the public API (include/buddy/buddy.h plus libc)
 * and of the script interpreter's header (src/script/script.h); nothing
 * here may reach into src/core.
 */
#ifndef BUDDY_TOOL_CLI_H
#define BUDDY_TOOL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "buddy/buddy.h"

/* Exit statuses, shared by every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1 /* a script line or a demo check failed, or the
                           * output could not be written */
#define CLI_EXIT_USAGE 2  /* unknown command or option, unreadable file */

/* Colour: -1 decide from the environment, 0 never, 1 always. */
enum cli_color {
    CLI_COLOR_AUTO = -1,
    CLI_COLOR_NEVER = 0,
    CLI_COLOR_ALWAYS = 1
};

/* Parse a colour flag; true if arg was one ("--color", "--no-color"). */
bool cli_parse_color_flag(const char *arg, enum cli_color *choice);

/* Resolve AUTO: colour only when `out` is a terminal, NO_COLOR is unset or
 * empty (no-color.org) and TERM is not "dumb". */
bool cli_use_color(enum cli_color choice, FILE *out);

/* The usage text, to `out`. */
/* cli_usage on stdout, keeping a failed write's errno for the exit. */
void cli_help(void);
void cli_usage(FILE *out);

/* A usage error: "buddy: " and fmt, with a and b (either may be NULL when
 * fmt uses fewer) shown as quote.h shows input, then a pointer to
 * `buddy help`, as one line on stderr. Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, const char *a, const char *b);

/* Subcommands: argv[0] is the subcommand's name. They return an exit status. */
int cli_demo_main(int argc, char **argv, enum cli_color color);
/* `buddy demo fragmentation` (demo_frag.c): the walk-through to `out`. */
int cli_demo_fragmentation(FILE *out);
int cli_demo_tenants(FILE *out);
int cli_run_main(int argc, char **argv, enum cli_color color);
int cli_serve_main(int argc, char **argv, enum cli_color color);
/* `buddy exec` (exec.c): on success it does not return. */
int cli_exec_main(int argc, char **argv);

/* A zone with its metadata buffer from malloc. */
struct cli_zone {
    void *meta;            /* malloc'd, owns the zone */
    struct buddy_zone *z;  /* points into meta */
};

/* Errors of cli_zone_create outside the BUDDY_E* range, so they never
 * collide with a core code. Both are reported as ENOMETA. */
#define CLI_ENOMETA (-2000)   /* malloc could not give the metadata */
#define CLI_EMETASIZE (-2001) /* its size does not fit a size_t */

/*
 * Make a zone spanning [start_pfn, start_pfn + nr_pages) with max_order,
 * pageblock_order (0: the default), the zone flags given (BUDDY_ZONE_*)
 * and default page size, then (unless `empty`) give all of it to the zone
 * as free memory. Returns 0, a BUDDY_E* code from the core, CLI_ENOMETA or
 * CLI_EMETASIZE; on error *out is left untouched.
 */
int cli_zone_create(struct cli_zone *out, buddy_pfn_t start_pfn,
                    uint64_t nr_pages, unsigned max_order,
                    unsigned pageblock_order, unsigned flags, bool empty);
void cli_zone_destroy(struct cli_zone *cz);

/* Name and text of a cli_zone_create error: the core's for its codes. */
const char *cli_zone_errname(int err);
const char *cli_zone_strerror(int err);

#endif /* BUDDY_TOOL_CLI_H */
