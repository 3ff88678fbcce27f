/// <reference lib="webworker" />
// The training worker: owns the wasm module, the training session and model snapshots. It trains in
// chunks of ~40 ms so that messages (pause, eps, view changes) are answered between chunks, and every
// so often draws samples and quality figures from a snapshot of the model.
import { init } from 'stochastic-interpolants';
import type {
  ExactFields, FieldName, FullTrainingConfig, Model, OdeMethod, OdeOptions, SdeMethod, StochasticInterpolants, TrainingConfig,
  TrainingSession,
} from 'stochastic-interpolants';
import wasmUrl from 'stochastic-interpolants/si.wasm?url';
import type { FromWorker, Grid, SampleSet, ToWorker, ViewRequest } from './protocol';
import { gridPoints } from './protocol';
import type { SamplerOptions } from './settings';

type SI = StochasticInterpolants;
type Session = TrainingSession;
type Exact = ExactFields;

const ctx = self as unknown as DedicatedWorkerGlobalScope;
const CHUNK_MS = 40;
const SNAPSHOTS = 21;
const HELDOUT = 256;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  ctx.postMessage(msg, transfer);
}
function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'number') return `internal error (wasm exception ${e})`;
  return String(e);
}
function free(o: { delete(): void } | null | undefined): void {
  try {
    o?.delete();
  } catch {
    // already deleted
  }
}

interface Run {
  gen: number;
  config: FullTrainingConfig;
  session: Session;
  model: Model;
  modelStep: number;
  /** Steps the imported weights had been trained for before this session (0 for a fresh run). */
  stepOffset: number;
  imported: boolean;
  exact: Exact | null;
  sampler: SamplerOptions;
  maxSteps: number;
  view: ViewRequest;
  targetRef: Float32Array;
  heldout: Float32Array;
  checkerboard: boolean;
  canSde: boolean;
  last?: SampleSet;
  xtTimes?: Float64Array;
}

let si: SI | null = null;
let run: Run | null = null;
let gen = 0;
let running = false;
let chunkK = 1;
let lastRefresh = 0;
let refreshMs = 0;
let refreshCount = 0;
let lastDensityStep = -1;
const rate: { t: number; step: number }[] = [];
const inbox: ToWorker[] = [];
let pumping = false;

const channel = new MessageChannel();
channel.port1.onmessage = () => pump();
function schedule(): void {
  if (!pumping) {
    pumping = true;
    channel.port2.postMessage(0);
  }
}

ctx.onmessage = (ev: MessageEvent<ToWorker>) => {
  inbox.push(ev.data);
  schedule();
};

async function start(): Promise<void> {
  try {
    si = await init({ wasmUrl });
    post({
      type: 'ready',
      version: si.version,
      names: {
        paths: [...si.pathNames], gammas: [...si.gammaNames], activations: [...si.activationNames],
        distributions: [...si.distributionTypes], fieldSets: [...si.fieldSets],
      },
    });
    schedule();
  } catch (e) {
    post({ type: 'error', where: 'startup', message: `could not load the wasm module: ${errorText(e)}` });
  }
}

function pump(): void {
  pumping = false;
  if (!si) return;
  // Only the newest of a burst of re-sample / view requests matters (e.g. dragging the eps slider).
  const msgs = inbox.splice(0);
  const lastIndex = new Map<string, number>();
  msgs.forEach((m, i) => lastIndex.set(m.type, i));
  msgs.forEach((m, i) => {
    const coalesce = m.type === 'sample' || m.type === 'view' || m.type === 'sampler' || m.type === 'density';
    if (coalesce && lastIndex.get(m.type) !== i) return;
    try {
      handle(m);
    } catch (e) {
      post({ type: 'error', where: m.type, message: errorText(e) });
    }
  });
  if (running && run) trainChunk();
  if (running || inbox.length) schedule();
}

/** Steps behind the current weights, counting those of an imported model. */
function stepsDone(r: Run): number {
  return r.stepOffset + r.session.stepCount;
}

function setRunning(r: boolean, reason?: string): void {
  running = r;
  rate.length = 0;
  if (run) post({ type: 'state', gen: run.gen, running, step: stepsDone(run), reason });
}

function handle(m: ToWorker): void {
  switch (m.type) {
    case 'configure':
      return configure(m.config, m.sampler, m.maxSteps, m.view, m.play);
    case 'play':
    case 'step':
      if (!run) return;
      if (stepsDone(run) >= run.maxSteps) {
        post({ type: 'error', where: 'training', message: `reached the step limit (${run.maxSteps}); raise "stop at step" or reset` });
        return;
      }
      if (m.type === 'play') return setRunning(true);
      setRunning(false);
      trainSteps(m.k);
      return refresh(true);
    case 'pause':
      setRunning(false);
      if (run) refresh(true);
      return;
    case 'sampler':
      if (!run) return;
      run.sampler = m.sampler;
      return refresh(true);
    case 'sample':
      if (!run) return;
      run.sampler = { ...run.sampler, sde: { ...run.sampler.sde, eps: m.eps } };
      return resampleSde();
    case 'view': {
      if (!run) return;
      const old = run.view;
      run.view = m.view;
      if (old.fieldT !== m.view.fieldT || old.field !== m.view.field || old.fieldGrid.n !== m.view.fieldGrid.n ||
          old.fieldGrid.ext !== m.view.fieldGrid.ext) {
        computeField();
      }
      if (old.densityGrid.ext !== m.view.densityGrid.ext || old.densityGrid.n !== m.view.densityGrid.n) {
        computeDensity(true);
      }
      return;
    }
    case 'density':
      return computeDensity(true);
    case 'export':
      if (run) post({ type: 'model', json: withStep(snapshot().toJSON(), run.modelStep) });
      return;
    case 'import':
      return importModel(m.json, m.step, m.sampler, m.maxSteps, m.view);
  }
}

function configure(config: Record<string, unknown>, sampler: SamplerOptions, maxSteps: number, view: ViewRequest,
  play: boolean): void {
  let session: Session;
  try {
    session = new si!.TrainingSession(config as TrainingConfig);
  } catch (e) {
    // The previous run (if any) stays as it was, paused, so nothing learned is lost.
    setRunning(false, 'bad settings');
    post({ type: 'error', where: 'settings', message: errorText(e) });
    if (run) refresh(true);
    return;
  }
  replaceRun(session, 0, false, sampler, maxSteps, view);
  // The untrained model's density says nothing: the first heatmap comes after some training.
  refresh(false);
  if (play) setRunning(true);
}

/** The model file with the page's step counter (an extra top-level key, ignored by Model.fromJSON and
 * by the command-line tool; the library's own "steps" counts only the current session's steps). */
function withStep(json: string, step: number): string {
  const i = json.indexOf('{');
  return `{"web_app": {"steps_trained": ${Math.max(0, step)}},${json.slice(i + 1)}`;
}

/** A saved model becomes the current run: a session with the model's own config continues from its
 * weights and its recorded steps (fresh optimiser moments), paused, step counter going on from `step`. */
function importModel(json: string, step: number, sampler: SamplerOptions, maxSteps: number, view: ViewRequest): void {
  const s = si!;
  let model: Model | null = null;
  let session: Session | null = null;
  try {
    model = s.Model.fromJSON(json);
    session = new s.TrainingSession(model.config);
    session.loadWeights(model);
  } catch (e) {
    free(session);
    throw e; // reported by pump(); the current run goes on as it was
  } finally {
    free(model);
  }
  // loadWeights already counts the file's own "steps"; only the rest of the page's count is an offset.
  replaceRun(session, Math.max(0, step - session.stepCount), true, sampler, maxSteps, view);
  refresh(true);
}

function replaceRun(session: Session, stepOffset: number, imported: boolean, sampler: SamplerOptions,
  maxSteps: number, view: ViewRequest): void {
  setRunning(false, imported ? 'imported' : undefined);
  if (run) {
    free(run.session);
    free(run.model);
    free(run.exact);
  }
  install(session, stepOffset, imported, sampler, maxSteps, view);
}

/** Makes the session the current run and sends the page what does not depend on training. */
function install(session: Session, stepOffset: number, imported: boolean, sampler: SamplerOptions, maxSteps: number,
  view: ViewRequest): void {
  const model = session.model();
  const s = si!;
  gen++;
  const full = model.config;
  const seed = full.training.seed;
  const { target, base } = full;
  let exact: Exact | null = null;
  try {
    exact = new s.ExactFields({ base, target, interpolant: full.interpolant });
  } catch {
    exact = null; // exact fields exist only when both ends are Gaussian mixtures
  }
  const targetRef = s.sampleDistribution(target, sampler.n, seed + 101);
  const baseSamples = s.sampleDistribution(base, sampler.n, seed + 102);
  const heldout = s.sampleDistribution(target, HELDOUT, seed + 103);
  let trueNll: number | undefined;
  try {
    const lp = s.logDensity(target, heldout);
    const mean = lp.reduce((a, b) => a + b, 0) / lp.length;
    if (Number.isFinite(mean)) trueNll = -mean;
  } catch {
    trueNll = undefined; // density not known in closed form for this data set
  }
  const ts = Float64Array.from({ length: 101 }, (_, i) => i / 100);
  const c = s.interpolantCoefficients(full.interpolant, ts);
  const fieldNames: string[] = [...model.fieldNames];
  run = {
    gen, config: full, session, model, modelStep: stepOffset + session.stepCount, stepOffset, imported, exact, sampler,
    maxSteps, view, targetRef, heldout,
    checkerboard: (typeof target === 'string' ? target : target.type) === 'checkerboard',
    canSde: fieldNames.includes('s'),
  };
  chunkK = 1;
  refreshCount = 0;
  lastDensityStep = -1;
  post({
    type: 'configured', gen, config: full as unknown as Record<string, unknown>, fieldNames, imported,
    step: stepOffset + session.stepCount,
    target: targetRef.slice(), base: baseSamples, exact: !!exact, trueNll, checkerboard: run.checkerboard,
    coeffs: { t: ts, alpha: c.alpha, beta: c.beta, gamma: c.gamma },
  });
}

/** Takes k steps; on a blow-up stops cleanly (the session restored its weights) and says so. */
function trainSteps(k: number): number {
  const r = run!;
  const t0 = performance.now();
  const left = r.maxSteps - stepsDone(r);
  k = Math.max(0, Math.min(k, left));
  if (k === 0) return 0;
  try {
    const res = r.session.step(k);
    const now = performance.now();
    const step = r.stepOffset + res.step;
    rate.push({ t: now, step });
    while (rate.length > 2 && now - rate[0].t > 3000) rate.shift();
    const span = rate.length > 1 ? (rate[rate.length - 1].t - rate[0].t) / 1000 : 0;
    const sps = span > 0 ? (rate[rate.length - 1].step - rate[0].step) / span : k / ((now - t0) / 1000);
    post({ type: 'progress', gen: r.gen, step, lr: res.lr, losses: res.losses, stepsPerSec: sps, running });
  } catch (e) {
    setRunning(false, 'error');
    post({ type: 'error', where: 'training', message: `${errorText(e)} — training stopped; the model from before the failing step is kept.` });
    refresh(true);
    return 0;
  }
  if (stepsDone(r) >= r.maxSteps) {
    setRunning(false, 'done');
    refresh(true);
    computeDensity();
  }
  return performance.now() - t0;
}

function trainChunk(): void {
  const ms = trainSteps(chunkK);
  if (ms > 0) {
    const perStep = ms / chunkK;
    chunkK = Math.max(1, Math.min(500, Math.round((0.7 * CHUNK_MS) / perStep + 0.3 * chunkK)));
  }
  // Figures take a share of the time that shrinks as they get slower (at most ~1/3).
  const now = performance.now();
  if (running && now - lastRefresh > Math.max(1500, 2 * refreshMs)) refresh(false);
}

function snapshot(): Model {
  const r = run!;
  if (r.modelStep !== stepsDone(r)) {
    free(r.model);
    r.model = r.session.model();
    r.modelStep = stepsDone(r);
  }
  return r.model;
}

/** New samples (ODE and SDE), quality figures, the field view and now and then NLL and density. */
function refresh(all: boolean): void {
  const r = run!;
  const s = si!;
  const t0 = performance.now();
  const model = snapshot();
  const o = r.sampler;
  const set: SampleSet = { step: r.modelStep, eps: o.sde.eps, odeSnaps: [], sdeSnaps: [], times: new Float64Array(0), metrics: {}, ms: 0 };
  try {
    const ode = s.sampleODE(model, { ...odeOptions(), n: o.n, seed: o.seed, snapshots: SNAPSHOTS });
    set.ode = ode.samples;
    set.metrics.nonFiniteOde = nonFinite(ode.samples);
    set.odeSnaps = ode.snapshots;
    set.times = ode.times;
    set.metrics.energyOde = s.energyDistance(ode.samples, r.targetRef, 2);
    if (r.checkerboard) set.metrics.shareOde = s.checkerboardSupportShare(ode.samples);
  } catch (e) {
    post({ type: 'error', where: 'ODE sampler', message: errorText(e) });
  }
  sdeInto(set);
  set.ms = performance.now() - t0;
  r.last = set;
  postSamples(set);
  computeField();
  if (set.times.length && (!r.xtTimes || r.xtTimes.length !== set.times.length)) computeXt(set.times);
  refreshCount++;
  computeNll();
  if (all || refreshCount === 3 || refreshCount % 6 === 0) computeDensity();
  lastRefresh = performance.now();
  refreshMs = lastRefresh - t0;
}

function sdeInto(set: SampleSet): void {
  const r = run!;
  if (!r.canSde) return;
  const o = r.sampler;
  try {
    // The library's default interval is the model's own (its sampling interval). A score derived from
    // a denoiser (s = -eta/gamma, -eta/alpha) is singular at an end: the page's cut, inside the trained range.
    const cut = o.sde.cut;
    const tr = r.config.training;
    const range = cut === undefined ? {} : { t0: Math.max(cut, tr.t_lo), t1: 1 - Math.max(cut, tr.t_hi) };
    const sde = si!.sampleSDE(r.model, {
      n: o.n, seed: o.seed + 1, eps: o.sde.eps, method: o.sde.method as SdeMethod, steps: o.sde.steps,
      snapshots: SNAPSHOTS, ...range,
    });
    set.sde = sde.samples;
    set.metrics.nonFiniteSde = nonFinite(sde.samples);
    set.sdeSnaps = sde.snapshots;
    if (!set.times.length) set.times = sde.times;
    set.metrics.energySde = si!.energyDistance(sde.samples, r.targetRef, 2);
    if (r.checkerboard) set.metrics.shareSde = si!.checkerboardSupportShare(sde.samples);
  } catch (e) {
    post({ type: 'error', where: 'SDE sampler', message: errorText(e) });
  }
}

function postSamples(set: SampleSet): void {
  // Copies, because the worker keeps `last` to re-send the ODE half when only eps changes.
  const copy: SampleSet = {
    ...set, ode: set.ode?.slice(), sde: set.sde?.slice(), odeSnaps: set.odeSnaps.map((a) => a.slice()),
    sdeSnaps: set.sdeSnaps.map((a) => a.slice()), times: set.times.slice(), metrics: { ...set.metrics },
  };
  const transfer: Transferable[] = [...copy.odeSnaps, ...copy.sdeSnaps].map((a) => a.buffer);
  if (copy.ode) transfer.push(copy.ode.buffer);
  if (copy.sde) transfer.push(copy.sde.buffer);
  post({ type: 'samples', gen: run!.gen, ...copy }, transfer);
}

/** The eps slider: the same model, the same seed, only the noise level changes. */
function resampleSde(): void {
  const r = run!;
  const t0 = performance.now();
  snapshot();
  const prev = r.last;
  const set: SampleSet = {
    step: r.modelStep, eps: r.sampler.sde.eps, ode: prev?.ode, odeSnaps: prev?.odeSnaps ?? [],
    sdeSnaps: [], times: prev?.times ?? new Float64Array(0),
    metrics: { energyOde: prev?.metrics.energyOde, shareOde: prev?.metrics.shareOde, nonFiniteOde: prev?.metrics.nonFiniteOde }, ms: 0,
  };
  sdeInto(set);
  set.ms = performance.now() - t0;
  r.last = set;
  postSamples(set);
}

function computeXt(times: Float64Array): void {
  const r = run!;
  const frames: Float32Array[] = [];
  try {
    const { base, target, interpolant } = r.config;
    for (const t of times) frames.push(Float32Array.from(si!.sampleXt({ base, target, interpolant }, t, r.sampler.n, r.sampler.seed + 7)));
  } catch (e) {
    post({ type: 'error', where: 'x_t samples', message: errorText(e) });
    return;
  }
  r.xtTimes = times.slice();
  post({ type: 'xt', gen: r.gen, times: times.slice(), frames }, frames.map((f) => f.buffer));
}

function computeField(): void {
  const r = run!;
  const v = r.view;
  const grid: Grid = v.fieldGrid;
  const pts = gridPoints(grid);
  const field = v.field as FieldName;
  const msg: FromWorker & { type: 'field' } = { type: 'field', gen: r.gen, step: r.modelStep, t: v.fieldT, field, grid };
  const model = snapshot();
  try {
    if (model.fieldNames.includes(field)) msg.learned = model.evaluate(field, v.fieldT, pts);
    else msg.note = `this model has no field "${field}" (it has ${model.fieldNames.join(', ')})`;
    if (r.exact) {
      msg.exact = r.exact.evaluate(field, v.fieldT, pts);
      msg.logRho = r.exact.logDensity(v.fieldT, pts);
    }
  } catch (e) {
    msg.note = errorText(e);
  }
  post(msg);
}

/** ODE options for sampling and likelihoods; the time interval is the model's own (library default). */
function odeOptions(): OdeOptions {
  const o = run!.sampler.ode;
  return { method: o.method as OdeMethod, steps: o.steps, atol: o.atol, rtol: o.rtol };
}

function nonFinite(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) n++;
  return n;
}

/** The exact likelihood needs log rho0; the mirror's rho0 is the data itself, whose density is unknown. */
function likelihoodDefined(): boolean {
  return run!.model.config.interpolant.path !== 'mirror';
}

function computeNll(): void {
  const r = run!;
  if (!likelihoodDefined()) return;
  try {
    const lp = si!.logLikelihoodODE(snapshot(), r.heldout, odeOptions());
    const nll = -lp.reduce((a, b) => a + b, 0) / lp.length;
    post({ type: 'nll', gen: r.gen, step: r.modelStep, nll });
  } catch (e) {
    post({ type: 'error', where: 'held-out NLL', message: errorText(e) });
  }
}

function computeDensity(force = false): void {
  const r = run!;
  if (!likelihoodDefined()) return;
  const model = snapshot();
  if (!force && lastDensityStep === r.modelStep) return;
  const t0 = performance.now();
  try {
    const grid = r.view.densityGrid;
    const logp = si!.logLikelihoodODE(model, gridPoints(grid), odeOptions());
    lastDensityStep = r.modelStep;
    post({ type: 'density', gen: r.gen, step: r.modelStep, grid, logp, ms: performance.now() - t0 }, [logp.buffer]);
  } catch (e) {
    post({ type: 'error', where: 'density', message: errorText(e) });
  }
}

start();
