// Merging fetched trees never loses a file; the shipped bundle holds what remote processes need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mergeTree } from '../../src/deploy/fetch.js';
import { bundleEntries } from '../../src/deploy/bundle.js';
import { validateInventory } from '../../src/deploy/inventory.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';
import { loadRoleOptions } from '../../src/deploy/role-options.js';

// The inventory checks options against the CLI's own declarations.
await loadRoleOptions();

test('mergeTree copies new files, skips identical ones, keeps a clashing one beside the first', () => {
  const dir = tmpDir('ce-merge-');
  try {
    const src = path.join(dir, 'src');
    const dst = path.join(dir, 'dst');
    mkdirSync(path.join(src, 'workers'), { recursive: true });
    mkdirSync(dst);
    writeFileSync(path.join(src, 'workers', 'w1.csv'), 'a\n1\n');
    writeFileSync(path.join(src, 'same.json'), '{}');
    writeFileSync(path.join(src, 'manifest.json'), '{"from":"w1"}');
    writeFileSync(path.join(dst, 'same.json'), '{}');
    writeFileSync(path.join(dst, 'manifest.json'), '{"from":"coord"}');
    const r = mergeTree(src, dst, 'w1');
    assert.equal(r.files, 2);
    assert.deepEqual(r.conflicts, ['manifest.json.from-w1']);
    assert.equal(readFileSync(path.join(dst, 'manifest.json'), 'utf8'), '{"from":"coord"}');
    assert.equal(readFileSync(path.join(dst, 'manifest.json.from-w1'), 'utf8'), '{"from":"w1"}');
    assert.equal(readFileSync(path.join(dst, 'workers', 'w1.csv'), 'utf8'), 'a\n1\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle ships dist, package files and production dependencies only', () => {
  const e = bundleEntries(PACKAGE_ROOT);
  for (const need of ['dist', 'package.json', 'node_modules/yargs', 'node_modules/csv-stringify', 'node_modules/yaml'])
    assert.ok(e.includes(need), `${need} missing from ${e.join(' ')}`);
  for (const dev of ['node_modules/typescript', 'node_modules/fast-check', 'node_modules/playwright-core'])
    assert.ok(!e.includes(dev), `${dev} is a dev dependency`);
});

test("a host's own ssh options come before the defaults (ssh keeps the first value)", () => {
  const inv = validateInventory(
    {
      run: { sources: ['system'] },
      defaults: { ssh: { options: { ConnectTimeout: 10, ServerAliveInterval: 5 } } },
      coordinator: { name: 'c', host: 'a' },
      workers: [{ name: 'w', host: 'b', ssh: { options: { ConnectTimeout: 3 } } }],
    },
    'x.yaml',
  );
  assert.deepEqual(inv.workers[0].ssh.options, [
    ['ConnectTimeout', '3'],
    ['ConnectTimeout', '10'],
    ['ServerAliveInterval', '5'],
  ]);
});
