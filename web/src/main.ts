// The page's entry: one App built from the link's settings. The modules: app.ts (state, worker, settings
// changes), controls.ts, views.ts, drawpad.ts, io.ts (files), formulas.ts; settings.ts is the settings list.
import './style.css';

import {App} from './app';

const app = new App(location.search.slice(1));
// For the end-to-end tests: the page's state, read-only by convention.
(window as unknown as {__siApp: App}).__siApp = app;
