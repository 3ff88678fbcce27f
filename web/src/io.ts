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

  /**
   * A panel as one image, laid out as on screen: its title (and the step), its caption, then every plot
   * and chart with the captions under them, the charts' titles and legends (swatches drawn like the
   * marks) and the colour bars; the panel's legend lines (e.g. the Fields view's arrow scale) below.
   */
  private panelPng(id: string): void {
    const panel = $(id);
    const shown = (el: Element) => (el as HTMLElement).offsetParent !== null;
    const canvases = Array.from(panel.querySelectorAll('canvas')).filter((c) => shown(c) && c.width > 0);
    const texts =
        Array.from(panel.querySelectorAll<HTMLElement>('figcaption, .u-title, .chart-legend .entry')).filter(shown);
    if (!canvases.length) return;
    const rects = [...canvases, ...texts].map((el) => el.getBoundingClientRect());
    const left = Math.min(...rects.map((r) => r.left));
    const top = Math.min(...rects.map((r) => r.top));
    const right = Math.max(...rects.map((r) => r.right));
    const bottom = Math.max(...rects.map((r) => r.bottom));
    const width = Math.max(360, right - left);
    const pad = 10;
    // The canvases' own resolution (no blurry upscaling): device pixels per CSS pixel.
    const k = Math.max(1, canvases[0].width / canvases[0].getBoundingClientRect().width);
    const measure = document.createElement('canvas').getContext('2d')!;
    const wrap = (text: string, font: string, w: number): string[] => {
      measure.font = font;
      const out: string[] = [];
      let line = '';
      for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
        const next = line ? `${line} ${word}` : word;
        if (line && measure.measureText(next).width > w) {
          out.push(line);
          line = word;
        } else {
          line = next;
        }
      }
      if (line) out.push(line);
      return out;
    };
    const title = panel.querySelector('h2')?.firstChild?.textContent?.trim() ?? id;
    const captionFont = '12px sans-serif';
    const caption = wrap(panel.querySelector('.caption')?.textContent ?? '', captionFont, width);
    const notes = Array.from(panel.querySelectorAll<HTMLElement>('.field-legend, #field-err, #density-info'))
                      .filter((el) => shown(el) && el.textContent)
                      .flatMap((el) => wrap(el.textContent!, captionFont, width));
    const head = 26 + 15 * caption.length + 6;
    const foot = notes.length ? 8 + 15 * notes.length : 0;
    const out = document.createElement('canvas');
    out.width = Math.ceil((width + 2 * pad) * k);
    out.height = Math.ceil((head + bottom - top + foot + pad) * k);
    const c = out.getContext('2d')!;
    c.scale(k, k);
    c.fillStyle = '#fff';
    c.fillRect(0, 0, width + 2 * pad, out.height);
    c.fillStyle = '#222';
    c.font = '600 16px sans-serif';
    c.fillText(`${title} — step ${this.app.step}`, pad, 20);
    c.fillStyle = '#555';
    c.font = captionFont;
    caption.forEach((l, i) => c.fillText(l, pad, 38 + 15 * i));
    const x0 = pad - left;
    const y0 = head - top;
    for (const cv of canvases) {
      const r = cv.getBoundingClientRect();
      c.drawImage(cv, r.left + x0, r.top + y0, r.width, r.height);
    }
    c.textBaseline = 'middle';
    for (const el of texts) {
      const r = el.getBoundingClientRect();
      const y = r.top + y0 + r.height / 2;
      if (el.classList.contains('entry')) {
        const color = el.dataset.color ?? '#222';
        c.strokeStyle = color;
        c.lineWidth = 2;
        c.setLineDash(el.dataset.dash === 'dashed' ? [5, 3] : []);
        c.beginPath();
        c.moveTo(r.left + x0 + 1, y);
        c.lineTo(r.left + x0 + 23, y);
        c.stroke();
        c.setLineDash([]);
        c.fillStyle = '#222';
        c.font = '12px sans-serif';
        c.textAlign = 'left';
        const words = Array.from(el.children).slice(1).map((x) => x.textContent).join(' ');
        c.fillText(words, r.left + x0 + 28, y);
      } else {
        const isTitle = el.classList.contains('u-title');
        c.fillStyle = isTitle ? '#222' : '#555';
        c.font = isTitle ? '600 13px sans-serif' : '11px sans-serif';
        c.textAlign = 'center';
        // (innerText keeps the caption's line breaks.)
        const lines = (el.innerText ?? '').split('\n').flatMap((l) => wrap(l, c.font, r.width));
        const lh = isTitle ? 16 : 13;
        lines.forEach((l, i) => c.fillText(l, r.left + x0 + r.width / 2, y + (i - (lines.length - 1) / 2) * lh));
      }
    }
    c.textAlign = 'left';
    c.textBaseline = 'alphabetic';
    c.fillStyle = '#333';
    c.font = captionFont;
    notes.forEach((l, i) => c.fillText(l, pad, head + bottom - top + 16 + 15 * i));
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
