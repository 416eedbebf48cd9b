/* SPDX-License-Identifier: MIT */
/*
 * test_malloc.c: every entry point of libbuddy-malloc, linked in (the
 * static library) or preloaded: sizes and alignment, calloc's zeroing and
 * overflow, realloc's copies, the aligned calls' errors, errno across free,
 * threads allocating and freeing each other's blocks, fork from a threaded
 * process, and freed memory given back to the kernel (run with "kept",
 * returns off: kept). misuse.c has the misuses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
/* A count the compiler cannot see through, for the overflow checks. */
static volatile size_t huge_count = SIZE_MAX / 2;

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__,   \
                    #c);                                                       \
            failures++;                                                        \
        }                                                                      \
    } while (0)

static void sizes_and_alignment(void)
{
    static const size_t sizes[] = {0,    1,    7,    8,     9,     15,
                                   16,   17,   24,   33,    64,    65,
                                   96,   100,  129,  192,   200,   256,
                                   511,  1000, 4096, 4097,  8192,  8193,
                                   20000, 65536, 1 << 20, 5 << 20};
    size_t i;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *p = malloc(sizes[i]);

        CHECK(p != NULL);
        CHECK((uintptr_t)p % 16 == 0);
        CHECK(malloc_usable_size(p) >= sizes[i]);
        memset(p, 0xab, sizes[i]);
        free(p);
    }
    CHECK(malloc_usable_size(NULL) == 0);
    free(NULL);
}

static void calloc_and_realloc(void)
{
    unsigned char *p;
    size_t i;

    p = malloc(300);
    memset(p, 0xff, 300);
    free(p);
    p = calloc(30, 10);
    CHECK(p != NULL);
    for (i = 0; i < 300; i++)
        CHECK(p[i] == 0);
    free(p);
    /* A large calloc (its pages given back rather than cleared) in the
     * block a dirty one left, and one past it. */
    for (i = 0; i < 2; i++) {
        size_t sz = i == 0 ? 200000 : (2u << 20) + 5;
        size_t j;

        p = malloc(sz);
        CHECK(p != NULL);
        memset(p, 0x5c, sz);
        free(p);
        p = calloc(1, sz);
        CHECK(p != NULL);
        for (j = 0; j < sz; j += 997)
            CHECK(p[j] == 0);
        CHECK(p[sz - 1] == 0);
        free(p);
    }
    errno = 0;
    CHECK(calloc(huge_count, 3) == NULL);
    CHECK(errno == ENOMEM);
    errno = 0;
    CHECK(reallocarray(NULL, huge_count, 3) == NULL);
    CHECK(errno == ENOMEM);

    p = malloc(10);
    for (i = 0; i < 10; i++)
        p[i] = (unsigned char)i;
    /* up through every kind: classes, the largest class, a large block */
    {
        static const size_t grow[] = {20, 100, 1000, 8192, 9000, 100000, 50, 12};

        for (size_t g = 0; g < sizeof(grow) / sizeof(grow[0]); g++) {
            p = realloc(p, grow[g]);
            CHECK(p != NULL);
            for (i = 0; i < 10; i++)
                CHECK(p[i] == i);
        }
    }
    CHECK(realloc(p, 0) == NULL); /* freed, as glibc */
    p = realloc(NULL, 5);
    CHECK(p != NULL);
    free(p);

    /* Large blocks resize in place: a shrink always (its tail given
     * back), a growth when the pages after it are its free buddies, as
     * the shrink just left them. Then a doubling chain, contents kept. */
    {
        unsigned char *q, *first;
        size_t sz;

        first = p = malloc((2u << 20) - 100);
        CHECK(p != NULL);
        memset(p, 0x3c, 20000);
        q = realloc(p, 20000);
        CHECK(q == first);
        q = realloc(q, 1u << 20);
        CHECK(q == first);
        q = realloc(q, (2u << 20) - 100);
        CHECK(q == first);
        CHECK(malloc_usable_size(q) == 2u << 20);
        CHECK(q[0] == 0x3c && q[19999] == 0x3c);
        p = q;
        for (sz = 32800; sz <= (4u << 20); sz = sz * 2 - 16) {
            q = realloc(p, sz);
            CHECK(q != NULL);
            p = q;
            CHECK(p[0] == 0x3c && p[19999] == 0x3c);
        }
        free(p);
    }
}

/* Past 4 MiB, blocks come from the large zone, whose pages are 2 MiB:
 * each takes the power of two of bytes above its size, as below, aligned
 * to at least a page of its zone; it resizes in place and keeps what it
 * holds; a calloc there is zeros after a dirty block. */
static void large_zone(void)
{
    static const size_t sizes[] = {(4u << 20) + 1, 5u << 20, 8u << 20,
                                   (8u << 20) + 16, 33u << 20};
    unsigned char *p, *q;
    size_t i, want;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p = malloc(sizes[i]);
        CHECK(p != NULL);
        if (p == NULL)
            continue;
        for (want = 1; want < sizes[i]; want <<= 1)
            ;
        CHECK(malloc_usable_size(p) == want);
        CHECK((uintptr_t)p % (2u << 20) == 0);
        memset(p, 0x6e, sizes[i]);
        free(p);
        p = calloc(1, sizes[i]);
        CHECK(p != NULL && p[0] == 0 && p[sizes[i] / 2] == 0 &&
              p[sizes[i] - 1] == 0);
        free(p);
    }
    p = malloc(6u << 20);
    CHECK(p != NULL);
    if (p == NULL)
        return;
    p[0] = 1;
    p[(6u << 20) - 1] = 2;
    q = realloc(p, 7u << 20); /* the same 8 MiB block */
    CHECK(q == p);
    q = realloc(q, 40u << 20); /* grown, in place or moved */
    CHECK(q != NULL && q[0] == 1 && q[(6u << 20) - 1] == 2);
    CHECK(malloc_usable_size(q) == 64u << 20);
    p = realloc(q, 5u << 20); /* shrunk in place, its upper halves back */
    CHECK(p == q && p[0] == 1 && malloc_usable_size(p) == 8u << 20);
    q = realloc(p, 100); /* into a class: moved, the bytes kept */
    CHECK(q != NULL && q[0] == 1);
    free(q);
}

static void aligned(void)
{
    size_t a;
    void *p;

    for (a = 1; a <= (1u << 20); a <<= 1) {
        p = memalign(a, 100);
        CHECK(p != NULL && (uintptr_t)p % a == 0);
        free(p);
        p = aligned_alloc(a, a * 3);
        CHECK(p != NULL && (uintptr_t)p % a == 0);
        free(p);
        if (a >= sizeof(void *)) {
            CHECK(posix_memalign(&p, a, 17) == 0);
            CHECK((uintptr_t)p % a == 0);
            free(p);
        }
    }
    p = memalign(48, 10); /* rounded up to 64, as glibc */
    CHECK(p != NULL && (uintptr_t)p % 64 == 0);
    free(p);
    errno = 0;
    CHECK(aligned_alloc(48, 96) == NULL && errno == EINVAL);
    p = (void *)1;
    CHECK(posix_memalign(&p, 4, 16) == EINVAL);
    CHECK(posix_memalign(&p, 24, 16) == EINVAL);
    CHECK(p == (void *)1);
    p = valloc(10);
    CHECK(p != NULL && (uintptr_t)p % 4096 == 0);
    free(p);
    p = pvalloc(5000);
    CHECK(p != NULL && (uintptr_t)p % 4096 == 0 &&
          malloc_usable_size(p) >= 8192);
    free(p);
}

static void errno_and_info(void)
{
    struct mallinfo2 mi;
    void *p = malloc(64);

    errno = 1234;
    free(p);
    CHECK(errno == 1234);
    mi = mallinfo2();
    CHECK(mi.arena > 0 && mi.uordblks <= mi.arena);
    CHECK(mallopt(M_ARENA_MAX, 1) == 0);
    (void)malloc_trim(0);
}

/* Threads that allocate, and free what the previous thread allocated. */
#define THREADS 4
#define ROUNDS 20000
static void *volatile passed[THREADS];

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = id * 2654435761u + 1;
    void *held[64] = {0};

    for (int r = 0; r < ROUNDS; r++) {
        unsigned i;
        void *got;

        seed = seed * 1103515245u + 12345u;
        i = (seed >> 8) % 64;
        if (held[i] != NULL) {
            got = __atomic_exchange_n(&passed[(id + 1) % THREADS], held[i],
                                      __ATOMIC_ACQ_REL);
            free(got);
            held[i] = NULL;
        } else {
            size_t size = (seed >> 16) % 3000 + 1;

            held[i] = malloc(size);
            if (held[i] != NULL)
                memset(held[i], (int)id, size);
        }
    }
    for (int i = 0; i < 64; i++)
        free(held[i]);
    return NULL;
}

/* In the child of a fork: allocate and free across classes and blocks,
 * the parent's blocks freed too; exit 0. */
static void child_allocates(void **parents, int n)
{
    void *p[100];

    for (int i = 0; i < 100; i++)
        p[i] = malloc((size_t)i * 37 + 1);
    for (int i = 0; i < 100; i++)
        free(p[i]);
    for (int i = 0; i < n; i++)
        free(parents[i]);
    p[0] = malloc(300000);
    free(p[0]);
    _exit(0);
}

/* A process of one thread forks without taking the allocator's locks
 * (no other thread can hold one); parent and child both go on. */
static void fork_one_thread(void)
{
    void *held[8];
    int status = 0;
    pid_t pid;

    for (int i = 0; i < 8; i++)
        held[i] = malloc((size_t)i * 1000 + 8);
    pid = fork();
    if (pid == 0)
        child_allocates(held, 8);
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0);
    for (int i = 0; i < 8; i++)
        free(held[i]);
    held[0] = malloc(300000);
    CHECK(held[0] != NULL);
    free(held[0]);
}

static void threads_and_fork(void)
{
    pthread_t th[THREADS];
    int status = 0;
    pid_t pid;

    for (uintptr_t t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, worker, (void *)t);
    /* fork while the threads allocate: the child's allocator is whole */
    pid = fork();
    if (pid == 0)
        child_allocates(NULL, 0);
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        free(passed[t]);
}

/* Resident KiB, from /proc/self/statm, with no allocation. */
static long rss_kib(void)
{
    char buf[128];
    ssize_t n;
    int fd = open("/proc/self/statm", O_RDONLY);
    char *at;

    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    at = strchr(buf, ' ');
    return at == NULL ? -1 : strtol(at + 1, NULL, 10) * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 64 MiB in blocks of size written and freed goes back to the kernel once
 * the return delay (100 ms by default) has passed and the program calls
 * again; with returns turned off (kept) it stays. */
static void memory_returned(int kept, size_t size)
{
    const int n = (int)((64u << 20) / size);
    void *p[64];
    void *volatile one;
    long before = rss_kib(), peak, after;

    for (int i = 0; i < n; i++) {
        p[i] = malloc(size);
        CHECK(p[i] != NULL);
        if (p[i] != NULL)
            memset(p[i], 0x5a, size);
    }
    peak = rss_kib();
    CHECK(peak - before >= 60 * 1024);
    for (int i = 0; i < n; i++)
        free(p[i]);
    usleep(300 * 1000);
    for (int i = 0; i < 128; i++) { /* a thread reads the clock 1 in 64 */
        one = malloc(1); /* volatile: calls the compiler cannot pair away */
        free(one);
    }
    after = rss_kib();
    if (kept) { /* BUDDY_MALLOC_RETURN_DELAY_MS=never: nothing goes back */
        CHECK(after >= peak - 4 * 1024);
        return;
    }
    if (after - before >= 16 * 1024)
        fprintf(stderr, "test_malloc: rss %ld KiB before, %ld at the peak, "
                        "%ld after the free\n", before, peak, after);
    CHECK(after - before < 16 * 1024);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "kept") == 0) {
        memory_returned(1, 1u << 20);
        memory_returned(1, 8u << 20);
        return failures != 0;
    }
    sizes_and_alignment();
    calloc_and_realloc();
    large_zone();
    aligned();
    errno_and_info();
    fork_one_thread();
    threads_and_fork();
    memory_returned(0, 1u << 20); /* the heap's zone */
    memory_returned(0, 8u << 20); /* the large zone's */
    if (failures != 0) {
        fprintf(stderr, "test_malloc: %d checks failed\n", failures);
        return 1;
    }
    printf("test_malloc: every entry point checked\n");
    return 0;
}
