#!/bin/sh
# Shows that the benchmark runs from a clean clone with one command: clones the committed HEAD of
# this repository (or of REPO) into a temporary directory, installs the locked dependencies, then
# times `npm run bench` (which builds first). Extra arguments go to the bench, e.g. --json FILE.
#   scripts/bench-clean-clone.sh [--repo DIR] [bench args...]
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--repo" ]; then repo=$(cd "$2" && pwd); shift 2; fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/chronoeval-clone-XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
git clone -q "$repo" "$dir/chronoeval"
cd "$dir/chronoeval"
echo "clean clone of $(git rev-parse --short HEAD) in $dir/chronoeval" >&2
npm ci --no-audit --no-fund --prefer-offline >&2
start=$(date +%s)
npm run --silent bench -- "$@"
echo "npm run bench took $(( $(date +%s) - start )) s, build included" >&2
