// Exact conversions of CSV time cells. On disk, times are integer epoch nanoseconds (about
// 1.8e18, above 2^53); in memory, analysis works in `number` ns relative to a run anchor (a
// whole second), which is exact for ±104 days. We never form a float of epoch ns: the cell's
// digits are split into seconds and a 9-digit nanosecond remainder and each part is exact.

/** The anchor that relative times count from: a whole epoch second. */
export interface Anchor {
  /** Epoch seconds (exact in a double). */
  sec: number;
  /** Epoch ns as bigint (sec × 1e9). */
  ns: bigint;
}

export function anchorFromEpochNs(ns: bigint): Anchor {
  const sec = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  return { sec: Number(sec), ns: sec * 1_000_000_000n };
}

/**
 * Integer epoch-ns cell → ns relative to the anchor. '' → NaN (missing, never 0).
 * Returns undefined when the cell is not a plain integer or is too far from the anchor to be
 * exact (the caller reports it). One rule for every reader: parseRelNsAt on the whole cell.
 */
export function parseRelNs(cell: string, anchor: Anchor): number | undefined {
  return parseRelNsAt(cell, 0, cell.length, anchor);
}

/**
 * Exact decimal text (optionally signed, with fraction and/or exponent, e.g. "-23.5977",
 * "1.76137e+18") × 10^shift, rounded half away from zero, as a bigint. Returns null for
 * empty/NaN/None/null cells (missing values), undefined for text that is not a number.
 */
export function decimalToBigInt(text: string, shift: number): bigint | null | undefined {
  const t = text.trim();
  if (t === '' || /^(nan|none|null|na|n\/a)$/i.test(t)) return null;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? '';
  const exp = (m[4] ? Number(m[4]) : 0) + shift;
  // value = 0.digits... : mantissa = intDigits+fracDigits, scaled by 10^(exp − frac.length)
  const mant = BigInt(intDigits + fracDigits || '0');
  const scale = exp - fracDigits.length;
  if (scale >= 0) return sign * mant * 10n ** BigInt(scale);
  const div = 10n ** BigInt(-scale);
  const q = mant / div;
  const r = mant % div;
  const rounded = r * 2n >= div ? q + 1n : q;
  return sign * rounded;
}

/** True when an epoch-ns cell is written as a float (".0", exponent): precision may be lost. */
export function isFloatText(text: string): boolean {
  return /[.eE]/.test(text);
}

/**
 * The last step shared by parseRelNsAt (text) and parseRelNsBytes (bytes): signed seconds and
 * nanoseconds → ns relative to the anchor; undefined beyond ±104 days (not exact as a double).
 * The digit loops stay separate on purpose: one reads charCodeAt, the other a byte array, in the
 * analysis' hottest loop, where an accessor callback would cost a call per digit.
 */
function relFromParts(neg: boolean, sec: number, ns: number, anchorSec: number): number | undefined {
  const dSec = neg ? -sec - anchorSec : sec - anchorSec;
  if (Math.abs(dSec) > 9_007_199) return undefined;
  const rel = dSec * 1e9 + (neg ? -ns : ns);
  // Near the limit the sub-second part can still carry the sum past 2^53, where it would round.
  return Number.isSafeInteger(rel) ? rel : undefined;
}

/**
 * parseRelNs on text[start, end) without making a substring (the hot path of analysis).
 * '' → NaN; not a plain integer or too far from the anchor → undefined.
 */
export function parseRelNsAt(text: string, start: number, end: number, anchor: Anchor): number | undefined {
  if (end <= start) return NaN;
  let i = start;
  let neg = false;
  if (text.charCodeAt(i) === 45) {
    neg = true;
    i++;
    if (i === end) return undefined;
  }
  const digits = end - i;
  if (digits > 21) return undefined;
  // seconds digits, then the last 9 (nanoseconds): two loops, no branch per digit
  const split = end - 9;
  let sec = 0;
  let ns = 0;
  for (; i < split; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    sec = sec * 10 + d;
  }
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    ns = ns * 10 + d;
  }
  return relFromParts(neg, sec, ns, anchor.sec);
}

/** A small integer (seq, delay) in text[start, end); NaN when empty or not an integer. */
export function parseIntAt(text: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return NaN;
  let i = start;
  let neg = false;
  if (text.charCodeAt(i) === 45) {
    neg = true;
    i++;
    if (i === end) return NaN;
  }
  let v = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/**
 * parseRelNsAt on bytes (an event file's latin1 bytes, analysis/load/event-rows.ts): the same digits,
 * the same checks, the same result, for buf[start, end).
 */
export function parseRelNsBytes(buf: Uint8Array, start: number, end: number, anchorSec: number): number | undefined {
  if (end <= start) return NaN;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return undefined;
  }
  const digits = end - i;
  if (digits > 21) return undefined;
  const split = end - 9;
  let sec = 0;
  let ns = 0;
  for (; i < split; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    sec = sec * 10 + d;
  }
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    ns = ns * 10 + d;
  }
  return relFromParts(neg, sec, ns, anchorSec);
}

/** parseIntAt on bytes: a small integer in buf[start, end); NaN when empty or not an integer. */
export function parseIntBytes(buf: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 15) return NaN;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return NaN;
  }
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}
