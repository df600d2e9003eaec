// The kernel's transmit stamp of an event's first datagram (SO_TIMESTAMPING, read in the udp_stamp
// addon): which stamp belongs to which datagram, and why an event has none.

/** coordinator.csv `send_kernel_reason` when `send_kernel_ns` is empty. */
export const SEND_KERNEL_REASONS = {
  /** The udp_stamp addon did not load (user-mode sockets); the JS stamp is all there is. */
  noAddon: 'no-addon',
  /** The kernel refused SO_TIMESTAMPING on the event sockets (logged once with its error). */
  refused: 'refused',
  /** No datagram of the event left synchronously (all dropped, delayed by a fault, or failed). */
  notSent: 'not-sent',
  /** The datagram left but its stamp was not on the error queue when the event's sends returned. */
  notDelivered: 'not-delivered',
  /** --transport multicast: the group socket is not asked for transmit stamps. */
  multicast: 'multicast',
} as const;
export type SendKernelReason = (typeof SEND_KERNEL_REASONS)[keyof typeof SEND_KERNEL_REASONS];

/**
 * The latest stamp in txStamps()'s [id, monoNs, id, monoNs, …] taken inside [notBeforeMono,
 * notAfterMono] (the monotonic instants read around an event's sends), or null. One datagram per
 * event asks for a stamp and the queue is read right after, so a stamp in that bracket is that
 * datagram's; one outside it is an earlier datagram's that came late, never this event's.
 */
export function findTxStamp(flat: readonly (number | bigint)[], notBeforeMono: bigint, notAfterMono: bigint): bigint | null {
  for (let k = flat.length - 1; k > 0; k -= 2) {
    const mono = flat[k] as bigint;
    if (mono >= notBeforeMono && mono <= notAfterMono) return mono;
  }
  return null;
}
