# test/cluster/build.sh — Debian packages and the cluster's binaries (sourced by cluster.sh).
#
# Kubernetes, CoreDNS and the CNCF distribution registry are built from the Go module proxy, each in a throwaway module under
# $CACHE/src (never the project's go.mod), and cached under $CACHE/bin/NAME-VERSION: a second
# `up` finds them and builds nothing.

# shellcheck shell=bash

# Debian packages the cluster runs on (binaries the scripts call, package that ships them).
DEB_NEEDS=(
  containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins
  iptables:iptables conntrack:conntrack socat:socat openssl:openssl etcd:etcd-server
  debootstrap:debootstrap /bin/busybox:busybox-static ip:iproute2 modprobe:kmod
  gcc:gcc curl:curl make:make patch:patch bzip2:bzip2 xz:xz-utils
)

install_packages() {
  local missing=() item bin pkg
  for item in "${DEB_NEEDS[@]}"; do
    bin=${item%%:*} pkg=${item#*:}
    if [[ $bin == /* ]]; then [ -e "$bin" ] && continue; else command -v "$bin" >/dev/null && continue; fi
    missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  # Debian's maintainer scripts would start etcd and containerd as system services; we run
  # our own instances, so forbid service starts during the install.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d.initwait
  local had_policy=; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ -n "$had_policy" ] || cp /usr/sbin/policy-rc.d.initwait /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d 2>/dev/null || true
  # flock: one apt-get at a time (hack/test.sh installs Chromium beside the cluster's set-up).
  progress "apt-get update" flock /tmp/initwait-apt.lock apt-get update -q
  progress "apt-get install ${missing[*]}" env DEBIAN_FRONTEND=noninteractive \
    flock /tmp/initwait-apt.lock apt-get install -y -q --no-install-recommends "${missing[@]}"
  [ -n "$had_policy" ] || rm -f /usr/sbin/policy-rc.d
  rm -f /usr/sbin/policy-rc.d.initwait
}

# The cluster's binaries carry no debug information: -ldflags -s -w drops it from the
# binary, and -gcflags=all=-dwarf=false keeps the compiler from making it (about 5% of a
# cold compile).

# k8s_ldflags: what Kubernetes' hack/lib/version.sh stamps, so `kubectl version` and the
# node report v1.34.4 rather than v0.0.0-master.
k8s_ldflags() {
  local v=${K8S_VERSION#v} f=() key val
  for kv in "gitVersion=$K8S_VERSION" "gitMajor=${v%%.*}" "gitMinor=$(cut -d. -f2 <<<"$v")" \
    "gitTreeState=clean" "buildDate=1970-01-01T00:00:00Z"; do
    key=${kv%%=*} val=${kv#*=}
    f+=("-X k8s.io/client-go/pkg/version.$key=$val" "-X k8s.io/component-base/version.$key=$val")
  done
  echo "-s -w ${f[*]}"
}

# build_kubernetes: kube-apiserver, -controller-manager, -scheduler, kubelet, kube-proxy and
# kubectl in one `go build`, so the shared packages compile once.
build_kubernetes() {
  local out=$K8S_BIN src=$CACHE/src/kubernetes-$K8S_VERSION
  [ -f "$out/.complete" ] && return 0
  mkdir -p "$src" "$out"
  # The module k8s.io/kubernetes replaces its staging modules with ./staging/src/k8s.io/X,
  # which only exists in its own repository; point each at its published k8s.io/X v0.N.M.
  local mod staging
  mod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  [ -f "$mod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
  staging=$(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$mod")
  {
    echo "module initwait.local/kubernetes-build"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    for m in $staging; do echo "replace $m => $m v0${K8S_VERSION#v1}"; done
  } >"$src/go.mod"
  local pkgs=() c
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    pkgs+=("k8s.io/kubernetes/cmd/$c")
  done
  (cd "$src" && progress "go mod download for Kubernetes $K8S_VERSION" go mod download)
  # go build -mod=mod fills in go.mod's requirements from k8s.io/kubernetes' own go.mod.
  (cd "$src" && progress "building Kubernetes $K8S_VERSION (cold: ~6 min on 2 cores)" \
    env CGO_ENABLED=0 go build -trimpath -gcflags=all=-dwarf=false -ldflags "$(k8s_ldflags)" -o "$out/" "${pkgs[@]}")
  touch "$out/.complete"
}

# build_go_main WHAT MODULE VERSION GO BIN: builds the main package read from stdin against
# MODULE@VERSION in a throwaway module under $CACHE/src (go.mod says `go GO`), into BIN.
build_go_main() {
  local what=$1 mod=$2 ver=$3 gover=$4 bin=$5 src
  src=$CACHE/src/$(basename "$(dirname "$bin")")
  mkdir -p "$src" "$(dirname "$bin")"
  printf 'module initwait.local/%s-build\n\ngo %s\n\nrequire %s %s\n' "$(basename "$bin")" "$gover" "$mod" "$ver" >"$src/go.mod"
  cat >"$src/main.go"
  (cd "$src" && progress "resolving $what $ver modules" go mod tidy)
  (cd "$src" && progress "building $what $ver" \
    env CGO_ENABLED=0 go build -trimpath -gcflags=all=-dwarf=false -ldflags "-s -w" -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
}

# build_coredns: CoreDNS with only the plugins the cluster DNS uses (kubernetes for
# cluster.local, template to answer NXDOMAIN for every other name — there is no forwarder),
# registered the way CoreDNS documents compile-time plugin selection.
build_coredns() {
  [ -x "$COREDNS_BIN" ] && return 0
  build_go_main CoreDNS github.com/coredns/coredns "$COREDNS_VERSION" 1.24 "$COREDNS_BIN" <<'EOF'
// Command coredns is CoreDNS with the few plugins the local cluster's DNS needs.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/template"
)

// directives is the plugin order: a query passes through them in this order.
var directives = []string{"bind", "ready", "log", "errors", "kubernetes", "template"}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
EOF
}

# build_registry: the CNCF distribution registry with only what the cluster uses (filesystem
# storage, htpasswd auth), from its own main like CoreDNS above: the upstream cmd/registry
# also links the S3, Azure and GCS drivers and their SDKs.
build_registry() {
  [ -x "$REGISTRY_BIN" ] && return 0
  build_go_main "the distribution registry" github.com/distribution/distribution/v3 "$REGISTRY_VERSION" 1.26 "$REGISTRY_BIN" <<'EOF'
// Command registry is the CNCF distribution registry with the filesystem and inmemory
// storage drivers and htpasswd authentication: what the local cluster's registry needs.
package main

import (
	"github.com/distribution/distribution/v3/registry"

	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

func main() {
	// RootCmd prints its own errors and exits non-zero on failure.
	_ = registry.RootCmd.Execute()
}
EOF
}
