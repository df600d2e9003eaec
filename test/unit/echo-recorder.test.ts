import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EchoRecorder, echoRow, PIGGYBACK_EVERY_NS } from '../../src/coordinator/echo-recorder.js';
import { echoAsked, parseEchoMode } from '../../src/coordinator/echo-mode.js';
import { echoColumns } from '../../src/files/columns.js';
import { readEchoSummary } from '../../src/files/echo-summary.js';
import { runDirPaths } from '../../src/files/paths.js';
import { decodeMessage, echoEncoder, eventParts, type EventMessage } from '../../src/protocol/messages.js';
import type { ClockSource, LocalClock, Reading } from '../../src/clock/types.js';
import { Logger } from '../../src/cli/logger.js';
import { tmpDir } from '../support/helpers.js';
import { single } from '../support/echo.js';

const RUN = 'T-echo-recorder';
const KEY = Buffer.alloc(32, 3);
const log = new Logger('coordinator', null, 'error');

/** A coordinator clock that reads mono + 1e18 (so e is known exactly), and a bounded source of ±1 µs around it. */
const clock: LocalClock = { nowNs: () => process.hrtime.bigint() + 10n ** 18n, simulated: false, atMonoNs: (m) => m + 10n ** 18n };
const source = {
  name: 'bounded',
  bounded: true,
  read: (local: bigint): Reading => ({ point_ns: local, lo_ns: local - 1000n, hi_ns: local + 1000n, status: 'ok' }),
} as unknown as ClockSource;

function recorder(dir: string, total = 10, workers = 2): EchoRecorder {
  const paths = runDirPaths(dir);
  return new EchoRecorder({
    runId: RUN,
    key: KEY,
    mode: 'on',
    total,
    workers,
    stamped: [source],
    clock,
    stamp: 'kernel',
    echoCsv: (n) => paths.echoCsv(n),
    summaryFile: paths.echoSummary,
    log,
    onFatal: (e) => {
      throw e;
    },
  });
}

const rowsOf = (file: string): string[][] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

test('echo rows: s, r, h, e, the sources read at e, the truth, the kernel send stamp and the kernel hold; the header matches echoColumns', () => {
  const row = echoRow(
    RUN,
    'w1',
    { seq: 4, r: '55', h: '7' },
    10n,
    90n,
    [{ point_ns: 90n, lo_ns: 80n, hi_ns: 100n, status: 'ok' }],
    null,
    12n,
    9n,
  );
  assert.deepEqual(row, [RUN, 'w1', 4, 4, 10n, '55', '7', 90n, 90n, 80n, 100n, 'ok', null, 12n, 9n]);
  assert.equal(echoColumns(['bounded']).length, row.length);
  assert.deepEqual(echoColumns(['bounded']).slice(4, 8), ['send_local_ns', 'recv_local_ns', 'held_ns', 'echo_recv_local_ns']);
});

test('the recorder keeps the first authentic echo of each (event, node) and counts every other one by reason', async () => {
  const dir = tmpDir('chronoeval-echo-rec-');
  const rec = recorder(dir);
  rec.noteSend(0, 1000n, 1004n, true); // with the kernel's send stamp
  rec.noteSend(1, 2000n, null, false); // sent without ec
  rec.noteSend(2, 3000n, null, true);
  const w1 = single(echoEncoder(RUN, 'w1', KEY));
  const w2 = single(echoEncoder(RUN, 'w2', KEY));
  const mono = 5000n;
  rec.onDatagram(0, w1(0, 1500n, 100n), mono); // accepted
  rec.onDatagram(0, w1(0, 1500n, 100n), mono); // replay: duplicate
  rec.onDatagram(0, single(echoEncoder(RUN, 'w1', Buffer.alloc(32, 4)))(2, 1n, 1n), mono); // foreign key: bad_tag
  rec.onDatagram(0, Buffer.from('{"v":1,"k":"echo"}'), mono); // untagged
  rec.onDatagram(0, w1(1, 1n, 1n), mono); // did not ask: unknown_event
  rec.onDatagram(0, w1(7, 1n, 1n), mono); // never sent: unknown_event
  rec.onDatagram(0, w2(2, 1n, 1n), mono); // another node on w1's socket
  rec.onDatagram(1, w1(2, 1n, 1n), mono); // w1's name on the second socket
  rec.onDatagram(1, single(echoEncoder('other-run', 'w2', KEY))(2, 1n, 1n), mono); // wrong_run
  rec.onDatagram(1, w2(2, 3200n, 50n), null); // accepted, no kernel stamp (counted)
  await rec.close();
  const rows = rowsOf(runDirPaths(dir).echoCsv('w1'));
  assert.deepEqual(rows[0], echoColumns(['bounded']));
  assert.equal(rows.length, 2);
  const e = String(mono + 10n ** 18n);
  assert.deepEqual(rows[1], [
    RUN,
    'w1',
    '0',
    '0',
    '1000',
    '1500',
    '100',
    e,
    e,
    String(mono + 10n ** 18n - 1000n),
    String(mono + 10n ** 18n + 1000n),
    'ok',
    '',
    '1004',
    '', // no follow-up came for its datagram
  ]);
  const w2rows = rowsOf(runDirPaths(dir).echoCsv('w2'));
  assert.equal(w2rows.length, 2);
  assert.equal(w2rows[1]!.at(-1), '', 'no kernel send stamp: empty, never 0');
  const { summary, problems } = readEchoSummary(runDirPaths(dir).echoSummary);
  assert.deepEqual(problems, []);
  assert.deepEqual(summary, {
    mode: 'on',
    asked: 2,
    stamp: 'kernel',
    received_by_node: { w1: 1, w2: 1 },
    rejected: {
      bad_tag: 1,
      untagged: 1,
      bad_json: 0,
      bad_shape: 0,
      wrong_run: 1,
      unknown_version: 0,
      oversize: 0,
      duplicate: 1,
      unknown_event: 2,
      node_mismatch: 2,
      too_old: 0,
    },
    unstamped: 1,
    follow_ups: 0,
  });
});

test("follow-up: the next echo's fu gives the held datagram's rows held_kernel_ns = h + Δ; a mismatched or missing one leaves it empty", async () => {
  const dir = tmpDir('chronoeval-echo-fu-');
  const rec = recorder(dir);
  for (let seq = 0; seq < 4; seq++) rec.noteSend(seq, 1000n * BigInt(seq), null, true);
  const enc = echoEncoder(RUN, 'w1', KEY);
  // datagram A: seq 0 and 1 (holds 300 and 100: t = 300, arrivals 0 and 200)
  rec.onDatagram(
    0,
    enc(
      [
        { seq: 0, rNs: 50n, mono: 0n },
        { seq: 1, rNs: 250n, mono: 200n },
      ],
      300n,
    )[0]!,
    5000n,
  );
  // datagram B: seq 2, carrying A's follow-up (its kernel stamp 40 ns after t)
  rec.onDatagram(0, enc([{ seq: 2, rNs: 2050n, mono: 0n }], 70n, { seq: 0, deltaNs: 40n })[0]!, 6000n);
  // datagram C: seq 3 with a follow-up naming a datagram that is not B's: B's cell stays empty
  rec.onDatagram(0, enc([{ seq: 3, rNs: 3050n, mono: 0n }], 20n, { seq: 1, deltaNs: 5n })[0]!, 7000n);
  await rec.close(); // C: no follow-up will come
  const rows = rowsOf(runDirPaths(dir).echoCsv('w1'));
  const col = (name: string) => rows[0]!.indexOf(name);
  const byS = Object.fromEntries(rows.slice(1).map((r) => [r[col('seq')], [r[col('held_ns')], r[col('held_kernel_ns')]]]));
  assert.deepEqual(byS, { '0': ['300', '340'], '1': ['100', '140'], '2': ['70', ''], '3': ['20', ''] });
  assert.equal(readEchoSummary(runDirPaths(dir).echoSummary).summary!.follow_ups, 1);
  // the decoder takes a follow-up [seq, Δ ≥ 0] and refuses any other shape
  const plain = echoEncoder(RUN, 'w1', null);
  const ok = decodeMessage(plain([{ seq: 9, rNs: 1n, mono: 0n }], 1n, { seq: 8, deltaNs: 12n })[0]!, RUN, null);
  assert.ok(ok.ok && ok.msg.k === 'echo' && JSON.stringify(ok.msg.fu) === '[8,"12"]');
  for (const bad of ['[1,"-5"]', '[1]', '["1","5"]', '[1,5]']) {
    const text = plain([{ seq: 9, rNs: 1n, mono: 0n }], 1n)[0]!
      .toString()
      .replace('"x":', `"fu":${bad},"x":`);
    const d = decodeMessage(Buffer.from(text), RUN, null);
    assert.deepEqual(d.ok ? null : [d.reason, d.detail], ['bad_shape', 'fu'], bad);
  }
});

test('piggyback: at most one per worker per 50 ms, the 2 smallest δ = (e − s) − h, decodable as eb', async () => {
  const dir = tmpDir('chronoeval-echo-pig-');
  const rec = recorder(dir, 10, 1);
  const w1 = single(echoEncoder(RUN, 'w1', KEY));
  for (let seq = 0; seq < 4; seq++) rec.noteSend(seq, 1000n * BigInt(seq), null, true);
  const base = 10n ** 18n;
  // e = mono + base; δ = e − s − h: seq 0 → 900, seq 1 → 300, seq 2 → 600, seq 3 → 200
  const deltas = [900n, 300n, 600n, 200n];
  for (let seq = 0; seq < 4; seq++) {
    const s = 1000n * BigInt(seq);
    const h = 10n;
    rec.onDatagram(0, w1(seq, 77n, h), s + deltas[seq]! + h - base);
  }
  const now = 10n ** 12n;
  assert.equal(rec.piggybackDue(now), true);
  const parts = eventParts(RUN, ['bounded'], KEY);
  const open = parts.open(9, [{ point_ns: 1n, lo_ns: 0n, hi_ns: 2n, status: 'ok' }], null, true);
  const sfx = rec.piggyback(0, now, open.length);
  assert.ok(sfx !== null);
  const d = decodeMessage(parts.seal(open, sfx), RUN, KEY);
  assert.ok(d.ok);
  const eb = (d.msg as EventMessage).eb!;
  assert.deepEqual(
    eb.map((x) => x[0]),
    [3, 1],
  );
  assert.deepEqual(eb[0], [3, '3000', String(3000n + 200n + 10n), '77', '10']);
  // Nothing left, and too soon for another one.
  assert.equal(rec.piggybackDue(now + 1n), false);
  rec.noteSend(4, 4000n, null, true);
  rec.onDatagram(0, w1(4, 77n, 10n), 5000n - base);
  assert.equal(rec.piggyback(0, now + PIGGYBACK_EVERY_NS - 1n, open.length), null);
  assert.ok(rec.piggyback(0, now + PIGGYBACK_EVERY_NS, open.length) !== null);
  // No room in the datagram: no piggyback, the arrivals wait.
  rec.noteSend(5, 5000n, null, true);
  rec.onDatagram(0, w1(5, 77n, 10n), 6000n - base);
  assert.equal(rec.piggyback(0, now + 3n * PIGGYBACK_EVERY_NS, 1190), null);
  assert.ok(rec.piggyback(0, now + 3n * PIGGYBACK_EVERY_NS, open.length) !== null);
  await rec.close();
});

test('echoes beyond the window of recent sends are too_old, not unknown', async () => {
  const dir = tmpDir('chronoeval-echo-old-');
  const rec = recorder(dir, 4, 1); // a window of 4 sends
  for (let seq = 0; seq < 6; seq++) rec.noteSend(seq, BigInt(seq), null, true);
  const w1 = single(echoEncoder(RUN, 'w1', KEY));
  rec.onDatagram(0, w1(1, 1n, 1n), 1n);
  rec.onDatagram(0, w1(2, 1n, 1n), 1n);
  await rec.close();
  const { summary } = readEchoSummary(runDirPaths(dir).echoSummary);
  assert.equal(summary!.rejected!.too_old, 1);
  assert.deepEqual(summary!.received_by_node, { w1: 1 });
});

test('--echo modes: on, off, N; anything else is an error echoing the value', () => {
  assert.equal(parseEchoMode('on'), 'on');
  assert.equal(parseEchoMode('off'), 'off');
  assert.equal(parseEchoMode('1'), 'on');
  assert.deepEqual(parseEchoMode('10'), { every: 10 });
  assert.deepEqual(parseEchoMode(3), { every: 3 });
  for (const bad of ['0', '-3', '2.5', 'sometimes', '', true, ['on', 'off']])
    assert.throws(
      () => parseEchoMode(bad),
      (e: Error) => e.message.startsWith('--echo ') && /use on, off or a whole number/.test(e.message),
    );
  assert.throws(() => parseEchoMode('sometimes'), /'sometimes'/);
  assert.deepEqual(
    [0, 1, 2, 3, 6].filter((s) => echoAsked({ every: 3 }, s)),
    [0, 3, 6],
  );
  assert.equal(echoAsked('off', 0), false);
});

test('the echo summary reader keeps well-typed fields and names the rest', () => {
  const dir = tmpDir('chronoeval-echo-sum-');
  const f = path.join(dir, 'summary.json');
  writeFileSync(f, JSON.stringify({ mode: { every: 0 }, asked: 'x', stamp: 'user', received_by_node: { w1: 3 }, rejected: {}, extra: 1 }));
  const r = readEchoSummary(f);
  assert.deepEqual(r.summary, { stamp: 'user', received_by_node: { w1: 3 }, rejected: {} });
  assert.equal(r.problems.length, 2);
  writeFileSync(f, '{');
  assert.equal(readEchoSummary(f).summary, null);
});

test('a coalesced datagram: each record judged on its own, all rows with the one arrival e, each with its own h', async () => {
  const dir = tmpDir('chronoeval-echo-batch-');
  const rec = recorder(dir, 10, 1);
  for (let seq = 0; seq < 4; seq++) rec.noteSend(seq, 1000n * BigInt(seq), null, seq !== 2);
  const w1 = echoEncoder(RUN, 'w1', KEY);
  const t = 9000n;
  const x = (seq: number, mono: bigint) => ({ seq, rNs: 100n + BigInt(seq), mono });
  rec.onDatagram(0, w1([x(0, 1000n)], t)[0]!, 20n); // accepted alone
  // seq 0 again (duplicate), 1 (accepted), 2 (did not ask), 3 (accepted), 9 (never sent)
  rec.onDatagram(0, w1([x(0, 1000n), x(1, 2000n), x(2, 3000n), x(3, 4000n), x(9, 5000n)], t)[0]!, 30n);
  await rec.close();
  const rows = rowsOf(runDirPaths(dir).echoCsv('w1')).slice(1);
  assert.deepEqual(
    rows.map((r) => [r[3], r[6], r[7]]),
    [
      ['0', '8000', String(20n + 10n ** 18n)],
      ['1', '7000', String(30n + 10n ** 18n)],
      ['3', '5000', String(30n + 10n ** 18n)],
    ],
  );
  const { summary } = readEchoSummary(runDirPaths(dir).echoSummary);
  assert.deepEqual(summary!.received_by_node, { w1: 3 });
  assert.equal(summary!.rejected!.duplicate, 1);
  assert.equal(summary!.rejected!.unknown_event, 2);
});
