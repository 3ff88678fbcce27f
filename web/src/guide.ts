// The "Start here" path: five stops in order (what x_t is -> particles flowing -> ODE vs SDE -> the noise
// -> your own data). Each scrolls to its view, says in one sentence what to look at, and sets it up.
import type {App} from './app';
import {$} from './dom';

interface Stop {
  panel: string;
  text: string;
  /** The control to put under the user's finger. */
  focus?: string;
  act?: (app: App) => void;
}

const STOPS: Record<string, Stop> = {
  xt: {
    panel: 'panel-path',
    text: 'x_t = α(t) x₀ + β(t) x₁ + γ(t) z mixes a base sample x₀, a data sample x₁ and noise z; the curves say ' +
        'how much of each at every time t. It is never simulated: the networks learn its averages.',
  },
  flow: {
    panel: 'panel-traj',
    text: 'The learned drift b carries samples of the base (t = 0) to the data (t = 1). Left: the model\'s ' +
        'particles; right: true samples of x_t at the same t. Where they look alike, the model is right.',
    act: (app) => app.views.playTrajectories(),
  },
  odesde: {
    panel: 'panel-samples',
    text: 'The same learned fields, two samplers: the ODE follows b alone; the SDE adds noise and the pull ε s ' +
        'toward dense regions. The table measures both against the target.',
  },
  noise: {
    panel: 'panel-samples',
    focus: 'eps-slider',
    text: 'Move the noise ε: 0 is the ODE; more noise corrects more of the learned fields\' errors (and needs ' +
        'more SDE steps). The same model re-samples at once.',
  },
  draw: {
    panel: 'panel-draw',
    text: 'Draw points on the pad: they become the target, and a new network learns to carry the base to them ' +
        '(undo brings the trained one back).',
    act: (app) => {
      if (app.settings.t !== 'points') app.update('t', 'points');
    },
  },
};

export class Guide {
  constructor(private readonly app: App) {
    for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-start]')))
      b.onclick = () => this.go(b.dataset.start!);
  }

  go(name: string): void {
    const stop = STOPS[name];
    for (const b of Array.from(document.querySelectorAll<HTMLElement>('[data-start]')))
      b.classList.toggle('active', b.dataset.start === name);
    $('start-text').textContent = stop.text;
    document.body.dataset.startStop = name;
    stop.act?.(this.app);
    // The drawing pad appears once the setting is in; then it is scrolled to.
    requestAnimationFrame(() => {
      const panel = $(stop.panel);
      panel.scrollIntoView({block: 'start'});
      panel.classList.add('highlight');
      setTimeout(() => panel.classList.remove('highlight'), 1600);
      if (stop.focus) $(stop.focus).focus({preventScroll: true});
    });
  }
}
