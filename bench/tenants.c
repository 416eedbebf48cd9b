/* SPDX-License-Identifier: MIT */
/*
 * tenants.c: what charging tenants costs, and what limits buy a server
 * whose tenants share one zone.
 *
 *   bench_tenants [--runs N] [--quick]
 *
 * Charge cost, one thread: pairs of an allocation and its free, each
 * object or block written, with and without a tenant to charge, in the
 * same run; the difference is what the charge and its uncharge add per
 * allocation:
 *   slab-64      buddy_slab_alloc / _free of 64-byte objects, against
 *                buddy_slab_alloc_tenant (through a stock) and the same
 *                free, which uncharges;
 *   slab-64-mag  the same through a magazine (buddy_slab_alloc_mag and
 *                buddy_slab_alloc_mag_tenant, buddy_slab_free_mag);
 *   page         buddy_zone_alloc_pages / _free_pages of one page,
 *                against buddy_tenant_alloc_pages through a stock;
 *   charge       buddy_tenant_charge and _uncharge of a page through a
 *                stock, alone.
 * Each is the median of --runs rounds of 2^21 pairs (ns per pair).
 *
 * The server, four threads on one zone of 16384 pages (64 MiB) with
 * owners and a mutex: three tenants that behave (each allocates blocks of
 * 1 to 4 pages, writes every page, and frees its oldest past a working
 * set of a fifth of the zone) and a noisy one that allocates eight times
 * as often and frees nothing. Three cases: the three alone; with the
 * noisy one and no limits; with it at memory.high 15% (its reclaimer
 * drops its oldest unpinned blocks; the throttle sleeps it 50 us past a
 * slack of 64 pages) and memory.max 20%. For the three: the share of
 * allocations that succeeded and the latency of each (clock_gettime
 * around the call, the clock's own cost subtracted) at the 50th, 99th
 * and 99.9th percentiles; for the noisy one, its peak against its max.
 * The overshoot: the most any tenant's usage ever stood above what its
 * thread held (the pages its stock held), against the bound of threads x
 * batch. Each case is the median of --runs rounds.
 *
 * Nothing asserts on time. The exit status is 1 when a call, a validator
 * or a claim the numbers must back (no usage above its max, no overshoot
 * past the bound) fails, 2 on a bad argument.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_commit.h"
#include "buddy/buddy.h"
#include "buddy/slab.h"
#include "buddy/tenant.h"
#include "timer.h"
#include "util.h"

#define PAIRS_LOG 21u
#define ZONE_PAGES 16384u
#define ZONE_MAX_ORDER 10u
#define SERVER_OPS 20000u
#define SERVER_OPS_QUICK 2000u
#define NOISY_RATE 8u
#define GOOD 3u
#define SLACK_PAGES 64u
#define THROTTLE_NS 50000L
#define MAX_RUNS 15u

static int failed;

#define CHECK(c, ...)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "bench_tenants: " __VA_ARGS__);                    \
            fputc('\n', stderr);                                               \
            failed = 1;                                                        \
        }                                                                      \
    } while (0)

static _Alignas(8) unsigned char group_buf[32768];

static struct buddy_tenants *group_new(unsigned capacity,
                                       const struct buddy_lock_ops *lock)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_tenants *g = NULL;

    cfg.capacity = capacity;
    cfg.lock = lock;
    CHECK(buddy_tenants_init(group_buf, sizeof(group_buf), &cfg, &g) == 0,
          "the group");
    return g;
}

static void mutex_lock(void *arg)
{
    pthread_mutex_lock(arg);
}

static void mutex_unlock(void *arg)
{
    pthread_mutex_unlock(arg);
}

/* A zone over real memory, flags as given, all free. */
struct zone_mem {
    void *mem, *meta;
    struct buddy_zone *z;
};

static void zone_new(struct zone_mem *zm, uint64_t pages, unsigned max_order,
                     unsigned flags)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    size_t n;

    cfg.nr_pages = pages;
    cfg.max_order = max_order;
    cfg.flags = flags;
    zm->mem = aligned_alloc(4096, (size_t)pages * 4096u);
    cfg.base = zm->mem;
    n = buddy_zone_meta_size(&cfg);
    zm->meta = aligned_alloc(64, (n + 63) & ~(size_t)63);
    CHECK(zm->mem != NULL && zm->meta != NULL &&
              buddy_zone_init(zm->meta, n, &cfg, &zm->z) == 0 &&
              buddy_zone_add_range(zm->z, 0, pages) == 0,
          "the zone");
}

static void zone_del(struct zone_mem *zm)
{
    CHECK(buddy_zone_check(zm->z, NULL) == 0, "the zone's validator");
    free(zm->meta);
    free(zm->mem);
}

/* ---- the charge's cost ---------------------------------------------------- */

enum cost_kind { K_SLAB, K_SLAB_MAG, K_PAGE, K_CHARGE, NR_KINDS };
static const char *const kind_names[NR_KINDS] = {"slab-64", "slab-64-mag",
                                                 "page", "charge"};

#define SPLIT_BATCH 512u

/* The magazine pair split: SPLIT_BATCH allocations timed, then their
 * frees timed, so each side's cost shows. ns per allocation in *alloc_ns
 * and per free in *free_ns. */
static void split_round(bool charged, unsigned log_pairs, double *alloc_ns,
                        double *free_ns)
{
    struct zone_mem zm;
    struct buddy_slab_cache c;
    struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;
    struct buddy_slab_mag m = BUDDY_SLAB_MAG_INIT;
    struct buddy_tenant_stock st = BUDDY_TENANT_STOCK_INIT;
    struct buddy_tenants *g = group_new(4, NULL);
    static void *objs[SPLIT_BATCH];
    uint64_t rounds = ((uint64_t)1 << log_pairs) / SPLIT_BATCH, r, ta = 0,
             tf = 0;
    unsigned id = 0, i;

    zone_new(&zm, 4096, 6, 0);
    CHECK(buddy_tenant_create(g, 0, "t", &id) == 0, "the tenant");
    sc.name = "bench-64";
    sc.size = 64;
    sc.zone = zm.z;
    sc.flags = BUDDY_SLAB_ACCOUNT;
    sc.tenants = g;
    CHECK(buddy_slab_cache_create(&c, &sc) == 0, "the cache");
    for (r = 0; r < rounds && !failed; r++) {
        uint64_t t0 = bench_now_ns(), t1, t2;

        for (i = 0; i < SPLIT_BATCH; i++) {
            if (charged)
                CHECK(buddy_slab_alloc_mag_tenant(&c, &m, &st, id,
                                                  &objs[i]) == 0,
                      "alloc");
            else
                objs[i] = buddy_slab_alloc_mag(&c, &m);
            *(volatile unsigned char *)objs[i] = (unsigned char)i;
        }
        t1 = bench_now_ns();
        for (i = SPLIT_BATCH; i-- > 0;)
            CHECK(buddy_slab_free_mag(&c, &m, objs[i]) == 0, "free");
        t2 = bench_now_ns();
        ta += t1 - t0;
        tf += t2 - t1;
    }
    CHECK(buddy_slab_mag_flush(&c, &m) == 0, "the flush");
    buddy_tenant_stock_drain(g, &st);
    CHECK(buddy_tenants_check(g, NULL) == 0, "the tenants' validator");
    CHECK(buddy_slab_cache_destroy(&c) == 0, "the cache's destroy");
    zone_del(&zm);
    *alloc_ns = (double)ta / (double)(rounds * SPLIT_BATCH);
    *free_ns = (double)tf / (double)(rounds * SPLIT_BATCH);
}

/* ns per pair of kind k, charged (a tenant) or not. */
static double cost_round(enum cost_kind k, bool charged, unsigned log_pairs)
{
    struct zone_mem zm;
    struct buddy_slab_cache c;
    struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;
    struct buddy_slab_mag m = BUDDY_SLAB_MAG_INIT;
    struct buddy_tenant_stock st = BUDDY_TENANT_STOCK_INIT;
    struct buddy_tenants *g = group_new(4, NULL);
    uint64_t i, pairs = (uint64_t)1 << log_pairs, t0, t1;
    unsigned id = 0;
    volatile unsigned char sink = 0;

    zone_new(&zm, 4096, 6, BUDDY_ZONE_OWNERS);
    CHECK(buddy_tenant_create(g, 0, "t", &id) == 0 &&
              buddy_tenants_attach_zone(g, zm.z) == 0,
          "the tenant");
    sc.name = "bench-64";
    sc.size = 64;
    sc.zone = zm.z;
    sc.flags = BUDDY_SLAB_ACCOUNT;
    sc.tenants = g;
    CHECK(buddy_slab_cache_create(&c, &sc) == 0, "the cache");
    t0 = bench_now_ns();
    for (i = 0; i < pairs && !failed; i++) {
        void *obj = NULL;
        buddy_pfn_t pfn;
        int err = 0;

        switch (k) {
        case K_SLAB:
            if (charged)
                err = buddy_slab_alloc_tenant(&c, &st, id, &obj);
            else
                obj = buddy_slab_alloc(&c);
            ((unsigned char *)obj)[0] = (unsigned char)i;
            sink += ((unsigned char *)obj)[0];
            err |= buddy_slab_free(&c, obj);
            break;
        case K_SLAB_MAG:
            if (charged)
                err = buddy_slab_alloc_mag_tenant(&c, &m, &st, id, &obj);
            else
                obj = buddy_slab_alloc_mag(&c, &m);
            ((unsigned char *)obj)[0] = (unsigned char)i;
            sink += ((unsigned char *)obj)[0];
            err |= buddy_slab_free_mag(&c, &m, obj);
            break;
        case K_PAGE:
            err = charged ? buddy_tenant_alloc_pages(g, &st, id, zm.z, 0,
                                                     BUDDY_MIGRATE_MOVABLE,
                                                     &pfn)
                          : buddy_zone_alloc_pages(zm.z, 0, &pfn);
            if (err == 0) {
                unsigned char *p = buddy_zone_pfn_to_addr(zm.z, pfn);

                p[0] = (unsigned char)i;
                sink += p[0];
                err = buddy_zone_free_pages(zm.z, pfn, 0);
            }
            break;
        case K_CHARGE:
            if (charged) {
                err = buddy_tenant_charge(g, &st, id, 1);
                err |= buddy_tenant_uncharge(g, &st, id, 1);
            }
            break;
        default:
            break;
        }
        CHECK(err == 0 && (k >= K_PAGE || obj != NULL), "%s pair %llu",
              kind_names[k], (unsigned long long)i);
    }
    t1 = bench_now_ns();
    (void)sink;
    CHECK(buddy_slab_mag_flush(&c, &m) == 0, "the flush");
    buddy_tenant_stock_drain(g, &st);
    {
        struct buddy_tenant_info ti;

        CHECK(buddy_tenant_get_info(g, id, &ti) == 0 && ti.current == 0,
              "%s: pages left charged", kind_names[k]);
    }
    CHECK(buddy_tenants_check(g, NULL) == 0, "the tenants' validator");
    CHECK(buddy_slab_cache_destroy(&c) == 0, "the cache's destroy");
    zone_del(&zm);
    return (double)(t1 - t0) / (double)pairs;
}

static void costs(unsigned runs, unsigned log_pairs)
{
    unsigned k, r;

    printf("## Charge cost, one thread (ns per pair, median of %u)\n\n",
           runs);
    printf("| pair | plain | charged | the charge adds |\n");
    printf("|---|---:|---:|---:|\n");
    for (k = 0; k < NR_KINDS; k++) {
        double plain[MAX_RUNS], charged[MAX_RUNS], delta[MAX_RUNS];

        for (r = 0; r < runs; r++) {
            /* Alternated, so that a slow moment of the machine falls on
             * both. */
            plain[r] = cost_round((enum cost_kind)k, false, log_pairs);
            charged[r] = cost_round((enum cost_kind)k, true, log_pairs);
            delta[r] = charged[r] - plain[r];
        }
        printf("| %s | %.1f | %.1f | %.1f |\n", kind_names[k],
               median_of(plain, runs), median_of(charged, runs),
               median_of(delta, runs));
    }
    printf("\nThe magazine pair split, %u allocations then their frees "
           "(ns each):\n\n", SPLIT_BATCH);
    printf("| side | plain | charged | the charge adds |\n");
    printf("|---|---:|---:|---:|\n");
    {
        double pa[MAX_RUNS], pf[MAX_RUNS], ca[MAX_RUNS], cf[MAX_RUNS],
            da[MAX_RUNS], df[MAX_RUNS];

        for (r = 0; r < runs; r++) {
            split_round(false, log_pairs, &pa[r], &pf[r]);
            split_round(true, log_pairs, &ca[r], &cf[r]);
            da[r] = ca[r] - pa[r];
            df[r] = cf[r] - pf[r];
        }
        printf("| allocation (the charge) | %.1f | %.1f | %.1f |\n",
               median_of(pa, runs), median_of(ca, runs), median_of(da, runs));
        printf("| free (the uncharge) | %.1f | %.1f | %.1f |\n",
               median_of(pf, runs), median_of(cf, runs), median_of(df, runs));
    }
    printf("\n");
}

/* ---- the server ------------------------------------------------------------ */

struct held_block {
    buddy_pfn_t pfn;
    unsigned order;
    bool pinned;
};

struct worker {
    struct server *srv;
    unsigned id;            /* its tenant */
    bool noisy;
    uint64_t seed;
    struct buddy_tenant_stock stock;
    struct held_block *held; /* oldest first, from head */
    unsigned head, n, cap;
    uint64_t pages;
    uint64_t tries, ok, throttles;
    double *lat;            /* ns per allocation, the good ones' */
    unsigned nlat;
    uint64_t overshoot;     /* the most usage stood above what it held */
};

struct server {
    struct zone_mem zm;
    pthread_mutex_t zone_mutex, group_mutex;
    struct buddy_lock_ops zone_lock, group_lock;
    struct buddy_tenants *g;
    struct worker w[GOOD + 1];
    unsigned ops;
    bool with_noisy, limits;
    double clock_ns;        /* the cost of the clock pair, subtracted */
};

static int block_free(struct worker *w, unsigned k)
{
    struct held_block *b = &w->held[(w->head + k) % w->cap];
    int err = buddy_zone_free_pages(w->srv->zm.z, b->pfn, b->order);

    if (err == 0)
        w->pages -= (uint64_t)1 << b->order;
    return err;
}

/* The noisy tenant's reclaimer: its oldest unpinned blocks. It runs in
 * the noisy thread's own charge, so only that thread touches the list. */
static uint64_t noisy_reclaim(void *arg, unsigned id, uint64_t want)
{
    struct worker *w = arg;
    uint64_t freed = 0;
    unsigned k;

    (void)id;
    for (k = 0; k < w->n && freed < want; k++) {
        struct held_block *b = &w->held[(w->head + k) % w->cap];

        if (b->pinned || b->order == UINT32_MAX)
            continue;
        if (block_free(w, k) != 0)
            break;
        freed += (uint64_t)1 << b->order;
        b->order = UINT32_MAX; /* a hole in the list, skipped */
    }
    return freed;
}

static void noisy_throttle(void *arg, unsigned id, unsigned over,
                           uint64_t pages)
{
    struct worker *w = arg;
    struct timespec ts = {0, THROTTLE_NS};

    (void)id, (void)over;
    w->throttles++;
    if (pages > SLACK_PAGES)
        nanosleep(&ts, NULL);
}

static void touch(struct worker *w, buddy_pfn_t pfn, unsigned order)
{
    unsigned char *p = buddy_zone_pfn_to_addr(w->srv->zm.z, pfn);
    size_t i;

    for (i = 0; i < ((size_t)1 << order); i++)
        p[i * 4096u] = (unsigned char)i;
}

static void one_alloc(struct worker *w)
{
    uint64_t r = splitmix64(&w->seed);
    unsigned order = (unsigned)(r % 3u);
    buddy_pfn_t pfn;
    struct timespec a, b;
    int err;

    clock_gettime(CLOCK_MONOTONIC, &a);
    err = buddy_tenant_alloc_pages(w->srv->g, &w->stock, w->id, w->srv->zm.z,
                                   order, BUDDY_MIGRATE_MOVABLE, &pfn);
    clock_gettime(CLOCK_MONOTONIC, &b);
    w->tries++;
    if (!w->noisy && w->nlat < w->srv->ops)
        w->lat[w->nlat++] =
            (double)((b.tv_sec - a.tv_sec) * 1000000000L +
                     (b.tv_nsec - a.tv_nsec)) -
            w->srv->clock_ns;
    if (err != 0) {
        CHECK(err == BUDDY_ENOMEM, "alloc_pages: %s", buddy_strerror(err));
        return;
    }
    w->ok++;
    touch(w, pfn, order);
    if (w->n == w->cap) { /* the noisy one's list is full: drop the oldest */
        CHECK(w->held[w->head].order == UINT32_MAX || block_free(w, 0) == 0,
              "a free");
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    w->held[(w->head + w->n) % w->cap] =
        (struct held_block){pfn, order, (r >> 8) % 4u != 0};
    w->n++;
    w->pages += (uint64_t)1 << order;
    if ((w->tries & 15u) == 0) { /* sampled: the read takes the lock */
        struct buddy_tenant_info ti;

        if (buddy_tenant_get_info(w->srv->g, w->id, &ti) == 0 &&
            ti.current > w->pages && ti.current - w->pages > w->overshoot)
            w->overshoot = ti.current - w->pages;
    }
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    unsigned i, k;

    for (i = 0; i < w->srv->ops && !failed; i++) {
        for (k = 0; k < (w->noisy ? NOISY_RATE : 1u); k++)
            one_alloc(w);
        while (!w->noisy && w->pages > ZONE_PAGES / 5u) {
            struct held_block *b = &w->held[w->head];

            CHECK(b->order == UINT32_MAX || block_free(w, 0) == 0,
                  "a free");
            w->head = (w->head + 1) % w->cap;
            w->n--;
        }
    }
    return NULL;
}

struct server_result {
    double success, p50, p99, p999, noisy_peak, noisy_max, overshoot;
};

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static struct server_result server_round(bool with_noisy, bool limits,
                                         unsigned ops, double clock_ns)
{
    struct server *s = calloc(1, sizeof(*s));
    struct server_result res;
    pthread_t th[GOOD + 1];
    double *all;
    unsigned i, n = 0, nw = with_noisy ? GOOD + 1 : GOOD;
    uint64_t tries = 0, ok = 0;

    memset(&res, 0, sizeof(res));
    if (s == NULL)
        return res;
    s->ops = ops;
    s->clock_ns = clock_ns;
    pthread_mutex_init(&s->zone_mutex, NULL);
    pthread_mutex_init(&s->group_mutex, NULL);
    s->zone_lock = (struct buddy_lock_ops){mutex_lock, mutex_unlock,
                                           &s->zone_mutex, NULL, NULL, NULL};
    s->group_lock = (struct buddy_lock_ops){mutex_lock, mutex_unlock,
                                            &s->group_mutex, NULL, NULL, NULL};
    zone_new(&s->zm, ZONE_PAGES, ZONE_MAX_ORDER, BUDDY_ZONE_OWNERS);
    CHECK(buddy_zone_set_lock(s->zm.z, &s->zone_lock) == 0, "the lock");
    s->g = group_new(GOOD + 1, &s->group_lock);
    CHECK(buddy_tenants_attach_zone(s->g, s->zm.z) == 0, "attach");
    for (i = 0; i < GOOD + 1; i++) {
        struct worker *w = &s->w[i];

        w->srv = s;
        w->noisy = i == GOOD;
        w->seed = 0x1234u + i;
        w->cap = w->noisy ? ZONE_PAGES : ZONE_PAGES / 5u + 8u;
        w->held = calloc(w->cap, sizeof(*w->held));
        w->lat = calloc(ops, sizeof(*w->lat));
        CHECK(w->held != NULL && w->lat != NULL &&
                  buddy_tenant_create(s->g, 0, NULL, &w->id) == 0,
              "a worker");
    }
    if (limits) {
        struct worker *w = &s->w[GOOD];
        struct buddy_tenant_ops o = {NULL, noisy_throttle, w};

        CHECK(buddy_tenant_set_high(s->g, w->id, ZONE_PAGES * 3u / 20u) ==
                      0 &&
                  buddy_tenant_set_max(s->g, w->id, ZONE_PAGES / 5u) == 0 &&
                  buddy_tenant_add_reclaimer(s->g, w->id, noisy_reclaim, w) ==
                      0 &&
                  buddy_tenant_set_ops(s->g, w->id, &o) == 0,
              "the limits");
    }
    for (i = 0; i < nw; i++)
        pthread_create(&th[i], NULL, run_worker, &s->w[i]);
    for (i = 0; i < nw; i++)
        pthread_join(th[i], NULL);
    all = calloc((size_t)GOOD * ops, sizeof(*all));
    for (i = 0; i < GOOD && all != NULL; i++) {
        memcpy(all + n, s->w[i].lat, s->w[i].nlat * sizeof(*all));
        n += s->w[i].nlat;
        tries += s->w[i].tries;
        ok += s->w[i].ok;
    }
    if (all != NULL && n != 0) {
        qsort(all, n, sizeof(*all), cmp_dbl);
        res.p50 = all[n / 2];
        res.p99 = all[(size_t)n * 99 / 100];
        res.p999 = all[(size_t)n * 999 / 1000];
    }
    free(all);
    res.success = tries != 0 ? (double)ok / (double)tries : 0;
    for (i = 0; i < nw; i++)
        if ((double)s->w[i].overshoot > res.overshoot)
            res.overshoot = (double)s->w[i].overshoot;
    {
        struct buddy_tenant_info ti;

        if (buddy_tenant_get_info(s->g, s->w[GOOD].id, &ti) == 0) {
            res.noisy_peak = (double)ti.peak;
            res.noisy_max = ti.max == BUDDY_TENANT_UNLIMITED ? -1
                                                             : (double)ti.max;
            CHECK(ti.peak <= ti.max, "the noisy tenant's peak %llu passed its "
                                     "max %llu", (unsigned long long)ti.peak,
                  (unsigned long long)ti.max);
        }
    }
    CHECK(res.overshoot <= (double)(GOOD + 1) * BUDDY_TENANT_BATCH,
          "an overshoot of %.0f pages, past threads x batch", res.overshoot);
    CHECK(buddy_tenants_check(s->g, NULL) == 0, "the tenants' validator");
    for (i = 0; i < GOOD + 1; i++) {
        struct worker *w = &s->w[i];

        while (w->n > 0) {
            CHECK(w->held[w->head].order == UINT32_MAX || block_free(w, 0) == 0,
                  "the last frees");
            w->head = (w->head + 1) % w->cap;
            w->n--;
        }
        buddy_tenant_stock_drain(s->g, &w->stock);
        free(w->held);
        free(w->lat);
    }
    CHECK(buddy_tenants_check(s->g, NULL) == 0, "the tenants' validator");
    zone_del(&s->zm);
    free(s);
    return res;
}

static double clock_cost(void)
{
    double v[101];
    unsigned i;

    for (i = 0; i < 101; i++) {
        struct timespec a, b;

        clock_gettime(CLOCK_MONOTONIC, &a);
        clock_gettime(CLOCK_MONOTONIC, &b);
        v[i] = (double)((b.tv_sec - a.tv_sec) * 1000000000L +
                        (b.tv_nsec - a.tv_nsec));
    }
    return median_of(v, 101);
}

static void server(unsigned runs, unsigned ops)
{
    static const char *const names[3] = {"alone", "noisy, no limits",
                                         "noisy, limited"};
    double clock_ns = clock_cost();
    unsigned c, r;

    printf("## The server: %u tenants that behave and a noisy one on %u "
           "pages (median of %u)\n\n",
           GOOD, ZONE_PAGES, runs);
    printf("Latency: clock_gettime around each allocation, its own cost "
           "(%.0f ns) subtracted.\n\n", clock_ns);
    printf("| case | the three's success | p50 ns | p99 ns | p99.9 ns | "
           "noisy peak / max (pages) | overshoot (pages; bound %u) |\n",
           (GOOD + 1) * BUDDY_TENANT_BATCH);
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (c = 0; c < 3; c++) {
        double v[7][MAX_RUNS];
        unsigned k;

        for (r = 0; r < runs; r++) {
            struct server_result x = server_round(c != 0, c == 2, ops,
                                                  clock_ns);

            v[0][r] = x.success * 100.0;
            v[1][r] = x.p50;
            v[2][r] = x.p99;
            v[3][r] = x.p999;
            v[4][r] = x.noisy_peak;
            v[5][r] = x.noisy_max;
            v[6][r] = x.overshoot;
        }
        for (k = 0; k < 7; k++)
            v[k][0] = median_of(v[k], runs);
        printf("| %s | %.2f%% | %.0f | %.0f | %.0f | ", names[c], v[0][0],
               v[1][0], v[2][0], v[3][0]);
        if (c == 0)
            printf("- | ");
        else if (v[5][0] < 0)
            printf("%.0f / max | ", v[4][0]);
        else
            printf("%.0f / %.0f | ", v[4][0], v[5][0]);
        printf("%.0f |\n", v[6][0]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    unsigned runs = 5, log_pairs = PAIRS_LOG, ops = SERVER_OPS;
    int i;

    for (i = 1; i < argc; i++) {
        uint64_t v;

        if (strcmp(argv[i], "--quick") == 0) {
            runs = 1;
            log_pairs = 14;
            ops = SERVER_OPS_QUICK;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc &&
                   parse_u64(argv[i + 1], &v) == 0 && v >= 1 &&
                   v <= MAX_RUNS) {
            runs = (unsigned)v;
            i++;
        } else {
            fprintf(stderr, "usage: bench_tenants [--runs 1..%u] [--quick]\n",
                    MAX_RUNS);
            return 2;
        }
    }
    printf("# bench_tenants at %s\n\n", BENCH_COMMIT);
    costs(runs, log_pairs);
    server(runs, ops);
    return failed;
}
