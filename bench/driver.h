/* SPDX-License-Identifier: MIT */
/*
 * driver.h: the driver's plan and results, shared by bench.c (which runs
 * them) and report.c (which prints them).
 *
 * A plan is a list of jobs (workload, allocator, threads, touch mode).
 * Every round runs every job once, in plan order, each in a fresh worker
 * process; a ratio "to libbuddy" compares a job with the libbuddy job of
 * the same workload, thread count and touch mode from the same round, and
 * the report gives the median over rounds of each value and of each
 * ratio. Everything a report prints, its tables, its targets' verdicts and
 * its Markdown summary, comes from one struct bench_run: one run.
 */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H

#include "bench.h"

#include <stdio.h>

/* The statistics keep one value per round on the stack. */
#define BENCH_MAX_ROUNDS 256

struct bench_options {
    unsigned runs;      /* rounds (--runs, default 5; 1 with --quick;
                           at most BENCH_MAX_ROUNDS) */
    unsigned threads;   /* the multi-threaded case (--threads, default 2) */
    int quick;          /* --quick: small counts, CI smoke */
    int json;           /* --json: one JSON document on stdout */
    int callgrind;      /* --callgrind: instruction counts only */
    int with_callgrind; /* --with-callgrind: the timed run, then the
                           instruction counts, in one report */
    unsigned only;      /* bit per section (--only); all when 0 */
    unsigned touch;     /* bit per enum bench_touch (--touch) */
    const char *save;   /* --save FILE: the JSON document, too */
    const char *summary; /* --summary FILE: the Markdown summary */
    const char *targets; /* --targets FILE (default bench/targets.txt) */
};

/* Sections of the report; --only names them. */
enum bench_section { S_HOT, S_BATCH, S_MIXED, S_LATENCY, S_THREADS, S_INIT,
                     S_CROSS, S_COUNT };
extern const char *const bench_section_names[S_COUNT];

/* The counts each workload uses (the record's, or --quick's). */
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
    enum bench_touch touch;    /* as measured: bench_touch_effective */
    struct bench_result *runs; /* [rounds] */
    int *status;               /* [rounds]: worker exit status */
};

/* ---- targets (targets.c) -------------------------------------------------
 * Product targets are data: bench/targets.txt (or --targets FILE), one per
 * line, read before anything is measured; targets.txt says the format.
 * The program knows how to measure a metric and which way is better; the
 * file says what is wanted. */

enum bench_cmp { CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct bench_target {
    unsigned line;             /* in the file, for messages */
    char workload[24];         /* hot ... init, threads-hot, callgrind-hot */
    char metric[40];           /* a result key: ns_per_op, p999_ns, scale */
    int subject;               /* a variant index: what is judged */
    int against;               /* a variant index, or AGAINST_* */
    enum bench_cmp cmp;
    double value;
    int touch;                 /* enum bench_touch, -1 for init */
    char label[160];           /* what the report calls it */
};

#define AGAINST_NONE (-1)      /* "-": the subject's own value */
#define AGAINST_PEERS (-2)     /* "peers": the closest installed peer row */

struct bench_targets {
    char path[512];
    struct bench_target t[64];
    unsigned n;
};

/* Read a targets file. 0, or -1 after one message on stderr naming the
 * file and line ("FILE:LINE: what"). */
int bench_targets_load(const char *path, struct bench_targets *ts);

/* A target judged on one run. */
enum { T_MISSED = 0, T_MET = 1, T_UNKNOWN = -1 };
struct bench_verdict {
    int status;                /* T_MET, T_MISSED, T_UNKNOWN (not in run) */
    double figure;             /* what was compared with the value */
    char detail[320];          /* the numbers behind it, in words */
};

struct bench_run;
void bench_target_judge(const struct bench_run *b, const struct bench_target *t,
                        struct bench_verdict *v);
const char *bench_status_word(int status);
const char *bench_cmp_name(enum bench_cmp c);

struct bench_cg;

struct bench_run {
    struct bench_options opt;
    struct bench_params par;
    struct bench_peer_info peers[8];
    struct bench_peer_info shared;  /* libbuddy.so as bench_shared loads it */
    struct bench_job jobs[512];
    unsigned nr_jobs;
    unsigned rounds_done;
    int failures;              /* jobs whose worker failed in some round */
    struct bench_targets targets;
    const struct bench_cg *cg; /* instruction counts of this run, or NULL */
    /* the run's identity */
    char date[64], commit[64], host[128], cmdline[1024];
    /* the machine */
    char cpu[128], kernel[400], compiler[128];
    char load[2][64];          /* /proc/loadavg before and after */
    long cpus;
    double seconds;            /* the run's wall time */
};

/* A job's value for key: median over the rounds that succeeded (NAN if
 * none); its spread (max - min) / median; the median over rounds of its
 * value divided by ref's in the same round; and the median over rounds of
 * (a / b) / (c / d), all four from the same round (a scale over the null
 * allocator's scale). */
double bench_job_median(const struct bench_run *b, const struct bench_job *j,
                        const char *key);
double bench_job_spread(const struct bench_run *b, const struct bench_job *j,
                        const char *key);
double bench_job_ratio(const struct bench_run *b, const struct bench_job *j,
                       const struct bench_job *ref, const char *key);
double bench_job_ratio2(const struct bench_run *b, const struct bench_job *a,
                        const struct bench_job *bj, const struct bench_job *c,
                        const struct bench_job *d, const char *key);
/* The job for (w, variant, threads, touch) in the plan, or NULL; touch is
 * mapped through bench_touch_effective. The threads section runs its own,
 * longer hot jobs: bench_find_job_in names the section (-1: any, the
 * workload's own section first). */
const struct bench_job *bench_find_job(const struct bench_run *b,
                                       enum bench_workload w,
                                       const char *variant, unsigned threads,
                                       enum bench_touch touch);
const struct bench_job *bench_find_job_in(const struct bench_run *b,
                                          int section, enum bench_workload w,
                                          const char *variant, unsigned threads,
                                          enum bench_touch touch);
/* The touch modes of this run in the order a report shows them: the
 * headline (first) first, untouched last. Returns how many. */
unsigned bench_touch_order(const struct bench_run *b, enum bench_touch *out);
/* The touch mode the summary and the report lead with. */
enum bench_touch bench_headline_touch(const struct bench_run *b);

void bench_report_table(const struct bench_run *b);
void bench_report_json(const struct bench_run *b, FILE *out);
/* The Markdown summary (README, docs/performance.md) of this run only. */
void bench_report_summary(const struct bench_run *b, FILE *out);

/* Instruction counts from --callgrind (or --with-callgrind). */
struct bench_cg_row {
    int variant;
    enum bench_touch touch;
    double ir[2];      /* per pair (hot), per operation (mixed); NAN if not
                          run (hot with pages: see the first row) */
};

struct bench_cg {
    struct bench_cg_row rows[96];
    unsigned nr_rows;
    uint64_t n_hot[2], n_mixed[2]; /* the two counts whose difference is used */
    char dir[256];                 /* where the callgrind files stay */
};

/* Instructions per pair (hot, w 0) or per operation (mixed, w 1) of a
 * variant and touch mode; net subtracts the null allocator's. NAN when
 * not measured. */
double bench_cg_ir(const struct bench_cg *cg, int variant, unsigned w,
                   enum bench_touch touch, int net);

/* The instruction count tables, when the run has them (bench_report_table
 * prints them). */
void bench_print_callgrind(const struct bench_run *b);

#endif /* BENCH_DRIVER_H */
