/* SPDX-License-Identifier: MIT */
/*
 * targets.c: the product targets as data, and their verdicts on one run.
 *
 * A targets file (bench/targets.txt says the format) has one target per
 * line: workload, metric, subject, against, comparison, value, touch mode
 * and an optional label. This file knows what the program measures: which
 * metrics each workload has and which way each is better. The file says
 * what is wanted. Every figure is "how many times better the subject is"
 * when the target names something to compare with (against / subject for
 * a time, subject / against for a throughput or a scale), median over the
 * rounds of the ratio within each round, so that ">= 2" reads "at least
 * twice as good" whatever the metric; with "-" it is the subject's own
 * median value.
 *
 * A bad line is refused with its file and line number before anything is
 * measured, so a typo costs no run.
 */
#define _GNU_SOURCE
#include "driver.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what can be judged -------------------------------------------------- */

enum tw_kind { TW_SINGLE, TW_THREADS, TW_INIT, TW_CALLGRIND };

/* A target's workload: a section of the timed run, or the callgrind one. */
struct target_workload {
    const char *name;
    enum tw_kind kind;
    enum bench_workload w;
    int section;
    const char *const *metrics; /* NULL-terminated */
};

/* Metrics where more is better; every other one (times, faults, bytes,
 * instructions) is better lower. */
static int higher_better(const char *metric)
{
    return strcmp(metric, "mops") == 0 || strcmp(metric, "scale") == 0;
}

static const char *const m_throughput[] = {"ns_per_op", "mops",
                                           "faults_per_op", NULL};
static const char *const m_batch[] = {"ns_per_op", "mops", "faults_per_op",
                                      "alloc_ns", "free_ns", "warm_ns_per_op",
                                      "faults_per_alloc",
                                      "warm_faults_per_alloc", NULL};
static const char *const m_latency[] = {"p50_ns", "p99_ns", "p999_ns",
                                        "max_ns", "faults_per_op", NULL};
static const char *const m_threads[] = {"scale", "mops", "faults_per_op",
                                        NULL};
static const char *const m_init[] = {"meta_bytes", "meta_per_page", "core_ns",
                                     "core_rss", "heap_ns", "heap_rss",
                                     "first_alloc_ns", NULL};
static const char *const m_init_sizes[] = {"1g", "64g", "1t", NULL};
static const char *const m_callgrind[] = {"ir_net", "ir", NULL};

static const struct target_workload workloads[] = {
    {"hot", TW_SINGLE, W_HOT, S_HOT, m_throughput},
    {"batch", TW_SINGLE, W_BATCH, S_BATCH, m_batch},
    {"mixed", TW_SINGLE, W_MIXED, S_MIXED, m_throughput},
    {"latency", TW_SINGLE, W_LATENCY, S_LATENCY, m_latency},
    {"threads-hot", TW_THREADS, W_HOT, S_THREADS, m_threads},
    {"threads-mixed", TW_THREADS, W_MIXED, S_THREADS, m_threads},
    {"init", TW_INIT, W_INIT, S_INIT, m_init},
    {"callgrind-hot", TW_CALLGRIND, W_HOT, -1, m_callgrind},
    {"callgrind-mixed", TW_CALLGRIND, W_MIXED, -1, m_callgrind},
};
#define NR_WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static const struct target_workload *find_workload(const char *name)
{
    for (unsigned i = 0; i < NR_WORKLOADS; i++)
        if (strcmp(workloads[i].name, name) == 0)
            return &workloads[i];
    return NULL;
}

static int in_list(const char *const *list, const char *s)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* init's metrics are SIZE_WHAT: 64g_core_ns. */
static int metric_ok(const struct target_workload *tw, const char *metric)
{
    if (tw->kind == TW_INIT) {
        const char *us = strchr(metric, '_');
        char size[8];

        if (us == NULL || (size_t)(us - metric) >= sizeof(size))
            return 0;
        memcpy(size, metric, (size_t)(us - metric));
        size[us - metric] = '\0';
        return in_list(m_init_sizes, size) && in_list(m_init, us + 1);
    }
    return in_list(tw->metrics, metric);
}

static void list_into(char *buf, size_t size, const char *const *list,
                      const char *prefix)
{
    size_t used = 0;

    buf[0] = '\0';
    for (; *list != NULL && used < size; list++) {
        int n = snprintf(buf + used, size - used, "%s%s%s",
                         used ? " " : "", prefix, *list);

        if (n < 0)
            break;
        used += (size_t)n;
    }
}

const char *bench_cmp_name(enum bench_cmp c)
{
    static const char *const names[] = {"<", "<=", ">", ">="};

    return names[c];
}

const char *bench_status_word(int s)
{
    return s == T_MET ? "met" : s == T_MISSED ? "MISSED" : "not measured";
}

/* ---- reading the file ---------------------------------------------------- */

static int bad_line(const char *path, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad_line(const char *path, unsigned line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "bench: %s:%u: ", path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* One line's fields into *t; the label is the rest of the line. */
static int parse_line(const char *path, unsigned line, char *s,
                      struct bench_target *t)
{
    static const char *const names[] = {"workload", "metric", "subject",
                                        "against", "comparison", "value",
                                        "touch"};
    const struct target_workload *tw;
    char *f[7], *end, *label;
    char list[400];
    int n = 0;

    while (n < 7) {
        s += strspn(s, " \t");
        if (*s == '\0')
            break;
        f[n++] = s;
        s += strcspn(s, " \t");
        if (*s != '\0')
            *s++ = '\0';
    }
    if (n < 7)
        return bad_line(path, line, "%d field%s, expected 7 (workload metric "
                        "subject against comparison value touch) and an "
                        "optional label; the %s is missing", n,
                        n == 1 ? "" : "s", names[n]);
    label = s + strspn(s, " \t");
    for (size_t k = strlen(label); k > 0 && (label[k - 1] == ' ' ||
                                             label[k - 1] == '\t');)
        label[--k] = '\0';

    memset(t, 0, sizeof(*t));
    t->line = line;
    if ((tw = find_workload(f[0])) == NULL) {
        size_t used = 0;

        list[0] = '\0';
        for (unsigned i = 0; i < NR_WORKLOADS; i++)
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                                     i ? " " : "", workloads[i].name);
        return bad_line(path, line, "unknown workload '%s' (one of: %s)",
                        f[0], list);
    }
    snprintf(t->workload, sizeof(t->workload), "%s", f[0]);
    if (!metric_ok(tw, f[1])) {
        if (tw->kind == TW_INIT) {
            list_into(list, sizeof(list), m_init, "SIZE_");
            return bad_line(path, line, "unknown init metric '%s' (%s, "
                            "SIZE one of 1g 64g 1t)", f[1], list);
        }
        list_into(list, sizeof(list), tw->metrics, "");
        return bad_line(path, line, "workload %s has no metric '%s' (one "
                        "of: %s)", f[0], f[1], list);
    }
    snprintf(t->metric, sizeof(t->metric), "%s", f[1]);
    if ((t->subject = bench_variant_find(f[2])) < 0)
        return bad_line(path, line, "unknown allocator '%s' (bench --json "
                        "names them: \"allocator\")", f[2]);
    if (strcmp(f[3], "-") == 0)
        t->against = AGAINST_NONE;
    else if (strcmp(f[3], "peers") == 0)
        t->against = AGAINST_PEERS;
    else if ((t->against = bench_variant_find(f[3])) < 0)
        return bad_line(path, line, "unknown allocator '%s' to compare "
                        "with ('-' for none, 'peers' for every peer)", f[3]);
    if (t->against == t->subject)
        return bad_line(path, line, "compares %s with itself", f[2]);
    if (strcmp(f[4], "<") == 0)
        t->cmp = CMP_LT;
    else if (strcmp(f[4], "<=") == 0)
        t->cmp = CMP_LE;
    else if (strcmp(f[4], ">") == 0)
        t->cmp = CMP_GT;
    else if (strcmp(f[4], ">=") == 0)
        t->cmp = CMP_GE;
    else
        return bad_line(path, line, "comparison '%s' is not one of < <= > "
                        ">=", f[4]);
    errno = 0;
    t->value = strtod(f[5], &end);
    if (errno != 0 || end == f[5] || *end != '\0' || !isfinite(t->value))
        return bad_line(path, line, "value '%s' is not a number", f[5]);
    if (tw->kind == TW_INIT) {
        if (strcmp(f[6], "-") != 0)
            return bad_line(path, line, "init allocates no blocks: its touch "
                            "is '-', not '%s'", f[6]);
        t->touch = -1;
    } else if ((t->touch = bench_touch_parse(f[6])) < 0) {
        return bad_line(path, line, "touch '%s' is not one of none first "
                        "pages", f[6]);
    }
    if (label[0] != '\0')
        snprintf(t->label, sizeof(t->label), "%s", label);
    else
        snprintf(t->label, sizeof(t->label), "%s %s of %s%s%s %s %g",
                 f[0], f[1], f[2],
                 t->against == AGAINST_NONE ? "" : " against ",
                 t->against == AGAINST_NONE ? "" : f[3], f[4], t->value);
    return 0;
}

int bench_targets_load(const char *path, struct bench_targets *ts)
{
    FILE *f = fopen(path, "r");
    char line[1024], name[sizeof(ts->path)];
    unsigned nr = 0;
    int err = 0;

    snprintf(name, sizeof(name), "%s", path);
    memset(ts, 0, sizeof(*ts));
    memcpy(ts->path, name, sizeof(name));
    if (f == NULL) {
        fprintf(stderr, "bench: %s: cannot read the targets file: %s\n", path,
                strerror(errno));
        return -1;
    }
    while (err == 0 && fgets(line, sizeof(line), f) != NULL) {
        char *s = line + strspn(line, " \t");

        nr++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            err = bad_line(path, nr, "line longer than %zu characters",
                           sizeof(line) - 2);
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (*s == '#' || *s == '\0')
            continue;
        if (ts->n == sizeof(ts->t) / sizeof(ts->t[0])) {
            err = bad_line(path, nr, "more than %zu targets",
                           sizeof(ts->t) / sizeof(ts->t[0]));
            break;
        }
        if ((err = parse_line(path, nr, s, &ts->t[ts->n])) == 0)
            ts->n++;
    }
    if (err == 0 && ferror(f)) {
        fprintf(stderr, "bench: %s: read error\n", path);
        err = -1;
    }
    fclose(f);
    return err;
}

/* ---- judging ------------------------------------------------------------- */

static const char *label_of(int variant)
{
    return bench_variants[variant].label;
}

static int is_peer(int variant)
{
    return bench_variants[variant].kind == K_PEER;
}

static int compare(double figure, enum bench_cmp c, double value)
{
    if (isnan(figure))
        return T_UNKNOWN;
    switch (c) {
    case CMP_LT:
        return figure < value;
    case CMP_LE:
        return figure <= value;
    case CMP_GT:
        return figure > value;
    default:
        return figure >= value;
    }
}

/* The subject's figure against one other variant (or its own value). */
struct side {
    double figure;   /* the target's figure */
    double s, a;     /* subject's and against's medians (or scales) */
};

static struct side timed_side(const struct bench_run *b,
                              const struct target_workload *tw,
                              const struct bench_target *t, int against)
{
    enum bench_touch touch = t->touch < 0 ? TOUCH_NONE
                                          : (enum bench_touch)t->touch;
    const char *sv = bench_variants[t->subject].name;
    const char *av = against >= 0 ? bench_variants[against].name : NULL;
    unsigned T = tw->kind == TW_THREADS ? b->opt.threads : 1;
    int up = higher_better(t->metric);
    struct side r = {NAN, NAN, NAN};

    if (tw->kind == TW_THREADS && strcmp(t->metric, "scale") == 0) {
        const struct bench_job *sn, *s1, *an = NULL, *a1 = NULL;

        sn = bench_find_job_in(b, S_THREADS, tw->w, sv, T, touch);
        s1 = bench_find_job_in(b, S_THREADS, tw->w, sv, 1, touch);
        if (T < 2)
            return r;
        r.s = bench_job_ratio(b, sn, s1, "mops");
        if (av == NULL) {
            r.figure = r.s;
            return r;
        }
        an = bench_find_job_in(b, S_THREADS, tw->w, av, T, touch);
        a1 = bench_find_job_in(b, S_THREADS, tw->w, av, 1, touch);
        r.a = bench_job_ratio(b, an, a1, "mops");
        r.figure = bench_job_ratio2(b, sn, s1, an, a1, "mops");
        return r;
    }
    {
        const struct bench_job *sj, *aj;

        sj = bench_find_job_in(b, tw->section, tw->w, sv, T, touch);
        r.s = bench_job_median(b, sj, t->metric);
        if (av == NULL) {
            r.figure = r.s;
            return r;
        }
        aj = bench_find_job_in(b, tw->section, tw->w, av, T, touch);
        r.a = bench_job_median(b, aj, t->metric);
        r.figure = up ? bench_job_ratio(b, sj, aj, t->metric)
                      : bench_job_ratio(b, aj, sj, t->metric);
    }
    return r;
}

static struct side cg_side(const struct bench_run *b,
                           const struct target_workload *tw,
                           const struct bench_target *t, int against)
{
    int net = strcmp(t->metric, "ir_net") == 0;
    unsigned w = tw->w == W_HOT ? 0 : 1;
    struct side r = {NAN, NAN, NAN};

    r.s = bench_cg_ir(b->cg, t->subject, w, (enum bench_touch)t->touch, net);
    if (against < 0) {
        r.figure = r.s;
        return r;
    }
    r.a = bench_cg_ir(b->cg, against, w, (enum bench_touch)t->touch, net);
    r.figure = r.a / r.s;
    return r;
}

static struct side side_of(const struct bench_run *b,
                           const struct target_workload *tw,
                           const struct bench_target *t, int against)
{
    return tw->kind == TW_CALLGRIND ? cg_side(b, tw, t, against)
                                    : timed_side(b, tw, t, against);
}

static const char *unit_of(const char *metric)
{
    size_t n = strlen(metric);

    if (strcmp(metric, "ns_per_op") == 0)
        return " ns/op";
    if (strcmp(metric, "mops") == 0)
        return " Mops/s";
    if (strcmp(metric, "scale") == 0)
        return "x";
    if (strcmp(metric, "faults_per_op") == 0)
        return " faults/op";
    if (strstr(metric, "faults_per_alloc") != NULL)
        return " faults/alloc";
    if (strncmp(metric, "ir", 2) == 0)
        return " instructions";
    if (strcmp(metric, "meta_per_page") == 0 ||
        (n > 13 && strcmp(metric + n - 13, "meta_per_page") == 0))
        return " bytes/page";
    if (n > 3 && strcmp(metric + n - 3, "_ns") == 0)
        return " ns";
    if ((n > 4 && strcmp(metric + n - 4, "_rss") == 0) ||
        (n > 6 && strcmp(metric + n - 6, "_bytes") == 0))
        return " bytes";
    return "";
}

void bench_target_judge(const struct bench_run *b, const struct bench_target *t,
                        struct bench_verdict *v)
{
    const struct target_workload *tw = find_workload(t->workload);
    const char *unit = unit_of(t->metric);
    int up = higher_better(t->metric);
    struct side sd = {NAN, NAN, NAN};
    int against = t->against;

    memset(v, 0, sizeof(*v));
    v->status = T_UNKNOWN;
    v->figure = NAN;
    if (tw == NULL)
        return;
    if (tw->kind == TW_CALLGRIND && b->cg == NULL) {
        snprintf(v->detail, sizeof(v->detail), "not in this run (bench "
                 "--callgrind or --with-callgrind)");
        return;
    }
    if (against == AGAINST_PEERS) {
        /* The closest peer: the smallest figure over every peer row of
         * this workload that was measured. */
        for (unsigned i = 0; i < bench_nr_variants; i++) {
            struct side x;

            if (!is_peer((int)i))
                continue;
            x = side_of(b, tw, t, (int)i);
            if (!isnan(x.figure) &&
                (isnan(sd.figure) || x.figure < sd.figure)) {
                sd = x;
                against = (int)i;
            }
        }
        if (against < 0)
            sd.s = side_of(b, tw, t, AGAINST_NONE).s;
    } else {
        sd = side_of(b, tw, t, against);
    }
    v->figure = sd.figure;
    v->status = compare(sd.figure, t->cmp, t->value);
    if (isnan(sd.s)) {
        snprintf(v->detail, sizeof(v->detail), "not in this run");
        return;
    }
    if (t->against == AGAINST_NONE) {
        snprintf(v->detail, sizeof(v->detail), "%s: %.4g%s",
                 label_of(t->subject), sd.s, unit);
    } else if (against < 0) {
        snprintf(v->detail, sizeof(v->detail), "%s: %.4g%s; no peer measured",
                 label_of(t->subject), sd.s, unit);
    } else if (tw->kind == TW_THREADS && strcmp(t->metric, "scale") == 0) {
        snprintf(v->detail, sizeof(v->detail),
                 "%u threads / 1: %s %.2fx, %s %.2fx in the same rounds: "
                 "%.2f of it", b->opt.threads, label_of(t->subject), sd.s,
                 label_of(against), sd.a, sd.figure);
    } else {
        snprintf(v->detail, sizeof(v->detail),
                 "%s%s %.4g%s, %s %.4g%s: %s / %s = %.2fx",
                 t->against == AGAINST_PEERS ? "closest peer; " : "",
                 label_of(t->subject), sd.s, unit, label_of(against), sd.a,
                 unit, up ? label_of(t->subject) : label_of(against),
                 up ? label_of(against) : label_of(t->subject), sd.figure);
    }
}
