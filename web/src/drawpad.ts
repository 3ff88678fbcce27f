// The drawing pad: points drawn with the mouse become the data set of a side ('points' distribution);
// they travel in the URL like every other setting (settings.ts encodePoints).
import type {App} from './app';
import {$} from './dom';
import {COLORS, Plot2D} from './plot2d';
import {decodePoints, encodePoints} from './settings';

export class DrawPad {
  private readonly plot = new Plot2D($('cv-draw') as HTMLCanvasElement, 340);
  /** The side being drawn for: base or target. */
  private side: 'b'|'t' = 't';
  /** The points of the stroke in progress (with the side's earlier points), null between strokes. */
  private drawing: [number, number][]|null = null;

  constructor(private readonly app: App) {
    const pad = this.plot.canvas;
    pad.addEventListener('pointerdown', (e) => {
      this.drawing = decodePoints(app.settings[this.side + 'pts'] as string);
      pad.setPointerCapture(e.pointerId);
      this.add(e);
    });
    pad.addEventListener('pointermove', (e) => {
      if (this.drawing) this.add(e);
    });
    const end = () => {
      if (!this.drawing) return;
      const pts = this.drawing;
      this.drawing = null;
      app.update(this.side + 'pts', encodePoints(pts));
    };
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
    $('btn-draw-clear').onclick = () => app.update(this.side + 'pts', '');
    $('draw-side').onchange = (e) => {
      this.side = (e.target as HTMLSelectElement).value as 'b' | 't';
      this.render();
    };
  }

  private add(e: PointerEvent): void {
    const drawing = this.drawing!;
    const [x, y] = this.plot.toWorld(e.clientX, e.clientY);
    const last = drawing[drawing.length - 1];
    if (last && Math.hypot(last[0] - x, last[1] - y) < (0.06 * (this.app.settings.ext as number)) / 5) return;
    if (drawing.length >= 2000) return;
    drawing.push([x, y]);
    this.render();
  }

  /** Shown only while a side's data set is 'points'. */
  render(): void {
    const s = this.app.settings;
    const panel = $('panel-draw');
    const sides = (['t', 'b'] as const).filter((k) => s[k] === 'points');
    panel.hidden = sides.length === 0;
    if (!sides.length) return;
    if (!sides.includes(this.side)) this.side = sides[0];
    $('draw-side-label').hidden = sides.length < 2;
    ($('draw-side') as HTMLSelectElement).value = this.side;
    $('draw-side-name').textContent = this.side === 't' ? 'target' : 'base';
    const pts = this.drawing ?? decodePoints(s[this.side + 'pts'] as string);
    $('draw-count').textContent = String(pts.length);
    this.plot.ext = s.ext as number;
    this.plot.clear();
    this.plot.axes();
    this.plot.points(pts.flat(), COLORS.draw, 0.9);
  }
}
