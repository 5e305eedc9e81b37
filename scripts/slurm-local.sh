#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm executor's tests and for trying
# `sempair reproduce --executor slurm` without a cluster (Debian's slurm-wlm and munge; no systemd).
#
#   scripts/slurm-local.sh start    # munged, slurmctld, slurmd; waits until the node is idle
#   scripts/slurm-local.sh stop     # stops the daemons this script started
#   scripts/slurm-local.sh status   # sinfo, or why there is no cluster
#
# Everything lives under $SEMPAIR_SLURM_DIR (default /tmp/sempair-slurm): slurm.conf, the
# munge key and socket, state, logs. The commands find the config through SLURM_CONF, which
# `start` prints and `env` prints alone (eval "$(scripts/slurm-local.sh env)"). Needs root
# (slurmd runs jobs as their user, and munged wants its key owned by the user it runs as).
#
# The cluster keeps no accounting database (no slurmdbd), so `sacct` answers nothing here;
# finished jobs stay visible to `scontrol show job` for MinJobAge seconds (set to an hour).
set -euo pipefail

DIR="${SEMPAIR_SLURM_DIR:-/tmp/sempair-slurm}"
CONF="$DIR/slurm.conf"
MUNGE_SOCKET="$DIR/munge/munge.socket"
CPUS="${SEMPAIR_SLURM_CPUS:-$(nproc)}"

log() { printf 'slurm-local: %s\n' "$*" >&2; }

need() {
  local missing=()
  for cmd in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  if ((${#missing[@]})); then
    log "missing ${missing[*]} — install them: apt-get install -y slurm-wlm munge"
    exit 2
  fi
}

write_conf() {
  local host memory
  host="$(hostname -s)"
  # Half the machine's memory for jobs (MiB), so a job's --mem fits and the host keeps some.
  memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
  cat >"$CONF" <<EOF
ClusterName=sempair-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
SlurmctldPort=${SEMPAIR_SLURMCTLD_PORT:-6817}
SlurmdPort=${SEMPAIR_SLURMD_PORT:-6818}
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour (there is no accounting database).
MinJobAge=3600
# A job killed by a signal is not requeued by Slurm itself: the executor decides.
JobRequeue=0
KillWait=5
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  mkdir -p "$DIR/munge"
  chmod 700 "$DIR/munge"
  [[ -f "$DIR/munge/munge.key" ]] || mungekey --create --keyfile="$DIR/munge/munge.key" >/dev/null 2>&1 || \
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$DIR/munge/munge.key"
  if [[ -S "$MUNGE_SOCKET" ]] && [[ -f "$DIR/munge/munged.pid" ]] && kill -0 "$(cat "$DIR/munge/munged.pid")" 2>/dev/null; then
    return
  fi
  munged --force --key-file="$DIR/munge/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed"
}

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }  # a daemon may remove its pid file as it exits

start() {
  need
  write_conf
  start_munge
  export SLURM_CONF="$CONF"
  # A controller that is not running starts on a clean slate (no jobs left from an earlier life).
  if ! running "$DIR/slurmctld.pid"; then
    rm -rf "$DIR/state" "$DIR/spool" && mkdir -p "$DIR/state" "$DIR/spool"
    slurmctld -f "$CONF"
  fi
  running "$DIR/slurmd.pid" || slurmd -f "$CONF"
  local host state=""
  host="$(hostname -s)"
  for _ in $(seq 1 60); do
    state="$(sinfo -h -n "$host" -o '%t' 2>/dev/null || true)"
    case "$state" in
      idle* | mix* | alloc*) break ;;
      down* | drain* | fail*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  case "$state" in
    idle* | mix* | alloc*) ;;
    *)
      log "the node did not come up (state '${state:-none}'); logs in $DIR/log"
      tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
      exit 1
      ;;
  esac
  log "cluster up: node $host ($CPUS CPUs), partition debug"
  echo "export SLURM_CONF=$CONF"
}

stop_pid() {
  local file="$1" name="$2"
  if running "$file"; then
    kill "$(cat "$file")"
    for _ in $(seq 1 40); do running "$file" || break; sleep 0.25; done
    running "$file" && kill -9 "$(cat "$file")" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$file"
}

stop() {
  stop_pid "$DIR/slurmd.pid" slurmd
  stop_pid "$DIR/slurmctld.pid" slurmctld
  stop_pid "$DIR/munge/munged.pid" munged
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  status)
    if [[ -f "$CONF" ]] && SLURM_CONF="$CONF" sinfo >/dev/null 2>&1; then SLURM_CONF="$CONF" sinfo; else log "no cluster (run: $0 start)"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
