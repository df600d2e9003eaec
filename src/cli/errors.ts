// How the CLI reports bad input: the message (which echoes what was typed), then the command's
// own --help, so that the next thing to read is the right one.
import { readFileSync } from 'node:fs';

/** The command named on the command line (first word that is one), or null. */
export function commandOf(args: readonly string[], commands: readonly string[]): string | null {
  for (const a of args) if (commands.includes(a)) return a;
  return null;
}

/** "See: chronoeval run-local --help" for the command typed, or the top-level help. */
export function commandHelpHint(args: readonly string[], commands: readonly string[]): string {
  const cmd = commandOf(args, commands);
  return `See: chronoeval ${cmd ? `${cmd} ` : ''}--help`;
}

/** The whole error text: one line gets the hint appended; several lines get it as the last line. */
export function formatCliError(msg: string, hint: string): string {
  const text = msg.trim();
  if (text.includes('\n')) return `chronoeval: ${text}\n${hint}\n`;
  return `chronoeval: ${/[.!?]$/.test(text) ? text : `${text}.`} ${hint}\n`;
}

/**
 * --config FILE: a missing or unreadable file says so (yargs' own reader calls every failure
 * "Invalid JSON"); bad JSON names the file and the parser's complaint.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const known: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };
    const why = code && known[code] ? `${known[code]}, ${code}` : (e as Error).message;
    throw new Error(`--config '${file}': cannot read it (${why})`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`--config '${file}': not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`--config '${file}': expected a JSON object of options (keys as flag names)`);
  return parsed as Record<string, unknown>;
}
