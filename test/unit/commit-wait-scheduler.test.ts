import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitWaitScheduler, type CommitWaitRow } from '../../src/worker/commit-wait.js';
import { HostClock } from '../../src/clock/host-clock.js';
import type { ClockSource, Reading } from '../../src/clock/types.js';
import { COMMIT_WAIT_COLUMNS } from '../../src/files/columns.js';

/** A source whose re-estimated half-width shrinks with the time since the instant. */
function shrinking(name: string, clock: HostClock): ClockSource & { calls: number } {
  const s = {
    name,
    bounded: true,
    calls: 0,
    async start() {},
    async stop() {},
    read: (l: bigint): Reading => ({ point_ns: l, lo_ns: l - 1_000_000n, hi_ns: l + 1_000_000n, status: 'ok' }),
    reestimate(l: bigint): Reading {
      s.calls++;
      const age = clock.nowNs() - l;
      const hw = age > 400_000_000n ? 100_000n : 500_000n;
      return { point_ns: l, lo_ns: l - hw, hi_ns: l + hw, status: 'ok' };
    },
    readiness: () => ({ ready: true, detail: '' }),
    summary: () => ({}),
  };
  return s;
}

test('commit wait: one row per (event, source, delay), each after its delay, drain bounded by the longest delay', async () => {
  const clock = new HostClock();
  const rows: CommitWaitRow[] = [];
  const a = shrinking('bounded', clock);
  const noReest: ClockSource = { ...shrinking('system', clock), reestimate: undefined };
  const cw = new CommitWaitScheduler({
    sources: [a, noReest],
    clock,
    sink: (r) => rows.push(r),
    delaysS: [0.5, 0.2],
    tickMs: 20,
    runId: 'R',
    nodeId: 'w1',
  });
  assert.deepEqual(cw.sourceNames, ['bounded']);
  cw.start();
  for (let i = 0; i < 5; i++) {
    cw.track(`e${i}`, i, clock.nowNs(), null);
    await new Promise((r) => setTimeout(r, 30));
  }
  const t0 = Date.now();
  await cw.drain();
  const waited = Date.now() - t0;
  assert.ok(waited < 900, `drain waited ${waited} ms (longest delay 500 ms)`);
  assert.equal(rows.length, 10);
  assert.deepEqual(Object.keys(rows[0]!).sort(), [...COMMIT_WAIT_COLUMNS].sort());
  for (const r of rows) {
    const elapsed = Number((r.reestimated_local_ns as bigint) - (r.recv_local_ns as bigint)) / 1e9;
    assert.ok(elapsed >= (r.delay_s as number) - 0.001, `row for delay ${r.delay_s} s came after ${elapsed} s`);
    assert.equal(r.run_id, 'R');
    assert.equal(r.status, 'ok');
  }
  // Longer delay → narrower re-estimate (from the source), kept in the rows.
  const hw = (d: number): bigint[] => rows.filter((r) => r.delay_s === d).map((r) => ((r.hi_ns as bigint) - (r.lo_ns as bigint)) / 2n);
  assert.ok(hw(0.5).every((h) => h === 100_000n));
  assert.ok(hw(0.2).every((h) => h === 500_000n));
  assert.equal(cw.stats().pending, 0);
});

test('commit wait: drain with maxWaitMs emits the rest at once; a throwing source becomes status error', async () => {
  const clock = new HostClock();
  const rows: CommitWaitRow[] = [];
  const bad: ClockSource = {
    ...shrinking('chronotick', clock),
    reestimate: () => {
      throw new Error('boom');
    },
  };
  const cw = new CommitWaitScheduler({ sources: [bad], clock, sink: (r) => rows.push(r), delaysS: [30, 60] });
  cw.track('e1', 1, clock.nowNs(), 123n);
  const t0 = Date.now();
  await cw.drain({ maxWaitMs: 50 });
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.status, 'error');
  assert.equal(rows[0]!.lo_ns, null);
  assert.equal(rows[0]!.true_recv_ns, 123n);
});

test('commit wait: bad delays are refused with a clear error', () => {
  const clock = new HostClock();
  assert.throws(() => new CommitWaitScheduler({ sources: [], clock, sink: () => {}, delaysS: [0] }), /positive seconds/);
  assert.throws(() => new CommitWaitScheduler({ sources: [], clock, sink: () => {}, delaysS: [] }), /at least one delay/);
  assert.throws(() => new CommitWaitScheduler({ sources: [], clock, sink: () => {}, delaysS: [2, 2] }), /given twice/);
});
