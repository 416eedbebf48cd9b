/* SPDX-License-Identifier: MIT */
/*
 * report.c: medians, ratios and targets, as tables for people or one JSON
 * document for machines (--json).
 *
 * Every time is nanoseconds per operation, an operation being one
 * allocation or one free (a hot pair is two). "vs libbuddy" is the peer's
 * time over libbuddy's (per-thread caches, byte API) in the same round,
 * median over rounds: above 1 libbuddy is faster. "spread" is
 * (max - min) / median over rounds, to show how noisy the machine was.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "timer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"

/* ---- statistics ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median_of(double *v, unsigned n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

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
    double v[256];

    if (j == NULL)
        return NAN;
    return median_of(v, collect(b, j, key, v));
}

double bench_job_spread(const struct bench_run *b, const struct bench_job *j,
                        const char *key)
{
    double v[256], m;
    unsigned n;

    if (j == NULL)
        return NAN;
    n = collect(b, j, key, v);
    m = median_of(v, n); /* sorts v */
    return n == 0 || m == 0 ? NAN : (v[n - 1] - v[0]) / m;
}

double bench_job_ratio(const struct bench_run *b, const struct bench_job *j,
                       const struct bench_job *ref, const char *key)
{
    double v[256];
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
                                       const char *variant, unsigned threads)
{
    return bench_find_job_in(b, -1, w, variant, threads);
}

/* As bench_find_job, in one section (-1: any). The threads section runs
 * its own, longer hot jobs (bench.c: job_count). */
const struct bench_job *bench_find_job_in(const struct bench_run *b,
                                          int section, enum bench_workload w,
                                          const char *variant, unsigned threads)
{
    int v = bench_variant_find(variant);

    for (unsigned i = 0; i < b->nr_jobs; i++)
        if (b->jobs[i].w == w && b->jobs[i].variant == v &&
            b->jobs[i].threads == threads &&
            (section < 0 || b->jobs[i].section == section))
            return &b->jobs[i];
    return NULL;
}

/* ---- targets -------------------------------------------------------------- */

/* T_MACHINE: the machine cannot show it (2 threads of the null allocator,
 * which share nothing, do not reach the target themselves). */
enum { T_MISSED = 0, T_MET = 1, T_UNKNOWN = -1, T_MACHINE = -2 };

struct target {
    const char *name;
    int status;
    char text[256];
};

static int status_of(double value, double limit, int below)
{
    if (isnan(value))
        return T_UNKNOWN;
    return below ? value <= limit : value >= limit;
}

static const char *status_word(int s)
{
    return s == T_MET ? "met" : s == T_MISSED ? "MISSED"
           : s == T_MACHINE ? "machine-limited" : "not measured";
}

/* hot (*x) and mixed (*y) throughput of variant v on T threads over one,
 * and the scaling target's status given the machine's own scale. */
static int scale_status(const struct bench_run *b, const char *v, unsigned T,
                        double machine, double *x, double *y)
{
    *x = bench_job_ratio(b, bench_find_job_in(b, S_THREADS, W_HOT, v, T),
                         bench_find_job_in(b, S_THREADS, W_HOT, v, 1), "mops");
    *y = bench_job_ratio(b, bench_find_job(b, W_MIXED, v, T),
                         bench_find_job(b, W_MIXED, v, 1), "mops");
    return T < 2 ? T_UNKNOWN
           : isnan(*x) || isnan(*y) ? T_UNKNOWN
           : *x >= 1.8 && *y >= 1.8 ? T_MET
           : machine < 1.8 ? T_MACHINE : T_MISSED;
}

/* The targets from this run (the instruction count one comes from
 * --callgrind). Returns how many were filled. */
static unsigned eval_targets(const struct bench_run *b, struct target *t)
{
    const struct bench_job *hot = bench_find_job(b, W_HOT, "buddy", 1);
    const struct bench_job *mixed = bench_find_job(b, W_MIXED, "buddy", 1);
    const struct bench_job *lat = bench_find_job(b, W_LATENCY, "buddy", 1);
    const struct bench_job *init = bench_find_job(b, W_INIT, "buddy", 1);
    const struct bench_job *tc = bench_find_job(b, W_HOT, "tcmalloc", 1);
    const struct bench_job *mi = bench_find_job(b, W_MIXED, "mimalloc", 1);
    unsigned n = 0, T = b->opt.threads;
    double x, y, worst;
    const char *who;

    t[n].name = "hot <= 20 instructions per alloc+free pair";
    t[n].status = T_UNKNOWN;
    snprintf(t[n].text, sizeof(t[n].text), "see bench --callgrind");
    n++;

    t[n].name = "hot faster than tcmalloc";
    x = bench_job_ratio(b, tc, hot, "ns_per_op");
    t[n].status = status_of(x, 1.0, 0) == T_MET && x > 1.0 ? T_MET
                  : isnan(x) ? T_UNKNOWN : T_MISSED;
    snprintf(t[n].text, sizeof(t[n].text),
             "libbuddy %.2f ns/op, tcmalloc %.2f: tcmalloc/libbuddy = %.2fx",
             bench_job_median(b, hot, "ns_per_op"),
             bench_job_median(b, tc, "ns_per_op"), x);
    n++;

    t[n].name = "mixed >= 2x faster than mimalloc";
    x = bench_job_ratio(b, mi, mixed, "ns_per_op");
    t[n].status = status_of(x, 2.0, 0);
    snprintf(t[n].text, sizeof(t[n].text),
             "libbuddy %.1f ns/op, mimalloc %.1f: mimalloc/libbuddy = %.2fx",
             bench_job_median(b, mixed, "ns_per_op"),
             bench_job_median(b, mi, "ns_per_op"), x);
    n++;

    t[n].name = "N threads >= 1.8x the throughput of one (N = 2)";
    worst = bench_job_ratio(b, bench_find_job_in(b, S_THREADS, W_HOT, "null", T),
                            bench_find_job_in(b, S_THREADS, W_HOT, "null", 1),
                            "mops");
    t[n].status = scale_status(b, "buddy", T, worst, &x, &y);
    snprintf(t[n].text, sizeof(t[n].text),
             "%u threads / 1: hot %.2fx, mixed %.2fx; the null allocator "
             "(shares nothing) %.2fx on %ld CPUs", T, x, y, worst, b->cpus);
    n++;

    t[n].name = "  the same with the wide cache (an option)";
    t[n].status = scale_status(b, "buddy-wide", T, worst, &x, &y);
    snprintf(t[n].text, sizeof(t[n].text),
             "%u threads / 1: hot %.2fx, mixed %.2fx (pcp max_order %u, "
             "high %u pages)", T, x, y, BENCH_WIDE_MAX_ORDER, BENCH_WIDE_HIGH);
    n++;

    t[n].name = "latency p99.9 below every peer's";
    x = bench_job_median(b, lat, "p999_ns");
    worst = INFINITY;
    who = "no peer";
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct bench_job *j = &b->jobs[i];
        double p;

        if (j->w != W_LATENCY || bench_variants[j->variant].kind != K_PEER)
            continue;
        p = bench_job_median(b, j, "p999_ns");
        if (!isnan(p) && p < worst) {
            worst = p;
            who = bench_variants[j->variant].label;
        }
    }
    t[n].status = isnan(x) || isinf(worst) ? T_UNKNOWN : x < worst;
    snprintf(t[n].text, sizeof(t[n].text),
             "libbuddy p99.9 %.0f ns; lowest peer: %s %.0f ns", x, who, worst);
    n++;

    t[n].name = "64 GiB init <= 1 ms";
    x = bench_job_median(b, init, "64g_core_ns");
    t[n].status = status_of(x, 1e6, 1);
    snprintf(t[n].text, sizeof(t[n].text),
             "buddy_zone_init + add_range %.1f us, buddy_heap_create %.1f us",
             x / 1e3, bench_job_median(b, init, "64g_heap_ns") / 1e3);
    n++;

    t[n].name = "metadata <= 10 bytes per page";
    x = bench_job_median(b, init, "1g_meta_per_page");
    t[n].status = status_of(x, 10.0, 1);
    snprintf(t[n].text, sizeof(t[n].text),
             "%.3f bytes per page (1 GiB zone, header included)", x);
    n++;
    return n;
}

/* ---- tables --------------------------------------------------------------- */

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

static int section_on(const struct bench_run *b, int s)
{
    return b->opt.only == 0 || (b->opt.only & (1u << s)) != 0;
}

static void print_header(const struct bench_run *b)
{
    printf("libbuddy %d.%d.%d benchmark, %s\n", BUDDY_VERSION_MAJOR,
           BUDDY_VERSION_MINOR, BUDDY_VERSION_PATCH, b->date);
    printf("machine: %s, %ld CPUs, %s\n", b->cpu, b->cpus, b->kernel);
    if (b->load[0][0] != '\0')
        printf("load:    %s before, %s after (1, 5, 15 min averages)\n",
               b->load[0], b->load[1]);
    printf("build:   %s, %s\n", b->compiler, BENCH_BUILD_TYPE);
    printf("rounds:  median of %u (each measurement in a fresh process)%s\n",
           b->rounds_done, b->opt.quick ? ", --quick counts" : "");
    printf("libbuddy: buddy_heap of 2^20 pages of 4 KiB (4 GiB), max_order "
           "18, metadata and memory mmap'd MAP_NORESERVE, byte API "
           "(buddy_heap_alloc/free) unless said; adaptive zone lock unless said\n");
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

static void print_throughput(const struct bench_run *b, enum bench_workload w,
                             const char *title)
{
    const struct bench_job *ref = bench_find_job(b, w, "buddy", 1);
    char r[32];

    printf("\n%s\n", title);
    printf("  %-26s %9s %9s %7s %12s", "allocator", "ns/op", "Mops/s",
           "spread", "vs libbuddy");
    if (w == W_BATCH)
        printf(" %9s %9s %7s %9s %7s", "alloc ns", "free ns", "faults",
               "warm ns", "faults");
    putchar('\n');
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct bench_job *j = &b->jobs[i];

        /* bench_workload and bench_section share their first four. */
        if (j->w != w || j->threads != 1 || j->section != (int)w)
            continue;
        printf("  %-26s %9.2f %9.2f %6.0f%% %12s",
               bench_variants[j->variant].label,
               bench_job_median(b, j, "ns_per_op"),
               bench_job_median(b, j, "mops"),
               100 * bench_job_spread(b, j, "ns_per_op"),
               fmt_ratio(r, sizeof(r),
                         bench_job_ratio(b, j, ref, "ns_per_op")));
        if (w == W_BATCH)
            printf(" %9.2f %9.2f %7.2f %9.2f %7.2f",
                   bench_job_median(b, j, "alloc_ns"),
                   bench_job_median(b, j, "free_ns"),
                   bench_job_median(b, j, "faults_per_alloc"),
                   bench_job_median(b, j, "warm_ns_per_op"),
                   bench_job_median(b, j, "warm_faults_per_alloc"));
        putchar('\n');
    }
    /* What libbuddy's zone counters say: splits and merges (hot), zone
     * traffic (mixed). */
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct bench_job *j = &b->jobs[i];
        const char *label = bench_variants[j->variant].label;

        if (j->w != w || j->threads != 1 || j->section != (int)w)
            continue;
        if (w == W_HOT && !isnan(bench_job_median(b, j, "splits_per_pair")))
            printf("  (%s: %.4f splits and %.4f merges per pair)\n", label,
                   bench_job_median(b, j, "splits_per_pair"),
                   bench_job_median(b, j, "merges_per_pair"));
        if (w == W_MIXED && !isnan(bench_job_median(b, j, "lock_per_kop")))
            printf("  (%s: %.2f zone lock round trips and %.1f blocks "
                   "through the free lists per 1000 operations)\n", label,
                   bench_job_median(b, j, "lock_per_kop"),
                   bench_job_median(b, j, "zone_blocks_per_kop"));
    }
}

static void print_latency(const struct bench_run *b)
{
    const struct bench_job *ref = bench_find_job(b, W_LATENCY, "buddy", 1);
    char t[5][32];

    printf("\nlatency: each operation of mixed timed alone, %s\n",
           "in ns (one clock reading pair included)");
    if (ref != NULL)
        printf("  timer: %s, %.0f ticks = %.1f ns per reading pair "
               "(median), %.3f ticks/ns\n", BENCH_TICKS_NAME,
               bench_job_median(b, ref, "timer_ticks"),
               bench_job_median(b, ref, "timer_ns"),
               bench_job_median(b, ref, "ticks_per_ns"));
    printf("  %-26s %9s %9s %9s %9s %12s\n", "allocator", "p50", "p99",
           "p99.9", "max", "p99.9 vs lb");
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct bench_job *j = &b->jobs[i];

        if (j->w != W_LATENCY)
            continue;
        printf("  %-26s %9s %9s %9s %9s %12s\n",
               bench_variants[j->variant].label,
               fmt_time(t[0], 32, bench_job_median(b, j, "p50_ns")),
               fmt_time(t[1], 32, bench_job_median(b, j, "p99_ns")),
               fmt_time(t[2], 32, bench_job_median(b, j, "p999_ns")),
               fmt_time(t[3], 32, bench_job_median(b, j, "max_ns")),
               fmt_ratio(t[4], 32, bench_job_ratio(b, j, ref, "p999_ns")));
    }
}

static void print_threads(const struct bench_run *b)
{
    unsigned T = b->opt.threads;
    char s[2][32];

    printf("\nthreads: hot and mixed on 1 and %u threads sharing one heap "
           "(each thread its own live set), aggregate Mops/s\n", T);
    printf("  (hot here runs 5x the hot section's pairs per thread, 1x "
           "without a cache, 50x for null; heap per thread: nothing shared, "
           "what sharing the zone costs; null: shares nothing, the "
           "machine's own scaling)\n");
    printf("  (locks/kop: zone lock round trips per 1000 operations in mixed "
           "on %u threads)\n", T);
    printf("  %-26s %9s %8s%u %7s %9s %8s%u %7s %9s\n", "allocator", "hot 1",
           "hot ", T, "scale", "mixed 1", "mixed ", T, "scale", "locks/kop");
    for (unsigned i = 0; i < bench_nr_thread_variants; i++) {
        const char *v = bench_thread_variants[i];
        const struct bench_job *h1 = bench_find_job_in(b, S_THREADS, W_HOT, v, 1);
        const struct bench_job *hn = bench_find_job_in(b, S_THREADS, W_HOT, v, T);
        const struct bench_job *m1 = bench_find_job(b, W_MIXED, v, 1);
        const struct bench_job *mn = bench_find_job(b, W_MIXED, v, T);

        if (h1 == NULL)
            continue;
        double locks = bench_job_median(b, mn, "lock_per_kop");
        char l[32];

        if (isnan(locks))
            snprintf(l, sizeof(l), "-");
        else
            snprintf(l, sizeof(l), "%.2f", locks);
        printf("  %-26s %9.2f %9.2f %7s %9.2f %9.2f %7s %9s\n",
               bench_variants[h1->variant].label, bench_job_median(b, h1, "mops"),
               bench_job_median(b, hn, "mops"),
               fmt_ratio(s[0], 32, bench_job_ratio(b, hn, h1, "mops")),
               bench_job_median(b, m1, "mops"), bench_job_median(b, mn, "mops"),
               fmt_ratio(s[1], 32, bench_job_ratio(b, mn, m1, "mops")), l);
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
    const struct bench_job *j = bench_find_job(b, W_INIT, "buddy", 1);
    char k[32], t[6][32];

    if (j == NULL)
        return;
    printf("\ninit: zone of 4 KiB pages, max_order 10, metadata from a fresh "
           "mmap(MAP_NORESERVE)\n");
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

void bench_report_table(const struct bench_run *b)
{
    struct target t[16];
    unsigned n;
    char title[256];

    print_header(b);
    printf("\ntimes are ns per operation (an alloc or a free); vs libbuddy = "
           "peer / libbuddy in the same round, median: > 1 means libbuddy "
           "is faster\n");
    snprintf(title, sizeof(title), "hot: allocate and free one 4 KiB block, "
             "%llu pairs, from a fully free zone",
             (unsigned long long)b->par.hot_pairs);
    if (section_on(b, S_HOT))
        print_throughput(b, W_HOT, title);
    snprintf(title, sizeof(title), "batch: allocate %llu 4 KiB blocks, then "
             "free them in random order", (unsigned long long)b->par.batch_n);
    if (section_on(b, S_BATCH))
        print_throughput(b, W_BATCH, title);
    snprintf(title, sizeof(title), "mixed: orders 0..10, p(k) = 0.6 * 0.4^k, "
             "filled to %llu MiB live, then %llu random ops within 4 MiB of it",
             (unsigned long long)(b->par.mixed_live >> 20),
             (unsigned long long)b->par.mixed_ops);
    if (section_on(b, S_MIXED))
        print_throughput(b, W_MIXED, title);
    if (section_on(b, S_LATENCY))
        print_latency(b);
    if (section_on(b, S_THREADS))
        print_threads(b);
    if (section_on(b, S_INIT))
        print_init(b);
    n = eval_targets(b, t);
    printf("\ntargets (issue 4)\n");
    for (unsigned i = 0; i < n; i++)
        printf("  %-48s %-15s %s\n", t[i].name, status_word(t[i].status),
               t[i].status == T_UNKNOWN && i != 0 ? "not in this run"
                                                  : t[i].text);
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

static void json_header(const struct bench_run *b)
{
    fprintf(jf, "\"tool\":\"libbuddy bench\",\"libbuddy\":\"%d.%d.%d\",",
           BUDDY_VERSION_MAJOR, BUDDY_VERSION_MINOR, BUDDY_VERSION_PATCH);
    fputs_j("\"date\":");
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
           "\"mixed_live_bytes\":%llu},",
           b->rounds_done, b->opt.threads, b->opt.quick ? "true" : "false",
           BENCH_PAGE, BENCH_ZONE_PAGES, BENCH_ZONE_ORDER,
           (unsigned long long)b->par.hot_pairs,
           (unsigned long long)b->par.batch_n,
           (unsigned long long)b->par.mixed_ops,
           (unsigned long long)b->par.mixed_live);
    fputs_j("\"peers\":[");
    for (unsigned i = 0; i < bench_nr_peers; i++) {
        const struct bench_peer_info *p = &b->peers[i];

        fprintf(jf, "%s{\"name\":", i ? "," : "");
        json_str(bench_peers[i].name);
        fprintf(jf, ",\"installed\":%s", p->installed ? "true" : "false");
        if (p->installed) {
            fputs_j(",\"library\":");
            json_str(p->library);
            fputs_j(",\"version\":");
            json_str(p->version);
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

void bench_report_json(const struct bench_run *b, FILE *out)
{
    struct target t[16];
    unsigned n;

    jf = out;

    fputc_j('{');
    json_header(b);
    fprintf(jf, "\"timer\":{\"kind\":");
    json_str(BENCH_TICKS_NAME);
    fputc_j(',');
    {
        const struct bench_job *l = bench_find_job(b, W_LATENCY, "buddy", 1);

        json_keyed_num("overhead_ticks", bench_job_median(b, l, "timer_ticks"),
                       1);
        json_keyed_num("overhead_ns", bench_job_median(b, l, "timer_ns"), 1);
        json_keyed_num("ticks_per_ns", bench_job_median(b, l, "ticks_per_ns"),
                       0);
    }
    fputs_j("},\"results\":[");
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct bench_job *j = &b->jobs[i];
        const struct bench_job *ref =
            bench_find_job(b, j->w, "buddy", j->threads);
        const char *keys[BENCH_MAX_KV];
        unsigned nk = job_keys(b, j, keys, BENCH_MAX_KV), ok = 0;

        for (unsigned r = 0; r < b->rounds_done; r++)
            ok += j->status[r] == 0;
        fprintf(jf, "%s{\"workload\":", i ? "," : "");
        json_str(bench_workload_names[j->w]);
        fputs_j(",\"section\":");
        json_str(bench_section_names[j->section]);
        fprintf(jf, ",\"threads\":%u,\"allocator\":", j->threads);
        json_str(bench_variants[j->variant].name);
        fputs_j(",\"label\":");
        json_str(bench_variants[j->variant].label);
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
            fputs_j(",\"scale_over_1_thread\":");
            json_num(bench_job_ratio(
                b, j, bench_find_job(b, j->w, bench_variants[j->variant].name,
                                     1),
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
    fputs_j("],\"targets\":[");
    n = eval_targets(b, t);
    for (unsigned i = 0; i < n; i++) {
        fprintf(jf, "%s{\"name\":", i ? "," : "");
        json_str(t[i].name);
        fprintf(jf, ",\"met\":%s,\"status\":",
               t[i].status == T_MET ? "true"
               : t[i].status == T_MISSED ? "false" : "null");
        json_str(status_word(t[i].status));
        fputs_j(",\"detail\":");
        json_str(t[i].text);
        fputc_j('}');
    }
    fprintf(jf, "],\"failures\":%d}\n", b->failures);
}

/* ---- --callgrind ---------------------------------------------------------- */

static const char *fmt_ir(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f", x);
    return buf;
}

void bench_report_callgrind(const struct bench_run *b, const struct bench_cg *cg)
{
    double base[2] = {NAN, NAN}, lb = NAN;

    for (unsigned i = 0; i < cg->nr_rows; i++)
        if (bench_variants[cg->rows[i].variant].kind == K_NULL) {
            base[0] = cg->rows[i].ir[0];
            base[1] = cg->rows[i].ir[1];
        }
    for (unsigned i = 0; i < cg->nr_rows; i++)
        if (strcmp(bench_variants[cg->rows[i].variant].name, "buddy") == 0)
            lb = cg->rows[i].ir[0] - base[0];
    if (b->opt.json) {
        jf = stdout;
        fputc_j('{');
        json_header(b);
        fputs_j("\"callgrind\":{\"dir\":");
        json_str(cg->dir);
        fprintf(jf, ",\"hot_pairs\":[%llu,%llu],\"mixed_ops\":[%llu,%llu],"
               "\"rows\":[",
               (unsigned long long)cg->n_hot[0],
               (unsigned long long)cg->n_hot[1],
               (unsigned long long)cg->n_mixed[0],
               (unsigned long long)cg->n_mixed[1]);
        for (unsigned i = 0; i < cg->nr_rows; i++) {
            const struct bench_cg_row *r = &cg->rows[i];

            fprintf(jf, "%s{\"allocator\":", i ? "," : "");
            json_str(bench_variants[r->variant].name);
            fputc_j(',');
            json_keyed_num("hot_ir_per_pair", r->ir[0], 1);
            json_keyed_num("hot_ir_per_pair_net", r->ir[0] - base[0], 1);
            json_keyed_num("mixed_ir_per_op", r->ir[1], 1);
            json_keyed_num("mixed_ir_per_op_net", r->ir[1] - base[1], 0);
            fputc_j('}');
        }
        fprintf(jf, "]},\"targets\":[{\"name\":\"hot <= 20 instructions per "
               "alloc+free pair\",\"met\":%s,\"detail\":",
               isnan(lb) ? "null" : lb <= 20 ? "true" : "false");
        {
            char d[128];

            snprintf(d, sizeof(d), "libbuddy byte API: %.1f instructions per "
                     "pair net of the harness", lb);
            json_str(d);
        }
        fprintf(jf, "}],\"failures\":%d}\n", b->failures);
        return;
    }
    print_header(b);
    printf("\ncallgrind: instructions in the measured loop (valgrind "
           "--toggle-collect), (Ir(n2) - Ir(n1)) / (n2 - n1)\n");
    printf("  hot: n = %llu and %llu pairs; mixed: n = %llu and %llu "
           "operations after the %llu MiB fill\n",
           (unsigned long long)cg->n_hot[0], (unsigned long long)cg->n_hot[1],
           (unsigned long long)cg->n_mixed[0],
           (unsigned long long)cg->n_mixed[1],
           (unsigned long long)(b->par.mixed_live >> 20));
    printf("  net = minus the harness (the loop and two indirect calls, "
           "measured with the null allocator)\n");
    printf("  files kept in %s (callgrind_annotate FILE)\n", cg->dir);
    printf("  %-26s %12s %12s %12s %12s\n", "allocator", "hot Ir/pair",
           "net", "mixed Ir/op", "net");
    for (unsigned i = 0; i < cg->nr_rows; i++) {
        const struct bench_cg_row *r = &cg->rows[i];

        char c[4][32];

        printf("  %-26s %12s %12s %12s %12s\n",
               bench_variants[r->variant].label,
               fmt_ir(c[0], 32, r->ir[0]), fmt_ir(c[1], 32, r->ir[0] - base[0]),
               fmt_ir(c[2], 32, r->ir[1]),
               fmt_ir(c[3], 32, r->ir[1] - base[1]));
    }
    printf("\ntargets (issue 4)\n  %-48s %-15s libbuddy byte API: %.1f "
           "instructions per pair net of the harness\n",
           "hot <= 20 instructions per alloc+free pair",
           status_word(isnan(lb) ? T_UNKNOWN : lb <= 20), lb);
}
