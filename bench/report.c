/* SPDX-License-Identifier: MIT */
/*
 * report.c: medians and ratios of one run, as tables for people or one
 * JSON document for machines (--json), with the run's identity (date,
 * commit, host, command line) at the top of either.
 *
 * Every time is nanoseconds per operation, an operation being one
 * allocation or one free (a hot pair is two). "vs libbuddy" is the
 * allocator's time over libbuddy's (static, per-thread caches, byte API)
 * in the same round and touch mode, median over rounds: above 1 libbuddy
 * is faster. "spread" is (max - min) / median over rounds, to show how
 * noisy the machine was. Each section prints one table per touch mode, the
 * headline (first: each block's first byte written) first and the
 * untouched last. The targets' verdicts come from targets.c.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "timer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_commit.h"
#include "buddy/buddy.h"
#include "util.h"

/* ---- statistics ----------------------------------------------------------- */

static unsigned collect(const struct bench_run *b, const struct bench_job *j,
                        const char *key, double *v)
{
    unsigned n = 0;

    for (unsigned r = 0; r < b->rounds_done; r++) {
        double x;

        if (j->status[r] != 0)
            continue;
        x = bench_result_get(&j->runs[r], key);
        if (!isnan(x))
            v[n++] = x;
    }
    return n;
}

double bench_job_median(const struct bench_run *b, const struct bench_job *j,
                        const char *key)
{
    double v[BENCH_MAX_ROUNDS];

    if (j == NULL)
        return NAN;
    return median_of(v, collect(b, j, key, v));
}

double bench_job_spread(const struct bench_run *b, const struct bench_job *j,
                        const char *key)
{
    double v[BENCH_MAX_ROUNDS], m;
    unsigned n;

    if (j == NULL)
        return NAN;
    n = collect(b, j, key, v);
    m = median_of(v, n); /* sorts v */
    return n == 0 || m == 0 ? NAN : (v[n - 1] - v[0]) / m;
}

double bench_job_ratio2(const struct bench_run *b, const struct bench_job *a,
                        const struct bench_job *bj, const struct bench_job *c,
                        const struct bench_job *d, const char *key)
{
    double v[BENCH_MAX_ROUNDS];
    unsigned n = 0;

    if (a == NULL || bj == NULL || c == NULL || d == NULL)
        return NAN;
    for (unsigned r = 0; r < b->rounds_done; r++) {
        double x[4];
        const struct bench_job *j[4] = {a, bj, c, d};
        int ok = 1;

        for (unsigned k = 0; k < 4 && ok; k++) {
            ok = j[k]->status[r] == 0;
            if (ok)
                x[k] = bench_result_get(&j[k]->runs[r], key);
            ok = ok && !isnan(x[k]) && x[k] != 0;
        }
        if (ok)
            v[n++] = (x[0] / x[1]) / (x[2] / x[3]);
    }
    return median_of(v, n);
}

double bench_job_ratio(const struct bench_run *b, const struct bench_job *j,
                       const struct bench_job *ref, const char *key)
{
    double v[BENCH_MAX_ROUNDS];
    unsigned n = 0;

    if (j == NULL || ref == NULL)
        return NAN;
    for (unsigned r = 0; r < b->rounds_done; r++) {
        double x, y;

        if (j->status[r] != 0 || ref->status[r] != 0)
            continue;
        x = bench_result_get(&j->runs[r], key);
        y = bench_result_get(&ref->runs[r], key);
        if (!isnan(x) && !isnan(y) && y != 0)
            v[n++] = x / y;
    }
    return median_of(v, n);
}

const struct bench_job *bench_find_job(const struct bench_run *b,
                                       enum bench_workload w,
                                       const char *variant, unsigned threads,
                                       enum bench_touch touch)
{
    return bench_find_job_in(b, w == W_HOT ? S_HOT : -1, w, variant, threads,
                             touch);
}

/* Only hot is measured once per section (the threads section's runs are
 * longer); every other workload's job is shared between sections. */
const struct bench_job *bench_find_job_in(const struct bench_run *b,
                                          int section, enum bench_workload w,
                                          const char *variant, unsigned threads,
                                          enum bench_touch touch)
{
    int v = bench_variant_find(variant);

    touch = bench_touch_effective(w, touch);
    for (unsigned i = 0; i < b->nr_jobs; i++)
        if (b->jobs[i].w == w && b->jobs[i].variant == v &&
            b->jobs[i].threads == threads && b->jobs[i].touch == touch &&
            (section < 0 || w != W_HOT || b->jobs[i].section == section))
            return &b->jobs[i];
    return NULL;
}

unsigned bench_touch_order(const struct bench_run *b, enum bench_touch *out)
{
    static const enum bench_touch order[] = {TOUCH_FIRST, TOUCH_PAGES,
                                             TOUCH_NONE};
    unsigned n = 0;

    for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (b->opt.touch & (1u << order[i]))
            out[n++] = order[i];
    return n;
}

enum bench_touch bench_headline_touch(const struct bench_run *b)
{
    enum bench_touch order[TOUCH_COUNT];

    return bench_touch_order(b, order) > 0 ? order[0] : TOUCH_NONE;
}

double bench_cg_ir(const struct bench_cg *cg, int variant, unsigned w,
                   enum bench_touch touch, int net)
{
    double x = NAN, base = NAN;

    if (cg == NULL)
        return NAN;
    touch = bench_touch_effective(w == 0 ? W_HOT : W_MIXED, touch);
    for (unsigned i = 0; i < cg->nr_rows; i++) {
        const struct bench_cg_row *r = &cg->rows[i];

        if (r->touch != touch)
            continue;
        if (r->variant == variant)
            x = r->ir[w];
        if (bench_variants[r->variant].kind == K_NULL)
            base = r->ir[w];
    }
    return net ? x - base : x;
}

/* ---- formatting ---------------------------------------------------------- */

static const char *fmt_time(char *buf, size_t size, double ns)
{
    if (isnan(ns))
        snprintf(buf, size, "-");
    else if (ns < 1e3)
        snprintf(buf, size, "%.0f ns", ns);
    else if (ns < 1e6)
        snprintf(buf, size, "%.1f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, size, "%.2f ms", ns / 1e6);
    else
        snprintf(buf, size, "%.2f s", ns / 1e9);
    return buf;
}

static const char *fmt_bytes(char *buf, size_t size, double bytes)
{
    if (isnan(bytes))
        snprintf(buf, size, "-");
    else if (bytes < 1024)
        snprintf(buf, size, "%.0f B", bytes);
    else if (bytes < 1024.0 * 1024)
        snprintf(buf, size, "%.0f KiB", bytes / 1024);
    else
        snprintf(buf, size, "%.1f MiB", bytes / 1024 / 1024);
    return buf;
}

static const char *fmt_ratio(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2fx", x);
    return buf;
}

static const char *fmt_num(char *buf, size_t size, const char *fmt, double x)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, fmt, x);
    return buf;
}

static int section_on(const struct bench_run *b, int s)
{
    return b->opt.only == 0 || (b->opt.only & (1u << s)) != 0;
}

/* What a touch mode means, for titles. */
static const char *touch_words(enum bench_touch t)
{
    return t == TOUCH_FIRST ? "first byte of each block written"
           : t == TOUCH_PAGES ? "one byte in every page of each block written"
                              : "nothing written, the allocator alone";
}

/* "touch first (...)" for a table's title, saying when one measurement
 * stands for two modes (hot and batch blocks are one page). */
static void touch_title(char *buf, size_t size, const struct bench_run *b,
                        enum bench_workload w, enum bench_touch t)
{
    int same = t == TOUCH_FIRST && bench_touch_effective(w, TOUCH_PAGES) == t &&
               (b->opt.touch & (1u << TOUCH_PAGES)) != 0;

    snprintf(buf, size, "touch %s%s: %s%s%s", bench_touch_names[t],
             same ? " (= pages: every block is one page)" : "",
             touch_words(t),
             t == bench_headline_touch(b) ? ", the headline" : "",
             t == TOUCH_NONE ? ", not what a user sees" : "");
}

/* The touch modes to print for workload w: each measured mode once. */
static unsigned touch_tables(const struct bench_run *b, enum bench_workload w,
                             enum bench_touch *out)
{
    enum bench_touch order[TOUCH_COUNT];
    unsigned n = bench_touch_order(b, order), k = 0;

    for (unsigned i = 0; i < n; i++) {
        enum bench_touch e = bench_touch_effective(w, order[i]);
        unsigned j;

        for (j = 0; j < k && out[j] != e; j++)
            ;
        if (j == k)
            out[k++] = e;
    }
    return k;
}

static void touch_list(char *buf, size_t size, const struct bench_run *b)
{
    enum bench_touch order[TOUCH_COUNT];
    unsigned n = bench_touch_order(b, order);
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                 i ? "," : "", bench_touch_names[order[i]]);
}

/* ---- the header ---------------------------------------------------------- */

static void print_header(const struct bench_run *b)
{
    char tl[64];

    touch_list(tl, sizeof(tl), b);
    printf("libbuddy %d.%d.%d benchmark\n", BUDDY_VERSION_MAJOR,
           BUDDY_VERSION_MINOR, BUDDY_VERSION_PATCH);
    printf("run:     %s, commit %s, host %s, %.0f s\n", b->date, b->commit,
           b->host, b->seconds);
    printf("command: %s\n", b->cmdline);
    printf("         every figure below, the targets' verdicts included, "
           "comes from this one run\n");
    printf("machine: %s, %ld CPUs, %s\n", b->cpu, b->cpus, b->kernel);
    if (b->load[0][0] != '\0')
        printf("load:    %s before, %s after (1, 5, 15 min averages)\n",
               b->load[0], b->load[1]);
    printf("build:   %s, %s\n", b->compiler, BENCH_BUILD_TYPE);
    printf("rounds:  median of %u (each measurement in a fresh process)%s\n",
           b->rounds_done, b->opt.quick ? ", --quick counts" : "");
    printf("touch:   %s: what each workload writes into every block right "
           "after allocating it, inside the measured window, the same for "
           "every allocator (first: the first byte; pages: a byte in every "
           "4 KiB page; none: nothing, which only the peers' in-band "
           "metadata pays for)\n", tl);
    printf("faults:  minor page faults of the worker (getrusage ru_minflt) "
           "over the measured window, per operation\n");
    printf("libbuddy: buddy_heap of 2^20 pages of 4 KiB (4 GiB), max_order "
           "18, metadata and memory mmap'd MAP_NORESERVE, memory pages %s%s, "
           "byte API (buddy_heap_alloc/free) unless said; adaptive zone lock "
           "unless said\n",
           bench_huge_name(), bench_prefault() ? ", prefaulted at create" : "");
    printf("linkage: libbuddy rows are linked statically (libbuddy.a, direct "
           "calls) except \"libbuddy (shared)\": bench_shared, linked with "
           "libbuddy.so (PLT calls), as the peers' libraries are\n");
    if (b->shared.installed)
        printf("  shared  %s (%s)\n", b->shared.version, b->shared.library);
    else
        printf("  shared  bench_shared or libbuddy.so not found: the shared "
               "rows are skipped\n");
    printf("caches:  per thread unless said; orders 0..%u, batch %u, high "
           "scaled to the zone: %u pages (the defaults); wide cache: orders "
           "0..%u, high %u pages (an option)\n", BUDDY_PCP_DEFAULT_MAX_ORDER,
           BUDDY_PCP_DEFAULT_BATCH, BENCH_ZONE_PAGES >> 10, BENCH_WIDE_MAX_ORDER,
           BENCH_WIDE_HIGH);
    printf("peers:\n");
    for (unsigned i = 0; i < bench_nr_peers; i++) {
        const struct bench_peer_info *p = &b->peers[i];

        if (p->installed)
            printf("  %-9s %s (%s%s%s)\n", bench_peers[i].name, p->version,
                   p->library, p->soname != NULL ? ", LD_PRELOAD=" : "",
                   p->soname != NULL ? p->soname : "");
        else
            printf("  %-9s not installed: skipped\n", bench_peers[i].name);
    }
}

/* ---- tables --------------------------------------------------------------- */

static void print_throughput(const struct bench_run *b, enum bench_workload w,
                             int section, const char *title)
{
    enum bench_touch tt[TOUCH_COUNT];
    unsigned nt = touch_tables(b, w, tt);

    for (unsigned k = 0; k < nt; k++) {
        const struct bench_job *ref = bench_find_job(b, w, "buddy", 1, tt[k]);
        char r[32], f[32], tline[200];

        touch_title(tline, sizeof(tline), b, w, tt[k]);
        printf("\n%s\n  %s\n", title, tline);
        printf("  %-26s %9s %9s %7s %12s %10s", "allocator", "ns/op",
               "Mops/s", "spread", "vs libbuddy", "faults/op");
        if (w == W_BATCH)
            printf(" %9s %9s %9s %9s %9s", "alloc ns", "free ns",
                   "flt/alloc", "warm ns", "flt/alloc");
        putchar('\n');
        for (unsigned i = 0; i < b->nr_jobs; i++) {
            const struct bench_job *j = &b->jobs[i];

            if (j->w != w || j->threads != 1 || j->section != section ||
                j->touch != tt[k])
                continue;
            printf("  %-26s %9.2f %9.2f %6.0f%% %12s %10s",
                   bench_variants[j->variant].label,
                   bench_job_median(b, j, "ns_per_op"),
                   bench_job_median(b, j, "mops"),
                   100 * bench_job_spread(b, j, "ns_per_op"),
                   fmt_ratio(r, sizeof(r),
                             bench_job_ratio(b, j, ref, "ns_per_op")),
                   fmt_num(f, sizeof(f), "%.4f",
                           bench_job_median(b, j, "faults_per_op")));
            if (w == W_BATCH)
                printf(" %9.2f %9.2f %9.2f %9.2f %9.2f",
                       bench_job_median(b, j, "alloc_ns"),
                       bench_job_median(b, j, "free_ns"),
                       bench_job_median(b, j, "faults_per_alloc"),
                       bench_job_median(b, j, "warm_ns_per_op"),
                       bench_job_median(b, j, "warm_faults_per_alloc"));
            putchar('\n');
        }
        if (k != 0)
            continue;
        /* What libbuddy's zone counters say (counts: the same in every
         * touch mode): splits and merges (hot), zone traffic (mixed). */
        for (unsigned i = 0; i < b->nr_jobs; i++) {
            const struct bench_job *j = &b->jobs[i];
            const char *label = bench_variants[j->variant].label;

            if (j->w != w || j->threads != 1 || j->section != section ||
                j->touch != tt[k])
                continue;
            if (w == W_HOT && !isnan(bench_job_median(b, j, "splits_per_pair")))
                printf("  (%s: %.4f splits and %.4f merges per pair)\n", label,
                       bench_job_median(b, j, "splits_per_pair"),
                       bench_job_median(b, j, "merges_per_pair"));
            if ((w == W_MIXED || w == W_CROSS) &&
                !isnan(bench_job_median(b, j, "lock_per_kop")))
                printf("  (%s: %.2f zone lock round trips and %.1f blocks "
                       "through the free lists per 1000 operations)\n", label,
                       bench_job_median(b, j, "lock_per_kop"),
                       bench_job_median(b, j, "zone_blocks_per_kop"));
        }
    }
}

static void print_latency(const struct bench_run *b)
{
    enum bench_touch tt[TOUCH_COUNT];
    unsigned nt = touch_tables(b, W_LATENCY, tt);

    for (unsigned k = 0; k < nt; k++) {
        const struct bench_job *ref =
            bench_find_job(b, W_LATENCY, "buddy", 1, tt[k]);
        char t[6][32], tline[200];

        touch_title(tline, sizeof(tline), b, W_LATENCY, tt[k]);
        printf("\nlatency: each operation of mixed timed alone, in ns (one "
               "clock reading pair and the touch included)\n  %s\n", tline);
        if (ref != NULL)
            printf("  timer: %s, %.0f ticks = %.1f ns per reading pair "
                   "(median), %.3f ticks/ns\n", BENCH_TICKS_NAME,
                   bench_job_median(b, ref, "timer_ticks"),
                   bench_job_median(b, ref, "timer_ns"),
                   bench_job_median(b, ref, "ticks_per_ns"));
        printf("  %-26s %9s %9s %9s %9s %12s %10s\n", "allocator", "p50",
               "p99", "p99.9", "max", "p99.9 vs lb", "faults/op");
        for (unsigned i = 0; i < b->nr_jobs; i++) {
            const struct bench_job *j = &b->jobs[i];

            if (j->w != W_LATENCY || j->touch != tt[k])
                continue;
            printf("  %-26s %9s %9s %9s %9s %12s %10s\n",
                   bench_variants[j->variant].label,
                   fmt_time(t[0], 32, bench_job_median(b, j, "p50_ns")),
                   fmt_time(t[1], 32, bench_job_median(b, j, "p99_ns")),
                   fmt_time(t[2], 32, bench_job_median(b, j, "p999_ns")),
                   fmt_time(t[3], 32, bench_job_median(b, j, "max_ns")),
                   fmt_ratio(t[4], 32, bench_job_ratio(b, j, ref, "p999_ns")),
                   fmt_num(t[5], 32, "%.4f",
                           bench_job_median(b, j, "faults_per_op")));
        }
    }
}

static void print_threads(const struct bench_run *b)
{
    enum bench_touch order[TOUCH_COUNT];
    unsigned T = b->opt.threads, nt = bench_touch_order(b, order);

    for (unsigned k = 0; k < nt; k++) {
        enum bench_touch tc = order[k];
        const struct bench_job *nh1, *nhn, *nm1, *nmn;

        unsigned planned = 0;

        for (unsigned i = 0; i < b->nr_jobs; i++)
            planned += b->jobs[i].section == S_THREADS &&
                       b->jobs[i].touch == tc;
        if (planned == 0)
            continue; /* --quick runs the headline mode only */
        char tline[200];

        nh1 = bench_find_job_in(b, S_THREADS, W_HOT, "null", 1, tc);
        nhn = bench_find_job_in(b, S_THREADS, W_HOT, "null", T, tc);
        nm1 = bench_find_job_in(b, S_THREADS, W_MIXED, "null", 1, tc);
        nmn = bench_find_job_in(b, S_THREADS, W_MIXED, "null", T, tc);
        touch_title(tline, sizeof(tline), b, W_MIXED, tc);
        printf("\nthreads: hot and mixed on 1 and %u threads sharing one heap "
               "(each thread its own live set), aggregate Mops/s\n  %s%s\n", T,
               tline, tc == TOUCH_PAGES ? " (hot: = first, one-page blocks)"
                                        : "");
        printf("  (hot here runs 5x the hot section's pairs per thread, 1x "
               "without a cache, 50x for null; null runs 10x mixed's "
               "operations; heap per thread: nothing shared, what sharing "
               "the zone costs; null: shares nothing, the machine's own "
               "scaling)\n");
        printf("  (scale: %u threads / 1 in the same round; of null: that "
               "scale over the null allocator's in the same round, median; "
               "locks/kop: zone lock round trips per 1000 operations and "
               "faults/op: page faults per operation, mixed on %u threads)\n",
               T, T);
        printf("  %-26s %9s %8s%u %7s %7s %9s %8s%u %7s %7s %9s %9s\n",
               "allocator", "hot 1", "hot ", T, "scale", "of null", "mixed 1",
               "mixed ", T, "scale", "of null", "locks/kop", "faults/op");
        for (unsigned i = 0; i < bench_nr_thread_variants; i++) {
            const char *v = bench_thread_variants[i];
            const struct bench_job *h1, *hn, *m1, *mn;
            char c[6][32];

            h1 = bench_find_job_in(b, S_THREADS, W_HOT, v, 1, tc);
            hn = bench_find_job_in(b, S_THREADS, W_HOT, v, T, tc);
            m1 = bench_find_job_in(b, S_THREADS, W_MIXED, v, 1, tc);
            mn = bench_find_job_in(b, S_THREADS, W_MIXED, v, T, tc);
            if (h1 == NULL && m1 == NULL)
                continue;
            printf("  %-26s %9.2f %9.2f %7s %7s %9.2f %9.2f %7s %7s %9s %9s\n",
                   bench_variants[bench_variant_find(v)].label,
                   bench_job_median(b, h1, "mops"),
                   bench_job_median(b, hn, "mops"),
                   fmt_ratio(c[0], 32, bench_job_ratio(b, hn, h1, "mops")),
                   fmt_num(c[1], 32, "%.2f",
                           bench_job_ratio2(b, hn, h1, nhn, nh1, "mops")),
                   bench_job_median(b, m1, "mops"),
                   bench_job_median(b, mn, "mops"),
                   fmt_ratio(c[2], 32, bench_job_ratio(b, mn, m1, "mops")),
                   fmt_num(c[3], 32, "%.2f",
                           bench_job_ratio2(b, mn, m1, nmn, nm1, "mops")),
                   fmt_num(c[4], 32, "%.2f",
                           bench_job_median(b, mn, "lock_per_kop")),
                   fmt_num(c[5], 32, "%.4f",
                           bench_job_median(b, mn, "faults_per_op")));
        }
    }
}

static const struct {
    const char *tag, *label;
    double pages;
} init_sizes[] = {
    {"1g", "1 GiB", 262144.0},
    {"64g", "64 GiB", 16777216.0},
    {"1t", "1 TiB", 268435456.0},
};

static void print_init(const struct bench_run *b)
{
    const struct bench_job *j = bench_find_job(b, W_INIT, "buddy", 1,
                                               TOUCH_NONE);
    char k[32], t[6][32];

    if (j == NULL)
        return;
    printf("\ninit: zone of 4 KiB pages, max_order 10, metadata from a fresh "
           "mmap(MAP_NORESERVE) (no blocks: no touch)\n");
    printf("  %-7s %10s %10s %8s %12s %10s %12s %10s %10s\n", "zone", "pages",
           "metadata", "B/page", "init+add", "RSS +", "heap_create", "RSS +",
           "1st alloc");
    for (unsigned i = 0; i < 3; i++) {
        const char *tag = init_sizes[i].tag;
        double v[7];
        static const char *const what[] = {"meta_bytes", "meta_per_page",
                                           "core_ns", "core_rss", "heap_ns",
                                           "heap_rss", "first_alloc_ns"};

        for (unsigned w = 0; w < 7; w++) {
            snprintf(k, sizeof(k), "%s_%s", tag, what[w]);
            v[w] = bench_job_median(b, j, k);
        }
        printf("  %-7s %10.0f %10s %8.3f %12s %10s %12s %10s %10s\n",
               init_sizes[i].label, init_sizes[i].pages,
               fmt_bytes(t[0], 32, v[0]), v[1], fmt_time(t[1], 32, v[2]),
               fmt_bytes(t[2], 32, v[3]), fmt_time(t[3], 32, v[4]),
               fmt_bytes(t[4], 32, v[5]), fmt_time(t[5], 32, v[6]));
    }
}

static void print_targets(const struct bench_run *b)
{
    printf("\ntargets (%s, %u): the verdict, the target and its touch "
           "mode, then its figures\n", b->targets.path, b->targets.n);
    for (unsigned i = 0; i < b->targets.n; i++) {
        const struct bench_target *t = &b->targets.t[i];
        struct bench_verdict v;

        bench_target_judge(b, t, &v);
        printf("  %-12s %s%s%s\n  %-12s %s\n", bench_status_word(v.status),
               t->label, t->touch >= 0 ? ", touch " : "",
               t->touch >= 0 ? bench_touch_names[t->touch] : "", "",
               v.detail);
    }
}

/* ---- --callgrind ---------------------------------------------------------- */

static const char *fmt_ir(char *buf, size_t size, double x)
{
    return fmt_num(buf, size, "%.1f", x);
}

void bench_print_callgrind(const struct bench_run *b)
{
    const struct bench_cg *cg = b->cg;
    enum bench_touch order[TOUCH_COUNT];
    unsigned nt = bench_touch_order(b, order);

    if (cg == NULL)
        return;
    printf("\ncallgrind: instructions in the measured loop (valgrind "
           "--toggle-collect), (Ir(n2) - Ir(n1)) / (n2 - n1)\n");
    printf("  hot: n = %llu and %llu pairs; mixed: n = %llu and %llu "
           "operations after the %llu MiB fill\n",
           (unsigned long long)cg->n_hot[0], (unsigned long long)cg->n_hot[1],
           (unsigned long long)cg->n_mixed[0],
           (unsigned long long)cg->n_mixed[1],
           (unsigned long long)(b->par.mixed_live >> 20));
    printf("  net = minus the harness (the loop, two indirect calls and the "
           "touch's stores, measured with the null allocator in the same "
           "touch mode)\n");
    printf("  files kept in %s (callgrind_annotate FILE)\n", cg->dir);
    for (unsigned k = 0; k < nt; k++) {
        char tline[200];

        touch_title(tline, sizeof(tline), b, W_MIXED, order[k]);
        printf("  %s%s\n", tline, order[k] == TOUCH_PAGES
                                      ? " (hot: = first, one-page blocks)"
                                      : "");
        printf("  %-26s %12s %12s %12s %12s\n", "allocator", "hot Ir/pair",
               "net", "mixed Ir/op", "net");
        for (unsigned i = 0; i < cg->nr_rows; i++) {
            const struct bench_cg_row *r = &cg->rows[i];
            char c[4][32];

            if (r->touch != order[k])
                continue;
            for (unsigned k2 = 0; k2 < 4; k2++)
                fmt_ir(c[k2], 32, bench_cg_ir(cg, r->variant, k2 / 2,
                                              r->touch, k2 % 2));
            printf("  %-26s %12s %12s %12s %12s\n",
                   bench_variants[r->variant].label, c[0], c[1], c[2], c[3]);
        }
    }
    printf("  callgrind counts user-space instructions: page faults, cache "
           "and TLB misses are not in them, so touching changes only the "
           "harness's part\n");
}

void bench_report_table(const struct bench_run *b)
{
    char title[256];

    print_header(b);
    if (b->nr_jobs != 0)
        printf("\ntimes are ns per operation (an alloc or a free); vs "
               "libbuddy = allocator / libbuddy (static) in the same round "
               "and touch mode, median: > 1 means libbuddy is faster\n");
    snprintf(title, sizeof(title), "hot: allocate and free one 4 KiB block, "
             "%llu pairs, from a fully free zone",
             (unsigned long long)b->par.hot_pairs);
    if (b->nr_jobs != 0 && section_on(b, S_HOT))
        print_throughput(b, W_HOT, S_HOT, title);
    snprintf(title, sizeof(title), "batch: allocate %llu 4 KiB blocks, then "
             "free them in random order", (unsigned long long)b->par.batch_n);
    if (b->nr_jobs != 0 && section_on(b, S_BATCH))
        print_throughput(b, W_BATCH, S_BATCH, title);
    snprintf(title, sizeof(title), "mixed: orders 0..10, p(k) = 0.6 * 0.4^k, "
             "filled to %llu MiB live, then %llu random ops within 4 MiB of it",
             (unsigned long long)(b->par.mixed_live >> 20),
             (unsigned long long)b->par.mixed_ops);
    if (b->nr_jobs != 0 && section_on(b, S_MIXED))
        print_throughput(b, W_MIXED, S_MIXED, title);
    if (b->nr_jobs != 0 && section_on(b, S_LATENCY))
        print_latency(b);
    snprintf(title, sizeof(title), "cross: one thread allocates %llu 4 KiB "
             "blocks, another frees them (a 256-block queue between them)",
             (unsigned long long)(b->par.mixed_ops / 2));
    if (b->nr_jobs != 0 && section_on(b, S_CROSS))
        print_throughput(b, W_CROSS, S_CROSS, title);
    if (b->nr_jobs != 0 && section_on(b, S_THREADS))
        print_threads(b);
    if (b->nr_jobs != 0 && section_on(b, S_INIT))
        print_init(b);
    bench_print_callgrind(b);
    print_targets(b);
}

/* ---- JSON ----------------------------------------------------------------- */

static FILE *jf; /* where the JSON goes: stdout, or the --save file */

static void fputc_j(int c)
{
    fputc(c, jf);
}

static void fputs_j(const char *s)
{
    fputs(s, jf);
}

static void json_str(const char *s)
{
    fputc_j('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(jf, "\\%c", c);
        else if (c < 0x20)
            fprintf(jf, "\\u%04x", c);
        else
            fputc_j(c);
    }
    fputc_j('"');
}

static void json_num(double x)
{
    if (isnan(x) || isinf(x))
        fputs_j("null");
    else
        fprintf(jf, "%.6g", x);
}

static void json_keyed_num(const char *key, double x, int comma)
{
    json_str(key);
    fputc_j(':');
    json_num(x);
    if (comma)
        fputc_j(',');
}

static void json_keyed_str(const char *key, const char *s, int comma)
{
    json_str(key);
    fputc_j(':');
    json_str(s);
    if (comma)
        fputc_j(',');
}

/* Every key any round of the job reported, once. */
static unsigned job_keys(const struct bench_run *b, const struct bench_job *j,
                         const char **keys, unsigned max)
{
    unsigned n = 0;

    for (unsigned r = 0; r < b->rounds_done; r++) {
        if (j->status[r] != 0)
            continue;
        for (int i = 0; i < j->runs[r].nkv; i++) {
            unsigned k;

            for (k = 0; k < n; k++)
                if (strcmp(keys[k], j->runs[r].kv[i].key) == 0)
                    break;
            if (k == n && n < max)
                keys[n++] = j->runs[r].kv[i].key;
        }
    }
    return n;
}

static const char *linkage_of(const struct bench_variant *v)
{
    return v->kind == K_PEER ? "LD_PRELOAD"
           : v->kind == K_NULL ? "none"
           : v->shared ? "shared" : "static";
}

static void json_peer(const struct bench_peer_info *p)
{
    fprintf(jf, ",\"installed\":%s", p->installed ? "true" : "false");
    if (p->installed) {
        fputs_j(",\"library\":");
        json_str(p->library);
        fputs_j(",\"version\":");
        json_str(p->version);
    }
}

static void json_header(const struct bench_run *b)
{
    enum bench_touch order[TOUCH_COUNT];
    unsigned nt = bench_touch_order(b, order);

    fprintf(jf, "\"tool\":\"libbuddy bench\",\"libbuddy\":\"%d.%d.%d\",",
           BUDDY_VERSION_MAJOR, BUDDY_VERSION_MINOR, BUDDY_VERSION_PATCH);
    fputs_j("\"run\":{");
    json_keyed_str("date", b->date, 1);
    json_keyed_str("commit", b->commit, 1);
    json_keyed_str("host", b->host, 1);
    json_keyed_str("command", b->cmdline, 1);
    json_keyed_num("seconds", b->seconds, 0);
    fputs_j("},\"date\":");
    json_str(b->date);
    fputs_j(",\"machine\":{\"cpu\":");
    json_str(b->cpu);
    fprintf(jf, ",\"cpus\":%ld,\"kernel\":", b->cpus);
    json_str(b->kernel);
    fputs_j(",\"compiler\":");
    json_str(b->compiler);
    fputs_j(",\"build_type\":");
    json_str(BENCH_BUILD_TYPE);
    fputs_j(",\"load_before\":");
    json_str(b->load[0]);
    fputs_j(",\"load_after\":");
    json_str(b->load[1]);
    fprintf(jf, "},\"config\":{\"rounds\":%u,\"threads\":%u,\"quick\":%s,"
           "\"page_size\":%u,\"zone_pages\":%u,\"zone_max_order\":%u,"
           "\"hot_pairs\":%llu,\"batch_blocks\":%llu,\"mixed_ops\":%llu,"
           "\"mixed_live_bytes\":%llu,\"touch\":[",
           b->rounds_done, b->opt.threads, b->opt.quick ? "true" : "false",
           BENCH_PAGE, BENCH_ZONE_PAGES, BENCH_ZONE_ORDER,
           (unsigned long long)b->par.hot_pairs,
           (unsigned long long)b->par.batch_n,
           (unsigned long long)b->par.mixed_ops,
           (unsigned long long)b->par.mixed_live);
    for (unsigned k = 0; k < nt; k++) {
        if (k)
            fputc_j(',');
        json_str(bench_touch_names[order[k]]);
    }
    fputs_j("],\"headline_touch\":");
    json_str(bench_touch_names[bench_headline_touch(b)]);
    fputs_j(",\"targets_file\":");
    json_str(b->targets.path);
    fputs_j("},\"libbuddy_shared\":{\"executable\":\"bench_shared\"");
    json_peer(&b->shared);
    fputs_j("},\"peers\":[");
    for (unsigned i = 0; i < bench_nr_peers; i++) {
        const struct bench_peer_info *p = &b->peers[i];

        fprintf(jf, "%s{\"name\":", i ? "," : "");
        json_str(bench_peers[i].name);
        json_peer(p);
        if (p->installed) {
            fputs_j(",\"ld_preload\":");
            if (p->soname != NULL)
                json_str(p->soname);
            else
                fputs_j("null");
        }
        fputc_j('}');
    }
    fputs_j("],");
}

static void json_results(const struct bench_run *b)
{
    unsigned T = b->opt.threads;

    fputs_j("\"results\":[");
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct bench_job *j = &b->jobs[i];
        const struct bench_variant *v = &bench_variants[j->variant];
        const struct bench_job *ref =
            bench_find_job_in(b, j->section, j->w, "buddy", j->threads,
                              j->touch);
        const char *keys[BENCH_MAX_KV];
        unsigned nk = job_keys(b, j, keys, BENCH_MAX_KV), ok = 0;

        for (unsigned r = 0; r < b->rounds_done; r++)
            ok += j->status[r] == 0;
        fprintf(jf, "%s{\"workload\":", i ? "," : "");
        json_str(bench_workload_names[j->w]);
        fputs_j(",\"section\":");
        json_str(bench_section_names[j->section]);
        fprintf(jf, ",\"threads\":%u,\"touch\":", j->threads);
        json_str(j->w == W_INIT ? "n/a" : bench_touch_names[j->touch]);
        if ((j->w == W_HOT || j->w == W_BATCH) && j->touch == TOUCH_FIRST)
            fputs_j(",\"touch_stands_for\":[\"first\",\"pages\"]");
        fputs_j(",\"allocator\":");
        json_str(v->name);
        fputs_j(",\"label\":");
        json_str(v->label);
        fputs_j(",\"linkage\":");
        json_str(linkage_of(v));
        fprintf(jf, ",\"rounds_ok\":%u,\"median\":{", ok);
        for (unsigned k = 0; k < nk; k++)
            json_keyed_num(keys[k], bench_job_median(b, j, keys[k]),
                           k + 1 < nk);
        fputs_j("},\"ratio_to_libbuddy\":");
        json_num(j->w == W_INIT ? NAN
                 : bench_job_ratio(b, j, ref,
                                   j->w == W_LATENCY ? "p999_ns"
                                                     : "ns_per_op"));
        if (j->threads > 1) {
            const struct bench_job *one =
                bench_find_job_in(b, j->section, j->w, v->name, 1, j->touch);

            fputs_j(",\"scale_over_1_thread\":");
            json_num(bench_job_ratio(b, j, one, "mops"));
            fputs_j(",\"scale_over_null_scale\":");
            json_num(bench_job_ratio2(
                b, j, one,
                bench_find_job_in(b, S_THREADS, j->w, "null", T, j->touch),
                bench_find_job_in(b, S_THREADS, j->w, "null", 1, j->touch),
                "mops"));
        }
        fputs_j(",\"runs\":[");
        for (unsigned r = 0; r < b->rounds_done; r++) {
            fprintf(jf, "%s{\"status\":%d", r ? "," : "", j->status[r]);
            for (int k = 0; j->status[r] == 0 && k < j->runs[r].nkv; k++) {
                fputc_j(',');
                json_keyed_num(j->runs[r].kv[k].key, j->runs[r].kv[k].val, 0);
            }
            fputc_j('}');
        }
        fputs_j("]}");
    }
    fputs_j("],");
}

static void json_callgrind(const struct bench_run *b)
{
    const struct bench_cg *cg = b->cg;

    fputs_j("\"callgrind\":");
    if (cg == NULL) {
        fputs_j("null,");
        return;
    }
    fputs_j("{\"dir\":");
    json_str(cg->dir);
    fprintf(jf, ",\"hot_pairs\":[%llu,%llu],\"mixed_ops\":[%llu,%llu],"
           "\"rows\":[",
           (unsigned long long)cg->n_hot[0], (unsigned long long)cg->n_hot[1],
           (unsigned long long)cg->n_mixed[0],
           (unsigned long long)cg->n_mixed[1]);
    for (unsigned i = 0; i < cg->nr_rows; i++) {
        const struct bench_cg_row *r = &cg->rows[i];
        const struct bench_variant *v = &bench_variants[r->variant];

        fprintf(jf, "%s{\"allocator\":", i ? "," : "");
        json_str(v->name);
        fputs_j(",\"touch\":");
        json_str(bench_touch_names[r->touch]);
        fputs_j(",\"linkage\":");
        json_str(linkage_of(v));
        fputc_j(',');
        json_keyed_num("hot_ir_per_pair",
                       bench_cg_ir(cg, r->variant, 0, r->touch, 0), 1);
        json_keyed_num("hot_ir_per_pair_net",
                       bench_cg_ir(cg, r->variant, 0, r->touch, 1), 1);
        json_keyed_num("mixed_ir_per_op",
                       bench_cg_ir(cg, r->variant, 1, r->touch, 0), 1);
        json_keyed_num("mixed_ir_per_op_net",
                       bench_cg_ir(cg, r->variant, 1, r->touch, 1), 0);
        fputc_j('}');
    }
    fputs_j("]},");
}

static void json_targets(const struct bench_run *b)
{
    fputs_j("\"targets\":[");
    for (unsigned i = 0; i < b->targets.n; i++) {
        const struct bench_target *t = &b->targets.t[i];
        struct bench_verdict v;

        bench_target_judge(b, t, &v);
        fprintf(jf, "%s{", i ? "," : "");
        json_keyed_str("name", t->label, 1);
        fprintf(jf, "\"line\":%u,", t->line);
        json_keyed_str("workload", t->workload, 1);
        json_keyed_str("metric", t->metric, 1);
        json_keyed_str("subject", bench_variants[t->subject].name, 1);
        json_keyed_str("against",
                       t->against == AGAINST_NONE    ? "-"
                       : t->against == AGAINST_PEERS ? "peers"
                       : bench_variants[t->against].name, 1);
        json_keyed_str("comparison", bench_cmp_name(t->cmp), 1);
        json_keyed_num("value", t->value, 1);
        json_keyed_str("touch", t->touch < 0 ? "-"
                                             : bench_touch_names[t->touch], 1);
        json_keyed_num("figure", v.figure, 1);
        fprintf(jf, "\"met\":%s,",
               v.status == T_MET ? "true"
               : v.status == T_MISSED ? "false" : "null");
        json_keyed_str("status", bench_status_word(v.status), 1);
        json_keyed_str("detail", v.detail, 0);
        fputc_j('}');
    }
    fputs_j("],");
}

void bench_report_json(const struct bench_run *b, FILE *out)
{
    jf = out;
    fputc_j('{');
    json_header(b);
    fprintf(jf, "\"timer\":{\"kind\":");
    json_str(BENCH_TICKS_NAME);
    fputc_j(',');
    {
        const struct bench_job *l =
            bench_find_job(b, W_LATENCY, "buddy", 1, bench_headline_touch(b));

        json_keyed_num("overhead_ticks", bench_job_median(b, l, "timer_ticks"),
                       1);
        json_keyed_num("overhead_ns", bench_job_median(b, l, "timer_ns"), 1);
        json_keyed_num("ticks_per_ns", bench_job_median(b, l, "ticks_per_ns"),
                       0);
    }
    fputs_j("},");
    json_results(b);
    json_callgrind(b);
    json_targets(b);
    fprintf(jf, "\"failures\":%d}\n", b->failures);
}
