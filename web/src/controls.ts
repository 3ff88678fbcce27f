// The controls: the settings panel built from the settings list (select options from the library's name
// lists), the presets, the transport (play, step, reset) and the header's counters.
import type {App} from './app';
import {$} from './dom';
import type {SettingDef, Settings, Value} from './settings';
import {applyPreset, bounds, isVisible, options, optionLabel, parseValue, PRESETS, restarts, SETTINGS} from './settings';

const GROUP_TITLES: Record<string, string> = {
  data: 'data',
  interpolant: 'interpolant',
  network: 'network',
  training: 'optimiser and training',
  sampler: 'samplers',
  view: 'view',
};

type Input = HTMLInputElement|HTMLSelectElement;

export class Controls {
  private readonly inputs = new Map<string, Input>();
  private readonly rows = new Map<string, HTMLElement>();

  constructor(private readonly app: App) {
    this.build();
    const preset = $('preset') as HTMLSelectElement;
    preset.add(new Option('— choose a preset —', ''));
    for (const [k, p] of Object.entries(PRESETS)) preset.add(new Option(p.label, k));
    preset.value = '';
    preset.onchange = () => this.choosePreset(preset.value);
    $('btn-play').onclick = () => app.togglePlay();
    // On a phone the settings are a drawer over the views.
    const drawer = (open: boolean) => {
      document.body.classList.toggle('drawer-open', open);
      $('btn-drawer').setAttribute('aria-expanded', String(open));
    };
    $('btn-drawer').onclick = () => drawer(!document.body.classList.contains('drawer-open'));
    $('btn-drawer-close').onclick = () => drawer(false);
    $('btn-step').onclick = () => app.stepOnce();
    $('btn-reset').onclick = () => app.configure();
    $('eps-slider').addEventListener('input', (e) => app.update('eps', Number((e.target as HTMLInputElement).value)));
    document.addEventListener('keydown', (e) => {
      const tag = (e.target as HTMLElement).tagName;
      if (e.code === 'Space' && !['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(tag)) {
        e.preventDefault();
        app.togglePlay();
      }
    });
  }

  /** The preset chosen last (its note says what it shows, what it costs here, and its smaller variant). */
  private preset = '';
  private lastSps = 0;
  /** A preset was chosen and its run has not begun: the speeds still coming are the old run's. */
  private presetPending = false;

  private choosePreset(name: string): void {
    this.preset = name;
    ($('preset') as HTMLSelectElement).value = name;
    this.lastSps = 0;
    this.presetPending = true;
    this.app.replaceSettings(applyPreset(name));
    this.showPresetNote();
  }

  private showPresetNote(): void {
    const p = PRESETS[this.preset];
    const note = $('preset-note');
    note.hidden = !p;
    if (!p) return;
    note.replaceChildren(p.about);
    const steps = this.app.settings.steps as number;
    if (this.lastSps > 0) {
      const t = document.createElement('b');
      t.id = 'preset-time';
      t.textContent = ` Here: about ${duration(steps / this.lastSps)} for ${steps.toLocaleString('en')} steps at ` +
          `${this.lastSps.toFixed(1)} steps/s.`;
      note.append(t);
      const threads = Number(document.body.dataset.threads), max = Number(document.body.dataset.maxThreads);
      if (max > threads)
        note.append(
            ` With ${max} threads (the header's "threads") it trains faster; the page then answers more slowly.`);
    } else {
      note.append(' (Its time here shows after a few steps.)');
    }
    if (p.small) {
      const b = document.createElement('button');
      b.id = 'btn-preset-small';
      b.textContent = 'use the browser size';
      b.onclick = () => this.choosePreset(p.small!);
      note.append(' ', b);
    }
    if (p.config) {
      const code = document.createElement('code');
      code.textContent = `si train --config ${p.config} --out model.json`;
      note.append(' Or train it natively: ', code, ', then "import model" below.');
    }
  }

  /** One row per setting shown in the panel, grouped; settings with a control elsewhere have none. */
  private build(): void {
    const box = $('settings');
    const groups = new Map<string, HTMLFieldSetElement>();
    for (const d of SETTINGS) {
      if (d.control) continue;
      let fs = groups.get(d.group);
      if (!fs) {
        fs = document.createElement('fieldset');
        fs.innerHTML = `<legend>${GROUP_TITLES[d.group]}</legend>`;
        box.append(fs);
        groups.set(d.group, fs);
      }
      const row = document.createElement('label');
      row.className = restarts(d) ? 'setting restart' : 'setting';
      const kind = restarts(d) ? 'Changing it starts a new network (the trained one can be brought back: undo).' :
                                 'Applies to the running model: nothing learned is lost.';
      row.title = d.help ? `${d.help}\n${kind}` : kind;
      const name = document.createElement('span');
      name.textContent = d.label;
      if (restarts(d)) {
        const mark = document.createElement('span');
        mark.className = 'restart-mark';
        mark.textContent = ' ↺';
        mark.setAttribute('aria-label', '(starts a new network)');
        name.append(mark);
      }
      const input = makeInput(d);
      input.id = `set-${d.key}`;
      // The app checks the value (and names the values allowed if it is not one).
      input.addEventListener('change', () => this.app.update(d.key, readInput(d, input), input.value));
      // The help, also for touch screens (no hover there): a "?" shows it under the control.
      const help = document.createElement('button');
      help.type = 'button';
      help.className = 'help-btn';
      help.textContent = '?';
      help.setAttribute('aria-label', `help: ${d.label}`);
      help.setAttribute('aria-expanded', 'false');
      const text = document.createElement('span');
      text.className = 'help-text';
      text.id = `help-${d.key}`;
      text.hidden = true;
      text.textContent = row.title.replace('\n', ' ');
      help.setAttribute('aria-controls', text.id);
      help.onclick = (e) => {
        e.preventDefault();
        text.hidden = !text.hidden;
        help.setAttribute('aria-expanded', String(!text.hidden));
      };
      row.append(name, input, help, text);
      fs.append(row);
      this.inputs.set(d.key, input);
      this.rows.set(d.key, row);
    }
  }

  /**
   * The controls show these settings; select options follow the library's lists (once they are known).
   * Only what differs is written (each write costs the page a style and layout pass).
   */
  sync(s: Settings): void {
    const set = <T extends object, K extends keyof T>(o: T, k: K, v: T[K]) => {
      if (o[k] !== v) o[k] = v;
    };
    for (const [key, input] of this.inputs) {
      const d = SETTINGS.find((x) => x.key === key)!;
      const v = s[key];
      if (input instanceof HTMLSelectElement) this.fillOptions(d, input, v);
      if (d.kind === 'bool') {
        set(input as HTMLInputElement, 'checked', Boolean(v));
      } else {
        set(input, 'value', String(v));
      }
      if (d.kind === 'number' || d.kind === 'int') {
        // The bounds in force (the library's limits, and the costs shared with the other settings).
        const b = bounds(d, this.app.catalog, s);
        const el = input as HTMLInputElement;
        set(el, 'min', b.min === undefined ? '' : String(b.min));
        set(el, 'max', b.max === undefined ? '' : String(b.max));
      }
      set(this.rows.get(key)!, 'hidden', !isVisible(d, s));
    }
    const eps = $('eps-slider') as HTMLInputElement;
    set(eps, 'value', String(s.eps));
    set($('eps-value'), 'textContent', String(s.eps));
  }

  private fillOptions(d: SettingDef, sel: HTMLSelectElement, current: Value): void {
    const want = options(d, this.app.catalog, current);
    if (sel.options.length === want.length && want.every((o, i) => sel.options[i].value === o)) return;
    sel.innerHTML = '';
    for (const o of want) sel.add(new Option(optionLabel(d, o), o));
  }

  showStep(step: number): void {
    $('step-count').textContent = String(step);
  }

  showProgress(stepsPerSec: number, lr: number, step: number): void {
    $('sps').textContent = stepsPerSec.toFixed(stepsPerSec < 10 ? 1 : 0);
    $('lr').textContent = lr.toExponential(1);
    const goal = this.app.settings.steps as number;
    $('eta').textContent =
        stepsPerSec > 0 && step < goal ? `≈ ${duration((goal - step) / stepsPerSec)} to step ${goal}` : '';
    // The preset's time here, once the speed has settled (a few seconds in).
    if (this.preset && !this.presetPending && step > 20 && Math.abs(stepsPerSec - this.lastSps) > 0.1 * this.lastSps) {
      this.lastSps = stepsPerSec;
      this.showPresetNote();
    }
  }

  /** A new run: counters from its step, no speed or learning rate yet. */
  resetCounters(step: number): void {
    this.showStep(step);
    // The preset's time is measured again on the new run.
    this.lastSps = 0;
    this.presetPending = false;
    this.showPresetNote();
    $('sps').textContent = '0';
    $('lr').textContent = '–';
  }

  showRunning(on: boolean, reason?: string): void {
    $('btn-play').textContent = on ? '❚❚ pause' : '▶ play';
    // A stopped run has no speed (the last one would be stale).
    if (!on) {
      $('sps').textContent = '–';
      $('eta').textContent = '';
    }
    $('status').textContent = on  ? 'training' :
        reason === 'new run'      ? 'starting…' :
        reason === 'done'         ? 'done (step limit)' :
        reason === 'error'        ? 'stopped (error)' :
        reason === 'bad settings' ? 'paused (bad settings: see the message)' :
                                    'paused';
  }

  private busyTimer = 0;

  /** What the worker is computing, shown only if it takes longer than a glance (300 ms). */
  showBusy(what: string): void {
    clearTimeout(this.busyTimer);
    const el = $('busy');
    if (!what) {
      el.textContent = '';
      document.body.dataset.busy = '';
      return;
    }
    document.body.dataset.busy = what;
    this.busyTimer = window.setTimeout(() => {
      el.textContent = `⏳ ${what}…`;
    }, 300);
  }

  showStatus(text: string): void {
    $('status').textContent = text;
  }
}

/** Seconds as a person reads them: "40 s", "12 min", "1 h 55 min". */
export function duration(sec: number): string {
  if (!Number.isFinite(sec)) return '–';
  if (sec < 90) return `${Math.max(1, Math.round(sec))} s`;
  const min = Math.round(sec / 60);
  return min < 90 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

function makeInput(d: SettingDef): Input {
  if (d.kind === 'enum') return document.createElement('select');
  const input = document.createElement('input');
  if (d.kind === 'bool') {
    input.type = 'checkbox';
    return input;
  }
  if (d.kind === 'auto-number') {
    input.type = 'text';
    input.inputMode = 'decimal';
    input.placeholder = 'auto';
    return input;
  }
  input.type = 'number';
  input.step = d.kind === 'int' ? '1' : String(d.step ?? 'any');
  return input;
}

/** What the control holds: a number (NaN if it holds none), 'auto', a name or a boolean. */
function readInput(d: SettingDef, input: Input): unknown {
  if (d.kind === 'bool') return (input as HTMLInputElement).checked;
  if (d.kind === 'enum') return input.value;
  return parseValue(d, input.value);
}
