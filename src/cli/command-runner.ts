// How every command runs: parse its options (any error there is bad usage: nothing has started),
// then do its work and map the outcome to the one exit-code table (exit-codes.ts).
import { hideBin } from 'yargs/helpers';
import { commandHelpHint, formatCliError } from './errors.js';
import { EXIT, STOP_SIGNALS, signalExit } from './exit-codes.js';
import { FileWriteError } from '../files/atomic-json.js';
import { UsageError } from '../validate/index.js';

export const COMMAND_NAMES = [
  'run-local',
  'worker',
  'coordinator',
  'ntp-server',
  'analyze',
  'deploy',
  'sweep',
  'rerun',
  'compare',
  'slurm',
] as const;

/** Print the error (it echoes what was typed) and the command's own --help; exit 2 (bad usage). */
export function usageExit(msg: string): never {
  process.stderr.write(formatCliError(msg, commandHelpHint(hideBin(process.argv), COMMAND_NAMES)));
  process.exit(EXIT.usage);
}

/** A command in two phases. `parse` may read files (a key, a scenario) but starts nothing. */
export interface CommandPhases<A, O> {
  parse(argv: A): O | Promise<O>;
  run(options: O): Promise<number>;
}

/** The yargs handler of a command: parse, run, exit with the table's code. */
export function runCommand<A, O>(phases: CommandPhases<A, O>): (argv: A) => Promise<void> {
  return async (argv) => {
    exitOnStopSignalUnlessHandled();
    let options: O;
    try {
      options = await phases.parse(argv);
    } catch (e) {
      usageExit((e as Error).message);
    }
    try {
      process.exitCode = await phases.run(options);
    } catch (e) {
      failExit(e);
    }
  };
}

/** An error while the command ran: its message, and the code of its kind. */
function failExit(e: unknown): never {
  if (e instanceof UsageError) usageExit(e.message);
  if (e instanceof FileWriteError) {
    process.stderr.write(`chronoeval: ${e.message}; free space or choose another directory, then run it again\n`);
    process.exit(EXIT.writeFailed);
  }
  const code = (e as { exitCode?: unknown } | null)?.exitCode;
  process.stderr.write(`chronoeval: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(typeof code === 'number' ? code : EXIT.failed);
}

/**
 * A stop signal ends the command with 128 + n even where the command has no handler of its own
 * (analysis, report). Where it has one (a worker finishing its rows), that one decides.
 */
function exitOnStopSignalUnlessHandled(): void {
  for (const sig of STOP_SIGNALS) {
    process.on(sig, () => {
      if (process.listenerCount(sig) > 1) return;
      process.exit(signalExit(sig));
    });
  }
}
