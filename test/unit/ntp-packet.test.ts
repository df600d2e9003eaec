import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeNtpPacket,
  encodeNtpPacket,
  ntpToUnixNs,
  nsToShort,
  offsetAndDelay,
  refIdFromAscii,
  refIdToAscii,
  shortToNs,
  unixNsToNtp,
  NTP_PACKET_SIZE,
  type NtpPacket,
} from '../../src/protocol/ntp-packet.js';

const S = 1_000_000_000n;
const ts = (sec: bigint, frac: bigint): bigint => (sec << 32n) | frac;
/** Unix second where NTP era 0 ends: 2^32 − 2208988800 = 2085978496 (2036-02-07T06:28:16Z). */
const ERA1_START_S = 2_085_978_496n;

test('Unix epoch is NTP second 2208988800 (0x83AA7E80)', () => {
  assert.equal(unixNsToNtp(0n), ts(0x83aa7e80n, 0n));
  assert.equal(ntpToUnixNs(ts(0x83aa7e80n, 0n)), 0n);
});

test('hand-computed timestamps: 1700000000.123456789 s', () => {
  // 1700000000 + 2208988800 = 3908988800 = 0xE8FE6F80; 0.123456789 × 2^32 = 530242871.4 → 0x1F9ADD37
  const ns = 1_700_000_000n * S + 123_456_789n;
  assert.equal(unixNsToNtp(ns), ts(0xe8fe6f80n, 0x1f9add37n));
  assert.equal(ntpToUnixNs(ts(0xe8fe6f80n, 0x1f9add37n)), ns);
});

test('fractions: half second, quarter, 1 ns, and rounding to the nearest unit', () => {
  assert.equal(unixNsToNtp(S / 2n) & 0xffffffffn, 0x80000000n);
  assert.equal(ntpToUnixNs(ts(0x83aa7e80n, 0x40000000n)), 250_000_000n);
  assert.equal(unixNsToNtp(1n) & 0xffffffffn, 4n); // 4.29 → 4
  assert.equal(ntpToUnixNs(ts(0x83aa7e80n, 1n)), 0n); // 0.23 ns → 0
  assert.equal(ntpToUnixNs(ts(0x83aa7e80n, 3n)), 1n); // 0.70 ns → 1
  // 0xFFFFFFFF = 0.99999999977 s rounds up into the next second
  assert.equal(ntpToUnixNs(ts(0x83aa7e80n, 0xffffffffn)), S);
  // 999999999 ns → 4294967291.7 → 0xFFFFFFFC (no carry)
  assert.equal(unixNsToNtp(S - 1n), ts(0x83aa7e80n, 0xfffffffcn));
});

test('before 1970 (floor division keeps the fraction positive)', () => {
  assert.equal(unixNsToNtp(-S), ts(0x83aa7e7fn, 0n));
  assert.equal(ntpToUnixNs(unixNsToNtp(-1n), 0n), -1n);
});

test('era 1: after 2036-02-07T06:28:16Z the seconds field wraps to 0', () => {
  assert.equal(unixNsToNtp(ERA1_START_S * S), 0n); // the (reserved) all-zero value
  assert.equal(unixNsToNtp((ERA1_START_S + 1n) * S), ts(1n, 0n));
  // RFC 4330 rule: top bit clear → era 1
  assert.equal(ntpToUnixNs(ts(1n, 0n)), (ERA1_START_S + 1n) * S);
  // Pivot rule: a 2026 pivot resolves to 2036 (closer than 1900)
  const pivot2026 = 1_795_000_000n * S;
  assert.equal(ntpToUnixNs(ts(1n, 0n), pivot2026), (ERA1_START_S + 1n) * S);
  // A pivot just after the rollover maps a late-era-0 timestamp back to 2036, not 2172
  const late = unixNsToNtp((ERA1_START_S - 10n) * S);
  assert.equal(ntpToUnixNs(late, (ERA1_START_S + 10n) * S), (ERA1_START_S - 10n) * S);
});

test('round trip is exact (fraction resolution 0.23 ns < 0.5 ns), with and without pivot', () => {
  fc.assert(
    fc.property(fc.bigInt(0n, 4_100_000_000n * S), fc.bigInt(-3600n * S, 3600n * S), (ns, skew) => {
      assert.equal(ntpToUnixNs(unixNsToNtp(ns), ns + skew), ns);
      assert.equal(ntpToUnixNs(unixNsToNtp(ns)), ns);
    }),
    { numRuns: 2000 },
  );
});

test('short format 16.16: 1 s, 0.5 s, 1 ms, clamping', () => {
  assert.equal(nsToShort(S), 0x00010000);
  assert.equal(nsToShort(S / 2n), 0x00008000);
  assert.equal(nsToShort(1_000_000n), 66); // 65.536 → 66
  assert.equal(shortToNs(66), 1_007_080n); // 66 / 65536 s
  assert.equal(shortToNs(0x00010000), S);
  assert.equal(nsToShort(-5n), 0);
  assert.equal(nsToShort(1n << 80n), 0xffffffff);
});

test('reference id ASCII', () => {
  assert.equal(refIdFromAscii('LOCL'), 0x4c4f434c);
  assert.equal(refIdToAscii(0x52415445), 'RATE');
  assert.equal(refIdToAscii(refIdFromAscii('GPS')), 'GPS');
  assert.throws(() => refIdFromAscii('TOOLONG'));
});

const sample: NtpPacket = {
  leap: 0,
  version: 4,
  mode: 4,
  stratum: 2,
  poll: 6,
  precision: -20,
  rootDelayNs: 1_007_080n,
  rootDispersionNs: S / 2n,
  refId: refIdFromAscii('LOCL'),
  referenceTs: ts(0xe8fe6f80n, 1n),
  originTs: ts(0xe8fe6f81n, 2n),
  receiveTs: ts(0xe8fe6f82n, 3n),
  transmitTs: ts(0xe8fe6f83n, 0xffffffffn),
};

test('encode: header byte layout', () => {
  const b = encodeNtpPacket({ ...sample, leap: 3, version: 4, mode: 3 });
  assert.equal(b.length, NTP_PACKET_SIZE);
  assert.equal(b[0], 0b11_100_011);
  assert.equal(b[1], 2);
  assert.equal(b.readInt8(3), -20);
  assert.equal(b.readUInt32BE(4), 66);
  assert.equal(b.readUInt32BE(8), 0x8000);
  assert.equal(b.toString('ascii', 12, 16), 'LOCL');
  assert.equal(b.readUInt32BE(40), 0xe8fe6f83);
  assert.equal(b.readUInt32BE(44), 0xffffffff);
  assert.throws(() => encodeNtpPacket({ ...sample, stratum: 256 }), RangeError);
});

test('decode(encode(p)) = p, and extra trailing bytes (MAC, extensions) are ignored', () => {
  const b = encodeNtpPacket(sample);
  assert.deepEqual(decodeNtpPacket(b, 4), { ok: true, packet: sample });
  assert.deepEqual(decodeNtpPacket(Buffer.concat([b, Buffer.alloc(20, 7)]), 4), { ok: true, packet: sample });
});

test('decode errors: short, version, mode', () => {
  const short = decodeNtpPacket(Buffer.alloc(47));
  assert.equal(short.ok, false);
  assert.equal(!short.ok && short.error.kind, 'short');
  const v2 = encodeNtpPacket({ ...sample, version: 2 });
  assert.equal((decodeNtpPacket(v2) as { error: { kind: string } }).error.kind, 'version');
  const v5 = encodeNtpPacket({ ...sample, version: 5 });
  assert.equal((decodeNtpPacket(v5) as { error: { kind: string } }).error.kind, 'version');
  assert.equal(decodeNtpPacket(encodeNtpPacket({ ...sample, version: 3 }), 4).ok, true);
  const wrongMode = decodeNtpPacket(encodeNtpPacket(sample), 3);
  assert.equal(!wrongMode.ok && wrongMode.error.kind, 'mode');
  assert.match(!wrongMode.ok ? wrongMode.error.message : '', /mode 4 \(expected 3\)/);
});

test('offset and delay from four timestamps', () => {
  // client 5 ms behind the server, 2 ms each way, 1 ms in the server
  const t1 = 1000n * S,
    t2 = t1 + 5_000_000n + 2_000_000n,
    t3 = t2 + 1_000_000n,
    t4 = t1 + 5_000_000n;
  assert.deepEqual(offsetAndDelay(t1, t2, t3, t4), { offsetNs: 5_000_000n, delayNs: 4_000_000n });
  // odd sum rounds toward −∞
  assert.equal(offsetAndDelay(0n, 0n, 0n, 1n).offsetNs, -1n);
});
