/* SPDX-License-Identifier: MIT */
/*
 * spawn.c: the peers, malloc's identity, starting workers and reading
 * their results (spawn.h).
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* tcmalloc: the minimal build first (no heap profiler, what most users
 * preload), the full one if only that is installed. */
const struct bench_peer bench_peers[] = {
    {"glibc", "libc.so", {NULL, NULL, NULL}},
    {"jemalloc", "libjemalloc", {"libjemalloc.so.2", NULL, NULL}},
    {"mimalloc", "libmimalloc", {"libmimalloc.so.2", NULL, NULL}},
    {"tcmalloc", "libtcmalloc",
     {"libtcmalloc_minimal.so.4", "libtcmalloc.so.4", NULL}},
};
const unsigned bench_nr_peers = sizeof(bench_peers) / sizeof(bench_peers[0]);

/* ---- identity of malloc ------------------------------------------------- */

/* Look a function up by name without ISO C's object/function pointer cast. */
static void *symbol(const char *name)
{
    return dlsym(RTLD_DEFAULT, name);
}

void bench_malloc_identity(char *path, size_t path_size, char *version,
                           size_t version_size)
{
    void *(*fn)(size_t) = malloc;
    void *addr;
    Dl_info info;
    void *sym;

    memcpy(&addr, &fn, sizeof(addr));
    snprintf(path, path_size, "?");
    snprintf(version, version_size, "?");
    if (dladdr(addr, &info) != 0 && info.dli_fname != NULL)
        snprintf(path, path_size, "%s", info.dli_fname);
    if (strstr(path, "jemalloc") != NULL && (sym = symbol("mallctl")) != NULL) {
        int (*mallctl)(const char *, void *, size_t *, void *, size_t);
        const char *v = NULL;
        size_t len = sizeof(v);

        memcpy(&mallctl, &sym, sizeof(sym));
        if (mallctl("version", &v, &len, NULL, 0) == 0 && v != NULL)
            snprintf(version, version_size, "%s", v);
    } else if (strstr(path, "mimalloc") != NULL &&
               (sym = symbol("mi_version")) != NULL) {
        int (*mi_version)(void);
        int v;

        memcpy(&mi_version, &sym, sizeof(sym));
        v = mi_version();
        snprintf(version, version_size, "%d.%d.%d", v / 100, v / 10 % 10,
                 v % 10);
    } else if (strstr(path, "tcmalloc") != NULL &&
               (sym = symbol("tc_version")) != NULL) {
        const char *(*tc_version)(int *, int *, const char **);
        int major, minor;
        const char *patch, *v;

        memcpy(&tc_version, &sym, sizeof(sym));
        v = tc_version(&major, &minor, &patch);
        snprintf(version, version_size, "%s", v != NULL ? v : "?");
    } else if (strstr(path, "libc.so") != NULL) {
        snprintf(version, version_size, "glibc %s", gnu_get_libc_version());
    }
}

/* ---- results ------------------------------------------------------------ */

void bench_result_set(struct bench_result *r, const char *key, double val)
{
    for (int i = 0; i < r->nkv; i++)
        if (strcmp(r->kv[i].key, key) == 0) {
            r->kv[i].val = val;
            return;
        }
    if (r->nkv < BENCH_MAX_KV) {
        snprintf(r->kv[r->nkv].key, sizeof(r->kv[r->nkv].key), "%s", key);
        r->kv[r->nkv++].val = val;
    }
}

double bench_result_get(const struct bench_result *r, const char *key)
{
    for (int i = 0; i < r->nkv; i++)
        if (strcmp(r->kv[i].key, key) == 0)
            return r->kv[i].val;
    return NAN;
}

/* ---- workers ------------------------------------------------------------ */

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
