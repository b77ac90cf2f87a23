#!/usr/bin/env bash
# hack/test.sh [all|unit|e2e] — what `make test` runs, and what CI runs through .ci/run.
#
#   unit: go vet, then go test -race ./... with a private PostgreSQL started by
#         hack/with-postgres.sh (installed from Debian's packages if missing).
#   e2e:  brings up the local cluster if it is not up (test/cluster/cluster.sh),
#         builds and imports the images, runs the e2e-tagged tests against it,
#         then stops the cluster again if this script started it.
#   all:  unit, then e2e, then the distribution checks (krew manifest, for linux/amd64
#         only: DIST_PLATFORMS overrides; the release workflow checks every platform).
#         While the unit tests run, the Kubernetes and CoreDNS binaries the cluster needs
#         are built in the background (niced) when they are not cached yet.
# At the end (also on failure) a table of the phases and their seconds is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
export GOFLAGS=${GOFLAGS:--mod=mod}

step() { printf '\n==> %s\n' "$*"; }

# timed NAME CMD...: runs CMD as the phase NAME of the timing table.
phases=() secs=() t_start=$SECONDS
timed() {
  local name=$1 t0=$SECONDS rc=0
  shift
  step "$name"
  "$@" || rc=$?
  phases+=("$name") secs+=($((SECONDS - t0)))
  return $rc
}
timing_table() {
  local i
  [ ${#phases[@]} -gt 0 ] || return 0
  printf '\n%-44s %8s\n' "phase" "seconds"
  for i in "${!phases[@]}"; do printf '%-44s %8d\n' "${phases[$i]}" "${secs[$i]}"; done
  printf '%-44s %8d\n' "total (wall clock)" $((SECONDS - t_start))
}

tidy() {
  # GOFLAGS=-mod=mod lets the go command rewrite go.mod during a run; a stale one must fail
  # here rather than leave the checkout (and the version stamp of the binaries) dirty.
  go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; return 1; }
}
vet() { go vet ./... && go vet -tags e2e ./...; }
fmt_check() {
  local bad
  bad=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go') 2>/dev/null || true)
  if [ -n "$bad" ]; then echo "gofmt would change: $bad" >&2; return 1; fi
}
unit() {
  timed "go mod tidy -diff" tidy
  timed "go vet (+ -tags e2e)" vet
  timed "gofmt" fmt_check
  timed "go test -race ./... (private PostgreSQL)" env INITWAIT_REQUIRE_DB=1 hack/with-postgres.sh go test -race -count=1 ./...
}

# prebuild_cluster: builds the cluster's binaries (cached by version) in the background,
# niced, so that on a cold machine they compile while the unit tests run; e2e waits for it.
prebuild_pid=
prebuild_cluster() {
  prebuild_pid=
  test/cluster/cluster.sh status >/dev/null 2>&1 && return 0
  mkdir -p .cache
  nice -n 10 bash -c 'source test/cluster/lib.sh && source test/cluster/build.sh && build_kubernetes && build_coredns' \
    >.cache/prebuild.log 2>&1 &
  prebuild_pid=$!
}
wait_prebuild() {
  [ -n "$prebuild_pid" ] || return 0
  wait "$prebuild_pid" || { tail -n 20 .cache/prebuild.log >&2; echo "building the cluster's binaries failed: see .cache/prebuild.log" >&2; return 1; }
}

# install_chromium: Debian's chromium for the chart test (it opens compare's HTML headless).
install_chromium() {
  command -v chromium >/dev/null && return 0
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

e2e() {
  started=
  if ! test/cluster/cluster.sh status >/dev/null 2>&1; then
    started=1
  fi
  # Stop what we started, also on failure (set KEEP_CLUSTER=1 to keep it).
  # When bringing the cluster up or importing images fails, the tails of the cluster's logs
  # go to the console: CI shows nothing else. (A failing e2e test prints its own lines.)
  phase=setup
  cleanup() {
    local rc=$? f
    if [ "$rc" != 0 ] && [ "$phase" = setup ] && [ -d .cluster/logs ]; then
      for f in .cluster/logs/*.log; do
        printf '\n--- last lines of %s\n' "$f" >&2
        tail -n 8 "$f" | cut -c1-300 >&2
      done
    fi
    if [ -n "$started" ] && [ -z "${KEEP_CLUSTER:-}" ]; then test/cluster/cluster.sh down || true; fi
  }
  trap 'cleanup; timing_table' EXIT
  [ -z "$prebuild_pid" ] || timed "cluster binaries (built during unit tests)" wait_prebuild
  timed "cluster up" test/cluster/cluster.sh up
  timed "images" test/cluster/cluster.sh images
  timed "chromium" install_chromium
  phase=tests
  timed "e2e tests" e2e_tests
}
e2e_tests() {
  KUBECONFIG=$PWD/.cluster/kubeconfig INITWAIT_REQUIRE_CLUSTER=1 \
    go test -race -count=1 -tags e2e -timeout 45m -v ./test/e2e/... 2>&1 | tee .cache/e2e.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic|\s+\S+_test.go)' || true
  grep -qE '^(FAIL|panic)' .cache/e2e.log && { echo "e2e failed: see .cache/e2e.log" >&2; return 1; }
  grep -qE '^ok ' .cache/e2e.log || { echo "e2e ran no package: see .cache/e2e.log" >&2; return 1; }
}

dist() {
  if [ -x hack/krew-check.sh ]; then
    timed "krew check (${DIST_PLATFORMS:-linux/amd64})" env DIST_PLATFORMS="${DIST_PLATFORMS:-linux/amd64}" hack/krew-check.sh
  fi
}

mkdir -p .cache
trap timing_table EXIT
case "$mode" in
  unit) unit ;;
  e2e) e2e ;;
  all) prebuild_cluster; unit; e2e; dist ;;
  *) echo "usage: hack/test.sh [all|unit|e2e]" >&2; exit 2 ;;
esac
