/* SPDX-License-Identifier: MIT */
/*
 * tenants.c: the malloc's tenants (buddy/malloc.h), linked in. One mode a
 * run, each with its environment (CMakeLists.txt):
 *   cap      BUDDY_MALLOC_MAX=32m: small and large allocations fail with
 *            ENOMEM at the cap, no sooner than the documented slack, and
 *            succeed again once freed;
 *   threads  BUDDY_MALLOC_TENANTS=8: threads enter tenants with their own
 *            max, fill them, and another thread frees their memory, which
 *            uncharges the tenants, so they can be destroyed;
 *   off      no tenancy: the calls say ENOTSUP and nothing is charged.
 * Each checks the tenants' validator at its quiescent points.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/malloc.h"

static int failed;

#define CHECK(c, ...)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "tenants: " __VA_ARGS__);                          \
            fputc('\n', stderr);                                               \
            failed = 1;                                                        \
        }                                                                      \
    } while (0)

static struct buddy_tenant_info info(unsigned id)
{
    struct buddy_tenant_info ti;

    memset(&ti, 0, sizeof(ti));
    CHECK(buddy_tenant_get_info(buddy_malloc_tenants(), id, &ti) == 0,
          "no tenant %u", id);
    return ti;
}

static void checked(const char *when)
{
    struct buddy_check_report rep;

    CHECK(buddy_tenants_check(buddy_malloc_tenants(), &rep) == 0,
          "%s: the tenants' validator: %s", when, rep.what);
}

#define MAX_PTRS 70000

static void *ptrs[MAX_PTRS];

/* Allocate size-byte blocks until one fails: how many, the failure's
 * errno in *err. */
static unsigned fill(size_t size, int *err)
{
    unsigned n = 0;

    errno = 0;
    while (n < MAX_PTRS) {
        void *p = malloc(size);

        if (p == NULL)
            break;
        memset(p, 0x5a, size < 64 ? size : 64);
        ptrs[n++] = p;
    }
    *err = errno;
    return n;
}

static void release(unsigned n)
{
    while (n > 0)
        free(ptrs[--n]);
}

static int mode_cap(void)
{
    const uint64_t cap = 32u << 20;
    unsigned proc = buddy_malloc_process_tenant(), n, m, big;
    int err;
    char text[64];

    CHECK(buddy_malloc_tenants() != NULL && proc != 0, "tenancy is off");
    if (failed)
        return 1;
    (void)buddy_tenant_memory_max(buddy_malloc_tenants(), proc, text,
                                  sizeof(text));
    CHECK(strcmp(text, "33554432\n") == 0, "memory.max %s", text);
    /* 1000 bytes take kmalloc-1024: the cap holds 32768 of them, less
     * what the thread's stock and the charged bytes' last page hold. */
    n = fill(1000, &err);
    CHECK(err == ENOMEM, "the small fill ended with errno %d", err);
    CHECK((uint64_t)n * 1024u <= cap &&
              (uint64_t)n * 1024u >= cap - (BUDDY_TENANT_BATCH + 2u) * 4096u,
          "%u objects of 1024 bytes under a cap of %llu", n,
          (unsigned long long)cap);
    CHECK(info(proc).current <= cap / 4096u, "usage past the cap");
    CHECK(info(proc).events_max >= 1, "no max event");
    checked("full of small");
    release(n);
    checked("emptied");
    /* Large blocks, 1 MiB each: as many as fit beside nothing else. */
    m = fill(1u << 20, &err);
    CHECK(err == ENOMEM, "the large fill ended with errno %d", err);
    CHECK(m >= 30 && m <= 32, "%u blocks of 1 MiB under a cap of 32 MiB", m);
    release(m);
    /* Blocks of the large zone, whose pages are 2 MiB: 8 MiB each, the
     * last after the thread's stock is drained. */
    big = fill(8u << 20, &err);
    CHECK(err == ENOMEM && big == 4, "%u blocks of 8 MiB under 32 MiB "
          "(errno %d)", big, err);
    release(big);
    /* Freed: the same again. */
    n = fill(1000, &err);
    CHECK(n >= 32768u - (BUDDY_TENANT_BATCH + 2u) * 4u,
          "after the frees only %u objects", n);
    release(n);
    CHECK(buddy_tenant_leave(0) == 0, "leave");
    CHECK(info(proc).current <= 2, "%llu pages charged once all is freed",
          (unsigned long long)info(proc).current);
    checked("at the end");
    printf("tenants cap: %u objects of 1 KiB and %u blocks of 1 MiB under "
           "32 MiB; %llu max events\n",
           n, m, (unsigned long long)info(proc).events_max);
    return failed;
}

struct filler {
    unsigned id;
    unsigned n;
    int err;
    void **ptrs;
};

static void *fill_as(void *arg)
{
    struct filler *f = arg;
    unsigned prev = 0;

    CHECK(buddy_tenant_enter(f->id, &prev) == 0, "enter %u", f->id);
    CHECK(prev == buddy_malloc_process_tenant(), "the tenant before: %u",
          prev);
    errno = 0;
    while (f->n < 20000) {
        void *p = malloc(200 + (f->n % 7) * 100);

        if (p == NULL) {
            f->err = errno;
            break;
        }
        f->ptrs[f->n++] = p;
    }
    CHECK(buddy_tenant_leave(prev) == 0, "leave");
    return NULL;
}

static int mode_threads(void)
{
    struct buddy_tenants *g = buddy_malloc_tenants();
    unsigned proc = buddy_malloc_process_tenant(), a = 0, b = 0, i;
    struct filler f[2];
    pthread_t th[2];
    char text[2048];

    CHECK(g != NULL, "tenancy is off");
    if (failed)
        return 1;
    CHECK(buddy_tenant_create(g, proc, "a", &a) == 0 &&
              buddy_tenant_create(g, proc, "b", &b) == 0,
          "create");
    CHECK(buddy_tenant_set_max(g, a, 256) == 0 &&
              buddy_tenant_set_max(g, b, 512) == 0,
          "set_max");
    CHECK(buddy_tenant_enter(77, NULL) == BUDDY_ENOTENANT, "enter of no one");
    for (i = 0; i < 2; i++) {
        f[i].id = i == 0 ? a : b;
        f[i].n = 0;
        f[i].err = 0;
        f[i].ptrs = calloc(20000, sizeof(void *));
        pthread_create(&th[i], NULL, fill_as, &f[i]);
    }
    for (i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK(f[0].err == ENOMEM && f[1].err == ENOMEM,
          "the fills ended with errno %d and %d", f[0].err, f[1].err);
    CHECK(info(a).current <= 256 && info(a).current >= 200 &&
              info(b).current <= 512 && info(b).current >= 400,
          "usage %llu and %llu", (unsigned long long)info(a).current,
          (unsigned long long)info(b).current);
    CHECK(info(proc).current >= info(a).current + info(b).current,
          "the parent does not count its children");
    CHECK(info(a).slab_unreclaimable > 0, "no slab bytes charged to a");
    (void)buddy_tenant_memory_stat(g, a, text, sizeof(text));
    CHECK(strstr(text, "\nslab ") != NULL, "memory.stat: %s", text);
    checked("full");
    /* The main thread frees what they allocated: they are uncharged. */
    for (i = 0; i < 2; i++) {
        while (f[i].n > 0)
            free(f[i].ptrs[--f[i].n]);
        free(f[i].ptrs);
    }
    CHECK(info(a).current == 0 && info(b).current == 0,
          "after the frees: %llu and %llu",
          (unsigned long long)info(a).current,
          (unsigned long long)info(b).current);
    CHECK(info(a).slab_unreclaimable == 0, "slab bytes left");
    CHECK(buddy_tenant_destroy(g, a) == 0 && buddy_tenant_destroy(g, b) == 0,
          "destroy");
    checked("at the end");
    printf("tenants threads: two tenants filled to their max by their "
           "threads, freed by another, destroyed\n");
    return failed;
}

static int mode_off(void)
{
    void *p = malloc(100);

    CHECK(buddy_malloc_tenants() == NULL, "tenancy is on");
    CHECK(buddy_malloc_process_tenant() == 0, "a process tenant");
    CHECK(buddy_tenant_enter(1, NULL) == BUDDY_ENOTSUP, "enter");
    CHECK(buddy_tenant_leave(0) == BUDDY_ENOTSUP, "leave");
    free(p);
    printf("tenants off: the calls say ENOTSUP\n");
    return failed;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (strcmp(mode, "cap") == 0)
        return mode_cap();
    if (strcmp(mode, "threads") == 0)
        return mode_threads();
    if (strcmp(mode, "off") == 0)
        return mode_off();
    fprintf(stderr, "usage: tenants cap|threads|off\n");
    return 2;
}
