// Types of the npm package `stochastic-interpolants` (the contract is wasm/API.md).
//
// Points are flat arrays, row-major (n, d): point i is arr[i*d .. i*d+d). Inputs may be any
// array-like of numbers (Float32Array, Float64Array, number[]; a nested [[x, y], ...] is flattened).
// Every array returned is a JS-owned copy, never a view of the wasm heap.
//
// Memory: TrainingSession, Model and ExactFields hold wasm memory that the JS garbage collector
// cannot free. Call delete() (alias dispose()) on each when done; using one afterwards throws.
//
// Errors: invalid configs, options or arguments throw a JS Error whose message starts with the
// field's name, e.g. "optimizer.lr: must be a positive number, got -1"; the module keeps working.

/** How many threads, and where init() finds the WebAssembly binaries. */
export interface InitOptions {
  /** 'auto' (default): in a browser the cores (navigator.hardwareConcurrency, at most 8), in Node 1.
   *  More than 1 loads the threaded module (si-threads.*, Emscripten pthreads: threads - 1 Workers started
   *  now) where SharedArrayBuffer exists (a cross-origin-isolated page, a worker of one, Node), else the
   *  single-threaded module (see StochasticInterpolants.threaded / singleThreadedReason). 1: always the
   *  single-threaded module. Anything else throws an Error naming "threads". */
  threads?: 'auto' | number;
  /** URL or path of si.wasm; default: si.wasm next to index.js (new URL('./si.wasm', import.meta.url)).
   *  In Node a path or file: URL is read with fs; in browsers and workers it is fetched. */
  wasmUrl?: string | URL;
  /** The bytes of si.wasm, if the caller already has them (takes precedence over wasmUrl). */
  wasmBinary?: ArrayBuffer | ArrayBufferView;
  /** The threaded module's files, for bundlers that move them; defaults: next to index.js. */
  threadsWasmUrl?: string | URL;
  threadsWasmBinary?: ArrayBuffer | ArrayBufferView;
  /** si-threads.mjs: its pthread Workers import it by this URL, so it must stay its own file. */
  threadsModuleUrl?: string | URL;
  /** si-threads.worker.js (in Node: si-threads.worker.cjs), the pthread Workers' script. */
  threadsWorkerUrl?: string | URL;
}

/** Loads and instantiates the module. Each call returns an independent instance. */
export function init(options?: InitOptions): Promise<StochasticInterpolants>;

/** The package version, e.g. "0.1.0". */
export const version: string;

// The names below are those of this release; the core's tables are the truth (si.catalog, and the
// name lists on the module), so a name added there type-checks too (the `string & {}` member).
type OrOther = string & {};
export type PathName = 'linear' | 'trig' | 'encoding-decoding' | 'one-sided-linear' | 'one-sided-trig' | 'mirror' | OrOther;
export type GammaName = 'brownian' | 'a-brownian' | 'zero' | 'bsquared' | 'sinesquared' | 'sigmoid' | OrOther;
export type ActivationName = 'relu' | 'leaky_relu' | 'elu' | 'tanh' | 'sigmoid' | 'softplus' | 'silu' | OrOther;
export type FieldSetName = 'b+s' | 'b+eta' | 'v+s' | 'v+eta' | 'b' | 's' | OrOther;
export type FieldName = 'b' | 's' | 'eta' | 'v';
export type OdeMethod = 'euler' | 'heun' | 'rk4' | 'dopri5' | OrOther;
export type SdeMethod = 'euler' | 'heun' | 'heun-karras' | OrOther;
export type DistributionType =
  | 'gaussian' | 'gmm' | 'random-gmm' | 'checkerboard' | '8gaussians' | 'moons' | 'spirals'
  | 'rings' | 'pinwheel' | 'swissroll' | 'points' | 'fashion-mnist' | 'images' | OrOther;

/** Numbers in: any array-like (typed array or number[]), or nested [[x, y], ...]. */
export type PointsInput = ArrayLike<number> | ReadonlyArray<ReadonlyArray<number>>;

/** A distribution (configs/SCHEMA.md, core/include/si/distributions.hpp); a bare type name is
 *  shorthand for {type}. */
export type DistributionSpec =
  | DistributionType
  | { type: 'gaussian'; mean?: number[]; cov?: number[][]; dim?: number }
  | { type: 'gmm'; weights?: number[]; means: number[][]; covs: number[][][] }
  | { type: 'random-gmm'; components?: number; seed?: number; dim?: number }
  | { type: '8gaussians'; radius?: number; noise?: number }
  | { type: 'checkerboard' }
  | { type: 'moons' | 'spirals' | 'rings' | 'pinwheel' | 'swissroll'; noise?: number }
  | { type: 'points'; points: number[][]; bandwidth?: number }
  /** In the package: the images stored by addImages({name: 'fashion-mnist', ...}) (28 x 28 ones pooled to 14). */
  | { type: 'fashion-mnist'; size?: 14 | 28; split?: 'train' | 'test'; limit?: number; classes?: number[] }
  /** Images stored by addImages under name/split, in [-1, 1]. */
  | { type: 'images'; name: string; split?: 'train' | 'test'; limit?: number; classes?: number[] }
  | { type: OrOther; [key: string]: unknown };

export interface InterpolantSpec {
  /** A path of the table, or 'custom' with `alpha` and `beta` formulas. */
  path?: PathName | 'custom';
  /** Default: "zero" for one-sided paths, "brownian" otherwise; 'custom' takes `gamma_expr`. */
  gamma?: GammaName | 'custom';
  /** a of a-brownian: gamma = sqrt(a t (1 - t)). */
  gamma_a?: number;
  /** Formulas of t (configs/SCHEMA.md), e.g. alpha "cos(pi*t/2)", beta "sin(pi*t/2)": path 'custom' only. */
  alpha?: string;
  beta?: string;
  /** gamma(t) as a formula, e.g. "sqrt(2*t*(1-t))": gamma 'custom' only. */
  gamma_expr?: string;
}

/** The training config of configs/SCHEMA.md; every field is optional. */
export interface TrainingConfig {
  base?: DistributionSpec;
  target?: DistributionSpec;
  interpolant?: InterpolantSpec;
  fields?: FieldSetName;
  network?: { hidden?: number[]; activation?: ActivationName };
  optimizer?: { lr?: number; beta1?: number; beta2?: number; eps?: number; step_size?: number; decay?: number; clip?: number };
  training?: { steps?: number; batch?: number; seed?: number; t_lo?: number; t_hi?: number; antithetic?: boolean };
  sampling?: {
    /** denoise: the samplers' default denoising last step (see SampleOdeOptions.denoise). */
    ode?: { method?: OdeMethod; atol?: number; rtol?: number; steps?: number; denoise?: number };
    /** eps_until: the noise stops after this time (default: the model's policy, see SdeOptions.epsUntil). */
    sde?: { method?: SdeMethod; eps?: number; steps?: number; eps_until?: number; denoise?: number; score?: 'learned' | 'drift' };
  };
}

/** A config with every default filled in (as returned by TrainingSession#config). */
export interface FullTrainingConfig {
  base: Exclude<DistributionSpec, string> | DistributionType;
  target: Exclude<DistributionSpec, string> | DistributionType;
  interpolant: { path: PathName; gamma: GammaName; gamma_a: number };
  fields: FieldSetName;
  network: { hidden: number[]; activation: ActivationName };
  optimizer: { lr: number; beta1: number; beta2: number; eps: number; step_size: number; decay: number; clip: number };
  training: { steps: number; batch: number; seed: number; t_lo: number; t_hi: number; antithetic: boolean };
  sampling: {
    ode: { method: OdeMethod; atol: number; rtol: number; steps: number; denoise?: number };
    sde: { method: SdeMethod; eps: number; steps: number; eps_until?: number; denoise?: number; score?: 'learned' | 'drift' };
  };
}

export interface StepResult {
  /** Steps taken so far, after this call. */
  step: number;
  /** Learning rate of the last step of this call. */
  lr: number;
  /** Loss of each network, mean over the steps of this call, e.g. {b, s}. */
  losses: Record<string, number>;
}

/** Options shared by the ODE calls. Defaults: the model's config (sampling.ode), else dopri5,
 *  atol = rtol = 1e-5, 200 steps. */
export interface OdeOptions {
  method?: OdeMethod;
  /** Steps of the fixed-step methods (euler, heun, rk4). */
  steps?: number;
  /** dopri5 tolerances. */
  atol?: number;
  rtol?: number;
  /** dopri5: accepted + rejected steps allowed before an Error (default 100000). */
  maxSteps?: number;
  /** Time interval. Default [0, 1]; for a model whose drift (SDE: or score) is derived through
   *  1/gamma or 1/alpha (s = -eta/gamma, b = v - gamma gamma' s), its training range [t_lo, 1 - t_hi]. */
  t0?: number;
  t1?: number;
}

export interface SampleOdeOptions extends OdeOptions {
  /** Number of samples (default 1000). Paths start from the law of x_t at t0, drawn with `seed`:
   *  forward (t0 < t1) the law at t = 0 (the base; the target for the mirror path), backward
   *  (t0 > t1, e.g. t0: 1, t1: 0) the target. */
  n?: number;
  /** Start points instead (n*d values, assumed drawn from that law; logDensity uses its density). */
  start?: PointsInput;
  seed?: number;
  /** Frames from t0 to t1, ends included; 0 = none (default). Equally spaced for dopri5; for the
   *  fixed-step methods at the step nearest to each equally spaced time (see `times`), so asking
   *  for frames never changes the samples. */
  snapshots?: number;
  /** Also integrate the log-density along each path (default false). */
  logDensity?: boolean;
  /** A denoising last step: the paths stop at this time (t0 < denoise < t1) and jump to
   *  E[x1 | x_t] there, the target each point heads for on average (for images: no pixel noise
   *  left). false: none. Default: the config's sampling.ode.denoise where it fits the run (forward,
   *  no logDensity), else none. With snapshots, the last frame (at t1) is the jump's result and the
   *  others span [t0, denoise]. */
  denoise?: number | false;
}

export interface SampleOdeResult {
  /** n*d, the points at t1. */
  samples: Float32Array;
  /** One n*d array per frame. */
  snapshots: Float32Array[];
  /** Times of the frames. */
  times: Float64Array;
  /** With logDensity: log rho_t1 at each sample (log rho0 of its start plus the integrated change). */
  logDensity?: Float64Array;
  /** Right-hand-side evaluations, accepted and rejected steps. */
  nfe: number;
  accepted: number;
  rejected: number;
}

/** Options shared by the SDE calls. Defaults: the model's config (sampling.sde), else stochastic
 *  Heun, eps 0.5, 100 steps. */
export interface SdeOptions {
  method?: SdeMethod;
  /** Noise level: dX = (b + eps s) dt + sqrt(2 eps) dW; 0 gives the probability flow. */
  eps?: number;
  steps?: number;
  seed?: number;
  /** Time interval (defaults as for OdeOptions.t0; for a model whose score comes from a denoiser
   *  and whose drift needs that score (two-sided v + eta), t1 is at most 0.99). */
  t0?: number;
  t1?: number;
  /** The noise acts only while t <= epsUntil; after it the paths follow the probability flow.
   *  Default: 0.99 for a model whose score comes from a denoiser eta (s = -eta/alpha or -eta/gamma
   *  is singular at t = 1) and whose drift needs no score, else 1 (noise throughout). The same
   *  plan as `si sample` (core/include/si/sampling.hpp). */
  epsUntil?: number;
}

export interface SampleSdeOptions extends SdeOptions {
  /** Number of samples (default 1000), started as in SampleOdeOptions.n. Backward in time
   *  (t0 > t1) the drift is b - eps s. */
  n?: number;
  /** Start points instead (n*d values). */
  start?: PointsInput;
  snapshots?: number;
  /** A denoising last step, as SampleOdeOptions.denoise (default: the config's sampling.sde.denoise). */
  denoise?: number | false;
  /** The score of the SDE: 'learned' (the model's own) or 'drift', the score b implies on one-sided
   *  paths (s = (beta b - beta' x) / (alpha (alpha beta' - alpha' beta))), which also gives a b-only
   *  model an SDE; infinite at t = 1, so the noise must end before (denoise, epsUntil or t1 < 1).
   *  Default: the config's sampling.sde.score, else 'learned'. */
  score?: 'learned' | 'drift';
}

export interface SampleSdeResult {
  samples: Float32Array;
  snapshots: Float32Array[];
  times: Float64Array;
  nfe: number;
  accepted: number;
  rejected: number;
}

export interface LogLikelihoodSdeOptions extends SdeOptions {
  /** Backward paths per point (default 100, at least 2). */
  paths?: number;
  /** Subtract the zero-mean Ito term sqrt(2 eps) sum s . dW along each path (default true): the
   *  same expectation with a far smaller standard error. */
  controlVariate?: boolean;
}

/** The sampler defaults a Model or ExactFields implies (what an omitted option means). */
export interface SamplingDefaults {
  ode: { method: OdeMethod; steps: number; atol: number; rtol: number; t0: number; t1: number; denoise: number | false };
  sde: { method: SdeMethod; steps: number; eps: number; epsUntil: number; t0: number; t1: number; denoise: number | false; score: 'learned' | 'drift' };
}

/** The core's tables with their traits (si.catalog): what every name list and check derives from. */
export interface Catalog {
  path: { name: PathName; sidedness: 'two-sided' | 'one-sided' | 'mirror'; defaultGamma: GammaName; alpha: string; beta: string }[];
  gamma: { name: GammaName; formula: string; hasParam: boolean }[];
  fieldSet: { name: FieldSetName; networks: FieldName[]; paths: ('two-sided' | 'one-sided' | 'mirror')[] }[];
  loss: { name: string; field: FieldName; sidedness: 'two-sided' | 'one-sided' | 'mirror'; clippedTime: boolean; antithetic: boolean }[];
  activation: { name: ActivationName }[];
  odeMethod: { name: OdeMethod; adaptive: boolean; order: number }[];
  sdeMethod: { name: SdeMethod; order: number }[];
  /** dim 0: any (set by the spec); needsParameters: {type} alone is not enough (e.g. gmm, points). */
  distribution: { name: DistributionType; description: string; dim: number; mixture: boolean; density: boolean; needsParameters: boolean }[];
  /** The core's size limits (core/include/si/limits.hpp), checked before anything is allocated:
   *  params = parameters of one network; batchFloats = 2 batch (d + 1 + sum of widths) per step;
   *  mixtureCost = components d^3; outputFloats = n d (snapshots + 1) of one sampler call. */
  limits: {
    jsonDepth: number; dim: number; components: number; mixtureCost: number; points: number; batch: number;
    width: number; layers: number; params: number; batchFloats: number; trainingSteps: number; samples: number;
    steps: number; snapshots: number; outputFloats: number; seed: number;
  };
}

export interface LogLikelihoodSdeResult {
  /** Mean over paths of the estimate of log rho1(x). */
  mean: Float64Array;
  /** Its standard error. */
  stderr: Float64Array;
}

export interface InterpolantCoefficients {
  alpha: Float64Array;
  beta: Float64Array;
  /** The path's gamma: the latent term's (zero for one-sided paths) or the mirror's. */
  gamma: Float64Array;
  dalpha: Float64Array;
  dbeta: Float64Array;
  dgamma: Float64Array;
}

export interface MemoryStats {
  /** Bytes of wasm linear memory (it grows, never shrinks). */
  heapSize: number;
  /** Bytes currently allocated by malloc. */
  allocated: number;
}

/**
 * A training session: networks and optimisers built from a config; one batch per step.
 * Holds wasm memory: call delete() (or dispose()) when done.
 */
export interface TrainingSession {
  /** Dimension of the data (2 for the 2-D sets; Gaussians and mixtures may have any, 1 included). */
  readonly dim: number;
  /** Steps taken so far. */
  readonly stepCount: number;
  /** The full validated config, defaults filled in. */
  readonly config: FullTrainingConfig;
  /** Takes k training steps (default 1). Throws an Error if a loss or gradient is NaN or inf; the
   *  networks then keep their weights from before that step. */
  step(k?: number): StepResult;
  /** A snapshot copy of the current networks (training can go on); delete() it separately. */
  model(): Model;
  /** Continues training from a saved model's weights (e.g. `Model.fromJSON(text)`); its networks must
   *  match this session's (fields, widths, activation), else an Error naming "model". The optimiser
   *  state starts afresh. The model stays yours to delete(). */
  loadWeights(model: Model): void;
  /** Applies another config's optimizer, training (not its seed) and sampling settings to this run,
   *  keeping everything learned: weights, the optimiser's moments, moving averages, the step count and
   *  the random stream. A config whose base, target, interpolant, fields, network or training.seed
   *  differ is refused (an Error naming that key) and nothing changes. */
  retune(config: TrainingConfig): void;
  /** Threads each step splits its batch over: the module's `threads` when the session was made. Setting it
   *  takes 1 .. si.maxThreads (else an Error naming "threads"); a seed gives the same run for a given count. */
  threads: number;
  /** True after delete(). */
  readonly isDeleted: boolean;
  /** Frees the wasm memory; the object cannot be used afterwards. Calling it twice is harmless. */
  delete(): void;
  /** Alias of delete(). */
  dispose(): void;
}

/**
 * A learned model: its networks, interpolant and base/target. Works with the samplers.
 * Holds wasm memory: call delete() (or dispose()) when done.
 */
export interface Model {
  readonly dim: number;
  /** The fields this model can evaluate, among 'b', 's', 'eta', 'v'. */
  readonly fieldNames: readonly FieldName[];
  /** The config the model was trained with. */
  readonly config: FullTrainingConfig;
  /** One field at time t at every point: n*d values. */
  evaluate(field: FieldName, t: number, points: PointsInput): Float32Array;
  /** Exact divergence in x of one field at time t at every point: n values. */
  divergence(field: FieldName, t: number, points: PointsInput): Float32Array;
  /** The versioned model file (JSON text), the same format as the command-line tool's. */
  toJSON(): string;
  /** What the samplers use for options left out (its config's sampling section and policy). */
  samplingDefaults(): SamplingDefaults;
  readonly isDeleted: boolean;
  /** Frees the wasm memory; the object cannot be used afterwards. */
  delete(): void;
  /** Alias of delete(). */
  dispose(): void;
}

export interface ExactFieldsSpec {
  /** A Gaussian mixture (gaussian, gmm, random-gmm, 8gaussians, points); default N(0, I). */
  base?: DistributionSpec;
  /** A Gaussian mixture; there is no default that works (the schema's default is the checkerboard). */
  target?: DistributionSpec;
  interpolant?: InterpolantSpec;
}

/**
 * The exact fields between two Gaussian mixtures (SPEC section 5), in double precision.
 * Works with the samplers. Holds wasm memory: call delete() (or dispose()) when done.
 */
export interface ExactFields {
  readonly dim: number;
  readonly fieldNames: readonly FieldName[];
  /** b, s, eta or v at time t at every point: n*d values. */
  evaluate(field: FieldName, t: number, points: PointsInput): Float64Array;
  /** Exact divergence of 'b' or 's' at time t at every point: n values. */
  divergence(field: 'b' | 's', t: number, points: PointsInput): Float64Array;
  /** log rho_t at every point: n values. */
  logDensity(t: number, points: PointsInput): Float64Array;
  /** n samples of x_t itself (n*d values), drawn with the seed (default 0). */
  sampleXt(t: number, n: number, seed?: number): Float64Array;
  /** What the samplers use for options left out (the schema's defaults on [0, 1]). */
  samplingDefaults(): SamplingDefaults;
  readonly isDeleted: boolean;
  /** Frees the wasm memory; the object cannot be used afterwards. */
  delete(): void;
  /** Alias of delete(). */
  dispose(): void;
}

/** si.TrainingSession: the classes live on each module instance (see init()), not as exports. */
export interface TrainingSessionConstructor {
  /** Validates the config (throws an Error naming the field) and initialises the networks. */
  new (config?: TrainingConfig): TrainingSession;
}

/** si.Model: models come from session.model() or Model.fromJSON(). */
export interface ModelConstructor {
  /** Loads a model saved by toJSON() (or by the command-line tool). */
  fromJSON(text: string): Model;
}

/** si.ExactFields */
export interface ExactFieldsConstructor {
  /** Validates the spec (both ends must be Gaussian mixtures) and builds the exact fields. */
  new (spec: ExactFieldsSpec): ExactFields;
}

/** What the samplers accept: a learned Model or ExactFields. */
export type Fields = Model | ExactFields;

// ---- The paper's figures A-D (SPEC section 10), computed from the exact fields --------------

export type FigureKind = 'densities' | 'trajectories' | 'linear-gamma' | 'gmm-likelihood';

/** A 1-D Gaussian mixture as text, "1/2 N(-3, 0.25) + 1/2 N(3, 0.25)" (N(mean, variance); weights
 *  all given or all left out for equal ones), or a mixture spec such as {type: 'gmm', ...}. */
export type MixtureInput = string | DistributionSpec;
/** An interpolant: "trig", "trig/zero" (path/gamma) or an object, formulas included. */
export type FigureInterpolant = string | InterpolantSpec;

/** What the 1-D figures share; every option is optional, defaults are the SPEC's. */
export interface OneDFigureOptions {
  /** Default "1/2 N(-3, 0.25) + 1/2 N(3, 0.25)". */
  rho0?: MixtureInput;
  /** Default "1/3 N(-6, 0.5) + 1/3 N(0, 0.33) + 1/3 N(6, 0.5)". */
  rho1?: MixtureInput;
  /** The x grid: default -10, 10 and 150 points. */
  xmin?: number;
  xmax?: number;
  grid?: number;
  /** Rows (times from 0 to 1) of each rho_t(x) heatmap; default 101. */
  heatTimes?: number;
}

/** Figure A. Default interpolants: trig/zero, trig/brownian, encoding-decoding/sinesquared. */
export interface DensityFigureOptions extends OneDFigureOptions {
  interpolants?: FigureInterpolant[];
  /** Times of the curves, in [0, 1]; default [0, 0.25, 0.5, 0.75, 1]. */
  times?: number[];
}

/** Figures B and C's path options. */
export interface PathFigureOptions extends OneDFigureOptions {
  /** Paths from one draw of rho0: default 2500 (B), 5000 (C). */
  paths?: number;
  /** Uniform steps on [0, 1]: default 200 (B), 100 (C). */
  steps?: number;
  seed?: number;
  /** Times of the histograms and KS checks; default [0, 0.25, 0.5, 0.75, 1]. */
  times?: number[];
  /** Histogram bins over [xmin, xmax]; default 100. */
  bins?: number;
}

/** Figure B. Default interpolants: trig/zero, trig/brownian, encoding-decoding/brownian (columns). */
export interface TrajectoryFigureOptions extends PathFigureOptions {
  interpolants?: FigureInterpolant[];
  /** Noise levels, one row each (0: the RK4 ODE; else stochastic Heun with b + eps s); default [0, 0.5, 5]. */
  eps?: number | number[];
}

/** Figure C: rows SDE at eps, ODE, and the ODE of the same path with gamma = 0. */
export interface GammaFigureOptions extends PathFigureOptions {
  /** The gamma > 0 rows' interpolant; default linear/brownian. */
  interpolant?: FigureInterpolant;
  /** The SDE row's noise level, > 0; default 5. */
  eps?: number;
}

/** Figure D: random mixtures (means 3 N(0, I), covariances C^T C + 0.5 I). */
export interface LikelihoodFigureOptions {
  /** Default 2. */
  dim?: number;
  /** Components of rho0 (default 1) and rho1 (default 3). */
  baseComponents?: number;
  components?: number;
  mixtureSeed?: number;
  /** Default linear/brownian. */
  interpolant?: FigureInterpolant;
  /** Points per panel; default 10000. */
  n?: number;
  /** SDE noise level, > 0; default 2. */
  eps?: number;
  sdeSteps?: number;
  odeSteps?: number;
  /** SDE likelihood paths per point; default 5. */
  sdePaths?: number;
  seed?: number;
}

export interface FigureOptionsByKind {
  densities: DensityFigureOptions;
  trajectories: TrajectoryFigureOptions;
  'linear-gamma': GammaFigureOptions;
  'gmm-likelihood': LikelihoodFigureOptions;
}

export interface DensityFigureRow {
  /** The interpolant as a config object, and as text ("trig, gamma = sqrt(t (1 - t))"). */
  interpolant: InterpolantSpec;
  label: string;
  /** rho_t(x): times.length x x.length, row-major (curves[k * x.length + j] at times[k], x[j]); NaN
   *  where x_t is a point mass. */
  curves: Float64Array;
  /** rho_t(x) over the (t, x) plane: heatT.length x x.length, row-major. */
  heat: Float64Array;
}

export interface DensityFigure {
  kind: 'densities';
  x: Float64Array;
  times: Float64Array;
  heatT: Float64Array;
  rows: DensityFigureRow[];
}

/** A histogram of the paths at one time over the exact rho_t, with a Kolmogorov-Smirnov check. */
export interface FigureMarginal {
  t: number;
  /** bins + 1 edges over [xmin, xmax]. */
  edges: Float64Array;
  /** counts / (paths * width), comparable with `exact`, rho_t at the bin centres. */
  density: Float64Array;
  exact: Float64Array;
  ks: number;
  pValue: number;
  /** Paths outside [xmin, xmax] at t. */
  outside: number;
}

export interface PathFigurePanel {
  interpolant: InterpolantSpec;
  label: string;
  /** 0: the RK4 ODE. */
  eps: number;
  /** e.g. "ODE rk4 (200 steps) on [0, 1]". */
  sampler: string;
  /** Every step's time, 0 to 1 (steps + 1 values). */
  times: Float64Array;
  nPaths: number;
  /** x(t) path after path: paths[j * times.length + k] is path j at times[k]. */
  paths: Float64Array;
  /** This interpolant's rho_t(x): heatT.length x x.length, row-major. */
  heat: Float64Array;
  marginals: FigureMarginal[];
}

/** Figures B and C: panels row by row (B: rows are eps, columns interpolants; C: 3 rows, 1 column). */
export interface PathFigure {
  kind: 'trajectories' | 'linear-gamma';
  rows: number;
  cols: number;
  rowLabels: string[];
  colLabels: string[];
  x: Float64Array;
  heatT: Float64Array;
  panels: PathFigurePanel[];
}

export interface LikelihoodFigurePanel {
  /** "target (exact log rho1)", "SDE, eps = 2 (...)", "ODE, RK4 (...)". */
  label: string;
  /** n points of dimension dim, row-major. */
  points: Float64Array;
  /** The colour: the panel's log-likelihood of each point, its standard error, and the exact log rho1. */
  logp: Float64Array;
  stdError: Float64Array;
  exact: Float64Array;
}

export interface LikelihoodFigure {
  kind: 'gmm-likelihood';
  dim: number;
  /** The shared colour scale: 0.9 x the smallest and 0.9 x the largest value over the panels. */
  lo: number;
  hi: number;
  /** target, SDE, ODE. */
  panels: LikelihoodFigurePanel[];
}

export interface FigureByKind {
  densities: DensityFigure;
  trajectories: PathFigure;
  'linear-gamma': PathFigure;
  'gmm-likelihood': LikelihoodFigure;
}

/** One instance of the module, as returned by init(). */
// ---- Images (SPEC 11): pixel bytes in, the core's image figures out ------------------------------

/** Images handed to the module as bytes: n images of rows x cols pixels, one byte (0..255) per pixel. */
export interface ImagesInput {
  /** The set's name in configs: {type: 'images', name} (and 'fashion-mnist' for {type: 'fashion-mnist'}). */
  name: string;
  /** Default 'train'. */
  split?: 'train'|'test';
  rows: number;
  cols: number;
  /** n * rows * cols bytes, image after image, row-major pixels; byte b becomes b / 127.5 - 1. */
  pixels: Uint8Array;
  /** n labels, one byte each (default: all 0); {classes: [...]} in a config selects by them. */
  labels?: Uint8Array;
}

/** Options of the eps-grid figure: rows of x_t from one start draw, the ODE (eps 0) and SDEs. */
export interface EpsGridOptions {
  /** One row per level (default [0, 1, 1, 2, 2, 4, 4]); 0 is the ODE (Heun). A number gives one row. */
  eps?: number|number[];
  /** Frames per row, t = 0 .. 1 (default 10). */
  frames?: number;
  /** Fixed sampler steps (default 180). */
  steps?: number;
  seed?: number;
}

/** Options of the mirror strip (a mirror model, interpolant.path 'mirror'). */
export interface MirrorOptions {
  /** The start image: d values in [-1, 1] (e.g. from imagePoints). */
  image: ArrayLike<number>;
  /** Noise level of the SDE (default 1). */
  eps?: number;
  /** Frames, t = 0 .. 1 (default 7). */
  frames?: number;
  /** Rows, each its own noise (default 3). */
  rows?: number;
  steps?: number;
  seed?: number;
}

/** Rows of frames: rows[r] holds times.length images of d values each, frame after frame. */
export interface ImageStrip {
  kind: 'eps-grid'|'mirror';
  rowLabels: string[];
  /** The noise level of each row (0: the ODE). */
  rowEps: Float64Array;
  times: Float64Array;
  rows: Float32Array[];
}

export interface StochasticInterpolants {
  readonly version: string;
  readonly pathNames: readonly PathName[];
  readonly gammaNames: readonly GammaName[];
  readonly activationNames: readonly ActivationName[];
  readonly distributionTypes: readonly DistributionType[];
  readonly fieldSets: readonly FieldSetName[];
  readonly odeMethods: readonly OdeMethod[];
  readonly sdeMethods: readonly SdeMethod[];
  /** The kinds si.figure() computes. */
  readonly figureKinds: readonly FigureKind[];
  /** Every table of the core with its traits. */
  readonly catalog: Catalog;

  readonly TrainingSession: TrainingSessionConstructor;
  readonly Model: ModelConstructor;
  readonly ExactFields: ExactFieldsConstructor;

  /** Probability-flow samples: n points from the base, integrated from t0 to t1. */
  sampleODE(fields: Fields, options?: SampleOdeOptions): SampleOdeResult;
  /** Forward-SDE samples: dX = (b + eps s) dt + sqrt(2 eps) dW from the base; needs a score. */
  sampleSDE(fields: Fields, options?: SampleSdeOptions): SampleSdeResult;
  /** Exact model log-likelihood log rho1(x) of each point through the probability flow. */
  logLikelihoodODE(fields: Fields, points: PointsInput, options?: OdeOptions): Float64Array;
  /** Log-likelihood through the backward SDE: mean over paths and its standard error. */
  logLikelihoodSDE(fields: Fields, points: PointsInput, options?: LogLikelihoodSdeOptions): LogLikelihoodSdeResult;

  /** n samples (n*d values) of a distribution, drawn with the seed (default 0). */
  sampleDistribution(spec: DistributionSpec, n: number, seed?: number): Float32Array;
  /** Exact log density at each point; throws if it is not known for this type. */
  logDensity(spec: DistributionSpec, points: PointsInput): Float64Array;
  /** alpha, beta, gamma and their derivatives at each time. */
  interpolantCoefficients(interpolant: InterpolantSpec, ts: number | ArrayLike<number>): InterpolantCoefficients;
  /** n samples (n*d values) of x_t = alpha x0 + beta x1 + gamma z for any base and target. */
  sampleXt(config: ExactFieldsSpec, t: number, n: number, seed?: number): Float32Array;
  /** Energy distance between two point sets of dimension d (default 2). */
  energyDistance(a: PointsInput, b: PointsInput, d?: number): number;
  /** Share of the 2-D points on the checkerboard's support, in [0, 1]. */
  checkerboardSupportShare(points: PointsInput): number;
  /** One of the paper's figures A-D from the exact fields (the numbers `si figure <kind>` draws). Throws an
   *  Error naming the option ("interpolants[1].alpha: ...") for a bad one; unknown options are rejected. */
  figure<K extends FigureKind>(kind: K, options?: FigureOptionsByKind[K]): FigureByKind[K];
  /** Wasm heap size and bytes allocated (for diagnostics and leak tests). */
  memoryStats(): MemoryStats;
  /** True for the threaded module (init({threads}) with more than 1 where SharedArrayBuffer exists). */
  readonly threaded: boolean;
  /** The threads this instance can use: init's count for the threaded module, 1 for the other. */
  readonly maxThreads: number;
  /** Why the single-threaded module was loaded (e.g. the page is not cross-origin isolated); null if threaded. */
  readonly singleThreadedReason: string | null;
  /** Threads of sampling, likelihoods, figures and the sessions made from now on; 1 .. maxThreads
   *  (else an Error naming "threads"). Starts at maxThreads. */
  threads: number;

  /** Stores images (copied) under name/split, replacing a set stored there; returns their count. Throws an
   *  Error naming the field (pixels, labels, rows, cols, name, split) for bad input. */
  addImages(images: ImagesInput): number;
  /** "name/split" of every stored set. */
  storedImages(): string[];
  /** Images first .. first + n - 1 of a stored set as values in [-1, 1] (n * d, image after image). */
  imagePoints(name: string, split: 'train'|'test', first: number, n: number): Float32Array;
  /** The core's image figures (`si figure eps-grid|mirror`) for a model whose dimension is a square. */
  imageFigure(kind: 'eps-grid', model: Model, options?: EpsGridOptions): ImageStrip;
  imageFigure(kind: 'mirror', model: Model, options: MirrorOptions): ImageStrip;
}
