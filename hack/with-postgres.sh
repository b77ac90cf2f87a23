#!/usr/bin/env bash
# hack/with-postgres.sh CMD [ARGS...] — run CMD against a private, throw-away PostgreSQL.
#
# Installs the PostgreSQL server from Debian's packages if it is missing, initdb's a
# fresh cluster in a temporary directory, starts it on a free loopback port as the
# `postgres` OS user (when run as root; as yourself otherwise), runs CMD with the
# connection in its environment, then stops it and removes the directory — also when
# CMD fails or you press Ctrl-C. No system service is used or touched.
#
# Exported to CMD:
#   PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE   libpq/pgx connection (a superuser)
#   POSTGRES_HOST POSTGRES_PORT POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DATABASE
#                                                          the same, as the shortener reads them
#   INITWAIT_PG_BINDIR   directory with initdb, pg_ctl, postgres, pgbench
#   INITWAIT_PG_DATADIR  this server's data directory (for pg_ctl -D)
#   INITWAIT_PG_OSUSER   OS user the server runs as ("" when not root): run pg_ctl as it
#   INITWAIT_PG_SOCKDIR  its Unix-socket directory
# Set KEEP_PG_LOG=1 to print the server log on exit.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: hack/with-postgres.sh CMD [ARGS...]" >&2
  exit 2
fi

find_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "with-postgres: PostgreSQL is not installed and we are not root: apt-get install postgresql" >&2
    exit 1
  fi
  echo "with-postgres: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  # flock: one apt-get at a time (make test sets the cluster up beside the unit tests).
  flock /tmp/initwait-apt.lock apt-get update -qq >&2
  # postgresql-common would create and start a system cluster; tell it not to.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/initwait.conf
  flock /tmp/initwait-apt.lock apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >&2
  bindir=$(find_bindir)
fi

osuser=""
if [ "$(id -u)" -eq 0 ]; then
  osuser=postgres
  id -u "$osuser" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$osuser"
fi
# as_pg runs a server binary as $osuser. setpriv execs it directly (runuser would
# fork and swallow Ctrl-C, and bash then skips its INT trap), so an interrupt
# during set-up reaches pg_ctl/initdb and this script's trap alike.
as_pg() {
  if [ -z "$osuser" ]; then
    "$@"
  elif command -v setpriv >/dev/null; then
    HOME=/tmp setpriv --reuid="$osuser" --regid="$osuser" --init-groups -- "$@"
  else
    runuser -u "$osuser" -- "$@"
  fi
}

tmp=""
cleanup() {
  rc=$?
  trap - EXIT INT TERM
  [ -n "$tmp" ] || exit "$rc"
  if [ -f "$datadir/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" -D "$datadir" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "${KEEP_PG_LOG:-}" ] && [ -f "$tmp/server.log" ]; then cat "$tmp/server.log" >&2; fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/initwait-pg.XXXXXX")
chmod 0755 "$tmp"
datadir=$tmp/data
sockdir=$tmp/run
mkdir -p "$sockdir"
[ -n "$osuser" ] && chown "$osuser" "$tmp" "$sockdir"

password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$password" >"$tmp/pwfile"
chmod 0600 "$tmp/pwfile"
[ -z "$osuser" ] || chown "$osuser" "$tmp/pwfile"
as_pg "$bindir/initdb" -D "$datadir" -U initwait --pwfile="$tmp/pwfile" -A scram-sha-256 \
  --auth-local=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
rm -f "$tmp/pwfile"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

started=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  port_free "$port" || continue
  if as_pg "$bindir/pg_ctl" -D "$datadir" -l "$tmp/server.log" -w -t 30 -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $sockdir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: could not start PostgreSQL; server log:" >&2
  cat "$tmp/server.log" >&2 || true
  exit 1
fi

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=initwait PGPASSWORD=$password PGDATABASE=postgres PGSSLMODE=disable
export POSTGRES_HOST=$PGHOST POSTGRES_PORT=$PGPORT POSTGRES_USER=$PGUSER POSTGRES_PASSWORD=$PGPASSWORD \
  POSTGRES_DATABASE=$PGDATABASE POSTGRES_SSLMODE=disable
export INITWAIT_PG_BINDIR=$bindir INITWAIT_PG_DATADIR=$datadir INITWAIT_PG_OSUSER=$osuser INITWAIT_PG_SOCKDIR=$sockdir
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $datadir)" >&2

set +e
"$@"
rc=$?
set -e
exit "$rc"
