/* SPDX-License-Identifier: MIT */
/*
 * worker.c: the worker role, and where the driver finds bench_shared.
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
 * The driver starts them with bench_spawn (spawn.c): posix_spawn,
 * LD_PRELOAD set to the peer's library (or removed), stdout through a
 * pipe. bench serves libbuddy's
 * static rows, the peers and the null allocator; bench_shared serves the
 * rows of libbuddy linked as a shared library, and nothing else.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buddy/buddy.h"
#include "util.h"

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

