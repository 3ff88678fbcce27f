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

/**
 * Loads and instantiates the WebAssembly module. Each call gives an independent instance.
 * @param {{wasmUrl?: string | URL, wasmBinary?: ArrayBuffer | ArrayBufferView}} [options]
 */
export async function init(options = {}) {
  const {wasmUrl, wasmBinary} = options;
  const moduleArgs = {};
  if (wasmBinary != null) {
    moduleArgs.wasmBinary = ArrayBuffer.isView(wasmBinary) ?
        new Uint8Array(wasmBinary.buffer, wasmBinary.byteOffset, wasmBinary.byteLength) :
        new Uint8Array(wasmBinary);
  } else {
    const location = wasmUrl ?? new URL('./si.wasm', import.meta.url);
    if (isNode) {
      // Emscripten 3.1.6's Node loader does not work from an ES module: read the bytes here.
      const text = String(location);
      moduleArgs.wasmBinary =
          /^(https?|data|blob):/i.test(text) ? await fetchBytes(text) : await readFileInNode(location);
    } else {
      const url = String(location);
      moduleArgs.locateFile = (path) => (path.endsWith('.wasm') ? url : path);
    }
  }
  const raw = await createSiCore(moduleArgs);
  return makeApi(raw);
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

function makeApi(raw) {
  const names = (kind) => Object.freeze(Array.from(raw.names(kind)));

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
