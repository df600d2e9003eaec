// The re-estimation delays a commit-wait file holds rows for, known before the join reads it: the
// join may fold an event only once the file has passed it at every delay, so a delay learnt while
// reading (its first row comes `delay` seconds into the run) would come too late for the events
// before it. Recorded values come first (the worker's summary, then the run manifest); a run that
// recorded neither (e.g. a worker killed before its summary) has the file's delay column scanned.
import { CsvReader } from './csv-reader.js';

export interface DeclaredDelays {
  delays: number[];
  from: 'worker summary' | 'manifest' | 'scan of the file';
}

/** Positive finite numbers, ascending and distinct, or null when v is not such a non-empty list. */
export function delayList(v: unknown): number[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  if (!v.every((d) => typeof d === 'number' && Number.isFinite(d) && d > 0)) return null;
  return [...new Set(v as number[])].sort((a, b) => a - b);
}

/** `commit_wait.delays_s` of a worker summary (src/worker/worker.ts), or null. */
export function summaryDelays(summary: Record<string, unknown> | null): number[] | null {
  const cw = summary?.['commit_wait'];
  return cw !== null && typeof cw === 'object' ? delayList((cw as Record<string, unknown>)['delays_s']) : null;
}

/** `config.commit_wait_s` of a run manifest (src/run/run-local.ts), or null. */
export function manifestDelays(manifest: Record<string, unknown> | null): number[] | null {
  const cfg = manifest?.['config'];
  return cfg !== null && typeof cfg === 'object' ? delayList((cfg as Record<string, unknown>)['commit_wait_s']) : null;
}

/**
 * The delays of a commit-wait file's rows, read from its delay_s column. A delay holds one row per
 * (event, source); one seen on fewer than a tenth as many rows as the most frequent is a stray
 * (a bad row) and is left out, so that it cannot hold every event until the file ends.
 */
export async function scanDelays(file: string, displayPath: string): Promise<number[]> {
  const reader = await CsvReader.open(file, displayPath, { encoding: 'latin1' });
  const col = reader.header.indexOf('delay_s');
  const F = reader.fields;
  const counts = new Map<string, number>();
  try {
    if (col < 0) return [];
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
  const most = Math.max(0, ...counts.values());
  return delayList([...counts].filter(([t, n]) => t !== '' && n * 10 >= most).map(([t]) => Number(t)).filter((d) => Number.isFinite(d) && d > 0)) ?? [];
}

export async function declaredDelays(
  summary: Record<string, unknown> | null, manifest: Record<string, unknown> | null, file: string, displayPath: string,
): Promise<DeclaredDelays> {
  const s = summaryDelays(summary);
  if (s) return { delays: s, from: 'worker summary' };
  const m = manifestDelays(manifest);
  if (m) return { delays: m, from: 'manifest' };
  return { delays: await scanDelays(file, displayPath), from: 'scan of the file' };
}
