# test/cluster/image-postgres.sh — docker.io/library/postgres:15 (sourced by cluster.sh):
# Debian bookworm minbase + postgresql-15 via debootstrap, the official image's uid 999 and
# its docker-entrypoint.sh contract (postgres/docker-entrypoint.sh).

# shellcheck shell=bash

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
  publish_image postgres "$k" docker.io/library/postgres:$PG_MAJOR \
    -layer "$IMAGES/postgres-base-$bk.tar" -layer "$IMAGES/postgres-entry-$k.tar" \
    -entrypoint '["docker-entrypoint.sh"]' -cmd '["postgres"]' "${PG_ENV[@]}" \
    -user 999:999 -stop-signal SIGINT -expose 5432/tcp
}
