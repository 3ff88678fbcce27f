// End-to-end tests of the browser app in Debian's headless Chromium, driven by playwright-core.
// Serves web/dist (build it first: `npm run build` in web/) from a tiny static server (lib.mjs), runs each
// test in a fresh page (one browser, one page at a time: the machine has 2 cores) and prints
// "N passed, N failed". Screenshots go to artifacts/e2e/.
//   node tests/e2e/run.mjs            all tests
//   E2E_ONLY='eps|URL' node tests/e2e/run.mjs   tests whose name matches the regular expression
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifacts, root, serve, start } from './lib.mjs';
import { COST_ROWS, GOOD, typedRows, URL_GROUPS, WORKER_ROWS } from './bad-inputs.mjs';

const SUPPORT_GOAL = 0.8;
const SUPPORT_DEADLINE_S = Number(process.env.E2E_SUPPORT_DEADLINE_S ?? 60);
const { base: BASE, browser, close: shutdown } = await start();

// ---------------------------------------------------------------- helpers
async function openPage(query = '', { base = BASE, context: options = {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longtasks.push({ start: e.startTime, dur: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const t0 = Date.now();
  await page.goto(base + (query ? `?${query}` : ''));
  return { page, errors, t0, close: () => context.close() };
}

const num = (page, sel) => page.$eval(sel, (el) => Number(el.textContent));
const data = (page, key) => page.evaluate((k) => document.body.dataset[k], key);
async function waitData(page, key, pred, timeout = 60000) {
  await page.waitForFunction(([k, p]) => new Function('v', `return ${p}`)(document.body.dataset[k]), [key, pred],
    { timeout, polling: 200 });
}
function canvasHash(page, sel) {
  return page.$eval(sel, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 4) h = Math.imul(h ^ (d[i] + 3 * d[i + 1] + 7 * d[i + 2]), 16777619);
    return h >>> 0;
  });
}
function inkedPixels(page, sel) {
  return page.$eval(sel, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    // Coloured (saturated) pixels: marks in any of the palette's colours, not the greys of axes and text.
    for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
    return n;
  });
}
async function errorMessages(page) {
  return page.$$eval('#messages .msg.error', (els) => els.map((e) => e.textContent));
}
async function setInput(page, sel, value) {
  await page.$eval(sel, (el, v) => {
    if (el.type === 'checkbox') el.checked = v;
    else el.value = String(v);
    el.dispatchEvent(new Event(el.type === 'range' ? 'input' : 'change', { bubbles: true }));
  }, value);
}
const onTheSupport = (x, y) => Math.abs(x) <= 4 && Math.abs(y) <= 4 && (((Math.floor(x / 2) + Math.floor(y / 2)) % 2) + 2) % 2 === 0;
/** Share of 2-D points (flat x, y pairs) on the checkerboard's support. */
function shareOf(a) {
  let on = 0;
  for (let i = 0; i + 1 < a.length; i += 2) on += onTheSupport(a[i], a[i + 1]);
  return on / (a.length / 2);
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
async function shot(page, sel, name) {
  const file = path.join(artifacts, `${name}.png`);
  if (sel) await page.locator(sel).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---------------------------------------------------------------- tests
const results = [];
const notes = [];
async function test(name, fn) {
  if (process.env.E2E_ONLY && !new RegExp(process.env.E2E_ONLY).test(name)) return;
  const t = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)\n     ${String(e.message ?? e).split('\n').slice(0, 6).join('\n     ')}`);
  }
}

// The default run: load, train, sample, reach the checkerboard; then the eps slider and files.
let main = null;
await test('page loads with no console errors', async () => {
  main = await openPage();
  await waitData(main.page, 'sampleVersion', 'Number(v) >= 1');
  await waitData(main.page, 'typeset', 'v === "1"', 20000);
  // The page is up (built, wasm loaded, first samples drawn, formulas typeset).
  main.upAt = await main.page.evaluate(() => performance.now());
  const katex = await main.page.$$eval('.katex', (els) => els.length);
  assert(katex > 10, `formulas not typeset (${katex} KaTeX nodes)`);
  assert(main.errors.length === 0, `console errors: ${main.errors.join(' | ')}`);
  const msgs = await errorMessages(main.page);
  assert(msgs.length === 0, `error messages on the page: ${msgs.join(' | ')}`);
});

await test('training starts and the step counter rises', async () => {
  assert(main, 'no page');
  await main.page.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 0, null, { timeout: 30000 });
  const s1 = await num(main.page, '#step-count');
  await main.page.waitForTimeout(3000);
  const s2 = await num(main.page, '#step-count');
  assert(s2 > s1, `step counter did not rise: ${s1} -> ${s2}`);
  notes.push(`steps/s on the default run: ${await main.page.$eval('#sps', (e) => e.textContent)}`);
});

await test('samples are drawn (canvas pixels change)', async () => {
  assert(main, 'no page');
  const v0 = Number(await data(main.page, 'sampleVersion'));
  const h0 = await canvasHash(main.page, '#cv-ode');
  await waitData(main.page, 'sampleVersion', `Number(v) >= ${v0 + 2}`, 30000);
  const h1 = await canvasHash(main.page, '#cv-ode');
  assert(h0 !== h1, 'ODE canvas did not change between sample sets');
  const inked = await inkedPixels(main.page, '#cv-ode');
  assert(inked > 500, `ODE canvas shows too few sample pixels (${inked})`);
  assert(await data(main.page, 'nonFinite') === '0,0', `non-finite samples: ${await data(main.page, 'nonFinite')}`);
});

await test(`checkerboard default reaches >= ${SUPPORT_GOAL * 100}% of samples on the support within ${SUPPORT_DEADLINE_S} s`, async () => {
  assert(main, 'no page');
  const deadline = main.t0 + SUPPORT_DEADLINE_S * 1000;
  let best = 0;
  let at = null;
  const trace = [];
  while (Date.now() < deadline) {
    // From the page's samples (apart from the worker's own figure, which the table shows).
    const { ode, sde } = await main.page.evaluate(() => ({ ode: Array.from(window.__siApp.samples?.ode ?? []),
      sde: Array.from(window.__siApp.samples?.sde ?? []) }));
    const v = ode.length ? shareOf(ode) : 0;
    const w = sde.length ? shareOf(sde) : 0;
    const share = Math.max(v, w);
    if (share > best) {
      best = share;
      trace.push(`${((Date.now() - main.t0) / 1000).toFixed(0)}s:${(100 * v).toFixed(0)}/${(100 * w).toFixed(0)}%`);
    }
    if (share >= SUPPORT_GOAL) {
      at = (Date.now() - main.t0) / 1000;
      break;
    }
    await main.page.waitForTimeout(500);
  }
  const step = await num(main.page, '#step-count');
  notes.push(`support share (ODE/SDE) over time: ${trace.join(' ')}`);
  notes.push(at === null ? `80% on support NOT reached in ${SUPPORT_DEADLINE_S} s (best ${(100 * best).toFixed(1)}%, step ${step})`
    : `80% on support reached after ${at.toFixed(1)} s from page load (step ${step})`);
  assert(at !== null, `best share ${(100 * best).toFixed(1)}% after ${SUPPORT_DEADLINE_S} s`);
});

await test('no main-thread task over 100 ms while training', async () => {
  assert(main, 'no page');
  // Watch at least 15 s of the page's life, training all along; the window starts once the page is up
  // (first samples drawn and formulas typeset: on this loaded 2-core machine, 3 to 8 s after load).
  const from = main.upAt + 500;
  await main.page.waitForFunction((t) => performance.now() > t, from + 15000, { timeout: 30000, polling: 500 });
  assert(await data(main.page, 'running') === '1', 'training stopped before the end of the window');
  const tasks = await main.page.evaluate(() => window.__longtasks);
  const started = await main.page.evaluate(() => performance.now());
  const long = tasks.filter((t) => t.dur > 100 && t.start > from);
  const fmt = (list) => list.map((t) => `${t.dur.toFixed(0)} ms @${(t.start / 1000).toFixed(1)}s`).join(', ');
  notes.push(`main-thread long tasks (>50 ms) over ${(started / 1000).toFixed(0)} s: ${tasks.length}, ` +
    `longest ${Math.max(0, ...tasks.map((t) => t.dur)).toFixed(0)} ms (${fmt(tasks)})`);
  if (long.length > 0) {
    // One slow task can be the machine (other jobs on 2 cores) rather than the page: a page that blocks
    // its main thread does so in every window, so a second 15 s window must be clean.
    const again = started;
    await main.page.waitForFunction((t) => performance.now() > t, again + 15000, { timeout: 30000, polling: 500 });
    const second = (await main.page.evaluate(() => window.__longtasks)).filter((t) => t.dur > 100 && t.start > again);
    notes.push(`long tasks in the first window (${fmt(long)}); in a second 15 s window: ${second.length ? fmt(second) : 'none'}`);
    assert(second.length === 0, `tasks over 100 ms while training, in two windows: ${fmt(long)}; then ${fmt(second)}`);
  }
});

await test('screenshots of the main views', async () => {
  assert(main, 'no page');
  const p = main.page;
  await shot(p, null, 'page');
  await shot(p, '#panel-samples', 'samples');
  await shot(p, '#panel-training', 'training');
  await setInput(p, '#traj-slider', 10);
  await shot(p, '#panel-traj', 'trajectories-t0.5');
  await p.click('#btn-density');
  await p.waitForFunction(() => document.getElementById('density-info').textContent !== '', null, { timeout: 60000 });
  await shot(p, '#panel-density', 'density');
  await shot(p, '#panel-field', 'field');
  await shot(p, '#panel-path', 'interpolant');
});

await test('moving the eps slider re-samples the same model', async () => {
  assert(main, 'no page');
  const p = main.page;
  if (await data(p, 'running') === '1') await p.click('#btn-play');
  await waitData(p, 'running', 'v === "0"', 20000);
  const v0 = Number(await data(p, 'sampleVersion'));
  await waitData(p, 'sampleVersion', `Number(v) >= ${v0}`, 20000);
  await p.waitForTimeout(1500);
  const v1 = Number(await data(p, 'sampleVersion'));
  const ode0 = await canvasHash(p, '#cv-ode');
  const sde0 = await canvasHash(p, '#cv-sde');
  const t = Date.now();
  await setInput(p, '#eps-slider', 1.5);
  await waitData(p, 'sdeEps', 'v === "1.5"', 20000);
  const ms = Date.now() - t;
  const v2 = Number(await data(p, 'sampleVersion'));
  const sde1 = await canvasHash(p, '#cv-sde');
  const ode1 = await canvasHash(p, '#cv-ode');
  assert(v2 > v1, 'no new sample set after moving eps');
  assert(sde1 !== sde0, 'SDE canvas unchanged after moving eps');
  assert(ode1 === ode0, 'ODE samples changed although only eps moved (should be the same model)');
  assert(p.url().includes('eps=1.5'), `eps not in the URL: ${p.url()}`);
  notes.push(`eps 0.5 -> 1.5 re-sampled in ${ms} ms`);
  await shot(p, '#panel-samples', 'samples-eps1.5');
  await setInput(p, '#eps-slider', 0);
  await waitData(p, 'sdeEps', 'v === "0"', 20000);
  await shot(p, '#panel-samples', 'samples-eps0');
});

await test('export samples CSV and a PNG', async () => {
  assert(main, 'no page');
  const p = main.page;
  const [csv] = await Promise.all([p.waitForEvent('download'), p.click('#btn-export-csv')]);
  await csv.saveAs(path.join(artifacts, 'samples.csv'));
  const lines = readFileSync(path.join(artifacts, 'samples.csv'), 'utf8').trim().split('\n');
  assert(lines[0] === 'kind,x,y' && lines.length > 1000, `bad CSV (${lines.length} lines)`);
  const [png] = await Promise.all([p.waitForEvent('download'), p.click('#panel-samples .png')]);
  await png.saveAs(path.join(artifacts, 'download-samples.png'));
  const head = readFileSync(path.join(artifacts, 'download-samples.png')).subarray(1, 4).toString();
  assert(head === 'PNG', 'PNG download is not a PNG');
});

await test('an exported model imports with its settings and training continues from it', async () => {
  assert(main, 'no page');
  const p = main.page;
  // The run as exported: trained a while, paused, eps back at the value it was configured with.
  await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 1500, null, { timeout: 30000 });
  if (await data(p, 'running') === '1') await p.click('#btn-play');
  await waitData(p, 'running', 'v === "0"', 20000);
  await p.waitForFunction(() => Number(document.body.dataset.sampleStep) === Number(document.getElementById('step-count').textContent),
    null, { timeout: 20000 });
  await setInput(p, '#eps-slider', 0.5);
  await waitData(p, 'sdeEps', 'v === "0.5"', 20000);
  const before = await p.evaluate(() => ({
    url: location.search, step: Number(document.getElementById('step-count').textContent),
    sampleStep: Number(document.body.dataset.sampleStep),
    share: Number(document.getElementById('m-share-ode').dataset.value),
    controls: Object.fromEntries([...document.querySelectorAll('#settings [id^=set-]')].map((e) => [e.id, e.type === 'checkbox' ? e.checked : e.value])),
  }));
  assert(before.sampleStep === before.step, `samples (step ${before.sampleStep}) are not of the paused model (step ${before.step})`);
  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('#btn-export-model')]);
  const file = path.join(artifacts, 'model.json');
  await dl.saveAs(file);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  assert(saved.steps === before.step, `file records ${saved.steps} steps, page ${before.step}`);
  // Another run replaces it: other width and seed, step 0.
  const gen0 = await data(p, 'gen');
  await setInput(p, '#set-width', 32);
  await setInput(p, '#set-seed', 3);
  await p.waitForFunction((g) => document.body.dataset.gen !== g && location.search.includes('seed=3'), gen0, { timeout: 20000 });
  const genA = await data(p, 'gen');
  await p.click('#btn-reset');
  await p.waitForFunction((g) => document.body.dataset.gen !== g, genA, { timeout: 20000 });
  const gen1 = await data(p, 'gen');
  await p.setInputFiles('#file-import', file);
  await p.waitForFunction(() => document.getElementById('messages').textContent.includes('imported (step'), null, { timeout: 30000 });
  await p.waitForFunction(([g, s]) => document.body.dataset.gen !== g && Number(document.body.dataset.sampleStep) === s,
    [gen1, before.step], { timeout: 30000 });
  const after = await p.evaluate(() => ({
    url: location.search, step: Number(document.getElementById('step-count').textContent),
    share: Number(document.getElementById('m-share-ode').dataset.value), running: document.body.dataset.running,
    controls: Object.fromEntries([...document.querySelectorAll('#settings [id^=set-]')].map((e) => [e.id, e.type === 'checkbox' ? e.checked : e.value])),
  }));
  await p.screenshot({ path: path.join(artifacts, 'after-import.png') });
  const differ = Object.keys(before.controls).filter((k) => before.controls[k] !== after.controls[k]);
  assert(differ.length === 0, `controls differ after import: ${differ.map((k) => `${k} ${before.controls[k]} -> ${after.controls[k]}`).join(', ')}`);
  assert(after.url === before.url, `URL after import "${after.url}", exported run's "${before.url}"`);
  assert(after.step === before.step, `step counter ${after.step} after import, ${before.step} at export`);
  assert(after.running === '0', 'an imported model should wait for play');
  assert(Math.abs(after.share - before.share) < 0.02, `support share ${after.share} after import, ${before.share} at export`);
  // Play: the step counter goes on from the exported step and the samples stay good.
  await p.click('#btn-play');
  await p.waitForFunction((s) => Number(document.body.dataset.sampleStep) > s + 300, before.step, { timeout: 30000 });
  await p.click('#btn-play');
  await waitData(p, 'running', 'v === "0"', 20000);
  const cont = await p.evaluate(() => ({ step: Number(document.getElementById('step-count').textContent),
    share: Number(document.getElementById('m-share-ode').dataset.value) }));
  notes.push(`import: support share ${(100 * before.share).toFixed(1)}% at export (step ${before.step}), ` +
    `${(100 * after.share).toFixed(1)}% right after import, ${(100 * cont.share).toFixed(1)}% at step ${cont.step} after play`);
  assert(cont.share > 0.7, `support share fell to ${cont.share} after continuing (lr schedule restarts?)`);
  const errs = await errorMessages(p);
  assert(errs.length === 0, `errors after import: ${errs.join(' | ')}`);
  assert(main.errors.length === 0, `console errors: ${main.errors.join(' | ')}`);
});

// The package itself, in Node, as a user of the page's files would run it.
let siLoaded = null;
const packageModule = () => (siLoaded ??= import(pathToFileURL(path.join(root, 'web/node_modules/stochastic-interpolants/index.js')).href)
  .then((m) => m.init()));

/** Pauses, exports the model file and the samples CSV, and checks that the package (sampleODE / sampleSDE in
 * Node) gives the same samples for that model with the options the page's settings describe, and that
 * these options are the package's documented ones only (nothing page-specific such as an interval). */
async function samePackageSamples(p, name) {
  if (await data(p, 'running') === '1') await p.click('#btn-play');
  await waitData(p, 'running', 'v === "0"', 20000);
  await p.waitForFunction(() => Number(document.body.dataset.sampleStep) === Number(document.getElementById('step-count').textContent),
    null, { timeout: 20000 });
  const file = (ext) => path.join(artifacts, `package-check-${name.replace(/\W+/g, '-')}.${ext}`);
  const [dm] = await Promise.all([p.waitForEvent('download'), p.click('#btn-export-model')]);
  await dm.saveAs(file('json'));
  const [dc] = await Promise.all([p.waitForEvent('download'), p.click('#btn-export-csv')]);
  await dc.saveAs(file('csv'));
  const options = await p.evaluate(() => window.__siApp.sampler());
  const documented = { ode: ['n', 'seed', 'method', 'steps', 'atol', 'rtol'], sde: ['n', 'seed', 'method', 'steps', 'eps', 'epsUntil'] };
  for (const k of ['ode', 'sde']) {
    const other = Object.keys(options[k]).filter((o) => !documented[k].includes(o));
    assert(other.length === 0, `${name}: the page passes ${k} options ${other.join(', ')}`);
  }
  const si = await packageModule();
  const model = si.Model.fromJSON(readFileSync(file('json'), 'utf8'));
  try {
    const rows = readFileSync(file('csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const column = (kind) => rows.filter((r) => r[0].startsWith(kind)).flatMap((r) => [Number(r[1]), Number(r[2])]);
    const want = { ode: si.sampleODE(model, options.ode).samples, sde: si.sampleSDE(model, options.sde).samples };
    let worst = 0;
    for (const kind of ['ode', 'sde']) {
      const got = column(kind);
      assert(got.length === want[kind].length && got.length > 0, `${name}: ${got.length} ${kind} numbers in the CSV, the package gives ${want[kind].length}`);
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[kind][i]) / Math.max(1, Math.abs(want[kind][i])));
    }
    notes.push(`${name}: the page's samples are the package's for ${JSON.stringify(options)} (largest difference ${worst})`);
    assert(worst <= 1e-6, `${name}: the page's samples differ from the package's by up to ${worst}`);
  } finally {
    model.delete();
  }
}

await test('the page\'s samples are the package\'s sampleODE / sampleSDE for its model and options', async () => {
  assert(main, 'no page');
  await samePackageSamples(main.page, 'default run');
});
await main?.close();

await test('the URL round-trips the settings', async () => {
  const q = 't=moons&lr=0.001&seed=7&width=32&path=one-sided-trig&eps=0.25&field=eta&ft=0.25';
  const a = await openPage(q);
  try {
    await waitData(a.page, 'sampleVersion', 'Number(v) >= 1');
    const read = (id) => a.page.$eval(id, (el) => el.value);
    assert(await read('#set-t') === 'moons', 'target not moons');
    assert(Number(await read('#set-lr')) === 0.001, 'lr not 0.001');
    assert(await read('#set-seed') === '7', 'seed not 7');
    assert(await read('#set-width') === '32', 'width not 32');
    assert(await read('#set-path') === 'one-sided-trig', 'path not restored');
    assert(await read('#eps-slider') === '0.25', 'eps not restored');
    // The Fields view's choice too: the controls and what the view draws.
    assert(await read('#field-select') === 'eta' && await read('#field-t') === '0.25', 'field or its t not restored');
    await a.page.waitForFunction(() => window.__siApp.lastField?.field === 'eta' && window.__siApp.lastField.t === 0.25,
      null, { timeout: 10000 });
    await setInput(a.page, '#set-depth', 2);
    await a.page.waitForFunction(() => location.search.includes('depth=2'), null, { timeout: 5000 });
    const url = a.page.url();
    for (const part of q.split('&')) assert(url.includes(part), `URL lost ${part}: ${url}`);
    const errs = await errorMessages(a.page);
    assert(errs.length === 0, `errors: ${errs.join(' | ')}`);
    await a.close();
    const b = await openPage(url.split('?')[1]);
    try {
      await waitData(b.page, 'sampleVersion', 'Number(v) >= 1');
      assert(await b.page.$eval('#set-depth', (el) => el.value) === '2', 'depth not restored from the link');
      assert(await b.page.$eval('#set-t', (el) => el.value) === 'moons', 'target not restored from the link');
      assert(b.page.url() === url, `URL changed on load: ${b.page.url()} vs ${url}`);
      assert(b.errors.length === 0, `console errors: ${b.errors.join(' | ')}`);
    } finally {
      await b.close();
    }
  } finally {
    await a.close().catch(() => {});
  }
});

await test('a link with bad values names them by their labels and applies the rest', async () => {
  const a = await openPage('t=nosuch&ext=-5&seed=7&depth=1e8&width=abc');
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 1');
    const msgs = await errorMessages(p);
    for (const label of ['target ρ₁ (t=nosuch)', 'plot half-width (ext=-5)', 'hidden layers (depth=1e8)', 'width (width=abc)']) {
      assert(msgs.some((m) => m.includes(label)), `no message about ${label}: ${msgs.join(' | ')}`);
    }
    assert(msgs.length === 4, `messages: ${msgs.join(' | ')}`);
    const read = (id) => p.$eval(id, (el) => el.value);
    assert(await read('#set-t') === 'checkerboard' && await read('#set-ext') === '5' && await read('#set-depth') === '3',
      'bad values did not fall back to their defaults');
    assert(await read('#set-seed') === '7', 'the good value of the link was not applied');
    assert(new URL(p.url()).search === '?seed=7', `URL after load: ${p.url()}`);
    notes.push(`bad link: ${msgs.join(' | ')}`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

// ---------------------------------------------------------------- the bad-input table (bad-inputs.mjs)
/** Types `text` into a control (a select gets an option the library does not have) and waits up to 1 s
 * for an error message; returns what happened, timed in the page. */
function typeBad(p, id, text) {
  return p.evaluate(async ([id, text]) => {
    window.__siApp.messages.clear();
    const el = document.getElementById(id);
    const before = el.value;
    const href = location.href;
    const t0 = performance.now();
    if (el.tagName === 'SELECT') el.add(new Option(text, text));
    el.value = text;
    el.dispatchEvent(new Event('change', { bubbles: true }));
    let msg = null;
    while (!(msg = document.querySelector('#messages .msg.error')) && performance.now() - t0 < 1000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return { ms: performance.now() - t0, msg: msg?.textContent ?? null, shown: el.value, before,
      urlKept: location.href === href, t0, t1: performance.now() };
  }, [id, text]);
}
/** Sends a message to the worker past the page's own checks; waits up to 10 s for the worker's answer. */
function sendBad(p, row) {
  return p.evaluate(async (row) => {
    const app = window.__siApp;
    app.messages.clear();
    const settings = { ...app.settings, ...(row.change ?? {}) };
    const view = app.viewRequest();
    const t0 = performance.now();
    if (row.make === 'configure') app.send({ type: 'configure', settings, play: true, view });
    else if (row.make === 'sampler') app.send({ type: 'sampler', settings, sdeOnly: false });
    else app.send({ type: 'view', view: { ...view, fieldGrid: { n: 1e6, ext: 5 } } });
    while (!document.querySelector('#messages .msg.error') && performance.now() - t0 < 10000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const msgs = [...document.querySelectorAll('#messages .msg.error')].map((e) => e.textContent);
    return { ms: performance.now() - t0, msgs, t0, t1: performance.now() };
  }, { ...row, expect: undefined });
}
const TYPED_MS = 200;
/** The first and last lines of a long list. */
const shorten = (a) => (a.length > 14 ? [...a.slice(0, 8), `… ${a.length - 14} more …`, ...a.slice(-6)] : a);
const LONG_TASK_MS = 100;
/** A link row's page load may take long tasks of its own (JS parsing, layout: up to ~0.7 s on this loaded
 * machine for a clean link); a bad value must not add a freeze on top. */
const LOAD_TASK_MS = Number(process.env.E2E_LOAD_TASK_MS ?? 1500);
let tableRows = 0;

await test('bad inputs: typed values are refused within 200 ms, naming the control and the values allowed; training goes on', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 1', 60000);
    await waitData(p, 'typeset', 'v === "1"', 20000);
    await p.waitForTimeout(1000);
    const gen = await data(p, 'gen');
    const failures = [];
    const windows = [];
    let slowest = 0;
    const check = (row, r, extra) => {
      const name = `${row.id} ${row.what} "${row.text}"`;
      windows.push([r.t0, r.t1]);
      slowest = Math.max(slowest, r.ms);
      if (!r.msg) return failures.push(`${name}: no message within 1 s`);
      if (r.ms > TYPED_MS) failures.push(`${name}: message after ${r.ms.toFixed(0)} ms`);
      if (!r.msg.includes(row.label)) failures.push(`${name}: message does not name "${row.label}": ${r.msg}`);
      if (row.side && !r.msg.includes(row.side)) failures.push(`${name}: message does not name the ${row.side}: ${r.msg}`);
      if (extra && !extra.test(r.msg)) failures.push(`${name}: message does not say ${extra}: ${r.msg}`);
      if (r.shown !== r.before) failures.push(`${name}: the control shows "${r.shown}", not the value in force "${r.before}"`);
      if (!r.urlKept) failures.push(`${name}: the link changed`);
    };
    const rows = await typedRows(p);
    for (const row of [...rows, ...COST_ROWS]) {
      const r = await typeBad(p, row.id, row.text);
      // The allowed range the message names is the control's own min/max (one source of bounds).
      const allowed = row.expect ?? (row.range ? new RegExp(`allowed: (auto or )?a (whole )?number from ${row.range[0].replace('.', '\\.')} to ${row.range[1].replace('.', '\\.')}\\b`)
        : /allowed: one of /);
      check(row, r, allowed);
    }
    // Past the page's check: the worker checks what it is sent before it allocates anything.
    for (const row of WORKER_ROWS) {
      const r = await sendBad(p, row);
      const name = `worker: ${row.what}`;
      windows.push([r.t0, r.t1]);
      if (!r.msgs.length) failures.push(`${name}: no message within 10 s`);
      else if (!r.msgs.some((m) => m.includes(row.label) && row.expect.test(m))) failures.push(`${name}: ${r.msgs.join(' | ')}`);
    }
    tableRows += rows.length + COST_ROWS.length + WORKER_ROWS.length;
    // The run goes on: the same run (the worker kept it), training, the step counter rising.
    const s0 = await num(p, '#step-count');
    const rose = await p.waitForFunction((s) => Number(document.getElementById('step-count').textContent) > s + 5, s0,
      { timeout: 15000 }).then(() => true, () => false);
    if (!rose || await data(p, 'gen') !== gen || await data(p, 'running') !== '1') {
      failures.push(`after the table: the run was replaced or stopped (step ${s0} -> ${await num(p, '#step-count')}, ` +
        `status "${await p.$eval('#status', (e) => e.textContent)}")`);
    }
    // No long task from the first row on.
    const tasks = (await p.evaluate(() => window.__longtasks)).filter((t) => t.dur > LONG_TASK_MS &&
      t.start >= windows[0][0]);
    notes.push(`bad inputs typed: ${rows.length + COST_ROWS.length} rows and ${WORKER_ROWS.length} ` +
      `worker rows; slowest message ${slowest.toFixed(0)} ms; main-thread tasks over ${LONG_TASK_MS} ms: ${tasks.length}`);
    assert(failures.length === 0, `${failures.length} rows failed:\n${shorten(failures).join('\n')}`);
    const at = (t) => { const i = windows.findIndex(([t0, t1]) => t.start < t1); return i < 0 ? 'after the rows' : `row ${i}`; };
    assert(tasks.length === 0, `main-thread tasks over ${LONG_TASK_MS} ms during the table: ${tasks.map((t) =>
      `${t.dur.toFixed(0)} ms at ${((t.start - windows[0][0]) / 1000).toFixed(1)} s (${at(t)})`).join(', ')}`);
    const consoleErrs = a.errors.filter((e) => !/Failed to load resource/.test(e));
    assert(consoleErrs.length === 0, `console errors: ${consoleErrs.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('bad inputs: bad link values are named with the values allowed, kept until dismissed; the rest of the link applies', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const failures = [];
  const slow = [];
  try {
    const p = await context.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longtasks.push({ start: e.startTime, dur: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    let first = true;
    let rows = 0;
    let checkMs = 0;
    for (const group of URL_GROUPS) {
      const bad = group.filter((r) => !r.good);
      rows += bad.length;
      const query = new URLSearchParams([...group, GOOD].map((r) => [r.key, r.text])).toString();
      const name = `?${query}`;
      const t = Date.now();
      await p.goto(`${BASE}?${query}`);
      // On load: the messages, and the page saying what it does (training the rest of the link, or waiting).
      const labels = bad.map((r) => r.label);
      const ok = await p.waitForFunction((labels) => {
        const msgs = [...document.querySelectorAll('#messages .msg.error')].map((e) => e.textContent);
        const status = document.getElementById('status').textContent;
        const stepped = Number(document.getElementById('step-count').textContent) > 0;
        return labels.every((l) => msgs.some((m) => m.includes(l))) && (stepped || /waiting/.test(status));
      }, labels, { timeout: 30000, polling: 100 }).then(() => true, () => false);
      const r = await p.evaluate((id) => ({
        msgs: [...document.querySelectorAll('#messages .msg.error')].map((e) => e.textContent),
        good: document.getElementById(id).value, status: document.getElementById('status').textContent,
        tasks: window.__longtasks,
        checks: performance.getEntriesByName('si:link-check').map((e) => e.duration) }), `set-${GOOD.key}`);
      const longest = Math.max(0, ...r.tasks.map((x) => x.dur));
      slow.push(longest);
      if (!ok) failures.push(`${name}: after ${((Date.now() - t) / 1000).toFixed(1)} s: status "${r.status}", messages ${r.msgs.join(' | ') || 'none'}`);
      for (const row of bad) {
        // The message of this value: its label and its text (a link's value is quoted as key=text).
        const msg = r.msgs.find((m) => m.includes(row.label) && (row.waits || m.includes(`${row.key}=${row.text}`)));
        if (!msg) failures.push(`${name}: no message about ${row.label} (${row.key}=${row.text})`);
        else if (!row.allowed.test(msg)) failures.push(`${name}: the message does not say what is allowed (${row.allowed}): ${msg}`);
      }
      if (r.good !== GOOD.text) failures.push(`${name}: the rest of the link (${GOOD.key}=${GOOD.text}) was not applied`);
      if (longest > LOAD_TASK_MS) failures.push(`${name}: a main-thread task of ${longest.toFixed(0)} ms`);
      // The page's own checks of the link (on load, and once the library's limits arrived) are quick.
      checkMs = Math.max(checkMs, ...r.checks);
      if (r.checks.length !== 2 || r.checks.some((ms) => ms > LONG_TASK_MS)) failures.push(`${name}: link checks took ${r.checks.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      if (first && ok) {
        // Kept until dismissed: still there once training runs and samples come, gone after ×.
        first = false;
        await waitData(p, 'sampleVersion', 'Number(v) >= 2', 30000);
        const count = () => p.$$eval('#messages .msg.error', (els) => els.length);
        const n = await count();
        if (n !== bad.length) failures.push(`${name}: ${n} messages left of ${bad.length}`);
        await p.click('#messages .msg.error button');
        if (await count() !== n - 1) failures.push(`${name}: a message could not be dismissed`);
      }
    }
    tableRows += rows;
    notes.push(`bad inputs in links: ${rows} rows in ${URL_GROUPS.length} links; the link's checks took at most ` +
      `${checkMs.toFixed(1)} ms; longest main-thread task per load (the page's start) ${Math.min(...slow).toFixed(0)}-` +
      `${Math.max(...slow).toFixed(0)} ms; table rows in all: ${tableRows}`);
    assert(errors.length === 0, `page errors: ${errors.join(' | ')}`);
    assert(failures.length === 0, `${failures.length} rows failed:\n${shorten(failures).join('\n')}`);
  } finally {
    await context.close();
  }
});

await test('the wasm heap does not grow over 20 restarts (models, sessions, exact fields deleted)', async () => {
  // Small runs with exact fields (Gaussian base, 8 Gaussians), each restart also after a config the library
  // refuses (the error path) and one the worker refuses.
  const a = await openPage('t=8gaussians&n=100&odesteps=10&sdesteps=10');
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 1', 60000);
    const stats = [];
    for (let i = 0; i < 20; i++) {
      const gen = Number(await data(p, 'gen'));
      const m = await p.evaluate(async ([gen, i]) => {
        const app = window.__siApp;
        const view = app.viewRequest();
        // Refused by the library (a one-sided path needs the base N(0, I)) now and then, and by the worker.
        if (i % 4 === 0) app.send({ type: 'configure', settings: { ...app.settings, bsd: 2 }, play: true, view });
        app.send({ type: 'configure', settings: { ...app.settings, depth: 1e9 }, play: true, view });
        document.getElementById('btn-reset').click();
        const wait = async (f) => { while (!f()) await new Promise((r) => setTimeout(r, 10)); };
        await wait(() => app.gen > gen);
        const count = app.memory?.count ?? 0;
        app.send({ type: 'memory' });
        await wait(() => (app.memory?.count ?? 0) > count);
        return app.memory;
      }, [gen, i]);
      stats.push(m);
    }
    const kb = (x) => `${(x / 1024).toFixed(0)} KB`;
    notes.push(`wasm heap over 20 restarts: allocated ${stats.map((m) => kb(m.allocated)).join(' ')}; heap ${kb(stats[0].heapSize)} -> ${kb(stats[19].heapSize)}`);
    // After the first restarts (one-time allocations), the same run holds the same memory: one run, or two
    // when the previous one (it had trained) is kept for an undo — never more.
    const show = stats.map((m) => `${m.allocated}${m.kept ? '+kept' : ''}`).join(', ');
    for (const kept of [false, true]) {
      const same = stats.slice(1).filter((m) => m.kept === kept);
      if (same.length < 2) continue;
      const base = Math.max(same[0].allocated, same[1].allocated);
      const grew = same.slice(2).filter((m) => m.allocated > base + 16 * 1024);
      assert(grew.length === 0, `allocated grew: ${show}`);
    }
    const single = stats.filter((m) => !m.kept).map((m) => m.allocated);
    const double = stats.filter((m) => m.kept).map((m) => m.allocated);
    if (single.length && double.length) assert(Math.max(...double) < 2.2 * Math.min(...single), `a kept run costs more than one run: ${show}`);
    assert(stats[19].heapSize === stats[2].heapSize, `the heap grew: ${stats.map((m) => m.heapSize).join(', ')}`);
    assert(stats[19].runs >= stats[0].runs + 19, 'restarts did not make new runs');
  } finally {
    await a.close();
  }
});

await test('a drawn target trains', async () => {
  const a = await openPage('t=points');
  try {
    const p = a.page;
    await p.waitForFunction(() => document.getElementById('messages').textContent.includes('draw at least'), null, { timeout: 30000 });
    assert(await p.isVisible('#panel-draw'), 'drawing pad not shown');
    await p.locator('#cv-draw').scrollIntoViewIfNeeded();
    const box = await p.locator('#cv-draw').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await p.mouse.move(cx + box.width * 0.3, cy);
    await p.mouse.down();
    for (let i = 0; i <= 80; i++) {
      const a2 = (2 * Math.PI * i) / 80;
      const r = box.width * 0.3 * (i < 40 ? 1 : 0.5);
      await p.mouse.move(cx + r * Math.cos(a2 * 2), cy + r * Math.sin(a2 * 2));
    }
    await p.mouse.up();
    const n = await num(p, '#draw-count');
    assert(n >= 10, `only ${n} points drawn`);
    assert(p.url().includes('tpts='), 'drawn points not in the URL');
    await p.waitForFunction(() => !document.getElementById('messages').textContent.includes('draw at least'), null, { timeout: 10000 });
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 20, null, { timeout: 60000 });
    await waitData(p, 'sampleStep', 'Number(v) > 0', 60000);
    const inked = await inkedPixels(p, '#cv-ode');
    assert(inked > 200, `ODE canvas shows too few sample pixels (${inked})`);
    await shot(p, '#panel-draw', 'drawn-pad');
    await shot(p, '#panel-samples', 'drawn-samples');
    const errs = await errorMessages(p);
    assert(errs.length === 0, `errors: ${errs.join(' | ')}`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

// One page per combination: it configures, trains and samples finite points with no message and no
// console error, and its samples reach the target (`goal`, checked by reaches()). `check` (optional)
// checks more of what the model achieves.
/** Energy distance between two 2-D point sets (flat x, y pairs), U-statistics for the inner terms (it can
 * dip slightly below 0). Computed here from the page's samples, apart from the worker's own figure. */
function energy(a, b) {
  const mean = (x, y, same) => {
    const nx = x.length / 2;
    const ny = y.length / 2;
    let s = 0;
    for (let i = 0; i < nx; i++) {
      for (let j = same ? i + 1 : 0; j < ny; j++) s += Math.hypot(x[2 * i] - y[2 * j], x[2 * i + 1] - y[2 * j + 1]);
    }
    return same ? (2 * s) / (nx * (nx - 1)) : s / (nx * ny);
  };
  return 2 * mean(a, b, false) - mean(a, a, true) - mean(b, b, true);
}
/** The page's current sample set with its quality against the page's target samples. */
async function quality(p) {
  const r = await p.evaluate(() => {
    const a = window.__siApp;
    const s = a.samples;
    return { version: a.sampleVersion, step: s.step, ode: Array.from(s.ode ?? []), sde: Array.from(s.sde ?? []),
      target: Array.from(a.target) };
  });
  return { version: r.version, step: r.step, edOde: energy(r.ode, r.target), edSde: r.sde.length ? energy(r.sde, r.target) : undefined,
    shareOde: shareOf(r.ode), shareSde: r.sde.length ? shareOf(r.sde) : undefined };
}
const meets = (q, g) => (g.ed ? q.edOde < g.ed[0] && (q.edSde === undefined || q.edSde < g.ed[1])
  : q.shareOde >= g.share[0] && q.shareSde >= g.share[1]);
const showQ = (q, g) => `${q.step}:` + (g.ed ? `${q.edOde.toFixed(3)}/${q.edSde?.toFixed(3) ?? '-'}` : `${pc(q.shareOde)}/${pc(q.shareSde)}`);
/** Waits for a sample set that meets the goal (training is noisy: one good set suffices; a broken model
 * never gets there) by step goal.by; returns it, or throws with every set seen. */
async function reaches(p, name, goal) {
  const seen = [];
  let version = 0;
  for (;;) {
    await p.waitForFunction((v) => Number(document.body.dataset.sampleVersion) > v && Number(document.body.dataset.sampleStep) > 0,
      version, { timeout: 40000, polling: 200 });
    const q = await quality(p);
    version = q.version;
    seen.push(showQ(q, goal));
    if (meets(q, goal)) {
      notes.push(`${name}: ${goal.ed ? 'energy distance ODE/SDE' : 'support share ODE/SDE'} at step ${seen.join(' ')}`);
      return q;
    }
    assert(q.step < goal.by, `${name}: no sample set with ${goal.ed ? `energy distance below ${goal.ed.join(' / ')}`
      : `support share at least ${goal.share.join(' / ')}`} (ODE / SDE) by step ${goal.by}: ${seen.join(' ')}`);
  }
}
async function trainedTo(p, step) {
  await p.waitForFunction((s) => Number(document.body.dataset.sampleStep) >= s, step, { timeout: 40000, polling: 200 });
  return p.evaluate(() => {
    const a = window.__siApp;
    const s = a.samples;
    const mid = s.odeSnaps.length >> 1;
    let j = 0;
    for (let i = 0; i < a.xt.times.length; i++) if (Math.abs(a.xt.times[i] - s.odeTimes[mid]) < Math.abs(a.xt.times[j] - s.odeTimes[mid])) j = i;
    return { step: s.step, metrics: s.metrics, tMid: s.odeTimes[mid], odeMid: Array.from(s.odeSnaps[mid]),
      xtMid: Array.from(a.xt.frames[j]), tXt: a.xt.times[j] };
  });
}
const CHECKS = {
  // A denoiser's score s = -eta/alpha is singular at t = 1: the model's own SDE policy (noise off after
  // t = 0.99) keeps the SDE on the target, and the page's samples are the package's.
  // "SDE noise off after" passes the package's epsUntil: the SDE alone is re-sampled, and is the package's.
  'b + eta': async (p) => {
    await samePackageSamples(p, 'b + eta');
    assert(await p.isVisible('#set-epsuntil'), '"SDE noise off after" not shown for a model with a score');
    const v = Number(await data(p, 'sampleVersion'));
    const ode = await canvasHash(p, '#cv-ode');
    await setInput(p, '#set-epsuntil', '0.9');
    await waitData(p, 'sampleVersion', `Number(v) > ${v}`, 20000);
    assert(p.url().includes('epsuntil=0.9'), `epsuntil not in the URL: ${p.url()}`);
    assert(await canvasHash(p, '#cv-ode') === ode, 'the ODE samples changed with an SDE option');
    await samePackageSamples(p, 'b + eta, noise off after 0.9');
  },
  // dopri5 and the Euler SDE: their frames (for the Trajectories view) come with the samples, which are
  // still the package's for the settings' options, asked without frames.
  'a-brownian, rings, dopri5 + euler SDE': async (p) => samePackageSamples(p, 'dopri5 + euler SDE'),
  'b only (ODE)': async (p) => {
    assert(!(await p.isVisible('#set-epsuntil')), '"SDE noise off after" shown for a model without a score');
  },
  // Mirror: rho0 = rho1 = the data. The ODE's end points sit on the data even untrained (b ~ 0); what is
  // learned shows in the middle of the path (untrained: ~99% of particles still on the support at t = 0.5,
  // x_0.5 itself ~66%) and in the SDE (measured with the package: 47% at step 0, 55% at 10, 64-77% at
  // 300-1500, 76-81% from 1500 to 3000).
  mirror: async (p) => {
    await reaches(p, 'mirror SDE', { share: [0.9, 0.72], by: 2500 });
    const r = await trainedTo(p, 1500);
    const mid = shareOf(r.odeMid);
    const xt = shareOf(r.xtMid);
    notes.push(`mirror at step ${r.step}: support share ODE ${pc(r.metrics.shareOde)}, SDE ${pc(r.metrics.shareSde)}; ` +
      `at t = ${r.tMid.toFixed(2)}: ODE particles ${pc(mid)}, x_t ${pc(xt)}`);
    assert(r.metrics.shareOde > 0.9, `mirror ODE samples left the data: ${r.metrics.shareOde}`);
    assert(mid < 0.85 && Math.abs(mid - xt) < 0.15, `mirror ODE particles at t = ${r.tMid}: ${mid} on the support, x_t ${xt}`);
  },
};
const pc = (v) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
// Goals, from what the package gives with the page's settings for this case (the page trains the same
// steps; which step a sample set shows depends on the machine's speed). Energy distance to 1000 target
// samples, ODE / SDE, untrained (step 0) -> worst of the sets at steps 300, 400, ..., 3000:
//   v + eta, moons 0.32 / 0.16 -> 0.046 / 0.063; b only, 8 Gaussians 0.65 -> 0.045; two-sided v + s,
//   8 Gaussians 0.65 / 0.33 -> 0.038 / 0.032; mixture -> 8 Gaussians 0.64 / 0.46 -> 0.059 / 0.071 (0.037 /
//   0.040 from step 600); trig, moons 0.32 / 0.15 -> 0.025 / 0.017; spirals 0.25 / 0.070 -> 0.027 / 0.030;
//   rings 0.22 / 0.055 -> 0.030 / 0.015; pinwheel 0.18 / 0.043 -> 0.016 / 0.018; swiss roll 0.43 / 0.19 ->
//   0.038 / 0.017; drawn sets 5.8 / 5.1 -> 0.050 / 0.027 (the median set scores 0.003-0.015).
// Checkerboard: share of samples on the support (chance, uniform on [-4, 4]^2: 50%), untrained 49% / 49%
// (33-44% after 10 steps) -> the sets from step 300 (from 1000):
//   b + eta (one-sided) ODE 68-83% (72-83%), SDE 67-95% (84-94%); v + s ODE the same, SDE 66-85% (75-85%);
//   two-sided b + eta ODE 72-83% (77-82%), SDE 63-83% (73-83%); encoding-decoding, mixture base ODE
//   56-75% (65-75%), SDE 62-82% (72-82%).
const SWEEP = [
  ['b + eta', 'fields=b%2Beta', { share: [0.7, 0.85], by: 2500 }],
  ['v + s', 'fields=v%2Bs', { share: [0.72, 0.72], by: 2500 }],
  ['v + eta', 'fields=v%2Beta&t=moons', { ed: [0.06, 0.05], by: 2500 }],
  ['b only (ODE)', 'fields=b&t=8gaussians', { ed: [0.06], by: 2500 }],
  ['mirror', 'path=mirror&fields=s&gamma=brownian', null],
  ['two-sided linear b + eta', 'path=linear&gamma=brownian&fields=b%2Beta', { share: [0.72, 0.7], by: 2500 }],
  ['two-sided linear v + s', 'path=linear&gamma=brownian&fields=v%2Bs&t=8gaussians', { ed: [0.06, 0.06], by: 2500 }],
  ['two-sided linear, mixture -> 8 Gaussians (exact fields)', 'b=random-gmm&path=linear&gamma=brownian&t=8gaussians',
    { ed: [0.06, 0.06], by: 2500 }],
  ['encoding-decoding (notebook 3, small net)', 'b=random-gmm&path=encoding-decoding&gamma=brownian',
    { share: [0.62, 0.66], by: 2500 }],
  ['trig + sigmoid gamma, silu', 'path=trig&gamma=sigmoid&t=moons&act=silu', { ed: [0.06, 0.05], by: 2500 }],
  ['one-sided-trig, tanh, spirals', 'path=one-sided-trig&t=spirals&act=tanh', { ed: [0.06, 0.025], by: 2500 }],
  ['a-brownian, rings, dopri5 + euler SDE', 'path=linear&gamma=a-brownian&ga=0.5&t=rings&sde=euler&ode=dopri5&tol=0.001',
    { ed: [0.06, 0.025], by: 2500 }],
  ['bsquared, pinwheel, rk4 + heun-karras', 't=pinwheel&path=linear&gamma=bsquared&sde=heun-karras&ode=rk4',
    { ed: [0.06, 0.02], by: 2500 }],
  ['sinesquared, swiss roll, euler, elu/softplus/leaky', 't=swissroll&path=linear&gamma=sinesquared&ode=euler&act=leaky_relu',
    { ed: [0.06, 0.05], by: 2500 }],
  ['drawn base and target', `b=points&t=points&path=linear&gamma=brownian&bpts=${pts(-2)}&tpts=${pts(2)}`,
    { ed: [0.1, 0.1], by: 2500 }],
];
function pts(cx) {
  const a = new Int16Array(40);
  for (let i = 0; i < 20; i++) {
    a[2 * i] = Math.round((cx + Math.cos(i) ) * 1000);
    a[2 * i + 1] = Math.round(Math.sin(i) * 1000);
  }
  return Buffer.from(a.buffer).toString('base64url');
}
// The default run takes the cases whose checks no other case has (the package's samples for the
// denoiser's score and for dopri5 + the Euler SDE, no SDE, the mirror, exact fields, drawn sets), so that
// the suite stays near 4 minutes on this 2-core machine; E2E_SWEEP=all runs every case (~3 minutes more).
const CORE = new Set(['b + eta', 'b only (ODE)', 'mirror', 'two-sided linear, mixture -> 8 Gaussians (exact fields)',
  'a-brownian, rings, dopri5 + euler SDE', 'drawn base and target']);
for (const [name, q, goal] of SWEEP.filter(([n]) => process.env.E2E_SWEEP === 'all' || CORE.has(n))) {
  await test(`trains and samples: ${name}`, async () => {
    const a = await openPage(q);
    try {
      const p = a.page;
      await p.waitForFunction(() => Number(document.body.dataset.sampleStep) > 0 ||
        document.querySelector('#messages .msg.error'), null, { timeout: 60000, polling: 200 });
      const errs = await errorMessages(p);
      assert(errs.length === 0, `messages: ${errs.join(' | ')}`);
      assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
      assert(await inkedPixels(p, '#cv-ode') > 100, 'no ODE samples drawn');
      const [odeBad, sdeBad] = (await data(p, 'nonFinite')).split(',');
      assert(odeBad === '0' && (sdeBad === '0' || (sdeBad === '' && name.includes('ODE'))),
        `non-finite samples (ODE ${odeBad}, SDE ${sdeBad || 'none'})`);
      if (goal) await reaches(p, name, goal);
      if (CHECKS[name]) await CHECKS[name](p);
      if (name.includes('exact')) {
        await p.waitForFunction(() => document.getElementById('field-err').textContent !== '', null, { timeout: 20000 });
        assert(await p.isVisible('#cv-exact'), 'exact field not shown');
        await shot(p, '#panel-field', 'field-exact');
        await shot(p, '#panel-samples', 'samples-8gaussians');
      }
      if (name === 'mirror') {
        await shot(p, '#panel-samples', 'samples-mirror');
        await setInput(p, '#traj-slider', 10);
        await shot(p, '#panel-traj', 'trajectories-mirror-t0.5');
      }
      if (name.startsWith('encoding')) await shot(p, '#panel-traj', 'trajectories-encoding-decoding');
    } finally {
      await a.close();
    }
  });
}

await test('a run that blows up to NaN stops cleanly with a message', async () => {
  const a = await openPage('lr=1000000');
  try {
    const p = a.page;
    await p.waitForFunction(() => /NaN/.test(document.getElementById('messages').textContent), null, { timeout: 30000 });
    await waitData(p, 'running', 'v === "0"', 10000);
    await waitData(p, 'sampleVersion', 'Number(v) >= 1', 20000);
    const step = await num(p, '#step-count');
    assert(step >= 1, 'the steps before the blow-up were lost');
    assert(/error/.test(await p.$eval('#status', (e) => e.textContent)), 'status does not say it stopped on an error');
    notes.push(`NaN message: ${(await errorMessages(p)).join(' | ')}`);
    await shot(p, '#messages', 'nan-message');
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('a bad setting shows a message and keeps the model', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 0, null, { timeout: 30000 });
    await waitData(p, 'sampleVersion', 'Number(v) >= 2', 30000);
    const gen = await data(p, 'gen');
    // A value out of the control's range: the page refuses it before anything is built; the model trains on.
    await setInput(p, '#set-lr', -1);
    await p.waitForFunction(() => /learning rate/.test(document.querySelector('#messages .msg.error')?.textContent ?? ''), null, { timeout: 5000 });
    const msg = (await errorMessages(p)).join(' | ');
    assert(/allowed: a number from/.test(msg), `the message does not say what is allowed: ${msg}`);
    assert(await p.$eval('#set-lr', (el) => el.value) === '0.005', 'the control does not show the learning rate in use');
    const s0 = await num(p, '#step-count');
    await p.waitForFunction((s) => Number(document.getElementById('step-count').textContent) > s, s0, { timeout: 10000 });
    assert(await data(p, 'running') === '1' && await data(p, 'gen') === gen, 'the run stopped or was replaced');
    await shot(p, null, 'bad-setting');
    // A value the library refuses (a one-sided path needs a standard normal base): the run pauses, kept.
    await setInput(p, '#set-bsd', 2);
    await p.waitForFunction(() => /base/i.test(document.querySelector('#messages .msg.error:last-child')?.textContent ?? ''), null, { timeout: 15000 });
    await waitData(p, 'running', 'v === "0"', 10000);
    assert(await num(p, '#step-count') > 0, 'step counter reset: the old model was lost');
    assert(await data(p, 'gen') === gen, 'a new run replaced the old one despite the bad setting');
    assert(/bad settings/.test(await p.$eval('#status', (e) => e.textContent)), 'the status does not say why it paused');
    notes.push(`bad-setting messages: ${msg} | ${(await errorMessages(p)).join(' | ')}`);
    // Choosing a non-Gaussian base switches a one-sided path to a two-sided one, and says so.
    await setInput(p, '#set-bsd', 1);
    await setInput(p, '#set-b', 'moons');
    await p.waitForFunction(() => document.getElementById('set-path').value === 'linear', null, { timeout: 5000 });
    await p.waitForFunction(() => /switched the path/.test(document.getElementById('messages').textContent), null, { timeout: 5000 });
    await waitData(p, 'running', 'v === "1"', 20000);
    const pageErrs = a.errors.filter((e) => !/lr|base/i.test(e));
    assert(pageErrs.length === 0, `console errors: ${pageErrs.join(' | ')}`);
  } finally {
    await a.close();
  }
});

// ---------------------------------------------------------------- a newcomer's page (issue 9)
const stepOf = (p) => num(p, '#step-count');
/** Records every text the status shows from now on (to catch a flicker). */
async function watchStatus(p) {
  await p.evaluate(() => {
    window.__status = [];
    new MutationObserver(() => window.__status.push(document.getElementById('status').textContent))
      .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
  });
}

await test('newcomer: raising "stop at step" goes on from the step reached, with the same model', async () => {
  const a = await openPage('steps=300');
  try {
    const p = a.page;
    await p.waitForFunction(() => /done/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
    const gen = await data(p, 'gen');
    assert(await stepOf(p) === 300, `stopped at ${await stepOf(p)}`);
    // Play at the limit says what to do...
    await p.click('#btn-play');
    await p.waitForFunction(() => /step limit/.test(document.getElementById('messages').textContent), null, { timeout: 5000 });
    // ...and doing it continues the run: the same model, from step 300, the message gone.
    await setInput(p, '#set-steps', 5000);
    const seen = [];
    for (let i = 0; i < 20 && (seen.at(-1) ?? 0) < 400; i++) {
      seen.push(await stepOf(p));
      await p.waitForTimeout(250);
    }
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) >= 400, null, { timeout: 30000 });
    assert(Math.min(...seen) >= 300, `the step count went back: ${seen.join(', ')}`);
    assert(await data(p, 'gen') === gen, 'a new run replaced the trained one');
    assert(!/step limit/.test(await p.$eval('#messages', (e) => e.textContent)), 'the step-limit message stayed');
    // A learning rate applied to the running model: the same run goes on, the header shows it.
    await setInput(p, '#set-lr', 0.001);
    await p.waitForFunction(() => document.getElementById('lr').textContent === '1.0e-3', null, { timeout: 10000 });
    assert(await data(p, 'gen') === gen, 'the learning rate replaced the run');
    // A lower limit than the steps to come stops the same run there.
    const stop = (await stepOf(p)) + 150;
    await setInput(p, '#set-steps', stop);
    await p.waitForFunction(() => /done/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
    assert(await stepOf(p) === stop, `stopped at ${await stepOf(p)}, not ${stop}`);
    assert(await data(p, 'gen') === gen, 'the lower limit replaced the run');
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('newcomer: a new network after training is announced with an undo that brings the trained one back', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) >= 300, null, { timeout: 60000 });
    await watchStatus(p);
    await setInput(p, '#set-width', 32);
    await p.waitForFunction(() => /new network/.test(document.getElementById('messages').textContent), null, { timeout: 15000 });
    const msg = await p.$eval('#messages', (e) => e.textContent);
    assert(/width 64 → 32/.test(msg) && /trained \d+ steps/.test(msg), `the message does not say what changed: ${msg}`);
    const statuses = await p.evaluate(() => window.__status);
    assert(!statuses.includes('paused'), `the status flickered through "paused": ${statuses.join(' > ')}`);
    const trained = Number(/trained (\d+) steps/.exec(msg)[1]);
    assert(trained >= 300, `it says ${trained} steps`);
    await p.click('#messages button.msg-action');
    await p.waitForFunction(() => /previous run is back/.test(document.getElementById('messages').textContent), null, { timeout: 15000 });
    assert(await p.$eval('#set-width', (e) => e.value) === '64', 'the width control does not show the restored run');
    assert(await stepOf(p) >= trained, `step ${await stepOf(p)} after undo, the run had ${trained}`);
    assert(!/width=32/.test(await p.evaluate(() => location.search)), 'the link still has the undone width');
    await p.click('#btn-play');
    await p.waitForFunction((s) => Number(document.getElementById('step-count').textContent) > s, trained, { timeout: 20000 });
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('newcomer: every control says whether it starts a new network; speed is not stale after pause', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await p.waitForFunction(() => Number(document.getElementById('sps').textContent) > 0, null, { timeout: 60000 });
    const rows = await p.$$eval('#settings label.setting', (els) => els.map((e) => ({
      id: e.querySelector('input,select').id, restart: e.classList.contains('restart'), title: e.title })));
    const restart = rows.filter((r) => r.restart).map((r) => r.id);
    for (const id of ['set-b', 'set-t', 'set-path', 'set-gamma', 'set-fields', 'set-width', 'set-depth', 'set-act', 'set-seed'])
      assert(restart.includes(id), `${id} is not marked as starting a new network`);
    for (const id of ['set-lr', 'set-steps', 'set-batch', 'set-clip', 'set-sched', 'set-n', 'set-odesteps'])
      assert(!restart.includes(id), `${id} is marked as starting a new network`);
    const untold = rows.filter((r) => !/new network|running model/.test(r.title)).map((r) => r.id);
    assert(untold.length === 0, `controls whose help does not say what a change does: ${untold.join(', ')}`);
    await p.click('#btn-play');
    await waitData(p, 'running', 'v === "0"', 10000);
    assert(await p.$eval('#sps', (e) => e.textContent) === '–', 'steps/s still shows a speed while paused');
  } finally {
    await a.close();
  }
});

await test('newcomer: a score with no noise (linear path, γ zero) is explained before training, by the labels', async () => {
  const a = await openPage('path=linear&gamma=zero');
  try {
    const p = a.page;
    await p.waitForFunction(() => /no noise/.test(document.getElementById('messages').textContent), null, { timeout: 30000 });
    const msg = (await errorMessages(p)).join(' | ');
    assert(/learned fields "b \+ s"/.test(msg) && /γ\(t\)/.test(msg) && /b only/.test(msg), `message: ${msg}`);
    assert(!/learning rate|NaN/.test(msg), `the advice is wrong: ${msg}`);
    await p.waitForTimeout(1500);
    assert(await stepOf(p) === 0, 'it trained anyway');
    // Following the advice starts the run.
    await setInput(p, '#set-gamma', 'brownian');
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 0, null, { timeout: 30000 });
  } finally {
    await a.close();
  }
});

await test('newcomer: a notebook preset states its time here and offers the browser-sized run', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await waitData(p, 'gen', 'Number(v) >= 1', 30000);
    await p.selectOption('#preset', 'checker-with-score');
    await p.waitForFunction(() => document.getElementById('set-width').value === '256', null, { timeout: 5000 });
    const fits = await p.$eval('#preset', (sel) => {
      const c = document.createElement('canvas').getContext('2d');
      c.font = getComputedStyle(sel).font;
      return [...sel.options].filter((o) => c.measureText(o.text).width > sel.clientWidth - 24).map((o) => o.text);
    });
    assert(fits.length === 0, `preset names cut off in the menu: ${fits.join(' | ')}`);
    await p.waitForSelector('#preset-time', { timeout: 90000 });
    const note = await p.$eval('#preset-note', (e) => e.textContent);
    notes.push(`notebook preset here: ${note}`);
    assert(/about \d+ (s|min|h)/.test(note) && /7,000 steps/.test(note), `no time: ${note}`);
    assert(/si train --config configs\/checker-with-score\.json/.test(note), `no native recipe: ${note}`);
    const gen = Number(await data(p, 'gen'));
    await p.click('#btn-preset-small');
    await p.waitForFunction(() => document.getElementById('set-width').value === '64', null, { timeout: 5000 });
    assert(!await p.$('#preset-time'), 'the note shows a time before the run began');
    await waitData(p, 'gen', `Number(v) > ${gen}`, 30000);
    assert(await p.$eval('#set-steps', (e) => e.value) === '6000', 'the browser-sized run has another step count');
    await p.waitForSelector('#preset-time', { timeout: 30000 });
    const small = await p.$eval('#preset-note', (e) => e.textContent);
    const sps = Number(/at ([\d.]+) steps\/s/.exec(small)?.[1]);
    assert(sps > 20, `the browser-sized run's note shows ${sps} steps/s (the notebook's speed?): ${small}`);
    notes.push(`browser-sized preset here: ${small}`);
    await shot(p, '#controls', 'preset-note');
  } finally {
    await a.close();
  }
});

async function openPhone(query = '') {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(BASE + (query ? `?${query}` : ''));
  return { page, errors, close: () => context.close() };
}

await test('newcomer: on a 390 px phone the views come first, the settings are a drawer, nothing overflows', async () => {
  const a = await openPhone();
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 2', 60000);
    const box = await p.evaluate(() => {
      const r = (el) => el.getBoundingClientRect();
      return {
        ode: r(document.getElementById('cv-ode')).bottom, headerPos: getComputedStyle(document.querySelector('header')).position,
        drawer: getComputedStyle(document.getElementById('controls')).visibility, doc: document.documentElement.scrollWidth,
        win: innerWidth, table: r(document.querySelector('.metrics')).right,
        chart: document.querySelector('#chart-loss canvas')?.getBoundingClientRect().width ?? 0,
      };
    });
    assert(box.ode <= 844, `the ODE samples end at ${box.ode} px, below the fold (844)`);
    assert(box.headerPos !== 'sticky' && box.headerPos !== 'fixed', `the header stays on screen (${box.headerPos})`);
    assert(box.drawer === 'hidden', 'the settings are not folded away');
    assert(box.doc <= box.win, `the page is ${box.doc} px wide in a ${box.win} px screen`);
    assert(box.table <= box.win, `the metrics table ends at ${box.table} px`);
    assert(box.chart >= 300, `the loss chart is ${box.chart} px wide`);
    await shot(p, null, 'phone-page');
    // The drawer opens, takes a setting and closes.
    await p.tap('#btn-drawer');
    await p.waitForFunction(() => getComputedStyle(document.getElementById('controls')).visibility === 'visible', null, { timeout: 3000 });
    await shot(p, null, 'phone-drawer');
    const gen = await data(p, 'gen');
    await setInput(p, '#set-lr', 0.002);
    await p.tap('#btn-drawer-close');
    await p.waitForFunction(() => getComputedStyle(document.getElementById('controls')).visibility === 'hidden', null, { timeout: 3000 });
    assert(await data(p, 'gen') === gen, 'a learning rate from the drawer restarted the run');
    assert(/lr=0\.002/.test(await p.evaluate(() => location.search)), 'the drawer\'s setting did not apply');
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('newcomer: "Start here" walks through the views in order; the particles flow by themselves', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 1', 60000);
    // The animation plays without a click.
    const t1 = await p.$eval('#traj-slider', (e) => e.value);
    await p.waitForFunction((v) => document.getElementById('traj-slider').value !== v, t1, { timeout: 3000 });
    const inView = (id) => p.evaluate((i) => { const r = document.getElementById(i).getBoundingClientRect(); return r.top >= -2 && r.top < innerHeight / 2; }, id);
    for (const [stop, panel] of [['xt', 'panel-path'], ['flow', 'panel-traj'], ['odesde', 'panel-samples'], ['noise', 'panel-samples']]) {
      await p.click(`[data-start="${stop}"]`);
      await p.waitForTimeout(200);
      assert(await inView(panel), `"${stop}" did not bring ${panel} into view`);
      const text = await p.$eval('#start-text', (e) => e.textContent);
      assert(text.length > 60, `"${stop}" says too little: ${text}`);
    }
    assert(await p.evaluate(() => document.activeElement?.id) === 'eps-slider', 'the noise stop does not hand over the ε slider');
    await p.click('[data-start="draw"]');
    await p.waitForFunction(() => !document.getElementById('panel-draw').hidden, null, { timeout: 5000 });
    await p.waitForTimeout(300);
    assert(await inView('panel-draw'), 'the drawing pad is not in view');
    assert(await p.$eval('#set-t', (e) => e.value) === 'points', 'the target is not the drawn points');
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('newcomer: every control has help that a touch screen can open; long computations say so', async () => {
  const a = await openPage();
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 1', 60000);
    const missing = await p.$$eval('#settings label.setting', (rows) => rows.filter((r) => !r.querySelector('button.help-btn')).map((r) => r.textContent));
    assert(missing.length === 0, `controls without a help button: ${missing.join(', ')}`);
    const helps = await p.$$eval('#settings label.setting', (rows) => rows.map((r) => {
      r.querySelector('button.help-btn').click();
      const t = r.querySelector('.help-text');
      return { name: r.querySelector('span').textContent, shown: !t.hidden, len: t.textContent.length };
    }));
    const poor = helps.filter((h) => !h.shown || h.len < 40).map((h) => h.name);
    assert(poor.length === 0, `help missing or too short: ${poor.join(', ')}`);
    // A slow re-sample (5,000 ODE steps) says what the worker is doing, then clears. What it says is
    // recorded as it changes (the text itself shows only after 300 ms, so a fast machine may skip it).
    await p.evaluate(() => {
      window.__busy = [];
      new MutationObserver(() => window.__busy.push(document.body.dataset.busy ?? ''))
        .observe(document.body, { attributes: true, attributeFilter: ['data-busy'] });
    });
    await setInput(p, '#set-odesteps', 5000);
    await p.waitForFunction(() => window.__busy.some((b) => /sampling/.test(b)), null, { timeout: 20000 });
    await p.waitForFunction(() => window.__busy.at(-1) === '' && document.getElementById('busy').textContent === '', null,
      { timeout: 120000 });
  } finally {
    await a.close();
  }
});

await test('newcomer: a blown-up run (learning rate 10) says why the sample plots look empty, not "b only"', async () => {
  const a = await openPage('lr=10');
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 2', 60000);
    await p.waitForTimeout(1000);
    const [ode, sde] = await p.evaluate(() => ['cv-ode', 'cv-sde'].map((id) => document.getElementById(id).dataset.note ?? ''));
    notes.push(`learning rate 10: ODE plot "${ode}", SDE plot "${sde}"; messages: ${(await errorMessages(p)).join(' | ').slice(0, 300)}`);
    assert(!/b only/.test(sde), `the SDE plot claims the model has no score: ${sde}`);
    for (const [id, text] of [['#cv-ode', ode], ['#cv-sde', sde]]) {
      if (await inkedPixels(p, id) < 100) assert(/NaN|off the plot|failed/.test(text), `${id} looks empty and says only "${text}"`);
    }
  } finally {
    await a.close();
  }
});

await test('newcomer: every canvas has an aria-label that says what it shows, with its numbers where it has them', async () => {
  const a = await openPage('t=8gaussians');
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 2', 60000);
    await p.waitForTimeout(1500);
    const bad = await p.$$eval('canvas', (cs) => cs.filter((c) => c.offsetParent !== null)
      .filter((c) => (c.getAttribute('aria-label') ?? '').length < 15).map((c) => c.id || c.parentElement.id || c.className));
    assert(bad.length === 0, `canvases without a telling aria-label: ${bad.join(', ')}`);
    const ode = await p.$eval('#cv-ode', (c) => c.getAttribute('aria-label'));
    assert(/\d/.test(ode), `the ODE samples' label has no numbers: ${ode}`);
    notes.push(`aria-label of the ODE samples: ${ode}`);
  } finally {
    await a.close();
  }
});

// ---------------------------------------------------------------- the Figures view (SPEC section 10)
const FIGURES = ['densities', 'trajectories', 'linear-gamma', 'gmm-likelihood'];
/** Runs fn(page, opened) on a fresh page of the Figures view, then closes it. */
async function withFigure(query, fn, viewport) {
  const a = await openPage(`view=figures&${query}`);
  try {
    if (viewport) await a.page.setViewportSize(viewport);
    await fn(a.page, a);
  } finally {
    await a.close();
  }
}
const figureVersion = (p) => p.evaluate(() => Number(document.body.dataset.figureVersion ?? 0));
async function figureDrawn(p, kind, after = 0) {
  await p.waitForFunction(([k, v]) => document.body.dataset.figure === k && Number(document.body.dataset.figureVersion) > v,
    [kind, after], { timeout: 120000, polling: 200 });
}

await test('figures: each figure renders with no console error (desktop and phone screenshots)', async () => {
  for (const kind of FIGURES) {
    for (const [name, viewport] of [['desktop', { width: 1400, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      await withFigure(`fig=${kind}`, async (page, a) => {
        await figureDrawn(page, kind);
        const canvases = await a.page.$$eval('#fig-canvas canvas', (els) => els.length);
        const expected = { densities: 14, trajectories: 9, 'linear-gamma': 18, 'gmm-likelihood': 4 }[kind];
        assert(canvases === expected, `${kind}: ${canvases} panels, expected ${expected}`);
        const ink = await inkedPixels(a.page, '#fig-canvas canvas');
        assert(ink > 100, `${kind}: the first panel is blank (${ink} coloured pixels)`);
        const errs = await errorMessages(a.page);
        assert(errs.length === 0, `${kind}: messages ${errs.join(' | ')}`);
        assert(a.errors.length === 0, `${kind}: console errors ${a.errors.join(' | ')}`);
        // The page's start has long tasks of its own (see the link tests); from the first drawing step on,
        // none may block the page for long: the figure is computed in the worker and drawn step by step.
        const tasks = await page.evaluate(() => {
          const from = performance.getEntriesByName('si:figure-step')[0]?.startTime ?? 0;
          return window.__longtasks.filter((t) => t.dur > 1500 || (t.start >= from && t.dur > 200));
        });
        assert(tasks.length === 0, `${kind}: main thread blocked ${tasks.map((t) => Math.round(t.dur)).join(', ')} ms`);
        await shot(page, null, `figure-${kind}-${name}`);
      }, viewport);
    }
  }
});

await test('figures: the eps slider of figure B recomputes and changes the paths', async () => {
  await withFigure('fig=trajectories&paths=400', async (p, a) => {
    await figureDrawn(p, 'trajectories');
    const sel = '#fig-canvas .fig-row:nth-of-type(2) canvas';
    const before = await canvasHash(p, sel);
    const paths0 = await p.evaluate(() => Array.from(window.__siApp.figures.last.result.panels[3].paths.slice(0, 400)));
    const ode0 = await p.evaluate(() => Array.from(window.__siApp.figures.last.result.panels[0].paths.slice(0, 400)));
    const v = await figureVersion(p);
    await setInput(p, '#fig-eps', 3);
    await figureDrawn(p, 'trajectories', v);
    const after = await canvasHash(p, sel);
    const last = await p.evaluate(() => {
      const r = window.__siApp.figures.last.result;
      return { eps: r.panels[3].eps, paths: Array.from(r.panels[3].paths.slice(0, 400)), odeEps: r.panels[0].eps };
    });
    assert(last.eps === 3 && last.odeEps === 0, `rows' eps ${last.odeEps}, ${last.eps}`);
    const kept = await p.evaluate(() => window.__siApp.figures.last.result.panels[0].paths.slice(0, 400));
    assert(Object.values(kept).every((x, i) => x === ode0[i]), 'the ODE row changed with the SDE row\'s eps');
    assert(after !== before, 'the middle row did not change on screen');
    assert(last.paths.some((x, i) => Math.abs(x - paths0[i]) > 1e-6), 'the paths did not change');
    assert(/eps=3/.test(p.url()), `the link does not keep eps: ${p.url()}`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  });
});

await test('figures: a figure URL opens that figure with its parameters', async () => {
  await withFigure('fig=linear-gamma&eps=2.5&paths=700&bins=40', async (p) => {
    await figureDrawn(p, 'linear-gamma');
    const got = await p.evaluate(() => {
      const r = window.__siApp.figures.last.result;
      return { eps: r.panels[0].eps, n: r.panels[0].nPaths, bins: r.panels[0].marginals[0].density.length,
               tab: document.querySelector('#fig-tabs .active')?.dataset.fig, shown: document.getElementById('fig-paths').value };
    });
    assert(got.eps === 2.5 && got.n === 700 && got.bins === 40, `figure C from the link: ${JSON.stringify(got)}`);
    assert(got.tab === 'linear-gamma' && got.shown === '700', `controls: ${JSON.stringify(got)}`);
    // Export: the figure's numbers as CSV (paths and histograms) and its panels as one PNG.
    const [csv] = await Promise.all([p.waitForEvent('download'), p.click('#btn-fig-csv')]);
    await csv.saveAs(path.join(artifacts, 'figure-linear-gamma.csv'));
    const lines = readFileSync(path.join(artifacts, 'figure-linear-gamma.csv'), 'utf8').split('\n');
    const hist = lines.indexOf('row,eps,interpolant,t,bin_lo,bin_hi,density,exact,ks,p_value');
    assert(lines[0] === 'eps,interpolant,path,t,x' && hist > 0 && lines.length - hist > 3 * 5 * 40,
      `figure CSV: ${lines.length} lines, histograms from ${hist}`);
    const [png] = await Promise.all([p.waitForEvent('download'), p.click('#btn-fig-png')]);
    await png.saveAs(path.join(artifacts, 'download-figure-linear-gamma.png'));
    const bytes = readFileSync(path.join(artifacts, 'download-figure-linear-gamma.png'));
    assert(bytes.subarray(1, 4).toString() === 'PNG' && bytes.readUInt32BE(16) > 900, `figure PNG: ${bytes.length} bytes`);
  });
});

await test('figures: a bad value shows a message naming the control and the values allowed', async () => {
  await withFigure('fig=densities&xmin=abc', async (p) => {
    await figureDrawn(p, 'densities');
    let errs = await errorMessages(p);
    assert(errs.some((e) => /x from .*allowed a number from -1000 to 1000/.test(e)), `link: ${errs.join(' | ')}`);
    const v = await figureVersion(p);
    await setInput(p, '#fig-rho0', '1/2 N(0, 1) + N(1, 1)');
    await p.waitForFunction(() => document.querySelectorAll('#messages .msg.error').length > 0 &&
      /base ρ₀/.test(document.getElementById('messages').textContent), null, { timeout: 30000 });
    errs = await errorMessages(p);
    assert(errs.some((e) => /base ρ₀: .*give every component a weight.*kept "1\/2 N\(-3, 0.25\)/.test(e)), `mixture: ${errs.join(' | ')}`);
    const kept = await p.evaluate(() => [document.getElementById('fig-rho0').value, location.search]);
    assert(kept[0].startsWith('1/2 N(-3') && !kept[1].includes('rho0'), `the refused mixture stayed: ${kept}`);
    await setInput(p, '#fig-i2', 'alpha = cos(pi*t/2; beta = t');
    await p.waitForFunction(() => /row 2/.test(document.getElementById('messages').textContent), null, { timeout: 30000 });
    await p.click('#fig-tabs [data-fig="trajectories"]');
    await figureDrawn(p, 'trajectories', v);
    await setInput(p, '#fig-paths', '-5');
    errs = await errorMessages(p);
    assert(errs.some((e) => /paths: "-5" .*allowed an integer from 1 to 10000/.test(e)), `paths: ${errs.join(' | ')}`);
    await shot(p, null, 'figure-bad-value');
  });
});

// ---------------------------------------------------------------- charts, fields, drawing (issue 9, items 7-9)
// E2E_ONLY=charts runs these alone. Each opens its own page; screenshots go to artifacts/e2e/ at 1400 x 900
// (desktop) and 390 x 844 (phone, touch).
async function openAt(query, { width = 1400, height = 900, touch = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, hasTouch: touch,
    isMobile: touch, deviceScaleFactor: touch ? 2 : 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(BASE + (query ? `?${query}` : ''));
  return { page, context, errors, close: () => context.close() };
}
/** The most frequent strongly coloured pixel of a canvas (as 'r,g,b') and how many such pixels it has. */
function dominantColour(page, sel) {
  return page.$eval(sel, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const counts = new Map();
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const mx = Math.max(d[i], d[i + 1], d[i + 2]);
      const mn = Math.min(d[i], d[i + 1], d[i + 2]);
      if (mx - mn < 60) continue;
      n++;
      const k = `${d[i]},${d[i + 1]},${d[i + 2]}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let best = '';
    for (const [k, v] of counts) if (!best || v > counts.get(best)) best = k;
    return { colour: best, n };
  });
}
/** The mean direction, away from white, of a canvas's coloured pixels: ink of one colour c blended onto
 * white at any strength lies along (255 - c). Returns the cosine with that direction for colour 'r,g,b'. */
function inkMatches(page, sel, colour) {
  return page.$eval(sel, (c, col) => {
    const want = col.split(',').map((v) => 255 - Number(v));
    const norm = Math.hypot(...want);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) {
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) < 40) continue;
      const v = [255 - d[i], 255 - d[i + 1], 255 - d[i + 2]];
      const m = Math.hypot(...v);
      for (let k = 0; k < 3; k++) sum[k] += v[k] / m;
    }
    const m = Math.hypot(...sum);
    return m ? (sum[0] * want[0] + sum[1] * want[1] + sum[2] * want[2]) / (m * norm) : 0;
  }, colour);
}
const rgbOf = (cssColour) => cssColour.replace(/rgba?\(|\)|\s/g, '').split(',').slice(0, 3).join(',');
/** Every chart of the Training and Interpolant panels: its uPlot axes and series, and its DOM legend. */
function chartsOnPage(page) {
  return page.evaluate(() => {
    const v = window.__siApp.views;
    const out = {};
    for (const key of ['lossChart', 'nllChart', 'qualityChart', 'coeffChart']) {
      const u = v[key].plot;
      const root = u.root.parentElement;
      out[key] = {
        shown: root.offsetParent !== null,
        axes: u.axes.map((a) => ({ label: a.label ?? '', scale: a.scale, side: a.side })),
        series: u.series.slice(1).map((s) => ({ label: s.label, stroke: typeof s.stroke === 'function' ? s.stroke(u, 1) : s.stroke,
          dashed: !!(s.dash && s.dash.length), scale: s.scale })),
        legend: Array.from(root.querySelectorAll('.chart-legend .entry')).map((e) => {
          const line = e.querySelector('svg line');
          return { label: e.dataset.label, text: e.textContent, stroke: line?.getAttribute('stroke'),
            dashed: !!line?.getAttribute('stroke-dasharray') };
        }),
        aria: u.root.querySelector('canvas')?.getAttribute('aria-label') ?? '',
      };
    }
    return out;
  });
}
/** Touch drag through these CSS-pixel points (Chromium's touch events, as a finger sends them). */
async function touchDrag(page, points) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: points[0][0], y: points[0][1] }] });
  for (const [x, y] of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}
const circle = (box, r, k = 40) => Array.from({ length: k + 1 }, (_, i) => [box.x + box.width / 2 + r * box.width * Math.cos((2 * Math.PI * i) / k),
  box.y + box.height / 2 + r * box.height * Math.sin((2 * Math.PI * i) / k)]);

await test('charts: every chart has labelled axes and a legend whose entries match its marks; one colour per concept; the PNG carries them', async () => {
  const a = await openAt('');
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 2', 60000);
    const charts = await chartsOnPage(p);
    for (const [key, c] of Object.entries(charts)) {
      assert(c.axes.length >= 2, `${key}: ${c.axes.length} axes`);
      for (const ax of c.axes) assert(ax.label.trim().length > 0, `${key}: an axis without a label (${JSON.stringify(c.axes)})`);
      assert(c.legend.length === c.series.length, `${key}: legend has ${c.legend.length} entries for ${c.series.length} series`);
      c.series.forEach((s, i) => {
        const e = c.legend[i];
        assert(e.label === s.label && rgbOf(e.stroke ?? '') === rgbOf(s.stroke) && e.dashed === s.dashed,
          `${key}: legend entry ${JSON.stringify(e)} does not match the series ${JSON.stringify(s)}`);
      });
      // The canvas's text names every series (with its latest value once it has one).
      assert(c.series.every((s) => c.aria.includes(s.label)), `${key}: canvas aria-label "${c.aria}"`);
    }
    assert(charts.lossChart.axes[0].label === 'training step' && /loss/.test(charts.lossChart.axes[1].label), 'loss chart axes');
    assert(/ -?\d+\.\d+ at training step \d+/.test(charts.lossChart.aria), `loss chart text without its values: "${charts.lossChart.aria}"`);
    // Two y axes on the quality chart (checkerboard): both labelled, and the series of each told apart by the dash.
    const q = charts.qualityChart;
    assert(q.axes.filter((x) => x.scale !== 'x').length === 2, `quality chart y axes: ${JSON.stringify(q.axes)}`);
    const dashOf = (scale) => new Set(q.series.filter((s) => (s.scale ?? 'y') === scale).map((s) => s.dashed));
    assert(dashOf('y').size === 1 && dashOf('%').size === 1 && [...dashOf('y')][0] !== [...dashOf('%')][0],
      `the two axes' series are not told apart by their marks: ${JSON.stringify(q.series)}`);
    // One colour per concept: the ODE's (and the SDE's) in every chart and on the sample canvases.
    const colour = (chart, label) => rgbOf(charts[chart].series.find((s) => s.label === label).stroke);
    const ode = colour('qualityChart', 'energy ODE');
    const sde = colour('qualityChart', 'energy SDE');
    assert(ode !== sde && colour('qualityChart', 'support ODE') === ode && colour('qualityChart', 'support SDE') === sde &&
      colour('nllChart', 'model') === ode, `ODE/SDE colours differ between charts: ${JSON.stringify(charts.qualityChart.series)}`);
    for (const [sel, want] of [['#cv-ode', ode], ['#cv-sde', sde], ['#cv-traj', ode]]) {
      const cos = await inkMatches(p, sel, want);
      assert(cos > 0.995, `${sel} not drawn in the colour ${want} of the charts (cosine ${cos.toFixed(4)})`);
    }
    const lossColours = charts.lossChart.series.map((s) => rgbOf(s.stroke));
    const coeffColours = charts.coeffChart.series.map((s) => rgbOf(s.stroke));
    const all = [ode, sde, ...lossColours, ...coeffColours];
    assert(new Set(all).size === all.length, `a colour means two things: ${all.join(' | ')}`);
    // The exported PNG: title and caption above, the charts' titles and legends with them.
    const size = await p.evaluate(() => {
      const els = Array.from(document.querySelectorAll('#panel-training canvas, #panel-training .chart-legend, #panel-training .u-title'));
      const r = els.map((e) => e.getBoundingClientRect());
      return { w: Math.max(...r.map((x) => x.right)) - Math.min(...r.map((x) => x.left)),
        h: Math.max(...r.map((x) => x.bottom)) - Math.min(...r.map((x) => x.top)) };
    });
    const [png] = await Promise.all([p.waitForEvent('download'), p.click('#panel-training .png')]);
    const file = path.join(artifacts, 'download-training.png');
    await png.saveAs(file);
    const bytes = readFileSync(file);
    const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    const k = w / (size.w + 20);
    assert(h / k >= size.h + 40, `the PNG (${w}x${h}) has no room for the title, caption and legends (${JSON.stringify(size)})`);
    await shot(p, '#panel-training', 'training-desktop');
    await shot(p, '#panel-path', 'interpolant-desktop');
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('charts: the density heatmaps have colour bars with their values (linear and log)', async () => {
  const a = await openAt('');
  try {
    const p = a.page;
    await waitData(p, 'sampleVersion', 'Number(v) >= 1', 60000);
    await p.click('#btn-density');
    await p.waitForFunction(() => window.__siApp.lastDensity, null, { timeout: 60000 });
    await p.waitForTimeout(300);
    const bars = await p.evaluate(() => ['cv-density-bar', 'cv-density-log-bar'].map((id) => {
      const c = document.getElementById(id);
      return c && { shown: c.offsetParent !== null, lo: Number(c.dataset.lo), hi: Number(c.dataset.hi),
        aria: c.getAttribute('aria-label'), below: c.getBoundingClientRect().top >= c.previousElementSibling.getBoundingClientRect().bottom - 1 };
    }));
    const d = await p.evaluate(() => {
      let hi = -Infinity;
      for (const v of window.__siApp.lastDensity.logp) if (Number.isFinite(v)) hi = Math.max(hi, v);
      return hi;
    });
    assert(bars.every((b) => b && b.shown && b.below), `colour bars missing or not under their heatmaps: ${JSON.stringify(bars)}`);
    const [lin, log] = bars;
    assert(lin.lo === 0 && Math.abs(lin.hi - Math.exp(d)) < 1e-9 * Math.exp(d), `linear bar ${lin.lo}..${lin.hi}, max density ${Math.exp(d)}`);
    assert(Math.abs(log.hi - d) < 1e-9 && Math.abs(log.lo - (d - 12)) < 1e-9, `log bar ${log.lo}..${log.hi}, max log density ${d}`);
    assert(bars.every((b) => /\d/.test(b.aria)), 'colour bars without a text summary');
    // The bar's pixels are the colormap: dark at the left end, bright at the right.
    const ends = await p.$eval('#cv-density-log-bar', (c) => {
      const g = c.getContext('2d');
      const y = Math.round(c.height * 0.2);
      const at = (x) => Array.from(g.getImageData(x, y, 1, 1).data).slice(0, 3).reduce((s, v) => s + v, 0);
      return [at(Math.round(c.width * 0.05)), at(Math.round(c.width * 0.95))];
    });
    assert(ends[0] < 300 && ends[1] > 400, `colour bar does not run dark to bright: ${ends}`);
    const aria = await p.$eval('#cv-density', (c) => c.getAttribute('aria-label') ?? '');
    assert(/\d/.test(aria), `density canvas aria-label "${aria}"`);
    await shot(p, '#panel-density', 'density-desktop');
  } finally {
    await a.close();
  }
});

await test('charts: field arrows in the field colour, one scale for learned and exact, the density underneath', async () => {
  const a = await openAt('b=random-gmm&path=linear&gamma=brownian&t=8gaussians');
  try {
    const p = a.page;
    const fieldReady = (name) => p.waitForFunction((f) => {
      const m = window.__siApp.lastField;
      return m && m.field === f && m.learned && m.exact && m.step > 0;
    }, name, { timeout: 60000 });
    await fieldReady('b');
    await p.waitForTimeout(300);
    const read = () => p.evaluate(() => {
      const f = window.__siApp.lastField;
      // The scale: the largest |field| of both, over the cells where rho_t >= 1e-3 of its maximum.
      const top = Math.max(...f.logRho);
      const norm = (v) => {
        let m = 0;
        for (let i = 0; i < v.length; i += 2) if (f.logRho[i / 2] - top >= Math.log(1e-3)) m = Math.max(m, Math.hypot(v[i], v[i + 1]));
        return m;
      };
      return { scales: Array.from(document.querySelectorAll('#panel-field .arrow-scale')).map((e) => e.textContent),
        max: ['cv-field', 'cv-exact'].map((id) => Number(document.getElementById(id).dataset.arrowMax)),
        both: Math.max(norm(f.learned), norm(f.exact)),
        legend: document.getElementById('field-legend')?.textContent ?? '',
        aria: ['cv-field', 'cv-exact', 'cv-error'].map((id) => document.getElementById(id).getAttribute('aria-label') ?? '') };
    });
    const r = await read();
    assert(r.scales.length === 2 && r.scales[0] === r.scales[1] && /longest arrow = \|b\| \d/.test(r.scales[0]),
      `arrow scales in the captions: ${JSON.stringify(r.scales)}`);
    assert(r.max[0] === r.max[1] && Math.abs(r.max[0] - r.both) <= 1e-6 * r.both, `panels' scales ${r.max}, largest |b| ${r.both}`);
    assert(/same scale/.test(r.legend) && /density/.test(r.legend), `field legend: "${r.legend}"`);
    assert(r.aria.every((t) => /\d/.test(t)), `field canvases' aria-labels: ${JSON.stringify(r.aria)}`);
    // The exact density faintly underneath: grey pixels, in both panels.
    const grey = (sel) => p.$eval(sel, (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === d[i + 1] && d[i + 1] === d[i + 2] && d[i] > 140 && d[i] < 240) n++;
      return n / (c.width * c.height);
    });
    for (const sel of ['#cv-field', '#cv-exact']) {
      const g = await grey(sel);
      assert(g > 0.05, `${sel}: no density underneath (${(100 * g).toFixed(1)}% grey pixels)`);
    }
    // Each field its own colour, the one the loss chart uses for it.
    const lossColour = (label) => p.evaluate((l) => {
      const u = window.__siApp.views.lossChart.plot;
      return u.series.find((s) => s.label === l).stroke(u, 1);
    }, label);
    const bCol = await dominantColour(p, '#cv-field');
    assert(bCol.colour === rgbOf(await lossColour('b')), `b arrows ${bCol.colour}, b in the loss chart ${await lossColour('b')}`);
    await shot(p, '#panel-field', 'field-desktop');
    await setInput(p, '#field-select', 's');
    await fieldReady('s');
    await p.waitForTimeout(300);
    const sCol = await dominantColour(p, '#cv-field');
    assert(sCol.colour === rgbOf(await lossColour('s')) && sCol.colour !== bCol.colour, `s arrows ${sCol.colour}, b arrows ${bCol.colour}`);
    const rs = await read();
    assert(rs.scales[0] === rs.scales[1] && /\|s\|/.test(rs.scales[0]), `s scales ${JSON.stringify(rs.scales)}`);
    await shot(p, '#panel-field', 'field-s-desktop');
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
  // Without exact fields: the true x_t samples underneath.
  const c = await openAt('');
  try {
    const p = c.page;
    await p.waitForFunction(() => window.__siApp.lastField?.learned && window.__siApp.xt, null, { timeout: 60000 });
    await p.waitForFunction(() => /samples of xₜ/.test(document.getElementById('field-legend')?.textContent ?? ''), null, { timeout: 10000 });
    await shot(p, '#panel-field', 'field-checkerboard-desktop');
  } finally {
    await c.close();
  }
});

await test('charts: the drawing pad follows the side asked, prompts for an empty set, trains nothing, and takes touch', async () => {
  // Every check is made (the failures are listed together), on a phone with touch: a trained default
  // run; target = points (nothing drawn); a finger draws it; then base = points; a finger draws it.
  const a = await openAt('', { width: 390, height: 844, touch: true });
  const problems = [];
  const check = (ok, msg) => { if (!ok) problems.push(msg); };
  try {
    const p = a.page;
    const pad = () => p.evaluate(() => {
      const prompt = document.getElementById('draw-prompt');
      return { name: document.getElementById('draw-side-name').textContent,
        select: document.getElementById('draw-side').value,
        prompt: prompt && !prompt.hidden ? prompt.textContent : '',
        aria: document.getElementById('cv-draw').getAttribute('aria-label') ?? '',
        text: document.getElementById('panel-draw').textContent,
        count: Number(document.getElementById('draw-count').textContent) };
    });
    /** Whether the step counter stands still for 2.5 s (after the page had time to stop). */
    const standsStill = async () => {
      await p.waitForFunction(() => document.body.dataset.running === '0', null, { timeout: 8000 }).catch(() => {});
      const s0 = await num(p, '#step-count');
      await p.waitForTimeout(2500);
      return (await num(p, '#step-count')) === s0;
    };
    const trains = () => p.waitForFunction(() => document.body.dataset.running === '1' &&
      Number(document.getElementById('step-count').textContent) > 0, null, { timeout: 60000 }).then(() => true, () => false);
    const draw = async (dx) => {
      await p.locator('#cv-draw').scrollIntoViewIfNeeded();
      const box = await p.locator('#cv-draw').boundingBox();
      await touchDrag(p, circle(box, 0.18).map(([x, y]) => [x + dx * box.width, y]));
    };
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 0, null, { timeout: 60000 });
    // target = points, nothing drawn: the pad asks for the target's points and the old model stops.
    await setInput(p, '#set-t', 'points');
    await p.waitForFunction(() => !document.getElementById('panel-draw').hidden, null, { timeout: 5000 });
    let s = await pad();
    check(s.name === 'target', `target = points: the pad draws for the ${s.name}`);
    check(/draw at least 10 points for the target/.test(s.prompt), `no prompt for the empty target: "${s.prompt}"`);
    check(/drag \(or touch\)/.test(s.text), 'the pad does not say it takes touch');
    check(await standsStill(), 'target = points with nothing drawn: the old model kept training');
    await p.locator('#cv-draw').scrollIntoViewIfNeeded();
    await shot(p, '#panel-draw', 'drawn-empty-phone');
    // A finger draws the target: points are added, the prompt goes, the new run trains.
    await draw(0.15);
    s = await pad();
    check(s.count >= 10, `touch drew ${s.count} points`);
    check(p.url().includes('tpts='), 'drawn target points not in the URL');
    check(s.prompt === '', `the prompt stays after drawing: "${s.prompt}"`);
    check(await trains(), 'the drawn target does not train');
    const targetInk = await dominantColour(p, '#cv-draw');
    // base = points: the pad switches to the base (the side that needs points), asks, and nothing trains.
    await setInput(p, '#set-b', 'points');
    await p.waitForTimeout(500);
    s = await pad();
    check(s.name === 'base' && s.select === 'b', `base = points after drawing the target: the pad draws for the ${s.name} (${s.select})`);
    check(/draw at least 10 points for the base/.test(s.prompt), `no prompt for the empty base: "${s.prompt}"`);
    check(await standsStill(), 'base = points with nothing drawn: training went on');
    await draw(-0.15);
    s = await pad();
    check(s.name === 'base' && s.count >= 10, `base not drawn: ${s.count} points for the ${s.name}`);
    check(p.url().includes('bpts='), 'drawn base points not in the URL');
    const baseInk = await dominantColour(p, '#cv-draw');
    check(baseInk.colour !== targetInk.colour, `the base is drawn in the target's colour ${baseInk.colour}`);
    check(/\d+ points/.test(s.aria), `the pad's aria-label: "${s.aria}"`);
    check(await trains(), 'drawn base and target do not train');
    await shot(p, '#panel-draw', 'drawn-phone');
    const errs = await errorMessages(p);
    check(errs.length === 0, `errors: ${errs.join(' | ')}`);
    check(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
    assert(problems.length === 0, problems.join('\n'));
  } finally {
    await a.close();
  }
});

await test('charts: phone screenshots of the charts, fields and density', async () => {
  const a = await openAt('b=random-gmm&path=linear&gamma=brownian&t=8gaussians', { width: 390, height: 844, touch: true });
  try {
    const p = a.page;
    await p.waitForFunction(() => window.__siApp.lastField?.exact && window.__siApp.lastField.step > 0, null, { timeout: 60000 });
    await p.click('#btn-play');
    await waitData(p, 'running', 'v === "0"', 20000);
    await p.waitForFunction(() => window.__siApp.lastDensity, null, { timeout: 60000 });
    await p.waitForTimeout(500);
    // (The sticky header would cover the top of each panel's shot: it scrolls with the page here.)
    await p.addStyleTag({ content: 'header { position: static !important; }' });
    for (const [sel, name] of [['#panel-training', 'training-phone'], ['#panel-field', 'field-phone'], ['#panel-density', 'density-phone'],
      ['#panel-samples', 'samples-phone']]) await shot(p, sel, name);
    notes.push(`phone (390 px): the page is ${await p.evaluate(() => document.documentElement.scrollWidth)} px wide`);
  } finally {
    await a.close();
  }
});

// ---------------------------------------------------------------- the Images view (SPEC 11, ?view=images)
/** Runs fn(page, opened) on a fresh page of the Images view at this viewport, then closes it. */
async function withImages(fn, viewport = { width: 1400, height: 900 }, query = '') {
  const a = await openPage(`view=images${query}`);
  try {
    await a.page.setViewportSize(viewport);
    await waitData(a.page, 'imagesReady', 'v === "1"', 60000);
    await fn(a.page, a);
  } finally {
    await a.close();
  }
}
const imagesLast = (p) => p.evaluate(() => ({ ...window.__siImages.last }));
/** Waits until the view's counter `key` (gridVersion, epsVersion, mirrorVersion) passes `after`. */
async function imagesDrawn(p, key, after = 0, timeout = 60000) {
  await p.waitForFunction(([k, v]) => window.__siImages.last[k] > v, [key, after], { timeout, polling: 200 });
}
/** Pixels of a canvas that are neither white nor near-white (an image grid drawn on white). */
function greyPixels(page, sel) {
  return page.$eval(sel, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 230) n++;
    return n;
  });
}
/** Main-thread tasks over 100 ms since `from` (ms on the page's clock). */
const slowTasks = (p, from) => p.evaluate((f) => window.__longtasks.filter((t) => t.start >= f && t.dur > 100), from);

await test('images: trains live, the grid changes, the eps slider re-samples, the mirror strip draws', async () => {
  await withImages(async (p, a) => {
    const ready = await p.evaluate(() => performance.now());
    await p.click('#img-play');
    await imagesDrawn(p, 'gridVersion', 0);
    const g1 = await canvasHash(p, '#img-cv-grid');
    const s1 = (await imagesLast(p)).step;
    await p.waitForFunction((s) => window.__siImages.last.step > s + 40, s1, { timeout: 60000, polling: 200 });
    const v = (await imagesLast(p)).gridVersion;
    await imagesDrawn(p, 'gridVersion', v);
    const g2 = await canvasHash(p, '#img-cv-grid');
    assert(g2 !== g1, 'the sample grid did not change while training');
    const grey = await greyPixels(p, '#img-cv-grid');
    assert(grey > 2000, `the sample grid is blank (${grey} grey pixels)`);
    const curve = await inkedPixels(p, '#img-chart-loss canvas');
    assert(curve > 50, `the loss curve is not drawn (${curve} coloured pixels)`);
    // The eps slider re-samples the same model: the SDE rows change.
    await imagesDrawn(p, 'epsVersion', 0);
    await p.click('#img-play'); // pause: the same model before and after the slider
    await waitData(p, 'imagesRunning', 'v === "0"', 20000);
    const e = await imagesLast(p);
    await imagesDrawn(p, 'epsVersion', e.epsVersion - 1); // the one drawn for the paused model may still be on its way
    const e0 = await imagesLast(p);
    const h0 = await canvasHash(p, '#img-cv-eps');
    await setInput(p, '#img-eps', 2);
    await imagesDrawn(p, 'epsVersion', e0.epsVersion);
    const e1 = await imagesLast(p);
    assert(e1.eps === 2 && e1.step === e0.step, `eps-grid after the slider: eps ${e1.eps}, step ${e0.step} -> ${e1.step}`);
    assert((await canvasHash(p, '#img-cv-eps')) !== h0, 'the eps-grid did not change with eps');
    assert(/rows ε = 0, 2, 2, 4, 4, 8, 8/.test(await p.textContent('#img-eps-caption')), 'eps-grid caption');
    // The mirror model trains alongside; its strip starts from the picked test image.
    await p.click('#img-mirror-play');
    await imagesDrawn(p, 'mirrorVersion', 0);
    assert((await greyPixels(p, '#img-cv-mirror')) > 1000, 'the mirror strip is blank');
    const m = await imagesLast(p);
    await p.click('.img-pick:nth-child(4)');
    await p.waitForFunction((v) => window.__siImages.last.mirrorVersion > v && window.__siImages.last.mirrorIndex === 3,
      m.mirrorVersion, { timeout: 30000, polling: 200 });
    // The time slider shows x_t of the data and of the model's paths.
    const xt1 = await canvasHash(p, '#img-cv-xt-data');
    await setInput(p, '#img-t', 3);
    assert((await canvasHash(p, '#img-cv-xt-data')) !== xt1, 'the time slider did not change x_t of the data');
    assert((await greyPixels(p, '#img-cv-xt-model')) > 500, 'the model x_t panel is blank');
    await p.click('#img-mirror-play');
    const last = await imagesLast(p);
    const net = JSON.parse(last.config).network.hidden;
    notes.push(`images: ${last.sps.toFixed(1)} steps/s in the browser (${net.length} x ${net[0]}, batch 128, fields ${JSON.parse(last.config).fields}), eps-grid ${Math.round(last.epsMs)} ms in the worker`);
    const fmt = (list) => list.map((t) => `${t.dur.toFixed(0)} ms @${(t.start / 1000).toFixed(1)}s`).join(', ');
    const tasks = await slowTasks(p, ready);
    if (tasks.length > 0) {
      // As in the training view's test: one slow task can be the loaded machine; a page that blocks its main
      // thread does so again, so a second window, training and drawing all along, must be clean.
      await p.click('#img-play');
      const again = await p.evaluate(() => performance.now());
      await p.waitForTimeout(12000);
      const second = await slowTasks(p, again);
      notes.push(`images: tasks over 100 ms (${fmt(tasks)}); in a second 12 s window: ${second.length ? fmt(second) : 'none'}`);
      assert(second.length === 0, `main thread blocked in two windows: ${fmt(tasks)}; then ${fmt(second)}`);
      await p.click('#img-play');
    }
    const errs = await errorMessages(p);
    assert(errs.length === 0 && a.errors.length === 0, `errors: ${[...errs, ...a.errors].join(' | ')}`);
    await shot(p, null, 'images-desktop');
  });
});

await test('images: the view fits a phone (390 px) and draws there', async () => {
  await withImages(async (p, a) => {
    await p.click('#img-play');
    await imagesDrawn(p, 'epsVersion', 0);
    await p.click('#img-mirror-play');
    await imagesDrawn(p, 'mirrorVersion', 0);
    await p.click('#img-play');
    await p.click('#img-mirror-play');
    const wide = await p.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 391, `the page is ${wide} px wide in a 390 px window`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
    await shot(p, null, 'images-phone');
  }, { width: 390, height: 844 });
});

await test('images: a model trained natively at 14 x 14 imports and shows at once', async () => {
  const cli = process.env.SI_CLI ?? path.join(root, 'build', 'cli', 'si');
  assert(existsSync(cli), `${cli} is missing: build the native CLI first`);
  const dir = mkdtempSync(path.join(tmpdir(), 'si-e2e-images-'));
  const config = JSON.parse(readFileSync(path.join(root, 'configs', 'fashion-14.json'), 'utf8'));
  config.network.hidden = [64, 64];
  config.training.steps = 150;
  config.target.limit = 2000;
  writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
  execFileSync(cli, ['train', '--config', path.join(dir, 'c.json'), '--out', path.join(dir, 'f14.json'), '-q']);
  await withImages(async (p, a) => {
    await imagesDrawn(p, 'gridVersion', 0);
    const v = await imagesLast(p);
    await p.setInputFiles('#img-import', path.join(dir, 'f14.json'));
    await p.waitForFunction((g) => window.__siImages.last.gridVersion > g && window.__siImages.last.step === 150,
      v.gridVersion, { timeout: 30000, polling: 200 });
    await imagesDrawn(p, 'epsVersion', v.epsVersion);
    const got = await imagesLast(p);
    assert(JSON.parse(got.config).network.hidden.join() === '64,64', `the session did not take the file's network: ${got.config}`);
    const info = await p.$$eval('#messages .msg.info', (els) => els.map((e) => e.textContent));
    assert(info.some((t) => /f14\.json: the noise → image model, trained 150 steps/.test(t)), `messages: ${info.join(' | ')}`);
    // A file that is not a model: a message names the import, and the view goes on with the model it had.
    await p.setInputFiles('#img-import', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": 1}') });
    await p.waitForFunction(() => Array.from(document.querySelectorAll('#messages .msg.error')).some((e) => e.dataset.where === 'import'),
      null, { timeout: 20000, polling: 200 });
    const errs = await errorMessages(p);
    assert((await imagesLast(p)).step === 150, 'the bad file replaced the model');
    notes.push(`images: a bad model file says: ${errs.join(' | ')}`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
    await shot(p, null, 'images-imported');
  });
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- threads (the threaded wasm module)
const stepOfPage = (p) => num(p, '#step-count');
async function exportedNetworks(p) {
  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('#btn-export-model')]);
  const file = path.join(artifacts, 'threads-model.json');
  await dl.saveAs(file);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  return { steps: saved.steps, networks: saved.networks };
}
/** Waits until the run stopped at its step limit, pressing play if it stays paused before it. */
async function trainToLimit(p, limit) {
  let idleSince = null, s = null;
  for (const end = Date.now() + 180000; Date.now() < end;) {
    s = await p.evaluate(() => ({ step: Number(document.getElementById('step-count').textContent),
      running: document.body.dataset.running }));
    if (s.step === limit && s.running === '0') return;
    if (s.running === '0' && s.step < limit) {
      idleSince ??= Date.now();
      if (Date.now() - idleSince > 2000) {
        await p.click('#btn-play');
        idleSince = null;
      }
    } else {
      idleSince = null;
    }
    await p.waitForTimeout(200);
  }
  throw new Error(`the run did not stop at step ${limit}: ${JSON.stringify(s)}`);
}
/** Trains a new network (same settings and seed) to the link's step limit and returns its weights. */
async function trainFresh(p, limit) {
  const gen = await data(p, 'gen');
  await p.click('#btn-reset');
  await p.waitForFunction((g) => document.body.dataset.gen !== g, gen, { timeout: 20000 });
  await trainToLimit(p, limit);
  return exportedNetworks(p);
}
function largestDifference(a, b) {
  let worst = 0;
  const walk = (x, y) => {
    if (typeof x === 'number') worst = Math.max(worst, Math.abs(x - y));
    else if (x && typeof x === 'object') for (const k of Object.keys(x)) walk(x[k], y?.[k]);
  };
  walk(a, b);
  return worst;
}
/** Picks n threads in the header's control, as a visitor does (it is there when the page has more than one). */
async function setThreads(p, n) {
  await p.selectOption('#threads-select', String(n));
  // Answered between chunks: behind a refresh of the notebook preset's big model that can take a while.
  await waitData(p, 'threads', `v === "${n}"`, 60000);
}
/** Steps per second over `ms` of training, from the step counter. */
async function stepsPerSecond(p, ms) {
  const s0 = await stepOfPage(p), t0 = Date.now();
  await p.waitForTimeout(ms);
  return ((await stepOfPage(p)) - s0) / ((Date.now() - t0) / 1000);
}
/** The page's steps/s at 1 and at all threads, alternated twice (the machine is shared: ratios of one run). */
async function speedsOf(p, all, ms) {
  const runs = [];
  for (let round = 0; round < 2; round++) {
    const r = {};
    for (const n of [1, all]) {
      await setThreads(p, n);
      await p.waitForTimeout(1000);  // the chunk size adapts to the new speed
      r[n] = await stepsPerSecond(p, ms);
    }
    runs.push(r);
  }
  return runs.map((r) => `${r[1].toFixed(1)} / ${r[all].toFixed(1)} steps/s (${(r[all] / r[1]).toFixed(2)}x)`).join(', again ');
}
async function densityMs(p) {
  const before = await p.evaluate(() => window.__siApp.lastDensity?.ms ?? null);
  await p.click('#btn-density');
  await p.waitForFunction((b) => window.__siApp.lastDensity && window.__siApp.lastDensity.ms !== b, before,
    { timeout: 60000, polling: 100 });
  return p.evaluate(() => ({ ms: window.__siApp.lastDensity.ms, n: window.__siApp.lastDensity.grid.n }));
}

await test('threads: the isolated page trains on the threaded module with all cores; a seed and thread count give the same weights, other counts the same to float rounding', async () => {
  const LIMIT = 300;
  const a = await openPage(`steps=${LIMIT}`);
  try {
    const p = a.page;
    await waitData(p, 'threads', 'Number(v) >= 1', 60000);
    const env = await p.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency,
      threads: Number(document.body.dataset.threads), max: Number(document.body.dataset.maxThreads),
      text: document.getElementById('threads').textContent, title: document.getElementById('threads').title }));
    // A pool for every core (at most 8); training starts on all but one, left to the page.
    const max = Math.min(8, env.cores), start = Math.max(1, max - 1);
    assert(env.isolated, 'the e2e server sends COOP/COEP, yet the page is not cross-origin isolated');
    assert(env.threads === start && env.max === max, `the worker runs ${env.threads} of ${env.max} threads, want ${start} of ${max} (${env.cores} cores)`);
    const shown = await p.evaluate(() => document.getElementById('threads-select')?.value ?? null);
    assert(shown === String(start), `the header's threads control shows ${shown}, want ${start} ("${env.text}")`);
    notes.push(`threads: the isolated page shows "${env.text}" at ${shown} (${env.title})`);
    // Every core, from the first step of a fresh run (the page's run began on `start` threads).
    const want = max;
    await setThreads(p, want);
    const first = await trainFresh(p, LIMIT);
    const again = await trainFresh(p, LIMIT);
    assert(first.steps === LIMIT && again.steps === LIMIT, `steps ${first.steps}, ${again.steps}`);
    const same = largestDifference(first.networks, again.networks);
    assert(JSON.stringify(first.networks) === JSON.stringify(again.networks),
      `two runs of one seed at ${want} threads differ (largest weight difference ${same})`);
    await setThreads(p, 1);
    const one = await trainFresh(p, LIMIT);
    const apart = largestDifference(first.networks, one.networks);
    // Another thread count sums each weight's gradient in another grouping (the pieces' gradients):
    // the runs agree to float rounding at first, and then drift apart as any two runs whose floats
    // round differently do (the threaded module runs: maxThreads above; the speed test below shows
    // the second thread's gain). A few steps of a fresh run at each count, where the pieces' sums
    // scaled by 0.9 would put them 3e-2 apart:
    const FEW = 5;
    const b = await openPage(`steps=${FEW}`);
    let few;
    try {
      await waitData(b.page, 'threads', 'Number(v) >= 1', 60000);
      await setThreads(b.page, want);
      const many = await trainFresh(b.page, FEW);
      await setThreads(b.page, 1);
      const single = await trainFresh(b.page, FEW);
      few = largestDifference(many.networks, single.networks);
      assert(b.errors.length === 0, `console errors: ${b.errors.join(' | ')}`);
    } finally {
      await b.close();
    }
    notes.push(`threads: ${LIMIT} steps of one seed: bit-identical weights at ${want} threads twice; 1 and ${want} ` +
      `threads ${few.toExponential(2)} apart after ${FEW} steps, ${apart.toExponential(2)} after ${LIMIT}`);
    assert(few <= 1e-4, `1 and ${want} threads train weights ${few} apart after ${FEW} steps: more than float rounding`);
    // The choice is kept for the next visit (the worker starts on it).
    await setThreads(p, want);
    await p.reload();
    await waitData(p, 'threads', `v === "${want}"`, 60000);
    const kept = await p.evaluate(() => document.getElementById('threads-select').value);
    assert(kept === String(want), `after a reload the control shows ${kept}, want ${want}`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('threads: steps/s of the default demo and the notebook preset at 1 and all threads, and the density heatmap (printed)', async () => {
  const a = await openPage('steps=10000000');
  try {
    const p = a.page;
    await waitData(p, 'maxThreads', 'Number(v) >= 1', 60000);
    const all = Number(await data(p, 'maxThreads'));
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 0, null, { timeout: 60000 });
    notes.push(`speed, default demo (1 / ${all} threads): ${await speedsOf(p, all, 5000)}`);
    const dens = [];
    for (const n of [1, all, 1, all]) {
      await setThreads(p, n);
      const d = await densityMs(p);
      dens.push(`${d.n}x${d.n} ${Math.round(d.ms)} ms at ${n}`);
    }
    notes.push(`speed, density heatmap from the ODE likelihood (while training): ${dens.join(', ')}`);
    await setThreads(p, all);
    await p.selectOption('#preset', 'checker-with-score');
    await p.waitForFunction(() => document.getElementById('set-width').value === '256', null, { timeout: 5000 });
    if (await data(p, 'running') !== '1') await p.click('#btn-play');
    await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 2, null, { timeout: 60000 });
    notes.push(`speed, notebook preset checker-with-score (4 x 256, batch 2000; 1 / ${all} threads): ${await speedsOf(p, all, 8000)}`);
    assert(a.errors.length === 0, `console errors: ${a.errors.join(' | ')}`);
  } finally {
    await a.close();
  }
});

await test('threads: from a plain static server the page is single-threaded; its service worker isolates it after one reload', async () => {
  const plain = await serve({ isolated: false });
  try {
    const a = await openPage('', { base: plain.base, context: { serviceWorkers: 'block' } });
    try {
      const p = a.page;
      await waitData(p, 'threads', 'Number(v) >= 1', 60000);
      const r = await p.evaluate(() => ({ isolated: crossOriginIsolated, max: document.body.dataset.maxThreads,
        title: document.getElementById('threads').title }));
      assert(!r.isolated && r.max === '1', `plain server: isolated ${r.isolated}, ${r.max} threads`);
      assert(/cross-origin isolated/.test(r.title), `the page does not say why it is single-threaded: "${r.title}"`);
      await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 20, null, { timeout: 60000 });
      notes.push(`threads: plain static server, no service worker: "${r.title}"`);
    } finally {
      await a.close();
    }
    const b = await openPage('', { base: plain.base });
    try {
      const p = b.page;
      let state = null;
      for (const end = Date.now() + 60000; Date.now() < end;) {
        // The page reloads itself once: evaluate() may meet a navigation.
        state = await p.evaluate(() => ({ isolated: crossOriginIsolated, controlled: !!navigator.serviceWorker.controller,
          max: document.body.dataset.maxThreads, cores: navigator.hardwareConcurrency })).catch(() => null);
        if (state?.isolated && state.max) break;
        await p.waitForTimeout(300);
      }
      assert(state?.isolated && state.controlled, `with the service worker: ${JSON.stringify(state)}`);
      assert(Number(state.max) === Math.min(8, state.cores), `with the service worker the worker has ${state.max} threads`);
      await p.waitForFunction(() => Number(document.getElementById('step-count').textContent) > 20, null, { timeout: 60000 });
      notes.push(`threads: plain static server + the page's service worker: isolated after one reload, ${state.max} threads`);
    } finally {
      await b.close();
    }
  } finally {
    await plain.close();
  }
});

await shutdown();
for (const n of notes) console.log(`note: ${n}`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
