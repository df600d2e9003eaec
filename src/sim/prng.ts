// Seeded pseudo-random numbers. Every random choice in a simulated run comes from here, so the
// same scenario + seed replays the same fault sequence (chrony's simulation-test idea).

/** 32-bit FNV-1a of a string: turns labels such as "worker/2/clock" into seed material. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** 32-bit integer mix (lowbias32): consecutive inputs give unrelated outputs. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A child seed for one component of a run: independent streams, one scenario seed. */
export function deriveSeed(seed: number, label: string): number {
  return mix32((mix32(seed >>> 0) ^ hashString(label)) >>> 0);
}

/** Seed from several integers (e.g. seed, worker index, sequence) without order-of-call effects. */
export function seedOf(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = mix32((h ^ mix32(p >>> 0) ^ Math.floor(p / 2 ** 32)) >>> 0);
  return h;
}

/** mulberry32: small, fast, good enough for fault injection (not for cryptography). */
export class Prng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Standard normal by Box-Muller (the second value is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Pareto (type I) with scale xm > 0 and shape alpha > 0: long tail, minimum xm. */
  pareto(xm: number, alpha: number): number {
    let u = 0;
    while (u === 0) u = this.next();
    return xm / Math.pow(u, 1 / alpha);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
}
