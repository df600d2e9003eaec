// JSON text of a large value, in pieces whose concatenation is exactly
// JSON.stringify(value, bigintAsString, 2) + '\n', made one at a time while the file is written.
// A 64-worker stats.json is ~60 MB: stringified whole it is one string built from parts that all
// survive until the end (every young-generation collection copies them), and one character
// outside Latin-1 anywhere (such as '−') makes all of it two bytes a character.

/** Containers this deep or shallower are opened member by member; deeper values are one piece. */
const OPEN_DEPTH = 2;
const PAD = Array.from({ length: OPEN_DEPTH + 2 }, (_, d) => '  '.repeat(d));

/**
 * A value may write its own text: a non-enumerable method under this key yields, for the depth it
 * sits at, exactly what JSON.stringify(value, null, 2) gives there (analysis/fold/sample-events.ts).
 */
export const JSON_PIECES = Symbol('chronoeval.jsonPieces');

export const bigintAsString = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

/** The pieces of `value`'s JSON (2-space indent, bigint as decimal string) and a final newline. */
export function* jsonPieces(value: unknown): Generator<string> {
  yield* valuePieces(resolve({ '': value }, ''), 0);
  yield '\n';
}

/** What JSON.stringify serializes for holder[key]: its toJSON result, then bigint as string. */
function resolve(holder: Record<string, unknown> | unknown[], key: string): unknown {
  let v = (holder as Record<string, unknown>)[key];
  if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key);
  }
  return bigintAsString(key, v);
}

/** Members JSON.stringify leaves out of an object (written as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function isOpenable(v: unknown): v is Record<string, unknown> | unknown[] {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function* valuePieces(v: unknown, depth: number): Generator<string> {
  const own = typeof v === 'object' && v !== null ? (v as { [JSON_PIECES]?: unknown })[JSON_PIECES] : undefined;
  if (typeof own === 'function') {
    yield* (own as (depth: number) => Iterable<string>).call(v, depth);
    return;
  }
  if (depth > OPEN_DEPTH || !isOpenable(v)) {
    yield leaf(v, depth);
    return;
  }
  const inner = PAD[depth + 1]!;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    for (let i = 0; i < v.length; i++) {
      yield (i === 0 ? '[\n' : ',\n') + inner;
      const item = resolve(v, String(i));
      yield* omitted(item) ? ['null'] : valuePieces(item, depth + 1);
    }
    yield '\n' + PAD[depth]! + ']';
    return;
  }
  let first = true;
  for (const key of Object.keys(v)) {
    const item = resolve(v, key);
    if (omitted(item)) continue;
    yield (first ? '{\n' : ',\n') + inner + JSON.stringify(key) + ': ';
    first = false;
    yield* valuePieces(item, depth + 1);
  }
  yield first ? '{}' : '\n' + PAD[depth]! + '}';
}

/**
 * One value's JSON as it appears `depth` levels deep: stringified inside `depth` arrays (which
 * indent it as its place does), the arrays' brackets cut off. Without the replacer unless it
 * holds a bigint (the replacer is called for every value).
 */
function leaf(v: unknown, depth: number): string {
  let wrapped: unknown = v;
  for (let d = 0; d < depth; d++) wrapped = [wrapped];
  let text: string | undefined;
  try {
    text = JSON.stringify(wrapped, null, 2);
  } catch {
    text = JSON.stringify(wrapped, bigintAsString, 2); // a bigint (or an error it raises again)
  }
  if (text === undefined) return String(text); // a bare undefined (or function): toJson(v) + '\n' wrote "undefined"
  // depth d: '[\n' + 2i spaces for i = 1..d before, '\n' + 2i spaces + ']' for i = d−1..0 after
  return text.slice(2 * depth + depth * (depth + 1), text.length - (2 * depth + depth * (depth - 1)));
}
