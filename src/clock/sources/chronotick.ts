// chronotick source, HTTP mode (`mode: "http"`, or a `url` given; the default mode reads the
// daemon's shared memory: chronotick-shm.ts). HTTP client for a ChronoTick server. On its own timer it sends
// `POST {url}/get_time` and expects `{"offset_ms": number, "uncertainty_ms": number ≥ 0}`; the
// reading is (host clock + offset) ± k · uncertainty. Every failure (timeout, HTTP error, HTML,
// NaN, negative uncertainty, missing field) becomes a status with a reason, never a number.
import type { Reading } from '../types.js';
import { EMPTY_READING } from '../types.js';
import { PolledSource, withContext, type PolledSourceContext, type PolledSourceOptions } from './polled-source.js';
import { ChronoTickShmSource, type ChronoTickShmOptions } from './chronotick-shm.js';
import { CHRONOTICK_DETAIL_COLUMNS } from '../../files/columns.js';

export interface ChronoTickAnswer {
  offset_ms: number;
  uncertainty_ms: number;
}

/** Validate a /get_time body; throws with a reason a person can act on. */
export function parseChronoTickAnswer(text: string, contentType: string | null): ChronoTickAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const kind = /html/i.test(contentType ?? '') || /^\s*</.test(text) ? 'HTML' : 'not JSON';
    throw new Error(`answer is ${kind}: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('answer is not a JSON object');
  const o = body as Record<string, unknown>;
  for (const k of ['offset_ms', 'uncertainty_ms'] as const) {
    if (!(k in o)) throw new Error(`answer has no ${k}`);
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw new Error(`${k} is not a finite number: ${JSON.stringify(o[k])}`);
  }
  const a = { offset_ms: o.offset_ms as number, uncertainty_ms: o.uncertainty_ms as number };
  if (a.uncertainty_ms < 0) throw new Error(`negative uncertainty_ms ${a.uncertainty_ms}`);
  return a;
}

export interface ChronoTickSourceOptions extends PolledSourceOptions {
  /** Server base URL, e.g. http://127.0.0.1:8124 (the source posts to {url}/get_time). */
  url: string;
  /** Interval half-width = k · uncertainty (default 3). */
  k?: number;
  /** A request without a full answer after this long is an error (ms, default 1000). */
  timeoutMs?: number;
  /**
   * +1 (default): offset_ms is true − local (corrected time = clock + offset, the NTP sign);
   * −1 for a server that reports local − true.
   */
  offsetSign?: 1 | -1;
  /** Extra growth of the half-width since the answer, ppm (default 0: report ChronoTick's own claim). */
  growthPpm?: number;
}

interface Answer {
  offsetNs: number;
  uncNs: number;
  monoNs: bigint;
}

export class ChronoTickSource extends PolledSource<Answer, ChronoTickSourceOptions> {
  readonly endpoint: string;
  private readonly k: number;
  /** Same columns as the shared-memory mode; the HTTP answer has neither, so they stay empty. */
  readonly detailColumns = CHRONOTICK_DETAIL_COLUMNS;
  details(): [null, null] {
    return [null, null];
  }

  constructor(opts: ChronoTickSourceOptions) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new Error(`chronotick source: url ${JSON.stringify(opts.url)} is not a URL (e.g. http://127.0.0.1:8124)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`chronotick source: url must be http(s), got ${u.protocol}`);
    const k = opts.k ?? 3;
    if (!(Number.isFinite(k) && k > 0)) throw new Error(`chronotick source: k must be > 0, got ${String(opts.k)}`);
    super(opts, {
      kind: 'chronotick',
      warmup: { minSamples: 5, minSpanMs: 2000, maxSpreadNs: 5_000_000, maxDriftErrPpm: 100 },
      agesOut: true,
    });
    this.endpoint = opts.url.replace(/\/+$/, '') + '/get_time';
    this.k = k;
  }

  protected readModel(a: Answer, localNs: bigint, monoNs: bigint): Reading {
    const age = monoNs >= a.monoNs ? monoNs - a.monoNs : a.monoNs - monoNs;
    if (age > this.staleNs) return EMPTY_READING('stale');
    const host = localNs + this.frame.hostMinusLocalNs(monoNs);
    const point = host + BigInt(Math.round(a.offsetNs));
    const hw = BigInt(Math.ceil(this.k * a.uncNs + (this.opts.growthPpm ?? 0) * 1e-6 * Number(age)));
    return { point_ns: point, lo_ns: point - hw, hi_ns: point + hw, status: 'ok' };
  }

  summary(): Record<string, unknown> {
    const a = this.model;
    return {
      endpoint: this.endpoint,
      k: this.k,
      requests: this.polls,
      failures: this.failures,
      status: this.failure?.status ?? (a ? 'ok' : 'warming'),
      reason: this.failure?.reason ?? null,
      offset_ns: a ? Math.round(a.offsetNs) : null,
      uncertainty_ns: a ? Math.round(a.uncNs) : null,
    };
  }

  protected async poll(): Promise<void> {
    const t1 = this.opts.clock.nowNs();
    const m1 = process.hrtime.bigint();
    const row = this.newRow(t1, this.endpoint);
    let answer: ChronoTickAnswer;
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 1000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}: ${JSON.stringify(text.slice(0, 80))}`);
      answer = parseChronoTickAnswer(text, res.headers.get('content-type'));
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const reason =
        err.name === 'TimeoutError' || err.name === 'AbortError'
          ? `no answer within ${this.opts.timeoutMs ?? 1000} ms`
          : err.cause?.code
            ? `${this.endpoint}: ${err.cause.code}`
            : err.message;
      this.fail(row, { status: 'error', reason });
      return;
    }
    const m2 = process.hrtime.bigint();
    const sign = this.opts.offsetSign ?? 1;
    // The answer describes the clock during the request: attribute it to the request's midpoint.
    const a: Answer = { offsetNs: sign * answer.offset_ms * 1e6, uncNs: answer.uncertainty_ms * 1e6, monoNs: m1 + (m2 - m1) / 2n };
    this.model = a;
    this.failure = null;
    const r = this.read(t1);
    Object.assign(row, { offset_ns: Math.round(a.offsetNs), delay_ns: m2 - m1, accepted: 1 });
    const x = this.sinceFirstPoll(t1);
    // Unlike chrony and clockbound, an empty reading here (stale at once) leaves the detector as it is.
    if (r.point_ns !== null) this.detector.add(x, Number(r.point_ns - t1));
    this.emitRow(row, r, `uncertainty ${answer.uncertainty_ms} ms × k=${this.k}`);
  }
}

/**
 * Registry factory: options from `--config` under `sources.chronotick`. `mode` "shm" (default
 * without a url: the daemon's segment at `path`) or "http" (default with a url).
 */
export function createChronoTickSource(
  ctx: PolledSourceContext,
  options: Partial<ChronoTickSourceOptions & ChronoTickShmOptions> & { mode?: unknown },
): ChronoTickSource | ChronoTickShmSource {
  const mode = options.mode ?? (options.url !== undefined ? 'http' : 'shm');
  if (mode === 'http') {
    if (!options.url)
      throw new Error(
        'source "chronotick" in mode "http" needs a server url: set sources.chronotick.url (e.g. http://127.0.0.1:8124) in --config',
      );
    return new ChronoTickSource({ ...withContext(ctx, options), url: options.url });
  }
  if (mode !== 'shm')
    throw new Error(`source "chronotick": mode must be "shm" (the daemon's shared memory) or "http", got ${JSON.stringify(mode)}`);
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path === ''))
    throw new Error(
      `source "chronotick": path must be the segment's file name (e.g. /dev/shm/chronotick_shm), got ${JSON.stringify(options.path)}`,
    );
  return new ChronoTickShmSource(withContext(ctx, options));
}
