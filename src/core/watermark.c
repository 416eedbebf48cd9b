/* SPDX-License-Identifier: MIT */
/*
 * watermark.c: per-zone watermarks and lowmem reserves, the kernel's
 * calculate_min_free_kbytes, __setup_per_zone_wmarks and
 * setup_per_zone_lowmem_reserve.
 *
 * A system's min_free_kbytes (by default int_sqrt(16 * lowmem KiB),
 * clamped to 128..262144) becomes pages_min, shared among the zones below
 * the top index by managed pages; the top zone (the kernel's
 * ZONE_MOVABLE) gets managed / 1024 clamped to 32..128 instead. Each zone
 * then steps up by max(share / 4, managed * scale / 10000): min, low =
 * min + step, high = low + step, promo = high + step. lowmem_reserve[j] of
 * zone i sums the managed pages of its node's zones i+1..j over
 * lowmem_reserve_ratio[i].
 *
 * Everything is computed in 64 bits: a share is pages_min * managed /
 * lowmem, whose product can pass 2^64 (pages_min up to 2^38, managed up to
 * 2^32), so it goes through a 128-bit multiply and divide built from
 * 64-bit halves, which every target has. Cost: O(zones), each zone's lock
 * taken once to store its marks.
 */
#include "internal.h"

#define WMARK_MAX_MIN_FREE_KBYTES ((uint64_t)1 << 32)
#define WMARK_MAX_SCALE_FACTOR 3000u
#define WMARK_TOP_ZONE (BUDDY_MAX_NR_ZONES - 1u) /* the kernel's ZONE_MOVABLE */
#define SWAP_CLUSTER_MAX 32u

/* floor(sqrt(x)), the kernel's int_sqrt: one bit of the root per step. */
static uint64_t int_sqrt64(uint64_t x)
{
    uint64_t root = 0, bit = (uint64_t)1 << 62;

    while (bit > x)
        bit >>= 2;
    while (bit != 0) {
        if (x >= root + bit) {
            x -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

/* floor(a * b / c) for c > 0, UINT64_MAX when that passes 64 bits: the
 * product in two 64-bit halves, then a shift-and-subtract division. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    uint64_t hi = a_hi * b_hi + (lh >> 32) + (hl >> 32) + (mid >> 32);
    uint64_t lo = (mid << 32) | (ll & 0xffffffffu);
    uint64_t q = 0, r = 0;
    int i;

    if (hi >= c)
        return UINT64_MAX; /* the quotient needs more than 64 bits */
    for (i = 127; i >= 0; i--) {
        uint64_t top = r >> 63;

        r = r << 1 | ((i >= 64 ? hi >> (i - 64) : lo >> i) & 1u);
        q <<= 1;
        if (top != 0 || r >= c) {
            r -= c;
            q |= 1u;
        }
    }
    return q;
}

/* The kernel's mult_frac(x, n, d): x * n / d without overflowing. */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
    return x / d * n + x % d * n / d;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool config_ok(const struct buddy_wmark_config *cfg)
{
    return cfg->min_free_kbytes <= WMARK_MAX_MIN_FREE_KBYTES &&
           cfg->watermark_scale_factor >= 1 &&
           cfg->watermark_scale_factor <= WMARK_MAX_SCALE_FACTOR;
}

/* The marks of every zone of `set` (a system, or one zone alone), lowmem
 * reserves only when the zones form a system (`reserves`). Zone counters
 * are read under each zone's lock, then the marks stored under it. */
static int set_watermarks(const struct buddy__system *set,
                          const struct buddy_wmark_config *cfg, bool reserves)
{
    uint64_t managed[BUDDY_MAX_NUMNODES][BUDDY_MAX_NR_ZONES] = {{0}};
    uint64_t lowmem = 0, pages_min, kbytes = cfg->min_free_kbytes;
    unsigned page_shift = 0, n, i, j;
    bool any = false;

    for (n = 0; n < set->nr_nodes; n++)
        for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
            struct buddy_zone *z = set->zones[n][i];

            if (z == NULL)
                continue;
            if (any && z->page_shift != page_shift)
                return BUDDY_EINVAL;
            any = true;
            page_shift = z->page_shift;
            buddy__lock(z);
            managed[n][i] = buddy__managed_pages(z);
            buddy__unlock(z);
            if (i != WMARK_TOP_ZONE)
                lowmem += managed[n][i];
        }
    if (!any)
        return 0;
    if (kbytes == 0) {
        /* calculate_min_free_kbytes: the lowmem pages in KiB, saturated. */
        uint64_t lowmem_kb = page_shift >= 10 ? lowmem << (page_shift - 10)
                                              : lowmem >> (10 - page_shift);

        if (page_shift >= 10 && lowmem_kb >> (page_shift - 10) != lowmem)
            lowmem_kb = UINT64_MAX;
        kbytes = int_sqrt64(lowmem_kb > UINT64_MAX / 16 ? UINT64_MAX
                                                         : lowmem_kb * 16);
        kbytes = kbytes < 128 ? 128 : kbytes > 262144 ? 262144 : kbytes;
    }
    /* min_free_kbytes >> (PAGE_SHIFT - 10), for any page size. */
    pages_min = page_shift >= 10 ? kbytes >> (page_shift - 10)
                                 : kbytes << (10 - page_shift);
    for (n = 0; n < set->nr_nodes; n++)
        for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
            struct buddy_zone *z = set->zones[n][i];
            struct buddy_zone_watermarks wm;
            uint64_t share, step, upper = 0;

            if (z == NULL)
                continue;
            buddy_memset(&wm, 0, sizeof(wm));
            share = lowmem == 0 ? 0 : mul_div(pages_min, managed[n][i], lowmem);
            if (i == WMARK_TOP_ZONE) {
                uint64_t m = managed[n][i] / 1024;

                if (m < SWAP_CLUSTER_MAX)
                    m = SWAP_CLUSTER_MAX;
                wm.wmark[BUDDY_WMARK_MIN] = m > 128 ? 128 : m;
            } else {
                wm.wmark[BUDDY_WMARK_MIN] = share;
            }
            step = mult_frac(managed[n][i], cfg->watermark_scale_factor, 10000);
            if (share >> 2 > step)
                step = share >> 2;
            wm.wmark[BUDDY_WMARK_LOW] =
                add_sat(wm.wmark[BUDDY_WMARK_MIN], step);
            wm.wmark[BUDDY_WMARK_HIGH] =
                add_sat(wm.wmark[BUDDY_WMARK_LOW], step);
            wm.wmark[BUDDY_WMARK_PROMO] =
                add_sat(wm.wmark[BUDDY_WMARK_HIGH], step);
            wm.min_free_kbytes = kbytes;
            /* The boost starts again from 0, as __setup_per_zone_wmarks
             * sets it. */
            wm.boost_factor = cfg->watermark_boost_factor;
            /* setup_per_zone_lowmem_reserve: the node's zones above i. */
            for (j = i + 1; reserves && j < BUDDY_MAX_NR_ZONES; j++) {
                unsigned ratio = cfg->lowmem_reserve_ratio[i];

                upper += managed[n][j];
                wm.lowmem_reserve[j] =
                    ratio == 0 || managed[n][i] == 0 ? 0 : upper / ratio;
            }
            buddy__lock(z);
            z->wmarks = wm;
            buddy__unlock(z);
        }
    return 0;
}

int buddy_system_set_watermarks(struct buddy_system *system,
                                const struct buddy_wmark_config *cfg)
{
    const struct buddy__system *sys = buddy__sys_const(system);

    if (sys == NULL || cfg == NULL)
        return BUDDY_ENULL;
    if (!config_ok(cfg))
        return BUDDY_EINVAL;
    return set_watermarks(sys, cfg, true);
}

int buddy_zone_set_watermarks(struct buddy_zone *z,
                              const struct buddy_wmark_config *cfg)
{
    struct buddy__system alone;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (cfg == NULL)
        return BUDDY_ENULL;
    if (!config_ok(cfg))
        return BUDDY_EINVAL;
    /* A system of this zone alone, at index 0: lowmem whatever its own
     * index. */
    buddy_memset(&alone, 0, sizeof(alone));
    alone.nr_nodes = 1;
    alone.zones[0][0] = z;
    return set_watermarks(&alone, cfg, false);
}

int buddy_zone_get_watermarks(const struct buddy_zone *z,
                              struct buddy_zone_watermarks *wm)
{
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (wm == NULL)
        return BUDDY_ENULL;
    buddy__lock(z);
    *wm = z->wmarks;
    buddy__unlock(z);
    return 0;
}
