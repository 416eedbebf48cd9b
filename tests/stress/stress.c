/* SPDX-License-Identifier: MIT */
/*
 * stress.c: many threads on one heap, checked against per-thread models.
 *
 * Each thread allocates (single and bulk), frees its own blocks, hands
 * blocks to other threads through mailboxes (cross-frees), and drains its
 * cache, and drains every cache while the others run. A shared ownership map, claimed with atomic compare-and-swap on
 * every page of every block handed out, proves no page is ever given to two
 * owners at once. At quiescent points (every thread parked on a barrier)
 * one thread runs the validator and checks that free + cached + live pages
 * add up to the zone. At the end everything is freed and the zone must be
 * one piece again.
 *
 * Usage: stress [none|thread|cpu] [mutex|spin|adaptive] [auto|fence] (how
 * remote drains keep owners out: membarrier or the owners' own fence);
 * BUDDY_SEED and
 * BUDDY_STEPS override the seed and the steps per thread. Built twice: as a
 * plain test and under ThreadSanitizer.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/hosted.h"
#include "../model/rng.h"

#define STRESS_NAME "stress"
#include "stress.h"

#define NR_THREADS 4
#define ZONE_PAGES 16384u
#define MAX_ORDER 8u
#define MAX_LIVE 512
#define MAILBOX 64
#define ROUNDS 8

struct block {
    buddy_pfn_t pfn;
    unsigned order;
};

struct mailbox {
    pthread_mutex_t lock;
    struct block slot[MAILBOX];
    int n;
};

struct worker {
    int id;
    struct rng rng;
    struct block live[MAX_LIVE];
    int nlive;
    unsigned long allocs, frees, cross, bulks, drains;
};

static struct buddy_heap *heap;
static buddy_pfn_t base_pfn; /* the heap's first pfn */
static uint8_t owner[ZONE_PAGES]; /* 0 free, else thread id + 1 */
static struct mailbox mail[NR_THREADS];
static pthread_barrier_t barrier;
static unsigned long steps_per_round = 20000;

/* Claim every page of a block for `who`; it must have been unowned. */
static void claim(struct block b, int who)
{
    for (uint64_t i = 0; i < ((uint64_t)1 << b.order); i++) {
        uint8_t expect = 0;

        if (b.pfn - base_pfn + i >= ZONE_PAGES ||
            !__atomic_compare_exchange_n(&owner[b.pfn - base_pfn + i], &expect,
                                         (uint8_t)(who + 1), 0,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            FAIL("page %llu handed to thread %d while owned by %d",
                 (unsigned long long)(b.pfn + i), who, expect - 1);
    }
}

static void release(struct block b, int who)
{
    for (uint64_t i = 0; i < ((uint64_t)1 << b.order); i++) {
        uint8_t expect = (uint8_t)(who + 1);

        if (!__atomic_compare_exchange_n(&owner[b.pfn - base_pfn + i], &expect, 0, 0,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            FAIL("thread %d frees page %llu it does not own (owner %d)", who,
                 (unsigned long long)(b.pfn + i), expect - 1);
    }
}

static void keep(struct worker *w, struct block b)
{
    claim(b, w->id);
    if (w->nlive < MAX_LIVE)
        w->live[w->nlive++] = b;
    else
        FAIL("model full");
}

static void free_block(struct worker *w, struct block b)
{
    int err;

    release(b, w->id);
    err = buddy_heap_free_pages(heap, b.pfn, b.order);
    if (err != 0)
        FAIL("free %llu/%u: %s", (unsigned long long)b.pfn, b.order,
             buddy_strerror(err));
    w->frees++;
}

static void step(struct worker *w)
{
    unsigned r = (unsigned)(rng_next(&w->rng) % 100);

    if (r < 40 && w->nlive < MAX_LIVE - 16) {
        struct block b;
        unsigned order = (unsigned)(rng_next(&w->rng) % 100);

        b.order = order < 60 ? 0 : order < 80 ? 1 : order < 90 ? 2
                  : order < 97 ? 3 : 4 + order % 5;
        unsigned kind = (unsigned)(rng_next(&w->rng) % 4);
        int err;

        /* Half untyped (the movable list), the rest typed: each pcp type
         * has its own lists, refilled and drained like the first. */
        if (kind < 2)
            err = buddy_heap_alloc_pages(heap, b.order, &b.pfn);
        else
            err = buddy_heap_alloc_pages_type(
                heap, b.order,
                kind == 2 ? BUDDY_MIGRATE_UNMOVABLE : BUDDY_MIGRATE_RECLAIMABLE,
                &b.pfn);
        if (err == 0) {
            keep(w, b);
            w->allocs++;
        }
    } else if (r < 45 && w->nlive < MAX_LIVE - 16) {
        buddy_pfn_t pfns[16];
        unsigned order = (unsigned)(rng_next(&w->rng) % 3);
        int n = buddy_heap_alloc_bulk(heap, order, 16, pfns);

        if (n < 0)
            FAIL("bulk: %s", buddy_strerror(n));
        for (int i = 0; i < n; i++)
            keep(w, (struct block){pfns[i], order});
        w->bulks++;
    } else if (r < 80 && w->nlive > 0) {
        int i = (int)(rng_next(&w->rng) % (uint64_t)w->nlive);
        struct block b = w->live[i];

        w->live[i] = w->live[--w->nlive];
        free_block(w, b);
    } else if (r < 95 && w->nlive > 0) {
        /* Hand a block to another thread, which frees it. */
        int i = (int)(rng_next(&w->rng) % (uint64_t)w->nlive);
        int to = (w->id + 1 + (int)(rng_next(&w->rng) % (NR_THREADS - 1))) %
                 NR_THREADS;
        struct mailbox *m = &mail[to];

        pthread_mutex_lock(&m->lock);
        if (m->n < MAILBOX) {
            struct block b = w->live[i];

            release(b, w->id);
            claim(b, to);
            m->slot[m->n++] = b;
            w->live[i] = w->live[--w->nlive];
            w->cross++;
        }
        pthread_mutex_unlock(&m->lock);
    } else if (r < 97) {
        buddy_heap_drain(heap);
        w->drains++;
    } else if (r < 98) {
        /* Every cache, while their owners run. */
        buddy_heap_drain_all(heap);
        w->drains++;
    }
    /* Free what others sent us. */
    pthread_mutex_lock(&mail[w->id].lock);
    while (mail[w->id].n > 0)
        free_block(w, mail[w->id].slot[--mail[w->id].n]);
    pthread_mutex_unlock(&mail[w->id].lock);
}

static uint64_t live_pages(struct worker *w)
{
    uint64_t n = 0;

    for (int i = 0; i < w->nlive; i++)
        n += (uint64_t)1 << w->live[i].order;
    return n;
}

static struct worker workers[NR_THREADS];

/* Every thread is parked: check the whole heap. */
static void quiescent_check(int round)
{
    struct buddy_zone *z = buddy_heap_zone(heap);
    struct buddy_check_report rep;
    struct buddy_zone_stats st = {0};
    uint64_t live = 0;

    if (buddy_zone_check(z, &rep) != 0)
        FAIL("round %d: validator: %s (pfn %llu order %u)", round, rep.what,
             (unsigned long long)rep.pfn, rep.order);
    for (int t = 0; t < NR_THREADS; t++) {
        live += live_pages(&workers[t]);
        for (int i = 0; i < mail[t].n; i++)
            live += (uint64_t)1 << mail[t].slot[i].order;
    }
    if (buddy_zone_get_stats(z, &st) != 0)
        FAIL("buddy_zone_get_stats failed");
    if (st.free_pages + st.cached_pages + live != ZONE_PAGES)
        FAIL("round %d: free %llu + cached %llu + live %llu != %u", round,
             (unsigned long long)st.free_pages,
             (unsigned long long)st.cached_pages, (unsigned long long)live,
             ZONE_PAGES);
}

static void *run(void *arg)
{
    struct worker *w = arg;

    pthread_barrier_wait(&barrier); /* start together */
    for (int round = 0; round < ROUNDS; round++) {
        for (unsigned long s = 0; s < steps_per_round; s++)
            step(w);
        pthread_barrier_wait(&barrier);
        if (w->id == 0)
            quiescent_check(round);
        pthread_barrier_wait(&barrier);
    }
    while (w->nlive > 0)
        free_block(w, w->live[--w->nlive]);
    pthread_barrier_wait(&barrier); /* all sends are done before the last */
    pthread_mutex_lock(&mail[w->id].lock);
    while (mail[w->id].n > 0)
        free_block(w, mail[w->id].slot[--mail[w->id].n]);
    pthread_mutex_unlock(&mail[w->id].lock);
    return NULL; /* the cache drains in the thread-exit destructor */
}

int main(int argc, char **argv)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    uint64_t seed = 20261122;
    pthread_t th[NR_THREADS];
    struct buddy_zone_stats st = {0};
    uint64_t top = 0;
    const char *env;
    int err;

    if (argc > 1)
        o.cache = strcmp(argv[1], "none") == 0  ? BUDDY_CACHE_NONE
                  : strcmp(argv[1], "cpu") == 0 ? BUDDY_CACHE_PER_CPU
                                                : BUDDY_CACHE_PER_THREAD;
    if (argc > 2)
        o.lock = strcmp(argv[2], "spin") == 0       ? BUDDY_LOCK_SPIN
                 : strcmp(argv[2], "adaptive") == 0 ? BUDDY_LOCK_ADAPTIVE
                                                    : BUDDY_LOCK_MUTEX;
    if (argc > 3 && strcmp(argv[3], "fence") == 0)
        o.sync = BUDDY_SYNC_FENCE;
    if ((env = getenv("BUDDY_SEED")) != NULL)
        seed = strtoull(env, NULL, 10);
    if ((env = getenv("BUDDY_STEPS")) != NULL)
        steps_per_round = strtoul(env, NULL, 10);
    printf("stress: seed %llu, %d threads x %d rounds x %lu steps, cache %s, "
           "lock %s, sync %s\n", (unsigned long long)seed, NR_THREADS, ROUNDS,
           steps_per_round, argc > 1 ? argv[1] : "thread",
           argc > 2 ? argv[2] : "mutex", argc > 3 ? argv[3] : "auto");
    o.nr_pages = ZONE_PAGES;
    o.max_order = MAX_ORDER;
    o.pcp.batch = 8; /* small, so refills and drains happen often */
    o.pcp.high = 24;
    err = buddy_heap_create(&o, &heap);
    if (err != 0) {
        fprintf(stderr, "stress: heap: %s\n", buddy_strerror(err));
        return 1;
    }
    {
        struct buddy_zone_info info;

        if (buddy_zone_get_info(buddy_heap_zone(heap), &info) != 0) {
            fprintf(stderr, "stress: buddy_zone_get_info failed\n");
            return 1;
        }
        base_pfn = info.start_pfn;
    }
    pthread_barrier_init(&barrier, NULL, NR_THREADS);
    for (int t = 0; t < NR_THREADS; t++) {
        pthread_mutex_init(&mail[t].lock, NULL);
        workers[t].id = t;
        workers[t].rng.s = seed * 7919u + (uint64_t)t;
    }
    for (int t = 0; t < NR_THREADS; t++)
        pthread_create(&th[t], NULL, run, &workers[t]);
    for (int t = 0; t < NR_THREADS; t++)
        pthread_join(th[t], NULL);
    buddy_heap_drain_all(heap); /* per-CPU caches outlive threads */
    if (buddy_zone_get_stats(buddy_heap_zone(heap), &st) != 0)
        FAIL("buddy_zone_get_stats failed");
    if (buddy_zone_nr_free(buddy_heap_zone(heap), MAX_ORDER, &top) != 0)
        FAIL("buddy_zone_nr_free failed");
    if (st.free_pages != ZONE_PAGES || st.cached_pages != 0 ||
        top != ZONE_PAGES >> MAX_ORDER)
        FAIL("at the end: free %llu cached %llu, zone not whole",
             (unsigned long long)st.free_pages,
             (unsigned long long)st.cached_pages);
    if (buddy_zone_check(buddy_heap_zone(heap), NULL) != 0)
        FAIL("final validator failed");
    for (int t = 0; t < NR_THREADS; t++)
        printf("thread %d: %lu allocs, %lu bulks, %lu frees, %lu cross-frees, "
               "%lu drains\n", t, workers[t].allocs, workers[t].bulks,
               workers[t].frees, workers[t].cross, workers[t].drains);
    printf("zone: %llu refills, %llu drains, %llu splits, %llu merges\n",
           (unsigned long long)st.cache_refills,
           (unsigned long long)st.cache_drains, (unsigned long long)st.splits,
           (unsigned long long)st.merges);
    buddy_heap_destroy(heap);
    if (failed)
        fprintf(stderr, "stress: FAILED (seed %llu)\n", (unsigned long long)seed);
    return failed ? 1 : 0;
}
