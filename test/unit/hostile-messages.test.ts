// Hostile input at the codec: whatever bytes arrive, decodeMessage returns a reason, never throws,
// and never accepts a datagram that was not made with the run key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { decodeMessage, encodeMessage, type EventMessage, type DecodeResult } from '../../src/protocol/messages.js';

const RUN = 'R-hostile';
const KEY = Buffer.alloc(32, 7);
const reason = (d: DecodeResult): string => (d.ok ? 'ok' : d.reason);
const tagged = (body: string | Buffer, key = KEY): Buffer => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([b, Buffer.from('\n' + createHmac('sha256', key).update(b).digest('base64url'))]);
};
const ev = (seq: number): EventMessage => ({
  v: 1,
  k: 'ev',
  run: RUN,
  id: seq,
  seq,
  st: { system: [String(1_700_000_000_000_000_000n + BigInt(seq)), '', '', 'ok'] },
});

test('objects whose own toString/valueOf are not functions are rejected, not thrown on (v and k)', () => {
  // String({"toString":1}) throws "Cannot convert object to primitive value": this once reached the
  // worker's receive loop from any sender in --insecure mode, and from key holders otherwise.
  for (const key of [null, KEY]) {
    const wrap = (s: string): Buffer => (key ? tagged(s) : Buffer.from(s));
    assert.equal(reason(decodeMessage(wrap('{"v":{"toString":1,"valueOf":1}}'), RUN, key)), 'unknown_version');
    assert.equal(reason(decodeMessage(wrap(`{"v":1,"run":"${RUN}","k":{"toString":1}}`), RUN, key)), 'bad_shape');
    assert.equal(reason(decodeMessage(wrap(`{"v":1,"run":{"toString":null}}`), RUN, key)), 'bad_shape');
  }
});

test('numbers beyond 2^63, beyond 2^53, negative, fractional and non-numeric are rejected as bad_shape', () => {
  const r = (o: unknown): string => reason(decodeMessage(tagged(JSON.stringify(o)), RUN, KEY));
  const base = ev(1);
  assert.equal(r(base), 'ok');
  assert.equal(r({ ...base, st: { system: ['9223372036854775807', '', '', 'ok'] } }), 'ok', 'int64 max is a valid ns value');
  assert.equal(r({ ...base, st: { system: ['-9223372036854775808', '', '', 'ok'] } }), 'ok', 'int64 min is a valid ns value');
  assert.equal(r({ ...base, st: { system: ['9223372036854775808', '', '', 'ok'] } }), 'bad_shape');
  assert.equal(r({ ...base, st: { system: ['-9223372036854775809', '', '', 'ok'] } }), 'bad_shape');
  assert.equal(r({ ...base, st: { system: ['1e18', '', '', 'ok'] } }), 'bad_shape');
  assert.equal(r({ ...base, st: { system: [1700000000000000000, '', '', 'ok'] } }), 'bad_shape', 'a JSON number loses ns precision');
  assert.equal(r({ ...base, tt: '99999999999999999999' }), 'bad_shape');
  for (const bad of [-1, 1.5, 2 ** 53, 2 ** 63, '7', null, true, [1], { n: 1 }]) {
    assert.equal(r({ ...base, seq: bad }), 'bad_shape', `seq ${JSON.stringify(bad)}`);
    assert.equal(r({ ...base, id: bad }), 'bad_shape', `id ${JSON.stringify(bad)}`);
  }
  // 1e400 is Infinity once parsed, 2^63 as a literal integer is a float above 2^53.
  assert.equal(reason(decodeMessage(tagged(`{"v":1,"k":"ev","run":"${RUN}","id":1,"seq":1e400,"st":{}}`), RUN, KEY)), 'bad_shape');
  assert.equal(
    reason(decodeMessage(tagged(`{"v":1,"k":"ev","run":"${RUN}","id":1,"seq":9223372036854775808,"st":{}}`), RUN, KEY)),
    'bad_shape',
  );
});

test('unknown versions, wrong types and missing fields each get their reason', () => {
  const r = (s: string): string => reason(decodeMessage(tagged(s), RUN, KEY));
  for (const v of ['0', '2', '"1"', 'null', '[]', '1.5', '-1'])
    assert.equal(r(`{"v":${v},"k":"ev","run":"${RUN}"}`), 'unknown_version', `v=${v}`);
  assert.equal(r(`{"k":"ev","run":"${RUN}"}`), 'unknown_version', 'no version at all');
  assert.equal(r('{"v":1,"k":"ev","run":"other-run","id":1,"seq":1,"st":{}}'), 'wrong_run');
  assert.equal(r('{"v":1,"k":"ev","id":1,"seq":1,"st":{}}'), 'bad_shape');
  assert.equal(r(`{"v":1,"k":"nope","run":"${RUN}"}`), 'bad_shape');
  assert.equal(r(`{"v":1,"k":"ev","run":"${RUN}","id":1,"seq":1,"st":[]}`), 'bad_shape');
  assert.equal(r(`{"v":1,"k":"ev","run":"${RUN}","id":1,"seq":1,"st":{"__proto__":["1","","","ok"]}}`), 'bad_shape');
  assert.equal(r(`{"v":1,"k":"ev","run":"${RUN}","id":1,"seq":1,"st":{"system":["1","","","ok","extra"]}}`), 'bad_shape');
  for (const s of ['null', '1', '"x"', '[]', 'true']) assert.equal(r(s), 'bad_shape', s);
  for (const s of ['', '{', '{"v":1,', '\u0000', '{"v":1}}']) assert.equal(r(s), 'bad_json', JSON.stringify(s));
  assert.equal(reason(decodeMessage(tagged(Buffer.from([0xff, 0xfe, 0x7b])), RUN, KEY)), 'bad_json', 'invalid UTF-8');
});

test('control replies are checked field by field (a malformed status cannot crash the coordinator)', () => {
  const r = (o: unknown): string => reason(decodeMessage(tagged(JSON.stringify(o)), RUN, KEY));
  const st = { v: 1, k: 'status', run: RUN, node: 'w1', state: 'ready', sources: { ntp: { ready: true, detail: 'x' } } };
  assert.equal(r(st), 'ok');
  assert.equal(r({ ...st, sources: null }), 'bad_shape');
  assert.equal(r({ ...st, sources: { ntp: null } }), 'bad_shape');
  assert.equal(r({ ...st, sources: { ntp: { ready: 'yes', detail: 'x' } } }), 'bad_shape');
  assert.equal(r({ ...st, state: 'sleepy' }), 'bad_shape');
  assert.equal(r({ v: 1, k: 'bye', run: RUN, node: 'w1', received: 3 }), 'ok');
  assert.equal(r({ v: 1, k: 'bye', run: RUN, node: 'w1', received: -3 }), 'bad_shape');
});

test('tags: none → untagged, wrong length or wrong key or tampered → bad_tag; insecure side tolerates a tag', () => {
  const good = encodeMessage(ev(5), KEY);
  assert.equal(reason(decodeMessage(good, RUN, KEY)), 'ok');
  assert.equal(reason(decodeMessage(good, RUN, null)), 'ok', 'an insecure worker ignores a tag');
  assert.equal(reason(decodeMessage(encodeMessage(ev(5)), RUN, KEY)), 'untagged');
  assert.equal(reason(decodeMessage(good.subarray(0, good.length - 1), RUN, KEY)), 'bad_tag', 'truncated tag');
  assert.equal(reason(decodeMessage(Buffer.concat([good, Buffer.from('A')]), RUN, KEY)), 'bad_tag', 'tag one byte long');
  assert.equal(reason(decodeMessage(encodeMessage(ev(5), Buffer.alloc(32, 8)), RUN, KEY)), 'bad_tag', 'other key');
  const swapped = Buffer.concat([encodeMessage(ev(6)), good.subarray(good.lastIndexOf(0x0a))]);
  assert.equal(reason(decodeMessage(swapped, RUN, KEY)), 'bad_tag', 'tag of another datagram');
  assert.equal(reason(decodeMessage(Buffer.alloc(0), RUN, KEY)), 'untagged');
  assert.equal(reason(decodeMessage(Buffer.alloc(65_507, 0x41), RUN, KEY)), 'oversize');
  assert.equal(reason(decodeMessage(tagged(Buffer.alloc(1201, 0x20)), RUN, KEY)), 'oversize', 'tagged body over 1200 bytes');
});

test('property: any single bit flip of a tagged event is rejected (untagged only when the separator is hit)', () => {
  fc.assert(
    fc.property(fc.nat(1_000_000), fc.nat(), fc.nat(7), (seq, posSeed, bit) => {
      const buf = Buffer.from(encodeMessage(ev(seq), KEY));
      const sepAt = buf.lastIndexOf(0x0a);
      const pos = posSeed % buf.length;
      buf[pos] = buf[pos]! ^ (1 << bit);
      const got = reason(decodeMessage(buf, RUN, KEY));
      assert.equal(got, pos === sepAt ? 'untagged' : 'bad_tag', `flip byte ${pos} bit ${bit}`);
    }),
    { numRuns: 3000, seed: 4242 },
  );
});

test('property: random bytes, random JSON and random objects never throw and are never accepted with a key', () => {
  const never = (b: Buffer): void => {
    const d = decodeMessage(b, RUN, KEY);
    assert.equal(d.ok, false);
    decodeMessage(b, RUN, null); // insecure: may accept, must not throw
  };
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1400 }), (a) => never(Buffer.from(a))),
    { numRuns: 3000, seed: 1 },
  );
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (j) => never(Buffer.from(JSON.stringify(j) ?? 'null'))),
    { numRuns: 3000, seed: 2 },
  );
  // Objects that look like events, with each field drawn from anything JSON can hold, correctly tagged:
  const anything = fc.jsonValue({ maxDepth: 2 });
  fc.assert(
    fc.property(
      fc.record(
        {
          v: fc.oneof(fc.constant(1), anything),
          k: fc.oneof(fc.constantFrom('ev', 'ready?', 'end', 'status', 'bye'), anything),
          run: fc.oneof(fc.constant(RUN), anything),
          id: fc.oneof(fc.nat(), anything),
          seq: fc.oneof(fc.nat(), anything),
          st: anything,
        },
        { requiredKeys: [] },
      ),
      (o) => {
        const b = Buffer.from(JSON.stringify(o));
        if (b.length > 1200) return;
        const d = decodeMessage(tagged(b), RUN, KEY);
        if (d.ok) {
          // Accepted only if it really is a well-formed message of this run.
          assert.equal(d.msg.v, 1);
          assert.equal(d.msg.run, RUN);
          if (d.msg.k === 'ev') {
            assert.ok(Number.isSafeInteger(d.msg.seq) && d.msg.seq >= 0);
            assert.ok(Number.isSafeInteger(d.msg.id) && d.msg.id >= 0);
          }
        }
      },
    ),
    { numRuns: 5000, seed: 3 },
  );
});

test('property: every valid event round-trips with its key', () => {
  const ns = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
  fc.assert(
    fc.property(
      fc.nat(),
      fc.nat(),
      fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
        fc.tuple(
          fc.oneof(ns, fc.constant('')),
          fc.oneof(ns, fc.constant('')),
          fc.oneof(ns, fc.constant('')),
          fc.constantFrom('ok', 'degraded', 'warming', 'unsynced', 'stale', 'error', 'absent'),
        ),
        { maxKeys: 5 },
      ),
      (id, seq, st) => {
        const msg = { v: 1, k: 'ev', run: RUN, id, seq, st } as EventMessage;
        const d = decodeMessage(encodeMessage(msg, KEY), RUN, KEY);
        assert.equal(reason(d), 'ok');
        assert.deepEqual(d.ok && d.msg, JSON.parse(JSON.stringify(msg)));
      },
    ),
    { numRuns: 2000, seed: 5 },
  );
});
