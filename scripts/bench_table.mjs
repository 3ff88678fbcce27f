// Merges the figures of scripts/bench.sh into one Markdown table (the README's speed table):
//   node scripts/bench_table.mjs native.json native-gemm.json wasm.json
// native.json from `si bench --json`, native-gemm.json from the native gemm_bench, wasm.json from
// tests/wasm/bench.mjs --json. A missing figure prints as "-".
import {existsSync, readFileSync} from 'node:fs';
import {cpus} from 'node:os';

const read = (f) => (f && existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const [native, nativeGemm, wasm] = process.argv.slice(2).map(read);
const ok = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0;
const sec = (v) => (ok(v) ? (v < 0.01 ? v.toFixed(4) : v.toFixed(3)) : '-');
const ratio = (a, b) => (ok(a) && ok(b) ? `${(a / b).toFixed(2)}x` : '-');
const n = native?.threads ?? '?';

console.log(`${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} x ${cpus().length}` +
            `, Node ${wasm?.node ?? '?'}; PyTorch's OpenBLAS kernel: ${native?.torch_openblas_coretype ?? '-'}`);
console.log('\nSeconds per training step (lower is better; ratios > 1 mean ours is faster):\n');
const wn = wasm?.cores ?? n;  // the threaded module's thread count in Node
console.log(`| config | native 1 thread | native ${n} threads | speedup | PyTorch 1 thread | PyTorch ${n} threads | ` +
            `PyTorch / native (1, all) | wasm in Node, 1 thread | wasm in Node, ${wn} threads | speedup | ` +
            'TF.js-wasm | TF.js / wasm |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
(native?.steps ?? []).forEach((r, i) => {
  const w = wasm?.rows?.[i] ?? {};
  console.log(`| ${r.config} | ${sec(r.si_1)} | ${sec(r.si_all)} | ${ratio(r.si_1, r.si_all)} | ${sec(r.torch_1)} | ` +
              `${sec(r.torch_all)} | ${ratio(r.torch_1, r.si_1)}, ${ratio(r.torch_all, r.si_all)} | ${sec(w.wasm)} | ` +
              `${sec(w[`wasm ${wn} threads`])} | ${ratio(w.wasm, w[`wasm ${wn} threads`])} | ` +
              `${sec(w['tfjs-wasm'])} | ${ratio(w['tfjs-wasm'], w.wasm)} |`);
});

const g = (x, k) => (x && ok(x[k]) ? x[k].toFixed(1) : '-');
const builds = [['native (ours: AVX-512 micro-kernel)', nativeGemm], ['wasm in Node (ours: SIMD128)', wasm?.gemm]];
// One row per build and layer: W (out x in) times a batch, the layer's forward (AB), input-gradient
// (A^T B) and weight-gradient (AB^T) products; the first layer is the reference step's.
console.log('\nGEMM GFLOP/s, one thread, per layer W (out x in) times a batch (C = W a, W^T delta, gW += delta a^T: ' +
            'the MLP\'s products):\n');
console.log('| build | layer | Eigen AB | ours AB | Eigen A^T B | ours A^T B | Eigen AB^T | ours AB^T | ours / Eigen (AB) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, figures] of builds)
  for (const f of figures?.layers ?? [figures])
    console.log(`| ${name} | ${f?.shape ?? '-'} | ${g(f?.eigen, 'ab')} | ${g(f?.si, 'ab')} | ${g(f?.eigen, 'atb')} | ` +
                `${g(f?.si, 'atb')} | ${g(f?.eigen, 'abt')} | ${g(f?.si, 'abt')} | ${ratio(f?.si?.ab, f?.eigen?.ab)} |`);

const p = native?.per_second ?? {};
const rate = (v) => (ok(v) ? Math.round(v).toString() : '-');
console.log('\nNative sampling and likelihoods, reference-sized model (4 x 256), 500 points, per second:\n');
console.log(`| | 1 thread | ${n} threads | speedup |`);
console.log('|---|---|---|---|');
for (const [label, k] of [['ODE samples (RK4, 100 steps)', 'ode'], ['SDE samples (Heun, 100 steps)', 'sde'],
                          ['ODE likelihoods (RK4, 100 steps, exact divergence)', 'likelihood']])
  console.log(`| ${label} | ${rate(p[`${k}_1`])} | ${rate(p[`${k}_all`])} | ${ratio(p[`${k}_all`], p[`${k}_1`])} |`);
console.log(`\nPeak memory: si bench ${ok(native?.peak_memory_mb) ? native.peak_memory_mb.toFixed(0) : '-'} MB, ` +
            `the wasm bench in Node ${ok(wasm?.peakMemoryMb) ? wasm.peakMemoryMb.toFixed(0) : '-'} MB (resident, peak).`);
