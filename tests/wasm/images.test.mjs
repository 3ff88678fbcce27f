// Images in the package (SPEC 11): pixel bytes handed over with addImages, the same [-1, 1] values as
// the native IDX loader, training at d = 196, the core's image figures (eps-grid, mirror) and clear
// errors for bad input. The bytes come from Debian's Fashion-MNIST through the page's asset script.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {before, test} from 'node:test';
import {pathToFileURL} from 'node:url';

import {loadSi, root} from './helpers.mjs';

const {fashion14} = await import(pathToFileURL(join(root, 'web', 'scripts', 'fashion-asset.mjs')).href);

const D = 196;
const N = 600;
let si;
let train;
let test10;
before(async () => {
  si = await loadSi();
  train = fashion14('train', N);
  test10 = fashion14('test', 10);
  si.addImages({name: 'fashion-mnist', split: 'train', rows: 14, cols: 14, pixels: train.pixels, labels: train.labels});
  si.addImages({name: 'fashion-mnist', split: 'test', rows: 14, cols: 14, pixels: test10.pixels, labels: test10.labels});
});

const imageConfig = (extra = {}) => ({
  base: {type: 'gaussian', dim: D},
  target: {type: 'fashion-mnist', size: 14, split: 'train'},
  interpolant: {path: 'one-sided-linear'},
  fields: 'b+s',
  network: {hidden: [128, 128], activation: 'silu'},
  optimizer: {lr: 1e-3},
  training: {batch: 64, seed: 0},
  ...extra,
});

test('addImages stores the bytes: count, names, and imagePoints gives b / 127.5 - 1 image after image', () => {
  assert.deepEqual(si.storedImages(), ['fashion-mnist/test', 'fashion-mnist/train']);
  const pts = si.imagePoints('fashion-mnist', 'train', 5, 3);
  assert.ok(pts instanceof Float32Array);
  assert.equal(pts.length, 3 * D);
  for (let i = 0; i < pts.length; ++i) assert.equal(pts[i], Math.fround(train.pixels[5 * D + i] / 127.5 - 1));
  // A generic set by name, without labels: {type: 'images'} draws from it.
  const px = new Uint8Array(4 * 9).map((_, i) => (i * 7) % 256);
  assert.equal(si.addImages({name: 'tiny', rows: 3, cols: 3, pixels: px}), 4);
  const x = si.sampleDistribution({type: 'images', name: 'tiny'}, 50, 1);
  assert.equal(x.length, 50 * 9);
  const allowed = new Set(Array.from(px, (b) => Math.fround(b / 127.5 - 1)));
  assert.ok(Array.from(x).every((v) => allowed.has(v)));
});

test('{type: "fashion-mnist"} in wasm draws the same values as the native IDX loader and pooling', (t) => {
  const exe = [process.env.SI_NATIVE_REFERENCE, join(root, 'build', 'tests', 'wasm', 'native_reference')].find(
      (p) => p && existsSync(p));
  if (!exe) return t.skip('native_reference is not built (cmake --build build --target si_wasm_native_reference)');
  // The first N images, and the first 100 of three classes (all among the first N: ~30% of them).
  const specs = [
    {type: 'fashion-mnist', size: 14, split: 'train', limit: N},
    {type: 'fashion-mnist', size: 14, split: 'train', limit: 100, classes: [0, 7, 9]},
  ];
  const dir = mkdtempSync(join(tmpdir(), 'si-images-'));
  try {
    for (const spec of specs) {
      const file = join(dir, 'request.json');
      writeFileSync(file, JSON.stringify({distribution: {spec, n: 300, seed: 4}}));
      const ref = JSON.parse(execFileSync(exe, ['run', file], {encoding: 'utf8', maxBuffer: 1 << 26})).distribution;
      const got = si.sampleDistribution(spec, 300, 4);
      assert.equal(got.length, ref.length);
      let worst = 0;
      for (let i = 0; i < got.length; ++i) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
      assert.ok(worst < 1e-6, `${JSON.stringify(spec)}: largest difference ${worst}`);
    }
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

test('a session trains at d = 196: the loss of b falls over 300 steps on 600 images', () => {
  const session = new si.TrainingSession(imageConfig());
  try {
    assert.equal(session.dim, D);
    const first = session.step(20).losses.b;
    for (let i = 0; i < 13; ++i) session.step(20);
    const last = session.step(20).losses.b;
    assert.ok(Number.isFinite(first) && Number.isFinite(last));
    assert.ok(last < first - 0.1 * Math.abs(first), `loss of b ${first} -> ${last}`);
  } finally {
    session.delete();
  }
});

test('eps-grid: one start draw for every row, the ODE row is the package ODE from it, SDE rows differ', () => {
  const session = new si.TrainingSession(imageConfig());
  session.step(30);
  const model = session.model();
  try {
    const g = si.imageFigure('eps-grid', model, {eps: [0, 1, 1, 4], frames: 5, steps: 24, seed: 2});
    assert.equal(g.kind, 'eps-grid');
    assert.deepEqual(g.rowLabels, ['ODE', 'SDE eps = 1', 'SDE eps = 1', 'SDE eps = 4']);
    assert.deepEqual(Array.from(g.rowEps), [0, 1, 1, 4]);
    assert.deepEqual(Array.from(g.times), [0, 0.25, 0.5, 0.75, 1]);
    assert.equal(g.rows.length, 4);
    for (const r of g.rows) assert.equal(r.length, 5 * D);
    const start = g.rows[0].slice(0, D);
    for (const r of g.rows) assert.deepEqual(r.slice(0, D), start);
    const ode = si.sampleODE(model, {start, method: 'heun', steps: 24});
    assert.deepEqual(g.rows[0].slice(4 * D), ode.samples);
    assert.notDeepEqual(g.rows[1].slice(4 * D), g.rows[2].slice(4 * D), 'two SDE rows, two noise draws');
    // One number is one row.
    assert.equal(si.imageFigure('eps-grid', model, {eps: 2, frames: 3, steps: 6}).rows.length, 1);
  } finally {
    model.delete();
    session.delete();
  }
});

test('mirror strip starts at the picked image and needs a mirror model and an image', () => {
  const session = new si.TrainingSession(imageConfig({interpolant: {path: 'mirror', gamma: 'brownian'}, fields: 's'}));
  session.step(20);
  const model = session.model();
  const plain = new si.TrainingSession(imageConfig());
  const notMirror = plain.model();
  try {
    const image = si.imagePoints('fashion-mnist', 'test', 3, 1);
    const m = si.imageFigure('mirror', model, {image, rows: 2, frames: 4, steps: 12});
    assert.equal(m.rows.length, 2);
    assert.deepEqual(m.rowLabels, ['noise draw 1', 'noise draw 2']);
    for (const r of m.rows) {
      assert.equal(r.length, 4 * D);
      assert.deepEqual(r.slice(0, D), image);
      assert.notDeepEqual(r.slice(D, 2 * D), image, 'noise is added');
    }
    assert.throws(() => si.imageFigure('mirror', notMirror, {image}), /^Error: model: is not a mirror model/);
    assert.throws(() => si.imageFigure('mirror', model, {}), /^Error: image: the mirror strip needs an image: 196/);
    assert.throws(() => si.imageFigure('mirror', model, {image: image.slice(0, 100)}), /^Error: image: length 100/);
    assert.throws(() => si.imageFigure('mirror', model, {image, rows: 0}), /^Error: rows: /);
    assert.throws(() => si.imageFigure('wave', model, {}), /^Error: kind: unknown image figure 'wave'; allowed: eps-grid, mirror/);
    assert.throws(() => si.imageFigure('eps-grid', model, {eps: [-1]}), /^Error: eps: noise levels are numbers from 0/);
    assert.throws(() => si.imageFigure('eps-grid', model, {colour: 1}), /^Error: colour: unknown option/);
  } finally {
    model.delete();
    session.delete();
    notMirror.delete();
    plain.delete();
  }
});

test('bad image input: clear Errors naming the field', () => {
  const good = {name: 'x', rows: 2, cols: 2, pixels: new Uint8Array(8)};
  const bad = (patch, re) => assert.throws(() => si.addImages({...good, ...patch}), re);
  bad({pixels: new Float32Array(8)}, /^TypeError: pixels: must be a Uint8Array of pixel bytes \(0\.\.255\), got Float32Array/);
  bad({pixels: [1, 2, 3, 4]}, /^TypeError: pixels: must be a Uint8Array .* got an array/);
  bad({pixels: undefined}, /^TypeError: pixels: must be a Uint8Array/);
  bad({pixels: new Uint8Array(7)}, /^Error: pixels: holds 7 bytes, not a positive multiple of 2 x 2 = 4/);
  bad({pixels: new Uint8Array(0)}, /^Error: pixels: holds 0 bytes/);
  bad({labels: new Uint8Array(3)}, /^Error: labels: holds 3 labels for 2 images; give one per image/);
  bad({labels: [0, 1]}, /^TypeError: labels: must be a Uint8Array/);
  bad({rows: 0}, /^Error: rows: must be a whole number from 1 to/);
  bad({rows: 1.5}, /^Error: rows: must be a whole number/);
  bad({rows: '2'}, /^TypeError: rows: must be a number/);
  bad({cols: 1e9}, /^Error: cols: must be a whole number from 1 to/);
  bad({split: 'val'}, /^Error: split: must be one of train, test/);
  bad({name: 7}, /^TypeError: name: must be a string/);
  bad({name: ''}, /^Error: name: must be a string of 1 to 100 characters/);
  bad({colour: 1}, /^TypeError: colour: unknown field; allowed: name, split, rows, cols, pixels, labels/);
  assert.throws(() => si.addImages(null), /^TypeError: images: must be an object/);
  // Configs that name images: what is stored, and sizes that do not match it.
  assert.throws(() => new si.TrainingSession(imageConfig({target: {type: 'images', name: 'nope'}})),
                /^Error: target.name: no image set 'nope\/train' is stored; stored: fashion-mnist\/test, fashion-mnist\/train/);
  assert.throws(() => new si.TrainingSession(imageConfig({target: {type: 'fashion-mnist', size: 28}})),
                /^Error: target.size: the stored Fashion-MNIST images are 14 x 14; size must be 14/);
  assert.throws(() => new si.TrainingSession(imageConfig({target: {type: 'fashion-mnist', size: 14, classes: [12]}})),
                /^Error: target.classes: Fashion-MNIST labels are 0 to 9, got 12/);
  assert.throws(() => si.imagePoints('fashion-mnist', 'test', 8, 5), /^Error: n: first \+ n = 13 exceeds the 10 images/);
  assert.throws(() => si.imagePoints('none', 'test', 0, 1), /^Error: name: no image set 'none\/test' is stored/);
  // A 2-D model is not an image model.
  const s2 = new si.TrainingSession({network: {hidden: [8]}});
  const m2 = s2.model();
  try {
    assert.throws(() => si.imageFigure('eps-grid', m2, {}), /^Error: model: images must be square; dimension 2/);
  } finally {
    m2.delete();
    s2.delete();
  }
  // The module keeps working after these errors.
  assert.equal(si.imagePoints('fashion-mnist', 'test', 0, 1).length, D);
});

test('a fresh module has no Fashion-MNIST: the error says how to hand it over', async () => {
  const fresh = await loadSi();
  assert.throws(() => fresh.sampleDistribution({type: 'fashion-mnist', size: 14}, 1),
                /^Error: spec: Fashion-MNIST 'train' images are not loaded in this build \(no file system\): hand them over first, si.addImages/);
});

