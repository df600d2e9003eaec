#!/bin/sh
# One-command deploy over SSH: pre-flight, ship, start workers, run the coordinator, fetch, analyse.
#   deploy/deploy.sh INVENTORY            run (exit codes: README.md, "Exit codes")
#   deploy/deploy.sh INVENTORY --dry-run  print every ssh command, contact nothing
#   deploy/deploy.sh INVENTORY --cleanup  stop leftovers of earlier runs, by pid file only
# A thin wrapper: everything happens in `chronoeval deploy` (src/deploy/). See docs/deploy.md.
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
root=$(dirname -- "$here")
if [ ! -f "$root/dist/src/cli.js" ]; then
  echo "deploy.sh: $root/dist/src/cli.js is missing; build first: (cd $root && npm ci && npm run build)" >&2
  exit 7
fi
if [ $# -lt 1 ]; then
  echo "usage: $0 INVENTORY [--dry-run] [--cleanup]" >&2
  exit 2
fi
exec node "$root/dist/src/cli.js" deploy "$@"
