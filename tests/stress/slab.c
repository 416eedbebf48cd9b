/* SPDX-License-Identifier: MIT */
/*
 * slab.c: threads sharing one slab cache, with a mutex as its lock, on a
 * heap's zone. Each thread allocates and frees objects of its own and
 * hands some to the next thread, which frees them; every object carries
 * its holder's tag while held, so two threads holding one object is seen
 * at once. Each thread has a magazine and sends about half of its calls
 * through it, so objects pass between magazines and slabs both ways, and
 * objects freed by other threads land in the freeing thread's magazine.
 * Then two threads free the same object at once, through their magazines,
 * round after round: exactly one free of each pair may succeed. At the
 * end every object is back, the cache's validator and the zone's pass,
 * and shrinking gives every page back. Built plain and under
 * ThreadSanitizer. BUDDY_STEPS scales the work.
 */
#define _GNU_SOURCE /* pthread_barrier_t */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/hosted.h"
#include "buddy/slab.h"

#define STRESS_NAME "slab stress"
#include "stress.h"

#define THREADS 4
#define HELD 64

static struct buddy_slab_cache cache;
static pthread_mutex_t cache_mutex = PTHREAD_MUTEX_INITIALIZER;
static void *mailbox[THREADS]; /* an object passed to thread i */
static pthread_mutex_t mail_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long steps = 20000;

/* The tag a held object carries: its holder and a check word. */
static void tag(void *obj, uint32_t who)
{
    uint32_t t[2] = {who, ~who};

    memcpy(obj, t, sizeof(t));
}

static void untag(void *obj, uint32_t who)
{
    uint32_t t[2];

    memcpy(t, obj, sizeof(t));
    if (t[0] != who || t[1] != ~who)
        FAIL("object %p held by %u carries %u/%u", obj, who, t[0], ~t[1]);
    memset(obj, 0, sizeof(t));
}

/* Free through the magazine or straight, as bit says. */
static int obj_free(struct buddy_slab_mag *mag, void *obj, uint64_t bit)
{
    return bit & 1u ? buddy_slab_free_mag(&cache, mag, obj)
                    : buddy_slab_free(&cache, obj);
}

static void *worker(void *arg)
{
    uint32_t id = (uint32_t)(uintptr_t)arg;
    void *held[HELD] = {0};
    uint64_t rng = 0x9e3779b97f4a7c15ull * (id + 1);
    struct buddy_slab_mag mag = BUDDY_SLAB_MAG_INIT;

    for (unsigned long s = 0; s < steps; s++) {
        unsigned i;
        void *got;

        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        i = (unsigned)(rng % HELD);
        if (held[i] != NULL) {
            untag(held[i], id);
            if (rng >> 60 == 0) { /* hand it to the next thread */
                tag(held[i], (id + 1) % THREADS);
                pthread_mutex_lock(&mail_mutex);
                got = mailbox[(id + 1) % THREADS];
                mailbox[(id + 1) % THREADS] = held[i];
                pthread_mutex_unlock(&mail_mutex);
                if (got != NULL) { /* the one it displaced: ours to free */
                    untag(got, (id + 1) % THREADS);
                    if (obj_free(&mag, got, rng >> 40) != 0)
                        FAIL("free of a displaced object failed");
                }
            } else if (obj_free(&mag, held[i], rng >> 41) != 0) {
                FAIL("free failed");
            }
            held[i] = NULL;
        } else if ((held[i] = rng >> 42 & 1u
                                  ? buddy_slab_alloc_mag(&cache, &mag)
                                  : buddy_slab_alloc(&cache)) != NULL) {
            tag(held[i], id);
        }
        if (s % 64 == 0) { /* collect what was passed to us */
            pthread_mutex_lock(&mail_mutex);
            got = mailbox[id];
            mailbox[id] = NULL;
            pthread_mutex_unlock(&mail_mutex);
            if (got != NULL) {
                untag(got, id);
                if (obj_free(&mag, got, rng >> 43) != 0)
                    FAIL("free of a passed object failed");
            }
        }
    }
    for (unsigned i = 0; i < HELD; i++)
        if (held[i] != NULL) {
            untag(held[i], id);
            if (buddy_slab_free(&cache, held[i]) != 0)
                FAIL("final free failed");
        }
    if (buddy_slab_mag_flush(&cache, &mag) != 0 || mag.count_ != 0)
        FAIL("magazine flush failed");
    return NULL;
}

/* Two threads free one object at once, round after round. */
static pthread_barrier_t race_barrier;
static void *race_obj;
static unsigned long race_rounds, race_wins[2];

static void *racer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    struct buddy_slab_mag mag = BUDDY_SLAB_MAG_INIT;

    for (unsigned long r = 0; r < race_rounds; r++) {
        if (id == 0 && (race_obj = buddy_slab_alloc_mag(&cache, &mag)) == NULL)
            FAIL("race allocation failed");
        pthread_barrier_wait(&race_barrier);
        if (race_obj != NULL && buddy_slab_free_mag(&cache, &mag, race_obj) == 0)
            race_wins[id]++;
        pthread_barrier_wait(&race_barrier);
    }
    if (buddy_slab_mag_flush(&cache, &mag) != 0)
        FAIL("racer's flush failed");
    return NULL;
}

int main(void)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_lock_ops ops = {.lock = mutex_lock, .unlock = mutex_unlock,
                                 .arg = &cache_mutex};
    struct buddy_slab_config cfg = BUDDY_SLAB_CONFIG_INIT;
    struct buddy_check_report rep;
    struct buddy_slab_info info;
    struct buddy_zone_stats st;
    struct buddy_heap *heap;
    pthread_t th[THREADS];
    const char *env = getenv("BUDDY_STEPS");

    if (env != NULL)
        steps = strtoul(env, NULL, 10);
    o.nr_pages = 2048;
    o.with_memory = 1;
    o.cache = BUDDY_CACHE_NONE;
    if (buddy_heap_create(&o, &heap) != 0) {
        fprintf(stderr, "slab stress: no heap\n");
        return 1;
    }
    cfg.name = "stress";
    cfg.size = 96;
    cfg.zone = buddy_heap_zone(heap);
    cfg.lock = &ops;
    cfg.nr_cpus = THREADS;
    if (buddy_slab_cache_create(&cache, &cfg) != 0) {
        fprintf(stderr, "slab stress: no cache\n");
        return 1;
    }
    for (uintptr_t t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        if (mailbox[t] != NULL) {
            untag(mailbox[t], (uint32_t)t);
            if (buddy_slab_free(&cache, mailbox[t]) != 0)
                FAIL("free of a last passed object failed");
        }
    if (buddy_slab_check(&cache, &rep) != 0)
        FAIL("slab validator: %s", rep.what);
    if (buddy_slab_get_info(&cache, &info) != 0 || info.active_objs != 0 ||
        info.rejected != 0)
        FAIL("objects left: %llu, rejected %llu",
             (unsigned long long)info.active_objs,
             (unsigned long long)info.rejected);
    race_rounds = steps / 10 + 1;
    pthread_barrier_init(&race_barrier, NULL, 2);
    for (uintptr_t t = 0; t < 2; t++)
        pthread_create(&th[t], NULL, racer, (void *)t);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&race_barrier);
    if (race_wins[0] + race_wins[1] != race_rounds)
        FAIL("%lu rounds of two frees of one object, %lu + %lu succeeded",
             race_rounds, race_wins[0], race_wins[1]);
    if (buddy_slab_check(&cache, &rep) != 0)
        FAIL("slab validator after the races: %s", rep.what);
    if (buddy_slab_get_info(&cache, &info) != 0 || info.active_objs != 0 ||
        info.rejected != race_rounds)
        FAIL("objects left: %llu, rejected %llu",
             (unsigned long long)info.active_objs,
             (unsigned long long)info.rejected);
    printf("slab stress: %d threads, %lu steps each, %llu allocations from "
           "slabs, %llu slabs made; %lu double-free races, wins %lu/%lu\n",
           THREADS, steps, (unsigned long long)info.allocs,
           (unsigned long long)info.slabs_made, race_rounds, race_wins[0],
           race_wins[1]);
    (void)buddy_slab_shrink(&cache);
    if (buddy_slab_cache_destroy(&cache) != 0)
        FAIL("destroy failed");
    if (buddy_zone_get_stats(buddy_heap_zone(heap), &st) != 0 ||
        st.free_pages != 2048)
        FAIL("zone not whole: %llu free", (unsigned long long)st.free_pages);
    if (buddy_zone_check(buddy_heap_zone(heap), &rep) != 0)
        FAIL("zone validator: %s", rep.what);
    buddy_heap_destroy(heap);
    return failed ? 1 : 0;
}
