// The page's service worker: re-serves the page's own files with the two headers that make it
// cross-origin isolated (COOP/COEP), for static hosts that cannot send headers (GitHub Pages, a plain
// file server). Isolated, the training worker loads the threaded wasm module (SharedArrayBuffer).
// Registered by src/isolation.ts; other origins' responses pass through untouched.
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  // A request that only a cache may answer cannot be re-fetched from here (a Chrome quirk of devtools).
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(fetch(request).then((response) => {
    // Redirects, errors and opaque responses go back as they are.
    if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
    const headers = new Headers(response.headers);
    for (const [k, v] of Object.entries(HEADERS)) headers.set(k, v);
    return new Response(response.body, {status: response.status, statusText: response.statusText, headers});
  }));
});
