#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests.
#
#   eval "$(bash scripts/ci-postgres.sh)"     # install if missing, start, print the URL
#   bash scripts/ci-postgres.sh stop          # stop it again
#
# Installs PostgreSQL from Debian's packages when it is missing (needs root), starts a
# private cluster in $PLANNER_PG_DIR (default /tmp/planner-pg) listening on 127.0.0.1
# only, on port 5432 if free or else the first free port from 54320, creates a login
# role (random password, allowed to create databases: every test module gets databases
# of its own) and a database, and prints on stdout:
#
#   export PLANNER_TEST_POSTGRES_URL=postgresql+psycopg://planner:...@127.0.0.1:PORT/planner_test
#
# Everything else goes to stderr. Running it again reuses the cluster (and its password).
set -euo pipefail

DATA=${PLANNER_PG_DIR:-/tmp/planner-pg}
ROLE=${PLANNER_PG_USER:-planner}
DB=${PLANNER_PG_DB:-planner_test}

log() { echo "ci-postgres: $*" >&2; }

bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/pg_ctl" ]; then
    if [ "$(id -u)" != 0 ]; then
        log "PostgreSQL is not installed and this is not root: apt-get install postgresql"
        exit 1
    fi
    log "installing PostgreSQL from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi
BIN=$(bindir)

# Run a server command as the cluster's owner: the postgres user when we are root.
if [ "$(id -u)" = 0 ]; then
    OWNER=postgres
    # Some images ship the server without its system account (or with an empty passwd).
    if ! id postgres >/dev/null 2>&1; then
        log "creating the postgres system account"
        group_flag=()
        if getent group postgres >/dev/null 2>&1; then group_flag=(-g postgres); fi
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "${group_flag[@]}" postgres >&2
    fi
    as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
    OWNER=$(id -un)
    as_owner() { "$@"; }
fi

if [ "${1:-}" = "stop" ]; then
    if [ -f "$DATA/PG_VERSION" ]; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
    fi
    exit 0
fi

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

if [ ! -f "$DATA/PG_VERSION" ]; then
    log "creating a cluster in $DATA"
    mkdir -p "$DATA"
    chown "$OWNER" "$DATA"
    chmod 700 "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2 \
        || as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 >&2
fi

if as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 && [ -f "$DATA/planner.port" ]; then
    PORT=$(cat "$DATA/planner.port")
    log "reusing the cluster running on port $PORT"
else
    PORT=5432
    if port_in_use "$PORT"; then
        PORT=54320
        while port_in_use "$PORT"; do PORT=$((PORT + 1)); done
    fi
    echo "$PORT" >"$DATA/planner.port"
    chown "$OWNER" "$DATA/planner.port"
    log "starting PostgreSQL on 127.0.0.1:$PORT"
    # A test database: durability off for speed (never use these settings for real data).
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
        -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
fi

# The role's password: random, made once per cluster and kept next to it (owner-only).
if [ ! -s "$DATA/planner.password" ]; then
    (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/planner.password")
fi
PASSWORD=$(cat "$DATA/planner.password")
psql_admin() {
    as_owner "$BIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
    psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
else
    psql_admin -c "ALTER ROLE \"$ROLE\" LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
# Tests drop their databases WITH (FORCE), which may have to end an autovacuum worker.
psql_admin -c "GRANT pg_signal_backend TO \"$ROLE\"" >&2
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE \"$DB\" OWNER \"$ROLE\"" >&2
fi

echo "export PLANNER_TEST_POSTGRES_URL=postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
