// The package as users get it: `npm pack` wasm/dist, install the tarball into an empty folder, and
// use it from Node, from a plain <script type="module"> page (and a module Web Worker) and from a
// Vite app (build and dev server), the browser runs in headless Chromium.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {dist, here, launchChromium, pageResult, serveStatic} from './helpers.mjs';

const npm = (args, cwd) => execFileSync('npm', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});

let work;     // temp folder: the tarball and the user's app
let app;      // the app folder with the package installed from the tarball
let packed;   // npm pack's report
let browser;  // a persistent Chromium context, started on first use

async function chromium() {
  browser ??= await launchChromium(join(work, 'chromium-profile'));
  return browser;
}

before(() => {
  if (!existsSync(join(dist, 'si.wasm'))) throw new Error(`${dist} is not built: run wasm/build.sh`);
  work = mkdtempSync(join(tmpdir(), 'si-package-'));
  [packed] = JSON.parse(npm(['pack', dist, '--json', '--pack-destination', work], work));
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({name: 'user-app', private: true, type: 'module'}));
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed.filename)], app);
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, {recursive: true, force: true});
});

describe('npm package', () => {
  test('the tarball holds exactly the package files', () => {
    assert.equal(packed.name, 'stochastic-interpolants');
    assert.equal(packed.version, '0.1.0');
    const files = packed.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      'README.md', 'index.d.ts', 'index.js', 'package.json', 'si-core.mjs', 'si-threads.mjs', 'si-threads.wasm',
      'si-threads.worker.cjs', 'si-threads.worker.js', 'si.wasm'
    ]);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'stochastic-interpolants', 'package.json'), 'utf8'));
    assert.equal(pkg.type, 'module');
    assert.deepEqual(pkg.exports['.'], {types: './index.d.ts', import: './index.js'});
    assert.equal(pkg.exports['./si.wasm'], './si.wasm');
  });

  test('installed from the tarball, it imports in Node, trains a step and samples', () => {
    writeFileSync(
        join(app, 'main.mjs'),
        `import { init } from 'stochastic-interpolants';
import { createRequire } from 'node:module';
const si = await init();
const session = new si.TrainingSession({ network: { hidden: [16] }, training: { batch: 32 } });
const step = session.step();
const model = session.model();
const { samples } = si.sampleODE(model, { n: 10, method: 'rk4', steps: 4 });
const wasm = createRequire(import.meta.url).resolve('stochastic-interpolants/si.wasm');
const threads = await init({ threads: 2 });
const t = new threads.TrainingSession({ network: { hidden: [16] }, training: { batch: 32 } });
console.log(JSON.stringify({ version: si.version, step: step.step, losses: step.losses, samples: samples.length, wasm,
  threaded: threads.threaded, threadedStep: t.step().step }));
model.delete();
session.delete();
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ['main.mjs'], {cwd: app, encoding: 'utf8'}));
    assert.equal(out.version, '0.1.0');
    assert.equal(out.step, 1);
    assert.ok(Number.isFinite(out.losses.b) && Number.isFinite(out.losses.s));
    assert.equal(out.samples, 20);
    assert.ok(out.wasm.endsWith(join('node_modules', 'stochastic-interpolants', 'si.wasm')));
    // The threaded module from the installed files; the script exits by itself (unref'd Workers).
    assert.equal(out.threaded, true);
    assert.equal(out.threadedStep, 1);
  });
});

describe('in the browser (headless Chromium)', () => {
  test('a plain <script type="module"> page and a module worker load it unchanged', async () => {
    cpSync(join(here, 'plain-page'), app, {recursive: true});
    const server = await serveStatic(app);
    try {
      const r = await pageResult(await chromium(), server.url);
      assert.ok(r.ok, `${r.error}\n${r.logs.join('\n')}`);
      assert.equal(r.page.step, 2);
      assert.equal(r.page.samples, 20);
      assert.deepEqual(
          r.page.error, {isError: true, message: 'optimizer.lr: must be a positive number, got -1'});
      assert.equal(r.worker.step, 3);
      assert.equal(r.worker.samples, 16);
    } finally {
      await server.close();
    }
  });

  test('a Vite build resolves the .wasm and runs', async () => {
    const {build} = await import('vite');
    cpSync(join(here, 'vite-app'), join(app, 'vite-app'), {recursive: true});
    const root = join(app, 'vite-app');
    const outDir = join(root, 'dist');
    await build({root, logLevel: 'warn', build: {outDir, emptyOutDir: true}});
    const assets = readdirSync(join(outDir, 'assets'));
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `no .wasm among the built assets: ${assets}`);
    const server = await serveStatic(outDir);
    try {
      const r = await pageResult(await chromium(), server.url);
      assert.ok(r.ok, `${r.error}\n${r.logs.join('\n')}`);
      assert.equal(r.step, 2);
      assert.equal(r.samples, 20);
      assert.equal(r.threaded, false, 'a page without COOP/COEP got the threaded module');
    } finally {
      await server.close();
    }
  });

  test('the same Vite build, served cross-origin isolated, runs the threaded module (default Vite config)', async () => {
    const outDir = join(app, 'vite-app', 'dist');
    assert.ok(existsSync(outDir), 'the Vite build test runs first');
    const server = await serveStatic(outDir, {isolated: true});
    try {
      const r = await pageResult(await chromium(), `${server.url}?threads=2`);
      assert.ok(r.ok, `${r.error}\n${r.logs.join('\n')}`);
      assert.equal(r.threaded, true, `not threaded: ${r.reason}`);
      assert.equal(r.threads, 2);
      assert.equal(r.step, 2);
      assert.equal(r.samples, 20);
    } finally {
      await server.close();
    }
  });

  test('the Vite dev server serves it too', async () => {
    const {createServer} = await import('vite');
    const root = join(app, 'vite-app');
    if (!existsSync(root)) cpSync(join(here, 'vite-app'), root, {recursive: true});
    const server = await createServer({root, logLevel: 'warn', server: {port: 0, host: '127.0.0.1'}});
    await server.listen();
    try {
      const url = server.resolvedUrls.local[0];
      const r = await pageResult(await chromium(), url);
      assert.ok(r.ok, `${r.error}\n${r.logs.join('\n')}`);
      assert.equal(r.samples, 20);
    } finally {
      await server.close();
    }
  });
});
