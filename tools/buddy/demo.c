/* SPDX-License-Identifier: MIT */
/*
 * demo.c: `buddy demo`, the guided walk of the visual field guide the project
 * started from, in the terminal, on a 16-page zone with max order 4:
 *
 *   1. splitting: an order-1 request cascades through three splits;
 *   2. buddies: two more requests, then the XOR rule on real pfns;
 *   3. merging: freeing the right-most order-1 block ripples up to order 4;
 *   4. the zone as the kernel reports it: buddyinfo and the validator.
 *
 * Every picture inside an operation is a snapshot taken from the event hook
 * (BUDDY_EV_SPLIT / BUDDY_EV_MERGE): during the hook the zone may be walked
 * and the block being split or merged shows as BUDDY_BLOCK_INFLIGHT. The
 * snapshots are drawn once the call returns, which is when we know how many
 * steps there were ("step 2 of 3"). Every sentence is built from the events
 * and the zone, not written in advance, so the text cannot drift from what
 * the allocator did; the e2e test checks the facts.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "render.h"

#define DEMO_PAGES 16u
#define DEMO_MAX_ORDER 4u
#define DEMO_BITS 4u    /* pfns 0..15 in binary */
#define MAX_STEPS 16u   /* far more than a 16-page zone can produce */
#define TEXT_WIDTH 78u
#define PIC_INDENT 2u
/* A space para() never breaks a line at: keeps "4 & 6" or a call together. */
#define NB "\x01"

struct demo {
    FILE *out;
    struct render_style st;
    int failures; /* API calls that did not do what the walk-through needs */
};

/* ---- recording steps from the hook -------------------------------------- */

struct step {
    struct buddy_event ev;  /* the SPLIT or MERGE */
    struct zone_view view;  /* the zone as the hook saw it */
};

struct recorder {
    struct step step[MAX_STEPS];
    unsigned n;
    bool lost; /* a step could not be recorded */
};

static void record_hook(void *arg, const struct buddy_event *ev)
{
    struct recorder *rec = arg;
    struct step *s;

    if (ev->type != BUDDY_EV_SPLIT && ev->type != BUDDY_EV_MERGE)
        return;
    if (rec->n == MAX_STEPS) {
        rec->lost = true;
        return;
    }
    s = &rec->step[rec->n];
    s->ev = *ev;
    if (view_capture_in_hook(&s->view, ev->zone) != 0)
        rec->lost = true;
    rec->n++;
}

static void recorder_start(struct recorder *rec, struct buddy_zone *z)
{
    memset(rec, 0, sizeof(*rec));
    buddy_zone_set_hook(z, record_hook, rec);
}

static void recorder_stop(struct demo *d, struct recorder *rec,
                          struct buddy_zone *z)
{
    buddy_zone_set_hook(z, NULL, NULL);
    if (rec->lost)
        d->failures++;
}

static void recorder_release(struct recorder *rec)
{
    unsigned i;

    for (i = 0; i < rec->n; i++)
        view_release(&rec->step[i].view);
}

/* ---- text --------------------------------------------------------------- */

/* A paragraph, word-wrapped to TEXT_WIDTH, after an optional bold label
 * ("Step 1 of 3:"). */
static void para(struct demo *d, const char *label, const char *fmt, ...)
{
    char text[1024];
    const char *p = text;
    unsigned col = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (label != NULL) {
        fprintf(d->out, "%s%s%s", render_on(&d->st, PAINT_TITLE), label,
                render_off(&d->st));
        col = (unsigned)strlen(label);
    }
    while (*p != '\0') {
        size_t len;

        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (len == 0)
            break;
        if (col > 0 && col + 1 + len > TEXT_WIDTH) {
            fputc('\n', d->out);
            col = 0;
        } else if (col > 0) {
            fputc(' ', d->out);
            col++;
        }
        for (size_t i = 0; i < len; i++)
            fputc(p[i] == NB[0] ? ' ' : p[i], d->out);
        col += (unsigned)len;
        p += len;
    }
    fputs("\n\n", d->out);
}

static void heading(struct demo *d, const char *title, char underline)
{
    size_t i, n = strlen(title);

    fprintf(d->out, "%s%s\n", render_on(&d->st, PAINT_TITLE), title);
    for (i = 0; i < n; i++)
        fputc(underline, d->out);
    fprintf(d->out, "%s\n\n", render_off(&d->st));
}

/* The map and the free lists of a snapshot, with a remark on one list. */
static void picture(struct demo *d, const struct zone_view *v, int note_order,
                    const char *note)
{
    struct render_note n = {note_order, note};

    if (!render_map(d->out, v, &d->st, PIC_INDENT))
        d->failures++;
    fputc('\n', d->out);
    render_free_area(d->out, v, &d->st, PIC_INDENT, &n);
    fputc('\n', d->out);
}

static void picture_now(struct demo *d, const struct buddy_zone *z,
                        int note_order, const char *note)
{
    struct zone_view v;

    if (view_capture(&v, z) != 0)
        d->failures++;
    picture(d, &v, note_order, note);
    view_release(&v);
}

static const char *bin(char *buf, buddy_pfn_t v)
{
    return render_binary(buf, v, DEMO_BITS);
}

/* "free_area[2]" or "free_area[1..3]", for the lists [lo, hi]. */
static const char *area_range(char *buf, size_t size, unsigned lo, unsigned hi)
{
    if (lo == hi)
        snprintf(buf, size, "free_area[%u] is", lo);
    else
        snprintf(buf, size, "free_area[%u..%u] are", lo, hi);
    return buf;
}

/* What a block is, in words: "an allocated order-1 block". */
static const char *block_words(char *buf, size_t size,
                               const struct buddy_block *b)
{
    if (b == NULL)
        snprintf(buf, size, "outside the zone");
    else if (b->kind == BUDDY_BLOCK_HOLE)
        snprintf(buf, size, "a hole");
    else
        snprintf(buf, size, "%s %s order-%u block",
                 b->kind == BUDDY_BLOCK_ALLOCATED ? "an" : "a",
                 buddy_block_kind_name(b->kind), b->order);
    return buf;
}

/* ---- 1. splitting ------------------------------------------------------- */

/* The sentence for split i (of n) of an allocation of `order`. */
static void explain_split(struct demo *d, const struct step *s, unsigned i,
                          unsigned n, unsigned order)
{
    const struct buddy_event *ev = &s->ev;
    unsigned half = ev->order - 1;
    char label[32], range[48], why[64], lower[160];

    snprintf(label, sizeof(label), "Step %u of %u:", i + 1, n);
    /* Only the first split needs a reason: the lists below it were empty.
     * Later ones split the lower half the previous step kept. */
    if (i == 0)
        snprintf(why, sizeof(why), "%s empty, so the",
                 area_range(range, sizeof(range), order, ev->order - 1));
    else
        snprintf(why, sizeof(why), "the");
    if (half > order)
        snprintf(lower, sizeof(lower),
                 "The lower half (pfn %llu, order %u) is still bigger than "
                 "the request, so it stays in flight (~) to be split again.",
                 (unsigned long long)ev->pfn, half);
    else
        snprintf(lower, sizeof(lower),
                 "The lower half (pfn %llu, order %u) is the size asked for.",
                 (unsigned long long)ev->pfn, half);
    para(d, label,
         "%s order-%u block at pfn %llu is split: its upper half (pfn %llu, "
         "order %u) goes onto free_area[%u]. %s",
         why, ev->order, (unsigned long long)ev->pfn,
         (unsigned long long)ev->buddy, half, half, lower);
}

static void part_split(struct demo *d, struct cli_zone *cz)
{
    const unsigned order = 1;
    struct recorder rec;
    buddy_pfn_t pfn = BUDDY_PFN_NONE;
    unsigned i, k;
    char lists[96] = "";
    int err;

    heading(d, "1. Splitting: a request for an order-1 block", '-');
    para(d, "Step 0:",
         "all %u pages are free, as one order-%u block on free_area[%u]. A "
         "request for an order-%u block (%u pages) arrives: "
         "buddy_zone_alloc_pages(zone," NB "%u," NB "&pfn). The allocator "
         "looks at free_area[%u] and walks up to the first list that is not "
         "empty.",
         DEMO_PAGES, DEMO_MAX_ORDER, DEMO_MAX_ORDER, order, 1u << order,
         order, order);
    picture_now(d, cz->z, -1, NULL);

    recorder_start(&rec, cz->z);
    err = buddy_zone_alloc_pages(cz->z, order, &pfn);
    recorder_stop(d, &rec, cz->z);
    if (err != 0) {
        para(d, "Error:", "buddy_zone_alloc_pages failed: %s",
             buddy_strerror(err));
        d->failures++;
        recorder_release(&rec);
        return;
    }
    for (i = 0; i < rec.n; i++) {
        const struct step *s = &rec.step[i];
        char note[48];

        snprintf(note, sizeof(note), "<- upper half %llu",
                 (unsigned long long)s->ev.buddy);
        explain_split(d, s, i, rec.n, order);
        picture(d, &s->view, (int)s->ev.order - 1, note);
        k = s->ev.order - 1;
        snprintf(lists + strlen(lists), sizeof(lists) - strlen(lists),
                 "%s[%u]", i == 0 ? "" : i + 1 == rec.n ? " and " : ", ", k);
    }
    para(d, "Done:",
         "buddy_zone_alloc_pages returns pfn %llu: the order-%u block at "
         "pfn %llu is allocated (A). The %u split%s left one free block on free_area%s.",
         (unsigned long long)pfn, order, (unsigned long long)pfn, rec.n,
         rec.n == 1 ? "" : "s", lists);
    picture_now(d, cz->z, -1, NULL);
    recorder_release(&rec);
}

/* ---- 2. buddies ---------------------------------------------------------- */

/* Allocate a block of `order` and tell how the request was served. */
static buddy_pfn_t alloc_and_tell(struct demo *d, struct cli_zone *cz,
                                  unsigned order)
{
    struct recorder rec;
    buddy_pfn_t pfn = BUDDY_PFN_NONE;
    char label[64];
    int err;

    recorder_start(&rec, cz->z);
    err = buddy_zone_alloc_pages(cz->z, order, &pfn);
    recorder_stop(d, &rec, cz->z);
    if (err != 0) {
        para(d, "Error:", "buddy_zone_alloc_pages failed: %s",
             buddy_strerror(err));
        d->failures++;
    } else if (rec.n == 0) {
        snprintf(label, sizeof(label), "alloc order %u -> pfn %llu:", order,
                 (unsigned long long)pfn);
        para(d, label,
             "free_area[%u] held pfn %llu, so it is taken as it is; no split.",
             order, (unsigned long long)pfn);
    } else {
        const struct buddy_event *ev = &rec.step[0].ev;

        snprintf(label, sizeof(label), "alloc order %u -> pfn %llu:", order,
                 (unsigned long long)pfn);
        para(d, label,
             "free_area[%u] is empty now, so the order-%u block at pfn %llu "
             "is split%s: its upper half (pfn %llu, order %u) goes onto "
             "free_area[%u] and the lower half is allocated.",
             order, ev->order, (unsigned long long)ev->pfn,
             rec.n > 1 ? " (and split again)" : "",
             (unsigned long long)ev->buddy, ev->order - 1, ev->order - 1);
    }
    recorder_release(&rec);
    return pfn;
}

/* "at order 1, block 4 = 0100 has its buddy at 4 ^ 2 = 6 = 0110" */
static void buddy_sentence(struct demo *d, buddy_pfn_t pfn, unsigned order)
{
    buddy_pfn_t b = buddy_find_buddy_pfn(pfn, order);
    char x[65], y[65];

    fprintf(d->out,
            "  %sat order %u, block %llu = %s has its buddy at %llu ^ %llu = "
            "%llu = %s%s\n",
            render_on(&d->st, PAINT_EMPH), order, (unsigned long long)pfn,
            bin(x, pfn), (unsigned long long)pfn,
            (unsigned long long)((buddy_pfn_t)1 << order),
            (unsigned long long)b, bin(y, b), render_off(&d->st));
}

static void part_buddies(struct demo *d, struct cli_zone *cz)
{
    const unsigned order = 1;
    buddy_pfn_t pfn, b, parent, pb;
    struct zone_view v;
    const struct buddy_block *blk, *bblk, *pblk;
    char x[65], y[65], m[65], w1[96];
    unsigned i;

    heading(d, "2. Buddies: one bit of the pfn, flipped", '-');
    para(d, NULL, "Two more order-%u requests:", order);
    alloc_and_tell(d, cz, order);
    pfn = alloc_and_tell(d, cz, order);
    picture_now(d, cz->z, -1, NULL);
    if (pfn == BUDDY_PFN_NONE)
        return;

    b = buddy_find_buddy_pfn(pfn, order);
    para(d, NULL,
         "Two blocks of order n are buddies when their first pfns differ only "
         "in bit n, so the buddy of the block at pfn is "
         "pfn" NB "^" NB "(1" NB "<<" NB "n) "
         "(buddy_find_buddy_pfn). The allocator needs no search and no "
         "pointers to find it: one XOR.");
    buddy_sentence(d, pfn, order);
    fputc('\n', d->out);
    /* The XOR, digit over digit, with the flipped bit marked. */
    fprintf(d->out, "        %2llu = %s   the block, order %u\n",
            (unsigned long long)pfn, bin(x, pfn), order);
    fprintf(d->out, "    ^   %2llu = %s   1 << order\n",
            (unsigned long long)((buddy_pfn_t)1 << order),
            bin(m, (buddy_pfn_t)1 << order));
    fprintf(d->out, "    =   %2llu = %s   its buddy\n", (unsigned long long)b,
            bin(y, b));
    fprintf(d->out, "             ");
    for (i = 0; i < DEMO_BITS; i++)
        fputc(DEMO_BITS - 1 - i == order ? '^' : ' ', d->out);
    fprintf(d->out, "   bit %u flips\n\n", order);

    if (view_capture(&v, cz->z) != 0)
        d->failures++;
    blk = view_block_at(&v, pfn);
    bblk = view_block_at(&v, b);
    parent = pfn & b;
    pb = buddy_find_buddy_pfn(parent, order + 1);
    pblk = view_block_at(&v, pb);
    para(d, NULL,
         "Block %llu is %s and its buddy %llu is %s. The rule works both "
         "ways:",
         (unsigned long long)pfn,
         blk && blk->kind == BUDDY_BLOCK_ALLOCATED ? "allocated"
                                                   : "not allocated",
         (unsigned long long)b,
         bblk && bblk->kind == BUDDY_BLOCK_FREE ? "free" : "not free");
    buddy_sentence(d, b, order);
    fputc('\n', d->out);
    para(d, NULL,
         "So when block %llu is freed it merges with %llu into the order-%u "
         "block at pfn %llu" NB "=" NB "%llu" NB "&" NB "%llu. That block's "
         "buddy is found the "
         "same way, one bit higher:",
         (unsigned long long)pfn, (unsigned long long)b, order + 1,
         (unsigned long long)parent, (unsigned long long)pfn,
         (unsigned long long)b);
    buddy_sentence(d, parent, order + 1);
    fputc('\n', d->out);
    if (pblk != NULL && pblk->kind == BUDDY_BLOCK_FREE &&
        pblk->order == order + 1)
        para(d, NULL,
             "Pfn %llu heads a free order-%u block, so the merge would go on "
             "one more order.",
             (unsigned long long)pb, order + 1);
    else
        para(d, NULL,
             "Pfn %llu %s %s%s, not a free order-%u block, so the merge "
             "would stop there.",
             (unsigned long long)pb,
             pblk != NULL && pblk->pfn == pb ? "heads" : "lies in",
             block_words(w1, sizeof(w1), pblk),
             pblk != NULL && pblk->pfn != pb ? " further left" : "",
             order + 1);
    view_release(&v);
}

/* ---- 3. merging ---------------------------------------------------------- */

static void explain_merge(struct demo *d, const struct step *s, unsigned i,
                          unsigned n)
{
    const struct buddy_event *ev = &s->ev;
    char label[32], x[65], y[65];

    snprintf(label, sizeof(label), "Merge %u of %u:", i + 1, n);
    para(d, label,
         "at order %u, block %llu" NB "=" NB "%s has its buddy at "
         "%llu" NB "^" NB
         "%llu" NB "=" NB "%llu" NB "=" NB "%s, and it is free on "
         "free_area[%u]. The buddy leaves its list and "
         "the pair becomes one order-%u block at pfn %llu, in flight (~) %s.",
         ev->order, (unsigned long long)ev->pfn, bin(x, ev->pfn),
         (unsigned long long)ev->pfn,
         (unsigned long long)((buddy_pfn_t)1 << ev->order),
         (unsigned long long)ev->buddy, bin(y, ev->buddy), ev->order,
         ev->order + 1, (unsigned long long)(ev->pfn & ev->buddy),
         ev->order + 1 < s->view.max_order
             ? "while the allocator looks at its buddy one order up"
             : "until it goes onto a free list");
}

/* "order 3 at pfn 0, order 2 at 8 and order 1 at 12": the free blocks. */
static const char *free_blocks_words(char *buf, size_t size,
                                     const struct buddy_zone *z)
{
    struct zone_view v;
    size_t i, used = 0, n = 0, total = 0;

    buf[0] = '\0';
    if (view_capture(&v, z) == 0) {
        for (i = 0; i < v.nr_blocks; i++)
            total += v.blocks[i].kind == BUDDY_BLOCK_FREE;
        for (i = 0; i < v.nr_blocks && used < size; i++) {
            const struct buddy_block *b = &v.blocks[i];

            if (b->kind != BUDDY_BLOCK_FREE)
                continue;
            used += (size_t)snprintf(
                buf + used, size - used, "%sorder %u at %s%llu",
                n == 0 ? "" : n + 1 == total ? " and " : ", ", b->order,
                n == 0 ? "pfn " : "", (unsigned long long)b->pfn);
            n++;
        }
    }
    view_release(&v);
    return buf;
}

static int build_merge_zone(struct demo *d, struct cli_zone *cz,
                            buddy_pfn_t *freed)
{
    int err;

    /* Pages 14-15 enter first and are allocated at once; then 0-13 enter
     * and are carved into the largest aligned blocks (8 + 4 + 2 pages)
     * which cannot merge with the allocated pair. */
    err = cli_zone_create(cz, 0, DEMO_PAGES, DEMO_MAX_ORDER, 0, 0, true);
    if (err == 0)
        err = buddy_zone_add_range(cz->z, DEMO_PAGES - 2, 2);
    if (err == 0)
        err = buddy_zone_alloc_pages(cz->z, 1, freed);
    if (err == 0)
        err = buddy_zone_add_range(cz->z, 0, DEMO_PAGES - 2);
    if (err != 0) {
        para(d, "Error:", "building the zone failed: %s",
             cli_zone_strerror(err));
        d->failures++;
    }
    return err;
}

static void part_merge(struct demo *d, struct cli_zone *cz)
{
    struct recorder rec;
    struct zone_view after;
    buddy_pfn_t pfn = BUDDY_PFN_NONE, last_pfn;
    unsigned i, last_order;
    int order, err;
    char x[65], y[65], carved[160];

    heading(d, "3. Merging: a free that ripples up", '-');
    if (build_merge_zone(d, cz, &pfn) != 0)
        return;
    order = buddy_zone_pfn_order(cz->z, pfn);
    para(d, NULL,
         "A fresh %u-page zone in which only the order-%d block at the right "
         "end, pfn %llu, is allocated. It was built by giving the zone pfns "
         "%llu-%u first and allocating them, then giving it pfns 0-%llu, "
         "which buddy_zone_add_range carves into the largest aligned free "
         "blocks: %s.",
         DEMO_PAGES, order, (unsigned long long)pfn, (unsigned long long)pfn,
         DEMO_PAGES - 1, (unsigned long long)pfn - 1,
         free_blocks_words(carved, sizeof(carved), cz->z));
    para(d, "Step 0:",
         "the allocated block %llu = %s (order %d) has its buddy at %llu = %s, "
         "which is free. Now free it: buddy_zone_free_pfn(zone," NB "%llu).",
         (unsigned long long)pfn, bin(x, pfn), order,
         (unsigned long long)buddy_find_buddy_pfn(pfn, (unsigned)order),
         bin(y, buddy_find_buddy_pfn(pfn, (unsigned)order)),
         (unsigned long long)pfn);
    picture_now(d, cz->z, -1, NULL);

    recorder_start(&rec, cz->z);
    err = buddy_zone_free_pfn(cz->z, pfn);
    recorder_stop(d, &rec, cz->z);
    if (err != 0) {
        para(d, "Error:", "buddy_zone_free_pfn failed: %s",
             buddy_strerror(err));
        d->failures++;
        recorder_release(&rec);
        return;
    }
    last_pfn = pfn;
    last_order = (unsigned)order;
    for (i = 0; i < rec.n; i++) {
        const struct step *s = &rec.step[i];
        char note[48];

        snprintf(note, sizeof(note), "<- buddy %llu taken off",
                 (unsigned long long)s->ev.buddy);
        explain_merge(d, s, i, rec.n);
        picture(d, &s->view, (int)s->ev.order, note);
        last_pfn = s->ev.pfn & s->ev.buddy;
        last_order = s->ev.order + 1;
    }

    if (view_capture(&after, cz->z) != 0)
        d->failures++;
    if (last_order >= DEMO_MAX_ORDER) {
        para(d, "Done:",
             "order %u is the zone's max_order, so merging stops: the order-%u "
             "block at pfn %llu goes onto free_area[%u]. The zone is one free "
             "block again, exactly as it started.",
             last_order, last_order, (unsigned long long)last_pfn, last_order);
    } else {
        char w[96];
        buddy_pfn_t b = buddy_find_buddy_pfn(last_pfn, last_order);

        para(d, "Done:",
             "the buddy of the order-%u block at pfn %llu is pfn %llu, which "
             "is %s, so merging stops: the block goes onto free_area[%u].",
             last_order, (unsigned long long)last_pfn, (unsigned long long)b,
             block_words(w, sizeof(w), view_block_at(&after, b)), last_order);
    }
    picture(d, &after, (int)last_order, "<- the merged block");
    view_release(&after);
    recorder_release(&rec);
}

/* ---- 4. what the kernel would report ------------------------------------- */

static void part_report(struct demo *d, const struct cli_zone *cz,
                        const struct cli_zone *first)
{
    struct buddy_check_report rep;
    struct buddy_zone_stats st;
    char line[256];
    int err;

    heading(d, "4. The zone, as the kernel would report it", '-');
    buddy_zone_buddyinfo(cz->z, line, sizeof(line));
    para(d, NULL,
         "/proc/buddyinfo prints nr_free for each order, 0 to max_order, one "
         "line per zone (buddy_zone_buddyinfo):");
    fprintf(d->out, "  %s\n", line[0] ? line : "(none)\n");
    if (buddy_zone_get_stats(cz->z, &st) != 0)
        return;
    para(d, NULL,
         "The counters agree: %llu of %llu pages free, %llu splits and %llu "
         "merges in this zone.",
         (unsigned long long)st.free_pages,
         (unsigned long long)st.spanned_pages, (unsigned long long)st.splits,
         (unsigned long long)st.merges);
    err = buddy_zone_check(cz->z, &rep);
    if (err == 0 && first != NULL && first->z != NULL)
        err = buddy_zone_check(first->z, &rep);
    if (err == 0) {
        para(d, "buddy_zone_check: ok.",
             "Both zones pass the validator: every page is in exactly one "
             "block, every block is aligned to its size, every free block is "
             "on the list of its order with no free buddy beside it, and "
             "nr_free and the page counters add up.");
    } else {
        para(d, "buddy_zone_check: FAILED:",
             "%s (%s at pfn %llu, order %u)", buddy_strerror(err), rep.what,
             (unsigned long long)rep.pfn, rep.order);
        d->failures++;
    }
}

/* ---- the subcommand ------------------------------------------------------ */

int cli_demo_main(int argc, char **argv, enum cli_color color)
{
    struct demo d;
    struct cli_zone split_zone = {NULL, NULL}, merge_zone = {NULL, NULL};
    int i, err;

    bool fragmentation = false, tenants = false;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help();
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "fragmentation") == 0 && !fragmentation &&
            !tenants) {
            fragmentation = true;
            continue;
        }
        if (strcmp(argv[i], "tenants") == 0 && !tenants && !fragmentation) {
            tenants = true;
            continue;
        }
        if (!cli_parse_color_flag(argv[i], &color))
            return cli_usage_error("demo: unknown argument '%s'", argv[i],
                                   NULL);
    }
    if (fragmentation) /* plain text: the pictures are characters */
        return cli_demo_fragmentation(stdout);
    if (tenants)
        return cli_demo_tenants(stdout);
    d.out = stdout;
    d.st.color = cli_use_color(color, stdout);
    d.failures = 0;

    heading(&d, "The buddy allocator, step by step", '=');
    para(&d, NULL,
         "A zone of %u pages with max order %u. Every block is 2^order pages "
         "and starts at a pfn that is a multiple of its size: order 0 is one "
         "page, order %u is all %u. For each order the zone keeps a free "
         "list, free_area[order], and nr_free counts its blocks. Below, each "
         "list is shown with the pfns of its blocks (in pfn order), and the "
         "map draws every block as a box with its order underneath.",
         DEMO_PAGES, DEMO_MAX_ORDER, DEMO_MAX_ORDER, DEMO_PAGES);
    render_legend(d.out, &d.st, PIC_INDENT,
                  1u << BUDDY_BLOCK_FREE | 1u << BUDDY_BLOCK_ALLOCATED |
                      1u << BUDDY_BLOCK_INFLIGHT);
    fputc('\n', d.out);

    err = cli_zone_create(&split_zone, 0, DEMO_PAGES, DEMO_MAX_ORDER, 0, 0,
                          false);
    if (err != 0) {
        fprintf(stderr, "buddy: demo: cannot make the zone: %s\n",
                cli_zone_strerror(err));
        return CLI_EXIT_FAILED;
    }
    part_split(&d, &split_zone);
    part_buddies(&d, &split_zone);
    part_merge(&d, &merge_zone);
    if (merge_zone.z != NULL)
        part_report(&d, &merge_zone, &split_zone);
    cli_zone_destroy(&split_zone);
    cli_zone_destroy(&merge_zone);
    return d.failures != 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
