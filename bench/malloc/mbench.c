/* SPDX-License-Identifier: MIT */
/*
 * mbench.c: malloc microbenchmarks, libbuddy-malloc.so against glibc,
 * jemalloc, mimalloc and tcmalloc, in one run.
 *
 *   mbench [--runs N] [--threads N|LIST] [--only LIST] [--allocs LIST]
 *          [--with-callgrind] [--quick]
 *
 * The driver plans one job per workload, thread count and allocator (and
 * per fast-path row), and runs every job once per round, each in a fresh
 * worker process started with the allocator's library in LD_PRELOAD
 * (workloads.c; none for glibc), the allocators one after another within
 * the round, so a ratio between two of them compares runs minutes apart
 * at most. It reports for each job the median over the rounds, the
 * spread ((max - min) / median), and the median over the rounds of its
 * speed relative to glibc's and of libbuddy's relative to it, each from
 * the same round. A missing allocator is reported and skipped.
 *
 * --with-callgrind then counts, for each fast-path row, the instructions
 * per pair: the worker runs under valgrind --tool=callgrind with
 * --toggle-collect naming the row's loop, for two pair counts, and the
 * difference in instructions over the difference in pairs is the steady
 * cost, whatever the machine's load (bench.c does the same).
 *
 * The exit status is 1 when a worker failed (a failed allocation, a wrong
 * tag or checksum, a crash), 2 on a bad argument; nothing is judged on
 * speed.
 */
#define _GNU_SOURCE
#include "mbench.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../timer.h"
#include "bench_commit.h"
#include "../util.h"

#define MB_MAX_ROUNDS 64
#define MB_MAX_THREADS 8   /* thread counts in one run */
#define MB_MAX_JOBS 256
#define TARGET_FAST_NS 20.0 /* the fast path's target, ns per pair */

struct mb_job {
    enum mb_workload w;
    unsigned alloc;             /* index into mb_allocs */
    unsigned threads;
    int row;                    /* fast path: index into mb_fast_rows */
    struct bench_result *runs;  /* [rounds] */
    int *status;                /* [rounds]: the worker's exit status */
    double ir;                  /* callgrind: instructions per pair */
    int ir_failed;              /* callgrind's worker failed */
};

struct mb_run {
    unsigned runs, nthreads, threads[MB_MAX_THREADS];
    unsigned only;              /* bit per workload; all when 0 */
    unsigned allocs;            /* bit per allocator; all when 0 */
    int quick, with_callgrind, callgrind_done;
    char callgrind_dir[256];     /* where its output files stay */
    const struct mb_params *pm;
    int installed[MB_MAX_ALLOCS];
    const char *soname[MB_MAX_ALLOCS];
    char library[MB_MAX_ALLOCS][512], version[MB_MAX_ALLOCS][128];
    struct mb_job jobs[MB_MAX_JOBS];
    unsigned nr_jobs;
    int failures;
    char cmdline[1024], date[64], load[2][64], cpu[128], kernel[400];
    long cpus;
    double seconds;
};

static int progress_on;

static void progress(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

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

static void progress_clear(void)
{
    if (progress_on)
        fputs("\r\033[K", stderr);
}

/* ---- options ------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
        "usage: mbench [options]\n"
        "  --runs N          rounds, at most %d; medians are reported "
        "(default 5)\n"
        "  --threads N|LIST  thread counts: N alone means 1 and N (default "
        "2);\n"
        "                    or a comma separated list, e.g. 1,2,4\n"
        "  --only LIST       workloads: larson,xmalloc,thrash,sweep,"
        "fastpath\n"
        "  --allocs LIST     allocators: libbuddy,glibc,jemalloc,mimalloc,"
        "tcmalloc\n"
        "  --with-callgrind  also instructions per fast-path pair, under\n"
        "                    valgrind --tool=callgrind (skipped without it)\n"
        "  --quick           tiny counts, one round: the CI smoke run, which\n"
        "                    proves every path works and judges no speed\n"
        "  --help            this text\n"
        "libbuddy is %s, preloaded.\n",
        MB_MAX_ROUNDS, MBENCH_BUDDY_MALLOC);
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_threads(struct mb_run *b, const char *s)
{
    char buf[128], *tok, *save = NULL;
    unsigned n;

    snprintf(buf, sizeof(buf), "%s", s);
    b->nthreads = 0;
    if (strchr(s, ',') == NULL) {
        if (parse_uint(s, 1024, &n) != 0)
            return -1;
        b->threads[b->nthreads++] = 1;
        if (n > 1)
            b->threads[b->nthreads++] = n;
        return 0;
    }
    for (tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (b->nthreads == MB_MAX_THREADS || parse_uint(tok, 1024, &n) != 0)
            return -1;
        b->threads[b->nthreads++] = n;
    }
    return b->nthreads != 0 ? 0 : -1;
}

/* ---- the run's identity ------------------------------------------------- */

static void command_line(struct mb_run *b, int argc, char **argv)
{
    size_t used = 0;

    b->cmdline[0] = '\0';
    for (int i = 0; i < argc && used + 1 < sizeof(b->cmdline); i++) {
        int n = snprintf(b->cmdline + used, sizeof(b->cmdline) - used, "%s%s",
                         i ? " " : "", argv[i]);

        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void machine_info(struct mb_run *b)
{
    time_t now = time(NULL);
    struct utsname u;

    strftime(b->date, sizeof(b->date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
    cpu_model(b->cpu, sizeof(b->cpu));
    b->cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (uname(&u) == 0)
        snprintf(b->kernel, sizeof(b->kernel), "%s %s %s", u.sysname,
                 u.release, u.machine);
}

/* ---- allocators --------------------------------------------------------- */

static int selected(const struct mb_run *b, unsigned alloc)
{
    return b->allocs == 0 || (b->allocs & (1u << alloc)) != 0;
}

/* Start `mbench --probe NAME` with each candidate library preloaded; the
 * first that really serves malloc is the allocator's. ld.so warns about a
 * missing library, so the probe's stderr is discarded. */
static void probe_allocs(struct mb_run *b)
{
    for (unsigned i = 0; i < mb_nr_allocs; i++) {
        const struct mb_alloc *a = &mb_allocs[i];
        unsigned tries = 1;

        /* glibc always: the slab rows run with it. */
        if (!selected(b, i) && strcmp(a->name, "glibc") != 0)
            continue;
        while (tries < 3 && a->sonames[tries] != NULL)
            tries++;
        for (unsigned c = 0; c < tries && !b->installed[i]; c++) {
            char *argv[] = {(char *)bench_self_path(), "--probe",
                            (char *)a->name, NULL};
            char out[1024];

            if (bench_spawn(bench_exe_for_spawn(0), argv, a->sonames[c], 1,
                            out, sizeof(out)) != 0 ||
                parse_probe(out, b->library[i], sizeof(b->library[i]),
                            b->version[i], sizeof(b->version[i])) != 0)
                continue;
            b->installed[i] = 1;
            b->soname[i] = a->sonames[c];
        }
    }
}

/* ---- the plan ----------------------------------------------------------- */

static void add_job(struct mb_run *b, enum mb_workload w, unsigned alloc,
                    unsigned threads, int row)
{
    int per_alloc = row < 0 || mb_fast_rows[row].per_malloc;
    struct mb_job *j;

    if (b->nr_jobs == MB_MAX_JOBS || !b->installed[alloc] ||
        (per_alloc && !selected(b, alloc)))
        return;
    j = &b->jobs[b->nr_jobs++];
    j->w = w;
    j->alloc = alloc;
    j->threads = threads;
    j->row = row;
    j->ir = NAN;
}

static int wanted(const struct mb_run *b, enum mb_workload w)
{
    return b->only == 0 || (b->only & (1u << w)) != 0;
}

static void plan(struct mb_run *b)
{
    int glibc = mb_alloc_find("glibc");

    for (unsigned w = 0; w < MW_FASTPATH; w++) {
        if (!wanted(b, (enum mb_workload)w))
            continue;
        for (unsigned t = 0; t < b->nthreads; t++)
            for (unsigned a = 0; a < mb_nr_allocs; a++)
                add_job(b, (enum mb_workload)w, a, b->threads[t], -1);
    }
    if (!wanted(b, MW_FASTPATH))
        return;
    for (unsigned r = 0; r < mb_nr_fast_rows; r++) {
        /* A row that never calls malloc runs once, with glibc as the
         * process's malloc, whether or not --allocs names it. */
        if (!mb_fast_rows[r].per_malloc)
            add_job(b, MW_FASTPATH, (unsigned)glibc, 1, (int)r);
        else
            for (unsigned a = 0; a < mb_nr_allocs; a++)
                add_job(b, MW_FASTPATH, a, 1, (int)r);
    }
}

/* ---- running ------------------------------------------------------------ */

static int run_worker(struct mb_run *b, const struct mb_job *j, uint64_t count,
                      const char *valgrind_out, char *out, size_t out_size)
{
    char threads[16], quick[4], cnt[32], toggle[96], outarg[600];
    char *argv[16];
    int n = 0;

    snprintf(threads, sizeof(threads), "%u", j->threads);
    snprintf(quick, sizeof(quick), "%d", b->quick);
    snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)count);
    if (valgrind_out != NULL) {
        snprintf(toggle, sizeof(toggle), "--toggle-collect=%s",
                 mb_fast_rows[j->row].symbol);
        snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s",
                 valgrind_out);
        argv[n++] = "valgrind";
        argv[n++] = "-q";
        argv[n++] = "--tool=callgrind";
        argv[n++] = toggle;
        argv[n++] = outarg;
    }
    argv[n++] = (char *)bench_self_path();
    argv[n++] = "--worker";
    argv[n++] = (char *)mb_workload_names[j->w];
    argv[n++] = (char *)mb_allocs[j->alloc].name;
    argv[n++] = threads;
    argv[n++] = quick;
    if (j->w == MW_FASTPATH) {
        argv[n++] = (char *)mb_fast_rows[j->row].name;
        argv[n++] = cnt;
    }
    argv[n] = NULL;
    return bench_spawn(valgrind_out != NULL ? NULL : bench_exe_for_spawn(0),
                       argv, b->soname[j->alloc], 0, out, out_size);
}

static const char *job_name(const struct mb_job *j, char *buf, size_t size)
{
    if (j->w == MW_FASTPATH)
        snprintf(buf, size, "fastpath %s, %s", mb_fast_rows[j->row].name,
                 mb_allocs[j->alloc].name);
    else
        snprintf(buf, size, "%s %s, %u thread%s", mb_workload_names[j->w],
                 mb_allocs[j->alloc].name, j->threads,
                 j->threads == 1 ? "" : "s");
    return buf;
}

static int run_all(struct mb_run *b)
{
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        b->jobs[i].runs = calloc(b->runs, sizeof(struct bench_result));
        b->jobs[i].status = calloc(b->runs, sizeof(int));
        if (b->jobs[i].runs == NULL || b->jobs[i].status == NULL)
            return -1;
    }
    for (unsigned r = 0; r < b->runs; r++)
        for (unsigned i = 0; i < b->nr_jobs; i++) {
            struct mb_job *j = &b->jobs[i];
            char out[4096], name[128];
            int st;

            job_name(j, name, sizeof(name));
            progress("mbench: round %u/%u, %3u/%u: %s", r + 1, b->runs, i + 1,
                     b->nr_jobs, name);
            st = run_worker(b, j, 0, NULL, out, sizeof(out));
            if (st == 0 && bench_parse_result(out, &j->runs[r]) != 0)
                st = -1;
            j->status[r] = st;
            if (st != 0) {
                progress_clear();
                fprintf(stderr, "mbench: round %u: %s: worker %s %d\n", r + 1,
                        name, st > 128 ? "killed by signal" : "failed with "
                        "status", st > 128 ? st - 128 : st);
                b->failures++;
            }
        }
    progress_clear();
    return 0;
}

/* ---- callgrind ---------------------------------------------------------- */

static void run_callgrind(struct mb_run *b)
{
    const uint64_t n[2] = {b->quick ? 1000 : 20000, b->quick ? 11000 : 220000};
    char *argv[] = {"valgrind", "--version", NULL};
    char *dir = b->callgrind_dir, out[4096];

    if (bench_spawn(NULL, argv, NULL, 1, out, sizeof(out)) != 0) {
        snprintf(b->callgrind_dir, sizeof(b->callgrind_dir),
                 "valgrind is not installed: instruction counts skipped");
        return;
    }
    snprintf(dir, sizeof(b->callgrind_dir), "%s/mbench-callgrind.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mbench: mkdtemp");
        b->failures++;
        return;
    }
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        struct mb_job *j = &b->jobs[i];
        double ir[2];
        char name[128];

        if (j->w != MW_FASTPATH)
            continue;
        job_name(j, name, sizeof(name));
        for (unsigned k = 0; k < 2; k++) {
            char file[512];
            int st;

            snprintf(file, sizeof(file), "%s/%s-%s-%llu.out", dir,
                     mb_fast_rows[j->row].name, mb_allocs[j->alloc].name,
                     (unsigned long long)n[k]);
            progress("mbench: callgrind: %s, %llu pairs", name,
                     (unsigned long long)n[k]);
            st = run_worker(b, j, n[k], file, out, sizeof(out));
            ir[k] = st == 0 ? callgrind_total(file) : NAN;
            if (st != 0) {
                progress_clear();
                fprintf(stderr, "mbench: callgrind %s, %llu pairs: the worker "
                        "under valgrind %s %d\n", name,
                        (unsigned long long)n[k],
                        st > 128 ? "was killed by signal"
                                 : "failed with status",
                        st > 128 ? st - 128 : st);
                b->failures++;
                j->ir_failed = 1;
            }
        }
        /* More pairs cost more instructions: anything else means the
         * loop was not collected, and is no measurement. */
        if (!(ir[0] > 0 && ir[1] > ir[0])) {
            if (!isnan(ir[0]) && !isnan(ir[1])) {
                progress_clear();
                fprintf(stderr, "mbench: callgrind %s: %.0f then %.0f "
                        "instructions collected: not a measurement\n", name,
                        ir[0], ir[1]);
                b->failures++;
                j->ir_failed = 1;
            }
            continue;
        }
        j->ir = (ir[1] - ir[0]) / (double)(n[1] - n[0]);
    }
    progress_clear();
    b->callgrind_done = 1;
}

/* ---- statistics --------------------------------------------------------- */

static double job_value(const struct mb_run *b, const struct mb_job *j,
                        unsigned r, const char *key)
{
    if (j == NULL || r >= b->runs || j->status[r] != 0)
        return NAN;
    return bench_result_get(&j->runs[r], key);
}

static double job_median(const struct mb_run *b, const struct mb_job *j,
                         const char *key)
{
    double v[MB_MAX_ROUNDS];
    unsigned n = 0;

    for (unsigned r = 0; j != NULL && r < b->runs; r++) {
        double x = job_value(b, j, r, key);

        if (!isnan(x))
            v[n++] = x;
    }
    return median_of(v, n);
}

static double job_spread(const struct mb_run *b, const struct mb_job *j,
                         const char *key)
{
    double lo = INFINITY, hi = -INFINITY, med = job_median(b, j, key);

    for (unsigned r = 0; j != NULL && r < b->runs; r++) {
        double x = job_value(b, j, r, key);

        if (!isnan(x)) {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    return isnan(med) || med == 0 ? NAN : (hi - lo) / med;
}

/* a's speed over b's, round by round, median: a rate's ratio, or a
 * time's inverse ratio (higher_better 0). */
static double job_speedup(const struct mb_run *b, const struct mb_job *ja,
                          const struct mb_job *jb, const char *key,
                          int higher_better)
{
    double v[MB_MAX_ROUNDS];
    unsigned n = 0;

    for (unsigned r = 0; ja != NULL && jb != NULL && r < b->runs; r++) {
        double x = job_value(b, ja, r, key), y = job_value(b, jb, r, key);

        if (!isnan(x) && !isnan(y) && x > 0 && y > 0)
            v[n++] = higher_better ? x / y : y / x;
    }
    return median_of(v, n);
}

static const struct mb_job *find_job(const struct mb_run *b,
                                     enum mb_workload w, unsigned alloc,
                                     unsigned threads, int row)
{
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct mb_job *j = &b->jobs[i];

        if (j->w == w && j->alloc == alloc && j->threads == threads &&
            j->row == row)
            return j;
    }
    return NULL;
}

/* ---- the report --------------------------------------------------------- */

static void print_ratio(double x)
{
    if (isnan(x))
        printf(" %10s", "-");
    else
        printf(" %9.2fx", x);
}

static void print_header(const struct mb_run *b)
{
    const struct mb_params *pm = b->pm;

    printf("libbuddy malloc benchmark (mbench)\n");
    printf("run:     %s, commit %s, %.0f s\n", b->date, BENCH_COMMIT,
           b->seconds);
    printf("command: %s\n", b->cmdline);
    printf("machine: %s, %ld CPUs, %s\n", b->cpu, b->cpus, b->kernel);
    printf("load:    %s before, %s after (1, 5, 15 min averages)\n",
           b->load[0], b->load[1]);
#if defined(__GNUC__) && !defined(__clang__)
    printf("build:   gcc %s, %s\n", __VERSION__, MBENCH_BUILD_TYPE);
#else
    printf("build:   %s, %s\n", __VERSION__, MBENCH_BUILD_TYPE);
#endif
    printf("rounds:  median of %u; each measurement a fresh process, every "
           "allocator in every round%s\n", b->runs,
           b->quick ? "; --quick counts" : "");
    printf("ratios:  speeds, round by round, median: \"vs glibc\" is this "
           "allocator's speed over glibc's, \"libbuddy vs\" libbuddy's over "
           "this one's; > 1 means faster\n");
    printf("allocators (malloc as the worker found it):\n");
    for (unsigned i = 0; i < mb_nr_allocs; i++) {
        if (!selected(b, i) && !b->installed[i])
            continue;
        if (b->installed[i])
            printf("  %-9s %s (%s%s%s)%s\n", mb_allocs[i].name,
                   b->version[i], b->library[i],
                   b->soname[i] ? ", LD_PRELOAD=" : "",
                   b->soname[i] ? b->soname[i] : "",
                   selected(b, i) ? "" : ": for the slab rows only");
        else
            printf("  %-9s not installed: skipped\n", mb_allocs[i].name);
    }
    if (b->with_callgrind)
        printf("callgrind: %s%s\n", b->callgrind_done ? "files in " : "",
               b->callgrind_dir);
    printf("counts:  larson %u slots a thread, %u epochs of %llu "
           "replacements a thread; xmalloc %llu objects a producer; thrash "
           "%u objects a thread, each byte written %u times; sweep %llu.."
           "%llu pairs a size and thread (%llu MiB's worth); fast path "
           "%llu pairs\n",
           pm->larson_slots, pm->larson_epochs,
           (unsigned long long)pm->larson_ops,
           (unsigned long long)pm->xmalloc_objs, pm->thrash_iters,
           pm->thrash_reps, (unsigned long long)pm->sweep_min_pairs,
           (unsigned long long)pm->sweep_max_pairs,
           (unsigned long long)(pm->sweep_bytes >> 20),
           (unsigned long long)pm->fast_pairs);
}

static const char *const rate_titles[MW_THRASH + 1] = {
    "larson: slots replaced at random (sizes 8..1000 B), threads succeeding "
    "each other and freeing what the dead ones allocated; Mops/s, an op a "
    "malloc or a free",
    "xmalloc: producers allocate (sizes 8..256 B), consumers free, through "
    "queues of 64-object batches; Mops/s, an op a malloc or a free",
    "thrash: each thread allocates 8-byte objects and writes each byte over "
    "and over (false sharing); M byte writes/s; shared: threads whose first "
    "object shared a 64 B line with another's"};

static void report_rates(const struct mb_run *b, enum mb_workload w)
{
    int glibc = mb_alloc_find("glibc");

    printf("\n%s\n", rate_titles[w]);
    for (unsigned t = 0; t < b->nthreads; t++) {
        unsigned nt = b->threads[t];
        const struct mb_job *lb = find_job(b, w, 0, nt, -1);
        const struct mb_job *gl = find_job(b, w, (unsigned)glibc, nt, -1);

        if (w == MW_XMALLOC)
            printf("  %u producer%s + %u consumer%s\n", nt, nt == 1 ? "" : "s",
                   nt, nt == 1 ? "" : "s");
        else
            printf("  %u thread%s\n", nt, nt == 1 ? "" : "s");
        printf("    %-10s %10s %7s %10s %11s%s\n", "allocator",
               w == MW_THRASH ? "Mwrites/s" : "Mops/s", "spread", "vs glibc",
               "libbuddy vs", w == MW_THRASH ? "  shared" : "");
        for (unsigned a = 0; a < mb_nr_allocs; a++) {
            const struct mb_job *j = find_job(b, w, a, nt, -1);

            if (j == NULL)
                continue;
            printf("    %-10s %10.2f %6.0f%%", mb_allocs[a].name,
                   job_median(b, j, "rate") / 1e6,
                   100 * job_spread(b, j, "rate"));
            print_ratio(job_speedup(b, j, gl, "rate", 1));
            printf(" ");
            print_ratio(job_speedup(b, lb, j, "rate", 1));
            if (w == MW_THRASH)
                printf(" %7.0f", job_median(b, j, "shared"));
            putchar('\n');
        }
    }
}

static void report_sweep(const struct mb_run *b)
{
    printf("\nsweep: sizes 8 B .. 1 MiB, batches of %u allocated, each "
           "written (first 8 bytes, a byte a page, the last byte), then "
           "freed in order; ns per malloc+free pair\n", MB_SWEEP_BATCH);
    for (unsigned t = 0; t < b->nthreads; t++) {
        unsigned nt = b->threads[t];
        const struct mb_job *lb = find_job(b, MW_SWEEP, 0, nt, -1);

        printf("  %u thread%s (ns per pair as one thread sees it)\n", nt,
               nt == 1 ? "" : "s");
        printf("    %8s", "size");
        for (unsigned a = 0; a < mb_nr_allocs; a++)
            if (find_job(b, MW_SWEEP, a, nt, -1) != NULL)
                printf(" %9s", mb_allocs[a].name);
        printf("   libbuddy vs:");
        for (unsigned a = 1; a < mb_nr_allocs; a++)
            if (find_job(b, MW_SWEEP, a, nt, -1) != NULL)
                printf(" %9s", mb_allocs[a].name);
        putchar('\n');
        for (size_t size = MB_SWEEP_MIN; size <= MB_SWEEP_MAX; size *= 2) {
            char key[32];

            snprintf(key, sizeof(key), "ns_%zu", size);
            if (size >= 1024 * 1024)
                printf("    %6zuMi", size / (1024 * 1024));
            else if (size >= 1024)
                printf("    %6zuKi", size / 1024);
            else
                printf("    %8zu", size);
            for (unsigned a = 0; a < mb_nr_allocs; a++) {
                const struct mb_job *j = find_job(b, MW_SWEEP, a, nt, -1);

                if (j != NULL)
                    printf(" %9.1f", job_median(b, j, key));
            }
            printf("%13s", "");
            for (unsigned a = 1; a < mb_nr_allocs; a++) {
                const struct mb_job *j = find_job(b, MW_SWEEP, a, nt, -1);

                if (j != NULL)
                    print_ratio(job_speedup(b, lb, j, key, 0));
            }
            putchar('\n');
        }
    }
}

static void report_fastpath(const struct mb_run *b)
{
    int glibc = mb_alloc_find("glibc");
    const struct mb_job *gl = NULL;

    for (unsigned r = 0; r < mb_nr_fast_rows; r++)
        if (mb_fast_rows[r].per_malloc)
            gl = find_job(b, MW_FASTPATH, (unsigned)glibc, 1, (int)r);
    printf("\nfast path: one thread, alloc + free of %u bytes, the object "
           "written and read back; ns per pair%s\n", MB_FAST_SIZE,
           b->callgrind_done ? "; Ir: instructions per pair (callgrind)" : "");
    printf("  %-44s %8s %7s %10s %8s  target <= %.0f ns\n", "row", "ns/pair",
           "spread", "vs glibc", "Ir", TARGET_FAST_NS);
    for (unsigned i = 0; i < b->nr_jobs; i++) {
        const struct mb_job *j = &b->jobs[i];
        const struct mb_fast_row *row;
        char label[96];
        double ns;

        if (j->w != MW_FASTPATH)
            continue;
        row = &mb_fast_rows[j->row];
        ns = job_median(b, j, "ns");
        if (row->per_malloc)
            snprintf(label, sizeof(label), "%s, %s", row->label,
                     mb_allocs[j->alloc].name);
        else
            snprintf(label, sizeof(label), "%s", row->label);
        printf("  %-44s %8.1f %6.0f%%", label, ns,
               100 * job_spread(b, j, "ns"));
        print_ratio(job_speedup(b, j, gl, "ns", 0));
        if (isnan(j->ir))
            printf(" %8s", j->ir_failed ? "failed" : "-");
        else
            printf(" %8.1f", j->ir);
        /* The target is libbuddy's: its slab rows and its malloc. */
        if (!row->per_malloc || j->alloc == 0)
            printf("  %s", isnan(ns) ? "-"
                           : ns <= TARGET_FAST_NS ? "met" : "missed");
        putchar('\n');
    }
}

static void report(const struct mb_run *b)
{
    print_header(b);
    for (unsigned w = 0; w <= MW_THRASH; w++)
        if (wanted(b, (enum mb_workload)w))
            report_rates(b, (enum mb_workload)w);
    if (wanted(b, MW_SWEEP))
        report_sweep(b);
    if (wanted(b, MW_FASTPATH))
        report_fastpath(b);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static struct mb_run b;
    int runs_given = 0;
    uint64_t t0;

    mb_allocs_init();
    if (argc >= 2 && strcmp(argv[1], "--worker") == 0)
        return mb_worker_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--probe") == 0)
        return mb_probe_main(argc - 2, argv + 2);
    b.runs = 5;
    b.nthreads = 2;
    b.threads[0] = 1;
    b.threads[1] = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--runs") == 0 && i + 1 < argc &&
            parse_uint(argv[i + 1], MB_MAX_ROUNDS, &b.runs) == 0) {
            runs_given = 1;
            i++;
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc &&
                   parse_threads(&b, argv[i + 1]) == 0) {
            i++;
        } else if (strcmp(a, "--only") == 0 && i + 1 < argc &&
                   parse_names(argv[i + 1], mb_workload_parse, &b.only) == 0) {
            i++;
        } else if (strcmp(a, "--allocs") == 0 && i + 1 < argc &&
                   parse_names(argv[i + 1], mb_alloc_find, &b.allocs) == 0) {
            i++;
        } else if (strcmp(a, "--with-callgrind") == 0) {
            b.with_callgrind = 1;
        } else if (strcmp(a, "--quick") == 0) {
            b.quick = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "mbench: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (b.quick && !runs_given)
        b.runs = 1;
    b.pm = mb_params_get(b.quick);
    if (bench_self_path() == NULL) {
        fprintf(stderr, "mbench: cannot find my own executable\n");
        return 1;
    }
    progress_on = isatty(STDERR_FILENO);
    t0 = bench_now_ns();
    command_line(&b, argc, argv);
    machine_info(&b);
    read_load(b.load[0], sizeof(b.load[0]));
    probe_allocs(&b);
    if (selected(&b, 0) && !b.installed[0])
        fprintf(stderr, "mbench: %s does not serve malloc when preloaded: "
                "its rows are skipped\n", MBENCH_BUDDY_MALLOC);
    plan(&b);
    if (run_all(&b) != 0) {
        fprintf(stderr, "mbench: out of memory\n");
        return 1;
    }
    if (b.with_callgrind)
        run_callgrind(&b);
    read_load(b.load[1], sizeof(b.load[1]));
    b.seconds = (double)(bench_now_ns() - t0) / 1e9;
    report(&b);
    if (b.failures != 0)
        fprintf(stderr, "mbench: %d measurement(s) failed (see above)\n",
                b.failures);
    return b.failures != 0;
}
