// Which of the transmit stamps a udp_stamp socket collected (txStamps()) belongs to the datagram
// just sent: the coordinator's event sends and a worker's echo sends use the same rule.

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
