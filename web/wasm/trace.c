/* SPDX-License-Identifier: MIT */
/*
 * trace.c: one line of a `buddy run` script, run against a slot's zone by
 * the script interpreter (src/script/script.h) that `buddy run` uses: the
 * page runs exactly what the command runs, and this file only adapts it to
 * the page's flat ABI.
 *
 * The page's session is a trace in the syntax of `buddy run`: every button
 * press becomes a line and goes through here, so what the page exports,
 * pastes back and shares in its URL replays exactly in the terminal.
 * JavaScript only splits pasted text into lines.
 *
 * What is the page's own:
 *   - the sink keeps a result's text in pg_out() (alloc: the pfn; info: the
 *     buddyinfo line; check: "ok"; an error: its message), and the pfn and
 *     order of an alloc or a free for pg_last_pfn()/pg_last_order();
 *   - the zone hook makes zones in the slot's static buffer (zones.c), so a
 *     zone spans at most PG_MAX_PAGES pages and its pfns stay below 2^32,
 *     which the page's u32 tables need (a start past that is ESYNTAX);
 *   - the map hook draws nothing: the page draws the map always.
 * Each call is a fresh interpreter on the slot's zone, as the page numbers
 * no lines: a command after a failed first `zone` gets the plain "no zone
 * yet".
 *
 * pg_exec returns 1 for a line without a command, 0 on success, else the
 * error (PG_ESYNTAX, PG_ENOZONE or the core's BUDDY_E* code), and
 * pg_exec_cmd() the command word, for the page's log.
 */
#include "playground.h"
#include "script.h"
#include "text.h"

_Static_assert(PG_ESYNTAX == BUDDY_SCRIPT_ESYNTAX &&
                   PG_ENOZONE == BUDDY_SCRIPT_ENOZONE,
               "the page's script errors are the interpreter's");
_Static_assert(PG_INBUF_SIZE == BUDDY_SCRIPT_LINE_MAX + 1,
               "the input buffer holds the longest line and its CR");

/* The command word of the last pg_exec, as written ("" for none). */
static char cur_cmd[PG_INBUF_SIZE + 1];

struct page_line {
    uint32_t slot;
    struct pg_text *out;
    bool track;        /* an alloc or a free: keep its pfn and order */
    uint32_t pfn, order;
};

static void keep_cmd(const struct buddy_script_line *line)
{
    size_t i;

    for (i = 0; i < line->cmd_len && i + 1 < sizeof(cur_cmd); i++)
        cur_cmd[i] = line->cmd[i];
    cur_cmd[i] = '\0';
}

static bool is(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void page_begin(void *ctx, const struct buddy_script_line *line)
{
    struct page_line *l = ctx;

    keep_cmd(line);
    l->track = is(cur_cmd, "alloc") || is(cur_cmd, "free");
}

static void page_text(void *ctx, const char *s, size_t len)
{
    struct page_line *l = ctx;
    size_t i;

    for (i = 0; i < len; i++)
        pg_text_char(l->out, s[i]);
}

static void page_field(void *ctx, const struct buddy_script_field *f)
{
    struct page_line *l = ctx;
    uint64_t v = f->kind == BUDDY_SCRIPT_I64 ? (uint64_t)f->v.i64 : f->v.u64;

    if (!l->track || f->key == NULL ||
        (f->kind != BUDDY_SCRIPT_U64 && f->kind != BUDDY_SCRIPT_I64))
        return;
    if (is(f->key, "pfn"))
        l->pfn = (uint32_t)v;
    else if (is(f->key, "order"))
        l->order = (uint32_t)v;
}

static void page_end(void *ctx, const struct buddy_script_line *line)
{
    struct page_line *l = ctx;

    (void)line;
    if (l->track)
        pg__set_last(l->pfn, l->order);
}

static void page_fail(void *ctx, const struct buddy_script_line *line,
                      const struct buddy_script_failure *f)
{
    struct page_line *l = ctx;

    keep_cmd(line);
    l->out = pg__out_reset(); /* only the message, whatever came before */
    pg_text_str(l->out, f->message);
}

static int page_zone(void *ctx, const struct buddy_script_zone_args *a,
                     struct buddy_zone **zone, struct buddy_script_refusal *why)
{
    struct page_line *l = ctx;
    int err;

    /* The page draws pfns as 32-bit numbers. */
    if (a->start_pfn > (uint64_t)PG_NONE - a->nr_pages) {
        why->name = "ESYNTAX";
        why->message = "the playground shows pfns below 2^32: lower "
                       "start=PFN";
        return PG_ESYNTAX;
    }
    err = pg__zone_create(l->slot, a->start_pfn, a->nr_pages, a->max_order,
                          a->pageblock_order, a->flags, a->empty);
    if (err == PG_ELIMIT) {
        /* The page's own limit: pg_strerror names it and what was asked. */
        why->name = pg_errname(PG_ELIMIT);
        why->message = pg_strerror(PG_ELIMIT);
    }
    *zone = pg__zone(l->slot);
    return err;
}

static int page_map(void *ctx, struct buddy_script *s,
                    const struct buddy_zone *z,
                    struct buddy_script_refusal *why)
{
    static const char text[] = "(the page draws the map)";

    (void)ctx, (void)z, (void)why;
    buddy_script_put_text(s, text, sizeof(text) - 1);
    return 0;
}

/* Each slot's interpreter, kept from line to line so that its tenants
 * (`tenant`, `charge`, ...) live as long as the slot's zone; the line
 * being run is the one page_line the sink and hooks read. */
static struct page_line cur_line;
static const struct buddy_script_sink page_sink = {
    &cur_line, page_begin, page_text, page_field, page_end, page_fail};
static const struct buddy_script_hooks page_hooks = {&cur_line, page_zone,
                                                     page_map};
static struct buddy_script scripts[PG_SLOTS];
static bool script_made[PG_SLOTS];

void pg__script_forget(uint32_t slot)
{
    if (slot < PG_SLOTS)
        script_made[slot] = false;
}

/* Run the line of `len` bytes in pg_inbuf() against the slot's zone. */
int PG_EXPORT(pg_exec)(uint32_t slot, uint32_t len)
{
    struct buddy_script *s;

    pg__events_clear();
    cur_cmd[0] = '\0';
    cur_line = (struct page_line){slot, pg__out_reset(), false, PG_NONE, 0};
    if (slot >= PG_SLOTS) {
        pg_text_str(cur_line.out, buddy_strerror(BUDDY_ENODE));
        return BUDDY_ENODE;
    }
    s = &scripts[slot];
    if (!script_made[slot]) {
        buddy_script_init(s, &page_sink, &page_hooks, pg__zone(slot));
        script_made[slot] = true;
    }
    /* A longer len than the buffer is a line the page cut: refused. */
    return buddy_script_run_line(s, pg_inbuf(), len);
}

/* The command word of the last pg_exec ("" for none). */
const char *PG_EXPORT(pg_exec_cmd)(void)
{
    return cur_cmd;
}
