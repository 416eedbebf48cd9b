/* SPDX-License-Identifier: MIT */
/*
 * spawn.h: what the benchmark drivers share about their workers, the
 * processes that each run one measurement with one malloc: the peers and
 * how to tell which library serves malloc in a process, how to start a
 * worker with a peer's library in LD_PRELOAD, and the one line of
 * key=value pairs a worker prints. bench (bench.h says why a worker per
 * measurement) and mbench (bench/malloc) both use it.
 */
#ifndef BENCH_SPAWN_H
#define BENCH_SPAWN_H

#include <stddef.h>

/* A peer: what a user would pick instead of libbuddy. */
struct bench_peer {
    const char *name;       /* "jemalloc" */
    const char *stem;       /* what its library's file name contains */
    const char *sonames[3]; /* LD_PRELOAD candidates; none for glibc */
};

extern const struct bench_peer bench_peers[];
extern const unsigned bench_nr_peers;

/* Which library serves malloc in this process, and its version. */
void bench_malloc_identity(char *path, size_t path_size, char *version,
                           size_t version_size);

/* ---- results: key=value pairs ------------------------------------------ */

#define BENCH_MAX_KV 40

struct bench_kv {
    char key[32];
    double val;
};

struct bench_result {
    int nkv;
    struct bench_kv kv[BENCH_MAX_KV];
};

void bench_result_set(struct bench_result *r, const char *key, double val);
double bench_result_get(const struct bench_result *r, const char *key); /* NAN */

/* ---- starting workers ---------------------------------------------------- */

/* Run the program at path (NULL: argv[0], searched in PATH) with argv and
 * LD_PRELOAD=preload (or no LD_PRELOAD), stdout captured into out
 * (NUL-terminated, truncated to out_size - 1), stderr inherited or
 * discarded. Returns the exit status (0..255), 128 + signal when it was
 * killed, or -1 when it could not be started. */
int bench_spawn(const char *path, char *const argv[], const char *preload,
                int quiet, char *out, size_t out_size);
/* Parse "RESULT k=v k=v ..." out of a worker's output; 0 or -1. */
int bench_parse_result(const char *out, struct bench_result *r);
/* This executable's path, for messages and argv[0]. */
const char *bench_self_path(void);
/* The path to start this very binary from: for posix_spawn of ourselves
 * (other_program 0), or for another program or this process to open
 * (--callgrind copies it). */
const char *bench_exe_for_spawn(int other_program);

#endif /* BENCH_SPAWN_H */
