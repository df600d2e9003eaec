import type { echoEncoder } from '../../src/protocol/messages.js';

/** An echo datagram of one record (seq, r, h) from a worker's encoder (h = t − arrival, arrival at 0). */
export const single =
  (enc: ReturnType<typeof echoEncoder>) =>
  (seq: number, rNs: bigint, hNs: bigint): Buffer =>
    enc([{ seq, rNs, mono: 0n }], hNs)[0]!;
