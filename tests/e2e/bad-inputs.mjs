// The bad-input table of the browser app (run.mjs "bad inputs" test): values in links and values typed
// into the controls that the page must refuse, each with a message naming the control's on-screen label
// and the values allowed, in bounded time, while the page goes on training.
//
// URL rows: { key, text, label, allowed } in links of distinct keys (URL_GROUPS), each link with GOOD
//   (the rest of the link must still apply); `allowed` is a regular expression the message must match.
// Typed rows are made from the page itself (typedRows): every numeric control of the settings panel gets
//   a huge, a negative, a NaN, a non-number, an empty and (whole-number controls) a decimal value; every
//   select an unknown name; and the costs of settings together (COST_ROWS). The allowed range a message
//   names must be the control's own min/max attributes (the page's one source of bounds).
// Worker rows (WORKER_ROWS): messages sent to the worker directly, past the page's own check: the worker
//   checks again before it allocates anything.

const range = (lo, hi) => new RegExp(`allowed: a (whole )?number from ${lo} to ${hi}\\b`);
const oneOf = /allowed: one of /;

/** Link rows, grouped into links of distinct keys (a page load each, ~5 s on this machine): each row's
 *  message is checked on its own. */
export const URL_GROUPS = [
  // The reported bugs: froze on load, stayed at "starting…" or "loading…", blank plots.
  [
    { key: 'depth', text: '100000000', label: 'hidden layers', allowed: range(1, 16) },
    { key: 'width', text: '1e9', label: 'width', allowed: /allowed: a whole number from 1 to \d+/ },
    { key: 'n', text: '1e9', label: 'samples', allowed: range(10, 20000) },
    { key: 'eps', text: '-1', label: 'noise ε', allowed: range(0, 3) },
    { key: 'ext', text: '0', label: 'plot half-width', allowed: range(0.5, 50) },
  ],
  [{ key: 't', text: 'points', label: 'target', allowed: /draw at least 10/, waits: true }],
  // Unknown names (checked once the library's lists arrived); NaN, not a number, empty, a decimal for a
  // whole number, negative, out of range.
  [
    { key: 't', text: 'nosuch', label: 'target ρ₁', allowed: oneOf },
    { key: 'act', text: 'relu6', label: 'activation', allowed: oneOf },
    { key: 'ode', text: 'rk5', label: 'ODE method', allowed: oneOf },
    { key: 'path', text: 'straight', label: 'path', allowed: oneOf },
    { key: 'field', text: 'w', label: 'field shown', allowed: oneOf },
    { key: 'lr', text: 'NaN', label: 'learning rate', allowed: /allowed: a number from/ },
    { key: 'batch', text: 'abc', label: 'batch', allowed: /allowed: a whole number from 1 to/ },
    { key: 'steps', text: '', label: 'stop at step', allowed: /allowed: a whole number from 1 to/ },
    { key: 'seed', text: '1.5', label: 'seed', allowed: range(0, 2147483647) },
    { key: 'tcut', text: '-0.1', label: 'training t cut', allowed: range(0, 0.4) },
    { key: 'ft', text: '2', label: 'field time t', allowed: range(0, 1) },
    { key: 'epsuntil', text: '2', label: 'SDE noise off after', allowed: /allowed: auto or a number from 0 to 1/ },
    { key: 'anti', text: 'maybe', label: 'antithetic', allowed: /0 or 1/ },
    { key: 'sde', text: 'milstein', label: 'SDE method', allowed: oneOf },
    { key: 'odesteps', text: '2000', label: 'ODE steps', allowed: /with width 64, hidden layers 3, samples 1000 and SDE steps 50.*the page's budget/ },
  ],
  // Over the limits: the batch (the library's 2^20, the page's 1e5), the sampler steps (the library's
  // 1e6, the page's 5000), layers; a network over the page's budget of a training step.
  [
    { key: 't', text: 'random-gmm', good: true },
    { key: 'tk', text: '0', label: 'target ρ₁ components', allowed: range(1, 20) },
    { key: 'batch', text: '2000000', label: 'batch', allowed: range(1, 100000) },
    { key: 'odesteps', text: '2000000', label: 'ODE steps', allowed: /allowed: a whole number from 1 to \d+/ },
    { key: 'sdesteps', text: '1e7', label: 'SDE steps', allowed: /allowed: a whole number from 1 to \d+/ },
    { key: 'depth', text: '1e9', label: 'hidden layers', allowed: range(1, 16) },
    { key: 'width', text: '4096', label: 'width', allowed: /from 1 to \d+ \(with hidden layers 3.*the page's budget/ },
  ],
  // Settings over a limit together (the page's budgets, within the library's limits: see settings.ts
  // COSTS): a wide network with many samples, a large batch, many layers.
  [{ key: 'n', text: '2000', good: true }, { key: 'width', text: '450', label: 'width', allowed: /with hidden layers 3, samples 2000.*the page's budget/ }],
  // A small run of one layer, where the library's limit of a layer's width binds before the budgets.
  [...[['depth', '1'], ['batch', '1'], ['n', '10'], ['odesteps', '1'], ['sdesteps', '1']].map(([key, text]) => ({ key, text, good: true })),
    { key: 'width', text: '5000', label: 'width', allowed: range(1, 4096) }],
];
/** A good value in every link: the rest of the link must still apply. */
export const GOOD = { key: 'clip', text: '0.5' };

/** Values typed into a numeric control: [what, text]. */
function numericValues(input) {
  const min = Number(input.min);
  const out = [['huge', '1e12'], ['negative', input.min !== '' && min >= 0 ? '-1' : '-1e12'], ['NaN', 'NaN'],
    ['not a number', 'abc'], ['empty', '']];
  if (input.step === '1') out.push(['decimal', '2.5']);
  return out;
}

/**
 * The typed rows for the controls of the page: { id, label, side, text, what, range } where range is the
 * control's [min, max] attributes (what the message must name), side 'base'/'target' for a data side.
 */
export async function typedRows(page) {
  const controls = await page.$$eval('#settings label.setting', (rows) => rows.map((r) => {
    const el = r.querySelector('input, select');
    return { id: el.id, label: r.querySelector('span').childNodes[0].textContent, tag: el.tagName, type: el.type, min: el.min,
      max: el.max, step: el.step };
  }));
  const rows = [];
  for (const c of controls) {
    const side = /^set-[bt](mx|my|sd|k|gs|bw|pts)$/.test(c.id) ? (c.id[4] === 'b' ? 'base' : 'target') : undefined;
    if (c.tag === 'SELECT') {
      rows.push({ id: c.id, label: c.label, side, text: 'nosuch', what: 'unknown name' });
    } else if (c.type === 'number') {
      for (const [what, text] of numericValues(c)) rows.push({ id: c.id, label: c.label, side, text, what, range: [c.min, c.max] });
    } else if (c.type === 'text') {
      // 'auto or a number' (an emptied one is auto again).
      for (const [what, text] of [['huge', '2'], ['negative', '-1'], ['NaN', 'NaN'], ['not a number', 'abc']]) {
        rows.push({ id: c.id, label: c.label, side, text, what, range: [c.min || '0', c.max || '1'] });
      }
    }
  }
  return rows;
}

/** Typed rows at the defaults: networks over the page's budgets (width with 3 layers), sizes over limits,
 *  steps over the budget of a refresh (its likelihoods and samples). */
export const COST_ROWS = [
  { id: 'set-width', label: 'width', text: '4096', what: 'width x depth over the parameter budget', expect: /with hidden layers 3.*the page's budget/ },
  { id: 'set-width', label: 'width', text: '1500', what: 'width x depth over the parameter budget', expect: /with hidden layers 3.*the page's budget/ },
  { id: 'set-depth', label: 'hidden layers', text: '17', what: 'over the layers limit', expect: /from 1 to 16\b/ },
  { id: 'set-batch', label: 'batch', text: '2000000', what: 'over the batch limit', expect: /from 1 to 100000\b/ },
  { id: 'set-n', label: 'samples', text: '100000000', what: 'over the samples limit', expect: /from 10 to \d+/ },
  { id: 'set-odesteps', label: 'ODE steps', text: '1000001', what: 'over the steps limit', expect: /from 1 to \d+/ },
  { id: 'set-odesteps', label: 'ODE steps', text: '5000', what: 'steps over the refresh budget', expect: /with width 64, hidden layers 3, samples 1000 and SDE steps 50.*the page's budget/ },
  { id: 'set-sdesteps', label: 'SDE steps', text: '5000', what: 'steps over the refresh budget', expect: /with width 64.*the page's budget/ },
];

/** Messages to the worker past the page's check: { what, make, change, label, expect }. */
export const WORKER_ROWS = [
  { what: 'configure with 1e9 hidden layers', label: 'hidden layers', expect: /allowed: a whole number from 1 to 16/,
    make: 'configure', change: { depth: 1e9 } },
  { what: 'configure with width 4096 x 16 layers', label: 'width', expect: /the page's budget|the library's limit/,
    make: 'configure', change: { width: 4096, depth: 16 } },
  { what: 'configure with a NaN learning rate', label: 'learning rate', expect: /allowed: a number from/,
    make: 'configure', change: { lr: NaN } },
  { what: 'sampler with 1e9 samples', label: 'samples', expect: /allowed: a whole number from 10 to/,
    make: 'sampler', change: { n: 1e9 } },
  { what: 'sampler with 1e7 SDE steps', label: 'SDE steps', expect: /allowed: a whole number from 1 to/,
    make: 'sampler', change: { sdesteps: 1e7 } },
  { what: 'a view grid of 1e6 points a side', label: 'grid', expect: /allowed 1 to 256/, make: 'view' },
];
