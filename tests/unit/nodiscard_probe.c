/* SPDX-License-Identifier: MIT */
/*
 * nodiscard_probe.c: compiled, not run (tests/unit/CMakeLists.txt). With
 * PROBE_IGNORE a caller drops the result of a BUDDY_NODISCARD call, which
 * the compiler must report; without it the same calls checked must
 * compile cleanly under -Werror.
 */
#include "buddy/buddy.h"

int probe(struct buddy_zone *z);

int probe(struct buddy_zone *z)
{
    buddy_pfn_t pfn;
    uint64_t n;

#ifdef PROBE_IGNORE
    buddy_zone_alloc_pages(z, 0, &pfn);
    buddy_zone_nr_free(z, 0, &n);
    return 0;
#else
    if (buddy_zone_alloc_pages(z, 0, &pfn) != 0 || buddy_zone_nr_free(z, 0, &n) != 0)
        return -1;
    return buddy_zone_free_pages(z, pfn, 0); /* frees are not marked */
#endif
}
