// SPDX-License-Identifier: MIT
// api.test.mjs: the playground module's exported C ABI, in node (no browser).
//
//   node --test tests/web/api.test.mjs     (BUDDY_WEB_DIR=build/web by default)
//
// Checks what the page relies on: the module needs no imports (the core is
// freestanding), script lines behave as in `buddy run`, errors come back with
// the core's codes and change nothing, the free lists come out in the
// core's list order, the hook recordings of a split and a merge cascade are
// the states the demos show, and the seeded workload is deterministic.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { ERR, EV, KIND, buddyinfoCounts, freeLists, loadModule, webDir } from './wasm.mjs';

let core;
let module;
before(async () => {
  ({ core, module } = await loadModule());
});

// Every test gets its own slot's zone made fresh by a `zone` line; slot 0.
const S = 0;
const run = (...lines) => core.run(S, lines);
const lists = () => freeLists(core.walk(S));

describe('module', () => {
  test('imports nothing and exports the page ABI', () => {
    assert.deepEqual(WebAssembly.Module.imports(module), []);
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const n of ['memory', 'pg_abi_version', 'pg_exec', 'pg_walk', 'pg_walk_free_list', 'pg_events',
      'pg_buddyinfo', 'pg_check', 'pg_unusable_index', 'pg_fragmentation_index', 'pg_workload_next', 'pg_buddy_of',
      'pg_find_block']) {
      assert.ok(names.includes(n), `missing export ${n}`);
    }
    assert.equal(core.x.pg_abi_version(), 2);
  });

  test('the enums and layout constants come from the module', () => {
    const c = core.constants();
    assert.equal(c.PG_ABI_VERSION, core.x.pg_abi_version());
    assert.deepEqual([c.PG_NONE, c.PG_BLOCK_WORDS, c.PG_EVENT_WORDS, c.BUDDY_NR_ORDERS], [-1, 4, 42, 32]);
    assert.deepEqual([c.PG_MAX_PAGES, c.PG_MAX_ORDER], [1024, 10]);
    for (const [name, kind] of Object.entries(KIND)) assert.equal(c[`BUDDY_BLOCK_${name}`], kind, name);
    assert.equal(core.str(core.x.pg_kind_name(c.BUDDY_BLOCK_CACHED)), 'cached');
    for (const [name, type] of Object.entries(EV)) assert.equal(c[`BUDDY_EV_${name}`], type, name);
    for (const [name, code] of Object.entries(ERR)) {
      assert.equal(c[`BUDDY_${name}`] ?? c[`PG_${name}`], code, name);
    }
    // Every core error is there, each under its own name.
    for (let code = -1; core.str(core.x.pg_errname(code)) !== 'EUNKNOWN'; code--) {
      assert.equal(c[`BUDDY_${core.str(core.x.pg_errname(code))}`], code);
    }
  });

  test('error names and texts come from the core', () => {
    assert.equal(core.str(core.x.pg_errname(ERR.EDOUBLEFREE)), 'EDOUBLEFREE');
    assert.equal(core.str(core.x.pg_strerror(ERR.EDOUBLEFREE)), 'block is already free (double free)');
    assert.equal(core.str(core.x.pg_errname(ERR.ESYNTAX)), 'ESYNTAX');
    assert.equal(core.str(core.x.pg_kind_name(KIND.INFLIGHT)), 'inflight');
    assert.equal(core.str(core.x.pg_event_name(EV.MERGE)), 'merge');
  });
});

describe('the page bundle', () => {
  test('is one file: the module inlined, nothing loaded from anywhere', async () => {
    const html = await readFile(join(webDir, 'index.html'), 'utf8');
    const m = /<script id="buddy-wasm" type="application\/wasm;base64">([A-Za-z0-9+/=]+)<\/script>/.exec(html);
    assert.ok(m, 'the module is inlined');
    assert.deepEqual(Buffer.from(m[1], 'base64'), await readFile(join(webDir, 'playground.wasm')));
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|@import|fetch\(|XMLHttpRequest|WebSocket|EventSource/);
    const urls = html.match(/\bhttps?:\/\/[^\s"'`)]+/g) || [];
    assert.deepEqual(urls.filter((u) => u !== 'http://www.w3.org/2000/svg'), [], 'no addresses but the SVG namespace');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });
});

describe('script lines', () => {
  test('zone, alloc, free, info, check', () => {
    const [zone, a, f, info, check] = run('zone 16 4', 'alloc 1', 'free 0', 'info', 'check');
    assert.equal(zone.code, 0);
    assert.deepEqual([a.code, a.out, a.pfn, a.order], [0, '0', 0, 1]);
    assert.deepEqual([f.code, f.pfn, f.order], [0, 0, 1]);
    assert.equal(info.out, 'Node 0, zone   Normal      0      0      0      0      1 ');
    assert.deepEqual([check.code, check.out], [0, 'ok']);
    assert.deepEqual(lists(), { 4: [0] });
  });

  test('blank lines, comments, CRLF and hex numbers', () => {
    run('zone 16 4');
    assert.equal(core.exec(S, '').code, 1);
    assert.equal(core.exec(S, '   # just a comment').code, 1);
    const r = core.exec(S, 'alloc 0x2 # four pages\r');
    assert.deepEqual([r.code, r.pfn, r.order], [0, 0, 2]);
    assert.equal(core.exec(S, '\tfree\t0x0').code, 0);
  });

  test('zone options: empty, start=PFN, add and reserve', () => {
    run('zone 16 4 empty');
    assert.deepEqual(core.walk(S), [{ pfn: 0, pages: 16, order: 0, kind: KIND.HOLE }]);
    run('add 0 4');
    assert.deepEqual(core.walk(S).map((b) => [b.pfn, b.pages, b.kind]), [[0, 4, KIND.FREE], [4, 12, KIND.HOLE]]);
    run('zone 8 3 start=8', 'reserve 10 2');
    assert.deepEqual(core.walk(S).map((b) => [b.pfn, b.order, b.kind]),
      [[8, 1, KIND.FREE], [10, 1, KIND.RESERVED], [12, 2, KIND.FREE]]);
    assert.equal(core.x.pg_start_pfn(S), 8);
  });

  test('syntax errors are reported as in buddy run', () => {
    run('zone 16 4');
    const cases = [
      ['bogus 1', /^unknown command/],
      ['alloc', /^missing ORDER \(usage: alloc ORDER \[TYPE\] \[FLAG\.\.\.\]\)$/],
      ['alloc 1 2', /^unknown word '2' \(expected one of unmovable, movable/],
      ['alloc 0 sideways', /^unknown word 'sideways'/],
      ['alloc -1', /^ORDER must be a number 0\.\.31, got '-1'$/],
      ['alloc 32', /^ORDER must be a number 0\.\.31/],
      ['free 1x', /^PFN must be a number/],
      ['zone 16 4 sideways', /^unknown option 'sideways'/],
      ['zone 0 4', /^PAGES must be a number 1\.\./],
    ];
    for (const [line, re] of cases) {
      const r = core.exec(S, line);
      assert.equal(r.code, ERR.ESYNTAX, line);
      assert.match(r.out, re, line);
    }
    assert.deepEqual(lists(), { 4: [0] }, 'syntax errors change nothing');
  });

  test('a command before any zone is ENOZONE', () => {
    const r = core.exec(5, 'alloc 0'); // slot 5 is used by no other test
    assert.equal(r.code, ERR.ENOZONE);
    assert.match(r.out, /first command must be 'zone PAGES MAXORDER'/);
  });

  test('core errors change nothing', () => {
    run('zone 16 4', 'alloc 1', 'alloc 0', 'reserve 8 2');
    const walk = JSON.stringify(core.walk(S));
    const info = core.buddyinfo(S);
    const bad = [
      ['free 3', ERR.EDOUBLEFREE], // alloc 0 split the block at 2: 3 is free
      ['free 1', ERR.EINTERIOR],
      ['free 0 2', ERR.EWRONGORDER],
      ['free 8', ERR.ERESERVED],
      ['free 99', ERR.ERANGE],
      ['free 3 1', ERR.EALIGN],
      ['alloc 5', ERR.EORDER],
      ['reserve 0 2', ERR.EBUSY],
      ['add 12 2', ERR.EOVERLAP],
      ['zone 4096 10', ERR.ELIMIT],
    ];
    for (const [line, code] of bad) {
      const r = core.exec(S, line);
      assert.equal(r.code, code, `${line}: ${r.out}`);
      assert.equal(r.out, core.str(core.x.pg_strerror(code)));
      assert.equal(JSON.stringify(core.walk(S)), walk, `${line} changed the zone`);
      assert.equal(core.buddyinfo(S), info);
      assert.equal(core.check(S).code, 0);
    }
  });

  test('double free: the error, and the state unchanged', () => {
    run('zone 16 4', 'alloc 1', 'free 0');
    const info = core.buddyinfo(S);
    const r = core.exec(S, 'free 0');
    assert.deepEqual([r.code, r.cmd], [ERR.EDOUBLEFREE, 'free']);
    assert.equal(core.buddyinfo(S), info);
    assert.equal(core.x.pg_stat(S, 9), 1, 'one refused free counted');
  });

  test('out of memory is ENOMEM', () => {
    run('zone 4 2', 'alloc 2');
    assert.equal(core.exec(S, 'alloc 0').code, ERR.ENOMEM);
  });

  test('stats, walk and frag print text', () => {
    run('zone 16 4', 'alloc 0');
    assert.match(core.exec(S, 'stats').out, /^spanned_pages  16\n[\s\S]*nr_free        1 1 1 1 0\n/);
    assert.equal(core.exec(S, 'walk').out.split('\n')[0], 'pfn 0: allocated, order 0 (1 page)');
    assert.equal(core.exec(S, 'frag').out.split('\n')[5], '    4     1.000          0.516');
  });
});

describe('tenants in the page', () => {
  test('live from line to line, until a new zone', () => {
    const [, t1, t2, c1, c2, over, tenants, check] = run('zone 64 4 owners', 'tenant max=8', 'tenant parent=1',
      'charge 2 2', 'charge 1 2', 'charge 2 0', 'tenants', 'check');
    assert.deepEqual([t1.out, t2.out], ['1', '2']);
    assert.deepEqual([c1.code, c2.code], [0, 0]);
    assert.equal(over.code, ERR.ENOMEM);
    assert.match(over.out, /at its max/);
    assert.match(tenants.out, /\n 1      0       8      8      8/);
    assert.deepEqual([check.code, check.out], [0, 'ok']);
    const [mem] = run('memory 2');
    assert.match(mem.out, /^memory\.current 16384\n/);
    run('zone 16 4');
    assert.equal(core.exec(S, 'memory 1').code, ERR.ENOTENANT);
  });
});

describe('the same trace in the terminal', () => {
  // $BUDDY_CLI is the `buddy` command when the build has it (CMake passes it).
  test('buddy run gives the same results and errors', { skip: !process.env.BUDDY_CLI && 'no BUDDY_CLI' }, () => {
    const lines = ['# a session as the page exports it', 'zone 64 6 owners', 'alloc 3', 'alloc 0', 'alloc 1', 'free 8',
      'free 8', 'free 9', 'reserve 32 4', 'alloc 5', 'free 0 2', 'alloc 2', 'add 0 4', 'tenant max=4', 'charge 1 2',
      'charge 1 0', 'tenants', 'info', 'check'];
    const cli = spawnSync(process.env.BUDDY_CLI, ['--no-color', 'run'], { input: lines.join('\n') + '\n', encoding: 'utf8' });
    const out = [];
    const err = [];
    lines.forEach((line, i) => {
      const r = core.exec(S, line);
      if (r.code === 1) return;
      if (r.code < 0) err.push(`buddy: line ${i + 1}: ${r.cmd}: ${r.out} [${core.str(core.x.pg_errname(r.code))}]`);
      else if (['alloc', 'info', 'check', 'tenant', 'charge', 'tenants'].includes(r.cmd)) out.push(r.out);
    });
    assert.ok(err.length >= 4, 'the trace has errors to compare');
    assert.equal(cli.stdout, out.map((l) => `${l}\n`).join(''));
    assert.equal(cli.stderr, err.map((l) => `${l}\n`).join(''));
    assert.equal(cli.status, 1);
  });
});

describe('zones of the page', () => {
  test('a 1024-page zone with max order 10 fits a slot', () => {
    const [r] = run('zone 1024 10');
    assert.equal(r.code, 0);
    assert.deepEqual(core.nrFree(S), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    for (let i = 0; i < 1024; i++) assert.equal(core.exec(S, 'alloc 0').code, 0);
    assert.equal(core.x.pg_walk(S), 1024);
    assert.equal(core.check(S).code, 0);
    assert.equal(core.exec(S, 'alloc 0').code, ERR.ENOMEM);
  });

  test('a zone past the page\'s limits is ELIMIT, named, and the old zone stays', () => {
    run('zone 64 6', 'alloc 3');
    for (const [line, text] of [
      ['zone 1025 10', "the playground's zones hold at most 1024 pages, not 1025"],
      ['zone 16 11', "the playground's zones go up to max order 10, not 11"],
      ['zone 16 20 empty', "the playground's zones go up to max order 10, not 20"]]) {
      assert.equal(core.exec(S, line).code, ERR.ELIMIT, line);
      assert.equal(core.strerror(ERR.ELIMIT), text);
      assert.equal(core.str(core.x.pg_errname(ERR.ELIMIT)), 'ELIMIT');
      assert.equal(core.x.pg_pages(S), 64, `${line}: the old zone stays`);
      assert.equal(core.x.pg_max_order(S), 6);
      assert.equal(core.x.pg_stat(S, 5), 8);
    }
    assert.equal(core.x.pg_zone_new(S, 2048, 4), ERR.ELIMIT, 'pg_zone_new has the same limits');
    assert.equal(run('zone 16 10')[0].code, 0, 'the limits themselves are allowed');
  });

  test('a refused zone line\'s text is the limit, as pg_strerror words it', () => {
      run('zone 64 6');
      const r = core.exec(S, 'zone 1025 10');
      assert.equal(r.out, core.strerror(ERR.ELIMIT));
    });

  test('a zone whose metadata size wraps a 32-bit size_t is refused, not a trap', () => {
    run('zone 64 6', 'alloc 3');
    // 9 bytes a page: 2^29 pages and up need more than 4 GiB.
    for (const line of ['zone 536870912 10', 'zone 477218589 10', 'zone 4294967295 31', 'zone 4294967295 10 empty',
      'zone 2147483648 31 start=0x7fffffff']) {
      const r = core.exec(S, line);
      assert.equal(r.code, ERR.ELIMIT, line);
      assert.equal(core.x.pg_pages(S), 64, `${line}: the old zone stays`);
      assert.equal(core.x.pg_stat(S, 5), 8);
      assert.equal(core.check(S).code, 0);
    }
  });

  test('views: buddyinfo, indices, largest free order, find, buddy', () => {
    run('zone 16 4', 'alloc 0');
    assert.deepEqual(buddyinfoCounts(core.buddyinfo(S)), [1, 1, 1, 1, 0]);
    assert.equal(core.x.pg_largest_free_order(S), 3);
    assert.equal(core.x.pg_unusable_index(S, 4), 1000);
    assert.equal(core.x.pg_fragmentation_index(S, 4), 516);
    assert.equal(core.x.pg_fragmentation_index(S, 1), -1000);
    assert.equal(core.x.pg_find_block(S, 11), 0);
    assert.deepEqual(core.blocks(core.x.pg_blocks(), 1)[0], { pfn: 8, pages: 8, order: 3, kind: KIND.FREE });
    assert.equal(core.x.pg_find_block(S, 16), ERR.ERANGE);
    assert.equal(core.x.pg_buddy_of(4, 1), 6);
    assert.equal(core.x.pg_buddy_of(14, 1), 12);
    assert.equal(core.x.pg_buddy_of(0, 4), 16);
  });
});

describe('free lists in list order', () => {
  // 0..3 allocated one page each, 4 (order 2) and 8 (order 3) free; then 0 and
  // 3 are freed, 0 first. Neither merges (their buddies 1 and 2 are busy),
  // and each free pushes onto the head of free_area[0]: the list is 3, 0,
  // while the walk, in address order, has 0 before 3.
  const setup = ['zone 16 4', 'alloc 0', 'alloc 0', 'alloc 0', 'alloc 0', 'free 0', 'free 3'];

  test('pg_walk_free_list gives the list head first, not by address', () => {
    run(...setup);
    assert.deepEqual(core.freeList(S, 0), [3, 0]);
    assert.deepEqual(freeLists(core.walk(S))[0], [0, 3], 'the walk has them by address');
    assert.deepEqual(core.lists(S), { 0: [3, 0], 2: [4], 3: [8] });
    assert.deepEqual(core.blocks(core.x.pg_blocks(), 1)[0], { pfn: 8, pages: 8, order: 3, kind: KIND.FREE });
    // The head is what the next allocation takes: the last one freed.
    const [a] = run('alloc 0');
    assert.equal(a.pfn, 3);
    assert.deepEqual(core.freeList(S, 0), [0]);
    assert.equal(core.check(S).code, 0);
  });

  test('lists of the same length as nr_free; nothing above max_order or without a zone', () => {
    run(...setup);
    assert.deepEqual([0, 1, 2, 3, 4].map((k) => core.freeList(S, k).length), core.nrFree(S));
    assert.equal(core.x.pg_walk_free_list(S, 5), 0);
    assert.equal(core.x.pg_walk_free_list(S, 31), 0);
    assert.equal(core.x.pg_walk_free_list(4, 0), 0); // slot 4 is used by no test
    assert.equal(core.x.pg_walk_free_list(99, 0), 0);
  });

  test('memory given to the zone joins the tail: a fresh zone lists by address', () => {
    run('zone 64 3'); // eight order-3 blocks, deferred in the lazy run
    assert.deepEqual(core.freeList(S, 3), [0, 8, 16, 24, 32, 40, 48, 56]);
    run('alloc 3', 'alloc 3', 'free 0');
    assert.deepEqual(core.freeList(S, 3), [0, 16, 24, 32, 40, 48, 56]);
    assert.equal(run('alloc 3')[0].pfn, 0);
  });

  test('a recording keeps each event\'s lists in list order', () => {
    run(...setup);
    core.x.pg_set_snapshots(S, 1);
    const r = core.exec(S, 'alloc 1'); // free_area[1] is empty: the block at 4 splits
    core.x.pg_set_snapshots(S, 0);
    assert.deepEqual([r.code, r.pfn], [0, 4]);
    const [split, alloc] = core.events();
    assert.deepEqual([split.type, split.pfn, split.order, split.buddy], [EV.SPLIT, 4, 2, 6]);
    assert.deepEqual(split.lists, { 0: [3, 0], 1: [6], 3: [8] });
    assert.deepEqual(alloc.lists, split.lists);
    assert.deepEqual(core.lists(S), split.lists);
  });
});

describe('the buddy of a block', () => {
  const BUDDY = { FREE: 0, BUSY: 1, SPLIT: 2, INSIDE: 3, HOLE: 4, OUTSIDE: 5, TOP: 6 };
  const status = (pfn, order) => core.x.pg_buddy_status(S, pfn, order);

  test('pg_buddy_status says where the buddy stands (FIG. 3)', () => {
    run('zone 16 4', 'alloc 0', 'alloc 1', 'alloc 1'); // 0 A0, 1 F0, 2 A1, 4 A1, 6 F1, 8 F3
    assert.equal(status(4, 1), BUDDY.FREE);
    assert.deepEqual(core.blocks(core.x.pg_blocks(), 1)[0], { pfn: 6, pages: 2, order: 1, kind: KIND.FREE });
    assert.equal(status(6, 1), BUDDY.BUSY);
    assert.equal(status(1, 0), BUDDY.BUSY);
    assert.equal(status(8, 3), BUDDY.SPLIT);
    assert.equal(status(2, 1), BUDDY.SPLIT);
    assert.equal(status(0, 4), BUDDY.TOP);
    run('zone 16 4');
    assert.equal(status(4, 1), BUDDY.INSIDE);
    run('zone 12 4');
    assert.equal(status(8, 2), BUDDY.OUTSIDE);
    run('zone 16 4 empty', 'add 0 8');
    assert.equal(status(0, 3), BUDDY.HOLE);
  });
});

describe('recording the hook', () => {
  test('an order-1 request splits an order-4 block three times (DEMO 1)', () => {
    const slot = 1;
    core.run(slot, ['zone 16 4']);
    core.x.pg_set_snapshots(slot, 1);
    const r = core.exec(slot, 'alloc 1');
    core.x.pg_set_snapshots(slot, 0);
    assert.deepEqual([r.code, r.pfn], [0, 0]);
    const ev = core.events();
    assert.deepEqual(ev.map((e) => [e.type, e.pfn, e.order, e.buddy]), [
      [EV.SPLIT, 0, 4, 8], [EV.SPLIT, 0, 3, 4], [EV.SPLIT, 0, 2, 2], [EV.ALLOC, 0, 1, 0xffffffff]]);
    const inflight = (e) => e.blocks.filter((b) => b.kind === KIND.INFLIGHT).map((b) => [b.pfn, b.order]);
    assert.deepEqual(ev.slice(0, 3).map(inflight), [[[0, 3]], [[0, 2]], [[0, 1]]]);
    assert.deepEqual(ev.slice(0, 3).map((e) => freeLists(e.blocks)), [{ 3: [8] }, { 3: [8], 2: [4] }, { 3: [8], 2: [4], 1: [2] }]);
    assert.deepEqual(ev.map((e) => e.lists), ev.map((e) => freeLists(e.blocks)), 'lists recorded as walked');
    assert.deepEqual(ev[2].nrFree.slice(0, 5), [0, 1, 1, 1, 0]);
    assert.deepEqual(freeLists(ev[3].blocks), { 3: [8], 2: [4], 1: [2] });
  });

  test('freeing the block at 14 merges three times (DEMO 2)', () => {
    const slot = 2;
    core.run(slot, ['zone 16 4 empty', 'add 14 2', 'alloc 1', 'add 0 14']);
    assert.deepEqual(freeLists(core.walk(slot)), { 3: [0], 2: [8], 1: [12] });
    assert.deepEqual(core.walk(slot).at(-1), { pfn: 14, pages: 2, order: 1, kind: KIND.ALLOCATED });
    core.x.pg_set_snapshots(slot, 1);
    assert.equal(core.exec(slot, 'free 14').code, 0);
    core.x.pg_set_snapshots(slot, 0);
    const ev = core.events();
    assert.deepEqual(ev.map((e) => [e.type, e.pfn, e.order, e.buddy]), [
      [EV.FREE, 14, 1, 0xffffffff], [EV.MERGE, 14, 1, 12], [EV.MERGE, 12, 2, 8], [EV.MERGE, 8, 3, 0]]);
    const merged = ev.slice(1).map((e) => e.blocks.filter((b) => b.kind === KIND.INFLIGHT).map((b) => [b.pfn, b.order]));
    assert.deepEqual(merged, [[[12, 2]], [[8, 3]], [[0, 4]]]);
    assert.deepEqual(ev.slice(1).map((e) => freeLists(e.blocks)), [{ 3: [0], 2: [8] }, { 3: [0] }, {}]);
    assert.deepEqual(ev.map((e) => e.lists), ev.map((e) => freeLists(e.blocks)), 'lists recorded as walked');
    assert.deepEqual(freeLists(core.walk(slot)), { 4: [0] });
  });

  test('without snapshots, events are still recorded, refusals too', () => {
    run('zone 16 4', 'alloc 0');
    core.exec(S, 'free 5');
    const [e] = core.events();
    assert.deepEqual([e.type, e.pfn, e.error, e.blocks, e.lists], [EV.REJECT, 5, ERR.EDOUBLEFREE, null, null]);
  });
});

describe('random workload', () => {
  const session = (seed, steps) => {
    const slot = 3;
    core.run(slot, ['zone 256 8']);
    core.x.pg_workload_seed(slot, seed);
    const lines = [];
    for (let i = 0; i < steps; i++) {
      const line = core.workloadNext(slot);
      lines.push(line);
      const r = core.exec(slot, line);
      assert.ok(r.code === 0 || r.code === ERR.ENOMEM, `${line}: ${r.out}`);
      assert.equal(core.check(slot).code, 0, `validator after ${line}`);
    }
    return lines;
  };

  test('the same seed gives the same trace; another seed another', () => {
    const a = session(42, 400);
    const b = session(42, 400);
    assert.deepEqual(a, b);
    assert.notDeepEqual(session(43, 400), a);
    assert.ok(a.some((l) => l.startsWith('free ')) && a.some((l) => l.startsWith('alloc ')));
    for (const l of a) assert.match(l, /^(alloc \d|free \d+)$/);
  });

  test('a replayed trace reproduces the state', () => {
    const lines = session(7, 300);
    const want = core.buddyinfo(3);
    const walk = JSON.stringify(core.walk(3));
    core.run(3, ['zone 256 8', ...lines]);
    assert.equal(core.buddyinfo(3), want);
    assert.equal(JSON.stringify(core.walk(3)), walk);
  });
});
