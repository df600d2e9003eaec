// echo/summary.json (docs/csv-schema.md): the coordinator's echo counters, written once at the end
// (src/coordinator/echo-recorder.ts), and the reader that narrows it for analyze. Like the worker
// summary's reader: unknown fields are tolerated, a field of the wrong type is left out with a problem.
import { readFileSync } from 'node:fs';
import { isCounts, isFiniteNumber, isPlainObject, narrowFields } from './json-shape.js';

/** `--echo`: every event, none, or one in N (seq % N == 0). */
export type EchoMode = 'on' | 'off' | { every: number };

/**
 * Why an echo datagram did not land in echo/<node>.csv: the codec's reasons, `duplicate` (a second
 * echo of one (event, node): a replay or a network copy), `unknown_event` (an event never sent, or
 * sent without `ec`), `node_mismatch` (a node other than the first one that echoed on that
 * worker's socket), `too_old` (an event beyond the recorder's window of recent sends).
 */
export const ECHO_REJECT_REASONS = [
  'bad_tag',
  'untagged',
  'bad_json',
  'bad_shape',
  'wrong_run',
  'unknown_version',
  'oversize',
  'duplicate',
  'unknown_event',
  'node_mismatch',
  'too_old',
] as const;
export type EchoRejectReason = (typeof ECHO_REJECT_REASONS)[number];

export interface EchoSummary {
  mode: EchoMode;
  /** Events that carried `ec` (each asked every worker). */
  asked: number;
  /** What echo_recv_local_ns is: the kernel's arrival stamp (SO_TIMESTAMPNS) or the JS callback's reading. */
  stamp: 'kernel' | 'user';
  /** Rows recorded per node (first echo of each (event, node)). */
  received_by_node: Record<string, number>;
  /** Echo datagrams not recorded, per reason; every reason is present (0 when none). */
  rejected: Record<EchoRejectReason, number>;
  /** Kernel stamps only: echoes that came without a usable kernel stamp (stamped in the callback instead). */
  unstamped?: number;
  /** Echo datagrams whose worker's follow-up gave their kernel transmit stamp (rows with held_kernel_ns). */
  follow_ups?: number;
}

export const isEchoMode = (v: unknown): v is EchoMode =>
  v === 'on' || v === 'off' || (isPlainObject(v) && Number.isSafeInteger(v['every']) && (v['every'] as number) >= 1);

const CHECKS: { readonly [K in keyof EchoSummary]-?: (v: unknown) => boolean } = {
  mode: isEchoMode,
  asked: isFiniteNumber,
  stamp: (v) => v === 'kernel' || v === 'user',
  received_by_node: isCounts,
  rejected: isCounts,
  unstamped: isFiniteNumber,
  follow_ups: isFiniteNumber,
};

export interface EchoSummaryFile {
  /** The fields that have the contract's types; null when unreadable. */
  summary: Partial<EchoSummary> | null;
  /** Why the file could not be read, or which fields were left out; empty when all is well. */
  problems: string[];
}

export function narrowEchoSummary(v: unknown): EchoSummaryFile {
  if (!isPlainObject(v)) return { summary: null, problems: ['not a JSON object'] };
  const { value, problems } = narrowFields<EchoSummary>(v, CHECKS);
  return { summary: value, problems };
}

/** Read and narrow echo/summary.json; an unreadable file or invalid JSON is a problem, not a throw. */
export function readEchoSummary(file: string): EchoSummaryFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { summary: null, problems: [`not valid JSON (${(err as Error).message})`] };
  }
  return narrowEchoSummary(parsed);
}
