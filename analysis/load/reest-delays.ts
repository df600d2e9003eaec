// The re-estimation delays a commit-wait file holds rows for, known before the join reads it: the
// join may fold an event only once the file has passed it at every delay, so a delay learnt while
// reading (its first row comes `delay` seconds into the run) would come too late for the events
// before it. The worker's summary comes first; without it (a worker killed before writing it) the
// file's delay column is scanned, and the manifest's delays, when recorded, say which are real.
import { CsvReader } from './csv-reader.js';
import type { WorkerSummaryRead } from '../../src/files/worker-summary.js';
import type { CommitWaitColumn } from '../../src/files/columns.js';

export interface DeclaredDelays {
  delays: number[];
  from: 'worker summary' | 'manifest and scan of the file' | 'scan of the file';
}

/** Positive finite numbers, ascending and distinct, or null when v is not such a non-empty list. */
export function delayList(v: unknown): number[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  if (!v.every((d) => typeof d === 'number' && Number.isFinite(d) && d > 0)) return null;
  return [...new Set(v as number[])].sort((a, b) => a - b);
}

/** `commit_wait.delays_s` of a worker summary (src/files/worker-summary.ts), or null. */
export function summaryDelays(summary: WorkerSummaryRead | null): number[] | null {
  const cw = summary?.commit_wait;
  return cw ? delayList(cw.delays_s) : null;
}

/** `config.commit_wait_s` of a run manifest (src/scenario/run-local.ts), or null. */
export function manifestDelays(manifest: Record<string, unknown> | null): number[] | null {
  const cfg = manifest?.['config'];
  return cfg !== null && typeof cfg === 'object' ? delayList((cfg as Record<string, unknown>)['commit_wait_s']) : null;
}

/** How many rows each delay of a commit-wait file holds, from its delay_s column. */
async function countDelays(file: string, displayPath: string): Promise<Map<number, number>> {
  const reader = await CsvReader.open(file, displayPath, { encoding: 'latin1' });
  const col = reader.header.indexOf('delay_s' satisfies CommitWaitColumn);
  const F = reader.fields;
  const counts = new Map<string, number>();
  try {
    if (col < 0) return new Map();
    for (let b = await reader.next(); b; b = await reader.next()) {
      for (let i = 0; i < b.count; i++) {
        const base = i * (F + 1);
        const t = b.texts[i]!.slice(b.offsets[base + col]!, b.offsets[base + col + 1]! - 1);
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
    }
  } finally {
    await reader.close();
  }
  const out = new Map<number, number>();
  for (const [t, n] of counts) {
    const d = t === '' ? NaN : Number(t);
    if (Number.isFinite(d) && d > 0) out.set(d, (out.get(d) ?? 0) + n);
  }
  return out;
}

/**
 * The delays of a commit-wait file's rows, read from its delay_s column. A delay holds one row per
 * (event, source); one seen on fewer than a tenth as many rows as the most frequent is a stray
 * (a bad row) and is left out, so that it cannot hold every event until the file ends.
 */
export async function scanDelays(file: string, displayPath: string): Promise<number[]> {
  return (await declaredDelays(null, null, file, displayPath)).delays;
}

/**
 * The worker's own summary says which delays it ran. Without it (a worker killed before writing
 * it) the file decides: the delays the scan finds, plus the manifest's delays the file holds any
 * row for. A declared delay without rows is left out (a killed worker may have written none for
 * its longest delay, which would otherwise hold every event until the file ends).
 */
export async function declaredDelays(
  summary: WorkerSummaryRead | null,
  manifest: Record<string, unknown> | null,
  file: string,
  displayPath: string,
): Promise<DeclaredDelays> {
  const s = summaryDelays(summary);
  if (s) return { delays: s, from: 'worker summary' };
  const m = manifestDelays(manifest);
  const counts = await countDelays(file, displayPath);
  const most = Math.max(0, ...counts.values());
  const scanned = [...counts].filter(([, n]) => n * 10 >= most).map(([d]) => d);
  if (m) {
    // A declared delay with any row is real however few (a worker killed soon after its first
    // rows at 60 s); one without rows would hold every event until the file ends.
    const present = m.filter((d) => (counts.get(d) ?? 0) > 0);
    return { delays: delayList([...present, ...scanned]) ?? [], from: 'manifest and scan of the file' };
  }
  return { delays: delayList(scanned) ?? [], from: 'scan of the file' };
}
