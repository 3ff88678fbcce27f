// Unit tests of the settings list (Vitest, Node): the URL, its checks, the mapping to and from the training
// config and to the sampler options. The name lists and the full configs come from the package itself.
import {init, type StochasticInterpolants} from 'stochastic-interpolants';
import {beforeAll, describe, expect, it} from 'vitest';
import type {Catalog, SettingDef, Settings, Value} from './settings';
import {applies, applyPreset, bounds, catalogOf, configToSettings, defaults, domain, encodePoints} from './settings';
import {fromQuery, invalid, networkSize, PRESETS, settingsProblems, withModelNetwork} from './settings';
import {optionLabel, options, samplerOptions, settingDef, SETTINGS, toQuery, trainingConfig} from './settings';
import {FIGURE_KINDS, figureDefaults, figureFromQuery, figureOptions, figureSettingOf, figureToQuery} from './settings';
import {interpolantOption, onScreen, retunedConfig} from './settings';

let si: StochasticInterpolants;
let catalog: Catalog;
beforeAll(async () => {
  si = await init();
  catalog = catalogOf(si);
});

const POINTS = encodePoints([[-1, 0.5], [0.25, 1], [1.5, -2], [0, 0]]);

/** A valid value of the setting other than its default. */
function otherValue(d: SettingDef): Value {
  switch (d.kind) {
    case 'bool':
      return !d.default;
    case 'enum':
      return domain(d, catalog)!.find((o) => o !== d.default)!;
    case 'points':
      return POINTS;
    case 'auto-number':
      return 0.9;
    default: {
      const step = d.kind === 'int' ? 1 : d.step ?? 0.5;
      const up = (d.default as number) + step;
      return d.max === undefined || up <= d.max ? up : (d.default as number) - step;
    }
  }
}

describe('the URL', () => {
  it('round-trips every setting at a value other than its default', () => {
    const s = defaults();
    for (const d of SETTINGS) s[d.key] = otherValue(d);
    const q = toQuery(s);
    for (const d of SETTINGS) expect(new URLSearchParams(q).has(d.key), d.key).toBe(true);
    const back = fromQuery(q, catalog);
    expect(back.problems).toEqual([]);
    expect(back.settings).toEqual(s);
  });

  it('holds only the settings that differ from their defaults', () => {
    expect(toQuery(defaults())).toBe('');
    expect(toQuery({...defaults(), seed: 7, t: 'moons'})).toBe('t=moons&seed=7');
  });

  it('reports bad values by their on-screen label and keeps the defaults; the rest of the link applies', () => {
    const bad: Record<string, string> = {
      ext: '-5',
      n: '1e9',
      depth: '1e8',
      width: 'abc',
      seed: '1.5',
      lr: '-1',
      batch: '',
      epsuntil: '2',
      tmx: 'NaN',
      t: 'nonsense',
      act: 'relu6',
      anti: 'maybe',
      bpts: 'not*base64',
      tk: '0',
      ft: '1.5',
    };
    const good = {path: 'linear', gamma: 'brownian', steps: '500', eps: '1.25', tsd: '2', field: 'eta'};
    const {settings, problems} = fromQuery(new URLSearchParams({...bad, ...good, nosuch: '1'}).toString(), catalog);
    expect(problems).toHaveLength(Object.keys(bad).length + 1);
    for (const [key, text] of Object.entries(bad)) {
      const d = settingDef(key);
      const msg = problems.find((p) => p.includes(`(${key}=${text})`));
      expect(msg, key).toBeDefined();
      expect(msg).toContain(d.title ?? d.label);
      expect(settings[key], key).toEqual(d.default);
    }
    expect(problems).toContain('unknown setting "nosuch" ignored');
    expect(problems.find((p) => p.includes('ext=-5')))
        .toBe('plot half-width (ext=-5) is out of range; allowed: a number from 0.5 to 50; kept 5');
    expect(problems.find((p) => p.includes('n=1e9')))
        .toBe('samples (n=1e9) is out of range; allowed: a whole number from 10 to 20000; kept 1000');
    expect(problems.find((p) => p.includes('depth=1e8')))
        .toBe('hidden layers (depth=1e8) is out of range; allowed: a whole number from 1 to 16; kept 3');
    expect(problems.find((p) => p.includes('seed=1.5'))).toContain('is not a whole number; allowed: a whole number');
    expect(problems.find((p) => p.includes('batch='))).toContain('is not a number; allowed: a whole number from 1 to');
    expect(problems.find((p) => p.includes('depth='))).toContain('hidden layers');
    expect(problems.find((p) => p.includes('t=nonsense'))).toContain('target ρ₁');
    expect(problems.find((p) => p.includes('tmx='))).toContain('target ρ₁ mean x');
    expect(settings).toMatchObject({path: 'linear', gamma: 'brownian', steps: 500, eps: 1.25, tsd: 2, field: 'eta'});
  });

  it('checks enum values against the library lists once they are known', () => {
    const early = fromQuery('t=nonsense&act=tanh');
    expect(early.problems).toEqual([]);
    expect(early.settings.t).toBe('nonsense');
    const late = fromQuery(toQuery(early.settings), catalog);
    expect(late.problems).toEqual([expect.stringContaining(
        'target ρ₁ (t=nonsense) is not a name the library has; allowed: one of gaussian, random-gmm, checkerboard')]);
    expect(late.settings).toMatchObject({t: 'checkerboard', act: 'tanh'});
    expect(fromQuery('t=a%20b').problems).toEqual([expect.stringContaining('is not a name')]);
  });
});

describe('the bounds of numbers', () => {
  it('are within the library\'s limits (si.catalog.limits)', () => {
    const limits = catalog.limits!;
    for (const d of SETTINGS.filter((x) => x.limit)) {
      const b = bounds(d, catalog);
      expect(b.max, d.key).toBeDefined();
      expect(b.max!, d.key).toBeLessThanOrEqual(limits[d.limit!]);
      if (d.max !== undefined) expect(b.max, d.key).toBe(Math.min(d.max, limits[d.limit!]));
    }
    expect(bounds(settingDef('width'), catalog).max).toBe(limits.width);
    expect(bounds(settingDef('depth'), catalog).max).toBe(limits.layers);
    // The samplers' seeds are the training seed plus 1000 and 1001.
    expect(bounds(settingDef('seed'), catalog).max! + 1001).toBeLessThanOrEqual(limits.seed);
  });

  it('count a network\'s parameters and a step\'s numbers as the library does', () => {
    // The library names the amount when it refuses: the page's count must be the same number.
    const needs = (config: object) => {
      try {
        new si.TrainingSession(config).delete();
      } catch (e) {
        return Number(/needs (\d+)/.exec((e as Error).message)?.[1]);
      }
      return undefined;
    };
    for (const [width, depth] of [[4096, 4], [2000, 14], [1826, 16]]) {
      const s = {...defaults(), width, depth};
      expect(needs({network: {hidden: Array(depth).fill(width)}}), `${width} x ${depth}`).toBe(networkSize(s).params);
    }
    for (const [width, depth, batch] of [[4096, 3, 8135], [64, 3, 600000], [1000, 16, 7000]]) {
      const s = {...defaults(), width, depth, batch};
      const floats = 2 * batch * (3 + networkSize(s).widthSum);
      expect(needs({network: {hidden: Array(depth).fill(width)}, training: {batch}}), `batch ${batch}`).toBe(floats);
    }
  });

  it('of one setting follow the others, within the library\'s limits of their costs', () => {
    // With a library whose limit of parameters is low enough to bind before the page's budgets.
    const limits = {...catalog.limits!, params: 1e5};
    const lib = {...catalog, limits};
    const wide = {...defaults(), width: 200};
    expect(bounds(settingDef('depth'), lib, wide).max).toBe(3);
    expect(networkSize({...wide, depth: 3}).params).toBeLessThanOrEqual(limits.params);
    expect(networkSize({...wide, depth: 4}).params).toBeGreaterThan(limits.params);
    const deep = {...defaults(), depth: 16};
    const w = bounds(settingDef('width'), lib, deep).max!;
    expect(networkSize({...deep, width: w}).params).toBeLessThanOrEqual(limits.params);
    expect(networkSize({...deep, width: w + 1}).params).toBeGreaterThan(limits.params);
    expect(invalid(settingDef('depth'), 4, lib, wide))
        .toBe(
            'is out of range; allowed: a whole number from 1 to 3 (with width 200; more needs over 100,000 ' +
            'parameters per network, the library\'s limit)');
    expect(invalid(settingDef('depth'), 3, lib, wide)).toBeUndefined();
    // The numbers of a training step (the real limits), with a budget-free batch of a tiny network.
    const batchFloats = {...catalog, limits: {...catalog.limits!, batchFloats: 1e5}};
    expect(bounds(settingDef('batch'), batchFloats, {...defaults(), width: 1, depth: 1}).max)
        .toBe(Math.floor(1e5 / (2 * (3 + 1 + 2))));
    // A small run of one layer: the library's limit of a layer's width binds.
    const small = {...defaults(), depth: 1, batch: 1, n: 10, odesteps: 1, sdesteps: 1};
    expect(bounds(settingDef('width'), catalog, small).max).toBe(catalog.limits!.width);
    // A cost is not checked against a bad value of another setting (that one is reported by itself).
    expect(invalid(settingDef('width'), 64, catalog, {...defaults(), depth: 1e9})).toBeUndefined();
  });

  it('of one setting follow the others, within the page\'s budgets for a browser', () => {
    // At the defaults (batch 256, 1000 samples, 40 + 50 steps) a wide network is over the budgets first.
    const wide = {...defaults(), width: 4096};
    expect(bounds(settingDef('depth'), catalog, wide).max).toBe(1);
    expect(invalid(settingDef('depth'), 2, catalog, wide)).toContain('the page\'s budget for a browser');
    const w = bounds(settingDef('width'), catalog, defaults()).max!;
    expect(w).toBeGreaterThan(256);
    expect(w).toBeLessThan(1024);
    expect(invalid(settingDef('width'), w + 1, catalog, defaults()))
        .toMatch(
            /^is out of range; allowed: a whole number from 1 to \d+ \(with hidden layers 3, samples 1000, ODE steps 40 and SDE steps 50; more needs over 100,000,000,000 units of work per refresh .*, the page's budget for a browser\)$/);
    expect(bounds(settingDef('n'), catalog, {...defaults(), odesteps: 500}).max).toBeLessThan(20000);
    expect(bounds(settingDef('odesteps'), catalog, defaults()).max).toBeLessThan(5000);
    expect(invalid(settingDef('batch'), 100000, catalog, defaults())).toBeUndefined();
    expect(invalid(settingDef('batch'), 100000, catalog, {...defaults(), width: 300})).toContain('page\'s budget');
  });

  it('hold for a link: each value is checked with the link\'s others', () => {
    const {settings, problems} = fromQuery('depth=16&width=4096&batch=100000', catalog);
    expect(settings).toMatchObject({width: 64, depth: 3, batch: 100000});
    expect(problems).toEqual([
      expect.stringMatching(
          /^width \(width=4096\) is out of range; allowed: a whole number from 1 to \d+ \(with hidden layers 16.*; kept 64$/),
      expect.stringMatching(
          /^hidden layers \(depth=16\) is out of range; allowed: a whole number from 1 to \d+ \(with width 64 and batch 100000;.*; kept 3$/),
    ]);
    expect(settingsProblems(settings, catalog)).toEqual([]);
    // Order in the link does not matter, and a combination that fits passes whole.
    expect(fromQuery('odesteps=10&width=600', catalog).problems).toEqual([]);
    expect(fromQuery('width=600&odesteps=10', catalog).settings).toMatchObject({width: 600, odesteps: 10});
    expect(fromQuery('width=600', catalog).problems).toEqual([expect.stringContaining(
        'width (width=600) is out of range')]);
    // Every setting of a cost over its limit is named (the worker's check of what the page sends).
    const label = (p: string) => p.split(' =')[0];
    expect(settingsProblems({...defaults(), width: 4096, depth: 16}, catalog).map(label)).toEqual([
      'width', 'hidden layers', 'batch', 'samples', 'ODE steps', 'SDE steps'
    ]);
    // A bad value alone is named alone.
    expect(settingsProblems({...defaults(), depth: 1e9}, catalog).map(label)).toEqual(['hidden layers']);
  });

  it('hold for a model file: what does not fit falls back and is named; the file\'s network is checked', () => {
    const config = {network: {hidden: [1024, 1024, 1024]}, sampling: {ode: {steps: 30}}};
    const {settings, lost} = configToSettings(config, defaults(), catalog);
    expect(settings).toMatchObject({width: 64, depth: 3, odesteps: 30});
    expect(lost).toEqual(['network.hidden = [1024,1024,1024] (shown as [64,64,64])']);
    const full = {network: {hidden: [1024, 1024, 1024]}, training: {batch: 256}};
    expect(settingsProblems(withModelNetwork(settings, full), catalog)[0]).toMatch(/^width = 1024 is out of range/);
    expect(settingsProblems(withModelNetwork(settings, {network: {hidden: [64, 32]}, training: {batch: 256}}), catalog))
        .toEqual([]);
  });

  it('hold for the defaults and every preset', () => {
    expect(settingsProblems(defaults(), catalog)).toEqual([]);
    for (const k of Object.keys(PRESETS)) expect(settingsProblems(applyPreset(k), catalog), k).toEqual([]);
  });
});

describe('select options', () => {
  it('come from the library, in the page order, with the page\'s own additions', () => {
    const gamma = settingDef('gamma');
    expect(domain(gamma, catalog)).toEqual([
      'auto', 'zero', 'brownian', 'a-brownian', 'bsquared', 'sinesquared', 'sigmoid'
    ]);
    // The image data sets (fashion-mnist, images) belong to the Images view, not to the 2-D targets.
    const images = ['fashion-mnist', 'images'];
    expect(new Set(domain(settingDef('t'), catalog)))
        .toEqual(new Set(si.distributionTypes.filter((t) => t !== 'gmm' && !images.includes(t))));
    expect(domain(settingDef('field'), catalog)).toEqual(['auto', 'b', 's', 'eta', 'v']);
    expect(optionLabel(settingDef('t'), '8gaussians')).toBe('8 Gaussians');
  });

  it('show a name the page does not know, labelled by itself, after the known ones', () => {
    const names = catalog.names;
    const c = {
      ...catalog,
      names: {...names, distribution: ['new-set', ...names.distribution!], gamma: [...names.gamma!, 'cosine']}
    };
    const t = settingDef('t');
    expect(domain(t, c)!.at(-1)).toBe('new-set');
    expect(optionLabel(t, 'new-set')).toBe('new-set');
    expect(domain(settingDef('gamma'), c)!.at(-1)).toBe('cosine');
    expect(fromQuery('t=new-set&gamma=cosine', c).problems).toEqual([]);
  });

  it('before the lists arrive: the default and the current value', () => {
    expect(options(settingDef('t'), {names: {}}, 'moons')).toEqual(['checkerboard', 'moons']);
    expect(options(settingDef('gamma'), {names: {}}, 'auto')).toEqual(['auto']);
  });
});

/**
 * Runs that set every config setting that applies to them to a non-default value (valid for the library:
 * the two-sided linear path takes any base).
 */
function scenarios(): Settings[] {
  const sides: [string, string][] = [['gaussian', 'random-gmm'], ['points', 'gaussian'], ['random-gmm', 'points']];
  return sides.map(([b, t]) => {
    const s: Settings = {...defaults(), b, t, path: 'linear', gamma: 'a-brownian'};
    for (const d of SETTINGS) {
      if (d.config && !['b', 't', 'path', 'gamma'].includes(d.key) && applies(d, s)) s[d.key] = otherValue(d);
    }
    return s;
  });
}

describe('the training config', () => {
  it('scenarios cover every setting of the config', () => {
    const covered =
        new Set(scenarios().flatMap((s) => SETTINGS.filter((d) => s[d.key] !== d.default).map((d) => d.key)));
    for (const d of SETTINGS.filter((x) => x.config)) expect(covered.has(d.key), d.key).toBe(true);
  });

  it('reads back the settings it was written from, with nothing lost', () => {
    for (const s of [defaults(), ...scenarios()]) {
      const back = configToSettings(trainingConfig(s), s, catalog);
      expect(back.lost).toEqual([]);
      expect(back.settings).toEqual(s);
    }
  });

  it('reads back the library\'s full config (defaults filled in) with nothing lost', () => {
    // What a config does not hold comes from the current settings.
    const views = {n: 500, ext: 3, field: 'eta', ft: 0.25};
    for (const s0 of [defaults(), ...scenarios()]) {
      const s = {...s0, ...views};
      const session = new si.TrainingSession(trainingConfig(s));
      const full = session.config as unknown as Record<string, unknown>;
      session.delete();
      const back = configToSettings(full, {...defaults(), ...views}, catalog);
      expect(back.lost).toEqual([]);
      expect(back.settings).toEqual(s);
    }
  });

  it('gamma given as what auto would choose reads back as auto', () => {
    const s = {...defaults(), path: 'linear', gamma: 'brownian'};
    expect(configToSettings(trainingConfig(s), s, catalog).settings.gamma).toBe('auto');
    expect(trainingConfig(defaults())).not.toHaveProperty('interpolant.gamma');
  });

  it('names what the controls cannot show', () => {
    const config = {
      base: {type: 'gaussian', mean: [0, 0], cov: [[2, 0], [0, 1]]},
      target: {type: 'moons', noise: 0.2},
      network: {hidden: [64, 32], activation: 'relu'},
      optimizer: {lr: 0.001, beta1: 0.95, beta2: 0.999},
      training: {t_lo: 0.001, t_hi: 0.01},
      sampling: {ode: {method: 'dopri5', atol: 1e-5, rtol: 1e-4}},
    };
    const {settings, lost} = configToSettings(config, defaults(), catalog);
    expect(settings).toMatchObject(
        {bsd: Math.SQRT2, t: 'moons', width: 64, depth: 2, lr: 0.001, tcut: 0.001, tol: 1e-5});
    expect(lost).toEqual([
      'base.cov = [[2,0],[0,1]] (shown as [[2,0],[0,2]])',
      'target.noise = 0.2',
      'network.hidden = [64,32] (shown as [64,64])',
      'optimizer.beta1 = 0.95',
      'training.t_hi = 0.01 (shown as 0.001)',
      'sampling.ode.rtol = 0.0001 (shown as 0.00001)',
    ]);
    const gmm = {type: 'gmm', means: [[0, 0]], covs: [[[1, 0], [0, 1]]]};
    const other = configToSettings({target: gmm, network: {hidden: [8], activation: 'swish'}}, defaults(), catalog);
    expect(other.settings).toMatchObject({t: 'checkerboard', width: 8, depth: 1, act: 'relu'});
    expect(other.lost).toEqual([
      `target ${JSON.stringify(gmm)} (shown as {"type":"checkerboard"})`,
      'network.activation = "swish" (shown as "relu")',
    ]);
  });
});

describe('the sampler options', () => {
  it('are the package\'s options, from the settings alone', () => {
    const o = samplerOptions(defaults());
    expect(o).toEqual({
      ode: {n: 1000, seed: 1000, method: 'heun', steps: 40, atol: 1e-3, rtol: 1e-3},
      sde: {n: 1000, seed: 1001, method: 'heun', steps: 50, eps: 0.5},
    });
    const s =
        {...defaults(), seed: 5, n: 300, ode: 'dopri5', tol: 1e-5, sde: 'euler', sdesteps: 80, eps: 1, epsuntil: 0.97};
    expect(samplerOptions(s)).toEqual({
      ode: {n: 300, seed: 1005, method: 'dopri5', steps: 40, atol: 1e-5, rtol: 1e-5},
      sde: {n: 300, seed: 1006, method: 'euler', steps: 80, eps: 1, epsUntil: 0.97},
    });
  });

  it('are accepted by the package', () => {
    const session = new si.TrainingSession({network: {hidden: [8]}});
    const model = session.model();
    const o = samplerOptions({...defaults(), n: 20});
    expect(si.sampleODE(model, o.ode).samples).toHaveLength(40);
    expect(si.sampleSDE(model, o.sde).samples).toHaveLength(40);
    model.delete();
    session.delete();
  });
});

describe('the Figures view', () => {
  it('a figure link round-trips and opens that figure with its values', () => {
    const {state, problems} = figureFromQuery('view=figures&fig=trajectories&eps=1.5&paths=300', catalog);
    expect(problems).toEqual([]);
    expect(state.kind).toBe('trajectories');
    expect(state.values.eps).toBe(1.5);
    expect(figureToQuery(state)).toBe('view=figures&fig=trajectories&eps=1.5&paths=300');
    expect(figureFromQuery(figureToQuery(state), catalog).state).toEqual(state);
    // Mixtures and formulas as typed: pluses, spaces, slashes and parentheses survive the link.
    const typed = {
      kind: 'densities' as const,
      values: {
        ...figureDefaults('densities'),
        rho1: '1/4 N(-2, 1) + 3/4 N(4, 0.5)',
        i2: 'alpha = cos(pi*t/2); beta = sin(pi*t/2); gamma = t*(1-t)'
      }
    };
    expect(figureFromQuery(figureToQuery(typed), catalog).state).toEqual(typed);
  });

  it('bad link values are reported with the label and the values allowed, and not applied', () => {
    const {state, problems} = figureFromQuery('view=figures&fig=gmm-likelihood&n=0&zzz=1&eps=0', catalog);
    expect(state.values).toEqual(figureDefaults('gmm-likelihood'));
    expect(problems).toEqual([
      'points per panel (n=0) is out of range: allowed an integer from 1 to 20000; kept 10000',
      'unknown setting "zzz" of figure gmm-likelihood ignored',
      'SDE noise ε (eps=0) is out of range: allowed a number > 0 and ≤ 20; kept 2',
    ]);
    expect(figureFromQuery('view=figures&fig=nope').problems[0]).toMatch(/figure "nope" unknown: allowed densities/);
  });

  it('every figure\'s default settings give the library\'s defaults (the SPEC\'s parameters)', () => {
    const digest = (f: Record<string, unknown>) =>
        JSON.stringify(f, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array).slice(0, 40) : v));
    for (const kind of FIGURE_KINDS) {
      const small: Record<string, unknown> = kind === 'gmm-likelihood' ? {n: 40} :
          kind === 'densities'                                         ? {grid: 20} :
                                                                         {paths: 20};
      const opts = {...figureOptions({kind, values: figureDefaults(kind)}, si.gammaNames), ...small};
      expect(digest(si.figure(kind, opts as never) as never)).toBe(digest(si.figure(kind, small as never) as never));
    }
    expect(figureOptions({kind: 'trajectories', values: figureDefaults('trajectories')}).eps).toEqual([0, 0.5, 5]);
  });

  it('interpolants typed as formulas become the library\'s custom interpolants', () => {
    expect(interpolantOption('trig/zero')).toBe('trig/zero');
    expect(interpolantOption('alpha = cos(pi*t/2); beta = sin(pi*t/2); gamma = sqrt(t*(1-t))', si.gammaNames))
        .toEqual(
            {path: 'custom', alpha: 'cos(pi*t/2)', beta: 'sin(pi*t/2)', gamma: 'custom', gamma_expr: 'sqrt(t*(1-t))'});
    expect(interpolantOption('path = linear; gamma = brownian', si.gammaNames))
        .toEqual({path: 'linear', gamma: 'brownian'});
    expect(() => interpolantOption('alpha: 1-t; beta = t')).toThrow(/is not "alpha = …"/);
  });

  it('the library\'s option errors name the on-screen control', () => {
    expect(figureSettingOf('densities', 'interpolants[1].alpha')?.label).toBe('row 2');
    expect(figureSettingOf('trajectories', 'eps[2]')?.label).toBe('noise ε (bottom row)');
    expect(figureSettingOf('gmm-likelihood', 'sdeSteps')?.label).toBe('steps (ODE and SDE)');
    expect(figureSettingOf('densities', 'rho0')?.label).toBe('base ρ₀');
  });
});

describe('continuing a run and the library\'s words', () => {
  it('training settings apply to the running model; what defines the run starts a new network', () => {
    const tune = SETTINGS.filter((d) => d.effect === 'tune').map((d) => d.key).sort();
    expect(tune).toEqual(['anti', 'batch', 'clip', 'decay', 'ema', 'lr', 'lrstep', 'sched', 'steps', 'tcut']);
    for (const k of ['b', 't', 'path', 'gamma', 'fields', 'width', 'depth', 'act', 'seed'])
      expect(settingDef(k).effect, k).toBe('train');
  });

  it('a retuned config is the run\'s own with only the training settings written over it', () => {
    const session = new si.TrainingSession(trainingConfig(defaults()));
    const run = session.config as unknown as Record<string, unknown>;
    const s = {...defaults(), lr: 1e-4, steps: 900, batch: 64, width: 8, t: 'moons'};
    const next = retunedConfig(run, s) as unknown as typeof session.config;
    expect(next.optimizer.lr).toBe(1e-4);
    expect(next.training.steps).toBe(900);
    expect(next.training.batch).toBe(64);
    expect(next.network.hidden).toEqual(session.config.network.hidden);  // not the settings' width 8
    expect(next.target).toEqual(session.config.target);
    session.retune(next);  // the library takes it
    expect(session.config.optimizer.lr).toBe(1e-4);
    session.delete();
  });

  it('library messages name the controls on screen, not config keys', () => {
    expect(onScreen('optimizer.lr: must be a positive number, got -1'))
        .toBe('"learning rate": must be a positive number, got -1');
    expect(onScreen('fields: \'b+s\' needs a score')).toBe('"learned fields": \'b+s\' needs a score');
    expect(onScreen('a cost over network.hidden and training.batch'))
        .toBe('a cost over "width and hidden layers" and "batch"');
    // Only whole keys: words that merely contain one stay.
    expect(onScreen('the learned fields are fine')).toBe('the learned fields are fine');
    expect(onScreen('optimizer.lrx')).toBe('optimizer.lrx');
  });
});
