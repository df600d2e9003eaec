#!/usr/bin/env bash
# A throw-away Slurm cluster on one machine (root): a controller and N compute nodes, each a
# network namespace on a bridge, running Debian's real munged, slurmctld and slurmd.
#
#   ns <tag>c   bridge br0 = 10.232.X.1/24: munged, slurmctld (controller "$(hostname)")
#   ns <tag>n1  eth0 10.232.X.11: slurmd -N n1    ... up to n<N>
#
#   scripts/slurm-lab.sh up [NODES]    build it (default 3 nodes), wait until every node is idle
#   scripts/slurm-lab.sh exec CMD...   run CMD in the controller namespace with SLURM_CONF set
#   scripts/slurm-lab.sh status        sinfo; exit 0 when up, 1 when not
#   scripts/slurm-lab.sh down          stop every process in the lab's namespaces, delete them and the dir
#
# SLURM_LAB_DIR (default ${TMPDIR:-/tmp}/chronoeval-slurm-lab) holds everything: slurm.conf, the
# munge key, spool, state and logs; one lab per dir. Nothing is added to the machine's own network
# namespace or /etc. Jobs run as root and see the machine's filesystem (a shared filesystem).
set -Eeuo pipefail

DIR=${SLURM_LAB_DIR:-${TMPDIR:-/tmp}/chronoeval-slurm-lab}
STATE="$DIR/lab.env"
LIBDIR=/usr/lib/x86_64-linux-gnu/slurm-wlm

die() { echo "slurm-lab: $*" >&2; exit 1; }

need() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, slurmd runs jobs as any user)"
  local b
  for b in ip nsenter munged slurmctld slurmd slurmstepd sinfo sbatch srun scontrol; do
    command -v "$b" >/dev/null || die "$b not found (Debian: apt-get install iproute2 util-linux munge slurmctld slurmd slurm-client; or scripts/install-test-deps.sh)"
  done
  [ -f "$LIBDIR/proctrack_linuxproc.so" ] || die "$LIBDIR/proctrack_linuxproc.so missing: Slurm plugins are not where Debian puts them"
}

# Every pid in the lab's namespaces: SIGTERM, up to 5 s, then SIGKILL; then the namespaces go.
kill_ns() {
  local ns pids i
  for sig in TERM KILL; do
    for i in $(seq 1 50); do
      pids=""
      for ns in "$@"; do pids+=" $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"; done
      [ -n "${pids// /}" ] || return 0
      [ "$i" = 1 ] && kill "-$sig" $pids 2>/dev/null || true
      sleep 0.1
    done
  done
}

down() {
  [ -f "$STATE" ] || { echo "slurm-lab: no lab in $DIR"; return 0; }
  # shellcheck source=/dev/null
  . "$STATE"
  local all=("$CTL")
  local i
  for i in $(seq 1 "$NODES"); do all+=("${TAG}n$i"); done
  kill_ns "${all[@]}"
  local left=""
  for ns in "${all[@]}"; do left+="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"; done
  [ -z "${left// /}" ] || die "processes still running in the lab after SIGKILL: $left"
  for ns in "${all[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$DIR"
  echo "slurm-lab: down ($DIR removed)"
}

in_ctl() {
  . "$STATE"
  ip netns exec "$CTL" env SLURM_CONF="$DIR/slurm.conf" "$@"
}

status() {
  [ -f "$STATE" ] || { echo "slurm-lab: not up (no $STATE)"; return 1; }
  in_ctl sinfo -N -o '%N %T %o'
}

# Waits until sinfo lists every node idle (or fails with the controller's and nodes' last log lines).
wait_idle() {
  local i out
  . "$STATE"
  for i in $(seq 1 300); do
    out=$(in_ctl sinfo -h -N -o '%N %T' 2>/dev/null || true)
    if [ "$(grep -c ' idle$' <<<"$out" || true)" = "$NODES" ]; then return 0; fi
    sleep 0.1
  done
  echo "slurm-lab: nodes not idle after 30 s: ${out:-no answer from slurmctld}" >&2
  tail -n 5 "$DIR"/log/*.log >&2 || true
  return 1
}

up_failed() {
  trap - ERR
  echo "slurm-lab: up failed at line $2: $1" >&2
  tail -n 8 "$DIR"/log/*.log >&2 2>/dev/null || true
  echo "slurm-lab: tearing down" >&2
  down >&2
  exit 1
}

up() {
  local nodes=${1:-3}
  [[ "$nodes" =~ ^[1-9][0-9]?$ ]] || die "NODES must be 1..99, got \"$nodes\""
  need
  [ ! -e "$DIR" ] || die "$DIR exists: a lab is up there (scripts/slurm-lab.sh down) or remove it"
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  local tag x ctl
  tag=sl$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')
  x=$(( $(od -An -tu1 -N1 /dev/urandom | tr -d ' ') % 254 + 1 ))
  ctl="${tag}c"
  printf 'TAG=%s\nCTL=%s\nNODES=%s\nNET=%s\n' "$tag" "$ctl" "$nodes" "10.232.$x" >"$STATE"
  # From here on a failure takes down whatever was made.
  trap 'up_failed "$BASH_COMMAND" "$LINENO"' ERR
  mkdir -p "$DIR"/{munge,ctld,spool,log,run}

  ip netns add "$ctl"
  ip -n "$ctl" link set lo up
  ip -n "$ctl" link add br0 type bridge
  ip -n "$ctl" addr add "10.232.$x.1/24" dev br0
  ip -n "$ctl" link set br0 up
  local i ns nodelines=""
  for i in $(seq 1 "$nodes"); do
    ns="${tag}n$i"
    ip netns add "$ns"
    ip link add "v$i" netns "$ctl" type veth peer name eth0 netns "$ns"
    ip -n "$ctl" link set "v$i" master br0 up
    ip -n "$ns" addr add "10.232.$x.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    nodelines+="NodeName=n$i NodeAddr=10.232.$x.$((10 + i)) CPUs=2 State=UNKNOWN"$'\n'
  done

  # munge: one daemon for the whole lab; its socket is a file, reachable from every namespace.
  dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$DIR/munge/munge.key"
  ip netns exec "$ctl" munged --force --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/seed"

  # No cgroups: processes tracked by parentage, no task binding, no accounting daemon.
  cat >"$DIR/slurm.conf" <<EOF
ClusterName=celab
SlurmctldHost=$(hostname)(10.232.$x.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/linear
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
SlurmdParameters=config_overrides
ReturnToService=2
# SIGTERM → SIGKILL after 15 s (default 30): room for the template's 3 s stop on a loaded machine.
KillWait=15
# A node that stops answering is DOWN after 10 s (default 300), so node-failure tests are short.
SlurmdTimeout=10
MinJobAge=600
$nodelines
PartitionName=lab Nodes=n[1-$nodes] Default=YES MaxTime=INFINITE State=UP
EOF

  ip netns exec "$ctl" slurmctld -f "$DIR/slurm.conf"
  for i in $(seq 1 "$nodes"); do
    mkdir -p "$DIR/spool/n$i"
    # nsenter, not `ip netns exec`: that remounts /sys, hiding /sys/fs/cgroup, and slurmd 22.05
    # will not start without a cgroup hierarchy to detect even when no plugin uses it.
    nsenter --net="/run/netns/${tag}n$i" slurmd -f "$DIR/slurm.conf" -N "n$i"
  done
  wait_idle
  trap - ERR
  echo "slurm-lab: up in $DIR: controller 10.232.$x.1, nodes n1..n$nodes (10.232.$x.11..)"
  echo "  scripts/slurm-lab.sh exec sinfo      (or: ip netns exec $ctl env SLURM_CONF=$DIR/slurm.conf CMD)"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) [ "$(id -u)" = 0 ] || die "needs root"; down ;;
  status) status ;;
  exec) shift; [ $# -gt 0 ] || die "exec needs a command"; [ -f "$STATE" ] || die "not up (no $STATE)"; in_ctl "$@" ;;
  *) die "usage: slurm-lab.sh up [NODES] | exec CMD... | status | down   (SLURM_LAB_DIR=$DIR)" ;;
esac
