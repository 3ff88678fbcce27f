/// <reference lib="webworker" />
// The training worker: owns the wasm module, the training session and model snapshots. It trains in
// chunks of ~40 ms so that messages (pause, eps, view changes) are answered between chunks, and every
// so often draws samples and quality figures from a snapshot of the model.
import {init} from 'stochastic-interpolants';
import type {ExactFields, FieldName, FullTrainingConfig, Model, OdeOptions} from 'stochastic-interpolants';
import type {StochasticInterpolants, TrainingConfig, TrainingSession} from 'stochastic-interpolants';
import wasmUrl from 'stochastic-interpolants/si.wasm?url';
import type {FromWorker, Grid, SampleSet, Threads, ToWorker, ViewRequest} from './protocol';
import {gridPoints} from './protocol';
import type {Catalog, SamplerOptions, Settings} from './settings';
import {catalogOf, FRAMES, HELDOUT, invalid, samplerOptions, settingDef, settingsProblems} from './settings';
import {retunedConfig, trainingConfig, withModelNetwork} from './settings';

const CHUNK_MS = 40;
/** A run that trained this many steps is kept when a new network replaces it, so that 'undo' can bring it back. */
const UNDO_MIN_STEPS = 50;
/** Largest grid side the views may ask for (the page asks for 17 and 40). */
const MAX_GRID = 256;
/** Threads of the training worker on a cross-origin-isolated page: the cores, at most this many. */
const MAX_THREADS = 8;

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
  /** The page's settings of this run (checked); its sampler options and step limit come from them. */
  settings: Settings;
  session: TrainingSession;
  model: Model;
  modelStep: number;
  /** Steps behind the imported weights that the file did not record (0 for a fresh run). */
  stepOffset: number;
  /** The session's step count when the run began (an imported model's recorded steps). */
  startStep: number;
  imported: boolean;
  exact: ExactFields|null;
  sampler: SamplerOptions;
  maxSteps: number;
  view: ViewRequest;
  targetRef: Float32Array;
  baseSamples: Float32Array;
  heldout: Float32Array;
  trueNll?: number;
  checkerboard: boolean;
  canSde: boolean;
  last?: SampleSet;
  xtTimes?: Float64Array;
}

/** The worker's whole state: the module, the current run and the training loop's pacing. */
class Trainer {
  private si: StochasticInterpolants|null = null;
  private catalog: Catalog = {names: {}};
  private run: Run|null = null;
  /** The run that the last new network replaced (kept for 'undo'), if it had trained. */
  private previous: Run|null = null;
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
  /** Why the threaded module did not start, if it failed. */
  private threadsFailure: string|null = null;

  constructor(private readonly ctx: DedicatedWorkerGlobalScope) {
    this.channel.port1.onmessage = () => this.pump();
    ctx.onmessage = (ev: MessageEvent<ToWorker>) => {
      this.inbox.push(ev.data);
      this.schedule();
    };
  }

  async start(): Promise<void> {
    try {
      // The threaded module where the page is cross-origin isolated, else the single-threaded one: a
      // pool for every core, but training starts on all but one, which is left to the page itself (on
      // two cores, two busy threads starve its rendering and input: tasks over 100 ms in the e2e run).
      const cores = navigator.hardwareConcurrency || 1;
      const threads = Math.max(1, Math.min(MAX_THREADS, cores));
      // A threaded module that fails to start (its files missing, say) leaves the single-threaded one.
      const si = await init({wasmUrl, threads}).catch((e: unknown) => {
        if (threads === 1) throw e;
        this.threadsFailure = errorText(e);
        return init({wasmUrl, threads: 1});
      });
      si.threads = Math.max(1, Math.min(si.maxThreads, cores - 1));
      this.si = si;
      this.catalog = catalogOf(si);
      this.post({type: 'ready', version: si.version, catalog: this.catalog, threads: this.threads()});
      this.schedule();
    } catch (e) {
      this.post({type: 'error', where: 'startup', message: `could not load the wasm module: ${errorText(e)}`});
    }
  }

  private threads(): Threads {
    const si = this.si!;
    return {threads: si.threads, max: si.maxThreads, reason: this.threadsFailure ?? si.singleThreadedReason};
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
    // The newest sampler settings stand for the burst: they re-sample the ODE too if any of it asked to.
    const samplers = msgs.filter((m) => m.type === 'sampler');
    const sdeOnly = samplers.every((m) => m.type !== 'sampler' || m.sdeOnly);
    msgs.forEach((m, i) => {
      const coalesce = m.type === 'sampler' || m.type === 'view' || m.type === 'density' || m.type === 'memory' ||
          m.type === 'figure';
      if (coalesce && lastIndex.get(m.type) !== i) return;
      if (m.type === 'sampler') m = {...m, sdeOnly};
      try {
        this.handle(m);
      } catch (e) {
        this.post({type: 'error', where: m.type, message: errorText(e)});
      }
    });
    if (this.running && this.run) this.trainChunk();
    if (this.running || this.inbox.length) this.schedule();
  }

  /** A figure of the Figures view: the library reads and checks the options and computes it. */
  private figure(m: ToWorker&{type: 'figure'}): void {
    const t0 = performance.now();
    try {
      const result = this.si!.figure(m.kind, m.options as never);
      // Transferred, not copied: a figure's arrays are tens of MB, and copying them would stall the page.
      const buffers = new Set<ArrayBuffer>();
      const collect = (v: unknown): void => {
        if (ArrayBuffer.isView(v)) {
          buffers.add(v.buffer as ArrayBuffer);
        } else if (v && typeof v === 'object') {
          Object.values(v).forEach(collect);
        }
      };
      collect(result);
      this.post({type: 'figure', id: m.id, kind: m.kind, result, ms: performance.now() - t0}, [...buffers]);
    } catch (e) {
      this.post({type: 'figure', id: m.id, kind: m.kind, error: errorText(e), ms: performance.now() - t0});
    }
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

  /**
   * Settings from the page, checked again here before anything is allocated (the page checked them too):
   * every value within its bounds and the library's limits, the costs of settings together included.
   * Rejected settings change nothing: the current run goes on as it was.
   */
  private accepts(settings: Settings|undefined, view: ViewRequest|undefined, where: string): boolean {
    const problems = settings ? settingsProblems(settings, this.catalog) : [];
    if (view) problems.push(...this.viewProblems(view));
    if (!problems.length) return true;
    this.post({type: 'rejected', where, problems, running: this.running});
    return false;
  }

  private viewProblems(v: ViewRequest): string[] {
    const out: string[] = [];
    const t = invalid(settingDef('ft'), v.fieldT, this.catalog);
    if (t) out.push(`field time t = ${v.fieldT} ${t}`);
    for (const g of [v.fieldGrid, v.densityGrid]) {
      const ext = invalid(settingDef('ext'), g.ext, this.catalog);
      if (ext) out.push(`plot half-width = ${g.ext} ${ext}`);
      if (!Number.isInteger(g.n) || g.n < 1 || g.n > MAX_GRID)
        out.push(`grid of ${g.n} points a side: allowed 1 to ${MAX_GRID}`);
    }
    return out;
  }

  private handle(m: ToWorker): void {
    if (m.type === 'figure') return this.figure(m);
    const r = this.run;
    switch (m.type) {
      case 'configure':
        if (!this.accepts(m.settings, m.view, 'settings')) return;
        return this.configure(m.settings, m.view, m.play);
      case 'tune':
        if (!r || !this.accepts(m.settings, undefined, 'settings')) return;
        return this.tune(m.settings);
      case 'undo':
        return this.undo();
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
        if (!r || !this.accepts(m.settings, undefined, 'settings')) return;
        r.settings = m.settings;
        r.sampler = samplerOptions(m.settings);
        return m.sdeOnly ? this.resampleSde() : this.refresh(true);
      case 'view': {
        if (!r || !this.accepts(undefined, m.view, 'view')) return;
        const old = r.view;
        r.view = m.view;
        if (old.fieldT !== m.view.fieldT || old.field !== m.view.field || old.fieldGrid.n !== m.view.fieldGrid.n ||
            old.fieldGrid.ext !== m.view.fieldGrid.ext) {
          this.computeField();
        }
        if (old.densityGrid.ext !== m.view.densityGrid.ext || old.densityGrid.n !== m.view.densityGrid.n) {
          this.computeDensity(true);
        }
        return;
      }
      case 'density':
        if (r) this.computeDensity(true);
        return;
      case 'export':
        // The library's own file: it records the steps behind the weights ("steps").
        if (r) this.post({type: 'model', json: this.snapshot().toJSON()});
        return;
      case 'import':
        if (!this.accepts(m.settings, m.view, 'import')) return;
        return this.importModel(m.json, m.uncounted, m.settings, m.view);
      case 'memory':
        return this.post({type: 'memory', ...this.si!.memoryStats(), runs: this.gen, kept: this.previous !== null});
      case 'threads':
        // Sampling and new sessions follow the module's count; the running sessions are set here.
        this.si!.threads = m.threads;
        for (const run of [r, this.previous]) {
          if (run) run.session.threads = m.threads;
        }
        return this.post({type: 'threads', threads: this.threads()});
    }
  }

  private configure(settings: Settings, view: ViewRequest, play: boolean): void {
    let session: TrainingSession;
    try {
      session = new this.si!.TrainingSession(trainingConfig(settings) as TrainingConfig);
    } catch (e) {
      // The previous run (if any) stays as it was, paused, so nothing learned is lost.
      this.setRunning(false, 'bad settings');
      this.post({type: 'error', where: 'settings', message: errorText(e)});
      if (this.run) this.refresh(true);
      return;
    }
    if (!this.replaceRun(session, 0, false, settings, view)) return;
    // The untrained model's density says nothing: the first heatmap comes after some training.
    this.refresh(false);
    if (play) this.setRunning(true);
  }

  /**
   * Training settings for the running model: the session is retuned (its networks, the optimiser's
   * moments, the step count and the random stream stay), the same run goes on. A run stopped at its step
   * limit goes on when the limit is raised.
   */
  private tune(settings: Settings): void {
    const r = this.run!;
    try {
      r.session.retune(
          retunedConfig(r.session.config as unknown as Record<string, unknown>, settings) as TrainingConfig);
    } catch (e) {
      this.post({type: 'error', where: 'settings', message: errorText(e)});
      return;
    }
    const wasDone = !this.running && this.stepsDone(r) >= r.maxSteps;
    r.settings = settings;
    r.config = r.session.config;
    r.maxSteps = settings.steps as number;
    const done = this.stepsDone(r) >= r.maxSteps;
    this.post({type: 'tuned', gen: r.gen, step: this.stepsDone(r), maxSteps: r.maxSteps, running: this.running});
    if (this.running && done) {
      this.setRunning(false, 'done');
    } else if (wasDone && !done) {
      this.setRunning(true);
    }
  }

  /** The run before the last new network comes back, paused, as it was; the newer one is freed. */
  private undo(): void {
    const back = this.previous;
    if (!back) {
      this.post({type: 'error', where: 'undo', message: 'nothing to undo: the previous run was not kept'});
      return;
    }
    this.previous = null;
    this.setRunning(false);
    this.freeRun(this.run);
    back.gen = ++this.gen;
    this.install(back, {restored: back.settings});
    this.refresh(true);
  }

  /**
   * A saved model becomes the current run: a session with the model's own config continues from its
   * weights, paused. loadWeights takes the file's recorded steps as the session's step count (and the
   * learning-rate schedule goes on from there; the optimiser's moments start afresh); `uncounted` adds
   * steps the file does not record (files written before model files had "steps").
   */
  private importModel(json: string, uncounted: number, settings: Settings, view: ViewRequest): void {
    const si = this.si!;
    let model: Model|null = null;
    let session: TrainingSession|null = null;
    try {
      model = si.Model.fromJSON(json);
      // The file's own network and batch (the library checked them against its limits) within the page's
      // budgets, before a session is made.
      const problems = settingsProblems(withModelNetwork(settings, model.config), this.catalog);
      if (problems.length) {
        this.post({
          type: 'rejected',
          where: 'import',
          problems: problems.map((p) => `the model file: ${p}`),
          running: this.running
        });
        return;
      }
      session = new si.TrainingSession(model.config);
      session.loadWeights(model);
    } catch (e) {
      free(session);
      throw e;  // reported by pump(); the current run goes on as it was
    } finally {
      free(model);
    }
    if (this.replaceRun(session, Math.max(0, uncounted), true, settings, view)) this.refresh(true);
  }

  /**
   * The session becomes the current run: everything the new run needs is made first (on failure it is
   * freed, the session too, and the current run goes on); then the old run's wasm objects are freed.
   */
  private replaceRun(
      session: TrainingSession, stepOffset: number, imported: boolean, settings: Settings, view: ViewRequest): boolean {
    let run: Run;
    try {
      run = this.build(session, stepOffset, imported, settings, view);
    } catch (e) {
      free(session);
      this.post({type: 'error', where: imported ? 'import' : 'settings', message: errorText(e)});
      return false;
    }
    this.setRunning(false, imported ? 'imported' : 'new run');
    const old = this.run;
    this.freeRun(this.previous);
    this.previous = null;
    // A run that trained here (UNDO_MIN_STEPS or more since it began) is kept for 'undo', one run back.
    if (old && old.session.stepCount - old.startStep >= UNDO_MIN_STEPS) {
      this.previous = old;
    } else {
      this.freeRun(old);
    }
    const kept = this.previous;
    this.install(run, kept ? {previous: {step: this.stepsDone(kept), settings: kept.settings}} : {});
    return true;
  }

  private freeRun(r: Run|null): void {
    if (!r) return;
    free(r.session);
    free(r.model);
    free(r.exact);
  }

  /** The run becomes the current one, and the page hears of it ('configured'). */
  private install(run: Run, extra: {previous?: {step: number; settings: Settings}; restored?: Settings}): void {
    this.run = run;
    this.chunkK = 1;
    this.refreshCount = 0;
    this.lastDensityStep = -1;
    const full = run.config;
    const ts = Float64Array.from({length: 101}, (_, i) => i / 100);
    const c = this.si!.interpolantCoefficients(full.interpolant, ts);
    this.post({
      type: 'configured',
      gen: run.gen,
      config: full as unknown as Record<string, unknown>,
      fieldNames: [...run.model.fieldNames],
      imported: run.imported,
      step: this.stepsDone(run),
      target: run.targetRef.slice(),
      base: run.baseSamples,
      exact: !!run.exact,
      trueNll: run.trueNll,
      checkerboard: run.checkerboard,
      coeffs: {t: ts, alpha: c.alpha, beta: c.beta, gamma: c.gamma},
      ...extra,
    });
  }

  /** A run of the session, with what does not depend on training; frees what it made if it fails. */
  private build(session: TrainingSession, stepOffset: number, imported: boolean, settings: Settings, view: ViewRequest):
      Run {
    const si = this.si!;
    const sampler = samplerOptions(settings);
    let model: Model|null = null;
    let exact: ExactFields|null = null;
    try {
      model = session.model();
      const full = model.config;
      const seed = full.training.seed;
      const {target, base} = full;
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
      const fieldNames: string[] = [...model.fieldNames];
      return {
        gen: ++this.gen,
        config: full,
        settings,
        session,
        model,
        modelStep: stepOffset + session.stepCount,
        stepOffset,
        startStep: session.stepCount,
        imported,
        exact,
        sampler,
        maxSteps: settings.steps as number,
        view,
        targetRef,
        baseSamples,
        heldout,
        trueNll,
        checkerboard: (typeof target === 'string' ? target : target.type) === 'checkerboard',
        canSde: fieldNames.includes('s'),
      };
    } catch (e) {
      free(model);
      free(exact);
      throw e;
    }
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
    this.post({type: 'busy', what: 'sampling (ODE and SDE) and measuring'});
    const model = this.snapshot();
    const o = r.sampler;
    const set: SampleSet = {
      step: r.modelStep,
      eps: o.sde.eps ?? NaN,
      odeSnaps: [],
      odeTimes: new Float64Array(0),
      sdeSnaps: [],
      sdeTimes: new Float64Array(0),
      metrics: {},
      ms: 0,
    };
    try {
      // Exactly the settings' options: the page's samples are the package's for them. The frames for the
      // Trajectories view come from the same call: the package puts them on the steps nearest to equally
      // spaced times, so asking for them does not change the samples (the e2e tests compare the page's
      // samples with the package's, without frames).
      const ode = si.sampleODE(model, {...o.ode, snapshots: FRAMES});
      set.ode = ode.samples;
      set.odeSnaps = ode.snapshots;
      set.odeTimes = ode.times;
      set.metrics.nonFiniteOde = nonFinite(ode.samples);
      set.metrics.energyOde = si.energyDistance(ode.samples, r.targetRef, 2);
      if (r.checkerboard) set.metrics.shareOde = si.checkerboardSupportShare(ode.samples);
    } catch (e) {
      set.odeError = errorText(e);
      this.post({type: 'error', where: 'ODE sampler', message: set.odeError});
    }
    this.sdeInto(set);
    set.ms = performance.now() - t0;
    r.last = set;
    this.postSamples(set);
    this.computeField();
    const ts = set.odeTimes;
    if (ts.length && (r.xtTimes?.length !== ts.length || r.xtTimes.some((t, i) => t !== ts[i]))) this.computeXt(ts);
    this.refreshCount++;
    this.computeNll();
    if (all || this.refreshCount === 3 || this.refreshCount % 6 === 0) this.computeDensity();
    this.lastRefresh = performance.now();
    this.refreshMs = this.lastRefresh - t0;
    this.post({type: 'busy', what: ''});
  }

  private sdeInto(set: SampleSet): void {
    const r = this.run!;
    if (!r.canSde) return;
    try {
      // The model's own sampling policy (interval, noise switched off near a singular end) is the library's.
      const sde = this.si!.sampleSDE(r.model, {...r.sampler.sde, snapshots: FRAMES});
      set.sde = sde.samples;
      set.sdeSnaps = sde.snapshots;
      set.sdeTimes = sde.times;
      set.metrics.nonFiniteSde = nonFinite(sde.samples);
      set.metrics.energySde = this.si!.energyDistance(sde.samples, r.targetRef, 2);
      if (r.checkerboard) set.metrics.shareSde = this.si!.checkerboardSupportShare(sde.samples);
    } catch (e) {
      set.sdeError = errorText(e);
      this.post({type: 'error', where: 'SDE sampler', message: set.sdeError});
    }
  }

  private postSamples(set: SampleSet): void {
    // Copies, because the worker keeps `last` to re-send the ODE half when only the SDE changes.
    const copy: SampleSet = {
      ...set,
      ode: set.ode?.slice(),
      sde: set.sde?.slice(),
      odeSnaps: set.odeSnaps.map((a) => a.slice()),
      odeTimes: set.odeTimes.slice(),
      sdeSnaps: set.sdeSnaps.map((a) => a.slice()),
      sdeTimes: set.sdeTimes.slice(),
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
    this.post({type: 'busy', what: 'sampling the SDE'});
    this.snapshot();
    const prev = r.last;
    const set: SampleSet = {
      step: r.modelStep,
      eps: r.sampler.sde.eps ?? NaN,
      ode: prev?.ode,
      odeSnaps: prev?.odeSnaps ?? [],
      odeTimes: prev?.odeTimes ?? new Float64Array(0),
      sdeSnaps: [],
      sdeTimes: new Float64Array(0),
      metrics: {
        energyOde: prev?.metrics.energyOde,
        shareOde: prev?.metrics.shareOde,
        nonFiniteOde: prev?.metrics.nonFiniteOde
      },
      ms: 0,
    };
    this.sdeInto(set);
    set.ms = performance.now() - t0;
    r.last = set;
    this.postSamples(set);
    this.post({type: 'busy', what: ''});
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
    this.post({type: 'busy', what: 'computing the density'});
    try {
      const grid = r.view.densityGrid;
      const logp = this.si!.logLikelihoodODE(model, gridPoints(grid), this.odeOptions());
      this.lastDensityStep = r.modelStep;
      this.post(
          {type: 'density', gen: r.gen, step: r.modelStep, grid, logp, ms: performance.now() - t0}, [logp.buffer]);
    } catch (e) {
      this.post({type: 'error', where: 'density', message: errorText(e)});
    } finally {
      this.post({type: 'busy', what: ''});
    }
  }
}

void new Trainer(self as unknown as DedicatedWorkerGlobalScope).start();
