// Types and wording shared by the commands' declarations.
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const SECONDS_LIST = { what: 'comma-separated seconds, e.g. 30,60' } as const;

/** The parsed arguments a command's builder declares. */
export type ArgsOf<B> = B extends (y: Argv) => Argv<infer T> ? ArgumentsCamelCase<T> : never;
