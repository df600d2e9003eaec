// SshClient's session limit: many host entries on one destination (64 workers on a few machines)
// must not open more sessions at once than sshd's MaxSessions allows on one master connection.
// The `ssh` here is a shell script that records how many copies of itself run at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SESSIONS_PER_DESTINATION, SshClient } from '../../src/deploy/ssh.js';
import type { HostPlan } from '../../src/deploy/inventory.js';
import { tmpDir } from '../support/helpers.js';

function host(name: string, destination: string): HostPlan {
  return {
    role: 'worker',
    name,
    host: destination,
    address: destination,
    ssh: { options: [] },
    workDir: 'w',
    node: 'node',
    sources: ['system'],
    ntpServers: [],
    port: 47100,
    bind: '0.0.0.0',
    args: [],
  } as HostPlan;
}

test('exec: at most SESSIONS_PER_DESTINATION commands at once per destination, the rest queue; other destinations are not held up', async () => {
  const dir = tmpDir('chronoeval-ssh-sessions-');
  const log = path.join(dir, 'log');
  const fake = path.join(dir, 'ssh');
  // the destination is the argument after `--`; each copy logs +dest at start and -dest at its end
  writeFileSync(
    fake,
    `#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\necho "+$2" >> '${log}'\nsleep 0.2\necho "-$2" >> '${log}'\necho ok\n`,
  );
  chmodSync(fake, 0o755);
  const ssh = new SshClient(dir, fake);
  const a = Array.from({ length: 20 }, (_, i) => host(`a${i}`, 'hostA'));
  const b = Array.from({ length: 3 }, (_, i) => host(`b${i}`, 'hostB'));
  const results = await Promise.all([...a, ...b].map((h) => ssh.exec(h, 'true', { timeoutMs: 10_000 })));
  assert.ok(results.every((r) => r.code === 0 && r.stdout.trim() === 'ok'));
  const peak: Record<string, number> = {};
  const now: Record<string, number> = {};
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const d = line.slice(1);
    now[d] = (now[d] ?? 0) + (line[0] === '+' ? 1 : -1);
    peak[d] = Math.max(peak[d] ?? 0, now[d]!);
  }
  assert.equal(peak['hostA'], SESSIONS_PER_DESTINATION, 'hostA: the limit, reached and never passed');
  assert.equal(peak['hostB'], 3, 'hostB ran its three at once beside hostA');
  assert.ok(SESSIONS_PER_DESTINATION < 10, "below OpenSSH's default MaxSessions");
});
