/* SPDX-License-Identifier: MIT */
/*
 * prim.c: POSIX/Linux implementations of prim.h.
 *
 * The spinlock spins on a plain load (so waiting CPUs share the line instead
 * of bouncing it), pauses between tries, and yields to the scheduler after a
 * while, since a preempted holder cannot release the lock while we spin
 * (this matters on small machines with more threads than CPUs). The
 * adaptive lock spins the same way for a while and then sleeps on a futex.
 */
#define _GNU_SOURCE
#include "prim.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#endif

void *buddy__prim_map(size_t size, size_t align)
{
    size_t page = buddy__prim_page_size();
    size_t span;
    uintptr_t start, aligned;
    char *p;

    /* Whole pages, as the kernel maps them: the trim below unmaps from
     * page boundaries only (a length ending inside a page would leave the
     * tail mapped, unmap refusing an unaligned start). */
    if (size > SIZE_MAX - (page - 1u))
        return NULL;
    size = (size + page - 1u) & ~(page - 1u);
    if (align <= page) { /* every mapping starts on a page: no trim */
        p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        return p != MAP_FAILED ? p : NULL;
    }
    span = size + align;
    if (span < size)
        return NULL;
    p = mmap(NULL, span, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Trim the mapping to the aligned part. */
    start = (uintptr_t)p;
    aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
    if (aligned > start)
        munmap(p, aligned - start);
    if (aligned + size < start + span)
        munmap((void *)(aligned + size), start + span - aligned - size);
    return (void *)aligned;
}

void buddy__prim_unmap(void *p, size_t size)
{
    if (p != NULL)
        munmap(p, size);
}

/* "Hugepagesize:" of /proc/meminfo, read once with plain system calls (no
 * stdio, so the hosted layer can serve a malloc). */
size_t buddy__prim_huge_page_size(void)
{
    static size_t cached = (size_t)-1;
    size_t size = 0;
#if defined(__linux__)
    char buf[4096];
    const char *key = "Hugepagesize:";
    ssize_t n;
    int fd;

    if (__atomic_load_n(&cached, __ATOMIC_RELAXED) != (size_t)-1)
        return cached;
    fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n > 0) {
            char *p;

            buf[n] = '\0';
            p = strstr(buf, key);
            if (p != NULL) {
                size_t kib = 0;

                for (p += strlen(key); *p == ' '; p++)
                    ;
                for (; *p >= '0' && *p <= '9' && kib < SIZE_MAX / 10240; p++)
                    kib = kib * 10 + (size_t)(*p - '0');
                size = kib * 1024;
            }
        }
    }
    if (size != 0 && (size & (size - 1)) != 0)
        size = 0; /* not a power of two: not one we align to */
#endif
    __atomic_store_n(&cached, size, __ATOMIC_RELAXED);
    return size;
}

size_t buddy__prim_page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);

    return n > 0 ? (size_t)n : 4096u;
}

void *buddy__prim_map_memory(size_t size, size_t align, unsigned flags,
                             size_t *mapped)
{
    void *p;

#if defined(__linux__) && defined(MAP_HUGETLB)
    if (flags & BUDDY__MAP_HUGETLB) {
        /* Reserved at map time (no MAP_NORESERVE: a fault on an empty pool
         * would be SIGBUS), aligned to the huge page by the kernel. The
         * size rounds up to whole huge pages. */
        size_t huge = buddy__prim_huge_page_size();
        size_t span;

        if (huge == 0 || size > SIZE_MAX - huge)
            return NULL;
        span = (size + huge - 1) & ~(huge - 1);
        p = mmap(NULL, span, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        *mapped = span;
        return p;
    }
#else
    if (flags & BUDDY__MAP_HUGETLB)
        return NULL;
#endif
    if (flags & BUDDY__MAP_THP) {
        /* A huge page needs an aligned huge-page-sized run. */
        size_t huge = buddy__prim_huge_page_size();

        if (huge > align)
            align = huge;
    }
    p = buddy__prim_map(size, align);
    if (p == NULL)
        return NULL;
    *mapped = size;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Advice: a kernel without THP (or with it off) maps base pages. */
    if (flags & BUDDY__MAP_THP)
        (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

int buddy__prim_populate(void *p, size_t size)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    if (madvise(p, size, MADV_POPULATE_WRITE) == 0)
        return 0;
    return errno == EINVAL ? -1 : -2;
#else
    (void)p;
    (void)size;
    return -1;
#endif
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void buddy__spin_lock(void *spin)
{
    int *held = &((struct buddy__spin *)spin)->held;

    for (;;) {
        unsigned tries;

        if (!__atomic_exchange_n(held, 1, __ATOMIC_ACQUIRE))
            return;
        for (tries = 0; __atomic_load_n(held, __ATOMIC_RELAXED); tries++) {
            if (tries < 64)
                cpu_relax();
            else
                sched_yield();
        }
    }
}

void buddy__spin_unlock(void *spin)
{
    __atomic_store_n(&((struct buddy__spin *)spin)->held, 0, __ATOMIC_RELEASE);
}

/*
 * The adaptive lock: a compare-and-swap when free; while held, spin on a
 * plain load for up to PARK_SPINS pauses (a zone lock is held for a list
 * operation or a batch, far less than a sleep and a wake-up cost); then mark
 * the lock contended (2) and sleep on the futex until an unlock that saw the
 * mark wakes one sleeper. The three states are Drepper's ("Futexes Are
 * Tricky", mutex 3): an unlock makes a system call only when someone may be
 * asleep.
 */
#define PARK_SPINS 256

static void park_wait(uint32_t *state)
{
#if defined(__linux__)
    syscall(SYS_futex, state, FUTEX_WAIT_PRIVATE, 2u, NULL, NULL, 0);
#else
    (void)state;
    sched_yield();
#endif
}

static void park_wake(uint32_t *state)
{
#if defined(__linux__)
    syscall(SYS_futex, state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
    (void)state;
#endif
}

void buddy__park_lock(void *park)
{
    uint32_t *state = &((struct buddy__park *)park)->state;
    uint32_t c = 0;
    unsigned tries;

    if (__atomic_compare_exchange_n(state, &c, 1, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED))
        return;
    /* Spin even while others sleep (state 2): a sleeper is woken by the
     * unlock that sees 2 and marks the lock again before it sleeps anew, so
     * taking a free lock as 1 here strands nobody; it trades fairness for
     * throughput, as a short critical section wants. */
    for (tries = 0; tries < PARK_SPINS; tries++) {
        cpu_relax();
        c = __atomic_load_n(state, __ATOMIC_RELAXED);
        if (c == 0 &&
            __atomic_compare_exchange_n(state, &c, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
    }
    /* Taken with the mark set: the unlock will wake a possible sleeper. */
    while (__atomic_exchange_n(state, 2, __ATOMIC_ACQUIRE) != 0)
        park_wait(state);
}

void buddy__park_unlock(void *park)
{
    uint32_t *state = &((struct buddy__park *)park)->state;

    if (__atomic_exchange_n(state, 0, __ATOMIC_RELEASE) == 2)
        park_wake(state);
}

#if defined(__linux__) && defined(SYS_membarrier)
static int sync_ok;
static pthread_once_t sync_once = PTHREAD_ONCE_INIT;

static void sync_register(void)
{
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

    sync_ok = cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
              syscall(SYS_membarrier,
                      MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

int buddy__prim_sync_init(void)
{
    pthread_once(&sync_once, sync_register);
    return sync_ok;
}

void buddy__prim_sync(void *unused)
{
    (void)unused;
    /* Registered, so it cannot fail; if it ever did, the caches' owners
     * would race a drain, so stop rather than go on. */
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        __builtin_trap();
}
#else
int buddy__prim_sync_init(void)
{
    return 0;
}

void buddy__prim_sync(void *unused)
{
    (void)unused;
}
#endif

void buddy__prim_yield(void *unused)
{
    (void)unused;
    sched_yield();
}

unsigned buddy__prim_cpu(void)
{
    int cpu = sched_getcpu();

    return cpu < 0 ? 0u : (unsigned)cpu;
}

unsigned buddy__prim_nr_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);

    return n < 1 ? 1u : (unsigned)n;
}
