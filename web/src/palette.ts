// One colour per concept, for every chart and canvas of the training view: the ODE is always this blue,
// the SDE this red, each field (b, s, eta, v) and each coefficient (alpha, beta, gamma) its own, true
// samples grey. Defined here only; charts take the CSS form (css()), canvases the RGB triple.
export type RGB = Readonly<[number, number, number]>;

export const PALETTE = {
  /** The samplers: generated samples, their trajectories and quality curves. */
  ode: [31, 119, 180] as RGB,
  sde: [214, 39, 40] as RGB,
  /** True samples (of rho_0, rho_1 and x_t), the exact value of a metric, the exact density underneath. */
  truth: [85, 85, 85] as RGB,
  /** The sides of the transport: the drawing pad's points (and alpha, beta weigh them). */
  base: [23, 150, 170] as RGB,
  target: [200, 70, 150] as RGB,
  /** The learned fields. */
  b: [255, 127, 14] as RGB,
  s: [44, 160, 44] as RGB,
  eta: [148, 103, 189] as RGB,
  v: [140, 86, 75] as RGB,
  /** The interpolant's coefficients: alpha weighs the base sample, beta the target sample, gamma the noise. */
  alpha: [23, 150, 170] as RGB,
  beta: [200, 70, 150] as RGB,
  gamma: [150, 150, 30] as RGB,
};

export type Concept = keyof typeof PALETTE;

/** The field's colour (b, s, eta, v; an unknown name gets the truth grey). */
export function fieldColor(name: string): RGB {
  return (PALETTE as Record<string, RGB>)[name] ?? PALETTE.truth;
}

export function css(c: RGB, alpha = 1): string {
  return alpha === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}
