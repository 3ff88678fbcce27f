// The controls: the settings panel built from the settings list (select options from the library's name
// lists), the presets, the transport (play, step, reset) and the header's counters.
import type {App} from './app';
import {$} from './dom';
import type {SettingDef, Settings, Value} from './settings';
import {applyPreset, isVisible, options, optionLabel, parseValue, PRESETS, SETTINGS} from './settings';

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
      input.addEventListener('change', () => {
        const v = readInput(d, input);
        if (v === undefined) {
          this.app.messages.show(
              `${d.label}: "${input.value}" is not ${d.kind === 'auto-number' ? 'auto or ' : ''}a number`, 'settings');
          return;
        }
        this.app.update(d.key, v);
      });
      row.append(name, input);
      fs.append(row);
      this.inputs.set(d.key, input);
      this.rows.set(d.key, row);
    }
  }

  /** The controls show these settings; select options follow the library's lists (once they are known). */
  sync(s: Settings): void {
    for (const [key, input] of this.inputs) {
      const d = SETTINGS.find((x) => x.key === key)!;
      const v = s[key];
      if (input instanceof HTMLSelectElement) this.fillOptions(d, input, v);
      if (d.kind === 'bool') {
        (input as HTMLInputElement).checked = Boolean(v);
      } else {
        input.value = String(v);
      }
      this.rows.get(key)!.hidden = !isVisible(d, s);
    }
    const eps = $('eps-slider') as HTMLInputElement;
    eps.value = String(s.eps);
    $('eps-value').textContent = String(s.eps);
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
    $('status').textContent = on ? 'training' :
        reason === 'done'        ? 'done (step limit)' :
        reason === 'error'       ? 'stopped (error)' :
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
  if (d.min !== undefined && d.key !== 'lr') input.min = String(d.min);
  if (d.max !== undefined) input.max = String(d.max);
  return input;
}

/** The control's value; undefined when a number control holds no number (ranges are checked by the library). */
function readInput(d: SettingDef, input: Input): Value|undefined {
  if (d.kind === 'bool') return (input as HTMLInputElement).checked;
  if (d.kind === 'enum') return input.value;
  const v = parseValue(d, input.value);
  if (v === 'auto') return v;
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  return d.kind === 'int' ? Math.round(v) : v;
}
