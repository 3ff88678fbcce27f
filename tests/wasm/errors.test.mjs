// Errors cross the boundary as JS Errors naming the field, leak nothing, and leave the module (and
// a session whose step blew up) usable.
import assert from 'node:assert/strict';
import {before, describe, test} from 'node:test';

import {allFinite, gaussianEnds, loadSi, smallConfig} from './helpers.mjs';

let si;
// assert.throws with a RegExp matches "Error: <message>"; these match the message itself.
const throwsMessage = (fn, pattern) =>
    assert.throws(fn, (e) => e instanceof Error && pattern.test(e.message), `should throw ${pattern}`);

before(async () => {
  si = await loadSi();
});

// The module still trains and samples.
function assertWorks() {
  const s = new si.TrainingSession({network: {hidden: [8]}, training: {batch: 16}});
  const r = s.step(2);
  assert.ok(Number.isFinite(r.losses.b));
  const m = s.model();
  assert.equal(si.sampleODE(m, {n: 4, method: 'euler', steps: 2}).samples.length, 8);
  m.delete();
  s.delete();
}

const badConfigs = [
  [{optimizer: {lr: -1}}, /^optimizer\.lr: must be a positive number/],
  [{optimizer: {lr: 'fast'}}, /^optimizer\.lr: must be a number/],
  [{network: {hidden: [0]}}, /^network\.hidden: /],
  [{network: {activation: 'bogus'}}, /^network\.activation: .*bogus/],
  [{interpolant: {path: 'nope'}}, /^interpolant\.path: .*nope/],
  [{interpolant: {path: 'linear', gamma: 'a-brownian', gamma_a: -2}}, /^interpolant\.gamma_a: /],
  [{training: {batch: 0}}, /^training\.batch: /],
  [{training: {seed: -3}}, /^training\.seed: /],
  [{fields: 'x+y'}, /^fields: /],
  [{fields: 's'}, /^fields: /],
  [{foo: 1}, /^foo: unknown field/],
  [{target: {type: 'moons', noise: -1}}, /^target\.noise: /],
  [{target: {type: 'teapot'}}, /^target(\.type)?: .*teapot/],
  [{base: 'checkerboard'}, /^base: /],
  [{sampling: {ode: {method: 'magic'}}}, /^sampling\.ode\.method: /],
];

describe('bad configs', () => {
  test('each raises an Error naming the field, and the module keeps working', () => {
    for (const [config, pattern] of badConfigs) {
      assert.throws(
          () => new si.TrainingSession(config),
          (e) => e instanceof Error && pattern.test(e.message),
          `${JSON.stringify(config)} should throw ${pattern}`,
      );
      assertWorks();
    }
  });

  test('a config that is not an object', () => {
    throwsMessage(() => new si.TrainingSession([1, 2]), /^config: must be an object/);
    throwsMessage(() => new si.TrainingSession(null), /^config: must be an object/);
  });

  test('ExactFields needs Gaussian mixtures at both ends', () => {
    throwsMessage(
        () => new si.ExactFields({...gaussianEnds, target: 'checkerboard'}),
        /^target: exact fields need a Gaussian mixture/);
    throwsMessage(() => new si.ExactFields({...gaussianEnds, extra: 1}), /^extra: unknown field/);
    assertWorks();
  });

  test('training.seed accepts integers up to 2^53 (as natively)', () => {
    const s = new si.TrainingSession({...smallConfig, training: {seed: 2 ** 40}});
    s.delete();
    assert.throws(() => new si.TrainingSession({...smallConfig, training: {seed: 2 ** 54}}), /training\.seed/);
  });
});

describe('bad arguments', () => {
  test('sampler options name the option', () => {
    const ex = new si.ExactFields(gaussianEnds);
    const cases = [
      [() => si.sampleODE(ex, {n: -1}), /^ode\.n: /],
      [() => si.sampleODE(ex, {method: 'magic'}), /^ode\.method: .*magic/],
      [() => si.sampleODE(ex, {snapshots: 1.5}), /^ode\.snapshots: must be an integer/],
      [() => si.sampleODE(ex, {atol: 0}), /^ode\.atol: must be a positive number/],
      [() => si.sampleODE(ex, {seed: -1}), /^ode\.seed: /],
      [() => si.sampleODE(ex, {nn: 10}), /^ode\.nn: unknown option/],
      [() => si.sampleODE(ex, {t1: 2}), /^ode\.t1: /],
      [() => si.sampleSDE(ex, {eps: -1}), /^sde\.eps: /],
      [() => si.sampleSDE(ex, {method: 'rk4'}), /^sde\.method: /],
      [() => si.logLikelihoodSDE(ex, [0, 0], {paths: 1}), /^sde\.paths: /],
      [() => si.logLikelihoodODE(ex, [0, 0, 1]), /^points: length 3 is not a multiple of the dimension 2/],
      [() => si.logLikelihoodODE(ex, 'abc'), /^points: must be an array/],
      [() => ex.evaluate('w', 0.5, [0, 0]), /^field: unknown field 'w'/],
      [() => ex.evaluate('b', '0.5', [0, 0]), /^t: must be a number/],
      [() => si.sampleODE({}, {}), /sampleODE: fields must be a Model or an ExactFields/],
      [() => si.sampleDistribution('checkerboard', 1.5), /^n: /],
      [() => si.sampleDistribution('checkerboard', 10, -2), /^seed: /],
      [() => si.energyDistance([0, 0], [1, 1], 0), /^d: /],
      [() => si.interpolantCoefficients({path: 'one-sided-linear', gamma: 'brownian'}, [0.5]), /^interpolant\.gamma: /],
      [() => si.Model.fromJSON('not json'), /^model: is not valid JSON/],
      [() => si.Model.fromJSON('{"format": "something-else"}'), /^[a-z.]+: /],
    ];
    for (const [call, pattern] of cases)
      assert.throws(call, (e) => e instanceof Error && pattern.test(e.message), String(pattern));
    ex.delete();
    assertWorks();
  });

  test('a session or model used after delete() throws', () => {
    const s = new si.TrainingSession(smallConfig);
    const m = s.model();
    s.delete();
    s.delete();  // harmless twice
    assert.ok(s.isDeleted);
    assert.throws(() => s.step(), /TrainingSession: used after delete\(\)/);
    m.dispose();
    assert.throws(() => m.evaluate('b', 0.5, [0, 0]), /Model: used after delete\(\)/);
    assert.throws(() => si.sampleODE(m, {n: 1}), /Model: used after delete\(\)/);
    assertWorks();
  });
});

describe('numerical blow-up', () => {
  test('a NaN/inf step throws and keeps the weights from before it', () => {
    const s = new si.TrainingSession({optimizer: {lr: 1e10}, network: {hidden: [16]}, training: {batch: 64}});
    const pts = [0, 0, 1, 1, -2, 0.5];
    s.step();  // finite, but leaves weights of order 1e10: the next loss overflows
    const before = s.model();
    const b0 = before.evaluate('b', 0.5, pts);
    assert.throws(() => s.step(), (e) => e instanceof Error && /NaN or inf/.test(e.message));
    assert.equal(s.stepCount, 1);
    const after = s.model();
    assert.deepEqual(after.evaluate('b', 0.5, pts), b0);
    assert.ok(allFinite(b0));
    // The session is still usable: its config, its model, and the same step fails the same way.
    assert.equal(s.config.optimizer.lr, 1e10);
    throwsMessage(() => s.step(), /NaN or inf/);
    assert.equal(s.stepCount, 1);
    before.delete();
    after.delete();
    s.delete();
    assertWorks();
  });

  test('an error inside step(k) keeps the steps before it', () => {
    const s = new si.TrainingSession({optimizer: {lr: 1e20}, network: {hidden: [16]}, training: {batch: 64}});
    assert.throws(() => s.step(5), /NaN or inf/);
    assert.equal(s.stepCount, 1);
    s.delete();
  });
});

describe('out of memory', () => {
  test('an allocation beyond the heap limit is an Error, and the module keeps working', () => {
    throwsMessage(() => si.sampleDistribution({type: 'gaussian', dim: 20}, 1e8, 1), /^out of memory: /);
    assertWorks();
  });
});

describe('errors leak nothing', () => {
  test('1,000 failing calls leave the allocated heap where it was', () => {
    const ex = new si.ExactFields(gaussianEnds);
    const fail = () => {
      assert.throws(() => new si.TrainingSession({optimizer: {lr: -1}, network: {hidden: [64, 64]}}));
      assert.throws(() => si.sampleODE(ex, {n: 10, method: 'magic'}));
      assert.throws(() => ex.evaluate('b', 0.5, [0, 0, 0]));
      assert.throws(() => si.logDensity({type: 'gmm', weights: [2]}, [0, 0]));
    };
    for (let i = 0; i < 20; ++i) fail();  // warm-up: lazily built statics
    const start = si.memoryStats().allocated;
    for (let i = 0; i < 1000; ++i) fail();
    const grown = si.memoryStats().allocated - start;
    assert.ok(grown < 4096, `allocated grew by ${grown} bytes over 4,000 errors`);
    ex.delete();
  });
});
