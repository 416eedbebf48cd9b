/* SPDX-License-Identifier: MIT */
/*
 * demo_tenants.c: `buddy demo tenants`, a server with several tenants on
 * one zone, one of them noisy, without limits and with them.
 *
 * One zone of 2048 pages (8 MiB of 4 KiB pages) keeps its blocks' owners;
 * a group of tenants (buddy/tenant.h) is attached to it. Three tenants
 * behave: each tick they allocate blocks of 1 to 4 pages and free their
 * oldest past a working set of a fifth of the zone. The fourth, "batch",
 * allocates eight times as fast and frees nothing, as a runaway job does;
 * three of its blocks in four are in use, the rest a cache it could drop.
 * The same seeded ticks run twice:
 *
 *   without limits  batch takes every free page, and the others'
 *                   allocations fail once the zone is full;
 *   with limits     batch has memory.high at 15% of the zone, past which
 *                   each charge runs its reclaimer (the oldest blocks of
 *                   its cache go) and, when it stays more than a slack
 *                   above, the throttle callback puts it to sleep for a
 *                   tick; and memory.max at 20%, which its usage never
 *                   passes (a charge there reclaims first, and fails once
 *                   nothing is left to drop); the others keep their share.
 *
 * Every few ticks each tenant's memory.current is drawn as a bar, and at
 * the end each one's memory.events and failures are printed. Every number
 * is read from the tenants and the zone. The demo checks what it shows
 * (the others never fail with limits and do without, batch never passes
 * its max) and exits 1 if not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/tenant.h"
#include "cli.h"

#define TD_PAGES 2048u
#define TD_MAX_ORDER 6u
#define TD_TICKS 60u
#define TD_SHOW_EVERY 6u
#define TD_TENANTS 4u
#define TD_NOISY 3u            /* batch: the last */
#define TD_HELD_MAX 2048u
#define TD_WORKING_SET (TD_PAGES / 5u)
#define TD_BAR 40u             /* characters for the whole zone */
#define TD_SLACK 32u           /* pages over high before batch sleeps */
#define TD_HIGH (TD_PAGES * 3u / 20u) /* batch's memory.high: 15% */
#define TD_MAX (TD_PAGES / 5u)  /* and its memory.max: 20% */

struct td_block {
    buddy_pfn_t pfn;
    unsigned order;
    bool pinned;      /* in use: batch's reclaimer cannot evict it */
};

struct td_tenant {
    const char *name;
    unsigned id;
    struct td_block held[TD_HELD_MAX]; /* oldest first */
    unsigned n;
    uint64_t pages;       /* what the blocks held add up to */
    uint64_t allocs, fails, throttles, sleep;
};

struct td {
    struct cli_zone cz;
    _Alignas(8) unsigned char buf[16384];
    struct buddy_tenants *g;
    struct td_tenant t[TD_TENANTS];
    bool limits;
};

static const char *const td_names[TD_TENANTS] = {"web", "api", "cache",
                                                  "batch"};

/* splitmix64: both runs see the same requests. */
static uint64_t td_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Free t's block k (0: the oldest). */
static int td_free_at(struct td *d, struct td_tenant *t, unsigned k)
{
    struct td_block b = t->held[k];
    int err = buddy_zone_free_pages(d->cz.z, b.pfn, b.order);

    if (err != 0)
        return err;
    t->n--;
    memmove(&t->held[k], &t->held[k + 1], (t->n - k) * sizeof(t->held[0]));
    t->pages -= (uint64_t)1 << b.order;
    return 0;
}

/* batch's reclaimer: its oldest blocks that are not pinned, as a cache
 * evicts (the pinned ones are in use and stay); the zone's owner hook
 * uncharges each as it is freed. */
static uint64_t td_reclaim(void *arg, unsigned id, uint64_t want)
{
    struct td *d = arg;
    struct td_tenant *t = &d->t[TD_NOISY];
    uint64_t freed = 0;
    unsigned k = 0;

    (void)id;
    while (freed < want && k < t->n) {
        uint64_t pages = (uint64_t)1 << t->held[k].order;

        if (t->held[k].pinned) {
            k++;
            continue;
        }
        if (td_free_at(d, t, k) != 0)
            break;
        freed += pages;
    }
    return freed;
}

/* The throttle: batch sleeps through its next tick (the kernel's
 * mem_cgroup_handle_over_high sleeps the task on its way back). */
static void td_throttle(void *arg, unsigned id, unsigned over,
                        uint64_t pages)
{
    struct td *d = arg;

    (void)id, (void)over;
    d->t[TD_NOISY].throttles++;
    if (pages > TD_SLACK) /* a small overage is let be, as the kernel's */
        d->t[TD_NOISY].sleep = 1;
}

static int td_setup(struct td *d, bool limits)
{
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    struct buddy_tenant_ops ops = {NULL, td_throttle, d};
    unsigned i;
    int err;

    memset(d->t, 0, sizeof(d->t));
    d->limits = limits;
    err = cli_zone_create(&d->cz, 0, TD_PAGES, TD_MAX_ORDER, 0,
                          BUDDY_ZONE_OWNERS, false);
    if (err != 0)
        return err;
    cfg.capacity = TD_TENANTS;
    err = buddy_tenants_init(d->buf, sizeof(d->buf), &cfg, &d->g);
    if (err == 0)
        err = buddy_tenants_attach_zone(d->g, d->cz.z);
    for (i = 0; err == 0 && i < TD_TENANTS; i++) {
        d->t[i].name = td_names[i];
        err = buddy_tenant_create(d->g, BUDDY_TENANT_NONE, td_names[i],
                                  &d->t[i].id);
    }
    if (err != 0 || !limits)
        return err;
    err = buddy_tenant_set_high(d->g, d->t[TD_NOISY].id, TD_HIGH);
    if (err == 0)
        err = buddy_tenant_set_max(d->g, d->t[TD_NOISY].id, TD_MAX);
    if (err == 0)
        err = buddy_tenant_add_reclaimer(d->g, d->t[TD_NOISY].id, td_reclaim,
                                         d);
    if (err == 0)
        err = buddy_tenant_set_ops(d->g, d->t[TD_NOISY].id, &ops);
    return err;
}

/* One allocation of 2^order pages for tenant i: a failure counted. */
static int td_alloc(struct td *d, unsigned i, unsigned order, bool pinned)
{
    struct td_tenant *t = &d->t[i];
    buddy_pfn_t pfn;
    int err;

    t->allocs++;
    err = buddy_tenant_alloc_pages(d->g, NULL, t->id, d->cz.z, order,
                                   BUDDY_MIGRATE_MOVABLE, &pfn);
    if (err == BUDDY_ENOMEM) {
        t->fails++;
        return 0;
    }
    if (err != 0)
        return err;
    if (t->n == TD_HELD_MAX) /* never: the zone is smaller */
        return BUDDY_ENOSPC;
    t->held[t->n].pfn = pfn;
    t->held[t->n].order = order;
    t->held[t->n].pinned = pinned;
    t->n++;
    t->pages += (uint64_t)1 << order;
    return 0;
}

static int td_tick(struct td *d, uint64_t *seed)
{
    unsigned i, k;
    int err = 0;

    for (i = 0; err == 0 && i < TD_TENANTS; i++) {
        struct td_tenant *t = &d->t[i];
        unsigned n = i == TD_NOISY ? 24u : 3u;

        for (k = 0; err == 0 && k < n; k++) {
            uint64_t r = td_next(seed);

            if (i == TD_NOISY && t->sleep != 0)
                continue; /* asleep: the draws still come, as before */
            err = td_alloc(d, i, (unsigned)(r % 3u), (r >> 8) % 4u != 0);
        }
        if (i == TD_NOISY && t->sleep != 0 && err == 0) {
            t->sleep--;
            continue;
        }
        while (err == 0 && i != TD_NOISY && t->pages > TD_WORKING_SET)
            err = td_free_at(d, t, 0);
    }
    return err;
}

/* A bar of memory.current against the zone: '#' a share, '.' the rest. */
static void td_bar(FILE *out, uint64_t pages)
{
    unsigned i, full = (unsigned)(pages * TD_BAR / TD_PAGES);

    for (i = 0; i < TD_BAR; i++)
        fputc(i < full ? '#' : '.', out);
}

static void td_show(FILE *out, struct td *d, unsigned tick)
{
    unsigned i;

    fprintf(out, "  tick %2u\n", tick);
    for (i = 0; i < TD_TENANTS; i++) {
        struct buddy_tenant_info ti;

        if (buddy_tenant_get_info(d->g, d->t[i].id, &ti) != 0)
            continue;
        fprintf(out, "    %-6s ", d->t[i].name);
        td_bar(out, ti.current);
        fprintf(out, " %4llu pages, %llu failed\n",
                (unsigned long long)ti.current,
                (unsigned long long)d->t[i].fails);
    }
}

static void td_events(FILE *out, struct td *d)
{
    char text[256];
    unsigned i;

    fprintf(out, "  %-6s %5s %5s %6s %5s %5s %4s %9s %9s\n", "", "peak",
            "low", "high", "max", "oom", "", "allocs", "failed");
    for (i = 0; i < TD_TENANTS; i++) {
        struct buddy_tenant_info ti;

        if (buddy_tenant_get_info(d->g, d->t[i].id, &ti) != 0)
            continue;
        fprintf(out, "  %-6s %5llu %5llu %6llu %5llu %5llu %4s %9llu %9llu\n",
                d->t[i].name, (unsigned long long)ti.peak,
                (unsigned long long)ti.events_low,
                (unsigned long long)ti.events_high,
                (unsigned long long)ti.events_max,
                (unsigned long long)ti.events_oom, "",
                (unsigned long long)d->t[i].allocs,
                (unsigned long long)d->t[i].fails);
    }
    (void)buddy_tenant_memory_events(d->g, d->t[TD_NOISY].id, text,
                                     sizeof(text));
    fprintf(out, "  batch's memory.events, as cgroup v2 prints it:\n");
    for (i = 0; text[i] != '\0'; i++) {
        if (i == 0 || text[i - 1] == '\n')
            fputs("    ", out);
        fputc(text[i], out);
    }
}

/* One run: the ticks, the bars, the events; the demo's own checks in
 * *ok. */
static int td_run(FILE *out, bool limits, bool *ok)
{
    struct td *d = calloc(1, sizeof(*d));
    struct buddy_check_report rep;
    struct buddy_tenant_info noisy;
    uint64_t seed = 42, others_failed = 0;
    unsigned tick, i;
    int err;

    if (d == NULL)
        return BUDDY_ENOMEM;
    err = td_setup(d, limits);
    for (tick = 1; err == 0 && tick <= TD_TICKS; tick++) {
        err = td_tick(d, &seed);
        if (err == 0 && (tick % TD_SHOW_EVERY == 0 || tick == 1))
            td_show(out, d, tick);
    }
    if (err == 0)
        err = buddy_tenants_check(d->g, &rep);
    if (err == 0)
        err = buddy_zone_check(d->cz.z, &rep);
    if (err == 0) {
        fprintf(out, "\n");
        td_events(out, d);
        for (i = 0; i < TD_NOISY; i++)
            others_failed += d->t[i].fails;
        if (buddy_tenant_get_info(d->g, d->t[TD_NOISY].id, &noisy) != 0)
            memset(&noisy, 0xff, sizeof(noisy)); /* fails the checks */
        if (limits) {
            fprintf(out, "  batch was throttled %llu times; the others "
                         "failed %llu allocations.\n",
                    (unsigned long long)d->t[TD_NOISY].throttles,
                    (unsigned long long)others_failed);
            *ok = others_failed == 0 && noisy.peak <= TD_MAX &&
                  noisy.events_max != 0 && d->t[TD_NOISY].throttles != 0;
        } else {
            fprintf(out, "  the others failed %llu allocations.\n",
                    (unsigned long long)others_failed);
            *ok = others_failed != 0;
        }
    }
    cli_zone_destroy(&d->cz);
    free(d);
    return err;
}

int cli_demo_tenants(FILE *out)
{
    bool ok_free = false, ok_limited = false;
    int err;

    fprintf(out,
            "Tenants: one zone of %u pages shared by four tenants\n"
            "=====================================================\n\n"
            "web, api and cache each keep about %u pages, allocating 3\n"
            "blocks of 1 to 4 pages a tick and freeing their oldest. batch\n"
            "allocates 24 a tick and frees nothing; a quarter of what it\n"
            "holds is a cache its reclaimer can drop. Each bar is one\n"
            "tenant's memory.current against the whole zone.\n\n",
            TD_PAGES, TD_WORKING_SET);
    fprintf(out, "Without limits\n--------------\n");
    err = td_run(out, false, &ok_free);
    if (err == 0) {
        fprintf(out, "\nWith limits: batch at memory.high %u and memory.max "
                     "%u pages\n"
                     "---------------------------------------------------"
                     "-------\n",
                TD_HIGH, TD_MAX);
        err = td_run(out, true, &ok_limited);
    }
    if (err != 0) {
        fprintf(stderr, "buddy: demo: %s\n", buddy_strerror(err));
        return CLI_EXIT_FAILED;
    }
    fprintf(out,
            "\nWithout limits the runaway tenant takes the memory and the\n"
            "others fail; with them it is slowed at high (its reclaimer\n"
            "evicts, the throttle puts it to sleep) and stopped at max, and\n"
            "the others keep their share: cgroup v2's memory controller,\n"
            "inside the allocator (include/buddy/tenant.h).\n");
    if (!ok_free || !ok_limited) {
        fprintf(stderr, "buddy: demo: the runs did not show what the text "
                        "says (without limits: others failed %s; with "
                        "limits: others never failed and batch kept to its "
                        "max %s)\n",
                ok_free ? "yes" : "no", ok_limited ? "yes" : "no");
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}
