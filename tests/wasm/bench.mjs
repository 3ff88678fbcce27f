// One training step's time, side by side: the wasm package in Node, the native build and the
// TensorFlow.js peer (wasm backend), for the reference config (4 x 256 relu, batch 2000,
// one-sided-linear b + antithetic s), a browser config (3 x 128, batch 512) and an image-sized
// config (d = 196, 3 x 512 SiLU, batch 128; no TF.js figure: the peer trains 2-D data only); and,
// given --gemm, the GEMM GFLOP/s of the wasm build (tests/wasm/gemm_bench.cpp). Run one at a time
// (single-threaded, and the threaded module on every core beside it; shared machines make numbers
// noisy: take the best of a few runs).
//
//   node tests/wasm/bench.mjs [--dist DIR]... [--native EXE] [--tfjs DIR] [--repeat R] [--gemm JS] [--json FILE]
//     --dist    a built package folder (default wasm/dist); give several to compare builds
//               (e.g. one built with -DSI_WASM_SIMD=OFF)
//     --native  native_reference (default: build/ or build-wasm-native/tests/wasm/native_reference)
//     --tfjs    a folder with tfjs_peer.mjs and @tensorflow/tfjs{,-backend-wasm} installed
//               (default /tmp/tfjs-peer; see ../shared/bench/tfjs_peer.mjs); skipped if missing
//     --gemm    the wasm build of gemm_bench (build-wasm/wasm/bench/gemm_bench.js)
//     --json    also write the figures to this file
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {availableParallelism, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';

import {dist as defaultDist, root} from './helpers.mjs';

const args = process.argv.slice(2);
const opt = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const dists = opt('--dist').length ? opt('--dist').map((d) => resolve(d)) : [defaultDist];
const native = opt('--native')[0] ?? [
  join(root, 'build', 'tests', 'wasm', 'native_reference'),
  join(root, 'build-wasm-native', 'tests', 'wasm', 'native_reference')
].find(existsSync);
const tfjs = opt('--tfjs')[0] ?? '/tmp/tfjs-peer';
const repeat = Number(opt('--repeat')[0] ?? 3);
const cores = availableParallelism();  // the threaded module's column: every core

const configs = [
  {name: 'reference 4x256 b2000', hidden: [256, 256, 256, 256], batch: 2000, steps: 10},
  {name: 'browser 3x128 b512', hidden: [128, 128, 128], batch: 512, steps: 40},
  {
    name: 'image d=196 3x512 silu b128',
    hidden: [512, 512, 512],
    batch: 128,
    steps: 10,
    activation: 'silu',
    ends: {base: {type: 'gaussian', dim: 196}, target: {type: 'paper-gmm', components: 2, dim: 196}},
  },
];
const configOf = (c) => ({
  ...(c.ends ?? {}),
  network: {hidden: c.hidden, activation: c.activation ?? 'relu'},
  training: {batch: c.batch, seed: 0},
});
const best = (f) => Math.min(...Array.from({length: repeat}, f));

// threads > 1: the package's threaded module (init({threads})); its sessions start on that many threads.
async function wasmSeconds(distDir, c, threads = 1) {
  const {init} = await import(pathToFileURL(join(distDir, 'index.js')).href);
  const si = await init(threads > 1 ? {threads} : {});
  if (threads > 1 && !si.threaded) return NaN;
  const session = new si.TrainingSession(configOf(c));
  session.step(2);  // warm-up
  const s = best(() => {
    const t0 = performance.now();
    session.step(c.steps);
    return (performance.now() - t0) / 1000 / c.steps;
  });
  session.delete();
  return s;
}

function nativeSeconds(c) {
  if (!native) return NaN;
  const dir = mkdtempSync(join(tmpdir(), 'si-bench-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(configOf(c)));
    return best(
        () => JSON.parse(execFileSync(native, ['bench', file, String(c.steps)], {encoding: 'utf8'})).seconds_per_step);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

function tfjsSeconds(c) {
  const script = join(tfjs, 'tfjs_peer.mjs');
  if (!existsSync(script) || c.ends) return NaN;
  return best(() => {
    const out = execFileSync(
        process.execPath, [script, 'wasm', String(Math.max(3, c.steps / 2)), c.hidden.join(','), String(c.batch)], {
          cwd: tfjs,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
    return Number(/sec_per_step=([\d.e-]+)/.exec(out)[1]);
  });
}

const ms = (s) => (Number.isFinite(s) ? `${(s * 1000).toFixed(1)} ms` : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : 'n/a');

const rows = [];
for (const c of configs) {
  const row = {config: c.name};
  dists.forEach((d, i) => (row[`wasm${dists.length > 1 ? ` [${i}]` : ''}`] = 0));
  for (const [i, d] of dists.entries()) row[`wasm${dists.length > 1 ? ` [${i}]` : ''}`] = await wasmSeconds(d, c);
  if (cores > 1) row[`wasm ${cores} threads`] = await wasmSeconds(dists[0], c, cores);
  row.native = nativeSeconds(c);
  row['tfjs-wasm'] = tfjsSeconds(c);
  rows.push(row);
}

if (dists.length > 1) dists.forEach((d, i) => console.log(`[${i}] ${d}`));
console.log(`seconds per training step (best of ${repeat}), Node ${process.version}, single thread` +
            (cores > 1 ? ` and the threaded module on ${cores}` : ''));
const table = rows.map((r) => {
  const w = r[Object.keys(r).find((k) => k.startsWith('wasm'))];
  const out = {config: r.config};
  for (const [k, v] of Object.entries(r))
    if (k !== 'config') out[k] = ms(v);
  out['wasm / native'] = ratio(w, r.native);
  if (cores > 1) out[`wasm 1 / ${cores} threads`] = ratio(w, r[`wasm ${cores} threads`]);
  out['tfjs-wasm / wasm'] = ratio(r['tfjs-wasm'], w);
  return out;
});
console.table(table);

const gemm = opt('--gemm')[0];
const gemmFigures = gemm && existsSync(gemm) ? JSON.parse(execFileSync(process.execPath, ['--no-experimental-fetch', gemm], {encoding: 'utf8'})) : null;
if (gemmFigures) console.log(`wasm GEMM GFLOP/s (${gemmFigures.shape}):`, JSON.stringify(gemmFigures));
const jsonOut = opt('--json')[0];
if (jsonOut)
  writeFileSync(jsonOut, JSON.stringify({node: process.version, cores, rows, gemm: gemmFigures, peakMemoryMb: process.resourceUsage().maxRSS / 1024}, null, 2));
