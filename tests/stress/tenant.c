/* SPDX-License-Identifier: MIT */
/*
 * tenant.c: threads charging and uncharging tenants of one hierarchy at
 * once. A top tenant with a max holds three tenants, one with a max of its
 * own and one with a high and a reclaimer; each thread has a stock, charges
 * a tenant chosen at random (so stocks change tenants all the time), and
 * frees pages any thread charged (a shared pool of each tenant's pages),
 * through its stock or without one; charges hit the limits and fail, while
 * the first kid's max moves between 150 and 250 (refused below its
 * usage), so that charges race with the change of a limit.
 * Half the charges are pages of a zone with owners (buddy_tenant_alloc_pages),
 * put in shared slots that any thread may take and free with the zone's
 * own free, whose owner hook uncharges the tenant that was charged.
 * A share of the steps are slab objects of a cache that accounts, each
 * charged in bytes through the thread's magazine and stock, and put in
 * shared slots that any thread frees into its own magazine.
 * Every ROUND steps the threads meet (a barrier), drain their stocks, and
 * the main thread checks: each tenant's usage is what the pool and the
 * slots hold for it (its objects' bytes in whole pages; the top's the
 * sum), its slab bytes what its objects are, no usage is above its max, peak
 * >= usage, and both validators pass; at the end, the top's peak is not
 * above its max. Built plain and under ThreadSanitizer. BUDDY_STEPS
 * scales it.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buddy/slab.h"
#include "buddy/tenant.h"

#define STRESS_NAME "tenant stress"
#include "stress.h"

#define THREADS 4
#define KIDS 3
#define ROUND 500
#define SLOTS 64
#define ZONE_PAGES 4096u

static _Alignas(8) unsigned char buf[16384];
static struct buddy_tenants *g;
static pthread_mutex_t group_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t meet;
static unsigned top, kid[KIDS];
static uint64_t held[KIDS]; /* atomic: pages charged and not yet freed */
static unsigned long steps = 20000;
static struct buddy_zone *zone;
static pthread_mutex_t zone_mutex = PTHREAD_MUTEX_INITIALIZER;
/* A block in a slot: (pfn + 1) << 8 | order, 0 for an empty slot. */
static uint64_t slot[SLOTS];
/* Objects: a cache that accounts, on a zone of its own; a slot holds an
 * object's address | its kid's index (objects are 64-aligned). */
#define OBJ_SIZE 192u
#define OBJ_PAGES 512u
static struct buddy_slab_cache cache;
static struct buddy_zone *obj_zone;
static pthread_mutex_t obj_zone_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cache_mutex = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t objslot[SLOTS];
static uint64_t obj_bytes[KIDS]; /* atomic: bytes of the slots' objects */
static uint64_t obj_allocs;      /* atomic: objects charged, all told */

/* Take up to n of kid k's held pages: how many were taken. */
static uint64_t take(unsigned k, uint64_t n)
{
    uint64_t h;

    do {
        h = __atomic_load_n(&held[k], __ATOMIC_RELAXED);
        if (h == 0)
            return 0;
        if (n > h)
            n = h;
    } while (!__atomic_compare_exchange_n(&held[k], &h, h - n, 0,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return n;
}

/* The third kid's reclaimer: frees what the pool holds of it. */
static uint64_t reclaim(void *arg, unsigned id, uint64_t nr)
{
    uint64_t n = take(KIDS - 1, nr);

    (void)arg;
    if (n != 0 && buddy_tenant_uncharge(g, NULL, id, n) != 0)
        FAIL("the reclaimer's uncharge of %llu was refused",
             (unsigned long long)n);
    return n;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *worker(void *arg)
{
    struct buddy_tenant_stock stock = BUDDY_TENANT_STOCK_INIT;
    struct buddy_slab_mag mag = BUDDY_SLAB_MAG_INIT;
    uint64_t seed = 0x9e3779b97f4a7c15u * ((uintptr_t)arg + 1u);
    unsigned long i;

    for (i = 1; i <= steps; i++) {
        uint64_t r = next_rand(&seed);
        unsigned k = (unsigned)(r % KIDS);
        uint64_t n = 1 + (r >> 8) % 8;
        struct buddy_tenant_stock *s = (r >> 16) & 1 ? &stock : NULL;
        int err;

        if ((r >> 44) % 4 == 0) { /* an object */
            unsigned j = (unsigned)((r >> 32) % SLOTS);
            uintptr_t v;
            void *obj;

            if ((r >> 20) % 3 != 0) {
                err = buddy_slab_alloc_mag_tenant(&cache, &mag, s, kid[k],
                                                  &obj);
                if (err != 0 && err != BUDDY_ENOMEM)
                    FAIL("slab_alloc_tenant: %s", buddy_strerror(err));
                if (err == 0) {
                    __atomic_add_fetch(&obj_allocs, 1, __ATOMIC_RELAXED);
                    __atomic_add_fetch(&obj_bytes[k], OBJ_SIZE,
                                       __ATOMIC_RELAXED);
                    v = (uintptr_t)obj | k;
                    if (!__atomic_compare_exchange_n(&objslot[j],
                                                     &(uintptr_t){0}, v, 0,
                                                     __ATOMIC_ACQ_REL,
                                                     __ATOMIC_RELAXED)) {
                        if ((err = buddy_slab_free_mag(&cache, &mag, obj)) !=
                            0)
                            FAIL("free of an object no slot took: %s",
                                 buddy_strerror(err));
                        __atomic_sub_fetch(&obj_bytes[k], OBJ_SIZE,
                                           __ATOMIC_RELAXED);
                    }
                }
            } else if ((v = __atomic_exchange_n(&objslot[j], 0,
                                                __ATOMIC_ACQ_REL)) != 0) {
                err = buddy_slab_free_mag(&cache, &mag,
                                          (void *)(v & ~(uintptr_t)63));
                if (err != 0)
                    FAIL("free of a slot's object: %s", buddy_strerror(err));
                __atomic_sub_fetch(&obj_bytes[v & 63], OBJ_SIZE,
                                   __ATOMIC_RELAXED);
            }
        } else if ((r >> 48) % 64 == 0) { /* the first kid's max, moved */
            err = buddy_tenant_set_max(g, kid[0], (r >> 54) & 1 ? 150 : 250);
            if (err != 0 && err != BUDDY_EBUSY)
                FAIL("set_max: %s", buddy_strerror(err));
        } else if ((r >> 24) & 1) { /* pages of the zone */
            unsigned j = (unsigned)((r >> 32) % SLOTS);
            uint64_t v = 0;

            if ((r >> 20) % 3 != 0) {
                buddy_pfn_t pfn;
                unsigned order = (unsigned)((r >> 40) % 4);

                err = buddy_tenant_alloc_pages(g, s, kid[k], zone, order,
                                               BUDDY_MIGRATE_UNMOVABLE, &pfn);
                if (err != 0 && err != BUDDY_ENOMEM)
                    FAIL("alloc_pages: %s", buddy_strerror(err));
                if (err == 0) {
                    v = (uint64_t)(pfn + 1) << 8 | order;
                    if (!__atomic_compare_exchange_n(&slot[j], &(uint64_t){0},
                                                     v, 0, __ATOMIC_ACQ_REL,
                                                     __ATOMIC_RELAXED) &&
                        (err = buddy_zone_free_pages(zone, pfn, order)) != 0)
                        FAIL("free of a block no slot took: %s",
                             buddy_strerror(err));
                }
            } else if ((v = __atomic_exchange_n(&slot[j], 0,
                                                __ATOMIC_ACQ_REL)) != 0) {
                err = buddy_zone_free_pages(zone, (v >> 8) - 1,
                                            (unsigned)(v & 0xff));
                if (err != 0)
                    FAIL("free of a slot's block: %s", buddy_strerror(err));
            }
        } else if ((r >> 20) % 3 != 0) {
            err = buddy_tenant_charge(g, s, kid[k], n);
            if (err == 0)
                __atomic_add_fetch(&held[k], n, __ATOMIC_RELAXED);
            else if (err != BUDDY_ENOMEM)
                FAIL("charge: %s", buddy_strerror(err));
        } else {
            n = take(k, n);
            if (n != 0 && (err = buddy_tenant_uncharge(g, s, kid[k], n)) != 0)
                FAIL("uncharge of %llu: %s", (unsigned long long)n,
                     buddy_strerror(err));
        }
        if (i % ROUND == 0) {
            buddy_tenant_stock_drain(g, &stock);
            pthread_barrier_wait(&meet); /* every stock drained */
            pthread_barrier_wait(&meet); /* the main thread has checked */
        }
    }
    buddy_tenant_stock_drain(g, &stock);
    if (buddy_slab_mag_flush(&cache, &mag) != 0)
        FAIL("the magazine's last flush");
    return NULL;
}

static void check_quiescent(void)
{
    struct buddy_check_report rep;
    struct buddy_tenant_info ti;
    uint64_t sum = 0, pages[KIDS] = {0};
    unsigned k, j;

    for (j = 0; j < SLOTS; j++) { /* the slots' blocks, by owner */
        uint64_t v = __atomic_load_n(&slot[j], __ATOMIC_ACQUIRE);
        unsigned o = 0;

        if (v == 0)
            continue;
        if (buddy_zone_get_owner(zone, (v >> 8) - 1, &o) != 0)
            FAIL("a slot's block has no owner");
        for (k = 0; k < KIDS; k++)
            if (kid[k] == o)
                pages[k] += (uint64_t)1 << (v & 0xff);
    }
    if (buddy_zone_check(zone, NULL) != 0)
        FAIL("the zone's validator");
    if (buddy_zone_check(obj_zone, NULL) != 0 ||
        buddy_slab_check(&cache, &rep) != 0)
        FAIL("the objects' validators");
    for (k = 0; k < KIDS; k++) {
        uint64_t b = __atomic_load_n(&obj_bytes[k], __ATOMIC_RELAXED);
        /* Bytes wait below a page once every stock is drained: the
         * objects' bytes in whole pages, rounded up. */
        uint64_t h = __atomic_load_n(&held[k], __ATOMIC_RELAXED) + pages[k] +
                     (b + 4095u) / 4096u;

        if (buddy_tenant_get_info(g, kid[k], &ti) != 0 || ti.current != h)
            FAIL("kid %u: usage %llu, the pool and slots hold %llu", k,
                 (unsigned long long)ti.current, (unsigned long long)h);
        if (ti.slab_unreclaimable != b)
            FAIL("kid %u: slab bytes %llu, the slots' objects %llu", k,
                 (unsigned long long)ti.slab_unreclaimable,
                 (unsigned long long)b);
        if (ti.current > ti.max || ti.peak < ti.current)
            FAIL("kid %u: usage %llu, max %llu, peak %llu", k,
                 (unsigned long long)ti.current, (unsigned long long)ti.max,
                 (unsigned long long)ti.peak);
        sum += h;
    }
    if (buddy_tenant_get_info(g, top, &ti) != 0 || ti.current != sum ||
        ti.current > ti.max)
        FAIL("top: usage %llu, the pool holds %llu, max %llu",
             (unsigned long long)ti.current, (unsigned long long)sum,
             (unsigned long long)ti.max);
    if (buddy_tenants_check(g, &rep) != 0)
        FAIL("check: %s", rep.what);
}

int main(void)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_lock_ops ops = {mutex_lock, mutex_unlock, &group_mutex,
                                 NULL, NULL, NULL};
    struct buddy_tenant_info ti;
    pthread_t th[THREADS];
    const char *e = getenv("BUDDY_STEPS");
    unsigned long rounds, r;
    unsigned k;
    uintptr_t t;

    if (e != NULL && atol(e) > 0)
        steps = (unsigned long)atol(e);
    steps -= steps % ROUND;
    if (steps == 0)
        steps = ROUND;
    rounds = steps / ROUND;
    cfg.capacity = 8;
    cfg.batch = 16;
    cfg.lock = &ops;
    if (buddy_tenants_init(buf, sizeof(buf), &cfg, &g) != 0 ||
        buddy_tenant_create(g, 0, "top", &top) != 0)
        return 1;
    {
        struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
        static struct buddy_lock_ops zl = {mutex_lock, mutex_unlock,
                                           &zone_mutex, NULL, NULL, NULL};
        size_t n;
        void *meta;

        zc.nr_pages = ZONE_PAGES;
        zc.max_order = 4;
        zc.flags = BUDDY_ZONE_OWNERS;
        n = buddy_zone_meta_size(&zc);
        meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
        if (meta == NULL || buddy_zone_init(meta, n, &zc, &zone) != 0 ||
            buddy_zone_add_range(zone, 0, ZONE_PAGES) != 0 ||
            buddy_zone_set_lock(zone, &zl) != 0 ||
            buddy_tenants_attach_zone(g, zone) != 0)
            return 1;
    }
    {
        struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
        struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;
        static struct buddy_lock_ops zl = {mutex_lock, mutex_unlock,
                                           &obj_zone_mutex, NULL, NULL, NULL};
        static struct buddy_lock_ops cl = {mutex_lock, mutex_unlock,
                                           &cache_mutex, NULL, NULL, NULL};
        size_t n;
        void *meta, *mem = aligned_alloc(4096, (size_t)OBJ_PAGES * 4096);

        zc.nr_pages = OBJ_PAGES;
        zc.max_order = 6;
        zc.base = mem;
        n = buddy_zone_meta_size(&zc);
        meta = aligned_alloc(8, (n + 7) & ~(size_t)7);
        sc.name = "tenant-objects";
        sc.size = OBJ_SIZE;
        sc.flags = BUDDY_SLAB_ACCOUNT;
        sc.tenants = g;
        sc.lock = &cl;
        sc.nr_cpus = THREADS;
        if (mem == NULL || meta == NULL ||
            buddy_zone_init(meta, n, &zc, &obj_zone) != 0 ||
            buddy_zone_add_range(obj_zone, 0, OBJ_PAGES) != 0 ||
            buddy_zone_set_lock(obj_zone, &zl) != 0 ||
            (sc.zone = obj_zone, buddy_slab_cache_create(&cache, &sc)) != 0)
            return 1;
    }
    for (k = 0; k < KIDS; k++)
        if (buddy_tenant_create(g, top, NULL, &kid[k]) != 0)
            return 1;
    if (buddy_tenant_set_max(g, top, 600) != 0 ||
        buddy_tenant_set_max(g, kid[0], 200) != 0 ||
        buddy_tenant_set_high(g, kid[2], 40) != 0 ||
        buddy_tenant_add_reclaimer(g, kid[2], reclaim, NULL) != 0)
        return 1;
    pthread_barrier_init(&meet, NULL, THREADS + 1);
    for (t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, worker, (void *)t);
    for (r = 0; r < rounds; r++) {
        pthread_barrier_wait(&meet);
        check_quiescent();
        pthread_barrier_wait(&meet);
    }
    for (t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    check_quiescent();
    {
        unsigned j;
        uint64_t freed = 0;

        for (j = 0; j < SLOTS; j++)
            if (slot[j] != 0) {
                if (buddy_zone_free_pages(zone, (slot[j] >> 8) - 1,
                                          (unsigned)(slot[j] & 0xff)) != 0)
                    FAIL("the last frees");
                freed++;
                slot[j] = 0;
            }
        for (j = 0; j < SLOTS; j++)
            if (objslot[j] != 0) {
                if (buddy_slab_free(&cache,
                                    (void *)(objslot[j] & ~(uintptr_t)63)) != 0)
                    FAIL("the last object frees");
                obj_bytes[objslot[j] & 63] -= OBJ_SIZE;
                objslot[j] = 0;
                freed++;
            }
        check_quiescent();
        if (freed == 0)
            FAIL("no block was in a slot at the end: the zone was not used");
        if (buddy_slab_cache_destroy(&cache) != 0)
            FAIL("the cache's destroy: objects left");
        if (obj_allocs == 0)
            FAIL("no object was ever charged");
    }
    if (buddy_tenant_get_info(g, kid[2], &ti) != 0 || ti.events_high == 0)
        FAIL("no charge ever passed the third kid's high");
    if (buddy_tenant_get_info(g, top, &ti) != 0 || ti.events_max == 0)
        FAIL("no charge ever reached the top's max: the test tests nothing");
    /* The peak is the most the usage ever was: it never passed the max,
     * not even for a moment between a charge's add and its undo, nor
     * while the limit changed. */
    if (ti.peak > ti.max)
        FAIL("the top's peak %llu passed its max %llu",
             (unsigned long long)ti.peak, (unsigned long long)ti.max);
    {
        struct buddy_tenant_info k0;

        if (buddy_tenant_get_info(g, kid[0], &k0) != 0 || k0.peak > 250)
            FAIL("the first kid's peak %llu passed its largest max, 250",
                 (unsigned long long)k0.peak);
    }
    if (failed)
        return 1;
    printf(STRESS_NAME ": %d threads, %lu steps each, %lu checks: ok "
           "(top: %llu max events, peak %llu; %llu objects charged)\n",
           THREADS, steps, rounds + 1, (unsigned long long)ti.events_max,
           (unsigned long long)ti.peak, (unsigned long long)obj_allocs);
    return 0;
}
