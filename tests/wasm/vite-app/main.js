// A minimal Vite app using the package as a dependency: init() must find si.wasm by itself
// (new URL('./si.wasm', import.meta.url) inside the package), in `vite build` and `vite dev`; and with
// ?threads=2 on a cross-origin-isolated page the threaded module's files too.
import {init} from 'stochastic-interpolants';

async function main() {
  const threads = Number(new URLSearchParams(location.search).get('threads') ?? 1);
  const si = await init({threads});
  const session = new si.TrainingSession({network: {hidden: [16]}, training: {batch: 32}});
  const step = session.step(2);
  const model = session.model();
  const {samples} = si.sampleODE(model, {n: 10, method: 'rk4', steps: 4});
  model.delete();
  session.delete();
  return {
    ok: true,
    version: si.version,
    step: step.step,
    losses: step.losses,
    samples: samples.length,
    threaded: si.threaded,
    threads: si.threads,
    reason: si.singleThreadedReason
  };
}

main()
    .then((r) => (window.__result = r))
    .catch((e) => (window.__result = {
             ok: false,
             error: String(e && e.stack ? e.stack : e)
           }))
    .finally(() => (document.getElementById('out').textContent = JSON.stringify(window.__result)));
