// The page's default demo (Gaussian -> checkerboard, 3 x 64, batch 256, b + s) in steps per second:
// another build of the page (a baseline: an older commit's web/dist) against this one (web/dist), in
// one headless Chromium, each served cross-origin isolated from its own static server, in alternating
// rounds so that both see the same machine. This build runs at every thread count in THREADS (default
// "1,<all cores>": the header's threads control), the baseline as it starts.
//
//   node scripts/page_speed_against.mjs <baseline web/dist> [rounds]
//
// A baseline from an older commit, e.g. main before the speed work of issue 13:
//   git worktree add /tmp/base 92d230b && cd /tmp/base && bash wasm/build.sh &&
//   cd web && npm ci && npm run build          # then: node scripts/page_speed_against.mjs /tmp/base/web/dist
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { launch, serve } from '../tests/e2e/lib.mjs';

const baseline = process.argv[2] && path.resolve(process.argv[2]);
const rounds = Number(process.argv[3] ?? 3);
if (!baseline || !existsSync(path.join(baseline, 'index.html')) || !(rounds >= 1 && rounds <= 20)) {
  console.error('usage: node scripts/page_speed_against.mjs <baseline web/dist with index.html> [rounds 1-20]');
  process.exit(2);
}
const threads = (process.env.THREADS ?? `1,${os.availableParallelism()}`).split(',').map(Number);
const WARM_MS = 2000, MEASURE_MS = 8000;

const servers = { baseline: await serve({ dir: baseline }), current: await serve() };
const browser = await launch();

/** Steps per second over MEASURE_MS of training after WARM_MS, on a fresh page (threads: the header's control). */
async function measure(base, threadCount) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(base + '?steps=100000000');
  await page.waitForFunction(() => Number(document.getElementById('step-count')?.textContent) > 0, null, { timeout: 60000 });
  if (threadCount) {
    await page.selectOption('#threads-select', String(threadCount));
    await page.waitForFunction((v) => document.body.dataset.threads === v, String(threadCount), { timeout: 60000 });
  }
  await page.waitForTimeout(WARM_MS);
  const count = () => page.$eval('#step-count', (e) => Number(e.textContent));
  const s0 = await count(), t0 = Date.now();
  await page.waitForTimeout(MEASURE_MS);
  const sps = ((await count()) - s0) / ((Date.now() - t0) / 1000);
  await context.close();
  return sps;
}

const runs = [['baseline', 0], ...threads.map((t) => ['current', t])];
const figures = new Map(runs.map(([which, t]) => [`${which} ${t}`, []]));
for (let r = 1; r <= rounds; r++)
  for (const [which, t] of runs) {
    const sps = await measure(servers[which].base, t);
    figures.get(`${which} ${t}`).push(sps);
    console.log(`round ${r}: ${which === 'baseline' ? 'baseline (as it starts)' : `this build, ${t} thread(s)`}: ${sps.toFixed(0)} steps/s`);
  }
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(figures.get('baseline 0'));
console.log(`\nmedian of ${rounds} rounds, default demo steps/s: baseline ${base.toFixed(0)}`);
for (const t of threads) {
  const m = median(figures.get(`current ${t}`));
  console.log(`  this build at ${t} thread(s): ${m.toFixed(0)} (${(m / base).toFixed(2)}x the baseline)`);
}
await browser.close();
await Promise.all(Object.values(servers).map((s) => s.close()));
