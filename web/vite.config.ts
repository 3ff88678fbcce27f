import { defineConfig } from 'vite';

// base './': the built page works from any folder of any static server, no special headers.
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    // The .wasm is always its own file (fetched and compiled by streaming), never a data: URL.
    assetsInlineLimit: (file: string) => (file.endsWith('.wasm') ? false : undefined),
  },
  // The package is linked from ../wasm/dist; let the dev server read it.
  server: { fs: { allow: ['..'] } },
  preview: { port: 4173, strictPort: true },
});
