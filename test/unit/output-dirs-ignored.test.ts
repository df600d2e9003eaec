// What the commands write under the working directory by default is neither tracked by git nor
// checked by the formatter: a run of the main job with --repeat, or a sweep, must not make
// `npm run lint` (and so `npm test`) fail in the checkout it ran in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../support/helpers.js';

/**
 * Default output directories: --results-dir and --logs-dir (src/cli/options.ts), compare/<timestamp>/
 * beside results (run-local --repeat, compare), --sweeps-dir (src/commands/sweep.ts).
 */
const OUTPUT_DIRS = ['results', 'logs', 'compare', 'sweeps'];

const patterns = (file: string): string[] =>
  readFileSync(path.join(PACKAGE_ROOT, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));

for (const file of ['.gitignore', '.prettierignore'])
  test(`${file} covers every default output directory`, () => {
    const p = patterns(file);
    for (const dir of OUTPUT_DIRS)
      assert.ok(
        p.some((x) => x === `${dir}/` || x === `${dir}/*` || x === `/${dir}/`),
        `${file} has no line for ${dir}/ (lines: ${p.join(' ')})`,
      );
  });
