// Real SNTP exchanges on loopback (real UDP sockets, the project's ntp-server and NtpSource)
// with simulated faults: the faults must be measured, and their effects must not be hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNtpServer, type NtpServerHandle } from '../../src/ntp-server/index.js';
import { NtpSource } from '../../src/clock/sources/ntp.js';
import { FaultyClock, measureTruthAnchor } from '../../src/sim/faulty-clock.js';
import { NtpFaultBehaviour, type NtpFaultSpec } from '../../src/sim/ntp-faults.js';
import type { ClockFaultSpec } from '../../src/sim/clock-faults.js';
import type { NtpSample } from '../../src/clock/ntp-sample.js';
import type { SyncRow } from '../../src/clock/types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const ms = (x: bigint | number): string => `${(Number(x) / 1e6).toFixed(3)} ms`;

interface Rig {
  server: NtpServerHandle;
  behaviour: NtpFaultBehaviour;
  clock: FaultyClock;
  ntp: NtpSource;
  accepted: NtpSample[];
  rows: SyncRow[];
  close(): Promise<void>;
}

async function rig(clockFaults: ClockFaultSpec, serverFaults: NtpFaultSpec, pollMs: number, seed = 1): Promise<Rig> {
  const behaviour = new NtpFaultBehaviour(serverFaults, seed);
  // One truth anchor for server and client, as run-local gives every process of a run.
  const truth_anchor = measureTruthAnchor();
  const server = await startNtpServer({ host: '127.0.0.1', port: 0, clock: new FaultyClock({ truth_anchor }), behaviour });
  const clock = new FaultyClock({ ...clockFaults, truth_anchor }, { seed });
  const rows: SyncRow[] = [];
  const ntp = new NtpSource({
    servers: [`127.0.0.1:${server.port}`],
    clock,
    pollMs,
    burst: 3,
    timeoutMs: 300,
    burstGapMs: 5,
    sink: (r) => rows.push(r),
  });
  const accepted: NtpSample[] = [];
  ntp.onSample((s) => {
    if (s.accepted) accepted.push(s);
  });
  await ntp.start();
  return {
    server,
    behaviour,
    clock,
    ntp,
    accepted,
    rows,
    close: async () => {
      await ntp.stop();
      await server.close();
    },
  };
}

test('an injected +5 ms offset is measured by the ntp source within the NTP path error (δ/2)', async () => {
  // Asymmetric path: request 0.5 ms slower than the reply, plus 0.2-1 ms of jitter each way.
  const r = await rig({ offset_ms: 5 }, { delay: { dist: 'uniform', min_ms: 0.2, max_ms: 1 }, request_delay: 0.5 }, 200);
  try {
    await sleep(1500);
    assert.ok(r.accepted.length >= 4, `accepted ${r.accepted.length} samples`);
    for (const s of r.accepted) {
      // θ estimates true − local = −5 ms; asymmetry can only move it by at most δ/2.
      const err = s.offset_ns - -5_000_000n;
      assert.ok(abs(err) <= s.delay_ns / 2n, `θ ${ms(s.offset_ns)} vs −5 ms: error ${ms(err)} > δ/2 = ${ms(s.delay_ns / 2n)}`);
      assert.ok(s.delay_ns >= 900_000n, `delay ${ms(s.delay_ns)} includes the injected ≥ 0.9 ms`);
    }
    // The point reading: local + θ ≈ true time, within the last sample's δ/2 (no drift here).
    const local = r.clock.nowNs();
    const truth = r.clock.lastTrueNs;
    const reading = r.ntp.read(local);
    assert.equal(reading.status, 'ok');
    const last = r.accepted[r.accepted.length - 1]!;
    const pointErr = reading.point_ns! - truth;
    assert.ok(abs(pointErr) <= last.delay_ns / 2n + 20_000n, `point error ${ms(pointErr)}, δ/2 ${ms(last.delay_ns / 2n)}`);
    assert.ok(abs(local - truth - 5_000_000n) < 1000n, 'the client clock really is 5 ms ahead');
    // Ground truth in the sync log: true_offset_ns = true − local = −5 ms on every sample row.
    // (Tolerance 100 µs: NtpSource reads trueNowNs() separately after nowNs(); see the report.)
    const acceptedRows = r.rows.filter((x) => x.accepted === 1);
    assert.ok(acceptedRows.length >= 4);
    for (const row of acceptedRows)
      assert.ok(abs((row.true_offset_ns as bigint) + 5_000_000n) < 100_000n, `true_offset_ns ${row.true_offset_ns}`);
    assert.ok(r.behaviour.realised().requests >= 12);
  } finally {
    await r.close();
  }
});

test('a drift of 50 ppm shows as a point error growing by ~50 µs/s between polls', async () => {
  const r = await rig({ drift_ppm: 50 }, {}, 1000);
  try {
    // Read the ntp source like the hot path does, every 20 ms, and keep (true time, error, model epoch).
    const points: Array<{ t: number; err: number; epoch: number }> = [];
    const t0 = r.clock.trueNowNs();
    while (r.clock.trueNowNs() - t0 < 3_600_000_000n) {
      const local = r.clock.nowNs();
      const reading = r.ntp.read(local);
      if (reading.point_ns !== null)
        points.push({ t: Number(r.clock.lastTrueNs - t0), err: Number(reading.point_ns - r.clock.lastTrueNs), epoch: r.accepted.length });
      await sleep(20);
    }
    const epochs = [...new Set(points.map((p) => p.epoch))];
    const slopes: number[] = [];
    for (const e of epochs) {
      const ps = points.filter((p) => p.epoch === e);
      if (ps.length < 20 || ps[ps.length - 1]!.t - ps[0]!.t < 600e6) continue;
      const mt = ps.reduce((a, p) => a + p.t, 0) / ps.length;
      const me = ps.reduce((a, p) => a + p.err, 0) / ps.length;
      const slope = ps.reduce((a, p) => a + (p.t - mt) * (p.err - me), 0) / ps.reduce((a, p) => a + (p.t - mt) ** 2, 0);
      slopes.push(slope * 1e6); // ppm
      assert.ok(ps[ps.length - 1]!.err > ps[0]!.err, `error grows within a poll interval (epoch ${e})`);
    }
    assert.ok(slopes.length >= 2, `at least two full poll intervals observed (epochs ${epochs.join(',')})`);
    for (const s of slopes) assert.ok(Math.abs(s - 50) < 5, `error growth ${s.toFixed(2)} ppm, expected 50`);
  } finally {
    await r.close();
  }
});

test('a step of the client clock is detected in the NTP offsets and recorded as a realised fault', async () => {
  const r = await rig({ steps: [{ at_s: 1, step_ms: 20 }] }, { delay: { dist: 'uniform', min_ms: 0.05, max_ms: 0.2 } }, 250);
  try {
    await sleep(2300);
    const realised = r.clock.realisedFaults();
    const step = realised.steps[0]!;
    assert.equal(step.applied, true);
    assert.equal(step.step_ns, 20_000_000);
    assert.equal(step.at_true_ns, r.clock.startTrueNs + 1_000_000_000n);
    const before = r.accepted.filter((s) => s.true_t4_ns! < step.at_true_ns);
    const after = r.accepted.filter((s) => s.true_t1_ns! > step.at_true_ns);
    assert.ok(before.length >= 2 && after.length >= 2, `${before.length} samples before, ${after.length} after`);
    for (const s of before) assert.ok(abs(s.offset_ns) <= s.delay_ns / 2n, `before the step θ = ${ms(s.offset_ns)}`);
    for (const s of after) assert.ok(abs(s.offset_ns + 20_000_000n) <= s.delay_ns / 2n, `after the step θ = ${ms(s.offset_ns)}`);
    // The jump is in the sync log, and the ground-truth column agrees with it.
    const rows = r.rows.filter((x) => x.accepted === 1);
    const jumps = rows.slice(1).map((x, i) => (x.offset_ns as bigint) - (rows[i]!.offset_ns as bigint));
    assert.ok(
      jumps.some((j) => j < -19_000_000n && j > -21_000_000n),
      `one jump of −20 ms in ${jumps.map(ms).join(', ')}`,
    );
    // After the next poll the ntp point estimate follows the stepped clock.
    const reading = r.ntp.read(r.clock.nowNs());
    assert.ok(abs(reading.point_ns! - r.clock.lastTrueNs) < 1_000_000n);
  } finally {
    await r.close();
  }
});

test('a falseticker server is not hidden: the ntp point is 30 ms off while the truth column says the clock is right', async () => {
  const r = await rig({}, { falseticker_offset_ms: 30, delay: { dist: 'uniform', min_ms: 0.05, max_ms: 0.2 } }, 200);
  try {
    await sleep(1000);
    const reading = r.ntp.read(r.clock.nowNs());
    assert.equal(reading.status, 'ok', 'from the client side the liar looks healthy');
    const err = reading.point_ns! - r.clock.lastTrueNs;
    assert.ok(abs(err - 30_000_000n) < 1_000_000n, `point error ${ms(err)}, expected +30 ms`);
    const rows = r.rows.filter((x) => x.accepted === 1);
    assert.ok(rows.length >= 3);
    for (const row of rows) {
      const offsetError = (row.offset_ns as bigint) - (row.true_offset_ns as bigint);
      // The lie is 30 ms; the path adds at most δ/2 (a stalled test process makes δ, not the lie, larger).
      const slack = (row.delay_ns as bigint) / 2n + 100_000n;
      assert.ok(abs(offsetError - 30_000_000n) <= slack, `offset − true_offset = ${ms(offsetError)}, beyond 30 ms ± δ/2 = ${ms(slack)}`);
    }
  } finally {
    await r.close();
  }
});

test('server loss: dropped requests become timeouts; the same seed drops the same request numbers', async () => {
  const r = await rig({}, { loss: 0.5 }, 150, 77);
  try {
    await sleep(1500);
    const realised = r.behaviour.realised();
    assert.ok(realised.requests >= 6, `${realised.requests} requests`);
    assert.ok(realised.dropped > 0 && realised.dropped < realised.requests, `${realised.dropped} dropped`);
    assert.equal(r.server.stats().dropped, realised.dropped);
    const timeouts = r.rows.filter((x) => String(x.reason).startsWith('timeout')).length;
    assert.ok(timeouts > 0 && timeouts <= realised.dropped, `${timeouts} timeouts logged for ${realised.dropped} drops`);
    const replay = new NtpFaultBehaviour({ loss: 0.5 }, 77);
    const drops = (b: NtpFaultBehaviour): boolean[] =>
      Array.from({ length: realised.requests }, (_, i) => b.decisionFor(i + 1).drop === true);
    assert.deepEqual(drops(replay), drops(r.behaviour));
    assert.equal(drops(replay).filter(Boolean).length, realised.dropped);
  } finally {
    await r.close();
  }
});
