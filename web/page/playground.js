// SPDX-License-Identifier: MIT
// playground.js: § 06, the live zone: the session and its controls.
//
// A session is a trace in `buddy run` syntax: every button, click, command
// and workload step is one line handed to the core, and the trace is what
// the box shows, the link carries and Replay runs again. This file owns the
// session (its lines, the zone's size, the workload, the link) and hands
// each redraw to the panels, each of which owns one part of the playground
// and changes only what changed: the map (play-map.js), free_area[]
// (drawLists), the numbers (play-info.js), the chart (play-chart.js), the log
// (play-log.js) and the trace box (play-trace.js).

import { EV, KIND, LIMIT, SLOT, STAT } from './abi.js';
import { drawLists, h, pagesWord, role, setText } from './draw.js';
import { Chart } from './play-chart.js';
import { InfoPanel } from './play-info.js';
import { LogPanel } from './play-log.js';
import { MapPanel } from './play-map.js';
import { TraceBox, decodeTrace, encodeTrace, isCommand } from './play-trace.js';

const SPEEDS = [1, 2, 5, 10, 30, 100, 300]; // operations per second
const URL_TRACE_LIMIT = 32000; // characters of trace in a shared link
const DEFAULT = { pages: 16, maxOrder: 4, seed: 1 };
const SEED_MAX = 0xffffffff;

// A seed is what the seed box and a link may hold: a whole number that
// fits the module's u32, written in plain digits. Anything else is null.
function parseSeed(text) {
  return /^\d+$/.test(text) && Number(text) <= SEED_MAX ? Number(text) : null;
}

// The page sizes on offer: powers of two up to the page's limit.
function pageChoices() {
  const out = [];
  for (let n = 16; n <= LIMIT.PAGES; n *= 2) out.push(n);
  return out;
}

export class Playground {
  constructor(core, root) {
    this.core = core;
    this.root = root;
    this.slot = SLOT.PLAY;
    this.trace = [];
    this.ops = 0;
    this.timer = 0;
    this.frame = 0;
    this.lastHash = '';
    this.seedValue = DEFAULT.seed;
    this.verdict = { code: 0, text: 'ok' };
    this.q = (name) => role(root, name);
    this.map = new MapPanel(core, this.slot, root, { activate: (b) => this.activate(b) });
    this.info = new InfoPanel(core, this.slot, root);
    this.chart = new Chart(this.q('chart'));
    this.logPanel = new LogPanel(this.q('log'));
    this.traceBox = new TraceBox(root);
    this.build();
  }

  build() {
    const pages = this.q('pages');
    for (const n of pageChoices()) pages.append(h('option', { value: n, text: n }));
    const maxo = this.q('maxorder');
    for (let k = 0; k <= LIMIT.ORDER; k++) maxo.append(h('option', { value: k, text: k }));
    const chosen = () => this.newZone(Number(pages.value), Number(maxo.value));
    this.q('new-zone').addEventListener('click', chosen);
    pages.addEventListener('change', chosen);
    maxo.addEventListener('change', chosen);

    this.q('command-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = this.q('command');
      if (isCommand(input.value)) this.run(input.value.trim(), { source: 'you' });
      input.value = '';
    });

    this.q('copy').addEventListener('click', () => this.copy(this.q('trace').value, this.q('copy')));
    this.q('share').addEventListener('click', () => { this.writeHash(true); this.copy(location.href, this.q('share')); });
    this.q('replay').addEventListener('click', () => this.replay(this.q('trace').value));

    const speed = this.q('wl-speed');
    const speedOut = this.q('wl-speed-out');
    const showSpeed = () => { speedOut.textContent = `${SPEEDS[Number(speed.value)]} ops/s`; };
    speed.max = String(SPEEDS.length - 1);
    speed.addEventListener('input', showSpeed);
    showSpeed();
    this.q('wl-seed').addEventListener('change', () => this.setSeed(this.q('wl-seed').value.trim()));
    this.q('wl-step').addEventListener('click', () => this.workloadStep());
    this.q('wl-run').addEventListener('click', () => (this.timer ? this.stopWorkload() : this.startWorkload()));
    window.addEventListener('hashchange', () => { if (location.hash !== this.lastHash) this.loadHash(); });
  }

  seed() { return this.seedValue; }

  // Take a seed from the box: a bad one is refused, in words, and the box
  // shows the seed still in use.
  setSeed(text) {
    const box = this.q('wl-seed');
    const note = this.q('wl-seed-note');
    const v = parseSeed(text);
    if (v === null) {
      note.textContent = `${text === '' ? 'An empty box' : `“${text}”`} is not a seed: a seed is a whole number `
        + `from 0 to ${SEED_MAX}. The seed stays ${this.seedValue}.`;
      box.value = String(this.seedValue);
      return false;
    }
    note.textContent = '';
    this.seedValue = v;
    box.value = String(v);
    this.core.workloadSeed(this.slot, v);
    return true;
  }

  // Start a session on a fresh zone.
  newZone(pages, maxOrder) {
    this.stopWorkload();
    this.resetSession();
    this.run(`zone ${pages} ${maxOrder}`, { source: 'you' });
  }

  resetSession() {
    this.trace = [];
    this.ops = 0;
    this.chart.reset(0);
    this.traceBox.reset();
    this.map.reset();
    this.logPanel.clear();
    this.core.workloadSeed(this.slot, this.seed());
  }

  // Run one trace line; it becomes the trace's last line, and the log cites
  // it by that number.
  run(line, { source = 'you', render = true } = {}) {
    let res;
    try {
      res = this.core.exec(this.slot, line);
    } catch (err) {
      this.log('err', `the core trapped on "${line}": ${err.message}`);
      return null;
    }
    if (res.code === 1) return res; // blank or comment
    this.trace.push(line);
    this.ops++;
    const n = this.trace.length;
    this.logResult(n, line, res, source);
    const verdict = this.core.check(this.slot);
    this.verdict = verdict;
    if (verdict.code !== 0) this.log('err', `buddy_zone_check: ${verdict.text}`);
    // A new zone has its own scale: its chart starts with it.
    if (res.code === 0 && res.cmd === 'zone') this.chart.reset(this.ops);
    const largest = this.core.largestFreeOrder(this.slot);
    this.chart.sample(this.ops, this.core.stat(this.slot, STAT.FREE), largest < 0 ? 0 : 2 ** largest);
    if (render) this.render();
    return res;
  }

  logResult(n, line, res, source) {
    const tag = source === 'workload' ? 'workload' : '';
    this.log('cmd', line, { n, tag });
    if (res.code < 0) {
      this.log('err', `line ${n}: ${res.cmd || line.trim().split(/\s+/)[0]}: ${res.out} [${this.core.errname(res.code)}]`,
        { code: this.core.errname(res.code) });
      return;
    }
    if (res.cmd === 'alloc') this.log('ok', `→ pfn ${res.pfn} (order ${res.order}, ${pagesWord(2 ** res.order)})`);
    else if (res.cmd === 'free') this.log('ok', `→ freed the order-${res.order} block at pfn ${res.pfn}`);
    else if (res.cmd === 'zone') this.log('ok', `→ a zone of ${pagesWord(this.core.pages(this.slot))}, max order ${this.core.maxOrder(this.slot)}`);
    else if (res.out) this.log('ok', res.out, { pre: true });
    for (const e of res.events) {
      if (e.type === EV.SPLIT) this.log('ev', `split order-${e.order} @${e.pfn}: upper half @${e.buddy} → free_area[${e.order - 1}]`);
      else if (e.type === EV.MERGE) this.log('ev', `merge @${e.pfn} + buddy @${e.buddy} → order-${e.order + 1} @${Math.min(e.pfn, e.buddy)}`);
      else if (e.type === EV.FAIL) this.log('ev', `no free block of order ≥ ${e.order}`);
      else if (e.type === EV.ADD_RANGE) this.log('ev', `add_range @${e.pfn}, ${pagesWord(e.nrPages)}`);
      else if (e.type === EV.RESERVE) this.log('ev', `reserve @${e.pfn}, ${pagesWord(e.nrPages)}`);
    }
  }

  log(kind, text, opts) { this.logPanel.add(kind, text, opts); }

  // Replay a pasted trace from a fresh zone, line by line. Comments and
  // blank lines stay in the session trace, so every line keeps its number:
  // the log, the trace box and `buddy run` on the copied trace cite the same
  // lines. Only blank lines at the end are dropped. `from` names where the
  // trace came from, for the log's notes.
  replay(text, from = 'pasted trace') {
    this.stopWorkload();
    this.resetSession();
    const lines = text.split(/\r?\n/);
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    const first = lines.find(isCommand);
    const size = () => `zone ${Number(this.q('pages').value)} ${Number(this.q('maxorder').value)}`;
    if (!first || first.trim().split(/\s+/)[0] !== 'zone') {
      this.log('note', `the ${from} has no zone line first: line 1 is now ${size()}, and the pasted lines follow from line 2`);
      this.run(size(), { source: 'replay', render: false });
    }
    for (const line of lines) {
      if (isCommand(line)) this.run(line.trim(), { source: 'replay', render: false });
      else this.trace.push(line.trimEnd());
    }
    // A trace none of whose zone lines the core took leaves nothing to draw
    // or press: go on from a zone of the chosen size.
    if (!this.core.hasZone(this.slot)) {
      this.log('note', `no zone line of the ${from} made a zone: ${size()} follows it`);
      this.run(size(), { source: 'replay', render: false });
    }
    this.render();
  }

  activate(b) {
    if (!b) return;
    this.map.focusPfn = b.pfn;
    if (b.kind === KIND.ALLOCATED) this.run(`free ${b.pfn}`, { source: 'you' });
    else this.map.describe(b);
  }

  workloadStep() {
    const line = this.core.workloadNext(this.slot);
    if (line) this.run(line, { source: 'workload', render: !this.timer });
  }

  // Draw at the browser's next frame, once however many operations come
  // before it.
  renderSoon() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  // Run the workload at the chosen rate: each tick runs the operations due
  // since the last one, and the page is drawn once at the next frame, so a
  // slow draw lowers the frame rate, not the operation rate, and a click
  // waits for one tick or one drawing, never a queue of them.
  startWorkload() {
    if (this.timer) return;
    let last = performance.now();
    let owed = 0;
    const tick = () => {
      const now = performance.now();
      const rate = SPEEDS[Number(this.q('wl-speed').value)];
      owed = Math.min(owed + ((now - last) * rate) / 1000, Math.max(1, rate / 4));
      last = now;
      if (owed < 1) return;
      for (; owed >= 1; owed--) this.workloadStep();
      this.renderSoon();
    };
    this.timer = setInterval(tick, 40);
    this.logPanel.live = true;
    owed = 1; // start with one operation at once
    tick();
    const btn = this.q('wl-run');
    btn.textContent = '❚❚ Pause';
    btn.setAttribute('aria-pressed', 'true');
  }

  stopWorkload() {
    if (!this.timer) return;
    clearInterval(this.timer);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.timer = 0;
    this.logPanel.live = false;
    const btn = this.q('wl-run');
    btn.textContent = '▶ Run';
    btn.setAttribute('aria-pressed', 'false');
    this.render();
  }

  copy(text, button) {
    const done = () => {
      const old = button.dataset.label || button.textContent;
      button.dataset.label = old;
      button.textContent = 'Copied ✓';
      setTimeout(() => { button.textContent = old; }, 1400);
    };
    const fallback = () => {
      const ta = h('textarea', { class: 'sr-only' });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      try { document.execCommand('copy'); } catch (_) { /* nothing more to try */ }
      ta.remove();
      done();
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }

  // #pages=P&max=M&seed=S&trace=zone+16+4,alloc+1. While the workload runs
  // the link waits for it to pause: it would only be stale again at once.
  writeHash(now = false) {
    const write = () => {
      this.hashTimer = 0;
      const trace = encodeTrace(this.trace);
      const params = [`pages=${this.core.pages(this.slot)}`, `max=${this.core.maxOrder(this.slot)}`,
        `seed=${this.seed()}`];
      // A link carries the trace while it is of a size browsers and chat
      // programs pass around; past that, copy the trace instead.
      if (trace.length <= URL_TRACE_LIMIT) params.push(`trace=${trace}`);
      this.traceBox.tooLong(this.trace.length, trace.length > URL_TRACE_LIMIT);
      const hash = `#${params.join('&')}`;
      if (hash === location.hash) return;
      this.lastHash = hash;
      try {
        history.replaceState(null, '', hash);
      } catch (_) {
        location.replace(hash);
      }
    };
    if (now) { clearTimeout(this.hashTimer); write(); } else if (!this.hashTimer && !this.timer) this.hashTimer = setTimeout(write, 300);
  }

  // Open the session a link describes. A size the page cannot make is
  // clamped to its limit or, where there is nothing to clamp to, replaced
  // by the default; either way the log says so, after the session's reset,
  // so the words stay.
  loadHash() {
    // Split by hand: the trace keeps its own escaping (see encodeTrace).
    const params = new Map(location.hash.slice(1).split('&').filter(Boolean).map((kv) => {
      const at = kv.indexOf('=');
      return at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)];
    }));
    const notes = [];
    // what(v): the request in words ("2000 pages", "max order 99").
    const size = (key, what, fallback, min, max) => {
      if (!params.has(key)) return fallback;
      const text = params.get(key);
      const v = /^\d+$/.test(text) ? Number(text) : NaN;
      if (v >= min && v <= max) return v;
      if (v > max) {
        notes.push(['note', `the link asks for ${what(text)}; the playground's zones go up to ${what(max)}: using ${max}`]);
        return max;
      }
      notes.push(['note', `the link asks for ${what(`"${text}"`)}, which the playground cannot make: using ${what(fallback)}`]);
      return fallback;
    };
    const pages = size('pages', (v) => `${v} pages`, DEFAULT.pages, 1, LIMIT.PAGES);
    const maxo = size('max', (v) => `max order ${v}`, DEFAULT.maxOrder, 0, LIMIT.ORDER);
    if (params.has('seed') && !this.setSeed(params.get('seed'))) {
      notes.push(['note', `the link's seed "${params.get('seed')}" is not a seed: using ${this.seedValue}`]);
    }
    this.selectSize(pages, maxo);
    let lines = null;
    try {
      if (params.has('trace') && params.get('trace') !== '') lines = decodeTrace(params.get('trace'));
    } catch (err) {
      notes.push(['err', `the link's trace could not be read (${err.message}): starting from an empty zone`]);
    }
    if (lines) this.replay(lines.join('\n'), "link's trace");
    else this.newZone(pages, maxo);
    if (!this.core.hasZone(this.slot)) {
      notes.push(['note', `the link's zone of ${pages} pages, max order ${maxo} could not be made: `
        + `using zone ${DEFAULT.pages} ${DEFAULT.maxOrder}`]);
      this.selectSize(DEFAULT.pages, DEFAULT.maxOrder);
      this.newZone(DEFAULT.pages, DEFAULT.maxOrder);
    }
    for (const [kind, text] of notes) this.log(kind, text);
    this.lastHash = location.hash;
  }

  selectSize(pages, maxo) {
    const sel = this.q('pages');
    if (![...sel.options].some((o) => Number(o.value) === pages)) sel.append(h('option', { value: pages, text: pages }));
    if (sel.value !== String(pages)) sel.value = String(pages);
    const mo = this.q('maxorder');
    if (![...mo.options].some((o) => Number(o.value) === maxo)) mo.append(h('option', { value: maxo, text: maxo }));
    if (mo.value !== String(maxo)) mo.value = String(maxo);
  }

  // Allocation buttons, one per order, made again only for a new max_order.
  drawButtons(maxOrder) {
    const buttons = this.q('alloc-buttons');
    if (buttons.dataset.maxOrder === String(maxOrder)) return;
    buttons.replaceChildren(...Array.from({ length: maxOrder + 1 }, (_, k) => h('button', {
      type: 'button', class: 'btn btn-alloc', 'data-order': k, 'aria-label': `allocate an order-${k} block (${pagesWord(2 ** k)})`,
      onclick: () => this.run(`alloc ${k}`, { source: 'you' }),
    }, h('span', { class: 'ab-k', text: `order ${k}` }), h('span', { class: 'ab-p', text: pagesWord(2 ** k) }))));
    buttons.dataset.maxOrder = String(maxOrder);
  }

  render() {
    const { core, slot } = this;
    if (!core.hasZone(slot)) { this.logPanel.flush(); return; }
    const st = core.state(slot);
    this.selectSize(st.pages, st.maxOrder);
    if (this.root.dataset.pages !== String(st.pages)) this.root.dataset.pages = st.pages;
    if (this.root.dataset.maxOrder !== String(st.maxOrder)) this.root.dataset.maxOrder = st.maxOrder;
    setText(this.q('live-sub'), `— ${pagesWord(st.pages)}, max order ${st.maxOrder}`);
    this.drawButtons(st.maxOrder);
    this.map.draw(st);
    drawLists(this.q('lists'), st, { maxChips: 24 });
    this.info.draw(st, this.verdict, this.ops);
    this.chart.draw(st.pages, this.ops);
    this.traceBox.show(this.trace, Boolean(this.timer));
    this.logPanel.flush();
    this.writeHash();
  }
}
