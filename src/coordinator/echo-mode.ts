import type { EchoMode } from '../files/echo-summary.js';
import { typedText } from '../cli/flag-values.js';
import { UsageError } from '../validate/index.js';

export type { EchoMode } from '../files/echo-summary.js';

/** Whether event `seq` asks for an echo under `mode`. */
export function echoAsked(mode: EchoMode, seq: number): boolean {
  return mode === 'on' ? true : mode === 'off' ? false : seq % mode.every === 0;
}

/**
 * `--echo` as typed (or a scenario's `echo`): on, off or an integer N ≥ 1 (one event in N, N = 1
 * is on); anything else is an error that echoes the value and says what to type.
 */
export function parseEchoMode(raw: unknown, flag = '--echo'): EchoMode {
  if (raw === 'on' || raw === 'off') return raw;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (text !== null && /^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n) && n >= 1) return n === 1 ? 'on' : { every: n };
  }
  throw new UsageError(
    `${flag} ${typedText(raw)}: use on, off or a whole number N ≥ 1 (one event in N asks each worker for an echo), e.g. ${flag} 10`,
  );
}

/** The mode as typed on a command line (run-local and deploy pass it on to the coordinator). */
export function echoModeArg(mode: EchoMode): string {
  return typeof mode === 'string' ? mode : String(mode.every);
}
