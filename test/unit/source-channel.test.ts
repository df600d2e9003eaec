// The `channel` source: echo samples (s, e on the coordinator's clock; r, h on the worker's) from
// simulated clocks on a synthetic timeline, random asymmetric one-way delays, drift and a step of
// the worker's clock. The truth it must cover is the COORDINATOR's clock at the worker's instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/sim/prng.js';
import { FaultyClock } from '../../src/sim/faulty-clock.js';
import type { ClockFaultSpec } from '../../src/sim/clock-faults.js';
import { ChannelSource, CHANNEL_READY_DETAIL, isEchoSampleSink, type EchoSample } from '../../src/clock/sources/channel.js';
import { createSources, KNOWN_SOURCES, parseSourceList } from '../../src/clock/registry.js';
import type { LocalClock, Reading, SyncRow } from '../../src/clock/types.js';
import { Logger } from '../../src/cli/logger.js';
import { validateCoordinatorOptions, validateWorkerOptions } from '../../src/cli/config-validation.js';

const BASE = 1_800_000_000_000_000_000n; // true time at t = 0, ns
const MONO0 = 1_000_000_000_000n;

/** True time as a settable synthetic host clock (the FaultyClocks' host), with its monotonic frame. */
class Timeline implements LocalClock {
  readonly simulated = false;
  t = 0n; // true ns since BASE
  nowNs(): bigint {
    return BASE + this.t;
  }
  atMonoNs(m: bigint): bigint {
    return BASE + (m - MONO0);
  }
  mono = (): bigint => MONO0 + this.t;
  monoAt = (t: bigint): bigint => MONO0 + t;
}

interface Spec {
  seed: number;
  worker: ClockFaultSpec;
  coordinator: ClockFaultSpec;
  rate: number;
  durationS: number;
  /** Echo results ride on the event this many events later (the piggyback). */
  lag?: number;
  tuning?: Record<string, unknown>;
  /** One-way delays (µs): floor and mean of the exponential body; default a LAN's 30 / 150 out, 60 / 400 back. */
  delayUs?: { floor: number; mean: number };
  /** The worker's hold (µs): uniform in [min, max]; default 5 .. 45. */
  holdUs?: { min: number; max: number };
}

interface Result {
  reads: number;
  withValue: number;
  covered: number;
  misses: Array<{ t: number; lo: bigint; hi: bigint; truth: bigint; status: string }>;
  statuses: Record<string, number>;
  halfWidths: number[];
  rows: SyncRow[];
  src: ChannelSource;
}

/** One-way delay (ns): a floor, an exponential body, rare large spikes (queueing); forward and back differ. */
function delayNs(r: () => number, floorUs: number, meanUs: number): bigint {
  let us = floorUs - meanUs * Math.log(1 - r());
  if (r() < 0.01) us += r() * 5000;
  return BigInt(Math.round(us * 1000));
}

function simulate(spec: Spec): Result {
  const p = new Prng(spec.seed);
  const r = (): number => p.next();
  const tl = new Timeline();
  const worker = new FaultyClock(spec.worker, { host: tl, startTrueNs: BASE });
  const coord = new FaultyClock(spec.coordinator, { host: tl, startTrueNs: BASE });
  const rows: SyncRow[] = [];
  const src = new ChannelSource({ clock: worker, monoNs: tl.mono, sink: (row) => rows.push(row), ...spec.tuning });
  const res: Result = { reads: 0, withValue: 0, covered: 0, misses: [], statuses: {}, halfWidths: [], rows, src };
  const lag = spec.lag ?? 2;
  const n = Math.round(spec.rate * spec.durationS);
  const gap = 1e9 / spec.rate;
  // Echo samples completed so far, by event index; event k carries the results of k − lag .. k − lag − 3.
  const done: EchoSample[] = [];
  const pending: Array<{ atTrue: bigint; sample: Omit<EchoSample, 'atMonoNs'>; k: number }> = [];
  for (let k = 0; k < n; k++) {
    const tSend = BigInt(Math.round((k + r() * 0.5) * gap));
    const d = spec.delayUs;
    const tRecv = tSend + (d ? delayNs(r, d.floor, d.mean) : delayNs(r, 30, 150));
    const h = spec.holdUs ?? { min: 5, max: 45 };
    const hold = BigInt(Math.round((h.min + r() * (h.max - h.min)) * 1000));
    const tEcho = tRecv + hold + (d ? delayNs(r, d.floor, d.mean) : delayNs(r, 60, 400));
    tl.t = tRecv;
    const s = coord.localAt(BASE + tSend);
    const rLocal = worker.localAt(BASE + tRecv);
    // Samples whose echo has arrived at the coordinator before this event was sent ride on it.
    const carried = done.filter((d) => d.seq <= k - lag).slice(-4);
    const feedFirst = r() < 0.5;
    const feed = (): void => {
      for (const d of carried) src.addEchoSample({ ...d, atMonoNs: tl.monoAt(tRecv) });
    };
    if (feedFirst) feed();
    const rd = src.read(rLocal, tl.monoAt(tRecv));
    if (!feedFirst) feed();
    tally(res, rd, coord.localAt(BASE + tRecv), Number(tRecv) / 1e9);
    pending.push({ atTrue: tEcho, k, sample: { seq: k, s_ns: s, e_ns: coord.localAt(BASE + tEcho), r_ns: rLocal, h_ns: hold } });
    // Echoes that have arrived by the next send become available to piggyback (out of order too).
    const nextSend = BigInt(Math.round((k + 1) * gap));
    for (let i = pending.length - 1; i >= 0; i--)
      if (pending[i]!.atTrue < nextSend) {
        done.push({ ...pending[i]!.sample, atMonoNs: 0n });
        pending.splice(i, 1);
      }
    if (done.length > 64) done.splice(0, done.length - 64);
  }
  return res;
}

function tally(res: Result, rd: Reading, truth: bigint, t: number): void {
  res.reads++;
  res.statuses[rd.status] = (res.statuses[rd.status] ?? 0) + 1;
  if (rd.lo_ns === null || rd.hi_ns === null || rd.point_ns === null) {
    assert.ok(rd.lo_ns === null && rd.hi_ns === null && rd.point_ns === null, 'no partial values');
    assert.ok(rd.status !== 'ok' && rd.status !== 'degraded', `status ${rd.status} without values`);
    return;
  }
  res.withValue++;
  assert.ok(rd.lo_ns <= rd.point_ns && rd.point_ns <= rd.hi_ns, 'point inside its interval');
  res.halfWidths.push(Number(rd.hi_ns - rd.lo_ns) / 2);
  if (rd.lo_ns <= truth && truth <= rd.hi_ns) res.covered++;
  else res.misses.push({ t, lo: rd.lo_ns, hi: rd.hi_ns, truth, status: rd.status });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('channel: covers the coordinator clock under drift, asymmetric delays and a worker clock step, over several seeds', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const p = new Prng(seed * 7919);
    const drift = (p.next() * 2 - 1) * 50;
    const step = (p.next() < 0.5 ? -1 : 1) * 10 ** (p.next() * 2.7); // 1 ms .. 500 ms
    const res = simulate({
      seed,
      worker: { offset_ms: (p.next() * 2 - 1) * 200, drift_ppm: drift, steps: [{ at_s: 6 + p.next() * 4, step_ms: step }] },
      coordinator: { offset_ms: (p.next() * 2 - 1) * 50, drift_ppm: (p.next() * 2 - 1) * 20 },
      rate: 200,
      durationS: 16,
    });
    const coverage = res.covered / res.withValue;
    const ctx = `seed ${seed}, drift ${drift.toFixed(1)} ppm, step ${step.toFixed(2)} ms: ${res.covered}/${res.withValue} covered, statuses ${JSON.stringify(res.statuses)}, first misses ${JSON.stringify(res.misses.slice(0, 3), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;
    assert.ok(res.reads >= 3000, ctx);
    assert.ok(coverage >= 0.999, ctx);
    assert.ok(res.withValue / res.reads > 0.8, `availability: ${ctx}`);
    assert.ok(median(res.halfWidths) < 2_000_000, `median half-width ${median(res.halfWidths)} ns: ${ctx}`);
    const model = res.src.summary().model as { steps_detected: number };
    assert.equal(model.steps_detected, 1, ctx);
    if (process.env.CHANNEL_TEST_VERBOSE)
      console.log(
        seed,
        res.covered,
        res.withValue,
        res.reads,
        median(res.halfWidths),
        JSON.stringify(res.statuses),
        JSON.stringify(res.src.summary().samples),
      );
  }
});

test('channel: sparse events (2 per second, results one event later) stay covered and available', () => {
  for (const seed of [11, 12, 13]) {
    const res = simulate({
      seed,
      worker: { offset_ms: -40, drift_ppm: seed % 2 ? 50 : -50, steps: [{ at_s: 40, step_ms: -8 }] },
      coordinator: { offset_ms: 7, drift_ppm: -10 },
      rate: 2,
      durationS: 120,
      lag: 1,
    });
    const ctx = `seed ${seed}: ${res.covered}/${res.withValue} of ${res.reads}, ${JSON.stringify(res.statuses)}`;
    if (process.env.CHANNEL_TEST_VERBOSE) console.log(ctx, median(res.halfWidths));
    assert.equal(res.covered, res.withValue, ctx);
    assert.ok(res.withValue / res.reads > 0.8, ctx);
  }
});

test("channel: the wander scenario's random-walk frequency (20 ppm/√s, capped at ±100 ppm) stays covered", () => {
  for (const seed of [21, 22, 23]) {
    const res = simulate({
      seed,
      worker: { wander: { sd_ppm_per_sqrt_s: 20, interval_s: 0.5, max_abs_ppm: 100 }, seed },
      coordinator: { drift_ppm: 5 },
      rate: 100,
      durationS: 30,
    });
    const ctx = `seed ${seed}: ${res.covered}/${res.withValue} of ${res.reads}, ${JSON.stringify(res.statuses)}`;
    if (process.env.CHANNEL_TEST_VERBOSE) console.log(ctx, median(res.halfWidths));
    assert.ok(res.covered / res.withValue >= 0.999, ctx);
    assert.ok(res.withValue / res.reads > 0.8, ctx);
  }
});

// Loopback delays (a few µs) make samples far tighter than the wander between them, and a
// selection window lets several in per second: consecutive samples then differ by less than
// their errors and never show the walk, while readings between them are projected with a slope
// the walk has left behind. Two minutes at the scenario's 50 events/s, seeds whose walks include
// runs of same-signed frequency jumps.
test('channel: loopback-tight samples under the wander scenario stay covered for two minutes', () => {
  for (const seed of [1000003, 24000072, 38000114, 54000162]) {
    const res = simulate({
      seed: 1,
      worker: { wander: { sd_ppm_per_sqrt_s: 20, interval_s: 0.5, max_abs_ppm: 100 }, seed },
      coordinator: {},
      rate: 50,
      durationS: 120,
      lag: 1,
      delayUs: { floor: 2, mean: 2 },
      holdUs: { min: 500, max: 6000 },
    });
    const ctx = `seed ${seed}: ${res.covered}/${res.withValue} of ${res.reads}, first misses at ${res.misses
      .slice(0, 3)
      .map((m) => `${m.t.toFixed(2)} s`)
      .join(', ')}`;
    if (process.env.CHANNEL_TEST_VERBOSE) console.log(ctx, median(res.halfWidths));
    assert.ok(res.covered / res.withValue >= 0.999, ctx);
    assert.ok(res.withValue / res.reads > 0.9, ctx);
  }
});

test('channel: warming with empty values (never 0) until minSamples samples, then values', () => {
  const tl = new Timeline();
  const clock = new FaultyClock({ offset_ms: 3 }, { host: tl, startTrueNs: BASE });
  const src = new ChannelSource({ clock, monoNs: tl.mono, minSamples: 4, minFitSpanMs: 0, selectMs: 0 });
  assert.deepEqual(src.read(clock.nowNs()), { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' });
  assert.deepEqual(src.readiness(), { ready: true, detail: `${CHANNEL_READY_DETAIL} (0 used so far)` });
  for (let k = 0; k < 4; k++) {
    tl.t = BigInt(k) * 100_000_000n;
    const e = { seq: k, s_ns: BASE + tl.t - 100_000n, e_ns: BASE + tl.t + 120_000n, r_ns: clock.nowNs(), h_ns: 20_000n };
    assert.equal(src.read(clock.nowNs()).status, 'warming', `before sample ${k + 1}`);
    assert.equal(src.read(clock.nowNs()).point_ns, null);
    src.addEchoSample({ ...e, atMonoNs: tl.mono() });
  }
  const rd = src.read(clock.nowNs());
  assert.equal(rd.status, 'ok');
  const truth = BASE + tl.t;
  assert.ok(rd.lo_ns! <= truth && truth <= rd.hi_ns!, `lo ${rd.lo_ns} hi ${rd.hi_ns} truth ${truth}`);
});

/** A worker clock 5 ms ahead of a perfect coordinator, samples with 100 µs each way, every sample selected. */
function steadySource(tuning: Record<string, unknown> = {}) {
  const tl = new Timeline();
  const clock = new FaultyClock({ offset_ms: 5 }, { host: tl, startTrueNs: BASE });
  const rows: SyncRow[] = [];
  const src = new ChannelSource({ clock, monoNs: tl.mono, sink: (r) => rows.push(r), selectMs: 0, ...tuning });
  const sample = (seq: number, tMs: number): EchoSample => {
    tl.t = BigInt(tMs) * 1_000_000n + 100_000n;
    return {
      seq,
      s_ns: BASE + BigInt(tMs) * 1_000_000n,
      r_ns: clock.nowNs(),
      h_ns: 10_000n,
      e_ns: BASE + BigInt(tMs) * 1_000_000n + 210_000n,
      atMonoNs: tl.mono() + 5_000_000n,
    };
  };
  return { tl, clock, rows, src, sample };
}

test('channel: stale (empty values) once the newest sample is older than staleAfterMs', () => {
  const { tl, clock, src, sample } = steadySource({ staleAfterMs: 10_000 });
  for (let k = 0; k < 60; k++) src.addEchoSample(sample(k, k * 50));
  assert.equal(src.read(clock.nowNs()).status, 'ok');
  tl.t += 9_000_000_000n;
  assert.equal(src.read(clock.nowNs()).status, 'ok', 'within the limit');
  tl.t += 2_000_000_000n;
  assert.deepEqual(src.read(clock.nowNs()), { point_ns: null, lo_ns: null, hi_ns: null, status: 'stale' });
});

test('channel: a negative delay is rejected and counted, never used', () => {
  const { src, sample, rows } = steadySource();
  const bad = sample(1, 0);
  src.addEchoSample({ ...bad, e_ns: bad.s_ns + 5_000n }); // e − s < h
  src.addEchoSample({ ...sample(2, 50), h_ns: -1n });
  const counts = src.summary().samples as Record<string, number>;
  assert.equal(counts.inconsistent, 2);
  assert.equal(counts.used, 0);
  assert.equal(rows.length, 0, 'no rows per rejected sample');
});

test('channel: a seq seen before is ignored (duplicate piggyback), also out of order', () => {
  const { src, sample } = steadySource();
  src.addEchoSample(sample(5, 0));
  src.addEchoSample(sample(3, 10));
  src.addEchoSample(sample(5, 20));
  src.addEchoSample(sample(3, 30));
  const counts = src.summary().samples as Record<string, number>;
  assert.equal(counts.received, 4);
  assert.equal(counts.duplicate, 2);
  assert.equal(counts.used, 2);
});

test('channel: within a selection window only samples lowering the minimum delay enter the model', () => {
  const { src, sample } = steadySource({ selectMs: 1000 });
  const s0 = sample(0, 0);
  src.addEchoSample(s0); // opens the window
  src.addEchoSample({ ...sample(1, 10), atMonoNs: s0.atMonoNs + 10_000_000n, e_ns: sample(1, 10).e_ns + 50_000n }); // slower
  src.addEchoSample({ ...sample(2, 20), atMonoNs: s0.atMonoNs + 20_000_000n, e_ns: sample(2, 20).e_ns - 50_000n }); // faster
  src.addEchoSample({ ...sample(3, 1500), atMonoNs: s0.atMonoNs + 1_500_000_000n, e_ns: sample(3, 1500).e_ns + 90_000n }); // new window
  const counts = src.summary().samples as Record<string, number>;
  assert.equal(counts.used, 3);
  assert.equal(counts.not_minimum, 1);
});

test('channel: sync rows carry s, r, r + h, e as t1..t4, offset coordinator − local and the truth column', () => {
  const { src, sample, rows } = steadySource();
  const s = sample(0, 0);
  src.addEchoSample(s);
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.source, 'channel');
  assert.equal(row.server, 'coordinator');
  assert.deepEqual([row.t1_ns, row.t2_ns, row.t3_ns, row.t4_ns], [s.s_ns, s.r_ns, s.r_ns + s.h_ns, s.e_ns]);
  assert.equal(row.delay_ns, 200_000n);
  assert.equal(row.offset_ns, -5_000_000n, 'coordinator − worker local');
  assert.equal(row.true_offset_ns, -5_000_000n, 'true − local of the simulated worker clock');
  assert.equal(row.accepted, 1);
  assert.equal(row.stratum, null);
});

test("channel: the sync row's truth is the worker clock's offset at r, not at the piggyback's later arrival", () => {
  // A worker clock running 100 ppm fast; the sample's results arrive 50 ms after r, when its
  // offset has moved by 5 µs.
  const tl = new Timeline();
  const clock = new FaultyClock({ offset_ms: 2, drift_ppm: 100 }, { host: tl, startTrueNs: BASE });
  const rows: SyncRow[] = [];
  const src = new ChannelSource({ clock, monoNs: tl.mono, sink: (r) => rows.push(r), selectMs: 0 });
  const tRecv = 3_000_000_000n;
  const r = clock.localAt(BASE + tRecv);
  src.addEchoSample({
    seq: 0,
    s_ns: BASE + tRecv - 20_000n,
    r_ns: r,
    h_ns: 40_000n,
    e_ns: BASE + tRecv + 60_000n,
    atMonoNs: tl.monoAt(tRecv + 50_000_000n),
  });
  const exact = -(clock.offsetNs(BASE + tRecv) + clock.offsetNs(BASE + tRecv + 40_000n)) / 2n;
  const got = BigInt(rows[0]!.true_offset_ns!);
  assert.ok(got - exact <= 2n && exact - got <= 2n, `true_offset_ns ${got}, exact ${exact} (true − local at r + h/2)`);
});

test('channel: re-estimation of a past instant uses the samples after it too', () => {
  const { src, sample, clock, tl } = steadySource({ minFitSpanMs: 500 });
  for (let k = 0; k < 20; k++) src.addEchoSample(sample(k, k * 100));
  tl.t = 1_050_000_000n;
  const mid = clock.nowNs();
  const live = src.read(mid);
  for (let k = 20; k < 40; k++) src.addEchoSample(sample(k, k * 100));
  const re = src.reestimate(mid);
  assert.ok(re && re.lo_ns !== null && live.lo_ns !== null);
  const truth = BASE + 1_050_000_000n;
  assert.ok(re.lo_ns <= truth && truth <= re.hi_ns!);
  assert.ok(re.hi_ns! - re.lo_ns <= live.hi_ns! - live.lo_ns, 'never wider than the live reading');
});

class CaptureLogger extends Logger {
  readonly lines: string[] = [];
  constructor() {
    super('test', null, 'error');
  }
  override log(level: string, msg: string): void {
    this.lines.push(`${level} ${msg}`);
  }
}

test('channel: a step of the coordinator clock restarts the model; its warning is logged after the receive callback', async () => {
  const logger = new CaptureLogger();
  const { src, sample, rows } = steadySource({ logger });
  for (let k = 0; k < 60; k++) src.addEchoSample(sample(k, k * 50));
  assert.equal(rows.at(-1)!.reason, 'used');
  const stepped = sample(60, 3000);
  src.addEchoSample({ ...stepped, s_ns: stepped.s_ns + 10_000_000n, e_ns: stepped.e_ns + 10_000_000n });
  assert.match(String(rows.at(-1)!.reason), /model restarted/);
  assert.deepEqual(logger.lines, [], 'nothing written inside addEchoSample');
  await new Promise((r) => setImmediate(r));
  assert.equal(logger.lines.length, 1);
  assert.match(logger.lines[0]!, /^warn channel: coordinator sample inconsistent with its model/);
});

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

test('channel: registered; on the coordinator it is its own clock, on a worker an echo sink; no NTP server needed', () => {
  assert.deepEqual(parseSourceList('system,channel'), ['system', 'channel']);
  // Neither role asks for --ntp-server when channel is the only synchronised source.
  validateWorkerOptions({ node: 'w1', sources: 'system,channel', 'results-dir': '/tmp', 'logs-dir': '/tmp' }, KNOWN_SOURCES);
  validateCoordinatorOptions(
    { workers: '127.0.0.1:47100', sources: 'system,channel', 'results-dir': '/tmp', 'logs-dir': '/tmp' },
    KNOWN_SOURCES,
  );
  const clock: LocalClock = { simulated: false, nowNs: () => BASE };
  const ctx = { clock, ntpServers: [], pollMs: 1000, sink: () => {}, logger: quietLogger, options: {} };
  const c = createSources(['system', 'channel'], { ...ctx, nodeId: 'coordinator' });
  const onCoord = c.stamped[1]!;
  assert.equal(onCoord.name, 'channel');
  assert.equal(onCoord.bounded, true);
  assert.deepEqual(onCoord.read(BASE + 7n), { point_ns: BASE + 7n, lo_ns: BASE + 7n, hi_ns: BASE + 7n, status: 'ok' });
  assert.equal(onCoord.readiness().ready, true);
  assert.equal(c.all.length, 2, 'no NTP client created');
  const w = createSources(['system', 'channel'], { ...ctx, nodeId: 'w1' });
  const onWorker = w.stamped[1]!;
  assert.ok(onWorker instanceof ChannelSource && isEchoSampleSink(onWorker));
  assert.equal(onWorker.readiness().ready, true);
  assert.equal(onWorker.read(BASE).status, 'warming');
  assert.equal(isEchoSampleSink(w.stamped[0]!), false);
});

test('channel: bad options are clear errors naming the option', () => {
  const clock: LocalClock = { simulated: false, nowNs: () => BASE };
  const ctx = { clock, ntpServers: [], pollMs: 1000, sink: () => {}, logger: quietLogger };
  for (const nodeId of ['w1', 'coordinator'])
    assert.throws(
      () => createSources(['channel'], { ...ctx, nodeId, options: { channel: { minSample: 3 } } }),
      /channel source: unknown option "minSample".*known: minSamples/,
    );
  assert.throws(
    () => createSources(['channel'], { ...ctx, nodeId: 'w1', options: { channel: { minSamples: 0 } } }),
    /minSamples must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => createSources(['channel'], { ...ctx, nodeId: 'w1', options: { channel: { staleAfterMs: -1 } } }),
    /option staleAfterMs must be a positive number, got -1/,
  );
});
