// The one place where a value becomes part of a remote shell command line.

/**
 * Quote one argument for a POSIX-family shell (sh, dash, bash, zsh, ksh): wrap it in single quotes,
 * inside which nothing is special, and write each embedded `'` as `'\''`.
 * NUL cannot travel in a shell word at all, and a newline is refused because some login
 * shells (csh family) end a command there even inside quotes: both throw.
 */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (/[\n\r]/.test(value)) throw new Error(`a shell argument cannot contain a line break: ${JSON.stringify(value)}`);
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value; // nothing to protect
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quote every word and join them with spaces: the remote shell sees exactly `words`. */
export function shJoin(words: readonly string[]): string {
  return words.map(shQuote).join(' ');
}

/**
 * A remote command that runs a fixed script with positional arguments:
 * `sh -c '<script>' sh 'arg1' 'arg2' ...`. The script is a constant written in this code base;
 * every inventory value reaches it only as a quoted positional argument ($1, $2, ...).
 * The remote login shell must be POSIX-family (sh, dash, bash, zsh, ksh), not csh/tcsh.
 */
export function shScript(script: string, args: readonly string[]): string {
  if (script.includes('\0')) throw new Error('a script cannot contain a NUL byte');
  const body = `'${script.trim().replace(/'/g, `'\\''`)}'`; // constant text: line breaks allowed
  return ['sh', '-c', body, 'sh', shJoin(args)].filter((w) => w !== '').join(' ');
}
