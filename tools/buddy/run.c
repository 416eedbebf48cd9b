/* SPDX-License-Identifier: MIT */
/*
 * run.c: `buddy run`: reads a script line by line and hands each line to
 * the script interpreter (src/script/script.h), which the web playground
 * runs too. What is the command's own lives here: reading the file, the
 * two sinks (text, JSON Lines), zones whose metadata comes from malloc
 * (zonemem.c) and `map`, drawn by render.c.
 *
 * Lines are read into one buffer of BUDDY_SCRIPT_LINE_MAX bytes and its CR
 * (what the playground's input buffer holds), so memory stays bounded and a
 * longer line is read once and refused. A UTF-8 byte-order mark at the
 * start of the script is skipped, as the page does. What a message shows of
 * the script goes through quote.h: a bounded prefix, escaped.
 *
 * DECISION: a failing line does not stop the run. The error is reported with
 * its line number and the next line runs, so a trace with a double free shows
 * the error and what follows, as the web playground does; the core leaves
 * the zone unchanged on every error, so what follows is meaningful. The exit
 * status is 1 if any line failed, 0 otherwise; --stop-on-error stops at the
 * first failing line instead. Exit status 2 is for usage errors (unknown
 * option, unreadable file), where no line ran.
 *
 * Text mode prints results on stdout (alloc prints the pfn; free, add,
 * reserve and zone print nothing), each result's text ended by one '\n',
 * and errors on stderr as "buddy: line N: CMD: message", with " [ECODE]"
 * after an allocator's message so the code can be grepped. JSON mode prints
 * one object per command line on stdout, errors included ("error" holds the
 * code), and nothing on stderr for line errors; its "cmd" is the word's
 * bounded prefix as it is (the JSON writer escapes it), its "message" the
 * text's message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "render.h"
#include "script.h"

/* An error of `map` that no core call gives; its code is the command's own,
 * outside the core's and the interpreter's. */
#define RUN_ETOOBIG (-2100)

/* The command's side of the interpreter: the sinks' and hooks' context. */
struct run {
    struct buddy_script script;
    struct cli_zone zone;   /* zone.z is NULL until a `zone` line succeeds */
    bool json;              /* --json */
    bool stop_on_error;     /* --stop-on-error */
    struct render_style style; /* for `map` */
    FILE *out;              /* results */
    FILE *err;              /* text-mode errors */
    bool wrote;             /* text mode: the result printed something */
    struct json j;          /* JSON mode: the line's object */
    bool in_array[JSON_MAX_DEPTH]; /* JSON mode: what each open level is */
    unsigned depth;         /* JSON mode: levels open inside the object */
    char why[160];          /* a hook's message */
};

/* ---- the text sink ------------------------------------------------------ */

static void text_begin(void *ctx, const struct buddy_script_line *line)
{
    struct run *r = ctx;

    (void)line;
    r->wrote = false;
}

static void text_text(void *ctx, const char *s, size_t len)
{
    struct run *r = ctx;

    fwrite(s, 1, len, r->out);
    r->wrote = true;
}

static void text_end(void *ctx, const struct buddy_script_line *line)
{
    struct run *r = ctx;

    (void)line;
    if (r->wrote)
        fputc('\n', r->out);
}

static void text_fail(void *ctx, const struct buddy_script_line *line,
                      const struct buddy_script_failure *f)
{
    struct run *r = ctx;
    char cmd[BUDDY_QUOTE_SIZE];

    /* Keep stdout and stderr in order when both go to one place. */
    fflush(r->out);
    fprintf(r->err, "buddy: line %lu: %s%s%s", line->lineno,
            buddy_quote_text(cmd, line->cmd, line->cmd_len),
            line->cmd_len != 0 ? ": " : "", f->message);
    if (f->from_core)
        fprintf(r->err, " [%s]", f->name);
    fputc('\n', r->err);
    fflush(r->err);
}

/* ---- the JSON Lines sink ------------------------------------------------ */

/* "%d.%03d" of mm/vmstat.c, for thousandths that may be negative. */
static const char *thousandths(char *buf, size_t size, int v)
{
    unsigned a = v < 0 ? (unsigned)-(long)v : (unsigned)v;

    snprintf(buf, size, "%s%u.%03u", v < 0 ? "-" : "", a / 1000u, a % 1000u);
    return buf;
}

/* The line's number and command, first in every object. */
static void json_line(struct run *r, const struct buddy_script_line *line,
                      bool ok)
{
    char cmd[BUDDY_QUOTE_SIZE];

    json_begin(&r->j, r->out);
    r->depth = 0;
    json_u64(&r->j, "line", line->lineno);
    json_str(&r->j, "cmd", buddy_quote_prefix(cmd, line->cmd, line->cmd_len));
    json_bool(&r->j, "ok", ok);
}

static void json_begin_line(void *ctx, const struct buddy_script_line *line)
{
    json_line(ctx, line, true);
}

static void json_field(void *ctx, const struct buddy_script_field *f)
{
    struct run *r = ctx;
    char num[16];

    switch (f->kind) {
    case BUDDY_SCRIPT_U64:
        if (f->key != NULL)
            json_u64(&r->j, f->key, f->v.u64);
        else
            json_elem_u64(&r->j, f->v.u64);
        break;
    case BUDDY_SCRIPT_I64:
        json_i64(&r->j, f->key, f->v.i64);
        break;
    case BUDDY_SCRIPT_STR:
        json_str(&r->j, f->key, f->v.str);
        break;
    case BUDDY_SCRIPT_MILLI:
        /* "%d.%03d" is also a valid JSON number. */
        if (f->key != NULL)
            json_raw(&r->j, f->key, thousandths(num, sizeof(num), f->v.milli));
        else
            json_elem_raw(&r->j, thousandths(num, sizeof(num), f->v.milli));
        break;
    case BUDDY_SCRIPT_ARRAY:
    case BUDDY_SCRIPT_OBJECT:
        if (r->depth + 1 >= JSON_MAX_DEPTH)
            break; /* deeper than any command nests */
        r->in_array[r->depth++] = f->kind == BUDDY_SCRIPT_ARRAY;
        if (f->kind == BUDDY_SCRIPT_ARRAY)
            json_open_array(&r->j, f->key);
        else
            json_open_object(&r->j, f->key);
        break;
    case BUDDY_SCRIPT_CLOSE:
        if (r->depth == 0)
            break;
        if (r->in_array[--r->depth])
            json_close_array(&r->j);
        else
            json_close_object(&r->j);
        break;
    }
}

static void json_end_line(void *ctx, const struct buddy_script_line *line)
{
    struct run *r = ctx;

    (void)line;
    json_end(&r->j);
}

static void json_fail(void *ctx, const struct buddy_script_line *line,
                      const struct buddy_script_failure *f)
{
    struct run *r = ctx;
    const struct buddy_check_report *rep = f->report;

    json_line(r, line, false);
    json_str(&r->j, "error", f->name);
    json_str(&r->j, "message", f->message);
    if (rep != NULL) {
        json_str(&r->j, "what", rep->what);
        if (rep->pfn != BUDDY_PFN_NONE)
            json_u64(&r->j, "pfn", rep->pfn);
        json_u64(&r->j, "order", rep->order);
        json_u64(&r->j, "expected", rep->expected);
        json_u64(&r->j, "actual", rep->actual);
    }
    json_end(&r->j);
}

static const struct buddy_script_sink text_sink = {
    NULL, text_begin, text_text, NULL, text_end, text_fail};
static const struct buddy_script_sink json_sink = {
    NULL, json_begin_line, NULL, json_field, json_end_line, json_fail};

/* ---- the hooks: zones from malloc, maps from render.c ------------------- */

static int zone_hook(void *ctx, const struct buddy_script_zone_args *a,
                     struct buddy_zone **zone, struct buddy_script_refusal *why)
{
    struct run *r = ctx;
    struct cli_zone fresh;
    int err;

    err = cli_zone_create(&fresh, a->start_pfn, a->nr_pages, a->max_order,
                          a->pageblock_order, a->flags, a->empty);
    if (err == CLI_ENOMETA || err == CLI_EMETASIZE) {
        why->name = cli_zone_errname(err);
        why->message = cli_zone_strerror(err);
    }
    if (err != 0)
        return err; /* the old zone stays */
    cli_zone_destroy(&r->zone);
    r->zone = fresh;
    *zone = fresh.z;
    return 0;
}

static int refuse(struct run *r, struct buddy_script_refusal *why,
                  const char *name, int code)
{
    why->name = name;
    why->message = r->why;
    return code;
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

static int map_hook(void *ctx, struct buddy_script *s,
                    const struct buddy_zone *z,
                    struct buddy_script_refusal *why)
{
    struct run *r = ctx;
    struct zone_view v;
    struct buddy_zone_stats st;
    bool ok;
    int err = buddy_zone_get_stats(z, &st);

    if (err != 0)
        return err;
    if (st.spanned_pages > RENDER_MAX_PAGES) {
        snprintf(r->why, sizeof(r->why),
                 "the zone spans %" PRIu64 " pages; map draws at most %u",
                 st.spanned_pages, RENDER_MAX_PAGES);
        return refuse(r, why, "ETOOBIG", RUN_ETOOBIG);
    }
    snprintf(r->why, sizeof(r->why), "out of memory drawing the map");
    if (view_capture(&v, z) != 0) {
        view_release(&v);
        return refuse(r, why, "ENOMETA", CLI_ENOMETA);
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
        if (ok)
            buddy_script_put_str(s, "map", text);
        free(text);
    } else {
        /* Straight to stdout, in colour: the text sink prints nothing
         * after it, as nothing went through the interpreter's text. */
        ok = draw_zone(r->out, &v, &r->style);
    }
    view_release(&v);
    return ok ? 0 : refuse(r, why, "ENOMETA", CLI_ENOMETA);
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
    char buf[BUDDY_SCRIPT_LINE_MAX + 2];
    int failures = 0;
    unsigned long lineno = 0;
    long got;
    bool cut;

    while ((got = read_line(in, buf, sizeof(buf) - 1, &cut)) >= 0) {
        const char *line = buf;
        size_t len = (size_t)got;

        /* A UTF-8 byte-order mark, as some editors save, starts no word. */
        if (++lineno == 1 && len >= 3 &&
            memcmp(line, "\xef\xbb\xbf", 3) == 0) {
            line += 3;
            len -= 3;
        }
        /* A cut line is longer than the buffer: the interpreter reads its
         * first bytes and refuses it. */
        if (buddy_script_run_line(&r->script, line, cut ? SIZE_MAX : len) <
            0) {
            failures++;
            if (r->stop_on_error)
                break;
        }
    }
    if (ferror(in)) {
        int e = errno;
        char shown_name[BUDDY_QUOTE_SIZE];

        fflush(r->out);
        fprintf(stderr, "buddy: %s: %s\n",
                buddy_quote_text(shown_name, name, strlen(name)),
                strerror(e));
        return CLI_EXIT_USAGE;
    }
    return failures != 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

int cli_run_main(int argc, char **argv, enum cli_color color)
{
    struct run r;
    struct buddy_script_sink sink;
    struct buddy_script_hooks hooks = {NULL, zone_hook, map_hook};
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
                cli_help();
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
            char shown_path[BUDDY_QUOTE_SIZE];
            int e = errno;

            fprintf(stderr, "buddy: cannot open '%s': %s\n",
                    buddy_quote_text(shown_path, path, strlen(path)),
                    strerror(e));
            return CLI_EXIT_USAGE;
        }
    }
    r.out = stdout;
    r.err = stderr;
    r.style.color = !r.json && cli_use_color(color, stdout);
    sink = r.json ? json_sink : text_sink;
    sink.ctx = &r;
    hooks.ctx = &r;
    buddy_script_init(&r.script, &sink, &hooks, NULL);
    status = run_stream(&r, in, path);
    if (in != stdin)
        fclose(in);
    cli_zone_destroy(&r.zone);
    return status;
}
