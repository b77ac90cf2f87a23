# test/cluster/images.sh — the demo images, built here and imported into containerd's k8s.io
# namespace (sourced by cluster.sh). No registry, no docker engine:
#   registry.k8s.io/pause:3.10.1      a static C pause (postgres/pause.c), uid 65535
#   docker.io/library/busybox:1.36    Debian's busybox-static with its applet links
#   docker.io/library/postgres:15     Debian bookworm minbase + postgresql-15 via debootstrap,
#                                     with postgres/docker-entrypoint.sh (official contract)
#   ghcr.io/kubectl-initwait/shortener:v0.1.0   ./cmd/shortener, static, uid 65532
#   ghcr.io/kubectl-initwait/k8s-wait-for:e2e   busybox + kubectl + a wait_for.sh stand-in
# Each layer tarball is cached in $CACHE/images under a key of its inputs; imagebuild/
# (go-containerregistry) turns layers + config into a docker-archive that `ctr images import`
# reads. An image whose key was already imported into the running containerd is skipped.

# shellcheck shell=bash

IMAGES=$CACHE/images
IMAGEBUILD=$CACHE/bin/imagebuild
IMPORTED=$VARLIB/imported   # one file per image holding the key that was imported
PG_MAJOR=15
PG_ENV=(-env "PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  -env PGDATA=/var/lib/postgresql/data -env "PG_MAJOR=$PG_MAJOR" -env LANG=C.UTF-8)

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# image_listed TAG: containerd's k8s.io namespace has an image named TAG. (After an import
# the CRI plugin adds a sha256:<id> name, so the listing has several lines.)
image_listed() { ctr_k8s images ls -q | matches -xF -- "$1"; }

# key WORDS...: a short hash of its arguments (file contents are passed as their hashes).
key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }
filehash() { sha256sum "$@" | cut -c1-16; }

# tar_dir DIR OUT: a layer tarball of DIR's contents, numeric owners, fixed times.
tar_dir() {
  chmod 755 "$1" # the layer's "./" entry becomes the container's / (mktemp -d makes 0700)
  tar --numeric-owner --sort=name --mtime=@0 -C "$1" -cf "$2.tmp" . && mv "$2.tmp" "$2"
}

build_imagebuild() {
  [ -z "${IMAGEBUILD_DONE:-}" ] || return 0
  IMAGEBUILD_DONE=1
  (cd "$REPO" && GOFLAGS='' CGO_ENABLED=0 go build -o "$IMAGEBUILD" ./test/cluster/imagebuild) ||
    die "building test/cluster/imagebuild failed (see above)"
}

# import_image NAME KEY TAG IMAGEBUILD-ARGS...: writes the image tarball (if its key is new)
# and imports it (if containerd does not hold this key's image yet).
import_image() {
  local name=$1 k=$2 tag=$3; shift 3
  local tarball=$IMAGES/$name-image-$k.tar
  mkdir -p "$IMAGES" "$IMPORTED"
  if [ "$(cat "$IMPORTED/$name" 2>/dev/null)" = "$k" ] && image_listed "$tag"; then
    say "image $tag is current ($k)"
    return 0
  fi
  if [ ! -s "$tarball" ]; then
    build_imagebuild
    "$IMAGEBUILD" -tag "$tag" -out "$tarball" "$@" || die "writing the $name image failed"
  fi
  local snap
  snap=$(cat "$STATE/snapshotter" 2>/dev/null || echo overlayfs)
  LOG=$STATE/logs/images.log progress "importing $tag" \
    ctr_k8s images import --snapshotter "$snap" "$tarball"
  if ! image_listed "$tag"; then
    tail -n 20 "$STATE/logs/images.log" >&2 || true
    printf 'ctr images ls -q:\n%s\n' "$(ctr_k8s images ls -q 2>&1)" >&2
    die "containerd does not list $tag after the import; see .cluster/logs/images.log and .cluster/logs/containerd.log"
  fi
  echo "$k" >"$IMPORTED/$name"
  # Old tarballs of this image are no use any more.
  find "$IMAGES" -maxdepth 1 -name "$name-image-*.tar" ! -name "$name-image-$k.tar" -delete
}

ensure_pause_image() {
  local src=$HERE/images/pause.c k dir
  mkdir -p "$IMAGES"
  k=$(key v1 "$(filehash "$src")")
  if [ ! -s "$IMAGES/pause-layer-$k.tar" ]; then
    dir=$(mktemp -d)
    gcc -static -Os -s -o "$dir/pause" "$src" || die "compiling $src failed (is gcc installed?)"
    tar_dir "$dir" "$IMAGES/pause-layer-$k.tar"
    rm -rf "$dir"
  fi
  import_image pause "$k" "$PAUSE_IMAGE" -layer "$IMAGES/pause-layer-$k.tar" \
    -entrypoint '["/pause"]' -user 65535:65535
}

# base_files DIR: /etc/passwd, /etc/group and /tmp for the small images.
base_files() {
  mkdir -p "$1/etc" "$1/tmp"
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false\n' >"$1/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$1/etc/group"
}

busybox_image() {
  local ver k dir a
  mkdir -p "$IMAGES"
  ver=$(dpkg-query -W -f '${Version}' busybox-static)
  k=$(key v1 "$ver")
  if [ ! -s "$IMAGES/busybox-layer-$k.tar" ]; then
    dir=$(mktemp -d)
    base_files "$dir"
    mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/root"
    cp /bin/busybox "$dir/bin/busybox"
    for a in $(/bin/busybox --list); do
      [ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
    done
    ln -s /bin/env "$dir/usr/bin/env"
    tar_dir "$dir" "$IMAGES/busybox-layer-$k.tar"
    rm -rf "$dir"
  fi
  import_image busybox "$k" docker.io/library/busybox:1.36 -layer "$IMAGES/busybox-layer-$k.tar" \
    -cmd '["sh"]' -env PATH=/usr/sbin:/usr/bin:/sbin:/bin
}

# apt_mirror: the Debian mirror this machine's apt uses (deb822 or one-line sources).
apt_mirror() {
  local m
  m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v security | awk 'NR == 1') || true # no deb822 file, or only security lines
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${m:-http://deb.debian.org/debian}"
}

# postgres_base: Debian bookworm minbase with postgresql-15, the postgres user moved to
# uid/gid 999 as in the official image, no default cluster, listen_addresses='*' in the
# sample config; cached as a layer tarball (minutes to make, so keyed by this recipe).
postgres_base() {
  local k=$1 root=$IMAGES/postgres-root
  [ -s "$IMAGES/postgres-base-$k.tar" ] && return 0
  unmount_under "$root"
  rm -rf "$root"
  LOG=$STATE/logs/images.log progress "debootstrap bookworm minbase + postgresql-$PG_MAJOR (cold: a few minutes)" \
    debootstrap --variant=minbase --include="postgresql-$PG_MAJOR" bookworm "$root" "$(apt_mirror)"
  unmount_under "$root"
  # The recipe below empties the root's /dev: make sure nothing of the host's is mounted there.
  if grep -qF " $root/" /proc/self/mountinfo; then die "$root still has mounts; unmount them and re-run images"; fi
  LOG=$STATE/logs/images.log progress "preparing the postgres root" chroot "$root" /bin/bash -ec "
    pg_dropcluster $PG_MAJOR main 2>/dev/null || rm -rf /etc/postgresql/$PG_MAJOR/main /var/lib/postgresql/$PG_MAJOR/main
    olduid=\$(id -u postgres) oldgid=\$(id -g postgres)
    groupmod -g 999 postgres
    usermod -u 999 -g 999 postgres
    find / -xdev -uid \$olduid -exec chown -h 999 {} +
    find / -xdev -gid \$oldgid -exec chgrp -h 999 {} +
    mkdir -p /var/lib/postgresql/data /docker-entrypoint-initdb.d
    chown -R 999:999 /var/lib/postgresql
    chmod 700 /var/lib/postgresql/data
    sed -ri \"s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!\" /usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample
    grep -F \"listen_addresses = '*'\" /usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/*.log /usr/share/doc/* /usr/share/man/* /usr/share/info/*
    # Message translations, locale sources, and LLVM for the JIT (PostgreSQL runs without
    # JIT when its provider cannot load): two thirds of the root's size.
    rm -rf /usr/share/locale/* /usr/share/i18n /usr/lib/postgresql/$PG_MAJOR/lib/bitcode \
      /usr/lib/postgresql/$PG_MAJOR/lib/llvmjit*.so /usr/lib/x86_64-linux-gnu/libLLVM-*.so* /usr/lib/x86_64-linux-gnu/libz3.so*
    rm -rf /dev/* /proc/* /sys/* /run/* /tmp/*
  "
  tar_dir "$root" "$IMAGES/postgres-base-$k.tar"
  rm -rf "$root"
  find "$IMAGES" -maxdepth 1 -name 'postgres-base-*.tar' ! -name "postgres-base-$k.tar" -delete
}

postgres_image() {
  # The base key covers the recipe above; change its version word when changing it.
  local bk k dir ep=$HERE/postgres/docker-entrypoint.sh
  bk=$(key v2 bookworm "postgresql-$PG_MAJOR")
  postgres_base "$bk"
  k=$(key "$bk" entry-v2 "$(filehash "$ep")")
  if [ ! -s "$IMAGES/postgres-entry-$k.tar" ]; then
    dir=$(mktemp -d)
    mkdir -p "$dir/usr/local/bin" "$dir/run/postgresql"
    install -m 0755 "$ep" "$dir/usr/local/bin/docker-entrypoint.sh"
    # The socket directory (/var/run links to /run); the base's /run is empty.
    chown 999:999 "$dir/run/postgresql"
    chmod 3777 "$dir/run/postgresql"
    tar_dir "$dir" "$IMAGES/postgres-entry-$k.tar"
    rm -rf "$dir"
  fi
  import_image postgres "$k" docker.io/library/postgres:$PG_MAJOR \
    -layer "$IMAGES/postgres-base-$bk.tar" -layer "$IMAGES/postgres-entry-$k.tar" \
    -entrypoint '["docker-entrypoint.sh"]' -cmd '["postgres"]' "${PG_ENV[@]}" \
    -user 999:999 -stop-signal SIGINT -expose 5432/tcp
}

shortener_image() {
  if [ ! -d "$REPO/cmd/shortener" ]; then
    warn "no ./cmd/shortener in $REPO yet; skipping the shortener image"
    return 0
  fi
  local dir k
  dir=$(mktemp -d)
  base_files "$dir"
  (cd "$REPO" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags '-s -w' \
    -o "$dir/shortener" ./cmd/shortener) || die "go build ./cmd/shortener failed (see above)"
  k=$(key v1 "$(filehash "$dir/shortener")")
  [ -s "$IMAGES/shortener-layer-$k.tar" ] || tar_dir "$dir" "$IMAGES/shortener-layer-$k.tar"
  rm -rf "$dir"
  import_image shortener "$k" ghcr.io/kubectl-initwait/shortener:v0.1.0 \
    -layer "$IMAGES/shortener-layer-$k.tar" -entrypoint '["/shortener"]' -user 65532:65532
}

# k8s_wait_for_image: the e2e tests' stand-in for groundnuty/k8s-wait-for (which cannot be
# pulled here), under a name of its own: busybox_image's layer, then the kubectl built for the
# cluster and images/k8s-wait-for/wait_for.sh (this project's script: the CLI subset the tests use).
K8S_WAIT_FOR_IMAGE=ghcr.io/kubectl-initwait/k8s-wait-for:e2e
k8s_wait_for_image() {
  local bk k dir script=$HERE/images/k8s-wait-for/wait_for.sh
  bk=$(key v1 "$(dpkg-query -W -f '${Version}' busybox-static)") # busybox_image's key
  [ -s "$IMAGES/busybox-layer-$bk.tar" ] || busybox_image
  k=$(key v1 "$bk" "$(filehash "$KUBECTL")" "$(filehash "$script")")
  if [ ! -s "$IMAGES/k8s-wait-for-layer-$k.tar" ]; then
    dir=$(mktemp -d)
    install -D -m 0755 "$KUBECTL" "$dir/usr/local/bin/kubectl"
    install -m 0755 "$script" "$dir/usr/local/bin/wait_for.sh"
    tar_dir "$dir" "$IMAGES/k8s-wait-for-layer-$k.tar"
    rm -rf "$dir"
  fi
  import_image k8s-wait-for "$k" "$K8S_WAIT_FOR_IMAGE" -layer "$IMAGES/busybox-layer-$bk.tar" \
    -layer "$IMAGES/k8s-wait-for-layer-$k.tar" -entrypoint '["wait_for.sh"]' \
    -env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin -env HOME=/root
}

cmd_images() {
  [ "$(id -u)" = 0 ] || die "cluster.sh images needs root (it talks to the cluster's containerd)"
  alive containerd || die "the cluster's containerd is not running: run test/cluster/cluster.sh up first"
  mkdir -p "$STATE/logs"
  build_imagebuild
  ensure_pause_image
  busybox_image
  shortener_image
  k8s_wait_for_image
  postgres_image
  say "images in containerd (k8s.io):"
  ctr_k8s images ls -q | grep -v '^sha256:' | sed 's/^/  /'
}
