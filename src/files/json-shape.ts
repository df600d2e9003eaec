// Shape tests for parsed JSON: what the file and message readers narrow `unknown` with.

/** A JSON object (not null, not an array). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const isString = (v: unknown): v is string => typeof v === 'string';

export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

export const orNull =
  <T>(is: (v: unknown) => v is T) =>
  (v: unknown): v is T | null =>
    v === null || is(v);

/** An object whose every value is a finite number (counters by name). */
export const isCounts = (v: unknown): v is Record<string, number> => isPlainObject(v) && Object.values(v).every(isFiniteNumber);

/**
 * The fields of `raw` that pass their check, one problem per field present with a wrong type.
 * Fields without a check (unknown fields) are left out of the result and are no problem.
 */
export function narrowFields<T extends object>(
  raw: Record<string, unknown>,
  checks: { readonly [K in keyof T]-?: (v: unknown) => boolean },
): { value: Partial<T>; problems: string[] } {
  const value: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    if (!(key in raw)) continue;
    const v = raw[key];
    if (checks[key](v)) value[key] = v;
    else problems.push(`${key}: unexpected ${describe(v)}; ignored`);
  }
  return { value: value as Partial<T>, problems };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return typeof v;
}
