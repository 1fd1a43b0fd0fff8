#!/usr/bin/env bash
# Re-records testdata/merge (the merge tests' real summaries) after the summary or snapshot changes:
# the built-in origin on port 17391, a run of two shards of 2 clients each (fixture-run-1: JSON
# summaries and their pods' logs as .logs.txt) and an unsharded run of 3 clients (fixture-run-2).
# About a minute. Run from the repository root: tools/merge-fixtures/record.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export DENO_DIR=${DENO_DIR:-$PWD/.deno} NO_COLOR=1
D=${DENO:-tools/deno/node_modules/@deno/linux-$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')-glibc/deno}
V8=$(grep -o -- '--v8-flags=[^"]*' nix/deploy.json)
out=$(mktemp)
"$D" run -A src/main.ts origin --port 17391 >"$out" 2>/dev/null &
origin=$!
trap 'kill $origin 2>/dev/null; wait $origin 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 60); do [ -s "$out" ] && break; sleep 0.5; done
[ -s "$out" ] || { echo "record.sh: the origin did not start (is port 17391 in use?)" >&2; exit 1; }
url=$(cat "$out")
start=$(date -u -d '+8 seconds' +%Y-%m-%dT%H:%M:%S.000Z)
pids=()
for i in 0 1; do
  "$D" run -A "$V8" src/main.ts -c 4 --ramp-rate 4 -d 20s --shard "$i/2" --run-id fixture-run-1 \
    --start-at "$start" --summary-json "testdata/merge/shard-$i.json" --summary-line --tui=false \
    --log-format json --metrics off "$url" >"testdata/merge/shard-$i.logs.txt" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
"$D" run -A "$V8" src/main.ts -c 3 --ramp-rate 3 -d 45s --run-id fixture-run-2 \
  --summary-json testdata/merge/whole.json --tui=false --log-format json --metrics off "$url" >/dev/null 2>&1
echo "testdata/merge re-recorded"
