/* SPDX-License-Identifier: MIT */
/*
 * tenant_test.c: tenants against a reference model. Random runs make a
 * hierarchy, set limits and protections, charge and uncharge (through two
 * stocks or none), move and destroy tenants, while every tenant holds a
 * pool of pages its reclaimer frees and some tenants' OOM callbacks free a
 * pool. The model is written apart from src/tenant, as plain arrays walked
 * by the rules of include/buddy/tenant.h and docs/design.md (Tenants); it
 * predicts every call's result, every tenant's usage, peak, events and
 * shape, every reclaim, every throttle call and every OOM call, and the
 * validator runs after each step. Seeded, the same every run:
 * `tenant_test SEED` repeats one, and TENANT_TRACE=1 prints every step
 * with each tenant's parent, usage (the library's and the model's) and
 * pool.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/tenant.h"
#include "rng.h"

#define CAP 10u
#define BATCH 8u
#define RUNS 60u
#define STEPS 3000u
#define RETRIES BUDDY_TENANT_RETRIES
#define PAGE 4096u
#define ITEMS BUDDY_TENANT_NR_ITEMS

/* ---- the model ----------------------------------------------------------- */

struct mt {
    bool live;
    unsigned parent;
    uint64_t usage, own, peak, max, high, low, min;
    uint64_t ev_low, ev_high, ev_max, ev_oom, ev_kill;
    uint64_t bytes;        /* bytes of its pages waiting for a charge */
    uint64_t items[ITEMS]; /* bytes charged, by item */
    bool has_reclaimer, has_oom, has_throttle;
};

struct mstock {
    unsigned id;
    uint64_t n;
    unsigned bid; /* the bytes' tenant */
    uint64_t nb;
};

static struct mt m[CAP + 1];
static uint64_t mpool[CAP + 1]; /* the model's pages each tenant holds */
static uint64_t mobj[CAP + 1][ITEMS]; /* and its objects' bytes */
static struct mstock ms[2];
static unsigned m_throttles, m_throttle_id, m_throttle_over;
static uint64_t m_throttle_pages;
static unsigned m_ooms;

/* The library's side of the same pools and logs. */
static struct buddy_tenants *g;
static _Alignas(8) unsigned char buf[32768];
static uint64_t pool[CAP + 1];
static uint64_t obj[CAP + 1][ITEMS];
static struct buddy_tenant_stock stock[2];
static unsigned throttles, throttle_id, throttle_over, ooms;
static uint64_t throttle_pages;
static int failed;
/* What the runs exercised, summed over every run: each must be seen. */
static uint64_t seen_max, seen_oom, seen_kill, seen_low, seen_high,
    seen_throttle, seen_enomem, seen_moves, seen_bytes, seen_byte_enomem;

#define CHECK(c, ...)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "tenant_test: " __VA_ARGS__);                      \
            fputc('\n', stderr);                                               \
            failed = 1;                                                        \
        }                                                                      \
    } while (0)

static bool m_under(unsigned t, unsigned r)
{
    for (; t != 0; t = m[t].parent)
        if (t == r)
            return true;
    return false;
}

static unsigned m_children(unsigned t)
{
    unsigned i, n = 0;

    for (i = 1; i <= CAP; i++)
        n += m[i].live && m[i].parent == t;
    return n;
}

static unsigned m_depth(unsigned t)
{
    unsigned d = 0;

    for (; t != 0; t = m[t].parent)
        d++;
    return d;
}

static void m_add(unsigned t, uint64_t n)
{
    m[t].own += n;
    for (; t != 0; t = m[t].parent) {
        m[t].usage += n;
        if (m[t].usage > m[t].peak)
            m[t].peak = m[t].usage;
    }
}

static void m_sub(unsigned t, uint64_t n)
{
    m[t].own -= n;
    for (; t != 0; t = m[t].parent)
        m[t].usage -= n;
}

static void m_drain(struct mstock *s)
{
    if (s->id != 0 && s->n != 0)
        m_sub(s->id, s->n);
    s->id = 0;
    s->n = 0;
}

static void m_refill(struct mstock *s, unsigned id, uint64_t n)
{
    if (s->id != id)
        m_drain(s);
    s->id = id;
    s->n += n;
    if (s->n > BATCH)
        m_drain(s);
}

/* Protection of t in a reclaim of r's subtree: the least along the path
 * below r; none for r itself. */
static uint64_t m_prot(unsigned t, unsigned r, bool low)
{
    uint64_t p = UINT64_MAX;

    if (t == r)
        return 0;
    for (; t != r; t = m[t].parent) {
        uint64_t v = low ? m[t].low : m[t].min;

        if (v < p)
            p = v;
    }
    return p;
}

/* A reclaimer: frees what is asked of its pool, up to what it holds. */
static uint64_t m_reclaim_one(unsigned t, uint64_t want)
{
    uint64_t n = want < mpool[t] ? want : mpool[t];

    mpool[t] -= n;
    m_sub(t, n);
    return n;
}

static uint64_t m_reclaim(unsigned r, uint64_t want)
{
    uint64_t freed = 0;
    unsigned pass, i;

    for (pass = 0; pass < 2 && freed < want; pass++)
        for (i = 1; i <= CAP && freed < want; i++) {
            uint64_t u;

            if (!m[i].live || !m_under(i, r))
                continue;
            u = m[i].usage;
            if (u == 0 || u <= m_prot(i, r, false) ||
                (u > m_prot(i, r, true)) != (pass == 0))
                continue;
            if (pass == 1)
                m[i].ev_low++;
            if (m[i].has_reclaimer)
                freed += m_reclaim_one(i, want - freed);
        }
    return freed;
}

/* The OOM policy both sides share: free the largest pool in the subtree
 * of over (the lowest id on a tie); true when it freed anything. */
static unsigned oom_victim(const uint64_t *pools, bool (*alive)(unsigned),
                           unsigned over)
{
    unsigned i, best = 0;

    for (i = 1; i <= CAP; i++)
        if (alive(i) && m_under(i, over) && pools[i] > (best ? pools[best] : 0))
            best = i;
    return best;
}

static bool m_alive(unsigned i)
{
    return m[i].live;
}

/* A try of n pages: the first level whose max it passes, or 0; each level
 * below it that took the pages for a moment has its peak raised, as the
 * counters' walk does. */
static unsigned m_first_over(unsigned id, uint64_t n)
{
    unsigned c;

    for (c = id; c != 0; c = m[c].parent) {
        if (m[c].usage + n > m[c].max)
            return c;
        if (m[c].usage + n > m[c].peak)
            m[c].peak = m[c].usage + n;
    }
    return 0;
}

static int m_charge(unsigned id, uint64_t nr, struct mstock *s)
{
    uint64_t batch;
    unsigned retries = RETRIES, kills = RETRIES, over, c, worst = 0;
    bool raised = false, drained = false;
    uint64_t left = 0;

    if (id == 0 || id > CAP || !m[id].live)
        return BUDDY_ENOTENANT;
    if (nr == 0)
        return BUDDY_EZERO;
    if (s != NULL && s->id == id && s->n >= nr) {
        s->n -= nr;
        return 0;
    }
    batch = s != NULL && nr < BATCH ? BATCH : nr;
    for (;;) {
        over = m_first_over(id, batch);
        if (over == 0)
            break;
        if (batch > nr) {
            batch = nr;
            continue;
        }
        if (!raised)
            m[over].ev_max++;
        raised = true;
        if (retries > 0) {
            retries--;
            (void)m_reclaim(over, nr);
            if (!drained && s != NULL && s->n != 0 && m_under(s->id, over)) {
                m_drain(s);
                drained = true;
            }
            continue;
        }
        m[over].ev_oom++;
        if (kills == 0 || !m[id].has_oom)
            return BUDDY_ENOMEM;
        m_ooms++;
        {
            unsigned v = oom_victim(mpool, m_alive, over);

            if (v == 0)
                return BUDDY_ENOMEM;
            m_sub(v, mpool[v]);
            mpool[v] = 0;
        }
        m[over].ev_kill++;
        kills--;
        retries = RETRIES;
    }
    m_add(id, batch);
    if (batch > nr)
        m_refill(s, id, batch - nr);
    for (c = id; c != 0; c = m[c].parent)
        if (m[c].usage > m[c].high)
            break;
    if (c == 0)
        return 0;
    for (c = id; c != 0; c = m[c].parent) {
        uint64_t h = m[c].high;

        if (m[c].usage <= h)
            continue;
        m[c].ev_high++;
        (void)m_reclaim(c, m[c].usage - h);
        if (m[c].usage > h && m[c].usage - h > left) {
            left = m[c].usage - h;
            worst = c;
        }
    }
    if (worst != 0 && m[id].has_throttle) {
        m_throttles++;
        m_throttle_id = id;
        m_throttle_over = worst;
        m_throttle_pages = left;
    }
    return 0;
}

static int m_uncharge(unsigned id, uint64_t nr, struct mstock *s)
{
    if (id == 0 || id > CAP || !m[id].live)
        return BUDDY_ENOTENANT;
    if (nr == 0)
        return BUDDY_EZERO;
    if (s != NULL && s->id == id) {
        if (nr > m[id].own - s->n)
            return BUDDY_EINVAL;
        m_refill(s, id, nr);
        return 0;
    }
    if (nr > m[id].own)
        return BUDDY_EINVAL;
    m_sub(id, nr);
    return 0;
}

/* Bytes: whole pages charged, the rest waiting in the stock or the
 * tenant; whole pages given back as the bytes make them. */
static void m_bytes_put(unsigned id, uint64_t n)
{
    uint64_t pages;

    m[id].bytes += n;
    pages = m[id].bytes / PAGE;
    if (pages != 0) {
        m[id].bytes -= pages * PAGE;
        m_sub(id, pages);
    }
}

static void m_bytes_drain(struct mstock *s)
{
    if (s->bid != 0 && s->nb != 0)
        m_bytes_put(s->bid, s->nb);
    s->bid = 0;
    s->nb = 0;
}

static int m_charge_bytes(unsigned id, uint64_t n, unsigned item,
                          struct mstock *s)
{
    uint64_t have, pages;
    int err;

    if (id == 0 || id > CAP || !m[id].live)
        return BUDDY_ENOTENANT;
    if (item >= ITEMS)
        return BUDDY_EINVAL;
    if (n == 0)
        return BUDDY_EZERO;
    if (s != NULL) {
        if (s->bid != id) {
            m_bytes_drain(s);
            s->bid = id;
            s->nb = m[id].bytes;
            m[id].bytes = 0;
        }
        if (s->nb < n) {
            pages = (n - s->nb + PAGE - 1) / PAGE;
            err = m_charge(id, pages, s);
            if (err != 0)
                return err;
            s->nb += pages * PAGE;
        }
        s->nb -= n;
    } else {
        have = m[id].bytes < n ? m[id].bytes : n;
        m[id].bytes -= have;
        if (have < n) {
            pages = (n - have + PAGE - 1) / PAGE;
            err = m_charge(id, pages, NULL);
            if (err != 0) {
                m_bytes_put(id, have);
                return err;
            }
            m_bytes_put(id, have + pages * PAGE - n);
        }
    }
    m[id].items[item] += n;
    return 0;
}

static int m_uncharge_bytes(unsigned id, uint64_t n, unsigned item,
                            struct mstock *s)
{
    if (id == 0 || id > CAP || !m[id].live)
        return BUDDY_ENOTENANT;
    if (item >= ITEMS)
        return BUDDY_EINVAL;
    if (n == 0)
        return BUDDY_EZERO;
    if (n > m[id].items[item])
        return BUDDY_EINVAL;
    m[id].items[item] -= n;
    if (s != NULL && s->bid == id) {
        s->nb += n;
        if (s->nb > PAGE) {
            uint64_t pages = s->nb / PAGE;

            s->nb -= pages * PAGE;
            m_refill(s, id, pages);
        }
        return 0;
    }
    m_bytes_put(id, n);
    return 0;
}

static int m_move(unsigned id, unsigned np)
{
    unsigned a;

    if (id == 0 || id > CAP || !m[id].live ||
        (np != 0 && (np > CAP || !m[np].live)))
        return BUDDY_ENOTENANT;
    if (np != 0 && m_under(np, id))
        return BUDDY_EINVAL;
    for (a = np; a != 0 && !m_under(id, a); a = m[a].parent)
        if (m[a].usage + m[id].usage > m[a].max)
            return BUDDY_EBUSY;
    {
        uint64_t u = m[id].usage;

        for (a = m[id].parent; a != 0; a = m[a].parent)
            if (!m_under(np, a))
                m[a].usage -= u;
        for (a = np; a != 0 && !m_under(id, a); a = m[a].parent) {
            m[a].usage += u;
            if (m[a].usage > m[a].peak)
                m[a].peak = m[a].usage;
        }
    }
    m[id].parent = np;
    return 0;
}

/* ---- the library's callbacks --------------------------------------------- */

static uint64_t reclaimer(void *arg, unsigned id, uint64_t want)
{
    uint64_t n = want < pool[id] ? want : pool[id];

    (void)arg;
    if (n != 0) {
        CHECK(buddy_tenant_uncharge(g, NULL, id, n) == 0,
              "a reclaimer's uncharge of %" PRIu64 " from %u", n, id);
        pool[id] -= n;
    }
    return n;
}

static bool lib_alive(unsigned i)
{
    struct buddy_tenant_info ti;

    return buddy_tenant_get_info(g, i, &ti) == 0;
}

static bool oom(void *arg, unsigned id, unsigned over, uint64_t nr)
{
    unsigned v = oom_victim(pool, lib_alive, over);

    (void)arg;
    (void)id;
    (void)nr;
    ooms++;
    if (v == 0)
        return false;
    CHECK(buddy_tenant_uncharge(g, NULL, v, pool[v]) == 0, "an OOM kill of %u",
          v);
    pool[v] = 0;
    return true;
}

static void throttle(void *arg, unsigned id, unsigned over, uint64_t pages)
{
    (void)arg;
    throttles++;
    throttle_id = id;
    throttle_over = over;
    throttle_pages = pages;
}

/* A step's line for TENANT_TRACE: its call and result, then each live
 * tenant as [id^parent u<usage>/<the model's> p<pool>], and the stocks. */
static void trace(unsigned step, const char *name, unsigned id, int si,
                  int got)
{
    struct buddy_tenant_info t;
    unsigned q;

    fprintf(stderr, "step %u: %s id %u stock %d: %d", step, name, id, si,
            got);
    for (q = 1; q <= CAP; q++)
        if (buddy_tenant_get_info(g, q, &t) == 0)
            fprintf(stderr, " [%u^%u u%" PRIu64 "/%" PRIu64 " p%" PRIu64 "]",
                    q, t.parent, t.current, m[q].usage, pool[q]);
    fprintf(stderr, " s0=%u:%" PRIu64 " s1=%u:%" PRIu64 "\n", stock[0].id_,
            stock[0].nr_pages_, stock[1].id_, stock[1].nr_pages_);
}

/* ---- one run ------------------------------------------------------------- */

static void compare(uint64_t seed, unsigned step, const char *op)
{
    struct buddy_check_report rep;
    unsigned i;

    for (i = 1; i <= CAP; i++) {
        struct buddy_tenant_info ti;
        int err = buddy_tenant_get_info(g, i, &ti);

        CHECK((err == 0) == m[i].live,
              "seed %" PRIu64 " step %u (%s): tenant %u live %d, model %d",
              seed, step, op, i, err == 0, m[i].live);
        if (err != 0 || !m[i].live)
            continue;
        CHECK(ti.current == m[i].usage && ti.peak == m[i].peak &&
                  ti.parent == m[i].parent && ti.depth == m_depth(i) &&
                  ti.nr_children == m_children(i) && pool[i] == mpool[i],
              "seed %" PRIu64 " step %u (%s): tenant %u usage %" PRIu64
              " (model %" PRIu64 "), peak %" PRIu64 " (%" PRIu64
              "), parent %u (%u), pool %" PRIu64 " (%" PRIu64 ")",
              seed, step, op, i, ti.current, m[i].usage, ti.peak, m[i].peak,
              ti.parent, m[i].parent, pool[i], mpool[i]);
        CHECK(ti.slab_reclaimable == m[i].items[0] &&
                  ti.slab_unreclaimable == m[i].items[1] &&
                  obj[i][0] == mobj[i][0] && obj[i][1] == mobj[i][1],
              "seed %" PRIu64 " step %u (%s): tenant %u bytes %" PRIu64
              " %" PRIu64 " (model %" PRIu64 " %" PRIu64 ")",
              seed, step, op, i, ti.slab_reclaimable, ti.slab_unreclaimable,
              m[i].items[0], m[i].items[1]);
        CHECK(ti.events_low == m[i].ev_low && ti.events_high == m[i].ev_high &&
                  ti.events_max == m[i].ev_max &&
                  ti.events_oom == m[i].ev_oom &&
                  ti.events_oom_kill == m[i].ev_kill,
              "seed %" PRIu64 " step %u (%s): tenant %u events low %" PRIu64
              " high %" PRIu64 " max %" PRIu64 " oom %" PRIu64 " kill %" PRIu64
              ", model %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
              " %" PRIu64,
              seed, step, op, i, ti.events_low, ti.events_high, ti.events_max,
              ti.events_oom, ti.events_oom_kill, m[i].ev_low, m[i].ev_high,
              m[i].ev_max, m[i].ev_oom, m[i].ev_kill);
    }
    CHECK(throttles == m_throttles && throttle_id == m_throttle_id &&
              throttle_over == m_throttle_over &&
              throttle_pages == m_throttle_pages && ooms == m_ooms,
          "seed %" PRIu64 " step %u (%s): throttles %u (%u at %u by %" PRIu64
          "), ooms %u; model %u (%u at %u by %" PRIu64 "), %u",
          seed, step, op, throttles, throttle_id, throttle_over, throttle_pages,
          ooms, m_throttles, m_throttle_id, m_throttle_over, m_throttle_pages,
          m_ooms);
    CHECK(buddy_tenants_check(g, &rep) == 0,
          "seed %" PRIu64 " step %u (%s): check: %s (tenant %" PRIu64
          ": %" PRIu64 ", %" PRIu64 ")",
          seed, step, op, rep.what, (uint64_t)rep.pfn, rep.expected,
          rep.actual);
    if (failed && getenv("TENANT_TRACE") != NULL)
        for (i = 1; i <= CAP; i++)
            if (m[i].live)
                fprintf(stderr, "  tenant %u: parent %u usage %" PRIu64
                                " pool %" PRIu64 "\n",
                        i, m[i].parent, m[i].usage, mpool[i]);
}

static uint64_t limit(struct rng *r)
{
    switch (rng_below(r, 4)) {
    case 0:
        return BUDDY_TENANT_UNLIMITED;
    case 1:
        return rng_below(r, 20);
    default:
        return rng_below(r, 200);
    }
}

static void one_run(uint64_t seed)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct rng r = {seed};
    unsigned step;

    memset(m, 0, sizeof(m));
    memset(mpool, 0, sizeof(mpool));
    memset(pool, 0, sizeof(pool));
    memset(mobj, 0, sizeof(mobj));
    memset(obj, 0, sizeof(obj));
    memset(ms, 0, sizeof(ms));
    memset(stock, 0, sizeof(stock));
    m_throttles = throttles = m_ooms = ooms = 0;
    m_throttle_id = throttle_id = m_throttle_over = throttle_over = 0;
    m_throttle_pages = throttle_pages = 0;
    cfg.capacity = CAP;
    cfg.batch = BATCH;
    if (buddy_tenants_init(buf, sizeof(buf), &cfg, &g) != 0) {
        failed = 1;
        return;
    }
    for (step = 0; step < STEPS && !failed; step++) {
        unsigned op = (unsigned)rng_below(&r, 100);
        unsigned id = (unsigned)rng_below(&r, CAP + 2); /* 0 and CAP+1: bad */
        int si = (int)rng_below(&r, 3) - 1;             /* -1: no stock */
        struct buddy_tenant_stock *s = si < 0 ? NULL : &stock[si];
        struct mstock *mstk = si < 0 ? NULL : &ms[si];
        const char *name = "?";
        int got = 0, want = 0;

        if (op < 8) { /* create */
            unsigned parent = rng_below(&r, 3) == 0 ? 0 : id % (CAP + 1);
            unsigned nid = 0, i;

            name = "create";
            got = buddy_tenant_create(g, parent, NULL, &nid);
            if (parent != 0 && !m[parent].live) {
                want = BUDDY_ENOTENANT;
            } else {
                want = BUDDY_ENOSPC;
                for (i = 1; i <= CAP; i++)
                    if (!m[i].live) {
                        memset(&m[i], 0, sizeof(m[i]));
                        m[i].live = true;
                        m[i].parent = parent;
                        m[i].max = m[i].high = BUDDY_TENANT_UNLIMITED;
                        m[i].has_reclaimer = rng_below(&r, 4) != 0;
                        m[i].has_oom = rng_below(&r, 3) == 0;
                        m[i].has_throttle = rng_below(&r, 2) == 0;
                        mpool[i] = pool[i] = 0;
                        memset(mobj[i], 0, sizeof(mobj[i]));
                        memset(obj[i], 0, sizeof(obj[i]));
                        want = 0;
                        CHECK(nid == i,
                              "seed %" PRIu64 ": created %u, model %u", seed,
                              nid, i);
                        if (m[i].has_reclaimer &&
                            buddy_tenant_add_reclaimer(g, i, reclaimer,
                                                       NULL) != 0)
                            failed = 1;
                        if (m[i].has_oom || m[i].has_throttle) {
                            struct buddy_tenant_ops o = {
                                m[i].has_oom ? oom : NULL,
                                m[i].has_throttle ? throttle : NULL, NULL};

                            if (buddy_tenant_set_ops(g, i, &o) != 0)
                                failed = 1;
                        }
                        break;
                    }
            }
        } else if (op < 12) { /* destroy, its stocks drained first */
            name = "destroy";
            if (id >= 1 && id <= CAP && m[id].live) {
                unsigned k;

                for (k = 0; k < 2; k++)
                    if (ms[k].id == id || ms[k].bid == id) {
                        m_bytes_drain(&ms[k]);
                        m_drain(&ms[k]);
                        buddy_tenant_stock_drain(g, &stock[k]);
                    }
                if (rng_below(&r, 2) == 0) { /* free all */
                    unsigned it;

                    if (pool[id] != 0) {
                        CHECK(buddy_tenant_uncharge(g, NULL, id, pool[id]) ==
                                  0,
                              "seed %" PRIu64 ": the free before a destroy",
                              seed);
                        m_sub(id, mpool[id]);
                        pool[id] = mpool[id] = 0;
                    }
                    for (it = 0; it < ITEMS; it++)
                        if (obj[id][it] != 0) {
                            CHECK(buddy_tenant_uncharge_bytes(
                                      g, NULL, id, obj[id][it],
                                      (enum buddy_tenant_item)it) == 0,
                                  "seed %" PRIu64 ": the bytes' free before "
                                  "a destroy", seed);
                            (void)m_uncharge_bytes(id, mobj[id][it], it,
                                                   NULL);
                            obj[id][it] = mobj[id][it] = 0;
                        }
                }
            }
            got = buddy_tenant_destroy(g, id);
            if (id == 0 || id > CAP || !m[id].live)
                want = BUDDY_ENOTENANT;
            else if (m_children(id) != 0 || m[id].usage != 0)
                want = BUDDY_EBUSY;
            else
                m[id].live = false;
        } else if (op < 20) { /* a knob */
            unsigned k = (unsigned)rng_below(&r, 4);
            uint64_t v = limit(&r);
            static const char *const names[] = {"set_max", "set_high",
                                                "set_low", "set_min"};

            name = names[k];
            got = k == 0   ? buddy_tenant_set_max(g, id, v)
                  : k == 1 ? buddy_tenant_set_high(g, id, v)
                  : k == 2 ? buddy_tenant_set_low(g, id, v)
                           : buddy_tenant_set_min(g, id, v);
            if (id == 0 || id > CAP || !m[id].live) {
                want = BUDDY_ENOTENANT;
            } else if (k < 2 && v < m[id].usage) {
                want = BUDDY_EBUSY;
            } else {
                uint64_t *f = k == 0 ? &m[id].max : k == 1 ? &m[id].high
                              : k == 2 ? &m[id].low : &m[id].min;

                *f = v;
            }
        } else if (op < 23) { /* move */
            unsigned np = rng_below(&r, 3) == 0
                              ? 0
                              : (unsigned)rng_below(&r, CAP + 1);

            name = "move";
            got = buddy_tenant_move(g, id, np);
            want = m_move(id, np);
        } else if (op < 37) { /* objects' bytes charged */
            uint64_t n = rng_below(&r, 4) == 0 ? rng_below(&r, 3 * PAGE)
                                               : 1 + rng_below(&r, 600);
            unsigned it = rng_below(&r, 25) == 0 ? ITEMS
                                                 : (unsigned)rng_below(&r, 2);

            name = "charge_bytes";
            got = buddy_tenant_charge_bytes(g, s, id, n,
                                            (enum buddy_tenant_item)it);
            want = m_charge_bytes(id, n, it, mstk);
            if (got == 0 && it < ITEMS) /* never else: the guard is for */
                obj[id][it] += n;        /* the compiler's bounds check */
            if (want == 0 && it < ITEMS)
                mobj[id][it] += n;
            seen_bytes += got == 0;
            seen_byte_enomem += got == BUDDY_ENOMEM;
        } else if (op < 47) { /* objects freed */
            unsigned it = rng_below(&r, 25) == 0 ? ITEMS
                                                 : (unsigned)rng_below(&r, 2);
            uint64_t n = 1 + rng_below(&r, 600);

            name = "uncharge_bytes";
            if (id >= 1 && id <= CAP && m[id].live && it < ITEMS)
                n = rng_below(&r, 8) == 0 ? mobj[id][it] + 1
                    : n < mobj[id][it]    ? n
                                          : mobj[id][it];
            got = buddy_tenant_uncharge_bytes(g, s, id, n,
                                              (enum buddy_tenant_item)it);
            want = m_uncharge_bytes(id, n, it, mstk);
            if (got == 0 && it < ITEMS)
                obj[id][it] -= n;
            if (want == 0 && it < ITEMS)
                mobj[id][it] -= n;
        } else if (op < 65) { /* charge into the tenant's pool */
            uint64_t n = 1 + rng_below(&r, rng_below(&r, 4) == 0 ? 40 : 6);

            name = "charge";
            got = buddy_tenant_charge(g, s, id, n);
            want = m_charge(id, n, mstk);
            if (got == 0)
                pool[id] += n;
            if (want == 0)
                mpool[id] += n;
        } else if (op < 97) { /* free from the pool */
            uint64_t n = 1 + rng_below(&r, 12);

            name = "uncharge";
            /* What the pool holds, or sometimes more than the tenant's own
             * pages: pages held by a stock count as its own, so a free
             * of more than the pool but not more than that is misuse no
             * check can see, and the test makes none. */
            if (id >= 1 && id <= CAP && m[id].live)
                n = rng_below(&r, 5) == 0 ? m[id].own + 1 + rng_below(&r, 3)
                    : n < mpool[id]       ? n
                                          : mpool[id];
            got = buddy_tenant_uncharge(g, s, id, n);
            want = m_uncharge(id, n, mstk);
            if (got == 0)
                pool[id] -= n < pool[id] ? n : pool[id];
            if (want == 0)
                mpool[id] -= n < mpool[id] ? n : mpool[id];
        } else { /* drain a stock */
            unsigned k = (unsigned)rng_below(&r, 2);

            name = "drain";
            buddy_tenant_stock_drain(g, &stock[k]);
            m_bytes_drain(&ms[k]);
            m_drain(&ms[k]);
        }
        if (getenv("TENANT_TRACE") != NULL)
            trace(step, name, id, si, got);
        CHECK(got == want, "seed %" PRIu64 " step %u: %s of %u: %s, model %s",
              seed, step, name, id, buddy_strerror(got), buddy_strerror(want));
        seen_enomem += got == BUDDY_ENOMEM;
        seen_moves += strcmp(name, "move") == 0 && got == 0;
        compare(seed, step, name);
    }
    for (step = 1; step <= CAP; step++) {
        seen_max += m[step].ev_max;
        seen_oom += m[step].ev_oom;
        seen_kill += m[step].ev_kill;
        seen_low += m[step].ev_low;
        seen_high += m[step].ev_high;
    }
    seen_throttle += m_throttles;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    unsigned runs = argc > 1 ? 1 : RUNS, i;

    for (i = 0; i < runs && !failed; i++)
        one_run(seed + i);
    if (failed) {
        fprintf(stderr, "tenant_test: failed; `tenant_test %" PRIu64
                        "` repeats the run\n", seed + i - 1);
        return 1;
    }
    printf("tenant_test: %u runs of %u steps, seeds %" PRIu64 "..%" PRIu64
           ": every result as the model's (events of the tenants still live "
           "at each end: max %" PRIu64 ", oom %" PRIu64 ", oom_kill %" PRIu64
           ", low %" PRIu64 ", high %" PRIu64 "; throttles %" PRIu64
           ", ENOMEMs %" PRIu64 ", moves %" PRIu64 "; byte charges %" PRIu64
           ", of which ENOMEM %" PRIu64 ")\n",
           runs, STEPS, seed, seed + runs - 1, seen_max, seen_oom, seen_kill,
           seen_low, seen_high, seen_throttle, seen_enomem, seen_moves,
           seen_bytes, seen_byte_enomem);
    if (runs > 1 && (seen_max == 0 || seen_oom == 0 || seen_kill == 0 ||
                     seen_low == 0 || seen_high == 0 || seen_throttle == 0 ||
                     seen_enomem == 0 || seen_moves == 0 || seen_bytes == 0 ||
                     seen_byte_enomem == 0)) {
        fprintf(stderr, "tenant_test: a kind of event never happened: the "
                        "runs test less than they claim\n");
        return 1;
    }
    return 0;
}
