// SPDX-License-Identifier: MIT
// fig-xor.js: FIG. 3, the XOR rule: select a block of a small zone and see
// its buddy's index computed bit by bit, and where the core says it stands.

import { BUDDY, SLOT } from './abi.js';
import { KIND_WORD, bin, buddyWords, drawStrip, h, kindLabel, role, rovingKeys, sup } from './draw.js';

export function xorFigure(core, fig, exampleHost) {
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
