// The formulas: KaTeX typesets every .tex element of the page, and the Interpolant panel shows the chosen
// path and gamma. KaTeX loads as its own chunk after the page is up.
import {$} from './dom';

type Render = (tex: string, el: HTMLElement, opts: object) => void;

const PATH_TEX: Record<string, string> = {
  linear: 'x_t = (1-t)\\,x_0 + t\\,x_1 + \\gamma(t)\\,z',
  trig:
      'x_t = \\sqrt{1-\\gamma^2}\\big(\\cos\\tfrac{\\pi t}{2}\\,x_0 + \\sin\\tfrac{\\pi t}{2}\\,x_1\\big) + \\gamma(t)\\,z',
  'encoding-decoding': 'x_t = \\cos^2(\\pi t)\\big(1_{t\\le 1/2}\\,x_0 + 1_{t>1/2}\\,x_1\\big) + \\gamma(t)\\,z',
  'one-sided-linear': 'x_t = (1-t)\\,x_0 + t\\,x_1,\\quad x_0\\sim N(0,I)',
  'one-sided-trig': 'x_t = \\cos\\tfrac{\\pi t}{2}\\,x_0 + \\sin\\tfrac{\\pi t}{2}\\,x_1,\\quad x_0\\sim N(0,I)',
  mirror: 'x_t = x_1 + \\gamma(t)\\,x_0,\\quad x_0\\sim N(0,I)',
};
const GAMMA_TEX: Record<string, string> = {
  zero: '\\gamma(t) = 0',
  brownian: '\\gamma(t) = \\sqrt{t(1-t)}',
  'a-brownian': '\\gamma(t) = \\sqrt{a\\,t(1-t)}',
  bsquared: '\\gamma(t) = t(1-t)',
  sinesquared: '\\gamma(t) = \\sin^2(\\pi t)',
  sigmoid: '\\gamma(t) = S(f(t-\\tfrac12)+1) - S(f(t-\\tfrac12)-1) - S(1-\\tfrac f2) + S(-1-\\tfrac f2),\\ f = 10',
};

export class Formulas {
  private render: Render|null = null;

  /** Typesets the page's formulas, a few per task so that the page stays responsive. */
  async typeset(): Promise<void> {
    const [{default: katex}] = await Promise.all([import('katex'), import('katex/dist/katex.min.css')]);
    this.render = katex.render;
    const all = Array.from(document.querySelectorAll<HTMLElement>('.tex'));
    for (let i = 0; i < all.length; i += 6) {
      all.slice(i, i + 6).forEach((el) => this.renderTex(el));
      await new Promise((r) => setTimeout(r, 0));
    }
    document.body.dataset.typeset = '1';
  }

  /** Renders one .tex element now if KaTeX is loaded (else typeset() will). */
  private renderTex(el: HTMLElement): void {
    if (!this.render || el.dataset.tex) return;
    el.dataset.tex = el.textContent ?? '';
    this.render(el.dataset.tex, el, {displayMode: el.classList.contains('display'), throwOnError: false});
  }

  /** The path's formula, its gamma's (a name without a formula shows as itself) and the learned fields. */
  showPath(itp: Record<string, unknown>, fields: string): void {
    const el = $('path-formula');
    el.innerHTML = '';
    const tex = (t: string) => {
      const span = document.createElement('span');
      span.className = 'tex display';
      span.textContent = t;
      el.append(span);
      this.renderTex(span);
    };
    tex(PATH_TEX[String(itp.path)] ?? String(itp.path));
    if (itp.path !== 'one-sided-linear' && itp.path !== 'one-sided-trig') {
      tex((GAMMA_TEX[String(itp.gamma)] ?? String(itp.gamma)) +
          (itp.gamma === 'a-brownian' ? `,\\ a = ${itp.gamma_a}` : ''));
    }
    const note = document.createElement('span');
    note.textContent = `learned fields: ${fields}`;
    el.append(note);
  }
}
