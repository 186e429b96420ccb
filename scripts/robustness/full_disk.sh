#!/usr/bin/env bash
# Refit into a folder on a full disk and check: exit 1, a message naming the path, the previous
# artifact intact. Uses a real 256 KiB tmpfs when this user may mount one (root in a container),
# else a write stub (faults.mjs: ATLAS_FAULT_DISK_BYTES).
# Usage: scripts/robustness/full_disk.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
S=$(mktemp -d)
mounted=""
cleanup() { cd /; [ -n "$mounted" ] && umount "$S/disk"; rm -rf "$S"; }
trap cleanup EXIT
mkdir -p "$S/disk"
if mount -t tmpfs -o size=256k tmpfs "$S/disk" 2>/dev/null; then mounted=yes; fi
cd "$S/disk"
node -e '
const lines = ["run_id,params,tokens,loss"];
for (let k = 0; k < 25; k++) for (const n of [3e7, 1e8, 3e8, 1e9, 3e9]) for (const r of [5, 10, 20, 40]) {
  const d = n * r * (1 + k / 100); lines.push(`N${n}-r${r}-${k},${n},${d},${1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28}`);
}
require("fs").writeFileSync("runs.csv", lines.join("\n") + "\n");'
node "$ROOT/bin/atlas.mjs" fit --data runs.csv --law chinchilla --starts init --out fit 2>/dev/null && echo "fitted fit/ ($(du -sk fit | cut -f1) KiB)"
snap() { (cd fit && sha256sum coefficients.json predictions.csv timing.json .atlas-folder.json); }
report() { # report LABEL RC BEFORE
  echo "$1: exit $2; stderr: $(grep -v '^\s*$' err.txt | tail -1)"
  echo "   previous artifact: $([ "$3" = "$(snap)" ] && echo intact || echo CHANGED); $(node "$HERE/check_fit_folder.mjs" fit); leftover staging folders: $(ls -a | grep -c '^\.tmp-' || true)"
  [ "$2" -eq 1 ] && [ "$3" = "$(snap)" ] || failed=1
}
failed=0
before=$(snap)
# 1. The write stub: 3000 bytes fit, then short writes and ENOSPC (a disk that fills during the write).
ATLAS_FAULT_DISK_BYTES=3000 node --import "$HERE/faults.mjs" "$ROOT/bin/atlas.mjs" fit --data runs.csv --law chinchilla --starts init --holdout top-params:0.2 --out fit 2>err.txt >/dev/null
rc=$?
report "write stub, disk full after 3000 bytes" $rc "$before"
# 2. A real full file system (when it can be mounted): caught by the probe before the fit runs.
if [ -n "$mounted" ]; then
  head -c $(( $(df -k . | tail -1 | awk '{print $4}') * 1024 )) /dev/zero > filler 2>/dev/null
  node "$ROOT/bin/atlas.mjs" fit --data runs.csv --law chinchilla --starts init --holdout top-params:0.2 --out fit 2>err.txt >/dev/null
  rc=$?
  report "tmpfs of 256 KiB filled to $(df -k . | tail -1 | awk '{print $4}') KiB free" $rc "$before"
  rm -f filler
else
  echo "tmpfs: cannot mount here; skipped"
fi
exit $failed
