// The package's bad-input table: each row once crashed, hung, leaked or was silently wrong (or is a
// close relative of one). Each must throw a JS Error whose message starts with the field or option,
// quickly; the module keeps working; and 1,000+ failing calls leave the wasm heap where it was.
import assert from 'node:assert/strict';
import {before, test} from 'node:test';

import {gaussianEnds, loadSi, smallConfig} from './helpers.mjs';

let si;
let model;
let exact;
before(async () => {
  si = await loadSi();
  const s = new si.TrainingSession(smallConfig);
  s.step(2);
  model = s.model();
  s.delete();
  exact = new si.ExactFields(gaussianEnds);
});

const deep = (n) => {
  let v = 0;
  for (let i = 0; i < n; ++i) v = [v];
  return v;
};
const modelEdit = (f) => {
  const j = JSON.parse(model.toJSON());
  f(j);
  return JSON.stringify(j);
};

// [what, call, message pattern]
const rows = () => [
  // Non-finite numbers (JSON.stringify would have made them null, i.e. the default)
  ['lr NaN', () => new si.TrainingSession({optimizer: {lr: NaN}}), /^optimizer\.lr: must be a finite number, got NaN/],
  ['lr Infinity', () => new si.TrainingSession({optimizer: {lr: Infinity}}), /^optimizer\.lr: must be a finite/],
  ['batch -Infinity', () => new si.TrainingSession({training: {batch: -Infinity}}), /^training\.batch: must be a finite/],
  ['seed NaN', () => new si.TrainingSession({training: {seed: NaN}}), /^training\.seed: /],
  ['t_lo NaN', () => new si.TrainingSession({training: {t_lo: NaN}}), /^training\.t_lo: /],
  ['gamma_a NaN', () => new si.TrainingSession({interpolant: {path: 'linear', gamma: 'a-brownian', gamma_a: NaN}}),
   /^interpolant\.gamma_a: /],
  ['mean NaN', () => new si.TrainingSession({target: {type: 'gaussian', mean: [0, NaN]}}), /^target\.mean\[1\]: /],
  ['sde eps NaN', () => new si.TrainingSession({sampling: {sde: {eps: NaN}}}), /^sampling\.sde\.eps: /],
  ['sampleODE n NaN', () => si.sampleODE(model, {n: NaN}), /^ode\.n: must be a finite number/],
  ['sampleODE steps Infinity', () => si.sampleODE(model, {method: 'rk4', steps: Infinity}), /^ode\.steps: /],
  ['sampleODE t1 NaN', () => si.sampleODE(model, {t1: NaN}), /^ode\.t1: /],
  ['sampleSDE eps NaN', () => si.sampleSDE(model, {eps: NaN}), /^sde\.eps: /],
  ['sampleSDE epsUntil NaN', () => si.sampleSDE(model, {epsUntil: NaN}), /^sde\.epsUntil: /],
  ['sampleSDE seed NaN', () => si.sampleSDE(model, {seed: NaN}), /^sde\.seed: /],
  ['logLikelihoodSDE paths NaN', () => si.logLikelihoodSDE(model, [0, 0], {paths: NaN}), /^sde\.paths: /],
  ['ExactFields mean Infinity', () => new si.ExactFields({...gaussianEnds, base: {type: 'gaussian', mean: [Infinity, 0]}}),
   /^base\.mean\[0\]: /],
  // Nesting and sizes
  ['config nested 10,000 deep', () => new si.TrainingSession({base: deep(10000)}), /^base(\[0\])*: nested deeper than 64/],
  ['Model.fromJSON of a deep object', () => si.Model.fromJSON({config: deep(10000)}), /^model\.config.*: nested deeper/],
  ['Model.fromJSON of deep text', () => si.Model.fromJSON('{"a": ' + '['.repeat(10000) + ']'.repeat(10000) + '}'),
   /^model: JSON nested deeper than 64/],
  ['sampleDistribution random-gmm 2048 x 100',
   () => si.sampleDistribution({type: 'random-gmm', dim: 2048, components: 100}, 1), /^spec: .*limit/],
  ['random-gmm 4096 x 10000', () => new si.TrainingSession({target: {type: 'random-gmm', components: 10000, dim: 4096}}),
   /^target: .*limit/],
  ['gaussian mean of 50,000', () => si.sampleDistribution({type: 'gaussian', mean: new Array(50000).fill(0)}, 1),
   /^spec\.mean: .*limit/],
  ['batch 2^21', () => new si.TrainingSession({training: {batch: 2 ** 21}}), /^training\.batch: /],
  ['hidden 16 x 4096', () => new si.TrainingSession({network: {hidden: new Array(16).fill(4096)}}), /^network\.hidden: .*limit/],
  ['n x snapshots', () => si.sampleODE(model, {n: 10000, snapshots: 100000}), /^ode\.n: .*limit/],
  ['steps 1e9', () => si.sampleSDE(model, {steps: 1e9}), /^sde\.steps: /],
  ['atol 1e-300', () => si.sampleODE(model, {method: 'dopri5', atol: 1e-300, rtol: 1e-300}), /^ode\.atol: /],
  // Model files
  ['model hidden [100000, 100000]', () => si.Model.fromJSON(modelEdit((j) => { j.networks.b.hidden = [100000, 100000]; })),
   /^networks\.b\.hidden: /],
  ['model in 1e20', () => si.Model.fromJSON(modelEdit((j) => { j.networks.b.in = 1e20; })), /^networks\.b\.in: /],
  ['model version 4294967297', () => si.Model.fromJSON(modelEdit((j) => { j.version = 4294967297; })), /^version: /],
  ['model activation differs', () => si.Model.fromJSON(modelEdit((j) => { j.networks.s.activation = 'tanh'; })),
   /^networks\.s\.activation: /],
  ['model steps 2^63', () => si.Model.fromJSON(modelEdit((j) => { j.steps = 2 ** 63; })), /^steps: /],
  ['model not JSON', () => si.Model.fromJSON('\u0089PNG\u0000'), /^model: is not valid JSON/],
  // Arguments
  ['evaluate at t = 2', () => model.evaluate('b', 2, [0, 0]), /^t: must be a time in \[0, 1\]/],
  ['evaluate at t = NaN', () => model.evaluate('b', NaN, [0, 0]), /^t: must be a time in \[0, 1\], got NaN/],
  ['exact evaluate at t = -1', () => exact.evaluate('s', -1, [0, 0]), /^t: /],
  ['points of strings', () => model.evaluate('b', 0.5, ['a', 'b']), /^points: must be finite numbers/],
  ['points {length: 4}', () => model.evaluate('b', 0.5, {length: 4}), /^points: must be finite numbers/],
  ['points with NaN', () => si.logLikelihoodODE(exact, [0, NaN]), /^points: must be finite numbers/],
  ['points of huge length', () => model.evaluate('b', 0.5, {length: 2 ** 40}), /^points: .*limit/],
  ['start points NaN', () => si.sampleODE(exact, {start: [NaN, 0]}), /^start: must be finite numbers/],
  ['interpolantCoefficients ts NaN', () => si.interpolantCoefficients({path: 'linear'}, [NaN]), /^ts: must be finite/],
  ['unknown option listed once', () => si.sampleODE(model, {n: 3, nn: 3}), /^ode\.nn: unknown option 'nn'; allowed: method, steps, atol, rtol, maxSteps, t0, t1, seed, n, snapshots, logDensity, denoise, divergence, probes$/],
  ['step k = 1e9', () => new si.TrainingSession(smallConfig).step(1e9), /^k: /],
];

test('each bad input throws an Error naming the field, fast, and the module keeps working', () => {
  const table = rows();
  assert.ok(table.length >= 40, `${table.length} rows`);
  for (const [what, call, pattern] of table) {
    const t0 = performance.now();
    assert.throws(call, (e) => e instanceof Error && pattern.test(e.message), `${what}: expected ${pattern}`);
    const ms = performance.now() - t0;
    assert.ok(ms < 10000, `${what} took ${ms} ms`);  // a hang bound (these once ran for minutes)
  }
  const s = new si.TrainingSession(smallConfig);
  assert.ok(Number.isFinite(s.step(3).losses.b));
  s.delete();
});

test('a thousand failing calls leave the heap where it was', () => {
  const table = rows().filter(([what]) => !what.startsWith('step k'));  // that row allocates a session
  const run = () => {
    for (const [, call] of table) {
      try {
        call();
      } catch {
        // expected
      }
    }
  };
  run();  // warm-up: lazily built tables and buffers
  const before = si.memoryStats().allocated;
  let calls = 0;
  while (calls < 1000) {
    run();
    calls += table.length;
  }
  const grown = si.memoryStats().allocated - before;
  assert.ok(grown <= 0, `${calls} failing calls grew the heap by ${grown} bytes`);
});

test('a long training session keeps a bounded heap', () => {
  const s = new si.TrainingSession({network: {hidden: [8]}, training: {batch: 16, seed: 3}});
  s.step(1000);
  const before = si.memoryStats().allocated;
  for (let i = 0; i < 99; ++i) s.step(1000);  // 100k steps in all
  const grown = si.memoryStats().allocated - before;
  s.delete();
  // Bounded, not byte-exact: the allocator's bookkeeping may move a few bytes, while a leak of even
  // one byte per step would show as 99 kB here.
  assert.ok(grown < 1024, `99k more steps grew the heap by ${grown} bytes`);
});
