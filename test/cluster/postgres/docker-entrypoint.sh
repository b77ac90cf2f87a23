#!/usr/bin/env bash
# docker-entrypoint.sh — the official postgres image's entrypoint contract, for the local
# image built from Debian's postgresql-15 (test/cluster/images.sh):
#   - POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is required on first start unless
#     POSTGRES_HOST_AUTH_METHOD=trust; POSTGRES_USER (default postgres) is the superuser;
#     POSTGRES_DB (default: the user's name) is created; POSTGRES_INITDB_ARGS go to initdb.
#   - first start: initdb into $PGDATA, listen on '*', trust on the local socket,
#     $POSTGRES_HOST_AUTH_METHOD (default scram-sha-256) for every host, then
#     /docker-entrypoint-initdb.d/*.sh|*.sql run against a socket-only temporary server.
#   - as root it prepares the directories and drops to postgres (uid 999); as uid 999 with a
#     read-only root it needs $PGDATA, /var/run/postgresql and /tmp writable (emptyDirs).
#     An emptyDir mount it does not own cannot hold a data directory (PostgreSQL insists on
#     owning it with mode 0700), so then it uses $PGDATA/pgdata.
set -Eeo pipefail

# file_env VAR: VAR from VAR_FILE when that is set, as the official image does.
file_env() {
  local var=$1 file_var="${1}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  if [ -n "${!file_var:-}" ]; then
    export "$var"="$(<"${!file_var}")"
  fi
}

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = postgres ]; then
  mkdir -p "$PGDATA"
  if [ "$(stat -c %u "$PGDATA")" != "$(id -u)" ]; then
    echo "entrypoint: $PGDATA belongs to uid $(stat -c %u "$PGDATA"), not $(id -u); using $PGDATA/pgdata"
    export PGDATA=$PGDATA/pgdata
    mkdir -p "$PGDATA"
  fi
  chmod 700 "$PGDATA"

  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER
    file_env POSTGRES_DB
    file_env POSTGRES_INITDB_ARGS
    : "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}" "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
      cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
MSG
      exit 1
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as upstream
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
      --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" -D "$PGDATA" $POSTGRES_INITDB_ARGS
    printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

    # A temporary server on the socket only, so nothing connects before setup is done.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
    psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
    if [ "$POSTGRES_DB" != postgres ]; then
      "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sh) echo "entrypoint: running $f"; . "$f" ;;
        *.sql) echo "entrypoint: running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
        *.sql.gz) echo "entrypoint: running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
        *) [ -e "$f" ] && echo "entrypoint: ignoring $f" ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo
    echo 'PostgreSQL init process complete; ready for start up.'
    echo
  fi
fi

exec "$@"
