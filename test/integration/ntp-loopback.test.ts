// The project's SNTP client against the project's SNTP server over real UDP on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { HostClock } from '../../src/clock/host-clock.js';
import type { LocalClock, SyncRow } from '../../src/clock/types.js';
import type { NtpSample } from '../../src/clock/ntp-sample.js';
import { NtpSource, type NtpSourceOptions } from '../../src/clock/sources/ntp.js';
import { startNtpServer, type NtpServerHandle } from '../../src/ntp-server/index.js';
import type { NtpFaultDecision } from '../../src/ntp-server/behaviour.js';
import { encodeNtpPacket, unixNsToNtp } from '../../src/protocol/ntp-packet.js';

const MS = 1_000_000n;
// One clock for every server and client in this process: separate HostClock instances can disagree
// by up to ~0.8 ms (the first one anchors across the lazy load of `performance`), which is not
// what these tests measure.
const hostClock = new HostClock();
const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function client(servers: string[], extra: Partial<NtpSourceOptions> = {}): { src: NtpSource; rows: SyncRow[]; samples: NtpSample[] } {
  const rows: SyncRow[] = [];
  const samples: NtpSample[] = [];
  const src = new NtpSource({
    servers,
    clock: hostClock,
    pollMs: 200,
    burst: 4,
    timeoutMs: 150,
    sink: (r) => rows.push(r),
    nodeId: 'n1',
    ...extra,
  });
  src.onSample((s) => samples.push(s));
  return { src, rows, samples };
}

const server = (behaviour?: (seq: number) => NtpFaultDecision | null, port = 0): Promise<NtpServerHandle> =>
  startNtpServer({ host: '127.0.0.1', port, clock: hostClock, behaviour: behaviour ? { decide: (c) => behaviour(c.seq) } : undefined });

/** A loopback UDP port with nothing listening (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('client vs own server on loopback: |offset| < 1 ms, small delay, min-delay filter, rows and listeners', async () => {
  const srv = await server();
  const { src, rows, samples } = client([`127.0.0.1:${srv.port}`]);
  try {
    assert.deepEqual(src.read(hostClock.nowNs()), { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' });
    await src.start();
    await until('ready', () => src.readiness().ready, 5000);
    const now = hostClock.nowNs();
    const r = src.read(now);
    assert.equal(r.status, 'ok');
    assert.equal(r.lo_ns, null);
    const offset = r.point_ns! - now;
    assert.ok(abs(offset) < 1n * MS, `offset ${offset} ns`);
    const accepted = samples.filter((s) => s.accepted);
    assert.ok(accepted.length >= 3);
    for (const s of accepted) {
      assert.ok(s.delay_ns >= 0n && s.delay_ns < 5n * MS, `delay ${s.delay_ns}`);
      assert.ok(abs(s.offset_ns) < 1n * MS, `sample offset ${s.offset_ns}`);
      assert.ok(s.t1_ns <= s.t4_ns && s.t2_ns <= s.t3_ns);
      assert.equal(s.stratum, 1);
    }
    // Each burst keeps exactly its minimum-delay sample.
    const rejected = samples.filter((s) => !s.accepted);
    assert.ok(rejected.length > 0 && rejected.every((s) => /^burst: delay \d+ ns > minimum \d+ ns$/.test(s.reason)));
    assert.deepEqual(
      src.samples().map((s) => s.t1_ns),
      accepted.map((s) => s.t1_ns),
    );
    const okRows = rows.filter((x) => x.status === 'ok');
    assert.equal(okRows.length, samples.length);
    assert.ok(okRows.every((x) => x.source === 'ntp' && x.node_id === 'n1' && typeof x.t2_ns === 'bigint' && x.true_offset_ns === null));
    assert.equal(okRows.filter((x) => x.accepted === 1).length, accepted.length);
    const st = srv.stats();
    assert.equal(st.malformed, 0);
    assert.ok(st.replies >= 12 && st.replies <= st.requests, JSON.stringify(st));
    console.log(`# loopback: offset ${offset} ns, accepted delays ${accepted.map((s) => s.delay_ns).join(',')} ns`);
  } finally {
    await src.stop();
    await srv.close();
  }
});

test('a server serving the host clock follows a step of the system clock at once (like any NTP server)', async () => {
  // What a +30 ms step of realtime after the server's anchor looks like to it: the kernel's realtime
  // is 30 ms ahead of the anchored reading. The client's clock is unaffected (fresh anchor).
  const stale = new HostClock();
  (stale as unknown as { anchorRealNs: bigint }).anchorRealNs -= 30n * MS;
  const srv = await startNtpServer({ host: '127.0.0.1', port: 0, clock: stale });
  const { src, samples } = client([`127.0.0.1:${srv.port}`], { clock: new HostClock() });
  try {
    await src.start();
    await until('ready', () => src.readiness().ready, 5000);
    const accepted = samples.filter((s) => s.accepted);
    assert.ok(accepted.length >= 1);
    for (const s of accepted) assert.ok(abs(s.offset_ns) < 1n * MS, `sample offset ${s.offset_ns} ns (the stale anchor would give -30 ms)`);
    assert.equal(srv.stats().clockSteps, 1, JSON.stringify(srv.stats()));
  } finally {
    await src.stop();
    await srv.close();
  }
});

test('dead server (nothing listening): warming, no value, timeouts recorded, not ready', async () => {
  const port = await deadPort();
  const { src, rows } = client([`127.0.0.1:${port}`], { pollMs: 150, timeoutMs: 100 });
  try {
    await src.start();
    await sleep(500);
    const r = src.read(hostClock.nowNs());
    assert.deepEqual(r, { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' });
    const rd = src.readiness();
    assert.equal(rd.ready, false);
    assert.match(rd.detail, /0\/3 accepted samples.*timeouts [1-9]/);
    assert.ok(
      rows.length >= 4 && rows.every((x) => x.status === 'error' && /^timeout/.test(String(x.reason)) && x.offset_ns === undefined),
    );
  } finally {
    await src.stop();
  }
});

test('server that dies: degraded within one poll, stale (no value) after 3 polls, recovers when it returns', async () => {
  let srv = await server();
  const port = srv.port;
  const { src } = client([`127.0.0.1:${port}`], { pollMs: 200, timeoutMs: 100 });
  const clock = hostClock;
  try {
    await src.start();
    await until('ok', () => src.read(clock.nowNs()).status === 'ok', 3000);
    await srv.close();
    const closedAt = Date.now();
    await until('status change', () => src.read(clock.nowNs()).status !== 'ok', 2000);
    const changedAfter = Date.now() - closedAt;
    assert.ok(changedAfter <= 200 + 100 + 80 + 100, `status changed after ${changedAfter} ms (poll 200 + timeout 100 + burst)`);
    const degraded = src.read(clock.nowNs());
    assert.equal(degraded.status, 'degraded');
    assert.notEqual(degraded.point_ns, null); // the last measurement, flagged
    await until('stale', () => src.read(clock.nowNs()).status === 'stale', 2000);
    assert.equal(src.read(clock.nowNs()).point_ns, null);
    srv = await server(undefined, port);
    await until('recovered', () => src.read(clock.nowNs()).status === 'ok', 2000);
    assert.ok(abs(src.read(clock.nowNs()).point_ns! - clock.nowNs()) < 1n * MS);
  } finally {
    await src.stop();
    await srv.close();
  }
});

test('malformed datagrams are counted and the server keeps answering', async () => {
  const srv = await server();
  const sock = dgram.createSocket('udp4');
  try {
    const valid = {
      leap: 0,
      version: 4,
      mode: 3,
      stratum: 0,
      poll: 0,
      precision: 0,
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      refId: 0,
      referenceTs: 0n,
      originTs: 0n,
      receiveTs: 0n,
      transmitTs: unixNsToNtp(hostClock.nowNs()),
    };
    const bad = [Buffer.from('hello'), Buffer.alloc(47), encodeNtpPacket({ ...valid, version: 2 }), encodeNtpPacket({ ...valid, mode: 4 })];
    for (const b of bad) sock.send(b, srv.port, '127.0.0.1');
    const reply = new Promise<Buffer>((res) => sock.once('message', (m) => res(m)));
    await until('4 malformed', () => srv.stats().malformed === 4, 2000);
    sock.send(encodeNtpPacket(valid), srv.port, '127.0.0.1');
    const m = await reply;
    assert.equal(m.length, 48);
    assert.equal(m[0]! & 7, 4);
    assert.equal(m.readBigUInt64BE(24), valid.transmitTs); // origin = our transmit
    assert.deepEqual(srv.stats(), { requests: 5, replies: 1, malformed: 4, dropped: 0, kisses: 0, clockSteps: 0 });
  } finally {
    sock.close();
    await srv.close();
  }
});

test('fault behaviour: asymmetric delay biases offset by (d1 − d2)/2; falseticker offset; drop; kiss', async () => {
  const run = async (
    fault: NtpFaultDecision,
    polls = 3,
  ): Promise<{ src: NtpSource; samples: NtpSample[]; rows: SyncRow[]; srv: NtpServerHandle }> => {
    const srv = await server(() => fault);
    const c = client([`127.0.0.1:${srv.port}`], { pollMs: 150, burst: 2, timeoutMs: 120 });
    await c.src.start();
    await sleep(150 * polls);
    await c.src.stop();
    await srv.close();
    return { ...c, srv };
  };
  // 30 ms on the request path only: θ ≈ +15 ms, δ ≈ 30 ms.
  const asym = await run({ requestDelayMs: 30 });
  const a = asym.samples.filter((s) => s.accepted);
  assert.ok(a.length >= 2);
  // Beyond the injected 30 ms, a loaded host adds delay it cannot attribute to either path: the
  // offset may move by half of that extra delay (plus 0.5 ms of timer slack), never more.
  // A 30 ms timer may also fire up to ~1 ms *early* in real time: libuv counts timers from the
  // loop's cached time, taken when the loop iteration began.
  const slack = (s: NtpSample): bigint => abs(s.delay_ns - 30n * MS) / 2n + MS / 2n;
  const EARLY = MS;
  for (const s of a) {
    assert.ok(s.delay_ns >= 30n * MS - EARLY, `asym delay ${s.delay_ns}`);
    assert.ok(abs(s.offset_ns - 15n * MS) <= slack(s), `asym offset ${s.offset_ns} (delay ${s.delay_ns})`);
  }
  // Same delay on the reply path: θ ≈ −15 ms.
  const back = (await run({ replyDelayMs: 30 })).samples.filter((s) => s.accepted);
  assert.ok(back.length >= 2, `reply-delay samples accepted: ${back.length}`);
  for (const s of back) {
    assert.ok(s.delay_ns >= 30n * MS - EARLY, `back delay ${s.delay_ns}`);
    assert.ok(abs(s.offset_ns + 15n * MS) <= slack(s), `back offset ${s.offset_ns} (delay ${s.delay_ns})`);
  }
  // Falseticker: server 50 ms ahead.
  const ft = (await run({ offsetNs: 50n * MS })).samples.filter((s) => s.accepted);
  // Within the exchange's own error bound δ/2 (a loaded host delays replies, not the served time).
  assert.ok(
    ft.length >= 2 && ft.every((s) => abs(s.offset_ns - 50n * MS) <= s.delay_ns / 2n + 200_000n),
    `falseticker offsets ${ft.map((s) => s.offset_ns).join(', ')}`,
  );
  // Drop everything: no samples, server counts drops.
  const dr = await run({ drop: true });
  assert.equal(dr.samples.length, 0);
  assert.ok(dr.srv.stats().dropped >= 2 && dr.srv.stats().replies === 0);
  assert.equal(dr.src.read(hostClock.nowNs()).status, 'warming');
  // Kiss-o'-death RATE: counted, no sample, row says why.
  const kd = await run({ kiss: 'RATE' });
  assert.equal(kd.samples.length, 0);
  assert.ok(kd.rows.some((r) => r.reason === "kiss-o'-death RATE" && r.status === 'error'));
  assert.ok(kd.srv.stats().kisses >= 1);
  assert.ok((kd.src.summary().servers as Array<{ kisses: number }>)[0]!.kisses >= 1);
  // Unsynchronised server (leap 3): status unsynced, nothing accepted.
  const un = await run({ leap: 3 });
  assert.equal(un.samples.length, 0);
  assert.ok(un.rows.length > 0 && un.rows.every((r) => r.status === 'unsynced'));
});

test('three servers, one falseticker: the median offset wins', async () => {
  const good1 = await server();
  const good2 = await server();
  const bad = await server(() => ({ offsetNs: 200n * MS }));
  const { src } = client(
    [good1, good2, bad].map((s) => `127.0.0.1:${s.port}`),
    { pollMs: 150, burst: 2, timeoutMs: 100 },
  );
  try {
    await src.start();
    await until('ready', () => src.readiness().ready, 3000);
    const now = hostClock.nowNs();
    assert.ok(abs(src.read(now).point_ns! - now) < 1n * MS);
  } finally {
    await src.stop();
    await Promise.all([good1.close(), good2.close(), bad.close()]);
  }
});

test('simulated local clock 30 ms behind: offset +30 ms, true_offset recorded, point ≈ true time', async () => {
  const host = hostClock;
  // Like FaultyClock, it keeps the true time behind its last reading (lastTrueNs), so the source
  // pairs each stamp with the truth of that very instant (two separate reads could be split by a preemption).
  const skewed: LocalClock & { lastTrueNs: bigint } = {
    simulated: true,
    lastTrueNs: 0n,
    trueNowNs: () => host.nowNs(),
    nowNs() {
      const t = host.nowNs();
      this.lastTrueNs = t;
      return t - 30n * MS;
    },
  };
  const srv = await server();
  const { src, rows } = client([`127.0.0.1:${srv.port}`], { clock: skewed });
  try {
    await src.start();
    await until('ready', () => src.readiness().ready, 5000);
    const local = skewed.nowNs();
    const r = src.read(local);
    assert.ok(abs(r.point_ns! - host.nowNs()) < 1n * MS, `point − true = ${r.point_ns! - host.nowNs()} ns`);
    const acc = rows.filter((x) => x.accepted === 1);
    assert.ok(acc.length >= 3);
    for (const x of acc) {
      assert.ok(abs((x.offset_ns as bigint) - 30n * MS) < 1n * MS);
      assert.ok(abs((x.true_offset_ns as bigint) - 30n * MS) < 10_000n, `true_offset ${x.true_offset_ns}`);
    }
  } finally {
    await src.stop();
    await srv.close();
  }
});

test('constructor rejects bad server specs with a clear error', () => {
  const clock = hostClock;
  const mk = (servers: string[]) => new NtpSource({ servers, clock, pollMs: 100, burst: 1, timeoutMs: 50 });
  assert.throws(() => mk([]), /at least one server/);
  assert.throws(() => mk(['127.0.0.1:99999']), /port must be 1\.\.65535/);
  assert.throws(() => mk(['a:b:c']), /expected host:port/);
  assert.doesNotThrow(() => mk(['[::1]:123', 'localhost']));
  assert.throws(() => new NtpSource({ servers: ['x:1'], clock, pollMs: 0, burst: 1, timeoutMs: 1 }), /pollMs/);
});
