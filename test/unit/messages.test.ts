import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, type EventMessage } from '../../src/protocol/messages.js';

const run = 'R1';
const ev: EventMessage = { v: 1, k: 'ev', run, id: 7, seq: 7, st: { system: ['1700000000000000000', '', '', 'ok'] } };
const key = Buffer.alloc(32, 9);

test('event round-trips without a key', () => {
  const d = decodeMessage(encodeMessage(ev), run, null);
  assert.deepEqual(d, { ok: true, msg: ev });
});

test('event round-trips with an HMAC tag', () => {
  const d = decodeMessage(encodeMessage(ev, key), run, key);
  assert.equal(d.ok, true);
});

test('a keyed worker rejects untagged, mis-tagged and tampered datagrams', () => {
  assert.deepEqual(
    decodeMessage(encodeMessage(ev), run, key).ok ? 'ok' : (decodeMessage(encodeMessage(ev), run, key) as { reason: string }).reason,
    'untagged',
  );
  const other = encodeMessage(ev, Buffer.alloc(32, 1));
  assert.equal((decodeMessage(other, run, key) as { reason: string }).reason, 'bad_tag');
  const tampered = Buffer.from(encodeMessage(ev, key));
  tampered[10] = tampered[10]! ^ 1;
  assert.equal((decodeMessage(tampered, run, key) as { reason: string }).reason, 'bad_tag');
});

test('rejects wrong run, unknown version, bad JSON, oversize and bad shapes with a reason', () => {
  const reason = (b: Buffer): string => {
    const d = decodeMessage(b, run, null);
    return d.ok ? 'ok' : d.reason;
  };
  assert.equal(reason(encodeMessage({ ...ev, run: 'other' })), 'wrong_run');
  assert.equal(reason(Buffer.from(JSON.stringify({ ...ev, v: 2 }))), 'unknown_version');
  assert.equal(reason(Buffer.from('{"v":1,')), 'bad_json');
  assert.equal(reason(Buffer.alloc(5000, 0x20)), 'oversize');
  assert.equal(reason(Buffer.from(JSON.stringify({ ...ev, seq: -1 }))), 'bad_shape');
  assert.equal(reason(Buffer.from(JSON.stringify({ ...ev, seq: 1.5 }))), 'bad_shape');
  assert.equal(reason(Buffer.from(JSON.stringify({ ...ev, st: { system: ['99999999999999999999', '', '', 'ok'] } }))), 'bad_shape');
  assert.equal(reason(Buffer.from(JSON.stringify({ ...ev, st: { system: ['1', '', '', 'lying'] } }))), 'bad_shape');
  assert.equal(reason(Buffer.from('[1,2,3]')), 'bad_shape');
  assert.equal(reason(Buffer.from(JSON.stringify({ v: 1, k: 'ev', run, id: 1, seq: 1 }))), 'bad_shape');
});

test('int64 range of stamps is decided exactly at the edges', () => {
  const reason = (v: string): string => {
    const d = decodeMessage(Buffer.from(JSON.stringify({ ...ev, st: { system: [v, '', '', 'ok'] } })), run, null);
    return d.ok ? 'ok' : d.reason;
  };
  assert.equal(reason('9223372036854775807'), 'ok');
  assert.equal(reason('9223372036854775808'), 'bad_shape');
  assert.equal(reason('-9223372036854775808'), 'ok');
  assert.equal(reason('-9223372036854775809'), 'bad_shape');
  assert.equal(reason('0009223372036854775'), 'ok');
  assert.equal(reason('9999999999999999999'), 'bad_shape');
  assert.equal(reason('1795281713005485733'), 'ok');
  // 19 digits led by 1-8 are inside either bound; led by 0 or 9 they are decided digit by digit
  assert.equal(reason('8999999999999999999'), 'ok');
  assert.equal(reason('-8999999999999999999'), 'ok');
  assert.equal(reason('0999999999999999999'), 'ok');
  assert.equal(reason('-0999999999999999999'), 'ok');
  assert.equal(reason('-9999999999999999999'), 'bad_shape');
});

test('source names: checked on every event, remembered only when valid', () => {
  const reason = (name: string): string => {
    const d = decodeMessage(Buffer.from(JSON.stringify({ ...ev, st: { [name]: ['1', '', '', 'ok'] } })), run, null);
    return d.ok ? 'ok' : d.reason;
  };
  for (let i = 0; i < 2; i++) {
    assert.equal(reason('system'), 'ok');
    assert.equal(reason('Bad-Name'), 'bad_shape');
    assert.equal(reason('x'.repeat(33)), 'bad_shape');
  }
  // more valid names than are remembered: each still decodes, each bad one is still refused
  for (let i = 0; i < 100; i++) assert.equal(reason(`s${i}`), 'ok');
  assert.equal(reason('9bad'), 'bad_shape');
});
