// SPDX-License-Identifier: MIT
// wasm.mjs: load the playground's WebAssembly module in node, for the tests.
//
// A small reader of the module's flat C ABI (web/wasm/playground.h), written
// for the tests on their own rather than borrowed from the page, so that the
// page's drawing can be checked against what the core says.

import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Where `make playground` put the page: $BUDDY_WEB_DIR, else build/web.
export const webDir = resolve(process.env.BUDDY_WEB_DIR || join(here, '..', '..', 'build', 'web'));

export const KIND = { HOLE: 1, FREE: 2, ALLOCATED: 3, RESERVED: 4, INFLIGHT: 5 };
export const EV = { ALLOC: 1, FREE: 2, SPLIT: 3, MERGE: 4, FAIL: 6, REJECT: 7, ADD_RANGE: 8, RESERVE: 9 };
export const ERR = {
  ENOMEM: -1, EINVAL: -2, EORDER: -3, ERANGE: -4, EALIGN: -5, EINTERIOR: -6, EDOUBLEFREE: -7,
  EWRONGORDER: -8, EHOLE: -9, ERESERVED: -10, EBUSY: -12, EOVERLAP: -13, EMAXORDER: -15,
  ENOSPC: -16, ENOTSUP: -26, ENOTENANT: -30, ESYNTAX: -1001, ENOZONE: -1002, ELIMIT: -1003,
};
const PG_NONE = 0xffffffff;
const EVENT_WORDS = 42; // PG_EVENT_WORDS: 8 + nr_free[32] + the free lists' first block and count

export async function loadModule(path = join(webDir, 'playground.wasm')) {
  const bytes = await readFile(path);
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, {});
  return { module, core: new TestCore(instance.exports) };
}

export class TestCore {
  constructor(x) {
    this.x = x;
  }

  str(ptr) {
    const m = new Uint8Array(this.x.memory.buffer);
    let end = ptr;
    while (m[end] !== 0) end++;
    return new TextDecoder().decode(m.subarray(ptr, end));
  }

  blocks(ptr, n) {
    const u = new Uint32Array(this.x.memory.buffer, ptr, n * 4);
    const out = [];
    for (let i = 0; i < n; i++) out.push({ pfn: u[4 * i], pages: u[4 * i + 1], order: u[4 * i + 2], kind: u[4 * i + 3] });
    return out;
  }

  exec(slot, line) {
    const bytes = new TextEncoder().encode(line);
    new Uint8Array(this.x.memory.buffer).set(bytes, this.x.pg_inbuf());
    const code = this.x.pg_exec(slot, bytes.length);
    return { code, cmd: this.str(this.x.pg_exec_cmd()), out: this.str(this.x.pg_out()),
      pfn: this.x.pg_last_pfn() >>> 0, order: this.x.pg_last_order() };
  }

  // Run lines; returns the results of the lines that held a command.
  run(slot, lines) {
    return lines.map((l) => this.exec(slot, l)).filter((r) => r.code !== 1);
  }

  events() {
    const n = this.x.pg_event_count();
    const u = new Uint32Array(this.x.memory.buffer);
    const base = this.x.pg_events() >>> 2;
    const out = [];
    for (let i = 0; i < n; i++) {
      const e = base + i * EVENT_WORDS;
      out.push({ type: u[e], pfn: u[e + 1], order: u[e + 2], buddy: u[e + 3], nrPages: u[e + 4], error: u[e + 5] | 0,
        blocks: u[e + 7] === PG_NONE ? null : this.blocks(this.x.pg_snapshot_pool() + u[e + 6] * 16, u[e + 7]),
        nrFree: Array.from(u.subarray(e + 8, e + 40)),
        lists: u[e + 41] === PG_NONE ? null
          : listsOf(this.blocks(this.x.pg_snapshot_pool() + u[e + 40] * 16, u[e + 41])) });
    }
    return out;
  }

  walk(slot) { return this.blocks(this.x.pg_blocks(), this.x.pg_walk(slot)); }
  // free_area[order] as the core links it, head first: [pfn, ...].
  freeList(slot, order) {
    return this.blocks(this.x.pg_blocks(), this.x.pg_walk_free_list(slot, order)).map((b) => b.pfn);
  }
  // Every free list, head first, as {order: [pfn, ...]}: what the page draws.
  lists(slot) {
    const out = {};
    for (let k = 0; k <= this.maxOrder(slot); k++) {
      const pfns = this.freeList(slot, k);
      if (pfns.length) out[k] = pfns;
    }
    return out;
  }
  buddyinfo(slot) { this.x.pg_buddyinfo(slot); return this.str(this.x.pg_out()); }
  check(slot) { const code = this.x.pg_check(slot); return { code, text: this.str(this.x.pg_out()) }; }
  maxOrder(slot) { return this.x.pg_max_order(slot); }
  nrFree(slot) {
    const out = [];
    for (let k = 0; k <= this.maxOrder(slot); k++) out.push(this.x.pg_nr_free(slot, k));
    return out;
  }
  workloadNext(slot) { return this.x.pg_workload_next(slot) ? this.str(this.x.pg_out()) : ''; }
  strerror(code) { return this.str(this.x.pg_strerror(code)); }
  // pg_constants() as {name: value}.
  constants() {
    const u = new Uint32Array(this.x.memory.buffer);
    const out = {};
    for (let i = 0, w = this.x.pg_constants() >>> 2; i < this.x.pg_constant_count(); i++, w += 2) {
      out[this.str(u[w])] = u[w + 1] | 0;
    }
    return out;
  }
}

// The free blocks of a walk as {order: [pfn, ...]}, in address order (a
// walk's view; the free lists' own order is TestCore.lists).
export function freeLists(blocks) {
  const out = {};
  for (const b of blocks) if (b.kind === KIND.FREE) (out[b.order] ||= []).push(b.pfn);
  return out;
}

// Blocks listed order by order, each list head first, as {order: [pfn, ...]}.
function listsOf(blocks) {
  const out = {};
  for (const b of blocks) (out[b.order] ||= []).push(b.pfn);
  return out;
}

// The counts of a /proc/buddyinfo line.
export function buddyinfoCounts(line) {
  const m = /^Node \d+, zone +\S+ ((?: *\d+ )+)\s*$/.exec(line);
  if (!m) throw new Error(`not a buddyinfo line: ${JSON.stringify(line)}`);
  return m[1].trim().split(/ +/).map(Number);
}
