/* SPDX-License-Identifier: MIT */
/*
 * worker.c: the worker role and the driver's way of starting workers.
 *
 *   bench --worker VARIANT WORKLOAD THREADS COUNT LIVE_BYTES TOUCH
 *       runs one measurement and prints "RESULT key=value ..." on stdout;
 *       exit 0, 1 (an allocator call or libbuddy's validator failed), 2
 *       (usage, or a variant this executable does not serve) or 3 (the
 *       peer is not the process's malloc, or libbuddy.so not libbuddy's).
 *   bench --probe PEER
 *       prints "PROBE library=PATH version=V" and exits 0 when malloc is
 *       the peer's (the driver sets LD_PRELOAD), 3 otherwise.
 *   bench_shared --probe libbuddy
 *       the same for the file that serves libbuddy (libbuddy.so).
 *
 * The driver starts them with posix_spawn, LD_PRELOAD set to the peer's
 * library (or removed), stdout through a pipe. bench serves libbuddy's
 * static rows, the peers and the null allocator; bench_shared serves the
 * rows of libbuddy linked as a shared library, and nothing else.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buddy/buddy.h"

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int bench_worker_main(int argc, char **argv)
{
    struct bench_result r;
    uint64_t threads, count, live;
    int v, w, touch, err;

    if (argc != 6 || (v = bench_variant_find(argv[0])) < 0 ||
        (w = bench_workload_parse(argv[1])) < 0 ||
        parse_u64(argv[2], &threads) != 0 || threads == 0 ||
        threads > 1024 || parse_u64(argv[3], &count) != 0 ||
        parse_u64(argv[4], &live) != 0 ||
        (touch = bench_touch_parse(argv[5])) < 0) {
        fprintf(stderr, "bench: usage: --worker VARIANT WORKLOAD THREADS "
                "COUNT LIVE_BYTES none|first|pages\n");
        return 2;
    }
    if (bench_variants[v].shared != BENCH_SHARED) {
        fprintf(stderr, "bench: %s is measured by %s, not by this "
                "executable\n", bench_variants[v].name,
                bench_variants[v].shared ? "bench_shared" : "bench");
        return 2;
    }
    err = bench_workload_run(&bench_variants[v], (enum bench_workload)w,
                             (unsigned)threads, count, live,
                             (enum bench_touch)touch, &r);
    if (err != 0)
        return err;
    fputs("RESULT", stdout);
    for (int i = 0; i < r.nkv; i++)
        printf(" %s=%.17g", r.kv[i].key, r.kv[i].val);
    putchar('\n');
    return fflush(stdout) == 0 ? 0 : 1;
}

int bench_probe_main(int argc, char **argv)
{
    char path[512], version[128];
    const char *base;
    unsigned i;

    if (argc != 1) {
        fprintf(stderr, "bench: usage: --probe PEER\n");
        return 2;
    }
    if (strcmp(argv[0], "libbuddy") == 0) {
        unsigned ver = buddy_version();

        if (!bench_buddy_identity(path, sizeof(path)))
            return 3;
        printf("PROBE library=%s version=%u.%u.%u\n", path, ver / 10000,
               ver / 100 % 100, ver % 100);
        return 0;
    }
    for (i = 0; i < bench_nr_peers; i++)
        if (strcmp(bench_peers[i].name, argv[0]) == 0)
            break;
    if (i == bench_nr_peers)
        return 2;
    bench_malloc_identity(path, sizeof(path), version, sizeof(version));
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    if (strstr(base, bench_peers[i].stem) == NULL)
        return 3;
    printf("PROBE library=%s version=%s\n", path, version);
    return 0;
}

/* ---- the driver side ------------------------------------------------------ */

const char *bench_self_path(void)
{
    static char path[PATH_MAX];
    ssize_t n;

    if (path[0] != '\0')
        return path;
    n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return NULL;
    path[n] = '\0';
    return path;
}

/*
 * What a worker is started from. Not the path: a rebuild while a long run
 * is going would replace the file, and later workers would measure another
 * binary. /proc/self/exe, resolved by the new process before its exec,
 * names the very file the driver runs; a program that execs it later
 * (valgrind) gets /proc/<driver>/exe instead.
 */
const char *bench_exe_for_spawn(int other_program)
{
    static char path[64];

    if (!other_program)
        return "/proc/self/exe";
    snprintf(path, sizeof(path), "/proc/%ld/exe", (long)getpid());
    return path;
}

static int shared_fd = -1;

/* bench_shared is built beside bench. The driver holds it open, so every
 * worker runs the file that was there when the run began (the library it
 * loads is found again by each worker, through its run path). */
int bench_shared_open(void)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    const char *self = bench_self_path();

    if (shared_fd >= 0)
        return 0;
    if (self == NULL)
        return -1;
    snprintf(dir, sizeof(dir), "%s", self);
    snprintf(path, sizeof(path), "%s/bench_shared", dirname(dir));
    shared_fd = open(path, O_RDONLY | O_CLOEXEC);
    return shared_fd >= 0 ? 0 : -1;
}

/* Close-on-exec is no obstacle: execve opens the file before it closes
 * the descriptors; the other path is for the driver itself (--callgrind
 * copies the file from it). */
const char *bench_shared_for_spawn(int other_program)
{
    static char path[64];

    if (shared_fd < 0)
        return NULL;
    if (!other_program)
        snprintf(path, sizeof(path), "/proc/self/fd/%d", shared_fd);
    else
        snprintf(path, sizeof(path), "/proc/%ld/fd/%d", (long)getpid(),
                 shared_fd);
    return path;
}

/* The environment without LD_PRELOAD, plus LD_PRELOAD=preload if given. */
static char **make_env(const char *preload, char *buf, size_t buf_size)
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = calloc(n + 2, sizeof(char *));
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            env[k++] = environ[i];
    if (preload != NULL) {
        snprintf(buf, buf_size, "LD_PRELOAD=%s", preload);
        env[k++] = buf;
    }
    env[k] = NULL;
    return env;
}

int bench_spawn(const char *path, char *const argv[], const char *preload,
                int quiet, char *out, size_t out_size)
{
    posix_spawn_file_actions_t fa;
    char preload_buf[512];
    char **env = make_env(preload, preload_buf, sizeof(preload_buf));
    int fds[2], status;
    size_t used = 0;
    pid_t pid;

    if (out_size > 0)
        out[0] = '\0';
    if (env == NULL || pipe(fds) != 0) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    if (quiet)
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
                                         O_WRONLY, 0);
    if (posix_spawnp(&pid, path != NULL ? path : argv[0], &fa, NULL, argv,
                     env) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(fds[0]);
        close(fds[1]);
        free(env);
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fds[1]);
    for (;;) {
        char chunk[4096];
        ssize_t got = read(fds[0], chunk, sizeof(chunk));

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got && used + 1 < out_size; i++)
            out[used++] = chunk[i];
    }
    if (out_size > 0)
        out[used] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

int bench_parse_result(const char *out, struct bench_result *r)
{
    const char *p = strstr(out, "RESULT");

    memset(r, 0, sizeof(*r));
    if (p == NULL)
        return -1;
    p += 6;
    for (;;) {
        char k[32];
        double v;
        int used;

        while (*p == ' ')
            p++;
        if (*p == '\n' || *p == '\0')
            break;
        if (sscanf(p, "%31[^=]=%lf%n", k, &v, &used) != 2)
            return -1;
        bench_result_set(r, k, v);
        p += used;
    }
    return 0;
}
