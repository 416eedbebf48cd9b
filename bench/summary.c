/* SPDX-License-Identifier: MIT */
/*
 * summary.c: the Markdown summary of one run (bench --summary FILE), the
 * tables README.md and docs/performance.md carry, so that nobody puts them
 * together by hand from several runs.
 *
 * Everything here reads one struct bench_run and nothing else: the run's
 * identity line, then one row per workload with libbuddy static and
 * shared and the best peer in the headline touch mode (first: each
 * block's first byte written), and the same untouched beside them, then
 * the targets file's verdicts. "Best peer" is the peer row (malloc or
 * aligned_alloc) with the best median in that mode; its ratio is the
 * same-round median of peer / libbuddy (static), as in the report.
 */
#define _GNU_SOURCE
#include "driver.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buddy/buddy.h"

static FILE *sf;

/* A figure as the tables print it: three significant digits or so. */
static const char *num(char *buf, size_t size, double x)
{
    double a = fabs(x);

    if (isnan(x))
        snprintf(buf, size, "-");
    else if (a < 0.1)
        snprintf(buf, size, "%.4f", x);
    else if (a < 10)
        snprintf(buf, size, "%.2f", x);
    else if (a < 100)
        snprintf(buf, size, "%.1f", x);
    else
        snprintf(buf, size, "%.0f", x);
    return buf;
}

static const char *ns(char *buf, size_t size, double x)
{
    char n[32];

    if (isnan(x))
        snprintf(buf, size, "-");
    else if (x < 1e3)
        snprintf(buf, size, "%s ns", num(n, sizeof(n), x));
    else if (x < 1e6)
        snprintf(buf, size, "%.1f us", x / 1e3);
    else
        snprintf(buf, size, "%.2f ms", x / 1e6);
    return buf;
}

/* One row's figures for one allocator: a median or a scale. */
struct row {
    const char *what;          /* the row's first cell */
    enum bench_workload w;
    int section;
    unsigned threads;          /* > 1: the figure is the scale over 1 */
    const char *key;
    int higher_better;
    int time;                  /* print as a time (ns, us) */
};

static double figure(const struct bench_run *b, const struct row *r,
                     const char *variant, enum bench_touch t)
{
    const struct bench_job *j =
        bench_find_job_in(b, r->section, r->w, variant, r->threads, t);

    if (r->threads > 1)
        return bench_job_ratio(
            b, j, bench_find_job_in(b, r->section, r->w, variant, 1, t),
            "mops");
    return bench_job_median(b, j, r->key);
}

/* The scale over the null allocator's, or NAN. */
static double of_null(const struct bench_run *b, const struct row *r,
                      const char *variant, enum bench_touch t)
{
    return bench_job_ratio2(
        b, bench_find_job_in(b, r->section, r->w, variant, r->threads, t),
        bench_find_job_in(b, r->section, r->w, variant, 1, t),
        bench_find_job_in(b, r->section, r->w, "null", r->threads, t),
        bench_find_job_in(b, r->section, r->w, "null", 1, t), "mops");
}

static void cell(const struct bench_run *b, const struct row *r,
                 const char *variant, enum bench_touch t)
{
    char x[32], y[32];
    double v = figure(b, r, variant, t);

    if (isnan(v))
        fputs(" - |", sf);
    else if (r->threads > 1)
        fprintf(sf, " %sx (%s of null's) |", num(x, 32, v),
                num(y, 32, of_null(b, r, variant, t)));
    else
        fprintf(sf, " %s |", r->time ? ns(x, 32, v) : num(x, 32, v));
}

/* The best peer row in touch mode t, with its ratio to libbuddy. */
static void best_peer(const struct bench_run *b, const struct row *r,
                      enum bench_touch t)
{
    double best = NAN;
    int who = -1;
    char x[32], y[32];

    for (unsigned i = 0; i < bench_nr_variants; i++) {
        double v;

        if (bench_variants[i].kind != K_PEER)
            continue;
        v = figure(b, r, bench_variants[i].name, t);
        if (!isnan(v) && (isnan(best) || (r->higher_better ? v > best
                                                           : v < best))) {
            best = v;
            who = (int)i;
        }
    }
    if (who < 0) {
        fputs(" - |", sf);
        return;
    }
    if (r->threads > 1) {
        fprintf(sf, " %s %sx (%s of null's) |", bench_variants[who].label,
                num(x, 32, best),
                num(y, 32, of_null(b, r, bench_variants[who].name, t)));
        return;
    }
    fprintf(sf, " %s %s", bench_variants[who].label,
            r->time ? ns(x, 32, best) : num(x, 32, best));
    if (strcmp(r->key, "faults_per_op") != 0) {
        const struct bench_job *pj = bench_find_job_in(
            b, r->section, r->w, bench_variants[who].name, 1, t);
        const struct bench_job *lj =
            bench_find_job_in(b, r->section, r->w, "buddy", 1, t);

        fprintf(sf, " (%sx)", num(y, 32, bench_job_ratio(b, pj, lj, r->key)));
    }
    fputs(" |", sf);
}

/* The best peer's instructions (net of the harness) in touch mode t. */
static void cg_best_peer(const struct bench_cg *cg, unsigned w,
                         enum bench_touch t)
{
    double best = NAN;
    int who = -1;
    char x[32];

    for (unsigned i = 0; i < bench_nr_variants; i++) {
        double v;

        if (bench_variants[i].kind != K_PEER)
            continue;
        v = bench_cg_ir(cg, (int)i, w, t, 1);
        if (!isnan(v) && (isnan(best) || v < best)) {
            best = v;
            who = (int)i;
        }
    }
    if (who >= 0)
        fprintf(sf, " %s %s |", bench_variants[who].label, num(x, 32, best));
    else
        fputs(" - |", sf);
}

static void cg_row(const struct bench_run *b, const char *what, unsigned w,
                   enum bench_touch head, int untouched)
{
    const struct bench_cg *cg = b->cg;
    char x[32];

    fprintf(sf, "| %s |", what);
    fprintf(sf, " %s |", num(x, 32, bench_cg_ir(cg, bench_variant_find("buddy"),
                                                w, head, 1)));
    fprintf(sf, " %s |",
            num(x, 32, bench_cg_ir(cg, bench_variant_find("buddy-shared"), w,
                                   head, 1)));
    cg_best_peer(cg, w, head);
    if (untouched) {
        fprintf(sf, " %s |", num(x, 32, bench_cg_ir(cg,
                                                    bench_variant_find("buddy"),
                                                    w, TOUCH_NONE, 1)));
        cg_best_peer(cg, w, TOUCH_NONE);
    }
    fputc('\n', sf);
}

void bench_report_summary(const struct bench_run *b, FILE *out)
{
    enum bench_touch head = bench_headline_touch(b);
    int untouched = head != TOUCH_NONE &&
                    (b->opt.touch & (1u << TOUCH_NONE)) != 0;
    unsigned T = b->opt.threads;
    char what[4][160];
    const struct bench_job *init;

    sf = out;
    snprintf(what[0], sizeof(what[0]), "batch: %llu 4 KiB allocations, then "
             "frees in random order, ns/op",
             (unsigned long long)b->par.batch_n);
    snprintf(what[1], sizeof(what[1]), "mixed: orders 0..10 around %llu MiB "
             "live, ns/op", (unsigned long long)(b->par.mixed_live >> 20));
    snprintf(what[2], sizeof(what[2]), "hot on %u threads / 1 thread", T);
    snprintf(what[3], sizeof(what[3]), "mixed on %u threads / 1 thread", T);
    {
        const struct row rows[] = {
            {"hot: alloc + free of one 4 KiB block, ns/op", W_HOT, S_HOT, 1,
             "ns_per_op", 0, 0},
            {what[0], W_BATCH, S_BATCH, 1, "ns_per_op", 0, 0},
            {what[1], W_MIXED, S_MIXED, 1, "ns_per_op", 0, 0},
            {"mixed: page faults per operation", W_MIXED, S_MIXED, 1,
             "faults_per_op", 0, 0},
            {"mixed: p99.9 of one operation (timer included)", W_LATENCY,
             S_LATENCY, 1, "p999_ns", 0, 1},
            {what[2], W_HOT, S_THREADS, T, "mops", 1, 0},
            {what[3], W_MIXED, S_THREADS, T, "mops", 1, 0},
        };

        fprintf(sf, "<!-- generated by bench --summary from one run; "
                "regenerate it, do not edit it -->\n\n");
        fprintf(sf, "Run: %s, libbuddy %d.%d.%d at commit `%s`, host `%s` "
                "(%s, %ld CPUs, %s), `%s`, medians of %u round%s%s, load %s "
                "before and %s after. Every figure below comes from this one "
                "run.\n\n", b->date, BUDDY_VERSION_MAJOR, BUDDY_VERSION_MINOR,
                BUDDY_VERSION_PATCH, b->commit, b->host, b->cpu, b->cpus,
                b->kernel, b->cmdline, b->rounds_done,
                b->rounds_done == 1 ? "" : "s",
                b->opt.quick ? " (--quick counts: not a record)" : "",
                b->load[0], b->load[1]);
        fprintf(sf, "Touched (touch %s): every allocator's workload writes %s "
                "right after allocating it, inside the measured window, as a "
                "user does.%s libbuddy "
                "(static) is linked with libbuddy.a; libbuddy (shared) with "
                "libbuddy.so, as the peers' libraries are (LD_PRELOAD). "
                "Ratios are peer / libbuddy (static) in the same round; a "
                "scale is N threads / 1 and \"of null's\" that scale over the "
                "null allocator's (which shares nothing) in the same "
                "rounds.\n\n", bench_touch_names[head],
                head == TOUCH_PAGES ? "a byte in every page of each block"
                : head == TOUCH_FIRST ? "the first byte of each block"
                                      : "nothing",
                untouched ? " Untouched (touch none): nothing written, so "
                            "only the peers, whose metadata is in or beside "
                            "the blocks, pay for the blocks' cache lines and "
                            "page faults." : "");
        fprintf(sf, "| workload | libbuddy (static) | libbuddy (shared) | "
                "best peer |%s\n|---|---|---|---|%s\n",
                untouched ? " untouched: libbuddy (static) | untouched: best "
                            "peer |" : "",
                untouched ? "---|---|" : "");
        for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
            const struct row *r = &rows[i];

            if (bench_find_job_in(b, r->section, r->w, "buddy", r->threads,
                                  head) == NULL)
                continue;
            fprintf(sf, "| %s |", r->what);
            cell(b, r, "buddy", head);
            cell(b, r, "buddy-shared", head);
            best_peer(b, r, head);
            if (untouched) {
                cell(b, r, "buddy", TOUCH_NONE);
                best_peer(b, r, TOUCH_NONE);
            }
            fputc('\n', sf);
        }
    }
    if (b->cg != NULL) {
        cg_row(b, "hot: instructions per pair, net of the harness", 0, head,
               untouched);
        cg_row(b, "mixed: instructions per operation, net of the harness", 1,
               head, untouched);
    }
    init = bench_find_job(b, W_INIT, "buddy", 1, TOUCH_NONE);
    if (init != NULL) {
        char x[32], y[32];

        fprintf(sf, "| 64 GiB zone ready (init + every page free) | %s, "
                "%s bytes of metadata per page (1 GiB zone) | - | - |%s\n",
                ns(x, 32, bench_job_median(b, init, "64g_core_ns")),
                num(y, 32, bench_job_median(b, init, "1g_meta_per_page")),
                untouched ? " (no blocks: no touch) | - |" : "");
    }
    fprintf(sf, "\n| target (%s) | result | status |\n|---|---|---|\n",
            strrchr(b->targets.path, '/') != NULL
                ? strrchr(b->targets.path, '/') + 1
                : b->targets.path);
    for (unsigned i = 0; i < b->targets.n; i++) {
        const struct bench_target *t = &b->targets.t[i];
        struct bench_verdict v;

        bench_target_judge(b, t, &v);
        fprintf(sf, "| %s%s%s | %s | %s |\n", t->label,
                t->touch >= 0 ? ", touch " : "",
                t->touch >= 0 ? bench_touch_names[t->touch] : "", v.detail,
                v.status == T_MISSED ? "**MISSED**"
                                     : bench_status_word(v.status));
    }
}
