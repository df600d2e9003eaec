import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeMessage,
  ebSuffix,
  echoDecoder,
  echoEncoder,
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

test('the echo encoder writes the same bytes as encodeMessage, with and without a key', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
      fc.nat(),
      fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
      fc.bigInt(0n, 2n ** 63n - 1n),
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: null }),
      (run, node, seq, r, h, keyBytes) => {
        const key = keyBytes === null ? null : Buffer.from(keyBytes);
        const msg: EchoMessage = { v: 1, k: 'echo', run, id: seq, seq, node, r: r.toString(), h: h.toString() };
        assert.deepEqual(echoEncoder(run, node, key)(seq, seq, r, h), encodeMessage(msg, key));
      },
    ),
    { numRuns: 300 },
  );
});

test('an encoded echo decodes to its fields (keyed)', () => {
  const buf = echoEncoder(RUN, 'w1', KEY)(7, 7, 1795281411557043693n, 12345n);
  assert.deepEqual(decodeMessage(buf, RUN, KEY), {
    ok: true,
    msg: { v: 1, k: 'echo', run: RUN, id: 7, seq: 7, node: 'w1', r: '1795281411557043693', h: '12345' },
  });
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

test('hostile echoes are bad_shape: node names, ns strings, negative holds, seq', () => {
  const ok = { v: 1, k: 'echo', run: RUN, id: 1, seq: 1, node: 'w1', r: '5', h: '0' };
  assert.equal(decodeMessage(Buffer.from(JSON.stringify(ok)), RUN, null).ok, true);
  for (const node of ['', '../x', 'a/b', 'x'.repeat(65), 'é', 5, null, 'a b']) bad({ ...ok, node }, 'node');
  for (const r of ['', '1.5', '9223372036854775808', 5, null, ' 5', '0x10']) bad({ ...ok, r }, 'r');
  for (const h of ['-1', '', '9223372036854775808', 3]) bad({ ...ok, h }, 'h');
  for (const seq of [-1, 1.5, '1', 2 ** 53]) bad({ ...ok, seq }, 'id/seq');
  bad({ ...ok, id: undefined }, 'id/seq');
  const d = decodeMessage(Buffer.from(JSON.stringify(ok)), RUN, KEY);
  assert.equal(d.ok ? 'accepted' : d.reason, 'untagged');
  const forged = echoEncoder(RUN, 'w1', Buffer.alloc(32, 1))(1, 1, 5n, 0n);
  const f = decodeMessage(forged, RUN, KEY);
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

test('the echo decoder gives exactly decodeMessage’s result: encoder output, mutations, other layouts, keyed or not', () => {
  const runs = fc.oneof(fc.stringMatching(/^[0-9TZa-f-]{1,30}$/), fc.string(), fc.constantFrom('a"b', 'a\\b', 'ré', 'x.y*'));
  fc.assert(
    fc.property(
      runs,
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
      fc.nat(),
      fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
      fc.bigInt(0n, 2n ** 63n - 1n),
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      (run, node, seq, r, h, keyed, flips) => {
        const key = keyed ? KEY : null;
        const buf = Buffer.from(echoEncoder(run, node, key)(seq, seq, r, h));
        const dec = echoDecoder(run, key);
        assert.deepEqual(dec(buf), decodeMessage(buf, run, key));
        for (const [at, v] of flips) buf[at % buf.length] = v;
        assert.deepEqual(dec(buf), decodeMessage(buf, run, key));
      },
    ),
    { numRuns: 1000 },
  );
  const dec = echoDecoder(RUN, null);
  for (const text of [
    `{"v":1,"k":"echo","run":"${RUN}","id":01,"seq":1,"node":"w1","r":"5","h":"0"}`,
    `{"v":1,"k":"echo","run":"${RUN}","id":1,"seq":1,"node":"w1","r":"5","h":"0","x":1}`,
    `{"v":1,"k":"echo","run":"${RUN}","id":99999999999999999,"seq":1,"node":"w1","r":"5","h":"0"}`,
    `{"v":1,"k":"echo","run":"${RUN}","id":1,"seq":1,"node":"w1","r":"99999999999999999999","h":"0"}`,
    `{"v":1,"k":"echo","run":"${RUN}","id":1,"seq":1,"node":"w1","r":"5","h":"9223372036854775808"}`,
    `{"seq":1,"v":1,"k":"echo","run":"${RUN}","id":1,"node":"w1","r":"5","h":"0"}`,
    `{"v":1,"k":"echo","run":"${RUN}","id":1,"seq":1,"node":"w1","r":"5","h":"0"}\n${'A'.repeat(43)}`,
  ]) {
    const b = Buffer.from(text);
    assert.deepEqual(dec(b), decodeMessage(b, RUN, null), text);
  }
});
