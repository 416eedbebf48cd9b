// SPDX-License-Identifier: MIT
// play-log.js: the playground's trace log: each command with its line
// number, its result or error, and the core's events.
//
// Entries are kept back and written in one go at the next redraw (or, when
// none comes, at the end of the current task), so a burst of workload
// operations costs one change to the list, and only the last LOG_LIMIT of
// them are ever made into elements. A very long line is shown cut, with its
// length: the trace box holds it whole.

import { h } from './draw.js';

const LOG_LIMIT = 400;
const SHOWN_CHARS = 240;

export class LogPanel {
  constructor(list) {
    this.list = list;
    this.pending = [];
    this.queued = false;
  }

  clear() {
    this.pending = [];
    this.list.replaceChildren();
  }

  // kind: cmd, ok, ev, err or note; n: the trace line it cites.
  add(kind, text, { n = null, tag = '', code = null, pre = false } = {}) {
    this.pending.push({ kind, text, n, tag, code, pre });
    if (this.pending.length > 2 * LOG_LIMIT) this.pending.splice(0, this.pending.length - LOG_LIMIT);
    if (!this.queued) {
      this.queued = true;
      queueMicrotask(() => this.flush());
    }
  }

  flush() {
    this.queued = false;
    if (this.pending.length === 0) return;
    const items = this.pending.slice(-LOG_LIMIT).map((e) => {
      const shown = e.text.length > SHOWN_CHARS
        ? `${e.text.slice(0, SHOWN_CHARS)}… (${e.text.length} characters)` : e.text;
      return h('li', { class: `log-${e.kind}`, 'data-code': e.code },
        e.n !== null ? h('span', { class: 'log-n', text: String(e.n) }) : null,
        e.kind === 'cmd' ? h('span', { class: 'log-prompt', text: '›' }) : null,
        e.pre ? h('pre', { text: shown }) : h('span', { class: 'log-text', text: shown }),
        e.tag ? h('span', { class: 'log-tag', text: e.tag }) : null);
    });
    this.pending = [];
    const { list } = this;
    const extra = list.childElementCount + items.length - LOG_LIMIT;
    if (extra > 0) {
      // Drop the oldest in one range, not one element at a time.
      const r = document.createRange();
      r.setStartBefore(list.firstChild);
      r.setEndAfter(list.children[Math.min(extra, list.childElementCount) - 1]);
      r.deleteContents();
    }
    list.append(...items);
    list.scrollTop = list.scrollHeight;
  }
}
