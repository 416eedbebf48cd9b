/* SPDX-License-Identifier: MIT */
/*
 * driver.h: the driver's plan and results, shared by bench.c (which runs
 * them) and report.c (which prints them).
 *
 * A plan is a list of jobs (workload, allocator, threads). Every round runs
 * every job once, in plan order, each in a fresh worker process; a
 * ratio "to libbuddy" compares a job with the libbuddy job of the same
 * workload and thread count from the same round, and the report gives the
 * median over rounds of each value and of each ratio.
 */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H

#include "bench.h"

#include <stdio.h>

struct bench_options {
    unsigned runs;      /* rounds (--runs, default 5; 1 with --quick) */
    unsigned threads;   /* the multi-threaded case (--threads, default 2) */
    int quick;          /* --quick: small counts, CI smoke */
    int json;           /* --json: one JSON document on stdout */
    int callgrind;      /* --callgrind: instruction counts */
    unsigned only;      /* bit per section (--only); all when 0 */
    const char *save;   /* --save FILE: the JSON document, too */
};

/* Sections of the report; --only names them. */
enum bench_section { S_HOT, S_BATCH, S_MIXED, S_LATENCY, S_THREADS, S_INIT,
                     S_COUNT };
extern const char *const bench_section_names[S_COUNT];

/* The counts each workload uses (issue 4's, or --quick's). */
struct bench_params {
    uint64_t hot_pairs;   /* per thread */
    uint64_t batch_n;
    uint64_t mixed_ops;   /* per thread */
    uint64_t mixed_live;  /* bytes, all threads together */
};

struct bench_peer_info {
    int installed;
    const char *soname;   /* what LD_PRELOAD names; NULL for glibc */
    char library[512];    /* the file that served malloc in the probe */
    char version[128];
};

struct bench_job {
    enum bench_workload w;
    int section;               /* where the report shows it */
    int variant;               /* index into bench_variants */
    unsigned threads;
    struct bench_result *runs; /* [rounds] */
    int *status;               /* [rounds]: worker exit status */
};

struct bench_run {
    struct bench_options opt;
    struct bench_params par;
    struct bench_peer_info peers[8];
    struct bench_job jobs[256];
    unsigned nr_jobs;
    unsigned rounds_done;
    int failures;              /* jobs whose worker failed in some round */
    /* the machine */
    char date[64], cpu[128], kernel[400], compiler[128];
    char load[2][64];          /* /proc/loadavg before and after */
    long cpus;
};

/* A job's value for key: median over the rounds that succeeded (NAN if
 * none); its spread (max - min) / median; and the median over rounds of
 * its value divided by ref's in the same round. */
double bench_job_median(const struct bench_run *b, const struct bench_job *j,
                        const char *key);
double bench_job_spread(const struct bench_run *b, const struct bench_job *j,
                        const char *key);
double bench_job_ratio(const struct bench_run *b, const struct bench_job *j,
                       const struct bench_job *ref, const char *key);
/* The job for (w, variant name, threads) in the plan, or NULL. */
const struct bench_job *bench_find_job(const struct bench_run *b,
                                       enum bench_workload w,
                                       const char *variant, unsigned threads);
const struct bench_job *bench_find_job_in(const struct bench_run *b,
                                          int section, enum bench_workload w,
                                          const char *variant, unsigned threads);

void bench_report_table(const struct bench_run *b);
void bench_report_json(const struct bench_run *b, FILE *out);

/* Instruction counts from --callgrind. */
struct bench_cg_row {
    int variant;
    double ir[2];      /* per pair (hot), per operation (mixed); NAN if not run */
};

struct bench_cg {
    struct bench_cg_row rows[32];
    unsigned nr_rows;
    uint64_t n_hot[2], n_mixed[2]; /* the two counts whose difference is used */
    char dir[256];                 /* where the callgrind files stay */
};

void bench_report_callgrind(const struct bench_run *b, const struct bench_cg *cg);

#endif /* BENCH_DRIVER_H */
