// Dead, slow, lying and hostile NTP servers, seen from a real `chronoeval worker` child process
// (the real NtpSource) through the data it writes: workers/<node>.csv and sync/<node>.csv.
// The server is the real startNtpServer with its behaviour hook (dead / slow / jump), or, for
// replies no honest server can produce, a raw UDP socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import path from 'node:path';
import { startNtpServer, type NtpFaultDecision } from '../../src/ntp-server/index.js';
import { HostClock } from '../../src/clock/host-clock.js';
import { decodeNtpPacket, encodeNtpPacket, refIdFromAscii, unixNsToNtp, MODE_CLIENT, MODE_SERVER } from '../../src/protocol/ntp-packet.js';
import { decodeMessage, encodeMessage, encodeReadyQuery, type Message } from '../../src/protocol/messages.js';
import { startRole, withTimeout } from '../../src/scenario/child.js';
import { tmpDir, watchRealtimeSteps } from '../support/helpers.js';
import { readCsv, sleep, writeKey } from '../support/reliability.js';

const POLL_MS = 500;
const TIMEOUT_MS = 500; // the registry's NTP request timeout
const BURST_MS = 4 * 20; // 4 requests, 20 ms apart
const SLACK_MS = 300; // timers on a loaded 2-core machine
const MS = 1_000_000n;
const nowNs = (): bigint => BigInt(Date.now()) * MS;

interface Live {
  dir: string;
  run: string;
  key: Buffer;
  port: number;
  send(): void;
  end(): Promise<number | null>;
  stderr(): string;
}

/** Start a worker stamping system+ntp against `ntpPort`, wait until it answers ready, and feed it 50 events/s. */
async function liveWorker(run: string, ntpPort: number, waitReady: boolean): Promise<Live> {
  const dir = tmpDir('chronoeval-ntp-');
  const { key, keyFile } = writeKey(dir);
  const w = startRole(
    'worker',
    [
      'worker',
      '--run-id',
      run,
      '--node',
      'w',
      '--bind',
      '127.0.0.1',
      '--port',
      '0',
      '--sources',
      'system,ntp',
      '--ntp-server',
      `127.0.0.1:${ntpPort}`,
      '--poll-ms',
      String(POLL_MS),
      '--warmup-max-s',
      '30',
      '--key-file',
      keyFile,
      '--results-dir',
      path.join(dir, 'results'),
      '--logs-dir',
      path.join(dir, 'logs'),
      '--log-level',
      'error',
    ],
    { forwardStderr: false },
  );
  let err = '';
  w.child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const port = await withTimeout(w.listening, 20_000, 'worker start');
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  let ready = false;
  let bye = false;
  sock.on('message', (b) => {
    const d = decodeMessage(b, run, key);
    if (d.ok && d.msg.k === 'status' && d.msg.state === 'ready') ready = true;
    if (d.ok && d.msg.k === 'bye') bye = true;
  });
  for (let i = 0; waitReady && !ready; i++) {
    if (i > 100) throw new Error(`worker not ready after 20 s:\n${err}`);
    sock.send(encodeReadyQuery(run, i + 1, key), port, '127.0.0.1');
    await sleep(200);
  }
  let seq = 0;
  const timer = setInterval(() => {
    const s = seq++;
    sock.send(encodeMessage({ v: 1, k: 'ev', run, id: s, seq: s, st: {} } as Message, key), port, '127.0.0.1');
  }, 20);
  return {
    dir,
    run,
    key,
    port,
    stderr: () => err,
    send: () => undefined,
    end: async () => {
      clearInterval(timer);
      const endMsg = encodeMessage({ v: 1, k: 'end', run } as Message, key);
      for (let i = 0; !bye && i < 50; i++) {
        sock.send(endMsg, port, '127.0.0.1');
        await sleep(200);
      }
      sock.close();
      return (await withTimeout(w.exited, 10_000, 'worker exit')).code;
    },
  };
}

interface Row {
  recv: bigint;
  status: string;
  ntp: bigint | null;
}
function workerRows(l: Live): Row[] {
  return readCsv(path.join(l.dir, 'results', l.run, 'workers', 'w.csv')).rows.map((r) => ({
    recv: BigInt(r.recv_local_ns!),
    status: r.ntp_status!,
    ntp: r.ntp_ns === '' ? null : BigInt(r.ntp_ns!),
  }));
}
const offsetMs = (r: Row): number => Number(r.ntp! - r.recv) / 1e6;

/** No value is ever invented: a reading has a value exactly when its status says it does. */
function assertNoInventedValues(rows: Row[]): void {
  for (const r of rows) {
    const hasValue = r.ntp !== null;
    assert.equal(hasValue, r.status === 'ok' || r.status === 'degraded', `row at ${r.recv}: status ${r.status} with value ${r.ntp}`);
  }
}

// The scenario is run once; the guarantees are checked by the tests below it.
interface Phase {
  name: string;
  start: bigint;
  end: bigint;
}
let scenario: { rows: Row[]; phases: Record<string, Phase>; sync: Record<string, string>[]; steppedMs: number } | null = null;

test(
  'dead, slow and jumping NTP server mid-run: status changes within one poll, no invented value, recovery',
  { timeout: 90_000 },
  async () => {
    let fault: NtpFaultDecision | null = null;
    const steps = watchRealtimeSteps();
    const server = await startNtpServer({ host: '127.0.0.1', port: 0, clock: new HostClock(), behaviour: { decide: () => fault } });
    const live = await liveWorker('T-ntp-dead', server.port, true);
    const phases: Record<string, Phase> = {};
    const phase = async (name: string, f: NtpFaultDecision | null, ms: number): Promise<void> => {
      fault = f;
      const start = nowNs();
      await sleep(ms);
      phases[name] = { name, start, end: nowNs() };
    };
    try {
      await phase('healthy', null, 1500);
      await phase('dead', { drop: true }, 3500);
      await phase('back1', null, 2000);
      await phase('slow', { requestDelayMs: 400, replyDelayMs: 400 }, 2000); // 800 ms round trip > 500 ms timeout
      await phase('back2', null, 2000);
      await phase('jump', { offsetNs: 1_000_000_000n }, 2000);
      await phase('back3', null, 2200);
    } finally {
      const code = await live.end();
      await server.close();
      assert.equal(code, 0, `worker stayed up and ended cleanly:\n${live.stderr()}`);
    }
    steps.stop();
    const rows = workerRows(live);
    const sync = readCsv(path.join(live.dir, 'results', live.run, 'sync', 'w.csv')).rows.filter((r) => r.source === 'ntp');
    scenario = { rows, phases, sync, steppedMs: steps.movedMs() };
    const inPhase = (p: Phase, afterMs: number): Row[] => rows.filter((r) => r.recv >= p.start + BigInt(afterMs) * MS && r.recv < p.end);
    assertNoInventedValues(rows);

    // Healthy: ok and close to the host clock (the server's clock).
    const h = inPhase(phases.healthy!, 0);
    // The worker re-anchors on a step of the system clock within a second; the server at once.
    const tol = 5 + scenario.steppedMs;
    assert.ok(h.length > 50 && h.every((r) => r.status === 'ok' && Math.abs(offsetMs(r)) < tol), `healthy phase: ok, |offset| < ${tol} ms`);

    // Dead: not ok within one poll + the request timeout; no value once stale; the degraded value is the last measurement, unchanged.
    const changeMs = POLL_MS + TIMEOUT_MS + BURST_MS + SLACK_MS;
    for (const name of ['dead', 'slow']) {
      const p = phases[name]!;
      const late = inPhase(p, changeMs);
      assert.ok(
        late.length > 20 && late.every((r) => r.status !== 'ok'),
        `${name}: every row ${changeMs} ms after the server stopped answering in time is not ok`,
      );
      const firstNotOk = rows.find((r) => r.recv >= p.start && r.status !== 'ok');
      process.stdout.write(
        `# ${name}: first non-ok row ${firstNotOk ? Number(firstNotOk.recv - p.start) / 1e6 : 'none'} ms after the change (bound ${changeMs} ms)\n`,
      );
      const degraded = rows.filter((r) => r.recv >= p.start && r.recv < p.end && r.status === 'degraded').map((r) => r.ntp! - r.recv);
      assert.ok(
        new Set(degraded.map(String)).size <= 1,
        `${name}: a degraded reading repeats the last measured offset, nothing new is made up`,
      );
      const timeouts = sync.filter(
        (r) =>
          r.status === 'error' &&
          /timeout/.test(r.reason!) &&
          BigInt(r.sample_local_ns!) >= p.start &&
          BigInt(r.sample_local_ns!) <= p.start + BigInt(changeMs) * MS,
      );
      assert.ok(timeouts.length > 0, `${name}: the sync log records the timeouts within one poll`);
    }
    const staleAfterMs = 3 * POLL_MS + POLL_MS + SLACK_MS; // staleAfterPolls (3) after the last good sample, which is at most a poll old
    const stale = inPhase(phases.dead!, staleAfterMs);
    assert.ok(
      stale.length > 20 && stale.every((r) => r.status === 'stale' && r.ntp === null),
      'dead: stale with an empty value once the last sample is too old',
    );

    // Recovery: ok again within one poll of the server answering.
    for (const name of ['back1', 'back2', 'back3']) {
      const rec = inPhase(phases[name]!, POLL_MS + TIMEOUT_MS + SLACK_MS);
      const bad = rec.filter((r) => !(r.status === 'ok' && Math.abs(offsetMs(r)) < tol));
      if (bad.length)
        process.stdout.write(
          `# ${name}: ${bad.length}/${rec.length} rows not ok: ${bad
            .slice(0, 3)
            .map((r) => `${Number(r.recv - phases[name]!.start) / 1e6} ms ${r.status} ${r.ntp === null ? '' : offsetMs(r).toFixed(3)}`)
            .join('; ')}\n`,
        );
      assert.ok(
        rec.length > 20 && rec.every((r) => r.status === 'ok' && Math.abs(offsetMs(r)) < tol),
        `${name}: recovered to ok, |offset| < 5 ms`,
      );
    }
    // Jump: the data shows the server's 1 s jump within one poll (one server: the client cannot know better).
    const j = inPhase(phases.jump!, POLL_MS + BURST_MS + SLACK_MS);
    assert.ok(
      j.length > 20 && j.every((r) => Math.abs(offsetMs(r) - 1000) < tol),
      'jump: the ntp column follows the server by 1 s within one poll',
    );
  },
);

test('a server jumping by 1 s is flagged in the status (not only in the value) for at least one poll', () => {
  assert.ok(scenario, 'needs the scenario above');
  const p = scenario.phases.jump!;
  const tol = 50 + scenario.steppedMs;
  const firstJumped = scenario.rows.find((r) => r.recv >= p.start && r.ntp !== null && Math.abs(offsetMs(r) - 1000) < tol);
  assert.ok(firstJumped);
  assert.notEqual(firstJumped.status, 'ok', 'the first reading after a 1 s step says the source doubts it');
});

/**
 * A raw UDP "server" that answers every request with something no honest server sends.
 * `mode` is switched by the test; 'honest' answers correctly (to show the client is not just broken).
 */
type HostileMode =
  'wrong-origin' | 'kiss' | 'stratum0' | 'stratum16' | 'zero-transmit' | 'other-address' | 'leap3' | 'garbage' | 'client-mode' | 'honest';
async function hostileNtp(): Promise<{ port: number; set(m: HostileMode): void; close(): void; served: Record<string, number> }> {
  const main = dgram.createSocket('udp4');
  const other = dgram.createSocket('udp4');
  await new Promise<void>((r) => main.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => other.bind(0, '127.0.0.1', r));
  let mode: HostileMode = 'wrong-origin';
  const served: Record<string, number> = {};
  const clock = new HostClock();
  main.on('message', (msg, rinfo) => {
    const req = decodeNtpPacket(msg, MODE_CLIENT);
    if (!req.ok) return;
    served[mode] = (served[mode] ?? 0) + 1;
    clock.followRealtime(); // a server serves the host's realtime as it is now
    const t = unixNsToNtp(clock.nowNs());
    const base = {
      leap: 0,
      version: 4,
      mode: MODE_SERVER,
      stratum: 2,
      poll: 0,
      precision: -20,
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      refId: refIdFromAscii('LOCL'),
      referenceTs: t,
      originTs: req.packet.transmitTs,
      receiveTs: t,
      transmitTs: t,
    };
    let out: Buffer;
    let from = main;
    switch (mode) {
      case 'wrong-origin':
        out = encodeNtpPacket({ ...base, originTs: req.packet.transmitTs ^ 0xffffn });
        break;
      case 'kiss':
        out = encodeNtpPacket({ ...base, stratum: 0, leap: 3, refId: refIdFromAscii('RATE') });
        break;
      case 'stratum0':
        out = encodeNtpPacket({ ...base, stratum: 0, refId: 0 });
        break;
      case 'stratum16':
        out = encodeNtpPacket({ ...base, stratum: 16 });
        break;
      case 'zero-transmit':
        out = encodeNtpPacket({ ...base, transmitTs: 0n });
        break;
      case 'other-address':
        out = encodeNtpPacket(base);
        from = other;
        break;
      case 'leap3':
        out = encodeNtpPacket({ ...base, leap: 3 });
        break;
      case 'garbage':
        out = Buffer.concat([msg.subarray(0, 32), Buffer.from('not an ntp packet')]);
        break; // origin at bytes 24..31 matches, then junk
      case 'client-mode':
        out = encodeNtpPacket({ ...base, mode: MODE_CLIENT });
        break;
      case 'honest':
        out = encodeNtpPacket(base);
        break;
    }
    from.send(out, rinfo.port, rinfo.address);
  });
  return {
    port: main.address().port,
    set: (m) => {
      mode = m;
    },
    close: () => {
      main.close();
      other.close();
    },
    served,
  };
}

test(
  "hostile NTP replies (wrong origin, kiss-o'-death, stratum 0/16, zero transmit, other address, leap 3, garbage, client mode): the worker records no NTP value from them, stays up, and recovers on honest replies",
  { timeout: 60_000 },
  async () => {
    const steps = watchRealtimeSteps();
    const srv = await hostileNtp();
    const live = await liveWorker('T-ntp-hostile', srv.port, false);
    // Kiss-o'-death modes last: RATE backs the client off for 1 poll, stratum 0 with no code for 8.
    const modes: HostileMode[] = [
      'wrong-origin',
      'stratum16',
      'zero-transmit',
      'other-address',
      'leap3',
      'garbage',
      'client-mode',
      'kiss',
      'stratum0',
    ];
    const hostileUntil: bigint[] = [];
    try {
      await sleep(300);
      for (const m of modes) {
        srv.set(m);
        await sleep(900);
      }
      hostileUntil.push(nowNs());
      srv.set('honest');
      await sleep(8 * POLL_MS + 2500); // the stratum-0 backoff (8 polls) runs out, then 3 accepted bursts
    } finally {
      const code = await live.end();
      srv.close();
      assert.equal(code, 0, `worker stayed up:\n${live.stderr()}`);
    }
    for (const m of modes) assert.ok((srv.served[m] ?? 0) > 0, `mode ${m} was exercised (requests served: ${JSON.stringify(srv.served)})`);
    const rows = workerRows(live);
    assertNoInventedValues(rows);
    const hostile = rows.filter((r) => r.recv < hostileUntil[0]!);
    assert.ok(hostile.length > 100);
    assert.deepEqual(
      [...new Set(hostile.map((r) => r.status))].filter((s) => s === 'ok' || s === 'degraded'),
      [],
      'no value from any hostile reply',
    );
    const sync = readCsv(path.join(live.dir, 'results', live.run, 'sync', 'w.csv')).rows.filter(
      (r) => r.source === 'ntp' && BigInt(r.sample_local_ns!) < hostileUntil[0]!,
    );
    assert.equal(sync.filter((r) => r.accepted === '1').length, 0, 'no hostile reply was accepted as a sample');
    const reasons = sync.map((r) => r.reason!).join('\n');
    for (const re of [
      /kiss-o'-death RATE/,
      /kiss-o'-death/,
      /stratum 16|unsynchronised/,
      /zero receive or transmit/,
      /leap indicator 3/,
      /timeout/,
    ])
      assert.match(reasons, re);
    const honest = rows.filter((r) => r.status === 'ok');
    steps.stop();
    const tol = 5 + steps.movedMs();
    assert.ok(
      honest.length > 0 && honest.every((r) => r.recv > hostileUntil[0]! && Math.abs(offsetMs(r)) < tol),
      'honest replies afterwards give ok readings (the client was not just broken)',
    );
  },
);
