// si.figure(kind, options): the paper's figures A-D (SPEC section 10) from the exact fields, read by the
// core's option readers (the same as `si figure`), and 1-D ends as first-class citizens of the package.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';

import {allFinite, loadSi, root} from './helpers.mjs';

const cli = process.env.SI_CLI ?? join(root, 'build', 'cli', 'si');

let si;
let dir;
before(async () => {
  si = await loadSi();
  dir = mkdtempSync(join(tmpdir(), 'si-figures-'));
});
after(() => rmSync(dir, {recursive: true, force: true}));

const finite = (a, what) => assert.ok(a.length > 0 && allFinite(a), `${what}: not all finite`);

test('figure kinds are listed', () => {
  assert.deepEqual([...si.figureKinds], ['densities', 'trajectories', 'linear-gamma', 'gmm-likelihood']);
});

test('figure A: densities of the documented shapes, each integrating to 1 on the grid', () => {
  const f = si.figure('densities');
  assert.equal(f.kind, 'densities');
  assert.equal(f.x.length, 150);
  assert.deepEqual(Array.from(f.times), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(f.heatT.length, 101);
  assert.deepEqual(f.rows.map((r) => r.interpolant.path), ['trig', 'trig', 'encoding-decoding']);
  const dx = f.x[1] - f.x[0];
  for (const r of f.rows) {
    assert.equal(r.curves.length, 5 * 150);
    assert.equal(r.heat.length, 101 * 150);
    finite(r.curves, r.label);
    for (let k = 0; k < 5; k++) {
      const c = r.curves.subarray(k * 150, (k + 1) * 150);
      // Trapezoid rule: the tails beyond [-10, 10] are far below 1e-3.
      let mass = 0;
      for (let j = 0; j + 1 < c.length; j++) mass += 0.5 * (c[j] + c[j + 1]) * dx;
      assert.ok(Math.abs(mass - 1) < 1e-3, `${r.label} at t = ${f.times[k]}: mass ${mass}`);
    }
    // The heatmap's first and last rows are the curves at t = 0 and t = 1.
    for (let j = 0; j < 150; j += 7) {
      assert.ok(Math.abs(r.heat[j] - r.curves[j]) < 1e-12);
      assert.ok(Math.abs(r.heat[100 * 150 + j] - r.curves[4 * 150 + j]) < 1e-12);
    }
  }
});

test('figure A matches `si figure densities --csv` of the native CLI', {skip: !existsSync(cli) && `${cli} missing`}, () => {
  const interpolants = ['linear/brownian', '{"path": "custom", "alpha": "cos(pi*t/2)", "beta": "sin(pi*t/2)", "gamma": "zero"}'];
  const csv = join(dir, 'a.csv');
  execFileSync(cli, ['figure', 'densities', '--rho1', '1/4 N(-2, 1) + 3/4 N(4, 0.5)', '--grid', '60', '--times', '0,0.3,1',
                     ...interpolants.flatMap((i) => ['--interpolant', i]), '--out', join(dir, 'a.svg'), '--csv', csv],
               {stdio: 'pipe'});
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).filter((l) => l.startsWith('curve'));
  const f = si.figure('densities', {
    rho1: '1/4 N(-2, 1) + 3/4 N(4, 0.5)',
    grid: 60,
    times: [0, 0.3, 1],
    interpolants: ['linear/brownian', {path: 'custom', alpha: 'cos(pi*t/2)', beta: 'sin(pi*t/2)', gamma: 'zero'}],
  });
  assert.equal(rows.length, 2 * 3 * 60);
  let worst = 0;
  rows.forEach((line, i) => {
    const value = Number(line.split(',').at(-1));
    const r = Math.floor(i / 180), k = Math.floor((i % 180) / 60), j = i % 60;
    worst = Math.max(worst, Math.abs(value - f.rows[r].curves[k * 60 + j]) / Math.max(1e-6, Math.abs(value)));
  });
  assert.ok(worst < 1e-5, `CLI and package differ by ${worst} (relative)`);
});

test('figure B: finite paths of the documented shapes; the noise level changes them, not their start', () => {
  const opts = {paths: 200, steps: 50, eps: [0, 0.5], interpolants: ['trig/zero', 'linear/brownian']};
  const f = si.figure('trajectories', opts);
  assert.equal(f.rows, 2);
  assert.equal(f.cols, 2);
  assert.equal(f.panels.length, 4);
  assert.deepEqual(f.rowLabels, ['ODE (eps = 0)', 'SDE, eps = 0.5']);
  for (const p of f.panels) {
    assert.equal(p.times.length, 51);
    assert.equal(p.nPaths, 200);
    assert.equal(p.paths.length, 200 * 51);
    assert.equal(p.heat.length, 101 * 150);
    finite(p.paths, p.sampler);
    assert.equal(p.marginals.length, 5);
    for (const m of p.marginals) {
      assert.equal(m.edges.length, 101);
      assert.equal(m.density.length, 100);
    }
  }
  const g = si.figure('trajectories', {...opts, eps: [0, 2]});
  const a = f.panels[2].paths, b = g.panels[2].paths;
  let same = 0, starts = 0;
  for (let j = 0; j < 200; j++) starts += a[j * 51] === b[j * 51];
  for (let i = 0; i < a.length; i++) same += a[i] === b[i];
  assert.equal(starts, 200, 'every row starts from the same draw of rho0');
  assert.ok(same < a.length * 0.05, `eps 0.5 and eps 2 give the same paths (${same} equal values)`);
  // The ODE row does not depend on the SDE rows' eps, nor any row on the others (the page recomputes one).
  assert.deepEqual(Array.from(f.panels[0].paths), Array.from(g.panels[0].paths));
  const alone = si.figure('trajectories', {...opts, eps: [2]});
  assert.deepEqual(Array.from(alone.panels[1].paths), Array.from(g.panels[3].paths));
});

test('figure C: three rows (SDE, ODE, ODE with gamma = 0) with histograms over rho_t', () => {
  const f = si.figure('linear-gamma', {paths: 3000, steps: 50});
  assert.equal(f.rows, 3);
  assert.deepEqual(f.panels.map((p) => p.eps), [5, 0, 0]);
  assert.equal(f.panels[2].interpolant.gamma, 'zero');
  for (const p of f.panels) {
    finite(p.paths, p.sampler);
    for (const m of p.marginals) {
      assert.ok(m.pValue > 1e-3, `${p.sampler} at t = ${m.t}: KS p = ${m.pValue}`);
      let mass = 0;
      for (let b = 0; b < m.density.length; b++) mass += m.density[b] * (m.edges[b + 1] - m.edges[b]);
      assert.ok(Math.abs(mass + m.outside / p.nPaths - 1) < 1e-9);
    }
  }
});

test('figure D: 2-D points coloured by log-likelihood on one shared scale', () => {
  const f = si.figure('gmm-likelihood', {n: 300, sdeSteps: 40, odeSteps: 40});
  assert.equal(f.dim, 2);
  assert.equal(f.panels.length, 3);
  for (const p of f.panels) {
    assert.equal(p.points.length, 600);
    for (const a of [p.points, p.logp, p.stdError, p.exact]) finite(a, p.label);
  }
  const all = f.panels.flatMap((p) => Array.from(p.logp));
  assert.ok(Math.abs(f.lo - 0.9 * Math.min(...all)) < 1e-9 && Math.abs(f.hi - 0.9 * Math.max(...all)) < 1e-9);
  // The ODE's likelihood is exact up to RK4's error.
  const ode = f.panels[2];
  for (let i = 0; i < 300; i++) assert.ok(Math.abs(ode.logp[i] - ode.exact[i]) < 1e-2);
});

test('bad figure options throw Errors naming the option', () => {
  const ten = Array.from({length: 10}, (_, i) => `N(${i}, 1)`).join(' + ');
  const bad = [
    ['densities', {grdi: 10}, /^grdi: unknown option 'grdi'.*allowed: .*heatTimes/],
    ['densities', {grid: 1}, /^grid: must be an integer in \[2, 100000\]/],
    ['densities', {times: [0, 2]}, /^times\[1\]: must be a number in \[0, 1\]/],
    ['densities', {rho0: '1/2 N(0, 1) + N(1, 1)'}, /^rho0: give every component a weight/],
    ['densities', {rho0: {type: 'checkerboard'}}, /^rho0: 'checkerboard' is not a Gaussian mixture/],
    ['densities', {interpolants: ['trig/zero', {path: 'custom', alpha: '1-t/2', beta: 't'}]},
     /^interpolants\[1\]\.alpha: '1-t\/2' must be 1 at t = 0/],
    ['densities', {interpolants: ['linear/wiggly']}, /^interpolants\[0\]\.gamma: unknown gamma 'wiggly'/],
    ['densities', {xmin: 3, xmax: 1}, /^xmax: must be greater than xmin/],
    ['trajectories', {eps: [0, -1]}, /^eps\[1\]: must be a number in \[0, 1000000\], got -1/],
    ['trajectories', {paths: 1e6, steps: 1e6}, /^paths: .*more than the limit/],
    ['trajectories', {paths: 2.5}, /^paths: must be an integer/],
    ['linear-gamma', {eps: 0}, /^eps: must be a number in \(0, 1000000\]/],
    ['gmm-likelihood', {sdePaths: 1}, /^sdePaths: must be an integer in \[2, 100000\]/],
    ['gmm-likelihood', {dim: 0}, /^dim: must be an integer in \[1, 4096\]/],
    ['gmm-likelihood', {dim: 300}, /^n: the likelihoods .*more than the limit/],
    ['trajectories', {rho0: ten, rho1: ten, paths: 10000, steps: 5000}, /^paths: the paths \(10000 paths x 5000 steps x 9 panels x 100 pairs of components\) needs/],
    ['trajectories', {eps: NaN}, /^eps: must be a finite number/],
    ['histograms', {}, /^kind: unknown figure 'histograms'; allowed: densities, trajectories, linear-gamma, gmm-likelihood/],
  ];
  for (const [kind, options, message] of bad) {
    assert.throws(() => si.figure(kind, options), (e) => e instanceof Error && message.test(e.message),
                  `${kind} ${JSON.stringify(options)}`);
  }
  // The module keeps working.
  assert.equal(si.figure('densities', {grid: 10, heatTimes: 2}).x.length, 10);
});

test('1-D ends are first class: TrainingSession, ExactFields and the samplers take d = 1', () => {
  const ends = {
    base: {type: 'gmm', weights: [0.5, 0.5], means: [[-3], [3]], covs: [[[0.25]], [[0.25]]]},
    target: {type: 'gaussian', mean: [1], cov: [[0.5]]},
    interpolant: {path: 'linear', gamma: 'brownian'},
  };
  const exact = new si.ExactFields(ends);
  assert.equal(exact.dim, 1);
  const ode = si.sampleODE(exact, {n: 4000, steps: 50, seed: 1});
  const sde = si.sampleSDE(exact, {n: 4000, steps: 100, eps: 1, seed: 1});
  for (const r of [ode, sde]) {
    assert.equal(r.samples.length, 4000);
    const mean = r.samples.reduce((a, b) => a + b, 0) / 4000;
    const v = r.samples.reduce((a, b) => a + (b - mean) ** 2, 0) / 4000;
    assert.ok(Math.abs(mean - 1) < 0.06 && Math.abs(v - 0.5) < 0.06, `target N(1, 0.5): mean ${mean}, var ${v}`);
  }
  const ll = si.logLikelihoodODE(exact, [1, 0], {steps: 50});
  const truth = [0, -1].map((d) => -0.5 * Math.log(2 * Math.PI * 0.5) - (d * d) / (2 * 0.5));
  assert.ok(Math.abs(ll[0] - truth[0]) < 1e-3 && Math.abs(ll[1] - truth[1]) < 1e-3, `log rho1: ${ll}`);
  assert.equal(si.sampleXt(ends, 0.5, 10, 0).length, 10);
  exact.delete();

  const session = new si.TrainingSession({...ends, network: {hidden: [16]}, training: {batch: 64, seed: 0}});
  assert.equal(session.dim, 1);
  const {losses} = session.step(5);
  assert.ok(Object.values(losses).every(Number.isFinite));
  const model = session.model();
  assert.equal(model.dim, 1);
  assert.equal(model.evaluate('b', 0.5, [0, 1, 2]).length, 3);
  assert.ok(allFinite(si.sampleSDE(model, {n: 50, seed: 2}).samples));
  assert.ok(allFinite(si.sampleODE(model, {n: 50, seed: 2}).samples));
  model.delete();
  session.delete();
});
