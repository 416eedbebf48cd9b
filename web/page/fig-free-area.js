// SPDX-License-Identifier: MIT
// fig-free-area.js: FIG. 2, free_area[]: three states of a 16-page zone, each
// the core's own after a short trace, chosen by tabs.

import { SLOT } from './abi.js';
import { drawLists, drawStrip, h, kindLabel, role } from './draw.js';

const STATES = [
  { label: 'fresh zone', trace: ['zone 16 4'],
    note: 'A fresh 16-page zone: one order-4 block on free_area[4], every other list empty.' },
  { label: 'after alloc 0', trace: ['zone 16 4', 'alloc 0'],
    note: 'One 1-page request: the order-4 block was split four times, and each split left its upper half on a list, so every list below order 4 holds one block.' },
  { label: 'alloc 0 ×3, free 1', trace: ['zone 16 4', 'alloc 0', 'alloc 0', 'alloc 0', 'free 1'],
    note: 'Three 1-page requests, then pfn 1 is freed. Its buddy, pfn 0, is still allocated, so pfn 1 cannot merge: it waits on free_area[0] beside pfn 3.' },
];

export function freeAreaFigure(core, fig) {
  const tabs = role(fig, 'tabs');
  const show = (i) => {
    const s = STATES[i];
    for (const line of s.trace) core.exec(SLOT.FIG, line);
    const st = core.state(SLOT.FIG);
    drawStrip(role(fig, 'map'), st, { cols: 16, ticks: true, label: kindLabel });
    drawLists(role(fig, 'lists'), st);
    role(fig, 'note').textContent = s.note;
    tabs.querySelectorAll('button').forEach((b, j) => b.setAttribute('aria-pressed', String(i === j)));
    fig.dataset.state = i;
  };
  STATES.forEach((s, i) => tabs.append(h('button', { type: 'button', class: 'tab', 'aria-pressed': 'false',
    onclick: () => show(i), text: s.label })));
  show(0);
}
