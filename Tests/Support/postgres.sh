#!/usr/bin/env bash
# A PostgreSQL server of the tests' own, made for one run and removed after it:
#   postgres.sh run COMMAND...   initdb a cluster in a new directory, start it, run COMMAND
#                                with NAZORAT_TEST_POSTGRES=DIR, stop it and remove DIR;
#   postgres.sh restart          stop and start that cluster again (a test of an outage);
#   postgres.sh stop | start     the two halves, for a test that holds the outage open;
#   postgres.sh freeze | thaw    SIGSTOP and SIGCONT the server and its backends: a server
#                                that holds its connections and stops answering (a hung host).
# No TCP at all: the server listens on a Unix socket in DIR only (ground rule: loopback
# only; a socket is narrower still). Trust authentication: DIR is 0700, its owner's alone.
# Run as root (CI), the server runs as Debian's postgres user, which initdb requires.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -x "$bindir/pg_ctl" ] || { echo "postgres.sh: PostgreSQL's server is not installed (Debian package postgresql)" >&2; exit 1; }
# From / : PostgreSQL's programs find each other from the working directory, which the
# postgres user may not be allowed to enter (a checkout under /root).
as_owner() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
pg_ctl() { as_owner "$bindir/pg_ctl" -D "$NAZORAT_TEST_POSTGRES/data" -l "$NAZORAT_TEST_POSTGRES/server.log" -w "$@"; }
options() { echo "-c listen_addresses= -c unix_socket_directories=$NAZORAT_TEST_POSTGRES -c max_connections=200"; }

case "${1:-}" in
  run)
    shift
    NAZORAT_TEST_POSTGRES=$(mktemp -d /tmp/nazorat-postgres.XXXXXX)
    export NAZORAT_TEST_POSTGRES
    [ "$(id -u)" = 0 ] && chown postgres: "$NAZORAT_TEST_POSTGRES"
    chmod 0700 "$NAZORAT_TEST_POSTGRES"
    trap 'pg_ctl stop -m fast >/dev/null 2>&1 || true; rm -rf "$NAZORAT_TEST_POSTGRES"' EXIT
    as_owner "$bindir/initdb" -D "$NAZORAT_TEST_POSTGRES/data" -U postgres --auth=trust -E UTF8 --no-instructions >/dev/null
    pg_ctl start -o "$(options)" >/dev/null
    echo "PostgreSQL for the tests: socket in $NAZORAT_TEST_POSTGRES"
    "$@"
    ;;
  restart)
    : "${NAZORAT_TEST_POSTGRES:?postgres.sh restart runs under postgres.sh run}"
    pg_ctl restart -m fast -o "$(options)" >/dev/null
    ;;
  start)
    : "${NAZORAT_TEST_POSTGRES:?postgres.sh start runs under postgres.sh run}"
    pg_ctl start -o "$(options)" >/dev/null
    ;;
  stop)
    : "${NAZORAT_TEST_POSTGRES:?postgres.sh stop runs under postgres.sh run}"
    pg_ctl stop -m fast >/dev/null
    ;;
  freeze | thaw)
    : "${NAZORAT_TEST_POSTGRES:?postgres.sh $1 runs under postgres.sh run}"
    signal=$([ "$1" = freeze ] && echo STOP || echo CONT)
    postmaster=$(head -n 1 "$NAZORAT_TEST_POSTGRES/data/postmaster.pid")
    # Its children from /proc (procps may not be installed); the postmaster first, so that
    # it forks no new backend meanwhile.
    kill -s "$signal" "$postmaster"
    for status in /proc/[0-9]*/status; do
      parent=$(awk '/^PPid:/ { print $2 }' "$status" 2>/dev/null || true)
      [ "$parent" = "$postmaster" ] && kill -s "$signal" "$(basename "$(dirname "$status")")" 2>/dev/null || true
    done
    ;;
  *)
    echo "usage: postgres.sh run COMMAND... | restart | stop | start | freeze | thaw" >&2
    exit 2
    ;;
esac
