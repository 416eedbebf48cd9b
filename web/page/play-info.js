// SPDX-License-Identifier: MIT
// play-info.js: the playground's numbers: /proc/buddyinfo, the extfrag
// indices per order, the zone's counters and the validator's verdict, all as
// the core reports them. A redraw touches only the texts that changed.

import { STAT } from './abi.js';
import { h, milli, plural, role, setText } from './draw.js';

export class InfoPanel {
  constructor(core, slot, root) {
    this.core = core;
    this.slot = slot;
    this.buddyinfo = role(root, 'buddyinfo');
    this.table = role(root, 'indices');
    this.stats = role(root, 'stats');
    this.verdict = role(root, 'verdict');
    this.cells = null; // [order] -> {row, u, f}, for the table's max_order
  }

  // v: the validator's verdict {code, text} after operation `ops`.
  draw(st, v, ops) {
    const { core, slot } = this;
    setText(this.buddyinfo, core.buddyinfo(slot).replace(/\n$/, ''));
    this.drawIndices(st);
    setText(this.stats, `${core.stat(slot, STAT.FREE)} of ${core.stat(slot, STAT.MANAGED)} managed pages free · `
      + `${core.stat(slot, STAT.ALLOCATED)} allocated · ${core.stat(slot, STAT.RESERVED)} reserved · `
      + `${plural(core.stat(slot, STAT.SPLITS), 'split')} · ${plural(core.stat(slot, STAT.MERGES), 'merge')} · `
      + `${core.stat(slot, STAT.REJECTED)} refused`);
    this.drawVerdict(v, ops);
  }

  drawVerdict(v, ops) {
    const el = this.verdict;
    const state = v.code === 0 ? 'ok' : 'corrupt';
    if (el.dataset.verdict !== state || el.dataset.text !== v.text) {
      el.dataset.verdict = state;
      el.dataset.text = v.text;
      el.replaceChildren(h('span', { class: 'verdict-mark', 'aria-hidden': 'true', text: v.code === 0 ? '✓' : '✗' }),
        h('code', { text: 'buddy_zone_check' }), `: ${v.text}`, h('span', { class: 'verdict-after' }));
    }
    setText(el.lastChild, ` · after operation ${ops}`);
  }

  drawIndices(st) {
    if (!this.cells || this.cells.length !== st.maxOrder + 1) {
      this.cells = [];
      const rows = [];
      for (let k = 0; k <= st.maxOrder; k++) {
        const c = { row: h('tr', { 'data-order': k }), u: h('td', { class: 'idx-cell' }), f: h('td', { class: 'idx-cell' }) };
        c.row.append(h('th', { scope: 'row', text: k }), h('td', { class: 'idx-pages', text: 2 ** k }), c.u, c.f);
        this.cells.push(c);
        rows.push(c.row);
      }
      this.table.replaceChildren(
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'order' }), h('th', { scope: 'col', text: 'pages' }),
          h('th', { scope: 'col', text: 'unusable' }), h('th', { scope: 'col', text: 'fragmentation' }))),
        h('tbody', {}, rows));
    }
    this.cells.forEach((c, k) => {
      const u = this.core.unusable(this.slot, k);
      const f = this.core.fragmentation(this.slot, k);
      if (c.row.dataset.unusable === String(u) && c.row.dataset.fragmentation === String(f)) return;
      c.row.dataset.unusable = u;
      c.row.dataset.fragmentation = f;
      c.u.style.setProperty('--v', Math.max(0, u) / 1000);
      c.u.textContent = milli(u);
      c.f.style.setProperty('--v', Math.max(0, f) / 1000);
      c.f.classList.toggle('idx-ok', f < 0);
      c.f.textContent = milli(f);
    });
  }
}
