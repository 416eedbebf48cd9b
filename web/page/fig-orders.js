// SPDX-License-Identifier: MIT
// fig-orders.js: FIG. 1, a 16-page region at every order: one real zone per
// row, its max_order capped at the row's order.

import { SLOT } from './abi.js';
import { drawStrip, h, pagesWord, role } from './draw.js';

export function ordersFigure(core, fig) {
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
