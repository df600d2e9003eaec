#!/usr/bin/env node
// `npm run lint`: every checker runs, even after one has failed, so one run shows all findings;
// exits 1 if any failed. Each is also an npm script of its own (lint:eslint, lint:format, ...).
// The checkers run at once (ESLint's type-aware pass is most of the time) and their output is
// printed in a fixed order; ESLint and Prettier keep caches in node_modules/.cache, so a second
// run in a checkout only re-checks changed files.
import { spawn } from 'node:child_process';

const checks = ['lint:eslint', 'lint:format', 'lint:exports', 'lint:refs'];
const run = (name) =>
  new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ name, code, out }));
  });
const results = await Promise.all(checks.map(run));
const failed = [];
for (const r of results) {
  process.stdout.write(r.out);
  if (r.code !== 0) failed.push(r.name);
}
if (failed.length) {
  console.error(`lint: failed: ${failed.join(', ')} ("npm run format" fixes layout and what ESLint can fix)`);
  process.exit(1);
}
