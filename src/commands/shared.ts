// Types and wording shared by the commands' declarations.
import type { ArgumentsCamelCase, Argv } from 'yargs';

import { EXIT_MEANINGS } from '../cli/exit-codes.js';

/** The end of every --help: where the docs are, and the exit codes. */
export const HELP_EPILOG =
  'Docs: README.md and docs/ in the chronoeval repository. Every command also takes --config FILE (JSON, keys as flag names; flags override).\n\n' +
  `Exit codes:\n${EXIT_MEANINGS.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`).join('\n')}`;

export const SECONDS_LIST = { what: 'comma-separated seconds, e.g. 30,60' } as const;

/** The parsed arguments a command's builder declares. */
export type ArgsOf<B> = B extends (y: Argv) => Argv<infer T> ? ArgumentsCamelCase<T> : never;
