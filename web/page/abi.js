// SPDX-License-Identifier: MIT
// abi.js: the WebAssembly module and its flat C ABI (web/wasm/playground.h).
//
// The core (src/core/*.c) and a thin C ABI (web/wasm/) are one module that
// web/build.mjs inlines into the page as base64. Every enum value and table
// layout is read from the module's own table (pg_constants) when it loads, so
// nothing here is a copy of a C definition that could drift from it: KIND,
// EV, BUDDY, STAT and ERR are filled in by loadCore before any figure runs.

export const KIND = {};   // enum buddy_block_kind: HOLE, FREE, ... CACHED
export const EV = {};     // enum buddy_event_type: ALLOC, SPLIT, MERGE, ...
export const BUDDY = {};  // enum pg_buddy_status: FREE, BUSY, SPLIT, ...
export const STAT = {};   // enum pg_stat_which: FREE, MANAGED, ...
export const ERR = {};    // BUDDY_E* and PG_E* codes, by name without prefix
export const LIMIT = {};  // PAGES, ORDER: the largest zone the page makes
export const MT = {};     // enum buddy_migratetype: UNMOVABLE, MOVABLE, ...
// Which zone slot each figure owns (the page's choice, not the module's).
export const SLOT = { FIG: 0, DEMO_ALLOC: 1, DEMO_FREE: 2, XOR: 3, PLAY: 4, HERO: 5, FRAG_ON: 6, FRAG_OFF: 7 };
// The ABI this file reads; the module states its own.
const ABI_VERSION = 2;

// Layout of the u32 tables, from the same constants.
const L = { NONE: 0, BLOCK_WORDS: 0, EVENT_WORDS: 0, NR_ORDERS: 0, INBUF: 0 };

export class Core {
  constructor(exports) {
    this.x = exports;
    this.enc = new TextEncoder();
    this.dec = new TextDecoder();
    if (this.x.pg_abi_version() !== ABI_VERSION) throw new Error('unexpected module ABI version');
    if (typeof this.x.pg_constants !== 'function') throw new Error('the module has no constant table');
    this.readConstants();
  }

  // pg_constants(): {name pointer, value} pairs, two u32 each.
  readConstants() {
    const u = this.u32();
    const c = {};
    for (let i = 0, w = this.x.pg_constants() >>> 2; i < this.x.pg_constant_count(); i++, w += 2) {
      c[this.str(u[w])] = u[w + 1] | 0;
    }
    const take = (into, prefix) => {
      for (const [name, value] of Object.entries(c)) {
        if (name.startsWith(prefix)) into[name.slice(prefix.length)] = value;
      }
    };
    take(KIND, 'BUDDY_BLOCK_');
    take(EV, 'BUDDY_EV_');
    take(BUDDY, 'PG_BUDDY_');
    take(STAT, 'PG_STAT_');
    take(MT, 'BUDDY_MIGRATE_');
    for (const [name, value] of Object.entries(c)) {
      const m = /^(?:BUDDY|PG)_(E[A-Z]+)$/.exec(name);
      if (m) ERR[m[1]] = value;
    }
    Object.assign(LIMIT, { PAGES: c.PG_MAX_PAGES, ORDER: c.PG_MAX_ORDER });
    Object.assign(L, { NONE: c.PG_NONE >>> 0, BLOCK_WORDS: c.PG_BLOCK_WORDS, EVENT_WORDS: c.PG_EVENT_WORDS,
      NR_ORDERS: c.BUDDY_NR_ORDERS, INBUF: c.PG_INBUF_SIZE });
    for (const o of [KIND, EV, BUDDY, STAT, ERR, LIMIT, MT]) Object.freeze(o);
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
    for (let i = 0, w = ptr >>> 2; i < n; i++, w += L.BLOCK_WORDS) {
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
    if (bytes.length >= L.INBUF) {
      return { code: ERR.ESYNTAX, cmd: '', out: 'line too long', pfn: L.NONE, order: 0, events: [] };
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
    const blockBytes = L.BLOCK_WORDS * 4;
    const K = L.NR_ORDERS;
    const out = [];
    for (let i = 0; i < n; i++) {
      const e = base + i * L.EVENT_WORDS;
      out.push({
        type: u[e], pfn: u[e + 1], order: u[e + 2], buddy: u[e + 3], nrPages: u[e + 4],
        error: u[e + 5] | 0,
        blocks: u[e + 7] === L.NONE ? null : this.blocksAt(pool + u[e + 6] * blockBytes, u[e + 7]),
        nrFree: Array.from(u.subarray(e + 8, e + 8 + K)),
        listBlocks: u[e + 9 + K] === L.NONE ? null : this.blocksAt(pool + u[e + 8 + K] * blockBytes, u[e + 9 + K]),
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
  strerror(code) { return this.str(this.x.pg_strerror(code)); }
  kindName(kind) { return this.str(this.x.pg_kind_name(kind)); }
  workloadSeed(slot, seed) { this.x.pg_workload_seed(slot, seed >>> 0); }
  workloadNext(slot) { return this.x.pg_workload_next(slot) ? this.str(this.x.pg_out()) : ''; }
  setSnapshots(slot, on) { this.x.pg_set_snapshots(slot, on ? 1 : 0); }
  // Migrate types: a zone in pageblocks of 2^pbOrder pages, grouping by
  // mobility on or off; a typed allocation (its pfn, or -1 and the code);
  // a pageblock's type; the zone's /proc/pagetypeinfo.
  zoneNewTyped(slot, pages, maxOrder, pbOrder, grouping) {
    return this.x.pg_zone_new_typed(slot, pages, maxOrder, pbOrder, grouping ? 0 : 1);
  }
  allocType(slot, order, mt) {
    const code = this.x.pg_alloc_type(slot, order, mt);
    return { code, pfn: code === 0 ? this.x.pg_last_pfn() >>> 0 : -1 };
  }
  freeOrder(slot, pfn, order) { return this.x.pg_free_order(slot, pfn, order); }
  pageblockType(slot, pfn) { return this.x.pg_pageblock_type(slot, pfn); }
  pagetypeinfo(slot) { this.x.pg_pagetypeinfo(slot); return this.str(this.x.pg_out()); }

  // Everything a figure draws of a zone at this moment.
  state(slot) {
    return { blocks: this.walk(slot), lists: this.lists(slot), nrFree: this.nrFree(slot),
      maxOrder: this.maxOrder(slot), pages: this.pages(slot), start: this.start(slot) };
  }
}

export async function loadCore() {
  const holder = document.getElementById('buddy-wasm');
  if (!holder) throw new Error('the page was not built: run `make playground` and open build/web/index.html');
  const raw = atob(holder.textContent.trim());
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return { core: new Core(instance.exports), moduleBytes: bytes.length };
}
