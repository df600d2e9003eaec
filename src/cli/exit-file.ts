// A process started by `chronoeval deploy` writes its own exit status to the file named by
// $CHRONOEVAL_EXIT_FILE, so that the status survives the launch wrapper that normally records it.
import { writeFileSync } from 'node:fs';

export function recordExitStatus(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.CHRONOEVAL_EXIT_FILE;
  if (!file) return;
  process.on('exit', (code) => {
    try {
      writeFileSync(file, `${code}\n`);
    } catch {
      /* the wrapper's record, if any, still stands */
    }
  });
}
