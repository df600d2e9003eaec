// The join must keep every row of a run whatever the order of its files: commit-wait rows at the
// longest re-estimation delay (their first row comes `delay` seconds into the run) and worker rows
// after a stray row far ahead (one forged datagram in --insecure mode, a corrupted seq). The runs
// are written in the order the real writers produce: worker rows in arrival order, commit-wait
// rows as CommitWaitScheduler emits them (every 200 ms tick: each delay in ascending order, the
// events whose delay has passed, one row per source), the rest at once when the worker drains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { declaredDelays, scanDelays } from '../../analysis/load/reest-delays.js';
import type { Stats } from '../../analysis/stats/types.js';
import { COMMIT_WAIT_COLUMNS, coordinatorColumns, workerColumns } from '../../src/files/columns.js';
import { Prng } from '../../src/sim/prng.js';
import { tmpDir } from '../support/helpers.js';

const T0_SEC = 1_763_740_800;
const SOURCES = ['system', 'bounded', 'clockbound'];
const REEST = ['bounded', 'clockbound'];

function absNs(rel: number): string {
  const r = Math.round(rel);
  const sec = Math.floor(r / 1e9);
  return `${T0_SEC + sec}${String(r - sec * 1e9).padStart(9, '0')}`;
}

/** A row put into a file after its k-th data row (before any), as the file's writer would. */
interface Insert {
  file: 'coordinator' | 'worker' | 'commit_wait';
  after: number;
  line: (header: string) => string;
}

interface RunSpec {
  rate: number;
  events: number;
  delays: number[];
  seed: number;
  workers?: number;
  /** Where the delays are recorded: the worker summary, the manifest, or nowhere (the file is scanned). */
  record?: 'summary' | 'manifest' | 'none';
  /** Events a worker receives that the coordinator never sent (forged), with the arrival index they come at. */
  forged?: { seq: number; at: number }[];
  inserts?: Insert[];
  /** Write commit_wait/ files (default true). */
  commitWait?: boolean;
}

interface Arrival {
  seq: number;
  t: number;
}

function writeRun(spec: RunSpec): string {
  const dir = path.join(tmpDir('chronoeval-join-'), 'run');
  const rnd = new Prng(spec.seed);
  const nodes = Array.from({ length: spec.workers ?? 2 }, (_, i) => `w${i + 1}`);
  const period = 1e9 / spec.rate;
  const cell = (t: number, hw: number) => `${absNs(t)},${absNs(t - hw)},${absNs(t + hw)},ok`;
  const coord = [coordinatorColumns(SOURCES, false).join(',')];
  for (let e = 0; e < spec.events; e++) {
    const t = 2e9 + e * period;
    coord.push(`r,${e},${e},${absNs(t)},${absNs(t)},,,ok,${cell(t, 1e6)},${cell(t, 2e6)},${absNs(t)}`);
  }
  const files: Record<string, string[]> = { coordinator: coord };
  nodes.forEach((node, w) => {
    // arrivals: 1 % lost, 0.1–0.6 ms on the way, so neighbours sometimes swap
    const arrivals: Arrival[] = [];
    for (let e = 0; e < spec.events; e++) {
      if (rnd.next() < 0.01) continue;
      arrivals.push({ seq: e, t: 2e9 + e * period + 1e5 + rnd.next() * 5e5 });
    }
    arrivals.sort((a, b) => a.t - b.t);
    for (const f of spec.forged ?? []) arrivals.splice(f.at, 0, { seq: f.seq, t: arrivals[f.at]!.t });
    const rows = [workerColumns(SOURCES).join(',')];
    // widths from the seq, not the generator, so that an added row changes no other row
    const spread = (seq: number, k: number) => ((seq * 7919 + w * 104_729 + k * 31) % 1000) / 1000;
    for (const a of arrivals) {
      const hw = 3e5 + spread(a.seq, 0) * 3e5;
      rows.push(`r,${node},${a.seq},${a.seq},${absNs(a.t)},${absNs(a.t + 2e5)},,,ok,${cell(a.t, hw)},${cell(a.t, hw * 2)},${absNs(a.t)}`);
    }
    const cw = [COMMIT_WAIT_COLUMNS.join(',')];
    const emit = (a: Arrival, d: number, now: number) => {
      for (const s of REEST) {
        const hw = (1e5 + spread(a.seq, d) * 2e5) * (s === 'clockbound' ? 2 : 1);
        cw.push(
          `r,${node},${a.seq},${a.seq},${s},${d},${absNs(a.t)},${absNs(now)},${absNs(a.t)},${absNs(a.t - hw)},${absNs(a.t + hw)},ok,${absNs(a.t)}`,
        );
      }
    };
    const cursor = spec.delays.map(() => 0);
    const last = arrivals[arrivals.length - 1]!.t;
    for (let now = arrivals[0]!.t + spread(w, 9) * 2e8; now < last + 0.5e9; now += 2e8) {
      spec.delays.forEach((d, i) => {
        while (cursor[i]! < arrivals.length && arrivals[cursor[i]!]!.t + d * 1e9 <= now) emit(arrivals[cursor[i]!++]!, d, now);
      });
    }
    spec.delays.forEach((d, i) => {
      while (cursor[i]! < arrivals.length) emit(arrivals[cursor[i]!++]!, d, last + 0.5e9);
    }); // drain
    files[`worker:${node}`] = rows;
    if (spec.commitWait !== false) files[`commit_wait:${node}`] = cw;
    if ((spec.record ?? 'summary') === 'summary') {
      writeFile(path.join(dir, 'workers', `${node}.summary.json`), [
        JSON.stringify({ node_id: node, commit_wait: { delays_s: spec.delays, sources: REEST } }),
      ]);
    }
  });
  if (spec.record === 'manifest')
    writeFile(path.join(dir, 'manifest.json'), [JSON.stringify({ run_id: 'run', config: { commit_wait_s: spec.delays } })]);
  for (const ins of spec.inserts ?? []) {
    for (const [key, rows] of Object.entries(files)) {
      if (key.split(':')[0] !== ins.file) continue;
      rows.splice(ins.after + 1, 0, ins.line(rows[0]!));
    }
  }
  for (const [key, rows] of Object.entries(files)) {
    const [kind, node] = key.split(':');
    const file = kind === 'coordinator' ? 'coordinator.csv' : kind === 'worker' ? `workers/${node}.csv` : `commit_wait/${node}.csv`;
    writeFile(path.join(dir, file), rows);
  }
  return dir;
}

function writeFile(file: string, lines: string[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
}

/** Commit-wait rows used per (source, node, delay), from stats.json. */
function reestRows(stats: Stats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of stats.commit_wait) for (const r of c.reestimated) out[`${c.source}/${c.node ?? '*'}/${r.delay_s}`] = r.rows;
  return out;
}

/** The metric sections, which a stray row must leave exactly as they are without it. */
function metrics(stats: Stats): string {
  const { causality, ordering, windows, coordination, commit_wait, bound_quality } = stats;
  return JSON.stringify({ causality, ordering, windows, coordination, commit_wait, bound_quality });
}

async function analyze(dir: string): Promise<Stats> {
  return (await analyzeRun(dir, { threads: false })).stats;
}

for (const c of [
  { rate: 50, events: 1000, delays: [1, 10] },
  { rate: 2000, events: 8000, delays: [1, 3] },
  { rate: 500, events: 4000, delays: [1, 3] },
]) {
  test(`every commit-wait row is joined: ${c.rate} ev/s, delays ${c.delays.join(' s and ')} s (several seeds, delays from the summary, the manifest or the file)`, async () => {
    for (const [seed, record] of [
      [1, 'summary'],
      [2, 'manifest'],
      [3, 'none'],
    ] as const) {
      const dir = writeRun({ ...c, seed, record });
      const { stats, warnings } = await analyzeRun(dir, { threads: false });
      const label = `seed ${seed}, delays from ${record}`;
      const rows = reestRows(stats);
      for (const w of stats.delivery.workers) {
        for (const s of REEST)
          for (const d of c.delays) assert.equal(rows[`${s}/${w.node}/${d}`], w.received, `${label}: ${s} ${w.node} at ${d} s`);
      }
      assert.equal(stats.inputs.join.late_commit_wait_rows, 0, label);
      assert.equal(stats.inputs.join.late_rows, 0, label);
      assert.deepEqual(
        warnings.filter((m) => /commit_wait/.test(m)),
        [],
        label,
      );
      assert.deepEqual(stats.reestimation_delays_s, c.delays, label);
    }
  });
}

test('one worker row with a far-out seq (an event never sent) is counted as unknown and moves nothing', async () => {
  for (const [seed, commitWait] of [
    [11, false],
    [12, true],
    [13, false],
  ] as const) {
    const clean = await analyze(writeRun({ rate: 200, events: 4000, delays: [1, 3], seed, commitWait }));
    for (const forged of [
      { seq: 999_001, at: 1000 },
      { seq: 4003, at: 500 },
    ]) {
      const stats = await analyze(writeRun({ rate: 200, events: 4000, delays: [1, 3], seed, commitWait, forged: [forged] }));
      const label = `seed ${seed}, seq ${forged.seq}, ${commitWait ? 'with' : 'without'} commit-wait files`;
      assert.equal(stats.inputs.join.late_rows, 0, label);
      // the join still holds only the events in flight (3 s of re-estimation delay = 600 events), not the run
      assert.ok(
        stats.inputs.join.max_events_in_flight <= (commitWait ? 1500 : 1000),
        `${label}: ${stats.inputs.join.max_events_in_flight} events in flight`,
      );
      assert.equal(stats.inputs.join.late_commit_wait_rows, 0, label);
      assert.deepEqual(
        stats.delivery.workers.map((w) => w.unknown_events),
        [1, 1],
        label,
      );
      assert.deepEqual(
        stats.delivery.workers.map((w) => w.received),
        clean.delivery.workers.map((w) => w.received),
        label,
      );
      assert.ok(
        stats.inputs.warnings.some((m) => /w1: 1 rows for events the coordinator never sent \(unknown_events\)/.test(m)),
        label,
      );
      assert.equal(metrics(stats), metrics(clean), `${label}: the metrics are those of the run without the row`);
    }
  }
});

test("a forged row for an event sent later (in the coordinator's range) does not fold the events before it early", async () => {
  const stats = await analyze(
    writeRun({ rate: 200, events: 8000, delays: [1, 3], seed: 21, commitWait: false, forged: [{ seq: 7000, at: 400 }] }),
  );
  assert.equal(stats.inputs.join.late_rows, 0);
  assert.ok(stats.inputs.join.max_events_in_flight <= 1000, `${stats.inputs.join.max_events_in_flight} events in flight`);
  assert.equal(stats.inputs.join.late_commit_wait_rows, 0);
  // the forged copy is the worker's row for 24,000; the genuine one is a duplicate (as the worker would have kept the first)
  assert.ok(stats.delivery.workers.every((w) => w.duplicates <= 1 && w.unknown_events === 0));
  assert.ok(
    stats.delivery.workers.every((w) => w.received >= 7800),
    JSON.stringify(stats.delivery.workers.map((w) => w.received)),
  );
});

test('a repeated header line and a negative seq are skipped with a warning naming file and line', async () => {
  const spec: RunSpec = { rate: 200, events: 3000, delays: [1, 3], seed: 31 };
  const clean = await analyze(writeRun(spec));
  const fill: Record<string, string> = { run_id: 'r', node_id: 'w1', source: 'bounded', delay_s: '1', status: 'ok' };
  const bad = (seq: number) => (h: string) =>
    h
      .split(',')
      .map((c) => (c === 'seq' || c === 'event_id' ? String(seq) : (fill[c] ?? (c.endsWith('_status') ? 'ok' : absNs(3e9)))))
      .join(',');
  const { stats, warnings } = await analyzeRun(
    writeRun({
      ...spec,
      inserts: [
        { file: 'coordinator', after: 1000, line: (h) => h },
        { file: 'worker', after: 700, line: (h) => h },
        { file: 'commit_wait', after: 900, line: (h) => h },
        { file: 'worker', after: 1500, line: bad(-5) },
        { file: 'coordinator', after: 2000, line: bad(-7) },
        { file: 'commit_wait', after: 1800, line: bad(-9) },
      ],
    }),
    { threads: false },
  );
  for (const [file, line] of [
    ['coordinator.csv', 1002],
    ['workers/w1.csv', 702],
    ['commit_wait/w1.csv', 902],
    ['workers/w2.csv', 702],
  ] as const) {
    assert.ok(
      warnings.includes(`${file}: line ${line}: a repeated header line; row skipped`),
      `${file} line ${line}:\n${warnings.join('\n')}`,
    );
  }
  assert.ok(
    warnings.includes('workers/w1.csv: line 1502: column seq = -5 is negative (sequence numbers count from 0); row skipped'),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.includes('coordinator.csv: line 2002: column seq = -7 is negative (sequence numbers count from 0); row skipped'),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.includes('commit_wait/w1.csv: line 1802: column seq = -9 is negative (sequence numbers count from 0); row skipped'),
    warnings.join('\n'),
  );
  const w1 = stats.inputs.files.find((f) => f.path === 'workers/w1.csv')!;
  assert.equal(w1.skipped_rows, 2);
  assert.equal(stats.delivery.events_sent, clean.delivery.events_sent);
  assert.deepEqual(
    stats.delivery.workers.map((w) => [w.received, w.unknown_events]),
    clean.delivery.workers.map((w) => [w.received, 0]),
  );
  assert.equal(metrics(stats), metrics(clean));
});

test('declared delays: the worker summary first, then the manifest, else the file (a stray delay left out)', async () => {
  const dir = tmpDir('chronoeval-delays-');
  const file = path.join(dir, 'cw.csv');
  const rows = [COMMIT_WAIT_COLUMNS.join(',')];
  for (let e = 0; e < 200; e++) for (const d of [2, 30]) rows.push(`r,w,${e},${e},bounded,${d},1,2,3,4,5,ok,6`);
  rows.push('r,w,7,7,bounded,7,1,2,3,4,5,ok,6', 'r,w,8,8,bounded,,1,2,3,4,5,ok,6');
  writeFile(file, rows);
  assert.deepEqual(await scanDelays(file, 'cw.csv'), [2, 30]);
  assert.deepEqual(await declaredDelays({ commit_wait: { delays_s: [60, 30] } }, { config: { commit_wait_s: [1] } }, file, 'cw.csv'), {
    delays: [30, 60],
    from: 'worker summary',
  });
  // Without a summary the file decides: declared delays it has no row for are left out (they would
  // hold every event until the file ends); a declared delay with a few rows is kept.
  assert.deepEqual(await declaredDelays({ commit_wait: null }, { config: { commit_wait_s: [1, 3] } }, file, 'cw.csv'), {
    delays: [2, 30],
    from: 'manifest and scan of the file',
  });
  assert.deepEqual(await declaredDelays(null, { config: { commit_wait_s: [2, 7, 30, 60] } }, file, 'cw.csv'), {
    delays: [2, 7, 30],
    from: 'manifest and scan of the file',
  });
  assert.deepEqual(await declaredDelays(null, { config: { commit_wait_s: 'x' } }, file, 'cw.csv'), {
    delays: [2, 30],
    from: 'scan of the file',
  });
});
