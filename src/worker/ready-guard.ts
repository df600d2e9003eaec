// Which `ready?` queries a worker answers. A status reply goes to the query's source address,
// which nobody checks, so a query must not make the worker a reflector: the reply is never
// larger than the query (fitStatus), a keyed worker answers each query number once (a replay of
// an old authentic query gets nothing), and one address gets at most `perSecond` replies.
import { encodeMessage, type StatusReply } from '../protocol/messages.js';

export type ReadyVerdict = 'answer' | 'replay' | 'rate';

export interface ReadyGuardOptions {
  /** Keyed runs: only a query number above every answered one is answered. */
  replayCheck: boolean;
  /** Replies per address per second, sustained (the coordinator asks about 3 times a second). */
  perSecond?: number;
  /** Replies an address may get in a burst. */
  burst?: number;
  now?: () => number;
}

export class ReadyGuard {
  private highest = -1;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(private readonly o: ReadyGuardOptions) {
    this.perMs = (o.perSecond ?? 100) / 1000;
    this.burst = o.burst ?? 100;
    this.now = o.now ?? (() => performance.now());
  }

  /** Whether to answer query number `n` from `address`; an answered `n` is used up. */
  admit(n: number, address: string): ReadyVerdict {
    if (this.o.replayCheck && n <= this.highest) return 'replay';
    const t = this.now();
    let b = this.buckets.get(address);
    if (!b) {
      // Bounded memory under a flood from many (spoofed) addresses: forget the idle ones.
      if (this.buckets.size >= 1024) for (const [a, x] of this.buckets) if (t - x.at > this.burst / this.perMs) this.buckets.delete(a);
      if (this.buckets.size >= 1024) return 'rate';
      b = { tokens: this.burst, at: t };
      this.buckets.set(address, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
    b.at = t;
    if (b.tokens < 1) return 'rate';
    b.tokens -= 1;
    if (this.o.replayCheck) this.highest = n;
    return 'answer';
  }
}

/**
 * The status encoded in at most `maxBytes`: as is, else with each source's detail cut short, else
 * without details; null if even that does not fit (the query was too small to be answered).
 */
export function fitStatus(status: StatusReply, maxBytes: number, key: Buffer | null): Buffer | null {
  const full = encodeMessage(status, key);
  if (full.length <= maxBytes) return full;
  for (const keep of [24, 0]) {
    const sources: StatusReply['sources'] = {};
    for (const [name, r] of Object.entries(status.sources)) sources[name] = { ready: r.ready, detail: r.detail.slice(0, keep) };
    const b = encodeMessage({ ...status, sources }, key);
    if (b.length <= maxBytes) return b;
  }
  return null;
}
