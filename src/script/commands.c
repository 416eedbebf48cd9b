/* SPDX-License-Identifier: MIT */
/*
 * commands.c: the commands of the script language, one table that both the
 * line runner (script.c) and every tool's help text read.
 *
 * Each command calls the core's public API once (walk, stats and frag read
 * the whole zone) and answers twice over: as text, which the command line
 * prints and the page shows, and as typed fields, which JSON Lines are
 * written from. Results that print nothing in text (zone, free, add,
 * reserve) still have fields. Both forms come from the same call in one
 * pass, so they cannot disagree.
 *
 * What differs between the tools lives in their hooks: where a zone's
 * metadata comes from (and so how big a zone may be), and how `map` draws.
 */
#include "internal.h"

/* True when w begins with prefix; the rest is w[len(prefix)..). */
static bool has_prefix(struct buddy__word w, const char *prefix,
                       struct buddy__word *rest)
{
    size_t i;

    for (i = 0; prefix[i] != '\0'; i++)
        if (i == w.len || w.p[i] != prefix[i])
            return false;
    rest->p = w.p + i;
    rest->len = w.len - i;
    return true;
}

/* The option's value as a number in [min, max], or a syntax error naming
 * the option. */
static bool option_u64(struct buddy_script *s, const char *what,
                       struct buddy__word w, uint64_t min, uint64_t max,
                       uint64_t *out)
{
    if (buddy__parse_u64(w, min, max, out))
        return true;
    buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
    buddy__msg_str(s, what);
    buddy__msg_str(s, " must be a number ");
    buddy__msg_u64(s, min);
    buddy__msg_str(s, "..");
    buddy__msg_u64(s, max);
    buddy__msg_str(s, ", got '");
    buddy__msg_word(s, w);
    buddy__msg_str(s, "'");
    return false;
}

static int cmd_zone(struct buddy_script *s, const uint64_t *arg, int nargs,
                    const struct buddy__word *opt, int nopt)
{
    struct buddy_script_zone_args a = {0, arg[0], (unsigned)arg[1], false, 0,
                                       0};
    struct buddy_script_refusal why = {NULL, NULL};
    bool have_start = false, have_pb = false, have_owners = false,
         have_nogroup = false;
    uint64_t free_pages, v;
    int i, err;

    (void)nargs;
    for (i = 0; i < nopt; i++) {
        struct buddy__word val;
        bool is_empty = buddy__word_is(opt[i], "empty");
        bool is_nogroup = buddy__word_is(opt[i], "nogrouping");
        bool is_owners = buddy__word_is(opt[i], "owners");
        bool is_start = has_prefix(opt[i], "start=", &val);
        bool is_pb = !is_start && has_prefix(opt[i], "pageblock=", &val);

        if (is_empty && !a.empty) {
            a.empty = true;
        } else if (is_nogroup && !have_nogroup) {
            a.flags |= BUDDY_ZONE_NO_GROUPING;
            have_nogroup = true;
        } else if (is_owners && !have_owners) {
            a.flags |= BUDDY_ZONE_OWNERS;
            have_owners = true;
        } else if (is_start && !have_start) {
            if (!option_u64(s, "start=PFN", val, 0, UINT64_MAX, &a.start_pfn))
                return BUDDY_SCRIPT_ESYNTAX;
            have_start = true;
        } else if (is_pb && !have_pb) {
            /* 1..MAXORDER; the core refuses one above the zone's. */
            if (!option_u64(s, "pageblock=N", val, 1, BUDDY_MAX_ORDER_LIMIT,
                            &v))
                return BUDDY_SCRIPT_ESYNTAX;
            a.pageblock_order = (unsigned)v;
            have_pb = true;
        } else {
            bool twice = is_empty || is_start || is_nogroup || is_pb ||
                         is_owners;

            buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
            buddy__msg_str(s, twice ? "'" : "unknown option '");
            buddy__msg_word(s, opt[i]);
            buddy__msg_str(s, twice ? "' given twice"
                                    : "' (expected 'empty', 'start=PFN', "
                                      "'pageblock=N', 'nogrouping' or "
                                      "'owners')");
            return BUDDY_SCRIPT_ESYNTAX;
        }
    }
    err = s->hooks->zone(s->hooks->ctx, &a, &s->zone, &why);
    if (err != 0)
        return buddy__script_fail_hook(s, err, &why); /* the old zone stays */
    s->tenants = NULL; /* they were the old zone's */
    buddy__field_u64(s, "start_pfn", a.start_pfn);
    buddy__field_u64(s, "pages", a.nr_pages);
    buddy__field_u64(s, "max_order", a.max_order);
    err = buddy_zone_nr_free_pages(s->zone, &free_pages);
    if (err != 0)
        return err;
    buddy__field_u64(s, "free_pages", free_pages);
    return 0;
}

/* The words `alloc` takes after its order: a migrate type, as the gfp
 * flags' (movable, reclaimable; unmovable is GFP_KERNEL's), and the
 * watermark flags. */
static const struct {
    const char *word;
    unsigned gfp;
} alloc_words[] = {
    {"unmovable", 0},
    {"movable", BUDDY_GFP_MOVABLE},
    {"reclaimable", BUDDY_GFP_RECLAIMABLE},
    {"high", BUDDY_GFP_HIGH},
    {"nowait", BUDDY_GFP_NOWAIT},
    {"atomic", BUDDY_GFP_ATOMIC},
    {"memalloc", BUDDY_GFP_MEMALLOC},
};
#define ALLOC_TYPE_WORDS 3u /* the first three say a type */

/*
 * alloc ORDER [TYPE] [FLAG...]: with no word, the zone call without a type
 * (movable, as before types); with a type only, buddy_zone_alloc_pages_type
 * (no watermarks); with a watermark flag, buddy_zone_alloc_pages_flags,
 * judged by the zone's marks (`watermarks` sets them), unmovable unless a
 * type is given, as GFP_ATOMIC is.
 */
static int cmd_alloc(struct buddy_script *s, const uint64_t *arg, int nargs,
                     const struct buddy__word *opt, int nopt)
{
    unsigned gfp = 0, k;
    bool typed = false, flagged = false;
    enum buddy_migratetype mt = BUDDY_MIGRATE_MOVABLE;
    buddy_pfn_t pfn;
    int i, err;

    (void)nargs;
    for (i = 0; i < nopt; i++) {
        for (k = 0; k < sizeof(alloc_words) / sizeof(alloc_words[0]); k++)
            if (buddy__word_is(opt[i], alloc_words[k].word))
                break;
        if (k == sizeof(alloc_words) / sizeof(alloc_words[0]) ||
            (k < ALLOC_TYPE_WORDS && typed)) {
            buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
            buddy__msg_str(s, k < ALLOC_TYPE_WORDS ? "a second type '"
                                                   : "unknown word '");
            buddy__msg_word(s, opt[i]);
            buddy__msg_str(s, "' (expected one of unmovable, movable, "
                              "reclaimable, then high, nowait, atomic, "
                              "memalloc)");
            return BUDDY_SCRIPT_ESYNTAX;
        }
        if (k < ALLOC_TYPE_WORDS) {
            typed = true;
            mt = k == 0   ? BUDDY_MIGRATE_UNMOVABLE
                 : k == 1 ? BUDDY_MIGRATE_MOVABLE
                          : BUDDY_MIGRATE_RECLAIMABLE;
        } else {
            flagged = true;
        }
        gfp |= alloc_words[k].gfp;
    }
    if (flagged) {
        if (!typed)
            mt = BUDDY_MIGRATE_UNMOVABLE;
        err = buddy_zone_alloc_pages_flags(s->zone, (unsigned)arg[0], gfp,
                                           &pfn);
    } else if (typed) {
        err = buddy_zone_alloc_pages_type(s->zone, (unsigned)arg[0], mt, &pfn);
    } else {
        err = buddy_zone_alloc_pages(s->zone, (unsigned)arg[0], &pfn);
    }
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__out_u64(s, pfn, 0);
    buddy__field_u64(s, "order", arg[0]);
    buddy__field_u64(s, "pfn", pfn);
    if (typed || flagged) /* a plain alloc's fields are as before types */
        buddy_script_put_str(s, "type", buddy_migratetype_name(mt));
    return 0;
}

static int cmd_free(struct buddy_script *s, const uint64_t *arg, int nargs,
                    const struct buddy__word *opt, int nopt)
{
    int err, order;

    (void)opt, (void)nopt;
    if (nargs == 2) {
        order = (int)arg[1];
        err = buddy_zone_free_pages(s->zone, arg[0], (unsigned)arg[1]);
    } else {
        /* The order only to report it; the free checks again. */
        order = buddy_zone_pfn_order(s->zone, arg[0]);
        err = buddy_zone_free_pfn(s->zone, arg[0]);
    }
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__field_u64(s, "pfn", arg[0]);
    buddy__field_i64(s, "order", order);
    return 0;
}

static int range_result(struct buddy_script *s, int err, const uint64_t *arg)
{
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__field_u64(s, "pfn", arg[0]);
    buddy__field_u64(s, "count", arg[1]);
    return 0;
}

static int cmd_add(struct buddy_script *s, const uint64_t *arg, int nargs,
                   const struct buddy__word *opt, int nopt)
{
    (void)nargs, (void)opt, (void)nopt;
    return range_result(s, buddy_zone_add_range(s->zone, arg[0], arg[1]),
                        arg);
}

static int cmd_reserve(struct buddy_script *s, const uint64_t *arg, int nargs,
                       const struct buddy__word *opt, int nopt)
{
    (void)nargs, (void)opt, (void)nopt;
    return range_result(s, buddy_zone_reserve(s->zone, arg[0], arg[1]), arg);
}

/* A view's text, as the core wrote it into buf (len the length it
 * needed), without its final newline: the line's text and its `key` field.
 * A cut view stays cut at the buffer. */
static void put_view(struct buddy_script *s, const char *key, char *buf,
                     size_t cap, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    buddy_script_put_text(s, buf, len);
    buddy_script_put_str(s, key, buf);
}

/* The zone's highest order, the last index of every per-order array. A
 * query of a live zone cannot fail; if it ever did, the line fails with
 * its error. */
static int max_order(const struct buddy_zone *z, unsigned *top)
{
    struct buddy_zone_info info;
    int err = buddy_zone_get_info(z, &info);

    if (err == 0)
        *top = info.max_order;
    return err;
}

static void counts(struct buddy_script *s, const char *name,
                   const uint64_t *v, unsigned n)
{
    unsigned k;

    buddy__out_str(s, "\n");
    buddy__out_padded(s, name, 15);
    buddy__field_open(s, BUDDY_SCRIPT_ARRAY, name);
    for (k = 0; k < n; k++) {
        if (k != 0)
            buddy__out_str(s, " ");
        buddy__out_u64(s, v[k], 0);
        buddy__field_u64(s, NULL, v[k]);
    }
    buddy__field_close(s);
}

static int cmd_info(struct buddy_script *s, const uint64_t *arg, int nargs,
                    const struct buddy__word *opt, int nopt)
{
    /* 32 orders of "%6lu " plus the prefix fit. */
    char line[512];
    uint64_t nr_free[BUDDY_NR_ORDERS];
    size_t len;
    unsigned k, top;
    int err = max_order(s->zone, &top);

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    for (k = 0; err == 0 && k <= top; k++)
        err = buddy_zone_nr_free(s->zone, k, &nr_free[k]);
    if (err != 0)
        return err;
    len = buddy_zone_buddyinfo(s->zone, line, sizeof(line));
    put_view(s, "buddyinfo", line, sizeof(line), len);
    buddy__field_open(s, BUDDY_SCRIPT_ARRAY, "nr_free");
    for (k = 0; k <= top; k++)
        buddy__field_u64(s, NULL, nr_free[k]);
    buddy__field_close(s);
    return 0;
}

static int cmd_check(struct buddy_script *s, const uint64_t *arg, int nargs,
                     const struct buddy__word *opt, int nopt)
{
    struct buddy_check_report *rep = &s->report;
    int err;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    err = buddy_zone_check(s->zone, rep);
    if (err == 0 && s->tenants != NULL)
        err = buddy_tenants_check(s->tenants, rep);
    if (err == 0) {
        buddy__out_str(s, "ok");
        return 0;
    }
    buddy__script_fail(s, err, buddy_errname(rep->error));
    s->failure.from_core = true;
    s->failure.report = rep;
    buddy__msg_str(s, buddy_strerror(rep->error));
    if (rep->what != NULL && rep->what[0] != '\0') {
        buddy__msg_str(s, ": ");
        buddy__msg_str(s, rep->what);
    }
    buddy__msg_str(s, " (");
    if (rep->pfn != BUDDY_PFN_NONE) {
        buddy__msg_str(s, "pfn ");
        buddy__msg_u64(s, rep->pfn);
        buddy__msg_str(s, ", ");
    }
    buddy__msg_str(s, "order ");
    buddy__msg_u64(s, rep->order);
    buddy__msg_str(s, ", expected ");
    buddy__msg_u64(s, rep->expected);
    buddy__msg_str(s, ", found ");
    buddy__msg_u64(s, rep->actual);
    buddy__msg_str(s, ")");
    return err;
}

struct counter {
    const char *name;
    uint64_t value;
};

static void counters(struct buddy_script *s, const struct counter *c,
                     size_t n, bool first)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!first || i != 0)
            buddy__out_str(s, "\n");
        buddy__out_padded(s, c[i].name, 15);
        buddy__out_u64(s, c[i].value, 0);
        buddy__field_u64(s, c[i].name, c[i].value);
    }
}

static int cmd_stats(struct buddy_script *s, const uint64_t *arg, int nargs,
                     const struct buddy__word *opt, int nopt)
{
    struct buddy_zone_stats st;
    unsigned orders;
    int err = max_order(s->zone, &orders);

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if (err == 0)
        err = buddy_zone_get_stats(s->zone, &st);
    if (err != 0)
        return err; /* ENOTSUP from a core built without statistics */
    orders++;
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
        {"allocstall", st.allocstall},
        {"claims", st.claims},
        {"steals", st.steals},
    };

    counters(s, pages, sizeof(pages) / sizeof(pages[0]), true);
    counts(s, "nr_free", st.nr_free, orders);
    counts(s, "alloc_count", st.alloc_count, orders);
    counts(s, "free_count", st.free_count, orders);
    counters(s, events, sizeof(events) / sizeof(events[0]), false);
    return 0;
}

struct walk {
    struct buddy_script *s;
    bool first; /* no block shown yet */
};

static int walk_block(void *arg, const struct buddy_block *b)
{
    struct walk *w = arg;
    struct buddy_script *s = w->s;

    if (!w->first)
        buddy__out_str(s, "\n");
    w->first = false;
    buddy__out_str(s, "pfn ");
    buddy__out_u64(s, b->pfn, 0);
    if (b->kind == BUDDY_BLOCK_HOLE) {
        buddy__out_str(s, ": hole (");
    } else {
        buddy__out_str(s, ": ");
        buddy__out_str(s, buddy_block_kind_name(b->kind));
        buddy__out_str(s, ", order ");
        buddy__out_u64(s, b->order, 0);
        buddy__out_str(s, " (");
    }
    buddy__out_u64(s, b->nr_pages, 0);
    buddy__out_str(s, b->nr_pages == 1 ? " page)" : " pages)");
    buddy__field_open(s, BUDDY_SCRIPT_OBJECT, NULL);
    buddy__field_u64(s, "pfn", b->pfn);
    buddy_script_put_str(s, "kind", buddy_block_kind_name(b->kind));
    if (b->kind != BUDDY_BLOCK_HOLE)
        buddy__field_u64(s, "order", b->order);
    buddy__field_u64(s, "pages", b->nr_pages);
    buddy__field_close(s);
    return 0;
}

/* Every block: a walk never fails with a visitor that never stops it. */
static int cmd_walk(struct buddy_script *s, const uint64_t *arg, int nargs,
                    const struct buddy__word *opt, int nopt)
{
    struct walk w = {s, true};

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    buddy__field_open(s, BUDDY_SCRIPT_ARRAY, "blocks");
    buddy_zone_walk(s->zone, walk_block, &w);
    buddy__field_close(s);
    return 0;
}

static int cmd_frag(struct buddy_script *s, const uint64_t *arg, int nargs,
                    const struct buddy__word *opt, int nopt)
{
    int unusable[BUDDY_NR_ORDERS], frag[BUDDY_NR_ORDERS];
    unsigned k, top;
    int err = max_order(s->zone, &top);

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    for (k = 0; err == 0 && k <= top; k++) {
        err = buddy_zone_unusable_index(s->zone, k, &unusable[k]);
        if (err == 0)
            err = buddy_zone_fragmentation_index(s->zone, k, &frag[k]);
    }
    if (err != 0)
        return err;
    buddy__out_str(s, "order  unusable  fragmentation");
    for (k = 0; k <= top; k++) {
        buddy__out_str(s, "\n");
        buddy__out_u64(s, k, 5);
        buddy__out_str(s, "  ");
        buddy__out_milli(s, unusable[k], 8);
        buddy__out_str(s, "  ");
        buddy__out_milli(s, frag[k], 13);
    }
    /* The same numbers again as fields: "%d.%03d" is a JSON number. */
    buddy__field_open(s, BUDDY_SCRIPT_ARRAY, "unusable");
    for (k = 0; k <= top; k++)
        buddy__field_milli(s, NULL, unusable[k]);
    buddy__field_close(s);
    buddy__field_open(s, BUDDY_SCRIPT_ARRAY, "fragmentation");
    for (k = 0; k <= top; k++)
        buddy__field_milli(s, NULL, frag[k]);
    buddy__field_close(s);
    return 0;
}

/* Set the zone's marks as the kernel would for a zone alone, from
 * MIN_FREE_KBYTES (0 or none: the kernel's default); prints them. */
static int cmd_watermarks(struct buddy_script *s, const uint64_t *arg,
                          int nargs, const struct buddy__word *opt, int nopt)
{
    static const char *const names[BUDDY_NR_WMARK] = {"min", "low", "high",
                                                      "promo"};
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_zone_watermarks wm;
    unsigned k;
    int err;

    (void)opt, (void)nopt;
    cfg.min_free_kbytes = nargs > 0 ? arg[0] : 0;
    err = buddy_zone_set_watermarks(s->zone, &cfg);
    if (err == 0)
        err = buddy_zone_get_watermarks(s->zone, &wm);
    if (err != 0)
        return err;
    buddy__out_str(s, "min_free_kbytes ");
    buddy__out_u64(s, wm.min_free_kbytes, 0);
    buddy__field_u64(s, "min_free_kbytes", wm.min_free_kbytes);
    for (k = 0; k < BUDDY_NR_WMARK; k++) {
        buddy__out_str(s, " ");
        buddy__out_str(s, names[k]);
        buddy__out_str(s, " ");
        buddy__out_u64(s, wm.wmark[k], 0);
        buddy__field_u64(s, names[k], wm.wmark[k]);
    }
    return 0;
}

static int cmd_zoneinfo(struct buddy_script *s, const uint64_t *arg,
                        int nargs, const struct buddy__word *opt, int nopt)
{
    /* A script's zone has no caches: the fixed lines fit. */
    char text[1024];

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    put_view(s, "zoneinfo", text, sizeof(text),
             buddy_zone_zoneinfo(s->zone, text, sizeof(text)));
    return 0;
}

static int cmd_pagetypeinfo(struct buddy_script *s, const uint64_t *arg,
                            int nargs, const struct buddy__word *opt,
                            int nopt)
{
    /* Five lines of up to 32 orders and the headers: about 2 KiB at
     * BUDDY_MAX_ORDER_LIMIT. */
    char text[2560];

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    put_view(s, "pagetypeinfo", text, sizeof(text),
             buddy_zone_pagetypeinfo(s->zone, text, sizeof(text)));
    return 0;
}

static int cmd_vmstat(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt)
{
    char text[512];

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    put_view(s, "vmstat", text, sizeof(text),
             buddy_zone_vmstat(s->zone, text, sizeof(text)));
    return 0;
}

static int cmd_isolate(struct buddy_script *s, const uint64_t *arg,
                       int nargs, const struct buddy__word *opt, int nopt)
{
    (void)nargs, (void)opt, (void)nopt;
    return range_result(s, buddy_zone_isolate_range(s->zone, arg[0], arg[1]),
                        arg);
}

static int cmd_undo_isolate(struct buddy_script *s, const uint64_t *arg,
                            int nargs, const struct buddy__word *opt,
                            int nopt)
{
    (void)nargs, (void)opt, (void)nopt;
    return range_result(
        s, buddy_zone_undo_isolate_range(s->zone, arg[0], arg[1]), arg);
}

static int cmd_map(struct buddy_script *s, const uint64_t *arg, int nargs,
                   const struct buddy__word *opt, int nopt)
{
    struct buddy_script_refusal why = {NULL, NULL};
    int err;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    if (s->hooks->map == NULL) {
        buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
        buddy__msg_str(s, "this tool does not draw maps");
        return BUDDY_SCRIPT_ESYNTAX;
    }
    err = s->hooks->map(s->hooks->ctx, s, s->zone, &why);
    return err != 0 ? buddy__script_fail_hook(s, err, &why) : 0;
}

#define U64_ALL 0, UINT64_MAX
#define ORDER_ARG(name) {name, 0, BUDDY_MAX_ORDER_LIMIT}
#define NO_ARGS {{NULL, 0, 0}, {NULL, 0, 0}}
const struct buddy__command buddy__commands[] = {
    {{"zone",
      "zone PAGES MAXORDER [empty] [start=PFN] [pageblock=N] [nogrouping] "
      "[owners]",
      "a new zone of PAGES pages from pfn PFN (0 if\n"
      "not given), all free, or all holes with\n"
      "`empty`, in pageblocks of 2^N pages\n"
      "(default min(9, MAXORDER)), grouping by\n"
      "mobility off with `nogrouping`, keeping its\n"
      "blocks' owners (for `charge`) with `owners`;\n"
      "it replaces the previous zone and its tenants"},
     cmd_zone, 2, 2, 5, false,
     {{"PAGES", 1, BUDDY_MAX_ZONE_PAGES}, ORDER_ARG("MAXORDER")}},
    {{"alloc", "alloc ORDER [TYPE] [FLAG...]",
      "allocate 2^ORDER pages; prints the first pfn.\n"
      "TYPE: unmovable, movable, reclaimable (none:\n"
      "movable, as before types); FLAG: high,\n"
      "nowait, atomic, memalloc, judged by the\n"
      "zone's watermarks (a flag without a type is\n"
      "unmovable, as GFP_ATOMIC)"},
     cmd_alloc, 1, 1, 5, true, {ORDER_ARG("ORDER"), {NULL, 0, 0}}},
    {{"free", "free PFN [ORDER]",
      "free the block at PFN (checked against ORDER)"},
     cmd_free, 1, 2, 0, true, {{"PFN", U64_ALL}, ORDER_ARG("ORDER")}},
    {{"add", "add PFN COUNT", "give [PFN, PFN+COUNT) to the zone, free"},
     cmd_add, 2, 2, 0, true, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}}},
    {{"reserve", "reserve PFN COUNT", "take [PFN, PFN+COUNT) out of use"},
     cmd_reserve, 2, 2, 0, true, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}}},
    {{"info", "info", "the zone's /proc/buddyinfo line"},
     cmd_info, 0, 0, 0, true, NO_ARGS},
    {{"check", "check", "run the validator: \"ok\", or what is wrong"},
     cmd_check, 0, 0, 0, true, NO_ARGS},
    {{"stats", "stats", "the zone's counters"},
     cmd_stats, 0, 0, 0, true, NO_ARGS},
    {{"walk", "walk", "every block, in pfn order"},
     cmd_walk, 0, 0, 0, true, NO_ARGS},
    {{"frag", "frag", "unusable and fragmentation index per order"},
     cmd_frag, 0, 0, 0, true, NO_ARGS},
    {{"watermarks", "watermarks [MIN_FREE_KBYTES]",
      "set the zone's min, low, high and promo marks\n"
      "as the kernel does (0 or none: its default)"},
     cmd_watermarks, 0, 1, 0, true,
     {{"MIN_FREE_KBYTES", 0, (uint64_t)1 << 32}, {NULL, 0, 0}}},
    {{"zoneinfo", "zoneinfo", "the zone's /proc/zoneinfo entry"},
     cmd_zoneinfo, 0, 0, 0, true, NO_ARGS},
    {{"pagetypeinfo", "pagetypeinfo",
      "the zone's /proc/pagetypeinfo: free blocks\n"
      "per migrate type and order, pageblocks per type"},
     cmd_pagetypeinfo, 0, 0, 0, true, NO_ARGS},
    {{"vmstat", "vmstat", "the zone's /proc/vmstat counters"},
     cmd_vmstat, 0, 0, 0, true, NO_ARGS},
    {{"isolate", "isolate PFN COUNT",
      "isolate the pageblocks [PFN, PFN+COUNT)\n"
      "touches: nothing is allocated from them"},
     cmd_isolate, 2, 2, 0, true, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}}},
    {{"undo-isolate", "undo-isolate PFN COUNT",
      "give those pageblocks their types back"},
     cmd_undo_isolate, 2, 2, 0, true, {{"PFN", U64_ALL}, {"COUNT", U64_ALL}}},
    {{"map", "map", "draw the pages and free_area[]"},
     cmd_map, 0, 0, 0, true, NO_ARGS},
    {{"tenant", "tenant [parent=ID] [max=N] [high=N] [low=N] [min=N]",
      "a new tenant (cgroup) under ID, or at the\n"
      "top; its limits in pages (N or `max`);\n"
      "prints its id"},
     buddy__cmd_tenant, 0, 0, 5, true, NO_ARGS},
    {{"limit", "limit ID [max=N] [high=N] [low=N] [min=N]",
      "set tenant ID's limits (a max or high below\n"
      "its usage is refused: EBUSY)"},
     buddy__cmd_limit, 1, 1, 4, true,
     {{"ID", 1, BUDDY_TENANT_MAX}, {NULL, 0, 0}}},
    {{"charge", "charge ID ORDER [TYPE]",
      "allocate 2^ORDER pages charged to tenant ID\n"
      "(reclaim, then ENOMEM past its max); prints\n"
      "the first pfn; `free` uncharges it"},
     buddy__cmd_charge, 2, 2, 1, true,
     {{"ID", 1, BUDDY_TENANT_MAX}, ORDER_ARG("ORDER")}},
    {{"untenant", "untenant ID",
      "end tenant ID (EBUSY while it holds pages\n"
      "or has children)"},
     buddy__cmd_untenant, 1, 1, 0, true,
     {{"ID", 1, BUDDY_TENANT_MAX}, {NULL, 0, 0}}},
    {{"tenants", "tenants", "every tenant's usage, limits and events"},
     buddy__cmd_tenants, 0, 0, 0, true, NO_ARGS},
    {{"memory", "memory ID",
      "tenant ID's cgroup files: memory.current,\n"
      ".peak, .max, .high, .events and .stat"},
     buddy__cmd_memory, 1, 1, 0, true,
     {{"ID", 1, BUDDY_TENANT_MAX}, {NULL, 0, 0}}},
};
const size_t buddy__nr_commands =
    sizeof(buddy__commands) / sizeof(buddy__commands[0]);

const struct buddy_script_doc *buddy_script_command_doc(size_t i)
{
    return i < buddy__nr_commands ? &buddy__commands[i].doc : NULL;
}
