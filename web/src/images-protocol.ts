// Messages between the Images view (images.ts) and its worker (images-worker.ts).
import type {ImageStrip} from 'stochastic-interpolants';

/** The two models of the view: noise -> image (one-sided linear, b) and image -> image (mirror, s). */
export type Which = 'main'|'mirror';

/** Networks the page offers; the config is the same otherwise (configs/fashion-14.json's recipe). */
export const NETWORKS = {
  large: {hidden: [512, 512, 512], label: '3 × 512 (as configs/fashion-14.json)'},
  small: {hidden: [256, 256, 256], label: '3 × 256 (faster steps, noisier pictures)'},
} as const;
export type NetworkName = keyof typeof NETWORKS;

/** Frames of the time sliders, t = 0 .. 1. */
export const XT_FRAMES = 11;
export const GRID_N = 64;
/** Heun steps of each eps-grid row (the SDE steps of the native eval). */
export const EPS_STEPS = 100;

export type ToImagesWorker = {
  type: 'init'; dataUrl: string; network: NetworkName
}|{
  type: 'play';
  which: Which
}
|{
  type: 'pause';
  which: Which
}
|{
  type: 'reset';
  network: NetworkName
}
|{
  type: 'eps';
  eps: number
}
|{
  type: 'mirror-image';
  index: number
}
|{
  type: 'import';
  text: string;
  name: string
};

export type FromImagesWorker = {
  type: 'ready'; rows: number; cols: number; nTrain: number;
  /** The first test images (bytes) the mirror panel offers. */
  testPixels: Uint8Array;
  testLabels: Uint8Array;
}|{
  type: 'progress';
  which: Which;
  step: number;
  losses: Record<string, number>;
  sps: number;
  running: boolean;
  config: string;
}
|{
  type: 'samples';
  step: number;
  times: Float64Array;
  frames: Float32Array[]
}
|{
  type: 'xt';
  times: Float64Array;
  frames: Float32Array[]
}
|{
  type: 'epsgrid';
  step: number;
  eps: number;
  strip: ImageStrip;
  ms: number
}
|{
  type: 'mirror';
  step: number;
  index: number;
  strip: ImageStrip
}
|{
  type: 'imported';
  which: Which;
  name: string;
  step: number
}
|{
  type: 'error'|'note';
  where: string;
  message: string
};
