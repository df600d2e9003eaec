// The udp_stamp native addon and the StampedSocket wrapper on real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ADDON_PATHS, loadUdpStampAddon, NO_NATIVE_ENV, type UdpStampAddon } from '../../src/net/udp-stamp-addon.js';
import { openStampedSocket, resolveStampKind } from '../../src/net/stamped-socket.js';
import { buildBundle } from '../../src/deploy/bundle.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';

delete process.env[NO_NATIVE_ENV]; // these tests are about the real addon

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The addon; fails (never skips) on Linux, where npm run build must have built it. */
function addon(): UdpStampAddon {
  const a = loadUdpStampAddon();
  if ('error' in a) assert.fail(`npm run build did not build the udp_stamp addon: ${a.error}`);
  return a.addon;
}

async function dgramSender(type: 'udp4' | 'udp6' = 'udp4'): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  await new Promise<void>((r) => s.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', r));
  return s;
}

interface Got {
  buf: Buffer;
  address: string;
  port: number;
  arrival: bigint | null;
  callbackNs: bigint;
}

test(
  'the udp_stamp addon is built on Linux (a broken build must not hide behind the JS fallback)',
  { skip: process.platform !== 'linux' },
  () => {
    const a = loadUdpStampAddon();
    assert.ok('addon' in a, `addon missing: ${'error' in a ? a.error : ''}`);
    assert.equal(a.file, ADDON_PATHS[0], 'loaded from dist/native (the copy deploy bundles ship)');
    assert.equal(resolveStampKind('auto'), 'kernel');
  },
);

test('datagrams arrive intact with the sender address and a kernel stamp between the send and the callback', async () => {
  const a = addon();
  const got: Got[] = [];
  const h = a.open('127.0.0.1', 0, 1 << 20, (buf, address, port, arrival) => {
    got.push({ buf, address, port, arrival, callbackNs: process.hrtime.bigint() });
  });
  const info = a.info(h);
  assert.equal(info.family, 'IPv4');
  assert.equal(info.address, '127.0.0.1');
  assert.ok(info.port > 0);
  assert.ok(info.rcvbuf > 0 && info.rcvbuf <= 2 << 20, `SO_RCVBUF granted ${info.rcvbuf} for a 1 MiB request`);
  const tx = await dgramSender();
  const sizes = [0, 1, 16, 200, 1199, 1200, 1500, 9000, 65000];
  const sentBefore: bigint[] = [];
  for (const [i, size] of sizes.entries()) {
    const b = Buffer.alloc(size, i + 1);
    sentBefore.push(process.hrtime.bigint());
    await new Promise<void>((r, j) => tx.send(b, info.port, '127.0.0.1', (e) => (e ? j(e) : r())));
  }
  for (let t = 0; t < 200 && got.length < sizes.length; t++) await sleep(10);
  a.close(h);
  const txPort = tx.address().port;
  tx.close();
  assert.equal(got.length, sizes.length);
  for (const [i, g] of got.entries()) {
    assert.equal(g.buf.length, sizes[i], `datagram ${i}: length`);
    assert.ok(
      g.buf.every((x) => x === i + 1),
      `datagram ${i}: content`,
    );
    assert.equal(g.address, '127.0.0.1');
    assert.equal(g.port, txPort);
    assert.notEqual(g.arrival, null, `datagram ${i}: no kernel stamp`);
    assert.ok(g.arrival! >= sentBefore[i]!, `datagram ${i}: stamped ${sentBefore[i]! - g.arrival!} ns before it was sent`);
    assert.ok(g.arrival! <= g.callbackNs, `datagram ${i}: kernel stamp after the callback`);
    assert.ok(g.arrival! - sentBefore[i]! < 1_000_000_000n, `datagram ${i}: stamp ${g.arrival! - sentBefore[i]!} ns after the send`);
  }
});

test('the kernel stamp is taken at arrival, not when a busy receiver gets round to it', async () => {
  const a = addon();
  const got: Got[] = [];
  const h = a.open('127.0.0.1', 0, 0, (buf, address, port, arrival) =>
    got.push({ buf, address, port, arrival, callbackNs: process.hrtime.bigint() }),
  );
  const port = a.info(h).port;
  // Send from this very socket (synchronous sendto), then keep the event loop busy for 30 ms:
  // the datagram waits in the kernel queue, and only a kernel stamp can say when it arrived.
  const before = process.hrtime.bigint();
  a.send(h, Buffer.from('late'), port, '127.0.0.1');
  const after = process.hrtime.bigint();
  while (process.hrtime.bigint() - before < 30_000_000n) {
    /* busy */
  }
  for (let t = 0; t < 100 && got.length === 0; t++) await sleep(5);
  a.close(h);
  assert.equal(got.length, 1);
  const g = got[0]!;
  assert.ok(
    g.arrival! >= before && g.arrival! <= after,
    `stamp ${g.arrival! - before} ns after the send began, which took ${after - before} ns`,
  );
  assert.ok(g.callbackNs - before >= 30_000_000n, 'the callback ran after the busy loop');
});

test('IPv6: bind ::1, send to itself, address reported as IPv6', async () => {
  const a = addon();
  const got: Got[] = [];
  const h = a.open('::1', 0, 0, (buf, address, port, arrival) =>
    got.push({ buf, address, port, arrival, callbackNs: process.hrtime.bigint() }),
  );
  const info = a.info(h);
  assert.equal(info.family, 'IPv6');
  assert.equal(info.address, '::1');
  assert.equal(a.send(h, Buffer.from('six'), info.port, '::1'), 3);
  const tx = await dgramSender('udp6');
  tx.send(Buffer.from('from dgram'), info.port, '::1');
  for (let t = 0; t < 200 && got.length < 2; t++) await sleep(10);
  a.close(h);
  tx.close();
  assert.deepEqual(got.map((g) => g.buf.toString()).sort(), ['from dgram', 'six']);
  assert.ok(got.every((g) => g.address === '::1' && g.arrival !== null));
});

test('send() reaches a dgram receiver; bad destinations and a closed socket are clear errors', async () => {
  const a = addon();
  const rx = dgram.createSocket('udp4');
  const received = new Promise<Buffer>((r) => rx.once('message', (b) => r(b)));
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
  const h = a.open('127.0.0.1', 0, 0, () => {});
  assert.equal(a.send(h, Buffer.from('hello'), rx.address().port, '127.0.0.1'), 5);
  assert.equal((await received).toString(), 'hello');
  rx.close();
  assert.throws(() => a.send(h, Buffer.from('x'), 9, '::1'), /not a numeric IPv4 address/);
  assert.throws(() => a.send(h, Buffer.from('x'), 9, 'localhost'), /not a numeric IPv4 address/);
  assert.throws(
    () => a.send(h, Buffer.alloc(70_000), 9, '127.0.0.1'),
    (e: NodeJS.ErrnoException) => e.code === 'EMSGSIZE' && /Message too long/.test(e.message),
  );
  a.close(h);
  a.close(h); // idempotent
  assert.throws(() => a.send(h, Buffer.from('x'), 9, '127.0.0.1'), /socket is closed/);
});

test('close() stops callbacks at once, also from inside a callback', async () => {
  const a = addon();
  let calls = 0;
  const h = a.open('127.0.0.1', 0, 0, () => {
    calls++;
    a.close(h);
  });
  const port = a.info(h).port;
  const tx = await dgramSender();
  for (let i = 0; i < 10; i++) tx.send(Buffer.from([i]), port, '127.0.0.1');
  await sleep(100);
  assert.equal(calls, 1, 'one callback, then closed inside it: the rest of the batch is not delivered');
  let late = 0;
  const h2 = a.open('127.0.0.1', 0, 0, () => {
    late++;
  });
  const port2 = a.info(h2).port;
  a.close(h2);
  tx.send(Buffer.from('after close'), port2, '127.0.0.1');
  await sleep(100);
  tx.close();
  assert.equal(late, 0);
});

test('a flood faster than the listener does not hold the event loop: timers still run while datagrams keep coming', async () => {
  const a = addon();
  let calls = 0;
  // A slow listener (300 µs a datagram, ~3,300/s) and a sender thread that outpaces it for 1 s:
  // the socket's queue never empties while the flood lasts.
  const h = a.open('127.0.0.1', 0, 1 << 20, () => {
    calls++;
    const until = process.hrtime.bigint() + 300_000n;
    while (process.hrtime.bigint() < until) {
      /* busy listener */
    }
  });
  const port = a.info(h).port;
  const sender = new Worker(
    `
    const dgram = require('node:dgram');
    const { workerData, parentPort } = require('node:worker_threads');
    const s = dgram.createSocket('udp4');
    const end = Date.now() + 1000;
    let sent = 0;
    const burst = () => {
      for (let i = 0; i < 50; i++) { s.send(Buffer.alloc(32), workerData, '127.0.0.1'); sent++; }
      if (Date.now() < end) setTimeout(burst, 1); else s.close(() => parentPort.postMessage(sent));
    };
    burst();`,
    { eval: true, workerData: port },
  );
  const sentP = new Promise<number>((r) => sender.once('message', r));
  let last = process.hrtime.bigint();
  let maxGapMs = 0;
  const tick = setInterval(() => {
    const now = process.hrtime.bigint();
    maxGapMs = Math.max(maxGapMs, Number(now - last) / 1e6);
    last = now;
  }, 10);
  const sent = await sentP;
  clearInterval(tick);
  maxGapMs = Math.max(maxGapMs, Number(process.hrtime.bigint() - last) / 1e6); // the gap up to the sender's end
  a.close(h);
  await sender.terminate();
  assert.ok(calls > 100 && sent > calls, `the flood outpaced the listener (${sent} sent, ${calls} delivered)`);
  assert.ok(maxGapMs < 400, `a 10 ms timer waited ${maxGapMs.toFixed(0)} ms during the flood: the receive drain held the event loop`);
});

test('setRecvPause: a fast sender is read in few wake-ups, every datagram delivered with the kernel stamp of its send', async () => {
  const a = addon();
  const got: Got[] = [];
  const h = a.open('127.0.0.1', 0, 1 << 20, (buf, address, port, arrival) => {
    got.push({ buf, address, port, arrival, callbackNs: process.hrtime.bigint() });
  });
  a.setRecvPause!(h, 20);
  const port = a.info(h).port;
  // A sender thread, 5 datagrams a millisecond for 200 ms, each bracketed by hrtime around its send.
  const sender = new Worker(
    `
    const dgram = require('node:dgram');
    const { workerData, parentPort } = require('node:worker_threads');
    const s = dgram.createSocket('udp4');
    s.connect(workerData, '127.0.0.1', () => {
      const brackets = [];
      let i = 0;
      const burst = () => {
        for (let k = 0; k < 5; k++, i++) {
          const b = Buffer.alloc(8);
          b.writeUInt32BE(i);
          const t0 = process.hrtime.bigint();
          s.send(b); // connected: the sendmsg is made before send() returns
          brackets.push([t0, process.hrtime.bigint()]);
        }
        if (i < 1000) setTimeout(burst, 1); else s.close(() => parentPort.postMessage(brackets));
      };
      burst();
    });`,
    { eval: true, workerData: port },
  );
  const brackets = await new Promise<[bigint, bigint][]>((r) => sender.once('message', r));
  await sender.terminate();
  await sleep(100); // the last rest ends
  a.close(h);
  assert.equal(got.length, 1000, 'every datagram delivered');
  // Wake-ups: callbacks more than 0.5 ms after the previous one.
  let wakeUps = 1;
  for (let i = 1; i < got.length; i++) if (got[i]!.callbackNs - got[i - 1]!.callbackNs > 500_000n) wakeUps++;
  assert.ok(wakeUps < 100, `${wakeUps} wake-ups for 1,000 datagrams in ~200 ms: the socket did not rest 20 ms between reads`);
  let late = 0;
  for (const g of got) {
    const i = g.buf.readUInt32BE(0);
    const [t0] = brackets[i]!;
    assert.ok(g.arrival !== null, `datagram ${i} has a kernel stamp`);
    // On loopback the kernel stamps inside the sender's sendmsg; the rest delays only the callback.
    assert.ok(g.arrival >= t0 - 50_000n, `datagram ${i} stamped before its send began`);
    if (g.arrival > brackets[i]![1] + 200_000n) late++;
    assert.ok(g.arrival <= g.callbackNs);
  }
  assert.ok(late <= 10, `${late} of 1,000 stamps more than 0.2 ms after their send returned: the rest moved the stamps`);
  assert.ok(
    got.some((g) => g.callbackNs - g.arrival! > 5_000_000n),
    'some datagrams waited out a rest in the queue (the test exercised it)',
  );
});

test('setRecvPause: the process stays alive while its socket rests (the rest keeps the event loop up)', () => {
  // A child whose only handle is the socket: it prints each datagram and exits after the third.
  // Two datagrams 5 ms apart make it rest 300 ms; the third comes after the rest. A child that
  // exited during the rest never prints the third.
  const child = `
    const a = require(${JSON.stringify(ADDON_PATHS[0])});
    let n = 0;
    const h = a.open('127.0.0.1', 0, 0, () => { n++; process.stdout.write('got ' + n + '\\n'); if (n === 3) a.close(h); });
    a.setRecvPause(h, 300);
    const port = a.info(h).port;
    require('node:child_process').spawn(process.execPath, ['-e', \`
      const s = require('node:dgram').createSocket('udp4');
      const go = (then) => s.send('x', \${port}, '127.0.0.1', then);
      go(); setTimeout(go, 5); setTimeout(() => go(() => s.close()), 450);\`], { stdio: 'inherit' }).unref();
  `;
  const out = execFileSync(process.execPath, ['-e', child], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(out.trim().split('\n').at(-1), 'got 3', `the child exited early:\n${out}`);
});

test('bad bind addresses are clear errors, naming the address and the errno', async () => {
  const a = addon();
  assert.throws(() => a.open('not-an-ip', 0, 0, () => {}), /bind address "not-an-ip" is not a numeric IPv4 or IPv6 address/);
  const h = a.open('127.0.0.1', 0, 0, () => {});
  const port = a.info(h).port;
  assert.throws(
    () => a.open('127.0.0.1', port, 0, () => {}),
    (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE' && e.message === `bind 127.0.0.1:${port}: Address already in use (EADDRINUSE)`,
  );
  a.close(h);
  await assert.rejects(
    openStampedSocket({ bind: 'no-such-host.invalid', port: 0, mode: 'kernel', recvBufferBytes: 0, onMessage: () => {} }),
    /bind address "no-such-host.invalid"/,
  );
});

test('StampedSocket: kernel and user modes both give monotonic arrivals; kernel mode without the addon is an error, auto falls back', async () => {
  for (const mode of ['kernel', 'user'] as const) {
    const got: Array<bigint | null> = [];
    const s = await openStampedSocket({
      bind: '127.0.0.1',
      port: 0,
      mode,
      recvBufferBytes: 1 << 20,
      onMessage: (_b, _a, _p, arrival) => got.push(arrival),
    });
    assert.equal(s.stampKind, mode);
    assert.ok(s.recvBufferBytes() > 0);
    const before = process.hrtime.bigint();
    s.send(Buffer.from('x'), s.address().port, '127.0.0.1');
    for (let t = 0; t < 100 && got.length === 0; t++) await sleep(5);
    const unstamped = s.unstampedCount();
    await s.close();
    assert.equal(got.length, 1, mode);
    assert.ok(got[0] !== null && got[0]! >= before && got[0]! <= process.hrtime.bigint(), mode);
    assert.equal(unstamped, 0, `${mode}: a normal datagram has a stamp`);
  }
  process.env[NO_NATIVE_ENV] = '1';
  try {
    assert.throws(
      () => resolveStampKind('kernel'),
      /--recv-stamp kernel: kernel receive timestamps are unavailable: .*CHRONOEVAL_NO_NATIVE=1/,
    );
    const why: string[] = [];
    const s = await openStampedSocket({
      bind: '127.0.0.1',
      port: 0,
      mode: 'auto',
      recvBufferBytes: 0,
      onMessage: () => {},
      onFallback: (w) => why.push(w),
    });
    assert.equal(s.stampKind, 'user');
    assert.match(why.join(), /CHRONOEVAL_NO_NATIVE=1.*stamping datagrams in JavaScript/);
    await s.close();
  } finally {
    delete process.env[NO_NATIVE_ENV];
  }
});

test(
  'the deploy bundle carries the built addon (dist/native), so remote workers get kernel stamps',
  { skip: process.platform !== 'linux' },
  async () => {
    addon();
    const dir = tmpDir();
    try {
      const b = await buildBundle(PACKAGE_ROOT, dir, false);
      const list = execFileSync('tar', ['-tf', b.file], { encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n');
      assert.ok(list.includes(path.relative(PACKAGE_ROOT, ADDON_PATHS[0]!)), 'dist/native/udp_stamp.node is not in the bundle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
