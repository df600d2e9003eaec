// ready-guard.ts: which `ready?` queries a worker answers, and a status that never outgrows its query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyGuard, fitStatus } from '../../src/worker/ready-guard.js';
import { decodeMessage, encodeMessage, encodeReadyQuery, MAX_DATAGRAM_BYTES, type StatusReply } from '../../src/protocol/messages.js';

const KEY = Buffer.alloc(32, 7);

test('keyed: each query number is answered once; an equal or older number is a replay', () => {
  let t = 0;
  const g = new ReadyGuard({ replayCheck: true, now: () => t });
  assert.equal(g.admit(10, 'a'), 'answer');
  assert.equal(g.admit(10, 'a'), 'replay');
  assert.equal(g.admit(10, 'b'), 'replay', 'from any address');
  assert.equal(g.admit(9, 'b'), 'replay');
  t += 1000;
  assert.equal(g.admit(11, 'b'), 'answer');
  const insecure = new ReadyGuard({ replayCheck: false, now: () => t });
  assert.equal(insecure.admit(5, 'a'), 'answer');
  assert.equal(insecure.admit(5, 'a'), 'answer', 'without a key anyone can forge a fresh query: numbers are not checked');
});

test('rate: a burst per address, then the sustained rate; other addresses unaffected', () => {
  let t = 0;
  const g = new ReadyGuard({ replayCheck: true, perSecond: 10, burst: 3, now: () => t });
  let n = 0;
  assert.deepEqual([g.admit(++n, 'a'), g.admit(++n, 'a'), g.admit(++n, 'a'), g.admit(++n, 'a')], ['answer', 'answer', 'answer', 'rate']);
  assert.equal(g.admit(++n, 'b'), 'answer');
  t += 100; // one token back at 10/s
  assert.deepEqual([g.admit(++n, 'a'), g.admit(++n, 'a')], ['answer', 'rate']);
  t += 100;
  assert.equal(g.admit(n, 'a'), 'answer', 'a rate-limited number is not used up');
});

test('fitStatus: the full status when it fits, else shorter details, else none; never over the limit', () => {
  const st: StatusReply = {
    v: 1,
    k: 'status',
    run: 'r',
    node: 'w1',
    state: 'warming',
    sources: { ntp: { ready: false, detail: 'x'.repeat(300) }, bounded: { ready: false, detail: 'y'.repeat(300) } },
  };
  const full = encodeMessage(st, KEY);
  assert.deepEqual(fitStatus(st, full.length, KEY), full);
  const shorter = fitStatus(st, full.length - 1, KEY)!;
  assert.ok(shorter.length < full.length);
  const d = decodeMessage(shorter, 'r', KEY);
  assert.ok(d.ok && d.msg.k === 'status' && d.msg.sources['ntp']!.detail === 'x'.repeat(24) && d.msg.state === 'warming');
  assert.equal(fitStatus(st, 40, KEY), null);
});

test('encodeReadyQuery pads to the largest datagram; a ready? without a number is bad_shape', () => {
  const q = encodeReadyQuery('run-1', 123, KEY);
  const d = decodeMessage(q, 'run-1', KEY);
  assert.ok(d.ok && d.msg.k === 'ready?' && d.msg.n === 123);
  assert.equal(q.length, MAX_DATAGRAM_BYTES + 1 + 43, 'body padded to MAX_DATAGRAM_BYTES, then the tag');
  const bare = decodeMessage(Buffer.from(JSON.stringify({ v: 1, k: 'ready?', run: 'run-1' })), 'run-1', null);
  assert.deepEqual(bare, { ok: false, reason: 'bad_shape', detail: 'n' });
});
