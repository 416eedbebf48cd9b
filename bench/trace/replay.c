/* SPDX-License-Identifier: MIT */
/*
 * replay.c: trace_replay, a program's malloc calls (recorded by
 * libbuddy-trace.so, record.c) played back through this process's
 * malloc, whichever is preloaded, to compare what each holds at the same
 * point of the same program.
 *
 *   [LD_PRELOAD=LIB] trace_replay [--at N] [--stats] [--classes LIST] TRACE
 *
 * A first pass finds the op after which the program held the most bytes
 * (or takes op N); the second makes every call up to it, writing every
 * byte each block asks for (a program may touch less; every malloc gets
 * the same writes), and then prints one line:
 *
 *   ops N of M, live L bytes in B blocks, anon A KiB, rss R KiB
 *
 * anon is the process's anonymous memory (/proc/self/smaps_rollup): the
 * malloc's heap and its metadata, plus the replay's own tables, which are
 * the same under every malloc and mapped apart from it. With --stats the
 * malloc's malloc_stats() follows. --classes 16,32,48,... (sizes in
 * ascending order) adds a line before it, made in the first pass:
 *
 *   classes: the sum of each class's peak S bytes, at the end E
 *
 * each block counted at the first class that holds it (larger ones in
 * none): what a heap of size classes holds at least, if it never gives
 * one class's memory to another while any of it is in use, against what
 * the program holds. Replays are deterministic for a given
 * malloc (no clock, no threads); run them with address-space
 * randomisation off (setarch -R) for figures that repeat to the page.
 * The trace's calls from several threads are played in the order the
 * recorder took them, on one thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util.h"
#include "trace.h"

/* The trace's live blocks: its pointer to the replay's and the size. Open
 * addressing, linear probes, deletion by shifting back (no tombstones);
 * key 0 is empty (no call returns NULL as a block). Mapped, not malloc'd,
 * so the replay's tables are no part of the heap it measures. */
struct ent {
    uint64_t key;
    void *p;
    uint64_t size;
};

struct table {
    struct ent *e;
    uint64_t mask, used;
};

static void die(const char *what)
{
    fprintf(stderr, "trace_replay: %s: %s\n", what, strerror(errno));
    exit(2);
}

static struct ent *table_map(uint64_t n)
{
    void *m = mmap(NULL, n * sizeof(struct ent), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED)
        die("mmap");
    return m;
}

static uint64_t slot_of(const struct table *t, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15u;

    return (h ^ (h >> 29)) & t->mask;
}

static struct ent *find(const struct table *t, uint64_t key)
{
    uint64_t i = slot_of(t, key);

    for (; t->e[i].key != 0; i = (i + 1) & t->mask)
        if (t->e[i].key == key)
            return &t->e[i];
    return NULL;
}

static void put(struct table *t, uint64_t key, void *p, uint64_t size);

/* Twice the slots, every entry placed again: at half full. */
static void grow(struct table *t)
{
    struct table old = *t;
    uint64_t i;

    t->mask = old.mask * 2 + 1;
    t->e = table_map(t->mask + 1);
    t->used = 0;
    for (i = 0; i <= old.mask; i++)
        if (old.e[i].key != 0)
            put(t, old.e[i].key, old.e[i].p, old.e[i].size);
    munmap(old.e, (old.mask + 1) * sizeof(struct ent));
}

static void put(struct table *t, uint64_t key, void *p, uint64_t size)
{
    uint64_t i;

    if ((t->used + 1) * 2 > t->mask + 1)
        grow(t);
    for (i = slot_of(t, key); t->e[i].key != 0; i = (i + 1) & t->mask)
        if (t->e[i].key == key)
            break;
    if (t->e[i].key == 0)
        t->used++;
    t->e[i] = (struct ent){key, p, size};
}

/* e out of the table, the probe runs behind it closed up. */
static void drop(struct table *t, struct ent *e)
{
    uint64_t i = (uint64_t)(e - t->e), j = i;

    t->e[i].key = 0;
    t->used--;
    for (;;) {
        uint64_t home;

        j = (j + 1) & t->mask;
        if (t->e[j].key == 0)
            return;
        home = slot_of(t, t->e[j].key);
        /* j's entry may move to i when i lies on its probe path */
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->e[i] = t->e[j];
            t->e[j].key = 0;
            i = j;
        }
    }
}

static long anon_kib(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long kib = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "Anonymous:", 10) == 0)
            kib = strtol(line + 10, NULL, 10);
    fclose(f);
    return kib;
}

#define MAX_CLASSES 128

/* --classes: the class sizes, and each class's bytes now and at most. */
static uint64_t class_size[MAX_CLASSES], class_now[MAX_CLASSES],
    class_max[MAX_CLASSES];
static unsigned nr_classes;

static void class_add(uint64_t size, int sign)
{
    unsigned c;

    for (c = 0; c < nr_classes && class_size[c] < size; c++)
        ;
    if (c == nr_classes)
        return;
    if (sign > 0) {
        class_now[c] += class_size[c];
        if (class_now[c] > class_max[c])
            class_max[c] = class_now[c];
    } else {
        class_now[c] -= class_size[c];
    }
}

/* LIST as class_size: 0, or -1 (not ascending sizes, too many). */
static int classes_parse(const char *list)
{
    const char *p = list;
    char *end;

    while (*p != '\0') {
        uint64_t v;

        errno = 0;
        v = strtoull(p, &end, 10);
        if (errno != 0 || end == p || *p == '-' || v == 0 ||
            nr_classes == MAX_CLASSES ||
            (nr_classes > 0 && v <= class_size[nr_classes - 1]) ||
            (*end != ',' && *end != '\0'))
            return -1;
        class_size[nr_classes++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    return nr_classes > 0 ? 0 : -1;
}

static void *must(void *p, uint64_t size)
{
    if (p == NULL && size != 0) {
        fprintf(stderr, "trace_replay: out of memory at %llu bytes\n",
                (unsigned long long)size);
        exit(2);
    }
    return p;
}

/* A block of size held (sign 1) or let go (-1): the live bytes, and,
 * on the walk without calls, the classes' counts. */
static void held(uint64_t *live, uint64_t size, int sign, int calls)
{
    *live = sign > 0 ? *live + size : *live - size;
    if (!calls)
        class_add(size, sign);
}

/* The trace's ops up to and including stop, as the program made them:
 * the blocks it holds in t and their bytes in *live. With calls, each op
 * is made through malloc (every byte a block gains written) and t keeps
 * the replay's block; without, only sizes (and the classes' counts). One
 * walk for both, so the replay reaches the very point the sizes found.
 * Returns the op after which the program held the most; a record of no
 * known op ends the process. */
static uint64_t walk(const struct trace_rec *r, uint64_t stop, int calls,
                     struct table *t, uint64_t *live)
{
    uint64_t i, best = 0, at = 0;
    struct ent *e;

    for (i = 0; i <= stop; i++) {
        uint64_t size = r[i].size, had = 0;
        void *p = NULL, *old = NULL;

        switch (r[i].op) {
        case TRACE_ALLOC:
            if (r[i].ptr == 0)
                break;
            if ((e = find(t, r[i].ptr)) != NULL) { /* a free not seen */
                if (calls)
                    free(e->p);
                held(live, e->size, -1, calls);
                drop(t, e);
            }
            if (calls) {
                p = must(malloc(size), size);
                memset(p, 0xa5, size);
            }
            put(t, r[i].ptr, p, size);
            held(live, size, 1, calls);
            break;
        case TRACE_FREE:
            if ((e = find(t, r[i].ptr)) != NULL) {
                if (calls)
                    free(e->p);
                held(live, e->size, -1, calls);
                drop(t, e);
            }
            break;
        case TRACE_REALLOC:
            if (r[i].ptr == 0 && size != 0)
                break; /* failed: the old block stays */
            if (r[i].old != 0 && (e = find(t, r[i].old)) != NULL) {
                old = e->p;
                had = e->size;
                held(live, had, -1, calls);
                drop(t, e);
            }
            if (r[i].ptr == 0) { /* realloc(p, 0): a free */
                if (calls)
                    free(old);
                break;
            }
            if (calls) {
                p = must(realloc(old, size), size);
                if (size > had)
                    memset((char *)p + had, 0x5a, size - had);
            }
            put(t, r[i].ptr, p, size);
            held(live, size, 1, calls);
            break;
        default:
            fprintf(stderr, "trace_replay: op %llu of record %llu is none\n",
                    (unsigned long long)r[i].op, (unsigned long long)i);
            exit(2);
        }
        if (*live > best) {
            best = *live;
            at = i;
        }
    }
    return at;
}

int main(int argc, char **argv)
{
    const struct trace_rec *r;
    struct table t;
    struct stat st;
    uint64_t n, peak, stop = UINT64_MAX, live = 0;
    int fd, stats = 0, a;

    for (a = 1; a < argc - 1; a++) {
        if (strcmp(argv[a], "--stats") == 0)
            stats = 1;
        else if (strcmp(argv[a], "--classes") == 0 && a + 1 < argc - 1) {
            if (classes_parse(argv[++a]) != 0)
                break;
        }
        else if (strcmp(argv[a], "--at") == 0 && a + 1 < argc - 1) {
            if (argv[++a][0] == '-' || parse_u64(argv[a], &stop) != 0)
                break;
        } else
            break;
    }
    if (a != argc - 1 || argv[a][0] == '-') {
        fprintf(stderr, "usage: trace_replay [--at N] [--stats] "
                        "[--classes LIST] TRACE\n");
        return 2;
    }
    fd = open(argv[a], O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0)
        die(argv[a]);
    if (st.st_size < (off_t)sizeof(*r) || st.st_size % sizeof(*r) != 0) {
        fprintf(stderr, "trace_replay: %s: not a trace (%lld bytes)\n",
                argv[a], (long long)st.st_size);
        return 2;
    }
    n = (uint64_t)st.st_size / sizeof(*r);
    r = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (r == MAP_FAILED)
        die("mmap");
    /* The sizes alone first: the peak, the classes, every record's op
     * known. */
    t = (struct table){table_map(1024), 1023, 0};
    peak = walk(r, n - 1, 0, &t, &live);
    munmap(t.e, (t.mask + 1) * sizeof(struct ent));
    if (stop == UINT64_MAX)
        stop = peak;
    if (stop >= n)
        stop = n - 1;
    t = (struct table){table_map(1024), 1023, 0};
    live = 0;
    (void)walk(r, stop, 1, &t, &live);
    printf("ops %llu of %llu, live %llu bytes in %llu blocks, anon %ld KiB, "
           "rss %ld KiB\n",
           (unsigned long long)stop + 1, (unsigned long long)n,
           (unsigned long long)live, (unsigned long long)t.used, anon_kib(),
           statm_rss_kib());
    if (nr_classes > 0) {
        uint64_t sum = 0, last = 0;
        unsigned c;

        for (c = 0; c < nr_classes; c++) {
            sum += class_max[c];
            last += class_now[c];
        }
        printf("classes: the sum of each class's peak %llu bytes, at the end "
               "%llu\n",
               (unsigned long long)sum, (unsigned long long)last);
    }
    fflush(stdout);
    if (stats)
        malloc_stats();
    return 0;
}
