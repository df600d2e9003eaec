// Drives test/support/chronotick_writer.py: an independent writer of ChronoTick's segment built
// from the upstream struct format string (see the script's header for its commands).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PACKAGE_ROOT } from './helpers.js';

export const CT_WRITER_SCRIPT = path.join(PACKAGE_ROOT, 'test/support/chronotick_writer.py');

/** VALID | NTP_READY | MODELS_READY | WARMUP_COMPLETE, spelled out here rather than taken from the reader. */
export const WRITER_FLAGS = { VALID: 1, NTP_READY: 2, MODELS_READY: 4, WARMUP_COMPLETE: 8 } as const;
export const WRITER_SOURCE = { NO_DATA: 0, NTP: 1, CPU_MODEL: 2, GPU_MODEL: 3, FUSION: 4 } as const;

export interface WriterFields {
  offset_s?: number;
  drift_rate?: number;
  offset_unc_s?: number;
  drift_unc_s?: number;
  prediction_age_s?: number;
  valid_for_s?: number;
  confidence?: number;
  flags?: number;
  source?: number;
}

export interface ChronoTickWriter {
  /** Send one command, resolve with its answer line (rejects when the writer dies). */
  cmd(c: { op: string } & Record<string, unknown>): Promise<string>;
  set(f: WriterFields): Promise<string>;
  /** Publish once: [sequence number, prediction_time as Python printed it]. */
  publish(): Promise<[number, string]>;
  close(): Promise<void>;
  proc: ChildProcessWithoutNullStreams;
}

export async function startChronoTickWriter(segment: string): Promise<ChronoTickWriter> {
  const proc = spawn('python3', [CT_WRITER_SCRIPT, segment], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting: Array<{ ok: (l: string) => void; fail: (e: Error) => void }> = [];
  const lines = createInterface({ input: proc.stdout });
  lines.on('line', (l) => waiting.shift()?.ok(l));
  proc.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.fail(new Error(`chronotick writer exited ${code}: ${stderr}`));
  });
  const next = (): Promise<string> => new Promise((ok, fail) => waiting.push({ ok, fail }));
  const first = await next();
  if (first !== 'ready') throw new Error(`chronotick writer said ${first}: ${stderr}`);
  const cmd = (c: { op: string } & Record<string, unknown>): Promise<string> => {
    const p = next();
    proc.stdin.write(JSON.stringify(c) + '\n');
    return p;
  };
  return {
    proc,
    cmd,
    set: (f) => cmd({ op: 'set', ...f }),
    publish: async () => {
      const [, seq, pred] = (await cmd({ op: 'publish' })).split(' ');
      return [Number(seq), pred!];
    },
    close: async () => {
      if (proc.exitCode !== null) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.stdin.end();
      await done;
    },
  };
}

/** A decimal text of Unix seconds (as Python's repr prints a float) → integer ns, exactly (rounded half up). */
export function decimalSecondsToNs(text: string): bigint {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`not a decimal number of seconds: ${text}`);
  const frac = (m[2] ?? '').padEnd(10, '0');
  const ns = BigInt(m[1]!) * 1_000_000_000n + BigInt(frac.slice(0, 9));
  return Number(frac[9]) >= 5 ? ns + 1n : ns;
}
