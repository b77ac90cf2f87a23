#!/usr/bin/env bash
# hack/dist.sh — `make dist`: release archives, checksums and the krew manifest.
#
#   dist/kubectl-initwait_${VERSION}_${os}_${arch}.tar.gz   binary (.exe on windows),
#                                    kubectl_complete-initwait(.cmd), LICENSE, README.md
#   dist/checksums.txt               sha256sum of every archive
#   dist/krew/initwait.yaml          krew.yaml with the version, release URIs and sha256s
#
# Reproducible: the same commit and Go toolchain give the same bytes (CGO off,
# -trimpath, -buildvcs=false, commit date as every file's time, sorted entries,
# fixed owner and modes, gzip without name or time; see hack/archive).
#
# Environment:
#   VERSION         release version (semver with a v); default: the exact tag
#                   v* of HEAD, else v0.0.0-<commit time>-<commit>[.dirty]
#   COMMIT, DATE    commit hash and its RFC 3339 date (default: from git HEAD)
#   DIST_PLATFORMS  space-separated os/arch list (default: all released ones)
set -euo pipefail
cd "$(dirname "$0")/.."

all_platforms="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64"
platforms=${DIST_PLATFORMS:-$all_platforms}
for p in $platforms; do
  case " $all_platforms " in *" $p "*) ;; *) echo "error: dist: unknown platform $p (want one of: $all_platforms)" >&2; exit 2 ;; esac
done

commit=${COMMIT:-$(git rev-parse HEAD)}
date=${DATE:-$(git log -1 --format=%cI HEAD)}
if [ -z "${VERSION:-}" ]; then
  if tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null); then
    VERSION=$tag
  else
    VERSION=v0.0.0-$(TZ=UTC date -d "$date" +%Y%m%d%H%M%S)-${commit:0:12}
  fi
  if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet HEAD --; then VERSION+=.dirty; fi
fi
if ! [[ $VERSION =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "error: dist: VERSION=$VERSION is not a semantic version like v1.2.3 (krew needs one)" >&2
  exit 2
fi

pkg=github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo
ldflags="-s -w -buildid= -X $pkg.version=$VERSION -X $pkg.commit=$commit -X $pkg.date=$date"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly

rm -rf dist
mkdir -p dist/build dist/krew
# The tools run on this machine: build them once, not per platform.
GOOS='' GOARCH='' go build -o dist/build/archive ./hack/archive
GOOS='' GOARCH='' go build -o dist/build/krewmanifest ./hack/krewmanifest

echo "dist: $VERSION ($commit, $date) for: $platforms"
for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  exe='' completion=kubectl_complete-initwait
  if [ "$os" = windows ]; then exe=.exe completion=kubectl_complete-initwait.cmd; fi
  out=dist/build/${os}_${arch}
  mkdir -p "$out"
  GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags "$ldflags" \
    -o "$out/kubectl-initwait$exe" ./cmd/kubectl-initwait
  archive=dist/kubectl-initwait_${VERSION}_${os}_${arch}.tar.gz
  dist/build/archive -o "$archive" -mtime "$date" \
    "kubectl-initwait$exe=$out/kubectl-initwait$exe" \
    "$completion=hack/completion/$completion" \
    LICENSE=LICENSE README.md=README.md
  echo "dist: wrote $archive"
done

(cd dist && sha256sum -- *.tar.gz > checksums.txt)
dist/build/krewmanifest -version "$VERSION" -checksums dist/checksums.txt \
  -bot-template .krew.yaml -o dist/krew/initwait.yaml krew.yaml
rm -rf dist/build
echo "dist: wrote dist/checksums.txt and dist/krew/initwait.yaml"
cat dist/checksums.txt
