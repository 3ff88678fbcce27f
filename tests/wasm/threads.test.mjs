// The threaded module (si-threads.*, Emscripten pthreads on Node's worker_threads): init({threads})
// chooses it, thread counts are checked, and its numbers are the single-threaded module's: the same
// losses at 1 thread (to float tolerance), bit-identical runs for a seed at 2 threads, and samples that
// do not depend on the thread count. The speeds are printed (diagnostics), never asserted.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {loadPackage} from './helpers.mjs';

// Big enough that a step's batch and a sampler's particles are split over both threads.
const config = Object.freeze({
  network: {hidden: [64, 64]},
  training: {batch: 512, seed: 7},
});
const STEPS = 30;

let pkg, plain, threaded;
before(async () => {
  pkg = await loadPackage();
  plain = await pkg.init({threads: 1});
  threaded = await pkg.init({threads: 2});
});
after(() => {
  threaded.threads = 2;
});

function losses(si, threads, steps = STEPS) {
  const s = new si.TrainingSession(config);
  try {
    s.threads = threads;
    assert.equal(s.threads, threads);
    const out = [];
    for (let i = 0; i < steps; ++i) {
      const {losses: l} = s.step();
      out.push(l.b, l.s);
    }
    return out;
  } finally {
    s.delete();
  }
}

test('init({threads: 2}) loads the threaded module with 2 threads; threads: 1 and "auto" the plain one', async () => {
  assert.equal(threaded.threaded, true);
  assert.equal(threaded.maxThreads, 2);
  assert.equal(threaded.threads, 2);
  assert.equal(threaded.singleThreadedReason, null);
  const s = new threaded.TrainingSession(config);
  assert.equal(s.threads, 2, 'a new session takes the module\'s thread count');
  s.delete();
  assert.equal(plain.threaded, false);
  assert.equal(plain.maxThreads, 1);
  assert.equal(plain.threads, 1);
  assert.match(plain.singleThreadedReason, /one thread/);
  const auto = await pkg.init();
  assert.equal(auto.threaded, false, "'auto' stays single-threaded in Node");
});

test('bad thread counts are Errors naming "threads" and the values allowed', async () => {
  for (const bad of [0, 1000, 'x', 1.5, -1, NaN, null]) {
    await assert.rejects(pkg.init({threads: bad}), (e) => e instanceof Error &&
        /^threads: must be 'auto' or an integer in \[1, 64\], got /.test(e.message), `init({threads: ${String(bad)}})`);
  }
  for (const bad of [0, 3, 'x', 1.5]) {
    assert.throws(() => {
      threaded.threads = bad;
    }, /^Error: threads: must be an integer in \[1, 2\]/);
    assert.throws(() => {
      plain.threads = bad;
    }, /^Error: threads: must be an integer in \[1, 1\] \(.*single-threaded/);
  }
  const s = new threaded.TrainingSession(config);
  assert.throws(() => {
    s.threads = 5;
  }, /^Error: threads: must be an integer in \[1, 2\]/);
  assert.equal(s.threads, 2, 'a refused count changes nothing');
  s.delete();
  assert.equal(threaded.threads, 2);
});

test('at 1 thread the threaded module trains as the single-threaded one (losses to relative 1e-6)', () => {
  const a = losses(plain, 1), b = losses(threaded, 1);
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-3));
  assert.ok(worst <= 1e-6, `largest relative difference ${worst}`);
});

test('at 2 threads a seed gives bit-identical runs; the batch is really split (the sums differ in the last bits)', (t) => {
  const a = losses(threaded, 2), b = losses(threaded, 2);
  assert.deepEqual(a, b);
  const one = losses(threaded, 1);
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - one[i]) / Math.max(Math.abs(one[i]), 1e-3));
  assert.ok(worst > 0, 'the 2-thread losses are those of 1 thread to the bit: was the batch split at all?');
  assert.ok(worst < 1e-3, `1 and 2 threads disagree by ${worst}`);
  t.diagnostic(`losses at 1 and 2 threads differ by ${worst.toExponential(2)} (relative, largest of ${a.length})`);
});

test('samples do not depend on the thread count (ODE and SDE, threaded and plain module)', () => {
  const s = new threaded.TrainingSession(config);
  s.step(5);
  const model = s.model();
  const json = model.toJSON();
  s.delete();
  const draw = (si, threads) => {
    si.threads = threads;
    const m = si.Model.fromJSON(json);
    try {
      return [si.sampleODE(m, {n: 2000, seed: 3, method: 'rk4', steps: 20}).samples,
        si.sampleSDE(m, {n: 2000, seed: 3, steps: 20}).samples];
    } finally {
      m.delete();
    }
  };
  const ref = draw(plain, 1);
  assert.deepEqual(draw(threaded, 1), ref);
  assert.deepEqual(draw(threaded, 2), ref);
  model.delete();
});

test('speed of a training step at 1 and 2 threads (printed, not asserted)', (t) => {
  const big = {network: {hidden: [256, 256, 256, 256]}, training: {batch: 2000, seed: 1}};
  const time = (threads) => {
    const s = new threaded.TrainingSession(big);
    s.threads = threads;
    s.step(2);
    const t0 = performance.now();
    s.step(5);
    const ms = (performance.now() - t0) / 5;
    s.delete();
    return ms;
  };
  const t1 = time(1), t2 = time(2), t1b = time(1), t2b = time(2);
  t.diagnostic(`reference step (4 x 256, batch 2000): ${t1.toFixed(0)} / ${t2.toFixed(0)} ms at 1 / 2 threads (${
      (t1 / t2).toFixed(2)}x), again ${t1b.toFixed(0)} / ${t2b.toFixed(0)} ms (${(t1b / t2b).toFixed(2)}x)`);
});
