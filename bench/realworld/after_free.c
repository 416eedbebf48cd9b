/* SPDX-License-Identifier: MIT */
/*
 * after_free.c: `after_free [MIB]` shows what a malloc keeps resident
 * once a program has freed everything it allocated.
 *
 * It allocates MIB MiB (512 by default) in blocks of 8 B to 1 MiB, each
 * power of two from 8 B to 512 KiB holding the same share of the bytes
 * (so the small blocks are many), sizes uniform within a power of two, in
 * a shuffled order, writing every byte; then checks each block's pattern
 * and frees them all in another order; waits a second (a malloc may
 * return memory later, from a thread or on a timer); reads its resident
 * set; calls malloc_trim(0) and reads it again. The table of pointers and
 * sizes lives in its own mmap, outside every malloc, and is unmapped
 * before the readings after the frees; the peak includes it (the same for
 * every malloc).
 *
 * Prints one line of KiB figures and where malloc came from:
 *   start <rss> table <kib> peak <VmHWM> after_free <rss> after_trim <rss> malloc <library>
 * and exits 1 when a block did not hold its pattern or an allocation
 * failed. The seed is fixed: every run allocates the same sequence.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../util.h"

#define MIN_ORDER 3u  /* 8 B */
#define MAX_ORDER 19u /* up to 1 MiB: sizes in [2^19, 2^20] */

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13; /* xorshift64 */
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The process's peak resident set (VmHWM), in KiB. */
static long hwm_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 131u + 7u);
}

int main(int argc, char **argv)
{
    size_t total = (size_t)(argc > 1 ? atol(argv[1]) : 512) << 20;
    size_t share = total / (MAX_ORDER - MIN_ORDER + 1), n = 0, cap, i, stride, table;
    uint64_t seed = 0x2545f4914f6cdd1du;
    unsigned char **ptr;
    uint32_t *size;
    unsigned order;
    long start = statm_rss_kib(), peak, after_free, after_trim;
    unsigned long bad = 0;
    Dl_info info;
    void *sym;

    /* Upper bound on the count: every block at its power of two's floor. */
    for (cap = 0, order = MIN_ORDER; order <= MAX_ORDER; order++)
        cap += share / ((size_t)1 << order) + 1;
    table = cap * (sizeof(*ptr) + sizeof(*size));
    ptr = mmap(NULL, table, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ptr == MAP_FAILED) {
        perror("after_free: mmap");
        return 1;
    }
    size = (uint32_t *)(ptr + cap);
    for (order = MIN_ORDER; order <= MAX_ORDER; order++) {
        size_t sum = 0, lo = (size_t)1 << order;

        while (sum < share && n < cap) {
            size_t s = lo + (size_t)(next_rand(&seed) % (lo + 1));

            size[n++] = (uint32_t)s;
            sum += s;
        }
    }
    for (i = n - 1; i > 0; i--) { /* Fisher-Yates: the sizes interleaved */
        size_t j = (size_t)(next_rand(&seed) % (i + 1));
        uint32_t t = size[i];

        size[i] = size[j];
        size[j] = t;
    }
    for (i = 0; i < n; i++) {
        ptr[i] = malloc(size[i]);
        if (ptr[i] == NULL) {
            fprintf(stderr, "after_free: malloc(%u) failed at block %zu of %zu\n",
                    (unsigned)size[i], i, n);
            return 1;
        }
        memset(ptr[i], pattern(i), size[i]);
    }
    /* Free in the order i * stride mod n, a permutation when stride and n
     * share no factor: unlike the allocation order, and needing no table. */
    for (stride = (n / 2) | 1; stride > 1; stride -= 2) {
        size_t a = n, b = stride;

        while (b != 0) {
            size_t t = a % b;

            a = b;
            b = t;
        }
        if (a == 1)
            break;
    }
    for (i = 0; i < n; i++) {
        size_t k = (size_t)(((unsigned __int128)i * stride) % n);

        if (ptr[k][0] != pattern(k) || ptr[k][size[k] - 1] != pattern(k) ||
            ptr[k][size[k] / 2] != pattern(k))
            bad++;
        free(ptr[k]);
    }
    peak = hwm_kib();
    munmap(ptr, table);
    sleep(1);
    after_free = statm_rss_kib();
    malloc_trim(0);
    after_trim = statm_rss_kib();
    sym = dlsym(RTLD_DEFAULT, "malloc");
    printf("start %ld table %zu peak %ld after_free %ld after_trim %ld malloc %s\n", start,
           n * (sizeof(*ptr) + sizeof(*size)) / 1024, peak, after_free, after_trim,
           sym != NULL && dladdr(sym, &info) != 0 && info.dli_fname != NULL ? info.dli_fname
                                                                            : "?");
    if (bad != 0) {
        fprintf(stderr, "after_free: %lu of %zu blocks lost their pattern\n", bad, n);
        return 1;
    }
    return 0;
}
