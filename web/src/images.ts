// The Images view (?view=images, SPEC 11): Fashion-MNIST 14 x 14 trained live in its own worker
// (images-worker.ts). It only draws what the worker sends: the live 8 x 8 sample grid, the loss
// curve, the eps-grid (one model, the ODE and SDEs), x_t of the data and of the model over t, and
// the mirror strip on a test image the user picks. Every drawing is a few ImageData copies.
import './images.css';

import type {ImageStrip} from 'stochastic-interpolants';

import {css, fieldColor} from './palette';
import {LineChart} from './charts';
import {$, Messages} from './dom';
import type {FromImagesWorker, NetworkName, ToImagesWorker, Which} from './images-protocol';
import {EPS_STEPS, GRID_N, NETWORKS, XT_FRAMES} from './images-protocol';

const SIDE = 14;
const D = SIDE * SIDE;

/** A pixel value in [-1, 1] as a grey level (the core's to_byte: rounded, clamped). */
const grey = (v: number) => (v > -1 ? (v >= 1 ? 255 : Math.round((v + 1) * 127.5)) : 0);

/** A 1:1 raster of the grid (one image pixel a pixel), drawn once and copied to the screen scaled. */
const raster = document.createElement('canvas');

/**
 * Draws images (each D values) as a grid on a canvas: `cols` a row, each pixel `scale` screen pixels,
 * one image pixel apart, with a left margin for row labels and a top margin for column labels. The
 * images are laid out at 1:1 in one ImageData and scaled by one drawImage (no smoothing): a few
 * thousand pixel writes however large the screen cells.
 */
function drawImages(
    cv: HTMLCanvasElement, images: ArrayLike<number>[], cols: number, scale: number,
    opts: {left?: number; top?: number; rowLabels?: string[]; colLabels?: string[]; bytes?: boolean} = {}): void {
  const n = images.length, rows = Math.ceil(n / cols), step = SIDE + 1;
  const rw = cols * step + 1, rh = rows * step + 1;
  const left = opts.left ?? 0, top = opts.top ?? 0;
  const w = left + rw * scale, h = top + rh * scale;
  if (cv.width !== w || cv.height !== h) {
    cv.width = w;
    cv.height = h;
    cv.style.maxWidth = `${w}px`;
  }
  cv.dataset.drawn = '1';
  const img = new ImageData(rw, rh);
  img.data.fill(255);
  images.forEach((x, k) => {
    const ox = 1 + (k % cols) * step, oy = 1 + Math.floor(k / cols) * step;
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        const v = x[r * SIDE + c];
        const p = ((oy + r) * rw + ox + c) * 4;
        img.data[p] = img.data[p + 1] = img.data[p + 2] = opts.bytes ? v : grey(v);
      }
    }
  });
  raster.width = rw;
  raster.height = rh;
  raster.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = cv.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(raster, left, top, rw * scale, rh * scale);
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  const centre = (i: number) => (1 + i * step + SIDE / 2) * scale;
  opts.rowLabels?.forEach((l, r) => ctx.fillText(l, left - 4, top + centre(r)));
  ctx.textAlign = 'center';
  opts.colLabels?.forEach((l, c) => {
    if (l) ctx.fillText(l, left + centre(c), top / 2);
  });
}

/** The images of one packed array (n * D values): a view per image. */
const split = (a: Float32Array|Uint8Array, n: number) =>
    Array.from({length: n}, (_, k) => a.subarray(k * D, (k + 1) * D));

/** Image f of a strip row (frame after frame). */
const stripFrames = (s: ImageStrip) => s.rows.flatMap((row) => split(row, s.times.length));

export class ImagesView {
  readonly messages = new Messages();
  private readonly worker: Worker;
  private readonly chart: LineChart;
  private readonly mirrorChart: LineChart;
  private running = false;
  private mirrorRunning = false;
  private network: NetworkName;
  /** Whether the loss chart has the score's curve (an imported b + s model). */
  private chartHasScore = false;
  private testPixels?: Uint8Array;
  private mirrorIndex = 0;
  private readonly chartAt: Record<Which, number> = {main: 0, mirror: 0};
  private samples?: {times: Float64Array; frames: Float32Array[]};
  private xt?: {times: Float64Array; frames: Float32Array[]};
  /** For tests and the report: what the worker last sent. */
  readonly last: {
    step: number; mirrorStep: number; sps: number; gridVersion: number; epsVersion: number; mirrorVersion: number;
    eps?: number;
    epsMs?: number;
    mirrorIndex?: number;
    readyAt?: number;
    config?: string;
  } = {step: 0, mirrorStep: 0, sps: 0, gridVersion: 0, epsVersion: 0, mirrorVersion: 0};

  constructor(query: string) {
    const q = new URLSearchParams(query);
    this.network = q.get('net') === 'small' ? 'small' : 'large';
    document.body.dataset.view = 'images';
    $('view-images').hidden = false;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.train-only'))) el.hidden = true;
    $('nav-images').classList.add('active');
    this.chart = new LineChart(
        $('img-chart-loss'),
        {title: 'training loss', xLabel: 'training step', yLabel: 'loss of b', height: 200, perRow: 1});
    this.mirrorChart = new LineChart(
        $('img-chart-mirror'),
        {title: 'mirror model: loss of s', xLabel: 'training step', yLabel: 'loss of s', height: 160, perRow: 1});
    this.resetCharts();
    const subtitle = document.querySelector('h1 small');
    if (subtitle) subtitle.textContent = 'generate pictures from noise, live in your browser';
    this.bindControls();
    this.worker = new Worker(new URL('./images-worker.ts', import.meta.url), {type: 'module'});
    this.worker.onerror = (e) => this.messages.show(e.message || 'the images worker failed to start', 'images');
    // Each drawing message's handling is a performance measure (si:images-<type>): what to look at when
    // the main thread is slow (not the ~25 progress messages a second, which would fill the timeline).
    this.worker.onmessage = (ev: MessageEvent<FromImagesWorker>) => {
      const t0 = performance.now();
      this.onMessage(ev.data);
      if (ev.data.type !== 'progress') performance.measure(`si:images-${ev.data.type}`, {start: t0});
    };
    // The packed data set sits next to the page (web/public/data), so any static folder serves it.
    const dataUrl = new URL('data/fashion-mnist-14.bin', document.baseURI).href;
    this.send({type: 'init', dataUrl, network: this.network});
  }

  private resetCharts(): void {
    this.resetLossChart(this.chartHasScore);
    this.mirrorChart.reset([{label: 's', color: css(fieldColor('s'))}]);
  }

  /**
   * The noise -> image model's losses: b alone (the page's recipe: the SDE takes the score b implies), or b on the
   * left axis and s on its own on the right (an imported b + s model; their scales differ by orders of magnitude).
   */
  private resetLossChart(withScore: boolean): void {
    this.chartHasScore = withScore;
    const b = css(fieldColor('b')), s = css(fieldColor('s'));
    if (!withScore) {
      this.chart.reset([{label: 'b', color: b}], [], 'loss of b');
      return;
    }
    this.chart.reset(
        [{label: 'b', color: b, axis: 'left'}, {label: 's', color: s, scale: 's', axis: 'right'}],
        [{scale: 's', side: 1, size: 56, label: 'loss of s', labelSize: 18, grid: {show: false}}], 'loss of b');
  }

  private send(m: ToImagesWorker): void {
    this.worker.postMessage(m);
  }

  private bindControls(): void {
    const net = $<HTMLSelectElement>('img-network');
    for (const [k, v] of Object.entries(NETWORKS)) net.add(new Option(v.label, k, false, k === this.network));
    net.onchange = () => {
      this.network = net.value as NetworkName;
      const url = new URL(location.href);
      url.searchParams.set('net', this.network);
      history.replaceState(null, '', url);
      this.resetCharts();
      this.send({type: 'reset', network: this.network});
    };
    $('img-play').onclick = () => this.send({type: this.running ? 'pause' : 'play', which: 'main'});
    $('img-mirror-play').onclick = () => this.send({type: this.mirrorRunning ? 'pause' : 'play', which: 'mirror'});
    $('img-reset').onclick = () => {
      this.resetCharts();
      this.send({type: 'reset', network: this.network});
    };
    const eps = $<HTMLInputElement>('img-eps');
    eps.oninput = () => {
      $('img-eps-value').textContent = eps.value;
      this.send({type: 'eps', eps: Number(eps.value)});
    };
    const t = $<HTMLInputElement>('img-t');
    t.oninput = () => this.drawXt();
    const file = $<HTMLInputElement>('img-import');
    file.onchange = async () => {
      const f = file.files?.[0];
      if (!f) return;
      this.send({type: 'import', text: await f.text(), name: f.name});
      file.value = '';
    };
  }

  private onMessage(m: FromImagesWorker): void {
    switch (m.type) {
      case 'ready':
        this.testPixels = m.testPixels;
        this.last.readyAt = performance.now();
        $('img-status').textContent = `${m.nTrain.toLocaleString('en')} training images loaded`;
        this.drawPicks();
        document.body.dataset.imagesReady = '1';
        break;
      case 'progress':
        this.onProgress(m.which, m);
        break;
      case 'samples':
        this.samples = {times: m.times, frames: m.frames};
        drawImages($<HTMLCanvasElement>('img-cv-grid'), split(m.frames[m.frames.length - 1], GRID_N), 8, 3);
        $('img-grid-step').textContent = String(m.step);
        this.last.gridVersion++;
        document.body.dataset.gridVersion = String(this.last.gridVersion);
        this.drawXt();
        break;
      case 'xt':
        this.xt = {times: m.times, frames: m.frames};
        this.drawXt();
        break;
      case 'epsgrid':
        this.drawStrip($<HTMLCanvasElement>('img-cv-eps'), m.strip, 3);
        $('img-eps-caption').textContent =
            `step ${m.step}, ε = ${m.eps}: rows ε = ${Array.from(m.strip.rowEps).join(', ')} ` +
            `(0 is the ODE), ${EPS_STEPS} Heun steps each, ${Math.round(m.ms)} ms in the worker`;
        this.last.eps = m.eps;
        this.last.epsMs = m.ms;
        this.last.epsVersion++;
        document.body.dataset.epsVersion = String(this.last.epsVersion);
        break;
      case 'mirror':
        this.drawStrip($<HTMLCanvasElement>('img-cv-mirror'), m.strip, 3);
        $('img-mirror-caption').textContent =
            `test image ${m.index} (t = 0) through noise to a new image (t = 1), mirror model at step ${m.step}, ε = 1`;
        this.last.mirrorIndex = m.index;
        this.last.mirrorVersion++;
        document.body.dataset.mirrorVersion = String(this.last.mirrorVersion);
        break;
      case 'imported':
        this.messages.show(
            `${m.name}: the ${m.which === 'main' ? 'noise → image' : 'mirror'} model, trained ${m.step} steps`,
            'import', 'info');
        break;
      case 'error':
      case 'note':
        this.messages.show(m.message, m.where, m.type === 'note' ? 'info' : 'error');
        break;
    }
  }

  /** The worker reports every ~40 ms: the page writes the DOM at most four times a second, or when play flips. */
  private onProgress(which: Which, m: FromImagesWorker&{type: 'progress'}): void {
    const flipped = (which === 'main' ? this.running : this.mirrorRunning) !== m.running;
    if (which === 'main') {
      this.running = m.running;
      Object.assign(this.last, {step: m.step, sps: m.sps, config: m.config});
    } else {
      this.mirrorRunning = m.running;
      this.last.mirrorStep = m.step;
    }
    if (!flipped && !this.due(which)) return;
    if (which === 'main') {
      $('img-step').textContent = String(m.step);
      $('img-sps').textContent = m.sps.toFixed(1);
      if (flipped) {
        $('img-play').textContent = m.running ? '❚❚ pause' : '▶ play';
        document.body.dataset.imagesRunning = m.running ? '1' : '0';
      }
      if (m.losses.b !== undefined) {
        if ((m.losses.s !== undefined) !== this.chartHasScore) this.resetLossChart(m.losses.s !== undefined);
        this.chart.push(m.step, {b: m.losses.b, s: m.losses.s});
      }
    } else {
      $('img-mirror-step').textContent = String(m.step);
      if (flipped) $('img-mirror-play').textContent = m.running ? '❚❚ pause mirror model' : '▶ train mirror model';
      if (m.losses.s !== undefined) this.mirrorChart.push(m.step, {s: m.losses.s});
    }
  }

  /** Whether the DOM may take another progress update: at most four a second. */
  private due(which: Which): boolean {
    const now = performance.now();
    if (now - this.chartAt[which] < 250) return false;
    this.chartAt[which] = now;
    return true;
  }

  private drawStrip(cv: HTMLCanvasElement, s: ImageStrip, scale: number): void {
    const narrow = window.innerWidth < 600;
    const mirror = s.kind === 'mirror';
    const rowLabels = Array.from(s.rowEps, (e, r) => (mirror ? `draw ${r + 1}` : e === 0 ? 'ODE' : `SDE ε = ${e}`));
    // On a phone only every other time is labelled, so the labels do not run into each other.
    const colLabels =
        Array.from(s.times, (t, f) => (narrow && f % 2 && f !== s.times.length - 1 ? '' : `${+ t.toFixed(2)}`));
    colLabels[0] = 't = 0';
    drawImages(
        cv, stripFrames(s), s.times.length, narrow ? 2 : scale,
        {left: narrow ? 62 : 80, top: 16, rowLabels, colLabels});
  }

  /** The test images offered to the mirror strip, as buttons. */
  private drawPicks(): void {
    const box = $('img-picks');
    box.replaceChildren();
    const n = this.testPixels ? this.testPixels.length / D : 0;
    for (let k = 0; k < n; k++) {
      const b = document.createElement('button');
      b.className = 'img-pick';
      b.title = `Start the mirror strip from test image ${k}`;
      b.setAttribute('aria-label', `test image ${k}`);
      b.setAttribute('aria-pressed', String(k === this.mirrorIndex));
      const cv = document.createElement('canvas');
      drawImages(cv, [this.testPixels!.subarray(k * D, (k + 1) * D)], 1, 2, {bytes: true});
      b.append(cv);
      b.onclick = () => {
        this.mirrorIndex = k;
        for (const el of Array.from(box.children)) el.setAttribute('aria-pressed', String(el === b));
        this.send({type: 'mirror-image', index: k});
      };
      box.append(b);
    }
  }

  private drawXt(): void {
    const k = Number($<HTMLInputElement>('img-t').value);
    $('img-t-value').textContent = (k / (XT_FRAMES - 1)).toFixed(1);
    if (this.xt) drawImages($<HTMLCanvasElement>('img-cv-xt-data'), split(this.xt.frames[k], 16), 4, 4);
    if (this.samples) {
      const f = this.samples.frames[Math.min(k, this.samples.frames.length - 1)];
      drawImages($<HTMLCanvasElement>('img-cv-xt-model'), split(f, 16), 4, 4);
    }
  }
}
