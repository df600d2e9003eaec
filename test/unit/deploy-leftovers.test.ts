// A killed deploy's temp dir (bundle, ssh control sockets) is found and removed by --cleanup;
// a running deploy's is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeDeployTmp, removeStaleDeployTmps, staleDeployTmps } from '../../src/deploy/leftovers.js';
import { tmpDir } from '../support/helpers.js';

test('--cleanup removes the temp dirs of deploys that are gone, and only those', async () => {
  const root = tmpDir('ce-left-');
  try {
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim(); // a pid that has exited
    const killed = path.join(root, 'ce-ssh-killed');
    mkdirSync(killed);
    writeFileSync(path.join(killed, 'deploy.pid'), `${dead}\n`);
    writeFileSync(path.join(killed, 'bundle.tar'), Buffer.alloc(100_000));
    const running = path.join(root, 'ce-ssh-running');
    mkdirSync(running);
    writeFileSync(path.join(running, 'deploy.pid'), `${process.ppid}\n`); // alive
    const mine = makeDeployTmp(root);
    const unrelated = path.join(root, 'other-dir');
    mkdirSync(unrelated);
    assert.deepEqual(
      staleDeployTmps(root).map((s) => s.dir),
      [killed],
    );
    const notes: string[] = [];
    assert.equal(await removeStaleDeployTmps(root, (m) => notes.push(m)), 1);
    assert.equal(existsSync(killed), false);
    for (const d of [running, mine, unrelated]) assert.ok(existsSync(d), d);
    assert.match(
      notes[0]!,
      new RegExp(`removed .*ce-ssh-killed of a deploy that is no longer running \\(pid ${dead}\\): 0\\.1 MB, 0 ssh master`),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
