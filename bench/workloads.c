/* SPDX-License-Identifier: MIT */
/*
 * workloads.c: the benchmark's workloads, run in a worker process against
 * one allocator.
 *
 *   hot      allocate and free one 4 KiB block, COUNT pairs per thread;
 *            the zone starts fully free, so a plain buddy splits an
 *            order-18 block 18 times and merges it back 18 times per pair
 *   batch    allocate COUNT 4 KiB blocks, then free them in an order
 *            shuffled before the clock starts
 *   mixed    orders 0..10 with p(k) = 0.6 * 0.4^k: fill to LIVE bytes,
 *            then COUNT random allocs and frees keeping the live size
 *            within 4 MiB of LIVE; with T threads each thread has its own
 *            live set of LIVE / T bytes and does COUNT operations
 *   latency  mixed with one clock reading around each operation:
 *            p50, p99, p99.9 and max
 *   init     zones of 1 GiB, 64 GiB and 1 TiB of 4 KiB pages on fresh
 *            MAP_NORESERVE metadata: time and resident-memory growth
 *   cross    one thread allocates COUNT 4 KiB blocks and hands each to a
 *            second thread through a queue, which frees it
 *
 * Every workload but init takes a touch mode (bench.h): after each
 * allocation, inside the measured window (and inside the timed interval
 * of a latency sample), the loop writes the block's first byte or one byte
 * per page, through a volatile pointer. Each loop is compiled once per
 * mode with the mode a constant, so the untouched loop carries no test.
 * Minor page faults (getrusage ru_minflt, the whole process) are counted
 * over exactly the measured window and reported per operation; the
 * harness's own arrays are written before the window, so the faults are
 * the allocator's and the touches'.
 *
 * The random operations of mixed are drawn into a trace before the clock
 * starts (a free names a slot of the live array, which depends only on the
 * trace), so every allocator runs exactly the same operations and the
 * timed loop reads one word per operation. With T threads, thread 0 is the
 * main thread and all start together from a barrier; throughput is the
 * operations of all threads over the time from the first start to the last
 * finish. The buddy-private variant gives each thread its own heap: nothing
 * is shared, so it shows what sharing one zone costs.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "timer.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "buddy/hosted.h"
#include "util.h"

const char *const bench_workload_names[W_COUNT] = {
    "hot", "batch", "mixed", "latency", "init", "cross"};

const char *const bench_touch_names[TOUCH_COUNT] = {"none", "first", "pages"};

int bench_touch_parse(const char *name)
{
    for (int i = 0; i < TOUCH_COUNT; i++)
        if (strcmp(bench_touch_names[i], name) == 0)
            return i;
    return -1;
}

enum bench_touch bench_touch_effective(enum bench_workload w,
                                       enum bench_touch t)
{
    if (w == W_INIT)
        return TOUCH_NONE;
    if (t == TOUCH_PAGES && (w == W_HOT || w == W_BATCH || w == W_CROSS))
        return TOUCH_FIRST;
    return t;
}

int bench_workload_parse(const char *name)
{
    for (int i = 0; i < W_COUNT; i++)
        if (strcmp(bench_workload_names[i], name) == 0)
            return i;
    return -1;
}

/* ---- results ------------------------------------------------------------- */

/* ---- the measured loops --------------------------------------------------
 * Named, external and never inlined: --callgrind counts instructions inside
 * exactly these (valgrind --toggle-collect=bench_loop_hot). Each one
 * dispatches once on a->touch to a copy of its loop with the mode a
 * constant. */

/* Write into a block as the touch mode says: volatile stores, one for
 * first, one per page for pages (the block is at least a page). */
static inline __attribute__((always_inline)) void
touch_block(void *p, size_t size, enum bench_touch touch)
{
    volatile unsigned char *c = p;

    if (touch == TOUCH_FIRST) {
        c[0] = 1;
    } else if (touch == TOUCH_PAGES) {
        for (size_t off = 0; off < size; off += BENCH_PAGE)
            c[off] = 1;
    }
}

#define TOUCH_DISPATCH(call)                                                   \
    switch (a->touch) {                                                        \
    case TOUCH_FIRST:                                                          \
        return call(TOUCH_FIRST);                                              \
    case TOUCH_PAGES:                                                          \
        return call(TOUCH_PAGES);                                              \
    default:                                                                   \
        return call(TOUCH_NONE);                                               \
    }

static inline __attribute__((always_inline)) int
loop_hot(const struct bench_alloc *a, size_t size, uint64_t n,
         enum bench_touch touch)
{
    void *(*alloc)(void *, size_t) = a->alloc;
    int (*release)(void *, void *) = a->free;
    void *ctx = a->ctx;

    for (uint64_t i = 0; i < n; i++) {
        void *p = alloc(ctx, size);

        if (p == NULL)
            return -1;
        touch_block(p, size, touch);
        if (release(ctx, p) != 0)
            return -1;
    }
    return 0;
}

__attribute__((noinline)) int bench_loop_hot(const struct bench_alloc *a,
                                             size_t size, uint64_t n)
{
#define HOT(t) loop_hot(a, size, n, t)
    TOUCH_DISPATCH(HOT)
#undef HOT
}

static inline __attribute__((always_inline)) int
loop_mixed(const struct bench_alloc *a, const uint32_t *ops, size_t n,
           void **live, size_t *nlive, enum bench_touch touch)
{
    void *(*alloc)(void *, size_t) = a->alloc;
    int (*release)(void *, void *) = a->free;
    void *ctx = a->ctx;
    size_t live_n = *nlive;
    int err = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t op = ops[i];

        if (op & BENCH_OP_FREE) {
            uint32_t j = op & ~BENCH_OP_FREE;

            if (release(ctx, live[j]) != 0) {
                err = -1;
                break;
            }
            live[j] = live[--live_n];
        } else {
            size_t size = (size_t)BENCH_PAGE << op;
            void *p = alloc(ctx, size);

            if (p == NULL) {
                err = -1;
                break;
            }
            touch_block(p, size, touch);
            live[live_n++] = p;
        }
    }
    *nlive = live_n;
    return err;
}

__attribute__((noinline)) int bench_loop_mixed(const struct bench_alloc *a,
                                               const uint32_t *ops, size_t n,
                                               void **live, size_t *nlive)
{
#define MIXED(t) loop_mixed(a, ops, n, live, nlive, t)
    TOUCH_DISPATCH(MIXED)
#undef MIXED
}

/* The touch is inside the sample: what the caller of one allocation waits
 * for before the block is usable. */
static inline __attribute__((always_inline)) int
loop_mixed_ticks(const struct bench_alloc *a, const uint32_t *ops, size_t n,
                 void **live, size_t *nlive, uint32_t *ticks,
                 enum bench_touch touch)
{
    void *(*alloc)(void *, size_t) = a->alloc;
    int (*release)(void *, void *) = a->free;
    void *ctx = a->ctx;
    size_t live_n = *nlive;
    int err = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t op = ops[i];
        uint64_t t0 = bench_ticks(), t1;

        if (op & BENCH_OP_FREE) {
            uint32_t j = op & ~BENCH_OP_FREE;

            err = release(ctx, live[j]);
            live[j] = live[--live_n];
        } else {
            size_t size = (size_t)BENCH_PAGE << op;
            void *p = alloc(ctx, size);

            err = p == NULL;
            if (p != NULL)
                touch_block(p, size, touch);
            live[live_n++] = p;
        }
        t1 = bench_ticks();
        if (err != 0) {
            err = -1;
            break;
        }
        ticks[i] = t1 - t0 > UINT32_MAX ? UINT32_MAX : (uint32_t)(t1 - t0);
    }
    *nlive = live_n;
    return err;
}

__attribute__((noinline)) int
bench_loop_mixed_ticks(const struct bench_alloc *a, const uint32_t *ops,
                       size_t n, void **live, size_t *nlive, uint32_t *ticks)
{
#define TICKS(t) loop_mixed_ticks(a, ops, n, live, nlive, ticks, t)
    TOUCH_DISPATCH(TICKS)
#undef TICKS
}

static inline __attribute__((always_inline)) int
loop_alloc(const struct bench_alloc *a, size_t size, void **ptrs, size_t n,
           enum bench_touch touch)
{
    for (size_t i = 0; i < n; i++) {
        if ((ptrs[i] = a->alloc(a->ctx, size)) == NULL)
            return -1;
        touch_block(ptrs[i], size, touch);
    }
    return 0;
}

__attribute__((noinline)) int bench_loop_alloc(const struct bench_alloc *a,
                                               size_t size, void **ptrs,
                                               size_t n)
{
#define ALLOC(t) loop_alloc(a, size, ptrs, n, t)
    TOUCH_DISPATCH(ALLOC)
#undef ALLOC
}

__attribute__((noinline)) int bench_loop_free(const struct bench_alloc *a,
                                              void *const *ptrs,
                                              const uint32_t *perm, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a->free(a->ctx, ptrs[perm[i]]) != 0)
            return -1;
    return 0;
}

/* ---- the clock ----------------------------------------------------------- */

double bench_ticks_per_ns(void)
{
    uint64_t t0 = bench_now_ns(), c0 = bench_ticks(), t1, c1;

    do
        t1 = bench_now_ns();
    while (t1 - t0 < 20000000u);
    c1 = bench_ticks();
    return (double)(c1 - c0) / (double)(t1 - t0);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

double bench_tick_overhead(void)
{
    enum { N = 100001 };
    static uint32_t d[N];

    for (int i = 0; i < N; i++) {
        uint64_t t0 = bench_ticks();

        d[i] = (uint32_t)(bench_ticks() - t0);
    }
    qsort(d, N, sizeof(d[0]), cmp_u32);
    return d[N / 2];
}

/* ---- random numbers and the mixed trace --------------------------------- */

/* p(k) = 0.6 * 0.4^k for k = 0..10; the 0.4^11 left over goes to 10. */
static unsigned draw_order(uint64_t *s)
{
    double u = (double)(splitmix64(s) >> 11) * 0x1.0p-53, p = 0.6, acc = 0.6;
    unsigned k = 0;

    while (u >= acc && k < BENCH_MIXED_MAX_ORDER) {
        k++;
        p *= 0.4;
        acc += p;
    }
    return k;
}

struct trace {
    uint32_t *ops;  /* fill, then the measured operations */
    size_t nfill;   /* allocations that fill to the target */
    size_t nops;    /* measured operations after them */
    size_t max_live;
};

/*
 * Fill to `target` bytes, then n operations: a fair coin picks alloc or
 * free, turned into the other one when it would leave the band
 * [target - 4 MiB, target + 4 MiB]. Since no block exceeds 4 MiB, one of
 * the two always stays inside.
 */
static int trace_make(struct trace *t, uint64_t seed, uint64_t target,
                      size_t n)
{
    uint64_t s = seed, live = 0;
    uint64_t hi = target + BENCH_MIXED_BAND;
    uint64_t lo = target > BENCH_MIXED_BAND ? target - BENCH_MIXED_BAND : 0;
    size_t cap = (size_t)(hi / BENCH_PAGE) + 2, nlive = 0, i = 0, max_ops;
    uint8_t *orders = malloc(cap);

    memset(t, 0, sizeof(*t));
    max_ops = cap + n;
    t->ops = malloc(max_ops * sizeof(uint32_t));
    if (orders == NULL || t->ops == NULL) {
        free(orders);
        free(t->ops);
        return -1;
    }
    while (live < target) {
        unsigned k = draw_order(&s);

        orders[nlive++] = (uint8_t)k;
        live += (uint64_t)BENCH_PAGE << k;
        t->ops[i++] = k;
    }
    t->nfill = i;
    t->max_live = nlive;
    for (size_t m = 0; m < n; m++) {
        unsigned k = draw_order(&s);
        uint64_t r = splitmix64(&s);
        size_t j = nlive != 0 ? (size_t)((r >> 1) % nlive) : 0;
        int can_alloc = live + ((uint64_t)BENCH_PAGE << k) <= hi;
        int can_free = nlive != 0 &&
                       live - ((uint64_t)BENCH_PAGE << orders[j]) >= lo;
        int do_alloc = (r & 1) ? can_alloc : !can_free;

        if (do_alloc) {
            orders[nlive++] = (uint8_t)k;
            live += (uint64_t)BENCH_PAGE << k;
            t->ops[i++] = k;
            if (nlive > t->max_live)
                t->max_live = nlive;
        } else {
            live -= (uint64_t)BENCH_PAGE << orders[j];
            orders[j] = orders[--nlive];
            t->ops[i++] = BENCH_OP_FREE | (uint32_t)j;
        }
    }
    t->nops = n;
    free(orders);
    return 0;
}

/* ---- page faults --------------------------------------------------------- */

/* Minor page faults of the whole process so far (every thread's). */
static double minor_faults(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_minflt : NAN;
}

/* A harness array written before the measured window, so that its first
 * touches are not counted (or timed) as the allocator's. */
static void prefault(void *p, size_t size)
{
    if (p != NULL)
        memset(p, 0, size);
}

/* ---- threads ------------------------------------------------------------- */

/* What thread 0 reads at the edges of the measured window. */
struct window_edge {
    struct bench_counters c; /* the zone's (all 0 for peers) */
    double faults;           /* the process's minor faults */
};

struct thread_job {
    const struct bench_alloc *a;
    enum bench_workload w;
    uint64_t count;          /* pairs (hot) or operations (mixed) */
    uint64_t live_bytes;     /* this thread's mixed target */
    uint64_t seed;
    pthread_barrier_t *start;
    uint64_t t0, t1;         /* this thread's measured interval */
    struct window_edge *edge; /* thread 0: [0] at the start, [1] at the
                                 end of the measured window */
    int err;
};

/* Every thread waits; while they all wait, thread 0 reads the counters
 * into *e (so they cover exactly the measured window). */
static void edge_at_barrier(struct thread_job *j, struct window_edge *e)
{
    pthread_barrier_wait(j->start);
    if (e != NULL) {
        bench_alloc_counters(j->a, &e->c);
        e->faults = minor_faults();
    }
    pthread_barrier_wait(j->start);
}

static void *thread_run(void *arg)
{
    struct thread_job *j = arg;
    struct trace t = {0};
    void **live = NULL;
    size_t nlive = 0;

    if (j->w == W_MIXED) {
        if (trace_make(&t, j->seed, j->live_bytes, (size_t)j->count) != 0 ||
            (live = malloc(sizeof(void *) * (t.max_live + 1))) == NULL) {
            j->err = 2;
        } else {
            prefault(live, sizeof(void *) * (t.max_live + 1));
            if (bench_loop_mixed(j->a, t.ops, t.nfill, live, &nlive) != 0)
                j->err = 1;
        }
    }
    edge_at_barrier(j, j->edge != NULL ? &j->edge[0] : NULL);
    j->t0 = bench_now_ns();
    if (j->err == 0) {
        if (j->w == W_HOT)
            j->err = bench_loop_hot(j->a, BENCH_PAGE, j->count) != 0;
        else
            j->err = bench_loop_mixed(j->a, t.ops + t.nfill, t.nops, live,
                                      &nlive) != 0;
    }
    j->t1 = bench_now_ns();
    edge_at_barrier(j, j->edge != NULL ? &j->edge[1] : NULL);
    /* Give everything back, untimed, so the validator sees a whole zone. */
    while (nlive > 0)
        if (j->a->free(j->a->ctx, live[--nlive]) != 0)
            j->err = 1;
    free(live);
    free(t.ops);
    return NULL;
}

/* hot or mixed on `threads` threads sharing the allocator a[0], or each
 * with its own a[i] when the variant asks for one per thread. */
static int run_threads(const struct bench_alloc *a, enum bench_workload w,
                       unsigned threads, uint64_t count, uint64_t live_bytes,
                       struct bench_result *r)
{
    struct thread_job *jobs = calloc(threads, sizeof(*jobs));
    pthread_t *tids = calloc(threads, sizeof(*tids));
    pthread_barrier_t start;
    uint64_t t0 = UINT64_MAX, t1 = 0;
    struct window_edge e[2];
    double ops;
    int err = 0;

    if (jobs == NULL || tids == NULL) {
        free(jobs);
        free(tids);
        return 1;
    }
    pthread_barrier_init(&start, NULL, threads);
    for (unsigned i = 0; i < threads; i++) {
        jobs[i].a = a[0].v->private_heaps ? &a[i] : &a[0];
        jobs[i].w = w;
        jobs[i].count = count;
        jobs[i].live_bytes = live_bytes / threads;
        jobs[i].seed = 42 + i;
        jobs[i].start = &start;
    }
    jobs[0].edge = e;
    for (unsigned i = 1; i < threads; i++)
        if (pthread_create(&tids[i], NULL, thread_run, &jobs[i]) != 0) {
            fprintf(stderr, "bench: pthread_create failed\n");
            exit(1); /* the barrier would never open */
        }
    thread_run(&jobs[0]);
    for (unsigned i = 1; i < threads; i++)
        pthread_join(tids[i], NULL);
    pthread_barrier_destroy(&start);
    for (unsigned i = 0; i < threads; i++) {
        if (jobs[i].err != 0)
            err = 1;
        t0 = jobs[i].t0 < t0 ? jobs[i].t0 : t0;
        t1 = jobs[i].t1 > t1 ? jobs[i].t1 : t1;
    }
    ops = (double)count * threads * (w == W_HOT ? 2.0 : 1.0);
    bench_result_set(r, "ns_per_op", (double)(t1 - t0) / ops);
    bench_result_set(r, "mops", ops / (double)(t1 - t0) * 1e3);
    bench_result_set(r, "ops", ops);
    bench_result_set(r, "faults_per_op", (e[1].faults - e[0].faults) / ops);
    /* The zone's counters: one zone unless each thread has its own. */
    if (a[0].heap != NULL && !a[0].v->private_heaps) {
        const struct bench_counters *c0 = &e[0].c, *c1 = &e[1].c;
        double pairs = (double)count * threads;

        if (w == W_HOT) {
            bench_result_set(r, "splits_per_pair",
                             (double)(c1->splits - c0->splits) / pairs);
            bench_result_set(r, "merges_per_pair",
                             (double)(c1->merges - c0->merges) / pairs);
        }
        bench_result_set(r, "lock_per_kop",
                         1e3 * (double)(c1->lock_takes - c0->lock_takes) /
                             ops);
        bench_result_set(r, "zone_blocks_per_kop",
                         1e3 * (double)(c1->zone_blocks - c0->zone_blocks) /
                             ops);
    }
    free(jobs);
    free(tids);
    return err;
}

/* ---- batch --------------------------------------------------------------- */

/* One pass: n allocations, then the frees in perm's order; *faults is
 * the minor page faults the pass took. */
static int batch_pass(const struct bench_alloc *a, void **ptrs,
                      const uint32_t *perm, size_t n, uint64_t t[3],
                      double *faults)
{
    double f0 = minor_faults();
    int err;

    t[0] = bench_now_ns();
    err = bench_loop_alloc(a, BENCH_PAGE, ptrs, n);
    t[1] = bench_now_ns();
    if (err == 0)
        err = bench_loop_free(a, ptrs, perm, n);
    t[2] = bench_now_ns();
    *faults = minor_faults() - f0;
    return err;
}

/* The measured pass is the first, in a fresh process, as the workload is
 * defined: untouched, the peers' numbers include the page faults their in-band
 * headers cause on first touch and libbuddy's none (it never touches the
 * memory it manages); touched, every allocator's include the faults of the
 * caller's first write. A second pass in the same process is reported as
 * warm_*: it shows what is left once the memory has been faulted in, where
 * the allocator kept it. */
static int run_batch(const struct bench_alloc *a, size_t n,
                     struct bench_result *r)
{
    void **ptrs = malloc(n * sizeof(void *));
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    uint64_t s = 7, t[3];
    double faults;
    int err;

    if (ptrs == NULL || perm == NULL) {
        free(ptrs);
        free(perm);
        return 1;
    }
    prefault(ptrs, n * sizeof(void *));
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(splitmix64(&s) % i);
        uint32_t x = perm[i - 1];

        perm[i - 1] = perm[j];
        perm[j] = x;
    }
    err = batch_pass(a, ptrs, perm, n, t, &faults);
    bench_result_set(r, "faults_per_alloc", faults / (double)n);
    bench_result_set(r, "faults_per_op", faults / (2.0 * (double)n));
    bench_result_set(r, "ns_per_op", (double)(t[2] - t[0]) / (2.0 * (double)n));
    bench_result_set(r, "mops", 2.0 * (double)n / (double)(t[2] - t[0]) * 1e3);
    bench_result_set(r, "alloc_ns", (double)(t[1] - t[0]) / (double)n);
    bench_result_set(r, "free_ns", (double)(t[2] - t[1]) / (double)n);
    if (err == 0)
        err = batch_pass(a, ptrs, perm, n, t, &faults);
    bench_result_set(r, "warm_faults_per_alloc", faults / (double)n);
    bench_result_set(r, "warm_ns_per_op",
                     (double)(t[2] - t[0]) / (2.0 * (double)n));
    free(ptrs);
    free(perm);
    return err != 0;
}

/* ---- latency ------------------------------------------------------------- */

static double pct(const uint32_t *sorted, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);

    return sorted[i < n ? i : n - 1];
}

static int run_latency(const struct bench_alloc *a, uint64_t count,
                       uint64_t live_bytes, struct bench_result *r)
{
    struct trace t;
    void **live;
    uint32_t *ticks;
    size_t nlive = 0;
    double per_ns, overhead, f0, f1;
    int err = 0;

    if (trace_make(&t, 42, live_bytes, (size_t)count) != 0)
        return 1;
    live = malloc(sizeof(void *) * (t.max_live + 1));
    ticks = malloc(sizeof(uint32_t) * (t.nops + 1));
    if (live == NULL || ticks == NULL)
        err = 1;
    prefault(live, sizeof(void *) * (t.max_live + 1));
    prefault(ticks, sizeof(uint32_t) * (t.nops + 1));
    if (err == 0 && bench_loop_mixed(a, t.ops, t.nfill, live, &nlive) != 0)
        err = 1;
    f0 = minor_faults();
    if (err == 0 && bench_loop_mixed_ticks(a, t.ops + t.nfill, t.nops, live,
                                           &nlive, ticks) != 0)
        err = 1;
    f1 = minor_faults();
    while (nlive > 0)
        if (a->free(a->ctx, live[--nlive]) != 0)
            err = 1;
    if (err == 0) {
        per_ns = bench_ticks_per_ns();
        overhead = bench_tick_overhead();
        qsort(ticks, t.nops, sizeof(uint32_t), cmp_u32);
        bench_result_set(r, "p50_ns", pct(ticks, t.nops, 0.50) / per_ns);
        bench_result_set(r, "p99_ns", pct(ticks, t.nops, 0.99) / per_ns);
        bench_result_set(r, "p999_ns", pct(ticks, t.nops, 0.999) / per_ns);
        bench_result_set(r, "max_ns", ticks[t.nops - 1] / per_ns);
        bench_result_set(r, "faults_per_op", (f1 - f0) / (double)t.nops);
        bench_result_set(r, "timer_ticks", overhead);
        bench_result_set(r, "timer_ns", overhead / per_ns);
        bench_result_set(r, "ticks_per_ns", per_ns);
    }
    free(live);
    free(ticks);
    free(t.ops);
    return err;
}

/* ---- init ---------------------------------------------------------------- */

/* Anonymous resident memory (resident - file-backed), so that code pages
 * faulted in by a first call are not counted as the zone's. */
static double rss_bytes(void)
{
    unsigned long size, resident, shared;
    FILE *f = fopen("/proc/self/statm", "r");
    int n;

    if (f == NULL)
        return NAN;
    n = fscanf(f, "%lu %lu %lu", &size, &resident, &shared);
    fclose(f);
    return n == 3 ? (double)(resident - shared) * (double)sysconf(_SC_PAGESIZE)
                  : NAN;
}

static void key(char *buf, size_t size, const char *tag, const char *what)
{
    snprintf(buf, size, "%s_%s", tag, what);
}

/* One zone size: the core (buddy_zone_init with BUDDY_ZONE_META_ZEROED +
 * buddy_zone_add_range of the whole span on metadata from a fresh
 * MAP_NORESERVE mapping), then a whole buddy_heap_create. A mapping the
 * machine refuses (strict overcommit) is reported as missing keys, not as
 * a failure: it says nothing about libbuddy. */
static int init_one(const char *tag, uint64_t bytes, struct bench_result *r)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct buddy_heap *h;
    struct buddy_zone *z;
    size_t meta_size;
    uint64_t t0, t1, t2, free_pages = 0;
    double rss0, rss1;
    buddy_pfn_t pfn;
    char k[32];
    void *meta;
    int err;

    cfg.nr_pages = bytes / BENCH_PAGE;
    cfg.page_size = BENCH_PAGE;
    cfg.flags = BUDDY_ZONE_META_ZEROED;
    meta_size = buddy_zone_meta_size(&cfg);
    key(k, sizeof(k), tag, "meta_bytes");
    bench_result_set(r, k, (double)meta_size);
    key(k, sizeof(k), tag, "meta_per_page");
    bench_result_set(r, k, (double)meta_size / (double)cfg.nr_pages);
    meta = mmap(NULL, meta_size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (meta == MAP_FAILED) {
        fprintf(stderr, "bench: init %s: mmap of %zu bytes refused; "
                "skipped\n", tag, meta_size);
        return 0;
    }
    rss0 = rss_bytes();
    t0 = bench_now_ns();
    err = buddy_zone_init(meta, meta_size, &cfg, &z);
    if (err == 0)
        err = buddy_zone_add_range(z, 0, cfg.nr_pages);
    t1 = bench_now_ns();
    rss1 = rss_bytes();
    if (err == 0)
        err = buddy_zone_alloc_pages(z, 0, &pfn);
    t2 = bench_now_ns();
    if (err == 0)
        err = buddy_zone_free_pages(z, pfn, 0);
    if (err == 0)
        err = buddy_zone_nr_free_pages(z, &free_pages);
    if (err == 0 && free_pages != cfg.nr_pages)
        err = BUDDY_ECORRUPT;
    munmap(meta, meta_size);
    if (err != 0) {
        fprintf(stderr, "bench: init %s: %s\n", tag, buddy_strerror(err));
        return 1;
    }
    key(k, sizeof(k), tag, "core_ns");
    bench_result_set(r, k, (double)(t1 - t0));
    key(k, sizeof(k), tag, "core_rss");
    bench_result_set(r, k, rss1 - rss0);
    key(k, sizeof(k), tag, "first_alloc_ns");
    bench_result_set(r, k, (double)(t2 - t1));

    o.nr_pages = cfg.nr_pages;
    o.page_size = BENCH_PAGE;
    rss0 = rss_bytes();
    t0 = bench_now_ns();
    err = buddy_heap_create(&o, &h);
    t1 = bench_now_ns();
    rss1 = rss_bytes();
    if (err == BUDDY_ENOMEM) {
        fprintf(stderr, "bench: init %s: heap mmap refused; skipped\n", tag);
        return 0;
    }
    if (err != 0) {
        fprintf(stderr, "bench: init %s: buddy_heap_create: %s\n", tag,
                buddy_strerror(err));
        return 1;
    }
    buddy_heap_destroy(h);
    key(k, sizeof(k), tag, "heap_ns");
    bench_result_set(r, k, (double)(t1 - t0));
    key(k, sizeof(k), tag, "heap_rss");
    bench_result_set(r, k, rss1 - rss0);
    return 0;
}

static int run_init(struct bench_result *r)
{
    struct bench_result warm = {0};
    int err;

    /* Warm up: fault in the code and the stdio buffers first. */
    if (init_one("warm", (uint64_t)1 << 24, &warm) != 0)
        return 1;
    err = init_one("1g", (uint64_t)1 << 30, r);

    err |= init_one("64g", (uint64_t)64 << 30, r);
    err |= init_one("1t", (uint64_t)1 << 40, r);
    return err;
}

/* ---- cross: one thread allocates, another frees ---------------------------
 * The producer allocates 4 KiB blocks, writes each as the touch mode says
 * and hands it to the consumer through a single-producer single-consumer
 * ring; the consumer frees it. Every free is of a block another thread
 * allocated: the case per-thread caches are worst at (a free lands in the
 * freeing thread's cache, which overflows, while the allocating thread's
 * runs dry). The window is from the start to the consumer's last free;
 * times are per operation, an alloc or a free. */

#define CROSS_RING 256u /* a power of two */

struct cross_ring {
    void *slot[CROSS_RING];
    _Alignas(64) uint64_t head; /* blocks put in (the producer's) */
    _Alignas(64) uint64_t tail; /* blocks taken out (the consumer's) */
};

struct cross_job {
    const struct bench_alloc *a;
    struct cross_ring *ring;
    uint64_t count;
    pthread_barrier_t *start;
    uint64_t t1; /* the consumer's end */
    int err;
};

/* Wait for the other side: spin a little, then let it run (the machine may
 * have fewer free CPUs than threads). */
static void cross_wait(unsigned *spins)
{
    if (++*spins < 64)
        return;
    *spins = 0;
    sched_yield();
}

static void *cross_consumer(void *arg)
{
    struct cross_job *j = arg;
    struct cross_ring *r = j->ring;
    uint64_t tail = 0;

    pthread_barrier_wait(j->start);
    while (tail < __atomic_load_n(&j->count, __ATOMIC_ACQUIRE)) {
        unsigned spins = 0;

        while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == tail) {
            if (tail >= __atomic_load_n(&j->count, __ATOMIC_ACQUIRE))
                goto done; /* the producer stopped short */
            cross_wait(&spins);
        }
        if (j->a->free(j->a->ctx, r->slot[tail % CROSS_RING]) != 0)
            j->err = 1;
        tail++;
        __atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
    }
done:
    j->t1 = bench_now_ns();
    return NULL;
}

static int run_cross(const struct bench_alloc *a, uint64_t count,
                     struct bench_result *r)
{
    struct cross_ring *ring = aligned_alloc(64, sizeof(*ring));
    struct bench_counters c0, c1;
    pthread_barrier_t start;
    struct cross_job job;
    pthread_t tid;
    uint64_t head = 0, t0;
    double f0, ops = 2.0 * (double)count;
    int err = 0;

    if (ring == NULL)
        return 1;
    memset(ring, 0, sizeof(*ring));
    pthread_barrier_init(&start, NULL, 2);
    job = (struct cross_job){a, ring, count, &start, 0, 0};
    if (pthread_create(&tid, NULL, cross_consumer, &job) != 0) {
        fprintf(stderr, "bench: pthread_create failed\n");
        exit(1);
    }
    bench_alloc_counters(a, &c0);
    f0 = minor_faults();
    pthread_barrier_wait(&start);
    t0 = bench_now_ns();
    while (head < count && err == 0) {
        unsigned spins = 0;
        void *p;

        while (head - __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE) ==
               CROSS_RING)
            cross_wait(&spins);
        p = a->alloc(a->ctx, BENCH_PAGE);
        if (p == NULL) {
            err = 1;
            break;
        }
        touch_block(p, BENCH_PAGE, a->touch);
        ring->slot[head % CROSS_RING] = p;
        head++;
        __atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
    }
    if (err != 0) /* let the consumer finish what was handed over */
        __atomic_store_n(&job.count, head, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    pthread_barrier_destroy(&start);
    bench_alloc_counters(a, &c1);
    if (job.err != 0)
        err = 1;
    bench_result_set(r, "ns_per_op", (double)(job.t1 - t0) / ops);
    bench_result_set(r, "mops", ops / (double)(job.t1 - t0) * 1e3);
    bench_result_set(r, "ops", ops);
    bench_result_set(r, "faults_per_op", (minor_faults() - f0) / ops);
    if (a->heap != NULL) {
        bench_result_set(r, "lock_per_kop",
                         1e3 * (double)(c1.lock_takes - c0.lock_takes) / ops);
        bench_result_set(r, "zone_blocks_per_kop",
                         1e3 * (double)(c1.zone_blocks - c0.zone_blocks) /
                             ops);
    }
    free(ring);
    return err;
}

/* ---- one workload -------------------------------------------------------- */

int bench_workload_run(const struct bench_variant *v, enum bench_workload w,
                       unsigned threads, uint64_t count, uint64_t live_bytes,
                       enum bench_touch touch, struct bench_result *r)
{
    unsigned nr = v->private_heaps ? threads : 1, opened = 0;
    struct bench_alloc *a;
    int err = 0;

    memset(r, 0, sizeof(*r));
    if (w == W_INIT)
        return run_init(r);
    if (v->kind == K_BUDDY && v->private_heaps && w != W_HOT && w != W_MIXED)
        return 2; /* private heaps only mean something with threads */
    if (v->handle && (threads > 1 || w == W_CROSS))
        return 2; /* a handle is one thread's */
    a = calloc(nr, sizeof(*a));
    if (a == NULL)
        return 1;
    while (opened < nr && err == 0)
        if ((err = bench_alloc_open(v, &a[opened])) == 0)
            a[opened++].touch = touch;
    if (err == 0) {
        switch (w) {
        case W_HOT:
        case W_MIXED:
            err = run_threads(a, w, threads, count, live_bytes, r);
            break;
        case W_BATCH:
            err = run_batch(&a[0], (size_t)count, r);
            break;
        case W_LATENCY:
            err = run_latency(&a[0], count, live_bytes, r);
            break;
        case W_CROSS:
            err = run_cross(&a[0], count, r);
            break;
        default:
            err = 1;
        }
        if (err != 0)
            fprintf(stderr, "bench: %s %s: an allocation or free failed\n",
                    v->name, bench_workload_names[w]);
    }
    while (opened > 0)
        if (bench_alloc_close(&a[--opened]) != 0)
            err = 1;
    free(a);
    return err;
}
