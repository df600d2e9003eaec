#!/usr/bin/env node
// Runs the compiled test files with node's built-in test runner.
// Usage: node scripts/run-tests.mjs [unit|integration|e2e ...]   (default: all)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const groups = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];
const files = [];
const walk = (dir) => {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries.sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.test.js')) files.push(p);
  }
};
for (const g of groups) walk(path.join(root, 'dist/test', g));
if (files.length === 0) {
  console.error(`no test files found under dist/test/{${groups.join(',')}}: run "npm run build" first`);
  process.exit(1);
}
// One test file at a time by default: many tests measure timing with real processes and sockets, and
// two files at once on a 2-core machine make each other's clocks late (TEST_CONCURRENCY=2 halves the time).
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
// Every temp file of the run (the tests' own and those of the processes they start) goes under one
// directory that is removed at the end, so an interrupted or failing test leaves nothing in /tmp.
const keep = process.env.CHRONOEVAL_KEEP_TEST_TMP === '1';
const runTmp = mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), 'chronoeval-tests-'));
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: runTmp },
});
if (keep) console.error(`# test temp files kept in ${runTmp}`);
else rmSync(runTmp, { recursive: true, force: true, maxRetries: 2 });
process.exit(r.status ?? 1);
