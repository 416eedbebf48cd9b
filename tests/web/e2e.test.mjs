// SPDX-License-Identifier: MIT
// e2e.test.mjs: the built page in headless Chromium, end to end.
//
//   node --test tests/web/e2e.test.mjs
//
// Uses Debian's chromium (/usr/bin/chromium, or $CHROMIUM) driven by
// playwright-core; nothing downloads a browser. The page is opened straight
// from disk (file://), as a user would, and every request it makes to
// anything but its own file fails the run.
//
// What is drawn is compared with what the core says: the demos' free lists at
// each step with the cascade the field guide describes, the playground's
// lists (in the core's list order, head first) with its own /proc/buddyinfo
// line and with a second copy of the module run here in node on the page's
// exported trace. Screenshots for people to look at go to
// $BUDDY_SCREENSHOT_DIR (default build/web-screenshots/).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { buddyinfoCounts, freeLists, loadModule, webDir } from './wasm.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGE = pathToFileURL(join(webDir, 'index.html')).href;
const SHOTS = resolve(process.env.BUDDY_SCREENSHOT_DIR || join(webDir, '..', 'web-screenshots'));
const T = { timeout: 60000 };

let chromium;
let context;
let profile;
const offsite = [];
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(join(webDir, 'index.html')), `no page at ${webDir}: run \`make playground\` first`);
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`);
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw new Error(`playwright-core is not installed: run \`npm ci\` in the repository root (${err.message})`);
  }
  profile = mkdtempSync(join(tmpdir(), 'buddy-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container needs --no-sandbox; the rest keeps Chromium from
    // calling home, which a closed network answers with refusals.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function open(hash = '', viewport = { width: 1280, height: 900 }) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
  await page.goto(PAGE + hash);
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
  return page;
}

// What a figure draws of free_area[]: {order: [pfn ...]} for non-empty rows,
// checking on the way that each row's nr_free matches its blocks.
async function drawnLists(page, scope) {
  const rows = await page.$$eval(`${scope} .fa-row`, (els) => els.map((r) => ({
    order: Number(r.dataset.order),
    nr: Number(r.dataset.nrFree),
    pfns: [...r.querySelectorAll('.chip')].map((c) => Number(c.dataset.pfn)),
    more: r.querySelector('.fa-more') !== null,
  })));
  const out = {};
  for (const r of rows) {
    if (!r.more) assert.equal(r.nr, r.pfns.length, `order ${r.order}: nr_free ${r.nr} but ${r.pfns.length} blocks drawn`);
    if (r.pfns.length) out[r.order] = r.pfns;
  }
  return out;
}

// Blocks drawn in a strip, by kind: [[pfn, order] ...].
async function drawnBlocks(page, scope, kind) {
  return page.$$eval(`${scope} .blk[data-kind="${kind}"]:not(.blk-cont)`,
    (els) => els.map((e) => [Number(e.dataset.pfn), Number(e.dataset.order)]));
}

async function demoStep(page, id) {
  return {
    step: Number(await page.getAttribute(`#${id}`, 'data-step')),
    lists: await drawnLists(page, `#${id}`),
    inflight: await drawnBlocks(page, `#${id} [data-role="map"]`, 'in-flight'),
    allocated: await drawnBlocks(page, `#${id} [data-role="map"]`, 'allocated'),
    text: await page.textContent(`#${id} [data-role="text"]`),
  };
}

const playLists = (page) => drawnLists(page, '[data-role="playground"]');
const playTrace = (page) => page.inputValue('[data-role="trace"]');

// The same trace run by a fresh copy of the module here in node: its free
// lists as the core links them, head first.
async function coreState(traceText) {
  const { core } = await loadModule();
  core.run(0, traceText.split('\n'));
  return { lists: core.lists(0), byAddress: freeLists(core.walk(0)),
    buddyinfo: core.buddyinfo(0).replace(/\n$/, ''), core };
}

describe('the page', () => {
  test('opens from file:// with the module inlined and fetches nothing', T, async () => {
    const page = await open();
    assert.equal(await page.title(), 'The Buddy Allocator — a visual field guide (libbuddy)');
    for (const title of ['Memory in powers of two.', 'An array of free lists.', 'Split until it fits.',
      'One bit of address, flipped.', 'Merge until the buddy is busy.', 'Now you try.']) {
      assert.equal(await page.locator('h2', { hasText: title }).count(), 1, title);
    }
    assert.match(await page.textContent('[data-role="status"]'), /WebAssembly module/);
    await page.close();
    assert.deepEqual(offsite, [], 'requests left the page');
    assert.deepEqual(pageErrors, []);
  });

  test('FIG. 1: the core carves 16 pages at every order', T, async () => {
    const page = await open();
    for (let k = 0; k <= 4; k++) {
      const blocks = await page.$$eval(`#fig1 .strip-order[data-order="${k}"] .blk`,
        (els) => els.map((e) => [Number(e.dataset.pfn), Number(e.dataset.pages), e.dataset.kind]));
      assert.equal(blocks.length, 16 >> k, `order ${k}`);
      blocks.forEach(([pfn, pages, kind], i) => assert.deepEqual([pfn, pages, kind], [i << k, 1 << k, 'free']));
    }
    await page.close();
  });

  test('FIG. 2: free_area[] for each state', T, async () => {
    const page = await open();
    const want = [{ 4: [0] }, { 3: [8], 2: [4], 1: [2], 0: [1] }, { 3: [8], 2: [4], 0: [1, 3] }];
    const tabs = page.locator('#fig2 .tab');
    for (let i = 0; i < want.length; i++) {
      await tabs.nth(i).click();
      assert.deepEqual(await drawnLists(page, '#fig2'), want[i], `state ${i}`);
    }
    await page.close();
  });
});

describe('step-through demos', () => {
  test('DEMO 1: an order-1 request cascades through three splits', T, async () => {
    const page = await open();
    const want = [
      { lists: { 4: [0] }, inflight: [], allocated: [] },
      { lists: { 3: [8] }, inflight: [[0, 3]], allocated: [] },
      { lists: { 3: [8], 2: [4] }, inflight: [[0, 2]], allocated: [] },
      { lists: { 3: [8], 2: [4], 1: [2] }, inflight: [[0, 1]], allocated: [] },
      { lists: { 3: [8], 2: [4], 1: [2] }, inflight: [], allocated: [[0, 1]] },
    ];
    const words = [/request for order 1 arrives/, /Split the order-4 block at pfn 0.*pfn 8.*split again/,
      /Split the order-3 block.*pfn 4/, /Split the order-2 block.*pfn 2.*exactly order 1/, /handed out/];
    const step = page.locator('#demo-alloc [data-role="step"]');
    for (let i = 0; i < want.length; i++) {
      if (i > 0) await step.click();
      const got = await demoStep(page, 'demo-alloc');
      assert.equal(got.step, i);
      assert.deepEqual({ lists: got.lists, inflight: got.inflight, allocated: got.allocated }, want[i], `step ${i}`);
      assert.match(got.text, words[i]);
      if (i === 1) await page.locator('#demo-alloc').screenshot({ path: join(SHOTS, 'demo1-step1.png') });
    }
    assert.ok(await step.isDisabled(), 'Step stops at the last step');
    await page.click('#demo-alloc [data-role="reset"]');
    assert.deepEqual((await demoStep(page, 'demo-alloc')).lists, { 4: [0] });
    await page.close();
  });

  test('DEMO 2: freeing the block at 14 merges three times', T, async () => {
    const page = await open();
    const want = [
      { lists: { 3: [0], 2: [8], 1: [12] }, inflight: [], allocated: [[14, 1]] },
      { lists: { 3: [0], 2: [8] }, inflight: [[12, 2]], allocated: [] },
      { lists: { 3: [0] }, inflight: [[8, 3]], allocated: [] },
      { lists: {}, inflight: [[0, 4]], allocated: [] },
      { lists: { 4: [0] }, inflight: [], allocated: [] },
    ];
    const words = [/order-1 block at pfn 14.*14 XOR 2 = 12/, /14 XOR 2 = 12/, /12 XOR 4 = 8/, /8 XOR 8 = 0/,
      /max_order/];
    for (let i = 0; i < want.length; i++) {
      if (i > 0) await page.click('#demo-free [data-role="step"]');
      const got = await demoStep(page, 'demo-free');
      assert.deepEqual({ lists: got.lists, inflight: got.inflight, allocated: got.allocated }, want[i], `step ${i}`);
      assert.match(got.text, words[i]);
      if (i === 2) await page.locator('#demo-free').screenshot({ path: join(SHOTS, 'demo2-step2.png') });
    }
    await page.close();
  });

  test('FIG. 3: selecting a block highlights its buddy, by mouse and keyboard', T, async () => {
    const page = await open();
    const xor = async () => ({
      selected: Number(await page.getAttribute('#fig-xor', 'data-selected')),
      buddy: Number(await page.getAttribute('#fig-xor', 'data-buddy')),
      ring: await page.$$eval('#fig-xor .buddy-ring', (els) => els.length),
      text: await page.textContent('#fig-xor [data-role="xor"]'),
    });
    let got = await xor();
    assert.deepEqual([got.selected, got.buddy, got.ring], [4, 6, 1]);
    assert.match(got.text, /@ 0100/);
    assert.match(got.text, /@ 0110/);
    assert.match(got.text, /free at order 1/);
    await page.click('#fig-xor button.blk[data-pfn="8"]');
    got = await xor();
    assert.deepEqual([got.selected, got.buddy], [8, 0]);
    assert.match(got.text, /not whole/);
    // Keyboard: the selected block holds the tab stop; arrows move, Enter selects.
    await page.focus('#fig-xor button.blk[tabindex="0"]');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    got = await xor();
    assert.deepEqual([got.selected, got.buddy], [6, 4]);
    assert.match(got.text, /allocated: busy/);
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    got = await xor();
    assert.deepEqual([got.selected, got.buddy], [0, 1]);
    assert.match(got.text, /merge as soon as pfn 0 is freed/);
    await page.close();
  });
});

describe('playground', () => {
  test('allocate and free: what is drawn is what the core reports', T, async () => {
    const page = await open();
    for (const k of [1, 0, 2, 0, 4]) await page.click(`[data-role="alloc-buttons"] button[data-order="${k}"]`);
    await page.click('[data-role="playground"] [data-role="map"] button.blk[data-pfn="0"]');
    await page.click('[data-role="playground"] [data-role="map"] button.blk[data-pfn="4"]');
    const trace = await playTrace(page);
    assert.equal(trace, 'zone 16 4\nalloc 1\nalloc 0\nalloc 2\nalloc 0\nalloc 4\nfree 0\nfree 4');
    const lists = await playLists(page);
    const info = await page.textContent('[data-role="buddyinfo"]');
    const counts = buddyinfoCounts(info);
    for (let k = 0; k < counts.length; k++) {
      assert.equal((lists[k] || []).length, counts[k], `order ${k}: drawn vs the page's buddyinfo`);
    }
    const want = await coreState(trace);
    assert.deepEqual(lists, want.lists);
    assert.equal(info, want.buddyinfo);
    assert.equal(await page.getAttribute('[data-role="verdict"]', 'data-verdict'), 'ok');
    assert.match(await page.textContent('[data-role="verdict"]'), /buddy_zone_check: ok · after operation 8/);
    // alloc 4 found no block: the core's ENOMEM is in the log.
    assert.match(await page.textContent('[data-role="log"]'), /line 6: alloc: out of memory.*\[ENOMEM\]/);
    await page.close();
  });

  test('keyboard: the map is one tab stop, arrows move, Enter and Space free', T, async () => {
    const page = await open('#pages=16&max=4&trace=zone+16+4,alloc+0,alloc+0,alloc+1');
    await page.focus('[data-role="playground"] [data-role="map"] button.blk[tabindex="0"]');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.pfn), '0');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.pfn), '1');
    await page.keyboard.press(' ');
    assert.match(await playTrace(page), /free 0\nfree 1$/);
    assert.deepEqual(await playLists(page), (await coreState(await playTrace(page))).lists);
    const tabStops = await page.$$eval('[data-role="playground"] [data-role="map"] button.blk[tabindex="0"]', (e) => e.length);
    assert.equal(tabStops, 1);
    await page.close();
  });

  test('a pasted trace with a double free shows the error and changes nothing', T, async () => {
    const page = await open();
    const pasted = '# from buddy run\nzone 32 5\nalloc 2\nalloc 0\nfree 0\nfree 0\nalloc 1\ncheck\n';
    await page.fill('[data-role="trace"]', pasted);
    await page.click('[data-role="replay"]');
    const err = page.locator('[data-role="log"] li[data-code="EDOUBLEFREE"]');
    assert.equal(await err.count(), 1);
    assert.equal(await err.textContent(), 'line 6: free: block is already free (double free) [EDOUBLEFREE]');
    const without = await coreState('zone 32 5\nalloc 2\nalloc 0\nfree 0\nalloc 1');
    assert.deepEqual(await playLists(page), without.lists, 'the double free changed the state');
    assert.equal(await page.textContent('[data-role="buddyinfo"]'), without.buddyinfo);
    assert.equal(await page.getAttribute('[data-role="verdict"]', 'data-verdict'), 'ok');
    // The box keeps the comment, so its line 6 is the line the log cites
    // (the trailing newline alone is dropped).
    const trace = await playTrace(page);
    assert.equal(trace, pasted.replace(/\n$/, ''));
    assert.equal(trace.split('\n')[5], 'free 0');
    const numbers = () => page.$$eval('[data-role="log"] li.log-cmd .log-n', (els) => els.map((e) => Number(e.textContent)));
    assert.deepEqual(await numbers(), [2, 3, 4, 5, 6, 7, 8]);
    await page.locator('[data-role="playground"]').screenshot({ path: join(SHOTS, 'playground-double-free.png') });
    // The next operation goes on at line 9, after what was pasted.
    await page.click('[data-role="alloc-buttons"] button[data-order="0"]');
    assert.equal((await playTrace(page)).split('\n')[8], 'alloc 0');
    assert.equal((await numbers()).at(-1), 9);
    await page.close();
  });

  test('a pasted trace without a zone line: the zone is line 1, and the log says so', T, async () => {
    const page = await open();
    await page.fill('[data-role="trace"]', '# no zone\nalloc 9');
    await page.click('[data-role="replay"]');
    assert.equal(await playTrace(page), 'zone 16 4\n# no zone\nalloc 9');
    const log = await page.textContent('[data-role="log"]');
    assert.match(log, /line 1 is now zone 16 4, and the pasted lines follow from line 2/);
    assert.match(log, /line 3: alloc: .*\[EORDER\]/);
    await page.close();
  });

  test('free lists are drawn in the core\'s list order, head first', T, async () => {
    // 0 and 3 freed in that order, neither merging: free_area[0] is 3, 0.
    const trace = ['zone 16 4', 'alloc 0', 'alloc 0', 'alloc 0', 'alloc 0', 'free 0', 'free 3'];
    const page = await open(`#pages=16&max=4&trace=${trace.map((l) => l.replace(/ /g, '+')).join(',')}`);
    const want = await coreState(trace.join('\n'));
    assert.deepEqual(want.lists[0], [3, 0]);
    assert.notDeepEqual(want.lists, want.byAddress, 'list order and address order differ here');
    assert.deepEqual(await playLists(page), want.lists);
    // The next order-0 allocation pops the head; the free pushes it back on.
    await page.click('[data-role="alloc-buttons"] button[data-order="0"]');
    assert.match(await page.textContent('[data-role="log"]'), /→ pfn 3 \(order 0/);
    assert.deepEqual(await playLists(page), { 0: [0], 2: [4], 3: [8] });
    await page.click('[data-role="playground"] [data-role="map"] button.blk[data-pfn="3"]');
    assert.deepEqual(await playLists(page), (await coreState(await playTrace(page))).lists);
    // Every block is labelled with its order the same way, small and
    // allocated ones too: "o0", never a bare digit that reads like a pfn.
    const labels = await page.$$eval('[data-role="playground"] [data-role="map"] .blk .blk-label',
      (els) => els.map((e) => [e.parentElement.dataset.pfn, e.textContent]));
    assert.deepEqual(labels, [['0', 'o0'], ['1', 'o0'], ['2', 'o0'], ['3', 'o0'], ['4', 'o2'], ['8', 'o3']]);
    // Keyboard focus on the block at 1 rings its buddy at 0: the two outlines
    // must not look alike (the ring is dashed, in its own colour).
    await page.focus('[data-role="playground"] [data-role="map"] button.blk[data-pfn="1"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    const look = await page.evaluate(() => {
      const ring = getComputedStyle(document.querySelector('[data-role="playground"] .buddy-ring'));
      const focus = getComputedStyle(document.activeElement);
      return { ring: [ring.borderTopStyle, ring.borderTopColor], focus: [focus.outlineStyle, focus.outlineColor],
        pfn: document.activeElement.dataset.pfn };
    });
    assert.equal(look.pfn, '1');
    assert.notEqual(look.ring[0], look.focus[0]);
    assert.notEqual(look.ring[1], look.focus[1]);
    await page.locator('[data-role="playground"]').screenshot({ path: join(SHOTS, 'playground-list-order.png') });
    await page.close();
  });

  test('a shared URL restores the state, and the page keeps its URL current', T, async () => {
    const trace = ['zone 64 6', 'alloc 3', 'alloc 0', 'reserve 32 4', 'alloc 1', 'free 0'];
    const hash = `#pages=64&max=6&trace=${trace.map((l) => l.replace(/ /g, '+')).join(',')}`;
    let page = await open(hash);
    const want = await coreState(trace.join('\n'));
    assert.deepEqual(await playLists(page), want.lists);
    assert.equal(await page.inputValue('[data-role="pages"]'), '64');
    assert.equal(await page.inputValue('[data-role="maxorder"]'), '6');
    assert.deepEqual(await drawnBlocks(page, '[data-role="playground"] [data-role="map"]', 'reserved'), [[32, 2]]);
    await page.click('[data-role="alloc-buttons"] button[data-order="2"]');
    await page.click('[data-role="share"]');
    const shared = await page.evaluate(() => location.hash);
    assert.match(shared, /trace=zone\+64\+6,alloc\+3,.*,alloc\+2$/);
    const lists = await playLists(page);
    await page.close();
    page = await open(shared);
    assert.deepEqual(await playLists(page), lists);
    await page.close();
  });

  test('the seeded workload replays the module\'s own sequence', T, async () => {
    const page = await open('#pages=128&max=7&seed=42');
    for (let i = 0; i < 60; i++) await page.click('[data-role="wl-step"]');
    const trace = (await playTrace(page)).split('\n');
    assert.equal(trace.length, 61);
    const { core } = await loadModule();
    core.run(0, ['zone 128 7']);
    core.x.pg_workload_seed(0, 42);
    for (let i = 1; i < trace.length; i++) {
      const line = core.workloadNext(0);
      assert.equal(trace[i], line, `operation ${i}`);
      core.exec(0, line);
    }
    assert.deepEqual(await playLists(page), core.lists(0));
    assert.equal(await page.getAttribute('[data-role="chart"]', 'data-samples'), '61');
    assert.equal(await page.getAttribute('[data-role="verdict"]', 'data-verdict'), 'ok');
    assert.equal(await page.$$eval('[data-role="indices"] tbody tr', (e) => e.length), 8);
    await page.locator('[data-role="playground"]').screenshot({ path: join(SHOTS, 'playground-workload.png') });
    await page.close();
  });

  test('§ 07: grouping by mobility pins fewer pageblocks, drawn by type', T, async () => {
    const page = await open();
    const cells = await page.$$eval('[data-role="pb-on"] .pb-cell', (e) => e.length);
    assert.equal(cells, 64);
    assert.equal(await page.$$eval('[data-role="pb-off"] .pb-cell', (e) => e.length), 64);
    // A fresh zone: every pageblock movable with grouping, unmovable without
    // (the kernel's page_group_by_mobility_disabled).
    assert.equal(await page.$$eval('[data-role="pb-on"] .pb-movable', (e) => e.length), 64);
    assert.equal(await page.$$eval('[data-role="pb-off"] .pb-unmovable', (e) => e.length), 64);
    await page.click('[data-role="frag-step"]');
    assert.match(await page.textContent('[data-role="frag-phase"]'), /after 500 operations/);
    const numbers = await page.evaluate(() => {
      window.buddyPlayground.frag.runToEnd();
      return window.buddyPlayground.frag.numbers();
    });
    const [on, off] = numbers;
    assert.ok(on.grouping && !off.grouping);
    assert.ok(on.pinned < off.pinned, `pinned ${on.pinned} with grouping, ${off.pinned} without`);
    assert.ok(on.pinned <= on.fewest * 1.5 + 1, `pinned ${on.pinned}, fewest ${on.fewest}`);
    assert.match(await page.textContent('[data-role="frag-phase"]'), /every movable block freed/);
    // What is drawn is what the core says of each pageblock.
    const drawnUnmovable = await page.$$eval('[data-role="pb-on"] .pb-unmovable', (e) => e.length);
    const coreUnmovable = await page.evaluate(() => {
      const { core } = window.buddyPlayground;
      let n = 0;
      for (let pb = 0; pb < 64; pb++) if (core.pageblockType(6, pb << 4) === 0) n++;
      return n;
    });
    assert.equal(drawnUnmovable, coreUnmovable);
    assert.ok(coreUnmovable > 0);
    const text = await page.textContent('[data-role="pagetypeinfo"]');
    assert.match(text, /^Page block order: 4\nPages per block:  16\n/);
    assert.match(text, /Number of blocks type     Unmovable      Movable/);
    assert.match(await page.textContent('[data-role="note-on"]'), /unmovable pages pin \d+ pageblocks/);
    await page.locator('#fig-frag').screenshot({ path: join(SHOTS, 'fragmentation.png') });
    await page.close();
  });

  test('sizes up to 1024 pages and order 10', T, async () => {
    const page = await open();
    await page.selectOption('[data-role="pages"]', '1024');
    await page.selectOption('[data-role="maxorder"]', '10');
    assert.equal(await playTrace(page), 'zone 1024 10');
    assert.deepEqual(await playLists(page), { 10: [0] });
    assert.equal(await page.$$eval('[data-role="alloc-buttons"] button', (e) => e.length), 11);
    for (let i = 0; i < 40; i++) await page.click('[data-role="wl-step"]');
    assert.deepEqual(await playLists(page), (await coreState(await playTrace(page))).lists);
    await page.close();
  });
});

// Each test here is a defect once seen in Chromium; it fails on a page that
// has the defect.
describe('defects seen in Chromium', () => {
  const command = async (page, line) => {
    await page.fill('[data-role="command"]', line);
    await page.press('[data-role="command"]', 'Enter');
  };
  const lastLog = (page, kind) => page.$$eval(`[data-role="log"] li.log-${kind}`, (els) => (els.length ? els.at(-1).textContent : ''));
  const buttons = (page) => page.$$eval('[data-role="alloc-buttons"] button', (e) => e.length);

  test('at phone width the buddyinfo line is shown whole, not cut off', T, async () => {
    const page = await open('#pages=1024&max=10', { width: 390, height: 844 });
    const fit = await page.$eval('[data-role="buddyinfo"]', (el) => el.scrollWidth - el.clientWidth);
    assert.ok(fit <= 0, `the buddyinfo line hides ${fit}px`);
    await page.locator('[data-role="buddyinfo"]').screenshot({ path: join(SHOTS, 'phone-buddyinfo.png') });
    await page.close();
  });

  test('a link with a bad size falls back or clamps, and says so', T, async () => {
    for (const [hash, pages, maxo] of [['#pages=0&max=4', 16, 4], ['#pages=2000&max=10', 1024, 10],
      ['#pages=16&max=99', 16, 10], ['#pages=16&max=4&trace=zone+2000+10,alloc+1', 16, 4]]) {
      const page = await open(hash);
      assert.equal(await buttons(page), maxo + 1, hash);
      assert.equal(await page.inputValue('[data-role="pages"]'), String(pages), hash);
      assert.match(await page.textContent('[data-role="log"]'), /link/, `${hash}: the log says what became of the link`);
      await page.close();
    }
  });

  test('a broken trace link keeps its error in the log', T, async () => {
    const page = await open('#pages=16&max=4&trace=zone+16+4,alloc+%E0%A4%A');
    assert.match(await page.textContent('[data-role="log"]'), /could not be read/);
    assert.equal(await buttons(page), 5);
    await page.close();
  });

  test('zone lines past the page\'s limits are refused, naming the limit', T, async () => {
    const page = await open();
    await command(page, 'zone 1025 10');
    let err = await lastLog(page, 'err');
    assert.match(err, /1024 pages/);
    assert.doesNotMatch(err, /metadata buffer/);
    await command(page, 'zone 16 20');
    err = await lastLog(page, 'err');
    assert.match(err, /max order 10/);
    assert.equal(await buttons(page), 5, 'the old zone stays');
    await page.close();
  });

  test('a zone command starts the chart afresh', T, async () => {
    const page = await open('#pages=64&max=6&seed=3');
    for (let i = 0; i < 10; i++) await page.click('[data-role="wl-step"]');
    assert.equal(await page.getAttribute('[data-role="chart"]', 'data-samples'), '11');
    await command(page, 'zone 128 7');
    assert.equal(await page.getAttribute('[data-role="chart"]', 'data-samples'), '1');
    await command(page, 'zone 9999 7');
    assert.equal(await page.getAttribute('[data-role="chart"]', 'data-samples'), '2', 'a refused zone line is one more operation');
    await page.close();
  });

  test('the seed box refuses what is not a seed, and keeps the old one', T, async () => {
    const page = await open();
    const seed = '[data-role="wl-seed"]';
    const setSeed = async (v) => {
      await page.fill(seed, v);
      await page.$eval(seed, (el) => el.dispatchEvent(new Event('change', { bubbles: true })));
    };
    await setSeed('42');
    for (const bad of ['-5', '3.7', '', '99999999999999999999']) {
      await setSeed(bad);
      assert.equal(await page.inputValue(seed), '42', `"${bad}": the box shows the old seed`);
      assert.equal(await page.evaluate(() => window.buddyPlayground.play.seed()), 42, `"${bad}": the seed is kept`);
      const note = page.locator('[data-role="wl-seed-note"]');
      assert.ok(await note.isVisible({ timeout: 2000 }), `"${bad}": a message is shown`);
      assert.match(await note.textContent({ timeout: 2000 }), /seed/);
    }
    await setSeed('7');
    assert.equal(await page.evaluate(() => window.buddyPlayground.play.seed()), 7);
    assert.equal(await page.locator('[data-role="wl-seed-note"]').textContent({ timeout: 2000 }), '');
    await page.close();
  });

  test('focus stays in the demo when Step becomes Done', T, async () => {
    const page = await open();
    await page.focus('#demo-alloc [data-role="step"]');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Enter');
    assert.ok(await page.locator('#demo-alloc [data-role="step"]').isDisabled());
    const where = await page.evaluate(() => [document.activeElement.tagName,
      document.activeElement.dataset.role || '', Boolean(document.activeElement.closest('#demo-alloc'))]);
    assert.deepEqual(where, ['BUTTON', 'reset', true]);
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#demo-alloc', 'data-step'), '0', 'Enter on the focused Reset resets');
    await page.close();
  });

  test('a reserved buddy is not said to wait until it is freed', T, async () => {
    const page = await open('#pages=16&max=4&trace=zone+16+4,reserve+2+2');
    await page.focus('[data-role="playground"] [data-role="map"] button.blk[data-pfn="0"]');
    const text = await page.textContent('[data-role="focus-line"]');
    assert.match(text, /buddy, 0 XOR 2 = 2, is reserved/);
    assert.doesNotMatch(text, /until it is freed/);
    await page.close();
  });

  test('the trace note says errors go to the log', T, async () => {
    const page = await open();
    const note = await page.textContent('[data-role="trace-note"]');
    assert.doesNotMatch(note, /in this box/);
    assert.match(note, /trace log/);
    await page.close();
  });

  test('a 5,000-character command stays inside the log panel', T, async () => {
    const page = await open();
    await command(page, `alloc ${'9'.repeat(5000)}`);
    const over = await page.$eval('[data-role="log"]', (el) => el.scrollWidth - el.clientWidth);
    assert.ok(over <= 0, `the log is ${over}px wider than its panel`);
    assert.match(await lastLog(page, 'err'), /line too long/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px too wide`);
    await page.close();
  });

  test('DEMO 2 marks the buddy that leaves its list', T, async () => {
    const page = await open();
    for (const buddy of [12, 8, 0]) {
      await page.click('#demo-free [data-role="step"]');
      const marks = await page.$$eval('#demo-free [data-role="map"] .is-marked', (els) => els.map((e) => Number(e.dataset.pfn)));
      assert.deepEqual(marks, [buddy]);
      const gone = await page.$$eval('#demo-free [data-role="lists"] .is-leaving', (els) => els.map((e) => Number(e.dataset.pfn)));
      assert.deepEqual(gone, [buddy]);
    }
    await page.close();
  });
});

// How long the playground takes to redraw at its largest size with the
// workload at full speed: reported, never asserted (a time depends on the
// machine).
describe('redraw cost', () => {
  test('1024 pages at the top workload speed', T, async () => {
    const page = await open('#pages=1024&max=10&seed=1');
    await page.evaluate(() => {
      const { play } = window.buddyPlayground;
      const draw = play.render;
      window.redraws = [];
      // Style and layout are forced inside the measurement, so the figure is
      // the whole cost of a redraw, not only its script.
      play.render = function timed(...args) {
        const t0 = performance.now();
        const out = draw.apply(this, args);
        void document.documentElement.offsetHeight;
        window.redraws.push(performance.now() - t0);
        return out;
      };
    });
    await page.$eval('[data-role="wl-speed"]', (el) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
    // A performance trace of the same seconds gives each drawing's thread
    // time too: the page draws in an animation frame, so each
    // FireAnimationFrame is one redraw, what it costs this thread whatever
    // else the machine runs.
    const cdp = await context.newCDPSession(page);
    const traced = [];
    cdp.on('Tracing.dataCollected', (e) => traced.push(...e.value));
    const complete = new Promise((done) => cdp.once('Tracing.tracingComplete', done));
    await page.click('[data-role="wl-run"]');
    await cdp.send('Tracing.start', { categories: 'devtools.timeline', transferMode: 'ReportEvents' });
    await page.waitForTimeout(4000);
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
    const t0 = Date.now();
    await page.click('[data-role="wl-run"]');
    const clickMs = Date.now() - t0;
    const cpu = traced.filter((e) => e.ph === 'X' && e.name === 'FireAnimationFrame' && e.tdur > 0)
      .map((e) => e.tdur / 1000).sort((a, b) => a - b);
    const times = (await page.evaluate(() => window.redraws)).slice(5).sort((a, b) => a - b);
    const at = (q) => (times.length ? times[Math.min(times.length - 1, Math.floor(q * times.length))] : NaN);
    // The machine's load goes with the figures: on a shared machine they
    // are the other programs' as much as the page's.
    const report = { pages: 1024, frames: times.length, medianMs: +at(0.5).toFixed(2), p90Ms: +at(0.9).toFixed(2),
      maxMs: +at(1).toFixed(2), redrawThreadMedianMs: +(cpu[cpu.length >> 1] ?? NaN).toFixed(2),
      redrawThreadP90Ms: +(cpu[Math.floor(cpu.length * 0.9)] ?? NaN).toFixed(2), pauseClickMs: clickMs, loadAverage: +loadavg()[0].toFixed(2), cpus: cpus().length };
    console.log(`redraw cost: ${JSON.stringify(report)}`);
    writeFileSync(join(webDir, '..', 'web-redraw.json'), `${JSON.stringify(report, null, 2)}\n`);
    assert.ok(times.length > 0, 'the workload redrew');
    assert.equal(await page.getAttribute('[data-role="verdict"]', 'data-verdict'), 'ok');
    await page.close();
  });
});

describe('screenshots', () => {
  test('desktop and phone width', T, async () => {
    const desktop = await open('#pages=64&max=6&seed=3');
    for (let i = 0; i < 30; i++) await desktop.click('[data-role="wl-step"]');
    await desktop.click('#demo-alloc [data-role="step"]');
    await desktop.click('#demo-alloc [data-role="step"]');
    await desktop.click('#demo-free [data-role="step"]');
    await desktop.screenshot({ path: join(SHOTS, 'desktop.png'), fullPage: true });

    const phone = await open('#pages=32&max=5&trace=zone+32+5,alloc+0,alloc+2,alloc+1,free+0', { width: 390, height: 844 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 390px phone`);
    await phone.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
    await phone.close();
    await desktop.close();
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(offsite, []);
  });
});
