// SPDX-License-Identifier: MIT
// fig-frag.js: § 07, fragmentation and how the kernel fights it. Two real
// zones of 1024 pages in 64 pageblocks of 16 (max order 6), one grouping
// pages by mobility and one not, take the same seeded workload: long-lived
// unmovable allocations held at about 8% of memory while movable ones come
// and go at about 85% full. Each pageblock is drawn as a cell coloured by
// its type (read from the core) and marked when an unmovable page lives in
// it; the largest free block of each zone is charted over time, and the
// grouping zone's /proc/pagetypeinfo is shown as the core prints it.

import { MT, SLOT } from './abi.js';
import { h, role } from './draw.js';

const PAGES = 1024;
const MAX_ORDER = 6;
const PB_ORDER = 4;
const NR_PB = PAGES >> PB_ORDER;
const OPS_PER_STEP = 500;
const STEPS = 24;
// Indexed by enum buddy_migratetype, whose values come from the module.
const TYPE_CLASS = {};
const TYPE_NAME = {};
function nameTypes() {
  for (const [name, v] of Object.entries(MT)) {
    if (name === 'TYPES') continue;
    TYPE_CLASS[v] = `pb-${name.toLowerCase()}`;
    TYPE_NAME[v] = name[0] + name.slice(1).toLowerCase();
  }
}

// xorshift32: the same sequence for both zones.
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

class FragZone {
  constructor(core, slot, grouping) {
    this.core = core;
    this.slot = slot;
    this.grouping = grouping;
    this.reset();
  }

  reset() {
    const code = this.core.zoneNewTyped(this.slot, PAGES, MAX_ORDER, PB_ORDER, this.grouping);
    if (code !== 0) throw new Error(`fragmentation zone: ${this.core.errname(code)}`);
    this.held = [];
    this.unmovable = 0;
    this.movable = 0;
    this.unmovInPb = new Array(NR_PB).fill(0);
    this.next = rng(42);
    this.history = [];
  }

  count(b, sign) {
    const pages = 1 << b.order;
    if (b.unmovable) {
      this.unmovable += sign * pages;
      this.unmovInPb[b.pfn >> PB_ORDER] += sign * pages;
    } else {
      this.movable += sign * pages;
    }
  }

  step() {
    const r = this.next();
    const unmov = r % 100 < 8;
    const want = unmov ? PAGES * 0.08 : PAGES * 0.85;
    const have = unmov ? this.unmovable : this.unmovable + this.movable;
    const grow = have < want && ((r >>> 8) % 3 !== 0 || have < want / 2);
    if (grow && this.held.length < 1024) {
      const order = unmov ? (r >>> 16) % 3 : ((r >>> 16) % 64 === 0 ? PB_ORDER : (r >>> 24) % 3);
      const a = this.core.allocType(this.slot, order, unmov ? MT.UNMOVABLE : MT.MOVABLE);
      if (a.code === 0) {
        const b = { pfn: a.pfn, order, unmovable: unmov };
        this.held.push(b);
        this.count(b, 1);
      }
      return;
    }
    // The oldest unmovable block goes (they are long-lived); any movable one.
    for (let i = 0; i < this.held.length; i++) {
      const k = unmov ? i : ((r >>> 4) + i) % this.held.length;
      const b = this.held[k];
      if (b.unmovable !== unmov) continue;
      if (this.core.freeOrder(this.slot, b.pfn, b.order) !== 0) throw new Error('a held block did not free');
      this.count(b, -1);
      this.held[k] = this.held[this.held.length - 1];
      this.held.pop();
      return;
    }
  }

  // Every movable block back: what compaction and reclaim aim for.
  freeMovable() {
    for (let i = this.held.length - 1; i >= 0; i--) {
      const b = this.held[i];
      if (b.unmovable) continue;
      this.core.freeOrder(this.slot, b.pfn, b.order);
      this.count(b, -1);
      this.held.splice(i, 1);
    }
  }

  pinned() { return this.unmovInPb.filter((n) => n > 0).length; }
  fewest() { return Math.ceil(this.unmovable / (1 << PB_ORDER)); }
}

export function fragFigure(core, fig) {
  nameTypes();
  const zones = [new FragZone(core, SLOT.FRAG_ON, true), new FragZone(core, SLOT.FRAG_OFF, false)];
  const rows = zones.map((z) => {
    const cells = [];
    const strip = h('div', { class: 'pb-strip', 'data-role': z.grouping ? 'pb-on' : 'pb-off' });
    for (let i = 0; i < NR_PB; i++) {
      const c = h('span', { class: 'pb-cell' });
      cells.push(c);
      strip.append(c);
    }
    const note = h('p', { class: 'pb-note', 'data-role': z.grouping ? 'note-on' : 'note-off', 'aria-live': 'polite' });
    role(fig, 'pb-rows').append(h('div', { class: 'pb-row' },
      h('p', { class: 'pb-name', text: z.grouping ? 'grouping by mobility' : 'no grouping' }), strip, note));
    return { z, cells, note };
  });
  const chart = role(fig, 'frag-chart');
  const info = role(fig, 'pagetypeinfo');
  const stepBtn = role(fig, 'frag-step');
  const runBtn = role(fig, 'frag-run');
  const resetBtn = role(fig, 'frag-reset');
  let steps = 0;
  let done = false;

  function draw() {
    for (const { z, cells, note } of rows) {
      for (let pb = 0; pb < NR_PB; pb++) {
        const mt = core.pageblockType(z.slot, pb << PB_ORDER);
        const c = cells[pb];
        c.className = `pb-cell ${TYPE_CLASS[mt] || ''}${z.unmovInPb[pb] > 0 ? ' pb-pinned' : ''}`;
        c.title = `pageblock ${pb} (pfn ${pb << PB_ORDER}): ${TYPE_NAME[mt] || '?'}`
          + (z.unmovInPb[pb] > 0 ? `, ${z.unmovInPb[pb]} unmovable pages` : '');
      }
      const largest = core.largestFreeOrder(z.slot);
      note.textContent = `${z.unmovable} unmovable pages pin ${z.pinned()} pageblocks (${z.fewest()} would hold them); `
        + `largest free block: order ${largest}`;
    }
    info.textContent = core.pagetypeinfo(SLOT.FRAG_ON);
    drawChart();
  }

  function drawChart() {
    const W = 320;
    const H = 80;
    const n = Math.max(...zones.map((z) => z.history.length), 1);
    chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
    chart.replaceChildren();
    zones.forEach((z, i) => {
      const pts = z.history.map((v, k) => `${(k / Math.max(n - 1, 1)) * W},${H - 4 - (v / MAX_ORDER) * (H - 8)}`).join(' ');
      const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('class', i === 0 ? 'line-on' : 'line-off');
      line.setAttribute('points', pts);
      chart.append(line);
    });
  }

  function advance() {
    if (done) return false;
    if (steps < STEPS) {
      for (const z of zones) {
        for (let i = 0; i < OPS_PER_STEP; i++) z.step();
        z.history.push(core.largestFreeOrder(z.slot));
      }
      steps++;
    } else {
      for (const z of zones) {
        z.freeMovable();
        z.history.push(core.largestFreeOrder(z.slot));
      }
      done = true;
      role(fig, 'frag-phase').textContent = 'every movable block freed';
    }
    if (!done) role(fig, 'frag-phase').textContent = `after ${steps * OPS_PER_STEP} operations`;
    draw();
    return !done;
  }

  let timer = null;
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    runBtn.setAttribute('aria-pressed', 'false');
    runBtn.textContent = '▶ Run';
  }
  stepBtn.addEventListener('click', () => { stop(); advance(); });
  runBtn.addEventListener('click', () => {
    if (timer !== null) { stop(); return; }
    runBtn.setAttribute('aria-pressed', 'true');
    runBtn.textContent = '❚❚ Pause';
    timer = setInterval(() => { if (!advance()) stop(); }, 120);
  });
  resetBtn.addEventListener('click', () => {
    stop();
    for (const z of zones) z.reset();
    steps = 0;
    done = false;
    role(fig, 'frag-phase').textContent = 'a fresh zone';
    draw();
  });
  role(fig, 'frag-phase').textContent = 'a fresh zone';
  draw();
  // For the end-to-end tests: run to the end at once, and read the numbers.
  return {
    runToEnd() { stop(); while (advance()); },
    numbers() { return zones.map((z) => ({ grouping: z.grouping, pinned: z.pinned(), fewest: z.fewest(), largest: core.largestFreeOrder(z.slot) })); },
  };
}
