import { defineConfig } from 'vite';

// The headers that make the page cross-origin isolated, so that the training worker can load the
// threaded wasm module (SharedArrayBuffer). The dev server and `vite preview` (scripts/start.sh) send
// them; a static host that cannot gets them from the page's service worker (public/isolation-sw.js).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// base './': the built page works from any folder of any static server, no special headers
// (single-threaded there, unless the service worker isolates it).
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    // The .wasm is always its own file (fetched and compiled by streaming), never a data: URL; so are the
    // threaded module's scripts: a pthread Worker from a data: URL has an opaque origin, which can
    // neither import the module's glue nor share its memory.
    assetsInlineLimit: (file: string) => (/\.(wasm|m?js)$/.test(file) ? false : undefined),
  },
  // The package is linked from ../wasm/dist; let the dev server read it.
  server: { fs: { allow: ['..'] }, headers: isolation },
  preview: { port: 4173, strictPort: true, headers: isolation },
});
