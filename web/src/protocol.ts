// Messages between the page and the training worker. The worker owns the wasm module and every
// object in it; the page only sends settings and renders what comes back (plain typed arrays).
import type {Catalog, FigureKind, Settings} from './settings';

/** A square grid of n x n points over [-ext, ext]^2, row-major from the top-left (y descending). */
export interface Grid {
  n: number;
  ext: number;
}

// clang-format 14 breaks TypeScript unions of object types apart.
// clang-format off
// The worker derives the training config and the sampler options from the settings itself
// (settings.ts trainingConfig, samplerOptions), after checking them (settingsProblems) as the page did.
export type ToWorker =
  | { type: 'configure'; settings: Settings; play: boolean; view: ViewRequest }
  /** Settings that apply to the running model (effect 'tune'): the session is retuned, nothing learned is lost. */
  | { type: 'tune'; settings: Settings }
  /** Back to the run before the last new network (the worker keeps it for a while). */
  | { type: 'undo' }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; k: number }
  /** New sampler settings: re-sample (sdeOnly: only the SDE's changed; the ODE samples stay). */
  | { type: 'sampler'; settings: Settings; sdeOnly: boolean }
  | { type: 'view'; view: ViewRequest }
  | { type: 'density' }
  | { type: 'export' }
  /** uncounted: steps behind the weights that the file does not record (its own "steps" is counted);
   *  settings: the page's reading of the file's config (its samplers, step limit). */
  | { type: 'import'; json: string; uncounted: number; settings: Settings; view: ViewRequest }
  /** Diagnostics (tests): the worker answers with the wasm heap's memoryStats(). */
  | { type: 'memory' }
  /** The threads training and sampling use, 1 .. the worker's maximum (the e2e run compares speeds). */
  | { type: 'threads'; threads: number }
  /** One of the paper's figures from the exact fields: si.figure(kind, options); only the newest of a burst runs. */
  | { type: 'figure'; id: number; kind: FigureKind; options: Record<string, unknown> };
// clang-format on

/** The training worker's threads: in use, at most (1: the single-threaded module) and why only one. */
export interface Threads {
  threads: number;
  max: number;
  reason: string|null;
}

/** What the visible views need from the worker besides samples. */
export interface ViewRequest {
  fieldT: number;
  field: string;
  fieldGrid: Grid;
  densityGrid: Grid;
}

export interface Metrics {
  /** Samples that are not finite numbers (NaN or inf), per sampler. */
  nonFiniteOde?: number;
  nonFiniteSde?: number;
  energyOde?: number;
  energySde?: number;
  shareOde?: number;
  shareSde?: number;
}

export interface SampleSet {
  step: number;
  eps: number;
  ode?: Float32Array;
  sde?: Float32Array;
  /** Frames along the paths (settings.ts FRAMES) and their times, from the samples' own calls. */
  odeSnaps: Float32Array[];
  odeTimes: Float64Array;
  sdeSnaps: Float32Array[];
  sdeTimes: Float64Array;
  metrics: Metrics;
  /** Why a sampler gave no samples (the library's message, also sent as an error). */
  odeError?: string;
  sdeError?: string;
  ms: number;
}

// clang-format off
export type FromWorker =
  /** catalog: the library's name lists and traits (settings.ts catalogOf). */
  | { type: 'ready'; version: string; catalog: Catalog; threads: Threads }
  | { type: 'threads'; threads: Threads }
  | { type: 'configured'; gen: number; config: Record<string, unknown>; fieldNames: string[]; imported: boolean; step: number;
      target: Float32Array; base: Float32Array; coeffs: Coefficients; exact: boolean; trueNll?: number;
      checkerboard: boolean;
      /** The run this one replaced is kept, and 'undo' brings it back: its steps and what changed. */
      previous?: { step: number; settings: Settings };
      /** This run is the one an 'undo' brought back: its settings become the page's again. */
      restored?: Settings }
  /** The worker starts (what: what it computes) or ends (what: '') a computation that may take a while. */
  | { type: 'busy'; what: string }
  /** The running model took new training settings (retune): the same run goes on. */
  | { type: 'tuned'; gen: number; step: number; maxSteps: number; running: boolean }
  | { type: 'progress'; gen: number; step: number; lr: number; losses: Record<string, number>;
      stepsPerSec: number; running: boolean }
  | { type: 'state'; gen: number; running: boolean; step: number; reason?: string }
  | ({ type: 'samples'; gen: number } & SampleSet)
  | { type: 'xt'; gen: number; times: Float64Array; frames: Float32Array[] }
  | { type: 'field'; gen: number; step: number; t: number; field: string; grid: Grid; learned?: Float32Array;
      exact?: Float64Array; logRho?: Float64Array; note?: string }
  | { type: 'density'; gen: number; step: number; grid: Grid; logp: Float64Array; ms: number }
  | { type: 'nll'; gen: number; step: number; nll: number }
  | { type: 'model'; json: string }
  /** Settings the worker did not take (it checked them before allocating anything); the run goes on. */
  | { type: 'rejected'; where: string; problems: string[]; running: boolean }
  /** kept: a previous run is held for 'undo' (its memory is in `allocated`). */
  | { type: 'memory'; heapSize: number; allocated: number; runs: number; kept: boolean }
  /** result: what si.figure returned (typed arrays and plain metadata); or the library's message. */
  | { type: 'figure'; id: number; kind: FigureKind; result?: unknown; error?: string; ms: number }
  | { type: 'error'; where: string; message: string };
// clang-format on

export interface Coefficients {
  t: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
  gamma: Float64Array;
}

/** Points of a grid, flat (n*n*2), row-major from the top-left. */
export function gridPoints(g: Grid): Float32Array {
  const p = new Float32Array(g.n * g.n * 2);
  for (let r = 0; r < g.n; r++) {
    for (let c = 0; c < g.n; c++) {
      const i = r * g.n + c;
      p[2 * i] = -g.ext + (2 * g.ext * (c + 0.5)) / g.n;
      p[2 * i + 1] = g.ext - (2 * g.ext * (r + 0.5)) / g.n;
    }
  }
  return p;
}
