/* SPDX-License-Identifier: MIT */
/*
 * tenants.c: the script's tenant commands (buddy/tenant.h) on the line's
 * zone: `tenant` makes one, `limit` sets its knobs, `charge` allocates
 * pages charged to it (a `free` of them uncharges it), `untenant` ends
 * it, `tenants` lists them all and `memory` prints one's cgroup v2 files.
 *
 * The group lives in the interpreter's own buffer, made at the first
 * `tenant` and attached to the zone then (a zone made with `owners` keeps
 * its pages' owners; on one without, `charge` says ENOTSUP); a `zone`
 * line ends it with the zone it was attached to. Charges take no stock,
 * so every count a line prints is exact.
 */
#include "internal.h"

#include "buddy/tenant.h"

/* A knob's word: `max=N`, `high=N`, `low=N` or `min=N`, N pages or
 * `max`. Which one in *k (0..3), its value in *v; false: not a knob. */
static const char *const knobs[] = {"max=", "high=", "low=", "min="};

static bool knob_word(struct buddy__word w, unsigned *k, uint64_t *v,
                      bool *bad)
{
    unsigned i;
    size_t j;

    *bad = false;
    for (i = 0; i < 4; i++) {
        for (j = 0; knobs[i][j] != '\0'; j++)
            if (j == w.len || w.p[j] != knobs[i][j])
                break;
        if (knobs[i][j] != '\0')
            continue;
        w.p += j;
        w.len -= j;
        *k = i;
        if (buddy__word_is(w, "max"))
            *v = BUDDY_TENANT_UNLIMITED;
        else if (!buddy__parse_u64(w, 0, UINT64_MAX - 1, v))
            *bad = true;
        return true;
    }
    return false;
}

static int knob_set(struct buddy_tenants *g, unsigned id, unsigned k,
                    uint64_t v)
{
    return k == 0   ? buddy_tenant_set_max(g, id, v)
           : k == 1 ? buddy_tenant_set_high(g, id, v)
           : k == 2 ? buddy_tenant_set_low(g, id, v)
                    : buddy_tenant_set_min(g, id, v);
}

/* The knob words of a line, checked before anything changes: false with
 * the syntax error reported. */
static bool knobs_parse(struct buddy_script *s, const struct buddy__word *opt,
                        int nopt, int first, unsigned *ks, uint64_t *vs)
{
    int i;

    for (i = first; i < nopt; i++) {
        bool bad;

        if (!knob_word(opt[i], &ks[i], &vs[i], &bad) || bad) {
            buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
            buddy__msg_str(s, bad ? "a limit must be a number of pages or "
                                    "'max', got '"
                                  : "unknown word '");
            buddy__msg_word(s, opt[i]);
            buddy__msg_str(s, bad ? "'"
                                  : "' (expected max=N, high=N, low=N or "
                                    "min=N)");
            return false;
        }
    }
    return true;
}

/* The group, made and attached to the zone at its first use. */
static int group(struct buddy_script *s, struct buddy_tenants **out)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_zone_info zi;
    int err;

    if (s->tenants != NULL) {
        *out = s->tenants;
        return 0;
    }
    err = buddy_zone_get_info(s->zone, &zi);
    if (err != 0)
        return err;
    cfg.capacity = BUDDY_SCRIPT_TENANTS;
    cfg.page_size = zi.page_size;
    err = buddy_tenants_init(s->tenants_buf, sizeof(s->tenants_buf), &cfg,
                             &s->tenants);
    if (err != 0)
        return err;
    err = buddy_tenants_attach_zone(s->tenants, s->zone);
    if (err != 0 && err != BUDDY_ENOTSUP) { /* ENOTSUP: no owners */
        s->tenants = NULL;
        return err;
    }
    *out = s->tenants;
    return 0;
}

/* A core error with the tenants' own words for it. */
static int fail_tenant(struct buddy_script *s, int err, const char *what)
{
    buddy__script_fail(s, err, buddy_errname(err));
    s->failure.from_core = true;
    buddy__msg_str(s, what);
    return err;
}

/* The max events of id and its ancestors, summed: a charge that counts
 * one more met a limit. */
static uint64_t max_events(struct buddy_tenants *g, unsigned id)
{
    struct buddy_tenant_info t;
    uint64_t n = 0;

    while (id != 0 && buddy_tenant_get_info(g, id, &t) == 0) {
        n += t.events_max;
        id = t.parent;
    }
    return n;
}

/* A line naming a tenant before any was made. */
static int no_tenants(struct buddy_script *s)
{
    return buddy__script_fail_core(s, BUDDY_ENOTENANT);
}

int buddy__cmd_tenant(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt)
{
    unsigned ks[BUDDY__SCRIPT_MAX_WORDS], id = 0, parent = 0;
    uint64_t vs[BUDDY__SCRIPT_MAX_WORDS];
    struct buddy_tenants *g;
    int first = 0, i, err;

    (void)arg, (void)nargs;
    if (nopt > 0 && opt[0].len > 7 && buddy__word_is((struct buddy__word){
                                                         opt[0].p, 7},
                                                     "parent=")) {
        struct buddy__word v = {opt[0].p + 7, opt[0].len - 7};
        uint64_t p;

        if (!buddy__parse_u64(v, 1, BUDDY_TENANT_MAX, &p)) {
            buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
            buddy__msg_str(s, "parent=ID must be a number 1..255, got '");
            buddy__msg_word(s, v);
            buddy__msg_str(s, "'");
            return BUDDY_SCRIPT_ESYNTAX;
        }
        parent = (unsigned)p;
        first = 1;
    }
    if (!knobs_parse(s, opt, nopt, first, ks, vs))
        return BUDDY_SCRIPT_ESYNTAX;
    err = group(s, &g);
    if (err == 0)
        err = buddy_tenant_create(g, parent, NULL, &id);
    /* A knob the new tenant refuses undoes it: the line changes nothing. */
    for (i = first; err == 0 && i < nopt; i++) {
        err = knob_set(g, id, ks[i], vs[i]);
        if (err != 0) {
            int undo = buddy_tenant_destroy(g, id);

            (void)undo;
        }
    }
    if (err == BUDDY_ENOSPC)
        return fail_tenant(s, err, "every tenant id is taken (at most 16)");
    if (err == BUDDY_EBUSY)
        return fail_tenant(s, err, "a limit the new tenant cannot take");
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__out_u64(s, id, 0);
    buddy__field_u64(s, "id", id);
    buddy__field_u64(s, "parent", parent);
    return 0;
}

int buddy__cmd_limit(struct buddy_script *s, const uint64_t *arg, int nargs,
                     const struct buddy__word *opt, int nopt)
{
    unsigned ks[BUDDY__SCRIPT_MAX_WORDS];
    uint64_t vs[BUDDY__SCRIPT_MAX_WORDS];
    struct buddy_tenant_info before;
    int i, err;

    (void)nargs;
    if (!knobs_parse(s, opt, nopt, 0, ks, vs))
        return BUDDY_SCRIPT_ESYNTAX;
    if (s->tenants == NULL)
        return no_tenants(s);
    err = buddy_tenant_get_info(s->tenants, (unsigned)arg[0], &before);
    /* Each knob in turn; the first refused puts the earlier ones back. */
    for (i = 0; err == 0 && i < nopt; i++) {
        err = knob_set(s->tenants, (unsigned)arg[0], ks[i], vs[i]);
        if (err != 0)
            while (i-- > 0) {
                uint64_t old = ks[i] == 0   ? before.max
                               : ks[i] == 1 ? before.high
                               : ks[i] == 2 ? before.low
                                            : before.min;
                int undo = knob_set(s->tenants, (unsigned)arg[0], ks[i], old);

                (void)undo;
            }
    }
    if (err == BUDDY_EBUSY)
        return fail_tenant(s, err, "a max or high below the tenant's usage "
                                   "(free its pages first)");
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__field_u64(s, "id", arg[0]);
    return 0;
}

int buddy__cmd_charge(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt)
{
    static const char *const types[] = {"unmovable", "movable",
                                        "reclaimable"};
    enum buddy_migratetype mt = BUDDY_MIGRATE_MOVABLE;
    buddy_pfn_t pfn;
    uint64_t events;
    unsigned k;
    int err;

    (void)nargs;
    if (nopt == 1) {
        for (k = 0; k < 3 && !buddy__word_is(opt[0], types[k]); k++)
            ;
        if (k == 3) {
            buddy__script_fail(s, BUDDY_SCRIPT_ESYNTAX, "ESYNTAX");
            buddy__msg_str(s, "unknown type '");
            buddy__msg_word(s, opt[0]);
            buddy__msg_str(s, "' (expected unmovable, movable or "
                              "reclaimable)");
            return BUDDY_SCRIPT_ESYNTAX;
        }
        mt = (enum buddy_migratetype)k;
    }
    if (s->tenants == NULL)
        return no_tenants(s);
    events = max_events(s->tenants, (unsigned)arg[0]);
    err = buddy_tenant_alloc_pages(s->tenants, NULL, (unsigned)arg[0],
                                   s->zone, (unsigned)arg[1], mt, &pfn);
    if (err == BUDDY_ENOMEM && max_events(s->tenants, (unsigned)arg[0]) !=
                                   events)
        return fail_tenant(s, err, "the tenant or an ancestor is at its "
                                   "max (memory.max), and reclaim freed "
                                   "too little");
    if (err == BUDDY_ENOTSUP)
        return fail_tenant(s, err, "the zone keeps no owners: make it with "
                                   "'zone ... owners'");
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__out_u64(s, pfn, 0);
    buddy__field_u64(s, "tenant", arg[0]);
    buddy__field_u64(s, "order", arg[1]);
    buddy__field_u64(s, "pfn", pfn);
    return 0;
}

int buddy__cmd_untenant(struct buddy_script *s, const uint64_t *arg,
                        int nargs, const struct buddy__word *opt, int nopt)
{
    int err;

    (void)nargs, (void)opt, (void)nopt;
    if (s->tenants == NULL)
        return no_tenants(s);
    err = buddy_tenant_destroy(s->tenants, (unsigned)arg[0]);
    if (err == BUDDY_EBUSY)
        return fail_tenant(s, err, "the tenant holds pages or has children");
    if (err != 0)
        return buddy__script_fail_core(s, err);
    buddy__field_u64(s, "id", arg[0]);
    return 0;
}

/* A limit as the views write it: "max" or the pages. */
static void out_limit(struct buddy_script *s, uint64_t v, unsigned width)
{
    if (v == BUDDY_TENANT_UNLIMITED) {
        buddy__out_padded(s, "", width > 3 ? width - 3 : 0);
        buddy__out_str(s, "max");
    } else
        buddy__out_u64(s, v, width);
}

static void field_limit(struct buddy_script *s, const char *key, uint64_t v)
{
    if (v == BUDDY_TENANT_UNLIMITED)
        buddy_script_put_str(s, key, "max");
    else
        buddy__field_u64(s, key, v);
}

int buddy__cmd_tenants(struct buddy_script *s, const uint64_t *arg,
                       int nargs, const struct buddy__word *opt, int nopt)
{
    unsigned id;

    (void)arg, (void)nargs, (void)opt, (void)nopt;
    buddy__out_str(s, "id parent current   peak    max   high    low    min"
                      "  max_ev  oom  high_ev");
    buddy__field_open(s, BUDDY_SCRIPT_ARRAY, "tenants");
    for (id = s->tenants != NULL ? buddy_tenant_next(s->tenants, 0) : 0;
         id != 0; id = buddy_tenant_next(s->tenants, id)) {
        struct buddy_tenant_info t;

        if (buddy_tenant_get_info(s->tenants, id, &t) != 0)
            continue;
        buddy__out_str(s, "\n");
        buddy__out_u64(s, id, 2);
        buddy__out_u64(s, t.parent, 7);
        buddy__out_u64(s, t.current, 8);
        buddy__out_u64(s, t.peak, 7);
        out_limit(s, t.max, 7);
        out_limit(s, t.high, 7);
        buddy__out_u64(s, t.low, 7);
        buddy__out_u64(s, t.min, 7);
        buddy__out_u64(s, t.events_max, 8);
        buddy__out_u64(s, t.events_oom, 5);
        buddy__out_u64(s, t.events_high, 9);
        buddy__field_open(s, BUDDY_SCRIPT_OBJECT, NULL);
        buddy__field_u64(s, "id", id);
        buddy_script_put_str(s, "name", t.name);
        buddy__field_u64(s, "parent", t.parent);
        buddy__field_u64(s, "current", t.current);
        buddy__field_u64(s, "peak", t.peak);
        field_limit(s, "max", t.max);
        field_limit(s, "high", t.high);
        buddy__field_u64(s, "low", t.low);
        buddy__field_u64(s, "min", t.min);
        buddy__field_open(s, BUDDY_SCRIPT_OBJECT, "events");
        buddy__field_u64(s, "low", t.events_low);
        buddy__field_u64(s, "high", t.events_high);
        buddy__field_u64(s, "max", t.events_max);
        buddy__field_u64(s, "oom", t.events_oom);
        buddy__field_u64(s, "oom_kill", t.events_oom_kill);
        buddy__field_close(s);
        buddy__field_close(s);
    }
    buddy__field_close(s);
    return 0;
}

/* One cgroup file: its name, then its text (each line indented when it
 * has several), and the text as a field. */
static void file(struct buddy_script *s, const char *name, const char *key,
                 const char *text, size_t len, bool first)
{
    size_t i, at = 0;

    if (!first)
        buddy__out_str(s, "\n");
    buddy__out_str(s, name);
    if (len > 0 && text[len - 1] == '\n')
        len--;
    for (i = 0; i <= len; i++)
        if (i == len || text[i] == '\n') {
            buddy__out_str(s, at == 0 && i == len ? " " : "\n  ");
            buddy_script_put_text(s, text + at, i - at);
            at = i + 1;
        }
    buddy_script_put_str(s, key, text);
}

int buddy__cmd_memory(struct buddy_script *s, const uint64_t *arg, int nargs,
                      const struct buddy__word *opt, int nopt)
{
    struct buddy_tenants *g = s->tenants;
    unsigned id = (unsigned)arg[0];
    char *buf = s->tenants_text;
    size_t n, size = sizeof(s->tenants_text);

    (void)nargs, (void)opt, (void)nopt;
    if (g == NULL)
        return no_tenants(s);
    n = buddy_tenant_memory_current(g, id, buf, size);
    if (n == 0)
        return buddy__script_fail_core(s, BUDDY_ENOTENANT);
    file(s, "memory.current", "current", buf, n, true);
    n = buddy_tenant_memory_peak(g, id, buf, size);
    file(s, "memory.peak", "peak", buf, n, false);
    n = buddy_tenant_memory_max(g, id, buf, size);
    file(s, "memory.max", "max", buf, n, false);
    n = buddy_tenant_memory_high(g, id, buf, size);
    file(s, "memory.high", "high", buf, n, false);
    n = buddy_tenant_memory_events(g, id, buf, size);
    file(s, "memory.events", "events", buf, n, false);
    n = buddy_tenant_memory_stat(g, id, buf, size);
    file(s, "memory.stat", "stat", buf, n < size ? n : size - 1, false);
    return 0;
}
