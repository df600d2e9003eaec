// The one place where a flag's typed text becomes a number. yargs' `type: 'number'` turns "abc"
// into NaN and a flag given without a value into "not given", losing what was typed; these
// options keep the text, so an error can echo it. Ranges are checked later (config-validation.ts).

/** What a numeric flag expects, in words: "a number of seconds", "a whole number of events". */
export interface NumberFlag {
  what: string;
  integer?: boolean;
}

/** A user's value as typed, quoted for an error message, without control characters or floods. */
export function typedText(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    s = typeof v;
  }
  s = s.replace(/[^\x20-\x7e]/g, '?');
  return `'${s.length > 80 ? s.slice(0, 77) + '...' : s}'`;
}

/** Typed text (or a config file's JSON value) → a finite number; else an error echoing what was typed. */
export function parseNumberFlag(flag: string, v: unknown, spec: NumberFlag): number {
  const fail = (got: string): never => {
    throw new Error(`--${flag}: expected ${spec.what}, got ${got}`);
  };
  if (v === true || v === undefined || (typeof v === 'string' && v.trim() === '')) return fail('no value');
  if (Array.isArray(v)) return fail(`${v.length} values (${v.map(typedText).join(', ')}); give it once`);
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = Number(v.trim());
  else return fail(typedText(v));
  if (!Number.isFinite(n) || (spec.integer && !Number.isInteger(n))) return fail(typedText(v));
  return n;
}

/** A comma-separated list of numbers ("2,5" or a config file's [2, 5]); names the bad element. `what` describes the whole list. */
export function parseNumberList(flag: string, v: unknown, spec: NumberFlag): number[] {
  if (v === undefined) return [];
  const parts = (Array.isArray(v) ? (v as unknown[]) : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x]));
  return parts
    .filter((x) => !(typeof x === 'string' && x.trim() === ''))
    .map((x) => {
      if (
        typeof x === 'number' ||
        (typeof x === 'string' && Number.isFinite(Number(x.trim())) && (!spec.integer || Number.isInteger(Number(x.trim()))))
      )
        return Number(x);
      throw new Error(
        `--${flag}: expected ${spec.what}, got ${typedText(x)}${Array.isArray(v) || parts.length > 1 ? ` in ${typedText(Array.isArray(v) ? v.join(',') : v)}` : ''}`,
      );
    });
}

/**
 * yargs option for a numeric flag: no yargs type (it would turn text into NaN), a coerce that
 * keeps the typed text for the error. A flag typed without a value is an error, never the default.
 */
export function numberOption(
  flag: string,
  spec: NumberFlag & { describe: string; default: number },
): { describe: string; default: number; requiresArg: true; coerce: (v: unknown) => number };
export function numberOption(
  flag: string,
  spec: NumberFlag & { describe: string },
): { describe: string; requiresArg: true; coerce: (v: unknown) => number };
export function numberOption(
  flag: string,
  spec: NumberFlag & { describe: string; default?: number },
): { describe: string; default?: number; requiresArg: true; coerce: (v: unknown) => number } {
  return {
    describe: spec.describe,
    // Without it yargs hands a bare `--rate` the default value, as if nothing was typed.
    requiresArg: true,
    ...(spec.default !== undefined ? { default: spec.default } : {}),
    coerce: (v: unknown): number => parseNumberFlag(flag, v, spec),
  };
}

/** yargs' own wording for a flag typed without its value, in the CLI's words. */
export function rewordYargsMessage(msg: string): string {
  const m = /^Not enough arguments following: (\S+)$/.exec(msg.trim());
  return m ? `--${m[1]}: expected a value after the flag, got none` : msg;
}
