// Which cells an int64 export column accepts: the run files' integers as written (optionally
// signed, no fraction, no exponent) within int64's range. Checked on the text, so a value is
// never rounded on its way to the file.

const INT64_MAX = 9_223_372_036_854_775_807n;

/** True for an empty text[start, end) when nullable, and for a plain decimal integer that fits in an int64 (no substring made). */
export function isInt64At(text: string, start: number, end: number, nullable: boolean): boolean {
  if (end <= start) return nullable;
  let i = text.charCodeAt(start) === 45 ? start + 1 : start;
  const digits = end - i;
  if (digits === 0 || digits > 19) return false;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  if (digits < 19) return true;
  const v = BigInt(text.slice(start, end));
  return v <= INT64_MAX && v >= -INT64_MAX - 1n;
}
