// SPDX-License-Identifier: MIT
// play-log.js: the playground's trace log: each command with its line
// number, its result or error, and the core's events.
//
// The log keeps its last LOG_LIMIT entries, and what is drawn follows them
// at the next redraw (or, when none comes, at the end of the current task),
// in one change to the list. While the workload runs, tens of entries
// arrive between redraws and scroll past faster than anyone reads them, so
// only the last LIVE_LINES are drawn; when it pauses the whole log is drawn
// again, to scroll back through, in full form. A very long line is shown
// cut, with its length: the trace box holds it whole.

import { h } from './draw.js';

const LOG_LIMIT = 400;
const LIVE_LINES = 16;
const SHOWN_CHARS = 240;

const shownText = (e) => (e.text.length > SHOWN_CHARS ? `${e.text.slice(0, SHOWN_CHARS)}… (${e.text.length} characters)` : e.text);

// A line of the live tail: one element and one text, its columns made with
// spaces in the log's monospace font, so that a frame's worth of new lines
// costs the browser little to style and lay out.
function liteItem(e) {
  const lead = e.kind === 'cmd' ? `${String(e.n ?? '').padStart(4)} › ` : `       ${e.kind === 'ev' ? '· ' : ''}`;
  return h('li', { class: `log-${e.kind} log-lite`, text: lead + shownText(e) });
}

function item(e) {
  const shown = shownText(e);
  return h('li', { class: `log-${e.kind}`, 'data-code': e.code },
    e.n !== null ? h('span', { class: 'log-n', text: String(e.n) }) : null,
    e.kind === 'cmd' ? h('span', { class: 'log-prompt', text: '›' }) : null,
    e.pre ? h('pre', { text: shown }) : h('span', { class: 'log-text', text: shown }),
    e.tag ? h('span', { class: 'log-tag', text: e.tag }) : null);
}

export class LogPanel {
  constructor(list) {
    this.list = list;
    this.entries = []; // the last LOG_LIMIT entries, oldest first
    this.drawn = 0;    // entries pushed since the list was last drawn whole
    this.whole = true; // the list shows every entry
    this.live = false; // the workload is running: draw the tail only
    this.queued = false;
    // The log follows its last line. Scrolling to it right after drawing
    // would force a layout in the middle of the redraw; a ResizeObserver on
    // the last line scrolls once the frame's own layout is done.
    this.follow = typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => { list.scrollTop = list.scrollHeight; }) : null;
  }

  clear() {
    this.entries = [];
    this.drawn = 0;
    this.whole = true;
    this.list.replaceChildren();
  }

  // kind: cmd, ok, ev, err or note; n: the trace line it cites.
  add(kind, text, { n = null, tag = '', code = null, pre = false } = {}) {
    this.entries.push({ kind, text, n, tag, code, pre });
    if (this.entries.length > 2 * LOG_LIMIT) this.entries.splice(0, this.entries.length - LOG_LIMIT);
    this.drawn++;
    // While the workload runs a redraw is always coming, and draws them.
    if (!this.queued && !this.live) {
      this.queued = true;
      queueMicrotask(() => this.flush());
    }
  }

  // Draw what arrived.
  flush() {
    this.queued = false;
    if (this.entries.length > LOG_LIMIT) this.entries.splice(0, this.entries.length - LOG_LIMIT);
    const { list, live } = this;
    const fresh = Math.min(this.drawn, this.entries.length);
    this.drawn = 0;
    if (!live && !this.whole) {
      list.replaceChildren(...this.entries.map(item));
      this.whole = true;
    } else if (fresh > 0) {
      const limit = live ? LIVE_LINES : LOG_LIMIT;
      const add = this.entries.slice(-Math.min(fresh, limit)).map(live ? liteItem : item);
      const extra = list.childElementCount + add.length - limit;
      for (let i = 0; i < extra; i++) list.firstElementChild.remove();
      list.append(...add);
      if (live) this.whole = false;
    } else {
      return;
    }
    if (this.follow && list.lastElementChild) {
      this.follow.disconnect();
      this.follow.observe(list.lastElementChild);
    } else {
      list.scrollTop = list.scrollHeight;
    }
  }
}
