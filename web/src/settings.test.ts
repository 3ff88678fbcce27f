// Unit tests of the settings list (Vitest, Node): the URL, its checks, the mapping to and from the training
// config and to the sampler options. The name lists and the full configs come from the package itself.
import {init, type StochasticInterpolants} from 'stochastic-interpolants';
import {beforeAll, describe, expect, it} from 'vitest';
import type {Catalog, SettingDef, Settings, Value} from './settings';
import {applies, catalogOf, configToSettings, defaults, domain, encodePoints, fromQuery} from './settings';
import {optionLabel, options, samplerOptions, settingDef, SETTINGS, toQuery, trainingConfig} from './settings';

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
    expect(problems.find((p) => p.includes('ext=-5'))).toBe('plot half-width (ext=-5) must be at least 0.5; kept 5');
    expect(problems.find((p) => p.includes('n=1e9'))).toBe('samples (n=1e9) must be at most 20000; kept 1000');
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
    expect(late.problems).toEqual([expect.stringContaining('target ρ₁ (t=nonsense) is not one of')]);
    expect(late.settings).toMatchObject({t: 'checkerboard', act: 'tanh'});
    expect(fromQuery('t=a%20b').problems).toEqual([expect.stringContaining('is not a name')]);
  });
});

describe('select options', () => {
  it('come from the library, in the page order, with the page\'s own additions', () => {
    const gamma = settingDef('gamma');
    expect(domain(gamma, catalog)).toEqual([
      'auto', 'zero', 'brownian', 'a-brownian', 'bsquared', 'sinesquared', 'sigmoid'
    ]);
    expect(new Set(domain(settingDef('t'), catalog))).toEqual(new Set(si.distributionTypes.filter((t) => t !== 'gmm')));
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
