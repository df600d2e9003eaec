// EventRowReader (bytes → typed arrays in one walk per line) must give exactly what CsvReader +
// decodeBatch (string cells, the reference) give: the same batches, values, status ids, bad cells
// with their messages, and the same rows read, skipped and warned about, on files full of awkward
// cells, quoted records, CRLF, empty lines, wrong field counts and a torn tail, across chunk edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CsvReader } from '../../analysis/load/csv-reader.js';
import {
  COORDINATOR_ROLE,
  StatusTable,
  WORKER_ROLE,
  decodeBatch,
  rowColumns,
  type DecodedRows,
  type RowRole,
} from '../../analysis/load/decoded-rows.js';
import { EventRowReader, READ_BUDGET_BYTES, readBytesFor } from '../../analysis/load/event-rows.js';
import { Prng } from '../../src/sim/prng.js';
import { tmpDir } from '../support/helpers.js';
import { coordinatorHeader, sourceColumns, workerHeader } from '../../src/files/columns.js';

const ANCHOR_SEC = 1_763_740_800;
const SOURCES = ['system', 'bounded', 'absent'];

function awkwardCsv(seed: number, role: 'coordinator' | 'worker'): string {
  const rnd = new Prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd.next() * xs.length)]!;
  const ns = () => `${ANCHOR_SEC + Math.floor(rnd.next() * 50)}${String(Math.floor(rnd.next() * 1e9)).padStart(9, '0')}`;
  const timeCell = () =>
    pick([
      ns,
      ns,
      ns,
      ns,
      ns,
      () => '',
      () => '',
      () => `-${ns()}`,
      () => '12x4',
      () => '123',
      () => '-5',
      () => '-',
      () => `${ns()}0`,
      () => `99${ns()}`,
      () => `1${ns()}`.slice(0, 18),
      () => ' 1',
      () => '1763740800123456789012',
      () => `${ANCHOR_SEC + 20_000_000}000000000`,
      () => '+1763740800000000001',
      () => '1.5e18',
      () => `"${ns()}"`,
    ])();
  const status = () => pick(['ok', 'ok', 'ok', 'warming', 'unsynced', '', 'stale', '"ok, quoted"', 'ok']);
  const sourceCols = ['system_ns', 'system_status', ...sourceColumns(['bounded'])]; // system point-only
  const header = role === 'coordinator' ? coordinatorHeader(sourceCols) : workerHeader(sourceCols);
  const lines = [header.join(',')];
  for (let i = 0; i < 2500; i++) {
    const seq = pick([String(i), String(i), String(i), '', 'x7', '-3', '12345678901234567']);
    const id = pick([String(i), `e${i}`, '', '"q,id"']);
    const cells =
      role === 'coordinator'
        ? ['run', id, seq, timeCell(), timeCell(), status(), timeCell(), timeCell(), timeCell(), status(), timeCell()]
        : ['run', 'w1', id, seq, timeCell(), timeCell(), status(), timeCell(), timeCell(), timeCell(), status(), timeCell()];
    const r = rnd.next();
    if (r < 0.01) cells.push('extra');
    else if (r < 0.02) cells.pop();
    else if (r < 0.025) cells[3] = '"multi\nline"';
    let line = cells.join(',');
    if (rnd.next() < 0.01) line += '"'; // an unbalanced quote: swallows lines until the next one
    lines.push(line);
    if (rnd.next() < 0.01) lines.push('');
  }
  const eol = seed % 2 === 0 ? '\r\n' : '\n';
  return lines.join(eol) + eol + pick(['', 'run,torn', '"open quote,']);
}

async function reference(file: string, role: RowRole): Promise<{ batches: DecodedRows[]; stats: unknown }> {
  const r = await CsvReader.open(file, 'f.csv', { encoding: 'latin1', seqColumn: 'seq' });
  const cols = rowColumns(r.header, SOURCES, role);
  const table = new StatusTable();
  const batches: DecodedRows[] = [];
  for (let b = await r.next(); b; b = await r.next())
    batches.push(decodeBatch(b, cols, SOURCES.length, ANCHOR_SEC, 'f.csv', table, role.allIds));
  return { batches, stats: { rowsRead: r.rowsRead, skipped: r.skipped, tornTail: r.tornTail, warnings: r.warnings } };
}

async function fromBytes(file: string, role: RowRole, openFiles = 1): Promise<{ batches: DecodedRows[]; stats: unknown }> {
  const r = await EventRowReader.open(file, 'f.csv', role, { openFiles });
  r.start(SOURCES, ANCHOR_SEC);
  const batches: DecodedRows[] = [];
  for (let b = await r.next(); b; b = await r.next()) batches.push(b);
  const s = r.stats;
  return { batches, stats: { rowsRead: s.rowsRead, skipped: s.skipped, tornTail: s.tornTail, warnings: s.warnings } };
}

test('read sizes: 1 MiB for a few event files; many files together keep their buffers near the budget', () => {
  for (const n of [1, 2, 5, 16]) assert.equal(readBytesFor(n), 1 << 20, `${n} files`);
  assert.equal(readBytesFor(65), 192 << 10, '64 workers and the coordinator');
  assert.equal(readBytesFor(10_000), 64 << 10, 'never below one chunk');
  for (let n = 17; n <= 256; n++) {
    const r = readBytesFor(n);
    assert.equal(r % (64 << 10), 0, `${n} files: whole chunks`);
    assert.ok(n * r <= READ_BUDGET_BYTES, `${n} files × ${r} bytes`);
  }
});

test('EventRowReader decodes exactly like CsvReader + decodeBatch (awkward cells, quotes, CRLF, torn tails, chunk edges)', async () => {
  const dir = tmpDir('chronoeval-event-rows-');
  for (let seed = 1; seed <= 6; seed++) {
    for (const role of ['coordinator', 'worker'] as const) {
      const file = path.join(dir, `${role}-${seed}.csv`);
      writeFileSync(file, awkwardCsv(seed, role), 'latin1');
      const rowRole = role === 'coordinator' ? COORDINATOR_ROLE : WORKER_ROLE;
      const want = await reference(file, rowRole);
      // 1 MiB reads (the whole file at once), 192 KiB (65 files open) and 64 KiB (many files)
      const openFiles = [1, 65, 1000][seed % 3]!;
      const got = await fromBytes(file, rowRole, openFiles);
      const label = `${role} seed ${seed}, reads of ${readBytesFor(openFiles)} bytes`;
      assert.deepEqual(got.stats, want.stats, label);
      assert.equal(got.batches.length, want.batches.length, label);
      assert.ok(want.batches.length >= 3, `${label}: the file spans several chunks`);
      got.batches.forEach((b, i) => assert.deepEqual(b, want.batches[i], `${label}, batch ${i}`));
      // the awkward parts were really there
      const bad = want.batches.reduce((n, b) => n + (b.bad?.row.length ?? 0), 0);
      assert.ok(bad > 100, `${label}: ${bad} bad cells`);
      assert.ok((want.stats as { skipped: number }).skipped > 5, label);
    }
  }
});
