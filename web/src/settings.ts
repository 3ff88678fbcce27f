// The app's state: one declarative list of settings, serialised to the URL query so that a link
// reproduces a run (seed included). Everything else on the page is derived from a Settings value.

export type Value = string | number | boolean;

/** What changing a setting does: restart training, re-sample the same model, or only redraw. */
export type Effect = 'train' | 'sample' | 'view';

export interface SettingDef {
  key: string;
  label: string;
  group: 'data' | 'interpolant' | 'network' | 'training' | 'sampler' | 'view';
  kind: 'enum' | 'number' | 'int' | 'bool' | 'points';
  default: Value;
  effect: Effect;
  options?: readonly string[];
  optionLabels?: Record<string, string>;
  min?: number;
  max?: number;
  step?: number;
  help?: string;
  /** Shown only when this returns true for the current settings. */
  visible?: (s: Settings) => boolean;
}

export const DISTRIBUTIONS = [
  'gaussian', 'random-gmm', 'checkerboard', '8gaussians', 'moons', 'spirals', 'rings',
  'pinwheel', 'swissroll', 'points',
] as const;
const DIST_LABELS: Record<string, string> = {
  gaussian: 'Gaussian', 'random-gmm': 'random mixture', checkerboard: 'checkerboard',
  '8gaussians': '8 Gaussians', moons: 'two moons', spirals: '2 spirals', rings: 'concentric rings',
  pinwheel: 'pinwheel', swissroll: 'swiss roll', points: 'points you draw',
};
export const PATHS = ['one-sided-linear', 'one-sided-trig', 'linear', 'trig', 'encoding-decoding', 'mirror'] as const;
export const GAMMAS = ['auto', 'zero', 'brownian', 'a-brownian', 'bsquared', 'sinesquared', 'sigmoid'] as const;
export const FIELD_SETS = ['b+s', 'b+eta', 'v+s', 'v+eta', 'b', 's'] as const;
export const ACTIVATIONS = ['relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid', 'softplus', 'silu'] as const;
export const ODE_METHODS = ['heun', 'rk4', 'euler', 'dopri5'] as const;
export const SDE_METHODS = ['heun', 'euler', 'heun-karras'] as const;
/** End cuts offered for SDEs whose score comes from a denoiser; 'auto' is resolved by sdeCut(). */
export const SDE_CUTS = ['auto', '0.0001', '0.001', '0.003', '0.01', '0.03', '0.1'] as const;

/** Fewest drawn points accepted as a data set: below this a "distribution" is a handful of bumps. */
export const MIN_DRAWN_POINTS = 10;

const isGauss = (side: 'b' | 't') => (s: Settings) => s[side] === 'gaussian';
const isGmm = (side: 'b' | 't') => (s: Settings) => s[side] === 'random-gmm';
const isPts = (side: 'b' | 't') => (s: Settings) => s[side] === 'points';

function sideDefs(side: 'b' | 't', name: string, def: string): SettingDef[] {
  return [
    { key: side, label: name, group: 'data', kind: 'enum', default: def, effect: 'train',
      options: DISTRIBUTIONS, optionLabels: DIST_LABELS },
    { key: side + 'mx', label: 'mean x', group: 'data', kind: 'number', default: 0, effect: 'train',
      step: 0.1, min: -10, max: 10, visible: isGauss(side) },
    { key: side + 'my', label: 'mean y', group: 'data', kind: 'number', default: 0, effect: 'train',
      step: 0.1, min: -10, max: 10, visible: isGauss(side) },
    { key: side + 'sd', label: 'std', group: 'data', kind: 'number', default: 1, effect: 'train',
      step: 0.1, min: 0.01, max: 10, visible: isGauss(side),
      help: 'One-sided and mirror paths need the base to be N(0, I): mean 0, std 1.' },
    { key: side + 'k', label: 'components', group: 'data', kind: 'int', default: 3, effect: 'train',
      min: 1, max: 20, visible: isGmm(side) },
    { key: side + 'gs', label: 'mixture seed', group: 'data', kind: 'int', default: side === 'b' ? 1 : 2,
      effect: 'train', min: 0, max: 1e9, visible: isGmm(side) },
    { key: side + 'bw', label: 'bandwidth', group: 'data', kind: 'number', default: 0.15, effect: 'train',
      step: 0.01, min: 0.001, max: 5, visible: isPts(side),
      help: 'Drawn points become a mixture of small Gaussians of this std.' },
    { key: side + 'pts', label: 'drawn points', group: 'data', kind: 'points', default: '', effect: 'train',
      visible: () => false },
  ];
}

export const SETTINGS: readonly SettingDef[] = [
  ...sideDefs('b', 'base ρ₀', 'gaussian'),
  ...sideDefs('t', 'target ρ₁', 'checkerboard'),
  { key: 'path', label: 'path', group: 'interpolant', kind: 'enum', default: 'one-sided-linear',
    effect: 'train', options: PATHS },
  { key: 'gamma', label: 'γ(t)', group: 'interpolant', kind: 'enum', default: 'auto', effect: 'train',
    options: GAMMAS, optionLabels: { auto: 'auto' },
    help: 'auto: 0 on one-sided paths (x₀ is the noise), brownian √(t(1−t)) otherwise.' },
  { key: 'ga', label: 'a (a-brownian)', group: 'interpolant', kind: 'number', default: 1, effect: 'train',
    step: 0.1, min: 0.001, max: 100, visible: (s) => s.gamma === 'a-brownian' },
  { key: 'fields', label: 'learned fields', group: 'interpolant', kind: 'enum', default: 'b+s',
    effect: 'train', options: FIELD_SETS,
    optionLabels: { 'b+s': 'b + s', 'b+eta': 'b + η', 'v+s': 'v + s', 'v+eta': 'v + η', b: 'b only (ODE)', s: 's only (mirror)' } },
  { key: 'width', label: 'width', group: 'network', kind: 'int', default: 64, effect: 'train', min: 1, max: 4096 },
  { key: 'depth', label: 'hidden layers', group: 'network', kind: 'int', default: 3, effect: 'train', min: 1, max: 16 },
  { key: 'act', label: 'activation', group: 'network', kind: 'enum', default: 'relu', effect: 'train',
    options: ACTIVATIONS },
  { key: 'lr', label: 'learning rate', group: 'training', kind: 'number', default: 5e-3, effect: 'train', step: 1e-4 },
  { key: 'lrstep', label: 'lr decay every', help: 'Steps between learning-rate decays; 0 = never.', group: 'training', kind: 'int', default: 1500,
    effect: 'train', min: 0, max: 1e7 },
  { key: 'decay', label: 'lr decay factor', group: 'training', kind: 'number', default: 0.5, effect: 'train',
    step: 0.05 },
  { key: 'clip', label: 'gradient clip', help: 'Largest gradient norm; 0 = off.', group: 'training', kind: 'number', default: 0, effect: 'train',
    step: 0.1, min: 0 },
  { key: 'batch', label: 'batch', group: 'training', kind: 'int', default: 256, effect: 'train', min: 1, max: 100000 },
  { key: 'steps', label: 'stop at step', group: 'training', kind: 'int', default: 20000, effect: 'train',
    min: 1, max: 1e7 },
  { key: 'seed', label: 'seed', group: 'training', kind: 'int', default: 0, effect: 'train', min: 0, max: 2 ** 31 - 1 },
  { key: 'tcut', label: 'training t cut', group: 'training', kind: 'number', default: 1e-4, effect: 'train',
    step: 1e-4, min: 0, max: 0.4, help: 'Training draws t in [cut, 1 − cut]: 1/γ and 1/α blow up at the ends.' },
  { key: 'anti', label: 'antithetic', group: 'training', kind: 'bool', default: true, effect: 'train' },
  { key: 'n', label: 'samples', group: 'sampler', kind: 'int', default: 1000, effect: 'sample', min: 10, max: 20000 },
  { key: 'ode', label: 'ODE method', group: 'sampler', kind: 'enum', default: 'heun', effect: 'sample',
    options: ODE_METHODS },
  { key: 'odesteps', label: 'ODE steps', group: 'sampler', kind: 'int', default: 40, effect: 'sample', min: 1,
    max: 5000, visible: (s) => s.ode !== 'dopri5' },
  { key: 'tol', label: 'ODE atol = rtol', group: 'sampler', kind: 'number', default: 1e-3, effect: 'sample',
    step: 1e-4, min: 1e-10, max: 1, visible: (s) => s.ode === 'dopri5' },
  { key: 'sde', label: 'SDE method', group: 'sampler', kind: 'enum', default: 'heun', effect: 'sample',
    options: SDE_METHODS, optionLabels: { 'heun-karras': 'heun-karras (1st order)' } },
  { key: 'sdesteps', label: 'SDE steps', group: 'sampler', kind: 'int', default: 50, effect: 'sample', min: 1, max: 5000 },
  { key: 'sdecut', label: 'SDE end cut δ', group: 'sampler', kind: 'enum', default: 'auto', effect: 'sample',
    options: SDE_CUTS, optionLabels: { auto: 'auto' }, visible: (s) => s.fields === 'b+eta' || s.fields === 'v+eta',
    help: 'With a denoiser the score is s = −η/γ (one-sided: −η/α), singular at an end: the SDE runs on [δ, 1 − δ]. ' +
      'auto: 0.01 on one-sided paths (α → 0 at t = 1), else the model\'s own interval [t_lo, 1 − t_hi].' },
  { key: 'eps', label: 'noise ε', group: 'sampler', kind: 'number', default: 0.5, effect: 'sample', min: 0, max: 3,
    step: 0.05 },
  { key: 'ext', label: 'plot half-width', group: 'view', kind: 'number', default: 5, effect: 'view', min: 0.5,
    max: 50, step: 0.5 },
];

export type Settings = Record<string, Value>;

const byKey = new Map(SETTINGS.map((d) => [d.key, d]));
export function settingDef(key: string): SettingDef {
  const d = byKey.get(key);
  if (!d) throw new Error(`unknown setting ${key}`);
  return d;
}

export function defaults(): Settings {
  return Object.fromEntries(SETTINGS.map((d) => [d.key, d.default]));
}

/** Parses one value from text; returns undefined when the text is not a value of this kind. */
export function parseValue(def: SettingDef, text: string): Value | undefined {
  switch (def.kind) {
    case 'bool':
      return text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : undefined;
    case 'enum':
      return def.options!.includes(text) ? text : undefined;
    case 'points':
      return /^[A-Za-z0-9_-]*$/.test(text) ? text : undefined;
    default: {
      // Range checks are the library's job (its messages name the field); here only the syntax.
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) return undefined;
      return def.kind === 'int' ? Math.round(v) : v;
    }
  }
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

/** Settings from a query string; unknown keys and unparsable values are reported, not applied. */
export function fromQuery(query: string): { settings: Settings; problems: string[] } {
  const s = defaults();
  const problems: string[] = [];
  for (const [k, text] of new URLSearchParams(query)) {
    const d = byKey.get(k);
    if (!d) {
      problems.push(`URL: unknown setting "${k}" ignored`);
      continue;
    }
    const v = parseValue(d, text);
    if (v === undefined) problems.push(`URL: ${k}="${text}" is not a valid ${d.kind}; kept ${formatValue(d, d.default)}`);
    else s[k] = v;
  }
  return { settings: s, problems };
}

// Drawn points travel in the URL as base64url of little-endian int16 pairs in units of 1/1000.
export function encodePoints(pts: readonly (readonly [number, number])[]): string {
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

/** A distribution spec (core/include/si/distributions.hpp) for one side. */
export function distributionSpec(s: Settings, side: 'b' | 't'): Record<string, unknown> {
  const type = s[side] as string;
  switch (type) {
    case 'gaussian': {
      const sd = s[side + 'sd'] as number;
      return { type, mean: [s[side + 'mx'], s[side + 'my']], cov: [[sd * sd, 0], [0, sd * sd]] };
    }
    case 'random-gmm':
      return { type, components: s[side + 'k'], seed: s[side + 'gs'], dim: 2 };
    case 'points':
      return { type, points: decodePoints(s[side + 'pts'] as string), bandwidth: s[side + 'bw'] };
    default:
      return { type };
  }
}

/** Checks the page can do before asking the library; returns messages. */
export function pageProblems(s: Settings): string[] {
  const out: string[] = [];
  for (const side of ['b', 't'] as const) {
    if (s[side] !== 'points') continue;
    const n = decodePoints(s[side + 'pts'] as string).length;
    if (n < MIN_DRAWN_POINTS) {
      out.push(`${side === 'b' ? 'base' : 'target'}: the drawn set has ${n} point${n === 1 ? '' : 's'}; ` +
        `draw at least ${MIN_DRAWN_POINTS} in the drawing pad (drag the mouse).`);
    }
  }
  return out;
}

/** The training config (configs/SCHEMA.md) these settings describe. */
export function trainingConfig(s: Settings): Record<string, unknown> {
  const interpolant: Record<string, unknown> = { path: s.path };
  if (s.gamma !== 'auto') interpolant.gamma = s.gamma;
  if (s.gamma === 'a-brownian') interpolant.gamma_a = s.ga;
  return {
    base: distributionSpec(s, 'b'),
    target: distributionSpec(s, 't'),
    interpolant,
    fields: s.fields,
    network: { hidden: Array.from({ length: s.depth as number }, () => s.width), activation: s.act },
    optimizer: { lr: s.lr, step_size: s.lrstep, decay: s.decay, clip: s.clip },
    training: { steps: s.steps, batch: s.batch, seed: s.seed, t_lo: s.tcut, t_hi: s.tcut, antithetic: s.anti },
    sampling: {
      ode: { method: s.ode, atol: s.tol, rtol: s.tol, steps: s.odesteps },
      sde: { method: s.sde, eps: s.eps, steps: s.sdesteps },
    },
  };
}

export interface SamplerOptions {
  n: number;
  seed: number;
  ode: { method: string; steps: number; atol: number; rtol: number };
  /** cut: the SDE runs on [cut, 1 − cut] (kept inside the training range); undefined: the model's own interval. */
  sde: { method: string; steps: number; eps: number; cut?: number };
}

const ONE_SIDED = new Set<Value>(['one-sided-linear', 'one-sided-trig']);

/** The SDE's end cut: only a score derived from a denoiser needs one. Measured on the checkerboard
 * (3 x 64, 1000 steps, share of SDE samples on the support for eps 0.5 / 1 / 2): one-sided b+eta on
 * the model's interval [1e-4, 1 - 1e-4] 6 / 3 / 1 %, with δ = 0.01 89 / 92 / 96 %; two-sided linear
 * b+eta 85 / 86 / 91 % on the model's interval, 75 / 73 / 74 % with δ = 0.01. */
export function sdeCut(s: Settings): number | undefined {
  if (s.fields !== 'b+eta' && s.fields !== 'v+eta') return undefined;
  if (s.sdecut === 'auto') return ONE_SIDED.has(s.path) ? 0.01 : undefined;
  return Number(s.sdecut);
}

export function samplerOptions(s: Settings): SamplerOptions {
  return {
    n: s.n as number,
    seed: (s.seed as number) + 1000,
    ode: { method: s.ode as string, steps: s.odesteps as number, atol: s.tol as number, rtol: s.tol as number },
    sde: { method: s.sde as string, steps: s.sdesteps as number, eps: s.eps as number, cut: sdeCut(s) },
  };
}

/** Settings of the reference notebooks (SPEC section 8), network and batch as published. */
export const PRESETS: Record<string, { label: string; values: Partial<Settings> }> = {
  browser: { label: 'browser default (fast)', values: {} },
  'exact-8gaussians': { label: 'N(0, I) → 8 Gaussians (exact fields known)', values: { t: '8gaussians' } },
  'two-sided-gmm': {
    label: 'mixture → mixture, trig path (exact fields known)',
    values: { b: 'random-gmm', t: 'random-gmm', tk: 4, path: 'trig', gamma: 'brownian' },
  },
  'checker-with-score': {
    label: 'notebook: checker with score',
    values: { width: 256, depth: 4, batch: 2000, lr: 2e-3, steps: 7000, lrstep: 1500, decay: 0.4, ode: 'dopri5', tol: 1e-5, sde: 'heun', sdesteps: 100 },
  },
  'checker-with-denoiser': {
    label: 'notebook: checker with denoiser',
    values: { fields: 'b+eta', width: 256, depth: 4, batch: 2000, lr: 2e-3, steps: 7000, lrstep: 1500, decay: 0.4, ode: 'dopri5', tol: 1e-5, sdesteps: 100 },
  },
  'checker-non-gaussian-base': {
    label: 'notebook: non-Gaussian base',
    values: { b: 'random-gmm', path: 'encoding-decoding', gamma: 'brownian', width: 256, depth: 4, batch: 2000, lr: 2e-3, steps: 7000, lrstep: 1500, decay: 0.4, ode: 'dopri5', tol: 1e-5, sdesteps: 100 },
  },
  'checker-mirror': {
    label: 'notebook: mirror',
    values: { b: 'gaussian', path: 'mirror', gamma: 'brownian', fields: 's', width: 256, depth: 4, batch: 2000, lr: 2e-3, steps: 7000, lrstep: 1500, decay: 0.4, sdesteps: 100 },
  },
};

export function applyPreset(name: string): Settings {
  const s = defaults();
  Object.assign(s, PRESETS[name]?.values ?? {});
  return s;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** The settings that describe a training config (e.g. an imported model's), starting from `current`
 * for what a config does not hold (sample count, plot width). `lost` names what the controls cannot
 * show (a link then reproduces a nearby run, not this one). */
export function configToSettings(config: Obj, current: Settings): { settings: Settings; lost: string[] } {
  const s: Settings = { ...defaults(), n: current.n, ext: current.ext };
  const lost: string[] = [];
  const side = (key: 'b' | 't', name: string, spec: unknown) => {
    const o = typeof spec === 'string' ? { type: spec } : obj(spec);
    const type = String(o.type);
    if (!(DISTRIBUTIONS as readonly string[]).includes(type)) {
      lost.push(`${name} of type "${type}" (shown as ${s[key]})`);
      return;
    }
    s[key] = type;
    if (type === 'gaussian') {
      const mean = Array.isArray(o.mean) ? (o.mean as number[]) : [0, 0];
      const cov = Array.isArray(o.cov) ? (o.cov as number[][]) : [[1, 0], [0, 1]];
      s[key + 'mx'] = num(mean[0], 0);
      s[key + 'my'] = num(mean[1], 0);
      const v0 = num(cov[0]?.[0], 1);
      s[key + 'sd'] = Math.sqrt(v0);
      if (num(cov[1]?.[1], 1) !== v0 || num(cov[0]?.[1], 0) !== 0 || num(cov[1]?.[0], 0) !== 0) {
        lost.push(`${name} covariance ${JSON.stringify(cov)} (shown as std ${fmtNum(Math.sqrt(v0))})`);
      }
    } else if (type === 'random-gmm') {
      s[key + 'k'] = num(o.components, s[key + 'k'] as number);
      s[key + 'gs'] = num(o.seed, s[key + 'gs'] as number);
    } else if (type === 'points') {
      const pts = (Array.isArray(o.points) ? o.points : []) as [number, number][];
      s[key + 'pts'] = encodePoints(pts);
      s[key + 'bw'] = num(o.bandwidth, s[key + 'bw'] as number);
    }
    const extra = Object.keys(o).filter((k) => !['type', 'mean', 'cov', 'components', 'seed', 'dim', 'points', 'bandwidth'].includes(k));
    if (extra.length) lost.push(`${name} ${extra.map((k) => `${k} = ${JSON.stringify(o[k])}`).join(', ')}`);
  };
  side('b', 'base', config.base);
  side('t', 'target', config.target);
  const itp = obj(config.interpolant);
  if ((PATHS as readonly string[]).includes(String(itp.path))) s.path = String(itp.path);
  const gamma = String(itp.gamma ?? 'auto');
  const autoGamma = ONE_SIDED.has(s.path) ? 'zero' : 'brownian';
  s.gamma = gamma === autoGamma ? 'auto' : (GAMMAS as readonly string[]).includes(gamma) ? gamma : 'auto';
  if (gamma === 'a-brownian') s.ga = num(itp.gamma_a, 1);
  if ((FIELD_SETS as readonly string[]).includes(String(config.fields))) s.fields = String(config.fields);
  const net = obj(config.network);
  const hidden = Array.isArray(net.hidden) ? (net.hidden as number[]) : [];
  if (hidden.length) {
    s.width = hidden[0];
    s.depth = hidden.length;
    if (hidden.some((h) => h !== hidden[0])) lost.push(`hidden widths [${hidden.join(', ')}] (shown as ${hidden.length} × ${hidden[0]})`);
  }
  if ((ACTIVATIONS as readonly string[]).includes(String(net.activation))) s.act = String(net.activation);
  const opt = obj(config.optimizer);
  s.lr = num(opt.lr, s.lr as number);
  s.lrstep = num(opt.step_size, s.lrstep as number);
  s.decay = num(opt.decay, s.decay as number);
  s.clip = num(opt.clip, s.clip as number);
  for (const [k, d] of [['beta1', 0.9], ['beta2', 0.999], ['eps', 1e-8]] as const) {
    if (opt[k] !== undefined && opt[k] !== d) lost.push(`optimizer ${k} = ${opt[k]}`);
  }
  const tr = obj(config.training);
  s.steps = num(tr.steps, s.steps as number);
  s.batch = num(tr.batch, s.batch as number);
  s.seed = num(tr.seed, s.seed as number);
  s.tcut = num(tr.t_lo, s.tcut as number);
  if (tr.t_hi !== undefined && tr.t_hi !== tr.t_lo) lost.push(`t_hi = ${tr.t_hi} (shown as t_lo = ${tr.t_lo})`);
  if (typeof tr.antithetic === 'boolean') s.anti = tr.antithetic;
  const smp = obj(config.sampling);
  const ode = obj(smp.ode);
  const sde = obj(smp.sde);
  if ((ODE_METHODS as readonly string[]).includes(String(ode.method))) s.ode = String(ode.method);
  s.odesteps = num(ode.steps, s.odesteps as number);
  s.tol = num(ode.atol, s.tol as number);
  if ((SDE_METHODS as readonly string[]).includes(String(sde.method))) s.sde = String(sde.method);
  s.sdesteps = num(sde.steps, s.sdesteps as number);
  s.eps = num(sde.eps, s.eps as number);
  return { settings: s, lost };
}

function fmtNum(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
