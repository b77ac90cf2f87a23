#!/usr/bin/env bash
# hack/test.sh [all|unit|e2e|dist] — what `make test` runs, and what CI runs through .ci/run.
#
#   unit: go vet, then go test -race ./... with a private PostgreSQL started by
#         hack/with-postgres.sh (installed from Debian's packages if missing).
#   e2e:  brings up the local cluster if it is not up (test/cluster/cluster.sh),
#         builds and pushes the images, runs the e2e-tagged tests against it,
#         then stops the cluster again if this script started it.
#   all:  unit, then e2e, with the distribution checks (krew manifest, for linux/amd64
#         only: DIST_PLATFORMS overrides; the release workflow checks every platform)
#         beside the e2e tests that do not break the cluster.
#         The cluster's set-up (building its binaries when they are not cached, `up`,
#         the images, Chromium) runs in the background, niced, while the unit tests run;
#         its log is .cache/cluster-setup.log.
# The e2e tests run E2E_PARALLEL (default 6) at a time; then the fault tests, which break
# the cluster, run alone (they do not call t.Parallel), one after another.
# At the end (also on failure) a table of the phases and their seconds is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
# -trimpath: compiles do not depend on where the clone is, so a fresh clone in another folder
# reuses Go's build cache for every package it did not change (the e2e tests build the plugin
# with these flags too).
export GOFLAGS=${GOFLAGS:--mod=mod -trimpath}

step() { printf '\n==> %s\n' "$*"; }

# timed NAME CMD...: runs CMD as the phase NAME of the timing table.
phases=() secs=() t_start=$SECONDS
timed() {
  local name=$1 t0=$SECONDS rc=0
  shift
  step "$name"
  "$@" || rc=$?
  phases+=("$name") secs+=($((SECONDS - t0)))
  [ -z "${PHASES_FILE:-}" ] || printf '%s\t%d\n' "$name" $((SECONDS - t0)) >>"$PHASES_FILE"
  return $rc
}
timing_table() {
  local i
  [ ${#phases[@]} -gt 0 ] || return 0
  printf '\n%-64s %8s\n' "phase" "seconds"
  for i in "${!phases[@]}"; do printf '%-64s %8d\n' "${phases[$i]}" "${secs[$i]}"; done
  printf '%-64s %8d\n' "total (wall clock)" $((SECONDS - t_start))
}

tidy() {
  # GOFLAGS=-mod=mod lets the go command rewrite go.mod during a run; a stale one must fail
  # here rather than leave the checkout (and the version stamp of the binaries) dirty.
  go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; return 1; }
}
# vet: with -race, so that vet's type-checking compiles the packages the way go test -race
# compiles them, and the tests reuse those compiles instead of compiling everything twice.
# The second vet covers only the packages with files behind the e2e tag (test/e2e today):
# the rest were vetted by the first.
vet() {
  local tagged
  tagged=$(git grep --untracked -l '^//go:build.*\be2e\b' -- '*.go' | xargs -r -n1 dirname | sort -u | sed 's#^#./#')
  go vet -race ./... && { [ -z "$tagged" ] || go vet -race -tags e2e $tagged; }
}
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

# Transparent huge pages for the builds: with the kernel's THP mode "madvise" (Debian's
# default) Go's compiler and linker get 4 KiB pages only (Go's runtime no longer asks for
# huge ones), and a cold compile spends a fifth of its CPU in page faults. In mode "always"
# the same cold `go build -race` of client-go measured 29% less wall time (user 187 -> 144 s,
# sys 47 -> 24 s, minor faults 4.1M -> 0.7M). So while the unit tests, the cluster's set-up
# and the krew check (beside the parallel e2e tests) compile, the mode is "always"; the
# machine's own mode is put back before the fault tests (they run under it) and on exit.
# INITWAIT_THP=keep leaves the mode alone.
thp_file=/sys/kernel/mm/transparent_hugepage/enabled thp_saved=
thp_always() {
  local mode
  [ "${INITWAIT_THP:-}" != keep ] && [ -w "$thp_file" ] || return 0
  mode=$(sed -n 's/.*\[\([a-z]*\)\].*/\1/p' "$thp_file")
  [ -n "$mode" ] && [ "$mode" != always ] || return 0
  echo always >"$thp_file" 2>/dev/null || return 0
  thp_saved=$mode
  echo "transparent huge pages: \"always\" for the builds (was \"$mode\"; INITWAIT_THP=keep to leave it)"
}
thp_restore() {
  [ -n "$thp_saved" ] || return 0
  echo "$thp_saved" >"$thp_file" 2>/dev/null || true
  echo "transparent huge pages: back to \"$thp_saved\""
  thp_saved=
}

# in_background NAME MODE: `hack/test.sh MODE` as a niced background job in its own process
# group (which cleanup stops as a whole if the run fails first); its output goes to
# .cache/NAME.log and its phases to .cache/NAME.phases. wait_background NAME LABEL waits for it
# and adds its phases to the table as "PHASE (LABEL)".
declare -A bg_pids=()
in_background() {
  local name=$1 mode=$2
  : >".cache/$name.phases"
  PHASES_FILE=$PWD/.cache/$name.phases setsid nice -n 10 "$0" "$mode" >".cache/$name.log" 2>&1 &
  bg_pids[$name]=$!
}
wait_background() {
  local name=$1 label=$2 rc=0 phase sec
  wait "${bg_pids[$name]}" || rc=$?
  unset "bg_pids[$name]"
  while IFS=$'\t' read -r phase sec; do
    phases+=("$phase ($label)") secs+=("$sec")
  done <".cache/$name.phases"
  if [ "$rc" != 0 ]; then
    tail -n 40 ".cache/$name.log" >&2
    echo "$name failed: see .cache/$name.log" >&2
  fi
  return $rc
}

# install_chromium: Debian's chromium for the chart test (it opens compare's HTML headless).
install_chromium() {
  command -v chromium >/dev/null && return 0
  # One apt-get at a time: the cluster's set-up may be installing packages beside this.
  flock /tmp/initwait-apt.lock apt-get update -qq
  DEBIAN_FRONTEND=noninteractive flock /tmp/initwait-apt.lock apt-get install -y -qq chromium >/dev/null
}

# setup_cluster: the cluster up (its binaries built first when not cached), the images in
# its registry, and Chromium for the chart test. Cold, the Kubernetes build is the longest
# step; what needs neither it nor a running cluster (the registry and CoreDNS binaries, the
# image layers: debootstrap and apt downloads among them, Chromium) is built beside it.
setup_cluster() {
  local pid rc=0
  timed "registry, CoreDNS, image layers, chromium" prepare_rest &
  pid=$!
  timed "Kubernetes binaries" test/cluster/cluster.sh build-kubernetes || rc=$?
  wait "$pid" || rc=$?
  [ "$rc" = 0 ] || return "$rc"
  timed "cluster up" test/cluster/cluster.sh up
  timed "images" test/cluster/cluster.sh images
}
prepare_rest() { test/cluster/cluster.sh prepare && install_chromium; }

# started is set when this script brings the cluster up: it stops it again at the end
# (also on failure; KEEP_CLUSTER=1 keeps it). phase says how far the run got: when setting
# the cluster up or pushing the images fails, the tails of the cluster's logs go to the
# console, since CI shows nothing else (a failing e2e test prints its own lines).
started= phase=setup
cleanup() {
  local rc=$? f
  local pid
  for pid in "${bg_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "$rc" != 0 ] && [ "$phase" = setup ] && [ -n "$started" ] && [ -d .cluster/logs ]; then
    for f in .cluster/logs/*.log; do
      printf '\n--- last lines of %s\n' "$f" >&2
      tail -n 8 "$f" | cut -c1-300 >&2
    done
  fi
  if [ -n "$started" ] && [ -z "${KEEP_CLUSTER:-}" ]; then test/cluster/cluster.sh down || true; fi
  thp_restore
}

e2e() {
  if [ -n "${bg_pids[cluster-setup]:-}" ]; then
    timed "waiting for the cluster's set-up" wait_background cluster-setup "beside the unit tests"
  else
    test/cluster/cluster.sh status >/dev/null 2>&1 || started=1
    setup_cluster
  fi
  phase=tests
  e2e_tests
}
# e2e_tests: the e2e tests in two go test runs of the same test binary: first every test but
# the fault tests, E2E_PARALLEL at a time (t.Parallel), then the fault tests (TestFault*:
# they break the cluster, so they run alone, one after another). In this order no test
# starts on a cluster that a fault has just shaken (the node-lifecycle controller marks the
# node NotReady some 40 s after kube-apiserver comes back; informers re-list after a 410).
# In mode all the krew check runs beside the parallel run, niced (it builds krew's tools
# and completes names from the cluster), and is waited for before the fault tests shake
# the cluster.
e2e_tests() {
  : >.cache/e2e.log
  [ "$mode" != all ] || in_background krew-check dist
  timed "e2e tests (${E2E_PARALLEL:-6} at a time)" e2e_run -skip '^TestFault' -parallel "${E2E_PARALLEL:-6}"
  [ "$mode" != all ] || timed "waiting for the krew check" wait_background krew-check "beside the e2e tests"
  thp_restore
  timed "e2e fault tests (one at a time)" e2e_run -run '^TestFault'
}
# e2e_run GO-TEST-FLAGS...: one go test run of ./test/e2e/, its output appended to .cache/e2e.log.
e2e_run() {
  local log
  log=$(mktemp .cache/e2e-run.XXXXXX)
  # INITWAIT_E2E_RACE: the tests build the plugin with -race (test/e2e/framework_test.go).
  KUBECONFIG=$PWD/.cluster/kubeconfig INITWAIT_REQUIRE_CLUSTER=1 INITWAIT_E2E_RACE=1 \
    go test -race -count=1 -tags e2e -timeout 45m -v "$@" ./test/e2e/... 2>&1 | tee "$log" | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic|\s+\S+_test.go)' || true
  cat "$log" >>.cache/e2e.log
  grep -qE '^(FAIL|panic)' "$log" && { rm -f "$log"; echo "e2e failed: see .cache/e2e.log" >&2; return 1; }
  grep -qE '^ok ' "$log" || { rm -f "$log"; echo "e2e ran no package: see .cache/e2e.log" >&2; return 1; }
  rm -f "$log"
}

dist() {
  timed "krew check (${DIST_PLATFORMS:-linux/amd64})" env DIST_PLATFORMS="${DIST_PLATFORMS:-linux/amd64}" hack/krew-check.sh
}
mkdir -p .cache
trap 'cleanup; timing_table' EXIT
case "$mode" in unit | e2e | all) thp_always ;; esac
case "$mode" in
  unit) unit ;;
  e2e) e2e ;;
  setup) trap - EXIT; setup_cluster ;; # the background jobs of all
  dist) trap - EXIT; dist ;;
  all)
    if ! test/cluster/cluster.sh status >/dev/null 2>&1; then
      started=1
      in_background cluster-setup setup
    fi
    unit
    e2e
    ;;
  *) echo "usage: hack/test.sh [all|unit|e2e|dist]" >&2; exit 2 ;;
esac
