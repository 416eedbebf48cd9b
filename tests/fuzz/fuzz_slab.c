/* SPDX-License-Identifier: MIT */
/*
 * fuzz_slab.c: the libFuzzer target for a slab cache: allocations and
 * frees straight and through two magazines, bulk calls, frees of what is
 * not live (freed earlier, an interior pointer, an address outside the
 * zone), flushes and shrinks, on one cache over real memory, against a
 * reference of which objects are live. After every step the cache's
 * validator and the zone's pass, the allocated count is the live objects
 * plus the magazines', and no object is handed out twice; every bad free
 * is refused with its error and changes nothing. abort()s on any
 * disagreement.
 *
 * Input: 4 header bytes, then 3 bytes per operation:
 *   header  [0..1] object size - 1 (mod 3000), [2] flags: bit 0
 *           HWCACHE_ALIGN, bit 1 the debug flags, bits 2..3 alignment
 *           8 << n (n = 3: none); [3] zone pages - 16 (mod 240)
 *   op      [0] operation (mod 11), [1..2] its argument
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/slab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIVE_MAX 512u
#define DEAD_MAX 64u

struct fz {
    struct buddy_zone *z;
    struct buddy_slab_cache c;
    struct buddy_slab_mag mag[2];
    void *live[LIVE_MAX];
    unsigned nlive;
    void *dead[DEAD_MAX];
    unsigned ndead;
    size_t obj_size;
    uintptr_t lo, hi; /* the zone's memory */
    unsigned step;
};

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "fuzz_slab: step %u: ", f->step);                      \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        abort();                                                               \
    } while (0)

static bool is_live(const struct fz *f, const void *p)
{
    for (unsigned i = 0; i < f->nlive; i++)
        if (f->live[i] == p)
            return true;
    return false;
}

static void got(struct fz *f, void *p)
{
    if ((uintptr_t)p < f->lo || (uintptr_t)p + f->obj_size > f->hi)
        FAIL("object %p outside the zone", p);
    if (is_live(f, p))
        FAIL("object %p handed out twice", p);
    memset(p, 0x3c, f->obj_size); /* the user's bytes: must not matter */
    f->live[f->nlive++] = p;
}

static void gone(struct fz *f, unsigned k)
{
    f->dead[f->ndead++ % DEAD_MAX] = f->live[k];
    f->live[k] = f->live[--f->nlive];
}

/* A free that must be refused with err (a double free: ENOTSLAB once its
 * slab has gone back) and change nothing. */
static void refused(struct fz *f, int how, void *p, int err)
{
    struct buddy_slab_info a, b;
    unsigned m0 = f->mag[0].count_, m1 = f->mag[1].count_;
    int got_err;

    (void)buddy_slab_get_info(&f->c, &a);
    got_err = how == 0   ? buddy_slab_free(&f->c, p)
              : how == 1 ? buddy_slab_free_mag(&f->c, &f->mag[0], p)
                         : buddy_slab_free_bulk(&f->c, 1, &p);
    (void)buddy_slab_get_info(&f->c, &b);
    if (got_err == BUDDY_ENOTSLAB && err == BUDDY_EDOUBLEFREE)
        err = BUDDY_ENOTSLAB; /* freed, and its slab given back since */
    if (got_err != err)
        FAIL("bad free of %p (way %d): %s, expected %s", p, how,
             buddy_errname(got_err), buddy_errname(err));
    if (b.active_objs != a.active_objs || b.num_slabs != a.num_slabs ||
        b.rejected != a.rejected + 1 || f->mag[0].count_ != m0 ||
        f->mag[1].count_ != m1)
        FAIL("a refused free changed the cache");
}

static void step(struct fz *f, unsigned op, unsigned arg)
{
    unsigned which = arg & 1u;
    void *objs[8];
    int n;

    switch (op) {
    case 0: /* allocate straight */
    case 1: /* through a magazine */
        if (f->nlive < LIVE_MAX) {
            void *p = op == 0 ? buddy_slab_alloc(&f->c)
                              : buddy_slab_alloc_mag(&f->c, &f->mag[which]);

            if (p != NULL)
                got(f, p);
        }
        break;
    case 2: /* free straight */
    case 3: /* through a magazine */
        if (f->nlive > 0) {
            unsigned k = (arg >> 1) % f->nlive;
            int err = op == 2 ? buddy_slab_free(&f->c, f->live[k])
                              : buddy_slab_free_mag(&f->c, &f->mag[which],
                                                    f->live[k]);

            if (err != 0)
                FAIL("free of a live object: %s", buddy_errname(err));
            gone(f, k);
        }
        break;
    case 4: /* a free of something freed before, unless handed out again */
        if (f->ndead > 0) {
            void *p = f->dead[(arg >> 2) % (f->ndead < DEAD_MAX ? f->ndead
                                                                : DEAD_MAX)];

            if (!is_live(f, p))
                refused(f, (int)(arg & 3u) % 3, p, BUDDY_EDOUBLEFREE);
        }
        break;
    case 5: /* an interior pointer, or an address outside the zone */
        if ((arg & 1u) && f->nlive > 0 && f->obj_size > 1)
            refused(f, (int)(arg >> 1) % 3,
                    (char *)f->live[(arg >> 3) % f->nlive] +
                        1 + (arg >> 8) % (f->obj_size - 1),
                    BUDDY_EINTERIOR);
        else
            refused(f, (int)(arg >> 1) % 3, (void *)(f->hi + 64u * arg),
                    BUDDY_ERANGE);
        break;
    case 6:
        if (buddy_slab_mag_flush(&f->c, &f->mag[which]) != 0)
            FAIL("flush failed");
        break;
    case 7:
        (void)buddy_slab_shrink(&f->c);
        break;
    case 8: /* bulk allocation, all or nothing */
        n = (int)(arg % 8u) + 1;
        if (f->nlive + (unsigned)n <= LIVE_MAX) {
            int r = buddy_slab_alloc_bulk(&f->c, (unsigned)n, objs);

            if (r != 0 && r != n)
                FAIL("bulk allocation of %d gave %d", n, r);
            for (int i = 0; i < r; i++)
                got(f, objs[i]);
        }
        break;
    case 9: /* bulk free */
        n = 0;
        while (n < (int)(arg % 8u) + 1 && f->nlive > 0) {
            objs[n++] = f->live[f->nlive - 1];
            gone(f, f->nlive - 1);
        }
        if (buddy_slab_free_bulk(&f->c, (unsigned)n, objs) != 0)
            FAIL("bulk free of live objects failed");
        break;
    default: /* free everything live, through magazine `which` */
        while (f->nlive > 0) {
            if (buddy_slab_free_mag(&f->c, &f->mag[which],
                                    f->live[f->nlive - 1]) != 0)
                FAIL("free of a live object failed");
            gone(f, f->nlive - 1);
        }
        break;
    }
}

static void check(struct fz *f)
{
    struct buddy_check_report rep;
    struct buddy_slab_info info;

    if (buddy_slab_check(&f->c, &rep) != 0)
        FAIL("slab validator: %s", rep.what);
    if (buddy_zone_check(f->z, &rep) != 0)
        FAIL("zone validator: %s", rep.what);
    if (buddy_slab_get_info(&f->c, &info) != 0 ||
        info.active_objs != f->nlive + f->mag[0].count_ + f->mag[1].count_)
        FAIL("allocated %llu, live %u and %u + %u in magazines",
             (unsigned long long)info.active_objs, f->nlive,
             f->mag[0].count_, f->mag[1].count_);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fz fz;
    struct fz *f = &fz;
    struct buddy_zone_config zc = BUDDY_ZONE_CONFIG_INIT;
    struct buddy_slab_config sc = BUDDY_SLAB_CONFIG_INIT;
    void *meta, *mem;
    size_t meta_size;
    unsigned pages;
    int err;

    if (size < 4)
        return 0;
    memset(f, 0, sizeof(*f));
    pages = data[3] % 240u + 16u;
    mem = aligned_alloc(4096, (size_t)pages * 4096);
    zc.nr_pages = pages;
    zc.max_order = 6;
    zc.base = mem;
    meta_size = buddy_zone_meta_size(&zc);
    meta = malloc(meta_size);
    if (mem == NULL || meta == NULL ||
        buddy_zone_init(meta, meta_size, &zc, &f->z) != 0 ||
        buddy_zone_add_range(f->z, 0, pages) != 0) {
        fprintf(stderr, "fuzz_slab: no zone\n");
        abort();
    }
    f->lo = (uintptr_t)mem;
    f->hi = f->lo + (uintptr_t)pages * 4096;
    sc.name = "fuzz";
    sc.size = (size_t)(data[0] | data[1] << 8) % 3000u + 1u;
    sc.flags = (data[2] & 1u ? BUDDY_SLAB_HWCACHE_ALIGN : 0) |
               (data[2] & 2u ? BUDDY_SLAB_DEBUG_ALL : 0);
    sc.align = (data[2] >> 2 & 3u) == 3u ? 0 : (size_t)8 << (data[2] >> 2 & 3u);
    sc.zone = f->z;
    sc.nr_cpus = 2;
    f->obj_size = sc.size;
    err = buddy_slab_cache_create(&f->c, &sc);
    if (err == 0) {
        for (size_t i = 4; i + 3 <= size; i += 3) {
            f->step++;
            step(f, data[i] % 11u, (unsigned)(data[i + 1] | data[i + 2] << 8));
            check(f);
        }
        step(f, 10, 0);
        if (buddy_slab_mag_flush(&f->c, &f->mag[0]) != 0 ||
            buddy_slab_mag_flush(&f->c, &f->mag[1]) != 0 ||
            buddy_slab_cache_destroy(&f->c) != 0)
            FAIL("teardown failed");
        if (buddy_zone_check(f->z, NULL) != 0)
            FAIL("zone not whole at the end");
    } else if (err != BUDDY_EORDER) {
        FAIL("create: %s", buddy_errname(err));
    }
    free(meta);
    free(mem);
    return 0;
}
