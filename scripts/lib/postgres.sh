# shellcheck shell=bash
# PostgreSQL for the database tests: the server on 127.0.0.1:5432 when it
# accepts a passwordless `postgres` login, otherwise a throwaway cluster that
# opshub_postgres_stop removes again. Never stops a server it did not start.
# Test sessions commit without waiting for the WAL flush (the throwaway
# cluster runs with fsync off, Backstage's own test containers on tmpfs): a
# test never survives a server crash, and each commit's flush cost 3 ms here.

OPSHUB_PG_STARTED_DIR=""

opshub_postgres_start() {
  local url="postgresql://postgres@127.0.0.1:5432"
  if command -v psql >/dev/null && psql "$url/postgres" -Atqc 'select 1' >/dev/null 2>&1; then
    opshub_log "PostgreSQL: using the server on 127.0.0.1:5432"
  else
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$bin" ]; then
      opshub_log "PostgreSQL: installing the server from Debian's packages"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
      bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    local port=54329
    OPSHUB_PG_STARTED_DIR="$(mktemp -d /tmp/opshub-pg.XXXXXX)"
    chown postgres "$OPSHUB_PG_STARTED_DIR" 2>/dev/null || true
    opshub_log "PostgreSQL: starting a throwaway cluster on 127.0.0.1:$port"
    as_postgres "$bin/initdb" -D "$OPSHUB_PG_STARTED_DIR/data" -U postgres -A trust >/dev/null || return 1
    as_postgres "$bin/pg_ctl" -D "$OPSHUB_PG_STARTED_DIR/data" -l "$OPSHUB_PG_STARTED_DIR/log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c fsync=off -c unix_socket_directories=$OPSHUB_PG_STARTED_DIR" \
      start >/dev/null || return 1
    url="postgresql://postgres@127.0.0.1:$port"
  fi
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$url?options=-c%20synchronous_commit%3Doff"
}

opshub_postgres_stop() {
  [ -n "$OPSHUB_PG_STARTED_DIR" ] || return 0
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  as_postgres "$bin/pg_ctl" -D "$OPSHUB_PG_STARTED_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$OPSHUB_PG_STARTED_DIR"
  OPSHUB_PG_STARTED_DIR=""
}

# initdb refuses to run as root.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
