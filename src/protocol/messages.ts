import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceStatus } from '../clock/types.js';
import { isPlainObject } from '../files/json-shape.js';

export const PROTOCOL_VERSION = 1;
export const MAX_DATAGRAM_BYTES = 1200;

/** A coordinator stamp for one source: [point, lo, hi, status]; values are decimal ns strings or ''. */
export type WireStamp = [string, string, string, SourceStatus];

export interface EventMessage {
  v: 1;
  k: 'ev';
  run: string;
  id: number;
  seq: number;
  /** Coordinator send stamps per source. */
  st: Record<string, WireStamp>;
  /** Host (true) send time in simulated runs. */
  tt?: string;
  /** 1: the coordinator asks this worker for an echo of this event (absent: no echo). */
  ec?: 1;
  /** Per-worker piggyback of earlier echoes' four timestamps (at most MAX_EB_ENTRIES). */
  eb?: EchoBackEntry[];
}
/**
 * [seq, s, e, r, h] of an earlier event this worker echoed: the coordinator's send stamp s and
 * its echo arrival e (coordinator local clock), the worker's receive stamp r and hold h as the
 * echo carried them (ns strings).
 */
export type EchoBackEntry = [number, string, string, string, string];
/**
 * One echoed event inside an echo datagram: [seq, dr, h] — the event (events' ids are their seqs),
 * the worker's receive stamp as its difference from the datagram's `r0` (r = r0 + dr, local clock
 * ns), and how long it held the event before the datagram left, h = t − r (monotonic ns, ≥ 0).
 */
export type EchoRecord = [number, number, number];
/** The most records one echo datagram carries (the decoder rejects more). */
export const MAX_ECHO_RECORDS = 32;
/**
 * A worker's answer to events carrying `ec`: one record per event, several when the worker
 * coalesced the echoes of events that came close together (each record keeps its own hold).
 */
export interface EchoMessage {
  v: 1;
  k: 'echo';
  run: string;
  node: string;
  /** The first record's receive stamp (ns string); the others are given relative to it. */
  r0: string;
  x: EchoRecord[];
  /**
   * Follow-up of this worker's previous echo datagram, [its first record's seq, Δ ns string]: the
   * kernel's transmit stamp of that datagram came Δ ≥ 0 after the instant its holds were read, so
   * each of its holds was Δ longer (two-step, as PTP's Follow_Up). Absent: no stamp to report.
   */
  fu?: [number, string];
}

/** One record of an echo with its receive stamp r and hold h as exact ns strings. */
export interface EchoedEvent {
  seq: number;
  r: string;
  h: string;
}

/** The records of a decoded echo, r = r0 + dr computed exactly. */
export function echoedEvents(msg: EchoMessage): EchoedEvent[] {
  const r0 = BigInt(msg.r0);
  return msg.x.map(([seq, dr, h]) => ({ seq, r: (r0 + BigInt(dr)).toString(), h: String(h) }));
}
/**
 * `n` grows with every query a coordinator sends (it starts from its start time in µs), so a keyed
 * worker answers each `n` once and a replayed query gets nothing. `pad` makes the query as large
 * as the status it asks for: the worker never answers with more bytes than it was sent.
 */
export interface ReadyQuery {
  v: 1;
  k: 'ready?';
  run: string;
  n: number;
  pad?: string;
}
/** `pad`, as in `ready?`: the worker's `ending` status, sent back to each repeated `end`, is never larger than the `end`. */
export interface EndCommand {
  v: 1;
  k: 'end';
  run: string;
  pad?: string;
}
export interface StatusReply {
  v: 1;
  k: 'status';
  run: string;
  node: string;
  state: 'warming' | 'ready' | 'ending';
  sources: Record<string, { ready: boolean; detail: string }>;
}
export interface ByeReply {
  v: 1;
  k: 'bye';
  run: string;
  node: string;
  received: number;
}
export type Message = EventMessage | ReadyQuery | EndCommand | StatusReply | ByeReply | EchoMessage;

/**
 * Why the codec rejected a datagram; each kind is counted separately in the worker summary. A
 * replay passes the codec (its tag is valid): the worker counts it as `duplicate`, the same
 * counter as a network duplicate, since the two cannot be told apart there.
 */
export type RejectReason = 'oversize' | 'bad_json' | 'bad_shape' | 'unknown_version' | 'wrong_run' | 'untagged' | 'bad_tag';

export type DecodeResult = { ok: true; msg: Message } | { ok: false; reason: RejectReason; detail: string };

const TAG_SEP = 0x0a; // '\n' never occurs inside compact JSON
const TAG_LEN = 43; // base64url of 32 bytes, unpadded

/** Encode compact JSON; with a key, append '\n' + base64url(HMAC-SHA256(body)). */
export function encodeMessage(msg: Message, key?: Buffer | null): Buffer {
  const body = Buffer.from(JSON.stringify(msg));
  if (!key) return body;
  const tag = createHmac('sha256', key).update(body).digest('base64url');
  return Buffer.concat([body, Buffer.from([TAG_SEP]), Buffer.from(tag)]);
}

/** A `ready?` padded to MAX_DATAGRAM_BYTES of JSON, so that a worker's full status fits in its size. */
export function encodeReadyQuery(run: string, n: number, key?: Buffer | null): Buffer {
  const bare = Buffer.byteLength(JSON.stringify({ v: 1, k: 'ready?', run, n, pad: '' }));
  return encodeMessage({ v: 1, k: 'ready?', run, n, pad: '.'.repeat(Math.max(0, MAX_DATAGRAM_BYTES - bare)) }, key);
}

/** An `end` padded like a `ready?`, so that the status a worker still finishing its re-estimations sends back fits in its size. */
export function encodeEndCommand(run: string, key?: Buffer | null): Buffer {
  const bare = Buffer.byteLength(JSON.stringify({ v: 1, k: 'end', run, pad: '' }));
  return encodeMessage({ v: 1, k: 'end', run, pad: '.'.repeat(Math.max(0, MAX_DATAGRAM_BYTES - bare)) }, key);
}

/** One source's stamp as the coordinator reads it (the fields of a clock Reading). */
export interface EventStamp {
  point_ns: bigint | null;
  lo_ns: bigint | null;
  hi_ns: bigint | null;
  status: SourceStatus;
}

/**
 * The event messages of one run, encoded on the coordinator's send path: the same bytes as
 * encodeMessage({ v: 1, k: 'ev', run, id: seq, seq, st, tt? }, key) with `st` holding one
 * [point, lo, hi, status] per source in `sourceNames` order, but written straight from the stamps
 * after a prefix built once: no `st` record, no wire arrays, no JSON.stringify walk between the
 * send stamp and the datagram (about half the time in a microbenchmark).
 */
export function eventEncoder(
  runId: string,
  sourceNames: readonly string[],
  key?: Buffer | null,
): (seq: number, stamps: readonly EventStamp[], trueNs: bigint | null, echo?: boolean) => Buffer {
  const parts = eventParts(runId, sourceNames, key);
  return (seq, stamps, trueNs, echo = false) => parts.seal(parts.open(seq, stamps, trueNs, echo), null);
}

/**
 * An event in two steps, for datagrams that differ per worker: `open` writes the JSON of what
 * every worker gets, without its closing brace; `seal` closes it, after an optional per-worker
 * suffix (an `eb` from ebSuffix), and tags it. Sealing the same open text twice costs one HMAC each.
 */
export function eventParts(
  runId: string,
  sourceNames: readonly string[],
  key?: Buffer | null,
): {
  open: (seq: number, stamps: readonly EventStamp[], trueNs: bigint | null, echo: boolean) => string;
  seal: (open: string, suffix: string | null) => Buffer;
} {
  if (new Set(sourceNames).size !== sourceNames.length) throw new Error(`duplicate source name in ${sourceNames.join(',')}`);
  const head = `{"v":1,"k":"ev","run":${JSON.stringify(runId)},"id":`;
  const opens = sourceNames.map((n, i) => `${i > 0 ? ',' : ''}${JSON.stringify(n)}:["`);
  const ns = (v: bigint | null): string => (v === null ? '' : v.toString());
  const open = (seq: number, stamps: readonly EventStamp[], trueNs: bigint | null, echo: boolean): string => {
    if (stamps.length !== opens.length) throw new Error(`${stamps.length} stamps for ${opens.length} sources`);
    let s = head + seq + ',"seq":' + seq + ',"st":{';
    for (let i = 0; i < opens.length; i++) {
      const r = stamps[i]!;
      s += opens[i]! + ns(r.point_ns) + '","' + ns(r.lo_ns) + '","' + ns(r.hi_ns) + '",' + JSON.stringify(r.status) + ']';
    }
    s += trueNs === null ? '}' : '},"tt":"' + trueNs.toString() + '"';
    return echo ? s + ',"ec":1' : s;
  };
  const seal = (open: string, suffix: string | null): Buffer => {
    const s = suffix === null ? open + '}' : open + suffix + '}';
    if (!key) return Buffer.from(s);
    return Buffer.from(s + '\n' + createHmac('sha256', key).update(s).digest('base64url'));
  };
  return { open, seal };
}

/** The most `eb` entries one event may carry (the decoder rejects more). */
export const MAX_EB_ENTRIES = 4;

/** The text `,"eb":[[seq,"s","e","r","h"],...]` that eventParts' `seal` appends for one worker. */
export function ebSuffix(entries: readonly EchoBackEntry[]): string {
  let s = ',"eb":[';
  for (let i = 0; i < entries.length; i++) {
    const [seq, sNs, eNs, rNs, hNs] = entries[i]!;
    s += (i > 0 ? ',[' : '[') + seq + ',"' + sNs + '","' + eNs + '","' + rNs + '","' + hNs + '"]';
  }
  return s + ']';
}

/** Node names on the wire (they become file names: echo/<node>.csv). */
export const WIRE_NODE_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** An event waiting in a worker's echo datagram: its receive stamp r and its arrival on CLOCK_MONOTONIC. */
export interface PendingEcho {
  seq: number;
  rNs: bigint;
  mono: bigint;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The echoes of one worker, encoded on its send path: for each group of records, the same bytes as
 * encodeMessage({ v: 1, k: 'echo', run, node, r0, x }, key) with each hold h = tMono − mono. Records
 * go into as few datagrams as fit MAX_DATAGRAM_BYTES (one, unless the ids or stamps are extreme).
 */
export function echoEncoder(
  runId: string,
  node: string,
  key?: Buffer | null,
): (records: readonly PendingEcho[], tMono: bigint, followUp?: FollowUp | null) => Buffer[] {
  const head = `{"v":1,"k":"echo","run":${JSON.stringify(runId)},"node":${JSON.stringify(node)},"r0":"`;
  const headBytes = Buffer.byteLength(head);
  const seal = (s: string): Buffer =>
    key ? Buffer.from(s + '\n' + createHmac('sha256', key).update(s).digest('base64url')) : Buffer.from(s);
  return (records, tMono, followUp = null) => {
    const out: Buffer[] = [];
    let i = 0;
    while (i < records.length) {
      const r0 = records[i]!.rNs;
      let s = head + r0.toString() + '","x":[';
      // Bytes so far: the head may hold any UTF-8; the records are ASCII.
      let bytes = headBytes + s.length - head.length;
      let n = 0;
      for (; i < records.length; i++) {
        const x = records[i]!;
        const dr = x.rNs - r0;
        const h = tMono - x.mono;
        if (dr > MAX_SAFE || dr < -MAX_SAFE || h > MAX_SAFE) {
          if (n === 0) throw new RangeError(`echo of seq ${x.seq}: hold ${h} ns out of range`);
          break;
        }
        const rec = (n > 0 ? ',[' : '[') + x.seq + ',' + dr.toString() + ',' + h.toString() + ']';
        if (n > 0 && bytes + rec.length + 2 > MAX_DATAGRAM_BYTES) break;
        s += rec;
        bytes += rec.length;
        n++;
      }
      // the follow-up rides in the first datagram only
      const fu = followUp !== null && out.length === 0 ? `,"fu":[${followUp.seq},"${followUp.deltaNs}"]` : '';
      out.push(seal(s + ']' + fu + '}'));
    }
    return out;
  };
}

/** EchoMessage.fu before encoding: the previous echo datagram's first seq and its Δ (ns, ≥ 0). */
export interface FollowUp {
  seq: number;
  deltaNs: bigint;
}

const NS_RE = /^-?[0-9]{1,19}$/;
const SOURCE_NAME_RE = /^[a-z][a-z0-9_]{0,31}$/;
/** Source names already checked: every event repeats the same few (bounded, so a flood of new names cannot grow it). */
const goodSourceNames = new Set<string>();
function isSourceName(name: string): boolean {
  if (goodSourceNames.has(name)) return true;
  if (!SOURCE_NAME_RE.test(name)) return false;
  if (goodSourceNames.size < 64) goodSourceNames.add(name);
  return true;
}
const STATUSES = new Set(['ok', 'degraded', 'warming', 'unsynced', 'stale', 'error', 'absent']);
const isUint = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isNs = (x: unknown): x is string => typeof x === 'string' && NS_RE.test(x) && withinInt64(x);
const isNsOrEmpty = (x: unknown): boolean => x === '' || isNs(x);
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const isSafeInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
/**
 * `x`: 1 to MAX_ECHO_RECORDS records [seq, dr, h] with r0 + dr within int64; h is a difference of two
 * monotonic readings, later minus earlier: never negative.
 */
function isEchoRecords(x: unknown, r0: string): boolean {
  if (!Array.isArray(x) || x.length < 1 || x.length > MAX_ECHO_RECORDS) return false;
  const base = BigInt(r0);
  return x.every(
    (e) =>
      Array.isArray(e) &&
      e.length === 3 &&
      isUint(e[0]) &&
      isSafeInt(e[1]) &&
      isUint(e[2]) &&
      base + BigInt(e[1] as number) <= INT64_MAX &&
      base + BigInt(e[1] as number) >= INT64_MIN,
  );
}
/** `fu`: [seq, Δ] with Δ a non-negative ns string. */
const isFollowUp = (x: unknown): boolean =>
  Array.isArray(x) && x.length === 2 && isUint(x[0]) && isNs(x[1]) && !(x[1] as string).startsWith('-');
/** `eb`: 1 to MAX_EB_ENTRIES entries [seq, s, e, r, h], every stamp a non-empty ns string, h ≥ 0. */
const isEchoBack = (x: unknown): boolean =>
  Array.isArray(x) &&
  x.length >= 1 &&
  x.length <= MAX_EB_ENTRIES &&
  x.every(
    (e) =>
      Array.isArray(e) &&
      e.length === 5 &&
      isUint(e[0]) &&
      isNs(e[1]) &&
      isNs(e[2]) &&
      isNs(e[3]) &&
      isNs(e[4]) &&
      (e[4] as string).charCodeAt(0) !== 45,
  );

/**
 * `s` already matches NS_RE (an optional '-' and 1-19 digits). Decide the int64 range on the text:
 * no BigInt per stamp on the worker's receive path. Leading zeros are allowed, as BigInt allows them.
 */
function withinInt64(s: string): boolean {
  const neg = s.charCodeAt(0) === 45; // '-'
  const len = neg ? s.length - 1 : s.length;
  if (len < 19) return true;
  const lead = s.charCodeAt(neg ? 1 : 0);
  if (lead > 48 && lead < 57) return true; // 19 digits led by 1-8: below 9·10^18, inside either bound
  let digits = neg ? s.slice(1) : s;
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++; // strip leading zeros
  digits = digits.slice(i);
  if (digits.length < 19) return true;
  // Same length: decimal strings compare like the numbers.
  return digits <= (neg ? '9223372036854775808' : '9223372036854775807');
}

/**
 * Decode and validate a datagram. Never throws: every failure is a reason to count.
 * `key` null/undefined means the run is insecure and tags are ignored if present.
 */
export function decodeMessage(buf: Buffer, expectedRun: string, key?: Buffer | null): DecodeResult {
  try {
    return decodeUnsafe(buf, expectedRun, key);
  } catch (e) {
    // Last line of defence: a hostile datagram must never take the receive loop down.
    return { ok: false, reason: 'bad_shape', detail: `undecodable: ${safeText(e instanceof Error ? e.message : e)}` };
  }
}

function decodeUnsafe(buf: Buffer, expectedRun: string, key?: Buffer | null): DecodeResult {
  if (!Buffer.isBuffer(buf)) return { ok: false, reason: 'bad_shape', detail: 'not a byte buffer' };
  // Size first: a huge datagram costs no HMAC or JSON work.
  if (buf.length > MAX_DATAGRAM_BYTES + TAG_LEN + 1) return { ok: false, reason: 'oversize', detail: `${buf.length} bytes` };
  let body = buf;
  const sep = buf.lastIndexOf(TAG_SEP);
  if (key) {
    if (sep < 0) return { ok: false, reason: 'untagged', detail: 'no HMAC tag' };
    // A separator is there, so the sender tried to tag: a wrong-length tag is a bad tag.
    if (buf.length - sep - 1 !== TAG_LEN) return { ok: false, reason: 'bad_tag', detail: `tag of ${buf.length - sep - 1} bytes` };
    body = buf.subarray(0, sep);
    // Compare the tag's text with the canonical encoding, not its decoded bytes: base64 decoders
    // ignore the last character's 2 spare bits and accept '+/' for '-_', so several spellings
    // would decode to the same HMAC and an altered datagram would pass as authentic.
    const want = Buffer.from(createHmac('sha256', key).update(body).digest('base64url'), 'latin1');
    const got = buf.subarray(sep + 1);
    if (!timingSafeEqual(got, want)) return { ok: false, reason: 'bad_tag', detail: 'HMAC mismatch' };
  } else if (sep >= 0) {
    body = buf.subarray(0, sep);
  }
  if (body.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'oversize', detail: `${body.length} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_json', detail: 'not JSON' };
  }
  if (!isPlainObject(parsed)) return { ok: false, reason: 'bad_shape', detail: 'not an object' };
  if (parsed.v !== PROTOCOL_VERSION) return { ok: false, reason: 'unknown_version', detail: `v=${safeText(parsed.v)}` };
  if (typeof parsed.run !== 'string') return { ok: false, reason: 'bad_shape', detail: 'run missing' };
  if (parsed.run !== expectedRun) return { ok: false, reason: 'wrong_run', detail: safeText(parsed.run) };
  switch (parsed.k) {
    case 'ev': {
      if (!isUint(parsed.id) || !isUint(parsed.seq)) return { ok: false, reason: 'bad_shape', detail: 'id/seq' };
      const st = parsed.st;
      if (!isPlainObject(st)) return { ok: false, reason: 'bad_shape', detail: 'st' };
      for (const name of Object.keys(st)) {
        const s = st[name];
        if (!isSourceName(name)) return { ok: false, reason: 'bad_shape', detail: 'source name' };
        if (
          !Array.isArray(s) ||
          s.length !== 4 ||
          !isNsOrEmpty(s[0]) ||
          !isNsOrEmpty(s[1]) ||
          !isNsOrEmpty(s[2]) ||
          typeof s[3] !== 'string' ||
          !STATUSES.has(s[3])
        ) {
          return { ok: false, reason: 'bad_shape', detail: `stamp ${name}` };
        }
      }
      if (parsed.tt !== undefined && !(typeof parsed.tt === 'string' && NS_RE.test(parsed.tt) && withinInt64(parsed.tt))) {
        return { ok: false, reason: 'bad_shape', detail: 'tt' };
      }
      if (parsed.ec !== undefined && parsed.ec !== 1) return { ok: false, reason: 'bad_shape', detail: 'ec' };
      if (parsed.eb !== undefined && !isEchoBack(parsed.eb)) return { ok: false, reason: 'bad_shape', detail: 'eb' };
      return { ok: true, msg: parsed as unknown as EventMessage };
    }
    case 'echo':
      if (typeof parsed.node !== 'string' || !WIRE_NODE_RE.test(parsed.node)) return { ok: false, reason: 'bad_shape', detail: 'node' };
      if (!isNs(parsed.r0)) return { ok: false, reason: 'bad_shape', detail: 'r0' };
      if (!isEchoRecords(parsed.x, parsed.r0)) return { ok: false, reason: 'bad_shape', detail: 'x' };
      if (parsed.fu !== undefined && !isFollowUp(parsed.fu)) return { ok: false, reason: 'bad_shape', detail: 'fu' };
      return { ok: true, msg: parsed as unknown as EchoMessage };
    case 'ready?':
      if (!isUint(parsed.n)) return { ok: false, reason: 'bad_shape', detail: 'n' };
      if (parsed.pad !== undefined && typeof parsed.pad !== 'string') return { ok: false, reason: 'bad_shape', detail: 'pad' };
      return { ok: true, msg: parsed as unknown as Message };
    case 'end':
      if (parsed.pad !== undefined && typeof parsed.pad !== 'string') return { ok: false, reason: 'bad_shape', detail: 'pad' };
      return { ok: true, msg: parsed as unknown as Message };
    case 'status': {
      // The coordinator reads every field of a status (state, each source's ready/detail).
      if (typeof parsed.node !== 'string') return { ok: false, reason: 'bad_shape', detail: 'node' };
      if (parsed.state !== 'warming' && parsed.state !== 'ready' && parsed.state !== 'ending')
        return { ok: false, reason: 'bad_shape', detail: 'state' };
      if (!isPlainObject(parsed.sources)) return { ok: false, reason: 'bad_shape', detail: 'sources' };
      for (const r of Object.values(parsed.sources)) {
        if (!isPlainObject(r) || typeof r.ready !== 'boolean' || typeof r.detail !== 'string')
          return { ok: false, reason: 'bad_shape', detail: 'source readiness' };
      }
      return { ok: true, msg: parsed as unknown as Message };
    }
    case 'bye':
      if (typeof parsed.node !== 'string') return { ok: false, reason: 'bad_shape', detail: 'node' };
      if (!isUint(parsed.received)) return { ok: false, reason: 'bad_shape', detail: 'received' };
      return { ok: true, msg: parsed as unknown as Message };
    default:
      return { ok: false, reason: 'bad_shape', detail: `kind ${safeText(parsed.k)}` };
  }
}

/**
 * A short printable description of an untrusted value. Never calls the value's own methods:
 * String({"toString":1}) throws, and JSON can build exactly that object.
 */
function safeText(x: unknown): string {
  let t: string;
  if (typeof x === 'string') t = x;
  else if (x === null || typeof x === 'number' || typeof x === 'boolean' || x === undefined)
    t = String(x as number | boolean | null | undefined);
  else if (Array.isArray(x)) t = 'array';
  else t = typeof x;
  return t.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
}
