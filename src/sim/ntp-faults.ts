import { Prng, seedOf } from './prng.js';
import type { NtpFaultDecision, NtpRequestContext, NtpServerBehaviour } from '../ntp-server/behaviour.js';
import { sampleDelayMs, validateDelayDist, type DelayDistSpec } from './delay-dist.js';
import { expectObject, expectProbability, optionalNumber } from '../validate/index.js';

/**
 * Faults an SNTP server injects into its exchanges. Delays are added on the request path
 * (before the server stamps t2: the request "arrives" later) and on the reply path (after t3),
 * so an asymmetry request ≠ reply biases the client's offset by (request − reply)/2 while the
 * measured delay grows by their sum, exactly as on a real asymmetric path.
 */
export interface NtpFaultSpec {
  /** Added on both paths, drawn independently for each. */
  delay?: DelayDistSpec;
  /** Extra delay on the request path only (client → server). */
  request_delay?: DelayDistSpec;
  /** Extra delay on the reply path only (server → client). */
  reply_delay?: DelayDistSpec;
  /** Probability that a request goes unanswered. */
  loss?: number;
  /** Falseticker: the server serves time offset by this many ms (t2 and t3 both). */
  falseticker_offset_ms?: number;
  seed?: number;
}

const FIELDS = ['delay', 'request_delay', 'reply_delay', 'loss', 'falseticker_offset_ms', 'seed'] as const;

export function validateNtpFaultSpec(v: unknown, field = 'faults'): NtpFaultSpec {
  const o = expectObject(v, field, FIELDS);
  const out: NtpFaultSpec = {};
  if (o.delay !== undefined) out.delay = validateDelayDist(o.delay, `${field}.delay`);
  if (o.request_delay !== undefined) out.request_delay = validateDelayDist(o.request_delay, `${field}.request_delay`);
  if (o.reply_delay !== undefined) out.reply_delay = validateDelayDist(o.reply_delay, `${field}.reply_delay`);
  if (o.loss !== undefined) out.loss = expectProbability(o.loss, `${field}.loss`);
  const ft = optionalNumber(o.falseticker_offset_ms, `${field}.falseticker_offset_ms`);
  if (ft !== undefined) out.falseticker_offset_ms = ft;
  const seed = optionalNumber(o.seed, `${field}.seed`, { integer: true, min: 0, max: 2 ** 32 - 1 });
  if (seed !== undefined) out.seed = seed;
  return out;
}

export interface RealisedNtpFaults {
  spec: NtpFaultSpec;
  seed: number;
  requests: number;
  dropped: number;
  request_delay_ms: { mean: number | null; max: number | null };
  reply_delay_ms: { mean: number | null; max: number | null };
  serve_offset_ns: bigint;
}

/**
 * The server-side fault behaviour (the NTP server's `NtpServerBehaviour` hook). Each decision is
 * a pure function of (seed, request seq), so the same scenario + seed replays the same drops
 * and delays for the same request numbers, whatever the timing of the run.
 */
export class NtpFaultBehaviour implements NtpServerBehaviour {
  readonly spec: NtpFaultSpec;
  readonly seed: number;
  private readonly offsetNs: bigint;
  private n = 0;
  private dropped = 0;
  private reqSum = 0;
  private reqMax: number | null = null;
  private repSum = 0;
  private repMax: number | null = null;

  constructor(spec: NtpFaultSpec, seed = spec.seed ?? 1) {
    this.spec = validateNtpFaultSpec(spec);
    this.seed = seed;
    this.offsetNs = BigInt(Math.round((spec.falseticker_offset_ms ?? 0) * 1e6));
  }

  /** The decision for request number `seq` (1-based). Draws are made in a fixed order. */
  decisionFor(seq: number): NtpFaultDecision {
    const s = this.spec;
    const r = new Prng(seedOf(this.seed, 0x4e5450, seq));
    const drop = r.chance(s.loss ?? 0);
    const both1 = s.delay !== undefined ? sampleDelayMs(s.delay, r) : 0;
    const both2 = s.delay !== undefined ? sampleDelayMs(s.delay, r) : 0;
    const requestDelayMs = both1 + (s.request_delay !== undefined ? sampleDelayMs(s.request_delay, r) : 0);
    const replyDelayMs = both2 + (s.reply_delay !== undefined ? sampleDelayMs(s.reply_delay, r) : 0);
    return drop ? { drop } : { requestDelayMs, replyDelayMs, offsetNs: this.offsetNs };
  }

  decide(ctx: NtpRequestContext): NtpFaultDecision {
    const d = this.decisionFor(ctx.seq);
    this.n++;
    if (d.drop) {
      this.dropped++;
    } else {
      const req = d.requestDelayMs ?? 0;
      const rep = d.replyDelayMs ?? 0;
      this.reqSum += req;
      this.reqMax = Math.max(this.reqMax ?? req, req);
      this.repSum += rep;
      this.repMax = Math.max(this.repMax ?? rep, rep);
    }
    return d;
  }

  /** Counts and delay summary of what was actually decided, for the manifest. */
  realised(): RealisedNtpFaults {
    const answered = this.n - this.dropped;
    return {
      spec: this.spec,
      seed: this.seed,
      requests: this.n,
      dropped: this.dropped,
      request_delay_ms: { mean: answered ? this.reqSum / answered : null, max: this.reqMax },
      reply_delay_ms: { mean: answered ? this.repSum / answered : null, max: this.repMax },
      serve_offset_ns: this.offsetNs,
    };
  }
}
