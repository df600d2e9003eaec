#!/usr/bin/env node
// chronoeval's one CLI: thin wiring of the commands in src/commands/ (one module each, the same
// shape: command, describe, builder with examples, handler). Each handler imports its heavy
// modules itself, so that a worker does not load analysis, vega or sharp.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readConfigFile } from './cli/errors.js';
import { rewordYargsMessage } from './cli/flag-values.js';
import { COMMAND_NAMES, usageExit } from './cli/command-runner.js';
import { HELP_EPILOG } from './commands/shared.js';
import { isMainModule } from './cli/main-module.js';
import { recordExitStatus } from './cli/exit-file.js';
import { captureCliCommands } from './deploy/role-options.js';
import * as runLocal from './commands/run-local.js';
import * as worker from './commands/worker.js';
import * as coordinator from './commands/coordinator.js';
import * as ntpServer from './commands/ntp-server.js';
import * as analyze from './commands/analyze.js';
import * as deploy from './commands/deploy.js';
import * as sweep from './commands/sweep.js';
import * as rerun from './commands/rerun.js';
import * as compare from './commands/compare.js';
import * as slurm from './commands/slurm.js';

/** The whole CLI; deploy and the Slurm template read the worker's and coordinator's option declarations from it. */
export const cli: Argv = yargs(hideBin(process.argv))
  .scriptName('chronoeval')
  .usage('$0 <command> [options]\n\nMeasure whether distributed clocks get causality, ordering and stream windows right.')
  .config('config', 'JSON file of options (keys as flag names); flags given on the command line override it', readConfigFile)
  .command(runLocal)
  .command(worker)
  .command(coordinator)
  .command(ntpServer)
  .command(analyze)
  .command(deploy)
  .command(sweep)
  .command(rerun)
  .command(compare)
  .command(slurm)
  .demandCommand(1, `Give a command: ${COMMAND_NAMES.join(', ')}`)
  .strict()
  .recommendCommands()
  .epilog(HELP_EPILOG)
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err) => usageExit(rewordYargsMessage(msg ?? err?.message ?? 'invalid arguments')))
  .help();

// Parsed only when run as a program, so that the declarations above can be imported.
if (isMainModule(import.meta.url)) {
  recordExitStatus();
  captureCliCommands(cli); // deploy reads the worker's and coordinator's options from here
  await cli.parseAsync();
}
