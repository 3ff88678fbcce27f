// stochastic-interpolants: the JavaScript face of the WebAssembly module (API.md, index.d.ts).
// A thin layer over the Embind bindings (src/bindings.cpp): JS names and defaults, configs and
// options as plain objects (sent as JSON text and validated by the C++ core), and results as
// JS-owned typed arrays. Objects holding wasm memory must be freed with delete() / dispose().
import createSiCore from './si-core.mjs';

export const version = '0.1.0';

const isNode = typeof process === 'object' && typeof process.versions === 'object' && process.versions.node != null &&
    typeof window === 'undefined' && typeof importScripts !== 'function';

// Node's fs is imported by a computed name so that bundlers leave it alone in browser builds.
async function readFileInNode(location) {
  const fsName = 'node:fs/promises';
  const urlName = 'node:url';
  const {readFile} = await import(/* @vite-ignore */ fsName);
  if (location instanceof URL || /^file:/i.test(location)) {
    const {fileURLToPath} = await import(/* @vite-ignore */ urlName);
    return readFile(fileURLToPath(location));
  }
  return readFile(location);
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`init: cannot fetch the wasm module at ${url} (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

// Threads: the threaded module (si-threads.*, Emscripten pthreads) needs SharedArrayBuffer, which a
// browser gives only to a cross-origin-isolated page (COOP/COEP headers) and Node always has.
const kMaxThreads = 64;         // pthread Workers one instance may start
const kMaxAutoThreads = 8;      // 'auto' in a browser: the cores, at most this many (the step's gain levels off)
const kThreadsStartMs = 20000;  // a threaded module whose Workers never load is an error, not a hang

function threadsOption(threads) {
  if (threads === undefined || threads === 'auto') return 'auto';
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > kMaxThreads)
    throw new Error(`threads: must be 'auto' or an integer in [1, ${kMaxThreads}], got ${
        typeof threads === 'string' ? JSON.stringify(threads) : String(threads)}`);
  return threads;
}

// Why this environment cannot run the threaded module (null: it can).
function noThreadsReason() {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object')
    return isNode ? 'this Node.js has no SharedArrayBuffer' :
                    'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (it needs the headers ' +
            'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  if (!isNode && globalThis.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated (Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy headers)';
  if (!isNode && typeof Worker !== 'function') return 'this context cannot start Web Workers';
  return null;
}

async function hardwareThreads() {
  if (isNode) {
    const osName = 'node:os';
    const os = await import(/* @vite-ignore */ osName);
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return Math.max(1, Number(globalThis.navigator?.hardwareConcurrency) || 1);
}

async function nodePath(location) {
  const urlName = 'node:url';
  const {fileURLToPath} = await import(/* @vite-ignore */ urlName);
  return location instanceof URL || /^file:/i.test(location) ? fileURLToPath(location) : String(location);
}

// The factory's arguments for the .wasm at `location` (or the given bytes).
async function wasmArgs(location, wasmBinary) {
  if (wasmBinary != null) {
    return {
      wasmBinary: ArrayBuffer.isView(wasmBinary) ?
          new Uint8Array(wasmBinary.buffer, wasmBinary.byteOffset, wasmBinary.byteLength) :
          new Uint8Array(wasmBinary),
    };
  }
  if (isNode) {
    // Emscripten 3.1.6's Node loader does not work from an ES module: read the bytes here.
    const text = String(location);
    return {wasmBinary: /^(https?|data|blob):/i.test(text) ? await fetchBytes(text) : await readFileInNode(location)};
  }
  return {wasmUrl: String(location)};
}

/**
 * Loads and instantiates the WebAssembly module. Each call gives an independent instance.
 * threads: 'auto' (default) or 1..64. More than one loads the threaded module where SharedArrayBuffer
 * exists (a cross-origin-isolated page, Node), else the single-threaded one; `si.threaded`, `si.maxThreads`
 * and `si.singleThreadedReason` say which. 'auto' is the browser's cores (at most 8), and 1 in Node.
 * @param {{threads?: 'auto' | number, wasmUrl?: string | URL, wasmBinary?: ArrayBuffer | ArrayBufferView,
 *          threadsWasmUrl?: string | URL, threadsWasmBinary?: ArrayBuffer | ArrayBufferView,
 *          threadsModuleUrl?: string | URL, threadsWorkerUrl?: string | URL}} [options]
 */
export async function init(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('init: options must be an object');
  const threads = threadsOption(options.threads);
  const wanted = threads !== 'auto' ? threads : isNode ? 1 : Math.min(await hardwareThreads(), kMaxAutoThreads);
  const reason = wanted > 1 ? noThreadsReason() : 'one thread was asked for';
  if (wanted > 1 && reason === null) return makeApi(await loadThreaded(options, wanted), {threads: wanted, reason});
  const {wasmUrl, ...args} =
      await wasmArgs(options.wasmUrl ?? new URL('./si.wasm', import.meta.url), options.wasmBinary);
  if (wasmUrl) args.locateFile = (path) => (path.endsWith('.wasm') ? wasmUrl : path);
  return makeApi(await createSiCore(args), {threads: 1, reason});
}

// The threaded module: its glue is imported from its own file (pthread Workers import it again by URL,
// so a bundler must not fold it into another chunk), with threads - 1 Workers started while it loads.
async function loadThreaded(options, threads) {
  const moduleUrl = String(options.threadsModuleUrl ?? new URL('./si-threads.mjs', import.meta.url));
  // Node runs the CommonJS copy of the pthread Worker script (a .js here is an ES module to Node).
  const workerUrl = options.threadsWorkerUrl ??
      (isNode ? String(new URL('./si-threads.worker.js', import.meta.url)).replace(/\.js$/, '.cjs') :
                new URL('./si-threads.worker.js', import.meta.url));
  const {wasmUrl, ...args} = await wasmArgs(
      options.threadsWasmUrl ?? new URL('./si-threads.wasm', import.meta.url), options.threadsWasmBinary);
  let worker = isNode ? await nodePath(workerUrl) : String(workerUrl);
  // A bundler may inline the small Worker script as a data: URL (Vite does below 4 kB), whose Worker would
  // have an opaque origin (no shared memory, no import of the glue): run the same script from a blob: URL.
  if (!isNode && /^data:/i.test(worker)) worker = URL.createObjectURL(await (await fetch(worker)).blob());
  args.locateFile = (path) =>
      (path.endsWith('.wasm') && wasmUrl ? wasmUrl :
           path.endsWith('.worker.js')   ? worker :
                                           path);
  args.mainScriptUrlOrBlob = moduleUrl;
  args.siPoolSize = threads - 1;
  const {default: factory} = await import(/* @vite-ignore */ moduleUrl);
  let timer;
  // The timer also keeps Node's event loop alive while the Workers load.
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
        () => reject(new Error(`init: the threaded module's ${threads - 1} pthread Workers did not start in ${
            kThreadsStartMs / 1000} s (worker script ${worker}); init({threads: 1}) loads the single-threaded module`)),
        kThreadsStartMs);
  });
  try {
    const raw = await Promise.race([factory(args), timeout]);
    raw.setThreads(threads);
    // Node: the pool's worker_threads must not keep the process alive once its work is done (unref
    // after loading: Emscripten's 'message' listeners ref them again).
    if (isNode)
      for (const w of [...raw.PThread.unusedWorkers, ...raw.PThread.runningWorkers]) w.unref();
    return raw;
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------

// Configs and options cross as JSON text. JSON.stringify would turn NaN and +-Infinity into null,
// which the core reads as "absent" (the default): reject them here, naming the field, and bound
// the nesting (the core's limit) so a deep object cannot overflow the stack.
const kMaxDepth = 64;
function checkJsonValue(value, path, depth) {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new Error(`${path}: must be a finite number, got ${value}`);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  if (depth > kMaxDepth) throw new Error(`${path}: nested deeper than ${kMaxDepth} levels`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonValue(v, `${path}[${i}]`, depth + 1));
  } else {
    for (const [k, v] of Object.entries(value)) checkJsonValue(v, path ? `${path}.${k}` : k, depth + 1);
  }
}

const json = (value, what) => {
  if (value === undefined) return '{}';
  checkJsonValue(value, what === 'config' ? '' : what, 0);
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what}: must be a JSON-serialisable value`);
  return text;
};

// Points: a flat array-like of numbers (row-major (n, d)); nested [[x, y], ...] is flattened.
const flat = (points) => (Array.isArray(points) && Array.isArray(points[0]) ? points.flat() : points);

const num = (value, what) => {
  if (typeof value !== 'number')
    throw new TypeError(`${what}: must be a number, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
};

const kindOf = (v) =>
    (v === null                ? 'null' :
         ArrayBuffer.isView(v) ? v.constructor.name :
         Array.isArray(v)      ? 'an array' :
                                 typeof v);

const deepFreeze = (o) => {
  if (o && typeof o === 'object') Object.values(o).forEach(deepFreeze);
  return Object.freeze(o);
};

const useAfterDelete = (cls) => new Error(`${cls}: used after delete()`);

// Owns one Embind handle, which the garbage collector cannot free: delete() (or dispose()) frees it,
// and any use afterwards throws.
class WasmObject {
  #raw;
  #name;
  constructor(handle, name) {
    this.#raw = handle;
    this.#name = name;
  }
  /** @internal the live Embind handle */ get _raw() {
    if (!this.#raw) throw useAfterDelete(this.#name);
    return this.#raw;
  }
  get isDeleted() {
    return !this.#raw;
  }
  delete() {
    if (this.#raw) this.#raw.delete();
    this.#raw = null;
  }
  dispose() {
    this.delete();
  }
}

function makeApi(raw, threading) {
  const names = (kind) => Object.freeze(Array.from(raw.names(kind)));
  const maxThreads = threading.threads;
  const threadCount = (n) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > maxThreads)
      throw new Error(`threads: must be an integer in [1, ${maxThreads}] (the threads this module was started with: ${
          maxThreads === 1 ?
              'it is single-threaded' :
              `init({threads: ${maxThreads}})`}), got ${typeof n === 'string' ? JSON.stringify(n) : String(n)}`);
    return n;
  };

  class Model extends WasmObject {
    #fieldNames;
    #config;
    /** @internal wraps a raw Embind handle; use TrainingSession#model() or Model.fromJSON(). */
    constructor(handle) {
      if (!(handle instanceof raw.Model)) throw new TypeError('Model: use session.model() or Model.fromJSON(text)');
      super(handle, 'Model');
    }
    static fromJSON(text) {
      return new Model(raw.Model.fromJSON(typeof text === 'string' ? text : json(text, 'model')));
    }
    get dim() {
      return this._raw.dim;
    }
    get fieldNames() {
      return (this.#fieldNames ??= Object.freeze(Array.from(this._raw.fieldNames())));
    }
    get config() {
      return (this.#config ??= JSON.parse(this._raw.configJSON()));
    }
    evaluate(field, t, points) {
      return this._raw.evaluate(field, num(t, 't'), flat(points));
    }
    divergence(field, t, points) {
      return this._raw.divergence(field, num(t, 't'), flat(points));
    }
    toJSON() {
      return this._raw.toJSON();
    }
    samplingDefaults() {
      return JSON.parse(this._raw.samplingDefaultsJSON());
    }
  }

  class TrainingSession extends WasmObject {
    #config;
    constructor(config = {}) {
      super(new raw.TrainingSession(json(config, 'config')), 'TrainingSession');
    }
    get dim() {
      return this._raw.dim;
    }
    get stepCount() {
      return this._raw.stepCount();
    }
    get config() {
      return (this.#config ??= JSON.parse(this._raw.configJSON()));
    }
    step(k = 1) {
      return this._raw.step(num(k, 'k'));
    }
    model() {
      return new Model(this._raw.model());
    }
    loadWeights(model) {
      if (!(model instanceof Model)) throw new TypeError('loadWeights: expects a Model (e.g. Model.fromJSON(text))');
      this._raw.loadWeights(model._raw);
    }
    retune(config) {
      this._raw.retune(json(config, 'config'));
      this.#config = undefined;
    }
    /** Threads each step splits its batch over (a seed gives the same run for a given count). */
    get threads() {
      return this._raw.threads();
    }
    set threads(n) {
      this._raw.setThreads(threadCount(n));
    }
  }

  class ExactFields extends WasmObject {
    constructor(spec = {}) {
      super(new raw.ExactFields(json(spec, 'config')), 'ExactFields');
    }
    get dim() {
      return this._raw.dim;
    }
    get fieldNames() {
      return Object.freeze(['b', 's', 'eta', 'v']);
    }
    evaluate(field, t, points) {
      return this._raw.evaluate(field, num(t, 't'), flat(points));
    }
    divergence(field, t, points) {
      return this._raw.divergence(field, num(t, 't'), flat(points));
    }
    logDensity(t, points) {
      return this._raw.logDensity(num(t, 't'), flat(points));
    }
    sampleXt(t, n, seed = 0) {
      return this._raw.sampleXt(num(t, 't'), num(n, 'n'), num(seed, 'seed'));
    }
    samplingDefaults() {
      return JSON.parse(this._raw.samplingDefaultsJSON());
    }
  }

  const fieldsOf = (fields, who) => {
    if (fields instanceof Model || fields instanceof ExactFields) return fields._raw;
    throw new TypeError(`${who}: fields must be a Model or an ExactFields of this module instance`);
  };
  const pointsOf = (points) => flat(points);

  return Object.freeze({
    version,
    pathNames: names('path'),
    gammaNames: names('gamma'),
    activationNames: names('activation'),
    distributionTypes: names('distribution'),
    fieldSets: names('fieldSet'),
    odeMethods: names('odeMethod'),
    sdeMethods: names('sdeMethod'),
    figureKinds: names('figure'),
    catalog: deepFreeze(JSON.parse(raw.catalogJSON())),

    TrainingSession,
    Model,
    ExactFields,

    sampleODE: (fields, options = {}) => {
      const {start, ...rest} = options ?? {};
      return fieldsOf(fields, 'sampleODE').sampleODE(json(rest, 'ode'), start == null ? undefined : flat(start));
    },
    sampleSDE: (fields, options = {}) => {
      const {start, ...rest} = options ?? {};
      return fieldsOf(fields, 'sampleSDE').sampleSDE(json(rest, 'sde'), start == null ? undefined : flat(start));
    },
    logLikelihoodODE: (fields, points, options = {}) =>
        fieldsOf(fields, 'logLikelihoodODE').logLikelihoodODE(pointsOf(points), json(options, 'ode')),
    logLikelihoodSDE: (fields, points, options = {}) =>
        fieldsOf(fields, 'logLikelihoodSDE').logLikelihoodSDE(pointsOf(points), json(options, 'sde')),

    sampleDistribution: (spec, n, seed = 0) =>
        raw.sampleDistribution(json(spec, 'spec'), num(n, 'n'), num(seed, 'seed')).data,
    logDensity: (spec, points) => raw.logDensity(json(spec, 'spec'), pointsOf(points)),
    interpolantCoefficients: (interpolant, ts) =>
        raw.interpolantCoefficients(json(interpolant, 'interpolant'), typeof ts === 'number' ? [ts] : ts),
    sampleXt: (config, t, n, seed = 0) =>
        raw.sampleXt(json(config, 'config'), num(t, 't'), num(n, 'n'), num(seed, 'seed')).data,
    energyDistance: (a, b, d = 2) => raw.energyDistance(pointsOf(a), pointsOf(b), num(d, 'd')),
    checkerboardSupportShare: (points) => raw.checkerboardSupportShare(pointsOf(points)),
    // Option errors name the option as given ("interpolants[1].alpha: ..."), so no prefix here.
    figure: (kind, options = {}) => {
      if (typeof kind !== 'string') throw new TypeError(`kind: must be a string, one of ${names('figure').join(', ')}`);
      const o = options ?? {};
      if (typeof o !== 'object' || Array.isArray(o)) throw new TypeError('options: must be an object');
      checkJsonValue(o, '', 0);
      return raw.figure(kind, JSON.stringify(o));
    },
    memoryStats: () => raw.memoryStats(),

    // Threads (init({threads})): the module loaded, the threads it can use and the count now in use by
    // sampling, likelihoods, figures and new sessions.
    threaded: maxThreads > 1,
    maxThreads,
    singleThreadedReason: maxThreads > 1 ? null : threading.reason,
    get threads() {
      return raw.threads();
    },
    set threads(n) {
      raw.setThreads(threadCount(n));
    },

    // Images (SPEC 11): bytes handed over once, then named in configs ({type: 'images', name, split}, or
    // {type: 'fashion-mnist', size, split} for the set named 'fashion-mnist').
    addImages: (images) => {
      if (images === null || typeof images !== 'object') throw new TypeError('images: must be an object');
      const {name, split = 'train', rows, cols, pixels, labels, ...rest} = images;
      const unknown = Object.keys(rest);
      if (unknown.length)
        throw new TypeError(`${unknown[0]}: unknown field; allowed: name, split, rows, cols, pixels, labels`);
      if (typeof name !== 'string') throw new TypeError('name: must be a string');
      if (!(pixels instanceof Uint8Array))
        throw new TypeError(`pixels: must be a Uint8Array of pixel bytes (0..255), got ${kindOf(pixels)}`);
      if (labels != null && !(labels instanceof Uint8Array))
        throw new TypeError(`labels: must be a Uint8Array (one byte per image) or left out, got ${kindOf(labels)}`);
      return raw.addImages(name, split, num(rows, 'rows'), num(cols, 'cols'), pixels, labels ?? undefined);
    },
    storedImages: () => Array.from(raw.storedImages()),
    imagePoints: (name, split, first, n) => raw.imagePoints(name, split, num(first, 'first'), num(n, 'n')),
    imageFigure: (kind, model, options = {}) => {
      if (!(model instanceof Model)) throw new TypeError('imageFigure: model must be a Model of this module instance');
      const {image, ...rest} = options ?? {};
      return raw.imageFigure(kind, model._raw, json(rest, 'options'), image == null ? undefined : flat(image));
    },
  });
}
