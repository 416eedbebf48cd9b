/* SPDX-License-Identifier: MIT */
/*
 * forker.c: fork while other threads are inside malloc.
 *
 * THREADS threads allocate, fill, check and free blocks of random sizes
 * (16 B to 64 KiB, a few through calloc and realloc) in a loop, while the
 * main thread forks FORKS children one after the other. Each child has
 * only the forking thread, in a copy of the allocator taken while the
 * others were anywhere in it: it allocates, writes, checks and frees
 * blocks of every size, frees a block its parent allocated before the
 * fork, and exits 0 when all of it held; one child in EXEC_EVERY then runs
 * `bash -c true` instead, a fresh process that loads the preload again.
 * A malloc that forks with a lock held leaves the child hung at its first
 * call; one that forks with its lists half changed gives it corrupt
 * blocks. The parent waits CHILD_SECONDS for each child, then kills it,
 * says which one hung, and forks no more.
 *
 * Output (deterministic when everything holds, so it can be compared with
 * glibc's): "forks N children ok N", "threads T blocks ok". Exit 0 only
 * then. The threads' seeds are their indices; what they draw depends on
 * the interleaving, which no seed fixes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
/* A build may set FORKS and EXEC_EVERY (0: no child execs): the one
 * under ThreadSanitizer forks fewer, and execs none (a program it starts
 * would not run this malloc). */
#ifndef FORKS
#define FORKS 1000
#endif
#ifndef EXEC_EVERY
#define EXEC_EVERY 50
#endif
#define SLOTS 64
#define CHILD_SECONDS 10
#define BURST 256     /* a thread's operations between naps */
#define NAP_NS 200000

static atomic_int stop;

struct slot {
    unsigned char *p;
    size_t size;
};

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13; /* xorshift64 */
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A size from 16 B to 64 KiB, each power of two as likely as the next. */
static size_t rand_size(uint64_t *s)
{
    unsigned order = 4 + (unsigned)(next_rand(s) % 12);

    return ((size_t)1 << order) + (size_t)(next_rand(s) % ((size_t)1 << order));
}

static unsigned char tag(const struct slot *sl)
{
    return (unsigned char)(((uintptr_t)sl >> 4) ^ sl->size);
}

/* The first and last 64 bytes carry the tag: a block handed out twice, or
 * overlapping another, shows there. */
static void fill(struct slot *sl)
{
    size_t n = sl->size < 64 ? sl->size : 64;

    memset(sl->p, tag(sl), n);
    memset(sl->p + sl->size - n, tag(sl), n);
}

static int intact(const struct slot *sl)
{
    size_t n = sl->size < 64 ? sl->size : 64, i;

    for (i = 0; i < n; i++)
        if (sl->p[i] != tag(sl) || sl->p[sl->size - 1 - i] != tag(sl))
            return 0;
    return 1;
}

static void *churn(void *arg)
{
    struct slot slots[SLOTS];
    uint64_t seed = 0x9e3779b97f4a7c15u * ((uintptr_t)arg + 1);
    struct timespec nap = {0, NAP_NS};
    uintptr_t bad = 0;
    unsigned i;

    memset(slots, 0, sizeof(slots));
    for (i = 0; !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
        struct slot *sl = &slots[next_rand(&seed) % SLOTS];
        unsigned how = (unsigned)(next_rand(&seed) % 8);

        if (i % BURST == 0) /* leave the cores to the forks now and then */
            nanosleep(&nap, NULL);
        if (sl->p != NULL && how == 0) { /* grow or shrink it in place */
            size_t size = rand_size(&seed), keep = size < sl->size ? size : sl->size;
            unsigned char old = tag(sl), *q = realloc(sl->p, size);
            size_t j;

            if (q == NULL)
                continue;
            /* realloc keeps the first bytes: the head's tag */
            for (j = 0; j < keep && j < 64; j++)
                bad += q[j] != old;
            sl->p = q;
            sl->size = size;
            fill(sl);
        } else if (sl->p != NULL) {
            bad += !intact(sl);
            free(sl->p);
            sl->p = NULL;
        } else {
            sl->size = rand_size(&seed);
            sl->p = how == 1 ? calloc(1, sl->size) : malloc(sl->size);
            if (sl->p == NULL)
                continue;
            if (how == 1 && (sl->p[0] != 0 || sl->p[sl->size - 1] != 0))
                bad++;
            fill(sl);
        }
    }
    for (i = 0; i < SLOTS; i++)
        if (slots[i].p != NULL) {
            bad += !intact(&slots[i]);
            free(slots[i].p);
        }
    return (void *)bad;
}

/* In the child: blocks of every order, written, checked, freed; and the
 * parent's block freed. Exit status 0 when all held. */
static int child(struct slot *parents, unsigned nr)
{
    struct slot mine[32];
    uint64_t seed = nr + 1;
    int bad = 0;
    unsigned i;

    bad += !intact(parents);
    free(parents->p);
    for (i = 0; i < 32; i++) {
        mine[i].size = i < 16 ? (size_t)16 << i : rand_size(&seed);
        mine[i].p = malloc(mine[i].size);
        if (mine[i].p == NULL)
            return 2;
        fill(&mine[i]);
    }
    for (i = 0; i < 32; i++) {
        bad += !intact(&mine[i]);
        free(mine[i].p);
    }
    if (bad != 0)
        return 1;
#if EXEC_EVERY > 0
    if (nr % EXEC_EVERY == 0) {
        execlp("bash", "bash", "-c", "true", (char *)NULL);
        return 3;
    }
#endif
    return 0;
}

/* Wait CHILD_SECONDS for pid; a child still running then is reported and
 * killed. Returns 1 when it exited 0, 0 when it failed, -1 when it hung. */
static int reap(pid_t pid, unsigned nr)
{
    struct timespec nap = {0, 1000000}, t0, t;
    int st;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);

        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            perror("forker: waitpid");
            return 0;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >=
            CHILD_SECONDS * 1000000000L) {
            fprintf(stderr, "forker: child %u (pid %d) still running %d s after its "
                    "fork: hung; killed\n", nr, (int)pid, CHILD_SECONDS);
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        nanosleep(&nap, NULL);
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 1;
    if (WIFSIGNALED(st))
        fprintf(stderr, "forker: child %u died of signal %d\n", nr, WTERMSIG(st));
    else
        fprintf(stderr, "forker: child %u exited %d (1: a corrupt block, 2: out of "
                "memory, 3: exec failed)\n", nr, WEXITSTATUS(st));
    return 0;
}

int main(void)
{
    pthread_t th[THREADS];
    uintptr_t bad = 0;
    unsigned ok = 0, forks = 0, i;
    int r = 0;

    for (i = 0; i < THREADS; i++)
        if (pthread_create(&th[i], NULL, churn, (void *)(uintptr_t)i) != 0) {
            perror("forker: pthread_create");
            return 1;
        }
    for (i = 0; i < FORKS && r >= 0; i++) { /* after a hang the rest would hang too */
        struct slot parents = {NULL, 4096 + i};
        pid_t pid;

        parents.p = malloc(parents.size);
        if (parents.p == NULL) {
            fprintf(stderr, "forker: out of memory\n");
            return 1;
        }
        fill(&parents);
        fflush(stdout);
        pid = fork();
        if (pid < 0) {
            perror("forker: fork");
            break;
        }
        if (pid == 0)
            _exit(child(&parents, i));
        forks++;
        r = reap(pid, i);
        ok += r > 0;
        bad += !intact(&parents);
        free(parents.p);
    }
    atomic_store(&stop, 1);
    for (i = 0; i < THREADS; i++) {
        void *thread_bad;

        pthread_join(th[i], &thread_bad);
        bad += (uintptr_t)thread_bad;
    }
    printf("forks %u children ok %u\n", forks, ok);
    if (bad == 0)
        printf("threads %d blocks ok\n", THREADS);
    else
        printf("threads %d corrupt blocks %lu\n", THREADS, (unsigned long)bad);
    return forks == FORKS && ok == FORKS && bad == 0 ? 0 : 1;
}
