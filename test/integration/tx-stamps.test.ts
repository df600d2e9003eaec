// Kernel transmit stamps (SO_TIMESTAMPING, read from the error queue by the udp_stamp addon) on
// real loopback sockets: they arrive, match their datagrams by id, lie between the stamps read
// around the send, and the event sender falls back to the JS stamp, with the reason, without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram, { type Socket } from 'node:dgram';
import { loadUdpStampAddon, NO_NATIVE_ENV, type UdpStampAddon } from '../../src/net/udp-stamp-addon.js';
import { EventSender, type EventPathFaults } from '../../src/coordinator/event-sender.js';
import { SEND_KERNEL_REASONS } from '../../src/coordinator/tx-stamps.js';
import { findTxStamp } from '../../src/net/tx-stamp-match.js';
import type { WorkerAddress } from '../../src/coordinator/control.js';
import { Logger } from '../../src/cli/logger.js';

delete process.env[NO_NATIVE_ENV]; // these tests are about the real addon

const log = new Logger('coordinator', null, 'error');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const addr = (port: number): WorkerAddress => ({ host: '127.0.0.1', port, label: `127.0.0.1:${port}` });

function addon(): UdpStampAddon {
  const a = loadUdpStampAddon();
  if ('error' in a) assert.fail(`npm run build did not build the udp_stamp addon: ${a.error}`);
  return a.addon;
}

async function receiver(): Promise<{ sock: Socket; port: number; got: Buffer[] }> {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { sock, port: sock.address().port, got };
}

test('findTxStamp: the latest stamp inside the bracket read around the sends, none outside it', () => {
  const flat = [0, 100n, 1, 200n, 2, 300n];
  assert.equal(findTxStamp(flat, 150n, 250n), 200n);
  assert.equal(findTxStamp(flat, 150n, 1000n), 300n, 'the latest');
  assert.equal(findTxStamp(flat, 201n, 299n), null, 'a stamp before the sends began is an earlier datagram');
  assert.equal(findTxStamp([], 0n, 1000n), null);
});

test('every datagram gets a transmit stamp with its own id, between the clock read before sendto and after it returned', async () => {
  const a = addon();
  assert.ok(typeof a.enableTxStamps === 'function' && typeof a.txStamps === 'function', 'the built addon has transmit stamps');
  const rx = await receiver();
  const h = a.open('127.0.0.1', 0, 0, () => {});
  try {
    a.enableTxStamps(h);
    const before: bigint[] = [];
    const after: bigint[] = [];
    for (let k = 0; k < 200; k++) {
      before.push(process.hrtime.bigint());
      a.send(h, Buffer.from(`d${k}`), rx.port, '127.0.0.1');
      after.push(process.hrtime.bigint());
    }
    const flat = a.txStamps(h);
    assert.equal(flat.length, 400, 'one stamp per datagram');
    for (let k = 0; k < 200; k++) {
      assert.equal(flat[2 * k], k, 'ids count the datagrams in send order');
      const mono = flat[2 * k + 1] as bigint;
      assert.ok(mono >= before[k]! && mono <= after[k]!, `stamp ${k} (${mono}) inside [${before[k]}, ${after[k]}]`);
    }
    assert.deepEqual(a.txStamps(h), [], 'taken stamps are forgotten');
    assert.equal(a.info(h).txLost, 0);
  } finally {
    a.close(h);
    rx.sock.close();
  }
});

test('onlyAsked: a stamp for each datagram sent with stampThis and for no other, in its own send bracket', async () => {
  const a = addon();
  const rx = await receiver();
  const h = a.open('127.0.0.1', 0, 0, () => {});
  try {
    a.enableTxStamps!(h, true);
    const brackets: [bigint, bigint][] = [];
    for (let k = 0; k < 40; k++) {
      const before = process.hrtime.bigint();
      a.send(h, Buffer.from(`d${k}`), rx.port, '127.0.0.1', k % 4 === 0);
      if (k % 4 === 0) brackets.push([before, process.hrtime.bigint()]);
    }
    const flat = a.txStamps!(h);
    assert.equal(flat.length, 2 * brackets.length, 'one stamp per asked datagram, none for the others');
    brackets.forEach(([b, e], j) => {
      const mono = flat[2 * j + 1] as bigint;
      assert.ok(mono >= b && mono <= e, `asked datagram ${j}: stamp inside its own send`);
    });
    const ids = flat.filter((_, i) => i % 2 === 0) as number[];
    assert.ok(
      ids.every((id, j) => j === 0 || id > ids[j - 1]!),
      `ids grow with the datagrams: ${ids.join(',')}`,
    );
  } finally {
    a.close(h);
    rx.sock.close();
  }
});

test('stamps left on the error queue are taken by the poll, and receiving goes on (libuv stops a poll on POLLERR)', async () => {
  const a = addon();
  const rx = await receiver();
  const got: string[] = [];
  const h = a.open('127.0.0.1', 0, 0, (buf) => got.push(buf.toString()));
  try {
    a.enableTxStamps!(h);
    for (let k = 0; k < 3; k++) a.send(h, Buffer.from('x'), rx.port, '127.0.0.1');
    await sleep(30); // the loop sees POLLERR with three stamps queued
    rx.sock.send('back', a.info(h).port, '127.0.0.1');
    const end = Date.now() + 2000;
    while (got.length === 0 && Date.now() < end) await sleep(5);
    assert.deepEqual(got, ['back'], 'a datagram that came after the stamps is still received');
    const flat = a.txStamps!(h);
    assert.deepEqual(
      flat.filter((_, i) => i % 2 === 0),
      [0, 1, 2],
      'the poll kept the stamps for txStamps()',
    );
  } finally {
    a.close(h);
    rx.sock.close();
  }
});

test("EventSender: each event's kernel send stamp is its first datagram's, between the stamps around send()", async () => {
  const rx = [await receiver(), await receiver(), await receiver()];
  const sender = await EventSender.open(
    rx.map((r) => addr(r.port)),
    null,
    log,
  );
  try {
    assert.equal(sender.txUnavailable, null);
    for (let seq = 0; seq < 50; seq++) {
      const before = process.hrtime.bigint();
      sender.send(Buffer.from(`e${seq}`), seq);
      const after = process.hrtime.bigint();
      const k = sender.kernelSend();
      assert.ok('mono' in k, `event ${seq}: ${'reason' in k ? k.reason : ''}`);
      assert.ok(k.mono >= before && k.mono <= after, `event ${seq}: stamp inside send()`);
    }
  } finally {
    await sender.close();
    for (const r of rx) r.sock.close();
  }
});

test('EventSender: no datagram left synchronously → not-sent; without the addon → no-addon, and the JS stamp is all there is', async () => {
  const rx = [await receiver(), await receiver()];
  const dropAll: EventPathFaults = { decide: () => ({ drop: true, delayNs: 0, duplicates: 0 }) };
  const dropping = await EventSender.open(
    rx.map((r) => addr(r.port)),
    dropAll,
    log,
  );
  try {
    dropping.send(Buffer.from('e0'), 0);
    assert.deepEqual(dropping.kernelSend(), { reason: SEND_KERNEL_REASONS.notSent });
  } finally {
    await dropping.close();
  }
  process.env[NO_NATIVE_ENV] = '1';
  try {
    const user = await EventSender.open(
      rx.map((r) => addr(r.port)),
      null,
      log,
    );
    try {
      assert.equal(user.stampKind, 'user');
      assert.equal(user.txUnavailable, SEND_KERNEL_REASONS.noAddon);
      user.send(Buffer.from('e1'), 1);
      assert.deepEqual(user.kernelSend(), { reason: 'no-addon' });
    } finally {
      await user.close();
    }
  } finally {
    delete process.env[NO_NATIVE_ENV];
    for (const r of rx) r.sock.close();
  }
});
