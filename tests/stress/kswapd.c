/* SPDX-License-Identifier: MIT */
/*
 * kswapd.c: allocating threads, a shrinker and the hosted kswapd thread on
 * one system at once.
 *
 * A node of two locked zones (two heaps without caches: DMA32 below
 * Normal, so that ALLOC_NOFRAGMENT and the zonelist fallback both run)
 * with watermarks set. Worker threads allocate blocks of orders 0..3
 * through buddy_system_alloc_pages_flags with assorted gfp flags, free
 * some, and put others into a stash, a cache guarded by a mutex whose
 * shrinker frees them on scan: kswapd calls it on its thread while the
 * workers' direct reclaims call it on theirs. Unmovable and reclaimable
 * requests fall back into movable pageblocks, so boosts wake kswapd too.
 * An ownership map, claimed by compare-and-swap on every page handed out,
 * proves no page is given to two owners.
 *
 * After the workers, the main thread takes every free page it can without
 * reclaiming (NOWAIT), so both zones are below their marks with the stash
 * full, and waits for kswapd to scan it: the background thread reclaims
 * for certain, not only when the schedule lets it. Then kswapd stops, and
 * every zone must pass the validator and pages held + free + stashed must
 * be every page of the node.
 *
 * Usage: kswapd_stress [mutex|spin|adaptive]; BUDDY_SEED and BUDDY_STEPS
 * override the seed and the steps per thread. Built plain and under
 * ThreadSanitizer.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buddy/hosted.h"
#include "../model/rng.h"

#define STRESS_NAME "kswapd_stress"
#include "stress.h"

#define NR_WORKERS 3
#define NR_ZONES 2
#define ZONE_PAGES 4096u
#define TOTAL_PAGES (NR_ZONES * ZONE_PAGES)
#define MAX_ORDER 3u
#define MAX_HELD 1024

struct block {
    buddy_pfn_t pfn;
    unsigned order;
};

struct worker {
    int id;
    struct rng rng;
    struct block held[MAX_HELD];
    int nheld;
    unsigned long allocs, failures, frees, stashed;
};

/* The stash: blocks the shrinker frees on scan, newest first. */
static struct {
    pthread_mutex_t lock;
    struct block blocks[TOTAL_PAGES];
    unsigned n;
    uint64_t pages;
    unsigned long scans, kswapd_scans;
} stash;

static struct buddy_system sys;
static struct buddy_heap *heaps[NR_ZONES];
static buddy_pfn_t starts[NR_ZONES];
static uint8_t owner[NR_ZONES][ZONE_PAGES]; /* 0 free, 1 + worker, STASHED */
static unsigned long steps = 100000;
static __thread int on_worker; /* set on worker threads */

#define STASHED 0xffu
#define MAIN_OWNER NR_WORKERS

/* The main thread's pages, taken at the end. */
static struct block main_held[TOTAL_PAGES];
static unsigned main_n;

static uint8_t *owner_of(buddy_pfn_t pfn)
{
    unsigned zi;

    for (zi = 0; zi < NR_ZONES; zi++)
        if (pfn - starts[zi] < ZONE_PAGES)
            return &owner[zi][pfn - starts[zi]];
    FAIL("pfn %llu in no zone", (unsigned long long)pfn);
    return NULL;
}

/* Move every page of b from owner `from` to `to`. */
static void hand_over(struct block b, uint8_t from, uint8_t to)
{
    uint64_t i;

    for (i = 0; i < ((uint64_t)1 << b.order); i++) {
        uint8_t *o = owner_of(b.pfn + i), expect = from;

        if (o != NULL &&
            !__atomic_compare_exchange_n(o, &expect, to, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            FAIL("page %llu: owner %u, expected %u (to %u)",
                 (unsigned long long)(b.pfn + i), expect, from, to);
    }
}

static uint64_t stash_count(void *arg, const struct buddy_shrink_control *sc)
{
    uint64_t n;

    (void)arg;
    (void)sc;
    pthread_mutex_lock(&stash.lock);
    n = stash.n == 0 ? BUDDY_SHRINK_EMPTY : stash.n;
    pthread_mutex_unlock(&stash.lock);
    return n;
}

static uint64_t stash_scan(void *arg, const struct buddy_shrink_control *sc)
{
    uint64_t freed = 0;

    (void)arg;
    pthread_mutex_lock(&stash.lock);
    stash.scans++;
    if (!on_worker)
        stash.kswapd_scans++;
    while (freed < sc->nr_to_scan && stash.n > 0) {
        struct block b = stash.blocks[--stash.n];
        int err;

        hand_over(b, STASHED, 0);
        stash.pages -= (uint64_t)1 << b.order;
        err = buddy_system_free_pages(&sys, b.pfn, b.order);
        if (err != 0)
            FAIL("shrinker free: %s", buddy_strerror(err));
        freed++;
    }
    pthread_mutex_unlock(&stash.lock);
    return freed;
}

static void stash_put(struct block b, uint8_t from)
{
    hand_over(b, from, STASHED);
    pthread_mutex_lock(&stash.lock);
    stash.blocks[stash.n++] = b;
    stash.pages += (uint64_t)1 << b.order;
    pthread_mutex_unlock(&stash.lock);
}

static const unsigned gfp[] = {0,
                               BUDDY_GFP_MOVABLE,
                               BUDDY_GFP_RECLAIMABLE,
                               BUDDY_GFP_MOVABLE | BUDDY_GFP_NOWAIT,
                               BUDDY_GFP_ATOMIC,
                               BUDDY_GFP_HIGH};

static void *run(void *arg)
{
    struct worker *w = arg;
    unsigned long s;

    on_worker = 1;
    for (s = 0; s < steps && !__atomic_load_n(&failed, __ATOMIC_RELAXED);
         s++) {
        uint64_t r = rng_next(&w->rng);

        if (w->nheld < MAX_HELD && r % 8 < 5) {
            struct block b = {0, (unsigned)(r >> 8) % (MAX_ORDER + 1)};
            unsigned flags = gfp[(r >> 16) % (sizeof(gfp) / sizeof(gfp[0]))];
            int err = buddy_system_alloc_pages_flags(&sys, 0, 2, b.order,
                                                     flags, &b.pfn, NULL);

            if (err == BUDDY_ENOMEM) {
                w->failures++;
                continue;
            }
            if (err != 0) {
                FAIL("alloc: %s", buddy_strerror(err));
                break;
            }
            hand_over(b, 0, (uint8_t)(w->id + 1));
            w->held[w->nheld++] = b;
            w->allocs++;
        } else if (w->nheld > 0) {
            int i = (int)((r >> 24) % (uint64_t)w->nheld);
            struct block b = w->held[i];

            w->held[i] = w->held[--w->nheld];
            if (r % 8 == 7) {
                /* Into the cache: kswapd or a direct reclaim frees it. */
                stash_put(b, (uint8_t)(w->id + 1));
                w->stashed++;
            } else {
                int err;

                hand_over(b, (uint8_t)(w->id + 1), 0);
                err = buddy_system_free_pages(&sys, b.pfn, b.order);
                if (err != 0)
                    FAIL("free: %s", buddy_strerror(err));
                w->frees++;
            }
        }
    }
    return NULL;
}

static uint64_t vmstat_value(const char *name)
{
    char text[1024], key[64];
    const char *line;

    buddy_system_vmstat(&sys, text, sizeof(text));
    snprintf(key, sizeof(key), "\n%s ", name);
    line = strstr(text, key);
    return line == NULL ? 0 : strtoull(line + strlen(key), NULL, 10);
}


int main(int argc, char **argv)
{
    static struct worker workers[NR_WORKERS];
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_wmark_config cfg = BUDDY_WMARK_CONFIG_INIT;
    struct buddy_shrinker s = {stash_count, stash_scan, NULL, 0, 0};
    struct buddy_kswapd *k = NULL;
    pthread_t th[NR_WORKERS];
    uint64_t seed = 1, total = 0, scans_before;
    const char *env;
    int t, err, tries;
    unsigned zi;

    if (argc > 1 && strcmp(argv[1], "spin") == 0)
        o.lock = BUDDY_LOCK_SPIN;
    else if (argc > 1 && strcmp(argv[1], "adaptive") == 0)
        o.lock = BUDDY_LOCK_ADAPTIVE;
    else
        o.lock = BUDDY_LOCK_MUTEX;
    if ((env = getenv("BUDDY_SEED")) != NULL)
        seed = strtoull(env, NULL, 0);
    if ((env = getenv("BUDDY_STEPS")) != NULL)
        steps = strtoul(env, NULL, 0);
    printf("kswapd_stress: seed %llu, %lu steps per thread\n",
           (unsigned long long)seed, steps);
    o.nr_pages = ZONE_PAGES;
    o.cache = BUDDY_CACHE_NONE; /* every page free or held: nothing cached */
    buddy_system_init(&sys);
    pthread_mutex_init(&stash.lock, NULL);
    for (zi = 0; zi < NR_ZONES; zi++) {
        struct buddy_zone_info info;

        o.name = zi == 0 ? "DMA32" : "Normal";
        err = buddy_heap_create(&o, &heaps[zi]);
        if (err != 0) {
            fprintf(stderr, "kswapd_stress: heap: %s\n", buddy_strerror(err));
            return 1;
        }
        if (buddy_zone_get_info(buddy_heap_zone(heaps[zi]), &info) != 0 ||
            buddy_system_add_zone(&sys, 0, zi + 1,
                                  buddy_heap_zone(heaps[zi])) != 0) {
            fprintf(stderr, "kswapd_stress: zone %u\n", zi);
            return 1;
        }
        starts[zi] = info.start_pfn;
    }
    /* pages_min 256, 128 a zone; steps of 5% of a zone: low 332, high 536. */
    cfg.min_free_kbytes = 1024;
    cfg.watermark_scale_factor = 500;
    if (buddy_system_set_watermarks(&sys, &cfg) != 0 ||
        buddy_system_register_shrinker(&sys, &s) != 0 ||
        buddy_kswapd_start(&sys, &k) != 0) {
        fprintf(stderr, "kswapd_stress: setup failed\n");
        return 1;
    }
    for (t = 0; t < NR_WORKERS; t++) {
        workers[t].id = t;
        workers[t].rng.s = seed * 7919u + (uint64_t)t;
        pthread_create(&th[t], NULL, run, &workers[t]);
    }
    for (t = 0; t < NR_WORKERS; t++)
        pthread_join(th[t], NULL);

    /* Everything the workers hold into the stash; then every page the
     * zones give without reclaim to the main thread, which leaves them
     * below their marks and wakes kswapd, which must scan the stash. */
    for (t = 0; t < NR_WORKERS; t++)
        while (workers[t].nheld > 0)
            stash_put(workers[t].held[--workers[t].nheld],
                      (uint8_t)(t + 1));
    pthread_mutex_lock(&stash.lock);
    scans_before = stash.kswapd_scans;
    pthread_mutex_unlock(&stash.lock);
    for (tries = 0; tries < 5000; tries++) {
        struct block b = {0, 0};
        struct timespec nap = {0, 1000000};
        bool scanned;

        while (main_n < TOTAL_PAGES &&
               buddy_system_alloc_pages_flags(&sys, 0, 2, 0, BUDDY_GFP_NOWAIT,
                                              &b.pfn, NULL) == 0) {
            hand_over(b, 0, MAIN_OWNER + 1);
            main_held[main_n++] = b;
        }
        pthread_mutex_lock(&stash.lock);
        scanned = stash.kswapd_scans != scans_before || stash.n == 0;
        pthread_mutex_unlock(&stash.lock);
        if (scanned)
            break;
        nanosleep(&nap, NULL);
    }
    buddy_kswapd_stop(k);
    if (stash.kswapd_scans == scans_before && stash.n != 0)
        FAIL("kswapd never scanned the stash (%u blocks in it)", stash.n);
    if (vmstat_value("pageoutrun") == 0)
        FAIL("no balance run counted");

    /* Held + free + stashed is every page; every zone is valid. */
    for (zi = 0; zi < NR_ZONES; zi++) {
        struct buddy_zone_stats st;
        struct buddy_check_report rep;

        if (buddy_zone_check(buddy_heap_zone(heaps[zi]), &rep) != 0)
            FAIL("zone %u: validator: %s (pfn %llu order %u)", zi, rep.what,
                 (unsigned long long)rep.pfn, rep.order);
        if (buddy_zone_get_stats(buddy_heap_zone(heaps[zi]), &st) != 0)
            FAIL("buddy_zone_get_stats failed");
        total += st.free_pages + st.cached_pages;
    }
    total += stash.pages + main_n; /* the main thread's are single pages */
    if (total != TOTAL_PAGES)
        FAIL("held %u + free + stashed %llu = %llu of %u pages", main_n,
             (unsigned long long)stash.pages, (unsigned long long)total,
             TOTAL_PAGES);
    for (t = 0; t < NR_WORKERS; t++)
        printf("thread %d: %lu allocs, %lu failures, %lu frees, %lu stashed\n",
               t, workers[t].allocs, workers[t].failures, workers[t].frees,
               workers[t].stashed);
    printf("stash: %lu scans, %lu by kswapd; pageoutrun %llu, slabs_scanned "
           "%llu\n",
           stash.scans, stash.kswapd_scans,
           (unsigned long long)vmstat_value("pageoutrun"),
           (unsigned long long)vmstat_value("slabs_scanned"));
    for (zi = 0; zi < NR_ZONES; zi++)
        buddy_heap_destroy(heaps[zi]);
    if (failed)
        fprintf(stderr, "kswapd_stress: FAILED (seed %llu)\n",
                (unsigned long long)seed);
    return failed ? 1 : 0;
}
