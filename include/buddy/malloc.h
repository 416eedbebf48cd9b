/* SPDX-License-Identifier: MIT */
/*
 * buddy/malloc.h: what libbuddy-malloc (src/malloc) offers beside the C
 * library's entry points: tenants for a process's allocations.
 *
 * Tenancy is on when the environment asks for it at the process's first
 * allocation: BUDDY_MALLOC_MAX and BUDDY_MALLOC_HIGH (bytes, with an
 * optional k, m or g) set the memory.max and memory.high of the tenant
 * "process", to which every allocation is charged, so they cap the whole
 * process (an allocation past max fails with ENOMEM); BUDDY_MALLOC_TENANTS
 * (2 to 255, default 16 when tenancy is on) is how many tenants the group
 * holds, "process" among them. Without any of them, tenancy is off and
 * costs nothing.
 *
 * With tenancy on, a program (linked with the static library, or finding
 * these by dlsym under LD_PRELOAD) makes tenants below "process" in the
 * malloc's group (buddy/tenant.h) and charges a thread's allocations to
 * one: buddy_tenant_enter, until buddy_tenant_leave. A free uncharges the
 * tenant that was charged, whichever thread frees. A realloc that moves
 * charges the new block to the calling thread's tenant. Entering and
 * leaving give the thread's stock back, so a tenant that no thread is in
 * holds only what its objects take, and can be destroyed once they are
 * freed.
 */
#ifndef BUDDY_MALLOC_H
#define BUDDY_MALLOC_H

#include "buddy/tenant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The malloc's group of tenants, or NULL when tenancy is off (it is made
 * at the first allocation, which this call makes if none came before). */
BUDDY_API struct buddy_tenants *buddy_malloc_tenants(void);

/* The id of the tenant "process", every other one's ancestor, or 0 when
 * tenancy is off. */
BUDDY_API unsigned buddy_malloc_process_tenant(void);

/* Charge the calling thread's allocations to tenant id from now on: 0,
 * with the tenant it was in before in *prev (may be NULL); ENOTSUP when
 * tenancy is off, ENOTENANT for an id that is not a live tenant of the
 * group (nothing changed). */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_enter(unsigned id, unsigned *prev);

/* Back to prev (as buddy_tenant_enter gave it; 0: "process"): 0, ENOTSUP,
 * ENOTENANT (prev not live: the thread stays where it is). */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_leave(unsigned prev);

#ifdef __cplusplus
}
#endif

#endif /* BUDDY_MALLOC_H */
