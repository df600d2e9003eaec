/**
 * A set of event sequence numbers (the worker's duplicate check, the join's seen events): a
 * growable bitmap for the dense range from `base` that a run uses (no rehash pauses as a plain Set
 * would have), and a Set for anything else — below base, not an integer, or BITMAP_LIMIT or more
 * past it — so a forged huge sequence number cannot make the bitmap allocate gigabytes.
 */
const BITMAP_LIMIT = 1 << 26; // 64 Mi sequence numbers → at most 8 MiB of bitmap

export class SeqSet {
  private bits = new Uint32Array(1024);
  private sparse: Set<number> | null = null;
  size = 0;

  /** `base`: the run's first sequence number, where the bitmap starts. */
  constructor(private readonly base = 0) {}

  /** The bit index of seq, or −1 when it belongs in the sparse Set. */
  private slot(seq: number): number {
    const i = seq - this.base;
    return i >= 0 && i < BITMAP_LIMIT && Number.isInteger(i) ? i : -1;
  }

  has(seq: number): boolean {
    const i = this.slot(seq);
    if (i < 0) return this.sparse?.has(seq) ?? false;
    const w = i >>> 5;
    return w < this.bits.length && (this.bits[w]! & (1 << (i & 31))) !== 0;
  }

  /** Add a number; returns false if it was already present. */
  add(seq: number): boolean {
    const i = this.slot(seq);
    if (i < 0) {
      this.sparse ??= new Set();
      if (this.sparse.has(seq)) return false;
      this.sparse.add(seq);
      this.size++;
      return true;
    }
    const w = i >>> 5;
    if (w >= this.bits.length) {
      let n = this.bits.length;
      while (n <= w) n *= 2;
      const grown = new Uint32Array(n);
      grown.set(this.bits);
      this.bits = grown;
    }
    const m = 1 << (i & 31);
    if ((this.bits[w]! & m) !== 0) return false;
    this.bits[w] = this.bits[w]! | m;
    this.size++;
    return true;
  }
}
