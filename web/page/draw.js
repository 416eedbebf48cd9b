// SPDX-License-Identifier: MIT
// draw.js: what every figure draws with: elements, words, strips of pages
// and free lists.
//
// A strip or a list drawn again over its last drawing changes only the
// elements whose block or row changed, so a redraw after a few operations
// costs a few elements, not a zone's worth: each element is kept under a
// signature of everything it shows, and one whose signature is unchanged is
// left in place. Clicks and focus are listened for on the strip itself, so a
// kept element needs nothing rewired.

import { BUDDY, KIND } from './abi.js';

export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function role(root, name) { return root.querySelector(`[data-role="${name}"]`); }

// Set a text only when it differs: an unchanged text costs no layout.
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const pagesWord = (n) => plural(n, 'page');
const ordinalWord = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
export const countWord = (n) => (n < ordinalWord.length ? ordinalWord[n] : String(n));
export const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
export const bin = (v, width) => v.toString(2).padStart(width, '0');
export const sup = (n) => String(n).split('').map((d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[d]).join('');
// Thousandths as mm/vmstat.c prints them: "%d.%03d".
export const milli = (v) => `${v < 0 ? '-' : ''}${Math.floor(Math.abs(v) / 1000)}.${String(Math.abs(v) % 1000).padStart(3, '0')}`;

// Each block kind's CSS class and word, from the core's own names
// (buddy_block_kind_name): filled by nameKinds once the module is loaded.
export const KIND_CLASS = {};
export const KIND_WORD = {};
const SPOKEN = { inflight: 'in flight' };

export function nameKinds(core) {
  for (const kind of Object.values(KIND)) {
    const name = core.kindName(kind);
    KIND_CLASS[kind] = `k-${name}`;
    KIND_WORD[kind] = SPOKEN[name] || name;
  }
}

// Why a block of order k whose buddy is a whole block of order k, but not a
// free one, does not merge with it, by what the buddy is.
function busyWords(found) {
  const word = KIND_WORD[found.kind];
  if (found.kind === KIND.RESERVED) return `${word}: reserved pages are never freed, so the two never merge`;
  if (found.kind === KIND.INFLIGHT) return `${word}: being split or merged, so no merge now`;
  if (found.kind === KIND.CACHED) return `${word}: held by a per-CPU cache, so no merge until the cache gives it back`;
  return `${word}: busy, so no merge until it is freed`;
}

// What the core says of a block's buddy, in words ("The buddy is ...").
export function buddyWords(b, { status, found }) {
  const k = b.order;
  switch (status) {
    case BUDDY.FREE:
      return b.kind === KIND.ALLOCATED ? `free at order ${k}: the two merge as soon as pfn ${b.pfn} is freed` : `free at order ${k}`;
    case BUDDY.BUSY: return busyWords(found);
    case BUDDY.SPLIT:
      return `split into smaller blocks (the one at ${found.pfn} is ${KIND_WORD[found.kind]}, order ${found.order}): not whole, so no merge`;
    case BUDDY.INSIDE: return `inside a larger ${KIND_WORD[found.kind]} block (order ${found.order} at ${found.pfn}): no merge`;
    case BUDDY.HOLE: return 'in a hole, never free: no merge';
    case BUDDY.OUTSIDE: return 'outside the zone, never free: no merge';
    case BUDDY.TOP: return `beside the point: order ${k} is max_order, and nothing merges above it`;
    default: return 'unknown';
  }
}

export function blockLabel(b) {
  if (b.kind === KIND.HOLE) return `hole of ${pagesWord(b.pages)} at pfn ${b.pfn}`;
  return `${KIND_WORD[b.kind]} order-${b.order} block at pfn ${b.pfn} (${pagesWord(b.pages)})`;
}

// Words inside a block of the small figures: [long, short].
export function kindLabel(b) {
  if (b.kind === KIND.ALLOCATED) return ['allocated', 'A'];
  if (b.kind === KIND.INFLIGHT) return ['in flight', '…'];
  if (b.kind === KIND.RESERVED) return ['reserved', 'R'];
  if (b.kind === KIND.CACHED) return ['cached', 'C'];
  return '';
}

// Cut [idx, idx + n) into rectangles of a grid `cols` pages wide: whole rows
// where the run covers them, single-row pieces elsewhere.
function segments(idx, n, cols) {
  const out = [];
  while (n > 0) {
    const r = Math.floor(idx / cols);
    const c = idx % cols;
    if (c === 0 && n >= cols) {
      const rows = Math.floor(n / cols);
      out.push({ r, c, w: cols, h: rows });
      idx += rows * cols;
      n -= rows * cols;
    } else {
      const w = Math.min(n, cols - c);
      out.push({ r, c, w, h: 1 });
      idx += w;
      n -= w;
    }
  }
  return out;
}

// The pages of the first rectangle segments() cuts a run into, without
// cutting it: a label is chosen by the room it has.
function firstWidth(idx, n, cols) {
  const c = idx % cols;
  return c === 0 && n >= cols ? cols * Math.floor(n / cols) : Math.min(n, cols - c);
}

const place = (p, off) => `grid-column:${p.c + 1 + off} / span ${p.w};grid-row:${p.r + 1} / span ${p.h}`;

// The elements of one block: one per rectangle it covers.
function blockNodes(b, st, s, opts, text) {
  const interactive = Boolean(opts.select) && b.kind !== KIND.HOLE;
  return segments(b.pfn - st.start, b.pages, s.cols).map((p, i) => {
    const first = i === 0;
    const button = interactive && first;
    const node = h(button ? 'button' : 'div', {
      class: `blk ${KIND_CLASS[b.kind]}${b.pfn === opts.selected ? ' is-selected' : ''}${first ? '' : ' blk-cont'}`
        + `${first && b.pfn === opts.mark ? ' is-marked' : ''}`,
      style: place(p, s.off),
      'data-pfn': b.pfn,
      'data-order': b.order,
      'data-kind': KIND_WORD[b.kind].replace(' ', '-'),
      'data-pages': b.pages,
      type: button ? 'button' : null,
      tabindex: button ? -1 : null,
      'aria-label': button ? blockLabel(b) + (opts.actionHint ? opts.actionHint(b) : '') : null,
      'aria-hidden': button ? null : 'true',
      title: blockLabel(b),
    });
    // A label is a string, or [long, short]: CSS shows the one that fits.
    if (first && Array.isArray(text)) {
      node.append(h('span', { class: 'blk-label' }, h('span', { class: 'lbl-long', text: text[0] }),
        h('span', { class: 'lbl-short', text: text[1] })));
    } else if (first && text) {
      node.append(h('span', { class: 'blk-label', text }));
    }
    return node;
  });
}

// The strip's frame: grid size, page ticks and row labels. A new frame
// starts the strip afresh.
function drawFrame(host, st, opts, s) {
  host.replaceChildren();
  host.classList.toggle('has-gutter', s.off === 1);
  host.style.setProperty('--cols', s.cols);
  host.style.setProperty('--rows', Math.ceil(st.pages / s.cols));
  host.style.gridTemplateRows = st.blocks.length ? '' : 'none';
  host.dataset.pages = st.pages;
  const rows = Math.ceil(st.pages / s.cols);
  if (opts.ticks) {
    for (let i = 0; i < Math.min(s.cols, st.pages); i++) {
      host.append(h('span', { class: 'tick', 'aria-hidden': 'true', text: st.start + i,
        style: `grid-column:${i + 1 + s.off};grid-row:${rows + 1}` }));
    }
  }
  if (opts.rowLabels) {
    for (let r = 0; r < rows; r++) {
      host.append(h('span', { class: 'row-label', 'aria-hidden': 'true', text: st.start + r * s.cols,
        style: `grid-column:1;grid-row:${r + 1}` }));
    }
  }
  s.frameCount = host.childNodes.length;
}

// Clicks and focus, for every block the strip will ever hold.
function listen(host) {
  const blockOf = (target) => {
    const s = host.stripState;
    const n = target instanceof Element ? target.closest('.blk') : null;
    if (!s || !n || !host.contains(n)) return null;
    const b = s.blocks.get(Number(n.dataset.pfn));
    return b && b.kind !== KIND.HOLE ? b : null;
  };
  host.addEventListener('click', (ev) => {
    const b = blockOf(ev.target);
    if (b && host.stripState.opts.select) host.stripState.opts.select(b);
  });
  host.addEventListener('focusin', (ev) => {
    const b = blockOf(ev.target);
    if (b && ev.target.matches('button.blk') && host.stripState.opts.onFocus) host.stripState.opts.onFocus(b);
  });
}

// Draw a zone's pages as a grid of blocks. opts:
//   cols        pages per row
//   label(b, w) text inside a block drawn w pages wide ('' for none)
//   select      make blocks keyboard/click targets: called with the block
//   focusPfn    the block that holds the roving tab stop
//   onFocus(b)  a block got focus
//   actionHint  words added to a target's label, by block
//   highlight   {pfn, pages} drawn as a buddy outline
//   markRange   {pfn, pages} drawn as a marked outline (a buddy leaving)
//   selected    pfn of the selected block
//   mark        pfn of a block to point out (the half a split just freed)
//   ticks       page numbers under the grid
//   rowLabels   the first pfn of each row, in a gutter on the left
// Returns the strip's keyboard targets, in address order.
export function drawStrip(host, st, opts = {}) {
  const cols = opts.cols || Math.min(st.pages, 16);
  const off = opts.rowLabels ? 1 : 0;
  const frame = `${cols} ${off} ${st.pages} ${st.start} ${Boolean(opts.ticks)} ${st.blocks.length > 0}`;
  let s = host.stripState;
  if (!s) listen(host);
  if (!s || s.frame !== frame) {
    s = { frame, cols, off, kept: new Map(), blocks: new Map(), frameCount: 0 };
    host.stripState = s;
    drawFrame(host, st, opts, s);
  }
  s.opts = opts;
  host.querySelectorAll('.buddy-ring, .mark-ring').forEach((n) => n.remove());

  const kept = new Map();
  const order = [];
  const items = [];
  s.blocks = new Map();
  for (const b of st.blocks) {
    s.blocks.set(b.pfn, b);
    const text = opts.label ? opts.label(b, firstWidth(b.pfn - st.start, b.pages, cols)) : '';
    const sig = `${b.pfn} ${b.pages} ${b.order} ${b.kind} ${b.pfn === opts.selected} ${b.pfn === opts.mark} `
      + `${Boolean(opts.select)} ${opts.actionHint ? opts.actionHint(b) : ''} ${Array.isArray(text) ? text.join('\n') : text}`;
    let nodes = s.kept.get(sig);
    if (nodes) s.kept.delete(sig);
    else nodes = blockNodes(b, st, s, opts, text);
    kept.set(sig, nodes);
    order.push(...nodes);
    if (nodes[0].tagName === 'BUTTON') items.push(nodes[0]);
  }
  for (const gone of s.kept.values()) for (const n of gone) n.remove();
  s.kept = kept;
  // What is left is in address order; put the new elements among it.
  let at = host.childNodes[s.frameCount] || null;
  for (const n of order) {
    if (n === at) at = at.nextSibling;
    else host.insertBefore(n, at);
  }

  const stop = items.find((n) => Number(n.dataset.pfn) === opts.focusPfn) || items[0];
  for (const n of items) {
    const want = n === stop ? 0 : -1;
    if (n.tabIndex !== want) n.tabIndex = want;
  }
  if (opts.highlight) placeRing(host, st, opts.highlight);
  if (opts.markRange) placeRing(host, st, opts.markRange, 'mark-ring is-marked');
  return items;
}

// Outline the pages [pfn, pfn + pages) of a strip drawn by drawStrip: a
// block's buddy, or (with cls) a buddy being taken off its list. Replaces the
// outline of the same kind drawn before, if any.
export function placeRing(host, st, { pfn, pages }, cls = 'buddy-ring') {
  const s = host.stripState;
  host.querySelectorAll(`.${cls.split(' ')[0]}`).forEach((n) => n.remove());
  for (const p of segments(pfn - st.start, pages, s.cols)) {
    host.append(h('div', { class: cls, 'aria-hidden': 'true', 'data-pfn': pfn, style: place(p, s.off) }));
  }
}

// Arrow keys move between the blocks of a strip (one tab stop for the grid).
export function rovingKeys(host, cols) {
  host.addEventListener('keydown', (ev) => {
    const items = [...host.querySelectorAll('button.blk')];
    const i = items.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    const pfn = Number(items[i].dataset.pfn);
    const c = cols();
    const byPfn = (target) => {
      let best = -1;
      items.forEach((n, k) => { if (Number(n.dataset.pfn) <= target) best = k; });
      return best;
    };
    if (ev.key === 'ArrowRight') j = Math.min(items.length - 1, i + 1);
    else if (ev.key === 'ArrowLeft') j = Math.max(0, i - 1);
    else if (ev.key === 'ArrowDown') j = byPfn(pfn + c);
    else if (ev.key === 'ArrowUp') j = byPfn(Math.max(0, pfn - c));
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = items.length - 1;
    else return;
    ev.preventDefault();
    if (j >= 0 && j !== i) {
      items[i].tabIndex = -1;
      items[j].tabIndex = 0;
      items[j].focus();
    }
  });
}

// One row of free_area[]: the order, its list head first, nr_free. The
// row's elements are made once; an update moves, adds and drops chips by
// pfn, as the list changed.
function listRow(k) {
  const r = { chips: h('span', { class: 'fa-chips' }), nr: h('span', { class: 'fa-n' }), kept: new Map(), extras: [] };
  r.row = h('div', { class: 'fa-row', 'data-order': k },
    h('span', { class: 'fa-order' }, h('span', { class: 'fa-k', text: `order ${k}` }),
      h('span', { class: 'fa-size', text: pagesWord(2 ** k) })),
    r.chips,
    h('span', { class: 'fa-count' }, h('span', { class: 'fa-nr', text: 'nr_free' }), r.nr));
  return r;
}

function chip(pfn) {
  return h('span', { class: 'chip', 'data-pfn': pfn, text: `@${pfn}` });
}

function updateRow(r, k, free, nr, opts, maxChips) {
  r.row.classList.toggle('is-empty', nr === 0);
  r.row.dataset.nrFree = nr;
  r.row.querySelector('.fa-count').setAttribute('aria-label', `nr_free ${nr}`);
  setText(r.nr, ` ${nr}`);
  for (const n of r.extras) n.remove();
  const shown = free.slice(0, maxChips);
  const kept = new Map();
  for (const pfn of shown) {
    const n = r.kept.get(pfn) || chip(pfn);
    r.kept.delete(pfn);
    kept.set(pfn, n);
  }
  for (const n of r.kept.values()) n.remove();
  r.kept = kept;
  let at = r.chips.firstChild;
  shown.forEach((pfn, i) => {
    const n = kept.get(pfn);
    if (n === at) at = at.nextSibling;
    else r.chips.insertBefore(n, at);
    n.classList.toggle('is-new', pfn === opts.mark);
    const title = `free block at pfn ${pfn}${i === 0 ? `: the head, which the next order-${k} allocation takes` : ''}`;
    if (n.title !== title) n.title = title;
  });
  r.extras = [];
  const leaving = opts.leaving && opts.leaving.order === k ? opts.leaving.pfn : null;
  if (free.length === 0 && leaving === null) r.extras.push(h('span', { class: 'fa-empty', text: '∅ empty' }));
  if (free.length > maxChips) r.extras.push(h('span', { class: 'fa-more', text: `+${free.length - maxChips} more` }));
  // The buddy a merge just took off this list: shown where it was, struck out.
  if (leaving !== null) {
    r.extras.push(h('span', { class: 'fa-gone is-leaving', 'data-pfn': leaving,
      title: `the buddy at pfn ${leaving} left free_area[${k}] to merge`, text: `@${leaving}` },
    h('span', { class: 'sr-only', text: ' (left the list)' })));
  }
  r.chips.append(...r.extras);
}

// Draw free_area[]: one row per order, from max_order down, with the blocks
// on that order's list as the core links them (head first: the block the
// next allocation of the order takes) and the core's own nr_free. A row
// whose list is unchanged since the last drawing is left alone. opts:
// maxChips, mark (a pfn just put on a list), leaving ({order, pfn} just
// taken off), inflightVerb.
export function drawLists(host, st, opts = {}) {
  const maxChips = opts.maxChips || 64;
  let s = host.listState;
  if (!s || s.maxOrder !== st.maxOrder) {
    s = { maxOrder: st.maxOrder, rows: [], keys: [], notes: [] };
    for (let k = st.maxOrder; k >= 0; k--) s.rows[k] = listRow(k);
    host.replaceChildren(...s.rows.map((r) => r.row).reverse());
    host.listState = s;
  }
  for (let k = st.maxOrder; k >= 0; k--) {
    const free = st.lists[k];
    const nr = st.nrFree[k];
    const leaving = opts.leaving && opts.leaving.order === k ? opts.leaving.pfn : '';
    const key = `${nr} ${free.length} ${free.slice(0, maxChips).join(',')} ${free.includes(opts.mark) ? opts.mark : ''} ${leaving}`;
    if (s.keys[k] === key) continue;
    updateRow(s.rows[k], k, free, nr, opts, maxChips);
    s.keys[k] = key;
  }
  for (const n of s.notes) n.remove();
  s.notes = st.blocks.filter((b) => b.kind === KIND.INFLIGHT).map((b) => h('div', { class: 'fa-inflight', 'data-pfn': b.pfn, 'data-order': b.order },
    h('span', { class: 'swatch k-inflight', 'aria-hidden': 'true' }),
    `in flight: order-${b.order} block @${b.pfn} — being ${opts.inflightVerb || 'split or merged'}, on no list`));
  host.append(...s.notes);
}

export function drawLegend(host, kinds) {
  host.replaceChildren(...kinds.map((k) => h('span', { class: 'legend-item' },
    h('span', { class: `swatch ${KIND_CLASS[k]}`, 'aria-hidden': 'true' }), KIND_WORD[k])));
}

// Free lists as {order: [pfn...]}, head first, non-empty lists only (what
// the e2e tests compare).
export function listsOf(st) {
  const out = {};
  st.lists.forEach((pfns, k) => { if (pfns.length) out[k] = pfns.slice(); });
  return out;
}
