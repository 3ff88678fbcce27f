// The page's entry: one App built from the link's settings, or the Images view (?view=images,
// images.ts, with its own worker). The modules: app.ts (state, worker, settings changes), controls.ts,
// views.ts, drawpad.ts, io.ts (files), formulas.ts; settings.ts is the settings list. isolation.ts first
// makes the page cross-origin isolated on a static host (a service worker; one reload), for wasm threads.
import './style.css';

import {App} from './app';
import {ImagesView} from './images';
import {isolate} from './isolation';

async function main(): Promise<void> {
  if (await isolate()) return;
  const query = location.search.slice(1);
  if (new URLSearchParams(query).get('view') === 'images') {
    // For the end-to-end tests: the view's state, read-only by convention.
    (window as unknown as {__siImages: ImagesView}).__siImages = new ImagesView(query);
  } else {
    const app = new App(query);
    // For the end-to-end tests: the page's state, read-only by convention.
    (window as unknown as {__siApp: App}).__siApp = app;
  }
}
void main();
