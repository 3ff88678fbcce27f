/// <reference lib="webworker" />
// The training worker: owns the wasm module, the training session and model snapshots. It trains in
// chunks of ~40 ms so that messages (pause, eps, view changes) are answered between chunks, and every
// so often draws samples and quality figures from a snapshot of the model.
import {init} from 'stochastic-interpolants';
import type {ExactFields, FieldName, FullTrainingConfig, Model, OdeOptions} from 'stochastic-interpolants';
import type {StochasticInterpolants, TrainingConfig, TrainingSession} from 'stochastic-interpolants';
import wasmUrl from 'stochastic-interpolants/si.wasm?url';
import type {FromWorker, Grid, SampleSet, ToWorker, ViewRequest} from './protocol';
import {gridPoints} from './protocol';
import {catalogOf, type SamplerOptions} from './settings';

const CHUNK_MS = 40;
const SNAPSHOTS = 21;
const HELDOUT = 256;

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'number') return `internal error (wasm exception ${e})`;
  return String(e);
}
function free(o: {delete: () => void}|null|undefined): void {
  try {
    o?.delete();
  } catch {
    // already deleted
  }
}
function nonFinite(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) n++;
  }
  return n;
}

/** One training run: a session, its latest model snapshot and what the page asked to see of it. */
interface Run {
  gen: number;
  config: FullTrainingConfig;
  session: TrainingSession;
  model: Model;
  modelStep: number;
  /** Steps behind the imported weights that the file did not record (0 for a fresh run). */
  stepOffset: number;
  imported: boolean;
  exact: ExactFields|null;
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

/** The worker's whole state: the module, the current run and the training loop's pacing. */
class Trainer {
  private si: StochasticInterpolants|null = null;
  private run: Run|null = null;
  private gen = 0;
  private running = false;
  /** Steps per chunk, adapted so that a chunk takes about CHUNK_MS. */
  private chunkK = 1;
  private lastRefresh = 0;
  private refreshMs = 0;
  private refreshCount = 0;
  private lastDensityStep = -1;
  private readonly rate: {t: number; step: number}[] = [];
  private readonly inbox: ToWorker[] = [];
  private pumping = false;
  private readonly channel = new MessageChannel();

  constructor(private readonly ctx: DedicatedWorkerGlobalScope) {
    this.channel.port1.onmessage = () => this.pump();
    ctx.onmessage = (ev: MessageEvent<ToWorker>) => {
      this.inbox.push(ev.data);
      this.schedule();
    };
  }

  async start(): Promise<void> {
    try {
      const si = await init({wasmUrl});
      this.si = si;
      this.post({type: 'ready', version: si.version, catalog: catalogOf(si)});
      this.schedule();
    } catch (e) {
      this.post({type: 'error', where: 'startup', message: `could not load the wasm module: ${errorText(e)}`});
    }
  }

  private post(msg: FromWorker, transfer: Transferable[] = []): void {
    this.ctx.postMessage(msg, transfer);
  }

  private schedule(): void {
    if (!this.pumping) {
      this.pumping = true;
      this.channel.port2.postMessage(0);
    }
  }

  private pump(): void {
    this.pumping = false;
    if (!this.si) return;
    // Only the newest of a burst of re-sample / view requests matters (e.g. dragging the eps slider).
    const msgs = this.inbox.splice(0);
    const lastIndex = new Map<string, number>();
    msgs.forEach((m, i) => lastIndex.set(m.type, i));
    msgs.forEach((m, i) => {
      const coalesce = m.type === 'sample' || m.type === 'view' || m.type === 'sampler' || m.type === 'density';
      if (coalesce && lastIndex.get(m.type) !== i) return;
      try {
        this.handle(m);
      } catch (e) {
        this.post({type: 'error', where: m.type, message: errorText(e)});
      }
    });
    if (this.running && this.run) this.trainChunk();
    if (this.running || this.inbox.length) this.schedule();
  }

  /** Steps behind the current weights, counting those of an imported model. */
  private stepsDone(r: Run): number {
    return r.stepOffset + r.session.stepCount;
  }

  private setRunning(on: boolean, reason?: string): void {
    this.running = on;
    this.rate.length = 0;
    const r = this.run;
    if (r) this.post({type: 'state', gen: r.gen, running: on, step: this.stepsDone(r), reason});
  }

  private handle(m: ToWorker): void {
    const r = this.run;
    switch (m.type) {
      case 'configure':
        return this.configure(m.config, m.sampler, m.maxSteps, m.view, m.play);
      case 'play':
      case 'step':
        if (!r) return;
        if (this.stepsDone(r) >= r.maxSteps) {
          this.post({
            type: 'error',
            where: 'training',
            message: `reached the step limit (${r.maxSteps}); raise "stop at step" or reset`
          });
          return;
        }
        if (m.type === 'play') return this.setRunning(true);
        this.setRunning(false);
        this.trainSteps(m.k);
        return this.refresh(true);
      case 'pause':
        this.setRunning(false);
        if (r) this.refresh(true);
        return;
      case 'sampler':
        if (!r) return;
        r.sampler = m.sampler;
        return this.refresh(true);
      case 'sample':
        if (!r) return;
        r.sampler = m.sampler;
        return this.resampleSde();
      case 'view': {
        if (!r) return;
        const old = r.view;
        r.view = m.view;
        if (old.fieldT !== m.view.fieldT || old.field !== m.view.field || old.fieldGrid.n !== m.view.fieldGrid.n ||
            old.fieldGrid.ext !== m.view.fieldGrid.ext) {
          this.computeField();
        }
        if (old.densityGrid.ext !== m.view.densityGrid.ext || old.densityGrid.n !== m.view.densityGrid.n) {
          this.computeDensity(true);
        }
        if (old.frames !== m.view.frames && r.last) {
          this.framesInto(r.last);
          this.postSamples(r.last);
        }
        return;
      }
      case 'density':
        return this.computeDensity(true);
      case 'export':
        // The library's own file: it records the steps behind the weights ("steps").
        if (r) this.post({type: 'model', json: this.snapshot().toJSON()});
        return;
      case 'import':
        return this.importModel(m.json, m.uncounted, m.sampler, m.maxSteps, m.view);
    }
  }

  private configure(
      config: Record<string, unknown>, sampler: SamplerOptions, maxSteps: number, view: ViewRequest,
      play: boolean): void {
    let session: TrainingSession;
    try {
      session = new this.si!.TrainingSession(config as TrainingConfig);
    } catch (e) {
      // The previous run (if any) stays as it was, paused, so nothing learned is lost.
      this.setRunning(false, 'bad settings');
      this.post({type: 'error', where: 'settings', message: errorText(e)});
      if (this.run) this.refresh(true);
      return;
    }
    this.replaceRun(session, 0, false, sampler, maxSteps, view);
    // The untrained model's density says nothing: the first heatmap comes after some training.
    this.refresh(false);
    if (play) this.setRunning(true);
  }

  /**
   * A saved model becomes the current run: a session with the model's own config continues from its
   * weights, paused. loadWeights takes the file's recorded steps as the session's step count (and the
   * learning-rate schedule goes on from there; the optimiser's moments start afresh); `uncounted` adds
   * steps the file does not record (files written before model files had "steps").
   */
  private importModel(json: string, uncounted: number, sampler: SamplerOptions, maxSteps: number, view: ViewRequest):
      void {
    const si = this.si!;
    let model: Model|null = null;
    let session: TrainingSession|null = null;
    try {
      model = si.Model.fromJSON(json);
      session = new si.TrainingSession(model.config);
      session.loadWeights(model);
    } catch (e) {
      free(session);
      throw e;  // reported by pump(); the current run goes on as it was
    } finally {
      free(model);
    }
    this.replaceRun(session, Math.max(0, uncounted), true, sampler, maxSteps, view);
    this.refresh(true);
  }

  private replaceRun(
      session: TrainingSession, stepOffset: number, imported: boolean, sampler: SamplerOptions, maxSteps: number,
      view: ViewRequest): void {
    this.setRunning(false, imported ? 'imported' : undefined);
    if (this.run) {
      free(this.run.session);
      free(this.run.model);
      free(this.run.exact);
    }
    this.install(session, stepOffset, imported, sampler, maxSteps, view);
  }

  /** Makes the session the current run and sends the page what does not depend on training. */
  private install(
      session: TrainingSession, stepOffset: number, imported: boolean, sampler: SamplerOptions, maxSteps: number,
      view: ViewRequest): void {
    const si = this.si!;
    const model = session.model();
    const gen = ++this.gen;
    const full = model.config;
    const seed = full.training.seed;
    const {target, base} = full;
    let exact: ExactFields|null = null;
    try {
      exact = new si.ExactFields({base, target, interpolant: full.interpolant});
    } catch {
      exact = null;  // exact fields exist only when both ends are Gaussian mixtures
    }
    const n = sampler.ode.n ?? 1000;
    const targetRef = si.sampleDistribution(target, n, seed + 101);
    const baseSamples = si.sampleDistribution(base, n, seed + 102);
    const heldout = si.sampleDistribution(target, HELDOUT, seed + 103);
    let trueNll: number|undefined;
    try {
      const lp = si.logDensity(target, heldout);
      const mean = lp.reduce((a, b) => a + b, 0) / lp.length;
      if (Number.isFinite(mean)) trueNll = -mean;
    } catch {
      trueNll = undefined;  // density not known in closed form for this data set
    }
    const ts = Float64Array.from({length: 101}, (_, i) => i / 100);
    const c = si.interpolantCoefficients(full.interpolant, ts);
    const fieldNames: string[] = [...model.fieldNames];
    const checkerboard = (typeof target === 'string' ? target : target.type) === 'checkerboard';
    this.run = {
      gen,
      config: full,
      session,
      model,
      modelStep: stepOffset + session.stepCount,
      stepOffset,
      imported,
      exact,
      sampler,
      maxSteps,
      view,
      targetRef,
      heldout,
      checkerboard,
      canSde: fieldNames.includes('s'),
    };
    this.chunkK = 1;
    this.refreshCount = 0;
    this.lastDensityStep = -1;
    this.post({
      type: 'configured',
      gen,
      config: full as unknown as Record<string, unknown>,
      fieldNames,
      imported,
      step: stepOffset + session.stepCount,
      target: targetRef.slice(),
      base: baseSamples,
      exact: !!exact,
      trueNll,
      checkerboard,
      coeffs: {t: ts, alpha: c.alpha, beta: c.beta, gamma: c.gamma},
    });
  }

  /** Takes k steps; on a blow-up stops cleanly (the session restored its weights) and says so. */
  private trainSteps(k: number): number {
    const r = this.run!;
    const t0 = performance.now();
    const left = r.maxSteps - this.stepsDone(r);
    k = Math.max(0, Math.min(k, left));
    if (k === 0) return 0;
    try {
      const res = r.session.step(k);
      const now = performance.now();
      const step = r.stepOffset + res.step;
      const rate = this.rate;
      rate.push({t: now, step});
      while (rate.length > 2 && now - rate[0].t > 3000) rate.shift();
      const span = rate.length > 1 ? (rate[rate.length - 1].t - rate[0].t) / 1000 : 0;
      const sps = span > 0 ? (rate[rate.length - 1].step - rate[0].step) / span : k / ((now - t0) / 1000);
      this.post({
        type: 'progress',
        gen: r.gen,
        step,
        lr: res.lr,
        losses: res.losses,
        stepsPerSec: sps,
        running: this.running
      });
    } catch (e) {
      this.setRunning(false, 'error');
      this.post({
        type: 'error',
        where: 'training',
        message: `${errorText(e)} — training stopped; the model from before the failing step is kept.`
      });
      this.refresh(true);
      return 0;
    }
    if (this.stepsDone(r) >= r.maxSteps) {
      this.setRunning(false, 'done');
      this.refresh(true);
      this.computeDensity();
    }
    return performance.now() - t0;
  }

  private trainChunk(): void {
    const ms = this.trainSteps(this.chunkK);
    if (ms > 0) {
      const perStep = ms / this.chunkK;
      this.chunkK = Math.max(1, Math.min(500, Math.round((0.7 * CHUNK_MS) / perStep + 0.3 * this.chunkK)));
    }
    // Figures take a share of the time that shrinks as they get slower (at most ~1/3).
    const now = performance.now();
    if (this.running && now - this.lastRefresh > Math.max(1500, 2 * this.refreshMs)) this.refresh(false);
  }

  private snapshot(): Model {
    const r = this.run!;
    if (r.modelStep !== this.stepsDone(r)) {
      free(r.model);
      r.model = r.session.model();
      r.modelStep = this.stepsDone(r);
    }
    return r.model;
  }

  /** New samples (ODE and SDE), quality figures, the field view and now and then NLL and density. */
  private refresh(all: boolean): void {
    const r = this.run!;
    const si = this.si!;
    const t0 = performance.now();
    const model = this.snapshot();
    const o = r.sampler;
    const set: SampleSet = {
      step: r.modelStep,
      eps: o.sde.eps ?? NaN,
      odeSnaps: [],
      sdeSnaps: [],
      times: new Float64Array(0),
      metrics: {},
      ms: 0,
    };
    try {
      // Exactly the settings' options: the page's samples are the package's for them.
      const ode = si.sampleODE(model, o.ode);
      set.ode = ode.samples;
      set.metrics.nonFiniteOde = nonFinite(ode.samples);
      set.metrics.energyOde = si.energyDistance(ode.samples, r.targetRef, 2);
      if (r.checkerboard) set.metrics.shareOde = si.checkerboardSupportShare(ode.samples);
    } catch (e) {
      this.post({type: 'error', where: 'ODE sampler', message: errorText(e)});
    }
    this.sdeInto(set);
    this.framesInto(set);
    set.ms = performance.now() - t0;
    r.last = set;
    this.postSamples(set);
    this.computeField();
    if (set.times.length && (!r.xtTimes || r.xtTimes.length !== set.times.length)) this.computeXt(set.times);
    this.refreshCount++;
    this.computeNll();
    if (all || this.refreshCount === 3 || this.refreshCount % 6 === 0) this.computeDensity();
    this.lastRefresh = performance.now();
    this.refreshMs = this.lastRefresh - t0;
  }

  private sdeInto(set: SampleSet): void {
    const r = this.run!;
    if (!r.canSde) return;
    try {
      // The model's own sampling policy (interval, noise switched off near a singular end) is the library's.
      const sde = this.si!.sampleSDE(r.model, r.sampler.sde);
      set.sde = sde.samples;
      set.metrics.nonFiniteSde = nonFinite(sde.samples);
      set.metrics.energySde = this.si!.energyDistance(sde.samples, r.targetRef, 2);
      if (r.checkerboard) set.metrics.shareSde = this.si!.checkerboardSupportShare(sde.samples);
    } catch (e) {
      this.post({type: 'error', where: 'SDE sampler', message: errorText(e)});
    }
  }

  /** The kind of paths the Trajectories view shows (ODE when the model has no score). */
  private framesKind(): 'ode'|'sde' {
    const r = this.run!;
    return r.view.frames === 'sde' && r.canSde ? 'sde' : 'ode';
  }

  /**
   * Frames along the paths for the Trajectories view, from a call of their own: in the package, frames split
   * the steps that cross their times, which changes the samples (the SDE's noise above all), and the samples
   * must be those of the settings' options. Only the kind the view shows.
   */
  private framesInto(set: SampleSet): void {
    const r = this.run!;
    const kind = this.framesKind();
    try {
      const model = this.snapshot();
      const f = kind === 'ode' ? this.si!.sampleODE(model, {...r.sampler.ode, snapshots: SNAPSHOTS}) :
                                 this.si!.sampleSDE(model, {...r.sampler.sde, snapshots: SNAPSHOTS});
      set[kind === 'ode' ? 'odeSnaps' : 'sdeSnaps'] = f.snapshots;
      set.times = f.times;
    } catch (e) {
      this.post({type: 'error', where: `${kind.toUpperCase()} sampler`, message: errorText(e)});
    }
  }

  private postSamples(set: SampleSet): void {
    // Copies, because the worker keeps `last` to re-send the ODE half when only the SDE changes.
    const copy: SampleSet = {
      ...set,
      ode: set.ode?.slice(),
      sde: set.sde?.slice(),
      odeSnaps: set.odeSnaps.map((a) => a.slice()),
      sdeSnaps: set.sdeSnaps.map((a) => a.slice()),
      times: set.times.slice(),
      metrics: {...set.metrics},
    };
    const transfer: Transferable[] = [...copy.odeSnaps, ...copy.sdeSnaps].map((a) => a.buffer);
    if (copy.ode) transfer.push(copy.ode.buffer);
    if (copy.sde) transfer.push(copy.sde.buffer);
    this.post({type: 'samples', gen: this.run!.gen, ...copy}, transfer);
  }

  /** SDE options changed (e.g. the eps slider): the same model, the same seed, new SDE samples only. */
  private resampleSde(): void {
    const r = this.run!;
    const t0 = performance.now();
    this.snapshot();
    const prev = r.last;
    const set: SampleSet = {
      step: r.modelStep,
      eps: r.sampler.sde.eps ?? NaN,
      ode: prev?.ode,
      odeSnaps: prev?.odeSnaps ?? [],
      sdeSnaps: [],
      times: prev?.times ?? new Float64Array(0),
      metrics: {
        energyOde: prev?.metrics.energyOde,
        shareOde: prev?.metrics.shareOde,
        nonFiniteOde: prev?.metrics.nonFiniteOde
      },
      ms: 0,
    };
    this.sdeInto(set);
    if (this.framesKind() === 'sde') this.framesInto(set);
    set.ms = performance.now() - t0;
    r.last = set;
    this.postSamples(set);
  }

  private computeXt(times: Float64Array): void {
    const r = this.run!;
    const frames: Float32Array[] = [];
    const n = r.sampler.ode.n ?? 1000;
    const seed = (r.sampler.ode.seed ?? 0) + 7;
    try {
      const {base, target, interpolant} = r.config;
      for (const t of times) frames.push(Float32Array.from(this.si!.sampleXt({base, target, interpolant}, t, n, seed)));
    } catch (e) {
      this.post({type: 'error', where: 'x_t samples', message: errorText(e)});
      return;
    }
    r.xtTimes = times.slice();
    this.post({type: 'xt', gen: r.gen, times: times.slice(), frames}, frames.map((f) => f.buffer));
  }

  private computeField(): void {
    const r = this.run!;
    const v = r.view;
    const grid: Grid = v.fieldGrid;
    const pts = gridPoints(grid);
    const field = v.field as FieldName;
    const msg: FromWorker&{type: 'field'} = {type: 'field', gen: r.gen, step: r.modelStep, t: v.fieldT, field, grid};
    const model = this.snapshot();
    try {
      if (model.fieldNames.includes(field)) {
        msg.learned = model.evaluate(field, v.fieldT, pts);
      } else {
        msg.note = `this model has no field "${field}" (it has ${model.fieldNames.join(', ')})`;
      }
      if (r.exact) {
        msg.exact = r.exact.evaluate(field, v.fieldT, pts);
        msg.logRho = r.exact.logDensity(v.fieldT, pts);
      }
    } catch (e) {
      msg.note = errorText(e);
    }
    this.post(msg);
  }

  /** ODE options for likelihoods: the sampler's, without what only sampling takes (n, seed). */
  private odeOptions(): OdeOptions {
    const {n: _n, seed: _seed, ...rest} = this.run!.sampler.ode;
    return rest;
  }

  /** The exact likelihood needs log rho0; the mirror's rho0 is the data itself, whose density is unknown. */
  private likelihoodDefined(): boolean {
    return this.run!.model.config.interpolant.path !== 'mirror';
  }

  private computeNll(): void {
    const r = this.run!;
    if (!this.likelihoodDefined()) return;
    try {
      const lp = this.si!.logLikelihoodODE(this.snapshot(), r.heldout, this.odeOptions());
      const nll = -lp.reduce((a, b) => a + b, 0) / lp.length;
      this.post({type: 'nll', gen: r.gen, step: r.modelStep, nll});
    } catch (e) {
      this.post({type: 'error', where: 'held-out NLL', message: errorText(e)});
    }
  }

  private computeDensity(force = false): void {
    const r = this.run!;
    if (!this.likelihoodDefined()) return;
    const model = this.snapshot();
    if (!force && this.lastDensityStep === r.modelStep) return;
    const t0 = performance.now();
    try {
      const grid = r.view.densityGrid;
      const logp = this.si!.logLikelihoodODE(model, gridPoints(grid), this.odeOptions());
      this.lastDensityStep = r.modelStep;
      this.post(
          {type: 'density', gen: r.gen, step: r.modelStep, grid, logp, ms: performance.now() - t0}, [logp.buffer]);
    } catch (e) {
      this.post({type: 'error', where: 'density', message: errorText(e)});
    }
  }
}

void new Trainer(self as unknown as DedicatedWorkerGlobalScope).start();
