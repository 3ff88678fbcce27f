// The Figures view: the paper's figures A-D (SPEC section 10) from the exact fields, no training. The
// worker computes each with si.figure(kind, options); this module builds the controls from
// settings.ts's FIGURE_SETTINGS and draws what comes back on canvases (rasters through ImageData, so
// thousands of paths stay cheap), one panel at a time between frames so the page stays responsive.
import type {DensityFigure, LikelihoodFigure, PathFigure, PathFigurePanel} from 'stochastic-interpolants';

import type {App} from './app';
import {$} from './dom';
import {colormap} from './plot2d';
import type {FigureKind, FigureSettingDef, FigureState} from './settings';
import {FIGURE_KINDS, FIGURE_SETTINGS, figureInvalid, figureOptions, figureSettingOf, parseFigureValue} from './settings';

export const FIGURE_INFO: Readonly < Record < FigureKind, {
  letter: string;
  title: string;
  notice: string
}
>> = {
  densities: {
    letter: 'A',
    title: 'Densities ρₜ of three interpolants',
    notice: 'The same two mixtures, three paths between them. With γ = 0 the intermediate densities keep sharp ' +
        'modes that split and merge; γ > 0 adds noise γ(t) z and smooths every intermediate ρₜ. The ' +
        'encoding-decoding path passes through pure noise N(0, γ²) at t = 1/2: it forgets ρ₀ and then decodes ρ₁.',
  },
  trajectories: {
    letter: 'B',
    title: 'Paths from one draw of ρ₀: ODE and SDEs',
    notice: 'Every row has the same marginals ρₜ (the heatmap): the ODE and the SDE with b + ε s share every ' +
        'marginal. The paths differ: the ODE never crosses, larger ε mixes more, and its pull ε s toward ' +
        'dense regions corrects drift. Move the ε slider: the paths change, the density does not.',
  },
  'linear-gamma': {
    letter: 'C',
    title: 'Linear interpolant: γ > 0 against γ = 0',
    notice: 'Histograms of the paths at five times over the exact ρₜ (red): the SDE and the ODE both match it. ' +
        'γ = sqrt(t(1-t)) smooths the path between the modes; with γ = 0 the ODE has to move mass as rigid ' +
        'clusters and ρₜ is multimodal all the way.',
  },
  'gmm-likelihood': {
    letter: 'D',
    title: '2-D mixture: samples coloured by log-likelihood',
    notice: 'Samples of the target, of the SDE and of the ODE, each coloured by its log-likelihood on one shared ' +
        'scale (0.9 × the lowest to 0.9 × the highest over the three): the exact log ρ₁, the SDE likelihood ' +
        'estimate and the ODE\'s exact-divergence likelihood. The same colours at the same places: both ' +
        'models recover ρ₁ and its density.',
  },
};

const HIGHLIGHT = ['#f97316', '#ef4444', '#ec4899'];
/**
 * Opacity of one faint path on a pixel: 0.15 for a thin line, less when there are thousands, so that the
 *  density under the bundles stays visible.
 */
const faint = (paths: number) => 0.15 * 0.25 * Math.min(1, 1500 / paths);

/** A canvas with a plot frame: world (x0..x1, y0..y1) in a box inside margins, CSS size w x h. */
class Frame {
  readonly canvas = document.createElement('canvas');
  readonly ctx: CanvasRenderingContext2D;
  readonly dpr = Math.min(2, window.devicePixelRatio || 1);
  readonly m = {l: 34, r: 8, t: 8, b: 24};
  constructor(
      readonly w: number, readonly h: number, public x0: number, public x1: number, public y0: number,
      public y1: number) {
    this.canvas.width = Math.round(w * this.dpr);
    this.canvas.height = Math.round(h * this.dpr);
    this.canvas.style.width = '100%';
    this.canvas.style.maxWidth = `${w}px`;
    this.ctx = this.canvas.getContext('2d', {willReadFrequently: true})!;
    this.ctx.scale(this.dpr, this.dpr);
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, w, h);
  }
  get pw(): number {
    return this.w - this.m.l - this.m.r;
  }
  get ph(): number {
    return this.h - this.m.t - this.m.b;
  }
  px(x: number): number {
    return this.m.l + ((x - this.x0) / (this.x1 - this.x0)) * this.pw;
  }
  py(y: number): number {
    return this.m.t + ((this.y1 - y) / (this.y1 - this.y0)) * this.ph;
  }
  axes(xlabel: string, ylabel: string, xticks = true): void {
    const c = this.ctx;
    c.strokeStyle = '#94a3b8';
    c.lineWidth = 1;
    c.strokeRect(this.m.l, this.m.t, this.pw, this.ph);
    c.fillStyle = '#475569';
    c.font = '10px sans-serif';
    c.textAlign = 'center';
    if (xticks)
      for (const x of ticks(this.x0, this.x1)) c.fillText(fmtTick(x), this.px(x), this.h - this.m.b + 12);
    c.fillText(xlabel, this.m.l + this.pw / 2, this.h - 2);
    c.textAlign = 'right';
    for (const y of ticks(this.y0, this.y1)) c.fillText(fmtTick(y), this.m.l - 3, this.py(y) + 3);
    if (ylabel) {
      c.save();
      c.translate(9, this.m.t + this.ph / 2);
      c.rotate(-Math.PI / 2);
      c.textAlign = 'center';
      c.fillText(ylabel, 0, 0);
      c.restore();
    }
    c.textAlign = 'left';
  }
  clip(): void {
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(this.m.l, this.m.t, this.pw, this.ph);
    this.ctx.clip();
  }
  line(xs: ArrayLike<number>, ys: ArrayLike<number>, colour: string, width = 1.6): void {
    const c = this.ctx;
    this.clip();
    c.strokeStyle = colour;
    c.lineWidth = width;
    c.lineJoin = 'round';
    c.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(ys[i])) {
        pen = false;
        continue;
      }
      const [X, Y] = [this.px(xs[i]), this.py(Math.min(ys[i], this.y1 * 1.01))];
      if (pen) {
        c.lineTo(X, Y);
      } else {
        c.moveTo(X, Y);
      }
      pen = true;
    }
    c.stroke();
    c.restore();
  }
  /** An RGB raster (0..1, row-major from the top-left) over the plot box. */
  raster(rgb: Float32Array, rw: number, rh: number): void {
    const img = new ImageData(rw, rh);
    for (let i = 0; i < rw * rh; i++) {
      img.data[4 * i] = rgb[3 * i] * 255;
      img.data[4 * i + 1] = rgb[3 * i + 1] * 255;
      img.data[4 * i + 2] = rgb[3 * i + 2] * 255;
      img.data[4 * i + 3] = 255;
    }
    this.ctx.putImageData(img, Math.round(this.m.l * this.dpr), Math.round(this.m.t * this.dpr));
  }
  title(text: string): void {
    this.ctx.fillStyle = '#0f172a';
    this.ctx.font = '11px sans-serif';
    this.ctx.fillText(text, this.m.l + 4, this.m.t + 12);
  }
}

function ticks(a: number, b: number): number[] {
  const span = b - a;
  const raw = span / 4;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => span / s <= 5) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(a / step) * step; v <= b + 1e-9 * span; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}
const fmtTick = (v: number) => String(Number(v.toPrecision(3)));

/** rho_t(x) as the heatmap of a (t, x) plane: t left to right, x bottom to top; viridis of sqrt(rho / vmax). */
function heatRaster(f: Frame, heat: Float64Array, nt: number, nx: number, vmax: number): Float32Array {
  const rw = Math.round(f.pw * f.dpr);
  const rh = Math.round(f.ph * f.dpr);
  const rgb = new Float32Array(rw * rh * 3);
  for (let i = 0; i < rw; i++) {
    const k = Math.round((i / (rw - 1)) * (nt - 1));
    for (let j = 0; j < rh; j++) {
      const c = Math.round((1 - j / (rh - 1)) * (nx - 1));
      const v = heat[k * nx + c];
      const col = Number.isFinite(v) ? colormap(Math.sqrt(Math.max(0, v / vmax))) : [229, 231, 235];
      const o = 3 * (j * rw + i);
      rgb[o] = col[0] / 255;
      rgb[o + 1] = col[1] / 255;
      rgb[o + 2] = col[2] / 255;
    }
  }
  return rgb;
}

function finiteMax(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && a[i] > m) m = a[i];
  }
  return m || 1;
}

/**
 * Paths over the heatmap: each faint path blends the pixels it crosses towards white once. As steps
 * (the heatmap, then the paths a few hundred at a time, then the highlighted ones) so that no task is long.
 */
function pathsPanel(f: Frame, p: PathFigurePanel, nx: number, nt: number, vmax: number): (() => void)[] {
  const rw = Math.round(f.pw * f.dpr);
  const rh = Math.round(f.ph * f.dpr);
  const K = p.times.length;
  const sx = (rw - 1) / (f.x1 - f.x0);
  const sy = (rh - 1) / (f.y1 - f.y0);
  let rgb: Float32Array = new Float32Array(0);
  const mark = new Int32Array(rw * rh).fill(-1);
  const alpha = faint(p.nPaths);
  const blend = (from: number, to: number) => {
    for (let j = from; j < to; j++) {
      for (let k = 0; k + 1 < K; k++) {
        const xa = (p.times[k] - f.x0) * sx, ya = (f.y1 - p.paths[j * K + k]) * sy;
        const xb = (p.times[k + 1] - f.x0) * sx, yb = (f.y1 - p.paths[j * K + k + 1]) * sy;
        const n = Math.max(1, Math.ceil(Math.max(Math.abs(xb - xa), Math.abs(yb - ya))));
        for (let s = 0; s <= n; s++) {
          const i = Math.round(xa + ((xb - xa) * s) / n), r = Math.round(ya + ((yb - ya) * s) / n);
          if (i < 0 || r < 0 || i >= rw || r >= rh || mark[r * rw + i] === j) continue;
          mark[r * rw + i] = j;
          const o = 3 * (r * rw + i);
          for (let c = 0; c < 3; c++) rgb[o + c] += alpha * (1 - rgb[o + c]);
        }
      }
    }
  };
  const steps = [() => {
    rgb = heatRaster(f, p.heat, nt, nx, vmax);
  }];
  const chunk = Math.max(1, Math.floor(100000 / K));
  for (let j = 0; j < p.nPaths; j += chunk) steps.push(() => blend(j, Math.min(p.nPaths, j + chunk)));
  steps.push(() => {
    f.raster(rgb, rw, rh);
    // Highlighted: the paths starting nearest three quantiles of the start draw, so they differ.
    const order = Array.from({length: p.nPaths}, (_, j) => j).sort((a, b) => p.paths[a * K] - p.paths[b * K]);
    HIGHLIGHT.forEach((colour, h) => {
      const j = order[Math.min(order.length - 1, Math.floor(((h + 0.5) / HIGHLIGHT.length) * order.length))];
      f.line(p.times, p.paths.subarray(j * K, (j + 1) * K), colour, 1.5);
    });
    f.axes('t', 'x');
  });
  return steps;
}

/** A cell of the figure: a canvas and its caption. */
function cell(parent: HTMLElement, f: Frame, caption: string): void {
  const fig = document.createElement('figure');
  fig.style.flex = `0 1 ${f.w}px`;
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  f.canvas.setAttribute('role', 'img');
  f.canvas.setAttribute('aria-label', caption);
  fig.append(f.canvas, cap);
  parent.append(fig);
}

function rowBox(parent: HTMLElement, heading: string): HTMLElement {
  const row = document.createElement('div');
  row.className = 'fig-row';
  const h = document.createElement('h3');
  h.textContent = heading;
  const body = document.createElement('div');
  body.className = 'fig-cells';
  row.append(h, body);
  parent.append(row);
  return body;
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

export class FiguresView {
  /** The last figure drawn (tests and the CSV export read it). */
  last?: {kind: FigureKind; result: unknown; ms: number};
  version = 0;
  /** The settings of the figure on screen (a refused value goes back to these) and its options. */
  private good?: FigureState;
  private goodOptions?: Record<string, unknown>;
  /** The canvas of each path panel on screen, by its data (kept rows are copied from these). */
  private panelCanvas = new Map<PathFigurePanel, HTMLCanvasElement>();
  /** The request in flight: its full options and, for figure B, which rows come from the figure on screen. */
  private asked?: {state: FigureState; options: Record<string, unknown>; reuse?: number[]};
  private id = 0;
  private drawing = 0;
  private readonly box = $('fig-canvas');

  constructor(private readonly app: App) {
    const tabs = $('fig-tabs');
    for (const k of FIGURE_KINDS) {
      const b = document.createElement('button');
      b.dataset.fig = k;
      b.textContent = `${FIGURE_INFO[k].letter}: ${k}`;
      b.onclick = () => app.setFigure(k);
      tabs.append(b);
    }
    $('btn-fig-png').onclick = () =>
        app.files.figurePng(this.box, $('fig-title').textContent ?? '', `si-figure-${app.figure.kind}.png`);
    $('btn-fig-csv').onclick = () => app.files.saveText(this.csv(), `si-figure-${app.figure.kind}.csv`);
  }

  /** Controls and texts of the current figure. */
  build(f: FigureState): void {
    const info = FIGURE_INFO[f.kind];
    for (const b of Array.from($('fig-tabs').children) as HTMLElement[]) {
      b.classList.toggle('active', b.dataset.fig === f.kind);
    }
    $('fig-title').textContent = `Figure ${info.letter}: ${info.title}`;
    document.title = `Figure ${info.letter}: ${info.title} — stochastic interpolants`;
    $('fig-notice').textContent = info.notice;
    // Sliders beside what to notice (above the figure on a phone), the other values below them.
    $('fig-live').replaceChildren();
    $('fig-controls').replaceChildren();
    for (const d of FIGURE_SETTINGS[f.kind]) $(d.slider ? 'fig-live' : 'fig-controls').append(this.control(d, f));
  }

  sync(f: FigureState): void {
    for (const d of FIGURE_SETTINGS[f.kind]) {
      const el = document.getElementById(`fig-${d.key}`) as HTMLInputElement | null;
      if (el && document.activeElement !== el) el.value = String(f.values[d.key]);
      const out = document.getElementById(`fig-${d.key}-value`);
      if (out) out.textContent = String(f.values[d.key]);
    }
  }

  private control(d: FigureSettingDef, f: FigureState): HTMLElement {
    const label = document.createElement('label');
    label.className = `fig-control${d.kind === 'text' ? ' wide' : ''}${d.slider ? ' slider' : ''}`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = d.label;
    label.append(name);
    const input = document.createElement('input');
    input.id = `fig-${d.key}`;
    input.dataset.key = d.key;
    input.value = String(f.values[d.key]);
    if (d.help) input.title = d.help;
    if (d.slider) {
      input.type = 'range';
      input.min = String(d.min ?? 0);
      input.max = String(d.max ?? 1);
      input.step = String(d.step ?? 0.01);
      const out = document.createElement('span');
      out.id = `fig-${d.key}-value`;
      out.textContent = input.value;
      input.oninput = () => this.app.updateFigure(d.key, Number(input.value), input.value);
      label.append(input, out);
    } else {
      input.type = 'text';
      input.inputMode = d.kind === 'text' ? 'text' : 'decimal';
      input.onchange = () => this.app.updateFigure(d.key, parseFigureValue(d, input.value), input.value);
      label.append(input);
    }
    return label;
  }

  /** Sends the figure to the worker, unless a value is out of bounds (then a message names it). */
  compute(f: FigureState): void {
    const problems = FIGURE_SETTINGS[f.kind].flatMap((d) => {
      const why = figureInvalid(d, f.values[d.key], this.app.catalog);
      return why ? [`${d.label}: "${f.values[d.key]}" ${why}`] : [];
    });
    this.app.messages.clear(['figure']);
    if (problems.length) {
      problems.forEach((p) => this.app.messages.show(p, 'figure'));
      return;
    }
    let options: Record<string, unknown>;
    try {
      options = figureOptions(f, this.app.catalog.names.gamma ?? []);
    } catch (e) {
      this.app.messages.show(String((e as Error).message), 'figure');
      return;
    }
    // Figure B's rows do not depend on each other (the library's seeding): when only noise levels changed,
    // only their rows are computed (the eps slider moves one row) and the others are kept.
    this.asked = {state: {kind: f.kind, values: {...f.values}}, options};
    let sent = options;
    const prev = this.goodOptions;
    if (f.kind === 'trajectories' && this.last?.kind === 'trajectories' && prev) {
      const {eps, ...rest} = options as {eps: number[]};
      const {eps: prevEps, ...prevRest} = prev as {eps: number[]};
      if (JSON.stringify(rest) === JSON.stringify(prevRest)) {
        const reuse = eps.map((e) => prevEps.indexOf(e));
        const ask = eps.filter((_, r) => reuse[r] < 0);
        if (ask.length < eps.length) {
          this.asked.reuse = reuse;
          sent = {...rest, eps: ask.length ? ask : [eps[0]]};
        }
      }
    }
    $('fig-status').textContent = 'computing in the worker…';
    this.app.send({type: 'figure', id: ++this.id, kind: f.kind, options: sent});
  }

  /** Figure B from the rows just computed and those kept from the figure on screen. */
  private merged(fresh: PathFigure, reuse: number[]): PathFigure {
    const old = this.last!.result as PathFigure;
    const cols = old.cols;
    const panels: PathFigurePanel[] = [];
    const rowLabels: string[] = [];
    let k = 0;
    for (const r of reuse) {
      const [from, row] = r >= 0 ? [old, r] : [fresh, k++];
      panels.push(...from.panels.slice(row * cols, (row + 1) * cols));
      rowLabels.push(from.rowLabels[row]);
    }
    return {...fresh, rows: reuse.length, rowLabels, panels};
  }

  onResult(m: {id: number; kind: FigureKind; result?: unknown; error?: string; ms: number}): void {
    if (m.id !== this.id) return;  // a newer request is on its way
    $('fig-status').textContent = '';
    if (m.error !== undefined) {
      this.app.messages.show(this.refused(m.kind, m.error), 'figure');
      return;
    }
    const reuse = this.asked?.reuse;
    const result = reuse ? this.merged(m.result as PathFigure, reuse) : m.result;
    this.good = this.asked?.state;
    this.goodOptions = this.asked?.options;
    this.last = {kind: m.kind, result, ms: m.ms};
    void this.draw(m.kind, result, m.ms);
  }

  /**
   * The library's message with the on-screen label of the option it names; the setting goes back to the
   * value of the figure on screen (a bad value changes nothing), which the message says.
   */
  private refused(kind: FigureKind, message: string): string {
    const option = message.split(':')[0];
    const d = figureSettingOf(kind, option);
    if (!d) return message;
    const text = `${d.label}: ${message.slice(option.length + 1).trim()} (${option})`;
    if (this.good?.kind !== kind || this.good.values[d.key] === this.app.figure.values[d.key]) return text;
    this.app.restoreFigure(this.good);
    return `${text}; kept "${this.good.values[d.key]}"`;
  }

  private async draw(kind: FigureKind, result: unknown, ms: number): Promise<void> {
    const token = ++this.drawing;
    const box = document.createElement('div');
    box.className = `fig-${kind}`;
    const steps = kind === 'densities' ? this.densities(box, result as DensityFigure) :
        kind === 'gmm-likelihood'      ? this.likelihood(box, result as LikelihoodFigure) :
                                         this.paths(box, result as PathFigure, kind === 'linear-gamma');
    // Drawn off the page and shown whole, so the figure on screen stays until its successor is ready.
    $('fig-status').textContent = 'drawing…';
    for (const step of steps) {
      const t0 = performance.now();
      step();
      // (The tests read how long each drawing step took: none may block the page.)
      performance.measure('si:figure-step', {start: t0});
      await nextFrame();
      if (token !== this.drawing) return;
    }
    this.box.replaceChildren(box);
    this.version++;
    document.body.dataset.figure = kind;
    document.body.dataset.figureVersion = String(this.version);
    $('fig-status').textContent = `computed in ${Math.round(ms)} ms in the worker, from the exact fields`;
  }

  /** A panel's CSS width for `cols` panels a row (`phoneCols` on a narrow screen), at most `max`. */
  private panelWidth(cols: number, max: number, phoneCols = cols): number {
    const w = this.box.clientWidth || 900;
    const n = w < 600 ? phoneCols : cols;
    return Math.max(140, Math.min(max, Math.floor((w - 12 * (n - 1)) / n) - 2));
  }

  private densities(box: HTMLElement, d: DensityFigure): (() => void)[] {
    const nx = d.x.length;
    const nt = d.times.length;
    const x0 = d.x[0], x1 = d.x[nx - 1];
    const w = this.panelWidth(4, 230, 2);
    const curve = (parent: HTMLElement, row: number, k: number, caption: string) => {
      const f = new Frame(w, Math.round(w * 0.62), x0, x1, 0, 1);
      f.axes('x', k === 0 ? 'ρ' : '');
      f.line(d.x, d.rows[row].curves.subarray(k * nx, (k + 1) * nx), '#2563eb');
      cell(parent, f, caption);
    };
    const vmax = Math.max(...d.rows.map((r) => finiteMax(r.heat)));
    const steps: (() => void)[] = [];
    const ends = nt >= 2 && d.times[0] === 0 && d.times[nt - 1] === 1;
    if (ends) {
      const top = rowBox(box, 'the two ends, the same for every row');
      steps.push(() => {
        curve(top, 0, 0, 'ρ₀ (t = 0)');
        curve(top, 0, nt - 1, 'ρ₁ (t = 1)');
      });
    }
    d.rows.forEach((r, i) => {
      const body = rowBox(box, r.label);
      steps.push(() => {
        for (let k = 0; k < nt; k++) {
          if (ends && (k === 0 || k === nt - 1)) continue;
          curve(body, i, k, `t = ${d.times[k]}`);
        }
        const f = new Frame(w, Math.round(w * 0.62), 0, 1, x0, x1);
        f.raster(heatRaster(f, r.heat, d.heatT.length, nx, vmax), Math.round(f.pw * f.dpr), Math.round(f.ph * f.dpr));
        f.axes('t', 'x');
        cell(body, f, 'ρₜ(x) over (t, x)');
      });
    });
    return steps;
  }

  private paths(box: HTMLElement, p: PathFigure, withHistograms: boolean): (() => void)[] {
    const nx = p.x.length;
    const x0 = p.x[0], x1 = p.x[nx - 1];
    const vmax = Math.max(...p.panels.map((q) => finiteMax(q.heat)));
    const steps: (() => void)[] = [];
    const panelCanvas = new Map<PathFigurePanel, HTMLCanvasElement>();
    // Figure C: a row is the paths and five histograms (on a phone: the paths, then histograms two a row).
    const width = this.box.clientWidth || 900;
    const w = !withHistograms ? this.panelWidth(p.cols, 380, 1) : width < 600 ? width - 2 : Math.min(320, 0.3 * width);
    const hw = width < 600 ? this.panelWidth(2, 200) : Math.max(120, Math.floor((width - w - 5 * 12) / 5) - 2);
    for (let r = 0; r < p.rows; r++) {
      const body =
          rowBox(box, `${p.rowLabels[r]} · ${p.panels[r * p.cols].nPaths} paths, ${p.panels[r * p.cols].sampler}`);
      for (let c = 0; c < p.cols; c++) {
        const q = p.panels[r * p.cols + c];
        const f = new Frame(w, Math.round(w * (withHistograms ? 0.62 : 0.56)), 0, 1, x0, x1);
        cell(body, f, withHistograms ? 'paths x(t) over ρₜ(x)' : p.colLabels[c]);
        // A panel kept from the figure on screen (figure B's rows whose eps did not move) is copied, not redrawn.
        const kept = this.panelCanvas.get(q);
        if (kept && kept.width === f.canvas.width && kept.height === f.canvas.height) {
          f.ctx.setTransform(1, 0, 0, 1, 0, 0);
          f.ctx.drawImage(kept, 0, 0);
        } else {
          steps.push(...pathsPanel(f, q, nx, p.heatT.length, vmax));
        }
        panelCanvas.set(q, f.canvas);
        if (!withHistograms) continue;
        steps.push(() => {
          let ymax = 0;
          for (const m of q.marginals) ymax = Math.max(ymax, finiteMax(m.density), finiteMax(m.exact));
          for (const m of q.marginals) {
            const h = new Frame(hw, Math.round(hw * 0.8), x0, x1, 0, 1.1 * ymax);
            h.clip();
            h.ctx.fillStyle = '#93c5fd';
            for (let b = 0; b < m.density.length; b++) {
              const top = h.py(m.density[b]);
              h.ctx.fillRect(h.px(m.edges[b]), top, h.px(m.edges[b + 1]) - h.px(m.edges[b]), h.py(0) - top);
            }
            h.ctx.restore();
            const centres = Array.from(m.density, (_, b) => (m.edges[b] + m.edges[b + 1]) / 2);
            h.line(centres, m.exact, '#dc2626');
            h.axes('x', '');
            const ks = Number.isNaN(m.pValue) ? '' : `, KS p = ${m.pValue.toPrecision(2)}`;
            cell(body, h, `t = ${Number(m.t.toFixed(3))}${ks}`);
          }
        });
      }
    }
    steps.push(() => {
      this.panelCanvas = panelCanvas;
    });
    return steps;
  }

  private likelihood(box: HTMLElement, d: LikelihoodFigure): (() => void)[] {
    const dim = d.dim;
    const t = d.panels[0].points;
    const n = t.length / dim;
    const q = (c: number, a: number) => {
      const v = Array.from({length: n}, (_, i) => (c < dim ? t[i * dim + c] : 0)).sort((x, y) => x - y);
      return v[Math.floor(a * (n - 1))];
    };
    const [ax, bx, ay, by] = [q(0, 0.0025), q(0, 0.9975), q(1, 0.0025), q(1, 0.9975)];
    const half = 1.08 * Math.max((bx - ax) / 2, (by - ay) / 2, 1e-6);
    const cx = (ax + bx) / 2, cy = (ay + by) / 2;
    // Three square panels and the colour bar (90 px) a row; on a phone one panel a row.
    const width = this.box.clientWidth || 900;
    const side = width < 600 ? width - 2 : Math.max(140, Math.min(380, Math.floor((width - 90 - 3 * 12) / 3) - 2));
    const body = rowBox(
        box, `one colour scale for the three panels: log-likelihood from ${d.lo.toFixed(2)} to ${d.hi.toFixed(2)}`);
    const steps = d.panels.map((p) => () => {
      const f = new Frame(side, side, cx - half, cx + half, cy - half, cy + half);
      const c = f.ctx;
      const order = Array.from(p.logp, (_, i) => i).sort((a, b) => p.logp[a] - p.logp[b]);
      f.clip();
      for (const i of order) {
        const [r, g, b] = colormap((p.logp[i] - d.lo) / (d.hi - d.lo || 1));
        c.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
        c.fillRect(f.px(p.points[i * dim]) - 1, f.py(dim > 1 ? p.points[i * dim + 1] : 0) - 1, 2, 2);
      }
      c.restore();
      f.axes('x₁', 'x₂');
      cell(body, f, p.label);
    });
    steps.push(() => {
      const f = new Frame(90, Math.min(side, 320), 0, 1, d.lo, d.hi);
      f.m.l = 40;
      f.m.r = 30;
      for (let j = 0; j < f.ph; j++) {
        const [r, g, b] = colormap(1 - j / f.ph);
        f.ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
        f.ctx.fillRect(f.m.l, f.m.t + j, f.pw, 1.5);
      }
      f.axes('', 'log-likelihood', false);
      cell(body, f, 'colour bar');
    });
    return steps;
  }

  /** The figure's numbers as CSV (what `si figure <kind> --csv` writes, the paths capped at 100 a panel). */
  csv(): string {
    const l = this.last;
    if (!l) return '';
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const lines: string[] = [];
    if (l.kind === 'densities') {
      const d = l.result as DensityFigure;
      const nx = d.x.length;
      lines.push('kind,interpolant,t,x,density');
      for (const r of d.rows) {
        d.times.forEach(
            (t, k) => d.x.forEach((x, j) => lines.push(`curve,${q(r.label)},${t},${x},${r.curves[k * nx + j]}`)));
        d.heatT.forEach(
            (t, k) => d.x.forEach((x, j) => lines.push(`heat,${q(r.label)},${t},${x},${r.heat[k * nx + j]}`)));
      }
    } else if (l.kind === 'gmm-likelihood') {
      const d = l.result as LikelihoodFigure;
      lines.push('panel,x1,x2,logp,std_error,exact');
      for (const p of d.panels) {
        for (let i = 0; i < p.logp.length; i++) {
          lines.push(`${q(p.label)},${p.points[i * d.dim]},${d.dim > 1 ? p.points[i * d.dim + 1] : 0},${p.logp[i]},${
              p.stdError[i]},${p.exact[i]}`);
        }
      }
    } else {
      const d = l.result as PathFigure;
      lines.push('eps,interpolant,path,t,x');
      for (const p of d.panels) {
        const K = p.times.length;
        for (let j = 0; j < Math.min(100, p.nPaths); j++) {
          for (let k = 0; k < K; k++) lines.push(`${p.eps},${q(p.label)},${j},${p.times[k]},${p.paths[j * K + k]}`);
        }
      }
      if (l.kind === 'linear-gamma') {
        lines.push('', 'row,eps,interpolant,t,bin_lo,bin_hi,density,exact,ks,p_value');
        d.panels.forEach(
            (p, r) => p.marginals.forEach(
                (m) => m.density.forEach(
                    (v, b) => lines.push(`${r},${p.eps},${q(p.label)},${m.t},${m.edges[b]},${m.edges[b + 1]},${v},${
                        m.exact[b]},${m.ks},${m.pValue}`))));
      }
    }
    return lines.join('\n') + '\n';
  }
}
