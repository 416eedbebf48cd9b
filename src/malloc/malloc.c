/* SPDX-License-Identifier: MIT */
/*
 * malloc.c: the C library's allocation entry points on libbuddy: kmalloc's
 * size classes on slab caches, and blocks of a zone above 8 KiB, over one
 * large lazily reserved range. Built as libbuddy-malloc.so (LD_PRELOAD) and
 * as a static library to link before libc.
 *
 * State: one reservation (mmap MAP_NORESERVE, so it costs nothing until
 * pages are written), cut into two heaps (src/hosted), each a zone whose
 * metadata is mapped the same way and whose free lists the core's lazy
 * init leaves unwritten: the heap's zone, with blocks up to 4 MiB (the
 * kernel's MAX_PAGE_ORDER), for the slabs and blocks of kmalloc, and the
 * large zone, with blocks up to 4 GiB, for kmalloc's larger blocks. A
 * process's first allocation splits a 4 MiB block, not a 4 GiB one: ten
 * levels of metadata written, not twenty (above the ninth, each on a page
 * of its own). The large zone's pages are 2 MiB: its blocks are 4 MiB and
 * up, so each takes the bytes it would in pages of 4 KiB, and its
 * metadata is a megabyte rather than half a gigabyte, so what its start
 * writes lies on one page table, not three far apart (every fork copies
 * each page table the process has). One kmalloc on the two, made on the
 * first call. Until then, and while the first call makes them (the heap's
 * own few allocations come back here), requests are served from a static
 * bootstrap buffer, never freed.
 *
 * Threads: each thread has its own magazines (buddy_kmalloc_mags, one
 * per size class), made at its first allocation and flushed when it ends
 * (a pthread key's destructor), so a malloc or free of a cached class
 * takes no lock: a pop or a push, the free's O(1) slab lookup, and one
 * atomic operation on the slab's owned map (which is also what catches a
 * double free, whichever thread's magazine holds the object). A refill or
 * flush takes its class's own lock; blocks above 8 KiB take the zone's.
 * Locks, in the order they nest: `lock` (init and the list of threads'
 * magazines), then a class's, then the classes' shared descriptor blocks'
 * (desc_mutex), then the zone's. fork holds all of them, in
 * that order, across fork (pthread_atfork), unless the process has one
 * thread; the child, which has only the forking thread, leaves the
 * objects in the other threads' magazines allocated (atfork_child says
 * why).
 *
 * Memory goes back to the kernel: the zone reports every free block of a
 * pageblock (2 MiB) or more that frees leave (the core's free page
 * reporting), and BUDDY_MALLOC_RETURN_DELAY_MS (100; `never` keeps
 * everything) after the first such free a malloc or free (a thread reads
 * the clock on one call in 64) hands those still free to the kernel with
 * madvise(MADV_DONTNEED), under the zone lock so none is allocated
 * meanwhile. A block taken again within the delay costs no system call.
 * A program that frees and then makes no call keeps the memory until its
 * next call (as mimalloc's delayed purge); malloc_trim returns it at once.
 *
 * BUDDY_MALLOC_DEBUG=1 turns on slub_debug's flags in every size class:
 * red zones (a write past an object is caught at its free), poison (a
 * write after free is caught at the next allocation of the slot), callers.
 *
 * Misuse (a free of what is not a live allocation: outside the heap, an
 * interior pointer, a double free) is detected in O(1) by kfree and
 * reported on stderr with the address and the error, then, by
 * BUDDY_MALLOC_ON_ERROR: abort (the default), report (and leak: nothing is
 * changed), or ignore. No stdio and no dlsym inside the allocator: the
 * report is written with write(2).
 *
 * Tenants (buddy/malloc.h): with BUDDY_MALLOC_MAX, _HIGH or _TENANTS set,
 * the kmalloc's classes account and the zones keep owners, and every
 * allocation is charged to the calling thread's tenant ("process" unless
 * it entered another), through its magazines and its stock. The fast path
 * is the one without tenancy, untouched: with tenancy a thread keeps its
 * magazines where that path does not look (tl_acct, not tl_cache), so
 * every call takes the slow path, which charges.
 */
#define _GNU_SOURCE
#include "buddy/hosted.h"
#include "buddy/malloc.h"
#include "buddy/slab.h"
#include "buddy/tenant.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define HAVE_SINGLE_THREADED 1
#endif
#endif
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* One reservation, two zones of HEAP_PAGES 4 KiB pages' worth each: the
 * heap's (slabs and blocks up to the kernel's MAX_PAGE_ORDER) and the
 * large one's (the blocks above, in pages of 2^LARGE_PAGE_SHIFT). */
#if UINTPTR_MAX > 0xffffffffu
#define HEAP_PAGES ((uint64_t)1 << 26) /* 256 GiB of address space a zone */
#define LARGE_MAX_ORDER 11u            /* blocks up to 4 GiB */
#else
#define HEAP_PAGES ((uint64_t)1 << 16) /* 256 MiB a zone on a 32-bit target */
#define LARGE_MAX_ORDER 7u
#endif
#define HEAP_MAX_ORDER 10u             /* blocks up to 4 MiB */
#define HEAP_PAGES_MIN ((uint64_t)1 << 13) /* 32 MiB a zone: the last try */
#define PAGE_SHIFT_ 12u
#define PAGE_SIZE_ (1u << PAGE_SHIFT_)
#define LARGE_PAGE_SHIFT 21u           /* the large zone's pages: 2 MiB */
#define BOOT_BYTES (256u * 1024u)
#define CALLOC_FRESH (128u * 1024u) /* glibc's default mmap threshold */

enum on_error { ON_ERROR_ABORT, ON_ERROR_REPORT, ON_ERROR_IGNORE };

/* kmalloc takes a lock for each class of both sets; the malloc makes no
 * reclaimable set, so a mutex per class serves (and fork takes each). */
#define NR_CLASS_LOCKS (2u * BUDDY_KMALLOC_CLASSES)
#define NR_CLASS_MUTEXES BUDDY_KMALLOC_CLASSES

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* A zone of the reservation and what its reporter needs. */
struct area {
    struct buddy_heap *heap;
    struct buddy_zone *zone;
    uintptr_t base;             /* the address of the zone's first pfn */
    buddy_pfn_t start;
    unsigned shift;             /* its page size's log */
};
static struct area areas[2];   /* [0] slabs and blocks up to 4 MiB, the
                                  kmalloc's zone; [1] the large blocks */
static unsigned nr_areas;
static struct buddy_kmalloc km;
static pthread_mutex_t class_mutex[NR_CLASS_MUTEXES];
static struct buddy_lock_ops class_lock[NR_CLASS_LOCKS];
/* The descriptor blocks every class shares (taken inside a class's). */
static pthread_mutex_t desc_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct buddy_lock_ops desc_lock;
static int ready;              /* heap and kmalloc made (written under
                                  lock; read without it: atomic) */
static int init_failed;
/* This thread is making them, holding the lock: its allocations meanwhile
 * (the heap's own) come from the bootstrap buffer. */
static __thread int tl_in_init __attribute__((tls_model("initial-exec")));

/* A thread's magazines, on the list of every thread's (under lock). */
struct tlink {
    struct tlink *next, *prev;
};
struct tcache {
    struct tlink link; /* first: a list entry is its tcache */
    struct buddy_tenant_stock stock; /* with tenancy */
    struct buddy_kmalloc_mags mags;
};

static struct tlink threads = {.next = &threads, .prev = &threads};
static pthread_key_t tcache_key;
static __thread struct tcache *tl_cache __attribute__((tls_model("initial-exec")));
/* The thread is making its magazines, or has flushed them at its end:
 * its calls go straight to kmalloc. */
static __thread int tl_no_cache __attribute__((tls_model("initial-exec")));
/* Tenancy: the group, its top tenant, and each thread's magazines (kept
 * here, tl_cache staying NULL) and tenant (0: the top). */
static struct buddy_tenants *tenants;
static unsigned process_tenant;
static uint64_t tenant_max = BUDDY_TENANT_UNLIMITED,
                tenant_high = BUDDY_TENANT_UNLIMITED; /* pages */
static unsigned tenant_capacity;               /* 0: tenancy off */
static pthread_mutex_t tenant_mutex = PTHREAD_MUTEX_INITIALIZER;
static __thread struct tcache *tl_acct
    __attribute__((tls_model("initial-exec")));
static __thread unsigned tl_tenant __attribute__((tls_model("initial-exec")));
static enum on_error on_error = ON_ERROR_ABORT;
static int stats_at_exit;
static int debug;              /* BUDDY_MALLOC_DEBUG=1: slub_debug's flags */
#define RETURN_SHIFT 21u       /* free blocks of 2 MiB and up go back: a
                                  pageblock of 4 KiB pages */
static long return_delay_ms = 100; /* -1: never */
/* When the noted free blocks go back (CLOCK_MONOTONIC_COARSE ns), 0: none
 * noted. Set by the zone's notify, cleared by the report. */
static uint64_t return_at;

/* ---- bootstrap: a bump allocator in a static buffer ------------------- */

static _Alignas(64) unsigned char boot[BOOT_BYTES];
static size_t boot_used;

static int in_boot(const void *p)
{
    return (const unsigned char *)p >= boot &&
           (const unsigned char *)p < boot + sizeof(boot);
}

/* Under lock. */
static void *boot_alloc(size_t size, size_t align)
{
    size_t at = (boot_used + align - 1) & ~(align - 1);

    if (at > sizeof(boot) || size > sizeof(boot) - at)
        return NULL;
    boot_used = at + size;
    return boot + at;
}

/* ---- reports ------------------------------------------------------------ */

static void put(const char *s)
{
    size_t n = strlen(s);

    while (n > 0) {
        ssize_t w = write(2, s, n);

        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void put_hex(uintptr_t v)
{
    char buf[2 + 2 * sizeof(v) + 1];
    int i = (int)sizeof(buf) - 1;

    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    } while (v != 0 && i > 2);
    buf[--i] = 'x';
    buf[--i] = '0';
    put(buf + i);
}

static void misuse(const char *fn, const void *p, int err)
{
    if (on_error == ON_ERROR_IGNORE)
        return;
    put("libbuddy-malloc: ");
    put(fn);
    put("(");
    put_hex((uintptr_t)p);
    put("): ");
    put(buddy_errname(err));
    put(": ");
    put(buddy_strerror(err));
    put("\n");
    if (on_error == ON_ERROR_ABORT)
        abort();
}

/* A class's report, in the debug mode: what a check found (a red zone or
 * poison overwritten), with the first wrong byte and the callers. A
 * finding at an allocation has no caller to return an error to, so the
 * policy applies here (a refused free's is misuse()'s). The class's lock
 * is held: only write(2). */
static void class_report(void *arg, const struct buddy_slab_report *r)
{
    (void)arg;
    if (on_error == ON_ERROR_IGNORE || r->err != BUDDY_ECORRUPT)
        return;
    put("libbuddy-malloc: ");
    put(r->cache);
    put(": ");
    put(r->what);
    put(" in ");
    put_hex((uintptr_t)r->obj);
    if (r->first_bad != NULL) {
        put(" at ");
        put_hex((uintptr_t)r->first_bad);
        put(": ");
        put_hex(r->found);
        put(" instead of ");
        put_hex(r->expected);
    }
    if (r->alloc_caller != 0) {
        put("; last allocated from ");
        put_hex(r->alloc_caller);
    }
    if (r->free_caller != 0) {
        put(", last freed from ");
        put_hex(r->free_caller);
    }
    put("\n");
    if (on_error == ON_ERROR_ABORT)
        abort();
}

/* ---- init --------------------------------------------------------------- */

static void mutex_lock(void *arg)
{
    pthread_mutex_lock(arg);
}

static void mutex_unlock(void *arg)
{
    pthread_mutex_unlock(arg);
}

/* Did atfork_prepare take the locks? Read by the handlers after fork,
 * on the forking thread, which wrote it. */
static int fork_held;

/* Is the process one thread, so that no other can be inside the
 * allocator while fork copies it? glibc's flag, which it sets false at
 * the first pthread_create; without it, assume not. */
static int one_thread(void)
{
#ifdef HAVE_SINGLE_THREADED
    return __libc_single_threaded != 0;
#else
    return 0;
#endif
}

/* Every lock, in the order they nest, so no other thread is inside the
 * allocator when fork copies it. A process of one thread has no other
 * thread to exclude, and takes none, as glibc's fork skips its malloc's
 * locks then: every lock written before and after fork is a page that
 * fork shares between parent and child, copied at the first write of
 * each (the locks of 33 classes, the zones' and the list's), paid on
 * every fork of a shell that runs a command. */
static void atfork_prepare(void)
{
    unsigned i;

    fork_held = !one_thread();
    if (!fork_held)
        return;
    pthread_mutex_lock(&lock);
    if (!ready)
        return;
    pthread_mutex_lock(&tenant_mutex);
    for (i = 0; i < NR_CLASS_MUTEXES; i++)
        pthread_mutex_lock(&class_mutex[i]);
    pthread_mutex_lock(&desc_mutex);
    for (i = 0; i < nr_areas; i++)
        buddy_heap_lock(areas[i].heap);
}

static void fork_unlock(void)
{
    unsigned i;

    if (ready) {
        for (i = nr_areas; i-- > 0;)
            buddy_heap_unlock(areas[i].heap);
        pthread_mutex_unlock(&desc_mutex);
        for (i = NR_CLASS_MUTEXES; i-- > 0;)
            pthread_mutex_unlock(&class_mutex[i]);
        pthread_mutex_unlock(&tenant_mutex);
    }
    pthread_mutex_unlock(&lock);
}

static void atfork_parent(void)
{
    if (fork_held)
        fork_unlock();
}

/* The child has one thread: the other threads' magazines are nobody's
 * now. Their objects are left allocated (as glibc leaves other threads'
 * tcaches): a magazine's push and pop take no lock, so fork may have
 * caught one half done, and flushing it could free a slot that was never
 * written. Their structs go back. A parent of one thread had no other
 * threads' magazines (a thread's exit takes its own off the list). */
static void atfork_child(void)
{
    struct tlink *l, *next;

    if (!fork_held)
        return;
    fork_unlock();
    if (!ready)
        return;
    pthread_mutex_lock(&lock);
    for (l = threads.next; l != &threads; l = next) {
        next = l->next;
        if (l == &tl_cache->link || (tl_acct != NULL && l == &tl_acct->link))
            continue;
        l->prev->next = l->next;
        l->next->prev = l->prev;
        (void)buddy_kfree(&km, l);
    }
    pthread_mutex_unlock(&lock);
}

/* A thread ends: its magazines flushed and freed, and from here on (the
 * destructors of other keys may still allocate) its calls go straight. */
static void tcache_exit(void *arg)
{
    struct tcache *tc = arg;

    tl_no_cache = 1;
    tl_cache = NULL;
    tl_acct = NULL;
    (void)buddy_kmalloc_mags_flush(&km, &tc->mags);
    if (tenants != NULL)
        buddy_tenant_stock_drain(tenants, &tc->stock);
    pthread_mutex_lock(&lock);
    tc->link.prev->next = tc->link.next;
    tc->link.next->prev = tc->link.prev;
    pthread_mutex_unlock(&lock);
    (void)buddy_kfree(&km, tc);
}

/* The calling thread's magazines, made now; NULL while it cannot have
 * them (making them, ending, or out of memory: it goes straight). */
static struct tcache *tcache_make(void)
{
    struct tcache *tc;

    if (tl_no_cache)
        return NULL;
    tl_no_cache = 1; /* what pthread_setspecific allocates goes straight */
    /* Whole pages of a large block: given back to the kernel rather than
     * cleared, they read as zeros (empty magazines) and only those of the
     * classes the thread uses become resident. */
    tc = buddy_kmalloc(&km, sizeof(*tc), 0);
    if (tc == NULL)
        return NULL;
    if (((uintptr_t)tc & (PAGE_SIZE_ - 1u)) != 0 ||
        madvise(tc, buddy_ksize(&km, tc), MADV_DONTNEED) != 0)
        memset(tc, 0, sizeof(*tc));
    if (pthread_setspecific(tcache_key, tc) != 0) {
        (void)buddy_kfree(&km, tc);
        return NULL;
    }
    pthread_mutex_lock(&lock);
    tc->link.next = threads.next;
    tc->link.prev = &threads;
    threads.next->prev = &tc->link;
    threads.next = &tc->link;
    pthread_mutex_unlock(&lock);
    tl_no_cache = 0;
    if (tenants != NULL)
        tl_acct = tc; /* where the fast path does not look */
    else
        tl_cache = tc;
    return tc;
}

/* Each tenant's memory.current, .peak, .max, .events and .stat, as
 * cgroup v2's files, under a line naming it. */
static void print_tenants(char *buf, size_t size)
{
    unsigned id;

    for (id = buddy_tenant_next(tenants, 0); id != 0;
         id = buddy_tenant_next(tenants, id)) {
        struct buddy_tenant_info ti;

        if (buddy_tenant_get_info(tenants, id, &ti) != 0)
            continue;
        put("tenant ");
        put(ti.name);
        put(":\nmemory.current ");
        (void)buddy_tenant_memory_current(tenants, id, buf, size);
        put(buf);
        put("memory.peak ");
        (void)buddy_tenant_memory_peak(tenants, id, buf, size);
        put(buf);
        put("memory.max ");
        (void)buddy_tenant_memory_max(tenants, id, buf, size);
        put(buf);
        put("memory.events:\n");
        (void)buddy_tenant_memory_events(tenants, id, buf, size);
        put(buf);
        put("memory.stat:\n");
        (void)buddy_tenant_memory_stat(tenants, id, buf, size);
        put(buf);
    }
}

static void print_stats(void)
{
    static char buf[16384];
    unsigned i;

    pthread_mutex_lock(&lock);
    if (ready) {
        for (i = 0; i < nr_areas; i++) {
            (void)buddy_zone_buddyinfo(areas[i].zone, buf, sizeof(buf));
            put(buf);
        }
        for (i = 0; i < nr_areas; i++) {
            (void)buddy_zone_pagetypeinfo(areas[i].zone, buf, sizeof(buf));
            put(buf);
        }
        buddy_kmalloc_slabinfo(&km, buf, sizeof(buf));
        put(buf);
        if (tenants != NULL)
            print_tenants(buf, sizeof(buf));
    }
    pthread_mutex_unlock(&lock);
}

/* ---- giving memory back --------------------------------------------------- */

/* The coarse clock: a read of the vDSO's last tick, no counter read; its
 * few milliseconds of resolution are nothing against the delay. */
static uint64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A zone's reporter: free blocks to the kernel. Zone lock held. */
static void return_blocks(void *arg, const struct buddy_free_range *r,
                          unsigned n)
{
    const struct area *a = arg;
    unsigned i;

    for (i = 0; i < n; i++)
        (void)madvise((void *)(a->base + ((uintptr_t)(r[i].pfn - a->start)
                                          << a->shift)),
                      (size_t)1 << (a->shift + r[i].order), MADV_DONTNEED);
}

/* Every zone's noted blocks that are still free, to the kernel. */
static int report_all(void)
{
    unsigned i;
    int any = 0;

    for (i = 0; i < nr_areas; i++)
        any |= buddy_zone_report_free(areas[i].zone) != 0;
    return any;
}

/* A first block noted since the last report: the clock starts. */
static void return_due(void *arg)
{
    uint64_t at = now_ns() + (uint64_t)return_delay_ms * 1000000u;

    (void)arg;
    __atomic_store_n(&return_at, at != 0 ? at : 1, __ATOMIC_RELAXED);
}

static __thread unsigned tl_calls __attribute__((tls_model("initial-exec")));

/* While blocks wait, a thread reads the clock on one call in 64; when
 * the delay is over, one thread reports. */
static __attribute__((noinline)) void return_waiting(uint64_t at)
{
    if ((++tl_calls & 63u) != 0 || now_ns() < at ||
        !__atomic_compare_exchange_n(&return_at, &at, 0, 0, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return;
    (void)report_all();
}

/* On a malloc or free: one load and compare while nothing waits. */
static inline __attribute__((always_inline)) void maybe_return(void)
{
    uint64_t at = __atomic_load_n(&return_at, __ATOMIC_RELAXED);

    if (unlikely(at != 0))
        return_waiting(at);
}

/* A limit from the environment: bytes, with an optional k, m or g,
 * rounded up to pages into *pages; anything else is reported and
 * ignored. */
static void tenant_env(const char *name, uint64_t *pages)
{
    const char *e = getenv(name);
    unsigned long long v;
    unsigned shift = 0;
    char *end;

    if (e == NULL)
        return;
    v = strtoull(e, &end, 10);
    if (end != e && (*end == 'k' || *end == 'K'))
        shift = 10, end++;
    else if (end != e && (*end == 'm' || *end == 'M'))
        shift = 20, end++;
    else if (end != e && (*end == 'g' || *end == 'G'))
        shift = 30, end++;
    if (end == e || *end != '\0' || e[0] == '-' || v == 0 ||
        v > (UINT64_MAX >> shift) >> 1) {
        put("libbuddy-malloc: ");
        put(name);
        put(" must be a number of bytes (k, m or g after it); ignored\n");
        return;
    }
    v <<= shift;
    *pages = (v + PAGE_SIZE_ - 1u) >> PAGE_SHIFT_;
}

static void read_env(void)
{
    const char *e = getenv("BUDDY_MALLOC_ON_ERROR");

    if (e != NULL) {
        if (strcmp(e, "report") == 0)
            on_error = ON_ERROR_REPORT;
        else if (strcmp(e, "ignore") == 0)
            on_error = ON_ERROR_IGNORE;
        else if (strcmp(e, "abort") != 0)
            put("libbuddy-malloc: BUDDY_MALLOC_ON_ERROR must be abort, "
                "report or ignore; using abort\n");
    }
    e = getenv("BUDDY_MALLOC_STATS");
    stats_at_exit = e != NULL && strcmp(e, "1") == 0;
    e = getenv("BUDDY_MALLOC_DEBUG");
    debug = e != NULL && strcmp(e, "1") == 0;
    tenant_env("BUDDY_MALLOC_MAX", &tenant_max);
    tenant_env("BUDDY_MALLOC_HIGH", &tenant_high);
    e = getenv("BUDDY_MALLOC_TENANTS");
    if (e != NULL) {
        char *end;
        long v = strtol(e, &end, 10);

        if (*e != '\0' && *end == '\0' && v >= 2 && v <= BUDDY_TENANT_MAX)
            tenant_capacity = (unsigned)v;
        else
            put("libbuddy-malloc: BUDDY_MALLOC_TENANTS must be 2..255; "
                "ignored\n");
    }
    if (tenant_capacity == 0 && (tenant_max != BUDDY_TENANT_UNLIMITED ||
                                 tenant_high != BUDDY_TENANT_UNLIMITED))
        tenant_capacity = 16;
    e = getenv("BUDDY_MALLOC_RETURN_DELAY_MS");
    if (e != NULL) {
        char *end;
        long v = strtol(e, &end, 10);

        if (strcmp(e, "never") == 0)
            return_delay_ms = -1;
        else if (*e != '\0' && *end == '\0' && v >= 0 && v <= 3600000)
            return_delay_ms = v;
        else
            put("libbuddy-malloc: BUDDY_MALLOC_RETURN_DELAY_MS must be "
                "0..3600000 or never; using 100\n");
    }
}

static void *map_noreserve(size_t len)
{
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    return m != MAP_FAILED ? m : NULL;
}

/* One reservation for both zones' memory, halved until the address space
 * has room (ulimit -v, valgrind, a 32-bit process): its address, with
 * *pages a zone's pages, or NULL. Each half is aligned to its own size
 * where the room allows (a mapping of one half more, trimmed), so that a
 * zone's pfns (its address over the page size) start aligned to the span:
 * the core then marks the span outside its free blocks with one hole, not
 * one per alignment step, each on a page of its own. Where it does not, the
 * same size unaligned comes before a smaller one: a limited address space
 * keeps the larger zones and pays those pages. */
static void *reserve(uint64_t *pages)
{
    for (;;) {
        size_t len = (size_t)(2u * *pages * PAGE_SIZE_);
        size_t align = len / 2;
        void *m = map_noreserve(len + align);

        if (m != NULL) {
            uintptr_t at = ((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1);

            if (at != (uintptr_t)m)
                (void)munmap(m, at - (uintptr_t)m);
            if ((uintptr_t)m + align != at)
                (void)munmap((void *)(at + len), (uintptr_t)m + align - at);
            return (void *)at;
        }
        m = map_noreserve(len);
        if (m != NULL)
            return m;
        if (*pages <= HEAP_PAGES_MIN)
            return NULL;
        *pages /= 2;
    }
}

/* Make zone i on the len bytes at mem, in pages of 2^shift bytes from
 * mem rounded up to one, its blocks up to max_order, and set its
 * reporter: 0, or -1. */
static int area_make(unsigned i, unsigned char *mem, size_t len,
                     unsigned shift, unsigned max_order, const char *name)
{
    struct buddy_heap_options o = BUDDY_HEAP_OPTIONS_INIT;
    struct area *a = &areas[i];
    struct buddy_zone_info zi;
    size_t skip = (size_t)(-(uintptr_t)mem & (((uintptr_t)1 << shift) - 1u));

    if (skip >= len || ((len - skip) >> shift) == 0)
        return -1;
    o.page_size = (size_t)1 << shift;
    o.with_memory = 1;
    o.memory = mem + skip;
    o.nr_pages = (len - skip) >> shift;
    o.max_order = max_order;
    while (((uint64_t)1 << o.max_order) > o.nr_pages)
        o.max_order--;
    o.cache = BUDDY_CACHE_NONE; /* the magazines are the caches */
    o.name = name;
    o.tenants = tenants; /* with tenancy, the zone keeps owners */
    if (buddy_heap_create(&o, &a->heap) != 0)
        return -1;
    a->zone = buddy_heap_zone(a->heap);
    if (buddy_zone_get_info(a->zone, &zi) != 0)
        return -1;
    a->start = zi.start_pfn;
    a->base = (uintptr_t)buddy_zone_pfn_to_addr(a->zone, zi.start_pfn);
    a->shift = shift;
    if (return_delay_ms >= 0) {
        struct buddy_free_reporter r = {
            RETURN_SHIFT > shift ? RETURN_SHIFT - shift : 0, return_blocks,
            return_due, a};

        if (r.min_order > o.max_order)
            r.min_order = o.max_order;
        if (a->base == 0 || buddy_zone_set_free_reporter(a->zone, &r) != 0)
            return_delay_ms = -1; /* nothing noted, nothing returned */
    }
    return 0;
}

/* With tenancy, the group (in a mapping of its own) and its top tenant,
 * "process", with the environment's limits: 0, or -1 (tenancy stays off
 * and the limits are reported as not kept). */
static int tenants_make(void)
{
    static struct buddy_lock_ops ops;
    struct buddy_tenants_config cfg = BUDDY_TENANTS_CONFIG_INIT;
    size_t n;
    void *buf;

    ops.lock = mutex_lock;
    ops.unlock = mutex_unlock;
    ops.arg = &tenant_mutex;
    cfg.capacity = tenant_capacity;
    cfg.page_size = PAGE_SIZE_;
    cfg.lock = &ops;
    n = buddy_tenants_size(&cfg);
    buf = n != 0 ? map_noreserve(n) : NULL;
    if (buf == NULL || buddy_tenants_init(buf, n, &cfg, &tenants) != 0 ||
        buddy_tenant_create(tenants, BUDDY_TENANT_NONE, "process",
                            &process_tenant) != 0 ||
        buddy_tenant_set_max(tenants, process_tenant, tenant_max) != 0 ||
        buddy_tenant_set_high(tenants, process_tenant, tenant_high) != 0) {
        put("libbuddy-malloc: no tenants could be made; the limits are "
            "not kept\n");
        tenants = NULL;
        process_tenant = 0;
        return -1;
    }
    return 0;
}

/* Make the heap's zones and kmalloc. Lock held; the heap's own allocations
 * come back into malloc on this thread, which serves them from the
 * bootstrap buffer without taking the lock again (tl_in_init). */
static int init_locked(void)
{
    struct buddy_kmalloc_config kc = {0};
    uint64_t pages = HEAP_PAGES;
    unsigned char *mem;
    unsigned i;

    if (ready || init_failed)
        return ready ? 0 : -1;
    tl_in_init = 1;
    read_env();
    if (tenant_capacity != 0)
        (void)tenants_make();
    mem = reserve(&pages);
    if (mem == NULL ||
        area_make(0, mem, (size_t)pages * PAGE_SIZE_, PAGE_SHIFT_,
                  HEAP_MAX_ORDER, "Malloc") != 0) {
        if (mem != NULL)
            (void)munmap(mem, (size_t)(2u * pages * PAGE_SIZE_));
        tl_in_init = 0;
        init_failed = 1;
        return -1;
    }
    nr_areas = 1;
    /* Without it, what only the large zone holds fails (ENOMEM). */
    if (area_make(1, mem + (size_t)pages * PAGE_SIZE_,
                  (size_t)pages * PAGE_SIZE_, LARGE_PAGE_SHIFT,
                  LARGE_MAX_ORDER, "Large") == 0)
        nr_areas = 2;
    for (i = 0; i < NR_CLASS_MUTEXES; i++)
        pthread_mutex_init(&class_mutex[i], NULL);
    for (i = 0; i < NR_CLASS_LOCKS; i++) {
        class_lock[i].lock = mutex_lock;
        class_lock[i].unlock = mutex_unlock;
        class_lock[i].arg = &class_mutex[i % NR_CLASS_MUTEXES];
    }
    desc_lock.lock = mutex_lock;
    desc_lock.unlock = mutex_unlock;
    desc_lock.arg = &desc_mutex;
    kc.class_locks = class_lock;
    kc.desc_lock = &desc_lock;
    kc.fine = true; /* a malloc's spacing of classes */
    kc.min_align = 16;     /* glibc's: no kmalloc-8 */
    kc.zero_object = true; /* malloc(0): a unique pointer */
    kc.no_reclaimable = true; /* no call asks for it */
    kc.zone = areas[0].zone;
    kc.large_zone = nr_areas > 1 ? areas[1].zone : NULL;
    kc.nr_cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    kc.tenants = tenants;
    if (debug) /* red zones, poison, callers, checks on every free */
        kc.debug_flags = BUDDY_SLAB_DEBUG_ALL;
    if (buddy_kmalloc_init(&km, &kc) != 0) {
        tl_in_init = 0;
        init_failed = 1;
        return -1;
    }
    if (pthread_key_create(&tcache_key, tcache_exit) != 0) {
        tl_in_init = 0;
        init_failed = 1;
        return -1;
    }
    if (debug)
        for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++) {
            struct buddy_slab_cache *c = buddy_kmalloc_cache(&km, 0, i);

            if (c != NULL)
                (void)buddy_slab_set_report(c, class_report, NULL);
        }
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    if (stats_at_exit)
        atexit(print_stats);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    tl_in_init = 0;
    return 0;
}

/* ---- the entry points --------------------------------------------------- */

/* The heap and kmalloc, made on the first call: 0, or -1 (no memory). */
static int ensure_ready(void)
{
    int err;

    if (likely(__atomic_load_n(&ready, __ATOMIC_ACQUIRE)))
        return 0;
    pthread_mutex_lock(&lock);
    err = init_locked();
    pthread_mutex_unlock(&lock);
    return err;
}

/* Allocate size bytes aligned to align (a power of two), through the
 * thread's magazines when it has them. The kmalloc has no class below 16
 * (min_align) and gives size 0 one of those (zero_object), so 0 to 16
 * bytes take kmalloc-16 with no compare here: glibc aligns every
 * allocation to 16 bytes, and malloc(0) is a unique pointer. Inlined, so
 * that malloc's constant align drops the alignment branch. */
static inline __attribute__((always_inline)) void *
alloc_sized(struct tcache *tc, size_t size, size_t align)
{
    if (align > 16) {
        /* A power-of-two class or block of at least align is aligned to
         * its size: ask for the power of two above both. */
        size_t want = size > align ? size : align;

        if (want > ((size_t)1 << (sizeof(size_t) * 8 - 2)))
            return NULL;
        size = (size_t)1 << (64 - __builtin_clzll((unsigned long long)want - 1));
        if (size < want)
            return NULL;
    }
    return tc != NULL ? buddy_kmalloc_mag(&km, &tc->mags, size, 0)
                      : buddy_kmalloc(&km, size, 0);
}

/* With tenancy: size bytes aligned to align charged to the thread's
 * tenant, through its magazines and stock when it has them. */
static void *alloc_charged(size_t size, size_t align)
{
    struct tcache *tc = tl_acct != NULL ? tl_acct : tcache_make();
    void *p;

    if (align > 16) { /* as alloc_sized */
        size_t want = size > align ? size : align;

        if (want > ((size_t)1 << (sizeof(size_t) * 8 - 2)))
            return NULL;
        size = (size_t)1
               << (64 - __builtin_clzll((unsigned long long)want - 1));
    }
    if (buddy_kmalloc_tenant(&km, tc != NULL ? &tc->mags : NULL, size, 0,
                             tc != NULL ? &tc->stock : NULL,
                             tl_tenant != 0 ? tl_tenant : process_tenant,
                             &p) != 0)
        return NULL;
    return p;
}

/* The first call of the process or of a thread, one during init, or,
 * with tenancy, every call. */
static __attribute__((noinline)) void *alloc_slow(size_t size, size_t align)
{
    void *p;

    if (tl_in_init) { /* the heap's own, during init: the lock is ours */
        p = boot_alloc(size != 0 ? size : 1, align < 16 ? 16 : align);
    } else if (ensure_ready() != 0) {
        p = NULL;
    } else if (tenants != NULL) {
        maybe_return();
        p = alloc_charged(size, align);
    } else {
        p = alloc_sized(tcache_make(), size, align);
    }
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

/* Out of memory: errno set, NULL. Out of line, so that the caller keeps
 * nothing across a call of its own. */
static __attribute__((noinline, cold)) void *alloc_failed(void)
{
    errno = ENOMEM;
    return NULL;
}

/* A call with magazines while freed blocks wait to go back: the check,
 * then the allocation. Out of line, as alloc_failed. */
static __attribute__((noinline)) void *alloc_waiting(size_t size,
                                                     size_t align,
                                                     uint64_t at)
{
    void *p;

    return_waiting(at);
    p = alloc_sized(tl_cache, size, align);
    return p != NULL ? p : alloc_failed();
}

/* A malloc-family call: with magazines, one TLS load and compare, the
 * return check, then kmalloc's table load and the magazine's pop; no
 * register kept across a call. Inlined into each entry point, so that
 * malloc's align of 16 is a constant. */
static inline __attribute__((always_inline)) void *alloc(size_t size,
                                                         size_t align)
{
    struct tcache *tc = tl_cache;
    uint64_t at;
    void *p;

    if (unlikely(tc == NULL))
        return alloc_slow(size, align);
    at = __atomic_load_n(&return_at, __ATOMIC_RELAXED);
    if (unlikely(at != 0))
        return alloc_waiting(size, align, at);
    p = alloc_sized(tc, size, align);
    if (unlikely(p == NULL))
        return alloc_failed();
    return p;
}

EXPORT void *malloc(size_t size)
{
    return alloc(size, 16);
}

/* A free the kmalloc refused: reported, errno kept (nothing else here
 * sets it). */
static __attribute__((noinline)) void free_refused(void *p, int err)
{
    int saved = errno;

    misuse("free", p, err);
    errno = saved;
}

/* A free by a thread without magazines, during init, or with tenancy. */
static __attribute__((noinline)) void free_slow(void *p)
{
    int err;

    if (p == NULL || in_boot(p) || tl_in_init)
        return;
    err = !__atomic_load_n(&ready, __ATOMIC_ACQUIRE) ? BUDDY_ERANGE
          : tl_acct != NULL ? buddy_kfree_mag(&km, &tl_acct->mags, p)
                            : buddy_kfree(&km, p);
    if (unlikely(err != 0))
        free_refused(p, err);
    maybe_return();
}

/* A free the quick way did not take (the boot buffer's, which is no
 * object of the heap, a large block, a refusal): kfree's way through the
 * magazines, which judges it. */
static __attribute__((noinline)) void free_checked(struct tcache *tc, void *p)
{
    int err;

    if (in_boot(p))
        return;
    err = buddy_kfree_mag(&km, &tc->mags, p);
    if (unlikely(err != 0))
        free_refused(p, err);
    maybe_return();
}

/* A thread with magazines is past init (init makes none). A small object
 * takes the quick push, which calls nothing, so this keeps no register
 * across a call; whatever it leaves, the boot buffer's too (outside the
 * heap, never quick), goes the checked way. */
EXPORT void free(void *p)
{
    struct tcache *tc = tl_cache;

    if (likely(tc != NULL) && likely(p != NULL)) {
        if (unlikely(buddy_kfree_mag_quick(&km, &tc->mags, p) != 0)) {
            free_checked(tc, p);
            return;
        }
        maybe_return();
        return;
    }
    free_slow(p);
}

static size_t usable(const void *p);

EXPORT void *calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    p = alloc(n * size, 16);
    if (p == NULL)
        return NULL;
    /* A block of CALLOC_FRESH or more is whole pages of the zone, all the
     * caller's: handed back to the kernel, it reads as zeros and stays
     * out of the resident set until written, as glibc's mmapped chunks.
     * A program that fills it pays a fault per page instead of the
     * memset; one that leaves most of it untouched (a sparse table) pays
     * nothing for that part. */
    if (n * size >= CALLOC_FRESH && !in_boot(p) &&
        ((uintptr_t)p & (PAGE_SIZE_ - 1u)) == 0 &&
        madvise(p, usable(p), MADV_DONTNEED) == 0)
        return p;
    memset(p, 0, n * size);
    return p;
}

/* The usable size of p (0 for NULL or what is not a live allocation). */
static size_t usable(const void *p)
{
    if (p == NULL)
        return 0;
    if (in_boot(p))
        return (size_t)(boot + sizeof(boot) - (const unsigned char *)p);
    return __atomic_load_n(&ready, __ATOMIC_ACQUIRE) ? buddy_ksize(&km, p) : 0;
}

EXPORT size_t malloc_usable_size(void *p)
{
    return usable(p);
}

EXPORT void *realloc(void *p, size_t size)
{
    size_t old;
    void *q;

    if (p == NULL)
        return malloc(size);
    if (size == 0) { /* glibc: free it, return NULL */
        free(p);
        return NULL;
    }
    old = usable(p);
    if (old == 0) {
        misuse("realloc", p, BUDDY_ENOTSLAB);
        errno = ENOMEM;
        return NULL;
    }
    if (size <= old && !in_boot(p) && size > old / 2)
        return p; /* fits, and not so much smaller that it wastes half */
    /* A large block to a large size: in place when its buddies are free
     * (a growth) or always (a shrink, its tail given back), as glibc
     * grows a chunk into the free space after it. A doubling chain then
     * copies nothing and leaves no moved-from blocks behind. */
    if (old > BUDDY_KMALLOC_MAX_CACHE_SIZE &&
        size > BUDDY_KMALLOC_MAX_CACHE_SIZE && !in_boot(p) &&
        buddy_kresize(&km, p, size) == 0)
        return p;
    q = malloc(size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, size < old ? size : old);
    free(p);
    return q;
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n * size);
}

static int pow2(size_t a)
{
    return a != 0 && (a & (a - 1)) == 0;
}

EXPORT void *memalign(size_t align, size_t size)
{
    if (!pow2(align)) { /* glibc rounds it up to a power of two */
        size_t a = 1;

        while (a < align && a != 0)
            a <<= 1;
        if (a == 0) {
            errno = EINVAL;
            return NULL;
        }
        align = a;
    }
    return alloc(size, align);
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (!pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    return alloc(size, align);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    void *p;
    int saved = errno;

    if (!pow2(align) || align % sizeof(void *) != 0)
        return EINVAL;
    p = alloc(size, align);
    if (p == NULL) {
        errno = saved;
        return ENOMEM;
    }
    *out = p;
    return 0;
}

EXPORT void *valloc(size_t size)
{
    return alloc(size, PAGE_SIZE_);
}

EXPORT void *pvalloc(size_t size)
{
    size_t up = (size + PAGE_SIZE_ - 1) & ~(size_t)(PAGE_SIZE_ - 1);

    if (up < size) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc(up != 0 ? up : PAGE_SIZE_, PAGE_SIZE_);
}

EXPORT int malloc_trim(size_t pad)
{
    uint64_t pages = 0;
    unsigned i;

    (void)pad;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        return 0;
    if (tl_cache != NULL) /* this thread's; others keep theirs */
        (void)buddy_kmalloc_mags_flush(&km, &tl_cache->mags);
    /* The normal set's classes: the malloc makes no reclaimable set. */
    for (i = 0; i < BUDDY_KMALLOC_CLASSES; i++)
        pages += buddy_slab_shrink(buddy_kmalloc_cache(&km, 0, i));
    __atomic_store_n(&return_at, 0, __ATOMIC_RELAXED);
    return (pages != 0) | report_all();
}

EXPORT struct mallinfo2 mallinfo2(void)
{
    struct mallinfo2 mi;
    struct buddy_zone_stats st;
    unsigned i;

    memset(&mi, 0, sizeof(mi));
    if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        for (i = 0; i < nr_areas; i++)
            if (buddy_zone_get_stats(areas[i].zone, &st) == 0) {
                mi.arena += (size_t)(st.spanned_pages << areas[i].shift);
                mi.fordblks += (size_t)(st.free_pages << areas[i].shift);
            }
    mi.uordblks = mi.arena - mi.fordblks;
    return mi;
}

EXPORT struct mallinfo mallinfo(void)
{
    struct mallinfo2 m2 = mallinfo2();
    struct mallinfo mi;

    memset(&mi, 0, sizeof(mi));
    mi.arena = (int)m2.arena;
    mi.fordblks = (int)m2.fordblks;
    mi.uordblks = (int)m2.uordblks;
    return mi;
}

EXPORT int mallopt(int param, int value)
{
    (void)param;
    (void)value;
    return 0; /* no tunable is taken */
}

EXPORT void malloc_stats(void)
{
    print_stats();
}

/* glibc's internal names, which some programs call directly. */
EXPORT void *__libc_malloc(size_t size);
EXPORT void __libc_free(void *p);
EXPORT void *__libc_calloc(size_t n, size_t size);
EXPORT void *__libc_realloc(void *p, size_t size);
EXPORT void *__libc_memalign(size_t align, size_t size);
EXPORT void *__libc_valloc(size_t size);
EXPORT void *__libc_pvalloc(size_t size);

void *__libc_malloc(size_t size)
{
    return malloc(size);
}

void __libc_free(void *p)
{
    free(p);
}

void *__libc_calloc(size_t n, size_t size)
{
    return calloc(n, size);
}

void *__libc_realloc(void *p, size_t size)
{
    return realloc(p, size);
}

void *__libc_memalign(size_t align, size_t size)
{
    return memalign(align, size);
}

void *__libc_valloc(size_t size)
{
    return valloc(size);
}

void *__libc_pvalloc(size_t size)
{
    return pvalloc(size);
}

/* ---- tenants (buddy/malloc.h) ------------------------------------------ */

EXPORT struct buddy_tenants *buddy_malloc_tenants(void)
{
    return ensure_ready() == 0 ? tenants : NULL;
}

EXPORT unsigned buddy_malloc_process_tenant(void)
{
    return ensure_ready() == 0 ? process_tenant : 0;
}

/* The thread's stock back to its tenants: what entering or leaving a
 * tenant leaves behind is no one's to hold. */
static void stock_return(void)
{
    if (tl_acct != NULL)
        buddy_tenant_stock_drain(tenants, &tl_acct->stock);
}

EXPORT int buddy_tenant_enter(unsigned id, unsigned *prev)
{
    struct buddy_tenant_info ti;

    if (ensure_ready() != 0 || tenants == NULL)
        return BUDDY_ENOTSUP;
    if (buddy_tenant_get_info(tenants, id, &ti) != 0)
        return BUDDY_ENOTENANT;
    if (prev != NULL)
        *prev = tl_tenant != 0 ? tl_tenant : process_tenant;
    stock_return();
    tl_tenant = id;
    return 0;
}

EXPORT int buddy_tenant_leave(unsigned prev)
{
    struct buddy_tenant_info ti;

    if (ensure_ready() != 0 || tenants == NULL)
        return BUDDY_ENOTSUP;
    if (prev == 0)
        prev = process_tenant;
    if (buddy_tenant_get_info(tenants, prev, &ti) != 0)
        return BUDDY_ENOTENANT;
    stock_return();
    tl_tenant = prev;
    return 0;
}
