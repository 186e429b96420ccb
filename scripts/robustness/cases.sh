#!/usr/bin/env bash
# The hostile-input and fault cases of the robustness review, one line each:
#   case | exit code | what happened (first line of stderr, or the check's verdict)
# Usage: scripts/robustness/cases.sh [ATLAS_CHECKOUT]   (default: this checkout)
# Runs in a scratch folder; needs nothing but node. Slow cases are bounded by `timeout`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "${1:-$HERE/../..}" && pwd)
ATLAS="node $ROOT/bin/atlas.mjs"
FAULTS="$HERE/faults.mjs"
CHECK="node $HERE/check_fit_folder.mjs"
S=$(mktemp -d)
trap 'rm -rf "$S"' EXIT
W="$S/work"
mkdir -p "$W" "$S/somewhere/chinchilla"
cd "$W"
echo "keep me" > "$S/somewhere/chinchilla/notes.txt"
# A small Chinchilla log (Hoffmann et al. 2022 coefficients, no noise), 20 runs.
node -e '
const lines = ["run_id,params,tokens,loss"];
for (const n of [3e7, 1e8, 3e8, 1e9, 3e9]) for (const r of [5, 10, 20, 40]) {
  const d = n * r; lines.push(`N${n}-r${r},${n},${d},${1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28}`);
}
require("fs").writeFileSync("runs.csv", lines.join("\n") + "\n");'
cp runs.csv "$S/outside.csv"
FIT="fit --data runs.csv --law chinchilla --starts init"

row() { # row NAME EXIT TEXT
  printf '%-58s | %4s | %s\n' "$1" "$2" "$(printf '%s' "$3" | tr '\n' ' ' | cut -c1-150)"
}
run() { # run NAME COMMAND… : exit code and the first stderr line that is not progress
  local name=$1; shift
  local err; err=$(timeout 120 "$@" 2>&1 >/dev/null); local rc=$?
  [ $rc -eq 124 ] && err="(still running after 120 s: killed)"
  row "$name" $rc "$(printf '%s' "$err" | grep -v '^\s*$' | grep -v "^  " | grep -v "jobs, .* in this shard" | head -1)"
}

echo "atlas checkout: $ROOT ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null))"
printf '%-58s | %4s | %s\n' case exit result

# 1. sweep out: outside the working directory; a job folder the sweep did not create
printf 'sweep: s\nout: ../somewhere\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n' > s1.yaml
run "1a sweep out: ../somewhere (job chinchilla)" $ATLAS sweep s1.yaml
row "1a   ../somewhere/chinchilla/notes.txt after the sweep" - "$( [ -f "$S/somewhere/chinchilla/notes.txt" ] && echo kept || echo DELETED)"
mkdir -p mine/chinchilla && echo "keep me" > mine/chinchilla/notes.txt
printf 'sweep: s\nout: mine\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n' > s1b.yaml
run "1b sweep out: mine, mine/chinchilla/ is the user's" $ATLAS sweep s1b.yaml
row "1b   mine/chinchilla/notes.txt after the sweep" - "$( [ -f mine/chinchilla/notes.txt ] && echo kept || echo DELETED)"
printf 'sweep: s\ndata: [../outside.csv]\nlaw: chinchilla\nfit: { starts: init }\n' > s1c.yaml
run "1c sweep data: ../outside.csv" $ATLAS sweep s1c.yaml --out s1c-out

# 2. full disk (writes stubbed: 3000 bytes left, then ENOSPC)
$ATLAS $FIT --out full >/dev/null 2>&1
before=$(sha256sum full/predictions.csv | cut -c1-12)
run "2a fit --out full on a full disk" env ATLAS_FAULT_DISK_BYTES=3000 node --import "$FAULTS" "$ROOT/bin/atlas.mjs" $FIT --holdout top-params:0.2 --out full
row "2a   full/predictions.csv afterwards" - "$( [ "$(sha256sum full/predictions.csv | cut -c1-12)" = "$before" ] && echo 'old artifact intact' || echo "CHANGED ($(wc -c < full/predictions.csv) bytes)"); $($CHECK full)"
printf 'sweep: s2\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n' > s2.yaml
run "2b sweep on a full disk" env ATLAS_FAULT_DISK_BYTES=3000 node --import "$FAULTS" "$ROOT/bin/atlas.mjs" sweep s2.yaml --out s2-out

# 3. SIGKILL right after the first rename of a refit (fit A: no hold-out; fit B: top-params:0.2)
$ATLAS $FIT --out mix >/dev/null 2>&1
ATLAS_FAULT_KILL_AT_RENAME=1 node --import "$FAULTS" "$ROOT/bin/atlas.mjs" $FIT --holdout top-params:0.2 --out mix >/dev/null 2>&1
row "3  kill at the 1st rename of a refit into mix/" $? "$($CHECK mix)"
ATLAS_FAULT_KILL_AT_RENAME=2 node --import "$FAULTS" "$ROOT/bin/atlas.mjs" $FIT --holdout top-params:0.2 --out mix >/dev/null 2>&1
row "3  kill at the 2nd rename of a refit into mix/" $? "$($CHECK mix)"

# 4. --out '' and --out outside the working directory
run "4a fit --out ''" $ATLAS $FIT --out ''
row "4a   files written into the working directory" - "$(ls coefficients.json predictions.csv 2>/dev/null | tr '\n' ' ')"
run "4b fit --out ../elsewhere" $ATLAS $FIT --out ../elsewhere
row "4b   ../elsewhere exists afterwards" - "$( [ -d ../elsewhere ] && echo yes || echo no)"

# 5. fit.threads: 2 in a config
printf 'data: [runs.csv]\nlaw: chinchilla\nfit: { starts: 8, threads: 2 }\n' > threads2.yaml
start=$(date +%s.%N)
run "5  fit --config threads2.yaml (fit.threads: 2)" $ATLAS fit --config threads2.yaml --out t2
row "5   seconds" - "$(echo "$(date +%s.%N) - $start" | bc)"

# 6. an 80,000-digit cell followed by x; a 50,000-character --where
node -e 'require("fs").writeFileSync("long.csv", "run_id,params,tokens,loss\nr1," + "1".repeat(80000) + "x,1e9,2.5\n")'
start=$(date +%s.%N)
run "6a ingest long.csv (80,000-digit cell + x)" $ATLAS ingest long.csv
row "6a   seconds" - "$(echo "$(date +%s.%N) - $start" | bc)"
W50=$(node -e 'process.stdout.write("1".repeat(50000) + "x")')
err=$($ATLAS ingest runs.csv --where "params > $W50" 2>&1 >/dev/null); rc=$?
row "6b ingest --where 'params > <50,001 chars>'" $rc "stderr ${#err} characters: $(printf '%s' "$err" | cut -c1-90)"

# 7. internal errors where exit 2 belongs
printf 'data: [runs.csv]\nlaw: chinchilla\nfit: { starts: 8, threads: 10000 }\n' > threads10k.yaml
run "7a fit.threads: 10000 (ulimit -u 400)" bash -c "ulimit -u 400; $ATLAS fit --config threads10k.yaml --out t10k"
for law in __proto__ constructor toString; do run "7b fit --law $law" $ATLAS fit --data runs.csv --law $law --out l; done
touch afile
run "7c fit --out afile (an existing file)" $ATLAS $FIT --out afile
run "7d sweep --plugin missing.mjs" $ATLAS sweep s2.yaml --plugin missing.mjs --out s7d
cat > bomb.yaml <<'YAML'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
sweep: bomb
data: [runs.csv]
law: chinchilla
YAML
run "7e sweep bomb.yaml (billion laughs)" $ATLAS sweep bomb.yaml
ro=""
if mkdir -p ro && mount -t tmpfs -o size=1m,ro tmpfs ro 2>/dev/null; then ro=mounted; fi
start=$(date +%s.%N)
if [ -n "$ro" ]; then run "7f fit --out ro/fit (read-only file system)" $ATLAS fit --data runs.csv --law chinchilla --starts 64 --out ro/fit; umount ro; else row "7f read-only file system" - "skipped: cannot mount"; fi
row "7f   seconds" - "$(echo "$(date +%s.%N) - $start" | bc)"

# 8. invalid input accepted
printf 'run_id,params,tokens,loss\nr1,1e8,1e9,3.1\nr1,2e8,2e9,3.0\n' > twoparams.csv
run "8a one run_id with two params" $ATLAS ingest twoparams.csv
printf 'run_id,params,tokens,loss,kind,base_run,base_tokens\nr1,1e8,1e9,3.1,pretrain,,\nf1,1e8,2e9,3.0,finetune,nope,1e9\n' > dangling.csv
run "8b base_run naming no run" $ATLAS ingest dangling.csv
for v in 0 -1 1.5 abc; do run "8c fit --max-iterations $v" $ATLAS $FIT --max-iterations $v --out m; done
run "8d fit --delta 1e400" $ATLAS $FIT --delta 1e400 --out d
run "8e fit --fix E=0x10" $ATLAS $FIT --fix E=0x10 --out f
run "8f ingest --map __proto__=params" $ATLAS ingest runs.csv --map __proto__=params
for flag in fix init; do run "8g fit --$flag __proto__=1" $ATLAS $FIT --$flag __proto__=1 --out p; done
run "8g fit --tie __proto__=alpha" $ATLAS $FIT --tie __proto__=alpha --out p
printf 'data: [runs.csv]\ncolumns:\n  __proto__: params\n' > proto.yaml
run "8h config columns: { __proto__: params }" $ATLAS ingest --config proto.yaml

# 9. unclear messages
{ printf 'run_id,params,tokens,loss\n'; for i in 1 2 3; do printf 'r%d,1e8,%d000000000,3.1\n' $i $i; done; printf '"r4,1e8,4e9,3.0\n'; for i in $(seq 5 30); do printf 'r%d,1e8,%d000000000,3.1\n' $i $i; done; } > quote.csv
run "9a unterminated quote opened on line 5" $ATLAS ingest quote.csv
run "9b ingest --map tokens=tokens*-1" $ATLAS ingest runs.csv --map 'tokens=tokens*-1'
printf 'data: [runs.csv]\nlaw: chinchila\n' > badlaw.yaml
run "9c config law: chinchila (line 2)" $ATLAS fit --config badlaw.yaml --out b

# 10. two sweeps on one folder at once
printf 'sweep: s10\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: 64 }\n' > s10.yaml
$ATLAS sweep s10.yaml --json > a.json 2> a.err & p1=$!
$ATLAS sweep s10.yaml --json > b.json 2> b.err & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
ran=$(node -e 'let n=0;for (const f of ["a.json","b.json"]) { try { n += JSON.parse(require("fs").readFileSync(f,"utf8")).ran } catch {} } console.log(n)')
row "10 two sweeps on one folder at once" "$r1,$r2" "jobs run in total: $ran; $(grep -h 'atlas' a.err b.err | grep -iv 'jobs,' | head -1)"
