#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (and for trying the backend out):
# Debian's server binaries, run as the `postgres` user (initdb refuses root), data in a
# temporary directory that user owns, listening on 127.0.0.1 and a socket in that
# directory only, trust authentication (nothing but this machine can reach it).
#
#   eval "$(scripts/pg_test_server.sh start)"   # exports REGSEARCH_TEST_DATABASE_URL
#   scripts/pg_test_server.sh stop               # stops it and removes its data
#
# PGTEST_DIR (default /tmp/regsearch-pgtest) moves it; PGTEST_PORT fixes its port (default:
# 54329 if free, else any free one).
set -euo pipefail
dir="${PGTEST_DIR:-/tmp/regsearch-pgtest}"
free_port() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.close(); s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}
if [ -f "$dir/port" ]; then
  port="$(cat "$dir/port")"
else
  port="${PGTEST_PORT:-$(free_port 54329)}"
fi
bindir="${PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir="$candidate"
  done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
url="postgresql://postgres@127.0.0.1:${port}/regsearch_test"
case "${1:-start}" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && as_pg "'$bindir/pg_ctl' -D '$dir/data' status" >/dev/null 2>&1; then
      echo "export REGSEARCH_TEST_DATABASE_URL='$url'"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    port="${PGTEST_PORT:-$(free_port 54329)}"
    url="postgresql://postgres@127.0.0.1:${port}/regsearch_test"
    echo "$port" >"$dir/port"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_pg "'$bindir/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
      -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c full_page_writes=off \
      -c synchronous_commit=off -c max_connections=200 -c shared_buffers=64MB\" start >/dev/null" \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "'$bindir/createdb' -h 127.0.0.1 -p $port -U postgres regsearch_test"
    echo "export REGSEARCH_TEST_DATABASE_URL='$url'"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "'$bindir/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    fi
    rm -rf "$dir"
    ;;
  url)
    echo "$url"
    ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
