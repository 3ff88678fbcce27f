// The controls: the settings panel built from the settings list (select options from the library's name
// lists), the presets, the transport (play, step, reset) and the header's counters.
import type {App} from './app';
import {$} from './dom';
import type {SettingDef, Settings, Value} from './settings';
import {applyPreset, bounds, isVisible, options, optionLabel, parseValue, PRESETS, SETTINGS} from './settings';

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
    preset.onchange = () => app.replaceSettings(applyPreset(preset.value));
    $('btn-play').onclick = () => app.togglePlay();
    $('btn-step').onclick = () => app.send({type: 'step', k: 10});
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
      row.className = 'setting';
      row.title = d.help ?? '';
      const name = document.createElement('span');
      name.textContent = d.label;
      const input = makeInput(d);
      input.id = `set-${d.key}`;
      // The app checks the value (and names the values allowed if it is not one).
      input.addEventListener('change', () => this.app.update(d.key, readInput(d, input), input.value));
      row.append(name, input);
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

  showProgress(stepsPerSec: number, lr: number): void {
    $('sps').textContent = stepsPerSec.toFixed(stepsPerSec < 10 ? 1 : 0);
    $('lr').textContent = lr.toExponential(1);
  }

  /** A new run: counters from its step, no speed or learning rate yet. */
  resetCounters(step: number): void {
    this.showStep(step);
    $('sps').textContent = '0';
    $('lr').textContent = '–';
  }

  showRunning(on: boolean, reason?: string): void {
    $('btn-play').textContent = on ? '❚❚ pause' : '▶ play';
    $('status').textContent = on  ? 'training' :
        reason === 'done'         ? 'done (step limit)' :
        reason === 'error'        ? 'stopped (error)' :
        reason === 'bad settings' ? 'paused (bad settings: see the message)' :
                                    'paused';
  }

  showStatus(text: string): void {
    $('status').textContent = text;
  }
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
