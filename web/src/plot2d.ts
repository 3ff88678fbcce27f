// A square canvas showing the plane [-ext, ext]^2. Dense things (thousands of points, heatmaps) go
// through ImageData; only axes and arrows use path drawing.
import type {Grid} from './protocol';

export type RGB = Readonly<[number, number, number]>;

export const COLORS = {
  target: [90, 90, 90] as RGB,
  base: [120, 120, 200] as RGB,
  ode: [31, 119, 180] as RGB,
  sde: [214, 39, 40] as RGB,
  xt: [44, 160, 44] as RGB,
  draw: [148, 103, 189] as RGB,
  arrow: [30, 30, 30] as RGB,
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

  /** Values on a grid (row-major from the top-left) as a colour image over the grid's square. */
  heatmap(grid: Grid, values: ArrayLike<number>, lo: number, hi: number): void {
    const img = new ImageData(grid.n, grid.n);
    for (let i = 0; i < grid.n * grid.n; i++) {
      const v = values[i];
      const [r, g, b] = Number.isFinite(v) ? colormap((v - lo) / (hi - lo || 1)) : [255, 255, 255];
      img.data.set([r, g, b, 255], 4 * i);
    }
    const tmp = new OffscreenCanvas(grid.n, grid.n);
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    const [x0, y0] = this.toPx(-grid.ext, grid.ext);
    const [x1, y1] = this.toPx(grid.ext, -grid.ext);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(tmp, x0, y0, x1 - x0, y1 - y0);
  }

  /** Arrows of a vector field on a grid; the longest arrow spans ~0.9 of a cell. Returns the scale. */
  arrows(grid: Grid, vec: ArrayLike<number>, color: RGB, scale?: number): number {
    const n = grid.n * grid.n;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const m = Math.hypot(vec[2 * i], vec[2 * i + 1]);
      if (Number.isFinite(m)) max = Math.max(max, m);
    }
    const cell = (2 * grid.ext) / grid.n;
    const k = scale ?? (max > 0 ? (0.9 * cell) / max : 0);
    const c = this.ctx;
    c.strokeStyle = `rgb(${color[0]},${color[1]},${color[2]})`;
    c.fillStyle = c.strokeStyle;
    c.lineWidth = Math.max(1, this.px / 300);
    const head = this.px / 110;
    for (let r = 0; r < grid.n; r++) {
      for (let col = 0; col < grid.n; col++) {
        const i = r * grid.n + col;
        const x = -grid.ext + cell * (col + 0.5);
        const y = grid.ext - cell * (r + 0.5);
        const vx = vec[2 * i] * k;
        const vy = vec[2 * i + 1] * k;
        if (!Number.isFinite(vx) || !Number.isFinite(vy)) continue;
        const [ax, ay] = this.toPx(x - vx / 2, y - vy / 2);
        const [bx, by] = this.toPx(x + vx / 2, y + vy / 2);
        const len = Math.hypot(bx - ax, by - ay);
        c.beginPath();
        c.moveTo(ax, ay);
        c.lineTo(bx, by);
        c.stroke();
        if (len > 2) {
          const ux = (bx - ax) / len;
          const uy = (by - ay) / len;
          const h = Math.min(head, len * 0.5);
          c.beginPath();
          c.moveTo(bx, by);
          c.lineTo(bx - h * ux - 0.5 * h * uy, by - h * uy + 0.5 * h * ux);
          c.lineTo(bx - h * ux + 0.5 * h * uy, by - h * uy - 0.5 * h * ux);
          c.closePath();
          c.fill();
        }
      }
    }
    return k;
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
