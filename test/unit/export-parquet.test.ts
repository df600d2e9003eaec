// `analyze --export parquet,tidy` (analysis/export/): the Parquet export is read back with an
// independent implementation — parquet-wasm, the Rust arrow-rs reader, through apache-arrow —
// not the writer's own family (hyparquet-writer), and every ns value is compared as a bigint with
// the digits of the run's CSV cell. The fixture's times carry odd nanoseconds above 2^53, where a
// double would round them (checked below), so a path through a float cannot pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readParquet, ParquetFile } from 'parquet-wasm';
import { tableFromIPC, type Table } from 'apache-arrow';
import { analyzeRun } from '../../analysis/analyze.js';
import { exportRun, parseExportFormats, summaryRowsForExport } from '../../analysis/export/index.js';
import { ECHO_EXPORT_COLUMNS, READING_COLUMNS, SUMMARY_COLUMNS, type ExportColumn } from '../../src/files/export-columns.js';
import { writeCoordinator, writeWorker, type Stamp } from '../fixtures/analysis-run.js';
import { writeEcho } from '../fixtures/echo-run.js';
import { FileWriteError } from '../../src/files/atomic-json.js';
import { runCli, tmpDir } from '../support/helpers.js';

const RUN = '20261203T000000Z-export';
const SOURCES = ['system', 'ntp', 'bounded'];

/** ms after T0 with sub-µs digits: ns values that are not multiples of 256 (a double's step there). */
const odd = (ms: number) => ms + 0.000123457;

function stamps(t: number, k: number): Record<string, Stamp> {
  return {
    system: { p: odd(t) },
    // ntp warming for the first two events: status only, no value (null, not 0)
    ntp: k < 2 ? { p: null, status: 'warming' } : { p: odd(t + 0.25) },
    bounded:
      k === 3
        ? { p: null, status: 'unsynced' }
        : { p: odd(t + 0.1), lo: odd(t - 1.3), hi: odd(t + 1.7), status: k === 4 ? 'degraded' : 'ok' },
  };
}

function buildRun(): string {
  const dir = path.join(tmpDir('chronoeval-export-'), RUN);
  const events = Array.from({ length: 9 }, (_, k) => k);
  writeCoordinator(
    dir,
    RUN,
    SOURCES,
    events.map((k) => ({ seq: k, send: odd(100 * k), trueSend: k === 5 ? null : odd(100 * k + 0.01), stamps: stamps(100 * k, k) })),
  );
  for (const [n, node] of ['a', 'b'].entries()) {
    writeWorker(
      dir,
      RUN,
      node,
      SOURCES,
      events
        .filter((k) => !(node === 'b' && k === 6)) // one event lost at b
        .map((k) => ({ seq: k, recv: odd(100 * k + 0.4 + n), trueRecv: odd(100 * k + 0.3 + n), stamps: stamps(100 * k + 0.4 + n, k) })),
      // a killed worker's torn last line: skipped and reported, not exported
      node === 'b' ? { tornTail: `${RUN},b,9,9,17637408009` } : {},
    );
  }
  writeEcho(
    dir,
    RUN,
    'a',
    ['system'],
    events.map((k) => ({
      seq: k,
      send: odd(100 * k),
      recv: odd(100 * k + 0.4),
      heldNs: 1234 + k,
      echoRecv: odd(100 * k + 0.9),
      trueEchoRecv: k === 2 ? null : odd(100 * k + 0.88),
    })),
  );
  return dir;
}

/** The CSV files' own cells, split by hand (our writers never quote), in the export's row order. */
function expectedReadings(dir: string): string[][] {
  const out: string[][] = [];
  const files: [string, 'coordinator' | 'worker', string][] = [
    ['coordinator.csv', 'coordinator', 'coordinator'],
    ['workers/a.csv', 'worker', 'a'],
    ['workers/b.csv', 'worker', 'b'],
  ];
  for (const [rel, role, node] of files) {
    const text = readFileSync(path.join(dir, rel), 'utf8');
    const lines = text.split('\n');
    lines.pop(); // '' after the last newline, or a torn tail
    const header = lines[0]!.split(',');
    const at = (cells: string[], name: string) => (header.includes(name) ? cells[header.indexOf(name)]! : '');
    for (const line of lines.slice(1)) {
      const c = line.split(',');
      const local = at(c, role === 'coordinator' ? 'send_local_ns' : 'recv_local_ns');
      if (local.includes('e')) continue; // the bad row the export skips
      for (const s of SOURCES) {
        out.push([
          at(c, 'run_id'),
          at(c, 'event_id'),
          at(c, 'seq'),
          role,
          node,
          local,
          s,
          at(c, `${s}_ns`),
          at(c, `${s}_lo_ns`),
          at(c, `${s}_hi_ns`),
          at(c, `${s}_status`),
          at(c, role === 'coordinator' ? 'true_send_ns' : 'true_recv_ns'),
        ]);
      }
    }
  }
  return out;
}

function readArrow(file: string): Table {
  return tableFromIPC(readParquet(new Uint8Array(readFileSync(file))).intoIPCStream());
}

/** Every cell of the Arrow table against the expected text: int64 as bigint (null for ''), strings as is. */
function assertTable(t: Table, columns: readonly ExportColumn[], expected: string[][], what: string): void {
  assert.equal(t.numRows, expected.length, `${what}: row count`);
  assert.deepEqual(
    t.schema.fields.map((f) => f.name),
    columns.map((c) => c.name),
  );
  columns.forEach((c, j) => {
    const field = t.schema.fields[j]!;
    if (c.kind === 'int64') assert.equal(String(field.type), 'Int64', `${what}.${c.name} is int64`);
    const col = t.getChildAt(j)!;
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i]![j]!;
      const got: unknown = col.get(i);
      if (c.kind === 'int64') {
        if (want === '') assert.equal(got, null, `${what} row ${i} ${c.name}: null stays null`);
        else assert.equal(got, BigInt(want), `${what} row ${i} ${c.name}: ${String(got)} vs the CSV's ${want}`);
      } else if (c.kind === 'float64') {
        assert.equal(got, want === '' ? null : Number(want), `${what} row ${i} ${c.name}`);
      } else assert.equal(got, want, `${what} row ${i} ${c.name}`);
    }
  });
}

function csvRows(file: string): string[][] {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  return lines.map((l) => l.split(','));
}

test('the fixture would catch a double: its ns values are not exact as numbers', () => {
  const dir = buildRun();
  const cells = expectedReadings(dir).flatMap((r) => [r[5]!, r[7]!, r[8]!, r[9]!, r[11]!].filter((c) => c !== ''));
  const lossy = cells.filter((c) => BigInt(Number(c)) !== BigInt(c));
  assert.ok(lossy.length > cells.length / 2, `${lossy.length} of ${cells.length} values change through a double`);
});

test('Parquet readings, echoes and summary read back by arrow-rs: every ns exact, nulls null, rows complete', async () => {
  const dir = buildRun();
  // one bad row (a float stamp) at the end of worker a: skipped with a warning
  appendFileSync(path.join(dir, 'workers', 'a.csv'), `${RUN},a,99,99,1.7637408e18,1,,,ok,,,,warming,,,,unsynced,\n`);
  const { stats } = await analyzeRun(dir, { format: 'native', windowsMs: [100] });
  const r = await exportRun(dir, stats, { formats: ['parquet', 'tidy'], rowGroupRows: 10 });
  const expected = expectedReadings(dir);
  assert.equal(expected.length, (9 + 9 + 8) * 3);
  assert.equal(r.rows.readings, expected.length);
  assert.ok(
    r.warnings.some((w) => /workers\/a\.csv: line 11: column recv_local_ns = '1\.7637408e18' is not an integer/.test(w)),
    r.warnings.join('\n'),
  );
  assert.ok(
    r.warnings.some((w) => /workers\/b\.csv: line 10: torn last line/.test(w)),
    r.warnings.join('\n'),
  );

  const readings = path.join(dir, 'export', 'readings.parquet');
  assertTable(readArrow(readings), READING_COLUMNS, expected, 'readings.parquet');
  // streamed: a row group is flushed once a read batch brings 10 rows or more (here: each file's one batch)
  const meta = (await ParquetFile.fromFile(new Blob([readFileSync(readings)]))).metadata();
  assert.equal(meta.numRowGroups(), 3);
  // the CSV twin has the same cells as text
  assert.deepEqual(csvRows(path.join(dir, 'export', 'readings.csv')), [READING_COLUMNS.map((c) => c.name), ...expected]);

  const echoCsv = csvRows(path.join(dir, 'echo', 'a.csv'));
  const eh = echoCsv[0]!;
  const echoExpected = echoCsv
    .slice(1)
    .map((c) => ECHO_EXPORT_COLUMNS.map((col) => (col.name === 'node' ? 'a' : (c[eh.indexOf(col.name)] ?? ''))));
  assert.equal(r.rows.echo, 9);
  assertTable(readArrow(path.join(dir, 'export', 'echo.parquet')), ECHO_EXPORT_COLUMNS, echoExpected, 'echo.parquet');

  const summary = summaryRowsForExport(stats, dir);
  assert.ok(summary.some((s) => s.source === 'bounded' && s.metric === 'coverage' && s.node === '' && s.total !== null));
  assert.ok(summary.some((s) => s.node === 'b'));
  const summaryExpected = csvRows(path.join(dir, 'export', 'summary.csv')).slice(1);
  assert.equal(summaryExpected.length, summary.length);
  assertTable(readArrow(path.join(dir, 'export', 'summary.parquet')), SUMMARY_COLUMNS, summaryExpected, 'summary.parquet');
  // nothing else left behind (no temp files)
  assert.deepEqual(readdirSync(path.join(dir, 'export')).sort(), [
    'echo.csv',
    'echo.parquet',
    'readings.csv',
    'readings.parquet',
    'summary.csv',
    'summary.parquet',
  ]);
});

test('--export values: a list of parquet and tidy; anything else is refused echoing it', () => {
  assert.deepEqual(parseExportFormats('parquet'), ['parquet']);
  assert.deepEqual(parseExportFormats('tidy, parquet,tidy'), ['tidy', 'parquet']);
  assert.throws(
    () => parseExportFormats('parquet,xlsx'),
    /--export: expected parquet, tidy or parquet,tidy .*got 'parquet,xlsx' \(unknown: 'xlsx'\)/,
  );
  assert.throws(() => parseExportFormats(''), /got ''/);
});

test('chronoeval analyze --export: bad value is a usage error; tidy alone writes only CSVs', async () => {
  const dir = buildRun();
  const bad = await runCli(['analyze', dir, '--no-figures', '--export', 'feather']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--export: expected parquet, tidy or parquet,tidy .*got 'feather'/);
  assert.ok(!existsSync(path.join(dir, 'export')));
  const ok = await runCli(['analyze', dir, '--no-figures', '--export', 'tidy']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(readdirSync(path.join(dir, 'export')).sort(), ['echo.csv', 'readings.csv', 'summary.csv']);
});

test('a failing export leaves no temp files and names the problem; an unwritable export/ is a write error', async () => {
  const dir = buildRun();
  const { stats } = await analyzeRun(dir, { format: 'native', windowsMs: [100] });
  // worker b's file without an event_id column: found after the coordinator's and a's rows were written
  const b = path.join(dir, 'workers', 'b.csv');
  writeFileSync(b, readFileSync(b, 'utf8').replace(/^run_id,node_id,event_id,/, 'run_id,node_id,evt,'));
  await assert.rejects(exportRun(dir, stats, { formats: ['parquet', 'tidy'], rowGroupRows: 10 }), /workers\/b\.csv: no column event_id/);
  assert.deepEqual(readdirSync(path.join(dir, 'export')), []);

  const other = buildRun();
  writeFileSync(path.join(other, 'export'), 'a file where the folder goes');
  await assert.rejects(
    exportRun(other, stats, { formats: ['parquet'] }),
    (e: Error) => e instanceof FileWriteError && /export/.test(e.message),
  );
});

test('--export given twice is one list', async () => {
  const dir = buildRun();
  const r = await runCli(['analyze', dir, '--no-figures', '--export', 'parquet', '--export', 'tidy']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(path.join(dir, 'export', 'readings.parquet')) && existsSync(path.join(dir, 'export', 'readings.csv')));
});

test('a table without rows: its CSV has the header, its Parquet file is left out with a warning (arrow-rs refuses one without row groups)', async () => {
  const dir = buildRun();
  // echoes asked for, none recorded: echo/a.csv holds its header only
  writeFileSync(path.join(dir, 'echo', 'a.csv'), readFileSync(path.join(dir, 'echo', 'a.csv'), 'utf8').split('\n')[0] + '\n');
  const { stats } = await analyzeRun(dir, { format: 'native', windowsMs: [100] });
  const r = await exportRun(dir, stats, { formats: ['parquet', 'tidy'] });
  assert.equal(r.rows.echo, 0);
  assert.ok(!existsSync(path.join(dir, 'export', 'echo.parquet')));
  assert.deepEqual(csvRows(path.join(dir, 'export', 'echo.csv')), [ECHO_EXPORT_COLUMNS.map((c) => c.name)]);
  assert.ok(
    r.warnings.some((w) => /export\/echo\.parquet not written: the table has no rows/.test(w)),
    r.warnings.join('\n'),
  );
  assert.ok(!r.files.some((f) => f.endsWith('echo.parquet')));
  assert.deepEqual(
    readdirSync(path.join(dir, 'export')).filter((f) => f.endsWith('.tmp')),
    [],
  );
  // the other tables are complete and readable
  assert.equal(readArrow(path.join(dir, 'export', 'readings.parquet')).numRows, r.rows.readings);
});
