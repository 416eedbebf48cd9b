/* SPDX-License-Identifier: MIT */
/*
 * debug2_test.c: BUDDY_DEBUG=2 runs the full validator after every
 * operation that changes a zone, not only after range operations. Each case
 * corrupts a zone's counters behind its back (free_pages off by one, which
 * only the validator sees) and then makes one operation in a child process:
 * the operation must stop the child (the validator's trap), where a build
 * without the check would return normally. Compiled with the core at
 * BUDDY_DEBUG=2, like the fuzz targets. One more case is misuse that
 * debug level 1 catches: a cache entered while another thread is inside
 * it (a cache has one owner), shown by its active word already set.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buddy/buddy.h"
#include "internal.h"

#if BUDDY_DEBUG < 2
#error "debug2_test needs the core built with BUDDY_DEBUG=2"
#endif

static uint64_t meta[4096];
static struct buddy_zone *z;
static struct buddy_pcp pcp;

enum op { OP_ALLOC, OP_FREE, OP_BULK, OP_REFILL, OP_CACHED_FREE_DRAIN,
          OP_PCP_DRAIN, OP_DRAIN_CACHES, OP_SYSTEM_ALLOC, OP_TWO_OWNERS,
          OP_NR };
static const char *const op_name[OP_NR] = {
    "alloc", "free", "bulk", "cache refill", "cache drain over high",
    "buddy_pcp_drain", "buddy_zone_drain_caches", "system alloc",
    "a cache entered by a second thread"};

static void make_zone(void)
{
    struct buddy_zone_config cfg = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_pcp_config pc = {0, 4, 4};

    cfg.nr_pages = 256;
    cfg.max_order = 4;
    if (buddy_zone_init(meta, sizeof(meta), &cfg, &z) != 0 ||
        buddy_zone_add_range(z, 0, 256) != 0 ||
        buddy_pcp_init(&pcp, z, &pc) != 0) {
        fprintf(stderr, "debug2_test: setup failed\n");
        exit(1);
    }
}

/* The operation, on a zone whose free_pages no longer matches its lists. */
static void run_op(enum op op, buddy_pfn_t held, buddy_pfn_t cached)
{
    buddy_pfn_t pfn, pfns[4];
    struct buddy_system sys;
    int rc = 0; /* the result does not matter: the operation traps */

    switch (op) {
    case OP_ALLOC:
        rc = buddy_zone_alloc_pages(z, 1, &pfn);
        break;
    case OP_FREE:
        (void)buddy_zone_free_pages(z, held, 0);
        break;
    case OP_BULK:
        rc = buddy_zone_alloc_bulk(z, 0, 4, pfns);
        break;
    case OP_REFILL: /* the cache is empty: a refill */
        rc = buddy_pcp_alloc_pages(&pcp, 0, &pfn);
        break;
    case OP_CACHED_FREE_DRAIN: /* 3 cached + 2 is over high (4): a batch
                                  goes back */
        (void)buddy_pcp_free_pages(&pcp, held, 0);
        (void)buddy_pcp_free_pages(&pcp, cached, 0);
        break;
    case OP_PCP_DRAIN:
        (void)buddy_pcp_free_pages(&pcp, cached, 0);
        buddy_pcp_drain(&pcp);
        break;
    case OP_DRAIN_CACHES:
        (void)buddy_zone_drain_caches(z, NULL);
        break;
    case OP_TWO_OWNERS: /* another thread is inside the cache */
        buddy__pcp(&pcp)->active = 1;
        rc = buddy_pcp_alloc_pages(&pcp, 0, &pfn);
        break;
    case OP_SYSTEM_ALLOC:
        buddy_system_init(&sys);
        rc = buddy_system_add_zone(&sys, 0, 0, z);
        rc = buddy_system_alloc_pages(&sys, 0, 0, 0, &pfn, NULL);
        break;
    default:
        break;
    }
    (void)rc;
}

int main(void)
{
    int failed = 0;

    for (int op = 0; op < OP_NR; op++) {
        pid_t child;
        int status;

        fflush(stdout);
        child = fork();
        if (child < 0) {
            perror("fork");
            return 1;
        }
        if (child == 0) {
            buddy_pfn_t held, cached;

            make_zone();
            /* A block held by the caller, and the cache filled to its high
             * (4 pages), one of them handed out. */
            if (buddy_zone_alloc_pages(z, 0, &held) != 0 ||
                buddy_pcp_alloc_pages(&pcp, 0, &cached) != 0)
                _exit(3);
            if (op == OP_REFILL)
                buddy_pcp_drain(&pcp);
            if (op != OP_TWO_OWNERS)
                z->free_pages += 1; /* the corruption */
            run_op((enum op)op, held, cached);
            _exit(0); /* the operation returned: no check ran */
        }
        if (waitpid(child, &status, 0) != child) {
            perror("waitpid");
            return 1;
        }
        if (WIFSIGNALED(status) &&
            (WTERMSIG(status) == SIGILL || WTERMSIG(status) == SIGTRAP)) {
            printf("ok: %s stopped (signal %d)\n",
                   op_name[op], WTERMSIG(status));
        } else {
            printf("FAIL: %s %s %d: no check stopped it\n", op_name[op],
                   WIFSIGNALED(status) ? "died of signal" : "exited",
                   WIFSIGNALED(status) ? WTERMSIG(status)
                                       : WEXITSTATUS(status));
            failed = 1;
        }
    }
    printf("%d passed, %d failed\n", failed ? 0 : OP_NR, failed);
    return failed;
}
