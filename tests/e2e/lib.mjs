// Shared by run.mjs (the tests) and screens.mjs (screenshots for looking at the page): serves web/dist
// from a sub-folder with a tiny static server and launches Debian's Chromium. The server sends the
// COOP/COEP headers (as scripts/start.sh does), so the page is cross-origin isolated and trains on the
// threaded module; serve({ isolated: false }) serves the same folder with no special headers, as a static host does.
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
const dist = path.join(root, 'web/dist');
export const artifacts = path.join(root, 'artifacts/e2e');
const require = createRequire(path.join(root, 'web/package.json'));
const { chromium } = require('playwright-core');

if (!existsSync(path.join(dist, 'index.html'))) {
  console.error(`no build at ${dist}: run "npm run build" in web/ first`);
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
};
// The app is served from a sub-folder, to prove the build works from any folder (base './').
const MOUNT = '/some/folder/';

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** A static server of web/dist (or of `dir`, another build of the page) on 127.0.0.1 (isolated: with
 *  the COOP/COEP headers); returns { base, close }. */
export async function serve({ isolated = true, dir = dist } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(MOUNT)) {
      res.writeHead(404).end('outside the app folder');
      return;
    }
    let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname.slice(MOUNT.length))));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', ...(isolated ? ISOLATION : {}) });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}${MOUNT}`,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(r);
    }),
  };
}

/** Headless Chromium as the tests run it. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Starts the server (isolating unless E2E_ISOLATED=0: the page single-threaded) and the browser;
 *  returns { base, browser, close }. */
export async function start() {
  const server = await serve({ isolated: process.env.E2E_ISOLATED !== '0' });
  const browser = await launch();
  return {
    base: server.base,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
