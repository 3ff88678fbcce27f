// One sampling plan (core/include/si/sampling.hpp): for every kind of model, `si sample` and the
// package's sampleODE / sampleSDE give the same samples for the same model file, options and seed
// (to float rounding: native and wasm may round differently), with the same defaults — the
// denoiser models' noise-off time and interval included — and backward runs start from the target.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';

import {loadSi, root} from './helpers.mjs';

const cli = process.env.SI_CLI ?? join(root, 'build', 'cli', 'si');

// Each kind of model: its config over a small network and the SDE defaults it should get.
const kinds = [
  {name: 'one-sided b+s', config: {interpolant: {path: 'one-sided-linear'}, fields: 'b+s'}, epsUntil: 1, t1: 1},
  {name: 'one-sided b+eta', config: {interpolant: {path: 'one-sided-linear'}, fields: 'b+eta'}, epsUntil: 0.99},
  {name: 'one-sided v+eta', config: {interpolant: {path: 'one-sided-trig'}, fields: 'v+eta'}, epsUntil: 0.99},
  {name: 'two-sided v+s', config: {interpolant: {path: 'linear'}, fields: 'v+s'}, epsUntil: 1},
  {name: 'two-sided v+eta', config: {interpolant: {path: 'trig'}, fields: 'v+eta'}, epsUntil: 1, t1: 0.99},
  {name: 'two-sided b only', config: {interpolant: {path: 'linear'}, fields: 'b'}, noScore: true},
  {name: 'mirror s', config: {interpolant: {path: 'mirror'}, fields: 's'}, epsUntil: 1, t1: 1},
  // The config's score from the drift and denoising step (configs/fashion-14.json), b alone too.
  {name: 'one-sided b+s, drift score, denoised', epsUntil: 1, t1: 1, denoise: 0.9, score: 'drift',
   config: {interpolant: {path: 'one-sided-linear'}, fields: 'b+s', sampling: {sde: {score: 'drift', denoise: 0.9}}}},
  {name: 'one-sided b only, drift score, denoised', epsUntil: 1, denoise: 0.8, score: 'drift',
   config: {interpolant: {path: 'one-sided-trig'}, fields: 'b', sampling: {sde: {score: 'drift', denoise: 0.8}}}},
];

let si;
let dir;
before(async () => {
  assert.ok(existsSync(cli), `${cli} is missing: build it (cmake --build build --target si) or set SI_CLI`);
  si = await loadSi();
  dir = mkdtempSync(join(tmpdir(), 'si-cli-agreement-'));
});
after(() => rmSync(dir, {recursive: true, force: true}));

function cliSamples(modelFile, args) {
  const out = join(dir, 'out.csv');
  execFileSync(cli, ['sample', '--model', modelFile, '--out', out, '-q', ...args]);
  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  return rows.flatMap((r) => r.split(',').map(Number));
}

function assertClose(a, b, what) {
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  assert.ok(worst < 2e-4, `${what}: worst relative difference ${worst}`);
}

for (const kind of kinds) {
  test(`${kind.name}: si sample and the package agree`, () => {
    const session = new si.TrainingSession(
        {...kind.config, network: {hidden: [24, 24]}, training: {batch: 64, seed: 4}, optimizer: {lr: 0.005}});
    session.step(40);
    const model = session.model();
    const file = join(dir, 'model.json');
    writeFileSync(file, model.toJSON());
    try {
      const defaults = model.samplingDefaults();
      if (!kind.noScore) {
        assert.equal(defaults.sde.epsUntil, kind.epsUntil, 'epsUntil default');
        if (kind.t1 !== undefined) assert.equal(defaults.sde.t1, kind.t1, 'SDE t1 default');
        assert.equal(defaults.sde.denoise, kind.denoise ?? false, 'denoise default');
        assert.equal(defaults.sde.score, kind.score ?? 'learned', 'score default');
      }
      // ODE, fixed steps, forward from the initial law.
      const ode = si.sampleODE(model, {n: 64, seed: 5, method: 'rk4', steps: 20}).samples;
      assertClose(
          cliSamples(file, ['--method', 'ode', '--ode-method', 'rk4', '--steps', '20', '--n', '64', '--seed', '5']),
          ode, 'ODE');
      // Backward: both start from the target.
      const back = si.sampleODE(model, {n: 32, seed: 6, method: 'heun', steps: 10, t0: 1, t1: 0}).samples;
      assertClose(
          cliSamples(
              file,
              [
                '--method', 'ode', '--ode-method', 'heun', '--steps', '10', '--n', '32', '--seed', '6', '--t0', '1',
                '--t1', '0'
              ]),
          back, 'backward ODE');
      if (kind.noScore) return;
      // SDE with the model's defaults (its eps, its noise-off time and interval).
      const sde = si.sampleSDE(model, {n: 64, seed: 7, steps: 30}).samples;
      assertClose(cliSamples(file, ['--method', 'sde', '--steps', '30', '--n', '64', '--seed', '7']), sde, 'SDE');
      // An explicit noise-off time is the same option in both.
      const cut = si.sampleSDE(model, {n: 64, seed: 8, steps: 30, eps: 1, epsUntil: 0.5}).samples;
      assertClose(
          cliSamples(
              file,
              ['--method', 'sde', '--steps', '30', '--n', '64', '--seed', '8', '--eps', '1', '--eps-until', '0.5']),
          cut, 'SDE with epsUntil');
      // And it matters: the same seed without the cut gives other samples.
      const uncut = si.sampleSDE(model, {n: 64, seed: 8, steps: 30, eps: 1, epsUntil: 1}).samples;
      assert.ok(uncut.some((v, i) => Math.abs(v - cut[i]) > 1e-3), 'epsUntil changes the samples');
      // The denoising step and the drift's score are the same options in both, and change the samples.
      if (kind.score === 'drift') {
        if (kind.config.fields !== 'b') {
          const plain = si.sampleSDE(model, {n: 64, seed: 7, steps: 30, denoise: 0.7, score: 'learned'});
          const learned = cliSamples(
              file, ['--method', 'sde', '--steps', '30', '--n', '64', '--seed', '7', '--denoise', '0.7', '--score', 'learned']);
          assertClose(learned, plain.samples, 'SDE with the learned score');
          assert.ok(plain.samples.some((v, i) => Math.abs(v - sde[i]) > 1e-3), 'the drift score changes the samples');
        }
        const odeDenoised = si.sampleODE(model, {n: 64, seed: 5, method: 'rk4', steps: 20, denoise: 0.6, snapshots: 3});
        assertClose(cliSamples(file, ['--method', 'ode', '--ode-method', 'rk4', '--steps', '20', '--n', '64', '--seed',
                                      '5', '--denoise', '0.6']), odeDenoised.samples, 'ODE with denoise');
        const times = Array.from(odeDenoised.times);
        assert.ok(times.length === 3 && times[0] === 0 && Math.abs(times[1] - 0.6) < 1e-9 && times[2] === 1,
            `frames over [0, denoise], then the jump: ${times}`);
      }
    } finally {
      model.delete();
      session.delete();
    }
  });
}
