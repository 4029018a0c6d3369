#!/usr/bin/env bash
# Stops what start-cluster.sh started, by the PIDs it recorded (never by name): the cluster's
# jobs first, then slurmd, slurmctld, and munged if start-cluster.sh started it. Safe to run
# twice, or after a start that failed half way.
set -uo pipefail
DIR=${DSLAB_SLURM_DIR:-/tmp/dslab-slurm}
running() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && [ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$2")" ]; }

stop() {
  local file="$DIR/$1.pid" program=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if running "$pid" "$program"; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do running "$pid" "$program" || break; sleep 0.1; done
    running "$pid" "$program" && kill -KILL "$pid"
    echo "stop-cluster: stopped $1 (pid $pid)"
  fi
  rm -f "$file"
}

if [ -f "$DIR/slurmctld.pid" ] && running "$(cat "$DIR/slurmctld.pid")" /usr/sbin/slurmctld; then
  jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
  if [ -n "$jobs" ]; then
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null
    for _ in $(seq 1 150); do [ -z "$(squeue -h -t PD,R,CG,S -o %A 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi
# What a job left running on the node (slurmd knows it).
if [ -f "$DIR/slurmd.pid" ] && running "$(cat "$DIR/slurmd.pid")" /usr/sbin/slurmd; then
  for p in $(scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }'); do kill -KILL "$p" 2>/dev/null; done
fi
stop slurmd /usr/sbin/slurmd
stop slurmctld /usr/sbin/slurmctld
stop munged /usr/sbin/munged
exit 0
