#!/usr/bin/env node
// `npm run lint`: every checker runs, even after one has failed, so one run shows all findings;
// exits 1 if any failed. Each is also an npm script of its own (lint:eslint, lint:format, ...).
import { spawnSync } from 'node:child_process';

const checks = ['lint:eslint', 'lint:format', 'lint:exports', 'lint:refs'];
const failed = [];
for (const name of checks) {
  const r = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`lint: failed: ${failed.join(', ')} ("npm run format" fixes layout and what ESLint can fix)`);
  process.exit(1);
}
