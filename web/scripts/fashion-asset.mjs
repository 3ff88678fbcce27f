// Packs the page's image data set: the first 10,000 training and 1,000 test images of Fashion-MNIST,
// 2 x 2 mean-pooled to 14 x 14, with their labels, into web/public/data/fashion-mnist-14.bin. Read from
// Debian's dataset-fashion-mnist (scripts/setup.sh installs it), never downloaded; `npm run build` and
// `npm run dev` run this first, and it does nothing when the file is already up to date.
//
// The file: "SIF1", then little-endian uint32 rows, cols, nTrain, nTest, then nTrain * rows * cols
// pixel bytes, nTrain label bytes, nTest * rows * cols pixel bytes, nTest label bytes.
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gunzipSync} from 'node:zlib';

export const FASHION_DIR = process.env.SI_FASHION_DIR ?? '/usr/share/datasets/fashion-mnist';
export const MAGIC = 'SIF1';
const here = dirname(fileURLToPath(import.meta.url));
export const ASSET = join(here, '..', 'public', 'data', 'fashion-mnist-14.bin');

/** An IDX file of unsigned bytes (gzip or plain): its dimensions and data. */
export function readIdx(path) {
  let b = readFileSync(path);
  if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0 || b[2] !== 0x08) throw new Error(`${path}: not an IDX file of bytes`);
  const rank = b[3];
  const dims = [];
  for (let i = 0; i < rank; ++i) dims.push(b.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, n) => a * n, 1);
  if (b.length !== offset + size) throw new Error(`${path}: ${b.length - offset} data bytes, the header says ${size}`);
  return {dims, data: new Uint8Array(b.buffer, b.byteOffset + offset, size)};
}

/** 2 x 2 mean pooling of n images rows x cols, rounded as the core's pool2: (a + b + c + d + 2) / 4. */
export function pool2(pixels, n, rows, cols) {
  const r2 = rows / 2, c2 = cols / 2;
  const out = new Uint8Array(n * r2 * c2);
  for (let k = 0; k < n; ++k) {
    const src = k * rows * cols, dst = k * r2 * c2;
    for (let r = 0; r < r2; ++r)
      for (let c = 0; c < c2; ++c) {
        const i = src + 2 * r * cols + 2 * c;
        out[dst + r * c2 + c] = (pixels[i] + pixels[i + 1] + pixels[i + cols] + pixels[i + cols + 1] + 2) >> 2;
      }
  }
  return out;
}

/** The first n images of a split at 14 x 14 and their labels. */
export function fashion14(split, n) {
  const stem = join(FASHION_DIR, split === 'train' ? 'train' : 't10k');
  const images = readIdx(`${stem}-images-idx3-ubyte.gz`);
  const labels = readIdx(`${stem}-labels-idx1-ubyte.gz`);
  const [count, rows, cols] = images.dims;
  if (n > count) throw new Error(`${split}: ${count} images, ${n} asked for`);
  return {
    rows: rows / 2,
    cols: cols / 2,
    pixels: pool2(images.data.subarray(0, n * rows * cols), n, rows, cols),
    labels: labels.data.slice(0, n),
  };
}

export function packAsset(nTrain = 10000, nTest = 1000) {
  const train = fashion14('train', nTrain), test = fashion14('test', nTest);
  const header = Buffer.alloc(20);
  header.write(MAGIC, 0, 'ascii');
  [train.rows, train.cols, nTrain, nTest].forEach((v, i) => header.writeUInt32LE(v, 4 + 4 * i));
  return Buffer.concat([header, train.pixels, train.labels, test.pixels, test.labels]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = join(FASHION_DIR, 'train-images-idx3-ubyte.gz');
  if (!existsSync(source)) {
    console.error(`fashion-asset: ${source} is missing: install Debian's dataset-fashion-mnist (scripts/setup.sh)`);
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  if (existsSync(ASSET) && statSync(ASSET).mtimeMs > Math.max(statSync(source).mtimeMs, statSync(self).mtimeMs)) {
    process.exit(0);
  }
  mkdirSync(dirname(ASSET), {recursive: true});
  const bytes = packAsset();
  writeFileSync(ASSET, bytes);
  console.log(`fashion-asset: wrote ${ASSET} (${(bytes.length / 1e6).toFixed(2)} MB)`);
}
