/* SPDX-License-Identifier: MIT */
/*
 * misuse.c: one misuse of the malloc per run, named on the command line,
 * in the classes the malloc security suites use: double frees (at once,
 * delayed, interleaved, of a large block), frees of what was never
 * allocated (a wild address, an interior pointer, the stack, a global),
 * overflows and underflows of one and 32 bytes and a write after free
 * (found in the debug mode), and the requests that must simply fail or
 * succeed (impossible sizes, calloc overflow, zero sizes). A misuse that
 * returns exits 3; misuse.sh says what each must do instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Volatile: the compiler may neither pair the calls away nor see that a
 * pointer was freed. */
static char *volatile keep;
static void *volatile bad; /* what a bad free frees, out of the compiler's
                              sight */
static volatile size_t huge = SIZE_MAX;
static char global_buf[64];

static char *get(size_t n)
{
    char *p = malloc(n);

    if (p == NULL) {
        fprintf(stderr, "misuse: malloc(%zu) failed\n", n);
        exit(2);
    }
    memset(p, 1, n);
    return p;
}

static int run(const char *what)
{
    char *p, *q;

    if (strcmp(what, "double") == 0) {
        keep = get(100);
        free(keep);
        free(keep);
    } else if (strcmp(what, "delayed-double") == 0) {
        /* other sizes in between, so the slot is not handed out again */
        keep = get(40);
        free(keep);
        for (int i = 0; i < 10000; i++)
            free(get((size_t)(i % 7) * 300 + 200));
        free(keep);
    } else if (strcmp(what, "interleaved-double") == 0) {
        p = get(64);
        q = get(64);
        keep = p;
        free(p);
        free(q);
        free(keep);
    } else if (strcmp(what, "large-double") == 0) {
        keep = get(100000);
        free(keep);
        free(keep);
    } else if (strcmp(what, "huge-double") == 0) { /* the large zone's */
        keep = get(5u << 20);
        free(keep);
        free(keep);
    } else if (strcmp(what, "huge-interior") == 0) { /* in its first page */
        keep = get(5u << 20);
        bad = keep + 4096;
        free(bad);
    } else if (strcmp(what, "huge-later-page") == 0) {
        keep = get(5u << 20);
        bad = keep + (2u << 20);
        free(bad);
    } else if (strcmp(what, "wild") == 0) {
        bad = (void *)(uintptr_t)0x12345670u;
        free(bad);
    } else if (strcmp(what, "interior") == 0) {
        keep = get(64);
        bad = keep + 16;
        free(bad);
    } else if (strcmp(what, "large-interior") == 0) {
        keep = get(100000);
        bad = keep + 8192;
        free(bad);
    } else if (strcmp(what, "stack") == 0) {
        char local[32];

        bad = local;
        free(bad);
    } else if (strcmp(what, "global") == 0) {
        bad = global_buf;
        free(bad);
    } else if (strcmp(what, "overflow-1") == 0) {
        keep = get(32);
        keep[malloc_usable_size(keep)] = 'x';
        free(keep);
    } else if (strcmp(what, "overflow-32") == 0) {
        keep = get(48);
        memset(keep + malloc_usable_size(keep), 'x', 32);
        free(keep);
    } else if (strcmp(what, "underflow-1") == 0) {
        keep = get(32);
        keep[-1] = 'x';
        free(keep);
    } else if (strcmp(what, "underflow-32") == 0) {
        p = get(64);
        keep = get(64);
        memset(keep - 32, 'x', 32);
        free(keep);
        free(p);
    } else if (strcmp(what, "write-after-free") == 0) {
        keep = get(24);
        free(keep);
        keep[3] = 'x';
        /* the next allocation of that class takes the slot and finds it */
        for (int i = 0; i < 64; i++)
            (void)get(24);
    } else if (strcmp(what, "impossible") == 0) {
        /* every impossible request fails with ENOMEM (or EINVAL) and
         * leaves the heap usable */
        void *r;

        errno = 0;
        if (malloc(huge) != NULL || errno != ENOMEM)
            return 1;
        errno = 0;
        if (malloc(huge / 2) != NULL || errno != ENOMEM)
            return 1;
        errno = 0;
        if (calloc(huge / 2, 4) != NULL || errno != ENOMEM)
            return 1;
        if (calloc(2, huge / 2 + 1) != NULL)
            return 1;
        p = get(10);
        errno = 0;
        if (realloc(p, huge - 8) != NULL || errno != ENOMEM || p[9] != 1)
            return 1;
        if (reallocarray(p, huge / 2, 3) != NULL)
            return 1;
        if (aligned_alloc(4096, huge - 4095) != NULL)
            return 1;
        if (posix_memalign(&r, (size_t)1 << 40, 16) == 0)
            free(r); /* a 1 TiB alignment may not fit the heap: either way */
        if (memalign(huge / 2 + 1, 8) != NULL)
            return 1;
        free(p);
        free(get(100));
        return 0;
    } else if (strcmp(what, "zero") == 0) {
        /* zero sizes: unique pointers that free cleanly */
        p = malloc(0);
        q = malloc(0);
        if (p == NULL || q == NULL || p == q)
            return 1;
        free(p);
        free(q);
        p = calloc(0, 10);
        q = realloc(NULL, 0);
        if (p == NULL || q == NULL)
            return 1;
        free(p);
        free(q);
        p = get(10);
        if (realloc(p, 0) != NULL) /* glibc: freed, NULL */
            return 1;
        return 0;
    } else {
        fprintf(stderr, "misuse: unknown case %s\n", what);
        return 2;
    }
    fprintf(stderr, "misuse: %s returned\n", what);
    return 3;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: misuse CASE\n");
        return 2;
    }
    return run(argv[1]);
}
