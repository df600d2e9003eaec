import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMessage,
  eventEncoder,
  type EventMessage,
  type EventStamp,
  type WireStamp,
} from '../../src/protocol/messages.js';
import type { SourceStatus } from '../../src/clock/types.js';

const STATUSES: SourceStatus[] = ['ok', 'degraded', 'warming', 'unsynced', 'stale', 'error', 'absent'];
const toWire = (r: EventStamp): WireStamp => [r.point_ns?.toString() ?? '', r.lo_ns?.toString() ?? '', r.hi_ns?.toString() ?? '', r.status];

/** What the coordinator sent before the encoder: the message object through encodeMessage. */
function reference(run: string, names: string[], seq: number, stamps: EventStamp[], tt: bigint | null, key: Buffer | null): Buffer {
  const st: Record<string, WireStamp> = {};
  names.forEach((n, i) => {
    st[n] = toWire(stamps[i]!);
  });
  const msg: EventMessage = { v: 1, k: 'ev', run, id: seq, seq, st };
  if (tt !== null) msg.tt = tt.toString();
  return encodeMessage(msg, key);
}

const ns = fc.option(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), { nil: null });
const stamp = fc.record({ point_ns: ns, lo_ns: ns, hi_ns: ns, status: fc.constantFrom(...STATUSES) });
const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,31}$/), { minLength: 1, maxLength: 6 });

test('the event encoder writes the same bytes as encodeMessage, with and without a key', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
      names,
      fc.nat(),
      ns,
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: null }),
      fc.array(stamp, { minLength: 6, maxLength: 6 }),
      (run, ns_, seq, tt, keyBytes, all) => {
        const key = keyBytes === null ? null : Buffer.from(keyBytes);
        const stamps = all.slice(0, ns_.length);
        const got = eventEncoder(run, ns_, key)(seq, stamps, tt);
        assert.deepEqual(got, reference(run, ns_, seq, stamps, tt, key));
      },
    ),
    { numRuns: 500 },
  );
});

test('encoded events decode to the message the stamps describe (real run ids, keyed)', () => {
  const key = Buffer.alloc(32, 7);
  const run = '20261121T172102Z-abcdef';
  const enc = eventEncoder(run, ['system', 'bounded'], key);
  const stamps: EventStamp[] = [
    { point_ns: 1795281411557043693n, lo_ns: null, hi_ns: null, status: 'ok' },
    { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' },
  ];
  const d = decodeMessage(enc(42, stamps, 1795281411557043000n), run, key);
  assert.deepEqual(d, {
    ok: true,
    msg: {
      v: 1,
      k: 'ev',
      run,
      id: 42,
      seq: 42,
      st: { system: ['1795281411557043693', '', '', 'ok'], bounded: ['', '', '', 'warming'] },
      tt: '1795281411557043000',
    },
  });
});

test('the event encoder refuses what it cannot encode faithfully', () => {
  assert.throws(() => eventEncoder('R', ['system', 'system']), /duplicate source/);
  assert.throws(
    () => eventEncoder('R', ['system', 'ntp'])(1, [{ point_ns: 1n, lo_ns: null, hi_ns: null, status: 'ok' }], null),
    /1 stamps for 2 sources/,
  );
});
