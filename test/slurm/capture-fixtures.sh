#!/usr/bin/env bash
# Captures what Slurm's commands print about a job array whose tasks end in every way dslab
# status tells apart, into test/fixtures/slurm/ (the parsers' unit tests read them). Needs a
# running cluster (test/slurm/start-cluster.sh; best freshly started, so that squeue lists
# only these jobs) and takes about two minutes (a time limit is one minute at least).
set -euo pipefail
OUT=$(cd "$(dirname "$0")/../fixtures/slurm" && pwd)
W=$(mktemp -d /tmp/dslab-fixtures.XXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/logs"
state() { squeue -h -t all -j "$1" -o %T 2>/dev/null | head -1; }

# Task 0 completes, 1 exits 5 after printing an error, 2 runs into its time limit, 3 is cancelled
# while it runs, 4 is requeued while it runs, 5 is cancelled while it waits (%2: at most two run).
cat > "$W/array.sh" <<'SCRIPT'
#!/bin/bash
#SBATCH --job-name=dslab-fixture
#SBATCH --output=logs/%A_%a.out
#SBATCH --open-mode=append
#SBATCH --time=1
#SBATCH --array=0-5%2
echo "task $SLURM_ARRAY_TASK_ID, run $(( ${SLURM_RESTART_COUNT:-0} + 1 ))"
case $SLURM_ARRAY_TASK_ID in
  0) exit 0 ;;
  1) echo "Error: the dataset is not readable"; exit 5 ;;
  *) sleep 600 ;;
esac
SCRIPT
cd "$W"
J=$(sbatch --parsable array.sh)
for _ in $(seq 1 100); do [ "$(squeue -h -j "${J}_2" -o %T)" = RUNNING ] && break; sleep 0.2; done
squeue --json > "$OUT/squeue-pending.json"
scontrol show job "$J" > "$OUT/scontrol-pending.txt"
scancel "${J}_5"
for _ in $(seq 1 100); do [ "$(squeue -h -j "${J}_3" -o %T)" = RUNNING ] && break; sleep 0.2; done
scancel "${J}_3"
for _ in $(seq 1 100); do [ "$(squeue -h -j "${J}_4" -o %T)" = RUNNING ] && break; sleep 0.2; done
sleep 1
scontrol requeue "${J}_4"
sleep 1
squeue --json > "$OUT/squeue-requeued.json"
# A job that is not an array, on a node that fails under it (no requeue, so it ends NODE_FAIL).
N=$(sbatch --parsable --no-requeue --job-name=dslab-nodefail -o "$W/logs/nodefail_%j.out" --wrap 'sleep 600')
for _ in $(seq 1 150); do [ "$(state "$N")" = RUNNING ] && break; sleep 0.2; done
scontrol update nodename=localhost state=down reason=fixture
for _ in $(seq 1 50); do [ "$(state "$N")" = NODE_FAIL ] && break; sleep 0.2; done
scontrol update nodename=localhost state=resume 2>/dev/null || true
# Task 2's time limit (checked every 30 s or so), then task 4 ends the same way.
for _ in $(seq 1 600); do [ "$(state "${J}_2")" = TIMEOUT ] && break; sleep 0.5; done
scancel "${J}_4"
sleep 2
squeue --json > "$OUT/squeue-ended.json"
scontrol show job "$J" > "$OUT/scontrol-ended.txt"
scontrol show job "$N" > "$OUT/scontrol-nodefail.txt"
for f in logs/*; do cp "$f" "$OUT/log-$(basename "$f" | sed "s/^${J}_/task/; s/^nodefail_${N}/nodefail/")"; done
printf '{ "array": "%s", "nodeFail": "%s", "slurm": "%s" }\n' "$J" "$N" "$(sinfo --version)" > "$OUT/jobs.json"
echo "captured array job $J and job $N into $OUT"
