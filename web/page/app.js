// SPDX-License-Identifier: MIT
// app.js: the field guide's figures, drawn from libbuddy's C core.
//
// The core (src/core/*.c) and a thin C ABI (web/wasm/) are compiled to one
// WebAssembly module that web/build.mjs inlines into the page as base64. This
// file only draws: every block, list, count, index, verdict and error on the
// page comes from an exported C function. It holds no allocator logic: an
// allocation or a free is a `buddy run` script line handed to pg_exec, the
// step-through demos replay snapshots the C side recorded from the core's
// event hook, and even the buddy of a block and the random workload's next
// command are asked of the module.
//
// Sections: Core (the module's ABI), drawing helpers (strips of pages, free
// lists), the figures (FIG. 0-3, DEMO 1-2) and the Playground, then start().

'use strict';

/* ------------------------------------------------------------------------ */
/* The module                                                                */
/* ------------------------------------------------------------------------ */

// enum buddy_block_kind and enum buddy_event_type of include/buddy/buddy.h.
const KIND = { HOLE: 1, FREE: 2, ALLOCATED: 3, RESERVED: 4, INFLIGHT: 5 };
const KIND_CLASS = { 1: 'k-hole', 2: 'k-free', 3: 'k-allocated', 4: 'k-reserved', 5: 'k-inflight' };
const KIND_WORD = { 1: 'hole', 2: 'free', 3: 'allocated', 4: 'reserved', 5: 'in flight' };
const EV = { ALLOC: 1, FREE: 2, SPLIT: 3, MERGE: 4, FALLBACK: 5, FAIL: 6, REJECT: 7, ADD_RANGE: 8, RESERVE: 9 };
// Layout constants of web/wasm/playground.h.
const PG_NONE = 0xffffffff;
const BLOCK_WORDS = 4;
const EVENT_WORDS = 42;
const NR_ORDERS = 32;
const ABI_VERSION = 2;
// Which zone slot each figure owns.
const SLOT = { FIG: 0, DEMO_ALLOC: 1, DEMO_FREE: 2, XOR: 3, PLAY: 4, HERO: 5 };
// enum pg_buddy_status.
const BUDDY = { FREE: 0, BUSY: 1, SPLIT: 2, INSIDE: 3, HOLE: 4, OUTSIDE: 5, TOP: 6 };
// pg_stat() selectors.
const STAT = { SPANNED: 0, PRESENT: 1, MANAGED: 2, RESERVED: 3, FREE: 4, ALLOCATED: 5, SPLITS: 6, MERGES: 7, FAILURES: 8, REJECTED: 9 };

class Core {
  constructor(exports) {
    this.x = exports;
    this.enc = new TextEncoder();
    this.dec = new TextDecoder();
    if (this.x.pg_abi_version() !== ABI_VERSION) throw new Error('unexpected module ABI version');
  }

  u8() { return new Uint8Array(this.x.memory.buffer); }
  u32() { return new Uint32Array(this.x.memory.buffer); }

  str(ptr) {
    const m = this.u8();
    let end = ptr;
    while (m[end] !== 0) end++;
    return this.dec.decode(m.subarray(ptr, end));
  }

  blocksAt(ptr, n) {
    const u = this.u32();
    const out = [];
    for (let i = 0, w = ptr >>> 2; i < n; i++, w += BLOCK_WORDS) {
      out.push({ pfn: u[w], pages: u[w + 1], order: u[w + 2], kind: u[w + 3] });
    }
    return out;
  }

  // Free lists as the core links them, [order] -> [pfn ...] head first, from
  // blocks listed order by order (pg_walk_free_list, or a recording).
  listsFrom(blocks, maxOrder) {
    const out = Array.from({ length: maxOrder + 1 }, () => []);
    for (const b of blocks) out[b.order].push(b.pfn);
    return out;
  }

  // One `buddy run` line against a slot: its result and the core's events.
  exec(slot, line) {
    const bytes = this.enc.encode(line);
    if (bytes.length >= this.x.pg_inbuf_size()) {
      return { code: -1001, cmd: '', out: 'line too long', pfn: PG_NONE, order: 0, events: [] };
    }
    this.u8().set(bytes, this.x.pg_inbuf());
    const code = this.x.pg_exec(slot, bytes.length);
    return {
      code,
      cmd: this.str(this.x.pg_exec_cmd()),
      out: this.str(this.x.pg_out()),
      pfn: this.x.pg_last_pfn() >>> 0,
      order: this.x.pg_last_order(),
      events: this.events(),
    };
  }

  events() {
    const n = this.x.pg_event_count();
    const u = this.u32();
    const base = this.x.pg_events() >>> 2;
    const pool = this.x.pg_snapshot_pool();
    const out = [];
    for (let i = 0; i < n; i++) {
      const e = base + i * EVENT_WORDS;
      out.push({
        type: u[e], pfn: u[e + 1], order: u[e + 2], buddy: u[e + 3], nrPages: u[e + 4],
        error: u[e + 5] | 0,
        blocks: u[e + 7] === PG_NONE ? null : this.blocksAt(pool + u[e + 6] * BLOCK_WORDS * 4, u[e + 7]),
        nrFree: Array.from(u.subarray(e + 8, e + 8 + NR_ORDERS)),
        listBlocks: u[e + 9 + NR_ORDERS] === PG_NONE ? null
          : this.blocksAt(pool + u[e + 8 + NR_ORDERS] * BLOCK_WORDS * 4, u[e + 9 + NR_ORDERS]),
      });
    }
    return out;
  }

  walk(slot) { return this.blocksAt(this.x.pg_blocks(), this.x.pg_walk(slot)); }
  // Every free_area[] list, head first, as pg_walk_free_list visits it.
  lists(slot) {
    const maxOrder = this.maxOrder(slot);
    const blocks = [];
    for (let k = 0; k <= maxOrder; k++) {
      blocks.push(...this.blocksAt(this.x.pg_blocks(), this.x.pg_walk_free_list(slot, k)));
    }
    return this.listsFrom(blocks, maxOrder);
  }
  hasZone(slot) { return this.x.pg_has_zone(slot) !== 0; }
  pages(slot) { return this.x.pg_pages(slot) >>> 0; }
  start(slot) { return this.x.pg_start_pfn(slot) >>> 0; }
  maxOrder(slot) { return this.x.pg_max_order(slot); }
  stat(slot, which) { return this.x.pg_stat(slot, which) >>> 0; }
  nrFree(slot) {
    const out = [];
    for (let k = 0; k <= this.maxOrder(slot); k++) out.push(this.x.pg_nr_free(slot, k) >>> 0);
    return out;
  }
  largestFreeOrder(slot) { return this.x.pg_largest_free_order(slot); }
  unusable(slot, order) { return this.x.pg_unusable_index(slot, order); }
  fragmentation(slot, order) { return this.x.pg_fragmentation_index(slot, order); }
  buddyinfo(slot) { this.x.pg_buddyinfo(slot); return this.str(this.x.pg_out()); }
  check(slot) { const code = this.x.pg_check(slot); return { code, text: this.str(this.x.pg_out()) }; }
  buddyOf(pfn, order) { return this.x.pg_buddy_of(pfn, order) >>> 0; }
  // Where the buddy of (pfn, order) stands: a BUDDY status and the block there.
  buddyStatus(slot, pfn, order) {
    const status = this.x.pg_buddy_status(slot, pfn, order);
    const found = status === BUDDY.FREE || status === BUDDY.BUSY || status === BUDDY.SPLIT
      || status === BUDDY.INSIDE || status === BUDDY.HOLE ? this.blocksAt(this.x.pg_blocks(), 1)[0] : null;
    return { status, found, pfn: this.buddyOf(pfn, order) };
  }
  findBlock(slot, pfn) {
    const err = this.x.pg_find_block(slot, pfn);
    return err === 0 ? this.blocksAt(this.x.pg_blocks(), 1)[0] : null;
  }
  errname(code) { return this.str(this.x.pg_errname(code)); }
  workloadSeed(slot, seed) { this.x.pg_workload_seed(slot, seed >>> 0); }
  workloadNext(slot) { return this.x.pg_workload_next(slot) ? this.str(this.x.pg_out()) : ''; }
  setSnapshots(slot, on) { this.x.pg_set_snapshots(slot, on ? 1 : 0); }

  // Everything a figure draws of a zone at this moment.
  state(slot) {
    return { blocks: this.walk(slot), lists: this.lists(slot), nrFree: this.nrFree(slot),
      maxOrder: this.maxOrder(slot), pages: this.pages(slot), start: this.start(slot) };
  }
}

async function loadCore() {
  const holder = document.getElementById('buddy-wasm');
  if (!holder) throw new Error('the page was not built: run `make playground` and open build/web/index.html');
  const text = holder.textContent.trim();
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return { core: new Core(instance.exports), moduleBytes: bytes.length };
}

/* ------------------------------------------------------------------------ */
/* Drawing helpers                                                           */
/* ------------------------------------------------------------------------ */

function h(tag, attrs, ...children) {
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

function role(root, name) { return root.querySelector(`[data-role="${name}"]`); }

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pagesWord = (n) => plural(n, 'page');
const ordinalWord = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const countWord = (n) => (n < ordinalWord.length ? ordinalWord[n] : String(n));
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const bin = (v, width) => v.toString(2).padStart(width, '0');
const sup = (n) => String(n).split('').map((d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[d]).join('');
// Thousandths as mm/vmstat.c prints them: "%d.%03d".
const milli = (v) => `${v < 0 ? '-' : ''}${Math.floor(Math.abs(v) / 1000)}.${String(Math.abs(v) % 1000).padStart(3, '0')}`;

// What the core says of a block's buddy, in words ("The buddy is ...").
function buddyWords(b, { status, found }) {
  const k = b.order;
  switch (status) {
    case BUDDY.FREE:
      return b.kind === KIND.ALLOCATED ? `free at order ${k}: the two merge as soon as pfn ${b.pfn} is freed` : `free at order ${k}`;
    case BUDDY.BUSY: return `${KIND_WORD[found.kind]}: busy, so no merge until it is freed`;
    case BUDDY.SPLIT:
      return `split into smaller blocks (the one at ${found.pfn} is ${KIND_WORD[found.kind]}, order ${found.order}): not whole, so no merge`;
    case BUDDY.INSIDE: return `inside a larger ${KIND_WORD[found.kind]} block (order ${found.order} at ${found.pfn}): no merge`;
    case BUDDY.HOLE: return 'in a hole, never free: no merge';
    case BUDDY.OUTSIDE: return 'outside the zone, never free: no merge';
    case BUDDY.TOP: return `beside the point: order ${k} is max_order, and nothing merges above it`;
    default: return 'unknown';
  }
}

function blockLabel(b) {
  if (b.kind === KIND.HOLE) return `hole of ${pagesWord(b.pages)} at pfn ${b.pfn}`;
  return `${KIND_WORD[b.kind]} order-${b.order} block at pfn ${b.pfn} (${pagesWord(b.pages)})`;
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

// Draw a zone's pages as a grid of blocks. opts:
//   cols        pages per row
//   label(b, w) text inside a block drawn w pages wide ('' for none)
//   select      make blocks keyboard/click targets: called with the block
//   focusPfn    the block that holds the roving tab stop
//   onFocus(b)  a block got focus
//   highlight   {pfn, pages} drawn as a buddy outline
//   selected    pfn of the selected block
//   mark        pfn of a block to point out (the half a split just freed)
//   ticks       page numbers under the grid
//   rowLabels   the first pfn of each row, in a gutter on the left
function drawStrip(host, st, opts = {}) {
  const cols = opts.cols || Math.min(st.pages, 16);
  const off = opts.rowLabels ? 1 : 0;
  host.replaceChildren();
  host.classList.toggle('has-gutter', Boolean(opts.rowLabels));
  host.style.setProperty('--cols', cols);
  host.style.setProperty('--rows', Math.ceil(st.pages / cols));
  host.style.gridTemplateRows = st.blocks.length ? '' : 'none';
  host.dataset.pages = st.pages;
  const items = [];
  for (const b of st.blocks) {
    const idx = b.pfn - st.start;
    const parts = segments(idx, b.pages, cols);
    parts.forEach((p, i) => {
      const first = i === 0;
      const interactive = opts.select && first && b.kind !== KIND.HOLE;
      const node = h(interactive ? 'button' : 'div', {
        class: `blk ${KIND_CLASS[b.kind]}${b.pfn === opts.selected ? ' is-selected' : ''}${first ? '' : ' blk-cont'}`,
        style: `grid-column:${p.c + 1 + off} / span ${p.w};grid-row:${p.r + 1} / span ${p.h}`,
        'data-pfn': b.pfn,
        'data-order': b.order,
        'data-kind': KIND_WORD[b.kind].replace(' ', '-'),
        'data-pages': b.pages,
        type: interactive ? 'button' : null,
        tabindex: interactive ? (b.pfn === opts.focusPfn ? 0 : -1) : null,
        'aria-label': interactive ? blockLabel(b) + (opts.actionHint ? opts.actionHint(b) : '') : null,
        'aria-hidden': interactive ? null : 'true',
        title: blockLabel(b),
      });
      // A label is a string, or [long, short]: CSS shows the one that fits.
      const text = opts.label ? opts.label(b, p.w * p.h) : '';
      if (first && Array.isArray(text)) {
        node.append(h('span', { class: 'blk-label' }, h('span', { class: 'lbl-long', text: text[0] }),
          h('span', { class: 'lbl-short', text: text[1] })));
      } else if (text && first) {
        node.append(h('span', { class: 'blk-label', text }));
      }
      if (first && b.pfn === opts.mark) node.classList.add('is-marked');
      if (opts.select && b.kind !== KIND.HOLE) {
        node.addEventListener('click', () => opts.select(b));
        if (interactive) node.addEventListener('focus', () => opts.onFocus && opts.onFocus(b));
      }
      host.append(node);
      if (interactive) items.push(node);
    });
  }
  if (opts.highlight) placeRing(host, st, cols, off, opts.highlight);
  if (opts.ticks) {
    const row = Math.ceil(st.pages / cols) + 1;
    for (let i = 0; i < Math.min(cols, st.pages); i++) {
      host.append(h('span', { class: 'tick', 'aria-hidden': 'true', text: st.start + i,
        style: `grid-column:${i + 1 + off};grid-row:${row}` }));
    }
  }
  if (opts.rowLabels) {
    for (let r = 0; r < Math.ceil(st.pages / cols); r++) {
      host.append(h('span', { class: 'row-label', 'aria-hidden': 'true', text: st.start + r * cols,
        style: `grid-column:1;grid-row:${r + 1}` }));
    }
  }
  if (opts.select && items.length && !items.some((n) => n.tabIndex === 0)) items[0].tabIndex = 0;
  return items;
}

// Outline the pages [pfn, pfn + pages) of a strip: a block's buddy. Replaces
// the ring drawn before, if any.
function placeRing(host, st, cols, off, { pfn, pages }) {
  host.querySelectorAll('.buddy-ring').forEach((n) => n.remove());
  for (const p of segments(pfn - st.start, pages, cols)) {
    host.append(h('div', { class: 'buddy-ring', 'aria-hidden': 'true',
      style: `grid-column:${p.c + 1 + off} / span ${p.w};grid-row:${p.r + 1} / span ${p.h}` }));
  }
}

// Arrow keys move between the blocks of a strip (one tab stop for the grid).
function rovingKeys(host, cols) {
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

// Draw free_area[]: one row per order, from max_order down, with the blocks
// on that order's list as the core links them (head first: the block the
// next allocation of the order takes) and the core's own nr_free.
function drawLists(host, st, opts = {}) {
  host.replaceChildren();
  const maxChips = opts.maxChips || 64;
  for (let k = st.maxOrder; k >= 0; k--) {
    const free = st.lists[k];
    const nr = st.nrFree[k];
    const chips = h('span', { class: 'fa-chips' });
    if (free.length === 0) chips.append(h('span', { class: 'fa-empty', text: '∅ empty' }));
    free.slice(0, maxChips).forEach((pfn, i) => {
      chips.append(h('span', { class: `chip${pfn === opts.mark ? ' is-new' : ''}`, 'data-pfn': pfn,
        title: `free block at pfn ${pfn}${i === 0 ? `: the head, which the next order-${k} allocation takes` : ''}`,
        text: `@${pfn}` }));
    });
    if (free.length > maxChips) chips.append(h('span', { class: 'fa-more', text: `+${free.length - maxChips} more` }));
    host.append(h('div', { class: `fa-row${nr ? '' : ' is-empty'}`, 'data-order': k, 'data-nr-free': nr },
      h('span', { class: 'fa-order' }, h('span', { class: 'fa-k', text: `order ${k}` }),
        h('span', { class: 'fa-size', text: pagesWord(2 ** k) })),
      chips,
      h('span', { class: 'fa-count', 'aria-label': `nr_free ${nr}` }, h('span', { class: 'fa-nr', text: 'nr_free' }), ` ${nr}`)));
  }
  const inflight = st.blocks.filter((b) => b.kind === KIND.INFLIGHT);
  for (const b of inflight) {
    host.append(h('div', { class: 'fa-inflight', 'data-pfn': b.pfn, 'data-order': b.order },
      h('span', { class: 'swatch k-inflight', 'aria-hidden': 'true' }),
      `in flight: order-${b.order} block @${b.pfn} — being ${opts.inflightVerb || 'split or merged'}, on no list`));
  }
}

// Words inside a block of the small figures: [long, short].
function kindLabel(b) {
  if (b.kind === KIND.ALLOCATED) return ['allocated', 'A'];
  if (b.kind === KIND.INFLIGHT) return ['in flight', '…'];
  if (b.kind === KIND.RESERVED) return ['reserved', 'R'];
  return '';
}

function drawLegend(host, kinds) {
  host.replaceChildren(...kinds.map((k) => h('span', { class: 'legend-item' },
    h('span', { class: `swatch ${KIND_CLASS[k]}`, 'aria-hidden': 'true' }), KIND_WORD[k])));
}

// Free lists as {order: [pfn...]}, head first, non-empty lists only (what
// the e2e tests compare).
function listsOf(st) {
  const out = {};
  st.lists.forEach((pfns, k) => { if (pfns.length) out[k] = pfns.slice(); });
  return out;
}

/* ------------------------------------------------------------------------ */
/* FIG. 0: memory under load                                                 */
/* ------------------------------------------------------------------------ */

function heroFigure(core, fig) {
  const slot = SLOT.HERO;
  const map = role(fig, 'map');
  const play = role(fig, 'animate');
  core.exec(slot, 'zone 64 6');
  core.workloadSeed(slot, 7);
  const step = () => {
    const line = core.workloadNext(slot);
    if (line) core.exec(slot, line);
  };
  for (let i = 0; i < 48; i++) step();
  const draw = () => drawStrip(map, core.state(slot), { cols: 32, label: () => '' });
  draw();
  drawLegend(role(fig, 'legend'), [KIND.FREE, KIND.ALLOCATED]);
  let timer = 0;
  play.addEventListener('click', () => {
    if (timer) {
      clearInterval(timer);
      timer = 0;
    } else {
      timer = setInterval(() => { step(); draw(); }, 400);
    }
    play.setAttribute('aria-pressed', String(Boolean(timer)));
    play.textContent = timer ? '❚❚ Pause' : '▶ Animate';
  });
}

/* ------------------------------------------------------------------------ */
/* FIG. 1: a 16-page region at every order                                   */
/* ------------------------------------------------------------------------ */

function ordersFigure(core, fig) {
  const host = role(fig, 'orders');
  for (let k = 4; k >= 0; k--) {
    // A zone whose max_order is k carves 16 pages into 16 / 2^k blocks.
    core.exec(SLOT.FIG, `zone 16 ${k}`);
    const st = core.state(SLOT.FIG);
    const strip = h('div', { class: 'strip strip-16 strip-order', 'data-order': k });
    drawStrip(strip, st, { cols: 16, label: (b) => [pagesWord(b.pages), String(b.pages)] });
    host.append(h('div', { class: 'order-row' },
      h('div', { class: 'order-name' }, h('span', { class: 'order-k', text: `ORDER ${k}` }),
        h('span', { class: 'order-pages', text: `${st.blocks.length} × ${pagesWord(2 ** k)}` })),
      strip));
  }
  const ticks = h('div', { class: 'strip strip-16 strip-ticks', 'aria-hidden': 'true' });
  drawStrip(ticks, { blocks: [], pages: 16, start: 0 }, { cols: 16, ticks: true });
  host.append(h('div', { class: 'order-row' }, h('div', { class: 'order-name' },
    h('span', { class: 'order-pages', text: 'pfn' })), ticks));
}

/* ------------------------------------------------------------------------ */
/* FIG. 2: free_area[]                                                       */
/* ------------------------------------------------------------------------ */

const FIG2_STATES = [
  { label: 'fresh zone', trace: ['zone 16 4'],
    note: 'A fresh 16-page zone: one order-4 block on free_area[4], every other list empty.' },
  { label: 'after alloc 0', trace: ['zone 16 4', 'alloc 0'],
    note: 'One 1-page request: the order-4 block was split four times, and each split left its upper half on a list, so every list below order 4 holds one block.' },
  { label: 'alloc 0 ×3, free 1', trace: ['zone 16 4', 'alloc 0', 'alloc 0', 'alloc 0', 'free 1'],
    note: 'Three 1-page requests, then pfn 1 is freed. Its buddy, pfn 0, is still allocated, so pfn 1 cannot merge: it waits on free_area[0] beside pfn 3.' },
];

function freeAreaFigure(core, fig) {
  const tabs = role(fig, 'tabs');
  const show = (i) => {
    const s = FIG2_STATES[i];
    for (const line of s.trace) core.exec(SLOT.FIG, line);
    const st = core.state(SLOT.FIG);
    drawStrip(role(fig, 'map'), st, { cols: 16, ticks: true, label: kindLabel });
    drawLists(role(fig, 'lists'), st);
    role(fig, 'note').textContent = s.note;
    tabs.querySelectorAll('button').forEach((b, j) => b.setAttribute('aria-pressed', String(i === j)));
    fig.dataset.state = i;
  };
  FIG2_STATES.forEach((s, i) => tabs.append(h('button', { type: 'button', class: 'tab', 'aria-pressed': 'false',
    onclick: () => show(i), text: s.label })));
  show(0);
}

/* ------------------------------------------------------------------------ */
/* DEMO 1 and 2: step through the core's own splits and merges               */
/* ------------------------------------------------------------------------ */

// Runs `setup`, then `op` with snapshots on: the steps are the state before,
// the core's state at each SPLIT or MERGE event, and the state after.
class StepDemo {
  constructor(core, fig, spec) {
    this.core = core;
    this.fig = fig;
    this.spec = spec;
    this.stepBtn = role(fig, 'step');
    this.stepBtn.addEventListener('click', () => this.go(this.i + 1));
    role(fig, 'reset').addEventListener('click', () => { this.record(); this.go(0); });
    this.record();
    this.go(0);
  }

  record() {
    const { core, spec } = this;
    for (const line of spec.setup) core.exec(spec.slot, line);
    const before = core.state(spec.slot);
    // What the first step's words need to know of the state before.
    this.probe = spec.probe ? spec.probe(core, spec.slot, before) : null;
    core.setSnapshots(spec.slot, true);
    const res = core.exec(spec.slot, spec.op);
    core.setSnapshots(spec.slot, false);
    const after = core.state(spec.slot);
    const events = res.events.filter((e) => (e.type === EV.SPLIT || e.type === EV.MERGE) && e.blocks && e.listBlocks);
    this.result = res;
    this.steps = [
      { ...before, event: null },
      ...events.map((e) => ({ blocks: e.blocks, lists: core.listsFrom(e.listBlocks, before.maxOrder),
        nrFree: e.nrFree.slice(0, before.maxOrder + 1),
        maxOrder: before.maxOrder, pages: before.pages, start: before.start, event: e })),
      { ...after, event: null, final: true },
    ];
  }

  go(i) {
    this.i = Math.max(0, Math.min(i, this.steps.length - 1));
    const st = this.steps[this.i];
    const last = this.steps.length - 1;
    const mark = st.event && st.event.type === EV.SPLIT ? st.event.buddy : null;
    drawStrip(role(this.fig, 'map'), st, { cols: 16, ticks: true, label: kindLabel, mark });
    drawLists(role(this.fig, 'lists'), st, { inflightVerb: this.spec.verb, mark });
    role(this.fig, 'count').textContent = `step ${this.i} / ${last}`;
    role(this.fig, 'text').replaceChildren(...this.spec.describe(this, this.i));
    this.stepBtn.disabled = this.i === last;
    this.stepBtn.textContent = this.i === last ? 'Done' : 'Step →';
    this.fig.dataset.step = this.i;
  }
}

const code = (text) => h('code', { text });
const em = (text) => h('strong', { text });
// "free_area[1], free_area[2] and free_area[3]" as code, for a sentence.
function areaList(orders) {
  const out = [];
  orders.forEach((k, i) => {
    if (i > 0) out.push(i === orders.length - 1 ? ' and ' : ', ');
    out.push(code(`free_area[${k}]`));
  });
  return out;
}

function allocDemoText(demo, i) {
  const want = 1;
  const st = demo.steps[i];
  const splits = demo.steps.filter((s) => s.event).map((s) => s.event);
  const from = splits.length ? splits[0].order : want;
  if (i === 0) {
    const empty = [];
    for (let k = want; k < from; k++) if (st.nrFree[k] === 0) empty.push(k);
    return [em('Step 0. '), `One free order-${from} block. A request for order ${want} arrives: `,
      ...areaList(empty), ` ${empty.length === 1 ? 'is' : 'are'} empty, so the allocator climbs to `,
      code(`free_area[${from}]`), ' and takes its block.'];
  }
  if (st.final) {
    const a = st.blocks.find((b) => b.kind === KIND.ALLOCATED);
    const left = st.blocks.filter((b) => b.kind === KIND.FREE);
    return [em(`Step ${i}. `), `Done: the order-${a.order} block at pfn ${a.pfn} is handed out. `,
      `${capital(countWord(splits.length))} splits left one free block on each of `,
      ...areaList(left.map((b) => b.order)),
      `: ${left.map((b) => b.pages).join(' + ')} = ${left.reduce((s, b) => s + b.pages, 0)} free pages.`];
  }
  const e = st.event;
  const k = e.order;
  const more = k - 1 > want;
  return [em(`Step ${i}. `), `Split the order-${k} block at pfn ${e.pfn} into two order-${k - 1} halves. `,
    `The upper half (pfn ${e.buddy}) goes onto `, code(`free_area[${k - 1}]`),
    `; the lower half (pfn ${e.pfn}) stays in hand — `,
    more ? `still bigger than order ${want}, so it is split again.` : `exactly order ${want}.`];
}

function freeDemoText(demo, i) {
  const st = demo.steps[i];
  const width = Math.log2(st.pages);
  if (i === 0) {
    const { block: a, where } = demo.probe;
    const free = st.blocks.filter((b) => b.kind === KIND.FREE);
    return [em('Step 0. '), `An allocated order-${a.order} block at pfn ${a.pfn}, the rightmost; everything else is free (`,
      free.map((b) => `order ${b.order} at ${b.pfn}`).join(', '), `). Its buddy, ${a.pfn} XOR ${2 ** a.order} = ${where.pfn}, is `,
      buddyWords(a, where), '. Press Step to release it.'];
  }
  if (st.final) {
    // The block the freed pages ended up in, as the core has it now.
    const b = demo.core.findBlock(demo.spec.slot, demo.result.pfn);
    const where = demo.core.buddyStatus(demo.spec.slot, b.pfn, b.order);
    const why = where.status === BUDDY.TOP
      ? `order ${b.order} is the zone’s max_order, so merging stops`
      : `its buddy at pfn ${where.pfn} is ${buddyWords(b, where)}, so merging stops`;
    return [em(`Step ${i}. `), capital(why), ': the block goes onto ', code(`free_area[${b.order}]`),
      `. One order-${b.order} block of ${pagesWord(b.pages)}${b.order === st.maxOrder ? ', the whole zone' : ''}.`];
  }
  const e = st.event;
  const k = e.order;
  const low = Math.min(e.pfn, e.buddy);
  return [em(`Step ${i}. `), `The buddy of pfn ${e.pfn} at order ${k} is ${e.pfn} XOR ${2 ** k} = ${e.buddy} `,
    code(`${bin(e.pfn, width)} → ${bin(e.buddy, width)}`), `: free, and of order ${k}. It leaves `,
    code(`free_area[${k}]`), ` and the pair becomes one order-${k + 1} block at pfn ${low}, still in hand.`];
}

/* ------------------------------------------------------------------------ */
/* FIG. 3: the XOR rule                                                      */
/* ------------------------------------------------------------------------ */

function xorFigure(core, fig, exampleHost) {
  const slot = SLOT.XOR;
  for (const line of ['zone 16 4', 'alloc 0', 'alloc 1', 'alloc 1']) core.exec(slot, line);
  const st = core.state(slot);
  const width = Math.log2(st.pages);
  const map = role(fig, 'map');
  const panel = role(fig, 'xor');
  let selected = 4;

  const draw = () => {
    const b = st.blocks.find((x) => x.pfn === selected);
    const where = core.buddyStatus(slot, b.pfn, b.order);
    const buddy = where.pfn;
    const ring = where.status !== BUDDY.TOP && where.status !== BUDDY.OUTSIDE;
    drawStrip(map, st, {
      cols: 16, ticks: true, selected, focusPfn: selected,
      highlight: ring ? { pfn: buddy, pages: b.pages } : null,
      label: kindLabel,
      select: (x) => { selected = x.pfn; draw(); map.querySelector(`button[data-pfn="${x.pfn}"]`).focus(); },
      actionHint: () => ': Enter shows its buddy',
    });
    const bit = (v) => {
      const s = bin(v, width);
      const at = width - 1 - b.order;
      return at >= 0 && b.order < width
        ? [s.slice(0, at), h('span', { class: 'flip', text: s[at] }), s.slice(at + 1)] : [s];
    };
    panel.replaceChildren(
      h('div', { class: 'xor-grid' },
        h('span', { class: 'xor-k', text: 'block' }), h('code', { class: 'xor-v' }, '@ ', ...bit(b.pfn)),
        h('span', { class: 'xor-n', text: `idx ${b.pfn}, order ${b.order}, ${KIND_WORD[b.kind]}` }),
        h('span', { class: 'xor-k', text: `XOR 2${sup(b.order)}` }), h('code', { class: 'xor-v' }, '  ', ...bit(2 ** b.order)),
        h('span', { class: 'xor-n', text: `one bit: bit ${b.order}` }),
        h('span', { class: 'xor-k', text: 'buddy' }), h('code', { class: 'xor-v xor-buddy' }, '@ ', ...bit(buddy)),
        h('span', { class: 'xor-n', text: `idx ${buddy}` })),
      h('p', { class: 'xor-verdict' }, h('strong', { text: 'The buddy is ' }), buddyWords(b, where), '.'));
    fig.dataset.selected = selected;
    fig.dataset.buddy = buddy;
  };
  rovingKeys(map, () => 16);
  draw();

  // The card's example, computed by the core: order 1, index 4.
  const ex = core.buddyOf(4, 1);
  exampleHost.textContent = `// example, order 1:\nblock @ ${bin(4, 4)} (idx 4)\nbuddy @ ${bin(ex, 4)} (idx ${ex})`;
}

/* ------------------------------------------------------------------------ */
/* § 06: the playground                                                      */
/* ------------------------------------------------------------------------ */

const PAGE_CHOICES = [16, 32, 64, 128, 256, 512, 1024];
const MAX_ORDER_CHOICE = 10;
const SPEEDS = [1, 2, 5, 10, 30, 100, 300]; // operations per second
const LOG_LIMIT = 400;
const URL_TRACE_LIMIT = 32000; // characters of trace in a shared link
const TRACE_NOTE = 'Edit or paste a trace and press Replay: it runs from a fresh zone, line by line, and every error the core returns is logged with its line number in this box. Comments and blank lines are kept and counted, as buddy run counts them.';
const SAMPLE_LIMIT = 600;

// The trace in a URL: lines joined by ',', spaces as '+'.
function encodeTrace(lines) {
  return lines.map((l) => encodeURIComponent(l).replace(/%20/g, '+')).join(',');
}
function decodeTrace(s) {
  return s.split(',').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
}
function isCommand(line) {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

class Playground {
  constructor(core, root) {
    this.core = core;
    this.root = root;
    this.slot = SLOT.PLAY;
    this.trace = [];
    this.samples = [];
    this.ops = 0;
    this.focusPfn = null;
    this.timer = 0;
    this.lastHash = '';
    this.q = (name) => role(root, name);
    this.build();
  }

  build() {
    const pages = this.q('pages');
    for (const n of PAGE_CHOICES) pages.append(h('option', { value: n, text: n }));
    const maxo = this.q('maxorder');
    for (let k = 0; k <= MAX_ORDER_CHOICE; k++) maxo.append(h('option', { value: k, text: k }));
    this.q('new-zone').addEventListener('click', () => this.newZone(Number(pages.value), Number(maxo.value)));
    pages.addEventListener('change', () => this.newZone(Number(pages.value), Number(maxo.value)));
    maxo.addEventListener('change', () => this.newZone(Number(pages.value), Number(maxo.value)));

    rovingKeys(this.q('map'), () => this.cols);
    this.q('map').addEventListener('keydown', (ev) => {
      if (ev.key !== 'Delete' && ev.key !== 'Backspace') return;
      const pfn = Number(document.activeElement?.dataset?.pfn);
      if (!Number.isNaN(pfn)) { ev.preventDefault(); this.activate(this.core.findBlock(this.slot, pfn)); }
    });
    drawLegend(this.q('legend'), [KIND.FREE, KIND.ALLOCATED, KIND.RESERVED, KIND.HOLE]);

    this.q('command-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = this.q('command');
      if (isCommand(input.value)) this.run(input.value.trim(), { source: 'you' });
      input.value = '';
    });

    this.q('copy').addEventListener('click', () => this.copy(this.q('trace').value, this.q('copy')));
    this.q('share').addEventListener('click', () => { this.writeHash(true); this.copy(location.href, this.q('share')); });
    this.q('replay').addEventListener('click', () => this.replay(this.q('trace').value));
    this.q('trace-note').textContent = TRACE_NOTE;

    const speed = this.q('wl-speed');
    const speedOut = this.q('wl-speed-out');
    const showSpeed = () => { speedOut.textContent = `${SPEEDS[Number(speed.value)]} ops/s`; };
    speed.max = String(SPEEDS.length - 1);
    speed.addEventListener('input', showSpeed);
    showSpeed();
    this.q('wl-seed').addEventListener('change', () => this.core.workloadSeed(this.slot, this.seed()));
    this.q('wl-step').addEventListener('click', () => this.workloadStep());
    this.q('wl-run').addEventListener('click', () => (this.timer ? this.stopWorkload() : this.startWorkload()));
    window.addEventListener('hashchange', () => { if (location.hash !== this.lastHash) this.loadHash(); });
  }

  get cols() {
    const pages = this.core.pages(this.slot);
    const narrow = window.matchMedia('(max-width: 640px)').matches;
    return Math.min(pages, narrow ? 16 : 32);
  }

  seed() { return Math.max(0, Math.floor(Number(this.q('wl-seed').value) || 0)) >>> 0; }

  // Start a session on a fresh zone.
  newZone(pages, maxOrder) {
    this.stopWorkload();
    this.resetSession();
    this.run(`zone ${pages} ${maxOrder}`, { source: 'you' });
  }

  resetSession() {
    this.sampleEvery = 1;
    this.trace = [];
    this.shownTrace = -1;
    this.samples = [];
    this.ops = 0;
    this.focusPfn = null;
    this.q('log').replaceChildren();
    this.core.workloadSeed(this.slot, this.seed());
  }

  // Run one trace line; it becomes the trace's last line, and the log cites
  // it by that number.
  run(line, { source = 'you', render = true } = {}) {
    let res;
    try {
      res = this.core.exec(this.slot, line);
    } catch (err) {
      this.log('err', `the core trapped on "${line}": ${err.message}`);
      return null;
    }
    if (res.code === 1) return res; // blank or comment
    this.trace.push(line);
    this.ops++;
    const n = this.trace.length;
    this.logResult(n, line, res, source);
    const verdict = this.core.check(this.slot);
    this.verdict = { ...verdict, after: this.ops };
    if (verdict.code !== 0) this.log('err', `buddy_zone_check: ${verdict.text}`);
    this.sample();
    if (render) this.render();
    return res;
  }

  logResult(n, line, res, source) {
    const tag = source === 'workload' ? 'workload' : '';
    this.log('cmd', line, { n, tag });
    if (res.code < 0) {
      this.log('err', `line ${n}: ${res.cmd || line.trim().split(/\s+/)[0]}: ${res.out} [${this.core.errname(res.code)}]`,
        { code: this.core.errname(res.code) });
      return;
    }
    if (res.cmd === 'alloc') this.log('ok', `→ pfn ${res.pfn} (order ${res.order}, ${pagesWord(2 ** res.order)})`);
    else if (res.cmd === 'free') this.log('ok', `→ freed the order-${res.order} block at pfn ${res.pfn}`);
    else if (res.cmd === 'zone') this.log('ok', `→ a zone of ${pagesWord(this.core.pages(this.slot))}, max order ${this.core.maxOrder(this.slot)}`);
    else if (res.out) this.log('ok', res.out, { pre: true });
    for (const e of res.events) {
      if (e.type === EV.SPLIT) this.log('ev', `split order-${e.order} @${e.pfn}: upper half @${e.buddy} → free_area[${e.order - 1}]`);
      else if (e.type === EV.MERGE) this.log('ev', `merge @${e.pfn} + buddy @${e.buddy} → order-${e.order + 1} @${Math.min(e.pfn, e.buddy)}`);
      else if (e.type === EV.FAIL) this.log('ev', `no free block of order ≥ ${e.order}`);
      else if (e.type === EV.ADD_RANGE) this.log('ev', `add_range @${e.pfn}, ${pagesWord(e.nrPages)}`);
      else if (e.type === EV.RESERVE) this.log('ev', `reserve @${e.pfn}, ${pagesWord(e.nrPages)}`);
    }
  }

  log(kind, text, { n = null, tag = '', code: errCode = null, pre = false } = {}) {
    const list = this.q('log');
    const item = h('li', { class: `log-${kind}`, 'data-code': errCode },
      n !== null ? h('span', { class: 'log-n', text: String(n) }) : null,
      kind === 'cmd' ? h('span', { class: 'log-prompt', text: '›' }) : null,
      pre ? h('pre', { text }) : h('span', { class: 'log-text', text }),
      tag ? h('span', { class: 'log-tag', text: tag }) : null);
    list.append(item);
    while (list.childElementCount > LOG_LIMIT) list.firstElementChild.remove();
    this.logDirty = true;
  }

  // One point of the chart per operation; past SAMPLE_LIMIT points, every
  // other point is dropped and from then on every 2nd (4th ...) operation kept.
  sample() {
    if ((this.ops - 1) % this.sampleEvery !== 0) return;
    const largest = this.core.largestFreeOrder(this.slot);
    this.samples.push({ free: this.core.stat(this.slot, STAT.FREE), largest: largest < 0 ? 0 : 2 ** largest });
    if (this.samples.length > SAMPLE_LIMIT) {
      this.samples = this.samples.filter((_, i) => i % 2 === 0);
      this.sampleEvery *= 2;
    }
  }

  // Replay a pasted trace from a fresh zone, line by line. Comments and
  // blank lines stay in the session trace, so every line keeps its number:
  // the log, the trace box and `buddy run` on the copied trace cite the same
  // lines. Only blank lines at the end are dropped.
  replay(text) {
    this.stopWorkload();
    this.resetSession();
    const lines = text.split(/\r?\n/);
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    const first = lines.find(isCommand);
    if (!first || first.trim().split(/\s+/)[0] !== 'zone') {
      const pages = Number(this.q('pages').value);
      const maxo = Number(this.q('maxorder').value);
      this.log('note', `the trace has no zone line first: line 1 is now zone ${pages} ${maxo}, and the pasted lines follow from line 2`);
      this.run(`zone ${pages} ${maxo}`, { source: 'replay', render: false });
    }
    for (const line of lines) {
      if (isCommand(line)) this.run(line.trim(), { source: 'replay', render: false });
      else this.trace.push(line.trimEnd());
    }
    this.render();
  }

  activate(b) {
    if (!b) return;
    this.focusPfn = b.pfn;
    if (b.kind === KIND.ALLOCATED) this.run(`free ${b.pfn}`, { source: 'you' });
    else this.describeFocus(b);
  }

  // Say what the focused block is, and outline its buddy on the map.
  describeFocus(b) {
    const { core, slot } = this;
    const st = { start: core.start(slot), pages: core.pages(slot) };
    const map = this.q('map');
    map.querySelectorAll('.buddy-ring').forEach((n) => n.remove());
    let text = capital(blockLabel(b));
    if (b.kind === KIND.FREE) text += `, on free_area[${b.order}]`;
    if (b.kind === KIND.ALLOCATED) text += ': Enter, Space or a click frees it';
    const where = core.buddyStatus(slot, b.pfn, b.order);
    if (where.status === BUDDY.TOP) {
      text += `. Order ${b.order} is max_order: nothing merges above it.`;
    } else {
      text += `. Its buddy, ${b.pfn} XOR ${2 ** b.order} = ${where.pfn}, is ${buddyWords(b, where)}.`;
      if (where.status !== BUDDY.OUTSIDE) {
        placeRing(map, st, this.cols, map.classList.contains('has-gutter') ? 1 : 0, { pfn: where.pfn, pages: b.pages });
      }
    }
    this.q('focus-line').textContent = text;
  }

  workloadStep() {
    const line = this.core.workloadNext(this.slot);
    if (line) this.run(line, { source: 'workload', render: !this.timer });
  }

  // Run the workload at the chosen rate: each tick runs the operations due
  // since the last one, then draws once, so a slow draw lowers the frame rate,
  // not the operation rate.
  startWorkload() {
    if (this.timer) return;
    let last = performance.now();
    let owed = 0;
    const tick = () => {
      const now = performance.now();
      const rate = SPEEDS[Number(this.q('wl-speed').value)];
      owed = Math.min(owed + ((now - last) * rate) / 1000, Math.max(1, rate / 4));
      last = now;
      if (owed < 1) return;
      for (; owed >= 1; owed--) this.workloadStep();
      this.render();
    };
    this.timer = setInterval(tick, 40);
    owed = 1; // start with one operation at once
    tick();
    const btn = this.q('wl-run');
    btn.textContent = '❚❚ Pause';
    btn.setAttribute('aria-pressed', 'true');
  }

  stopWorkload() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = 0;
    const btn = this.q('wl-run');
    btn.textContent = '▶ Run';
    btn.setAttribute('aria-pressed', 'false');
    this.render();
  }

  copy(text, button) {
    const done = () => {
      const old = button.dataset.label || button.textContent;
      button.dataset.label = old;
      button.textContent = 'Copied ✓';
      setTimeout(() => { button.textContent = old; }, 1400);
    };
    const fallback = () => {
      const ta = h('textarea', { class: 'sr-only' });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      try { document.execCommand('copy'); } catch (_) { /* nothing more to try */ }
      ta.remove();
      done();
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }

  // #pages=P&max=M&seed=S&trace=zone+16+4,alloc+1
  writeHash(now = false) {
    const write = () => {
      this.hashTimer = 0;
      const trace = encodeTrace(this.trace);
      const params = [`pages=${this.core.pages(this.slot)}`, `max=${this.core.maxOrder(this.slot)}`,
        `seed=${this.seed()}`];
      // A link carries the trace while it is of a size browsers and chat
      // programs pass around; past that, copy the trace instead.
      if (trace.length <= URL_TRACE_LIMIT) params.push(`trace=${trace}`);
      this.q('trace-note').classList.toggle('is-warning', trace.length > URL_TRACE_LIMIT);
      this.q('trace-note').textContent = trace.length > URL_TRACE_LIMIT
        ? `This trace is too long for a link (${this.trace.length} lines): the link keeps the zone's size only. Copy the trace to share it.`
        : TRACE_NOTE;
      const hash = `#${params.join('&')}`;
      if (hash === location.hash) return;
      this.lastHash = hash;
      try {
        history.replaceState(null, '', hash);
      } catch (_) {
        location.replace(hash);
      }
    };
    if (now) { clearTimeout(this.hashTimer); write(); } else if (!this.hashTimer) this.hashTimer = setTimeout(write, 300);
  }

  loadHash() {
    // Split by hand: the trace keeps its own escaping (see encodeTrace).
    const params = new Map(location.hash.slice(1).split('&').filter(Boolean).map((kv) => {
      const at = kv.indexOf('=');
      return at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)];
    }));
    const num = (k, d) => (params.has(k) && /^\d+$/.test(params.get(k)) ? Number(params.get(k)) : d);
    const pages = num('pages', 16);
    const maxo = num('max', 4);
    if (params.has('seed')) this.q('wl-seed').value = String(num('seed', 1));
    this.selectSize(pages, maxo);
    let lines = null;
    try {
      if (params.has('trace') && params.get('trace') !== '') lines = decodeTrace(params.get('trace'));
    } catch (err) {
      this.log('err', `the link's trace could not be read (${err.message}): starting from an empty zone`);
    }
    if (lines) {
      this.replay(lines.join('\n'));
    } else {
      this.newZone(pages, maxo);
    }
    this.lastHash = location.hash;
  }

  selectSize(pages, maxo) {
    const sel = this.q('pages');
    if (![...sel.options].some((o) => Number(o.value) === pages)) sel.append(h('option', { value: pages, text: pages }));
    sel.value = String(pages);
    const mo = this.q('maxorder');
    if (![...mo.options].some((o) => Number(o.value) === maxo)) mo.append(h('option', { value: maxo, text: maxo }));
    mo.value = String(maxo);
  }

  render() {
    const { core, slot } = this;
    if (!core.hasZone(slot)) return;
    const st = core.state(slot);
    this.selectSize(st.pages, st.maxOrder);
    this.root.dataset.pages = st.pages;
    this.root.dataset.maxOrder = st.maxOrder;
    this.q('live-sub').textContent = `— ${pagesWord(st.pages)}, max order ${st.maxOrder}`;

    // Allocation buttons, one per order.
    const buttons = this.q('alloc-buttons');
    if (buttons.dataset.maxOrder !== String(st.maxOrder)) {
      buttons.replaceChildren(...Array.from({ length: st.maxOrder + 1 }, (_, k) => h('button', {
        type: 'button', class: 'btn btn-alloc', 'data-order': k, 'aria-label': `allocate an order-${k} block (${pagesWord(2 ** k)})`,
        onclick: () => this.run(`alloc ${k}`, { source: 'you' }),
      }, h('span', { class: 'ab-k', text: `order ${k}` }), h('span', { class: 'ab-p', text: pagesWord(2 ** k) }))));
      buttons.dataset.maxOrder = String(st.maxOrder);
    }

    // The memory map, keeping keyboard focus on the same block.
    const map = this.q('map');
    const hadFocus = map.contains(document.activeElement);
    const cols = this.cols;
    let focusPfn = this.focusPfn;
    if (focusPfn !== null && !st.blocks.some((b) => b.pfn === focusPfn && b.kind !== KIND.HOLE)) {
      const b = core.findBlock(slot, focusPfn);
      focusPfn = b && b.kind !== KIND.HOLE ? b.pfn : null;
    }
    const rows = Math.ceil(st.pages / cols);
    map.dataset.density = rows <= 1 ? 'roomy' : rows <= 4 ? 'medium' : rows <= 8 ? 'dense' : 'tight';
    drawStrip(map, st, {
      cols, ticks: rows === 1, rowLabels: rows > 1, focusPfn,
      label: (b) => (b.kind === KIND.HOLE ? '' : `o${b.order}`),
      select: (b) => this.activate(b),
      onFocus: (b) => { this.focusPfn = b.pfn; this.describeFocus(b); },
      actionHint: (b) => (b.kind === KIND.ALLOCATED ? ': press Enter to free' : ''),
    });
    if (hadFocus) {
      const target = map.querySelector(`button.blk[data-pfn="${focusPfn}"]`) || map.querySelector('button.blk[tabindex="0"]');
      if (target) target.focus(); // describes it again (onFocus)
    } else {
      this.q('focus-line').textContent = 'Select a block to see what it is and where its buddy lies.';
    }

    drawLists(this.q('lists'), st, { maxChips: 24 });
    this.q('buddyinfo').textContent = core.buddyinfo(slot).replace(/\n$/, '');
    this.drawIndices(st);
    this.q('stats').textContent = `${core.stat(slot, STAT.FREE)} of ${core.stat(slot, STAT.MANAGED)} managed pages free · `
      + `${core.stat(slot, STAT.ALLOCATED)} allocated · ${core.stat(slot, STAT.RESERVED)} reserved · `
      + `${plural(core.stat(slot, STAT.SPLITS), 'split')} · ${plural(core.stat(slot, STAT.MERGES), 'merge')} · `
      + `${core.stat(slot, STAT.REJECTED)} refused`;

    const v = this.verdict || core.check(slot);
    const verdict = this.q('verdict');
    verdict.dataset.verdict = v.code === 0 ? 'ok' : 'corrupt';
    verdict.replaceChildren(h('span', { class: 'verdict-mark', 'aria-hidden': 'true', text: v.code === 0 ? '✓' : '✗' }),
      h('code', { text: 'buddy_zone_check' }), `: ${v.text}`, h('span', { class: 'verdict-after', text: ` · after operation ${this.ops}` }));

    this.drawChart(st);
    this.showTrace();
    const log = this.q('log');
    if (this.logDirty) { log.scrollTop = log.scrollHeight; this.logDirty = false; }
    this.writeHash();
  }

  // The trace text box follows the session, at most every half second while
  // the workload runs (a long trace is slow to set), and never while edited.
  showTrace() {
    const ta = this.q('trace');
    if (document.activeElement === ta || this.shownTrace === this.trace.length) return;
    const now = performance.now();
    if (this.timer && now - (this.traceShownAt || 0) < 500) return;
    ta.value = this.trace.join('\n');
    this.shownTrace = this.trace.length;
    this.traceShownAt = now;
  }

  drawIndices(st) {
    const t = this.q('indices');
    const rows = [];
    for (let k = 0; k <= st.maxOrder; k++) {
      const u = this.core.unusable(this.slot, k);
      const f = this.core.fragmentation(this.slot, k);
      rows.push(h('tr', { 'data-order': k, 'data-unusable': u, 'data-fragmentation': f },
        h('th', { scope: 'row', text: k }),
        h('td', { class: 'idx-pages', text: 2 ** k }),
        h('td', { class: 'idx-cell', style: `--v:${Math.max(0, u) / 1000}`, text: milli(u) }),
        h('td', { class: `idx-cell${f < 0 ? ' idx-ok' : ''}`, style: `--v:${Math.max(0, f) / 1000}`, text: milli(f) })));
    }
    t.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'order' }), h('th', { scope: 'col', text: 'pages' }),
        h('th', { scope: 'col', text: 'unusable' }), h('th', { scope: 'col', text: 'fragmentation' }))),
      h('tbody', {}, rows));
  }

  drawChart(st) {
    const svg = this.q('chart');
    // Drawn at the size it is shown, so the labels stay at text size.
    const W = Math.max(240, Math.round(svg.getBoundingClientRect().width) || 480);
    const H = 190;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('height', H);
    const pad = { l: 44, r: 12, t: 12, b: 26 };
    const ns = 'http://www.w3.org/2000/svg';
    const s = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      return n;
    };
    const top = Math.max(1, st.pages);
    const n = this.samples.length;
    const x = (i) => pad.l + (n <= 1 ? 0 : (i / (n - 1)) * (W - pad.l - pad.r));
    const y = (v) => pad.t + (1 - v / top) * (H - pad.t - pad.b);
    const line = (key) => this.samples.map((p, i) => `${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
    const kids = [
      s('line', { x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0), class: 'axis' }),
      s('line', { x1: pad.l, x2: W - pad.r, y1: y(top), y2: y(top), class: 'grid' }),
      s('line', { x1: pad.l, x2: W - pad.r, y1: y(top / 2), y2: y(top / 2), class: 'grid' }),
      s('text', { x: pad.l - 6, y: y(top) + 4, class: 'tick-label', 'text-anchor': 'end' }, top),
      s('text', { x: pad.l - 6, y: y(top / 2) + 4, class: 'tick-label', 'text-anchor': 'end' }, top / 2),
      s('text', { x: pad.l - 6, y: y(0) + 4, class: 'tick-label', 'text-anchor': 'end' }, 0),
      s('text', { x: W - pad.r, y: H - 6, class: 'tick-label', 'text-anchor': 'end' }, `${plural(this.ops, 'operation')} →`),
    ];
    if (n > 0) {
      kids.push(s('polyline', { points: line('free'), class: 'series-free' }));
      kids.push(s('polyline', { points: line('largest'), class: 'series-largest' }));
    }
    svg.replaceChildren(...kids);
    svg.dataset.samples = n;
  }
}

/* ------------------------------------------------------------------------ */
/* Start                                                                     */
/* ------------------------------------------------------------------------ */

async function start() {
  const status = document.querySelector('[data-role="status"]');
  let loaded;
  try {
    loaded = await loadCore();
  } catch (err) {
    document.body.classList.add('no-core');
    status.textContent = `The allocator module could not be loaded: ${err.message}`;
    throw err;
  }
  const { core, moduleBytes } = loaded;
  heroFigure(core, document.getElementById('fig0'));
  ordersFigure(core, document.getElementById('fig1'));
  freeAreaFigure(core, document.getElementById('fig2'));
  const allocDemo = new StepDemo(core, document.getElementById('demo-alloc'), {
    slot: SLOT.DEMO_ALLOC, setup: ['zone 16 4'], op: 'alloc 1', verb: 'split', describe: allocDemoText,
  });
  xorFigure(core, document.getElementById('fig-xor'), document.querySelector('#why-buddy [data-role="example"]'));
  // An allocated order-1 block at the right end, everything else free: give
  // the zone pages 14-15 first so the allocation lands there, then the rest.
  const freeDemo = new StepDemo(core, document.getElementById('demo-free'), {
    slot: SLOT.DEMO_FREE, setup: ['zone 16 4 empty', 'add 14 2', 'alloc 1', 'add 0 14'], op: 'free 14',
    verb: 'merged', describe: freeDemoText,
    probe: (core, slot, before) => {
      const block = before.blocks.find((b) => b.kind === KIND.ALLOCATED);
      return { block, where: core.buddyStatus(slot, block.pfn, block.order) };
    },
  });
  const play = new Playground(core, document.querySelector('[data-role="playground"]'));
  play.loadHash();
  window.addEventListener('resize', () => play.render());
  status.textContent = `Core: libbuddy compiled to a ${Math.round(moduleBytes / 1024)} KiB WebAssembly module, loaded from this page.`;

  // For the end-to-end tests and the curious: read-only views of what is drawn.
  window.buddyPlayground = {
    core, play, allocDemo, freeDemo, listsOf,
    ready: true,
  };
  document.documentElement.dataset.ready = 'true';
}

start();
