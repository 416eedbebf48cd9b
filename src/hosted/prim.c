/*
 * prim.c: POSIX/Linux implementations of prim.h.
 *
 * The spinlock spins on a plain load (so waiting CPUs share the line instead
 * of bouncing it), pauses between tries, and yields to the scheduler after a
 * while, since a preempted holder cannot release the lock while we spin
 * (this matters on small machines with more threads than CPUs).
 */
#define _GNU_SOURCE
#include "prim.h"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

void *buddy__prim_map(size_t size, size_t align)
{
    size_t span = size + align;
    uintptr_t start, aligned;
    char *p;

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
