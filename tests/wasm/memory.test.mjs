// Memory: objects freed with delete() give their wasm memory back, so a long-lived page can create,
// train, sample and drop sessions and models without the heap creeping up.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {gaussianEnds, loadSi} from './helpers.mjs';

const MiB = 1024 * 1024;

test('1,000 create/train/sample/delete cycles grow the wasm heap by less than 1 MiB', async (t) => {
  const si = await loadSi();
  const config = {network: {hidden: [32, 32]}, training: {batch: 64}};
  const cycle = (i) => {
    const session = new si.TrainingSession({...config, training: {...config.training, seed: i}});
    session.step(2);
    const model = session.model();
    const ode = si.sampleODE(model, {n: 64, seed: i, method: 'rk4', steps: 4, snapshots: 2, logDensity: true});
    const sde = si.sampleSDE(model, {n: 64, seed: i, steps: 4, t1: 0.99});
    model.evaluate('s', 0.5, ode.samples);
    si.logLikelihoodODE(model, sde.samples.subarray(0, 16), {method: 'euler', steps: 4});
    const copy = si.Model.fromJSON(model.toJSON());
    copy.delete();
    model.delete();
    session.delete();
    const ex = new si.ExactFields(gaussianEnds);
    si.sampleODE(ex, {n: 32, seed: i, method: 'heun', steps: 4});
    ex.delete();
  };
  for (let i = 0; i < 10; ++i) cycle(i);  // warm-up: lazily built statics, allocator free lists
  const start = si.memoryStats();
  for (let i = 0; i < 1000; ++i) cycle(i);
  const end = si.memoryStats();
  const heapGrowth = end.heapSize - start.heapSize;
  const allocatedGrowth = end.allocated - start.allocated;
  t.diagnostic(`heap ${start.heapSize} -> ${end.heapSize} bytes; allocated ${start.allocated} -> ${end.allocated}`);
  assert.ok(heapGrowth < MiB, `heap grew by ${heapGrowth} bytes`);
  assert.ok(allocatedGrowth < 64 * 1024, `allocated bytes grew by ${allocatedGrowth}`);
});
