// SPDX-License-Identifier: MIT
// fig-hero.js: FIG. 0, memory under load: a 64-page zone after a seeded
// random workload, which the reader can set running.

import { KIND, SLOT } from './abi.js';
import { drawLegend, drawStrip, role } from './draw.js';

export function heroFigure(core, fig) {
  const slot = SLOT.HERO;
  const map = role(fig, 'map');
  const play = role(fig, 'animate');
  core.exec(slot, 'zone 64 6');
  core.workloadSeed(slot, 7);
  const step = () => {
    const line = core.workloadNext(slot);
    if (line) core.exec(slot, line);
  };
  for (let i = 0; i < 48; i++) step();
  const draw = () => drawStrip(map, core.state(slot), { cols: 32, label: () => '' });
  draw();
  drawLegend(role(fig, 'legend'), [KIND.FREE, KIND.ALLOCATED]);
  let timer = 0;
  play.addEventListener('click', () => {
    if (timer) {
      clearInterval(timer);
      timer = 0;
    } else {
      timer = setInterval(() => { step(); draw(); }, 400);
    }
    play.setAttribute('aria-pressed', String(Boolean(timer)));
    play.textContent = timer ? '❚❚ Pause' : '▶ Animate';
  });
}
