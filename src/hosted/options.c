/* SPDX-License-Identifier: MIT */
/*
 * options.c: heap options from the environment. Every value is checked in
 * full before any is applied, so a malformed variable changes nothing.
 */
#include "buddy/hosted.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number in [lo, hi], nothing else. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi,
                      unsigned *out)
{
    char *end;
    unsigned long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int buddy_heap_options_from_env(struct buddy_heap_options *opts,
                                const char **bad)
{
    struct buddy_heap_options o;
    const char *v;

    if (opts == NULL)
        return BUDDY_ENULL;
    o = *opts;
    if ((v = getenv("BUDDY_CACHE")) != NULL) {
        if (strcmp(v, "none") == 0)
            o.cache = BUDDY_CACHE_NONE;
        else if (strcmp(v, "thread") == 0)
            o.cache = BUDDY_CACHE_PER_THREAD;
        else if (strcmp(v, "cpu") == 0)
            o.cache = BUDDY_CACHE_PER_CPU;
        else
            goto invalid_cache;
    }
    if ((v = getenv("BUDDY_LOCK")) != NULL) {
        if (strcmp(v, "mutex") == 0)
            o.lock = BUDDY_LOCK_MUTEX;
        else if (strcmp(v, "spin") == 0)
            o.lock = BUDDY_LOCK_SPIN;
        else if (strcmp(v, "adaptive") == 0)
            o.lock = BUDDY_LOCK_ADAPTIVE;
        else
            goto invalid_lock;
    }
    if ((v = getenv("BUDDY_SYNC")) != NULL) {
        if (strcmp(v, "auto") == 0)
            o.sync = BUDDY_SYNC_AUTO;
        else if (strcmp(v, "fence") == 0)
            o.sync = BUDDY_SYNC_FENCE;
        else
            goto invalid_sync;
    }
    if ((v = getenv("BUDDY_HUGE")) != NULL) {
        if (strcmp(v, "none") == 0)
            o.huge = BUDDY_HUGE_NONE;
        else if (strcmp(v, "thp") == 0)
            o.huge = BUDDY_HUGE_THP;
        else if (strcmp(v, "hugetlb") == 0)
            o.huge = BUDDY_HUGE_TLB;
        else
            goto invalid_huge;
    }
    if ((v = getenv("BUDDY_PREFAULT")) != NULL) {
        unsigned on;

        if (parse_uint(v, 0, 1, &on) != 0)
            goto invalid_prefault;
        o.prefault = (int)on;
    }
    if ((v = getenv("BUDDY_PCP_MAX_ORDER")) != NULL &&
        parse_uint(v, 0, BUDDY_PCP_ORDER_LIMIT, &o.pcp.max_order) != 0)
        goto invalid_max_order;
    if ((v = getenv("BUDDY_PCP_BATCH")) != NULL &&
        parse_uint(v, 1, BUDDY_PCP_MAX_BATCH, &o.pcp.batch) != 0)
        goto invalid_batch;
    if ((v = getenv("BUDDY_PCP_HIGH")) != NULL &&
        parse_uint(v, 0, BUDDY_PCP_MAX_HIGH, &o.pcp.high) != 0)
        goto invalid_high;
    if (o.pcp.high != 0 && o.pcp.high < o.pcp.batch) {
        if (bad != NULL)
            *bad = "BUDDY_PCP_HIGH";
        return BUDDY_EINVAL;
    }
    *opts = o;
    return 0;

invalid_cache:
    v = "BUDDY_CACHE";
    goto invalid;
invalid_lock:
    v = "BUDDY_LOCK";
    goto invalid;
invalid_sync:
    v = "BUDDY_SYNC";
    goto invalid;
invalid_huge:
    v = "BUDDY_HUGE";
    goto invalid;
invalid_prefault:
    v = "BUDDY_PREFAULT";
    goto invalid;
invalid_max_order:
    v = "BUDDY_PCP_MAX_ORDER";
    goto invalid;
invalid_batch:
    v = "BUDDY_PCP_BATCH";
    goto invalid;
invalid_high:
    v = "BUDDY_PCP_HIGH";
invalid:
    if (bad != NULL)
        *bad = v;
    return BUDDY_EINVAL;
}
