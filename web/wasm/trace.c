/* SPDX-License-Identifier: MIT */
/*
 * trace.c: one line of a `buddy run` script, run against a slot's zone.
 *
 * The page's session is a trace in the syntax of `buddy run` (tools/buddy):
 * every button press becomes a line and goes through here, so what the page
 * exports, pastes back and shares in its URL replays exactly, and the same
 * text runs in the command-line tool. JavaScript only splits pasted text into
 * lines; parsing and running live here, on the core's public API.
 *
 * A line: blank-separated words; '#' starting a word begins a comment.
 *   zone PAGES MAXORDER [empty] [start=PFN]   alloc ORDER
 *   free PFN [ORDER]   add PFN COUNT   reserve PFN COUNT
 *   info   check   stats   walk   frag   map
 * Numbers are decimal or 0x hex. As in `buddy run`, the first failing stage
 * decides the error: syntax (PG_ESYNTAX), then a zone must exist
 * (PG_ENOZONE), then the core's own BUDDY_E* code. A failed line changes
 * nothing (the core guarantees it for its calls; a bad `zone` keeps the old
 * zone).
 *
 * pg_exec returns 1 for a line without a command, 0 on success, else the
 * error; pg_out() holds the result text (alloc: the pfn; info: the buddyinfo
 * line; check: "ok"; an error: its message) and pg_exec_cmd() the command
 * word, for the page's log.
 */
#include "playground.h"
#include "text.h"

#define MAX_WORDS 8
#define MAX_ARGS 2

struct arg_spec {
    const char *name; /* as in the usage line */
    uint64_t min, max;
};

struct line {
    uint32_t slot;
    struct buddy_zone *z;
    struct pg_text *out;
};

typedef int (*command_fn)(struct line *l, const uint64_t *arg, int nargs,
                          char **opt, int nopt);

struct command {
    const char *name;
    command_fn fn;
    int nreq;  /* numbers required */
    int nnum;  /* numbers accepted */
    int nopt;  /* option words after them (zone only) */
    struct arg_spec args[MAX_ARGS];
    const char *usage;
};

static const char *cur_cmd = "";

/* ---- words and numbers ------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Split `s` in place; stops at a word starting with '#'. Returns the number
 * of words (possibly more than max, which are not stored). */
static int split_words(char *s, char **words, int max)
{
    int n = 0;

    for (;;) {
        while (is_blank(*s))
            s++;
        if (*s == '\0' || *s == '#')
            return n;
        if (n < max)
            words[n] = s;
        n++;
        while (*s != '\0' && !is_blank(*s))
            s++;
        if (*s == '\0')
            return n;
        *s++ = '\0';
    }
}

static bool streq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static bool starts_with(const char *s, const char *prefix)
{
    while (*prefix != '\0')
        if (*s++ != *prefix++)
            return false;
    return true;
}

/* Decimal or 0x hex, no sign, no blanks, in [min, max]. */
static bool parse_number(const char *s, uint64_t min, uint64_t max,
                         uint64_t *outv)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        unsigned d;

        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    if (v < min || v > max)
        return false;
    *outv = v;
    return true;
}

/* ---- errors -------------------------------------------------------------- */

static int syntax(struct line *l, const char *a, const char *b, const char *c,
                  const char *d)
{
    pg_text_str(l->out, a);
    pg_text_str(l->out, b);
    pg_text_str(l->out, c);
    pg_text_str(l->out, d);
    return PG_ESYNTAX;
}

/* A core error: its text, as buddy_strerror gives it. */
static int core_error(struct line *l, int err)
{
    pg_text_str(l->out, buddy_strerror(err));
    return err;
}

/* ---- commands ------------------------------------------------------------ */

static int cmd_zone(struct line *l, const uint64_t *arg, int nargs, char **opt,
                    int nopt)
{
    uint64_t start = 0;
    bool empty = false, have_start = false;
    int i, err;

    (void)nargs;
    for (i = 0; i < nopt; i++) {
        if (streq(opt[i], "empty") && !empty) {
            empty = true;
        } else if (starts_with(opt[i], "start=") && !have_start) {
            if (!parse_number(opt[i] + 6, 0, UINT64_MAX, &start))
                return syntax(l, "start=PFN must be a number, got '",
                              opt[i] + 6, "'", "");
            have_start = true;
        } else if (streq(opt[i], "empty") || starts_with(opt[i], "start=")) {
            return syntax(l, "'", opt[i], "' given twice", "");
        } else {
            return syntax(l, "unknown option '", opt[i],
                          "' (expected 'empty' or 'start=PFN')", "");
        }
    }
    /* The page draws pfns as 32-bit numbers. */
    if (start > (uint64_t)PG_NONE - arg[0])
        return syntax(l, "the playground shows pfns below 2^32: lower ",
                      "start=PFN", "", "");
    err = pg__zone_create(l->slot, start, arg[0], (unsigned)arg[1], empty);
    return err != 0 ? core_error(l, err) : 0;
}

static int cmd_alloc(struct line *l, const uint64_t *arg, int nargs,
                     char **opt, int nopt)
{
    buddy_pfn_t pfn;
    int err;

    (void)nargs, (void)opt, (void)nopt;
    err = buddy_alloc_pages(l->z, (unsigned)arg[0], &pfn);
    if (err != 0)
        return core_error(l, err);
    pg__set_last((uint32_t)pfn, (uint32_t)arg[0]);
    pg_text_u64(l->out, pfn, 0);
    return 0;
}

static int cmd_free(struct line *l, const uint64_t *arg, int nargs, char **opt,
                    int nopt)
{
    int err, order;

    (void)opt, (void)nopt;
    if (nargs == 2) {
        order = (int)arg[1];
        err = buddy_free_pages(l->z, arg[0], (unsigned)arg[1]);
    } else {
        /* The order only for the page's log; the free checks again. */
        order = buddy_pfn_order(l->z, arg[0]);
        err = buddy_free_pfn(l->z, arg[0]);
    }
    if (err != 0)
        return core_error(l, err);
    pg__set_last((uint32_t)arg[0], (uint32_t)order);
    return 0;
}

static int cmd_add(struct line *l, const uint64_t *arg, int nargs, char **opt,
                   int nopt)
{
    int err;

    (void)nargs, (void)opt, (void)nopt;
    err = buddy_zone_add_range(l->z, arg[0], arg[1]);
    return err != 0 ? core_error(l, err) : 0;
}

static int cmd_reserve(struct line *l, const uint64_t *arg, int nargs,
                       char **opt, int nopt)
{
    int err;

    (void)nargs, (void)opt, (void)nopt;
    err = buddy_zone_reserve(l->z, arg[0], arg[1]);
    return err != 0 ? core_error(l, err) : 0;
}

static int cmd_info(struct line *l, const uint64_t *arg, int nargs,
                    char **opt, int nopt)
{
    struct pg_text *t = l->out;
    size_t n;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    n = buddy_zone_buddyinfo(l->z, t->buf, t->cap);
    t->len = n < t->cap ? n : t->cap - 1;
    if (t->len > 0 && t->buf[t->len - 1] == '\n')
        t->buf[--t->len] = '\0';
    return 0;
}

static int cmd_check(struct line *l, const uint64_t *arg, int nargs,
                     char **opt, int nopt)
{
    struct buddy_check_report rep;
    int err;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    err = buddy_zone_check(l->z, &rep);
    pg__check_text(l->out, err, &rep);
    return err;
}

static int cmd_stats(struct line *l, const uint64_t *arg, int nargs,
                     char **opt, int nopt)
{
    static const char *const names[] = {
        "spanned_pages", "present_pages", "managed_pages", "reserved_pages",
        "free_pages",    "allocated",     "splits",        "merges",
        "alloc_failures", "rejected"};
    struct pg_text *t = l->out;
    unsigned i, k, max_order = pg_max_order(l->slot);

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t start = t->len;

        pg_text_str(t, names[i]);
        pg_text_pad_to(t, start, 15);
        pg_text_u64(t, pg_stat(l->slot, i), 0);
        pg_text_char(t, '\n');
        if (i == PG_STAT_ALLOCATED) {
            start = t->len;
            pg_text_str(t, "nr_free");
            pg_text_pad_to(t, start, 15);
            for (k = 0; k <= max_order; k++) {
                if (k != 0)
                    pg_text_char(t, ' ');
                pg_text_u64(t, pg_nr_free(l->slot, k), 0);
            }
            pg_text_char(t, '\n');
        }
    }
    if (t->len > 0)
        t->buf[--t->len] = '\0';
    return 0;
}

static int walk_line(void *arg, const struct buddy_block *b)
{
    struct pg_text *t = arg;

    if (t->len != 0)
        pg_text_char(t, '\n');
    pg_text_str(t, "pfn ");
    pg_text_u64(t, b->pfn, 0);
    pg_text_str(t, ": ");
    if (b->kind == BUDDY_BLOCK_HOLE) {
        pg_text_str(t, "hole (");
    } else {
        pg_text_str(t, buddy_block_kind_name(b->kind));
        pg_text_str(t, ", order ");
        pg_text_u64(t, b->order, 0);
        pg_text_str(t, " (");
    }
    pg_text_u64(t, b->nr_pages, 0);
    pg_text_str(t, b->nr_pages == 1 ? " page)" : " pages)");
    return 0;
}

static int cmd_walk(struct line *l, const uint64_t *arg, int nargs, char **opt,
                    int nopt)
{
    (void)arg, (void)nargs, (void)opt, (void)nopt;
    return buddy_zone_walk(l->z, walk_line, l->out);
}

static int cmd_frag(struct line *l, const uint64_t *arg, int nargs, char **opt,
                    int nopt)
{
    struct pg_text *t = l->out;
    unsigned k, max_order = pg_max_order(l->slot);

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    pg_text_str(t, "order  unusable  fragmentation");
    for (k = 0; k <= max_order; k++) {
        pg_text_char(t, '\n');
        pg_text_u64(t, k, 5);
        pg_text_str(t, "  ");
        pg_text_milli(t, pg_unusable_index(l->slot, k), 8);
        pg_text_str(t, "  ");
        pg_text_milli(t, pg_fragmentation_index(l->slot, k), 13);
    }
    return 0;
}

/* `map` draws the zone in the terminal; the page draws it always. */
static int cmd_map(struct line *l, const uint64_t *arg, int nargs, char **opt,
                   int nopt)
{
    (void)arg, (void)nargs, (void)opt, (void)nopt;
    pg_text_str(l->out, "(the page draws the map)");
    return 0;
}

#define U64_ALL 0, UINT64_MAX
static const struct command commands[] = {
    {"zone", cmd_zone, 2, 2, 2,
     {{"PAGES", 1, BUDDY_MAX_ZONE_PAGES}, {"MAXORDER", 0, BUDDY_MAX_ORDER_LIMIT}},
     "zone PAGES MAXORDER [empty] [start=PFN]"},
    {"alloc", cmd_alloc, 1, 1, 0, {{"ORDER", 0, BUDDY_MAX_ORDER_LIMIT}, {0, 0, 0}},
     "alloc ORDER"},
    {"free", cmd_free, 1, 2, 0,
     {{"PFN", U64_ALL}, {"ORDER", 0, BUDDY_MAX_ORDER_LIMIT}},
     "free PFN [ORDER]"},
    {"add", cmd_add, 2, 2, 0, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}},
     "add PFN COUNT"},
    {"reserve", cmd_reserve, 2, 2, 0, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}},
     "reserve PFN COUNT"},
    {"info", cmd_info, 0, 0, 0, {{0, 0, 0}, {0, 0, 0}}, "info"},
    {"check", cmd_check, 0, 0, 0, {{0, 0, 0}, {0, 0, 0}}, "check"},
    {"stats", cmd_stats, 0, 0, 0, {{0, 0, 0}, {0, 0, 0}}, "stats"},
    {"walk", cmd_walk, 0, 0, 0, {{0, 0, 0}, {0, 0, 0}}, "walk"},
    {"frag", cmd_frag, 0, 0, 0, {{0, 0, 0}, {0, 0, 0}}, "frag"},
    {"map", cmd_map, 0, 0, 0, {{0, 0, 0}, {0, 0, 0}}, "map"},
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* ---- the line ------------------------------------------------------------ */

/* Write a number as text into a small buffer (for error messages). */
static const char *u64_str(char *buf, size_t size, uint64_t v)
{
    struct pg_text t;

    pg_text_init(&t, buf, size);
    pg_text_u64(&t, v, 0);
    return buf;
}

static int run_line(struct line *l, char *s, uint32_t len)
{
    char *words[MAX_WORDS];
    uint64_t arg[MAX_ARGS];
    const struct command *c = NULL;
    int n, nargs, i;
    uint32_t k;

    for (k = 0; k < len; k++)
        if (s[k] == '\0')
            return syntax(l, "line contains a NUL byte", "", "", "");
    if (len > 0 && s[len - 1] == '\r')
        s[len - 1] = '\0'; /* a script saved with CRLF line ends */
    n = split_words(s, words, MAX_WORDS);
    if (n == 0)
        return 1;
    cur_cmd = words[0];
    for (k = 0; k < NR_COMMANDS; k++)
        if (streq(commands[k].name, words[0]))
            c = &commands[k];
    if (c == NULL)
        return syntax(l,
                      "unknown command (expected zone, alloc, free, add, "
                      "reserve, info, check, stats, walk, frag or map)",
                      "", "", "");
    cur_cmd = c->name;
    nargs = n - 1;
    if (nargs < c->nreq) {
        syntax(l, "missing ", c->args[nargs].name, " (usage: ", c->usage);
        pg_text_char(l->out, ')');
        return PG_ESYNTAX;
    }
    if (nargs > c->nnum + c->nopt) {
        const char *extra = 1 + c->nnum + c->nopt < MAX_WORDS
                                ? words[1 + c->nnum + c->nopt]
                                : "...";

        syntax(l, "unexpected argument '", extra, "' (usage: ", c->usage);
        pg_text_char(l->out, ')');
        return PG_ESYNTAX;
    }
    if (nargs > c->nnum)
        nargs = c->nnum;
    for (i = 0; i < nargs; i++) {
        if (!parse_number(words[1 + i], c->args[i].min, c->args[i].max,
                          &arg[i])) {
            char lo[24], hi[24];

            syntax(l, c->args[i].name, " must be a number ",
                   u64_str(lo, sizeof(lo), c->args[i].min), "..");
            syntax(l, u64_str(hi, sizeof(hi), c->args[i].max), ", got '",
                   words[1 + i], "'");
            return PG_ESYNTAX;
        }
    }
    if (c->fn != cmd_zone && l->z == NULL) {
        pg_text_str(l->out, pg_strerror(PG_ENOZONE));
        return PG_ENOZONE;
    }
    return c->fn(l, arg, nargs, words + 1 + nargs, n - 1 - nargs);
}

/* Run the line of `len` bytes in pg_inbuf() against the slot's zone. */
int PG_EXPORT(pg_exec)(uint32_t slot, uint32_t len)
{
    struct line l;
    char *s = pg_inbuf();

    pg__events_clear();
    cur_cmd = "";
    l.slot = slot;
    l.z = pg__zone(slot);
    l.out = pg__out_reset();
    if (slot >= PG_SLOTS) {
        pg_text_str(l.out, buddy_strerror(BUDDY_ENODE));
        return BUDDY_ENODE;
    }
    if (len >= PG_INBUF_SIZE)
        return syntax(&l, "line too long", "", "", "");
    s[len] = '\0';
    return run_line(&l, s, len);
}

/* The command word of the last pg_exec ("" for none). */
const char *PG_EXPORT(pg_exec_cmd)(void)
{
    return cur_cmd;
}
