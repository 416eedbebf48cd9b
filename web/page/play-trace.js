// SPDX-License-Identifier: MIT
// play-trace.js: the session trace box (`buddy run` syntax), its note, and
// the trace's form in a link.
//
// The box follows the session, but never while it is being edited, and not
// while the workload runs: a long text is slow to lay out, and the box
// catches up when the workload pauses.

import { role } from './draw.js';

export const TRACE_NOTE = 'Edit or paste a trace and press Replay: it runs from a fresh zone, line by line, and every error the core returns goes to the trace log, with the number of its line in the trace. Comments and blank lines are kept and counted, as buddy run counts them.';

// The trace in a URL: lines joined by ',', spaces as '+'.
export function encodeTrace(lines) {
  return lines.map((l) => encodeURIComponent(l).replace(/%20/g, '+')).join(',');
}
export function decodeTrace(s) {
  return s.split(',').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
}
export function isCommand(line) {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

export class TraceBox {
  constructor(root) {
    this.box = role(root, 'trace');
    this.note = role(root, 'trace-note');
    this.note.textContent = TRACE_NOTE;
    this.shown = -1;
  }

  reset() { this.shown = -1; }

  show(trace, running) {
    const ta = this.box;
    if (running || document.activeElement === ta || this.shown === trace.length) return;
    ta.value = trace.join('\n');
    this.shown = trace.length;
  }

  // Say whether a link can carry the trace.
  tooLong(lines, yes) {
    this.note.classList.toggle('is-warning', yes);
    const text = yes
      ? `This trace is too long for a link (${lines} lines): the link keeps the zone's size only. Copy the trace to share it.`
      : TRACE_NOTE;
    if (this.note.textContent !== text) this.note.textContent = text;
  }
}
