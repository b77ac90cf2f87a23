#!/usr/bin/env bash
# test/cluster/cluster.sh up|down|status|images|env|build-kubernetes|prepare — a real single-node Kubernetes cluster
# on this machine, offline: an OCI registry, etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd + runc, kubelet, kube-proxy (iptables) and CoreDNS, as
# background processes.
#
#   up      idempotent: installs missing Debian packages, builds (once, cached) Kubernetes
#           v1.34.4, CoreDNS and the distribution registry, starts what is not running, waits for a Ready node and a
#           answering cluster DNS, then writes .cluster/kubeconfig (the last step, so its
#           presence means "usable").
#   down    stops everything (pods, daemons — apiserver before etcd), unmounts, removes the
#           bridge, veths, iptables rules and all state but the build cache. Safe to repeat.
#   status  prints each component's state; exit 0 only when all run and the node is Ready.
#   images  builds the demo images (pause, busybox, postgres, shortener) and pushes them to
#           the cluster's registry, which containerd pulls them from.
#   env     prints `export KUBECONFIG=...; export KUBECTL=...` for eval.
#   build-kubernetes   installs the Debian packages and builds Kubernetes (cached): the
#           longest step of a cold up, which make test runs beside `prepare`.
#   prepare builds, without a cluster, what up and images build besides Kubernetes (the
#           registry, CoreDNS, the image layers; images.sh), so that both then only start
#           and push.
#   restart|kill|pause|resume COMPONENT   for fault tests, on the running cluster (the owner's
#           .cluster): restart stops COMPONENT if it runs and starts it again, waiting for it
#           as up does; kill sends SIGKILL (restart brings it back); pause and resume send
#           SIGSTOP and SIGCONT.
#
# Files: lib.sh (settings, helpers), build.sh (packages, binaries), certs.sh, network.sh,
# components.sh, cleanup.sh, images.sh, image-busybox.sh, image-postgres.sh (+ imagebuild/,
# the Go image builder and publisher that hack/image.sh and the release use too).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for f in lib build certs network components cleanup images image-busybox image-postgres; do
  # shellcheck source=/dev/null
  source "$HERE/$f.sh"
done

# The daemons must not inherit the fd of the cluster lock the caller holds (`flock LOCK
# cluster.sh up` passes it on): they would hold the lock for as long as they run. flock(1)
# keeps its own fd, so closing ours here does not release the lock.
for f in /proc/$$/fd/*; do
  if [[ $(readlink "$f" 2>/dev/null) == *.lock ]]; then eval "exec ${f##*/}>&-"; fi
done
unset f

running_components() {
  local c n=0
  for c in "${COMPONENTS[@]}"; do alive "$c" && n=$((n + 1)); done
  echo "$n"
}

node_ready() {
  [ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

# dns_ok: the cluster DNS answers through its Service address, and says NXDOMAIN for a
# name it does not serve (it has no upstream).
dns_ok() {
  local found missing
  found=$(busybox nslookup "kubernetes.default.svc.$CLUSTER_DOMAIN" "$DNS_IP" 2>&1) || return 1
  missing=$(busybox nslookup "no-such-service.default.svc.$CLUSTER_DOMAIN" "$DNS_IP" 2>&1) # exits 1
  [[ $found == *"Address: $KUBERNETES_SVC_IP"* && $missing == *NXDOMAIN* ]]
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "the local cluster needs root (it runs containerd and the kubelet, and changes iptables): run as root"
  mkdir -p "$STATE/logs" "$RUNDIR"
  take_over_leftovers
  mkdir -p "$STATE/logs" "$RUNDIR" # a take-over clears the other cluster's $RUNDIR
  install_packages
  build_kubernetes
  build_coredns
  build_registry
  if [ "$(running_components)" = 0 ]; then preflight; fi
  echo "$STATE" >"$OWNER_FILE"
  setup_sysctls
  setup_bridge
  make_pki
  start_registry
  start_containerd "$(snapshotter)"
  ensure_pause_image
  start_etcd
  start_apiserver
  sed "s/BRIDGE_IP/$BRIDGE_IP/" "$HERE/addons.yaml" |
    kc apply --server-side --field-manager=kubectl-initwait-cluster -f - >>"$STATE/logs/addons.log" 2>&1 ||
    die "applying test/cluster/addons.yaml failed; see .cluster/logs/addons.log"
  start_controller_manager
  start_scheduler
  start_kubelet
  start_kube_proxy
  start_coredns
  wait_until 180 "node $NODE_NAME to be Ready" kubelet node_ready
  wait_until 60 "the cluster DNS at $DNS_IP to answer" coredns dns_ok
  cp "$STATE/admin.kubeconfig" "$STATE/kubeconfig"
  say "cluster up: node $NODE_NAME Ready, DNS at $DNS_IP; run: eval \"\$(test/cluster/cluster.sh env)\""
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "cluster.sh down needs root"
  local other
  other=$(cat "$OWNER_FILE" 2>/dev/null || true)
  if [ -n "$other" ] && [ "$other" != "$STATE" ]; then
    say "the last cluster was started from $other; stopping it too"
    teardown "$other"
  fi
  teardown "$STATE"
  say "cluster down; nothing left running (build cache kept in $CACHE)"
}

cmd_status() {
  local c ok=0
  for c in "${COMPONENTS[@]}"; do
    if alive "$c"; then
      printf '%-24s running (pid %s)\n' "$c" "$(cat "$(pidfile "$c")")"
    else
      printf '%-24s not running\n' "$c"
      ok=1
    fi
  done
  if [ -x "$KUBECTL" ] && [ -s "$STATE/admin.kubeconfig" ] && node_ready; then
    printf '%-24s Ready\n' "node $NODE_NAME"
  else
    printf '%-24s not Ready\n' "node $NODE_NAME"
    ok=1
  fi
  if [ ! -s "$STATE/kubeconfig" ]; then echo "kubeconfig               missing (up has not finished)"; ok=1; fi
  return $ok
}

cmd_component() {
  local action=$1 name=${2:-} pid owner f
  # Act on the running cluster as the checkout that started it configured it: its settings
  # and start functions (its STATE, components and their configuration).
  owner=$(cat "$OWNER_FILE" 2>/dev/null || true)
  if [ -n "$owner" ] && [ "$owner" != "$STATE" ] && [ -f "$(dirname "$owner")/test/cluster/components.sh" ]; then
    for f in lib components; do
      # shellcheck source=/dev/null
      source "$(dirname "$owner")/test/cluster/$f.sh"
    done
  fi
  [[ " ${COMPONENTS[*]} " == *" $name "* ]] || die "unknown component \"$name\": one of ${COMPONENTS[*]}"
  if [ "$action" = restart ]; then
    stop "$name"
    case $name in
      containerd) start_containerd "$(cat "$STATE/snapshotter")" ;;
      kube-apiserver) start_apiserver ;;
      kube-controller-manager) start_controller_manager ;;
      kube-scheduler) start_scheduler ;;
      *) "start_${name//-/_}" ;;
    esac
    return
  fi
  alive "$name" || die "$name is not running"
  pid=$(cat "$(pidfile "$name")")
  case $action in
    kill) kill -KILL "$pid" ;;
    pause) kill -STOP "$pid" ;;
    resume) kill -CONT "$pid" ;;
  esac
  say "$action $name (pid $pid)"
}

cmd_env() {
  echo "export KUBECONFIG=$STATE/kubeconfig; export KUBECTL=$KUBECTL"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  images) cmd_images ;;
  prepare) cmd_prepare ;;
  build-kubernetes)
    [ "$(id -u)" = 0 ] || die "cluster.sh build-kubernetes needs root (it installs packages)"
    install_packages
    build_kubernetes
    ;;
  env) cmd_env ;;
  restart | kill | pause | resume) cmd_component "$@" ;;
  *) echo "usage: test/cluster/cluster.sh up|down|status|images|env|build-kubernetes|prepare | restart|kill|pause|resume COMPONENT" >&2; exit 2 ;;
esac
