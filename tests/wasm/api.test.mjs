// Every class and function of the package, called through its public API (wasm/dist/index.js).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {before, describe, test} from 'node:test';
import {pathToFileURL} from 'node:url';

import {allFinite, dist, gaussianEnds, loadPackage, loadSi, smallConfig} from './helpers.mjs';

let si;
before(async () => {
  si = await loadSi();
});

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

describe('init', () => {
  test('exposes the version of package.json and the name lists', async () => {
    const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
    const {version} = await loadPackage();
    assert.equal(si.version, pkg.version);
    assert.equal(version, pkg.version);
    assert.deepEqual(
        [...si.pathNames], ['linear', 'trig', 'encoding-decoding', 'one-sided-linear', 'one-sided-trig', 'mirror']);
    assert.deepEqual([...si.gammaNames], ['brownian', 'a-brownian', 'zero', 'bsquared', 'sinesquared', 'sigmoid']);
    assert.deepEqual([...si.activationNames], ['relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid', 'softplus', 'silu']);
    assert.ok(si.distributionTypes.includes('checkerboard') && si.distributionTypes.includes('points'));
    assert.deepEqual([...si.fieldSets], ['b+s', 'b+eta', 'v+s', 'v+eta', 'b', 's']);
    assert.deepEqual([...si.odeMethods], ['euler', 'heun', 'rk4', 'dopri5']);
    assert.deepEqual([...si.sdeMethods], ['euler', 'heun', 'heun-karras']);
  });

  test('loads from wasmBinary, a path and a file: URL, each an independent instance', async () => {
    const {init} = await loadPackage();
    const wasmPath = join(dist, 'si.wasm');
    const fromBytes = await init({wasmBinary: readFileSync(wasmPath)});
    const fromPath = await init({wasmUrl: wasmPath});
    const fromUrl = await init({wasmUrl: pathToFileURL(wasmPath)});
    for (const m of [fromBytes, fromPath, fromUrl]) {
      assert.equal(m.sampleDistribution('checkerboard', 4, 1).length, 8);
      assert.notEqual(m.TrainingSession, si.TrainingSession);
    }
  });

  test('reports a missing wasm file clearly', async () => {
    const {init} = await loadPackage();
    await assert.rejects(init({wasmUrl: join(dist, 'missing.wasm')}), /ENOENT|missing\.wasm/);
  });
});

describe('TrainingSession', () => {
  test('steps, reports losses and fills the config defaults', () => {
    const session = new si.TrainingSession(smallConfig);
    try {
      assert.equal(session.dim, 2);
      assert.equal(session.stepCount, 0);
      const r1 = session.step();
      assert.equal(r1.step, 1);
      assert.equal(r1.lr, 2e-3);
      assert.deepEqual(Object.keys(r1.losses).sort(), ['b', 's']);
      const r = session.step(5);
      assert.equal(r.step, 6);
      assert.equal(session.stepCount, 6);
      assert.ok(Number.isFinite(r.losses.b) && Number.isFinite(r.losses.s));
      const c = session.config;
      assert.deepEqual(c.network.hidden, [32, 32]);
      assert.equal(c.training.batch, 128);
      assert.equal(c.interpolant.path, 'one-sided-linear');
      assert.equal(c.fields, 'b+s');
      assert.equal(c.optimizer.lr, 2e-3);
      assert.equal(c.sampling.ode.method, 'dopri5');
    } finally {
      session.delete();
    }
  });

  test('the same seed gives the same losses; another seed does not', () => {
    const run = (seed) => {
      const s = new si.TrainingSession({...smallConfig, training: {batch: 64, seed}});
      const r = s.step(3);
      s.delete();
      return r.losses;
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });

  test('every field set trains', () => {
    for (const [fields, path, gamma, base, target] of [
             ['b+eta', 'one-sided-linear', undefined, 'gaussian', 'moons'],
             ['v+s', 'linear', 'brownian', '8gaussians', 'checkerboard'],
             ['v+eta', 'trig', 'bsquared', 'gaussian', 'rings'],
             ['b', 'encoding-decoding', 'brownian', 'gaussian', 'spirals'],
             ['s', 'mirror', 'brownian', 'gaussian', 'pinwheel'],
    ]) {
      const s = new si.TrainingSession({
        base,
        target,
        fields,
        interpolant: {path, gamma},
        network: {hidden: [8]},
        training: {batch: 16},
      });
      const r = s.step(2);
      assert.ok(Object.values(r.losses).every(Number.isFinite), `${fields}: ${JSON.stringify(r.losses)}`);
      s.delete();
    }
  });
});

describe('Model', () => {
  test('evaluates fields and divergences; JSON round trip keeps it', () => {
    const session = new si.TrainingSession(smallConfig);
    session.step(3);
    const model = session.model();
    const pts = new Float32Array([0, 0, 1, -1, 2.5, 0.5]);
    try {
      assert.equal(model.dim, 2);
      assert.deepEqual([...model.fieldNames], ['b', 's', 'eta', 'v']);
      assert.equal(model.config.network.hidden.length, 2);
      for (const f of model.fieldNames) {
        const v = model.evaluate(f, 0.3, pts);
        assert.ok(v instanceof Float32Array);
        assert.equal(v.length, 6);
        assert.ok(allFinite(v));
        const div = model.divergence(f, 0.3, pts);
        assert.ok(div instanceof Float32Array);
        assert.equal(div.length, 3);
      }
      // One-sided: s = -eta / alpha.
      const s = model.evaluate('s', 0.3, pts);
      const eta = model.evaluate('eta', 0.3, pts);
      for (let i = 0; i < 6; ++i) close(s[i], -eta[i] / 0.7, 1e-5 * (1 + Math.abs(s[i])), 's = -eta/alpha');
      // Divergence of b against central differences of b.
      const h = 1e-2;
      const x = [0.4, -0.3];
      const b = (p) => model.evaluate('b', 0.5, p);
      const fd = (b([x[0] + h, x[1]])[0] - b([x[0] - h, x[1]])[0]) / (2 * h) +
          (b([x[0], x[1] + h])[1] - b([x[0], x[1] - h])[1]) / (2 * h);
      close(model.divergence('b', 0.5, x)[0], fd, 1e-2 * (1 + Math.abs(fd)), 'div b');
      // Nested points are accepted.
      assert.deepEqual(model.evaluate('b', 0.3, [[0, 0], [1, -1], [2.5, 0.5]]), model.evaluate('b', 0.3, pts));

      const text = model.toJSON();
      const file = JSON.parse(text);
      assert.equal(file.format, 'stochastic-interpolants-model');
      assert.equal(file.version, 1);
      const loaded = si.Model.fromJSON(text);
      assert.deepEqual(loaded.evaluate('b', 0.3, pts), model.evaluate('b', 0.3, pts));
      assert.deepEqual(loaded.fieldNames, model.fieldNames);
      loaded.delete();
      // A model is a snapshot: training on does not change it.
      const before = model.evaluate('b', 0.3, pts);
      session.step(2);
      assert.deepEqual(model.evaluate('b', 0.3, pts), before);
    } finally {
      model.delete();
      session.delete();
    }
  });

  test('a model without a score offers b and v only', () => {
    const s = new si.TrainingSession(
        {fields: 'b', interpolant: {path: 'linear'}, network: {hidden: [8]}, training: {batch: 8}});
    const m = s.model();
    assert.deepEqual([...m.fieldNames], ['b']);
    assert.throws(() => m.evaluate('s', 0.5, [0, 0]), /^Error: field: .*cannot evaluate 's'/);
    assert.throws(() => si.sampleSDE(m, {n: 4}), Error);
    m.delete();
    s.delete();
  });
});

describe('ExactFields', () => {
  test('fields agree with finite differences of log rho_t and with each other', () => {
    const ex = new si.ExactFields(gaussianEnds);
    try {
      assert.equal(ex.dim, 2);
      assert.deepEqual([...ex.fieldNames], ['b', 's', 'eta', 'v']);
      const t = 0.4;
      const x = [0.3, -0.7];
      const s = ex.evaluate('s', t, x);
      assert.ok(s instanceof Float64Array);
      const h = 1e-5;
      const lp = (p) => ex.logDensity(t, p)[0];
      close(s[0], (lp([x[0] + h, x[1]]) - lp([x[0] - h, x[1]])) / (2 * h), 1e-6, 'ds/dx0');
      close(s[1], (lp([x[0], x[1] + h]) - lp([x[0], x[1] - h])) / (2 * h), 1e-6, 'ds/dx1');
      // b = v - gamma gamma' s and s = -eta / gamma (linear path, brownian gamma).
      const {gamma, dgamma} = si.interpolantCoefficients(gaussianEnds.interpolant, [t]);
      const b = ex.evaluate('b', t, x);
      const v = ex.evaluate('v', t, x);
      const eta = ex.evaluate('eta', t, x);
      for (let i = 0; i < 2; ++i) {
        close(b[i], v[i] - gamma[0] * dgamma[0] * s[i], 1e-10, 'b = v - gg\'s');
        close(s[i], -eta[i] / gamma[0], 1e-10, 's = -eta/gamma');
      }
      const fb = (p) => ex.evaluate('b', t, p);
      const fd = (fb([x[0] + h, x[1]])[0] - fb([x[0] - h, x[1]])[0]) / (2 * h) +
          (fb([x[0], x[1] + h])[1] - fb([x[0], x[1] - h])[1]) / (2 * h);
      close(ex.divergence('b', t, x)[0], fd, 1e-6, 'div b');
      assert.equal(ex.divergence('s', t, [x, x]).length, 2);
      const xt = ex.sampleXt(t, 50, 3);
      assert.ok(xt instanceof Float64Array);
      assert.equal(xt.length, 100);
      assert.deepEqual(ex.sampleXt(t, 50, 3), xt);
    } finally {
      ex.delete();
    }
  });
});

describe('samplers', () => {
  test('sampleODE on exact fields lands on the target, with its log density', () => {
    const ex = new si.ExactFields(gaussianEnds);
    const r =
        si.sampleODE(ex, {n: 200, seed: 5, method: 'dopri5', atol: 1e-8, rtol: 1e-8, snapshots: 5, logDensity: true});
    ex.delete();
    assert.ok(r.samples instanceof Float32Array);
    assert.equal(r.samples.length, 400);
    assert.equal(r.snapshots.length, 5);
    assert.ok(r.snapshots.every((s) => s instanceof Float32Array && s.length === 400));
    assert.deepEqual([...r.times], [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(r.snapshots[4], r.samples);
    assert.ok(r.nfe > 0 && r.accepted > 0 && r.rejected >= 0);
    // The flow's log density at the samples is the target's.
    const exact = si.logDensity(gaussianEnds.target, r.samples);
    for (let i = 0; i < 200; ++i) close(r.logDensity[i], exact[i], 1e-4, `log rho1 at sample ${i}`);
  });

  test('fixed-step methods and the SDE sample the target too', () => {
    const ex = new si.ExactFields(gaussianEnds);
    const target = si.sampleDistribution(gaussianEnds.target, 2000, 11);
    for (const method of ['euler', 'heun', 'rk4']) {
      const r = si.sampleODE(ex, {n: 2000, seed: 1, method, steps: 100});
      assert.ok(si.energyDistance(r.samples, target) < 0.02, method);
    }
    for (const method of ['euler', 'heun', 'heun-karras']) {
      const r = si.sampleSDE(ex, {n: 2000, seed: 2, method, eps: 0.5, steps: 200, snapshots: 3});
      assert.equal(r.samples.length, 4000);
      assert.equal(r.snapshots.length, 3);
      assert.equal(r.times.length, 3);
      assert.ok(si.energyDistance(r.samples, target) < 0.03, `${method}: ${si.energyDistance(r.samples, target)}`);
    }
    // Same seed, same samples.
    assert.deepEqual(si.sampleSDE(ex, {n: 10, seed: 4}).samples, si.sampleSDE(ex, {n: 10, seed: 4}).samples);
    ex.delete();
  });

  test('log-likelihoods through the ODE and the SDE match the exact density', () => {
    const ex = new si.ExactFields(gaussianEnds);
    const pts = new Float64Array([-2, 0, 2, 1, 0, 0.5]);
    const exact = si.logDensity(gaussianEnds.target, pts);
    const ode = si.logLikelihoodODE(ex, pts, {atol: 1e-9, rtol: 1e-9});
    assert.ok(ode instanceof Float64Array);
    for (let i = 0; i < 3; ++i) close(ode[i], exact[i], 1e-5, `ODE log-likelihood ${i}`);
    const sde = si.logLikelihoodSDE(ex, pts, {eps: 0.5, steps: 200, paths: 400, seed: 3});
    assert.equal(sde.mean.length, 3);
    assert.equal(sde.stderr.length, 3);
    for (let i = 0; i < 3; ++i) close(sde.mean[i], exact[i], 5 * sde.stderr[i] + 0.05, `SDE log-likelihood ${i}`);
    ex.delete();
  });

  test('backward in time from the target, or from given start points', () => {
    const ex = new si.ExactFields(gaussianEnds);
    const base = si.sampleDistribution('gaussian', 2000, 21);
    const back = si.sampleODE(ex, {n: 2000, seed: 4, t0: 1, t1: 0, method: 'rk4', steps: 100, logDensity: true});
    assert.ok(si.energyDistance(back.samples, base) < 0.02, 'the backward flow lands on the base');
    const exact = si.logDensity('gaussian', back.samples);
    for (let i = 0; i < 20; ++i) close(back.logDensity[i], exact[i], 1e-4, `log rho0 at ${i}`);
    const sde = si.sampleSDE(ex, {n: 2000, seed: 5, t0: 1, t1: 0, steps: 200});
    assert.ok(si.energyDistance(sde.samples, base) < 0.03, 'the backward SDE lands on the base');
    // Given start points: the flow of the points themselves.
    const start = new Float64Array([0, 0, 1, -1]);
    const r = si.sampleODE(ex, {start, method: 'rk4', steps: 20, snapshots: 2});
    assert.equal(r.samples.length, 4);
    assert.deepEqual([...r.snapshots[0]], [0, 0, 1, -1]);
    const seeded = si.sampleODE(ex, {n: 5, seed: 9, method: 'rk4', steps: 20});
    const again = si.sampleODE(ex, {start: si.sampleDistribution('gaussian', 5, 9), method: 'rk4', steps: 20});
    for (let i = 0; i < 10; ++i) close(again.samples[i], seeded.samples[i], 1e-5, 'start = the seeded draws');
    assert.throws(() => si.sampleODE(ex, {start, n: 3}), (e) => /^ode\.n: is 3 but 2 start points/.test(e.message));
    assert.throws(() => si.sampleSDE(ex, {start: [0, 0, 1]}), (e) => /^start: length 3/.test(e.message));
    ex.delete();
  });

  test('the mirror path starts from the target and keeps it', () => {
    const mirror = {...gaussianEnds, interpolant: {path: 'mirror', gamma: 'brownian'}};
    const ex = new si.ExactFields(mirror);
    const target = si.sampleDistribution(gaussianEnds.target, 2000, 12);
    const r = si.sampleODE(ex, {n: 2000, seed: 3, method: 'rk4', steps: 50, snapshots: 3});
    for (const frame of r.snapshots) assert.ok(si.energyDistance(frame, target) < 0.02, 'every frame is the target');
    ex.delete();
  });

  test('models with derived fields sample on their training interval by default', () => {
    const session = new si.TrainingSession({
      fields: 'v+eta',
      interpolant: {path: 'linear', gamma: 'brownian'},
      network: {hidden: [16]},
      training: {batch: 32},
    });
    session.step(3);
    const model = session.model();
    session.delete();
    const ode = si.sampleODE(model, {n: 20, method: 'rk4', steps: 10, snapshots: 2});
    assert.ok(allFinite(ode.samples));
    assert.deepEqual([...ode.times], [1e-4, 1 - 1e-4]);
    const sde = si.sampleSDE(model, {n: 20, steps: 10});
    assert.ok(allFinite(sde.samples));
    model.delete();
  });

  test('a trained model samples, with snapshots, log densities and likelihoods', () => {
    const session = new si.TrainingSession(smallConfig);
    session.step(5);
    const model = session.model();
    session.delete();
    const r = si.sampleODE(model, {n: 50, seed: 1, method: 'rk4', steps: 10, snapshots: 2, logDensity: true});
    assert.equal(r.samples.length, 100);
    assert.equal(r.logDensity.length, 50);
    assert.ok(allFinite(r.samples) && allFinite(r.logDensity));
    const d = si.sampleODE(model, {n: 20});  // the model's defaults: dopri5
    assert.equal(d.samples.length, 40);
    const s = si.sampleSDE(model, {n: 30, seed: 2, steps: 20, t1: 0.999});
    assert.equal(s.samples.length, 60);
    const ll = si.logLikelihoodODE(model, r.samples.subarray(0, 10), {method: 'rk4', steps: 10});
    assert.equal(ll.length, 5);
    const lls = si.logLikelihoodSDE(model, [0, 0, 1, 1], {steps: 10, paths: 4});
    assert.equal(lls.mean.length, 2);
    model.delete();
  });
});

describe('functions', () => {
  test('sampleDistribution draws every type, reproducibly', () => {
    // The image types read images handed over as bytes (images.test.mjs): a small set each here.
    si.addImages({name: 'fashion-mnist', rows: 14, cols: 14, pixels: new Uint8Array(3 * 196).map((_, i) => i % 256)});
    si.addImages({name: 'pair', rows: 1, cols: 2, pixels: new Uint8Array([0, 255, 128, 64, 9, 200])});
    const specs = {
      points: {type: 'points', points: [[0, 0], [1, 1], [2, 0]]},
      gmm: gaussianEnds.target,
      'fashion-mnist': {type: 'fashion-mnist', size: 14},
      images: {type: 'images', name: 'pair'},
    };
    for (const type of si.distributionTypes) {
      const spec = specs[type] ?? type;
      const a = si.sampleDistribution(spec, 100, 3);
      assert.ok(a instanceof Float32Array, type);
      assert.equal(a.length, type === 'fashion-mnist' ? 19600 : 200, type);
      assert.ok(allFinite(a), type);
      assert.deepEqual(si.sampleDistribution(spec, 100, 3), a, type);
      assert.notDeepEqual(si.sampleDistribution(spec, 100, 4), a, type);
    }
    assert.equal(si.sampleDistribution({type: 'gaussian', dim: 3}, 5).length, 15);
  });

  test('logDensity: the checkerboard is uniform on its support; unknown densities throw', () => {
    const lp = si.logDensity('checkerboard', [1, 1, -3, -3, 1, -1]);
    assert.ok(lp instanceof Float64Array);
    close(lp[0], -Math.log(32), 1e-12, 'on support');
    close(lp[1], -Math.log(32), 1e-12, 'on support');
    assert.equal(lp[2], -Infinity);
    assert.throws(() => si.logDensity('moons', [0, 0]), /spec: .*moons/);
  });

  test('interpolantCoefficients of the linear path with the brownian gamma', () => {
    const ts = [0, 0.25, 1];
    const c = si.interpolantCoefficients({path: 'linear', gamma: 'brownian'}, ts);
    for (const k of ['alpha', 'beta', 'gamma', 'dalpha', 'dbeta', 'dgamma'])
      assert.ok(c[k] instanceof Float64Array && c[k].length === 3, k);
    assert.deepEqual([...c.alpha], [1, 0.75, 0]);
    assert.deepEqual([...c.beta], [0, 0.25, 1]);
    close(c.gamma[1], Math.sqrt(0.25 * 0.75), 1e-15, 'gamma');
    assert.deepEqual([...c.dalpha], [-1, -1, -1]);
    const one = si.interpolantCoefficients({path: 'one-sided-trig'}, 0.5);
    close(one.alpha[0], Math.cos(Math.PI / 4), 1e-15, 'one-sided-trig alpha');
    assert.equal(one.gamma[0], 0);
    const mirror = si.interpolantCoefficients({path: 'mirror', gamma: 'brownian'}, [0.5]);
    assert.equal(mirror.beta[0], 1);
    close(mirror.gamma[0], 0.5, 1e-15, 'mirror gamma');
  });

  test('sampleXt interpolates between any base and target', () => {
    const cfg = {base: 'gaussian', target: 'checkerboard', interpolant: {path: 'linear', gamma: 'brownian'}};
    const x1 = si.sampleXt(cfg, 1, 500, 2);
    assert.ok(x1 instanceof Float32Array);
    assert.equal(x1.length, 1000);
    assert.equal(si.checkerboardSupportShare(x1), 1);
    assert.ok(si.checkerboardSupportShare(si.sampleXt(cfg, 0, 500, 2)) < 0.7);
  });

  test('energyDistance and checkerboardSupportShare', () => {
    const a = si.sampleDistribution('checkerboard', 1000, 1);
    const b = si.sampleDistribution('checkerboard', 1000, 2);
    const g = si.sampleDistribution('gaussian', 1000, 3);
    assert.ok(si.energyDistance(a, b) < 0.02);
    assert.ok(si.energyDistance(a, g) > 0.3);
    assert.ok(Math.abs(si.energyDistance(a, a)) < 1e-10);
    assert.ok(si.energyDistance(new Float64Array([0, 0, 0]), new Float64Array([1, 1, 1]), 3) > 0);
    assert.equal(si.checkerboardSupportShare(a), 1);
    assert.equal(si.checkerboardSupportShare([1, 1, 1, -1]), 0.5);
  });

  test('results are JS-owned copies that survive heap growth', () => {
    const a = si.sampleDistribution('checkerboard', 100, 1);
    const copy = Float32Array.from(a);
    assert.ok(!(a.buffer instanceof SharedArrayBuffer));
    const before = si.memoryStats();
    const big = si.sampleDistribution('gaussian', 3_000_000, 1);  // grows the heap
    assert.ok(si.memoryStats().heapSize > before.heapSize);
    assert.deepEqual(a, copy);
    assert.equal(big.length, 6_000_000);
  });

  test('memoryStats reports the heap', () => {
    const m = si.memoryStats();
    assert.ok(m.heapSize >= 16 * 1024 * 1024);
    assert.ok(m.allocated > 0 && m.allocated < m.heapSize);
  });
});

describe('continuing training', () => {
  test('loadWeights continues from a saved model and rejects a mismatched one', () => {
    const a = new si.TrainingSession(smallConfig);
    a.step(20);
    const saved = si.Model.fromJSON(a.model().toJSON());
    const b = new si.TrainingSession(smallConfig);
    b.loadWeights(saved);
    const pts = new Float32Array([0.1, -0.2, 1.5, 0.7]);
    const m1 = a.model(), m2 = b.model();
    assert.deepEqual(Array.from(m2.evaluate('b', 0.4, pts)), Array.from(m1.evaluate('b', 0.4, pts)));
    const other = new si.TrainingSession({...smallConfig, network: {hidden: [5]}});
    assert.throws(() => other.loadWeights(saved), /^Error: model: /);
    assert.throws(() => other.loadWeights({}), TypeError);
    for (const o of [a, b, saved, m1, m2, other]) o.delete();
  });

  test('retune applies new training settings to the running model and keeps what it learned', () => {
    const plain = new si.TrainingSession(smallConfig);
    const tuned = new si.TrainingSession(smallConfig);
    plain.step(15);
    tuned.step(15);
    tuned.retune(smallConfig);  // the same settings: the run goes on exactly as without it
    plain.step(10);
    tuned.step(10);
    const pts = new Float32Array([0.1, -0.2, 1.5, 0.7]);
    const [m1, m2] = [plain.model(), tuned.model()];
    assert.deepEqual(Array.from(m2.evaluate('b', 0.4, pts)), Array.from(m1.evaluate('b', 0.4, pts)));
    const lr = 1e-4;
    tuned.retune({...smallConfig, optimizer: {lr}, training: {...smallConfig.training, steps: 500}});
    assert.equal(tuned.stepCount, 25);
    assert.equal(tuned.config.training.steps, 500);
    assert.equal(tuned.step(1).lr, lr);
    assert.throws(() => tuned.retune({...smallConfig, network: {hidden: [5]}}), /^Error: network: /);
    assert.throws(() => tuned.retune({...smallConfig, training: {...smallConfig.training, seed: 99}}),
                  /^Error: training\.seed: /);
    assert.throws(() => tuned.retune({...smallConfig, optimizer: {lr: -1}}), /^Error: optimizer\.lr: /);
    assert.equal(tuned.config.optimizer.lr, lr);  // refused: nothing changed
    for (const o of [plain, tuned, m1, m2]) o.delete();
  });
});
