/* SPDX-License-Identifier: MIT */
/* test_tenant.c: tenants: the hierarchy's counts, max, high, low and min,
 * the OOM and throttle callbacks, stocks, the views, and bad input. */
#include "helpers.h"

#include "buddy/tenant.h"

static _Alignas(8) unsigned char buf[64 * 1024];

#define UNRECLAIMABLE BUDDY_TENANT_SLAB_UNRECLAIMABLE

static struct buddy_tenants *group(unsigned capacity, unsigned batch)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_tenants *g = NULL;

    cfg.capacity = capacity;
    cfg.batch = batch;
    assert_true(buddy_tenants_size(&cfg) <= sizeof(buf));
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), &cfg, &g), 0);
    return g;
}

static unsigned make(struct buddy_tenants *g, unsigned parent, const char *n)
{
    unsigned id = 0;

    assert_int_equal(buddy_tenant_create(g, parent, n, &id), 0);
    assert_true(id != 0);
    return id;
}

static struct buddy_tenant_info info(struct buddy_tenants *g, unsigned id)
{
    struct buddy_tenant_info i;

    assert_int_equal(buddy_tenant_get_info(g, id, &i), 0);
    return i;
}

static void assert_checked(struct buddy_tenants *g)
{
    struct buddy_check_report rep;
    int err = buddy_tenants_check(g, &rep);

    if (err != 0)
        print_error("tenants_check: %s (tenant %llu: %llu, %llu)\n", rep.what,
                    (unsigned long long)rep.pfn,
                    (unsigned long long)rep.expected,
                    (unsigned long long)rep.actual);
    assert_int_equal(err, 0);
}

/* A reclaimer over a count of pages a tenant "holds": it frees what is
 * asked, up to what there is, and uncharges it. */
struct pool {
    struct buddy_tenants *g;
    unsigned id;
    uint64_t held;
    unsigned calls;
};

static uint64_t pool_reclaim(void *arg, unsigned id, uint64_t nr)
{
    struct pool *p = arg;
    uint64_t n = nr < p->held ? nr : p->held;

    assert_int_equal(id, p->id);
    p->calls++;
    if (n != 0) {
        assert_int_equal(buddy_tenant_uncharge(p->g, NULL, id, n), 0);
        p->held -= n;
    }
    return n;
}

static int pool_charge(struct pool *p, uint64_t nr)
{
    int err = buddy_tenant_charge(p->g, NULL, p->id, nr);

    if (err == 0)
        p->held += nr;
    return err;
}

static void test_init_errors(void **state)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_lock_ops half = {0};
    struct buddy_tenants *g = NULL;

    (void)state;
    assert_int_equal(buddy_tenants_size(&cfg), 0); /* capacity 0 */
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), &cfg, &g),
                     BUDDY_EINVAL);
    cfg.capacity = BUDDY_TENANT_MAX + 1;
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), &cfg, &g),
                     BUDDY_EINVAL);
    cfg.capacity = 4;
    cfg.page_size = 100;
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), &cfg, &g),
                     BUDDY_EINVAL);
    cfg.page_size = 0;
    cfg.lock = &half;
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), &cfg, &g),
                     BUDDY_EINVAL);
    cfg.lock = NULL;
    assert_int_equal(buddy_tenants_init(buf + 1, sizeof(buf) - 1, &cfg, &g),
                     BUDDY_EALIGN);
    assert_int_equal(buddy_tenants_init(buf, buddy_tenants_size(&cfg) - 1,
                                        &cfg, &g),
                     BUDDY_ENOSPC);
    assert_int_equal(buddy_tenants_init(NULL, sizeof(buf), &cfg, &g),
                     BUDDY_ENULL);
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), NULL, &g),
                     BUDDY_ENULL);
    assert_null(g);
    /* Not a group: every call refuses it. */
    memset(buf, 0, sizeof(buf));
    g = (struct buddy_tenants *)(void *)buf;
    assert_int_equal(buddy_tenant_charge(g, NULL, 1, 1), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenants_check(g, NULL), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_next(g, 0), 0);
}

/* A charge counts in the tenant and every ancestor; an uncharge takes it
 * back; peaks stay; the names and the shape are as made. */
static void test_hierarchy_counts(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned a, b, c, d;
    struct buddy_tenant_info i;

    (void)state;
    a = make(g, 0, "a");
    b = make(g, a, "b");
    c = make(g, b, NULL);
    d = make(g, a, "d");
    assert_int_equal(buddy_tenant_charge(g, NULL, c, 10), 0);
    assert_int_equal(buddy_tenant_charge(g, NULL, d, 5), 0);
    assert_int_equal(buddy_tenant_charge(g, NULL, a, 1), 0);
    assert_int_equal(info(g, c).current, 10);
    assert_int_equal(info(g, b).current, 10);
    assert_int_equal(info(g, d).current, 5);
    assert_int_equal(info(g, a).current, 16);
    assert_int_equal(buddy_tenant_uncharge(g, NULL, c, 4), 0);
    i = info(g, a);
    assert_int_equal(i.current, 12);
    assert_int_equal(i.peak, 16);
    assert_int_equal(i.nr_children, 2);
    assert_int_equal(i.depth, 1);
    assert_int_equal(i.parent, 0);
    assert_string_equal(i.name, "a");
    i = info(g, c);
    assert_int_equal(i.depth, 3);
    assert_int_equal(i.parent, b);
    assert_string_equal(i.name, "tenant3");
    assert_int_equal(i.max, BUDDY_TENANT_UNLIMITED);
    assert_checked(g);
    /* Walking: every live tenant once, in id order. */
    assert_int_equal(buddy_tenant_next(g, 0), a);
    assert_int_equal(buddy_tenant_next(g, a), b);
    assert_int_equal(buddy_tenant_next(g, d), 0);
}

/* max: a charge that would pass the tenant's or an ancestor's fails after
 * its reclaimers ran the retries, nothing charged, one max event and one
 * oom event where it failed; the reclaimers can make the room. */
static void test_max_reclaim_then_oom(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned p, a, b;
    struct pool pa, pb;

    (void)state;
    p = make(g, 0, "parent");
    a = make(g, p, "a");
    b = make(g, p, "b");
    pa = (struct pool){g, a, 0, 0};
    pb = (struct pool){g, b, 0, 0};
    assert_int_equal(buddy_tenant_set_max(g, p, 100), 0);
    assert_int_equal(buddy_tenant_set_max(g, a, 60), 0);
    assert_int_equal(pool_charge(&pa, 60), 0);
    /* a at its own max, nothing to reclaim: ENOMEM at a. */
    assert_int_equal(pool_charge(&pa, 1), BUDDY_ENOMEM);
    assert_int_equal(info(g, a).events_max, 1);
    assert_int_equal(info(g, a).events_oom, 1);
    assert_int_equal(info(g, p).events_max, 0);
    assert_int_equal(info(g, a).current, 60);
    /* b fills the parent; the parent's limit fails b. */
    assert_int_equal(pool_charge(&pb, 40), 0);
    assert_int_equal(pool_charge(&pb, 1), BUDDY_ENOMEM);
    assert_int_equal(info(g, p).events_max, 1);
    assert_int_equal(info(g, p).events_oom, 1);
    assert_int_equal(info(g, p).current, 100);
    assert_checked(g);
    /* With reclaimers, the parent's subtree gives the room: the charge
     * succeeds with one max event and no oom. */
    assert_int_equal(buddy_tenant_add_reclaimer(g, a, pool_reclaim, &pa), 0);
    assert_int_equal(buddy_tenant_add_reclaimer(g, b, pool_reclaim, &pb), 0);
    assert_int_equal(pool_charge(&pb, 10), 0);
    assert_int_equal(info(g, p).events_max, 2);
    assert_int_equal(info(g, p).events_oom, 1);
    assert_int_equal(info(g, p).current, 100);
    assert_int_equal(pa.held + pb.held, 100);
    assert_true(pa.calls + pb.calls >= 1);
    /* The same reclaimer twice, and more than the table holds. */
    assert_int_equal(buddy_tenant_remove_reclaimer(g, a, pool_reclaim, &pb),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_remove_reclaimer(g, a, pool_reclaim, &pa), 0);
    assert_int_equal(buddy_tenant_remove_reclaimer(g, a, pool_reclaim, &pa),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_add_reclaimer(g, a, NULL, NULL), BUDDY_ENULL);
    for (unsigned k = 0; k < BUDDY_TENANT_RECLAIMERS; k++)
        assert_int_equal(buddy_tenant_add_reclaimer(g, a, pool_reclaim, &pa),
                         0);
    assert_int_equal(buddy_tenant_add_reclaimer(g, a, pool_reclaim, &pa),
                     BUDDY_ENOSPC);
    assert_checked(g);
}

struct oom_log {
    struct pool *victim;
    unsigned calls, id, over;
};

static bool oom_kill(void *arg, unsigned id, unsigned over, uint64_t nr)
{
    struct oom_log *l = arg;
    uint64_t n = l->victim->held;

    l->calls++;
    l->id = id;
    l->over = over;
    (void)nr;
    if (n == 0)
        return false;
    assert_int_equal(buddy_tenant_uncharge(l->victim->g, NULL, l->victim->id,
                                           n),
                     0);
    l->victim->held = 0;
    return true;
}

/* The OOM callback of the tenant charged: told where the limit is; what it
 * frees lets the charge through and counts an oom_kill. */
static void test_oom_callback(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned p, a, b;
    struct pool pa, pb;
    struct oom_log log = {0};
    struct buddy_tenant_ops ops = {oom_kill, NULL, &log};

    (void)state;
    p = make(g, 0, "p");
    a = make(g, p, "a");
    b = make(g, p, "b");
    pa = (struct pool){g, a, 0, 0};
    pb = (struct pool){g, b, 0, 0};
    log.victim = &pa;
    assert_int_equal(buddy_tenant_set_max(g, p, 50), 0);
    assert_int_equal(buddy_tenant_set_ops(g, b, &ops), 0);
    assert_int_equal(pool_charge(&pa, 45), 0);
    assert_int_equal(pool_charge(&pb, 10), 0); /* a is "killed" */
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.id, b);
    assert_int_equal(log.over, p);
    assert_int_equal(info(g, p).events_oom, 1);
    assert_int_equal(info(g, p).events_oom_kill, 1);
    assert_int_equal(info(g, p).current, 10);
    /* Nothing left to kill: ENOMEM. */
    assert_int_equal(pool_charge(&pb, 41), BUDDY_ENOMEM);
    assert_int_equal(log.calls, 2);
    assert_int_equal(info(g, p).events_oom_kill, 1);
    assert_int_equal(buddy_tenant_set_ops(g, b, NULL), 0);
    assert_checked(g);
}

struct throttle_log {
    unsigned calls, id, over;
    uint64_t pages;
};

static void throttled(void *arg, unsigned id, unsigned over, uint64_t pages)
{
    struct throttle_log *l = arg;

    l->calls++;
    l->id = id;
    l->over = over;
    l->pages = pages;
}

/* high: the charge succeeds, the subtree's reclaimers run, a high event
 * counts, and the throttle hears what is left over. */
static void test_high_throttles(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned a;
    struct pool pa;
    struct throttle_log log = {0};
    struct buddy_tenant_ops ops = {NULL, throttled, &log};

    (void)state;
    a = make(g, 0, "a");
    pa = (struct pool){g, a, 0, 0};
    assert_int_equal(buddy_tenant_set_high(g, a, 20), 0);
    assert_int_equal(buddy_tenant_set_ops(g, a, &ops), 0);
    assert_int_equal(pool_charge(&pa, 20), 0);
    assert_int_equal(log.calls, 0);
    assert_int_equal(pool_charge(&pa, 5), 0); /* no reclaimer: stays over */
    assert_int_equal(info(g, a).events_high, 1);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.id, a);
    assert_int_equal(log.over, a);
    assert_int_equal(log.pages, 5);
    assert_int_equal(info(g, a).current, 25);
    /* With a reclaimer it is brought back to high, and no throttle. */
    assert_int_equal(buddy_tenant_add_reclaimer(g, a, pool_reclaim, &pa), 0);
    assert_int_equal(pool_charge(&pa, 3), 0);
    assert_int_equal(info(g, a).events_high, 2);
    assert_int_equal(info(g, a).current, 20);
    assert_int_equal(log.calls, 1);
    assert_checked(g);
}

/* low and min: a reclaim of the parent's subtree takes from the
 * unprotected sibling first, from one under its low only when that is
 * not enough (a low event), never from one under its min. */
static void test_protection(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned p, lo, mn, un;
    struct pool plo, pmn, pun;

    (void)state;
    p = make(g, 0, "p");
    lo = make(g, p, "low");
    mn = make(g, p, "min");
    un = make(g, p, "unprotected");
    plo = (struct pool){g, lo, 0, 0};
    pmn = (struct pool){g, mn, 0, 0};
    pun = (struct pool){g, un, 0, 0};
    assert_int_equal(buddy_tenant_set_low(g, lo, 30), 0);
    assert_int_equal(buddy_tenant_set_min(g, mn, 30), 0);
    assert_int_equal(buddy_tenant_add_reclaimer(g, lo, pool_reclaim, &plo), 0);
    assert_int_equal(buddy_tenant_add_reclaimer(g, mn, pool_reclaim, &pmn), 0);
    assert_int_equal(buddy_tenant_add_reclaimer(g, un, pool_reclaim, &pun), 0);
    assert_int_equal(pool_charge(&plo, 30), 0);
    assert_int_equal(pool_charge(&pmn, 30), 0);
    assert_int_equal(pool_charge(&pun, 20), 0);
    assert_int_equal(buddy_tenant_set_max(g, p, 80), 0);
    /* 10 more: the unprotected tenant gives them. */
    assert_int_equal(pool_charge(&pun, 10), 0);
    assert_int_equal(plo.held, 30);
    assert_int_equal(pmn.held, 30);
    assert_int_equal(info(g, lo).events_low, 0);
    /* 40 more for un: its own 20 are not enough, low gives the rest. */
    assert_int_equal(pool_charge(&pun, 40), 0);
    assert_int_equal(pmn.held, 30);
    assert_int_equal(plo.held + pun.held, 50);
    assert_int_equal(info(g, lo).events_low, 1);
    /* Past what low and un hold: min is never reclaimed. */
    assert_int_equal(pool_charge(&pun, 60), BUDDY_ENOMEM);
    assert_int_equal(pmn.held, 30);
    assert_int_equal(info(g, p).events_oom, 1);
    assert_checked(g);
}

/* A child is never protected beyond its parent: under a parent without
 * low, a child's low of its own does not keep a reclaim of the
 * grandparent's subtree away (no low event). */
static void test_protection_nests(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned top, u, q, w;
    struct pool pq, pw;

    (void)state;
    top = make(g, 0, "top");
    u = make(g, top, "u");
    q = make(g, u, "q");
    w = make(g, top, "w");
    pq = (struct pool){g, q, 0, 0};
    pw = (struct pool){g, w, 0, 0};
    assert_int_equal(buddy_tenant_set_low(g, q, 100), 0);
    assert_int_equal(buddy_tenant_add_reclaimer(g, q, pool_reclaim, &pq), 0);
    assert_int_equal(pool_charge(&pq, 10), 0);
    assert_int_equal(buddy_tenant_set_max(g, top, 10), 0);
    assert_int_equal(pool_charge(&pw, 4), 0);
    assert_int_equal(pq.held, 6);
    assert_int_equal(info(g, q).events_low, 0);
    /* With the parent's low too, q is protected: the reclaim takes from
     * it only as a last resort, and says so. */
    assert_int_equal(buddy_tenant_set_low(g, u, 100), 0);
    assert_int_equal(pool_charge(&pw, 2), 0);
    assert_int_equal(pq.held, 4);
    assert_int_equal(info(g, q).events_low, 1);
    assert_checked(g);
}

/* Stocks: a charge a stock covers touches no counter; a batch is charged
 * at once; the stock's pages count in usage, never past max; drain gives
 * them back. */
static void test_stock_batches(void **state)
{
    struct buddy_tenants *g = group(8, 16);
    struct buddy_tenant_stock s = BUDDY_TENANT_STOCK_INIT;
    unsigned a, b;

    (void)state;
    a = make(g, 0, "a");
    b = make(g, 0, "b");
    assert_int_equal(buddy_tenant_charge(g, &s, a, 1), 0);
    assert_int_equal(info(g, a).current, 16); /* a batch */
    for (unsigned k = 0; k < 15; k++)
        assert_int_equal(buddy_tenant_charge(g, &s, a, 1), 0);
    assert_int_equal(info(g, a).current, 16); /* all from the stock */
    assert_int_equal(buddy_tenant_charge(g, &s, a, 1), 0);
    assert_int_equal(info(g, a).current, 32);
    /* Another tenant's charge gives a's stock back first. */
    assert_int_equal(buddy_tenant_charge(g, &s, b, 2), 0);
    assert_int_equal(info(g, a).current, 17);
    assert_int_equal(info(g, b).current, 16);
    /* Near max the batch shrinks to the request: max is never passed. */
    assert_int_equal(buddy_tenant_set_max(g, a, 20), 0);
    buddy_tenant_stock_drain(g, &s);
    assert_int_equal(info(g, b).current, 2);
    assert_int_equal(buddy_tenant_charge(g, &s, a, 3), 0);
    assert_int_equal(info(g, a).current, 20);
    assert_int_equal(buddy_tenant_charge(g, &s, a, 1), BUDDY_ENOMEM);
    assert_int_equal(info(g, a).current, 20); /* no stock: nothing left */
    /* Uncharges go into a stock of the same tenant, and past the batch
     * back to the counters. */
    assert_int_equal(buddy_tenant_set_max(g, a, BUDDY_TENANT_UNLIMITED), 0);
    assert_int_equal(buddy_tenant_charge(g, &s, a, 1), 0);
    assert_int_equal(info(g, a).current, 36); /* 15 in the stock */
    assert_int_equal(buddy_tenant_uncharge(g, &s, a, 1), 0);
    assert_int_equal(info(g, a).current, 36); /* 16: the batch */
    assert_int_equal(buddy_tenant_uncharge(g, &s, a, 1), 0);
    assert_int_equal(info(g, a).current, 19); /* past it: all back */
    /* More than the tenant has: refused, nothing changed. */
    assert_int_equal(buddy_tenant_uncharge(g, &s, a, 20), BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_uncharge(g, NULL, b, 3), BUDDY_EINVAL);
    assert_int_equal(info(g, a).current, 19);
    assert_int_equal(info(g, b).current, 2);
    /* A stock's pages keep its tenant alive until drained. */
    assert_int_equal(buddy_tenant_uncharge(g, NULL, a, 19), 0);
    assert_int_equal(buddy_tenant_charge(g, &s, a, 1), 0);
    assert_int_equal(buddy_tenant_uncharge(g, &s, a, 1), 0);
    assert_int_equal(buddy_tenant_destroy(g, a), BUDDY_EBUSY);
    buddy_tenant_stock_drain(g, &s);
    assert_int_equal(info(g, a).current, 0);
    assert_int_equal(buddy_tenant_destroy(g, a), 0);
    assert_checked(g);
}

/* Bad input: a clear error, nothing changed, the validator content. */
static void test_bad_input(void **state)
{
    struct buddy_tenants *g = group(3, 0);
    struct buddy_tenant_stock s = BUDDY_TENANT_STOCK_INIT;
    unsigned a, b, c, x = 0;
    struct buddy_tenant_info before;
    char name[BUDDY_TENANT_NAME_MAX + 1];

    (void)state;
    a = make(g, 0, "a");
    b = make(g, a, "b");
    c = make(g, b, "c");
    assert_int_equal(buddy_tenant_create(g, 0, "full", &x), BUDDY_ENOSPC);
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(buddy_tenant_destroy(g, c), 0);
    assert_int_equal(buddy_tenant_create(g, 0, name, &x), BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_create(g, 9, "p", &x), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_create(g, c, "p", &x), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_create(g, 0, "p", NULL), BUDDY_ENULL);
    assert_int_equal(x, 0);
    assert_int_equal(buddy_tenant_charge(g, NULL, b, 10), 0);
    before = info(g, b);
    /* A limit below usage. */
    assert_int_equal(buddy_tenant_set_max(g, b, 9), BUDDY_EBUSY);
    assert_int_equal(buddy_tenant_set_high(g, a, 9), BUDDY_EBUSY);
    assert_int_equal(info(g, b).max, before.max);
    /* A cycle: a under its own child, a tenant under itself. */
    assert_int_equal(buddy_tenant_move(g, a, b), BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_move(g, b, b), BUDDY_EINVAL);
    assert_int_equal(info(g, a).parent, 0);
    /* Destroying a tenant with children, or with memory. */
    assert_int_equal(buddy_tenant_destroy(g, a), BUDDY_EBUSY);
    assert_int_equal(buddy_tenant_destroy(g, b), BUDDY_EBUSY);
    assert_int_equal(info(g, b).current, 10);
    /* Charges and frees of no live tenant; zero pages. */
    assert_int_equal(buddy_tenant_charge(g, NULL, c, 1), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_charge(g, &s, 0, 1), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_charge(g, NULL, 200, 1), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_uncharge(g, NULL, c, 1), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_charge(g, NULL, b, 0), BUDDY_EZERO);
    assert_int_equal(buddy_tenant_uncharge(g, NULL, b, 0), BUDDY_EZERO);
    assert_int_equal(buddy_tenant_charge(g, NULL, b, UINT64_MAX),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_tenant_set_max(g, c, 1), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_get_info(g, c, &before), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_get_info(g, b, NULL), BUDDY_ENULL);
    assert_int_equal(info(g, b).current, 10);
    assert_int_equal(info(g, a).current, 10);
    assert_checked(g);
    /* The memory freed and the child gone, both can go. */
    assert_int_equal(buddy_tenant_uncharge(g, NULL, b, 10), 0);
    assert_int_equal(buddy_tenant_destroy(g, b), 0);
    assert_int_equal(buddy_tenant_destroy(g, a), 0);
    assert_int_equal(buddy_tenant_destroy(g, a), BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_next(g, 0), 0);
    assert_checked(g);
}

/* A move takes the usage along: the old ancestors below the common one
 * lose it, the new ones gain it, and a new ancestor without room refuses
 * the move. */
static void test_move(void **state)
{
    struct buddy_tenants *g = group(8, 0);
    unsigned r, x, y, t;

    (void)state;
    r = make(g, 0, "r");
    x = make(g, r, "x");
    y = make(g, r, "y");
    t = make(g, x, "t");
    assert_int_equal(buddy_tenant_charge(g, NULL, t, 7), 0);
    assert_int_equal(buddy_tenant_move(g, t, y), 0);
    assert_int_equal(info(g, x).current, 0);
    assert_int_equal(info(g, y).current, 7);
    assert_int_equal(info(g, r).current, 7);
    assert_int_equal(info(g, t).depth, 3);
    assert_int_equal(buddy_tenant_set_max(g, x, 5), 0);
    assert_int_equal(buddy_tenant_move(g, t, x), BUDDY_EBUSY);
    assert_int_equal(info(g, t).parent, y);
    assert_int_equal(buddy_tenant_move(g, t, 0), 0);
    assert_int_equal(info(g, r).current, 0);
    assert_int_equal(info(g, t).depth, 1);
    assert_int_equal(info(g, r).nr_children, 2);
    assert_checked(g);
}

/* The views, in cgroup v2's formats, and snprintf's contract. */
static void test_views(void **state)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_tenants *g = NULL;
    unsigned a;
    char out[128];

    (void)state;
    cfg.capacity = 2;
    cfg.page_size = 4096;
    assert_int_equal(buddy_tenants_init(buf, sizeof(buf), &cfg, &g), 0);
    a = make(g, 0, "web");
    assert_int_equal(buddy_tenant_charge(g, NULL, a, 3), 0);
    assert_int_equal(buddy_tenant_uncharge(g, NULL, a, 1), 0);
    assert_int_equal(buddy_tenant_memory_current(g, a, out, sizeof(out)), 5);
    assert_string_equal(out, "8192\n");
    assert_int_equal(buddy_tenant_memory_peak(g, a, out, sizeof(out)), 6);
    assert_string_equal(out, "12288\n");
    assert_int_equal(buddy_tenant_memory_max(g, a, out, sizeof(out)), 4);
    assert_string_equal(out, "max\n");
    assert_int_equal(buddy_tenant_set_high(g, a, 256), 0);
    assert_int_equal(buddy_tenant_memory_high(g, a, out, sizeof(out)), 8);
    assert_string_equal(out, "1048576\n");
    assert_int_equal(buddy_tenant_set_max(g, a, 3), 0);
    assert_int_equal(buddy_tenant_charge(g, NULL, a, 5), BUDDY_ENOMEM);
    assert_int_equal(buddy_tenant_memory_events(g, a, out, sizeof(out)),
                     strlen("low 0\nhigh 0\nmax 1\noom 1\noom_kill 0\n"));
    assert_string_equal(out, "low 0\nhigh 0\nmax 1\noom 1\noom_kill 0\n");
    /* Cut to fit, NUL-ended, the full length returned. */
    assert_int_equal(buddy_tenant_memory_events(g, a, out, 8), 36);
    assert_string_equal(out, "low 0\nh");
    assert_int_equal(buddy_tenant_memory_current(g, a, NULL, 0), 5);
    /* Not a tenant: 0 and an empty string. */
    assert_int_equal(buddy_tenant_memory_current(g, 2, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

/* Pages of a zone: the charge comes first, the owner is recorded, and
 * every free uncharges the tenant charged, by whichever call. */
static void test_zone_pages(void **state)
{
    struct buddy_tenants *g = group(4, 0);
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_pcp_config pc = BUDDY_PCP_CONFIG_INIT;
    struct buddy_tenant_stock s = BUDDY_TENANT_STOCK_INIT;
    struct fixture f;
    struct buddy_zone *z;
    struct buddy_pcp pcp;
    buddy_pfn_t a, b, c;
    unsigned web, db, o = 0;
    uint64_t free_before;

    (void)state;
    zc.nr_pages = 128;
    zc.max_order = 5;
    zc.flags = BUDDY_ZONE_OWNERS;
    z = zone_from_config(&f, &zc);
    assert_int_equal(buddy_zone_add_range(z, 0, 128), 0);
    web = make(g, 0, "web");
    db = make(g, 0, "db");
    assert_int_equal(buddy_tenants_attach_zone(g, z), 0);
    assert_int_equal(buddy_tenant_set_max(g, web, 16), 0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, web, z, 3,
                                              BUDDY_MIGRATE_MOVABLE, &a),
                     0);
    assert_int_equal(buddy_tenant_alloc_pages(g, &s, db, z, 0,
                                              BUDDY_MIGRATE_UNMOVABLE, &b),
                     0);
    assert_int_equal(buddy_zone_get_owner(z, a, &o), 0);
    assert_int_equal(o, web);
    assert_int_equal(buddy_zone_get_owner(z, b, &o), 0);
    assert_int_equal(o, db);
    assert_int_equal(info(g, web).current, 8);
    assert_int_equal(info(g, db).current, BUDDY_TENANT_BATCH); /* stocked */
    /* Past web's max: refused before the zone is touched. */
    free_before = zone_free_pages(z);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, web, z, 4,
                                              BUDDY_MIGRATE_MOVABLE, &c),
                     BUDDY_ENOMEM);
    assert_int_equal(zone_free_pages(z), free_before);
    assert_int_equal(info(g, web).events_max, 1);
    /* The zone has no such block: the charge is given back. */
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, db, z, 5,
                                              BUDDY_MIGRATE_MOVABLE, &c),
                     0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, db, z, 5,
                                              BUDDY_MIGRATE_MOVABLE, &c),
                     0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, db, z, 5,
                                              BUDDY_MIGRATE_MOVABLE, &c),
                     BUDDY_ENOMEM);
    assert_int_equal(info(g, db).current, BUDDY_TENANT_BATCH + 64);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, 3, z, 0,
                                              BUDDY_MIGRATE_MOVABLE, &c),
                     BUDDY_ENOTENANT);
    /* Frees by every call uncharge the tenant charged. */
    assert_int_equal(buddy_zone_free_pages(z, a, 3), 0);
    assert_int_equal(info(g, web).current, 0);
    assert_int_equal(buddy_pcp_init(&pcp, z, &pc), 0);
    assert_int_equal(buddy_pcp_free_pfn(&pcp, b), 0);
    buddy_tenant_stock_drain(g, &s);
    assert_int_equal(info(g, db).current, 64);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, web, z, 2,
                                              BUDDY_MIGRATE_MOVABLE, &a),
                     0);
    assert_int_equal(buddy_zone_resize_pages(z, a, 2, 0), 0);
    assert_int_equal(info(g, web).current, 1);
    assert_int_equal(buddy_zone_free_pfn(z, a), 0);
    assert_int_equal(info(g, web).current, 0);
    /* A tenant that holds pages cannot go. */
    assert_int_equal(buddy_tenant_destroy(g, db), BUDDY_EBUSY);
    assert_checked(g);
    assert_valid(z);
    buddy_pcp_fini(&pcp);
    /* A zone without owners cannot be attached. */
    {
        struct fixture f2;
        struct buddy_zone *plain = zone_new_free(&f2, 0, 16, 4);

        assert_int_equal(buddy_tenants_attach_zone(g, plain), BUDDY_ENOTSUP);
        assert_int_equal(buddy_tenant_alloc_pages(g, NULL, web, plain, 0,
                                                  BUDDY_MIGRATE_MOVABLE, &c),
                         BUDDY_ENOTSUP);
        assert_int_equal(info(g, web).current, 0);
        zone_del(&f2);
    }
    zone_del(&f);
}

/* Bytes: charged as whole pages, the rest waiting for the next charge in
 * the stock or the tenant; every page back once every byte is. */
static void test_bytes(void **state)
{
    struct buddy_tenants *g = group(4, 4);
    struct buddy_tenant_stock s = BUDDY_TENANT_STOCK_INIT;
    unsigned a, b;
    int i;

    (void)state;
    a = make(g, 0, "a");
    b = make(g, a, "b");
    /* Without a stock: one page for the first object, none for the next
     * that fit in what it left. */
    assert_int_equal(buddy_tenant_charge_bytes(g, NULL, b, 1000,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     0);
    assert_int_equal(info(g, b).current, 1);
    assert_int_equal(info(g, a).current, 1);
    assert_int_equal(buddy_tenant_charge_bytes(g, NULL, b, 3096,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     0);
    assert_int_equal(info(g, b).current, 1);
    assert_int_equal(buddy_tenant_charge_bytes(g, NULL, b, 1,
                                               BUDDY_TENANT_SLAB_RECLAIMABLE),
                     0);
    assert_int_equal(info(g, b).current, 2);
    assert_int_equal(info(g, b).slab_unreclaimable, 4096);
    assert_int_equal(info(g, b).slab_reclaimable, 1);
    assert_checked(g);
    /* An uncharge past what an item holds changes nothing. */
    assert_int_equal(buddy_tenant_uncharge_bytes(g, NULL, b, 2,
                                                 BUDDY_TENANT_SLAB_RECLAIMABLE),
                     BUDDY_EINVAL);
    assert_int_equal(info(g, b).slab_reclaimable, 1);
    assert_int_equal(buddy_tenant_uncharge_bytes(g, NULL, b, 1000,
                                                 UNRECLAIMABLE),
                     0);
    assert_int_equal(info(g, b).current, 1); /* a page's bytes came back */
    assert_int_equal(buddy_tenant_uncharge_bytes(g, NULL, b, 3096,
                                                 UNRECLAIMABLE),
                     0);
    assert_int_equal(info(g, b).current, 1); /* 4095 bytes wait */
    assert_int_equal(buddy_tenant_uncharge_bytes(g, NULL, b, 1,
                                                 BUDDY_TENANT_SLAB_RECLAIMABLE),
                     0);
    assert_int_equal(info(g, b).current, 0);
    assert_int_equal(info(g, a).current, 0);
    assert_checked(g);
    /* With a stock: pages come by its batch, bytes stay in it. */
    for (i = 0; i < 100; i++)
        assert_int_equal(
            buddy_tenant_charge_bytes(g, &s, b, 100,
                                      BUDDY_TENANT_SLAB_UNRECLAIMABLE),
            0);
    assert_int_equal(info(g, b).slab_unreclaimable, 10000);
    assert_true(info(g, b).current >= 3 && info(g, b).current <= 3 + 4);
    assert_checked(g);
    /* A charge to another tenant turns the stock: b's bytes go back. */
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, a, 8,
                                               BUDDY_TENANT_SLAB_RECLAIMABLE),
                     0);
    for (i = 0; i < 100; i++)
        assert_int_equal(
            buddy_tenant_uncharge_bytes(g, NULL, b, 100,
                                        BUDDY_TENANT_SLAB_UNRECLAIMABLE),
            0);
    assert_int_equal(info(g, b).current, 0);
    assert_int_equal(buddy_tenant_uncharge_bytes(g, &s, a, 8,
                                                 BUDDY_TENANT_SLAB_RECLAIMABLE),
                     0);
    assert_int_equal(buddy_tenant_destroy(g, a), BUDDY_EBUSY); /* a child */
    buddy_tenant_stock_drain(g, &s);
    assert_int_equal(info(g, a).current, 0);
    assert_int_equal(buddy_tenant_destroy(g, b), 0);
    assert_int_equal(buddy_tenant_destroy(g, a), 0);
    assert_checked(g);
}

/* Bytes meet max as pages do: a charge that needs a page past it fails,
 * nothing charged; bad input changes nothing. */
static void test_bytes_limits(void **state)
{
    struct buddy_tenants *g = group(4, 0);
    struct buddy_tenant_stock s = BUDDY_TENANT_STOCK_INIT;
    unsigned t;

    (void)state;
    t = make(g, 0, "t");
    assert_int_equal(buddy_tenant_set_max(g, t, 2), 0);
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, t, 8000,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     0);
    assert_int_equal(info(g, t).current, 2); /* no room for a batch */
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, t, 192,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     0);
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, t, 1,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_tenant_charge_bytes(g, NULL, t, 1,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     BUDDY_ENOMEM);
    assert_int_equal(info(g, t).current, 2);
    assert_int_equal(info(g, t).slab_unreclaimable, 8192);
    assert_int_equal(info(g, t).events_max, 2);
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, t, 0,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     BUDDY_EZERO);
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, t, 8,
                                               BUDDY_TENANT_NR_ITEMS),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, 3, 8,
                                               BUDDY_TENANT_SLAB_RECLAIMABLE),
                     BUDDY_ENOTENANT);
    assert_int_equal(buddy_tenant_charge_bytes(g, &s, t, SIZE_MAX,
                                               BUDDY_TENANT_SLAB_RECLAIMABLE),
                     BUDDY_ENOMEM);
    assert_int_equal(buddy_tenant_uncharge_bytes(g, &s, t, 8,
                                                 BUDDY_TENANT_NR_ITEMS),
                     BUDDY_EINVAL);
    assert_int_equal(buddy_tenant_uncharge_bytes(g, &s, t, 0,
                                                 BUDDY_TENANT_SLAB_RECLAIMABLE),
                     BUDDY_EZERO);
    assert_int_equal(buddy_tenant_uncharge_bytes(g, &s, 3, 8,
                                                 BUDDY_TENANT_SLAB_RECLAIMABLE),
                     BUDDY_ENOTENANT);
    assert_int_equal(info(g, t).current, 2);
    assert_checked(g);
    assert_int_equal(buddy_tenant_uncharge_bytes(g, &s, t, 8192,
                                                 UNRECLAIMABLE),
                     0);
    buddy_tenant_stock_drain(g, &s);
    assert_int_equal(info(g, t).current, 0);
    assert_checked(g);
}

/* memory.stat: a subtree's zone blocks by type and order, and its slab
 * bytes; the zone's walk reports each block's owner. */
struct owners_seen {
    unsigned allocated, owned;
};

static int count_owned(void *arg, const struct buddy_block *b)
{
    struct owners_seen *o = arg;

    if (b->kind == BUDDY_BLOCK_ALLOCATED) {
        o->allocated++;
        if (b->owner != 0)
            o->owned++;
    } else {
        assert_int_equal(b->owner, 0);
    }
    return 0;
}

static void test_memory_stat(void **state)
{
    struct buddy_tenants *g = group(4, 0);
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct owners_seen seen = {0, 0};
    struct fixture f;
    struct buddy_zone *z;
    buddy_pfn_t a, b, c, d;
    unsigned top, kid;
    char text[1024];
    size_t n;

    (void)state;
    zc.nr_pages = 256;
    zc.max_order = 5;
    zc.flags = BUDDY_ZONE_OWNERS;
    z = zone_from_config(&f, &zc);
    assert_int_equal(buddy_zone_add_range(z, 0, 256), 0);
    top = make(g, 0, "top");
    kid = make(g, top, "kid");
    n = buddy_tenant_memory_stat(g, top, text, sizeof(text));
    assert_string_equal(text, "pages 0\npages_unmovable 0\npages_movable 0\n"
                              "pages_reclaimable 0\npages_highatomic 0\n"
                              "pages_isolate 0\nslab_reclaimable 0\n"
                              "slab_unreclaimable 0\nslab 0\n");
    assert_int_equal(n, strlen(text));
    assert_int_equal(buddy_tenants_attach_zone(g, z), 0);
    assert_int_equal(buddy_tenants_attach_zone(g, z), 0); /* again: one */
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, top, z, 2,
                                              BUDDY_MIGRATE_MOVABLE, &a),
                     0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, kid, z, 0,
                                              BUDDY_MIGRATE_UNMOVABLE, &b),
                     0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, kid, z, 0,
                                              BUDDY_MIGRATE_UNMOVABLE, &c),
                     0);
    assert_int_equal(buddy_zone_alloc_pages(z, 1, &d), 0); /* nobody's */
    assert_int_equal(buddy_tenant_charge_bytes(g, NULL, kid, 700,
                                               BUDDY_TENANT_SLAB_RECLAIMABLE),
                     0);
    assert_int_equal(buddy_tenant_charge_bytes(g, NULL, top, 64,
                                               BUDDY_TENANT_SLAB_UNRECLAIMABLE),
                     0);
    assert_int_equal(buddy_zone_walk(z, count_owned, &seen), 0);
    assert_int_equal(seen.allocated, 4);
    assert_int_equal(seen.owned, 3);
    n = buddy_tenant_memory_stat(g, top, text, sizeof(text));
    assert_string_equal(text,
                        "pages 24576\npages_unmovable 8192\n"
                        "pages_movable 16384\npages_reclaimable 0\n"
                        "pages_highatomic 0\npages_isolate 0\n"
                        "blocks_order0 2\nblocks_order1 0\nblocks_order2 1\n"
                        "blocks_order3 0\nblocks_order4 0\nblocks_order5 0\n"
                        "slab_reclaimable 700\nslab_unreclaimable 64\n"
                        "slab 764\n");
    assert_int_equal(n, strlen(text));
    n = buddy_tenant_memory_stat(g, kid, text, 8);
    assert_string_equal(text, "pages 8");
    assert_true(n > 8);
    n = buddy_tenant_memory_stat(g, kid, text, sizeof(text));
    assert_non_null(strstr(text, "pages 8192\n"));
    assert_non_null(strstr(text, "blocks_order0 2\nblocks_order1 0\n"
                                 "blocks_order2 0\n"));
    assert_non_null(strstr(text, "slab 700\n"));
    assert_int_equal(buddy_tenant_memory_stat(g, 4, text, sizeof(text)), 0);
    assert_string_equal(text, "");
    /* Frees leave the stat. */
    assert_int_equal(buddy_zone_free_pfn(z, b), 0);
    assert_int_equal(buddy_zone_free_pfn(z, a), 0);
    (void)buddy_tenant_memory_stat(g, top, text, sizeof(text));
    assert_non_null(strstr(text, "pages 4096\npages_unmovable 4096\n"));
    assert_int_equal(buddy_zone_free_pfn(z, c), 0);
    assert_int_equal(buddy_zone_free_pfn(z, d), 0);
    assert_checked(g);
    assert_valid(z);
    zone_del(&f);
}

/* A zone whose pages are not the group's: its blocks count their bytes
 * in the group's pages, the same at the charge and at the free. */
static void test_zone_page_sizes(void **state)
{
    struct buddy_tenants *g = group(4, 0);
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct fixture big, small;
    struct buddy_zone *zb, *zs;
    buddy_pfn_t a, b, c;
    unsigned t;
    char text[512];

    (void)state;
    t = make(g, 0, "t");
    zc.nr_pages = 64;
    zc.max_order = 4;
    zc.flags = BUDDY_ZONE_OWNERS;
    zc.page_size = 2u << 20; /* 2 MiB pages */
    zb = zone_from_config(&big, &zc);
    assert_int_equal(buddy_zone_add_range(zb, 0, 64), 0);
    zc.page_size = 1024;
    zs = zone_from_config(&small, &zc);
    assert_int_equal(buddy_zone_add_range(zs, 0, 64), 0);
    /* Not attached: refused, nothing charged. */
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, t, zb, 0,
                                              BUDDY_MIGRATE_MOVABLE, &a),
                     BUDDY_ENOTSUP);
    assert_int_equal(info(g, t).current, 0);
    assert_int_equal(buddy_tenants_attach_zone(g, zb), 0);
    assert_int_equal(buddy_tenants_attach_zone(g, zs), 0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, t, zb, 1,
                                              BUDDY_MIGRATE_MOVABLE, &a),
                     0);
    assert_int_equal(info(g, t).current, 1024); /* 4 MiB */
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, t, zs, 0,
                                              BUDDY_MIGRATE_MOVABLE, &b),
                     0);
    assert_int_equal(buddy_tenant_alloc_pages(g, NULL, t, zs, 3,
                                              BUDDY_MIGRATE_MOVABLE, &c),
                     0);
    assert_int_equal(info(g, t).current, 1024 + 1 + 2);
    (void)buddy_tenant_memory_stat(g, t, text, sizeof(text));
    assert_non_null(strstr(text, "pages 4203520\n")); /* 4 MiB + 9 KiB */
    assert_int_equal(buddy_zone_free_pfn(zs, c), 0);
    assert_int_equal(buddy_zone_free_pfn(zs, b), 0);
    assert_int_equal(buddy_zone_free_pfn(zb, a), 0);
    assert_int_equal(info(g, t).current, 0);
    assert_checked(g);
    zone_del(&big);
    zone_del(&small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_hierarchy_counts),
        cmocka_unit_test(test_max_reclaim_then_oom),
        cmocka_unit_test(test_oom_callback),
        cmocka_unit_test(test_high_throttles),
        cmocka_unit_test(test_protection),
        cmocka_unit_test(test_protection_nests),
        cmocka_unit_test(test_stock_batches),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_zone_pages),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_bytes_limits),
        cmocka_unit_test(test_memory_stat),
        cmocka_unit_test(test_zone_page_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
