// Remote commands as pure functions: a constant POSIX sh script plus quoted positional arguments.
// No inventory value is ever spliced into script text; it arrives as "$1", "$2", ...
// Values are printed with printf '%s', never echo: dash's echo expands backslashes in them.
import { shScript } from './shell-quote.js';

/** Remote layout under a host's work dir (all relative to the absolute work dir). */
export const remoteLayout = {
  app: (wd: string) => `${wd}/app`,
  cli: (wd: string) => `${wd}/app/dist/src/cli.js`,
  state: (wd: string, runId: string) => `${wd}/runs/${runId}`,
  runsRoot: (wd: string) => `${wd}/runs`,
  key: (wd: string, runId: string) => `${wd}/keys/${runId}.key`,
  results: (wd: string) => `${wd}/results`,
  logs: (wd: string) => `${wd}/logs`,
};

/** Node one-liner that exits 0 if it can bind the UDP port given as its first argument. */
const PORT_PROBE_JS =
  "const d=require('dgram').createSocket('udp4');d.on('error',()=>process.exit(1));" +
  'd.bind(Number(process.argv[1]),()=>{d.close();process.exit(0)})';

const PREFLIGHT = `
wd=$1; nodebin=$2; probe=$3; shift 3
printf 'uname=%s\\n' "$(uname -sm 2>/dev/null)"
v=$("$nodebin" --version 2>/dev/null) || v=""
printf 'node=%s\\n' "$v"
if mkdir -p "$wd" 2>/dev/null && cd "$wd" 2>/dev/null && t=".ce-write-test.$$" && : >"$t" 2>/dev/null && rm -f "$t"; then
  printf 'workdir=%s\\n' "$(pwd -P)"
  printf 'bundle=%s\\n' "$(cat app/.bundle-sha 2>/dev/null)"
else
  echo "workdir="
fi
if command -v tar >/dev/null 2>&1; then echo "tar=yes"; else echo "tar=no"; fi
if command -v gzip >/dev/null 2>&1; then echo "gzip=yes"; else echo "gzip=no"; fi
for p in "$@"; do
  if [ -z "$v" ]; then echo "port:$p=unknown"
  elif "$nodebin" -e "$probe" "$p" >/dev/null 2>&1; then echo "port:$p=free"
  else echo "port:$p=busy"; fi
done
to=""; if command -v timeout >/dev/null 2>&1; then to="timeout 5"; fi
if command -v chronyc >/dev/null 2>&1; then
  $to chronyc -n tracking 2>&1 | sed -e 's/^/chrony|/'
elif command -v timedatectl >/dev/null 2>&1; then
  echo "synced=$($to timedatectl show -p NTPSynchronized --value 2>/dev/null)"
fi
echo "end=ok"
`;

/** Checks node, work dir, tools, UDP ports and clock state; prints key=value lines. */
export function preflightCommand(workDir: string, nodeBin: string, udpPorts: number[]): string {
  return shScript(PREFLIGHT, [workDir, nodeBin, PORT_PROBE_JS, ...udpPorts.filter((p) => p > 0).map(String)]);
}

const SHIP = `
wd=$1; sha=$2; z=$3
cd "$wd" || exit 1
rm -rf app.new && mkdir app.new || exit 1
if [ "$z" = 1 ]; then gzip -dc | tar -xf - -C app.new; else tar -xf - -C app.new; fi || { rm -rf app.new; exit 1; }
printf '%s\\n' "$sha" >app.new/.bundle-sha || exit 1
rm -rf app.old
if [ -d app ]; then mv app app.old || exit 1; fi
mv app.new app && rm -rf app.old
`;

/** Unpacks a bundle tarball arriving on stdin into <wd>/app (atomically replaced). */
export function shipCommand(absWorkDir: string, sha: string, gzipped: boolean): string {
  return shScript(SHIP, [absWorkDir, sha, gzipped ? '1' : '0']);
}

const PUT_SECRET = `
umask 077
d=$(dirname "$1") && mkdir -p "$d" && cat >"$1.tmp" && mv "$1.tmp" "$1"
`;

/** Writes stdin to a file readable only by the remote user (the run's HMAC key). */
export function putSecretCommand(remoteFile: string): string {
  return shScript(PUT_SECRET, [remoteFile]);
}

// Starts several processes in one ssh session (dozens of workers on one host would otherwise
// open a session each). Arguments: the state dir, then per process its name, its argv length and
// its argv. The argv is reached through positional references ("${3}" …) that `each` writes
// itself: no argument value is ever part of the text that eval reads.
const LAUNCH = `
dir=$1; shift
mkdir -p "$dir" || exit 1
rc=0
each() {
  fn=$1; shift; k=0
  while [ $# -gt 0 ]; do
    name=$1; n=$2; shift 2
    case $n in ''|*[!0-9]*) echo "bad argument count for $name" >&2; exit 1;; esac
    [ $# -ge "$n" ] || { echo "missing arguments for $name" >&2; exit 1; }
    refs=""; i=1
    while [ "$i" -le "$n" ]; do refs="$refs \\"\\\${$i}\\""; i=$((i+1)); done
    k=$((k+1))
    eval "$fn $k \\"\\$name\\"$refs"
    shift "$n"
  done
}
start() {
  k=$1; name=$2; shift 2
  if [ -s "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
    printf '@@fail %s already running (pid %s)\n' "$name" "$(cat "$dir/$name.pid")"
    printf '%s is already running (pid %s)\n' "$name" "$(cat "$dir/$name.pid")" >&2
    rc=3; return
  fi
  rm -f "$dir/$name.pid" "$dir/$name.rc" "$dir/$name.exit"
  (
    trap '' HUP
    CHRONOEVAL_EXIT_FILE="$dir/$name.exit" "$@" >"$dir/$name.out" 2>"$dir/$name.err" </dev/null &
    child=$!
    echo "$child" >"$dir/$name.pid.tmp" && mv "$dir/$name.pid.tmp" "$dir/$name.pid"
    wait "$child"
    echo $? >"$dir/$name.rc"
  ) >/dev/null 2>&1 </dev/null &
  eval "started_$k=1"
}
report() {
  k=$1; name=$2
  eval "s=\\\${started_$k:-}"
  [ "$s" = 1 ] || return 0
  i=0
  while [ ! -s "$dir/$name.pid" ] && [ $i -lt 100 ]; do sleep 0.05 2>/dev/null || sleep 1; i=$((i+1)); done
  if [ -s "$dir/$name.pid" ]; then
    printf '@@pid %s pid=%s\n' "$name" "$(cat "$dir/$name.pid")"
  else
    printf '@@fail %s no pid file\n' "$name"
    printf 'no pid file for %s\n' "$name" >&2
    [ "$rc" != 0 ] || rc=1
  fi
}
each start "$@"
each report "$@"
exit $rc
`;

/** One process to start: its name (its files' stem in the state dir) and its argv. */
export interface LaunchEntry {
  name: string;
  argv: readonly string[];
}

/**
 * Starts each entry's argv detached from the ssh session, stdout/stderr into <dir>/<name>.out/.err,
 * its pid in <dir>/<name>.pid and, once it exits, its exit status in <dir>/<name>.rc (written by the
 * wrapper) and <dir>/<name>.exit (written by a chronoeval process itself, via $CHRONOEVAL_EXIT_FILE).
 * Prints `@@pid <name> pid=<pid>` or `@@fail <name> <why>` per entry; exits 0 when all started, 3
 * when one was already running, 1 otherwise.
 */
export function launchManyCommand(stateDir: string, entries: readonly LaunchEntry[]): string {
  return shScript(LAUNCH, [stateDir, ...entries.flatMap((e) => [e.name, String(e.argv.length), ...e.argv])]);
}

export function launchCommand(stateDir: string, name: string, argv: readonly string[]): string {
  return launchManyCommand(stateDir, [{ name, argv }]);
}

/** name → pid, or → the reason it did not start, from a launch's stdout. */
export function parseLaunch(stdout: string): Map<string, { pid: number } | { error: string }> {
  const out = new Map<string, { pid: number } | { error: string }>();
  for (const line of stdout.split('\n')) {
    const ok = /^@@pid (\S+) pid=(\d+)$/.exec(line);
    if (ok) out.set(ok[1]!, { pid: Number(ok[2]) });
    const bad = /^@@fail (\S+) (.*)$/.exec(line);
    if (bad) out.set(bad[1]!, { error: bad[2]! });
  }
  return out;
}

const STATUS = `
dir=$1; shift
for n in "$@"; do
  pid=$(cat "$dir/$n.pid" 2>/dev/null); alive=0
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then alive=1; fi
  rc=$(cat "$dir/$n.rc" 2>/dev/null)
  # the process's own record when the wrapper that writes .rc was killed
  [ -n "$rc" ] || [ "$alive" = 1 ] || rc=$(cat "$dir/$n.exit" 2>/dev/null)
  echo "@@status $n pid=$pid alive=$alive rc=$rc"
  tail -c 262144 "$dir/$n.out" 2>/dev/null
  echo
  echo "@@err $(wc -l <"$dir/$n.err" 2>/dev/null || echo 0)"
  tail -n 20 "$dir/$n.err" 2>/dev/null
done
echo "@@end"
`;

/** For each process name: a `@@status` line, its stdout (JSON lines), `@@err <line count>` and the last 20 stderr lines. */
export function statusCommand(stateDir: string, names: readonly string[]): string {
  return shScript(STATUS, [stateDir, ...names]);
}

// One loop over pid files (the positional parameters) for both a run's stop and --cleanup's stop-all.
const STOP_LOOP = `
for f in "$@"; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .pid)
  pid=$(cat "$f" 2>/dev/null)
  case $pid in ''|*[!0-9]*) printf '@@stop %s badpid\\n' "$n"; continue;; esac
  if ! kill -0 "$pid" 2>/dev/null; then printf '@@stop %s gone %s\\n' "$n" "$pid"; continue; fi
  args=$(ps -p "$pid" -o args= 2>/dev/null) || args=$(tr '\\000' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || args=""
  case $args in
    *"$marker"*) if kill -"$sig" "$pid" 2>/dev/null; then printf '@@stop %s signalled %s %s\\n' "$n" "$pid" "$f"; else printf '@@stop %s failed %s\\n' "$n" "$pid"; fi;;
    *) printf '@@stop %s notours %s\\n' "$n" "$pid";;
  esac
done
echo "@@end"
`;

const STOP = `
sig=$1; marker=$2; shift 2${STOP_LOOP}`;

/**
 * Sends `signal` to the processes named by pid files, and only if the process's command line
 * still contains `marker` (the remote cli path): a recycled pid is never signalled.
 * Signal `0` only checks: lines say `signalled` for processes still alive and ours.
 */
export function stopCommand(signal: 'TERM' | 'KILL' | 'INT' | '0', marker: string, pidFiles: readonly string[]): string {
  return shScript(STOP, [signal, marker, ...pidFiles]);
}

const STOP_ALL = `
sig=$1; marker=$2; root=$3
set -- "$root"/*/*.pid${STOP_LOOP}`;

/** Cleanup of leftovers from any run: every pid file under <wd>/runs, same identity check. */
export function stopAllCommand(signal: 'TERM' | 'KILL' | '0', marker: string, runsRoot: string): string {
  return shScript(STOP_ALL, [signal, marker, runsRoot]);
}

const FETCH = `
wd=$1; id=$2
cd "$wd" || exit 1
set --
for d in "results/$id" "logs/$id" "runs/$id"; do [ -e "$d" ] && set -- "$@" "$d"; done
[ $# -gt 0 ] || { printf 'nothing to fetch for run %s\\n' "$id" >&2; exit 4; }
exec tar -cf - "$@"
`;

/** Writes a tar of results/<id>, logs/<id> and runs/<id> (process out/err/rc) to stdout. */
export function fetchCommand(absWorkDir: string, runId: string): string {
  return shScript(FETCH, [absWorkDir, runId]);
}

/** `key=value` lines (and `chrony|...` lines) from the pre-flight script. */
export interface PreflightFacts {
  uname: string;
  node: string;
  workdir: string;
  bundle: string;
  tar: boolean;
  gzip: boolean;
  ports: Record<string, 'free' | 'busy' | 'unknown'>;
  clock: string;
  complete: boolean;
}

export function parsePreflight(stdout: string): PreflightFacts {
  const f: PreflightFacts = {
    uname: '',
    node: '',
    workdir: '',
    bundle: '',
    tar: false,
    gzip: false,
    ports: {},
    clock: 'no chronyc/timedatectl',
    complete: false,
  };
  const chrony: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('chrony|')) {
      chrony.push(line.slice(7));
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).trim();
    if (k === 'uname') f.uname = v;
    else if (k === 'node') f.node = v;
    else if (k === 'workdir') f.workdir = v;
    else if (k === 'bundle') f.bundle = v;
    else if (k === 'tar') f.tar = v === 'yes';
    else if (k === 'gzip') f.gzip = v === 'yes';
    else if (k.startsWith('port:')) f.ports[k.slice(5)] = v === 'free' || v === 'busy' ? v : 'unknown';
    else if (k === 'synced')
      f.clock = v === 'yes' ? 'timedatectl: synchronized' : v === 'no' ? 'timedatectl: NOT synchronized' : 'timedatectl: unknown';
    else if (k === 'end') f.complete = v === 'ok';
  }
  if (chrony.length) f.clock = summariseChrony(chrony);
  return f;
}

/** One short cell from `chronyc -n tracking`: leap status, offset, reference. */
export function summariseChrony(lines: string[]): string {
  const get = (label: string) =>
    lines
      .find((l) => l.startsWith(label))
      ?.split(':')
      .slice(1)
      .join(':')
      .trim();
  const leap = get('Leap status');
  const sys = get('System time');
  const ref = get('Reference ID');
  if (!leap && !sys) return `chronyc: ${lines.join(' ').slice(0, 60)}`;
  const off = sys ? sys.replace(/ seconds (fast|slow) of NTP time/, (_m, d) => ` s ${d}`) : '?';
  return `chrony ${leap ?? '?'}; ${off}; ref ${ref ?? '?'}`;
}

/** Node's major version from `v20.19.1`; null if absent or unparsable. */
export function nodeMajor(v: string): number | null {
  const m = /^v(\d+)\./.exec(v);
  return m ? Number(m[1]) : null;
}

export interface ProcStatus {
  name: string;
  pid: number | null;
  alive: boolean;
  rc: number | null;
  out: string;
  /** Total stderr lines so far, and the last (up to 20) of them. */
  errLines: number;
  errTail: string[];
}

export function parseStatus(stdout: string): Map<string, ProcStatus> {
  const out = new Map<string, ProcStatus>();
  let cur: ProcStatus | null = null;
  let inErr = false;
  for (const line of stdout.split('\n')) {
    const m = /^@@status (\S+) pid=(\d*) alive=([01]) rc=(\d*)$/.exec(line);
    if (m) {
      cur = {
        name: m[1],
        pid: m[2] ? Number(m[2]) : null,
        alive: m[3] === '1',
        rc: m[4] ? Number(m[4]) : null,
        out: '',
        errLines: 0,
        errTail: [],
      };
      out.set(cur.name, cur);
      inErr = false;
    } else if (line === '@@end') cur = null;
    else if (cur && /^@@err \s*\d+$/.test(line)) {
      cur.errLines = Number(line.slice(6).trim());
      inErr = true;
    } else if (cur && inErr) {
      if (line !== '') cur.errTail.push(line);
    } else if (cur) cur.out += line + '\n';
  }
  return out;
}

/** JSON objects from a process's stdout (non-JSON lines are skipped). */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  const res: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v && typeof v === 'object') res.push(v as Record<string, unknown>);
    } catch {
      /* torn or human line */
    }
  }
  return res;
}

const ABS_DIR = `
cd "$1" 2>/dev/null || { printf 'no such directory: %s\\n' "$1" >&2; exit 4; }
pwd -P
`;

/** Prints the absolute physical path of a remote directory (exit 4 if it does not exist). */
export function absDirCommand(dir: string): string {
  return shScript(ABS_DIR, [dir]);
}
