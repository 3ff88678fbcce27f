// Line charts (uPlot) fed incrementally: x is the training step, each series a named curve.
import 'uplot/dist/uPlot.min.css';

import uPlot from 'uplot';

export interface SeriesSpec {
  label: string;
  color: string;
  scale?: string;
  dash?: number[];
}

const MAX_POINTS = 3000;

/** One curve: a line with gaps where values are missing, its legend value formatted by fmt(). */
function line(s: SeriesSpec): uPlot.Series {
  const value = (_u: uPlot, v: number|null) => (v == null ? '–' : fmt(v));
  return {label: s.label, stroke: s.color, width: 1.5, scale: s.scale ?? 'y', dash: s.dash, spanGaps: true, value};
}

export class LineChart {
  private plot: uPlot|null = null;
  private x: number[] = [];
  private ys: (number|null)[][] = [];
  private dirty = false;
  private specs: SeriesSpec[] = [];

  constructor(
      private readonly el: HTMLElement,
      private readonly opts: {
        title?: string;
        width?: number;
        height?: number;
        scales?: Record<string, uPlot.Scale>;
        axes?: uPlot.Axis[];
        xLabel?: string;
        perRow?: number
      },
  ) {}

  /** The width: opts.width, or a share of the parent row (perRow charts side by side, 220-360 px). */
  private width(): number {
    const row = this.el.parentElement;
    if (!this.opts.perRow || !row || row.clientWidth === 0) return this.opts.width ?? 330;
    const gap = 12;
    // A narrow screen (a phone) shows one chart per row, as wide as the row.
    if (row.clientWidth < 600) return Math.min(360, row.clientWidth - 2);
    const w = Math.floor((row.clientWidth - gap * (this.opts.perRow - 1)) / this.opts.perRow) - 2;
    return Math.max(220, Math.min(360, w));
  }

  /** Follows the page's width (the owner calls it when the window is resized). */
  fit(): void {
    if (!this.plot) return;
    const w = this.width();
    if (w !== this.plot.width) this.plot.setSize({width: w, height: this.opts.height ?? 200});
  }

  /** Starts over with these series (e.g. after a restart with other fields). */
  reset(specs: SeriesSpec[], axes?: uPlot.Axis[]): void {
    this.specs = specs;
    this.x = [];
    this.ys = specs.map(() => []);
    this.plot?.destroy();
    const series: uPlot.Series[] = [{label: this.opts.xLabel ?? 'step'}, ...specs.map(line)];
    this.plot = new uPlot(
        {
          title: this.opts.title,
          width: this.width(),
          height: this.opts.height ?? 200,
          series,
          scales: {x: {time: false}, ...(this.opts.scales ?? {})},
          axes: axes ?? this.opts.axes ?? [{}, {size: 56}],
          legend: {live: false},
          cursor: {drag: {x: false, y: false}},
        },
        [[], ...specs.map(() => [])] as unknown as uPlot.AlignedData,
        this.el,
    );
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
      this.dirty = true;
      requestAnimationFrame(() => this.draw());
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
    this.plot?.setData([this.x, ...this.ys] as unknown as uPlot.AlignedData);
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
