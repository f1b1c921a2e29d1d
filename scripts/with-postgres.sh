#!/usr/bin/env bash
# with-postgres.sh COMMAND...: runs COMMAND with a throwaway PostgreSQL cluster (Debian's
# postgresql package, no system service) on a free loopback port, its URL in AUTH_TEST_DB;
# the cluster and its directory are removed afterwards, whatever COMMAND's outcome.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres.sh: PostgreSQL not found (Debian package postgresql; run make setup)" >&2
  exit 1
fi
# initdb and postgres refuse to run as root: as root, run the cluster as the `postgres` user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

dir=$(mktemp -d /tmp/auth-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_pg "'$PG_BIN/pg_ctl' -D '$dir/pg' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_pg "'$PG_BIN/initdb' -D '$dir/pg' -U postgres -A trust --no-sync" >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
as_pg "'$PG_BIN/pg_ctl' -D '$dir/pg' -l '$dir/pg.log' -w \
  -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start" \
  >/dev/null || { cat "$dir/pg.log" >&2; exit 1; }

export AUTH_TEST_DB="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres.sh: PostgreSQL on 127.0.0.1:$port ($dir)"
"$@"
