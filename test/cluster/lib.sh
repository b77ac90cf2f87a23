# test/cluster/lib.sh — shared settings and helpers for cluster.sh (sourced, not run).
#
# Where things live:
#   $STATE   = <checkout>/.cluster   kubeconfig, certs, configs, logs/, pids/, etcd data
#   $VARLIB  = /var/lib/kubectl-initwait   containerd root (images, snapshots), kubelet root
#   $RUNDIR  = /run/kubectl-initwait       containerd state and socket, runc state, CNI netns
#   $CACHE   = ${XDG_CACHE_HOME:-~/.cache}/kubectl-initwait   built binaries, image tarballs
#              and the registry's data, keyed by version; kept by `down`.
# The runtime state sits in fixed places (not in the checkout) so that any checkout on the
# machine can find and remove what an earlier cluster left behind, even one that was killed.

# shellcheck shell=bash
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=$REPO/.cluster
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-initwait
VARLIB=/var/lib/kubectl-initwait
RUNDIR=/run/kubectl-initwait
# OWNER_FILE records which checkout's .cluster the running (or last) cluster belongs to.
OWNER_FILE=$RUNDIR/owner

K8S_VERSION=v1.34.4
COREDNS_VERSION=v1.13.1
REGISTRY_VERSION=v3.1.2 # github.com/distribution/distribution/v3
PAUSE_IMAGE=registry.k8s.io/pause:3.10.1

NODE_NAME=initwait-node
BRIDGE=initwait0          # our own bridge; the CNI config attaches pods to it
BRIDGE_IP=10.88.0.1
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.96.0.0/12
KUBERNETES_SVC_IP=10.96.0.1
DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local

K8S_BIN=$CACHE/bin/kubernetes-$K8S_VERSION
COREDNS_BIN=$CACHE/bin/coredns-$COREDNS_VERSION/coredns
REGISTRY_BIN=$CACHE/bin/registry-$REGISTRY_VERSION/registry
# The local registry: every image the pods run is pulled from it; its data outlives `down`.
REGISTRY=127.0.0.1:5000
REGISTRY_DATA=$CACHE/registry
# Upstream registries whose images containerd pulls from the local registry instead.
MIRRORED=(docker.io ghcr.io registry.k8s.io)
KUBECTL=$K8S_BIN/kubectl
CONTAINERD_SOCK=$RUNDIR/containerd/containerd.sock
RUNC_ROOT=$RUNDIR/runc

# Go builds: never touch the project's go.mod or a go.work, never fetch a toolchain.
export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod

# Daemons in start order; down stops them in reverse (the apiserver before etcd).
COMPONENTS=(registry containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy coredns)

# --- output -------------------------------------------------------------------------------

T0=$SECONDS
say() { printf '[%4ds] %s\n' $((SECONDS - T0)) "$*"; }
warn() { printf '[%4ds] warning: %s\n' $((SECONDS - T0)) "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# matches GREP-ARGS...: `grep -q GREP-ARGS` over all of stdin, read in full first. Under
# pipefail, `cmd | grep -q x` fails whenever grep exits at its first match while cmd still
# writes (cmd gets SIGPIPE, exit 141) — a timing race, e.g. `ctr images ls -q` printing one
# line per image. Use `cmd | matches x` instead.
matches() {
  local in
  in=$(cat)
  grep -q "$@" <<<"$in"
}

# progress WHAT CMD... runs CMD with its output in $STATE/logs/build.log (or LOG if set),
# printing WHAT and the elapsed seconds every 15 s until it ends; on failure it shows the
# log's tail and exits.
progress() {
  local what=$1; shift
  local log=${LOG:-$STATE/logs/build.log}
  mkdir -p "$(dirname "$log")"
  local start=$SECONDS
  say "$what ..."
  printf '\n==== %s (%s)\n' "$what" "$(date -Is)" >>"$log"
  "$@" >>"$log" 2>&1 &
  local pid=$! last=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - last >= 15)); then
      last=$SECONDS
      say "  $what: $((SECONDS - start))s so far"
    fi
  done
  if ! wait "$pid"; then
    tail -n 30 "$log" >&2
    die "$what failed after $((SECONDS - start))s; full output in $log"
  fi
  say "$what done in $((SECONDS - start))s"
}

# --- processes ----------------------------------------------------------------------------

pidfile() { echo "$STATE/pids/$1.pid"; }

# alive NAME [STATEDIR]: the component's recorded PID runs, and is still that program.
alive() {
  local f=${2:-$STATE}/pids/$1.pid pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -d "/proc/$pid" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | matches -- "$1"
}

# start NAME CMD...: runs CMD in the background (own session, so it survives this shell),
# logging to $STATE/logs/NAME.log, with its PID in $STATE/pids/NAME.pid.
start() {
  local name=$1; shift
  if alive "$name"; then say "$name already running (pid $(cat "$(pidfile "$name")"))"; return; fi
  mkdir -p "$STATE/logs" "$STATE/pids"
  printf '\n==== start %s\n' "$(date -Is)" >>"$STATE/logs/$name.log"
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
  say "started $name (pid $!, log .cluster/logs/$name.log)"
}

# stop NAME [STATEDIR]: TERM, wait up to 20 s, then KILL.
stop() {
  local name=$1 dir=${2:-$STATE} pid i
  alive "$name" "$dir" || { rm -f "$dir/pids/$name.pid"; return 0; }
  pid=$(cat "$dir/pids/$name.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    [ -d "/proc/$pid" ] || break
    sleep 0.5
  done
  if [ -d "/proc/$pid" ]; then
    warn "$name (pid $pid) ignored TERM for 20s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pids/$name.pid"
  say "stopped $name"
}

# wait_until SECONDS WHAT LOGNAME CMD...: polls CMD every second; on timeout points at the log.
wait_until() {
  local limit=$1 what=$2 logname=$3; shift 3
  local start=$SECONDS last=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if [ -n "$logname" ] && ! alive "$logname"; then
      tail -n 20 "$STATE/logs/$logname.log" >&2 || true
      die "$logname exited while waiting for $what; see .cluster/logs/$logname.log, fix the cause, then run: test/cluster/cluster.sh down && test/cluster/cluster.sh up"
    fi
    if ((SECONDS - start >= limit)); then
      [ -n "$logname" ] && tail -n 20 "$STATE/logs/$logname.log" >&2
      die "timed out after ${limit}s waiting for $what; see .cluster/logs/${logname:-*}.log, then run: test/cluster/cluster.sh down && test/cluster/cluster.sh up"
    fi
    sleep 1
    if ((SECONDS - last >= 15)); then
      last=$SECONDS
      say "  waiting for $what: $((SECONDS - start))s"
    fi
  done
}

kc() { "$KUBECTL" --kubeconfig "$STATE/admin.kubeconfig" "$@"; }
