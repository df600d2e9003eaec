/**
 * The sequence numbers a worker has recorded: a growable bitmap for the dense range a run uses
 * (no rehash pauses on the receive path as a plain Set would have), and a Set for anything beyond
 * BITMAP_LIMIT, so a forged huge sequence number cannot make the bitmap allocate gigabytes.
 */
const BITMAP_LIMIT = 1 << 26; // 64 Mi sequence numbers → at most 8 MiB of bitmap

export class SeqSet {
  private bits = new Uint32Array(1024);
  private sparse: Set<number> | null = null;
  size = 0;

  has(seq: number): boolean {
    if (seq >= BITMAP_LIMIT) return this.sparse?.has(seq) ?? false;
    const w = seq >>> 5;
    return w < this.bits.length && (this.bits[w]! & (1 << (seq & 31))) !== 0;
  }

  /** Add a non-negative integer; returns false if it was already present. */
  add(seq: number): boolean {
    if (seq >= BITMAP_LIMIT) {
      this.sparse ??= new Set();
      if (this.sparse.has(seq)) return false;
      this.sparse.add(seq);
      this.size++;
      return true;
    }
    const w = seq >>> 5;
    if (w >= this.bits.length) {
      let n = this.bits.length;
      while (n <= w) n *= 2;
      const grown = new Uint32Array(n);
      grown.set(this.bits);
      this.bits = grown;
    }
    const m = 1 << (seq & 31);
    if ((this.bits[w]! & m) !== 0) return false;
    this.bits[w] = this.bits[w]! | m;
    this.size++;
    return true;
  }
}
