// `analyze --export parquet,tidy`: the run's readings, echoes and headline as long-format tables
// in RUN_DIR/export/ (docs/csv-schema.md, "Tidy exports"). parquet → *.parquet, tidy → *.csv; one
// streaming pass over the run's files feeds both.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { locateRun } from '../load/run-files.js';
import { locateEchoFiles } from '../load/echo-files.js';
import type { Stats } from '../stats/types.js';
import {
  COORDINATOR_NODE,
  ECHO_EXPORT_COLUMNS,
  EXPORT_LAYOUT,
  READING_COLUMNS,
  SUMMARY_COLUMNS,
  type ExportColumn,
} from '../../src/files/export-columns.js';
import { typedText } from '../../src/cli/flag-values.js';
import { FileWriteError } from '../../src/files/atomic-json.js';
import { CsvSink, ParquetSink, TableWriter, type TableSink } from './table-sinks.js';
import { exportEchoFile, exportEventFile, type EventFile } from './readings.js';
import { summaryCells, summaryRowsForExport } from './summary-rows.js';

export { summaryRowsForExport } from './summary-rows.js';

export const EXPORT_FORMATS = ['parquet', 'tidy'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** --export's value: a comma-separated list of parquet and tidy; throws naming what was typed. */
export function parseExportFormats(text: string): ExportFormat[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = parts.filter((p) => !(EXPORT_FORMATS as readonly string[]).includes(p));
  if (parts.length === 0 || bad.length)
    throw new Error(
      `--export: expected parquet, tidy or parquet,tidy (tidy = CSV), got ${typedText(text)}${bad.length ? ` (unknown: ${bad.map((b) => typedText(b)).join(', ')})` : ''}`,
    );
  return [...new Set(parts as ExportFormat[])];
}

export interface ExportOptions {
  formats: readonly ExportFormat[];
  /** Rows per Parquet row group, i.e. rows held in memory per table (default 100 000). */
  rowGroupRows?: number;
}

export interface ExportResult {
  /** Files written, absolute. */
  files: string[];
  rows: { readings: number; echo: number; summary: number };
  /** Rows skipped and torn tails, with file and line. */
  warnings: string[];
}

const DEFAULT_GROUP_ROWS = 100_000;

function sinksFor(dir: string, name: string, columns: readonly ExportColumn[], formats: readonly ExportFormat[]): TableSink[] {
  return formats.map((f) =>
    f === 'parquet' ? new ParquetSink(path.join(dir, `${name}.parquet`), columns) : new CsvSink(path.join(dir, `${name}.csv`), columns),
  );
}

/** Fill one table through `fill`; on any failure remove its unfinished files. A Parquet file of no rows is left out with a warning. */
async function table(
  dir: string,
  name: string,
  columns: readonly ExportColumn[],
  o: ExportOptions,
  warnings: string[],
  fill: (w: TableWriter) => Promise<void>,
): Promise<{ files: string[]; rows: number }> {
  const sinks = sinksFor(dir, name, columns, o.formats);
  const w = new TableWriter(columns, sinks, o.rowGroupRows ?? DEFAULT_GROUP_ROWS);
  let files: string[];
  try {
    await fill(w);
    files = await w.finish();
  } catch (e) {
    await w.abort();
    throw e;
  }
  for (const s of sinks)
    if (!files.includes(s.file))
      warnings.push(
        `${EXPORT_LAYOUT.dir}/${path.basename(s.file)} not written: the table has no rows (a Parquet file without row groups is refused by arrow-rs based readers)`,
      );
  return { files, rows: w.total };
}

/** Write RUN_DIR/export/readings.*, echo.* (when the run has echo files) and summary.* from `stats`. */
export async function exportRun(runDirIn: string, stats: Stats, o: ExportOptions): Promise<ExportResult> {
  const run = await locateRun(runDirIn, 'native');
  const dir = path.join(run.runDir, EXPORT_LAYOUT.dir);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new FileWriteError(dir, e as NodeJS.ErrnoException);
  }
  const rel = (f: string) => path.relative(run.runDir, f);
  const warnings: string[] = [];
  const events: EventFile[] = [
    { file: run.coordinator, display: rel(run.coordinator), role: 'coordinator', node: COORDINATOR_NODE },
    ...run.workers.flatMap((w) => (w.csv ? [{ file: w.csv, display: rel(w.csv), role: 'worker' as const, node: w.node }] : [])),
  ];
  const readings = await table(dir, EXPORT_LAYOUT.readings, READING_COLUMNS, o, warnings, async (w) => {
    for (const f of events) warnings.push(...(await exportEventFile(f, w)));
  });
  const files = [...readings.files];
  let echoRows = 0;
  const echo = await locateEchoFiles(run.runDir);
  if (echo.files.length > 0) {
    const t = await table(dir, EXPORT_LAYOUT.echo, ECHO_EXPORT_COLUMNS, o, warnings, async (w) => {
      for (const f of echo.files) warnings.push(...(await exportEchoFile({ ...f, display: rel(f.file) }, w)));
    });
    files.push(...t.files);
    echoRows = t.rows;
  }
  const summary = await table(dir, EXPORT_LAYOUT.summary, SUMMARY_COLUMNS, o, warnings, async (w) => {
    const cells = summaryCells(summaryRowsForExport(stats, run.runDir));
    const C = w.columnsOut;
    for (const r of cells) r.forEach((c, j) => C[j]!.push(c));
    w.added(cells.length);
    return Promise.resolve();
  });
  files.push(...summary.files);
  return { files, rows: { readings: readings.rows, echo: echoRows, summary: summary.rows }, warnings };
}
