#!/usr/bin/env bash
# hack/krew-check.sh — the distribution check `make test` ends with:
#
#   1. make dist (DIST_PLATFORMS=linux/amd64 limits it; default: every platform)
#   2. builds krew's own tools, sigs.k8s.io/krew v0.4.3 cmd/validate-krew-manifest
#      and cmd/krew, from the Go module proxy into a cache outside the repo
#   3. validates krew.yaml (the template) and dist/krew/initwait.yaml with them
#   4. installs every built archive with `krew install --manifest --archive`
#      into a temporary KREW_ROOT (as KREW_OS/KREW_ARCH for foreign platforms)
#      and checks what lands there (bin link, LICENSE, kubectl_complete-initwait)
#   5. runs `kubectl initwait version` (and -o json) through kubectl with
#      $KREW_ROOT/bin on PATH and compares the version with the manifest's
#   6. completes `kubectl initwait <TAB>` through kubectl (>= 1.26) with the
#      archive's kubectl_complete-initwait, and, when the local cluster is up,
#      `kubectl initwait -n <TAB>` and `... watch <TAB>` from the cluster
#
# Environment: KUBECTL (default: kubectl on PATH), DIST_PLATFORMS, KREW_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

KREW_VERSION=${KREW_VERSION:-v0.4.3}
kubectl=${KUBECTL:-kubectl}
fail() { echo "krew-check: FAIL: $*" >&2; exit 1; }
ok() { echo "krew-check: ok: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/krew-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# 1. The archives and the manifest.
${MAKE:-make} --no-print-directory dist
manifest=dist/krew/initwait.yaml
[ -s "$manifest" ] || fail "make dist wrote no $manifest"
version=$(sed -n 's/^  version: *//p' "$manifest" | tr -d '"')
[ -n "$version" ] || fail "no spec.version in $manifest"

# 2. krew's tools, built once per version from the module proxy.
tools=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-initwait/krew-$KREW_VERSION
if ! [ -x "$tools/krew" ] || ! [ -x "$tools/validate-krew-manifest" ]; then
  echo "krew-check: building sigs.k8s.io/krew $KREW_VERSION tools into $tools"
  mkdir -p "$tools"
  # Outside the repo: go install pkg@version builds krew's own module as it is.
  (cd "$tmp" && GOWORK=off GOFLAGS='' CGO_ENABLED=0 GOBIN=$tools go install \
    "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" \
    "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION") ||
    fail "could not build sigs.k8s.io/krew $KREW_VERSION from the module proxy"
fi
export KREW_NO_UPGRADE_CHECK=1

# 3. krew's validator takes the plugin name from the file name: validate copies.
validate() { # validate FILE WHAT
  mkdir -p "$tmp/validate-$2"
  cp "$1" "$tmp/validate-$2/initwait.yaml"
  "$tools/validate-krew-manifest" -manifest "$tmp/validate-$2/initwait.yaml" -skip-install \
    >"$tmp/validate-$2.log" 2>&1 || { cat "$tmp/validate-$2.log" >&2; fail "$1 does not pass krew's validate-krew-manifest $KREW_VERSION"; }
  ok "$1 passes krew's validate-krew-manifest $KREW_VERSION"
}
validate krew.yaml template
validate "$manifest" release

# 4. Install every built archive with krew itself.
host_os=$(go env GOHOSTOS) host_arch=$(go env GOHOSTARCH)
host_root=
while read -r sum file; do
  plat=${file%.tar.gz}; plat=${plat#"kubectl-initwait_${version}_"}
  os=${plat%_*} arch=${plat#*_}
  grep -q "$sum" "$manifest" || fail "$manifest lacks the sha256 of $file ($sum)"
  root=$tmp/krew-$os-$arch
  KREW_ROOT=$root KREW_OS=$os KREW_ARCH=$arch "$tools/krew" install \
    --manifest="$tmp/validate-release/initwait.yaml" --archive="dist/$file" >"$tmp/install-$plat.log" 2>&1 ||
    { cat "$tmp/install-$plat.log" >&2; fail "krew install of $file as $os/$arch failed"; }
  exe='' comp=kubectl_complete-initwait
  if [ "$os" = windows ]; then exe=.exe comp=kubectl_complete-initwait.cmd; fi
  store=$root/store/initwait/$version
  for f in "kubectl-initwait$exe" "$comp" LICENSE README.md; do
    [ -f "$store/$f" ] || fail "krew install of $file as $os/$arch: no $f in $store"
  done
  [ -e "$root/bin/kubectl-initwait$exe" ] || fail "krew install of $file as $os/$arch: no bin/kubectl-initwait$exe"
  ok "krew $KREW_VERSION installs $file as $os/$arch (bin link, LICENSE, README.md, $comp)"
  if [ "$os/$arch" = "$host_os/$host_arch" ]; then host_root=$root; fi
done <dist/checksums.txt
[ -n "$host_root" ] || fail "no archive for this machine ($host_os/$host_arch) in dist/: set DIST_PLATFORMS to include it"

# 5. The installed plugin runs through kubectl.
command -v "$kubectl" >/dev/null || fail "no kubectl ($kubectl) on PATH"
export PATH=$host_root/bin:$PATH
got=$("$kubectl" initwait version 2>&1) || fail "kubectl initwait version failed: $got"
case "$got" in
  "kubectl-initwait $version "*) ok "kubectl initwait version: $got" ;;
  *) fail "kubectl initwait version says \"$got\"; want kubectl-initwait $version ..." ;;
esac
got=$("$kubectl" initwait version -o json 2>&1) || fail "kubectl initwait version -o json failed: $got"
grep -q "\"version\": \"$version\"" <<<"$got" || fail "kubectl initwait version -o json: no \"version\": \"$version\" in: $got"
ok "kubectl initwait version -o json reports $version"
if "$kubectl" initwait version -o yaml >/dev/null 2>&1; then fail "kubectl initwait version -o yaml succeeded; want an error"; fi

# 6. kubectl's plugin completion runs the archive's kubectl_complete-initwait.
ln -s "$host_root/store/initwait/$version/kubectl_complete-initwait" "$host_root/bin/kubectl_complete-initwait"
kver=$("$kubectl" version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | awk 'NR == 1')
if [ "${kver:-0}" -lt 26 ]; then
  echo "krew-check: skipped: plugin completion needs kubectl >= 1.26 ($kubectl is 1.${kver:-?})"
else
  got=$("$kubectl" __complete initwait '' 2>/dev/null) || fail "kubectl __complete initwait failed"
  for want in version watch; do
    grep -qE "^$want("$'\t'"|\$)" <<<"$got" ||
      fail "kubectl __complete initwait '' lacks $want: $(tr '\n' ' ' <<<"$got")"
  done
  got=$("$kubectl" __complete initwait version --out 2>/dev/null)
  grep -q '^--output' <<<"$got" || fail "kubectl __complete initwait version --out lacks --output: $(tr '\n' ' ' <<<"$got")"
  ok "kubectl __complete initwait completes commands and flags through kubectl_complete-initwait"
  kc=$repo/.cluster/kubeconfig
  if [ -s "$kc" ] && "$kubectl" --kubeconfig "$kc" --request-timeout=5s get --raw /readyz >/dev/null 2>&1; then
    got=$(KUBECONFIG=$kc "$kubectl" __complete initwait -n '' 2>/dev/null)
    grep -qx 'kube-system' <<<"$got" ||
      fail "kubectl __complete initwait -n '' lacks kube-system on the local cluster (RegisterFlagCompletions wired in root.go?): $(tr '\n' ' ' <<<"$got")"
    ok "kubectl __complete initwait -n completes namespaces from the local cluster"
    pod_ns=$("$kubectl" --kubeconfig "$kc" get pods -A -o jsonpath='{.items[0].metadata.namespace}' 2>/dev/null || true)
    if [ -z "$pod_ns" ]; then
      echo "krew-check: skipped: watch target completion (no pod on the local cluster)"
    else
      pods=$("$kubectl" --kubeconfig "$kc" -n "$pod_ns" get pods -o name)
      got=$(KUBECONFIG=$kc "$kubectl" __complete initwait -n "$pod_ns" watch '' 2>/dev/null)
      # Only pods there before and after count: tests may be creating and deleting some.
      after=$("$kubectl" --kubeconfig "$kc" -n "$pod_ns" get pods -o name)
      missing=$(comm -23 <(comm -12 <(sort <<<"$pods") <(sort <<<"$after")) <(sort <<<"$got"))
      [ -z "$missing" ] ||
        fail "kubectl __complete initwait -n $pod_ns watch '' lacks $(tr '\n' ' ' <<<"$missing")(TargetCompletion on watch?)"
      ok "kubectl __complete initwait -n $pod_ns watch completes the $(wc -l <<<"$pods") pods kubectl lists there"
    fi
  else
    echo "krew-check: skipped: cluster completion (no local cluster answering at $kc)"
  fi
fi
echo "krew-check: all checks passed for $version ($(wc -l <dist/checksums.txt) archives)"
