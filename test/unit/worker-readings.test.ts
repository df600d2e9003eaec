// The worker's per-source reading tally: every reading counted by status, and readings without a
// value (warming, stale, …) counted apart, so a source that had no value for most events shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availabilityOf, pushReadings, type StatusTally } from '../../src/worker/readings.js';
import type { ClockSource, Reading, SourceStatus } from '../../src/clock/types.js';
import { EMPTY_READING } from '../../src/clock/types.js';
import type { Cell } from '../../src/files/csv-writer.js';

function scripted(name: string, statuses: SourceStatus[]): ClockSource & { seen: Array<bigint | undefined> } {
  let i = 0;
  const seen: Array<bigint | undefined> = [];
  return {
    name,
    bounded: true,
    seen,
    async start() {},
    async stop() {},
    read(localNs: bigint, monoNs?: bigint): Reading {
      seen.push(monoNs);
      const st = statuses[i++ % statuses.length]!;
      return st === 'ok' || st === 'degraded'
        ? { point_ns: localNs, lo_ns: localNs - 1n, hi_ns: localNs + 1n, status: st }
        : EMPTY_READING(st);
    },
    readiness: () => ({ ready: true, detail: '' }),
    summary: () => ({}),
  };
}

test('pushReadings passes the arrival instant to every source and tallies statuses; availabilityOf counts readings without a value', () => {
  const a = scripted('bounded', ['warming', 'warming', 'ok', 'degraded', 'stale']);
  const b = scripted('system', ['ok']);
  const tally: StatusTally[] = [{}, {}];
  for (let k = 0; k < 10; k++) {
    const row: Cell[] = [];
    pushReadings(row, [a, b], 1000n + BigInt(k), 50n + BigInt(k), tally);
    assert.equal(row.length, 8);
  }
  assert.deepEqual(
    a.seen,
    Array.from({ length: 10 }, (_, k) => 50n + BigInt(k)),
    'monotonic instant handed through',
  );
  const av = availabilityOf([a, b], tally);
  assert.deepEqual(av.bounded, {
    readings: 10,
    without_value: 6,
    availability: 0.4,
    by_status: { warming: 4, ok: 2, degraded: 2, stale: 2 },
  });
  assert.deepEqual(av.system, { readings: 10, without_value: 0, availability: 1, by_status: { ok: 10 } });
  assert.deepEqual(availabilityOf([a], [{}]).bounded, { readings: 0, without_value: 0, availability: null, by_status: {} });
});
