/* SPDX-License-Identifier: MIT */
/*
 * workloads.c: the worker role of mbench, and its workloads, after the
 * shapes of the malloc benchmark suites (mimalloc-bench's larson, xmalloc
 * and cache-thrash, and a size sweep):
 *
 *   mbench --worker WORKLOAD ALLOC THREADS QUICK [ROW COUNT]
 *
 * runs one measurement with the process's malloc, which must be ALLOC's
 * (the driver preloads it), and prints "RESULT key=value ..".
 *
 * larson   THREADS threads, each with an array of slots; a step picks a
 *          slot at random, frees its object and puts a new one of a size
 *          drawn in [8, 1000] there. The run is a sequence of epochs: each
 *          starts THREADS fresh threads, thread t taking over the slots of
 *          the previous epoch's thread t, which has exited, as larson hands
 *          a thread's array to its successor; so the first frees of every
 *          epoch are of objects another, dead thread allocated (the slots
 *          are first filled by the main thread). Thread starts and exits
 *          are inside the window, as in larson. rate: malloc and free
 *          calls per second, all threads together.
 * xmalloc  THREADS producers and THREADS consumers, producer i handing
 *          every object to consumer i through a queue of batches of 64
 *          (a mutex and two condition variables, at most 16 batches in
 *          flight), as xmalloc-test's allocating and freeing threads:
 *          every free is of another thread's object. Sizes in [8, 256].
 *          rate: malloc and free calls per second.
 * thrash   THREADS threads, each allocating an 8-byte object at a time and
 *          incrementing each of its bytes over and over before freeing it,
 *          as cache-thrash: an allocator that hands neighbouring objects
 *          to different threads makes their cache line bounce between the
 *          cores (false sharing). rate: byte writes per second; shared:
 *          the threads whose first object shared a 64-byte line with
 *          another thread's.
 * sweep    every power of two from 8 B to 1 MiB: each thread allocates 16
 *          objects of the size, writes their first 8 bytes, one byte in
 *          every 4 KiB page and their last byte, then frees them in
 *          allocation order; the threads start each size together.
 *          ns_<size>: nanoseconds per malloc+free pair, wall time over one
 *          thread's pairs.
 * fastpath ROW of the fast-path rows (fastpath.c), COUNT pairs (0: the
 *          default), one thread. ns: per pair.
 *
 * Every object's first 8 bytes carry a tag, checked before its free; the
 * tags written and the tags checked are summed, and the sums must agree
 * at the end (every object freed once, nothing overwritten). A failed
 * allocation or a wrong tag or sum fails the worker (exit 1); nothing
 * here ever judges speed.
 */
#define _GNU_SOURCE
#include "mbench.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../timer.h"
#include "buddy/buddy.h"
#include "../util.h"

const char *const mb_workload_names[MW_COUNT] = {
    "larson", "xmalloc", "thrash", "sweep", "fastpath"};

int mb_workload_parse(const char *name)
{
    for (int i = 0; i < MW_COUNT; i++)
        if (strcmp(mb_workload_names[i], name) == 0)
            return i;
    return -1;
}

static const struct mb_params params[2] = {
    {.larson_slots = 1000, .larson_epochs = 10, .larson_ops = 100000,
     .xmalloc_objs = 500000, .thrash_iters = 100, .thrash_reps = 100000,
     .sweep_max_pairs = 100000, .sweep_bytes = (uint64_t)64 << 20,
     .sweep_min_pairs = 256, .fast_pairs = 2000000},
    /* --quick: every path once, a few milliseconds each. */
    {.larson_slots = 100, .larson_epochs = 2, .larson_ops = 2000,
     .xmalloc_objs = 5000, .thrash_iters = 4, .thrash_reps = 1000,
     .sweep_max_pairs = 256, .sweep_bytes = (uint64_t)1 << 20,
     .sweep_min_pairs = 16, .fast_pairs = 20000},
};

const struct mb_params *mb_params_get(int quick)
{
    return &params[quick != 0];
}

/* ---- the allocators ----------------------------------------------------- */

struct mb_alloc mb_allocs[MB_MAX_ALLOCS];
unsigned mb_nr_allocs;

void mb_allocs_init(void)
{
    if (mb_nr_allocs != 0)
        return;
    mb_allocs[0] = (struct mb_alloc){
        "libbuddy", "libbuddy-malloc", {MBENCH_BUDDY_MALLOC, NULL, NULL}};
    mb_nr_allocs = 1;
    for (unsigned i = 0; i < bench_nr_peers && mb_nr_allocs < MB_MAX_ALLOCS;
         i++) {
        struct mb_alloc *a = &mb_allocs[mb_nr_allocs++];

        a->name = bench_peers[i].name;
        a->stem = bench_peers[i].stem;
        memcpy(a->sonames, bench_peers[i].sonames, sizeof(a->sonames));
    }
}

int mb_alloc_find(const char *name)
{
    mb_allocs_init();
    for (unsigned i = 0; i < mb_nr_allocs; i++)
        if (strcmp(mb_allocs[i].name, name) == 0)
            return (int)i;
    return -1;
}

int mb_alloc_loaded(const struct mb_alloc *a)
{
    char path[512], version[128];
    const char *base;

    bench_malloc_identity(path, sizeof(path), version, sizeof(version));
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    return strstr(base, a->stem) != NULL;
}

/* ---- what every workload shares ----------------------------------------- */

static size_t rng_size(uint64_t *s, size_t lo, size_t hi)
{
    return lo + (size_t)(splitmix64(s) % (hi - lo + 1));
}

/* The tags written and checked, and the first failure. */
static _Atomic uint64_t tags_written, tags_checked;
static atomic_int failed;

static void fail(const char *what)
{
    if (atomic_exchange(&failed, 1) == 0)
        fprintf(stderr, "mbench: %s\n", what);
}

/* malloc and tag a new object; NULL (and the run failed) when malloc
 * failed or broke the fundamental alignment. */
static void *obj_new(size_t size, uint64_t tag, uint64_t *written)
{
    void *p = malloc(size);

    if (p == NULL) {
        fail("malloc returned NULL");
        return NULL;
    }
    if ((uintptr_t)p % (size >= 16 ? 16 : 8) != 0) {
        fail("malloc returned a misaligned pointer");
        free(p);
        return NULL;
    }
    *(volatile uint64_t *)p = tag;
    *written += tag;
    return p;
}

static void obj_free(void *p, uint64_t tag, uint64_t *checked)
{
    if (*(volatile uint64_t *)p != tag)
        fail("an object's tag was overwritten");
    *checked += tag;
    free(p);
}

static uint64_t tag_of(unsigned thread, uint64_t serial)
{
    return (uint64_t)(thread + 1) << 48 ^ serial;
}

static int start_threads(pthread_t *tids, unsigned n, void *(*fn)(void *),
                         void *args, size_t arg_size)
{
    for (unsigned t = 0; t < n; t++)
        if (pthread_create(&tids[t], NULL, fn,
                           (char *)args + (size_t)t * arg_size) != 0) {
            fail("pthread_create failed");
            for (unsigned k = 0; k < t; k++)
                pthread_join(tids[k], NULL);
            return -1;
        }
    return 0;
}

static void join_threads(pthread_t *tids, unsigned n)
{
    for (unsigned t = 0; t < n; t++)
        pthread_join(tids[t], NULL);
}

/* ---- larson ------------------------------------------------------------- */

struct slot {
    void *p;
    uint64_t tag;
};

struct larson_arg {
    struct slot *slots;
    uint32_t nslots;
    unsigned thread;
    uint64_t ops, seed, serial;
};

static void *larson_thread(void *argp)
{
    struct larson_arg *a = argp;
    uint64_t written = 0, checked = 0;

    for (uint64_t i = 0; i < a->ops && !atomic_load(&failed); i++) {
        struct slot *s = &a->slots[splitmix64(&a->seed) % a->nslots];
        size_t size = rng_size(&a->seed, MB_LARSON_MIN, MB_LARSON_MAX);
        uint64_t tag = tag_of(a->thread, ++a->serial);

        if (s->p != NULL)
            obj_free(s->p, s->tag, &checked);
        s->p = obj_new(size, tag, &written);
        s->tag = tag;
    }
    tags_written += written;
    tags_checked += checked;
    return NULL;
}

static int run_larson(unsigned threads, const struct mb_params *pm,
                      struct bench_result *r)
{
    uint32_t ns = pm->larson_slots;
    struct slot *slots = calloc((size_t)threads * ns, sizeof(*slots));
    struct larson_arg *args = calloc(threads, sizeof(*args));
    pthread_t *tids = calloc(threads, sizeof(*tids));
    uint64_t written = 0, checked = 0, t0, t1, seed = 1;

    if (slots == NULL || args == NULL || tids == NULL) {
        fail("out of memory for the slots");
        return 1;
    }
    /* The main thread fills every slot: the first epoch's frees are of
     * its objects. */
    for (size_t i = 0; i < (size_t)threads * ns; i++) {
        slots[i].tag = tag_of(threads, i + 1);
        slots[i].p = obj_new(rng_size(&seed, MB_LARSON_MIN, MB_LARSON_MAX),
                             slots[i].tag, &written);
        if (slots[i].p == NULL)
            return 1;
    }
    tags_written += written;
    for (unsigned t = 0; t < threads; t++) {
        args[t].slots = slots + (size_t)t * ns;
        args[t].nslots = ns;
        args[t].thread = t;
        args[t].ops = pm->larson_ops;
        args[t].seed = 0x1a2502u + t;
        args[t].serial = (uint64_t)1 << 40; /* apart from the fill's */
    }
    t0 = bench_now_ns();
    for (uint32_t e = 0; e < pm->larson_epochs && !atomic_load(&failed); e++) {
        if (start_threads(tids, threads, larson_thread, args,
                          sizeof(*args)) != 0)
            break;
        join_threads(tids, threads);
    }
    t1 = bench_now_ns();
    for (size_t i = 0; i < (size_t)threads * ns; i++)
        if (slots[i].p != NULL)
            obj_free(slots[i].p, slots[i].tag, &checked);
    tags_checked += checked;
    bench_result_set(r, "rate", 2.0 * (double)threads *
                                    (double)pm->larson_epochs *
                                    (double)pm->larson_ops /
                                    ((double)(t1 - t0) / 1e9));
    free(slots);
    free(args);
    free(tids);
    return 0;
}

/* ---- xmalloc ------------------------------------------------------------ */

struct batch {
    uint32_t n;
    struct slot o[MB_XMALLOC_BATCH];
};

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty, nonfull;
    struct batch ring[MB_XMALLOC_DEPTH];
    unsigned head, count;
    int done;
};

struct xmalloc_arg {
    struct queue *q;
    unsigned thread;
    uint64_t objs, seed;
};

static void queue_push(struct queue *q, const struct batch *b)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == MB_XMALLOC_DEPTH)
        pthread_cond_wait(&q->nonfull, &q->lock);
    q->ring[(q->head + q->count) % MB_XMALLOC_DEPTH] = *b;
    q->count++;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

/* 0 with *b filled, or -1 once the producer is done and nothing is left. */
static int queue_pop(struct queue *q, struct batch *b)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->done)
        pthread_cond_wait(&q->nonempty, &q->lock);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    *b = q->ring[q->head];
    q->head = (q->head + 1) % MB_XMALLOC_DEPTH;
    q->count--;
    pthread_cond_signal(&q->nonfull);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

static void *xmalloc_producer(void *argp)
{
    struct xmalloc_arg *a = argp;
    struct batch b = {0};
    uint64_t written = 0;

    for (uint64_t i = 0; i < a->objs && !atomic_load(&failed); i++) {
        struct slot *s = &b.o[b.n];

        s->tag = tag_of(a->thread, i + 1);
        s->p = obj_new(rng_size(&a->seed, MB_XMALLOC_MIN, MB_XMALLOC_MAX),
                       s->tag, &written);
        if (s->p == NULL)
            break;
        if (++b.n == MB_XMALLOC_BATCH) {
            queue_push(a->q, &b);
            b.n = 0;
        }
    }
    if (b.n != 0)
        queue_push(a->q, &b);
    pthread_mutex_lock(&a->q->lock);
    a->q->done = 1;
    pthread_cond_broadcast(&a->q->nonempty);
    pthread_mutex_unlock(&a->q->lock);
    tags_written += written;
    return NULL;
}

static void *xmalloc_consumer(void *argp)
{
    struct xmalloc_arg *a = argp;
    struct batch b;
    uint64_t checked = 0;

    while (queue_pop(a->q, &b) == 0)
        for (uint32_t i = 0; i < b.n; i++)
            obj_free(b.o[i].p, b.o[i].tag, &checked);
    tags_checked += checked;
    return NULL;
}

static int run_xmalloc(unsigned threads, const struct mb_params *pm,
                       struct bench_result *r)
{
    struct queue *qs = calloc(threads, sizeof(*qs));
    struct xmalloc_arg *args = calloc(threads, sizeof(*args));
    pthread_t *prod = calloc(threads, sizeof(*prod));
    pthread_t *cons = calloc(threads, sizeof(*cons));
    uint64_t t0, t1;
    int ret = 0;

    if (qs == NULL || args == NULL || prod == NULL || cons == NULL) {
        fail("out of memory for the queues");
        return 1;
    }
    for (unsigned t = 0; t < threads; t++) {
        pthread_mutex_init(&qs[t].lock, NULL);
        pthread_cond_init(&qs[t].nonempty, NULL);
        pthread_cond_init(&qs[t].nonfull, NULL);
        args[t].q = &qs[t];
        args[t].thread = t;
        args[t].objs = pm->xmalloc_objs;
        args[t].seed = 0x3a110cu + t;
    }
    t0 = bench_now_ns();
    if (start_threads(cons, threads, xmalloc_consumer, args,
                      sizeof(*args)) != 0)
        return 1;
    if (start_threads(prod, threads, xmalloc_producer, args,
                      sizeof(*args)) != 0) {
        for (unsigned t = 0; t < threads; t++) {
            pthread_mutex_lock(&qs[t].lock);
            qs[t].done = 1;
            pthread_cond_broadcast(&qs[t].nonempty);
            pthread_mutex_unlock(&qs[t].lock);
        }
        ret = 1;
    } else {
        join_threads(prod, threads);
    }
    join_threads(cons, threads);
    t1 = bench_now_ns();
    bench_result_set(r, "rate", 2.0 * (double)threads *
                                    (double)pm->xmalloc_objs /
                                    ((double)(t1 - t0) / 1e9));
    for (unsigned t = 0; t < threads; t++) {
        pthread_mutex_destroy(&qs[t].lock);
        pthread_cond_destroy(&qs[t].nonempty);
        pthread_cond_destroy(&qs[t].nonfull);
    }
    free(qs);
    free(args);
    free(prod);
    free(cons);
    return ret;
}

/* ---- thrash ------------------------------------------------------------- */

struct thrash_arg {
    pthread_barrier_t *start;
    unsigned thread;
    uint32_t iters, reps;
    uintptr_t first;   /* the first object's address */
    uint64_t t0, t1;   /* this thread's window */
};

static void *thrash_thread(void *argp)
{
    struct thrash_arg *a = argp;
    uint64_t written = 0, checked = 0;

    pthread_barrier_wait(a->start);
    a->t0 = bench_now_ns();
    for (uint32_t i = 0; i < a->iters && !atomic_load(&failed); i++) {
        volatile unsigned char *c;
        void *p = obj_new(MB_THRASH_SIZE, tag_of(a->thread, i + 1), &written);

        if (p == NULL)
            break;
        if (i == 0)
            a->first = (uintptr_t)p;
        c = p;
        for (uint32_t k = 0; k < a->reps; k++)
            for (unsigned b = 0; b < MB_THRASH_SIZE; b++)
                c[b]++;
        /* Each byte moved by reps (mod 256): undo it to find the tag. */
        for (unsigned b = 0; b < MB_THRASH_SIZE; b++)
            c[b] = (unsigned char)(c[b] - (unsigned char)a->reps);
        obj_free(p, tag_of(a->thread, i + 1), &checked);
    }
    a->t1 = bench_now_ns();
    tags_written += written;
    tags_checked += checked;
    return NULL;
}

static int run_thrash(unsigned threads, const struct mb_params *pm,
                      struct bench_result *r)
{
    struct thrash_arg *args = calloc(threads, sizeof(*args));
    pthread_t *tids = calloc(threads, sizeof(*tids));
    pthread_barrier_t start;
    uint64_t t0 = UINT64_MAX, t1 = 0;
    unsigned shared = 0;

    if (args == NULL || tids == NULL ||
        pthread_barrier_init(&start, NULL, threads) != 0) {
        fail("out of memory for the threads");
        return 1;
    }
    for (unsigned t = 0; t < threads; t++)
        args[t] = (struct thrash_arg){&start, t, pm->thrash_iters,
                                      pm->thrash_reps, 0, 0, 0};
    if (start_threads(tids, threads, thrash_thread, args, sizeof(*args)) != 0)
        return 1;
    join_threads(tids, threads);
    /* From the first thread's start to the last one's end. */
    for (unsigned t = 0; t < threads; t++) {
        t0 = args[t].t0 < t0 ? args[t].t0 : t0;
        t1 = args[t].t1 > t1 ? args[t].t1 : t1;
    }
    for (unsigned t = 0; t < threads; t++)
        for (unsigned u = 0; u < threads; u++)
            if (u != t && args[t].first / 64 == args[u].first / 64) {
                shared++;
                break;
            }
    bench_result_set(r, "rate", (double)threads * pm->thrash_iters *
                                    pm->thrash_reps * MB_THRASH_SIZE /
                                    ((double)(t1 - t0) / 1e9));
    bench_result_set(r, "shared", shared);
    pthread_barrier_destroy(&start);
    free(args);
    free(tids);
    return 0;
}

/* ---- sweep -------------------------------------------------------------- */

static uint64_t sweep_pairs(const struct mb_params *pm, size_t size)
{
    uint64_t n = pm->sweep_bytes / size;

    if (n > pm->sweep_max_pairs)
        n = pm->sweep_max_pairs;
    if (n < pm->sweep_min_pairs)
        n = pm->sweep_min_pairs;
    return (n + MB_SWEEP_BATCH - 1) / MB_SWEEP_BATCH * MB_SWEEP_BATCH;
}

struct sweep_arg {
    pthread_barrier_t *start;
    const struct mb_params *pm;
    unsigned thread;
    uint64_t t0[MB_SWEEP_SIZES], t1[MB_SWEEP_SIZES]; /* each size's window */
};

/* After the tag (the first 8 bytes): a byte in every later page, and
 * the last byte. */
static void sweep_touch(void *p, size_t size)
{
    volatile unsigned char *c = p;

    for (size_t off = MB_PAGE; off < size; off += MB_PAGE)
        c[off] = 1;
    if (size > sizeof(uint64_t))
        c[size - 1] = 1;
}

static void *sweep_thread(void *argp)
{
    struct sweep_arg *a = argp;
    uint64_t written = 0, checked = 0, serial = 0;
    struct slot batch[MB_SWEEP_BATCH];

    for (unsigned k = 0; k < MB_SWEEP_SIZES; k++) {
        size_t size = (size_t)MB_SWEEP_MIN << k;
        uint64_t n = sweep_pairs(a->pm, size);

        pthread_barrier_wait(a->start);
        a->t0[k] = bench_now_ns();
        for (uint64_t i = 0; i < n && !atomic_load(&failed);
             i += MB_SWEEP_BATCH) {
            unsigned got = 0;

            for (; got < MB_SWEEP_BATCH; got++) {
                batch[got].tag = tag_of(a->thread, ++serial);
                batch[got].p = obj_new(size, batch[got].tag, &written);
                if (batch[got].p == NULL)
                    break;
                sweep_touch(batch[got].p, size);
            }
            for (unsigned b = 0; b < got; b++)
                obj_free(batch[b].p, batch[b].tag, &checked);
        }
        a->t1[k] = bench_now_ns();
    }
    tags_written += written;
    tags_checked += checked;
    return NULL;
}

static int run_sweep(unsigned threads, const struct mb_params *pm,
                     struct bench_result *r)
{
    struct sweep_arg *args = calloc(threads, sizeof(*args));
    pthread_t *tids = calloc(threads, sizeof(*tids));
    pthread_barrier_t start;

    if (args == NULL || tids == NULL ||
        pthread_barrier_init(&start, NULL, threads) != 0) {
        fail("out of memory for the threads");
        return 1;
    }
    for (unsigned t = 0; t < threads; t++) {
        args[t].start = &start;
        args[t].pm = pm;
        args[t].thread = t;
    }
    if (start_threads(tids, threads, sweep_thread, args, sizeof(*args)) != 0)
        return 1;
    join_threads(tids, threads);
    /* Each size from the first thread's start to the last one's end. */
    for (unsigned k = 0; k < MB_SWEEP_SIZES; k++) {
        size_t size = (size_t)MB_SWEEP_MIN << k;
        uint64_t t0 = UINT64_MAX, t1 = 0;
        char key[32];

        for (unsigned t = 0; t < threads; t++) {
            t0 = args[t].t0[k] < t0 ? args[t].t0[k] : t0;
            t1 = args[t].t1[k] > t1 ? args[t].t1[k] : t1;
        }
        snprintf(key, sizeof(key), "ns_%zu", size);
        bench_result_set(r, key, (double)(t1 - t0) /
                                     (double)sweep_pairs(pm, size));
    }
    pthread_barrier_destroy(&start);
    free(args);
    free(tids);
    return 0;
}

/* ---- the worker --------------------------------------------------------- */

int mb_worker_main(int argc, char **argv)
{
    struct bench_result r;
    const struct mb_params *pm;
    uint64_t threads, quick, count = 0;
    int w, a, row = -1, err;

    memset(&r, 0, sizeof(r));
    if ((argc != 4 && argc != 6) || (w = mb_workload_parse(argv[0])) < 0 ||
        (a = mb_alloc_find(argv[1])) < 0 ||
        parse_u64(argv[2], &threads) != 0 || threads == 0 ||
        threads > 1024 || parse_u64(argv[3], &quick) != 0 ||
        (argc == 6 && ((row = mb_fast_find(argv[4])) < 0 ||
                       parse_u64(argv[5], &count) != 0)) ||
        ((w == MW_FASTPATH) != (argc == 6)) ||
        (w == MW_FASTPATH && threads != 1)) {
        fprintf(stderr, "mbench: usage: --worker WORKLOAD ALLOC THREADS "
                "QUICK [ROW COUNT] (ROW and COUNT for fastpath, one "
                "thread)\n");
        return 2;
    }
    if (!mb_alloc_loaded(&mb_allocs[a])) {
        fprintf(stderr, "mbench: malloc is not %s's here\n",
                mb_allocs[a].name);
        return 3;
    }
    pm = mb_params_get((int)quick);
    switch ((enum mb_workload)w) {
    case MW_LARSON:
        err = run_larson((unsigned)threads, pm, &r);
        break;
    case MW_XMALLOC:
        err = run_xmalloc((unsigned)threads, pm, &r);
        break;
    case MW_THRASH:
        err = run_thrash((unsigned)threads, pm, &r);
        break;
    case MW_SWEEP:
        err = run_sweep((unsigned)threads, pm, &r);
        break;
    default: {
        double ns = 0;

        err = mb_fast_run((unsigned)row, count != 0 ? count : pm->fast_pairs,
                          &ns);
        bench_result_set(&r, "ns", ns);
        break;
    }
    }
    if (err == 0 && !atomic_load(&failed) && tags_written != tags_checked)
        fail("the tags freed do not sum to the tags allocated");
    if (err != 0 || atomic_load(&failed))
        return 1;
    fputs("RESULT", stdout);
    for (int i = 0; i < r.nkv; i++)
        printf(" %s=%.17g", r.kv[i].key, r.kv[i].val);
    putchar('\n');
    return fflush(stdout) == 0 ? 0 : 1;
}

int mb_probe_main(int argc, char **argv)
{
    char path[512], version[128];
    int a;

    if (argc != 1 || (a = mb_alloc_find(argv[0])) < 0) {
        fprintf(stderr, "mbench: usage: --probe ALLOC\n");
        return 2;
    }
    if (!mb_alloc_loaded(&mb_allocs[a]))
        return 3;
    bench_malloc_identity(path, sizeof(path), version, sizeof(version));
    if (a == 0) {
        unsigned v = buddy_version();

        snprintf(version, sizeof(version), "%u.%u.%u", v / 10000,
                 v / 100 % 100, v % 100);
    }
    printf("PROBE library=%s version=%s\n", path, version);
    return 0;
}
