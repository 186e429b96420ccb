#!/usr/bin/env bash
# Kill `atlas fit` at each rename of its publish step, TRIES times (default 20), alternating two
# fits that differ in their hold-out, and check after every try that the output folder holds one
# fit's files (never coefficients.json of one fit beside predictions.csv of the other).
# Usage: scripts/robustness/kill_at_rename.sh [TRIES]      exit 1 when any try left a mixed folder
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TRIES=${1:-20}
S=$(mktemp -d)
trap 'rm -rf "$S"' EXIT
cd "$S"
node -e '
const lines = ["run_id,params,tokens,loss"];
for (const n of [3e7, 1e8, 3e8, 1e9, 3e9]) for (const r of [5, 10, 20, 40]) {
  const d = n * r; lines.push(`N${n}-r${r},${n},${d},${1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28}`);
}
require("fs").writeFileSync("runs.csv", lines.join("\n") + "\n");'
node "$ROOT/bin/atlas.mjs" fit --data runs.csv --law chinchilla --starts init --out fit 2>/dev/null
mixed=0
for i in $(seq 1 "$TRIES"); do
  at=$(( (i - 1) % 3 + 1 ))          # renames 1 and 2 are the swap; 3 never comes (the fit completes)
  holdout=$([ $((i % 2)) -eq 0 ] && echo none || echo top-params:0.2)
  ATLAS_FAULT_KILL_AT_RENAME=$at node --import "$HERE/faults.mjs" "$ROOT/bin/atlas.mjs" fit --data runs.csv --law chinchilla --starts init --holdout "$holdout" --out fit >/dev/null 2>&1
  rc=$?
  verdict=$(node "$HERE/check_fit_folder.mjs" fit) || mixed=$((mixed + 1))
  leftovers=$(ls -a | grep -c '^\.\(tmp\|old\)-fit\.' || true)
  printf 'try %2d: kill after rename %d (holdout %-14s) exit %3d -> %s; staging/set-aside folders: %s\n' "$i" "$at" "$holdout" "$rc" "$verdict" "$leftovers"
done
node "$ROOT/bin/atlas.mjs" fit --data runs.csv --law chinchilla --starts init --out fit >/dev/null 2>&1
echo "after one more uninterrupted fit: $(node "$HERE/check_fit_folder.mjs" fit); leftovers: $(ls -a | grep -c '^\.\(tmp\|old\)-fit\.' || true)"
echo "tries: $TRIES, mixed artifacts: $mixed"
[ "$mixed" -eq 0 ]
