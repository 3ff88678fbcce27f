// Shared helpers of the wasm package tests: where things are, and loading the built package.
import {existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
// SI_WASM_DIST tests another build of the package (e.g. one with -DSI_WASM_EXCEPTIONS=wasm).
export const dist = process.env.SI_WASM_DIST ? resolve(process.env.SI_WASM_DIST) : join(root, 'wasm', 'dist');

// The package as built by wasm/build.sh (tests run against wasm/dist, the folder npm packs).
export async function loadPackage() {
  const entry = join(dist, 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the package first (wasm/build.sh)`);
  return import(pathToFileURL(entry).href);
}

export async function loadSi() {
  const {init} = await loadPackage();
  return init();
}

// A small, fast training config (2-D checkerboard, one-sided linear, b + s).
export const smallConfig = Object.freeze({
  network: {hidden: [32, 32]},
  training: {batch: 128, seed: 1},
});

export const gaussianEnds = Object.freeze({
  base: {type: 'gaussian'},
  target: {
    type: 'gmm',
    weights: [0.5, 0.5],
    means: [[-2, 0], [2, 1]],
    covs: [[[0.5, 0], [0, 0.5]], [[0.3, 0.1], [0.1, 0.4]]]
  },
  interpolant: {path: 'linear', gamma: 'brownian'},
});

export function allFinite(arr) {
  for (const x of arr)
    if (!Number.isFinite(x)) return false;
  return true;
}

// A static file server for browser tests (correct MIME types, application/wasm included); isolated:
// with the COOP/COEP headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads).
export async function serveStatic(dir, {isolated = false} = {}) {
  const http = await import('node:http');
  const {readFile, stat} = await import('node:fs/promises');
  const {extname, normalize} = await import('node:path');
  const types = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.wasm': 'application/wasm',
    '.json': 'application/json',
    '.css': 'text/css',
    '.map': 'application/json',
  };
  const server = http.createServer(async (req, res) => {
    try {
      let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      let file = join(dir, path);
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const isolation = {'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp'};
      res.writeHead(200, {'content-type': types[extname(file)] ?? 'application/octet-stream', ...(isolated ? isolation : {})});
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r))};
}

// Headless Chromium (Debian's) through playwright-core, with the flags this machine needs.
export async function launchChromium(userDataDir) {
  const {chromium} = await import('playwright-core');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Opens url and waits for the page to set window.__result.
export async function pageResult(context, url, timeout = 60000) {
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, {timeout});
    const result = await page.evaluate(() => window.__result);
    return {...result, logs};
  } catch (e) {
    return {ok: false, error: String(e), logs};
  } finally {
    await page.close();
  }
}
