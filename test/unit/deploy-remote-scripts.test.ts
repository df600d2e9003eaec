// The remote scripts run here under the real /bin/sh: launch, status, stop-by-pid-file, pre-flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  launchCommand,
  launchManyCommand,
  parseLaunch,
  parsePreflight,
  parseStatus,
  preflightCommand,
  statusCommand,
  stopAllCommand,
  stopCommand,
  summariseChrony,
  nodeMajor,
} from '../../src/deploy/remote-scripts.js';
import { judgePreflight, preflightTable } from '../../src/deploy/preflight.js';
import { validateInventory } from '../../src/deploy/inventory.js';
import { CLI_PATH, tmpDir } from '../support/helpers.js';
import { loadRoleOptions } from '../../src/deploy/role-options.js';

// The inventory checks options against the CLI's own declarations.
await loadRoleOptions();

/** What a remote login shell does with the command string ssh hands it. */
const remote = (cmd: string) => spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', timeout: 20_000 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('launch → status → stop: pid file, exit status, and a recycled pid is never signalled', async () => {
  const dir = tmpDir('ce-launch-');
  const state = path.join(dir, 'runs', 'R1');
  const marker = path.join(dir, 'app/dist/src/cli.js');
  try {
    // `sh -c 'sleep 30' <marker>`: the marker is on its command line, like node <wd>/app/dist/src/cli.js
    const l = remote(launchCommand(state, 'worker-a', ['sh', '-c', 'sleep 30', marker]));
    assert.equal(l.status, 0, l.stderr);
    const pid = Number(/pid=(\d+)/.exec(l.stdout)![1]);
    assert.equal(Number(readFileSync(path.join(state, 'worker-a.pid'), 'utf8')), pid);
    let st = parseStatus(remote(statusCommand(state, ['worker-a'])).stdout).get('worker-a')!;
    assert.equal(st.alive, true);
    assert.equal(st.pid, pid);
    assert.equal(st.rc, null);

    // starting it twice is refused while it runs
    assert.equal(remote(launchCommand(state, 'worker-a', ['sh', '-c', 'sleep 30', marker])).status, 3);

    // a pid file whose process does not carry our marker is left alone
    const wrong = remote(stopCommand('TERM', '/some/other/cli.js', [path.join(state, 'worker-a.pid')]));
    assert.match(wrong.stdout, /@@stop worker-a notours/);
    assert.equal(parseStatus(remote(statusCommand(state, ['worker-a'])).stdout).get('worker-a')!.alive, true);

    const ok = remote(stopCommand('TERM', marker, [path.join(state, 'worker-a.pid')]));
    assert.match(ok.stdout, new RegExp(`@@stop worker-a signalled ${pid}`));
    for (let i = 0; i < 40 && !existsSync(path.join(state, 'worker-a.rc')); i++) await sleep(50);
    st = parseStatus(remote(statusCommand(state, ['worker-a'])).stdout).get('worker-a')!;
    assert.equal(st.alive, false);
    assert.equal(st.rc, 143, 'exit status of a SIGTERMed process is recorded');

    // garbage in a pid file is reported, not passed to kill
    writeFileSync(path.join(state, 'evil.pid'), '-1');
    assert.match(remote(stopAllCommand('KILL', marker, path.join(dir, 'runs'))).stdout, /@@stop evil badpid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one launch starts many processes: each argv intact (quotes, $(...), 11 arguments), one already running is refused alone', async () => {
  const dir = tmpDir('ce-launch-');
  const canary = path.join(dir, 'pwned');
  try {
    const many = Array.from({ length: 12 }, (_, i) => ({
      name: `w${i}`,
      argv: ['sh', '-c', 'printf "%s|" "$@"', 'zero', ...Array.from({ length: 11 }, (_, k) => `${i}.${k} "q" $(touch ${canary}) \\n`)],
    }));
    const first = remote(launchManyCommand(dir, many));
    assert.equal(first.status, 0, first.stderr);
    const res = parseLaunch(first.stdout);
    assert.equal(res.size, 12);
    for (const m of many) {
      const r = res.get(m.name)!;
      assert.ok('pid' in r, `${m.name}: ${JSON.stringify(r)}`);
      assert.equal(Number(readFileSync(path.join(dir, `${m.name}.pid`), 'utf8')), r.pid);
    }
    for (let i = 0; i < 40 && !existsSync(path.join(dir, 'w11.rc')); i++) await sleep(50);
    assert.equal(readFileSync(path.join(dir, 'w11.out'), 'utf8'), many[11]!.argv.slice(4).join('|') + '|');
    assert.equal(existsSync(canary), false, 'no argument was ever evaluated');

    // a long-running one and a new one: the running one is refused (exit 3), the new one starts
    const sleeper = { name: 'long', argv: ['sh', '-c', 'sleep 30'] };
    assert.equal(remote(launchManyCommand(dir, [sleeper])).status, 0);
    const again = remote(launchManyCommand(dir, [sleeper, { name: 'fresh', argv: ['true'] }]));
    assert.equal(again.status, 3);
    const r2 = parseLaunch(again.stdout);
    assert.match((r2.get('long') as { error: string }).error, /already running/);
    assert.ok('pid' in r2.get('fresh')!);
    remote(stopCommand('KILL', 'sleep 30', [path.join(dir, 'long.pid')]));
    // their wrappers write the exit status last: wait for it, or the cleanup races those writes
    for (const n of ['long', 'fresh', ...many.map((m) => m.name)])
      for (let i = 0; i < 100 && !existsSync(path.join(dir, `${n}.rc`)); i++) await sleep(50);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('launch records a non-zero exit status and the stdout JSON lines come back in status', async () => {
  const dir = tmpDir('ce-launch-');
  try {
    const l = remote(launchCommand(dir, 'p', ['sh', '-c', 'echo \'{"event":"listening","port":4242}\'; echo oops >&2; exit 7']));
    assert.equal(l.status, 0, l.stderr);
    for (let i = 0; i < 40 && !existsSync(path.join(dir, 'p.rc')); i++) await sleep(50);
    const st = parseStatus(remote(statusCommand(dir, ['p', 'missing'])).stdout);
    assert.equal(st.get('p')!.rc, 7);
    assert.match(st.get('p')!.out, /"port":4242/);
    assert.deepEqual(st.get('p')!.errTail, ['oops']);
    assert.equal(st.get('p')!.errLines, 1);
    assert.equal(st.get('missing')!.pid, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pre-flight on this machine: node found, work dir created, a busy UDP port is seen as busy', async () => {
  const dir = tmpDir('ce-pre-');
  const dgram = await import('node:dgram');
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '0.0.0.0', () => r()));
  const busy = sock.address().port;
  try {
    const wd = path.join(dir, "odd 'dir' $(x)");
    const r = remote(preflightCommand(wd, process.execPath, [busy]));
    const f = parsePreflight(r.stdout);
    assert.equal(f.complete, true, r.stdout + r.stderr);
    assert.equal(f.node, process.version);
    assert.equal(f.workdir, wd);
    assert.equal(f.ports[String(busy)], 'busy');
    assert.equal(f.tar, true);
    const inv = validateInventory(
      { run: { sources: ['system'] }, coordinator: { name: 'c', host: 'a' }, workers: [{ name: 'w', host: 'b', port: busy }] },
      'x.yaml',
    );
    const problems = judgePreflight(inv, inv.workers[0], f);
    assert.deepEqual(problems, [`UDP port ${busy} is in use`]);
    const missing = parsePreflight(remote(preflightCommand(wd, '/nonexistent/node', [])).stdout);
    assert.match(judgePreflight(inv, inv.workers[0], missing).join(';'), /node not found/);
    const table = preflightTable([{ host: inv.workers[0], reachable: true, facts: f, problems, absWorkDir: wd }]);
    assert.match(table, /FAIL/);
    assert.match(table, /in use/);
  } finally {
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable work dir is a pre-flight failure', () => {
  const dir = tmpDir('ce-pre-');
  try {
    writeFileSync(path.join(dir, 'plainfile'), '');
    const f = parsePreflight(remote(preflightCommand(path.join(dir, 'plainfile', 'wd'), process.execPath, [])).stdout);
    assert.equal(f.workdir, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chronyc tracking is summarised; node versions parse', () => {
  const s = summariseChrony([
    'Reference ID    : C0A80001 (192.168.0.1)',
    'System time     : 0.000012345 seconds fast of NTP time',
    'Leap status     : Normal',
  ]);
  assert.equal(s, 'chrony Normal; 0.000012345 s fast; ref C0A80001 (192.168.0.1)');
  assert.equal(nodeMajor('v20.19.1'), 20);
  assert.equal(nodeMajor(''), null);
});

test("killing the launch wrapper (not the process) still leaves the process's own exit status", async () => {
  const dir = tmpDir('ce-launch-');
  try {
    const l = remote(
      launchCommand(dir, 'ntp', [process.execPath, CLI_PATH, 'ntp-server', '--bind', '127.0.0.1', '--port', '0', '--logs-dir', dir]),
    );
    assert.equal(l.status, 0, l.stderr);
    const pid = Number(/pid=(\d+)/.exec(l.stdout)![1]);
    for (let i = 0; i < 100 && !readFileSync(path.join(dir, 'ntp.out'), 'utf8').includes('listening'); i++) await sleep(50);
    const wrapper = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    process.kill(wrapper, 'SIGKILL'); // the subshell that would write ntp.rc
    await sleep(100);
    process.kill(pid, 'SIGTERM'); // the server itself ends cleanly, with 143
    let st = parseStatus(remote(statusCommand(dir, ['ntp'])).stdout).get('ntp')!;
    for (let i = 0; i < 100 && st.alive; i++) {
      await sleep(50);
      st = parseStatus(remote(statusCommand(dir, ['ntp'])).stdout).get('ntp')!;
    }
    assert.equal(st.alive, false);
    assert.equal(existsSync(path.join(dir, 'ntp.rc')), false, 'the wrapper was killed before writing ntp.rc');
    assert.equal(st.rc, 143, 'the exit status the process recorded itself (stopped by SIGTERM: 128 + 15)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pre-flight and stop print work dirs with backslashes, spaces and quotes literally (printf, not echo)', () => {
  const root = tmpDir('ce-odd-');
  try {
    const wd = path.join(root, 'a\\nb\\tc \\\\ d \'q\' "dq" \\c');
    const r = remote(preflightCommand(wd, process.execPath, []));
    assert.equal(r.status, 0, r.stderr);
    const facts = parsePreflight(r.stdout);
    assert.equal(facts.workdir, wd);
    // ... and such a dir is refused with the reason: Node.js cannot load ES modules from it
    const inv = validateInventory(
      { run: { sources: ['system'] }, coordinator: { name: 'c', host: 'a' }, workers: [{ name: 'w', host: 'b', work_dir: 'plain' }] },
      'x.yaml',
    );
    assert.ok(judgePreflight(inv, inv.workers[0]!, facts).some((p) => /contains a backslash: Node\.js cannot load its modules/.test(p)));
    assert.throws(
      () =>
        validateInventory(
          { run: { sources: ['system'] }, coordinator: { name: 'c', host: 'a' }, workers: [{ name: 'w', host: 'b', work_dir: 'a\\b' }] },
          'x.yaml',
        ),
      /workers\[0\]\.work_dir: "a\\\\b" contains a backslash/,
    );
    writeFileSync(path.join(wd, 'x.pid'), String(process.pid));
    const s = remote(stopCommand('0', 'no-such-marker-', [path.join(wd, 'x.pid')]));
    assert.match(s.stdout, /@@stop x notours \d+/);
    const own = remote(stopCommand('0', '', [path.join(wd, 'x.pid')]));
    assert.ok(own.stdout.includes(`@@stop x signalled ${process.pid} ${path.join(wd, 'x.pid')}\n`), own.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
