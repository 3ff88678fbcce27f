// The page's colours: one per concept (palette.ts), and the colour bars' value formats (plot2d.ts ticks).
import {describe, expect, it} from 'vitest';

import {css, fieldColor, PALETTE} from './palette';
import {ticks} from './plot2d';

describe('palette', () => {
  it('gives every concept its own colour, except the coefficients that weigh a side (alpha: base, beta: target)',
     () => {
       const same: Record<string, string> = {alpha: 'base', beta: 'target'};
       const seen = new Map<string, string>();
       for (const [name, rgb] of Object.entries(PALETTE)) {
         const key = rgb.join();
         const owner = seen.get(key);
         if (owner !== undefined)
           expect(`${name} has the colour of ${owner}`).toBe(`${name} has the colour of ${same[name]}`);
         else
           seen.set(key, name);
       }
       expect(new Set(['b', 's', 'eta', 'v', 'ode', 'sde', 'truth'].map((k) => css(fieldColor(k)))).size).toBe(7);
     });

  it('names a field colour by the field and falls back to the truth grey', () => {
    expect(fieldColor('eta')).toBe(PALETTE.eta);
    expect(fieldColor('nonsense')).toBe(PALETTE.truth);
    expect(css(PALETTE.ode)).toBe('rgb(31,119,180)');
    expect(css(PALETTE.ode, 0.5)).toBe('rgba(31,119,180,0.5)');
  });
});

describe('colour bar values', () => {
  it('uses one number of decimals per bar, enough for its range', () => {
    const f = ticks(0, 2.06);
    expect([0, 0.515, 2.06].map(f)).toEqual(['0.00', '0.52', '2.06']);
    expect(ticks(-13.5, -1.5)(-7.5)).toBe('-7.5');
    expect(ticks(0, 0.0341)(0.017)).toBe('0.0170');
    expect(ticks(0, 3e-5)(1.5e-5)).toBe('1.5e-5');
  });
});
