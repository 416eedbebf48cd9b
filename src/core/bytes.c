/* SPDX-License-Identifier: MIT */
/*
 * bytes.c: the malloc-shaped API over a zone that has a base address.
 *
 * A request of `size` bytes is rounded up to whole pages and then to a
 * power-of-two number of pages: order = ceil(log2(ceil(size / page_size))).
 * The block's address is base + (pfn - start_pfn) * page_size. Blocks are
 * naturally aligned in pfn space; they are also aligned in address space up
 * to the alignment of (base - start_pfn * page_size), which
 * buddy_zone_addr_align() reports. Free needs no size: the order is in the
 * state byte of the block's first page. Every call is O(1) plus the pfn
 * call it wraps.
 *
 * Size arithmetic: zone init proved base + span fits uintptr_t, so the
 * address of every page and the byte size of every block that exists in
 * the zone fit too; requests are rounded in pages (never as
 * size + page_size - 1, which wraps near SIZE_MAX); and a byte size is made
 * by a shift only where the shift is below the width.
 */
#include "internal.h"

int buddy_zone_size_to_order(const struct buddy_zone *z, size_t size)
{
    uint64_t npages;
    unsigned order;

    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (size == 0)
        return BUDDY_EZERO;
    /* Whole pages, plus one for a remainder: exact for any size_t. */
    npages = ((uint64_t)size >> z->page_shift) +
             (((uint64_t)size & (((uint64_t)1 << z->page_shift) - 1)) != 0);
    order = npages == 1 ? 0 : buddy_log2_64(npages - 1) + 1;
    if (order > z->max_order)
        return BUDDY_EORDER;
    return (int)order;
}

void *buddy_zone_pfn_to_addr(const struct buddy_zone *z, buddy_pfn_t pfn)
{
    buddy_pfn_t rel;

    if (!buddy__zone_ok(z) || z->base == 0)
        return NULL;
    rel = pfn - z->start_pfn;
    if (rel >= z->spanned)
        return NULL;
    return (void *)(z->base + ((uintptr_t)rel << z->page_shift));
}

buddy_pfn_t buddy_zone_addr_to_pfn(const struct buddy_zone *z, const void *addr)
{
    uint64_t rel;

    return buddy__addr_rel(z, addr, &rel) ? z->start_pfn + rel
                                          : BUDDY_PFN_NONE;
}

size_t buddy_zone_addr_align(const struct buddy_zone *z)
{
    unsigned shift;

    if (!buddy__zone_ok(z) || z->base == 0)
        return 0;
    shift = z->max_order + z->page_shift;
    if (z->addr_align_shift < shift)
        shift = z->addr_align_shift;
    if (shift >= sizeof(size_t) * 8u)
        shift = sizeof(size_t) * 8u - 1u;
    return (size_t)1 << shift;
}

void *buddy_zone_alloc(struct buddy_zone *z, size_t size)
{
    return buddy_zone_alloc_aligned(z, size, 1);
}

void *buddy_zone_alloc_aligned(struct buddy_zone *z, size_t size, size_t align)
{
    int order = buddy_zone_size_to_order(z, size);
    buddy_pfn_t pfn;

    if (order < 0 || z->base == 0 || align == 0 || (align & (align - 1)))
        return NULL;
    if (align > ((size_t)1 << z->page_shift)) {
        unsigned need = buddy_log2_64(align) - z->page_shift;

        if (align > buddy_zone_addr_align(z))
            return NULL;
        if ((unsigned)order < need)
            order = (int)need;
    }
    if (buddy_zone_alloc_pages(z, (unsigned)order, &pfn) != 0)
        return NULL;
    return (void *)(z->base + ((uintptr_t)(pfn - z->start_pfn) << z->page_shift));
}

/* Resolve a pointer to the pfn of a page start, or an error. */
static int ptr_to_pfn(const struct buddy_zone *z, const void *ptr,
                      buddy_pfn_t *pfn)
{
    if (!buddy__zone_ok(z))
        return BUDDY_EBADZONE;
    if (ptr == NULL)
        return BUDDY_ENULL;
    if (z->base == 0)
        return BUDDY_ENOBASE;
    *pfn = buddy_zone_addr_to_pfn(z, ptr);
    if (*pfn == BUDDY_PFN_NONE)
        return BUDDY_ERANGE;
    if (((uintptr_t)ptr - z->base) & (((uintptr_t)1 << z->page_shift) - 1))
        return BUDDY_EALIGN;
    return 0;
}

int buddy__zone_free_by(struct buddy_zone *z, void *ptr,
                        const struct buddy__pcp *by)
{
    buddy_pfn_t pfn = BUDDY_PFN_NONE;
    int err = ptr_to_pfn(z, ptr, &pfn);

    if (err != 0) {
        /* Counted and reported under the lock, as every refused free. */
        if (err != BUDDY_EBADZONE) {
            buddy__lock(z);
            buddy__reject(z, err, pfn, 0);
            buddy__unlock(z);
        }
        return err;
    }
    return buddy__zone_free_pages_by(z, pfn, 0, false, by);
}

int buddy_zone_free(struct buddy_zone *z, void *ptr)
{
    return buddy__zone_free_by(z, ptr, NULL);
}

size_t buddy_zone_usable_size(const struct buddy_zone *z, const void *ptr)
{
    buddy_pfn_t pfn;
    int order;

    if (ptr_to_pfn(z, ptr, &pfn) != 0)
        return 0;
    order = buddy_zone_pfn_order(z, pfn);
    if (order < 0)
        return 0;
    /* A block in the zone is smaller than the address space (zone init);
     * the test keeps the shift defined whatever the metadata says. */
    if ((unsigned)order + z->page_shift >= sizeof(size_t) * 8u)
        return 0;
    return (size_t)1 << ((unsigned)order + z->page_shift);
}
