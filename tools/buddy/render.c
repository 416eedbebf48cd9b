/* SPDX-License-Identifier: MIT */
/*
 * render.c: the pictures: page map, free_area[] lists, legend.
 *
 * The page map draws each page as a cell of `cell` columns with a one-column
 * boundary before it; a boundary is a frame line where a block starts and a
 * space inside a block, so every block reads as one framed box:
 *
 *   pfn   0   1   2   3   4   5   6   7 ...
 *       +-------+-------+---------------+
 *       | A   A | .   . | .   .   .   . |
 *       +-------+-------+---------------+
 *        order 1 order 1     order 2
 *
 * Letters carry the kind, so the picture reads the same without colour;
 * colour (a background per kind) is only added on top.
 *
 * Free lists are printed in pfn order: the public API walks blocks, it does
 * not expose the order of the entries on a list.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define PAGES_PER_ROW 16u

/* ---- colour ------------------------------------------------------------- */

const char *render_on(const struct render_style *st, int what)
{
    if (!st->color)
        return "";
    switch (what) {
    case BUDDY_BLOCK_FREE:
        return "\033[30;42m";
    case BUDDY_BLOCK_ALLOCATED:
        return "\033[1;97;41m";
    case BUDDY_BLOCK_INFLIGHT:
        return "\033[30;43m";
    case BUDDY_BLOCK_RESERVED:
        return "\033[97;44m";
    case BUDDY_BLOCK_HOLE:
        return "\033[100m";
    case BUDDY_BLOCK_CACHED:
        return "\033[30;46m";
    case PAINT_TITLE:
        return "\033[1m";
    case PAINT_EMPH:
        return "\033[1;36m";
    case PAINT_DIM:
        return "\033[2m";
    default:
        return "";
    }
}

const char *render_off(const struct render_style *st)
{
    return st->color ? "\033[0m" : "";
}

char render_kind_letter(enum buddy_block_kind kind)
{
    switch (kind) {
    case BUDDY_BLOCK_FREE:
        return '.';
    case BUDDY_BLOCK_ALLOCATED:
        return 'A';
    case BUDDY_BLOCK_INFLIGHT:
        return '~';
    case BUDDY_BLOCK_RESERVED:
        return 'R';
    case BUDDY_BLOCK_HOLE:
        return ' ';
    case BUDDY_BLOCK_CACHED:
        return 'C';
    }
    return '?';
}

/* ---- snapshots ---------------------------------------------------------- */

static int collect_block(void *arg, const struct buddy_block *b)
{
    struct zone_view *v = arg;

    if (v->nr_blocks == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        struct buddy_block *nb;

        /* Doubling must not wrap a 32-bit size_t (a zone has up to 2^32
         * blocks). */
        if (v->cap > SIZE_MAX / 2 / sizeof(*nb))
            return -1;
        nb = realloc(v->blocks, cap * sizeof(*nb));
        if (nb == NULL)
            return -1;
        v->blocks = nb;
        v->cap = cap;
    }
    v->blocks[v->nr_blocks++] = *b;
    return 0;
}

int view_capture(struct zone_view *v, const struct buddy_zone *z)
{
    struct buddy_zone_info info;
    struct buddy_zone_stats stats;
    unsigned k;

    memset(v, 0, sizeof(*v));
    if (buddy_zone_get_info(z, &info) != 0 ||
        buddy_zone_get_stats(z, &stats) != 0)
        return -1;
    v->start_pfn = info.start_pfn;
    v->nr_pages = stats.spanned_pages;
    v->max_order = info.max_order;
    for (k = 0; k <= info.max_order; k++)
        v->nr_free[k] = stats.nr_free[k];
    return buddy_zone_walk(z, collect_block, v) == 0 ? 0 : -1;
}

int view_capture_in_hook(struct zone_view *v, const struct buddy_zone *z)
{
    struct buddy_zone_info info;
    size_t i;

    /* A hook runs under the zone's lock when it has one, and only the
     * _locked walk (and get_info, which takes no lock) may be called then;
     * the span and nr_free are counted from the blocks the walk sees. */
    memset(v, 0, sizeof(*v));
    if (buddy_zone_get_info(z, &info) != 0)
        return -1;
    v->start_pfn = info.start_pfn;
    v->max_order = info.max_order;
    if (buddy_zone_walk_locked(z, collect_block, v) != 0)
        return -1;
    for (i = 0; i < v->nr_blocks; i++) {
        const struct buddy_block *b = &v->blocks[i];

        v->nr_pages += b->nr_pages;
        if (b->kind == BUDDY_BLOCK_FREE && b->order < BUDDY_NR_ORDERS)
            v->nr_free[b->order]++;
    }
    return 0;
}

void view_release(struct zone_view *v)
{
    free(v->blocks);
    memset(v, 0, sizeof(*v));
}

const struct buddy_block *view_block_at(const struct zone_view *v,
                                        buddy_pfn_t pfn)
{
    size_t i;

    for (i = 0; i < v->nr_blocks; i++)
        if (pfn >= v->blocks[i].pfn &&
            pfn - v->blocks[i].pfn < v->blocks[i].nr_pages)
            return &v->blocks[i];
    return NULL;
}

/* ---- the page map ------------------------------------------------------- */

static unsigned decimal_digits(uint64_t x)
{
    unsigned n = 1;

    while (x >= 10) {
        x /= 10;
        n++;
    }
    return n;
}

static void spaces(FILE *out, unsigned n)
{
    while (n-- > 0)
        fputc(' ', out);
}

/* One row of the map: pages [first, first + n). `cell` is the interior
 * width of a page. */
struct row {
    buddy_pfn_t first;
    unsigned n;
    unsigned cell;
    const struct buddy_block *blk[PAGES_PER_ROW]; /* block of each page */
};

/* Is there a block edge just before page j of the row (j == n: the end)? */
static bool edge_before(const struct row *r, unsigned j)
{
    return j == 0 || j == r->n || r->blk[j] != r->blk[j - 1];
}

static void draw_border(FILE *out, const struct row *r, unsigned margin)
{
    unsigned j;

    spaces(out, margin);
    for (j = 0; j < r->n; j++) {
        unsigned c;

        fputc(edge_before(r, j) ? '+' : '-', out);
        for (c = 0; c < r->cell; c++)
            fputc('-', out);
    }
    fputs("+\n", out);
}

static void draw_cells(FILE *out, const struct row *r,
                       const struct render_style *st, unsigned margin)
{
    unsigned j;

    spaces(out, margin);
    for (j = 0; j < r->n; j++) {
        enum buddy_block_kind kind = r->blk[j]->kind;
        char cell[24];

        /* The letter sits under the last digit of the pfn label. */
        memset(cell, ' ', r->cell);
        cell[r->cell - 2] = render_kind_letter(kind);
        cell[r->cell] = '\0';
        if (edge_before(r, j))
            fprintf(out, "|%s%s", render_on(st, (int)kind), cell);
        else
            fprintf(out, " %s", cell); /* still painted: one solid block */
        if (edge_before(r, j + 1))
            fputs(render_off(st), out);
    }
    fputs("|\n", out);
}

/* Under each block: its order ("order 3", "o3"), or "hole"; the longest
 * form that fits the block's width in this row, centred. Built in a buffer
 * so the trailing blanks can be cut. */
static void draw_labels(FILE *out, const struct row *r,
                        const struct render_style *st, unsigned margin)
{
    char line[1024];
    size_t used = 0;
    unsigned j = 0;

    while (j < r->n) {
        const struct buddy_block *b = r->blk[j];
        unsigned pages = 0, width, len, pad;
        char label[32];

        while (j + pages < r->n && r->blk[j + pages] == b)
            pages++;
        width = pages * (r->cell + 1) - 1;
        if (b->kind == BUDDY_BLOCK_HOLE)
            snprintf(label, sizeof(label), "%s", width >= 4 ? "hole" : "h");
        else if (b->pfn < r->first)
            label[0] = '\0'; /* labelled on the row where it starts */
        else {
            snprintf(label, sizeof(label), "order %u", b->order);
            if (strlen(label) > width)
                snprintf(label, sizeof(label), "o%u", b->order);
        }
        len = (unsigned)strlen(label);
        if (len > width)
            len = 0;
        pad = (width - len) / 2;
        if (used < sizeof(line))
            used += (size_t)snprintf(line + used, sizeof(line) - used,
                                     "%*s%s%.*s%s%*s", (int)(1 + pad), "",
                                     len ? render_on(st, PAINT_DIM) : "",
                                     (int)len, label,
                                     len ? render_off(st) : "",
                                     (int)(width - len - pad), "");
        j += pages;
    }
    if (used >= sizeof(line))
        used = sizeof(line) - 1;
    while (used > 0 && line[used - 1] == ' ')
        used--;
    line[used] = '\0';
    spaces(out, margin);
    fprintf(out, "%s\n", line);
}

bool render_map(FILE *out, const struct zone_view *v,
                const struct render_style *st, unsigned indent)
{
    buddy_pfn_t end = v->start_pfn + v->nr_pages;
    unsigned margin = indent + 5; /* room for "pfn" before the first cell */
    unsigned cell;
    buddy_pfn_t first;

    if (v->nr_pages == 0 || v->nr_pages > RENDER_MAX_PAGES)
        return false;
    cell = decimal_digits(end - 1) + 1;
    if (cell < 3)
        cell = 3;
    for (first = v->start_pfn; first < end; first += PAGES_PER_ROW) {
        struct row r;
        unsigned j;

        r.first = first;
        r.n = end - first < PAGES_PER_ROW ? (unsigned)(end - first)
                                          : PAGES_PER_ROW;
        r.cell = cell;
        for (j = 0; j < r.n; j++) {
            r.blk[j] = view_block_at(v, first + j);
            if (r.blk[j] == NULL)
                return false; /* a snapshot that does not tile the span */
        }
        if (first != v->start_pfn)
            fputc('\n', out); /* rows apart, so blocks do not run together */
        spaces(out, indent);
        fprintf(out, "%s%-5s", render_on(st, PAINT_DIM), "pfn");
        for (j = 0; j < r.n; j++) /* the cell's last column stays blank */
            fprintf(out, " %*llu%s", (int)cell - 1,
                    (unsigned long long)(first + j), j + 1 < r.n ? " " : "");
        fprintf(out, "%s\n", render_off(st));
        draw_border(out, &r, margin);
        draw_cells(out, &r, st, margin);
        draw_border(out, &r, margin);
        draw_labels(out, &r, st, margin);
    }
    return true;
}

/* ---- free_area[] -------------------------------------------------------- */

/* Column where notes start, so they line up under each other. */
#define NOTE_COLUMN 44

void render_free_area(FILE *out, const struct zone_view *v,
                      const struct render_style *st, unsigned indent,
                      const struct render_note *note)
{
    unsigned k = v->max_order + 1;

    while (k-- > 0) {
        size_t i, shown = 0;
        int col; /* visible columns written: escapes are not counted */

        spaces(out, indent);
        col = fprintf(out, "free_area[%u]  nr_free %llu  ", k,
                      (unsigned long long)v->nr_free[k]);
        for (i = 0; i < v->nr_blocks; i++) {
            const struct buddy_block *b = &v->blocks[i];

            if (b->kind != BUDDY_BLOCK_FREE || b->order != k)
                continue;
            if (shown++ == 0)
                col += fprintf(out, "%s", v->nr_free[k] > 1 ? "pfns" : "pfn");
            col += fprintf(out, " ");
            fputs(render_on(st, PAINT_EMPH), out);
            col += fprintf(out, "%llu", (unsigned long long)b->pfn);
            fputs(render_off(st), out);
        }
        if (shown == 0) {
            fputs(render_on(st, PAINT_DIM), out);
            col += fprintf(out, "(empty)");
            fputs(render_off(st), out);
        }
        if (note != NULL && note->order == (int)k && note->text != NULL) {
            spaces(out, col + 1 < NOTE_COLUMN ? (unsigned)(NOTE_COLUMN - col)
                                              : 1u);
            fprintf(out, "%s%s%s", render_on(st, PAINT_EMPH), note->text,
                    render_off(st));
        }
        fputc('\n', out);
    }
}

/* ---- legend ------------------------------------------------------------- */

void render_legend(FILE *out, const struct render_style *st, unsigned indent,
                   unsigned kinds)
{
    static const struct {
        enum buddy_block_kind kind;
        const char *text;
    } items[] = {
        {BUDDY_BLOCK_FREE, "free"},
        {BUDDY_BLOCK_ALLOCATED, "allocated"},
        {BUDDY_BLOCK_INFLIGHT, "in flight (being split or merged)"},
        {BUDDY_BLOCK_RESERVED, "reserved"},
        {BUDDY_BLOCK_CACHED, "cached (held by a per-CPU cache)"},
        {BUDDY_BLOCK_HOLE, "hole (blank: not given to the zone)"},
    };
    size_t i;
    bool first = true;

    spaces(out, indent);
    fputs("legend:", out);
    for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        if (!(kinds & (1u << items[i].kind)))
            continue;
        fprintf(out, "%s%s %c %s %s", first ? " " : "   ",
                render_on(st, (int)items[i].kind),
                render_kind_letter(items[i].kind), render_off(st),
                items[i].text);
        first = false;
    }
    fputc('\n', out);
}

/* ---- numbers ------------------------------------------------------------ */

const char *render_binary(char *buf, buddy_pfn_t v, unsigned bits)
{
    unsigned n = 1, i;

    while (n < 64 && (v >> n) != 0)
        n++;
    if (n < bits)
        n = bits;
    if (n > 64)
        n = 64;
    for (i = 0; i < n; i++)
        buf[i] = (char)('0' + ((v >> (n - 1 - i)) & 1u));
    buf[n] = '\0';
    return buf;
}
