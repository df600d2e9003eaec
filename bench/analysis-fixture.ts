// Writes small, hand-readable run directories for analysis tests: times are given in ms after a
// whole-second anchor T0 and written as exact integer epoch ns, like the real writers do.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** 2025-11-21T16:00:00Z, a multiple of every default window size. */
export const T0_NS = 1_763_740_800_000_000_000n;

/** ms after T0 → epoch ns text; null/undefined → '' (missing). */
export function abs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return (T0_NS + BigInt(Math.round(ms * 1e6))).toString();
}

/** One source's stamp in ms after T0. */
export interface Stamp { p?: number | null; lo?: number | null; hi?: number | null; status?: string }

export function stampCells(s: Stamp | undefined): string[] {
  if (!s) return ['', '', '', 'absent'];
  const has = s.p !== null && s.p !== undefined;
  return [abs(s.p), abs(s.lo), abs(s.hi), s.status ?? (has ? 'ok' : 'unsynced')];
}

export function writeCsv(file: string, header: string[], rows: string[][], opts: { tornTail?: string } = {}): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const text = [header, ...rows].map((r) => r.join(',')).join('\n') + '\n' + (opts.tornTail ?? '');
  writeFileSync(file, text);
}

export function sourceHeader(sources: string[]): string[] {
  return sources.flatMap((s) => [`${s}_ns`, `${s}_lo_ns`, `${s}_hi_ns`, `${s}_status`]);
}

export interface CoordRow { seq: number; send: number; stamps: Record<string, Stamp>; trueSend?: number | null }
export interface WorkerRow { seq: number; eventId?: string; recv: number; stamps: Record<string, Stamp>; trueRecv?: number | null }

export function writeCoordinator(dir: string, runId: string, sources: string[], rows: CoordRow[], opts: { tornTail?: string } = {}): void {
  writeCsv(path.join(dir, 'coordinator.csv'), ['run_id', 'event_id', 'seq', 'send_local_ns', ...sourceHeader(sources), 'true_send_ns'],
    rows.map((r) => [runId, String(r.seq), String(r.seq), abs(r.send), ...sources.flatMap((s) => stampCells(r.stamps[s])), abs(r.trueSend)]), opts);
}

export function writeWorker(dir: string, runId: string, node: string, sources: string[], rows: WorkerRow[], opts: { tornTail?: string } = {}): void {
  writeCsv(path.join(dir, 'workers', `${node}.csv`), ['run_id', 'node_id', 'event_id', 'seq', 'recv_local_ns', ...sourceHeader(sources), 'true_recv_ns'],
    rows.map((r) => [runId, node, r.eventId ?? String(r.seq), String(r.seq), abs(r.recv), ...sources.flatMap((s) => stampCells(r.stamps[s])), abs(r.trueRecv)]), opts);
}

export interface ReestRow { seq: number; source: string; delayS: number; recv: number; p?: number | null; lo: number | null; hi: number | null; trueRecv?: number | null; status?: string }

export function writeCommitWait(dir: string, runId: string, node: string, rows: ReestRow[]): void {
  writeCsv(path.join(dir, 'commit_wait', `${node}.csv`),
    ['run_id', 'node_id', 'event_id', 'seq', 'source', 'delay_s', 'recv_local_ns', 'reestimated_local_ns', 'point_ns', 'lo_ns', 'hi_ns', 'status', 'true_recv_ns'],
    rows.map((r) => [runId, node, String(r.seq), String(r.seq), r.source, String(r.delayS), abs(r.recv), abs(r.recv + r.delayS * 1000),
      abs(r.p ?? null), abs(r.lo), abs(r.hi), r.status ?? 'ok', abs(r.trueRecv ?? null)]));
}
