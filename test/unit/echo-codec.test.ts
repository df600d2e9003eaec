import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeMessage,
  ebSuffix,
  echoedEvents,
  echoEncoder,
  MAX_DATAGRAM_BYTES,
  MAX_ECHO_RECORDS,
  encodeMessage,
  eventEncoder,
  eventParts,
  type EchoBackEntry,
  type EchoMessage,
  type EventMessage,
  type EventStamp,
} from '../../src/protocol/messages.js';

const RUN = '20261202T210000Z-echo01';
const KEY = Buffer.alloc(32, 9);
const stamps: EventStamp[] = [{ point_ns: 1795281411557043693n, lo_ns: null, hi_ns: null, status: 'ok' }];

const INT64 = 2n ** 63n;
const records = fc.array(fc.record({ seq: fc.nat(), rNs: fc.bigInt(-INT64, INT64 - 1n), hold: fc.bigInt(0n, 2n ** 53n - 1n) }), {
  minLength: 1,
  maxLength: 3 * MAX_ECHO_RECORDS,
});

test('echo datagrams: each the bytes of encodeMessage, keyed or not, within MAX_DATAGRAM_BYTES; together every record with its exact r and own hold', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
      records,
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: null }),
      (run, node, recs, keyBytes) => {
        const key = keyBytes === null ? null : Buffer.from(keyBytes);
        const t = 2n ** 62n;
        const pending = recs.map((x) => ({ seq: x.seq, rNs: x.rNs, mono: t - x.hold }));
        const bufs = echoEncoder(run, node, key)(pending, t);
        const got = [];
        for (const buf of bufs) {
          const d = decodeMessage(buf, run, key);
          assert.ok(d.ok && d.msg.k === 'echo', JSON.stringify(d));
          const msg = d.msg as EchoMessage;
          assert.ok(msg.x.length <= MAX_ECHO_RECORDS || msg.x.length === 1);
          assert.deepEqual(buf, encodeMessage(msg, key));
          const json = key ? buf.subarray(0, buf.lastIndexOf(0x0a)) : buf;
          assert.ok(json.length <= MAX_DATAGRAM_BYTES || msg.x.length === 1, `${json.length} bytes`);
          got.push(...echoedEvents(msg));
        }
        assert.deepEqual(
          got,
          recs.map((x) => ({ seq: x.seq, r: x.rNs.toString(), h: x.hold.toString() })),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('an encoded echo decodes to its records (keyed), r relative to the first', () => {
  const [buf, more] = echoEncoder(
    RUN,
    'w1',
    KEY,
  )(
    [
      { seq: 7, rNs: 1795281411557043693n, mono: 100n },
      { seq: 8, rNs: 1795281411557033693n, mono: 10_100n },
    ],
    12_445n,
  );
  assert.equal(more, undefined);
  const d = decodeMessage(buf!, RUN, KEY);
  assert.deepEqual(d, {
    ok: true,
    msg: {
      v: 1,
      k: 'echo',
      run: RUN,
      node: 'w1',
      r0: '1795281411557043693',
      x: [
        [7, 0, 12345],
        [8, -10000, 2345],
      ],
    },
  });
  assert.deepEqual(echoedEvents((d as { msg: EchoMessage }).msg), [
    { seq: 7, r: '1795281411557043693', h: '12345' },
    { seq: 8, r: '1795281411557033693', h: '2345' },
  ]);
});

test('thirty-two records of ordinary stamps fit one datagram', () => {
  const t = 10n ** 12n;
  const recs = Array.from({ length: MAX_ECHO_RECORDS }, (_, i) => ({
    seq: 9_999_000 + i,
    rNs: 1795281411557043693n + BigInt(i) * 99_999n,
    mono: t - 9_999_999n,
  }));
  const bufs = echoEncoder('20261202T210000Z-abcdef', 'worker-node-17', KEY)(recs, t);
  assert.equal(bufs.length, 1);
});

test('events carry ec and a per-worker eb; the shared and per-worker datagrams equal encodeMessage of the message', () => {
  const parts = eventParts(RUN, ['system'], KEY);
  const open = parts.open(5, stamps, null, true);
  const eb: EchoBackEntry[] = [
    [3, '100', '250', '1795281411557043000', '40'],
    [4, '-5', '300', '7', '0'],
  ];
  const base: EventMessage = { v: 1, k: 'ev', run: RUN, id: 5, seq: 5, st: { system: ['1795281411557043693', '', '', 'ok'] }, ec: 1 };
  assert.deepEqual(parts.seal(open, null), encodeMessage(base, KEY));
  assert.deepEqual(parts.seal(open, ebSuffix(eb)), encodeMessage({ ...base, eb }, KEY));
  const d = decodeMessage(parts.seal(open, ebSuffix(eb)), RUN, KEY);
  assert.ok(d.ok && d.msg.k === 'ev');
  assert.deepEqual((d.msg as EventMessage).eb, eb);
  assert.equal((d.msg as EventMessage).ec, 1);
  // Without echo the bytes are exactly those of before (no ec field).
  assert.deepEqual(eventEncoder(RUN, ['system'], KEY)(5, stamps, null), encodeMessage({ ...base, ec: undefined }, KEY));
  assert.ok(!eventEncoder(RUN, ['system'])(5, stamps, 9n).toString().includes('"ec"'));
  assert.ok(eventEncoder(RUN, ['system'])(5, stamps, 9n, true).toString().endsWith('"tt":"9","ec":1}'));
});

const bad = (obj: Record<string, unknown>, detail: string): void => {
  const d = decodeMessage(Buffer.from(JSON.stringify(obj)), RUN, null);
  assert.equal(d.ok, false, JSON.stringify(obj));
  if (!d.ok) {
    assert.equal(d.reason, 'bad_shape', JSON.stringify(obj));
    assert.equal(d.detail, detail, JSON.stringify(obj));
  }
};

test('hostile echoes are bad_shape: node names, r0, record counts and widths, offsets past int64, negative holds, seqs', () => {
  const rec = [1, 0, 0];
  const ok = { v: 1, k: 'echo', run: RUN, node: 'w1', r0: '5', x: [rec] };
  assert.equal(decodeMessage(Buffer.from(JSON.stringify(ok)), RUN, null).ok, true);
  for (const node of ['', '../x', 'a/b', 'x'.repeat(65), 'é', 5, null, 'a b']) bad({ ...ok, node }, 'node');
  for (const r0 of ['', '1.5', '9223372036854775808', 5, null, ' 5', '0x10', undefined]) bad({ ...ok, r0 }, 'r0');
  for (const dr of [1.5, '1', 2 ** 53, null]) bad({ ...ok, x: [[1, dr, 0]] }, 'x');
  bad({ ...ok, r0: '9223372036854775000', x: [[1, 1000, 0]] }, 'x'); // r0 + dr past int64
  bad({ ...ok, r0: '-9223372036854775000', x: [[1, -1000, 0]] }, 'x');
  for (const h of [-1, 1.5, '3', 2 ** 53]) bad({ ...ok, x: [[1, 0, h]] }, 'x');
  for (const seq of [-1, 1.5, '1', 2 ** 53]) bad({ ...ok, x: [[seq, 0, 0]] }, 'x');
  for (const x of [[], Array(MAX_ECHO_RECORDS + 1).fill(rec), [[1, 0]], [[1, 0, 0, 0]], 'x', {}, null, [null]]) bad({ ...ok, x }, 'x');
  bad({ ...ok, x: undefined }, 'x');
  const d = decodeMessage(Buffer.from(JSON.stringify(ok)), RUN, KEY);
  assert.equal(d.ok ? 'accepted' : d.reason, 'untagged');
  const [forged] = echoEncoder(RUN, 'w1', Buffer.alloc(32, 1))([{ seq: 1, rNs: 5n, mono: 0n }], 0n);
  const f = decodeMessage(forged!, RUN, KEY);
  assert.equal(f.ok ? 'accepted' : f.reason, 'bad_tag');
});

test('hostile ec / eb are bad_shape: more than 4 entries, wrong widths, empty or non-ns stamps, negative h', () => {
  const ev = { v: 1, k: 'ev', run: RUN, id: 1, seq: 1, st: {} };
  const e: unknown[] = [1, '1', '2', '3', '4'];
  assert.equal(decodeMessage(Buffer.from(JSON.stringify({ ...ev, ec: 1, eb: [e, e, e, e] })), RUN, null).ok, true);
  for (const ec of [0, 2, true, '1', null]) bad({ ...ev, ec }, 'ec');
  for (const eb of [
    [],
    [e, e, e, e, e],
    'x',
    {},
    [[1, '1', '2', '3']],
    [[1, '1', '2', '3', '4', '5']],
    [[-1, '1', '2', '3', '4']],
    [[1, '', '2', '3', '4']],
    [[1, '1', '2', '3', '-4']],
    [[1, '1', '2', 3, '4']],
    [[1, '1', '99999999999999999999', '3', '4']],
    [null],
  ])
    bad({ ...ev, eb }, 'eb');
});
