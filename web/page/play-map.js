// SPDX-License-Identifier: MIT
// play-map.js: the playground's memory map, the line that says what the
// focused block is and where its buddy lies, and the map's keyboard.
//
// The map is one tab stop; arrow keys move between blocks, and Enter, Space,
// Delete or a click hands the block to the playground (which frees an
// allocated one). A redraw keeps keyboard focus on the same block, or on the
// block that now holds its first page.

import { BUDDY, KIND } from './abi.js';
import { blockLabel, buddyWords, capital, drawLegend, drawStrip, placeRing, role, rovingKeys, setText } from './draw.js';

const FOCUS_HINT = 'Select a block to see what it is and where its buddy lies.';

export class MapPanel {
  constructor(core, slot, root, { activate }) {
    this.core = core;
    this.slot = slot;
    this.map = role(root, 'map');
    this.line = role(root, 'focus-line');
    this.activate = activate;
    this.focusPfn = null;
    // Asked once and then told of changes: evaluating a media query on every
    // redraw can cost a style pass of its own.
    const narrow = window.matchMedia('(max-width: 640px)');
    this.narrow = narrow.matches;
    narrow.addEventListener('change', (ev) => { this.narrow = ev.matches; });
    rovingKeys(this.map, () => this.cols);
    this.map.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Delete' && ev.key !== 'Backspace') return;
      const pfn = Number(document.activeElement?.dataset?.pfn);
      if (!Number.isNaN(pfn)) { ev.preventDefault(); this.activate(this.core.findBlock(this.slot, pfn)); }
    });
    drawLegend(role(root, 'legend'), [KIND.FREE, KIND.ALLOCATED, KIND.RESERVED, KIND.HOLE]);
  }

  get cols() {
    return Math.min(this.core.pages(this.slot), this.narrow ? 16 : 32);
  }

  reset() { this.focusPfn = null; }

  draw(st) {
    const { core, slot, map } = this;
    const hadFocus = map.contains(document.activeElement);
    const cols = this.cols;
    let focusPfn = this.focusPfn;
    if (focusPfn !== null && !st.blocks.some((b) => b.pfn === focusPfn && b.kind !== KIND.HOLE)) {
      const b = core.findBlock(slot, focusPfn);
      focusPfn = b && b.kind !== KIND.HOLE ? b.pfn : null;
    }
    const rows = Math.ceil(st.pages / cols);
    const density = rows <= 1 ? 'roomy' : rows <= 4 ? 'medium' : rows <= 8 ? 'dense' : 'tight';
    if (map.dataset.density !== density) map.dataset.density = density;
    drawStrip(map, st, {
      cols, ticks: rows === 1, rowLabels: rows > 1, focusPfn,
      label: (b) => (b.kind === KIND.HOLE ? '' : `o${b.order}`),
      select: (b) => this.activate(b),
      onFocus: (b) => { this.focusPfn = b.pfn; this.describe(b); },
      actionHint: (b) => (b.kind === KIND.ALLOCATED ? ': press Enter to free' : ''),
    });
    if (hadFocus) {
      const target = map.querySelector(`button.blk[data-pfn="${focusPfn}"]`) || map.querySelector('button.blk[tabindex="0"]');
      // A block kept from the last drawing still has focus, and focusing it
      // again says nothing: describe it, as the zone around it changed.
      if (target && document.activeElement === target) this.describe(map.stripState.blocks.get(Number(target.dataset.pfn)));
      else if (target) target.focus();
    } else {
      setText(this.line, FOCUS_HINT);
    }
  }

  // Say what the focused block is, and outline its buddy on the map.
  describe(b) {
    const { core, slot, map } = this;
    const st = { start: core.start(slot), pages: core.pages(slot) };
    map.querySelectorAll('.buddy-ring').forEach((n) => n.remove());
    let text = capital(blockLabel(b));
    if (b.kind === KIND.FREE) text += `, on free_area[${b.order}]`;
    if (b.kind === KIND.ALLOCATED) text += ': Enter, Space or a click frees it';
    const where = core.buddyStatus(slot, b.pfn, b.order);
    if (where.status === BUDDY.TOP) {
      text += `. Order ${b.order} is max_order: nothing merges above it.`;
    } else {
      text += `. Its buddy, ${b.pfn} XOR ${2 ** b.order} = ${where.pfn}, is ${buddyWords(b, where)}.`;
      if (where.status !== BUDDY.OUTSIDE) placeRing(map, st, { pfn: where.pfn, pages: b.pages });
    }
    setText(this.line, text);
  }
}
