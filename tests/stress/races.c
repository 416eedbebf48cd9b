/* SPDX-License-Identifier: MIT */
/*
 * races.c: what two threads can do to a heap at once, one scenario each.
 *
 *   double_free  two threads free one block at the same moment, each
 *                through its own cache (or one through the zone): exactly
 *                one free succeeds and the other gets EDOUBLEFREE, round
 *                after round, and no page is lost or handed out twice.
 *   solo         a fresh heap each round, so that its one cache is solo
 *                (it claims with a plain store); the other thread ends
 *                that at the moment the owner frees a block, by freeing
 *                the same block through the zone or through a second
 *                cache it attaches: exactly one free succeeds. The
 *                other thread exits while the last heap is destroyed:
 *                its cache goes back exactly once.
 *   reclaim      an idle thread's cache holds most of a small zone; an
 *                order-max_order allocation from another thread still
 *                succeeds, because the zone drains every cache before it
 *                fails (the kernel's drain_all_pages).
 *   drain_all    threads allocate and free through their caches while
 *                another drains every cache and runs the validator, again
 *                and again: nothing hangs, nothing is lost.
 *   handle       as drain_all, with each thread holding its cache handle
 *                (buddy_heap_thread_cache) and calling buddy_pcp_alloc /
 *                buddy_pcp_free on it, and passing some blocks to another
 *                thread, which frees them into its own cache.
 *   bad_free     threads free pointers outside the zone, through the heap
 *                and the zone, at once: every refusal is counted and the
 *                event hook never runs twice at once (it runs under the
 *                zone lock, as buddy.h promises).
 *
 * Usage: races SCENARIO [thread|cpu] [auto|fence]; BUDDY_ROUNDS scales the
 * work. Built plain and under ThreadSanitizer, each scenario a ctest test.
 * Bounded: every wait is on another thread of the test making progress.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/hosted.h"

#define STRESS_NAME "races"
#include "stress.h"

static struct buddy_heap *heap;
static struct buddy_zone *zone;
static unsigned long rounds = 20000;

static void check_zone(const char *when)
{
    struct buddy_check_report rep;

    if (buddy_zone_check(zone, &rep) != 0)
        FAIL("%s: validator: %s (pfn %llu order %u)", when, rep.what,
             (unsigned long long)rep.pfn, rep.order);
}

/* All caches back, then the zone must be whole: every page free. */
static void check_whole(const char *when, uint64_t pages)
{
    struct buddy_zone_stats st = {0};

    buddy_heap_drain_all(heap);
    if (buddy_zone_get_stats(zone, &st) != 0)
        FAIL("buddy_zone_get_stats failed");
    if (st.free_pages != pages || st.cached_pages != 0)
        FAIL("%s: free %llu cached %llu of %llu pages", when,
             (unsigned long long)st.free_pages,
             (unsigned long long)st.cached_pages, (unsigned long long)pages);
    check_zone(when);
}

/* ---- a two-thread rendezvous: spin a little, then yield (the machine may
 * have fewer free CPUs than spinning threads) ----------------------------- */

static void relax(unsigned *tries)
{
    if (++*tries >= 200)
        sched_yield();
}

/* ---- double_free -------------------------------------------------------- */

static unsigned go_gen;      /* bumped by the main thread to start a round */
static unsigned done_gen;    /* the round the second thread finished */
static buddy_pfn_t df_pfn;   /* the block both threads free this round */
static unsigned df_order;
static int df_result[2];
static int df_via_zone;      /* the second thread frees through the zone */

static uint64_t df_start; /* when both threads free, in cycles (x86) */

/* Wait for the round's start time: both threads leave within a few dozen
 * cycles of each other, so their frees really overlap. */
static void df_wait_start(void)
{
#if defined(__x86_64__) || defined(__i386__)
    uint64_t at = __atomic_load_n(&df_start, __ATOMIC_ACQUIRE);

    while (__builtin_ia32_rdtsc() < at)
        __builtin_ia32_pause();
#endif
}

static uint64_t df_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

static int df_free(int id)
{
    if (id == 1 && df_via_zone)
        return buddy_zone_free_pages(zone, df_pfn, df_order);
    return buddy_heap_free_pages(heap, df_pfn, df_order);
}

/* The second thread of a two-free round: n rounds of waiting for the
 * start, freeing with its free function, saying it is done. */
struct df_side {
    unsigned long n;
    int (*free_fn)(int id);
};

static void *df_worker(void *arg)
{
    const struct df_side *side = arg;
    unsigned seen = 0;

    for (unsigned long r = 0; r < side->n; r++) {
        unsigned tries = 0, g;

        while ((g = __atomic_load_n(&go_gen, __ATOMIC_ACQUIRE)) == seen)
            relax(&tries);
        seen = g;
        df_wait_start();
        df_result[1] = side->free_fn(1);
        __atomic_store_n(&done_gen, g, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* A round's two results: one success and one EDOUBLEFREE, counted in
 * wins[0] or wins[1] by who won; both succeeding in wins[2]. */
static void df_judge(unsigned long r, unsigned long wins[3])
{
    if (df_result[0] == 0 && df_result[1] == 0)
        wins[2]++;
    else if (!((df_result[0] == 0 && df_result[1] == BUDDY_EDOUBLEFREE) ||
               (df_result[1] == 0 && df_result[0] == BUDDY_EDOUBLEFREE)))
        FAIL("round %lu: frees returned %s and %s", r,
             buddy_errname(df_result[0]), buddy_errname(df_result[1]));
    else
        wins[df_result[0] == 0 ? 0 : 1]++;
}

static void double_free(void)
{
    unsigned long wins[3] = {0, 0, 0};
    struct df_side side = {rounds, df_free};

    for (int via_zone = 0; via_zone < 2; via_zone++) {
        pthread_t th;

        df_via_zone = via_zone;
        __atomic_store_n(&go_gen, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&done_gen, 0, __ATOMIC_RELEASE);
        pthread_create(&th, NULL, df_worker, &side);
        for (unsigned long r = 0; r < rounds; r++) {
            unsigned tries = 0, g = (unsigned)r + 1;
            int err;

            df_order = (unsigned)(r % 3);
            err = buddy_heap_alloc_pages(heap, df_order, &df_pfn);
            if (err != 0) {
                FAIL("alloc: %s", buddy_strerror(err));
                abort();
            }
            /* Both threads free the block as close to together as we can:
             * at a moment a little ahead, once the other has seen it. */
            __atomic_store_n(&df_start, df_now() + 20000, __ATOMIC_RELEASE);
            __atomic_store_n(&go_gen, g, __ATOMIC_RELEASE);
            df_wait_start();
            df_result[0] = df_free(0);
            while (__atomic_load_n(&done_gen, __ATOMIC_ACQUIRE) != g)
                relax(&tries);
            df_judge(r, wins);
        }
        pthread_join(th, NULL);
        if (wins[2] != 0)
            FAIL("%s: both frees of one block succeeded in %lu of %lu rounds",
                 via_zone ? "cache and zone" : "two caches", wins[2], rounds);
        printf("double_free (%s): %lu rounds, first thread won %lu, second %lu\n",
               via_zone ? "cache vs zone" : "cache vs cache", rounds, wins[0],
               wins[1]);
        check_whole("double_free", 4096);
        wins[0] = wins[1] = wins[2] = 0;
    }
}

/* ---- solo ---------------------------------------------------------------- */

static struct buddy_heap_options base_opts; /* the command line's */
static struct buddy_heap *so_heap; /* this round's */
static int so_via_cache;           /* the other thread attaches a cache */

static void so_delay(uint64_t cycles)
{
    uint64_t until = df_now() + cycles;

    while (df_now() < until)
        ;
}

static int so_free(int id)
{
    if (id == 1 && !so_via_cache)
        return buddy_zone_free_pages(buddy_heap_zone(so_heap), df_pfn,
                                     df_order);
    return buddy_heap_free_pages(so_heap, df_pfn, df_order);
}

static void solo(void)
{
    unsigned long n = rounds / 4 + 1, wins[3] = {0, 0, 0};
    struct df_side side = {n, so_free};

    for (int via_cache = 0; via_cache < 2; via_cache++) {
        pthread_t th;

        so_via_cache = via_cache;
        __atomic_store_n(&go_gen, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&done_gen, 0, __ATOMIC_RELEASE);
        pthread_create(&th, NULL, df_worker, &side);
        for (unsigned long r = 0; r < n; r++) {
            struct buddy_heap_options o = base_opts;
            struct buddy_heap *saved;
            unsigned tries = 0, g = (unsigned)r + 1;
            buddy_pfn_t other;
            int err;

            o.nr_pages = 256;
            o.pcp.batch = 8;
            o.pcp.high = 32;
            err = buddy_heap_create(&o, &so_heap);
            if (err != 0) {
                FAIL("heap: %s", buddy_strerror(err));
                abort();
            }
            zone = buddy_heap_zone(so_heap);
            /* The owner's cache attaches, refills and claims once with a
             * plain store before the race. */
            df_order = (unsigned)(r % 3);
            if (buddy_heap_alloc_pages(so_heap, df_order, &other) != 0 ||
                buddy_heap_alloc_pages(so_heap, df_order, &df_pfn) != 0 ||
                buddy_heap_free_pages(so_heap, other, df_order) != 0) {
                FAIL("round %lu: the owner's first operations failed", r);
                abort();
            }
            __atomic_store_n(&df_start, df_now() + 20000, __ATOMIC_RELEASE);
            __atomic_store_n(&go_gen, g, __ATOMIC_RELEASE);
            df_wait_start();
            /* The other thread's free takes the lock before it claims: the
             * owner starts up to a few thousand cycles later, a different
             * delay each round, so that some rounds meet at the claims. */
            so_delay((r * 193u) % 4096u);
            df_result[0] = so_free(0);
            while (__atomic_load_n(&done_gen, __ATOMIC_ACQUIRE) != g)
                relax(&tries);
            df_judge(r, wins);
            /* The other thread's cache, if any, is still attached: the
             * drain takes every cache back. */
            saved = heap;
            heap = so_heap;
            check_whole("solo", 256);
            buddy_heap_destroy(so_heap);
            heap = saved;
            zone = buddy_heap_zone(heap);
        }
        pthread_join(th, NULL);
        if (wins[2] != 0)
            FAIL("%s: both frees of one block succeeded in %lu of %lu rounds",
                 via_cache ? "solo and second cache" : "solo and zone",
                 wins[2], n);
        printf("solo (%s): %lu rounds, owner won %lu, other %lu\n",
               via_cache ? "solo vs second cache" : "solo vs zone", n,
               wins[0], wins[1]);
        wins[0] = wins[1] = wins[2] = 0;
    }
}

/* ---- reclaim ------------------------------------------------------------ */

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static int idle_state; /* 1: cache filled, 2: may exit */

static void *idle_worker(void *arg)
{
    buddy_pfn_t pfns[320];
    int n = 0;

    (void)arg;
    /* Fill this thread's cache: 320 pages allocated, then freed into it. */
    while (n < 320 && buddy_heap_alloc_pages(heap, 0, &pfns[n]) == 0)
        n++;
    while (n > 0)
        if (buddy_heap_free_pages(heap, pfns[--n], 0) != 0)
            FAIL("idle: free failed");
    pthread_mutex_lock(&idle_lock);
    idle_state = 1;
    pthread_cond_broadcast(&idle_cond);
    while (idle_state != 2)
        pthread_cond_wait(&idle_cond, &idle_lock);
    pthread_mutex_unlock(&idle_lock);
    return NULL;
}

static void reclaim(void)
{
    struct buddy_zone_stats st = {0};
    pthread_t th;
    buddy_pfn_t big;
    int err;

    pthread_create(&th, NULL, idle_worker, NULL);
    pthread_mutex_lock(&idle_lock);
    while (idle_state != 1)
        pthread_cond_wait(&idle_cond, &idle_lock);
    pthread_mutex_unlock(&idle_lock);
    if (buddy_zone_get_stats(zone, &st) != 0)
        FAIL("buddy_zone_get_stats failed");
    if (st.cached_pages < 320)
        FAIL("reclaim: the idle thread's cache holds %llu pages, not 320",
             (unsigned long long)st.cached_pages);
    /* The whole zone in one block, while an idle cache holds 320 pages. */
    err = buddy_heap_alloc_pages(heap, 10, &big);
    if (err != 0)
        FAIL("reclaim: order-10 allocation on an unused zone: %s",
             buddy_strerror(err));
    else if (buddy_heap_free_pages(heap, big, 10) != 0)
        FAIL("reclaim: free of the order-10 block failed");
    /* The same through the zone itself, with no cache of its own. */
    err = buddy_zone_alloc_pages(zone, 10, &big);
    if (err != 0)
        FAIL("reclaim: zone order-10 allocation: %s", buddy_strerror(err));
    else if (buddy_zone_free_pages(zone, big, 10) != 0)
        FAIL("reclaim: zone free failed");
    printf("reclaim: order 10 served with %llu pages in an idle cache\n",
           (unsigned long long)st.cached_pages);
    pthread_mutex_lock(&idle_lock);
    idle_state = 2;
    pthread_cond_broadcast(&idle_cond);
    pthread_mutex_unlock(&idle_lock);
    pthread_join(th, NULL);
    check_whole("reclaim", 1024);
}

/* ---- drain_all ---------------------------------------------------------- */

#define DA_THREADS 3
static int da_stop;
static unsigned long da_ops; /* operations the workers made, all together */

static void *da_worker(void *arg)
{
    uint64_t rng = (uint64_t)(intptr_t)arg * 0x9e3779b97f4a7c15u + 1;
    buddy_pfn_t live[64];
    unsigned order[64];
    int n = 0;

    while (!__atomic_load_n(&da_stop, __ATOMIC_ACQUIRE)) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        if (n < 64 && (rng & 1)) {
            order[n] = (unsigned)(rng >> 8) % 3;
            if (buddy_heap_alloc_pages(heap, order[n], &live[n]) == 0)
                n++;
        } else if (n > 0) {
            n--;
            if (buddy_heap_free_pages(heap, live[n], order[n]) != 0)
                FAIL("drain_all: free failed");
        }
        __atomic_fetch_add(&da_ops, 1, __ATOMIC_RELAXED);
    }
    while (n > 0) {
        n--;
        if (buddy_heap_free_pages(heap, live[n], order[n]) != 0)
            FAIL("drain_all: free failed");
    }
    return NULL;
}

static void drain_all(void)
{
    pthread_t th[DA_THREADS];
    unsigned long drains = 0, taking = 0, target = rounds / 2 + 1;
    uint64_t pages = 0;

    for (int t = 0; t < DA_THREADS; t++)
        pthread_create(&th[t], NULL, da_worker, (void *)(intptr_t)(t + 1));
    /* Wait until the workers run, then drain (the heap's drain_all is this
     * call) again and again, so that drains meet owners in mid-path. */
    while (__atomic_load_n(&da_ops, __ATOMIC_RELAXED) < 1000)
        sched_yield();
    while (drains < target) {
        uint64_t got = 0;

        if (buddy_zone_drain_caches(zone, &got) != 0)
            FAIL("drain_all: drain refused");

        pages += got;
        taking += got != 0;
        /* The zone lock is unfair by design: give the workers a chance at
         * it between drains. */
        for (volatile int spin = 0; spin < 2000; spin++)
            ;
        if (++drains % 256 == 0)
            check_zone("drain_all while owners run");
    }
    __atomic_store_n(&da_stop, 1, __ATOMIC_RELEASE);
    for (int t = 0; t < DA_THREADS; t++)
        pthread_join(th[t], NULL);
    if (taking == 0)
        FAIL("drain_all: no drain found a page to take");
    printf("drain_all: %lu drains (%lu took %llu pages) while %d threads "
           "made %lu operations\n", drains, taking,
           (unsigned long long)pages, DA_THREADS,
           __atomic_load_n(&da_ops, __ATOMIC_RELAXED));
    check_whole("drain_all", 4096);
}

/* ---- handle -------------------------------------------------------------- */

static void *hd_mailbox[DA_THREADS]; /* a block passed to the next thread */
static unsigned long hd_passed;      /* blocks passed, all together */

static void *hd_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint64_t rng = (uint64_t)(id + 1) * 0x9e3779b97f4a7c15u + 1;
    struct buddy_pcp *mine = buddy_heap_thread_cache(heap);
    void *live[64];
    int n = 0;

    if (mine == NULL) {
        FAIL("handle: no cache handle");
        return NULL;
    }
    while (!__atomic_load_n(&da_stop, __ATOMIC_ACQUIRE)) {
        void *got;

        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        if (n < 64 && (rng & 1)) {
            size_t size = (size_t)4096 << ((rng >> 8) % 3);

            if ((live[n] = buddy_pcp_alloc(mine, size)) != NULL)
                n++;
        } else if (n > 0) {
            void *p = live[--n];

            void *none = NULL;

            /* Every fourth block goes to the next thread (if its mailbox
             * is empty), the rest back through the handle or, once in a
             * while, the heap call. */
            if ((rng >> 16) % 4 == 0 &&
                __atomic_compare_exchange_n(
                    &hd_mailbox[(id + 1) % DA_THREADS], &none, p, 0,
                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                __atomic_fetch_add(&hd_passed, 1, __ATOMIC_RELAXED);
            else if (((rng >> 20) % 8 == 0 ? buddy_heap_free(heap, p)
                                           : buddy_pcp_free(mine, p)) != 0)
                FAIL("handle: free failed");
        }
        got = __atomic_exchange_n(&hd_mailbox[id], NULL, __ATOMIC_ACQ_REL);
        if (got != NULL && buddy_pcp_free(mine, got) != 0)
            FAIL("handle: free of another thread's block failed");
        __atomic_fetch_add(&da_ops, 1, __ATOMIC_RELAXED);
    }
    while (n > 0)
        if (buddy_pcp_free(mine, live[--n]) != 0)
            FAIL("handle: free failed");
    return NULL;
}

static void handle(void)
{
    pthread_t th[DA_THREADS];
    unsigned long drains = 0, target = rounds / 2 + 1;

    if (buddy_heap_thread_cache(heap) == NULL) {
        /* Per-CPU and uncached heaps hand out no handle. */
        printf("handle: no per-thread caches, no handle: as documented\n");
        return;
    }
    for (int t = 0; t < DA_THREADS; t++)
        pthread_create(&th[t], NULL, hd_worker, (void *)(intptr_t)t);
    while (__atomic_load_n(&da_ops, __ATOMIC_RELAXED) < 1000)
        sched_yield();
    while (drains < target) {
        (void)buddy_zone_drain_caches(zone, NULL);
        for (volatile int spin = 0; spin < 2000; spin++)
            ;
        if (++drains % 256 == 0)
            check_zone("handle: drains while owners run");
    }
    __atomic_store_n(&da_stop, 1, __ATOMIC_RELEASE);
    for (int t = 0; t < DA_THREADS; t++)
        pthread_join(th[t], NULL);
    /* A block left in a mailbox after its reader stopped. */
    for (int t = 0; t < DA_THREADS; t++)
        if (hd_mailbox[t] != NULL && buddy_heap_free(heap, hd_mailbox[t]) != 0)
            FAIL("handle: free of a passed block failed");
    if (hd_passed == 0)
        FAIL("handle: no block went to another thread");
    printf("handle: %lu drains while %d threads made %lu operations and "
           "passed %lu blocks\n", drains, DA_THREADS,
           __atomic_load_n(&da_ops, __ATOMIC_RELAXED), hd_passed);
    check_whole("handle", 4096);
}

/* ---- bad_free ----------------------------------------------------------- */

#define BF_THREADS 3
static int hook_inside, hook_overlap;
static unsigned long hook_rejects;

static void hook(void *arg, const struct buddy_event *ev)
{
    (void)arg;
    if (__atomic_fetch_add(&hook_inside, 1, __ATOMIC_ACQ_REL) != 0)
        __atomic_store_n(&hook_overlap, 1, __ATOMIC_RELAXED);
    if (ev->type == BUDDY_EV_REJECT)
        hook_rejects++; /* the zone lock makes this safe, or TSan says so */
    for (volatile int spin = 0; spin < 50; spin++)
        ;
    __atomic_fetch_sub(&hook_inside, 1, __ATOMIC_ACQ_REL);
}

static void *bf_worker(void *arg)
{
    char outside[64];
    unsigned long n = rounds / 10 + 1;

    (void)arg;
    for (unsigned long i = 0; i < n; i++) {
        int err = (i & 1) ? buddy_heap_free(heap, outside)
                          : buddy_zone_free(zone, outside + 16);

        if (err != BUDDY_ERANGE)
            FAIL("bad_free: %s, expected ERANGE", buddy_errname(err));
    }
    return NULL;
}

static void bad_free(void)
{
    pthread_t th[BF_THREADS];
    struct buddy_zone_stats st = {0};
    unsigned long n = (rounds / 10 + 1) * BF_THREADS;

    buddy_zone_set_hook(zone, hook, NULL);
    for (int t = 0; t < BF_THREADS; t++)
        pthread_create(&th[t], NULL, bf_worker, NULL);
    for (int t = 0; t < BF_THREADS; t++)
        pthread_join(th[t], NULL);
    buddy_zone_set_hook(zone, NULL, NULL);
    if (buddy_zone_get_stats(zone, &st) != 0)
        FAIL("buddy_zone_get_stats failed");
    if (hook_overlap)
        FAIL("bad_free: two event hooks ran at once");
    if (st.rejected != n || hook_rejects != n)
        FAIL("bad_free: %lu bad frees, %llu counted, %lu reported", n,
             (unsigned long long)st.rejected, hook_rejects);
    printf("bad_free: %lu refused frees, each counted and reported under "
           "the lock\n", n);
    check_whole("bad_free", 4096);
}

int main(int argc, char **argv)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    const char *what = argc > 1 ? argv[1] : "double_free";
    const char *env;
    int err;

    if (argc > 2 && strcmp(argv[2], "cpu") == 0)
        o.cache = BUDDY_CACHE_PER_CPU;
    if (argc > 3 && strcmp(argv[3], "fence") == 0)
        o.sync = BUDDY_SYNC_FENCE;
    if ((env = getenv("BUDDY_ROUNDS")) != NULL)
        rounds = strtoul(env, NULL, 10);
    o.nr_pages = 4096;
    o.with_memory = 1;
    o.pcp.batch = 16;
    o.pcp.high = 96;
    if (strcmp(what, "reclaim") == 0) {
        o.nr_pages = 1024;
        o.pcp.batch = 64;
        o.pcp.high = 512;
    }
    base_opts = o;
    err = buddy_heap_create(&o, &heap);
    if (err != 0) {
        fprintf(stderr, "races: heap: %s\n", buddy_strerror(err));
        return 1;
    }
    zone = buddy_heap_zone(heap);
    printf("races: %s, cache %s, sync %s, %lu rounds\n", what,
           argc > 2 ? argv[2] : "thread", argc > 3 ? argv[3] : "auto", rounds);
    if (strcmp(what, "solo") == 0)
        solo();
    else if (strcmp(what, "double_free") == 0)
        double_free();
    else if (strcmp(what, "reclaim") == 0)
        reclaim();
    else if (strcmp(what, "drain_all") == 0)
        drain_all();
    else if (strcmp(what, "handle") == 0)
        handle();
    else if (strcmp(what, "bad_free") == 0)
        bad_free();
    else {
        fprintf(stderr, "races: unknown scenario '%s'\n", what);
        return 2;
    }
    buddy_heap_destroy(heap);
    if (failed)
        fprintf(stderr, "races: %s FAILED\n", what);
    return failed ? 1 : 0;
}
