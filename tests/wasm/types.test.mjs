// The TypeScript types (wasm/dist/index.d.ts) compile against a usage example of the whole API
// under --strict, and reject the calls they should (types/usage.ts).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {test} from 'node:test';

import {here} from './helpers.mjs';

test('index.d.ts type-checks the usage example with tsc --strict', () => {
  const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(
        process.execPath, [tsc, '-p', join(here, 'types', 'tsconfig.json')], {encoding: 'utf8', stdio: 'pipe'});
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
