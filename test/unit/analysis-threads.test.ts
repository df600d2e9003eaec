// Parse threads (analysis/threads/parse-thread.ts) must not change a single number: the same run analysed
// with threads and in-process gives the same stats.json, warnings and their order included, on a
// run with shuffled, duplicated, quoted, malformed and torn rows; an unreadable worker file is
// reported and skipped; a missing coordinator still fails; decodeBatch is checked cell by cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { batchFromCells } from '../../analysis/load/csv-reader.js';
import { StatusTable, WORKER_ROLE, decodeBatch, rowColumns } from '../../analysis/load/decoded-rows.js';
import { anchorFromEpochNs } from '../../analysis/load/ns-parse.js';
import { coordinatorChunkBytes } from '../../analysis/load/event-rows.js';
import { REORDER_WINDOW } from '../../analysis/join/join.js';
import { generateSyntheticRun } from '../../bench/cases/analysis.js';
import { tmpDir } from '../support/helpers.js';
import { workerColumns } from '../../src/files/columns.js';

/** Shuffle worker rows in blocks, duplicate some, and add a quoted, a bad-cell, a too-long and a torn line. */
function perturb(dir: string): void {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const f of readdirSync(path.join(dir, 'workers'))) {
    const p = path.join(dir, 'workers', f);
    const [header, ...rows] = readFileSync(p, 'latin1')
      .split('\n')
      .filter((l) => l !== '');
    for (let i = 0; i < rows.length; i += 300) {
      for (let j = Math.min(rows.length, i + 300) - 1; j > i; j--) {
        const k = i + Math.floor(rnd() * (j - i + 1));
        [rows[j], rows[k]] = [rows[k]!, rows[j]!];
      }
    }
    const out: string[] = [];
    rows.forEach((l, i) => {
      const c = l.split(',');
      if (i === 500) out.push(`"${c[0]}",${c.slice(1).join(',')}`);
      else if (i === 600) {
        c[5] = '12x4';
        out.push(c.join(','));
      } else if (i === 700) out.push(`${l},extra`);
      else {
        out.push(l);
        if (i % 97 === 0) out.push(l);
      }
    });
    out.push(rows[10]!); // long after its event was folded: a duplicate
    writeFileSync(p, `${header}\n${out.join('\n')}\ntorn,partial`);
  }
}

test('parse threads and in-process decoding give identical stats.json, figures-data and warnings', async () => {
  const dir = path.join(tmpDir('chronoeval-threads-'), 'run');
  await generateSyntheticRun(dir, { events: 3000, workers: 3, commitWaitDelaysS: [30], lossRate: 0.02, seed: 5 });
  perturb(dir);
  const threaded = await analyzeRun(dir, { threads: true });
  const threadedJson = readFileSync(path.join(dir, 'stats.json'), 'utf8');
  const inline = await analyzeRun(dir, { threads: false });
  const inlineJson = readFileSync(path.join(dir, 'stats.json'), 'utf8');
  const strip = (s: string) => s.replace(/"generated_at": "[^"]*"/, '');
  assert.equal(strip(threadedJson), strip(inlineJson));
  assert.deepEqual(threaded.warnings, inline.warnings);
  // The figures' sample is gathered where the event is whole, the same in both paths.
  assert.deepEqual({ ...threaded.figuresData, stats_generated_at: '' }, { ...inline.figuresData, stats_generated_at: '' });
  assert.ok(threaded.figuresData.causality.samples.length > 0);
  // the perturbations were really seen (else this test proves nothing)
  assert.ok(
    threaded.warnings.some((w) => /column system_ns = "12x4"/.test(w)),
    threaded.warnings.join('\n'),
  );
  assert.ok(threaded.warnings.some((w) => /torn last line/.test(w)));
  assert.ok(threaded.warnings.some((w) => /more than \d+ fields/.test(w)));
  assert.ok(threaded.stats.delivery.workers.every((w) => w.duplicates > 0));
  assert.ok(threaded.stats.inputs.join.late_rows > 0);
});

test('an unreadable worker file is reported and skipped; the other workers are analysed', async () => {
  const dir = path.join(tmpDir('chronoeval-threads-'), 'run');
  await generateSyntheticRun(dir, { events: 500, workers: 3, lossRate: 0, seed: 2 });
  writeFileSync(path.join(dir, 'workers', 'w2.csv'), ''); // no header
  for (const threads of [true, false]) {
    const { stats, warnings } = await analyzeRun(dir, { threads });
    assert.ok(
      warnings.some((w) => w === "workers/w2.csv: workers/w2.csv: no header row (empty file?); this worker's rows are not used"),
      warnings.join('\n'),
    );
    const byNode = Object.fromEntries(stats.delivery.workers.map((w) => [w.node, w.received]));
    assert.deepEqual(byNode, { w1: 500, w2: 0, w3: 500 });
  }
});

test('an empty coordinator.csv fails the analysis with the file named (threads stopped)', async () => {
  const dir = path.join(tmpDir('chronoeval-threads-'), 'run');
  await generateSyntheticRun(dir, { events: 50, workers: 2, seed: 3 });
  writeFileSync(path.join(dir, 'coordinator.csv'), '');
  await assert.rejects(analyzeRun(dir, { threads: true }), /coordinator\.csv: no header row/);
});

test('decodeBatch: relative ns, NaN for empty cells, bad cells listed by phase, status ids, ids only without seq', () => {
  const anchor = anchorFromEpochNs(1_763_740_800_000_000_000n);
  const header = workerColumns(['a']);
  const rows = [
    ['r', 'w', '7', '7', '1763740801000000005', '1763740801000000010', '', '', 'ok', '1763740801000000001'],
    ['r', 'w', 'x9', '', '1763740801000000006', 'bad', '1763740800999999999', '1763740801000000020', 'warming', 'nope'],
  ];
  const b = batchFromCells(rows, [2, 3], header.length);
  const cols = rowColumns(header, ['a', 'b'], WORKER_ROLE);
  const d = decodeBatch(b, cols, 2, anchor.sec, 'workers/w.csv', new StatusTable());
  assert.deepEqual([...d.seq], [7, NaN]);
  assert.equal(d.ids?.length, 2);
  assert.equal(d.ids?.[0], undefined);
  assert.equal(d.ids?.[1], 'x9');
  assert.deepEqual([...d.local], [1_000_000_005, 1_000_000_006]);
  assert.deepEqual([...d.truth], [1_000_000_001, NaN]);
  assert.deepEqual([...d.vals], [1_000_000_010, NaN, NaN, NaN, NaN, NaN, NaN, 999_999_999, 1_000_000_020, NaN, NaN, NaN]);
  assert.deepEqual(d.newStatuses, ['ok', 'warming']);
  assert.deepEqual([...d.status], [1, 0, 2, 0]);
  assert.deepEqual(d.bad?.row, [1, 1]);
  assert.deepEqual(d.bad?.phase, [0, 2]);
  assert.equal(d.bad?.msg[0], 'workers/w.csv: line 3: column a_ns = "bad" is not an integer ns value near the run; treated as empty');
});

test('64 workers: the join holds the reorder window and one small coordinator batch of events, threads or not', async () => {
  const dir = path.join(tmpDir('chronoeval-wide-join-'), 'run');
  await generateSyntheticRun(dir, { events: 1500, workers: 64, lossRate: 0.01, seed: 4 });
  const coordinator = readFileSync(path.join(dir, 'coordinator.csv'), 'latin1');
  const rowBytes = coordinator.length / (coordinator.split('\n').length - 2);
  const batchRows = Math.ceil(coordinatorChunkBytes(64) / rowBytes);
  assert.equal(coordinatorChunkBytes(64), 16 << 10);
  for (const threads of [false, true]) {
    await analyzeRun(dir, { threads });
    const stats = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8')) as {
      inputs: { join: { max_events_in_flight: number } };
    };
    const held = stats.inputs.join.max_events_in_flight;
    // a 64 KiB batch (the batch of a narrow run) held ~650 events here: 42,000 stamps
    assert.ok(held <= REORDER_WINDOW + 2 * batchRows, `threads ${threads}: ${held} events in flight (batch ${batchRows} rows)`);
    assert.ok(held > REORDER_WINDOW, `threads ${threads}: ${held}`);
  }
});
