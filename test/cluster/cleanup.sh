# test/cluster/cleanup.sh — stopping a cluster and removing all it made (sourced).
#
# teardown works from what is on disk and in /proc, not from memory of what was started,
# so it also clears a cluster that was killed (its processes ended by someone else) or that
# was started from another checkout: pod processes are found through the kubelet's kubepods
# cgroups, containerd shims and strays through their command lines naming our state
# directories, mounts through /proc/self/mountinfo.

# shellcheck shell=bash

# OUR_PROGRAMS: the programs a cluster runs; strays are looked for among these only.
OUR_PROGRAMS=" registry containerd containerd-shim-runc-v2 etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy coredns "

# procs_naming PATH...: PIDs of our programs whose command line contains one of PATHs.
procs_naming() {
  local p cmd path exe
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
    [[ $OUR_PROGRAMS == *" ${exe##*/} "* ]] || continue
    cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
    for path in "$@"; do
      if [[ $cmd == *"$path"* ]]; then echo "$p"; break; fi
    done
  done
}

# kubepods_procs: every process in a pod cgroup the kubelet made (cgroup v1 or v2).
kubepods_procs() {
  find /sys/fs/cgroup -path '*kubepods*' -name cgroup.procs 2>/dev/null | xargs -r cat 2>/dev/null | sort -u
}

kill_pids() {
  local pids
  pids=$(cat)
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

# kill_pods: containers first (through runc's state, then the cgroups), then the shims.
kill_pods() {
  local root=$RUNC_ROOT/k8s.io id
  if [ -d "$root" ]; then
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" kill "$id" KILL 2>/dev/null || true
      runc --root "$root" delete -f "$id" 2>/dev/null || true
    done
  fi
  kubepods_procs | kill_pids
  procs_naming "$RUNDIR/" | kill_pids
  sleep 0.5
  kubepods_procs | kill_pids
}

unmount_under() {
  local dir m
  for dir in "$@"; do
    # deepest first
    for m in $(awk -v d="$dir/" 'index($5, d) == 1 || $5 == substr(d, 1, length(d) - 1) {print $5}' /proc/self/mountinfo | sort -r); do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || warn "could not unmount $m"
    done
  done
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  return 0
}

# stop_all DIR NAME...: stops the components NAME... of the cluster in DIR at once.
stop_all() {
  local dir=$1 c
  shift
  for c in "$@"; do stop "$c" "$dir" & done
  wait
}

# teardown DIR: stops the cluster whose .cluster is DIR and removes what it made.
teardown() {
  local dir=$1 c pids
  # The API server's clients at once, then the API server, then etcd: each takes a second or
  # two to exit on TERM, one after another that was half of `down`.
  stop_all "$dir" coredns kube-proxy kubelet kube-scheduler kube-controller-manager
  stop kube-apiserver "$dir"
  stop etcd "$dir"
  kill_pods
  stop_all "$dir" containerd registry
  # Strays: daemons of this cluster whose PID files were lost.
  pids=$(procs_naming "$dir/" "$RUNDIR/")
  if [ -n "$pids" ]; then
    warn "killing leftover processes of this cluster: ${pids//$'\n'/ }"
    echo "$pids" | kill_pids
  fi
  unmount_under "$VARLIB" "$RUNDIR" "$dir"
  remove_cgroups
  remove_network
  rm -rf "$VARLIB" "$RUNDIR"
  if [ "$dir" = "$STATE" ]; then
    # Keep the logs of the last cluster for post-mortems (CI shows them on failure).
    if [ -d "$dir/logs" ]; then
      rm -rf "$REPO/.cache/cluster-logs"
      mkdir -p "$REPO/.cache"
      mv "$dir/logs" "$REPO/.cache/cluster-logs"
    fi
    rm -rf "$dir"
  else
    rm -rf "$dir/pids" "$dir/kubeconfig" "$dir/admin.kubeconfig"
  fi
}

# leftovers: anything an earlier cluster left on this machine.
leftovers() {
  [ -e "$VARLIB" ] || [ -e "$OWNER_FILE" ] || ip link show "$BRIDGE" >/dev/null 2>&1 ||
    grep -qE " ($VARLIB|$RUNDIR)/" /proc/self/mountinfo
}

# take_over_leftovers: before `up`, clear whatever a cluster that is not fully ours left:
# one from another checkout (running or killed), or ours with no process left running.
take_over_leftovers() {
  local owner c n=0
  owner=$(cat "$OWNER_FILE" 2>/dev/null || true)
  if [ -n "$owner" ] && [ "$owner" != "$STATE" ]; then
    for c in "${COMPONENTS[@]}"; do alive "$c" "$owner" && n=$((n + 1)); done
    if ((n)); then
      say "a cluster started from $owner is running ($n components); stopping it: one cluster fits on a machine"
    else
      say "removing what a stopped cluster from $owner left behind"
    fi
    teardown "$owner"
    return
  fi
  if [ "$(running_components)" = 0 ] && leftovers; then
    say "removing what an earlier cluster (stopped or killed) left behind"
    teardown "$STATE"
  fi
  mkdir -p "$STATE/logs" "$RUNDIR"
}
