// Full-page screenshots for looking at the page (not a test): the default run after ~20 s and a
// mixture -> 8 Gaussians run with exact fields, at 1400 px and at a narrow width, plus the mirror.
//   node tests/e2e/screens.mjs [name-regex]     -> artifacts/e2e/screen-*.png
import path from 'node:path';
import { artifacts, start } from './lib.mjs';

const only = process.argv[2] ? new RegExp(process.argv[2]) : null;
const { base, browser, close } = await start();
const SHOTS = [
  // name, query, width, seconds of training
  ['default', '', 1400, 20],
  ['exact-8gaussians', 'b=random-gmm&path=linear&gamma=brownian&t=8gaussians', 1400, 15],
  ['default-800px', '', 800, 12],
  ['mirror', 'path=mirror&fields=s&gamma=brownian', 1400, 12],
  ['phone', '', 390, 12],
];
for (const [name, query, width, seconds] of SHOTS) {
  if (only && !only.test(name)) continue;
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, ...(width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`${name}: console error: ${m.text()}`); });
  await page.goto(base + (query ? `?${query}` : ''));
  await page.waitForTimeout(seconds * 1000);
  await page.click('#btn-play'); // pause, so that the density heatmap is computed and the shot is steady
  await page.waitForFunction(() => document.body.dataset.running === '0', null, { timeout: 20000 });
  await page.waitForTimeout(2500);
  const file = path.join(artifacts, `screen-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const overflow = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.katex') || el.offsetParent === null) continue;
      const cs = getComputedStyle(el);
      if (cs.overflowX !== 'visible') continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${el.scrollWidth}>${el.clientWidth}`);
    }
    return { doc: document.documentElement.scrollWidth, win: innerWidth, out: out.slice(0, 10) };
  });
  console.log(`${file} (page ${overflow.doc} px wide in a ${overflow.win} px window) ${overflow.out.join(' | ')}`);
  await context.close();
}
await close();
