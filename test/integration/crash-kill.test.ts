// SIGKILL a real worker or coordinator at a random moment of a real run (seeded: the seed is
// printed, CRASH_SEED=<n> replays it). After every kill:
//   - every file left behind parses, and `analyzeRun` reads the run (a torn line is reported);
//   - at most one batch interval (100 ms, plus scheduling slack on a loaded machine) of rows is lost;
//   - a worker restarted with the same run id and node appends below its old rows (never truncates,
//     header written once), and the events it missed show up as one gap with its interval.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import path from 'node:path';
import { existsSync, readFileSync, truncateSync, statSync } from 'node:fs';
import { startRole, withTimeout, type RoleProcess } from '../../src/scenario/child.js';
import { encodeMessage, decodeMessage, type Message } from '../../src/protocol/messages.js';
import { analyzeRun } from '../../analysis/index.js';
import { tmpDir } from '../support/helpers.js';
import { readCsv, rng, seedFrom, sleep, writeKey } from '../support/reliability.js';

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 6);
const RATE = 100; // events/s
const DURATION_S = 2.5;
const BATCH_MS = 100; // BatchedCsvWriter flush interval used by worker and coordinator
const SLACK_MS = Number(process.env.CRASH_SLACK_MS ?? 150); // timer + fsync latency on a shared 2-core machine
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

interface Ctx {
  results: string;
  logs: string;
  keyFile: string;
  key: Buffer;
}

function role(name: string, args: string[], c: Ctx, runId: string): RoleProcess {
  const p = startRole(
    name,
    [...args, '--run-id', runId, '--results-dir', c.results, '--logs-dir', c.logs, '--key-file', c.keyFile, '--log-level', 'error'],
    { forwardStderr: false },
  );
  // Keep stderr so that an unexpected exit says why.
  let err = '';
  p.child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  p.listening.catch(() => {});
  p.listening = p.listening.catch(async (e: Error) => {
    await p.exited;
    throw new Error(`${e.message}\n${err}`);
  });
  p.listening.catch(() => {}); // coordinators never listen: only awaited for workers
  return p;
}
const workerArgs = (port: number): string[] => [
  'worker',
  '--node',
  'w',
  '--bind',
  '127.0.0.1',
  '--port',
  String(port),
  '--sources',
  'system',
];
const coordArgs = (port: number): string[] => [
  'coordinator',
  '--workers',
  `127.0.0.1:${port}`,
  '--rate',
  String(RATE),
  '--duration-s',
  String(DURATION_S),
  '--sources',
  'system',
  '--end-timeout-s',
  '20',
  '--ready-timeout-s',
  '30',
];

/**
 * Cut the last data line of a CSV in the middle, as a write torn by power loss would. Returns its
 * seq, or null if there is no data line.
 */
function tearLastLine(file: string, r: ReturnType<typeof rng>): number | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  if (lines.length < 2 || !text.endsWith('\n')) return null;
  const last = lines[lines.length - 1]!;
  const seqCol = lines[0]!.split(',').indexOf('seq');
  const seq = Number(last.split(',')[seqCol]);
  truncateSync(file, statSync(file).size - 1 - (1 + r.int(last.length - 1))); // drop the newline and 1..len-1 characters
  return seq;
}

/** Runs of consecutive integers in a sorted list, e.g. [3,4,5,9] → [[3,5],[9,9]]. */
function runsOf(xs: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && x === last[1] + 1) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

async function killWorkerThenRestart(
  t: TestContext,
  c: Ctx,
  runId: string,
  killAfterMs: number,
  tear: boolean,
  r: ReturnType<typeof rng>,
): Promise<number> {
  const runDir = path.join(c.results, runId);
  const csvFile = path.join(runDir, 'workers', 'w.csv');
  const w1 = role('worker', workerArgs(0), c, runId);
  const port = await withTimeout(w1.listening, 20_000, 'worker start');
  const coord = role('coordinator', coordArgs(port), c, runId);
  await sleep(killAfterMs);
  const killNs = nowNs();
  w1.child.kill('SIGKILL');
  await w1.exited;
  let tornSeq: number | null = null;
  if (tear) tornSeq = tearLastLine(csvFile, r);
  const life1 = existsSync(csvFile) ? readFileSync(csvFile) : Buffer.alloc(0);
  const before = readCsv(csvFile);
  for (const row of before.rows) assert.equal(row.run_id, runId, 'life-1 rows parse');

  // Restart on the same port (the coordinator keeps sending there), same run id and node.
  const w2 = role('worker', workerArgs(port), c, runId);
  await withTimeout(w2.listening, 20_000, 'worker restart');
  const restartNs = nowNs();
  const cExit = await withTimeout(coord.exited, 40_000, 'coordinator exit');
  const w2Exit = await withTimeout(w2.exited, 10_000, 'restarted worker exit');
  assert.equal(cExit.code, 0, 'the coordinator finished the run and got a bye from the restarted worker');
  assert.equal(w2Exit.code, 0);

  // Appended, never truncated: the old bytes are still the file's first bytes.
  const after = readFileSync(csvFile);
  if (life1.length > 0) {
    assert.ok(after.subarray(0, life1.length).equals(life1), 'the restarted worker kept every byte of the first life');
    if (life1[life1.length - 1] !== 0x0a) assert.equal(after[life1.length], 0x0a, 'the torn line was ended before appending');
  }
  const headerLine = after.toString('utf8').split('\n')[0]!;
  assert.equal(
    after
      .toString('utf8')
      .split('\n')
      .filter((l) => l === headerLine).length,
    1,
    'header written once',
  );

  const sent = readCsv(path.join(runDir, 'coordinator.csv')).rows.map((x) => ({ seq: Number(x.seq), ns: BigInt(x.send_local_ns!) }));
  const got = readCsv(csvFile);
  assert.equal(got.torn, null);
  assert.equal(got.malformed.length, tornSeq === null ? 0 : 1, 'only the line we tore is malformed');
  const have = new Set(got.rows.map((x) => Number(x.seq)));
  assert.equal(have.size, got.rows.length, 'no event recorded twice');
  const missing = sent.filter((e) => !have.has(e.seq));
  // Loss bound: whatever was sent more than one batch interval (+ slack) before the kill is on disk.
  const boundNs = BigInt(BATCH_MS + SLACK_MS) * 1_000_000n;
  let worstMs = 0;
  for (const e of missing) {
    if (e.seq === tornSeq) continue; // torn by the test itself, not by the kill
    if (e.ns < killNs) worstMs = Math.max(worstMs, Number(killNs - e.ns) / 1e6);
    assert.ok(e.ns > killNs - boundNs, `event ${e.seq} sent ${Number(killNs - e.ns) / 1e6} ms before the kill is missing`);
  }
  // Everything sent once the restarted worker listened is there.
  for (const e of sent) if (e.ns > restartNs + 50_000_000n) assert.ok(have.has(e.seq), `event ${e.seq} sent after the restart is missing`);
  // The gap is one run of consecutive events, reported with its interval.
  const gaps = runsOf(missing.map((e) => e.seq));
  assert.ok(gaps.length <= 1, `missing events form one gap, got ${JSON.stringify(gaps)}`);
  if (gaps.length) {
    const [a, b] = gaps[0]!;
    const ta = sent.find((e) => e.seq === a)!.ns;
    const tb = sent.find((e) => e.seq === b)!.ns;
    t.diagnostic(
      `gap: seq ${a}..${b} (${b - a + 1} events) sent ${Number(ta - killNs) / 1e6} .. ${Number(tb - killNs) / 1e6} ms around the kill; worker down ${Number(restartNs - killNs) / 1e6} ms`,
    );
  }
  // Analysis reads the run and agrees on what was lost; a tear is reported, not swallowed.
  const a = await analyzeRun(runDir);
  const wd = a.stats.delivery.workers.find((x) => x.node === 'w')!;
  assert.equal(wd.lost, missing.length, 'analysis counts the gap as lost events');
  const input = a.stats.inputs.files.find((x) => x.role === 'worker' && x.node === 'w')!;
  assert.equal(input.skipped_rows, tornSeq === null ? 0 : 1);
  if (tornSeq !== null)
    assert.ok(
      a.warnings.some((m) => m.includes('workers/w.csv')),
      `tear reported: ${a.warnings.join(' | ')}`,
    );
  return worstMs;
}

async function killCoordinator(
  t: TestContext,
  c: Ctx,
  runId: string,
  killAfterMs: number,
  tear: boolean,
  r: ReturnType<typeof rng>,
): Promise<number> {
  const runDir = path.join(c.results, runId);
  const coordFile = path.join(runDir, 'coordinator.csv');
  const w = role('worker', workerArgs(0), c, runId);
  const port = await withTimeout(w.listening, 20_000, 'worker start');
  const coord = role('coordinator', coordArgs(port), c, runId);
  await sleep(killAfterMs);
  const killNs = nowNs();
  coord.child.kill('SIGKILL');
  await coord.exited;
  // The worker outlives its coordinator; end it by hand (as an operator would) and it flushes.
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  const bye = new Promise<void>((res) =>
    s.on('message', (b) => {
      const d = decodeMessage(b, runId, c.key);
      if (d.ok && d.msg.k === 'bye') res();
    }),
  );
  const end = encodeMessage({ v: 1, k: 'end', run: runId } as Message, c.key);
  s.send(end, port, '127.0.0.1');
  await withTimeout(bye, 10_000, 'worker bye');
  s.close();
  assert.equal((await withTimeout(w.exited, 10_000, 'worker exit')).code, 0);

  const tornSeq = tear ? tearLastLine(coordFile, r) : null;
  const coordCsv = readCsv(coordFile);
  const logged = coordCsv.rows.map((x) => Number(x.seq));
  assert.deepEqual(
    logged,
    logged.map((_, i) => i),
    'coordinator rows are a prefix of the schedule',
  );
  const recv = readCsv(path.join(runDir, 'workers', 'w.csv')).rows.map((x) => ({ seq: Number(x.seq), ns: BigInt(x.recv_local_ns!) }));
  assert.deepEqual(
    recv.map((x) => x.seq),
    recv.map((_, i) => i),
    'the worker got every event in order',
  );
  const loggedSet = new Set(logged);
  const boundNs = BigInt(BATCH_MS + SLACK_MS) * 1_000_000n;
  let worstMs = 0;
  for (const e of recv) {
    if (loggedSet.has(e.seq) || e.seq === tornSeq) continue;
    worstMs = Math.max(worstMs, Number(killNs - e.ns) / 1e6);
    assert.ok(
      e.ns > killNs - boundNs,
      `event ${e.seq} (received ${Number(killNs - e.ns) / 1e6} ms before the kill) has no coordinator row`,
    );
  }
  t.diagnostic(
    `coordinator killed after ${logged.length} logged / ${recv.length} delivered events${tornSeq !== null ? `, last line torn (seq ${tornSeq})` : ''}`,
  );

  if (!existsSync(coordFile) || statSync(coordFile).size === 0) {
    // Killed before its first fsync: nothing to analyse, and analysis says so plainly.
    await assert.rejects(analyzeRun(runDir), /coordinator\.csv/);
    return worstMs;
  }
  const a = await analyzeRun(runDir);
  assert.equal(a.stats.delivery.events_sent, logged.length);
  const input = a.stats.inputs.files.find((x) => x.role === 'coordinator')!;
  assert.equal(input.torn_tail, tornSeq !== null, 'a torn last line is reported');
  return worstMs;
}

test(
  `SIGKILL at random moments (${ITERATIONS} iterations): files stay readable, at most one batch interval lost, restarts append`,
  { timeout: 110_000 },
  async (t) => {
    const seed = seedFrom('CRASH_SEED', 'crash-kill');
    const dir = tmpDir('chronoeval-crash-');
    const { key, keyFile } = writeKey(dir);
    const c: Ctx = { results: path.join(dir, 'results'), logs: path.join(dir, 'logs'), keyFile, key };
    const worst = { worker: 0, coordinator: 0 };
    const started = Date.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const r = rng((seed + i * 0x9e3779b9) >>> 0); // one stream per iteration: each replays on its own
      const victim = i % 2 === 0 ? 'worker' : 'coordinator';
      const killAfterMs = r.int(Math.round(DURATION_S * 1000) + 500);
      const tear = r.int(2) === 1;
      const runId = `T-crash-${seed}-${i}`;
      await t.test(
        `iteration ${i} (seed ${seed}): SIGKILL ${victim} ${killAfterMs} ms after the coordinator started${tear ? ', then tear the last line' : ''}`,
        async (st) => {
          const ms =
            victim === 'worker'
              ? await killWorkerThenRestart(st, c, runId, killAfterMs, tear, r)
              : await killCoordinator(st, c, runId, killAfterMs, tear, r);
          worst[victim] = Math.max(worst[victim], ms);
        },
      );
    }
    t.diagnostic(
      `worst rows-at-risk window seen: worker ${worst.worker.toFixed(0)} ms, coordinator ${worst.coordinator.toFixed(0)} ms (bound ${BATCH_MS}+${SLACK_MS} ms); total ${Date.now() - started} ms`,
    );
  },
);

test('a worker restarted with the same run id and node rejects replays of events its first life already recorded', async () => {
  const dir = tmpDir('chronoeval-crash-');
  const { key, keyFile } = writeKey(dir);
  const c: Ctx = { results: path.join(dir, 'results'), logs: path.join(dir, 'logs'), keyFile, key };
  const runId = 'T-crash-replay';
  const ev = (seq: number): Buffer => encodeMessage({ v: 1, k: 'ev', run: runId, id: seq, seq, st: {} } as Message, key);
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  try {
    const w1 = role('worker', workerArgs(0), c, runId);
    const port = await withTimeout(w1.listening, 20_000, 'worker start');
    const first = Array.from({ length: 10 }, (_, i) => ev(i));
    for (const b of first) s.send(b, port, '127.0.0.1');
    await sleep(400); // > one batch interval: the 10 rows are on disk
    w1.child.kill('SIGKILL');
    await w1.exited;
    const w2 = role('worker', workerArgs(port), c, runId);
    await withTimeout(w2.listening, 20_000, 'worker restart');
    for (const b of first) s.send(b, port, '127.0.0.1'); // replays of the first life
    for (let i = 10; i < 20; i++) s.send(ev(i), port, '127.0.0.1'); // new events
    await sleep(300);
    s.send(encodeMessage({ v: 1, k: 'end', run: runId } as Message, key), port, '127.0.0.1');
    assert.equal((await withTimeout(w2.exited, 10_000, 'worker exit')).code, 0);
    const seqs = readCsv(path.join(c.results, runId, 'workers', 'w.csv')).rows.map((x) => Number(x.seq));
    assert.deepEqual(
      seqs,
      Array.from({ length: 20 }, (_, i) => i),
      'each event once: first-life events are not recorded again',
    );
  } finally {
    s.close();
  }
});
