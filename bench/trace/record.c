/* SPDX-License-Identifier: MIT */
/*
 * record.c: libbuddy-trace.so, a recorder of a program's malloc calls,
 * for replay.c to play back under any malloc.
 *
 *   BUDDY_TRACE_DIR=DIR LD_PRELOAD=libbuddy-trace.so PROGRAM ARGS...
 *
 * writes DIR/trace.PID for each process of the run (a fork's child starts
 * a file of its own; records a process makes after its last flush and
 * before an exec are lost). The calls are served by glibc's own malloc
 * (its __libc_ names), so what is recorded is the program's behaviour,
 * whatever serves it later. Each record is four 64-bit words in the
 * machine's byte order: the op (1 malloc, calloc or an aligned call; 2
 * free; 3 realloc), the pointer returned (for a free, the one freed), the
 * pointer a realloc was given, and the size asked. Records go out 4,096
 * at a time, under one lock: a recorder, not a fast path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

#define BATCH 4096
/* The library is built with hidden symbols; these are its point. */
#define EXPORT __attribute__((visibility("default")))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct trace_rec batch[BATCH];
static unsigned nr;
static int fd = -1;         /* -1: not opened yet; -2: cannot be */
static __thread int inside; /* the recorder's own calls are not recorded */

/* The batch to this process's file, opened at the first flush. Lock held. */
static void flush_locked(void)
{
    const char *dir;
    char path[4096];
    size_t off = 0, len = nr * sizeof(batch[0]);

    if (fd == -1) {
        dir = getenv("BUDDY_TRACE_DIR");
        if (dir == NULL || (size_t)snprintf(path, sizeof(path), "%s/trace.%d",
                                            dir, (int)getpid()) >=
                               sizeof(path))
            fd = -2;
        else
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            fd = -2;
    }
    while (fd >= 0 && off < len) {
        ssize_t n = write(fd, (const char *)batch + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    nr = 0;
}

static void record(uint64_t op, const void *p, const void *old, size_t size)
{
    int saved = errno;

    if (inside)
        return;
    inside = 1;
    pthread_mutex_lock(&lock);
    batch[nr++] = (struct trace_rec){op, (uintptr_t)p, (uintptr_t)old, size};
    if (nr == BATCH)
        flush_locked();
    pthread_mutex_unlock(&lock);
    inside = 0;
    errno = saved;
}

/* The child writes a file of its own, from an empty batch. */
static void child(void)
{
    nr = 0;
    fd = -1;
    pthread_mutex_init(&lock, NULL);
}

__attribute__((constructor)) static void start(void)
{
    inside = 1; /* what pthread_atfork allocates is the recorder's */
    pthread_atfork(NULL, NULL, child);
    inside = 0;
}

__attribute__((destructor)) static void finish(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
    pthread_mutex_unlock(&lock);
}

EXPORT void *malloc(size_t size)
{
    void *p = __libc_malloc(size);

    record(TRACE_ALLOC, p, NULL, size);
    return p;
}

EXPORT void free(void *p)
{
    if (p != NULL)
        record(TRACE_FREE, p, NULL, 0);
    __libc_free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);

    if (p != NULL) /* a product that overflows fails before it */
        record(TRACE_ALLOC, p, NULL, n * size);
    return p;
}

EXPORT void *realloc(void *old, size_t size)
{
    void *p = __libc_realloc(old, size);

    record(TRACE_REALLOC, p, old, size);
    return p;
}

EXPORT void *memalign(size_t align, size_t size)
{
    void *p = __libc_memalign(align, size);

    record(TRACE_ALLOC, p, NULL, size);
    return p;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    return memalign(align, size);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    void *p = __libc_memalign(align, size);

    if (p == NULL)
        return ENOMEM;
    record(TRACE_ALLOC, p, NULL, size);
    *out = p;
    return 0;
}

EXPORT void *valloc(size_t size)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}
