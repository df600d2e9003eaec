// `chronoeval deploy`: run on real hosts over SSH (docs/deploy.md).
import type { Argv } from 'yargs';
import { runCommand } from '../cli/command-runner.js';
import { type ArgsOf, HELP_EPILOG } from './shared.js';

export const command = 'deploy <inventory>';
export const describe = 'Run on real hosts over SSH: pre-flight, ship, start workers, run the coordinator, fetch, analyse (docs/deploy.md)';

export function builder(y: Argv) {
  return y
    .positional('inventory', {
      type: 'string',
      demandOption: true,
      describe: 'Inventory file (YAML or JSON; see deploy/inventory.example.yaml)',
    })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print every remote command and contact no host' })
    .option('cleanup', {
      type: 'boolean',
      default: false,
      describe: 'Stop leftover processes of earlier runs on every host, by pid file only',
    })
    .example('$0 deploy deploy/inventory.example.yaml --dry-run', 'show what a deploy would run')
    .example(
      '$0 deploy my-hosts.yaml',
      'run it: results/<run_id>/ and logs/<run_id>/ locally; Ctrl-C stops every remote process and fetches what exists',
    )
    .example('$0 deploy my-hosts.yaml --cleanup', 'stop what earlier (killed) deploys left running')
    .epilog(HELP_EPILOG);
}

/** The inventory, read and checked whole (every problem named) before any host is contacted. */
async function parse(a: ArgsOf<typeof builder>) {
  const { loadInventory, loadRoleOptions } = await import('../deploy/index.js');
  await loadRoleOptions();
  return { inventory: loadInventory(a.inventory as string), dryRun: a['dry-run'], cleanup: a.cleanup };
}

/** Exit codes: see runDeploy (src/deploy/index.ts). */
async function run(o: Awaited<ReturnType<typeof parse>>): Promise<number> {
  const { runDeploy } = await import('../deploy/index.js');
  return runDeploy(o.inventory, { dryRun: o.dryRun, cleanup: o.cleanup });
}

export const handler = runCommand({ parse, run });
