// shQuote/shScript against real shells: whatever the value, the shell sees exactly that word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { shJoin, shQuote, shScript } from '../../src/deploy/shell-quote.js';

const SHELLS = ['/bin/sh', '/bin/dash', '/bin/bash', '/usr/bin/zsh'].filter((s) => existsSync(s));

/** Runs `command` as a remote login shell would (sh -c STRING) and returns the NUL-split words. */
function wordsSeenBy(shell: string, command: string, cwd: string): string[] {
  const r = spawnSync(shell, ['-c', command], { encoding: 'utf8', cwd });
  assert.equal(r.status, 0, `${shell} failed: ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}

const nasty = [
  '',
  ' ',
  "'",
  "''",
  '"',
  '\\',
  '$HOME',
  '${HOME}',
  '$(touch pwned-a)',
  '`touch pwned-b`',
  'a b',
  '*',
  '?',
  '[a]',
  ';touch pwned-c',
  '&& touch pwned-d',
  '| touch pwned-e',
  '> pwned-f',
  '< /etc/passwd',
  '~',
  '~root',
  '-n',
  '--',
  '#x',
  "it's",
  "'; touch pwned-g; '",
  '\t',
  'é ü 日本',
  '!',
  '!!',
  '%',
  '{a,b}',
  '$((1+1))',
  'a=b',
  '\x1b[31m',
];

for (const shell of SHELLS) {
  test(`shQuote: ${shell} sees every tricky value verbatim and runs nothing`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-quote-'));
    try {
      assert.deepEqual(wordsSeenBy(shell, `printf '%s\\0' ${nasty.map(shQuote).join(' ')}`, dir), nasty);
      assert.deepEqual(readdirSync(dir), [], 'a quoted value created a file: it was executed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('shQuote: random strings survive /bin/sh unchanged (property: 400 values, 4 shell calls)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-quote-'));
  try {
    const values = fc.sample(
      fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/[\0\n\r]/.test(s)),
      400,
    );
    for (let i = 0; i < values.length; i += 100) {
      const batch = values.slice(i, i + 100);
      assert.deepEqual(wordsSeenBy('/bin/sh', `printf '%s\\0' ${shJoin(batch)}`, dir), batch);
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shQuote refuses NUL and line breaks instead of quoting them wrongly', () => {
  assert.throws(() => shQuote('a\0b'), /NUL/);
  assert.throws(() => shQuote('a\nb'), /line break/);
  assert.throws(() => shQuote('a\rb'), /line break/);
});

test('shQuote leaves plain words bare and quotes the rest', () => {
  assert.equal(shQuote('abc-1.2/x:y'), 'abc-1.2/x:y');
  assert.equal(shQuote(''), "''");
  assert.equal(shQuote("a'b"), "'a'\\''b'");
  assert.equal(shQuote('-x'), '-x'); // quoting cannot stop option parsing: callers validate leading "-"
});

test('shScript: positional arguments reach the constant script exactly, through two shell levels', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-quote-'));
  try {
    const remote = shScript(`for a in "$@"; do printf '%s\\0' "$a"; done`, nasty);
    for (const shell of SHELLS) assert.deepEqual(wordsSeenBy(shell, remote, dir), nasty, shell);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
