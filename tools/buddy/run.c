/* SPDX-License-Identifier: MIT */
/*
 * run.c: `buddy run`, the script interpreter: one allocator command per
 * line, against one zone, answering in text or in JSON Lines.
 *
 * Each line goes through three stages, and the first that fails decides the
 * line's error:
 *   1. syntax: at most RUN_LINE_MAX bytes and no NUL byte, a known command,
 *      the right number of words, every number in its range (ESYNTAX) --
 *      checked before anything else so a malformed line is reported as
 *      malformed even before the first `zone`;
 *   2. a zone exists (ENOZONE), for every command but `zone`; when a `zone`
 *      line failed with no zone before it, the message names that line;
 *   3. the allocator call, whose BUDDY_E* code and text are reported as they
 *      come from buddy_errname()/buddy_strerror().
 *
 * Lines are read into one buffer of RUN_LINE_MAX bytes (what the
 * playground's input buffer holds), so memory stays bounded and a longer
 * line is read once and refused. A UTF-8 byte-order mark at the start of
 * the script is skipped, as the page does. What a message shows of the
 * script goes through quote.h: a bounded prefix, escaped.
 *
 * DECISION: a failing line does not stop the run. The error is reported with
 * its line number and the next line runs, so a trace with a double free shows
 * the error and what follows, as the web playground will; the core leaves
 * the zone unchanged on every error, so what follows is meaningful. The exit
 * status is 1 if any line failed, 0 otherwise; --stop-on-error stops at the
 * first failing line instead. Exit status 2 is for usage errors (unknown
 * option, unreadable file), where no line ran.
 *
 * Text mode prints results on stdout (alloc prints the pfn; free, add,
 * reserve and zone print nothing) and errors on stderr as
 * "buddy: line N: CMD: message", with " [ECODE]" after an allocator's
 * message so the code can be grepped. JSON mode prints one object per
 * command line on stdout, errors included ("error" holds the code), and
 * nothing on stderr for line errors; its "cmd" is the word's bounded prefix
 * as it is (the JSON writer escapes it), its "message" the text's message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "parse.h"
#include "quote.h"
#include "render.h"

#define MAX_WORDS 8  /* more than any command takes, to name the extra one */
#define MAX_ARGS 2   /* numeric arguments of the longest command */
/* The longest line run, not counting its line end: what the playground's
 * input buffer holds, so a script runs the same in both. */
#define RUN_LINE_MAX 4095u

/* The interpreter's state across lines. */
struct run {
    struct cli_zone zone;   /* zone.z is NULL until a `zone` line succeeds */
    bool json;              /* --json */
    bool stop_on_error;     /* --stop-on-error */
    struct render_style style; /* for `map` */
    FILE *out;              /* results */
    FILE *err;              /* text-mode errors */
    unsigned long lineno;   /* line being run, from 1 */
    unsigned long zone_failed_line; /* the last failed `zone` while no zone
                                     * exists, or 0 */
    const char *cmd;        /* its command word */
    struct json j;          /* its JSON object, once started */
    /* The current line's failure, filled by fail_*(). */
    const char *err_code;   /* "ESYNTAX", "ENOZONE", "EDOUBLEFREE" ... */
    char err_msg[QUOTE_SIZE + 160]; /* room for one quoted word */
    char quoted[QUOTE_SIZE];        /* that word, by shown() */
    bool err_from_core;     /* a BUDDY_E* code: text shows it in [] */
    bool have_report;       /* a failed `check`: report below is set */
    struct buddy_check_report report;
};

/* ---- reporting ---------------------------------------------------------- */

/* Record a failure with a formatted message; returns false so handlers can
 * `return fail(...)`. */
static bool fail(struct run *r, const char *code, const char *fmt, ...)
{
    va_list ap;

    r->err_code = code;
    r->err_from_core = false;
    va_start(ap, fmt);
    vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
    va_end(ap);
    return false;
}

/* An allocator error: its symbolic name and the core's own text. */
static bool fail_buddy(struct run *r, int err)
{
    fail(r, cli_zone_errname(err), "%s", cli_zone_strerror(err));
    r->err_from_core = err != CLI_ENOMETA && err != CLI_EMETASIZE;
    return false;
}

/* A word of the line as a message may show it (quote.h). One buffer: every
 * message shows at most one word. */
static const char *shown(struct run *r, const char *word)
{
    return quote_text(r->quoted, word, strlen(word));
}

/* Start the line's success output. True in JSON mode, where the caller then
 * adds its fields to r->j; in text mode the caller prints its own text. */
static bool ok_begin(struct run *r)
{
    if (!r->json)
        return false;
    json_begin(&r->j, r->out);
    json_u64(&r->j, "line", r->lineno);
    json_str(&r->j, "cmd", r->cmd);
    json_bool(&r->j, "ok", true);
    return true;
}

static void report_failure(struct run *r)
{
    char cmd[QUOTE_SIZE];

    if (r->json) {
        json_begin(&r->j, r->out);
        json_u64(&r->j, "line", r->lineno);
        json_str(&r->j, "cmd", quote_prefix(cmd, r->cmd, strlen(r->cmd)));
        json_bool(&r->j, "ok", false);
        json_str(&r->j, "error", r->err_code);
        json_str(&r->j, "message", r->err_msg);
        if (r->have_report) {
            json_str(&r->j, "what", r->report.what);
            if (r->report.pfn != BUDDY_PFN_NONE)
                json_u64(&r->j, "pfn", r->report.pfn);
            json_u64(&r->j, "order", r->report.order);
            json_u64(&r->j, "expected", r->report.expected);
            json_u64(&r->j, "actual", r->report.actual);
        }
        json_end(&r->j);
        return;
    }
    /* Keep stdout and stderr in order when both go to one place. */
    fflush(r->out);
    fprintf(r->err, "buddy: line %lu: %s%s%s", r->lineno,
            quote_text(cmd, r->cmd, strlen(r->cmd)),
            r->cmd[0] != '\0' ? ": " : "", r->err_msg);
    if (r->err_from_core)
        fprintf(r->err, " [%s]", r->err_code);
    fputc('\n', r->err);
    fflush(r->err);
}

/* "%d.%03d" of mm/vmstat.c, for thousandths that may be negative. */
static const char *thousandths(char *buf, size_t size, int v)
{
    unsigned a = v < 0 ? (unsigned)-(long)v : (unsigned)v;

    snprintf(buf, size, "%s%u.%03u", v < 0 ? "-" : "", a / 1000u, a % 1000u);
    return buf;
}

/* ---- commands ----------------------------------------------------------- */

struct arg_spec {
    const char *name; /* as in the usage: "ORDER" */
    uint64_t min, max;
};

/* A command's action: arg[] holds its nargs numbers, already range checked,
 * opt[] its nopt option words (zone only). False after fail*(). */
typedef bool (*command_fn)(struct run *r, const uint64_t *arg, int nargs,
                           char **opt, int nopt);

struct command {
    const char *name;
    command_fn fn;
    int nreq;          /* numeric arguments required */
    int nnum;          /* numeric arguments accepted (nreq..nnum) */
    int nopt;          /* option words after the numbers (zone only) */
    struct arg_spec args[MAX_ARGS];
    const char *usage; /* shown with argument count errors */
};

static bool cmd_zone(struct run *r, const uint64_t *arg, int nargs, char **opt,
                     int nopt)
{
    buddy_pfn_t start = 0;
    bool empty = false, have_start = false;
    struct cli_zone fresh;
    int i, err;

    (void)nargs;
    for (i = 0; i < nopt; i++) {
        if (strcmp(opt[i], "empty") == 0 && !empty) {
            empty = true;
        } else if (strncmp(opt[i], "start=", 6) == 0 && !have_start) {
            if (!parse_u64(opt[i] + 6, 0, UINT64_MAX, &start))
                return fail(r, "ESYNTAX",
                            "start=PFN must be a number 0..%" PRIu64
                            ", got '%s'",
                            UINT64_MAX, shown(r, opt[i] + 6));
            have_start = true;
        } else if (strcmp(opt[i], "empty") == 0 ||
                   strncmp(opt[i], "start=", 6) == 0) {
            return fail(r, "ESYNTAX", "'%s' given twice", shown(r, opt[i]));
        } else {
            return fail(r, "ESYNTAX",
                        "unknown option '%s' (expected 'empty' or "
                        "'start=PFN')",
                        shown(r, opt[i]));
        }
    }
    err = cli_zone_create(&fresh, start, arg[0], (unsigned)arg[1], empty);
    if (err != 0)
        return fail_buddy(r, err); /* the old zone stays */
    cli_zone_destroy(&r->zone);
    r->zone = fresh;
    if (ok_begin(r)) {
        uint64_t free_pages;

        if ((err = buddy_zone_free_pages(r->zone.z, &free_pages)) != 0)
            return fail_buddy(r, err);
        json_u64(&r->j, "start_pfn", start);
        json_u64(&r->j, "pages", arg[0]);
        json_u64(&r->j, "max_order", arg[1]);
        json_u64(&r->j, "free_pages", free_pages);
    }
    return true;
}

static bool cmd_alloc(struct run *r, const uint64_t *arg, int nargs,
                      char **opt, int nopt)
{
    buddy_pfn_t pfn;
    int err;

    (void)nargs, (void)opt, (void)nopt;
    err = buddy_alloc_pages(r->zone.z, (unsigned)arg[0], &pfn);
    if (err != 0)
        return fail_buddy(r, err);
    if (ok_begin(r)) {
        json_u64(&r->j, "order", arg[0]);
        json_u64(&r->j, "pfn", pfn);
    } else {
        fprintf(r->out, "%" PRIu64 "\n", pfn);
    }
    return true;
}

static bool cmd_free(struct run *r, const uint64_t *arg, int nargs, char **opt,
                     int nopt)
{
    int err, order;

    (void)opt, (void)nopt;
    if (nargs == 2) {
        order = (int)arg[1];
        err = buddy_free_pages(r->zone.z, arg[0], (unsigned)arg[1]);
    } else {
        /* Learn the order first only to report it; the free checks again. */
        order = buddy_pfn_order(r->zone.z, arg[0]);
        err = buddy_free_pfn(r->zone.z, arg[0]);
    }
    if (err != 0)
        return fail_buddy(r, err);
    if (ok_begin(r)) {
        json_u64(&r->j, "pfn", arg[0]);
        json_i64(&r->j, "order", order);
    }
    return true;
}

static bool cmd_add(struct run *r, const uint64_t *arg, int nargs, char **opt,
                    int nopt)
{
    int err;

    (void)nargs, (void)opt, (void)nopt;
    err = buddy_zone_add_range(r->zone.z, arg[0], arg[1]);
    if (err != 0)
        return fail_buddy(r, err);
    if (ok_begin(r)) {
        json_u64(&r->j, "pfn", arg[0]);
        json_u64(&r->j, "count", arg[1]);
    }
    return true;
}

static bool cmd_reserve(struct run *r, const uint64_t *arg, int nargs,
                        char **opt, int nopt)
{
    int err;

    (void)nargs, (void)opt, (void)nopt;
    err = buddy_zone_reserve(r->zone.z, arg[0], arg[1]);
    if (err != 0)
        return fail_buddy(r, err);
    if (ok_begin(r)) {
        json_u64(&r->j, "pfn", arg[0]);
        json_u64(&r->j, "count", arg[1]);
    }
    return true;
}

static bool cmd_info(struct run *r, const uint64_t *arg, int nargs, char **opt,
                     int nopt)
{
    char line[512];
    size_t len;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    /* 32 orders of "%6lu " plus the prefix fit in 512 bytes. */
    len = buddy_zone_buddyinfo(r->zone.z, line, sizeof(line));
    if (ok_begin(r)) {
        struct buddy_zone_info info;
        unsigned k;

        if (len > 0 && len < sizeof(line) && line[len - 1] == '\n')
            line[len - 1] = '\0';
        json_str(&r->j, "buddyinfo", line);
        uint64_t n;
        int err;

        if ((err = buddy_zone_get_info(r->zone.z, &info)) != 0)
            return fail_buddy(r, err);
        json_open_array(&r->j, "nr_free");
        for (k = 0; k <= info.max_order; k++) {
            if ((err = buddy_zone_nr_free(r->zone.z, k, &n)) != 0)
                return fail_buddy(r, err);
            json_elem_u64(&r->j, n);
        }
        json_close_array(&r->j);
    } else {
        fputs(line, r->out);
    }
    return true;
}

static bool cmd_check(struct run *r, const uint64_t *arg, int nargs,
                      char **opt, int nopt)
{
    struct buddy_check_report *rep = &r->report;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if (buddy_zone_check(r->zone.z, rep) != 0) {
        if (rep->pfn != BUDDY_PFN_NONE)
            fail(r, buddy_errname(rep->error),
                 "%s: %s (pfn %" PRIu64 ", order %u, expected %" PRIu64
                 ", found %" PRIu64 ")",
                 buddy_strerror(rep->error), rep->what, rep->pfn, rep->order,
                 rep->expected, rep->actual);
        else
            fail(r, buddy_errname(rep->error),
                 "%s: %s (order %u, expected %" PRIu64 ", found %" PRIu64 ")",
                 buddy_strerror(rep->error), rep->what, rep->order,
                 rep->expected, rep->actual);
        r->have_report = true;
        r->err_from_core = true;
        return false;
    }
    if (!ok_begin(r))
        fputs("ok\n", r->out);
    return true;
}

static void text_counts(FILE *out, const char *name, const uint64_t *v,
                        unsigned n)
{
    unsigned k;

    fprintf(out, "%-15s", name);
    for (k = 0; k < n; k++)
        fprintf(out, "%s%" PRIu64, k ? " " : "", v[k]);
    fputc('\n', out);
}

static void json_counts(struct json *j, const char *name, const uint64_t *v,
                        unsigned n)
{
    unsigned k;

    json_open_array(j, name);
    for (k = 0; k < n; k++)
        json_elem_u64(j, v[k]);
    json_close_array(j);
}

struct counter {
    const char *name;
    uint64_t value;
};

static bool cmd_stats(struct run *r, const uint64_t *arg, int nargs,
                      char **opt, int nopt)
{
    struct buddy_zone_stats st;
    struct buddy_zone_info info;
    unsigned orders;
    size_t i;
    int err;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if ((err = buddy_zone_get_stats(r->zone.z, &st)) != 0 ||
        (err = buddy_zone_get_info(r->zone.z, &info)) != 0)
        return fail_buddy(r, err);
    orders = info.max_order + 1;

    /* Page counts, then the per-order arrays, then event counters. */
    const struct counter pages[] = {
        {"spanned_pages", st.spanned_pages},
        {"present_pages", st.present_pages},
        {"managed_pages", st.managed_pages},
        {"reserved_pages", st.reserved_pages},
        {"free_pages", st.free_pages},
        {"cached_pages", st.cached_pages},
    };
    const struct counter events[] = {
        {"splits", st.splits},
        {"merges", st.merges},
        {"alloc_failures", st.alloc_failures},
        {"fallbacks", st.fallbacks},
        {"rejected", st.rejected},
        {"nr_caches", st.nr_caches},
        {"cache_refills", st.cache_refills},
        {"cache_drains", st.cache_drains},
    };
    const size_t npages = sizeof(pages) / sizeof(pages[0]);
    const size_t nevents = sizeof(events) / sizeof(events[0]);

    if (ok_begin(r)) {
        for (i = 0; i < npages; i++)
            json_u64(&r->j, pages[i].name, pages[i].value);
        json_counts(&r->j, "nr_free", st.nr_free, orders);
        json_counts(&r->j, "alloc_count", st.alloc_count, orders);
        json_counts(&r->j, "free_count", st.free_count, orders);
        for (i = 0; i < nevents; i++)
            json_u64(&r->j, events[i].name, events[i].value);
        return true;
    }
    for (i = 0; i < npages; i++)
        fprintf(r->out, "%-15s%" PRIu64 "\n", pages[i].name,
                pages[i].value);
    text_counts(r->out, "nr_free", st.nr_free, orders);
    text_counts(r->out, "alloc_count", st.alloc_count, orders);
    text_counts(r->out, "free_count", st.free_count, orders);
    for (i = 0; i < nevents; i++)
        fprintf(r->out, "%-15s%" PRIu64 "\n", events[i].name,
                events[i].value);
    return true;
}

static int walk_text(void *arg, const struct buddy_block *b)
{
    FILE *out = arg;

    if (b->kind == BUDDY_BLOCK_HOLE)
        fprintf(out, "pfn %" PRIu64 ": hole (%" PRIu64 " page%s)\n", b->pfn,
                b->nr_pages, b->nr_pages == 1 ? "" : "s");
    else
        fprintf(out, "pfn %" PRIu64 ": %s, order %u (%" PRIu64 " page%s)\n",
                b->pfn, buddy_block_kind_name(b->kind), b->order, b->nr_pages,
                b->nr_pages == 1 ? "" : "s");
    return 0;
}

static int walk_json(void *arg, const struct buddy_block *b)
{
    struct json *j = arg;

    json_open_object(j, NULL);
    json_u64(j, "pfn", b->pfn);
    json_str(j, "kind", buddy_block_kind_name(b->kind));
    if (b->kind != BUDDY_BLOCK_HOLE)
        json_u64(j, "order", b->order);
    json_u64(j, "pages", b->nr_pages);
    json_close_object(j);
    return 0;
}

static bool cmd_walk(struct run *r, const uint64_t *arg, int nargs, char **opt,
                     int nopt)
{
    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if (ok_begin(r)) {
        json_open_array(&r->j, "blocks");
        buddy_zone_walk(r->zone.z, walk_json, &r->j);
        json_close_array(&r->j);
    } else {
        buddy_zone_walk(r->zone.z, walk_text, r->out);
    }
    return true;
}

static bool cmd_frag(struct run *r, const uint64_t *arg, int nargs, char **opt,
                     int nopt)
{
    struct buddy_zone_info info;
    unsigned k;
    char a[16], b[16];
    int unusable[BUDDY_NR_ORDERS], frag[BUDDY_NR_ORDERS], err;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if ((err = buddy_zone_get_info(r->zone.z, &info)) != 0)
        return fail_buddy(r, err);
    for (k = 0; k <= info.max_order; k++)
        if ((err = buddy_zone_unusable_index(r->zone.z, k, &unusable[k])) != 0 ||
            (err = buddy_zone_fragmentation_index(r->zone.z, k, &frag[k])) != 0)
            return fail_buddy(r, err);
    if (ok_begin(r)) {
        /* "%d.%03d" is also a valid JSON number. */
        json_open_array(&r->j, "unusable");
        for (k = 0; k <= info.max_order; k++)
            json_elem_raw(&r->j, thousandths(a, sizeof(a), unusable[k]));
        json_close_array(&r->j);
        json_open_array(&r->j, "fragmentation");
        for (k = 0; k <= info.max_order; k++)
            json_elem_raw(&r->j, thousandths(b, sizeof(b), frag[k]));
        json_close_array(&r->j);
        return true;
    }
    fprintf(r->out, "order  unusable  fragmentation\n");
    for (k = 0; k <= info.max_order; k++)
        fprintf(r->out, "%5u  %8s  %13s\n", k,
                thousandths(a, sizeof(a), unusable[k]),
                thousandths(b, sizeof(b), frag[k]));
    return true;
}

/* Draw the map and lists into `out`. False when the zone is too big. */
static bool draw_zone(FILE *out, const struct zone_view *v,
                      const struct render_style *st)
{
    unsigned kinds = 0;
    size_t i;

    if (!render_map(out, v, st, 0))
        return false;
    fputc('\n', out);
    render_free_area(out, v, st, 0, NULL);
    for (i = 0; i < v->nr_blocks; i++)
        kinds |= 1u << v->blocks[i].kind;
    fputc('\n', out);
    render_legend(out, st, 0, kinds);
    return true;
}

static bool cmd_map(struct run *r, const uint64_t *arg, int nargs, char **opt,
                    int nopt)
{
    struct zone_view v;
    struct buddy_zone_stats st;
    bool ok;
    int err;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if ((err = buddy_zone_get_stats(r->zone.z, &st)) != 0)
        return fail_buddy(r, err);
    if (st.spanned_pages > RENDER_MAX_PAGES)
        return fail(r, "ETOOBIG",
                    "the zone spans %" PRIu64 " pages; map draws at most %u",
                    st.spanned_pages, RENDER_MAX_PAGES);
    if (view_capture(&v, r->zone.z) != 0) {
        view_release(&v);
        return fail(r, "ENOMETA", "out of memory drawing the map");
    }
    if (r->json) {
        /* The picture as one string, drawn without colour. */
        struct render_style plain = {false};
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);

        ok = mem != NULL && draw_zone(mem, &v, &plain);
        if (mem != NULL)
            fclose(mem);
        if (ok && ok_begin(r))
            json_str(&r->j, "map", text);
        free(text);
    } else {
        ok = draw_zone(r->out, &v, &r->style);
    }
    view_release(&v);
    return ok ? true : fail(r, "ENOMETA", "out of memory drawing the map");
}

#define U64_ALL 0, UINT64_MAX
static const struct command commands[] = {
    {"zone", cmd_zone, 2, 2, 2,
     {{"PAGES", 1, BUDDY_MAX_ZONE_PAGES},
      {"MAXORDER", 0, BUDDY_MAX_ORDER_LIMIT}},
     "zone PAGES MAXORDER [empty] [start=PFN]"},
    {"alloc", cmd_alloc, 1, 1, 0, {{"ORDER", 0, BUDDY_MAX_ORDER_LIMIT}},
     "alloc ORDER"},
    {"free", cmd_free, 1, 2, 0,
     {{"PFN", U64_ALL}, {"ORDER", 0, BUDDY_MAX_ORDER_LIMIT}},
     "free PFN [ORDER]"},
    {"add", cmd_add, 2, 2, 0, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}},
     "add PFN COUNT"},
    {"reserve", cmd_reserve, 2, 2, 0, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}},
     "reserve PFN COUNT"},
    {"info", cmd_info, 0, 0, 0, {{NULL, 0, 0}}, "info"},
    {"check", cmd_check, 0, 0, 0, {{NULL, 0, 0}}, "check"},
    {"stats", cmd_stats, 0, 0, 0, {{NULL, 0, 0}}, "stats"},
    {"walk", cmd_walk, 0, 0, 0, {{NULL, 0, 0}}, "walk"},
    {"frag", cmd_frag, 0, 0, 0, {{NULL, 0, 0}}, "frag"},
    {"map", cmd_map, 0, 0, 0, {{NULL, 0, 0}}, "map"},
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < NR_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Run one line, `len` bytes without its '\n' (all of it, unless `cut`:
 * then only its first bytes); true if it succeeded (or held no command). */
static bool run_line(struct run *r, char *line, size_t len, bool cut)
{
    char *words[MAX_WORDS];
    uint64_t arg[MAX_ARGS];
    const struct command *c;
    int n, nargs, i;

    r->cmd = "";
    r->have_report = false;
    if (!cut && len > 0 && line[len - 1] == '\r')
        line[--len] = '\0'; /* a script saved with CRLF line ends */
    if (cut || len > RUN_LINE_MAX)
        return fail(r, "ESYNTAX", "line too long (more than %u bytes): '%s'",
                    RUN_LINE_MAX, quote_text(r->quoted, line, len));
    if (strlen(line) != len) {
        /* Words after a NUL would be silently lost: refuse the line. */
        return fail(r, "ESYNTAX", "line contains a NUL byte");
    }
    n = parse_words(line, words, MAX_WORDS);
    if (n == 0)
        return true;
    r->cmd = words[0];
    c = find_command(words[0]);
    if (c == NULL)
        return fail(r, "ESYNTAX",
                    "unknown command (expected zone, alloc, free, add, "
                    "reserve, info, check, stats, walk, frag or map)");
    r->cmd = c->name;
    nargs = n - 1;
    if (nargs < c->nreq)
        return fail(r, "ESYNTAX", "missing %s (usage: %s)",
                    c->args[nargs].name, c->usage);
    if (nargs > c->nnum + c->nopt)
        return fail(r, "ESYNTAX", "unexpected argument '%s' (usage: %s)",
                    shown(r, words[1 + c->nnum + c->nopt]), c->usage);
    /* Words past the numbers are options (zone) or, for commands with
     * optional numbers, more numbers. */
    if (nargs > c->nnum)
        nargs = c->nnum;
    for (i = 0; i < nargs; i++)
        if (!parse_u64(words[1 + i], c->args[i].min, c->args[i].max, &arg[i]))
            return fail(r, "ESYNTAX",
                        "%s must be a number %" PRIu64 "..%" PRIu64
                        ", got '%s'",
                        c->args[i].name, c->args[i].min, c->args[i].max,
                        shown(r, words[1 + i]));
    if (c->fn != cmd_zone && r->zone.z == NULL && r->zone_failed_line != 0)
        return fail(r, "ENOZONE",
                    "no zone: the 'zone' command on line %lu failed",
                    r->zone_failed_line);
    if (c->fn != cmd_zone && r->zone.z == NULL)
        return fail(r, "ENOZONE",
                    "no zone yet (the first command must be 'zone PAGES "
                    "MAXORDER')");
    if (!c->fn(r, arg, nargs, words + 1 + nargs, n - 1 - nargs))
        return false;
    if (r->json)
        json_end(&r->j);
    return true;
}

/* ---- the subcommand ----------------------------------------------------- */

/*
 * Read the next line into buf (size max + 1) without its '\n' and
 * NUL-terminate it. Returns its length, or -1 at the end of the input (or
 * on a read error) before any byte. A line longer than `max` bytes sets
 * *cut: buf keeps its first `max` bytes and the rest is read and dropped,
 * so memory stays bounded whatever the line's length, and the whole input
 * is read once, byte by byte through stdio's buffer.
 */
static long read_line(FILE *in, char *buf, size_t max, bool *cut)
{
    size_t len = 0;
    int c;

    *cut = false;
    while ((c = getc(in)) != EOF && c != '\n') {
        if (len < max)
            buf[len++] = (char)c;
        else
            *cut = true;
    }
    if (c == EOF && len == 0 && !*cut)
        return -1;
    buf[len] = '\0';
    return (long)len;
}

static int run_stream(struct run *r, FILE *in, const char *name)
{
    /* A line and its CR fit; anything longer is refused, as by the page. */
    char buf[RUN_LINE_MAX + 2];
    int failures = 0;
    long got;
    bool cut;

    while ((got = read_line(in, buf, sizeof(buf) - 1, &cut)) >= 0) {
        char *line = buf;
        size_t len = (size_t)got;

        r->lineno++;
        /* A UTF-8 byte-order mark, as some editors save, starts no word. */
        if (r->lineno == 1 && len >= 3 &&
            memcmp(line, "\xef\xbb\xbf", 3) == 0) {
            line += 3;
            len -= 3;
        }
        if (!run_line(r, line, len, cut)) {
            if (r->zone.z == NULL && strcmp(r->cmd, "zone") == 0)
                r->zone_failed_line = r->lineno;
            report_failure(r);
            failures++;
            if (r->stop_on_error)
                break;
        }
    }
    if (ferror(in)) {
        int e = errno;
        char shown_name[QUOTE_SIZE];

        fflush(r->out);
        fprintf(stderr, "buddy: %s: %s\n",
                quote_text(shown_name, name, strlen(name)), strerror(e));
        return CLI_EXIT_USAGE;
    }
    return failures != 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

int cli_run_main(int argc, char **argv, enum cli_color color)
{
    struct run r;
    const char *path = NULL;
    bool options_done = false;
    FILE *in;
    int i, status;

    memset(&r, 0, sizeof(r));
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!options_done && a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0)
                options_done = true;
            else if (strcmp(a, "--json") == 0)
                r.json = true;
            else if (strcmp(a, "--stop-on-error") == 0)
                r.stop_on_error = true;
            else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                cli_usage(stdout);
                return CLI_EXIT_OK;
            } else if (!cli_parse_color_flag(a, &color)) {
                return cli_usage_error("run: unknown option '%s'", a, NULL);
            }
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("run: only one FILE, got '%s' and '%s'",
                                   path, a);
        }
    }
    if (path == NULL || strcmp(path, "-") == 0) {
        in = stdin;
        path = "<stdin>";
    } else {
        in = fopen(path, "r");
        if (in == NULL) {
            char shown_path[QUOTE_SIZE];
            int e = errno;

            fprintf(stderr, "buddy: cannot open '%s': %s\n",
                    quote_text(shown_path, path, strlen(path)), strerror(e));
            return CLI_EXIT_USAGE;
        }
    }
    r.out = stdout;
    r.err = stderr;
    r.style.color = !r.json && cli_use_color(color, stdout);
    status = run_stream(&r, in, path);
    if (in != stdin)
        fclose(in);
    cli_zone_destroy(&r.zone);
    return status;
}
