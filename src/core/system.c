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
 * Cost: O(nodes * zones) zone visits, each O(1) to test and O(max_order) to
 * allocate from.
 */
#include "internal.h"

void buddy_system_init(struct buddy_system *sys)
{
    if (sys != NULL)
        buddy_memset(sys, 0, sizeof(*sys));
}

static bool spans_overlap(const struct buddy_zone *a, const struct buddy_zone *b)
{
    return a->start_pfn < b->start_pfn + b->spanned &&
           b->start_pfn < a->start_pfn + a->spanned;
}

int buddy_system_add_zone(struct buddy_system *sys, unsigned nid,
                          unsigned zone_idx, struct buddy_zone *z)
{
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

/* One pass along the zonelist: the first zone that has a block of `order`
 * serves it. With `drain`, each zone first takes back what its per-CPU
 * caches hold (the kernel drains them only once the whole zonelist came up
 * short). Returns 0, or ENOMEM without counting a failure. */
static int zonelist_pass(struct buddy_system *sys, unsigned nid,
                         unsigned highest_zone_idx, unsigned order,
                         bool drain, buddy_pfn_t *pfn,
                         struct buddy_zone **zone_out,
                         struct buddy_zone **preferred)
{
    unsigned step;

    for (step = 0; step < sys->nr_nodes; step++) {
        unsigned n = (nid + step) % sys->nr_nodes;
        unsigned zi = highest_zone_idx + 1;

        while (zi-- > 0) {
            struct buddy_zone *z = sys->zones[n][zi];

            if (z == NULL || order > z->max_order)
                continue;
            if (*preferred == NULL)
                *preferred = z;
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
            if (z != *preferred) {
                z->fallbacks++;
                if (buddy_hook_set(z)) {
                    struct buddy_event ev = {BUDDY_EV_FALLBACK, 0, *pfn, order,
                                             BUDDY_PFN_NONE, 0, 0, *preferred};
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

int buddy_system_alloc_pages(struct buddy_system *sys, unsigned nid,
                             unsigned highest_zone_idx, unsigned order,
                             buddy_pfn_t *pfn, struct buddy_zone **zone_out)
{
    struct buddy_zone *preferred = NULL;

    if (sys == NULL || pfn == NULL)
        return BUDDY_ENULL;
    if (nid >= sys->nr_nodes || highest_zone_idx >= BUDDY_MAX_NR_ZONES)
        return BUDDY_ENODE;
    if (zonelist_pass(sys, nid, highest_zone_idx, order, false, pfn, zone_out,
                      &preferred) == 0 ||
        (preferred != NULL &&
         zonelist_pass(sys, nid, highest_zone_idx, order, true, pfn, zone_out,
                       &preferred) == 0))
        return 0;
    if (preferred == NULL)
        return BUDDY_EORDER;
    buddy__lock(preferred);
    preferred->alloc_failures++;
    if (buddy_hook_set(preferred)) {
        struct buddy_event ev = {BUDDY_EV_FAIL, 0, BUDDY_PFN_NONE, order,
                                 BUDDY_PFN_NONE, 0, BUDDY_ENOMEM, 0};
        buddy__emit(preferred, &ev);
    }
    buddy__unlock(preferred);
    return BUDDY_ENOMEM;
}

struct buddy_zone *buddy_system_pfn_zone(const struct buddy_system *sys,
                                         buddy_pfn_t pfn)
{
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

int buddy_system_free_pages(struct buddy_system *sys, buddy_pfn_t pfn,
                            unsigned order)
{
    struct buddy_zone *z;

    if (sys == NULL)
        return BUDDY_ENULL;
    z = buddy_system_pfn_zone(sys, pfn);
    if (z == NULL)
        return BUDDY_ERANGE;
    return buddy_free_pages(z, pfn, order);
}
