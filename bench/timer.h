/* SPDX-License-Identifier: MIT */
/*
 * timer.h: the two clocks the benchmark reads.
 *
 * Throughput uses CLOCK_MONOTONIC around a whole loop: two calls per
 * measurement, so its ~20 ns cost vanishes in millions of operations.
 *
 * Latency needs one reading per operation, so it uses the cheapest clock
 * with a known cost: on x86, rdtsc fenced by lfence on both sides, so the
 * operation between two readings can neither start before the first nor
 * still be running at the second (rdtsc alone is not ordered with the
 * instructions around it). The fences and rdtsc cost tens of cycles;
 * bench_tick_overhead() measures that cost and the report prints it, since
 * every latency sample includes it once. Elsewhere the "ticks" are
 * CLOCK_MONOTONIC nanoseconds.
 */
#ifndef BENCH_TIMER_H
#define BENCH_TIMER_H

#include <stdint.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#define BENCH_TICKS_NAME "rdtsc with lfence before and after"
static inline uint64_t bench_ticks(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence"
                         : "=a"(lo), "=d"(hi)
                         :
                         : "memory");
    return (uint64_t)hi << 32 | lo;
}
#else
#define BENCH_TICKS_NAME "clock_gettime(CLOCK_MONOTONIC)"
static inline uint64_t bench_ticks(void)
{
    return bench_now_ns();
}
#endif

/* Ticks per nanosecond, measured against CLOCK_MONOTONIC over ~20 ms. */
double bench_ticks_per_ns(void);
/* Median cost, in ticks, of reading the clock twice back to back: what
 * every latency sample carries on top of the operation. */
double bench_tick_overhead(void);

#endif /* BENCH_TIMER_H */
