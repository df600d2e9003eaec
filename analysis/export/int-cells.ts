// Which cells an int64 export column accepts: the run files' integers as written (optionally
// signed, no fraction, no exponent) within int64's range. Checked on the text, so a value is
// never rounded on its way to the file.

const INT64_MAX = 9_223_372_036_854_775_807n;

/** True for '' (null) when nullable, and for a plain decimal integer that fits in an int64. */
export function isInt64Cell(t: string, nullable: boolean): boolean {
  const n = t.length;
  if (n === 0) return nullable;
  let i = t.charCodeAt(0) === 45 ? 1 : 0;
  const digits = n - i;
  if (digits === 0 || digits > 19) return false;
  for (; i < n; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  if (digits < 19) return true;
  const v = BigInt(t);
  return v <= INT64_MAX && v >= -INT64_MAX - 1n;
}
