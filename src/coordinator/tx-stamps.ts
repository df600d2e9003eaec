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
} as const;
export type SendKernelReason = (typeof SEND_KERNEL_REASONS)[keyof typeof SEND_KERNEL_REASONS];

/**
 * The stamp of datagram `id` in txStamps()'s [id, monoNs, id, monoNs, …], or null. A stamp taken
 * outside [notBeforeMono, notAfterMono] (the monotonic instants read around the sends) is not
 * believed: the ids would then not be the datagrams this socket's sends counted.
 */
export function findTxStamp(flat: readonly (number | bigint)[], id: number, notBeforeMono: bigint, notAfterMono: bigint): bigint | null {
  for (let k = 0; k + 1 < flat.length; k += 2) {
    if (flat[k] !== id) continue;
    const mono = flat[k + 1] as bigint;
    return mono >= notBeforeMono && mono <= notAfterMono ? mono : null;
  }
  return null;
}
