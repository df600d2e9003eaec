// The chrony source against a real chronyd on a private unix command socket (and UDP command
// port). chronyd always runs with -x: it never touches the host clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { ChronySource, parseChronyTracking } from '../../src/clock/sources/chrony.js';
import { HostClock } from '../../src/clock/host-clock.js';
import type { SyncRow } from '../../src/clock/types.js';
import { tmpDir } from '../support/helpers.js';

const HAVE_CHRONYD = spawnSync('chronyd', ['--version']).status === 0;

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Daemon {
  child: ChildProcess;
  dir: string;
  sock: string;
  cmdPort: number;
  log: () => string;
  stop: () => Promise<void>;
}

/** chronyd -x -d with a private config; `local` makes it a synchronised stratum-8 clock. */
async function startChronyd(opts: { local: boolean }): Promise<Daemon> {
  const dir = tmpDir('chronyd-');
  chmodSync(dir, 0o700);
  const sock = path.join(dir, 'chronyd.sock');
  const cmdPort = await freeUdpPort();
  const conf = path.join(dir, 'chrony.conf');
  writeFileSync(
    conf,
    [
      opts.local ? 'local stratum 8' : '',
      `bindcmdaddress ${sock}`,
      'bindcmdaddress 127.0.0.1',
      `cmdport ${cmdPort}`,
      'port 0',
      `pidfile ${path.join(dir, 'chronyd.pid')}`,
      `driftfile ${path.join(dir, 'drift')}`,
      '',
    ].join('\n'),
  );
  const user = os.userInfo().username;
  const child = spawn('chronyd', ['-x', '-d', '-u', user, '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 5000;
  while (!existsSync(sock)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`chronyd did not open its socket:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { child, dir, sock, cmdPort, log: () => log, stop };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('chrony: parse rejects malformed tracking output with the field named', () => {
  assert.throws(() => parseChronyTracking(''), /printed nothing/);
  assert.throws(() => parseChronyTracking('A,B,C'), /expected 14 CSV fields/);
  assert.throws(() => parseChronyTracking('7F7F0101,,8,x,0,0,0,0,0,0,0,0,0,Normal'), /ref time is not a number/);
  assert.throws(() => parseChronyTracking('7F7F0101,,8,1,0,0,0,0,0,0,0,0,0,Maybe'), /unknown leap status/);
  const t = parseChronyTracking('C0A80001,ntp1,3,1795281639.7,-0.000012,0,0,-2.5,0,0.1,0.004,0.0005,64.0,Normal\n');
  assert.equal(t.systemOffsetS, -0.000012);
  assert.equal(t.rootDelayS, 0.004);
});

test(
  'chrony: real chronyd on a unix socket → ok interval; dead daemon → error with reason, no value',
  { skip: !HAVE_CHRONYD && 'chronyd not installed (apt-get install chrony)' },
  async () => {
    const d = await startChronyd({ local: true });
    const rows: SyncRow[] = [];
    const clock = new HostClock();
    const src = new ChronySource({
      clock,
      host: d.sock,
      pollMs: 200,
      sink: (r) => rows.push(r),
      warmup: { minSpanMs: 500, minSamples: 3 },
    });
    try {
      await src.start();
      const r = src.read(clock.nowNs());
      assert.equal(r.status, 'ok', JSON.stringify(src.summary()) + d.log());
      assert.ok(r.lo_ns! <= r.point_ns! && r.point_ns! <= r.hi_ns!);
      // local stratum 8, no upstream: offset, root delay and dispersion are 0 → only the PHI growth since the poll.
      assert.ok(r.hi_ns! - r.lo_ns! < 100_000n, `width ${r.hi_ns! - r.lo_ns!} ns`);
      assert.equal(rows[0]!.source, 'chrony');
      assert.equal(rows[0]!.status, 'ok');
      assert.equal(rows[0]!.stratum, 8);
      await sleep(900);
      assert.equal(src.readiness().ready, true, src.readiness().detail);
      await d.stop();
      await sleep(500);
      const dead = src.read(clock.nowNs());
      assert.deepEqual(dead, { point_ns: null, lo_ns: null, hi_ns: null, status: 'error' });
      const last = rows[rows.length - 1]!;
      assert.equal(last.status, 'error');
      assert.match(String(last.reason), /chronyc failed/);
      assert.equal(last.point_ns, null);
      assert.equal(src.readiness().ready, false);
    } finally {
      await src.stop();
      await d.stop();
    }
  },
);

test(
  'chrony: over the UDP command port; an unsynchronised chronyd → unsynced, no value',
  { skip: !HAVE_CHRONYD && 'chronyd not installed' },
  async () => {
    const d = await startChronyd({ local: false });
    const clock = new HostClock();
    const src = new ChronySource({ clock, host: '127.0.0.1', port: d.cmdPort, pollMs: 300 });
    try {
      await src.start();
      const r = src.read(clock.nowNs());
      assert.equal(r.status, 'unsynced', JSON.stringify(src.summary()) + d.log());
      assert.equal(r.point_ns, null);
      assert.match(src.readiness().detail, /unsynced/);
    } finally {
      await src.stop();
      await d.stop();
    }
  },
);

test('chrony: a missing chronyc binary → absent with the reason', async () => {
  const clock = new HostClock();
  const src = new ChronySource({ clock, chronycPath: '/nonexistent/chronyc', pollMs: 1000 });
  await src.start();
  await src.stop();
  assert.equal(src.read(clock.nowNs()).status, 'absent');
  assert.match(src.readiness().detail, /chronyc not found/);
});
