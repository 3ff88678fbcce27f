// Native and wasm agree: for the same config and seed, the losses of 50 training steps and the
// samples of the ODE (and SDE) agree with the native build to a relative 1e-4. Float rounding may
// differ (FMA, vector widths, libm), the logic may not. The native numbers come from
// tests/wasm/native_reference.cpp, built by the native CMake build (target si_wasm_native_reference).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';

import {gaussianEnds, loadSi, root} from './helpers.mjs';

const RTOL = 1e-4;

function findNativeReference() {
  const candidates = [
    process.env.SI_NATIVE_REFERENCE,
    join(root, 'build', 'tests', 'wasm', 'native_reference'),
    join(root, 'build-wasm-native', 'tests', 'wasm', 'native_reference'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
        `native_reference not found (tried ${candidates.join(', ')}): build it with ` +
            '`cmake -S . -B build && cmake --build build --target si_wasm_native_reference` or set SI_NATIVE_REFERENCE',
    );
  return found;
}

// Largest |a - b| / max(|b|, floor) over the elements: relative, with an absolute floor for values near 0.
function relativeError(a, b, floor = 1) {
  assert.equal(a.length, b.length, 'lengths differ');
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}

const trainings = [
  {
    name: 'one-sided-linear b+s relu (the reference setup, small)',
    config: {network: {hidden: [64, 64]}, training: {batch: 256, seed: 3}},
    ode: {n: 200, seed: 4, method: 'rk4', steps: 20, logDensity: true},
    sde: {n: 200, seed: 5, method: 'heun', eps: 0.5, steps: 20, t1: 0.99},
  },
  {
    name: 'linear/brownian v+eta tanh from 8 gaussians to moons, dopri5',
    config: {
      base: '8gaussians',
      target: 'moons',
      fields: 'v+eta',
      interpolant: {path: 'linear', gamma: 'brownian'},
      network: {hidden: [48, 48, 48], activation: 'tanh'},
      optimizer: {lr: 1e-3, step_size: 20, decay: 0.5, clip: 1},
      training: {batch: 200, seed: 11},
    },
    ode: {n: 100, seed: 6, method: 'dopri5', atol: 1e-5, rtol: 1e-5, t0: 0.01, t1: 0.99},
  },
];

let si;
let native;
let work;
before(async () => {
  si = await loadSi();
  const exe = findNativeReference();
  work = mkdtempSync(join(tmpdir(), 'si-native-'));
  native = (request) => {
    const file = join(work, 'request.json');
    writeFileSync(file, JSON.stringify(request));
    return JSON.parse(execFileSync(exe, ['run', file], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024}));
  };
});
after(() => work && rmSync(work, {recursive: true, force: true}));

for (const tr of trainings) {
  test(`50 training steps and the samples agree: ${tr.name}`, (t) => {
    const ref = native({train: {config: tr.config, steps: 50, ode: tr.ode, ...(tr.sde ? {sde: tr.sde} : {})}});
    const session = new si.TrainingSession(tr.config);
    const losses = [];
    for (let i = 0; i < 50; ++i) losses.push(session.step().losses);
    const model = session.model();
    session.delete();
    const names = Object.keys(ref.losses[0]).sort();
    assert.deepEqual(Object.keys(losses[0]).sort(), names);
    let worstLoss = 0;
    for (const k of names) {
      const w = relativeError(losses.map((l) => l[k]), ref.losses.map((l) => l[k]), 1e-2);
      worstLoss = Math.max(worstLoss, w);
    }
    const last = losses[49];
    const lastRef = ref.losses[49];
    for (const k of names)
      assert.ok(
          Math.abs(last[k] - lastRef[k]) <= RTOL * Math.abs(lastRef[k]),
          `loss ${k} after 50 steps: wasm ${last[k]}, native ${lastRef[k]}`);
    const ode = si.sampleODE(model, tr.ode);
    const odeErr = relativeError(ode.samples, ref.ode.samples);
    t.diagnostic(`max relative difference: losses over 50 steps ${worstLoss.toExponential(2)}, ODE samples ${
        odeErr.toExponential(2)}`);
    assert.ok(worstLoss <= RTOL, `losses differ by ${worstLoss}`);
    assert.ok(odeErr <= RTOL, `ODE samples differ by ${odeErr}`);
    if (tr.ode.logDensity) assert.ok(relativeError(ode.logDensity, ref.ode.logDensity) <= RTOL, 'ODE log densities');
    if (tr.sde) {
      const sdeErr = relativeError(si.sampleSDE(model, tr.sde).samples, ref.sde);
      t.diagnostic(`SDE samples ${sdeErr.toExponential(2)}`);
      assert.ok(sdeErr <= RTOL, `SDE samples differ by ${sdeErr}`);
    }
    model.delete();
  });
}

test('model files move between the native build and wasm', () => {
  const config = {network: {hidden: [16, 16]}, training: {batch: 64, seed: 2}};
  const ref = native({train: {config, steps: 5, modelJSON: true}});
  const pts = new Float32Array([0, 0, 1, -1, 2.5, 0.5]);
  // native -> wasm: the native model file loads and evaluates like the same model trained in wasm
  const fromNative = si.Model.fromJSON(ref.model);
  const session = new si.TrainingSession(config);
  session.step(5);
  const trained = session.model();
  session.delete();
  assert.ok(relativeError(fromNative.evaluate('b', 0.5, pts), trained.evaluate('b', 0.5, pts)) <= RTOL);
  // wasm -> native: the wasm model file evaluates natively to the same numbers
  const back = native({load: {model: trained.toJSON(), field: 's', t: 0.3, points: Array.from(pts)}});
  assert.ok(relativeError(Array.from(trained.evaluate('s', 0.3, pts)), back.loaded) <= 1e-6);
  fromNative.delete();
  trained.delete();
});

test('exact-field samplers and data sets agree', (t) => {
  const ode = {n: 300, seed: 7, method: 'dopri5', atol: 1e-7, rtol: 1e-7, logDensity: true};
  const sde = {n: 300, seed: 8, method: 'heun', eps: 0.3, steps: 50};
  const ref = native({exact: {spec: gaussianEnds, ode, sde}, distribution: {spec: 'checkerboard', n: 500, seed: 9}});
  const ex = new si.ExactFields(gaussianEnds);
  const o = si.sampleODE(ex, ode);
  const s = si.sampleSDE(ex, sde);
  ex.delete();
  const errs = {
    odeSamples: relativeError(o.samples, ref.exactOde.samples),
    odeLogDensity: relativeError(o.logDensity, ref.exactOde.logDensity),
    sdeSamples: relativeError(s.samples, ref.exactSde),
    checkerboard: relativeError(si.sampleDistribution('checkerboard', 500, 9), ref.distribution),
  };
  t.diagnostic(JSON.stringify(Object.fromEntries(Object.entries(errs).map(([k, v]) => [k, v.toExponential(2)]))));
  for (const [k, v] of Object.entries(errs)) assert.ok(v <= RTOL, `${k} differ by ${v}`);
});
