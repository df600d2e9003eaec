import { EXIT } from '../cli/exit-codes.js';
import type { SocketAsPromised } from 'dgram-as-promised';
import { encodeEndCommand, encodeReadyQuery, type ByeReply, type StatusReply } from '../protocol/messages.js';
import type { Logger } from '../cli/logger.js';

/** Workers did not answer ready in time: the run could not start (exit 5). */
export class NotReadyError extends Error {
  readonly exitCode: number = EXIT.notReady;
}

export interface WorkerAddress {
  host: string;
  port: number;
  label: string;
}

/** Parse "host:port" (IPv4, a name, or [IPv6]:port) with a clear error. */
export function parseWorkerAddress(s: string): WorkerAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:\s]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`worker address "${s}" is not host:port`);
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) throw new Error(`worker address "${s}": port must be 1-65535`);
  return { host: m[1]!, port, label: s };
}

/**
 * Control-plane conversations with the workers over the coordinator's socket: the `ready?`
 * barrier and the `end` handshake. Replies are routed here by the socket's message handler.
 */
export class ControlClient {
  private statuses = new Map<string, StatusReply>();
  private byes = new Map<string, ByeReply>();
  /** `ready?` number: above any an earlier coordinator of this run sent (µs since the epoch), one more per round. */
  private readyN = Date.now() * 1000;
  /** When each worker last answered `end` with status `ending` (alive, finishing re-estimations). */
  private lastEnding = new Map<string, number>();

  constructor(
    private readonly socket: SocketAsPromised,
    private readonly workers: WorkerAddress[],
    private readonly runId: string,
    private readonly key: Buffer | null,
    private readonly log: Logger,
  ) {}

  onStatus(from: string, msg: StatusReply): void {
    this.statuses.set(from, msg);
    if (msg.state === 'ending') this.lastEnding.set(from, Date.now());
  }
  onBye(from: string, msg: ByeReply): void {
    this.byes.set(from, msg);
  }

  private sendAll(kind: 'ready?' | 'end', only?: (w: WorkerAddress) => boolean): void {
    const buf = kind === 'ready?' ? encodeReadyQuery(this.runId, ++this.readyN, this.key) : encodeEndCommand(this.runId, this.key);
    for (const w of this.workers) if (!only || only(w)) this.socket.socket.send(buf, w.port, w.host);
  }

  /**
   * Ask every worker `ready?` until all say ready, or `stopped()` (a stop signal) says to give up;
   * throw a NotReadyError naming who waits on what at the deadline.
   */
  async waitReady(timeoutMs: number, stopped: () => boolean = () => false): Promise<Map<string, StatusReply>> {
    const start = Date.now();
    let lastLog = 0;
    for (;;) {
      const waiting = this.workers.filter((w) => this.statuses.get(w.label)?.state !== 'ready');
      if (waiting.length === 0 || stopped()) return this.statuses;
      const now = Date.now();
      const what = groupWaiting(waiting.map((w) => [w.label, describe(this.statuses.get(w.label))]));
      if (now - start > timeoutMs) throw new NotReadyError(`workers not ready after ${timeoutMs / 1000} s: ${what}`);
      if (now - lastLog > 3000) {
        this.log.info(`waiting for ${waiting.length}/${this.workers.length} workers: ${what}`);
        lastLog = now;
      }
      this.sendAll('ready?', (w) => waiting.includes(w));
      await sleep(300);
    }
  }

  /**
   * Send `end` until every worker says bye; returns the workers that did not. `timeoutMs` is the
   * longest SILENCE allowed: a worker that answers `end` with status `ending` is alive and
   * finishing its re-estimations (up to its longest commit-wait delay), so each such answer
   * restarts its clock. A worker that never answers is given up after `timeoutMs`.
   */
  async end(timeoutMs: number): Promise<{ byes: Map<string, ByeReply>; silent: string[] }> {
    const start = Date.now();
    const deadline = (w: WorkerAddress) => Math.max(start, this.lastEnding.get(w.label) ?? 0) + timeoutMs;
    let announced = false;
    for (;;) {
      const now = Date.now();
      const waiting = this.workers.filter((w) => !this.byes.has(w.label) && now < deadline(w));
      if (waiting.length === 0) break;
      const finishing = waiting.filter((w) => this.lastEnding.has(w.label));
      if (finishing.length && !announced) {
        announced = true;
        this.log.info(`waiting for ${finishing.length} workers to finish their re-estimations (they answer "ending")`);
      }
      this.sendAll('end', (w) => waiting.includes(w));
      await sleep(500);
    }
    return { byes: this.byes, silent: this.workers.filter((w) => !this.byes.has(w.label)).map((w) => w.label) };
  }
}

/**
 * "label: state; …" for a few workers; workers in the same state are grouped so 64 of them stay
 * one readable line: "no answer yet: 40 workers (a, b, … and 32 more)".
 */
export function groupWaiting(items: readonly (readonly [string, string])[], shown = 6): string {
  const groups = new Map<string, string[]>();
  for (const [label, state] of items) groups.set(state, [...(groups.get(state) ?? []), label]);
  if (items.length <= shown) return items.map(([l, st]) => `${l}: ${st}`).join('; ');
  return [...groups]
    .map(([state, labels]) => {
      const more = labels.length > shown ? ` and ${labels.length - shown} more` : '';
      return `${state}: ${labels.length} worker(s) (${labels.slice(0, shown).join(', ')}${more})`;
    })
    .join('; ');
}

function describe(s: StatusReply | undefined): string {
  if (!s) return 'no answer yet';
  const pending = Object.entries(s.sources)
    .filter(([, r]) => !r.ready)
    .map(([n, r]) => `${n} (${r.detail})`);
  return `${s.state}${pending.length ? ', waiting on ' + pending.join(', ') : ''}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
