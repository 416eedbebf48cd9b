/* SPDX-License-Identifier: MIT */
/*
 * system.c: nodes of zones, and the kernel's zonelist fallback.
 *
 * The kernel builds, per node, a zonelist: that node's zones from the
 * highest down, then the other nodes' zones (by distance). An allocation
 * that may use zones up to `highest_zone_idx` walks the list, skipping zones
 * above that index, and takes the first zone with a free block of the order
 * (get_page_from_freelist without watermarks). We have no distances, so the
 * other nodes come in id order after the preferred one, wrapping.
 *
 * The preferred zone is the zonelist's first zone, whether or not it can
 * serve the order (the kernel's preferred_zoneref). A request served by any
 * other zone counts a fallback there: every allocation the kernel counts as
 * numa_miss (served off the preferred zone's node, numa_foreign on the
 * preferred one) is one, and so is a fall to a lower zone of the same
 * node, which the kernel counts as a numa_hit. A request that fails counts
 * one failure, on the preferred zone.
 * Cost: O(nodes * zones) zone visits, each O(1) to test and O(max_order) to
 * allocate from.
 */
#include "internal.h"

void buddy_system_init(struct buddy_system *system)
{
    struct buddy__system *sys = buddy__sys(system);

    if (sys != NULL)
        buddy_memset(sys, 0, sizeof(*sys));
}

static bool spans_overlap(const struct buddy_zone *a, const struct buddy_zone *b)
{
    return a->start_pfn < b->start_pfn + b->spanned &&
           b->start_pfn < a->start_pfn + a->spanned;
}

int buddy_system_add_zone(struct buddy_system *system, unsigned nid,
                          unsigned zone_idx, struct buddy_zone *z)
{
    struct buddy__system *sys = buddy__sys(system);
    unsigned n, i;

    if (sys == NULL)
        return BUDDY_ENULL;
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (nid >= BUDDY_MAX_NUMNODES || zone_idx >= BUDDY_MAX_NR_ZONES)
        return BUDDY_ENODE;
    if (z->node_id >= 0)
        return BUDDY_EINVAL;
    if (sys->zones[nid][zone_idx] != NULL)
        return BUDDY_EEXIST;
    for (n = 0; n < sys->nr_nodes; n++)
        for (i = 0; i < BUDDY_MAX_NR_ZONES; i++)
            if (sys->zones[n][i] != NULL && spans_overlap(sys->zones[n][i], z))
                return BUDDY_ESPANOVERLAP;
    sys->zones[nid][zone_idx] = z;
    z->node_id = (int8_t)nid;
    z->zone_idx = (int8_t)zone_idx;
    if (nid + 1 > sys->nr_nodes)
        sys->nr_nodes = nid + 1;
    return 0;
}

/* The zonelist's first zone, whatever its max_order (the kernel's
 * preferred_zoneref: where the request wanted to land, so what it is a
 * fallback from), or NULL when the list is empty; and whether any zone of
 * the list has blocks of `order`. O(nodes * zones). */
static bool zonelist_first(const struct buddy__system *sys, unsigned nid,
                           unsigned highest_zone_idx, unsigned order,
                           struct buddy_zone **preferred)
{
    unsigned step;
    bool servable = false;

    *preferred = NULL;
    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (nid + step) % sys->nr_nodes;
        unsigned zi = highest_zone_idx + 1;

        while (zi-- > 0) {
            struct buddy_zone *z = sys->zones[n][zi];

            if (z == NULL)
                continue;
            if (*preferred == NULL)
                *preferred = z;
            servable |= order <= z->max_order;
        }
    }
    return servable;
}

/* One pass along the zonelist: the first zone that has a block of `order`
 * serves it; one served for another preferred zone counts a fallback. With
 * `drain`, each zone first takes back what its per-CPU caches hold (the
 * kernel drains them only once the whole zonelist came up short). Returns
 * 0, or ENOMEM without counting a failure. */
static int zonelist_pass(struct buddy__system *sys, unsigned nid,
                         unsigned highest_zone_idx, unsigned order,
                         bool drain, buddy_pfn_t *pfn,
                         struct buddy_zone **zone_out,
                         struct buddy_zone *preferred)
{
    unsigned step;

    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (nid + step) % sys->nr_nodes;
        unsigned zi = highest_zone_idx + 1;

        while (zi-- > 0) {
            struct buddy_zone *z = sys->zones[n][zi];

            if (z == NULL || order > z->max_order)
                continue;
            buddy__lock(z);
            if (drain)
                (void)buddy__drain_caches_locked(z);
            /* Test before calling, so a zone that cannot serve the order
             * does not count a failure of its own. */
            if ((z->nonempty & (0xffffffffu << order)) == 0 ||
                buddy__alloc_pages_locked(z, order, pfn) != 0) {
                buddy__unlock(z);
                continue;
            }
            if (z != preferred) {
                buddy_stat_inc(z, fallbacks);
                if (buddy_hook_set(z)) {
                    struct buddy_event ev = {BUDDY_EV_FALLBACK, 0, *pfn, order,
                                             BUDDY_PFN_NONE, 0, 0, preferred};
                    buddy__emit(z, &ev);
                }
            }
            buddy_check_expensive(z);
            buddy__unlock(z);
            if (zone_out != NULL)
                *zone_out = z;
            return 0;
        }
    }
    return BUDDY_ENOMEM;
}

int buddy_system_alloc_pages(struct buddy_system *system, unsigned nid,
                             unsigned highest_zone_idx, unsigned order,
                             buddy_pfn_t *pfn, struct buddy_zone **zone_out)
{
    struct buddy__system *sys = buddy__sys(system);
    struct buddy_zone *preferred;

    if (sys == NULL || pfn == NULL)
        return BUDDY_ENULL;
    if (nid >= sys->nr_nodes || highest_zone_idx >= BUDDY_MAX_NR_ZONES)
        return BUDDY_ENODE;
    /* No zone of the list has blocks of this order: bad input, as the
     * zone call's EORDER, and nothing is counted. */
    if (!zonelist_first(sys, nid, highest_zone_idx, order, &preferred))
        return BUDDY_EORDER;
    if (zonelist_pass(sys, nid, highest_zone_idx, order, false, pfn, zone_out,
                      preferred) == 0 ||
        zonelist_pass(sys, nid, highest_zone_idx, order, true, pfn, zone_out,
                      preferred) == 0)
        return 0;
    /* The failure is the preferred zone's, even when its max_order is
     * below the order and only other zones were tried. */
    buddy__lock(preferred);
    buddy_stat_inc(preferred, alloc_failures);
    if (buddy_hook_set(preferred)) {
        struct buddy_event ev = {BUDDY_EV_FAIL, 0, BUDDY_PFN_NONE, order,
                                 BUDDY_PFN_NONE, 0, BUDDY_ENOMEM, 0};
        buddy__emit(preferred, &ev);
    }
    buddy__unlock(preferred);
    return BUDDY_ENOMEM;
}

struct buddy_zone *buddy_system_pfn_zone(const struct buddy_system *system,
                                         buddy_pfn_t pfn)
{
    const struct buddy__system *sys = buddy__sys_const(system);
    unsigned n, i;

    if (sys == NULL)
        return NULL;
    for (n = 0; n < sys->nr_nodes; n++)
        for (i = 0; i < BUDDY_MAX_NR_ZONES; i++) {
            struct buddy_zone *z = sys->zones[n][i];

            if (z != NULL && pfn - z->start_pfn < z->spanned)
                return z;
        }
    return NULL;
}

int buddy_system_free_pages(struct buddy_system *system, buddy_pfn_t pfn,
                            unsigned order)
{
    struct buddy__system *sys = buddy__sys(system);
    struct buddy_zone *z;

    if (sys == NULL)
        return BUDDY_ENULL;
    z = buddy_system_pfn_zone(system, pfn);
    if (z == NULL)
        return BUDDY_ERANGE;
    return buddy_zone_free_pages(z, pfn, order);
}
