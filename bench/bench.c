/* SPDX-License-Identifier: MIT */
/*
 * bench.c: libbuddy against what a user would pick instead.
 *
 *   bench [--runs N] [--threads N] [--only LIST] [--touch LIST]
 *         [--with-callgrind] [--json] [--save FILE] [--summary FILE]
 *         [--targets FILE] [--quick]
 *   bench --callgrind [--touch LIST] [--quick] [--json]
 *   bench --check-targets [--targets FILE]
 *
 * Workloads (workloads.c): hot, batch, mixed, mixed's per-operation
 * latency, hot and mixed on 1 and N threads sharing one heap, cross
 * (one thread allocates, another frees), and zone init, each (but init) in every touch mode asked for: nothing written,
 * the first byte of each block, or a byte in every page of it (bench.h).
 * Allocators (allocators.c): libbuddy's byte API with per-thread,
 * per-CPU and no caches and either zone lock, its pfn API, linked
 * statically (bench) and, in its default configuration, as a shared
 * library (bench_shared, the same sources linked with libbuddy.so), and
 * glibc, jemalloc, mimalloc and tcmalloc through malloc/free and through
 * aligned_alloc(4096, size). Each measurement runs in its own worker
 * process (bench.h says why); the report (report.c) gives the median of
 * the rounds and each peer's ratio to libbuddy from the same round, and
 * judges the targets of bench/targets.txt (targets.c) on them; --summary
 * writes the Markdown summary of the same run (summary.c).
 *
 * --callgrind runs hot and mixed for each allocator under
 * `valgrind --tool=callgrind --toggle-collect=<the measured loop>` twice,
 * with two operation counts, and divides the difference in instructions
 * by the difference in operations: fixed costs (the first cache refill, a
 * peer's first arena) cancel out and what remains is the steady cost per
 * operation, the same on a quiet or a busy machine.
 *
 * --with-callgrind does both in one run, so that one report (and one
 * summary) holds the times and the instruction counts.
 *
 * Nothing here asserts on speed. The exit status is nonzero only when an
 * allocator call or libbuddy's validator failed (or a worker crashed), 2
 * on a bad argument or a malformed targets file.
 */
#define _GNU_SOURCE
#include "driver.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_commit.h"
#include "buddy/buddy.h"
#include "buddy/hosted.h"
#include "timer.h"
#include "util.h"

const char *const bench_section_names[S_COUNT] = {
    "hot", "batch", "mixed", "latency", "threads", "init", "cross"};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: bench [options]\n"
        "  --runs N       rounds, at most 256; the report gives medians "
        "(default 5)\n"
        "  --threads N    threads for the multi-threaded runs (default 2)\n"
        "  --only LIST    sections, comma separated: hot,batch,mixed,"
        "latency,threads,init,cross\n"
        "  --touch LIST   what each workload writes into every block it\n"
        "                 allocates, inside the measured window, comma\n"
        "                 separated (default none,first,pages):\n"
        "                   none   nothing (the allocator alone)\n"
        "                   first  the block's first byte (the headline)\n"
        "                   pages  one byte in every 4 KiB page of the block\n"
        "                 (hot and batch blocks are one page: pages = first)\n"
        "  --json         one JSON document on stdout instead of tables\n"
        "  --save FILE    also write that JSON document to FILE\n"
        "  --summary FILE write the Markdown summary of this run to FILE\n"
        "                 (the tables of README.md and docs/performance.md)\n"
        "  --targets FILE the targets to judge (default %s)\n"
        "  --check-targets  read the targets file, print it as understood,\n"
        "                 and exit: 0, or 2 with FILE:LINE: on a bad line\n"
        "  --quick        small counts and one round, the threads section in\n"
        "                 the headline touch mode only: a smoke run for CI\n"
        "  --callgrind    instructions per operation for hot and mixed, under\n"
        "                 valgrind --tool=callgrind, in each --touch mode\n"
        "                 (--runs, --only, --threads do not apply; the files\n"
        "                 stay in $TMPDIR or /tmp)\n"
        "  --with-callgrind  the timed run, then --callgrind, one report\n"
        "  --help         this text\n"
        "libbuddy rows are linked statically (bench) unless marked (shared):\n"
        "those run in bench_shared, linked with libbuddy.so, as the peers'\n"
        "libraries are (LD_PRELOAD).\n", BENCH_TARGETS_DEFAULT);
}

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v == 0 || v > 4096)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_only(const char *s, unsigned *mask)
{
    char buf[256], *tok, *save = NULL;

    snprintf(buf, sizeof(buf), "%s", s);
    *mask = 0;
    for (tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        int i;

        for (i = 0; i < S_COUNT; i++)
            if (strcmp(tok, bench_section_names[i]) == 0)
                break;
        if (i == S_COUNT)
            return -1;
        *mask |= 1u << i;
    }
    return *mask != 0 ? 0 : -1;
}

/* ---- the run's identity and the machine ----------------------------------- */

/* The command line as typed, quoted where a shell would need it. */
static void command_line(struct bench_run *b, int argc, char **argv)
{
    size_t used = 0;

    b->cmdline[0] = '\0';
    for (int i = 0; i < argc && used + 1 < sizeof(b->cmdline); i++) {
        const char *a = argv[i];
        int plain = a[0] != '\0' && strspn(a, "abcdefghijklmnopqrstuvwxyz"
                                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789-_./=,:+@%") ==
                                          strlen(a);
        int n = snprintf(b->cmdline + used, sizeof(b->cmdline) - used,
                         plain ? "%s%s" : "%s'%s'", i ? " " : "", a);

        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void machine_info(struct bench_run *b)
{
    struct utsname u;
    time_t now = time(NULL);

    strftime(b->date, sizeof(b->date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
    snprintf(b->commit, sizeof(b->commit), "%s", BENCH_COMMIT);
    if (gethostname(b->host, sizeof(b->host)) != 0)
        snprintf(b->host, sizeof(b->host), "?");
    b->host[sizeof(b->host) - 1] = '\0';
    cpu_model(b->cpu, sizeof(b->cpu));
    b->cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (uname(&u) == 0)
        snprintf(b->kernel, sizeof(b->kernel), "%s %s %s", u.sysname,
                 u.release, u.machine);
#if defined(__clang__)
    snprintf(b->compiler, sizeof(b->compiler), "%s", __VERSION__);
#elif defined(__GNUC__)
    snprintf(b->compiler, sizeof(b->compiler), "gcc %s", __VERSION__);
#endif
}

/* ---- peers ---------------------------------------------------------------- */

/* Start `bench --probe PEER` with each candidate library preloaded; the
 * first that really serves malloc is the peer. Missing libraries make
 * ld.so print a warning, so the probe's stderr is discarded. */
static void probe_peers(struct bench_run *b)
{
    const char *self = bench_self_path();

    for (unsigned i = 0; i < bench_nr_peers; i++) {
        const struct bench_peer *p = &bench_peers[i];
        struct bench_peer_info *pi = &b->peers[i];
        unsigned tries = 1;

        while (tries < 3 && p->sonames[tries] != NULL)
            tries++;
        for (unsigned c = 0; c < tries && !pi->installed; c++) {
            char *argv[] = {(char *)self, "--probe", (char *)p->name, NULL};
            char out[1024];

            if (bench_spawn(bench_exe_for_spawn(0), argv, p->sonames[c], 1, out,
                            sizeof(out)) != 0 ||
                parse_probe(out, pi->library, sizeof(pi->library),
                            pi->version, sizeof(pi->version)) != 0)
                continue;
            pi->installed = 1;
            pi->soname = p->sonames[c];
        }
    }
}

/* bench_shared, and the libbuddy.so it loads: the rows "libbuddy
 * (shared)" are measured only when both are there. */
static void probe_shared(struct bench_run *b)
{
    struct bench_peer_info *pi = &b->shared;
    char *argv[] = {"bench_shared", "--probe", "libbuddy", NULL};
    char out[1024];

    if (bench_shared_open() != 0 ||
        bench_spawn(bench_shared_for_spawn(0), argv, NULL, 1, out,
                    sizeof(out)) != 0 ||
        parse_probe(out, pi->library, sizeof(pi->library), pi->version,
                    sizeof(pi->version)) != 0)
        return;
    pi->installed = 1;
}

/* Whether a variant can be measured in this run. */
static int available(const struct bench_run *b, const struct bench_variant *v)
{
    if (v->kind == K_PEER)
        return b->peers[v->peer].installed;
    if (v->shared)
        return b->shared.installed;
    return 1;
}

/* Where a variant's worker is started from, and its argv[0]. */
static const char *worker_exe(const struct bench_variant *v)
{
    return v->shared ? bench_shared_for_spawn(0) : bench_exe_for_spawn(0);
}

static char *worker_name(const struct bench_variant *v)
{
    return v->shared ? "bench_shared" : (char *)bench_self_path();
}

/* ---- the plan ------------------------------------------------------------- */

static void add_job(struct bench_run *b, enum bench_workload w, int section,
                    const char *variant, unsigned threads,
                    enum bench_touch touch)
{
    int v = bench_variant_find(variant);

    touch = bench_touch_effective(w, touch);
    if (v < 0 || b->nr_jobs == sizeof(b->jobs) / sizeof(b->jobs[0]) ||
        !available(b, &bench_variants[v]))
        return;
    for (unsigned i = 0; i < b->nr_jobs; i++)
        if (b->jobs[i].w == w && b->jobs[i].variant == v &&
            b->jobs[i].threads == threads && b->jobs[i].touch == touch &&
            (w != W_HOT || b->jobs[i].section == section))
            return; /* measured once, reported where it is wanted */
    b->jobs[b->nr_jobs].w = w;
    b->jobs[b->nr_jobs].section = section;
    b->jobs[b->nr_jobs].variant = v;
    b->jobs[b->nr_jobs].threads = threads;
    b->jobs[b->nr_jobs].touch = touch;
    b->nr_jobs++;
}

static const char *const peer_variants[] = {
    "glibc", "glibc-aligned", "jemalloc", "jemalloc-aligned", "mimalloc",
    "mimalloc-aligned", "tcmalloc", "tcmalloc-aligned"};
static int wanted(const struct bench_run *b, int section)
{
    return b->opt.only == 0 || (b->opt.only & (1u << section)) != 0;
}

/* Section by section, touch mode by touch mode (the headline first), each
 * allocator next to libbuddy's run of the same workload and mode, and
 * each 1-thread run next to its N-thread run. */
static void plan(struct bench_run *b)
{
    static const enum bench_workload single[] = {W_HOT, W_BATCH, W_MIXED,
                                                 W_LATENCY};
    enum bench_touch order[TOUCH_COUNT];
    unsigned nt = bench_touch_order(b, order);

    for (unsigned s = 0; s < 4; s++) {
        if (!wanted(b, (int)s))
            continue;
        for (unsigned k = 0; k < nt; k++) {
            enum bench_touch t = order[k];

            add_job(b, single[s], (int)s, "buddy", 1, t);
            add_job(b, single[s], (int)s, "buddy-shared", 1, t);
            if (single[s] == W_HOT)
                add_job(b, W_HOT, S_HOT, "buddy-pfn", 1, t);
            if (single[s] == W_HOT || single[s] == W_MIXED)
                add_job(b, single[s], (int)s, "buddy-handle", 1, t);
            if (single[s] == W_MIXED || single[s] == W_LATENCY)
                add_job(b, single[s], (int)s, "buddy-wide", 1, t);
            add_job(b, single[s], (int)s, "buddy-cpu", 1, t);
            add_job(b, single[s], (int)s, "buddy-none", 1, t);
            for (unsigned i = 0; i < sizeof(peer_variants) / sizeof(char *);
                 i++)
                add_job(b, single[s], (int)s, peer_variants[i], 1, t);
        }
    }
    if (wanted(b, S_THREADS)) {
        for (unsigned w = 0; w < 2; w++) {
            enum bench_workload wl = w == 0 ? W_HOT : W_MIXED;

            /* --quick: the threads section in the headline mode only (the
             * others run the same loops in the sections above). */
            for (unsigned k = 0; k < (b->opt.quick ? 1 : nt); k++)
                for (unsigned i = 0; i < bench_nr_thread_variants; i++) {
                    add_job(b, wl, S_THREADS, bench_thread_variants[i], 1,
                            order[k]);
                    if (b->opt.threads > 1)
                        add_job(b, wl, S_THREADS, bench_thread_variants[i],
                                b->opt.threads, order[k]);
                }
        }
    }
    if (wanted(b, S_CROSS)) {
        /* Every free of another thread's block: the caches' libbuddy
         * configurations and every peer (no handle: it is one thread's). */
        static const char *const cross_buddy[] = {"buddy", "buddy-shared",
                                                  "buddy-wide", "buddy-cpu",
                                                  "buddy-none"};

        for (unsigned k = 0; k < nt; k++) {
            if (order[k] == TOUCH_PAGES)
                continue; /* one-page blocks: the same as first */
            for (unsigned i = 0; i < sizeof(cross_buddy) / sizeof(char *);
                 i++)
                add_job(b, W_CROSS, S_CROSS, cross_buddy[i], 1, order[k]);
            for (unsigned i = 0; i < sizeof(peer_variants) / sizeof(char *);
                 i++)
                add_job(b, W_CROSS, S_CROSS, peer_variants[i], 1, order[k]);
        }
    }
    if (wanted(b, S_INIT))
        add_job(b, W_INIT, S_INIT, "buddy", 1, TOUCH_NONE);
}

/* ---- running -------------------------------------------------------------- */

static int progress_on;

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void progress(const char *fmt, ...)
{
    va_list ap;

    if (!progress_on)
        return;
    fputs("\r\033[K", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

/* Pairs for a hot job. The hot section runs 10M pairs. The
 * threads section compares 1 and 2 threads by wall time, which one
 * preemption on a shared machine can halve when the run is short (10M pairs
 * of libbuddy take 60 ms): it runs 5x the pairs, except without a cache
 * (10M pairs of a plain buddy already take 2.5 s) and for the null
 * allocator, whose ~1.5 ns loop gets 50x so that, as the machine's own
 * scaling control, it runs about as long as the real allocators do. */
static uint64_t hot_count(const struct bench_run *b, const struct bench_job *j)
{
    const struct bench_variant *v = &bench_variants[j->variant];

    if (j->section != S_THREADS)
        return b->par.hot_pairs;
    if (v->kind == K_NULL)
        return b->par.hot_pairs * 50;
    if (v->kind == K_BUDDY && v->cache == BUDDY_CACHE_NONE)
        return b->par.hot_pairs;
    return b->par.hot_pairs * 5;
}

static uint64_t job_count(const struct bench_run *b, const struct bench_job *j)
{
    switch (j->w) {
    case W_HOT:
        return hot_count(b, j);
    case W_BATCH:
        return b->par.batch_n;
    case W_MIXED:
        /* The null allocator is the scaling targets' control: 10x the
         * operations, so that its window (a few ns per operation) lasts
         * about as long as a real allocator's, not one preemption. */
        if (bench_variants[j->variant].kind == K_NULL)
            return b->par.mixed_ops * 10;
        return b->par.mixed_ops;
    case W_LATENCY:
        return b->par.mixed_ops;
    case W_CROSS: /* blocks: twice as many operations */
        return b->par.mixed_ops / 2;
    default:
        return 0;
    }
}

static const char *preload_for(const struct bench_run *b, int variant)
{
    const struct bench_variant *v = &bench_variants[variant];

    return v->kind == K_PEER ? b->peers[v->peer].soname : NULL;
}

static void run_job(struct bench_run *b, struct bench_job *j, unsigned round)
{
    const struct bench_variant *v = &bench_variants[j->variant];
    char threads[16], count[32], live[32], out[4096];
    char *argv[] = {worker_name(v), "--worker", (char *)v->name,
                    (char *)bench_workload_names[j->w], threads, count, live,
                    (char *)bench_touch_names[j->touch], NULL};
    int st;

    snprintf(threads, sizeof(threads), "%u", j->threads);
    snprintf(count, sizeof(count), "%llu",
             (unsigned long long)job_count(b, j));
    snprintf(live, sizeof(live), "%llu", (unsigned long long)b->par.mixed_live);
    st = bench_spawn(worker_exe(v), argv, preload_for(b, j->variant), 0,
                     out, sizeof(out));
    if (st == 0 && bench_parse_result(out, &j->runs[round]) != 0)
        st = -1;
    j->status[round] = st;
    if (st != 0) {
        if (progress_on)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "bench: round %u: %s %s %u thread(s), touch %s: "
                "worker %s %d\n", round + 1, v->name,
                bench_workload_names[j->w], j->threads,
                bench_touch_names[j->touch],
                st > 128 ? "killed by signal" : "failed with status",
                st > 128 ? st - 128 : st);
        b->failures++;
    }
}

static int run_all(struct bench_run *b)
{
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        b->jobs[i].runs = calloc(b->opt.runs, sizeof(struct bench_result));
        b->jobs[i].status = calloc(b->opt.runs, sizeof(int));
        if (b->jobs[i].runs == NULL || b->jobs[i].status == NULL)
            return -1;
        for (unsigned r = 0; r < b->opt.runs; r++)
            b->jobs[i].status[r] = -1;
    }
    for (unsigned r = 0; r < b->opt.runs; r++) {
        for (unsigned i = 0; i < b->nr_jobs; i++) {
            struct bench_job *j = &b->jobs[i];

            progress("bench: round %u/%u, %3u/%u: %s %s, %u thread%s, "
                     "touch %s", r + 1, b->opt.runs, i + 1, b->nr_jobs,
                     bench_workload_names[j->w],
                     bench_variants[j->variant].label, j->threads,
                     j->threads == 1 ? "" : "s", bench_touch_names[j->touch]);
            run_job(b, j, r);
        }
        b->rounds_done = r + 1;
    }
    if (progress_on)
        fputs("\r\033[K", stderr);
    return 0;
}

/* ---- --callgrind ---------------------------------------------------------- */

/* Copy a file (an open executable, through its /proc path) to dst, mode
 * 0755; 0 or -1. */
static int copy_exe(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = NULL;
    char buf[65536];
    size_t n;
    int err = in == NULL;

    if (!err)
        err = (out = fopen(dst, "wb")) == NULL;
    while (!err && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        err = fwrite(buf, 1, n, out) != n;
    if (in != NULL && ferror(in))
        err = 1;
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        err = 1;
    return err || chmod(dst, 0755) != 0 ? -1 : 0;
}

/* Valgrind reads an executable's symbols again by the name its mapping
 * has, and a rebuilt file's old name is gone ("(deleted)"): without the
 * symbols --toggle-collect matches nothing. So the runs use copies, made
 * from the files this driver started with, in the callgrind directory. */
static char cg_exe[2][300];

static const char *cg_worker_exe(const struct bench_variant *v)
{
    return cg_exe[v->shared];
}

static double callgrind_one(struct bench_run *b, struct bench_cg *cg,
                            int variant, enum bench_workload w,
                            enum bench_touch touch, uint64_t n)
{
    const struct bench_variant *v = &bench_variants[variant];
    char toggle[64], file[512], outarg[600], threads[] = "1", count[32],
        live[32], out[4096];
    char *argv[] = {"valgrind", "--tool=callgrind", toggle,
                    outarg, (char *)cg_worker_exe(v), "--worker",
                    (char *)v->name, (char *)bench_workload_names[w], threads,
                    count, live, (char *)bench_touch_names[touch], NULL};
    int st;

    snprintf(toggle, sizeof(toggle), "--toggle-collect=%s",
             w == W_HOT ? "bench_loop_hot" : "bench_loop_mixed");
    snprintf(file, sizeof(file), "%s/%s-%s-%s-%llu.out", cg->dir,
             bench_workload_names[w], v->name, bench_touch_names[touch],
             (unsigned long long)n);
    snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s", file);
    snprintf(count, sizeof(count), "%llu", (unsigned long long)n);
    snprintf(live, sizeof(live), "%llu", (unsigned long long)b->par.mixed_live);
    st = bench_spawn(NULL, argv, preload_for(b, variant), 1, out, sizeof(out));
    if (st != 0) {
        if (progress_on)
            fputs("\r\033[K", stderr);
        fprintf(stderr, "bench: callgrind %s %s, touch %s: status %d\n",
                v->name, bench_workload_names[w], bench_touch_names[touch],
                st);
        b->failures++;
        return NAN;
    }
    return callgrind_total(file);
}

/* Every allocator in every touch mode of the run; hot with pages is hot
 * with first (one-page blocks) and is not run twice. */
static int run_callgrind(struct bench_run *b, struct bench_cg *cg)
{
    static const char *const rows[] = {
        "buddy", "buddy-shared", "buddy-wide", "buddy-cpu", "buddy-none",
        "buddy-pfn", "buddy-handle", "glibc", "glibc-aligned", "jemalloc",
        "jemalloc-aligned", "mimalloc", "mimalloc-aligned", "tcmalloc",
        "tcmalloc-aligned", "null"};
    char *argv[] = {"valgrind", "--version", NULL};
    enum bench_touch order[TOUCH_COUNT];
    unsigned nt = bench_touch_order(b, order), total = 0, done = 0;
    char out[256];

    if (bench_spawn(NULL, argv, NULL, 1, out, sizeof(out)) != 0) {
        fprintf(stderr, "bench: --callgrind needs valgrind, which is not "
                "installed\n");
        return -1;
    }
    snprintf(cg->dir, sizeof(cg->dir), "%s/bench-callgrind.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(cg->dir) == NULL) {
        perror("bench: mkdtemp");
        return -1;
    }
    snprintf(cg_exe[0], sizeof(cg_exe[0]), "%s/bench", cg->dir);
    snprintf(cg_exe[1], sizeof(cg_exe[1]), "%s/bench_shared", cg->dir);
    if (copy_exe(bench_exe_for_spawn(1), cg_exe[0]) != 0 ||
        (b->shared.installed &&
         copy_exe(bench_shared_for_spawn(1), cg_exe[1]) != 0)) {
        fprintf(stderr, "bench: cannot copy the executables into %s\n",
                cg->dir);
        return -1;
    }
    cg->nr_rows = 0;
    for (unsigned k = 0; k < nt; k++)
        for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
            int v = bench_variant_find(rows[i]);
            struct bench_cg_row *row = &cg->rows[cg->nr_rows];

            if (v < 0 || !available(b, &bench_variants[v]) ||
                cg->nr_rows == sizeof(cg->rows) / sizeof(cg->rows[0]))
                continue;
            row->variant = v;
            row->touch = order[k];
            row->ir[0] = row->ir[1] = NAN;
            cg->nr_rows++;
            total += (bench_touch_effective(W_HOT, order[k]) == order[k]) +
                     !bench_variants[v].pfn_api;
        }
    total *= 2;
    for (unsigned i = 0; i < cg->nr_rows; i++) {
        struct bench_cg_row *row = &cg->rows[i];
        const struct bench_variant *v = &bench_variants[row->variant];

        for (unsigned w = 0; w < 2; w++) {
            enum bench_workload wl = w == 0 ? W_HOT : W_MIXED;
            const uint64_t *n = w == 0 ? cg->n_hot : cg->n_mixed;
            double ir[2];

            if ((wl == W_MIXED && v->pfn_api) ||
                bench_touch_effective(wl, row->touch) != row->touch)
                continue;
            for (unsigned k = 0; k < 2; k++) {
                progress("bench: callgrind %3u/%u: %s %s, touch %s, %llu",
                         ++done, total, bench_workload_names[wl], v->label,
                         bench_touch_names[row->touch],
                         (unsigned long long)n[k]);
                ir[k] = callgrind_one(b, cg, row->variant, wl, row->touch,
                                      n[k]);
            }
            row->ir[w] = (ir[1] - ir[0]) / (double)(n[1] - n[0]);
            /* More operations cost more instructions: anything else means
             * the loop was not collected, and is no measurement. */
            if (!isnan(row->ir[w]) && !(ir[0] > 0 && ir[1] > ir[0])) {
                if (progress_on)
                    fputs("\r\033[K", stderr);
                fprintf(stderr, "bench: callgrind %s %s, touch %s: %.0f then "
                        "%.0f instructions collected: not a measurement\n",
                        v->name, bench_workload_names[wl],
                        bench_touch_names[row->touch], ir[0], ir[1]);
                row->ir[w] = NAN;
                b->failures++;
            }
        }
    }
    if (progress_on)
        fputs("\r\033[K", stderr);
    return 0;
}

/* ---- main ----------------------------------------------------------------- */

static int check_targets(const struct bench_run *b)
{
    const struct bench_targets *ts = &b->targets;

    printf("%s: %u target%s\n", ts->path, ts->n, ts->n == 1 ? "" : "s");
    for (unsigned i = 0; i < ts->n; i++) {
        const struct bench_target *t = &ts->t[i];

        printf("  line %u: %s %s of %s", t->line, t->workload, t->metric,
               bench_variants[t->subject].name);
        if (t->against == AGAINST_PEERS)
            printf(" against every peer");
        else if (t->against >= 0)
            printf(" against %s", bench_variants[t->against].name);
        printf(" %s %g, touch %s: %s\n", bench_cmp_name(t->cmp), t->value,
               t->touch < 0 ? "-" : bench_touch_names[t->touch], t->label);
    }
    return 0;
}

static int write_file(const char *path, const struct bench_run *b,
                      void (*report)(const struct bench_run *, FILE *))
{
    FILE *f = fopen(path, "w");

    if (f == NULL || (report(b, f), fclose(f)) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct bench_run b;
    static struct bench_cg cg;
    int runs_given = 0, want_check = 0;
    uint64_t t0;

    if (argc >= 2 && strcmp(argv[1], "--worker") == 0)
        return bench_worker_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--probe") == 0)
        return bench_probe_main(argc - 2, argv + 2);
    if (BENCH_SHARED) {
        fprintf(stderr, "bench_shared only measures the rows of libbuddy "
                "linked as a shared library, for bench: run bench\n");
        return 2;
    }
    b.opt.runs = 5;
    b.opt.threads = 2;
    b.opt.touch = (1u << TOUCH_COUNT) - 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--runs") == 0 && i + 1 < argc &&
            parse_uint(argv[i + 1], &b.opt.runs) == 0 &&
            b.opt.runs <= BENCH_MAX_ROUNDS) {
            runs_given = 1;
            i++;
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc &&
                   parse_uint(argv[i + 1], &b.opt.threads) == 0) {
            i++;
        } else if (strcmp(a, "--only") == 0 && i + 1 < argc &&
                   parse_only(argv[i + 1], &b.opt.only) == 0) {
            i++;
        } else if (strcmp(a, "--touch") == 0 && i + 1 < argc &&
                   parse_names(argv[i + 1], bench_touch_parse, &b.opt.touch) == 0) {
            i++;
        } else if (strcmp(a, "--save") == 0 && i + 1 < argc) {
            b.opt.save = argv[++i];
        } else if (strcmp(a, "--summary") == 0 && i + 1 < argc) {
            b.opt.summary = argv[++i];
        } else if (strcmp(a, "--targets") == 0 && i + 1 < argc) {
            b.opt.targets = argv[++i];
        } else if (strcmp(a, "--check-targets") == 0) {
            want_check = 1;
        } else if (strcmp(a, "--json") == 0) {
            b.opt.json = 1;
        } else if (strcmp(a, "--quick") == 0) {
            b.opt.quick = 1;
        } else if (strcmp(a, "--callgrind") == 0) {
            b.opt.callgrind = 1;
        } else if (strcmp(a, "--with-callgrind") == 0) {
            b.opt.with_callgrind = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (b.opt.callgrind && b.opt.with_callgrind) {
        fprintf(stderr, "bench: --callgrind or --with-callgrind, not both\n");
        return 2;
    }
    /* Read the targets before measuring anything: a bad line costs no run. */
    if (bench_targets_load(b.opt.targets != NULL ? b.opt.targets
                                                 : BENCH_TARGETS_DEFAULT,
                           &b.targets) != 0)
        return 2;
    if (want_check)
        return check_targets(&b);
    if (bench_self_path() == NULL) {
        fprintf(stderr, "bench: cannot find my own executable\n");
        return 1;
    }
    if (b.opt.quick) {
        if (!runs_given)
            b.opt.runs = 1;
        b.par.hot_pairs = 100000;
        b.par.batch_n = 10000;
        b.par.mixed_ops = 50000;
        b.par.mixed_live = (uint64_t)32 << 20;
    } else {
        b.par.hot_pairs = 10000000;
        b.par.batch_n = 100000;
        b.par.mixed_ops = 2000000;
        b.par.mixed_live = (uint64_t)512 << 20;
    }
    cg.n_hot[0] = b.opt.quick ? 1000 : 10000;
    cg.n_hot[1] = b.opt.quick ? 21000 : 210000;
    cg.n_mixed[0] = b.opt.quick ? 1000 : 20000;
    cg.n_mixed[1] = b.opt.quick ? 21000 : 220000;
    progress_on = isatty(STDERR_FILENO);
    t0 = bench_now_ns();
    command_line(&b, argc, argv);
    machine_info(&b);
    probe_peers(&b);
    probe_shared(&b);
    read_load(b.load[0], sizeof(b.load[0]));
    if (!b.opt.callgrind) {
        plan(&b);
        if (run_all(&b) != 0) {
            fprintf(stderr, "bench: out of memory\n");
            return 1;
        }
    }
    if (b.opt.callgrind || b.opt.with_callgrind) {
        if (run_callgrind(&b, &cg) != 0)
            return 1;
        b.cg = &cg;
    }
    read_load(b.load[1], sizeof(b.load[1]));
    b.seconds = (double)(bench_now_ns() - t0) / 1e9;
    if (b.opt.json)
        bench_report_json(&b, stdout);
    else
        bench_report_table(&b);
    if (b.opt.save != NULL && write_file(b.opt.save, &b, bench_report_json))
        return 1;
    if (b.opt.summary != NULL &&
        write_file(b.opt.summary, &b, bench_report_summary))
        return 1;
    if (b.failures != 0)
        fprintf(stderr, "bench: %d measurement(s) failed (see above)\n",
                b.failures);
    return b.failures != 0;
}
