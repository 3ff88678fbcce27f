/// <reference lib="webworker" />
// The Images view's worker (SPEC 11): loads the packed Fashion-MNIST 14 x 14 subset into the wasm
// module, trains the noise -> image model (one-sided linear, b; the SDE takes the score b implies) and, on request, the
// mirror model (s), in chunks of ~40 ms so messages are answered between chunks, and every so often draws the live
// sample grid, the eps-grid and the mirror strip with the package (the core's figures).
import {init} from 'stochastic-interpolants';
import type {Model, StochasticInterpolants, TrainingConfig, TrainingSession} from 'stochastic-interpolants';
import wasmUrl from 'stochastic-interpolants/si.wasm?url';

import type {FromImagesWorker, NetworkName, ToImagesWorker, Which} from './images-protocol';
import {EPS_STEPS, GRID_N, NETWORKS, XT_FRAMES} from './images-protocol';

const CHUNK_MS = 40;
/** How often the live grid is redrawn while training, and the eps-grid (dearer: 7 paths x 100 steps). */
const GRID_EVERY_MS = 1500;
const EPS_EVERY_MS = 6000;
const MIRROR_EVERY_MS = 5000;
const TEST_OFFERED = 8;
const TARGET = {
  type: 'fashion-mnist',
  size: 14,
  split: 'train'
};

/** The SDE of a model without a score network: the score b implies, then the jump to E[x1 | x_t] from t = 0.9. */
const DRIFT_SDE = {
  score: 'drift',
  denoise: 0.9
} as const;

const post = (m: FromImagesWorker, transfer: Transferable[] = []) =>
    (self as unknown as DedicatedWorkerGlobalScope).postMessage(m, transfer);
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const free = (o: {delete: () => void}|null|undefined) => {
  try {
    o?.delete();
  } catch {
    // already deleted
  }
};

/**
 * The page's recipe: configs/fashion-14.json shortened for a browser, with the chosen network (and the mirror's path
 * and fields).
 */
function config(which: Which, network: NetworkName): TrainingConfig {
  return {
    base: {type: 'gaussian', dim: 196},
    target: TARGET,
    interpolant: which === 'main' ? {path: 'one-sided-linear'} : {path: 'mirror', gamma: 'brownian'},
    // One network for the noise -> image model: on this one-sided path b fixes the score (s = (beta b - beta' x) /
    // (alpha (alpha beta' - alpha' beta))), so the SDE rows need no second network, and a step costs half.
    fields: which === 'main' ? 'b' : 's',
    network: {hidden: [...NETWORKS[network].hidden], activation: 'silu'},
    // The width matters more than the steps here: natively 3 x 512 gives garments after 4,000 steps where
    // 3 x 256 is still pixel noise after 12,000. Adam 1e-3 decays over 4,000 steps (2-4 minutes in a browser).
    optimizer: {lr: 0.001, schedule: 'cosine', ema: 0.999},
    training: {steps: 4000, batch: 128, seed: 0},
    // The SDE rows take the score b implies and end with a jump to E[x1 | x_t] at t = 0.9, as
    // configs/fashion-14.json: natively 9-30x closer to the test images than a learned score network.
    ...(which === 'main' ? {sampling: {sde: DRIFT_SDE}} : {}),
  } as TrainingConfig;
}

interface Slot {
  session: TrainingSession;
  model: Model|null;
  modelStep: number;
  running: boolean;
  steps: number;
  /** Steps and seconds of the recent chunks, for steps/s. */
  window: {steps: number; ms: number}[];
  losses: Record<string, number>;
}

class ImagesWorker {
  private si: StochasticInterpolants|null = null;
  private network: NetworkName = 'large';
  private slots: Partial<Record<Which, Slot>> = {};
  private eps = 1;
  private mirrorIndex = 0;
  private lastGrid = 0;
  private lastEps = 0;
  private lastMirror = 0;
  private want = {grid: false, eps: false, mirror: false};
  private timer = 0;

  async start(m: ToImagesWorker&{type: 'init'}): Promise<void> {
    this.network = m.network;
    // All cores but one (left to the page) where the page is cross-origin isolated, as the training view.
    const threads = Math.max(1, Math.min(8, (navigator.hardwareConcurrency || 1) - 1));
    const [si, bytes] = await Promise.all([
      init({wasmUrl, threads}).catch(() => init({wasmUrl, threads: 1})), fetch(m.dataUrl).then(async (r) => {
        if (!r.ok) throw new Error(`cannot fetch ${m.dataUrl} (HTTP ${r.status})`);
        return new Uint8Array(await r.arrayBuffer());
      })
    ]);
    const view = new DataView(bytes.buffer);
    if (bytes.length < 20 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'SIF1')
      throw new Error(`${m.dataUrl} is not the packed image set (built by web/scripts/fashion-asset.mjs)`);
    const [rows, cols, nTrain, nTest] = [4, 8, 12, 16].map((o) => view.getUint32(o, true));
    const d = rows * cols;
    let o = 20;
    const take = (n: number) => bytes.subarray(o, (o += n));
    const trainPixels = take(nTrain * d), trainLabels = take(nTrain);
    const testPixels = take(nTest * d), testLabels = take(nTest);
    si.addImages({name: 'fashion-mnist', split: 'train', rows, cols, pixels: trainPixels, labels: trainLabels});
    si.addImages({name: 'fashion-mnist', split: 'test', rows, cols, pixels: testPixels, labels: testLabels});
    this.si = si;
    post({
      type: 'ready',
      rows,
      cols,
      nTrain,
      testPixels: testPixels.slice(0, TEST_OFFERED * d),
      testLabels: testLabels.slice(0, TEST_OFFERED),
    });
    this.postXt();
    this.reset('main');
  }

  private slot(which: Which): Slot {
    let s = this.slots[which];
    if (!s) {
      const session = new this.si!.TrainingSession(config(which, this.network));
      s = this.slots[which] = {session, model: null, modelStep: -1, running: false, steps: 0, window: [], losses: {}};
    }
    return s;
  }

  private reset(which: Which): void {
    const old = this.slots[which];
    if (old) {
      free(old.model);
      free(old.session);
      delete this.slots[which];
    }
    const s = this.slot(which);
    this.progress(which, s);
    this.want.grid = this.want.eps = which === 'main';
    this.want.mirror = which === 'mirror';
    this.schedule();
  }

  /** x_t of the training data at the frames' times, the same draws (seed) at every t. */
  private postXt(): void {
    const si = this.si!;
    const times = new Float64Array(XT_FRAMES).map((_, k) => k / (XT_FRAMES - 1));
    const ends = {base: {type: 'gaussian', dim: 196}, target: TARGET, interpolant: {path: 'one-sided-linear'}};
    const frames = Array.from(times, (t) => si.sampleXt(ends as never, t, 16, 3));
    post({type: 'xt', times, frames}, frames.map((f) => f.buffer));
  }

  private snapshot(s: Slot): Model {
    if (!s.model || s.modelStep !== s.steps) {
      free(s.model);
      s.model = s.session.model();
      s.modelStep = s.steps;
    }
    return s.model;
  }

  handle(m: ToImagesWorker): void {
    if (!this.si) return;
    try {
      switch (m.type) {
        case 'play':
        case 'pause':
          this.slot(m.which).running = m.type === 'play' && !this.finished(m.which, this.slot(m.which));
          if (m.which === 'mirror' && m.type === 'play') this.want.mirror = true;
          this.progress(m.which, this.slot(m.which));
          break;
        case 'reset':
          this.network = m.network;
          this.reset('main');
          if (this.slots.mirror) this.reset('mirror');
          break;
        case 'eps':
          this.eps = m.eps;
          this.want.eps = true;
          break;
        case 'mirror-image':
          this.mirrorIndex = m.index;
          this.want.mirror = true;
          break;
        case 'import':
          this.importModel(m.text, m.name);
          break;
      }
    } catch (e) {
      post({type: 'error', where: m.type, message: errorText(e)});
    }
    this.schedule();
  }

  /** A model file (si train --config configs/fashion-14.json): its config becomes the slot's, its weights load. */
  private importModel(text: string, name: string): void {
    const si = this.si!;
    const model = si.Model.fromJSON(text);
    try {
      if (model.dim !== 196)
        throw new Error(`${name}: a model of dimension ${model.dim}; this view shows 14 x 14 images (d = 196)`);
      const which: Which = model.config.interpolant?.path === 'mirror' ? 'mirror' : 'main';
      const fields = model.fieldNames;
      if (which === 'main' && !fields.includes('b'))
        throw new Error(
            `${name}: learns ${fields.join(', ')}; the noise -> image view needs a drift b (fields "b" or "b+s")`);
      if (which === 'main' && !/^one-sided/.test(model.config.interpolant?.path ?? '') && !fields.includes('s'))
        throw new Error(
            `${name}: learns ${fields.join(', ')} on the path ${model.config.interpolant?.path}; ` +
            `the SDE rows need a score s (fields "b+s") or a one-sided path`);
      let cfg = {...model.config, target: TARGET} as TrainingConfig;
      // A drift alone: the SDE rows take the score it implies, ending with the denoising jump (the noise must end
      // before t = 1 there).
      if (which === 'main' && !fields.includes('s'))
        cfg = {...cfg, sampling: {...cfg.sampling, sde: {...cfg.sampling?.sde, ...DRIFT_SDE}}} as TrainingConfig;
      const session = new si.TrainingSession(cfg);
      try {
        session.loadWeights(model);
      } catch (e) {
        session.delete();
        throw e;
      }
      const old = this.slots[which];
      if (old) {
        free(old.model);
        free(old.session);
      }
      const s: Slot =
          {session, model: null, modelStep: -1, running: false, steps: session.stepCount, window: [], losses: {}};
      this.slots[which] = s;
      post({type: 'imported', which, name, step: s.steps});
      this.progress(which, s);
      if (which === 'main')
        this.want.grid = this.want.eps = true;
      else
        this.want.mirror = true;
    } finally {
      model.delete();
    }
  }

  /** Whether the run has taken its configured steps (the cosine schedule's learning rate is 0 from there). */
  private finished(which: Which, s: Slot): boolean {
    const total = s.session.config.training?.steps ?? Infinity;
    if (s.session.stepCount < total) return false;
    post({
      type: 'note',
      where: `training (${which === 'main' ? 'noise → image' : 'mirror'})`,
      message: `finished: ${total} steps, the learning rate has decayed to 0; reset starts over`
    });
    return true;
  }

  private progress(which: Which, s: Slot): void {
    const w = s.window.reduce((a, c) => ({steps: a.steps + c.steps, ms: a.ms + c.ms}), {steps: 0, ms: 0});
    post({
      type: 'progress',
      which,
      step: s.steps,
      losses: s.losses,
      sps: w.ms > 0 ? (1000 * w.steps) / w.ms : 0,
      running: s.running,
      config: JSON.stringify(s.session.config),
    });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = self.setTimeout(() => {
      this.timer = 0;
      this.tick();
    }, 0);
  }

  /** One chunk of training per running model, then whatever figure is due; again while anything is to do. */
  private tick(): void {
    const now = () => performance.now();
    for (const which of ['main', 'mirror'] as Which[]) {
      const s = this.slots[which];
      if (!s?.running) continue;
      const t0 = now();
      let k = 0;
      try {
        while (now() - t0 < CHUNK_MS) {
          const r = s.session.step(1);
          s.losses = r.losses;
          k++;
        }
      } catch (e) {
        s.running = false;
        post({type: 'error', where: `training (${which})`, message: errorText(e)});
      }
      s.steps = s.session.stepCount;
      if (this.finished(which, s)) s.running = false;
      s.window.push({steps: k, ms: now() - t0});
      if (s.window.length > 50) s.window.shift();
      this.progress(which, s);
    }
    const t = now();
    const main = this.slots.main, mirror = this.slots.mirror;
    try {
      if (main && (this.want.grid || (main.running && t - this.lastGrid > GRID_EVERY_MS)))
        this.drawGrid(main);
      else if (main && (this.want.eps || (main.running && t - this.lastEps > EPS_EVERY_MS)))
        this.drawEpsGrid(main);
      else if (mirror && (this.want.mirror || (mirror.running && t - this.lastMirror > MIRROR_EVERY_MS)))
        this.drawMirror(mirror);
    } catch (e) {
      post({type: 'error', where: 'figures', message: errorText(e)});
    }
    if (main?.running || mirror?.running || this.want.grid || this.want.eps || (this.want.mirror && mirror))
      this.schedule();
  }

  private drawGrid(s: Slot): void {
    this.want.grid = false;
    this.lastGrid = performance.now();
    const r =
        this.si!.sampleODE(this.snapshot(s), {n: GRID_N, seed: 7, method: 'heun', steps: 20, snapshots: XT_FRAMES});
    post({type: 'samples', step: s.steps, times: r.times, frames: r.snapshots}, r.snapshots.map((f) => f.buffer));
  }

  private drawEpsGrid(s: Slot): void {
    this.want.eps = false;
    const t0 = performance.now();
    const e = this.eps;
    const strip = this.si!.imageFigure(
        'eps-grid', this.snapshot(s),
        {eps: [0, e, e, 2 * e, 2 * e, 4 * e, 4 * e], frames: 10, steps: EPS_STEPS, seed: 0});
    this.lastEps = performance.now();
    post({type: 'epsgrid', step: s.steps, eps: e, strip, ms: this.lastEps - t0}, strip.rows.map((f) => f.buffer));
  }

  private drawMirror(s: Slot): void {
    this.want.mirror = false;
    this.lastMirror = performance.now();
    const image = this.si!.imagePoints('fashion-mnist', 'test', this.mirrorIndex, 1);
    const strip =
        this.si!.imageFigure('mirror', this.snapshot(s), {image, eps: 1, frames: 7, rows: 3, steps: 60, seed: 0});
    post({type: 'mirror', step: s.steps, index: this.mirrorIndex, strip}, strip.rows.map((f) => f.buffer));
  }
}

const worker = new ImagesWorker();
self.onmessage = (ev: MessageEvent<ToImagesWorker>) => {
  const m = ev.data;
  if (m.type === 'init') {
    worker.start(m).catch((e) => post({type: 'error', where: 'loading', message: errorText(e)}));
  } else {
    worker.handle(m);
  }
};
