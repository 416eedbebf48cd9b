/* SPDX-License-Identifier: MIT */
/*
 * check_report.h: filling a validator's struct buddy_check_report, shared
 * by the zone's (src/core/check.c), the slab caches' and the tenants'
 * validators, so that every one reports the same way.
 */
#ifndef BUDDY_PRIVATE_CHECK_REPORT_H
#define BUDDY_PRIVATE_CHECK_REPORT_H

#include "buddy/buddy.h"

/* A clean report: no error, nothing named (rep may be NULL). */
static inline void buddy__check_clear(struct buddy_check_report *rep)
{
    if (rep != NULL) {
        rep->error = 0;
        rep->what = "";
        rep->pfn = BUDDY_PFN_NONE;
        rep->order = 0;
        rep->expected = rep->actual = 0;
    }
}

/* Fill the report (rep may be NULL) and return BUDDY_ECORRUPT. */
static inline int buddy__check_fail(struct buddy_check_report *rep,
                                    const char *what, buddy_pfn_t pfn,
                                    unsigned order, uint64_t expected,
                                    uint64_t actual)
{
    if (rep != NULL) {
        rep->error = BUDDY_ECORRUPT;
        rep->what = what;
        rep->pfn = pfn;
        rep->order = order;
        rep->expected = expected;
        rep->actual = actual;
    }
    return BUDDY_ECORRUPT;
}

#endif /* BUDDY_PRIVATE_CHECK_REPORT_H */
