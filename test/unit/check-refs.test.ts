import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/unit/ → the repo root
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A tiny repo with scripts/check-refs.mjs copied in; returns the checker's stdout lines and exit code. */
function checkRefs(files: Record<string, string>): { lines: string[]; status: number | null } {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-refs-'));
  try {
    for (const [rel, text] of Object.entries({ ...files, 'scripts/check-refs.mjs': '' })) {
      mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    copyFileSync(path.join(ROOT, 'scripts/check-refs.mjs'), path.join(dir, 'scripts/check-refs.mjs'));
    const r = spawnSync(process.execPath, [path.join(dir, 'scripts/check-refs.mjs')], { encoding: 'utf8' });
    return { lines: r.stdout.split('\n').filter(Boolean), status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('check-refs: paths in comments and docs that name no file are reported as file:line: reference', () => {
  const r = checkRefs({
    'analysis/fold/gather.ts': 'export const x = 1;\n',
    'analysis/load/ns-parse.ts': [
      '// exact parsing; see analysis/fold/gather.ts and analysis/load/gone.ts',
      "const s = 'not a comment: analysis/load/in-string.ts'; // built: dist/analysis/fold/gather.js, dist/src/nope.js",
      '/* fold/gather.ts is found from analysis/; ../fold/missing.ts is not */',
      'const re = /\\/\\/ notacomment\\.ts/; // bare names: ns-parse.ts ok, moved.ts gone',
      '',
    ].join('\n'),
    'docs/guide.md': 'Read `src/cli.ts`, [guide](guide.md), [lost](lost.md); output `workers/w1.csv`, `results/<run>/x.csv`.\n',
    'README.md': 'See docs/guide.md and docs/old.md.\n',
  });
  assert.equal(r.status, 1);
  assert.deepEqual(r.lines, [
    'README.md:1: docs/old.md',
    'analysis/load/ns-parse.ts:1: analysis/load/gone.ts',
    'analysis/load/ns-parse.ts:2: dist/src/nope.js',
    'analysis/load/ns-parse.ts:3: ../fold/missing.ts',
    'analysis/load/ns-parse.ts:4: moved.ts',
    'docs/guide.md:1: src/cli.ts',
    'docs/guide.md:1: lost.md',
  ]);
});

test('check-refs: a repo whose references all resolve passes silently', () => {
  const r = checkRefs({ 'src/cli.ts': '// see src/cli.ts\n', 'README.md': 'Entry: `src/cli.ts` (built: `dist/src/cli.js`).\n' });
  assert.deepEqual(r, { lines: [], status: 0 });
});
