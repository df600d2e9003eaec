// The ptp source against real linuxptp: ptp4l master and slave (software timestamping) in two
// network namespaces over veth. Both run on the host's CLOCK_REALTIME and never adjust it, so the
// true offset is 0: every ok reading must contain the host clock's own value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PtpSource, phc2sysPids } from '../../src/clock/sources/ptp.js';
import { HostClock } from '../../src/clock/host-clock.js';
import type { SyncRow } from '../../src/clock/types.js';
import { CLI_PATH, tmpDir } from '../support/helpers.js';
import { createPtpLab, ptpLabUnavailableReason, readAdjtimex, type PtpDaemon } from '../support/ptp-lab.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const UNAVAILABLE = ptpLabUnavailableReason();

async function until(what: string, ok: () => boolean, ms: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms: ${detail()}`);
    await sleep(50);
  }
}

test(
  'ptp: real ptp4l master and free-running slave in namespaces → warming, ok intervals containing the host clock, warming/error when they stop',
  { skip: UNAVAILABLE ?? false, timeout: 60_000 },
  async () => {
    const before = readAdjtimex();
    const lab = createPtpLab();
    const clock = new HostClock();
    const rows: SyncRow[] = [];
    const common = { clock, udsPath: lab.slaveUds, pollMs: 200 };
    const src = new PtpSource({ ...common, disciplined: false, sink: (r) => rows.push(r), warmup: { minSamples: 4, minSpanMs: 1000 } });
    const auto = new PtpSource({ ...common, name: 'ptp-auto' });
    const dir = tmpDir('ptp-worker-');
    let workerErr = '';
    const worker = { child: null as ReturnType<typeof spawn> | null };
    const daemons: PtpDaemon[] = [];
    try {
      const slave = lab.startSlave();
      daemons.push(slave);
      await until('the slave opens its socket', () => existsSync(lab.slaveUds), 5000, slave.log);
      await src.start();
      await auto.start();

      // A worker stamping with ptp waits in its warmup gate while the source is warming.
      worker.child = spawn(
        process.execPath,
        [
          CLI_PATH,
          'worker',
          '--node',
          'p1',
          '--bind',
          '127.0.0.1',
          '--port',
          '0',
          '--insecure',
          '--sources',
          'system,ptp',
          '--source-options',
          JSON.stringify({ ptp: { udsPath: lab.slaveUds, disciplined: false, pollMs: 200, warmup: { minSamples: 4, minSpanMs: 1000 } } }),
          '--warmup-max-s',
          '40',
          '--results-dir',
          path.join(dir, 'results'),
          '--logs-dir',
          path.join(dir, 'logs'),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      worker.child.stderr!.on('data', (d) => (workerErr += d));

      // No master yet: LISTENING → warming, no value.
      const early = src.read(clock.nowNs());
      assert.equal(early.status, 'warming', JSON.stringify(src.summary()));
      assert.equal(early.point_ns, null);
      assert.match(String(src.summary().reason), /LISTENING: no master selected yet/);
      await until(
        'the worker reports it waits on ptp',
        () => /waiting on ptp \(ptp warming: .*LISTENING/.test(workerErr),
        10_000,
        () => workerErr,
      );
      assert.doesNotMatch(workerErr, /ready after/);

      const master = lab.startMaster();
      daemons.push(master);
      await until(
        'ptp ok',
        () => src.read(clock.nowNs()).status === 'ok',
        15_000,
        () => JSON.stringify(src.summary()) + master.log() + slave.log(),
      );
      const t0 = Date.now();

      // A free-running ptp4l stays UNCALIBRATED (its servo never locks): auto mode cannot tell it
      // from a servo still locking, and waits, saying how to configure it.
      await until(
        'auto sees UNCALIBRATED',
        () => /UNCALIBRATED/.test(String(auto.summary().reason)),
        5000,
        () => JSON.stringify(auto.summary()),
      );
      assert.equal(auto.read(clock.nowNs()).status, 'warming');
      assert.match(String(auto.summary().reason), /UNCALIBRATED.*servo not locked yet.*disciplined to false/);

      // Readings at a high rate for 3 s: all must contain the host clock (the truth here).
      let n = 0;
      let covered = 0;
      let maxHw = 0n;
      let maxMiss = 0n;
      while (Date.now() - t0 < 3000) {
        for (let i = 0; i < 20; i++) {
          const local = clock.nowNs();
          const r = src.read(local);
          assert.equal(r.status, 'ok', JSON.stringify(src.summary()));
          n++;
          if (r.lo_ns! <= local && local <= r.hi_ns!) covered++;
          else maxMiss = [maxMiss, r.lo_ns! - local, local - r.hi_ns!].reduce((x, y) => (y > x ? y : x));
          const hw = (r.hi_ns! - r.lo_ns!) / 2n;
          if (hw > maxHw) maxHw = hw;
        }
        await sleep(2);
      }
      const okRows = rows.filter((r) => r.status === 'ok');
      const offsets = okRows.map((r) => Math.abs(Number(r.offset_ns)));
      const delays = okRows.map((r) => Number(r.delay_ns));
      console.log(
        `ptp: ${covered}/${n} readings contain the host clock (max miss ${maxMiss} ns), max half-width ${maxHw} ns; ` +
          `${okRows.length} ok polls, growth ${Number(src.summary().growth_ppm).toFixed(1)} ppm, |offset| median ${[...offsets].sort((x, y) => x - y)[offsets.length >> 1]} max ${Math.max(...offsets)} ns, mean path delay ${Math.min(...delays)}..${Math.max(...delays)} ns`,
      );
      assert.equal(covered, n, `${n - covered} of ${n} readings miss the host clock by up to ${maxMiss} ns`);
      assert.ok(n >= 200 && okRows.length >= 3, `${n} readings over ${okRows.length} ok polls`);
      // Software stamps on veth: the measured offset of two processes on one clock is µs-ish
      // (the median: a busy kernel stamps the odd Sync tens of µs late).
      const median = [...offsets].sort((x, y) => x - y)[offsets.length >> 1]!;
      assert.ok(median < 20_000, `median |offset| ${median} ns`);
      assert.ok(
        delays.every((d) => d > 0),
        `an ok poll without a path delay: ${delays.join(', ')}`,
      );
      assert.ok(maxHw < 1_000_000n, `half-width up to ${maxHw} ns`);
      const row = okRows[okRows.length - 1]!;
      assert.equal(row.source, 'ptp');
      assert.equal(row.accepted, 1);
      assert.match(String(row.server), /^[0-9a-f]{6}\.[0-9a-f]{4}\.[0-9a-f]{6}$/);
      assert.match(String(row.reason), /free-running/);
      assert.equal(src.summary().frame, 'free-running');
      assert.equal(src.summary().timestamping, 'SOFTWARE');
      assert.equal(src.readiness().ready, true, src.readiness().detail);
      // Converged: the bound grows at the fitted drift (≈ 0 between two processes on one clock) + 3σ + 15 ppm, not 500 ppm.
      await sleep(500);
      const growth = Number(src.summary().growth_ppm);
      assert.ok(growth >= 15 && growth < 200, `growth ${growth} ppm`);
      const late = clock.nowNs();
      const rl = src.read(late);
      assert.ok(rl.lo_ns! <= late && late <= rl.hi_ns!, 'a reading after convergence contains the host clock');
      await until(
        'the worker is ready',
        () => /ready after [\d.]+ s: every source converged/.test(workerErr),
        10_000,
        () => workerErr,
      );

      // An instant long after the last Sync: stale, not an old value passed off as fresh.
      assert.equal(src.read(clock.nowNs() + 30_000_000_000n).status, 'stale');

      // Master gone: the slave's announce timeout sends it back to LISTENING → warming.
      await lab.stop(master, 'SIGKILL');
      await until(
        'warming after the master stops',
        () => src.read(clock.nowNs()).status === 'warming',
        5000,
        () => JSON.stringify(src.summary()),
      );
      assert.match(String(src.summary().reason), /LISTENING/);
      assert.equal(src.readiness().ready, false);

      // Slave gone: pmc gets no answer → error with the reason, no value.
      await lab.stop(slave, 'SIGKILL');
      await until(
        'error after the slave stops',
        () => src.read(clock.nowNs()).status === 'error',
        5000,
        () => JSON.stringify(src.summary()),
      );
      assert.match(String(src.summary().reason), /no answer from ptp4l at .*slave\.sock/);
      assert.equal(rows[rows.length - 1]!.status, 'error');
      assert.equal(rows[rows.length - 1]!.point_ns, null);
    } finally {
      const w = worker.child;
      if (w && w.exitCode === null && w.signalCode === null) {
        const gone = new Promise((r) => w.once('exit', r));
        w.kill('SIGTERM');
        await Promise.race([gone, sleep(5000)]);
        w.kill('SIGKILL');
      }
      await src.stop();
      await auto.stop();
      await lab.teardown();
      rmSync(dir, { recursive: true, force: true });
    }
    // Nothing left: processes, namespaces, files; and the host clock's discipline untouched.
    for (const d of [...daemons, ...(worker.child ? [{ child: worker.child }] : [])])
      assert.ok(d.child.exitCode !== null || d.child.signalCode !== null, `pid ${d.child.pid} still running`);
    const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.ok(!ns.includes(lab.tag), `namespaces left: ${ns}`);
    assert.ok(!existsSync(lab.dir), `${lab.dir} left behind`);
    const after = readAdjtimex();
    assert.deepEqual(
      { freq: after.freq, tick: after.tick, status: after.status },
      { freq: before.freq, tick: before.tick, status: before.status },
      'ptp4l changed the host clock discipline',
    );
  },
);

test('ptp: a missing pmc binary → absent with the reason; a socket nobody serves → error', async () => {
  const clock = new HostClock();
  const missing = new PtpSource({ clock, pmcPath: '/nonexistent/pmc' });
  await missing.start();
  await missing.stop();
  assert.equal(missing.read(clock.nowNs()).status, 'absent');
  assert.match(missing.readiness().detail, /pmc not found/);
  if (spawnSync('sh', ['-c', 'command -v pmc']).status !== 0) return;
  const dir = tmpDir('ptp-none-');
  try {
    const none = new PtpSource({ clock, udsPath: path.join(dir, 'nobody.sock') });
    await none.start();
    await none.stop();
    assert.equal(none.read(clock.nowNs()).status, 'error');
    assert.match(none.readiness().detail, /no answer from ptp4l at .*nobody\.sock \(is ptp4l running/);
    // pmc killed at its timeout: an error, and its client socket (/var/run/pmc.<pid>) not left behind.
    const leftovers = () => readdirSync('/var/run').filter((f) => f.startsWith('pmc.'));
    const before = leftovers();
    const slow = new PtpSource({ clock, udsPath: path.join(dir, 'nobody.sock'), timeoutMs: 40 });
    await slow.start();
    await slow.stop();
    assert.match(slow.readiness().detail, /pmc timed out after 40 ms/);
    assert.deepEqual(leftovers(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ptp: bad options are refused with what was given', () => {
  const clock = new HostClock();
  assert.throws(() => new PtpSource({ clock, disciplined: 'yes' as never }), /option disciplined is "yes"; give true, false or "auto"/);
  assert.throws(() => new PtpSource({ clock, domain: 300 }), /option domain is 300/);
  assert.throws(() => new PtpSource({ clock, marginNs: -1 }), /option marginNs is -1/);
  assert.throws(() => new PtpSource({ clock, ...({ udsPth: '/x' } as object) }), /unknown option "udsPth".*known: pmcPath, udsPath/);
});

test('ptp: phc2sys is found by its process name in /proc', async () => {
  // A real phc2sys would steer this shared host's clock: a process with that name (a copy of
  // sleep) stands in for the scan, which looks at nothing but the name.
  const dir = tmpDir('ptp-phc2sys-');
  const bin = path.join(dir, 'phc2sys');
  copyFileSync('/bin/sleep', bin);
  const child = spawn(bin, ['30'], { stdio: 'ignore' });
  try {
    await until(
      'the process runs',
      () => existsSync(`/proc/${child.pid}/comm`),
      2000,
      () => '',
    );
    assert.ok((await phc2sysPids()).includes(child.pid!));
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(!(await phc2sysPids()).includes(child.pid!));
});
