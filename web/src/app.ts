// The page's one object: the settings and what the worker sent about the current run, the worker
// connection, and the one way settings change (update). Controls, views, the drawing pad, files and
// formulas are its parts, each in its own module. No maths happens here.
import {Controls} from './controls';
import {$, Messages} from './dom';
import {DrawPad} from './drawpad';
import {FiguresView} from './figures';
import {Formulas} from './formulas';
import {Guide} from './guide';
import {Files} from './io';
import type {FromWorker, SampleSet, Threads, ToWorker, ViewRequest} from './protocol';
import type {Catalog, FigureKind, FigureState, SamplerOptions, Settings, Value} from './settings';
import {drawnProblems, fieldShown, formatValue, fromQuery, invalid, onScreen, pageProblems} from './settings';
import {samplerOptions, settingDef} from './settings';
import {DENSITY_GRID, SETTINGS, settingsProblems, titleOf, toQuery} from './settings';
import {FIGURE_SETTINGS, figureDefaults, figureFromQuery, figureInvalid, figureToQuery} from './settings';
import {Views} from './views';

const FIELD_GRID = 17;
/** Where the page keeps the thread count a visitor chose (localStorage). */
const THREADS_KEY = 'si-threads';

export class App {
  settings: Settings;
  /** The library's name lists (from the worker); empty until it has loaded. */
  catalog: Catalog = {names: {}};
  /** The current run, as the worker described it. */
  gen = 0;
  running = false;
  step = 0;
  fieldNames: string[] = [];
  checkerboard = false;
  mirror = false;
  trueNll?: number;
  target?: Float32Array;
  base?: Float32Array;
  samples?: SampleSet;
  sampleVersion = 0;
  xt?: {times: Float64Array; frames: Float32Array[]};
  lastField?: FromWorker&{type: 'field'};
  lastDensity?: FromWorker&{type: 'density'};
  lastNll?: number;
  /** The worker's last answer to a 'memory' request (diagnostics, tests). */
  memory?: {heapSize: number; allocated: number; runs: number; kept: boolean; count: number};
  /** Settings waiting for the worker to accept an imported model (then they become the page's). */
  pendingImport: {settings: Settings; lost: string[]; name: string}|null = null;

  readonly messages = new Messages();
  readonly controls: Controls;
  readonly views: Views;
  readonly pad: DrawPad;
  readonly files: Files;
  readonly formulas = new Formulas();
  /** Which view the link opened: training ('train') or the paper's figures (?view=figures). */
  readonly view: 'train'|'figures';
  /** The Figures view's figure and its settings (in the link while that view is open). */
  figure: FigureState;
  readonly figures: FiguresView;
  private readonly worker: Worker;
  private configureTimer = 0;
  /** The link, checked again once the library's lists and limits arrive (onReady). */
  private readonly link: {query: string; parsed: string; problems: string[]};

  constructor(query: string) {
    // The link's values are checked against the page's own bounds now, and against the library's names
    // and limits once they arrive (onReady): its problems are shown then, with the values allowed.
    const t0 = performance.now();
    this.view = new URLSearchParams(query).get('view') === 'figures' ? 'figures' : 'train';
    const fig = figureFromQuery(this.view === 'figures' ? query : '');
    this.figure = fig.state;
    const parsed = fromQuery(this.view === 'figures' ? '' : query);
    performance.measure('si:link-check', {start: t0});
    this.settings = parsed.settings;
    this.link = {query, parsed: toQuery(parsed.settings), problems: [...parsed.problems, ...fig.problems]};
    document.body.dataset.view = this.view;
    $('view-figures').hidden = this.view !== 'figures';
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.train-only')))
      el.hidden = this.view === 'figures';
    $(this.view === 'figures' ? 'nav-figures' : 'nav-train').classList.add('active');
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), {type: 'module'});
    this.worker.onerror = (e) => this.messages.show(e.message || 'the training worker failed to start', 'worker');
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    this.controls = new Controls(this);
    this.views = new Views(this);
    this.pad = new DrawPad(this);
    this.files = new Files(this);
    this.figures = new FiguresView(this);
    new Guide(this);
    if (this.view === 'figures') this.figures.build(this.figure);
    this.sync();
    this.renderAll();
    void this.formulas.typeset();
  }

  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  togglePlay(): void {
    if (!this.running && this.refuseTraining()) return;
    this.send({type: this.running ? 'pause' : 'play'});
  }

  /** Ten training steps, unless the data set still has to be drawn. */
  stepOnce(): void {
    if (!this.refuseTraining()) this.send({type: 'step', k: 10});
  }

  /** A drawn set still empty: play and step would train the previous model under these settings; say so. */
  private refuseTraining(): boolean {
    const missing = drawnProblems(this.settings);
    missing.forEach((p) => this.messages.show(`${p}; nothing trains until then`, 'drawing'));
    return missing.length > 0;
  }

  /** The sampler options the settings describe: what the worker passes to the package. */
  sampler(): SamplerOptions {
    return samplerOptions(this.settings);
  }

  fieldShown(): string {
    return fieldShown(this.settings);
  }

  viewRequest(): ViewRequest {
    const grid = (n: number) => ({n, ext: this.settings.ext as number});
    return {
      fieldT: this.settings.ft as number,
      field: this.views.fieldChoice(),
      fieldGrid: grid(FIELD_GRID),
      densityGrid: grid(DENSITY_GRID),
    };
  }

  configureSoon(delay = 250): void {
    clearTimeout(this.configureTimer);
    this.configureTimer = window.setTimeout(() => {
      this.configureTimer = 0;
      this.configure();
    }, delay);
  }

  /**
   * A new run from the settings, unless the page sees a problem first: every value within its bounds
   * (the library's limits and the costs of settings together) before anything is built or sent.
   */
  configure(): void {
    clearTimeout(this.configureTimer);
    this.configureTimer = 0;
    const problems = [...settingsProblems(this.settings, this.catalog), ...pageProblems(this.settings, this.catalog)];
    this.messages.clear(['settings', 'training', 'drawing', 'import', 'undo', 'ODE sampler', 'SDE sampler']);
    if (problems.length) {
      // A drawn set still empty: nothing trains until it is drawn (the pad asks for the points).
      const drawing = drawnProblems(this.settings).length > 0;
      if (drawing && this.running) this.send({type: 'pause'});
      // The views still show the previous model: dimmed, they say they are not of these settings.
      document.body.dataset.waiting = drawing ? 'drawing' : '';
      const what = drawing ? 'nothing trains until then' :
          this.gen         ? (this.running ? 'the previous model keeps training' : 'the previous model is kept') :
                             'nothing to train yet';
      problems.forEach((p) => this.messages.show(`${p}; ${what}`, 'settings'));
      this.controls.showStatus(
          this.gen ? (this.running ? 'training (previous settings)' : 'paused') : 'waiting for settings');
      return;
    }
    this.controls.showStatus('starting…');
    this.send({type: 'configure', settings: {...this.settings}, play: true, view: this.viewRequest()});
  }

  /**
   * The one way a setting changes: the value is checked (its bounds, the library's limits, the costs it
   * shares with the other settings; `text` is what was typed), then mirrored to the URL and the controls,
   * and the setting's effect follows. A bad value changes nothing: a message names the control and the
   * values allowed, and the control shows the value in force again. Returns whether the value was taken.
   */
  update(key: string, value: unknown, text = String(value)): boolean {
    const d = settingDef(key);
    const s = this.settings;
    const why = invalid(d, value, this.catalog, s);
    if (why) {
      const shown = text.length > 40 ? `${text.slice(0, 37)}…` : text;
      this.messages.show(`${titleOf(d)}: "${shown}" ${why}; kept ${formatValue(d, s[key])}`, 'settings');
      this.sync();
      return false;
    }
    s[key] = value as Value;
    // Paths that fix the field set: switch it along so the common case just works.
    if (key === 'path' && value === 'mirror') s.fields = 's';
    if (key === 'path' && value !== 'mirror' && s.fields === 's') s.fields = 'b+s';
    if (key === 'b' && value !== 'gaussian' && this.catalog.noiseBase?.includes(String(s.path))) {
      this.messages.show(`${s.path} needs the base N(0, I): switched the path to linear (two-sided)`, 'path', 'info');
      s.path = 'linear';
      if (s.fields === 's') s.fields = 'b+s';
    }
    this.sync();
    if (d.effect === 'train') {
      this.pad.render();
      this.configureSoon();
    } else if (d.effect === 'tune') {
      // Applied to the running model; a new run on its way (or none yet) takes it with the rest.
      this.messages.clear(['training']);
      if (!this.gen || this.configureTimer) {
        this.configureSoon();
      } else {
        this.send({type: 'tune', settings: {...s}});
      }
    } else if (d.effect === 'sample') {
      // Options that only the SDE reads re-sample the SDE alone: the ODE samples stay as they are.
      const sdeOnly = d.sampler!.every((slot) => slot.path.startsWith('sde.'));
      this.send({type: 'sampler', settings: {...s}, sdeOnly});
    } else {
      this.send({type: 'view', view: this.viewRequest()});
      if (d.effect === 'view') this.renderAll();
    }
    return true;
  }

  /** The Figures view shows another figure, with its default settings. */
  setFigure(kind: FigureKind): void {
    this.messages.clear(['link', 'figure']);
    this.figure = {kind, values: figureDefaults(kind)};
    this.figures.build(this.figure);
    this.sync();
    this.figures.compute(this.figure);
  }

  /** A figure setting changes (checked like update's: a bad value changes nothing and says why). */
  updateFigure(key: string, value: unknown, text = String(value)): boolean {
    const d = FIGURE_SETTINGS[this.figure.kind].find((x) => x.key === key)!;
    const why = figureInvalid(d, value, this.catalog);
    this.messages.clear(['figure']);
    if (why) {
      const shown = text.length > 40 ? `${text.slice(0, 37)}…` : text;
      this.messages.show(`${d.label}: "${shown}" ${why}; kept ${this.figure.values[key]}`, 'figure');
      this.sync();
      return false;
    }
    this.figure.values[key] = value as Value;
    this.sync();
    this.figures.compute(this.figure);
    return true;
  }

  /** The figure's settings as they were (the library refused a value): the controls and the link show them. */
  restoreFigure(f: FigureState): void {
    this.figure = {kind: f.kind, values: {...f.values}};
    this.sync();
  }

  /** All settings at once (a preset): a new run. */
  replaceSettings(s: Settings): void {
    this.settings = s;
    this.sync();
    this.configureSoon(0);
  }

  /** Controls and the link show the settings. */
  private sync(): void {
    if (this.view === 'figures') {
      this.figures.sync(this.figure);
      history.replaceState(null, '', `?${figureToQuery(this.figure)}`);
      return;
    }
    this.controls.sync(this.settings);
    this.views.syncFieldControls();
    const q = toQuery(this.settings);
    history.replaceState(null, '', q ? `?${q}` : location.pathname);
  }

  private renderAll(): void {
    this.views.renderAll();
    this.pad.render();
  }

  private onMessage(m: FromWorker): void {
    if ('gen' in m && m.gen !== this.gen && m.type !== 'configured') return;
    switch (m.type) {
      case 'ready':
        return this.onReady(m);
      case 'configured':
        return this.onConfigured(m);
      case 'progress':
        this.step = m.step;
        this.controls.showStep(m.step);
        this.controls.showProgress(m.stepsPerSec, m.lr, m.step);
        this.views.onLoss(m.step, m.losses);
        if (m.running !== this.running) this.setRunning(m.running);
        return;
      case 'busy':
        return this.controls.showBusy(m.what);
      case 'tuned':
        this.step = m.step;
        this.controls.showStep(m.step);
        if (!m.running && m.step >= m.maxSteps) this.setRunning(false, 'done');
        return;
      case 'state':
        this.step = m.step;
        this.controls.showStep(m.step);
        return this.setRunning(m.running, m.reason);
      case 'samples':
        return this.onSamples(m);
      case 'xt':
        this.xt = {times: m.times, frames: m.frames};
        return this.views.renderTrajectories();
      case 'field':
        this.lastField = m;
        return this.views.renderField();
      case 'density':
        this.lastDensity = m;
        return this.views.renderDensity();
      case 'nll':
        this.lastNll = m.nll;
        return this.views.onNll(m.step, m.nll);
      case 'model':
        return this.files.saveModel(m.json);
      case 'rejected':
        // The worker checked the settings again and took none of them: the run goes on as it was.
        if (m.where === 'import') this.pendingImport = null;
        m.problems.forEach((p) => this.messages.show(onScreen(p), m.where));
        if (this.gen) {
          this.setRunning(m.running);
        } else {
          this.controls.showStatus('waiting for settings');
        }
        return;
      case 'figure':
        return this.figures.onResult(m);
      case 'threads':
        return this.showThreads(m.threads);
      case 'memory':
        this.memory = {
          heapSize: m.heapSize,
          allocated: m.allocated,
          runs: m.runs,
          kept: m.kept,
          count: (this.memory?.count ?? 0) + 1
        };
        return;
      case 'error':
        if (m.where === 'import') this.pendingImport = null;
        this.messages.show(onScreen(m.message), m.where);
        if (m.where === 'startup') {
          this.controls.showStatus('failed to load');
          this.link.problems.forEach((p) => this.messages.show(p, 'link'));
        }
        if (m.where === 'settings' && !this.gen) this.controls.showStatus('not started (bad settings)');
        return;
    }
  }

  /**
   * "threads [2]" beside steps/s where the page is isolated (a choice, kept for the next visit), else
   * "1 thread" with a tooltip that says why there is only one.
   */
  private showThreads(t: Threads): void {
    const el = $('threads');
    document.body.dataset.threads = String(t.threads);
    document.body.dataset.maxThreads = String(t.max);
    if (t.max <= 1) {
      el.textContent = '1 thread';
      el.title = `single-threaded WebAssembly: ${t.reason ?? 'no threads'}`;
      return;
    }
    el.title = `training and sampling use ${t.threads} of ${t.max} threads (WebAssembly threads). The page ` +
        `starts on all cores but one: with every core busy it answers your clicks more slowly.`;
    let select = el.querySelector('select');
    if (!select || select.options.length !== t.max) {
      const label = document.createElement('label');
      label.append('threads ');
      select = document.createElement('select');
      select.id = 'threads-select';
      for (let k = 1; k <= t.max; k++) select.add(new Option(k === t.max ? `${k} (all cores)` : String(k), String(k)));
      select.onchange = () => {
        const k = Number(select!.value);
        try {
          localStorage.setItem(THREADS_KEY, String(k));
        } catch {
          // Storage blocked (a private window, say): the choice holds for this visit only.
        }
        this.send({type: 'threads', threads: k});
      };
      label.append(select);
      el.replaceChildren(label);
    }
    select.value = String(t.threads);
  }

  /** The thread count chosen on an earlier visit, if this page can run it (else none). */
  private savedThreads(max: number): number|null {
    let k = NaN;
    try {
      k = Number(localStorage.getItem(THREADS_KEY));
    } catch {
      return null;
    }
    return Number.isInteger(k) && k >= 1 && k <= max ? k : null;
  }

  /**
   * The library's lists are known: the select options come from them, and the link's enum values are
   * checked against them (a bad one is reported and falls back to its default). Then the first run.
   */
  private onReady(m: FromWorker&{type: 'ready'}): void {
    $('version').textContent = `Library ${m.version}.`;
    this.showThreads(m.threads);
    const saved = this.savedThreads(m.threads.max);
    if (saved !== null && saved !== m.threads.threads) this.send({type: 'threads', threads: saved});
    this.catalog = m.catalog;
    if (this.view === 'figures') {
      const checked = figureFromQuery(this.link.query, this.catalog);
      checked.problems.forEach((p) => this.messages.show(p, 'link'));
      this.figure = checked.state;
      this.figures.build(this.figure);
      this.sync();
      this.figures.compute(this.figure);
      return;
    }
    // The link as it was typed, unless the settings changed meanwhile (then the settings as they are).
    const unchanged = toQuery(this.settings) === this.link.parsed;
    const t0 = performance.now();
    const checked = fromQuery(unchanged ? this.link.query : toQuery(this.settings), this.catalog);
    // (The tests read how long the link's checks took: they must never block the page.)
    performance.measure('si:link-check', {start: t0});
    this.settings = checked.settings;
    checked.problems.forEach((p) => this.messages.show(p, 'link'));
    this.sync();
    this.renderAll();
    this.configure();
  }

  private setRunning(on: boolean, reason?: string): void {
    this.running = on;
    this.controls.showRunning(on, reason);
    document.body.dataset.running = on ? '1' : '0';
  }

  private onConfigured(m: FromWorker&{type: 'configured'}): void {
    this.gen = m.gen;
    const imp = this.pendingImport;
    if (m.imported && imp) {
      clearTimeout(this.configureTimer);
      this.settings = imp.settings;
      this.messages.show(
          `${imp.name} imported (step ${m.step}): the controls and the link show its settings; ` +
              'press play to continue training it, reset for a new network',
          'import', 'info');
      if (imp.lost.length) {
        this.messages.show(
            `the controls cannot show: ${imp.lost.join('; ')}. Training continues with the file's own ` +
                'settings; a link or a reset uses the controls\' values.',
            'import', 'info');
      }
      this.pendingImport = null;
    }
    document.body.dataset.waiting = '';
    if (m.restored) {
      clearTimeout(this.configureTimer);
      this.settings = {...m.restored};
      this.messages.clear(['settings', 'training', 'undo']);
      this.messages.show(`the previous run is back (step ${m.step}), paused: press play to go on`, 'undo', 'info');
    }
    if (m.previous) this.offerUndo(m.previous);
    this.step = m.step;
    this.fieldNames = m.fieldNames;
    this.checkerboard = m.checkerboard;
    this.trueNll = m.trueNll;
    this.target = m.target;
    this.base = m.base;
    this.samples = undefined;
    this.xt = undefined;
    this.lastField = undefined;
    this.lastDensity = undefined;
    this.lastNll = undefined;
    this.mirror = (m.config.interpolant as Record<string, unknown>).path === 'mirror';
    this.controls.resetCounters(m.step);
    document.body.dataset.gen = String(m.gen);
    document.body.classList.toggle('checker', m.checkerboard);
    document.body.classList.toggle('exact', m.exact);
    document.body.classList.toggle('mirror', this.mirror);
    this.sync();
    this.views.onConfigured(m);
    // The model may not have the field asked for (then the view shows its first one).
    this.send({type: 'view', view: this.viewRequest()});
    this.formulas.showPath(m.config.interpolant as Record<string, unknown>, String(m.config.fields));
    this.renderAll();
  }

  /** A new network replaced a trained one: say what changed, and offer it back. */
  private offerUndo(previous: {step: number; settings: Settings}): void {
    const changed = SETTINGS.filter((d) => d.effect === 'train' && previous.settings[d.key] !== this.settings[d.key])
                        .map(
                            (d) => `${titleOf(d)} ${formatValue(d, previous.settings[d.key])} → ` +
                                formatValue(d, this.settings[d.key]));
    const what = changed.length ? changed.slice(0, 3).join(', ') : 'reset';
    this.messages.clear(['undo']);
    this.messages.show(
        `a new network started (${what}); the previous one, trained ${
            previous.step} steps, is kept until the next change`,
        'undo', 'info', {label: 'undo', run: () => this.send({type: 'undo'})});
  }

  private onSamples(m: SampleSet): void {
    this.samples = m;
    this.sampleVersion++;
    const q = m.metrics;
    for (const [kind, bad] of [['ODE', q.nonFiniteOde], ['SDE', q.nonFiniteSde]] as const) {
      if (bad) {
        this.messages.show(
            `${bad} of ${m.ode ? m.ode.length : '?'} sample coordinates are not finite (NaN or inf) ` +
                `at step ${m.step}`,
            `${kind} sampler`);
      }
    }
    document.body.dataset.nonFinite = `${q.nonFiniteOde ?? ''},${q.nonFiniteSde ?? ''}`;
    this.views.onSamples(m);
    document.body.dataset.sampleVersion = String(this.sampleVersion);
    document.body.dataset.sampleStep = String(m.step);
    document.body.dataset.sdeEps = String(m.eps);
  }
}
