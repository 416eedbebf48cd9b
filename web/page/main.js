// SPDX-License-Identifier: MIT
// main.js: the field guide's figures, drawn from libbuddy's C core.
//
// Every block, list, count, index, verdict and error on the page comes from
// an exported C function of the WebAssembly module (abi.js). The page holds
// no allocator logic: an allocation or a free is a `buddy run` script line
// handed to pg_exec, the step-through demos replay snapshots the C side
// recorded from the core's event hook, and even the buddy of a block and the
// random workload's next command are asked of the module. Each figure is one
// module: FIG. 0 fig-hero.js, FIG. 1 fig-orders.js, FIG. 2 fig-free-area.js,
// DEMO 1 and 2 demos.js, FIG. 3 fig-xor.js, § 06 playground.js and its
// play-*.js panels; draw.js is what they draw with. web/build.mjs bundles
// them, in the order their imports give, into the one page.

import { loadCore } from './abi.js';
import { allocDemo, freeDemo } from './demos.js';
import { listsOf, nameKinds } from './draw.js';
import { freeAreaFigure } from './fig-free-area.js';
import { fragFigure } from './fig-frag.js';
import { heroFigure } from './fig-hero.js';
import { ordersFigure } from './fig-orders.js';
import { xorFigure } from './fig-xor.js';
import { Playground } from './playground.js';

async function start() {
  const status = document.querySelector('[data-role="status"]');
  let loaded;
  try {
    loaded = await loadCore();
  } catch (err) {
    document.body.classList.add('no-core');
    status.textContent = `The allocator module could not be loaded: ${err.message}`;
    throw err;
  }
  const { core, moduleBytes } = loaded;
  nameKinds(core);
  heroFigure(core, document.getElementById('fig0'));
  ordersFigure(core, document.getElementById('fig1'));
  freeAreaFigure(core, document.getElementById('fig2'));
  const demo1 = allocDemo(core, document.getElementById('demo-alloc'));
  xorFigure(core, document.getElementById('fig-xor'), document.querySelector('#why-buddy [data-role="example"]'));
  const demo2 = freeDemo(core, document.getElementById('demo-free'));
  const play = new Playground(core, document.querySelector('[data-role="playground"]'));
  const frag = fragFigure(core, document.getElementById('fig-frag'));
  play.loadHash();
  window.addEventListener('resize', () => play.render());
  status.textContent = `Core: libbuddy compiled to a ${Math.round(moduleBytes / 1024)} KiB WebAssembly module, loaded from this page.`;

  // For the end-to-end tests and the curious: read-only views of what is drawn.
  window.buddyPlayground = {
    core, play, allocDemo: demo1, freeDemo: demo2, listsOf, frag,
    ready: true,
  };
  document.documentElement.dataset.ready = 'true';
}

start();
