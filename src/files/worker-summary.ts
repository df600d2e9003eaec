// workers/<node>.summary.json (DESIGN section 4): what a worker writes when it ends
// (src/worker/worker.ts) and the reader that narrows it for analyze and run-local. A summary may
// come from an older or newer worker, or be damaged: unknown fields are tolerated, a field of the
// wrong type is left out with a problem to warn about, and nothing is filled in.
import { readFileSync } from 'node:fs';
import type { RejectReason } from '../protocol/messages.js';
import type { StampKind } from '../net/stamped-socket.js';
import type { SourceAvailability } from '../worker/readings.js';
import type { CommitWaitStats } from '../worker/commit-wait.js';
import { isBoolean, isCounts, isFiniteNumber, isPlainObject, isString, isStringArray, narrowFields, orNull } from './json-shape.js';

export interface WorkerSummary {
  run_id: string;
  node_id: string;
  received: number;
  recorded: number;
  rejected: Partial<Record<RejectReason | 'duplicate', number>>;
  first_seq: number | null;
  last_seq: number | null;
  ready_after_s: number | null;
  unready_sources: string[];
  ended_by: string;
  started_utc: string;
  ended_utc: string;
  write_error?: string;
  /** Rows accepted but never written (a write failed); 0 normally. */
  rows_unwritten: number;
  rows_written: number;
  authenticated: boolean;
  key_source: string;
  /** Rows already in the CSV when this process started (a restarted worker appends). */
  rows_before_restart: number;
  /** Re-estimation counters (tracked, rows, dropped beyond maxPending); null without an interval source. */
  commit_wait: CommitWaitStats | null;
  /** CPU time this process used (process.cpuUsage), for the per-event cost. */
  cpu_user_us: number;
  cpu_system_us: number;
  /** Simulated runs: what the local clock's faults actually did (steps with their times). */
  clock_faults: unknown;
  /** What recv_local_ns is: the kernel's arrival stamp of the datagram, or the JS callback's reading. */
  recv_stamp: StampKind;
  /** Kernel mode: datagrams without a usable kernel stamp (stamped in the callback instead); 0 in user mode. */
  recv_unstamped: number;
  /** SO_RCVBUF as the kernel reported it (bytes); null if never bound. */
  recv_buffer_bytes: number | null;
  /**
   * Kernel mode: how long (ms) the socket's poll rested after a wake-up when datagrams came faster
   * than one per rest (--recv-pause-ms); 0: never. User mode: 0. Absent in older summaries.
   */
  recv_pause_ms?: number;
  /**
   * Datagrams the kernel dropped at this worker's socket (receive buffer full) while it was open,
   * from the socket's own counter; null when no counter could be read (recv_kernel_drops_from says why).
   */
  recv_kernel_drops: number | null;
  /** The counter read: SO_MEMINFO, SO_RXQ_OVFL, /proc/net/udp(6), or "unavailable: why". */
  recv_kernel_drops_from: string;
  /** Authentic `ready?` queries left unanswered: a replayed query number, over the per-address rate, or too small for the reply. */
  ready_unanswered: Partial<Record<'replay' | 'rate' | 'too_small', number>>;
  /** Per stamped source: readings of recorded events, how many had no value, and the count per status. */
  readings_by_source: Record<string, SourceAvailability>;
  /** Echoes sent to the coordinator (events that asked for one); absent in summaries of workers without echoes. */
  echoes_sent?: number;
  /** Echoes whose send failed (counted, logged once; the event's row is kept). */
  echo_send_failed?: number;
  /** Datagrams that carried the echoes sent (fewer than echoes_sent when echoes were coalesced). */
  echo_datagrams?: number;
  /** Echo datagrams whose kernel transmit stamp was found (each reported by the next echo's follow-up). */
  echo_tx_stamped?: number;
}

/** The commit-wait counters as read: the delays are what readers need; the counters may be absent. */
export type CommitWaitRead = Pick<CommitWaitStats, 'delays_s'> & Partial<CommitWaitStats>;

/** A summary as read: every field that was present with the right type. */
export type WorkerSummaryRead = Partial<Omit<WorkerSummary, 'commit_wait'>> & { commit_wait?: CommitWaitRead | null };

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isFiniteNumber);

const isCommitWait = (v: unknown): v is CommitWaitRead =>
  isPlainObject(v) &&
  isNumberArray(v['delays_s']) &&
  (v['sources'] === undefined || isStringArray(v['sources'])) &&
  (['tracked', 'rows', 'pending', 'dropped'] as const).every((k) => v[k] === undefined || isFiniteNumber(v[k]));

const isAvailability = (v: unknown): v is Record<string, SourceAvailability> =>
  isPlainObject(v) &&
  Object.values(v).every(
    (a) =>
      isPlainObject(a) &&
      isFiniteNumber(a['readings']) &&
      isFiniteNumber(a['without_value']) &&
      (a['availability'] === null || isFiniteNumber(a['availability'])) &&
      isCounts(a['by_status']),
  );

const anything = (): boolean => true;
const numberOrNull = orNull(isFiniteNumber);

/** One check per field of the contract (a new field without a check does not compile). */
const CHECKS: { readonly [K in keyof WorkerSummary]-?: (v: unknown) => boolean } = {
  run_id: isString,
  node_id: isString,
  received: isFiniteNumber,
  recorded: isFiniteNumber,
  rejected: isCounts,
  first_seq: numberOrNull,
  last_seq: numberOrNull,
  ready_after_s: numberOrNull,
  unready_sources: isStringArray,
  ended_by: isString,
  started_utc: isString,
  ended_utc: isString,
  write_error: isString,
  rows_unwritten: isFiniteNumber,
  rows_written: isFiniteNumber,
  authenticated: isBoolean,
  key_source: isString,
  rows_before_restart: isFiniteNumber,
  commit_wait: orNull(isCommitWait),
  cpu_user_us: isFiniteNumber,
  cpu_system_us: isFiniteNumber,
  clock_faults: anything,
  recv_stamp: (v) => v === 'kernel' || v === 'user',
  recv_unstamped: isFiniteNumber,
  recv_buffer_bytes: numberOrNull,
  recv_pause_ms: isFiniteNumber,
  recv_kernel_drops: numberOrNull,
  recv_kernel_drops_from: isString,
  ready_unanswered: isCounts,
  readings_by_source: isAvailability,
  echoes_sent: isFiniteNumber,
  echo_send_failed: isFiniteNumber,
  echo_datagrams: isFiniteNumber,
  echo_tx_stamped: isFiniteNumber,
};

/** Every field of the contract; all but write_error are written by every current worker. */
export const WORKER_SUMMARY_FIELDS = Object.keys(CHECKS) as (keyof WorkerSummary)[];

export interface WorkerSummaryFile {
  /** The object as written (unknown fields included), e.g. to carry into stats.json; null when unreadable. */
  raw: Record<string, unknown> | null;
  /** The fields that have the contract's types; null when unreadable. */
  summary: WorkerSummaryRead | null;
  /** Why the file could not be read, or which fields were left out; empty when all is well. */
  problems: string[];
}

/** Narrow a parsed summary: the well-typed fields, and one problem per field of the wrong type. */
export function narrowWorkerSummary(v: unknown): WorkerSummaryFile {
  if (!isPlainObject(v)) return { raw: null, summary: null, problems: ['not a JSON object'] };
  const { value, problems } = narrowFields<WorkerSummary>(v, CHECKS);
  return { raw: v, summary: value as WorkerSummaryRead, problems };
}

/** Read and narrow a summary file; an unreadable file or invalid JSON is a problem, not a throw. */
export function readWorkerSummary(file: string): WorkerSummaryFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { raw: null, summary: null, problems: [`not valid JSON (${(err as Error).message})`] };
  }
  return narrowWorkerSummary(parsed);
}
