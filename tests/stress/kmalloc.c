/* SPDX-License-Identifier: MIT */
/*
 * kmalloc.c: threads on one kmalloc with a lock per class and the lock of
 * the descriptor blocks its classes share, as the malloc runs it. Each
 * thread works in classes of its own, in bursts that make many slabs and
 * then free them all, so slabs of different classes are made and given
 * back at once and their descriptors come from and go back to the shared
 * blocks under the descriptors' lock, while the classes' locks are taken
 * apart; a thread's magazines carry half its calls. Every object carries
 * its holder's tag while held. At the end every object is back, every
 * class's validator and the zone's pass, and shrinking gives every page
 * back. Built plain and under ThreadSanitizer. BUDDY_STEPS scales it.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/hosted.h"
#include "buddy/slab.h"

#define STRESS_NAME "kmalloc stress"
#include "stress.h"

#define THREADS 4
#define BURST 1200 /* objects a burst holds: well past min_partial slabs */
#define PAGES 8192u

static struct buddy_kmalloc km;
static pthread_mutex_t class_mutex[2 * BUDDY_KMALLOC_CLASSES];
static struct buddy_lock_ops class_lock[2 * BUDDY_KMALLOC_CLASSES];
static pthread_mutex_t desc_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long rounds = 200;

/* Sizes of thread t's classes: four each, no class shared. */
static size_t size_of(uintptr_t t, unsigned k)
{
    static const size_t sizes[THREADS][4] = {
        {8, 48, 160, 640},
        {16, 64, 192, 768},
        {32, 80, 256, 1024},
        {40, 96, 320, 1536},
    };

    return sizes[t][k];
}

static void *worker(void *arg)
{
    uintptr_t t = (uintptr_t)arg;
    struct buddy_kmalloc_mags mags;
    static void *held[THREADS][BURST];
    unsigned long r;
    unsigned i;

    memset(&mags, 0, sizeof(mags));
    for (r = 0; r < rounds; r++) {
        size_t size = size_of(t, (unsigned)(r % 4));

        for (i = 0; i < BURST; i++) {
            uint32_t *p = i % 2 ? buddy_kmalloc_mag(&km, &mags, size, 0)
                                : buddy_kmalloc(&km, size, 0);

            if (p == NULL) {
                FAIL("thread %u: no object of %zu bytes", (unsigned)t, size);
                return NULL;
            }
            p[0] = (uint32_t)t;
            p[1] = (uint32_t)i;
            held[t][i] = p;
        }
        for (i = 0; i < BURST; i++) {
            uint32_t *p = held[t][i];
            int err;

            if (p[0] != (uint32_t)t || p[1] != i)
                FAIL("thread %u: object %u holds %u/%u", (unsigned)t, i,
                     p[0], p[1]);
            p[0] = ~(uint32_t)t;
            err = i % 3 ? buddy_kfree_mag(&km, &mags, p) : buddy_kfree(&km, p);
            if (err != 0)
                FAIL("thread %u: free of object %u: %d", (unsigned)t, i, err);
        }
        if (buddy_kmalloc_mags_flush(&km, &mags) != 0)
            FAIL("thread %u: flush failed", (unsigned)t);
    }
    return NULL;
}

int main(void)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_lock_ops desc_lock = {.lock = mutex_lock,
                                       .unlock = mutex_unlock,
                                       .arg = &desc_mutex};
    struct buddy_kmalloc_config kc = {0};
    struct buddy_check_report rep;
    struct buddy_slab_info info;
    struct buddy_zone_stats st;
    struct buddy_heap *heap;
    pthread_t th[THREADS];
    const char *env = getenv("BUDDY_STEPS");
    unsigned long made = 0, given = 0;
    unsigned set, i;

    if (env != NULL)
        rounds = strtoul(env, NULL, 10) / 100 + 4; /* BUDDY_STEPS=20000: 204 */
    o.nr_pages = PAGES;
    o.with_memory = 1;
    o.cache = BUDDY_CACHE_NONE;
    if (buddy_heap_create(&o, &heap) != 0) {
        fprintf(stderr, "kmalloc stress: no heap\n");
        return 1;
    }
    for (i = 0; i < 2 * BUDDY_KMALLOC_CLASSES; i++) {
        pthread_mutex_init(&class_mutex[i], NULL);
        class_lock[i].lock = mutex_lock;
        class_lock[i].unlock = mutex_unlock;
        class_lock[i].arg = &class_mutex[i];
    }
    kc.zone = buddy_heap_zone(heap);
    kc.nr_cpus = THREADS;
    kc.class_locks = class_lock;
    kc.desc_lock = &desc_lock;
    kc.fine = true;
    if (buddy_kmalloc_init(&km, &kc) != 0) {
        fprintf(stderr, "kmalloc stress: no kmalloc\n");
        return 1;
    }
    for (uintptr_t t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (set = 0; set < 2; set++)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_cache *c = buddy_kmalloc_cache(&km, set, i);

            if (c == NULL)
                continue;
            if (buddy_slab_check(c, &rep) != 0)
                FAIL("class %u validator: %s", i, rep.what);
            if (buddy_slab_get_info(c, &info) != 0 || info.active_objs != 0 ||
                info.rejected != 0)
                FAIL("class %u: %llu objects left, %llu rejected", i,
                     (unsigned long long)info.active_objs,
                     (unsigned long long)info.rejected);
            made += (unsigned long)info.slabs_made;
            given += (unsigned long)info.slabs_freed;
            (void)buddy_slab_shrink(c);
        }
    /* The classes share one set of blocks: once every slab is gone, no
     * class counts one. */
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
        struct buddy_slab_cache *c = buddy_kmalloc_cache(&km, 0, i);

        if (c != NULL && buddy_slab_get_info(c, &info) == 0 &&
            info.desc_blocks != 0)
            FAIL("class %u: %llu descriptor blocks after the shrink", i,
                 (unsigned long long)info.desc_blocks);
    }
    if (given == 0)
        FAIL("no slab was given back during the bursts");
    printf("kmalloc stress: %d threads, %lu bursts of %d each, %lu slabs "
           "made, %lu given back before the shrink\n",
           THREADS, rounds, BURST, made, given);
    if (buddy_kmalloc_fini(&km) != 0)
        FAIL("fini failed");
    if (buddy_zone_get_stats(buddy_heap_zone(heap), &st) != 0 ||
        st.free_pages != PAGES)
        FAIL("zone not whole: %llu free", (unsigned long long)st.free_pages);
    if (buddy_zone_check(buddy_heap_zone(heap), &rep) != 0)
        FAIL("zone validator: %s", rep.what);
    buddy_heap_destroy(heap);
    return failed ? 1 : 0;
}
