/* SPDX-License-Identifier: MIT */
/*
 * render.h: drawing a zone for people: the page map (pages in a row, blocks
 * framed, a letter and a colour per kind), the free_area[] lists, the
 * legend, and numbers in binary for the buddy rule.
 *
 * Drawing works on a snapshot (struct zone_view) rather than on the zone, so
 * a snapshot taken inside the event hook, with a block in flight, can be
 * drawn after the operation has finished.
 */
#ifndef BUDDY_TOOL_RENDER_H
#define BUDDY_TOOL_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "buddy/buddy.h"

/* The map draws at most this many pages (16 rows of 16). */
#define RENDER_MAX_PAGES 256u

struct render_style {
    bool color; /* ANSI colour escapes on */
};

/* What the renderer paints, besides block kinds. */
enum render_paint {
    PAINT_TITLE = 100, /* headings */
    PAINT_EMPH,        /* a number or name the text is about */
    PAINT_DIM          /* secondary text */
};

/* The escape that starts painting `what` (a buddy_block_kind or a
 * render_paint), and the one that ends it; "" without colour. */
const char *render_on(const struct render_style *st, int what);
const char *render_off(const struct render_style *st);

/* A snapshot of a zone: its blocks in pfn order and its nr_free counters. */
struct zone_view {
    buddy_pfn_t start_pfn;
    uint64_t nr_pages;                 /* spanned */
    unsigned max_order;
    uint64_t nr_free[BUDDY_NR_ORDERS]; /* blocks on free_area[order] */
    struct buddy_block *blocks;        /* malloc'd, nr_blocks of them */
    size_t nr_blocks;
    size_t cap;
};

/* Take a snapshot: nr_free from the zone's counters. 0, or -1 when out of
 * memory or the walk failed (a view_release is still safe). */
int view_capture(struct zone_view *v, const struct buddy_zone *z);
/* The same from inside an event hook, where the zone's lock (if it has one)
 * is held: nr_free is counted from the free blocks the walk sees. */
int view_capture_in_hook(struct zone_view *v, const struct buddy_zone *z);
void view_release(struct zone_view *v);

/* The block of the view that contains pfn, or NULL. */
const struct buddy_block *view_block_at(const struct zone_view *v,
                                        buddy_pfn_t pfn);

/* Draw the page map: rows of 16 pages, pfns above, each block framed and
 * labelled with its order below. Nothing (and false) above
 * RENDER_MAX_PAGES. `indent` spaces start every line. */
bool render_map(FILE *out, const struct zone_view *v,
                const struct render_style *st, unsigned indent);

/* A remark printed beside one free list, e.g. "<- upper half". */
struct render_note {
    int order;        /* -1 for none */
    const char *text;
};

/* Draw free_area[max_order] down to free_area[0]: nr_free and the pfns of
 * the free blocks of each order, in pfn order. */
void render_free_area(FILE *out, const struct zone_view *v,
                      const struct render_style *st, unsigned indent,
                      const struct render_note *note);

/* The legend for the block kinds in `kinds` (bit 1 << kind). */
void render_legend(FILE *out, const struct render_style *st, unsigned indent,
                   unsigned kinds);

/* The letter a kind is drawn with. */
char render_kind_letter(enum buddy_block_kind kind);

/* v in binary, at least `bits` digits, into buf (65 bytes). */
const char *render_binary(char *buf, buddy_pfn_t v, unsigned bits);

#endif /* BUDDY_TOOL_RENDER_H */
