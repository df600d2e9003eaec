// A Float64Array that grows on demand, indexed by a small non-negative integer (e.g. seq), with
// NaN meaning "no value" — per-event columns without one JS object per row.
export class GrowF64 {
  private a: Float64Array;
  length = 0;
  constructor(initial = 1024) {
    this.a = new Float64Array(initial).fill(NaN);
  }

  set(i: number, v: number): void {
    if (i >= this.a.length) {
      let n = this.a.length;
      while (n <= i) n *= 2;
      const b = new Float64Array(n).fill(NaN);
      b.set(this.a);
      this.a = b;
    }
    this.a[i] = v;
    if (i >= this.length) this.length = i + 1;
  }

  get(i: number): number {
    return i < this.a.length ? this.a[i]! : NaN;
  }

  push(v: number): void {
    this.set(this.length, v);
  }
}
