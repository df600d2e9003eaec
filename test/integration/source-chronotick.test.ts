// The chronotick source against a real HTTP server on 127.0.0.1 (port 0) answering in
// ChronoTick's /get_time format, then slow, failing and malformed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChronoTickSource, createChronoTickSource } from '../../src/clock/sources/chronotick.js';
import { HostClock } from '../../src/clock/host-clock.js';
import type { SyncRow } from '../../src/clock/types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Behaviour = { status?: number; type?: string; body: string; delayMs?: number };

async function server(): Promise<{ url: string; set: (b: Behaviour) => void; seen: string[]; close: () => Promise<void> }> {
  let b: Behaviour = { body: '{}' };
  const seen: string[] = [];
  const srv = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const cur = b;
    const t = setTimeout(() => {
      res.writeHead(cur.status ?? 200, { 'content-type': cur.type ?? 'application/json' });
      res.end(cur.body);
    }, cur.delayMs ?? 0);
    res.on('close', () => clearTimeout(t));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    set: (x) => {
      b = x;
    },
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

test('chronotick: good answers → point ± k·uncertainty; every bad answer → status error with reason, no value', async () => {
  const s = await server();
  const clock = new HostClock();
  const rows: SyncRow[] = [];
  s.set({ body: JSON.stringify({ offset_ms: 2.5, uncertainty_ms: 0.4 }) });
  const src = new ChronoTickSource({ url: s.url + '/', clock, k: 3, pollMs: 60, timeoutMs: 150, sink: (r) => rows.push(r) });
  const expectError = async (b: Behaviour, reason: RegExp): Promise<void> => {
    s.set(b);
    // A request already in flight when the behaviour changes (up to timeoutMs) answers under the old
    // one: wait for the first row made under the new behaviour (bounded), then judge it.
    const until = Date.now() + (b.delayMs ?? 0) + 1500;
    await sleep(b.delayMs ? b.delayMs + 200 : 150);
    while (!reason.test(String(rows[rows.length - 1]?.reason)) && Date.now() < until) await sleep(20);
    assert.deepEqual(src.read(clock.nowNs()), { point_ns: null, lo_ns: null, hi_ns: null, status: 'error' }, String(reason));
    const last = rows[rows.length - 1]!;
    assert.equal(last.status, 'error');
    assert.equal(last.point_ns, null);
    assert.match(String(last.reason), reason);
  };
  try {
    await src.start();
    // On a loaded machine the first poll can miss its 150 ms timeout (then it is an error row, as it
    // should be): wait, bounded, for the first answered poll before judging the good answer.
    const until = Date.now() + 5000;
    while (!rows.some((r) => r.status === 'ok') && Date.now() < until) await sleep(20);
    assert.ok(s.seen.length > 0, 'the server saw a request');
    assert.deepEqual([...new Set(s.seen)], ['POST /get_time']);
    const local = clock.nowNs();
    const r = src.read(local);
    assert.equal(r.status, 'ok');
    assert.equal(r.point_ns, local + 2_500_000n);
    assert.equal(r.hi_ns! - r.point_ns!, 1_200_000n, '3 × 0.4 ms');
    assert.equal(rows.find((r) => r.status === 'ok')!.offset_ns, 2_500_000);

    await expectError({ body: 'x', delayMs: 400 }, /no answer within 150 ms/);
    await expectError({ status: 500, body: 'boom' }, /HTTP 500/);
    await expectError({ type: 'text/html', body: '<html><body>login</body></html>' }, /answer is HTML/);
    await expectError({ body: '{"offset_ms": NaN, "uncertainty_ms": 1}' }, /not JSON/);
    await expectError({ body: '{"offset_ms": "1.0", "uncertainty_ms": 1}' }, /offset_ms is not a finite number/);
    await expectError({ body: '{"offset_ms": 1, "uncertainty_ms": -0.1}' }, /negative uncertainty_ms/);
    await expectError({ body: '{"offset_ms": 1}' }, /no uncertainty_ms/);
    await expectError({ body: '[1,2]' }, /not a JSON object/);

    // Recovery: a good answer again gives a value again.
    s.set({ body: JSON.stringify({ offset_ms: -1, uncertainty_ms: 0.1 }) });
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'ok');

    await s.close();
    await sleep(150);
    assert.equal(src.read(clock.nowNs()).status, 'error');
    assert.match(String(rows[rows.length - 1]!.reason), /ECONNREFUSED|fetch failed/);
    assert.equal(src.readiness().ready, false);
  } finally {
    await src.stop();
    await s.close().catch(() => undefined);
  }
});

test('chronotick: bad options are clear errors', () => {
  const clock = new HostClock();
  assert.throws(() => new ChronoTickSource({ url: 'not a url', clock }), /is not a URL/);
  assert.throws(() => new ChronoTickSource({ url: 'ftp://x', clock }), /must be http/);
  assert.throws(() => new ChronoTickSource({ url: 'http://127.0.0.1:1', clock, k: 0 }), /k must be > 0/);
  assert.throws(() => createChronoTickSource({ clock }, { mode: 'http' }), /in mode "http" needs a server url/);
  assert.throws(
    () => createChronoTickSource({ clock }, { mode: 'nfs' }),
    /mode must be "shm" \(the daemon's shared memory\) or "http", got "nfs"/,
  );
  assert.throws(() => createChronoTickSource({ clock }, { path: '' }), /path must be the segment's file name/);
  assert.throws(() => createChronoTickSource({ clock }, { k: -1 }), /k must be > 0, got -1/);
  assert.ok(createChronoTickSource({ clock }, { url: 'http://127.0.0.1:1' }) instanceof ChronoTickSource, 'a url → HTTP mode');
});
