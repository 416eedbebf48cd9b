/* SPDX-License-Identifier: MIT */
/*
 * demo_frag.c: `buddy demo fragmentation`, why the kernel groups pages by
 * mobility, in the terminal.
 *
 * Two zones of 1024 pages in 64 pageblocks of 16 (max order 6), one with
 * grouping by mobility and one without (BUDDY_ZONE_NO_GROUPING), take the
 * same seeded workload: long-lived unmovable allocations held at about 8%
 * of memory while movable ones come and go at about 85% full. After each
 * phase both zones are drawn a character per pageblock:
 *
 *   #  holds an unmovable page
 *   o  holds movable pages only
 *   .  free
 *
 * with, for the zone with grouping, each pageblock's type underneath. At
 * the end every movable block is freed, which is what the kernel's
 * compaction and reclaim aim for: what is left shows how many pageblocks
 * the unmovable pages pin and how much memory comes back in whole
 * pageblocks. Every number is read from the zones (the workload's own
 * bookkeeping only says which blocks are unmovable), so the text cannot
 * drift from what the allocator did.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define FZ_PAGES 1024u
#define FZ_MAX_ORDER 6u
#define FZ_PB_ORDER 4u
#define FZ_NR_PB (FZ_PAGES >> FZ_PB_ORDER)
#define FZ_PHASES 4u
#define FZ_OPS_PER_PHASE 3000u
#define FZ_MAX_HELD 1024u

struct fz_block {
    buddy_pfn_t pfn;
    unsigned order;
    bool unmovable;
};

/* One zone and what the workload holds in it. */
struct fz {
    struct cli_zone cz;
    bool grouping;
    struct fz_block held[FZ_MAX_HELD];
    unsigned n;
    uint64_t unmovable_pages, movable_pages;
    unsigned unmov_in_pb[FZ_NR_PB];  /* unmovable pages per pageblock */
    unsigned movable_in_pb[FZ_NR_PB];
    uint64_t huge_tries, huge_ok;
};

/* splitmix64: the same sequence for both zones. */
static uint64_t fz_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fz_count(struct fz *f, const struct fz_block *b, int sign)
{
    unsigned pb = (unsigned)(b->pfn >> FZ_PB_ORDER);
    unsigned pages = 1u << b->order, i;

    /* A block of pageblock_order or more covers whole pageblocks. */
    for (i = 0; i < (pages > (1u << FZ_PB_ORDER) ? pages >> FZ_PB_ORDER : 1);
         i++) {
        unsigned in = pages < (1u << FZ_PB_ORDER) ? pages : 1u << FZ_PB_ORDER;
        unsigned *c = b->unmovable ? &f->unmov_in_pb[pb + i]
                                   : &f->movable_in_pb[pb + i];

        *c = sign > 0 ? *c + in : *c - in;
    }
    if (b->unmovable)
        f->unmovable_pages = sign > 0 ? f->unmovable_pages + pages
                                      : f->unmovable_pages - pages;
    else
        f->movable_pages = sign > 0 ? f->movable_pages + pages
                                    : f->movable_pages - pages;
}

/* One step of the workload, the same decisions from the same draws. */
static int fz_step(struct fz *f, uint64_t *seed)
{
    uint64_t r = fz_next(seed);
    bool unmov = r % 100 < 8;
    uint64_t want = unmov ? FZ_PAGES * 8 / 100 : FZ_PAGES * 85 / 100;
    uint64_t have = unmov ? f->unmovable_pages
                          : f->unmovable_pages + f->movable_pages;
    bool grow = have < want && ((r >> 8) % 3 != 0 || have < want / 2);
    unsigned order = unmov ? (unsigned)((r >> 16) % 3)
                     : (r >> 16) % 64 == 0 ? FZ_PB_ORDER
                                           : (unsigned)((r >> 24) % 3);
    unsigned i;

    if (grow && f->n < FZ_MAX_HELD) {
        buddy_pfn_t pfn;
        int err = buddy_zone_alloc_pages_type(
            f->cz.z, order,
            unmov ? BUDDY_MIGRATE_UNMOVABLE : BUDDY_MIGRATE_MOVABLE, &pfn);

        if (!unmov && order == FZ_PB_ORDER) {
            f->huge_tries++;
            f->huge_ok += err == 0;
        }
        if (err == BUDDY_ENOMEM)
            return 0;
        if (err != 0)
            return err;
        f->held[f->n].pfn = pfn;
        f->held[f->n].order = order;
        f->held[f->n].unmovable = unmov;
        fz_count(f, &f->held[f->n], 1);
        f->n++;
        return 0;
    }
    /* Free one block of the kind the draw said, the oldest first for the
     * unmovable ones (they are long-lived), any for the movable ones. */
    for (i = 0; i < f->n; i++) {
        unsigned k = unmov ? i : (unsigned)((r >> 32) + i) % f->n;

        if (f->held[k].unmovable == unmov) {
            struct fz_block b = f->held[k];
            int err = buddy_zone_free_pages(f->cz.z, b.pfn, b.order);

            if (err != 0)
                return err;
            fz_count(f, &b, -1);
            f->held[k] = f->held[--f->n];
            return 0;
        }
    }
    return 0;
}

static char pb_char(const struct fz *f, unsigned pb)
{
    if (f->unmov_in_pb[pb] != 0)
        return '#';
    return f->movable_in_pb[pb] != 0 ? 'o' : '.';
}

static char type_char(enum buddy_migratetype mt)
{
    static const char letters[BUDDY_MIGRATE_TYPES] = {'U', 'M', 'R', 'H', 'I'};

    return (unsigned)mt < BUDDY_MIGRATE_TYPES ? letters[mt] : '?';
}

static unsigned pinned(const struct fz *f)
{
    unsigned pb, n = 0;

    for (pb = 0; pb < FZ_NR_PB; pb++)
        n += f->unmov_in_pb[pb] != 0;
    return n;
}

/* The largest free block's order, or -1 when nothing is free. */
static int largest_free(const struct buddy_zone *z)
{
    int k;

    for (k = FZ_MAX_ORDER; k >= 0; k--) {
        uint64_t n = 0;

        if (buddy_zone_nr_free(z, (unsigned)k, &n) == 0 && n != 0)
            return k;
    }
    return -1;
}

static void draw(FILE *out, const struct fz *f)
{
    unsigned pb;
    int big = largest_free(f->cz.z);

    fprintf(out, "  %-13s ", f->grouping ? "grouping on" : "grouping off");
    for (pb = 0; pb < FZ_NR_PB; pb++)
        fputc(pb_char(f, pb), out);
    fprintf(out, "  %2u pinned, largest free order %d\n", pinned(f), big);
    if (f->grouping) {
        fprintf(out, "  %-13s ", "  types");
        for (pb = 0; pb < FZ_NR_PB; pb++) {
            enum buddy_migratetype mt = BUDDY_MIGRATE_TYPES;

            if (buddy_zone_pageblock_type(
                    f->cz.z, (buddy_pfn_t)pb << FZ_PB_ORDER, &mt) != 0)
                mt = BUDDY_MIGRATE_TYPES; /* drawn as '?' */
            fputc(type_char(mt), out);
        }
        fputc('\n', out);
    }
}

/* Free pages in blocks of pageblock order or more, over all free pages. */
static unsigned whole_share(const struct buddy_zone *z, uint64_t *free_out)
{
    uint64_t free_pages = 0, whole = 0, n;
    unsigned k;

    for (k = 0; k <= FZ_MAX_ORDER; k++)
        if (buddy_zone_nr_free(z, k, &n) == 0) {
            free_pages += n << k;
            if (k >= FZ_PB_ORDER)
                whole += n << k;
        }
    *free_out = free_pages;
    return free_pages ? (unsigned)(whole * 100 / free_pages) : 0;
}

int cli_demo_fragmentation(FILE *out)
{
    struct fz *zones = calloc(2, sizeof(*zones));
    unsigned phase, i, g, share[2];
    uint64_t seeds[2] = {42, 42}, free_pages[2];
    int err = 0;

    if (zones == NULL)
        return CLI_EXIT_FAILED;
    for (g = 0; g < 2 && err == 0; g++) {
        zones[g].grouping = g == 0;
        err = cli_zone_create(&zones[g].cz, 0, FZ_PAGES, FZ_MAX_ORDER,
                              FZ_PB_ORDER, g == 0 ? 0 : BUDDY_ZONE_NO_GROUPING,
                              false);
    }
    if (err != 0) {
        fprintf(stderr, "buddy: demo: cannot make the zones: %s\n",
                cli_zone_strerror(err));
        goto out;
    }
    fprintf(out,
            "Fragmentation, and how the kernel fights it\n"
            "============================================\n\n"
            "Two zones of %u pages, in %u pageblocks of %u pages, take the same\n"
            "workload: long-lived unmovable allocations held at about 8%% of\n"
            "memory while movable ones come and go at about 85%% full. One zone\n"
            "groups pages by mobility, as the kernel does: an unmovable request\n"
            "that finds no unmovable memory takes a whole movable pageblock\n"
            "over, so the next ones fill it. The other puts every request on\n"
            "one list. A character per pageblock: # holds an unmovable page,\n"
            "o movable pages only, . free; under the first zone, each\n"
            "pageblock's type (U unmovable, M movable).\n\n",
            FZ_PAGES, FZ_NR_PB, 1u << FZ_PB_ORDER);
    for (phase = 1; phase <= FZ_PHASES && err == 0; phase++) {
        for (g = 0; g < 2 && err == 0; g++)
            for (i = 0; i < FZ_OPS_PER_PHASE && err == 0; i++)
                err = fz_step(&zones[g], &seeds[g]);
        if (err != 0)
            break;
        fprintf(out, "After %u operations:\n", phase * FZ_OPS_PER_PHASE);
        for (g = 0; g < 2; g++)
            draw(out, &zones[g]);
        fputc('\n', out);
    }
    if (err != 0) {
        fprintf(stderr, "buddy: demo: %s\n", buddy_strerror(err));
        goto out;
    }
    /* Every movable block back, as compaction and reclaim would make it. */
    for (g = 0; g < 2 && err == 0; g++) {
        struct fz *f = &zones[g];

        for (i = 0; i < f->n && err == 0;) {
            if (f->held[i].unmovable) {
                i++;
                continue;
            }
            err = buddy_zone_free_pages(f->cz.z, f->held[i].pfn,
                                        f->held[i].order);
            fz_count(f, &f->held[i], -1);
            f->held[i] = f->held[--f->n];
        }
        if (err == 0)
            err = buddy_zone_check(f->cz.z, NULL);
        share[g] = whole_share(f->cz.z, &free_pages[g]);
    }
    if (err != 0) {
        fprintf(stderr, "buddy: demo: %s\n", buddy_strerror(err));
        goto out;
    }
    fprintf(out, "Then every movable block is freed:\n");
    for (g = 0; g < 2; g++)
        draw(out, &zones[g]);
    fputc('\n', out);
    for (g = 0; g < 2; g++)
        fprintf(out,
                "%s: %llu unmovable pages pin %u pageblocks (%llu would\n"
                "  hold them); %u%% of the %llu free pages are in whole\n"
                "  pageblocks; %llu of %llu order-%u movable allocations "
                "succeeded.\n",
                zones[g].grouping ? "With grouping" : "Without grouping",
                (unsigned long long)zones[g].unmovable_pages, pinned(&zones[g]),
                (unsigned long long)((zones[g].unmovable_pages +
                                      (1u << FZ_PB_ORDER) - 1) >>
                                     FZ_PB_ORDER),
                share[g], (unsigned long long)free_pages[g],
                (unsigned long long)zones[g].huge_ok,
                (unsigned long long)zones[g].huge_tries, FZ_PB_ORDER);
    fprintf(out,
            "\nThe same unmovable pages, spread or packed: without grouping\n"
            "they pin pageblocks all over the zone and no large block can\n"
            "form around them; with it they stay in the pageblocks they\n"
            "claimed. `buddy run` shows the same with `pagetypeinfo`, and\n"
            "bench_frag measures it on a 1 GiB zone.\n");
out:
    for (g = 0; g < 2; g++)
        cli_zone_destroy(&zones[g].cz);
    free(zones);
    return err != 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
