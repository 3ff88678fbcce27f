// The app's state: one declarative list of settings, serialised to the URL query so that a link
// reproduces a run (seed included). Each setting says where its value goes in the training config
// (configs/SCHEMA.md) and in the package's sampler options, so both are built, and the config read back,
// from this list alone. Enum settings take their values from the library's name lists (si.pathNames, ...);
// the page adds only labels and order.
import type {Catalog as LibraryCatalog, SampleOdeOptions, SampleSdeOptions} from 'stochastic-interpolants';
import type {StochasticInterpolants} from 'stochastic-interpolants';

export type Value = string|number|boolean;
export type Settings = Record<string, Value>;
type Obj = Record<string, unknown>;

/**
 * What changing a setting does: 'train' starts a new network (data, interpolant, network, seed: what
 * defines the run); 'tune' applies it to the running model (the optimiser, the schedule, the batch,
 * the step limit: nothing learned is lost); 'sample' re-samples the same model; 'view' redraws every
 * view; 'field' only recomputes the Fields view.
 */
export type Effect = 'train'|'tune'|'sample'|'view'|'field';

/** Whether changing this setting starts a new network (the controls say so). */
export const restarts = (d: SettingDef) => d.effect === 'train';

/**
 * The library's name lists, by the kinds of its bindings' names(kind); 'field' (b, s, eta, v) is
 * derived from the field sets.
 */
export type NameKind = 'distribution'|'path'|'gamma'|'fieldSet'|'activation'|'odeMethod'|'sdeMethod'|'field';
/** The core's size limits (si.catalog.limits, core/include/si/limits.hpp). */
export type Limits = LibraryCatalog['limits'];
/** What the page knows of the library: its name lists, and the traits that the page's rules need. */
export interface Catalog {
  names: Partial<Record<NameKind, readonly string[]>>;
  /** The library's size limits: every numeric setting's bounds and the costs of settings together. */
  limits?: Readonly<Limits>;
  /** The gamma of each path when a config gives none (the page's 'auto'). */
  defaultGamma?: Readonly<Record<string, string>>;
  /** Paths whose x0 is the noise (one-sided, mirror): they need the base N(0, I). */
  noiseBase?: readonly string[];
  /** Data sets that a config must give parameters for (e.g. a general mixture's means). */
  needsParameters?: readonly string[];
}

/** Where a value lives in a nested object, and how it is written there and read back. */
export interface Slot {
  /** Dot path, e.g. 'optimizer.lr'; a number indexes an array ('base.mean.0'). */
  path: string;
  /** What is stored there (default: the setting's value); undefined leaves the key out. */
  write?: (v: Value, s: Settings) => unknown;
  /** The setting's value from what is stored there (default: as is); `c` is the whole object. */
  read?: (x: unknown, c: Obj, catalog: Catalog) => unknown;
}

export interface SettingDef {
  key: string;
  /** On screen, next to the control. */
  label: string;
  /** The label with its context, for messages (e.g. "target ρ₁ components"); default: label. */
  title?: string;
  group: 'data'|'interpolant'|'network'|'training'|'sampler'|'view';
  /** 'auto-number': the text 'auto' or a number. */
  kind: 'enum'|'number'|'int'|'bool'|'points'|'auto-number';
  default: Value;
  effect: Effect;
  /** enum: the library's list of values. */
  names?: NameKind;
  /** enum: the page's own values, offered before the library's (e.g. gamma 'auto'). */
  extra?: readonly string[];
  /**
   * Inclusive bounds of numbers: the page's own (a browser-sized range, within the library's). The bounds
   * in force are bounds(): these, the library's `limit` and the costs of the settings together (COSTS).
   */
  min?: number;
  max?: number;
  /** The library's limit of this value (si.catalog.limits), when the library has one. */
  limit?: keyof Limits;
  step?: number;
  help?: string;
  /** Shown by this element outside the settings panel (no row in the panel). */
  control?: string;
  /** The setting means something only when this holds (a Gaussian's mean): only then is it in the config. */
  applies?: (s: Settings) => boolean;
  /** Shown only when this holds (default: applies). */
  visible?: (s: Settings) => boolean;
  /** Its place in the training config (the first slot is read back). */
  config?: readonly Slot[];
  /** Its place in the sampler options, { ode: SampleOdeOptions, sde: SampleSdeOptions }. */
  sampler?: readonly Slot[];
}

// ---------------------------------------------------------------- presentation of the library's names
/**
 * The page's order and labels (a bare name is its own label); names the library adds come after these,
 * labelled by themselves.
 */
type Shown = string|readonly [name: string, label: string];
const SHOWN: Partial<Record<NameKind, readonly Shown[]>> = {
  distribution: [
    ['gaussian', 'Gaussian'], ['random-gmm', 'random mixture'], 'checkerboard', ['8gaussians', '8 Gaussians'],
    ['moons', 'two moons'], ['spirals', '2 spirals'], ['rings', 'concentric rings'], 'pinwheel',
    ['swissroll', 'swiss roll'], ['paper-gmm', 'the paper\'s random mixture'], ['points', 'points you draw']
  ],
  path: ['one-sided-linear', 'one-sided-trig', 'linear', 'trig', 'encoding-decoding', 'mirror'],
  gamma: ['zero', 'brownian', 'a-brownian', 'bsquared', 'sinesquared', 'sigmoid'],
  fieldSet: [
    ['b+s', 'b + s'], ['b+eta', 'b + η'], ['v+s', 'v + s'], ['v+eta', 'v + η'], ['b', 'b only (ODE)'],
    ['s', 's only (mirror)']
  ],
  activation: ['relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid', 'softplus', 'silu'],
  odeMethod: ['heun', 'rk4', 'euler', 'dopri5'],
  sdeMethod: ['heun', 'euler', ['heun-karras', 'heun-karras (1st order)']],
  field: ['b', 's', 'eta', 'v'],
};
/** Data sets the page has controls for, among those that need parameters (drawn points). */
const PARAMETRISED = ['points'];
const shownName = (x: Shown) => (typeof x === 'string' ? x : x[0]);

/** The catalog of a module instance (the worker sends it to the page). */
export function catalogOf(si: StochasticInterpolants): Catalog {
  const c = si.catalog;
  return {
    names: {
      path: [...si.pathNames],
      gamma: [...si.gammaNames],
      activation: [...si.activationNames],
      distribution: [...si.distributionTypes],
      fieldSet: [...si.fieldSets],
      odeMethod: [...si.odeMethods],
      sdeMethod: [...si.sdeMethods],
      // The fields (b, s, eta, v) that the field sets name.
      field: [...new Set(si.fieldSets.flatMap((f) => f.split('+')))],
    },
    defaultGamma: Object.fromEntries(c.path.map((p) => [p.name, p.defaultGamma])),
    noiseBase: c.path.filter((p) => p.sidedness !== 'two-sided').map((p) => p.name),
    needsParameters: c.distribution.filter((d) => d.needsParameters).map((d) => d.name),
    limits: {...c.limits},
  };
}

/**
 * The values an enum setting offers: its own, then the library's in the page's order; undefined while
 * the library's list is not known.
 */
export function domain(def: SettingDef, catalog: Catalog): string[]|undefined {
  const list = def.names ? catalog.names[def.names] : [];
  if (!list) return undefined;
  const skip = new Set(def.names === 'distribution' ? catalog.needsParameters : []);
  PARAMETRISED.forEach((n) => skip.delete(n));
  const order = (SHOWN[def.names!] ?? []).map(shownName);
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  const lib = list.filter((n) => !skip.has(n)).sort((a, b) => rank(a) - rank(b));
  return [...(def.extra ?? []), ...lib];
}

/**
 * The options of an enum control: the domain, or before the library's lists arrive the default and the
 * current value.
 */
export function options(def: SettingDef, catalog: Catalog, current: Value): string[] {
  return domain(def, catalog) ?? [...new Set([String(def.default), String(current)])];
}

export function optionLabel(def: SettingDef, name: string): string {
  const hit = (SHOWN[def.names!] ?? []).find((x) => shownName(x) === name);
  return hit && typeof hit !== 'string' ? hit[1] : name;
}

// ---------------------------------------------------------------- the settings
/** Fewest drawn points accepted as a data set: below this a "distribution" is a handful of bumps. */
export const MIN_DRAWN_POINTS = 10;

/** The library's gamma when a config gives none: the page's 'auto'. */
const autoGamma = (path: unknown, catalog: Catalog) => catalog.defaultGamma?.[String(path)];
/** A model with a score (learned, or derived from a denoiser) can run the SDE. */
export const hasScore = (s: Settings) => String(s.fields).split('+').some((f) => f === 's' || f === 'eta');

const at = (path: string, more?: Omit<Slot, 'path'>): Slot[] => [{path, ...more}];
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function sideDefs(side: 'b'|'t', name: string, def: string): SettingDef[] {
  const spec = side === 'b' ? 'base' : 'target';
  const is = (...types: string[]) => (s: Settings) => types.includes(String(s[side]));
  const d = (key: string, label: string, rest: Omit<SettingDef, 'key'|'label'|'title'|'group'|'effect'>) =>
      ({key: side + key, label, title: `${name} ${label}`, group: 'data', effect: 'train', ...rest}) as SettingDef;
  return [
    {
      key: side,
      label: name,
      help: side === 'b' ? 'Where the model starts (t = 0): its samples are carried to the target.' :
                           'The distribution to learn (t = 1): the data.',
      group: 'data',
      kind: 'enum',
      default: def,
      effect: 'train',
      names: 'distribution',
      config: at(`${spec}.type`)
    },
    d('mx', 'mean x', {
      help: 'Mean of this Gaussian: its x coordinate.',
      kind: 'number',
      default: 0,
      step: 0.1,
      min: -10,
      max: 10,
      applies: is('gaussian'),
      config: at(`${spec}.mean.0`)
    }),
    d('my', 'mean y', {
      help: 'Mean of this Gaussian: its y coordinate.',
      kind: 'number',
      default: 0,
      step: 0.1,
      min: -10,
      max: 10,
      applies: is('gaussian'),
      config: at(`${spec}.mean.1`)
    }),
    d('sd', 'std', {
      kind: 'number',
      default: 1,
      step: 0.1,
      min: 0.01,
      max: 10,
      applies: is('gaussian'),
      help: 'One-sided and mirror paths need the base to be N(0, I): mean 0, std 1.',
      config: at(`${spec}.cov`, {
        write: (v) => [[(v as number) ** 2, 0], [0, (v as number) ** 2]],
        read: (cov) =>
            (Array.isArray(cov) && Array.isArray(cov[0]) && isNum(cov[0][0]) ? Math.sqrt(cov[0][0]) : undefined),
      })
    }),
    d('k', 'components', {
      help: 'Number of Gaussian components of the random mixture.',
      kind: 'int',
      default: 3,
      min: 1,
      max: 20,
      limit: 'components',
      applies: is('random-gmm', 'paper-gmm'),
      config: at(`${spec}.components`)
    }),
    d('gs', 'mixture seed', {
      help: 'Seed of the random mixture: its means and covariances.',
      kind: 'int',
      default: side === 'b' ? 1 : 2,
      min: 0,
      max: 1e9,
      limit: 'seed',
      applies: is('random-gmm', 'paper-gmm'),
      config: at(`${spec}.seed`)
    }),
    d('bw', 'bandwidth', {
      kind: 'number',
      default: 0.15,
      step: 0.01,
      min: 0.001,
      max: 5,
      applies: is('points'),
      help: 'Drawn points become a mixture of small Gaussians of this std.',
      config: at(`${spec}.bandwidth`)
    }),
    d('pts', 'drawn points', {
      kind: 'points',
      default: '',
      applies: is('points'),
      control: 'cv-draw',
      config: at(`${spec}.points`, {
        write: (v) => decodePoints(v as string),
        read: (p) =>
            (Array.isArray(p) && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(isNum)) ?
                 encodePoints(p as [number, number][]) :
                 undefined),
      })
    }),
  ];
}

export const SETTINGS: readonly SettingDef[] = [
  ...sideDefs('b', 'base ρ₀', 'gaussian'),
  ...sideDefs('t', 'target ρ₁', 'checkerboard'),
  {
    key: 'path',
    label: 'path',
    help:
        'How x_t goes from x₀ to x₁: α(t) x₀ + β(t) x₁ + γ(t) z. One-sided paths start from noise N(0, I); the mirror goes data → noise → data.',
    group: 'interpolant',
    kind: 'enum',
    default: 'one-sided-linear',
    effect: 'train',
    names: 'path',
    config: at('interpolant.path')
  },
  {
    key: 'gamma',
    label: 'γ(t)',
    group: 'interpolant',
    kind: 'enum',
    default: 'auto',
    effect: 'train',
    names: 'gamma',
    extra: ['auto'],
    help: 'auto: 0 on one-sided paths (x₀ is the noise), brownian √(t(1−t)) otherwise.',
    config: at('interpolant.gamma', {
      write: (v) => (v === 'auto' ? undefined : v),
      read: (g, c, catalog) => (g === autoGamma(get(c, 'interpolant.path'), catalog) ? 'auto' : g),
    })
  },
  {
    key: 'ga',
    label: 'a (a-brownian)',
    help: 'The a of γ(t) = √(a t (1 − t)).',
    group: 'interpolant',
    kind: 'number',
    default: 1,
    effect: 'train',
    step: 0.1,
    min: 0.001,
    max: 100,
    applies: (s) => s.gamma === 'a-brownian',
    config: at('interpolant.gamma_a')
  },
  {
    key: 'fields',
    label: 'learned fields',
    help:
        'What the networks learn: the drift b (all the ODE needs), and a score s or the denoiser η (the SDE needs one); v is the velocity of the deterministic part.',
    group: 'interpolant',
    kind: 'enum',
    default: 'b+s',
    effect: 'train',
    names: 'fieldSet',
    config: at('fields')
  },
  {
    key: 'width',
    label: 'width',
    help: 'Neurons in each hidden layer of each network.',
    group: 'network',
    kind: 'int',
    default: 64,
    effect: 'train',
    min: 1,
    limit: 'width',
    config: at('network.hidden', {write: hidden, read: (h) => (Array.isArray(h) ? h[0] : undefined)})
  },
  {
    key: 'depth',
    label: 'hidden layers',
    help: 'Number of hidden layers of each network.',
    group: 'network',
    kind: 'int',
    default: 3,
    effect: 'train',
    min: 1,
    limit: 'layers',
    config: at('network.hidden', {write: hidden, read: (h) => (Array.isArray(h) ? h.length : undefined)})
  },
  {
    key: 'act',
    label: 'activation',
    help: 'The nonlinearity between layers.',
    group: 'network',
    kind: 'enum',
    default: 'relu',
    effect: 'train',
    names: 'activation',
    config: at('network.activation')
  },
  {
    key: 'lr',
    label: 'learning rate',
    help: 'Adam\'s step size. Too large and the losses blow up to NaN (the run stops and keeps the model from before).',
    group: 'training',
    kind: 'number',
    default: 5e-3,
    effect: 'tune',
    step: 1e-4,
    min: 1e-9,
    max: 1e6,
    config: at('optimizer.lr')
  },
  {
    key: 'lrstep',
    label: 'lr decay every',
    help: 'Steps between learning-rate decays; 0 = never.',
    group: 'training',
    kind: 'int',
    default: 1500,
    effect: 'tune',
    min: 0,
    max: 1e7,
    config: at('optimizer.step_size')
  },
  {
    key: 'decay',
    label: 'lr decay factor',
    help: 'The step schedule multiplies the learning rate by this at each decay.',
    group: 'training',
    kind: 'number',
    default: 0.5,
    effect: 'tune',
    step: 0.05,
    min: 1e-6,
    max: 1,
    config: at('optimizer.decay')
  },
  {
    key: 'sched',
    label: 'lr schedule',
    help:
        'step: times the decay factor every "lr decay every" steps; cosine: half a cosine down to 0 at "stop at step".',
    group: 'training',
    kind: 'enum',
    default: 'step',
    effect: 'tune',
    extra: ['step', 'cosine'],
    config: at('optimizer.schedule')
  },
  {
    key: 'ema',
    label: 'weight average (EMA)',
    help: 'Decay of a moving average of the weights, which the samples then use; 0 = off (e.g. 0.999).',
    group: 'training',
    kind: 'number',
    default: 0,
    effect: 'tune',
    step: 0.001,
    min: 0,
    max: 0.9999,
    config: at('optimizer.ema')
  },
  {
    key: 'clip',
    label: 'gradient clip',
    help: 'Largest gradient norm; 0 = off.',
    group: 'training',
    kind: 'number',
    default: 0,
    effect: 'tune',
    step: 0.1,
    min: 0,
    max: 1e9,
    config: at('optimizer.clip')
  },
  {
    key: 'batch',
    label: 'batch',
    help: 'Random (t, x₀, x₁, z) per training step: larger gives smoother, slower steps.',
    group: 'training',
    kind: 'int',
    default: 256,
    effect: 'tune',
    min: 1,
    max: 100000,
    limit: 'batch',
    config: at('training.batch')
  },
  {
    key: 'steps',
    label: 'stop at step',
    help: 'Training stops at this step; raise it to go on training the same model.',
    group: 'training',
    kind: 'int',
    default: 20000,
    effect: 'tune',
    min: 1,
    max: 1e7,
    limit: 'trainingSteps',
    config: at('training.steps')
  },
  {
    key: 'seed',
    label: 'seed',
    help: 'Seed of the initial weights and of every random draw: the same seed gives the same run.',
    group: 'training',
    kind: 'int',
    default: 0,
    effect: 'train',
    min: 0,
    max: 2 ** 31 - 1,
    limit: 'seed',
    config: at('training.seed'),
    // The samplers' seeds follow the training seed, apart from it (and from each other).
    sampler:
        [{path: 'ode.seed', write: (v) => (v as number) + 1000}, {path: 'sde.seed', write: (v) => (v as number) + 1001}]
  },
  {
    key: 'tcut',
    label: 'training t cut',
    group: 'training',
    kind: 'number',
    default: 1e-4,
    effect: 'tune',
    step: 1e-4,
    min: 0,
    max: 0.4,
    help: 'Training draws t in [cut, 1 − cut]: 1/γ and 1/α blow up at the ends.',
    config: [{path: 'training.t_lo'}, {path: 'training.t_hi'}]
  },
  {
    key: 'anti',
    label: 'antithetic',
    help: 'Antithetic sampling: each noise z is paired with −z in the losses, which lowers the gradients\' variance.',
    group: 'training',
    kind: 'bool',
    default: true,
    effect: 'tune',
    config: at('training.antithetic')
  },
  {
    key: 'n',
    label: 'samples',
    help: 'How many samples the ODE and the SDE draw (the quality table measures them).',
    group: 'sampler',
    kind: 'int',
    default: 1000,
    effect: 'sample',
    min: 10,
    max: 20000,
    limit: 'samples',
    sampler: [{path: 'ode.n'}, {path: 'sde.n'}]
  },
  {
    key: 'ode',
    label: 'ODE method',
    help: 'Integrator of the ODE dX = b dt: heun, rk4 and euler take fixed steps; dopri5 adapts them to a tolerance.',
    group: 'sampler',
    kind: 'enum',
    default: 'heun',
    effect: 'sample',
    names: 'odeMethod',
    config: at('sampling.ode.method'),
    sampler: at('ode.method')
  },
  {
    key: 'odesteps',
    label: 'ODE steps',
    help: 'Fixed steps of the ODE integrator from t = 0 to 1.',
    group: 'sampler',
    kind: 'int',
    default: 40,
    effect: 'sample',
    min: 1,
    max: 5000,
    limit: 'steps',
    visible: (s) => s.ode !== 'dopri5',
    config: at('sampling.ode.steps'),
    sampler: at('ode.steps')
  },
  {
    key: 'tol',
    label: 'ODE atol = rtol',
    help: 'Tolerances of the adaptive dopri5 integrator (smaller: more steps).',
    group: 'sampler',
    kind: 'number',
    default: 1e-3,
    effect: 'sample',
    step: 1e-4,
    min: 1e-10,
    max: 1,
    visible: (s) => s.ode === 'dopri5',
    config: [{path: 'sampling.ode.atol'}, {path: 'sampling.ode.rtol'}],
    sampler: [{path: 'ode.atol'}, {path: 'ode.rtol'}]
  },
  {
    key: 'sde',
    label: 'SDE method',
    help: 'Integrator of the SDE dX = (b + ε s) dt + √(2ε) dW.',
    group: 'sampler',
    kind: 'enum',
    default: 'heun',
    effect: 'sample',
    names: 'sdeMethod',
    config: at('sampling.sde.method'),
    sampler: at('sde.method')
  },
  {
    key: 'sdesteps',
    label: 'SDE steps',
    help: 'Steps of the SDE integrator from t = 0 to 1; a larger noise ε needs more.',
    group: 'sampler',
    kind: 'int',
    default: 50,
    effect: 'sample',
    min: 1,
    max: 5000,
    limit: 'steps',
    config: at('sampling.sde.steps'),
    sampler: at('sde.steps')
  },
  {
    key: 'epsuntil',
    label: 'SDE noise off after',
    group: 'sampler',
    kind: 'auto-number',
    default: 'auto',
    effect: 'sample',
    min: 0,
    max: 1,
    step: 0.01,
    visible: hasScore,
    help: 'From this time on the SDE runs without noise (the probability flow): a score derived from a ' +
        'denoiser, s = −η/γ (one-sided: −η/α), blows up at an end. auto: the model\'s own choice ' +
        '(0.99 for a score from a denoiser, else never).',
    config: at('sampling.sde.eps_until', {write: unlessAuto}),
    sampler: at('sde.epsUntil', {write: unlessAuto})
  },
  {
    key: 'eps',
    label: 'noise ε',
    help:
        'Noise level ε of the SDE: 0 is the ODE; larger ε corrects more of the learned fields\' errors and needs more steps.',
    group: 'sampler',
    kind: 'number',
    default: 0.5,
    effect: 'sample',
    min: 0,
    max: 3,
    step: 0.05,
    control: 'eps-slider',
    config: at('sampling.sde.eps'),
    sampler: at('sde.eps')
  },
  {
    key: 'ext',
    label: 'plot half-width',
    help: 'Half-width of every 2-D plot: x and y from −w to w.',
    group: 'view',
    kind: 'number',
    default: 5,
    effect: 'view',
    min: 0.5,
    max: 50,
    step: 0.5
  },
  {
    key: 'field',
    label: 'field shown',
    group: 'view',
    kind: 'enum',
    default: 'auto',
    effect: 'field',
    names: 'field',
    extra: ['auto'],
    control: 'field-select',
    help: 'The field the Fields view draws; auto: s for the mirror, else b.'
  },
  {
    key: 'ft',
    label: 'field time t',
    help: 'The time t at which the Fields view shows the field.',
    group: 'view',
    kind: 'number',
    default: 0.5,
    effect: 'field',
    min: 0,
    max: 1,
    step: 0.01,
    control: 'field-t'
  },
];

/** 'auto' leaves the option out: the library's default applies. */
function unlessAuto(v: Value): Value|undefined {
  return v === 'auto' ? undefined : v;
}

function hidden(_: Value, s: Settings): number[] {
  // Checked settings only reach here (settingsProblems); the cap keeps a bad one from allocating anyway.
  return Array.from({length: Math.min(s.depth as number, 64)}, () => s.width as number);
}

const byKey = new Map(SETTINGS.map((d) => [d.key, d]));
export function settingDef(key: string): SettingDef {
  const d = byKey.get(key);
  if (!d) throw new Error(`unknown setting ${key}`);
  return d;
}

export function defaults(): Settings {
  return Object.fromEntries(SETTINGS.map((d) => [d.key, d.default]));
}

export const applies = (d: SettingDef, s: Settings) => !d.applies || d.applies(s);
export const isVisible = (d: SettingDef, s: Settings) => (d.visible ? d.visible(s) : applies(d, s));
export const titleOf = (d: SettingDef) => d.title ?? d.label;

/** The field the Fields view shows for these settings ('auto' resolved). */
export function fieldShown(s: Settings): string {
  if (s.field !== 'auto') return String(s.field);
  // The mirror learns s only (its b = -γγ' s vanishes where γ' = 0, e.g. at t = 1/2).
  return s.path === 'mirror' ? 's' : 'b';
}

// ---------------------------------------------------------------- values, checks, the URL
/** The value a text stands for (the URL's, or a text control's); invalid() says whether it is one. */
export function parseValue(def: SettingDef, text: string): unknown {
  if (def.kind === 'bool') {
    const known: Record<string, boolean> = {'1': true, 'true': true, '0': false, 'false': false};
    return text in known ? known[text] : text;
  }
  if (def.kind === 'enum' || def.kind === 'points') return text;
  // An emptied 'auto or a number' control is back to auto (its placeholder).
  if (def.kind === 'auto-number' && (text.trim() === 'auto' || text.trim() === '')) return 'auto';
  return text.trim() === '' ? NaN : Number(text);
}

// ---------------------------------------------------------------- bounds: the page's, the library's limits, costs
/** The page's data sets are 2-D. */
export const DIM = 2;
/** Frames of the paths that each sampler call returns for the Trajectories view. */
export const FRAMES = 21;
/** Held-out target points of the NLL, and the side of the density heatmap's grid (both through the ODE). */
export const HELDOUT = 256;
export const DENSITY_GRID = 40;

/**
 * Sizes of one network for these settings, as the core counts them (core/src/config.cpp): its
 *  parameters (weights and biases of each layer, input x and t) and the sum of its layers' widths.
 */
export function networkSize(s: Settings): {params: number; widthSum: number} {
  const w = s.width as number;
  const depth = s.depth as number;
  return {
    params: (DIM + 1) * w + w + (depth - 1) * (w * w + w) + w * DIM + DIM,
    widthSum: depth * w + DIM,
  };
}

/**
 * What settings cost together, each within a limit: the library's (si.catalog.limits: the parameters of
 * a network, the numbers one training step holds, the numbers a sampler call returns; as the core counts
 * them) or the page's own budget for a browser, where one call of the library must stay short enough for
 * the worker to answer (a training step; a refresh of the samples). Each cost grows with each of its
 * settings.
 */
interface Cost {
  /** The library's limit of the amount, or the page's budget (a number). */
  limit: keyof Limits|number;
  /** What the amount counts, for messages. */
  what: string;
  keys: readonly string[];
  amount: (s: Settings) => number;
}
/**
 * The page's budgets for a browser worker, from timings on a loaded 2-core machine (wasm): a training step
 * takes ~2e-9 s per parameter and batch point (the notebook presets: 4e8, 0.8 s; budget ~2 s); a refresh
 * takes ~6e-10 s per (parameters + 12000) and point-step: the ODE and SDE samples, the held-out NLL and
 * the density heatmap (likelihoods cost about two sampling steps per point and ODE step). The default
 * refresh is 5e9 (~3 s with the heatmap), the notebook presets' 6e10; budget 1e11 (~1 min at most here).
 */
const STEP_BUDGET = 1e9;
const REFRESH_BUDGET = 1e11;
/** Work of one refresh (the one worker turn that cannot be split), in (parameters + 12000) point-steps. */
function refreshWork(s: Settings): number {
  const likelihoodPoints = 2 * (HELDOUT + DENSITY_GRID * DENSITY_GRID);
  const n = s.n as number;
  return (networkSize(s).params + 12000) *
      ((s.odesteps as number) * (n + likelihoodPoints) + (s.sdesteps as number) * n);
}
const COSTS: readonly Cost[] = [
  {limit: 'params', what: 'parameters per network', keys: ['width', 'depth'], amount: (s) => networkSize(s).params},
  {
    limit: 'batchFloats',
    what: 'numbers per training step (2 × batch × (3 + widths))',
    keys: ['width', 'depth', 'batch'],
    amount: (s) => 2 * (s.batch as number) * (DIM + 1 + networkSize(s).widthSum),
  },
  {
    limit: 'outputFloats',
    what: `numbers per sampler call (samples × 2 × (${FRAMES} frames + 1))`,
    keys: ['n'],
    amount: (s) => (s.n as number) * DIM * (FRAMES + 1),
  },
  {
    limit: STEP_BUDGET,
    what: 'parameters × batch per training step',
    keys: ['width', 'depth', 'batch'],
    amount: (s) => networkSize(s).params * (s.batch as number),
  },
  {
    limit: REFRESH_BUDGET,
    what: 'units of work per refresh of the samples and likelihoods (network size × points × steps)',
    keys: ['width', 'depth', 'n', 'odesteps', 'sdesteps'],
    amount: refreshWork,
  },
];
const limitOf = (c: Cost, limits: Readonly<Limits>) => (typeof c.limit === 'number' ? c.limit : limits[c.limit]);
const whose = (c: Cost) => (typeof c.limit === 'number' ? 'the page\'s budget for a browser' : 'the library\'s limit');
const big = (x: number) => x.toLocaleString('en-US');

/** The bounds in force for a number setting; `because` says what lowered the maximum, if anything did. */
export interface Bounds {
  min?: number;
  max?: number;
  because?: string;
}

/**
 * A number setting's bounds: the page's own, within the library's limit of the value (once the library's
 * limits are known), and, given the other settings `s`, within the limits of the costs it shares with them.
 */
export function bounds(def: SettingDef, catalog: Catalog, s?: Settings): Bounds {
  const limits = catalog.limits;
  const b: Bounds = {min: def.min, max: def.max};
  const lib = def.limit && limits ? limits[def.limit] : undefined;
  if (lib !== undefined && (b.max === undefined || lib < b.max)) b.max = lib;
  if (!s || !limits || def.kind !== 'int') return b;
  const top = b.max ?? Number.MAX_SAFE_INTEGER;
  for (const c of COSTS) {
    if (!c.keys.includes(def.key)) continue;
    const others = c.keys.filter((k) => k !== def.key);
    // The others must be good values for the cost to mean anything (a bad one is reported by its own check).
    if (others.some((k) => !isNum(s[k]) || invalid(settingDef(k), s[k], catalog) !== undefined)) continue;
    const fits = (v: number) => c.amount({...s, [def.key]: v}) <= limitOf(c, limits);
    if (fits(b.max ?? top)) continue;
    // The largest value that fits, by bisection (the cost grows with the value).
    let lo = (b.min ?? 0) - 1;
    let hi = b.max ?? top;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    b.max = lo;
    const given = others.map((k) => `${settingDef(k).label} ${s[k]}`);
    const list = given.length > 1 ? `${given.slice(0, -1).join(', ')} and ${given.at(-1)}` : given[0];
    b.because = `with ${list}; more needs over ${big(limitOf(c, limits))} ${c.what}, ${whose(c)}`;
  }
  return b;
}

/** The values a setting takes, in words (for messages). */
export function allowedValues(def: SettingDef, catalog: Catalog, s?: Settings): string {
  switch (def.kind) {
    case 'bool':
      return '0 or 1';
    case 'points':
      return 'points drawn in the drawing pad';
    case 'enum': {
      const known = domain(def, catalog);
      return known ? `one of ${known.join(', ')}` : 'a name';
    }
    default: {
      const b = bounds(def, catalog, s);
      const what =
          `${def.kind === 'auto-number' ? 'auto or ' : ''}${def.kind === 'int' ? 'a whole number' : 'a number'}`;
      const range = b.min !== undefined && b.max !== undefined ?
          (b.max < b.min ? 'none' : `${what} from ${b.min} to ${b.max}`) :
          b.min !== undefined ? `${what} of at least ${b.min}` :
          b.max !== undefined ? `${what} of at most ${b.max}` :
                                what;
      return b.because ? `${range} (${b.because})` : range;
    }
  }
}

/** Drawn points a base64url text holds (4 bytes a point), without decoding it. */
const pointCount = (text: string) => Math.floor(Math.floor((text.length * 6) / 8) / 4);

/**
 * Why v is not a value of this setting, or undefined if it is; the reason ends with the values allowed.
 * Enum values are checked against the library's list once it is known (before that, any plain name
 * passes), numbers against bounds(): the library's limits once they are known and, given the other
 * settings `s`, the costs the setting shares with them.
 */
export function invalid(def: SettingDef, v: unknown, catalog: Catalog, s?: Settings): string|undefined {
  const allowed = () => `; allowed: ${allowedValues(def, catalog, s)}`;
  if (def.kind === 'bool') return typeof v === 'boolean' ? undefined : `is not 0 or 1`;
  if (def.kind === 'points') {
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]*$/.test(v)) return 'is not base64url';
    const most = catalog.limits?.points;
    return most !== undefined && pointCount(v) > most ?
        `holds ${pointCount(v)} points, more than the library's limit of ${most}` :
        undefined;
  }
  if (def.kind === 'enum') {
    if (typeof v !== 'string' || !/^[\w+.-]+$/.test(v)) return `is not a name${allowed()}`;
    const known = domain(def, catalog);
    return !known || known.includes(v) ? undefined : `is not a name the library has${allowed()}`;
  }
  if (def.kind === 'auto-number' && v === 'auto') return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return `${def.kind === 'auto-number' ? 'is neither auto nor a number' : 'is not a number'}${allowed()}`;
  }
  if (def.kind === 'int' && !Number.isInteger(v)) return `is not a whole number${allowed()}`;
  const b = bounds(def, catalog, s);
  if ((b.min !== undefined && v < b.min) || (b.max !== undefined && v > b.max)) return `is out of range${allowed()}`;
  return undefined;
}

/**
 * Every setting's value checked, the costs of settings together included: what the page checks before it
 * asks for a run, and the worker again before it allocates anything.
 */
export function settingsProblems(s: Settings, catalog: Catalog): string[] {
  const out: string[] = [];
  for (const d of SETTINGS) {
    const why = d.key in s ? invalid(d, s[d.key], catalog, s) : 'is missing';
    const v = s[d.key];
    if (why) out.push(`${titleOf(d)} = ${typeof v === 'number' ? String(v) : brief(v)} ${why}`);
  }
  return out;
}

export function formatValue(def: SettingDef, v: Value): string {
  if (def.kind === 'bool') return v ? '1' : '0';
  return String(v);
}

/** Non-default settings only, so links stay short. */
export function toQuery(s: Settings): string {
  const q = new URLSearchParams();
  for (const d of SETTINGS) {
    const v = s[d.key];
    if (v !== d.default) q.set(d.key, formatValue(d, v));
  }
  return q.toString();
}

/**
 * Settings from a query string. Unknown keys and bad values are reported (naming the control and the
 * values allowed) and not applied: the setting keeps its default, the rest of the link applies. Each value
 * is checked on its own, then with the link's other values (the costs settings share, such as a network's
 * parameters from width and depth), in the settings' order: a link the page made always passes.
 */
export function fromQuery(query: string, catalog: Catalog = {
  names: {}
}): {settings: Settings; problems: string[]} {
  const s = defaults();
  const problems: string[] = [];
  const given = new Map<string, string>();
  for (const [k, text] of new URLSearchParams(query)) {
    if (byKey.has(k)) {
      given.set(k, text);
    } else {
      problems.push(`unknown setting "${k}" ignored`);
    }
  }
  const report = (d: SettingDef, why: string) => {
    const text = given.get(d.key)!;
    problems.push(`${titleOf(d)} (${d.key}=${text.length > 40 ? `${text.slice(0, 37)}…` : text}) ${why}; kept ${
        formatValue(d, d.default)}`);
    s[d.key] = d.default;
  };
  const taken: SettingDef[] = [];
  for (const d of SETTINGS) {
    const text = given.get(d.key);
    if (text === undefined) continue;
    const v = parseValue(d, text);
    const why = invalid(d, v, catalog);
    if (why) {
      report(d, why);
    } else {
      s[d.key] = v as Value;
      taken.push(d);
    }
  }
  for (const d of taken) {
    const why = invalid(d, s[d.key], catalog, s);
    if (why) report(d, why);
  }
  // Falling back to a default can raise a cost (a value below its default that did not fit): then the
  // link's values of the costs' settings all fall back (the defaults fit together).
  if (settingsProblems(s, catalog).length) {
    for (const d of taken) {
      if (COSTS.some((c) => c.keys.includes(d.key)) && s[d.key] !== d.default) {
        report(d, 'does not fit with the link\'s other values');
      }
    }
  }
  return {settings: s, problems};
}

// Drawn points travel in the URL as base64url of little-endian int16 pairs in units of 1/1000.
export function encodePoints(pts: ReadonlyArray<Readonly<[number, number]>>): string {
  const a = new Int16Array(pts.length * 2);
  pts.forEach(([x, y], i) => {
    a[2 * i] = Math.max(-32767, Math.min(32767, Math.round(x * 1000)));
    a[2 * i + 1] = Math.max(-32767, Math.min(32767, Math.round(y * 1000)));
  });
  const bytes = new Uint8Array(a.buffer);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodePoints(text: string): [number, number][] {
  if (!text) return [];
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(bin.length - (bin.length % 4));
  for (let i = 0; i < bytes.length; i++) bytes[i] = bin.charCodeAt(i);
  const a = new Int16Array(bytes.buffer);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < a.length; i += 2) out.push([a[i] / 1000, a[i + 1] / 1000]);
  return out;
}

/** Checks the page can do before asking the library; returns messages. */
export function pageProblems(s: Settings, catalog: Catalog = {
  names: {}
}): string[] {
  return [...comboProblems(s, catalog), ...drawnProblems(s)];
}

/** Settings that cannot work together (refused before anything trains). */
function comboProblems(s: Settings, catalog: Catalog): string[] {
  const out: string[] = [];
  // A score needs noise: a two-sided path with gamma = 0 has none (its losses would divide by gamma).
  const twoSided = catalog.noiseBase !== undefined && !catalog.noiseBase.includes(String(s.path));
  if (twoSided && s.gamma === 'zero' && s.fields !== 'b') {
    const f = settingDef('fields');
    out.push(
        `${f.label} "${optionLabel(f, String(s.fields))}" need a score, and the ${s.path} path with γ(t) = zero ` +
        'has no noise to learn it from (its loss divides by γ): choose γ(t) brownian (or another γ > 0), ' +
        `or ${f.label} "${optionLabel(f, 'b')}"`);
  }
  return out;
}

/** A drawn data set with too few points: nothing can train until it is drawn. */
export function drawnProblems(s: Settings): string[] {
  const out: string[] = [];
  for (const side of ['b', 't'] as const) {
    if (s[side] !== 'points') continue;
    const n = decodePoints(s[side + 'pts'] as string).length;
    if (n < MIN_DRAWN_POINTS) {
      out.push(
          `${side === 'b' ? 'base' : 'target'}: the drawn set has ${n} point${n === 1 ? '' : 's'}; ` +
          `draw at least ${MIN_DRAWN_POINTS} in the drawing pad (drag, or touch, to draw)`);
    }
  }
  return out;
}

/**
 * A library message in the page's words: the config keys it names ("optimizer.lr: ...") become the
 * labels on screen ("learning rate: ...").
 */
export function onScreen(text: string): string {
  const byPath = new Map<string, string>();
  for (const d of SETTINGS) {
    for (const slot of d.config ?? []) byPath.set(slot.path, byPath.has(slot.path) ? '' : titleOf(d));
  }
  // Keys that several controls write: named by all of them.
  byPath.set('network.hidden', 'width and hidden layers');
  const names = [...byPath].filter(([, label]) => label);
  names.sort((a, b) => b[0].length - a[0].length);
  let out = text;
  for (const [path, label] of names) {
    const dotted = path.includes('.');
    const esc = path.replace(/[.]/g, '\\.');
    // Dotted keys wherever they stand; a bare key (e.g. "fields") only as the message's subject.
    const re = dotted ? new RegExp(`(^|[^\\w.])${esc}(?![\\w.])`, 'g') : new RegExp(`^()${esc}(?=: )`);
    out = out.replace(re, (_m, pre: string) => `${pre}"${label}"`);
  }
  return out;
}

// ---------------------------------------------------------------- config and sampler options
function get(o: unknown, path: string): unknown {
  let x = o;
  for (const k of path.split('.')) {
    if (x === null || typeof x !== 'object') return undefined;
    x = (x as Obj)[k];
  }
  return x;
}

function put(o: Obj, path: string, v: unknown): void {
  if (v === undefined) return;
  const keys = path.split('.');
  let x: Obj = o;
  keys.slice(0, -1).forEach((k, i) => {
    x[k] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
    x = x[k] as Obj;
  });
  x[keys[keys.length - 1]] = v;
}

function build(s: Settings, slots: (d: SettingDef) => readonly Slot[] | undefined): Obj {
  const o: Obj = {};
  for (const d of SETTINGS) {
    if (!applies(d, s)) continue;
    for (const slot of slots(d) ?? []) put(o, slot.path, slot.write ? slot.write(s[d.key], s) : s[d.key]);
  }
  return o;
}

/** The training config (configs/SCHEMA.md) these settings describe. */
export function trainingConfig(s: Settings): Obj {
  return build(s, (d) => d.config);
}

/**
 * A run's full config (the session's) with these settings' 'tune' values written over it: what
 * TrainingSession.retune takes to apply them to the running model. Everything else stays the run's own
 * (an imported model's network and data included, whatever the controls can show of them).
 */
export function retunedConfig(config: Readonly<Obj>, s: Settings): Obj {
  const o = JSON.parse(JSON.stringify(config)) as Obj;
  for (const d of SETTINGS) {
    if (d.effect !== 'tune' || !applies(d, s)) continue;
    for (const slot of d.config ?? []) put(o, slot.path, slot.write ? slot.write(s[d.key], s) : s[d.key]);
  }
  return o;
}

/** The package's sampler options: exactly what the page passes to sampleODE / sampleSDE for its samples. */
export interface SamplerOptions {
  ode: SampleOdeOptions;
  sde: SampleSdeOptions;
}

export function samplerOptions(s: Settings): SamplerOptions {
  return {ode: {}, sde: {}, ...build(s, (d) => d.sampler)} as SamplerOptions;
}

/**
 * The settings that describe a training config (e.g. an imported model's), starting from `current` for
 * what a config does not hold (sample count, views). `lost` names what the controls cannot show: every
 * value of the config that the settings' own config does not reproduce (a link then gives a nearby run).
 */
export function configToSettings(
    config: Obj, current: Settings, catalog: Catalog): {settings: Settings; lost: string[]} {
  // A bare distribution name is shorthand for {type}.
  const c: Obj = {...config};
  for (const k of ['base', 'target']) {
    if (typeof c[k] === 'string') c[k] = {type: c[k]};
  }
  const s = defaults();
  for (const d of SETTINGS) {
    if (!d.config) {
      s[d.key] = current[d.key];
      continue;
    }
    // In SETTINGS order: a distribution's type is read before its parameters, the path before gamma.
    if (!applies(d, s)) continue;
    const x = get(c, d.config[0].path);
    const v = x === undefined || !d.config[0].read ? x : d.config[0].read(x, c, catalog);
    if (v !== undefined && !invalid(d, v, catalog)) s[d.key] = v as Value;
  }
  // The costs of settings together, as for a link: what does not fit falls back to its default (and the
  // config's value shows in `lost`).
  for (const d of SETTINGS) {
    if (invalid(d, s[d.key], catalog, s)) s[d.key] = d.default;
  }
  if (settingsProblems(s, catalog).length) {
    for (const c of COSTS) c.keys.forEach((k) => (s[k] = settingDef(k).default));
  }
  return {settings: s, lost: differences(c, trainingConfig(s), catalog)};
}

/**
 * The settings with a model's own network and batch (its widest layer for the width): what the page's
 * budgets are checked against before a model file becomes the run (its config may hold what the
 * controls cannot show).
 */
export function withModelNetwork(
    s: Settings, config: {network: {hidden: number[]}; training: {batch: number}}): Settings {
  const h = config.network.hidden;
  return {...s, width: Math.max(...h), depth: h.length, batch: config.training.batch};
}

/**
 * Values of a full config (the library fills in every default) that the page does not write because they
 * are what the library assumes anyway, or unused.
 */
const IMPLIED: Record<string, (v: unknown, written: Obj, catalog: Catalog) => boolean> = {
  'base.dim': (v) => v === 2,
  'target.dim': (v) => v === 2,
  'interpolant.gamma': (v, w, catalog) => v === autoGamma(get(w, 'interpolant.path'), catalog),
  'interpolant.gamma_a': () => true,  // used by a-brownian only, whose ga writes it
  'optimizer.beta1': (v) => v === 0.9,
  'optimizer.beta2': (v) => v === 0.999,
  'optimizer.eps': (v) => v === 1e-8,
};

function differences(file: Obj, written: Obj, catalog: Catalog): string[] {
  const out: string[] = [];
  const walk = (f: unknown, w: unknown, path: string) => {
    if (f && typeof f === 'object' && !Array.isArray(f)) {
      const fo = f as Obj;
      const wo = w && typeof w === 'object' && !Array.isArray(w) ? (w as Obj) : undefined;
      // Another kind of distribution altogether: one message for the whole spec.
      if (wo && 'type' in fo && fo.type !== wo.type) {
        out.push(`${path} ${brief(f)} (shown as ${brief(w)})`);
        return;
      }
      for (const k of Object.keys(fo)) walk(fo[k], wo?.[k], path ? `${path}.${k}` : k);
    } else if (w === undefined) {
      if (!IMPLIED[path]?.(f, written, catalog)) out.push(`${path} = ${brief(f)}`);
    } else if (!same(f, w)) {
      out.push(`${path} = ${brief(f)} (shown as ${brief(w)})`);
    }
  };
  walk(file, written, '');
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return a === b;
}

function brief(v: unknown): string {
  const t = JSON.stringify(v, (_, x) => (typeof x === 'number' ? Number(x.toPrecision(6)) : x)) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

// ---------------------------------------------------------------- presets
/** Settings of the reference notebooks (SPEC section 8), network and batch as published. */
/** The notebooks' network and schedule (configs/checker-*.json): 4 x 256, batch 2000, 7000 steps. */
const NOTEBOOK: Partial<Settings> = {
  width: 256,
  depth: 4,
  batch: 2000,
  lr: 2e-3,
  steps: 7000,
  lrstep: 1500,
  decay: 0.4,
  sdesteps: 100
};
/** The browser-sized run that shows the same thing in under a minute: the default network and schedule. */
const SMALL: Partial<Settings> = {
  steps: 6000
};

export interface Preset {
  label: string;
  values: Partial<Settings>;
  /** What it shows and what it costs, in a line under the menu. */
  about: string;
  /** The browser-sized variant of a notebook preset. */
  small?: string;
  /** The config that `si train` takes to train it natively (then import the model file). */
  config?: string;
}

const notebook =
    (name: string, label: string, data: Partial<Settings>, about: string, config: string, exact: Partial<Settings> = {
      ode: 'dopri5',
      tol: 1e-5
    }): Record<string, Preset> => ({
      [name]: {
        label: `notebook: ${label}`,
        values: {...data, ...NOTEBOOK, ...exact},
        about: `${about} The notebook's own network (4 × 256, batch 2000, 7,000 steps): a long run in a browser.`,
        small: `${name}-small`,
        config,
      },
      [`${name}-small`]: {
        label: `${label}, browser size`,
        values: {...data, ...SMALL},
        about: `${about} Browser size: the default network (3 × 64, batch 256); the same picture in under a minute.`,
      },
    });

export const PRESETS: Record<string, Preset> = {
  browser:
      {label: 'browser default (fast)', values: {}, about: 'N(0, I) → checkerboard, one-sided linear path, b + s.'},
  'exact-8gaussians': {
    label: '8 Gaussians (exact fields)',
    values: {t: '8gaussians'},
    about: 'Both ends are Gaussian mixtures: the Fields view shows the exact field and the error.',
  },
  'two-sided-gmm': {
    label: 'mixture → mixture (exact fields)',
    values: {b: 'random-gmm', t: 'random-gmm', tk: 4, path: 'trig', gamma: 'brownian'},
    about: 'Two-sided: a mixture is carried to another mixture, with latent noise γ(t) z.',
  },
  ...notebook(
      'checker-with-score', 'checker + score', {}, 'N(0, I) → checkerboard, b + s.', 'configs/checker-with-score.json',
      {ode: 'dopri5', tol: 1e-5, sde: 'heun'}),
  ...notebook(
      'checker-with-denoiser', 'checker + denoiser', {fields: 'b+eta'},
      'N(0, I) → checkerboard, b + η (the score from the denoiser).', 'configs/checker-with-denoiser.json'),
  ...notebook(
      'checker-non-gaussian-base', 'non-Gaussian base', {b: 'random-gmm', path: 'encoding-decoding', gamma: 'brownian'},
      'A mixture → checkerboard along the encoding-decoding path.',
      'configs/checker-with-score-non-gaussian-base.json'),
  ...notebook(
      'checker-mirror', 'mirror', {b: 'gaussian', path: 'mirror', gamma: 'brownian', fields: 's'},
      'The mirror path: data → noise → new data, the score only.', 'configs/checker-mirror.json', {}),
};

export function applyPreset(name: string): Settings {
  const s = defaults();
  Object.assign(s, PRESETS[name]?.values ?? {});
  return s;
}

// ---------------------------------------------------------------- the Figures view (SPEC section 10)
/**
 * The paper's figures A-D, each computed in the worker by si.figure(kind, options) from the exact fields.
 * A link ?view=figures&fig=<kind>&<key>=<value> opens one with its parameters; only the values that
 * differ from the figure's defaults are in it. Each figure's settings say where they go in its options.
 */
export type FigureKind = 'densities'|'trajectories'|'linear-gamma'|'gmm-likelihood';
export const FIGURE_KINDS: readonly FigureKind[] = ['densities', 'trajectories', 'linear-gamma', 'gmm-likelihood'];

export interface FigureSettingDef {
  key: string;
  label: string;
  kind: 'text'|'number'|'int';
  default: Value;
  min?: number;
  max?: number;
  /** Bounds open at min (eps > 0). */
  minOpen?: boolean;
  step?: number;
  /** The library's limit of this value (si.catalog.limits), within which the page's max lies. */
  limit?: keyof Limits;
  /** A slider that recomputes as it moves. */
  slider?: boolean;
  help?: string;
  /** The option it sets in si.figure's options, e.g. 'rho0', 'interpolants.1' (a list item), 'eps.1'. */
  option: string;
}

const MIX0 = '1/2 N(-3, 0.25) + 1/2 N(3, 0.25)';
const MIX1 = '1/3 N(-6, 0.5) + 1/3 N(0, 0.33) + 1/3 N(6, 0.5)';
const INTERPOLANT_HELP = 'path/gamma (trig/zero, linear/brownian), or formulas of t: ' +
    'alpha = cos(pi*t/2); beta = sin(pi*t/2); gamma = sqrt(t*(1-t))';
const ends = (): FigureSettingDef[] =>
    [{key: 'rho0', label: 'base ρ₀', kind: 'text', default: MIX0, option: 'rho0', help: 'weight N(mean, variance) + …'},
     {
       key: 'rho1',
       label: 'target ρ₁',
       kind: 'text',
       default: MIX1,
       option: 'rho1',
       help: 'weight N(mean, variance) + …'
     },
];
const rows = (label: string, defs: readonly string[]): FigureSettingDef[] => defs.map((d, i) => ({
                                                                                        key: `i${i + 1}`,
                                                                                        label: `${label} ${i + 1}`,
                                                                                        kind: 'text',
                                                                                        default: d,
                                                                                        option: `interpolants.${i}`,
                                                                                        help: INTERPOLANT_HELP
                                                                                      }));
const xrange = (): FigureSettingDef[] =>
    [{key: 'xmin', label: 'x from', kind: 'number', default: -10, min: -1000, max: 1000, option: 'xmin'},
     {key: 'xmax', label: 'x to', kind: 'number', default: 10, min: -1000, max: 1000, option: 'xmax'},
];
const seed = (): FigureSettingDef =>
    ({key: 'seed', label: 'seed', kind: 'int', default: 0, min: 0, max: 1e9, limit: 'seed', option: 'seed'});

export const FIGURE_SETTINGS: Readonly<Record<FigureKind, readonly FigureSettingDef[]>> = {
  densities: [
    ...ends(),
    ...rows('row', ['trig/zero', 'trig/brownian', 'encoding-decoding/sinesquared']),
    ...xrange(),
  ],
  trajectories: [
    {
      key: 'eps',
      label: 'noise ε (middle row)',
      kind: 'number',
      default: 0.5,
      min: 0,
      max: 10,
      step: 0.05,
      slider: true,
      option: 'eps.1'
    },
    {key: 'eps2', label: 'noise ε (bottom row)', kind: 'number', default: 5, min: 0, max: 20, option: 'eps.2'},
    {key: 'paths', label: 'paths', kind: 'int', default: 2500, min: 1, max: 10000, limit: 'samples', option: 'paths'},
    {key: 'steps', label: 'steps', kind: 'int', default: 200, min: 1, max: 1000, limit: 'steps', option: 'steps'},
    ...ends(),
    ...rows('column', ['trig/zero', 'trig/brownian', 'encoding-decoding/brownian']),
    seed(),
    ...xrange(),
  ],
  'linear-gamma': [
    {
      key: 'eps',
      label: 'SDE noise ε',
      kind: 'number',
      default: 5,
      min: 0,
      minOpen: true,
      max: 20,
      step: 0.1,
      slider: true,
      option: 'eps'
    },
    {
      key: 'interp',
      label: 'interpolant (γ > 0 rows)',
      kind: 'text',
      default: 'linear/brownian',
      option: 'interpolant',
      help: INTERPOLANT_HELP
    },
    {key: 'paths', label: 'paths', kind: 'int', default: 5000, min: 1, max: 20000, limit: 'samples', option: 'paths'},
    {key: 'steps', label: 'steps', kind: 'int', default: 100, min: 1, max: 1000, limit: 'steps', option: 'steps'},
    {key: 'bins', label: 'histogram bins', kind: 'int', default: 100, min: 1, max: 500, option: 'bins'},
    ...ends(),
    seed(),
    ...xrange(),
  ],
  'gmm-likelihood': [
    {
      key: 'n',
      label: 'points per panel',
      kind: 'int',
      default: 10000,
      min: 1,
      max: 20000,
      limit: 'samples',
      option: 'n'
    },
    {
      key: 'eps',
      label: 'SDE noise ε',
      kind: 'number',
      default: 2,
      min: 0,
      minOpen: true,
      max: 20,
      step: 0.1,
      option: 'eps'
    },
    {key: 'comps', label: 'target ρ₁ components', kind: 'int', default: 3, min: 1, max: 20, option: 'components'},
    {key: 'comps0', label: 'base ρ₀ components', kind: 'int', default: 1, min: 1, max: 20, option: 'baseComponents'},
    {
      key: 'mseed',
      label: 'mixture seed',
      kind: 'int',
      default: 0,
      min: 0,
      max: 1e9,
      limit: 'seed',
      option: 'mixtureSeed'
    },
    {key: 'sdePaths', label: 'SDE paths per point', kind: 'int', default: 5, min: 2, max: 50, option: 'sdePaths'},
    {
      key: 'steps',
      label: 'steps (ODE and SDE)',
      kind: 'int',
      default: 100,
      min: 1,
      max: 1000,
      limit: 'steps',
      option: 'steps'
    },
    {
      key: 'interp',
      label: 'interpolant',
      kind: 'text',
      default: 'linear/brownian',
      option: 'interpolant',
      help: INTERPOLANT_HELP
    },
    seed(),
  ],
};

export interface FigureState {
  kind: FigureKind;
  values: Settings;
}

export function figureDefaults(kind: FigureKind): Settings {
  return Object.fromEntries(FIGURE_SETTINGS[kind].map((d) => [d.key, d.default]));
}

/** Why a figure setting's value is not allowed (the bounds in words), or undefined. */
export function figureInvalid(d: FigureSettingDef, v: unknown, catalog: Catalog): string|undefined {
  if (d.kind === 'text') {
    return typeof v === 'string' && v.trim() !== '' ? undefined : 'must not be empty';
  }
  const lim = d.limit && catalog.limits ? Number(catalog.limits[d.limit]) : Infinity;
  const max = Math.min(d.max ?? Infinity, lim);
  const lo = d.minOpen ? `> ${d.min}` : `${d.min}`;
  const range = d.minOpen ? `a number ${lo} and ≤ ${max}` :
                            `${d.kind === 'int' ? 'an integer' : 'a number'} from ${lo} to ${max}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `is not a number: allowed ${range}`;
  if (d.kind === 'int' && !Number.isInteger(v)) return `is not an integer: allowed ${range}`;
  if (v > max || (d.min !== undefined && (d.minOpen ? v <= d.min : v < d.min)))
    return `is out of range: allowed ${range}`;
  return undefined;
}

export function parseFigureValue(d: FigureSettingDef, text: string): unknown {
  return d.kind === 'text' ? text : text.trim() === '' ? NaN : Number(text);
}

export function figureToQuery(f: FigureState): string {
  const q = new URLSearchParams({view: 'figures', fig: f.kind});
  for (const d of FIGURE_SETTINGS[f.kind]) {
    if (f.values[d.key] !== d.default) q.set(d.key, String(f.values[d.key]));
  }
  return q.toString();
}

/** The figure a link opens; unknown keys and bad values are reported and not applied. */
export function figureFromQuery(query: string, catalog: Catalog = {
  names: {}
}): {state: FigureState; problems: string[]} {
  const q = new URLSearchParams(query);
  const problems: string[] = [];
  const fig = q.get('fig') ?? 'densities';
  const kind = (FIGURE_KINDS as readonly string[]).includes(fig) ? fig as FigureKind : 'densities';
  if (kind !== fig) problems.push(`figure "${fig}" unknown: allowed ${FIGURE_KINDS.join(', ')}; showing ${kind}`);
  const values = figureDefaults(kind);
  for (const [k, text] of q) {
    if (k === 'view' || k === 'fig') continue;
    const d = FIGURE_SETTINGS[kind].find((x) => x.key === k);
    if (!d) {
      problems.push(`unknown setting "${k}" of figure ${kind} ignored`);
      continue;
    }
    const v = parseFigureValue(d, text);
    const why = figureInvalid(d, v, catalog);
    if (why) {
      problems.push(`${d.label} (${k}=${text.length > 40 ? `${text.slice(0, 37)}…` : text}) ${why}; kept ${d.default}`);
    } else {
      values[k] = v as Value;
    }
  }
  return {state: {kind, values}, problems};
}

/**
 * An interpolant as the page's text: "path/gamma" (names), or "alpha = …; beta = …; gamma = …" formulas of
 * t (gamma: a formula or a name; "path = linear; gamma = t*(1-t)" keeps a table path). Returns what
 * si.figure takes (a name string or an InterpolantSpec object); the library checks the names and formulas.
 */
export function interpolantOption(text: string, gammaNames: readonly string[] = []): unknown {
  const t = text.trim();
  if (!t.includes('=')) return t;
  const o: Obj = {};
  for (const part of t.split(';')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (eq < 0 || !['path', 'alpha', 'beta', 'gamma', 'a'].includes(k)) {
      throw new Error(`"${part.trim()}" is not "alpha = …", "beta = …", "gamma = …" or "path = …"`);
    }
    if (k === 'alpha' || k === 'beta') {
      o.path = 'custom';
      o[k] = v;
    } else if (k === 'path') {
      o.path = v;
    } else if (k === 'a') {
      o.gamma_a = Number(v);
    } else if (gammaNames.includes(v)) {
      o.gamma = v;
    } else {
      o.gamma = 'custom';
      o.gamma_expr = v;
    }
  }
  return o;
}

/** si.figure's options of a figure's settings (the rest are the library's defaults, the SPEC's). */
export function figureOptions(f: FigureState, gammaNames: readonly string[] = []): Obj {
  const o: Obj = {};
  if (f.kind === 'trajectories') o.eps = [0, 0, 0];
  for (const d of FIGURE_SETTINGS[f.kind]) {
    const v = f.values[d.key];
    const [name, index] = d.option.split('.');
    const value = name.startsWith('interpolant') ? interpolantOption(String(v), gammaNames) : v;
    if (index === undefined) {
      o[name] = value;
    } else {
      const list = (o[name] ??= []) as unknown[];
      list[Number(index)] = value;
    }
  }
  if (f.kind === 'gmm-likelihood') {
    o.sdeSteps = o.odeSteps = o.steps;
    delete o.steps;
  }
  return o;
}

/** The on-screen label of the setting an option error names ("interpolants[1].alpha: …" → "row 2"). */
export function figureSettingOf(kind: FigureKind, option: string): FigureSettingDef|undefined {
  const m = /^([A-Za-z0-9]+)(?:\[(\d+)\])?/.exec(option);
  if (!m) return undefined;
  const key = m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
  const defs = FIGURE_SETTINGS[kind];
  return defs.find((d) => d.option === key) ?? defs.find((d) => d.option.split('.')[0] === m[1]) ??
      (m[1] === 'sdeSteps' || m[1] === 'odeSteps' ? defs.find((d) => d.key === 'steps') : undefined);
}
