#!/usr/bin/env bash
# Starts a throw-away Slurm cluster of one node (localhost, partition "debug") for the
# integration tests of Slurm sweeps (test/integration/slurm.test.ts), from Debian's slurmctld,
# slurmd, slurm-client and munge (installed when missing; needs root). No systemd: each daemon
# is started here and its PID kept in $DSLAB_SLURM_DIR, which stop-cluster.sh alone uses.
#
#   DSLAB_SLURM_DIR  state, logs and PID files (default /tmp/dslab-slurm; emptied on start)
#   SLURM_CONF       the configuration written (default /etc/slurm/slurm.conf, where the
#                    client commands look without being told)
set -euo pipefail
DIR=${DSLAB_SLURM_DIR:-/tmp/dslab-slurm}
CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
case "$DIR" in /|"") echo "start-cluster: DSLAB_SLURM_DIR must not be /" >&2; exit 1 ;; esac

# running PID PROGRAM: PID is alive and runs PROGRAM (a reused PID is not ours).
running() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && [ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$2")" ]; }

for d in slurmctld slurmd; do
  if [ -f "$DIR/$d.pid" ] && running "$(cat "$DIR/$d.pid")" "/usr/sbin/$d"; then
    echo "start-cluster: $d is already running (pid $(cat "$DIR/$d.pid")); stop-cluster.sh first" >&2
    exit 1
  fi
done

missing=()
for p in slurmctld slurmd sbatch munged; do command -v "$p" >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "start-cluster: installing slurmctld slurmd slurm-client munge (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

started_munged=$(cat "$DIR/munged.pid" 2>/dev/null || true)
rm -rf "$DIR"
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$(dirname "$CONF")"

# munge authenticates the daemons and the commands to each other.
[ -s /etc/munge/munge.key ] || runuser -u munge -- /usr/sbin/mungekey --create
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 0700 /etc/munge && chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
pid=$(cat /run/munge/munged.pid 2>/dev/null || true)
if running "$pid" /usr/sbin/munged; then
  # Someone else's munged is left alone; ours (from a run whose stop was missed) is ours again.
  [ "$pid" = "$started_munged" ] && echo "$pid" > "$DIR/munged.pid"
else
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$DIR/munged.pid"
fi
munge -n | unmunge >/dev/null

CPUS=$(nproc)
cat > "$CONF" <<CONF
# A one-node cluster for dslab's tests (test/slurm/start-cluster.sh).
ClusterName=dslab-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# A requeued job may start again after 10 s instead of the default 120 s.
AuthInfo=cred_expire=10
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No accounting database, as on many small clusters: no sacct.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Tasks start within a second or two of a free CPU.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1,sched_interval=2
ReturnToService=2
# SIGKILL 5 s after SIGTERM (scancel, a time limit), not 30.
KillWait=5
# Ended jobs stay in squeue for 10 minutes.
MinJobAge=600
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.own.pid
SlurmdPidFile=$DIR/slurmd.own.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

cd "$DIR"
setsid /usr/sbin/slurmctld -D -f "$CONF" >"$DIR/log/slurmctld.out" 2>&1 </dev/null &
echo $! > "$DIR/slurmctld.pid"
for _ in $(seq 1 100); do scontrol -Q ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.1; done
running "$(cat "$DIR/slurmctld.pid")" /usr/sbin/slurmctld || { cat "$DIR/log/slurmctld.out" >&2; exit 1; }
setsid /usr/sbin/slurmd -D -N localhost -f "$CONF" >"$DIR/log/slurmd.out" 2>&1 </dev/null &
echo $! > "$DIR/slurmd.pid"
state=
for _ in $(seq 1 300); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  case "$state" in idle*) break ;; esac
  running "$(cat "$DIR/slurmd.pid")" /usr/sbin/slurmd || { cat "$DIR/log/slurmd.out" >&2; exit 1; }
  sleep 0.1
done
case "$state" in idle*) ;; *) echo "start-cluster: node not idle after 30 s ($state)" >&2; exit 1 ;; esac
echo "start-cluster: Slurm up (slurmctld $(cat "$DIR/slurmctld.pid"), slurmd $(cat "$DIR/slurmd.pid"), $CPUS CPUs, partition debug)"
