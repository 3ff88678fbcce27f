// Line charts (uPlot) fed incrementally: x is the training step, each series a named curve. Every chart
// has labelled axes and its own legend under it, whose swatches are drawn like the marks (the series'
// colour, solid or dashed line) and which shows each series' latest value; the canvas's aria-label says
// the same in words.
import 'uplot/dist/uPlot.min.css';

import uPlot from 'uplot';

export interface SeriesSpec {
  label: string;
  color: string;
  scale?: string;
  dash?: number[];
  /** Which y axis the series is read on, for the legend (charts with two y axes). */
  axis?: string;
}

const MAX_POINTS = 3000;
const DRAW_EVERY_MS = 250;
const SVG = 'http://www.w3.org/2000/svg';

/** One curve: a line with gaps where values are missing. */
function line(s: SeriesSpec): uPlot.Series {
  return {label: s.label, stroke: s.color, width: 1.5, scale: s.scale ?? 'y', dash: s.dash, spanGaps: true};
}

/** A legend swatch: a short line in the series' colour and dash, as the chart draws it. */
function swatch(s: SeriesSpec): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '10');
  svg.setAttribute('aria-hidden', 'true');
  const l = document.createElementNS(SVG, 'line');
  for (const [k, v] of [['x1', '1'], ['y1', '5'], ['x2', '23'], ['y2', '5'], ['stroke-width', '2']])
    l.setAttribute(k, v);
  l.setAttribute('stroke', s.color);
  if (s.dash?.length) l.setAttribute('stroke-dasharray', s.dash.join(' '));
  svg.append(l);
  return svg;
}

export class LineChart {
  private plot: uPlot|null = null;
  private x: number[] = [];
  private ys: (number|null)[][] = [];
  private dirty = false;
  private lastDraw = -Infinity;
  private specs: SeriesSpec[] = [];
  private legend: HTMLElement|null = null;
  private values: HTMLElement[] = [];

  constructor(
      private readonly el: HTMLElement,
      private readonly opts: {
        title: string;
        /** The axes' labels: x (default "training step") and the left y axis. */
        xLabel?: string; yLabel: string;
        width?: number;
        height?: number;
        scales?: Record<string, uPlot.Scale>;
        perRow?: number;
        /** Curves of a variable (not of training): the legend shows no latest value, the text the ends. */
        curves?: boolean
      },
  ) {}

  /**
   * The width: opts.width, or a share of the parent row (up to perRow charts side by side, as many as
   * fit at 220 px or more; a narrow screen gets one chart per line, as wide as the line, up to 360 px).
   */
  private width(): number {
    const row = this.el.parentElement;
    if (!this.opts.perRow || !row || row.clientWidth === 0) return this.opts.width ?? 330;
    const gap = 12;
    const n = Math.max(1, Math.min(this.opts.perRow, Math.floor((row.clientWidth + gap) / (220 + gap))));
    const w = Math.floor((row.clientWidth - gap * (n - 1)) / n) - 2;
    return Math.max(220, Math.min(360, w));
  }

  /** Follows the page's width (the owner calls it when the window is resized). */
  fit(): void {
    if (!this.plot) return;
    const w = this.width();
    if (w !== this.plot.width) this.plot.setSize({width: w, height: this.opts.height ?? 200});
    if (this.legend) this.legend.style.width = `${w - 8}px`;
  }

  /**
   * Starts over with these series (e.g. after a restart with other fields); extra: more y axes; yLabel:
   * the left axis's label from now on.
   */
  reset(specs: SeriesSpec[], extra: uPlot.Axis[] = [], yLabel = this.opts.yLabel): void {
    this.opts.yLabel = yLabel;
    this.specs = specs;
    this.x = [];
    this.ys = specs.map(() => []);
    this.plot?.destroy();
    this.legend?.remove();
    const xLabel = this.opts.xLabel ?? 'training step';
    const series: uPlot.Series[] = [{label: xLabel}, ...specs.map(line)];
    this.plot = new uPlot(
        {
          title: this.opts.title,
          width: this.width(),
          height: this.opts.height ?? 200,
          series,
          scales: {x: {time: false}, ...(this.opts.scales ?? {})},
          axes: [{label: xLabel, labelSize: 18}, {label: this.opts.yLabel, labelSize: 18, size: 50}, ...extra],
          legend: {show: false},
          cursor: {drag: {x: false, y: false}},
        },
        [[], ...specs.map(() => [])] as unknown as uPlot.AlignedData,
        this.el,
    );
    this.legend = document.createElement('div');
    this.legend.className = 'chart-legend';
    // As wide as the chart (long entries wrap instead of widening the chart's box).
    this.legend.style.width = `${this.plot.width - 8}px`;
    this.legend.setAttribute('aria-label', `legend of ${this.opts.title}`);
    this.values = specs.map((s) => {
      const entry = document.createElement('span');
      entry.className = 'entry';
      entry.dataset.label = s.label;
      entry.dataset.color = s.color;
      entry.dataset.dash = s.dash?.length ? 'dashed' : 'solid';
      const name = document.createElement('span');
      name.textContent = s.axis ? `${s.label} (${s.axis})` : s.label;
      const value = document.createElement('b');
      value.textContent = this.opts.curves ? '' : '–';
      entry.append(swatch(s), name, ' ', value);
      this.legend!.append(entry);
      return value;
    });
    this.el.append(this.legend);
    const cv = this.canvas;
    if (cv) cv.setAttribute('role', 'img');
    this.describe();
    this.dirty = false;
  }

  get seriesLabels(): string[] {
    return this.specs.map((s) => s.label);
  }

  /** Adds one x with values per series (missing ones as gaps). Redraws at most once per frame. */
  push(x: number, values: Record<string, number|undefined>): void {
    if (!this.plot) return;
    if (this.x.length && x < this.x[this.x.length - 1]) return;
    this.x.push(x);
    this.specs.forEach((s, i) => {
      const v = values[s.label];
      this.ys[i].push(v === undefined || !Number.isFinite(v) ? null : v);
    });
    if (this.x.length > MAX_POINTS) this.decimate();
    if (!this.dirty) {
      // At most one redraw per DRAW_EVERY_MS: a training run pushes a point per chunk of steps (~25 a
      // second), and redrawing each one takes main-thread time that the training threads want on a
      // machine with few cores.
      this.dirty = true;
      const wait = Math.max(0, this.lastDraw + DRAW_EVERY_MS - performance.now());
      setTimeout(() => requestAnimationFrame(() => this.draw()), wait);
    }
  }

  /** Replaces the whole data set (e.g. fixed curves of t). */
  set(x: ArrayLike<number>, ys: ArrayLike<number>[]): void {
    this.x = Array.from(x);
    this.ys = ys.map((y) => Array.from(y));
    this.draw();
  }

  private decimate(): void {
    const keep = (_: unknown, i: number) => i % 2 === 0 || i === this.x.length - 1;
    this.x = this.x.filter(keep);
    this.ys = this.ys.map((y) => y.filter(keep));
  }

  private draw(): void {
    this.dirty = false;
    this.lastDraw = performance.now();
    this.plot?.setData([this.x, ...this.ys] as unknown as uPlot.AlignedData);
    this.describe();
  }

  /** The legend's values and the canvas's text: each series' last value (and at which x). */
  private describe(): void {
    const parts: string[] = [];
    const xName = this.opts.xLabel ?? 'training step';
    this.specs.forEach((s, i) => {
      const y = this.ys[i] ?? [];
      let k = y.length - 1;
      while (k >= 0 && y[k] == null) k--;
      const text = k < 0 ? '–' : fmt(y[k]!);
      const xk = k < 0 ? '' : Number.isInteger(this.x[k]) ? String(this.x[k]) : fmt(this.x[k]);
      if (this.opts.curves) {
        parts.push(k < 0 ? `${s.label}: none` : `${s.label} from ${fmt(y[0] ?? NaN)} to ${text} at ${xName} ${xk}`);
        return;
      }
      if (this.values[i] && this.values[i].textContent !== text) this.values[i].textContent = text;
      parts.push(k < 0 ? `${s.label}: no value yet` : `${s.label} ${text} at ${xName} ${xk}`);
    });
    this.canvas?.setAttribute(
        'aria-label', `${this.opts.title}: ${this.opts.yLabel} against ${xName}; ${parts.join('; ')}`);
  }

  get canvas(): HTMLCanvasElement|null {
    return this.plot ? (this.plot.root.querySelector('canvas') as HTMLCanvasElement) : null;
  }
}

export function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a < 1 ? 4 : a < 100 ? 3 : 1);
}
