// A module Web Worker running the package (how the web app trains off the main thread).
import {init} from './node_modules/stochastic-interpolants/index.js';

const si = await init();
const session = new si.TrainingSession({network: {hidden: [16]}, training: {batch: 32}});
const step = session.step(3);
const ex = new si.ExactFields({
  target: {type: 'gmm', weights: [1], means: [[1, 1]], covs: [[[0.5, 0], [0, 0.5]]]},
  interpolant: {path: 'linear'},
});
const {samples} = si.sampleSDE(ex, {n: 8, steps: 10});
ex.delete();
session.delete();
postMessage({step: step.step, losses: step.losses, samples: samples.length});
