// SPDX-License-Identifier: MIT
// play-chart.js: the playground's chart of free pages and of the largest
// free block, one point per operation since the zone was made.
//
// Past SAMPLE_LIMIT points every other point is dropped, and from then on
// only every 2nd (4th ...) operation is kept, so the chart's cost stays
// bounded however long the session runs. A new zone starts it afresh: its
// scale is the new zone's size. The chart is drawn at the width it is shown
// (so labels stay at text size), which a ResizeObserver reports; a redraw
// never asks the layout for it.

import { plural, setText } from './draw.js';

const SAMPLE_LIMIT = 600;
const H = 190;
const PAD = { l: 44, r: 12, t: 12, b: 26 };
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
}

export class Chart {
  constructor(svg) {
    this.svg = svg;
    this.width = 480;
    this.reset(0);
    this.last = null;
    svg.setAttribute('height', H);
    this.axis = s('line', { class: 'axis' });
    this.grid = [s('line', { class: 'grid' }), s('line', { class: 'grid' })];
    this.labels = [0, 1, 2].map(() => s('text', { class: 'tick-label', 'text-anchor': 'end' }));
    this.opsLabel = s('text', { class: 'tick-label', 'text-anchor': 'end' });
    this.free = s('polyline', { class: 'series-free' });
    this.largest = s('polyline', { class: 'series-largest' });
    svg.replaceChildren(this.axis, ...this.grid, ...this.labels, this.opsLabel, this.free, this.largest);
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver((entries) => {
        const w = Math.max(240, Math.round(entries[0].contentRect.width) || 480);
        if (w === this.width) return;
        this.width = w;
        this.frame = '';
        if (this.last) this.draw(...this.last);
      }).observe(svg);
    }
  }

  // Start afresh at operation `ops` (a new zone's line).
  reset(ops) {
    this.samples = [];
    this.every = 1;
    this.base = Math.max(0, ops - 1);
    this.frame = '';
  }

  // One operation done: its point, if it is one the chart keeps.
  sample(ops, free, largest) {
    if ((ops - this.base - 1) % this.every !== 0) return;
    this.samples.push({ free, largest });
    if (this.samples.length > SAMPLE_LIMIT) {
      this.samples = this.samples.filter((_, i) => i % 2 === 0);
      this.every *= 2;
    }
  }

  draw(pages, ops) {
    this.last = [pages, ops];
    const W = this.width;
    const top = Math.max(1, pages);
    const n = this.samples.length;
    const x = (i) => PAD.l + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.l - PAD.r));
    const y = (v) => PAD.t + (1 - v / top) * (H - PAD.t - PAD.b);
    // The axes and their labels change only with the zone's size or the width.
    const frame = `${W} ${top}`;
    if (this.frame !== frame) {
      this.frame = frame;
      this.svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
      const line = (n2, v) => { for (const [k, a] of Object.entries({ x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v) })) n2.setAttribute(k, a); };
      line(this.axis, 0);
      line(this.grid[0], top);
      line(this.grid[1], top / 2);
      [top, top / 2, 0].forEach((v, i) => {
        this.labels[i].setAttribute('x', PAD.l - 6);
        this.labels[i].setAttribute('y', y(v) + 4);
        this.labels[i].textContent = v;
      });
      this.opsLabel.setAttribute('x', W - PAD.r);
      this.opsLabel.setAttribute('y', H - 6);
    }
    setText(this.opsLabel, `${plural(ops - this.base, 'operation')} →`);
    const points = (key) => this.samples.map((p, i) => `${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
    this.free.setAttribute('points', points('free'));
    this.largest.setAttribute('points', points('largest'));
    this.svg.dataset.samples = n;
  }
}
