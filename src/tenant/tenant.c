/* SPDX-License-Identifier: MIT */
/*
 * tenant.c: tenants in a hierarchy with cgroup v2's memory limits
 * (include/buddy/tenant.h), the kernel's memcg and page_counter.
 *
 * Each tenant is a record in the caller's buffer, indexed by its id. Its
 * usage counts the pages charged to it and to every descendant; a charge
 * walks from the tenant to the top adding to each usage, and where a sum
 * passes that tenant's max it takes its additions back and reports the
 * tenant it failed at (page_counter_try_charge). So, for every tenant t
 * and at every moment a charge is not half done:
 *
 *   usage(t) = own(t) + sum of usage(c), c a child
 *   own(t)   = pages charged to t itself (its stocks' among them)
 *   usage(t) <= max(t)   (a max set below usage is refused)
 *   peak(t) >= usage(t)
 *
 * The counters are words (uintptr_t), as the core's: atomic on every
 * target, and a word counts more pages than a 32-bit target can address.
 * A limit past a word's range is "max".
 *
 * The fast path of a charge is a stock's (one compare, one subtraction);
 * the next is the walk, one atomic add and one compare a level; only a
 * charge that fails at a max, or passes a high, goes out to the
 * reclaimers and callbacks, which run with no lock held (their tables are
 * copied under the lock). A charge racing with its tenant's destroy is
 * settled by two sequentially consistent accesses on each side: the
 * charge adds, then reads live; the destroy clears live, then reads the
 * usage; at least one of them sees the other, and backs out.
 */
#include <stddef.h>

#include "buddy/tenant.h"
#include "../private/check_report.h"
#include "../private/deps.h"
#include "../private/outbuf.h"

#define TENANTS_MAGIC 0x746e6e74u /* "tnnt" */

struct reclaimer {
    buddy_tenant_reclaim_fn fn; /* NULL: the slot is free */
    void *arg;
};

enum { EV_LOW, EV_HIGH, EV_MAX, EV_OOM, EV_OOM_KILL, NR_EVENTS };

#define UNLIMITED UINTPTR_MAX

struct tenant {
    uintptr_t usage;     /* atomic: pages charged to it and its subtree */
    uintptr_t own;       /* atomic: pages charged to it itself; what an
                            uncharge of it may take */
    uintptr_t peak;      /* atomic: the most usage was; >= usage */
    uintptr_t max, high; /* atomic loads; written under the lock;
                            UNLIMITED: "max" */
    uintptr_t low, min;
    uintptr_t events[NR_EVENTS]; /* atomic */
    uintptr_t bytes;     /* atomic: bytes of its own pages charged for
                            objects and not handed out (the kernel's
                            nr_charged_bytes); below a page at rest */
    uintptr_t items[BUDDY_TENANT_NR_ITEMS]; /* atomic: bytes handed out */
    uint8_t live;       /* seq_cst: 1 while made and not destroyed */
    uint8_t parent;     /* its parent's id, 0 at the top */
    uint8_t depth;      /* 1 at the top, parent's + 1 below */
    uint16_t nr_children; /* under the lock */
    struct buddy_tenant_ops ops;                     /* under the lock */
    struct reclaimer reclaim[BUDDY_TENANT_RECLAIMERS]; /* under the lock */
    char name[BUDDY_TENANT_NAME_MAX];
};

/* An attached zone: its owner hook's argument, and what a block of it
 * counts in the group's pages. */
struct zone_link {
    struct buddy_tenants *g;
    struct buddy_zone *z;
    unsigned shift;     /* log2 of the zone's page size */
};

struct buddy_tenants {
    uint32_t magic;
    unsigned capacity;  /* ids 1..capacity */
    unsigned batch;     /* pages a stock charges at once */
    unsigned page_shift;
    bool locked;        /* lock holds the embedder's ops */
    struct buddy_lock_ops lock;
    unsigned nr_zones;  /* seq_cst: written under the lock, after the
                           zone's link */
    struct zone_link zones[BUDDY_TENANT_ZONES]; /* attached */
    struct tenant t[];  /* t[id - 1] */
};

/* ---- helpers ------------------------------------------------------------- */

static void lock(struct buddy_tenants *g)
{
    if (g->locked)
        g->lock.lock(g->lock.arg);
}

static void unlock(struct buddy_tenants *g)
{
    if (g->locked)
        g->lock.unlock(g->lock.arg);
}

static bool group_ok(const struct buddy_tenants *g)
{
    return g != NULL && g->magic == TENANTS_MAGIC;
}

/* The live tenant id names, or NULL. */
static struct tenant *live(struct buddy_tenants *g, unsigned id)
{
    struct tenant *t;

    if (!group_ok(g) || id == BUDDY_TENANT_NONE || id > g->capacity)
        return NULL;
    t = &g->t[id - 1u];
    return buddy_load_seq_cst(&t->live) ? t : NULL;
}

static struct tenant *rec(struct buddy_tenants *g, unsigned id)
{
    return &g->t[id - 1u];
}

static void event(struct tenant *t, unsigned which)
{
    buddy_add_relaxed(&t->events[which], 1u);
}

/* peak = max(peak, v), lock-free. */
static void raise_peak(struct tenant *t, uintptr_t v)
{
    uintptr_t old;

    do {
        old = buddy_load_relaxed(&t->peak);
        if (old >= v)
            return;
    } while (!buddy_cas_relaxed(&t->peak, old, v));
}

/* A count of pages as the API gives it, and back: a word's top is
 * "max". */
static uint64_t to_api(uintptr_t v)
{
    return v == UNLIMITED ? BUDDY_TENANT_UNLIMITED : (uint64_t)v;
}

static uintptr_t from_api(uint64_t v)
{
    return v >= (uint64_t)UNLIMITED ? UNLIMITED : (uintptr_t)v;
}

/* Is t (an id) r or below r? r 0: every tenant. O(depth). */
static bool in_subtree(struct buddy_tenants *g, unsigned t, unsigned r)
{
    if (r == BUDDY_TENANT_NONE)
        return true;
    for (; t != BUDDY_TENANT_NONE; t = rec(g, t)->parent)
        if (t == r)
            return true;
    return false;
}

/* ---- the group ----------------------------------------------------------- */

static int check_config(const struct buddy_tenants_config *cfg)
{
    if (cfg == NULL)
        return BUDDY_ENULL;
    if (cfg->capacity == 0 || cfg->capacity > BUDDY_TENANT_MAX)
        return BUDDY_EINVAL;
    if (cfg->page_size != 0 &&
        (cfg->page_size < 16 || (cfg->page_size & (cfg->page_size - 1)) != 0))
        return BUDDY_EINVAL;
    if (cfg->lock != NULL &&
        (cfg->lock->lock == NULL || cfg->lock->unlock == NULL))
        return BUDDY_EINVAL;
    return 0;
}

size_t buddy_tenants_size(const struct buddy_tenants_config *cfg)
{
    if (check_config(cfg) != 0)
        return 0;
    /* At most 255 records of a few hundred bytes: no overflow on any
     * target. */
    return sizeof(struct buddy_tenants) +
           (size_t)cfg->capacity * sizeof(struct tenant);
}

int buddy_tenants_init(void *buf, size_t size,
                       const struct buddy_tenants_config *cfg,
                       struct buddy_tenants **out)
{
    struct buddy_tenants *g = buf;
    int err;

    if (buf == NULL || out == NULL)
        return BUDDY_ENULL;
    err = check_config(cfg);
    if (err != 0)
        return err;
    if ((uintptr_t)buf & 7u)
        return BUDDY_EALIGN;
    if (size < buddy_tenants_size(cfg))
        return BUDDY_ENOSPC;
    buddy_memset(g, 0, buddy_tenants_size(cfg));
    g->capacity = cfg->capacity;
    g->batch = cfg->batch != 0 ? cfg->batch : BUDDY_TENANT_BATCH;
    g->page_shift = buddy_log2_64(cfg->page_size != 0 ? cfg->page_size : 4096u);
    if (cfg->lock != NULL) {
        g->lock = *cfg->lock;
        g->locked = true;
    }
    g->magic = TENANTS_MAGIC;
    *out = g;
    return 0;
}

/* ---- making and ending tenants ------------------------------------------- */

/* The name given (its length checked by the caller), or "tenant<id>". */
static void set_name(struct tenant *t, const char *name, unsigned id)
{
    struct outbuf o = {t->name, sizeof(t->name), 0};

    if (name != NULL) {
        out_str(&o, name, 0);
    } else {
        out_str(&o, "tenant", 0);
        out_u64(&o, id, 0);
    }
    out_finish(&o);
}

int buddy_tenant_create(struct buddy_tenants *g, unsigned parent,
                        const char *name, unsigned *id)
{
    struct tenant *t, *p = NULL;
    unsigned i;
    int err = BUDDY_ENOSPC;

    if (!group_ok(g))
        return BUDDY_ENOTENANT;
    if (id == NULL)
        return BUDDY_ENULL;
    if (name != NULL) {
        for (i = 0; name[i] != '\0'; i++)
            if (i + 1u >= BUDDY_TENANT_NAME_MAX)
                return BUDDY_EINVAL;
    }
    lock(g);
    if (parent != BUDDY_TENANT_NONE && (p = live(g, parent)) == NULL) {
        unlock(g);
        return BUDDY_ENOTENANT;
    }
    if (p != NULL && p->depth == UINT8_MAX) {
        unlock(g);
        return BUDDY_EINVAL; /* deeper than any id count allows anyway */
    }
    for (i = 1; i <= g->capacity; i++) {
        t = rec(g, i);
        if (buddy_load_relaxed(&t->live))
            continue;
        buddy_memset(t, 0, sizeof(*t));
        t->max = t->high = UNLIMITED;
        t->parent = (uint8_t)parent;
        t->depth = (uint8_t)(p != NULL ? p->depth + 1u : 1u);
        set_name(t, name, i);
        if (p != NULL)
            p->nr_children++;
        buddy_store_seq_cst(&t->live, 1);
        *id = i;
        err = 0;
        break;
    }
    unlock(g);
    return err;
}

int buddy_tenant_destroy(struct buddy_tenants *g, unsigned id)
{
    struct tenant *t;
    int err = 0;

    lock(g);
    t = live(g, id);
    if (t == NULL) {
        err = BUDDY_ENOTENANT;
    } else if (t->nr_children != 0) {
        err = BUDDY_EBUSY;
    } else {
        buddy_store_seq_cst(&t->live, 0);
        if (buddy_load_seq_cst(&t->usage) != 0) {
            buddy_store_seq_cst(&t->live, 1); /* still holds: back out */
            err = BUDDY_EBUSY;
        } else if (t->parent != BUDDY_TENANT_NONE) {
            rec(g, t->parent)->nr_children--;
        }
    }
    unlock(g);
    return err;
}

int buddy_tenant_move(struct buddy_tenants *g, unsigned id,
                      unsigned new_parent)
{
    struct tenant *t, *np = NULL;
    uintptr_t u;
    unsigned a;

    lock(g);
    t = live(g, id);
    if (t == NULL ||
        (new_parent != BUDDY_TENANT_NONE &&
         (np = live(g, new_parent)) == NULL)) {
        unlock(g);
        return BUDDY_ENOTENANT;
    }
    if (new_parent != BUDDY_TENANT_NONE && in_subtree(g, new_parent, id)) {
        unlock(g);
        return BUDDY_EINVAL; /* under itself or its own descendant */
    }
    u = buddy_load_seq_cst(&t->usage);
    /* The new ancestors that are not old ones must have room. */
    for (a = new_parent; a != BUDDY_TENANT_NONE; a = rec(g, a)->parent) {
        struct tenant *x = rec(g, a);

        if (in_subtree(g, id, a))
            break; /* a shared ancestor: it holds u already */
        if (u > buddy_load_relaxed(&x->max) - buddy_load_relaxed(&x->usage)) {
            unlock(g);
            return BUDDY_EBUSY;
        }
    }
    if (u != 0) {
        /* Below the common ancestor the old path loses u, the new one
         * gains it; from it up nothing changes. */
        for (a = t->parent; a != BUDDY_TENANT_NONE; a = rec(g, a)->parent)
            if (!in_subtree(g, new_parent, a))
                buddy_add_relaxed(&rec(g, a)->usage, (uintptr_t)0 - u);
        for (a = new_parent; a != BUDDY_TENANT_NONE; a = rec(g, a)->parent) {
            struct tenant *x = rec(g, a);

            if (in_subtree(g, id, a))
                break;
            raise_peak(x, buddy_add_fetch_seq_cst(&x->usage, u));
        }
    }
    if (t->parent != BUDDY_TENANT_NONE)
        rec(g, t->parent)->nr_children--;
    if (np != NULL)
        np->nr_children++;
    t->parent = (uint8_t)new_parent;
    t->depth = (uint8_t)(np != NULL ? np->depth + 1u : 1u);
    /* The subtree's depths follow. */
    for (a = 1; a <= g->capacity; a++) {
        struct tenant *x = rec(g, a);
        unsigned d = 0, y;

        if (!buddy_load_relaxed(&x->live) || !in_subtree(g, a, id))
            continue;
        for (y = a; y != BUDDY_TENANT_NONE; y = rec(g, y)->parent)
            d++;
        x->depth = (uint8_t)d;
    }
    unlock(g);
    return 0;
}

/* ---- the knobs ----------------------------------------------------------- */

enum knob { KNOB_MAX, KNOB_HIGH, KNOB_LOW, KNOB_MIN };

/* The limits refuse a value below the usage now; the protections take
 * any. */
static int set_knob(struct buddy_tenants *g, unsigned id, enum knob k,
                    uint64_t nr_pages)
{
    uintptr_t v = from_api(nr_pages);
    struct tenant *t;
    uintptr_t *field;
    int err = 0;

    lock(g);
    t = live(g, id);
    if (t == NULL) {
        unlock(g);
        return BUDDY_ENOTENANT;
    }
    field = k == KNOB_MAX    ? &t->max
            : k == KNOB_HIGH ? &t->high
            : k == KNOB_LOW  ? &t->low
                             : &t->min;
    if (k == KNOB_LOW || k == KNOB_MIN) {
        buddy_store_seq_cst(field, v);
        unlock(g);
        return 0;
    }
    /* As page_counter_set_max: a charge that adds between the test and the
     * store is seen by the second read (the charge adds, then reads the
     * limit; each access sequentially consistent), and the old limit goes
     * back for another try, so none passes the new one. */
    for (;;) {
        uintptr_t u = buddy_load_seq_cst(&t->usage), old;

        if (v < u) {
            err = BUDDY_EBUSY;
            break;
        }
        old = buddy_xchg_seq_cst(field, v);
        if (buddy_load_seq_cst(&t->usage) <= u || v >= old)
            break;
        buddy_store_seq_cst(field, old);
    }
    unlock(g);
    return err;
}

int buddy_tenant_set_max(struct buddy_tenants *g, unsigned id,
                         uint64_t nr_pages)
{
    return set_knob(g, id, KNOB_MAX, nr_pages);
}

int buddy_tenant_set_high(struct buddy_tenants *g, unsigned id,
                          uint64_t nr_pages)
{
    return set_knob(g, id, KNOB_HIGH, nr_pages);
}

int buddy_tenant_set_low(struct buddy_tenants *g, unsigned id,
                         uint64_t nr_pages)
{
    return set_knob(g, id, KNOB_LOW, nr_pages);
}

int buddy_tenant_set_min(struct buddy_tenants *g, unsigned id,
                         uint64_t nr_pages)
{
    return set_knob(g, id, KNOB_MIN, nr_pages);
}

int buddy_tenant_add_reclaimer(struct buddy_tenants *g, unsigned id,
                               buddy_tenant_reclaim_fn fn, void *arg)
{
    struct tenant *t;
    unsigned i;
    int err = BUDDY_ENOSPC;

    if (fn == NULL)
        return BUDDY_ENULL;
    lock(g);
    t = live(g, id);
    if (t == NULL) {
        err = BUDDY_ENOTENANT;
    } else {
        for (i = 0; i < BUDDY_TENANT_RECLAIMERS; i++)
            if (t->reclaim[i].fn == NULL) {
                t->reclaim[i].fn = fn;
                t->reclaim[i].arg = arg;
                err = 0;
                break;
            }
    }
    unlock(g);
    return err;
}

int buddy_tenant_remove_reclaimer(struct buddy_tenants *g, unsigned id,
                                  buddy_tenant_reclaim_fn fn, void *arg)
{
    struct tenant *t;
    unsigned i;
    int err = BUDDY_EINVAL;

    lock(g);
    t = live(g, id);
    if (t == NULL) {
        err = BUDDY_ENOTENANT;
    } else {
        for (i = 0; i < BUDDY_TENANT_RECLAIMERS; i++)
            if (t->reclaim[i].fn == fn && fn != NULL &&
                t->reclaim[i].arg == arg) {
                t->reclaim[i].fn = NULL;
                t->reclaim[i].arg = NULL;
                err = 0;
                break;
            }
    }
    unlock(g);
    return err;
}

int buddy_tenant_set_ops(struct buddy_tenants *g, unsigned id,
                         const struct buddy_tenant_ops *ops)
{
    struct tenant *t;
    int err = 0;

    lock(g);
    t = live(g, id);
    if (t == NULL) {
        err = BUDDY_ENOTENANT;
    } else if (ops != NULL) {
        t->ops = *ops;
    } else {
        buddy_memset(&t->ops, 0, sizeof(t->ops));
    }
    unlock(g);
    return err;
}

/* ---- reclaim ------------------------------------------------------------- */

/* t's protection (min or low, by `low`) as a reclaim of r's subtree sees
 * it: none for r itself; below r, the least of t's own and its
 * ancestors' up to r's child, so a child is never protected beyond what
 * its parent is (a simpler rule than the kernel's effective_protection,
 * which also shares a parent's protection among children that claim
 * more). Lock held. */
static uintptr_t protection(struct buddy_tenants *g, unsigned t, unsigned r,
                            bool low)
{
    uintptr_t p = UNLIMITED;

    if (t == r)
        return 0;
    for (; t != r && t != BUDDY_TENANT_NONE; t = rec(g, t)->parent) {
        const struct tenant *x = rec(g, t);
        uintptr_t v = buddy_load_relaxed(low ? &x->low : &x->min);

        if (v < p)
            p = v;
    }
    return p;
}

/*
 * Ask the reclaimers in r's subtree (r 0: every tenant) for nr_pages:
 * first of the tenants above their low, then, when those gave less, of
 * those at or under it (each such counts a low event), never of those at
 * or under their min. Returns the pages freed. Each tenant's table is
 * copied under the lock and called without it. O(capacity x depth) plus
 * the calls.
 */
static uint64_t reclaim_subtree(struct buddy_tenants *g, unsigned r,
                                uint64_t nr_pages)
{
    struct reclaimer rc[BUDDY_TENANT_RECLAIMERS];
    uint64_t freed = 0;
    unsigned pass, i, k;

    for (pass = 0; pass < 2 && freed < nr_pages; pass++)
        for (i = 1; i <= g->capacity && freed < nr_pages; i++) {
            struct tenant *t = rec(g, i);
            bool take;

            lock(g);
            take = buddy_load_relaxed(&t->live) && in_subtree(g, i, r);
            if (take) {
                uintptr_t u = buddy_load_relaxed(&t->usage);

                /* empty, or under its min: never; under its low: only
                 * on the second pass */
                take = u != 0 && u > protection(g, i, r, false) &&
                       (u > protection(g, i, r, true)) == (pass == 0);
                buddy_memcpy(rc, t->reclaim, sizeof(rc));
            }
            unlock(g);
            if (!take)
                continue;
            if (pass == 1)
                event(t, EV_LOW);
            for (k = 0; k < BUDDY_TENANT_RECLAIMERS && freed < nr_pages; k++)
                if (rc[k].fn != NULL)
                    freed += rc[k].fn(rc[k].arg, i, nr_pages - freed);
        }
    return freed;
}

/* ---- charging ------------------------------------------------------------ */

/* Add nr_pages to id and every ancestor: 0 (and id's own pages grow), or
 * the id of the first whose max it would pass (every addition taken
 * back). One atomic add and one compare a level, and one add more. */
static unsigned counters_try(struct buddy_tenants *g, unsigned id,
                             uintptr_t nr_pages)
{
    unsigned c, u;

    for (c = id; c != BUDDY_TENANT_NONE; c = rec(g, c)->parent) {
        struct tenant *t = rec(g, c);
        uintptr_t now = buddy_add_fetch_seq_cst(&t->usage, nr_pages);

        if (now > buddy_load_seq_cst(&t->max) || now < nr_pages) {
            buddy_add_relaxed(&t->usage, (uintptr_t)0 - nr_pages);
            for (u = id; u != c; u = rec(g, u)->parent)
                buddy_add_relaxed(&rec(g, u)->usage, (uintptr_t)0 - nr_pages);
            return c;
        }
        /* Its own sum, at most its max: a walk that fails higher up has
         * raised the peaks below (the kernel's watermark does so too),
         * and no peak passes its max. */
        raise_peak(t, now);
    }
    buddy_add_relaxed(&rec(g, id)->own, nr_pages);
    return BUDDY_TENANT_NONE;
}

/* Take nr_pages from the usage of id and every ancestor. */
static void usage_sub(struct buddy_tenants *g, unsigned id, uintptr_t nr_pages)
{
    unsigned c;

    for (c = id; c != BUDDY_TENANT_NONE; c = rec(g, c)->parent)
        buddy_add_relaxed(&rec(g, c)->usage, (uintptr_t)0 - nr_pages);
}

/* Take nr_pages of id's own (which holds them) and from every usage. */
static void counters_sub(struct buddy_tenants *g, unsigned id,
                         uintptr_t nr_pages)
{
    buddy_add_relaxed(&rec(g, id)->own, (uintptr_t)0 - nr_pages);
    usage_sub(g, id, nr_pages);
}

/* n bytes of id's own pages back in id (the kernel's nr_charged_bytes);
 * whole pages of them uncharged. */
static void bytes_put(struct buddy_tenants *g, unsigned id, uintptr_t n)
{
    struct tenant *t = rec(g, id);
    uintptr_t v, pages;

    buddy_add_relaxed(&t->bytes, n);
    do {
        v = buddy_load_relaxed(&t->bytes);
        pages = v >> g->page_shift;
        if (pages == 0)
            return;
    } while (!buddy_cas_relaxed(&t->bytes, v, v - (pages << g->page_shift)));
    counters_sub(g, id, pages);
}

/* The pages' part of a drain: drain_stock. */
static void pages_drain(struct buddy_tenants *g,
                        struct buddy_tenant_stock *stock)
{
    if (stock->id_ != BUDDY_TENANT_NONE && stock->nr_pages_ != 0 &&
        stock->id_ <= g->capacity)
        counters_sub(g, stock->id_, (uintptr_t)stock->nr_pages_);
    stock->id_ = BUDDY_TENANT_NONE;
    stock->nr_pages_ = 0;
}

/* The bytes' part: drain_obj_stock, the bytes back in their tenant. */
static void bytes_drain(struct buddy_tenants *g,
                        struct buddy_tenant_stock *stock)
{
    if (stock->byte_id_ != BUDDY_TENANT_NONE && stock->nr_bytes_ != 0 &&
        stock->byte_id_ <= g->capacity)
        bytes_put(g, stock->byte_id_, (uintptr_t)stock->nr_bytes_);
    stock->byte_id_ = BUDDY_TENANT_NONE;
    stock->nr_bytes_ = 0;
}

void buddy_tenant_stock_drain(struct buddy_tenants *g,
                              struct buddy_tenant_stock *stock)
{
    if (!group_ok(g) || stock == NULL)
        return;
    bytes_drain(g, stock);
    pages_drain(g, stock);
}

/* Put nr_pages charged to id into the stock (refill_stock): another
 * tenant's pages go back first, and a stock past the batch is drained. */
static void refill(struct buddy_tenants *g, struct buddy_tenant_stock *stock,
                   unsigned id, uint64_t nr_pages)
{
    if (stock->id_ != id)
        pages_drain(g, stock);
    stock->id_ = id;
    stock->nr_pages_ += nr_pages;
    if (stock->nr_pages_ > g->batch)
        pages_drain(g, stock);
}

/* Tenant id's callbacks, copied under the lock to be called without it. */
static struct buddy_tenant_ops ops_of(struct buddy_tenants *g, unsigned id)
{
    struct buddy_tenant_ops ops;

    lock(g);
    ops = rec(g, id)->ops;
    unlock(g);
    return ops;
}

/* id or an ancestor above its high after a charge: each such counts a
 * high event and has its subtree reclaimed by the overage; the throttle
 * callback then hears the largest overage left. */
static void over_high(struct buddy_tenants *g, unsigned id)
{
    struct buddy_tenant_ops ops;
    unsigned c, worst = BUDDY_TENANT_NONE;
    uintptr_t left = 0;

    for (c = id; c != BUDDY_TENANT_NONE; c = rec(g, c)->parent) {
        struct tenant *t = rec(g, c);
        uintptr_t u = buddy_load_relaxed(&t->usage);
        uintptr_t h = buddy_load_relaxed(&t->high);

        if (u <= h)
            continue;
        event(t, EV_HIGH);
        (void)reclaim_subtree(g, c, u - h);
        u = buddy_load_relaxed(&t->usage);
        if (u > h && u - h > left) {
            left = u - h;
            worst = c;
        }
    }
    if (worst == BUDDY_TENANT_NONE)
        return;
    ops = ops_of(g, id);
    if (ops.throttle != NULL)
        ops.throttle(ops.arg, id, worst, left);
}

/* Is some ancestor of id (or id) over its high? One load pair a level. */
static bool any_over_high(struct buddy_tenants *g, unsigned id)
{
    unsigned c;

    for (c = id; c != BUDDY_TENANT_NONE; c = rec(g, c)->parent) {
        const struct tenant *t = rec(g, c);

        if (buddy_load_relaxed(&t->usage) > buddy_load_relaxed(&t->high))
            return true;
    }
    return false;
}

static int charge_slow(struct buddy_tenants *g,
                       struct buddy_tenant_stock *stock, unsigned id,
                       uint64_t nr_pages)
{
    uintptr_t batch = (uintptr_t)nr_pages;
    unsigned retries = BUDDY_TENANT_RETRIES, kills = BUDDY_TENANT_RETRIES;
    unsigned over;
    bool raised = false; /* one max event a charge, however many tries */
    bool drained = false;

    if (stock != NULL && batch < g->batch)
        batch = g->batch;
    for (;;) {
        over = counters_try(g, id, batch);
        if (over == BUDDY_TENANT_NONE)
            break;
        if (batch > nr_pages) { /* no room for a batch: just what is asked */
            batch = (uintptr_t)nr_pages;
            continue;
        }
        if (!raised)
            event(rec(g, over), EV_MAX);
        raised = true;
        if (retries > 0) {
            retries--;
            (void)reclaim_subtree(g, over, nr_pages);
            /* Then, once, the caller's stock, where it holds pages of the
             * subtree that is full (try_charge_memcg's drain_all_stock,
             * of the one stock a caller can reach). */
            if (!drained && stock != NULL && stock->nr_pages_ != 0 &&
                in_subtree(g, stock->id_, over)) {
                pages_drain(g, stock);
                drained = true;
            }
            continue;
        }
        event(rec(g, over), EV_OOM);
        {
            struct buddy_tenant_ops ops = ops_of(g, id);

            if (kills == 0 || ops.oom == NULL ||
                !ops.oom(ops.arg, id, over, nr_pages))
                return BUDDY_ENOMEM;
        }
        event(rec(g, over), EV_OOM_KILL);
        kills--;
        retries = BUDDY_TENANT_RETRIES;
    }
    /* Charged: is the tenant still there? (Its destroy backs out when it
     * sees this charge; when it did not, this backs out.) */
    if (!buddy_load_seq_cst(&rec(g, id)->live)) {
        counters_sub(g, id, batch);
        return BUDDY_ENOTENANT;
    }
    if (batch > nr_pages)
        refill(g, stock, id, batch - nr_pages);
    if (any_over_high(g, id))
        over_high(g, id);
    return 0;
}

int buddy_tenant_charge(struct buddy_tenants *g,
                        struct buddy_tenant_stock *stock, unsigned id,
                        uint64_t nr_pages)
{
    if (nr_pages == 0)
        return live(g, id) != NULL ? BUDDY_EZERO : BUDDY_ENOTENANT;
    if (nr_pages >= (uint64_t)UNLIMITED) /* more than any max lets in */
        return live(g, id) != NULL ? BUDDY_ENOMEM : BUDDY_ENOTENANT;
    /* A stock's own pages: one compare, one subtraction. */
    if (stock != NULL && stock->id_ == id && id != BUDDY_TENANT_NONE &&
        stock->nr_pages_ >= nr_pages) {
        stock->nr_pages_ -= nr_pages;
        return 0;
    }
    if (live(g, id) == NULL)
        return BUDDY_ENOTENANT;
    return charge_slow(g, stock, id, nr_pages);
}

int buddy_tenant_uncharge(struct buddy_tenants *g,
                          struct buddy_tenant_stock *stock, unsigned id,
                          uint64_t nr_pages)
{
    struct tenant *t = live(g, id);
    uintptr_t u;

    if (t == NULL)
        return BUDDY_ENOTENANT;
    if (nr_pages == 0)
        return BUDDY_EZERO;
    if (stock != NULL && stock->id_ == id) {
        /* What this caller can have: the tenant's own pages less its
         * stock's. */
        if (nr_pages > buddy_load_relaxed(&t->own) - stock->nr_pages_)
            return BUDDY_EINVAL;
        refill(g, stock, id, nr_pages);
        return 0;
    }
    /* The tenant's own pages guard the walk (its children's are not its
     * to give back); every usage on the way holds them. */
    do {
        u = buddy_load_relaxed(&t->own);
        if (nr_pages > u)
            return BUDDY_EINVAL;
    } while (!buddy_cas_relaxed(&t->own, u, u - (uintptr_t)nr_pages));
    usage_sub(g, id, (uintptr_t)nr_pages);
    return 0;
}

/* ---- bytes --------------------------------------------------------------- */

/* Pages that hold n bytes: ceil(n / page), without the add's overflow. */
static uintptr_t pages_for(const struct buddy_tenants *g, uintptr_t n)
{
    return (n >> g->page_shift) +
           ((n & (((uintptr_t)1 << g->page_shift) - 1u)) != 0);
}

/* Up to n of id's waiting bytes taken: how many. */
static uintptr_t bytes_take(struct buddy_tenants *g, unsigned id, uintptr_t n)
{
    struct tenant *t = rec(g, id);
    uintptr_t v, got;

    do {
        v = buddy_load_relaxed(&t->bytes);
        got = v < n ? v : n;
        if (got == 0)
            return 0;
    } while (!buddy_cas_relaxed(&t->bytes, v, v - got));
    return got;
}

int buddy_tenant_charge_bytes(struct buddy_tenants *g,
                              struct buddy_tenant_stock *stock, unsigned id,
                              size_t bytes, enum buddy_tenant_item item)
{
    struct tenant *t = live(g, id);
    uintptr_t n = (uintptr_t)bytes, have, pages;
    int err;

    if (t == NULL)
        return BUDDY_ENOTENANT;
    if ((unsigned)item >= BUDDY_TENANT_NR_ITEMS)
        return BUDDY_EINVAL;
    if (bytes == 0)
        return BUDDY_EZERO;
    if (bytes > SIZE_MAX / 2u) /* past any page count a word holds */
        return BUDDY_ENOMEM;
    if (stock != NULL) {
        /* The stock's bytes: one compare, one subtraction. */
        if (stock->byte_id_ != id) {
            bytes_drain(g, stock);
            stock->byte_id_ = id;
            stock->nr_bytes_ = bytes_take(g, id, UINTPTR_MAX);
        }
        if (stock->nr_bytes_ < bytes) {
            have = (uintptr_t)stock->nr_bytes_;
            pages = pages_for(g, n - have);
            err = buddy_tenant_charge(g, stock, id, pages);
            if (err != 0)
                return err;
            stock->nr_bytes_ += (size_t)(pages << g->page_shift);
        }
        stock->nr_bytes_ -= bytes;
    } else {
        have = bytes_take(g, id, n);
        if (have < n) {
            pages = pages_for(g, n - have);
            err = buddy_tenant_charge(g, NULL, id, pages);
            if (err != 0) {
                if (have != 0)
                    bytes_put(g, id, have);
                return err;
            }
            bytes_put(g, id, have + (pages << g->page_shift) - n);
        }
    }
    buddy_add_relaxed(&t->items[item], n);
    return 0;
}

int buddy_tenant_uncharge_bytes(struct buddy_tenants *g,
                                struct buddy_tenant_stock *stock, unsigned id,
                                size_t bytes, enum buddy_tenant_item item)
{
    struct tenant *t = live(g, id);
    uintptr_t n = (uintptr_t)bytes, v;

    if (t == NULL)
        return BUDDY_ENOTENANT;
    if ((unsigned)item >= BUDDY_TENANT_NR_ITEMS)
        return BUDDY_EINVAL;
    if (bytes == 0)
        return BUDDY_EZERO;
    /* The item guards the uncharge: no more than was handed out. */
    do {
        v = buddy_load_relaxed(&t->items[item]);
        if (n > v)
            return BUDDY_EINVAL;
    } while (!buddy_cas_relaxed(&t->items[item], v, v - n));
    if (stock != NULL && stock->byte_id_ == id) {
        /* Into the stock, which keeps at most a page (refill_obj_stock). */
        stock->nr_bytes_ += bytes;
        if (stock->nr_bytes_ > ((size_t)1 << g->page_shift)) {
            uintptr_t pages = (uintptr_t)stock->nr_bytes_ >> g->page_shift;

            stock->nr_bytes_ -= (size_t)(pages << g->page_shift);
            refill(g, stock, id, pages);
        }
        return 0;
    }
    bytes_put(g, id, n);
    return 0;
}

/* ---- pages of a zone ----------------------------------------------------- */

/* The zone's owner hook: a freed block's pages off its tenant. Under the
 * zone's lock; the uncharge is lock-free. An owner the group does not
 * know (misuse: a tenant destroyed while it held pages cannot be) is
 * left alone. */
/* What a block of 2^order pages of the zone counts in the group's pages:
 * its bytes over the group's page, rounded up (a block of a zone whose
 * pages are smaller than the group's counts a whole page), the same for
 * the charge and the uncharge. */
static uint64_t block_pages(const struct buddy_tenants *g,
                            const struct zone_link *l, unsigned order)
{
    unsigned s = l->shift + order;

    return s >= g->page_shift ? (uint64_t)1 << (s - g->page_shift) : 1u;
}

/* The zone's owner hook: a freed block's pages off its tenant. Under the
 * zone's lock; the uncharge is lock-free. An owner the group does not
 * know (misuse: a tenant destroyed while it held pages cannot be) is
 * left alone. */
static void zone_freed(void *arg, unsigned owner, buddy_pfn_t pfn,
                       unsigned order)
{
    const struct zone_link *l = arg;
    int err = buddy_tenant_uncharge(l->g, NULL, owner,
                                    block_pages(l->g, l, order));

    (void)pfn;
    (void)err;
}

/* z's link in g, or NULL when z is not attached. Lock-free: a link is
 * whole before the count that covers it is published. */
static const struct zone_link *link_of(struct buddy_tenants *g,
                                       const struct buddy_zone *z)
{
    unsigned i, n = buddy_load_seq_cst(&g->nr_zones);

    for (i = 0; i < n; i++)
        if (g->zones[i].z == z)
            return &g->zones[i];
    return NULL;
}

int buddy_tenants_attach_zone(struct buddy_tenants *g, struct buddy_zone *z)
{
    struct buddy_zone_info zi;
    struct zone_link *l;
    unsigned n;
    int err;

    if (!group_ok(g))
        return BUDDY_ENOTENANT;
    err = buddy_zone_get_info(z, &zi);
    if (err != 0)
        return err;
    lock(g);
    if (link_of(g, z) != NULL) {
        unlock(g);
        return 0;
    }
    n = g->nr_zones;
    if (n == BUDDY_TENANT_ZONES) {
        unlock(g);
        return BUDDY_ENOSPC;
    }
    l = &g->zones[n];
    l->g = g;
    l->z = z;
    l->shift = buddy_log2_64(zi.page_size);
    err = buddy_zone_set_owner_hook(z, zone_freed, l);
    if (err == 0)
        buddy_store_seq_cst(&g->nr_zones, n + 1u);
    unlock(g);
    return err;
}

int buddy_tenant_alloc_pages(struct buddy_tenants *g,
                             struct buddy_tenant_stock *stock, unsigned id,
                             struct buddy_zone *z, unsigned order,
                             enum buddy_migratetype mt, buddy_pfn_t *pfn)
{
    const struct zone_link *l;
    uint64_t n;
    int err;

    if (pfn == NULL)
        return BUDDY_ENULL;
    if (!group_ok(g))
        return BUDDY_ENOTENANT;
    if (order >= BUDDY_NR_ORDERS)
        return BUDDY_EORDER;
    l = link_of(g, z);
    if (l == NULL) /* no hook would uncharge its frees */
        return BUDDY_ENOTSUP;
    n = block_pages(g, l, order);
    err = buddy_tenant_charge(g, stock, id, n);
    if (err != 0)
        return err;
    err = buddy_zone_alloc_pages_owned(z, order, mt, id, pfn);
    if (err != 0) {
        /* Cannot fail: the pages were charged just now. */
        int undo = buddy_tenant_uncharge(g, stock, id, n);

        (void)undo;
    }
    return err;
}

/* ---- reading ------------------------------------------------------------- */

int buddy_tenant_get_info(struct buddy_tenants *g, unsigned id,
                          struct buddy_tenant_info *out)
{
    struct tenant *t = live(g, id);

    if (out == NULL)
        return BUDDY_ENULL;
    if (t == NULL)
        return BUDDY_ENOTENANT;
    buddy_memset(out, 0, sizeof(*out));
    lock(g);
    out->id = id;
    out->parent = t->parent;
    out->depth = t->depth;
    out->nr_children = t->nr_children;
    buddy_memcpy(out->name, t->name, sizeof(out->name));
    unlock(g);
    out->current = buddy_load_relaxed(&t->usage);
    out->peak = buddy_load_relaxed(&t->peak);
    out->max = to_api(buddy_load_relaxed(&t->max));
    out->high = to_api(buddy_load_relaxed(&t->high));
    out->low = to_api(buddy_load_relaxed(&t->low));
    out->min = to_api(buddy_load_relaxed(&t->min));
    out->events_low = buddy_load_relaxed(&t->events[EV_LOW]);
    out->events_high = buddy_load_relaxed(&t->events[EV_HIGH]);
    out->events_max = buddy_load_relaxed(&t->events[EV_MAX]);
    out->events_oom = buddy_load_relaxed(&t->events[EV_OOM]);
    out->events_oom_kill = buddy_load_relaxed(&t->events[EV_OOM_KILL]);
    out->slab_reclaimable =
        buddy_load_relaxed(&t->items[BUDDY_TENANT_SLAB_RECLAIMABLE]);
    out->slab_unreclaimable =
        buddy_load_relaxed(&t->items[BUDDY_TENANT_SLAB_UNRECLAIMABLE]);
    return 0;
}

unsigned buddy_tenant_next(struct buddy_tenants *g, unsigned id)
{
    unsigned i;

    if (!group_ok(g))
        return BUDDY_TENANT_NONE;
    for (i = id + 1u; i <= g->capacity; i++)
        if (buddy_load_relaxed(&rec(g, i)->live))
            return i;
    return BUDDY_TENANT_NONE;
}

/* ---- the validator ------------------------------------------------------- */

/* A tenant's fault: its id in the pfn field, order 0. */
static int corrupt(struct buddy_check_report *rep, const char *what,
                   unsigned id, uint64_t expected, uint64_t actual)
{
    return buddy__check_fail(rep, what, id, 0, expected, actual);
}

static int check_locked(struct buddy_tenants *g, struct buddy_check_report *rep)
{
    unsigned i, c;

    for (i = 1; i <= g->capacity; i++) {
        const struct tenant *t = rec(g, i);
        uintptr_t u, sum = 0;
        unsigned kids = 0, depth = 1;

        if (!buddy_load_relaxed(&t->live))
            continue;
        if (t->parent != BUDDY_TENANT_NONE) {
            const struct tenant *p;

            if (t->parent > g->capacity ||
                !buddy_load_relaxed(&(p = rec(g, t->parent))->live))
                return corrupt(rep, "a tenant's parent is not live", i, 0,
                               t->parent);
            depth = p->depth + 1u;
        }
        if (t->depth != depth)
            return corrupt(rep, "a tenant's depth is not its parent's + 1", i,
                           depth, t->depth);
        for (c = 1; c <= g->capacity; c++) {
            const struct tenant *x = rec(g, c);

            if (c != i && buddy_load_relaxed(&x->live) && x->parent == i) {
                kids++;
                sum += buddy_load_relaxed(&x->usage);
            }
        }
        if (kids != t->nr_children)
            return corrupt(rep, "a tenant's count of children", i, kids,
                           t->nr_children);
        u = buddy_load_relaxed(&t->usage);
        sum += buddy_load_relaxed(&t->own);
        if (u != sum)
            return corrupt(rep, "usage is not its own pages and its "
                                "children's", i, sum, u);
        if (u > buddy_load_relaxed(&t->max))
            return corrupt(rep, "usage above max", i,
                           buddy_load_relaxed(&t->max), u);
        if (buddy_load_relaxed(&t->peak) < u)
            return corrupt(rep, "peak below usage", i, u,
                           buddy_load_relaxed(&t->peak));
        /* The bytes handed out and waiting, in pages, are some of its
         * own (the stocks' bytes are the rest). */
        {
            uint64_t b = buddy_load_relaxed(&t->bytes);
            uint64_t own = buddy_load_relaxed(&t->own);
            unsigned k;

            for (k = 0; k < BUDDY_TENANT_NR_ITEMS; k++)
                b += buddy_load_relaxed(&t->items[k]);
            if ((b >> g->page_shift) +
                    ((b & (((uint64_t)1 << g->page_shift) - 1u)) != 0) >
                own)
                return corrupt(rep, "bytes charged past its own pages", i,
                               own, b);
        }
    }
    buddy__check_clear(rep);
    return 0;
}

int buddy_tenants_check(struct buddy_tenants *g, struct buddy_check_report *rep)
{
    int err;

    if (!group_ok(g))
        return BUDDY_ENOTENANT;
    lock(g);
    err = check_locked(g, rep);
    unlock(g);
    return err;
}

/* ---- the views ----------------------------------------------------------- */

static size_t view_bytes(struct buddy_tenants *g, unsigned id, char *buf,
                         size_t size, size_t field, bool max_word)
{
    struct outbuf o = {buf, size, 0};
    struct tenant *t = live(g, id);
    uint64_t v;

    if (t == NULL) {
        if (buf != NULL && size != 0)
            buf[0] = '\0';
        return 0;
    }
    v = buddy_load_relaxed((const uintptr_t *)(const void *)((const char *)t +
                                                             field));
    if (max_word && v == UNLIMITED)
        out_str(&o, "max", 0);
    else /* bytes saturate at 2^64 - 1, past any real count */
        out_u64(&o, v > (UINT64_MAX >> g->page_shift) ? UINT64_MAX
                                                      : v << g->page_shift,
                0);
    out_char(&o, '\n');
    out_finish(&o);
    return o.len;
}

size_t buddy_tenant_memory_current(struct buddy_tenants *g, unsigned id,
                                   char *buf, size_t size)
{
    return view_bytes(g, id, buf, size, offsetof(struct tenant, usage), false);
}

size_t buddy_tenant_memory_peak(struct buddy_tenants *g, unsigned id,
                                char *buf, size_t size)
{
    return view_bytes(g, id, buf, size, offsetof(struct tenant, peak), false);
}

size_t buddy_tenant_memory_max(struct buddy_tenants *g, unsigned id,
                               char *buf, size_t size)
{
    return view_bytes(g, id, buf, size, offsetof(struct tenant, max), true);
}

size_t buddy_tenant_memory_high(struct buddy_tenants *g, unsigned id,
                                char *buf, size_t size)
{
    return view_bytes(g, id, buf, size, offsetof(struct tenant, high), true);
}

size_t buddy_tenant_memory_events(struct buddy_tenants *g, unsigned id,
                                  char *buf, size_t size)
{
    static const char *const names[NR_EVENTS] = {"low", "high", "max", "oom",
                                                 "oom_kill"};
    struct outbuf o = {buf, size, 0};
    struct tenant *t = live(g, id);
    unsigned i;

    if (t == NULL) {
        if (buf != NULL && size != 0)
            buf[0] = '\0';
        return 0;
    }
    for (i = 0; i < NR_EVENTS; i++) {
        out_str(&o, names[i], 0);
        out_char(&o, ' ');
        out_u64(&o, buddy_load_relaxed(&t->events[i]), 0);
        out_char(&o, '\n');
    }
    out_finish(&o);
    return o.len;
}

/* What memory.stat counts of a subtree's blocks in the attached zones. */
struct stat_walk {
    struct buddy_tenants *g;
    unsigned root;
    unsigned shift;  /* the zone's page size's log */
    uint64_t blocks[BUDDY_NR_ORDERS];
    uint64_t bytes[BUDDY_MIGRATE_TYPES];
    unsigned top;  /* the largest order of the zones walked */
};

static int stat_block(void *arg, const struct buddy_block *b)
{
    struct stat_walk *w = arg;

    if (b->kind != BUDDY_BLOCK_ALLOCATED || b->owner == BUDDY_TENANT_NONE ||
        b->owner > w->g->capacity || !in_subtree(w->g, b->owner, w->root))
        return 0;
    w->blocks[b->order]++;
    if ((unsigned)b->mt < BUDDY_MIGRATE_TYPES)
        w->bytes[b->mt] += b->nr_pages << w->shift;
    return 0;
}

size_t buddy_tenant_memory_stat(struct buddy_tenants *g, unsigned id,
                                char *buf, size_t size)
{
    static const char *const types[BUDDY_MIGRATE_TYPES] = {
        "unmovable", "movable", "reclaimable", "highatomic", "isolate"};
    struct outbuf o = {buf, size, 0};
    struct stat_walk w;
    uint64_t items[BUDDY_TENANT_NR_ITEMS] = {0}, bytes = 0;
    unsigned i, k;

    if (live(g, id) == NULL) {
        if (buf != NULL && size != 0)
            buf[0] = '\0';
        return 0;
    }
    buddy_memset(&w, 0, sizeof(w));
    w.g = g;
    w.root = id;
    lock(g);
    for (i = 0; i < g->nr_zones; i++) {
        struct buddy_zone_info zi;

        if (buddy_zone_get_info(g->zones[i].z, &zi) != 0)
            continue;
        if (zi.max_order > w.top)
            w.top = zi.max_order;
        w.shift = g->zones[i].shift;
        (void)buddy_zone_walk(g->zones[i].z, stat_block, &w);
    }
    for (i = 1; i <= g->capacity; i++) {
        const struct tenant *t = rec(g, i);

        if (!buddy_load_relaxed(&t->live) || !in_subtree(g, i, id))
            continue;
        for (k = 0; k < BUDDY_TENANT_NR_ITEMS; k++)
            items[k] += buddy_load_relaxed(&t->items[k]);
    }
    unlock(g);
    for (k = 0; k < BUDDY_MIGRATE_TYPES; k++)
        bytes += w.bytes[k];
    out_str(&o, "pages ", 0);
    out_u64(&o, bytes, 0);
    out_char(&o, '\n');
    for (k = 0; k < BUDDY_MIGRATE_TYPES; k++) {
        out_str(&o, "pages_", 0);
        out_str(&o, types[k], 0);
        out_char(&o, ' ');
        out_u64(&o, w.bytes[k], 0);
        out_char(&o, '\n');
    }
    for (k = 0; k <= w.top && g->nr_zones != 0; k++) {
        out_str(&o, "blocks_order", 0);
        out_u64(&o, k, 0);
        out_char(&o, ' ');
        out_u64(&o, w.blocks[k], 0);
        out_char(&o, '\n');
    }
    out_str(&o, "slab_reclaimable ", 0);
    out_u64(&o, items[BUDDY_TENANT_SLAB_RECLAIMABLE], 0);
    out_str(&o, "\nslab_unreclaimable ", 0);
    out_u64(&o, items[BUDDY_TENANT_SLAB_UNRECLAIMABLE], 0);
    out_str(&o, "\nslab ", 0);
    out_u64(&o, items[BUDDY_TENANT_SLAB_RECLAIMABLE] +
                    items[BUDDY_TENANT_SLAB_UNRECLAIMABLE], 0);
    out_char(&o, '\n');
    out_finish(&o);
    return o.len;
}
