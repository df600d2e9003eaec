// Finds a run's files (native DESIGN §4 layout or the first version's legacy layout) and peeks at
// the coordinator file's first and last rows to fix the run anchor, timeline bins and sample stride
// before streaming.
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { decimalToBigInt } from './ns-parse.js';
import { RUN_LAYOUT, runDirPaths } from '../../src/files/paths.js';

export interface WorkerFiles {
  node: string;
  csv: string | null;
  commitWait: string | null;
  summary: string | null;
}

export interface RunFiles {
  format: 'native' | 'legacy';
  runDir: string;
  coordinator: string;
  workers: WorkerFiles[];
  /** sync/<node>.csv files (native only), any node including the coordinator's. */
  sync: { node: string; file: string }[];
  manifest: string | null;
}

export async function locateRun(runDirIn: string, format: 'native' | 'legacy'): Promise<RunFiles> {
  const runDir = path.resolve(runDirIn);
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    throw new Error(`run directory not found: ${runDir} (pass the directory that holds coordinator.csv, e.g. results/<run_id>)`);
  }
  const files = runDirPaths(runDir);
  const coordinator = files.coordinatorCsv;
  if (!existsSync(coordinator)) {
    const hint =
      format === 'native' && (await listDir(runDir)).some((f) => /^worker_.+\.csv$/.test(f))
        ? " — this looks like the first version's layout: add --format legacy"
        : ' — is this a run directory (results/<run_id>)? the coordinator writes coordinator.csv there';
    throw new Error(`coordinator.csv missing in ${runDir}${hint}`);
  }
  const manifest = files.manifest;
  if (format === 'legacy') {
    const workers = (await listDir(runDir))
      .map((f) => /^worker_(.+)\.csv$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ node: m[1]!, csv: path.join(runDir, m[0]), commitWait: null, summary: null }))
      .sort((a, b) => a.node.localeCompare(b.node));
    return { format, runDir, coordinator, workers, sync: [], manifest: existsSync(manifest) ? manifest : null };
  }
  const nodes = new Set<string>();
  for (const f of await listDir(path.join(runDir, RUN_LAYOUT.workersDir))) {
    const node = f.endsWith(RUN_LAYOUT.summarySuffix)
      ? f.slice(0, -RUN_LAYOUT.summarySuffix.length)
      : f.endsWith('.csv')
        ? f.slice(0, -4)
        : '';
    if (node !== '') nodes.add(node);
  }
  const maybe = (p: string) => (existsSync(p) ? p : null);
  const workers = [...nodes]
    .sort((a, b) => a.localeCompare(b))
    .map((node) => ({
      node,
      csv: maybe(files.workerCsv(node)),
      commitWait: maybe(files.commitWaitCsv(node)),
      summary: maybe(files.workerSummary(node)),
    }));
  const sync = (await listDir(path.join(runDir, RUN_LAYOUT.syncDir)))
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => ({ node: f.slice(0, -4), file: files.syncCsv(f.slice(0, -4)) }));
  return { format, runDir, coordinator, workers, sync, manifest: existsSync(manifest) ? manifest : null };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

export interface CoordinatorPeek {
  firstNs: bigint | null;
  lastNs: bigint | null;
  firstSeq: number | null;
  lastSeq: number | null;
}

const PEEK_BYTES = 1 << 16;

/** Read the header, first data row and last complete row of a coordinator file. */
export async function peekCoordinator(file: string, timeColumn: string, seqColumns: string[]): Promise<CoordinatorPeek> {
  const size = statSync(file).size;
  const fh = await fs.open(file, 'r');
  try {
    const headBuf = Buffer.alloc(Math.min(size, PEEK_BYTES));
    await fh.read(headBuf, 0, headBuf.length, 0);
    const headLines = headBuf.toString('utf8').split('\n');
    const header = splitLine(headLines[0] ?? '');
    const iTime = header.indexOf(timeColumn);
    const iSeq = seqColumns.map((c) => header.indexOf(c)).find((i) => i >= 0) ?? -1;
    const complete = (lines: string[]) => lines.slice(0, -1).filter((l) => l.trim() !== '');
    const first = complete(headLines).slice(1)[0];
    const tailStart = Math.max(0, size - PEEK_BYTES);
    const tailBuf = Buffer.alloc(size - tailStart);
    await fh.read(tailBuf, 0, tailBuf.length, tailStart);
    const tailLines = complete(tailBuf.toString('utf8').split('\n'));
    const last = tailLines.length > (tailStart === 0 ? 1 : 0) ? tailLines[tailLines.length - 1] : undefined;
    const pick = (line: string | undefined) => {
      if (!line) return { ns: null as bigint | null, seq: null as number | null };
      const cells = splitLine(line);
      const ns = iTime >= 0 ? (decimalToBigInt(cells[iTime] ?? '', 0) ?? null) : null;
      const s = iSeq >= 0 ? Number(cells[iSeq]) : NaN;
      return { ns, seq: Number.isFinite(s) ? s : null };
    };
    const a = pick(first);
    const b = pick(last);
    return { firstNs: a.ns, lastNs: b.ns, firstSeq: a.seq, lastSeq: b.seq };
  } finally {
    await fh.close();
  }
}

function splitLine(line: string): string[] {
  const l = line.replace(/\r$/, '');
  if (!l.includes('"')) return l.split(',');
  try {
    return (parseCsvSync(l, { relax_column_count: true }) as string[][])[0] ?? [];
  } catch {
    return l.split(',');
  }
}
