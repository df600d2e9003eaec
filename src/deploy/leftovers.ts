// A deploy's local temp dir (ssh control sockets, the build bundle): marked with the deploy's pid,
// so that `--cleanup` can tell the dir of a deploy that was killed from one that is running.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PREFIX = 'ce-ssh-';
const OWNER = 'deploy.pid';

/** Creates <tmpRoot>/ce-ssh-XXXXXX holding this process's pid. */
export function makeDeployTmp(tmpRoot: string): string {
  const dir = mkdtempSync(path.join(tmpRoot, PREFIX));
  writeFileSync(path.join(dir, OWNER), `${process.pid}\n`);
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deploy temp dirs under `tmpRoot` whose deploy is gone (no pid file, or its pid is not running). */
export function staleDeployTmps(tmpRoot: string): Array<{ dir: string; pid: number | null; bytes: number; sockets: string[] }> {
  if (!existsSync(tmpRoot)) return [];
  const out = [];
  for (const name of readdirSync(tmpRoot)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(tmpRoot, name);
    let pid: number | null = null;
    try {
      if (!statSync(dir).isDirectory()) continue;
      pid = Number(readFileSync(path.join(dir, OWNER), 'utf8').trim()) || null;
    } catch {
      /* no owner file: an older deploy's dir */
    }
    if (pid !== null && pid !== process.pid && alive(pid)) continue;
    if (pid === process.pid) continue;
    let bytes = 0;
    const sockets: string[] = [];
    for (const e of readdirSync(dir, { recursive: true }) as string[]) {
      try {
        const st = statSync(path.join(dir, e));
        if (st.isFile()) bytes += st.size;
        else if (st.isSocket()) sockets.push(path.join(dir, e));
      } catch {
        /* vanished */
      }
    }
    out.push({ dir, pid, bytes, sockets });
  }
  return out;
}

/**
 * Closes the ssh master connections of dead deploys (`ssh -O exit` on each control socket; a
 * master otherwise lingers for its ControlPersist time) and removes their temp dirs.
 */
export async function removeStaleDeployTmps(tmpRoot: string, note: (msg: string) => void, sshBin = 'ssh'): Promise<number> {
  const stale = staleDeployTmps(tmpRoot);
  for (const s of stale) {
    for (const sock of s.sockets) {
      await new Promise<void>((resolve) => {
        const c = spawn(sshBin, ['-o', `ControlPath=${sock}`, '-O', 'exit', 'ce-leftover'], { stdio: 'ignore' });
        const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
        c.on('error', () => {
          clearTimeout(t);
          resolve();
        });
        c.on('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    rmSync(s.dir, { recursive: true, force: true });
    note(
      `removed ${s.dir} of a deploy that is no longer running${s.pid ? ` (pid ${s.pid})` : ''}: ${(s.bytes / 1e6).toFixed(1)} MB, ${s.sockets.length} ssh master connection(s) closed`,
    );
  }
  return stale.length;
}
