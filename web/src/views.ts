// The views: sample plots, trajectories, fields, the density heatmaps and the charts, drawn from what the
// worker sent (kept on the App); plus the controls that only change what a view shows.
import type uPlot from 'uplot';
import type {App} from './app';
import {fmt, LineChart} from './charts';
import {$} from './dom';
import {COLORS, Plot2D} from './plot2d';
import type {FromWorker, SampleSet} from './protocol';
import {FRAMES} from './settings';

const QUALITY_AXES: uPlot.Axis[] = [{}, {size: 56, label: 'energy distance'}];
const SUPPORT_AXIS: uPlot.Axis = {
  scale: '%',
  side: 1,
  size: 56,
  grid: {show: false},
  label: 'on the support',
  values: (_u, vals) => vals.map((v) => `${Math.round(v * 100)}%`),
};
const LOSS_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

export class Views {
  private readonly plots = {
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
  };
  private readonly lossChart = new LineChart($('chart-loss'), {title: 'loss per field', perRow: 3});
  private readonly nllChart = new LineChart($('chart-nll'), {title: 'held-out NLL (nats)', perRow: 3});
  private readonly qualityChart =
      new LineChart($('chart-quality'), {title: 'sample quality', perRow: 3, scales: {'%': {range: [0, 1]}}});
  private readonly coeffChart = new LineChart($('chart-coeffs'), {title: 'α(t), β(t), γ(t)', xLabel: 't'});
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
    this.coeffChart.reset(
        [{label: 'α', color: '#1f77b4'}, {label: 'β', color: '#d62728'}, {label: 'γ', color: '#2ca02c'}]);
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
    this.lossChart.reset(lossKeys.map((k, i) => ({label: k, color: LOSS_COLORS[i % LOSS_COLORS.length]})));
    this.nllChart.reset([{label: 'model', color: '#1f77b4'}, {label: 'truth', color: '#555', dash: [4, 4]}]);
    const energy = [{label: 'energy ODE', color: '#1f77b4'}, {label: 'energy SDE', color: '#d62728'}];
    const support = [
      {label: 'support ODE', color: '#1f77b4', scale: '%', dash: [5, 3]},
      {label: 'support SDE', color: '#d62728', scale: '%', dash: [5, 3]},
    ];
    if (m.checkerboard) {
      this.qualityChart.reset([...energy, ...support], [...QUALITY_AXES, SUPPORT_AXIS]);
    } else {
      this.qualityChart.reset(energy, QUALITY_AXES);
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
    this.base(plots.ode);
    if (s?.ode) {
      plots.ode.points(s.ode, COLORS.ode);
      plots.ode.label(sampleNote(`step ${s.step}`, s.ode, s.metrics.nonFiniteOde, ext));
    } else if (s) {
      plots.ode.label(s.odeError ? 'the ODE failed: see the message' : 'no ODE samples');
    }
    this.base(plots.sde);
    if (s?.sde) {
      plots.sde.points(s.sde, COLORS.sde);
      plots.sde.label(sampleNote(`ε = ${s.eps}`, s.sde, s.metrics.nonFiniteSde, ext));
    } else if (s) {
      plots.sde.label(
          s.sdeError ? 'the SDE failed: see the message' : 'the SDE needs a score: learned fields "b only" have none');
    }
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
    }
  }

  renderField(): void {
    const {plots} = this;
    const f = this.app.lastField;
    for (const p of [plots.field, plots.exact, plots.error]) this.base(p, false);
    document.querySelectorAll('.field-name').forEach((el) => (el.textContent = f?.field ?? 'b'));
    $('field-note').textContent = f?.note ?? '';
    if (!f) return;
    if (f.learned && f.learned.every((v) => Math.abs(v) < 1e-9)) {
      $('field-note').textContent = `${f.field} is 0 everywhere at t = ${f.t.toFixed(2)}: move t`;
    }
    let scale: number|undefined;
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

  renderDensity(): void {
    const {plots} = this;
    const d = this.app.lastDensity;
    this.base(plots.density, false);
    this.base(plots.densityLog, false);
    if (!d) {
      plots.density.label(
          this.app.mirror ? 'not shown for the mirror' : 'first heatmap after a few seconds of training');
      return;
    }
    let hi = -Infinity;
    for (const v of d.logp) {
      if (Number.isFinite(v)) hi = Math.max(hi, v);
    }
    const dens = d.logp.map((v) => Math.exp(v - hi));
    plots.density.heatmap(d.grid, dens, 0, 1);
    plots.densityLog.heatmap(d.grid, d.logp, hi - 12, hi);
    plots.density.label(`step ${d.step}`);
    $('density-range').textContent = `(colour range ${fmt(hi - 12)} … ${fmt(hi)})`;
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
