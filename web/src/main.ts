// The page: builds the controls from the settings list, keeps the URL in step with them, talks to the
// training worker and renders what it sends. No maths happens here.
import './style.css';
import type uPlot from 'uplot';
import { fmt, LineChart } from './charts';
import { COLORS, Plot2D } from './plot2d';
import type { FromWorker, Grid, SampleSet, ToWorker, ViewRequest } from './protocol';
import {
  applyPreset, decodePoints, encodePoints, fromQuery, pageProblems, PRESETS, samplerOptions, SETTINGS, settingDef,
  toQuery, trainingConfig, configToSettings, type SettingDef, type Settings, type Value,
} from './settings';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const FIELD_GRID = 17;
const DENSITY_GRID = 40;

// ---------------------------------------------------------------- state
interface AppState {
  settings: Settings;
  gen: number;
  running: boolean;
  step: number;
  fieldNames: string[];
  checkerboard: boolean;
  trueNll?: number;
  target?: Float32Array;
  base?: Float32Array;
  samples?: SampleSet;
  sampleVersion: number;
  xt?: { times: Float64Array; frames: Float32Array[] };
  lastField?: FromWorker & { type: 'field' };
  lastDensity?: FromWorker & { type: 'density' };
  trajFrame: number;
  trajKind: 'ode' | 'sde';
  trajTimer: number;
  drawSide: 'b' | 't';
  lastNll?: number;
  mirror: boolean;
}

const parsed = fromQuery(location.search.slice(1));
const app: AppState = {
  settings: parsed.settings, gen: 0, running: false, step: 0, fieldNames: [], checkerboard: false, sampleVersion: 0,
  trajFrame: 20, trajKind: 'ode', trajTimer: 0, drawSide: 't', mirror: false,
};
// For the end-to-end tests: the page's state, read-only by convention.
(window as unknown as { __siApp: AppState }).__siApp = app;

// ---------------------------------------------------------------- messages
function showMessage(text: string, where = 'page', kind: 'error' | 'info' = 'error'): void {
  const box = $('messages');
  for (const el of Array.from(box.children) as HTMLElement[]) {
    if (el.dataset.text === text) return;
  }
  const div = document.createElement('div');
  div.className = `msg ${kind}`;
  div.dataset.where = where;
  div.dataset.text = text;
  const close = document.createElement('button');
  close.textContent = '×';
  close.title = 'dismiss';
  close.onclick = () => div.remove();
  const span = document.createElement('span');
  span.textContent = `${where}: ${text}`;
  div.append(span, close);
  box.append(div);
}
function clearMessages(where?: string[]): void {
  for (const el of Array.from($('messages').children) as HTMLElement[]) {
    if (!where || where.includes(el.dataset.where ?? '')) el.remove();
  }
}

// ---------------------------------------------------------------- worker
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);
worker.onerror = (e) => showMessage(e.message || 'the training worker failed to start', 'worker');

function grid(n: number): Grid {
  return { n, ext: app.settings.ext as number };
}
function viewRequest(): ViewRequest {
  return {
    fieldT: Number(($('field-t') as HTMLInputElement).value),
    field: ($('field-select') as HTMLSelectElement).value || 'b',
    fieldGrid: grid(FIELD_GRID),
    densityGrid: grid(DENSITY_GRID),
  };
}

let configureTimer = 0;
function configureSoon(delay = 250): void {
  clearTimeout(configureTimer);
  configureTimer = window.setTimeout(configure, delay);
}
function configure(): void {
  const problems = pageProblems(app.settings);
  clearMessages(['settings', 'training', 'drawing', 'import', 'ODE sampler', 'SDE sampler']);
  if (problems.length) {
    problems.forEach((p) => showMessage(p, 'settings'));
    send({ type: 'pause' });
    return;
  }
  $('status').textContent = 'starting…';
  send({
    type: 'configure', config: trainingConfig(app.settings), sampler: samplerOptions(app.settings),
    maxSteps: app.settings.steps as number, play: true, view: viewRequest(),
  });
}

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if ('gen' in m && m.gen !== app.gen && m.type !== 'configured') return;
  switch (m.type) {
    case 'ready':
      $('version').textContent = `Library ${m.version}.`;
      configure();
      return;
    case 'configured':
      return onConfigured(m);
    case 'progress':
      app.step = m.step;
      $('step-count').textContent = String(m.step);
      $('sps').textContent = m.stepsPerSec.toFixed(m.stepsPerSec < 10 ? 1 : 0);
      $('lr').textContent = m.lr.toExponential(1);
      lossChart.push(m.step, m.losses);
      if (m.running !== app.running) setRunning(m.running);
      return;
    case 'state':
      app.step = m.step;
      $('step-count').textContent = String(m.step);
      setRunning(m.running, m.reason);
      return;
    case 'samples':
      return onSamples(m);
    case 'xt':
      app.xt = { times: m.times, frames: m.frames };
      return renderTrajectories();
    case 'field':
      app.lastField = m;
      return renderField();
    case 'density':
      app.lastDensity = m;
      return renderDensity();
    case 'nll':
      app.lastNll = m.nll;
      $('m-nll').textContent = `${fmt(m.nll)} (step ${m.step})`;
      nllChart.push(m.step, { model: m.nll, truth: app.trueNll });
      return;
    case 'model':
      return download(new Blob([m.json], { type: 'application/json' }), `si-model-step${app.step}.json`);
    case 'error':
      if (m.where === 'import') pendingImport = null;
      showMessage(m.message, m.where);
      if (m.where === 'startup') $('status').textContent = 'failed to load';
      return;
  }
};

function setRunning(r: boolean, reason?: string): void {
  app.running = r;
  $('btn-play').textContent = r ? '❚❚ pause' : '▶ play';
  $('status').textContent = r ? 'training' : reason === 'done' ? 'done (step limit)' : reason === 'error' ? 'stopped (error)' : 'paused';
  document.body.dataset.running = r ? '1' : '0';
}

function onConfigured(m: FromWorker & { type: 'configured' }): void {
  app.gen = m.gen;
  if (m.imported && pendingImport) {
    clearTimeout(configureTimer);
    app.settings = pendingImport.settings;
    syncControls();
    syncUrl();
    showMessage(`${pendingImport.name} imported (step ${m.step}): the controls and the link show its settings; ` +
      'press play to continue training it, reset for a new network', 'import', 'info');
    if (pendingImport.lost.length) {
      showMessage(`the controls cannot show: ${pendingImport.lost.join('; ')}. Training continues with the file's own ` +
        'settings; a link or a reset uses the controls\' values.', 'import', 'info');
    }
    pendingImport = null;
  }
  app.step = m.step;
  app.fieldNames = m.fieldNames;
  app.checkerboard = m.checkerboard;
  app.trueNll = m.trueNll;
  app.target = m.target;
  app.base = m.base;
  app.samples = undefined;
  app.xt = undefined;
  app.lastField = undefined;
  app.lastDensity = undefined;
  app.lastNll = undefined;
  $('step-count').textContent = String(m.step);
  $('sps').textContent = '0';
  $('lr').textContent = '–';
  document.body.dataset.gen = String(m.gen);
  document.body.classList.toggle('checker', m.checkerboard);
  document.body.classList.toggle('exact', m.exact);
  $('m-nll-true').textContent = m.trueNll === undefined ? 'unknown' : `${fmt(m.trueNll)} (true density)`;
  app.mirror = (m.config.interpolant as Record<string, unknown>).path === 'mirror';
  document.body.classList.toggle('mirror', app.mirror);
  $('base-caption').textContent = app.mirror ? 'ρ₀ = the data (mirror path)' : 'base ρ₀ (true samples)';
  $('m-nll').textContent = app.mirror ? 'not shown for the mirror (see the Density panel)' : '–';
  $('density-info').textContent = '';
  fillFieldSelect();
  const lossKeys = lossNames(m.config);
  lossChart.reset(lossKeys.map((k, i) => ({ label: k, color: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'][i % 4] })));
  nllChart.reset([{ label: 'model', color: '#1f77b4' }, { label: 'truth', color: '#555', dash: [4, 4] }]);
  qualityChart.reset([
    { label: 'energy ODE', color: '#1f77b4' }, { label: 'energy SDE', color: '#d62728' },
    ...(m.checkerboard ? [{ label: 'support ODE', color: '#1f77b4', scale: '%', dash: [5, 3] },
      { label: 'support SDE', color: '#d62728', scale: '%', dash: [5, 3] }] : []),
  ], m.checkerboard ? [...QUALITY_AXES, SUPPORT_AXIS] : QUALITY_AXES);
  coeffChart.set(m.coeffs.t, [m.coeffs.alpha, m.coeffs.beta, m.coeffs.gamma]);
  showPath(m.config.interpolant as Record<string, unknown>, String(m.config.fields));
  renderAll();
}

function lossNames(config: Record<string, unknown>): string[] {
  const f = String(config.fields ?? 'b+s');
  return f.split('+');
}

function onSamples(m: SampleSet): void {
  app.samples = m;
  app.sampleVersion++;
  const q = m.metrics;
  const pct = (v?: number) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
  const num = (v?: number) => (v === undefined ? '–' : fmt(v));
  $('m-ed-ode').textContent = num(q.energyOde);
  $('m-ed-sde').textContent = num(q.energySde);
  $('m-share-ode').textContent = pct(q.shareOde);
  $('m-share-sde').textContent = pct(q.shareSde);
  for (const [kind, bad] of [['ODE', q.nonFiniteOde], ['SDE', q.nonFiniteSde]] as const) {
    if (bad) showMessage(`${bad} of ${m.ode ? m.ode.length : '?'} sample coordinates are not finite (NaN or inf) at step ${m.step}`, `${kind} sampler`);
  }
  document.body.dataset.nonFinite = `${q.nonFiniteOde ?? ''},${q.nonFiniteSde ?? ''}`;
  $('m-share-ode').dataset.value = q.shareOde === undefined ? '' : String(q.shareOde);
  $('m-share-sde').dataset.value = q.shareSde === undefined ? '' : String(q.shareSde);
  qualityChart.push(m.step, {
    'energy ODE': q.energyOde, 'energy SDE': q.energySde, 'support ODE': q.shareOde, 'support SDE': q.shareSde,
  });
  renderSamples();
  renderTrajectories();
  document.body.dataset.sampleVersion = String(app.sampleVersion);
  document.body.dataset.sampleStep = String(m.step);
  document.body.dataset.sdeEps = String(m.eps);
}

// ---------------------------------------------------------------- views
const plots = {
  base: new Plot2D($('cv-base') as HTMLCanvasElement),
  target: new Plot2D($('cv-target') as HTMLCanvasElement),
  ode: new Plot2D($('cv-ode') as HTMLCanvasElement),
  sde: new Plot2D($('cv-sde') as HTMLCanvasElement),
  traj: new Plot2D($('cv-traj') as HTMLCanvasElement),
  xt: new Plot2D($('cv-xt') as HTMLCanvasElement),
  field: new Plot2D($('cv-field') as HTMLCanvasElement),
  exact: new Plot2D($('cv-exact') as HTMLCanvasElement),
  error: new Plot2D($('cv-error') as HTMLCanvasElement),
  density: new Plot2D($('cv-density') as HTMLCanvasElement),
  densityLog: new Plot2D($('cv-density-log') as HTMLCanvasElement),
  draw: new Plot2D($('cv-draw') as HTMLCanvasElement, 340),
};

const lossChart = new LineChart($('chart-loss'), { title: 'loss per field', perRow: 3 });
const nllChart = new LineChart($('chart-nll'), { title: 'held-out NLL (nats)', perRow: 3 });
const qualityChart = new LineChart($('chart-quality'), { title: 'sample quality', perRow: 3, scales: { '%': { range: [0, 1] } } });
const QUALITY_AXES: uPlot.Axis[] = [{}, { size: 56, label: 'energy distance' }];
const SUPPORT_AXIS: uPlot.Axis = { scale: '%', side: 1, size: 56, grid: { show: false }, label: 'on the support',
  values: (_u, vals) => vals.map((v) => `${Math.round(v * 100)}%`) };
const coeffChart = new LineChart($('chart-coeffs'), { title: 'α(t), β(t), γ(t)', xLabel: 't' });
coeffChart.reset([{ label: 'α', color: '#1f77b4' }, { label: 'β', color: '#d62728' }, { label: 'γ', color: '#2ca02c' }]);

function base(p: Plot2D, checker = app.checkerboard): void {
  p.ext = app.settings.ext as number;
  p.clear();
  if (checker) p.checkerboard();
  p.axes();
}

function renderSamples(): void {
  base(plots.base, app.checkerboard && app.mirror);
  const rho0 = app.mirror ? app.target : app.base;
  if (rho0) plots.base.points(rho0, app.mirror ? COLORS.target : COLORS.base);
  base(plots.target);
  if (app.target) plots.target.points(app.target, COLORS.target);
  const s = app.samples;
  base(plots.ode);
  if (s?.ode) plots.ode.points(s.ode, COLORS.ode);
  else if (s) plots.ode.label('no ODE samples');
  base(plots.sde);
  if (s?.sde) plots.sde.points(s.sde, COLORS.sde);
  else if (s) plots.sde.label('SDE needs a score (fields b only)');
  if (s) {
    plots.ode.label(`step ${s.step}`);
    if (s.sde) plots.sde.label(`ε = ${s.eps}`);
  }
}

function renderTrajectories(): void {
  const s = app.samples;
  const snaps = app.trajKind === 'ode' ? s?.odeSnaps : s?.sdeSnaps;
  const last = Math.max(0, (snaps?.length ?? 21) - 1);
  const slider = $('traj-slider') as HTMLInputElement;
  slider.max = String(last);
  const k = Math.min(app.trajFrame, last);
  const t = s?.times.length ? s.times[Math.min(k, s.times.length - 1)] : k / Math.max(1, last);
  $('traj-t').textContent = t.toFixed(2);
  $('traj-kind').textContent = app.trajKind.toUpperCase();
  base(plots.traj, false);
  if (snaps && snaps.length) {
    if (k > 0) plots.traj.trails(snaps[k - 1], snaps[k], app.trajKind === 'ode' ? COLORS.ode : COLORS.sde, 0.25);
    plots.traj.points(snaps[k], app.trajKind === 'ode' ? COLORS.ode : COLORS.sde);
  }
  base(plots.xt, false);
  if (app.xt) {
    let j = 0;
    for (let i = 0; i < app.xt.times.length; i++) {
      if (Math.abs(app.xt.times[i] - t) < Math.abs(app.xt.times[j] - t)) j = i;
    }
    plots.xt.points(app.xt.frames[j], COLORS.xt);
  }
}

function renderField(): void {
  const f = app.lastField;
  for (const p of [plots.field, plots.exact, plots.error]) base(p, false);
  document.querySelectorAll('.field-name').forEach((el) => (el.textContent = f?.field ?? 'b'));
  $('field-note').textContent = f?.note ?? '';
  if (!f) return;
  if (f.learned && f.learned.every((v) => Math.abs(v) < 1e-9)) {
    $('field-note').textContent = `${f.field} is 0 everywhere at t = ${f.t.toFixed(2)}: move t`;
  }
  let scale: number | undefined;
  if (f.exact) scale = plots.exact.arrows(f.grid, f.exact, COLORS.arrow);
  if (f.learned) plots.field.arrows(f.grid, f.learned, COLORS.ode, scale);
  plots.field.label(`t = ${f.t.toFixed(2)}, step ${f.step}`);
  if (f.exact && f.learned) {
    // Where rho_t is negligible no sample ever goes and the loss does not constrain the network:
    // the error map and its summary count only where rho_t >= 1e-3 of its maximum.
    const n = f.grid.n * f.grid.n;
    const err = new Float64Array(n);
    let top = -Infinity;
    for (let i = 0; i < n; i++) top = Math.max(top, f.logRho?.[i] ?? 0);
    let se = 0;
    let sx = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const w = f.logRho ? Math.exp(f.logRho[i] - top) : 1;
      const ex = f.exact[2 * i];
      const ey = f.exact[2 * i + 1];
      const e = Math.hypot(f.learned[2 * i] - ex, f.learned[2 * i + 1] - ey);
      err[i] = w >= 1e-3 && Number.isFinite(e) ? e : NaN;
      if (Number.isFinite(err[i])) hi = Math.max(hi, err[i]);
      if (Number.isFinite(e)) {
        se += w * e * e;
        sx += w * (ex * ex + ey * ey);
      }
    }
    plots.error.heatmap(f.grid, err, 0, hi);
    plots.error.axes();
    const rel = Math.sqrt(se / Math.max(sx, 1e-30));
    $('field-err').textContent = `relative error ${(100 * rel).toFixed(1)}% (weighted by ρₜ)`;
    plots.error.label(`0 (dark) to ${fmt(hi)} (yellow)`);
  }
}

function renderDensity(): void {
  const d = app.lastDensity;
  base(plots.density, false);
  base(plots.densityLog, false);
  if (!d) {
    plots.density.label(app.mirror ? 'not shown for the mirror' : 'first heatmap after a few seconds of training');
    return;
  }
  let hi = -Infinity;
  for (const v of d.logp) if (Number.isFinite(v)) hi = Math.max(hi, v);
  const dens = d.logp.map((v) => Math.exp(v - hi));
  plots.density.heatmap(d.grid, dens, 0, 1);
  plots.densityLog.heatmap(d.grid, d.logp, hi - 12, hi);
  plots.density.label(`step ${d.step}`);
  $('density-range').textContent = `(colour range ${fmt(hi - 12)} … ${fmt(hi)})`;
  $('density-info').textContent = `${d.grid.n}×${d.grid.n} points in ${(d.ms / 1000).toFixed(1)} s`;
}

function renderDraw(): void {
  const panel = $('panel-draw');
  const sides = (['t', 'b'] as const).filter((k) => app.settings[k] === 'points');
  panel.hidden = sides.length === 0;
  if (!sides.length) return;
  if (!sides.includes(app.drawSide)) app.drawSide = sides[0];
  $('draw-side-label').hidden = sides.length < 2;
  ($('draw-side') as HTMLSelectElement).value = app.drawSide;
  $('draw-side-name').textContent = app.drawSide === 't' ? 'target' : 'base';
  const pts = drawing ?? decodePoints(app.settings[app.drawSide + 'pts'] as string);
  $('draw-count').textContent = String(pts.length);
  base(plots.draw, false);
  plots.draw.points(pts.flat(), COLORS.draw, 0.9);
}

function renderAll(): void {
  renderSamples();
  renderTrajectories();
  renderField();
  renderDensity();
  renderDraw();
}

// ---------------------------------------------------------------- drawing pad
let drawing: [number, number][] | null = null;
const pad = $('cv-draw') as HTMLCanvasElement;
pad.addEventListener('pointerdown', (e) => {
  drawing = decodePoints(app.settings[app.drawSide + 'pts'] as string);
  pad.setPointerCapture(e.pointerId);
  addDrawn(e);
});
pad.addEventListener('pointermove', (e) => {
  if (drawing) addDrawn(e);
});
const endDraw = () => {
  if (!drawing) return;
  const pts = drawing;
  drawing = null;
  update(app.drawSide + 'pts', encodePoints(pts));
};
pad.addEventListener('pointerup', endDraw);
pad.addEventListener('pointercancel', endDraw);
function addDrawn(e: PointerEvent): void {
  const [x, y] = plots.draw.toWorld(e.clientX, e.clientY);
  const last = drawing![drawing!.length - 1];
  if (last && Math.hypot(last[0] - x, last[1] - y) < 0.06 * (app.settings.ext as number) / 5) return;
  if (drawing!.length >= 2000) return;
  drawing!.push([x, y]);
  renderDraw();
}
$('btn-draw-clear').onclick = () => update(app.drawSide + 'pts', '');
$('draw-side').onchange = (e) => {
  app.drawSide = (e.target as HTMLSelectElement).value as 'b' | 't';
  renderDraw();
};

// ---------------------------------------------------------------- controls
const GROUP_TITLES: Record<string, string> = {
  data: 'data', interpolant: 'interpolant', network: 'network', training: 'optimiser and training',
  sampler: 'samplers', view: 'view',
};
const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
const rows = new Map<string, HTMLElement>();

function buildControls(): void {
  const box = $('settings');
  const groups = new Map<string, HTMLFieldSetElement>();
  for (const d of SETTINGS) {
    if (d.kind === 'points' || d.key === 'eps') continue;
    let fs = groups.get(d.group);
    if (!fs) {
      fs = document.createElement('fieldset');
      fs.innerHTML = `<legend>${GROUP_TITLES[d.group]}</legend>`;
      box.append(fs);
      groups.set(d.group, fs);
    }
    const row = document.createElement('label');
    row.className = 'setting';
    row.title = d.help ?? '';
    const name = document.createElement('span');
    name.textContent = d.label;
    const input = makeInput(d);
    input.id = `set-${d.key}`;
    input.addEventListener('change', () => {
      const v = readInput(d, input);
      if (v === undefined) {
        showMessage(`${d.label}: "${(input as HTMLInputElement).value}" is not a number`, 'settings');
        return;
      }
      update(d.key, v);
    });
    row.append(name, input);
    fs.append(row);
    inputs.set(d.key, input);
    rows.set(d.key, row);
  }
  const preset = $('preset') as HTMLSelectElement;
  preset.add(new Option('— choose a preset —', ''));
  for (const [k, p] of Object.entries(PRESETS)) preset.add(new Option(p.label, k));
  preset.value = '';
  preset.onchange = () => {
    app.settings = applyPreset(preset.value);
    syncControls();
    syncUrl();
    configureSoon(0);
  };
}

function makeInput(d: SettingDef): HTMLInputElement | HTMLSelectElement {
  if (d.kind === 'enum') {
    const sel = document.createElement('select');
    for (const o of d.options!) sel.add(new Option(d.optionLabels?.[o] ?? o, o));
    return sel;
  }
  const input = document.createElement('input');
  if (d.kind === 'bool') {
    input.type = 'checkbox';
    return input;
  }
  input.type = 'number';
  input.step = d.kind === 'int' ? '1' : String(d.step ?? 'any');
  if (d.min !== undefined && d.key !== 'lr') input.min = String(d.min);
  if (d.max !== undefined) input.max = String(d.max);
  return input;
}

function readInput(d: SettingDef, input: HTMLInputElement | HTMLSelectElement): Value | undefined {
  if (d.kind === 'bool') return (input as HTMLInputElement).checked;
  if (d.kind === 'enum') return input.value;
  const v = Number(input.value);
  if (input.value.trim() === '' || !Number.isFinite(v)) return undefined;
  return d.kind === 'int' ? Math.round(v) : v;
}

function syncControls(): void {
  for (const [key, input] of inputs) {
    const d = settingDef(key);
    const v = app.settings[key];
    if (d.kind === 'bool') (input as HTMLInputElement).checked = Boolean(v);
    else input.value = String(v);
    rows.get(key)!.hidden = d.visible ? !d.visible(app.settings) : false;
  }
  const eps = $('eps-slider') as HTMLInputElement;
  eps.value = String(app.settings.eps);
  $('eps-value').textContent = String(app.settings.eps);
}

function syncUrl(): void {
  const q = toQuery(app.settings);
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

/** The one way settings change: update, mirror to URL and controls, then do what the setting needs. */
function update(key: string, value: Value): void {
  const d = settingDef(key);
  app.settings[key] = value;
  // Paths that fix the field set: switch it along so the common case just works.
  if (key === 'path' && value === 'mirror') app.settings.fields = 's';
  if (key === 'path' && value !== 'mirror' && app.settings.fields === 's') app.settings.fields = 'b+s';
  const oneSided = (p: Value) => p === 'one-sided-linear' || p === 'one-sided-trig' || p === 'mirror';
  if (key === 'b' && value !== 'gaussian' && oneSided(app.settings.path)) {
    showMessage(`${app.settings.path} needs the base N(0, I): switched the path to linear (two-sided)`, 'path', 'info');
    app.settings.path = 'linear';
    if (app.settings.fields === 's') app.settings.fields = 'b+s';
  }
  syncControls();
  syncUrl();
  if (d.effect === 'train') {
    renderDraw();
    configureSoon();
  } else if (d.effect === 'sample') {
    if (key === 'eps') send({ type: 'sample', eps: value as number });
    else send({ type: 'sampler', sampler: samplerOptions(app.settings) });
  } else {
    send({ type: 'view', view: viewRequest() });
    renderAll();
  }
}

function fillFieldSelect(): void {
  const sel = $('field-select') as HTMLSelectElement;
  const before = sel.value || 'b';
  // The mirror learns s only (its b = -γγ' s vanishes where γ' = 0, e.g. at t = 1/2): show s.
  const keep = app.mirror ? 's' : before;
  sel.innerHTML = '';
  for (const f of app.fieldNames) sel.add(new Option(f, f));
  sel.value = app.fieldNames.includes(keep) ? keep : app.fieldNames[0] ?? '';
  if (sel.value !== before) send({ type: 'view', view: viewRequest() });
}

// ---------------------------------------------------------------- buttons
$('btn-play').onclick = () => send({ type: app.running ? 'pause' : 'play' });
$('btn-step').onclick = () => send({ type: 'step', k: 10 });
$('btn-reset').onclick = () => configure();
$('btn-density').onclick = () => send({ type: 'density' });
$('eps-slider').addEventListener('input', (e) => {
  const v = Number((e.target as HTMLInputElement).value);
  update('eps', v);
});
$('field-t').addEventListener('input', () => {
  $('field-t-value').textContent = Number(($('field-t') as HTMLInputElement).value).toFixed(2);
  send({ type: 'view', view: viewRequest() });
});
$('field-select').addEventListener('change', () => send({ type: 'view', view: viewRequest() }));
$('traj-slider').addEventListener('input', (e) => {
  app.trajFrame = Number((e.target as HTMLInputElement).value);
  renderTrajectories();
});
for (const r of document.querySelectorAll<HTMLInputElement>('input[name=traj-kind]')) {
  r.addEventListener('change', () => {
    app.trajKind = r.value as 'ode' | 'sde';
    renderTrajectories();
  });
}
$('btn-traj-play').onclick = () => {
  if (app.trajTimer) {
    clearInterval(app.trajTimer);
    app.trajTimer = 0;
    $('btn-traj-play').textContent = '▶ animate';
    return;
  }
  $('btn-traj-play').textContent = '■ stop';
  const slider = $('traj-slider') as HTMLInputElement;
  app.trajTimer = window.setInterval(() => {
    const last = Number(slider.max);
    app.trajFrame = app.trajFrame >= last ? 0 : app.trajFrame + 1;
    slider.value = String(app.trajFrame);
    renderTrajectories();
  }, 150);
};

$('btn-export-model').onclick = () => send({ type: 'export' });
($('file-import') as HTMLInputElement).onchange = async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (file) importModel(await file.text(), file.name);
};

/** Settings waiting for the worker to accept an imported model (then they become the page's). */
let pendingImport: { settings: Settings; lost: string[]; name: string } | null = null;

/** Reads the model's config into the controls' settings and hands the file to the worker, which
 * continues from its weights (Model.fromJSON, new TrainingSession(model.config), loadWeights). */
function importModel(text: string, name: string): void {
  clearMessages(['import']);
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(text);
  } catch (err) {
    showMessage(`${name} is not JSON (${(err as Error).message})`, 'import');
    return;
  }
  if (!file || typeof file !== 'object' || typeof file.config !== 'object') {
    showMessage(`${name} is not a model file (no "config")`, 'import');
    return;
  }
  const { settings, lost } = configToSettings(file.config as Record<string, unknown>, app.settings);
  // Steps behind the weights: written by this page's export (the library's format has no step count),
  // else from a file name such as si-model-step1234.json.
  const web = (file.web_app ?? {}) as Record<string, unknown>;
  const step = typeof web.steps_trained === 'number' ? web.steps_trained : Number(/step(\d+)/.exec(name)?.[1] ?? 0);
  pendingImport = { settings, lost, name };
  send({
    type: 'import', json: text, step, sampler: samplerOptions(settings), maxSteps: settings.steps as number,
    view: viewRequest(),
  });
}
$('btn-export-csv').onclick = () => {
  const lines = ['kind,x,y'];
  const add = (kind: string, a?: ArrayLike<number>) => {
    if (!a) return;
    for (let i = 0; i + 1 < a.length; i += 2) lines.push(`${kind},${a[i]},${a[i + 1]}`);
  };
  add('target', app.target);
  add('ode', app.samples?.ode);
  add(`sde_eps${app.samples?.eps ?? ''}`, app.samples?.sde);
  download(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), `si-samples-step${app.samples?.step ?? 0}.csv`);
};
$('btn-copy-link').onclick = async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    showMessage('link copied', 'link', 'info');
  } catch {
    showMessage(location.href, 'link', 'info');
  }
};
for (const b of document.querySelectorAll<HTMLButtonElement>('button.png')) {
  b.onclick = () => panelPng(b.dataset.png!);
}

/** Every canvas of a panel side by side on one white image, with the panel's title. */
function panelPng(id: string): void {
  const panel = $(id);
  const canvases = Array.from(panel.querySelectorAll('canvas')).filter((c) => c.offsetParent !== null && c.width > 0);
  const pad = 10;
  const head = 28;
  const w = canvases.reduce((s, c) => s + c.width + pad, pad);
  const h = Math.max(...canvases.map((c) => c.height), 10) + head + pad;
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const c = out.getContext('2d')!;
  c.fillStyle = '#fff';
  c.fillRect(0, 0, w, h);
  c.fillStyle = '#222';
  c.font = '16px sans-serif';
  c.fillText(`${panel.querySelector('h2')?.firstChild?.textContent?.trim() ?? id} — step ${app.step}`, pad, 20);
  let x = pad;
  for (const cv of canvases) {
    c.drawImage(cv, x, head);
    x += cv.width + pad;
  }
  out.toBlob((blob) => blob && download(blob, `si-${id.replace('panel-', '')}-step${app.step}.png`));
}

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---------------------------------------------------------------- start
let katexRender: ((tex: string, el: HTMLElement, opts: object) => void) | null = null;

/** Typesets the formulas; KaTeX loads as its own chunk after the page is up, a few formulas per task. */
async function typeset(): Promise<void> {
  const [{ default: katex }] = await Promise.all([import('katex'), import('katex/dist/katex.min.css')]);
  katexRender = katex.render;
  const all = Array.from(document.querySelectorAll<HTMLElement>('.tex'));
  for (let i = 0; i < all.length; i += 6) {
    all.slice(i, i + 6).forEach(renderTex);
    await new Promise((r) => setTimeout(r, 0));
  }
  document.body.dataset.typeset = '1';
}

/** Renders one .tex element now if KaTeX is loaded (else typeset() will). */
function renderTex(el: HTMLElement): void {
  if (!katexRender || el.dataset.tex) return;
  el.dataset.tex = el.textContent ?? '';
  katexRender(el.dataset.tex, el, { displayMode: el.classList.contains('display'), throwOnError: false });
}

const PATH_TEX: Record<string, string> = {
  linear: 'x_t = (1-t)\\,x_0 + t\\,x_1 + \\gamma(t)\\,z',
  trig: 'x_t = \\sqrt{1-\\gamma^2}\\big(\\cos\\tfrac{\\pi t}{2}\\,x_0 + \\sin\\tfrac{\\pi t}{2}\\,x_1\\big) + \\gamma(t)\\,z',
  'encoding-decoding': 'x_t = \\cos^2(\\pi t)\\big(1_{t\\le 1/2}\\,x_0 + 1_{t>1/2}\\,x_1\\big) + \\gamma(t)\\,z',
  'one-sided-linear': 'x_t = (1-t)\\,x_0 + t\\,x_1,\\quad x_0\\sim N(0,I)',
  'one-sided-trig': 'x_t = \\cos\\tfrac{\\pi t}{2}\\,x_0 + \\sin\\tfrac{\\pi t}{2}\\,x_1,\\quad x_0\\sim N(0,I)',
  mirror: 'x_t = x_1 + \\gamma(t)\\,x_0,\\quad x_0\\sim N(0,I)',
};
const GAMMA_TEX: Record<string, string> = {
  zero: '\\gamma(t) = 0',
  brownian: '\\gamma(t) = \\sqrt{t(1-t)}',
  'a-brownian': '\\gamma(t) = \\sqrt{a\\,t(1-t)}',
  bsquared: '\\gamma(t) = t(1-t)',
  sinesquared: '\\gamma(t) = \\sin^2(\\pi t)',
  sigmoid: '\\gamma(t) = S(f(t-\\tfrac12)+1) - S(f(t-\\tfrac12)-1) - S(1-\\tfrac f2) + S(-1-\\tfrac f2),\\ f = 10',
};

function showPath(itp: Record<string, unknown>, fields: string): void {
  const el = $('path-formula');
  el.innerHTML = '';
  const tex = (t: string) => {
    const span = document.createElement('span');
    span.className = 'tex display';
    span.textContent = t;
    el.append(span);
    renderTex(span);
  };
  tex(PATH_TEX[String(itp.path)] ?? String(itp.path));
  if (itp.path !== 'one-sided-linear' && itp.path !== 'one-sided-trig') {
    tex((GAMMA_TEX[String(itp.gamma)] ?? String(itp.gamma)) + (itp.gamma === 'a-brownian' ? `,\\ a = ${itp.gamma_a}` : ''));
  }
  const note = document.createElement('span');
  note.textContent = `learned fields: ${fields}`;
  el.append(note);
}

buildControls();
syncControls();
syncUrl();
parsed.problems.forEach((p) => showMessage(p, 'settings'));
renderAll();
void typeset();
document.addEventListener('keydown', (e) => {
  const tag = (e.target as HTMLElement).tagName;
  if (e.code === 'Space' && !['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(tag)) {
    e.preventDefault();
    send({ type: app.running ? 'pause' : 'play' });
  }
});
