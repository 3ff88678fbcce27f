// The views: sample plots, trajectories, fields, the density heatmaps and the charts, drawn from what the
// worker sent (kept on the App); plus the controls that only change what a view shows.
import type uPlot from 'uplot';
import type {App} from './app';
import {fmt, LineChart} from './charts';
import {$} from './dom';
import {PALETTE, css, fieldColor} from './palette';
import {ColorBar, COLORS, Plot2D} from './plot2d';
import type {FromWorker, SampleSet} from './protocol';
import {FRAMES} from './settings';

const SUPPORT_AXIS: uPlot.Axis = {
  scale: '%',
  side: 1,
  size: 50,
  labelSize: 18,
  grid: {show: false},
  label: 'on support (dashed)',
  values: (_u, vals) => vals.map((v) => `${Math.round(v * 100)}%`),
};
const DASH = [5, 3];
const ODE = css(PALETTE.ode);
const SDE = css(PALETTE.sde);
/** Names of the fields as the page writes them. */
const FIELD_TEXT: Record<string, string> = {
  b: 'b',
  s: 's',
  eta: 'η',
  v: 'v'
};

export class Views {
  private readonly plots = {
    base: new Plot2D($('cv-base') as HTMLCanvasElement),
    target: new Plot2D($('cv-target') as HTMLCanvasElement),
    ode: new Plot2D($('cv-ode') as HTMLCanvasElement),
    sde: new Plot2D($('cv-sde') as HTMLCanvasElement),
    traj: new Plot2D($('cv-traj') as HTMLCanvasElement),
    xt: new Plot2D($('cv-xt') as HTMLCanvasElement),
    field: new Plot2D($('cv-field') as HTMLCanvasElement, 300),
    exact: new Plot2D($('cv-exact') as HTMLCanvasElement, 300),
    error: new Plot2D($('cv-error') as HTMLCanvasElement, 300),
    density: new Plot2D($('cv-density') as HTMLCanvasElement),
    densityLog: new Plot2D($('cv-density-log') as HTMLCanvasElement),
  };
  /** Colour bars under the heatmaps (built here: they belong to the heatmaps they explain). */
  private readonly bars = {
    density: new ColorBar($('cv-density') as HTMLCanvasElement, 'cv-density-bar'),
    densityLog: new ColorBar($('cv-density-log') as HTMLCanvasElement, 'cv-density-log-bar'),
    error: new ColorBar($('cv-error') as HTMLCanvasElement, 'cv-error-bar', 300),
  };
  private readonly lossChart =
      new LineChart($('chart-loss'), {title: 'loss per field', yLabel: 'loss (lower is better)', perRow: 3});
  private readonly nllChart =
      new LineChart($('chart-nll'), {title: 'held-out NLL', yLabel: 'NLL (nats per point)', perRow: 3});
  private readonly qualityChart = new LineChart(
      $('chart-quality'),
      {title: 'sample quality', yLabel: 'energy dist. (solid)', perRow: 3, scales: {'%': {range: [0, 1]}}});
  private readonly coeffChart =
      new LineChart($('chart-coeffs'), {title: 'α(t), β(t), γ(t)', xLabel: 't', yLabel: 'coefficient', curves: true});
  /** The trajectory frame shown, which sampler's particles, and the animation's timer (0: still). */
  private trajFrame = 20;
  trajKind: 'ode'|'sde' = 'ode';
  private trajTimer = 0;
  private autoplayed = false;
  private resizeTimer = 0;
  /** What the true-sample plots and the x_t plot show now (they are redrawn when it changes). */
  private drawnEnds = '';
  private drawnXt = '';

  constructor(private readonly app: App) {
    this.coeffChart.reset([
      {label: 'α', color: css(PALETTE.alpha)},
      {label: 'β', color: css(PALETTE.beta)},
      {label: 'γ', color: css(PALETTE.gamma)},
    ]);
    this.describeCanvases();
    window.addEventListener('resize', () => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = window.setTimeout(() => {
        for (const c of [this.lossChart, this.nllChart, this.qualityChart, this.coeffChart]) c.fit();
      }, 150);
    });
    $('btn-density').onclick = () => app.send({type: 'density'});
    $('field-t').addEventListener('input', (e) => app.update('ft', Number((e.target as HTMLInputElement).value)));
    $('field-select').addEventListener('change', (e) => app.update('field', (e.target as HTMLSelectElement).value));
    $('traj-slider').addEventListener('input', (e) => {
      this.trajFrame = Number((e.target as HTMLInputElement).value);
      this.renderTrajectories();
    });
    for (const r of document.querySelectorAll<HTMLInputElement>('input[name=traj-kind]')) {
      // Both samplers' frames are on the page (they come with the samples): nothing to ask the worker.
      r.addEventListener('change', () => {
        this.trajKind = r.value as 'ode' | 'sde';
        this.renderTrajectories();
      });
    }
    $('btn-traj-play').onclick = () => this.toggleAnimation();
  }

  /** The trajectory animation plays (the Start-here path asks for it; it also starts by itself). */
  playTrajectories(): void {
    if (!this.trajTimer) this.toggleAnimation();
  }

  private toggleAnimation(): void {
    const button = $('btn-traj-play');
    if (this.trajTimer) {
      clearInterval(this.trajTimer);
      this.trajTimer = 0;
      button.textContent = '▶ animate';
      return;
    }
    button.textContent = '■ stop';
    const slider = $('traj-slider') as HTMLInputElement;
    this.trajTimer = window.setInterval(() => {
      const last = Number(slider.max);
      this.trajFrame = this.trajFrame >= last ? 0 : this.trajFrame + 1;
      slider.value = String(this.trajFrame);
      this.renderTrajectories();
    }, 150);
  }

  /** The field the Fields view asks for: the setting's, or the model's first field if it has not that one. */
  fieldChoice(): string {
    const want = this.app.fieldShown();
    const names = this.app.fieldNames;
    return !names.length || names.includes(want) ? want : names[0];
  }

  /** The Fields view's own controls, from the settings (t and the field). */
  syncFieldControls(): void {
    const t = this.app.settings.ft as number;
    const slider = $('field-t') as HTMLInputElement;
    if (slider.value !== String(t)) slider.value = String(t);
    if ($('field-t-value').textContent !== t.toFixed(2)) $('field-t-value').textContent = t.toFixed(2);
    const sel = $('field-select') as HTMLSelectElement;
    const names = this.app.fieldNames;
    if (sel.options.length !== names.length || names.some((f, i) => sel.options[i].value !== f)) {
      sel.innerHTML = '';
      for (const f of names) sel.add(new Option(f, f));
    }
    if (sel.value !== this.fieldChoice()) sel.value = this.fieldChoice();
  }

  /** A new run: the charts start over with its series; views forget the old run. */
  onConfigured(m: FromWorker&{type: 'configured'}): void {
    $('density-info').textContent = '';
    $('m-nll-true').textContent = m.trueNll === undefined ? 'unknown' : `${fmt(m.trueNll)} (true density)`;
    $('base-caption').textContent = this.app.mirror ? 'ρ₀ = the data (mirror path)' : 'base ρ₀ (true samples)';
    $('m-nll').textContent = this.app.mirror ? 'not shown for the mirror (see the Density panel)' : '–';
    const lossKeys = String(m.config.fields ?? 'b+s').split('+');
    this.lossChart.reset(lossKeys.map((k) => ({label: k, color: css(fieldColor(k))})));
    this.nllChart.reset([{label: 'model', color: ODE}, {label: 'truth', color: css(PALETTE.truth), dash: [4, 4]}]);
    const axis = m.checkerboard ? 'left' : undefined;
    const energy = [{label: 'energy ODE', color: ODE, axis}, {label: 'energy SDE', color: SDE, axis}];
    const support = [
      {label: 'support ODE', color: ODE, scale: '%', dash: DASH, axis: 'right'},
      {label: 'support SDE', color: SDE, scale: '%', dash: DASH, axis: 'right'},
    ];
    if (m.checkerboard) {
      this.qualityChart.reset([...energy, ...support], [SUPPORT_AXIS], 'energy dist. (solid)');
    } else {
      this.qualityChart.reset(energy, [], 'energy distance');
    }
    this.coeffChart.set(m.coeffs.t, [m.coeffs.alpha, m.coeffs.beta, m.coeffs.gamma]);
    this.syncFieldControls();
  }

  onLoss(step: number, losses: Record<string, number>): void {
    this.lossChart.push(step, losses);
  }

  onNll(step: number, nll: number): void {
    $('m-nll').textContent = `${fmt(nll)} (step ${step})`;
    this.nllChart.push(step, {model: nll, truth: this.app.trueNll});
  }

  /** A new sample set: the metrics table, the quality chart, the sample and trajectory plots. */
  onSamples(m: SampleSet): void {
    const q = m.metrics;
    const pct = (v?: number) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
    const num = (v?: number) => (v === undefined ? '–' : fmt(v));
    $('m-ed-ode').textContent = num(q.energyOde);
    $('m-ed-sde').textContent = num(q.energySde);
    $('m-share-ode').textContent = pct(q.shareOde);
    $('m-share-sde').textContent = pct(q.shareSde);
    $('m-share-ode').dataset.value = q.shareOde === undefined ? '' : String(q.shareOde);
    $('m-share-sde').dataset.value = q.shareSde === undefined ? '' : String(q.shareSde);
    this.qualityChart.push(m.step, {
      'energy ODE': q.energyOde,
      'energy SDE': q.energySde,
      'support ODE': q.shareOde,
      'support SDE': q.shareSde,
    });
    this.renderSamples();
    this.renderTrajectories();
    // The particles flow by themselves once there is something to show (unless motion is turned down).
    if (!this.autoplayed && m.odeSnaps.length && !matchMedia('(prefers-reduced-motion: reduce)').matches) {
      this.autoplayed = true;
      this.playTrajectories();
    }
  }

  /** A plot's background: white, the checkerboard's support if asked, axes. */
  private base(p: Plot2D, checker = this.app.checkerboard): void {
    p.ext = this.app.settings.ext as number;
    p.clear();
    if (checker) p.checkerboard();
    p.axes();
  }

  renderAll(): void {
    this.renderSamples();
    this.renderTrajectories();
    this.renderField();
    this.renderDensity();
  }

  renderSamples(): void {
    const {plots, app} = this;
    // The true samples change with the run and the plot's extent only: not redrawn for each sample set.
    const ends = `${app.gen}|${app.settings.ext}|${app.checkerboard}|${app.mirror}|${!!app.base}|${!!app.target}`;
    if (ends !== this.drawnEnds) {
      this.drawnEnds = ends;
      this.base(plots.base, app.checkerboard && app.mirror);
      const rho0 = app.mirror ? app.target : app.base;
      if (rho0) plots.base.points(rho0, app.mirror ? COLORS.target : COLORS.base);
      this.base(plots.target);
      if (app.target) plots.target.points(app.target, COLORS.target);
    }
    const s = app.samples;
    const ext = app.settings.ext as number;
    // Each sample plot's label says what it shows, or why there is nothing to see (kept as data-note).
    const note = (p: Plot2D, text: string) => {
      p.label(text);
      p.canvas.dataset.note = text;
    };
    this.base(plots.ode);
    if (s?.ode) {
      plots.ode.points(s.ode, COLORS.ode);
      note(plots.ode, sampleNote(`step ${s.step}`, s.ode, s.metrics.nonFiniteOde, ext));
    } else if (s) {
      note(plots.ode, s.odeError ? 'the ODE failed: see the message' : 'no ODE samples');
    }
    this.base(plots.sde);
    if (s?.sde) {
      plots.sde.points(s.sde, COLORS.sde);
      note(plots.sde, sampleNote(`ε = ${s.eps}`, s.sde, s.metrics.nonFiniteSde, ext));
    } else if (s) {
      note(
          plots.sde,
          s.sdeError ? 'the SDE failed: see the message' : 'the SDE needs a score: learned fields "b only" have none');
    }
    this.describeCanvases();
  }

  /** Every plot's aria-label: what it shows, with its numbers. */
  private describeCanvases(): void {
    const {plots, app} = this;
    const s = app.samples;
    const q = s?.metrics;
    const n = (a?: ArrayLike<number>) => (a ? a.length >> 1 : 0);
    const ed = (v?: number) => (v === undefined ? '' : `, energy distance to the target ${fmt(v)}`);
    const share = (v?: number) => (v === undefined ? '' : `, ${(100 * v).toFixed(1)}% on the support`);
    const label = (p: Plot2D, text: string) => {
      p.canvas.setAttribute('role', 'img');
      if (p.canvas.getAttribute('aria-label') !== text) p.canvas.setAttribute('aria-label', text);
    };
    label(plots.base, `${n(app.mirror ? app.target : app.base)} true samples of the base ρ₀`);
    label(plots.target, `${n(app.target)} true samples of the target ρ₁`);
    label(
        plots.ode,
        s?.ode ? `${n(s.ode)} ODE samples at step ${s.step}${ed(q?.energyOde)}${share(q?.shareOde)}` :
                 'ODE samples: none yet');
    label(
        plots.sde,
        s?.sde ? `${n(s.sde)} SDE samples (ε = ${s.eps}) at step ${s.step}${ed(q?.energySde)}${share(q?.shareSde)}` :
                 'SDE samples: none');
  }

  renderTrajectories(): void {
    const {plots, app} = this;
    const s = app.samples;
    // A model without a score has no SDE: its ODE paths are shown.
    const kind = this.trajKind === 'sde' && s?.sdeSnaps.length ? 'sde' : 'ode';
    const snaps = kind === 'ode' ? s?.odeSnaps : s?.sdeSnaps;
    const times = kind === 'ode' ? s?.odeTimes : s?.sdeTimes;
    const last = Math.max(0, (snaps?.length ?? FRAMES) - 1);
    const slider = $('traj-slider') as HTMLInputElement;
    slider.max = String(last);
    const k = Math.min(this.trajFrame, last);
    const t = times?.length ? times[Math.min(k, times.length - 1)] : k / Math.max(1, last);
    $('traj-t').textContent = t.toFixed(2);
    $('traj-kind').textContent = kind.toUpperCase();
    const color = kind === 'ode' ? COLORS.ode : COLORS.sde;
    this.base(plots.traj, false);
    if (snaps && snaps.length) {
      if (k > 0) plots.traj.trails(snaps[k - 1], snaps[k], color, 0.25);
      plots.traj.points(snaps[k], color);
    }
    plots.traj.canvas.setAttribute('role', 'img');
    plots.traj.canvas.setAttribute(
        'aria-label',
        snaps?.length ? `${snaps[k].length >> 1} ${kind.toUpperCase()} particles at t = ${t.toFixed(2)}` :
                        'trajectories: none yet');
    // x_t itself: redrawn only when its frame (or the run, or the extent) changes.
    let j = -1;
    if (app.xt) {
      j = 0;
      for (let i = 0; i < app.xt.times.length; i++) {
        if (Math.abs(app.xt.times[i] - t) < Math.abs(app.xt.times[j] - t)) j = i;
      }
    }
    const xtKey = `${app.gen}|${app.settings.ext}|${app.xt ? app.xt.times.join() : ''}|${j}`;
    if (xtKey !== this.drawnXt) {
      this.drawnXt = xtKey;
      this.base(plots.xt, false);
      if (app.xt) plots.xt.points(app.xt.frames[j], COLORS.xt);
      plots.xt.canvas.setAttribute('role', 'img');
      plots.xt.canvas.setAttribute(
          'aria-label',
          app.xt ? `${app.xt.frames[j].length >> 1} true samples of x_t at t = ${app.xt.times[j].toFixed(2)}` :
                   'true samples of x_t: none yet');
    }
  }

  /** The true x_t samples nearest to time t (the page has them at the trajectory frames' times). */
  private xtNear(t: number): {t: number; pts: Float32Array}|undefined {
    const xt = this.app.xt;
    if (!xt || !xt.times.length) return undefined;
    let j = 0;
    for (let i = 1; i < xt.times.length; i++) {
      if (Math.abs(xt.times[i] - t) < Math.abs(xt.times[j] - t)) j = i;
    }
    return {t: xt.times[j], pts: xt.frames[j]};
  }

  /**
   * The Fields view: the learned field (and the exact one) as arrows in the field's colour, on ONE scale
   * for both panels (stated in the legend and in each caption), over the density of x_t drawn faintly:
   * the exact ρ_t when it is known, else the true x_t samples at the nearest time.
   */
  renderField(): void {
    const {plots} = this;
    const f = this.app.lastField;
    const name = FIELD_TEXT[f?.field ?? 'b'] ?? f?.field ?? 'b';
    document.querySelectorAll('.field-name').forEach((el) => (el.textContent = name));
    $('field-note').textContent = f?.note ?? '';
    const legend = this.fieldLegend();
    const scales = document.querySelectorAll<HTMLElement>('#panel-field .arrow-scale');
    for (const p of [plots.field, plots.exact, plots.error]) {
      p.canvas.setAttribute('role', 'img');
      p.canvas.dataset.arrowMax = '';
    }
    if (!f) {
      for (const p of [plots.field, plots.exact, plots.error]) this.base(p, false);
      scales.forEach((el) => (el.textContent = ''));
      legend.replaceChildren('Arrows appear after the first steps of training.');
      plots.field.canvas.setAttribute('aria-label', 'learned field: not computed yet');
      plots.exact.canvas.setAttribute('aria-label', 'exact field: not computed yet');
      plots.error.canvas.setAttribute('aria-label', 'error map: not computed yet');
      this.bars.error.clear();
      return;
    }
    if (f.learned && f.learned.every((v) => Math.abs(v) < 1e-9)) {
      $('field-note').textContent = `${name} is 0 everywhere at t = ${f.t.toFixed(2)}: move t`;
    }
    // Underneath: exp(log rho_t) relative to its maximum, or the true samples of x_t.
    let under: string;
    let rho: Float64Array|undefined;
    const xt = f.logRho ? undefined : this.xtNear(f.t);
    if (f.logRho) {
      let top = -Infinity;
      for (const v of f.logRho)
        if (Number.isFinite(v)) top = Math.max(top, v);
      rho = f.logRho.map((v) => Math.exp(v - top));
      under = `grey underneath: the exact density ρₜ at t = ${f.t.toFixed(2)}`;
    } else if (xt) {
      under = `grey dots underneath: true samples of xₜ at t = ${xt.t.toFixed(2)}`;
    } else {
      under = '';
    }
    for (const p of [plots.field, plots.exact]) {
      this.base(p, false);
      if (rho) {
        p.shade(f.grid, rho, PALETTE.truth, 0.45);
        p.axes();
      } else if (xt) {
        p.points(xt.pts, PALETTE.truth, 0.18);
      }
    }
    this.base(plots.error, false);
    // Where x_t goes (rho_t >= 1e-3 of its maximum, or a cell with a true sample of x_t): the fields
    // matter there (and only there does the loss constrain the network).
    const cells = f.grid.n * f.grid.n;
    let inside: Uint8Array|undefined = new Uint8Array(cells);
    if (rho) {
      for (let i = 0; i < cells; i++) inside[i] = rho[i] >= 1e-3 ? 1 : 0;
    } else if (xt) {
      const g = f.grid;
      for (let i = 0; i + 1 < xt.pts.length; i += 2) {
        const col = Math.floor(((xt.pts[i] + g.ext) / (2 * g.ext)) * g.n);
        const row = Math.floor(((g.ext - xt.pts[i + 1]) / (2 * g.ext)) * g.n);
        if (col >= 0 && col < g.n && row >= 0 && row < g.n) inside[row * g.n + col] = 1;
      }
    }
    if (!inside.some((v) => v)) inside = undefined;
    // One scale for both panels: the longest arrow of either, where x_t goes, is 0.9 of a cell.
    const max = Plot2D.maxNorm([f.learned, f.exact], inside);
    const color = fieldColor(f.field);
    if (f.exact) plots.exact.arrows(f.grid, f.exact, color, max, inside);
    if (f.learned) plots.field.arrows(f.grid, f.learned, color, max, inside);
    plots.field.label(`t = ${f.t.toFixed(2)}, step ${f.step}`);
    const scaleText = max > 0 ? `longest arrow = |${name}| ${fmt(max)}` : `${name} = 0 everywhere`;
    scales.forEach((el) => (el.textContent = scaleText));
    const sw = document.createElement('span');
    sw.className = 'arrow-swatch';
    sw.style.color = css(color);
    sw.textContent = '➜';
    sw.setAttribute('aria-hidden', 'true');
    legend.replaceChildren(
        sw,
        ` ${name} at t = ${f.t.toFixed(2)}, ${f.exact ? 'learned and exact on the same scale' : 'learned'}: ` +
            `${scaleText} (0.9 of a grid cell), the others in proportion` + (under ? `; ${under}` : '') +
            (inside ? '; faded arrows, where xₜ hardly goes, are capped at that length' : '') + '.');
    const lmax = Plot2D.maxNorm([f.learned]);
    plots.field.canvas.setAttribute(
        'aria-label',
        f.learned ? `learned ${name} at t = ${f.t.toFixed(2)}, step ${f.step}: ${f.grid.n}×${f.grid.n} arrows, ` +
                `largest |${name}| ${fmt(lmax)}; ${scaleText}` :
                    `learned ${name}: ${f.note ?? 'not available'}`);
    let err = '';
    if (f.exact && f.learned) {
      // Where rho_t is negligible no sample ever goes and the loss does not constrain the network:
      // the error map and its summary count only where rho_t >= 1e-3 of its maximum.
      const n = f.grid.n * f.grid.n;
      const e2 = new Float64Array(n);
      let se = 0;
      let sx = 0;
      let hi = 0;
      for (let i = 0; i < n; i++) {
        const w = rho ? rho[i] : 1;
        const ex = f.exact[2 * i];
        const ey = f.exact[2 * i + 1];
        const e = Math.hypot(f.learned[2 * i] - ex, f.learned[2 * i + 1] - ey);
        e2[i] = w >= 1e-3 && Number.isFinite(e) ? e : NaN;
        if (Number.isFinite(e2[i])) hi = Math.max(hi, e2[i]);
        if (Number.isFinite(e)) {
          se += w * e * e;
          sx += w * (ex * ex + ey * ey);
        }
      }
      plots.error.heatmap(f.grid, e2, 0, hi);
      plots.error.axes();
      const rel = Math.sqrt(se / Math.max(sx, 1e-30));
      err = `relative error ${(100 * rel).toFixed(1)}% (weighted by ρₜ)`;
      $('field-err').textContent = err;
      this.bars.error.draw(0, hi, `|learned − exact ${name}|`);
      plots.error.canvas.setAttribute(
          'aria-label', `error |learned − exact ${name}| at t = ${f.t.toFixed(2)}: 0 to ${fmt(hi)}; ${err}`);
    } else {
      this.bars.error.clear();
    }
    plots.exact.canvas.setAttribute(
        'aria-label',
        f.exact ? `exact ${name} at t = ${f.t.toFixed(2)}: largest |${name}| ${fmt(Plot2D.maxNorm([f.exact]))}; ${
                      scaleText}` :
                  'exact field: not known for these ends');
  }

  /** The Fields view's legend line (under its plots) and the scale in each caption, made once. */
  private fieldLegend(): HTMLElement {
    let el = document.getElementById('field-legend');
    if (el) return el;
    for (const id of ['cv-field', 'cv-exact']) {
      const cap = $(id).parentElement!.querySelector('figcaption')!;
      const span = document.createElement('span');
      span.className = 'arrow-scale';
      cap.append(document.createElement('br'), span);
    }
    el = document.createElement('p');
    el.id = 'field-legend';
    el.className = 'field-legend';
    $('panel-field').querySelector('.row')!.before(el);
    return el;
  }

  renderDensity(): void {
    const {plots} = this;
    const d = this.app.lastDensity;
    this.base(plots.density, false);
    this.base(plots.densityLog, false);
    for (const p of [plots.density, plots.densityLog]) p.canvas.setAttribute('role', 'img');
    if (!d) {
      plots.density.label(
          this.app.mirror ? 'not shown for the mirror' : 'first heatmap after a few seconds of training');
      this.bars.density.clear();
      this.bars.densityLog.clear();
      $('density-range').textContent = '';
      plots.density.canvas.setAttribute('aria-label', 'model density: not computed yet');
      plots.densityLog.canvas.setAttribute('aria-label', 'model log density: not computed yet');
      return;
    }
    let hi = -Infinity;
    for (const v of d.logp) {
      if (Number.isFinite(v)) hi = Math.max(hi, v);
    }
    const dens = d.logp.map((v) => Math.exp(v - hi));
    const top = Math.exp(hi);
    plots.density.heatmap(d.grid, dens, 0, 1);
    plots.densityLog.heatmap(d.grid, d.logp, hi - 12, hi);
    plots.density.label(`step ${d.step}`);
    this.bars.density.draw(0, top, 'ρ₁(x)');
    this.bars.densityLog.draw(hi - 12, hi, 'log ρ₁(x)');
    $('density-range').textContent = `(colour range ${fmt(hi - 12)} … ${fmt(hi)})`;
    plots.density.canvas.setAttribute(
        'aria-label', `model density ρ₁ at step ${d.step} on a ${d.grid.n}×${d.grid.n} grid: 0 to ${fmt(top)}`);
    plots.densityLog.canvas.setAttribute(
        'aria-label', `model log density at step ${d.step}: colours from ${fmt(hi - 12)} to ${fmt(hi)} (nats)`);
    $('density-info').textContent = `${d.grid.n}×${d.grid.n} points in ${(d.ms / 1000).toFixed(1)} s`;
  }
}

/** A sample plot's label: what it shows, or why the points cannot be seen (not finite, off the plot). */
function sampleNote(what: string, pts: Float32Array, nonFinite: number|undefined, ext: number): string {
  const n = pts.length / 2;
  if (nonFinite) return `${what}: ${Math.ceil(nonFinite / 2)} of ${n} samples are NaN or inf`;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(pts[2 * i]) <= ext && Math.abs(pts[2 * i + 1]) <= ext) inside++;
  }
  return inside < 0.5 * n ? `${what}: ${n - inside} of ${n} samples lie off the plot (|x| > ${ext})` : what;
}
