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
