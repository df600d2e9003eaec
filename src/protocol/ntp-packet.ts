// RFC 5905 NTP v4 packet: 48-byte header codec and timestamp conversions. Pure functions only.
//
// Times in the rest of the project are bigint nanoseconds since the Unix epoch. On the wire a
// timestamp is 64 bits: 32-bit seconds since 1900-01-01 (modulo 2^32, i.e. per "era") and a
// 32-bit binary fraction of a second (resolution 2^-32 s ≈ 0.233 ns).

export const NTP_PACKET_SIZE = 48;
/** Seconds from 1900-01-01 (NTP prime epoch) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_S = 2_208_988_800n;
const NS_PER_S = 1_000_000_000n;
const TWO_32 = 1n << 32n;
const MASK_32 = TWO_32 - 1n;
const ERA_NS = TWO_32 * NS_PER_S;

export const MODE_CLIENT = 3;
export const MODE_SERVER = 4;
export const LEAP_UNSYNC = 3;

/**
 * 64-bit NTP timestamp as the raw unsigned integer (seconds << 32 | fraction). 0n means "not set"
 * (RFC 5905 reserves the all-zero timestamp for that).
 */
export type NtpTimestamp = bigint;

export interface NtpPacket {
  leap: number; // 0..3 (3 = clock unsynchronised)
  version: number; // 1..7 on the wire; decode accepts 3..4
  mode: number; // 3 client, 4 server
  stratum: number; // 0 = kiss-o'-death / unspecified, 1 primary, 2..15 secondary, 16 unsynchronised
  poll: number; // log2 seconds, signed
  precision: number; // log2 seconds, signed
  rootDelayNs: bigint; // NTP short format (16.16 s) converted to ns
  rootDispersionNs: bigint;
  /** Reference id as an unsigned 32-bit integer (ASCII code for stratum 0/1, IPv4 or hash above). */
  refId: number;
  referenceTs: NtpTimestamp;
  originTs: NtpTimestamp;
  receiveTs: NtpTimestamp;
  transmitTs: NtpTimestamp;
}

/** Unix-epoch ns → 64-bit NTP timestamp; the fraction is rounded to the nearest 2^-32 s. */
export function unixNsToNtp(ns: bigint): NtpTimestamp {
  // Floor division so that times before 1970 (and the carry below) stay consistent.
  let sec = floorDiv(ns, NS_PER_S);
  const remNs = ns - sec * NS_PER_S; // 0 .. 999_999_999
  let frac = (remNs * TWO_32 + NS_PER_S / 2n) / NS_PER_S; // round half up
  if (frac === TWO_32) {
    frac = 0n;
    sec += 1n;
  }
  const ntpSec = mod(sec + NTP_UNIX_OFFSET_S, TWO_32); // era folded away: the wire has no era
  return (ntpSec << 32n) | frac;
}

/**
 * 64-bit NTP timestamp → Unix-epoch ns (fraction rounded to the nearest ns).
 *
 * The wire carries no era number, so the era is chosen as the one putting the result closest
 * to `pivotNs` (the client passes its own t1: any offset below 68 years resolves correctly,
 * including across the 2036 era rollover). Without a pivot the RFC 4330 §3 rule applies:
 * seconds with the top bit set are era 0 (1968..2036), without it era 1 (2036..2104).
 */
export function ntpToUnixNs(ts: NtpTimestamp, pivotNs?: bigint): bigint {
  const ntpSec = (ts >> 32n) & MASK_32;
  const frac = ts & MASK_32;
  const fracNs = (frac * NS_PER_S + TWO_32 / 2n) >> 32n;
  // Offset within era 0, in ns since the Unix epoch (can be negative: 1900..1970).
  const inEra0 = (ntpSec - NTP_UNIX_OFFSET_S) * NS_PER_S + fracNs;
  if (pivotNs === undefined) {
    return ntpSec & 0x8000_0000n ? inEra0 : inEra0 + ERA_NS;
  }
  // Era closest to the pivot: shift by whole eras so that |result − pivot| ≤ half an era.
  const eras = roundDiv(pivotNs - inEra0, ERA_NS);
  return inEra0 + eras * ERA_NS;
}

/** ns → NTP short format (unsigned 16.16 seconds), rounded, clamped to the representable range. */
export function nsToShort(ns: bigint): number {
  if (ns <= 0n) return 0;
  const v = (ns * 65_536n + NS_PER_S / 2n) / NS_PER_S;
  return Number(v > MASK_32 ? MASK_32 : v);
}

/** NTP short format (unsigned 16.16 seconds) → ns, rounded to the nearest ns. */
export function shortToNs(v: number): bigint {
  return (BigInt(v >>> 0) * NS_PER_S + 32_768n) / 65_536n;
}

/** Four ASCII characters (e.g. "LOCL", "RATE") → 32-bit reference id. Shorter codes are NUL-padded. */
export function refIdFromAscii(code: string): number {
  if (!/^[\x20-\x7e]{1,4}$/.test(code))
    throw new Error(`reference id must be 1..4 printable ASCII characters, got ${JSON.stringify(code)}`);
  const b = Buffer.alloc(4);
  b.write(code, 'ascii');
  return b.readUInt32BE(0);
}

/** 32-bit reference id → its ASCII form (NULs stripped); non-printable bytes come out as '.'. */
export function refIdToAscii(refId: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(refId >>> 0, 0);
  let s = '';
  for (const c of b) {
    if (c === 0) break;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

export function encodeNtpPacket(p: NtpPacket): Buffer {
  checkRange('leap', p.leap, 0, 3);
  checkRange('version', p.version, 0, 7);
  checkRange('mode', p.mode, 0, 7);
  checkRange('stratum', p.stratum, 0, 255);
  checkRange('poll', p.poll, -128, 127);
  checkRange('precision', p.precision, -128, 127);
  const b = Buffer.alloc(NTP_PACKET_SIZE);
  b[0] = (p.leap << 6) | (p.version << 3) | p.mode;
  b[1] = p.stratum;
  b.writeInt8(p.poll, 2);
  b.writeInt8(p.precision, 3);
  b.writeUInt32BE(nsToShort(p.rootDelayNs), 4);
  b.writeUInt32BE(nsToShort(p.rootDispersionNs), 8);
  b.writeUInt32BE(p.refId >>> 0, 12);
  b.writeBigUInt64BE(p.referenceTs & ((1n << 64n) - 1n), 16);
  b.writeBigUInt64BE(p.originTs & ((1n << 64n) - 1n), 24);
  b.writeBigUInt64BE(p.receiveTs & ((1n << 64n) - 1n), 32);
  b.writeBigUInt64BE(p.transmitTs & ((1n << 64n) - 1n), 40);
  return b;
}

export type NtpDecodeErrorKind = 'short' | 'version' | 'mode';
export interface NtpDecodeError {
  kind: NtpDecodeErrorKind;
  message: string;
}
export type NtpDecodeResult = { ok: true; packet: NtpPacket } | { ok: false; error: NtpDecodeError };

/**
 * Decode and validate a datagram. Longer datagrams are accepted (extension fields / MAC follow
 * the header; they are ignored). `expectMode` is the mode the caller can use (3 at a server,
 * 4 at a client); any other mode is an error.
 */
export function decodeNtpPacket(buf: Uint8Array, expectMode?: number): NtpDecodeResult {
  if (buf.length < NTP_PACKET_SIZE) {
    return { ok: false, error: { kind: 'short', message: `NTP packet too short: ${buf.length} bytes, need ${NTP_PACKET_SIZE}` } };
  }
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const leap = b[0]! >> 6;
  const version = (b[0]! >> 3) & 7;
  const mode = b[0]! & 7;
  if (version < 3 || version > 4) {
    return { ok: false, error: { kind: 'version', message: `unsupported NTP version ${version} (accept 3..4)` } };
  }
  if (expectMode !== undefined && mode !== expectMode) {
    return { ok: false, error: { kind: 'mode', message: `unexpected NTP mode ${mode} (expected ${expectMode})` } };
  }
  return {
    ok: true,
    packet: {
      leap,
      version,
      mode,
      stratum: b[1]!,
      poll: b.readInt8(2),
      precision: b.readInt8(3),
      rootDelayNs: shortToNs(b.readUInt32BE(4)),
      rootDispersionNs: shortToNs(b.readUInt32BE(8)),
      refId: b.readUInt32BE(12),
      referenceTs: b.readBigUInt64BE(16),
      originTs: b.readBigUInt64BE(24),
      receiveTs: b.readBigUInt64BE(32),
      transmitTs: b.readBigUInt64BE(40),
    },
  };
}

/**
 * RFC 5905 on-wire calculation from the four timestamps (all ns):
 * offset θ = ((t2 − t1) + (t3 − t4)) / 2, delay δ = (t4 − t1) − (t3 − t2).
 * θ is rounded toward −∞ so that the result does not depend on the sign convention of `/`.
 */
export function offsetAndDelay(t1: bigint, t2: bigint, t3: bigint, t4: bigint): { offsetNs: bigint; delayNs: bigint } {
  return { offsetNs: floorDiv(t2 - t1 + (t3 - t4), 2n), delayNs: t4 - t1 - (t3 - t2) };
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`NTP ${name} must be an integer in ${lo}..${hi}, got ${v}`);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a / b rounded to the nearest integer (b > 0). */
function roundDiv(a: bigint, b: bigint): bigint {
  return floorDiv(2n * a + b, 2n * b);
}
