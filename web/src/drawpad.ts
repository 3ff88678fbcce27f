// The drawing pad: points drawn with the mouse, a pen or a finger (pointer events) become the data set of a
// side ('points' distribution); they travel in the URL like every other setting (settings.ts
// encodePoints). The pad follows what is asked: it switches to a side that has just become "points you
// draw" or that still needs points, shows each side in its own colour (the other side faintly), and
// while the side has too few points it says how many to draw (nothing trains meanwhile: App.configure).
import type {App} from './app';
import {$} from './dom';
import {css, PALETTE} from './palette';
import {COLORS, Plot2D} from './plot2d';
import {decodePoints, encodePoints, MIN_DRAWN_POINTS} from './settings';

type Side = 'b'|'t';
const SIDE_NAME: Record<Side, string> = {
  b: 'base',
  t: 'target'
};
const SIDE_COLOR = {
  b: COLORS.drawBase,
  t: COLORS.drawTarget
};

export class DrawPad {
  private readonly plot = new Plot2D($('cv-draw') as HTMLCanvasElement, 340);
  /** The side being drawn for: base or target. */
  private side: Side = 't';
  /** The sides whose data set was "points" at the last render (to see which side just became one). */
  private sides: Side[] = [];
  /** The points of the stroke in progress (with the side's earlier points), null between strokes. */
  private drawing: [number, number][]|null = null;
  private readonly prompt: HTMLElement;
  /** The caption's note on the other side's points. */
  private readonly otherNote = document.createElement('span');

  constructor(private readonly app: App) {
    const pad = this.plot.canvas;
    pad.setAttribute('role', 'img');
    this.prompt = document.createElement('p');
    this.prompt.id = 'draw-prompt';
    this.prompt.className = 'draw-prompt';
    this.prompt.setAttribute('role', 'status');
    $('btn-draw-clear').parentElement!.before(this.prompt);
    $('draw-side-name').after(this.otherNote);
    pad.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      this.drawing = decodePoints(app.settings[this.side + 'pts'] as string);
      pad.setPointerCapture(e.pointerId);
      this.add(e);
    });
    pad.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      // A fast finger or mouse sends several positions per frame: take them all.
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      for (const c of events.length ? events : [e]) this.add(c);
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
      this.side = (e.target as HTMLSelectElement).value as Side;
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

  private count(side: Side): number {
    return decodePoints(this.app.settings[side + 'pts'] as string).length;
  }

  /** Shown only while a side's data set is 'points'. */
  render(): void {
    const s = this.app.settings;
    const panel = $('panel-draw');
    const sides = (['t', 'b'] as const).filter((k) => s[k] === 'points');
    const before = this.sides;
    this.sides = sides;
    panel.hidden = sides.length === 0;
    if (!sides.length) return;
    if (sides.join() !== before.join() && !this.drawing) {
      // What is asked now: the side that just became "points you draw", else one that needs points.
      const added = sides.find((k) => !before.includes(k));
      const needs = sides.find((k) => this.count(k) < MIN_DRAWN_POINTS);
      this.side = added ?? needs ?? (sides.includes(this.side) ? this.side : sides[0]);
    }
    if (!sides.includes(this.side)) this.side = sides[0];
    const side = this.side;
    const other: Side = side === 't' ? 'b' : 't';
    $('draw-side-label').hidden = sides.length < 2;
    ($('draw-side') as HTMLSelectElement).value = side;
    const nameEl = $('draw-side-name');
    nameEl.textContent = SIDE_NAME[side];
    nameEl.style.color = css(SIDE_COLOR[side]);
    nameEl.style.fontWeight = '600';
    const pts = this.drawing ?? decodePoints(s[side + 'pts'] as string);
    $('draw-count').textContent = String(pts.length);
    this.plot.ext = s.ext as number;
    this.plot.clear();
    this.plot.axes();
    // The other side's drawn points, faintly, so that both ends can be placed against each other.
    const otherPts = sides.includes(other) ? decodePoints(s[other + 'pts'] as string) : [];
    if (otherPts.length) this.plot.points(otherPts.flat(), SIDE_COLOR[other], 0.35);
    this.plot.points(pts.flat(), SIDE_COLOR[side], 0.9);
    const missing = pts.length < MIN_DRAWN_POINTS;
    const ask = `draw at least ${MIN_DRAWN_POINTS} points for the ${SIDE_NAME[side]}`;
    if (missing) this.promptOnPad(ask, side);
    this.prompt.hidden = !missing;
    this.prompt.textContent = missing ? `${ask}: drag (or touch) on the pad; nothing trains until then.` : '';
    this.prompt.style.borderColor = css(SIDE_COLOR[side]);
    this.otherNote.textContent = otherPts.length ? `; ${otherPts.length} for the ${SIDE_NAME[other]} (faint)` : '';
    this.otherNote.style.color = css(SIDE_COLOR[other]);
    const others = otherPts.length ? `; ${otherPts.length} points drawn for the ${SIDE_NAME[other]} (faint)` : '';
    this.plot.canvas.setAttribute(
        'aria-label',
        `drawing pad for the ${SIDE_NAME[side]}: ${pts.length} points drawn${missing ? `, ${ask}` : ''}${others}`);
    this.plot.canvas.dataset.side = side;
  }

  /** The request written across the middle of the empty pad, in the side's colour. */
  private promptOnPad(text: string, side: Side): void {
    const c = this.plot.ctx;
    const w = this.plot.canvas.width;
    c.save();
    c.textAlign = 'center';
    c.textBaseline = 'middle';
    c.font = `600 ${Math.round(w / 22)}px sans-serif`;
    c.fillStyle = 'rgba(255,255,255,0.85)';
    c.fillRect(w * 0.04, w * 0.42, w * 0.92, w * 0.17);
    c.fillStyle = css(SIDE_COLOR[side]);
    c.fillText(text, w / 2, w * 0.47, w * 0.9);
    c.font = `${Math.round(w / 28)}px sans-serif`;
    c.fillStyle = css(PALETTE.truth);
    c.fillText('drag (or touch) to draw', w / 2, w * 0.54, w * 0.9);
    c.restore();
  }
}
