// The validation kit's checks of a parsed YAML/JSON mapping (an inventory): each records a
// problem and goes on, so that one pass names every bad key. Absent (or null) keys get the default.
import { Problems } from './problems.js';

type Obj = Record<string, unknown>;

export interface RangeRule {
  min: number;
  max: number;
  int?: boolean;
  def?: number;
}

export class MappingProblems extends Problems {
  /** Keys outside `keys` are typos, not silently ignored settings. */
  knownKeys(o: Obj, where: string, keys: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) this.fail(where ? `${where}.${k}` : k, o[k], `unknown key (expected one of: ${keys.join(', ')})`);
  }

  number(o: Obj, key: string, where: string, r: RangeRule): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return r.def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < r.min || v > r.max || (r.int && !Number.isInteger(v))) {
      this.fail(`${where}.${key}`, v, `must be ${r.int ? 'an integer' : 'a number'} from ${r.min} to ${r.max}, got ${JSON.stringify(v)}`);
      return r.def;
    }
    return v;
  }

  string(o: Obj, key: string, where: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return this.fail(`${where}.${key}`, v, `must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  boolean(o: Obj, key: string, where: string, def: boolean): boolean {
    const v = o[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.fail(`${where}.${key}`, v, `must be true or false, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }
}
