// A square canvas showing the plane [-ext, ext]^2. Dense things (thousands of points, heatmaps) go
// through ImageData; only axes and arrows use path drawing.
import type {Grid} from './protocol';

import {PALETTE, type RGB} from './palette';

export type{RGB};

/** The plots' colours: the page's palette (palette.ts), by what a plot shows. */
export const COLORS = {
  target: PALETTE.truth,
  base: PALETTE.truth,
  ode: PALETTE.ode,
  sde: PALETTE.sde,
  xt: PALETTE.truth,
  drawBase: PALETTE.base,
  drawTarget: PALETTE.target,
};

// Perceptually ordered colormap (viridis key colours), linearly interpolated.
const VIRIDIS: RGB[] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
export function colormap(u: number): RGB {
  const x = Math.max(0, Math.min(1, u)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

export class Plot2D {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  ext = 5;
  private readonly px: number;

  /** cssSize: the largest size it is shown at (CSS lets it shrink on narrow screens, square). */
  constructor(canvas: HTMLCanvasElement, cssSize = 240) {
    this.canvas = canvas;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    this.px = Math.round(cssSize * dpr);
    canvas.width = this.px;
    canvas.height = this.px;
    canvas.style.maxWidth = `${cssSize}px`;
    this.ctx = canvas.getContext('2d', {willReadFrequently: true})!;
  }

  toPx(x: number, y: number): [number, number] {
    return [((x + this.ext) / (2 * this.ext)) * this.px, ((this.ext - y) / (2 * this.ext)) * this.px];
  }

  toWorld(cx: number, cy: number): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    const u = (cx - r.left) / r.width;
    const v = (cy - r.top) / r.height;
    return [-this.ext + 2 * this.ext * u, this.ext - 2 * this.ext * v];
  }

  clear(): void {
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, this.px, this.px);
  }

  /** Light grid lines at the integers (every 2 when wide) and the axes. */
  axes(): void {
    const c = this.ctx;
    const stepW = this.ext > 6 ? Math.ceil(this.ext / 4) : this.ext > 3 ? 2 : 1;
    c.lineWidth = 1;
    for (let v = -Math.floor(this.ext / stepW) * stepW; v <= this.ext; v += stepW) {
      c.strokeStyle = v === 0 ? 'rgba(0,0,0,0.35)' : 'rgba(0,0,0,0.08)';
      const [x] = this.toPx(v, 0);
      const [, y] = this.toPx(0, v);
      c.beginPath();
      c.moveTo(x, 0);
      c.lineTo(x, this.px);
      c.moveTo(0, y);
      c.lineTo(this.px, y);
      c.stroke();
    }
    c.fillStyle = 'rgba(0,0,0,0.45)';
    c.font = `${Math.round(this.px / 26)}px sans-serif`;
    c.fillText(`±${this.ext}`, 4, this.px - 6);
  }

  /** The checkerboard's support (8 squares of side 2 in [-4, 4]^2), shaded faintly. */
  checkerboard(): void {
    const c = this.ctx;
    c.fillStyle = 'rgba(0,0,0,0.06)';
    for (let i = -2; i < 2; i++) {
      for (let j = -2; j < 2; j++) {
        if ((((i + j) % 2) + 2) % 2 !== 0) continue;
        const [x0, y0] = this.toPx(2 * i, 2 * j + 2);
        const [x1, y1] = this.toPx(2 * i + 2, 2 * j);
        c.fillRect(x0, y0, x1 - x0, y1 - y0);
      }
    }
  }

  /** Points (flat x,y pairs) as a density: each pixel darkens with the number of points on it. */
  points(pts: ArrayLike<number>, color: RGB, strength = 0.55): void {
    const n = pts.length >> 1;
    const w = this.px;
    const counts = new Float32Array(w * w);
    const r = Math.max(1, Math.round(w / 200));
    for (let i = 0; i < n; i++) {
      const [fx, fy] = this.toPx(pts[2 * i], pts[2 * i + 1]);
      const cx = Math.round(fx);
      const cy = Math.round(fy);
      for (let dy = -r; dy < r; dy++) {
        const y = cy + dy;
        if (y < 0 || y >= w) continue;
        for (let dx = -r; dx < r; dx++) {
          const x = cx + dx;
          if (x >= 0 && x < w) counts[y * w + x] += 1;
        }
      }
    }
    const img = this.ctx.getImageData(0, 0, w, w);
    const d = img.data;
    for (let p = 0; p < counts.length; p++) {
      const k = counts[p];
      if (k === 0) continue;
      const a = 1 - Math.pow(1 - strength, k);
      const o = 4 * p;
      d[o] += a * (color[0] - d[o]);
      d[o + 1] += a * (color[1] - d[o + 1]);
      d[o + 2] += a * (color[2] - d[o + 2]);
    }
    this.ctx.putImageData(img, 0, 0);
  }

  /** Short segments from a to b (same point order): where particles came from. */
  trails(a: ArrayLike<number>, b: ArrayLike<number>, color: RGB, alpha = 0.12): void {
    const c = this.ctx;
    c.strokeStyle = `rgba(${color[0]},${color[1]},${color[2]},${alpha})`;
    c.lineWidth = 1;
    c.beginPath();
    const n = Math.min(a.length, b.length) >> 1;
    for (let i = 0; i < n; i++) {
      const [x0, y0] = this.toPx(a[2 * i], a[2 * i + 1]);
      const [x1, y1] = this.toPx(b[2 * i], b[2 * i + 1]);
      c.moveTo(x0, y0);
      c.lineTo(x1, y1);
    }
    c.stroke();
  }

  /** One pixel per grid cell, stretched (smoothly) over the grid's square. */
  private image(grid: Grid, img: ImageData): void {
    const tmp = new OffscreenCanvas(grid.n, grid.n);
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    const [x0, y0] = this.toPx(-grid.ext, grid.ext);
    const [x1, y1] = this.toPx(grid.ext, -grid.ext);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(tmp, x0, y0, x1 - x0, y1 - y0);
  }

  /** Values on a grid (row-major from the top-left) as a colour image over the grid's square. */
  heatmap(grid: Grid, values: ArrayLike<number>, lo: number, hi: number): void {
    const img = new ImageData(grid.n, grid.n);
    for (let i = 0; i < grid.n * grid.n; i++) {
      const v = values[i];
      const [r, g, b] = Number.isFinite(v) ? colormap((v - lo) / (hi - lo || 1)) : [255, 255, 255];
      img.data.set([r, g, b, 255], 4 * i);
    }
    this.image(grid, img);
  }

  /** The largest finite |v| of these fields over the grid's cells (only those in `inside`, if given). */
  static maxNorm(vecs: (ArrayLike<number>|undefined)[], inside?: Uint8Array): number {
    let max = 0;
    for (const vec of vecs) {
      if (!vec) continue;
      for (let i = 0; i + 1 < vec.length; i += 2) {
        if (inside && !inside[i >> 1]) continue;
        const m = Math.hypot(vec[i], vec[i + 1]);
        if (Number.isFinite(m)) max = Math.max(max, m);
      }
    }
    return max;
  }

  /**
   * Arrows of a vector field on a grid, centred on the cells: an arrow of length |v| = `max` spans 0.9 of
   * a cell (pass the same max to panels that are compared). Cells outside `inside` (where x_t hardly
   * goes) are faded, and their arrows no longer than that. Heads scale with the plot; arrows shorter
   * than a few pixels are dots.
   */
  arrows(grid: Grid, vec: ArrayLike<number>, color: RGB, max: number, inside?: Uint8Array): void {
    const cell = (2 * grid.ext) / grid.n;
    const k = max > 0 ? (0.9 * cell) / max : 0;
    // The scale drawn with, on the canvas (panels compared side by side must show the same).
    this.canvas.dataset.arrowMax = String(max);
    const c = this.ctx;
    const solid = `rgb(${color[0]},${color[1]},${color[2]})`;
    const faded = `rgba(${color[0]},${color[1]},${color[2]},0.35)`;
    c.lineWidth = Math.max(1.5, this.px / 170);
    c.lineCap = 'round';
    const head = this.px / 38;
    for (let r = 0; r < grid.n; r++) {
      for (let col = 0; col < grid.n; col++) {
        const i = r * grid.n + col;
        const x = -grid.ext + cell * (col + 0.5);
        const y = grid.ext - cell * (r + 0.5);
        let vx = vec[2 * i] * k;
        let vy = vec[2 * i + 1] * k;
        if (!Number.isFinite(vx) || !Number.isFinite(vy)) continue;
        const out = inside !== undefined && !inside[i];
        c.strokeStyle = out ? faded : solid;
        c.fillStyle = c.strokeStyle;
        const l = Math.hypot(vx, vy);
        if (out && l > 0.9 * cell) {
          vx *= (0.9 * cell) / l;
          vy *= (0.9 * cell) / l;
        }
        const [ax, ay] = this.toPx(x - vx / 2, y - vy / 2);
        const [bx, by] = this.toPx(x + vx / 2, y + vy / 2);
        const len = Math.hypot(bx - ax, by - ay);
        if (len < 3) {
          c.beginPath();
          c.arc((ax + bx) / 2, (ay + by) / 2, c.lineWidth * 0.6, 0, 2 * Math.PI);
          c.fill();
          continue;
        }
        const ux = (bx - ax) / len;
        const uy = (by - ay) / len;
        const h = Math.min(head, len * 0.55);
        // The shaft stops at the head's base, so the tip stays sharp.
        c.beginPath();
        c.moveTo(ax, ay);
        c.lineTo(bx - h * ux * 0.8, by - h * uy * 0.8);
        c.stroke();
        c.beginPath();
        c.moveTo(bx, by);
        c.lineTo(bx - h * ux - 0.45 * h * uy, by - h * uy + 0.45 * h * ux);
        c.lineTo(bx - h * ux + 0.45 * h * uy, by - h * uy - 0.45 * h * ux);
        c.closePath();
        c.fill();
      }
    }
  }

  /** Values in [0, 1] on a grid as a faint wash of one colour (0: white, 1: `strength` of the colour). */
  shade(grid: Grid, values: ArrayLike<number>, color: RGB, strength = 0.35): void {
    const img = new ImageData(grid.n, grid.n);
    for (let i = 0; i < grid.n * grid.n; i++) {
      const u = Number.isFinite(values[i]) ? Math.max(0, Math.min(1, values[i])) * strength : 0;
      img.data.set([255 + u * (color[0] - 255), 255 + u * (color[1] - 255), 255 + u * (color[2] - 255), 255], 4 * i);
    }
    this.image(grid, img);
  }

  label(text: string): void {
    const c = this.ctx;
    c.font = `${Math.round(this.px / 22)}px sans-serif`;
    const w = c.measureText(text).width;
    c.fillStyle = 'rgba(255,255,255,0.8)';
    c.fillRect(2, 2, w + 8, this.px / 16);
    c.fillStyle = '#222';
    c.fillText(text, 6, this.px / 20);
  }
}

/**
 * A colour bar under a heatmap: the colormap from lo to hi with five values and the quantity's name.
 * Its canvas's aria-label states the range.
 */
export class ColorBar {
  readonly canvas: HTMLCanvasElement;
  private readonly w: number;
  private readonly h: number;
  private readonly k: number;

  constructor(after: HTMLCanvasElement, id: string, cssWidth = 240, cssHeight = 38) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = id;
    this.canvas.className = 'colorbar';
    this.canvas.setAttribute('role', 'img');
    this.k = Math.min(2, window.devicePixelRatio || 1);
    this.w = Math.round(cssWidth * this.k);
    this.h = Math.round(cssHeight * this.k);
    this.canvas.width = this.w;
    this.canvas.height = this.h;
    this.canvas.style.maxWidth = `${cssWidth}px`;
    after.after(this.canvas);
    this.clear();
  }

  clear(): void {
    const c = this.canvas.getContext('2d')!;
    c.fillStyle = '#fff';
    c.fillRect(0, 0, this.w, this.h);
    this.canvas.dataset.lo = '';
    this.canvas.dataset.hi = '';
    this.canvas.setAttribute('aria-label', 'colour bar: no values yet');
  }

  /** name: what the colours mean (e.g. "ρ₁(x)"); format: a value as text (default: ticks(lo, hi)). */
  draw(lo: number, hi: number, name: string, format = ticks(lo, hi)): void {
    const c = this.canvas.getContext('2d')!;
    const k = this.k;
    const m = 6 * k;
    c.fillStyle = '#fff';
    c.fillRect(0, 0, this.w, this.h);
    const top = 3 * k;
    const bar = 10 * k;
    for (let x = 0; x < this.w - 2 * m; x++) {
      const [r, g, b] = colormap(x / (this.w - 2 * m - 1));
      c.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
      c.fillRect(m + x, top, 1, bar);
    }
    c.strokeStyle = 'rgba(0,0,0,0.4)';
    c.lineWidth = 1;
    c.strokeRect(m, top, this.w - 2 * m, bar);
    c.fillStyle = '#333';
    c.font = `${Math.round(10 * k)}px sans-serif`;
    c.textBaseline = 'top';
    for (let i = 0; i <= 4; i++) {
      const u = i / 4;
      const x = m + u * (this.w - 2 * m);
      c.fillRect(x - 0.5, top + bar, 1, 3 * k);
      c.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
      c.fillText(format(lo + u * (hi - lo)), x, top + bar + 4 * k);
    }
    c.textAlign = 'center';
    c.fillStyle = '#555';
    c.fillText(name, this.w / 2, top + bar + 15 * k);
    this.canvas.dataset.lo = String(lo);
    this.canvas.dataset.hi = String(hi);
    this.canvas.setAttribute('aria-label', `colour bar of ${name}: dark purple ${format(lo)} to yellow ${format(hi)}`);
  }
}

/** A formatter for values between lo and hi: the same number of decimals for all, enough for the range. */
export function ticks(lo: number, hi: number): (v: number) => string {
  const span = Math.abs(hi - lo) || Math.abs(hi) || 1;
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  if (big >= 1e5 || big < 1e-3) return (v) => (v === 0 ? '0' : v.toExponential(1));
  const digits = Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(span))));
  return (v) => v.toFixed(digits);
}
