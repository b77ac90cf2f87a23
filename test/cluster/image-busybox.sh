# test/cluster/image-busybox.sh — docker.io/library/busybox:1.37 (sourced by cluster.sh):
# upstream BusyBox 1.37.0 built the way the official image's glibc variant is
# (docker-library/busybox, latest/glibc/Dockerfile.builder), so that its applets behave as
# the image charts' init containers are written against: `make defconfig` plus that
# variant's few config changes, the same two build-fix patches, dynamically linked against
# glibc with the shared libraries beside it, `busybox --install` hard links in /bin.
#
# The source comes from Debian (apt-get source, trixie carries 1.37.0, through a private
# apt list so the machine's own sources are untouched); only the upstream tarball is built,
# checked against upstream's sha256, with two of Debian's patches that are the ones the
# official build applies (networking/tc.c without CBQ for current kernel headers; the
# SHA-NI guard in libbb). Debian's other patches are not applied.

# shellcheck shell=bash

BUSYBOX_VERSION=1.37.0
BUSYBOX_SHA256=3311dff32e746499f4df0d5df04d7eb396382d7e108bb9250e7b519b837043a4
BUSYBOX_TAG=docker.io/library/busybox:${BUSYBOX_VERSION%.*}
BUSYBOX_SUITE=trixie
BUSYBOX_PATCHES=(busybox-1.36.1-no-cbq.patch libbb-sha-add-missing-sha-NI-guard.patch)
# The official glibc variant's changes to `make defconfig`.
BUSYBOX_SET=(CONFIG_AR=y CONFIG_FEATURE_AR_CREATE=y CONFIG_FEATURE_AR_LONG_FILENAMES=y
  CONFIG_LAST_SUPPORTED_WCHAR=0 CONFIG_INOTIFYD=y)
BUSYBOX_UNSET=(CONFIG_FEATURE_SYNC_FANCY)

# busybox_source: $BUSYBOX_SRC/busybox_$V.orig.tar.bz2 (checked) and Debian's patches.
busybox_source() {
  local apt=$CACHE/src/apt-$BUSYBOX_SUITE
  BUSYBOX_SRC=$apt/src
  local orig=$BUSYBOX_SRC/busybox_$BUSYBOX_VERSION.orig.tar.bz2
  if [ ! -s "$orig" ] || ! ls "$BUSYBOX_SRC"/busybox_"$BUSYBOX_VERSION"-*.debian.tar.xz >/dev/null 2>&1; then
    mkdir -p "$apt/lists/partial" "$apt/cache" "$BUSYBOX_SRC"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(apt_mirror) $BUSYBOX_SUITE main" >"$apt/sources.list"
    local o=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
    LOG=$STATE/logs/images.log progress "apt-get update ($BUSYBOX_SUITE sources, private list)" apt-get -q "${o[@]}" update
    (cd "$BUSYBOX_SRC" && LOG=$STATE/logs/images.log progress "apt-get source busybox ($BUSYBOX_SUITE)" \
      apt-get -q "${o[@]}" --download-only source busybox)
  fi
  [ -s "$orig" ] || die "apt-get source busybox did not bring busybox_$BUSYBOX_VERSION.orig.tar.bz2 (has $BUSYBOX_SUITE moved on? see $BUSYBOX_SRC)"
  echo "$BUSYBOX_SHA256  $orig" | sha256sum -c --quiet - ||
    die "$orig does not have upstream's sha256 $BUSYBOX_SHA256; remove it and re-run images"
}

# busybox_compile DIR: builds DIR/busybox-$V/busybox from the tarball, patched and configured.
busybox_compile() {
  local dir=$1 src=$1/busybox-$BUSYBOX_VERSION conf confV p
  tar -xjf "$BUSYBOX_SRC/busybox_$BUSYBOX_VERSION.orig.tar.bz2" -C "$dir"
  tar -xJf "$(ls "$BUSYBOX_SRC"/busybox_"$BUSYBOX_VERSION"-*.debian.tar.xz | tail -n 1)" -C "$dir" debian/patches
  for p in "${BUSYBOX_PATCHES[@]}"; do
    patch -d "$src" -p1 --quiet <"$dir/debian/patches/$p" || die "applying $p to BusyBox failed"
  done
  # The build embeds its date: use the tarball's time, as the official build does.
  SOURCE_DATE_EPOCH=$(stat -c %Y "$src")
  export SOURCE_DATE_EPOCH
  make -C "$src" -s defconfig
  for conf in "${BUSYBOX_UNSET[@]}"; do
    sed -i -e "s!^$conf=.*\$!# $conf is not set!" "$src/.config"
  done
  for confV in "${BUSYBOX_SET[@]}"; do
    conf=${confV%=*}
    sed -i -e "s!^$conf=.*\$!$confV!" -e "s!^# $conf is not set\$!$confV!" "$src/.config"
    grep -qx -- "$confV" "$src/.config" || echo "$confV" >>"$src/.config"
  done
  make -C "$src" -s oldconfig </dev/null >/dev/null
  for conf in "${BUSYBOX_UNSET[@]}"; do ! grep -q "^$conf=" "$src/.config" || die "BusyBox config still sets $conf"; done
  for confV in "${BUSYBOX_SET[@]}"; do grep -qx -- "$confV" "$src/.config" || die "BusyBox config lacks $confV"; done
  # ARCH as the official build sets it (not `uname -m`, which is the kernel's).
  make -C "$src" -s -j "$(nproc)" ARCH="$(uname -m)" busybox
}

# busybox_rootfs SRC ROOT: the official glibc variant's layout: /bin/busybox and its hard
# links, getconf, glibc's loader, libc and NSS modules in /lib (lib64 -> lib), Debian's
# default nsswitch.conf, buildroot's skeleton users, UTC as local time, /usr/bin/env.
busybox_rootfs() {
  local src=$1 root=$2 f fn todo
  mkdir -p "$root/bin" "$root/etc" "$root/lib" "$root/usr/bin"
  ln -s lib "$root/lib64"
  cp "$src/busybox" "$root/bin/busybox"
  cp "$(command -v getconf)" "$root/bin/getconf"
  # Every shared object busybox, getconf and the NSS modules need, found with ldd.
  # (glibc's own NSS modules and libpthread only, as the official build takes them: the
  # host's other NSS plugins, such as mdns or systemd, are not part of the image.)
  # shellcheck disable=SC2207
  todo=("$root/bin/busybox" "$root/bin/getconf"
    $(dpkg -L libc6 | grep -E '/lib/[^/]+/lib(nss_[a-z]+|pthread)\.so\.[0-9]+$' | sort))
  while ((${#todo[@]})); do
    f=${todo[0]} todo=("${todo[@]:1}")
    fn=$(basename "$f")
    if [[ $f != "$root"/* ]]; then
      [ -e "$root/lib/$fn" ] && continue
      cp -L "$f" "$root/lib/$fn"
    fi
    # shellcheck disable=SC2207
    todo+=($(ldd "$f" 2>/dev/null | awk '$1 ~ /^\// {print $1; next} $2 == "=>" && $3 ~ /^\// {print $3}'))
  done
  chroot "$root" /bin/getconf _NPROCESSORS_ONLN >/dev/null || die "the BusyBox root's libraries are incomplete"
  chroot "$root" /bin/busybox --install /bin
  # Debian's default nsswitch.conf (what the official build copies from debian:trixie-slim).
  printf '%s\n' 'passwd:         files' 'group:          files' 'shadow:         files' 'gshadow:        files' '' \
    'hosts:          files dns' 'networks:       files' '' 'protocols:      db files' 'services:       db files' \
    'ethers:         db files' 'rpc:            db files' '' 'netgroup:       nis' >"$root/etc/nsswitch.conf"
  # buildroot's system/skeleton users and groups, root's password locked (CVE-2019-5021).
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
    'bin:x:2:2:bin:/bin:/bin/false' 'sys:x:3:3:sys:/dev:/bin/false' 'sync:x:4:100:sync:/bin:/bin/sync' \
    'mail:x:8:8:mail:/var/spool/mail:/bin/false' 'www-data:x:33:33:www-data:/var/www:/bin/false' \
    'operator:x:37:37:Operator:/var:/bin/false' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$root/etc/passwd"
  printf '%s\n' root:x:0: daemon:x:1: bin:x:2: sys:x:3: adm:x:4: tty:x:5: disk:x:6: lp:x:7: mail:x:8: \
    kmem:x:9: wheel:x:10:root cdrom:x:11: dialout:x:18: floppy:x:19: video:x:28: audio:x:29: tape:x:32: \
    www-data:x:33: operator:x:37: utmp:x:43: plugdev:x:46: staff:x:50: lock:x:54: netdev:x:82: \
    users:x:100: nobody:x:65534: >"$root/etc/group"
  awk -F: '{print $1 ":*:::::::"}' "$root/etc/passwd" >"$root/etc/shadow"
  mkdir -p "$root/dev" "$root/tmp" "$root/root" "$root/var/spool/mail" "$root/var/www" "$root/home"
  chmod 755 "$root/dev" "$root/etc" "$root/var/www"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  chmod 600 "$root/etc/shadow"
  chown 33:33 "$root/var/www"
  chown 8:8 "$root/var/spool/mail"
  chown 65534:65534 "$root/home"
  ln -s ../../bin/env "$root/usr/bin/env"
  cp /usr/share/zoneinfo/UTC "$root/etc/localtime"
  chroot "$root" /usr/bin/env sh -ec 'true' || die "the BusyBox root does not run its own shell"
  [ "$(chroot "$root" date +%Z)" = UTC ] || die "the BusyBox root's time zone is not UTC"
}

busybox_image() {
  local k dir
  busybox_source
  mkdir -p "$IMAGES"
  # The layer depends on the recipe (bump the word when changing this file) and on the
  # host's glibc, whose libraries the image carries.
  k=$(key v1 "$BUSYBOX_SHA256" "${BUSYBOX_PATCHES[*]}" "${BUSYBOX_SET[*]}" "${BUSYBOX_UNSET[*]}" \
    "$(dpkg-query -W -f '${Version}' libc6)" "$(filehash "${BASH_SOURCE[0]}")")
  if [ ! -s "$IMAGES/busybox-upstream-layer-$k.tar" ]; then
    dir=$(mktemp -d)
    LOG=$STATE/logs/images.log progress "building BusyBox $BUSYBOX_VERSION from source (cold: a minute or two)" \
      busybox_compile "$dir"
    busybox_rootfs "$dir/busybox-$BUSYBOX_VERSION" "$dir/root"
    tar_dir "$dir/root" "$IMAGES/busybox-upstream-layer-$k.tar"
    rm -rf "$dir"
    find "$IMAGES" -maxdepth 1 -name 'busybox-upstream-layer-*.tar' ! -name "busybox-upstream-layer-$k.tar" -delete
  fi
  BUSYBOX_KEY=$k BUSYBOX_LAYER=$IMAGES/busybox-upstream-layer-$k.tar # for images built on it
  publish_image busybox "$k" "$BUSYBOX_TAG" -layer "$BUSYBOX_LAYER" \
    -cmd '["sh"]' -env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}
