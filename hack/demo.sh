#!/usr/bin/env bash
# hack/demo.sh — what `make demo` runs (after `make build`): deploy the demo stack
# with both webapps and the database 30 s late, and stream the timeline, so that
# webapp (init container: Init:0/1, no restarts) and webapp-naive (Error,
# CrashLoopBackOff, restarts) are seen side by side until both turn Running.
#
# Cluster: the one KUBECONFIG (or ~/.kube/config) points at, if it answers within
# a few seconds; otherwise the project's local cluster (test/cluster/cluster.sh up),
# whose images are then built and imported (test/cluster/cluster.sh images).
# On a kind, k3d or minikube cluster (recognised by hack/localcluster from its nodes
# and context name) the shortener image is built here and loaded with that tool's own
# command when it is on PATH; on any other cluster, or without the tool, the script
# says which images the cluster must be able to pull.
#
#   DEMO_NAMESPACE  namespace (default initwait-demo)
#   DEMO_ARGS       extra arguments for `kubectl initwait up` (e.g. "--db-delay 60s")
set -euo pipefail
cd "$(dirname "$0")/.."
ns=${DEMO_NAMESPACE:-initwait-demo}
plugin=bin/kubectl-initwait
say() { printf '==> %s\n' "$*" >&2; }

[ -x "$plugin" ] || { say "building the plugin"; make --no-print-directory build; }

# find_kubectl: KUBECTL, else kubectl on PATH, else the local cluster's own build.
find_kubectl() {
  if [ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ]; then echo "$KUBECTL"; return; fi
  if command -v kubectl >/dev/null 2>&1; then command -v kubectl; return; fi
  eval "$(test/cluster/cluster.sh env)"
  [ -x "$KUBECTL" ] && echo "$KUBECTL"
}

# answers: the cluster of the current KUBECONFIG replies to /readyz within 5 s.
answers() {
  local k
  k=$(find_kubectl) || return 1
  "$k" --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}

local_cluster=
if [ -z "${KUBECONFIG:-}" ] && [ -s "$HOME/.kube/config" ]; then export KUBECONFIG=$HOME/.kube/config; fi
if [ -n "${KUBECONFIG:-}" ] && answers; then
  say "using the cluster in KUBECONFIG=$KUBECONFIG ($("$(find_kubectl)" config current-context 2>/dev/null || echo '?'))"
  case ":$KUBECONFIG:" in *":$PWD/.cluster/kubeconfig:"*) local_cluster=1 ;; esac
else
  [ -n "${KUBECONFIG:-}" ] && say "no answer from the cluster in KUBECONFIG=$KUBECONFIG"
  say "bringing up the local cluster (test/cluster/cluster.sh up)"
  test/cluster/cluster.sh up
  export KUBECONFIG=$PWD/.cluster/kubeconfig
  local_cluster=1
fi

shortener_image=ghcr.io/kubectl-initwait/shortener:v0.1.0
postgres_image=docker.io/library/postgres:15

# must_pull: what a cluster we cannot load images into needs.
must_pull() {
  say "note: $1, so that cluster must be able to pull $shortener_image and $postgres_image itself"
  say "      (or run with DEMO_ARGS='--image REF' naming a shortener image it can pull)"
}

# shortener_archive ARCH OUT: the shortener image as a docker-archive tarball, as
# test/cluster/cluster.sh images builds it (static binary, uid 65532), for ARCH.
shortener_archive() {
  local arch=$1 out=$2 dir
  dir=$(mktemp -d)
  mkdir -p "$dir/root/etc" "$dir/root/tmp"
  chmod 755 "$dir/root"
  chmod 1777 "$dir/root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false\n' >"$dir/root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$dir/root/etc/group"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags '-s -w' -o "$dir/root/shortener" ./cmd/shortener
  tar --numeric-owner --sort=name --mtime=@0 -C "$dir/root" -cf "$dir/layer.tar" .
  go run ./test/cluster/imagebuild -tag "$shortener_image" -out "$out" -layer "$dir/layer.tar" \
    -entrypoint '["/shortener"]' -user 65532:65532
  rm -rf "$dir"
}

# load_into_local_cluster: on kind, k3d or minikube, build the shortener image and load
# it with the tool's own command; anywhere else say what the cluster must pull.
load_into_local_cluster() {
  local kind name arch archive cmd
  read -r kind name arch < <(go run ./hack/localcluster detect) || { must_pull "its kind could not be told"; return; }
  case $kind in
    kind | k3d | minikube) ;;
    *) must_pull "it is not a kind, k3d or minikube cluster"; return ;;
  esac
  say "recognised a $kind cluster${name:+ ($name)}"
  if ! command -v "$kind" >/dev/null 2>&1; then
    must_pull "$kind is not on PATH to load the images with"
    return
  fi
  if [ "$arch" != - ] && [ "$arch" != "$(go env GOARCH)" ]; then
    must_pull "its nodes are $arch and this machine builds $(go env GOARCH) images"
    return
  fi
  mkdir -p dist/demo
  archive=dist/demo/shortener-image.tar
  say "building $shortener_image into $archive"
  shortener_archive "$(go env GOARCH)" "$archive"
  read -ra cmd < <(go run ./hack/localcluster load-command "$archive")
  say "${cmd[*]}"
  "${cmd[@]}"
  say "$postgres_image is pulled by the cluster itself (Docker Hub)"
}

if [ -n "$local_cluster" ]; then
  say "building and importing the demo images (test/cluster/cluster.sh images)"
  test/cluster/cluster.sh images
else
  load_into_local_cluster
fi

say "starting afresh: removing an earlier demo stack from namespace $ns, if any"
"$plugin" down -n "$ns" >/dev/null

say "kubectl initwait up --variant both --db later -n $ns ${DEMO_ARGS:-}"
say "(webapp waits in Init:0/1, webapp-naive crash-loops, until the database arrives after --db-delay, 30s by default)"
# shellcheck disable=SC2086 # DEMO_ARGS is a list of words
"$plugin" up --variant both --db later -n "$ns" ${DEMO_ARGS:-} # stops, saying what to do, if an image cannot be pulled
say "done. Explore: $plugin watch webapp -n $ns, $plugin diagnose webapp -n $ns"
say "clean up:  $plugin down -n $ns --delete-namespace"
