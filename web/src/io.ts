// Files: the model as JSON (export, and import to continue training it), the samples as CSV, any panel as
// PNG, and the link to the run.
import type {App} from './app';
import {$} from './dom';
import {configToSettings} from './settings';

const MAX_MODEL_BYTES = 64 * 2 ** 20;

export class Files {
  constructor(private readonly app: App) {
    $('btn-export-model').onclick = () => app.send({type: 'export'});
    ($('file-import') as HTMLInputElement).onchange = async (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = '';
      if (!file) return;
      // Parsed on the main thread (for its config): a file far larger than any network within the page's
      // budgets (~20 MB of JSON at most) is refused unread.
      if (file.size > MAX_MODEL_BYTES) {
        app.messages.show(
            `${file.name} has ${(file.size / 2 ** 20).toFixed(0)} MB; the page takes model files up to ` +
                `${MAX_MODEL_BYTES / 2 ** 20} MB`,
            'import');
        return;
      }
      this.importModel(await file.text(), file.name);
    };
    $('btn-export-csv').onclick = () => this.exportCsv();
    $('btn-copy-link').onclick = async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        app.messages.show('link copied', 'link', 'info');
      } catch {
        app.messages.show(location.href, 'link', 'info');
      }
    };
    for (const b of document.querySelectorAll<HTMLButtonElement>('button.png')) {
      b.onclick = () => this.panelPng(b.dataset.png!);
    }
  }

  /** The worker's model file (the library's format, as the command-line tool writes it). */
  saveModel(json: string): void {
    download(new Blob([json], {type: 'application/json'}), `si-model-step${this.app.step}.json`);
  }

  /**
   * Reads the model's config into the controls' settings and hands the file to the worker, which
   * continues from its weights (Model.fromJSON, new TrainingSession(model.config), loadWeights).
   */
  importModel(text: string, name: string): void {
    const app = this.app;
    app.messages.clear(['import']);
    let file: Record<string, unknown>;
    try {
      file = JSON.parse(text);
    } catch (err) {
      app.messages.show(`${name} is not JSON (${(err as Error).message})`, 'import');
      return;
    }
    if (!file || typeof file !== 'object' || typeof file.config !== 'object') {
      app.messages.show(`${name} is not a model file (no "config")`, 'import');
      return;
    }
    const {settings, lost} = configToSettings(file.config as Record<string, unknown>, app.settings, app.catalog);
    // The library's file records the steps behind the weights ("steps", which loadWeights counts). Files
    // from before it did: this page's old "web_app" key, else a file name such as si-model-step1234.json.
    const web = (file.web_app ?? {}) as Record<string, unknown>;
    let uncounted = 0;
    if (typeof file.steps !== 'number') {
      uncounted = typeof web.steps_trained === 'number' ? web.steps_trained : Number(/step(\d+)/.exec(name)?.[1] ?? 0);
    }
    app.pendingImport = {settings, lost, name};
    app.send({
      type: 'import',
      json: text,
      uncounted,
      settings,
      view: app.viewRequest(),
    });
  }

  private exportCsv(): void {
    const app = this.app;
    const lines = ['kind,x,y'];
    const add = (kind: string, a?: ArrayLike<number>) => {
      if (!a) return;
      for (let i = 0; i + 1 < a.length; i += 2) lines.push(`${kind},${a[i]},${a[i + 1]}`);
    };
    add('target', app.target);
    add('ode', app.samples?.ode);
    add(`sde_eps${app.samples?.eps ?? ''}`, app.samples?.sde);
    download(new Blob([lines.join('\n') + '\n'], {type: 'text/csv'}), `si-samples-step${app.samples?.step ?? 0}.csv`);
  }

  saveText(text: string, name: string): void {
    if (text) download(new Blob([text], {type: 'text/csv'}), name);
  }

  /**
   * A figure of several panels as one image: the title, then every canvas, row heading and caption inside
   * `box` where it is on screen.
   */
  figurePng(box: HTMLElement, title: string, name: string): void {
    const canvases = Array.from(box.querySelectorAll('canvas')).filter((c) => c.offsetParent !== null);
    if (!canvases.length) return;
    const origin = box.getBoundingClientRect();
    const k = canvases[0].width / canvases[0].getBoundingClientRect().width;
    const head = 30;
    const out = document.createElement('canvas');
    out.width = Math.ceil(box.scrollWidth * k);
    out.height = Math.ceil((box.scrollHeight + head) * k);
    const c = out.getContext('2d')!;
    c.scale(k, k);
    c.fillStyle = '#fff';
    c.fillRect(0, 0, out.width, out.height);
    c.fillStyle = '#0f172a';
    c.font = '600 16px sans-serif';
    c.fillText(title, 4, 20);
    for (const cv of canvases) {
      const r = cv.getBoundingClientRect();
      c.drawImage(cv, r.left - origin.left, r.top - origin.top + head, r.width, r.height);
    }
    for (const el of Array.from(box.querySelectorAll<HTMLElement>('h3, figcaption'))) {
      const r = el.getBoundingClientRect();
      const caption = el.tagName === 'FIGCAPTION';
      c.font = caption ? '11px sans-serif' : '600 13px sans-serif';
      c.fillStyle = caption ? '#555' : '#0f172a';
      c.textAlign = caption ? 'center' : 'left';
      c.fillText(
          el.textContent ?? '', caption ? r.left - origin.left + r.width / 2 : r.left - origin.left,
          r.top - origin.top + head + (caption ? 11 : 14), caption ? r.width : undefined);
    }
    out.toBlob((blob) => blob && download(blob, name));
  }

  /** Every canvas of a panel side by side on one white image, with the panel's title. */
  private panelPng(id: string): void {
    const panel = $(id);
    const canvases = Array.from(panel.querySelectorAll('canvas')).filter((c) => c.offsetParent !== null && c.width > 0);
    const pad = 10;
    const head = 28;
    const w = canvases.reduce((s, c) => s + c.width + pad, pad);
    const h = Math.max(...canvases.map((c) => c.height), 10) + head + pad;
    const out = document.createElement('canvas');
    out.width = w;
    out.height = h;
    const c = out.getContext('2d')!;
    c.fillStyle = '#fff';
    c.fillRect(0, 0, w, h);
    c.fillStyle = '#222';
    c.font = '16px sans-serif';
    const title = panel.querySelector('h2')?.firstChild?.textContent?.trim() ?? id;
    c.fillText(`${title} — step ${this.app.step}`, pad, 20);
    let x = pad;
    for (const cv of canvases) {
      c.drawImage(cv, x, head);
      x += cv.width + pad;
    }
    out.toBlob((blob) => blob && download(blob, `si-${id.replace('panel-', '')}-step${this.app.step}.png`));
  }
}

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
