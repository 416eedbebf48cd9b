// SPDX-License-Identifier: MIT
// demos.js: DEMO 1 and DEMO 2, stepping through the core's own splits and
// merges as its event hook recorded them.
//
// Each demo runs its setup, then its one operation with snapshots on: the
// steps are the state before, the core's state at each SPLIT or MERGE event,
// and the state after. A split marks the upper half it puts on a list; a
// merge marks the buddy it takes off one.

import { BUDDY, EV, KIND, SLOT } from './abi.js';
import { bin, buddyWords, capital, countWord, drawLists, drawStrip, h, kindLabel, pagesWord, role } from './draw.js';

class StepDemo {
  constructor(core, fig, spec) {
    this.core = core;
    this.fig = fig;
    this.spec = spec;
    this.stepBtn = role(fig, 'step');
    this.resetBtn = role(fig, 'reset');
    this.stepBtn.addEventListener('click', () => this.go(this.i + 1));
    this.resetBtn.addEventListener('click', () => { this.record(); this.go(0); });
    this.record();
    this.go(0);
  }

  record() {
    const { core, spec } = this;
    for (const line of spec.setup) core.exec(spec.slot, line);
    const before = core.state(spec.slot);
    // What the first step's words need to know of the state before.
    this.probe = spec.probe ? spec.probe(core, spec.slot, before) : null;
    core.setSnapshots(spec.slot, true);
    const res = core.exec(spec.slot, spec.op);
    core.setSnapshots(spec.slot, false);
    const after = core.state(spec.slot);
    const events = res.events.filter((e) => (e.type === EV.SPLIT || e.type === EV.MERGE) && e.blocks && e.listBlocks);
    this.result = res;
    this.steps = [
      { ...before, event: null },
      ...events.map((e) => ({ blocks: e.blocks, lists: core.listsFrom(e.listBlocks, before.maxOrder),
        nrFree: e.nrFree.slice(0, before.maxOrder + 1),
        maxOrder: before.maxOrder, pages: before.pages, start: before.start, event: e })),
      { ...after, event: null, final: true },
    ];
  }

  go(i) {
    this.i = Math.max(0, Math.min(i, this.steps.length - 1));
    const st = this.steps[this.i];
    const last = this.steps.length - 1;
    const e = st.event;
    const mark = e && e.type === EV.SPLIT ? e.buddy : null;
    const merge = e && e.type === EV.MERGE ? e : null;
    drawStrip(role(this.fig, 'map'), st, { cols: 16, ticks: true, label: kindLabel, mark,
      markRange: merge ? { pfn: merge.buddy, pages: 2 ** merge.order } : null });
    drawLists(role(this.fig, 'lists'), st, { inflightVerb: this.spec.verb, mark,
      leaving: merge ? { order: merge.order, pfn: merge.buddy } : null });
    role(this.fig, 'count').textContent = `step ${this.i} / ${last}`;
    role(this.fig, 'text').replaceChildren(...this.spec.describe(this, this.i));
    // A disabled button loses focus to the page: hand it to Reset, the
    // control that still does something here.
    const hadFocus = document.activeElement === this.stepBtn;
    this.stepBtn.disabled = this.i === last;
    this.stepBtn.textContent = this.i === last ? 'Done' : 'Step →';
    if (hadFocus && this.stepBtn.disabled) this.resetBtn.focus();
    this.fig.dataset.step = this.i;
  }
}

const code = (text) => h('code', { text });
const em = (text) => h('strong', { text });
// "free_area[1], free_area[2] and free_area[3]" as code, for a sentence.
function areaList(orders) {
  const out = [];
  orders.forEach((k, i) => {
    if (i > 0) out.push(i === orders.length - 1 ? ' and ' : ', ');
    out.push(code(`free_area[${k}]`));
  });
  return out;
}

function allocDemoText(demo, i) {
  const want = 1;
  const st = demo.steps[i];
  const splits = demo.steps.filter((s) => s.event).map((s) => s.event);
  const from = splits.length ? splits[0].order : want;
  if (i === 0) {
    const empty = [];
    for (let k = want; k < from; k++) if (st.nrFree[k] === 0) empty.push(k);
    return [em('Step 0. '), `One free order-${from} block. A request for order ${want} arrives: `,
      ...areaList(empty), ` ${empty.length === 1 ? 'is' : 'are'} empty, so the allocator climbs to `,
      code(`free_area[${from}]`), ' and takes its block.'];
  }
  if (st.final) {
    const a = st.blocks.find((b) => b.kind === KIND.ALLOCATED);
    const left = st.blocks.filter((b) => b.kind === KIND.FREE);
    return [em(`Step ${i}. `), `Done: the order-${a.order} block at pfn ${a.pfn} is handed out. `,
      `${capital(countWord(splits.length))} splits left one free block on each of `,
      ...areaList(left.map((b) => b.order)),
      `: ${left.map((b) => b.pages).join(' + ')} = ${left.reduce((s, b) => s + b.pages, 0)} free pages.`];
  }
  const e = st.event;
  const k = e.order;
  const more = k - 1 > want;
  return [em(`Step ${i}. `), `Split the order-${k} block at pfn ${e.pfn} into two order-${k - 1} halves. `,
    `The upper half (pfn ${e.buddy}) goes onto `, code(`free_area[${k - 1}]`),
    `; the lower half (pfn ${e.pfn}) stays in hand — `,
    more ? `still bigger than order ${want}, so it is split again.` : `exactly order ${want}.`];
}

function freeDemoText(demo, i) {
  const st = demo.steps[i];
  const width = Math.log2(st.pages);
  if (i === 0) {
    const { block: a, where } = demo.probe;
    const free = st.blocks.filter((b) => b.kind === KIND.FREE);
    return [em('Step 0. '), `An allocated order-${a.order} block at pfn ${a.pfn}, the rightmost; everything else is free (`,
      free.map((b) => `order ${b.order} at ${b.pfn}`).join(', '), `). Its buddy, ${a.pfn} XOR ${2 ** a.order} = ${where.pfn}, is `,
      buddyWords(a, where), '. Press Step to release it.'];
  }
  if (st.final) {
    // The block the freed pages ended up in, as the core has it now.
    const b = demo.core.findBlock(demo.spec.slot, demo.result.pfn);
    const where = demo.core.buddyStatus(demo.spec.slot, b.pfn, b.order);
    const why = where.status === BUDDY.TOP
      ? `order ${b.order} is the zone’s max_order, so merging stops`
      : `its buddy at pfn ${where.pfn} is ${buddyWords(b, where)}, so merging stops`;
    return [em(`Step ${i}. `), capital(why), ': the block goes onto ', code(`free_area[${b.order}]`),
      `. One order-${b.order} block of ${pagesWord(b.pages)}${b.order === st.maxOrder ? ', the whole zone' : ''}.`];
  }
  const e = st.event;
  const k = e.order;
  const low = Math.min(e.pfn, e.buddy);
  return [em(`Step ${i}. `), `The buddy of pfn ${e.pfn} at order ${k} is ${e.pfn} XOR ${2 ** k} = ${e.buddy} `,
    code(`${bin(e.pfn, width)} → ${bin(e.buddy, width)}`), `: free, and of order ${k}. It leaves `,
    code(`free_area[${k}]`), ` (marked) and the pair becomes one order-${k + 1} block at pfn ${low}, still in hand.`];
}

export function allocDemo(core, fig) {
  return new StepDemo(core, fig, {
    slot: SLOT.DEMO_ALLOC, setup: ['zone 16 4'], op: 'alloc 1', verb: 'split', describe: allocDemoText,
  });
}

// An allocated order-1 block at the right end, everything else free: give
// the zone pages 14-15 first so the allocation lands there, then the rest.
export function freeDemo(core, fig) {
  return new StepDemo(core, fig, {
    slot: SLOT.DEMO_FREE, setup: ['zone 16 4 empty', 'add 14 2', 'alloc 1', 'add 0 14'], op: 'free 14',
    verb: 'merged', describe: freeDemoText,
    probe: (c, slot, before) => {
      const block = before.blocks.find((b) => b.kind === KIND.ALLOCATED);
      return { block, where: c.buddyStatus(slot, block.pfn, block.order) };
    },
  });
}
