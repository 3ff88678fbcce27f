// Compiled (not run) by types.test.mjs with tsc --strict: every call of the public API, typed as a
// user would write it, plus calls the types must reject (@ts-expect-error).
import {
  init,
  version,
  type ExactFields,
  type FullTrainingConfig,
  type Model,
  type SampleOdeResult,
  type StepResult,
  type StochasticInterpolants,
  type TrainingConfig,
  type TrainingSession,
} from 'stochastic-interpolants';

export async function usage(): Promise<void> {
  const v: string = version;
  const si: StochasticInterpolants = await init();
  await init({ wasmUrl: new URL('./si.wasm', 'https://example.org/') });
  await init({ wasmUrl: '/assets/si.wasm' });
  await init({ wasmBinary: new Uint8Array(8) });
  await init({ wasmBinary: new ArrayBuffer(8) });
  await init({ threads: 'auto' });
  const threaded = await init({ threads: 2, threadsWorkerUrl: '/assets/si-threads.worker.js' });
  const isThreaded: boolean = threaded.threaded;
  const max: number = threaded.maxThreads;
  const why: string | null = threaded.singleThreadedReason;
  threaded.threads = 1;
  const ts = new threaded.TrainingSession({});
  ts.threads = max;
  const inUse: number = ts.threads;
  ts.delete();
  void [isThreaded, why, inUse];
  // @ts-expect-error: threads is 'auto' or a number
  await init({ threads: 'all' });
  // @ts-expect-error: threaded is read-only
  threaded.threaded = false;
  const names: string[] = [v, si.version, ...si.pathNames, ...si.gammaNames, ...si.activationNames, ...si.distributionTypes, ...si.fieldSets, ...si.odeMethods, ...si.sdeMethods];

  const config: TrainingConfig = {
    base: { type: 'gaussian' },
    target: 'checkerboard',
    interpolant: { path: 'one-sided-linear', gamma: 'zero' },
    fields: 'b+s',
    network: { hidden: [128, 128, 128], activation: 'relu' },
    optimizer: { lr: 2e-3, step_size: 1500, decay: 0.4, clip: 0 },
    training: { steps: 7000, batch: 512, seed: 0, t_lo: 1e-4, t_hi: 1e-4, antithetic: true },
    sampling: { ode: { method: 'dopri5', atol: 1e-5, rtol: 1e-5, steps: 200 }, sde: { method: 'heun', eps: 0.5, steps: 100 } },
  };
  const session: TrainingSession = new si.TrainingSession(config);
  const r: StepResult = session.step(10);
  const loss: number | undefined = r.losses.b;
  const n: number = session.stepCount + session.dim + r.step + r.lr + (loss ?? 0);
  const full: FullTrainingConfig = session.config;
  const lr: number = full.optimizer.lr;
  const model: Model = session.model();
  const b: Float32Array = model.evaluate('b', 0.5, new Float32Array([0, 0]));
  const div: Float32Array = model.divergence('s', 0.5, [[0, 0], [1, 1]]);
  const fields: readonly string[] = model.fieldNames;
  const text: string = model.toJSON();
  const again: Model = si.Model.fromJSON(text);
  const hidden: number[] = again.config.network.hidden;

  const ode: SampleOdeResult = si.sampleODE(model, { n: 1000, seed: 1, method: 'rk4', steps: 50, snapshots: 10, logDensity: true, t0: 0, t1: 1 });
  const frames: Float32Array[] = ode.snapshots;
  const times: Float64Array = ode.times;
  const logp: Float64Array | undefined = ode.logDensity;
  const stats: number = ode.nfe + ode.accepted + ode.rejected;
  const sde = si.sampleSDE(model, { n: 1000, seed: 2, eps: 0.5, method: 'heun-karras', steps: 100, snapshots: 0 });
  const sdeSamples: Float32Array = sde.samples;
  const ll: Float64Array = si.logLikelihoodODE(model, ode.samples, { method: 'dopri5', atol: 1e-5, rtol: 1e-5 });
  const lls = si.logLikelihoodSDE(model, ode.samples, { eps: 0.5, steps: 100, paths: 20, seed: 3 });
  const mean: Float64Array = lls.mean;
  const stderr: Float64Array = lls.stderr;

  const ex: ExactFields = new si.ExactFields({
    base: 'gaussian',
    target: { type: 'gmm', weights: [0.5, 0.5], means: [[-1, 0], [1, 0]], covs: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] },
    interpolant: { path: 'linear', gamma: 'a-brownian', gamma_a: 2 },
  });
  const eb: Float64Array = ex.evaluate('eta', 0.3, [0, 0]);
  const ed: Float64Array = ex.divergence('b', 0.3, [0, 0]);
  const elp: Float64Array = ex.logDensity(0.3, [0, 0]);
  const ext: Float64Array = ex.sampleXt(0.3, 100, 4);
  si.sampleODE(ex);
  si.sampleSDE(ex, { n: 10 });

  const pts: Float32Array = si.sampleDistribution({ type: 'moons', noise: 0.1 }, 100, 5);
  const dens: Float64Array = si.logDensity('checkerboard', pts);
  const c = si.interpolantCoefficients({ path: 'trig', gamma: 'sinesquared' }, [0, 0.5, 1]);
  const alpha: Float64Array = c.alpha;
  const one = si.interpolantCoefficients({ path: 'mirror' }, 0.5);
  const xt: Float32Array = si.sampleXt({ base: 'gaussian', target: 'checkerboard', interpolant: { path: 'linear' } }, 0.5, 100, 6);
  const ed2: number = si.energyDistance(pts, xt) + si.energyDistance(pts, xt, 2);
  const share: number = si.checkerboardSupportShare(pts);
  const mem: number = si.memoryStats().heapSize + si.memoryStats().allocated;
  const deleted: boolean = model.isDeleted;

  // @ts-expect-error: unknown field name
  model.evaluate('w', 0.5, [0, 0]);
  // @ts-expect-error: time must be a number
  model.evaluate('b', '0.5', [0, 0]);
  // @ts-expect-error: k must be a number
  session.step('10');
  // Names of the core's tables are open strings (a name added to a table type-checks without a
  // types edit); the editor still suggests the known ones, and the core rejects unknown ones.
  const methods: readonly string[] = si.catalog.odeMethod.map((m) => m.name);
  // @ts-expect-error: models come from session.model() or Model.fromJSON()
  new si.Model();
  // @ts-expect-error: only b and s have exact divergences
  ex.divergence('v', 0.5, [0, 0]);

  // The paper's figures: options and results typed by kind.
  const figA = si.figure('densities', {rho0: '1/2 N(-3, 0.25) + 1/2 N(3, 0.25)', interpolants: ['trig/zero', {path: 'custom', alpha: '1-t', beta: 't'}]});
  const curves: Float64Array = figA.rows[0].curves;
  const figB = si.figure('trajectories', {eps: [0, 0.5], paths: 100});
  const paths: Float64Array = figB.panels[0].paths;
  const pValue: number = figB.panels[0].marginals[0].pValue;
  const figD = si.figure('gmm-likelihood', {n: 100, baseComponents: 2});
  const scale: [number, number] = [figD.lo, figD.hi];
  const kinds: readonly string[] = si.figureKinds;
  // @ts-expect-error: figure A has no eps
  si.figure('densities', {eps: 1});
  // @ts-expect-error: an unknown figure
  si.figure('histograms');
  void [curves, paths, pValue, scale, kinds];

  // Images: bytes in, named in configs, the core's image figures out.
  const count: number = si.addImages({name: 'fashion-mnist', split: 'train', rows: 14, cols: 14, pixels: new Uint8Array(196), labels: new Uint8Array(1)});
  const stored: string[] = si.storedImages();
  const x1: Float32Array = si.imagePoints('fashion-mnist', 'train', 0, 1);
  const imageSession = new si.TrainingSession({base: {type: 'gaussian', dim: 196}, target: {type: 'fashion-mnist', size: 14, split: 'train'}});
  const imageModel = imageSession.model();
  const grid = si.imageFigure('eps-grid', imageModel, {eps: [0, 1, 2], frames: 5});
  const frames0: Float32Array = grid.rows[0];
  const rowEps: Float64Array = grid.rowEps;
  const strip = si.imageFigure('mirror', imageModel, {image: x1, rows: 2});
  // @ts-expect-error: pixels are bytes
  si.addImages({name: 'x', rows: 2, cols: 2, pixels: new Float32Array(4)});
  // @ts-expect-error: the mirror strip needs its start image
  si.imageFigure('mirror', imageModel, {rows: 2});
  void [count, stored, frames0, rowEps, strip];
  imageModel.delete();
  imageSession.delete();

  model.delete();
  again.dispose();
  session.delete();
  ex.delete();
  void [names, n, lr, b, div, fields, hidden, frames, times, logp, stats, sdeSamples, ll, mean, stderr, eb, ed, elp, ext, dens, alpha, one, ed2, share, mem, deleted];
}
