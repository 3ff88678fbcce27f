// Cross-origin isolation on a static host: where the server sends no COOP/COEP headers, the page's
// service worker (public/isolation-sw.js) re-serves the page with them, after one reload. Isolated, the
// training worker runs the threaded wasm module; without a service worker (an http:// host other than
// localhost, a browser that blocks them) the page stays single-threaded and works the same.
const RELOADED = 'si-isolation-reload';
/** A registration that has not settled by then (blocked, say: it may never settle) is given up. */
const REGISTER_MS = 4000;

/** True when the page is reloading to come back isolated (the caller then starts nothing). */
export async function isolate(): Promise<boolean> {
  if (globalThis.crossOriginIsolated || !window.isSecureContext || !('serviceWorker' in navigator)) return false;
  // Registered but still not isolated after its reload: do not loop (the page runs single-threaded).
  if (navigator.serviceWorker.controller && sessionStorage.getItem(RELOADED)) return false;
  const registered = navigator.serviceWorker.register(new URL('./isolation-sw.js', document.baseURI))
                         .then(() => navigator.serviceWorker.ready)
                         .then(() => true, () => false);
  const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REGISTER_MS));
  if (!await Promise.race([registered, late]) || sessionStorage.getItem(RELOADED)) return false;
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return true;
}
