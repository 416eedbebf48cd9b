/* SPDX-License-Identifier: MIT */
/*
 * buddy/tenant.h: tenants, the kernel's memory cgroups (cgroup v2's
 * memory controller) inside the allocator.
 *
 * A tenant is a node of a hierarchy, made under a parent (or at the top),
 * with cgroup v2's knobs in pages: max (a hard limit: a charge that would
 * pass it runs the reclaimers, retries a bounded number of times, then
 * asks the OOM callback and fails with ENOMEM), high (a throttle: the
 * charge succeeds, the reclaimers run and the throttle callback is told
 * the overage, as mem_cgroup_handle_over_high), and low and min
 * (protection: a reclaim of a subtree takes from unprotected tenants
 * first, from those under low only when nothing else gave, and never from
 * those under min). A charge counts in the tenant and in every ancestor
 * (the kernel's page_counter): no ancestor's usage ever passes its max,
 * and each tenant keeps its peak and its events (low, high, max, oom,
 * oom_kill), which the views print in the kernel's text formats.
 *
 * Like the core it is freestanding (this header includes only
 * buddy/buddy.h) and makes no allocation of its own: the tenants live in
 * one buffer the caller gives (buddy_tenants_size). A tenant is named by a
 * small id, 1 to the capacity (at most BUDDY_TENANT_MAX), so that a page's
 * owner fits a byte of metadata; BUDDY_TENANT_NONE (0) is no tenant.
 *
 * Charging is batched as memcg's per-CPU stock: a caller's stock (a
 * thread's or a CPU's, struct buddy_tenant_stock) holds pages already
 * charged to one tenant, and a charge it covers is one compare and one
 * subtraction; one that it does not charges a batch (64 pages by default)
 * and keeps the rest. Stocked pages count in usage, so usage never passes
 * max; what the batching costs is that a tenant's held pages can fall
 * short of its usage by what the stocks hold, at most the number of
 * stocks times the batch (and a charge can fail that much early).
 *
 * Locking: charges, uncharges and the reads are lock-free (atomic
 * counters); creating and destroying tenants, setting limits and
 * callbacks take the group's lock (the lock ops of the configuration;
 * without them the group is one thread's). The callbacks run with no lock
 * of the group held. A stock is its owner's: one thread uses it at a
 * time.
 */
#ifndef BUDDY_TENANT_H
#define BUDDY_TENANT_H

#include "buddy/buddy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BUDDY_TENANT_NONE 0u
#define BUDDY_TENANT_MAX 255u          /* ids 1..255: an owner is a byte */
#define BUDDY_TENANT_UNLIMITED UINT64_MAX /* a limit of "max" */
#define BUDDY_TENANT_BATCH 64u         /* memcg's MEMCG_CHARGE_BATCH */
#define BUDDY_TENANT_RETRIES 16u       /* reclaims before OOM, as the
                                          kernel's MAX_RECLAIM_RETRIES */
#define BUDDY_TENANT_RECLAIMERS 4u     /* reclaim callbacks a tenant has */
#define BUDDY_TENANT_NAME_MAX 24u      /* a name's bytes, its NUL included */
#define BUDDY_TENANT_ZONES 8u          /* zones a group is attached to */

struct buddy_tenants; /* opaque: in the caller's buffer */

struct buddy_tenants_config {
    unsigned capacity;        /* tenants at most, 1..BUDDY_TENANT_MAX */
    size_t page_size;         /* bytes a page, for the views (a power of
                                 two >= 16; 0: 4096) */
    unsigned batch;           /* pages a stock charges at once (0: the
                                 default, BUDDY_TENANT_BATCH) */
    const struct buddy_lock_ops *lock; /* NULL: one thread's */
};

#define BUDDY_TENANTS_CONFIG_INIT {0, 0, 0, NULL}

/* What buddy_tenants_init needs for cfg: a header and a record a tenant.
 * 0 for a bad configuration (buddy_tenants_init says why). O(1). */
BUDDY_NODISCARD
BUDDY_API size_t buddy_tenants_size(const struct buddy_tenants_config *cfg);

/* Make an empty group of tenants in buf (size bytes, aligned to 8). ENULL,
 * EINVAL (capacity 0 or above BUDDY_TENANT_MAX, a page size not a power
 * of two >= 16, lock ops without lock or unlock), EALIGN, ENOSPC (size
 * below buddy_tenants_size). O(capacity). */
BUDDY_NODISCARD
BUDDY_API int buddy_tenants_init(void *buf, size_t size,
                                 const struct buddy_tenants_config *cfg,
                                 struct buddy_tenants **out);

/* Make a tenant under parent (BUDDY_TENANT_NONE: at the top), every limit
 * "max" and no protection, its name copied (NULL: "tenant<id>"; longer
 * than BUDDY_TENANT_NAME_MAX - 1 bytes: EINVAL): its id in *id. ENOSPC
 * when every id is taken, ENOTENANT for a parent that is not a live
 * tenant. O(capacity). */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_create(struct buddy_tenants *g, unsigned parent,
                                  const char *name, unsigned *id);

/* End tenant id: EBUSY while it has children or anything charged (usage
 * includes what stocks hold: drain them first), ENOTENANT. Its id may be
 * given again. O(1). A charge racing with the destroy of its tenant is
 * misuse; one of the two fails (EBUSY or ENOTENANT), never both succeed. */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_destroy(struct buddy_tenants *g, unsigned id);

/* Move tenant id under new_parent (BUDDY_TENANT_NONE: to the top), its
 * usage with it: every old ancestor uncharged, every new one charged.
 * ENOTENANT, EINVAL for a move under itself or its own descendant (a
 * cycle), EBUSY when its usage would pass a new ancestor's max. O(depth)
 * under the lock; no charge may run on the tenant meanwhile. */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_move(struct buddy_tenants *g, unsigned id,
                                unsigned new_parent);

/* The knobs, in pages (BUDDY_TENANT_UNLIMITED: "max"). set_max refuses a
 * limit below the tenant's usage now (EBUSY, nothing changed: reclaim,
 * then set it), as does set_high; a charge racing with it either lands
 * before (and the limit is tried again) or sees the new limit, as the
 * kernel's page_counter_set_max. low and min take any value. ENOTENANT.
 * O(1) while no charge races. */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_set_max(struct buddy_tenants *g, unsigned id,
                                   uint64_t nr_pages);
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_set_high(struct buddy_tenants *g, unsigned id,
                                    uint64_t nr_pages);
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_set_low(struct buddy_tenants *g, unsigned id,
                                   uint64_t nr_pages);
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_set_min(struct buddy_tenants *g, unsigned id,
                                   uint64_t nr_pages);

/*
 * A reclaimer: asked to free up to nr_pages charged to tenant id (whose
 * owner uncharges them as it frees: buddy_tenant_uncharge), it returns
 * how many it freed. Called with no lock of the group held, from the
 * thread whose charge needs the room (or whose charge passed high).
 */
typedef uint64_t (*buddy_tenant_reclaim_fn)(void *arg, unsigned id,
                                            uint64_t nr_pages);
/* Add a reclaimer to tenant id (at most BUDDY_TENANT_RECLAIMERS: ENOSPC;
 * fn NULL: ENULL), or remove the one with the same fn and arg (EINVAL
 * when it has none such). ENOTENANT. */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_add_reclaimer(struct buddy_tenants *g, unsigned id,
                                         buddy_tenant_reclaim_fn fn,
                                         void *arg);
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_remove_reclaimer(struct buddy_tenants *g,
                                            unsigned id,
                                            buddy_tenant_reclaim_fn fn,
                                            void *arg);

/*
 * A tenant's other callbacks (each may be NULL). oom: a charge of nr_pages
 * to id still passes the max of `over` (id or an ancestor) after the
 * reclaim retries; return true when it freed memory (an OOM kill: the
 * charge is retried once more, and oom_kill counted), false to fail the
 * charge with ENOMEM. throttle: a charge to id succeeded with `over` (id
 * or an ancestor) over_pages above its high after the reclaimers ran;
 * the caller may sleep here, as the kernel's handle_over_high does. The
 * callbacks of the tenant charged are called, not the ancestor's.
 */
struct buddy_tenant_ops {
    bool (*oom)(void *arg, unsigned id, unsigned over, uint64_t nr_pages);
    void (*throttle)(void *arg, unsigned id, unsigned over,
                     uint64_t over_pages);
    void *arg;
};
/* Set tenant id's callbacks (ops NULL: none). ENOTENANT. */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_set_ops(struct buddy_tenants *g, unsigned id,
                                   const struct buddy_tenant_ops *ops);

/* A caller's stock of pages charged to one tenant (memcg_stock_pcp): zero
 * it (BUDDY_TENANT_STOCK_INIT) before the first use; one thread at a
 * time. */
struct buddy_tenant_stock {
    unsigned id_;         /* the tenant its pages are charged to, or 0 */
    uint64_t nr_pages_;   /* pages charged and not yet handed out */
    unsigned byte_id_;    /* the tenant its bytes are charged to, or 0 */
    size_t nr_bytes_;     /* bytes of pages charged, not yet handed out */
};
#define BUDDY_TENANT_STOCK_INIT {0, 0, 0, 0}

/*
 * Charge nr_pages to tenant id and its ancestors: 0, or ENOMEM (past a
 * max after the reclaim retries and the OOM callback; nothing charged),
 * ENOTENANT, EZERO (nr_pages 0). With a stock, a charge the stock covers
 * is taken from it (one compare, one subtraction, no atomic); otherwise
 * a batch is charged (the stock's remainder given back first) and the
 * rest kept. A charge that leaves the tenant or an ancestor above its
 * high counts a high event there, runs the reclaimers of that subtree
 * and calls the throttle callback. O(depth) atomics; the reclaim and
 * OOM paths call out.
 */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_charge(struct buddy_tenants *g,
                                  struct buddy_tenant_stock *stock,
                                  unsigned id, uint64_t nr_pages);

/* Uncharge nr_pages from tenant id and its ancestors (into the stock when
 * it is id's, which gives back what passes the batch): 0, ENOTENANT (a
 * tenant destroyed or never made), EINVAL (more than the pages charged to
 * id itself, its children's not counted, less what the stock holds:
 * nothing changed), EZERO. The pages other callers' stocks hold count as
 * id's own, so an uncharge of those (of pages never handed out) is misuse
 * that passes the check. O(depth) atomics. */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_uncharge(struct buddy_tenants *g,
                                    struct buddy_tenant_stock *stock,
                                    unsigned id, uint64_t nr_pages);

/*
 * Charges in bytes, for objects smaller than a page (slab objects, the
 * kernel's obj_cgroup_charge): bytes are charged as whole pages, and
 * what a page has left over waits for the next charge to the tenant, in
 * the stock (the kernel's obj_stock) or, without one or when the stock
 * turns to another tenant, in the tenant itself (its nr_charged_bytes);
 * an uncharge gives whole pages back as the bytes make them. So a tenant
 * whose objects are all freed, and whose stocks are drained, holds no
 * page. Each charge is also counted in one of the tenant's byte items,
 * memory.stat's lines; an uncharge of more than an item holds is refused.
 * Errors as buddy_tenant_charge and buddy_tenant_uncharge (EINVAL for an
 * item past the last, or an uncharge past what the item holds; ENOMEM
 * for more than half a word of bytes). O(depth) atomics at most.
 */
enum buddy_tenant_item {
    BUDDY_TENANT_SLAB_RECLAIMABLE,   /* slab_reclaimable */
    BUDDY_TENANT_SLAB_UNRECLAIMABLE, /* slab_unreclaimable */
    BUDDY_TENANT_NR_ITEMS
};
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_charge_bytes(struct buddy_tenants *g,
                                        struct buddy_tenant_stock *stock,
                                        unsigned id, size_t bytes,
                                        enum buddy_tenant_item item);
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_uncharge_bytes(struct buddy_tenants *g,
                                          struct buddy_tenant_stock *stock,
                                          unsigned id, size_t bytes,
                                          enum buddy_tenant_item item);

/* Give the stock's pages and bytes back to their tenants: the kernel's
 * drain_stock and drain_obj_stock. Before a thread ends, and before its
 * tenant is destroyed. */
BUDDY_API void buddy_tenant_stock_drain(struct buddy_tenants *g,
                                        struct buddy_tenant_stock *stock);

/*
 * Pages of a zone charged to tenants. buddy_tenants_attach_zone makes the
 * group the zone's owner (its owner hook: ENOTSUP for a zone made without
 * BUDDY_ZONE_OWNERS, EBADZONE): from then on every free of a block owned
 * there uncharges the tenant it was charged to, whichever thread frees it
 * and by whichever call (the zone's, a per-CPU cache's, a shrinking
 * resize's). A zone serves one group; a group up to BUDDY_TENANT_ZONES
 * zones (ENOSPC past them; attaching one again changes nothing), which
 * must outlive it: memory.stat reads them.
 *
 * buddy_tenant_alloc_pages charges 2^order pages to tenant id (through
 * stock, as buddy_tenant_charge: the reclaimers, the OOM callback, high's
 * throttle), then allocates them from z for migrate type mt with id as
 * their owner (buddy_zone_alloc_pages_owned). Errors: the charge's
 * (ENOMEM past a max, ENOTENANT) with the zone untouched, then the
 * allocation's (ENOMEM when the zone has no such block, EORDER, EINVAL),
 * the charge given back. O(depth + max_order).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_tenants_attach_zone(struct buddy_tenants *g,
                                        struct buddy_zone *z);
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_alloc_pages(struct buddy_tenants *g,
                                       struct buddy_tenant_stock *stock,
                                       unsigned id, struct buddy_zone *z,
                                       unsigned order,
                                       enum buddy_migratetype mt,
                                       buddy_pfn_t *pfn);

/* What a tenant's counters read now. */
struct buddy_tenant_info {
    unsigned id, parent;          /* parent 0: at the top */
    unsigned depth;               /* 1 at the top */
    unsigned nr_children;
    char name[BUDDY_TENANT_NAME_MAX];
    uint64_t current;             /* memory.current, in pages */
    uint64_t peak;                /* memory.peak: the most current was */
    uint64_t max, high, low, min; /* BUDDY_TENANT_UNLIMITED: "max" */
    uint64_t events_low;          /* memory.events: reclaimed below low */
    uint64_t events_high;         /* a charge left it above high */
    uint64_t events_max;          /* a charge hit its max */
    uint64_t events_oom;          /* reclaim could not make room */
    uint64_t events_oom_kill;     /* the OOM callback freed memory */
    uint64_t slab_reclaimable;    /* bytes of objects charged to it */
    uint64_t slab_unreclaimable;  /* itself (memory.stat's are its
                                     subtree's) */
};
/* Fill *out for tenant id. ENOTENANT, ENULL. O(1). */
BUDDY_NODISCARD
BUDDY_API int buddy_tenant_get_info(struct buddy_tenants *g, unsigned id,
                                    struct buddy_tenant_info *out);

/* The next live tenant after id in id order (0 starts), or 0 at the end:
 * for walking every tenant. */
BUDDY_API unsigned buddy_tenant_next(struct buddy_tenants *g, unsigned id);

/*
 * Check every tenant while no charge is half done (a quiescent point):
 * its parent live and its depth the parent's + 1, its children counted,
 * usage exactly its own pages and its children's, at most its max, and peak at
 * least usage. 0, or ECORRUPT with *rep saying what (rep may be NULL; its
 * pfn field is the tenant's id, expected and actual the counts);
 * ENOTENANT for a g that is no group. Under the lock; O(capacity x
 * depth).
 */
BUDDY_NODISCARD
BUDDY_API int buddy_tenants_check(struct buddy_tenants *g,
                                  struct buddy_check_report *rep);

/*
 * Views in cgroup v2's text formats, for tenant id, into buf: at most size
 * bytes with the NUL (a NUL always written when size > 0), returning the
 * length the whole text needs without it (as snprintf), which is never 0
 * for a tenant: 0 and an empty string mean id is not a live one.
 * memory.current and memory.peak: "%llu\n" in bytes; memory.max and
 * memory.high: "max\n" or the bytes; memory.events: "low N", "high N",
 * "max N", "oom N", "oom_kill N", a line each. O(1).
 */
BUDDY_API size_t buddy_tenant_memory_current(struct buddy_tenants *g,
                                             unsigned id, char *buf,
                                             size_t size);
BUDDY_API size_t buddy_tenant_memory_peak(struct buddy_tenants *g,
                                          unsigned id, char *buf, size_t size);
BUDDY_API size_t buddy_tenant_memory_max(struct buddy_tenants *g, unsigned id,
                                         char *buf, size_t size);
BUDDY_API size_t buddy_tenant_memory_high(struct buddy_tenants *g,
                                          unsigned id, char *buf, size_t size);
BUDDY_API size_t buddy_tenant_memory_events(struct buddy_tenants *g,
                                            unsigned id, char *buf,
                                            size_t size);

/*
 * memory.stat for tenant id and its descendants, as cgroup v2's (a line
 * "name value" each; sizes in bytes): what its pages and objects are.
 * "pages": the bytes of the attached zones' blocks charged to the
 * subtree (buddy_tenant_alloc_pages), then "pages_unmovable" ...
 * "pages_isolate" by the migrate type of each block's pageblock now,
 * then "blocks_order0" ... up to the zones' largest order, the count of
 * such blocks of each order (with no zone attached, no order line);
 * then the kernel's "slab_reclaimable", "slab_unreclaimable" and "slab",
 * the bytes of slab objects charged (buddy_tenant_charge_bytes). Read
 * with each zone's lock held in turn, so not one moment across zones.
 * Returns as the views above. O(blocks of the zones + capacity x depth).
 */
BUDDY_API size_t buddy_tenant_memory_stat(struct buddy_tenants *g, unsigned id,
                                          char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* BUDDY_TENANT_H */
