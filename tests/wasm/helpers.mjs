// Shared helpers of the wasm package tests: where things are, and loading the built package.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const dist = join(root, 'wasm', 'dist');

// The package as built by wasm/build.sh (tests run against wasm/dist, the folder npm packs).
export async function loadPackage() {
  const entry = join(dist, 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the package first (wasm/build.sh)`);
  return import(pathToFileURL(entry).href);
}

export async function loadSi() {
  const { init } = await loadPackage();
  return init();
}

// A small, fast training config (2-D checkerboard, one-sided linear, b + s).
export const smallConfig = Object.freeze({
  network: { hidden: [32, 32] },
  training: { batch: 128, seed: 1 },
});

export const gaussianEnds = Object.freeze({
  base: { type: 'gaussian' },
  target: { type: 'gmm', weights: [0.5, 0.5], means: [[-2, 0], [2, 1]], covs: [[[0.5, 0], [0, 0.5]], [[0.3, 0.1], [0.1, 0.4]]] },
  interpolant: { path: 'linear', gamma: 'brownian' },
});

export function allFinite(arr) {
  for (const x of arr) if (!Number.isFinite(x)) return false;
  return true;
}
